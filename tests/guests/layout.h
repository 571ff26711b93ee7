/* SPDX-License-Identifier: MIT */
/*
 * The test guests' world, shared by the guests (assembly, tests/guests/)
 * and the host side that builds it (tests/kvm_guest.c): the guest-physical
 * memory map, the selectors, the report port and its markers, and the
 * numbers from the TLFS the guests use.  Plain #defines only, so that the
 * assembler can read it; kvm_guest.c checks the TLFS ones against hv.h.
 *
 * Memory map (child GPAs; KG_PAGES pages from 0 are RAM, RWX):
 *   0x01000  PML4          0x07000  GDT, 0x07100 TSS    0x0A000  input page
 *   0x02000  PDPT          0x08000  IDT                 0x0B000  output page
 *   0x03000  4 PDs, 2 MiB  0x09000  hypercall page      0x0C000  SIM page
 *            pages, 4 GiB                               0x0D000  SIEF page
 *   0x0F000  ring-3 stack (top 0x10000)    0x10000  the image (header first)
 *   0x1E000  ring-0 stack (top 0x20000)
 *   0x30000  a read-only page, mapped by the tests that want one
 *   0x40000  never mapped (inside the page tables' identity map)
 */
#ifndef OHV_TEST_GUESTS_LAYOUT_H
#define OHV_TEST_GUESTS_LAYOUT_H

#define KG_PML4		0x1000
#define KG_PDPT		0x2000
#define KG_PD		0x3000
#define KG_GDT		0x7000
#define KG_TSS		0x7100
#define KG_IDT		0x8000
#define KG_HCALL	0x9000
#define KG_IN		0xA000
#define KG_OUT		0xB000
#define KG_SIMP		0xC000
#define KG_SIEFP	0xD000
#define KG_USTACK_TOP	0x10000
#define KG_IMAGE	0x10000
#define KG_IMAGE_MAX	0xE000
#define KG_STACK_TOP	0x20000
#define KG_PAGES	32
#define KG_RO_PAGE	0x30000
#define KG_UNMAPPED	0x40000

/* GDT selectors: 64-bit ring-0 code and data, ring-3 data and code, TSS. */
#define KG_SEL_CODE	0x08
#define KG_SEL_DATA	0x10
#define KG_SEL_UDATA	0x1B
#define KG_SEL_UCODE	0x23
#define KG_SEL_TSS	0x28

/* The xAPIC page (emulated by KVM's in-kernel LAPIC, no GPA mapping). */
#define KG_APIC_SVR	0xFEE000F0
#define KG_APIC_EOI	0xFEE000B0

/*
 * Reports: `out %eax, $KG_PORT` with the value in all of RAX (the I/O
 * intercept message carries RAX whole).  The image starts with a header:
 * KG_MAGIC, the entry point, then (vector, handler) pairs for the IDT up
 * to a vector of KG_HDR_END.
 */
#define KG_PORT		0xE9
#define KG_MAGIC	0x54534555475648	/* "HVGUEST" */
#define KG_HDR_END	0xFFFF
/* An exception report: KG_EXC | vector, then the error code (0 when the
 * vector has none), RIP and CS of the frame. */
#define KG_EXC		0x4558430000000000	/* "EXC" */
/* Steps and the end of a guest's work. */
#define KG_STEP		0x5354500000000000	/* "STP" | n */
#define KG_READY	0x5245414459000000	/* "READY" */
#define KG_DONE		0x444f4e4500000000	/* "DONE" */

/* What guest_fault does, by RDI at entry. */
#define KG_FAULT_MSR		0	/* reserved bits, unknown MSRs: #GP */
#define KG_FAULT_USER_HCALL	1	/* a hypercall from CPL 3: #UD */
#define KG_FAULT_BAD_GPA	2	/* hypercalls with bad GPAs: statuses */
#define KG_FAULT_UNMAPPED	3	/* read, write, run unmapped GPAs */
#define KG_FAULT_READ_ONLY	4	/* write a read-only page */
#define KG_FAULT_TRIPLE		5	/* no IDT, then #UD */
#define KG_FAULT_HALT		6	/* cli; hlt */
#define KG_FAULT_SLEEP		7	/* sti; hlt forever */
#define KG_FAULT_NO_PRIV	8	/* MSRs without their privileges */
#define KG_FAULT_MSR_ICPT	9	/* rdmsr, wrmsr of KERNEL_GS_BASE */

/* guest_synic: the SINTs its ports target and their vectors. */
#define KG_MSG_SINT	2
#define KG_MSG_VECTOR	0x52
#define KG_EVT_SINT	3
#define KG_EVT_VECTOR	0x53
/* ... and the vector of interrupts asserted with HvAssertVirtualInterrupt. */
#define KG_IRQ_VECTOR	0x60

/* TLFS numbers (hv.h spells them; kvm_guest.c asserts they agree). */
#define KG_MSR_GUEST_OS_ID	0x40000000
#define KG_MSR_HYPERCALL	0x40000001
#define KG_MSR_VP_INDEX		0x40000002
#define KG_MSR_SCONTROL		0x40000080
#define KG_MSR_SIEFP		0x40000082
#define KG_MSR_SIMP		0x40000083
#define KG_MSR_EOM		0x40000084
#define KG_MSR_SINT0		0x40000090
#define KG_CALL_GET_PARTITION_ID	0x0046
#define KG_CALL_GET_VP_REGISTERS	0x0050
#define KG_CALL_SIGNAL_EVENT		0x005D
#define KG_CALL_FAST		0x10000
#define KG_REP_COUNT_1		0x100000000
#define KG_REG_GUEST_OS_ID	0x00090002
/* The guest OS id the guests write (TLFS: bit 63 open source, vendor 0). */
#define KG_GUEST_OS_ID		0x8100000000001234

#endif /* OHV_TEST_GUESTS_LAYOUT_H */
