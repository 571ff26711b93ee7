/* SPDX-License-Identifier: MIT */
/*
 * MSHV_ROOT_HVCALL on the three fds that take it, and the host partition
 * property (mshv-uapi A.1, A.5).  The checks are Linux's: EINVAL for a
 * malformed call or a code off the allow-list; a hypercall that fails
 * returns hv_result_to_errno of its status and still writes the status,
 * the reps done and the output back.
 */
#include "case.h"

/* Linux's hv_result_to_errno (tlfs-facts §2, "Extra mappings"). */
static int linux_errno(uint16_t st)
{
	switch (st) {
	case HV_STATUS_SUCCESS:
		return 0;
	case HV_STATUS_INVALID_HYPERCALL_CODE:
	case HV_STATUS_INVALID_HYPERCALL_INPUT:
	case HV_STATUS_INVALID_PARAMETER:
	case HV_STATUS_INVALID_PARTITION_ID:
	case HV_STATUS_INVALID_VP_INDEX:
	case HV_STATUS_INVALID_PORT_ID:
	case HV_STATUS_INVALID_CONNECTION_ID:
	case HV_STATUS_INVALID_LP_INDEX:
	case HV_STATUS_INVALID_REGISTER_VALUE:
		return EINVAL;
	case HV_STATUS_INSUFFICIENT_MEMORY:
		return ENOMEM;
	default:
		return EIO;
	}
}

/* A well-formed GetPartitionProperty the checks below spoil one at a
 * time. */
static struct mshv_root_hvcall
good_call(struct hv_input_get_partition_property *in,
	  struct hv_output_get_partition_property *out)
{
	memset(in, 0, sizeof(*in));
	in->property_code = HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0;
	return (struct mshv_root_hvcall){
		.code = HVCALL_GET_PARTITION_PROPERTY,
		.in_sz = sizeof(*in), .out_sz = sizeof(*out),
		.in_ptr = (uintptr_t)in, .out_ptr = (uintptr_t)out,
	};
}

static void malformed_calls(int fd)
{
	struct hv_input_get_partition_property in;
	struct hv_output_get_partition_property out;
	struct mshv_root_hvcall c = good_call(&in, &out);

	MCHECK_OK(ioctl(fd, MSHV_ROOT_HVCALL, &c));
	MCHECK_EQ(c.status, HV_STATUS_SUCCESS);

	c = good_call(&in, &out);
	c.status = HV_STATUS_INVALID_PARAMETER;
	MCHECK_ERRNO(ioctl(fd, MSHV_ROOT_HVCALL, &c), EINVAL);
	c = good_call(&in, &out);
	c.in_ptr = 0;
	MCHECK_ERRNO(ioctl(fd, MSHV_ROOT_HVCALL, &c), EINVAL);
	c = good_call(&in, &out);
	c.in_sz = 7;
	MCHECK_ERRNO(ioctl(fd, MSHV_ROOT_HVCALL, &c), EINVAL);
	c.in_sz = HV_PAGE_SIZE + 1;
	MCHECK_ERRNO(ioctl(fd, MSHV_ROOT_HVCALL, &c), EINVAL);
	c = good_call(&in, &out);
	c.out_sz = 0;
	MCHECK_ERRNO(ioctl(fd, MSHV_ROOT_HVCALL, &c), EINVAL);
	c.out_sz = HV_PAGE_SIZE + 1;
	MCHECK_ERRNO(ioctl(fd, MSHV_ROOT_HVCALL, &c), EINVAL);
	for (unsigned i = 0; i < sizeof(c.rsvd); i++) {
		c = good_call(&in, &out);
		c.rsvd[i] = 1;
		MCHECK_ERRNO(ioctl(fd, MSHV_ROOT_HVCALL, &c), EINVAL);
	}
	/* Off the allow-list (A.5): the partition-management calls, the
	 * deposit, codes nobody knows. */
	static const uint16_t refused[] = {
		HVCALL_CREATE_PARTITION, HVCALL_INITIALIZE_PARTITION,
		HVCALL_DELETE_PARTITION, HVCALL_DEPOSIT_MEMORY,
		HVCALL_WITHDRAW_MEMORY, HVCALL_MAP_GPA_PAGES, HVCALL_CREATE_VP,
		HVCALL_MAP_VP_STATE_PAGE, HVCALL_DISPATCH_VP, HVCALL_POST_MESSAGE,
		0x0000, 0x0FFF, 0xFFFF,
	};
	for (unsigned i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		c = good_call(&in, &out);
		c.code = refused[i];
		MCHECK_ERRNO(ioctl(fd, MSHV_ROOT_HVCALL, &c), EINVAL);
		MCHECK_EQ(c.status, 0);
	}
	/* Bad pointers: EFAULT. */
	MCHECK_ERRNO(ioctl(fd, MSHV_ROOT_HVCALL, NULL), EFAULT);
	MCHECK_ERRNO(ioctl(fd, MSHV_ROOT_HVCALL, (void *)8), EFAULT);
	c = good_call(&in, &out);
	c.in_ptr = 8;
	MCHECK_ERRNO(ioctl(fd, MSHV_ROOT_HVCALL, &c), EFAULT);
	c = good_call(&in, &out);
	c.out_ptr = 8;
	MCHECK_ERRNO(ioctl(fd, MSHV_ROOT_HVCALL, &c), EFAULT);
}

/* SetPartitionProperty is asynchronous in Linux and taken on a
 * partition fd only (A.5). */
static void set_property_refused(int fd)
{
	struct hv_input_set_partition_property in = {
		.property_code = HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
		.property_value = HV_UNIMPLEMENTED_MSR_ACTION_FAULT,
	};
	struct mshv_root_hvcall c = {
		.code = HVCALL_SET_PARTITION_PROPERTY, .in_sz = sizeof(in),
		.in_ptr = (uintptr_t)&in,
	};

	MCHECK_ERRNO(ioctl(fd, MSHV_ROOT_HVCALL, &c), EINVAL);
	MCHECK_EQ(c.status, 0);
}

MCASE(hvcall_dev_checks)
{
	int mshv = mc_open();

	malformed_calls(mshv);
	set_property_refused(mshv);
	close(mshv);
}

MCASE(hvcall_partition_checks)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 0, true);

	malformed_calls(part);
	MCHECK_EQ(mc_set_prop(part, HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
			      HV_UNIMPLEMENTED_MSR_ACTION_FAULT), 0);
	close(part);
	close(mshv);
}

MCASE(hvcall_vp_checks)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 0, true);
	int vp = mc_vp(part, 0);

	malformed_calls(vp);
	set_property_refused(vp);
	close(vp);
	close(part);
	close(mshv);
}

/* The fd's partition replaces whatever id the input names; a failed
 * hypercall returns its errno and still writes status, reps and output. */
MCASE(hvcall_results)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 0, true);
	int vp = mc_vp(part, 0);
	struct {
		struct hv_input_get_vp_registers h;
		uint32_t names[3];
	} in;
	union hv_register_value out[3];
	struct mshv_root_hvcall c = {
		.code = HVCALL_GET_VP_REGISTERS, .reps = 2,
		.in_sz = sizeof(in.h) + 2 * sizeof(uint32_t),
		.out_sz = sizeof(out), .in_ptr = (uintptr_t)&in,
		.out_ptr = (uintptr_t)out,
	};

	memset(&in, 0, sizeof(in));
	memset(out, 0xEE, sizeof(out));
	in.h.partition_id = 0x123456;	/* not the partition's: replaced */
	in.names[0] = HV_X64_REGISTER_RIP;
	in.names[1] = HV_X64_REGISTER_RFLAGS;
	MREQUIRE(!mc_set_reg(vp, HV_X64_REGISTER_RIP, 0xFFF0));
	MCHECK_OK(ioctl(part, MSHV_ROOT_HVCALL, &c));
	MCHECK_EQ(c.status, 0);
	MCHECK_EQ(c.reps, 2);
	MCHECK_EQ(out[0].reg64, 0xFFF0);
	MCHECK_EQ(out[1].reg64 & 2, 2);	/* RFLAGS bit 1 is always set */

	/* A VP the partition does not have. */
	in.h.vp_index = 7;
	c.reps = 2;
	errno = 0;
	MCHECK_EQ(ioctl(part, MSHV_ROOT_HVCALL, &c), -1);
	MCHECK_EQ(c.status, HV_STATUS_INVALID_VP_INDEX);
	MCHECK_EQ(errno, EINVAL);
	MCHECK_EQ(c.reps, 0);

	/* The second of three names is no register: one rep done. */
	in.h.vp_index = 0;
	in.names[1] = 0x7FFFFFFF;
	in.names[2] = HV_X64_REGISTER_RIP;
	c.reps = 3;
	c.in_sz = sizeof(in);
	c.status = 0;
	memset(out, 0xEE, sizeof(out));
	errno = 0;
	MCHECK_EQ(ioctl(vp, MSHV_ROOT_HVCALL, &c), -1);
	MCHECK(c.status != 0);
	MCHECK_EQ(errno, linux_errno(c.status));
	MCHECK_EQ(c.reps, 1);

	/* A property nobody knows: the status says which. */
	uint64_t v;
	struct hv_input_get_partition_property pin = { .property_code = 0x7FFF0000 };
	struct hv_output_get_partition_property pout;
	struct mshv_root_hvcall pc = {
		.code = HVCALL_GET_PARTITION_PROPERTY, .in_sz = sizeof(pin),
		.out_sz = sizeof(pout), .in_ptr = (uintptr_t)&pin,
		.out_ptr = (uintptr_t)&pout,
	};

	errno = 0;
	MCHECK_EQ(ioctl(part, MSHV_ROOT_HVCALL, &pc), -1);
	MCHECK_EQ(pc.status, HV_STATUS_UNKNOWN_PROPERTY);
	MCHECK_EQ(errno, linux_errno(pc.status));
	MCHECK_EQ(mc_get_prop(part, 0x7FFF0000, &v), HV_STATUS_UNKNOWN_PROPERTY);
	close(vp);
	close(part);
	close(mshv);
}

/* A rep call that fails part way: Linux copies the output page back
 * whatever the status (A.5), so the reps done have their output. */
MCASE(hvcall_partial_output)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 0, true);
	int vp = mc_vp(part, 0);
	struct {
		struct hv_input_get_vp_registers h;
		uint32_t names[3];
	} in;
	union hv_register_value out[3];
	struct mshv_root_hvcall c = {
		.code = HVCALL_GET_VP_REGISTERS, .reps = 3,
		.in_sz = sizeof(in), .out_sz = sizeof(out),
		.in_ptr = (uintptr_t)&in, .out_ptr = (uintptr_t)out,
	};

	memset(&in, 0, sizeof(in));
	memset(out, 0xEE, sizeof(out));
	in.names[0] = HV_X64_REGISTER_RIP;
	in.names[1] = 0x7FFFFFFF;
	in.names[2] = HV_X64_REGISTER_RIP;
	MREQUIRE(!mc_set_reg(vp, HV_X64_REGISTER_RIP, 0xFFF0));
	MCHECK_EQ(ioctl(vp, MSHV_ROOT_HVCALL, &c), -1);
	MCHECK(c.status != 0);
	MCHECK_EQ(c.reps, 1);
	MCHECK_EQ(out[0].reg64, 0xFFF0);
	close(vp);
	close(part);
	close(mshv);
}

/* MSHV_GET_HOST_PARTITION_PROPERTY answers as ROOT_HVCALL on /dev/mshv
 * does (rust-vmm's host properties, test_get_host_ipa_limit). */
MCASE(host_partition_property)
{
	int mshv = mc_open();
	static const uint32_t codes[] = {
		HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0,
		HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1,
		HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES,
		HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH,
		HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE,
	};

	for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct mshv_partition_property p = { .property_code = codes[i] };
		uint64_t v = ~0ull;

		MCHECK_OK(ioctl(mshv, MSHV_GET_HOST_PARTITION_PROPERTY, &p));
		MCHECK_EQ(mc_get_prop(mshv, codes[i], &v), 0);
		MCHECK_EQ(p.property_value, v);
	}
	uint64_t width;

	MCHECK_EQ(mc_get_prop(mshv, HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH,
			      &width), 0);
	MCHECK(width >= 32 && width <= 64);

	struct mshv_partition_property p = { .property_code = 0x7FFF0000 };
	uint64_t v;
	uint16_t st = mc_get_prop(mshv, 0x7FFF0000, &v);

	MCHECK(st != 0);
	MCHECK_ERRNO(ioctl(mshv, MSHV_GET_HOST_PARTITION_PROPERTY, &p),
		     linux_errno(st));
	MCHECK_ERRNO(ioctl(mshv, MSHV_GET_HOST_PARTITION_PROPERTY, NULL),
		     EFAULT);
	MCHECK_ERRNO(ioctl(mshv, MSHV_GET_HOST_PARTITION_PROPERTY, (void *)8),
		     EFAULT);

	/* The same number on a VP fd is MSHV_GET_VP_STATE (A.1): there a
	 * zero buf_sz is EINVAL, not ENOTTY. */
	int part = mc_partition(mshv, 0, true);
	int vp = mc_vp(part, 0);
	struct mshv_partition_property z = { 0 };

	MCHECK_ERRNO(ioctl(vp, MSHV_GET_HOST_PARTITION_PROPERTY, &z), EINVAL);
	MCHECK_ERRNO(ioctl(part, MSHV_GET_HOST_PARTITION_PROPERTY, &z), ENOTTY);
	close(vp);
	close(part);
	close(mshv);
}

/* rust-vmm's test_vmm_caps: GetPartitionPropertyEx VMM_CAPABILITIES on
 * /dev/mshv succeeds, or is ACCESS_DENIED (then the caps are empty). */
MCASE(vmm_caps)
{
	int mshv = mc_open();
	struct hv_input_get_partition_property_ex in = {
		.property_code = HV_PARTITION_PROPERTY_VMM_CAPABILITIES,
	};
	static struct hv_output_get_partition_property_ex out;
	uint16_t st = 0xFFFF;
	int r = mc_hvcall(mshv, HVCALL_GET_PARTITION_PROPERTY_EX, 0, &in,
			  sizeof(in), &out, sizeof(out), &st);

	MCHECK(st == HV_STATUS_SUCCESS || st == HV_STATUS_ACCESS_DENIED);
	MCHECK_EQ(r, st ? -1 : 0);
	close(mshv);
}

/* rust-vmm's test_get_property / test_set_property /
 * test_set_partition_property_invalid, through ROOT_HVCALL 0x44/0x45. */
MCASE(partition_properties)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	uint64_t v;

	MCHECK_EQ(mc_get_prop(part, HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE,
			      &v), 0);
	MCHECK(v >= HV_XSAVE_LEGACY_SIZE + HV_XSAVE_HEADER_SIZE);
	MCHECK_EQ(mc_get_prop(part, HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES,
			      &v), 0);
	MCHECK_EQ(mc_get_prop(part, HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY,
			      &v), 0);
	MCHECK(v != 0);
	MCHECK_EQ(mc_get_prop(part, HV_PARTITION_PROPERTY_XSAVE_STATES, &v), 0);
	MCHECK_EQ(v & 3, 3);	/* x87 and SSE at least */

	static const uint64_t actions[] = {
		HV_UNIMPLEMENTED_MSR_ACTION_IGNORE_WRITE_READ_ZERO,
		HV_UNIMPLEMENTED_MSR_ACTION_FAULT,
		HV_UNIMPLEMENTED_MSR_ACTION_IGNORE_WRITE_READ_ZERO,
	};
	for (unsigned i = 0; i < 3; i++) {
		MCHECK_EQ(mc_set_prop(part,
				      HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
				      actions[i]), 0);
		MCHECK_EQ(mc_get_prop(part,
				      HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
				      &v), 0);
		MCHECK_EQ(v, actions[i]);
	}

	/* The privilege flags are fixed once initialized: the status, and
	 * Linux's errno for it. */
	struct hv_input_set_partition_property in = {
		.property_code = HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
	};
	struct mshv_root_hvcall c = {
		.code = HVCALL_SET_PARTITION_PROPERTY, .in_sz = sizeof(in),
		.in_ptr = (uintptr_t)&in,
	};

	MCHECK_ERRNO(ioctl(part, MSHV_ROOT_HVCALL, &c), EIO);
	MCHECK_EQ(c.status, HV_STATUS_INVALID_PARTITION_STATE);
	close(part);
	close(mshv);
}

/* Properties set between create and initialize, as every VMM does with
 * the synthetic processor features (A.9). */
MCASE(partition_properties_early)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, false);
	uint64_t v;

	MCHECK_EQ(mc_set_prop(part, HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
			      0), 0);
	MCHECK_EQ(mc_get_prop(part, HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
			      &v), 0);
	MCHECK_EQ(v, 0);
	MCHECK_OK(ioctl(part, MSHV_INITIALIZE_PARTITION));
	MCHECK_EQ(mc_get_prop(part, HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
			      &v), 0);
	close(part);
	close(mshv);
}
