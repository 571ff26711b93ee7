/* SPDX-License-Identifier: MIT */
/*
 * Ports and connections as objects (spec.md §8, seed 004): finding them by id,
 * destroying them with their queued messages, a partition's at finalize,
 * and their observation.  The calls that make and break them: hc_port.c.
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "partition.h"
#include "pool.h"
#include "synic.h"
#include "vp.h"

struct port *synic_port(const struct partition *p, uint32_t id)
{
	if (id & ~HV_PORT_ID_MASK)
		return NULL;
	return idmap_get(&p->ports, (uint64_t)id + 1);
}

static struct connection *conn_get(const struct partition *p, uint32_t id)
{
	if (id & ~HV_CONNECTION_ID_MASK)
		return NULL;
	return idmap_get(&p->conns, (uint64_t)id + 1);
}

/* Throw away a port's queued messages, wherever they wait (spec.md §8: "queued
 * undelivered messages are discarded"); what is in SIM slots stays.  Each
 * buffer knows its queue, so this costs the port's own buffers. */
static void port_discard_queued(struct port *port)
{
	const size_t nbufs = port->type == HV_PORT_TYPE_MESSAGE ?
			     HV_PORT_MESSAGE_BUFFER_COUNT : 0;

	for (size_t i = 0; port->queued && i < nbufs; i++) {
		struct msgbuf *m = &port->bufs[i];

		if (!m->q)
			continue;
		msgq_unlink(m);
		m->next = port->free;
		port->free = m;
		port->queued--;
	}
	OHV_ASSERT(port->queued == 0);
}

/* Free a port whose index entry the caller removes (or drops whole). */
static void port_free(struct ohv *hv, struct port *port)
{
	port_discard_queued(port);
	if (port->conn)
		port->conn->port = NULL;	/* later sends: INVALID_PORT_ID */
	pool_uncharge(hv, port->owner, &port->charge);
	ohv_free(port);
}

void synic_port_destroy(struct ohv *hv, struct port *port)
{
	idmap_del(&port->owner->ports, (uint64_t)port->id + 1);
	port_free(hv, port);
}

static void conn_free(struct ohv *hv, struct connection *c)
{
	if (c->port)
		c->port->conn = NULL;
	pool_uncharge(hv, c->owner, &c->charge);
	ohv_free(c);
}

void synic_connection_destroy(struct ohv *hv, struct connection *c)
{
	idmap_del(&c->owner->conns, (uint64_t)c->id + 1);
	conn_free(hv, c);
}

void synic_partition_finalize(struct ohv *hv, struct partition *p)
{
	/* One pass over each index, which goes whole: linear in what is
	 * freed (spec.md §2).  Ports first, so connections of p to p's own
	 * ports find them gone. */
	for (size_t i = 0; i < p->ports.cap; i++)
		if (p->ports.tab[i].key)
			port_free(hv, p->ports.tab[i].value);
	idmap_fini(&p->ports);
	for (size_t i = 0; i < p->conns.cap; i++)
		if (p->conns.tab[i].key)
			conn_free(hv, p->conns.tab[i].value);
	idmap_fini(&p->conns);
}

void synic_partition_free(struct partition *p)
{
	for (size_t i = 0; i < p->ports.cap; i++)
		if (p->ports.tab[i].key)
			ohv_free(p->ports.tab[i].value);
	for (size_t i = 0; i < p->conns.cap; i++)
		if (p->conns.tab[i].key)
			ohv_free(p->conns.tab[i].value);
	idmap_fini(&p->ports);
	idmap_fini(&p->conns);
}

/* ---------------------------------------------------------------------- */
/* HvCreatePort.                                                           */


/* ---------------------------------------------------------------------- */
/* HvConnectPort, HvDisconnectPort.                                        */


struct connection *synic_connection(const struct partition *p, uint32_t id)
{
	return conn_get(p, id);
}

struct connection *synic_doorbell(const struct partition *p, uint64_t gpa,
				  unsigned len, uint64_t value)
{
	/* The trigger sizes 1-4 are 1, 2, 4 and 8 bytes; 0 is any. */
	static const unsigned bytes[] = { 0, 1, 2, 4, 8 };

	for (size_t i = 0; i < p->conns.cap; i++) {
		struct connection *c = p->conns.tab[i].key ?
				       p->conns.tab[i].value : NULL;

		if (!c || c->type != HV_PORT_TYPE_DOORBELL || !c->port ||
		    c->monitor_address != gpa)
			continue;
		uint32_t sz = c->doorbell_flags &
			      HV_DOORBELL_FLAG_TRIGGER_SIZE_MASK;

		if (sz >= sizeof(bytes) / sizeof(bytes[0]) ||
		    (sz && bytes[sz] != len))
			continue;
		uint64_t mask = len >= 8 ? ~0ull : (1ull << (8 * len)) - 1;

		if (c->doorbell_flags & HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE ||
		    (value & mask) == (c->trigger_value & mask))
			return c;
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Observation.                                                            */

static int by_id(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * Fill up to max entries of entry bytes from the values of m, ascending by
 * the uint32_t id each entry starts with; fill writes one entry.  Returns
 * the number of values.
 */
static size_t list_sorted(const struct idmap *m, void *out, size_t max,
			  size_t entry, void (*fill)(void *dst, const void *obj))
{
	size_t n = m->count, k = 0;
	uint8_t *all = n ? malloc(n * entry) : NULL;

	if (!all)
		return max ? 0 : n;
	for (size_t i = 0; i < m->cap; i++)
		if (m->tab[i].key)
			fill(all + entry * k++, m->tab[i].value);
	qsort(all, n, entry, by_id);
	if (max)
		memcpy(out, all, (n < max ? n : max) * entry);
	free(all);
	return n;
}

static void fill_port(void *dst, const void *obj)
{
	const struct port *p = obj;
	struct ohv_port_state *o = dst;

	memset(o, 0, sizeof(*o));
	o->port_id = p->id;
	o->type = p->type;
	o->connection_partition = p->connection_partition;
	o->target_sint = p->target_sint;
	o->target_vp = p->target_vp;
	o->base_flag = p->base_flag;
	o->flag_count = p->flag_count;
	o->monitor_address = p->monitor_address;
	o->connected = p->conn != NULL;
	o->connection_id = p->conn ? p->conn->id : 0;
	o->queued = p->queued;
	o->post_count = p->post_count;
	o->preferred_vp = p->preferred_vp;
}

static void fill_conn(void *dst, const void *obj)
{
	const struct connection *c = obj;
	struct ohv_connection_state *o = dst;

	memset(o, 0, sizeof(*o));
	o->connection_id = c->id;
	o->type = c->type;
	o->port_alive = c->port != NULL;
	o->port_partition = c->port ? c->port->owner->id : 0;
	o->port_id = c->port ? c->port->id : 0;
}

size_t ohv_port_list(struct ohv *hv, uint64_t partition_id,
		     struct ohv_port_state *out, size_t max)
{
	size_t n = 0;

	if (!hv || (max && !out))
		return 0;
	lock_take(hv);
	const struct partition *p = partition_get(hv, partition_id);

	if (p)
		n = list_sorted(&p->ports, out, max, sizeof(*out), fill_port);
	lock_drop(hv);
	return n;
}

size_t ohv_connection_list(struct ohv *hv, uint64_t partition_id,
			   struct ohv_connection_state *out, size_t max)
{
	size_t n = 0;

	if (!hv || (max && !out))
		return 0;
	lock_take(hv);
	const struct partition *p = partition_get(hv, partition_id);

	if (p)
		n = list_sorted(&p->conns, out, max, sizeof(*out), fill_conn);
	lock_drop(hv);
	return n;
}
