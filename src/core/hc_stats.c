/*
 * HvMapStatsPage and HvUnmapStatsPage (SPEC 10): a page of counters of a
 * partition or of a VP, shared with the root (the page is one of the
 * root's pool, as Linux deposits into its own pool when the call asks for
 * memory).  The counters are those of the last map: mapping it again
 * gives the same page, refreshed.
 */
#include "handlers.h"
#include "surface.h"

#include <string.h>

#include "gpa.h"
#include "partition.h"
#include "vp.h"

/* Counters of a partition's page, in order. */
enum {
	PSTAT_VPS, PSTAT_POOL_AVAILABLE, PSTAT_POOL_IN_USE, PSTAT_CHILDREN,
	PSTAT_PORTS, PSTAT_CONNECTIONS, PSTAT_INTERCEPTS,
};
/* Counters of a VP's page. */
enum {
	VSTAT_RUNS, VSTAT_ASSERTED, VSTAT_SINTS_RAISED,
};

static void fill_partition(struct ohv *hv, struct partition *t, uint64_t *c)
{
	c[PSTAT_VPS] = t->nvps;
	c[PSTAT_POOL_AVAILABLE] = t->pool_available;
	c[PSTAT_POOL_IN_USE] = t->pool_in_use;
	c[PSTAT_CHILDREN] = t->nchildren;
	c[PSTAT_PORTS] = t->ports.count;
	c[PSTAT_CONNECTIONS] = t->conns.count;
	c[PSTAT_INTERCEPTS] = t->ext ? t->ext->nintercepts : 0;
}

static void fill_vp(struct vp *vp, uint64_t *c)
{
	uint64_t raised = 0;

	for (int s = 0; s < HV_SYNIC_SINT_COUNT; s++)
		raised += vp->synic.raised[s];
	c[VSTAT_RUNS] = vp->x.runs;
	c[VSTAT_ASSERTED] = vp->x.asserted;
	c[VSTAT_SINTS_RAISED] = raised;
}

/*
 * The page an identity names: the root's, of an Active partition it is
 * the parent of (or itself), area SELF or PARENT; HYPERVISOR and logical
 * processor objects are not modelled.
 */
static hv_status_t stats_target(struct hvctx *cx,
				const struct hv_input_map_stats_page *in,
				struct partition **t, struct vp **vp,
				struct shared_page **sp)
{
	if (!is_root(cx->hv, cx->caller))
		return HV_STATUS_ACCESS_DENIED;
	if (in->type != HV_STATS_OBJECT_PARTITION &&
	    in->type != HV_STATS_OBJECT_VP)
		return HV_STATUS_INVALID_PARAMETER;
	*t = partition_resolve(cx->hv, cx->caller, in->partition_id);
	if (!*t)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (*t != cx->caller && (*t)->parent != cx->caller)
		return HV_STATUS_ACCESS_DENIED;
	if ((*t)->state != OHV_STATE_ACTIVE)
		return HV_STATUS_INVALID_PARTITION_STATE;
	if (in->stats_area_type >= OHV_STATS_AREAS)
		return HV_STATUS_INVALID_PARAMETER;
	*vp = NULL;
	if (in->type == HV_STATS_OBJECT_VP) {
		*vp = partition_vp(*t, in->vp_index);
		if (!*vp)
			return HV_STATUS_INVALID_VP_INDEX;
		*sp = &(*vp)->x.stats[in->stats_area_type];
		return HV_STATUS_SUCCESS;
	}
	struct pext *x = pext_get(*t);

	if (!x)
		return HV_STATUS_NO_RESOURCES;
	*sp = &x->stats[in->stats_area_type];
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_map_stats_page(struct hvctx *cx)
{
	const struct hv_input_map_stats_page *in = cx->in;
	struct hv_output_map_stats_page *out = cx->out;
	struct partition *t;
	struct vp *vp;
	struct shared_page *sp;
	hv_status_t st = stats_target(cx, in, &t, &vp, &sp);

	if (st)
		return st;
	if (!shared_mapped(sp)) {
		st = shared_map(cx->hv, cx->caller, sp);
		if (st)
			return st;
	}
	uint64_t *c = frame_ptr(cx->hv, shared_frame(sp));

	if (vp)
		fill_vp(vp, c);
	else
		fill_partition(cx->hv, t, c);
	out->map_location = shared_frame(sp);
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_unmap_stats_page(struct hvctx *cx)
{
	const struct hv_input_map_stats_page *in = cx->in;
	struct partition *t;
	struct vp *vp;
	struct shared_page *sp;
	hv_status_t st = stats_target(cx, in, &t, &vp, &sp);

	if (st)
		return st;
	if (!shared_mapped(sp))
		return HV_STATUS_INVALID_PARAMETER;
	shared_unmap(cx->hv, sp);
	return HV_STATUS_SUCCESS;
}
