/*
 * HvAssertVirtualInterrupt and HvClearVirtualInterrupt (SPEC 10): the
 * model records an asserted interrupt in the destination VP's LAPIC state
 * (IRR, and TMR for level-triggered ones) or its NMI/INIT/SIPI/ExtInt
 * counts, and hands it to the execution backend through the seam.
 */
#include "handlers.h"
#include "surface.h"

#include <errno.h>
#include <string.h>

#include "partition.h"
#include "seam.h"
#include "vp.h"

#define CONTROL_TYPE_MASK	0xFFFFFFFFull
#define CONTROL_FLAGS		(HV_INTERRUPT_CONTROL_LEVEL | \
				 HV_INTERRUPT_CONTROL_LOGICAL | \
				 HV_INTERRUPT_CONTROL_LONG_MODE)
/* Broadcast destinations: xAPIC and x2APIC physical. */
#define APIC_BROADCAST		0xFFu
#define X2APIC_BROADCAST	0xFFFFFFFFull

static void set_bit32(uint32_t *v, uint32_t bit)
{
	v[bit / 32] |= 1u << (bit % 32);
}

/* Whether a VP's LAPIC accepts an interrupt sent to dest. */
static bool apic_match(const struct vp *vp, uint64_t dest, bool logical)
{
	const struct hv_local_interrupt_controller_state *l = &vp->x.lapic;

	if (logical)	/* flat model: the LDR's bits 31:24 against dest */
		return ((l->apic_ldr >> 24) & dest & 0xFF) != 0;
	return dest == X2APIC_BROADCAST || dest == APIC_BROADCAST ||
	       dest == l->apic_id;
}

static void deliver(struct ohv *hv, struct vp *vp, uint32_t type,
		    uint32_t vector, bool level, bool logical)
{
	struct vpx *x = &vp->x;

	switch (type) {
	case HV_X64_INTERRUPT_TYPE_FIXED:
	case HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY:
		set_bit32(x->lapic.apic_irr, vector);
		if (level)
			set_bit32(x->lapic.apic_tmr, vector);
		break;
	case HV_X64_INTERRUPT_TYPE_NMI:
		x->nmi_pending++;
		break;
	case HV_X64_INTERRUPT_TYPE_INIT:
		x->init_pending++;
		break;
	case HV_X64_INTERRUPT_TYPE_SIPI:
		x->sipi_pending++;
		x->sipi_vector = (uint8_t)vector;
		break;
	case HV_X64_INTERRUPT_TYPE_EXTINT:
		x->extint_pending++;
		break;
	}
	x->asserted++;
	seam_irq(hv, vp, &(struct ohv_be_irq){
		.type = type, .vector = vector, .level = level,
		.logical = logical,
	});
}

hv_status_t hc_assert_virtual_interrupt(struct hvctx *cx)
{
	const struct hv_input_assert_virtual_interrupt *in = cx->in;
	struct partition *t;
	hv_status_t st = surface_child(cx, in->partition_id, &t);

	if (st)
		return st;
	uint32_t type = (uint32_t)(in->control & CONTROL_TYPE_MASK);
	bool level = in->control & HV_INTERRUPT_CONTROL_LEVEL;
	bool logical = in->control & HV_INTERRUPT_CONTROL_LOGICAL;

	if ((in->control & ~CONTROL_TYPE_MASK & ~CONTROL_FLAGS) ||
	    in->target_vtl || in->vector > 0xFF)
		return HV_STATUS_INVALID_PARAMETER;
	switch (type) {
	case HV_X64_INTERRUPT_TYPE_FIXED:
	case HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY:
		/* Vectors 0-15 are the architecture's (SDM: illegal). */
		if (in->vector < 16)
			return HV_STATUS_INVALID_PARAMETER;
		break;
	case HV_X64_INTERRUPT_TYPE_NMI:
	case HV_X64_INTERRUPT_TYPE_INIT:
	case HV_X64_INTERRUPT_TYPE_SIPI:
	case HV_X64_INTERRUPT_TYPE_EXTINT:
		break;
	default:
		return HV_STATUS_INVALID_PARAMETER;
	}
	/*
	 * Fixed, NMI, INIT, SIPI and ExtInt go to every VP the destination
	 * names; lowest priority to the first of them.  A destination no VP
	 * has is dropped, as on an APIC bus.
	 */
	for (uint32_t i = 0; i < OHV_MAX_VPS; i++) {
		struct vp *vp = partition_vp(t, i);

		if (!vp || !apic_match(vp, in->dest_addr, logical))
			continue;
		deliver(cx->hv, vp, type, in->vector, level, logical);
		if (type == HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY)
			break;
	}
	return HV_STATUS_SUCCESS;
}

/*
 * 0x0056: the partition's level-triggered interrupts are deasserted: each
 * vector pending in IRR with its TMR bit set is withdrawn (Linux calls it
 * when a resampled irqfd's line goes low).
 */
hv_status_t hc_clear_virtual_interrupt(struct hvctx *cx)
{
	const struct hv_input_clear_virtual_interrupt *in = cx->in;
	struct partition *t;
	hv_status_t st = surface_child(cx, in->partition_id, &t);

	if (st)
		return st;
	for (uint32_t i = 0; i < OHV_MAX_VPS; i++) {
		struct vp *vp = partition_vp(t, i);

		if (!vp)
			continue;
		for (int w = 0; w < 8; w++) {
			vp->x.lapic.apic_irr[w] &= ~vp->x.lapic.apic_tmr[w];
			vp->x.lapic.apic_tmr[w] &= vp->x.lapic.apic_isr[w];
		}
	}
	struct pext *x = pext_get(t);

	if (x)
		x->cleared++;
	return HV_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* Observation (openhv.h).                                                 */

int ohv_vp_irq_state(struct ohv *hv, uint64_t partition_id, uint32_t vp_index,
		     struct ohv_vp_irq_state *out)
{
	int rc = -ENOENT;

	if (!hv || !out)
		return -EINVAL;
	lock_take(hv);
	struct partition *p = partition_get(hv, partition_id);
	struct vp *vp = p ? partition_vp(p, vp_index) : NULL;

	if (vp) {
		const struct vpx *x = &vp->x;

		memset(out, 0, sizeof(*out));
		out->apic_id = x->lapic.apic_id;
		memcpy(out->irr, x->lapic.apic_irr, sizeof(out->irr));
		memcpy(out->tmr, x->lapic.apic_tmr, sizeof(out->tmr));
		out->nmi = x->nmi_pending;
		out->init = x->init_pending;
		out->sipi = x->sipi_pending;
		out->sipi_vector = x->sipi_vector;
		out->extint = x->extint_pending;
		out->asserted = x->asserted;
		rc = 0;
	}
	lock_drop(hv);
	return rc;
}
