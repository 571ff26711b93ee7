/* SPDX-License-Identifier: MIT */
/*
 * Interrupts reach a running guest (mshv-uapi A.7): a fixed vector
 * asserted with HvAssertVirtualInterrupt through ROOT_HVCALL, and the
 * same vector from an irqfd whose gsi is routed as an MSI.  The guest runs
 * in 64-bit mode, set up by the VMM through registers: a PVM KVM (the
 * machines openhv is tested on) does not deliver interrupts to real-mode
 * guests at all, raw KVM included (docs/conformance.md).
 */
#include <sys/eventfd.h>

#include "case.h"

#define PML4	0x2000u
#define PDPT	0x3000u
#define PD	0x4000u		/* 0-2 MiB */
#define PD_APIC	0x5000u		/* 3 GiB-4 GiB: the LAPIC's 2 MiB */
#define GDT	0x6000u
#define TSS	0x6100u
#define IDT	0x7000u
#define STACK	0x9000u
#define VECTOR	0x30

/*
 * 0x1000: mov eax, 0xFEE000F0 / mov dword [rax], 0x1FF (the LAPIC on) /
 *         mov dx, 0x3F8 / out dx, al (says so) / sti / hlt / jmp to hlt
 * 0x1020: the handler: mov al, VECTOR / out dx, al / hlt
 */
static const uint8_t code[] = {
	0xB8, 0xF0, 0x00, 0xE0, 0xFE, 0xC7, 0x00, 0xFF, 0x01, 0x00, 0x00,
	0x66, 0xBA, 0xF8, 0x03, 0xEE, 0xFB, 0xF4, 0xEB, 0xFD,
};
static const uint8_t handler[] = { 0xB0, VECTOR, 0xEE, 0xF4 };
#define CODE_OUT	(MC_GUEST_CODE + 15)	/* the `out` it says so with */

static void put64(uint8_t *mem, uint64_t gpa, uint64_t v)
{
	memcpy(mem + gpa, &v, sizeof(v));
}

static uint16_t set_assoc(int vp, struct hv_register_assoc a)
{
	struct {
		struct hv_input_set_vp_registers h;
		struct hv_register_assoc a;
	} in;
	uint16_t st = 0xFFFF;

	memset(&in, 0, sizeof(in));
	in.a = a;
	mc_hvcall(vp, HVCALL_SET_VP_REGISTERS, 1, &in, sizeof(in), NULL, 0,
		  &st);
	return st;
}

static void long_mode(int vp, uint8_t *mem)
{
	put64(mem, PML4, PDPT | 3);
	put64(mem, PDPT, PD | 3);
	put64(mem, PDPT + 3 * 8, PD_APIC | 3);
	put64(mem, PD, 0x83);				/* 2 MiB at 0 */
	put64(mem, PD_APIC + 0x1F7 * 8, 0xFEE00000u | 0x9B); /* uncached */
	put64(mem, GDT + 8, 0x00AF9B000000FFFFull);	/* 64-bit code */
	put64(mem, GDT + 16, 0x00CF93000000FFFFull);	/* data */
	put64(mem, GDT + 24, 0x00008B0000000067ull | (uint64_t)TSS << 16);
	/* The handler's 64-bit interrupt gate. */
	put64(mem, IDT + VECTOR * 16, (MC_GUEST_CODE + 0x20) | 8ull << 16 |
				      0x8Eull << 40);
	memcpy(mem + MC_GUEST_CODE + 0x20, handler, sizeof(handler));

	struct hv_register_assoc a;
	const struct { uint32_t name; uint64_t v; } regs[] = {
		{ HV_X64_REGISTER_CR3, PML4 },
		{ HV_X64_REGISTER_CR4, 0x20 },			/* PAE */
		{ HV_X64_REGISTER_EFER, 0x500 },		/* LMA LME */
		{ HV_X64_REGISTER_CR0, 0x80000011 },		/* PG ET PE */
		{ HV_X64_REGISTER_RSP, STACK },
		{ HV_X64_REGISTER_RFLAGS, 2 },
		{ HV_X64_REGISTER_RIP, MC_GUEST_CODE },
	};
	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		MREQUIRE(!mc_set_reg(vp, regs[i].name, regs[i].v));
	const struct { uint32_t name; uint16_t sel, attr; uint32_t base; } seg[] = {
		{ HV_X64_REGISTER_CS, 8, 0xA09B, 0 },
		{ HV_X64_REGISTER_DS, 16, 0xC093, 0 },
		{ HV_X64_REGISTER_SS, 16, 0xC093, 0 },
		{ HV_X64_REGISTER_TR, 24, 0x008B, TSS },
	};
	for (size_t i = 0; i < sizeof(seg) / sizeof(seg[0]); i++)
		MREQUIRE(!mc_set_seg(vp, seg[i].name,
				     (struct hv_x64_segment_register){
					     .base = seg[i].base,
					     .limit = seg[i].name ==
						      HV_X64_REGISTER_TR ?
						      0x67 : 0xFFFFFFFF,
					     .selector = seg[i].sel,
					     .attributes = seg[i].attr }));
	memset(&a, 0, sizeof(a));
	a.name = HV_X64_REGISTER_GDTR;
	a.value.table.base = GDT;
	a.value.table.limit = 31;
	MREQUIRE(!set_assoc(vp, a));
	a.name = HV_X64_REGISTER_IDTR;
	a.value.table.base = IDT;
	a.value.table.limit = 0xFFF;
	MREQUIRE(!set_assoc(vp, a));
}

static void interrupt_long(bool by_irqfd, bool lapic_by_state)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	int vp;
	uint8_t *mem = mc_guest(part, 0, code, sizeof(code), &vp);
	struct hv_message m;

	/* A VP that never takes the interrupt must not hang make check. */
	alarm(10);
	long_mode(vp, mem);
	if (lapic_by_state) {
		/* The VMM turns the LAPIC on (A.8: the VP's own LAPIC, the
		 * one its interrupts meet), the guest starts at its sti. */
		struct hv_local_interrupt_controller_state *l =
			mc_pages(HV_PAGE_SIZE);
		struct mshv_get_set_vp_state gs = {
			.type = MSHV_VP_STATE_LAPIC, .buf_sz = HV_PAGE_SIZE,
			.buf_ptr = (uintptr_t)l,
		};

		MREQUIRE(!ioctl(vp, MSHV_GET_VP_STATE, &gs));
		MCHECK_EQ(l->apic_spurious & 0x100, 0);
		l->apic_spurious |= 0x1FF;
		MREQUIRE(!ioctl(vp, MSHV_SET_VP_STATE, &gs));
		memset(l, 0, HV_PAGE_SIZE);
		MREQUIRE(!ioctl(vp, MSHV_GET_VP_STATE, &gs));
		MCHECK_EQ(l->apic_spurious & 0x1FF, 0x1FF);
		MCHECK_EQ(l->apic_id, 0);
	} else {
		/* The guest turns its LAPIC on and says so. */
		MREQUIRE(mc_run(vp, &m) == HVMSG_X64_IO_PORT_INTERCEPT);
		MREQUIRE(MC_PAYLOAD(&m, struct hv_x64_io_port_intercept_message)
				 ->header.rip == CODE_OUT);
	}
	MREQUIRE(!mc_set_reg(vp, HV_X64_REGISTER_RIP, CODE_OUT + 1));
	MREQUIRE(!mc_set_reg(vp, HV_X64_REGISTER_RDX, 0x3F8));
	if (by_irqfd) {
		struct {
			struct mshv_user_irq_table t;
			struct mshv_user_irq_entry e;
		} tab = {
			.t.nr = 1,
			.e = { .gsi = 5, .address_lo = 0xFEE00000, .data = VECTOR },
		};
		int e = eventfd(0, EFD_CLOEXEC);
		uint64_t one = 1;
		struct mshv_user_irqfd f = { .fd = e, .gsi = 5 };

		MREQUIRE(e >= 0);
		MREQUIRE(!ioctl(part, MSHV_SET_MSI_ROUTING, &tab));
		MREQUIRE(!ioctl(part, MSHV_IRQFD, &f));
		MREQUIRE(write(e, &one, sizeof(one)) == sizeof(one));
	} else {
		struct hv_input_assert_virtual_interrupt in = {
			.control = HV_X64_INTERRUPT_TYPE_FIXED,
			.dest_addr = 0, .vector = VECTOR,
		};
		uint16_t st;

		MREQUIRE(!mc_hvcall(part, HVCALL_ASSERT_VIRTUAL_INTERRUPT, 0,
				    &in, sizeof(in), NULL, 0, &st));
		MCHECK_EQ(st, HV_STATUS_SUCCESS);
	}
	/* It sleeps in HLT until the interrupt; its handler says so. */
	MREQUIRE(mc_run(vp, &m) == HVMSG_X64_IO_PORT_INTERCEPT);
	const struct hv_x64_io_port_intercept_message *io =
		MC_PAYLOAD(&m, struct hv_x64_io_port_intercept_message);

	MCHECK_EQ(io->header.rip, MC_GUEST_CODE + 0x22);
	MCHECK_EQ(io->rax & 0xFF, VECTOR);
	alarm(0);
	close(vp);
	close(part);
	close(mshv);
}

MCASE(interrupt_long_by_hvcall)
{
	interrupt_long(false, false);
}

MCASE(interrupt_long_by_irqfd)
{
	interrupt_long(true, false);
}

MCASE(interrupt_long_lapic_by_state)
{
	interrupt_long(false, true);
}
