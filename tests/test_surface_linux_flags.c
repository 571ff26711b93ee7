/*
 * What SPEC 6, 7 and 10 add to the seed calls for the Linux root: map
 * flags ADJUSTABLE and LARGE_PAGE, unmap LARGE_PAGE, the full x64 register
 * set, doorbell ports.
 */
#include "surface_t.h"

/* Root pages for the large-page source: 2 MiB aligned, far from the ones
 * the harness hands out from T_FIRST_FREE_PAGE. */
#define LARGE_SRC	2048ull

static uint64_t map_large(struct ohv *hv, uint64_t id, uint64_t base,
			  uint64_t src, uint32_t flags)
{
	struct { struct hv_input_map_gpa_pages h; uint64_t s[1]; } in = {
		{ .target_partition_id = id, .target_gpa_base = base,
		  .map_flags = flags }, { src },
	};

	return t_mem(hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, 1, 0),
		     &in, sizeof(in), NULL, 0);
}

static uint64_t unmap(struct ohv *hv, uint64_t id, uint64_t base, uint32_t n,
		      uint32_t flags)
{
	struct hv_input_unmap_gpa_pages in = {
		.target_partition_id = id, .target_gpa_base = base,
		.unmap_flags = flags,
	};

	return t_mem(hv, T_ROOT, ohv_control(HVCALL_UNMAP_GPA_PAGES, 0, n, 0),
		     &in, sizeof(in), NULL, 0);
}

TEST(surface_map_flags)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t c = t_runnable_child(hv, &next, 0);
	const uint32_t lp = HV_MAP_GPA_LARGE_PAGE | HV_MAP_GPA_ADJUSTABLE | 0xF;

	REQUIRE(next < LARGE_SRC);
	/* Linux's region flags: 0x800F and 0x8003. */
	CHECK_ST(s_map(hv, c, 1, next, 1, 0x800F), HV_STATUS_SUCCESS);
	CHECK_ST(s_map(hv, c, 2, next + 1, 1, 0x8003), HV_STATUS_SUCCESS);
	CHECK(ohv_gpa(hv, c, 1 << 12, 8) == ohv_gpa(hv, T_ROOT, next << 12, 8));
	next += 2;
	/* A large page: 512 frames at a 2 MiB-aligned GPA. */
	CHECK_ST(map_large(hv, c, 512, LARGE_SRC, lp), HV_STATUS_SUCCESS);
	for (uint64_t k = 0; k < 512; k += 73)
		CHECK(ohv_gpa(hv, c, (512 + k) << 12, 8) ==
		      ohv_gpa(hv, T_ROOT, (LARGE_SRC + k) << 12, 8));
	CHECK(ohv_gpa(hv, c, 1024ull << 12, 8) == NULL);
	/* Misaligned source or target. */
	uint64_t r = map_large(hv, c, 1024, LARGE_SRC + 1, lp);

	CHECK_ST(r, HV_STATUS_INVALID_PARAMETER);
	CHECK_EQ(ohv_result_reps(r), 0);
	CHECK_ST(map_large(hv, c, 1025, LARGE_SRC, lp), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(map_large(hv, c, 1024, LARGE_SRC, 0x4000 | 3),
		 HV_STATUS_INVALID_PARAMETER);
	/* Unmap a large page: one rep, 512 pages. */
	CHECK_ST(unmap(hv, c, 512, 1, HV_UNMAP_GPA_LARGE_PAGE), HV_STATUS_SUCCESS);
	CHECK(ohv_gpa(hv, c, 512ull << 12, 8) == NULL);
	CHECK(ohv_gpa(hv, c, 1023ull << 12, 8) == NULL);
	CHECK(ohv_gpa(hv, c, 1 << 12, 8) != NULL);
	CHECK_ST(unmap(hv, c, 513, 1, HV_UNMAP_GPA_LARGE_PAGE),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(unmap(hv, c, 512, 1, 0x1), HV_STATUS_INVALID_PARAMETER);
	/* The root's pages are its own again: it can deposit them. */
	uint64_t pg = LARGE_SRC + 100;

	CHECK_ST(t_deposit_list(hv, c, &pg, 1), HV_STATUS_SUCCESS);
	t_close(hv);
}

TEST(surface_full_register_set)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t c = t_runnable_child(hv, &next, 0);
	static const uint32_t rw[] = {
		HV_X64_REGISTER_DR0, HV_X64_REGISTER_DR3, HV_X64_REGISTER_DR6,
		HV_X64_REGISTER_DR7, HV_X64_REGISTER_TSC, HV_X64_REGISTER_PAT,
		HV_X64_REGISTER_SYSENTER_CS, HV_X64_REGISTER_SYSENTER_EIP,
		HV_X64_REGISTER_SYSENTER_ESP, HV_X64_REGISTER_STAR,
		HV_X64_REGISTER_LSTAR, HV_X64_REGISTER_CSTAR,
		HV_X64_REGISTER_SFMASK, HV_X64_REGISTER_KERNEL_GS_BASE,
		HV_X64_REGISTER_TSC_AUX, HV_X64_REGISTER_APIC_BASE,
		HV_REGISTER_PENDING_INTERRUPTION, HV_REGISTER_INTERRUPT_STATE,
		HV_X64_REGISTER_MSR_MTRR_DEF_TYPE, HV_X64_REGISTER_DEBUG_CTL,
	};

	/* Reset values. */
	CHECK_EQ(s_get(hv, c, 0, HV_X64_REGISTER_PAT), 0x0007040600070406ull);
	CHECK_EQ(s_get(hv, c, 0, HV_X64_REGISTER_APIC_BASE), 0xFEE00900ull);
	CHECK_EQ(s_get(hv, c, 0, HV_X64_REGISTER_DR7), 0x400);
	CHECK_EQ(s_get(hv, c, 0, HV_X64_REGISTER_XFEM), 1);
	for (size_t i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
		s_set(hv, c, 0, rw[i], 0x1000 + i);
		CHECK_EQ(s_get(hv, c, 0, rw[i]), 0x1000 + i);
	}
	/* XCR0: x87 always, AVX with SSE, nothing beyond x87/SSE/AVX. */
	s_set(hv, c, 0, HV_X64_REGISTER_XFEM, 7);
	CHECK_ST(t_set_reg64(hv, T_ROOT, c, 0, HV_X64_REGISTER_XFEM, 6),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(t_set_reg64(hv, T_ROOT, c, 0, HV_X64_REGISTER_XFEM, 5),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(t_set_reg64(hv, T_ROOT, c, 0, HV_X64_REGISTER_XFEM, 0xF),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(t_set_reg64(hv, T_ROOT, c, 0, HV_X64_REGISTER_MSR_MTRR_CAP, 0),
		 HV_STATUS_INVALID_PARAMETER);
	/* FPU and XMM registers: 128-bit values. */
	uint32_t names[3] = { HV_X64_REGISTER_XMM15, HV_X64_REGISTER_FP_MMX7,
			      HV_X64_REGISTER_XMM_CONTROL_STATUS };
	struct hv_register_assoc set[3];
	union hv_register_value got[3];

	memset(set, 0, sizeof(set));
	for (int i = 0; i < 3; i++) {
		set[i].name = names[i];
		set[i].value.reg128[0] = 0x1111111111111111ull * (i + 1);
		set[i].value.reg128[1] = 0x22 + i;
	}
	set[2].value.reg128[1] = 0xFFFF00001F80ull;	/* MXCSR, its mask */
	CHECK_ST(t_set_regs(hv, T_ROOT, c, 0, 0, set, 3), HV_STATUS_SUCCESS);
	CHECK_ST(t_get_regs(hv, T_ROOT, c, 0, 0, names, 3, got), HV_STATUS_SUCCESS);
	for (int i = 0; i < 3; i++)
		CHECK(!memcmp(&got[i], &set[i].value, 16));
	set[2].value.reg128[1] = 0x10000;		/* MXCSR reserved bit */
	CHECK_ST(t_set_regs(hv, T_ROOT, c, 0, 0, &set[2], 1),
		 HV_STATUS_INVALID_PARAMETER);
	t_close(hv);
}

static uint64_t create_port(struct ohv *hv, uint64_t caller, uint64_t pp,
			    uint64_t cp, uint32_t type, uint32_t sint)
{
	struct hv_input_create_port in = {
		.port_partition_id = pp, .port_id = 0x11 + type - 4,
		.connection_partition_id = cp,
		.port_info = { .port_type = type,
			       .message_port_info = { .target_sint = sint,
						      .target_vp = HV_ANY_VP } },
	};

	return t_as(hv, caller, ohv_control(HVCALL_CREATE_PORT, caller != T_ROOT,
					    0, 0), &in, sizeof(in), NULL, 0);
}

static uint64_t connect_doorbell(struct ohv *hv, uint64_t cp, uint32_t id,
				 uint64_t gpa, uint64_t value, uint64_t flags)
{
	struct hv_input_connect_port in = {
		.connection_partition_id = cp, .connection_id = id,
		.port_partition_id = T_ROOT, .port_id = 0x11,
		.connection_info = { .port_type = HV_PORT_TYPE_DOORBELL,
			.doorbell_connection_info = { gpa, value, flags } },
	};

	return t_mem(hv, T_ROOT, ohv_control(HVCALL_CONNECT_PORT, 0, 0, 0), &in,
		     sizeof(in), NULL, 0);
}

TEST(surface_doorbell_ports)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t c = t_runnable_child(hv, &next,
				      0x5FFull | HV_PARTITION_PRIV_CREATE_PORT |
				      HV_PARTITION_PRIV_SIGNAL_EVENTS);
	struct ohv_connection_state cs[2];

	t_fund(hv, T_ROOT, &next, 8);
	/* Linux: a doorbell port in the root, SINT 5, any VP. */
	CHECK_ST(create_port(hv, T_ROOT, T_ROOT, c, HV_PORT_TYPE_DOORBELL, 5),
		 HV_STATUS_SUCCESS);
	/* Only the root has doorbells. */
	CHECK_ST(create_port(hv, c, HV_PARTITION_ID_SELF, T_ROOT,
			     HV_PORT_TYPE_DOORBELL, 5), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(create_port(hv, T_ROOT, T_ROOT, c, HV_PORT_TYPE_DOORBELL + 1, 5),
		 HV_STATUS_INVALID_PARAMETER);
	/* The connection: GPA, value, length (4 bytes) and ANY_VALUE. */
	CHECK_ST(connect_doorbell(hv, c, 3, 0xFEB00003, 0, 3),
		 HV_STATUS_INVALID_PARAMETER);		/* misaligned */
	CHECK_ST(connect_doorbell(hv, c, 3, 0xFEB00000, 0, 5),
		 HV_STATUS_INVALID_PARAMETER);		/* size 5 */
	CHECK_ST(connect_doorbell(hv, c, 3, 0xFEB00000, 0, 0x100),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(connect_doorbell(hv, c, 3, 1ull << 52, 0, 0),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(connect_doorbell(hv, c, 3, 0xFEB00000, 0x42,
				  HV_DOORBELL_FLAG_TRIGGER_SIZE_DWORD |
				  HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_connection_list(hv, c, cs, 2), 1);
	/* Not an event port: a signal through it finds no port. */
	struct hv_input_signal_event se = { .connection_id = 3 };

	CHECK_ST(t_as(hv, c, ohv_control(HVCALL_SIGNAL_EVENT, 1, 0, 0), &se,
		      sizeof(se), NULL, 0), HV_STATUS_INVALID_PORT_ID);
	/* HvDeletePort per seed 004. */
	struct hv_input_delete_port dp = { .port_partition_id = T_ROOT,
					   .port_id = 0x11 };

	CHECK_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_DELETE_PORT, 0, 0, 0), &dp,
		       sizeof(dp), NULL, 0), HV_STATUS_SUCCESS);
	CHECK_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_DELETE_PORT, 0, 0, 0), &dp,
		       sizeof(dp), NULL, 0), HV_STATUS_INVALID_PORT_ID);
	struct hv_input_disconnect_port dc = { .connection_partition_id = c,
					       .connection_id = 3,
					       .is_doorbell = 1 };

	CHECK_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_DISCONNECT_PORT, 0, 0, 0),
		       &dc, sizeof(dc), NULL, 0), HV_STATUS_SUCCESS);
	t_close(hv);
}
