/* The null execution backend: partitions exist only as TLFS state. */
#include "backend.h"

#include <stddef.h>

static int null_open(struct ohv *hv, void **ctx)
{
	(void)hv;
	*ctx = NULL;
	return 0;
}

static void null_close(void *ctx)
{
	(void)ctx;
}

static int null_partition(void *ctx, struct partition *p)
{
	(void)ctx;
	(void)p;
	return 0;
}

static void null_partition_gone(void *ctx, struct partition *p)
{
	(void)ctx;
	(void)p;
}

const struct backend_ops ohv_backend_null = {
	.name = "null",
	.open = null_open,
	.close = null_close,
	.partition_create = null_partition,
	.partition_destroy = null_partition_gone,
	.partition_initialize = null_partition,
	.partition_finalize = null_partition_gone,
};
