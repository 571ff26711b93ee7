/* Helpers of the tests of the Linux root's wider surface (SPEC 10). */
#ifndef OHV_TEST_SURFACE_T_H
#define OHV_TEST_SURFACE_T_H

#include "t.h"

#define S_RW	(HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE)

/* HvMapGpaPages from the root: root pages src.. at gpa_page.. of target. */
uint64_t s_map(struct ohv *hv, uint64_t target, uint64_t gpa_page,
	       uint64_t src, uint32_t n, uint32_t flags);
/* A simple memory-based call by the root, with a variable header of
 * varhead qwords (part of in); the result value. */
uint64_t s_root(struct ohv *hv, uint16_t code, uint32_t varhead,
		const void *in, size_t in_len, void *out, size_t out_len);
/* A runnable child (VP 0 unsuspended) with root pages mapped RW at its
 * GPA pages 0 .. npages - 1 (from *next). */
uint64_t s_child(struct ohv *hv, uint64_t *next, uint32_t npages);
/* The pool balance of a partition: available + in use. */
uint64_t s_in_use(struct ohv *hv, uint64_t id);
uint64_t s_available(struct ohv *hv, uint64_t id);
/* One register of VP vp of a child of the root (REQUIREs success). */
uint64_t s_get(struct ohv *hv, uint64_t id, uint32_t vp, uint32_t name);
void s_set(struct ohv *hv, uint64_t id, uint32_t vp, uint32_t name,
	   uint64_t value);

#endif
