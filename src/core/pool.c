#include "pool.h"

#include <string.h>

#include "gpa.h"
#include "partition.h"

void pool_put(struct ohv *hv, struct partition *p, uint32_t frame,
	      uint64_t dep_gpa)
{
	LOCK_HELD(hv);
	struct frame *f = &hv->frames[frame];
	struct pool_node *n = &p->node[frame_node(hv, frame)];

	OHV_ASSERT(f->state == FRAME_GPA && f->maps == 0);
	f->state = FRAME_AVAILABLE;
	f->owner1 = p->slot + 1;
	frame_set_dep_gpa(f, dep_gpa);
	f->next = n->head;
	n->head = frame;
	n->available++;
	p->pool_available++;
}

static uint32_t pop_available(struct ohv *hv, struct partition *p,
			      uint32_t node)
{
	struct pool_node *n = &p->node[node];
	uint32_t frame = n->head;

	if (frame == FRAME_NONE)
		return FRAME_NONE;
	n->head = hv->frames[frame].next;
	n->available--;
	p->pool_available--;
	return frame;
}

uint32_t pool_detach_many(struct ohv *hv, struct partition *p, uint32_t node,
			  bool required, uint32_t *frames, uint32_t want)
{
	const uint32_t nodes = hv->cfg.numa_nodes;
	uint32_t k = node == NODE_ANY ? 0 : node, got = 0;

	/* The wanted node first, then (unless required) every other. */
	for (uint32_t tries = 0; tries < nodes && got < want; tries++) {
		struct pool_node *n = &p->node[k];
		uint32_t frame = n->head, taken = 0;

		while (frame != FRAME_NONE && got < want) {
			struct frame *f = &hv->frames[frame];

			frames[got++] = frame;
			frame = f->next;
			f->state = FRAME_LEAVING;
			f->next = FRAME_NONE;
			taken++;
		}
		n->head = frame;
		/* Off the count at once: nobody may charge or count them. */
		n->leaving += taken;
		n->available -= taken;
		p->pool_leaving += taken;
		p->pool_available -= taken;
		if (required)
			break;
		k = k + 1 == nodes ? 0 : k + 1;
	}
	return got;
}

void pool_undetach(struct ohv *hv, struct partition *p, uint32_t frame)
{
	struct frame *f = &hv->frames[frame];
	struct pool_node *n = &p->node[frame_node(hv, frame)];

	OHV_ASSERT(f->state == FRAME_LEAVING && f->owner1 == p->slot + 1);
	n->leaving--;
	n->available++;
	p->pool_leaving--;
	p->pool_available++;
	f->state = FRAME_AVAILABLE;
	f->next = n->head;
	n->head = frame;
}

void pool_leave(struct ohv *hv, struct partition *p, uint32_t frame)
{
	struct frame *f = &hv->frames[frame];
	struct pool_node *n = &p->node[frame_node(hv, frame)];

	OHV_ASSERT(f->state == FRAME_LEAVING && f->owner1 == p->slot + 1);
	n->leaving--;
	p->pool_leaving--;
	f->state = FRAME_GPA;
	f->owner1 = 0;
	f->next = 0;
}

bool pool_charge(struct ohv *hv, struct partition *p, uint32_t n,
		 uint32_t node, struct charge *c)
{
	LOCK_HELD(hv);
	const uint32_t nodes = hv->cfg.numa_nodes;
	struct charge got;

	/* The one place that decides whether a pool can pay (SPEC 2):
	 * frames a withdraw is taking are off the lists and the counts. */
	if (p->pool_available < n)
		return false;
	charge_init(&got);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t frame = FRAME_NONE;

		if (node != NODE_ANY && node < nodes)
			frame = pop_available(hv, p, node);
		for (uint32_t k = 0; frame == FRAME_NONE && k < nodes; k++)
			frame = pop_available(hv, p, k);
		if (frame == FRAME_NONE) {
			/* The counts and the lists disagree: give back what
			 * was taken rather than run past the nodes. */
			OHV_ASSERT(!"pool counts and free lists disagree");
			pool_uncharge(hv, p, &got);
			return false;
		}
		struct frame *f = &hv->frames[frame];

		f->state = FRAME_IN_USE;
		f->next = got.head;
		got.head = frame;
		got.count++;
		p->node[frame_node(hv, frame)].in_use++;
		p->pool_in_use++;
	}
	/* Callers charge each object once, into an empty charge; should
	 * one add to a charge, the new frames go in front of the old. */
	if (c->count && got.count) {
		uint32_t last = got.head;

		while (hv->frames[last].next != FRAME_NONE)
			last = hv->frames[last].next;
		hv->frames[last].next = c->head;
		got.count += c->count;
	}
	if (got.count)
		*c = got;
	return true;
}

void pool_uncharge(struct ohv *hv, struct partition *p, struct charge *c)
{
	LOCK_HELD(hv);
	uint32_t frame = c->head;

	while (frame != FRAME_NONE) {
		struct frame *f = &hv->frames[frame];
		struct pool_node *n = &p->node[frame_node(hv, frame)];
		uint32_t next = f->next;

		OHV_ASSERT(f->state == FRAME_IN_USE && f->owner1 == p->slot + 1);
		f->state = FRAME_AVAILABLE;
		f->next = n->head;
		n->head = frame;
		n->in_use--;
		n->available++;
		p->pool_in_use--;
		p->pool_available++;
		frame = next;
	}
	charge_init(c);
}

uint32_t pool_preferred_node(const struct ohv *hv,
			     struct hv_proximity_domain_info pi)
{
	if (!(pi.flags & HV_PROXIMITY_DOMAIN_VALID) ||
	    pi.domain_id >= hv->cfg.numa_nodes)
		return NODE_ANY;
	return pi.domain_id;
}
