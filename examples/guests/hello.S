/* SPDX-License-Identifier: MIT */
/*
 * hello: the smallest guest that shows a partition running on openhv.
 * 16-bit real mode, loaded and entered at GPA 0x1000 with CS = 0 (see
 * examples/guest-hello.ohv).  It asks CPUID leaf 0x40000000 for the
 * hypervisor's vendor signature ("Microsoft Hv", spec.md §11.3), reads its
 * VP index from the synthetic MSR 0x40000002 (AccessVpIndex is a default
 * child privilege, spec.md §4.3), writes " vp N\n" after the signature to
 * I/O port 0xE9 one byte at a time, and halts with interrupts off.  Each
 * `out` stops the VP for its parent with an I/O port intercept; the HLT
 * stops it with HVMSG_X64_HALT (nothing can wake it).
 */
	.code16
	.text
	.globl	start
start:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	cld

	mov	$0x40000000, %eax	/* HV_CPUID_VENDOR_AND_MAX */
	cpuid
	mov	%ebx, msg		/* "Micr" "osof" "t Hv" */
	mov	%ecx, msg + 4
	mov	%edx, msg + 8

	mov	$0x40000002, %ecx	/* HV_X64_MSR_VP_INDEX */
	rdmsr
	cmp	$9, %eax
	ja	1f			/* one digit is all it prints */
	add	$'0', %al
	mov	%al, digit
1:
	mov	$msg, %si
2:	lodsb
	test	%al, %al
	jz	3f
	out	%al, $0xE9
	jmp	2b

3:	cli
	hlt
	jmp	3b

msg:	.space	12, '?'
	.ascii	" vp "
digit:	.byte	'?'
	.byte	'\n', 0
