/*
 * The null execution backend: partitions exist only as TLFS state.  Every
 * hook is left out, so the core keeps all state (registers included) and
 * ohv_vp_run answers -ENODEV: the embedding program issues each VP's
 * hypercalls itself (SPEC 1, "Callers").
 */
#include "backend.h"

const struct ohv_backend_ops ohv_backend_null = {
	.name = "null",
};
