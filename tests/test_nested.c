/* SPDX-License-Identifier: MIT */
/*
 * What children can do now that they have VPs (spec.md §2, 7): create their own
 * children, and the statuses of seeds 000, 001 and 003 that need a caller
 * other than the root.  Children issue XMM-fast calls (they have no GPA
 * space in this version); the root's calls are memory-based.
 */
#include <errno.h>

#include "t.h"

#define INIT_COST	16u	/* t_config keeps the spec.md §5.4 defaults */
#define VP_COST		8u
#define NEVER_ISSUED	0x100000ull
#define POISON		0xA5A5A5A5A5A5A5A5ull

#define PRIV_CREATE	HV_PARTITION_PRIV_CREATE_PARTITIONS
#define PRIV_POOL	HV_PARTITION_PRIV_ACCESS_MEMORY_POOL
#define PRIV_ID		HV_PARTITION_PRIV_ACCESS_PARTITION_ID
#define PRIV_VP_REGS	HV_PARTITION_PRIV_ACCESS_VP_REGISTERS

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* ---------------------------------------------------------------------- */
/* Helpers.                                                                */

/* HvCreatePartition issued fast by VP 0 of caller; the output register
 * pair must keep its fill on failure (spec.md §3.2). */
static hv_status_t create_as(struct ohv *hv, uint64_t caller,
			     const struct hv_input_create_partition *in,
			     uint64_t *id)
{
	uint64_t out = POISON;
	hv_status_t st = ohv_result_status(t_fast(hv, caller,
						  HVCALL_CREATE_PARTITION, in,
						  sizeof(*in), &out,
						  sizeof(out)));

	if (st == HV_STATUS_SUCCESS) {
		if (id)
			*id = out;
	} else {
		CHECK_EQ(out, POISON);
	}
	return st;
}

static hv_status_t child_create(struct ohv *hv, uint64_t caller, uint64_t *id)
{
	struct hv_input_create_partition in = { 0 };

	return create_as(hv, caller, &in, id);
}

/* One-id calls (initialize, finalize, delete) by caller. */
static hv_status_t id_call_as(struct ohv *hv, uint64_t caller, uint16_t code,
			      uint64_t id)
{
	return ohv_result_status(t_as(hv, caller, code, &id, sizeof(id), NULL,
				      0));
}

/* A new Uninitialized child of the root, funding the root's pool from
 * *next as needed. */
static uint64_t root_create(struct ohv *hv, uint64_t *next)
{
	uint64_t id = 0;
	hv_status_t st;

	while ((st = t_create(hv, &id)) == HV_STATUS_INSUFFICIENT_MEMORY) {
		REQUIRE_ST(t_deposit(hv, HV_PARTITION_ID_SELF, *next, 1, NULL),
			   HV_STATUS_SUCCESS);
		(*next)++;
	}
	REQUIRE_ST(st, HV_STATUS_SUCCESS);
	return id;
}

/* Withdraw every available page of a child of the root. */
static void drain(struct ohv *hv, uint64_t id)
{
	for (;;) {
		hv_status_t st = t_withdraw(hv, id, HV_WITHDRAW_MAX_PAGES, NULL,
					    NULL);

		if (st == HV_STATUS_NO_RESOURCES)
			break;
		REQUIRE_ST(st, HV_STATUS_SUCCESS);
	}
	REQUIRE(t_info(hv, id).pool_available == 0);
}

/* ---------------------------------------------------------------------- */
/* Seed 000: PARTITION_TOO_DEEP, and what a child may create.              */

/*
 * Seed 000 "Creating a new partition would exceed the maximum depth in the
 * partition hierarchy" (spec.md §4.1 step 5): max_depth = 2, a runnable child
 * (depth 2) with CreatePartitions asks for a child -> PARTITION_TOO_DEEP,
 * nothing charged, no id used.
 */
TEST(nested_too_deep)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.max_depth = 2;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_runnable_child(hv, &next, OHV_CHILD_PRIVILEGES |
					  PRIV_CREATE);
	struct t_snap before;

	CHECK_EQ(t_info(hv, child).depth, 2);
	t_snap_take(hv, &before);
	for (int i = 0; i < 3; i++)
		CHECK_ST(child_create(hv, child, NULL),
			 HV_STATUS_PARTITION_TOO_DEEP);
	t_snap_same(hv, &before, "too deep");
	CHECK_EQ(t_info(hv, child).pool_available, T_SPARE_PAGES);

	/* The root is at depth 1 and may still create; the failed attempts
	 * used no id (spec.md §4: sequential). */
	CHECK_EQ(root_create(hv, &next), child + 1);
	t_close(hv);
}

/*
 * spec.md §4.1: the checks run in order, first failure wins.  Step 1
 * (ACCESS_DENIED, no CreatePartitions) and steps 2-4 (INVALID_PARAMETER)
 * beat step 5 (PARTITION_TOO_DEEP), which beats step 6 (NO_RESOURCES:
 * live partitions = max_partitions) and step 7 (INSUFFICIENT_MEMORY: the
 * child's pool drained).  Each row is a fresh instance; the caller is a
 * runnable child (depth 2).
 */
TEST(nested_create_check_order)
{
	enum { PLAIN, BAD_FLAGS, BAD_PROXIMITY, ISOLATION };
	static const struct {
		const char *name;
		uint32_t max_depth;
		bool may_create;	/* the child holds CreatePartitions */
		bool full;		/* max_partitions = 2: root + child */
		bool drained;		/* child's pool: nothing available */
		int input;
		hv_status_t st;
	} rows[] = {
		{ "depth 2: too deep", 2, true, false, false, PLAIN,
		  HV_STATUS_PARTITION_TOO_DEEP },
		{ "depth 2: too deep + full", 2, true, true, false, PLAIN,
		  HV_STATUS_PARTITION_TOO_DEEP },
		{ "depth 2: too deep + drained", 2, true, false, true, PLAIN,
		  HV_STATUS_PARTITION_TOO_DEEP },
		{ "depth 2: too deep + full + drained", 2, true, true, true,
		  PLAIN, HV_STATUS_PARTITION_TOO_DEEP },
		{ "depth 2: no privilege + too deep", 2, false, true, true,
		  PLAIN, HV_STATUS_ACCESS_DENIED },
		{ "depth 2: no privilege + bad flags", 2, false, false, false,
		  BAD_FLAGS, HV_STATUS_ACCESS_DENIED },
		{ "depth 2: bad flags + too deep", 2, true, false, false,
		  BAD_FLAGS, HV_STATUS_INVALID_PARAMETER },
		{ "depth 2: bad proximity + too deep", 2, true, false, false,
		  BAD_PROXIMITY, HV_STATUS_INVALID_PARAMETER },
		{ "depth 2: isolation + too deep", 2, true, false, false,
		  ISOLATION, HV_STATUS_INVALID_PARAMETER },
		{ "depth 3: full", 3, true, true, false, PLAIN,
		  HV_STATUS_NO_RESOURCES },
		{ "depth 3: full + drained", 3, true, true, true, PLAIN,
		  HV_STATUS_NO_RESOURCES },
		{ "depth 3: drained", 3, true, false, true, PLAIN,
		  HV_STATUS_INSUFFICIENT_MEMORY },
		{ "depth 3: no privilege", 3, false, false, false, PLAIN,
		  HV_STATUS_ACCESS_DENIED },
		{ "depth 3: bad flags + full", 3, true, true, true, BAD_FLAGS,
		  HV_STATUS_INVALID_PARAMETER },
		{ "depth 3: nothing wrong", 3, true, false, false, PLAIN,
		  HV_STATUS_SUCCESS },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv_config cfg;

		t_config(&cfg);
		cfg.max_depth = rows[i].max_depth;
		if (rows[i].full)
			cfg.max_partitions = 2;
		struct ohv *hv = t_open(&cfg);
		uint64_t next = T_FIRST_FREE_PAGE;
		uint64_t child = t_runnable_child(hv, &next,
			rows[i].may_create ?
			OHV_CHILD_PRIVILEGES | PRIV_CREATE : 0);

		if (rows[i].drained)
			drain(hv, child);
		struct hv_input_create_partition in = { 0 };

		switch (rows[i].input) {
		case BAD_FLAGS:
			in.flags = 1ull << 2;
			break;
		case BAD_PROXIMITY:
			in.proximity_domain_info.flags = 1u << 7;
			break;
		case ISOLATION:
			in.isolation_properties = 1;
			break;
		}
		struct t_snap before;

		t_snap_take(hv, &before);
		hv_status_t st = create_as(hv, child, &in, NULL);

		CHECK_MSG(st == rows[i].st, "%s: got %s, want %s", rows[i].name,
			  ohv_status_name(st), ohv_status_name(rows[i].st));
		if (rows[i].st != HV_STATUS_SUCCESS)
			t_snap_same(hv, &before, rows[i].name);
		t_close(hv);
	}
}

/*
 * max_depth = 3: a child creates a grandchild.  It is charged to the
 * child's pool (spec.md §4.1, 5.4: costs.partition of the creator's pool),
 * gets the next id (ids are global and sequential, spec.md §4), sits at depth
 * 3 under the child, Uninitialized with an empty pool and default
 * privileges.  The child cannot feed it (no GPA space), so the child's
 * HvInitializePartition on it is INSUFFICIENT_MEMORY (seed 001).
 */
TEST(nested_grandchild)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.max_depth = 3;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_runnable_child(hv, &next, OHV_CHILD_PRIVILEGES |
					  PRIV_CREATE);
	uint64_t root_avail, root_in_use, a2, u2, gc = 0;

	REQUIRE_ST(t_balance(hv, HV_PARTITION_ID_SELF, &root_avail,
			     &root_in_use), HV_STATUS_SUCCESS);
	struct ohv_partition_info c0 = t_info(hv, child);

	REQUIRE_ST(child_create(hv, child, &gc), HV_STATUS_SUCCESS);
	CHECK_EQ(gc, child + 1);

	struct ohv_partition_info c1 = t_info(hv, child);
	struct ohv_partition_info g = t_info(hv, gc);

	CHECK_EQ(c1.pool_available, c0.pool_available - 1);
	CHECK_EQ(c1.pool_in_use, c0.pool_in_use + 1);
	CHECK_EQ(c1.children, 1);
	CHECK_EQ(g.parent_id, child);
	CHECK_EQ(g.depth, 3);
	CHECK_EQ(g.state, OHV_STATE_UNINITIALIZED);
	CHECK_EQ(g.charged_pages, 1);
	CHECK_EQ(g.pool_available, 0);
	CHECK_EQ(g.pool_in_use, 0);
	CHECK_EQ(g.privileges, OHV_CHILD_PRIVILEGES);
	CHECK_EQ(g.vps, 0);
	/* The root's pool paid nothing. */
	REQUIRE_ST(t_balance(hv, HV_PARTITION_ID_SELF, &a2, &u2),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(a2, root_avail);
	CHECK_EQ(u2, root_in_use);

	uint64_t ids[4];

	CHECK_EQ(ohv_partition_list(hv, ids, 4), 3);
	CHECK_EQ(ids[0], T_ROOT);
	CHECK_EQ(ids[1], child);
	CHECK_EQ(ids[2], gc);

	/* Seed 001: the grandchild's pool is empty. */
	CHECK_ST(id_call_as(hv, child, HVCALL_INITIALIZE_PARTITION, gc),
		 HV_STATUS_INSUFFICIENT_MEMORY);
	CHECK_EQ(t_info(hv, gc).state, OHV_STATE_UNINITIALIZED);
	/* And its VPs cannot exist yet (spec.md §7: target Active). */
	struct hv_input_create_vp vin = { .partition_id = gc };

	CHECK_ST(t_create_vp_in(hv, child, &vin),
		 HV_STATUS_INVALID_PARTITION_STATE);

	/* The next id anywhere in the tree follows. */
	CHECK_EQ(root_create(hv, &next), gc + 1);

	/* The child deletes it: the charge comes back as available. */
	CHECK_ST(id_call_as(hv, child, HVCALL_DELETE_PARTITION, gc),
		 HV_STATUS_SUCCESS);
	c1 = t_info(hv, child);
	CHECK_EQ(c1.pool_available, c0.pool_available);
	CHECK_EQ(c1.pool_in_use, c0.pool_in_use);
	CHECK_EQ(c1.children, 0);
	CHECK(ohv_partition_info(hv, gc, &g) == -ENOENT);
	CHECK_ST(id_call_as(hv, child, HVCALL_DELETE_PARTITION, gc),
		 HV_STATUS_INVALID_PARTITION_ID);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Seed 003: OPERATION_DENIED for a partition with children.               */

/*
 * Seed 003 "The specified partition has one or more children" (spec.md §4.4
 * step 4): the root finalizing a child that has a child -> OPERATION_DENIED
 * and nothing changes (the child still runs).  Once the child deletes its
 * Uninitialized grandchild, the finalize succeeds.
 */
TEST(nested_finalize_with_children)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_runnable_child(hv, &next, OHV_CHILD_PRIVILEGES |
					  PRIV_CREATE);
	uint64_t gc1 = 0, gc2 = 0;
	struct t_snap before;

	REQUIRE_ST(child_create(hv, child, &gc1), HV_STATUS_SUCCESS);
	REQUIRE_ST(child_create(hv, child, &gc2), HV_STATUS_SUCCESS);
	t_snap_take(hv, &before);
	CHECK_ST(t_finalize(hv, child), HV_STATUS_OPERATION_DENIED);
	t_snap_same(hv, &before, "finalize with two children");
	CHECK_EQ(t_info(hv, child).state, OHV_STATE_ACTIVE);
	CHECK_EQ(t_info(hv, child).vps, 1);
	/* Still runnable: it lists its children. */
	struct hv_input_get_next_child_partition in = {
		.parent_id = HV_PARTITION_ID_SELF,
	};
	uint64_t out = 0;

	CHECK_ST(t_fast(hv, child, HVCALL_GET_NEXT_CHILD_PARTITION, &in,
			sizeof(in), &out, sizeof(out)), HV_STATUS_SUCCESS);
	CHECK_EQ(out, gc1);

	CHECK_ST(id_call_as(hv, child, HVCALL_DELETE_PARTITION, gc1),
		 HV_STATUS_SUCCESS);
	t_snap_take(hv, &before);
	CHECK_ST(t_finalize(hv, child), HV_STATUS_OPERATION_DENIED);
	t_snap_same(hv, &before, "finalize with one child");

	CHECK_ST(id_call_as(hv, child, HVCALL_DELETE_PARTITION, gc2),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(t_info(hv, child).children, 0);
	CHECK_ST(t_finalize(hv, child), HV_STATUS_SUCCESS);
	CHECK_EQ(t_info(hv, child).state, OHV_STATE_FINALIZED);
	/* Every page, the grandchildren's charges included, is available. */
	CHECK_EQ(t_info(hv, child).pool_in_use, 0);
	CHECK_EQ(t_info(hv, child).pool_available,
		 INIT_COST + VP_COST + T_SPARE_PAGES);
	t_destroy_child(hv, child);
	CHECK_EQ(t_live(hv), 1);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Access: only the parent acts on a partition (spec.md §3 issue text, 4.2-4.6, */
/* 5.1-5.3, 7; seeds 001, 003).                                            */

enum op {
	OP_INITIALIZE, OP_FINALIZE, OP_DELETE, OP_DEPOSIT, OP_WITHDRAW,
	OP_BALANCE, OP_GET_PROPERTY, OP_SET_PROPERTY, OP_CREATE_VP,
	OP_DELETE_VP, OP_GET_REGS, OP_SET_REGS, OP_NEXT_CHILD,
};

static const char *const op_names[] = {
	[OP_INITIALIZE] = "HvInitializePartition",
	[OP_FINALIZE] = "HvFinalizePartition",
	[OP_DELETE] = "HvDeletePartition",
	[OP_DEPOSIT] = "HvDepositMemory",
	[OP_WITHDRAW] = "HvWithdrawMemory",
	[OP_BALANCE] = "HvGetMemoryBalance",
	[OP_GET_PROPERTY] = "HvGetPartitionProperty",
	[OP_SET_PROPERTY] = "HvSetPartitionProperty",
	[OP_CREATE_VP] = "HvCreateVp",
	[OP_DELETE_VP] = "HvDeleteVp",
	[OP_GET_REGS] = "HvGetVpRegisters",
	[OP_SET_REGS] = "HvSetVpRegisters",
	[OP_NEXT_CHILD] = "HvGetNextChildPartition",
};

/*
 * One call by caller (memory-based for the root, fast otherwise) on
 * target, with arguments that would succeed if access were granted (or
 * fail later than access).  Deposit offers root page `page`.  Returns the
 * status.
 */
static hv_status_t op_call(struct ohv *hv, uint64_t caller, enum op op,
			   uint64_t target, uint64_t page)
{
	uint64_t out[2] = { POISON, POISON };
	uint64_t r = 0;

	switch (op) {
	case OP_INITIALIZE:
		return id_call_as(hv, caller, HVCALL_INITIALIZE_PARTITION,
				  target);
	case OP_FINALIZE:
		return id_call_as(hv, caller, HVCALL_FINALIZE_PARTITION,
				  target);
	case OP_DELETE:
		return id_call_as(hv, caller, HVCALL_DELETE_PARTITION, target);
	case OP_DEPOSIT: {
		uint64_t in[2] = { target, page };

		r = t_as(hv, caller, ohv_control(HVCALL_DEPOSIT_MEMORY, 0, 1, 0),
			 in, sizeof(in), NULL, 0);
		break;
	}
	case OP_WITHDRAW: {
		struct hv_input_withdraw_memory in = { .partition_id = target };

		r = t_as(hv, caller, ohv_control(HVCALL_WITHDRAW_MEMORY, 0, 1, 0),
			 &in, sizeof(in), out, 8);
		if (ohv_result_status(r))
			CHECK_EQ(out[0], POISON);
		break;
	}
	case OP_BALANCE: {
		struct hv_input_get_memory_balance in = { .partition_id = target };

		r = t_as(hv, caller, HVCALL_GET_MEMORY_BALANCE, &in, sizeof(in),
			 out, 16);
		break;
	}
	case OP_GET_PROPERTY: {
		struct hv_input_get_partition_property in = {
			.partition_id = target,
			.property_code = HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		};

		r = t_as(hv, caller, HVCALL_GET_PARTITION_PROPERTY, &in,
			 sizeof(in), out, 8);
		break;
	}
	case OP_SET_PROPERTY: {
		/* CpuWeight: settable in Active (spec.md §4.3), in range. */
		struct hv_input_set_partition_property in = {
			.partition_id = target,
			.property_code = HV_PARTITION_PROPERTY_CPU_WEIGHT,
			.property_value = 200,
		};

		r = t_as(hv, caller, HVCALL_SET_PARTITION_PROPERTY, &in,
			 sizeof(in), NULL, 0);
		break;
	}
	case OP_CREATE_VP: {
		struct hv_input_create_vp in = {
			.partition_id = target, .vp_index = 1,
		};

		return t_create_vp_in(hv, caller, &in);
	}
	case OP_DELETE_VP:
		return t_delete_vp_as(hv, caller, target, 0);
	case OP_GET_REGS: {
		uint32_t name = HV_X64_REGISTER_RAX;
		union hv_register_value v;

		r = t_get_regs(hv, caller, target, 0, 0, &name, 1, &v);
		break;
	}
	case OP_SET_REGS: {
		struct hv_register_assoc a = {
			.name = HV_X64_REGISTER_RAX, .value.reg64 = 0xBAD,
		};

		r = t_set_regs(hv, caller, target, 0, 0, &a, 1);
		break;
	}
	case OP_NEXT_CHILD: {
		struct hv_input_get_next_child_partition in = {
			.parent_id = target,
		};

		r = t_as(hv, caller, HVCALL_GET_NEXT_CHILD_PARTITION, &in,
			 sizeof(in), out, 8);
		break;
	}
	}
	if (ohv_result_status(r) != HV_STATUS_SUCCESS)
		CHECK_MSG(out[0] == POISON && out[1] == POISON,
			  "%s: output written on failure", op_names[op]);
	return ohv_result_status(r);
}

/*
 * spec.md §3 issue text: "the root cannot act on a grandchild".  Every call
 * that names a partition, aimed by the root at its grandchild ->
 * ACCESS_DENIED, and nothing changes.
 */
TEST(nested_root_on_grandchild)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_runnable_child(hv, &next, OHV_CHILD_PRIVILEGES |
					  PRIV_CREATE);
	uint64_t gc = 0;
	struct t_snap before;

	REQUIRE_ST(child_create(hv, child, &gc), HV_STATUS_SUCCESS);
	t_snap_take(hv, &before);
	for (int op = OP_INITIALIZE; op <= OP_NEXT_CHILD; op++) {
		hv_status_t st = op_call(hv, T_ROOT, (enum op)op, gc, next);

		CHECK_MSG(st == HV_STATUS_ACCESS_DENIED,
			  "root on grandchild, %s: got %s", op_names[op],
			  ohv_status_name(st));
		t_snap_same(hv, &before, op_names[op]);
	}
	/* The page offered stayed the root's. */
	CHECK(ohv_gpa(hv, T_ROOT, next << 12, HV_PAGE_SIZE) != NULL);
	t_close(hv);
}

/*
 * A child acting on the root or on a sibling -> ACCESS_DENIED for each
 * call (seed 001 "not a child of the caller", seed 003, spec.md §4.3, 4.5,
 * 4.6, 5.1-5.3, 7), and nothing changes.  The caller holds
 * CreatePartitions and AccessMemoryPool, so the pool calls pass the
 * privilege check (spec.md §3.2 step 6) and reach the target rule.  Each
 * sibling is in the state where the call would otherwise work: S_UNINIT
 * funded for initialize, S_EMPTY (Uninitialized, empty pool) for delete,
 * S_ACTIVE (with VP 0 and spare pool) for the rest.
 */
TEST(nested_child_on_root_or_sibling)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_runnable_child(hv, &next, OHV_CHILD_PRIVILEGES |
					  PRIV_CREATE | PRIV_POOL | PRIV_ID);
	uint64_t s_active = t_runnable_child(hv, &next, 0);
	uint64_t s_uninit = root_create(hv, &next);
	uint64_t s_empty = root_create(hv, &next);

	REQUIRE_ST(t_deposit(hv, s_uninit, next, INIT_COST, NULL),
		   HV_STATUS_SUCCESS);
	next += INIT_COST;

	/* The root's own pool has pages, so withdraw/balance on it would
	 * have something to do. */
	REQUIRE_ST(t_deposit(hv, HV_PARTITION_ID_SELF, next, 2, NULL),
		   HV_STATUS_SUCCESS);
	next += 2;

	struct t_snap before;

	t_snap_take(hv, &before);
	for (int op = OP_INITIALIZE; op <= OP_NEXT_CHILD; op++) {
		uint64_t sib = op == OP_INITIALIZE ? s_uninit :
			       op == OP_DELETE ? s_empty : s_active;
		uint64_t targets[] = { T_ROOT, sib };

		for (size_t t = 0; t < ARRAY_SIZE(targets); t++) {
			hv_status_t st = op_call(hv, child, (enum op)op,
						 targets[t], 0);

			CHECK_MSG(st == HV_STATUS_ACCESS_DENIED,
				  "child on %s, %s: got %s",
				  t ? "sibling" : "root", op_names[op],
				  ohv_status_name(st));
			t_snap_same(hv, &before, op_names[op]);
		}
	}
	/* The root made the same calls work, so the targets were fit. */
	CHECK_ST(t_initialize(hv, s_uninit), HV_STATUS_SUCCESS);
	CHECK_ST(t_delete(hv, s_empty), HV_STATUS_SUCCESS);
	CHECK_ST(t_finalize(hv, s_active), HV_STATUS_SUCCESS);
	t_close(hv);
}

/*
 * A child on itself: calls that need a child (spec.md §4: initialize,
 * finalize, delete, create VP) with SELF -> INVALID_PARTITION_ID and with
 * its own id -> ACCESS_DENIED (it is not its own child); the property calls
 * allow "the root on itself" only (spec.md §4.3) -> ACCESS_DENIED either way.
 */
TEST(nested_child_on_itself)
{
	static const struct {
		enum op op;
		hv_status_t self, own_id;
	} rows[] = {
		{ OP_INITIALIZE, HV_STATUS_INVALID_PARTITION_ID,
		  HV_STATUS_ACCESS_DENIED },
		{ OP_FINALIZE, HV_STATUS_INVALID_PARTITION_ID,
		  HV_STATUS_ACCESS_DENIED },
		{ OP_DELETE, HV_STATUS_INVALID_PARTITION_ID,
		  HV_STATUS_ACCESS_DENIED },
		{ OP_CREATE_VP, HV_STATUS_INVALID_PARTITION_ID,
		  HV_STATUS_ACCESS_DENIED },
		{ OP_DELETE_VP, HV_STATUS_INVALID_PARTITION_ID,
		  HV_STATUS_ACCESS_DENIED },
		{ OP_GET_PROPERTY, HV_STATUS_ACCESS_DENIED,
		  HV_STATUS_ACCESS_DENIED },
		{ OP_SET_PROPERTY, HV_STATUS_ACCESS_DENIED,
		  HV_STATUS_ACCESS_DENIED },
	};
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_runnable_child(hv, &next, OHV_CHILD_PRIVILEGES |
					  PRIV_CREATE | PRIV_POOL);
	struct t_snap before;

	t_snap_take(hv, &before);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		hv_status_t st = op_call(hv, child, rows[i].op,
					 HV_PARTITION_ID_SELF, 0);

		CHECK_MSG(st == rows[i].self, "%s on SELF: got %s, want %s",
			  op_names[rows[i].op], ohv_status_name(st),
			  ohv_status_name(rows[i].self));
		st = op_call(hv, child, rows[i].op, child, 0);
		CHECK_MSG(st == rows[i].own_id, "%s on own id: got %s, want %s",
			  op_names[rows[i].op], ohv_status_name(st),
			  ohv_status_name(rows[i].own_id));
		t_snap_same(hv, &before, op_names[rows[i].op]);
	}
	/* A child cannot raise its own privileges either. */
	struct hv_input_set_partition_property in = {
		.partition_id = HV_PARTITION_ID_SELF,
		.property_code = HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		.property_value = OHV_ROOT_PRIVILEGES,
	};

	CHECK_ST(t_fast(hv, child, HVCALL_SET_PARTITION_PROPERTY, &in,
			sizeof(in), NULL, 0), HV_STATUS_ACCESS_DENIED);
	t_close(hv);
}

/*
 * spec.md §5.1-5.3: "only the root may use its own pool".  A child depositing
 * into, withdrawing from or asking the balance of its own pool (SELF or
 * its id) -> ACCESS_DENIED, with or without AccessMemoryPool (without it
 * the generic privilege check says so first).
 */
TEST(nested_child_own_pool)
{
	static const enum op ops[] = { OP_DEPOSIT, OP_WITHDRAW, OP_BALANCE };
	static const uint64_t privs[] = {
		0, OHV_CHILD_PRIVILEGES | PRIV_POOL,
	};
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;

	for (size_t p = 0; p < ARRAY_SIZE(privs); p++) {
		uint64_t child = t_runnable_child(hv, &next, privs[p]);
		struct t_snap before;

		t_snap_take(hv, &before);
		for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
			const uint64_t ids[] = { HV_PARTITION_ID_SELF, child };

			for (size_t k = 0; k < ARRAY_SIZE(ids); k++) {
				hv_status_t st = op_call(hv, child, ops[i],
							 ids[k], 0);

				CHECK_MSG(st == HV_STATUS_ACCESS_DENIED,
					  "privileges 0x%" PRIx64 ", %s on %s: "
					  "got %s", privs[p], op_names[ops[i]],
					  k ? "own id" : "SELF",
					  ohv_status_name(st));
			}
		}
		t_snap_same(hv, &before, "own pool");
	}
	t_close(hv);
}

/*
 * spec.md §5.1: a child's deposit into its own child is element-checked
 * against the child's GPA space, which is empty in this version: every
 * page -> OPERATION_DENIED with reps completed 0, nothing moves.  Withdraw
 * and balance on the grandchild work (the access rule holds): its pool is
 * empty, so withdraw is NO_RESOURCES with 0 reps (spec.md §5.2).
 */
TEST(nested_child_deposit_into_grandchild)
{
	static const uint64_t pages[] = {
		0, 1, T_FIRST_FREE_PAGE, 4095, 4096, 1ull << 40,
	};
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_runnable_child(hv, &next, OHV_CHILD_PRIVILEGES |
					  PRIV_CREATE | PRIV_POOL);
	uint64_t gc = 0;
	struct t_snap before;

	REQUIRE_ST(child_create(hv, child, &gc), HV_STATUS_SUCCESS);
	t_snap_take(hv, &before);
	for (size_t i = 0; i < ARRAY_SIZE(pages); i++) {
		uint64_t in[2] = { gc, pages[i] };
		uint64_t r = t_fast(hv, child,
				    ohv_control(HVCALL_DEPOSIT_MEMORY, 0, 1, 0),
				    in, sizeof(in), NULL, 0);

		CHECK_MSG(ohv_result_status(r) == HV_STATUS_OPERATION_DENIED &&
			  ohv_result_reps(r) == 0,
			  "deposit of page 0x%" PRIx64 ": %s reps %u", pages[i],
			  ohv_status_name(ohv_result_status(r)),
			  ohv_result_reps(r));
	}
	/* Several pages in one call: the first one fails. */
	uint64_t many[4] = { gc, 20, 21, 22 };
	uint64_t r = t_fast(hv, child,
			    ohv_control(HVCALL_DEPOSIT_MEMORY, 0, 3, 0), many,
			    sizeof(many), NULL, 0);

	CHECK_ST(r, HV_STATUS_OPERATION_DENIED);
	CHECK_EQ(ohv_result_reps(r), 0);
	t_snap_same(hv, &before, "deposit into grandchild");

	struct hv_input_withdraw_memory win = { .partition_id = gc };
	uint64_t wout = POISON;

	r = t_fast(hv, child, ohv_control(HVCALL_WITHDRAW_MEMORY, 0, 1, 0),
		   &win, sizeof(win), &wout, sizeof(wout));
	CHECK_ST(r, HV_STATUS_NO_RESOURCES);
	CHECK_EQ(ohv_result_reps(r), 0);
	CHECK_EQ(wout, POISON);

	struct hv_input_get_memory_balance bin = { .partition_id = gc };
	struct hv_output_get_memory_balance bout = { POISON, POISON };

	CHECK_ST(t_fast(hv, child, HVCALL_GET_MEMORY_BALANCE, &bin, sizeof(bin),
			&bout, sizeof(bout)), HV_STATUS_SUCCESS);
	CHECK_EQ(bout.pages_available, 0);
	CHECK_EQ(bout.pages_in_use, 0);

	/* Without AccessMemoryPool the privilege check says no first. */
	uint64_t plain = t_runnable_child(hv, &next, OHV_CHILD_PRIVILEGES |
					  PRIV_CREATE);
	uint64_t gc2 = 0;

	REQUIRE_ST(child_create(hv, plain, &gc2), HV_STATUS_SUCCESS);
	uint64_t in2[2] = { gc2, 0 };

	t_snap_take(hv, &before);

	CHECK_ST(t_fast(hv, plain, ohv_control(HVCALL_DEPOSIT_MEMORY, 0, 1, 0),
			in2, sizeof(in2), NULL, 0), HV_STATUS_ACCESS_DENIED);
	t_snap_same(hv, &before, "nothing deposited");
	t_close(hv);
}

/*
 * spec.md §4.6: a child lists its own children in creation order with
 * ParentId SELF or its own id; another ParentId that exists ->
 * ACCESS_DENIED, an unknown one -> INVALID_PARTITION_ID, and a
 * PreviousChildId that is not its child -> INVALID_PARTITION_ID.  The
 * root's list holds its children only, not grandchildren.
 */
TEST(nested_get_next_child)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_runnable_child(hv, &next, OHV_CHILD_PRIVILEGES |
					  PRIV_CREATE);
	uint64_t sibling = t_runnable_child(hv, &next, 0);
	uint64_t g1 = 0, g2 = 0, dead = 0;

	REQUIRE_ST(child_create(hv, child, &g1), HV_STATUS_SUCCESS);
	REQUIRE_ST(child_create(hv, child, &dead), HV_STATUS_SUCCESS);
	REQUIRE_ST(child_create(hv, child, &g2), HV_STATUS_SUCCESS);
	REQUIRE_ST(id_call_as(hv, child, HVCALL_DELETE_PARTITION, dead),
		   HV_STATUS_SUCCESS);

	const struct {
		const char *name;
		uint64_t caller, parent, prev;
		hv_status_t st;
		uint64_t want;
	} rows[] = {
		{ "child: SELF, first", child, HV_PARTITION_ID_SELF, 0,
		  HV_STATUS_SUCCESS, g1 },
		{ "child: SELF, after g1", child, HV_PARTITION_ID_SELF, g1,
		  HV_STATUS_SUCCESS, g2 },
		{ "child: SELF, after g2", child, HV_PARTITION_ID_SELF, g2,
		  HV_STATUS_SUCCESS, 0 },
		{ "child: own id, first", child, child, 0, HV_STATUS_SUCCESS,
		  g1 },
		{ "child: own id, after g1", child, child, g1,
		  HV_STATUS_SUCCESS, g2 },
		{ "child: ParentId root", child, T_ROOT, 0,
		  HV_STATUS_ACCESS_DENIED, 0 },
		{ "child: ParentId sibling", child, sibling, 0,
		  HV_STATUS_ACCESS_DENIED, 0 },
		{ "child: ParentId grandchild", child, g1, 0,
		  HV_STATUS_ACCESS_DENIED, 0 },
		{ "child: ParentId unknown", child, NEVER_ISSUED, 0,
		  HV_STATUS_INVALID_PARTITION_ID, 0 },
		{ "child: ParentId 0", child, 0, 0,
		  HV_STATUS_INVALID_PARTITION_ID, 0 },
		{ "child: previous = sibling", child, HV_PARTITION_ID_SELF,
		  sibling, HV_STATUS_INVALID_PARTITION_ID, 0 },
		{ "child: previous = deleted", child, HV_PARTITION_ID_SELF,
		  dead, HV_STATUS_INVALID_PARTITION_ID, 0 },
		{ "child: previous = itself", child, HV_PARTITION_ID_SELF,
		  child, HV_STATUS_INVALID_PARTITION_ID, 0 },
		{ "sibling: SELF, no children", sibling, HV_PARTITION_ID_SELF,
		  0, HV_STATUS_SUCCESS, 0 },
		{ "root: SELF, first", T_ROOT, HV_PARTITION_ID_SELF, 0,
		  HV_STATUS_SUCCESS, child },
		{ "root: after child", T_ROOT, HV_PARTITION_ID_SELF, child,
		  HV_STATUS_SUCCESS, sibling },
		{ "root: after sibling", T_ROOT, HV_PARTITION_ID_SELF, sibling,
		  HV_STATUS_SUCCESS, 0 },
		{ "root: previous = grandchild", T_ROOT, HV_PARTITION_ID_SELF,
		  g1, HV_STATUS_INVALID_PARTITION_ID, 0 },
		{ "root: ParentId child", T_ROOT, child, 0,
		  HV_STATUS_ACCESS_DENIED, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct hv_input_get_next_child_partition in = {
			.parent_id = rows[i].parent,
			.previous_child_id = rows[i].prev,
		};
		uint64_t out = POISON;
		hv_status_t st = ohv_result_status(
			t_as(hv, rows[i].caller, HVCALL_GET_NEXT_CHILD_PARTITION,
			     &in, sizeof(in), &out, sizeof(out)));

		CHECK_MSG(st == rows[i].st, "%s: got %s, want %s", rows[i].name,
			  ohv_status_name(st), ohv_status_name(rows[i].st));
		uint64_t want = st ? POISON : rows[i].want;

		CHECK_MSG(out == want,
			  "%s: NextChildId 0x%" PRIx64 ", want 0x%" PRIx64,
			  rows[i].name, out, want);
	}
	t_close(hv);
}

/*
 * spec.md §3.3 / 4.6: HvGetPartitionId needs AccessPartitionId, which
 * children lack by default (ACCESS_DENIED, output untouched); granted, it
 * returns the caller's own id.
 */
TEST(nested_get_partition_id)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t plain = t_runnable_child(hv, &next, 0);
	uint64_t granted = t_runnable_child(hv, &next, OHV_CHILD_PRIVILEGES |
					    PRIV_ID);
	uint64_t out = POISON;

	CHECK_EQ(OHV_CHILD_PRIVILEGES & PRIV_ID, 0);
	CHECK_ST(t_fast(hv, plain, HVCALL_GET_PARTITION_ID, NULL, 0, &out,
			sizeof(out)), HV_STATUS_ACCESS_DENIED);
	CHECK_EQ(out, POISON);
	CHECK_ST(t_fast(hv, granted, HVCALL_GET_PARTITION_ID, NULL, 0, &out,
			sizeof(out)), HV_STATUS_SUCCESS);
	CHECK_EQ(out, granted);
	out = POISON;
	CHECK_ST(t_fast(hv, T_ROOT, HVCALL_GET_PARTITION_ID, NULL, 0, &out,
			sizeof(out)), HV_STATUS_SUCCESS);
	CHECK_EQ(out, T_ROOT);
	t_close(hv);
}

/*
 * spec.md §4.3: a parent cannot hand out a privilege it does not hold
 * (PROPERTY_VALUE_OUT_OF_RANGE, the old mask stays) but can grant any it
 * holds.  The child holds the defaults plus CreatePartitions.
 */
TEST(nested_privilege_grant)
{
	const uint64_t mine = OHV_CHILD_PRIVILEGES | PRIV_CREATE;
	const struct {
		const char *name;
		uint64_t mask;
		hv_status_t st;
	} rows[] = {
		{ "AccessPartitionId (not held)", PRIV_ID,
		  HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE },
		{ "AccessVpRegisters (not held)", PRIV_VP_REGS,
		  HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE },
		{ "AccessMemoryPool (not held)", PRIV_POOL,
		  HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE },
		{ "bit 9 (not held)", 1ull << 9,
		  HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE },
		{ "bit 63 (not held)", 1ull << 63,
		  HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE },
		{ "everything the root has", OHV_ROOT_PRIVILEGES,
		  HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE },
		{ "mine + one more", mine | PRIV_ID,
		  HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE },
		{ "CreatePartitions (held)", PRIV_CREATE, HV_STATUS_SUCCESS },
		{ "all I hold", mine, HV_STATUS_SUCCESS },
		{ "bit 0 (held)", 1, HV_STATUS_SUCCESS },
		{ "nothing", 0, HV_STATUS_SUCCESS },
	};
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_runnable_child(hv, &next, mine);
	uint64_t gc = 0, cur = OHV_CHILD_PRIVILEGES;

	REQUIRE_ST(child_create(hv, child, &gc), HV_STATUS_SUCCESS);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct hv_input_set_partition_property in = {
			.partition_id = gc,
			.property_code = HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
			.property_value = rows[i].mask,
		};
		hv_status_t st = ohv_result_status(
			t_fast(hv, child, HVCALL_SET_PARTITION_PROPERTY, &in,
			       sizeof(in), NULL, 0));

		CHECK_MSG(st == rows[i].st, "%s: got %s, want %s", rows[i].name,
			  ohv_status_name(st), ohv_status_name(rows[i].st));
		if (st == HV_STATUS_SUCCESS)
			cur = rows[i].mask;

		/* Read back through the child (early property, spec.md §4.3). */
		struct hv_input_get_partition_property gin = {
			.partition_id = gc,
			.property_code = HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		};
		uint64_t v = POISON;

		CHECK_ST(t_fast(hv, child, HVCALL_GET_PARTITION_PROPERTY, &gin,
				sizeof(gin), &v, sizeof(v)), HV_STATUS_SUCCESS);
		CHECK_MSG(v == cur, "%s: mask 0x%" PRIx64 ", want 0x%" PRIx64,
			  rows[i].name, v, cur);
		CHECK_EQ(t_info(hv, gc).privileges, cur);
	}
	t_close(hv);
}

/*
 * A child's GPA space is empty in this version (spec.md §1, 6), so every
 * memory-based call it makes fails the block check of spec.md §3.2 step 5 ->
 * INVALID_ALIGNMENT, which comes before the privilege check (step 6):
 * GetPartitionId without AccessPartitionId says INVALID_ALIGNMENT too.
 */
TEST(nested_child_memory_calls)
{
	static const struct {
		const char *name;
		uint64_t control;
	} rows[] = {
		{ "HvGetNextChildPartition", HVCALL_GET_NEXT_CHILD_PARTITION },
		{ "HvCreatePartition", HVCALL_CREATE_PARTITION },
		{ "HvGetPartitionId (output only)", HVCALL_GET_PARTITION_ID },
		{ "HvGetVpRegisters",
		  (uint64_t)HVCALL_GET_VP_REGISTERS | (1ull << 32) },
	};
	static const uint64_t gpas[][2] = {
		{ 0, 0x1000 }, { T_IN_PAGE << 12, T_OUT_PAGE << 12 },
		{ 0x100000, 0x101000 },
	};
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_runnable_child(hv, &next, OHV_CHILD_PRIVILEGES |
					  PRIV_CREATE);
	struct t_snap before;

	t_snap_take(hv, &before);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		for (size_t g = 0; g < ARRAY_SIZE(gpas); g++) {
			struct ohv_hvcall call = {
				.control = rows[i].control,
				.fast = { gpas[g][0], gpas[g][1] },
			};
			uint64_t r = t_call(hv, child, 0, &call);

			CHECK_MSG(ohv_result_status(r) ==
				  HV_STATUS_INVALID_ALIGNMENT,
				  "%s at 0x%" PRIx64 ": got %s", rows[i].name,
				  gpas[g][0],
				  ohv_status_name(ohv_result_status(r)));
		}
	}
	t_snap_same(hv, &before, "memory-based calls from a child");
	t_close(hv);
}
