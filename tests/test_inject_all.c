/* SPDX-License-Identifier: MIT */
/*
 * Allocation-failure injection over a scenario that touches every call
 * (the SQLite way): for N = 1, 2, 3, ... the N-th host allocation fails.
 * The scenario stops at the first HV_STATUS_NO_RESOURCES; nothing may be
 * half made (the invariant checker runs after every call), a full teardown
 * must then return every frame to the root, and the next N goes one
 * allocation further, until a run meets no failure at all.  Leaks show up
 * under valgrind or LeakSanitizer (make check-asan) as for every test.
 */
#include "t.h"

#define SELF		HV_PARTITION_ID_SELF
#define PRIV_ALL	(OHV_CHILD_PRIVILEGES | \
			 HV_PARTITION_PRIV_CREATE_PARTITIONS | \
			 HV_PARTITION_PRIV_POST_MESSAGES | \
			 HV_PARTITION_PRIV_SIGNAL_EVENTS | \
			 HV_PARTITION_PRIV_CREATE_PORT | \
			 HV_PARTITION_PRIV_CONNECT_PORT | \
			 HV_PARTITION_PRIV_ACCESS_VP_REGISTERS | \
			 HV_PARTITION_PRIV_ACCESS_MEMORY_POOL)

struct run {
	struct ohv *hv;
	uint64_t next;		/* next free root page */
	uint64_t a, b, g;	/* two children, a grandchild under a */
	bool stopped;		/* an injected failure ended the scenario */
	unsigned calls;
};

/*
 * One scenario step: st must be want, or NO_RESOURCES from the injected
 * host failure, which ends the scenario.  Never INSUFFICIENT_MEMORY or
 * anything else: pools are funded, only the host fails.
 */
static bool step(struct run *r, const char *what, uint64_t result,
		 hv_status_t want)
{
	hv_status_t st = ohv_result_status(result);

	r->calls++;
	if (st == want)
		return true;
	if (st == HV_STATUS_NO_RESOURCES) {
		r->stopped = true;
		return false;
	}
	CHECK_MSG(false, "%s: %s, want %s or NO_RESOURCES", what,
		  ohv_status_name(st), ohv_status_name(want));
	r->stopped = true;
	return false;
}

static uint64_t id_call(struct ohv *hv, uint64_t caller, uint16_t code,
			uint64_t id)
{
	return t_mem(hv, caller, code, &id, sizeof(id), NULL, 0);
}

static uint64_t deposit(struct run *r, uint64_t id, uint32_t n)
{
	uint64_t buf[1 + 64];

	REQUIRE(n <= 64);
	buf[0] = id;
	for (uint32_t i = 0; i < n; i++)
		buf[1 + i] = r->next++;
	return t_mem(r->hv, T_ROOT, ohv_control(HVCALL_DEPOSIT_MEMORY, 0, n, 0),
		     buf, (n + 1) * 8, NULL, 0);
}

static uint64_t create(struct run *r, uint64_t caller, uint64_t *id)
{
	struct hv_input_create_partition in = { 0 };
	uint64_t out = 0;
	uint64_t res = t_mem(r->hv, caller, HVCALL_CREATE_PARTITION, &in,
			    sizeof(in), &out, sizeof(out));

	if (ohv_result_status(res) == HV_STATUS_SUCCESS)
		*id = out;
	return res;
}

static uint64_t set_reg(struct run *r, uint64_t caller, uint64_t id,
			uint32_t name, uint64_t value)
{
	return t_set_reg64(r->hv, caller, id, 0, name, value);
}

static uint64_t map(struct run *r, uint64_t id, uint64_t base, uint32_t n)
{
	uint64_t buf[3 + 16];
	struct hv_input_map_gpa_pages *in = (void *)buf;

	in->target_partition_id = id;
	in->target_gpa_base = base;
	in->map_flags = HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE;
	in->padding = 0;
	for (uint32_t i = 0; i < n; i++)
		buf[3 + i] = r->next++;
	return t_mem(r->hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, n, 0),
		     buf, 24 + 8 * n, NULL, 0);
}

static uint64_t create_port(struct run *r, bool classic, uint64_t pp,
			    uint32_t id, uint64_t cp, uint32_t type)
{
	struct hv_port_info info = { .port_type = type };

	info.message_port_info.target_sint = 2;
	if (type == HV_PORT_TYPE_EVENT)
		info.event_port_info.flag_count = 4;
	if (classic) {
		struct hv_input_create_port_classic in = {
			.port_partition_id = pp, .port_id = id,
			.connection_partition_id = cp, .port_info = info,
		};

		return t_mem(r->hv, T_ROOT, HVCALL_CREATE_PORT_CLASSIC, &in,
			     sizeof(in), NULL, 0);
	}
	struct hv_input_create_port in = {
		.port_partition_id = pp, .port_id = id,
		.connection_partition_id = cp, .port_info = info,
	};

	return t_mem(r->hv, T_ROOT, HVCALL_CREATE_PORT, &in, sizeof(in), NULL, 0);
}

static uint64_t connect_port(struct run *r, bool classic, uint64_t cp,
			     uint32_t id, uint64_t pp, uint32_t port,
			     uint32_t type)
{
	if (classic) {
		struct hv_input_connect_port_classic in = {
			.connection_partition_id = cp, .connection_id = id,
			.port_partition_id = pp, .port_id = port,
			.connection_info = { .port_type = type },
		};

		return t_mem(r->hv, T_ROOT, HVCALL_CONNECT_PORT_CLASSIC, &in,
			     sizeof(in), NULL, 0);
	}
	struct hv_input_connect_port in = {
		.connection_partition_id = cp, .connection_id = id,
		.port_partition_id = pp, .port_id = port,
		.connection_info = { .port_type = type },
	};

	return t_mem(r->hv, T_ROOT, HVCALL_CONNECT_PORT, &in, sizeof(in), NULL, 0);
}

/* Every call openhv implements, in an order where each can succeed. */
static void scenario(struct run *r)
{
	struct ohv *hv = r->hv;
	uint64_t out[2];
	struct hv_input_get_partition_property gp = { .partition_id = SELF,
		.property_code = HV_PARTITION_PROPERTY_CPU_WEIGHT };
	struct hv_input_get_memory_balance bal = { .partition_id = SELF };
	struct hv_input_get_next_child_partition next = { SELF, 0 };

#define S(what, res, want) \
	do { if (!step(r, what, res, want)) return; } while (0)
	S("deposit root", deposit(r, SELF, 8), HV_STATUS_SUCCESS);
	S("create a", create(r, T_ROOT, &r->a), HV_STATUS_SUCCESS);
	S("create b", create(r, T_ROOT, &r->b), HV_STATUS_SUCCESS);
	for (int i = 0; i < 2; i++) {
		uint64_t id = i ? r->b : r->a;
		struct hv_input_set_partition_property sp = {
			.partition_id = id,
			.property_code = HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
			.property_value = PRIV_ALL,
		};
		struct hv_input_create_vp cv = { .partition_id = id };

		S("privileges", t_mem(hv, T_ROOT, HVCALL_SET_PARTITION_PROPERTY,
				      &sp, sizeof(sp), NULL, 0), HV_STATUS_SUCCESS);
		S("deposit", deposit(r, id, 64), HV_STATUS_SUCCESS);
		S("initialize", id_call(hv, T_ROOT, HVCALL_INITIALIZE_PARTITION,
					id), HV_STATUS_SUCCESS);
		S("map", map(r, id, 0, 4), HV_STATUS_SUCCESS);
		S("map far", map(r, id, 1ull << 30, 2), HV_STATUS_SUCCESS);
		S("create vp", t_mem(hv, T_ROOT, HVCALL_CREATE_VP, &cv,
				     sizeof(cv), NULL, 0), HV_STATUS_SUCCESS);
		S("unsuspend", set_reg(r, T_ROOT, id, HV_REGISTER_EXPLICIT_SUSPEND,
				       0), HV_STATUS_SUCCESS);
		S("scontrol", set_reg(r, id, SELF, HV_REGISTER_SCONTROL, 1),
		  HV_STATUS_SUCCESS);
		S("simp", set_reg(r, id, SELF, HV_REGISTER_SIMP, (2 << 12) | 1),
		  HV_STATUS_SUCCESS);
		S("siefp", set_reg(r, id, SELF, HV_REGISTER_SIEFP, (3 << 12) | 1),
		  HV_STATUS_SUCCESS);
		S("sint2", set_reg(r, id, SELF, HV_REGISTER_SINT0 + 2, 0x40),
		  HV_STATUS_SUCCESS);
	}
	/* Messages from b to a (classic layouts), events from a to b. */
	S("port", create_port(r, true, r->a, 1, r->b, HV_PORT_TYPE_MESSAGE),
	  HV_STATUS_SUCCESS);
	S("connect", connect_port(r, true, r->b, 1, r->a, 1,
				  HV_PORT_TYPE_MESSAGE), HV_STATUS_SUCCESS);
	S("port", create_port(r, false, r->b, 2, r->a, HV_PORT_TYPE_EVENT),
	  HV_STATUS_SUCCESS);
	S("connect", connect_port(r, false, r->a, 2, r->b, 2,
				  HV_PORT_TYPE_EVENT), HV_STATUS_SUCCESS);
	for (uint32_t i = 0; i < 3; i++) {
		struct hv_input_post_message pm = { .connection_id = 1,
			.message_type = 1, .payload_size = 4 };

		S("post", t_mem(hv, r->b, HVCALL_POST_MESSAGE, &pm, sizeof(pm),
			       NULL, 0), HV_STATUS_SUCCESS);
	}
	struct hv_input_signal_event se = { .connection_id = 2, .flag_number = 1 };

	S("signal", t_mem(hv, r->a, HVCALL_SIGNAL_EVENT, &se, sizeof(se), NULL, 0),
	  HV_STATUS_SUCCESS);
	struct hv_message *slot = ohv_gpa(hv, r->a, (2 << 12) + 2 * 256, 256);

	REQUIRE(slot);
	slot->header.message_type = 0;
	S("eom", set_reg(r, r->a, SELF, HV_REGISTER_EOM, 0), HV_STATUS_SUCCESS);
	struct hv_input_get_port_property pq = { .port_partition_id = r->a,
		.port_id = 1, .property_code = HV_PORT_PROPERTY_POST_COUNT };

	S("port property", t_mem(hv, T_ROOT, HVCALL_GET_PORT_PROPERTY, &pq,
				 sizeof(pq), out, 8), HV_STATUS_SUCCESS);
	/* A grandchild made by a, which then goes again. */
	S("grandchild", create(r, r->a, &r->g), HV_STATUS_SUCCESS);
	S("next child", t_mem(hv, r->a, HVCALL_GET_NEXT_CHILD_PARTITION, &next,
			     sizeof(next), out, 8), HV_STATUS_SUCCESS);
	S("delete grandchild", id_call(hv, r->a, HVCALL_DELETE_PARTITION, r->g),
	  HV_STATUS_SUCCESS);
	r->g = 0;
	/* Reads, then the objects go one by one. */
	S("property", t_mem(hv, T_ROOT, HVCALL_GET_PARTITION_PROPERTY, &gp,
			    sizeof(gp), out, 8), HV_STATUS_SUCCESS);
	S("balance", t_mem(hv, T_ROOT, HVCALL_GET_MEMORY_BALANCE, &bal,
			   sizeof(bal), out, 16), HV_STATUS_SUCCESS);
	S("id", t_mem(hv, T_ROOT, HVCALL_GET_PARTITION_ID, NULL, 0, out, 8),
	  HV_STATUS_SUCCESS);
	struct hv_input_disconnect_port dc = { .connection_partition_id = r->b,
		.connection_id = 1 };
	struct hv_input_delete_port dp = { .port_partition_id = r->a,
		.port_id = 1 };
	struct hv_input_unmap_gpa_pages um = { .target_partition_id = r->a,
		.target_gpa_base = 1ull << 30 };
	struct hv_input_delete_vp dv = { .partition_id = r->b };

	S("disconnect", t_mem(hv, T_ROOT, HVCALL_DISCONNECT_PORT, &dc,
			      sizeof(dc), NULL, 0), HV_STATUS_SUCCESS);
	S("delete port", t_mem(hv, T_ROOT, HVCALL_DELETE_PORT, &dp, sizeof(dp),
			       NULL, 0), HV_STATUS_SUCCESS);
	S("unmap", t_mem(hv, T_ROOT, ohv_control(HVCALL_UNMAP_GPA_PAGES, 0, 2, 0),
			 &um, sizeof(um), NULL, 0), HV_STATUS_SUCCESS);
	S("delete vp", t_mem(hv, T_ROOT, HVCALL_DELETE_VP, &dv, sizeof(dv),
			     NULL, 0), HV_STATUS_SUCCESS);
#undef S
}

/*
 * Tear down whatever the scenario built: the grandchild through a, then
 * both children (finalize when Active, withdraw all, delete), then the
 * root's pool.  Every frame must be the root's again.
 */
static void teardown(struct run *r)
{
	struct ohv *hv = r->hv;
	uint64_t ids[8];
	size_t n = ohv_partition_list(hv, ids, 8);

	REQUIRE(n <= 8);
	if (r->g && r->a) {
		REQUIRE_ST(id_call(hv, r->a, HVCALL_DELETE_PARTITION, r->g),
			   HV_STATUS_SUCCESS);
	}
	for (size_t i = 1; i < n; i++) {
		struct ohv_partition_info info = t_info(hv, ids[i]);

		if (info.parent_id != T_ROOT)
			continue;
		t_destroy_child(hv, ids[i]);
	}
	for (;;) {
		uint32_t done = 0;
		hv_status_t st = t_withdraw(hv, SELF, 512, NULL, &done);

		if (st == HV_STATUS_NO_RESOURCES)
			break;
		REQUIRE_ST(st, HV_STATUS_SUCCESS);
	}
	CHECK_EQ(t_live(hv), 1);
	for (uint64_t p = 0; p < 4096; p++)
		CHECK_MSG(ohv_gpa(hv, T_ROOT, p << 12, 4096) != NULL,
			  "page %llu not back with the root",
			  (unsigned long long)p);
}

TEST(inject_every_call)
{
	unsigned failures = 0, nth;

	for (nth = 1; nth < 1000; nth++) {
		struct run r = { .next = T_FIRST_FREE_PAGE };

		r.hv = t_open(NULL);
		ohv_debug_fail_alloc(nth);
		scenario(&r);
		uint64_t made = ohv_debug_alloc_count();

		ohv_debug_fail_alloc(0);
		CHECK_INVARIANTS(r.hv);
		teardown(&r);
		t_close(r.hv);
		if (r.stopped)
			failures++;
		/* The scenario ran through with allocations to spare: every
		 * allocation it makes has failed once. */
		if (!r.stopped && made < nth)
			break;
	}
	CHECK(nth < 1000);
	/* Each allocation of the scenario failed once, and each stopped it. */
	CHECK_EQ(failures, nth - 1);
	CHECK(failures >= 10);
}
