/* SPDX-License-Identifier: MIT */
/*
 * The hypercall dispatcher (spec.md §3): who calls, the generic checks of
 * spec.md §3.2 in order, the parameter blocks in and out, the result value;
 * the call itself is its handler's (found in the call table, calls.c).
 */
#include "calls.h"
#include "hvctx.h"

#include <string.h>
#include <time.h>

#include "gpa.h"
#include "partition.h"
#include "vp.h"

/*
 * USDT probes (docs/tracing.md), when the build found <sys/sdt.h>:
 *   openhv:hypercall_entry  partition id, VP index, control word
 *   openhv:hypercall_exit   partition id, VP index, control word as
 *                           issued, result value
 * A probe is a nop until a tracer (bpftrace, perf, systemtap) attaches.
 */
#ifdef OHV_HAVE_SDT
#include <sys/sdt.h>
#define PROBE_ENTRY(p, vp, c)		STAP_PROBE3(openhv, hypercall_entry, p, vp, c)
#define PROBE_EXIT(p, vp, c, r)		STAP_PROBE4(openhv, hypercall_exit, p, vp, c, r)
#else
#define PROBE_ENTRY(p, vp, c)		do { } while (0)
#define PROBE_EXIT(p, vp, c, r)		do { } while (0)
#endif

/* The parameter blocks of one call, kept until the trace hook has run. */
struct blocks {
	uint64_t in[HV_PAGE_SIZE / 8];
	uint64_t out[HV_PAGE_SIZE / 8];
	size_t in_len;		/* bytes of in that were copied in    */
	const void *out_ptr;	/* what was copied out, for the trace  */
	size_t out_len;
};

/*
 * spec.md §3.2 step 5: a memory-based parameter block must be 8-byte aligned,
 * stay within one 4 KiB page and be mapped in the caller's GPA space with
 * the right it needs.  All three failures are INVALID_ALIGNMENT (spec.md §9).
 */
static hv_status_t check_block(const struct ohv *hv, const struct partition *p,
			       uint64_t gpa, size_t len, unsigned need,
			       uint8_t **host)
{
	if (gpa & 7)
		return HV_STATUS_INVALID_ALIGNMENT;
	if ((gpa & (HV_PAGE_SIZE - 1)) + len > HV_PAGE_SIZE)
		return HV_STATUS_INVALID_ALIGNMENT;
	*host = gpa_ptr(hv, p, gpa, len, need);
	return *host ? HV_STATUS_SUCCESS : HV_STATUS_INVALID_ALIGNMENT;
}

static uint64_t result_value(hv_status_t st, uint32_t reps)
{
	return (uint64_t)st | ((uint64_t)reps << HV_HYPERCALL_REP_COMP_OFFSET);
}

static uint64_t dispatch(struct ohv *hv, uint64_t caller_id, uint32_t vp_index,
			 struct ohv_hvcall *call, struct blocks *b)
{
	const uint64_t control = call->control;
	struct partition *caller = partition_get(hv, caller_id);
	struct vp *vp;

	/* spec.md §2: who is calling. */
	if (!caller)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (caller->state != OHV_STATE_ACTIVE)
		return HV_STATUS_INVALID_PARTITION_STATE;
	vp = partition_vp(caller, vp_index);
	if (!vp)
		return HV_STATUS_INVALID_VP_INDEX;
	if (vp->suspended || vp->intercept_suspended)
		return HV_STATUS_INVALID_VP_STATE;

	/* spec.md §3.2 steps 1-3: the control word.  Failures here report no
	 * reps: the rep fields themselves are not trusted yet. */
	const struct call *c =
		ohv_call_entry((uint16_t)(control & HV_HYPERCALL_CODE_MASK));

	if (!c)
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	const struct ohv_call_info *d = &c->info;
	if (control & HV_HYPERCALL_RSVD_MASK)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	const bool fast = control & HV_HYPERCALL_FAST_BIT;
	const uint32_t count = (uint32_t)((control & HV_HYPERCALL_REP_COUNT_MASK) >>
					  HV_HYPERCALL_REP_COMP_OFFSET);
	const uint32_t start = (uint32_t)((control & HV_HYPERCALL_REP_START_MASK) >>
					  HV_HYPERCALL_REP_START_OFFSET);

	if (d->rep ? (count == 0 || start >= count) : (count || start))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	/* A variable header only where the call takes one, and no longer
	 * than it can be. */
	const uint32_t varhead = (uint32_t)((control & HV_HYPERCALL_VARHEAD_MASK) >>
					    HV_HYPERCALL_VARHEAD_OFFSET);

	if (varhead > d->var_max)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;

	/* From here on a failure reports the reps done before this
	 * invocation (the count is absolute, spec.md §3.1). */
	const size_t in_len = d->in_size[hv->cfg.arch] + (size_t)varhead * 8 +
			      (size_t)count * d->in_elem;
	const size_t out_len = d->rep ? (size_t)count * d->out_elem : d->out_size;
	size_t out_off = 0;	/* fast: byte offset of the output */
	uint8_t *in_host = NULL, *out_host = NULL;
	hv_status_t st;

	if (fast) {
		/* Step 4: input rounded up to 16 bytes, then the output, in
		 * the register block. */
		const size_t cap = hv->cfg.arch == OHV_ARCH_X64 ?
			HV_X64_FAST_INPUT_BYTES : HV_ARM64_FAST_INPUT_BYTES;

		out_off = (in_len + 15) & ~(size_t)15;
		if (!d->fast || out_off + out_len > cap)
			return result_value(HV_STATUS_INVALID_HYPERCALL_INPUT,
					    d->rep ? start : 0);
		memcpy(b->in, call->fast, in_len);
	} else {
		/* Step 5: the input block, then the output block. */
		if (in_len) {
			st = check_block(hv, caller, call->fast[0], in_len,
					 GPA_READ, &in_host);
			if (st)
				return result_value(st, d->rep ? start : 0);
		}
		if (out_len) {
			st = check_block(hv, caller, call->fast[1], out_len,
					 GPA_WRITE, &out_host);
			if (st)
				return result_value(st, d->rep ? start : 0);
		}
		/* Guest memory is read once: handlers see only this copy. */
		if (in_len)
			memcpy(b->in, in_host, in_len);
	}
	b->in_len = in_len;

	/* Step 6: privilege. */
	if (d->privilege && !partition_has(caller, d->privilege))
		return result_value(HV_STATUS_ACCESS_DENIED, d->rep ? start : 0);

	/* Step 7: the call itself. */
	struct hvctx cx = {
		.hv = hv,
		.caller = caller,
		.vp = vp,
		.in = b->in,
		.out = b->out,
		.varhead = varhead,
		.rep_start = start,
		.rep_count = count,
		.rep_done = start,
		.started_ns = d->rep && hv->cfg.rep_budget_ns ? ohv_now_ns() : 0,
		/* When to call hc_budget_check first. */
		.next_check = !d->rep ? UINT32_MAX :
			      hv->cfg.rep_budget_ns ? 1 :
			      hv->cfg.rep_limit ? hv->cfg.rep_limit : UINT32_MAX,
	};

	st = c->handler(&cx);

	size_t from = 0, len = 0;
	uint32_t reps = 0;

	if (d->rep) {
		OHV_ASSERT(cx.rep_done >= start && cx.rep_done <= count);
		reps = cx.rep_done;
		from = (size_t)start * d->out_elem;
		len = (size_t)(reps - start) * d->out_elem;
		/* Time budget: SUCCESS with the rep start advanced, so the
		 * caller re-issues the call (spec.md §3.2). */
		if (st == HV_STATUS_SUCCESS && reps < count)
			call->control = (control & ~HV_HYPERCALL_REP_START_MASK) |
				((uint64_t)reps << HV_HYPERCALL_REP_START_OFFSET);
	} else if (st == HV_STATUS_SUCCESS) {
		len = out_len;
	}
	/* A handler that let go of the lock may have let the caller's output
	 * page, or the caller itself, go: look them up again. */
	if (len && !fast && cx.unlocked) {
		caller = partition_get(hv, caller_id);
		if (!caller || check_block(hv, caller, call->fast[1], out_len,
					   GPA_WRITE, &out_host))
			len = 0;
	}
	if (len) {
		const uint8_t *src = (const uint8_t *)b->out + from;

		if (fast)
			memcpy((uint8_t *)call->fast + out_off + from, src, len);
		else
			memcpy(out_host + from, src, len);
		b->out_ptr = src;
		b->out_len = len;
	}
	return result_value(st, reps);
}

uint64_t ohv_hypercall(struct ohv *hv, uint64_t partition_id,
		       uint32_t vp_index, struct ohv_hvcall *call)
{
	if (!hv || !call)
		return HV_STATUS_INVALID_PARAMETER;

	struct blocks b;
	const uint64_t control = call->control;
	ohv_trace_fn *trace = __atomic_load_n(&hv->trace, __ATOMIC_ACQUIRE);
	uint64_t t0 = trace ? ohv_now_ns() : 0;

	PROBE_ENTRY(partition_id, vp_index, control);

	b.in_len = 0;
	b.out_ptr = NULL;
	b.out_len = 0;
	lock_take(hv);
	trace = hv->trace;
	void *trace_ctx = hv->trace_ctx;
	uint64_t result = dispatch(hv, partition_id, vp_index, call, &b);

	lock_drop(hv);
	call->result = result;
	PROBE_EXIT(partition_id, vp_index, control, result);

	if (trace) {
		struct ohv_trace_event ev = {
			.partition_id = partition_id,
			.vp_index = vp_index,
			.control = control,
			.result = result,
			.regs = call,
			.input = b.in_len ? b.in : NULL,
			.input_len = b.in_len,
			.output = b.out_ptr,
			.output_len = b.out_len,
			.elapsed_ns = t0 ? ohv_now_ns() - t0 : 0,
		};

		trace(trace_ctx, &ev);
	}
	return result;
}

void ohv_set_doorbell_handler(struct ohv *hv, ohv_doorbell_fn *fn,
			      void *ctx)
{
	if (!hv)
		return;
	lock_take(hv);
	hv->doorbell_fn = fn;
	hv->doorbell_ctx = ctx;
	lock_drop(hv);
}

void ohv_set_trace(struct ohv *hv, ohv_trace_fn *fn, void *ctx)
{
	if (!hv)
		return;
	lock_take(hv);
	hv->trace_ctx = ctx;
	__atomic_store_n(&hv->trace, fn, __ATOMIC_RELEASE);
	lock_drop(hv);
}

