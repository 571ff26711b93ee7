/*
 * The target checks the calls of the Linux root's wider surface share
 * (SPEC 10): an Active child of the caller, and a VP of it.
 */
#include "handlers.h"
#include "partition.h"

hv_status_t surface_child(struct hvctx *cx, uint64_t id, struct partition **out)
{
	struct partition *t = partition_get(cx->hv, id);

	if (!t)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (t->parent != cx->caller)
		return HV_STATUS_ACCESS_DENIED;
	if (t->state != OHV_STATE_ACTIVE)
		return HV_STATUS_INVALID_PARTITION_STATE;
	*out = t;
	return HV_STATUS_SUCCESS;
}

hv_status_t surface_child_vp(struct hvctx *cx, uint64_t id, uint32_t index,
			     struct partition **out, struct vp **vp)
{
	hv_status_t st = surface_child(cx, id, out);

	if (st)
		return st;
	*vp = partition_vp(*out, index);
	return *vp ? HV_STATUS_SUCCESS : HV_STATUS_INVALID_VP_INDEX;
}
