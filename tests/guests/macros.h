/* SPDX-License-Identifier: MIT */
/*
 * Assembler macros every test guest uses: the image header, reports
 * through port KG_PORT, and exception handlers that report the vector,
 * error code, RIP and CS of the frame.  A guest includes this first.
 * Guest ring-0 code may be emulated one instruction at a time
 * (kvm-facts §0), so everything here is short.
 */
#ifndef OHV_TEST_GUESTS_MACROS_H
#define OHV_TEST_GUESTS_MACROS_H

#include "layout.h"

	.code64
	.text

/* The header: magic and entry point; the (vector, handler) pairs follow
 * (kg_exc_vectors, then the guest's own), ended by kg_header_end. */
.macro kg_header entry
	.quad KG_MAGIC, \entry
.endm
.macro kg_header_end
	.quad KG_HDR_END, 0
.endm

/* Report src (anything mov takes into RAX). */
.macro report src
	mov \src, %rax
	out %eax, $KG_PORT
.endm

/* One handler per exception vector 0-31: vectors with an error code get
 * the CPU's; the others push 0 in its place. */
.macro kg_exc_stub v
kg_exc_\v:
	.if (\v == 8) || ((\v >= 10) && (\v <= 14)) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
	.else
	push $0
	.endif
	push $\v
	jmp kg_exc_common
.endm

.macro kg_exc_vectors
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad \v, kg_exc_\v
	.endr
.endm

/*
 * The handlers and their common part: report, then either return past
 * the faulting instruction (kg_resume_skip bytes, when not 0) or stop in
 * `cli; hlt`.
 */
.macro kg_exc_handlers
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	kg_exc_stub \v
	.endr
kg_exc_common:
	push %rax
	mov $KG_EXC, %rax
	or 8(%rsp), %rax
	out %eax, $KG_PORT
	report 16(%rsp)
	report 24(%rsp)
	report 32(%rsp)
	mov kg_resume_skip(%rip), %rax
	test %rax, %rax
	jz 1f
	add %rax, 24(%rsp)
	pop %rax
	add $16, %rsp
	iretq
1:	cli
	hlt
	jmp 1b
	.balign 8
kg_resume_skip:
	.quad 0
.endm

/* wrmsr of a 64-bit immediate to MSR msr. */
.macro wrmsr_imm msr, value
	mov $\msr, %ecx
	mov $((\value) & 0xFFFFFFFF), %eax
	mov $((\value) >> 32), %edx
	wrmsr
.endm

/* rdmsr of msr into RAX, all 64 bits. */
.macro rdmsr64 msr
	mov $\msr, %ecx
	rdmsr
	shl $32, %rdx
	or %rdx, %rax
.endm

#endif /* OHV_TEST_GUESTS_MACROS_H */
