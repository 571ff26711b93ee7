/*
 * Memory pools (SPEC 1, 5): frames move from a GPA space into a pool by
 * deposit, are charged to hypervisor objects while in use, and go back to
 * the GPA space they came from, zeroed, by withdraw.
 */
#ifndef OHV_POOL_H
#define OHV_POOL_H

#include "internal.h"

#define NODE_ANY	UINT32_MAX

static inline void charge_init(struct charge *c)
{
	c->head = FRAME_NONE;
	c->count = 0;
}

/* Put a frame that just left its depositor's GPA space (where it was page
 * dep_gpa) into p's pool, available. */
void pool_put(struct ohv *hv, struct partition *p, uint32_t frame,
	      uint64_t dep_gpa);

/*
 * Start withdrawing up to want available frames of p's pool into frames:
 * from node when required, else from node first when node is not
 * NODE_ANY, then from the others.  The frames leave the free lists and
 * the available count at once (SPEC 2: nobody may count or charge them)
 * but stay in the pool (FRAME_LEAVING, p->pool_leaving) until pool_leave,
 * so no frame is ever in no place and the pool cannot be deleted under
 * the withdraw.  Returns how many were taken (0 when the lists are empty).
 */
uint32_t pool_detach_many(struct ohv *hv, struct partition *p, uint32_t node,
			  bool required, uint32_t *frames, uint32_t want);

/* Or call it off: the frame goes back on its free list. */
void pool_undetach(struct ohv *hv, struct partition *p, uint32_t frame);

/* Finish it: the frame is out of the pool and back in a GPA space state
 * (the caller puts it there with gpa_return).  Its depositor GPA page
 * (frame_dep_gpa) is still readable until then. */
void pool_leave(struct ohv *hv, struct partition *p, uint32_t frame);

/*
 * Charge n available pages of p's pool to an object (preferring node), or
 * return false and change nothing when fewer than n are available.  The
 * one place that decides whether a pool can pay: callers charge before
 * they ask the host for memory and pool_uncharge when the host refuses.
 */
bool pool_charge(struct ohv *hv, struct partition *p, uint32_t n,
		 uint32_t node, struct charge *c);

/* Return every page of a charge to p's pool as available. */
void pool_uncharge(struct ohv *hv, struct partition *p, struct charge *c);

/* The preferred node of a proximity domain info, or NODE_ANY. */
uint32_t pool_preferred_node(const struct ohv *hv,
			     struct hv_proximity_domain_info pi);

#endif /* OHV_POOL_H */
