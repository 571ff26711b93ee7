/* SPDX-License-Identifier: MIT */
/*
 * Interrupts, doorbells and SynIC deliveries of a partition (mshv-uapi
 * A.7): MSHV_IRQFD, MSHV_IOEVENTFD, MSHV_SET_MSI_ROUTING,
 * HvAssertVirtualInterrupt, HvSignalEventDirect and HvPostMessageDirect
 * through ROOT_HVCALL.
 */
#include "case.h"

#include <sys/eventfd.h>

static int irqfd(int part, int fd, uint32_t gsi, uint32_t flags, int rfd)
{
	struct mshv_user_irqfd a = {
		.fd = fd, .resamplefd = rfd, .gsi = gsi, .flags = flags,
	};

	return ioctl(part, MSHV_IRQFD, &a);
}

#define DEASSIGN	(1u << MSHV_IRQFD_BIT_DEASSIGN)
#define RESAMPLE	(1u << MSHV_IRQFD_BIT_RESAMPLE)

/* rust-vmm's test_irqfd (gsi 30), and the checks of the eventfd. */
MCASE(irqfd)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	int e = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int e2 = eventfd(0, EFD_CLOEXEC);
	int pfd[2];

	MREQUIRE(e >= 0 && e2 >= 0 && !pipe(pfd));
	MCHECK_OK(irqfd(part, e, 30, 0, -1));
	MCHECK_OK(irqfd(part, e, 30, DEASSIGN, -1));
	/* Assigned again after the deassign; twice is EBUSY, on any gsi. */
	MCHECK_OK(irqfd(part, e, 30, 0, -1));
	MCHECK_ERRNO(irqfd(part, e, 30, 0, -1), EBUSY);
	MCHECK_ERRNO(irqfd(part, e, 31, 0, -1), EBUSY);
	MCHECK_OK(irqfd(part, e2, 30, 0, -1));
	MCHECK_OK(irqfd(part, e, 30, DEASSIGN, -1));
	MCHECK_OK(irqfd(part, e2, 30, DEASSIGN, -1));

	MCHECK_ERRNO(irqfd(part, e, 30, 1u << MSHV_IRQFD_BIT_COUNT, -1), EINVAL);
	MCHECK_ERRNO(irqfd(part, e, 30, 0x80000000u, -1), EINVAL);
	MCHECK_ERRNO(irqfd(part, pfd[0], 30, 0, -1), EINVAL);	/* no eventfd */
	MCHECK_ERRNO(irqfd(part, mshv, 30, 0, -1), EINVAL);
	int gone = eventfd(0, 0);

	close(gone);
	MCHECK_ERRNO(irqfd(part, gone, 30, 0, -1), EBADF);
	MCHECK_ERRNO(irqfd(part, -1, 30, 0, -1), EBADF);
	/* A resample fd must be an eventfd too. */
	MCHECK_ERRNO(irqfd(part, e, 30, RESAMPLE, gone), EBADF);
	MCHECK_ERRNO(irqfd(part, e, 30, RESAMPLE, pfd[1]), EINVAL);
	MCHECK_OK(irqfd(part, e, 30, RESAMPLE, e2));
	MCHECK_OK(irqfd(part, e, 30, DEASSIGN, -1));
	MCHECK_ERRNO(ioctl(part, MSHV_IRQFD, NULL), EFAULT);
	close(pfd[0]);
	close(pfd[1]);
	close(e);
	close(e2);
	close(part);
	close(mshv);
}

static int ioeventfd(int part, int fd, uint64_t addr, uint32_t len,
		     uint32_t flags, uint64_t datamatch)
{
	struct mshv_user_ioeventfd a = {
		.datamatch = datamatch, .addr = addr, .len = len, .fd = fd,
		.flags = flags,
	};

	return ioctl(part, MSHV_IOEVENTFD, &a);
}

#define DM	(1u << MSHV_IOEVENTFD_BIT_DATAMATCH)
#define PIO	(1u << MSHV_IOEVENTFD_BIT_PIO)
#define IODEL	(1u << MSHV_IOEVENTFD_BIT_DEASSIGN)
#define DOORBELL 0xE7E85004ull

/* rust-vmm's test_ioeventfd (an MMIO address, no datamatch), and what
 * Linux refuses. */
MCASE(ioeventfd)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	int e = eventfd(0, EFD_CLOEXEC);
	int e2 = eventfd(0, EFD_CLOEXEC);

	MREQUIRE(e >= 0 && e2 >= 0);
	MCHECK_OK(ioeventfd(part, e, DOORBELL, 0, 0, 0));
	MCHECK_OK(ioeventfd(part, e, DOORBELL, 0, IODEL, 0));
	MCHECK_ERRNO(ioeventfd(part, e, DOORBELL, 0, IODEL, 0), ENOENT);

	/* No PIO doorbells in mshv. */
	MCHECK_ERRNO(ioeventfd(part, e, 0x3F8, 1, PIO, 0), EOPNOTSUPP);
	for (uint32_t len = 0; len <= 9; len++) {
		bool ok = len == 0 || len == 1 || len == 2 || len == 4 ||
			  len == 8;
		uint64_t a = 0xE0000000ull + len * 0x100;

		if (ok) {
			MCHECK_OK(ioeventfd(part, e, a, len, 0, 0));
			MCHECK_OK(ioeventfd(part, e, a, len, IODEL, 0));
		} else {
			MCHECK_ERRNO(ioeventfd(part, e, a, len, 0, 0), EINVAL);
		}
	}
	MCHECK_ERRNO(ioeventfd(part, e, ~0ull - 1, 4, 0, 0), EINVAL);
	MCHECK_ERRNO(ioeventfd(part, e, DOORBELL, 4, 1u << MSHV_IOEVENTFD_BIT_COUNT,
			       0), EINVAL);

	/* Collisions: the same (address, length) with either side a
	 * wildcard, or the same datamatch. */
	MCHECK_OK(ioeventfd(part, e, DOORBELL, 4, DM, 1));
	MCHECK_OK(ioeventfd(part, e2, DOORBELL, 4, DM, 2));
	MCHECK_ERRNO(ioeventfd(part, e2, DOORBELL, 4, DM, 1), EEXIST);
	MCHECK_ERRNO(ioeventfd(part, e2, DOORBELL, 4, 0, 0), EEXIST);
	MCHECK_OK(ioeventfd(part, e2, DOORBELL, 2, 0, 0));
	/* A deassign names the datamatch too. */
	MCHECK_ERRNO(ioeventfd(part, e, DOORBELL, 4, DM | IODEL, 2), ENOENT);
	MCHECK_ERRNO(ioeventfd(part, e, DOORBELL, 4, IODEL, 0), ENOENT);
	MCHECK_OK(ioeventfd(part, e, DOORBELL, 4, DM | IODEL, 1));
	MCHECK_OK(ioeventfd(part, e2, DOORBELL, 4, DM | IODEL, 2));
	MCHECK_OK(ioeventfd(part, e2, DOORBELL, 2, IODEL, 0));
	MCHECK_ERRNO(ioctl(part, MSHV_IOEVENTFD, NULL), EFAULT);
	close(e);
	close(e2);
	close(part);
	close(mshv);
}

/* A guest write to the doorbell's address signals the eventfd, and does
 * not stop the VP. */
MCASE(ioeventfd_guest_write)
{
	/* mov byte [0x10], 0x42 with DS at the doorbell page / mov dx,
	 * 0x3f8 / out dx, al / hlt */
	static const uint8_t code[] = {
		0xC6, 0x06, 0x10, 0x00, 0x42, 0xBA, 0xF8, 0x03, 0xEE, 0xF4,
	};
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	int e = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int vp;
	struct hv_message m;
	uint64_t n = 0;
	const uint64_t page = 0xE0000000ull;
	struct hv_x64_segment_register ds = {
		.base = page, .limit = 0xFFFF, .attributes = 0x93,
	};

	MREQUIRE(e >= 0);
	mc_guest(part, 0, code, sizeof(code), &vp);
	MREQUIRE(!mc_set_seg(vp, HV_X64_REGISTER_DS, ds));
	MREQUIRE(!ioeventfd(part, e, page + 0x10, 1, DM, 0x42));
	MCHECK_EQ(mc_run(vp, &m), HVMSG_X64_IO_PORT_INTERCEPT);
	MCHECK_EQ(read(e, &n, sizeof(n)), sizeof(n));
	MCHECK_EQ(n, 1);
	close(vp);
	close(e);
	close(part);
	close(mshv);
}

/* rust-vmm's test_set_msi_routing (an empty table), a table with
 * entries, and Linux's limits. */
MCASE(msi_routing)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	struct {
		struct mshv_user_irq_table t;
		struct mshv_user_irq_entry e[2];
	} tab;

	memset(&tab, 0, sizeof(tab));
	MCHECK_OK(ioctl(part, MSHV_SET_MSI_ROUTING, &tab));
	tab.t.nr = 2;
	tab.e[0] = (struct mshv_user_irq_entry){
		.gsi = 30, .address_lo = 0xFEE00000, .data = 0x30,
	};
	tab.e[1] = (struct mshv_user_irq_entry){
		.gsi = 31, .address_lo = 0xFEE00000, .data = 0x31,
	};
	MCHECK_OK(ioctl(part, MSHV_SET_MSI_ROUTING, &tab));
	tab.t.rsvd = 1;
	MCHECK_ERRNO(ioctl(part, MSHV_SET_MSI_ROUTING, &tab), EINVAL);
	tab.t.rsvd = 0;
	tab.t.nr = 4097;	/* MSHV_MAX_MSI_ROUTES + 1 */
	MCHECK_ERRNO(ioctl(part, MSHV_SET_MSI_ROUTING, &tab), EINVAL);
	tab.t.nr = 0xFFFFFFFF;
	MCHECK_ERRNO(ioctl(part, MSHV_SET_MSI_ROUTING, &tab), EINVAL);

	/* The most Linux takes; the entries beyond our buffer are in an
	 * unmapped page: EFAULT. */
	size_t len = 8 + 4096 * sizeof(struct mshv_user_irq_entry);
	uint8_t *big = mmap(NULL, len + HV_PAGE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	MREQUIRE(big != MAP_FAILED);
	struct mshv_user_irq_table *t = (void *)big;

	t->nr = 4096;
	MCHECK_OK(ioctl(part, MSHV_SET_MSI_ROUTING, t));
	munmap(big + HV_PAGE_SIZE, len);
	MCHECK_ERRNO(ioctl(part, MSHV_SET_MSI_ROUTING, t), EFAULT);
	MCHECK_ERRNO(ioctl(part, MSHV_SET_MSI_ROUTING, NULL), EFAULT);
	munmap(big, HV_PAGE_SIZE);
	close(part);
	close(mshv);
}

static uint16_t assert_irq(int fd, uint32_t type, uint64_t apic_id,
			   uint32_t vector)
{
	struct hv_input_assert_virtual_interrupt in = {
		.control = type, .dest_addr = apic_id, .vector = vector,
	};
	uint16_t st = 0xFFFF;

	mc_hvcall(fd, HVCALL_ASSERT_VIRTUAL_INTERRUPT, 0, &in, sizeof(in), NULL,
		  0, &st);
	return st;
}

/* rust-vmm's test_assert_virtual_interrupt: the APIC id from the LAPIC
 * state, an ExtInt to it; and a fixed vector below 16 is refused. */
MCASE(assert_virtual_interrupt)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC |
				1ull << MSHV_PT_BIT_X2APIC, true);
	int vp = mc_vp(part, 0);
	struct hv_local_interrupt_controller_state *s = mc_pages(HV_PAGE_SIZE);
	struct mshv_get_set_vp_state gs = {
		.type = MSHV_VP_STATE_LAPIC, .buf_sz = HV_PAGE_SIZE,
		.buf_ptr = (uintptr_t)s,
	};

	MREQUIRE(!ioctl(vp, MSHV_GET_VP_STATE, &gs));
	MCHECK_EQ(assert_irq(part, HV_X64_INTERRUPT_TYPE_EXTINT, s->apic_id, 0),
		  0);
	MCHECK_EQ(assert_irq(part, HV_X64_INTERRUPT_TYPE_FIXED, s->apic_id,
			     0x30), 0);
	MCHECK_EQ(assert_irq(part, HV_X64_INTERRUPT_TYPE_FIXED, s->apic_id, 5),
		  HV_STATUS_INVALID_PARAMETER);
	close(vp);
	close(part);
	close(mshv);
}

/* An interrupt reaches the guest: a fixed vector asserted through
 * ROOT_HVCALL, and the same vector by an irqfd routed as an MSI.  The
 * real-mode guest software-enables its LAPIC (DS based at 0xFEE00000),
 * says so on the serial port, enables interrupts and halts; its handler
 * writes the vector to the serial port.  With lapic_by_state the VMM
 * enables the LAPIC instead, through MSHV_SET_VP_STATE. */
static void interrupt_guest(bool by_irqfd, bool lapic_by_state)
{
	/* 0x1000: mov ax, 0x1ff / mov [0xf0], ax / mov dx, 0x3f8 /
	 * out dx, al / sti / hlt / jmp sti; 0x1010: the handler */
	static const uint8_t code[] = {
		0xB8, 0xFF, 0x01, 0xA3, 0xF0, 0x00, 0xBA, 0xF8,
		0x03, 0xEE, 0xFB, 0xF4, 0xEB, 0xFC, 0x90, 0x90,
		0xBA, 0xF8, 0x03, 0xB0, 0x30, 0xEE, 0xF4,
	};
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	int vp;
	uint8_t *mem = mc_guest(part, 0, code, sizeof(code), &vp);
	struct hv_local_interrupt_controller_state *s = mc_pages(HV_PAGE_SIZE);
	struct mshv_get_set_vp_state gs = {
		.type = MSHV_VP_STATE_LAPIC, .buf_sz = HV_PAGE_SIZE,
		.buf_ptr = (uintptr_t)s,
	};
	struct hv_x64_segment_register ds = {
		.base = 0xFEE00000, .limit = 0xFFFF, .attributes = 0x93,
	};
	struct hv_message m;

	/* A VP that never takes the interrupt must not hang make check. */
	alarm(10);
	/* The real-mode vector table entry of 0x30: 0000:1010. */
	mem[0x30 * 4] = 0x10;
	mem[0x30 * 4 + 1] = 0x10;
	/* The LAPIC enabled at its architectural base (0xFEE00000, BSP). */
	MREQUIRE(!mc_set_reg(vp, HV_X64_REGISTER_APIC_BASE, 0xFEE00900));
	MREQUIRE(!ioctl(vp, MSHV_GET_VP_STATE, &gs));
	if (lapic_by_state) {
		s->apic_spurious |= 0x1FF;
		MREQUIRE(!ioctl(vp, MSHV_SET_VP_STATE, &gs));
		MREQUIRE(!mc_set_reg(vp, HV_X64_REGISTER_RIP, MC_GUEST_CODE + 10));
	} else {
		MREQUIRE(!mc_set_seg(vp, HV_X64_REGISTER_DS, ds));
		MREQUIRE(mc_run(vp, &m) == HVMSG_X64_IO_PORT_INTERCEPT);
		MREQUIRE(MC_PAYLOAD(&m, struct hv_x64_io_port_intercept_message)
				 ->header.rip == MC_GUEST_CODE + 9);
		MREQUIRE(!mc_set_reg(vp, HV_X64_REGISTER_RIP, MC_GUEST_CODE + 10));
	}
	if (by_irqfd) {
		struct {
			struct mshv_user_irq_table t;
			struct mshv_user_irq_entry e;
		} tab = {
			.t.nr = 1,
			.e = { .gsi = 5, .address_lo = 0xFEE00000, .data = 0x30 },
		};
		int e = eventfd(0, EFD_CLOEXEC);
		uint64_t one = 1;

		MREQUIRE(e >= 0);
		MREQUIRE(!ioctl(part, MSHV_SET_MSI_ROUTING, &tab));
		MREQUIRE(!irqfd(part, e, 5, 0, -1));
		MREQUIRE(write(e, &one, sizeof(one)) == sizeof(one));
	} else {
		MREQUIRE(!assert_irq(part, HV_X64_INTERRUPT_TYPE_FIXED,
				     s->apic_id, 0x30));
	}
	MREQUIRE(mc_run(vp, &m) == HVMSG_X64_IO_PORT_INTERCEPT);
	const struct hv_x64_io_port_intercept_message *io =
		MC_PAYLOAD(&m, struct hv_x64_io_port_intercept_message);

	MCHECK_EQ(io->header.rip, MC_GUEST_CODE + 0x15);
	MCHECK_EQ(io->rax & 0xFF, 0x30);
	alarm(0);
	close(vp);
	close(part);
	close(mshv);
}

MCASE(interrupt_by_hvcall)
{
	interrupt_guest(false, false);
}

MCASE(interrupt_by_irqfd)
{
	interrupt_guest(true, false);
}

/* The LAPIC state a VMM sets is the one the guest's interrupts meet
 * (A.8, A.10: the VP's own LAPIC, not a copy beside it). */
MCASE(interrupt_lapic_by_state)
{
	interrupt_guest(false, true);
}

static uint16_t signal_event(int fd, uint32_t vp, uint8_t sint,
			     uint16_t flag, uint8_t *newly)
{
	struct hv_input_signal_event_direct in = {
		.target_vp = vp, .target_sint = sint, .flag_number = flag,
	};
	struct hv_output_signal_event_direct out = { .newly_signaled = 0xEE };
	uint16_t st = 0xFFFF;

	mc_hvcall(fd, HVCALL_SIGNAL_EVENT_DIRECT, 0, &in, sizeof(in), &out,
		  sizeof(out), &st);
	if (newly)
		*newly = out.newly_signaled;
	return st;
}

static uint16_t post_message(int fd, uint32_t vp, uint32_t sint,
			     uint32_t type, uint64_t word)
{
	struct hv_input_post_message_direct in;
	struct hv_message msg;
	uint16_t st = 0xFFFF;

	/* The message sits at offset 20 of the input: built aside. */
	memset(&in, 0, sizeof(in));
	memset(&msg, 0, sizeof(msg));
	in.vp_index = vp;
	in.sint_index = sint;
	msg.header.message_type = type;
	msg.header.payload_size = 8;
	msg.payload[0] = word;
	memcpy(in.message, &msg, sizeof(msg));
	mc_hvcall(fd, HVCALL_POST_MESSAGE_DIRECT, 0, &in, sizeof(in), NULL, 0,
		  &st);
	return st;
}

/* HvSignalEventDirect / HvPostMessageDirect (rust-vmm's ignored
 * test_signal_event_direct and test_post_message_direct): to a VP whose
 * SynIC is off the status is INVALID_SYNIC_STATE (EIO); once the guest's
 * SynIC is on, the flag and the message land in its SIEF and SIM pages,
 * which are the client's memory. */
MCASE(direct_event_and_message)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	int vp = mc_vp(part, 0);
	uint8_t *mem = mc_memory(part, 0, MC_GUEST_MEM,
				 1u << MSHV_SET_MEM_BIT_WRITABLE |
				 1u << MSHV_SET_MEM_BIT_EXECUTABLE);
	uint8_t newly = 0xEE;
	uint16_t st;

	errno = 0;
	st = signal_event(part, 0, 0, 1, NULL);
	MCHECK_EQ(st, HV_STATUS_INVALID_SYNIC_STATE);
	MCHECK_EQ(errno, EIO);
	errno = 0;
	MCHECK_EQ(post_message(part, 0, 0, 1, 0), HV_STATUS_INVALID_SYNIC_STATE);
	MCHECK_EQ(errno, EIO);
	/* SINT 16 and a VP the partition has not: EINVAL. */
	errno = 0;
	MCHECK_EQ(signal_event(part, 0, 16, 1, NULL),
		  HV_STATUS_INVALID_PARAMETER);
	MCHECK_EQ(errno, EINVAL);
	errno = 0;
	st = signal_event(part, 9, 0, 1, NULL);
	MCHECK(st == HV_STATUS_INVALID_VP_INDEX ||
	       st == HV_STATUS_INVALID_PARAMETER);
	MCHECK_EQ(errno, EINVAL);

	/* SynIC on: SIEF page at GPA 0x4000, SIM at 0x5000, SINT0 vector
	 * 0x40 unmasked. */
	MREQUIRE(!mc_set_reg(vp, HV_REGISTER_SCONTROL, HV_SYNIC_SCONTROL_ENABLE));
	MREQUIRE(!mc_set_reg(vp, HV_REGISTER_SIEFP, 0x4000 | HV_SYNIC_SIEFP_ENABLE));
	MREQUIRE(!mc_set_reg(vp, HV_REGISTER_SIMP, 0x5000 | HV_SYNIC_SIMP_ENABLE));
	MREQUIRE(!mc_set_reg(vp, HV_REGISTER_SINT0, 0x40));
	MCHECK_EQ(signal_event(part, 0, 0, 9, &newly), 0);
	MCHECK_EQ(newly, 1);
	MCHECK_EQ(mem[0x4000 + 1], 1u << 1);	/* flag 9: byte 1 bit 1 */
	MCHECK_EQ(signal_event(vp, 0, 0, 9, &newly), 0);
	MCHECK_EQ(newly, 0);

	MCHECK_EQ(post_message(part, 0, 0, 0x1234, 0xABCDEF), 0);
	const struct hv_message *slot = (const void *)(mem + 0x5000);

	MCHECK_EQ(slot->header.message_type, 0x1234);
	MCHECK_EQ(slot->header.payload_size, 8);
	MCHECK_EQ(slot->payload[0], 0xABCDEF);
	/* The slot is busy until the guest takes it. */
	errno = 0;
	MCHECK_EQ(post_message(part, 0, 0, 0x1235, 0),
		  HV_STATUS_INSUFFICIENT_BUFFERS);
	MCHECK_EQ(errno, EIO);
	close(vp);
	close(part);
	close(mshv);
}
