/* SPDX-License-Identifier: MIT */
/*
 * What the calls of spec.md §10 share: the per-VP and per-partition state,
 * pages shared with the root, target checks, and the pages they charge.
 */
#include "surface.h"

#include <string.h>

#include "alloc.h"
#include "gpa.h"
#include "partition.h"
#include "pool.h"
#include "vp.h"

struct pext *pext_get(struct partition *p)
{
	if (!p->ext) {
		p->ext = ohv_calloc(1, sizeof(*p->ext));
		if (p->ext)
			/* Guest-chosen GPAs: keyed as the GPA index is. */
			idmap_init(&p->ext->access, p->gpa.hkey);
	}
	return p->ext;
}

/* Free the access-state regions of a partition. */
static void access_free(struct pext *x)
{
	for (size_t i = 0; i < x->access.cap; i++)
		if (x->access.tab[i].key)
			ohv_free(x->access.tab[i].value);
	idmap_fini(&x->access);
}

void pext_finalize(struct ohv *hv, struct partition *p)
{
	if (!p->ext)
		return;
	for (int a = 0; a < OHV_STATS_AREAS; a++)
		shared_unmap(hv, &p->ext->stats[a]);
}

void pext_free(struct partition *p)
{
	if (!p->ext)
		return;
	access_free(p->ext);
	ohv_free(p->ext);
	p->ext = NULL;
}

void vpx_delete(struct ohv *hv, struct vp *vp)
{
	for (int t = 0; t < 2; t++)
		shared_unmap(hv, &vp->x.state_page[t]);
	for (int a = 0; a < OHV_STATS_AREAS; a++)
		shared_unmap(hv, &vp->x.stats[a]);
}

void vpx_free(struct vpx *x)
{
	ohv_free(x->sim_shadow);
	ohv_free(x->sief_shadow);
	x->sim_shadow = x->sief_shadow = NULL;
}

/* ---------------------------------------------------------------------- */
/* Pages shared with the root.                                             */

hv_status_t shared_map(struct ohv *hv, struct partition *pool,
		       struct shared_page *sp)
{
	if (idmap_reserve(&hv->shared))
		return HV_STATUS_NO_RESOURCES;
	charge_init(&sp->charge);
	/* Charge first; a short pool changes nothing. */
	if (!pool_charge(hv, pool, 1, pool_preferred_node(hv, pool->proximity),
			 &sp->charge))
		return HV_STATUS_INSUFFICIENT_MEMORY;
	sp->pool = pool;
	memset(frame_ptr(hv, shared_frame(sp)), 0, HV_PAGE_SIZE);
	idmap_put(&hv->shared, (uint64_t)shared_frame(sp) + 1, sp);
	return HV_STATUS_SUCCESS;
}

void shared_unmap(struct ohv *hv, struct shared_page *sp)
{
	if (!shared_mapped(sp))
		return;
	idmap_del(&hv->shared, (uint64_t)shared_frame(sp) + 1);
	pool_uncharge(hv, sp->pool, &sp->charge);
	sp->pool = NULL;
}

bool surface_root_shares(const struct ohv *hv, uint32_t frame)
{
	return frame < hv->cfg.memory_pages &&
	       hv->frames[frame].state == FRAME_IN_USE &&
	       idmap_get(&hv->shared, (uint64_t)frame + 1) != NULL;
}

/* One shared page: 1 when charged, 0 when not, -1 when broken. */
static int64_t shared_count(const struct ohv *hv, const struct shared_page *sp)
{
	if (!shared_mapped(sp))
		return 0;
	uint32_t f = shared_frame(sp);

	if (sp->charge.count != 1 || f >= hv->cfg.memory_pages ||
	    hv->frames[f].state != FRAME_IN_USE ||
	    hv->frames[f].owner1 != sp->pool->slot + 1 ||
	    hv->frames[f].next != FRAME_NONE ||
	    hv->slots[sp->pool->slot] != sp->pool ||
	    idmap_get(&hv->shared, (uint64_t)f + 1) != sp)
		return -1;
	return 1;
}

int64_t surface_charged(const struct ohv *hv)
{
	int64_t n = 0, k;

	for (uint32_t s = 0; s < hv->nslots; s++) {
		const struct partition *q = hv->slots[s];

		if (!q)
			continue;
		for (uint32_t i = 0; q->vps && i < OHV_MAX_VPS; i++) {
			const struct vp *vp = q->vps[i];

			for (int t = 0; vp && t < 2; t++) {
				if ((k = shared_count(hv, &vp->x.state_page[t])) < 0)
					return -1;
				n += k;
			}
			for (int a = 0; vp && a < OHV_STATS_AREAS; a++) {
				if ((k = shared_count(hv, &vp->x.stats[a])) < 0)
					return -1;
				n += k;
			}
		}
		for (int a = 0; q->ext && a < OHV_STATS_AREAS; a++) {
			if ((k = shared_count(hv, &q->ext->stats[a])) < 0)
				return -1;
			n += k;
		}
	}
	/* Every shared page is one of those. */
	return (size_t)n == hv->shared.count ? n : -1;
}

/* ---------------------------------------------------------------------- */
/* Accessed and dirty bits (HvGetGpaPagesAccessStates, spec.md §10).      */

struct access_bits *access_bits_get(struct partition *p, uint64_t gpa_page,
				    bool create)
{
	struct pext *x = create ? pext_get(p) : p->ext;
	uint64_t key = (gpa_page >> GPA_REGION_SHIFT) + 1;

	if (!x)
		return NULL;
	struct access_bits *b = idmap_get(&x->access, key);

	if (b || !create)
		return b;
	if (idmap_reserve(&x->access))
		return NULL;
	b = ohv_calloc(1, sizeof(*b));
	if (b)
		idmap_put(&x->access, key, b);
	return b;
}

void access_mark(struct partition *p, uint64_t gpa_page, bool write)
{
	struct access_bits *b = access_bits_get(p, gpa_page, true);
	uint32_t i = gpa_page & (GPA_REGION_PAGES - 1);

	/* Host memory short: the page reads as untouched (best effort). */
	if (!b)
		return;
	b->accessed[i / 64] |= 1ull << (i % 64);
	if (write)
		b->dirty[i / 64] |= 1ull << (i % 64);
}
