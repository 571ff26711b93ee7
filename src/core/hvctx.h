/*
 * The hypercall context: what a handler sees of the call it serves.
 *
 * The dispatcher (hvcall.c) decodes the control word, runs the generic
 * checks of SPEC 3.2 once, copies the input block in, calls the handler
 * with a context, copies the output out and builds the result value.
 * Handlers (hc_*.c) do semantics only: they read the copied input, write
 * the output buffer and return a status, and use this API for the rep
 * budget and for letting go of the lock.  This header knows nothing of the
 * dispatcher or of any handler.
 */
#ifndef OHV_HVCTX_H
#define OHV_HVCTX_H

#include <stdbool.h>
#include <stdint.h>

#include "internal.h"

struct hvctx {
	struct ohv *hv;
	struct partition *caller;
	struct vp *vp;
	const void *in;		/* input block: header, then rep elements     */
	void *out;		/* output block: simple output or rep elements */
	uint32_t varhead;	/* qwords of variable header after the fixed */
	uint32_t rep_start;
	uint32_t rep_count;
	uint32_t rep_done;	/* rep handlers: elements [0, rep_done) done   */
	uint64_t started_ns;	/* set when a time budget applies, else 0      */
	uint32_t next_check;	/* elements done when the clock is next read   */
	bool unlocked;		/* the handler let go of the lock at times     */
};

typedef hv_status_t hc_handler(struct hvctx *cx);

/*
 * Rep handlers call this after finishing element i: true when the call has
 * used its budget (SPEC 3.2 "time budget") and must return now, with
 * SUCCESS and reps completed = i + 1.
 */
bool hc_budget_check(struct hvctx *cx, uint32_t done);

static inline bool hc_budget_spent(struct hvctx *cx, uint32_t i)
{
	uint32_t done = i + 1 - cx->rep_start;

	if (i + 1 >= cx->rep_count)
		return false;
	/* Cheap elements skip the clock until next_check (rep_limit 0 and
	 * no time budget make next_check unreachable). */
	if (done < cx->next_check)
		return false;
	return hc_budget_check(cx, done);
}

/*
 * Let other hypercalls run while this one does work that touches only
 * what it holds (zeroing frames it took off a free list, SPEC 5.2).  Every
 * object the handler uses after hc_relock must have been kept alive by
 * construction; see hc_withdraw_memory.
 */
void hc_unlock(struct hvctx *cx);
void hc_relock(struct hvctx *cx);

/* Wait, without the lock, until some withdraw finishes a round. */
void hc_wait_left(struct hvctx *cx);

/* Input element i of a rep call whose header is hdr bytes and element
 * size is elem bytes. */
static inline const void *hc_in_elem(const struct hvctx *cx, uint32_t hdr,
				     uint32_t elem, uint32_t i)
{
	return (const uint8_t *)cx->in + hdr + (size_t)elem * i;
}

static inline void *hc_out_elem(const struct hvctx *cx, uint32_t elem,
				uint32_t i)
{
	return (uint8_t *)cx->out + (size_t)elem * i;
}

#endif /* OHV_HVCTX_H */
