/* SPDX-License-Identifier: MIT */
/*
 * x86 instruction lengths, for intercept messages (spec.md §11.4).  KVM
 * completes a guest's write to a page with no memslot before it exits, so
 * RIP is already past the instruction; the message must name the
 * instruction itself.  kvm_insn_before() finds the longest instruction
 * that ends exactly at RIP and whose memory operand is the address that
 * faulted (to its page offset: the guest's page tables are not walked).  It decodes the general
 * purpose encodings (legacy prefixes, REX, the one-byte map and the 0F,
 * 0F38 and 0F3A maps); VEX and EVEX encodings are not decoded.
 */
#include "kvm_insn.h"

#include <stdbool.h>
#include <string.h>

/* One-byte opcodes with a ModRM byte: a bit per opcode. */
static bool modrm1(uint8_t op)
{
	if (op < 0x40)
		return (op & 7) < 4;
	switch (op) {
	case 0x62: case 0x63: case 0x69: case 0x6B:
	case 0xC0: case 0xC1: case 0xC4: case 0xC5: case 0xC6: case 0xC7:
	case 0xD0: case 0xD1: case 0xD2: case 0xD3:
	case 0xF6: case 0xF7: case 0xFE: case 0xFF:
		return true;
	default:
		return (op >= 0x80 && op <= 0x8F) || (op >= 0xD8 && op <= 0xDF);
	}
}

/* 0F-map opcodes without a ModRM byte. */
static bool no_modrm2(uint8_t op)
{
	switch (op) {
	case 0x05: case 0x06: case 0x07: case 0x08: case 0x09: case 0x0B:
	case 0x0E: case 0x77: case 0xA0: case 0xA1: case 0xA2: case 0xA8:
	case 0xA9: case 0xAA:
		return true;
	default:
		return (op >= 0x30 && op <= 0x37) || (op >= 0x80 && op <= 0x8F) ||
		       (op >= 0xC8 && op <= 0xCF);
	}
}

struct decode {
	unsigned len;
	bool mem;		/* has a memory operand */
	bool ea_known;		/* its address follows from the fields below */
	bool rip_rel;
	int seg;		/* segment override, or -1 */
	unsigned asz;		/* address size in bytes */
	int base, index;	/* register numbers, -1 for none */
	unsigned scale;
	int64_t disp;
	bool bp_base;		/* addressed through RBP/RSP: SS by default */
};

static int64_t le(const uint8_t *b, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)b[i] << (8 * i);
	/* sign-extend */
	if (n && n < 8 && (v >> (8 * n - 1) & 1))
		v |= ~0ull << (8 * n);
	return (int64_t)v;
}

/* Decode the instruction at b (n bytes readable); len 0 when unknown. */
static struct decode decode(const uint8_t *b, unsigned n, unsigned mode)
{
	struct decode d = { .seg = -1, .base = -1, .index = -1 };
	unsigned i = 0, osz = mode == 16 ? 2 : 4, asz = mode / 8;
	bool rex_w = false;
	unsigned rex = 0;

	for (; i < n && i < 14; i++) {
		uint8_t p = b[i];

		if (p == 0x26 || p == 0x2E || p == 0x36 || p == 0x3E)
			d.seg = (p >> 3) & 3;	/* ES, CS, SS, DS */
		else if (p == 0x64 || p == 0x65)
			d.seg = p - 0x64 + 4;	/* FS, GS */
		if (p == 0x66)
			osz = mode == 16 ? 4 : 2;
		else if (p == 0x67)
			asz = mode == 64 ? 4 : mode == 32 ? 2 : 4;
		else if (p != 0xF0 && p != 0xF2 && p != 0xF3 && p != 0x2E &&
			 p != 0x36 && p != 0x3E && p != 0x26 && p != 0x64 &&
			 p != 0x65)
			break;
	}
	if (mode == 64 && i < n && (b[i] & 0xF0) == 0x40) {
		rex = b[i++];
		rex_w = rex & 8;
	}
	if (rex_w)
		osz = 8;
	if (i >= n)
		return d;
	uint8_t op = b[i++];
	bool has_modrm;
	unsigned imm = 0;
	unsigned iz = osz == 2 ? 2 : 4;

	if (op == 0x0F) {
		if (i >= n)
			return d;
		uint8_t op2 = b[i++];

		if (op2 == 0x38 || op2 == 0x3A) {
			if (i >= n)
				return d;
			i++;
			has_modrm = true;
			imm = op2 == 0x3A;
		} else {
			has_modrm = !no_modrm2(op2);
			if (op2 >= 0x80 && op2 <= 0x8F)
				imm = iz;
			else if ((op2 >= 0x70 && op2 <= 0x73) || op2 == 0xA4 ||
				 op2 == 0xAC || op2 == 0xBA || op2 == 0xC2 ||
				 (op2 >= 0xC4 && op2 <= 0xC6))
				imm = 1;
		}
	} else {
		if (op == 0xC4 || op == 0xC5 || op == 0x62 || op == 0x8F) {
			/* VEX, EVEX and XOP in 64-bit mode: not decoded. */
			if (mode == 64 && op != 0x8F)
				return d;
		}
		has_modrm = modrm1(op);
		if (op < 0x40 && (op & 7) == 4)
			imm = 1;
		else if (op < 0x40 && (op & 7) == 5)
			imm = iz;
		else if (op == 0x68 || op == 0x69 || op == 0x81 || op == 0xA9 ||
			 op == 0xC7 || op == 0xE8 || op == 0xE9)
			imm = iz;
		else if (op == 0x6A || op == 0x6B || (op >= 0x70 && op <= 0x7F) ||
			 op == 0x80 || op == 0x82 || op == 0x83 || op == 0xA8 ||
			 (op >= 0xB0 && op <= 0xB7) || op == 0xC0 || op == 0xC1 ||
			 op == 0xC6 || op == 0xCD || op == 0xD4 || op == 0xD5 ||
			 (op >= 0xE0 && op <= 0xE7) || op == 0xEB)
			imm = 1;
		else if (op >= 0xB8 && op <= 0xBF)
			imm = osz;
		else if (op == 0xC2 || op == 0xCA)
			imm = 2;
		else if (op == 0xC8)
			imm = 3;
		else if (op >= 0xA0 && op <= 0xA3) {
			imm = asz;	/* moffs */
			d.mem = true;
			if (i + asz <= n) {
				d.ea_known = true;
				d.disp = (int64_t)((uint64_t)le(b + i, asz) &
					 (asz == 8 ? ~0ull : (1ull << (8 * asz)) - 1));
			}
		} else if (op >= 0xA4 && op <= 0xAF && op != 0xA8 && op != 0xA9)
			d.mem = true;	/* string instructions */
	}
	if (has_modrm) {
		if (i >= n)
			return d;
		uint8_t m = b[i++];
		unsigned mod = m >> 6, rm = m & 7, reg = (m >> 3) & 7;

		/* F6/F7 /0 and /1 (TEST) carry an immediate. */
		if ((op == 0xF6 || op == 0xF7) && reg < 2)
			imm = op == 0xF6 ? 1 : iz;
		if (mod != 3) {
			d.mem = true;
			d.ea_known = true;
			if (asz == 2) {
				/* BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP, BX */
				static const int b16[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };
				static const int x16[8] = { 6, 7, 6, 7, -1, -1, -1, -1 };
				unsigned dl = mod == 1 ? 1 : mod == 2 ||
					      (mod == 0 && rm == 6) ? 2 : 0;

				d.base = mod == 0 && rm == 6 ? -1 : b16[rm];
				d.index = x16[rm];
				d.bp_base = d.base == 5;
				if (i + dl > n)
					return d;
				d.disp = dl == 2 && mod == 0 ?
					 (int64_t)(uint16_t)le(b + i, 2) : le(b + i, dl);
				i += dl;
			} else {
				unsigned dl = mod == 1 ? 1 : mod == 2 ? 4 : 0;

				d.base = (int)(rm | (rex & 1) << 3);
				if (rm == 4) {
					if (i >= n)
						return d;
					uint8_t sib = b[i++];
					unsigned sb = sib & 7, sx = (sib >> 3) & 7;

					d.scale = 1u << (sib >> 6);
					d.index = sx == 4 && !(rex & 2) ? -1 :
						  (int)(sx | (rex & 2) << 2);
					d.base = (int)(sb | (rex & 1) << 3);
					if (sb == 5 && mod == 0) {
						d.base = -1;
						dl = 4;
					}
				} else if (rm == 5 && mod == 0) {
					d.base = -1;
					d.rip_rel = mode == 64;
					dl = 4;
				}
				d.bp_base = (d.base & 7) == 4 || (d.base & 7) == 5;
				if (i + dl > n)
					return d;
				d.disp = le(b + i, dl);
				i += dl;
			}
		}
	}
	i += imm;
	if (i > 15 || i > n)
		return d;
	d.len = i;
	d.asz = asz;
	return d;
}

/* The linear address a decoded memory operand names. */
static uint64_t linear(const struct decode *d, const struct kvm_insn_ctx *c,
		       uint64_t end)
{
	uint64_t ea = (uint64_t)d->disp;

	if (d->base >= 0)
		ea += c->gpr[d->base];
	if (d->index >= 0)
		ea += c->gpr[d->index] * (d->scale ? d->scale : 1);
	if (d->rip_rel)
		ea += end;
	if (d->asz == 2)
		ea &= 0xFFFF;
	else if (d->asz == 4)
		ea &= 0xFFFFFFFFu;
	int seg = d->seg >= 0 ? d->seg : d->bp_base ? 2 : 3;

	/* In 64-bit mode only FS and GS have a base. */
	if (c->mode != 64 || seg >= 4)
		ea += c->seg_base[seg];
	return ea;
}

unsigned kvm_insn_before(const uint8_t *bytes, unsigned n,
			 const struct kvm_insn_ctx *c)
{
	unsigned fallback = 0;

	for (unsigned len = n < 15 ? n : 15; len > 0; len--) {
		struct decode d = decode(bytes + n - len, len, c->mode);

		if (d.len != len || !d.mem)
			continue;
		/* The one whose operand is the address that faulted. */
		if (d.ea_known &&
		    (linear(&d, c, c->end) & 0xFFF) == (c->fault_gpa & 0xFFF))
			return len;
		if (!fallback && !d.ea_known)
			fallback = len;	/* a string instruction */
	}
	return fallback;
}

bool kvm_insn_operand(const uint8_t *bytes, unsigned n,
		      const struct kvm_insn_ctx *c, uint64_t rip,
		      uint64_t *addr)
{
	struct decode d = decode(bytes, n, c->mode);

	if (!d.len || !d.mem || !d.ea_known)
		return false;
	*addr = linear(&d, c, rip + d.len);
	return true;
}

unsigned kvm_insn_length(const uint8_t *bytes, unsigned n, unsigned mode)
{
	return decode(bytes, n, mode).len;
}
