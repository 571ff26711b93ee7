/*
 * HvPostMessage and HvSignalEvent (SPEC 8): the checks of the sender's
 * side; delivery is synic.c's.
 */
#include "handlers.h"
#include "partition.h"
#include "synic.h"

/* The port a send names through the caller's connection (SPEC 8). */
static hv_status_t send_port(struct hvctx *cx, uint32_t connection_id,
			     uint32_t type, struct port **out)
{
	struct connection *c = synic_connection(cx->caller, connection_id);

	if (!c)
		return HV_STATUS_INVALID_CONNECTION_ID;
	struct port *port = c->port;

	if (!port || port->owner->state != OHV_STATE_ACTIVE || port->type != type)
		return HV_STATUS_INVALID_PORT_ID;
	*out = port;
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_post_message(struct hvctx *cx)
{
	const struct hv_input_post_message *in = cx->in;
	struct port *port;
	hv_status_t st = send_port(cx, in->connection_id, HV_PORT_TYPE_MESSAGE,
				   &port);

	if (st)
		return st;
	if (in->message_type == HV_MESSAGE_TYPE_NONE ||
	    (in->message_type & HV_MESSAGE_TYPE_HYPERVISOR_MASK) ||
	    in->payload_size > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	return synic_post_message(cx->hv, port, in->message_type, in->payload,
				  in->payload_size);
}

hv_status_t hc_signal_event(struct hvctx *cx)
{
	const struct hv_input_signal_event *in = cx->in;
	struct port *port;
	hv_status_t st = send_port(cx, in->connection_id, HV_PORT_TYPE_EVENT,
				   &port);

	if (st)
		return st;
	if (in->flag_number >= port->flag_count)
		return HV_STATUS_INVALID_PARAMETER;
	return synic_signal_event(cx->hv, port, in->flag_number);
}
