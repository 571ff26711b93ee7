/* SPDX-License-Identifier: MIT */
#include "vp.h"
#include "guest.h"

#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "partition.h"
#include "pool.h"
#include "seam.h"

/* x86 segment attributes at reset: present, type as the SDM's INIT state. */
#define SEG_DATA	0x0093	/* read/write data, accessed */
#define SEG_CODE	0x009B	/* execute/read code, accessed */
#define SEG_LDT		0x0082
#define SEG_TSS		0x008B

struct vp *vp_alloc(uint32_t index)
{
	struct vp *vp = ohv_calloc(1, sizeof(*vp));

	if (!vp)
		return NULL;
	vp->index = index;
	charge_init(&vp->charge);

	/* TLFS 2.0 §10.4.1: a new VP starts in the architectural INIT
	 * state (Intel SDM "Processor State After Reset"). */
	struct vp_regs *r = &vp->regs;

	r->gpr[HV_X64_REGISTER_RIP - HV_X64_REGISTER_RAX] = 0xFFF0;
	r->gpr[HV_X64_REGISTER_RFLAGS - HV_X64_REGISTER_RAX] = 0x2;
	r->cr[0] = 0x60000010;
	for (int i = 0; i < VP_SEGS; i++)
		r->seg[i] = (struct hv_x64_segment_register){
			.limit = 0xFFFF, .attributes = SEG_DATA,
		};
	r->seg[HV_X64_REGISTER_CS - HV_X64_REGISTER_ES] =
		(struct hv_x64_segment_register){
			.base = 0xFFFF0000, .limit = 0xFFFF, .selector = 0xF000,
			.attributes = SEG_CODE,
		};
	r->seg[HV_X64_REGISTER_LDTR - HV_X64_REGISTER_ES].attributes = SEG_LDT;
	r->seg[HV_X64_REGISTER_TR - HV_X64_REGISTER_ES].attributes = SEG_TSS;
	for (int i = 0; i < VP_TABLES; i++)
		r->table[i].limit = 0xFFFF;
	/* SynIC: every SINT masked, SynIC and its pages disabled. */
	for (int i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		r->sint[i] = HV_SYNIC_SINT_DEFAULT;
	vpx_init(&vp->x, index);
	return vp;
}

void vp_free(struct vp *vp)
{
	if (vp)
		vpx_free(&vp->x);
	ohv_free(vp);
}

int vp_table_alloc(struct partition *p)
{
	p->vps = ohv_calloc(OHV_MAX_VPS, sizeof(*p->vps));
	return p->vps ? 0 : -ENOMEM;
}

void vp_delete_all(struct ohv *hv, struct partition *p)
{
	if (!p->vps)
		return;
	for (uint32_t i = 0; i < OHV_MAX_VPS; i++) {
		struct vp *vp = p->vps[i];

		if (!vp)
			continue;
		seam_vp_delete(hv, vp);
		synic_vp_delete(hv, vp);
		vpx_delete(hv, vp);
		pool_uncharge(hv, p, &vp->charge);
		vp_free(vp);
		p->vps[i] = NULL;
	}
	p->nvps = 0;
	ohv_free(p->vps);
	p->vps = NULL;
}

/* ---------------------------------------------------------------------- */
/* Registers (spec.md §7).                                                     */

/*
 * Read or write one register of vp (in partition p).  Unknown names, writes
 * to read-only registers and values a register cannot hold are
 * INVALID_PARAMETER (spec.md §7).
 */
hv_status_t vp_reg_access(struct ohv *hv, struct partition *p, struct vp *vp,
			  uint32_t name, union hv_register_value *v, bool wr)
{
	struct vp_regs *r = &vp->regs;
	uint64_t *u64 = NULL;

	/* Without guest/host masks an intermediate CR is the CR itself. */
	if (name == HV_X64_REGISTER_INTERMEDIATE_CR0 ||
	    (name >= HV_X64_REGISTER_INTERMEDIATE_CR3 &&
	     name <= HV_X64_REGISTER_INTERMEDIATE_CR8))
		name -= HV_X64_REGISTER_INTERMEDIATE_CR0 - HV_X64_REGISTER_CR0;
	if (name == HV_X64_REGISTER_HYPERCALL ||
	    name == HV_REGISTER_REFERENCE_TSC) {
		/* Partition-wide, the guest's MSRs (guest.c). */
		uint32_t msr = name == HV_X64_REGISTER_HYPERCALL ?
			       HV_X64_MSR_HYPERCALL : HV_X64_MSR_REFERENCE_TSC;

		return guest_msr_parent(hv, p, vp, msr, &v->reg64, wr) ?
		       HV_STATUS_INVALID_PARAMETER : HV_STATUS_SUCCESS;
	}

	/* The architectural state lives in the backend's vCPU while the VP
	 * exists (spec.md §11.1); the core keeps what the backend leaves it. */
	int err = seam_vp_reg(hv, vp, name, v, wr);

	if (err != -ENOENT)
		return err ? HV_STATUS_INVALID_PARAMETER : HV_STATUS_SUCCESS;
	if (name >= HV_X64_REGISTER_RAX && name <= HV_X64_REGISTER_RFLAGS) {
		u64 = &r->gpr[name - HV_X64_REGISTER_RAX];
	} else if (name >= HV_X64_REGISTER_CR0 && name <= HV_X64_REGISTER_CR8) {
		u64 = &r->cr[name - HV_X64_REGISTER_CR0];
	} else if (name == HV_X64_REGISTER_EFER) {
		u64 = &r->efer;
	} else if (name >= HV_X64_REGISTER_ES && name <= HV_X64_REGISTER_TR) {
		struct hv_x64_segment_register *s = &r->seg[name - HV_X64_REGISTER_ES];

		if (wr)
			*s = v->segment;
		else
			v->segment = *s;
		return HV_STATUS_SUCCESS;
	} else if (name == HV_X64_REGISTER_IDTR || name == HV_X64_REGISTER_GDTR) {
		struct hv_x64_table_register *t = &r->table[name - HV_X64_REGISTER_IDTR];

		if (wr) {
			t->limit = v->table.limit;
			t->base = v->table.base;
		} else {
			v->table.limit = t->limit;
			v->table.base = t->base;
		}
		return HV_STATUS_SUCCESS;
	} else if (name == HV_REGISTER_EXPLICIT_SUSPEND) {
		/* Bit 0 is Suspended; the rest is reserved. */
		if (wr) {
			if (v->reg64 > 1)
				return HV_STATUS_INVALID_PARAMETER;
			vp->suspended = v->reg64;
			seam_vp_notify(hv, vp);
		} else {
			v->reg64 = vp->suspended;
		}
		return HV_STATUS_SUCCESS;
	} else if (name == HV_REGISTER_INTERCEPT_SUSPEND) {
		/* spec.md §7: set when the VP stops for an intercept; the parent
		 * clears it to resume.  Bit 0 only. */
		if (wr) {
			if (v->reg64 > 1)
				return HV_STATUS_INVALID_PARAMETER;
			vp->intercept_suspended = v->reg64;
			seam_vp_notify(hv, vp);
		} else {
			v->reg64 = vp->intercept_suspended;
		}
		return HV_STATUS_SUCCESS;
	} else if (name == HV_REGISTER_GUEST_OS_ID) {
		/* Partition-wide, like the x64 guest OS id MSR. */
		u64 = &p->guest_os_id;
	} else if (name >= HV_REGISTER_SINT0 && name <= HV_REGISTER_SINT15) {
		u64 = &r->sint[name - HV_REGISTER_SINT0];
	} else if (name == HV_REGISTER_SCONTROL) {
		u64 = &r->scontrol;
	} else if (name == HV_REGISTER_SIEFP) {
		u64 = &r->siefp;
	} else if (name == HV_REGISTER_SIMP) {
		u64 = &r->simp;
	} else if (name == HV_REGISTER_SVERSION) {
		if (wr)
			return HV_STATUS_INVALID_PARAMETER;	/* read-only */
		v->reg64 = HV_SYNIC_VERSION_1;
		return HV_STATUS_SUCCESS;
	} else if (name == HV_REGISTER_EOM) {
		/*
		 * A write-only trigger: the guest is done with a message
		 * slot, so the next waiting message may come (spec.md §8).
		 * Reads return 0, as the EOM MSR does.
		 */
		if (wr)
			synic_eom(hv, p, vp);
		else
			v->reg64 = 0;
		return HV_STATUS_SUCCESS;
	} else {
		/* The rest of spec.md §7's set (regs.c). */
		hv_status_t st = regs_access(hv, vp, name, v, wr);

		return st == HV_STATUS_UNKNOWN_REGISTER_NAME ?
			HV_STATUS_INVALID_PARAMETER : st;
	}
	if (wr)
		*u64 = v->reg64;
	else
		v->reg64 = *u64;
	return HV_STATUS_SUCCESS;
}

int ohv_vp_info(struct ohv *hv, uint64_t partition_id, uint32_t vp_index,
		struct ohv_vp_info *out)
{
	int rc = -ENOENT;

	if (!hv || !out)
		return -EINVAL;
	lock_take(hv);
	const struct partition *p = partition_get(hv, partition_id);
	const struct vp *vp = p ? partition_vp(p, vp_index) : NULL;

	if (vp) {
		memset(out, 0, sizeof(*out));
		out->index = vp->index;
		out->suspended = vp->suspended;
		out->scontrol = vp->regs.scontrol;
		out->simp = vp->regs.simp;
		out->siefp = vp->regs.siefp;
		memcpy(out->sint, vp->regs.sint, sizeof(out->sint));
		rc = 0;
	}
	lock_drop(hv);
	return rc;
}
