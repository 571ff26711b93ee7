/* SPDX-License-Identifier: MIT */
/*
 * A VP's registers through ROOT_HVCALL Get/SetVpRegisters (rep calls, as
 * rust-vmm's get/set of regs, sregs, fpu, debug regs, msrs, xcrs, events
 * and misc regs), its CPUID values, intercepts and virtual interrupts.
 * Each round trip reads the VP's values, writes them back (or new ones)
 * and reads again.
 */
#include "case.h"

#define MAXR	32

/* n registers in one rep call each way; the status. */
static uint16_t get_regs(int fd, const uint32_t *names, unsigned n,
			 union hv_register_value *v)
{
	struct {
		struct hv_input_get_vp_registers h;
		uint32_t names[MAXR];
	} in;
	uint16_t st = 0xFFFF;

	memset(&in, 0, sizeof(in));
	memcpy(in.names, names, n * sizeof(*names));
	memset(v, 0, n * sizeof(*v));
	mc_hvcall(fd, HVCALL_GET_VP_REGISTERS, (uint16_t)n, &in,
		  sizeof(in.h) + n * sizeof(uint32_t), v, n * sizeof(*v), &st);
	return st;
}

static uint16_t set_regs(int fd, const uint32_t *names, unsigned n,
			 const union hv_register_value *v)
{
	struct {
		struct hv_input_set_vp_registers h;
		struct hv_register_assoc a[MAXR];
	} in;
	uint16_t st = 0xFFFF;

	memset(&in, 0, sizeof(in));
	for (unsigned i = 0; i < n; i++) {
		in.a[i].name = names[i];
		in.a[i].value = v[i];
	}
	mc_hvcall(fd, HVCALL_SET_VP_REGISTERS, (uint16_t)n, &in,
		  sizeof(in.h) + n * sizeof(in.a[0]), NULL, 0, &st);
	return st;
}

/* Read, write back, read: equal (the rust-vmm round trips). */
static void round_trip(int vp, const uint32_t *names, unsigned n)
{
	union hv_register_value a[MAXR], b[MAXR];

	MREQUIRE(n <= MAXR);
	MREQUIRE(get_regs(vp, names, n, a) == 0);
	MCHECK_EQ(set_regs(vp, names, n, a), 0);
	MREQUIRE(get_regs(vp, names, n, b) == 0);
	for (unsigned i = 0; i < n; i++)
		mc_check(!memcmp(&a[i], &b[i], sizeof(a[i])), __FILE__, __LINE__,
			 "register 0x%x changed in a round trip", names[i]);
}

/* Write values, read them back. */
static void write_read(int vp, const uint32_t *names, unsigned n,
		       const union hv_register_value *v)
{
	union hv_register_value b[MAXR];

	MREQUIRE(n <= MAXR);
	MCHECK_EQ(set_regs(vp, names, n, v), 0);
	MREQUIRE(get_regs(vp, names, n, b) == 0);
	for (unsigned i = 0; i < n; i++)
		mc_check(!memcmp(&v[i], &b[i], sizeof(b[i])), __FILE__, __LINE__,
			 "register 0x%x: wrote 0x%" PRIx64 ", read 0x%" PRIx64,
			 names[i], v[i].reg64, b[i].reg64);
}

static int setup(int *mshv, int *part)
{
	*mshv = mc_open();
	*part = mc_partition(*mshv, 1ull << MSHV_PT_BIT_LAPIC |
			     1ull << MSHV_PT_BIT_X2APIC, true);
	return mc_vp(*part, 0);
}

static void teardown(int mshv, int part, int vp)
{
	close(vp);
	close(part);
	close(mshv);
}

/* General registers, RIP and RFLAGS (test_set_get_regs,
 * test_set_registers_64, test_set_get_standard_registers). */
MCASE(regs_general)
{
	int mshv, part, vp = setup(&mshv, &part);
	uint32_t names[18];
	union hv_register_value v[18];

	memset(v, 0, sizeof(v));
	for (unsigned i = 0; i < 16; i++) {
		names[i] = HV_X64_REGISTER_RAX + i;
		v[i].reg64 = 0x1111111111111111ull * (i + 1) ^ i;
	}
	names[16] = HV_X64_REGISTER_RIP;
	v[16].reg64 = 0x1000;
	names[17] = HV_X64_REGISTER_RFLAGS;
	v[17].reg64 = 0x2;
	round_trip(vp, names, 18);
	write_read(vp, names, 18, v);
	teardown(mshv, part, vp);
}

/* Segments, tables, control registers, EFER, the APIC base
 * (test_set_get_sregs). */
MCASE(regs_special)
{
	int mshv, part, vp = setup(&mshv, &part);
	static const uint32_t names[] = {
		HV_X64_REGISTER_CS, HV_X64_REGISTER_DS, HV_X64_REGISTER_ES,
		HV_X64_REGISTER_FS, HV_X64_REGISTER_GS, HV_X64_REGISTER_SS,
		HV_X64_REGISTER_TR, HV_X64_REGISTER_LDTR, HV_X64_REGISTER_GDTR,
		HV_X64_REGISTER_IDTR, HV_X64_REGISTER_CR0, HV_X64_REGISTER_CR2,
		HV_X64_REGISTER_CR3, HV_X64_REGISTER_CR4, HV_X64_REGISTER_CR8,
		HV_X64_REGISTER_EFER, HV_X64_REGISTER_APIC_BASE,
	};
	const unsigned n = sizeof(names) / sizeof(names[0]);
	union hv_register_value v[sizeof(names) / sizeof(names[0])];

	round_trip(vp, names, n);
	/* New values where a real-mode VP takes any: CR2, CR3, CR8, the
	 * descriptor tables, a data segment. */
	static const uint32_t some[] = {
		HV_X64_REGISTER_CR2, HV_X64_REGISTER_CR3, HV_X64_REGISTER_CR8,
		HV_X64_REGISTER_GDTR, HV_X64_REGISTER_FS,
	};
	memset(v, 0, sizeof(v));
	v[0].reg64 = 0xDEAD000;
	v[1].reg64 = 0x5000;
	v[2].reg64 = 3;
	v[3].table.base = 0x7000;
	v[3].table.limit = 0x2F;
	v[4].segment = (struct hv_x64_segment_register){
		.base = 0x12340, .limit = 0xFFFF, .selector = 0x1234,
		.attributes = 0x93,
	};
	write_read(vp, some, 5, v);
	teardown(mshv, part, vp);
}

MCASE(regs_debug)
{
	int mshv, part, vp = setup(&mshv, &part);
	static const uint32_t names[] = {
		HV_X64_REGISTER_DR0, HV_X64_REGISTER_DR1, HV_X64_REGISTER_DR2,
		HV_X64_REGISTER_DR3, HV_X64_REGISTER_DR6, HV_X64_REGISTER_DR7,
	};
	union hv_register_value v[6];

	round_trip(vp, names, 6);
	memset(v, 0, sizeof(v));
	v[0].reg64 = 0x1000;
	v[1].reg64 = 0x2000;
	v[2].reg64 = 0x3000;
	v[3].reg64 = 0x4000;
	v[4].reg64 = 0xFFFF0FF0;
	v[5].reg64 = 0x400;
	write_read(vp, names, 6, v);
	/* DR6 and DR7 hold no bits past 31. */
	v[4].reg64 = 1ull << 32;
	MCHECK_EQ(set_regs(vp, names + 4, 1, &v[4]),
		  HV_STATUS_INVALID_PARAMETER);
	v[5].reg64 = 1ull << 40;
	MCHECK_EQ(set_regs(vp, names + 5, 1, &v[5]),
		  HV_STATUS_INVALID_PARAMETER);
	teardown(mshv, part, vp);
}

/* x87/MMX, XMM0-15 and the control/status registers (test_set_get_fpu). */
MCASE(regs_fpu_xmm)
{
	int mshv, part, vp = setup(&mshv, &part);
	uint32_t names[26];
	union hv_register_value v[26];
	unsigned n = 0;

	for (unsigned i = 0; i < 16; i++)
		names[n++] = HV_X64_REGISTER_XMM0 + i;
	for (unsigned i = 0; i < 8; i++)
		names[n++] = HV_X64_REGISTER_FP_MMX0 + i;
	names[n++] = HV_X64_REGISTER_FP_CONTROL_STATUS;
	names[n++] = HV_X64_REGISTER_XMM_CONTROL_STATUS;
	round_trip(vp, names, n);

	MREQUIRE(get_regs(vp, names, n, v) == 0);
	for (unsigned i = 0; i < 16; i++) {
		v[i].reg128[0] = 0x0123456789ABCDEFull + i;
		v[i].reg128[1] = 0xFEDCBA9876543210ull - i;
	}
	v[16].reg128[0] = 0x8000000000000000ull;	/* 1.0 in x87 */
	v[16].reg128[1] = 0x3FFF;
	write_read(vp, names, 17, v);
	teardown(mshv, part, vp);
}

/* MSRs (test_set_get_msrs) and the hypercall MSR (test_set_get_misc_regs). */
MCASE(regs_msrs)
{
	int mshv, part, vp = setup(&mshv, &part);
	static const uint32_t names[] = {
		HV_X64_REGISTER_SYSENTER_CS, HV_X64_REGISTER_SYSENTER_ESP,
		HV_X64_REGISTER_SYSENTER_EIP, HV_X64_REGISTER_STAR,
		HV_X64_REGISTER_LSTAR, HV_X64_REGISTER_CSTAR,
		HV_X64_REGISTER_SFMASK, HV_X64_REGISTER_KERNEL_GS_BASE,
		HV_X64_REGISTER_TSC_AUX, HV_X64_REGISTER_PAT,
	};
	const unsigned n = sizeof(names) / sizeof(names[0]);
	union hv_register_value v[sizeof(names) / sizeof(names[0])];

	round_trip(vp, names, n);
	MREQUIRE(get_regs(vp, names, n, v) == 0);
	v[0].reg64 = 1;
	v[1].reg64 = 2;
	v[2].reg64 = 0xFFFF800000001000ull;
	v[3].reg64 = 0x0023001000000000ull;
	v[4].reg64 = 0xFFFF800000002000ull;
	v[5].reg64 = 0xFFFF800000003000ull;
	v[6].reg64 = 0x47700;
	v[7].reg64 = 0xFFFF888000000000ull;
	v[8].reg64 = 7;
	write_read(vp, names, n, v);

	static const uint32_t misc[] = { HV_X64_REGISTER_HYPERCALL };

	round_trip(vp, misc, 1);
	teardown(mshv, part, vp);
}

/* XCR0 (test_set_get_xcrs): x87 alone, x87 and SSE; a value without x87
 * is refused. */
MCASE(regs_xcr0)
{
	int mshv, part, vp = setup(&mshv, &part);
	static const uint32_t names[] = { HV_X64_REGISTER_XFEM };
	union hv_register_value v;

	round_trip(vp, names, 1);
	memset(&v, 0, sizeof(v));
	v.reg64 = HV_XSAVE_STATE_X87 | HV_XSAVE_STATE_SSE;
	write_read(vp, names, 1, &v);
	v.reg64 = HV_XSAVE_STATE_X87;
	write_read(vp, names, 1, &v);
	v.reg64 = HV_XSAVE_STATE_SSE;
	MCHECK_EQ(set_regs(vp, names, 1, &v), HV_STATUS_INVALID_PARAMETER);
	/* AVX without SSE; a state past AVX. */
	v.reg64 = HV_XSAVE_STATE_X87 | HV_XSAVE_STATE_AVX;
	MCHECK_EQ(set_regs(vp, names, 1, &v), HV_STATUS_INVALID_PARAMETER);
	v.reg64 = 0xF;
	MCHECK_EQ(set_regs(vp, names, 1, &v), HV_STATUS_INVALID_PARAMETER);
	teardown(mshv, part, vp);
}

/* Pending events and interrupt state (test_set_get_vcpu_events). */
MCASE(regs_events)
{
	int mshv, part, vp = setup(&mshv, &part);
	static const uint32_t names[] = {
		HV_REGISTER_PENDING_INTERRUPTION, HV_REGISTER_INTERRUPT_STATE,
		HV_REGISTER_INTERNAL_ACTIVITY_STATE, HV_REGISTER_PENDING_EVENT0,
		HV_REGISTER_PENDING_EVENT0 + 1,
	};

	round_trip(vp, names, 5);
	teardown(mshv, part, vp);
}

/* A new VP is explicitly suspended and not intercept-suspended
 * (test_get_suspend_regs). */
MCASE(regs_suspend)
{
	int mshv, part, vp = setup(&mshv, &part);
	static const uint32_t names[] = {
		HV_REGISTER_EXPLICIT_SUSPEND, HV_REGISTER_INTERCEPT_SUSPEND,
	};
	union hv_register_value v[2];

	MREQUIRE(get_regs(vp, names, 2, v) == 0);
	MCHECK_EQ(v[0].reg64, 1);
	MCHECK_EQ(v[1].reg64, 0);
	teardown(mshv, part, vp);
}

/* Deliverability notifications (test_register_deliverabilty_notifications):
 * none is fine; the NMI notification is refused with INVALID_PARAMETER,
 * which Linux returns as EINVAL. */
MCASE(regs_deliverability)
{
	int mshv, part, vp = setup(&mshv, &part);
	struct {
		struct hv_input_set_vp_registers h;
		struct hv_register_assoc a;
	} in;
	struct mshv_root_hvcall c = {
		.code = HVCALL_SET_VP_REGISTERS, .reps = 1, .in_sz = sizeof(in),
		.in_ptr = (uintptr_t)&in,
	};

	memset(&in, 0, sizeof(in));
	in.a.name = HV_REGISTER_DELIVERABILITY_NOTIFICATIONS;
	MCHECK_OK(ioctl(part, MSHV_ROOT_HVCALL, &c));
	MCHECK_EQ(c.status, 0);
	c.reps = 1;
	in.a.value.reg64 = 1;
	MCHECK_ERRNO(ioctl(part, MSHV_ROOT_HVCALL, &c), EINVAL);
	MCHECK_EQ(c.status, HV_STATUS_INVALID_PARAMETER);
	teardown(mshv, part, vp);
}

/* GetVpCpuidValues (test_get_cpuid_values): leaf 0's maximum is at
 * least 1, the same from the partition and the VP fd. */
MCASE(cpuid_values)
{
	int mshv, part, vp = setup(&mshv, &part);
	struct {
		struct hv_input_get_vp_cpuid_values h;
		struct hv_cpuid_leaf_info leaf[2];
	} in;
	struct hv_output_get_vp_cpuid_values out[2], again[2];
	uint16_t st;

	memset(&in, 0, sizeof(in));
	in.leaf[0].eax = 0;
	in.leaf[1].eax = 0x40000000;
	MCHECK_OK(mc_hvcall(vp, HVCALL_GET_VP_CPUID_VALUES, 2, &in, sizeof(in),
			    out, sizeof(out), &st));
	MCHECK_EQ(st, 0);
	MCHECK(out[0].eax >= 1);
	MCHECK(out[1].eax >= 0x40000005);
	MCHECK_OK(mc_hvcall(part, HVCALL_GET_VP_CPUID_VALUES, 2, &in, sizeof(in),
			    again, sizeof(again), &st));
	MCHECK(!memcmp(out, again, sizeof(out)));
	/* "Microsoft Hv" */
	MCHECK_EQ(out[1].ebx, 0x7263694D);
	teardown(mshv, part, vp);
}

/* HvInstallIntercept of CPUID leaves (test_install_intercept), on the
 * partition fd; an intercept type beyond the last is refused. */
MCASE(install_intercept)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	struct hv_input_install_intercept in = {
		.access_type = HV_INTERCEPT_ACCESS_MASK_EXECUTE,
		.intercept_type = HV_INTERCEPT_TYPE_X64_CPUID,
		.intercept_parameter = 0x100,
	};
	uint16_t st;

	MCHECK_OK(mc_hvcall(part, HVCALL_INSTALL_INTERCEPT, 0, &in, sizeof(in),
			    NULL, 0, &st));
	MCHECK_EQ(st, 0);
	in.intercept_parameter = 0x101;
	MCHECK_OK(mc_hvcall(part, HVCALL_INSTALL_INTERCEPT, 0, &in, sizeof(in),
			    NULL, 0, &st));
	MCHECK_EQ(st, 0);
	in.intercept_type = HV_INTERCEPT_TYPE_MAX;
	errno = 0;
	MCHECK_EQ(mc_hvcall(part, HVCALL_INSTALL_INTERCEPT, 0, &in, sizeof(in),
			    NULL, 0, &st), -1);
	MCHECK_EQ(st, HV_STATUS_INVALID_PARAMETER);
	MCHECK_EQ(errno, EINVAL);
	close(part);
	close(mshv);
}
