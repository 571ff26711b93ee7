/*
 * HvGetSystemProperty, the partition properties of SPEC 10,
 * HvGetPartitionPropertyEx and HvNotifyPortRingEmpty.
 */
#include "surface_t.h"

static uint64_t sysprop(struct ohv *hv, uint64_t caller, uint32_t id,
			uint32_t arg, uint64_t *value)
{
	struct hv_input_get_system_property in = { id, arg };

	return t_as(hv, caller, ohv_control(HVCALL_GET_SYSTEM_PROPERTY, caller != T_ROOT, 0, 0),
		    &in, sizeof(in), value, sizeof(*value));
}

TEST(surface_system_property)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE, v = 0;

	/* Linux takes its hypervisor-scheduler path on the core scheduler. */
	CHECK_ST(sysprop(hv, T_ROOT, HV_SYSTEM_PROPERTY_SCHEDULER_TYPE, 0, &v),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(v, HV_SCHEDULER_TYPE_CORE_SMT);
	v = 1;
	CHECK_ST(sysprop(hv, T_ROOT, HV_DYNAMIC_PROCESSOR_FEATURE_PROPERTY,
			 HV_X64_DYNAMIC_PROCESSOR_FEATURE_SNP_STATUS, &v),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(v, 0);
	CHECK_ST(sysprop(hv, T_ROOT, HV_DYNAMIC_PROCESSOR_FEATURE_PROPERTY, 99,
			 &v), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(sysprop(hv, T_ROOT, 0x12345, 0, &v),
		 HV_STATUS_INVALID_PARAMETER);
	/* A child is not the host. */
	uint64_t c = t_runnable_child(hv, &next, 0);

	CHECK_ST(sysprop(hv, c, HV_SYSTEM_PROPERTY_SCHEDULER_TYPE, 0, &v),
		 HV_STATUS_ACCESS_DENIED);
	t_close(hv);
}

TEST(surface_partition_properties)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE, v = 0;
	struct hv_input_create_partition cin = {
		.flags = HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED,
		.compatibility_version = HV_COMPATIBILITY_21_H2,
		.disabled_processor_features = { 0x1, 0x2 },
		/* xsave, xsaveopt, avx left (rust-vmm's mask less AVX2..) */
		.disabled_processor_xsave_features = ~0x7ull,
	};
	uint64_t c;

	t_fund(hv, T_ROOT, &next, 64);
	REQUIRE_ST(t_create_in(hv, &cin, &c), HV_STATUS_SUCCESS);

	/* Readable while Uninitialized (rust-vmm reads before initialize). */
	static const struct { uint32_t code; uint64_t want; } ro[] = {
		{ HV_PARTITION_PROPERTY_XSAVE_STATES, 0x7 },
		{ HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE, 832 },
		{ HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES, 0x7 },
		{ HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0,
		  HV_PROCESSOR_FEATURES0_DEFINED & ~1ull },
		{ HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1,
		  HV_PROCESSOR_FEATURES1_DEFINED & ~2ull },
		{ HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH, 52 },
		{ HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY, 1000000000 },
	};
	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		CHECK_ST(t_get_property(hv, c, ro[i].code, &v), HV_STATUS_SUCCESS);
		CHECK_MSG(v == ro[i].want, "0x%x: 0x%llx", ro[i].code,
			  (unsigned long long)v);
		/* Read-only: a set is out of range. */
		CHECK_ST(t_set_property(hv, c, ro[i].code, v),
			 HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE);
	}
	/* The root: every defined feature. */
	CHECK_ST(t_get_property(hv, HV_PARTITION_ID_SELF,
				HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0, &v),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(v, HV_PROCESSOR_FEATURES0_DEFINED);

	/* UNIMPLEMENTED_MSR_ACTION: set and read in both states (QEMU sets
	 * it after initialize), 0 and 1 only. */
	CHECK_ST(t_set_property(hv, c, HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
				1), HV_STATUS_SUCCESS);
	CHECK_ST(t_set_property(hv, c, HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
				2), HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE);
	/* Tracking needs an Active partition. */
	CHECK_ST(t_set_property(hv, c, HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
				1), HV_STATUS_INVALID_PARTITION_STATE);
	t_fund(hv, c, &next, 16);
	REQUIRE_ST(t_initialize(hv, c), HV_STATUS_SUCCESS);
	CHECK_ST(t_get_property(hv, c, HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
				&v), HV_STATUS_SUCCESS);
	CHECK_EQ(v, 1);
	CHECK_ST(t_set_property(hv, c, HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
				0), HV_STATUS_SUCCESS);
	CHECK_ST(t_set_property(hv, c, HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
				1), HV_STATUS_SUCCESS);
	CHECK_ST(t_get_property(hv, c, HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
				&v), HV_STATUS_SUCCESS);
	CHECK_EQ(v, 1);
	CHECK_ST(t_set_property(hv, c, HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
				2), HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE);
	/* Without XSAVE: x87 and SSE, 576 bytes. */
	uint64_t d;

	cin.disabled_processor_xsave_features = ~0ull;
	REQUIRE_ST(t_create_in(hv, &cin, &d), HV_STATUS_SUCCESS);
	CHECK_ST(t_get_property(hv, d, HV_PARTITION_PROPERTY_XSAVE_STATES, &v),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(v, 0x3);
	CHECK_ST(t_get_property(hv, d, HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE,
				&v), HV_STATUS_SUCCESS);
	CHECK_EQ(v, 576);
	t_close(hv);
}

static uint64_t prop_ex(struct ohv *hv, uint64_t caller, uint64_t id,
			uint32_t code, uint64_t arg, uint8_t *out)
{
	struct hv_input_get_partition_property_ex in = {
		.partition_id = id, .property_code = code, .arg = arg,
	};

	if (caller == T_ROOT)
		return t_mem(hv, T_ROOT, ohv_control(HVCALL_GET_PARTITION_PROPERTY_EX,
						     0, 0, 0),
			     &in, sizeof(in), out, HV_PARTITION_PROPERTY_EX_MAX_VAR_SIZE);
	/* A child has no room for the 4072-byte output in registers: it
	 * maps a page first (done by the caller of this helper). */
	struct ohv_hvcall call = {
		.control = ohv_control(HVCALL_GET_PARTITION_PROPERTY_EX, 0, 0, 0),
	};
	void *p = ohv_gpa(hv, caller, 0, sizeof(in));

	memcpy(p, &in, sizeof(in));
	call.fast[0] = 0;
	call.fast[1] = HV_PAGE_SIZE;
	return t_call(hv, caller, 0, &call);
}

TEST(surface_partition_property_ex)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE, v;
	uint8_t out[HV_PARTITION_PROPERTY_EX_MAX_VAR_SIZE];
	struct hv_partition_property_banks b;

	/* rust-vmm on /dev/mshv: the root asks about itself. */
	CHECK_ST(prop_ex(hv, T_ROOT, HV_PARTITION_ID_SELF,
			 HV_PARTITION_PROPERTY_VMM_CAPABILITIES, 0, out),
		 HV_STATUS_SUCCESS);
	memcpy(&b, out, sizeof(b));
	CHECK_EQ(b.bank_count, 1);
	CHECK(b.bank[0] & HV_VMM_CAP_MAP_GPA_PRESERVE_ADJUSTABLE);
	CHECK(b.bank[0] & HV_VMM_CAP_ASSIGNABLE_SYNTHETIC_PROC_FEATURES);
	CHECK_ST(prop_ex(hv, T_ROOT, HV_PARTITION_ID_SELF,
			 HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC_PROC_FEATURES,
			 0, out), HV_STATUS_SUCCESS);
	/* rust-vmm reads bank 0 at offset 8. */
	memcpy(&v, out + 8, 8);
	CHECK_EQ(v, HV_SYNTHETIC_PROC_FEATURES_DEFINED);
	/* Ordinary properties: the first eight bytes, the rest zero. */
	uint64_t c = t_new_child(hv, &next);

	CHECK_ST(prop_ex(hv, T_ROOT, c, HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE,
			 0, out), HV_STATUS_SUCCESS);
	memcpy(&v, out, 8);
	CHECK_EQ(v, 832);
	CHECK_EQ(out[8], 0);
	/* No property takes an argument. */
	CHECK_ST(prop_ex(hv, T_ROOT, c, HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE,
			 1, out), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(prop_ex(hv, T_ROOT, HV_PARTITION_ID_SELF,
			 HV_PARTITION_PROPERTY_VMM_CAPABILITIES, 5, out),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(prop_ex(hv, T_ROOT, c, 0x00099999, 0, out),
		 HV_STATUS_UNKNOWN_PROPERTY);
	CHECK_ST(prop_ex(hv, T_ROOT, 999, HV_PARTITION_PROPERTY_VMM_CAPABILITIES,
			 0, out), HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(prop_ex(hv, T_ROOT, 999, HV_PARTITION_PROPERTY_XSAVE_STATES,
			 0, out), HV_STATUS_INVALID_PARTITION_ID);
	/* Tracking: Active only. */
	CHECK_ST(prop_ex(hv, T_ROOT, c, HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
			 0, out), HV_STATUS_INVALID_PARTITION_STATE);
	/* A child asking about its sibling or about itself. */
	uint64_t r = s_child(hv, &next, 2);

	CHECK_ST(prop_ex(hv, r, c, HV_PARTITION_PROPERTY_VMM_CAPABILITIES, 0,
			 NULL), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(prop_ex(hv, r, HV_PARTITION_ID_SELF,
			 HV_PARTITION_PROPERTY_VMM_CAPABILITIES, 0, NULL),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_ST(prop_ex(hv, r, c, HV_PARTITION_PROPERTY_XSAVE_STATES, 0, NULL),
		 HV_STATUS_ACCESS_DENIED);
	t_close(hv);
}

TEST(surface_notify_port_ring_empty)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t c = t_runnable_child(hv, &next, 0);

	for (uint32_t s = 0; s < HV_SYNIC_SINT_COUNT; s++) {
		struct hv_input_notify_port_ring_empty in = { .sint_index = s };

		CHECK_ST(t_as(hv, c, ohv_control(HVCALL_NOTIFY_PORT_RING_EMPTY,
						 1, 0, 0), &in, sizeof(in),
			      NULL, 0), HV_STATUS_SUCCESS);
	}
	struct hv_input_notify_port_ring_empty bad = { .sint_index = 16 };

	CHECK_ST(t_as(hv, c, ohv_control(HVCALL_NOTIFY_PORT_RING_EMPTY, 1, 0, 0),
		      &bad, sizeof(bad), NULL, 0), HV_STATUS_INVALID_PARAMETER);
	struct hv_input_notify_port_ring_empty zero = { 0, 0 };

	CHECK_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_NOTIFY_PORT_RING_EMPTY,
					       0, 0, 0), &zero, sizeof(zero),
		       NULL, 0), HV_STATUS_SUCCESS);
	t_close(hv);
}
