/*
 * Host allocations.  Every allocation of the library goes through here, so
 * that allocation-failure injection can fail the N-th one (SQLite's way).
 */
#ifndef OHV_ALLOC_H
#define OHV_ALLOC_H

#include <stddef.h>

void *ohv_malloc(size_t size);
void *ohv_calloc(size_t n, size_t size);
void ohv_free(void *p);

#endif /* OHV_ALLOC_H */
