/* SPDX-License-Identifier: MIT */
/*
 * The KVM backend's instruction-length decoder (src/backend/kvm_insn.c):
 * KVM completes a write to a page with no memslot before it exits, and
 * the intercept message must name the instruction that did it (spec.md
 * §11.4).  No KVM needed: the decoder is plain code, linked in alone.
 */
#include "t.h"

#include "kvm_insn.h"

/* The n bytes before RIP: code right-aligned in a 15-byte window whose
 * front is filled with pad. */
static unsigned before(const uint8_t *code, unsigned len, uint8_t pad,
		       struct kvm_insn_ctx *c)
{
	uint8_t b[15];

	memset(b, pad, sizeof(b));
	memcpy(b + 15 - len, code, len);
	return kvm_insn_before(b, 15, c);
}

TEST(kvm_insn_lengths_forward)
{
	static const struct {
		uint8_t b[15];
		unsigned n, mode, len;
	} cases[] = {
		{ { 0x89, 0x07 }, 2, 64, 2 },			/* mov [rdi], eax    */
		{ { 0x48, 0x89, 0x07 }, 3, 64, 3 },		/* mov [rdi], rax    */
		{ { 0xC7, 0x05, 1, 2, 3, 4, 5, 6, 7, 8 }, 10, 64, 10 }, /* mov [rip+d], imm32 */
		{ { 0x88, 0x44, 0x24, 0x08 }, 4, 64, 4 },	/* mov [rsp+8], al   */
		{ { 0xA2, 0x00, 0x80 }, 3, 16, 3 },		/* mov [0x8000], al  */
		{ { 0xA2, 0, 0, 0, 0, 0, 0, 0, 0 }, 9, 64, 9 }, /* moffs64          */
		{ { 0xC7, 0x06, 0x00, 0x80, 0x34, 0x12 }, 6, 16, 6 },	/* mov word [0x8000] */
		{ { 0x66, 0xC7, 0x06, 0x00, 0x80, 1, 2, 3, 4 }, 9, 16, 9 }, /* 66: dword */
		{ { 0x0F, 0xB1, 0x0F }, 3, 64, 3 },		/* cmpxchg [rdi], ecx */
		{ { 0xF3, 0xAB }, 2, 64, 2 },			/* rep stosd         */
		{ { 0xE6, 0xE9 }, 2, 64, 2 },			/* out 0xE9, al      */
		{ { 0xF6, 0x07, 0x01 }, 3, 64, 3 },		/* test byte [rdi], 1 */
		{ { 0x89 }, 1, 64, 0 },				/* cut short         */
		{ { 0xC5, 0xF9, 0x7F, 0x07 }, 4, 64, 0 },	/* VEX: not decoded  */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_MSG(kvm_insn_length(cases[i].b, cases[i].n, cases[i].mode) ==
			  cases[i].len, "case %zu: length %u, want %u", i,
			  kvm_insn_length(cases[i].b, cases[i].n, cases[i].mode),
			  cases[i].len);
}

TEST(kvm_insn_before_matches_the_faulting_address)
{
	struct kvm_insn_ctx c = { .mode = 64, .end = 0x401003 };
	static const uint8_t rex_mov[] = { 0x48, 0x89, 0x07 };

	/* RDI names the page offset that faulted: the REX prefix belongs to
	 * the instruction (without it the store would be 32-bit). */
	c.gpr[7] = 0x7008;
	c.fault_gpa = 0x123008;
	CHECK_EQ(before(rex_mov, 3, 0x90, &c), 3);
	/* Another offset: no instruction ending here wrote there. */
	c.fault_gpa = 0x123010;
	CHECK_EQ(before(rex_mov, 3, 0x90, &c), 0);

	/* Real mode: DS's base counts; zero padding before the store decodes
	 * as "add [bp+si+disp16], ah" too, told apart by its address. */
	struct kvm_insn_ctx r = { .mode = 16, .end = 0x1003 };
	static const uint8_t moffs[] = { 0xA2, 0x00, 0x80 };

	r.seg_base[3] = 0x10000;	/* DS = 0x1000 */
	r.gpr[5] = 0x10;		/* BP */
	r.gpr[6] = 0x24;		/* SI */
	r.fault_gpa = 0x18000;
	CHECK_EQ(before(moffs, 3, 0x00, &r), 3);

	/* RIP-relative: the address counts from the instruction's end. */
	static const uint8_t riprel[] = { 0x89, 0x05, 0x00, 0x01, 0x00, 0x00 };

	c.end = 0x401006;
	c.fault_gpa = 0x9000 + ((0x401006 + 0x100) & 0xFFF);
	CHECK_EQ(before(riprel, 6, 0x90, &c), 6);

	/* A string store's address is RDI before it moved: taken when no
	 * operand matches. */
	static const uint8_t stos[] = { 0xF3, 0xAA };

	c.fault_gpa = 0x5555;
	CHECK_EQ(before(stos, 2, 0x90, &c), 2);
}
