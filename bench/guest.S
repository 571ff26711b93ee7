/* SPDX-License-Identifier: MIT */
/*
 * The benchmark guests (bench/guest.h): 64-bit ring-0 code that the host
 * copies to BG_CODE, so it refers to itself only RIP-relative.  Guest
 * ring-0 code may run in KVM's instruction emulator on PVM machines
 * (kvm-facts §0): the loops are a few instructions.
 *
 * bg_hcall: RDI flags, RSI calls, RDX the HvSignalEvent input.  Sets up
 * the hypercall page (unless BG_RAW), reports, then makes RSI fast
 * HvSignalEvent calls through the page and reports again with RAX = the
 * last call's result.
 *
 * bg_pp: RDI flags, RSI round trips, RDX the connection id to post to.
 * Turns on the xAPIC and (unless BG_RAW) its SynIC with SINT BG_SINT on
 * BG_VECTOR, reports, and (BG_INIT) posts the first message; then sleeps
 * in `sti; hlt`.  bg_isr takes each message: frees the SIM slot, writes
 * EOM only when the message-pending flag says so (as Linux's VMBus
 * does), EOIs and posts the reply, the starting side until it has had
 * RSI replies.  At the end it reports RAX = messages taken, RCX = the
 * last failed post's result (0: none failed).
 */
#include "guest.h"

#define SLOT	(BG_SIM + BG_SINT * 256)

/* wrmsr of a 64-bit immediate. */
.macro wrmsr_imm msr, value
	mov $\msr, %ecx
	mov $((\value) & 0xFFFFFFFF), %eax
	mov $((\value) >> 32), %edx
	wrmsr
.endm

	.section .rodata.bench_guest, "a"
	.code64
	.balign 16
	.globl bg_code, bg_code_end, bg_hcall, bg_pp, bg_isr
bg_code:

bg_hcall:
	mov %rsi, %r13
	mov %rdx, %r12
	test $BG_RAW, %edi
	jnz 1f
	wrmsr_imm BG_MSR_GUEST_OS_ID, BG_GUEST_OS_ID
	wrmsr_imm BG_MSR_HYPERCALL, BG_HCALL | 1
1:	out %eax, $BG_PORT
	mov $BG_HCALL, %ebx
2:	mov $(BG_CALL_SIGNAL_EVENT | BG_CALL_FAST), %ecx
	mov %r12, %rdx
	xor %r8d, %r8d
	call *%rbx
	dec %r13
	jnz 2b
	out %eax, $BG_PORT
3:	cli
	hlt
	jmp 3b

bg_pp:
	mov %rdi, flags(%rip)
	mov %rsi, rounds(%rip)
	/* HvPostMessage's input: connection id, type 1, 8 bytes. */
	mov %edx, BG_IN
	movl $0, BG_IN + 4
	movl $1, BG_IN + 8
	movl $8, BG_IN + 12
	mov $BG_APIC_SVR, %eax
	movl $0x1FF, (%rax)
	test $BG_RAW, %edi
	jnz 1f
	wrmsr_imm BG_MSR_GUEST_OS_ID, BG_GUEST_OS_ID
	wrmsr_imm BG_MSR_HYPERCALL, BG_HCALL | 1
	wrmsr_imm BG_MSR_SIMP, BG_SIM | 1
	wrmsr_imm BG_MSR_SINT0 + BG_SINT, BG_VECTOR
	wrmsr_imm BG_MSR_SCONTROL, 1
1:	out %eax, $BG_PORT
	testq $BG_INIT, flags(%rip)
	jz 2f
	call post
2:	cli
	mov taken(%rip), %rax
	cmp rounds(%rip), %rax
	jae 3f
	sti
	hlt
	jmp 2b
3:	mov failed(%rip), %rcx
	out %eax, $BG_PORT
4:	cli
	hlt
	jmp 4b

/* HvPostMessage of the input page; a failure is kept in `failed`. */
post:
	mov $BG_CALL_POST_MESSAGE, %ecx
	mov $BG_IN, %edx
	xor %r8d, %r8d
	mov $BG_HCALL, %eax
	call *%rax
	test %ax, %ax
	jz 1f
	mov %rax, failed(%rip)
1:	ret

bg_isr:
	push %rax
	push %rcx
	push %rdx
	push %r8
	incq taken(%rip)
	mov taken(%rip), %rax
	mov %rax, BG_IN + 16
	testq $BG_RAW, flags(%rip)
	jnz 1f
	movzbl SLOT + 5, %ecx
	movl $0, SLOT
	test $BG_MSG_FLAG_PENDING, %cl
	jz 1f
	xor %eax, %eax
	xor %edx, %edx
	mov $BG_MSR_EOM, %ecx
	wrmsr
1:	mov $BG_APIC_EOI, %eax
	movl $0, (%rax)
	testq $BG_INIT, flags(%rip)
	jz 2f
	mov taken(%rip), %rax
	cmp rounds(%rip), %rax
	jae 3f
2:	call post
3:	pop %r8
	pop %rdx
	pop %rcx
	pop %rax
	iretq

	.balign 8
flags:	.quad 0
rounds:	.quad 0
taken:	.quad 0
failed:	.quad 0
bg_code_end:

	.section .note.GNU-stack, "", @progbits
