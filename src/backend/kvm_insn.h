/* SPDX-License-Identifier: MIT */
/* x86 instruction lengths (kvm_insn.c).  mode: 16, 32 or 64. */
#ifndef OHV_KVM_INSN_H
#define OHV_KVM_INSN_H

#include <stdint.h>

/* The length of the instruction at bytes[0..n), 0 when not decoded. */
unsigned kvm_insn_length(const uint8_t *bytes, unsigned n, unsigned mode);

/* The length of the longest instruction with a memory operand that ends
 * exactly at bytes + n, 0 when none decodes. */
unsigned kvm_insn_before(const uint8_t *bytes, unsigned n, unsigned mode);

#endif /* OHV_KVM_INSN_H */
