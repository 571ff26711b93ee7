/* SPDX-License-Identifier: MIT */
/*
 * The baseline of the mshv_hello figure: examples/mshv_hello's guest
 * (the same bytes) run on raw KVM by a program of the same shape: open
 * the device, a VM, 16 KiB of the program's memory as guest memory, a
 * vCPU in real mode at 0000:1000, a run loop that takes each byte written
 * to port 0x3F8 until HLT, print the string.  KVM completes each OUT
 * itself; no in-kernel irqchip, so HLT exits at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define MEM_SIZE	0x4000u
#define CODE_GPA	0x1000u

/* examples/mshv_hello.c's guest, byte for byte. */
static const uint8_t guest[] = {
	0xBA, 0xF8, 0x03, 0xBE, 0x11, 0x10, 0xAC, 0x84, 0xC0, 0x74, 0x03,
	0xEE, 0xEB, 0xF8, 0xF4, 0xEB, 0xFD,
	'H', 'e', 'l', 'l', 'o', ' ', 'f', 'r', 'o', 'm', ' ', 'a', ' ',
	'g', 'u', 'e', 's', 't', ' ', 'o', 'f', ' ', '/', 'd', 'e', 'v',
	'/', 'm', 's', 'h', 'v', '\n', 0,
};

static void die(const char *what)
{
	fprintf(stderr, "raw_hello: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (kvm < 0)
		die("open /dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);

	if (vm < 0)
		die("KVM_CREATE_VM");
	uint8_t *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		die("mmap");
	memcpy(mem + CODE_GPA, guest, sizeof(guest));
	struct kvm_userspace_memory_region slot = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};

	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot))
		die("KVM_SET_USER_MEMORY_REGION");
	int cpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	int size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);

	if (cpu < 0 || size <= 0)
		die("KVM_CREATE_VCPU");
	struct kvm_run *run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
				   MAP_SHARED, cpu, 0);

	if (run == MAP_FAILED)
		die("mmap kvm_run");
	struct kvm_sregs s;
	struct kvm_regs r = { .rip = CODE_GPA, .rflags = 2 };

	if (ioctl(cpu, KVM_GET_SREGS, &s))
		die("KVM_GET_SREGS");
	s.cs.base = 0;
	s.cs.selector = 0;
	if (ioctl(cpu, KVM_SET_SREGS, &s) || ioctl(cpu, KVM_SET_REGS, &r))
		die("KVM_SET_SREGS");
	char out[128];
	size_t n = 0;

	for (;;) {
		if (ioctl(cpu, KVM_RUN, 0)) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		if (run->exit_reason != KVM_EXIT_IO) {
			fprintf(stderr, "raw_hello: exit %u\n", run->exit_reason);
			return 1;
		}
		if (run->io.port == 0x3F8 && n < sizeof(out) - 1)
			out[n++] = *((char *)run + run->io.data_offset);
	}
	out[n] = 0;
	printf("the guest wrote: %s", out);
	return 0;
}
