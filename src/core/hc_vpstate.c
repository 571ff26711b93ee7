/* SPDX-License-Identifier: MIT */
/*
 * A VP's state beyond its registers (spec.md §10): the register page and the
 * intercept message page the root maps (HvMapVpStatePage,
 * HvUnmapVpStatePage), and the LAPIC, XSAVE, SIM, SIEF and synthetic timer
 * state of HvGetVpState / HvSetVpState.
 */
#include "handlers.h"
#include "surface.h"
#include "seam.h"

#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "gpa.h"
#include "partition.h"
#include "seam.h"
#include "vp.h"

/* xAPIC version 0x14 with six LVT entries (CMCI included). */
#define APIC_VERSION		0x00050014u
#define APIC_LVT_MASKED		0x00010000u
#define XSAVE_FCW		0x037Fu
#define XSAVE_MXCSR		0x1F80u
#define XSAVE_MXCSR_MASK	0xFFFFu
#define XSAVE_MXCSR_OFF		24
#define XSAVE_MXCSR_MASK_OFF	28
#define XSAVE_XMM_OFF		160
#define XSAVE_XCOMP_COMPACTED	(1ull << 63)

void vpx_init(struct vpx *x, uint32_t vp_index)
{
	struct hv_local_interrupt_controller_state *l = &x->lapic;

	/* TLFS 2.0 §10.4.1: the initial APIC id is the VP index. */
	l->apic_id = vp_index;
	l->apic_version = APIC_VERSION;
	l->apic_dfr = 0xFFFFFFFFu;
	l->apic_spurious = 0xFF;
	l->apic_lvt_timer = l->apic_lvt_thermal = l->apic_lvt_perfmon =
		l->apic_lvt_lint0 = l->apic_lvt_lint1 = l->apic_lvt_error =
		l->apic_lvt_cmci = APIC_LVT_MASKED;

	/* The x87 and SSE reset values, compacted form (XCOMP_BV bit 63). */
	uint16_t fcw = XSAVE_FCW;
	uint32_t mxcsr = XSAVE_MXCSR, mxcsr_mask = XSAVE_MXCSR_MASK;
	uint64_t xcomp = XSAVE_XCOMP_COMPACTED | OHV_XSAVE_STATES;

	memcpy(x->xsave, &fcw, sizeof(fcw));
	memcpy(x->xsave + XSAVE_MXCSR_OFF, &mxcsr, sizeof(mxcsr));
	memcpy(x->xsave + XSAVE_MXCSR_MASK_OFF, &mxcsr_mask, sizeof(mxcsr_mask));
	memcpy(x->xsave + HV_XSAVE_LEGACY_SIZE + 8, &xcomp, sizeof(xcomp));

	x->xfem = HV_XSAVE_STATE_X87;
	x->dr[4] = 0xFFFF0FF0u;		/* DR6 */
	x->dr[5] = 0x400;		/* DR7 */
	regs_reset(x, vp_index);
}

/* ---------------------------------------------------------------------- */
/* The register page (hvhdk.h hv_vp_register_page).                        */

static struct hv_vp_register_page *reg_page(const struct ohv *hv,
					    const struct vp *vp)
{
	const struct shared_page *sp = &vp->x.state_page[HV_VP_STATE_PAGE_REGISTERS];

	return shared_mapped(sp) ? frame_ptr(hv, shared_frame(sp)) : NULL;
}

static struct partition *vp_partition(struct ohv *hv, const struct vp *vp)
{
	return vp->x.state_page[HV_VP_STATE_PAGE_REGISTERS].pool;
}

static uint64_t rd(struct ohv *hv, struct partition *p, struct vp *vp,
		   uint32_t name)
{
	union hv_register_value v;

	memset(&v, 0, sizeof(v));
	vp_reg_access(hv, p, vp, name, &v, false);
	return v.reg64;
}

static void wr(struct ohv *hv, struct partition *p, struct vp *vp,
	       uint32_t name, uint64_t value)
{
	union hv_register_value v;

	memset(&v, 0, sizeof(v));
	v.reg64 = value;
	vp_reg_access(hv, p, vp, name, &v, true);
}

/* The page's registers, from the VP: valid, nothing dirty. */
void vpstate_sync_out(struct ohv *hv, struct vp *vp)
{
	struct hv_vp_register_page *pg = reg_page(hv, vp);
	struct partition *p = vp_partition(hv, vp);

	if (!pg)
		return;
	for (uint32_t i = 0; i < 16; i++)
		pg->gp_registers[i] = rd(hv, p, vp, HV_X64_REGISTER_RAX + i);
	pg->rip = rd(hv, p, vp, HV_X64_REGISTER_RIP);
	pg->rflags = rd(hv, p, vp, HV_X64_REGISTER_RFLAGS);
	for (uint32_t i = 0; i < 6; i++) {
		union hv_register_value v;

		memset(&v, 0, sizeof(v));
		vp_reg_access(hv, p, vp, HV_X64_REGISTER_XMM0 + i, &v, false);
		memcpy(pg->xmm_registers[i], v.reg128, 16);
		memset(&v, 0, sizeof(v));
		vp_reg_access(hv, p, vp, HV_X64_REGISTER_ES + i, &v, false);
		pg->segment_registers[i] = v.segment;
	}
	pg->cr0 = rd(hv, p, vp, HV_X64_REGISTER_CR0);
	pg->cr3 = rd(hv, p, vp, HV_X64_REGISTER_CR3);
	pg->cr4 = rd(hv, p, vp, HV_X64_REGISTER_CR4);
	pg->cr8 = rd(hv, p, vp, HV_X64_REGISTER_CR8);
	pg->efer = rd(hv, p, vp, HV_X64_REGISTER_EFER);
	pg->dr7 = rd(hv, p, vp, HV_X64_REGISTER_DR7);
	pg->pending_interruption = rd(hv, p, vp, HV_REGISTER_PENDING_INTERRUPTION);
	pg->interrupt_state = rd(hv, p, vp, HV_REGISTER_INTERRUPT_STATE);
	pg->instruction_emulation_hints =
		rd(hv, p, vp, HV_REGISTER_INSTRUCTION_EMULATION_HINTS);
	pg->xfem = rd(hv, p, vp, HV_X64_REGISTER_XFEM);
	pg->version = HV_VP_REGISTER_PAGE_VERSION_1;
	pg->dirty = 0;
	__atomic_store_n(&pg->isvalid, 1, __ATOMIC_RELEASE);
}

/* What the parent wrote to the page and marked dirty goes to the VP (the
 * control registers cannot be set this way, hvhdk.h). */
void vpstate_sync_in(struct ohv *hv, struct vp *vp)
{
	struct hv_vp_register_page *pg = reg_page(hv, vp);
	struct partition *p = vp_partition(hv, vp);

	if (!pg)
		return;
	uint32_t dirty = __atomic_exchange_n(&pg->dirty, 0, __ATOMIC_ACQ_REL);

	if (dirty & (1u << HV_X64_REGISTER_CLASS_GENERAL))
		for (uint32_t i = 0; i < 16; i++)
			wr(hv, p, vp, HV_X64_REGISTER_RAX + i, pg->gp_registers[i]);
	if (dirty & (1u << HV_X64_REGISTER_CLASS_IP))
		wr(hv, p, vp, HV_X64_REGISTER_RIP, pg->rip);
	if (dirty & (1u << HV_X64_REGISTER_CLASS_FLAGS))
		wr(hv, p, vp, HV_X64_REGISTER_RFLAGS, pg->rflags);
	for (uint32_t i = 0; i < 6; i++) {
		union hv_register_value v;

		if (dirty & (1u << HV_X64_REGISTER_CLASS_XMM)) {
			memset(&v, 0, sizeof(v));
			memcpy(v.reg128, pg->xmm_registers[i], 16);
			vp_reg_access(hv, p, vp, HV_X64_REGISTER_XMM0 + i, &v, true);
		}
		if (dirty & (1u << HV_X64_REGISTER_CLASS_SEGMENT)) {
			memset(&v, 0, sizeof(v));
			v.segment = pg->segment_registers[i];
			vp_reg_access(hv, p, vp, HV_X64_REGISTER_ES + i, &v, true);
		}
	}
}

void vpstate_before_run(struct ohv *hv, struct vp *vp)
{
	vpstate_sync_in(hv, vp);
}

void vpstate_after_run(struct ohv *hv, struct vp *vp,
		       const struct hv_message *msg)
{
	const struct shared_page *ip =
		&vp->x.state_page[HV_VP_STATE_PAGE_INTERCEPT_MESSAGE];

	vp->x.runs++;
	vpstate_sync_out(hv, vp);
	if (shared_mapped(ip))
		memcpy(frame_ptr(hv, shared_frame(ip)), msg, sizeof(*msg));
}

/* ---------------------------------------------------------------------- */
/* HvMapVpStatePage, HvUnmapVpStatePage.                                   */

/*
 * The VP a state-page call names: a child's, and the caller the root,
 * since the page is given as a page number of the root's own space
 * (Linux pfn_to_page; TLFS silent for other parents).
 */
static hv_status_t state_page_target(struct hvctx *cx, uint64_t id,
				     uint32_t index, uint8_t input_vtl,
				     uint32_t type, struct partition **t,
				     struct vp **vp)
{
	hv_status_t st = surface_child(cx, id, t);

	if (st)
		return st;
	if (!is_root(cx->hv, cx->caller))
		return HV_STATUS_ACCESS_DENIED;
	*vp = partition_vp(*t, index);
	if (!*vp)
		return HV_STATUS_INVALID_VP_INDEX;
	/* HV_INPUT_VTL: VTL 0, directly or as "the target's VTL 0". */
	if ((input_vtl != 0 && input_vtl != 0x10) ||
	    type > HV_VP_STATE_PAGE_INTERCEPT_MESSAGE)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_map_vp_state_page(struct hvctx *cx)
{
	const struct hv_input_map_vp_state_page *in = cx->in;
	struct hv_output_map_vp_state_page *out = cx->out;
	struct partition *t;
	struct vp *vp;
	hv_status_t st = state_page_target(cx, in->partition_id, in->vp_index,
					   in->input_vtl, in->type, &t, &vp);

	if (st)
		return st;
	/* openhv places the page itself (no overlay at a given GPA). */
	if (in->flags)
		return HV_STATUS_INVALID_PARAMETER;
	struct shared_page *sp = &vp->x.state_page[in->type];

	/* Mapping it again gives the same page. */
	if (!shared_mapped(sp)) {
		st = shared_map(cx->hv, t, sp);
		if (st)
			return st;
	}
	if (in->type == HV_VP_STATE_PAGE_REGISTERS)
		vpstate_sync_out(cx->hv, vp);
	out->map_location = shared_frame(sp);
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_unmap_vp_state_page(struct hvctx *cx)
{
	const struct hv_input_unmap_vp_state_page *in = cx->in;
	struct partition *t;
	struct vp *vp;
	hv_status_t st = state_page_target(cx, in->partition_id, in->vp_index,
					   in->input_vtl, in->type, &t, &vp);

	if (st)
		return st;
	struct shared_page *sp = &vp->x.state_page[in->type];

	if (!shared_mapped(sp))
		return HV_STATUS_INVALID_PARAMETER;
	/* Dirty registers the parent left are taken first. */
	if (in->type == HV_VP_STATE_PAGE_REGISTERS)
		vpstate_sync_in(cx->hv, vp);
	shared_unmap(cx->hv, sp);
	return HV_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* HvGetVpState, HvSetVpState.                                             */

/* The SIM or SIEF page of vp in p, when its partition reaches it. */
static uint8_t *synic_page(struct ohv *hv, struct partition *p, struct vp *vp,
			   uint32_t type, uint64_t *gpa_page)
{
	uint64_t reg = type == HV_GET_SET_VP_STATE_SIM_PAGE ? vp->regs.simp :
							       vp->regs.siefp;

	if (!(reg & 1))
		return NULL;
	*gpa_page = reg >> HV_PAGE_SHIFT;
	return gpa_ptr(hv, p, reg & ~(uint64_t)(HV_PAGE_SIZE - 1), HV_PAGE_SIZE,
		       GPA_READ | GPA_WRITE);
}

static uint8_t **shadow(struct vp *vp, uint32_t type)
{
	return type == HV_GET_SET_VP_STATE_SIM_PAGE ? &vp->x.sim_shadow :
						      &vp->x.sief_shadow;
}

/* Bytes of a state type, or 0 for the timers (no pages). */
static uint32_t state_bytes(const struct partition *t, uint32_t type)
{
	switch (type) {
	case HV_GET_SET_VP_STATE_LAPIC_STATE:
		return sizeof(struct hv_local_interrupt_controller_state);
	case HV_GET_SET_VP_STATE_XSAVE:
		return property_xsave_size(t);
	case HV_GET_SET_VP_STATE_SIM_PAGE:
	case HV_GET_SET_VP_STATE_SIEF_PAGE:
		return HV_PAGE_SIZE;
	}
	return 0;
}

/*
 * Checks common to get and set: the VP, the VTL, the type, the XSAVE
 * states asked for, and enough reachable pages of the caller (need:
 * GPA_WRITE to get, GPA_READ to set).  The pages' host addresses go to
 * pages[].
 */
static hv_status_t vp_state_target(struct hvctx *cx, const struct hv_input_get_vp_state *in,
				   unsigned need, struct partition **t,
				   struct vp **vp, uint8_t **pages)
{
	hv_status_t st = surface_child_vp(cx, in->partition_id, in->vp_index,
					  t, vp);

	if (st)
		return st;
	const struct hv_vp_state_data *sd = &in->state_data;

	if ((in->input_vtl != 0 && in->input_vtl != 0x10) ||
	    sd->type > HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS)
		return HV_STATUS_INVALID_PARAMETER;
	if (sd->type == HV_GET_SET_VP_STATE_XSAVE &&
	    (sd->xsave_states & ~property_xsave_states(*t)))
		return HV_STATUS_INVALID_PARAMETER;
	uint32_t bytes = state_bytes(*t, sd->type);

	if (!bytes)
		return HV_STATUS_SUCCESS;
	/* mshv-uapi A.8: the buffer is as many pages as the state needs. */
	if (cx->varhead < (bytes + HV_PAGE_SIZE - 1) / HV_PAGE_SIZE)
		return HV_STATUS_INSUFFICIENT_BUFFER;
	for (uint32_t i = 0; i < (bytes + HV_PAGE_SIZE - 1) / HV_PAGE_SIZE; i++) {
		uint64_t pfn = in->output_data_pfns[i];

		pages[i] = pfn < HV_GPA_PAGE_LIMIT ?
			gpa_ptr(cx->hv, cx->caller, pfn << HV_PAGE_SHIFT,
				HV_PAGE_SIZE, need) : NULL;
		if (!pages[i])
			return HV_STATUS_INVALID_PARAMETER;
	}
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_get_vp_state(struct hvctx *cx)
{
	const struct hv_input_get_vp_state *in = cx->in;
	struct hv_output_get_vp_state *out = cx->out;
	struct partition *t;
	struct vp *vp;
	uint8_t *pg[1];
	uint64_t gpa_page;
	hv_status_t st = vp_state_target(cx, in, GPA_WRITE, &t, &vp, pg);

	if (st)
		return st;
	memset(out, 0, sizeof(*out));
	switch (in->state_data.type) {
	case HV_GET_SET_VP_STATE_LAPIC_STATE:
		/* A running VP's LAPIC is the backend's (spec.md §11.1). */
		seam_vp_lapic(cx->hv, vp, &vp->x.lapic, false);
		memset(pg[0], 0, HV_PAGE_SIZE);
		memcpy(pg[0], &vp->x.lapic, sizeof(vp->x.lapic));
		break;
	case HV_GET_SET_VP_STATE_XSAVE:
		seam_vp_xsave(cx->hv, vp, vp->x.xsave, OHV_XSAVE_SIZE,
			      OHV_XSAVE_STATES, false);
		memset(pg[0], 0, HV_PAGE_SIZE);
		memcpy(pg[0], vp->x.xsave, property_xsave_size(t));
		break;
	case HV_GET_SET_VP_STATE_SIM_PAGE:
	case HV_GET_SET_VP_STATE_SIEF_PAGE: {
		const uint8_t *src = synic_page(cx->hv, t, vp,
						in->state_data.type, &gpa_page);

		if (!src)
			src = *shadow(vp, in->state_data.type);
		if (src)
			memcpy(pg[0], src, HV_PAGE_SIZE);
		else
			memset(pg[0], 0, HV_PAGE_SIZE);
		break;
	}
	case HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS:
		out->synthetic_timers_state = vp->x.timers;
		break;
	}
	return HV_STATUS_SUCCESS;
}

/* An XSAVE image the VP can hold: compacted, its components within the
 * partition's, MXCSR's reserved bits clear. */
static bool xsave_ok(const struct partition *t, const uint8_t *img)
{
	uint64_t bv, comp;
	uint32_t mxcsr;

	memcpy(&mxcsr, img + XSAVE_MXCSR_OFF, sizeof(mxcsr));
	memcpy(&bv, img + HV_XSAVE_LEGACY_SIZE, sizeof(bv));
	memcpy(&comp, img + HV_XSAVE_LEGACY_SIZE + 8, sizeof(comp));
	return (comp & XSAVE_XCOMP_COMPACTED) &&
	       !(bv & ~property_xsave_states(t)) &&
	       !(mxcsr & ~(uint32_t)XSAVE_MXCSR_MASK);
}

hv_status_t hc_set_vp_state(struct hvctx *cx)
{
	const struct hv_input_set_vp_state *in = cx->in;
	struct partition *t;
	struct vp *vp;
	uint8_t *pg[1];
	uint64_t gpa_page;
	hv_status_t st = vp_state_target(cx, (const struct hv_input_get_vp_state *)in,
					 GPA_READ, &t, &vp, pg);

	if (st)
		return st;
	switch (in->state_data.type) {
	case HV_GET_SET_VP_STATE_LAPIC_STATE: {
		struct hv_local_interrupt_controller_state l;

		memcpy(&l, pg[0], sizeof(l));
		if (seam_vp_lapic(cx->hv, vp, &l, true) == -EINVAL)
			return HV_STATUS_INVALID_PARAMETER;
		vp->x.lapic = l;
		break;
	}
	case HV_GET_SET_VP_STATE_XSAVE:
		if (!xsave_ok(t, pg[0]))
			return HV_STATUS_INVALID_PARAMETER;
	{
		uint8_t img[OHV_XSAVE_SIZE];

		memcpy(img, vp->x.xsave, sizeof(img));
		memcpy(img, pg[0], property_xsave_size(t));
		if (seam_vp_xsave(cx->hv, vp, img, sizeof(img),
				  OHV_XSAVE_STATES, true) == -EINVAL)
			return HV_STATUS_INVALID_PARAMETER;
		memcpy(vp->x.xsave, img, sizeof(img));
		break;
	}
	case HV_GET_SET_VP_STATE_SIM_PAGE:
	case HV_GET_SET_VP_STATE_SIEF_PAGE: {
		uint8_t *dst = synic_page(cx->hv, t, vp, in->state_data.type,
					  &gpa_page);

		if (dst) {
			memcpy(dst, pg[0], HV_PAGE_SIZE);
			access_mark(t, gpa_page, true);
			break;
		}
		/* Held by the VP until the guest maps the page. */
		uint8_t **sh = shadow(vp, in->state_data.type);

		if (!*sh)
			*sh = ohv_malloc(HV_PAGE_SIZE);
		if (!*sh)
			return HV_STATUS_NO_RESOURCES;
		memcpy(*sh, pg[0], HV_PAGE_SIZE);
		break;
	}
	case HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS:
		/* The state's bytes are the variable header. */
		if ((size_t)cx->varhead * 8 < sizeof(vp->x.timers))
			return HV_STATUS_INSUFFICIENT_BUFFER;
		memcpy(&vp->x.timers, in->data, sizeof(vp->x.timers));
		break;
	}
	return HV_STATUS_SUCCESS;
}
