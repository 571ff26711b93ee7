/* SPDX-License-Identifier: MIT */
/*
 * The hypercall commands: `HvName Field=value ... [modifiers] [-> vars]`.
 * The layout table says where each field goes; the block is written into
 * the caller's input page (or the registers for `fast`), the call issued
 * through ohv_hypercall and re-issued while a rep call returns early, as
 * a guest re-executes the instruction (spec.md §3.2 time budget).
 */
#include "scnint.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* At most this many invocations of one rep call before giving up. */
#define MAX_REISSUE	100000

static size_t round16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

enum scn_rc scn_issue(struct scn *s, const struct issue *is, const void *in,
		      size_t in_len, void *out, size_t out_len,
		      hv_status_t *st, uint32_t *reps)
{
	struct ohv *hv = scn_hv(s);
	const struct ohv_call_info *l = ohv_call_info(is->code);
	struct ohv_hvcall call;
	uint64_t in_gpa = 0, out_gpa = 0;
	bool fast;

	if (!hv)
		return SCN_FAILED;
	memset(&call, 0, sizeof(call));
	call.control = is->raw_control ? is->control :
		ohv_control(is->code, is->fast, is->reps, is->start) | is->extra;
	fast = call.control & HV_HYPERCALL_FAST_BIT;
	if (fast) {
		memcpy(call.fast, in, in_len < sizeof(call.fast) ?
		       in_len : sizeof(call.fast));
	} else {
		uint64_t ip = 0, op = 0;

		if (!is->in_gpa_set || !is->out_gpa_set) {
			enum scn_rc rc = scn_io(s, s->caller, &ip, &op);

			if (rc)
				return rc;
		}
		in_gpa = is->in_gpa_set ? is->in_gpa : ip << HV_PAGE_SHIFT;
		out_gpa = is->out_gpa_set ? is->out_gpa : op << HV_PAGE_SHIFT;
		/* What does not reach the caller's memory is the call's to
		 * notice (INVALID_ALIGNMENT). */
		if (in_len)
			scn_poke(s, s->caller, in_gpa, in, in_len);
		call.fast[0] = in_gpa;
		call.fast[1] = out_gpa;
	}

	const uint32_t count = (uint32_t)((call.control &
					   HV_HYPERCALL_REP_COUNT_MASK) >>
					  HV_HYPERCALL_REP_COMP_OFFSET);
	uint64_t result = 0;
	uint32_t done = 0;

	s->once = is->once;
	for (unsigned k = 0; k < MAX_REISSUE; k++) {
		uint32_t before = done;

		result = ohv_hypercall(hv, s->caller, s->vp, &call);
		done = ohv_result_reps(result);
		if (!l || !l->rep || is->once ||
		    ohv_result_status(result) != HV_STATUS_SUCCESS ||
		    done >= count || (k && done <= before))
			break;
	}
	s->once = false;
	*st = ohv_result_status(result);
	*reps = done;

	if (out_len && l) {
		memset(out, 0, out_len);
		if (fast) {
			size_t off = round16(l->in_size[s->cfg.arch] +
					     (size_t)count * l->in_elem);

			if (off < sizeof(call.fast))
				memcpy(out, (uint8_t *)call.fast + off,
				       out_len < sizeof(call.fast) - off ?
				       out_len : sizeof(call.fast) - off);
		} else {
			scn_peek(s, s->caller, out_gpa, out, out_len);
		}
	}
	return SCN_OK;
}

/* ---------------------------------------------------------------------- */
/* Encoding.                                                               */

struct enc {
	uint8_t in[HV_PAGE_SIZE * 2];
	size_t len;		/* bytes of in the call reads */
	size_t written;		/* highest byte written + 1   */
	struct issue is;
	bool reps_set;
	bool payload_size_set;
	size_t payload_len;
	bool have_payload;
	uint64_t *list;		/* rep input elements given as a list */
	size_t nlist;
	uint64_t *fresh;	/* pages alloc() took for the list    */
	size_t nfresh;
	struct hv_register_assoc *regs;
	size_t nregs;
};

static void store(uint8_t *p, uint64_t v, size_t size)
{
	memcpy(p, &v, size < 8 ? size : 8);
}

static enum scn_rc fits(struct scn *s, const char *name, uint64_t v,
			size_t size)
{
	if (size < 8 && v >> (size * 8))
		return scn_err(s, SCN_ERROR, "%s is a %zu-byte field: 0x%" PRIx64
			       " does not fit", name, size, v);
	return SCN_OK;
}

/* 0x48656c6c6f or "hello" */
static enum scn_rc payload(struct scn *s, const char *v, uint8_t *out,
			   size_t max, size_t *len)
{
	if (*v == '"') {
		if (!scn_unquote(v, (char *)out, max, len))
			return scn_err(s, SCN_ERROR, "Payload: a string of at "
				       "most %zu bytes, escapes \\n \\t \\r \\0 "
				       "\\\\ \\\" \\xHH", max);
		return SCN_OK;
	}
	if (v[0] != '0' || (v[1] != 'x' && v[1] != 'X'))
		return scn_err(s, SCN_ERROR, "Payload: \"text\" or 0x<hex "
			       "bytes>");
	v += 2;
	size_t n = strlen(v);

	if (n % 2 || n / 2 > max)
		return scn_err(s, SCN_ERROR, "Payload: an even number of hex "
			       "digits, at most %zu bytes", max);
	for (size_t i = 0; i < n / 2; i++) {
		char hex[3] = { v[2 * i], v[2 * i + 1], 0 };

		if (!isxdigit((unsigned char)hex[0]) ||
		    !isxdigit((unsigned char)hex[1]))
			return scn_err(s, SCN_ERROR, "Payload: '%s' is not hex",
				       v);
		out[i] = (uint8_t)strtoul(hex, NULL, 16);
	}
	*len = n / 2;
	return SCN_OK;
}

/* A register value: V, LOW:HIGH, base:limit (Idtr, Gdtr) or
 * base:limit:selector:attributes (segments). */
static enum scn_rc reg_value(struct scn *s, uint32_t name, const char *text,
			     union hv_register_value *v)
{
	char copy[256], *parts[4];
	size_t n = 0;
	uint64_t x[4] = { 0 };

	snprintf(copy, sizeof(copy), "%s", text);
	for (char *p = strtok(copy, ":"); p && n < 4; p = strtok(NULL, ":"))
		parts[n++] = p;
	if (!n)
		return scn_err(s, SCN_ERROR, "a register value is missing");
	for (size_t i = 0; i < n; i++)
		if (scn_value(s, parts[i], OHV_FMT_HEX, &x[i]))
			return SCN_ERROR;
	memset(v, 0, sizeof(*v));
	bool seg = name >= HV_X64_REGISTER_ES && name <= HV_X64_REGISTER_TR;
	bool table = name == HV_X64_REGISTER_IDTR || name == HV_X64_REGISTER_GDTR;

	if (seg && n == 4) {
		v->segment.base = x[0];
		v->segment.limit = (uint32_t)x[1];
		v->segment.selector = (uint16_t)x[2];
		v->segment.attributes = (uint16_t)x[3];
	} else if (table && n == 2) {
		v->table.base = x[0];
		v->table.limit = (uint16_t)x[1];
	} else if (n <= 2) {
		v->reg128[0] = x[0];
		v->reg128[1] = x[1];
	} else {
		return scn_err(s, SCN_ERROR, "'%s': a register value is V, "
			       "LOW:HIGH, base:limit (Idtr, Gdtr) or base:limit:"
			       "selector:attributes (segments)", text);
	}
	return SCN_OK;
}

static enum scn_rc raw_bytes(struct scn *s, struct enc *e, const char *key,
			     const char *v)
{
	char *end;
	unsigned long off = strtoul(key + 1, &end, 0), size = 8;
	uint64_t x;

	if (*end == ':')
		size = strtoul(end + 1, &end, 0);
	if (*end || end == key + 1 || (size != 1 && size != 2 && size != 4 &&
					size != 8) || off + size > HV_PAGE_SIZE)
		return scn_err(s, SCN_ERROR, "'%s': raw bytes are @OFFSET=V or "
			       "@OFFSET:SIZE=V, SIZE 1, 2, 4 or 8, within 4096 "
			       "bytes", key);
	if (scn_value(s, v, OHV_FMT_HEX, &x) || fits(s, key, x, size))
		return SCN_ERROR;
	store(e->in + off, x, size);
	if (off + size > e->written)
		e->written = off + size;
	return SCN_OK;
}

static enum scn_rc modifier(struct scn *s, struct enc *e, const char *key,
			    const char *v, bool *used)
{
	uint64_t x;

	*used = true;
	if (!strcmp(key, "reps") || !strcmp(key, "start") ||
	    !strcmp(key, "varhead")) {
		if (scn_value(s, v, OHV_FMT_DEC, &x))
			return SCN_ERROR;
		uint64_t lim = !strcmp(key, "varhead") ? 0x3FF : 0xFFF;

		if (x > lim)
			return scn_err(s, SCN_ERROR, "%s is a %s-bit field of the "
				       "control word: at most %" PRIu64, key,
				       lim == 0x3FF ? "10" : "12", lim);
		if (!strcmp(key, "reps")) {
			e->is.reps = (uint32_t)x;
			e->reps_set = true;
		} else if (!strcmp(key, "start")) {
			e->is.start = (uint32_t)x;
		} else {
			e->is.extra |= x << HV_HYPERCALL_VARHEAD_OFFSET;
		}
		return SCN_OK;
	}
	if (!strcmp(key, "control")) {
		if (scn_value(s, v, OHV_FMT_HEX, &e->is.control))
			return SCN_ERROR;
		e->is.raw_control = true;
		return SCN_OK;
	}
	if (!strcmp(key, "in") || !strcmp(key, "out")) {
		if (scn_value(s, v, OHV_FMT_HEX, &x))
			return SCN_ERROR;
		if (!strcmp(key, "in")) {
			e->is.in_gpa = x;
			e->is.in_gpa_set = true;
		} else {
			e->is.out_gpa = x;
			e->is.out_gpa_set = true;
		}
		return SCN_OK;
	}
	*used = false;
	return SCN_OK;
}

static enum scn_rc unknown_field(struct scn *s, const struct ohv_call_info *l,
				 const char *key)
{
	char names[512] = "";
	size_t at = 0;

	for (const struct ohv_field *f = layout_in(l, s->cfg.arch);
	     f->name; f++) {
		if (f->kind != OHV_FIELD_VALUE)
			continue;
		int k = snprintf(names + at, sizeof(names) - at, "%s%s",
				 at ? ", " : "", f->name);

		if (k > 0 && at + (size_t)k < sizeof(names))
			at += (size_t)k;
	}
	if (l->in_list && at + strlen(l->in_list) + 3 < sizeof(names))
		at += (size_t)snprintf(names + at, sizeof(names) - at, "%s%s",
				       at ? ", " : "", l->in_list);
	if (l->code == HVCALL_SET_VP_REGISTERS)
		return scn_err(s, SCN_ERROR, "%s has no field '%s' and it is no "
			       "register name; fields: %s; registers as "
			       "Name=value (Rip=0x1000)", l->name, key, names);
	return scn_err(s, SCN_ERROR, "%s has no field '%s'; fields: %s%s",
		       l->name, key, at ? names : "(none)",
		       "; modifiers: fast once nested reps= start= varhead= "
		       "control= in= out= @OFFSET=");
}

/* One register of HvSetVpRegisters: Name=value (or CODE=value). */
static enum scn_rc add_reg(struct scn *s, struct enc *e,
			   const struct ohv_call_info *l, const char *key,
			   const char *v)
{
	struct hv_register_assoc *r;
	uint32_t name;
	uint64_t num;

	if (!layout_reg_code(key, &name)) {
		if (!isdigit((unsigned char)*key) ||
		    scn_value(s, key, OHV_FMT_HEX, &num) || num > UINT32_MAX)
			return unknown_field(s, l, key);
		name = (uint32_t)num;
	}
	if (e->nregs == (HV_PAGE_SIZE - 16) / 32)
		return scn_err(s, SCN_ERROR, "at most %d registers in one call",
			       (HV_PAGE_SIZE - 16) / 32);
	r = realloc(e->regs, (e->nregs + 1) * sizeof(*r));
	if (!r)
		return scn_err(s, SCN_FAILED, "out of memory");
	e->regs = r;
	r = &e->regs[e->nregs++];
	memset(r, 0, sizeof(*r));
	r->name = name;
	return reg_value(s, name, v, &r->value);
}

/* Registers=Rip=0x1000,Cr0=0x11: the same as Rip=0x1000 Cr0=0x11. */
static enum scn_rc reg_list(struct scn *s, struct enc *e,
			    const struct ohv_call_info *l, const char *v)
{
	char *copy = strdup(v), *save = NULL;
	enum scn_rc rc = SCN_OK;

	if (!copy)
		return scn_err(s, SCN_FAILED, "out of memory");
	for (char *it = strtok_r(copy, ",", &save); it && !rc;
	     it = strtok_r(NULL, ",", &save)) {
		char *val = strchr(it, '=');

		if (!val)
			rc = scn_err(s, SCN_ERROR, "%s=: '%s' is not Name=value "
				     "(Rip=0x1000)", l->in_list, it);
		else {
			*val++ = 0;
			rc = add_reg(s, e, l, it, val);
		}
	}
	free(copy);
	return rc;
}

static enum scn_rc field(struct scn *s, struct enc *e, const struct ohv_call_info *l,
			 const char *key, const char *v)
{
	const struct ohv_field *f = l ? layout_field(l, s->cfg.arch, key) : NULL;
	bool regs = l && l->in_elem == sizeof(struct hv_register_assoc) &&
		l->in_elem_fields[0].fmt == OHV_FMT_REG_NAME;
	uint64_t x;

	if (l && l->in_list && !strcasecmp(key, l->in_list)) {
		if (regs)
			return reg_list(s, e, l, v);
		if (e->list)
			return scn_err(s, SCN_ERROR, "%s given twice", l->in_list);
		return scn_list(s, v, (enum ohv_field_fmt)l->in_elem_fields[0].fmt,
				&e->list, &e->nlist,
				l->code == HVCALL_DEPOSIT_MEMORY ? &e->fresh : NULL,
				&e->nfresh);
	}
	if (f && f->fmt == OHV_FMT_PAYLOAD) {
		if (payload(s, v, e->in + f->off, f->size, &e->payload_len))
			return SCN_ERROR;
		e->have_payload = true;
	} else if (f) {
		const struct ohv_field *ps = layout_payload_size(l, s->cfg.arch);

		if (scn_value(s, v, (enum ohv_field_fmt)f->fmt, &x) ||
		    fits(s, f->name, x, f->size))
			return SCN_ERROR;
		store(e->in + f->off, x, f->size);
		if (ps && ps->off == f->off)
			e->payload_size_set = true;
	} else if (regs) {
		return add_reg(s, e, l, key, v);
	} else if (l) {
		return unknown_field(s, l, key);
	} else {
		return scn_err(s, SCN_ERROR, "'%s': a call code outside the "
			       "table takes its input as @OFFSET=VALUE", key);
	}
	if (f->off + f->size > e->written)
		e->written = f->off + f->size;
	return SCN_OK;
}

static void enc_free(struct enc *e)
{
	free(e->list);
	free(e->fresh);
	free(e->regs);
}

/* Put the list or the registers after the header; the block's length. */
static enum scn_rc layout_block(struct scn *s, struct enc *e,
				const struct ohv_call_info *l)
{
	size_t hdr = l ? l->in_size[s->cfg.arch] : 0;
	size_t nelem = 0;

	if (l && l->in_list) {
		nelem = l->code == HVCALL_SET_VP_REGISTERS ? e->nregs : e->nlist;
		if (l->code == HVCALL_SET_VP_REGISTERS && e->list)
			return scn_err(s, SCN_ERROR, "HvSetVpRegisters takes its "
				       "registers as Name=value (Rip=0x1000)");
	}
	if (l && l->rep && !e->reps_set) {
		if (!l->in_list)
			return scn_err(s, SCN_ERROR, "%s needs reps=N (the %s)",
				       l->name, l->code == HVCALL_WITHDRAW_MEMORY ?
				       "pages wanted" : "pages to unmap");
		if (!nelem)
			return scn_err(s, SCN_ERROR, "%s needs its list (%s=...)"
				       " or reps=N", l->name, l->in_list);
		if (nelem > HV_HYPERCALL_MAX_REPS)
			return scn_err(s, SCN_ERROR, "%zu elements: a rep count "
				       "holds at most %u", nelem,
				       HV_HYPERCALL_MAX_REPS);
		e->is.reps = (uint32_t)nelem;
	}
	if (l && !l->rep && (e->list || e->nregs))
		return scn_err(s, SCN_ERROR, "%s takes no list", l->name);
	size_t slots = nelem > e->is.reps ? nelem : e->is.reps;
	size_t elem = l ? l->in_elem : 0;

	e->len = hdr + slots * elem;
	if (e->len > HV_PAGE_SIZE && !e->is.fast)
		return scn_err(s, SCN_ERROR, "the input block would be %zu bytes, "
			       "more than a page: at most %zu elements",
			       e->len, (HV_PAGE_SIZE - hdr) / (elem ? elem : 1));
	if (e->len > sizeof(e->in))
		e->len = sizeof(e->in);
	for (size_t i = 0; i < nelem && hdr + (i + 1) * elem <= sizeof(e->in);
	     i++) {
		uint8_t *p = e->in + hdr + i * elem;

		if (l->code == HVCALL_SET_VP_REGISTERS)
			memcpy(p, &e->regs[i], sizeof(e->regs[i]));
		else if (elem == 4 && e->list[i] > UINT32_MAX)
			return scn_err(s, SCN_ERROR, "%s element %zu does not fit "
				       "4 bytes", l->in_list, i);
		else
			store(p, e->list[i], elem);
	}
	if (e->written > e->len)
		e->len = (e->written + 7) & ~(size_t)7;
	/* PayloadSize (Message.PayloadSize, HvWriteGpa's ByteCount) follows
	 * the payload unless given. */
	const struct ohv_field *ps = l ? layout_payload_size(l, s->cfg.arch) :
		NULL;

	if (ps && e->have_payload && !e->payload_size_set)
		store(e->in + ps->off, e->payload_len, ps->size);
	return SCN_OK;
}

/* Values to capture, as the call's line shows them (decode_output): the
 * output's fields, or the rep elements done, each its first 8 bytes or
 * fewer. */
struct capture {
	uint64_t vals[16];
	uint8_t fmts[16];
	size_t n;
};

static void capture_item(void *ctx, const struct ditem *it)
{
	struct capture *c = ctx;

	if (it->note_only ||
	    (it->field && it->field->kind == OHV_FIELD_RESERVED))
		return;
	if (!it->list) {
		if (c->n < ARRAY_SIZE(c->vals)) {
			c->fmts[c->n] = it->field->fmt;
			c->vals[c->n++] = it->raw;
		}
		return;
	}
	for (uint32_t i = 0; i < it->count && c->n < ARRAY_SIZE(c->vals); i++) {
		uint64_t v = 0;

		memcpy(&v, it->elems + (size_t)i * it->elem_size,
		       it->elem_size < 8 ? it->elem_size : 8);
		c->fmts[c->n] = it->elem_fields[0].fmt;
		c->vals[c->n++] = v;
	}
}

static void outputs(struct scn *s, const struct ohv_call_info *l,
		    const uint8_t *out, size_t out_len, const uint8_t *in,
		    size_t in_len, uint32_t start, uint32_t reps,
		    struct capture *c)
{
	c->n = 0;
	if (l->out_list) {
		size_t from = (size_t)start * l->out_elem;
		size_t to = (size_t)reps * l->out_elem;

		if (to > out_len)
			to = out_len;
		if (from < to)
			decode_output(l, s->cfg.arch, out + from, to - from, start,
				      in, in_len, capture_item, c);
		return;
	}
	decode_output(l, s->cfg.arch, out, out_len, start, in, in_len,
		      capture_item, c);
}

enum scn_rc scn_call_cmd(struct scn *s, const struct ohv_call_info *l,
			 struct toks *t)
{
	struct enc *e = calloc(1, sizeof(*e));
	size_t first = 1;
	enum scn_rc rc = SCN_OK;
	char what[64];

	if (!e)
		return scn_err(s, SCN_FAILED, "out of memory");
	if (!scn_hv(s)) {
		free(e);
		return SCN_FAILED;
	}
	if (!l) {
		/* call CODE|NAME ... */
		uint64_t code;

		if (t->n < 2) {
			free(e);
			return scn_err(s, SCN_ERROR, "usage: call CODE [...]");
		}
		l = layout_by_name(t->t[1]);
		if (l) {
			code = l->code;
		} else if (scn_value(s, t->t[1], OHV_FMT_HEX, &code) ||
			   code > 0xFFFF) {
			free(e);
			return scn_err(s, SCN_ERROR, "call: '%s' is not a call "
				       "code (16 bits) or name", t->t[1]);
		}
		l = ohv_call_info((uint16_t)code);
		e->is.code = (uint16_t)code;
		first = 2;
	} else {
		e->is.code = l->code;
	}
	for (size_t i = first; i < t->n && !rc; i++) {
		char *key = t->t[i], *v = scn_split(key);
		bool used;

		if (!v) {
			if (!strcmp(key, "fast"))
				e->is.fast = true;
			else if (!strcmp(key, "once"))
				e->is.once = true;
			else if (!strcmp(key, "nested"))
				e->is.extra |= HV_HYPERCALL_NESTED;
			else
				rc = scn_err(s, SCN_ERROR, "'%s' is neither "
					     "Field=value nor a modifier (fast, "
					     "once, nested)", key);
			continue;
		}
		if (!*key) {
			rc = scn_err(s, SCN_ERROR, "'=%s': a field name is "
				     "missing", v);
			continue;
		}
		rc = modifier(s, e, key, v, &used);
		if (rc || used)
			continue;
		if (*key == '@')
			rc = raw_bytes(s, e, key, v);
		else
			rc = field(s, e, l, key, v);
	}
	if (!rc)
		rc = layout_block(s, e, l);
	if (rc) {
		for (size_t i = 0; i < e->nfresh; i++)
			scn_page_free(s, s->caller, e->fresh[i]);
		enc_free(e);
		free(e);
		return rc;
	}

	size_t out_len = 0;
	uint8_t *out = NULL;
	hv_status_t st;
	uint32_t reps;

	if (l)
		out_len = l->rep ? (size_t)e->is.reps * l->out_elem : l->out_size;
	if (out_len && !(out = calloc(1, out_len))) {
		enc_free(e);
		free(e);
		return scn_err(s, SCN_FAILED, "out of memory");
	}
	if (l)
		snprintf(what, sizeof(what), "%s", l->name);
	else
		snprintf(what, sizeof(what), "call 0x%04x", e->is.code);
	rc = scn_issue(s, &e->is, e->in, e->len, out, out_len, &st, &reps);
	if (!rc) {
		scn_outcome(s, what, st, reps,
			    st | ((uint64_t)reps << HV_HYPERCALL_REP_COMP_OFFSET));
		/* Deposit: alloc()'d pages that did not go in come back. */
		if (l && l->code == HVCALL_DEPOSIT_MEMORY) {
			for (size_t i = 0; i < e->nfresh; i++) {
				bool in = false;

				for (size_t k = 0; k < reps && k < e->nlist; k++)
					if (e->list[k] == e->fresh[i])
						in = true;
				if (!in)
					scn_page_free(s, s->caller, e->fresh[i]);
			}
		}
		/* Withdraw: the pages go back to the caller's source. */
		if (l && l->code == HVCALL_WITHDRAW_MEMORY)
			for (uint32_t i = e->is.start; i < reps; i++)
				scn_page_free(s, s->caller,
					      ((uint64_t *)out)[i]);
		if (l && t->ncap && (st == HV_STATUS_SUCCESS ||
				     (l->out_list && reps > e->is.start))) {
			struct capture c;

			outputs(s, l, out, out_len, e->in, e->len, e->is.start,
				reps, &c);
			rc = scn_capture(s, t, c.vals, c.fmts, c.n, what);
		} else if (!l && t->ncap) {
			rc = scn_err(s, SCN_ERROR, "a call code outside the "
				     "table has no outputs to capture");
		}
	}
	free(out);
	enc_free(e);
	free(e);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Help.                                                                   */

static const struct {
	uint16_t code;
	const char *example;
} examples[] = {
	{ HVCALL_CREATE_PARTITION,
	  "HvCreatePartition Flags=EXO_PARTITION|LAPIC_ENABLED "
	  "CompatibilityVersion=0x0609 -> child" },
	{ HVCALL_INITIALIZE_PARTITION, "HvInitializePartition PartitionId=$child" },
	{ HVCALL_FINALIZE_PARTITION, "HvFinalizePartition PartitionId=$child fast" },
	{ HVCALL_DELETE_PARTITION, "HvDeletePartition PartitionId=$child" },
	{ HVCALL_GET_PARTITION_PROPERTY,
	  "HvGetPartitionProperty PartitionId=$child PropertyCode=CpuWeight -> w" },
	{ HVCALL_SET_PARTITION_PROPERTY,
	  "HvSetPartitionProperty PartitionId=$child PropertyCode=PrivilegeFlags "
	  "PropertyValue=0x5FF|PostMessages" },
	{ HVCALL_GET_PARTITION_ID, "HvGetPartitionId -> me" },
	{ HVCALL_GET_NEXT_CHILD_PARTITION,
	  "HvGetNextChildPartition ParentId=SELF PreviousChildId=0 -> first" },
	{ HVCALL_DEPOSIT_MEMORY,
	  "HvDepositMemory PartitionId=$child GpaPageList=alloc(208)" },
	{ HVCALL_WITHDRAW_MEMORY,
	  "HvWithdrawMemory PartitionId=$child reps=16 -> page0" },
	{ HVCALL_GET_MEMORY_BALANCE,
	  "HvGetMemoryBalance PartitionId=$child -> available, inuse" },
	{ HVCALL_MAP_GPA_PAGES,
	  "HvMapGpaPages TargetPartitionId=$child TargetGpaBase=0 MapFlags=RWX "
	  "SourceGpaPageList=alloc(16)" },
	{ HVCALL_UNMAP_GPA_PAGES,
	  "HvUnmapGpaPages TargetPartitionId=$child TargetGpaBase=0 reps=16" },
	{ HVCALL_CREATE_VP, "HvCreateVp PartitionId=$child VpIndex=0" },
	{ HVCALL_DELETE_VP, "HvDeleteVp PartitionId=$child VpIndex=0 fast" },
	{ HVCALL_GET_VP_REGISTERS,
	  "HvGetVpRegisters PartitionId=$child VpIndex=0 Names=Rip,Cr0 -> rip, cr0" },
	{ HVCALL_SET_VP_REGISTERS,
	  "HvSetVpRegisters PartitionId=$child VpIndex=0 Rip=0x1000 "
	  "ExplicitSuspend=0" },
	{ HVCALL_CREATE_PORT_CLASSIC,
	  "HvCreatePort PortPartition=$a PortId=7 ConnectionPartition=$b "
	  "PortInfo.PortType=Message PortInfo.TargetSint=2 PortInfo.TargetVp=ANY" },
	{ HVCALL_DELETE_PORT, "HvDeletePort PortPartition=$a PortId=7" },
	{ HVCALL_CONNECT_PORT_CLASSIC,
	  "HvConnectPort ConnectionPartition=$b ConnectionId=9 PortPartition=$a "
	  "PortId=7 ConnectionInfo.PortType=Message" },
	{ HVCALL_GET_PORT_PROPERTY,
	  "HvGetPortProperty PortPartition=$a PortId=7 PropertyCode=PostCount -> n" },
	{ HVCALL_DISCONNECT_PORT,
	  "HvDisconnectPort ConnectionPartition=$b ConnectionId=9" },
	{ HVCALL_POST_MESSAGE,
	  "as $b HvPostMessage ConnectionId=9 MessageType=1 Payload=\"hello\"" },
	{ HVCALL_SIGNAL_EVENT, "as $b HvSignalEvent ConnectionId=10 FlagNumber=3" },
	{ HVCALL_SET_PORT_PROPERTY,
	  "HvSetPortProperty PortPartition=$a PortId=7 "
	  "PropertyCode=PreferredTargetVp PropertyValue=0 -> old" },
	{ HVCALL_CREATE_PORT,
	  "HvCallCreatePort PortPartition=$a PortId=8 ConnectionPartition=$b "
	  "PortInfo.PortType=Event PortInfo.TargetSint=3 PortInfo.TargetVp=0 "
	  "PortInfo.FlagCount=16" },
	{ HVCALL_CONNECT_PORT,
	  "HvCallConnectPort ConnectionPartition=$b ConnectionId=10 "
	  "PortPartition=$a PortId=8 ConnectionInfo.PortType=Event" },
	/* The Linux root's wider surface (spec.md §10). */
	{ HVCALL_MAP_GPA_PAGES,
	  "HvMapGpaPages TargetPartitionId=$child TargetGpaBase=0x200 "
	  "MapFlags=RWX|ADJUSTABLE|LARGE_PAGE SourceGpaPageList=0x3000" },
	{ HVCALL_UNMAP_GPA_PAGES,
	  "HvUnmapGpaPages TargetPartitionId=$child TargetGpaBase=0x200 "
	  "UnmapFlags=LARGE_PAGE reps=1" },
	{ HVCALL_SET_VP_REGISTERS,
	  "HvSetVpRegisters PartitionId=$child VpIndex=0 InterceptSuspend=0 "
	  "ExplicitSuspend=0" },
	{ HVCALL_CREATE_PORT,
	  "HvCallCreatePort PortPartition=$root PortId=0x20 "
	  "ConnectionPartition=$child PortInfo.PortType=Doorbell "
	  "PortInfo.TargetSint=5 PortInfo.TargetVp=ANY" },
	{ HVCALL_CONNECT_PORT,
	  "HvCallConnectPort ConnectionPartition=$child ConnectionId=0x20 "
	  "PortPartition=$root PortId=0x20 ConnectionInfo.PortType=Doorbell "
	  "ConnectionInfo.Gpa=0xFEB00000 ConnectionInfo.Flags=SIZE_DWORD|ANY_VALUE" },
	{ HVCALL_DISCONNECT_PORT,
	  "HvDisconnectPort ConnectionPartition=$child ConnectionId=0x20 "
	  "IsDoorbell=1 fast" },
	{ HVCALL_GET_SYSTEM_PROPERTY, "HvGetSystemProperty PropertyId=15 -> sched" },
	{ HVCALL_GET_PARTITION_PROPERTY_EX,
	  "HvCallGetPartitionPropertyEx PartitionId=$child "
	  "PropertyCode=VmmCapabilities -> banks" },
	{ HVCALL_READ_GPA,
	  "HvReadGpa PartitionId=$child VpIndex=0 ByteCount=8 BaseGpa=0x10000 "
	  "-> result, data" },
	{ HVCALL_WRITE_GPA,
	  "HvWriteGpa PartitionId=$child VpIndex=0 BaseGpa=0x10000 "
	  "Data=\"openhv!!\"" },
	{ HVCALL_GET_GPA_PAGES_ACCESS_STATES,
	  "HvGetGpaPagesAccessStates PartitionId=$child GpaPageNumber=0x10 "
	  "reps=2 -> page10, page11" },
	{ HVCALL_MAP_VP_STATE_PAGE,
	  "HvMapVpStatePage PartitionId=$child VpIndex=0 Type=0 -> page" },
	{ HVCALL_UNMAP_VP_STATE_PAGE,
	  "HvUnmapVpStatePage PartitionId=$child VpIndex=0 Type=0" },
	{ HVCALL_GET_VP_STATE,
	  "HvGetVpState PartitionId=$child VpIndex=0 StateData.Type=0 "
	  "varhead=1 @40=0x2F00   # the LAPIC state, into root page 0x2F00" },
	{ HVCALL_SIGNAL_EVENT_DIRECT,
	  "HvCallSignalEventDirect TargetPartition=$child TargetVp=0 "
	  "TargetSint=3 FlagNumber=9 -> newly" },
	{ HVCALL_POST_MESSAGE_DIRECT,
	  "HvCallPostMessageDirect PartitionId=$child VpIndex=0 SintIndex=2 "
	  "Message.MessageType=0x42 Message.Payload=\"hello\"" },
};

static void field_rows(FILE *out, const struct ohv_call_info *l,
		       const struct ohv_field *f, bool pads)
{
	for (; f->name; f++) {
		if (f->kind == OHV_FIELD_RESERVED && !pads)
			continue;
		fprintf(out, "    @%-3u %3u  %-30s %s%s\n", f->off, f->size,
			f->name, f->kind == OHV_FIELD_RESERVED ? "reserved (set with @OFFSET)" :
			layout_field_help(l, f),
			f->when ? "  [some port types]" : "");
	}
}

void scn_call_help(FILE *out, const struct ohv_call_info *l)
{
	char priv[256] = "none";

	if (l->privilege)
		layout_flag_names(priv, sizeof(priv), OHV_FMT_PRIVILEGES,
				  l->privilege);
	else if (l->privilege_self) {
		layout_flag_names(priv, sizeof(priv), OHV_FMT_PRIVILEGES,
				  l->privilege_self);
		strncat(priv, " (on itself only)", sizeof(priv) - strlen(priv) - 1);
	}
	fprintf(out, "%s (0x%04x), %s call; privilege %s; %s\n  %s\n", l->name,
		l->code, l->rep ? "rep" : "simple", priv, l->ref, l->summary);
	for (int a = OHV_ARCH_X64; a <= OHV_ARCH_ARM64; a++) {
		bool both = l->in[OHV_ARCH_X64] == l->in[OHV_ARCH_ARM64];

		if (a == OHV_ARCH_ARM64 && both)
			break;
		fprintf(out, "  input%s, %u bytes%s:\n", l->rep ? " header" : "",
			l->in_size[a], both ? "" : a == OHV_ARCH_X64 ?
			" on x64" : " on arm64");
		field_rows(out, l, layout_in(l, (enum ohv_arch)a), true);
	}
	if (l->in_list)
		fprintf(out, "    then %s: %u-byte elements, one per rep\n"
			"      %s\n", l->in_list, l->in_elem,
			l->code == HVCALL_SET_VP_REGISTERS ?
			"given as Name=value: Rip=0x1000 Sint2=0x30 "
			"Cs=base:limit:selector:attributes" :
			l->in_elem == 8 ? "a list: 0x10,0x11  0x10..0x1f  "
			"alloc(16)" : "a list of register names: Rip,Cr0,Simp");
	else if (l->rep)
		fprintf(out, "    no elements: reps=N is the page count\n");
	if (l->out_list)
		fprintf(out, "  output: %s, %u-byte elements; -> a, b captures "
			"them\n", l->out_list, l->out_elem);
	else if (l->out_size) {
		fprintf(out, "  output, %u bytes; -> a, b captures the fields in "
			"order:\n", l->out_size);
		field_rows(out, l, l->out, false);
	}
	if (l->code == HVCALL_MAP_GPA_PAGES)
		fprintf(out, "    with LARGE_PAGE each element is the first of 512 "
			"pages (2 MiB-aligned) and\n    TargetGpaBase a multiple "
			"of 512\n");
	else if (l->code == HVCALL_UNMAP_GPA_PAGES)
		fprintf(out, "    with LARGE_PAGE each rep is 512 pages and "
			"TargetGpaBase a multiple of 512\n");
	for (size_t i = 0, n = 0; i < ARRAY_SIZE(examples); i++)
		if (examples[i].code == l->code)
			fprintf(out, "%s    %s\n", n++ ? "" : "  example:\n",
				examples[i].example);
}
