/* SPDX-License-Identifier: MIT */
/*
 * The guest-facing interface of spec.md §11.3: the Hyper-V CPUID leaves
 * (TLFS-md feature-discovery.md) and the synthetic MSRs (TLFS 2.0 §4.12
 * for the guest OS id and hypercall MSRs, §14 and facts §4.10 for the
 * SynIC's).  The SynIC MSRs are the SynIC registers of spec.md §7: a
 * guest's WRMSR and a parent's HvSetVpRegisters change the same state.
 */
#include "guest.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "gpa.h"
#include "synic.h"
#include "vp.h"

uint64_t guest_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Four ASCII characters as CPUID returns them in a register. */
#define SIG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | \
			 (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

/* 0x40000003 EDX (TLFS-md): XMM registers carry fast hypercall input;
 * the hypercall MSR's lock bit is honoured. */
#define FEAT_EDX_XMM_INPUT	(1u << 4)
#define FEAT_EDX_MSR_LOCK	(1u << 18)

/* 0x40000002: the version openhv reports, Windows Server 2022's numbers
 * (major 10, minor 0, build 20348): guests only compare it to known
 * builds. */
#define VERSION_BUILD		20348u
#define VERSION_MAJOR_MINOR	0x000A0000u

void guest_cpuid(const struct partition *p,
		 uint32_t out[OHV_GUEST_CPUID_LEAVES][4])
{
	memset(out, 0, sizeof(uint32_t) * 4 * OHV_GUEST_CPUID_LEAVES);
	/* The highest leaf, then the vendor "Microsoft Hv". */
	out[0][0] = 0x40000000u + OHV_GUEST_CPUID_LEAVES - 1;
	out[0][1] = SIG('M', 'i', 'c', 'r');
	out[0][2] = SIG('o', 's', 'o', 'f');
	out[0][3] = SIG('t', ' ', 'H', 'v');
	out[1][0] = HV_CPUID_INTERFACE_HV1;
	out[2][0] = VERSION_BUILD;
	out[2][1] = VERSION_MAJOR_MINOR;
	/* The partition's privilege mask, then the features. */
	out[3][0] = (uint32_t)p->privileges;
	out[3][1] = (uint32_t)(p->privileges >> 32);
	out[3][3] = FEAT_EDX_XMM_INPUT | FEAT_EDX_MSR_LOCK;
	/*
	 * Recommendations: AutoEOI is deprecated (the in-kernel LAPIC has no
	 * auto-EOI, spec.md §11.3); never notify long spin waits.
	 */
	out[4][0] = HV_CPUID_DEPRECATING_AEOI;
	out[4][1] = 0xFFFFFFFFu;
	/* Limits: virtual processors a partition may have. */
	out[5][0] = OHV_MAX_VPS;
	out[5][1] = OHV_MAX_VPS;
	/* 0x40000006, hardware features in use: none. */
}

/* The privilege each MSR needs (TLFS 2.0 §5.2.3; TLFS-md): #GP without. */
static uint64_t msr_privilege(uint32_t msr)
{
	switch (msr) {
	case HV_X64_MSR_GUEST_OS_ID:
	case HV_X64_MSR_HYPERCALL:
		return HV_PARTITION_PRIV_ACCESS_HYPERCALL_MSRS;
	case HV_X64_MSR_VP_INDEX:
		return HV_PARTITION_PRIV_ACCESS_VP_INDEX;
	case HV_X64_MSR_TIME_REF_COUNT:
		return HV_PARTITION_PRIV_ACCESS_PARTITION_REF_COUNTER;
	case HV_X64_MSR_REFERENCE_TSC:
		return HV_PARTITION_PRIV_ACCESS_PARTITION_REF_TSC;
	default:
		if (msr >= HV_X64_MSR_SCONTROL && msr <= HV_X64_MSR_EOM)
			return HV_PARTITION_PRIV_ACCESS_SYNIC_REGS;
		if (msr >= HV_X64_MSR_SINT0 && msr <= HV_X64_MSR_SINT15)
			return HV_PARTITION_PRIV_ACCESS_SYNIC_REGS;
		return 0;	/* not an MSR openhv defines */
	}
}

/*
 * Bits a write may set (the rest are reserved: #GP, spec.md §11.3).  The
 * overlay MSRs keep 11:1 reserved, the hypercall MSR 11:2.
 */
#define PAGE_MSR_VALID	(~0xFFEull)
#define HYPERCALL_VALID	(~0xFFCull)
#define SINT_VALID	(HV_SYNIC_SINT_VECTOR_MASK | HV_SYNIC_SINT_MASKED | \
			 HV_SYNIC_SINT_AUTO_EOI)

static int write_checked(uint64_t *reg, uint64_t val, uint64_t valid)
{
	if (val & ~valid)
		return -EINVAL;
	*reg = val;
	return 0;
}

/* The synthetic time source: 100 ns units since the partition was made. */
static uint64_t ref_count(const struct partition *p)
{
	return (guest_now_ns() - p->ref_time_base) / 100u;
}

static int msr_write(struct ohv *hv, struct partition *p, struct vp *vp,
		     uint32_t msr, uint64_t val)
{
	switch (msr) {
	case HV_X64_MSR_GUEST_OS_ID:
		p->guest_os_id = val;
		/* TLFS 2.0 §4.12: no hypercall page without a guest OS id. */
		if (!val && !(p->hypercall_msr & HV_X64_MSR_HYPERCALL_LOCKED))
			p->hypercall_msr &= ~HV_X64_MSR_HYPERCALL_ENABLE;
		return 0;
	case HV_X64_MSR_HYPERCALL:
		if (val & ~HYPERCALL_VALID)
			return -EINVAL;
		/* A locked MSR keeps its value (TLFS-md). */
		if (p->hypercall_msr & HV_X64_MSR_HYPERCALL_LOCKED)
			return 0;
		/* Enabling waits for a guest OS id (TLFS 2.0 §4.12). */
		if (!p->guest_os_id)
			val &= ~HV_X64_MSR_HYPERCALL_ENABLE;
		p->hypercall_msr = val;
		return 0;
	case HV_X64_MSR_REFERENCE_TSC: {
		if (write_checked(&p->ref_tsc_msr, val, PAGE_MSR_VALID))
			return -EINVAL;
		/*
		 * openhv gives no TSC scale: a zero TscSequence tells the
		 * guest to read HV_X64_MSR_TIME_REF_COUNT instead (TLFS-md
		 * "partition reference TSC").
		 */
		uint32_t *seq = gpa_ptr(hv, p, val & ~(uint64_t)0xFFF,
					sizeof(*seq), GPA_WRITE);

		if ((val & 1) && seq)
			__atomic_store_n(seq, 0, __ATOMIC_RELEASE);
		return 0;
	}
	case HV_X64_MSR_SCONTROL:
		return write_checked(&vp->regs.scontrol, val,
				     HV_SYNIC_SCONTROL_ENABLE);
	case HV_X64_MSR_SIEFP:
		return write_checked(&vp->regs.siefp, val, PAGE_MSR_VALID);
	case HV_X64_MSR_SIMP:
		return write_checked(&vp->regs.simp, val, PAGE_MSR_VALID);
	case HV_X64_MSR_EOM:
		synic_eom(hv, p, vp);
		return 0;
	case HV_X64_MSR_VP_INDEX:
	case HV_X64_MSR_TIME_REF_COUNT:
	case HV_X64_MSR_SVERSION:
		return -EINVAL;		/* read-only */
	default: {
		/* SINT0-15: vectors 0-15 are the CPU's own (TLFS 2.0 §14). */
		uint64_t *sint = &vp->regs.sint[msr - HV_X64_MSR_SINT0];

		if (!(val & HV_SYNIC_SINT_MASKED) &&
		    (val & HV_SYNIC_SINT_VECTOR_MASK) < 16)
			return -EINVAL;
		return write_checked(sint, val, SINT_VALID);
	}
	}
}

static uint64_t msr_read(struct partition *p, struct vp *vp, uint32_t msr)
{
	switch (msr) {
	case HV_X64_MSR_GUEST_OS_ID:	return p->guest_os_id;
	case HV_X64_MSR_HYPERCALL:	return p->hypercall_msr;
	case HV_X64_MSR_VP_INDEX:	return vp->index;
	case HV_X64_MSR_TIME_REF_COUNT:	return ref_count(p);
	case HV_X64_MSR_REFERENCE_TSC:	return p->ref_tsc_msr;
	case HV_X64_MSR_SCONTROL:	return vp->regs.scontrol;
	case HV_X64_MSR_SVERSION:	return HV_SYNIC_VERSION_1;
	case HV_X64_MSR_SIEFP:		return vp->regs.siefp;
	case HV_X64_MSR_SIMP:		return vp->regs.simp;
	case HV_X64_MSR_EOM:		return 0;	/* write-only */
	default:			return vp->regs.sint[msr - HV_X64_MSR_SINT0];
	}
}

int guest_msr_parent(struct ohv *hv, struct partition *p, struct vp *vp,
		     uint32_t msr, uint64_t *val, bool write)
{
	LOCK_HELD(hv);
	if (!write) {
		*val = msr_read(p, vp, msr);
		return 0;
	}
	return msr_write(hv, p, vp, msr, *val);
}

int guest_msr(struct ohv *hv, struct partition *p, struct vp *vp,
	      uint32_t msr, uint64_t *val, bool write)
{
	LOCK_HELD(hv);
	uint64_t need = msr_privilege(msr);

	if (!need || !(p->privileges & need))
		return -EINVAL;
	if (!write) {
		*val = msr_read(p, vp, msr);
		return 0;
	}
	return msr_write(hv, p, vp, msr, *val);
}
