#include "alloc.h"

#include <stdlib.h>

#include <openhv/openhv.h>

/*
 * Allocation-failure injection: when fail_at is n > 0, the n-th allocation
 * from then on fails (SQLite's way of walking every failure path).  Counted
 * process-wide with atomics, so the disabled case costs one load.
 */
static uint64_t fail_at;
static uint64_t allocs;

static int fail_now(void)
{
	uint64_t n = __atomic_add_fetch(&allocs, 1, __ATOMIC_RELAXED);
	uint64_t at = __atomic_load_n(&fail_at, __ATOMIC_RELAXED);

	return at && n == at;
}

void ohv_debug_fail_alloc(uint64_t nth)
{
	__atomic_store_n(&allocs, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fail_at, nth, __ATOMIC_RELAXED);
}

uint64_t ohv_debug_alloc_count(void)
{
	return __atomic_load_n(&allocs, __ATOMIC_RELAXED);
}

void *ohv_malloc(size_t size)
{
	if (fail_now())
		return NULL;
	return malloc(size ? size : 1);
}

void *ohv_calloc(size_t n, size_t size)
{
	if (fail_now())
		return NULL;
	return calloc(n ? n : 1, size ? size : 1);
}

void ohv_free(void *p)
{
	free(p);
}
