/*
 * The root's page allocator: the embedding program plays the root OS, and
 * this is its physical page allocator.  It knows nothing of pools; it hands
 * out pages of the root's identity map that the root can reach, and takes
 * them back after they are withdrawn.  A page the root cannot reach right
 * now (deposited by a raw hypercall, say) stays the allocator's and is
 * handed out once it can be.  Built lazily on first use, so an instance
 * that never uses the client layer pays nothing for it.
 *
 * Like a root OS's per-CPU page lists, each root VP keeps the pages it gave
 * back last (up to HOT_PAGES a node) and gets them first: a page another
 * core wrote last must first be fetched from that core's cache, which
 * made a withdraw's zeroing several times slower when two threads' pages
 * mixed (docs/performance.md).  Every page stays reachable by every
 * caller: when the rest runs dry, other VPs' pages are handed out too.
 */
#include "rootmem.h"

#include <errno.h>

#include <openhv/client.h>

#include "alloc.h"
#include "gpa.h"
#include "internal.h"

/* Pages each root VP keeps for itself, per node. */
#define HOT_PAGES	1024u

struct rootmem_node {
	uint64_t fresh;		/* next page never looked at          */
	uint64_t end;		/* one past the node's last page      */
	uint32_t *back;		/* pages given back                   */
	uint32_t nback;		/* frame numbers are 32-bit           */
	uint32_t *parked;	/* pages found unreachable, kept      */
	uint64_t nparked;
	uint32_t *hot;		/* [vp][HOT_PAGES]: given back by vp  */
	uint32_t *nhot;		/* [vp]                               */
};

struct rootmem {
	uint64_t *taken;	/* bitmap: handed out and not back    */
	struct rootmem_node node[];
};

static void rootmem_free_nodes(struct rootmem *rm, uint32_t nodes)
{
	for (uint32_t i = 0; i < nodes; i++) {
		ohv_free(rm->node[i].back);
		ohv_free(rm->node[i].parked);
		ohv_free(rm->node[i].hot);
		ohv_free(rm->node[i].nhot);
	}
	ohv_free(rm->taken);
	ohv_free(rm);
}

static struct rootmem *rootmem_get(struct ohv *hv)
{
	if (hv->rootmem)
		return hv->rootmem;
	uint32_t nodes = hv->cfg.numa_nodes;
	struct rootmem *rm = ohv_calloc(1, sizeof(*rm) +
					   nodes * sizeof(rm->node[0]));

	if (!rm)
		return NULL;
	rm->taken = ohv_calloc((hv->cfg.memory_pages + 63) / 64, 8);
	if (!rm->taken) {
		rootmem_free_nodes(rm, nodes);
		return NULL;
	}
	/* A page sits in at most one of back, parked, the fresh range or
	 * the taken set, so pages_per_node entries each always suffice;
	 * calloc commits them only as they are used. */
	for (uint32_t i = 0; i < nodes; i++) {
		struct rootmem_node *n = &rm->node[i];

		n->fresh = i * hv->pages_per_node;
		n->end = (i + 1) * hv->pages_per_node;
		n->back = ohv_calloc(hv->pages_per_node, sizeof(uint32_t));
		n->parked = ohv_calloc(hv->pages_per_node, sizeof(uint32_t));
		n->hot = ohv_calloc((size_t)hv->cfg.root_vps * HOT_PAGES,
				    sizeof(uint32_t));
		n->nhot = ohv_calloc(hv->cfg.root_vps, sizeof(uint32_t));
		if (!n->back || !n->parked || !n->hot || !n->nhot) {
			rootmem_free_nodes(rm, nodes);
			return NULL;
		}
	}
	hv->rootmem = rm;
	return rm;
}

void rootmem_destroy(struct ohv *hv)
{
	if (!hv->rootmem)
		return;
	rootmem_free_nodes(hv->rootmem, hv->cfg.numa_nodes);
	hv->rootmem = NULL;
}

static bool taken(const struct rootmem *rm, uint64_t page)
{
	return rm->taken[page / 64] & (1ull << (page % 64));
}

static void set_taken(struct rootmem *rm, uint64_t page, bool on)
{
	if (on)
		rm->taken[page / 64] |= 1ull << (page % 64);
	else
		rm->taken[page / 64] &= ~(1ull << (page % 64));
}

/* The root reaches all of the page and no child does: it is the root's
 * alone to use (hv->lock held). */
static bool usable(const struct ohv *hv, uint64_t page)
{
	return frame_root_own(&hv->frames[page]);
}

/* Pop a usable page from a stack, parking the unusable ones met on the
 * way (hv->lock held). */
static bool pop_usable(const struct ohv *hv, struct rootmem_node *n,
		       uint32_t *stack, uint32_t *count, uint64_t *page)
{
	while (*count) {
		uint32_t p = stack[--*count];

		if (usable(hv, p)) {
			*page = p;
			return true;
		}
		n->parked[n->nparked++] = p;
	}
	return false;
}

/* Take a usable page of one node for root VP vp, or for no VP in
 * particular (ROOTMEM_NO_VP); hv->lock held. */
static bool node_alloc(struct ohv *hv, struct rootmem_node *n, uint32_t vp,
		       uint64_t *page)
{
	const uint32_t vps = hv->cfg.root_vps;

	if (vp < vps &&
	    pop_usable(hv, n, n->hot + (size_t)vp * HOT_PAGES, &n->nhot[vp],
		       page))
		return true;
	if (pop_usable(hv, n, n->back, &n->nback, page))
		return true;
	while (n->fresh < n->end) {
		uint64_t p = n->fresh++;

		if (usable(hv, p)) {
			*page = p;
			return true;
		}
		n->parked[n->nparked++] = (uint32_t)p;
	}
	/* Then pages unreachable before may be reachable now. */
	for (uint64_t i = n->nparked; i-- > 0;) {
		uint32_t p = n->parked[i];

		if (usable(hv, p)) {
			n->parked[i] = n->parked[--n->nparked];
			*page = p;
			return true;
		}
	}
	/* Last, the pages other VPs keep. */
	for (uint32_t v = 0; v < vps; v++)
		if (v != vp &&
		    pop_usable(hv, n, n->hot + (size_t)v * HOT_PAGES,
			       &n->nhot[v], page))
			return true;
	return false;
}

size_t rootmem_alloc(struct ohv *hv, uint32_t vp, uint32_t node,
		     uint64_t *pages, size_t count)
{
	if (node != OHV_ANY_NODE && node >= hv->cfg.numa_nodes)
		return 0;
	size_t got = 0;

	pthread_mutex_lock(&hv->rootmem_lock);
	struct rootmem *rm = rootmem_get(hv);

	if (rm) {
		uint32_t lo = node == OHV_ANY_NODE ? 0 : node;
		uint32_t hi = node == OHV_ANY_NODE ? hv->cfg.numa_nodes : node + 1;

		/* One look at the frames for the whole batch. */
		lock_take(hv);
		for (uint32_t i = lo; i < hi && got < count; i++)
			while (got < count &&
			       node_alloc(hv, &rm->node[i], vp, &pages[got]))
				set_taken(rm, pages[got++], true);
		lock_drop(hv);
	}
	pthread_mutex_unlock(&hv->rootmem_lock);
	return got;
}

size_t ohv_root_alloc_many(struct ohv *hv, uint32_t node, uint64_t *pages,
			   size_t count)
{
	if (!hv || !pages)
		return 0;
	return rootmem_alloc(hv, ROOTMEM_NO_VP, node, pages, count);
}

int ohv_root_alloc(struct ohv *hv, uint32_t node, uint64_t *gpa_page)
{
	if (!hv || !gpa_page ||
	    (node != OHV_ANY_NODE && node >= hv->cfg.numa_nodes))
		return -EINVAL;
	return ohv_root_alloc_many(hv, node, gpa_page, 1) ? 0 : -ENOMEM;
}

void rootmem_free(struct ohv *hv, uint32_t vp, const uint64_t *pages,
		  size_t count)
{
	pthread_mutex_lock(&hv->rootmem_lock);
	struct rootmem *rm = hv->rootmem;

	if (vp >= hv->cfg.root_vps)
		vp = ROOTMEM_NO_VP;
	/* Pages never handed out, or given back twice, are ignored. */
	for (size_t i = 0; rm && i < count; i++) {
		uint64_t page = pages[i];

		if (page >= hv->cfg.memory_pages || !taken(rm, page))
			continue;
		struct rootmem_node *n = &rm->node[hv->cfg.numa_nodes == 1 ?
						   0 : page / hv->pages_per_node];

		set_taken(rm, page, false);
		if (vp != ROOTMEM_NO_VP && n->nhot[vp] < HOT_PAGES)
			n->hot[(size_t)vp * HOT_PAGES + n->nhot[vp]++] =
				(uint32_t)page;
		else
			n->back[n->nback++] = (uint32_t)page;
	}
	pthread_mutex_unlock(&hv->rootmem_lock);
}

void ohv_root_free_many(struct ohv *hv, const uint64_t *pages, size_t count)
{
	if (hv && pages)
		rootmem_free(hv, ROOTMEM_NO_VP, pages, count);
}

void ohv_root_free(struct ohv *hv, uint64_t gpa_page)
{
	ohv_root_free_many(hv, &gpa_page, 1);
}

uint64_t ohv_root_free_pages(struct ohv *hv)
{
	uint64_t count = 0;

	if (!hv)
		return 0;
	pthread_mutex_lock(&hv->rootmem_lock);
	lock_take(hv);
	const struct rootmem *rm = hv->rootmem;

	for (uint32_t i = 0; i < hv->cfg.numa_nodes; i++) {
		const struct rootmem_node *n = rm ? &rm->node[i] : NULL;
		uint64_t fresh = n ? n->fresh : i * hv->pages_per_node;

		for (uint64_t p = fresh; p < (i + 1) * hv->pages_per_node; p++)
			count += usable(hv, p);
		for (uint32_t k = 0; n && k < n->nback; k++)
			count += usable(hv, n->back[k]);
		for (uint64_t k = 0; n && k < n->nparked; k++)
			count += usable(hv, n->parked[k]);
		for (uint32_t v = 0; n && v < hv->cfg.root_vps; v++)
			for (uint32_t k = 0; k < n->nhot[v]; k++)
				count += usable(hv, n->hot[(size_t)v *
							   HOT_PAGES + k]);
	}
	lock_drop(hv);
	pthread_mutex_unlock(&hv->rootmem_lock);
	return count;
}
