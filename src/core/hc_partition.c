/*
 * HvCreatePartition, HvInitializePartition, HvFinalizePartition,
 * HvDeletePartition, HvGetPartitionId and HvGetNextChildPartition
 * (SPEC 4; seeds 000-003).
 */
#include <string.h>

#include "alloc.h"
#include "handlers.h"
#include "gpa.h"
#include "partition.h"
#include "pool.h"
#include "seam.h"
#include "surface.h"
#include "synic.h"
#include "vp.h"

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

	/* SPEC 4.1 step 7: the pool pays first (pool_charge alone decides
	 * whether it can), then the host; a host refusal gives the pages
	 * back, so a failure leaves nothing behind. */
	struct charge object;

	charge_init(&object);
	if (!pool_charge(hv, caller, hv->cfg.costs.partition,
			 pool_preferred_node(hv, in.proximity_domain_info),
			 &object))
		return HV_STATUS_INSUFFICIENT_MEMORY;

	struct partition *p = partition_alloc(hv);

	if (!p) {
		pool_uncharge(hv, caller, &object);
		return HV_STATUS_NO_RESOURCES;
	}
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
	p->object = object;
	partition_link(hv, caller, p);
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
	/* seed 001: allocated preferring the proximity domain of create;
	 * the pool pays before the host is asked (SPEC 4.2 step 4). */
	if (!pool_charge(hv, t, hv->cfg.costs.initialize,
			 pool_preferred_node(hv, t->proximity), &t->init))
		return HV_STATUS_INSUFFICIENT_MEMORY;
	/* seed 001 NO_RESOURCES: the host cannot hold the partition's
	 * runtime structures (its VP table, the backend's state). */
	if (vp_table_alloc(t)) {
		pool_uncharge(hv, t, &t->init);
		return HV_STATUS_NO_RESOURCES;
	}
	if (seam_partition_init(hv, t)) {
		ohv_free(t->vps);
		t->vps = NULL;
		pool_uncharge(hv, t, &t->init);
		return HV_STATUS_NO_RESOURCES;
	}
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
	/* Pages a withdraw is still taking are in the pool too. */
	if (t->pool_available || t->pool_in_use || t->pool_leaving)
		return HV_STATUS_OPERATION_DENIED;
	OHV_ASSERT(!t->nchildren && !t->backend_live);
	/* The create charge goes back to the creator's pool as available. */
	pool_uncharge(hv, t->parent, &t->object);
	partition_unlink(hv, t);
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
