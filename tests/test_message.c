/* SPDX-License-Identifier: MIT */
/*
 * Messages and events through ports (spec.md §8, 9; seed 004 remarks; facts
 * §3.2 0x005C/0x005D, §4.10, §5.5): every status of HvPostMessage and
 * HvSignalEvent under its condition and in check order; the SIM slot byte
 * for byte; MessagePending and EOM; the 16 buffers of a port; masked
 * SINTs; HV_ANY_VP; event edges; the root as sender and receiver; what
 * HvDeletePort, HvFinalizePartition and HvDeleteVp do to queued messages;
 * PostCount; and a multi-threaded stress that must conserve every message.
 *
 * A receiving child has root pages mapped RW at its GPA pages 0-31; VP v
 * has its SIM at GPA page 8 + v and its SIEF at 16 + v.  Senders have
 * pages 0-3 mapped and post memory-based (a post is 256 bytes, too big for
 * the fast registers); everyone signals fast.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>

#include "t.h"

#define SELF		HV_PARTITION_ID_SELF
#define POISON		0xA5A5A5A5A5A5A5A5ull
#define RW		(HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE)
#define RX_PAGES	32u
#define SIM(v)		(8u + (v))
#define SIEF(v)		(16u + (v))

#define PRIV_RX		(OHV_CHILD_PRIVILEGES | \
			 HV_PARTITION_PRIV_ACCESS_VP_REGISTERS)
#define PRIV_TX		(OHV_CHILD_PRIVILEGES | \
			 HV_PARTITION_PRIV_POST_MESSAGES | \
			 HV_PARTITION_PRIV_SIGNAL_EVENTS)

#define PC		HV_PORT_PROPERTY_POST_COUNT
#define PTV		HV_PORT_PROPERTY_PREFERRED_TARGET_VP

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

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

/* Port and connection calls by the root (memory-based, modern layout). */
static hv_status_t mk_port(struct ohv *hv, uint64_t pp, uint32_t id,
			   uint64_t cp, struct hv_port_info info)
{
	struct hv_input_create_port in = {
		.port_partition_id = pp, .port_id = id,
		.connection_partition_id = cp, .port_info = info,
	};

	return ohv_result_status(t_mem(hv, T_ROOT, HVCALL_CREATE_PORT, &in,
				       sizeof(in), NULL, 0));
}

static hv_status_t mk_conn(struct ohv *hv, uint64_t cp, uint32_t id,
			   uint64_t pp, uint32_t port, uint32_t type)
{
	struct hv_input_connect_port in = {
		.connection_partition_id = cp, .connection_id = id,
		.port_partition_id = pp, .port_id = port,
		.connection_info = { .port_type = type },
	};

	return ohv_result_status(t_mem(hv, T_ROOT, HVCALL_CONNECT_PORT, &in,
				       sizeof(in), NULL, 0));
}

static hv_status_t delete_port(struct ohv *hv, uint64_t pp, uint32_t id)
{
	struct hv_input_delete_port in = {
		.port_partition_id = pp, .port_id = id,
	};

	return ohv_result_status(t_mem(hv, T_ROOT, HVCALL_DELETE_PORT, &in,
				       sizeof(in), NULL, 0));
}

static hv_status_t disconnect(struct ohv *hv, uint64_t cp, uint32_t id)
{
	struct hv_input_disconnect_port in = {
		.connection_partition_id = cp, .connection_id = id,
	};

	return ohv_result_status(t_mem(hv, T_ROOT, HVCALL_DISCONNECT_PORT, &in,
				       sizeof(in), NULL, 0));
}

/* A port property read by the root (REQUIREs success). */
static uint64_t pprop(struct ohv *hv, uint64_t pp, uint32_t port,
		      uint32_t code)
{
	struct hv_input_get_port_property in = {
		.port_partition_id = pp, .port_id = port, .property_code = code,
	};
	uint64_t out = POISON;

	REQUIRE_ST(t_mem(hv, T_ROOT, HVCALL_GET_PORT_PROPERTY, &in, sizeof(in),
			 &out, sizeof(out)), HV_STATUS_SUCCESS);
	return out;
}

static hv_status_t set_pprop(struct ohv *hv, uint64_t pp, uint32_t port,
			     uint32_t code, uint64_t value)
{
	struct hv_input_set_port_property in = {
		.port_partition_id = pp, .port_id = port, .property_code = code,
		.property_value = value,
	};
	uint64_t out;

	return ohv_result_status(t_mem(hv, T_ROOT, HVCALL_SET_PORT_PROPERTY,
				       &in, sizeof(in), &out, sizeof(out)));
}

/* HvPostMessage by VP 0 of from, memory-based (t_mem). */
static hv_status_t post_in(struct ohv *hv, uint64_t from,
			   const struct hv_input_post_message *in)
{
	return ohv_result_status(t_mem(hv, from, HVCALL_POST_MESSAGE, in,
				       sizeof(*in), NULL, 0));
}

/* A type-1 message of 8 bytes whose payload is tag. */
static hv_status_t post(struct ohv *hv, uint64_t from, uint32_t conn,
			uint64_t tag)
{
	struct hv_input_post_message in = {
		.connection_id = conn, .message_type = 1, .payload_size = 8,
	};

	in.payload[0] = tag;
	return post_in(hv, from, &in);
}

static hv_status_t signal_ev(struct ohv *hv, uint64_t from, uint32_t conn,
			     uint16_t flag)
{
	struct hv_input_signal_event in = {
		.connection_id = conn, .flag_number = flag,
	};

	return ohv_result_status(t_fast(hv, from, HVCALL_SIGNAL_EVENT, &in,
					sizeof(in), NULL, 0));
}

static uint64_t map_as(struct ohv *hv, uint64_t target, uint64_t gpa_page,
		       uint64_t src, uint32_t n, uint32_t flags)
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
	return t_mem(hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, n, 0),
		     buf, 24 + 8 * (size_t)n, NULL, 0);
}

static void set_reg(struct ohv *hv, uint64_t pid, uint32_t vp, uint32_t name,
		    uint64_t value)
{
	REQUIRE_ST(t_set_reg64(hv, T_ROOT, pid, vp, name, value),
		   HV_STATUS_SUCCESS);
}

/* SynIC on for VP vp of pid: SIM and SIEF at the given GPA pages. */
static void synic_on(struct ohv *hv, uint64_t pid, uint32_t vp,
		     uint64_t sim_page, uint64_t sief_page)
{
	set_reg(hv, pid, vp, HV_REGISTER_SCONTROL, HV_SYNIC_SCONTROL_ENABLE);
	set_reg(hv, pid, vp, HV_REGISTER_SIMP, sim_page << 12 | 1);
	set_reg(hv, pid, vp, HV_REGISTER_SIEFP, sief_page << 12 | 1);
}

static void sint_set(struct ohv *hv, uint64_t pid, uint32_t vp, uint32_t sint,
		     uint64_t value)
{
	set_reg(hv, pid, vp, HV_REGISTER_SINT0 + sint, value);
}

/* The parent writes EOM for VP vp of pid. */
static void eom(struct ohv *hv, uint64_t pid, uint32_t vp)
{
	set_reg(hv, pid, vp, HV_REGISTER_EOM, 0);
}

/*
 * A receiving child: runnable with privileges priv, nvps VPs running,
 * root pages mapped RW at its GPA pages 0 .. RX_PAGES - 1.  SynIC off.
 */
static uint64_t rx_child(struct ohv *hv, uint64_t *next, uint64_t priv,
			 uint32_t nvps)
{
	uint64_t id = t_runnable_child(hv, next, priv);

	for (uint32_t v = 1; v < nvps; v++) {
		REQUIRE_ST(t_create_vp(hv, id, v), HV_STATUS_SUCCESS);
		set_reg(hv, id, v, HV_REGISTER_EXPLICIT_SUSPEND, 0);
	}
	REQUIRE_ST(map_as(hv, id, 0, *next, RX_PAGES, RW), HV_STATUS_SUCCESS);
	*next += RX_PAGES;
	return id;
}

/* A sending child: runnable, GPA pages 0-3 mapped RW. */
static uint64_t tx_child(struct ohv *hv, uint64_t *next, uint64_t priv)
{
	uint64_t id = t_runnable_child(hv, next, priv);

	REQUIRE_ST(map_as(hv, id, 0, *next, 4, RW), HV_STATUS_SUCCESS);
	*next += 4;
	return id;
}

static struct hv_message *slot(struct ohv *hv, uint64_t pid, uint64_t page,
			       uint32_t sint)
{
	struct hv_message *m = ohv_gpa(hv, pid, (page << 12) + sint * 256ull,
				       sizeof(*m));

	REQUIRE(m);
	return m;
}

static uint8_t *sief(struct ohv *hv, uint64_t pid, uint64_t page,
		     uint32_t sint)
{
	uint8_t *f = ohv_gpa(hv, pid, (page << 12) + sint * 256ull, 256);

	REQUIRE(f);
	return f;
}

static struct ohv_sint_state sints(struct ohv *hv, uint64_t pid, uint32_t vp)
{
	struct ohv_sint_state s;

	memset(&s, 0, sizeof(s));
	REQUIRE(ohv_vp_sints(hv, pid, vp, &s) == 0);
	return s;
}

/* The guest takes the message out of a slot: its tag, 0 if empty. */
static uint64_t take(struct hv_message *m)
{
	if (m->header.message_type == HV_MESSAGE_TYPE_NONE)
		return 0;
	uint64_t tag = m->payload[0];

	m->header.message_type = HV_MESSAGE_TYPE_NONE;
	return tag;
}

static struct ohv_costs costs_of(struct ohv *hv)
{
	struct ohv_config cfg;

	ohv_get_config(hv, &cfg);
	return cfg.costs;
}

/*
 * What a failing send must leave alone: the partitions (t_snap), the SIM
 * and SIEF pages and SINT records of up to two VPs of the receiver, and
 * the PostCount of some ports.
 */
struct rx_view {
	struct t_snap snap;
	uint8_t page[2][2][HV_PAGE_SIZE];
	struct ohv_sint_state s[2];
	bool vp_live[2];
	uint64_t count[8];
};

static void view_take(struct ohv *hv, uint64_t r, const uint32_t *ports,
		      size_t nports, struct rx_view *v)
{
	memset(v, 0, sizeof(*v));
	t_snap_take(hv, &v->snap);
	for (uint32_t i = 0; i < 2; i++) {
		v->vp_live[i] = ohv_vp_sints(hv, r, i, &v->s[i]) == 0;
		const void *sim = ohv_gpa(hv, r, (uint64_t)SIM(i) << 12,
					  HV_PAGE_SIZE);
		const void *ef = ohv_gpa(hv, r, (uint64_t)SIEF(i) << 12,
					 HV_PAGE_SIZE);

		REQUIRE(sim && ef);
		memcpy(v->page[i][0], sim, HV_PAGE_SIZE);
		memcpy(v->page[i][1], ef, HV_PAGE_SIZE);
	}
	REQUIRE(nports <= ARRAY_SIZE(v->count));
	for (size_t i = 0; i < nports; i++)
		v->count[i] = pprop(hv, r, ports[i], PC);
}

static void view_same(struct ohv *hv, uint64_t r, const uint32_t *ports,
		      size_t nports, const struct rx_view *v, const char *what)
{
	struct rx_view *now = malloc(sizeof(*now));

	REQUIRE(now);
	view_take(hv, r, ports, nports, now);
	t_snap_same(hv, &v->snap, what);
	for (uint32_t i = 0; i < 2; i++) {
		CHECK_MSG(!memcmp(v->page[i][0], now->page[i][0], HV_PAGE_SIZE),
			  "%s: SIM page of VP %u changed", what, i);
		CHECK_MSG(!memcmp(v->page[i][1], now->page[i][1], HV_PAGE_SIZE),
			  "%s: SIEF page of VP %u changed", what, i);
		CHECK_MSG(v->vp_live[i] == now->vp_live[i] &&
			  !memcmp(&v->s[i], &now->s[i], sizeof(v->s[i])),
			  "%s: SINT record of VP %u changed", what, i);
	}
	for (size_t i = 0; i < nports; i++)
		CHECK_MSG(v->count[i] == now->count[i],
			  "%s: PostCount of port %u changed", what, ports[i]);
	free(now);
}

/* ---------------------------------------------------------------------- */
/* HvPostMessage (0x005C): statuses (spec.md §8, facts §3.2).                  */

enum { F_S, F_S2, F_P };

struct post_row {
	const char *what;
	int from;		/* F_S, F_S2 (another sender), F_P (no priv) */
	uint32_t conn;
	uint64_t type;		/* V(): 1 */
	uint64_t size;		/* V(): 8 */
	uint32_t padding;
	hv_status_t st;
};

#define V(x)	((uint64_t)(x) + 1)
#define ST(s)	HV_STATUS_##s

static uint64_t dflt(uint64_t v, uint64_t def)
{
	return v ? v - 1 : def;
}

/*
 * Receiver r: VP 0 (SINT 2) and VP 1 (SINT 3) with SynIC on.  Its ports:
 * 1 message -> VP 0, 2 event, 3 monitor, 4 message -> VP 1, 5 message
 * deleted after its connection was made, 6 message for s2, 8 message for
 * p (which lacks PostMessages).  A partition without VPs has port 7
 * (HV_ANY_VP).  s's connection n leads to port n (7: the VP-less one).
 */
static const struct post_row post_rows[] = {
	{ "unknown connection", .conn = 99, .st = ST(INVALID_CONNECTION_ID) },
	{ "ConnectionId bits 31:24 of 1", .conn = 0x01000001,
	  .st = ST(INVALID_CONNECTION_ID) },
	{ "ConnectionId 0xFF000001", .conn = 0xFF000001,
	  .st = ST(INVALID_CONNECTION_ID) },
	{ "another partition's connection id", .conn = 6,
	  .st = ST(INVALID_CONNECTION_ID) },
	{ "port deleted", .conn = 5, .st = ST(INVALID_PORT_ID) },
	{ "event port", .conn = 2, .st = ST(INVALID_PORT_ID) },
	{ "monitor port", .conn = 3, .st = ST(INVALID_PORT_ID) },
	{ "MessageType 0", .conn = 1, .type = V(0),
	  .st = ST(INVALID_PARAMETER) },
	{ "MessageType 0x80000000", .conn = 1, .type = V(0x80000000),
	  .st = ST(INVALID_PARAMETER) },
	{ "MessageType 0x80000010 (timer)", .conn = 1, .type = V(0x80000010),
	  .st = ST(INVALID_PARAMETER) },
	{ "MessageType 0xFFFFFFFF", .conn = 1, .type = V(0xFFFFFFFF),
	  .st = ST(INVALID_PARAMETER) },
	{ "PayloadSize 241", .conn = 1, .size = V(241),
	  .st = ST(INVALID_PARAMETER) },
	{ "PayloadSize 256", .conn = 1, .size = V(256),
	  .st = ST(INVALID_PARAMETER) },
	{ "PayloadSize 0xFFFFFFFF", .conn = 1, .size = V(0xFFFFFFFF),
	  .st = ST(INVALID_PARAMETER) },
	{ "HV_ANY_VP port, partition without VPs", .conn = 7,
	  .st = ST(INVALID_VP_INDEX) },
	{ "no PostMessages", .from = F_P, .conn = 8, .st = ST(ACCESS_DENIED) },
	{ "no PostMessages, unknown connection", .from = F_P, .conn = 99,
	  .st = ST(ACCESS_DENIED) },
	{ "s2 through its own connection 6, MessageType 0", .from = F_S2,
	  .conn = 6, .type = V(0), .st = ST(INVALID_PARAMETER) },
	/* Order. */
	{ "unknown connection + MessageType 0", .conn = 99, .type = V(0),
	  .st = ST(INVALID_CONNECTION_ID) },
	{ "port deleted + PayloadSize 999", .conn = 5, .size = V(999),
	  .st = ST(INVALID_PORT_ID) },
	{ "event port + MessageType 0", .conn = 2, .type = V(0),
	  .st = ST(INVALID_PORT_ID) },
	{ "no VPs + MessageType bit 31", .conn = 7, .type = V(0x80000001),
	  .st = ST(INVALID_PARAMETER) },
	{ "no VPs + PayloadSize 241", .conn = 7, .size = V(241),
	  .st = ST(INVALID_PARAMETER) },
};

static const uint32_t post_ports[] = { 1, 2, 3, 4, 6, 8 };

TEST(message_post_statuses)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	const struct ohv_costs costs = costs_of(hv);
	uint64_t r = rx_child(hv, &next, PRIV_RX, 2);
	uint64_t s = tx_child(hv, &next, PRIV_TX);
	uint64_t s2 = tx_child(hv, &next, PRIV_TX);
	uint64_t p = tx_child(hv, &next, OHV_CHILD_PRIVILEGES);
	uint64_t novp = t_active_child(hv, &next);
	const uint64_t from[] = { [F_S] = s, [F_S2] = s2, [F_P] = p };
	struct rx_view *v = malloc(sizeof(*v));

	REQUIRE(v);
	t_fund(hv, novp, &next, costs.port);
	synic_on(hv, r, 0, SIM(0), SIEF(0));
	synic_on(hv, r, 1, SIM(1), SIEF(1));
	sint_set(hv, r, 0, 2, 0x42);
	sint_set(hv, r, 1, 3, 0x43);
	REQUIRE_ST(mk_port(hv, r, 1, s, msg_info(2, 0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 2, s, event_info(2, 0, 0, 8)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 3, s, monitor_info(0x1000)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 4, s, msg_info(3, 1)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 5, s, msg_info(2, 0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 6, s2, msg_info(2, 0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 8, p, msg_info(2, 0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, novp, 7, s, msg_info(2, HV_ANY_VP)),
		   HV_STATUS_SUCCESS);
	for (uint32_t c = 1; c <= 5; c++)
		REQUIRE_ST(mk_conn(hv, s, c, r, c, c == 2 ? HV_PORT_TYPE_EVENT :
				   c == 3 ? HV_PORT_TYPE_MONITOR :
				   HV_PORT_TYPE_MESSAGE), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 7, novp, 7, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s2, 6, r, 6, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, p, 8, r, 8, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(delete_port(hv, r, 5), HV_STATUS_SUCCESS);

	for (size_t i = 0; i < ARRAY_SIZE(post_rows); i++) {
		const struct post_row *row = &post_rows[i];
		struct hv_input_post_message in = {
			.connection_id = row->conn,
			.padding = row->padding,
			.message_type = (uint32_t)dflt(row->type, 1),
			.payload_size = (uint32_t)dflt(row->size, 8),
		};

		memset(in.payload, 0x77, sizeof(in.payload));
		view_take(hv, r, post_ports, ARRAY_SIZE(post_ports), v);
		hv_status_t got = post_in(hv, from[row->from], &in);

		CHECK_MSG(got == row->st, "post, %s: got %s, want %s",
			  row->what, ohv_status_name(got),
			  ohv_status_name(row->st));
		view_same(hv, r, post_ports, ARRAY_SIZE(post_ports), v,
			  row->what);
	}

	/* Good posts, each taken out again: full payload, MessageType
	 * 0x7FFFFFFF with an empty payload, the padding word ignored
	 * (spec.md §3.2). */
	struct hv_message *m = slot(hv, r, SIM(0), 2);
	struct hv_input_post_message ok = {
		.connection_id = 1, .message_type = 1, .payload_size = 240,
	};

	CHECK_ST(post_in(hv, s, &ok), HV_STATUS_SUCCESS);
	CHECK_EQ(m->header.payload_size, 240);
	take(m);
	ok.message_type = 0x7FFFFFFF;
	ok.payload_size = 0;
	ok.padding = 0xFFFFFFFF;
	CHECK_ST(post_in(hv, s, &ok), HV_STATUS_SUCCESS);
	CHECK_EQ(m->header.message_type, 0x7FFFFFFF);
	take(m);
	CHECK_ST(post(hv, s2, 6, 1), HV_STATUS_SUCCESS);
	take(m);
	CHECK_EQ(pprop(hv, r, 1, PC), 2);

	/* SynIC state of the target VP (spec.md §8: SCONTROL bit 0, SIMP bit 0,
	 * SIM page mapped writable in r). */
	static const struct {
		const char *what;
		uint32_t reg;
		uint64_t value;
	} bad[] = {
		{ "SCONTROL 0", HV_REGISTER_SCONTROL, 0 },
		{ "SCONTROL 0xFFFE", HV_REGISTER_SCONTROL, 0xFFFE },
		{ "SIMP disabled", HV_REGISTER_SIMP, (uint64_t)SIM(0) << 12 },
		{ "SIMP 0", HV_REGISTER_SIMP, 0 },
		{ "SIM page not mapped", HV_REGISTER_SIMP, 100ull << 12 | 1 },
		{ "SIM page read-only", HV_REGISTER_SIMP, 40ull << 12 | 1 },
		{ "SIM page beyond memory", HV_REGISTER_SIMP,
		  (1ull << 40) | 1 },
		{ "SIM page at the top of the GPA space", HV_REGISTER_SIMP,
		  0xFFFFFFFFFFFFF001ull },
	};

	REQUIRE_ST(map_as(hv, r, 40, next++, 1, HV_MAP_GPA_READABLE),
		   HV_STATUS_SUCCESS);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t old = 0;

		REQUIRE_ST(t_get_reg64(hv, T_ROOT, r, 0, bad[i].reg, &old),
			   HV_STATUS_SUCCESS);
		set_reg(hv, r, 0, bad[i].reg, bad[i].value);
		view_take(hv, r, post_ports, ARRAY_SIZE(post_ports), v);
		hv_status_t got = post(hv, s, 1, 2);

		CHECK_MSG(got == HV_STATUS_INVALID_SYNIC_STATE,
			  "post, %s: got %s", bad[i].what,
			  ohv_status_name(got));
		/* Order: the message checks come first. */
		struct hv_input_post_message t0 = {
			.connection_id = 1, .message_type = 0,
		};

		CHECK_ST(post_in(hv, s, &t0), HV_STATUS_INVALID_PARAMETER);
		view_same(hv, r, post_ports, ARRAY_SIZE(post_ports), v,
			  bad[i].what);
		set_reg(hv, r, 0, bad[i].reg, old);
	}
	/* SIMP bits 11:1 are preserved bits, not part of the address. */
	set_reg(hv, r, 0, HV_REGISTER_SIMP, (uint64_t)SIM(0) << 12 | 0xFFF);
	CHECK_ST(post(hv, s, 1, 3), HV_STATUS_SUCCESS);
	CHECK_EQ(take(m), 3);
	set_reg(hv, r, 0, HV_REGISTER_SIMP, (uint64_t)SIM(0) << 12 | 1);

	/* INSUFFICIENT_BUFFERS: one in the slot, 16 waiting. */
	for (uint32_t i = 0; i < 17; i++)
		CHECK_ST(post(hv, s, 1, 100 + i), HV_STATUS_SUCCESS);
	view_take(hv, r, post_ports, ARRAY_SIZE(post_ports), v);
	CHECK_ST(post(hv, s, 1, 200), HV_STATUS_INSUFFICIENT_BUFFERS);
	view_same(hv, r, post_ports, ARRAY_SIZE(post_ports), v,
		  "INSUFFICIENT_BUFFERS");
	/* Order: SynIC state before buffers. */
	set_reg(hv, r, 0, HV_REGISTER_SCONTROL, 0);
	CHECK_ST(post(hv, s, 1, 201), HV_STATUS_INVALID_SYNIC_STATE);
	set_reg(hv, r, 0, HV_REGISTER_SCONTROL, 1);
	CHECK_ST(post(hv, s, 1, 202), HV_STATUS_INSUFFICIENT_BUFFERS);

	/* Target VP gone (spec.md §8: INVALID_VP_INDEX), after the message
	 * checks. */
	REQUIRE_ST(t_delete_vp(hv, r, 1), HV_STATUS_SUCCESS);
	view_take(hv, r, post_ports, ARRAY_SIZE(post_ports), v);
	CHECK_ST(post(hv, s, 4, 1), HV_STATUS_INVALID_VP_INDEX);
	struct hv_input_post_message big = {
		.connection_id = 4, .message_type = 1, .payload_size = 241,
	};

	CHECK_ST(post_in(hv, s, &big), HV_STATUS_INVALID_PARAMETER);
	view_same(hv, r, post_ports, ARRAY_SIZE(post_ports), v, "VP gone");
	free(v);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* The SIM slot, byte for byte (spec.md §8, 9; facts §4.10).                   */

/*
 * Header: MessageType u32 @0, PayloadSize u8 @4, MessageFlags u8 @5,
 * reserved @6-7, origination (the port id, as a u64) @8; payload @16.
 * Only PayloadSize bytes of payload arrive; the rest of the slot's payload
 * reads 0 whatever the guest left there.  Only the port's SINT slot is
 * written.
 */
TEST(message_slot_layout)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t r = rx_child(hv, &next, PRIV_RX, 1);
	uint64_t s = tx_child(hv, &next, PRIV_TX);
	const uint32_t port = 0x00ABCDEF;

	synic_on(hv, r, 0, SIM(0), SIEF(0));
	sint_set(hv, r, 0, 15, 0x4F);
	REQUIRE_ST(mk_port(hv, r, port, s, msg_info(15, 0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 1, r, port, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	uint8_t *page = ohv_gpa(hv, r, (uint64_t)SIM(0) << 12, HV_PAGE_SIZE);
	uint8_t before[HV_PAGE_SIZE];

	REQUIRE(page);
	/* Garbage everywhere, every slot free (MessageType 0). */
	memset(page, 0x5A, HV_PAGE_SIZE);
	for (int i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		memset(page + i * 256, 0, 4);
	memcpy(before, page, sizeof(before));

	static const uint32_t sizes[] = { 5, 240, 0, 1, 239 };

	for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
		struct hv_input_post_message in = {
			.connection_id = 1,
			.message_type = 0x12345678 + (uint32_t)k,
			.payload_size = sizes[k],
		};
		uint8_t want[256];

		for (int i = 0; i < 240; i++)
			((uint8_t *)in.payload)[i] = (uint8_t)(i + 1 + k);
		memset(want, 0, sizeof(want));
		memcpy(want, &in.message_type, 4);
		want[4] = (uint8_t)sizes[k];
		want[5] = 0;			/* nothing else waits */
		want[8] = 0xEF;
		want[9] = 0xCD;
		want[10] = 0xAB;
		memcpy(want + 16, in.payload, sizes[k]);
		CHECK_ST(post_in(hv, s, &in), HV_STATUS_SUCCESS);
		uint8_t *got = page + 15 * 256;

		for (int i = 0; i < 256; i++) {
			if (!CHECK_MSG(got[i] == want[i], "size %u: slot "
				       "byte %d is 0x%02x, want 0x%02x",
				       sizes[k], i, got[i], want[i]))
				break;
		}
		CHECK_EQ(slot(hv, r, SIM(0), 15)->header.port, port);
		CHECK_EQ(slot(hv, r, SIM(0), 15)->header.origination_id, port);
		/* Other slots untouched. */
		CHECK(!memcmp(page, before, 15 * 256));
		struct ohv_sint_state ss = sints(hv, r, 0);

		CHECK_EQ(ss.raised[15], k + 1);
		CHECK_EQ(ss.vector[15], 0x4F);
		CHECK_EQ(ss.pending, 1u << 15);
		CHECK_EQ(ss.queued[15], 0);
		CHECK_EQ(ohv_vp_sint_ack(hv, r, 0, 15), 1);
		/* The guest takes it, leaving its bytes behind but type 0. */
		got[0] = got[1] = got[2] = got[3] = 0;
		memset(got + 4, 0xC3, 252);
		eom(hv, r, 0);
		CHECK_EQ(got[0] | got[1] | got[2] | got[3], 0);
	}

	/* The same bytes when the message waited and EOM brought it: the
	 * first carries MessagePending, the second, over the guest's
	 * garbage, is exact with flags 0. */
	struct hv_input_post_message a = {
		.connection_id = 1, .message_type = 0x21, .payload_size = 3,
	};
	struct hv_input_post_message b = {
		.connection_id = 1, .message_type = 0x22, .payload_size = 7,
	};
	uint8_t want[256];
	uint8_t *got = page + 15 * 256;

	memset(a.payload, 0xEE, sizeof(a.payload));
	memset(b.payload, 0xDD, sizeof(b.payload));
	CHECK_ST(post_in(hv, s, &a), HV_STATUS_SUCCESS);
	CHECK_ST(post_in(hv, s, &b), HV_STATUS_SUCCESS);
	CHECK_EQ(got[5], HV_MESSAGE_FLAG_PENDING);
	CHECK_EQ(got[4], 3);
	CHECK_EQ(got[16 + 2], 0xEE);
	CHECK_EQ(got[16 + 3], 0);
	memset(got, 0xC3, 256);
	got[0] = got[1] = got[2] = got[3] = 0;
	eom(hv, r, 0);
	memset(want, 0, sizeof(want));
	want[0] = 0x22;
	want[4] = 7;
	want[8] = 0xEF;
	want[9] = 0xCD;
	want[10] = 0xAB;
	memset(want + 16, 0xDD, 7);
	for (int i = 0; i < 256; i++) {
		if (!CHECK_MSG(got[i] == want[i],
			       "after EOM: slot byte %d is 0x%02x, want 0x%02x",
			       i, got[i], want[i]))
			break;
	}
	CHECK(!memcmp(page, before, 15 * 256));
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* MessagePending and EOM (spec.md §8; facts §4.10 delivery).                  */

/*
 * Three ports of r target VP 0, SINT 2.  The first message lands in the
 * slot; the others wait, oldest first across ports, and the slot's
 * MessagePending flag says so.  Each EOM after the guest cleared the slot
 * brings the next one (MessagePending while more wait) and raises SINT 2
 * again.  EOM with the slot still full does nothing; EOM with nothing
 * waiting does nothing.  One EOM serves every SINT whose slot is free.  A
 * new message queued while the slot is free (cleared without EOM) makes
 * the oldest one come (facts §4.10: "re-scan on new queueing").
 */
TEST(message_pending_and_eom_order)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t r = rx_child(hv, &next, PRIV_RX, 1);
	uint64_t s = tx_child(hv, &next, PRIV_TX);
	struct hv_message *m2 = slot(hv, r, SIM(0), 2);
	struct hv_message *m5 = slot(hv, r, SIM(0), 5);

	synic_on(hv, r, 0, SIM(0), SIEF(0));
	sint_set(hv, r, 0, 2, 0x42);
	sint_set(hv, r, 0, 5, 0x45);
	for (uint32_t i = 1; i <= 3; i++) {
		REQUIRE_ST(mk_port(hv, r, i, s, msg_info(2, 0)),
			   HV_STATUS_SUCCESS);
		REQUIRE_ST(mk_conn(hv, s, i, r, i, HV_PORT_TYPE_MESSAGE),
			   HV_STATUS_SUCCESS);
	}
	REQUIRE_ST(mk_port(hv, r, 4, s, msg_info(5, 0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 4, r, 4, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);

	static const struct { uint32_t conn; uint64_t tag; } order[] = {
		{ 1, 0xA1 }, { 2, 0xB2 }, { 3, 0xC3 }, { 1, 0xD1 }, { 2, 0xE2 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		CHECK_ST(post(hv, s, order[i].conn, order[i].tag),
			 HV_STATUS_SUCCESS);
	struct ohv_sint_state ss = sints(hv, r, 0);

	CHECK_EQ(m2->payload[0], 0xA1);
	CHECK_EQ(m2->header.port, 1);
	CHECK_EQ(m2->header.message_flags, HV_MESSAGE_FLAG_PENDING);
	CHECK_EQ(ss.queued[2], 4);
	CHECK_EQ(ss.raised[2], 1);
	CHECK_EQ(ss.vector[2], 0x42);
	CHECK_EQ(ss.pending, 1u << 2);

	/* EOM with the slot full: nothing moves. */
	eom(hv, r, 0);
	CHECK_EQ(m2->payload[0], 0xA1);
	CHECK_EQ(sints(hv, r, 0).queued[2], 4);
	CHECK_EQ(sints(hv, r, 0).raised[2], 1);

	for (size_t i = 1; i < ARRAY_SIZE(order); i++) {
		CHECK_EQ(take(m2), order[i - 1].tag);
		eom(hv, r, 0);
		ss = sints(hv, r, 0);
		CHECK_EQ(m2->header.message_type, 1);
		CHECK_EQ(m2->payload[0], order[i].tag);
		CHECK_EQ(m2->header.port, order[i].conn);
		CHECK_EQ(m2->header.message_flags,
			 i + 1 < ARRAY_SIZE(order) ?
			 HV_MESSAGE_FLAG_PENDING : 0);
		CHECK_EQ(ss.queued[2], ARRAY_SIZE(order) - 1 - i);
		CHECK_EQ(ss.raised[2], i + 1);
	}
	CHECK_EQ(take(m2), 0xE2);
	eom(hv, r, 0);
	CHECK_EQ(m2->header.message_type, 0);
	CHECK_EQ(sints(hv, r, 0).raised[2], ARRAY_SIZE(order));

	/* One EOM, two SINTs. */
	CHECK_ST(post(hv, s, 1, 0xF1), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 1, 0xF2), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 4, 0xF4), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 4, 0xF5), HV_STATUS_SUCCESS);
	CHECK_EQ(m5->header.message_flags, HV_MESSAGE_FLAG_PENDING);
	CHECK_EQ(take(m2), 0xF1);
	CHECK_EQ(take(m5), 0xF4);
	ss = sints(hv, r, 0);
	eom(hv, r, 0);
	CHECK_EQ(m2->payload[0], 0xF2);
	CHECK_EQ(m5->payload[0], 0xF5);
	CHECK_EQ(m2->header.message_flags, 0);
	CHECK_EQ(m5->header.message_flags, 0);
	CHECK_EQ(sints(hv, r, 0).raised[2], ss.raised[2] + 1);
	CHECK_EQ(sints(hv, r, 0).raised[5], ss.raised[5] + 1);
	CHECK_EQ(sints(hv, r, 0).vector[5], 0x45);
	take(m2);
	take(m5);
	eom(hv, r, 0);

	/* Cleared without EOM: the next post brings the oldest waiting. */
	CHECK_ST(post(hv, s, 1, 0x11), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 2, 0x12), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 3, 0x13), HV_STATUS_SUCCESS);
	CHECK_EQ(take(m2), 0x11);
	CHECK_ST(post(hv, s, 1, 0x14), HV_STATUS_SUCCESS);
	CHECK_EQ(m2->payload[0], 0x12);
	CHECK_EQ(m2->header.message_flags, HV_MESSAGE_FLAG_PENDING);
	CHECK_EQ(sints(hv, r, 0).queued[2], 2);
	CHECK_EQ(take(m2), 0x12);
	eom(hv, r, 0);
	CHECK_EQ(take(m2), 0x13);
	eom(hv, r, 0);
	CHECK_EQ(m2->header.message_flags, 0);
	CHECK_EQ(take(m2), 0x14);
	eom(hv, r, 0);
	CHECK_EQ(sints(hv, r, 0).queued[2], 0);
	CHECK_EQ(m2->header.message_type, 0);
	t_close(hv);
}

/*
 * EOM is HvSetVpRegisters of 0x000A0014 (spec.md §7): the VP itself may write
 * it when its partition holds AccessVpRegisters (also with SELF and
 * HV_VP_INDEX_SELF); without the privilege -> ACCESS_DENIED and nothing is
 * delivered; the parent may always write it.
 */
TEST(message_eom_by_self)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t r1 = rx_child(hv, &next, PRIV_RX, 1);
	uint64_t r2 = rx_child(hv, &next, OHV_CHILD_PRIVILEGES, 1);
	uint64_t s = tx_child(hv, &next, PRIV_TX);
	const uint64_t rs[2] = { r1, r2 };

	for (uint32_t i = 0; i < 2; i++) {
		synic_on(hv, rs[i], 0, SIM(0), SIEF(0));
		sint_set(hv, rs[i], 0, 2, 0x42);
		REQUIRE_ST(mk_port(hv, rs[i], 1, s, msg_info(2, 0)),
			   HV_STATUS_SUCCESS);
		REQUIRE_ST(mk_conn(hv, s, i + 1, rs[i], 1,
				   HV_PORT_TYPE_MESSAGE), HV_STATUS_SUCCESS);
		for (uint64_t t = 1; t <= 4; t++)
			CHECK_ST(post(hv, s, i + 1, t), HV_STATUS_SUCCESS);
	}
	struct hv_message *a = slot(hv, r1, SIM(0), 2);
	struct hv_message *b = slot(hv, r2, SIM(0), 2);

	CHECK_EQ(take(a), 1);
	CHECK_ST(t_set_reg64(hv, r1, r1, 0, HV_REGISTER_EOM, 0),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(take(a), 2);
	CHECK_ST(t_set_reg64(hv, r1, SELF, HV_VP_INDEX_SELF, HV_REGISTER_EOM,
			     0), HV_STATUS_SUCCESS);
	CHECK_EQ(take(a), 3);
	eom(hv, r1, 0);
	CHECK_EQ(take(a), 4);

	CHECK_EQ(take(b), 1);
	CHECK_ST(t_set_reg64(hv, r2, r2, 0, HV_REGISTER_EOM, 0),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_EQ(b->header.message_type, 0);
	CHECK_EQ(sints(hv, r2, 0).queued[2], 3);
	eom(hv, r2, 0);
	CHECK_EQ(take(b), 2);
	CHECK_EQ(sints(hv, r2, 0).queued[2], 2);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* The 16 buffers of a port (spec.md §8, facts §3.2 0x005C).                   */

/*
 * One message in the slot and 16 waiting: the 17th post ->
 * INSUFFICIENT_BUFFERS, nothing changes.  Buffers belong to the port:
 * another port to the same VP and SINT still has its own 16.  An EOM that
 * moves one of the port's messages into the slot frees one buffer.  Fully
 * drained, the port has 16 free buffers again.
 */
TEST(message_buffers)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t r = rx_child(hv, &next, PRIV_RX, 1);
	uint64_t s = tx_child(hv, &next, PRIV_TX);
	struct hv_message *m = slot(hv, r, SIM(0), 2);
	static const uint32_t ports[] = { 1, 2 };
	struct rx_view *v = malloc(sizeof(*v));

	REQUIRE(v);
	synic_on(hv, r, 0, SIM(0), SIEF(0));
	sint_set(hv, r, 0, 2, 0x42);
	for (uint32_t i = 1; i <= 2; i++) {
		REQUIRE_ST(mk_port(hv, r, i, s, msg_info(2, 0)),
			   HV_STATUS_SUCCESS);
		REQUIRE_ST(mk_conn(hv, s, i, r, i, HV_PORT_TYPE_MESSAGE),
			   HV_STATUS_SUCCESS);
	}
	uint64_t tag = 1;

	for (uint32_t i = 0; i < 17; i++)
		CHECK_ST(post(hv, s, 1, tag++), HV_STATUS_SUCCESS);
	CHECK_EQ(sints(hv, r, 0).queued[2], HV_PORT_MESSAGE_BUFFER_COUNT);
	view_take(hv, r, ports, 2, v);
	CHECK_ST(post(hv, s, 1, 999), HV_STATUS_INSUFFICIENT_BUFFERS);
	CHECK_ST(post(hv, s, 1, 999), HV_STATUS_INSUFFICIENT_BUFFERS);
	view_same(hv, r, ports, 2, v, "17th buffer");
	CHECK_EQ(pprop(hv, r, 1, PC), 17);

	/* Port 2's buffers are its own. */
	CHECK_ST(post(hv, s, 2, tag++), HV_STATUS_SUCCESS);	/* 18 */
	CHECK_EQ(sints(hv, r, 0).queued[2], 17);

	/* An EOM frees one of port 1's buffers. */
	CHECK_EQ(take(m), 1);
	eom(hv, r, 0);
	CHECK_EQ(m->payload[0], 2);
	CHECK_ST(post(hv, s, 1, tag++), HV_STATUS_SUCCESS);	/* 19 */
	CHECK_ST(post(hv, s, 1, 999), HV_STATUS_INSUFFICIENT_BUFFERS);

	/* Drain: 2..17 from port 1, then 18 (port 2), then 19 (port 1). */
	uint64_t want = 2, got;
	uint32_t n = 0;

	while ((got = take(m)) != 0) {
		CHECK_EQ(got, want);
		want++;
		n++;
		eom(hv, r, 0);
	}
	CHECK_EQ(n, 18);
	CHECK_EQ(sints(hv, r, 0).queued[2], 0);

	/* All 16 free again, for each port. */
	for (uint32_t p = 1; p <= 2; p++) {
		uint32_t ok = 0;
		hv_status_t st;

		while ((st = post(hv, s, p, 1000 + ok)) == HV_STATUS_SUCCESS &&
		       ok < 40)
			ok++;
		CHECK_ST(st, HV_STATUS_INSUFFICIENT_BUFFERS);
		/* Port 1 fills the slot first. */
		CHECK_EQ(ok, p == 1 ? 17 : 16);
	}
	free(v);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Masked SINTs (spec.md §8, facts §4.10: the interrupt is lost).              */

/*
 * A masked SINT still gets the message in its slot, but no interrupt is
 * recorded (raised, vector and pending unchanged).  Unmasked again, the
 * next delivery is recorded with the vector SINTx bits 7:0 hold at that
 * time; ohv_vp_sint_ack clears the pending bit once.
 */
TEST(message_masked_sint)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t r = rx_child(hv, &next, PRIV_RX, 1);
	uint64_t s = tx_child(hv, &next, PRIV_TX);
	struct hv_message *m = slot(hv, r, SIM(0), 2);
	struct ohv_sint_state ss;

	synic_on(hv, r, 0, SIM(0), SIEF(0));
	sint_set(hv, r, 0, 2, HV_SYNIC_SINT_MASKED | 0x55);
	REQUIRE_ST(mk_port(hv, r, 1, s, msg_info(2, 0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 1, r, 1, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);

	CHECK_ST(post(hv, s, 1, 1), HV_STATUS_SUCCESS);
	ss = sints(hv, r, 0);
	CHECK_EQ(m->payload[0], 1);
	CHECK_EQ(ss.raised[2], 0);
	CHECK_EQ(ss.vector[2], 0);
	CHECK_EQ(ss.pending, 0);
	CHECK_EQ(ohv_vp_sint_ack(hv, r, 0, 2), 0);

	/* Unmasked: a queued message delivered by EOM is recorded. */
	sint_set(hv, r, 0, 2, 0x66);
	CHECK_ST(post(hv, s, 1, 2), HV_STATUS_SUCCESS);
	CHECK_EQ(sints(hv, r, 0).raised[2], 0);		/* it waits */
	CHECK_EQ(take(m), 1);
	eom(hv, r, 0);
	ss = sints(hv, r, 0);
	CHECK_EQ(m->payload[0], 2);
	CHECK_EQ(ss.raised[2], 1);
	CHECK_EQ(ss.vector[2], 0x66);
	CHECK_EQ(ss.pending, 1u << 2);
	CHECK_EQ(ohv_vp_sint_ack(hv, r, 0, 2), 1);
	CHECK_EQ(ohv_vp_sint_ack(hv, r, 0, 2), 0);
	CHECK_EQ(sints(hv, r, 0).pending, 0);

	/* Masked again: delivered by EOM, not recorded. */
	sint_set(hv, r, 0, 2, HV_SYNIC_SINT_MASKED | 0x77);
	CHECK_ST(post(hv, s, 1, 3), HV_STATUS_SUCCESS);
	CHECK_EQ(take(m), 2);
	eom(hv, r, 0);
	CHECK_EQ(m->payload[0], 3);
	ss = sints(hv, r, 0);
	CHECK_EQ(ss.raised[2], 1);
	CHECK_EQ(ss.vector[2], 0x66);
	CHECK_EQ(ss.pending, 0);

	/* A new vector is recorded at the next raise; AutoEOI changes
	 * nothing here. */
	sint_set(hv, r, 0, 2, HV_SYNIC_SINT_AUTO_EOI | 0x88);
	CHECK_EQ(take(m), 3);
	CHECK_ST(post(hv, s, 1, 4), HV_STATUS_SUCCESS);
	ss = sints(hv, r, 0);
	CHECK_EQ(ss.raised[2], 2);
	CHECK_EQ(ss.vector[2], 0x88);
	CHECK_EQ(ss.raised[3], 0);

	/* The observation API's own errors. */
	CHECK(ohv_vp_sint_ack(hv, r, 0, 16) == -EINVAL);
	CHECK(ohv_vp_sint_ack(hv, r, 1, 2) == -ENOENT);
	CHECK(ohv_vp_sints(hv, r, 5, &ss) == -ENOENT);
	CHECK(ohv_vp_sints(hv, 0x100000, 0, &ss) == -ENOENT);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* HV_ANY_VP (spec.md §8; facts §4.10: VPs whose SynIC or SIM is disabled are   */
/* never chosen).                                                          */

/*
 * r has 3 VPs; VP 0's SynIC starts off.  A message port to HV_ANY_VP
 * delivers to the PreferredTargetVp when it can take the message, else to
 * the lowest-index VP that can.  None can -> INVALID_SYNIC_STATE.  An
 * event port also skips VPs whose SINT is masked.
 */
TEST(message_any_vp)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t r = rx_child(hv, &next, PRIV_RX, 3);
	uint64_t s = tx_child(hv, &next, PRIV_TX);
	struct hv_message *m[3];

	for (uint32_t v = 0; v < 3; v++) {
		sint_set(hv, r, v, 2, 0x42);
		m[v] = slot(hv, r, SIM(v), 2);
	}
	synic_on(hv, r, 1, SIM(1), SIEF(1));
	synic_on(hv, r, 2, SIM(2), SIEF(2));
	REQUIRE_ST(mk_port(hv, r, 1, s, msg_info(2, HV_ANY_VP)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 1, r, 1, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);

	/* No preference: the lowest eligible, VP 1. */
	CHECK_EQ(pprop(hv, r, 1, PTV), HV_ANY_VP);
	CHECK_ST(post(hv, s, 1, 1), HV_STATUS_SUCCESS);
	CHECK_EQ(m[1]->payload[0], 1);
	CHECK_EQ(m[2]->header.message_type, 0);
	CHECK_EQ(sints(hv, r, 1).raised[2], 1);
	/* Preferred VP 2, eligible. */
	CHECK_ST(set_pprop(hv, r, 1, PTV, 2), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 1, 2), HV_STATUS_SUCCESS);
	CHECK_EQ(m[2]->payload[0], 2);
	CHECK_EQ(sints(hv, r, 2).raised[2], 1);
	/* Preferred VP 0 (SynIC off) or 9 (no such VP): VP 1 again, where
	 * it waits behind the first. */
	CHECK_ST(set_pprop(hv, r, 1, PTV, 0), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 1, 3), HV_STATUS_SUCCESS);
	CHECK_ST(set_pprop(hv, r, 1, PTV, 9), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 1, 4), HV_STATUS_SUCCESS);
	CHECK_EQ(sints(hv, r, 1).queued[2], 2);
	CHECK_EQ(sints(hv, r, 2).queued[2], 0);
	CHECK_EQ(m[1]->header.message_flags, HV_MESSAGE_FLAG_PENDING);
	/* VP 0 on: preferred 0 takes it. */
	synic_on(hv, r, 0, SIM(0), SIEF(0));
	CHECK_ST(set_pprop(hv, r, 1, PTV, 0), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 1, 5), HV_STATUS_SUCCESS);
	CHECK_EQ(m[0]->payload[0], 5);
	/* No preference, VP 0's SIM disabled: VP 1. */
	CHECK_ST(set_pprop(hv, r, 1, PTV, HV_ANY_VP), HV_STATUS_SUCCESS);
	set_reg(hv, r, 0, HV_REGISTER_SIMP, 0);
	CHECK_ST(post(hv, s, 1, 6), HV_STATUS_SUCCESS);
	CHECK_EQ(sints(hv, r, 1).queued[2], 3);
	/* Nobody can: VP 0 SIM off, VP 1 SynIC off, VP 2 SIM unmapped. */
	set_reg(hv, r, 1, HV_REGISTER_SCONTROL, 0);
	set_reg(hv, r, 2, HV_REGISTER_SIMP, 200ull << 12 | 1);
	struct ohv_sint_state s1 = sints(hv, r, 1), s1b;
	uint64_t pc = pprop(hv, r, 1, PC);

	CHECK_ST(post(hv, s, 1, 7), HV_STATUS_INVALID_SYNIC_STATE);
	s1b = sints(hv, r, 1);
	CHECK(!memcmp(&s1, &s1b, sizeof(s1)));
	CHECK_EQ(pprop(hv, r, 1, PC), pc);
	/* VP 2 back: it is the only one. */
	set_reg(hv, r, 2, HV_REGISTER_SIMP, (uint64_t)SIM(2) << 12 | 1);
	CHECK_EQ(take(m[2]), 2);
	CHECK_ST(post(hv, s, 1, 8), HV_STATUS_SUCCESS);
	CHECK_EQ(m[2]->payload[0], 8);
	/* VP 1 goes with its 3 waiting messages (and its slot's). */
	set_reg(hv, r, 1, HV_REGISTER_SCONTROL, 1);
	REQUIRE_ST(t_delete_vp(hv, r, 1), HV_STATUS_SUCCESS);
	set_reg(hv, r, 0, HV_REGISTER_SIMP, (uint64_t)SIM(0) << 12 | 1);
	CHECK_EQ(take(m[0]), 5);
	CHECK_ST(post(hv, s, 1, 9), HV_STATUS_SUCCESS);
	CHECK_EQ(m[0]->payload[0], 9);
	CHECK_EQ(pprop(hv, r, 1, PC), 8);

	/* Event port, HV_ANY_VP: VP 0's SINT 4 masked, VP 2's not. */
	uint8_t *f0 = sief(hv, r, SIEF(0), 4), *f2 = sief(hv, r, SIEF(2), 4);

	REQUIRE_ST(mk_port(hv, r, 2, s, event_info(4, HV_ANY_VP, 0, 8)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 2, r, 2, HV_PORT_TYPE_EVENT),
		   HV_STATUS_SUCCESS);
	sint_set(hv, r, 0, 4, HV_SYNIC_SINT_MASKED | 0x44);
	sint_set(hv, r, 2, 4, 0x44);
	CHECK_ST(signal_ev(hv, s, 2, 0), HV_STATUS_SUCCESS);
	CHECK_EQ(f0[0], 0);
	CHECK_EQ(f2[0], 1);
	CHECK_EQ(sints(hv, r, 2).raised[4], 1);
	sint_set(hv, r, 0, 4, 0x44);
	CHECK_ST(signal_ev(hv, s, 2, 1), HV_STATUS_SUCCESS);
	CHECK_EQ(f0[0], 2);
	/* Masked everywhere: nobody can. */
	sint_set(hv, r, 0, 4, HV_SYNIC_SINT_MASKED);
	sint_set(hv, r, 2, 4, HV_SYNIC_SINT_MASKED);
	CHECK_ST(signal_ev(hv, s, 2, 3), HV_STATUS_INVALID_SYNIC_STATE);
	CHECK_EQ(f0[0], 2);
	CHECK_EQ(f2[0], 1);

	/* A partition without VPs: INVALID_VP_INDEX (spec.md §8 "target VP
	 * gone"). */
	uint64_t novp = t_active_child(hv, &next);

	t_fund(hv, novp, &next, costs_of(hv).port * 2);
	REQUIRE_ST(mk_port(hv, novp, 1, s, msg_info(2, HV_ANY_VP)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, novp, 2, s, event_info(2, HV_ANY_VP, 0, 1)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 11, novp, 1, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 12, novp, 2, HV_PORT_TYPE_EVENT),
		   HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 11, 1), HV_STATUS_INVALID_VP_INDEX);
	CHECK_ST(signal_ev(hv, s, 12, 0), HV_STATUS_INVALID_VP_INDEX);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* HvSignalEvent (0x005D): statuses (spec.md §8, facts §3.2).                  */

struct signal_row {
	const char *what;
	int from;
	uint32_t conn;
	uint16_t flag;
	uint16_t rsvd;
	hv_status_t st;
};

/*
 * Receiver r: VP 0 SINT 2 and VP 1 SINT 3 unmasked.  Ports: 1 event
 * (8 flags) -> VP 0, 2 message, 3 monitor, 4 event -> VP 1, 5 event
 * (deleted), 6 event for s2, 8 event for p (no SignalEvents).
 */
static const struct signal_row signal_rows[] = {
	{ "unknown connection", .conn = 99, .st = ST(INVALID_CONNECTION_ID) },
	{ "ConnectionId bits 31:24 of 1", .conn = 0x01000001,
	  .st = ST(INVALID_CONNECTION_ID) },
	{ "another partition's connection id", .conn = 6,
	  .st = ST(INVALID_CONNECTION_ID) },
	{ "port deleted", .conn = 5, .st = ST(INVALID_PORT_ID) },
	{ "message port", .conn = 2, .st = ST(INVALID_PORT_ID) },
	{ "monitor port", .conn = 3, .st = ST(INVALID_PORT_ID) },
	{ "FlagNumber = FlagCount", .conn = 1, .flag = 8,
	  .st = ST(INVALID_PARAMETER) },
	{ "FlagNumber 0xFFFF", .conn = 1, .flag = 0xFFFF,
	  .st = ST(INVALID_PARAMETER) },
	{ "no SignalEvents", .from = F_P, .conn = 8, .st = ST(ACCESS_DENIED) },
	{ "no SignalEvents, unknown connection", .from = F_P, .conn = 99,
	  .st = ST(ACCESS_DENIED) },
	{ "unknown connection + FlagNumber 0xFFFF", .conn = 99, .flag = 0xFFFF,
	  .st = ST(INVALID_CONNECTION_ID) },
	{ "port deleted + FlagNumber 0xFFFF", .conn = 5, .flag = 0xFFFF,
	  .st = ST(INVALID_PORT_ID) },
	{ "message port + FlagNumber 0xFFFF", .conn = 2, .flag = 0xFFFF,
	  .st = ST(INVALID_PORT_ID) },
};

static const uint32_t signal_ports[] = { 1, 2, 3, 4, 6, 8 };

TEST(message_signal_statuses)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t r = rx_child(hv, &next, PRIV_RX, 2);
	uint64_t s = tx_child(hv, &next, PRIV_TX);
	uint64_t s2 = tx_child(hv, &next, PRIV_TX);
	uint64_t p = tx_child(hv, &next, OHV_CHILD_PRIVILEGES);
	const uint64_t from[] = { [F_S] = s, [F_S2] = s2, [F_P] = p };
	struct rx_view *v = malloc(sizeof(*v));
	uint8_t *f = sief(hv, r, SIEF(0), 2);

	REQUIRE(v);
	synic_on(hv, r, 0, SIM(0), SIEF(0));
	synic_on(hv, r, 1, SIM(1), SIEF(1));
	sint_set(hv, r, 0, 2, 0x42);
	sint_set(hv, r, 1, 3, 0x43);
	REQUIRE_ST(mk_port(hv, r, 1, s, event_info(2, 0, 0, 8)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 2, s, msg_info(2, 0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 3, s, monitor_info(0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 4, s, event_info(3, 1, 0, 8)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 5, s, event_info(2, 0, 0, 8)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 6, s2, event_info(2, 0, 8, 8)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 8, p, event_info(2, 0, 16, 8)),
		   HV_STATUS_SUCCESS);
	for (uint32_t c = 1; c <= 5; c++)
		REQUIRE_ST(mk_conn(hv, s, c, r, c,
				   c == 2 ? HV_PORT_TYPE_MESSAGE :
				   c == 3 ? HV_PORT_TYPE_MONITOR :
				   HV_PORT_TYPE_EVENT), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s2, 6, r, 6, HV_PORT_TYPE_EVENT),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, p, 8, r, 8, HV_PORT_TYPE_EVENT),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(delete_port(hv, r, 5), HV_STATUS_SUCCESS);

	for (size_t i = 0; i < ARRAY_SIZE(signal_rows); i++) {
		const struct signal_row *row = &signal_rows[i];
		struct hv_input_signal_event in = {
			.connection_id = row->conn, .flag_number = row->flag,
			.rsvdz = row->rsvd,
		};

		view_take(hv, r, signal_ports, ARRAY_SIZE(signal_ports), v);
		hv_status_t got = ohv_result_status(t_fast(hv, from[row->from],
							   HVCALL_SIGNAL_EVENT,
							   &in, sizeof(in),
							   NULL, 0));

		CHECK_MSG(got == row->st, "signal, %s: got %s, want %s",
			  row->what, ohv_status_name(got),
			  ohv_status_name(row->st));
		view_same(hv, r, signal_ports, ARRAY_SIZE(signal_ports), v,
			  row->what);
	}

	/* Successes: the last flag; the reserved word ignored (spec.md §3.2:
	 * only "must be zero" fields are checked); memory-based. */
	CHECK_ST(signal_ev(hv, s, 1, 7), HV_STATUS_SUCCESS);
	CHECK_EQ(f[0], 0x80);
	struct hv_input_signal_event in = {
		.connection_id = 1, .flag_number = 6, .rsvdz = 0xFFFF,
	};

	CHECK_ST(t_fast(hv, s, HVCALL_SIGNAL_EVENT, &in, sizeof(in), NULL, 0),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(f[0], 0xC0);
	in.flag_number = 5;
	in.rsvdz = 0;
	CHECK_ST(t_mem(hv, s, HVCALL_SIGNAL_EVENT, &in, sizeof(in), NULL, 0),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(f[0], 0xE0);
	CHECK_ST(signal_ev(hv, s2, 6, 0), HV_STATUS_SUCCESS);
	CHECK_EQ(f[1], 0x01);		/* its base is 8 */
	CHECK_EQ(pprop(hv, r, 1, PC), 3);

	/* SynIC state (spec.md §8: SynIC or SIEF disabled, SIEF not mapped
	 * writable, or the SINT masked). */
	static const struct {
		const char *what;
		uint32_t reg;
		uint64_t value;
	} bad[] = {
		{ "SCONTROL 0", HV_REGISTER_SCONTROL, 0 },
		{ "SIEFP disabled", HV_REGISTER_SIEFP,
		  (uint64_t)SIEF(0) << 12 },
		{ "SIEFP 0", HV_REGISTER_SIEFP, 0 },
		{ "SIEF page not mapped", HV_REGISTER_SIEFP, 100ull << 12 | 1 },
		{ "SIEF page read-only", HV_REGISTER_SIEFP, 40ull << 12 | 1 },
		{ "SINT 2 masked", HV_REGISTER_SINT0 + 2,
		  HV_SYNIC_SINT_MASKED | 0x42 },
		{ "SINT 2 at its default", HV_REGISTER_SINT0 + 2,
		  HV_SYNIC_SINT_DEFAULT },
	};

	REQUIRE_ST(map_as(hv, r, 40, next++, 1, HV_MAP_GPA_READABLE),
		   HV_STATUS_SUCCESS);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t old = 0;

		REQUIRE_ST(t_get_reg64(hv, T_ROOT, r, 0, bad[i].reg, &old),
			   HV_STATUS_SUCCESS);
		set_reg(hv, r, 0, bad[i].reg, bad[i].value);
		view_take(hv, r, signal_ports, ARRAY_SIZE(signal_ports), v);
		hv_status_t got = signal_ev(hv, s, 1, 0);

		CHECK_MSG(got == HV_STATUS_INVALID_SYNIC_STATE,
			  "signal, %s: got %s", bad[i].what,
			  ohv_status_name(got));
		/* Order: FlagNumber first. */
		CHECK_ST(signal_ev(hv, s, 1, 8), HV_STATUS_INVALID_PARAMETER);
		view_same(hv, r, signal_ports, ARRAY_SIZE(signal_ports), v,
			  bad[i].what);
		set_reg(hv, r, 0, bad[i].reg, old);
	}
	/* SIEFP bits 11:1 are not address bits; the SIM does not matter. */
	set_reg(hv, r, 0, HV_REGISTER_SIEFP, (uint64_t)SIEF(0) << 12 | 0xFFF);
	set_reg(hv, r, 0, HV_REGISTER_SIMP, 0);
	CHECK_ST(signal_ev(hv, s, 1, 0), HV_STATUS_SUCCESS);
	CHECK_EQ(f[0], 0xE1);

	/* Target VP gone. */
	REQUIRE_ST(t_delete_vp(hv, r, 1), HV_STATUS_SUCCESS);
	view_take(hv, r, signal_ports, ARRAY_SIZE(signal_ports), v);
	CHECK_ST(signal_ev(hv, s, 4, 0), HV_STATUS_INVALID_VP_INDEX);
	CHECK_ST(signal_ev(hv, s, 4, 8), HV_STATUS_INVALID_PARAMETER);
	view_same(hv, r, signal_ports, ARRAY_SIZE(signal_ports), v, "VP gone");
	free(v);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Event flags (spec.md §8; facts §4.10: flag n = byte n / 8, bit n % 8).      */

/*
 * A port with BaseFlagNumber 100 sets bits 100 + FlagNumber of its SINT's
 * 256-byte SIEF slot and nothing else on the page.  The interrupt is
 * raised on a 0 -> 1 edge only: signalling a set flag succeeds (and
 * counts) but raises nothing; once the guest clears the bit it raises
 * again.  The last flag of a 2048-flag port is bit 7 of byte 255, and a
 * port at BaseFlagNumber 2047 owns exactly that bit.
 */
TEST(message_event_edges_and_flags)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t r = rx_child(hv, &next, PRIV_RX, 1);
	uint64_t s = tx_child(hv, &next, PRIV_TX);
	uint8_t *page = ohv_gpa(hv, r, (uint64_t)SIEF(0) << 12, HV_PAGE_SIZE);
	uint8_t want[HV_PAGE_SIZE];

	REQUIRE(page);
	synic_on(hv, r, 0, SIM(0), SIEF(0));
	for (uint32_t i = 4; i <= 6; i++)
		sint_set(hv, r, 0, i, 0x40 + i);
	REQUIRE_ST(mk_port(hv, r, 1, s, event_info(4, 0, 100, 8)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 2, s, event_info(5, 0, 0, 2048)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 3, s, event_info(6, 0, 2047, 1)),
		   HV_STATUS_SUCCESS);
	for (uint32_t i = 1; i <= 3; i++)
		REQUIRE_ST(mk_conn(hv, s, i, r, i, HV_PORT_TYPE_EVENT),
			   HV_STATUS_SUCCESS);
	memset(page, 0, HV_PAGE_SIZE);
	memset(want, 0, sizeof(want));

	CHECK_ST(signal_ev(hv, s, 1, 0), HV_STATUS_SUCCESS);
	want[4 * 256 + 12] = 1 << 4;			/* bit 100 */
	CHECK(!memcmp(page, want, HV_PAGE_SIZE));
	struct ohv_sint_state ss = sints(hv, r, 0);

	CHECK_EQ(ss.raised[4], 1);
	CHECK_EQ(ss.vector[4], 0x44);
	CHECK_EQ(ss.pending, 1u << 4);
	CHECK_EQ(ohv_vp_sint_ack(hv, r, 0, 4), 1);
	/* Already set: no edge. */
	CHECK_ST(signal_ev(hv, s, 1, 0), HV_STATUS_SUCCESS);
	CHECK(!memcmp(page, want, HV_PAGE_SIZE));
	CHECK_EQ(sints(hv, r, 0).raised[4], 1);
	CHECK_EQ(sints(hv, r, 0).pending, 0);
	/* Another flag of the port: its own edge. */
	CHECK_ST(signal_ev(hv, s, 1, 7), HV_STATUS_SUCCESS);
	want[4 * 256 + 13] = 1 << 3;			/* bit 107 */
	CHECK(!memcmp(page, want, HV_PAGE_SIZE));
	CHECK_EQ(sints(hv, r, 0).raised[4], 2);
	/* The guest clears bit 100; it raises again. */
	page[4 * 256 + 12] = 0;
	CHECK_ST(signal_ev(hv, s, 1, 0), HV_STATUS_SUCCESS);
	CHECK(!memcmp(page, want, HV_PAGE_SIZE));
	CHECK_EQ(sints(hv, r, 0).raised[4], 3);
	/* Other guest bits in the byte are left alone. */
	page[4 * 256 + 12] = 0x0F;
	want[4 * 256 + 12] = 0x0F;
	CHECK_ST(signal_ev(hv, s, 1, 0), HV_STATUS_SUCCESS);
	want[4 * 256 + 12] = 0x1F;
	CHECK(!memcmp(page, want, HV_PAGE_SIZE));
	CHECK_EQ(sints(hv, r, 0).raised[4], 4);
	CHECK_EQ(pprop(hv, r, 1, PC), 5);

	/* 2048 flags: the last one. */
	CHECK_ST(signal_ev(hv, s, 2, 2047), HV_STATUS_SUCCESS);
	want[5 * 256 + 255] = 0x80;
	CHECK_ST(signal_ev(hv, s, 2, 2048), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(signal_ev(hv, s, 2, 0), HV_STATUS_SUCCESS);
	want[5 * 256] = 0x01;
	CHECK(!memcmp(page, want, HV_PAGE_SIZE));
	CHECK_EQ(sints(hv, r, 0).raised[5], 2);
	/* Base 2047, one flag. */
	CHECK_ST(signal_ev(hv, s, 3, 1), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(signal_ev(hv, s, 3, 0), HV_STATUS_SUCCESS);
	want[6 * 256 + 255] = 0x80;
	CHECK(!memcmp(page, want, HV_PAGE_SIZE));
	CHECK_EQ(sints(hv, r, 0).raised[6], 1);
	CHECK_EQ(sints(hv, r, 0).vector[6], 0x46);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* The root as receiver and sender (spec.md §1: the root's GPA space is the    */
/* identity map; spec.md §8: SIM/SIEF are the receiver's own memory).          */

/*
 * The root's VP 0 has its SIM at root page 8, SIEF at 9.  A child posts
 * and signals to ports in the root; the root reads its own slots,
 * acknowledges and writes EOM on itself.  A SIM page the root deposited
 * into its pool, or gave up write access to, is unusable.
 */
TEST(message_root_receives_from_child)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t c = tx_child(hv, &next, PRIV_TX);
	const struct ohv_costs costs = costs_of(hv);
	struct hv_message *m = slot(hv, T_ROOT, 8, 3);
	uint8_t *f = sief(hv, T_ROOT, 9, 3);

	memset(m, 0, 256);
	memset(f, 0, 256);
	REQUIRE_ST(t_set_reg64(hv, T_ROOT, SELF, 0, HV_REGISTER_SCONTROL, 1),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(t_set_reg64(hv, T_ROOT, SELF, 0, HV_REGISTER_SIMP,
			       8ull << 12 | 1), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_set_reg64(hv, T_ROOT, T_ROOT, 0, HV_REGISTER_SIEFP,
			       9ull << 12 | 1), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_set_reg64(hv, T_ROOT, T_ROOT, 0, HV_REGISTER_SINT0 + 3,
			       0x33), HV_STATUS_SUCCESS);
	t_fund(hv, SELF, &next, 2 * costs.port);
	REQUIRE_ST(mk_port(hv, SELF, 1, c, msg_info(3, 0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, T_ROOT, 2, c, event_info(3, HV_ANY_VP, 0, 16)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, c, 1, T_ROOT, 1, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, c, 2, SELF, 2, HV_PORT_TYPE_EVENT),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(t_info(hv, T_ROOT).pool_available, 0);

	CHECK_ST(post(hv, c, 1, 0xAB), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, c, 1, 0xAC), HV_STATUS_SUCCESS);
	CHECK_EQ(m->header.message_type, 1);
	CHECK_EQ(m->header.port, 1);
	CHECK_EQ(m->payload[0], 0xAB);
	CHECK_EQ(m->header.message_flags, HV_MESSAGE_FLAG_PENDING);
	struct ohv_sint_state ss = sints(hv, T_ROOT, 0);

	CHECK_EQ(ss.raised[3], 1);
	CHECK_EQ(ss.vector[3], 0x33);
	CHECK_EQ(ss.queued[3], 1);
	CHECK_EQ(ohv_vp_sint_ack(hv, T_ROOT, 0, 3), 1);
	CHECK_EQ(take(m), 0xAB);
	CHECK_ST(t_set_reg64(hv, T_ROOT, SELF, HV_VP_INDEX_SELF,
			     HV_REGISTER_EOM, 0), HV_STATUS_SUCCESS);
	CHECK_EQ(take(m), 0xAC);
	CHECK_EQ(sints(hv, T_ROOT, 0).raised[3], 2);

	CHECK_ST(signal_ev(hv, c, 2, 9), HV_STATUS_SUCCESS);
	CHECK_EQ(f[1], 0x02);
	CHECK_EQ(sints(hv, T_ROOT, 0).raised[3], 3);

	/* The SIM page deposited: not the root's memory any more. */
	REQUIRE_ST(t_deposit(hv, SELF, 8, 1, NULL), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, c, 1, 0xAD), HV_STATUS_INVALID_SYNIC_STATE);
	uint64_t back = 0;
	uint32_t done = 0;

	REQUIRE_ST(t_withdraw(hv, SELF, 1, &back, &done), HV_STATUS_SUCCESS);
	CHECK_EQ(back, 8);
	m = slot(hv, T_ROOT, 8, 3);
	CHECK_EQ(m->header.message_type, 0);		/* zeroed */
	CHECK_ST(post(hv, c, 1, 0xAE), HV_STATUS_SUCCESS);
	CHECK_EQ(take(m), 0xAE);
	/* Read-only for the root (identity map, spec.md §6). */
	uint64_t buf[4] = { SELF, 8, HV_MAP_GPA_READABLE, 8 };

	REQUIRE_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, 1, 0),
			 buf, sizeof(buf), NULL, 0), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, c, 1, 0xAF), HV_STATUS_INVALID_SYNIC_STATE);
	buf[2] = HV_MAP_GPA_PERMISSIONS_MASK;
	REQUIRE_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, 1, 0),
			 buf, sizeof(buf), NULL, 0), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, c, 1, 0xB0), HV_STATUS_SUCCESS);
	CHECK_EQ(take(m), 0xB0);
	CHECK_EQ(pprop(hv, T_ROOT, 1, PC), 4);
	t_close(hv);
}

/*
 * The root's own connection (ConnectionPartition SELF) to ports in a
 * child: the root posts (memory-based) and signals (fast); the child sees
 * them in its own pages; the root's pool pays for the connections.
 */
TEST(message_child_receives_from_root)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t r = rx_child(hv, &next, PRIV_RX, 1);
	const struct ohv_costs costs = costs_of(hv);
	struct hv_message *m = slot(hv, r, SIM(0), 2);
	uint8_t *f = sief(hv, r, SIEF(0), 2);

	synic_on(hv, r, 0, SIM(0), SIEF(0));
	sint_set(hv, r, 0, 2, 0x42);
	REQUIRE_ST(mk_port(hv, r, 1, T_ROOT, msg_info(2, 0)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 2, SELF, event_info(2, 0, 0, 8)),
		   HV_STATUS_SUCCESS);
	t_fund(hv, SELF, &next, 2 * costs.connection);
	uint64_t root0 = t_info(hv, T_ROOT).pool_in_use;

	REQUIRE_ST(mk_conn(hv, SELF, 1, r, 1, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, T_ROOT, 2, r, 2, HV_PORT_TYPE_EVENT),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(t_info(hv, T_ROOT).pool_in_use, root0 + 2 * costs.connection);

	CHECK_ST(post(hv, T_ROOT, 1, 0xCAFE), HV_STATUS_SUCCESS);
	CHECK_EQ(m->header.port, 1);
	CHECK_EQ(take(m), 0xCAFE);
	CHECK_ST(signal_ev(hv, T_ROOT, 2, 3), HV_STATUS_SUCCESS);
	CHECK_EQ(f[0], 0x08);
	CHECK_EQ(sints(hv, r, 0).raised[2], 2);
	/* The root's connection ids are its own: the child has none. */
	CHECK_ST(post(hv, r, 1, 1), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(disconnect(hv, SELF, 1), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, T_ROOT, 1, 0xCAFF), HV_STATUS_INVALID_CONNECTION_ID);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Seed 004 remarks: HvDeletePort with messages in flight.                 */

/*
 * "Any undelivered messages that are present in the queue will be lost";
 * "messages with the deleted port's identifier might possibly arrive after
 * HvDeletePort" (the one already in the SIM slot stays); "subsequent
 * attempts to send messages or signal events through a connection to this
 * port will fail" (INVALID_PORT_ID).  Another port's messages on the same
 * queue survive, in order, and the queue stays sound whether the deleted
 * messages were at its head, middle or tail.  A new port with the id gets
 * 16 fresh buffers.
 */
TEST(message_delete_port_seed004)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	const struct ohv_costs costs = costs_of(hv);
	uint64_t r = rx_child(hv, &next, PRIV_RX, 1);
	uint64_t s = tx_child(hv, &next, PRIV_TX);
	struct hv_message *m = slot(hv, r, SIM(0), 2);

	synic_on(hv, r, 0, SIM(0), SIEF(0));
	sint_set(hv, r, 0, 2, 0x42);
	for (uint32_t i = 1; i <= 2; i++) {
		REQUIRE_ST(mk_port(hv, r, i, s, msg_info(2, 0)),
			   HV_STATUS_SUCCESS);
		REQUIRE_ST(mk_conn(hv, s, i, r, i, HV_PORT_TYPE_MESSAGE),
			   HV_STATUS_SUCCESS);
	}
	CHECK_ST(post(hv, s, 1, 0xA1), HV_STATUS_SUCCESS);	/* slot */
	CHECK_ST(post(hv, s, 2, 0xB1), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 1, 0xA2), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 2, 0xB2), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 1, 0xA3), HV_STATUS_SUCCESS);	/* tail */
	CHECK_EQ(sints(hv, r, 0).queued[2], 4);
	uint64_t r0 = t_info(hv, r).pool_in_use;
	uint64_t raised = sints(hv, r, 0).raised[2];

	CHECK_ST(delete_port(hv, r, 1), HV_STATUS_SUCCESS);
	CHECK_EQ(t_info(hv, r).pool_in_use, r0 - costs.port);
	CHECK_EQ(sints(hv, r, 0).queued[2], 2);
	CHECK_EQ(m->header.message_type, 1);		/* still there */
	CHECK_EQ(m->header.port, 1);
	CHECK_EQ(m->payload[0], 0xA1);
	CHECK_ST(post(hv, s, 1, 0xA4), HV_STATUS_INVALID_PORT_ID);
	/* The queue is sound: a new message goes after B2. */
	CHECK_ST(post(hv, s, 2, 0xB3), HV_STATUS_SUCCESS);
	static const uint64_t rest[] = { 0xB1, 0xB2, 0xB3 };

	CHECK_EQ(take(m), 0xA1);
	for (size_t i = 0; i < ARRAY_SIZE(rest); i++) {
		eom(hv, r, 0);
		CHECK_EQ(m->header.port, 2);
		CHECK_EQ(take(m), rest[i]);
	}
	eom(hv, r, 0);
	CHECK_EQ(m->header.message_type, 0);
	CHECK_EQ(sints(hv, r, 0).raised[2], raised + ARRAY_SIZE(rest));

	/* Head and tail: the new port 1 (old connection 1 stays dead;
	 * connection 3 leads to it) has the queue's first and last. */
	REQUIRE_ST(mk_port(hv, r, 1, s, msg_info(2, 0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 3, r, 1, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 1, 0xA5), HV_STATUS_INVALID_PORT_ID);
	CHECK_ST(post(hv, s, 2, 0xC1), HV_STATUS_SUCCESS);	/* slot */
	CHECK_ST(post(hv, s, 3, 0xD1), HV_STATUS_SUCCESS);	/* head */
	CHECK_ST(post(hv, s, 2, 0xC2), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 3, 0xD2), HV_STATUS_SUCCESS);	/* tail */
	CHECK_ST(delete_port(hv, r, 1), HV_STATUS_SUCCESS);
	CHECK_EQ(sints(hv, r, 0).queued[2], 1);
	CHECK_ST(post(hv, s, 2, 0xC3), HV_STATUS_SUCCESS);
	CHECK_EQ(take(m), 0xC1);
	eom(hv, r, 0);
	CHECK_EQ(take(m), 0xC2);
	eom(hv, r, 0);
	CHECK_EQ(take(m), 0xC3);
	eom(hv, r, 0);
	CHECK_EQ(m->header.message_type, 0);

	/* Delete a port whose 16 buffers are all queued: a new port with
	 * the id has its 16 free. */
	REQUIRE_ST(mk_port(hv, r, 1, s, msg_info(2, 0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 4, r, 1, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	for (uint32_t i = 0; i < 17; i++)
		CHECK_ST(post(hv, s, 4, 0x100 + i), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 4, 0x200), HV_STATUS_INSUFFICIENT_BUFFERS);
	CHECK_ST(delete_port(hv, r, 1), HV_STATUS_SUCCESS);
	CHECK_EQ(sints(hv, r, 0).queued[2], 0);
	CHECK_EQ(m->payload[0], 0x100);
	REQUIRE_ST(mk_port(hv, r, 1, s, msg_info(2, 0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 5, r, 1, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(pprop(hv, r, 1, PC), 0);
	for (uint32_t i = 0; i < 16; i++)
		CHECK_ST(post(hv, s, 5, 0x300 + i), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 5, 0x400), HV_STATUS_INSUFFICIENT_BUFFERS);

	/* Events: a set flag stays in the SIEF page; later signals fail. */
	uint8_t *f = sief(hv, r, SIEF(0), 2);

	REQUIRE_ST(mk_port(hv, r, 9, s, event_info(2, 0, 0, 8)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 9, r, 9, HV_PORT_TYPE_EVENT),
		   HV_STATUS_SUCCESS);
	CHECK_ST(signal_ev(hv, s, 9, 1), HV_STATUS_SUCCESS);
	CHECK_ST(delete_port(hv, r, 9), HV_STATUS_SUCCESS);
	CHECK_EQ(f[0], 0x02);
	CHECK_ST(signal_ev(hv, s, 9, 2), HV_STATUS_INVALID_PORT_ID);
	CHECK_EQ(f[0], 0x02);
	t_destroy_child(hv, r);
	t_destroy_child(hv, s);
	uint64_t used;

	CHECK_ST(t_balance(hv, SELF, NULL, &used), HV_STATUS_SUCCESS);
	CHECK_EQ(used, 0);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Finalize with messages in flight (spec.md §4.4, facts §5.5).                */

/*
 * The port partition is finalized with one message in a slot and three
 * queued: its ports, buffers and queued messages go, all its pages become
 * available; the sender's connections lead nowhere (INVALID_PORT_ID for
 * posts and signals) but stay until disconnected.
 */
TEST(message_finalize_port_partition)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	const struct ohv_costs costs = costs_of(hv);
	uint64_t r = rx_child(hv, &next, PRIV_RX, 1);
	uint64_t s = tx_child(hv, &next, PRIV_TX);

	synic_on(hv, r, 0, SIM(0), SIEF(0));
	sint_set(hv, r, 0, 2, 0x42);
	REQUIRE_ST(mk_port(hv, r, 1, s, msg_info(2, 0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 2, s, event_info(2, 0, 0, 8)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 1, r, 1, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 2, r, 2, HV_PORT_TYPE_EVENT),
		   HV_STATUS_SUCCESS);
	for (uint64_t t = 1; t <= 4; t++)
		CHECK_ST(post(hv, s, 1, t), HV_STATUS_SUCCESS);
	CHECK_ST(signal_ev(hv, s, 2, 0), HV_STATUS_SUCCESS);
	CHECK_EQ(sints(hv, r, 0).queued[2], 3);
	uint64_t s0 = t_info(hv, s).pool_in_use;

	REQUIRE_ST(t_finalize(hv, r), HV_STATUS_SUCCESS);
	CHECK_EQ(t_info(hv, r).pool_in_use, 0);
	CHECK(ohv_vp_sints(hv, r, 0, &(struct ohv_sint_state){ 0 }) == -ENOENT);
	CHECK_ST(post(hv, s, 1, 5), HV_STATUS_INVALID_PORT_ID);
	CHECK_ST(signal_ev(hv, s, 2, 0), HV_STATUS_INVALID_PORT_ID);
	CHECK_EQ(t_info(hv, s).pool_in_use, s0);
	CHECK_ST(disconnect(hv, s, 1), HV_STATUS_SUCCESS);
	CHECK_ST(disconnect(hv, s, 2), HV_STATUS_SUCCESS);
	CHECK_EQ(t_info(hv, s).pool_in_use, s0 - 2 * costs.connection);
	CHECK_ST(post(hv, s, 1, 6), HV_STATUS_INVALID_CONNECTION_ID);
	t_destroy_child(hv, r);
	t_destroy_child(hv, s);
	uint64_t used;

	CHECK_ST(t_balance(hv, SELF, NULL, &used), HV_STATUS_SUCCESS);
	CHECK_EQ(used, 0);
	t_close(hv);
}

/*
 * The connection partition is finalized while its messages wait in the
 * receiver: they are the receiver's (its port's buffers, its VP's queue),
 * so they stay and are delivered by EOM in order, as after a disconnect
 * (facts §5.5).  The port lost its connection, but only the named
 * ConnectionPartition may connect and it is Finalized
 * (INVALID_PARTITION_STATE) and then deleted (INVALID_PARTITION_ID);
 * anyone else gets INVALID_PARTITION_ID.  What remains testable: the port
 * keeps working for its other uses (properties, EOM delivery, delete) and
 * the invariant checker finds no dangling link.
 */
TEST(message_finalize_connection_partition)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t r = rx_child(hv, &next, PRIV_RX, 1);
	uint64_t s = tx_child(hv, &next, PRIV_TX);
	uint64_t t = tx_child(hv, &next, PRIV_TX);
	struct hv_message *m = slot(hv, r, SIM(0), 2);

	synic_on(hv, r, 0, SIM(0), SIEF(0));
	sint_set(hv, r, 0, 2, 0x42);
	REQUIRE_ST(mk_port(hv, r, 1, s, msg_info(2, 0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 1, r, 1, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	for (uint64_t i = 1; i <= 4; i++)
		CHECK_ST(post(hv, s, 1, i), HV_STATUS_SUCCESS);
	uint64_t r0 = t_info(hv, r).pool_in_use;

	REQUIRE_ST(t_finalize(hv, s), HV_STATUS_SUCCESS);
	CHECK_EQ(t_info(hv, s).pool_in_use, 0);
	CHECK_EQ(t_info(hv, r).pool_in_use, r0);
	CHECK_EQ(sints(hv, r, 0).queued[2], 3);
	CHECK_EQ(pprop(hv, r, 1, PC), 4);
	CHECK_ST(mk_conn(hv, s, 2, r, 1, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_INVALID_PARTITION_STATE);
	CHECK_ST(mk_conn(hv, t, 2, r, 1, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_INVALID_PARTITION_ID);
	for (uint64_t i = 1; i <= 4; i++) {
		CHECK_EQ(take(m), i);
		eom(hv, r, 0);
	}
	CHECK_EQ(m->header.message_type, 0);
	CHECK_EQ(sints(hv, r, 0).queued[2], 0);
	t_destroy_child(hv, s);
	CHECK_ST(mk_conn(hv, s, 2, r, 1, HV_PORT_TYPE_MESSAGE),
		 HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(set_pprop(hv, r, 1, PTV, 0), HV_STATUS_SUCCESS);
	CHECK_ST(delete_port(hv, r, 1), HV_STATUS_SUCCESS);
	CHECK_EQ(t_info(hv, r).pool_in_use, r0 - costs_of(hv).port);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* HvDeleteVp with messages queued on it (spec.md §7, 8).                      */

/*
 * VP 1 of r has one message in its slot and five queued, from a port
 * aimed at it and from an HV_ANY_VP port preferring it.  Deleting VP 1
 * discards those five and frees their buffers; VP 0's queue is untouched;
 * the VP-aimed port now says INVALID_VP_INDEX, the HV_ANY_VP one falls
 * back to VP 0.  A new VP 1 (with a fresh SIM page) takes 1 + 16 from the
 * first port again: all of its buffers came back.
 */
TEST(message_delete_vp_with_queue)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	const struct ohv_costs costs = costs_of(hv);
	uint64_t r = rx_child(hv, &next, PRIV_RX, 2);
	uint64_t s = tx_child(hv, &next, PRIV_TX);

	for (uint32_t v = 0; v < 2; v++) {
		synic_on(hv, r, v, SIM(v), SIEF(v));
		sint_set(hv, r, v, 2, 0x42);
	}
	REQUIRE_ST(mk_port(hv, r, 1, s, msg_info(2, 1)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 2, s, msg_info(2, 0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 3, s, msg_info(2, HV_ANY_VP)),
		   HV_STATUS_SUCCESS);
	for (uint32_t i = 1; i <= 3; i++)
		REQUIRE_ST(mk_conn(hv, s, i, r, i, HV_PORT_TYPE_MESSAGE),
			   HV_STATUS_SUCCESS);
	CHECK_ST(set_pprop(hv, r, 3, PTV, 1), HV_STATUS_SUCCESS);
	for (uint64_t i = 0; i < 4; i++)
		CHECK_ST(post(hv, s, 1, 0x10 + i), HV_STATUS_SUCCESS);
	for (uint64_t i = 0; i < 2; i++)
		CHECK_ST(post(hv, s, 3, 0x30 + i), HV_STATUS_SUCCESS);
	for (uint64_t i = 0; i < 2; i++)
		CHECK_ST(post(hv, s, 2, 0x20 + i), HV_STATUS_SUCCESS);
	CHECK_EQ(sints(hv, r, 1).queued[2], 5);
	CHECK_EQ(sints(hv, r, 0).queued[2], 1);
	uint64_t r0 = t_info(hv, r).pool_in_use;

	REQUIRE_ST(t_delete_vp(hv, r, 1), HV_STATUS_SUCCESS);
	CHECK_EQ(t_info(hv, r).pool_in_use, r0 - costs.vp);
	CHECK_EQ(sints(hv, r, 0).queued[2], 1);
	CHECK_ST(post(hv, s, 1, 0x14), HV_STATUS_INVALID_VP_INDEX);
	CHECK_ST(post(hv, s, 3, 0x32), HV_STATUS_SUCCESS);	/* VP 0 */
	CHECK_EQ(sints(hv, r, 0).queued[2], 2);

	/* VP 0 delivers 0x20, 0x21, 0x32. */
	struct hv_message *m0 = slot(hv, r, SIM(0), 2);
	static const uint64_t v0[] = { 0x20, 0x21, 0x32 };

	for (size_t i = 0; i < ARRAY_SIZE(v0); i++) {
		CHECK_EQ(take(m0), v0[i]);
		eom(hv, r, 0);
	}
	CHECK_EQ(m0->header.message_type, 0);

	/* A new VP 1, SIM at a fresh page. */
	REQUIRE_ST(t_create_vp(hv, r, 1), HV_STATUS_SUCCESS);
	set_reg(hv, r, 1, HV_REGISTER_EXPLICIT_SUSPEND, 0);
	synic_on(hv, r, 1, 12, SIEF(1));
	sint_set(hv, r, 1, 2, 0x42);
	CHECK_EQ(sints(hv, r, 1).raised[2], 0);
	uint32_t ok = 0;
	hv_status_t st;

	while ((st = post(hv, s, 1, 0x500 + ok)) == HV_STATUS_SUCCESS &&
	       ok < 40)
		ok++;
	CHECK_ST(st, HV_STATUS_INSUFFICIENT_BUFFERS);
	CHECK_EQ(ok, 17);
	CHECK_EQ(slot(hv, r, 12, 2)->payload[0], 0x500);
	/* Port 3 lost two buffers' worth of messages with VP 1 and
	 * delivered the third: 16 free, all now queued behind VP 1's full
	 * slot. */
	ok = 0;
	while ((st = post(hv, s, 3, 0x600 + ok)) == HV_STATUS_SUCCESS &&
	       ok < 40)
		ok++;
	CHECK_ST(st, HV_STATUS_INSUFFICIENT_BUFFERS);
	CHECK_EQ(ok, 16);
	CHECK_EQ(sints(hv, r, 1).queued[2], 32);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* PostCount (facts §4.9: messages successfully posted since creation).    */

/*
 * PostCount counts successful HvPostMessage and HvSignalEvent calls
 * through the port (an event signalled twice counts twice), not failures
 * (bad parameter, INSUFFICIENT_BUFFERS, INVALID_SYNIC_STATE) and not
 * deliveries by EOM; it survives a disconnect and a new connection; it is
 * read-only; a new port with a deleted one's id starts at 0.
 */
TEST(message_post_count)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t r = rx_child(hv, &next, PRIV_RX, 1);
	uint64_t s = tx_child(hv, &next, PRIV_TX);
	struct hv_message *m = slot(hv, r, SIM(0), 2);

	synic_on(hv, r, 0, SIM(0), SIEF(0));
	sint_set(hv, r, 0, 2, 0x42);
	REQUIRE_ST(mk_port(hv, r, 1, s, msg_info(2, 0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 2, s, event_info(2, 0, 0, 4)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 1, r, 1, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 2, r, 2, HV_PORT_TYPE_EVENT),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(pprop(hv, r, 1, PC), 0);

	for (uint64_t i = 1; i <= 3; i++)
		CHECK_ST(post(hv, s, 1, i), HV_STATUS_SUCCESS);
	struct hv_input_post_message bad = { .connection_id = 1 };

	CHECK_ST(post_in(hv, s, &bad), HV_STATUS_INVALID_PARAMETER);
	CHECK_EQ(pprop(hv, r, 1, PC), 3);
	for (uint64_t i = 4; i <= 17; i++)
		CHECK_ST(post(hv, s, 1, i), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 1, 18), HV_STATUS_INSUFFICIENT_BUFFERS);
	CHECK_EQ(pprop(hv, r, 1, PC), 17);
	set_reg(hv, r, 0, HV_REGISTER_SCONTROL, 0);
	CHECK_ST(post(hv, s, 1, 18), HV_STATUS_INVALID_SYNIC_STATE);
	set_reg(hv, r, 0, HV_REGISTER_SCONTROL, 1);
	/* Deliveries by EOM do not count. */
	for (int i = 0; i < 5; i++) {
		take(m);
		eom(hv, r, 0);
	}
	CHECK_EQ(pprop(hv, r, 1, PC), 17);
	/* Disconnect and a new connection: the count is the port's. */
	CHECK_ST(disconnect(hv, s, 1), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 5, r, 1, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 5, 19), HV_STATUS_SUCCESS);
	CHECK_EQ(pprop(hv, r, 1, PC), 18);
	CHECK_ST(set_pprop(hv, r, 1, PC, 0),
		 HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE);
	CHECK_EQ(pprop(hv, r, 1, PC), 18);

	/* Events: every successful signal counts, edge or not. */
	CHECK_ST(signal_ev(hv, s, 2, 1), HV_STATUS_SUCCESS);
	CHECK_ST(signal_ev(hv, s, 2, 1), HV_STATUS_SUCCESS);
	CHECK_ST(signal_ev(hv, s, 2, 4), HV_STATUS_INVALID_PARAMETER);
	sint_set(hv, r, 0, 2, HV_SYNIC_SINT_MASKED);
	CHECK_ST(signal_ev(hv, s, 2, 1), HV_STATUS_INVALID_SYNIC_STATE);
	CHECK_EQ(pprop(hv, r, 2, PC), 2);

	/* A new port with the id starts from 0. */
	CHECK_ST(delete_port(hv, r, 1), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 1, s, msg_info(2, 0)), HV_STATUS_SUCCESS);
	CHECK_EQ(pprop(hv, r, 1, PC), 0);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* arm64 (spec.md §2, 3.3): the same port calls and layouts.                   */

/*
 * On an arm64 instance the port, message and event calls behave the same:
 * the root creates and connects (memory-based), a child posts and
 * signals, the receiver gets the slot and the flag, and the statuses of
 * a bad post are the same.
 */
TEST(message_arm64)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.arch = OHV_ARCH_ARM64;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t r = rx_child(hv, &next, PRIV_RX, 1);
	uint64_t s = tx_child(hv, &next, PRIV_TX);
	struct hv_message *m = slot(hv, r, SIM(0), 2);
	uint8_t *f = sief(hv, r, SIEF(0), 2);

	synic_on(hv, r, 0, SIM(0), SIEF(0));
	sint_set(hv, r, 0, 2, 0x42);
	REQUIRE_ST(mk_port(hv, r, 1, s, msg_info(2, 0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_port(hv, r, 2, s, event_info(2, 0, 0, 8)),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 1, r, 1, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(mk_conn(hv, s, 2, r, 2, HV_PORT_TYPE_EVENT),
		   HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 1, 0x64), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, s, 1, 0x65), HV_STATUS_SUCCESS);
	CHECK_EQ(m->header.port, 1);
	CHECK_EQ(m->header.message_flags, HV_MESSAGE_FLAG_PENDING);
	CHECK_EQ(take(m), 0x64);
	eom(hv, r, 0);
	CHECK_EQ(take(m), 0x65);
	CHECK_ST(signal_ev(hv, s, 2, 2), HV_STATUS_SUCCESS);
	CHECK_EQ(f[0], 0x04);
	CHECK_ST(signal_ev(hv, s, 2, 8), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(post(hv, s, 9, 1), HV_STATUS_INVALID_CONNECTION_ID);
	CHECK_EQ(sints(hv, r, 0).raised[2], 3);
	CHECK_EQ(pprop(hv, r, 1, PC), 2);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Many senders at once (spec.md §2: thread-safe; spec.md §8: conservation).       */

/*
 * Four sender threads, each a VP of its own (two VPs in each of two
 * sending partitions), post through their own connections into four
 * ports of one receiver: two ports to VP 0 and two to VP 1, all SINT 3,
 * so two senders share each queue.  A fifth thread, the root's VP 1,
 * drains the receiver as a guest would: it reads a slot, clears it and
 * writes EOM as the parent.  Work is bounded by counts, not time.
 *
 * At the end every successful post was seen exactly once, per sender in
 * posting order (each port targets one VP: order is kept, facts §4.10);
 * each delivery raised SINT 3 once; nothing is queued; PostCount matches;
 * each port takes 16 queued messages again (no buffer lost); the invariant
 * checker is clean and every page comes back on teardown.  Threads record
 * errors; the main thread reports them.
 */
#define ST_SENDERS	4
#define ST_GOAL		10000u		/* successful posts per sender */
#define ST_TRIES	1000000u	/* attempts per sender, at most */
#define ST_DRAIN_PASSES	50000000u	/* drainer loop bound */
#define ST_SINT		3u
#define ST_TYPE		0x100u

struct st_sender {
	struct ohv *hv;
	pthread_barrier_t *go;
	uint64_t part;
	uint32_t vp, conn, tid;
	uint64_t in_gpa;
	struct hv_input_post_message *in;	/* host view of in_gpa */
	uint64_t posted, full, tries;
	unsigned errors;
	char err[160];
};

struct st_drainer {
	struct ohv *hv;
	pthread_barrier_t *go;
	uint64_t rx;
	struct hv_message *slot[2];
	uint32_t port_of[ST_SENDERS];		/* expected origination */
	uint32_t vp_of[ST_SENDERS];
	int stop;				/* set by main, atomic */
	uint64_t next_seq[ST_SENDERS];
	uint64_t delivered, eoms, passes;
	unsigned errors;
	char err[160];
};

__attribute__((format(printf, 3, 4)))
static void st_fail(unsigned *errors, char *buf, const char *fmt, ...)
{
	va_list ap;

	if ((*errors)++)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, 160, fmt, ap);
	va_end(ap);
}

static void *st_send(void *arg)
{
	struct st_sender *w = arg;

	pthread_barrier_wait(w->go);
	while (w->posted < ST_GOAL && w->tries < ST_TRIES) {
		struct ohv_hvcall call = {
			.control = HVCALL_POST_MESSAGE,
			.fast = { w->in_gpa, 0 },
		};

		w->tries++;
		w->in->connection_id = w->conn;
		w->in->message_type = ST_TYPE + w->tid;
		w->in->payload_size = 16;
		w->in->payload[0] = w->tid;
		w->in->payload[1] = w->posted;
		hv_status_t st = ohv_result_status(ohv_hypercall(w->hv, w->part,
								 w->vp, &call));

		if (st == HV_STATUS_SUCCESS) {
			w->posted++;
		} else if (st == HV_STATUS_INSUFFICIENT_BUFFERS) {
			w->full++;
			sched_yield();
		} else {
			st_fail(&w->errors, w->err, "sender %u: post: %s",
				w->tid, ohv_status_name(st));
			break;
		}
	}
	return NULL;
}

/* EOM for VP vp of the receiver, by the root's VP 1 (fast). */
static hv_status_t st_eom(struct ohv *hv, uint64_t rx, uint32_t vp)
{
	struct hv_input_set_vp_registers h = {
		.partition_id = rx, .vp_index = vp,
	};
	struct hv_register_assoc a = { .name = HV_REGISTER_EOM };
	struct ohv_hvcall call = {
		.control = ohv_control(HVCALL_SET_VP_REGISTERS, 1, 1, 0),
	};

	/* Header, then the one element (48 bytes of fast input). */
	memcpy(call.fast, &h, sizeof(h));
	memcpy((uint8_t *)call.fast + sizeof(h), &a, sizeof(a));
	return ohv_result_status(ohv_hypercall(hv, T_ROOT, 1, &call));
}

static void *st_drain(void *arg)
{
	struct st_drainer *d = arg;

	pthread_barrier_wait(d->go);
	for (d->passes = 0; d->passes < ST_DRAIN_PASSES; d->passes++) {
		bool any = false;

		for (uint32_t v = 0; v < 2; v++) {
			struct hv_message *m = d->slot[v];
			uint32_t type = __atomic_load_n(&m->header.message_type,
							__ATOMIC_ACQUIRE);

			if (type == HV_MESSAGE_TYPE_NONE)
				continue;
			any = true;
			uint64_t tid = m->payload[0], seq = m->payload[1];

			if (tid >= ST_SENDERS || type != ST_TYPE + tid ||
			    m->header.payload_size != 16 ||
			    m->header.port != d->port_of[tid] ||
			    d->vp_of[tid] != v || seq != d->next_seq[tid]) {
				st_fail(&d->errors, d->err,
					"VP %u: type 0x%x size %u port %u tid %"
					PRIu64 " seq %" PRIu64 " (want %" PRIu64
					")", v, type, m->header.payload_size,
					m->header.port, tid, seq,
					tid < ST_SENDERS ?
					d->next_seq[tid] : 0);
			} else {
				d->next_seq[tid]++;
			}
			d->delivered++;
			__atomic_store_n(&m->header.message_type, 0,
					 __ATOMIC_RELEASE);
			hv_status_t st = st_eom(d->hv, d->rx, v);

			d->eoms++;
			if (st != HV_STATUS_SUCCESS)
				st_fail(&d->errors, d->err, "EOM: %s",
					ohv_status_name(st));
		}
		if (any)
			continue;
		if (__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE)) {
			/* Senders are done and both slots are empty: after
			 * the EOMs nothing may still wait (a free slot with
			 * a non-empty queue would be a lost delivery). */
			struct ohv_sint_state s0, s1;

			if (ohv_vp_sints(d->hv, d->rx, 0, &s0) ||
			    ohv_vp_sints(d->hv, d->rx, 1, &s1)) {
				st_fail(&d->errors, d->err, "ohv_vp_sints");
				break;
			}
			if (s0.queued[ST_SINT] || s1.queued[ST_SINT])
				st_fail(&d->errors, d->err,
					"slots empty, %u + %u still queued",
					s0.queued[ST_SINT], s1.queued[ST_SINT]);
			break;
		}
		sched_yield();
	}
	return NULL;
}

/* A post by VP vp of part through the host view in at in_gpa. */
static hv_status_t st_post_now(struct ohv *hv, uint64_t part, uint32_t vp,
			       uint64_t in_gpa,
			       struct hv_input_post_message *in, uint32_t conn,
			       uint32_t tid, uint64_t seq)
{
	struct ohv_hvcall call = {
		.control = HVCALL_POST_MESSAGE, .fast = { in_gpa, 0 },
	};

	in->connection_id = conn;
	in->message_type = ST_TYPE + tid;
	in->payload_size = 16;
	in->payload[0] = tid;
	in->payload[1] = seq;
	return ohv_result_status(t_call(hv, part, vp, &call));
}

TEST(message_stress_conservation)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.root_vps = 2;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t r = rx_child(hv, &next, PRIV_RX, 2);
	uint64_t snd[2];
	struct st_sender w[ST_SENDERS];
	struct st_drainer d;
	pthread_barrier_t go;
	pthread_t th[ST_SENDERS + 1];

	memset(w, 0, sizeof(w));
	memset(&d, 0, sizeof(d));
	for (uint32_t v = 0; v < 2; v++) {
		synic_on(hv, r, v, SIM(v), SIEF(v));
		sint_set(hv, r, v, ST_SINT, 0x50 + v);
		d.slot[v] = slot(hv, r, SIM(v), ST_SINT);
		memset(d.slot[v], 0, sizeof(*d.slot[v]));
	}
	for (uint32_t i = 0; i < 2; i++) {
		snd[i] = tx_child(hv, &next, PRIV_TX);
		REQUIRE_ST(t_create_vp(hv, snd[i], 1), HV_STATUS_SUCCESS);
		set_reg(hv, snd[i], 1, HV_REGISTER_EXPLICIT_SUSPEND, 0);
	}
	/* Sender t: partition t / 2, its VP t % 2, connection 1 + t % 2,
	 * receiver port 1 + t, on receiver VP t / 2. */
	for (uint32_t t = 0; t < ST_SENDERS; t++) {
		struct st_sender *x = &w[t];

		x->hv = hv;
		x->go = &go;
		x->part = snd[t / 2];
		x->vp = t % 2;
		x->conn = 1 + t % 2;
		x->tid = t;
		x->in_gpa = (2ull + x->vp) << 12;
		x->in = ohv_gpa(hv, x->part, x->in_gpa, HV_PAGE_SIZE);
		REQUIRE(x->in);
		memset(x->in, 0, sizeof(*x->in));
		REQUIRE_ST(mk_port(hv, r, 1 + t, x->part,
				   msg_info(ST_SINT, t / 2)),
			   HV_STATUS_SUCCESS);
		REQUIRE_ST(mk_conn(hv, x->part, x->conn, r, 1 + t,
				   HV_PORT_TYPE_MESSAGE), HV_STATUS_SUCCESS);
		d.port_of[t] = 1 + t;
		d.vp_of[t] = t / 2;
	}
	d.hv = hv;
	d.go = &go;
	d.rx = r;

	REQUIRE(pthread_barrier_init(&go, NULL, ST_SENDERS + 1) == 0);
	for (uint32_t t = 0; t < ST_SENDERS; t++)
		REQUIRE(pthread_create(&th[t], NULL, st_send, &w[t]) == 0);
	REQUIRE(pthread_create(&th[ST_SENDERS], NULL, st_drain, &d) == 0);
	for (uint32_t t = 0; t < ST_SENDERS; t++)
		pthread_join(th[t], NULL);
	__atomic_store_n(&d.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th[ST_SENDERS], NULL);
	pthread_barrier_destroy(&go);

	uint64_t posted = 0;

	for (uint32_t t = 0; t < ST_SENDERS; t++) {
		CHECK_MSG(!w[t].errors, "%s", w[t].err);
		/* Enough got through to mean something. */
		CHECK_MSG(w[t].posted > 4 * HV_PORT_MESSAGE_BUFFER_COUNT,
			  "sender %u posted %" PRIu64 " in %" PRIu64 " tries",
			  t, w[t].posted, w[t].tries);
		CHECK_EQ(d.next_seq[t], w[t].posted);
		CHECK_EQ(pprop(hv, r, 1 + t, PC), w[t].posted);
		posted += w[t].posted;
	}
	CHECK_MSG(!d.errors, "%s", d.err);
	CHECK_MSG(d.passes < ST_DRAIN_PASSES, "drainer did not finish");
	CHECK_EQ(d.delivered, posted);
	struct ohv_sint_state s0 = sints(hv, r, 0), s1 = sints(hv, r, 1);

	CHECK_EQ(s0.raised[ST_SINT] + s1.raised[ST_SINT], posted);
	CHECK_EQ(s0.queued[ST_SINT] + s1.queued[ST_SINT], 0);
	CHECK_EQ(d.slot[0]->header.message_type, 0);
	CHECK_EQ(d.slot[1]->header.message_type, 0);
	CHECK_INVARIANTS(hv);

	/* No buffer lost: per VP, the first port fills the slot and 16
	 * buffers, the second its 16. */
	for (uint32_t t = 0; t < ST_SENDERS; t++) {
		uint32_t ok = 0;
		hv_status_t st;

		while ((st = st_post_now(hv, w[t].part, w[t].vp, w[t].in_gpa,
					 w[t].in, w[t].conn, t,
					 w[t].posted + ok)) ==
		       HV_STATUS_SUCCESS && ok < 40)
			ok++;
		CHECK_ST(st, HV_STATUS_INSUFFICIENT_BUFFERS);
		CHECK_EQ(ok, t % 2 ? 16 : 17);
		w[t].posted += ok;
	}
	/* And they drain, in order, single-threaded. */
	uint64_t extra = 0;

	for (uint32_t v = 0; v < 2; v++) {
		uint64_t tag;

		while (d.slot[v]->header.message_type) {
			uint64_t tid = d.slot[v]->payload[0];

			tag = d.slot[v]->payload[1];
			REQUIRE(tid < ST_SENDERS);
			CHECK_EQ(tag, d.next_seq[tid]);
			d.next_seq[tid]++;
			take(d.slot[v]);
			eom(hv, r, v);
			extra++;
		}
	}
	CHECK_EQ(extra, 2 * 17 + 2 * 16);
	for (uint32_t t = 0; t < ST_SENDERS; t++)
		CHECK_EQ(d.next_seq[t], w[t].posted);

	t_destroy_child(hv, snd[0]);
	t_destroy_child(hv, snd[1]);
	t_destroy_child(hv, r);
	uint64_t used;

	CHECK_ST(t_balance(hv, SELF, NULL, &used), HV_STATUS_SUCCESS);
	CHECK_EQ(used, 0);
	t_close(hv);
}
