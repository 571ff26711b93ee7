/*
 * HvCreateVp, HvDeleteVp, HvGetVpRegisters and HvSetVpRegisters (SPEC 7).
 */
#include <string.h>

#include "handlers.h"
#include "partition.h"
#include "pool.h"
#include "seam.h"
#include "surface.h"
#include "synic.h"
#include "vp.h"

/*
 * The partition and VP a register call names: a child of the caller, or
 * the caller itself when it holds AccessVpRegisters (SPEC 3.3, 7).
 */
static hv_status_t reg_target(struct hvctx *cx, uint64_t partition_id,
			      uint32_t vp_index, uint8_t input_vtl,
			      struct partition **tp, struct vp **vpp)
{
	struct partition *t = partition_resolve(cx->hv, cx->caller, partition_id);

	if (!t)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (t == cx->caller) {
		if (!partition_has(t, HV_PARTITION_PRIV_ACCESS_VP_REGISTERS))
			return HV_STATUS_ACCESS_DENIED;
		if (vp_index == HV_VP_INDEX_SELF)
			vp_index = cx->vp->index;
	} else if (t->parent != cx->caller) {
		return HV_STATUS_ACCESS_DENIED;
	}
	if (t->state != OHV_STATE_ACTIVE)
		return HV_STATUS_INVALID_PARTITION_STATE;
	/* HV_INPUT_VTL: only VTL 0 exists here; 0 or "use target VTL 0". */
	if (input_vtl != 0 && input_vtl != 0x10)
		return HV_STATUS_INVALID_PARAMETER;
	*vpp = partition_vp(t, vp_index);
	if (!*vpp)
		return HV_STATUS_INVALID_VP_INDEX;
	*tp = t;
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_get_vp_registers(struct hvctx *cx)
{
	const struct hv_input_get_vp_registers *in = cx->in;
	struct partition *t;
	struct vp *vp;
	hv_status_t st = reg_target(cx, in->partition_id, in->vp_index,
				    in->input_vtl, &t, &vp);

	if (st)
		return st;
	vpstate_sync_in(cx->hv, vp);	/* the register page's dirty fields */
	for (uint32_t i = cx->rep_start; i < cx->rep_count; i++) {
		union hv_register_value *v = hc_out_elem(cx, sizeof(*v), i);

		memset(v, 0, sizeof(*v));
		st = vp_reg_access(cx->hv, t, vp, in->names[i], v, false);
		if (st) {
			cx->rep_done = i;
			return st;
		}
		if (hc_budget_spent(cx, i)) {
			cx->rep_done = i + 1;
			return HV_STATUS_SUCCESS;
		}
	}
	cx->rep_done = cx->rep_count;
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_set_vp_registers(struct hvctx *cx)
{
	const struct hv_input_set_vp_registers *in = cx->in;
	struct partition *t;
	struct vp *vp;
	hv_status_t st = reg_target(cx, in->partition_id, in->vp_index,
				    in->input_vtl, &t, &vp);

	if (st)
		return st;
	vpstate_sync_in(cx->hv, vp);
	for (uint32_t i = cx->rep_start; i < cx->rep_count; i++) {
		union hv_register_value v = in->elements[i].value;

		st = vp_reg_access(cx->hv, t, vp, in->elements[i].name, &v,
				   true);
		/* The register page shows what was written. */
		vpstate_sync_out(cx->hv, vp);
		if (st) {
			cx->rep_done = i;
			return st;
		}
		if (hc_budget_spent(cx, i)) {
			cx->rep_done = i + 1;
			return HV_STATUS_SUCCESS;
		}
	}
	cx->rep_done = cx->rep_count;
	return HV_STATUS_SUCCESS;
}

/* The target of create/delete VP: an Active child of the caller. */
static hv_status_t vp_partition(struct hvctx *cx, uint64_t id,
				struct partition **out)
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

hv_status_t hc_create_vp(struct hvctx *cx)
{
	const struct hv_input_create_vp *in = cx->in;
	struct ohv *hv = cx->hv;
	struct hv_proximity_domain_info pi = in->proximity_domain_info;
	struct partition *t;
	hv_status_t st = vp_partition(cx, in->partition_id, &t);

	if (st)
		return st;
	/* SPEC 7: Flags and SubnodeType must be 0; proximity as create. */
	if (in->flags || in->subnode_type != HV_SUBNODE_ANY)
		return HV_STATUS_INVALID_PARAMETER;
	if ((pi.flags & HV_PROXIMITY_DOMAIN_RSVD_MASK) ||
	    ((pi.flags & HV_PROXIMITY_DOMAIN_VALID) &&
	     !(pi.flags & HV_PROXIMITY_DOMAIN_PREFERRED) &&
	     pi.domain_id >= hv->cfg.numa_nodes))
		return HV_STATUS_INVALID_PARAMETER;
	if (in->vp_index >= OHV_MAX_VPS || t->vps[in->vp_index])
		return HV_STATUS_INVALID_VP_INDEX;

	/* The pool pays first, then the host; a refusal undoes the charge. */
	struct charge charge;
	uint32_t node = pool_preferred_node(hv, pi);

	if (node == NODE_ANY)
		node = pool_preferred_node(hv, t->proximity);
	charge_init(&charge);
	if (!pool_charge(hv, t, hv->cfg.costs.vp, node, &charge))
		return HV_STATUS_INSUFFICIENT_MEMORY;

	struct vp *vp = vp_alloc(in->vp_index);

	if (!vp) {
		pool_uncharge(hv, t, &charge);
		return HV_STATUS_NO_RESOURCES;
	}
	vp->charge = charge;
	/* TLFS 2.0 §10.4.1: created explicitly suspended. */
	vp->suspended = true;
	if (seam_vp_create(hv, t, vp)) {
		pool_uncharge(hv, t, &vp->charge);
		vp_free(vp);
		return HV_STATUS_NO_RESOURCES;
	}
	t->vps[in->vp_index] = vp;
	t->nvps++;
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_delete_vp(struct hvctx *cx)
{
	const struct hv_input_delete_vp *in = cx->in;
	struct partition *t;
	hv_status_t st = vp_partition(cx, in->partition_id, &t);

	if (st)
		return st;
	struct vp *vp = partition_vp(t, in->vp_index);

	if (!vp)
		return HV_STATUS_INVALID_VP_INDEX;
	/* Messages waiting for it are lost with it. */
	seam_vp_delete(cx->hv, vp);
	synic_vp_delete(cx->hv, vp);
	vpx_delete(cx->hv, vp);
	pool_uncharge(cx->hv, t, &vp->charge);
	t->vps[in->vp_index] = NULL;
	t->nvps--;
	vp_free(vp);
	return HV_STATUS_SUCCESS;
}
