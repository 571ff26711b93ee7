/*
 * HvAssertVirtualInterrupt, HvClearVirtualInterrupt, HvInstallIntercept,
 * HvRegisterInterceptResult and HvGetVpCpuidValues.
 */
#include <errno.h>

#include "surface_t.h"

static uint64_t assert_irq(struct ohv *hv, uint64_t id, uint64_t control,
			   uint64_t dest, uint32_t vector)
{
	struct hv_input_assert_virtual_interrupt in = {
		.partition_id = id, .control = control, .dest_addr = dest,
		.vector = vector,
	};

	return s_root(hv, HVCALL_ASSERT_VIRTUAL_INTERRUPT, 0, &in, sizeof(in),
		      NULL, 0);
}

static struct ohv_vp_irq_state irq(struct ohv *hv, uint64_t id, uint32_t vp)
{
	struct ohv_vp_irq_state s;

	REQUIRE(ohv_vp_irq_state(hv, id, vp, &s) == 0);
	return s;
}

static bool irr(const struct ohv_vp_irq_state *s, uint32_t v)
{
	return s->irr[v / 32] >> (v % 32) & 1;
}

TEST(surface_assert_virtual_interrupt)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t c = t_runnable_child(hv, &next, 0);
	struct ohv_vp_irq_state s;

	REQUIRE_ST(t_create_vp(hv, c, 1), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_create_vp(hv, c, 2), HV_STATUS_SUCCESS);
	/* Fixed, edge, physical: VP 1 only. */
	CHECK_ST(assert_irq(hv, c, HV_X64_INTERRUPT_TYPE_FIXED, 1, 0x31),
		 HV_STATUS_SUCCESS);
	s = irq(hv, c, 1);
	CHECK(irr(&s, 0x31));
	CHECK_EQ(s.asserted, 1);
	CHECK_EQ(s.tmr[0x31 / 32], 0);
	s = irq(hv, c, 0);
	CHECK(!irr(&s, 0x31));
	/* Level-triggered: TMR too. */
	CHECK_ST(assert_irq(hv, c, HV_INTERRUPT_CONTROL_LEVEL, 2, 0x40),
		 HV_STATUS_SUCCESS);
	s = irq(hv, c, 2);
	CHECK(irr(&s, 0x40) && (s.tmr[2] & 1));
	/* NMI, INIT, SIPI, ExtInt (rust-vmm: type 7, vector 0). */
	CHECK_ST(assert_irq(hv, c, HV_X64_INTERRUPT_TYPE_NMI, 0, 2),
		 HV_STATUS_SUCCESS);
	CHECK_ST(assert_irq(hv, c, HV_X64_INTERRUPT_TYPE_INIT, 1, 0),
		 HV_STATUS_SUCCESS);
	CHECK_ST(assert_irq(hv, c, HV_X64_INTERRUPT_TYPE_SIPI, 1, 0x9A),
		 HV_STATUS_SUCCESS);
	CHECK_ST(assert_irq(hv, c, HV_X64_INTERRUPT_TYPE_EXTINT, 0, 0),
		 HV_STATUS_SUCCESS);
	s = irq(hv, c, 0);
	CHECK_EQ(s.nmi, 1);
	CHECK_EQ(s.extint, 1);
	s = irq(hv, c, 1);
	CHECK_EQ(s.init, 1);
	CHECK_EQ(s.sipi, 1);
	CHECK_EQ(s.sipi_vector, 0x9A);
	/* Broadcast reaches all; lowest priority one; logical by LDR. */
	CHECK_ST(assert_irq(hv, c, HV_X64_INTERRUPT_TYPE_FIXED, 0xFF, 0x50),
		 HV_STATUS_SUCCESS);
	for (uint32_t v = 0; v < 3; v++) {
		s = irq(hv, c, v);
		CHECK(irr(&s, 0x50));
	}
	CHECK_ST(assert_irq(hv, c, HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY,
			    0xFFFFFFFF, 0x51), HV_STATUS_SUCCESS);
	s = irq(hv, c, 0);
	CHECK(irr(&s, 0x51));
	s = irq(hv, c, 1);
	CHECK(!irr(&s, 0x51));
	CHECK_ST(assert_irq(hv, c, HV_INTERRUPT_CONTROL_LOGICAL, 0x1, 0x52),
		 HV_STATUS_SUCCESS);
	s = irq(hv, c, 0);
	CHECK(!irr(&s, 0x52));		/* LDR 0: nobody */
	/* No such APIC id: dropped, as on the bus. */
	CHECK_ST(assert_irq(hv, c, 0, 7, 0x60), HV_STATUS_SUCCESS);

	/* HvClearVirtualInterrupt: level-triggered ones go, edge ones stay. */
	CHECK_ST(s_root(hv, HVCALL_CLEAR_VIRTUAL_INTERRUPT, 0, &c, 8, NULL, 0),
		 HV_STATUS_SUCCESS);
	s = irq(hv, c, 2);
	CHECK(!irr(&s, 0x40) && irr(&s, 0x50));
	CHECK_EQ(s.tmr[2], 0);

	/* Errors. */
	CHECK_ST(assert_irq(hv, c, 0, 0, 15), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(assert_irq(hv, c, 0, 0, 256), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(assert_irq(hv, c, HV_X64_INTERRUPT_TYPE_SMI, 0, 0x30),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(assert_irq(hv, c, 1ull << 40, 0, 0x30),
		 HV_STATUS_INVALID_PARAMETER);
	struct hv_input_assert_virtual_interrupt vtl = {
		.partition_id = c, .vector = 0x30, .target_vtl = 1,
	};

	CHECK_ST(s_root(hv, HVCALL_ASSERT_VIRTUAL_INTERRUPT, 0, &vtl, sizeof(vtl),
			NULL, 0), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(assert_irq(hv, 999, 0, 0, 0x30), HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(assert_irq(hv, T_ROOT, 0, 0, 0x30), HV_STATUS_ACCESS_DENIED);
	uint64_t un = t_new_child(hv, &next);

	CHECK_ST(assert_irq(hv, un, 0, 0, 0x30), HV_STATUS_INVALID_PARTITION_STATE);
	CHECK_ST(s_root(hv, HVCALL_CLEAR_VIRTUAL_INTERRUPT, 0, &un, 8, NULL, 0),
		 HV_STATUS_INVALID_PARTITION_STATE);
	/* A child asserting into its sibling. */
	struct hv_input_assert_virtual_interrupt sib = {
		.partition_id = c, .vector = 0x30,
	};
	uint64_t other = t_runnable_child(hv, &next, 0);

	CHECK_ST(t_as(hv, other, ohv_control(HVCALL_ASSERT_VIRTUAL_INTERRUPT, 1,
					     0, 0), &sib, sizeof(sib), NULL, 0),
		 HV_STATUS_ACCESS_DENIED);
	CHECK(ohv_vp_irq_state(hv, c, 9, &s) == -ENOENT);
	CHECK(ohv_vp_irq_state(NULL, c, 0, &s) == -EINVAL);
	t_close(hv);
}

static uint64_t intercept(struct ohv *hv, uint64_t id, uint32_t access,
			  uint32_t type, uint64_t param)
{
	struct hv_input_install_intercept in = {
		.partition_id = id, .access_type = access,
		.intercept_type = type, .intercept_parameter = param,
	};

	return s_root(hv, HVCALL_INSTALL_INTERCEPT, 0, &in, sizeof(in), NULL, 0);
}

TEST(surface_install_intercept)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t c = t_active_child(hv, &next);
	struct ohv_intercept list[4];

	/* rust-vmm: CPUID leaves 0x100 and 0x101, EXECUTE; the upper half of
	 * the parameter is whatever the caller left. */
	CHECK_ST(intercept(hv, c, HV_INTERCEPT_ACCESS_MASK_EXECUTE,
			   HV_INTERCEPT_TYPE_X64_CPUID, 0xDEAD000000000100ull),
		 HV_STATUS_SUCCESS);
	CHECK_ST(intercept(hv, c, HV_INTERCEPT_ACCESS_MASK_EXECUTE,
			   HV_INTERCEPT_TYPE_X64_CPUID, 0x101), HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_intercept_list(hv, c, list, 4), 2);
	CHECK_EQ(list[0].parameter, 0x100);
	CHECK_EQ(list[0].access, HV_INTERCEPT_ACCESS_MASK_EXECUTE);
	/* Again: the mask is replaced; mask 0 removes it. */
	CHECK_ST(intercept(hv, c, 3, HV_INTERCEPT_TYPE_X64_CPUID, 0x100),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_intercept_list(hv, c, list, 4), 2);
	CHECK_EQ(list[0].access, 3);
	CHECK_ST(intercept(hv, c, 0, HV_INTERCEPT_TYPE_X64_CPUID, 0x100),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_intercept_list(hv, c, list, 4), 1);
	CHECK_EQ(list[0].parameter, 0x101);
	/* I/O ports until the table is full. */
	uint32_t k;

	for (k = 0; k < 200; k++) {
		uint64_t r = intercept(hv, c, HV_INTERCEPT_ACCESS_MASK_WRITE,
				       HV_INTERCEPT_TYPE_X64_IO_PORT, 0x3F8 + k);

		if (ohv_result_status(r) != HV_STATUS_SUCCESS) {
			CHECK_ST(r, HV_STATUS_NO_RESOURCES);
			break;
		}
	}
	CHECK_EQ(k, 63);
	CHECK_EQ(ohv_intercept_list(hv, c, NULL, 0), 64);
	/* Errors. */
	CHECK_ST(intercept(hv, c, 1, HV_INTERCEPT_TYPE_RESERVED0, 0),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(intercept(hv, c, 1, HV_INTERCEPT_TYPE_MAX, 0),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(intercept(hv, c, 8, HV_INTERCEPT_TYPE_X64_MSR, 0),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(intercept(hv, 999, 1, 0, 0), HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(intercept(hv, T_ROOT, 1, 0, 0), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(intercept(hv, t_new_child(hv, &next), 1, 0, 0),
		 HV_STATUS_INVALID_PARTITION_STATE);
	t_close(hv);
}

static uint64_t cpuid(struct ohv *hv, uint64_t id, uint32_t vp, uint32_t flags,
		      uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	uint64_t buf[6];
	struct hv_input_get_vp_cpuid_values *in = (void *)buf;

	memset(buf, 0, sizeof(buf));
	in->partition_id = id;
	in->vp_index = vp;
	in->flags = flags;
	in->cpuid_leaf_info[0].eax = leaf;
	in->cpuid_leaf_info[0].ecx = sub;
	return t_mem(hv, T_ROOT, ohv_control(HVCALL_GET_VP_CPUID_VALUES, 0, 1, 0),
		     buf, sizeof(buf), r, 16);
}

TEST(surface_cpuid)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t c = t_runnable_child(hv, &next, 0);
	uint32_t r[4];
	char sig[13] = { 0 };

	/* rust-vmm: leaf 0 with flags 3, max basic leaf >= 1. */
	REQUIRE_ST(cpuid(hv, c, 0, 3, 0, 0, r), HV_STATUS_SUCCESS);
	CHECK(r[0] >= 1);
	/* SPEC 11.3: the Hyper-V leaves. */
	REQUIRE_ST(cpuid(hv, c, 0, 0, 0x40000000, 0, r), HV_STATUS_SUCCESS);
	CHECK_EQ(r[0], 0x40000006);
	memcpy(sig, &r[1], 12);
	CHECK(!strcmp(sig, "Microsoft Hv"));
	REQUIRE_ST(cpuid(hv, c, 0, 0, 0x40000001, 0, r), HV_STATUS_SUCCESS);
	CHECK(!memcmp(&r[0], "Hv#1", 4));
	REQUIRE_ST(cpuid(hv, c, 0, 0, 0x40000003, 0, r), HV_STATUS_SUCCESS);
	CHECK_EQ(((uint64_t)r[1] << 32 | r[0]), t_info(hv, c).privileges);
	REQUIRE_ST(cpuid(hv, c, 0, 0, 0x40000004, 0, r), HV_STATUS_SUCCESS);
	CHECK(r[0] & (1u << 9));
	/* Leaf 1: APIC id, hypervisor present. */
	REQUIRE_ST(t_create_vp(hv, c, 5), HV_STATUS_SUCCESS);
	REQUIRE_ST(cpuid(hv, c, 5, 0, 1, 0, r), HV_STATUS_SUCCESS);
	CHECK_EQ(r[1] >> 24, 5);
	CHECK(r[2] & (1u << 31));
	/* XSAVE sizes by XFEM: the element's, or the VP's (flag bit 0). */
	REQUIRE_ST(cpuid(hv, c, 5, 0, 0xD, 0, r), HV_STATUS_SUCCESS);
	CHECK_EQ(r[0], 7);
	CHECK_EQ(r[2], 832);
	s_set(hv, c, 5, HV_X64_REGISTER_XFEM, 7);
	REQUIRE_ST(cpuid(hv, c, 5, 1, 0xD, 0, r), HV_STATUS_SUCCESS);
	CHECK_EQ(r[1], 832);
	/* A registered result, applied with flag bit 1 only. */
	struct hv_input_register_intercept_result in = {
		.partition_id = c, .vp_index = 5,
		.intercept_type = HV_INTERCEPT_TYPE_X64_CPUID,
		.input_eax = 0x40000002,
		.ebx = 0x12345678, .ebx_mask = 0xFFFF0000,
		.edx = 1, .edx_mask = 1,
	};

	CHECK_ST(s_root(hv, HVCALL_REGISTER_INTERCEPT_RESULT, 0, &in, 60, NULL, 0),
		 HV_STATUS_SUCCESS);
	REQUIRE_ST(cpuid(hv, c, 5, 2, 0x40000002, 0, r), HV_STATUS_SUCCESS);
	CHECK_EQ(r[1], 0x12340000);
	CHECK_EQ(r[3], 1);
	REQUIRE_ST(cpuid(hv, c, 5, 0, 0x40000002, 0, r), HV_STATUS_SUCCESS);
	CHECK_EQ(r[1], 0x000A0000);
	REQUIRE_ST(cpuid(hv, c, 0, 2, 0x40000002, 0, r), HV_STATUS_SUCCESS);
	CHECK_EQ(r[1], 0x000A0000);	/* another VP */
	/* Errors. */
	in.intercept_type = HV_INTERCEPT_TYPE_X64_MSR;
	CHECK_ST(s_root(hv, HVCALL_REGISTER_INTERCEPT_RESULT, 0, &in, 60, NULL, 0),
		 HV_STATUS_INVALID_PARAMETER);
	in.intercept_type = HV_INTERCEPT_TYPE_X64_CPUID;
	in.vp_index = 9;
	CHECK_ST(s_root(hv, HVCALL_REGISTER_INTERCEPT_RESULT, 0, &in, 60, NULL, 0),
		 HV_STATUS_INVALID_VP_INDEX);
	in.partition_id = T_ROOT;
	CHECK_ST(s_root(hv, HVCALL_REGISTER_INTERCEPT_RESULT, 0, &in, 60, NULL, 0),
		 HV_STATUS_ACCESS_DENIED);
	in.partition_id = 999;
	CHECK_ST(s_root(hv, HVCALL_REGISTER_INTERCEPT_RESULT, 0, &in, 60, NULL, 0),
		 HV_STATUS_INVALID_PARTITION_ID);
	/* Up to 64 results. */
	in = (struct hv_input_register_intercept_result){
		.partition_id = c, .intercept_type = HV_INTERCEPT_TYPE_X64_CPUID,
	};
	uint32_t k;

	for (k = 0; k < 100; k++) {
		in.input_eax = 0x80000000 + k;
		if (ohv_result_status(s_root(hv, HVCALL_REGISTER_INTERCEPT_RESULT, 0,
					     &in, 60, NULL, 0)))
			break;
	}
	CHECK_EQ(k, 63);
	CHECK_ST(s_root(hv, HVCALL_REGISTER_INTERCEPT_RESULT, 0, &in, 60, NULL, 0),
		 HV_STATUS_NO_RESOURCES);
	CHECK_ST(cpuid(hv, c, 0, 4, 0, 0, r), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(cpuid(hv, c, 9, 0, 0, 0, r), HV_STATUS_INVALID_VP_INDEX);
	CHECK_ST(cpuid(hv, T_ROOT, 0, 0, 0, 0, r), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(cpuid(hv, 999, 0, 0, 0, 0, r), HV_STATUS_INVALID_PARTITION_ID);
	t_close(hv);
}
