/*
 * HvSignalEventDirect and HvPostMessageDirect (SPEC 10): a parent delivers
 * an event flag or a message straight to a SINT of its child's VP, with no
 * port, under the slot, pending and interrupt rules of SPEC 8.
 */
#include "handlers.h"
#include "surface.h"

#include <string.h>

#include "vp.h"

/* The child VP and SINT a direct delivery names. */
static hv_status_t direct_target(struct hvctx *cx, uint64_t id, uint32_t index,
				 uint8_t vtl, uint32_t sint,
				 struct partition **t, struct vp **vp)
{
	hv_status_t st = surface_child_vp(cx, id, index, t, vp);

	if (st)
		return st;
	if (vtl || sint >= HV_SYNIC_SINT_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_signal_event_direct(struct hvctx *cx)
{
	const struct hv_input_signal_event_direct *in = cx->in;
	struct hv_output_signal_event_direct *out = cx->out;
	struct partition *t;
	struct vp *vp;
	bool newly;
	hv_status_t st = direct_target(cx, in->target_partition, in->target_vp,
				       in->target_vtl, in->target_sint, &t, &vp);

	if (st)
		return st;
	if (in->flag_number >= HV_EVENT_FLAGS_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	st = synic_signal_direct(cx->hv, t, vp, in->target_sint,
				 in->flag_number, &newly);
	if (st)
		return st;
	access_mark(t, vp->regs.siefp >> HV_PAGE_SHIFT, true);
	memset(out, 0, sizeof(*out));
	out->newly_signaled = newly;
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_post_message_direct(struct hvctx *cx)
{
	const struct hv_input_post_message_direct *in = cx->in;
	struct partition *t;
	struct vp *vp;
	struct hv_message m;
	hv_status_t st = direct_target(cx, in->partition_id, in->vp_index,
				       in->vtl, in->sint_index, &t, &vp);

	if (st)
		return st;
	memcpy(&m, in->message, sizeof(m));
	/* SPEC 8's rules for the message itself. */
	if (m.header.message_type == HV_MESSAGE_TYPE_NONE ||
	    (m.header.message_type & HV_MESSAGE_TYPE_HYPERVISOR_MASK) ||
	    m.header.payload_size > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	/* Only payload_size bytes are delivered; the rest reads as 0. */
	memset((uint8_t *)m.payload + m.header.payload_size, 0,
	       HV_MESSAGE_PAYLOAD_BYTE_COUNT - m.header.payload_size);
	st = synic_post_direct(cx->hv, t, vp, in->sint_index, &m);
	if (st == HV_STATUS_SUCCESS)
		access_mark(t, vp->regs.simp >> HV_PAGE_SHIFT, true);
	return st;
}
