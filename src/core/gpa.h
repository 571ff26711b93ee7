/* SPDX-License-Identifier: MIT */
/*
 * Guest physical address spaces (spec.md §1, 6).  The root's is the identity
 * map of the machine frames; a child's holds what its parent mapped with
 * HvMapGpaPages, in GPA tables of one 2 MiB region each, charged to the
 * child's pool.  Hypercall parameter blocks, deposits and ohv_gpa() all go
 * through here.
 */
#ifndef OHV_GPA_H
#define OHV_GPA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* Rights are HV_MAP_GPA_* bits. */
#define GPA_READ	HV_MAP_GPA_READABLE
#define GPA_WRITE	HV_MAP_GPA_WRITABLE
#define GPA_EXEC	HV_MAP_GPA_EXECUTABLE		/* either exec bit */
#define GPA_FULL	HV_MAP_GPA_PERMISSIONS_MASK	/* "full access"   */

#define GPA_REGION_SHIFT	9			/* 512 pages: 2 MiB */
#define GPA_REGION_PAGES	(1u << GPA_REGION_SHIFT)

/* One entry of a child's GPA space. */
enum gpa_entry_state {
	GPA_UNMAPPED = 0,
	GPA_MAPPED = 1,		/* frame reachable with flags' rights       */
	GPA_LENT = 2,		/* frame deposited by this partition: the
				 * mapping is frozen until it is withdrawn    */
	GPA_GIVEN = 3,		/* unmapped from the partition's own space
				 * while a child of it holds the frame (spec.md
				 * §6: handed to the child): no access, but
				 * the rights in flags still bound what its
				 * descendants may have, and revoking it
				 * revokes theirs.  Gone when no child holds
				 * the frame any more.                        */
};

struct gpa_entry {
	uint32_t frame;
	uint8_t state;
	uint8_t flags;		/* HV_MAP_GPA_* permission bits */
	uint16_t rmap;		/* index in the frame's reverse map, when it
				 * has one (gpa.c)                            */
};

/*
 * Most GPA entries one frame may have across all partitions (spec.md §2 work
 * bounds): a revocation walks them all within one rep element.  Mapping a
 * frame once more is NO_RESOURCES.
 */
#define RMAP_MAX	1024u

/*
 * A GPA table: one 2 MiB-aligned region of a child's GPA space.  It costs
 * costs.gpa_table pages of the child's pool while it maps anything
 * (spec.md §5.4), and goes away when its last entry does.
 */
struct gpa_table {
	uint64_t region;
	struct partition *owner;
	uint32_t used;		/* entries not GPA_UNMAPPED */
	struct charge charge;
	struct gpa_entry e[GPA_REGION_PAGES];
};

/*
 * The frame behind page gpa_page of p's GPA space and the rights p has on
 * it; false when p reaches no frame there (unmapped, mapped without any
 * right, or lent to a pool by a deposit).
 */
bool gpa_lookup(const struct ohv *hv, const struct partition *p,
		uint64_t gpa_page, uint32_t *frame, unsigned *rights);

/*
 * Host address of [gpa, gpa + len) in p's GPA space when every page of it
 * is reachable with at least the rights in need and the pages are backed
 * by consecutive frames (so one pointer covers them); NULL otherwise.
 */
void *gpa_ptr(const struct ohv *hv, const struct partition *p, uint64_t gpa,
	      size_t len, unsigned need);

/*
 * HvDepositMemory, spec.md §5.1: lend page gpa_page of depositor p to a pool.
 * It must be reachable by p with full access and by nobody else; the page
 * stays in p's GPA space, inaccessible, until it comes back.  Returns the
 * frame, or FRAME_NONE when the page may not be deposited.
 */
uint32_t gpa_lend(struct ohv *hv, struct partition *p, uint64_t gpa_page);

/* HvWithdrawMemory: the frame comes back, zeroed by the caller, at the GPA
 * page it was lent from, with full access. */
void gpa_return(struct ohv *hv, struct partition *p, uint32_t frame,
		uint64_t gpa_page);

/*
 * HvMapGpaPages, one page: caller hands its page source to page of child
 * t with flags (HV_MAP_GPA_* rights), replacing what was there (a remap
 * with fewer rights or another frame revokes the old from t's
 * descendants, spec.md §6).  SUCCESS, OPERATION_DENIED (source not the
 * caller's with those rights), OBJECT_IN_USE (page lent), INSUFFICIENT_MEMORY
 * (t's pool cannot pay a GPA table), NO_RESOURCES.
 */
hv_status_t gpa_map_page(struct ohv *hv, struct partition *caller,
			 struct partition *t, uint64_t page, uint64_t source,
			 unsigned flags);
/* The root's rights on its own identity map page (source must equal page):
 * SUCCESS, INVALID_PARAMETER, OPERATION_DENIED. */
hv_status_t gpa_map_identity(struct ohv *hv, uint64_t page, uint64_t source,
			     unsigned flags);
/* Whether the 512 pages of a large-page element could all be mapped
 * (spec.md §6): SUCCESS, or the status the first that cannot gives. */
hv_status_t gpa_large_ok(struct ohv *hv, struct partition *caller,
			 struct partition *t, uint64_t page, uint64_t source,
			 unsigned flags);
/* HvUnmapGpaPages, one page of t (a child of caller, or caller itself):
 * SUCCESS (also for a page not mapped) or OBJECT_IN_USE (lent, or a
 * descendant lent its frame). */
hv_status_t gpa_unmap_page(struct ohv *hv, struct partition *caller,
			   struct partition *t, uint64_t page);
/* What gpa_unmap_page would answer, doing nothing (a large-page element
 * checks its 512 pages before it unmaps any). */
hv_status_t gpa_unmap_ok(const struct ohv *hv, const struct partition *caller,
			 const struct partition *t, uint64_t page);

/* HvFinalizePartition: drop every mapping of p and return its GPA tables'
 * pages to its pool (p has no children left). */
void gpa_space_destroy(struct ohv *hv, struct partition *p);

/* Free a GPA space's host memory without touching pools (ohv_close). */
void gpa_space_free(struct partition *p);

/* Free the reverse maps (ohv_close). */
void gpa_rmap_free(struct ohv *hv);

/*
 * The rights the root holds on a frame of its identity map (spec.md §6): what
 * it kept, or all of them once it gave the frame away whole (flags 0) to
 * the children that map it, which keep what they have.
 */
static inline unsigned frame_root_held(const struct frame *f)
{
	return f->root_deny == GPA_FULL ? GPA_FULL :
	       GPA_FULL & ~(unsigned)f->root_deny;
}

/* A reference from a frame to one GPA entry that holds it. */
struct rmap_ref {
	struct partition *p;
	uint64_t page;
};

/*
 * The GPA entries (mapped, given or lent) of child partitions that hold
 * frame, for the invariant checker: stores up to max and returns how many
 * there are.  Frames held once keep that reference in their struct frame;
 * frames held more often have a table (hv->rmaps).
 */
uint32_t gpa_rmap_refs(const struct ohv *hv, uint32_t frame,
		       struct rmap_ref *out, uint32_t max);

/* Whether frame has a reverse-map table (held by two entries or more). */
bool gpa_rmap_table(const struct ohv *hv, uint32_t frame);

/* Host address of a machine frame. */
static inline void *frame_ptr(const struct ohv *hv, uint32_t frame)
{
	return hv->mem + ((size_t)frame << HV_PAGE_SHIFT);
}

#endif /* OHV_GPA_H */
