/* SPDX-License-Identifier: MIT */
/*
 * The observation API: ohv_vp_info, ohv_port_list, ohv_connection_list
 * report what hypercalls did, including what finalize and port deletion
 * do without being asked.
 */
#include <errno.h>

#include "t.h"

#define PRIV	(OHV_CHILD_PRIVILEGES | HV_PARTITION_PRIV_ACCESS_VP_REGISTERS)

static hv_status_t create_port(struct ohv *hv, uint64_t pp, uint32_t id,
			       uint64_t cp, uint32_t type)
{
	struct hv_input_create_port in = {
		.port_partition_id = pp, .port_id = id,
		.connection_partition_id = cp,
		.port_info = { .port_type = type },
	};

	in.port_info.message_port_info.target_sint = 3;
	in.port_info.message_port_info.target_vp = HV_ANY_VP;
	if (type == HV_PORT_TYPE_EVENT) {
		in.port_info.event_port_info.base_flag_number = 8;
		in.port_info.event_port_info.flag_count = 4;
	}
	return ohv_result_status(t_mem(hv, T_ROOT, HVCALL_CREATE_PORT, &in,
				       sizeof(in), NULL, 0));
}

static hv_status_t connect(struct ohv *hv, uint64_t cp, uint32_t id,
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

TEST(observe_vp_info)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t c = t_runnable_child(hv, &next, PRIV);
	struct ohv_vp_info vi;

	REQUIRE(ohv_vp_info(hv, c, 0, &vi) == 0);
	CHECK_EQ(vi.index, 0);
	CHECK_EQ(vi.suspended, 0);
	CHECK_EQ(vi.scontrol, 0);
	for (int k = 0; k < HV_SYNIC_SINT_COUNT; k++)
		CHECK_EQ(vi.sint[k], HV_SYNIC_SINT_MASKED);
	CHECK_ST(t_set_reg64(hv, T_ROOT, c, 0, HV_REGISTER_SIMP, 0x5001),
		 HV_STATUS_SUCCESS);
	CHECK_ST(t_set_reg64(hv, T_ROOT, c, 0, HV_REGISTER_SINT0 + 4, 0x44),
		 HV_STATUS_SUCCESS);
	CHECK_ST(t_set_reg64(hv, T_ROOT, c, 0, HV_REGISTER_EXPLICIT_SUSPEND, 1),
		 HV_STATUS_SUCCESS);
	REQUIRE(ohv_vp_info(hv, c, 0, &vi) == 0);
	CHECK_EQ(vi.suspended, 1);
	CHECK_EQ(vi.simp, 0x5001);
	CHECK_EQ(vi.sint[4], 0x44);
	/* The root's VPs, and what does not exist. */
	REQUIRE(ohv_vp_info(hv, T_ROOT, 0, &vi) == 0);
	CHECK_EQ(vi.suspended, 0);
	CHECK(ohv_vp_info(hv, c, 1, &vi) == -ENOENT);
	CHECK(ohv_vp_info(hv, T_ROOT, 64, &vi) == -ENOENT);
	CHECK(ohv_vp_info(hv, 999, 0, &vi) == -ENOENT);
	/* Finalize takes the VPs. */
	CHECK_ST(t_finalize(hv, c), HV_STATUS_SUCCESS);
	CHECK(ohv_vp_info(hv, c, 0, &vi) == -ENOENT);
	t_destroy_child(hv, c);
	t_close(hv);
}

TEST(observe_ports_and_connections)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t a = t_runnable_child(hv, &next, PRIV);
	uint64_t b = t_runnable_child(hv, &next, PRIV);
	struct ohv_port_state ps[4];
	struct ohv_connection_state cs[4];

	CHECK_EQ(ohv_port_list(hv, a, ps, 4), 0);
	CHECK_EQ(ohv_connection_list(hv, b, cs, 4), 0);
	/* Ids given out of order come back sorted. */
	REQUIRE_ST(create_port(hv, a, 30, b, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(create_port(hv, a, 7, b, HV_PORT_TYPE_EVENT),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(create_port(hv, a, 12, b, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(connect(hv, b, 5, a, 30, HV_PORT_TYPE_MESSAGE),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(connect(hv, b, 2, a, 7, HV_PORT_TYPE_EVENT),
		   HV_STATUS_SUCCESS);
	REQUIRE(ohv_port_list(hv, a, ps, 4) == 3);
	CHECK_EQ(ps[0].port_id, 7);
	CHECK_EQ(ps[1].port_id, 12);
	CHECK_EQ(ps[2].port_id, 30);
	CHECK_EQ(ps[0].type, HV_PORT_TYPE_EVENT);
	CHECK_EQ(ps[0].base_flag, 8);
	CHECK_EQ(ps[0].flag_count, 4);
	CHECK_EQ(ps[0].connected, 1);
	CHECK_EQ(ps[0].connection_id, 2);
	CHECK_EQ(ps[1].connected, 0);
	CHECK_EQ(ps[2].connection_partition, b);
	CHECK_EQ(ps[2].target_sint, 3);
	CHECK_EQ(ps[2].target_vp, HV_ANY_VP);
	CHECK_EQ(ps[2].preferred_vp, HV_ANY_VP);
	/* max smaller than the count: the lowest ids, and the count. */
	memset(ps, 0, sizeof(ps));
	CHECK_EQ(ohv_port_list(hv, a, ps, 1), 3);
	CHECK_EQ(ps[0].port_id, 7);
	CHECK_EQ(ps[1].port_id, 0);
	CHECK_EQ(ohv_port_list(hv, a, NULL, 0), 3);
	REQUIRE(ohv_connection_list(hv, b, cs, 4) == 2);
	CHECK_EQ(cs[0].connection_id, 2);
	CHECK_EQ(cs[1].connection_id, 5);
	CHECK_EQ(cs[1].port_alive, 1);
	CHECK_EQ(cs[1].port_partition, a);
	CHECK_EQ(cs[1].port_id, 30);
	/* Deleting a port leaves its connection without one. */
	struct hv_input_delete_port dp = { .port_partition_id = a, .port_id = 30 };

	CHECK_ST(t_mem(hv, T_ROOT, HVCALL_DELETE_PORT, &dp, sizeof(dp), NULL, 0),
		 HV_STATUS_SUCCESS);
	REQUIRE(ohv_connection_list(hv, b, cs, 4) == 2);
	CHECK_EQ(cs[1].port_alive, 0);
	CHECK_EQ(ohv_port_list(hv, a, ps, 4), 2);
	/* Finalizing a takes its ports; b's connections lose them. */
	CHECK_ST(t_finalize(hv, a), HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_port_list(hv, a, ps, 4), 0);
	REQUIRE(ohv_connection_list(hv, b, cs, 4) == 2);
	CHECK_EQ(cs[0].port_alive, 0);
	CHECK_EQ(ohv_port_list(hv, 999, ps, 4), 0);
	CHECK_EQ(ohv_connection_list(hv, 999, cs, 4), 0);
	t_destroy_child(hv, a);
	t_destroy_child(hv, b);
	t_close(hv);
}
