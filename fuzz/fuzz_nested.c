/* SPDX-License-Identifier: MIT */
/*
 * Nested partitions (spec.md §5.1, 6): children create, fund and map into
 * their own children, hand frames down, withdraw them back, while their
 * ancestors unmap, remap and change rights above them.  Transitive
 * revocation and "a partition reaches a frame only with rights its parent
 * has on it" are what the invariant checker, run after every call,
 * watches; the teardown must bring every frame back to the root.
 *
 * The input is a byte stream: byte 0 configures the instance (bit 0
 * arm64, bits 2:1 rep_limit, bit 3 two NUMA nodes), then each operation is
 * an opcode byte and its arguments.  Partitions are picked among the live
 * ones (a target mostly among the caller's children), pages in small
 * windows (root pages 16-639 from two bytes, child GPA pages 0-63 from
 * one), so calls mostly name things that exist.  Running out of bytes
 * reads zeros.
 */
#include "fuzz.h"

#include <stdbool.h>
#include <string.h>

#define MEM_PAGES	1024
#define MAX_OPS		192
#define MAX_LIVE	64
#define ROOT_WIN	16u	/* root pages the operations name: 16-639   */
#define ROOT_PAGES	624u
#define NEST_FIRST	272u	/* root pages the bring-up takes, cycling  */
#define NEST_LAST	640u
#define CHILD_PAGES	64u	/* child GPA pages the operations name      */
#define FAST_MAP	11u	/* sources in one x64 fast map              */
#define FAST_DEPOSIT	13u
#define FAST_WITHDRAW	12u

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

struct part {
	uint64_t id, parent;
	enum ohv_partition_state state;
	uint32_t depth;
};

struct nest {
	struct fz f;
	struct rd r;
	struct part live[MAX_LIVE];
	size_t nlive;
	uint64_t nest_page;	/* next root page for the bring-up */
};

#define PRIV_NEST (OHV_CHILD_PRIVILEGES | \
		   HV_PARTITION_PRIV_CREATE_PARTITIONS | \
		   HV_PARTITION_PRIV_ACCESS_MEMORY_POOL | \
		   HV_PARTITION_PRIV_ACCESS_PARTITION_ID | \
		   HV_PARTITION_PRIV_ACCESS_VP_REGISTERS)

static const uint64_t privileges[] = {
	PRIV_NEST, PRIV_NEST, PRIV_NEST,
	PRIV_NEST & ~HV_PARTITION_PRIV_ACCESS_MEMORY_POOL,
	PRIV_NEST & ~HV_PARTITION_PRIV_CREATE_PARTITIONS,
	OHV_CHILD_PRIVILEGES,
};

static const uint32_t map_flags[] = {
	HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE, HV_MAP_GPA_PERMISSIONS_MASK,
	HV_MAP_GPA_READABLE, 0,
	HV_MAP_GPA_READABLE | HV_MAP_GPA_KERNEL_EXECUTABLE,
	HV_MAP_GPA_KERNEL_EXECUTABLE, HV_MAP_GPA_WRITABLE,
};

#define N(a)	(sizeof(a) / sizeof((a)[0]))

static void refresh(struct nest *s)
{
	uint64_t ids[MAX_LIVE];
	size_t n = ohv_partition_list(s->f.hv, ids, MAX_LIVE);

	s->nlive = 0;
	for (size_t i = 0; i < n && i < MAX_LIVE; i++) {
		struct ohv_partition_info pi;

		if (ohv_partition_info(s->f.hv, ids[i], &pi))
			continue;
		s->live[s->nlive++] = (struct part){ pi.id, pi.parent_id,
						     pi.state, pi.depth };
	}
}

/* A caller: a live partition (mostly one that can have children). */
static uint64_t pick_caller(struct nest *s)
{
	return s->live[u8(&s->r) % s->nlive].id;
}

/* A target for caller p: mostly one of its children, sometimes p itself
 * (SELF or its id), any live partition, or a dead or raw id. */
static uint64_t pick_target(struct nest *s, uint64_t p)
{
	uint8_t b = u8(&s->r);
	uint64_t kids[MAX_LIVE];
	size_t n = 0;

	for (size_t i = 0; i < s->nlive; i++)
		if (s->live[i].parent == p)
			kids[n++] = s->live[i].id;
	if (b < 0xC0 && n)
		return kids[b % n];
	if (b >= 0xF8)
		return b & 1 ? HV_PARTITION_ID_SELF : p;
	if (b >= 0xF0)
		return 2 + (b & 7);
	return s->live[b % s->nlive].id;
}

/* A page in p's window: two bytes for the root, one for a child. */
static uint64_t page(struct nest *s, uint64_t p)
{
	uint8_t b = u8(&s->r);

	if (p != FZ_ROOT)
		return b % CHILD_PAGES;
	return ROOT_WIN + (b | (uint32_t)u8(&s->r) << 8) % ROOT_PAGES;
}

static uint32_t count(struct nest *s, uint32_t max)
{
	return 1 + u8(&s->r) % max;
}

/* One fast call by VP vp of p (children have no parameter pages for
 * sure); rep calls re-issued as a client would. */
static uint64_t call(struct nest *s, uint64_t p, uint32_t vp, uint64_t control,
		     const void *in, size_t len, void *out, size_t out_len)
{
	return fz_issue(&s->f, p, vp, true, control, in, len, out, out_len);
}

static uint64_t one_id(struct nest *s, uint64_t p, uint16_t code, uint64_t id)
{
	return call(s, p, 0, code, &id, 8, NULL, 0);
}

static uint64_t do_map(struct nest *s, uint64_t p, uint64_t target,
		       uint64_t gpa, uint64_t src, uint32_t n, uint32_t flags)
{
	uint64_t buf[3 + FAST_MAP];

	if (n > FAST_MAP)
		n = FAST_MAP;
	buf[0] = target;
	buf[1] = gpa;
	buf[2] = flags;
	for (uint32_t i = 0; i < n; i++)
		buf[3 + i] = src + i;
	return call(s, p, 0, ohv_control(HVCALL_MAP_GPA_PAGES, 0, n, 0), buf,
		    24 + 8 * n, NULL, 0);
}

static uint64_t do_unmap(struct nest *s, uint64_t p, uint64_t target,
			 uint64_t gpa, uint32_t n)
{
	struct hv_input_unmap_gpa_pages in = {
		.target_partition_id = target, .target_gpa_base = gpa,
	};

	return call(s, p, 0, ohv_control(HVCALL_UNMAP_GPA_PAGES, 0, n, 0),
		    &in, sizeof(in), NULL, 0);
}

static uint64_t do_deposit(struct nest *s, uint64_t p, uint64_t target,
			   uint64_t src, uint32_t n)
{
	uint64_t buf[1 + FAST_DEPOSIT];

	if (n > FAST_DEPOSIT)
		n = FAST_DEPOSIT;
	buf[0] = target;
	for (uint32_t i = 0; i < n; i++)
		buf[1 + i] = src + i;
	return call(s, p, 0, ohv_control(HVCALL_DEPOSIT_MEMORY, 0, n, 0), buf,
		    8 * (1 + n), NULL, 0);
}

/* p gives up its own access to its pages [src, src + n): the root by
 * taking its rights away, a child by unmapping them from itself. */
static void give_up(struct nest *s, uint64_t p, uint64_t src, uint32_t n,
		    bool by_id)
{
	if (p == FZ_ROOT)
		do_map(s, p, HV_PARTITION_ID_SELF, src, src, n, 0);
	else
		do_unmap(s, p, by_id ? p : HV_PARTITION_ID_SELF, src, n);
}

/* ---------------------------------------------------------------------- */
/* Operations.                                                             */

/*
 * Bring up a child of p that can act: create it (the root funds its own
 * pool first), give it privileges, fund it (the root from fresh pages, a
 * child from its window), initialize it, start VP 0 and map 8 of p's
 * pages at its GPA 0.  Every argument is read first, so a step that
 * fails does not shift the stream.
 */
static void op_nest(struct nest *s)
{
	const uint64_t p = pick_caller(s);
	const uint64_t priv = privileges[u8(&s->r) % N(privileges)];
	const uint32_t fund = 26 + u8(&s->r) % 24;
	uint64_t src = page(s, p), shared = page(s, p);
	struct hv_input_create_partition in = { 0 };
	uint64_t id = 0;

	if (p == FZ_ROOT) {
		if (s->nest_page + fund + 9 > NEST_LAST)
			s->nest_page = NEST_FIRST;
		src = s->nest_page;
		shared = src + fund;
		s->nest_page += fund + 9;
		do_deposit(s, p, HV_PARTITION_ID_SELF, shared + 8, 1);
	}
	if (ohv_result_status(call(s, p, 0, HVCALL_CREATE_PARTITION, &in,
				   sizeof(in), &id, 8)))
		return;
	struct hv_input_set_partition_property sp = {
		.partition_id = id,
		.property_code = HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		.property_value = priv,
	};

	call(s, p, 0, HVCALL_SET_PARTITION_PROPERTY, &sp, sizeof(sp), NULL, 0);
	for (uint32_t done = 0; done < fund; done += FAST_DEPOSIT)
		do_deposit(s, p, id, src + done, fund - done);
	one_id(s, p, HVCALL_INITIALIZE_PARTITION, id);
	struct hv_input_create_vp cv = { .partition_id = id };

	call(s, p, 0, HVCALL_CREATE_VP, &cv, sizeof(cv), NULL, 0);
	fz_set_reg(&s->f, p, 0, id, 0, HV_REGISTER_EXPLICIT_SUSPEND, 0);
	do_map(s, p, id, 0, shared, 8,
	       HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE);
}

/* p maps its pages into a child (or wherever the target says). */
static void op_map(struct nest *s)
{
	const uint64_t p = pick_caller(s), t = pick_target(s, p);
	const uint64_t gpa = u8(&s->r) % CHILD_PAGES, src = page(s, p);
	const uint32_t n = count(s, FAST_MAP);
	const uint32_t flags = map_flags[u8(&s->r) % N(map_flags)];

	do_map(s, p, t, gpa, src, n, flags);
}

static void op_unmap(struct nest *s)
{
	const uint64_t p = pick_caller(s), t = pick_target(s, p);
	const uint64_t gpa = u8(&s->r) % CHILD_PAGES;

	do_unmap(s, p, t, gpa, count(s, 16));
}

/* spec.md §6: p hands a child its pages, mapping them there with full rights
 * and giving up its own access, so the child may deposit them into its
 * own children. */
static void op_hand(struct nest *s)
{
	const uint64_t p = pick_caller(s), t = pick_target(s, p);
	const uint64_t gpa = u8(&s->r) % CHILD_PAGES, src = page(s, p);
	const uint32_t n = count(s, FAST_MAP);
	const bool by_id = u8(&s->r) & 1;

	if (ohv_result_status(do_map(s, p, t, gpa, src, n,
				     HV_MAP_GPA_PERMISSIONS_MASK)))
		return;
	give_up(s, p, src, n, by_id);
}

/* A child (or the root) unmaps pages of its own space. */
static void op_give_up(struct nest *s)
{
	const uint64_t p = pick_caller(s), src = page(s, p);
	const uint32_t n = count(s, 16);

	give_up(s, p, src, n, u8(&s->r) & 1);
}

static void op_root_rights(struct nest *s)
{
	const uint64_t base = page(s, FZ_ROOT);
	const uint32_t n = count(s, FAST_MAP);
	const uint32_t flags = map_flags[u8(&s->r) % N(map_flags)];

	do_map(s, FZ_ROOT, HV_PARTITION_ID_SELF, base, base, n, flags);
}

static void op_fund(struct nest *s)
{
	const uint64_t p = pick_caller(s), t = pick_target(s, p);
	const uint64_t src = page(s, p);

	do_deposit(s, p, t, src, count(s, FAST_DEPOSIT));
}

/* Withdraw from a child: what comes back is zeroed, where it was
 * deposited from (spec.md §5.2). */
static void op_withdraw(struct nest *s)
{
	static const uint8_t zero[HV_PAGE_SIZE];
	const uint64_t p = pick_caller(s), t = pick_target(s, p);
	const uint32_t n = count(s, FAST_WITHDRAW);
	struct hv_input_withdraw_memory in = { .partition_id = t };
	uint64_t out[FAST_WITHDRAW];
	struct ohv_hvcall c = {
		.control = ohv_control(HVCALL_WITHDRAW_MEMORY, 1, n, 0),
	};

	memcpy(c.fast, &in, sizeof(in));
	uint64_t r = fz_call(&s->f, p, 0, &c);

	memcpy(out, (uint8_t *)c.fast + sizeof(in), 8 * n);
	for (uint32_t k = 0; k < ohv_result_reps(r) && k < n; k++) {
		const uint8_t *pg = ohv_gpa(s->f.hv, p, out[k] << HV_PAGE_SHIFT,
					    HV_PAGE_SIZE);

		if (!pg || memcmp(pg, zero, HV_PAGE_SIZE))
			fz_fail(&s->f, "withdrawn page 0x%llx of %llu %s",
				(unsigned long long)out[k],
				(unsigned long long)p,
				pg ? "not zeroed" : "not back");
	}
}

static void op_one(struct nest *s, uint16_t code)
{
	const uint64_t p = pick_caller(s);

	one_id(s, p, code, pick_target(s, p));
}

static void op_vp(struct nest *s)
{
	const uint64_t p = pick_caller(s), t = pick_target(s, p);
	struct hv_input_create_vp cv = { .partition_id = t,
					 .vp_index = u8(&s->r) & 1 };

	if (ohv_result_status(call(s, p, 0, HVCALL_CREATE_VP, &cv, sizeof(cv),
				   NULL, 0)) == HV_STATUS_SUCCESS)
		fz_set_reg(&s->f, p, 0, t, cv.vp_index,
			   HV_REGISTER_EXPLICIT_SUSPEND, 0);
}

/* What a guest does with its memory: write it (so withdraws have
 * something to zero), or use a page as a hypercall's input or output
 * block (spec.md §3.2 step 5: only what it may read, or write). */
static void op_touch(struct nest *s)
{
	const uint64_t x = s->live[u8(&s->r) % s->nlive].id;
	const uint64_t gpa = page(s, x);
	const uint8_t how = u8(&s->r);
	uint8_t *pg = ohv_gpa(s->f.hv, x, gpa << HV_PAGE_SHIFT, HV_PAGE_SIZE);

	if (how < 0x80) {
		if (pg)
			memset(pg + (how & 63) * 64, how | 1, 64);
		return;
	}
	struct ohv_hvcall c = {
		.control = how & 1 ? HVCALL_GET_PARTITION_ID :
				     HVCALL_INITIALIZE_PARTITION,
		.fast = { gpa << HV_PAGE_SHIFT, gpa << HV_PAGE_SHIFT },
	};
	uint64_t r = fz_call(&s->f, x, 0, &c);

	/* A block the partition cannot reach is refused before anything
	 * else is looked at. */
	if (!pg && ohv_result_status(r) != HV_STATUS_INVALID_ALIGNMENT &&
	    ohv_result_status(r) != HV_STATUS_INVALID_VP_INDEX &&
	    ohv_result_status(r) != HV_STATUS_INVALID_VP_STATE &&
	    ohv_result_status(r) != HV_STATUS_INVALID_PARTITION_STATE)
		fz_fail(&s->f, "partition %llu used unreachable page %llu as"
			" a block: %s", (unsigned long long)x,
			(unsigned long long)gpa,
			ohv_status_name(ohv_result_status(r)));
}

/* The root funds its own pool, for the children it creates. */
static void op_root_pool(struct nest *s)
{
	const uint64_t src = page(s, FZ_ROOT);

	do_deposit(s, FZ_ROOT, HV_PARTITION_ID_SELF, src, count(s, 4));
}

enum {
	OP_NEST, OP_MAP, OP_UNMAP, OP_HAND, OP_GIVE_UP, OP_ROOT_RIGHTS,
	OP_FUND, OP_WITHDRAW, OP_INITIALIZE, OP_FINALIZE, OP_DELETE, OP_VP,
	OP_TOUCH, OP_ROOT_POOL, OP_COUNT
};

static void step(struct nest *s)
{
	const uint8_t op = u8(&s->r) % OP_COUNT;

	refresh(s);
	switch (op) {
	case OP_NEST:
		op_nest(s);
		break;
	case OP_MAP:
		op_map(s);
		break;
	case OP_UNMAP:
		op_unmap(s);
		break;
	case OP_HAND:
		op_hand(s);
		break;
	case OP_GIVE_UP:
		op_give_up(s);
		break;
	case OP_ROOT_RIGHTS:
		op_root_rights(s);
		break;
	case OP_FUND:
		op_fund(s);
		break;
	case OP_WITHDRAW:
		op_withdraw(s);
		break;
	case OP_INITIALIZE:
		op_one(s, HVCALL_INITIALIZE_PARTITION);
		break;
	case OP_FINALIZE:
		op_one(s, HVCALL_FINALIZE_PARTITION);
		break;
	case OP_DELETE:
		op_one(s, HVCALL_DELETE_PARTITION);
		break;
	case OP_VP:
		op_vp(s);
		break;
	case OP_TOUCH:
		op_touch(s);
		break;
	case OP_ROOT_POOL:
		op_root_pool(s);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nest s;
	struct ohv_config cfg;

	if (size < 1)
		return 0;
	memset(&s, 0, sizeof(s));
	s.r.p = data + 1;
	s.r.n = size - 1;
	s.nest_page = NEST_FIRST;
	ohv_debug_fail_alloc(0);
	ohv_config_init(&cfg);
	cfg.arch = data[0] & 1 ? OHV_ARCH_ARM64 : OHV_ARCH_X64;
	cfg.rep_limit = data[0] >> 1 & 3;
	cfg.numa_nodes = data[0] & 8 ? 2 : 1;
	cfg.memory_pages = MEM_PAGES;
	cfg.max_depth = 4;
	cfg.rep_budget_ns = 0;
	fz_open(&s.f, &cfg);
	s.f.stage = "nested";
	for (int i = 0; i < MAX_OPS && s.r.n; i++)
		step(&s);
	fz_teardown(&s.f);
	return 0;
}
