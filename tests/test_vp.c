/* SPDX-License-Identifier: MIT */
/*
 * Virtual processors: HvCreateVp, HvDeleteVp, HvGetVpRegisters and
 * HvSetVpRegisters (spec.md §7; facts §3.2 0x004E-0x0051, §4.10, §5.7), and
 * the caller checks of spec.md §2 that need a VP which is not the root's.
 *
 * Every status each call can return, as tables of cases.  Calls from the
 * root are memory-based; calls from children are XMM-fast (a child has no
 * GPA space in this version).
 */
#include "t.h"

#define INIT_COST	16u	/* t_config keeps the spec.md §5.4 defaults */
#define VP_COST		8u
#define NEVER_ISSUED	0x100000ull
#define POISON		0xA5A5A5A5A5A5A5A5ull
#define PRIV_VP_REGS	HV_PARTITION_PRIV_ACCESS_VP_REGISTERS

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* ---------------------------------------------------------------------- */
/* Helpers.                                                                */

/* An Active child with `extra` pages available beyond initialize. */
static uint64_t active_child(struct ohv *hv, uint64_t *next, uint32_t extra)
{
	uint64_t id = t_active_child(hv, next);

	t_fund(hv, id, next, extra);
	return id;
}

static void withdraw_all(struct ohv *hv, uint64_t id)
{
	for (;;) {
		hv_status_t st = t_withdraw(hv, id, HV_WITHDRAW_MAX_PAGES, NULL,
					    NULL);

		if (st == HV_STATUS_NO_RESOURCES)
			break;
		REQUIRE_ST(st, HV_STATUS_SUCCESS);
	}
}

static uint64_t suspend_of(struct ohv *hv, uint64_t id, uint32_t vp)
{
	uint64_t v = POISON;

	REQUIRE_ST(t_get_reg64(hv, T_ROOT, id, vp,
			       HV_REGISTER_EXPLICIT_SUSPEND, &v),
		   HV_STATUS_SUCCESS);
	return v;
}

/* A call every VP may make (no privilege, no target): the caller's own
 * children, fast. */
static uint64_t ping(struct ohv *hv, uint64_t caller, uint32_t vp)
{
	struct hv_input_get_next_child_partition in = {
		.parent_id = HV_PARTITION_ID_SELF,
	};
	uint64_t out = POISON;

	return t_fast_vp(hv, caller, vp, HVCALL_GET_NEXT_CHILD_PARTITION, &in,
			 sizeof(in), &out, sizeof(out));
}

/*
 * The partitions the access tables name.  A is a runnable child with the
 * default privileges, A49 one granted AccessVpRegisters; B is an Active
 * sibling with VP_COST * 4 pages available (and VP 0 when asked); U is
 * Uninitialized with a funded pool, F Finalized (it had VP 0), D deleted.
 */
struct world {
	uint64_t a, a49, b, u, f, d;
	uint64_t next;
};

enum who {
	W_ZERO,		/* HV_PARTITION_ID_INVALID */
	W_SELF,		/* HV_PARTITION_ID_SELF */
	W_UNKNOWN,	/* never issued */
	W_DELETED,
	W_ROOT,
	W_A,
	W_A49,
	W_B,
	W_U,
	W_F,
};

static void make_world(struct ohv *hv, struct world *w, bool b_has_vp)
{
	w->next = T_FIRST_FREE_PAGE;
	w->a = t_runnable_child(hv, &w->next, 0);
	w->a49 = t_runnable_child(hv, &w->next,
				  OHV_CHILD_PRIVILEGES | PRIV_VP_REGS);
	w->b = active_child(hv, &w->next, VP_COST * 4);
	if (b_has_vp)
		REQUIRE_ST(t_create_vp(hv, w->b, 0), HV_STATUS_SUCCESS);
	w->u = t_new_child(hv, &w->next);
	t_fund(hv, w->u, &w->next, INIT_COST + VP_COST);
	w->f = active_child(hv, &w->next, VP_COST);
	REQUIRE_ST(t_create_vp(hv, w->f, 0), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_finalize(hv, w->f), HV_STATUS_SUCCESS);
	w->d = t_new_child(hv, &w->next);
	REQUIRE_ST(t_delete(hv, w->d), HV_STATUS_SUCCESS);
}

static uint64_t who_id(const struct world *w, enum who x)
{
	switch (x) {
	case W_ZERO:
		return HV_PARTITION_ID_INVALID;
	case W_SELF:
		return HV_PARTITION_ID_SELF;
	case W_UNKNOWN:
		return NEVER_ISSUED;
	case W_DELETED:
		return w->d;
	case W_ROOT:
		return T_ROOT;
	case W_A:
		return w->a;
	case W_A49:
		return w->a49;
	case W_B:
		return w->b;
	case W_U:
		return w->u;
	case W_F:
		return w->f;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* HvCreateVp (spec.md §7; facts §3.2 0x004E).                                 */

/*
 * spec.md §4 (SELF and dead ids name no child), spec.md §7 ("target a child,
 * Active"): partition-id, access and state statuses.  Failing rows change
 * nothing.
 */
TEST(create_vp_target)
{
	static const struct {
		const char *name;
		enum who caller, target;
		uint32_t vp;
		hv_status_t st;
	} rows[] = {
		{ "root: id 0", W_ROOT, W_ZERO, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "root: SELF", W_ROOT, W_SELF, 1, HV_STATUS_INVALID_PARTITION_ID },
		{ "root: never issued", W_ROOT, W_UNKNOWN, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "root: deleted", W_ROOT, W_DELETED, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		/* root_vps = 1, so VP 1 of the root is free: only access. */
		{ "root on itself", W_ROOT, W_ROOT, 1, HV_STATUS_ACCESS_DENIED },
		{ "root: Uninitialized child", W_ROOT, W_U, 0,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "root: Finalized child", W_ROOT, W_F, 0,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "child: sibling", W_A, W_B, 0, HV_STATUS_ACCESS_DENIED },
		{ "child: root", W_A, W_ROOT, 1, HV_STATUS_ACCESS_DENIED },
		{ "child: its own id", W_A, W_A, 1, HV_STATUS_ACCESS_DENIED },
		{ "child: SELF", W_A, W_SELF, 1, HV_STATUS_INVALID_PARTITION_ID },
		{ "child: id 0", W_A, W_ZERO, 1, HV_STATUS_INVALID_PARTITION_ID },
		{ "child: never issued", W_A, W_UNKNOWN, 1,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "child with VP regs: sibling", W_A49, W_B, 0,
		  HV_STATUS_ACCESS_DENIED },
		{ "root: Active child", W_ROOT, W_B, 0, HV_STATUS_SUCCESS },
	};
	struct ohv *hv = t_open(NULL);
	struct world w;

	make_world(hv, &w, false);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct hv_input_create_vp in = {
			.partition_id = who_id(&w, rows[i].target),
			.vp_index = rows[i].vp,
		};
		struct t_snap before;

		t_snap_take(hv, &before);
		hv_status_t st = t_create_vp_in(hv, who_id(&w, rows[i].caller),
						&in);

		CHECK_MSG(st == rows[i].st, "%s: got %s, want %s", rows[i].name,
			  ohv_status_name(st), ohv_status_name(rows[i].st));
		if (rows[i].st != HV_STATUS_SUCCESS)
			t_snap_same(hv, &before, rows[i].name);
	}
	struct ohv_partition_info b = t_info(hv, w.b);

	CHECK_EQ(b.vps, 1);
	CHECK_EQ(b.pool_in_use, INIT_COST + VP_COST);
	t_close(hv);
}

/*
 * spec.md §7: Flags and SubnodeType must be 0; proximity info as at create
 * (spec.md §4.1 step 3: reserved flag bits 30:1, or a required node that does
 * not exist).  spec.md §3.2: padding is ignored, and so is SubnodeId while
 * SubnodeType is 0 (any): nothing makes it "must be zero".
 */
TEST(create_vp_parameters)
{
	static const struct {
		const char *name;
		uint64_t flags;
		uint8_t subnode_type;
		uint64_t subnode_id;
		uint32_t prox_id, prox_flags;
		uint8_t pad;
		hv_status_t st;
	} rows[] = {
		{ "Flags bit 0", 1, 0, 0, 0, 0, 0, HV_STATUS_INVALID_PARAMETER },
		{ "Flags bit 63", 1ull << 63, 0, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "SubnodeType 1", 0, 1, 0, 0, 0, 0, HV_STATUS_INVALID_PARAMETER },
		{ "SubnodeType 0xFF", 0, 0xFF, 0, 0, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "proximity bit 1", 0, 0, 0, 0, 1u << 1, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "proximity bit 30, Valid", 0, 0, 0, 0,
		  (1u << 30) | HV_PROXIMITY_DOMAIN_VALID, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "required node 1 of 1", 0, 0, 0, 1, HV_PROXIMITY_DOMAIN_VALID,
		  0, HV_STATUS_INVALID_PARAMETER },
		{ "required node ~0", 0, 0, 0, 0xFFFFFFFFu,
		  HV_PROXIMITY_DOMAIN_VALID, 0, HV_STATUS_INVALID_PARAMETER },
		{ "no preference", 0, 0, 0, 0, 0, 0, HV_STATUS_SUCCESS },
		{ "required node 0", 0, 0, 0, 0, HV_PROXIMITY_DOMAIN_VALID, 0,
		  HV_STATUS_SUCCESS },
		{ "preferred unknown node", 0, 0, 0, 7,
		  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED, 0,
		  HV_STATUS_SUCCESS },
		{ "Valid=0 ignores the id", 0, 0, 0, 99, 0, 0,
		  HV_STATUS_SUCCESS },
		{ "padding ignored", 0, 0, 0, 0, 0, 0xFF, HV_STATUS_SUCCESS },
		{ "SubnodeId with SubnodeType any", 0, 0, 0x1234, 0, 0, 0,
		  HV_STATUS_SUCCESS },
	};
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = active_child(hv, &next, VP_COST * ARRAY_SIZE(rows));
	uint32_t index = 0, made = 0;

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct hv_input_create_vp in = {
			.partition_id = child,
			.vp_index = index,
			.subnode_type = rows[i].subnode_type,
			.subnode_id = rows[i].subnode_id,
			.proximity_domain_info = { rows[i].prox_id,
						   rows[i].prox_flags },
			.flags = rows[i].flags,
		};
		struct t_snap before;

		memset(in.padding, rows[i].pad, sizeof(in.padding));
		t_snap_take(hv, &before);
		hv_status_t st = t_create_vp_in(hv, T_ROOT, &in);

		CHECK_MSG(st == rows[i].st, "%s: got %s, want %s", rows[i].name,
			  ohv_status_name(st), ohv_status_name(rows[i].st));
		if (st == HV_STATUS_SUCCESS) {
			index++;
			made++;
		} else {
			t_snap_same(hv, &before, rows[i].name);
		}
	}
	/* Every reserved proximity bit alone, with and without Valid. */
	for (unsigned bit = 1; bit <= 30; bit++) {
		for (int valid = 0; valid < 2; valid++) {
			struct hv_input_create_vp in = {
				.partition_id = child,
				.vp_index = index,
				.proximity_domain_info.flags = (1u << bit) |
					(valid ? HV_PROXIMITY_DOMAIN_VALID : 0),
			};
			hv_status_t st = t_create_vp_in(hv, T_ROOT, &in);

			CHECK_MSG(st == HV_STATUS_INVALID_PARAMETER,
				  "proximity bit %u valid %d: got %s", bit,
				  valid, ohv_status_name(st));
		}
	}
	CHECK_EQ(t_info(hv, child).vps, made);
	CHECK_EQ(t_info(hv, child).pool_in_use, INIT_COST + made * VP_COST);
	t_close(hv);
}

/* spec.md §7: VpIndex already used or >= OHV_MAX_VPS (64) -> INVALID_VP_INDEX. */
TEST(create_vp_index)
{
	static const struct {
		const char *name;
		uint32_t vp;
		hv_status_t st;
	} rows[] = {
		{ "VP 0", 0, HV_STATUS_SUCCESS },
		{ "VP 0 again", 0, HV_STATUS_INVALID_VP_INDEX },
		{ "VP 63", 63, HV_STATUS_SUCCESS },
		{ "VP 63 again", 63, HV_STATUS_INVALID_VP_INDEX },
		{ "VP 64", 64, HV_STATUS_INVALID_VP_INDEX },
		{ "VP 65", 65, HV_STATUS_INVALID_VP_INDEX },
		{ "HV_VP_INDEX_SELF", HV_VP_INDEX_SELF,
		  HV_STATUS_INVALID_VP_INDEX },
		{ "HV_ANY_VP", HV_ANY_VP, HV_STATUS_INVALID_VP_INDEX },
		{ "0x80000000", 0x80000000u, HV_STATUS_INVALID_VP_INDEX },
	};
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = active_child(hv, &next, VP_COST * OHV_MAX_VPS);

	CHECK_EQ(OHV_MAX_VPS, 64);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct t_snap before;

		t_snap_take(hv, &before);
		hv_status_t st = t_create_vp(hv, child, rows[i].vp);

		CHECK_MSG(st == rows[i].st, "%s: got %s, want %s", rows[i].name,
			  ohv_status_name(st), ohv_status_name(rows[i].st));
		if (rows[i].st != HV_STATUS_SUCCESS)
			t_snap_same(hv, &before, rows[i].name);
	}
	/* Fill every index: all 64 fit, then there is none left. */
	for (uint32_t vp = 1; vp < 63; vp++)
		CHECK_ST(t_create_vp(hv, child, vp), HV_STATUS_SUCCESS);
	struct ohv_partition_info info = t_info(hv, child);

	CHECK_EQ(info.vps, OHV_MAX_VPS);
	CHECK_EQ(info.pool_in_use, INIT_COST + VP_COST * OHV_MAX_VPS);
	CHECK_EQ(info.pool_available, 0);
	for (uint32_t vp = 0; vp < OHV_MAX_VPS; vp++)
		CHECK_MSG(t_create_vp(hv, child, vp) == HV_STATUS_INVALID_VP_INDEX,
			  "VP %u created twice", vp);
	CHECK_ST(t_create_vp(hv, child, 64), HV_STATUS_INVALID_VP_INDEX);

	/* The index check comes before the pool check (spec.md §7 lists it
	 * first): an empty pool does not hide a used index. */
	CHECK_EQ(t_info(hv, child).pool_available, 0);
	CHECK_ST(t_create_vp(hv, child, 5), HV_STATUS_INVALID_VP_INDEX);
	t_close(hv);
}

/*
 * spec.md §7 / 5.4: pool available < costs.vp -> INSUFFICIENT_MEMORY, nothing
 * charged; with exactly costs.vp pages it succeeds.  Default and
 * non-default costs.
 */
TEST(create_vp_insufficient_memory)
{
	static const struct {
		uint32_t cost;
		uint32_t available;
		hv_status_t st;
	} rows[] = {
		{ 8, 0, HV_STATUS_INSUFFICIENT_MEMORY },
		{ 8, 1, HV_STATUS_INSUFFICIENT_MEMORY },
		{ 8, 7, HV_STATUS_INSUFFICIENT_MEMORY },
		{ 8, 8, HV_STATUS_SUCCESS },
		{ 8, 9, HV_STATUS_SUCCESS },
		{ 3, 2, HV_STATUS_INSUFFICIENT_MEMORY },
		{ 3, 3, HV_STATUS_SUCCESS },
		{ 90, 89, HV_STATUS_INSUFFICIENT_MEMORY },
		{ 90, 90, HV_STATUS_SUCCESS },
		{ 1, 0, HV_STATUS_INSUFFICIENT_MEMORY },
		{ 1, 1, HV_STATUS_SUCCESS },
		/* A free VP: never short. */
		{ 0, 0, HV_STATUS_SUCCESS },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv_config cfg;

		t_config(&cfg);
		cfg.costs.vp = rows[i].cost;
		struct ohv *hv = t_open(&cfg);
		uint64_t next = T_FIRST_FREE_PAGE;
		uint64_t child = active_child(hv, &next, rows[i].available);
		struct t_snap before;
		char what[64];

		snprintf(what, sizeof(what), "cost %u, %u available",
			 rows[i].cost, rows[i].available);
		t_snap_take(hv, &before);
		hv_status_t st = t_create_vp(hv, child, 0);

		CHECK_MSG(st == rows[i].st, "%s: got %s, want %s", what,
			  ohv_status_name(st), ohv_status_name(rows[i].st));
		struct ohv_partition_info info = t_info(hv, child);

		if (rows[i].st == HV_STATUS_SUCCESS) {
			CHECK_EQ(info.vps, 1);
			CHECK_EQ(info.pool_in_use, INIT_COST + rows[i].cost);
			CHECK_EQ(info.pool_available,
				 rows[i].available - rows[i].cost);
		} else {
			t_snap_same(hv, &before, what);
			/* One more page is all it takes when one was short. */
			if (rows[i].available + 1 == rows[i].cost) {
				t_fund(hv, child, &next, 1);
				CHECK_ST(t_create_vp(hv, child, 0),
					 HV_STATUS_SUCCESS);
			}
		}
		t_close(hv);
	}
}

/*
 * Facts §3.2 0x004E, seed 001's wording: host exhaustion -> NO_RESOURCES,
 * never INSUFFICIENT_MEMORY, and nothing changes: the pool keeps its pages
 * and the index stays free.
 */
TEST(create_vp_no_resources)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = active_child(hv, &next, VP_COST * 2);
	struct t_snap before;

	REQUIRE_ST(t_create_vp(hv, child, 0), HV_STATUS_SUCCESS);
	t_snap_take(hv, &before);
	ohv_debug_fail_alloc(1);
	hv_status_t st = t_create_vp(hv, child, 1);

	ohv_debug_fail_alloc(0);
	CHECK_ST(st, HV_STATUS_NO_RESOURCES);
	t_snap_same(hv, &before, "failed host allocation");
	CHECK_EQ(t_info(hv, child).vps, 1);
	CHECK_EQ(t_info(hv, child).pool_available, VP_COST);

	/* The index was not taken. */
	CHECK_ST(t_create_vp(hv, child, 1), HV_STATUS_SUCCESS);
	CHECK_EQ(t_info(hv, child).vps, 2);
	CHECK_EQ(t_info(hv, child).pool_available, 0);
	t_close(hv);
}

/*
 * Success (spec.md §7, facts §5.7): the VP is explicitly suspended, costs.vp
 * pages of the child's pool are in use, ohv_partition_info counts it.
 */
TEST(create_vp_success)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = active_child(hv, &next, VP_COST * 3 + 5);
	uint64_t root_avail, root_in_use, avail, in_use;

	REQUIRE_ST(t_balance(hv, HV_PARTITION_ID_SELF, &root_avail,
			     &root_in_use), HV_STATUS_SUCCESS);
	static const uint32_t order[] = { 7, 0, 63 };

	for (uint32_t i = 0; i < ARRAY_SIZE(order); i++) {
		REQUIRE_ST(t_create_vp(hv, child, order[i]), HV_STATUS_SUCCESS);
		REQUIRE_ST(t_balance(hv, child, &avail, &in_use),
			   HV_STATUS_SUCCESS);
		CHECK_EQ(in_use, INIT_COST + VP_COST * (i + 1));
		CHECK_EQ(avail, VP_COST * (3 - i - 1) + 5);
		CHECK_EQ(t_info(hv, child).vps, i + 1);
		CHECK_EQ(suspend_of(hv, child, order[i]), 1);
	}
	/* The root's pool pays nothing for a child's VP. */
	uint64_t a2, u2;

	REQUIRE_ST(t_balance(hv, HV_PARTITION_ID_SELF, &a2, &u2),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(a2, root_avail);
	CHECK_EQ(u2, root_in_use);
	/* Suspended VPs cannot call (spec.md §2); the test of callers below
	 * covers the rest. */
	CHECK_ST(ping(hv, child, 7), HV_STATUS_INVALID_VP_STATE);
	t_close(hv);
}

/*
 * spec.md §7 with numa_nodes = 2: a VP's pages come from the node its
 * proximity info names (required or preferred).  The child's pool holds
 * pages of both nodes.
 */
TEST(create_vp_numa)
{
	static const struct {
		const char *name;
		uint32_t prox_id, prox_flags;
		uint32_t node;
	} rows[] = {
		{ "required node 1", 1, HV_PROXIMITY_DOMAIN_VALID, 1 },
		{ "required node 0", 0, HV_PROXIMITY_DOMAIN_VALID, 0 },
		{ "preferred node 1", 1,
		  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED, 1 },
		{ "preferred node 0", 0,
		  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED, 0 },
	};
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.numa_nodes = 2;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t node1 = cfg.memory_pages / 2 + T_FIRST_FREE_PAGE;
	uint64_t child = active_child(hv, &next, VP_COST * 4);

	REQUIRE(ohv_frame_node(hv, node1) == 1);
	t_fund(hv, child, &node1, VP_COST * 4);
	for (uint32_t i = 0; i < ARRAY_SIZE(rows); i++) {
		uint64_t a[2], u[2], a2[2], u2[2];
		struct hv_input_create_vp in = {
			.partition_id = child,
			.vp_index = i,
			.proximity_domain_info = { rows[i].prox_id,
						   rows[i].prox_flags },
		};

		for (uint32_t n = 0; n < 2; n++)
			REQUIRE(ohv_pool_node_balance(hv, child, n, &a[n],
						      &u[n]) == 0);
		CHECK_MSG(t_create_vp_in(hv, T_ROOT, &in) == HV_STATUS_SUCCESS,
			  "%s", rows[i].name);
		for (uint32_t n = 0; n < 2; n++)
			REQUIRE(ohv_pool_node_balance(hv, child, n, &a2[n],
						      &u2[n]) == 0);
		uint32_t want = rows[i].node, other = 1 - want;

		CHECK_MSG(u2[want] == u[want] + VP_COST &&
			  a2[want] + VP_COST == a[want],
			  "%s: node %u in use %" PRIu64 " -> %" PRIu64,
			  rows[i].name, want, u[want], u2[want]);
		CHECK_MSG(u2[other] == u[other] && a2[other] == a[other],
			  "%s: node %u touched", rows[i].name, other);
	}

	/* HvGetMemoryBalance per node agrees (spec.md §5.3). */
	for (uint32_t n = 0; n < 2; n++) {
		struct hv_input_get_memory_balance in = {
			.partition_id = child,
			.proximity_domain_info = { n, HV_PROXIMITY_DOMAIN_VALID },
		};
		struct hv_output_get_memory_balance out;
		uint64_t a, u;

		CHECK_ST(t_mem(hv, T_ROOT, HVCALL_GET_MEMORY_BALANCE, &in,
			       sizeof(in), &out, sizeof(out)),
			 HV_STATUS_SUCCESS);
		REQUIRE(ohv_pool_node_balance(hv, child, n, &a, &u) == 0);
		CHECK_EQ(out.pages_available, a);
		CHECK_EQ(out.pages_in_use, u);
	}
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* HvDeleteVp (facts §3.2 0x004F; spec.md §7).                                 */

TEST(delete_vp_statuses)
{
	static const struct {
		const char *name;
		enum who caller, target;
		uint32_t vp;
		hv_status_t st;
	} rows[] = {
		{ "root: id 0", W_ROOT, W_ZERO, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "root: SELF", W_ROOT, W_SELF, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "root: never issued", W_ROOT, W_UNKNOWN, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "root: deleted", W_ROOT, W_DELETED, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "root: its own VP 0", W_ROOT, W_ROOT, 0,
		  HV_STATUS_ACCESS_DENIED },
		{ "child: sibling's VP 0", W_A, W_B, 0, HV_STATUS_ACCESS_DENIED },
		{ "child: root's VP 0", W_A, W_ROOT, 0, HV_STATUS_ACCESS_DENIED },
		{ "child: its own VP 0 by id", W_A, W_A, 0,
		  HV_STATUS_ACCESS_DENIED },
		{ "child: SELF", W_A, W_SELF, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "child with VP regs: sibling", W_A49, W_B, 0,
		  HV_STATUS_ACCESS_DENIED },
		{ "root: Uninitialized", W_ROOT, W_U, 0,
		  HV_STATUS_INVALID_PARTITION_STATE },
		/* F had VP 0; finalize took it, and the state says so first. */
		{ "root: Finalized", W_ROOT, W_F, 0,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "root: missing VP 5", W_ROOT, W_B, 5, HV_STATUS_INVALID_VP_INDEX },
		{ "root: VP 63 never made", W_ROOT, W_B, 63,
		  HV_STATUS_INVALID_VP_INDEX },
		{ "root: VP 64", W_ROOT, W_B, 64, HV_STATUS_INVALID_VP_INDEX },
		{ "root: HV_VP_INDEX_SELF", W_ROOT, W_B, HV_VP_INDEX_SELF,
		  HV_STATUS_INVALID_VP_INDEX },
		{ "root: HV_ANY_VP", W_ROOT, W_B, HV_ANY_VP,
		  HV_STATUS_INVALID_VP_INDEX },
		{ "root: VP 0 of an Active child", W_ROOT, W_B, 0,
		  HV_STATUS_SUCCESS },
		{ "root: the same VP again", W_ROOT, W_B, 0,
		  HV_STATUS_INVALID_VP_INDEX },
	};
	struct ohv *hv = t_open(NULL);
	struct world w;

	make_world(hv, &w, true);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct t_snap before;

		t_snap_take(hv, &before);
		hv_status_t st = t_delete_vp_as(hv, who_id(&w, rows[i].caller),
						who_id(&w, rows[i].target),
						rows[i].vp);

		CHECK_MSG(st == rows[i].st, "%s: got %s, want %s", rows[i].name,
			  ohv_status_name(st), ohv_status_name(rows[i].st));
		if (rows[i].st != HV_STATUS_SUCCESS)
			t_snap_same(hv, &before, rows[i].name);
	}
	/* The root's and A's VP 0 survived every attempt. */
	CHECK_EQ(t_info(hv, T_ROOT).vps, 1);
	CHECK_EQ(t_info(hv, w.a).vps, 1);
	CHECK_ST(ping(hv, w.a, 0), HV_STATUS_SUCCESS);
	t_close(hv);
}

/*
 * spec.md §7 "HvDeleteVp returns its pages": available again, the index is
 * free, and a VP made there again starts from the reset state.
 */
TEST(delete_vp_returns_pages)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = active_child(hv, &next, VP_COST * 2);
	uint64_t avail, in_use, v;

	REQUIRE_ST(t_create_vp(hv, child, 3), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_create_vp(hv, child, 4), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_set_reg64(hv, T_ROOT, child, 3, HV_X64_REGISTER_RAX,
			       0x1234), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_set_reg64(hv, T_ROOT, child, 3,
			       HV_REGISTER_EXPLICIT_SUSPEND, 0),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(t_balance(hv, child, &avail, &in_use), HV_STATUS_SUCCESS);
	CHECK_EQ(avail, 0);
	CHECK_EQ(in_use, INIT_COST + 2 * VP_COST);

	CHECK_ST(t_delete_vp(hv, child, 3), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_balance(hv, child, &avail, &in_use), HV_STATUS_SUCCESS);
	CHECK_EQ(avail, VP_COST);
	CHECK_EQ(in_use, INIT_COST + VP_COST);
	CHECK_EQ(t_info(hv, child).vps, 1);
	/* The deleted VP is gone for register calls and as a caller. */
	CHECK_ST(t_get_reg64(hv, T_ROOT, child, 3, HV_X64_REGISTER_RAX, &v),
		 HV_STATUS_INVALID_VP_INDEX);
	CHECK_ST(ping(hv, child, 3), HV_STATUS_INVALID_VP_INDEX);
	/* VP 4 is untouched. */
	CHECK_EQ(suspend_of(hv, child, 4), 1);

	/* Reusable, with the pages just returned, from the reset state. */
	CHECK_ST(t_create_vp(hv, child, 3), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_balance(hv, child, &avail, &in_use), HV_STATUS_SUCCESS);
	CHECK_EQ(avail, 0);
	CHECK_EQ(in_use, INIT_COST + 2 * VP_COST);
	REQUIRE_ST(t_get_reg64(hv, T_ROOT, child, 3, HV_X64_REGISTER_RAX, &v),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(v, 0);
	CHECK_EQ(suspend_of(hv, child, 3), 1);

	/* Delete all: the pool is back to what initialize left. */
	CHECK_ST(t_delete_vp(hv, child, 3), HV_STATUS_SUCCESS);
	CHECK_ST(t_delete_vp(hv, child, 4), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_balance(hv, child, &avail, &in_use), HV_STATUS_SUCCESS);
	CHECK_EQ(avail, 2 * VP_COST);
	CHECK_EQ(in_use, INIT_COST);
	CHECK_EQ(t_info(hv, child).vps, 0);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Registers (spec.md §7; facts §4.10 for the SynIC).                          */

/* Every name spec.md §7 lists, in the order of the x64 register ids. */
static const uint32_t all_names[] = {
	HV_REGISTER_EXPLICIT_SUSPEND,
	HV_X64_REGISTER_RAX, HV_X64_REGISTER_RCX, HV_X64_REGISTER_RDX,
	HV_X64_REGISTER_RBX, HV_X64_REGISTER_RSP, HV_X64_REGISTER_RBP,
	HV_X64_REGISTER_RSI, HV_X64_REGISTER_RDI, HV_X64_REGISTER_R8,
	HV_X64_REGISTER_R9, HV_X64_REGISTER_R10, HV_X64_REGISTER_R11,
	HV_X64_REGISTER_R12, HV_X64_REGISTER_R13, HV_X64_REGISTER_R14,
	HV_X64_REGISTER_R15, HV_X64_REGISTER_RIP, HV_X64_REGISTER_RFLAGS,
	HV_X64_REGISTER_CR0, HV_X64_REGISTER_CR2, HV_X64_REGISTER_CR3,
	HV_X64_REGISTER_CR4, HV_X64_REGISTER_CR8,
	HV_X64_REGISTER_ES, HV_X64_REGISTER_CS, HV_X64_REGISTER_SS,
	HV_X64_REGISTER_DS, HV_X64_REGISTER_FS, HV_X64_REGISTER_GS,
	HV_X64_REGISTER_LDTR, HV_X64_REGISTER_TR,
	HV_X64_REGISTER_IDTR, HV_X64_REGISTER_GDTR,
	HV_X64_REGISTER_EFER,
	HV_REGISTER_GUEST_OS_ID,
	HV_REGISTER_SINT0, HV_REGISTER_SINT0 + 1, HV_REGISTER_SINT0 + 2,
	HV_REGISTER_SINT0 + 3, HV_REGISTER_SINT0 + 4, HV_REGISTER_SINT0 + 5,
	HV_REGISTER_SINT0 + 6, HV_REGISTER_SINT0 + 7, HV_REGISTER_SINT0 + 8,
	HV_REGISTER_SINT0 + 9, HV_REGISTER_SINT0 + 10, HV_REGISTER_SINT0 + 11,
	HV_REGISTER_SINT0 + 12, HV_REGISTER_SINT0 + 13, HV_REGISTER_SINT0 + 14,
	HV_REGISTER_SINT15,
	HV_REGISTER_SCONTROL, HV_REGISTER_SVERSION, HV_REGISTER_SIEFP,
	HV_REGISTER_SIMP, HV_REGISTER_EOM,
};

static bool is_segment(uint32_t name)
{
	return name >= HV_X64_REGISTER_ES && name <= HV_X64_REGISTER_TR;
}

static bool is_table(uint32_t name)
{
	return name == HV_X64_REGISTER_IDTR || name == HV_X64_REGISTER_GDTR;
}

/*
 * The x86 INIT state (Intel SDM "Processor State After Reset", TLFS 2.0
 * §10.4.1), the SynIC defaults of facts §4.10 and ExplicitSuspend = 1
 * (facts §5.7).  Segments: selector 0, base 0, limit 0xFFFF except CS
 * (0xF000, 0xFFFF0000); IDTR and GDTR base 0, limit 0xFFFF.
 */
static uint64_t initial_value(uint32_t name)
{
	if (name >= HV_REGISTER_SINT0 && name <= HV_REGISTER_SINT15)
		return HV_SYNIC_SINT_MASKED;	/* 0x10000 */
	switch (name) {
	case HV_REGISTER_EXPLICIT_SUSPEND:
		return 1;
	case HV_X64_REGISTER_RIP:
		return 0xFFF0;
	case HV_X64_REGISTER_RFLAGS:
		return 0x2;
	case HV_X64_REGISTER_CR0:
		return 0x60000010;
	case HV_REGISTER_SVERSION:
		return 1;
	}
	return 0;
}

TEST(registers_initial_state)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = active_child(hv, &next, VP_COST * 2);
	union hv_register_value vals[ARRAY_SIZE(all_names)];

	REQUIRE_ST(t_create_vp(hv, child, 0), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_create_vp(hv, child, 9), HV_STATUS_SUCCESS);
	for (uint32_t vp = 0; vp <= 9; vp += 9) {
		uint64_t r = t_get_regs(hv, T_ROOT, child, vp, 0, all_names,
					ARRAY_SIZE(all_names), vals);

		REQUIRE_ST(r, HV_STATUS_SUCCESS);
		CHECK_EQ(ohv_result_reps(r), ARRAY_SIZE(all_names));
		for (size_t i = 0; i < ARRAY_SIZE(all_names); i++) {
			uint32_t name = all_names[i];
			const union hv_register_value *v = &vals[i];

			if (is_segment(name)) {
				bool cs = name == HV_X64_REGISTER_CS;

				CHECK_MSG(v->segment.base == (cs ? 0xFFFF0000u : 0) &&
					  v->segment.selector == (cs ? 0xF000 : 0) &&
					  v->segment.limit == 0xFFFF,
					  "VP %u segment 0x%x: base 0x%" PRIx64
					  " selector 0x%x limit 0x%x", vp, name,
					  v->segment.base, v->segment.selector,
					  v->segment.limit);
			} else if (is_table(name)) {
				CHECK_MSG(v->table.base == 0 &&
					  v->table.limit == 0xFFFF,
					  "VP %u table 0x%x: base 0x%" PRIx64
					  " limit 0x%x", vp, name, v->table.base,
					  v->table.limit);
			} else {
				CHECK_MSG(v->reg64 == initial_value(name),
					  "VP %u register 0x%x = 0x%" PRIx64
					  ", want 0x%" PRIx64, vp, name,
					  v->reg64, initial_value(name));
			}
		}
	}
	t_close(hv);
}

/* A value for each writable register, distinct per name and VP. */
static struct hv_register_assoc sample(uint32_t name, uint32_t salt)
{
	struct hv_register_assoc a = { .name = name };
	uint64_t mix = ((uint64_t)name * 0x9E3779B97F4A7C15ull) ^
		       ((uint64_t)salt << 56);

	if (is_segment(name)) {
		a.value.segment.base = mix;
		a.value.segment.limit = (uint32_t)(mix >> 7);
		a.value.segment.selector = (uint16_t)(name * 8 + salt);
		a.value.segment.attributes = (uint16_t)(0xC093 + salt);
	} else if (is_table(name)) {
		a.value.table.base = mix;
		a.value.table.limit = (uint16_t)(mix >> 3);
	} else if (name == HV_REGISTER_EXPLICIT_SUSPEND) {
		a.value.reg64 = 0;	/* bit 0 only: the one legal change */
	} else if (name >= HV_REGISTER_SINT0 && name <= HV_REGISTER_SINT15) {
		/* Vector 0x20 + n, unmasked, AutoEOI on odd SINTs. */
		a.value.reg64 = 0x20 + (name - HV_REGISTER_SINT0) +
				((name & 1) ? HV_SYNIC_SINT_AUTO_EOI : 0);
	} else if (name == HV_REGISTER_SCONTROL) {
		a.value.reg64 = HV_SYNIC_SCONTROL_ENABLE;
	} else if (name == HV_REGISTER_SIEFP || name == HV_REGISTER_SIMP) {
		a.value.reg64 = ((uint64_t)(name & 0xFF) + salt) << 12 | 1;
	} else {
		a.value.reg64 = mix;
	}
	return a;
}

static bool writable(uint32_t name)
{
	return name != HV_REGISTER_SVERSION;
}

/*
 * spec.md §7: every listed register written and read back (16-byte segment
 * values whole; IDTR/GDTR limit and base), in one rep call each way, on
 * two VPs that must not see each other's values.  EOM takes the write
 * and reads 0; SVERSION reads 1.  Reserved fields of the set element are
 * ignored (spec.md §3.2).  GuestOsId is left out of the per-VP comparison:
 * like the x64 guest OS id MSR it may be partition-wide.
 */
TEST(registers_round_trip)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.root_vps = 2;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = active_child(hv, &next, VP_COST * 2);
	const uint64_t targets[][2] = {
		{ child, 0 }, { child, 1 }, { T_ROOT, 1 },
	};
	struct hv_register_assoc set[ARRAY_SIZE(all_names)];
	union hv_register_value got[ARRAY_SIZE(all_names)];

	REQUIRE_ST(t_create_vp(hv, child, 0), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_create_vp(hv, child, 1), HV_STATUS_SUCCESS);
	for (uint32_t t = 0; t < ARRAY_SIZE(targets); t++) {
		uint32_t n = 0;

		for (size_t i = 0; i < ARRAY_SIZE(all_names); i++) {
			if (!writable(all_names[i]))
				continue;
			set[n] = sample(all_names[i], t);
			set[n].reserved1 = 0xFFFFFFFFu;
			set[n].reserved2 = POISON;
			n++;
		}
		uint64_t r = t_set_regs(hv, T_ROOT, targets[t][0],
					(uint32_t)targets[t][1], 0, set, n);

		CHECK_ST(r, HV_STATUS_SUCCESS);
		CHECK_EQ(ohv_result_reps(r), n);
	}
	for (uint32_t t = 0; t < ARRAY_SIZE(targets); t++) {
		uint64_t r = t_get_regs(hv, T_ROOT, targets[t][0],
					(uint32_t)targets[t][1], 0, all_names,
					ARRAY_SIZE(all_names), got);

		REQUIRE_ST(r, HV_STATUS_SUCCESS);
		for (size_t i = 0; i < ARRAY_SIZE(all_names); i++) {
			uint32_t name = all_names[i];
			struct hv_register_assoc want = sample(name, t);
			const union hv_register_value *v = &got[i];

			if (name == HV_REGISTER_SVERSION) {
				CHECK_EQ(v->reg64, HV_SYNIC_VERSION_1);
			} else if (name == HV_REGISTER_EOM) {
				CHECK_MSG(v->reg64 == 0, "EOM reads 0x%" PRIx64,
					  v->reg64);
			} else if (name == HV_REGISTER_GUEST_OS_ID) {
				continue;
			} else if (is_segment(name)) {
				CHECK_MSG(!memcmp(&v->segment, &want.value.segment,
						  sizeof(v->segment)),
					  "target %u segment 0x%x differs", t,
					  name);
			} else if (is_table(name)) {
				CHECK_MSG(v->table.base == want.value.table.base &&
					  v->table.limit == want.value.table.limit,
					  "target %u table 0x%x differs", t, name);
			} else {
				CHECK_MSG(v->reg64 == want.value.reg64,
					  "target %u register 0x%x = 0x%" PRIx64
					  ", want 0x%" PRIx64, t, name, v->reg64,
					  want.value.reg64);
			}
		}
	}
	/* GuestOsId: the last write wins wherever it is read from. */
	uint64_t id = 0x8100000000001234ull, v;

	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 1, HV_REGISTER_GUEST_OS_ID, id),
		 HV_STATUS_SUCCESS);
	CHECK_ST(t_get_reg64(hv, T_ROOT, child, 1, HV_REGISTER_GUEST_OS_ID, &v),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(v, id);
	/* ExplicitSuspend went 1 -> 0 on the child's VPs: they now run. */
	CHECK_ST(ping(hv, child, 0), HV_STATUS_SUCCESS);
	CHECK_ST(ping(hv, child, 1), HV_STATUS_SUCCESS);
	t_close(hv);
}

/*
 * spec.md §7: an unknown name, a write to a read-only register (SVERSION) and
 * a value ExplicitSuspend cannot hold are INVALID_PARAMETER with reps
 * completed = the element's index; the elements before it are done (set)
 * or written (get, spec.md §3.2), the ones after are not.
 */
TEST(registers_bad_element)
{
	static const struct {
		const char *name;
		uint32_t reg;
		uint64_t value;
		hv_status_t get, set;
	} rows[] = {
		{ "InterceptSuspend = 2", HV_REGISTER_INTERCEPT_SUSPEND, 2,
		  HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARAMETER },
		{ "DispatchSuspend", 0x00000003u, 0,
		  HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_PARAMETER },
		{ "GPR after RFLAGS", 0x00020012u, 0,
		  HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_PARAMETER },
		{ "CR after XFEM", 0x00040006u, 0,
		  HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_PARAMETER },
		{ "segment after TR", 0x00060008u, 0,
		  HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_PARAMETER },
		{ "table after GDTR", 0x00070002u, 0,
		  HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_PARAMETER },
		{ "0x00080FFF (unnamed MSR)", 0x00080FFFu, 0,
		  HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_PARAMETER },
		{ "0x00090005", 0x00090005u, 0,
		  HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_PARAMETER },
		{ "after EOM", 0x000A0015u, 0,
		  HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_PARAMETER },
		{ "the SCONTROL MSR number", 0x40000080u, 0,
		  HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_PARAMETER },
		{ "0xFFFFFFFF", 0xFFFFFFFFu, 0,
		  HV_STATUS_INVALID_PARAMETER, HV_STATUS_INVALID_PARAMETER },
		{ "SVERSION (read-only)", HV_REGISTER_SVERSION, 1,
		  HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARAMETER },
		{ "ExplicitSuspend = 2", HV_REGISTER_EXPLICIT_SUSPEND, 2,
		  HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARAMETER },
		{ "ExplicitSuspend = 3", HV_REGISTER_EXPLICIT_SUSPEND, 3,
		  HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARAMETER },
		{ "ExplicitSuspend bit 63", HV_REGISTER_EXPLICIT_SUSPEND,
		  1ull << 63, HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARAMETER },
	};
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = active_child(hv, &next, VP_COST);

	REQUIRE_ST(t_create_vp(hv, child, 0), HV_STATUS_SUCCESS);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		/* The bad element at each position of a 4-element list. */
		for (uint32_t pos = 0; pos < 4; pos++) {
			static const uint32_t good[] = {
				HV_X64_REGISTER_RAX, HV_X64_REGISTER_RBX,
				HV_X64_REGISTER_RCX,
			};
			struct hv_register_assoc set[4], zero[3];
			uint32_t names[4];
			union hv_register_value got[4];
			uint32_t k = 0;

			for (uint32_t e = 0; e < 4; e++) {
				if (e == pos) {
					set[e] = (struct hv_register_assoc){
						.name = rows[i].reg,
						.value.reg64 = rows[i].value,
					};
				} else {
					set[e] = (struct hv_register_assoc){
						.name = good[k],
						.value.reg64 = 0x1000 + e,
					};
					zero[k] = set[e];
					zero[k].value.reg64 = 0;
					k++;
				}
				names[e] = set[e].name;
			}
			REQUIRE_ST(t_set_regs(hv, T_ROOT, child, 0, 0, zero, 3),
				   HV_STATUS_SUCCESS);
			uint64_t suspended = suspend_of(hv, child, 0);
			uint64_t r = t_set_regs(hv, T_ROOT, child, 0, 0, set, 4);
			uint32_t want_reps = rows[i].set ? pos : 4;

			CHECK_MSG(ohv_result_status(r) == rows[i].set &&
				  ohv_result_reps(r) == want_reps,
				  "set %s at %u: %s reps %u", rows[i].name, pos,
				  ohv_status_name(ohv_result_status(r)),
				  ohv_result_reps(r));
			/* Set: before pos done, after it not. */
			for (uint32_t e = 0; e < 4; e++) {
				uint64_t v;

				if (e == pos)
					continue;
				REQUIRE_ST(t_get_reg64(hv, T_ROOT, child, 0,
						       set[e].name, &v),
					   HV_STATUS_SUCCESS);
				uint64_t want = e < want_reps ?
					set[e].value.reg64 : 0;

				CHECK_MSG(v == want, "set %s at %u: element %u "
					  "= 0x%" PRIx64 ", want 0x%" PRIx64,
					  rows[i].name, pos, e, v, want);
			}
			if (rows[i].reg == HV_REGISTER_EXPLICIT_SUSPEND)
				CHECK_EQ(suspend_of(hv, child, 0), suspended);

			/* Get: [0, pos) written, the rest untouched. */
			r = t_get_regs(hv, T_ROOT, child, 0, 0, names, 4, got);
			want_reps = rows[i].get ? pos : 4;
			CHECK_MSG(ohv_result_status(r) == rows[i].get &&
				  ohv_result_reps(r) == want_reps,
				  "get %s at %u: %s reps %u", rows[i].name, pos,
				  ohv_status_name(ohv_result_status(r)),
				  ohv_result_reps(r));
			for (uint32_t e = 0; e < 4; e++) {
				bool written = e < want_reps;

				CHECK_MSG(written == (got[e].reg128[0] != POISON ||
						      got[e].reg128[1] != POISON),
					  "get %s at %u: element %u %s", rows[i].name,
					  pos, e, written ? "not written" :
					  "written past the failure");
			}
		}
	}
	t_close(hv);
}

/* EOM (facts §4.10): a write-only trigger; any value is accepted and a
 * read returns 0. */
TEST(registers_eom)
{
	static const uint64_t values[] = { 0, 1, 0xFFFFFFFFFFFFFFFFull };
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = active_child(hv, &next, VP_COST);
	uint64_t v;

	REQUIRE_ST(t_create_vp(hv, child, 0), HV_STATUS_SUCCESS);
	for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
		CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0, HV_REGISTER_EOM,
				     values[i]), HV_STATUS_SUCCESS);
		v = POISON;
		CHECK_ST(t_get_reg64(hv, T_ROOT, child, 0, HV_REGISTER_EOM, &v),
			 HV_STATUS_SUCCESS);
		CHECK_EQ(v, 0);
	}
	t_close(hv);
}

/*
 * The names Linux's mshv clients use beyond spec.md §7's first set
 * (rust-vmm/mshv 0.7.0 names them for MSRs and special registers): the
 * MTRR ranges and CET registers keep what is written; an intermediate CR
 * is its CR; the hypercall and reference TSC registers are the
 * partition's MSRs, with their rules; DeliverabilityNotifications refuses
 * an NMI notification and its reserved bits.
 */
TEST(registers_mshv_names)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = active_child(hv, &next, VP_COST);
	uint64_t v;

	REQUIRE_ST(t_create_vp(hv, child, 0), HV_STATUS_SUCCESS);
	const uint32_t plain[] = {
		HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0,
		HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0 + 7,
		HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0,
		HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0 + 7,
		HV_X64_REGISTER_MSR_MTRR_FIX64K00000,
		HV_X64_REGISTER_MSR_MTRR_FIX16KA0000,
		HV_X64_REGISTER_MSR_MTRR_FIX4KC0000 + 7,
		HV_X64_REGISTER_U_CET, HV_X64_REGISTER_U_CET + 2,
		HV_X64_REGISTER_INTERRUPT_SSP_TABLE_ADDR,
	};
	for (size_t i = 0; i < ARRAY_SIZE(plain); i++) {
		v = POISON;
		CHECK_ST(t_get_reg64(hv, T_ROOT, child, 0, plain[i], &v),
			 HV_STATUS_SUCCESS);
		CHECK_EQ(v, 0);
		CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0, plain[i], 0x1000 + i),
			 HV_STATUS_SUCCESS);
		CHECK_ST(t_get_reg64(hv, T_ROOT, child, 0, plain[i], &v),
			 HV_STATUS_SUCCESS);
		CHECK_EQ(v, 0x1000 + i);
	}
	/* Each variable range has its own register. */
	CHECK_ST(t_get_reg64(hv, T_ROOT, child, 0,
			     HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0 + 1, &v),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(v, 0);

	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0,
			     HV_X64_REGISTER_INTERMEDIATE_CR4, 0x20),
		 HV_STATUS_SUCCESS);
	CHECK_ST(t_get_reg64(hv, T_ROOT, child, 0, HV_X64_REGISTER_CR4, &v),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(v, 0x20);
	CHECK_ST(t_get_reg64(hv, T_ROOT, child, 0,
			     HV_X64_REGISTER_INTERMEDIATE_CR4, &v),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(v, 0x20);

	/* Enabling the hypercall page waits for a guest OS id. */
	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0, HV_X64_REGISTER_HYPERCALL,
			     0x5000 | 1), HV_STATUS_SUCCESS);
	CHECK_ST(t_get_reg64(hv, T_ROOT, child, 0, HV_X64_REGISTER_HYPERCALL,
			     &v), HV_STATUS_SUCCESS);
	CHECK_EQ(v, 0x5000);
	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0, HV_REGISTER_GUEST_OS_ID, 1),
		 HV_STATUS_SUCCESS);
	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0, HV_X64_REGISTER_HYPERCALL,
			     0x5000 | 1), HV_STATUS_SUCCESS);
	CHECK_ST(t_get_reg64(hv, T_ROOT, child, 0, HV_X64_REGISTER_HYPERCALL,
			     &v), HV_STATUS_SUCCESS);
	CHECK_EQ(v, 0x5001);
	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0, HV_X64_REGISTER_HYPERCALL,
			     0x5000 | 4), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0, HV_REGISTER_REFERENCE_TSC,
			     0x6000 | 2), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0, HV_REGISTER_REFERENCE_TSC,
			     0x6000), HV_STATUS_SUCCESS);
	CHECK_ST(t_get_reg64(hv, T_ROOT, child, 0, HV_REGISTER_REFERENCE_TSC,
			     &v), HV_STATUS_SUCCESS);
	CHECK_EQ(v, 0x6000);

	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0,
			     HV_REGISTER_DELIVERABILITY_NOTIFICATIONS, 1),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0,
			     HV_REGISTER_DELIVERABILITY_NOTIFICATIONS, 1ull << 6),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0,
			     HV_REGISTER_DELIVERABILITY_NOTIFICATIONS,
			     1ull << 48 | 2), HV_STATUS_SUCCESS);
	CHECK_ST(t_get_reg64(hv, T_ROOT, child, 0,
			     HV_REGISTER_DELIVERABILITY_NOTIFICATIONS, &v),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(v, 1ull << 48 | 2);

	/* DR6 and DR7 hold nothing past bit 31 (SDM 18.2). */
	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0, HV_X64_REGISTER_DR7,
			     1ull << 32), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0, HV_X64_REGISTER_DR6,
			     1ull << 63), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0, HV_X64_REGISTER_DR7, 0x400),
		 HV_STATUS_SUCCESS);
	t_close(hv);
}

/*
 * Who may get and set registers (spec.md §3.3 and 7: "parent on child, or
 * self with AccessVpRegisters"; the root holds bit 49, children lack it
 * by default), plus the partition-id, state, VP-index and InputVtl
 * statuses (facts §3.2 0x0050).  Each row runs as a get and as a set of
 * R15; a failing set leaves the register as it was.
 *
 * HV_VP_INDEX_SELF (facts §4.1) names the calling VP, so it means
 * something only when the target is the caller's own partition; on a
 * child's partition no VP has that index -> INVALID_VP_INDEX.
 */
TEST(registers_access)
{
	static const struct {
		const char *name;
		enum who caller, target;
		uint32_t vp;
		uint8_t vtl;
		hv_status_t st;
	} rows[] = {
		{ "root on child", W_ROOT, W_B, 0, 0, HV_STATUS_SUCCESS },
		{ "root on child, InputVtl 0x10", W_ROOT, W_B, 0, 0x10,
		  HV_STATUS_SUCCESS },
		{ "InputVtl 1", W_ROOT, W_B, 0, 1, HV_STATUS_INVALID_PARAMETER },
		{ "InputVtl 2", W_ROOT, W_B, 0, 2, HV_STATUS_INVALID_PARAMETER },
		{ "InputVtl 0x0F", W_ROOT, W_B, 0, 0x0F,
		  HV_STATUS_INVALID_PARAMETER },
		{ "InputVtl 0x11", W_ROOT, W_B, 0, 0x11,
		  HV_STATUS_INVALID_PARAMETER },
		{ "InputVtl 0x20", W_ROOT, W_B, 0, 0x20,
		  HV_STATUS_INVALID_PARAMETER },
		{ "InputVtl 0xFF", W_ROOT, W_B, 0, 0xFF,
		  HV_STATUS_INVALID_PARAMETER },
		{ "root on SELF VP 0", W_ROOT, W_SELF, 0, 0, HV_STATUS_SUCCESS },
		{ "root on id 1 VP 0", W_ROOT, W_ROOT, 0, 0, HV_STATUS_SUCCESS },
		{ "root on id 1 VP 1", W_ROOT, W_ROOT, 1, 0, HV_STATUS_SUCCESS },
		{ "root on SELF, HV_VP_INDEX_SELF", W_ROOT, W_SELF,
		  HV_VP_INDEX_SELF, 0, HV_STATUS_SUCCESS },
		{ "root on SELF VP 2 of 2", W_ROOT, W_SELF, 2, 0,
		  HV_STATUS_INVALID_VP_INDEX },
		{ "root on SELF, InputVtl 1", W_ROOT, W_SELF, 0, 1,
		  HV_STATUS_INVALID_PARAMETER },
		{ "root: id 0", W_ROOT, W_ZERO, 0, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "root: never issued", W_ROOT, W_UNKNOWN, 0, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "root: deleted", W_ROOT, W_DELETED, 0, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "root: Uninitialized child", W_ROOT, W_U, 0, 0,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "root: Finalized child", W_ROOT, W_F, 0, 0,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "root: child VP 5 (none)", W_ROOT, W_B, 5, 0,
		  HV_STATUS_INVALID_VP_INDEX },
		{ "root: child VP 64", W_ROOT, W_B, 64, 0,
		  HV_STATUS_INVALID_VP_INDEX },
		{ "root: child HV_ANY_VP", W_ROOT, W_B, HV_ANY_VP, 0,
		  HV_STATUS_INVALID_VP_INDEX },
		{ "root: child HV_VP_INDEX_SELF", W_ROOT, W_B, HV_VP_INDEX_SELF,
		  0, HV_STATUS_INVALID_VP_INDEX },
		{ "child on itself, SELF/VP SELF", W_A, W_SELF,
		  HV_VP_INDEX_SELF, 0, HV_STATUS_ACCESS_DENIED },
		{ "child on itself, SELF/VP 0", W_A, W_SELF, 0, 0,
		  HV_STATUS_ACCESS_DENIED },
		{ "child on itself by id", W_A, W_A, 0, 0,
		  HV_STATUS_ACCESS_DENIED },
		{ "child on sibling", W_A, W_B, 0, 0, HV_STATUS_ACCESS_DENIED },
		{ "child on root", W_A, W_ROOT, 0, 0, HV_STATUS_ACCESS_DENIED },
		{ "child: never issued", W_A, W_UNKNOWN, 0, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "granted child, SELF/VP SELF", W_A49, W_SELF,
		  HV_VP_INDEX_SELF, 0, HV_STATUS_SUCCESS },
		{ "granted child, SELF/VP 0", W_A49, W_SELF, 0, 0,
		  HV_STATUS_SUCCESS },
		{ "granted child by id", W_A49, W_A49, 0, 0, HV_STATUS_SUCCESS },
		{ "granted child, VP 1 (none)", W_A49, W_SELF, 1, 0,
		  HV_STATUS_INVALID_VP_INDEX },
		{ "granted child, InputVtl 1", W_A49, W_SELF, HV_VP_INDEX_SELF,
		  1, HV_STATUS_INVALID_PARAMETER },
		{ "granted child on sibling", W_A49, W_B, 0, 0,
		  HV_STATUS_ACCESS_DENIED },
		{ "granted child on root", W_A49, W_ROOT, 0, 0,
		  HV_STATUS_ACCESS_DENIED },
	};
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.root_vps = 2;
	struct ohv *hv = t_open(&cfg);
	struct world w;

	make_world(hv, &w, true);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		uint64_t caller = who_id(&w, rows[i].caller);
		uint64_t target = who_id(&w, rows[i].target);
		uint32_t name = HV_X64_REGISTER_R15;
		union hv_register_value v;
		uint64_t r;

		/* The VP the row would reach, read by the root. */
		uint64_t obs_id = target == HV_PARTITION_ID_SELF ? caller : target;
		uint32_t obs_vp = rows[i].vp == HV_VP_INDEX_SELF ? 0 : rows[i].vp;
		uint64_t before = POISON;
		bool observable = t_get_reg64(hv, T_ROOT, obs_id, obs_vp, name,
					      &before) == HV_STATUS_SUCCESS;

		memset(&v, 0, sizeof(v));
		r = t_get_regs(hv, caller, target, rows[i].vp, rows[i].vtl,
			       &name, 1, &v);
		CHECK_MSG(ohv_result_status(r) == rows[i].st,
			  "get, %s: got %s, want %s", rows[i].name,
			  ohv_status_name(ohv_result_status(r)),
			  ohv_status_name(rows[i].st));
		CHECK_EQ(ohv_result_reps(r), rows[i].st ? 0 : 1);
		if (rows[i].st == HV_STATUS_SUCCESS)
			CHECK_EQ(v.reg64, before);

		struct hv_register_assoc a = {
			.name = name, .value.reg64 = 0xC0DE0000ull + i,
		};

		r = t_set_regs(hv, caller, target, rows[i].vp, rows[i].vtl, &a,
			       1);
		CHECK_MSG(ohv_result_status(r) == rows[i].st,
			  "set, %s: got %s, want %s", rows[i].name,
			  ohv_status_name(ohv_result_status(r)),
			  ohv_status_name(rows[i].st));
		if (observable) {
			uint64_t after = POISON;

			REQUIRE_ST(t_get_reg64(hv, T_ROOT, obs_id, obs_vp, name,
					       &after), HV_STATUS_SUCCESS);
			CHECK_MSG(after == (rows[i].st ? before :
					    a.value.reg64),
				  "set, %s: R15 = 0x%" PRIx64, rows[i].name,
				  after);
		}
	}
	t_close(hv);
}

/*
 * HV_VP_INDEX_SELF on the caller's own partition is the VP issuing the
 * call: root VP 1 reads its own R15, not VP 0's.
 */
TEST(registers_vp_index_self)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.root_vps = 2;
	struct ohv *hv = t_open(&cfg);

	REQUIRE_ST(t_set_reg64(hv, T_ROOT, T_ROOT, 0, HV_X64_REGISTER_R15, 0xA),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(t_set_reg64(hv, T_ROOT, T_ROOT, 1, HV_X64_REGISTER_R15, 0xB),
		   HV_STATUS_SUCCESS);
	for (uint32_t vp = 0; vp < 2; vp++) {
		struct hv_input_get_vp_registers hdr = {
			.partition_id = HV_PARTITION_ID_SELF,
			.vp_index = HV_VP_INDEX_SELF,
		};
		uint32_t name = HV_X64_REGISTER_R15;
		uint8_t in[sizeof(hdr) + sizeof(name)];
		union hv_register_value out;

		memcpy(in, &hdr, sizeof(hdr));
		memcpy(in + sizeof(hdr), &name, sizeof(name));
		memset(&out, 0, sizeof(out));
		uint64_t r = t_fast_vp(hv, T_ROOT, vp,
				       ohv_control(HVCALL_GET_VP_REGISTERS, 0,
						   1, 0),
				       in, sizeof(in), &out, sizeof(out));

		CHECK_ST(r, HV_STATUS_SUCCESS);
		CHECK_EQ(out.reg64, vp ? 0xB : 0xA);
	}
	t_close(hv);
}

/*
 * A root without AccessVpRegisters (root_privileges lacking bit 49) may
 * not touch its own VPs but still reaches its children's (spec.md §7), and
 * cannot grant the bit (spec.md §4.3: only bits the parent holds), so no
 * child can hold it either.
 */
TEST(registers_root_without_access_vp_registers)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.root_privileges = OHV_ROOT_PRIVILEGES & ~PRIV_VP_REGS;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_runnable_child(hv, &next, 0);
	uint64_t v;
	union hv_register_value val;
	uint32_t name = HV_X64_REGISTER_RAX;

	CHECK_ST(t_get_reg64(hv, T_ROOT, HV_PARTITION_ID_SELF, 0,
			     HV_X64_REGISTER_RAX, &v), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(t_get_reg64(hv, T_ROOT, T_ROOT, 0, HV_X64_REGISTER_RAX, &v),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_ST(t_set_reg64(hv, T_ROOT, T_ROOT, 0, HV_X64_REGISTER_RAX, 1),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_ST(t_set_reg64(hv, T_ROOT, HV_PARTITION_ID_SELF, HV_VP_INDEX_SELF,
			     HV_REGISTER_EXPLICIT_SUSPEND, 1),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_ST(t_get_regs(hv, T_ROOT, HV_PARTITION_ID_SELF, HV_VP_INDEX_SELF,
			    0, &name, 1, &val), HV_STATUS_ACCESS_DENIED);
	/* The root's VP still runs. */
	CHECK_ST(ping(hv, T_ROOT, 0), HV_STATUS_SUCCESS);

	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0, HV_X64_REGISTER_RAX, 7),
		 HV_STATUS_SUCCESS);
	CHECK_ST(t_get_reg64(hv, T_ROOT, child, 0, HV_X64_REGISTER_RAX, &v),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(v, 7);

	/* The bit cannot be handed to a new child. */
	uint64_t other = t_new_child(hv, &next);

	CHECK_ST(t_set_property(hv, other, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
				OHV_CHILD_PRIVILEGES | PRIV_VP_REGS),
		 HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE);
	CHECK_EQ(t_info(hv, other).privileges, OHV_CHILD_PRIVILEGES);
	CHECK_ST(t_get_reg64(hv, child, HV_PARTITION_ID_SELF, HV_VP_INDEX_SELF,
			     HV_X64_REGISTER_RAX, &v), HV_STATUS_ACCESS_DENIED);
	t_close(hv);
}

/*
 * spec.md §3.2 time budget with cfg.rep_limit = 2: a 5-element get or set
 * returns SUCCESS after 2 elements with the control word's rep start
 * advanced; only those elements are written or done; re-issuing finishes.
 */
TEST(registers_rep_partial_progress)
{
	static const uint32_t names[] = {
		HV_X64_REGISTER_RAX, HV_X64_REGISTER_RBX, HV_X64_REGISTER_RCX,
		HV_X64_REGISTER_RDX, HV_X64_REGISTER_RSI,
	};
	const uint32_t n = ARRAY_SIZE(names);
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.rep_limit = 2;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = active_child(hv, &next, VP_COST);
	uint8_t *ip = ohv_gpa(hv, T_ROOT, T_IN_PAGE << 12, HV_PAGE_SIZE);
	uint8_t *op = ohv_gpa(hv, T_ROOT, T_OUT_PAGE << 12, HV_PAGE_SIZE);

	REQUIRE(ip && op);
	REQUIRE_ST(t_create_vp(hv, child, 0), HV_STATUS_SUCCESS);

	/* Set, memory-based, 5 elements. */
	struct hv_input_set_vp_registers sh = {
		.partition_id = child, .vp_index = 0,
	};

	memset(ip, 0, HV_PAGE_SIZE);
	memcpy(ip, &sh, sizeof(sh));
	for (uint32_t i = 0; i < n; i++) {
		struct hv_register_assoc a = {
			.name = names[i], .value.reg64 = 0x100 + i,
		};

		memcpy(ip + sizeof(sh) + i * sizeof(a), &a, sizeof(a));
	}
	struct ohv_hvcall call = {
		.control = ohv_control(HVCALL_SET_VP_REGISTERS, 0, n, 0),
		.fast = { T_IN_PAGE << 12, T_OUT_PAGE << 12 },
	};
	static const uint32_t steps[] = { 2, 4, 5 };

	for (uint32_t s = 0; s < ARRAY_SIZE(steps); s++) {
		uint64_t r = t_call(hv, T_ROOT, 0, &call);

		CHECK_ST(r, HV_STATUS_SUCCESS);
		CHECK_EQ(ohv_result_reps(r), steps[s]);
		if (steps[s] < n)
			CHECK_EQ((call.control >> HV_HYPERCALL_REP_START_OFFSET) &
				 0xFFF, steps[s]);
		/* Exactly the first steps[s] registers are set. */
		for (uint32_t i = 0; i < n; i++) {
			uint64_t v;

			REQUIRE_ST(t_get_reg64(hv, T_ROOT, child, 0, names[i],
					       &v), HV_STATUS_SUCCESS);
			CHECK_EQ(v, i < steps[s] ? 0x100 + i : 0);
		}
		/* t_get_reg64 rewrote the input page: put the set back. */
		memset(ip, 0, HV_PAGE_SIZE);
		memcpy(ip, &sh, sizeof(sh));
		for (uint32_t i = 0; i < n; i++) {
			struct hv_register_assoc a = {
				.name = names[i], .value.reg64 = 0x100 + i,
			};

			memcpy(ip + sizeof(sh) + i * sizeof(a), &a, sizeof(a));
		}
	}

	/* Get, memory-based: the output page keeps its fill past the
	 * elements written so far. */
	struct hv_input_get_vp_registers gh = {
		.partition_id = child, .vp_index = 0,
	};

	memset(ip, 0, HV_PAGE_SIZE);
	memcpy(ip, &gh, sizeof(gh));
	memcpy(ip + sizeof(gh), names, sizeof(names));
	memset(op, 0xA5, HV_PAGE_SIZE);
	call.control = ohv_control(HVCALL_GET_VP_REGISTERS, 0, n, 0);
	for (uint32_t s = 0; s < ARRAY_SIZE(steps); s++) {
		uint64_t r = t_call(hv, T_ROOT, 0, &call);

		CHECK_ST(r, HV_STATUS_SUCCESS);
		CHECK_EQ(ohv_result_reps(r), steps[s]);
		for (uint32_t i = 0; i < n; i++) {
			uint64_t v;

			memcpy(&v, op + 16 * i, sizeof(v));
			CHECK_EQ(v, i < steps[s] ? 0x100 + i : POISON);
		}
	}
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Callers (spec.md §2): a VP that is suspended, deleted or was never made.    */

/*
 * A suspended VP gets INVALID_VP_STATE for any hypercall, and nothing
 * happens; clearing ExplicitSuspend lets the same call through; setting it
 * back refuses it again; a deleted VP is INVALID_VP_INDEX.  The child has
 * CreatePartitions so the probe call would change the tree.
 */
TEST(callers_suspended_vp)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_runnable_child(hv, &next, OHV_CHILD_PRIVILEGES |
					  HV_PARTITION_PRIV_CREATE_PARTITIONS);
	struct hv_input_create_partition in = { 0 };
	uint64_t out;
	struct t_snap before;

	/* VP 1 has the pages already: spare pool covers costs.vp. */
	REQUIRE_ST(t_create_vp(hv, child, 1), HV_STATUS_SUCCESS);
	CHECK_EQ(suspend_of(hv, child, 1), 1);

	const struct {
		const char *name;
		uint64_t control;
	} probes[] = {
		{ "HvCreatePartition", HVCALL_CREATE_PARTITION },
		{ "HvGetNextChildPartition", HVCALL_GET_NEXT_CHILD_PARTITION },
		{ "unknown call code", 0x7FFF },
		{ "reserved control bits", HVCALL_CREATE_PARTITION | (1ull << 31) },
		{ "rep count on a simple call",
		  ohv_control(HVCALL_CREATE_PARTITION, 0, 1, 0) },
	};

	t_snap_take(hv, &before);
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
		out = POISON;
		uint64_t r = t_fast_vp(hv, child, 1, probes[i].control, &in,
				       sizeof(in), &out, sizeof(out));

		CHECK_MSG(ohv_result_status(r) == HV_STATUS_INVALID_VP_STATE,
			  "suspended VP, %s: got %s", probes[i].name,
			  ohv_status_name(ohv_result_status(r)));
		CHECK_EQ(out, POISON);
	}
	t_snap_same(hv, &before, "suspended VP");

	/* VP 0 (running) is not affected. */
	CHECK_ST(ping(hv, child, 0), HV_STATUS_SUCCESS);

	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 1, HV_REGISTER_EXPLICIT_SUSPEND,
			     0), HV_STATUS_SUCCESS);
	out = POISON;
	CHECK_ST(t_fast_vp(hv, child, 1, HVCALL_CREATE_PARTITION, &in,
			   sizeof(in), &out, sizeof(out)), HV_STATUS_SUCCESS);
	/* Ids are sequential: root 1, child 2, this one 3 (spec.md §4). */
	CHECK_EQ(out, child + 1);
	CHECK_EQ(t_info(hv, child).children, 1);

	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 1, HV_REGISTER_EXPLICIT_SUSPEND,
			     1), HV_STATUS_SUCCESS);
	t_snap_take(hv, &before);
	CHECK_ST(t_fast_vp(hv, child, 1, HVCALL_CREATE_PARTITION, &in,
			   sizeof(in), &out, sizeof(out)),
		 HV_STATUS_INVALID_VP_STATE);
	t_snap_same(hv, &before, "suspended again");

	CHECK_ST(t_delete_vp(hv, child, 1), HV_STATUS_SUCCESS);
	t_snap_take(hv, &before);
	CHECK_ST(t_fast_vp(hv, child, 1, HVCALL_CREATE_PARTITION, &in,
			   sizeof(in), &out, sizeof(out)),
		 HV_STATUS_INVALID_VP_INDEX);
	CHECK_ST(ping(hv, child, 2), HV_STATUS_INVALID_VP_INDEX);
	CHECK_ST(ping(hv, child, 64), HV_STATUS_INVALID_VP_INDEX);
	CHECK_ST(ping(hv, child, HV_VP_INDEX_SELF), HV_STATUS_INVALID_VP_INDEX);
	t_snap_same(hv, &before, "deleted VP");
	t_close(hv);
}

/*
 * A VP may suspend itself (with AccessVpRegisters); then it cannot call,
 * not even to resume, and its parent resumes it.  The root's own VPs
 * suspend the same way (root_vps = 2: VP 0 suspends and resumes VP 1).
 */
TEST(callers_self_suspend)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.root_vps = 2;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_runnable_child(hv, &next, OHV_CHILD_PRIVILEGES |
					  PRIV_VP_REGS);

	CHECK_ST(t_set_reg64(hv, child, HV_PARTITION_ID_SELF, HV_VP_INDEX_SELF,
			     HV_REGISTER_EXPLICIT_SUSPEND, 1), HV_STATUS_SUCCESS);
	CHECK_EQ(suspend_of(hv, child, 0), 1);
	CHECK_ST(t_set_reg64(hv, child, HV_PARTITION_ID_SELF, HV_VP_INDEX_SELF,
			     HV_REGISTER_EXPLICIT_SUSPEND, 0),
		 HV_STATUS_INVALID_VP_STATE);
	CHECK_EQ(suspend_of(hv, child, 0), 1);
	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0, HV_REGISTER_EXPLICIT_SUSPEND,
			     0), HV_STATUS_SUCCESS);
	CHECK_ST(ping(hv, child, 0), HV_STATUS_SUCCESS);

	/* The root's VP 1. */
	CHECK_EQ(suspend_of(hv, T_ROOT, 1), 0);
	CHECK_ST(ping(hv, T_ROOT, 1), HV_STATUS_SUCCESS);
	CHECK_ST(t_set_reg64(hv, T_ROOT, T_ROOT, 1, HV_REGISTER_EXPLICIT_SUSPEND,
			     1), HV_STATUS_SUCCESS);
	CHECK_ST(ping(hv, T_ROOT, 1), HV_STATUS_INVALID_VP_STATE);
	CHECK_ST(ping(hv, T_ROOT, 0), HV_STATUS_SUCCESS);
	CHECK_ST(t_set_reg64(hv, T_ROOT, T_ROOT, 1, HV_REGISTER_EXPLICIT_SUSPEND,
			     0), HV_STATUS_SUCCESS);
	CHECK_ST(ping(hv, T_ROOT, 1), HV_STATUS_SUCCESS);
	t_close(hv);
}

/* spec.md §2: the caller partition itself: unknown, or not Active. */
TEST(callers_partition)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t uninit = t_new_child(hv, &next);
	uint64_t gone = t_new_child(hv, &next);

	REQUIRE_ST(t_delete(hv, gone), HV_STATUS_SUCCESS);
	CHECK_ST(ping(hv, 0, 0), HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(ping(hv, NEVER_ISSUED, 0), HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(ping(hv, gone, 0), HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(ping(hv, HV_PARTITION_ID_SELF, 0),
		 HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(ping(hv, uninit, 0), HV_STATUS_INVALID_PARTITION_STATE);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* HvFinalizePartition and VPs (spec.md §4.4).                                 */

/*
 * Finalize frees every VP: their pages are available again (with the
 * initialize pages), info.vps = 0, and the VPs' hypercalls then fail with
 * INVALID_PARTITION_STATE (the caller partition is not Active, spec.md §2), as
 * do the root's VP calls on it.
 */
TEST(finalize_frees_vps)
{
	static const uint32_t vps[] = { 0, 1, 5, 63 };
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_runnable_child(hv, &next, 0);
	uint64_t avail, in_use, v;
	uint64_t total = INIT_COST + VP_COST + T_SPARE_PAGES;

	for (size_t i = 1; i < ARRAY_SIZE(vps); i++) {
		REQUIRE_ST(t_create_vp(hv, child, vps[i]), HV_STATUS_SUCCESS);
		REQUIRE_ST(t_set_reg64(hv, T_ROOT, child, vps[i],
				       HV_REGISTER_EXPLICIT_SUSPEND, 0),
			   HV_STATUS_SUCCESS);
	}
	REQUIRE_ST(t_balance(hv, child, &avail, &in_use), HV_STATUS_SUCCESS);
	CHECK_EQ(in_use, INIT_COST + VP_COST * ARRAY_SIZE(vps));
	CHECK_EQ(avail + in_use, total);
	CHECK_EQ(t_info(hv, child).vps, ARRAY_SIZE(vps));
	for (size_t i = 0; i < ARRAY_SIZE(vps); i++)
		CHECK_ST(ping(hv, child, vps[i]), HV_STATUS_SUCCESS);

	REQUIRE_ST(t_finalize(hv, child), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_balance(hv, child, &avail, &in_use), HV_STATUS_SUCCESS);
	CHECK_EQ(in_use, 0);
	CHECK_EQ(avail, total);
	CHECK_EQ(t_info(hv, child).vps, 0);
	for (size_t i = 0; i < ARRAY_SIZE(vps); i++)
		CHECK_MSG(ohv_result_status(ping(hv, child, vps[i])) ==
			  HV_STATUS_INVALID_PARTITION_STATE,
			  "VP %u still calls", vps[i]);
	CHECK_ST(t_get_reg64(hv, T_ROOT, child, 0, HV_X64_REGISTER_RAX, &v),
		 HV_STATUS_INVALID_PARTITION_STATE);
	CHECK_ST(t_set_reg64(hv, T_ROOT, child, 0, HV_REGISTER_EXPLICIT_SUSPEND,
			     0), HV_STATUS_INVALID_PARTITION_STATE);
	CHECK_ST(t_create_vp(hv, child, 2), HV_STATUS_INVALID_PARTITION_STATE);
	CHECK_ST(t_delete_vp(hv, child, 0), HV_STATUS_INVALID_PARTITION_STATE);

	/* Everything can be withdrawn and the partition deleted. */
	withdraw_all(hv, child);
	CHECK_ST(t_delete(hv, child), HV_STATUS_SUCCESS);
	CHECK_ST(ping(hv, child, 0), HV_STATUS_INVALID_PARTITION_ID);
	t_close(hv);
}
