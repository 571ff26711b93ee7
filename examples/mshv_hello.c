/* SPDX-License-Identifier: MIT */
/*
 * A VMM of /dev/mshv's UAPI alone (include/openhv/mshv.h): no openhv
 * library is linked.  It makes a partition with one VP and 16 KiB of its
 * own memory, puts a real-mode program there that writes a string to the
 * serial port 0x3F8 and halts, runs the VP and prints what the guest
 * wrote.  Each `out` stops the VP with an I/O port intercept; as on
 * Hyper-V, the VMM takes the byte and moves RIP past the instruction
 * itself.
 *
 *   build/openhv exec -- build/examples/mshv_hello
 *
 * openhv exec preloads libopenhv-mshv.so, which makes /dev/mshv exist in
 * this process (spec.md §12); on a Hyper-V root with Linux's mshv_root
 * driver the same binary runs as it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openhv/mshv.h>

#define MEM_SIZE	0x4000u	/* GPA 0-0x3FFF */
#define CODE_GPA	0x1000u

/*
 * Real mode at 0000:1000:
 *   mov dx, 0x3f8 / mov si, msg / next: lodsb / test al, al / jz done /
 *   out dx, al / jmp next / done: hlt / jmp done / msg: "..."
 */
static const uint8_t guest[] = {
	0xBA, 0xF8, 0x03,		/* mov dx, 0x3f8        */
	0xBE, 0x11, 0x10,		/* mov si, 0x1011 (msg) */
	0xAC,				/* next: lodsb          */
	0x84, 0xC0,			/* test al, al          */
	0x74, 0x03,			/* jz done              */
	0xEE,				/* out dx, al           */
	0xEB, 0xF8,			/* jmp next             */
	0xF4,				/* done: hlt            */
	0xEB, 0xFD,			/* jmp done             */
	/* msg, at 0x1011 */
	'H', 'e', 'l', 'l', 'o', ' ', 'f', 'r', 'o', 'm', ' ', 'a', ' ',
	'g', 'u', 'e', 's', 't', ' ', 'o', 'f', ' ', '/', 'd', 'e', 'v',
	'/', 'm', 's', 'h', 'v', '\n', 0,
};

static void die(const char *what)
{
	fprintf(stderr, "mshv_hello: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* HvSetVpRegisters through MSHV_ROOT_HVCALL on the VP's fd. */
static void set_regs(int vp_fd, const struct hv_register_assoc *regs,
		     unsigned n)
{
	uint8_t in[sizeof(struct hv_input_set_vp_registers) +
		   4 * sizeof(struct hv_register_assoc)];
	struct hv_input_set_vp_registers *h = (void *)in;
	struct mshv_root_hvcall call = {
		.code = HVCALL_SET_VP_REGISTERS, .reps = (uint16_t)n,
		.in_sz = (uint16_t)(sizeof(*h) + n * sizeof(*regs)),
		.in_ptr = (uintptr_t)in,
	};

	memset(in, 0, sizeof(in));
	h->vp_index = 0;	/* the fd names the partition, not the VP */
	memcpy(h->elements, regs, n * sizeof(*regs));
	if (ioctl(vp_fd, MSHV_ROOT_HVCALL, &call))
		die("HvSetVpRegisters");
}

int main(void)
{
	int mshv = open("/dev/mshv", O_RDWR | O_CLOEXEC);

	if (mshv < 0)
		die("open /dev/mshv (run it as: openhv exec -- mshv_hello)");
	struct mshv_create_partition cp = {
		.pt_flags = 1ull << MSHV_PT_BIT_LAPIC,
		.pt_isolation = MSHV_PT_ISOLATION_NONE,
	};
	int part = ioctl(mshv, MSHV_CREATE_PARTITION, &cp);

	if (part < 0)
		die("MSHV_CREATE_PARTITION");
	if (ioctl(part, MSHV_INITIALIZE_PARTITION))
		die("MSHV_INITIALIZE_PARTITION");

	/* The guest's memory is ours: what we write here, it reads. */
	uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		die("mmap");
	memcpy(mem + CODE_GPA, guest, sizeof(guest));
	struct mshv_user_mem_region region = {
		.size = MEM_SIZE, .guest_pfn = 0,
		.userspace_addr = (uintptr_t)mem,
		.flags = 1u << MSHV_SET_MEM_BIT_WRITABLE |
			 1u << MSHV_SET_MEM_BIT_EXECUTABLE,
	};

	if (ioctl(part, MSHV_SET_GUEST_MEMORY, &region))
		die("MSHV_SET_GUEST_MEMORY");
	struct mshv_create_vp cv = { .vp_index = 0 };
	int vp = ioctl(part, MSHV_CREATE_VP, &cv);

	if (vp < 0)
		die("MSHV_CREATE_VP");

	/* Real mode at 0000:1000 (the VP starts at F000:FFF0). */
	struct hv_register_assoc regs[2];

	memset(regs, 0, sizeof(regs));
	regs[0].name = HV_X64_REGISTER_CS;
	regs[0].value.segment = (struct hv_x64_segment_register){
		.base = 0, .limit = 0xFFFF, .selector = 0, .attributes = 0x9B,
	};
	regs[1].name = HV_X64_REGISTER_RIP;
	regs[1].value.reg64 = CODE_GPA;
	set_regs(vp, regs, 2);

	char out[128];
	size_t n = 0;

	for (;;) {
		struct mshv_run_vp run;

		if (ioctl(vp, MSHV_RUN_VP, &run)) {
			if (errno == EINTR)
				continue;
			die("MSHV_RUN_VP");
		}
		const struct hv_message *m = (const void *)run.msg_buf;

		if (m->header.message_type == HVMSG_X64_HALT)
			break;
		if (m->header.message_type != HVMSG_X64_IO_PORT_INTERCEPT) {
			fprintf(stderr, "mshv_hello: unexpected message 0x%x\n",
				m->header.message_type);
			return 1;
		}
		const struct hv_x64_io_port_intercept_message *io =
			(const void *)m->payload;

		if (io->port_number == 0x3F8 && n < sizeof(out) - 1)
			out[n++] = (char)io->rax;
		/* Complete the OUT: RIP past it. */
		memset(regs, 0, sizeof(regs));
		regs[0].name = HV_X64_REGISTER_RIP;
		regs[0].value.reg64 = io->header.rip +
				      (io->header.instruction_length_cr8 & 0xF);
		set_regs(vp, regs, 1);
	}
	out[n] = 0;
	printf("the guest wrote: %s", out);
	close(vp);
	close(part);
	close(mshv);
	munmap(mem, MEM_SIZE);
	return 0;
}
