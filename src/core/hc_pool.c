/*
 * HvDepositMemory, HvWithdrawMemory and HvGetMemoryBalance (SPEC 5.1-5.3),
 * and the withdraw's zeroing of the frames it returns.
 */
#include <string.h>

#include "handlers.h"
#include "gpa.h"
#include "partition.h"
#include "pool.h"

/*
 * SPEC 5.1-5.3: the target is a child of the caller, or the root itself
 * (SELF or its own id).
 */
static hv_status_t pool_target(struct hvctx *cx, uint64_t id,
			       struct partition **out)
{
	struct partition *t = partition_resolve(cx->hv, cx->caller, id);

	if (!t)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (t->parent != cx->caller &&
	    !(t == cx->caller && is_root(cx->hv, cx->caller)))
		return HV_STATUS_ACCESS_DENIED;
	*out = t;
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_deposit_memory(struct hvctx *cx)
{
	const struct hv_input_deposit_memory *in = cx->in;
	struct ohv *hv = cx->hv;
	struct partition *t;
	hv_status_t st = pool_target(cx, in->partition_id, &t);

	if (st)
		return st;
	/* seed 001: deposits are allowed before initialize. */
	if (t->state != OHV_STATE_UNINITIALIZED && t->state != OHV_STATE_ACTIVE)
		return HV_STATUS_INVALID_PARTITION_STATE;

	const bool root = is_root(hv, cx->caller);

	for (uint32_t i = cx->rep_start; i < cx->rep_count; i++) {
		uint64_t page = in->gpa_page_list[i];
		/*
		 * SPEC 5.1: the page must be mapped with full access in the
		 * caller's space, not deposited already (a second occurrence
		 * in one list fails here), and reachable through no other
		 * partition's GPA space.  The root's identity map needs no
		 * lookup.
		 */
		uint32_t frame;

		if (root)
			frame = page < hv->cfg.memory_pages &&
				frame_root_own(&hv->frames[page]) ?
				(uint32_t)page : FRAME_NONE;
		else
			frame = gpa_lend(hv, cx->caller, page);
		if (frame == FRAME_NONE) {
			cx->rep_done = i;
			return HV_STATUS_OPERATION_DENIED;
		}
		pool_put(hv, t, frame, page);
		if (hc_budget_spent(cx, i)) {
			cx->rep_done = i + 1;
			return HV_STATUS_SUCCESS;
		}
	}
	cx->rep_done = cx->rep_count;
	return HV_STATUS_SUCCESS;
}

/*
 * Decode a withdraw request's proximity info (SPEC 5.2): a reserved flag
 * bit, or a required node that does not exist, is INVALID_PARAMETER.
 */
static hv_status_t withdraw_node(const struct ohv *hv,
				 struct hv_proximity_domain_info pi,
				 uint32_t *node, bool *required)
{
	*node = NODE_ANY;
	*required = false;
	if (pi.flags & HV_PROXIMITY_DOMAIN_RSVD_MASK)
		return HV_STATUS_INVALID_PARAMETER;
	if (!(pi.flags & HV_PROXIMITY_DOMAIN_VALID))
		return HV_STATUS_SUCCESS;
	if (pi.flags & HV_PROXIMITY_DOMAIN_PREFERRED) {
		*node = pool_preferred_node(hv, pi);
		return HV_STATUS_SUCCESS;
	}
	if (pi.domain_id >= hv->cfg.numa_nodes)
		return HV_STATUS_INVALID_PARAMETER;
	*node = pi.domain_id;
	*required = true;
	return HV_STATUS_SUCCESS;
}

/* Frames of t's pool that withdraws are zeroing, on the nodes asked for. */
static uint64_t leaving(const struct ohv *hv, const struct partition *t,
			uint32_t node, bool required)
{
	uint64_t n = 0;

	for (uint32_t k = 0; k < hv->cfg.numa_nodes; k++)
		if (!required || k == node)
			n += t->node[k].leaving;
	return n;
}

/* Frames zeroed per round outside the lock (zero_frames keeps to the
 * time budget within a round). */
#define WITHDRAW_BATCH	256

/*
 * Frames are zeroed with memset, at memory bandwidth.  The call goes
 * through a pointer so the compiler cannot turn it into a slower inline
 * loop for one page.
 */
static void *(*volatile zero_fn)(void *, int, size_t) = memset;

/* Whether zeroing frame fr costs only memory bandwidth: the host has
 * committed it, all memory at open or this frame by an earlier zeroing. */
static inline uint8_t frame_backed(const struct ohv *hv, uint32_t fr)
{
	return hv->cfg.commit_memory | hv->frames[fr].backed;
}

/*
 * Zero up to most frames from the start of frames[0, n), all of frames[0]'s
 * kind (backed or not).  Runs of neighbouring frames go to memset as one
 * block: deposits push frames in order, so withdraws pop them in runs,
 * downwards or upwards.  Returns how many were zeroed (at least one).
 */
static uint32_t zero_chunk(const struct ohv *hv, const uint32_t *frames,
			   uint32_t n, uint32_t most)
{
	const uint8_t backed = frame_backed(hv, frames[0]);
	uint32_t k = 0;

	if (most > n)
		most = n;
	while (k < most && frame_backed(hv, frames[k]) == backed) {
		uint32_t lo = frames[k], len = 1;

		while (k + len < most && frames[k + len] == lo - 1 &&
		       frame_backed(hv, lo - 1) == backed) {
			lo--;
			len++;
		}
		if (len == 1)
			while (k + len < most &&
			       frames[k + len] == frames[k] + len &&
			       frame_backed(hv, frames[k] + len) == backed)
				len++;
		zero_fn(frame_ptr(hv, lo), 0, (size_t)len << HV_PAGE_SHIFT);
		k += len;
	}
	return k;
}

/*
 * How a withdraw paces its zeroing against its time budget, across its
 * rounds.  What a page costs is what matters, and it comes in two kinds.
 * A frame openhv has zeroed before (backed) is committed host memory and
 * costs memory bandwidth, tens of nanoseconds.  Any other frame may never
 * have been touched: its first write makes the host fault a page in,
 * which in a VM costs microseconds to tens of microseconds.  So the clock
 * is read after each unbacked frame, and after chunks of backed ones that
 * double, up to 64 pages, while they stay cheap; and the next chunk only
 * starts if, at the dearest page cost seen so far in the call, it ends
 * before the deadline.
 */
struct zero_pace {
	uint64_t deadline;	/* 0: no time budget                        */
	uint64_t dearest[2];	/* dearest page so far, ns, by backed      */
	uint32_t most;		/* backed pages between two clock reads    */
};

#define ZERO_CHUNK_MAX		64
#define ZERO_CHEAP_NS		500

/*
 * Zero the first frames of a batch, until all are done or the pace says
 * the next chunk would end past the deadline.  A call's first element is
 * always zeroed (TLFS: at least one rep is done).  Returns how many
 * frames, from the start, are zeroed.
 */
static uint32_t zero_frames(const struct ohv *hv, const uint32_t *frames,
			    uint32_t n, struct zero_pace *pace, bool first)
{
	uint32_t k = 0;

	if (!pace->deadline) {
		while (k < n)
			k += zero_chunk(hv, frames + k, n - k, n - k);
		return n;
	}

	uint64_t t0 = ohv_now_ns();

	while (k < n) {
		const uint8_t backed = frame_backed(hv, frames[k]);
		const uint64_t left = t0 < pace->deadline ?
				      pace->deadline - t0 : 0;
		const uint64_t dear = pace->dearest[backed];
		uint64_t most = backed ? pace->most : 1;

		if (dear && left / dear < most)
			most = left / dear;
		if (!left)
			most = 0;
		if (!most) {
			if (!first || k)
				break;
			most = 1;
		}

		uint32_t done = zero_chunk(hv, frames + k, n - k,
					   (uint32_t)most);
		uint64_t t1 = ohv_now_ns();
		uint64_t per = (t1 - t0) / done + 1;

		k += done;
		if (per > pace->dearest[backed])
			pace->dearest[backed] = per;
		if (backed)
			pace->most = per >= ZERO_CHEAP_NS ? 1 :
				     pace->most * 2 > ZERO_CHUNK_MAX ?
				     ZERO_CHUNK_MAX : pace->most * 2;
		t0 = t1;
	}
	return k;
}

/*
 * When a withdraw stops zeroing: a quarter before its budget ends, since
 * relocking, giving the frames back and copying out still take a moment.
 * 0 when no budget applies; a budget too large to add saturates rather
 * than wrap to a deadline in the past.
 */
static uint64_t zero_deadline(uint64_t started_ns, uint64_t budget_ns)
{
	const uint64_t span = budget_ns - budget_ns / 4;

	if (!started_ns)
		return 0;
	return span > UINT64_MAX - started_ns ? UINT64_MAX : started_ns + span;
}

hv_status_t hc_withdraw_memory(struct hvctx *cx)
{
	const struct hv_input_withdraw_memory *in = cx->in;
	struct ohv *hv = cx->hv;
	struct partition *t;
	uint32_t node;
	bool required;
	hv_status_t st = pool_target(cx, in->partition_id, &t);

	if (st)
		return st;
	st = withdraw_node(hv, in->proximity_domain_info, &node, &required);
	if (st)
		return st;

	uint32_t frames[WITHDRAW_BATCH];
	struct zero_pace pace = {
		.deadline = zero_deadline(cx->started_ns, hv->cfg.rep_budget_ns),
		.most = 8,
	};

	/* Allowed in every state (SPEC 5.2); only available pages leave. */
	for (uint32_t i = cx->rep_start; i < cx->rep_count;) {
		/* As many as asked, up to a round; rep_limit counts too.  The
		 * time budget is zero_frames' to keep. */
		uint32_t want = cx->rep_count - i, got = 0;
		const uint32_t limit = hv->cfg.rep_limit;

		if (limit && limit - (i - cx->rep_start) < want)
			want = limit - (i - cx->rep_start);
		if (want > WITHDRAW_BATCH)
			want = WITHDRAW_BATCH;
		got = pool_detach_many(hv, t, node, required, frames, want);
		if (!got) {
			/*
			 * Pages other withdraws are zeroing are in the pool
			 * still, though nobody may count or charge them: this
			 * call may only say the pool is empty once they are
			 * gone.  Wait for them, then look t up again: with its
			 * pool empty it may have been deleted meanwhile (ids
			 * are never reused).
			 */
			if (leaving(hv, t, node, required)) {
				uint64_t id = t->id;

				hc_wait_left(cx);
				t = partition_get(hv, id);
				if (t)
					continue;
			}
			cx->rep_done = i;
			return HV_STATUS_NO_RESOURCES;
		}
		/*
		 * Zero outside the lock so independent partitions proceed in
		 * parallel.  What stays valid meanwhile: the frames are off
		 * every list and count (FRAME_LEAVING, t->pool_leaving) but
		 * still in t's pool, so t cannot be deleted, so its depositor
		 * keeps a child and stays too; the caller is the root or t's
		 * parent, alive for the same reason.
		 */
		ohv_debug_withdraw_fn *hook = hv->withdraw_hook;
		void *hook_ctx = hv->withdraw_hook_ctx;
		const uint64_t tid = t->id;

		hc_unlock(cx);
		if (hook)
			hook(hook_ctx, tid, got);
		uint32_t zeroed = zero_frames(hv, frames, got, &pace,
					      i == cx->rep_start);

		hc_relock(cx);
		/* Frames the deadline left unzeroed go back on the list, last
		 * first, so the list is as it was (LIFO per node). */
		for (uint32_t k = got; k-- > zeroed;)
			pool_undetach(hv, t, frames[k]);
		if (zeroed < got) {
			got = zeroed;
			want = 0;	/* out of time: no more rounds */
		}

		/* Pages go back to whoever deposited them: t's parent, or
		 * the root for its own pool (SPEC 5.1 access rule). */
		struct partition *depositor = t->parent ? t->parent : t;

		for (uint32_t k = 0; k < got; k++, i++) {
			struct frame *f = &hv->frames[frames[k]];
			uint64_t page = frame_dep_gpa(f);

			/* Zeroed, and back at the GPA it was deposited from:
			 * the root's identity map takes it with full access. */
			pool_leave(hv, t, frames[k]);
			f->backed = 1;
			if (is_root(hv, depositor)) {
				f->dep_hi = 0;
				f->maps = 0;
				f->root_deny = 0;
			} else {
				gpa_return(hv, depositor, frames[k], page);
			}
			*(uint64_t *)hc_out_elem(cx, 8, i) = page;
		}
		pthread_cond_broadcast(&hv->left);
		/* Out of time, or a full round and the budget says so; a
		 * short round means the lists ran dry: the next round finds
		 * out whether the pool is empty. */
		if (!want && i < cx->rep_count) {
			cx->rep_done = i;
			return HV_STATUS_SUCCESS;
		}
		if (got == want && hc_budget_spent(cx, i - 1)) {
			cx->rep_done = i;
			return HV_STATUS_SUCCESS;
		}
	}
	cx->rep_done = cx->rep_count;
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_get_memory_balance(struct hvctx *cx)
{
	const struct hv_input_get_memory_balance *in = cx->in;
	struct hv_output_get_memory_balance *out = cx->out;
	struct hv_proximity_domain_info pi = in->proximity_domain_info;
	struct partition *t;
	hv_status_t st = pool_target(cx, in->partition_id, &t);

	if (st)
		return st;
	if (pi.flags & HV_PROXIMITY_DOMAIN_RSVD_MASK)
		return HV_STATUS_INVALID_PARAMETER;
	if (pi.flags & HV_PROXIMITY_DOMAIN_VALID) {
		/* SPEC 5.3: Valid counts that node only. */
		if (pi.domain_id >= cx->hv->cfg.numa_nodes)
			return HV_STATUS_INVALID_PARAMETER;
		out->pages_available = t->node[pi.domain_id].available;
		out->pages_in_use = t->node[pi.domain_id].in_use;
	} else {
		out->pages_available = t->pool_available;
		out->pages_in_use = t->pool_in_use;
	}
	return HV_STATUS_SUCCESS;
}

void ohv_debug_withdraw_hook(struct ohv *hv, ohv_debug_withdraw_fn *fn,
			     void *ctx)
{
	if (!hv)
		return;
	lock_take(hv);
	hv->withdraw_hook = fn;
	hv->withdraw_hook_ctx = ctx;
	lock_drop(hv);
}
