/* SPDX-License-Identifier: MIT */
/*
 * What a guest sees of openhv without a hypercall (spec.md §11.3): the
 * Hyper-V CPUID leaves and the synthetic MSRs.  Shared by every backend
 * that runs guest code; the state behind them is the core's.
 */
#ifndef OHV_GUEST_H
#define OHV_GUEST_H

#include "backend.h"
#include "internal.h"

struct vp;

/* CLOCK_MONOTONIC in nanoseconds: the reference time's clock. */
uint64_t guest_now_ns(void);

/* The leaves 0x40000000 + i, i < OHV_GUEST_CPUID_LEAVES, as EAX, EBX, ECX,
 * EDX, for partition p. */
void guest_cpuid(const struct partition *p,
		 uint32_t out[OHV_GUEST_CPUID_LEAVES][4]);

/*
 * RDMSR (write false) or WRMSR of synthetic MSR msr by vp of p: 0, or
 * -EINVAL when the guest gets #GP (an MSR openhv does not define, one the
 * partition lacks the privilege for, a write of a read-only MSR or of
 * reserved bits).  Called with the instance lock held.
 */
/* The same MSR as the parent's register (HV_X64_REGISTER_HYPERCALL,
 * HV_REGISTER_REFERENCE_TSC): no privilege of the child's needed. */
int guest_msr_parent(struct ohv *hv, struct partition *p, struct vp *vp,
		     uint32_t msr, uint64_t *val, bool write);
int guest_msr(struct ohv *hv, struct partition *p, struct vp *vp,
	      uint32_t msr, uint64_t *val, bool write);

#endif /* OHV_GUEST_H */
