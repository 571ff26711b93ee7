/* SPDX-License-Identifier: MIT */
/*
 * Ports, connections and the synthetic interrupt controller (spec.md §8).
 *
 * A port lives in its PortPartition and owns HV_PORT_MESSAGE_BUFFER_COUNT
 * message buffers.  A posted message goes straight into the target VP's SIM
 * slot when the slot is free and nothing older waits; otherwise it waits in
 * one of its port's buffers, queued on the target VP's per-SINT queue, until
 * an EOM finds the slot free.  Events set a bit in the SIEF page.  SIM and
 * SIEF pages are the receiving partition's own memory (spec.md §8).
 */
#ifndef OHV_SYNIC_H
#define OHV_SYNIC_H

#include "internal.h"

struct port;

/* A message waiting in one of its port's buffers. */
struct msgbuf {
	struct port *port;
	struct msgbuf *next;	/* VP queue, or the port's free list */
	struct msgbuf *prev;	/* VP queue                          */
	struct msgq *q;		/* the VP queue it waits in, or NULL */
	struct hv_message msg;
};

struct msgq {
	struct msgbuf *head, *tail;
};

/* Queue a free buffer at the tail of q. */
static inline void msgq_append(struct msgq *q, struct msgbuf *b)
{
	b->next = NULL;
	b->prev = q->tail;
	b->q = q;
	if (q->tail)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
}

/* Take a queued buffer out of its queue, wherever it is in it: O(1), so
 * deleting a port costs its own buffers, not every queued message. */
static inline void msgq_unlink(struct msgbuf *b)
{
	struct msgq *q = b->q;

	if (b->prev)
		b->prev->next = b->next;
	else
		q->head = b->next;
	if (b->next)
		b->next->prev = b->prev;
	else
		q->tail = b->prev;
	b->next = b->prev = NULL;
	b->q = NULL;
}

/* Per-VP SynIC state beyond its registers. */
struct vp_synic {
	struct msgq queue[HV_SYNIC_SINT_COUNT];
	uint64_t raised[HV_SYNIC_SINT_COUNT];
	uint8_t vector[HV_SYNIC_SINT_COUNT];
	uint16_t pending;	/* raised, not yet acknowledged */
};

struct port {
	uint32_t id;
	uint32_t type;			/* HV_PORT_TYPE_*            */
	struct partition *owner;	/* the PortPartition         */
	uint64_t connection_partition;	/* who may connect           */
	uint32_t target_sint;
	uint32_t target_vp;		/* index or HV_ANY_VP        */
	uint16_t base_flag;
	uint16_t flag_count;
	uint64_t monitor_address;
	struct connection *conn;	/* at most one               */
	uint64_t post_count;
	uint32_t preferred_vp;
	uint32_t queued;		/* buffers holding a message */
	struct charge charge;		/* costs.port, owner's pool  */
	struct msgbuf *free;
	struct msgbuf bufs[];		/* message ports: 16         */
};

struct connection {
	uint32_t id;
	uint32_t type;
	struct partition *owner;	/* the ConnectionPartition   */
	struct port *port;		/* NULL once the port is gone */
	uint64_t monitor_address;	/* monitor page, doorbell GPA */
	uint64_t trigger_value;		/* doorbells (spec.md §10)       */
	uint32_t doorbell_flags;
	struct charge charge;		/* costs.connection          */
};

/* The port with that id in p, or NULL (ids with bits 31:24 set too). */
struct port *synic_port(const struct partition *p, uint32_t id);

/* HvDeletePort: the port goes with its queued messages (what is in SIM
 * slots stays); its connection's sends fail with INVALID_PORT_ID. */
void synic_port_destroy(struct ohv *hv, struct port *port);

/* HvDisconnectPort: the connection goes; its port may be connected again. */
void synic_connection_destroy(struct ohv *hv, struct connection *c);

/* The doorbell connection of p a guest write of len bytes of value at
 * gpa rings (spec.md §10), or NULL. */
struct connection *synic_doorbell(const struct partition *p, uint64_t gpa,
				  unsigned len, uint64_t value);

/* The connection with that id in p, or NULL. */
struct connection *synic_connection(const struct partition *p, uint32_t id);

/* HvFinalizePartition: free p's ports (their connections go dead) and its
 * connections (their ports become free to connect again). */
void synic_partition_finalize(struct ohv *hv, struct partition *p);

/* Free host memory of p's ports and connections (ohv_close). */
void synic_partition_free(struct partition *p);

/* A VP goes: discard the messages queued on it. */
void synic_vp_delete(struct ohv *hv, struct vp *vp);

/*
 * Send through a port (its partition Active, the type right, the sender's
 * checks done): a message of payload_size bytes (at most 240) into the
 * target VP's SIM slot or a port buffer; an event flag (below the port's
 * FlagCount) into its SIEF slot, interrupting on a 0 -> 1 edge.  SUCCESS,
 * INVALID_VP_INDEX, INVALID_SYNIC_STATE, or INSUFFICIENT_BUFFERS.
 */
hv_status_t synic_post_message(struct ohv *hv, struct port *port,
			       uint32_t message_type, const void *payload,
			       uint32_t payload_size);
hv_status_t synic_signal_event(struct ohv *hv, struct port *port,
			       uint32_t flag_number);

/* The guest wrote EOM on vp of p: deliver what waits for free slots. */
void synic_eom(struct ohv *hv, struct partition *p, struct vp *vp);

#endif /* OHV_SYNIC_H */
