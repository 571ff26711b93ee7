/* The root's page allocator of the client layer (client.h, ohv_root_*). */
#ifndef OHV_ROOTMEM_H
#define OHV_ROOTMEM_H

#include <stddef.h>
#include <stdint.h>

struct ohv;

/* No root VP in particular: the public ohv_root_* calls. */
#define ROOTMEM_NO_VP	UINT32_MAX

/*
 * ohv_root_alloc_many and ohv_root_free_many on behalf of root VP vp (the
 * client layer's calls): vp's own pages first, and back to vp.
 */
size_t rootmem_alloc(struct ohv *hv, uint32_t vp, uint32_t node,
		     uint64_t *pages, size_t count);
void rootmem_free(struct ohv *hv, uint32_t vp, const uint64_t *pages,
		  size_t count);

/* Free the allocator at ohv_close. */
void rootmem_destroy(struct ohv *hv);

#endif /* OHV_ROOTMEM_H */
