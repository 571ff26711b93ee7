#include "alloc.h"

#include <stdlib.h>

void *ohv_malloc(size_t size)
{
	return malloc(size ? size : 1);
}

void *ohv_calloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size ? size : 1);
}

void ohv_free(void *p)
{
	free(p);
}
