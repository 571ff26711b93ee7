/* SPDX-License-Identifier: MIT */
/*
 * The fuzz harness shared by the targets in fuzz/: one instance per input,
 * hypercalls with the invariant checker after each, and the model-driven
 * teardown that must hand every frame back to the root.
 *
 * A finding is anything that makes fz_fail() run: the invariant checker
 * reporting a violation, or a call the model says must succeed failing.
 * It prints what broke and aborts, so libFuzzer (or the replay program)
 * stops with the input that did it.
 */
#ifndef OHV_FUZZ_H
#define OHV_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openhv/hv.h>
#include <openhv/openhv.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The rep fields of a control word (spec.md §3.1). */
static inline uint32_t fz_rep_count(uint64_t control)
{
	return (uint32_t)((control & HV_HYPERCALL_REP_COUNT_MASK) >>
			  HV_HYPERCALL_REP_COMP_OFFSET);
}

static inline uint32_t fz_rep_start(uint64_t control)
{
	return (uint32_t)((control & HV_HYPERCALL_REP_START_MASK) >>
			  HV_HYPERCALL_REP_START_OFFSET);
}

#define FZ_ROOT		1ull
/* The root's parameter pages and SynIC pages (identity map). */
#define FZ_IN_PAGE	0ull
#define FZ_OUT_PAGE	1ull
#define FZ_SIM_PAGE	2ull
#define FZ_SIEF_PAGE	3ull
/* Ports and connections of the root the teardown must remove. */
#define FZ_MAX_OBJS	256

struct fz {
	struct ohv *hv;
	struct ohv_config cfg;
	/* Root port and connection ids, kept by the trace hook from the
	 * calls that succeeded. */
	uint32_t ports[FZ_MAX_OBJS], nports;
	uint32_t conns[FZ_MAX_OBJS], nconns;
	/* Next root page the teardown tries to deposit, counting down. */
	uint64_t spare;
	/* fz_call runs the invariant checker after each call (the
	 * teardown turns it off for its long loops and checks after). */
	bool check_each;
	/* Fail this host allocation of the next fz_call (0: none). */
	uint64_t fail_nth;
	/* Where we are, for messages. */
	const char *stage;
};

__attribute__((noreturn, format(printf, 2, 3)))
void fz_fail(const struct fz *f, const char *fmt, ...);

/* Open an instance with cfg (tracing root ports and connections). */
void fz_open(struct fz *f, const struct ohv_config *cfg);

/* Run the invariant checker; a violation is a finding. */
void fz_check(struct fz *f);

/*
 * One hypercall as VP vp of caller, then the checks: the result word's
 * reserved bits clear, the invariant checker, and a call that failed
 * without completing a rep element changed nothing (partitions, pools,
 * VPs, SynIC interrupts).  A SetVpRegisters by the root on itself has its
 * ExplicitSuspend and InterceptSuspend values cleared first (either one
 * stops a VP from calling, spec.md §7): the root has no parent to resume
 * it, so suspending its only VP would leave nobody able to tear the
 * instance down.  With fail_nth set, that host allocation of this call
 * fails, and the call must then return NO_RESOURCES.
 */
uint64_t fz_call(struct fz *f, uint64_t caller, uint32_t vp,
		 struct ohv_hvcall *call);

/* What fz_call does to the root's SetVpRegisters on itself (above). */
void fz_no_root_suspend(struct fz *f, uint64_t caller,
			struct ohv_hvcall *call);

/* A fast call: in goes in the registers, out comes from the register
 * pair after the input.  Returns the result value. */
uint64_t fz_fast(struct fz *f, uint64_t caller, uint32_t vp, uint64_t control,
		 const void *in, size_t in_len, void *out, size_t out_len);

/*
 * A memory-based call through the caller's GPA pages in_page and out_page:
 * the input is written there when the page is reachable (otherwise the call
 * is issued anyway and meets the generic checks).
 */
uint64_t fz_mem(struct fz *f, uint64_t caller, uint32_t vp, uint64_t in_page,
		uint64_t out_page, uint64_t control, const void *in,
		size_t in_len, void *out, size_t out_len);

/*
 * A call by VP vp of caller, fast or through the caller's GPA pages 0 and
 * 1, re-issued as a client would while a rep call stops early with
 * SUCCESS (rep_limit).  Returns the last result.
 */
uint64_t fz_issue(struct fz *f, uint64_t caller, uint32_t vp, bool fast,
		  uint64_t control, const void *in, size_t in_len, void *out,
		  size_t out_len);

/* One 64-bit register write / read by caller on VP vp of target (fast). */
hv_status_t fz_set_reg(struct fz *f, uint64_t caller, uint32_t cvp,
		       uint64_t target, uint32_t vp, uint32_t name,
		       uint64_t value);

/*
 * Take everything down through hypercalls, bottom-up, and require the
 * machine to be as ohv_open left it: one partition, the root's pool empty,
 * every page back in the root's identity map with full rights, invariants
 * intact.  Then close the instance.
 */
void fz_teardown(struct fz *f);

#endif /* OHV_FUZZ_H */
