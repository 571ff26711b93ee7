/* SPDX-License-Identifier: MIT */
/*
 * The benchmark guests' world (bench/guest.S, bench/kvm.c): plain
 * #defines, so that the assembler reads it too; kvm.c checks the TLFS
 * numbers against hv.h.
 *
 * Long-mode guests (guest_hypercall, synic_ping_pong) have BG_PAGES pages
 * of RAM at GPA 0:
 *   0x1000 PML4   0x2000 PDPT   0x3000-0x6000 four PDs (2 MiB pages, 4 GiB)
 *   0x7000 GDT, 0x7100 TSS      0x8000 IDT      0x9000 hypercall page
 *   0xA000 input page           0xB000 SIM      0xC000 SIEF
 *   0xD000 the code (bg_code..bg_code_end, its variables included)
 *   0xF000 the stack (top 0x10000)
 * The real-mode guest of kvm_lifecycle and kvm_partitions_100 is two
 * instructions at the reset vector: BG_PAGES pages at BG_RESET_GPA, the
 * last page ending in `out %al, $BG_PORT; hlt` at 0xFFFFFFF0.
 */
#ifndef OHV_BENCH_GUEST_H
#define OHV_BENCH_GUEST_H

#define BG_PAGES	16
#define BG_PML4		0x1000
#define BG_PDPT		0x2000
#define BG_PD		0x3000
#define BG_GDT		0x7000
#define BG_TSS		0x7100
#define BG_IDT		0x8000
#define BG_HCALL	0x9000
#define BG_IN		0xA000
#define BG_SIM		0xB000
#define BG_SIEF		0xC000
#define BG_CODE		0xD000
#define BG_STACK_TOP	0x10000
#define BG_RESET_GPA	0xFFFF0000

#define BG_SEL_CODE	0x08
#define BG_SEL_DATA	0x10
#define BG_SEL_TSS	0x18

/* The guests' reports: `out %eax, $BG_PORT`.  The hypercall page's stub
 * is `out $BG_HC_PORT, %al; ret`; raw KVM gets the same stub in RAM. */
#define BG_PORT		0xE9
#define BG_HC_PORT	0x4F

/* Flags in RDI at entry. */
#define BG_RAW		1	/* raw KVM: no synthetic MSRs, no SIM */
#define BG_INIT		2	/* synic_ping_pong: the side that starts */

/* The SINT messages arrive on, and its vector. */
#define BG_SINT		2
#define BG_VECTOR	0x52
#define BG_APIC_SVR	0xFEE000F0
#define BG_APIC_EOI	0xFEE000B0

/* TLFS numbers (kvm.c asserts them against hv.h). */
#define BG_MSR_GUEST_OS_ID	0x40000000
#define BG_MSR_HYPERCALL	0x40000001
#define BG_MSR_SCONTROL		0x40000080
#define BG_MSR_SIMP		0x40000083
#define BG_MSR_EOM		0x40000084
#define BG_MSR_SINT0		0x40000090
#define BG_CALL_POST_MESSAGE	0x005C
#define BG_CALL_SIGNAL_EVENT	0x005D
#define BG_CALL_FAST		0x10000
#define BG_MSG_FLAG_PENDING	0x01
#define BG_GUEST_OS_ID		0x8100000000001234

#endif /* OHV_BENCH_GUEST_H */
