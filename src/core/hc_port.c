/*
 * HvCreatePort (classic 0x0057, modern 0x0095), HvConnectPort (classic
 * 0x0059, modern 0x0096), HvDeletePort (seed 004), HvDisconnectPort,
 * HvGetPortProperty and HvSetPortProperty (SPEC 8).
 */
#include <string.h>

#include "alloc.h"
#include "handlers.h"
#include "partition.h"
#include "pool.h"
#include "synic.h"
#include "vp.h"

/*
 * A partition named by a port or connection call: the caller itself or one
 * of its children (SPEC 8 "Access"), Active.
 */
static hv_status_t own_target(struct hvctx *cx, uint64_t id,
			      struct partition **out)
{
	struct partition *t = partition_resolve(cx->hv, cx->caller, id);

	if (!t)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (t != cx->caller && t->parent != cx->caller)
		return HV_STATUS_ACCESS_DENIED;
	*out = t;
	return HV_STATUS_SUCCESS;
}

static bool proximity_bad(const struct ohv *hv, struct hv_proximity_domain_info pi)
{
	return (pi.flags & HV_PROXIMITY_DOMAIN_RSVD_MASK) ||
	       ((pi.flags & HV_PROXIMITY_DOMAIN_VALID) &&
		!(pi.flags & HV_PROXIMITY_DOMAIN_PREFERRED) &&
		pi.domain_id >= hv->cfg.numa_nodes);
}

struct create_port {
	uint64_t port_partition;
	uint32_t port_id;
	bool vtl_set;
	uint64_t connection_partition;
	struct hv_port_info info;
	struct hv_proximity_domain_info proximity;
};

static hv_status_t create_port(struct hvctx *cx, const struct create_port *in)
{
	struct ohv *hv = cx->hv;
	const struct hv_port_info *pi = &in->info;
	struct partition *pp, *cp;
	hv_status_t st = own_target(cx, in->port_partition, &pp);

	if (st)
		return st;
	cp = partition_resolve(hv, cx->caller, in->connection_partition);
	if (!cp || cp == pp)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (pp->state != OHV_STATE_ACTIVE || cp->state != OHV_STATE_ACTIVE)
		return HV_STATUS_INVALID_PARTITION_STATE;
	/* Modern layout: VTL fields must be 0 (SPEC 3.3). */
	if (in->vtl_set || proximity_bad(hv, in->proximity))
		return HV_STATUS_INVALID_PARAMETER;
	if ((in->port_id & ~HV_PORT_ID_MASK) || synic_port(pp, in->port_id))
		return HV_STATUS_INVALID_PORT_ID;

	uint32_t type = pi->port_type;
	uint32_t sint = pi->message_port_info.target_sint;
	uint32_t vp = pi->message_port_info.target_vp;

	switch (type) {
	case HV_PORT_TYPE_EVENT:
		/* SPEC 8: FlagCount >= 1, Base + Count <= 2048. */
		if (pi->event_port_info.flag_count == 0 ||
		    (uint32_t)pi->event_port_info.base_flag_number +
		    pi->event_port_info.flag_count > HV_EVENT_FLAGS_COUNT)
			return HV_STATUS_INVALID_PARAMETER;
		/* fall through */
	case HV_PORT_TYPE_DOORBELL:
	case HV_PORT_TYPE_MESSAGE:
		/* SPEC 10: doorbells are the root's (Linux: SINT 5, any VP). */
		if (type == HV_PORT_TYPE_DOORBELL && !is_root(hv, pp))
			return HV_STATUS_INVALID_PARAMETER;
		/* SINT0 is the hypervisor's (intercept messages). */
		if (sint < 1 || sint >= HV_SYNIC_SINT_COUNT)
			return HV_STATUS_INVALID_PARAMETER;
		if (vp != HV_ANY_VP && !partition_vp(pp, vp))
			return HV_STATUS_INVALID_VP_INDEX;
		break;
	case HV_PORT_TYPE_MONITOR:
		if (pi->monitor_port_info.monitor_address & (HV_PAGE_SIZE - 1))
			return HV_STATUS_INVALID_ALIGNMENT;
		break;
	default:
		return HV_STATUS_INVALID_PARAMETER;
	}

	/* SPEC 9: the port partition's pool pays, before the host is asked;
	 * a host refusal gives the pages back. */
	struct charge charge;
	uint32_t node = pool_preferred_node(hv, in->proximity);

	charge_init(&charge);
	if (!pool_charge(hv, pp, hv->cfg.costs.port,
			 node != NODE_ANY ? node :
			 pool_preferred_node(hv, pp->proximity), &charge))
		return HV_STATUS_INSUFFICIENT_MEMORY;

	size_t nbufs = type == HV_PORT_TYPE_MESSAGE ? HV_PORT_MESSAGE_BUFFER_COUNT : 0;
	struct port *port = NULL;

	if (!idmap_reserve(&pp->ports))
		port = ohv_calloc(1, sizeof(*port) + nbufs * sizeof(struct msgbuf));
	if (!port) {
		pool_uncharge(hv, pp, &charge);
		return HV_STATUS_NO_RESOURCES;
	}
	port->id = in->port_id;
	port->type = type;
	port->owner = pp;
	port->connection_partition = cp->id;
	port->preferred_vp = HV_ANY_VP;
	if (type == HV_PORT_TYPE_MONITOR) {
		port->monitor_address = pi->monitor_port_info.monitor_address;
	} else {
		port->target_sint = sint;
		port->target_vp = vp;
	}
	if (type == HV_PORT_TYPE_EVENT) {
		port->base_flag = pi->event_port_info.base_flag_number;
		port->flag_count = pi->event_port_info.flag_count;
	}
	for (size_t i = 0; i < nbufs; i++) {
		port->bufs[i].port = port;
		port->bufs[i].next = port->free;
		port->free = &port->bufs[i];
	}
	port->charge = charge;
	idmap_put(&pp->ports, (uint64_t)port->id + 1, port);
	return HV_STATUS_SUCCESS;
}



hv_status_t hc_create_port_classic(struct hvctx *cx)
{
	const struct hv_input_create_port_classic *in = cx->in;
	struct create_port cp = {
		.port_partition = in->port_partition_id,
		.port_id = in->port_id,
		.connection_partition = in->connection_partition_id,
		.info = in->port_info,
	};

	return create_port(cx, &cp);
}

hv_status_t hc_create_port(struct hvctx *cx)
{
	const struct hv_input_create_port *in = cx->in;
	struct create_port cp = {
		.port_partition = in->port_partition_id,
		.port_id = in->port_id,
		.vtl_set = in->port_vtl || in->min_connection_vtl,
		.connection_partition = in->connection_partition_id,
		.info = in->port_info,
		.proximity = in->proximity_domain_info,
	};

	return create_port(cx, &cp);
}

/*
 * The port a delete / property call names.  Seed 004's order after the
 * CreatePort privilege: unknown partition, not the caller or its child,
 * not Active, no such port.
 */
static hv_status_t port_target(struct hvctx *cx, uint64_t partition_id,
			       uint32_t port_id, struct port **out)
{
	struct partition *pp;
	hv_status_t st = own_target(cx, partition_id, &pp);

	if (st)
		return st;
	if (pp->state != OHV_STATE_ACTIVE)
		return HV_STATUS_INVALID_PARTITION_STATE;
	*out = synic_port(pp, port_id);
	return *out ? HV_STATUS_SUCCESS : HV_STATUS_INVALID_PORT_ID;
}

hv_status_t hc_delete_port(struct hvctx *cx)
{
	const struct hv_input_delete_port *in = cx->in;
	struct port *port;
	hv_status_t st = port_target(cx, in->port_partition_id, in->port_id,
				     &port);

	if (st)
		return st;
	synic_port_destroy(cx->hv, port);
	return HV_STATUS_SUCCESS;
}

hv_status_t hc_get_port_property(struct hvctx *cx)
{
	const struct hv_input_get_port_property *in = cx->in;
	struct hv_output_get_port_property *out = cx->out;
	struct port *port;
	hv_status_t st = port_target(cx, in->port_partition_id, in->port_id,
				     &port);

	if (st)
		return st;
	switch (in->property_code) {
	case HV_PORT_PROPERTY_POST_COUNT:
		out->property_value = port->post_count;
		return HV_STATUS_SUCCESS;
	case HV_PORT_PROPERTY_PREFERRED_TARGET_VP:
		out->property_value = port->preferred_vp;
		return HV_STATUS_SUCCESS;
	}
	return HV_STATUS_UNKNOWN_PROPERTY;
}

hv_status_t hc_set_port_property(struct hvctx *cx)
{
	const struct hv_input_set_port_property *in = cx->in;
	struct hv_output_set_port_property *out = cx->out;
	struct port *port;
	hv_status_t st = port_target(cx, in->port_partition_id, in->port_id,
				     &port);

	if (st)
		return st;
	switch (in->property_code) {
	case HV_PORT_PROPERTY_POST_COUNT:
		/* Counted by the hypervisor: read-only. */
		return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
	case HV_PORT_PROPERTY_PREFERRED_TARGET_VP:
		if (in->property_value != HV_ANY_VP &&
		    in->property_value >= OHV_MAX_VPS)
			return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
		/* The output is the value it replaces. */
		out->property_value = port->preferred_vp;
		port->preferred_vp = (uint32_t)in->property_value;
		return HV_STATUS_SUCCESS;
	}
	return HV_STATUS_UNKNOWN_PROPERTY;
}

struct connect_port {
	uint64_t connection_partition;
	uint32_t connection_id;
	bool vtl_set;
	uint64_t port_partition;
	uint32_t port_id;
	uint32_t type;
	uint64_t monitor_address;	/* a doorbell's GPA */
	uint64_t trigger_value;		/* doorbells */
	uint32_t doorbell_flags;
	struct hv_proximity_domain_info proximity;
};

static hv_status_t connect_port(struct hvctx *cx, const struct connect_port *in)
{
	struct ohv *hv = cx->hv;
	struct partition *cp, *pp;
	hv_status_t st = own_target(cx, in->connection_partition, &cp);

	if (st)
		return st;
	pp = partition_resolve(hv, cx->caller, in->port_partition);
	if (!pp)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (cp->state != OHV_STATE_ACTIVE || pp->state != OHV_STATE_ACTIVE)
		return HV_STATUS_INVALID_PARTITION_STATE;
	if (in->vtl_set || proximity_bad(hv, in->proximity))
		return HV_STATUS_INVALID_PARAMETER;
	if ((in->connection_id & ~HV_CONNECTION_ID_MASK) ||
	    synic_connection(cp, in->connection_id))
		return HV_STATUS_INVALID_CONNECTION_ID;

	struct port *port = synic_port(pp, in->port_id);

	if (!port)
		return HV_STATUS_INVALID_PORT_ID;
	/* Only the ConnectionPartition named at create may connect. */
	if (port->connection_partition != cp->id)
		return HV_STATUS_INVALID_PARTITION_ID;
	/* TLFS 2.0 §14.9.3: a port takes one connection. */
	if (port->conn)
		return HV_STATUS_INVALID_PORT_ID;
	if (in->type != port->type)
		return HV_STATUS_INVALID_PARAMETER;
	if (in->type == HV_PORT_TYPE_MONITOR &&
	    (in->monitor_address & (HV_PAGE_SIZE - 1)))
		return HV_STATUS_INVALID_ALIGNMENT;
	/* A doorbell names a GPA, a value and a length (SPEC 10): sizes
	 * any/1/2/4/8, ANY_VALUE, nothing else; the GPA aligned to its
	 * size and inside the GPA space. */
	if (in->type == HV_PORT_TYPE_DOORBELL) {
		uint32_t sz = in->doorbell_flags & HV_DOORBELL_FLAG_TRIGGER_SIZE_MASK;

		if ((in->doorbell_flags & ~(HV_DOORBELL_FLAG_TRIGGER_SIZE_MASK |
					    HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE)) ||
		    sz > HV_DOORBELL_FLAG_TRIGGER_SIZE_QWORD ||
		    (sz && (in->monitor_address & ((1u << (sz - 1)) - 1))) ||
		    in->monitor_address >= HV_GPA_PAGE_LIMIT << HV_PAGE_SHIFT)
			return HV_STATUS_INVALID_PARAMETER;
	}

	/* SPEC 9: the connection partition's pool pays, then the host. */
	struct charge charge;
	uint32_t node = pool_preferred_node(hv, in->proximity);

	charge_init(&charge);
	if (!pool_charge(hv, cp, hv->cfg.costs.connection,
			 node != NODE_ANY ? node :
			 pool_preferred_node(hv, cp->proximity), &charge))
		return HV_STATUS_INSUFFICIENT_MEMORY;

	struct connection *c = NULL;

	if (!idmap_reserve(&cp->conns))
		c = ohv_calloc(1, sizeof(*c));
	if (!c) {
		pool_uncharge(hv, cp, &charge);
		return HV_STATUS_NO_RESOURCES;
	}
	c->id = in->connection_id;
	c->type = in->type;
	c->owner = cp;
	c->port = port;
	c->monitor_address = in->monitor_address;
	c->trigger_value = in->trigger_value;
	c->doorbell_flags = in->doorbell_flags;
	c->charge = charge;
	port->conn = c;
	idmap_put(&cp->conns, (uint64_t)c->id + 1, c);
	return HV_STATUS_SUCCESS;
}



hv_status_t hc_connect_port_classic(struct hvctx *cx)
{
	const struct hv_input_connect_port_classic *in = cx->in;
	struct connect_port c = {
		.connection_partition = in->connection_partition_id,
		.connection_id = in->connection_id,
		.port_partition = in->port_partition_id,
		.port_id = in->port_id,
		.type = in->connection_info.port_type,
		.monitor_address = in->connection_info.monitor_address,
	};

	return connect_port(cx, &c);
}

hv_status_t hc_connect_port(struct hvctx *cx)
{
	const struct hv_input_connect_port *in = cx->in;
	struct connect_port c = {
		.connection_partition = in->connection_partition_id,
		.connection_id = in->connection_id,
		.vtl_set = in->connection_vtl != 0,
		.port_partition = in->port_partition_id,
		.port_id = in->port_id,
		.type = in->connection_info.port_type,
		.monitor_address =
			in->connection_info.monitor_connection_info.monitor_address,
		.trigger_value =
			in->connection_info.doorbell_connection_info.trigger_value,
		.doorbell_flags = (uint32_t)
			in->connection_info.doorbell_connection_info.flags,
		.proximity = in->proximity_domain_info,
	};

	return connect_port(cx, &c);
}

hv_status_t hc_disconnect_port(struct hvctx *cx)
{
	const struct hv_input_disconnect_port *in = cx->in;
	struct partition *cp;
	hv_status_t st = own_target(cx, in->connection_partition_id, &cp);

	if (st)
		return st;
	if (cp->state != OHV_STATE_ACTIVE)
		return HV_STATUS_INVALID_PARTITION_STATE;
	struct connection *c = synic_connection(cp, in->connection_id);

	if (!c)
		return HV_STATUS_INVALID_CONNECTION_ID;
	/* Messages already queued at the port stay (TLFS 2.0 §14.2.3). */
	synic_connection_destroy(cx->hv, c);
	return HV_STATUS_SUCCESS;
}
