/*
 * HvMapVpStatePage / HvUnmapVpStatePage (the register and intercept
 * message pages the root shares) and HvGetVpState / HvSetVpState.
 */
#include "surface_t.h"

static uint64_t map_state(struct ohv *hv, uint64_t id, uint32_t vp,
			  uint16_t type, uint8_t flags, uint64_t *loc)
{
	struct hv_input_map_vp_state_page in = {
		.partition_id = id, .vp_index = vp, .type = type, .flags = flags,
	};

	return s_root(hv, HVCALL_MAP_VP_STATE_PAGE, 0, &in, sizeof(in), loc,
		      sizeof(*loc));
}

static uint64_t unmap_state(struct ohv *hv, uint64_t id, uint32_t vp,
			    uint16_t type)
{
	struct hv_input_unmap_vp_state_page in = {
		.partition_id = id, .vp_index = vp, .type = type,
	};

	return s_root(hv, HVCALL_UNMAP_VP_STATE_PAGE, 0, &in, sizeof(in), NULL, 0);
}

TEST(surface_vp_state_pages)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE, loc = 0, loc2 = 0;
	uint64_t c = t_runnable_child(hv, &next, 0);
	uint64_t used = s_in_use(hv, c);

	/* Each page costs one page of the child's pool. */
	REQUIRE_ST(map_state(hv, c, 0, HV_VP_STATE_PAGE_REGISTERS, 0, &loc),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(s_in_use(hv, c), used + 1);
	struct hv_vp_register_page *pg = ohv_gpa(hv, T_ROOT, loc << 12,
						 sizeof(*pg));

	REQUIRE(pg != NULL);
	CHECK_EQ(pg->version, HV_VP_REGISTER_PAGE_VERSION_1);
	CHECK_EQ(pg->isvalid, 1);
	CHECK_EQ(pg->dirty, 0);
	CHECK_EQ(pg->rip, 0xFFF0);
	CHECK_EQ(pg->segment_registers[1].selector, 0xF000);
	/* Mapped again: the same page, no new charge. */
	CHECK_ST(map_state(hv, c, 0, HV_VP_STATE_PAGE_REGISTERS, 0, &loc2),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(loc2, loc);
	CHECK_EQ(s_in_use(hv, c), used + 1);
	REQUIRE_ST(map_state(hv, c, 0, HV_VP_STATE_PAGE_INTERCEPT_MESSAGE, 0,
			     &loc2), HV_STATUS_SUCCESS);
	CHECK(loc2 != loc);
	CHECK_EQ(s_in_use(hv, c), used + 2);
	/* The root cannot deposit or map a pool page it shares. */
	CHECK_ST(t_deposit_list(hv, c, &loc, 1), HV_STATUS_OPERATION_DENIED);

	/* The parent writes the page and marks the class dirty: the next
	 * register call sees it; a register call shows in the page. */
	pg->rip = 0x1234;
	pg->gp_registers[0] = 77;	/* RAX, but GENERAL is not dirty */
	pg->dirty = 1u << HV_X64_REGISTER_CLASS_IP;
	CHECK_EQ(s_get(hv, c, 0, HV_X64_REGISTER_RIP), 0x1234);
	CHECK_EQ(s_get(hv, c, 0, HV_X64_REGISTER_RAX), 0);
	CHECK_EQ(pg->dirty, 0);
	s_set(hv, c, 0, HV_X64_REGISTER_RBX, 0x55);
	CHECK_EQ(pg->gp_registers[3], 0x55);
	CHECK_EQ(pg->gp_registers[0], 0);
	pg->segment_registers[1].base = 0;
	pg->segment_registers[1].selector = 0;
	pg->dirty = 1u << HV_X64_REGISTER_CLASS_SEGMENT;
	CHECK_EQ(s_get(hv, c, 0, HV_X64_REGISTER_RAX), 0);
	union hv_register_value cs;
	uint32_t name = HV_X64_REGISTER_CS;

	CHECK_ST(t_get_regs(hv, T_ROOT, c, 0, 0, &name, 1, &cs), HV_STATUS_SUCCESS);
	CHECK_EQ(cs.segment.selector, 0);

	/* Errors, each leaving the pool as it was. */
	used = s_in_use(hv, c);
	CHECK_ST(map_state(hv, c, 0, HV_VP_STATE_PAGE_GHCB, 0, &loc2),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(map_state(hv, c, 0, HV_VP_STATE_PAGE_REGISTERS,
			   HV_MAP_VP_STATE_PAGE_LOCATION_PROVIDED, &loc2),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(map_state(hv, c, 5, HV_VP_STATE_PAGE_REGISTERS, 0, &loc2),
		 HV_STATUS_INVALID_VP_INDEX);
	CHECK_ST(map_state(hv, 999, 0, HV_VP_STATE_PAGE_REGISTERS, 0, &loc2),
		 HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(map_state(hv, HV_PARTITION_ID_SELF, 0, 0, 0, &loc2),
		 HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(unmap_state(hv, c, 0, 3), HV_STATUS_INVALID_PARAMETER);
	CHECK_EQ(s_in_use(hv, c), used);
	/* A pool without a page to spare. */
	REQUIRE_ST(t_create_vp(hv, c, 1), HV_STATUS_SUCCESS);
	uint64_t avail = s_available(hv, c);
	uint64_t spare[64];
	uint32_t got = 0;

	REQUIRE(avail <= 64);
	REQUIRE_ST(t_withdraw(hv, c, (uint32_t)avail, spare, &got),
		   HV_STATUS_SUCCESS);
	CHECK_ST(map_state(hv, c, 1, HV_VP_STATE_PAGE_REGISTERS, 0, &loc2),
		 HV_STATUS_INSUFFICIENT_MEMORY);
	CHECK_EQ(s_available(hv, c), 0);
	t_fund(hv, c, &next, 1);
	CHECK_ST(map_state(hv, c, 1, HV_VP_STATE_PAGE_REGISTERS, 0, &loc2),
		 HV_STATUS_SUCCESS);
	/* Deleting a VP returns its pages. */
	used = s_in_use(hv, c);
	REQUIRE_ST(t_delete_vp(hv, c, 1), HV_STATUS_SUCCESS);
	CHECK(s_in_use(hv, c) < used);
	CHECK(ohv_gpa(hv, T_ROOT, loc2 << 12, 8) == NULL);

	/* Unmap: the page goes back; a second unmap has nothing to do. */
	used = s_in_use(hv, c);
	CHECK_ST(unmap_state(hv, c, 0, HV_VP_STATE_PAGE_INTERCEPT_MESSAGE),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(s_in_use(hv, c), used - 1);
	CHECK_ST(unmap_state(hv, c, 0, HV_VP_STATE_PAGE_INTERCEPT_MESSAGE),
		 HV_STATUS_INVALID_PARAMETER);

	/* Not the root: a child's VP state belongs to its parent, and only
	 * the root's space can show it. */
	uint64_t other = t_runnable_child(hv, &next,
					  0x5FFull | HV_PARTITION_PRIV_CREATE_PARTITIONS);
	struct hv_input_map_vp_state_page in = {
		.partition_id = c, .vp_index = 0,
	};

	CHECK_ST(t_as(hv, other, ohv_control(HVCALL_MAP_VP_STATE_PAGE, 1, 0, 0),
		      &in, sizeof(in), &loc2, 8), HV_STATUS_ACCESS_DENIED);
	/* Finalize takes the remaining page back. */
	uint64_t un = t_new_child(hv, &next);

	CHECK_ST(map_state(hv, un, 0, 0, 0, &loc2),
		 HV_STATUS_INVALID_PARTITION_STATE);
	used = s_in_use(hv, c);
	REQUIRE_ST(t_finalize(hv, c), HV_STATUS_SUCCESS);
	CHECK_EQ(s_in_use(hv, c), 0);
	CHECK(ohv_gpa(hv, T_ROOT, loc << 12, 8) == NULL);
	t_destroy_child(hv, c);
	t_close(hv);
}

/* GetVpState into root page out_page; the result. */
static uint64_t get_state(struct ohv *hv, uint64_t id, uint32_t vp,
			  uint32_t type, uint32_t npages, uint64_t out_page,
			  struct hv_output_get_vp_state *out)
{
	uint64_t buf[5 + 4];
	struct hv_input_get_vp_state *in = (void *)buf;

	memset(buf, 0, sizeof(buf));
	in->partition_id = id;
	in->vp_index = vp;
	in->state_data.type = type;
	for (uint32_t i = 0; i < npages; i++)
		in->output_data_pfns[i] = out_page + i;
	return s_root(hv, HVCALL_GET_VP_STATE, npages, buf, 40 + 8 * npages,
		      out, out ? sizeof(*out) : 0);
}

static uint64_t set_state(struct ohv *hv, uint64_t id, uint32_t vp,
			  uint32_t type, uint32_t nqw, const uint64_t *data)
{
	uint64_t buf[5 + 32];
	struct hv_input_set_vp_state *in = (void *)buf;

	memset(buf, 0, sizeof(buf));
	in->partition_id = id;
	in->vp_index = vp;
	in->state_data.type = type;
	memcpy(in->data, data, 8 * (size_t)nqw);
	return s_root(hv, HVCALL_SET_VP_STATE, nqw, buf, 40 + 8 * (size_t)nqw,
		      NULL, 0);
}

TEST(surface_vp_state)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t c = t_runnable_child(hv, &next, 0);
	uint64_t page = next++;		/* a root page for the state */
	uint8_t *p = ohv_gpa(hv, T_ROOT, page << 12, HV_PAGE_SIZE);
	struct hv_local_interrupt_controller_state l;

	REQUIRE_ST(t_create_vp(hv, c, 3), HV_STATUS_SUCCESS);
	/* LAPIC: the APIC id is the VP index (TLFS 2.0 §10.4.1). */
	memset(p, 0xA5, HV_PAGE_SIZE);
	REQUIRE_ST(get_state(hv, c, 3, HV_GET_SET_VP_STATE_LAPIC_STATE, 1, page,
			     NULL), HV_STATUS_SUCCESS);
	memcpy(&l, p, sizeof(l));
	CHECK_EQ(l.apic_id, 3);
	CHECK_EQ(l.apic_lvt_lint0, 0x10000);
	CHECK_EQ(p[sizeof(l)], 0);		/* the rest of the page is 0 */
	l.apic_ldr = 0x01000000;
	l.apic_initial_count = 1234;
	memcpy(p, &l, sizeof(l));
	CHECK_ST(set_state(hv, c, 3, HV_GET_SET_VP_STATE_LAPIC_STATE, 1, &page),
		 HV_STATUS_SUCCESS);
	memset(p, 0, HV_PAGE_SIZE);
	REQUIRE_ST(get_state(hv, c, 3, HV_GET_SET_VP_STATE_LAPIC_STATE, 1, page,
			     NULL), HV_STATUS_SUCCESS);
	CHECK(!memcmp(p, &l, sizeof(l)));

	/* XSAVE: compacted, the partition's 832 bytes; XMM registers are in
	 * it. */
	s_set(hv, c, 3, HV_X64_REGISTER_XMM0, 0xABCD);
	REQUIRE_ST(get_state(hv, c, 3, HV_GET_SET_VP_STATE_XSAVE, 1, page, NULL),
		   HV_STATUS_SUCCESS);
	uint64_t q;

	memcpy(&q, p + 160, 8);
	CHECK_EQ(q, 0xABCD);
	memcpy(&q, p + 520, 8);
	CHECK_EQ(q, (1ull << 63) | 7);
	memcpy(&q, p + 832, 8);
	CHECK_EQ(q, 0);
	q = 0x1111;
	memcpy(p + 160, &q, 8);
	CHECK_ST(set_state(hv, c, 3, HV_GET_SET_VP_STATE_XSAVE, 1, &page),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(s_get(hv, c, 3, HV_X64_REGISTER_XMM0), 0x1111);
	/* Not compacted, a component the partition lacks, MXCSR reserved. */
	q = 7;
	memcpy(p + 520, &q, 8);
	CHECK_ST(set_state(hv, c, 3, HV_GET_SET_VP_STATE_XSAVE, 1, &page),
		 HV_STATUS_INVALID_PARAMETER);
	q = (1ull << 63) | 7;
	memcpy(p + 520, &q, 8);
	q = 0x8;
	memcpy(p + 512, &q, 8);
	CHECK_ST(set_state(hv, c, 3, HV_GET_SET_VP_STATE_XSAVE, 1, &page),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_EQ(s_get(hv, c, 3, HV_X64_REGISTER_XMM0), 0x1111);

	/* SIM page while the SIM is off: held by the VP. */
	memset(p, 0x5A, HV_PAGE_SIZE);
	CHECK_ST(set_state(hv, c, 3, HV_GET_SET_VP_STATE_SIM_PAGE, 1, &page),
		 HV_STATUS_SUCCESS);
	memset(p, 0, HV_PAGE_SIZE);
	REQUIRE_ST(get_state(hv, c, 3, HV_GET_SET_VP_STATE_SIM_PAGE, 1, page,
			     NULL), HV_STATUS_SUCCESS);
	CHECK_EQ(p[4095], 0x5A);
	REQUIRE_ST(get_state(hv, c, 3, HV_GET_SET_VP_STATE_SIEF_PAGE, 1, page,
			     NULL), HV_STATUS_SUCCESS);
	CHECK_EQ(p[4095], 0);
	/* ... and in the guest's page once the SIMP names one. */
	REQUIRE_ST(s_map(hv, c, 0x20, next, 1, S_RW), HV_STATUS_SUCCESS);
	uint8_t *sim = ohv_gpa(hv, T_ROOT, next << 12, HV_PAGE_SIZE);

	next++;
	s_set(hv, c, 3, HV_REGISTER_SCONTROL, 1);
	s_set(hv, c, 3, HV_REGISTER_SIMP, 0x20ull << 12 | 1);
	memset(p, 0x77, HV_PAGE_SIZE);
	CHECK_ST(set_state(hv, c, 3, HV_GET_SET_VP_STATE_SIM_PAGE, 1, &page),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(sim[100], 0x77);

	/* Timers: bytes in the variable header one way, the output block
	 * the other. */
	struct hv_synthetic_timers_state ts;
	struct hv_output_get_vp_state out;

	memset(&ts, 0, sizeof(ts));
	ts.timers[2].config = 0x1234;
	ts.timers[3].count = 99;
	CHECK_ST(set_state(hv, c, 3, HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS, 25,
			   (const uint64_t *)&ts), HV_STATUS_SUCCESS);
	REQUIRE_ST(get_state(hv, c, 3, HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS, 0, 0,
			     &out), HV_STATUS_SUCCESS);
	CHECK(!memcmp(&out.synthetic_timers_state, &ts, sizeof(ts)));
	CHECK_ST(set_state(hv, c, 3, HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS, 24,
			   (const uint64_t *)&ts), HV_STATUS_INSUFFICIENT_BUFFER);

	/* Errors. */
	CHECK_ST(get_state(hv, c, 3, HV_GET_SET_VP_STATE_LAPIC_STATE, 0, page,
			   NULL), HV_STATUS_INSUFFICIENT_BUFFER);
	CHECK_ST(get_state(hv, c, 3, HV_GET_SET_VP_STATE_LAPIC_STATE, 1,
			   1ull << 30, NULL), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(get_state(hv, c, 3, 5, 1, page, NULL),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(get_state(hv, c, 9, 0, 1, page, NULL), HV_STATUS_INVALID_VP_INDEX);
	CHECK_ST(get_state(hv, 999, 0, 0, 1, page, NULL),
		 HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(get_state(hv, HV_PARTITION_ID_SELF, 0, 0, 1, page, NULL),
		 HV_STATUS_INVALID_PARTITION_ID);
	/* A variable header on a call without one, or too long. */
	struct hv_input_get_vp_state gin = { .partition_id = c };

	CHECK_ST(s_root(hv, HVCALL_MAP_VP_STATE_PAGE, 1, &gin, 32, NULL, 0),
		 HV_STATUS_INVALID_HYPERCALL_INPUT);
	CHECK_ST(s_root(hv, HVCALL_GET_VP_STATE, 508, &gin, sizeof(gin), NULL, 0),
		 HV_STATUS_INVALID_HYPERCALL_INPUT);
	/* XSAVE states the partition does not have. */
	uint64_t buf[6] = { c, 3, HV_GET_SET_VP_STATE_XSAVE, 0, 1ull << 9, page };

	CHECK_ST(s_root(hv, HVCALL_GET_VP_STATE, 1, buf, sizeof(buf), NULL, 0),
		 HV_STATUS_INVALID_PARAMETER);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* A stop of ohv_vp_run fills the register and intercept pages.            */

#include "../src/backend/backend.h"

static int halt_run(struct ohv_bvp *v, struct hv_message *msg)
{
	(void)v;
	msg->header.message_type = 0x80010007u;	/* HVMSG_X64_HALT */
	msg->header.payload_size = 40;
	msg->payload[0] = 0x2A;
	return 0;
}

static const struct ohv_backend_ops halt_ops = {
	.name = "halt", .vp_run = halt_run,
};

TEST(surface_vp_state_pages_on_run)
{
	struct ohv_config cfg;
	struct ohv *hv;
	uint64_t next = T_FIRST_FREE_PAGE, regs = 0, icpt = 0;
	struct hv_message msg;

	t_config(&cfg);
	REQUIRE(ohv_debug_open_backend(&cfg, &halt_ops, NULL, &hv) == 0);
	uint64_t c = t_runnable_child(hv, &next, 0);

	REQUIRE_ST(map_state(hv, c, 0, HV_VP_STATE_PAGE_REGISTERS, 0, &regs),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(map_state(hv, c, 0, HV_VP_STATE_PAGE_INTERCEPT_MESSAGE, 0,
			     &icpt), HV_STATUS_SUCCESS);
	struct hv_vp_register_page *pg = ohv_gpa(hv, T_ROOT, regs << 12,
						 sizeof(*pg));
	const struct hv_message *im = ohv_gpa(hv, T_ROOT, icpt << 12,
					      sizeof(*im));

	/* What the parent marked dirty is applied before the run. */
	pg->rip = 0x1000;
	pg->dirty = 1u << HV_X64_REGISTER_CLASS_IP;
	REQUIRE(ohv_vp_run(hv, c, 0, &msg) == 0);
	CHECK_EQ(im->header.message_type, 0x80010007u);
	CHECK_EQ(im->payload[0], 0x2A);
	CHECK_EQ(pg->rip, 0x1000);
	CHECK_EQ(pg->dirty, 0);
	CHECK_EQ(pg->isvalid, 1);
	CHECK_EQ(s_get(hv, c, 0, HV_REGISTER_INTERCEPT_SUSPEND), 1);
	t_close(hv);
}
