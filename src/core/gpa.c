#include "gpa.h"

#include <string.h>

#include "alloc.h"
#include "handlers.h"
#include "partition.h"
#include "surface.h"
#include "pool.h"

static struct gpa_table *table_get(const struct partition *p, uint64_t page)
{
	return idmap_get(&p->gpa, (page >> GPA_REGION_SHIFT) + 1);
}

static struct gpa_entry *entry_get(const struct partition *p, uint64_t page)
{
	struct gpa_table *t = table_get(p, page);

	return t ? &t->e[page & (GPA_REGION_PAGES - 1)] : NULL;
}

bool gpa_lookup(const struct ohv *hv, const struct partition *p,
		uint64_t gpa_page, uint32_t *frame, unsigned *rights)
{
	unsigned r;

	if (is_root(hv, p)) {
		/* The identity map of the machine frames, minus frames in
		 * pools and the rights the root gave up on its own map. */
		if (gpa_page >= hv->cfg.memory_pages)
			return false;
		const struct frame *f = &hv->frames[gpa_page];

		if (f->state != FRAME_GPA)
			return false;
		*frame = (uint32_t)gpa_page;
		r = GPA_FULL & ~(unsigned)f->root_deny;
	} else {
		if (gpa_page >= HV_GPA_PAGE_LIMIT)
			return false;
		const struct gpa_entry *e = entry_get(p, gpa_page);

		if (!e || e->state != GPA_MAPPED)
			return false;
		*frame = e->frame;
		r = e->flags;
	}
	if (!r)
		return false;
	*rights = r;
	return true;
}

void *gpa_ptr(const struct ohv *hv, const struct partition *p, uint64_t gpa,
	      size_t len, unsigned need)
{
	if (!len)
		len = 1;
	if (gpa + len < gpa)
		return NULL;
	uint64_t first = gpa >> HV_PAGE_SHIFT;
	uint64_t last = (gpa + len - 1) >> HV_PAGE_SHIFT;
	uint32_t frame0 = 0;

	for (uint64_t page = first; page <= last; page++) {
		uint32_t frame;
		unsigned rights;

		if (!gpa_lookup(hv, p, page, &frame, &rights)) {
			/* Pages the root maps from a pool (surface.h). */
			if (!is_root(hv, p) || !surface_root_shares(hv, page))
				return NULL;
			frame = (uint32_t)page;
			rights = GPA_READ | GPA_WRITE;
		}
		if ((rights & need) != need)
			return NULL;
		if (page == first)
			frame0 = frame;
		else if (frame != frame0 + (page - first))
			return NULL;
	}
	return (uint8_t *)frame_ptr(hv, frame0) + (gpa & (HV_PAGE_SIZE - 1));
}

void *ohv_gpa(struct ohv *hv, uint64_t partition_id, uint64_t gpa, size_t len)
{
	if (!hv)
		return NULL;
	void *ptr = NULL;

	lock_take(hv);
	struct partition *p = partition_get(hv, partition_id);

	if (p)
		ptr = gpa_ptr(hv, p, gpa, len, 0);
	lock_drop(hv);
	return ptr;
}

/* ---------------------------------------------------------------------- */
/* Deposit and withdraw (SPEC 5.1, 5.2).                                   */

uint32_t gpa_lend(struct ohv *hv, struct partition *p, uint64_t gpa_page)
{
	uint32_t frame;
	unsigned rights;

	if (!gpa_lookup(hv, p, gpa_page, &frame, &rights) || rights != GPA_FULL)
		return FRAME_NONE;
	struct frame *f = &hv->frames[frame];

	if (is_root(hv, p)) {
		/* No child may reach it. */
		if (f->maps)
			return FRAME_NONE;
		return frame;
	}
	/* A child's page: only this mapping reaches the frame, and the root
	 * gave up its own access (a frame its parent handed it exclusively,
	 * SPEC 6). */
	if (f->maps != 1 || (f->root_deny & GPA_FULL) != GPA_FULL)
		return FRAME_NONE;
	entry_get(p, gpa_page)->state = GPA_LENT;
	f->maps = 0;
	return frame;
}

void gpa_return(struct ohv *hv, struct partition *p, uint32_t frame,
		uint64_t gpa_page)
{
	struct frame *f = &hv->frames[frame];

	OHV_ASSERT(f->state == FRAME_GPA);
	f->dep_hi = 0;
	if (is_root(hv, p)) {
		OHV_ASSERT(gpa_page == frame);
		f->maps = 0;
		f->root_deny = 0;	/* back with full access */
		return;
	}
	struct gpa_entry *e = entry_get(p, gpa_page);

	OHV_ASSERT(e && e->state == GPA_LENT && e->frame == frame);
	e->state = GPA_MAPPED;
	f->maps = 1;
}

/* ---------------------------------------------------------------------- */
/* Tables.                                                                 */

static void table_release(struct ohv *hv, struct partition *p,
			  struct gpa_table *t)
{
	idmap_del(&p->gpa, t->region + 1);
	pool_uncharge(hv, p, &t->charge);
	ohv_free(t);
}

/* Drop one entry's mapping; the table goes when it empties. */
static void entry_unmap(struct ohv *hv, struct partition *p,
			struct gpa_table *t, struct gpa_entry *e)
{
	OHV_ASSERT(e->state == GPA_MAPPED);
	hv->frames[e->frame].maps--;
	memset(e, 0, sizeof(*e));
	if (--t->used == 0)
		table_release(hv, p, t);
}

void gpa_space_destroy(struct ohv *hv, struct partition *p)
{
	for (size_t i = 0; i < p->gpa.cap; i++) {
		struct gpa_table *t = p->gpa.tab[i].value;

		if (!p->gpa.tab[i].key)
			continue;
		for (uint32_t k = 0; k < GPA_REGION_PAGES; k++) {
			struct gpa_entry *e = &t->e[k];

			/* Lent pages sit in a child's pool, and a partition
			 * with children cannot be finalized. */
			OHV_ASSERT(e->state != GPA_LENT);
			if (e->state == GPA_MAPPED)
				hv->frames[e->frame].maps--;
		}
		pool_uncharge(hv, p, &t->charge);
		ohv_free(t);
	}
	idmap_fini(&p->gpa);
}

void gpa_space_free(struct partition *p)
{
	for (size_t i = 0; i < p->gpa.cap; i++)
		if (p->gpa.tab[i].key)
			ohv_free(p->gpa.tab[i].value);
	idmap_fini(&p->gpa);
}

/*
 * The table for a page of t's GPA space, made when missing: charged to t's
 * pool (INSUFFICIENT_MEMORY when short, SPEC 6) and held on the host
 * (NO_RESOURCES when the host refuses).
 */
static hv_status_t table_for(struct ohv *hv, struct partition *t,
			     uint64_t page, struct gpa_table **out)
{
	struct gpa_table *tab = table_get(t, page);

	if (tab) {
		*out = tab;
		return HV_STATUS_SUCCESS;
	}
	/* The pool pays first, then the host; a refusal undoes the charge. */
	struct charge charge;

	charge_init(&charge);
	if (!pool_charge(hv, t, hv->cfg.costs.gpa_table,
			 pool_preferred_node(hv, t->proximity), &charge))
		return HV_STATUS_INSUFFICIENT_MEMORY;
	if (!idmap_reserve(&t->gpa))
		tab = ohv_calloc(1, sizeof(*tab));
	if (!tab) {
		pool_uncharge(hv, t, &charge);
		return HV_STATUS_NO_RESOURCES;
	}
	tab->region = page >> GPA_REGION_SHIFT;
	tab->charge = charge;
	idmap_put(&t->gpa, tab->region + 1, tab);
	*out = tab;
	return HV_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* Hypercalls (SPEC 6).                                                    */

/*
 * The target of a map or unmap: an Active child of the caller.  The root
 * may also name itself for HvMapGpaPages, to change its own rights.
 */
static hv_status_t map_target(struct hvctx *cx, uint64_t id, bool self_ok,
			      struct partition **out)
{
	/* SPEC 4: where the target must be a child, SELF names none; only
	 * the root's HvMapGpaPages on itself takes it (SPEC 6). */
	if (id == HV_PARTITION_ID_SELF && !(self_ok && is_root(cx->hv, cx->caller)))
		return HV_STATUS_INVALID_PARTITION_ID;
	struct partition *t = partition_resolve(cx->hv, cx->caller, id);

	if (!t)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (t == cx->caller) {
		if (!self_ok || !is_root(cx->hv, t))
			return HV_STATUS_ACCESS_DENIED;
	} else if (t->parent != cx->caller) {
		return HV_STATUS_ACCESS_DENIED;
	}
	if (t->state != OHV_STATE_ACTIVE)
		return HV_STATUS_INVALID_PARTITION_STATE;
	*out = t;
	return HV_STATUS_SUCCESS;
}

/* The root changes the rights of its own identity map: page must equal
 * source (SPEC 6).  Flags 0 gives up all access. */
static hv_status_t map_identity(struct ohv *hv, uint64_t page, uint64_t source,
				unsigned flags)
{
	if (source != page)
		return HV_STATUS_INVALID_PARAMETER;
	if (page >= hv->cfg.memory_pages ||
	    hv->frames[page].state != FRAME_GPA)
		return HV_STATUS_OPERATION_DENIED;
	hv->frames[page].root_deny = (uint8_t)(GPA_FULL & ~flags);
	return HV_STATUS_SUCCESS;
}

static hv_status_t map_one(struct hvctx *cx, struct partition *t,
			   uint64_t page, uint64_t source, unsigned flags)
{
	struct ohv *hv = cx->hv;
	uint32_t frame;
	unsigned rights;
	struct gpa_table *tab;
	hv_status_t st;

	/* The source must be reachable by the caller, with at least the
	 * rights it hands on: a parent cannot give more than it has. */
	if (!gpa_lookup(hv, cx->caller, source, &frame, &rights) ||
	    (flags & ~rights))
		return HV_STATUS_OPERATION_DENIED;
	st = table_for(hv, t, page, &tab);
	if (st)
		return st;
	struct gpa_entry *e = &tab->e[page & (GPA_REGION_PAGES - 1)];

	/* A lent page stays frozen until it is withdrawn. */
	if (e->state == GPA_LENT)
		return HV_STATUS_OBJECT_IN_USE;
	if (e->state == GPA_MAPPED)
		hv->frames[e->frame].maps--;	/* TLFS remap: replaced */
	else
		tab->used++;
	e->frame = frame;
	e->flags = (uint8_t)flags;
	e->state = GPA_MAPPED;
	hv->frames[frame].maps++;
	return HV_STATUS_SUCCESS;
}

/*
 * A large-page element maps its 512 frames or none: every check the
 * frames' maps would make, made first (they share one GPA table).
 */
static hv_status_t large_ok(struct hvctx *cx, struct partition *t,
			    uint64_t page, uint64_t source, unsigned flags)
{
	const struct gpa_table *tab;

	if ((source & (GPA_REGION_PAGES - 1)) || page >= HV_GPA_PAGE_LIMIT)
		return HV_STATUS_INVALID_PARAMETER;
	tab = t == cx->caller ? NULL : table_get(t, page);
	for (uint32_t k = 0; k < GPA_REGION_PAGES; k++) {
		uint32_t frame;
		unsigned rights;

		if (t == cx->caller) {
			if (source != page)
				return HV_STATUS_INVALID_PARAMETER;
			if (page + k >= cx->hv->cfg.memory_pages ||
			    cx->hv->frames[page + k].state != FRAME_GPA)
				return HV_STATUS_OPERATION_DENIED;
			continue;
		}
		if (!gpa_lookup(cx->hv, cx->caller, source + k, &frame, &rights) ||
		    (flags & ~rights))
			return HV_STATUS_OPERATION_DENIED;
		if (tab && tab->e[k].state == GPA_LENT)
			return HV_STATUS_OBJECT_IN_USE;
	}
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_map_gpa_pages(struct hvctx *cx)
{
	const struct hv_input_map_gpa_pages *in = cx->in;
	struct partition *t;
	hv_status_t st = map_target(cx, in->target_partition_id, true, &t);

	if (st)
		return st;
	/* SPEC 6: R/W/X bits, ADJUSTABLE (recorded) and LARGE_PAGE; no
	 * write without read. */
	const unsigned flags = in->map_flags & GPA_FULL;
	const bool large = in->map_flags & HV_MAP_GPA_LARGE_PAGE;
	const uint32_t span = large ? GPA_REGION_PAGES : 1;

	if ((in->map_flags & ~(GPA_FULL | HV_MAP_GPA_ADJUSTABLE |
			       HV_MAP_GPA_LARGE_PAGE)) ||
	    ((flags & GPA_WRITE) && !(flags & GPA_READ)))
		return HV_STATUS_INVALID_PARAMETER;
	/* A large page: 512 frames from a 2 MiB-aligned source page to a
	 * 2 MiB-aligned target (SPEC 6). */
	if (large && (in->target_gpa_base & (GPA_REGION_PAGES - 1)))
		return HV_STATUS_INVALID_PARAMETER;
	if ((in->map_flags & HV_MAP_GPA_ADJUSTABLE) && !pext_get(t))
		return HV_STATUS_NO_RESOURCES;
	if (in->map_flags & HV_MAP_GPA_ADJUSTABLE)
		t->ext->adjustable = true;
	for (uint32_t i = cx->rep_start; i < cx->rep_count; i++) {
		uint64_t source = in->source_gpa_page_list[i];

		if (large)
			st = large_ok(cx, t, in->target_gpa_base + (uint64_t)span * i,
				      source, flags);
		for (uint32_t k = 0; !st && k < span; k++) {
			uint64_t page = in->target_gpa_base + (uint64_t)span * i + k;

			if (in->target_gpa_base >= HV_GPA_PAGE_LIMIT ||
			    page >= HV_GPA_PAGE_LIMIT)
				st = HV_STATUS_INVALID_PARAMETER;
			else if (t == cx->caller)
				st = map_identity(cx->hv, page, source + k, flags);
			else
				st = map_one(cx, t, page, source + k, flags);
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
	/* LARGE_PAGE: each rep unmaps 512 pages (SPEC 6); nothing else. */
	const uint32_t span = in->unmap_flags & HV_UNMAP_GPA_LARGE_PAGE ?
			      GPA_REGION_PAGES : 1;

	if ((in->unmap_flags & ~HV_UNMAP_GPA_LARGE_PAGE) ||
	    (span > 1 && (in->target_gpa_base & (GPA_REGION_PAGES - 1))))
		return HV_STATUS_INVALID_PARAMETER;
	for (uint32_t i = cx->rep_start; i < cx->rep_count; i++) {
		for (uint32_t k = 0; k < span; k++) {
			uint64_t page = in->target_gpa_base + (uint64_t)span * i + k;

			if (in->target_gpa_base >= HV_GPA_PAGE_LIMIT ||
			    page >= HV_GPA_PAGE_LIMIT) {
				cx->rep_done = i;
				return HV_STATUS_INVALID_PARAMETER;
			}
			struct gpa_table *tab = table_get(t, page);
			struct gpa_entry *e = tab ?
				&tab->e[page & (GPA_REGION_PAGES - 1)] : NULL;

			/* Unmapping an unmapped page succeeds (SPEC 6); a
			 * lent one is frozen until withdrawn. */
			if (e && e->state == GPA_LENT) {
				cx->rep_done = i;
				return HV_STATUS_OBJECT_IN_USE;
			}
			if (e && e->state == GPA_MAPPED)
				entry_unmap(cx->hv, t, tab, e);
		}
		if (hc_budget_spent(cx, i)) {
			cx->rep_done = i + 1;
			return HV_STATUS_SUCCESS;
		}
	}
	cx->rep_done = cx->rep_count;
	return HV_STATUS_SUCCESS;
}
