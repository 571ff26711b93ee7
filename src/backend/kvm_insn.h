/* SPDX-License-Identifier: MIT */
/* x86 instruction lengths (kvm_insn.c).  mode: 16, 32 or 64. */
#ifndef OHV_KVM_INSN_H
#define OHV_KVM_INSN_H

#include <stdbool.h>
#include <stdint.h>

/* The length of the instruction at bytes[0..n), 0 when not decoded. */
unsigned kvm_insn_length(const uint8_t *bytes, unsigned n, unsigned mode);

/* What kvm_insn_before knows of the guest at the exit. */
struct kvm_insn_ctx {
	unsigned mode;
	uint64_t gpr[16];	/* RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-15 */
	uint64_t seg_base[6];	/* ES, CS, SS, DS, FS, GS */
	uint64_t end;		/* RIP past the instruction */
	uint64_t fault_gpa;
};

/*
 * The length of the longest instruction that ends exactly at bytes + n
 * (the n bytes before RIP) and whose memory operand is at fault_gpa's
 * page offset; else of a string instruction ending there; else 0.
 */
unsigned kvm_insn_before(const uint8_t *bytes, unsigned n,
			 const struct kvm_insn_ctx *c);

/*
 * The linear address of the memory operand of the instruction at
 * bytes[0..n), at RIP rip, the registers in c (c->end unused): false when
 * it has none, or one only its execution tells (a string instruction).
 */
bool kvm_insn_operand(const uint8_t *bytes, unsigned n,
		      const struct kvm_insn_ctx *c, uint64_t rip,
		      uint64_t *addr);

#endif /* OHV_KVM_INSN_H */
