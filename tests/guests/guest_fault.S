/* SPDX-License-Identifier: MIT */
/*
 * guest_fault: every way spec.md §11 says a guest can go wrong, one per
 * run, chosen by RDI at entry (KG_FAULT_*, layout.h).  Exceptions are
 * reported by kg_exc_handlers (KG_EXC | vector, error code, RIP, CS).
 *
 * KG_FAULT_MSR: with kg_resume_skip = 2 (past the rdmsr/wrmsr), each of
 *   these raises #GP and is followed by KG_STEP | n:
 *   1 SCONTROL bit 1   2 SINT0 bit 8      3 SIMP bit 1   4 HYPERCALL bit 2
 *   5 VP_INDEX write   6 rdmsr 0x400000F0 7 wrmsr 0x40000050 (unknown)
 *   then SCONTROL = 1 is taken (KG_STEP | 8) and read back.
 * KG_FAULT_USER_HCALL: enables the hypercall page, enters ring 3 with
 *   IOPL 3, reports CS, calls the page (HvGetPartitionId): #UD expected.
 * KG_FAULT_BAD_GPA: HvGetPartitionId with its output at KG_UNMAPPED,
 *   KG_OUT + 4, KG_RO_PAGE, then KG_OUT; HvSignalEvent with its input at
 *   0xFFFFFFFFF000: RAX of each.
 * KG_FAULT_UNMAPPED: reports the address of a 4-byte read of
 *   KG_UNMAPPED + 0x10, does it, reports what it read (RAX preset to
 *   KG_STEP), reports the address of a 4-byte write of KG_UNMAPPED +
 *   0x20, does it, reports the return address of a call to
 *   KG_UNMAPPED + 0x30, makes the call, then KG_DONE.
 * KG_FAULT_READ_ONLY: reports KG_RO_PAGE's first qword, the address of
 *   a write of 1 to KG_RO_PAGE + 8, does it, reports KG_RO_PAGE + 8.
 * KG_FAULT_TRIPLE: loads an empty IDT and executes ud2.
 * KG_FAULT_HALT: reports KG_READY, then `cli; hlt`.
 * KG_FAULT_SLEEP: reports KG_READY, then `sti; hlt` forever.
 * KG_FAULT_MSR_ICPT: reports the address of `mov $0xC0000102, %ecx`
 *   before an rdmsr of IA32_KERNEL_GS_BASE, reports EAX, the address before a
 *   wrmsr of 0x1234 to it, then what an rdmsr reads, then KG_DONE.
 * KG_FAULT_NO_PRIV: in a partition without privileges, each of these
 *   raises #GP and is followed by KG_STEP | n: 1 GUEST_OS_ID write,
 *   2 HYPERCALL write, 3 VP_INDEX read, 4 SCONTROL write, 5 SIMP read;
 *   then KG_DONE.
 */
#include "macros.h"

	kg_header entry
	kg_exc_vectors
	kg_header_end

entry:
	cmp $KG_FAULT_MSR_ICPT, %edi
	ja bad
	lea table(%rip), %rax
	jmp *(%rax, %rdi, 8)
bad:	report $-1
	jmp halt

	.balign 8
table:	.quad msr, user_hcall, bad_gpa, unmapped, read_only, triple, halt_now
	.quad sleep, no_priv, msr_icpt

/* wrmsr/rdmsr expected to raise #GP, then the step marker. */
.macro gp_wrmsr n, msr, value
	wrmsr_imm \msr, \value
	report $(KG_STEP | \n)
.endm

msr:
	movq $2, kg_resume_skip(%rip)
	wrmsr_imm KG_MSR_GUEST_OS_ID, KG_GUEST_OS_ID
	gp_wrmsr 1, KG_MSR_SCONTROL, 2
	gp_wrmsr 2, KG_MSR_SINT0, 0x10100
	gp_wrmsr 3, KG_MSR_SIMP, KG_SIMP | 2
	gp_wrmsr 4, KG_MSR_HYPERCALL, KG_HCALL | 4
	gp_wrmsr 5, KG_MSR_VP_INDEX, 1
	mov $0x400000F0, %ecx
	rdmsr
	report $(KG_STEP | 6)
	gp_wrmsr 7, 0x40000050, 0
	gp_wrmsr 8, KG_MSR_SCONTROL, 1
	rdmsr64 KG_MSR_SCONTROL
	out %eax, $KG_PORT
	jmp halt

no_priv:
	movq $2, kg_resume_skip(%rip)
	gp_wrmsr 1, KG_MSR_GUEST_OS_ID, KG_GUEST_OS_ID
	gp_wrmsr 2, KG_MSR_HYPERCALL, KG_HCALL | 1
	mov $KG_MSR_VP_INDEX, %ecx
	rdmsr
	report $(KG_STEP | 3)
	gp_wrmsr 4, KG_MSR_SCONTROL, 1
	mov $KG_MSR_SIMP, %ecx
	rdmsr
	report $(KG_STEP | 5)
	report $KG_DONE
	jmp halt

user_hcall:
	wrmsr_imm KG_MSR_GUEST_OS_ID, KG_GUEST_OS_ID
	wrmsr_imm KG_MSR_HYPERCALL, KG_HCALL | 1
	push $KG_SEL_UDATA
	push $KG_USTACK_TOP
	push $0x3002			/* IOPL 3, IF 0 */
	push $KG_SEL_UCODE
	lea ring3(%rip), %rax
	push %rax
	iretq
ring3:
	mov %cs, %eax
	out %eax, $KG_PORT
	mov $KG_CALL_GET_PARTITION_ID, %ecx
	mov $KG_IN, %edx
	mov $KG_OUT, %r8d
	call KG_HCALL
	out %eax, $KG_PORT		/* not reached: #UD */
1:	jmp 1b

.macro get_id out
	mov $KG_CALL_GET_PARTITION_ID, %ecx
	mov $KG_IN, %edx
	mov $\out, %r8
	call KG_HCALL
	out %eax, $KG_PORT
.endm

bad_gpa:
	wrmsr_imm KG_MSR_GUEST_OS_ID, KG_GUEST_OS_ID
	wrmsr_imm KG_MSR_HYPERCALL, KG_HCALL | 1
	get_id KG_UNMAPPED
	get_id KG_OUT + 4
	get_id KG_RO_PAGE
	get_id KG_OUT
	mov $KG_CALL_SIGNAL_EVENT, %ecx
	mov $0xFFFFFFFFF000, %rdx
	xor %r8d, %r8d
	call KG_HCALL
	out %eax, $KG_PORT
	jmp halt

unmapped:
	lea 1f(%rip), %rax
	out %eax, $KG_PORT
	mov $KG_STEP, %rax
1:	mov KG_UNMAPPED + 0x10, %eax
	out %eax, $KG_PORT
	lea 2f(%rip), %rax
	out %eax, $KG_PORT
2:	movl $0x12345678, KG_UNMAPPED + 0x20
	lea 3f(%rip), %rax
	out %eax, $KG_PORT
	mov $(KG_UNMAPPED + 0x30), %eax
	call *%rax
3:	report $KG_DONE
	jmp halt

read_only:
	report KG_RO_PAGE
	lea 1f(%rip), %rax
	out %eax, $KG_PORT
1:	movq $1, KG_RO_PAGE + 8
	report KG_RO_PAGE + 8
	jmp halt

triple:
	lidt empty_idt(%rip)
	ud2

/* An MSR the CPU has (IA32_KERNEL_GS_BASE): its address, rdmsr, what it read,
 * its address, wrmsr of 0x1234, then what the MSR holds. */
msr_icpt:
	lea 1f(%rip), %rax
	out %eax, $KG_PORT
1:	mov $0xC0000102, %ecx
	rdmsr
	out %eax, $KG_PORT
	lea 2f(%rip), %rax
	out %eax, $KG_PORT
2:	mov $0xC0000102, %ecx
	mov $0x1234, %eax
	xor %edx, %edx
	wrmsr
	mov $0xC0000102, %ecx
	rdmsr
	out %eax, $KG_PORT
	report $KG_DONE
	jmp halt

halt_now:
	report $KG_READY
halt:
	cli
	hlt
	jmp halt

sleep:
	report $KG_READY
	sti
1:	hlt
	jmp 1b

	kg_exc_handlers

	.balign 8
empty_idt:
	.word 0
	.quad 0
