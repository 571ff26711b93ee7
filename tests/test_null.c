/* SPDX-License-Identifier: MIT */
/*
 * NULL for every pointer argument of the public API (spec.md §2): each call
 * returns its documented error value (-EINVAL, 0, NULL or
 * HV_STATUS_INVALID_PARAMETER) and changes nothing; none crashes.  Each
 * test runs in its own process, so a crash fails only the test.
 */
#include <errno.h>

#include "t.h"

#define SELF		HV_PARTITION_ID_SELF
#define INVALID		HV_STATUS_INVALID_PARAMETER

static void trace_fn(void *ctx, const struct ohv_trace_event *ev)
{
	(void)ctx;
	(void)ev;
}

static void hook_fn(void *ctx, uint64_t id, uint32_t frames)
{
	(void)ctx;
	(void)id;
	(void)frames;
}

/* openhv.h with a NULL instance. */
TEST(null_instance)
{
	struct ohv_config cfg;
	struct ohv_partition_info pi;
	struct ohv_sint_state ss;
	struct ohv_vp_info vi;
	struct ohv_port_state ps[2];
	struct ohv_connection_state cs[2];
	struct ohv_hvcall call = { .control = HVCALL_GET_PARTITION_ID };
	uint64_t ids[4], a = 7, u = 7;
	char why[64] = "untouched";

	ohv_config_init(NULL);
	memset(&cfg, 0x5A, sizeof(cfg));
	ohv_get_config(NULL, &cfg);
	CHECK_EQ(cfg.memory_pages, 0x5A5A5A5A5A5A5A5Aull);
	CHECK_EQ(ohv_root_id(NULL), HV_PARTITION_ID_INVALID);
	CHECK(ohv_gpa(NULL, T_ROOT, 0, 1) == NULL);
	CHECK_EQ(ohv_hypercall(NULL, T_ROOT, 0, &call), INVALID);
	CHECK_EQ(ohv_partition_info(NULL, T_ROOT, &pi), -EINVAL);
	CHECK_EQ(ohv_pool_node_balance(NULL, T_ROOT, 0, &a, &u), -EINVAL);
	CHECK(a == 7 && u == 7);
	CHECK_EQ(ohv_partition_list(NULL, ids, 4), 0);
	CHECK_EQ(ohv_partition_list(NULL, NULL, 0), 0);
	CHECK_EQ(ohv_frame_node(NULL, 0), UINT32_MAX);
	ohv_set_trace(NULL, trace_fn, NULL);
	ohv_set_trace(NULL, NULL, NULL);
	ohv_set_doorbell_handler(NULL, NULL, NULL);
	CHECK_EQ(ohv_vp_sints(NULL, T_ROOT, 0, &ss), -EINVAL);
	CHECK_EQ(ohv_vp_sint_ack(NULL, T_ROOT, 0, 0), -EINVAL);
	CHECK_EQ(ohv_vp_info(NULL, T_ROOT, 0, &vi), -EINVAL);
	CHECK_EQ(ohv_port_list(NULL, T_ROOT, ps, 2), 0);
	CHECK_EQ(ohv_connection_list(NULL, T_ROOT, cs, 2), 0);
	CHECK_EQ(ohv_debug_check(NULL, why, sizeof(why)), -EINVAL);
	CHECK_EQ(ohv_debug_check(NULL, NULL, 0), -EINVAL);
	ohv_debug_withdraw_hook(NULL, hook_fn, NULL);
	ohv_close(NULL);
}

/* openhv.h with a live instance and NULL outputs or calls. */
TEST(null_outputs)
{
	struct ohv *hv = t_open(NULL);
	struct t_snap before;
	uint64_t a = 0;

	t_snap_take(hv, &before);
	CHECK_EQ(ohv_open(NULL, NULL), -EINVAL);
	ohv_get_config(hv, NULL);
	CHECK_EQ(ohv_hypercall(hv, T_ROOT, 0, NULL), INVALID);
	CHECK_EQ(ohv_partition_info(hv, T_ROOT, NULL), -EINVAL);
	CHECK_EQ(ohv_partition_info(hv, 12345, NULL), -EINVAL);
	CHECK_EQ(ohv_pool_node_balance(hv, T_ROOT, 0, NULL, &a), -EINVAL);
	CHECK_EQ(ohv_pool_node_balance(hv, T_ROOT, 0, &a, NULL), -EINVAL);
	CHECK_EQ(ohv_pool_node_balance(hv, T_ROOT, 0, NULL, NULL), -EINVAL);
	/* A NULL list counts only when asked for nothing. */
	CHECK_EQ(ohv_partition_list(hv, NULL, 4), 0);
	CHECK_EQ(ohv_partition_list(hv, NULL, 0), 1);
	CHECK_EQ(ohv_vp_sints(hv, T_ROOT, 0, NULL), -EINVAL);
	CHECK_EQ(ohv_vp_info(hv, T_ROOT, 0, NULL), -EINVAL);
	CHECK_EQ(ohv_port_list(hv, T_ROOT, NULL, 4), 0);
	CHECK_EQ(ohv_port_list(hv, T_ROOT, NULL, 0), 0);
	CHECK_EQ(ohv_connection_list(hv, T_ROOT, NULL, 4), 0);
	CHECK_EQ(ohv_connection_list(hv, T_ROOT, NULL, 0), 0);
	CHECK_EQ(ohv_debug_check(hv, NULL, 0), 0);
	CHECK_EQ(ohv_debug_check(hv, NULL, 64), 0);
	ohv_set_trace(hv, NULL, NULL);
	ohv_debug_withdraw_hook(hv, NULL, NULL);
	/* Names of things take no pointers and answer for any value. */
	CHECK(ohv_status_name(0xFFFF) != NULL);
	CHECK(ohv_call_name(0xFFFF) == NULL);
	CHECK(ohv_state_name((enum ohv_partition_state)99) != NULL);
	CHECK(ohv_version() != NULL);
	t_snap_same(hv, &before, "NULL outputs");
	t_close(hv);
}

/* client.h's root allocator. */
TEST(null_root_allocator)
{
	struct ohv *hv = t_open(NULL);
	const uint64_t free_pages = ohv_root_free_pages(hv);
	uint64_t page = 77, pages[4];

	CHECK_EQ(ohv_root_alloc(NULL, OHV_ANY_NODE, &page), -EINVAL);
	CHECK_EQ(page, 77);
	CHECK_EQ(ohv_root_alloc(hv, OHV_ANY_NODE, NULL), -EINVAL);
	CHECK_EQ(ohv_root_alloc_many(NULL, OHV_ANY_NODE, pages, 4), 0);
	CHECK_EQ(ohv_root_alloc_many(hv, OHV_ANY_NODE, NULL, 4), 0);
	ohv_root_free(NULL, 100);
	ohv_root_free_many(NULL, pages, 4);
	ohv_root_free_many(hv, NULL, 4);
	CHECK_EQ(ohv_root_free_pages(NULL), 0);
	CHECK_EQ(ohv_root_free_pages(hv), free_pages);
	t_close(hv);
}

/* client.h: clients with NULL, and the wrappers with a NULL client. */
TEST(null_client)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_client *c = (struct ohv_client *)&hv;
	struct ohv_client_stats st;
	const struct hv_proximity_domain_info any = { 0, 0 };
	uint64_t v = 0, list[2] = { 16, 17 }, done = 9;
	uint32_t name = HV_REGISTER_SCONTROL;
	union hv_register_value rv;
	struct hv_register_assoc ra = { .name = HV_REGISTER_SCONTROL };
	struct hv_input_create_port cp = { .port_partition_id = T_ROOT };
	struct hv_input_connect_port cn = { .connection_partition_id = T_ROOT };
	struct hv_input_create_port_classic cpc = { .port_partition_id = T_ROOT };
	struct hv_input_connect_port_classic cnc = {
		.connection_partition_id = T_ROOT,
	};
	size_t n = 5;

	CHECK_EQ(ohv_client_open(NULL, 0, &c), -EINVAL);
	CHECK_EQ(ohv_client_open(hv, 0, NULL), -EINVAL);
	CHECK_EQ(ohv_client_open_vp(NULL, T_ROOT, 0, 0, 0x1000, &c), -EINVAL);
	CHECK_EQ(ohv_client_open_vp(hv, T_ROOT, 0, 0, 0x1000, NULL), -EINVAL);
	ohv_client_close(NULL);
	ohv_client_set_convention(NULL, OHV_CLIENT_FAST);
	CHECK_EQ(ohv_client_last_result(NULL), INVALID);
	CHECK_EQ(ohv_client_partition(NULL), HV_PARTITION_ID_INVALID);
	ohv_client_stats(NULL, NULL);
	memset(&st, 0x5A, sizeof(st));
	ohv_client_stats(NULL, &st);
	CHECK_EQ(st.hypercalls, 0);

	c = NULL;
	CHECK_EQ(ohv_call_create_partition(c, NULL, &v), INVALID);
	CHECK_EQ(ohv_call_initialize_partition(c, 2), INVALID);
	CHECK_EQ(ohv_call_finalize_partition(c, 2), INVALID);
	CHECK_EQ(ohv_call_delete_partition(c, 2), INVALID);
	CHECK_EQ(ohv_call_get_partition_property(c, SELF, 0x10000, &v), INVALID);
	CHECK_EQ(ohv_call_set_partition_property(c, SELF, 0x20003, 1), INVALID);
	CHECK_EQ(ohv_call_get_partition_id(c, &v), INVALID);
	CHECK_EQ(ohv_call_get_next_child_partition(c, SELF, 0, &v), INVALID);
	CHECK_EQ(ohv_call_deposit_memory(c, SELF, list, 2, &done), INVALID);
	CHECK_EQ(done, 0);
	CHECK_EQ(ohv_call_withdraw_memory(c, SELF, any, list, 2, &done),
		 INVALID);
	CHECK_EQ(ohv_call_get_memory_balance(c, SELF, any, &v, &v), INVALID);
	CHECK_EQ(ohv_call_map_gpa_pages(c, 2, 0, 1, list, 2, &done), INVALID);
	CHECK_EQ(ohv_call_unmap_gpa_pages(c, 2, 0, 2, &done), INVALID);
	CHECK_EQ(ohv_call_create_vp(c, 2, 0, any), INVALID);
	CHECK_EQ(ohv_call_delete_vp(c, 2, 0), INVALID);
	CHECK_EQ(ohv_call_get_vp_registers(c, 2, 0, &name, &rv, 1, &done),
		 INVALID);
	CHECK_EQ(ohv_call_set_vp_registers(c, 2, 0, &ra, 1, &done), INVALID);
	CHECK_EQ(ohv_call_get_vp_register(c, 2, 0, name, &v), INVALID);
	CHECK_EQ(ohv_call_set_vp_register(c, 2, 0, name, 1), INVALID);
	CHECK_EQ(ohv_call_create_port(c, &cp), INVALID);
	CHECK_EQ(ohv_call_create_port_classic(c, &cpc), INVALID);
	CHECK_EQ(ohv_call_connect_port(c, &cn), INVALID);
	CHECK_EQ(ohv_call_connect_port_classic(c, &cnc), INVALID);
	CHECK_EQ(ohv_call_delete_port(c, T_ROOT, 1), INVALID);
	CHECK_EQ(ohv_call_disconnect_port(c, T_ROOT, 1), INVALID);
	CHECK_EQ(ohv_call_get_port_property(c, T_ROOT, 1, 0, &v), INVALID);
	CHECK_EQ(ohv_call_set_port_property(c, T_ROOT, 1, 1, 0, &v), INVALID);
	CHECK_EQ(ohv_call_post_message(c, 1, 1, list, 8), INVALID);
	CHECK_EQ(ohv_call_signal_event(c, 1, 0), INVALID);
	CHECK_EQ(ohv_client_deposit(c, SELF, 1, OHV_ANY_NODE), INVALID);
	CHECK_EQ(ohv_client_withdraw(c, SELF, 1, &v), INVALID);
	CHECK_EQ(ohv_client_create_partition(c, NULL, &v), INVALID);
	CHECK_EQ(ohv_client_initialize_partition(c, 2), INVALID);
	CHECK_EQ(ohv_client_destroy_partition(c, 2), INVALID);
	CHECK_EQ(ohv_client_children(c, SELF, list, 2, &n), INVALID);
	CHECK_EQ(n, 0);
	CHECK_EQ(ohv_client_map_gpa_pages(c, 2, 0, 1, list, 2, &done), INVALID);
	CHECK_EQ(ohv_client_create_vp(c, 2, 0, any), INVALID);
	CHECK_EQ(ohv_client_create_port(c, &cp), INVALID);
	CHECK_EQ(ohv_client_connect_port(c, &cn), INVALID);
	CHECK(ohv_client_sim_slot(c, 0x2000, 2) == NULL);
	CHECK_EQ(t_live(hv), 1);
	t_close(hv);
}

/* client.h: a live client with NULL inputs and outputs.  Outputs may be
 * NULL (the call is made, nothing is stored); input lists and structs
 * may not (INVALID_PARAMETER, no call made). */
TEST(null_client_arguments)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_client *c = NULL;
	const struct hv_proximity_domain_info any = { 0, 0 };
	uint64_t id = 0;

	REQUIRE(ohv_client_open(hv, 0, &c) == 0);
	struct ohv_client_stats s0, s1;

	ohv_client_stats(c, &s0);
	CHECK_EQ(ohv_call_deposit_memory(c, SELF, NULL, 2, NULL), INVALID);
	CHECK_EQ(ohv_call_withdraw_memory(c, SELF, any, NULL, 2, NULL),
		 INVALID);
	CHECK_EQ(ohv_call_map_gpa_pages(c, 2, 0, 1, NULL, 2, NULL), INVALID);
	CHECK_EQ(ohv_call_get_vp_registers(c, SELF, 0, NULL, NULL, 1, NULL),
		 INVALID);
	CHECK_EQ(ohv_call_set_vp_registers(c, SELF, 0, NULL, 1, NULL),
		 INVALID);
	CHECK_EQ(ohv_call_create_port(c, NULL), INVALID);
	CHECK_EQ(ohv_call_create_port_classic(c, NULL), INVALID);
	CHECK_EQ(ohv_call_connect_port(c, NULL), INVALID);
	CHECK_EQ(ohv_call_connect_port_classic(c, NULL), INVALID);
	CHECK_EQ(ohv_call_post_message(c, 1, 1, NULL, 8), INVALID);
	CHECK_EQ(ohv_client_children(c, SELF, NULL, 2, NULL), INVALID);
	CHECK_EQ(ohv_client_map_gpa_pages(c, 2, 0, 1, NULL, 2, NULL), INVALID);
	CHECK_EQ(ohv_client_create_port(c, NULL), INVALID);
	CHECK_EQ(ohv_client_connect_port(c, NULL), INVALID);
	ohv_client_stats(c, &s1);
	CHECK_EQ(s1.hypercalls, s0.hypercalls);

	/* NULL outputs: the calls go through. */
	ohv_client_stats(c, NULL);
	CHECK_EQ(ohv_client_create_partition(c, NULL, NULL), HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_client_create_partition(c, NULL, &id), HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_call_get_partition_id(c, NULL), HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_call_get_next_child_partition(c, SELF, 0, NULL),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_call_get_memory_balance(c, SELF, any, NULL, NULL),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_call_get_partition_property(c, id, 0x10000, NULL),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_call_get_vp_register(c, SELF, 0, HV_REGISTER_SCONTROL,
					  NULL), HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_client_children(c, SELF, NULL, 0, NULL), HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_client_withdraw(c, SELF, UINT64_MAX, NULL),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_client_destroy_partition(c, id - 1), HV_STATUS_SUCCESS);
	ohv_client_close(c);
	CHECK_EQ(t_live(hv), 1);
	t_close(hv);
}
