/* SPDX-License-Identifier: MIT */
/*
 * Ports and connections (spec.md §3.3, 8, 9; seed 004; facts §3.2 0x0057-0x005B,
 * 0x0070, 0x0095/0x0096, §4.9, §5.5): every status of HvCreatePort (classic
 * 0x0057 and modern 0x0095), HvConnectPort (classic 0x0059 and modern
 * 0x0096), HvDeletePort, HvDisconnectPort, HvGetPortProperty and
 * HvSetPortProperty under its condition and in check order, and what a
 * success leaves behind: pool charges, ids, the one connection of a port.
 *
 * Most cases are rows of a table run against one fixture.  A failing row
 * must change nothing (t_snap); a succeeding row is undone right after and
 * must leave the machine as it found it.  The root issues memory-based
 * calls, children XMM-fast ones (t_as).
 */
#include <errno.h>

#include "t.h"

#define NEVER_ISSUED	0x100000ull
#define POISON		0xA5A5A5A5A5A5A5A5ull
#define SELF		HV_PARTITION_ID_SELF
#define RW		(HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE)

#define PRIV_PORTS	(HV_PARTITION_PRIV_CREATE_PORT | \
			 HV_PARTITION_PRIV_CONNECT_PORT | \
			 HV_PARTITION_PRIV_POST_MESSAGES | \
			 HV_PARTITION_PRIV_SIGNAL_EVENTS)
#define PRIV_FULL	(OHV_CHILD_PRIVILEGES | PRIV_PORTS | \
			 HV_PARTITION_PRIV_CREATE_PARTITIONS | \
			 HV_PARTITION_PRIV_ACCESS_MEMORY_POOL | \
			 HV_PARTITION_PRIV_ACCESS_VP_REGISTERS)

#define PC		HV_PORT_PROPERTY_POST_COUNT
#define PTV		HV_PORT_PROPERTY_PREFERRED_TARGET_VP

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

enum layout { CLASSIC, MODERN };

static const char *const layout_name[] = { "classic", "modern" };

/* ---------------------------------------------------------------------- */
/* Helpers.                                                                */

static struct hv_port_info msg_info(uint32_t sint, uint32_t vp)
{
	struct hv_port_info pi = { .port_type = HV_PORT_TYPE_MESSAGE };

	pi.message_port_info.target_sint = sint;
	pi.message_port_info.target_vp = vp;
	return pi;
}

static struct hv_port_info event_info(uint32_t sint, uint32_t vp,
				      uint16_t base, uint16_t count)
{
	struct hv_port_info pi = { .port_type = HV_PORT_TYPE_EVENT };

	pi.event_port_info.target_sint = sint;
	pi.event_port_info.target_vp = vp;
	pi.event_port_info.base_flag_number = base;
	pi.event_port_info.flag_count = count;
	return pi;
}

static struct hv_port_info monitor_info(uint64_t gpa)
{
	struct hv_port_info pi = { .port_type = HV_PORT_TYPE_MONITOR };

	pi.monitor_port_info.monitor_address = gpa;
	return pi;
}

struct port_req {
	uint64_t pp;
	uint32_t id;
	uint64_t cp;
	struct hv_port_info info;
	uint8_t vtl, min_vtl;
	struct hv_proximity_domain_info prox;
};

/*
 * HvCreatePort by caller in either layout.  The classic layout has padding
 * where the modern one has PortVtl and MinConnectionVtl (bytes 12-13); the
 * VTL values go there, which spec.md §3.2 says is ignored.
 */
static uint64_t create_port_raw(struct ohv *hv, uint64_t caller,
				enum layout layout, const struct port_req *r)
{
	if (layout == CLASSIC) {
		struct hv_input_create_port_classic in = {
			.port_partition_id = r->pp,
			.port_id = r->id,
			.padding = r->vtl | (uint32_t)r->min_vtl << 8,
			.connection_partition_id = r->cp,
			.port_info = r->info,
		};

		return t_as(hv, caller, HVCALL_CREATE_PORT_CLASSIC, &in,
			    sizeof(in), NULL, 0);
	}
	struct hv_input_create_port in = {
		.port_partition_id = r->pp,
		.port_id = r->id,
		.port_vtl = r->vtl,
		.min_connection_vtl = r->min_vtl,
		.connection_partition_id = r->cp,
		.port_info = r->info,
		.proximity_domain_info = r->prox,
	};

	return t_as(hv, caller, HVCALL_CREATE_PORT, &in, sizeof(in), NULL, 0);
}

static hv_status_t mk_port(struct ohv *hv, uint64_t caller, uint64_t pp,
			   uint32_t id, uint64_t cp, struct hv_port_info info)
{
	struct port_req r = { .pp = pp, .id = id, .cp = cp, .info = info };

	return ohv_result_status(create_port_raw(hv, caller, MODERN, &r));
}

struct conn_req {
	uint64_t cp;
	uint32_t id;
	uint64_t pp;
	uint32_t port;
	uint32_t type;
	uint64_t monitor;
	uint8_t vtl;
	struct hv_proximity_domain_info prox;
};

/* HvConnectPort by caller; classic byte 12 is padding (ConnectionVtl in
 * the modern layout). */
static uint64_t connect_raw(struct ohv *hv, uint64_t caller,
			    enum layout layout, const struct conn_req *r)
{
	if (layout == CLASSIC) {
		struct hv_input_connect_port_classic in = {
			.connection_partition_id = r->cp,
			.connection_id = r->id,
			.padding1 = r->vtl,
			.port_partition_id = r->pp,
			.port_id = r->port,
			.connection_info = { .port_type = r->type },
		};

		in.connection_info.monitor_address = r->monitor;
		return t_as(hv, caller, HVCALL_CONNECT_PORT_CLASSIC, &in,
			    sizeof(in), NULL, 0);
	}
	struct hv_input_connect_port in = {
		.connection_partition_id = r->cp,
		.connection_id = r->id,
		.connection_vtl = r->vtl,
		.port_partition_id = r->pp,
		.port_id = r->port,
		.connection_info = { .port_type = r->type },
		.proximity_domain_info = r->prox,
	};

	in.connection_info.monitor_connection_info.monitor_address = r->monitor;
	return t_as(hv, caller, HVCALL_CONNECT_PORT, &in, sizeof(in), NULL, 0);
}

static hv_status_t mk_conn(struct ohv *hv, uint64_t caller, uint64_t cp,
			   uint32_t id, uint64_t pp, uint32_t port,
			   uint32_t type)
{
	struct conn_req r = {
		.cp = cp, .id = id, .pp = pp, .port = port, .type = type,
	};

	return ohv_result_status(connect_raw(hv, caller, MODERN, &r));
}

static hv_status_t delete_port(struct ohv *hv, uint64_t caller, uint64_t pp,
			       uint32_t id)
{
	struct hv_input_delete_port in = {
		.port_partition_id = pp, .port_id = id,
	};

	return ohv_result_status(t_as(hv, caller, HVCALL_DELETE_PORT, &in,
				      sizeof(in), NULL, 0));
}

static hv_status_t disconnect(struct ohv *hv, uint64_t caller, uint64_t cp,
			      uint32_t id)
{
	struct hv_input_disconnect_port in = {
		.connection_partition_id = cp, .connection_id = id,
	};

	return ohv_result_status(t_as(hv, caller, HVCALL_DISCONNECT_PORT, &in,
				      sizeof(in), NULL, 0));
}

/* Get/SetPortProperty; on failure the output must keep its 0xA5 fill. */
static hv_status_t get_pprop(struct ohv *hv, uint64_t caller, uint64_t pp,
			     uint32_t port, uint32_t code, uint64_t *value)
{
	struct hv_input_get_port_property in = {
		.port_partition_id = pp, .port_id = port, .property_code = code,
	};
	uint64_t out = 0;
	hv_status_t st = ohv_result_status(t_as(hv, caller,
						HVCALL_GET_PORT_PROPERTY, &in,
						sizeof(in), &out, sizeof(out)));

	if (st == HV_STATUS_SUCCESS) {
		if (value)
			*value = out;
	} else {
		CHECK_EQ(out, POISON);
	}
	return st;
}

static hv_status_t set_pprop(struct ohv *hv, uint64_t caller, uint64_t pp,
			     uint32_t port, uint32_t code, uint64_t value,
			     uint64_t *old)
{
	struct hv_input_set_port_property in = {
		.port_partition_id = pp, .port_id = port, .property_code = code,
		.property_value = value,
	};
	uint64_t out = 0;
	hv_status_t st = ohv_result_status(t_as(hv, caller,
						HVCALL_SET_PORT_PROPERTY, &in,
						sizeof(in), &out, sizeof(out)));

	if (st == HV_STATUS_SUCCESS) {
		if (old)
			*old = out;
	} else {
		CHECK_EQ(out, POISON);
	}
	return st;
}

/* Does the port exist?  Asked by the root, its parent (or itself). */
static bool port_exists(struct ohv *hv, uint64_t pp, uint32_t id)
{
	return get_pprop(hv, T_ROOT, pp, id, HV_PORT_PROPERTY_POST_COUNT,
			 NULL) == HV_STATUS_SUCCESS;
}

/* HvPostMessage by VP 0 of caller, memory-based through its GPA pages 0
 * and 1 (t_mem). */
static hv_status_t post(struct ohv *hv, uint64_t caller, uint32_t conn)
{
	struct hv_input_post_message in = {
		.connection_id = conn, .message_type = 1, .payload_size = 8,
	};

	return ohv_result_status(t_mem(hv, caller, HVCALL_POST_MESSAGE, &in,
				       sizeof(in), NULL, 0));
}

static hv_status_t signal_event(struct ohv *hv, uint64_t caller,
				uint32_t conn, uint16_t flag)
{
	struct hv_input_signal_event in = {
		.connection_id = conn, .flag_number = flag,
	};

	return ohv_result_status(t_fast(hv, caller, HVCALL_SIGNAL_EVENT, &in,
					sizeof(in), NULL, 0));
}

/* HvMapGpaPages by caller into target: n pages from source page src. */
static uint64_t map_as(struct ohv *hv, uint64_t caller, uint64_t target,
		       uint64_t gpa_page, uint64_t src, uint32_t n,
		       uint32_t flags)
{
	uint64_t buf[3 + 64];
	struct hv_input_map_gpa_pages *in = (void *)buf;

	REQUIRE(n >= 1 && n <= 64);
	in->target_partition_id = target;
	in->target_gpa_base = gpa_page;
	in->map_flags = flags;
	in->padding = 0;
	for (uint32_t i = 0; i < n; i++)
		in->source_gpa_page_list[i] = src + i;
	return t_mem(hv, caller, ohv_control(HVCALL_MAP_GPA_PAGES, 0, n, 0),
		     buf, 24 + 8 * (size_t)n, NULL, 0);
}

/* A runnable child (t_runnable_child) with root pages mapped RW at its
 * GPA pages 0-3, so it can issue memory-based calls (t_mem). */
static uint64_t runnable_mapped(struct ohv *hv, uint64_t *next, uint64_t priv)
{
	uint64_t id = t_runnable_child(hv, next, priv);

	REQUIRE_ST(map_as(hv, T_ROOT, id, 0, *next, 4, RW), HV_STATUS_SUCCESS);
	*next += 4;
	return id;
}

/* HvCreatePartition issued fast by VP 0 of a child. */
static uint64_t child_creates(struct ohv *hv, uint64_t caller)
{
	struct hv_input_create_partition in = { 0 };
	uint64_t out = 0;

	REQUIRE_ST(t_fast(hv, caller, HVCALL_CREATE_PARTITION, &in, sizeof(in),
			  &out, sizeof(out)), HV_STATUS_SUCCESS);
	return out;
}

static struct ohv_costs costs_of(struct ohv *hv)
{
	struct ohv_config cfg;

	ohv_get_config(hv, &cfg);
	return cfg.costs;
}

/* ---------------------------------------------------------------------- */
/* The fixture the tables run against.                                     */

/*
 * a, b:   runnable children of the root holding every port privilege
 *         (PRIV_FULL), VP 0, GPA pages 0-3 mapped
 * plain:  a runnable child with the default privileges (no port ones)
 * u:      an Uninitialized child;  f: a Finalized child
 * g:      a's child (the root's grandchild), Uninitialized
 * lean:   an Active child without VPs whose pool has 0 pages available
 * dead:   the id of a deleted child
 * The root's own pool gets 16 available pages for its own ports.
 */
struct fx {
	struct ohv *hv;
	uint64_t next;
	uint64_t a, b, plain, u, f, g, lean, dead;
};

enum sel {
	S_DEF, S_ROOT, S_SELF, S_A, S_B, S_PLAIN, S_U, S_F, S_G, S_LEAN,
	S_DEAD, S_ZERO, S_NEVER,
};

static void fx_open(struct fx *x, const struct ohv_config *cfg)
{
	memset(x, 0, sizeof(*x));
	x->hv = t_open(cfg);
	x->next = T_FIRST_FREE_PAGE;
	x->a = runnable_mapped(x->hv, &x->next, PRIV_FULL);
	x->b = runnable_mapped(x->hv, &x->next, PRIV_FULL);
	x->plain = runnable_mapped(x->hv, &x->next, 0);
	x->u = t_new_child(x->hv, &x->next);
	x->f = t_active_child(x->hv, &x->next);
	REQUIRE_ST(t_finalize(x->hv, x->f), HV_STATUS_SUCCESS);
	x->lean = t_active_child(x->hv, &x->next);
	REQUIRE(t_info(x->hv, x->lean).pool_available == 0);
	x->dead = t_new_child(x->hv, &x->next);
	REQUIRE_ST(t_delete(x->hv, x->dead), HV_STATUS_SUCCESS);
	x->g = child_creates(x->hv, x->a);
	t_fund(x->hv, SELF, &x->next, 16);
}

static uint64_t sel(const struct fx *x, int s, uint64_t def)
{
	switch (s) {
	case S_ROOT:	return T_ROOT;
	case S_SELF:	return SELF;
	case S_A:	return x->a;
	case S_B:	return x->b;
	case S_PLAIN:	return x->plain;
	case S_U:	return x->u;
	case S_F:	return x->f;
	case S_G:	return x->g;
	case S_LEAN:	return x->lean;
	case S_DEAD:	return x->dead;
	case S_ZERO:	return HV_PARTITION_ID_INVALID;
	case S_NEVER:	return NEVER_ISSUED;
	}
	return def;
}

/* Rows store a value as V(x) so that 0 can mean "the default". */
#define V(x)	((uint64_t)(x) + 1)
static uint64_t dflt(uint64_t v, uint64_t def)
{
	return v ? v - 1 : def;
}

/* A classic-layout status that differs from the modern one: C(status). */
#define C(s)	((hv_status_t)((s) + 1))
#define ST(s)	HV_STATUS_##s

static uint64_t resolve(uint64_t id, uint64_t caller)
{
	return id == SELF ? caller : id;
}

static uint64_t in_use(struct ohv *hv, uint64_t id)
{
	return t_info(hv, id).pool_in_use;
}

/* ---------------------------------------------------------------------- */
/* spec.md §3.3 / generic step 6: the port privileges.                         */

/*
 * Children lack CreatePort, ConnectPort, PostMessages and SignalEvents by
 * default (spec.md §4.3: 0x5FF); the root holds them.  A default child gets
 * ACCESS_DENIED from each port call with an otherwise valid input naming
 * itself, and also with unknown ids (the privilege check is step 6, before
 * the call's own checks); nothing changes.  A child granted only one of
 * CreatePort / ConnectPort can do that and not the other.
 */
TEST(port_privileges)
{
	struct fx x;

	fx_open(&x, NULL);
	struct ohv *hv = x.hv;
	const uint64_t mask = PRIV_PORTS;

	CHECK_EQ(OHV_CHILD_PRIVILEGES & mask, 0);
	CHECK_EQ(t_info(hv, x.plain).privileges & mask, 0);
	CHECK_EQ(t_info(hv, T_ROOT).privileges & mask, mask);

	/* Objects the plain child could act on, made by the root. */
	REQUIRE_ST(mk_port(hv, T_ROOT, x.plain, 1, x.a, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, x.a, 1, x.plain, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, x.a, 2, x.plain, event_info(2, 0, 0, 4)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, x.a, 3, x.plain, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, T_ROOT, x.plain, 1, x.a, 1,
			   HV_PORT_TYPE_MESSAGE), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, T_ROOT, x.plain, 2, x.a, 2, HV_PORT_TYPE_EVENT),
		   HV_STATUS_SUCCESS);

	const hv_status_t denied = HV_STATUS_ACCESS_DENIED;
	const uint64_t pl = x.plain;

	for (int unknown = 0; unknown < 2; unknown++) {
		uint64_t me = unknown ? NEVER_ISSUED : pl;
		uint32_t conn_off = unknown ? 0x1000 : 0;
		struct t_snap before;

		t_snap_take(hv, &before);
		for (int l = CLASSIC; l <= MODERN; l++) {
			struct port_req pr = {
				.pp = me, .id = 9, .cp = x.b,
				.info = msg_info(2, 0),
			};
			struct conn_req cr = {
				.cp = me, .id = 9, .pp = x.a, .port = 3,
				.type = HV_PORT_TYPE_MESSAGE,
			};

			hv_status_t st;

			st = ohv_result_status(create_port_raw(hv, pl, l, &pr));
			CHECK_MSG(st == denied, "%s create, unknown %d: %s",
				  layout_name[l], unknown, ohv_status_name(st));
			st = ohv_result_status(connect_raw(hv, pl, l, &cr));
			CHECK_MSG(st == denied, "%s connect, unknown %d: %s",
				  layout_name[l], unknown, ohv_status_name(st));
		}
		CHECK_ST(delete_port(hv, pl, me, 1), denied);
		CHECK_ST(get_pprop(hv, pl, me, 1, HV_PORT_PROPERTY_POST_COUNT,
				   NULL), denied);
		CHECK_ST(set_pprop(hv, pl, me, 1, PTV, 0, NULL), denied);
		CHECK_ST(disconnect(hv, pl, me, 1), denied);
		CHECK_ST(post(hv, pl, 1 + conn_off), denied);
		CHECK_ST(signal_event(hv, pl, 2 + conn_off, 0), denied);
		t_snap_same(hv, &before, "no port privilege");
	}
	/* Nothing went: the port and the connections still work. */
	CHECK(port_exists(hv, x.plain, 1));
	CHECK_ST(mk_conn(hv, T_ROOT, x.plain, 1, x.a, 3, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_INVALID_CONNECTION_ID);

	/* CreatePort alone, ConnectPort alone. */
	uint64_t cre = runnable_mapped(hv, &x.next, OHV_CHILD_PRIVILEGES |
				       HV_PARTITION_PRIV_CREATE_PORT);
	uint64_t con = runnable_mapped(hv, &x.next, OHV_CHILD_PRIVILEGES |
				       HV_PARTITION_PRIV_CONNECT_PORT);

	CHECK_ST(mk_port(hv, cre, cre, 1, con, msg_info(2, 0)),
		 HV_STATUS_SUCCESS);
	CHECK_ST(mk_port(hv, con, con, 1, cre, msg_info(2, 0)),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_ST(mk_conn(hv, cre, cre, 1, con, 1, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_ST(mk_conn(hv, con, con, 1, cre, 1, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_SUCCESS);
	/* Delete and properties go with CreatePort, disconnect with
	 * ConnectPort. */
	CHECK_ST(get_pprop(hv, con, con, 1, HV_PORT_PROPERTY_POST_COUNT, NULL),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_ST(delete_port(hv, con, cre, 1), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(disconnect(hv, cre, con, 1), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(disconnect(hv, con, con, 1), HV_STATUS_SUCCESS);
	CHECK_ST(get_pprop(hv, cre, cre, 1, HV_PORT_PROPERTY_POST_COUNT, NULL),
		 HV_STATUS_SUCCESS);
	CHECK_ST(delete_port(hv, cre, cre, 1), HV_STATUS_SUCCESS);
	t_close(hv);
}

/*
 * A root configured without CreatePort / ConnectPort (root_privileges)
 * gets ACCESS_DENIED too: seed 004 makes the privilege a requirement even
 * for the parent ("The caller must possess the CreatePort privilege").
 */
TEST(port_root_without_privileges)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.root_privileges &= ~(HV_PARTITION_PRIV_CREATE_PORT |
				 HV_PARTITION_PRIV_CONNECT_PORT);
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t a = t_runnable_child(hv, &next, 0);
	uint64_t b = t_runnable_child(hv, &next, 0);
	struct t_snap before;

	t_snap_take(hv, &before);
	CHECK_ST(mk_port(hv, T_ROOT, a, 1, b, msg_info(2, 0)),
		 HV_STATUS_ACCESS_DENIED);
	/* With CreatePort this would be INVALID_PORT_ID (no port 1). */
	CHECK_ST(delete_port(hv, T_ROOT, a, 1), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(delete_port(hv, T_ROOT, SELF, 1), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(get_pprop(hv, T_ROOT, a, 1, 0, NULL), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(mk_conn(hv, T_ROOT, b, 1, a, 1, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_ST(disconnect(hv, T_ROOT, b, 1), HV_STATUS_ACCESS_DENIED);
	t_snap_same(hv, &before, "root without port privileges");
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* HvCreatePort (0x0057 classic, 0x0095 modern): spec.md §8, facts §3.2.       */

struct create_row {
	const char *what;
	int caller, pp, cp;		/* S_DEF: root, a, b */
	uint64_t id;			/* V(): default 0x100 */
	uint64_t type, sint, vp;	/* V(): message, 2, 0 */
	uint64_t base, count, mon;	/* V(): 0, 8, 0x3000 */
	uint8_t vtl, min_vtl;
	uint32_t prox_flags, prox_id;
	hv_status_t st;			/* modern */
	hv_status_t classic;		/* C(): classic differs */
};

#define PV	HV_PROXIMITY_DOMAIN_VALID
#define PP_	HV_PROXIMITY_DOMAIN_PREFERRED
#define MSG	V(HV_PORT_TYPE_MESSAGE)
#define EVT	V(HV_PORT_TYPE_EVENT)
#define MON	V(HV_PORT_TYPE_MONITOR)

static const struct create_row create_rows[] = {
	{ "message port", .st = ST(SUCCESS) },
	{ "event port", .type = EVT, .st = ST(SUCCESS) },
	{ "monitor port", .type = MON, .st = ST(SUCCESS) },
	{ "port in the root (SELF), for a", .pp = S_SELF, .cp = S_A,
	  .st = ST(SUCCESS) },
	{ "port in the root (its id), for a", .pp = S_ROOT, .cp = S_A,
	  .st = ST(SUCCESS) },
	{ "a on itself", .caller = S_A, .pp = S_A, .st = ST(SUCCESS) },
	{ "a on itself via SELF", .caller = S_A, .pp = S_SELF,
	  .st = ST(SUCCESS) },
	{ "a on itself, for its parent", .caller = S_A, .pp = S_A,
	  .cp = S_ROOT, .st = ST(SUCCESS) },
	{ "a on itself, for its child", .caller = S_A, .pp = S_A, .cp = S_G,
	  .st = ST(INVALID_PARTITION_STATE) },
	/* PortPartition id. */
	{ "PortPartition 0", .pp = S_ZERO, .st = ST(INVALID_PARTITION_ID) },
	{ "PortPartition never issued", .pp = S_NEVER,
	  .st = ST(INVALID_PARTITION_ID) },
	{ "PortPartition deleted", .pp = S_DEAD,
	  .st = ST(INVALID_PARTITION_ID) },
	/* Access: the caller or its child. */
	{ "root on its grandchild", .pp = S_G, .vp = V(HV_ANY_VP),
	  .st = ST(ACCESS_DENIED) },
	{ "child on its sibling", .caller = S_A, .pp = S_B, .cp = S_ROOT,
	  .st = ST(ACCESS_DENIED) },
	{ "child on its parent", .caller = S_A, .pp = S_ROOT,
	  .st = ST(ACCESS_DENIED) },
	{ "no CreatePort", .caller = S_PLAIN, .pp = S_PLAIN,
	  .st = ST(ACCESS_DENIED) },
	/* ConnectionPartition id. */
	{ "ConnectionPartition 0", .cp = S_ZERO,
	  .st = ST(INVALID_PARTITION_ID) },
	{ "ConnectionPartition never issued", .cp = S_NEVER,
	  .st = ST(INVALID_PARTITION_ID) },
	{ "ConnectionPartition deleted", .cp = S_DEAD,
	  .st = ST(INVALID_PARTITION_ID) },
	{ "ConnectionPartition = PortPartition", .cp = S_A,
	  .st = ST(INVALID_PARTITION_ID) },
	{ "both SELF", .pp = S_SELF, .cp = S_SELF,
	  .st = ST(INVALID_PARTITION_ID) },
	{ "SELF and the root's id", .pp = S_SELF, .cp = S_ROOT,
	  .st = ST(INVALID_PARTITION_ID) },
	/* ConnectionPartition needs no access, only to be Active. */
	{ "ConnectionPartition a grandchild", .cp = S_G,
	  .st = ST(INVALID_PARTITION_STATE) },
	{ "ConnectionPartition lean (its pool is not charged)", .cp = S_LEAN,
	  .st = ST(SUCCESS) },
	/* States. */
	{ "PortPartition Uninitialized", .pp = S_U, .vp = V(HV_ANY_VP),
	  .st = ST(INVALID_PARTITION_STATE) },
	{ "PortPartition Finalized", .pp = S_F, .vp = V(HV_ANY_VP),
	  .st = ST(INVALID_PARTITION_STATE) },
	{ "ConnectionPartition Uninitialized", .cp = S_U,
	  .st = ST(INVALID_PARTITION_STATE) },
	{ "ConnectionPartition Finalized", .cp = S_F,
	  .st = ST(INVALID_PARTITION_STATE) },
	/* Modern fields (spec.md §3.3: VTL fields must be 0; spec.md §9). */
	{ "PortVtl 1", .vtl = 1, .st = ST(INVALID_PARAMETER),
	  .classic = C(ST(SUCCESS)) },
	{ "MinConnectionVtl 1", .min_vtl = 1, .st = ST(INVALID_PARAMETER),
	  .classic = C(ST(SUCCESS)) },
	{ "PortVtl 0xFF", .vtl = 0xFF, .st = ST(INVALID_PARAMETER),
	  .classic = C(ST(SUCCESS)) },
	{ "proximity reserved flag bit 1", .prox_flags = 2,
	  .st = ST(INVALID_PARAMETER), .classic = C(ST(SUCCESS)) },
	{ "proximity reserved flag bit 30", .prox_flags = PV | 1u << 30,
	  .st = ST(INVALID_PARAMETER), .classic = C(ST(SUCCESS)) },
	{ "proximity: node 1 required of 1", .prox_flags = PV, .prox_id = 1,
	  .st = ST(INVALID_PARAMETER), .classic = C(ST(SUCCESS)) },
	{ "proximity: node 0 required", .prox_flags = PV, .st = ST(SUCCESS) },
	{ "proximity: node 5 preferred", .prox_flags = PV | PP_, .prox_id = 5,
	  .st = ST(SUCCESS) },
	{ "proximity: not valid, id ignored", .prox_id = 77,
	  .st = ST(SUCCESS) },
	/* PortId. */
	{ "PortId bit 24", .id = V(0x01000100), .st = ST(INVALID_PORT_ID) },
	{ "PortId bit 31", .id = V(0x80000100), .st = ST(INVALID_PORT_ID) },
	{ "PortId 0x00FFFFFF", .id = V(0x00FFFFFF), .st = ST(SUCCESS) },
	{ "PortId 0", .id = V(0), .st = ST(SUCCESS) },
	{ "PortId in use", .id = V(1), .st = ST(INVALID_PORT_ID) },
	{ "PortId used in another partition", .id = V(1), .pp = S_B,
	  .cp = S_A, .st = ST(SUCCESS) },
	/* PortInfo. */
	{ "type 0", .type = V(0), .st = ST(INVALID_PARAMETER) },
	{ "type 4 (doorbell)", .type = V(4), .st = ST(INVALID_PARAMETER) },
	{ "type 0xFFFFFFFF", .type = V(0xFFFFFFFF),
	  .st = ST(INVALID_PARAMETER) },
	{ "message SINT 0", .sint = V(0), .st = ST(INVALID_PARAMETER) },
	{ "message SINT 16", .sint = V(16), .st = ST(INVALID_PARAMETER) },
	{ "message SINT 0xFFFFFFFF", .sint = V(0xFFFFFFFF),
	  .st = ST(INVALID_PARAMETER) },
	{ "message SINT 1", .sint = V(1), .st = ST(SUCCESS) },
	{ "message SINT 15", .sint = V(15), .st = ST(SUCCESS) },
	{ "event SINT 0", .type = EVT, .sint = V(0),
	  .st = ST(INVALID_PARAMETER) },
	{ "event SINT 16", .type = EVT, .sint = V(16),
	  .st = ST(INVALID_PARAMETER) },
	{ "event FlagCount 0", .type = EVT, .count = V(0),
	  .st = ST(INVALID_PARAMETER) },
	{ "event Base 2047 + Count 1 = 2048", .type = EVT, .base = V(2047),
	  .count = V(1), .st = ST(SUCCESS) },
	{ "event Base 0 + Count 2048", .type = EVT, .count = V(2048),
	  .st = ST(SUCCESS) },
	{ "event Base 2047 + Count 2", .type = EVT, .base = V(2047),
	  .count = V(2), .st = ST(INVALID_PARAMETER) },
	{ "event Base 1 + Count 2048", .type = EVT, .base = V(1),
	  .count = V(2048), .st = ST(INVALID_PARAMETER) },
	{ "event Count 2049", .type = EVT, .count = V(2049),
	  .st = ST(INVALID_PARAMETER) },
	{ "event Base 0xFFFF", .type = EVT, .base = V(0xFFFF), .count = V(1),
	  .st = ST(INVALID_PARAMETER) },
	{ "monitor 0x3001", .type = MON, .mon = V(0x3001),
	  .st = ST(INVALID_ALIGNMENT) },
	{ "monitor 0x800", .type = MON, .mon = V(0x800),
	  .st = ST(INVALID_ALIGNMENT) },
	{ "monitor 0", .type = MON, .mon = V(0), .st = ST(SUCCESS) },
	{ "message TargetVp 1 (a has VP 0 only)", .vp = V(1),
	  .st = ST(INVALID_VP_INDEX) },
	{ "message TargetVp 64", .vp = V(64), .st = ST(INVALID_VP_INDEX) },
	{ "message TargetVp 0xFFFFFFFE", .vp = V(0xFFFFFFFE),
	  .st = ST(INVALID_VP_INDEX) },
	{ "message TargetVp HV_ANY_VP", .vp = V(HV_ANY_VP), .st = ST(SUCCESS) },
	{ "event TargetVp 3", .type = EVT, .vp = V(3),
	  .st = ST(INVALID_VP_INDEX) },
	{ "event TargetVp HV_ANY_VP", .type = EVT, .vp = V(HV_ANY_VP),
	  .st = ST(SUCCESS) },
	{ "port in a partition without VPs, HV_ANY_VP, pool empty",
	  .pp = S_LEAN, .vp = V(HV_ANY_VP), .st = ST(INSUFFICIENT_MEMORY) },
	/* Order: first failure wins. */
	{ "no CreatePort + PortPartition unknown", .caller = S_PLAIN,
	  .pp = S_NEVER, .st = ST(ACCESS_DENIED) },
	{ "sibling + ConnectionPartition unknown", .caller = S_A, .pp = S_B,
	  .cp = S_NEVER, .st = ST(ACCESS_DENIED) },
	{ "grandchild + ConnectionPartition = PortPartition", .pp = S_G,
	  .cp = S_G, .st = ST(ACCESS_DENIED) },
	{ "ConnectionPartition unknown + PortPartition Uninitialized",
	  .pp = S_U, .cp = S_NEVER, .st = ST(INVALID_PARTITION_ID) },
	{ "same partition + Uninitialized", .pp = S_U, .cp = S_U,
	  .st = ST(INVALID_PARTITION_ID) },
	{ "Uninitialized + PortVtl", .cp = S_U, .vtl = 1,
	  .st = ST(INVALID_PARTITION_STATE) },
	{ "PortVtl + PortId bit 24", .vtl = 1, .id = V(0x01000000),
	  .st = ST(INVALID_PARAMETER), .classic = C(ST(INVALID_PORT_ID)) },
	{ "bad proximity + PortId in use", .prox_flags = 4, .id = V(1),
	  .st = ST(INVALID_PARAMETER), .classic = C(ST(INVALID_PORT_ID)) },
	{ "PortId bit 24 + type 0", .id = V(0x01000000), .type = V(0),
	  .st = ST(INVALID_PORT_ID) },
	{ "PortId in use + type 0", .id = V(1), .type = V(0),
	  .st = ST(INVALID_PORT_ID) },
	{ "type 9 + TargetVp 9", .type = V(9), .vp = V(9),
	  .st = ST(INVALID_PARAMETER) },
	{ "SINT 0 + TargetVp 9", .sint = V(0), .vp = V(9),
	  .st = ST(INVALID_PARAMETER) },
	{ "FlagCount 0 + TargetVp 9", .type = EVT, .count = V(0), .vp = V(9),
	  .st = ST(INVALID_PARAMETER) },
	{ "TargetVp 0 in a partition without VPs + pool empty",
	  .pp = S_LEAN, .st = ST(INVALID_VP_INDEX) },
	{ "monitor misaligned + pool empty", .pp = S_LEAN, .type = MON,
	  .mon = V(0x10), .st = ST(INVALID_ALIGNMENT) },
	{ "SINT 16 + pool empty", .pp = S_LEAN, .sint = V(16),
	  .vp = V(HV_ANY_VP), .st = ST(INVALID_PARAMETER) },
};

static void run_create_rows(enum layout layout)
{
	struct fx x;

	fx_open(&x, NULL);
	struct ohv *hv = x.hv;
	const struct ohv_costs costs = costs_of(hv);

	/* Port 1 of a is in use. */
	REQUIRE_ST(mk_port(hv, T_ROOT, x.a, 1, x.b, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	for (size_t i = 0; i < ARRAY_SIZE(create_rows); i++) {
		const struct create_row *r = &create_rows[i];
		uint64_t caller = sel(&x, r->caller, T_ROOT);
		struct port_req req = {
			.pp = sel(&x, r->pp, x.a),
			.id = (uint32_t)dflt(r->id, 0x100),
			.cp = sel(&x, r->cp, x.b),
			.vtl = r->vtl,
			.min_vtl = r->min_vtl,
			.prox = { .domain_id = r->prox_id,
				  .flags = r->prox_flags },
		};
		uint32_t type = (uint32_t)dflt(r->type, HV_PORT_TYPE_MESSAGE);
		uint32_t sint = (uint32_t)dflt(r->sint, 2);
		uint32_t vp = (uint32_t)dflt(r->vp, 0);

		if (type == HV_PORT_TYPE_MONITOR) {
			req.info = monitor_info(dflt(r->mon, 0x3000));
		} else if (type == HV_PORT_TYPE_EVENT) {
			req.info = event_info(sint, vp,
					      (uint16_t)dflt(r->base, 0),
					      (uint16_t)dflt(r->count, 8));
		} else {
			req.info = msg_info(sint, vp);
			req.info.port_type = type;
		}
		hv_status_t want = layout == CLASSIC && r->classic ?
				   (hv_status_t)(r->classic - 1) : r->st;
		uint64_t pp = resolve(req.pp, caller);
		uint64_t cp = resolve(req.cp, caller);
		struct t_snap before;

		t_snap_take(hv, &before);
		uint64_t pp0 = want ? 0 : in_use(hv, pp);
		uint64_t cp0 = want ? 0 : in_use(hv, cp);
		hv_status_t got = ohv_result_status(create_port_raw(hv, caller,
								    layout,
								    &req));

		CHECK_MSG(got == want, "%s create, %s: got %s, want %s",
			  layout_name[layout], r->what, ohv_status_name(got),
			  ohv_status_name(want));
		if (got == HV_STATUS_SUCCESS) {
			/* spec.md §5.4: costs.port from the PortPartition's
			 * pool; the ConnectionPartition pays nothing. */
			if (!want) {
				CHECK_EQ(in_use(hv, pp), pp0 + costs.port);
				CHECK_EQ(in_use(hv, cp), cp0);
			}
			uint64_t v = POISON;

			CHECK_ST(get_pprop(hv, caller, req.pp, req.id,
					   HV_PORT_PROPERTY_POST_COUNT, &v),
				 HV_STATUS_SUCCESS);
			CHECK_EQ(v, 0);
			CHECK_ST(delete_port(hv, caller, req.pp, req.id),
				 HV_STATUS_SUCCESS);
		}
		t_snap_same(hv, &before, r->what);
	}
	t_close(hv);
}

TEST(port_create_classic_statuses)
{
	run_create_rows(CLASSIC);
}

TEST(port_create_modern_statuses)
{
	run_create_rows(MODERN);
}

/* ---------------------------------------------------------------------- */
/* HvConnectPort (0x0059 classic, 0x0096 modern): spec.md §8, facts §3.2.      */

/*
 * Ports of a (all made by the root): 1 message for b, 2 event for b,
 * 3 monitor for b, 4 message for b connected by b's connection 7,
 * 5 message for lean, 6 message for the root, 8 monitor for lean.
 */
struct connect_row {
	const char *what;
	int caller, cp, pp;		/* S_DEF: root, b, a */
	uint64_t id, port, type, mon;	/* V(): 0x200, 1, message, 0 */
	uint8_t vtl;
	uint32_t prox_flags, prox_id;
	hv_status_t st;
	hv_status_t classic;
};

static const struct connect_row connect_rows[] = {
	{ "message port", .st = ST(SUCCESS) },
	{ "event port", .port = V(2), .type = EVT, .st = ST(SUCCESS) },
	{ "monitor port", .port = V(3), .type = MON, .mon = V(0x7000),
	  .st = ST(SUCCESS) },
	{ "the root (SELF) to a port for the root", .cp = S_SELF,
	  .port = V(6), .st = ST(SUCCESS) },
	{ "b on itself", .caller = S_B, .cp = S_B, .st = ST(SUCCESS) },
	{ "b on itself via SELF", .caller = S_B, .cp = S_SELF,
	  .st = ST(SUCCESS) },
	/* ConnectionPartition id and access. */
	{ "ConnectionPartition 0", .cp = S_ZERO,
	  .st = ST(INVALID_PARTITION_ID) },
	{ "ConnectionPartition never issued", .cp = S_NEVER,
	  .st = ST(INVALID_PARTITION_ID) },
	{ "ConnectionPartition deleted", .cp = S_DEAD,
	  .st = ST(INVALID_PARTITION_ID) },
	{ "root for its grandchild", .cp = S_G, .st = ST(ACCESS_DENIED) },
	{ "child for its sibling", .caller = S_A, .cp = S_B,
	  .st = ST(ACCESS_DENIED) },
	{ "child for its parent", .caller = S_B, .cp = S_ROOT, .port = V(6),
	  .st = ST(ACCESS_DENIED) },
	{ "no ConnectPort", .caller = S_PLAIN, .cp = S_PLAIN,
	  .st = ST(ACCESS_DENIED) },
	/* PortPartition id: no access rule on it. */
	{ "PortPartition 0", .pp = S_ZERO, .st = ST(INVALID_PARTITION_ID) },
	{ "PortPartition never issued", .pp = S_NEVER,
	  .st = ST(INVALID_PARTITION_ID) },
	{ "PortPartition deleted", .pp = S_DEAD,
	  .st = ST(INVALID_PARTITION_ID) },
	/* States. */
	{ "ConnectionPartition Uninitialized", .cp = S_U,
	  .st = ST(INVALID_PARTITION_STATE) },
	{ "ConnectionPartition Finalized", .cp = S_F,
	  .st = ST(INVALID_PARTITION_STATE) },
	{ "PortPartition Uninitialized", .pp = S_U,
	  .st = ST(INVALID_PARTITION_STATE) },
	{ "PortPartition Finalized", .pp = S_F,
	  .st = ST(INVALID_PARTITION_STATE) },
	{ "PortPartition a grandchild (Uninitialized)", .pp = S_G,
	  .st = ST(INVALID_PARTITION_STATE) },
	/* Modern fields. */
	{ "ConnectionVtl 1", .vtl = 1, .st = ST(INVALID_PARAMETER),
	  .classic = C(ST(SUCCESS)) },
	{ "proximity reserved flag bit 2", .prox_flags = 4,
	  .st = ST(INVALID_PARAMETER), .classic = C(ST(SUCCESS)) },
	{ "proximity: node 3 required of 1", .prox_flags = PV, .prox_id = 3,
	  .st = ST(INVALID_PARAMETER), .classic = C(ST(SUCCESS)) },
	{ "proximity: node 3 preferred", .prox_flags = PV | PP_, .prox_id = 3,
	  .st = ST(SUCCESS) },
	/* ConnectionId. */
	{ "ConnectionId bit 24", .id = V(0x01000000),
	  .st = ST(INVALID_CONNECTION_ID) },
	{ "ConnectionId bit 31", .id = V(0x80000200),
	  .st = ST(INVALID_CONNECTION_ID) },
	{ "ConnectionId in use", .id = V(7), .st = ST(INVALID_CONNECTION_ID) },
	{ "ConnectionId 0x00FFFFFF", .id = V(0x00FFFFFF), .st = ST(SUCCESS) },
	{ "ConnectionId 0", .id = V(0), .st = ST(SUCCESS) },
	{ "ConnectionId used in another partition", .cp = S_SELF,
	  .port = V(6), .id = V(7), .st = ST(SUCCESS) },
	/* The port. */
	{ "no such port", .port = V(99), .st = ST(INVALID_PORT_ID) },
	{ "PortId bit 24 of port 1", .port = V(0x01000001),
	  .st = ST(INVALID_PORT_ID) },
	{ "port 1 of the wrong partition", .pp = S_ROOT,
	  .st = ST(INVALID_PORT_ID) },
	{ "port named for lean", .port = V(5),
	  .st = ST(INVALID_PARTITION_ID) },
	{ "port named for the root", .port = V(6),
	  .st = ST(INVALID_PARTITION_ID) },
	{ "port already connected", .port = V(4), .st = ST(INVALID_PORT_ID) },
	{ "event info for a message port", .type = EVT,
	  .st = ST(INVALID_PARAMETER) },
	{ "message info for an event port", .port = V(2), .type = MSG,
	  .st = ST(INVALID_PARAMETER) },
	{ "type 0", .type = V(0), .st = ST(INVALID_PARAMETER) },
	{ "type 4 (doorbell)", .type = V(4), .st = ST(INVALID_PARAMETER) },
	{ "monitor 0x4001", .port = V(3), .type = MON, .mon = V(0x4001),
	  .st = ST(INVALID_ALIGNMENT) },
	{ "monitor 0x800", .port = V(3), .type = MON, .mon = V(0x800),
	  .st = ST(INVALID_ALIGNMENT) },
	{ "ConnectionPartition pool empty", .cp = S_LEAN, .port = V(5),
	  .st = ST(INSUFFICIENT_MEMORY) },
	/* Order. */
	{ "no ConnectPort + ConnectionPartition unknown", .caller = S_PLAIN,
	  .cp = S_NEVER, .st = ST(ACCESS_DENIED) },
	{ "sibling + PortPartition unknown", .caller = S_A, .cp = S_B,
	  .pp = S_NEVER, .st = ST(ACCESS_DENIED) },
	{ "PortPartition unknown + ConnectionPartition Uninitialized",
	  .cp = S_U, .pp = S_NEVER, .st = ST(INVALID_PARTITION_ID) },
	{ "Uninitialized + ConnectionVtl", .cp = S_U, .vtl = 1,
	  .st = ST(INVALID_PARTITION_STATE) },
	{ "ConnectionVtl + ConnectionId in use", .vtl = 1, .id = V(7),
	  .st = ST(INVALID_PARAMETER),
	  .classic = C(ST(INVALID_CONNECTION_ID)) },
	{ "ConnectionId in use + no such port", .id = V(7), .port = V(99),
	  .st = ST(INVALID_CONNECTION_ID) },
	{ "no such port + wrong type", .port = V(99), .type = EVT,
	  .st = ST(INVALID_PORT_ID) },
	{ "named for lean + wrong type", .port = V(5), .type = EVT,
	  .st = ST(INVALID_PARTITION_ID) },
	{ "connected port named for b, lean asks", .port = V(4),
	  .cp = S_LEAN, .st = ST(INVALID_PARTITION_ID) },
	{ "already connected + wrong type", .port = V(4), .type = EVT,
	  .st = ST(INVALID_PORT_ID) },
	{ "wrong type + pool empty", .cp = S_LEAN, .port = V(5), .type = EVT,
	  .st = ST(INVALID_PARAMETER) },
	{ "monitor misaligned + pool empty", .cp = S_LEAN, .port = V(8),
	  .type = MON, .mon = V(0x10), .st = ST(INVALID_ALIGNMENT) },
};

static void connect_fixture(struct fx *x)
{
	struct ohv *hv = x->hv;

	REQUIRE_ST(mk_port(hv, T_ROOT, x->a, 1, x->b, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, x->a, 2, x->b, event_info(2, 0, 0, 8)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, x->a, 3, x->b, monitor_info(0x4000)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, x->a, 4, x->b, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, x->a, 5, x->lean, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, x->a, 6, T_ROOT, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, x->a, 8, x->lean, monitor_info(0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, T_ROOT, x->b, 7, x->a, 4, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
}

static void run_connect_rows(enum layout layout)
{
	struct fx x;

	fx_open(&x, NULL);
	struct ohv *hv = x.hv;
	const struct ohv_costs costs = costs_of(hv);

	connect_fixture(&x);
	for (size_t i = 0; i < ARRAY_SIZE(connect_rows); i++) {
		const struct connect_row *r = &connect_rows[i];
		uint64_t caller = sel(&x, r->caller, T_ROOT);
		struct conn_req req = {
			.cp = sel(&x, r->cp, x.b),
			.id = (uint32_t)dflt(r->id, 0x200),
			.pp = sel(&x, r->pp, x.a),
			.port = (uint32_t)dflt(r->port, 1),
			.type = (uint32_t)dflt(r->type, HV_PORT_TYPE_MESSAGE),
			.monitor = dflt(r->mon, 0),
			.vtl = r->vtl,
			.prox = { .domain_id = r->prox_id,
				  .flags = r->prox_flags },
		};
		hv_status_t want = layout == CLASSIC && r->classic ?
				   (hv_status_t)(r->classic - 1) : r->st;
		uint64_t cp = resolve(req.cp, caller);
		uint64_t pp = resolve(req.pp, caller);
		struct t_snap before;

		t_snap_take(hv, &before);
		uint64_t cp0 = want ? 0 : in_use(hv, cp);
		uint64_t pp0 = want ? 0 : in_use(hv, pp);
		hv_status_t got = ohv_result_status(connect_raw(hv, caller,
								layout, &req));

		CHECK_MSG(got == want, "%s connect, %s: got %s, want %s",
			  layout_name[layout], r->what, ohv_status_name(got),
			  ohv_status_name(want));
		if (got == HV_STATUS_SUCCESS) {
			/* spec.md §5.4, 9: costs.connection from the
			 * ConnectionPartition's pool. */
			if (!want) {
				CHECK_EQ(in_use(hv, cp),
					 cp0 + costs.connection);
				CHECK_EQ(in_use(hv, pp), pp0);
			}
			/* The port now has its one connection. */
			struct conn_req again = req;

			again.id = 0x201;
			CHECK_ST(connect_raw(hv, caller, layout, &again),
				 HV_STATUS_INVALID_PORT_ID);
			CHECK_ST(disconnect(hv, caller, req.cp, req.id),
				 HV_STATUS_SUCCESS);
		}
		t_snap_same(hv, &before, r->what);
	}
	t_close(hv);
}

TEST(port_connect_classic_statuses)
{
	run_connect_rows(CLASSIC);
}

TEST(port_connect_modern_statuses)
{
	run_connect_rows(MODERN);
}

/* ---------------------------------------------------------------------- */
/* HvDeletePort (0x0058): seed 004, spec.md §8.                                */

/*
 * Seed 004's rows in its order: the CreatePort privilege (ACCESS_DENIED),
 * "The specified partition identifier is invalid" (INVALID_PARTITION_ID),
 * "Neither of the following is true: the caller is the parent of
 * PortPartition / the caller has CreatePort and names itself"
 * (ACCESS_DENIED), "The specified partition is not in the active state"
 * (INVALID_PARTITION_STATE), "The specified port identifier is invalid"
 * (INVALID_PORT_ID), and SUCCESS.  Ports: a:1, b:1, plain:1 (made by the
 * root) and the root's 0x10.  A row with make gets a fresh port 0x300 in
 * its partition first.
 */
struct delete_row {
	const char *what;
	int caller, pp;		/* S_DEF: root, a */
	uint64_t port;		/* V(): 1, or 0x300 with make */
	bool make;
	hv_status_t st;
};

static const struct delete_row delete_rows[] = {
	{ "SUCCESS: the parent deletes", .make = true, .st = ST(SUCCESS) },
	{ "SUCCESS: the partition deletes its own", .caller = S_A,
	  .pp = S_A, .make = true, .st = ST(SUCCESS) },
	{ "SUCCESS: its own via SELF", .caller = S_A, .pp = S_SELF,
	  .make = true, .st = ST(SUCCESS) },
	{ "SUCCESS: the root its own", .pp = S_ROOT, .make = true,
	  .st = ST(SUCCESS) },
	{ "SUCCESS: the root its own via SELF", .pp = S_SELF, .make = true,
	  .st = ST(SUCCESS) },
	/* Row 1: the privilege (generic step 6). */
	{ "no CreatePort, its own port", .caller = S_PLAIN, .pp = S_PLAIN,
	  .st = ST(ACCESS_DENIED) },
	{ "no CreatePort, its own port via SELF", .caller = S_PLAIN,
	  .pp = S_SELF, .st = ST(ACCESS_DENIED) },
	/* Row 2. */
	{ "PortPartition 0", .pp = S_ZERO, .st = ST(INVALID_PARTITION_ID) },
	{ "PortPartition never issued", .pp = S_NEVER,
	  .st = ST(INVALID_PARTITION_ID) },
	{ "PortPartition deleted", .pp = S_DEAD,
	  .st = ST(INVALID_PARTITION_ID) },
	{ "child names an unknown partition", .caller = S_A, .pp = S_NEVER,
	  .st = ST(INVALID_PARTITION_ID) },
	/* Row 3. */
	{ "root on its grandchild", .pp = S_G, .st = ST(ACCESS_DENIED) },
	{ "child on its sibling's port", .caller = S_A, .pp = S_B,
	  .st = ST(ACCESS_DENIED) },
	{ "child on its parent's port", .caller = S_A, .pp = S_ROOT,
	  .port = V(0x10), .st = ST(ACCESS_DENIED) },
	{ "child on its sibling without CreatePort", .caller = S_A,
	  .pp = S_PLAIN, .st = ST(ACCESS_DENIED) },
	/* Row 4. */
	{ "PortPartition Uninitialized", .pp = S_U,
	  .st = ST(INVALID_PARTITION_STATE) },
	{ "PortPartition Finalized", .pp = S_F,
	  .st = ST(INVALID_PARTITION_STATE) },
	{ "child's own Uninitialized child", .caller = S_A, .pp = S_G,
	  .st = ST(INVALID_PARTITION_STATE) },
	/* Row 5. */
	{ "no such port", .port = V(99), .st = ST(INVALID_PORT_ID) },
	{ "PortId bits 31:24 of port 1", .port = V(0x01000001),
	  .st = ST(INVALID_PORT_ID) },
	{ "PortId 0xFF000001", .port = V(0xFF000001),
	  .st = ST(INVALID_PORT_ID) },
	{ "a port of another partition", .port = V(0x10),
	  .st = ST(INVALID_PORT_ID) },
	{ "child: no such port in itself", .caller = S_A, .pp = S_A,
	  .port = V(0x10), .st = ST(INVALID_PORT_ID) },
	/* Order. */
	{ "no CreatePort + unknown partition", .caller = S_PLAIN,
	  .pp = S_NEVER, .st = ST(ACCESS_DENIED) },
	{ "no CreatePort + sibling", .caller = S_PLAIN, .pp = S_A,
	  .st = ST(ACCESS_DENIED) },
	{ "not parent + Uninitialized (root on grandchild)", .pp = S_G,
	  .port = V(99), .st = ST(ACCESS_DENIED) },
	{ "sibling + no such port", .caller = S_A, .pp = S_B, .port = V(99),
	  .st = ST(ACCESS_DENIED) },
	{ "Uninitialized + no such port", .pp = S_U, .port = V(99),
	  .st = ST(INVALID_PARTITION_STATE) },
	{ "Finalized + PortId bits 31:24", .pp = S_F, .port = V(0x01000001),
	  .st = ST(INVALID_PARTITION_STATE) },
};

TEST(port_delete_seed004_statuses)
{
	struct fx x;

	fx_open(&x, NULL);
	struct ohv *hv = x.hv;
	const struct ohv_costs costs = costs_of(hv);

	REQUIRE_ST(mk_port(hv, T_ROOT, x.a, 1, x.b, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, x.b, 1, x.a, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, x.plain, 1, x.a, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, SELF, 0x10, x.a, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	for (size_t i = 0; i < ARRAY_SIZE(delete_rows); i++) {
		const struct delete_row *r = &delete_rows[i];
		uint64_t caller = sel(&x, r->caller, T_ROOT);
		uint64_t ppid = sel(&x, r->pp, x.a);
		uint64_t pp = resolve(ppid, caller);
		uint32_t port = (uint32_t)dflt(r->port, r->make ? 0x300 : 1);
		struct t_snap before;

		t_snap_take(hv, &before);
		if (r->make)
			REQUIRE_ST(mk_port(hv, T_ROOT, pp, port,
					   pp == x.b ? x.a : x.b,
					   msg_info(2, 0)), HV_STATUS_SUCCESS);
		uint64_t pp0 = r->make ? in_use(hv, pp) : 0;
		hv_status_t got = delete_port(hv, caller, ppid, port);

		CHECK_MSG(got == r->st, "delete, %s: got %s, want %s", r->what,
			  ohv_status_name(got), ohv_status_name(r->st));
		if (r->make && got == HV_STATUS_SUCCESS) {
			/* spec.md §8: the port's pages go back to the pool. */
			CHECK_EQ(in_use(hv, pp), pp0 - costs.port);
			CHECK(!port_exists(hv, pp, port));
			/* Seed 004: later references fail. */
			CHECK_ST(delete_port(hv, caller, ppid, port),
				 HV_STATUS_INVALID_PORT_ID);
		}
		t_snap_same(hv, &before, r->what);
		if (r->make && got != HV_STATUS_SUCCESS)
			REQUIRE_ST(delete_port(hv, T_ROOT, pp, port),
				   HV_STATUS_SUCCESS);
	}
	/* Every fixture port survived the failing rows. */
	CHECK(port_exists(hv, x.a, 1));
	CHECK(port_exists(hv, x.b, 1));
	CHECK(port_exists(hv, x.plain, 1));
	CHECK(port_exists(hv, T_ROOT, 0x10));

	/* Linux issues HvDeletePort fast (facts §8.18): same semantics. */
	struct hv_input_delete_port in = { .port_partition_id = x.a,
					   .port_id = 1 };

	CHECK_ST(t_fast(hv, T_ROOT, HVCALL_DELETE_PORT, &in, sizeof(in), NULL,
			0), HV_STATUS_SUCCESS);
	CHECK(!port_exists(hv, x.a, 1));
	CHECK_ST(t_fast(hv, T_ROOT, HVCALL_DELETE_PORT, &in, sizeof(in), NULL,
			0), HV_STATUS_INVALID_PORT_ID);
	/* The reserved word at offset 12 is ignored (spec.md §3.2). */
	in.port_id = 1;
	in.port_partition_id = x.b;
	in.reserved = 0xFFFFFFFF;
	CHECK_ST(t_mem(hv, T_ROOT, HVCALL_DELETE_PORT, &in, sizeof(in), NULL,
		       0), HV_STATUS_SUCCESS);
	CHECK(!port_exists(hv, x.b, 1));
	t_close(hv);
}

/*
 * Seed 004 remarks, through a connection: "Subsequent references to the
 * port identifier ... will fail" and "subsequent attempts to send
 * messages or signal events through a connection to this port will fail"
 * (spec.md §8: INVALID_PORT_ID).  The connection itself stays (charged to its
 * partition) until disconnected; a new port may reuse the id but the old
 * connection does not lead to it, and the new port takes a new connection.
 */
TEST(port_delete_seed004_remarks)
{
	struct fx x;

	fx_open(&x, NULL);
	struct ohv *hv = x.hv;
	const struct ohv_costs costs = costs_of(hv);

	REQUIRE_ST(mk_port(hv, T_ROOT, x.a, 6, x.b, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, x.a, 7, x.b, event_info(2, 0, 0, 4)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, x.b, x.b, 11, x.a, 6, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, x.b, x.b, 12, x.a, 7, HV_PORT_TYPE_EVENT),
		   HV_STATUS_SUCCESS);
	/* Before: the sends reach the port (a's SynIC is off). */
	CHECK_ST(post(hv, x.b, 11), HV_STATUS_INVALID_SYNIC_STATE);
	CHECK_ST(signal_event(hv, x.b, 12, 0), HV_STATUS_INVALID_SYNIC_STATE);

	uint64_t a0 = in_use(hv, x.a), b0 = in_use(hv, x.b);

	CHECK_ST(delete_port(hv, T_ROOT, x.a, 6), HV_STATUS_SUCCESS);
	CHECK_ST(delete_port(hv, x.a, x.a, 7), HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, x.a), a0 - 2 * costs.port);
	CHECK_EQ(in_use(hv, x.b), b0);		/* connections stay */

	CHECK_ST(post(hv, x.b, 11), HV_STATUS_INVALID_PORT_ID);
	CHECK_ST(signal_event(hv, x.b, 12, 0), HV_STATUS_INVALID_PORT_ID);
	CHECK_ST(get_pprop(hv, T_ROOT, x.a, 6, HV_PORT_PROPERTY_POST_COUNT,
			   NULL), HV_STATUS_INVALID_PORT_ID);
	CHECK_ST(set_pprop(hv, T_ROOT, x.a, 6,
			   HV_PORT_PROPERTY_PREFERRED_TARGET_VP, 0, NULL),
		 HV_STATUS_INVALID_PORT_ID);
	CHECK_ST(delete_port(hv, T_ROOT, x.a, 6), HV_STATUS_INVALID_PORT_ID);
	CHECK_ST(mk_conn(hv, x.b, x.b, 13, x.a, 6, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_INVALID_PORT_ID);
	/* The connection id stays taken until disconnected. */
	CHECK_ST(mk_conn(hv, x.b, x.b, 11, x.a, 7, HV_PORT_TYPE_EVENT),
		 HV_STATUS_INVALID_CONNECTION_ID);

	/* A new port with the old id: the old connection stays dead. */
	CHECK_ST(mk_port(hv, T_ROOT, x.a, 6, x.b, msg_info(2, 0)),
		 HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, x.b, 11), HV_STATUS_INVALID_PORT_ID);
	CHECK_ST(mk_conn(hv, x.b, x.b, 14, x.a, 6, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, x.b, 14), HV_STATUS_INVALID_SYNIC_STATE);
	CHECK_ST(disconnect(hv, x.b, x.b, 11), HV_STATUS_SUCCESS);
	CHECK_ST(disconnect(hv, x.b, SELF, 12), HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, x.b), b0 - costs.connection);
	CHECK_ST(post(hv, x.b, 11), HV_STATUS_INVALID_CONNECTION_ID);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* HvDisconnectPort (0x005B): spec.md §8, facts §3.2.                          */

/*
 * b's connection 7 leads to a's port 4; a row with make gets a fresh
 * connection 0x300 of its ConnectionPartition to a's port 1 first (the
 * root's connection to a's port 6 when the root is the partition).
 */
struct disconnect_row {
	const char *what;
	int caller, cp;		/* S_DEF: root, b */
	uint64_t id;		/* V(): 7, or 0x300 with make */
	bool make;
	uint32_t word;		/* the word at offset 12 */
	hv_status_t st;
};

static const struct disconnect_row disconnect_rows[] = {
	{ "the parent disconnects", .make = true, .st = ST(SUCCESS) },
	{ "the partition itself", .caller = S_B, .cp = S_B, .make = true,
	  .st = ST(SUCCESS) },
	{ "itself via SELF", .caller = S_B, .cp = S_SELF, .make = true,
	  .st = ST(SUCCESS) },
	{ "the root its own", .cp = S_SELF, .make = true, .st = ST(SUCCESS) },
	{ "offset 12 word (Linux is_doorbell) ignored", .make = true,
	  .word = 0xFFFFFFFF, .st = ST(SUCCESS) },
	{ "no ConnectPort", .caller = S_PLAIN, .cp = S_PLAIN,
	  .st = ST(ACCESS_DENIED) },
	{ "ConnectionPartition 0", .cp = S_ZERO,
	  .st = ST(INVALID_PARTITION_ID) },
	{ "ConnectionPartition never issued", .cp = S_NEVER,
	  .st = ST(INVALID_PARTITION_ID) },
	{ "ConnectionPartition deleted", .cp = S_DEAD,
	  .st = ST(INVALID_PARTITION_ID) },
	{ "root on its grandchild", .cp = S_G, .st = ST(ACCESS_DENIED) },
	{ "child on its sibling", .caller = S_A, .cp = S_B,
	  .st = ST(ACCESS_DENIED) },
	{ "child on its parent", .caller = S_B, .cp = S_ROOT,
	  .st = ST(ACCESS_DENIED) },
	{ "Uninitialized", .cp = S_U, .st = ST(INVALID_PARTITION_STATE) },
	{ "Finalized", .cp = S_F, .st = ST(INVALID_PARTITION_STATE) },
	{ "no such connection", .id = V(99),
	  .st = ST(INVALID_CONNECTION_ID) },
	{ "ConnectionId bits 31:24 of 7", .id = V(0x01000007),
	  .st = ST(INVALID_CONNECTION_ID) },
	{ "a connection of another partition", .cp = S_A,
	  .st = ST(INVALID_CONNECTION_ID) },
	{ "no ConnectPort + unknown partition", .caller = S_PLAIN,
	  .cp = S_NEVER, .st = ST(ACCESS_DENIED) },
	{ "sibling + no such connection", .caller = S_A, .cp = S_B,
	  .id = V(99), .st = ST(ACCESS_DENIED) },
	{ "Uninitialized + no such connection", .cp = S_U, .id = V(99),
	  .st = ST(INVALID_PARTITION_STATE) },
};

TEST(port_disconnect_statuses)
{
	struct fx x;

	fx_open(&x, NULL);
	struct ohv *hv = x.hv;
	const struct ohv_costs costs = costs_of(hv);

	REQUIRE_ST(mk_port(hv, T_ROOT, x.a, 1, x.b, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, x.a, 4, x.b, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, x.a, 6, T_ROOT, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, T_ROOT, x.b, 7, x.a, 4, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	for (size_t i = 0; i < ARRAY_SIZE(disconnect_rows); i++) {
		const struct disconnect_row *r = &disconnect_rows[i];
		uint64_t caller = sel(&x, r->caller, T_ROOT);
		uint64_t cpid = sel(&x, r->cp, x.b);
		uint64_t cp = resolve(cpid, caller);
		uint32_t id = (uint32_t)dflt(r->id, r->make ? 0x300 : 7);
		struct t_snap before;

		t_snap_take(hv, &before);
		if (r->make)
			REQUIRE_ST(mk_conn(hv, T_ROOT, cp == T_ROOT ? SELF : cp,
					   id, x.a, cp == T_ROOT ? 6 : 1,
					   HV_PORT_TYPE_MESSAGE),
				   HV_STATUS_SUCCESS);
		uint64_t cp0 = r->make ? in_use(hv, cp) : 0;
		struct hv_input_disconnect_port in = {
			.connection_partition_id = cpid, .connection_id = id,
			.is_doorbell = r->word,
		};
		hv_status_t got = ohv_result_status(t_as(hv, caller,
							 HVCALL_DISCONNECT_PORT,
							 &in, sizeof(in), NULL,
							 0));

		CHECK_MSG(got == r->st, "disconnect, %s: got %s, want %s",
			  r->what, ohv_status_name(got),
			  ohv_status_name(r->st));
		if (r->make && got == HV_STATUS_SUCCESS) {
			CHECK_EQ(in_use(hv, cp), cp0 - costs.connection);
			CHECK_ST(disconnect(hv, caller, cpid, id),
				 HV_STATUS_INVALID_CONNECTION_ID);
		}
		t_snap_same(hv, &before, r->what);
		if (r->make && got != HV_STATUS_SUCCESS)
			REQUIRE_ST(disconnect(hv, T_ROOT,
					      cp == T_ROOT ? SELF : cp, id),
				   HV_STATUS_SUCCESS);
	}
	/* Connection 7 survived; a's port 4 is still taken by it. */
	CHECK_ST(mk_conn(hv, T_ROOT, x.b, 8, x.a, 4, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_INVALID_PORT_ID);
	/* After the disconnect the port may be connected again, with the
	 * same connection id or another. */
	CHECK_ST(disconnect(hv, T_ROOT, x.b, 7), HV_STATUS_SUCCESS);
	CHECK_ST(mk_conn(hv, T_ROOT, x.b, 7, x.a, 4, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_SUCCESS);
	CHECK_ST(disconnect(hv, T_ROOT, x.b, 7), HV_STATUS_SUCCESS);
	CHECK_ST(mk_conn(hv, x.b, SELF, 8, x.a, 4, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_SUCCESS);
	/* The old id is gone for sends (spec.md §8: unknown connection). */
	CHECK_ST(post(hv, x.b, 7), HV_STATUS_INVALID_CONNECTION_ID);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* HvGetPortProperty (0x005A), HvSetPortProperty (0x0070).                 */

/*
 * Codes (facts §4.9): PostCount 0 (read-only here: counted by the
 * hypervisor), PreferredTargetVp 1 (HV_ANY_VP or a VP index below 64).
 * Access as HvDeletePort.  Ports: a:1, plain:1, b:1, root:0x10.
 */
struct prop_row {
	const char *what;
	int caller, pp;		/* S_DEF: root, a */
	uint64_t port;		/* V(): 1 */
	uint32_t code;
	uint64_t value;
	hv_status_t get, set;
};

static const struct prop_row prop_rows[] = {
	{ "PostCount", .code = PC, .value = 0, .get = ST(SUCCESS),
	  .set = ST(PROPERTY_VALUE_OUT_OF_RANGE) },
	{ "PostCount set to 5", .code = PC, .value = 5, .get = ST(SUCCESS),
	  .set = ST(PROPERTY_VALUE_OUT_OF_RANGE) },
	{ "PreferredTargetVp 0", .code = PTV, .value = 0, .get = ST(SUCCESS),
	  .set = ST(SUCCESS) },
	{ "PreferredTargetVp 63", .code = PTV, .value = 63,
	  .get = ST(SUCCESS), .set = ST(SUCCESS) },
	{ "PreferredTargetVp HV_ANY_VP", .code = PTV, .value = HV_ANY_VP,
	  .get = ST(SUCCESS), .set = ST(SUCCESS) },
	{ "PreferredTargetVp 64", .code = PTV, .value = 64,
	  .get = ST(SUCCESS), .set = ST(PROPERTY_VALUE_OUT_OF_RANGE) },
	{ "PreferredTargetVp 0xFFFFFFFE", .code = PTV, .value = 0xFFFFFFFE,
	  .get = ST(SUCCESS), .set = ST(PROPERTY_VALUE_OUT_OF_RANGE) },
	{ "PreferredTargetVp 1 << 32", .code = PTV, .value = 1ull << 32,
	  .get = ST(SUCCESS), .set = ST(PROPERTY_VALUE_OUT_OF_RANGE) },
	{ "PreferredTargetVp 0x1FFFFFFFF", .code = PTV,
	  .value = 0x1FFFFFFFFull, .get = ST(SUCCESS),
	  .set = ST(PROPERTY_VALUE_OUT_OF_RANGE) },
	{ "unknown code 2", .code = 2, .get = ST(UNKNOWN_PROPERTY),
	  .set = ST(UNKNOWN_PROPERTY) },
	{ "unknown code 0x10000", .code = 0x10000,
	  .get = ST(UNKNOWN_PROPERTY), .set = ST(UNKNOWN_PROPERTY) },
	{ "unknown code 0xFFFFFFFF", .code = 0xFFFFFFFF,
	  .get = ST(UNKNOWN_PROPERTY), .set = ST(UNKNOWN_PROPERTY) },
	{ "a on its own port", .caller = S_A, .pp = S_A, .code = PTV,
	  .value = 5, .get = ST(SUCCESS), .set = ST(SUCCESS) },
	{ "a on its own port via SELF", .caller = S_A, .pp = S_SELF,
	  .code = PTV, .value = 5, .get = ST(SUCCESS), .set = ST(SUCCESS) },
	{ "the root on its own port", .pp = S_SELF, .port = V(0x10),
	  .code = PTV, .value = 0, .get = ST(SUCCESS), .set = ST(SUCCESS) },
	{ "no CreatePort", .caller = S_PLAIN, .pp = S_PLAIN, .code = PTV,
	  .get = ST(ACCESS_DENIED), .set = ST(ACCESS_DENIED) },
	{ "PortPartition 0", .pp = S_ZERO, .code = PTV,
	  .get = ST(INVALID_PARTITION_ID), .set = ST(INVALID_PARTITION_ID) },
	{ "PortPartition never issued", .pp = S_NEVER, .code = PTV,
	  .get = ST(INVALID_PARTITION_ID), .set = ST(INVALID_PARTITION_ID) },
	{ "PortPartition deleted", .pp = S_DEAD, .code = PTV,
	  .get = ST(INVALID_PARTITION_ID), .set = ST(INVALID_PARTITION_ID) },
	{ "root on its grandchild", .pp = S_G, .code = PTV,
	  .get = ST(ACCESS_DENIED), .set = ST(ACCESS_DENIED) },
	{ "child on its sibling", .caller = S_A, .pp = S_B, .code = PTV,
	  .get = ST(ACCESS_DENIED), .set = ST(ACCESS_DENIED) },
	{ "child on its parent", .caller = S_A, .pp = S_ROOT,
	  .port = V(0x10), .code = PTV, .get = ST(ACCESS_DENIED),
	  .set = ST(ACCESS_DENIED) },
	{ "Uninitialized", .pp = S_U, .code = PTV,
	  .get = ST(INVALID_PARTITION_STATE),
	  .set = ST(INVALID_PARTITION_STATE) },
	{ "Finalized", .pp = S_F, .code = PTV,
	  .get = ST(INVALID_PARTITION_STATE),
	  .set = ST(INVALID_PARTITION_STATE) },
	{ "no such port", .port = V(99), .code = PTV,
	  .get = ST(INVALID_PORT_ID), .set = ST(INVALID_PORT_ID) },
	{ "PortId bits 31:24 of port 1", .port = V(0x01000001), .code = PTV,
	  .get = ST(INVALID_PORT_ID), .set = ST(INVALID_PORT_ID) },
	/* Order. */
	{ "no CreatePort + unknown partition", .caller = S_PLAIN,
	  .pp = S_NEVER, .code = 2, .get = ST(ACCESS_DENIED),
	  .set = ST(ACCESS_DENIED) },
	{ "Uninitialized + no such port", .pp = S_U, .port = V(99),
	  .code = 2, .get = ST(INVALID_PARTITION_STATE),
	  .set = ST(INVALID_PARTITION_STATE) },
	{ "no such port + unknown code", .port = V(99), .code = 2,
	  .get = ST(INVALID_PORT_ID), .set = ST(INVALID_PORT_ID) },
	{ "no such port + PostCount set", .port = V(99), .code = PC,
	  .get = ST(INVALID_PORT_ID), .set = ST(INVALID_PORT_ID) },
	{ "no such port + value out of range", .port = V(99), .code = PTV,
	  .value = 64, .get = ST(INVALID_PORT_ID),
	  .set = ST(INVALID_PORT_ID) },
};

TEST(port_property_statuses)
{
	struct fx x;

	fx_open(&x, NULL);
	struct ohv *hv = x.hv;

	REQUIRE_ST(mk_port(hv, T_ROOT, x.a, 1, x.b, msg_info(2, HV_ANY_VP)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, x.b, 1, x.a, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, x.plain, 1, x.a, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, SELF, 0x10, x.a, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	for (size_t i = 0; i < ARRAY_SIZE(prop_rows); i++) {
		const struct prop_row *r = &prop_rows[i];
		uint64_t caller = sel(&x, r->caller, T_ROOT);
		uint64_t pp = sel(&x, r->pp, x.a);
		uint32_t port = (uint32_t)dflt(r->port, 1);
		struct t_snap before;
		uint64_t v0 = POISON, v1 = POISON, old = POISON;

		t_snap_take(hv, &before);
		hv_status_t got = get_pprop(hv, caller, pp, port, r->code, &v0);

		CHECK_MSG(got == r->get, "get, %s: got %s, want %s", r->what,
			  ohv_status_name(got), ohv_status_name(r->get));
		got = set_pprop(hv, caller, pp, port, r->code, r->value, &old);
		CHECK_MSG(got == r->set, "set, %s: got %s, want %s", r->what,
			  ohv_status_name(got), ohv_status_name(r->set));
		if (r->get == HV_STATUS_SUCCESS)
			CHECK_ST(get_pprop(hv, caller, pp, port, r->code, &v1),
				 HV_STATUS_SUCCESS);
		if (r->set == HV_STATUS_SUCCESS) {
			/* The output is the value replaced; the new one
			 * reads back; put the old one back. */
			CHECK_EQ(old, v0);
			CHECK_EQ(v1, r->value);
			CHECK_ST(set_pprop(hv, caller, pp, port, r->code, old,
					   &v1), HV_STATUS_SUCCESS);
			CHECK_EQ(v1, r->value);
		} else if (r->get == HV_STATUS_SUCCESS) {
			CHECK_MSG(v1 == v0, "%s: value changed by a failed set",
				  r->what);
		}
		t_snap_same(hv, &before, r->what);
	}
	t_close(hv);
}

/*
 * Property values: a new port's PostCount is 0 and its PreferredTargetVp
 * HV_ANY_VP (no preference); a set returns the value it replaced.  Both
 * properties exist on message, event and monitor ports.
 */
TEST(port_property_values)
{
	struct fx x;

	fx_open(&x, NULL);
	struct ohv *hv = x.hv;
	const struct hv_port_info infos[] = {
		msg_info(3, 0), event_info(3, HV_ANY_VP, 4, 4),
		monitor_info(0x9000),
	};

	for (uint32_t i = 0; i < ARRAY_SIZE(infos); i++) {
		uint64_t v = POISON, old = POISON;

		REQUIRE_ST(mk_port(hv, T_ROOT, x.a, 20 + i, x.b, infos[i]),
			   HV_STATUS_SUCCESS);
		CHECK_ST(get_pprop(hv, T_ROOT, x.a, 20 + i, PC, &v),
			 HV_STATUS_SUCCESS);
		CHECK_EQ(v, 0);
		CHECK_ST(get_pprop(hv, x.a, SELF, 20 + i, PTV, &v),
			 HV_STATUS_SUCCESS);
		CHECK_EQ(v, HV_ANY_VP);
		CHECK_ST(set_pprop(hv, T_ROOT, x.a, 20 + i, PTV, 5, &old),
			 HV_STATUS_SUCCESS);
		CHECK_EQ(old, HV_ANY_VP);
		CHECK_ST(set_pprop(hv, x.a, x.a, 20 + i, PTV, 7, &old),
			 HV_STATUS_SUCCESS);
		CHECK_EQ(old, 5);
		CHECK_ST(set_pprop(hv, T_ROOT, x.a, 20 + i, PTV, 99, &old),
			 HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE);
		CHECK_ST(get_pprop(hv, T_ROOT, x.a, 20 + i, PTV, &v),
			 HV_STATUS_SUCCESS);
		CHECK_EQ(v, 7);
		/* Deleting and re-creating the port starts afresh. */
		CHECK_ST(delete_port(hv, T_ROOT, x.a, 20 + i),
			 HV_STATUS_SUCCESS);
		REQUIRE_ST(mk_port(hv, T_ROOT, x.a, 20 + i, x.b, infos[i]),
			   HV_STATUS_SUCCESS);
		CHECK_ST(get_pprop(hv, T_ROOT, x.a, 20 + i, PTV, &v),
			 HV_STATUS_SUCCESS);
		CHECK_EQ(v, HV_ANY_VP);
	}
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Success effects: pool charges (spec.md §5.4, 9), ids, one connection.       */

/*
 * costs.port pages of the PortPartition's pool and costs.connection of the
 * ConnectionPartition's are in use while the objects live; the caller's
 * pool pays nothing when it is neither; delete, disconnect and finalize
 * give them back.  Run with the default costs, larger ones and zero.
 */
static void pool_charges(const struct ohv_costs *costs)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.costs = *costs;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t a = runnable_mapped(hv, &next, PRIV_FULL);
	uint64_t b = runnable_mapped(hv, &next, PRIV_FULL);
	const uint32_t cp = costs->port, cc = costs->connection;

	/* The root's pool holds only the children's charges: nothing
	 * available, yet it creates ports and connections for them. */
	REQUIRE(t_info(hv, T_ROOT).pool_available == 0);
	struct ohv_partition_info r0 = t_info(hv, T_ROOT);
	struct ohv_partition_info a0 = t_info(hv, a), b0 = t_info(hv, b);

	CHECK_ST(mk_port(hv, T_ROOT, a, 1, b, msg_info(2, 0)),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, a), a0.pool_in_use + cp);
	CHECK_EQ(t_info(hv, a).pool_available, a0.pool_available - cp);
	CHECK_EQ(in_use(hv, b), b0.pool_in_use);
	CHECK_ST(mk_conn(hv, T_ROOT, b, 1, a, 1, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, b), b0.pool_in_use + cc);
	CHECK_EQ(t_info(hv, b).pool_available, b0.pool_available - cc);
	CHECK_EQ(in_use(hv, a), a0.pool_in_use + cp);
	CHECK_EQ(in_use(hv, T_ROOT), r0.pool_in_use);
	CHECK_EQ(t_info(hv, T_ROOT).pool_available, 0);

	/* A child does the same for itself. */
	CHECK_ST(mk_port(hv, b, b, 2, a, event_info(1, 0, 0, 1)),
		 HV_STATUS_SUCCESS);
	CHECK_ST(mk_conn(hv, a, SELF, 2, b, 2, HV_PORT_TYPE_EVENT),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, a), a0.pool_in_use + cp + cc);
	CHECK_EQ(in_use(hv, b), b0.pool_in_use + cp + cc);

	/* A port in the root, for a's connection. */
	t_fund(hv, SELF, &next, cp + 1);
	CHECK_ST(mk_port(hv, T_ROOT, SELF, 3, a, msg_info(2, 0)),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, T_ROOT), r0.pool_in_use + cp);
	CHECK_ST(mk_conn(hv, a, a, 3, T_ROOT, 3, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, a), a0.pool_in_use + cp + 2 * cc);

	/* Disconnect: b's pages back; the port may be connected again. */
	CHECK_ST(disconnect(hv, T_ROOT, b, 1), HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, b), b0.pool_in_use + cp);
	CHECK_ST(mk_conn(hv, b, b, 1, a, 1, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, b), b0.pool_in_use + cp + cc);
	/* Delete: a's pages back, b's connection still charged. */
	CHECK_ST(delete_port(hv, a, a, 1), HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, a), a0.pool_in_use + 2 * cc);
	CHECK_EQ(in_use(hv, b), b0.pool_in_use + cp + cc);
	CHECK_ST(disconnect(hv, b, b, 1), HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, b), b0.pool_in_use + cp);

	/* Finalize a (spec.md §4.4): all of a's pages are available; b keeps
	 * its port 2 and its connection 1 (to a's dead port 1), the root
	 * its port 3. */
	CHECK_ST(mk_port(hv, T_ROOT, a, 1, b, msg_info(2, 0)),
		 HV_STATUS_SUCCESS);
	CHECK_ST(mk_conn(hv, T_ROOT, b, 1, a, 1, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_SUCCESS);
	REQUIRE_ST(t_finalize(hv, a), HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, a), 0);
	CHECK_EQ(in_use(hv, b), b0.pool_in_use + cp + cc);
	/* b's connection 1 leads nowhere now; b's port 2 lost its
	 * connection, but only a (Finalized) may connect it. */
	CHECK_ST(post(hv, b, 1), HV_STATUS_INVALID_PORT_ID);
	CHECK_ST(mk_conn(hv, T_ROOT, a, 9, b, 2, HV_PORT_TYPE_EVENT),
		 HV_STATUS_INVALID_PARTITION_STATE);
	CHECK_ST(disconnect(hv, b, b, 1), HV_STATUS_SUCCESS);
	CHECK_ST(delete_port(hv, b, b, 2), HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, b), b0.pool_in_use);
	CHECK_ST(delete_port(hv, T_ROOT, T_ROOT, 3), HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, T_ROOT), r0.pool_in_use);

	t_destroy_child(hv, a);
	t_destroy_child(hv, b);
	uint64_t avail, used;

	CHECK_ST(t_balance(hv, SELF, &avail, &used), HV_STATUS_SUCCESS);
	CHECK_EQ(used, 0);
	t_close(hv);
}

TEST(port_pool_charges_default_costs)
{
	struct ohv_config cfg;

	t_config(&cfg);
	CHECK_EQ(cfg.costs.port, 2);
	CHECK_EQ(cfg.costs.connection, 1);
	pool_charges(&cfg.costs);
}

TEST(port_pool_charges_other_costs)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.costs.port = 5;
	cfg.costs.connection = 3;
	pool_charges(&cfg.costs);
	cfg.costs.port = 0;
	cfg.costs.connection = 0;
	pool_charges(&cfg.costs);
}

/*
 * INSUFFICIENT_MEMORY exactly at the cost (spec.md §5.4, 9): a PortPartition
 * with costs.port - 1 available pages, a ConnectionPartition with
 * costs.connection - 1; one more page and the call succeeds.  With cost 0
 * an empty pool is enough.
 */
static void exact_costs(uint32_t port_cost, uint32_t conn_cost)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.costs.port = port_cost;
	cfg.costs.connection = conn_cost;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t p = t_active_child(hv, &next);
	uint64_t c = t_active_child(hv, &next);
	struct t_snap before;

	if (port_cost > 1)
		t_fund(hv, p, &next, port_cost - 1);
	if (conn_cost > 1)
		t_fund(hv, c, &next, conn_cost - 1);
	if (port_cost) {
		t_snap_take(hv, &before);
		CHECK_ST(mk_port(hv, T_ROOT, p, 1, c, msg_info(1, HV_ANY_VP)),
			 HV_STATUS_INSUFFICIENT_MEMORY);
		t_snap_same(hv, &before, "port pool short by one");
		t_fund(hv, p, &next, 1);
	}
	CHECK_ST(mk_port(hv, T_ROOT, p, 1, c, msg_info(1, HV_ANY_VP)),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(t_info(hv, p).pool_available, 0);
	if (conn_cost) {
		t_snap_take(hv, &before);
		CHECK_ST(mk_conn(hv, T_ROOT, c, 1, p, 1, HV_PORT_TYPE_MESSAGE),
			 HV_STATUS_INSUFFICIENT_MEMORY);
		t_snap_same(hv, &before, "connection pool short by one");
		t_fund(hv, c, &next, 1);
	}
	CHECK_ST(mk_conn(hv, T_ROOT, c, 1, p, 1, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(t_info(hv, c).pool_available, 0);
	t_destroy_child(hv, p);
	t_destroy_child(hv, c);
	t_close(hv);
}

TEST(port_insufficient_memory_at_cost)
{
	exact_costs(2, 1);
	exact_costs(5, 3);
	exact_costs(0, 0);
	exact_costs(1, 4);
}

/*
 * NO_RESOURCES (facts §3.2 create/connect; openhv.h: host refusal
 * changes nothing): ohv_debug_fail_alloc(1) right before the call, for
 * the first port / connection of a partition (its id table is made) and
 * a later one; then the 1st, 2nd, ... allocation in turn until the call
 * goes through.  Every failure leaves the machine and the id untouched.
 * A pool short of the cost says INSUFFICIENT_MEMORY before the host is
 * asked, and an id in use INVALID_PORT_ID.
 */
static uint64_t root_call_failing(struct ohv *hv, uint64_t nth, uint16_t code,
				  const void *in, size_t len)
{
	uint8_t *ip = ohv_gpa(hv, T_ROOT, T_IN_PAGE << 12, HV_PAGE_SIZE);
	struct ohv_hvcall call = { .control = code };

	REQUIRE(ip);
	memset(ip, 0, HV_PAGE_SIZE);
	memcpy(ip, in, len);
	call.fast[0] = T_IN_PAGE << 12;
	call.fast[1] = T_OUT_PAGE << 12;
	/* Armed around this one call only: the checker allocates too. */
	ohv_debug_fail_alloc(nth);
	uint64_t r = ohv_hypercall(hv, T_ROOT, 0, &call);

	ohv_debug_fail_alloc(0);
	CHECK_INVARIANTS(hv);
	return r;
}

static void create_failing(struct ohv *hv, enum layout layout, uint64_t pp,
			   uint32_t id, uint64_t cp)
{
	const struct hv_port_info pi = msg_info(1, HV_ANY_VP);
	struct hv_input_create_port_classic ci = {
		.port_partition_id = pp, .port_id = id,
		.connection_partition_id = cp, .port_info = pi,
	};
	struct hv_input_create_port mi = {
		.port_partition_id = pp, .port_id = id,
		.connection_partition_id = cp, .port_info = pi,
	};
	const void *in = layout == CLASSIC ? (const void *)&ci :
					     (const void *)&mi;
	size_t len = layout == CLASSIC ? sizeof(ci) : sizeof(mi);
	uint16_t code = layout == CLASSIC ? HVCALL_CREATE_PORT_CLASSIC :
					    HVCALL_CREATE_PORT;
	struct t_snap before;
	hv_status_t st = HV_STATUS_NO_RESOURCES;
	uint64_t nth;

	for (nth = 1; nth <= 16 && st == HV_STATUS_NO_RESOURCES; nth++) {
		t_snap_take(hv, &before);
		st = ohv_result_status(root_call_failing(hv, nth, code, in,
							 len));
		if (st == HV_STATUS_NO_RESOURCES) {
			t_snap_same(hv, &before, "create port, host refused");
			CHECK(!port_exists(hv, pp, id));
		}
		/* The brief's case: the very first allocation fails. */
		if (nth == 1)
			CHECK_MSG(st == HV_STATUS_NO_RESOURCES,
				  "%s create, fail_alloc(1): %s",
				  layout_name[layout], ohv_status_name(st));
	}
	CHECK_ST(st, HV_STATUS_SUCCESS);
	CHECK(port_exists(hv, pp, id));
}

static void connect_failing(struct ohv *hv, enum layout layout, uint64_t cp,
			    uint32_t id, uint64_t pp, uint32_t port)
{
	struct hv_input_connect_port_classic ci = {
		.connection_partition_id = cp, .connection_id = id,
		.port_partition_id = pp, .port_id = port,
		.connection_info = { .port_type = HV_PORT_TYPE_MESSAGE },
	};
	struct hv_input_connect_port mi = {
		.connection_partition_id = cp, .connection_id = id,
		.port_partition_id = pp, .port_id = port,
		.connection_info = { .port_type = HV_PORT_TYPE_MESSAGE },
	};
	const void *in = layout == CLASSIC ? (const void *)&ci :
					     (const void *)&mi;
	size_t len = layout == CLASSIC ? sizeof(ci) : sizeof(mi);
	uint16_t code = layout == CLASSIC ? HVCALL_CONNECT_PORT_CLASSIC :
					    HVCALL_CONNECT_PORT;
	struct t_snap before;
	hv_status_t st = HV_STATUS_NO_RESOURCES;

	for (uint64_t nth = 1; nth <= 16 && st == HV_STATUS_NO_RESOURCES;
	     nth++) {
		t_snap_take(hv, &before);
		st = ohv_result_status(root_call_failing(hv, nth, code, in,
							 len));
		if (st == HV_STATUS_NO_RESOURCES) {
			t_snap_same(hv, &before, "connect, host refused");
			/* Neither the id nor the port was taken. */
			CHECK_ST(disconnect(hv, T_ROOT, cp, id),
				 HV_STATUS_INVALID_CONNECTION_ID);
		}
		if (nth == 1)
			CHECK_MSG(st == HV_STATUS_NO_RESOURCES,
				  "%s connect, fail_alloc(1): %s",
				  layout_name[layout], ohv_status_name(st));
	}
	CHECK_ST(st, HV_STATUS_SUCCESS);
	/* Connected: a second connection finds the port taken. */
	CHECK_ST(mk_conn(hv, T_ROOT, cp, id + 1000, pp, port,
			 HV_PORT_TYPE_MESSAGE), HV_STATUS_INVALID_PORT_ID);
}

TEST(port_no_resources)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t a = t_runnable_child(hv, &next, 0);
	uint64_t b = t_runnable_child(hv, &next, 0);
	uint64_t c = t_runnable_child(hv, &next, 0);

	/* First port of a (its table too), then later ones. */
	create_failing(hv, CLASSIC, a, 1, b);
	create_failing(hv, MODERN, a, 2, b);
	create_failing(hv, MODERN, b, 1, a);
	create_failing(hv, CLASSIC, b, 2, c);
	/* First connection of b, then later ones. */
	connect_failing(hv, MODERN, b, 1, a, 1);
	connect_failing(hv, CLASSIC, b, 2, a, 2);
	connect_failing(hv, CLASSIC, a, 1, b, 1);
	connect_failing(hv, MODERN, c, 1, b, 2);

	/* The call's own checks come before the host is asked. */
	uint64_t lean = t_active_child(hv, &next);
	struct hv_input_create_port mi = {
		.port_partition_id = lean, .port_id = 1,
		.connection_partition_id = a,
		.port_info = msg_info(1, HV_ANY_VP),
	};

	CHECK_ST(root_call_failing(hv, 1, HVCALL_CREATE_PORT, &mi, sizeof(mi)),
		 HV_STATUS_INSUFFICIENT_MEMORY);
	mi.port_partition_id = a;
	mi.connection_partition_id = b;
	CHECK_ST(root_call_failing(hv, 1, HVCALL_CREATE_PORT, &mi, sizeof(mi)),
		 HV_STATUS_INVALID_PORT_ID);
	REQUIRE_ST(mk_port(hv, T_ROOT, a, 3, lean, msg_info(1, HV_ANY_VP)),
		   HV_STATUS_SUCCESS);
	struct hv_input_connect_port ci = {
		.connection_partition_id = lean, .connection_id = 1,
		.port_partition_id = a, .port_id = 3,
		.connection_info = { .port_type = HV_PORT_TYPE_MESSAGE },
	};

	CHECK_ST(root_call_failing(hv, 1, HVCALL_CONNECT_PORT, &ci, sizeof(ci)),
		 HV_STATUS_INSUFFICIENT_MEMORY);
	t_close(hv);
}

/*
 * Ids (spec.md §8, seed 004): a deleted port's id, a disconnected
 * connection's id may be used again; the same ids live independently in
 * different partitions.  One connection per port (TLFS 2.0 §14.9.3, facts
 * §8.16): a second one -> INVALID_PORT_ID even from the named partition;
 * another partition -> INVALID_PARTITION_ID (spec.md §8).
 */
TEST(port_ids_and_single_connection)
{
	struct fx x;

	fx_open(&x, NULL);
	struct ohv *hv = x.hv;

	for (int round = 0; round < 3; round++) {
		CHECK_ST(mk_port(hv, T_ROOT, x.a, 5, x.b, msg_info(2, 0)),
			 HV_STATUS_SUCCESS);
		CHECK_ST(mk_port(hv, T_ROOT, x.a, 5, x.b, msg_info(2, 0)),
			 HV_STATUS_INVALID_PORT_ID);
		CHECK_ST(mk_conn(hv, x.b, x.b, 9, x.a, 5, HV_PORT_TYPE_MESSAGE),
			 HV_STATUS_SUCCESS);
		CHECK_ST(mk_conn(hv, x.b, x.b, 10, x.a, 5,
				 HV_PORT_TYPE_MESSAGE),
			 HV_STATUS_INVALID_PORT_ID);
		CHECK_ST(mk_conn(hv, T_ROOT, SELF, 10, x.a, 5,
				 HV_PORT_TYPE_MESSAGE),
			 HV_STATUS_INVALID_PARTITION_ID);
		CHECK_ST(mk_conn(hv, T_ROOT, x.plain, 10, x.a, 5,
				 HV_PORT_TYPE_MESSAGE),
			 HV_STATUS_INVALID_PARTITION_ID);
		CHECK_ST(disconnect(hv, x.b, x.b, 9), HV_STATUS_SUCCESS);
		/* Only the named partition, even while the port is free. */
		CHECK_ST(mk_conn(hv, T_ROOT, x.plain, 10, x.a, 5,
				 HV_PORT_TYPE_MESSAGE),
			 HV_STATUS_INVALID_PARTITION_ID);
		CHECK_ST(mk_conn(hv, x.b, x.b, 10, x.a, 5,
				 HV_PORT_TYPE_MESSAGE), HV_STATUS_SUCCESS);
		CHECK_ST(disconnect(hv, x.b, x.b, 10), HV_STATUS_SUCCESS);
		CHECK_ST(delete_port(hv, x.a, x.a, 5), HV_STATUS_SUCCESS);
	}
	/* The same ids in two partitions. */
	CHECK_ST(mk_port(hv, T_ROOT, x.a, 5, x.b, msg_info(2, 0)),
		 HV_STATUS_SUCCESS);
	CHECK_ST(mk_port(hv, T_ROOT, x.b, 5, x.a, msg_info(2, 0)),
		 HV_STATUS_SUCCESS);
	CHECK_ST(mk_conn(hv, T_ROOT, x.b, 5, x.a, 5, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_SUCCESS);
	CHECK_ST(mk_conn(hv, T_ROOT, x.a, 5, x.b, 5, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_SUCCESS);
	CHECK_ST(delete_port(hv, T_ROOT, x.a, 5), HV_STATUS_SUCCESS);
	CHECK(port_exists(hv, x.b, 5));
	CHECK_ST(disconnect(hv, T_ROOT, x.a, 5), HV_STATUS_SUCCESS);
	CHECK_ST(disconnect(hv, T_ROOT, x.b, 5), HV_STATUS_SUCCESS);
	CHECK_ST(disconnect(hv, T_ROOT, x.b, 5),
		 HV_STATUS_INVALID_CONNECTION_ID);
	/* Many ports: ids stay distinct through the table's growth and
	 * deletes in the middle. */
	t_fund(hv, x.b, &x.next, 40 * costs_of(hv).port);
	for (uint32_t i = 0; i < 40; i++)
		CHECK_ST(mk_port(hv, T_ROOT, x.b, 100 + i, x.a,
				 event_info(1, 0, (uint16_t)i, 1)),
			 HV_STATUS_SUCCESS);
	for (uint32_t i = 0; i < 40; i += 3)
		CHECK_ST(delete_port(hv, T_ROOT, x.b, 100 + i),
			 HV_STATUS_SUCCESS);
	for (uint32_t i = 0; i < 40; i++)
		CHECK_MSG(port_exists(hv, x.b, 100 + i) == (i % 3 != 0),
			  "port %u", 100 + i);
	t_close(hv);
}

/*
 * Reserved and padding fields are ignored (spec.md §3.2: only fields spec.md
 * calls "must be zero" are checked; for ports that is the modern VTL
 * fields).  Facts §3.2 lists INVALID_PARAMETER for non-zero reserved
 * fields of HvCreatePort; spec.md wins.  All ones in every reserved byte of
 * create (both layouts), connect (both layouts), disconnect, delete and
 * the property calls: each call succeeds as if they were zero.
 */
TEST(port_reserved_fields_ignored)
{
	struct fx x;

	fx_open(&x, NULL);
	struct ohv *hv = x.hv;
	struct hv_port_info mi = msg_info(2, 0), ei = event_info(2, 0, 0, 8);
	struct hv_port_info oi = monitor_info(0x6000);

	mi.padding = ei.padding = oi.padding = 0xFFFFFFFF;
	mi.message_port_info.rsvdz = ~0ull;
	ei.event_port_info.rsvdz = 0xFFFFFFFF;
	oi.monitor_port_info.rsvdz = ~0ull;
	struct hv_input_create_port_classic cc = {
		.port_partition_id = x.a, .port_id = 1, .padding = 0xFFFFFFFF,
		.connection_partition_id = x.b, .port_info = mi,
	};
	struct hv_input_create_port mc = {
		.port_partition_id = x.a, .port_id = 2, .padding = 0xFFFF,
		.connection_partition_id = x.b, .port_info = ei,
	};

	CHECK_ST(t_mem(hv, T_ROOT, HVCALL_CREATE_PORT_CLASSIC, &cc, sizeof(cc),
		       NULL, 0), HV_STATUS_SUCCESS);
	CHECK_ST(t_mem(hv, T_ROOT, HVCALL_CREATE_PORT, &mc, sizeof(mc), NULL,
		       0), HV_STATUS_SUCCESS);
	mc.port_id = 3;
	mc.port_info = oi;
	CHECK_ST(t_fast(hv, x.a, HVCALL_CREATE_PORT, &mc, sizeof(mc), NULL, 0),
		 HV_STATUS_SUCCESS);

	struct hv_input_connect_port_classic kc = {
		.connection_partition_id = x.b, .connection_id = 1,
		.padding1 = 0xFFFFFFFF, .port_partition_id = x.a, .port_id = 1,
		.padding2 = 0xFFFFFFFF,
		.connection_info = { .port_type = HV_PORT_TYPE_MESSAGE,
				     .padding = 0xFFFFFFFF },
	};
	struct hv_input_connect_port km = {
		.connection_partition_id = x.b, .connection_id = 2,
		.rsvdz0 = 0xFF, .rsvdz1 = 0xFFFF, .port_partition_id = x.a,
		.port_id = 2, .reserved2 = 0xFFFFFFFF,
		.connection_info = { .port_type = HV_PORT_TYPE_EVENT,
				     .padding = 0xFFFFFFFF },
	};

	kc.connection_info.rsvdz = ~0ull;
	km.connection_info.doorbell_connection_info.gpa = ~0ull;
	km.connection_info.doorbell_connection_info.trigger_value = ~0ull;
	km.connection_info.doorbell_connection_info.flags = ~0ull;
	CHECK_ST(t_mem(hv, T_ROOT, HVCALL_CONNECT_PORT_CLASSIC, &kc, sizeof(kc),
		       NULL, 0), HV_STATUS_SUCCESS);
	CHECK_ST(t_fast(hv, x.b, HVCALL_CONNECT_PORT, &km, sizeof(km), NULL, 0),
		 HV_STATUS_SUCCESS);

	struct hv_input_get_port_property gp = {
		.port_partition_id = x.a, .port_id = 3, .padding1 = 0xFFFFFFFF,
		.property_code = PTV, .padding2 = 0xFFFFFFFF,
	};
	struct hv_input_set_port_property sp = {
		.port_partition_id = x.a, .port_id = 3, .padding1 = 0xFFFFFFFF,
		.property_code = PTV, .padding2 = 0xFFFFFFFF,
		.property_value = 4,
	};
	uint64_t out = 0;

	CHECK_ST(t_mem(hv, T_ROOT, HVCALL_SET_PORT_PROPERTY, &sp, sizeof(sp),
		       &out, sizeof(out)), HV_STATUS_SUCCESS);
	CHECK_EQ(out, HV_ANY_VP);
	CHECK_ST(t_mem(hv, T_ROOT, HVCALL_GET_PORT_PROPERTY, &gp, sizeof(gp),
		       &out, sizeof(out)), HV_STATUS_SUCCESS);
	CHECK_EQ(out, 4);

	struct hv_input_disconnect_port dc = {
		.connection_partition_id = x.b, .connection_id = 1,
		.is_doorbell = 0xFFFFFFFF,
	};
	struct hv_input_delete_port dp = {
		.port_partition_id = x.a, .port_id = 1, .reserved = 0xFFFFFFFF,
	};

	CHECK_ST(t_mem(hv, T_ROOT, HVCALL_DISCONNECT_PORT, &dc, sizeof(dc),
		       NULL, 0), HV_STATUS_SUCCESS);
	CHECK_ST(t_mem(hv, T_ROOT, HVCALL_DELETE_PORT, &dp, sizeof(dp), NULL,
		       0), HV_STATUS_SUCCESS);
	CHECK(!port_exists(hv, x.a, 1));
	CHECK(port_exists(hv, x.a, 2));
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Children manage ports themselves (spec.md §8 "Access").                     */

/*
 * A runnable child c with CreatePort, ConnectPort, CreatePartitions and
 * AccessMemoryPool creates a grandchild g, funds it with frames the root
 * handed c exclusively (spec.md §5.1, 6), initializes it, and then creates
 * ports in itself and in g and connects both ways: each charge lands in
 * the right pool.  The root cannot act on g's ports (not its parent); c
 * cannot act on its sibling's ports or connections; the sibling cannot
 * act on c's.
 */
TEST(port_children_manage_ports)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	const struct ohv_costs costs = costs_of(hv);
	uint64_t c = runnable_mapped(hv, &next, PRIV_FULL);
	uint64_t s = runnable_mapped(hv, &next, PRIV_FULL);
	uint64_t g = child_creates(hv, c);
	const uint32_t n = costs.initialize + costs.port + costs.connection + 1;
	const uint64_t frames = next;

	/* The frames go to c at GPA page 0x100 with full rights; the root
	 * gives up its own access, so they are c's alone. */
	REQUIRE(n <= 64);
	REQUIRE_ST(map_as(hv, T_ROOT, c, 0x100, frames, n,
			  HV_MAP_GPA_PERMISSIONS_MASK), HV_STATUS_SUCCESS);
	uint64_t ident[3 + 64];
	struct hv_input_map_gpa_pages *mi = (void *)ident;

	mi->target_partition_id = SELF;
	mi->target_gpa_base = frames;
	mi->map_flags = 0;
	mi->padding = 0;
	for (uint32_t i = 0; i < n; i++)
		mi->source_gpa_page_list[i] = frames + i;
	REQUIRE_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, n, 0),
			 ident, 24 + 8 * (size_t)n, NULL, 0),
		   HV_STATUS_SUCCESS);
	next += n;
	uint64_t dep[1 + 64];

	dep[0] = g;
	for (uint32_t i = 0; i < n; i++)
		dep[1 + i] = 0x100 + i;
	REQUIRE_ST(t_mem(hv, c, ohv_control(HVCALL_DEPOSIT_MEMORY, 0, n, 0),
			 dep, 8 * (size_t)(n + 1), NULL, 0), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_fast(hv, c, HVCALL_INITIALIZE_PARTITION, &g, sizeof(g),
			  NULL, 0), HV_STATUS_SUCCESS);
	CHECK_EQ(t_info(hv, g).pool_available,
		 costs.port + costs.connection + 1);

	uint64_t c0 = in_use(hv, c), g0 = in_use(hv, g);
	uint64_t r0 = in_use(hv, T_ROOT);

	/* c: a port in itself for g, a port in g for itself. */
	CHECK_ST(mk_port(hv, c, SELF, 1, g, msg_info(2, 0)), HV_STATUS_SUCCESS);
	CHECK_ST(mk_port(hv, c, g, 2, c, event_info(3, HV_ANY_VP, 0, 16)),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, c), c0 + costs.port);
	CHECK_EQ(in_use(hv, g), g0 + costs.port);
	/* c connects itself to g's port and g to its own port. */
	CHECK_ST(mk_conn(hv, c, c, 1, g, 2, HV_PORT_TYPE_EVENT),
		 HV_STATUS_SUCCESS);
	CHECK_ST(mk_conn(hv, c, g, 1, c, 1, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, c), c0 + costs.port + costs.connection);
	CHECK_EQ(in_use(hv, g), g0 + costs.port + costs.connection);
	CHECK_EQ(in_use(hv, T_ROOT), r0);
	uint64_t v = POISON;

	CHECK_ST(set_pprop(hv, c, g, 2, PTV, 3, &v), HV_STATUS_SUCCESS);
	CHECK_EQ(v, HV_ANY_VP);

	/* The root is not g's parent. */
	struct t_snap before;

	t_snap_take(hv, &before);
	CHECK_ST(mk_port(hv, T_ROOT, g, 3, c, msg_info(2, HV_ANY_VP)),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_ST(delete_port(hv, T_ROOT, g, 2), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(get_pprop(hv, T_ROOT, g, 2, PC, NULL),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_ST(mk_conn(hv, T_ROOT, g, 2, c, 1, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_ST(disconnect(hv, T_ROOT, g, 1), HV_STATUS_ACCESS_DENIED);
	t_snap_same(hv, &before, "root on grandchild");

	/* c and its sibling s on each other's objects. */
	REQUIRE_ST(mk_port(hv, T_ROOT, s, 1, c, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	/* The root's own port is paid by the root's pool (empty so far). */
	CHECK_ST(mk_port(hv, T_ROOT, T_ROOT, 7, s, msg_info(2, 0)),
		 HV_STATUS_INSUFFICIENT_MEMORY);
	t_fund(hv, SELF, &next, costs.port);
	REQUIRE_ST(mk_port(hv, T_ROOT, T_ROOT, 7, s, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, T_ROOT, s, 1, T_ROOT, 7, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	t_snap_take(hv, &before);
	CHECK_ST(mk_port(hv, c, s, 2, c, msg_info(2, 0)),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_ST(delete_port(hv, c, s, 1), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(get_pprop(hv, c, s, 1, PC, NULL), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(set_pprop(hv, c, s, 1, PTV, 0, NULL), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(mk_conn(hv, c, s, 2, c, 1, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_ST(disconnect(hv, c, s, 1), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(delete_port(hv, s, c, 1), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(disconnect(hv, s, c, 1), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(delete_port(hv, s, g, 2), HV_STATUS_ACCESS_DENIED);
	t_snap_same(hv, &before, "sibling access");

	/* c takes it all down again. */
	CHECK_ST(disconnect(hv, c, g, 1), HV_STATUS_SUCCESS);
	CHECK_ST(delete_port(hv, c, g, 2), HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, g), g0);
	CHECK_ST(disconnect(hv, c, SELF, 1), HV_STATUS_SUCCESS);
	CHECK_ST(delete_port(hv, c, c, 1), HV_STATUS_SUCCESS);
	CHECK_EQ(in_use(hv, c), c0);

	/* Teardown: c finalizes, drains and deletes g; the frames return
	 * to c's GPA space and the root takes its rights back. */
	REQUIRE_ST(t_fast(hv, c, HVCALL_FINALIZE_PARTITION, &g, sizeof(g),
			  NULL, 0), HV_STATUS_SUCCESS);
	struct hv_input_withdraw_memory win = { .partition_id = g };
	uint64_t out[64];

	REQUIRE_ST(t_mem(hv, c, ohv_control(HVCALL_WITHDRAW_MEMORY, 0, n, 0),
			 &win, sizeof(win), out, sizeof(out[0]) * n),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(t_fast(hv, c, HVCALL_DELETE_PARTITION, &g, sizeof(g), NULL,
			  0), HV_STATUS_SUCCESS);
	mi->map_flags = HV_MAP_GPA_PERMISSIONS_MASK;
	REQUIRE_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, n, 0),
			 ident, 24 + 8 * (size_t)n, NULL, 0),
		   HV_STATUS_SUCCESS);
	CHECK_ST(delete_port(hv, T_ROOT, T_ROOT, 7), HV_STATUS_SUCCESS);
	t_destroy_child(hv, c);
	t_destroy_child(hv, s);
	uint64_t avail, used;

	CHECK_ST(t_balance(hv, SELF, &avail, &used), HV_STATUS_SUCCESS);
	CHECK_EQ(used, 0);
	t_close(hv);
}
