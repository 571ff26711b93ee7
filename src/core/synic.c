/*
 * Message and event delivery (SPEC 8): into SIM slots and port buffers,
 * SIEF bits, EOM, and the per-VP record of raised SINT interrupts.  The
 * calls that send: hc_synic.c.
 */
#include "synic.h"

#include <errno.h>
#include <string.h>

#include "gpa.h"
#include "partition.h"
#include "seam.h"
#include "vp.h"

static bool synic_enabled(const struct vp *vp)
{
	return vp->regs.scontrol & HV_SYNIC_SCONTROL_ENABLE;
}

/*
 * The SIM or SIEF page a SIMP/SIEFP value names, in the VP's partition's
 * own GPA space; NULL when disabled or not mapped writable (SPEC 8: counts
 * as disabled).
 */
static void *overlay_page(const struct ohv *hv, const struct partition *p,
			  uint64_t reg)
{
	if (!(reg & 1))
		return NULL;
	return gpa_ptr(hv, p, reg & ~(uint64_t)(HV_PAGE_SIZE - 1), HV_PAGE_SIZE,
		       GPA_READ | GPA_WRITE);
}

static struct hv_message_page *sim_page(const struct ohv *hv,
					const struct partition *p,
					const struct vp *vp)
{
	if (!synic_enabled(vp))
		return NULL;
	return overlay_page(hv, p, vp->regs.simp);
}

static struct hv_synic_event_flags_page *sief_page(const struct ohv *hv,
						   const struct partition *p,
						   const struct vp *vp)
{
	if (!synic_enabled(vp))
		return NULL;
	return overlay_page(hv, p, vp->regs.siefp);
}

/* Raise SINTx on a VP: recorded unless masked (facts §4.10: lost then),
 * and delivered by the backend. */
static void raise_sint(struct ohv *hv, struct vp *vp, uint32_t sint)
{
	uint64_t reg = vp->regs.sint[sint];

	if (reg & HV_SYNIC_SINT_MASKED)
		return;
	vp->synic.raised[sint]++;
	vp->synic.vector[sint] = (uint8_t)(reg & HV_SYNIC_SINT_VECTOR_MASK);
	vp->synic.pending |= (uint16_t)(1u << sint);
	seam_sint(hv, vp, vp->synic.vector[sint]);
}

/* Copy a message into a free SIM slot; the type goes last, so a guest
 * polling the slot never sees half a message. */
static void slot_write(struct hv_message *slot, const struct hv_message *m,
		       bool more)
{
	memcpy(slot->payload, m->payload, sizeof(slot->payload));
	slot->header.payload_size = m->header.payload_size;
	slot->header.message_flags = more ? HV_MESSAGE_FLAG_PENDING : 0;
	slot->header.reserved = 0;
	slot->header.origination_id = m->header.origination_id;
	__atomic_store_n(&slot->header.message_type, m->header.message_type,
			 __ATOMIC_RELEASE);
}

static bool slot_free(const struct hv_message *slot)
{
	return __atomic_load_n(&slot->header.message_type, __ATOMIC_ACQUIRE) ==
	       HV_MESSAGE_TYPE_NONE;
}

/*
 * Move the oldest waiting message of one SINT into its slot when the slot
 * is free; its buffer goes back to its port.  True when one moved.
 */
static bool deliver_next(struct ohv *hv, struct hv_message_page *sim,
			 struct vp *vp, uint32_t sint)
{
	struct msgq *q = &vp->synic.queue[sint];
	struct msgbuf *m = q->head;

	if (!m || !slot_free(&sim->sint_message[sint]))
		return false;
	msgq_unlink(m);
	slot_write(&sim->sint_message[sint], &m->msg, q->head != NULL);
	m->next = m->port->free;
	m->port->free = m;
	m->port->queued--;
	raise_sint(hv, vp, sint);
	return true;
}

void synic_eom(struct ohv *hv, struct partition *p, struct vp *vp)
{
	struct hv_message_page *sim = sim_page(hv, p, vp);

	if (!sim)
		return;
	for (uint32_t s = 0; s < HV_SYNIC_SINT_COUNT; s++)
		deliver_next(hv, sim, vp, s);
}

void synic_vp_delete(struct ohv *hv, struct vp *vp)
{
	(void)hv;
	for (int s = 0; s < HV_SYNIC_SINT_COUNT; s++) {
		struct msgq *q = &vp->synic.queue[s];

		while (q->head) {
			struct msgbuf *m = q->head;

			msgq_unlink(m);
			m->next = m->port->free;
			m->port->free = m;
			m->port->queued--;
		}
	}
}

/*
 * The VP a port delivers to (SPEC 8, facts §4.10): its target VP, or for
 * HV_ANY_VP the preferred VP when eligible, else the lowest eligible one.
 * A VP is eligible when the delivery can be made there.
 */
typedef bool eligible_fn(const struct ohv *hv, const struct partition *p,
			 const struct vp *vp, uint32_t sint);

static hv_status_t target_vp(const struct ohv *hv, const struct port *port,
			     eligible_fn *ok, struct vp **out)
{
	const struct partition *p = port->owner;

	if (port->target_vp != HV_ANY_VP) {
		struct vp *vp = partition_vp(p, port->target_vp);

		if (!vp)
			return HV_STATUS_INVALID_VP_INDEX;
		if (!ok(hv, p, vp, port->target_sint))
			return HV_STATUS_INVALID_SYNIC_STATE;
		*out = vp;
		return HV_STATUS_SUCCESS;
	}
	struct vp *vp = partition_vp(p, port->preferred_vp);

	if (vp && ok(hv, p, vp, port->target_sint)) {
		*out = vp;
		return HV_STATUS_SUCCESS;
	}
	for (uint32_t i = 0; i < OHV_MAX_VPS; i++) {
		vp = partition_vp(p, i);
		if (vp && ok(hv, p, vp, port->target_sint)) {
			*out = vp;
			return HV_STATUS_SUCCESS;
		}
	}
	return p->nvps ? HV_STATUS_INVALID_SYNIC_STATE :
			 HV_STATUS_INVALID_VP_INDEX;
}

static bool message_eligible(const struct ohv *hv, const struct partition *p,
			     const struct vp *vp, uint32_t sint)
{
	(void)sint;
	return sim_page(hv, p, vp) != NULL;
}

static bool event_eligible(const struct ohv *hv, const struct partition *p,
			   const struct vp *vp, uint32_t sint)
{
	return sief_page(hv, p, vp) != NULL &&
	       !(vp->regs.sint[sint] & HV_SYNIC_SINT_MASKED);
}

hv_status_t synic_post_message(struct ohv *hv, struct port *port,
			       uint32_t message_type, const void *payload,
			       uint32_t payload_size)
{
	struct vp *vp;
	hv_status_t st = target_vp(hv, port, message_eligible, &vp);
	if (st)
		return st;

	struct hv_message_page *sim = sim_page(hv, port->owner, vp);
	uint32_t sint = port->target_sint;
	struct hv_message *slot = &sim->sint_message[sint];
	struct msgq *q = &vp->synic.queue[sint];

	/* Only payload_size bytes are delivered; the rest reads as 0. */
	struct hv_message m = {
		.header = {
			.message_type = message_type,
			.payload_size = (uint8_t)payload_size,
			.origination_id = port->id,
		},
	};

	memcpy(m.payload, payload, payload_size);
	if (!q->head && slot_free(slot)) {
		slot_write(slot, &m, false);
		raise_sint(hv, vp, sint);
	} else {
		if (port->queued == HV_PORT_MESSAGE_BUFFER_COUNT)
			return HV_STATUS_INSUFFICIENT_BUFFERS;
		struct msgbuf *b = port->free;

		port->free = b->next;
		port->queued++;
		b->msg = m;
		msgq_append(q, b);
		/* The guest clears the slot and writes EOM to get the next
		 * one; a slot cleared without EOM is filled now. */
		if (!deliver_next(hv, sim, vp, sint))
			__atomic_or_fetch(&slot->header.message_flags,
					  HV_MESSAGE_FLAG_PENDING,
					  __ATOMIC_RELEASE);
	}
	port->post_count++;
	return HV_STATUS_SUCCESS;
}

hv_status_t synic_signal_event(struct ohv *hv, struct port *port,
			       uint32_t flag_number)
{
	struct vp *vp;
	hv_status_t st = target_vp(hv, port, event_eligible, &vp);
	if (st)
		return st;

	struct hv_synic_event_flags_page *sief = sief_page(hv, port->owner, vp);
	uint32_t bit = (uint32_t)port->base_flag + flag_number;
	uint8_t mask = (uint8_t)(1u << (bit % 8));
	uint8_t old = __atomic_fetch_or(
		&sief->sintevent_flags[port->target_sint].flags8[bit / 8], mask,
		__ATOMIC_ACQ_REL);

	/* Only a 0 -> 1 edge interrupts. */
	if (!(old & mask))
		raise_sint(hv, vp, port->target_sint);
	port->post_count++;
	return HV_STATUS_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* Observation of raised interrupts.                                       */

static struct vp *vp_lookup(struct ohv *hv, uint64_t partition_id,
			    uint32_t vp_index)
{
	struct partition *p = partition_get(hv, partition_id);

	return p ? partition_vp(p, vp_index) : NULL;
}

int ohv_vp_sints(struct ohv *hv, uint64_t partition_id, uint32_t vp_index,
		 struct ohv_sint_state *out)
{
	int rc = -ENOENT;

	if (!hv || !out)
		return -EINVAL;
	lock_take(hv);
	struct vp *vp = vp_lookup(hv, partition_id, vp_index);

	if (vp) {
		memset(out, 0, sizeof(*out));
		for (int s = 0; s < HV_SYNIC_SINT_COUNT; s++) {
			out->raised[s] = vp->synic.raised[s];
			out->vector[s] = vp->synic.vector[s];
			for (const struct msgbuf *m = vp->synic.queue[s].head; m;
			     m = m->next)
				out->queued[s]++;
		}
		out->pending = vp->synic.pending;
		rc = 0;
	}
	lock_drop(hv);
	return rc;
}

int ohv_vp_sint_ack(struct ohv *hv, uint64_t partition_id, uint32_t vp_index,
		    uint32_t sint)
{
	int rc = -ENOENT;

	if (!hv || sint >= HV_SYNIC_SINT_COUNT)
		return -EINVAL;
	lock_take(hv);
	struct vp *vp = vp_lookup(hv, partition_id, vp_index);

	if (vp) {
		rc = (vp->synic.pending >> sint) & 1;
		vp->synic.pending &= (uint16_t)~(1u << sint);
	}
	lock_drop(hv);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Delivery without a port (HvPostMessageDirect, HvSignalEventDirect;      */
/* SPEC 10): the same slot, pending and interrupt rules as above.          */

hv_status_t synic_post_direct(struct ohv *hv, struct partition *p,
			      struct vp *vp, uint32_t sint,
			      const struct hv_message *m)
{
	struct hv_message_page *sim = sim_page(hv, p, vp);

	if (!sim)
		return HV_STATUS_INVALID_SYNIC_STATE;
	struct hv_message *slot = &sim->sint_message[sint];

	/* No port, so no buffer to wait in: a busy slot (or older messages
	 * queued for it) asks the guest for an EOM and refuses this one. */
	if (vp->synic.queue[sint].head || !slot_free(slot)) {
		__atomic_or_fetch(&slot->header.message_flags,
				  HV_MESSAGE_FLAG_PENDING, __ATOMIC_RELEASE);
		return HV_STATUS_INSUFFICIENT_BUFFERS;
	}
	slot_write(slot, m, false);
	raise_sint(hv, vp, sint);
	return HV_STATUS_SUCCESS;
}

hv_status_t synic_signal_direct(struct ohv *hv, struct partition *p,
				struct vp *vp, uint32_t sint, uint32_t flag,
				bool *newly)
{
	if (!event_eligible(hv, p, vp, sint))
		return HV_STATUS_INVALID_SYNIC_STATE;
	struct hv_synic_event_flags_page *sief = sief_page(hv, p, vp);
	uint8_t mask = (uint8_t)(1u << (flag % 8));
	uint8_t old = __atomic_fetch_or(&sief->sintevent_flags[sint].flags8[flag / 8],
					mask, __ATOMIC_ACQ_REL);

	*newly = !(old & mask);
	if (*newly)
		raise_sint(hv, vp, sint);
	return HV_STATUS_SUCCESS;
}
