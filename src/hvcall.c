#include "hvcall.h"

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

/* Per-call metadata (SPEC 3.3).  in_size is the fixed input (the header
 * of a rep call) for x64 and arm64; elements follow it. */
struct hvcall_desc {
	hc_handler *handler;
	bool rep;
	uint16_t in_size[2];
	uint16_t out_size;	/* simple calls */
	uint16_t in_elem;	/* rep calls    */
	uint16_t out_elem;	/* rep calls    */
	uint64_t privilege;
};

#define SIMPLE(h, in, out, priv) \
	{ .handler = (h), .in_size = { (in), (in) }, .out_size = (out), \
	  .privilege = (priv) }
#define REP(h, hdr, ie, oe, priv) \
	{ .handler = (h), .rep = true, .in_size = { (hdr), (hdr) }, \
	  .in_elem = (ie), .out_elem = (oe), .privilege = (priv) }

static const struct hvcall_desc calls[] = {
	[HVCALL_CREATE_PARTITION] = {
		.handler = hc_create_partition,
		.in_size = {
			[OHV_ARCH_X64] = sizeof(struct hv_input_create_partition),
			[OHV_ARCH_ARM64] = sizeof(struct hv_input_create_partition_arm64),
		},
		.out_size = sizeof(struct hv_output_create_partition),
		.privilege = HV_PARTITION_PRIV_CREATE_PARTITIONS,
	},
	[HVCALL_INITIALIZE_PARTITION] = SIMPLE(hc_initialize_partition,
		sizeof(struct hv_input_initialize_partition), 0, 0),
	[HVCALL_FINALIZE_PARTITION] = SIMPLE(hc_finalize_partition,
		sizeof(struct hv_input_finalize_partition), 0, 0),
	[HVCALL_DELETE_PARTITION] = SIMPLE(hc_delete_partition,
		sizeof(struct hv_input_delete_partition), 0, 0),
	[HVCALL_GET_PARTITION_PROPERTY] = SIMPLE(hc_get_partition_property,
		sizeof(struct hv_input_get_partition_property),
		sizeof(struct hv_output_get_partition_property), 0),
	[HVCALL_SET_PARTITION_PROPERTY] = SIMPLE(hc_set_partition_property,
		sizeof(struct hv_input_set_partition_property), 0, 0),
	[HVCALL_GET_PARTITION_ID] = SIMPLE(hc_get_partition_id, 0,
		sizeof(struct hv_output_get_partition_id),
		HV_PARTITION_PRIV_ACCESS_PARTITION_ID),
	[HVCALL_GET_NEXT_CHILD_PARTITION] = SIMPLE(hc_get_next_child_partition,
		sizeof(struct hv_input_get_next_child_partition),
		sizeof(struct hv_output_get_next_child_partition), 0),
	[HVCALL_DEPOSIT_MEMORY] = REP(hc_deposit_memory,
		sizeof(struct hv_input_deposit_memory), 8, 0,
		HV_PARTITION_PRIV_ACCESS_MEMORY_POOL),
	[HVCALL_WITHDRAW_MEMORY] = REP(hc_withdraw_memory,
		sizeof(struct hv_input_withdraw_memory), 0, 8,
		HV_PARTITION_PRIV_ACCESS_MEMORY_POOL),
	[HVCALL_GET_MEMORY_BALANCE] = SIMPLE(hc_get_memory_balance,
		sizeof(struct hv_input_get_memory_balance),
		sizeof(struct hv_output_get_memory_balance),
		HV_PARTITION_PRIV_ACCESS_MEMORY_POOL),
	[HVCALL_MAP_GPA_PAGES] = REP(hc_map_gpa_pages,
		sizeof(struct hv_input_map_gpa_pages), 8, 0, 0),
	/* A rep call without a list: rep count = pages (SPEC 3.3). */
	[HVCALL_UNMAP_GPA_PAGES] = REP(hc_unmap_gpa_pages,
		sizeof(struct hv_input_unmap_gpa_pages), 0, 0, 0),
	[HVCALL_CREATE_VP] = SIMPLE(hc_create_vp,
		sizeof(struct hv_input_create_vp), 0, 0),
	[HVCALL_DELETE_VP] = SIMPLE(hc_delete_vp,
		sizeof(struct hv_input_delete_vp), 0, 0),
	/* Privilege: AccessVpRegisters only on self, checked by the call. */
	[HVCALL_GET_VP_REGISTERS] = REP(hc_get_vp_registers,
		sizeof(struct hv_input_get_vp_registers), 4,
		sizeof(union hv_register_value), 0),
	[HVCALL_SET_VP_REGISTERS] = REP(hc_set_vp_registers,
		sizeof(struct hv_input_set_vp_registers),
		sizeof(struct hv_register_assoc), 0, 0),
	[HVCALL_CREATE_PORT_CLASSIC] = SIMPLE(hc_create_port_classic,
		sizeof(struct hv_input_create_port_classic), 0,
		HV_PARTITION_PRIV_CREATE_PORT),
	[HVCALL_DELETE_PORT] = SIMPLE(hc_delete_port,
		sizeof(struct hv_input_delete_port), 0,
		HV_PARTITION_PRIV_CREATE_PORT),
	[HVCALL_CONNECT_PORT_CLASSIC] = SIMPLE(hc_connect_port_classic,
		sizeof(struct hv_input_connect_port_classic), 0,
		HV_PARTITION_PRIV_CONNECT_PORT),
	[HVCALL_GET_PORT_PROPERTY] = SIMPLE(hc_get_port_property,
		sizeof(struct hv_input_get_port_property),
		sizeof(struct hv_output_get_port_property),
		HV_PARTITION_PRIV_CREATE_PORT),
	[HVCALL_DISCONNECT_PORT] = SIMPLE(hc_disconnect_port,
		sizeof(struct hv_input_disconnect_port), 0,
		HV_PARTITION_PRIV_CONNECT_PORT),
	[HVCALL_POST_MESSAGE] = SIMPLE(hc_post_message,
		sizeof(struct hv_input_post_message), 0,
		HV_PARTITION_PRIV_POST_MESSAGES),
	[HVCALL_SIGNAL_EVENT] = SIMPLE(hc_signal_event,
		sizeof(struct hv_input_signal_event), 0,
		HV_PARTITION_PRIV_SIGNAL_EVENTS),
	[HVCALL_SET_PORT_PROPERTY] = SIMPLE(hc_set_port_property,
		sizeof(struct hv_input_set_port_property),
		sizeof(struct hv_output_set_port_property),
		HV_PARTITION_PRIV_CREATE_PORT),
	[HVCALL_CREATE_PORT] = SIMPLE(hc_create_port,
		sizeof(struct hv_input_create_port), 0,
		HV_PARTITION_PRIV_CREATE_PORT),
	[HVCALL_CONNECT_PORT] = SIMPLE(hc_connect_port,
		sizeof(struct hv_input_connect_port), 0,
		HV_PARTITION_PRIV_CONNECT_PORT),
};

static const struct hvcall_desc *hvcall_find(uint16_t code)
{
	if (code >= ARRAY_SIZE(calls) || !calls[code].handler)
		return NULL;
	return &calls[code];
}

uint64_t ohv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Most elements between two clock reads: cheap elements cost ~5 ns. */
#define BUDGET_MAX_INTERVAL	64u

bool hc_budget_check(struct hvctx *cx, uint32_t done)
{
	const struct ohv_config *cfg = &cx->hv->cfg;

	if (cfg->rep_limit && done >= cfg->rep_limit)
		return true;
	if (!cx->started_ns) {
		cx->next_check = cfg->rep_limit ? cfg->rep_limit : UINT32_MAX;
		return false;
	}
	/*
	 * Read the clock, then space the next read by what the elements
	 * have cost so far: half of the time left, at the running average,
	 * so that slow elements (first-touch zeroing) cannot overrun the
	 * budget by much and cheap ones do not pay for the clock.
	 */
	uint64_t elapsed = ohv_now_ns() - cx->started_ns;

	if (elapsed >= cfg->rep_budget_ns)
		return true;
	uint64_t per = elapsed / done + 1;
	uint64_t interval = (cfg->rep_budget_ns - elapsed) / per / 2;

	if (interval < 1)
		interval = 1;
	if (interval > BUDGET_MAX_INTERVAL)
		interval = BUDGET_MAX_INTERVAL;
	cx->next_check = done + (uint32_t)interval;
	if (cfg->rep_limit && cx->next_check > cfg->rep_limit)
		cx->next_check = cfg->rep_limit;
	return false;
}

void hc_unlock(struct hvctx *cx)
{
	cx->unlocked = true;
	pthread_mutex_unlock(&cx->hv->lock);
}

void hc_relock(struct hvctx *cx)
{
	hv_lock(&cx->hv->lock);
}

void hc_wait_left(struct hvctx *cx)
{
	cx->unlocked = true;
	pthread_cond_wait(&cx->hv->left, &cx->hv->lock);
}

/* The parameter blocks of one call, kept until the trace hook has run. */
struct blocks {
	uint64_t in[HV_PAGE_SIZE / 8];
	uint64_t out[HV_PAGE_SIZE / 8];
	size_t in_len;		/* bytes of in that were copied in    */
	const void *out_ptr;	/* what was copied out, for the trace  */
	size_t out_len;
};

/*
 * SPEC 3.2 step 5: a memory-based parameter block must be 8-byte aligned,
 * stay within one 4 KiB page and be mapped in the caller's GPA space with
 * the right it needs.  All three failures are INVALID_ALIGNMENT (SPEC 9).
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

	/* SPEC 2: who is calling. */
	if (!caller)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (caller->state != OHV_STATE_ACTIVE)
		return HV_STATUS_INVALID_PARTITION_STATE;
	vp = partition_vp(caller, vp_index);
	if (!vp)
		return HV_STATUS_INVALID_VP_INDEX;
	if (vp->suspended)
		return HV_STATUS_INVALID_VP_STATE;

	/* SPEC 3.2 steps 1-3: the control word.  Failures here report no
	 * reps: the rep fields themselves are not trusted yet. */
	const struct hvcall_desc *d =
		hvcall_find((uint16_t)(control & HV_HYPERCALL_CODE_MASK));

	if (!d)
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	if (control & HV_HYPERCALL_RSVD_MASK)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	const bool fast = control & HV_HYPERCALL_FAST_BIT;
	const uint32_t count = (uint32_t)((control & HV_HYPERCALL_REP_COUNT_MASK) >>
					  HV_HYPERCALL_REP_COMP_OFFSET);
	const uint32_t start = (uint32_t)((control & HV_HYPERCALL_REP_START_MASK) >>
					  HV_HYPERCALL_REP_START_OFFSET);

	if (d->rep ? (count == 0 || start >= count) : (count || start))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	/* No implemented call takes a variable header. */
	if (control & HV_HYPERCALL_VARHEAD_MASK)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;

	/* From here on a failure reports the reps done before this
	 * invocation (the count is absolute, SPEC 3.1). */
	const size_t in_len = d->in_size[hv->cfg.arch] + (size_t)count * d->in_elem;
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
		if (out_off + out_len > cap)
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
		.rep_start = start,
		.rep_count = count,
		.rep_done = start,
		.started_ns = d->rep && hv->cfg.rep_budget_ns ? ohv_now_ns() : 0,
		/* When to call hc_budget_check first. */
		.next_check = !d->rep ? UINT32_MAX :
			      hv->cfg.rep_budget_ns ? 1 :
			      hv->cfg.rep_limit ? hv->cfg.rep_limit : UINT32_MAX,
	};

	st = d->handler(&cx);

	size_t from = 0, len = 0;
	uint32_t reps = 0;

	if (d->rep) {
		OHV_ASSERT(cx.rep_done >= start && cx.rep_done <= count);
		reps = cx.rep_done;
		from = (size_t)start * d->out_elem;
		len = (size_t)(reps - start) * d->out_elem;
		/* Time budget: SUCCESS with the rep start advanced, so the
		 * caller re-issues the call (SPEC 3.2). */
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
	hv_lock(&hv->lock);
	trace = hv->trace;
	void *trace_ctx = hv->trace_ctx;
	uint64_t result = dispatch(hv, partition_id, vp_index, call, &b);

	pthread_mutex_unlock(&hv->lock);
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

void ohv_set_trace(struct ohv *hv, ohv_trace_fn *fn, void *ctx)
{
	if (!hv)
		return;
	hv_lock(&hv->lock);
	hv->trace_ctx = ctx;
	__atomic_store_n(&hv->trace, fn, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&hv->lock);
}

