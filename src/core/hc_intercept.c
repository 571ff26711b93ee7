/* SPDX-License-Identifier: MIT */
/*
 * Intercepts and CPUID (spec.md §10, 11.3): HvInstallIntercept records what a
 * parent wants to see of a child; HvRegisterInterceptResult fixes what a
 * VP's CPUID returns for a leaf; HvGetVpCpuidValues is the CPUID a VP sees,
 * the Hyper-V leaves 0x40000000-0x40000006 included.
 */
#include "handlers.h"
#include "surface.h"

#include <string.h>

#include "partition.h"
#include "seam.h"
#include "vp.h"

/* ---------------------------------------------------------------------- */
/* HvInstallIntercept.                                                     */

hv_status_t hc_install_intercept(struct hvctx *cx)
{
	const struct hv_input_install_intercept *in = cx->in;
	struct partition *t;
	hv_status_t st = surface_child(cx, in->partition_id, &t);

	if (st)
		return st;
	if (in->intercept_type >= HV_INTERCEPT_TYPE_MAX ||
	    in->intercept_type == HV_INTERCEPT_TYPE_RESERVED0 ||
	    (in->access_type & ~(uint32_t)(HV_INTERCEPT_ACCESS_MASK_READ |
					  HV_INTERCEPT_ACCESS_MASK_WRITE |
					  HV_INTERCEPT_ACCESS_MASK_EXECUTE)))
		return HV_STATUS_INVALID_PARAMETER;
	/* The parameter's meaningful bytes (hvgdk_mini.h
	 * hv_intercept_parameters); the rest is whatever the caller left
	 * there (rust-vmm sets only the named member). */
	uint64_t param = in->intercept_parameter;

	switch (in->intercept_type) {
	case HV_INTERCEPT_TYPE_X64_IO_PORT:
	case HV_INTERCEPT_TYPE_EXCEPTION:
		param &= 0xFFFF;
		break;
	case HV_INTERCEPT_TYPE_X64_CPUID:
	case HV_INTERCEPT_TYPE_X64_MSR_INDEX:
	case HV_INTERCEPT_TYPE_X64_APIC_WRITE:
		param &= 0xFFFFFFFF;
		break;
	default:
		param = 0;
		break;
	}
	struct pext *x = pext_get(t);

	if (!x)
		return HV_STATUS_NO_RESOURCES;
	/* Installing the same intercept again replaces its access mask;
	 * mask 0 removes it. */
	for (uint32_t i = 0; i < x->nintercepts; i++) {
		struct intercept *ic = &x->intercepts[i];

		if (ic->type != in->intercept_type || ic->parameter != param)
			continue;
		if (in->access_type)
			ic->access = in->access_type;
		else
			x->intercepts[i] = x->intercepts[--x->nintercepts];
		seam_intercepts(cx->hv, t);
		return HV_STATUS_SUCCESS;
	}
	if (!in->access_type)
		return HV_STATUS_SUCCESS;
	if (x->nintercepts == OHV_MAX_INTERCEPTS)
		return HV_STATUS_NO_RESOURCES;
	x->intercepts[x->nintercepts++] = (struct intercept){
		.type = in->intercept_type,
		.access = in->access_type,
		.parameter = param,
	};
	/* The execution backend acts on it (spec.md §11.4). */
	seam_intercepts(cx->hv, t);
	return HV_STATUS_SUCCESS;
}

size_t ohv_intercept_list(struct ohv *hv, uint64_t partition_id,
			  struct ohv_intercept *out, size_t max)
{
	size_t n = 0;

	if (!hv)
		return 0;
	lock_take(hv);
	struct partition *p = partition_get(hv, partition_id);

	if (p && p->ext) {
		n = p->ext->nintercepts;
		for (size_t i = 0; out && i < n && i < max; i++)
			out[i] = (struct ohv_intercept){
				.type = p->ext->intercepts[i].type,
				.access = p->ext->intercepts[i].access,
				.parameter = p->ext->intercepts[i].parameter,
			};
	}
	lock_drop(hv);
	return n;
}

/* ---------------------------------------------------------------------- */
/* HvRegisterInterceptResult.                                              */

hv_status_t hc_register_intercept_result(struct hvctx *cx)
{
	const struct hv_input_register_intercept_result *in = cx->in;
	struct partition *t;
	struct vp *vp;
	hv_status_t st = surface_child_vp(cx, in->partition_id, in->vp_index,
					  &t, &vp);

	if (st)
		return st;
	/* CPUID results only: MSR results are not modelled. */
	if (in->intercept_type != HV_INTERCEPT_TYPE_X64_CPUID ||
	    in->subleaf_specific > 1 || in->always_override > 1)
		return HV_STATUS_INVALID_PARAMETER;
	struct pext *x = pext_get(t);

	if (!x)
		return HV_STATUS_NO_RESOURCES;
	struct cpuid_result r = {
		.vp_index = in->vp_index,
		.eax_in = in->input_eax,
		.ecx_in = in->subleaf_specific ? in->input_ecx : 0,
		.subleaf_specific = in->subleaf_specific,
		.val = { in->eax, in->ebx, in->ecx, in->edx },
		.mask = { in->eax_mask, in->ebx_mask, in->ecx_mask,
			  in->edx_mask },
	};

	for (uint32_t i = 0; i < x->ncpuid; i++) {
		struct cpuid_result *o = &x->cpuid[i];

		if (o->vp_index == r.vp_index && o->eax_in == r.eax_in &&
		    o->ecx_in == r.ecx_in &&
		    o->subleaf_specific == r.subleaf_specific) {
			*o = r;
			return HV_STATUS_SUCCESS;
		}
	}
	if (x->ncpuid == OHV_MAX_CPUID_RESULTS)
		return HV_STATUS_NO_RESOURCES;
	x->cpuid[x->ncpuid++] = r;
	return HV_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* The CPUID a VP sees.                                                    */

#define FOURCC(a, b, c, d) \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

/* CPUID.1: family 6 model 0x55; EDX FPU..SSE2 (no HTT); ECX SSE3, SSSE3,
 * CX16, SSE4.1/4.2, x2APIC, POPCNT, hypervisor present; XSAVE, OSXSAVE
 * and AVX as the partition's XSAVE features allow. */
#define CPUID1_EAX	0x00050654u
#define CPUID1_EDX	0x07898BFFu
#define CPUID1_ECX	0x80B82201u
#define CPUID1_ECX_XSAVE	(1u << 26)
#define CPUID1_ECX_OSXSAVE	(1u << 27)
#define CPUID1_ECX_AVX		(1u << 28)

/* 0x40000003 EDX: XMM hypercall input (bit 4) and output (bit 15), as
 * openhv offers both (spec.md §3.2). */
#define HV_FEATURE_XMM_HYPERCALL_INPUT	(1u << 4)
#define HV_FEATURE_XMM_HYPERCALL_OUTPUT	(1u << 15)
/* 0x40000004 EAX bit 9: AutoEOI deprecated (spec.md §11.3). */
#define HV_RECOMMEND_DEPRECATE_AUTO_EOI	(1u << 9)

static void cpuid_base(const struct ohv *hv, const struct partition *t,
		       const struct vp *vp, uint32_t leaf, uint32_t sub,
		       uint64_t xfem, uint32_t r[4])
{
	uint64_t states = property_xsave_states(t);
	bool amd = hv->processor_vendor == HV_PROCESSOR_VENDOR_AMD ||
		   hv->processor_vendor == HV_PROCESSOR_VENDOR_HYGON;

	memset(r, 0, 4 * sizeof(r[0]));
	switch (leaf) {
	case 0x0:
		r[0] = 0xD;
		if (amd) {
			r[1] = FOURCC('A', 'u', 't', 'h');
			r[3] = FOURCC('e', 'n', 't', 'i');
			r[2] = FOURCC('c', 'A', 'M', 'D');
		} else {
			r[1] = FOURCC('G', 'e', 'n', 'u');
			r[3] = FOURCC('i', 'n', 'e', 'I');
			r[2] = FOURCC('n', 't', 'e', 'l');
		}
		break;
	case 0x1:
		r[0] = CPUID1_EAX;
		/* Initial APIC id in 31:24, one logical processor. */
		r[1] = (vp->x.lapic.apic_id & 0xFF) << 24 | 1u << 16 | 8u << 8;
		r[2] = CPUID1_ECX;
		if (~t->disabled_xsave & HV_XSAVE_FEATURE_XSAVE)
			r[2] |= CPUID1_ECX_XSAVE;
		if (states & HV_XSAVE_STATE_AVX)
			r[2] |= CPUID1_ECX_AVX;
		r[3] = CPUID1_EDX;
		break;
	case 0xD:
		if (sub == 0) {
			r[0] = (uint32_t)states;
			/* Standard form: legacy + header + AVX at 576. */
			r[1] = HV_XSAVE_LEGACY_SIZE + HV_XSAVE_HEADER_SIZE +
			       (xfem & HV_XSAVE_STATE_AVX ? HV_XSAVE_AVX_SIZE : 0);
			r[2] = property_xsave_size(t);
		} else if (sub == 1) {
			r[0] = 0x3;	/* XSAVEOPT, XSAVEC */
			r[1] = HV_XSAVE_LEGACY_SIZE + HV_XSAVE_HEADER_SIZE +
			       (xfem & HV_XSAVE_STATE_AVX ? HV_XSAVE_AVX_SIZE : 0);
		} else if (sub == 2 && (states & HV_XSAVE_STATE_AVX)) {
			r[0] = HV_XSAVE_AVX_SIZE;
			r[1] = HV_XSAVE_LEGACY_SIZE + HV_XSAVE_HEADER_SIZE;
		}
		break;
	/* spec.md §11.3: the Hyper-V leaves. */
	case 0x40000000:
		r[0] = 0x40000006;
		r[1] = FOURCC('M', 'i', 'c', 'r');
		r[2] = FOURCC('o', 's', 'o', 'f');
		r[3] = FOURCC('t', ' ', 'H', 'v');
		break;
	case 0x40000001:
		r[0] = FOURCC('H', 'v', '#', '1');
		break;
	case 0x40000002:	/* version 10.0 */
		r[1] = 0x000A0000;
		break;
	case 0x40000003:	/* features = the partition's privileges */
		r[0] = (uint32_t)t->privileges;
		r[1] = (uint32_t)(t->privileges >> 32);
		r[3] = HV_FEATURE_XMM_HYPERCALL_INPUT |
		       HV_FEATURE_XMM_HYPERCALL_OUTPUT;
		break;
	case 0x40000004:
		r[0] = HV_RECOMMEND_DEPRECATE_AUTO_EOI;
		r[1] = 0xFFFFFFFF;	/* never notify long spin waits */
		break;
	case 0x40000005:
		r[0] = OHV_MAX_VPS;
		r[1] = OHV_MAX_VPS;
		break;
	case 0x80000000:
		r[0] = 0x80000008;
		break;
	case 0x80000001:
		r[2] = 0x1;			/* LAHF/SAHF */
		r[3] = 1u << 11 | 1u << 20 | 1u << 29;	/* SYSCALL NX LM */
		break;
	case 0x80000008:
		r[0] = 48u << 8 | HV_GPA_BITS;	/* virtual, physical bits */
		break;
	}
}

/* The result a registered intercept result gives instead. */
static void cpuid_apply(const struct partition *t, uint32_t vp_index,
			uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	if (!t->ext)
		return;
	for (uint32_t i = 0; i < t->ext->ncpuid; i++) {
		const struct cpuid_result *c = &t->ext->cpuid[i];

		if (c->vp_index != vp_index || c->eax_in != leaf ||
		    (c->subleaf_specific && c->ecx_in != sub))
			continue;
		for (int k = 0; k < 4; k++)
			r[k] = (r[k] & ~c->mask[k]) | (c->val[k] & c->mask[k]);
	}
}

hv_status_t hc_get_vp_cpuid_values(struct hvctx *cx)
{
	const struct hv_input_get_vp_cpuid_values *in = cx->in;
	struct partition *t;
	struct vp *vp;
	hv_status_t st = surface_child_vp(cx, in->partition_id, in->vp_index,
					  &t, &vp);

	if (st)
		return st;
	if (in->flags & ~(uint32_t)(HV_GET_VP_CPUID_VALUES_USE_VP_XFEM_XSS |
				    HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED_VALUES))
		return HV_STATUS_INVALID_PARAMETER;
	for (uint32_t i = cx->rep_start; i < cx->rep_count; i++) {
		const struct hv_cpuid_leaf_info *l = &in->cpuid_leaf_info[i];
		struct hv_output_get_vp_cpuid_values *o =
			hc_out_elem(cx, sizeof(*o), i);
		uint32_t r[4];
		uint64_t xfem = in->flags & HV_GET_VP_CPUID_VALUES_USE_VP_XFEM_XSS ?
				vp->x.xfem : l->xfem;

		cpuid_base(cx->hv, t, vp, l->eax, l->ecx, xfem, r);
		if (in->flags & HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED_VALUES)
			cpuid_apply(t, in->vp_index, l->eax, l->ecx, r);
		o->eax = r[0];
		o->ebx = r[1];
		o->ecx = r[2];
		o->edx = r[3];
		if (hc_budget_spent(cx, i)) {
			cx->rep_done = i + 1;
			return HV_STATUS_SUCCESS;
		}
	}
	cx->rep_done = cx->rep_count;
	return HV_STATUS_SUCCESS;
}
