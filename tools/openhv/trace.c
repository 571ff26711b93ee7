/* SPDX-License-Identifier: MIT */
/*
 * The trace hook of a scenario's instance, run after every hypercall
 * (raw commands and the helpers' alike): a line on the output and a JSON
 * object on --trace.
 */
#include "scnint.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* JSON.                                                                   */

/* Length of a valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xE0) == 0xC0) {
		n = 2;
		cp = p[0] & 0x1F;
	} else if ((p[0] & 0xF0) == 0xE0) {
		n = 3;
		cp = p[0] & 0x0F;
	} else if ((p[0] & 0xF8) == 0xF0) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	/* No overlong forms, surrogates or values past U+10FFFF. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

void json_string(FILE *f, const char *str)
{
	const unsigned char *p = (const unsigned char *)(str ? str : "");

	fputc('"', f);
	while (*p) {
		size_t n;

		switch (*p) {
		case '"':  fputs("\\\"", f); p++; continue;
		case '\\': fputs("\\\\", f); p++; continue;
		case '\n': fputs("\\n", f); p++; continue;
		case '\r': fputs("\\r", f); p++; continue;
		case '\t': fputs("\\t", f); p++; continue;
		case '\b': fputs("\\b", f); p++; continue;
		case '\f': fputs("\\f", f); p++; continue;
		default:
			break;
		}
		if (*p < 0x20 || *p == 0x7F) {
			fprintf(f, "\\u%04x", *p);
			p++;
			continue;
		}
		n = utf8_len(p);
		if (!n) {
			fputs("\\ufffd", f);	/* not UTF-8: replaced */
			p++;
			continue;
		}
		fwrite(p, 1, n, f);
		p += n;
	}
	fputc('"', f);
}

static void json_key(FILE *f, bool *first, const char *key)
{
	if (!*first)
		fputc(',', f);
	*first = false;
	json_string(f, key);
	fputc(':', f);
}

struct jobj {
	FILE *f;
	bool first;
	const struct ohv_call_info *l;
	struct scn *s;
	/* Notes go to the "notes" array afterwards. */
	char notes[8][256];
	size_t nnotes;
};

static void keep_note(struct jobj *j, const struct ditem *it)
{
	if (j->nnotes == ARRAY_SIZE(j->notes))
		return;
	snprintf(j->notes[j->nnotes++], sizeof(j->notes[0]), "%s: %s%s%s",
		 it->name, it->note, it->status ? " -> " : "",
		 it->status ? ohv_status_name(it->status) : "");
}

static void json_item(void *ctx, const struct ditem *it)
{
	struct jobj *j = ctx;
	char text[512];

	if (it->note)
		keep_note(j, it);
	if (it->note_only)
		return;
	if (it->field && it->field->kind == OHV_FIELD_RESERVED && !it->raw)
		return;
	json_key(j->f, &j->first, it->name);
	if (!it->list) {
		json_string(j->f, it->value);
		return;
	}
	fputc('[', j->f);
	for (uint32_t i = 0; i < it->count; i++) {
		const uint8_t *e = it->elems + (size_t)i * it->elem_size;
		enum ohv_field_fmt fmt = (enum ohv_field_fmt)it->elem_fields[0].fmt;

		if (i)
			fputc(',', j->f);
		if (fmt == OHV_FMT_GPA_PAGE) {
			uint64_t v;

			memcpy(&v, e, 8);
			fprintf(j->f, "%" PRIu64, v);
		} else if (it->elem_size == 32 || it->names) {
			/* {"Name": ..., "Value": ...} */
			char *eq;

			decode_elem(text, sizeof(text), it, i);
			eq = strchr(text, '=');
			if (eq)
				*eq = 0;
			fputs("{\"Name\":", j->f);
			json_string(j->f, text);
			fputs(",\"Value\":", j->f);
			json_string(j->f, eq ? eq + 1 : "");
			fputc('}', j->f);
		} else {
			decode_elem(text, sizeof(text), it, i);
			json_string(j->f, text);
		}
	}
	fputc(']', j->f);
}

static void json_event(struct scn *s, const struct ohv_trace_event *ev)
{
	FILE *f = s->o.json;
	uint16_t code = (uint16_t)(ev->control & HV_HYPERCALL_CODE_MASK);
	const struct ohv_call_info *l = ohv_call_info(code);
	const char *name = ohv_call_name(code);
	uint32_t count = (uint32_t)((ev->control & HV_HYPERCALL_REP_COUNT_MASK) >>
				    HV_HYPERCALL_REP_COMP_OFFSET);
	uint32_t start = (uint32_t)((ev->control & HV_HYPERCALL_REP_START_MASK) >>
				    HV_HYPERCALL_REP_START_OFFSET);
	hv_status_t st = ohv_result_status(ev->result);
	struct jobj j = { .f = f, .first = true, .l = l, .s = s };

	fprintf(f, "{\"seq\":%" PRIu64 ",\"file\":", s->seq);
	json_string(f, s->file);
	fprintf(f, ",\"line\":%u,\"command\":", s->line);
	if (s->command)
		json_string(f, s->command);
	else
		fputs("null", f);
	fprintf(f, ",\"caller\":%" PRIu64 ",\"vp\":%" PRIu32 ",\"call\":",
		ev->partition_id, ev->vp_index);
	if (name)
		json_string(f, name);
	else
		fputs("null", f);
	fprintf(f, ",\"code\":%u,\"fast\":%s,\"control\":\"0x%016" PRIx64
		"\",\"rep_count\":%" PRIu32 ",\"rep_start\":%" PRIu32
		",\"input\":{", code,
		ev->control & HV_HYPERCALL_FAST_BIT ? "true" : "false",
		ev->control, count, start);
	if (l && ev->input)
		decode_input(l, s->cfg.arch, ev->input, ev->input_len, start,
			     count, json_item, &j);
	fputs("},\"output\":{", f);
	j.first = true;
	if (l && ev->output)
		decode_output(l, s->cfg.arch, ev->output, ev->output_len, start,
			      ev->input, ev->input_len, json_item, &j);
	fputs("},\"status\":", f);
	json_string(f, ohv_status_name(st));
	fprintf(f, ",\"status_code\":%u,\"reps\":%" PRIu32 ",\"result\":\"0x%016"
		PRIx64 "\",\"elapsed_ns\":%" PRIu64 ",\"notes\":[", st,
		ohv_result_reps(ev->result), ev->result, ev->elapsed_ns);
	for (size_t i = 0; i < j.nnotes; i++) {
		if (i)
			fputc(',', f);
		json_string(f, j.notes[i]);
	}
	fputs("]}\n", f);
	fflush(f);
}

/* ---------------------------------------------------------------------- */
/* The line per call.                                                      */

struct line {
	char buf[1024];
	size_t len;
	bool notes_only;
	bool verbose;
	FILE *out;
};

static void line_put(struct line *ln, const char *s)
{
	int k = snprintf(ln->buf + ln->len, sizeof(ln->buf) - ln->len, "%s", s);

	if (k > 0)
		ln->len += (size_t)k < sizeof(ln->buf) - ln->len ? (size_t)k :
			sizeof(ln->buf) - ln->len - 1;
}

/* "Name=value" of an item, lists as runs or element texts. */
static void item_text(char *buf, size_t n, const struct ditem *it)
{
	if (!it->list) {
		snprintf(buf, n, "%s=%s", it->name, it->value);
		return;
	}
	if (it->elem_fields[0].fmt == OHV_FMT_GPA_PAGE) {
		char runs[400];

		decode_page_runs(runs, sizeof(runs), it);
		snprintf(buf, n, "%s%s", it->name, runs);
		return;
	}
	size_t at = (size_t)snprintf(buf, n, "%s=", it->name);

	for (uint32_t i = 0; i < it->count && at < n; i++) {
		char e[256];

		decode_elem(e, sizeof(e), it, i);
		at += (size_t)snprintf(buf + at, n - at, "%s%s", i ? "," : "", e);
	}
}

static void out_item(void *ctx, const struct ditem *it)
{
	struct line *ln = ctx;
	char text[600];

	if (it->note_only || (it->field && it->field->kind == OHV_FIELD_RESERVED))
		return;
	item_text(text, sizeof(text), it);
	line_put(ln, "  ");
	line_put(ln, text);
}

/* Input fields (verbose) and notes, on lines of their own. */
static void in_item(void *ctx, const struct ditem *it)
{
	struct line *ln = ctx;
	char text[700];

	if (it->note && (it->status || ln->verbose)) {
		fprintf(ln->out, "         ! %s: %s%s%s\n", it->name, it->note,
			it->status ? " -> " : "",
			it->status ? ohv_status_name(it->status) : "");
	}
	if (!ln->verbose || it->note_only ||
	    (it->field && it->field->kind == OHV_FIELD_RESERVED && !it->raw))
		return;
	item_text(text, sizeof(text), it);
	fprintf(ln->out, "           %s\n", text);
}

/* Keep an early return's output for the line of the whole call. */
static void accumulate(struct scn *s, const struct ohv_trace_event *ev)
{
	if (!ev->output_len)
		return;
	if (s->acc_len + ev->output_len > s->acc_cap) {
		size_t cap = (s->acc_len + ev->output_len) * 2;
		uint8_t *p = realloc(s->acc, cap);

		if (!p)
			return;
		s->acc = p;
		s->acc_cap = cap;
	}
	memcpy(s->acc + s->acc_len, ev->output, ev->output_len);
	s->acc_len += ev->output_len;
}

static void human(struct scn *s, const struct ohv_trace_event *ev)
{
	FILE *out = s->o.out;
	uint16_t code = (uint16_t)(ev->control & HV_HYPERCALL_CODE_MASK);
	const struct ohv_call_info *l = ohv_call_info(code);
	const char *name = ohv_call_name(code);
	uint32_t count = (uint32_t)((ev->control & HV_HYPERCALL_REP_COUNT_MASK) >>
				    HV_HYPERCALL_REP_COMP_OFFSET);
	uint32_t start = (uint32_t)((ev->control & HV_HYPERCALL_REP_START_MASK) >>
				    HV_HYPERCALL_REP_START_OFFSET);
	hv_status_t st = ohv_result_status(ev->result);
	char head[128], who[32] = "", callname[40];
	struct line ln = { .out = out, .verbose = s->o.verbosity > 1 };
	uint32_t early = 0;

	/* The time budget (spec.md §3.2): SUCCESS with reps to go; the call is
	 * re-issued, and its invocations make one line. */
	if (l && l->rep && !s->once && st == HV_STATUS_SUCCESS &&
	    ohv_result_reps(ev->result) < count) {
		if (!s->early++) {
			s->early_start = start;
			s->acc_len = 0;
		}
		accumulate(s, ev);
		return;
	}
	if (s->early) {
		early = s->early;
		accumulate(s, ev);
		start = s->early_start;
		s->early = 0;
	}

	if (ev->partition_id != 1 || ev->vp_index)
		snprintf(who, sizeof(who), "%" PRIu64 "/%" PRIu32 " ",
			 ev->partition_id, ev->vp_index);
	if (name)
		snprintf(callname, sizeof(callname), "%s", name);
	else
		snprintf(callname, sizeof(callname), "call 0x%04x", code);
	if (l && l->rep)
		snprintf(head, sizeof(head), "%s%s%s %" PRIu32 "@%" PRIu32, who,
			 callname, ev->control & HV_HYPERCALL_FAST_BIT ?
			 " fast" : "", count, start);
	else
		snprintf(head, sizeof(head), "%s%s%s", who, callname,
			 ev->control & HV_HYPERCALL_FAST_BIT ? " fast" : "");
	snprintf(ln.buf, sizeof(ln.buf), "%5u  %-36s %s", s->line, head,
		 ohv_status_name(st));
	ln.len = strlen(ln.buf);
	if (l && l->rep) {
		char done[32];

		snprintf(done, sizeof(done), "  reps %" PRIu32,
			 ohv_result_reps(ev->result));
		line_put(&ln, done);
	}
	if (early) {
		char more[80];

		/* How often the time budget cut a call in differs from run to
		 * run: said with -v only, so that output is reproducible; the
		 * rep limit's cuts are the same every time. */
		snprintf(more, sizeof(more), " (%" PRIu32 " invocations: %s)",
			 early + 1, s->cfg.rep_budget_ns ? "time budget" :
			 "rep limit");
		if (s->o.verbosity > 1 || !s->cfg.rep_budget_ns)
			line_put(&ln, more);
		if (s->acc_len)
			decode_output(l, s->cfg.arch, s->acc, s->acc_len, start,
				      ev->input, ev->input_len, out_item, &ln);
	} else if (l && ev->output) {
		decode_output(l, s->cfg.arch, ev->output, ev->output_len, start,
			      ev->input, ev->input_len, out_item, &ln);
	}
	fprintf(out, "%s\n", ln.buf);
	if (l && ev->input)
		decode_input(l, s->cfg.arch, ev->input, ev->input_len, start,
			     count, in_item, &ln);
	fflush(out);
}

static void hook(void *ctx, const struct ohv_trace_event *ev)
{
	struct scn *s = ctx;

	s->seq++;
	s->last_code = (uint16_t)(ev->control & HV_HYPERCALL_CODE_MASK);
	if (s->o.verbosity > (s->quiet_calls ? 1 : 0))
		human(s, ev);
	if (s->o.json)
		json_event(s, ev);
}

void scn_trace_install(struct scn *s)
{
	ohv_set_trace(s->hv, hook, s);
}
