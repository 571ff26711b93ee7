#include "partition.h"

#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "hvcall.h"
#include "gpa.h"
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
static struct partition *partition_alloc(struct ohv *hv)
{
	if (slot_reserve(hv) || idmap_reserve(&hv->ids))
		return NULL;
	struct partition *p = ohv_calloc(1, partition_size(hv));

	if (!p)
		return NULL;
	for (uint32_t i = 0; i < hv->cfg.numa_nodes; i++)
		p->node[i].head = FRAME_NONE;
	charge_init(&p->object);
	charge_init(&p->init);
	p->cpu_cap = HV_CPU_CAP_DEFAULT;
	p->cpu_weight = HV_CPU_WEIGHT_DEFAULT;
	return p;
}

static void partition_free(struct partition *p)
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

static void link_child(struct partition *parent, struct partition *p)
{
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

static void unlink_child(struct partition *p)
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

/* ---------------------------------------------------------------------- */
/* Hypercalls.                                                             */

/*
 * The target of initialize, finalize and delete (seeds 001, 003; SPEC 4.2,
 * 4.4, 4.5): a live child of the caller.  SELF names no child.
 */
static hv_status_t child_target(struct hvctx *cx, uint64_t id,
				struct partition **out)
{
	struct partition *t = partition_get(cx->hv, id);

	if (!t)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (t->parent != cx->caller)
		return HV_STATUS_ACCESS_DENIED;
	*out = t;
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_create_partition(struct hvctx *cx)
{
	struct ohv *hv = cx->hv;
	struct partition *caller = cx->caller;
	struct hv_input_create_partition in;

	/* Normalise both layouts to the x64 one; a 2013 caller's zeroed
	 * tail makes the same request (SPEC 4.1). */
	if (hv->cfg.arch == OHV_ARCH_ARM64) {
		const struct hv_input_create_partition_arm64 *a = cx->in;

		memset(&in, 0, sizeof(in));
		in.flags = a->flags;
		in.proximity_domain_info = a->proximity_domain_info;
		in.compatibility_version = a->compatibility_version;
		in.disabled_processor_features[0] = a->disabled_processor_features[0];
		in.disabled_processor_features[1] = a->disabled_processor_features[1];
		in.isolation_properties = a->isolation_properties;
	} else {
		memcpy(&in, cx->in, sizeof(in));
	}

	/* seed 000/002: undefined or reserved flag bits. */
	if (in.flags & ~HV_PARTITION_CREATION_FLAGS_VALID)
		return HV_STATUS_INVALID_PARAMETER;
	/* seed 000: reserved bits in the proximity flags; SPEC 4.1: a
	 * required node that does not exist. */
	uint32_t pflags = in.proximity_domain_info.flags;

	if (pflags & HV_PROXIMITY_DOMAIN_RSVD_MASK)
		return HV_STATUS_INVALID_PARAMETER;
	if ((pflags & HV_PROXIMITY_DOMAIN_VALID) &&
	    !(pflags & HV_PROXIMITY_DOMAIN_PREFERRED) &&
	    in.proximity_domain_info.domain_id >= hv->cfg.numa_nodes)
		return HV_STATUS_INVALID_PARAMETER;
	/* seed 002: ReservedZ0 must be 0 (no isolation is supported). */
	if (in.isolation_properties)
		return HV_STATUS_INVALID_PARAMETER;
	if ((uint64_t)caller->depth + 1 > hv->cfg.max_depth)
		return HV_STATUS_PARTITION_TOO_DEEP;
	if (hv->live >= hv->cfg.max_partitions)
		return HV_STATUS_NO_RESOURCES;
	if (caller->pool_available < hv->cfg.costs.partition)
		return HV_STATUS_INSUFFICIENT_MEMORY;

	struct partition *p = partition_alloc(hv);

	if (!p)
		return HV_STATUS_NO_RESOURCES;
	if (hv->cfg.arch == OHV_ARCH_ARM64)
		in.flags &= ~HV_PARTITION_CREATION_FLAGS_X64_ONLY;
	p->creation_flags = in.flags;
	p->proximity = in.proximity_domain_info;
	p->compatibility_version = in.compatibility_version;
	p->disabled_features[0] = in.disabled_processor_features[0];
	p->disabled_features[1] = in.disabled_processor_features[1];
	p->disabled_xsave = in.disabled_processor_xsave_features;
	p->privileges = OHV_CHILD_PRIVILEGES;
	p->depth = caller->depth + 1;
	p->state = OHV_STATE_UNINITIALIZED;
	/* Nothing can fail from here on. */
	pool_charge(hv, caller, hv->cfg.costs.partition,
		    pool_preferred_node(hv, p->proximity), &p->object);
	partition_publish(hv, p);
	link_child(caller, p);
	((struct hv_output_create_partition *)cx->out)->partition_id = p->id;
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_initialize_partition(struct hvctx *cx)
{
	const struct hv_input_initialize_partition *in = cx->in;
	struct ohv *hv = cx->hv;
	struct partition *t;
	hv_status_t st = child_target(cx, in->partition_id, &t);

	if (st)
		return st;
	if (t->state != OHV_STATE_UNINITIALIZED)
		return HV_STATUS_INVALID_PARTITION_STATE;
	if (t->pool_available < hv->cfg.costs.initialize)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	/* seed 001 NO_RESOURCES: the host cannot hold the partition's
	 * runtime structures (its VP table, the backend's state). */
	if (vp_table_alloc(t))
		return HV_STATUS_NO_RESOURCES;
	if (seam_partition_init(hv, t)) {
		ohv_free(t->vps);
		t->vps = NULL;
		return HV_STATUS_NO_RESOURCES;
	}
	/* seed 001: allocated preferring the proximity domain of create. */
	pool_charge(hv, t, hv->cfg.costs.initialize,
		    pool_preferred_node(hv, t->proximity), &t->init);
	t->state = OHV_STATE_ACTIVE;
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_finalize_partition(struct hvctx *cx)
{
	const struct hv_input_finalize_partition *in = cx->in;
	struct ohv *hv = cx->hv;
	struct partition *t;
	hv_status_t st = child_target(cx, in->partition_id, &t);

	if (st)
		return st;
	if (t->state != OHV_STATE_ACTIVE)
		return HV_STATUS_INVALID_PARTITION_STATE;
	/* seed 003: "The specified partition has one or more children." */
	if (t->nchildren)
		return HV_STATUS_OPERATION_DENIED;
	/* Ports (and their queued messages), connections, VPs and mappings
	 * go, and every in-use page becomes available; the pool stays for
	 * withdrawal (SPEC 4.4). */
	synic_partition_finalize(hv, t);
	pext_finalize(hv, t);
	vp_delete_all(hv, t);
	/* The backend stops and frees the partition's VM (every VP went). */
	seam_partition_fini(hv, t);
	gpa_space_destroy(hv, t);
	pool_uncharge(hv, t, &t->init);
	t->state = OHV_STATE_FINALIZED;
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_delete_partition(struct hvctx *cx)
{
	const struct hv_input_delete_partition *in = cx->in;
	struct ohv *hv = cx->hv;
	struct partition *t;
	hv_status_t st = child_target(cx, in->partition_id, &t);

	if (st)
		return st;
	if (t->state != OHV_STATE_FINALIZED &&
	    t->state != OHV_STATE_UNINITIALIZED)
		return HV_STATUS_INVALID_PARTITION_STATE;
	if (t->pool_available || t->pool_in_use)
		return HV_STATUS_OPERATION_DENIED;
	OHV_ASSERT(!t->nchildren && !t->backend_live);
	/* The create charge goes back to the creator's pool as available. */
	pool_uncharge(hv, t->parent, &t->object);
	unlink_child(t);
	partition_unpublish(hv, t);
	partition_free(t);
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_get_partition_id(struct hvctx *cx)
{
	((struct hv_output_get_partition_id *)cx->out)->partition_id =
		cx->caller->id;
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_get_next_child_partition(struct hvctx *cx)
{
	const struct hv_input_get_next_child_partition *in = cx->in;
	struct partition *parent =
		partition_resolve(cx->hv, cx->caller, in->parent_id);
	struct partition *next;

	if (!parent)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (parent != cx->caller)
		return HV_STATUS_ACCESS_DENIED;
	if (in->previous_child_id == HV_PARTITION_ID_INVALID) {
		next = parent->first_child;
	} else {
		struct partition *prev =
			partition_get(cx->hv, in->previous_child_id);

		if (!prev || prev->parent != parent)
			return HV_STATUS_INVALID_PARTITION_ID;
		next = prev->next_sibling;
	}
	((struct hv_output_get_next_child_partition *)cx->out)->next_child_id =
		next ? next->id : HV_PARTITION_ID_INVALID;
	return HV_STATUS_SUCCESS;
}
