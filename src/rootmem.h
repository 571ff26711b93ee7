/* The root's page allocator of the client layer (client.h, ohv_root_*). */
#ifndef OHV_ROOTMEM_H
#define OHV_ROOTMEM_H

struct ohv;

/* Free the allocator at ohv_close. */
void rootmem_destroy(struct ohv *hv);

#endif /* OHV_ROOTMEM_H */
