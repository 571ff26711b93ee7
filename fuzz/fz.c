/* The fuzz harness of fuzz.h. */
#include "fuzz.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* x64's register block is the smaller one; fast calls here fit both. */
#define FAST_BYTES	HV_X64_FAST_INPUT_BYTES
#define MAP_PER_CALL	((FAST_BYTES - 24) / 8)		/* 11 */
#define WITHDRAW_PER_CALL ((FAST_BYTES - 16) / 8)	/* 12 */

/*
 * The checker allocates per call; a small ASan quarantine keeps the
 * fuzzers from faulting in fresh pages for each of those.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}

static void dump_tree(const struct fz *f)
{
	uint64_t ids[64];
	size_t n;

	if (!f->hv)
		return;
	n = ohv_partition_list(f->hv, ids, 64);
	for (size_t i = 0; i < n && i < 64; i++) {
		struct ohv_partition_info pi;

		if (ohv_partition_info(f->hv, ids[i], &pi))
			continue;
		fprintf(stderr, "  partition %" PRIu64 " parent %" PRIu64
			" %s pool %" PRIu64 "/%" PRIu64 " children %" PRIu64
			" vps %u priv 0x%" PRIx64 "\n", pi.id, pi.parent_id,
			ohv_state_name(pi.state), pi.pool_available,
			pi.pool_in_use, pi.children, pi.vps, pi.privileges);
	}
}

void fz_fail(const struct fz *f, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "openhv fuzz: finding (%s): ",
		f->stage ? f->stage : "?");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	dump_tree(f);
	abort();
}

static void set_add(uint32_t *set, uint32_t *n, uint32_t id)
{
	for (uint32_t i = 0; i < *n; i++)
		if (set[i] == id)
			return;
	if (*n < FZ_MAX_OBJS)
		set[(*n)++] = id;
}

static void set_del(uint32_t *set, uint32_t *n, uint32_t id)
{
	for (uint32_t i = 0; i < *n; i++)
		if (set[i] == id) {
			set[i] = set[--*n];
			return;
		}
}

/* Keeps the root's ports and connections from the calls that made and
 * removed them (no API lists them). */
static void trace(void *ctx, const struct ohv_trace_event *ev)
{
	struct fz *f = ctx;
	uint16_t code = (uint16_t)(ev->control & HV_HYPERCALL_CODE_MASK);
	uint64_t pid;
	uint32_t id;

	if (ohv_result_status(ev->result) != HV_STATUS_SUCCESS ||
	    !ev->input || ev->input_len < 12)
		return;
	memcpy(&pid, ev->input, 8);
	memcpy(&id, (const uint8_t *)ev->input + 8, 4);
	if (pid == HV_PARTITION_ID_SELF)
		pid = ev->partition_id;
	if (pid != FZ_ROOT)
		return;
	switch (code) {
	case HVCALL_CREATE_PORT_CLASSIC:
	case HVCALL_CREATE_PORT:
		if (f->nports == FZ_MAX_OBJS)
			fz_fail(f, "harness: more than %d root ports",
				FZ_MAX_OBJS);
		set_add(f->ports, &f->nports, id);
		break;
	case HVCALL_DELETE_PORT:
		set_del(f->ports, &f->nports, id);
		break;
	case HVCALL_CONNECT_PORT_CLASSIC:
	case HVCALL_CONNECT_PORT:
		if (f->nconns == FZ_MAX_OBJS)
			fz_fail(f, "harness: more than %d root connections",
				FZ_MAX_OBJS);
		set_add(f->conns, &f->nconns, id);
		break;
	case HVCALL_DISCONNECT_PORT:
		set_del(f->conns, &f->nconns, id);
		break;
	}
}

void fz_open(struct fz *f, const struct ohv_config *cfg)
{
	memset(f, 0, sizeof(*f));
	f->stage = "open";
	f->cfg = *cfg;
	if (ohv_open(cfg, &f->hv))
		fz_fail(f, "ohv_open failed");
	ohv_get_config(f->hv, &f->cfg);
	ohv_set_trace(f->hv, trace, f);
	f->spare = f->cfg.memory_pages;
	f->check_each = true;
	fz_check(f);
}

void fz_check(struct fz *f)
{
	char why[512];

	if (ohv_debug_check(f->hv, why, sizeof(why)))
		fz_fail(f, "invariant broken: %s", why);
}

void fz_no_root_suspend(struct fz *f, uint64_t caller,
			struct ohv_hvcall *call)
{
	uint64_t c = call->control;
	uint32_t count = fz_rep_count(c);
	size_t len = 16 + (size_t)count * sizeof(struct hv_register_assoc);
	uint8_t *in;
	uint64_t pid;

	if (caller != FZ_ROOT ||
	    (c & HV_HYPERCALL_CODE_MASK) != HVCALL_SET_VP_REGISTERS)
		return;
	if (c & HV_HYPERCALL_FAST_BIT) {
		in = (uint8_t *)call->fast;
		if (len > sizeof(call->fast))
			len = sizeof(call->fast);
	} else {
		if (len > HV_PAGE_SIZE)
			len = HV_PAGE_SIZE;
		in = ohv_gpa(f->hv, FZ_ROOT, call->fast[0], len);
		if (!in)
			return;
	}
	memcpy(&pid, in, 8);
	if (pid != FZ_ROOT && pid != HV_PARTITION_ID_SELF)
		return;
	for (size_t off = 16; off + 32 <= len; off += 32) {
		uint32_t name;

		memcpy(&name, in + off, 4);
		if (name == HV_REGISTER_EXPLICIT_SUSPEND)
			memset(in + off + 16, 0, 16);
	}
}

/*
 * What "nothing is done" compares (SPEC 3.2): the partitions, their
 * balances and VPs, and the SynIC interrupt state of VPs 0-3.
 */
#define SNAP_MAX	64
#define SNAP_VPS	4

struct snap {
	size_t n;
	struct ohv_partition_info pi[SNAP_MAX];
	uint64_t sint[SNAP_MAX][SNAP_VPS];	/* raised + queued + pending */
};

static void snap_take(struct fz *f, struct snap *s)
{
	uint64_t ids[SNAP_MAX];

	s->n = ohv_partition_list(f->hv, ids, SNAP_MAX);
	for (size_t i = 0; i < s->n && i < SNAP_MAX; i++) {
		if (ohv_partition_info(f->hv, ids[i], &s->pi[i]))
			fz_fail(f, "partition %" PRIu64 " listed, not found",
				ids[i]);
		for (uint32_t v = 0; v < SNAP_VPS; v++) {
			struct ohv_sint_state ss;
			uint64_t sum = 0;

			if (ohv_vp_sints(f->hv, ids[i], v, &ss) == 0) {
				sum = 1 + ss.pending;
				for (int k = 0; k < HV_SYNIC_SINT_COUNT; k++)
					sum += (ss.raised[k] << 20) +
						((uint64_t)ss.queued[k] << 8);
			}
			s->sint[i][v] = sum;
		}
	}
}

/* The first difference, or NULL. */
static const char *snap_diff(const struct snap *a, const struct snap *b)
{
	if (a->n != b->n)
		return "the number of partitions";
	for (size_t i = 0; i < a->n && i < SNAP_MAX; i++) {
		const struct ohv_partition_info *x = &a->pi[i], *y = &b->pi[i];

		if (x->id != y->id || x->state != y->state)
			return "a partition's state";
		if (x->privileges != y->privileges)
			return "a partition's privileges";
		if (x->pool_available != y->pool_available ||
		    x->pool_in_use != y->pool_in_use ||
		    x->charged_pages != y->charged_pages)
			return "a pool balance";
		if (x->children != y->children || x->vps != y->vps)
			return "a partition's children or VPs";
		for (int v = 0; v < SNAP_VPS; v++)
			if (a->sint[i][v] != b->sint[i][v])
				return "a VP's SynIC interrupts or queue";
	}
	return NULL;
}

uint64_t fz_call(struct fz *f, uint64_t caller, uint32_t vp,
		 struct ohv_hvcall *call)
{
	const uint64_t nth = f->fail_nth;
	const uint64_t control = call->control;
	const uint32_t start = fz_rep_start(control);
	struct snap before, after;
	const char *diff;
	uint64_t r;

	fz_no_root_suspend(f, caller, call);
	if (f->check_each)
		snap_take(f, &before);
	if (nth) {
		f->fail_nth = 0;
		ohv_debug_fail_alloc(nth);
	}
	r = ohv_hypercall(f->hv, caller, vp, call);
	if (nth) {
		bool hit = ohv_debug_alloc_count() >= nth;

		ohv_debug_fail_alloc(0);
		/* openhv.h: a failed host allocation is NO_RESOURCES. */
		if (hit && ohv_result_status(r) != HV_STATUS_NO_RESOURCES)
			fz_fail(f, "call 0x%" PRIx64 " met a failed allocation"
				" and returned %s", control,
				ohv_status_name(ohv_result_status(r)));
	}
	if (getenv("OHV_FUZZ_TRACE"))
		fprintf(stderr, "  %" PRIu64 "/%u %-28s 0x%012" PRIx64 " -> %s"
			" reps %u\n", caller, vp,
			ohv_call_name((uint16_t)control) ?
			ohv_call_name((uint16_t)control) : "?", control,
			ohv_status_name(ohv_result_status(r)),
			ohv_result_reps(r));
	if (r != call->result)
		fz_fail(f, "result 0x%" PRIx64 " but call->result 0x%" PRIx64,
			r, call->result);
	/* SPEC 3.1: status 15:0, reps 43:32, everything else zero. */
	if (r & ~(HV_HYPERCALL_RESULT_MASK | HV_HYPERCALL_REP_COMP_MASK))
		fz_fail(f, "result 0x%" PRIx64 " has reserved bits set", r);
	if (!f->check_each)
		return r;
	fz_check(f);
	/* SPEC 3.2: a failure does nothing, except the rep elements it
	 * reports completed. */
	snap_take(f, &after);
	if (ohv_result_status(r) != HV_STATUS_SUCCESS &&
	    ohv_result_reps(r) <= start && (diff = snap_diff(&before, &after)))
		fz_fail(f, "call 0x%" PRIx64 " by %" PRIu64 "/%u failed with"
			" %s after changing %s", control, caller, vp,
			ohv_status_name(ohv_result_status(r)), diff);
	return r;
}

uint64_t fz_fast(struct fz *f, uint64_t caller, uint32_t vp, uint64_t control,
		 const void *in, size_t in_len, void *out, size_t out_len)
{
	struct ohv_hvcall call = { .control = control | HV_HYPERCALL_FAST_BIT };
	size_t off = (in_len + 15) & ~(size_t)15;

	if (in_len > sizeof(call.fast))
		in_len = sizeof(call.fast);
	if (in_len)
		memcpy(call.fast, in, in_len);
	uint64_t r = fz_call(f, caller, vp, &call);

	if (out_len && off + out_len <= sizeof(call.fast))
		memcpy(out, (uint8_t *)call.fast + off, out_len);
	return r;
}

uint64_t fz_mem(struct fz *f, uint64_t caller, uint32_t vp, uint64_t in_page,
		uint64_t out_page, uint64_t control, const void *in,
		size_t in_len, void *out, size_t out_len)
{
	struct ohv_hvcall call = { .control = control };
	uint8_t *ip = ohv_gpa(f->hv, caller, in_page << HV_PAGE_SHIFT,
			      HV_PAGE_SIZE);
	uint8_t *op = ohv_gpa(f->hv, caller, out_page << HV_PAGE_SHIFT,
			      HV_PAGE_SIZE);

	if (in_len > HV_PAGE_SIZE)
		in_len = HV_PAGE_SIZE;
	if (ip && in_len)
		memcpy(ip, in, in_len);
	call.fast[0] = in_page << HV_PAGE_SHIFT;
	call.fast[1] = out_page << HV_PAGE_SHIFT;
	uint64_t r = fz_call(f, caller, vp, &call);

	if (op && out_len)
		memcpy(out, op, out_len < HV_PAGE_SIZE ? out_len : HV_PAGE_SIZE);
	return r;
}

uint64_t fz_issue(struct fz *f, uint64_t caller, uint32_t vp, bool fast,
		  uint64_t control, const void *in, size_t in_len, void *out,
		  size_t out_len)
{
	const uint32_t count = fz_rep_count(control);
	uint64_t r;

	for (;;) {
		uint32_t start = fz_rep_start(control);

		if (fast)
			r = fz_fast(f, caller, vp, control, in, in_len, out,
				    out_len);
		else
			r = fz_mem(f, caller, vp, 0, 1, control, in, in_len,
				   out, out_len);
		if (!count || ohv_result_status(r) != HV_STATUS_SUCCESS ||
		    ohv_result_reps(r) >= count)
			return r;
		/* SPEC 3.2: an early stop has made progress. */
		if (ohv_result_reps(r) <= start)
			fz_fail(f, "rep call 0x%" PRIx64 " stopped early at %u"
				" without progress", control,
				ohv_result_reps(r));
		control = (control & ~HV_HYPERCALL_REP_START_MASK) |
			((uint64_t)ohv_result_reps(r) <<
			 HV_HYPERCALL_REP_START_OFFSET);
	}
}

hv_status_t fz_set_reg(struct fz *f, uint64_t caller, uint32_t cvp,
		       uint64_t target, uint32_t vp, uint32_t name,
		       uint64_t value)
{
	struct hv_input_set_vp_registers h;
	struct hv_register_assoc a;
	uint8_t in[sizeof(h) + sizeof(a)];

	memset(&h, 0, sizeof(h));
	memset(&a, 0, sizeof(a));
	h.partition_id = target;
	h.vp_index = vp;
	a.name = name;
	a.value.reg64 = value;
	memcpy(in, &h, sizeof(h));
	memcpy(in + sizeof(h), &a, sizeof(a));
	return ohv_result_status(fz_fast(f, caller, cvp,
		ohv_control(HVCALL_SET_VP_REGISTERS, 1, 1, 0),
		in, sizeof(in), NULL, 0));
}

/* ---------------------------------------------------------------------- */
/* Teardown.                                                               */

/*
 * A fast rep call, re-issued while the library stops early with SUCCESS
 * (rep_limit); ends at the first failure.  Returns the last result.
 */
static uint64_t rep_fast(struct fz *f, uint64_t caller, uint32_t vp,
			 uint64_t control, const void *in, size_t in_len,
			 void *out, size_t out_len)
{
	struct ohv_hvcall call = { .control = control | HV_HYPERCALL_FAST_BIT };
	uint32_t count = fz_rep_count(control);
	size_t off = (in_len + 15) & ~(size_t)15;
	uint64_t r;

	memcpy(call.fast, in, in_len);
	for (;;) {
		uint32_t before = fz_rep_start(call.control);

		r = fz_call(f, caller, vp, &call);
		if (ohv_result_status(r) != HV_STATUS_SUCCESS ||
		    ohv_result_reps(r) >= count)
			break;
		/* SPEC 3.2: an early stop advances the rep start. */
		if (ohv_result_reps(r) <= before)
			fz_fail(f, "rep call 0x%" PRIx64 " made no progress",
				control);
		if (fz_rep_start(call.control) != ohv_result_reps(r))
			fz_fail(f, "rep start not advanced to reps completed");
	}
	if (out_len && off + out_len <= sizeof(call.fast))
		memcpy(out, (uint8_t *)call.fast + off, out_len);
	return r;
}

/*
 * The root's rights on pages [first, first + n) of its identity map set
 * to RWX, at most per pages per call.  Frames in a pool refuse it
 * (OPERATION_DENIED); with must false they are skipped, with must true
 * that is a finding.
 */
static void restore_range(struct fz *f, uint64_t first, uint64_t n,
			  uint32_t per, bool must)
{
	uint64_t buf[3 + HV_MAP_GPA_BATCH_SIZE];
	struct hv_input_map_gpa_pages *in = (void *)buf;
	const bool fast = per <= MAP_PER_CALL;

	for (uint64_t base = first; base < first + n; base += per) {
		uint32_t k = (uint32_t)(first + n - base < per ?
					first + n - base : per);
		uint32_t start = 0;

		memset(buf, 0, sizeof(buf));
		in->target_partition_id = HV_PARTITION_ID_SELF;
		in->target_gpa_base = base;
		in->map_flags = HV_MAP_GPA_PERMISSIONS_MASK;
		for (uint32_t i = 0; i < k; i++)
			in->source_gpa_page_list[i] = base + i;
		while (start < k) {
			uint64_t r = fz_issue(f, FZ_ROOT, 0, fast,
				ohv_control(HVCALL_MAP_GPA_PAGES, 0, k, start),
				in, 24 + 8 * (size_t)k, NULL, 0);
			hv_status_t st = ohv_result_status(r);

			if (st == HV_STATUS_SUCCESS)
				break;
			if (must || st != HV_STATUS_OPERATION_DENIED)
				fz_fail(f, "root rights on page %" PRIu64
					": %s", base + ohv_result_reps(r),
					ohv_status_name(st));
			start = ohv_result_reps(r) + 1;
		}
	}
}

/*
 * Every page of the root's identity map back to RWX: its parameter pages
 * first with fast calls, then the rest through them when they are back.
 * The invariants are checked once at the end (this is many calls).
 */
static void restore_root_rights(struct fz *f, bool must)
{
	const uint64_t pages = f->cfg.memory_pages;
	const bool saved = f->check_each;
	bool mem;

	f->check_each = false;
	restore_range(f, 0, 2, MAP_PER_CALL, must);
	mem = ohv_gpa(f->hv, FZ_ROOT, 0, 2 * HV_PAGE_SIZE) != NULL;
	restore_range(f, 2, pages - 2,
		      mem ? HV_MAP_GPA_BATCH_SIZE : MAP_PER_CALL, must);
	f->check_each = saved;
	fz_check(f);
}

/*
 * Withdraw everything from target's pool, as caller (VP vp).  SPEC 1: each
 * page comes back zeroed at the GPA it was deposited from, so the caller
 * (the depositor) reaches it again.
 */
static void withdraw_all(struct fz *f, uint64_t caller, uint32_t vp,
			 uint64_t target)
{
	struct hv_input_withdraw_memory in = { .partition_id = target };
	uint64_t out[WITHDRAW_PER_CALL];
	static const uint8_t zero[HV_PAGE_SIZE];

	for (uint64_t i = 0; i <= f->cfg.memory_pages; i++) {
		uint64_t r = rep_fast(f, caller, vp,
			ohv_control(HVCALL_WITHDRAW_MEMORY, 1,
				    WITHDRAW_PER_CALL, 0),
			&in, sizeof(in), out, sizeof(out));
		hv_status_t st = ohv_result_status(r);

		if (st != HV_STATUS_SUCCESS && st != HV_STATUS_NO_RESOURCES)
			fz_fail(f, "withdraw from %" PRIu64 " by %" PRIu64
				": %s", target, caller, ohv_status_name(st));
		for (uint32_t k = 0; k < ohv_result_reps(r); k++) {
			const uint8_t *p = ohv_gpa(f->hv, caller,
						   out[k] << HV_PAGE_SHIFT,
						   HV_PAGE_SIZE);

			if (!p)
				fz_fail(f, "withdrawn page 0x%" PRIx64 " not"
					" back in %" PRIu64, out[k], caller);
			if (memcmp(p, zero, HV_PAGE_SIZE))
				fz_fail(f, "withdrawn page 0x%" PRIx64 " of %"
					PRIu64 " not zeroed", out[k], caller);
		}
		/* SPEC 5.2: NO_RESOURCES is "the pool is empty". */
		if (st == HV_STATUS_NO_RESOURCES)
			return;
	}
	fz_fail(f, "withdraw from %" PRIu64 " never ran dry", target);
}

static struct ohv_partition_info info(struct fz *f, uint64_t id)
{
	struct ohv_partition_info pi;

	if (ohv_partition_info(f->hv, id, &pi))
		fz_fail(f, "partition %" PRIu64 " vanished", id);
	return pi;
}

/* Deposit n root pages nobody else reaches into target, searching down
 * from the top of memory. */
static void fund(struct fz *f, uint64_t target, uint32_t n)
{
	const bool saved = f->check_each;

	f->check_each = false;
	while (n) {
		uint64_t in[2] = { target, 0 };	/* header, one page */
		hv_status_t st;

		if (f->spare == 0)
			fz_fail(f, "harness: no free root page to fund %" PRIu64,
				target);
		in[1] = --f->spare;
		st = ohv_result_status(fz_fast(f, FZ_ROOT, 0,
			ohv_control(HVCALL_DEPOSIT_MEMORY, 1, 1, 0),
			in, sizeof(in), NULL, 0));
		if (st == HV_STATUS_SUCCESS)
			n--;
		else if (st != HV_STATUS_OPERATION_DENIED)
			fz_fail(f, "deposit into %" PRIu64 ": %s", target,
				ohv_status_name(st));
	}
	f->check_each = saved;
	fz_check(f);
}

/*
 * A VP of p that can issue calls: an existing one, resumed by p's parent
 * (itself made able to call first), or for a child of the root a new VP 0
 * paid for by the root.  A deeper partition with children made them with
 * a VP of its own, which it keeps while it has children (nothing but
 * HvDeleteVp removes one from an Active partition).
 */
static uint32_t runner(struct fz *f, uint64_t p)
{
	struct ohv_sint_state ss;
	const uint64_t q = info(f, p).parent_id;
	const uint32_t qvp = q == FZ_ROOT ? 0 : runner(f, q);
	uint32_t vp;

	for (vp = 0; vp < OHV_MAX_VPS; vp++)
		if (ohv_vp_sints(f->hv, p, vp, &ss) == 0)
			break;
	if (vp == OHV_MAX_VPS && q != FZ_ROOT)
		fz_fail(f, "harness: %" PRIu64 " has children but no VP", p);
	if (vp == OHV_MAX_VPS) {
		struct hv_input_create_vp cv;
		hv_status_t st;

		memset(&cv, 0, sizeof(cv));
		cv.partition_id = p;
		vp = 0;
		fund(f, p, f->cfg.costs.vp);
		st = ohv_result_status(fz_fast(f, FZ_ROOT, 0, HVCALL_CREATE_VP,
					       &cv, sizeof(cv), NULL, 0));
		if (st)
			fz_fail(f, "create VP 0 of %" PRIu64 ": %s", p,
				ohv_status_name(st));
	}
	hv_status_t st = fz_set_reg(f, q, qvp, p, vp,
				    HV_REGISTER_EXPLICIT_SUSPEND, 0);

	if (st)
		fz_fail(f, "resume VP %u of %" PRIu64 ": %s", vp, p,
			ohv_status_name(st));
	return vp;
}

static hv_status_t one_id(struct fz *f, uint64_t caller, uint32_t vp,
			  uint16_t code, uint64_t id)
{
	return ohv_result_status(fz_fast(f, caller, vp, code, &id, 8, NULL, 0));
}

/* Finalize (when Active), empty and delete x, as its parent would. */
static void destroy(struct fz *f, uint64_t x)
{
	struct ohv_partition_info xi = info(f, x);
	uint64_t p = xi.parent_id;
	uint32_t vp = 0;
	hv_status_t st;

	if (xi.children)
		fz_fail(f, "partition %" PRIu64 " still has children", x);
	if (p != FZ_ROOT) {
		/* Only an Active partition can have made children. */
		if (info(f, p).state != OHV_STATE_ACTIVE)
			fz_fail(f, "parent %" PRIu64 " of %" PRIu64
				" is not Active", p, x);
		vp = runner(f, p);
	}
	if (xi.state == OHV_STATE_ACTIVE) {
		st = one_id(f, p, vp, HVCALL_FINALIZE_PARTITION, x);
		if (st)
			fz_fail(f, "finalize %" PRIu64 " by %" PRIu64 ": %s",
				x, p, ohv_status_name(st));
	}
	xi = info(f, x);
	if (xi.pool_in_use)
		fz_fail(f, "%" PRIu64 " is %s with %" PRIu64 " pages in use",
			x, ohv_state_name(xi.state), xi.pool_in_use);
	/* Only the parent fills a pool, and only with AccessMemoryPool,
	 * which it cannot have lost since: privileges are fixed from
	 * initialize on. */
	if (xi.pool_available)
		withdraw_all(f, p, vp, x);
	st = one_id(f, p, vp, HVCALL_DELETE_PARTITION, x);
	if (st)
		fz_fail(f, "delete %" PRIu64 " by %" PRIu64 ": %s", x, p,
			ohv_status_name(st));
}

void fz_teardown(struct fz *f)
{
	uint64_t ids[256];
	size_t n;

	ohv_debug_fail_alloc(0);
	f->stage = "teardown";
	fz_check(f);
	/* Pages the root gave up and its own spare pool pages: the teardown
	 * may need them to pay for a parent's VP. */
	restore_root_rights(f, false);
	withdraw_all(f, FZ_ROOT, 0, HV_PARTITION_ID_SELF);

	n = ohv_partition_list(f->hv, ids, 256);
	if (n > 256)
		fz_fail(f, "harness: %zu partitions", n);
	if (n == 0 || ids[0] != FZ_ROOT)
		fz_fail(f, "partition list does not start with the root");
	/* Reverse pre-order puts every partition after its descendants. */
	for (size_t i = n; i-- > 1;)
		destroy(f, ids[i]);

	/* The trace hook drops each one as its delete succeeds. */
	while (f->nports) {
		struct hv_input_delete_port dp = {
			.port_partition_id = FZ_ROOT,
			.port_id = f->ports[f->nports - 1],
		};
		hv_status_t st = ohv_result_status(fz_fast(f, FZ_ROOT, 0,
			HVCALL_DELETE_PORT, &dp, sizeof(dp), NULL, 0));

		if (st || (f->nports && f->ports[f->nports - 1] == dp.port_id))
			fz_fail(f, "delete root port %u: %s", dp.port_id,
				ohv_status_name(st));
	}
	while (f->nconns) {
		struct hv_input_disconnect_port dc = {
			.connection_partition_id = FZ_ROOT,
			.connection_id = f->conns[f->nconns - 1],
		};
		hv_status_t st = ohv_result_status(fz_fast(f, FZ_ROOT, 0,
			HVCALL_DISCONNECT_PORT, &dc, sizeof(dc), NULL, 0));

		if (st || (f->nconns &&
			   f->conns[f->nconns - 1] == dc.connection_id))
			fz_fail(f, "disconnect root connection %u: %s",
				dc.connection_id, ohv_status_name(st));
	}
	/* Stats pages the root mapped of itself and its VPs are paid by its
	 * own pool (SPEC 10): unmapped, whether or not they were mapped. */
	for (uint8_t a = 0; a < 2; a++) {
		struct hv_input_map_stats_page sp = {
			.type = HV_STATS_OBJECT_PARTITION,
			.partition_id = HV_PARTITION_ID_SELF,
			.stats_area_type = a,
		};

		fz_fast(f, FZ_ROOT, 0, HVCALL_UNMAP_STATS_PAGE, &sp, sizeof(sp),
			NULL, 0);
		sp.type = HV_STATS_OBJECT_VP;
		for (uint32_t v = 0; v < f->cfg.root_vps; v++) {
			sp.vp_index = v;
			fz_fast(f, FZ_ROOT, 0, HVCALL_UNMAP_STATS_PAGE, &sp,
				sizeof(sp), NULL, 0);
		}
	}
	withdraw_all(f, FZ_ROOT, 0, HV_PARTITION_ID_SELF);
	restore_root_rights(f, true);

	f->stage = "after teardown";
	n = ohv_partition_list(f->hv, ids, 256);
	if (n != 1)
		fz_fail(f, "%zu partitions live", n);
	struct ohv_partition_info ri = info(f, FZ_ROOT);

	if (ri.pool_available || ri.pool_in_use)
		fz_fail(f, "root pool %" PRIu64 "/%" PRIu64, ri.pool_available,
			ri.pool_in_use);
	for (uint64_t pg = 0; pg < f->cfg.memory_pages; pg++)
		if (!ohv_gpa(f->hv, FZ_ROOT, pg << HV_PAGE_SHIFT, HV_PAGE_SIZE))
			fz_fail(f, "root page %" PRIu64 " not back", pg);
	fz_check(f);
	ohv_close(f->hv);
	f->hv = NULL;
}
