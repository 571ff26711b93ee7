/*
 * The root's page allocator: the embedding program plays the root OS, and
 * this is its physical page allocator.  It knows nothing of pools; it hands
 * out pages of the root's identity map that the root can reach, and takes
 * them back after they are withdrawn.  Built lazily on first use, so an
 * instance that never uses the client layer pays nothing for it.
 */
#include "rootmem.h"

#include <errno.h>

#include <openhv/client.h>

#include "alloc.h"
#include "internal.h"

struct rootmem_node {
	uint64_t fresh;		/* next page never handed out */
	uint64_t end;		/* one past the node's last page */
	uint32_t *stack;	/* pages given back, pages_per_node entries */
	uint64_t depth;
};

struct rootmem {
	uint64_t *taken;	/* bitmap: pages handed out and not back */
	struct rootmem_node node[];
};

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
	if (!rm->taken)
		goto fail;
	for (uint32_t i = 0; i < nodes; i++) {
		rm->node[i].fresh = i * hv->pages_per_node;
		rm->node[i].end = (i + 1) * hv->pages_per_node;
		rm->node[i].stack = ohv_calloc(hv->pages_per_node,
					       sizeof(uint32_t));
		if (!rm->node[i].stack)
			goto fail;
	}
	hv->rootmem = rm;
	return rm;
fail:
	for (uint32_t i = 0; i < nodes; i++)
		ohv_free(rm->node[i].stack);
	ohv_free(rm->taken);
	ohv_free(rm);
	return NULL;
}

void rootmem_destroy(struct ohv *hv)
{
	struct rootmem *rm = hv->rootmem;

	if (!rm)
		return;
	for (uint32_t i = 0; i < hv->cfg.numa_nodes; i++)
		ohv_free(rm->node[i].stack);
	ohv_free(rm->taken);
	ohv_free(rm);
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

/* A page is only handed out while the root can reach all of it. */
static bool usable(struct ohv *hv, uint64_t page)
{
	return ohv_gpa(hv, ohv_root_id(hv), page << HV_PAGE_SHIFT,
		       HV_PAGE_SIZE) != NULL;
}

static bool node_alloc(struct ohv *hv, struct rootmem_node *n,
		       uint64_t *page)
{
	while (n->depth) {
		uint64_t p = n->stack[--n->depth];

		if (usable(hv, p)) {
			*page = p;
			return true;
		}
	}
	while (n->fresh < n->end) {
		uint64_t p = n->fresh++;

		if (usable(hv, p)) {
			*page = p;
			return true;
		}
	}
	return false;
}

int ohv_root_alloc(struct ohv *hv, uint32_t node, uint64_t *gpa_page)
{
	if (node != OHV_ANY_NODE && node >= hv->cfg.numa_nodes)
		return -EINVAL;
	int rc = -ENOMEM;

	pthread_mutex_lock(&hv->rootmem_lock);
	struct rootmem *rm = rootmem_get(hv);
	uint64_t page = 0;

	if (rm) {
		uint32_t lo = node == OHV_ANY_NODE ? 0 : node;
		uint32_t hi = node == OHV_ANY_NODE ? hv->cfg.numa_nodes : node + 1;

		for (uint32_t i = lo; i < hi; i++) {
			if (node_alloc(hv, &rm->node[i], &page)) {
				set_taken(rm, page, true);
				*gpa_page = page;
				rc = 0;
				break;
			}
		}
	}
	pthread_mutex_unlock(&hv->rootmem_lock);
	return rc;
}

void ohv_root_free(struct ohv *hv, uint64_t gpa_page)
{
	if (gpa_page >= hv->cfg.memory_pages)
		return;
	pthread_mutex_lock(&hv->rootmem_lock);
	struct rootmem *rm = hv->rootmem;

	/* Pages never handed out, or given back twice, are ignored. */
	if (rm && taken(rm, gpa_page)) {
		struct rootmem_node *n = &rm->node[gpa_page / hv->pages_per_node];

		set_taken(rm, gpa_page, false);
		n->stack[n->depth++] = (uint32_t)gpa_page;
	}
	pthread_mutex_unlock(&hv->rootmem_lock);
}

uint64_t ohv_root_free_pages(struct ohv *hv)
{
	uint64_t n = 0;

	pthread_mutex_lock(&hv->rootmem_lock);
	struct rootmem *rm = hv->rootmem;

	if (!rm) {
		n = hv->cfg.memory_pages;
	} else {
		for (uint32_t i = 0; i < hv->cfg.numa_nodes; i++)
			n += rm->node[i].depth + (rm->node[i].end - rm->node[i].fresh);
	}
	pthread_mutex_unlock(&hv->rootmem_lock);
	return n;
}
