/* SPDX-License-Identifier: MIT */
#include "partition.h"

#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "gpa.h"
#include "guest.h"
#include "pool.h"
#include "seam.h"
#include "synic.h"
#include "vp.h"

struct vp *partition_vp(const struct partition *p, uint32_t index)
{
	if (!p->vps || index >= OHV_MAX_VPS)
		return NULL;
	return p->vps[index];
}

/* A slot for a new partition, so frames can name its pool in 32 bits. */
static int slot_reserve(struct ohv *hv)
{
	if (hv->nfree || hv->nslots < hv->slot_cap)
		return 0;
	if (hv->slot_cap >= UINT32_MAX / 2)
		return -ENOMEM;
	uint32_t cap = hv->slot_cap ? hv->slot_cap * 2 : 64;
	struct partition **slots = ohv_calloc(cap, sizeof(*slots));
	uint32_t *free_stack = ohv_calloc(cap, sizeof(*free_stack));

	if (!slots || !free_stack) {
		ohv_free(slots);
		ohv_free(free_stack);
		return -ENOMEM;
	}
	if (hv->nslots) {
		memcpy(slots, hv->slots, hv->nslots * sizeof(*slots));
		memcpy(free_stack, hv->slot_free, hv->nfree * sizeof(*free_stack));
	}
	ohv_free(hv->slots);
	ohv_free(hv->slot_free);
	hv->slots = slots;
	hv->slot_free = free_stack;
	hv->slot_cap = cap;
	return 0;
}

static uint32_t slot_take(struct ohv *hv, struct partition *p)
{
	uint32_t slot = hv->nfree ? hv->slot_free[--hv->nfree] : hv->nslots++;

	hv->slots[slot] = p;
	return slot;
}

static void slot_release(struct ohv *hv, uint32_t slot)
{
	hv->slots[slot] = NULL;
	hv->slot_free[hv->nfree++] = slot;
}

/*
 * Allocate a partition object with every host resource it needs, so that
 * linking it in afterwards cannot fail.  Returns NULL on host exhaustion.
 */
struct partition *partition_alloc(struct ohv *hv)
{
	if (slot_reserve(hv) || idmap_reserve(&hv->ids))
		return NULL;
	struct partition *p = ohv_calloc(1, partition_size(hv));

	if (!p)
		return NULL;
	for (uint32_t i = 0; i < hv->cfg.numa_nodes; i++)
		p->node[i].head = FRAME_NONE;
	idmap_init(&p->gpa, &hv->idkey);
	idmap_init(&p->ports, &hv->idkey);
	idmap_init(&p->conns, &hv->idkey);
	charge_init(&p->object);
	charge_init(&p->init);
	p->cpu_cap = HV_CPU_CAP_DEFAULT;
	p->cpu_weight = HV_CPU_WEIGHT_DEFAULT;
	p->ref_time_base = guest_now_ns();
	return p;
}

void partition_free(struct partition *p)
{
	gpa_space_free(p);
	synic_partition_free(p);
	pext_free(p);
	if (p->vps) {
		for (uint32_t i = 0; i < OHV_MAX_VPS; i++)
			vp_free(p->vps[i]);
		ohv_free(p->vps);
	}
	ohv_free(p);
}

/* Give a new partition its id and slot: cannot fail after partition_alloc. */
static void partition_publish(struct ohv *hv, struct partition *p)
{
	p->id = hv->next_id++;
	p->slot = slot_take(hv, p);
	idmap_put(&hv->ids, p->id, p);
	hv->live++;
}

static void partition_unpublish(struct ohv *hv, struct partition *p)
{
	idmap_del(&hv->ids, p->id);
	slot_release(hv, p->slot);
	hv->live--;
}

void partition_link(struct ohv *hv, struct partition *parent,
		    struct partition *p)
{
	partition_publish(hv, p);
	p->parent = parent;
	p->prev_sibling = parent->last_child;
	p->next_sibling = NULL;
	if (parent->last_child)
		parent->last_child->next_sibling = p;
	else
		parent->first_child = p;
	parent->last_child = p;
	parent->nchildren++;
}

void partition_unlink(struct ohv *hv, struct partition *p)
{
	struct partition *parent = p->parent;

	if (p->prev_sibling)
		p->prev_sibling->next_sibling = p->next_sibling;
	else
		parent->first_child = p->next_sibling;
	if (p->next_sibling)
		p->next_sibling->prev_sibling = p->prev_sibling;
	else
		parent->last_child = p->prev_sibling;
	parent->nchildren--;
	p->parent = p->prev_sibling = p->next_sibling = NULL;
	partition_unpublish(hv, p);
}

int partition_create_root(struct ohv *hv)
{
	struct partition *p = partition_alloc(hv);

	if (!p)
		return -ENOMEM;
	if (vp_table_alloc(p)) {
		partition_free(p);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < hv->cfg.root_vps; i++) {
		struct vp *vp = vp_alloc(i);

		if (!vp) {
			partition_free(p);
			return -ENOMEM;
		}
		/* The root runs from ohv_open on; its VPs cost no pool pages. */
		vp->suspended = false;
		p->vps[i] = vp;
		p->nvps++;
	}
	p->depth = 1;
	p->state = OHV_STATE_ACTIVE;
	p->privileges = hv->cfg.root_privileges;
	partition_publish(hv, p);
	OHV_ASSERT(p->id == 1);
	hv->root = p;
	return 0;
}

void partition_destroy_all(struct ohv *hv)
{
	for (uint32_t i = 0; i < hv->nslots; i++) {
		struct partition *p = hv->slots[i];

		if (!p)
			continue;
		/* Backend state first: VPs, then the partition. */
		if (hv->backend && p->backend_live) {
			for (uint32_t v = 0; p->vps && v < OHV_MAX_VPS; v++)
				if (p->vps[v])
					seam_vp_delete(hv, p->vps[v]);
			seam_partition_fini(hv, p);
		}
		partition_free(p);
		hv->slots[i] = NULL;
	}
	hv->root = NULL;
	hv->live = 0;
}
