/* SPDX-License-Identifier: MIT */
/*
 * guest_synic: SynIC messages and events arriving as interrupts (spec.md
 * §11.3).  Entry: RDI = messages to wait for, RSI = the event flags of
 * SINT KG_EVT_SINT to wait for (a mask of flags 0-63), RDX = interrupts
 * of vector KG_IRQ_VECTOR to wait for.  It enables the
 * xAPIC and its SynIC (SIM at KG_SIMP, SIEF at KG_SIEFP, SINT
 * KG_MSG_SINT -> KG_MSG_VECTOR, SINT KG_EVT_SINT -> KG_EVT_VECTOR),
 * reports KG_READY, then sleeps in `sti; hlt` until both are in.
 * The message handler counts, sums payload[0], keeps the last message
 * type, frees the slot and writes EOM; the event handler takes the flags
 * with an atomic exchange; the third counts.  All EOI the LAPIC.  Reports
 * at the end: messages, payload sum, last type, flags seen, event
 * interrupts, KG_IRQ_VECTOR interrupts, KG_DONE.
 */
#include "macros.h"

#define SLOT		(KG_SIMP + KG_MSG_SINT * 256)
#define FLAGS		(KG_SIEFP + KG_EVT_SINT * 256)

	kg_header entry
	kg_exc_vectors
	.quad KG_MSG_VECTOR, msg_isr
	.quad KG_EVT_VECTOR, evt_isr
	.quad KG_IRQ_VECTOR, irq_isr
	kg_header_end

entry:
	mov %rdi, %r12
	mov %rsi, %r13
	mov %rdx, %r14
	/* The APIC page is above 2 GiB: no 32-bit absolute address. */
	mov $KG_APIC_SVR, %eax
	movl $0x1FF, (%rax)
	wrmsr_imm KG_MSR_SIMP, KG_SIMP | 1
	wrmsr_imm KG_MSR_SIEFP, KG_SIEFP | 1
	wrmsr_imm KG_MSR_SINT0 + KG_MSG_SINT, KG_MSG_VECTOR
	wrmsr_imm KG_MSR_SINT0 + KG_EVT_SINT, KG_EVT_VECTOR
	wrmsr_imm KG_MSR_SCONTROL, 1
	report $KG_READY

1:	cli
	cmp %r12, msgs(%rip)
	jb 2f
	cmp %r14, irqs(%rip)
	jb 2f
	cmp %r13, flags(%rip)
	je 3f
2:	sti
	hlt
	jmp 1b

3:	report msgs(%rip)
	report sum(%rip)
	report type(%rip)
	report flags(%rip)
	report evts(%rip)
	report irqs(%rip)
	report $KG_DONE
4:	cli
	hlt
	jmp 4b

msg_isr:
	push %rax
	push %rcx
	push %rdx
	incq msgs(%rip)
	mov SLOT + 16, %rax
	add %rax, sum(%rip)
	mov SLOT, %eax
	mov %rax, type(%rip)
	movl $0, SLOT
	xor %eax, %eax
	xor %edx, %edx
	mov $KG_MSR_EOM, %ecx
	wrmsr
	mov $KG_APIC_EOI, %eax
	movl $0, (%rax)
	pop %rdx
	pop %rcx
	pop %rax
	iretq

evt_isr:
	push %rax
	incq evts(%rip)
	xor %eax, %eax
	xchg %rax, FLAGS
	or %rax, flags(%rip)
	mov $KG_APIC_EOI, %eax
	movl $0, (%rax)
	pop %rax
	iretq

irq_isr:
	push %rax
	incq irqs(%rip)
	mov $KG_APIC_EOI, %eax
	movl $0, (%rax)
	pop %rax
	iretq

	kg_exc_handlers

	.balign 8
msgs:	.quad 0
sum:	.quad 0
type:	.quad 0
flags:	.quad 0
evts:	.quad 0
irqs:	.quad 0
