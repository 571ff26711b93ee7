/* SPDX-License-Identifier: MIT */
#include "gpa.h"

#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "partition.h"
#include "surface.h"
#include "pool.h"
#include "seam.h"

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
/* Reverse maps: from a frame to the child GPA entries that hold it.       */

/*
 * Revocation is transitive (spec.md §6): when a partition loses a frame or a
 * right, its descendants' entries of that frame lose it too, in the same
 * call.  Finding them needs the entries that hold each frame.  A frame
 * held by one entry keeps it in its own struct frame (owner1 = slot + 1,
 * next and dep_hi = GPA page: fields only pool frames use), so the common
 * case costs no memory; a frame held by two or more has a table in
 * hv->rmaps, each entry knowing its index there (gpa_entry.rmap).  A pool
 * frame lent by a child keeps its table if it had one; with a single
 * holder (the lent entry) that entry is found from the pool's records.
 */
/* One holder of a frame: entry k of a GPA table (which knows its owner and
 * its region), so the revocation pass reaches entries without hashing. */
struct rmap_slot {
	struct gpa_table *t;
	uint32_t k;
};

struct rmap {
	uint32_t count, cap;
	struct rmap_slot ref[];
};

/* The revocation pass's working space, for RMAP_MAX entries. */
struct rmap_scratch {
	uint64_t key[RMAP_MAX];		/* depth << 16 | index: the order */
	uint16_t count[RMAP_MAX + 1];	/* entries per depth (counting sort) */
	uint8_t act[RMAP_MAX];		/* what becomes of each entry     */
	uint8_t flags[RMAP_MAX];	/* its rights after               */
	struct rmap_slot drop[RMAP_MAX];
};

enum { RM_KEEP, RM_CLAMP, RM_DROP };

static inline struct gpa_entry *slot_entry(struct rmap_slot s)
{
	return &s.t->e[s.k];
}

static inline uint64_t slot_page(struct rmap_slot s)
{
	return (s.t->region << GPA_REGION_SHIFT) | s.k;
}

/*
 * Tell the backend what page of p reaches now (the seam's GPA hooks, spec.md
 * §11.2): a frame with rights, or nothing (unmapped, given, lent).
 */
static void entry_show(struct ohv *hv, struct partition *p, uint64_t page,
		       const struct gpa_entry *e)
{
	if (e && e->state == GPA_MAPPED && e->flags)
		seam_gpa_map(hv, p, page, 1, &e->frame, e->flags);
	else
		seam_gpa_unmap(hv, p, page, 1);
}

static struct rmap *rmap_get(const struct ohv *hv, uint32_t frame)
{
	return idmap_get(&hv->rmaps, (uint64_t)frame + 1);
}

bool gpa_rmap_table(const struct ohv *hv, uint32_t frame)
{
	return rmap_get(hv, frame) != NULL;
}

/* The one holder a GPA frame without a table keeps in its struct frame. */
static bool rmap_one(const struct ohv *hv, uint32_t frame,
		     struct rmap_slot *s)
{
	const struct frame *f = &hv->frames[frame];

	if (f->state != FRAME_GPA || !f->owner1)
		return false;
	const uint64_t page = ((uint64_t)f->dep_hi << 32) | f->next;

	s->t = table_get(hv->slots[f->owner1 - 1], page);
	s->k = page & (GPA_REGION_PAGES - 1);
	return true;
}

static void rmap_one_set(struct ohv *hv, uint32_t frame,
			 const struct partition *p, uint64_t page)
{
	struct frame *f = &hv->frames[frame];

	f->owner1 = p ? p->slot + 1 : 0;
	f->next = p ? (uint32_t)page : 0;
	f->dep_hi = p ? (uint8_t)(page >> 32) : 0;
}

/* How many child GPA entries hold frame. */
static uint32_t rmap_count(const struct ohv *hv, uint32_t frame)
{
	const struct rmap *rm = rmap_get(hv, frame);
	const struct frame *f = &hv->frames[frame];

	if (rm)
		return rm->count;
	if (f->state == FRAME_GPA)
		return f->owner1 != 0;
	/* In a pool: its depositor's lent entry, when a child deposited. */
	const struct partition *owner = slot_partition(hv, f->owner1);

	return owner && owner->parent && !is_root(hv, owner->parent);
}

uint32_t gpa_rmap_refs(const struct ohv *hv, uint32_t frame,
		       struct rmap_ref *out, uint32_t max)
{
	const struct rmap *rm = rmap_get(hv, frame);
	const struct frame *f = &hv->frames[frame];

	if (rm) {
		for (uint32_t i = 0; i < rm->count && i < max; i++)
			out[i] = (struct rmap_ref){ rm->ref[i].t->owner,
						    slot_page(rm->ref[i]) };
		return rm->count;
	}
	struct rmap_ref r;

	if (f->state == FRAME_GPA) {
		if (!f->owner1)
			return 0;
		r.p = f->owner1 <= hv->nslots ? hv->slots[f->owner1 - 1] : NULL;
		r.page = ((uint64_t)f->dep_hi << 32) | f->next;
	} else {
		const struct partition *owner = slot_partition(hv, f->owner1);

		if (!owner || !owner->parent || is_root(hv, owner->parent))
			return 0;
		r.p = owner->parent;
		r.page = frame_dep_gpa(f);
	}
	if (max)
		out[0] = r;
	return 1;
}

/*
 * Make sure one more holder of frame can be recorded without asking the
 * host: 0, -ENOSPC when the frame has RMAP_MAX holders already, or
 * -ENOMEM.
 */
static int rmap_reserve(struct ohv *hv, uint32_t frame)
{
	struct rmap *rm = rmap_get(hv, frame);

	if (rm) {
		if (rm->count >= RMAP_MAX)
			return -ENOSPC;
		if (rm->count < rm->cap)
			return 0;
		uint32_t cap = rm->cap * 2 < RMAP_MAX ? rm->cap * 2 : RMAP_MAX;
		struct rmap *big = ohv_malloc(sizeof(*big) +
					      cap * sizeof(big->ref[0]));

		if (!big)
			return -ENOMEM;
		memcpy(big, rm, sizeof(*rm) + rm->count * sizeof(rm->ref[0]));
		big->cap = cap;
		*idmap_ref(&hv->rmaps, (uint64_t)frame + 1) = big;
		ohv_free(rm);
		return 0;
	}
	if (hv->frames[frame].state != FRAME_GPA || !hv->frames[frame].owner1)
		return 0;
	/* The second holder: a table, and the pass's scratch. */
	if (!hv->rm_scratch) {
		/* Written now, so a revocation meets no first-touch fault. */
		hv->rm_scratch = ohv_calloc(1, sizeof(*hv->rm_scratch));
		if (!hv->rm_scratch)
			return -ENOMEM;
		memset(hv->rm_scratch, 0, sizeof(*hv->rm_scratch));
	}
	if (!hv->rm_spare) {
		hv->rm_spare = ohv_malloc(sizeof(*rm) + 4 * sizeof(rm->ref[0]));
		if (!hv->rm_spare)
			return -ENOMEM;
		hv->rm_spare->cap = 4;
	}
	return idmap_reserve(&hv->rmaps);
}

/* Record entry k of t as holding frame; rmap_reserve succeeded. */
static void rmap_add(struct ohv *hv, uint32_t frame, struct gpa_table *t,
		     uint32_t k)
{
	struct rmap *rm = rmap_get(hv, frame);
	struct rmap_slot one;

	if (!rm) {
		if (!rmap_one(hv, frame, &one)) {
			rmap_one_set(hv, frame, t->owner,
				     slot_page((struct rmap_slot){ t, k }));
			t->e[k].rmap = 0;
			return;
		}
		rm = hv->rm_spare;
		hv->rm_spare = NULL;
		OHV_ASSERT(rm && rm->cap >= 2);
		rm->ref[0] = one;
		rm->count = 1;
		slot_entry(one)->rmap = 0;
		rmap_one_set(hv, frame, NULL, 0);
		idmap_put(&hv->rmaps, (uint64_t)frame + 1, rm);
	}
	OHV_ASSERT(rm->count < rm->cap);
	rm->ref[rm->count] = (struct rmap_slot){ t, k };
	t->e[k].rmap = (uint16_t)rm->count++;
}

/* Forget entry k of t as a holder of frame. */
static void rmap_del(struct ohv *hv, uint32_t frame, struct gpa_table *t,
		     uint32_t k)
{
	struct rmap *rm = rmap_get(hv, frame);

	if (!rm) {
		/* The only holder: kept in the frame if it is a GPA frame,
		 * found from the pool's records if it is lent. */
		if (hv->frames[frame].state == FRAME_GPA)
			rmap_one_set(hv, frame, NULL, 0);
		return;
	}
	uint32_t i = t->e[k].rmap;

	OHV_ASSERT(i < rm->count && rm->ref[i].t == t && rm->ref[i].k == k);
	rm->ref[i] = rm->ref[--rm->count];
	if (i < rm->count)
		slot_entry(rm->ref[i])->rmap = (uint16_t)i;
	if (rm->count > 1)
		return;
	/* Down to one holder: back into the frame (a lent one needs no
	 * record); the table becomes the spare or goes. */
	idmap_del(&hv->rmaps, (uint64_t)frame + 1);
	if (rm->count && hv->frames[frame].state == FRAME_GPA)
		rmap_one_set(hv, frame, rm->ref[0].t->owner,
			     slot_page(rm->ref[0]));
	if (!hv->rm_spare || hv->rm_spare->cap < rm->cap) {
		ohv_free(hv->rm_spare);
		hv->rm_spare = rm;
	} else {
		ohv_free(rm);
	}
}

void gpa_rmap_free(struct ohv *hv)
{
	for (size_t i = 0; i < hv->rmaps.cap; i++)
		if (hv->rmaps.tab[i].key)
			ohv_free(hv->rmaps.tab[i].value);
	idmap_fini(&hv->rmaps);
	ohv_free(hv->rm_spare);
	ohv_free(hv->rm_scratch);
	hv->rm_spare = NULL;
	hv->rm_scratch = NULL;
}

/* ---------------------------------------------------------------------- */
/* Deposit and withdraw (spec.md §5.1, 5.2).                                   */

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
	 * spec.md §6); ancestors that handed it down keep only given entries. */
	if (f->maps != 1 || (f->root_deny & GPA_FULL) != GPA_FULL)
		return FRAME_NONE;
	entry_get(p, gpa_page)->state = GPA_LENT;
	f->maps = 0;
	seam_gpa_unmap(hv, p, gpa_page, 1);
	/* A sole holder's record in the frame gives way to the pool's. */
	if (!rmap_get(hv, frame))
		rmap_one_set(hv, frame, NULL, 0);
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
	entry_show(hv, p, gpa_page, e);
	if (!rmap_get(hv, frame))
		rmap_one_set(hv, frame, p, gpa_page);
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

/* Drop one entry (mapped or given) of p; the table goes when it empties.
 * What descendants held through it is rmap_settle's to drop. */
static void entry_unmap(struct ohv *hv, struct partition *p,
			struct gpa_table *t, struct gpa_entry *e)
{
	const uint64_t page = (t->region << GPA_REGION_SHIFT) |
			      (uint64_t)(e - t->e);

	OHV_ASSERT(e->state == GPA_MAPPED || e->state == GPA_GIVEN);
	if (e->state == GPA_MAPPED)
		hv->frames[e->frame].maps--;
	rmap_del(hv, e->frame, t, (uint32_t)(e - t->e));
	memset(e, 0, sizeof(*e));
	seam_gpa_unmap(hv, p, page, 1);
	if (--t->used == 0)
		table_release(hv, p, t);
}

/* Sort keys (depth << 16 | index) ascending when the depths span more
 * than RMAP_MAX levels (a deep configuration): heapsort, no recursion. */
static void sift_down(uint64_t *k, uint32_t root, uint32_t end)
{
	for (;;) {
		uint32_t c = 2 * root + 1;

		if (c >= end)
			return;
		if (c + 1 < end && k[c + 1] > k[c])
			c++;
		if (k[root] >= k[c])
			return;
		uint64_t v = k[root];

		k[root] = k[c];
		k[c] = v;
		root = c;
	}
}

static void sort_keys(uint64_t *k, uint32_t n)
{
	for (uint32_t i = n / 2; i-- > 0;)
		sift_down(k, i, n);
	for (uint32_t end = n; end > 1; end--) {
		uint64_t v = k[0];

		k[0] = k[end - 1];
		k[end - 1] = v;
		sift_down(k, 0, end - 1);
	}
}

static void held_reset(struct partition *p, uint64_t epoch)
{
	if (p->rm_epoch == epoch)
		return;
	p->rm_epoch = epoch;
	p->rm_kept = 0;
	p->rm_holders = 0;
	p->rm_held = 0;
	p->rm_counted = false;
}

/*
 * Bring every entry of frame back within what its parent holds (spec.md §6,
 * transitive revocation), after one of them, or the root's own rights,
 * lost something: parents first, an entry keeps only the rights its
 * parent holds on the frame (the root holds frame_root_held) and goes
 * when its parent holds the frame no more; then children first, a given
 * entry goes when no child holds the frame any more.  Linear in the
 * frame's entries (at most RMAP_MAX) after a sort by depth.  Never asks
 * the host for memory; never touches a lent entry (callers refuse to
 * revoke what a descendant lent: OBJECT_IN_USE).
 */
static void rmap_settle(struct ohv *hv, uint32_t frame)
{
	struct rmap *rm = rmap_get(hv, frame);
	const unsigned root_held = frame_root_held(&hv->frames[frame]);
	struct rmap_slot one;

	if (!rm) {
		/* One holder: its parent must be the root, which holds
		 * every frame; a given entry with no child holding goes. */
		if (!rmap_one(hv, frame, &one))
			return;
		struct gpa_entry *e = slot_entry(one);
		struct partition *y = one.t->owner;

		if (!is_root(hv, y->parent) || e->state == GPA_GIVEN) {
			entry_unmap(hv, y, one.t, e);
		} else if (e->flags & ~root_held) {
			e->flags &= (uint8_t)root_held;
			entry_show(hv, y, slot_page(one), e);
		}
		return;
	}

	struct rmap_scratch *s = hv->rm_scratch;
	const uint32_t n = rm->count;
	const uint64_t epoch = ++hv->rm_epoch;
	uint32_t ndrop = 0;

	uint32_t lo = UINT32_MAX, hi = 0;

	OHV_ASSERT(s && n <= RMAP_MAX);
	for (uint32_t i = 0; i < n; i++) {
		struct partition *y = rm->ref[i].t->owner;

		lo = y->depth < lo ? y->depth : lo;
		hi = y->depth > hi ? y->depth : hi;
		held_reset(y, epoch);
	}
	/* By depth, parents before children: a counting sort over the few
	 * depths there are (a heapsort if they span more than RMAP_MAX). */
	if (hi - lo < RMAP_MAX) {
		memset(s->count, 0, (hi - lo + 2) * sizeof(s->count[0]));
		for (uint32_t i = 0; i < n; i++)
			s->count[rm->ref[i].t->owner->depth - lo + 1]++;
		for (uint32_t d = 1; d <= hi - lo; d++)
			s->count[d] += s->count[d - 1];
		for (uint32_t i = 0; i < n; i++)
			s->key[s->count[rm->ref[i].t->owner->depth - lo]++] = i;
	} else {
		for (uint32_t i = 0; i < n; i++)
			s->key[i] = (uint64_t)rm->ref[i].t->owner->depth << 16 | i;
		sort_keys(s->key, n);
	}
	/* Parents first: what each entry may keep. */
	for (uint32_t k = 0; k < n; k++) {
		const uint32_t i = (uint32_t)(s->key[k] & 0xFFFF);
		const struct gpa_entry *e = slot_entry(rm->ref[i]);
		struct partition *y = rm->ref[i].t->owner, *x = y->parent;
		const bool holds = is_root(hv, x) ||
				   (x->rm_epoch == epoch && x->rm_kept);
		const unsigned held = is_root(hv, x) ? root_held : x->rm_held;

		s->flags[i] = (uint8_t)(e->flags & held);
		s->act[i] = !holds ? RM_DROP :
			    s->flags[i] != e->flags ? RM_CLAMP : RM_KEEP;
		if (e->state == GPA_LENT && s->act[i] != RM_KEEP) {
			/* A pooled frame is out of revocation's reach. */
			OHV_ASSERT(!"revocation reached a lent entry");
			s->act[i] = RM_KEEP;
			s->flags[i] = e->flags;
		}
		if (s->act[i] != RM_DROP) {
			y->rm_kept++;
			y->rm_held |= s->flags[i];
			if (!y->rm_counted && !is_root(hv, x)) {
				y->rm_counted = true;
				x->rm_holders++;
			}
		}
	}
	/* Children first: a given entry with no child holding goes. */
	for (uint32_t k = n; k-- > 0;) {
		const uint32_t i = (uint32_t)(s->key[k] & 0xFFFF);
		struct partition *y = rm->ref[i].t->owner;

		if (s->act[i] == RM_DROP || y->rm_holders ||
		    slot_entry(rm->ref[i])->state != GPA_GIVEN)
			continue;
		s->act[i] = RM_DROP;
		if (--y->rm_kept == 0 && y->rm_counted)
			y->parent->rm_holders--;
	}
	/* Apply: the rights first, then the entries that go (each of which
	 * changes the reverse map, so they are copied out first). */
	for (uint32_t i = 0; i < n; i++) {
		if (s->act[i] == RM_CLAMP) {
			slot_entry(rm->ref[i])->flags = s->flags[i];
			entry_show(hv, rm->ref[i].t->owner,
				   slot_page(rm->ref[i]), slot_entry(rm->ref[i]));
		} else if (s->act[i] == RM_DROP)
			s->drop[ndrop++] = rm->ref[i];
	}
	for (uint32_t i = 0; i < ndrop; i++)
		entry_unmap(hv, s->drop[i].t->owner, s->drop[i].t,
			    slot_entry(s->drop[i]));
}

/* Whether a child of p holds frame (through any entry). */
static bool child_holds(const struct ohv *hv, const struct partition *p,
			uint32_t frame)
{
	const struct rmap *rm = rmap_get(hv, frame);

	for (uint32_t i = 0; rm && i < rm->count; i++)
		if (rm->ref[i].t->owner->parent == p)
			return true;
	return false;
}

void gpa_space_destroy(struct ohv *hv, struct partition *p)
{
	/* p has no children (seed 003), so nothing below it holds its
	 * frames: its entries just go.  Then a given entry of its parent
	 * that only p's held up goes too (rmap_settle). */
	for (size_t i = 0; i < p->gpa.cap; i++) {
		struct gpa_table *t = p->gpa.tab[i].value;

		if (!p->gpa.tab[i].key)
			continue;
		for (uint32_t k = 0; k < GPA_REGION_PAGES; k++) {
			struct gpa_entry *e = &t->e[k];

			/* Lent pages sit in a child's pool, and a partition
			 * with children cannot be finalized; nor can it have
			 * given a frame to a child it does not have. */
			OHV_ASSERT(e->state != GPA_LENT && e->state != GPA_GIVEN);
			if (e->state == GPA_UNMAPPED)
				continue;
			if (e->state == GPA_MAPPED)
				hv->frames[e->frame].maps--;
			rmap_del(hv, e->frame, t, k);
		}
	}
	for (size_t i = 0; i < p->gpa.cap && !is_root(hv, p->parent); i++) {
		const struct gpa_table *t = p->gpa.tab[i].value;

		for (uint32_t k = 0; p->gpa.tab[i].key && k < GPA_REGION_PAGES;
		     k++)
			if (t->e[k].state != GPA_UNMAPPED)
				rmap_settle(hv, t->e[k].frame);
	}
	for (size_t i = 0; i < p->gpa.cap; i++) {
		struct gpa_table *t = p->gpa.tab[i].value;

		if (!p->gpa.tab[i].key)
			continue;
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
 * pool (INSUFFICIENT_MEMORY when short, spec.md §6) and held on the host
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
	tab->owner = t;
	tab->charge = charge;
	idmap_put(&t->gpa, tab->region + 1, tab);
	*out = tab;
	return HV_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* Mapping and unmapping, page by page (spec.md §6; the calls: hc_gpa.c).      */

/* The root changes the rights of its own identity map: page must equal
 * source (spec.md §6).  Flags 0 gives up all access, and a frame mapped into
 * children becomes theirs; fewer rights than before are taken from every
 * descendant's entry of the frame too. */
hv_status_t gpa_map_identity(struct ohv *hv, uint64_t page, uint64_t source,
				unsigned flags)
{
	if (source != page)
		return HV_STATUS_INVALID_PARAMETER;
	if (page >= hv->cfg.memory_pages ||
	    hv->frames[page].state != FRAME_GPA)
		return HV_STATUS_OPERATION_DENIED;
	struct frame *f = &hv->frames[page];
	const unsigned held = frame_root_held(f);

	f->root_deny = (uint8_t)(GPA_FULL & ~flags);
	if (held & ~frame_root_held(f))
		rmap_settle(hv, (uint32_t)page);
	return HV_STATUS_SUCCESS;
}

/*
 * Whether taking e (mapped or given, of partition p) away would reach into
 * a pool: a frame a descendant lent is frozen until it is withdrawn, and
 * every entry still holding a pooled frame is the depositor's or one of
 * its ancestors' (given entries go when nothing below holds).
 */
static bool revoke_blocked(const struct ohv *hv, const struct gpa_entry *e)
{
	return e->state == GPA_LENT ||
	       hv->frames[e->frame].state != FRAME_GPA;
}

hv_status_t gpa_map_page(struct ohv *hv, struct partition *caller,
			  struct partition *t,
			   uint64_t page, uint64_t source, unsigned flags)
{
	uint32_t frame;
	unsigned rights;
	struct gpa_table *tab;
	hv_status_t st;

	/* The source must be reachable by the caller, with at least the
	 * rights it hands on: a parent cannot give more than it has. */
	if (!gpa_lookup(hv, caller, source, &frame, &rights) ||
	    (flags & ~rights))
		return HV_STATUS_OPERATION_DENIED;
	tab = table_get(t, page);
	struct gpa_entry *e = tab ? &tab->e[page & (GPA_REGION_PAGES - 1)] :
				    NULL;
	const bool held = e && e->state != GPA_UNMAPPED;
	const bool same = held && e->frame == frame;

	/* A lent page stays frozen until it is withdrawn, and so does one
	 * whose frame a descendant lent (TLFS remap would revoke it). */
	if (held && revoke_blocked(hv, e))
		return HV_STATUS_OBJECT_IN_USE;
	/* spec.md §2 work bounds: a revocation walks the frame's entries. */
	if (!same && rmap_count(hv, frame) >= RMAP_MAX)
		return HV_STATUS_NO_RESOURCES;
	const bool fresh = !tab;

	st = table_for(hv, t, page, &tab);
	if (st)
		return st;
	e = &tab->e[page & (GPA_REGION_PAGES - 1)];
	if (!same && rmap_reserve(hv, frame)) {
		if (fresh)
			table_release(hv, t, tab);
		return HV_STATUS_NO_RESOURCES;
	}

	/* Nothing can fail from here on.  TLFS remap: the old mapping is
	 * replaced, and what descendants held through it goes with it. */
	const unsigned old_flags = e->flags;
	const bool was_mapped = e->state == GPA_MAPPED;
	uint32_t old = FRAME_NONE;

	if (!held) {
		tab->used++;
	} else if (!same) {
		old = e->frame;
		if (was_mapped)
			hv->frames[old].maps--;
		rmap_del(hv, old, tab, (uint32_t)(e - tab->e));
	}
	e->frame = frame;
	e->flags = (uint8_t)flags;
	e->state = GPA_MAPPED;
	entry_show(hv, t, page, e);
	if (!same) {
		hv->frames[frame].maps++;
		rmap_add(hv, frame, tab, (uint32_t)(e - tab->e));
	} else if (!was_mapped) {
		hv->frames[frame].maps++;	/* given back to it */
	}
	if (old != FRAME_NONE)
		rmap_settle(hv, old);
	else if (same && ((old_flags & ~flags) || !was_mapped))
		rmap_settle(hv, frame);
	return HV_STATUS_SUCCESS;
}

/*
 * A large-page element maps its 512 frames or none: every check the
 * frames' maps would make, made first (they share one GPA table).
 */
hv_status_t gpa_large_ok(struct ohv *hv, struct partition *caller,
			 struct partition *t,
			    uint64_t page, uint64_t source, unsigned flags)
{
	const struct gpa_table *tab;

	if ((source & (GPA_REGION_PAGES - 1)) || page >= HV_GPA_PAGE_LIMIT)
		return HV_STATUS_INVALID_PARAMETER;
	tab = t == caller ? NULL : table_get(t, page);
	for (uint32_t k = 0; k < GPA_REGION_PAGES; k++) {
		uint32_t frame;
		unsigned rights;

		if (t == caller) {
			if (source != page)
				return HV_STATUS_INVALID_PARAMETER;
			if (page + k >= hv->cfg.memory_pages ||
			    hv->frames[page + k].state != FRAME_GPA)
				return HV_STATUS_OPERATION_DENIED;
			continue;
		}
		if (!gpa_lookup(hv, caller, source + k, &frame, &rights) ||
		    (flags & ~rights))
			return HV_STATUS_OPERATION_DENIED;
		if (tab && tab->e[k].state == GPA_LENT)
			return HV_STATUS_OBJECT_IN_USE;
	}
	return HV_STATUS_SUCCESS;
}

/*
 * A child unmaps page of its own GPA space (spec.md §6).  When a child of its
 * own holds the frame, the entry is given (the frame becomes the child's
 * alone to reach, bounded by what this partition held); otherwise it just
 * goes.
 */
static void unmap_own(struct ohv *hv, struct partition *t,
		      struct gpa_table *tab, struct gpa_entry *e)
{
	const uint32_t frame = e->frame;

	if (e->state != GPA_MAPPED)
		return;		/* unmapped already, or given */
	if (child_holds(hv, t, frame)) {
		e->state = GPA_GIVEN;
		hv->frames[frame].maps--;
		seam_gpa_unmap(hv, t, (tab->region << GPA_REGION_SHIFT) |
				      (uint64_t)(e - tab->e), 1);
		return;
	}
	entry_unmap(hv, t, tab, e);
	rmap_settle(hv, frame);
}

hv_status_t gpa_unmap_ok(const struct ohv *hv, const struct partition *caller,
			 const struct partition *t, uint64_t page)
{
	const struct gpa_table *tab = table_get(t, page);
	const struct gpa_entry *e =
		tab ? &tab->e[page & (GPA_REGION_PAGES - 1)] : NULL;

	/* Unmapping an unmapped page succeeds (spec.md §6); a lent one is frozen
	 * until withdrawn, and so is one whose frame a descendant lent. */
	if (e && e->state != GPA_UNMAPPED && t != caller &&
	    revoke_blocked(hv, e))
		return HV_STATUS_OBJECT_IN_USE;
	if (e && e->state == GPA_LENT)
		return HV_STATUS_OBJECT_IN_USE;
	return HV_STATUS_SUCCESS;
}

hv_status_t gpa_unmap_page(struct ohv *hv, struct partition *caller,
			    struct partition *t, uint64_t page)
{
	struct gpa_table *tab = table_get(t, page);
	struct gpa_entry *e = tab ? &tab->e[page & (GPA_REGION_PAGES - 1)] : NULL;
	hv_status_t st = gpa_unmap_ok(hv, caller, t, page);

	if (st)
		return st;
	if (e && t == caller) {
		unmap_own(hv, t, tab, e);
	} else if (e && e->state != GPA_UNMAPPED) {
		/* spec.md §6: every descendant's entry of the frame loses it
		 * too, in this call. */
		const uint32_t frame = e->frame;

		entry_unmap(hv, t, tab, e);
		rmap_settle(hv, frame);
	}
	return HV_STATUS_SUCCESS;
}
