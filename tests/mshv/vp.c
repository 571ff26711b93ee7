/* SPDX-License-Identifier: MIT */
/*
 * A VP fd: MSHV_RUN_VP and the VP's mmap pages (mshv-uapi A.3, A.4,
 * A.10), with tiny real-mode guests at 0000:1000.  The hypervisor never
 * moves RIP for the VMM: a stop leaves RIP on the intercepted
 * instruction, and the VMM completes it.
 */
#include "case.h"

#define OUT_PORT	0x3F8

/* mov dx, 0x3f8 / add al, bl / add al, '0' / out dx, al / mov al, 0 /
 * out dx, al / hlt: the OUTs at 0x1007 and 0x100A. */
static const uint8_t add_guest[] = {
	0xBA, 0xF8, 0x03, 0x00, 0xD8, 0x04, 0x30, 0xEE, 0xB0, 0x00, 0xEE, 0xF4,
};
#define ADD_OUT1	(MC_GUEST_CODE + 7)
#define ADD_OUT2	(MC_GUEST_CODE + 10)
#define ADD_HLT		(MC_GUEST_CODE + 11)

/* mov dx, 0x3f8 / in al, dx / out dx, al / hlt */
static const uint8_t in_guest[] = { 0xBA, 0xF8, 0x03, 0xEC, 0xEE, 0xF4 };
#define IN_IN		(MC_GUEST_CODE + 3)
#define IN_OUT		(MC_GUEST_CODE + 4)

static const struct hv_x64_io_port_intercept_message *
io_of(const struct hv_message *m)
{
	return MC_PAYLOAD(m, struct hv_x64_io_port_intercept_message);
}

/* One stop at an OUT of one byte to OUT_PORT at rip carrying al. */
static void expect_out(int vp, uint32_t vp_index, uint64_t rip, uint8_t al)
{
	struct hv_message m;

	MREQUIRE(mc_run(vp, &m) == HVMSG_X64_IO_PORT_INTERCEPT);
	const struct hv_x64_io_port_intercept_message *io = io_of(&m);

	MCHECK_EQ(io->header.vp_index, vp_index);
	MCHECK_EQ(io->header.rip, rip);
	MCHECK_EQ(io->header.instruction_length_cr8 & 0xF, 1);
	MCHECK_EQ(io->header.intercept_access_type, HV_INTERCEPT_ACCESS_WRITE);
	MCHECK_EQ(io->port_number, OUT_PORT);
	MCHECK_EQ(io->access_info & HV_X64_IO_ACCESS_SIZE_MASK, 1);
	MCHECK(!(io->access_info &
		 (HV_X64_IO_ACCESS_STRING | HV_X64_IO_ACCESS_REP)));
	MCHECK_EQ(io->rax & 0xFF, al);
}

/* RUN_VP's message for an OUT and a HLT with interrupts off: the VP's
 * index, RIP on the OUT, its length, the port, size and RAX. */
MCASE(run_vp_io_and_halt)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	int vp;

	mc_guest(part, 2, add_guest, sizeof(add_guest), &vp);
	MREQUIRE(!mc_set_reg_on(vp, 2, HV_X64_REGISTER_RAX, 2));
	MREQUIRE(!mc_set_reg_on(vp, 2, HV_X64_REGISTER_RBX, 2));
	expect_out(vp, 2, ADD_OUT1, '4');
	MCHECK(!mc_set_reg_on(vp, 2, HV_X64_REGISTER_RIP, ADD_OUT1 + 1));
	expect_out(vp, 2, ADD_OUT2, 0);
	MCHECK(!mc_set_reg_on(vp, 2, HV_X64_REGISTER_RIP, ADD_OUT2 + 1));

	struct hv_message m;

	MCHECK_EQ(mc_run(vp, &m), HVMSG_X64_HALT);
	MCHECK_EQ(MC_PAYLOAD(&m, struct hv_x64_intercept_message_header)
			  ->vp_index, 2);
	close(vp);
	close(part);
	close(mshv);
}

/* Run again without moving RIP: the same OUT stops the VP again. */
MCASE(run_vp_rip_not_advanced)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	int vp;
	uint64_t rip;

	mc_guest(part, 0, add_guest, sizeof(add_guest), &vp);
	MREQUIRE(!mc_set_reg(vp, HV_X64_REGISTER_RAX, 2));
	MREQUIRE(!mc_set_reg(vp, HV_X64_REGISTER_RBX, 2));
	expect_out(vp, 0, ADD_OUT1, '4');
	MCHECK(!mc_get_reg(vp, HV_X64_REGISTER_RIP, &rip));
	MCHECK_EQ(rip, ADD_OUT1);
	expect_out(vp, 0, ADD_OUT1, '4');
	close(vp);
	close(part);
	close(mshv);
}

/* An IN is the VMM's to complete: the RAX and RIP it sets are what the
 * guest goes on with. */
MCASE(run_vp_in_completed_by_vmm)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	int vp;
	struct hv_message m;

	mc_guest(part, 0, in_guest, sizeof(in_guest), &vp);
	MREQUIRE(!mc_set_reg(vp, HV_X64_REGISTER_RAX, 0x1100));
	MREQUIRE(mc_run(vp, &m) == HVMSG_X64_IO_PORT_INTERCEPT);
	MCHECK_EQ(io_of(&m)->header.rip, IN_IN);
	MCHECK_EQ(io_of(&m)->header.intercept_access_type,
		  HV_INTERCEPT_ACCESS_READ);
	MCHECK_EQ(io_of(&m)->port_number, OUT_PORT);
	MCHECK_EQ(io_of(&m)->rax, 0x1100);
	MCHECK(!mc_set_reg(vp, HV_X64_REGISTER_RAX, 0x1142));
	MCHECK(!mc_set_reg(vp, HV_X64_REGISTER_RIP, IN_IN + 1));
	expect_out(vp, 0, IN_OUT, 0x42);
	close(vp);
	close(part);
	close(mshv);
}

/* rust-vmm's test_run_code: a new VP starts at the reset vector (CS base
 * and selector not 0); moved to 0000:1000 with RAX = RBX = 2 it writes
 * '4' then 0 to the serial port, the VMM moving RIP each time. */
MCASE(run_code)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC |
				1ull << MSHV_PT_BIT_X2APIC |
				1ull << MSHV_PT_BIT_GPA_SUPER_PAGES, true);
	int vp = mc_vp(part, 0);
	struct hv_x64_segment_register cs;

	MREQUIRE(!mc_get_seg(vp, HV_X64_REGISTER_CS, &cs));
	MCHECK(cs.base != 0);
	MCHECK(cs.selector != 0);
	uint8_t *mem = mc_memory(part, 0, MC_GUEST_MEM,
				 1u << MSHV_SET_MEM_BIT_WRITABLE |
				 1u << MSHV_SET_MEM_BIT_EXECUTABLE);

	memcpy(mem + MC_GUEST_CODE, add_guest, sizeof(add_guest));
	cs.base = 0;
	cs.selector = 0;
	MREQUIRE(!mc_set_seg(vp, HV_X64_REGISTER_CS, cs));
	MREQUIRE(!mc_set_reg(vp, HV_X64_REGISTER_RIP, MC_GUEST_CODE));
	MREQUIRE(!mc_set_reg(vp, HV_X64_REGISTER_RAX, 2));
	MREQUIRE(!mc_set_reg(vp, HV_X64_REGISTER_RBX, 2));
	MREQUIRE(!mc_set_reg(vp, HV_X64_REGISTER_RFLAGS, 2));

	char out[3] = { 0 };
	unsigned n = 0;
	struct hv_message m;

	while (n < 2 && mc_run(vp, &m) == HVMSG_X64_IO_PORT_INTERCEPT) {
		const struct hv_x64_io_port_intercept_message *io = io_of(&m);

		MCHECK_EQ(io->port_number, OUT_PORT);
		MCHECK_EQ(io->access_info & HV_X64_IO_ACCESS_SIZE_MASK, 1);
		out[n++] = (char)io->rax;
		MCHECK(!mc_set_reg(vp, HV_X64_REGISTER_RIP,
				   io->header.rip +
				   (io->header.instruction_length_cr8 & 0xF)));
	}
	MCHECK_EQ(n, 2);
	MCHECK_EQ(out[0], '4');
	MCHECK_EQ(out[1], 0);
	close(vp);
	close(part);
	close(mshv);
	munmap(mem, MC_GUEST_MEM);
}

static void *vp_page(int vp, unsigned n)
{
	void *p = mmap(NULL, HV_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vp, (off_t)n * HV_PAGE_SIZE);

	if (!mc_check(p != MAP_FAILED, __FILE__, __LINE__,
		      "mmap VP page %u: %s", n, strerror(errno)))
		mc_stop();
	return p;
}

/* rust-vmm's test_run_code_mmap: the register page is valid after a stop
 * and the intercept-message page holds RUN_VP's message; RIP moves by
 * the page (its IP class dirty). */
MCASE(run_code_mmap)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	int vp;

	mc_guest(part, 0, add_guest, sizeof(add_guest), &vp);
	struct hv_vp_register_page *rp = vp_page(vp, 0);
	const struct hv_message *mp = vp_page(vp, 1);

	MCHECK_EQ(rp->version, HV_VP_REGISTER_PAGE_VERSION_1);
	MREQUIRE(!mc_set_reg(vp, HV_X64_REGISTER_RAX, 2));
	MREQUIRE(!mc_set_reg(vp, HV_X64_REGISTER_RBX, 2));

	struct mshv_run_vp run;

	MREQUIRE(ioctl(vp, MSHV_RUN_VP, &run) == 0);
	MCHECK(!memcmp(mp, run.msg_buf, sizeof(run)));
	MCHECK_EQ(mp->header.message_type, HVMSG_X64_IO_PORT_INTERCEPT);
	MCHECK_EQ(io_of(mp)->rax & 0xFF, '4');
	MCHECK_EQ(rp->version, HV_VP_REGISTER_PAGE_VERSION_1);
	MCHECK_EQ(rp->isvalid, 1);
	MCHECK_EQ(rp->dirty, 0);
	MCHECK_EQ(rp->rip, ADD_OUT1);
	MCHECK_EQ(rp->gp_registers[0], '4');	/* rax */
	MCHECK_EQ(rp->gp_registers[3], 2);	/* rbx */

	rp->rip = io_of(mp)->header.rip + 1;
	rp->dirty = 1u << HV_X64_REGISTER_CLASS_IP;
	MREQUIRE(ioctl(vp, MSHV_RUN_VP, &run) == 0);
	MCHECK(!memcmp(mp, run.msg_buf, sizeof(run)));
	MCHECK_EQ(mp->header.message_type, HVMSG_X64_IO_PORT_INTERCEPT);
	MCHECK_EQ(io_of(mp)->header.rip, ADD_OUT2);
	MCHECK_EQ(io_of(mp)->rax & 0xFF, 0);
	MCHECK_EQ(rp->isvalid, 1);
	MCHECK_EQ(rp->dirty, 0);
	MCHECK_EQ(rp->rip, ADD_OUT2);
	munmap(rp, HV_PAGE_SIZE);
	munmap((void *)mp, HV_PAGE_SIZE);
	close(vp);
	close(part);
	close(mshv);
}

/* The general class of the register page: an IN completed by writing RAX
 * and RIP there. */
MCASE(run_regpage_general)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	int vp;
	struct hv_message m;

	mc_guest(part, 0, in_guest, sizeof(in_guest), &vp);
	struct hv_vp_register_page *rp = vp_page(vp, 0);

	MREQUIRE(mc_run(vp, &m) == HVMSG_X64_IO_PORT_INTERCEPT);
	MREQUIRE(rp->isvalid);
	MCHECK_EQ(rp->rip, IN_IN);
	rp->gp_registers[0] = 0x77;
	rp->rip = IN_IN + 1;
	rp->dirty = 1u << HV_X64_REGISTER_CLASS_GENERAL |
		    1u << HV_X64_REGISTER_CLASS_IP;
	expect_out(vp, 0, IN_OUT, 0x77);

	uint64_t rax;

	MCHECK(!mc_get_reg(vp, HV_X64_REGISTER_RAX, &rax));
	MCHECK_EQ(rax, 0x77);
	munmap(rp, HV_PAGE_SIZE);
	close(vp);
	close(part);
	close(mshv);
}

/* mmap of a VP fd: offset 0 and 1 are its pages, 2 (GHCB, SNP only)
 * ENODEV, beyond EINVAL; the other fds have no pages (ENODEV). */
MCASE(vp_mmap_offsets)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 0, true);
	int vp = mc_vp(part, 0);
	const long pg = sysconf(_SC_PAGE_SIZE);

	MCHECK_ERRNO(mmap(NULL, HV_PAGE_SIZE, PROT_READ, MAP_SHARED, vp,
			  2 * pg) == MAP_FAILED ? -1 : 0, ENODEV);
	MCHECK_ERRNO(mmap(NULL, HV_PAGE_SIZE, PROT_READ, MAP_SHARED, vp,
			  3 * pg) == MAP_FAILED ? -1 : 0, EINVAL);
	MCHECK_ERRNO(mmap(NULL, HV_PAGE_SIZE, PROT_READ, MAP_SHARED, part,
			  0) == MAP_FAILED ? -1 : 0, ENODEV);
	MCHECK_ERRNO(mmap(NULL, HV_PAGE_SIZE, PROT_READ, MAP_SHARED, mshv,
			  0) == MAP_FAILED ? -1 : 0, ENODEV);

	/* Two mappings of one page are one page. */
	struct hv_vp_register_page *a = vp_page(vp, 0), *b = vp_page(vp, 0);

	MCHECK_EQ(a->version, HV_VP_REGISTER_PAGE_VERSION_1);
	MCHECK_EQ(b->version, HV_VP_REGISTER_PAGE_VERSION_1);
	a->dirty = 1u << HV_X64_REGISTER_CLASS_FLAGS;
	MCHECK_EQ(b->dirty, 1u << HV_X64_REGISTER_CLASS_FLAGS);
	a->dirty = 0;
	munmap(a, HV_PAGE_SIZE);
	munmap(b, HV_PAGE_SIZE);
	close(vp);
	close(part);
	close(mshv);
}

/* A bad RUN_VP argument is EFAULT; NULL before anything runs. */
MCASE(run_vp_efault)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 0, true);
	int vp;

	mc_guest(part, 0, add_guest, sizeof(add_guest), &vp);
	/* As Linux: the VP runs, then the message cannot be written. */
	MCHECK_ERRNO(ioctl(vp, MSHV_RUN_VP, NULL), EFAULT);
	/* It stopped at the first OUT (RAX = RBX = 0), not completed: the
	 * next run stops there again, and the intercept page has it. */
	expect_out(vp, 0, ADD_OUT1, '0');
	close(vp);
	close(part);
	close(mshv);
}

/* Writes and reads the guest cannot do where it has no memory, or no
 * write access, stop the VP with a memory intercept naming the GPA. */
MCASE(run_vp_memory_intercepts)
{
	/* mov byte [0x10], 0x5a / mov al, [0x10] / mov dx, 0x3f8 /
	 * out dx, al / hlt -- with DS at GPA 0x10000 */
	static const uint8_t code[] = {
		0xC6, 0x06, 0x10, 0x00, 0x5A, 0xA0, 0x10, 0x00,
		0xBA, 0xF8, 0x03, 0xEE, 0xF4,
	};
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	int vp;
	struct hv_message m;
	struct hv_x64_segment_register ds = {
		.base = MC_GUEST_MEM, .limit = 0xFFFF,
		.selector = MC_GUEST_MEM >> 4, .attributes = 0x93,
	};

	mc_guest(part, 0, code, sizeof(code), &vp);
	MREQUIRE(!mc_set_seg(vp, HV_X64_REGISTER_DS, ds));
	MREQUIRE(mc_run(vp, &m) == HVMSG_UNMAPPED_GPA);
	const struct hv_x64_memory_intercept_message *mi =
		MC_PAYLOAD(&m, struct hv_x64_memory_intercept_message);

	MCHECK_EQ(mi->guest_physical_address, MC_GUEST_MEM + 0x10);
	MCHECK_EQ(mi->header.rip, MC_GUEST_CODE);
	MCHECK_EQ(mi->header.intercept_access_type, HV_INTERCEPT_ACCESS_WRITE);
	MCHECK(mi->instruction_byte_count >= 2);
	MCHECK(mi->instruction_bytes[0] == 0xC6 &&
	       mi->instruction_bytes[1] == 0x06);

	/* Now a read-only page there: the write is a GPA intercept, the
	 * read goes through. */
	uint8_t *ro = mc_memory(part, MC_GUEST_MEM / HV_PAGE_SIZE,
				HV_PAGE_SIZE, 1u << MSHV_SET_MEM_BIT_EXECUTABLE);

	ro[0x10] = 0xA5;
	MREQUIRE(mc_run(vp, &m) == HVMSG_GPA_INTERCEPT);
	MCHECK_EQ(mi->guest_physical_address, MC_GUEST_MEM + 0x10);
	MCHECK_EQ(mi->header.rip, MC_GUEST_CODE);
	MCHECK_EQ(mi->header.intercept_access_type, HV_INTERCEPT_ACCESS_WRITE);
	MCHECK(!mc_set_reg(vp, HV_X64_REGISTER_RIP, MC_GUEST_CODE + 5));
	expect_out(vp, 0, MC_GUEST_CODE + 11, 0xA5);
	MCHECK_EQ(ro[0x10], 0xA5);
	close(vp);
	close(part);
	close(mshv);
}
