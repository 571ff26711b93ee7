/* SPDX-License-Identifier: MIT */
/*
 * The x64 registers of spec.md §7 beyond vp.c's: debug registers, XCR0
 * (XFEM), the FPU and XMM registers (kept in the VP's XSAVE image, so
 * HvGetVpState sees them too), the MSR-backed registers, the pending
 * interruption and interrupt state.  Names: Linux hvgdk_mini.h.
 */
#include "surface.h"

#include <errno.h>
#include <string.h>

#include "seam.h"
#include "vp.h"

enum reg_kind { K_MSR, K_DR, K_XFEM, K_MISC, K_XMM, K_FPMMX, K_FPCS, K_XMMCS };

struct reg {
	uint32_t name;
	uint8_t kind;
	uint8_t idx;
	bool read_only;
	uint64_t reset;
};

/* MSR-backed registers, in struct vpx msr[] order. */
static const struct reg regs[] = {
	{ HV_X64_REGISTER_TSC, K_MSR, 0, false, 0 },
	{ HV_X64_REGISTER_KERNEL_GS_BASE, K_MSR, 1, false, 0 },
	{ HV_X64_REGISTER_APIC_BASE, K_MSR, 2, false, 0 },
	{ HV_X64_REGISTER_PAT, K_MSR, 3, false, 0x0007040600070406ull },
	{ HV_X64_REGISTER_SYSENTER_CS, K_MSR, 4, false, 0 },
	{ HV_X64_REGISTER_SYSENTER_EIP, K_MSR, 5, false, 0 },
	{ HV_X64_REGISTER_SYSENTER_ESP, K_MSR, 6, false, 0 },
	{ HV_X64_REGISTER_STAR, K_MSR, 7, false, 0 },
	{ HV_X64_REGISTER_LSTAR, K_MSR, 8, false, 0 },
	{ HV_X64_REGISTER_CSTAR, K_MSR, 9, false, 0 },
	{ HV_X64_REGISTER_SFMASK, K_MSR, 10, false, 0 },
	/* Eight variable ranges, fixed ranges, write combining. */
	{ HV_X64_REGISTER_MSR_MTRR_CAP, K_MSR, 11, true, 0x508 },
	{ HV_X64_REGISTER_MSR_MTRR_DEF_TYPE, K_MSR, 12, false, 0 },
	{ HV_X64_REGISTER_TSC_AUX, K_MSR, 13, false, 0 },
	{ HV_X64_REGISTER_DEBUG_CTL, K_MSR, 14, false, 0 },
	{ HV_X64_REGISTER_U_XSS, K_MSR, 15, false, 0 },
	/* The eight variable ranges (base, mask), then the fixed ranges. */
#define MTRR_VAR(i) \
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0 + (i), K_MSR, 16 + 2 * (i), false, 0 }, \
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0 + (i), K_MSR, 17 + 2 * (i), false, 0 }
	MTRR_VAR(0), MTRR_VAR(1), MTRR_VAR(2), MTRR_VAR(3),
	MTRR_VAR(4), MTRR_VAR(5), MTRR_VAR(6), MTRR_VAR(7),
#undef MTRR_VAR
	{ HV_X64_REGISTER_MSR_MTRR_FIX64K00000, K_MSR, 32, false, 0 },
	{ HV_X64_REGISTER_MSR_MTRR_FIX16K80000, K_MSR, 33, false, 0 },
	{ HV_X64_REGISTER_MSR_MTRR_FIX16KA0000, K_MSR, 34, false, 0 },
#define MTRR_FIX4K(i) \
	{ HV_X64_REGISTER_MSR_MTRR_FIX4KC0000 + (i), K_MSR, 35 + (i), false, 0 }
	MTRR_FIX4K(0), MTRR_FIX4K(1), MTRR_FIX4K(2), MTRR_FIX4K(3),
	MTRR_FIX4K(4), MTRR_FIX4K(5), MTRR_FIX4K(6), MTRR_FIX4K(7),
#undef MTRR_FIX4K
#define CET(i) { HV_X64_REGISTER_U_CET + (i), K_MSR, 43 + (i), false, 0 }
	CET(0), CET(1), CET(2), CET(3), CET(4), CET(5), CET(6), CET(7),
#undef CET
	{ HV_X64_REGISTER_DR0, K_DR, 0, false, 0 },
	{ HV_X64_REGISTER_DR1, K_DR, 1, false, 0 },
	{ HV_X64_REGISTER_DR2, K_DR, 2, false, 0 },
	{ HV_X64_REGISTER_DR3, K_DR, 3, false, 0 },
	{ HV_X64_REGISTER_DR6, K_DR, 4, false, 0 },
	{ HV_X64_REGISTER_DR7, K_DR, 5, false, 0 },
	{ HV_X64_REGISTER_XFEM, K_XFEM, 0, false, 0 },
	{ HV_REGISTER_PENDING_INTERRUPTION, K_MISC, 0, false, 0 },
	{ HV_REGISTER_INTERRUPT_STATE, K_MISC, 1, false, 0 },
	{ HV_REGISTER_INSTRUCTION_EMULATION_HINTS, K_MISC, 2, false, 0 },
	{ HV_REGISTER_PENDING_EVENT0, K_MISC, 3, false, 0 },
	{ HV_REGISTER_PENDING_EVENT0 + 1, K_MISC, 4, false, 0 },
	{ HV_REGISTER_DELIVERABILITY_NOTIFICATIONS, K_MISC, 5, false, 0 },
	{ HV_REGISTER_INTERNAL_ACTIVITY_STATE, K_MISC, 6, false, 0 },
	{ HV_X64_REGISTER_FP_CONTROL_STATUS, K_FPCS, 0, false, 0 },
	{ HV_X64_REGISTER_XMM_CONTROL_STATUS, K_XMMCS, 0, false, 0 },
};

#define DELIVERABILITY_NMI	0x1ull
#define DELIVERABILITY_RESERVED	0x0000FFFFFFFFFFC0ull

#define APIC_BASE_DEFAULT	0xFEE00000ull
#define APIC_BASE_ENABLE	0x800ull
#define APIC_BASE_BSP		0x100ull

_Static_assert(HV_X64_REGISTER_U_CET + 7 ==
	       HV_X64_REGISTER_INTERRUPT_SSP_TABLE_ADDR, "CET names");

void regs_reset(struct vpx *x, uint32_t vp_index)
{
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (regs[i].kind == K_MSR)
			x->msr[regs[i].idx] = regs[i].reset;
	x->msr[2] = APIC_BASE_DEFAULT | APIC_BASE_ENABLE |
		    (vp_index == 0 ? APIC_BASE_BSP : 0);
}

static uint64_t *misc_slot(struct vpx *x, uint8_t idx)
{
	switch (idx) {
	case 0: return &x->pending_interruption;
	case 1: return &x->interrupt_state;
	case 2: return &x->emulation_hints;
	case 3: return &x->pending_event[0];
	case 4: return &x->pending_event[1];
	case 5: return &x->deliverability;
	default: return &x->activity;
	}
}

/* 16 bytes of the XSAVE image at off.  A VP the backend runs keeps the
 * state in its vCPU: the image is read from there first, and a write
 * goes back. */
static hv_status_t image(struct ohv *hv, struct vp *vp, size_t off,
			 union hv_register_value *v, bool write)
{
	struct vpx *x = &vp->x;

	seam_vp_xsave(hv, vp, x->xsave, OHV_XSAVE_SIZE, OHV_XSAVE_STATES,
		      false);
	if (!write) {
		memcpy(v->reg128, x->xsave + off, 16);
		return HV_STATUS_SUCCESS;
	}
	uint8_t img[OHV_XSAVE_SIZE];

	memcpy(img, x->xsave, sizeof(img));
	memcpy(img + off, v->reg128, 16);
	if (seam_vp_xsave(hv, vp, img, sizeof(img), OHV_XSAVE_STATES, true) ==
	    -EINVAL)
		return HV_STATUS_INVALID_PARAMETER;
	memcpy(x->xsave, img, sizeof(img));
	return HV_STATUS_SUCCESS;
}

hv_status_t regs_access(struct ohv *hv, struct vp *vp, uint32_t name,
			union hv_register_value *v, bool write)
{
	struct vpx *x = &vp->x;

	/* FXSAVE layout: ST/MM at 32 + 16 i, XMM at 160 + 16 i. */
	if (name >= HV_X64_REGISTER_XMM0 && name <= HV_X64_REGISTER_XMM15)
		return image(hv, vp, 160 + 16 * (name - HV_X64_REGISTER_XMM0), v,
			     write);
	if (name >= HV_X64_REGISTER_FP_MMX0 && name <= HV_X64_REGISTER_FP_MMX7)
		return image(hv, vp, 32 + 16 * (name - HV_X64_REGISTER_FP_MMX0), v,
			     write);

	const struct reg *r = NULL;

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (regs[i].name == name)
			r = &regs[i];
	if (!r)
		return HV_STATUS_UNKNOWN_REGISTER_NAME;
	if (write && r->read_only)
		return HV_STATUS_INVALID_PARAMETER;
	uint64_t *slot;

	switch (r->kind) {
	case K_MSR:
		slot = &x->msr[r->idx];
		break;
	case K_DR:
		/* DR6 and DR7: bits 63:32 are reserved (SDM 18.2). */
		if (write && r->idx >= 4 && (v->reg64 >> 32))
			return HV_STATUS_INVALID_PARAMETER;
		slot = &x->dr[r->idx];
		break;
	case K_XFEM:
		/* XCR0: x87 always, AVX only with SSE, nothing the
		 * partition's XSAVE image cannot hold. */
		if (write && (!(v->reg64 & HV_XSAVE_STATE_X87) ||
			      (v->reg64 & ~(uint64_t)OHV_XSAVE_STATES) ||
			      ((v->reg64 & HV_XSAVE_STATE_AVX) &&
			       !(v->reg64 & HV_XSAVE_STATE_SSE))))
			return HV_STATUS_INVALID_PARAMETER;
		slot = &x->xfem;
		break;
	case K_FPCS:	/* FCW, FSW, FTW, FOP, FIP: bytes 0-15 */
		return image(hv, vp, 0, v, write);
	case K_XMMCS:	/* FDP, MXCSR, MXCSR_MASK: bytes 16-31 */
		if (write) {
			uint32_t mxcsr;

			memcpy(&mxcsr, (const uint8_t *)v->reg128 + 8, 4);
			if (mxcsr & 0xFFFF0000u)
				return HV_STATUS_INVALID_PARAMETER;
		}
		return image(hv, vp, 16, v, write);
	default:
		/*
		 * DeliverabilityNotifications (hvhdk.h): bit 0 NMI, bit 1
		 * interrupt, 5:2 the priority, 63:48 the SINTs, the rest
		 * reserved.  An NMI notification is refused with
		 * INVALID_PARAMETER, as the hypervisor does (rust-vmm/mshv
		 * 0.7.0's test_register_deliverabilty_notifications).
		 */
		if (write && name == HV_REGISTER_DELIVERABILITY_NOTIFICATIONS &&
		    (v->reg64 & (DELIVERABILITY_NMI | DELIVERABILITY_RESERVED)))
			return HV_STATUS_INVALID_PARAMETER;
		slot = misc_slot(x, r->idx);
		break;
	}
	if (write)
		*slot = v->reg64;
	else
		v->reg64 = *slot;
	return HV_STATUS_SUCCESS;
}
