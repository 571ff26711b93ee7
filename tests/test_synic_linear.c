/* SPDX-License-Identifier: MIT */
/*
 * Ports with messages queued on many VPs (spec.md §2 work bounds, spec.md §8):
 * HvDeletePort takes its own buffers out of the middle of VP queues that
 * interleave many ports, leaving the other messages in order, and
 * HvFinalizePartition frees every port, connection and queued message in
 * one pass.  How long those take is a benchmark's business
 * (finalize_64k_ports); this checks that what they leave is right.
 */
#include "t.h"

#define SELF		HV_PARTITION_ID_SELF
#define RW		(HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE)
#define VPS		4u
#define PORTS		48u
#define ROUNDS		4u
#define SINT		2u
#define SIM(v)		(8u + (v))
#define PRIV_RX		(OHV_CHILD_PRIVILEGES | \
			 HV_PARTITION_PRIV_ACCESS_VP_REGISTERS)

struct posted {
	uint32_t port, round;
};

static hv_status_t post(struct ohv *hv, uint32_t conn, uint32_t round)
{
	struct hv_input_post_message in;

	memset(&in, 0, sizeof(in));
	in.connection_id = conn;
	in.message_type = 1;
	in.payload_size = 16;
	in.payload[0] = conn;
	in.payload[1] = round;
	return ohv_result_status(t_mem(hv, T_ROOT, HVCALL_POST_MESSAGE, &in,
				       sizeof(in), NULL, 0));
}

/* An Active child with VPS running VPs, each with its SynIC and a SIM
 * page (root pages mapped RW at its GPA 0-31), SINT 2 unmasked. */
static uint64_t receiver(struct ohv *hv, uint64_t *next)
{
	struct ohv_config cfg;
	uint64_t x = t_runnable_child(hv, next, PRIV_RX);
	uint64_t buf[3 + 32];

	ohv_get_config(hv, &cfg);
	t_fund(hv, x, next, (VPS - 1) * cfg.costs.vp + PORTS * cfg.costs.port);
	for (uint32_t v = 1; v < VPS; v++) {
		REQUIRE_ST(t_create_vp(hv, x, v), HV_STATUS_SUCCESS);
		REQUIRE_ST(t_set_reg64(hv, T_ROOT, x, v,
				       HV_REGISTER_EXPLICIT_SUSPEND, 0),
			   HV_STATUS_SUCCESS);
	}
	buf[0] = x;
	buf[1] = 0;
	buf[2] = RW;
	for (uint32_t i = 0; i < 32; i++)
		buf[3 + i] = *next + i;
	*next += 32;
	REQUIRE_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, 32, 0),
			 buf, sizeof(buf), NULL, 0), HV_STATUS_SUCCESS);
	for (uint32_t v = 0; v < VPS; v++) {
		REQUIRE_ST(t_set_reg64(hv, T_ROOT, x, v, HV_REGISTER_SCONTROL, 1),
			   HV_STATUS_SUCCESS);
		REQUIRE_ST(t_set_reg64(hv, T_ROOT, x, v, HV_REGISTER_SIMP,
				       ((uint64_t)SIM(v) << 12) | 1),
			   HV_STATUS_SUCCESS);
		REQUIRE_ST(t_set_reg64(hv, T_ROOT, x, v,
				       HV_REGISTER_SINT0 + SINT, 0x40 + v),
			   HV_STATUS_SUCCESS);
	}
	return x;
}

TEST(synic_delete_ports_inside_queues_then_finalize)
{
	struct ohv_config cfg;

	t_config(&cfg);
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t x = receiver(hv, &next);
	/* What each VP's slot and queue hold, in order. */
	static struct posted want[VPS][PORTS * ROUNDS];
	uint32_t nwant[VPS] = { 0 };

	/* The root pays for its connections. */
	t_fund(hv, SELF, &next, PORTS * cfg.costs.connection);
	for (uint32_t i = 1; i <= PORTS; i++) {
		struct hv_input_create_port cp = {
			.port_partition_id = x, .port_id = i,
			.connection_partition_id = T_ROOT,
			.port_info = { .port_type = HV_PORT_TYPE_MESSAGE,
				       .message_port_info = {
					       .target_sint = SINT,
					       .target_vp = i % VPS } },
		};
		struct hv_input_connect_port cc = {
			.connection_partition_id = SELF, .connection_id = i,
			.port_partition_id = x, .port_id = i,
			.connection_info = { .port_type = HV_PORT_TYPE_MESSAGE },
		};

		REQUIRE_ST(t_mem(hv, T_ROOT, HVCALL_CREATE_PORT, &cp, sizeof(cp),
				 NULL, 0), HV_STATUS_SUCCESS);
		REQUIRE_ST(t_mem(hv, T_ROOT, HVCALL_CONNECT_PORT, &cc,
				 sizeof(cc), NULL, 0), HV_STATUS_SUCCESS);
	}
	/* Posts interleave the ports of each VP in its SINT's queue: the
	 * first of each VP takes the slot, the rest wait in order. */
	for (uint32_t r = 0; r < ROUNDS; r++)
		for (uint32_t i = 1; i <= PORTS; i++) {
			REQUIRE_ST(post(hv, i, r), HV_STATUS_SUCCESS);
			want[i % VPS][nwant[i % VPS]++] =
				(struct posted){ i, r };
		}
	/* Every third port goes: its buffers leave the middle of the
	 * queues; the slot keeps what it holds (spec.md §8). */
	for (uint32_t i = 3; i <= PORTS; i += 3) {
		struct hv_input_delete_port dp = {
			.port_partition_id = x, .port_id = i,
		};

		REQUIRE_ST(t_mem(hv, T_ROOT, HVCALL_DELETE_PORT, &dp, sizeof(dp),
				 NULL, 0), HV_STATUS_SUCCESS);
	}
	for (uint32_t v = 0; v < VPS; v++) {
		uint32_t k = 1;	/* want[v][0] sits in the slot */

		for (uint32_t j = 1; j < nwant[v]; j++)
			if (want[v][j].port % 3)
				want[v][k++] = want[v][j];
		nwant[v] = k;
		struct ohv_sint_state ss;

		REQUIRE(ohv_vp_sints(hv, x, v, &ss) == 0);
		CHECK_MSG(ss.queued[SINT] == nwant[v] - 1,
			  "VP %u: %u queued, want %u", v, ss.queued[SINT],
			  nwant[v] - 1);
	}
	/* VP 0 takes every message: the slot's, then the queue's in order. */
	struct hv_message *slot = ohv_gpa(hv, x, ((uint64_t)SIM(0) << 12) +
					  SINT * HV_MESSAGE_SIZE,
					  HV_MESSAGE_SIZE);

	REQUIRE(slot);
	for (uint32_t j = 0; j < nwant[0]; j++) {
		CHECK_MSG(slot->header.message_type == 1 &&
			  slot->payload[0] == want[0][j].port &&
			  slot->payload[1] == want[0][j].round &&
			  slot->header.origination_id == want[0][j].port,
			  "VP 0 message %u: port %" PRIu64 " round %" PRIu64
			  ", want %u/%u", j, slot->payload[0], slot->payload[1],
			  want[0][j].port, want[0][j].round);
		slot->header.message_type = HV_MESSAGE_TYPE_NONE;
		REQUIRE_ST(t_set_reg64(hv, T_ROOT, x, 0, HV_REGISTER_EOM, 0),
			   HV_STATUS_SUCCESS);
	}
	CHECK_EQ(slot->header.message_type, HV_MESSAGE_TYPE_NONE);
	/* VPs 1-3 still hold queues: finalize frees them all, every port and
	 * connection with them; the root's connections now lead nowhere. */
	REQUIRE_ST(t_finalize(hv, x), HV_STATUS_SUCCESS);
	CHECK_EQ(t_info(hv, x).pool_in_use, 0);
	CHECK_EQ(ohv_port_list(hv, x, NULL, 0), 0);
	CHECK_EQ(ohv_connection_list(hv, T_ROOT, NULL, 0), PORTS);
	CHECK_ST(post(hv, 1, 0), HV_STATUS_INVALID_PORT_ID);
	t_destroy_child(hv, x);
	t_close(hv);
}

/*
 * A partition whose ports connect to its own connections, and whose
 * connections lead to other partitions' ports: finalize frees both in one
 * pass and leaves the other side consistent.
 */
TEST(synic_finalize_both_sides)
{
	struct ohv_config cfg;

	t_config(&cfg);
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t x = receiver(hv, &next);
	uint64_t y = receiver(hv, &next);

	t_fund(hv, x, &next, PORTS * cfg.costs.connection);
	t_fund(hv, y, &next, PORTS * cfg.costs.connection);
	for (uint32_t i = 1; i <= PORTS; i++) {
		/* Port i of x takes y's connection i, and port i of y takes
		 * x's connection i. */
		uint64_t sides[2][2] = { { x, y }, { y, x } };

		for (int s = 0; s < 2; s++) {
			struct hv_input_create_port cp = {
				.port_partition_id = sides[s][0], .port_id = i,
				.connection_partition_id = sides[s][1],
				.port_info = { .port_type = HV_PORT_TYPE_EVENT,
					       .event_port_info = {
						       .target_sint = SINT,
						       .target_vp = HV_ANY_VP,
						       .flag_count = 1 } },
			};
			struct hv_input_connect_port cc = {
				.connection_partition_id = sides[s][1],
				.connection_id = 1000 + i,
				.port_partition_id = sides[s][0], .port_id = i,
				.connection_info = { .port_type = HV_PORT_TYPE_EVENT },
			};

			REQUIRE_ST(t_mem(hv, T_ROOT, HVCALL_CREATE_PORT, &cp,
					 sizeof(cp), NULL, 0), HV_STATUS_SUCCESS);
			REQUIRE_ST(t_mem(hv, T_ROOT, HVCALL_CONNECT_PORT, &cc,
					 sizeof(cc), NULL, 0), HV_STATUS_SUCCESS);
		}
	}
	REQUIRE_ST(t_finalize(hv, x), HV_STATUS_SUCCESS);
	/* y keeps its ports (free to connect again) and its connections
	 * (leading nowhere). */
	static struct ohv_port_state ps[PORTS];
	static struct ohv_connection_state cs[PORTS];

	REQUIRE(ohv_port_list(hv, y, ps, PORTS) == PORTS);
	REQUIRE(ohv_connection_list(hv, y, cs, PORTS) == PORTS);
	for (uint32_t i = 0; i < PORTS; i++) {
		CHECK(!ps[i].connected);
		CHECK(!cs[i].port_alive);
	}
	t_destroy_child(hv, y);
	t_destroy_child(hv, x);
	t_close(hv);
}
