/*
 * The hypercall table inside the library: each call's public description
 * (openhv/calls.h) with its handler.  The dispatcher looks calls up here.
 */
#ifndef OHV_CALLS_H
#define OHV_CALLS_H

#include <openhv/calls.h>

#include "hvctx.h"

struct call {
	struct ohv_call_info info;
	hc_handler *handler;
};

/* The entry of an implemented call, in O(1); NULL for any other code. */
const struct call *ohv_call_entry(uint16_t code);

#endif /* OHV_CALLS_H */
