/* SPDX-License-Identifier: MIT */
/*
 * Two children that talk: GPA mapping, VPs, a port each way, messages
 * through SIM slots with EOM, and an event (spec.md §6-8), end to end.
 */
#include "t.h"

#define PRIV_TALK (OHV_CHILD_PRIVILEGES | HV_PARTITION_PRIV_POST_MESSAGES | \
		   HV_PARTITION_PRIV_SIGNAL_EVENTS | \
		   HV_PARTITION_PRIV_ACCESS_VP_REGISTERS)

static uint64_t map_pages(struct ohv *hv, uint64_t child, uint64_t gpa_base,
			  uint64_t first_src, uint32_t n, uint32_t flags)
{
	uint64_t buf[3 + 64];
	struct hv_input_map_gpa_pages *in = (void *)buf;

	REQUIRE(n <= 64);
	in->target_partition_id = child;
	in->target_gpa_base = gpa_base;
	in->map_flags = flags;
	in->padding = 0;
	for (uint32_t i = 0; i < n; i++)
		in->source_gpa_page_list[i] = first_src + i;
	return t_mem(hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, n, 0),
		     buf, 24 + 8 * n, NULL, 0);
}

static hv_status_t set_reg(struct ohv *hv, uint64_t caller, uint64_t pid,
			   uint32_t vp, uint32_t name, uint64_t value)
{
	struct {
		struct hv_input_set_vp_registers h;
		struct hv_register_assoc a;
	} in = { .h = { .partition_id = pid, .vp_index = vp },
		 .a = { .name = name, .value.reg64 = value } };

	return ohv_result_status(t_mem(hv, caller,
				       ohv_control(HVCALL_SET_VP_REGISTERS, 0, 1, 0),
				       &in, sizeof(in), NULL, 0));
}

/* An Active child with VP 0 running, 16 pages mapped RW at GPA 0. */
static uint64_t talking_child(struct ohv *hv, uint64_t *next)
{
	uint64_t id;

	while (t_create(hv, &id) == HV_STATUS_INSUFFICIENT_MEMORY) {
		REQUIRE_ST(t_deposit(hv, HV_PARTITION_ID_SELF, *next, 1, NULL),
			   HV_STATUS_SUCCESS);
		(*next)++;
	}
	REQUIRE_ST(t_set_property(hv, id, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
				  PRIV_TALK), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_deposit(hv, id, *next, 64, NULL), HV_STATUS_SUCCESS);
	*next += 64;
	REQUIRE_ST(t_initialize(hv, id), HV_STATUS_SUCCESS);
	REQUIRE_ST(map_pages(hv, id, 0, *next, 16,
			     HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE),
		   HV_STATUS_SUCCESS);
	*next += 16;
	struct hv_input_create_vp cv = { .partition_id = id };

	REQUIRE_ST(t_mem(hv, T_ROOT, HVCALL_CREATE_VP, &cv, sizeof(cv), NULL, 0),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(set_reg(hv, T_ROOT, id, 0, HV_REGISTER_EXPLICIT_SUSPEND, 0),
		   HV_STATUS_SUCCESS);
	/* SynIC on, SIM at GPA page 2, SIEF at page 3, SINT2 vector 0x42. */
	REQUIRE_ST(set_reg(hv, id, id, 0, HV_REGISTER_SCONTROL, 1), HV_STATUS_SUCCESS);
	REQUIRE_ST(set_reg(hv, id, id, 0, HV_REGISTER_SIMP, (2 << 12) | 1),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(set_reg(hv, id, id, 0, HV_REGISTER_SIEFP, (3 << 12) | 1),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(set_reg(hv, id, id, 0, HV_REGISTER_SINT0 + 2, 0x42),
		   HV_STATUS_SUCCESS);
	return id;
}

static hv_status_t create_port(struct ohv *hv, uint64_t pp, uint32_t port,
			       uint64_t cp, uint32_t type)
{
	struct hv_input_create_port in = {
		.port_partition_id = pp, .port_id = port,
		.connection_partition_id = cp,
		.port_info = { .port_type = type },
	};

	in.port_info.message_port_info.target_sint = 2;
	in.port_info.message_port_info.target_vp = 0;
	if (type == HV_PORT_TYPE_EVENT)
		in.port_info.event_port_info.flag_count = 8;
	return ohv_result_status(t_mem(hv, T_ROOT, HVCALL_CREATE_PORT, &in,
				       sizeof(in), NULL, 0));
}

static hv_status_t connect(struct ohv *hv, uint64_t cp, uint32_t conn,
			   uint64_t pp, uint32_t port, uint32_t type)
{
	struct hv_input_connect_port in = {
		.connection_partition_id = cp, .connection_id = conn,
		.port_partition_id = pp, .port_id = port,
		.connection_info = { .port_type = type },
	};

	return ohv_result_status(t_mem(hv, T_ROOT, HVCALL_CONNECT_PORT, &in,
				       sizeof(in), NULL, 0));
}

static hv_status_t post(struct ohv *hv, uint64_t from, uint32_t conn,
			uint32_t value)
{
	struct hv_input_post_message in = {
		.connection_id = conn, .message_type = 7, .payload_size = 4,
	};

	memcpy(in.payload, &value, 4);
	return ohv_result_status(t_mem(hv, from, HVCALL_POST_MESSAGE, &in,
				       sizeof(in), NULL, 0));
}

TEST(talk_ping_pong)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t a = t_active_child(hv, &next);

	/* t_active_child children are not talkers; make two that are. */
	t_destroy_child(hv, a);
	a = talking_child(hv, &next);
	uint64_t b = talking_child(hv, &next);

	REQUIRE_ST(create_port(hv, a, 1, b, HV_PORT_TYPE_MESSAGE), HV_STATUS_SUCCESS);
	REQUIRE_ST(create_port(hv, b, 1, a, HV_PORT_TYPE_MESSAGE), HV_STATUS_SUCCESS);
	REQUIRE_ST(connect(hv, b, 5, a, 1, HV_PORT_TYPE_MESSAGE), HV_STATUS_SUCCESS);
	REQUIRE_ST(connect(hv, a, 5, b, 1, HV_PORT_TYPE_MESSAGE), HV_STATUS_SUCCESS);

	/* B posts 3 messages to A: one lands in the slot, two wait. */
	for (uint32_t i = 0; i < 3; i++)
		CHECK_ST(post(hv, b, 5, 100 + i), HV_STATUS_SUCCESS);
	struct hv_message *slot = ohv_gpa(hv, a, (2 << 12) + 2 * 256, 256);
	struct ohv_sint_state ss;

	REQUIRE(slot);
	for (uint32_t i = 0; i < 3; i++) {
		uint32_t v;

		CHECK_EQ(slot->header.message_type, 7);
		CHECK_EQ(slot->header.payload_size, 4);
		CHECK_EQ(slot->header.port, 1);
		CHECK_EQ(slot->header.message_flags, i < 2 ? 1 : 0);
		memcpy(&v, slot->payload, 4);
		CHECK_EQ(v, 100 + i);
		REQUIRE(ohv_vp_sints(hv, a, 0, &ss) == 0);
		CHECK_EQ(ss.raised[2], i + 1);
		CHECK_EQ(ss.vector[2], 0x42);
		CHECK_EQ(ss.queued[2], 2 - i);
		CHECK_EQ(ohv_vp_sint_ack(hv, a, 0, 2), 1);
		slot->header.message_type = 0;
		CHECK_ST(set_reg(hv, a, a, 0, HV_REGISTER_EOM, 0), HV_STATUS_SUCCESS);
	}
	CHECK_EQ(slot->header.message_type, 0);

	/* 16 buffers: the 17th queued message finds none. */
	CHECK_ST(post(hv, a, 5, 1), HV_STATUS_SUCCESS);	/* into B's slot */
	for (uint32_t i = 0; i < 16; i++)
		CHECK_ST(post(hv, a, 5, 2 + i), HV_STATUS_SUCCESS);
	CHECK_ST(post(hv, a, 5, 99), HV_STATUS_INSUFFICIENT_BUFFERS);

	/* Deleting B's port drops the queued 16, keeps the slot's. */
	struct hv_input_delete_port dp = { .port_partition_id = b, .port_id = 1 };

	CHECK_ST(t_mem(hv, T_ROOT, HVCALL_DELETE_PORT, &dp, sizeof(dp), NULL, 0),
		 HV_STATUS_SUCCESS);
	struct hv_message *bslot = ohv_gpa(hv, b, (2 << 12) + 2 * 256, 256);

	REQUIRE(bslot);
	CHECK_EQ(bslot->header.message_type, 7);
	CHECK_ST(post(hv, a, 5, 3), HV_STATUS_INVALID_PORT_ID);
	REQUIRE(ohv_vp_sints(hv, b, 0, &ss) == 0);
	CHECK_EQ(ss.queued[2], 0);

	/* Teardown: everything back in the root. */
	t_destroy_child(hv, a);
	t_destroy_child(hv, b);
	uint64_t avail, in_use;

	CHECK_ST(t_balance(hv, HV_PARTITION_ID_SELF, &avail, &in_use),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(in_use, 0);
	t_close(hv);
}

TEST(talk_event_edges)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t a = talking_child(hv, &next);
	uint64_t b = talking_child(hv, &next);
	struct ohv_sint_state ss;
	struct hv_input_signal_event ev = { .connection_id = 9, .flag_number = 3 };

	REQUIRE_ST(create_port(hv, a, 2, b, HV_PORT_TYPE_EVENT), HV_STATUS_SUCCESS);
	REQUIRE_ST(connect(hv, b, 9, a, 2, HV_PORT_TYPE_EVENT), HV_STATUS_SUCCESS);
	CHECK_ST(t_fast(hv, b, HVCALL_SIGNAL_EVENT, &ev, sizeof(ev), NULL, 0),
		 HV_STATUS_SUCCESS);
	CHECK_ST(t_fast(hv, b, HVCALL_SIGNAL_EVENT, &ev, sizeof(ev), NULL, 0),
		 HV_STATUS_SUCCESS);
	REQUIRE(ohv_vp_sints(hv, a, 0, &ss) == 0);
	CHECK_EQ(ss.raised[2], 1);	/* only the 0 -> 1 edge */
	uint8_t *sief = ohv_gpa(hv, a, (3 << 12) + 2 * 256, 256);

	REQUIRE(sief);
	CHECK_EQ(sief[0], 1 << 3);
	sief[0] = 0;
	CHECK_ST(t_fast(hv, b, HVCALL_SIGNAL_EVENT, &ev, sizeof(ev), NULL, 0),
		 HV_STATUS_SUCCESS);
	REQUIRE(ohv_vp_sints(hv, a, 0, &ss) == 0);
	CHECK_EQ(ss.raised[2], 2);
	ev.flag_number = 8;
	CHECK_ST(t_fast(hv, b, HVCALL_SIGNAL_EVENT, &ev, sizeof(ev), NULL, 0),
		 HV_STATUS_INVALID_PARAMETER);
	t_destroy_child(hv, a);
	t_destroy_child(hv, b);
	t_close(hv);
}
