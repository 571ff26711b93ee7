/*
 * Guest physical address spaces (SPEC 1, 6).  The root's is the identity
 * map of the machine frames; a child's holds what its parent mapped.
 * Hypercall parameter blocks and ohv_gpa() go through here.
 */
#ifndef OHV_GPA_H
#define OHV_GPA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

#define GPA_READ	0x1u
#define GPA_WRITE	0x2u
#define GPA_EXEC	0x4u
#define GPA_RWX		(GPA_READ | GPA_WRITE | GPA_EXEC)

/*
 * The frame behind page gpa_page of p's GPA space and the rights p has on
 * it; false when p cannot reach any frame there (unmapped, or deposited).
 */
bool gpa_lookup(const struct ohv *hv, const struct partition *p,
		uint64_t gpa_page, uint32_t *frame, unsigned *rights);

/*
 * Host address of [gpa, gpa + len) in p's GPA space when every page of it
 * is reachable with at least the rights in need and the range is one
 * contiguous stretch of host memory; NULL otherwise.
 */
void *gpa_ptr(const struct ohv *hv, const struct partition *p, uint64_t gpa,
	      size_t len, unsigned need);

/* Host address of a machine frame. */
static inline void *frame_ptr(const struct ohv *hv, uint32_t frame)
{
	return hv->mem + ((size_t)frame << HV_PAGE_SHIFT);
}

#endif /* OHV_GPA_H */
