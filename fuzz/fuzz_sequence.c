/* SPDX-License-Identifier: MIT */
/*
 * Sequences of hypercalls from several partitions and VPs.
 *
 * The input is a byte stream: byte 0 configures the instance (bit 0 arm64,
 * bit 1 two root VPs, bits 4:2 rep_limit, bits 6:5 NUMA nodes 1-8), then
 * each operation is an opcode byte and its arguments.  Arguments come from
 * small ranges so they often name live objects: partitions are picked
 * among the live ones (or a small raw id, SELF, 0), VPs 0-3, port and
 * connection ids 1-4, pages in small windows (root pages 4-259, child GPA
 * pages 0-63).  Running out of bytes reads zeros.  The checks of fz_call
 * run after every call; at the end fz_teardown must bring every frame
 * back to the root.
 */
#include "fuzz.h"

#include <stdbool.h>
#include <string.h>

#define MEM_PAGES	1024
#define MAX_OPS		256
/* Root pages the operations use; the bring-up macro takes pages from
 * MACRO_FIRST on, and the teardown pays for VPs from the top down. */
#define ROOT_WIN	4u
#define MACRO_FIRST	260u
#define MACRO_LAST	768u

struct rd {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

static uint16_t u16(struct rd *r)
{
	return (uint16_t)(u8(r) | u8(r) << 8);
}

static uint32_t u32(struct rd *r)
{
	return u16(r) | (uint32_t)u16(r) << 16;
}

static uint64_t u64(struct rd *r)
{
	return u32(r) | (uint64_t)u32(r) << 32;
}

struct seq {
	struct fz f;
	struct rd r;
	uint64_t live[64];
	size_t nlive;
	uint64_t macro_page;	/* next root page for the bring-up macro */
};

static void refresh(struct seq *s)
{
	s->nlive = ohv_partition_list(s->f.hv, s->live, 64);
	if (s->nlive > 64)
		s->nlive = 64;
}

/* A partition argument: mostly a live one, sometimes a raw id. */
static uint64_t part(struct seq *s)
{
	uint8_t b = u8(&s->r);

	if (b < 0xE0)
		return s->live[b % s->nlive];
	if (b >= 0xFC)
		return HV_PARTITION_ID_SELF;
	return b - 0xE0 < 12 ? b - 0xE0 : 1 + (b & 7);
}

/* The caller and its VP: a live partition, VP 0-3; rarely an id that
 * names no live partition (spec.md §2: such a call does nothing). */
static uint64_t caller(struct seq *s, uint32_t *vp)
{
	uint8_t b = u8(&s->r);

	*vp = b >> 6;
	if ((b & 0x3F) == 0x3F)
		return 2 + (b >> 6);
	return s->live[(b & 0x3F) % s->nlive];
}

static uint32_t vp_arg(struct seq *s)
{
	uint8_t b = u8(&s->r);

	if (b >= 0xF0)
		return b == 0xFF ? HV_ANY_VP : b == 0xFE ? HV_VP_INDEX_SELF :
			OHV_MAX_VPS - 1 + (b & 1);
	return b & 3;
}

static uint32_t small_id(struct seq *s)
{
	uint8_t b = u8(&s->r);

	if (b >= 0xF8)
		return b == 0xFF ? 0x01000001u : 0;
	return 1 + (b & 3);
}

/* A page in the caller's window: root pages 4-259, child GPA 0-63. */
static uint64_t page(struct seq *s, uint64_t who)
{
	uint8_t b = u8(&s->r);

	if (who == FZ_ROOT || who == HV_PARTITION_ID_SELF)
		return ROOT_WIN + b;
	return b & 63;
}

static uint64_t pick64(struct seq *s, const uint64_t *t, size_t n)
{
	uint8_t b = u8(&s->r);

	return b < 0xF0 ? t[b % n] : u64(&s->r);
}

#define PICK(s, t) pick64((s), (t), sizeof(t) / sizeof((t)[0]))

static const uint64_t create_flags[] = {
	0, HV_PARTITION_CREATION_FLAG_SMT_ENABLED_GUEST,
	HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED |
		HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE,
	HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED, 1ull << 2,
	1ull << 63,
};

static const uint64_t proximity[] = {
	0, HV_PROXIMITY_DOMAIN_VALID, (uint64_t)HV_PROXIMITY_DOMAIN_VALID << 32,
	((uint64_t)HV_PROXIMITY_DOMAIN_VALID << 32) | 5,
	((uint64_t)(HV_PROXIMITY_DOMAIN_VALID |
		    HV_PROXIMITY_DOMAIN_PREFERRED) << 32) | 9,
	2ull << 32,
};

#define PRIV_TALK (OHV_CHILD_PRIVILEGES | HV_PARTITION_PRIV_POST_MESSAGES | \
		   HV_PARTITION_PRIV_SIGNAL_EVENTS | \
		   HV_PARTITION_PRIV_ACCESS_VP_REGISTERS)
#define PRIV_PARENT (PRIV_TALK | HV_PARTITION_PRIV_CREATE_PARTITIONS | \
		     HV_PARTITION_PRIV_ACCESS_MEMORY_POOL | \
		     HV_PARTITION_PRIV_CREATE_PORT | \
		     HV_PARTITION_PRIV_CONNECT_PORT | \
		     HV_PARTITION_PRIV_ACCESS_PARTITION_ID)

static const uint64_t privileges[] = {
	OHV_ROOT_PRIVILEGES, PRIV_PARENT, PRIV_TALK, OHV_CHILD_PRIVILEGES,
	PRIV_PARENT & ~HV_PARTITION_PRIV_ACCESS_MEMORY_POOL,
	PRIV_PARENT & ~HV_PARTITION_PRIV_CREATE_PARTITIONS, 0, ~0ull,
};

static const uint64_t prop_codes[] = {
	HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
	HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
	HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
	HV_PARTITION_PROPERTY_CPU_RESERVE, HV_PARTITION_PROPERTY_CPU_CAP,
	HV_PARTITION_PROPERTY_CPU_WEIGHT, HV_PARTITION_PROPERTY_TIME_FREEZE,
	HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION,
	HV_PARTITION_PROPERTY_PROCESSOR_VENDOR, HV_PARTITION_PROPERTY_SUSPEND,
	0x12345,
};

static const uint64_t prop_values[] = {
	0, 1, 100, HV_CPU_WEIGHT_MAX + 1, HV_CPU_CAP_MAX, 0x10001, ~0ull,
};

static const uint64_t reg_names[] = {
	HV_REGISTER_EXPLICIT_SUSPEND, HV_REGISTER_EXPLICIT_SUSPEND,
	HV_REGISTER_SCONTROL, HV_REGISTER_SIMP, HV_REGISTER_SIEFP,
	HV_REGISTER_SINT0 + 2, HV_REGISTER_SINT0 + 3, HV_REGISTER_EOM,
	HV_REGISTER_EOM, HV_REGISTER_SVERSION, HV_REGISTER_GUEST_OS_ID,
	HV_X64_REGISTER_RIP, HV_X64_REGISTER_CS, HV_X64_REGISTER_GDTR,
	HV_X64_REGISTER_EFER, HV_REGISTER_INTERCEPT_SUSPEND, 0x000A0015,
	HV_X64_REGISTER_CR3,
};

static const uint64_t map_flags[] = {
	HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE, HV_MAP_GPA_PERMISSIONS_MASK,
	HV_MAP_GPA_READABLE, 0, HV_MAP_GPA_WRITABLE, 0x10,
	HV_MAP_GPA_READABLE | HV_MAP_GPA_KERNEL_EXECUTABLE,
};

static const uint64_t codes[] = {
	HVCALL_CREATE_PARTITION, HVCALL_INITIALIZE_PARTITION,
	HVCALL_FINALIZE_PARTITION, HVCALL_DELETE_PARTITION,
	HVCALL_GET_PARTITION_PROPERTY, HVCALL_SET_PARTITION_PROPERTY,
	HVCALL_GET_PARTITION_ID, HVCALL_GET_NEXT_CHILD_PARTITION,
	HVCALL_DEPOSIT_MEMORY, HVCALL_WITHDRAW_MEMORY,
	HVCALL_GET_MEMORY_BALANCE, HVCALL_MAP_GPA_PAGES,
	HVCALL_UNMAP_GPA_PAGES, HVCALL_CREATE_VP, HVCALL_DELETE_VP,
	HVCALL_GET_VP_REGISTERS, HVCALL_SET_VP_REGISTERS,
	HVCALL_CREATE_PORT_CLASSIC, HVCALL_DELETE_PORT,
	HVCALL_CONNECT_PORT_CLASSIC, HVCALL_GET_PORT_PROPERTY,
	HVCALL_DISCONNECT_PORT, HVCALL_POST_MESSAGE, HVCALL_SIGNAL_EVENT,
	HVCALL_SET_PORT_PROPERTY, HVCALL_CREATE_PORT, HVCALL_CONNECT_PORT,
};

/* Fast or memory-based, as the argument byte says; rep calls re-issued. */
static uint64_t issue(struct seq *s, uint64_t who, uint32_t vp,
		      uint64_t control, const void *in, size_t in_len,
		      void *out, size_t out_len)
{
	bool fast = u8(&s->r) & 1;

	return fz_issue(&s->f, who, vp, fast, control, in, in_len, out,
			out_len);
}

static uint32_t count_arg(struct seq *s, uint32_t max)
{
	return 1 + u8(&s->r) % max;
}

/* ---------------------------------------------------------------------- */
/* Operations.                                                             */

struct create_args {
	struct hv_input_create_partition in;
	bool fast;
};

static void create_read(struct seq *s, struct create_args *c)
{
	uint64_t pd = PICK(s, proximity);

	memset(c, 0, sizeof(*c));
	c->in.flags = PICK(s, create_flags);
	c->in.proximity_domain_info.domain_id = (uint32_t)pd;
	c->in.proximity_domain_info.flags = (uint32_t)(pd >> 32);
	c->in.compatibility_version = u8(&s->r) & 1 ? HV_COMPATIBILITY_21_H2 : 0;
	c->fast = u8(&s->r) & 1;
}

/* The new partition's id, or 0. */
static uint64_t create_do(struct seq *s, uint64_t who, uint32_t vp,
			  const struct create_args *c)
{
	uint64_t id = 0;

	if (ohv_result_status(fz_issue(&s->f, who, vp, c->fast,
		    HVCALL_CREATE_PARTITION, &c->in,
		    s->f.cfg.arch == OHV_ARCH_X64 ? 56 : 48, &id, 8)))
		return 0;
	return id;
}

static void op_create(struct seq *s, uint64_t who, uint32_t vp)
{
	struct create_args c;

	create_read(s, &c);
	create_do(s, who, vp, &c);
}

static void op_deposit(struct seq *s, uint64_t who, uint32_t vp)
{
	uint64_t buf[1 + 32];
	uint64_t target = part(s), base = page(s, who);
	uint32_t n = count_arg(s, 32);
	uint8_t dup = u8(&s->r);

	buf[0] = target;
	for (uint32_t i = 0; i < n; i++)
		buf[1 + i] = base + i;
	if (dup >= 0xF0 && n > 1)
		buf[n] = buf[1];	/* a duplicate fails on its second */
	issue(s, who, vp, ohv_control(HVCALL_DEPOSIT_MEMORY, 0, n, 0), buf,
	      8 * (1 + n), NULL, 0);
}

static void op_withdraw(struct seq *s, uint64_t who, uint32_t vp)
{
	static const uint8_t zero[HV_PAGE_SIZE];
	struct hv_input_withdraw_memory in;
	uint64_t out[64], pd, r;
	uint32_t n;
	bool fast;

	memset(&in, 0, sizeof(in));
	in.partition_id = part(s);
	n = count_arg(s, 64);
	pd = PICK(s, proximity);
	in.proximity_domain_info.domain_id = (uint32_t)pd;
	in.proximity_domain_info.flags = (uint32_t)(pd >> 32);
	fast = u8(&s->r) & 1;
	r = fz_issue(&s->f, who, vp, fast,
		     ohv_control(HVCALL_WITHDRAW_MEMORY, 0, n, 0), &in,
		     sizeof(in), out, 8 * n);
	/* spec.md §1: withdrawn pages come back zeroed where they were
	 * deposited from.  (A fast call re-issued by fz_issue keeps only
	 * its last outputs, so only the memory-based list is whole.) */
	if (fast || !ohv_gpa(s->f.hv, who, HV_PAGE_SIZE, HV_PAGE_SIZE))
		return;
	for (uint32_t k = 0; k < ohv_result_reps(r) && k < n; k++) {
		const uint8_t *p = ohv_gpa(s->f.hv, who, out[k] << HV_PAGE_SHIFT,
					   HV_PAGE_SIZE);

		if (!p || memcmp(p, zero, HV_PAGE_SIZE))
			fz_fail(&s->f, "withdrawn page 0x%llx of %llu %s",
				(unsigned long long)out[k],
				(unsigned long long)who,
				p ? "not zeroed" : "not back");
	}
}

static void op_one_id(struct seq *s, uint64_t who, uint32_t vp, uint16_t code)
{
	uint64_t id = part(s);

	issue(s, who, vp, code, &id, 8, NULL, 0);
}

static void map_pages(struct seq *s, uint64_t who, uint32_t vp,
		      uint64_t target, uint64_t gpa, uint64_t src, uint32_t n,
		      uint32_t flags)
{
	uint64_t buf[3 + 64];
	struct hv_input_map_gpa_pages *in = (void *)buf;

	in->target_partition_id = target;
	in->target_gpa_base = gpa;
	in->map_flags = flags;
	in->padding = 0;
	for (uint32_t i = 0; i < n; i++)
		in->source_gpa_page_list[i] = src + i;
	issue(s, who, vp, ohv_control(HVCALL_MAP_GPA_PAGES, 0, n, 0), buf,
	      24 + 8 * n, NULL, 0);
}

static uint64_t gpa_arg(struct seq *s)
{
	uint8_t b = u8(&s->r);

	if (b >= 0xF8)
		return b == 0xFF ? HV_GPA_PAGE_LIMIT - 1 : 512u + (b & 7u);
	return b & 63;
}

static void op_map(struct seq *s, uint64_t who, uint32_t vp)
{
	uint64_t target = part(s), gpa = gpa_arg(s), src = page(s, who);
	uint32_t n = count_arg(s, 16);
	uint32_t flags = (uint32_t)PICK(s, map_flags);

	map_pages(s, who, vp, target, gpa, src, n, flags);
}

static void op_unmap(struct seq *s, uint64_t who, uint32_t vp)
{
	struct hv_input_unmap_gpa_pages in;
	uint32_t n;

	memset(&in, 0, sizeof(in));
	in.target_partition_id = part(s);
	in.target_gpa_base = gpa_arg(s);
	n = count_arg(s, 16);
	in.unmap_flags = u8(&s->r) >= 0xF8;
	issue(s, who, vp, ohv_control(HVCALL_UNMAP_GPA_PAGES, 0, n, 0), &in,
	      sizeof(in), NULL, 0);
}

static void op_create_vp(struct seq *s, uint64_t who, uint32_t vp)
{
	struct hv_input_create_vp in;
	uint8_t b;

	memset(&in, 0, sizeof(in));
	in.partition_id = part(s);
	in.vp_index = vp_arg(s);
	b = u8(&s->r);
	if (b >= 0xF0)
		in.flags = 1;
	else if (b >= 0xE0)
		in.subnode_type = 1;
	issue(s, who, vp, HVCALL_CREATE_VP, &in, sizeof(in), NULL, 0);
}

static void op_delete_vp(struct seq *s, uint64_t who, uint32_t vp)
{
	struct hv_input_delete_vp in;

	memset(&in, 0, sizeof(in));
	in.partition_id = part(s);
	in.vp_index = vp_arg(s);
	issue(s, who, vp, HVCALL_DELETE_VP, &in, sizeof(in), NULL, 0);
}

/* A value that fits the register named. */
static uint64_t reg_value(struct seq *s, uint32_t name)
{
	uint8_t b = u8(&s->r);

	switch (name) {
	case HV_REGISTER_EXPLICIT_SUSPEND:
		return b % 3;
	case HV_REGISTER_SCONTROL:
		return b & 1;
	case HV_REGISTER_SIMP:
	case HV_REGISTER_SIEFP:
		return ((uint64_t)(b & 63) << 12) | (b >> 7);
	default:
		if (name >= HV_REGISTER_SINT0 && name <= HV_REGISTER_SINT15)
			return 0x40 + (b & 15) +
				(b & 0x40 ? HV_SYNIC_SINT_MASKED : 0) +
				(b & 0x80 ? HV_SYNIC_SINT_AUTO_EOI : 0);
		return b;
	}
}

static void op_set_regs(struct seq *s, uint64_t who, uint32_t vp)
{
	struct hv_input_set_vp_registers h;
	struct hv_register_assoc a[3];
	uint8_t in[sizeof(h) + sizeof(a)];
	uint32_t n;

	memset(&h, 0, sizeof(h));
	memset(a, 0, sizeof(a));
	h.partition_id = part(s);
	h.vp_index = vp_arg(s);
	n = count_arg(s, 3);
	for (uint32_t i = 0; i < n; i++) {
		a[i].name = (uint32_t)PICK(s, reg_names);
		a[i].value.reg64 = reg_value(s, a[i].name);
	}
	memcpy(in, &h, sizeof(h));
	memcpy(in + sizeof(h), a, sizeof(a));
	issue(s, who, vp, ohv_control(HVCALL_SET_VP_REGISTERS, 0, n, 0), in,
	      sizeof(h) + sizeof(a[0]) * n, NULL, 0);
}

static void op_get_regs(struct seq *s, uint64_t who, uint32_t vp)
{
	struct hv_input_get_vp_registers h;
	uint32_t names[4];
	uint8_t in[sizeof(h) + sizeof(names)];
	union hv_register_value out[4];
	uint32_t n;

	memset(&h, 0, sizeof(h));
	memset(names, 0, sizeof(names));
	h.partition_id = part(s);
	h.vp_index = vp_arg(s);
	n = count_arg(s, 4);
	for (uint32_t i = 0; i < n; i++)
		names[i] = (uint32_t)PICK(s, reg_names);
	memcpy(in, &h, sizeof(h));
	memcpy(in + sizeof(h), names, sizeof(names));
	issue(s, who, vp, ohv_control(HVCALL_GET_VP_REGISTERS, 0, n, 0), in,
	      sizeof(h) + 4 * n, out, 16 * n);
}

static void op_create_port(struct seq *s, uint64_t who, uint32_t vp)
{
	struct hv_input_create_port in;
	uint8_t b;

	memset(&in, 0, sizeof(in));
	in.port_partition_id = part(s);
	in.port_id = small_id(s);
	in.connection_partition_id = part(s);
	b = u8(&s->r);
	in.port_info.port_type = b & 3 ? b & 3 : 4;
	in.port_info.message_port_info.target_sint = 1 + (b >> 2 & 3);
	in.port_info.message_port_info.target_vp = vp_arg(s);
	if (in.port_info.port_type == HV_PORT_TYPE_EVENT) {
		in.port_info.event_port_info.base_flag_number = u8(&s->r) & 0x1F;
		in.port_info.event_port_info.flag_count = 1 + (u8(&s->r) & 15);
	} else if (in.port_info.port_type == HV_PORT_TYPE_MONITOR) {
		in.port_info.monitor_port_info.monitor_address =
			(uint64_t)u8(&s->r) << 11;
	}
	if (b & 0x80)
		in.port_vtl = u8(&s->r) >= 0xF0;
	/* The classic layout is the modern one's first 48 bytes. */
	issue(s, who, vp, b & 0x80 ? HVCALL_CREATE_PORT :
	      HVCALL_CREATE_PORT_CLASSIC, &in, b & 0x80 ? sizeof(in) : 48,
	      NULL, 0);
}

static void op_connect(struct seq *s, uint64_t who, uint32_t vp)
{
	struct hv_input_connect_port in;
	struct hv_input_connect_port_classic cin;
	uint8_t b;

	memset(&in, 0, sizeof(in));
	memset(&cin, 0, sizeof(cin));
	in.connection_partition_id = cin.connection_partition_id = part(s);
	in.connection_id = cin.connection_id = small_id(s);
	in.port_partition_id = cin.port_partition_id = part(s);
	in.port_id = cin.port_id = small_id(s);
	b = u8(&s->r);
	in.connection_info.port_type = cin.connection_info.port_type =
		b & 3 ? b & 3 : 4;
	if (b & 0x80)
		issue(s, who, vp, HVCALL_CONNECT_PORT, &in, sizeof(in), NULL, 0);
	else
		issue(s, who, vp, HVCALL_CONNECT_PORT_CLASSIC, &cin,
		      sizeof(cin), NULL, 0);
}

static void op_delete_port(struct seq *s, uint64_t who, uint32_t vp)
{
	struct hv_input_delete_port in;

	memset(&in, 0, sizeof(in));
	in.port_partition_id = part(s);
	in.port_id = small_id(s);
	issue(s, who, vp, HVCALL_DELETE_PORT, &in, sizeof(in), NULL, 0);
}

static void op_disconnect(struct seq *s, uint64_t who, uint32_t vp)
{
	struct hv_input_disconnect_port in;

	memset(&in, 0, sizeof(in));
	in.connection_partition_id = part(s);
	in.connection_id = small_id(s);
	issue(s, who, vp, HVCALL_DISCONNECT_PORT, &in, sizeof(in), NULL, 0);
}

static void op_post(struct seq *s, uint64_t who, uint32_t vp)
{
	struct hv_input_post_message in;
	uint8_t b;

	memset(&in, 0, sizeof(in));
	in.connection_id = small_id(s);
	b = u8(&s->r);
	in.message_type = b & 0x80 ? (b & 0x40 ? 0 : 0x80000001u) : 1u + (b & 7u);
	b = u8(&s->r);
	in.payload_size = b > 241 ? 241 : b;
	in.payload[0] = 0x5041594C4F4144ull;
	issue(s, who, vp, HVCALL_POST_MESSAGE, &in, sizeof(in), NULL, 0);
}

static void op_signal(struct seq *s, uint64_t who, uint32_t vp)
{
	struct hv_input_signal_event in;

	memset(&in, 0, sizeof(in));
	in.connection_id = small_id(s);
	in.flag_number = u8(&s->r) & 0x1F;
	issue(s, who, vp, HVCALL_SIGNAL_EVENT, &in, sizeof(in), NULL, 0);
}

static void op_property(struct seq *s, uint64_t who, uint32_t vp, bool set)
{
	struct hv_input_set_partition_property in;
	uint64_t out;

	memset(&in, 0, sizeof(in));
	in.partition_id = part(s);
	in.property_code = (uint32_t)PICK(s, prop_codes);
	if (in.property_code == HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS)
		in.property_value = PICK(s, privileges);
	else
		in.property_value = PICK(s, prop_values);
	if (set)
		issue(s, who, vp, HVCALL_SET_PARTITION_PROPERTY, &in,
		      sizeof(in), NULL, 0);
	else
		issue(s, who, vp, HVCALL_GET_PARTITION_PROPERTY, &in, 16,
		      &out, 8);
}

static void op_port_property(struct seq *s, uint64_t who, uint32_t vp)
{
	struct hv_input_set_port_property in;
	uint64_t out;
	uint8_t b;

	memset(&in, 0, sizeof(in));
	in.port_partition_id = part(s);
	in.port_id = small_id(s);
	b = u8(&s->r);
	in.property_code = b & 3;
	in.property_value = b >> 2 & 3;
	if (b & 0x80)
		issue(s, who, vp, HVCALL_SET_PORT_PROPERTY, &in, sizeof(in),
		      &out, 8);
	else
		issue(s, who, vp, HVCALL_GET_PORT_PROPERTY, &in, 24, &out, 8);
}

static void op_query(struct seq *s, uint64_t who, uint32_t vp)
{
	uint64_t in[2], out[2];
	uint8_t b = u8(&s->r);

	in[0] = part(s);
	in[1] = b & 0x80 ? part(s) : 0;
	switch (b & 3) {
	case 0:
		issue(s, who, vp, HVCALL_GET_PARTITION_ID, NULL, 0, out, 8);
		break;
	case 1:
		issue(s, who, vp, HVCALL_GET_NEXT_CHILD_PARTITION, in, 16,
		      out, 8);
		break;
	default:
		in[1] = b & 0x40 ? (uint64_t)HV_PROXIMITY_DOMAIN_VALID << 32 : 0;
		issue(s, who, vp, HVCALL_GET_MEMORY_BALANCE, in, 16, out, 16);
		break;
	}
}

/* The root changes its rights on a run of its identity map. */
static void op_root_rights(struct seq *s)
{
	uint64_t base = ROOT_WIN + u8(&s->r);
	uint32_t n = count_arg(s, 16);
	uint32_t flags = (uint32_t)PICK(s, map_flags);

	map_pages(s, FZ_ROOT, 0, HV_PARTITION_ID_SELF, base, base, n, flags);
}

/*
 * The root hands a child pages it gives up itself, so the child may
 * deposit them into its own children (spec.md §5.1, 6).
 */
static void op_give(struct seq *s)
{
	uint64_t target = part(s), gpa = gpa_arg(s);
	uint64_t src = ROOT_WIN + u8(&s->r);
	uint32_t n = count_arg(s, 32);

	map_pages(s, FZ_ROOT, 0, target, gpa, src, n,
		  HV_MAP_GPA_PERMISSIONS_MASK);
	map_pages(s, FZ_ROOT, 0, HV_PARTITION_ID_SELF, src, src, n, 0);
}

/* What a guest does with its SynIC pages: free a SIM slot, clear SIEF
 * flags, acknowledge an interrupt. */
static void op_guest(struct seq *s)
{
	uint64_t p = part(s);
	uint32_t vp = u8(&s->r) & 3;
	uint8_t b = u8(&s->r);
	uint64_t pg = u8(&s->r) & 63;
	uint32_t sint = b & 15;
	uint8_t *slot;

	slot = ohv_gpa(s->f.hv, p, (pg << 12) + 256 * sint, 256);
	switch (b >> 4 & 3) {
	case 0:
		if (slot)
			memset(slot, 0, 4);	/* MessageType = None */
		break;
	case 1:
		if (slot)
			memset(slot, 0, 256);
		break;
	default:
		ohv_vp_sint_ack(s->f.hv, p, vp, sint);
		break;
	}
}

/* Any call at all, its control word and registers from the stream. */
static void op_raw(struct seq *s, uint64_t who, uint32_t vp)
{
	struct ohv_hvcall call;
	uint8_t b = u8(&s->r);
	uint8_t len = u8(&s->r);
	uint8_t *in = ohv_gpa(s->f.hv, who, 0, HV_PAGE_SIZE);

	memset(&call, 0, sizeof(call));
	call.control = u64(&s->r);
	if (b & 1)
		call.control = (call.control & ~HV_HYPERCALL_CODE_MASK) |
			codes[(call.control & 0xFF) %
			      (sizeof(codes) / sizeof(codes[0]))];
	if (b & 2) {
		for (int i = 0; i < 16; i++)
			call.fast[i] = u64(&s->r);
	} else {
		call.fast[0] = 0;
		call.fast[1] = HV_PAGE_SIZE;
		for (uint32_t i = 0; i < len; i++) {
			uint8_t v = u8(&s->r);

			if (in)
				in[i] = v;
		}
	}
	fz_call(&s->f, who, vp, &call);
}

/*
 * Bring up a child of the caller that can talk: create (the root funds its
 * own pool first), privileges, deposit, initialize, 8 pages at GPA 0, VP 0
 * running, SynIC on with SIM at GPA page 2 and SIEF at 3.  Every argument
 * is read first, so a step that fails does not shift the stream.
 */
static void op_bringup(struct seq *s, uint64_t who, uint32_t vp)
{
	struct create_args c;
	uint64_t priv = PICK(s, privileges), base;
	uint32_t n = 24 + (u8(&s->r) & 31);
	uint64_t buf[1 + 64];
	uint64_t id;

	create_read(s, &c);
	base = 8 + (u8(&s->r) & 31);
	bool map_fast = u8(&s->r) & 1;

	if (who == FZ_ROOT) {
		if (s->macro_page + n + 9 > MACRO_LAST)
			s->macro_page = MACRO_FIRST;
		base = s->macro_page;
		s->macro_page += n + 9;
		buf[0] = HV_PARTITION_ID_SELF;
		buf[1] = base + 8 + n;
		fz_issue(&s->f, who, vp, true,
			 ohv_control(HVCALL_DEPOSIT_MEMORY, 0, 1, 0), buf, 16,
			 NULL, 0);
	}
	id = create_do(s, who, vp, &c);
	if (!id)
		return;
	struct hv_input_set_partition_property sp = {
		.partition_id = id,
		.property_code = HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		.property_value = priv,
	};

	fz_issue(&s->f, who, vp, true, HVCALL_SET_PARTITION_PROPERTY, &sp,
		 sizeof(sp), NULL, 0);
	buf[0] = id;
	for (uint32_t i = 0; i < n; i++)
		buf[1 + i] = base + 8 + i;
	fz_issue(&s->f, who, vp, false,
		 ohv_control(HVCALL_DEPOSIT_MEMORY, 0, n, 0), buf, 8 * (1 + n),
		 NULL, 0);
	fz_issue(&s->f, who, vp, true, HVCALL_INITIALIZE_PARTITION, &id, 8,
		 NULL, 0);

	uint64_t mbuf[3 + 8];
	struct hv_input_map_gpa_pages *in = (void *)mbuf;

	in->target_partition_id = id;
	in->target_gpa_base = 0;
	in->map_flags = HV_MAP_GPA_PERMISSIONS_MASK;
	in->padding = 0;
	for (uint32_t i = 0; i < 8; i++)
		in->source_gpa_page_list[i] = (who == FZ_ROOT ? base : 0) + i;
	fz_issue(&s->f, who, vp, map_fast,
		 ohv_control(HVCALL_MAP_GPA_PAGES, 0, 8, 0), mbuf, sizeof(mbuf),
		 NULL, 0);

	struct hv_input_create_vp cv;

	memset(&cv, 0, sizeof(cv));
	cv.partition_id = id;
	fz_issue(&s->f, who, vp, true, HVCALL_CREATE_VP, &cv, sizeof(cv),
		 NULL, 0);
	fz_set_reg(&s->f, who, vp, id, 0, HV_REGISTER_EXPLICIT_SUSPEND, 0);
	fz_set_reg(&s->f, who, vp, id, 0, HV_REGISTER_SCONTROL, 1);
	fz_set_reg(&s->f, who, vp, id, 0, HV_REGISTER_SIMP, (2 << 12) | 1);
	fz_set_reg(&s->f, who, vp, id, 0, HV_REGISTER_SIEFP, (3 << 12) | 1);
	fz_set_reg(&s->f, who, vp, id, 0, HV_REGISTER_SINT0 + 2, 0x42);
}

enum {
	OP_CREATE, OP_DEPOSIT, OP_INITIALIZE, OP_MAP, OP_UNMAP, OP_CREATE_VP,
	OP_DELETE_VP, OP_SET_REGS, OP_GET_REGS, OP_CREATE_PORT, OP_CONNECT,
	OP_DELETE_PORT, OP_DISCONNECT, OP_POST, OP_SIGNAL, OP_FINALIZE,
	OP_WITHDRAW, OP_DELETE, OP_SET_PROPERTY, OP_GET_PROPERTY,
	OP_ROOT_RIGHTS, OP_GIVE, OP_GUEST, OP_RAW, OP_FAIL_ALLOC, OP_QUERY,
	OP_PORT_PROPERTY, OP_BRINGUP, OP_COUNT
};

static void step(struct seq *s)
{
	uint8_t op = u8(&s->r) % OP_COUNT;
	uint32_t vp = 0;
	uint64_t who = 0;

	refresh(s);
	if (op != OP_ROOT_RIGHTS && op != OP_GIVE && op != OP_GUEST &&
	    op != OP_FAIL_ALLOC)
		who = caller(s, &vp);
	switch (op) {
	case OP_CREATE:
		op_create(s, who, vp);
		break;
	case OP_DEPOSIT:
		op_deposit(s, who, vp);
		break;
	case OP_INITIALIZE:
		op_one_id(s, who, vp, HVCALL_INITIALIZE_PARTITION);
		break;
	case OP_MAP:
		op_map(s, who, vp);
		break;
	case OP_UNMAP:
		op_unmap(s, who, vp);
		break;
	case OP_CREATE_VP:
		op_create_vp(s, who, vp);
		break;
	case OP_DELETE_VP:
		op_delete_vp(s, who, vp);
		break;
	case OP_SET_REGS:
		op_set_regs(s, who, vp);
		break;
	case OP_GET_REGS:
		op_get_regs(s, who, vp);
		break;
	case OP_CREATE_PORT:
		op_create_port(s, who, vp);
		break;
	case OP_CONNECT:
		op_connect(s, who, vp);
		break;
	case OP_DELETE_PORT:
		op_delete_port(s, who, vp);
		break;
	case OP_DISCONNECT:
		op_disconnect(s, who, vp);
		break;
	case OP_POST:
		op_post(s, who, vp);
		break;
	case OP_SIGNAL:
		op_signal(s, who, vp);
		break;
	case OP_FINALIZE:
		op_one_id(s, who, vp, HVCALL_FINALIZE_PARTITION);
		break;
	case OP_WITHDRAW:
		op_withdraw(s, who, vp);
		break;
	case OP_DELETE:
		op_one_id(s, who, vp, HVCALL_DELETE_PARTITION);
		break;
	case OP_SET_PROPERTY:
		op_property(s, who, vp, true);
		break;
	case OP_GET_PROPERTY:
		op_property(s, who, vp, false);
		break;
	case OP_ROOT_RIGHTS:
		op_root_rights(s);
		break;
	case OP_GIVE:
		op_give(s);
		break;
	case OP_GUEST:
		op_guest(s);
		break;
	case OP_RAW:
		op_raw(s, who, vp);
		break;
	case OP_FAIL_ALLOC:
		/* Arms the next call only (fz_call). */
		s->f.fail_nth = 1 + (u8(&s->r) & 7);
		break;
	case OP_QUERY:
		op_query(s, who, vp);
		break;
	case OP_PORT_PROPERTY:
		op_port_property(s, who, vp);
		break;
	case OP_BRINGUP:
		op_bringup(s, who, vp);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct seq s;
	struct ohv_config cfg;

	if (size < 1)
		return 0;
	memset(&s, 0, sizeof(s));
	s.r.p = data + 1;
	s.r.n = size - 1;
	s.macro_page = MACRO_FIRST;
	ohv_debug_fail_alloc(0);
	ohv_config_init(&cfg);
	cfg.arch = data[0] & 1 ? OHV_ARCH_ARM64 : OHV_ARCH_X64;
	cfg.root_vps = data[0] & 2 ? 2 : 1;
	cfg.rep_limit = data[0] >> 2 & 7;
	cfg.numa_nodes = 1u << (data[0] >> 5 & 3);
	cfg.memory_pages = MEM_PAGES;
	cfg.max_depth = 3;
	cfg.rep_budget_ns = 0;
	fz_open(&s.f, &cfg);
	s.f.stage = "sequence";
	for (int i = 0; i < MAX_OPS && s.r.n; i++)
		step(&s);
	s.f.fail_nth = 0;
	fz_teardown(&s.f);
	return 0;
}
