/* SPDX-License-Identifier: MIT */
/*
 * guest_hv: the Hyper-V interface as a guest sees it (spec.md §11.3).
 * Entry: RSI and RDI = HvSignalEvent inputs (connection id | flag << 32)
 * of a connection the host made for this partition.  Reports, in order:
 *   CPUID 0x40000000-0x40000006: EAX, EBX, ECX, EDX of each leaf
 *   GUEST_OS_ID read back after writing KG_GUEST_OS_ID
 *   HYPERCALL read back after enabling the page at KG_HCALL
 *   the hypercall page's first 8 bytes
 *   VP_INDEX
 *   HvGetPartitionId, memory output at KG_OUT: RAX, the id
 *   HvGetPartitionId, fast: RAX, RDX (the output register)
 *   HvSignalEvent, fast (RDX = RSI at entry): RAX
 *   HvSignalEvent, its input (RDI at entry) at KG_IN: RAX
 *   HvGetVpRegisters, XMM-fast, of its own GuestOsId: RAX, XMM1 low,
 *     XMM1 high, XMM0 low (input, left as it was)
 *   KG_DONE, then `cli; hlt`.
 */
#include "macros.h"

	kg_header entry
	kg_exc_vectors
	kg_header_end

entry:
	mov %rsi, %r12
	mov %rdi, %r13
	mov $0x40000000, %esi
1:	mov %esi, %eax
	xor %ecx, %ecx
	cpuid
	out %eax, $KG_PORT
	report %rbx
	report %rcx
	report %rdx
	inc %esi
	cmp $0x40000006, %esi
	jbe 1b

	wrmsr_imm KG_MSR_GUEST_OS_ID, KG_GUEST_OS_ID
	rdmsr64 KG_MSR_GUEST_OS_ID
	out %eax, $KG_PORT
	wrmsr_imm KG_MSR_HYPERCALL, KG_HCALL | 1
	rdmsr64 KG_MSR_HYPERCALL
	out %eax, $KG_PORT
	report KG_HCALL
	rdmsr64 KG_MSR_VP_INDEX
	out %eax, $KG_PORT

	/* HvGetPartitionId: no input, 8 bytes of output. */
	movq $0, KG_OUT
	mov $KG_CALL_GET_PARTITION_ID, %ecx
	mov $KG_IN, %edx
	mov $KG_OUT, %r8d
	call KG_HCALL
	out %eax, $KG_PORT
	report KG_OUT

	/* The same, fast: the output in RDX, the first register pair. */
	mov $(KG_CALL_GET_PARTITION_ID | KG_CALL_FAST), %ecx
	xor %edx, %edx
	xor %r8d, %r8d
	call KG_HCALL
	out %eax, $KG_PORT
	report %rdx

	/* HvSignalEvent, fast: the 8-byte input in RDX. */
	mov $(KG_CALL_SIGNAL_EVENT | KG_CALL_FAST), %ecx
	mov %r12, %rdx
	xor %r8d, %r8d
	call KG_HCALL
	out %eax, $KG_PORT

	/* HvSignalEvent, memory-based: the input read from KG_IN. */
	mov %r13, KG_IN
	mov $KG_CALL_SIGNAL_EVENT, %ecx
	mov $KG_IN, %edx
	xor %r8d, %r8d
	call KG_HCALL
	out %eax, $KG_PORT

	/* HvGetVpRegisters, XMM-fast, rep count 1: the header in RDX and R8
	 * (partition SELF, VP SELF, InputVtl 0), the name in XMM0, the
	 * value in XMM1 (input rounded up to 32 bytes). */
	mov $(KG_CALL_GET_VP_REGISTERS | KG_CALL_FAST | KG_REP_COUNT_1), %rcx
	mov $-1, %rdx
	mov $0xFFFFFFFE, %r8d
	movdqu xmm_name(%rip), %xmm0
	movdqu xmm_fill(%rip), %xmm1
	call KG_HCALL
	out %eax, $KG_PORT
	movdqu %xmm1, xmm_out(%rip)
	report xmm_out(%rip)
	report xmm_out+8(%rip)
	movdqu %xmm0, xmm_out(%rip)
	report xmm_out(%rip)

	report $KG_DONE
2:	cli
	hlt
	jmp 2b

	kg_exc_handlers

/* XMM registers are loaded and stored with movdqu only: at CPL 0 the
 * guest may run in KVM's instruction emulator, which knows few SSE
 * instructions (kvm-facts §0). */
	.balign 16
xmm_name:
	.quad KG_REG_GUEST_OS_ID, 0
xmm_fill:
	.quad 0xA5A5A5A5A5A5A5A5, 0xA5A5A5A5A5A5A5A5
xmm_out:
	.quad 0, 0
