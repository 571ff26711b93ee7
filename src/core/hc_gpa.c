/* SPDX-License-Identifier: MIT */
/*
 * HvMapGpaPages and HvUnmapGpaPages (spec.md §6): targets, flags and rep
 * loops; the mapping itself, transitive revocation included, is gpa.c's.
 */
#include "handlers.h"
#include "gpa.h"
#include "partition.h"
#include "surface.h"

/*
 * The target of a map or unmap: an Active child of the caller.  The root
 * may also name itself for HvMapGpaPages, to change its own rights; any
 * other partition may name itself for HvUnmapGpaPages, to give up pages
 * of its own GPA space (spec.md §6).
 */
static hv_status_t map_target(struct hvctx *cx, uint64_t id, bool map,
			      struct partition **out)
{
	const bool root = is_root(cx->hv, cx->caller);
	/* Where the caller may name itself: the root maps on itself, a
	 * child unmaps on itself. */
	const bool self_ok = map ? root : !root;

	/* spec.md §4: where the target must be a child, SELF names none. */
	if (id == HV_PARTITION_ID_SELF && !self_ok)
		return HV_STATUS_INVALID_PARTITION_ID;
	struct partition *t = partition_resolve(cx->hv, cx->caller, id);

	if (!t)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (t == cx->caller) {
		if (!self_ok)
			return HV_STATUS_ACCESS_DENIED;
	} else if (t->parent != cx->caller) {
		return HV_STATUS_ACCESS_DENIED;
	}
	if (t->state != OHV_STATE_ACTIVE)
		return HV_STATUS_INVALID_PARTITION_STATE;
	*out = t;
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_map_gpa_pages(struct hvctx *cx)
{
	const struct hv_input_map_gpa_pages *in = cx->in;
	struct partition *t;
	hv_status_t st = map_target(cx, in->target_partition_id, true, &t);

	if (st)
		return st;
	/* spec.md §6: R/W/X bits, ADJUSTABLE (recorded) and LARGE_PAGE; no
	 * write without read. */
	const unsigned flags = in->map_flags & GPA_FULL;
	const bool large = in->map_flags & HV_MAP_GPA_LARGE_PAGE;
	const uint32_t span = large ? GPA_REGION_PAGES : 1;

	if ((in->map_flags & ~(GPA_FULL | HV_MAP_GPA_ADJUSTABLE |
			       HV_MAP_GPA_LARGE_PAGE)) ||
	    ((flags & GPA_WRITE) && !(flags & GPA_READ)))
		return HV_STATUS_INVALID_PARAMETER;
	/* A large page: 512 frames from a 2 MiB-aligned source page to a
	 * 2 MiB-aligned target (spec.md §6). */
	if (large && (in->target_gpa_base & (GPA_REGION_PAGES - 1)))
		return HV_STATUS_INVALID_PARAMETER;
	if ((in->map_flags & HV_MAP_GPA_ADJUSTABLE) && !pext_get(t))
		return HV_STATUS_NO_RESOURCES;
	if (in->map_flags & HV_MAP_GPA_ADJUSTABLE)
		t->ext->adjustable = true;
	for (uint32_t i = cx->rep_start; i < cx->rep_count; i++) {
		uint64_t source = in->source_gpa_page_list[i];

		if (large)
			st = gpa_large_ok(cx->hv, cx->caller, t, in->target_gpa_base + (uint64_t)span * i,
				      source, flags);
		for (uint32_t k = 0; !st && k < span; k++) {
			uint64_t page = in->target_gpa_base + (uint64_t)span * i + k;

			if (in->target_gpa_base >= HV_GPA_PAGE_LIMIT ||
			    page >= HV_GPA_PAGE_LIMIT)
				st = HV_STATUS_INVALID_PARAMETER;
			else if (t == cx->caller)
				st = gpa_map_identity(cx->hv, page, source + k, flags);
			else
				st = gpa_map_page(cx->hv, cx->caller, t, page, source + k, flags);
		}
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

hv_status_t hc_unmap_gpa_pages(struct hvctx *cx)
{
	const struct hv_input_unmap_gpa_pages *in = cx->in;
	struct partition *t;
	hv_status_t st = map_target(cx, in->target_partition_id, false, &t);

	if (st)
		return st;
	/* LARGE_PAGE: each rep unmaps 512 pages (spec.md §6); nothing else. */
	const uint32_t span = in->unmap_flags & HV_UNMAP_GPA_LARGE_PAGE ?
			      GPA_REGION_PAGES : 1;

	if ((in->unmap_flags & ~HV_UNMAP_GPA_LARGE_PAGE) ||
	    (span > 1 && (in->target_gpa_base & (GPA_REGION_PAGES - 1))))
		return HV_STATUS_INVALID_PARAMETER;
	for (uint32_t i = cx->rep_start; i < cx->rep_count; i++) {
		const uint64_t first = in->target_gpa_base + (uint64_t)span * i;

		/* An element is done whole or not at all (SPEC 3.2): a large
		 * page checks its 512 pages before it unmaps one (the base is
		 * aligned, so all of them are below 2^40 or none is). */
		for (uint32_t k = 0; span > 1 && k < span; k++) {
			if (in->target_gpa_base >= HV_GPA_PAGE_LIMIT ||
			    first >= HV_GPA_PAGE_LIMIT)
				break;
			st = gpa_unmap_ok(cx->hv, cx->caller, t, first + k);
			if (st) {
				cx->rep_done = i;
				return st;
			}
		}
		for (uint32_t k = 0; k < span; k++) {
			uint64_t page = first + k;

			if (in->target_gpa_base >= HV_GPA_PAGE_LIMIT ||
			    page >= HV_GPA_PAGE_LIMIT) {
				cx->rep_done = i;
				return HV_STATUS_INVALID_PARAMETER;
			}
			st = gpa_unmap_page(cx->hv, cx->caller, t, page);
			if (st) {
				cx->rep_done = i;
				return st;
			}
		}
		if (hc_budget_spent(cx, i)) {
			cx->rep_done = i + 1;
			return HV_STATUS_SUCCESS;
		}
	}
	cx->rep_done = cx->rep_count;
	return HV_STATUS_SUCCESS;
}
