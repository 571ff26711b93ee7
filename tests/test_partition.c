/* SPDX-License-Identifier: MIT */
/*
 * Partition lifecycle: HvCreatePartition, HvInitializePartition,
 * HvFinalizePartition, HvDeletePartition, HvGetPartitionId and
 * HvGetNextChildPartition (spec.md §4, seeds 000-003).
 *
 * In this version only the root has VPs, so every call here is the root's.
 * Statuses that need a nested caller (a child creating, or a child with
 * children) are noted where they would be tested.
 */
#include <errno.h>

#include "t.h"

#define INIT_COST	16u	/* t_config keeps the spec.md §5.4 default */
#define NEVER_ISSUED	0x100000ull
#define POISON		0xA5A5A5A5A5A5A5A5ull

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* ---------------------------------------------------------------------- */
/* Helpers.                                                                */

static void root_pool(struct ohv *hv, uint64_t *avail, uint64_t *in_use)
{
	REQUIRE_ST(t_balance(hv, HV_PARTITION_ID_SELF, avail, in_use),
		   HV_STATUS_SUCCESS);
}

/* Put n root pages into the root's own pool. */
static void fund_root(struct ohv *hv, uint64_t *next, uint32_t n)
{
	REQUIRE_ST(t_deposit(hv, HV_PARTITION_ID_SELF, *next, n, NULL),
		   HV_STATUS_SUCCESS);
	*next += n;
}

/*
 * HvCreatePartition with the first len bytes of in (the rest of the input
 * page zero).  On failure the output must be untouched (spec.md §3.2).
 */
static hv_status_t create_bytes(struct ohv *hv, const void *in, size_t len,
				uint64_t *id)
{
	uint64_t out = 0;
	hv_status_t st = ohv_result_status(t_mem(hv, T_ROOT,
						 HVCALL_CREATE_PARTITION, in,
						 len, &out, sizeof(out)));

	if (st == HV_STATUS_SUCCESS) {
		if (id)
			*id = out;
	} else {
		CHECK_EQ(out, POISON);
	}
	return st;
}

static enum ohv_partition_state state_of(struct ohv *hv, uint64_t id)
{
	struct ohv_partition_info info;

	REQUIRE(ohv_partition_info(hv, id, &info) == 0);
	return info.state;
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

/*
 * The partition a table row names.  Children get `pages` deposited on top
 * of what their state needs; FINALIZED keeps its pool, DRAINED is finalized
 * and withdrawn empty.
 */
enum target {
	TG_ZERO,	/* HV_PARTITION_ID_INVALID */
	TG_SELF,	/* HV_PARTITION_ID_SELF */
	TG_NEXT,	/* the id the next create would get: never issued */
	TG_UNKNOWN,	/* far beyond anything issued */
	TG_DELETED,	/* a child that was created and deleted */
	TG_ROOT,	/* the root's own id, 1 */
	TG_UNINIT,
	TG_ACTIVE,
	TG_FINALIZED,
	TG_DRAINED,
};

static uint64_t make_target(struct ohv *hv, enum target tg, uint32_t pages,
			    uint64_t *next)
{
	uint64_t id;

	switch (tg) {
	case TG_ZERO:
		return HV_PARTITION_ID_INVALID;
	case TG_SELF:
		return HV_PARTITION_ID_SELF;
	case TG_NEXT:
		/* Fresh instance: only the root (1) exists. */
		return 2;
	case TG_UNKNOWN:
		return NEVER_ISSUED;
	case TG_DELETED:
		id = t_new_child(hv, next);
		REQUIRE_ST(t_delete(hv, id), HV_STATUS_SUCCESS);
		return id;
	case TG_ROOT:
		return T_ROOT;
	case TG_UNINIT:
		id = t_new_child(hv, next);
		t_fund(hv, id, next, pages);
		return id;
	case TG_ACTIVE:
	case TG_FINALIZED:
	case TG_DRAINED:
		id = t_active_child(hv, next);
		t_fund(hv, id, next, pages);
		if (tg == TG_ACTIVE)
			return id;
		REQUIRE_ST(t_finalize(hv, id), HV_STATUS_SUCCESS);
		if (tg == TG_DRAINED)
			withdraw_all(hv, id);
		return id;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* HvCreatePartition (spec.md §4.1, seeds 000 and 002).                        */

/* Seed 000: "The caller's partition privilege flag CreatePartitions is
 * cleared" -> ACCESS_DENIED, before any parameter check (spec.md §4.1 step 1). */
TEST(create_access_denied_without_create_partitions)
{
	static const struct {
		const char *name;
		uint64_t flags;
		uint32_t prox_flags;
		uint64_t isolation;
	} rows[] = {
		{ "plain request", 0, 0, 0 },
		{ "undefined flag", 1ull << 2, 0, 0 },
		{ "reserved proximity bit", 0, 1u << 1, 0 },
		{ "isolation", 0, 0, 1 },
	};
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.root_privileges = OHV_ROOT_PRIVILEGES &
			      ~HV_PARTITION_PRIV_CREATE_PARTITIONS;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE, avail, in_use;

	/* A funded pool, so only the privilege can be missing. */
	fund_root(hv, &next, 4);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct hv_input_create_partition in = {
			.flags = rows[i].flags,
			.proximity_domain_info.flags = rows[i].prox_flags,
			.isolation_properties = rows[i].isolation,
		};

		CHECK_MSG(t_create_in(hv, &in, NULL) == HV_STATUS_ACCESS_DENIED,
			  "%s", rows[i].name);
	}
	CHECK_EQ(t_live(hv), 1);
	root_pool(hv, &avail, &in_use);
	CHECK_EQ(avail, 4);
	CHECK_EQ(in_use, 0);
	t_close(hv);
}

/* spec.md §4.1 step 2, seeds 000/002: each of the 64 flag bits alone; only the
 * documented set {0,1,4,8,9,10,13,15,16,19,20,22} is accepted (x64). */
TEST(create_flag_bits)
{
	const uint64_t documented = (1ull << 0) | (1ull << 1) | (1ull << 4) |
		(1ull << 8) | (1ull << 9) | (1ull << 10) | (1ull << 13) |
		(1ull << 15) | (1ull << 16) | (1ull << 19) | (1ull << 20) |
		(1ull << 22);
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE, avail, in_use;

	CHECK_EQ(HV_PARTITION_CREATION_FLAGS_VALID, documented);
	fund_root(hv, &next, 1);
	for (unsigned bit = 0; bit < 64; bit++) {
		struct hv_input_create_partition in = { .flags = 1ull << bit };
		bool ok = documented & (1ull << bit);
		uint64_t id = 0;
		hv_status_t st = t_create_in(hv, &in, &id);

		CHECK_MSG(st == (ok ? HV_STATUS_SUCCESS :
				 HV_STATUS_INVALID_PARAMETER),
			  "flag bit %u: got %s", bit, ohv_status_name(st));
		if (st != HV_STATUS_SUCCESS) {
			CHECK_EQ(t_live(hv), 1);
			continue;
		}
		struct ohv_partition_info info;

		REQUIRE(ohv_partition_info(hv, id, &info) == 0);
		CHECK_MSG(info.creation_flags == 1ull << bit,
			  "flag bit %u stored as 0x%" PRIx64, bit,
			  info.creation_flags);
		CHECK_ST(t_delete(hv, id), HV_STATUS_SUCCESS);
	}

	/* All of them at once, as Linux sends several. */
	struct hv_input_create_partition all = { .flags = documented };
	uint64_t id = 0;
	struct ohv_partition_info info;

	REQUIRE_ST(t_create_in(hv, &all, &id), HV_STATUS_SUCCESS);
	REQUIRE(ohv_partition_info(hv, id, &info) == 0);
	CHECK_EQ(info.creation_flags, documented);
	all.flags = documented | (1ull << 63);
	CHECK_ST(t_create_in(hv, &all, NULL), HV_STATUS_INVALID_PARAMETER);
	root_pool(hv, &avail, &in_use);
	CHECK_EQ(avail, 0);
	CHECK_EQ(in_use, 1);
	t_close(hv);
}

/*
 * spec.md §4.1 steps 3-4, seed 000 ("the Flags member of the
 * HV_PROXIMITY_DOMAIN_INFO ... includes reserved bits") and seed 002
 * (ReservedZ0 must be 0).  numa_nodes = 2.  Reserved proximity bits fail
 * whether or not Valid is set: spec.md §4.1 step 3 makes no exception.
 */
TEST(create_proximity_and_isolation)
{
	static const struct {
		const char *name;
		uint32_t id;
		uint32_t flags;
		uint64_t isolation;
		uint32_t padding;
		hv_status_t st;
	} rows[] = {
		{ "no preference", 0, 0, 0, 0, HV_STATUS_SUCCESS },
		{ "Valid=0 ignores the id", 99, 0, 0, 0, HV_STATUS_SUCCESS },
		{ "Valid=0 ignores Preferred", 99, HV_PROXIMITY_DOMAIN_PREFERRED,
		  0, 0, HV_STATUS_SUCCESS },
		{ "required node 0", 0, HV_PROXIMITY_DOMAIN_VALID, 0, 0,
		  HV_STATUS_SUCCESS },
		{ "required node 1", 1, HV_PROXIMITY_DOMAIN_VALID, 0, 0,
		  HV_STATUS_SUCCESS },
		{ "required node 2 of 2", 2, HV_PROXIMITY_DOMAIN_VALID, 0, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "required node ~0", 0xFFFFFFFFu, HV_PROXIMITY_DOMAIN_VALID,
		  0, 0, HV_STATUS_INVALID_PARAMETER },
		{ "preferred node 1", 1,
		  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED,
		  0, 0, HV_STATUS_SUCCESS },
		{ "preferred unknown node 2", 2,
		  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED,
		  0, 0, HV_STATUS_SUCCESS },
		{ "preferred unknown node ~0", 0xFFFFFFFFu,
		  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED,
		  0, 0, HV_STATUS_SUCCESS },
		{ "reserved bits, Valid", 0,
		  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_RSVD_MASK,
		  0, 0, HV_STATUS_INVALID_PARAMETER },
		{ "isolation type VBS", 0, 0, 1, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "isolation type SNP", 0, 0, HV_PARTITION_ISOLATION_TYPE_SNP,
		  0, HV_STATUS_INVALID_PARAMETER },
		{ "isolation high bit", 0, 0, 1ull << 63, 0,
		  HV_STATUS_INVALID_PARAMETER },
		{ "isolation shared-GPA boundary only", 0, 0, 1ull << 12, 0,
		  HV_STATUS_INVALID_PARAMETER },
		/* spec.md §3.2: padding is ignored unless spec.md says must be zero;
		 * seed 002 only says "should be zero". */
		{ "non-zero padding", 0, 0, 0, 0xFFFFFFFFu, HV_STATUS_SUCCESS },
	};
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.numa_nodes = 2;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;

	fund_root(hv, &next, 1);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct hv_input_create_partition in = {
			.proximity_domain_info = { rows[i].id, rows[i].flags },
			.isolation_properties = rows[i].isolation,
			.padding = rows[i].padding,
		};
		uint64_t id = 0;
		hv_status_t st = t_create_in(hv, &in, &id);

		CHECK_MSG(st == rows[i].st, "%s: got %s, want %s",
			  rows[i].name, ohv_status_name(st),
			  ohv_status_name(rows[i].st));
		if (st != HV_STATUS_SUCCESS) {
			CHECK_EQ(t_live(hv), 1);
			continue;
		}
		struct ohv_partition_info info;

		REQUIRE(ohv_partition_info(hv, id, &info) == 0);
		CHECK_EQ(info.proximity.domain_id, rows[i].id);
		CHECK_EQ(info.proximity.flags, rows[i].flags);
		CHECK_ST(t_delete(hv, id), HV_STATUS_SUCCESS);
	}

	/* Every reserved proximity bit 30:1 alone, with and without Valid. */
	for (unsigned bit = 1; bit <= 30; bit++) {
		for (int valid = 0; valid < 2; valid++) {
			struct hv_input_create_partition in = {
				.proximity_domain_info.flags = (1u << bit) |
					(valid ? HV_PROXIMITY_DOMAIN_VALID : 0),
			};
			hv_status_t st = t_create_in(hv, &in, NULL);

			CHECK_MSG(st == HV_STATUS_INVALID_PARAMETER,
				  "proximity bit %u valid %d: got %s", bit,
				  valid, ohv_status_name(st));
		}
	}
	CHECK_EQ(t_live(hv), 1);
	t_close(hv);
}

/*
 * spec.md §4.1: the checks run in order and the first failure wins.  Each row
 * combines two failures; the earlier step's status must come out.
 * max_partitions = 2, so one child makes the instance full.
 */
TEST(create_check_order)
{
	static const struct {
		const char *name;
		uint64_t flags;
		uint32_t prox_id;
		uint32_t prox_flags;
		uint64_t isolation;
		bool full;	/* live partitions == max_partitions */
		bool funded;	/* root pool holds costs.partition pages */
		hv_status_t st;
	} rows[] = {
		{ "bad flags + empty pool", 1ull << 2, 0, 0, 0, false, false,
		  HV_STATUS_INVALID_PARAMETER },
		{ "bad proximity + empty pool", 0, 0, 1u << 5, 0, false, false,
		  HV_STATUS_INVALID_PARAMETER },
		{ "required unknown node + empty pool", 0, 1,
		  HV_PROXIMITY_DOMAIN_VALID, 0, false, false,
		  HV_STATUS_INVALID_PARAMETER },
		/* control: a required node that exists is no error */
		{ "required node 0 + empty pool", 0, 0,
		  HV_PROXIMITY_DOMAIN_VALID, 0, false, false,
		  HV_STATUS_INSUFFICIENT_MEMORY },
		{ "isolation + empty pool", 0, 0, 0, 1, false, false,
		  HV_STATUS_INVALID_PARAMETER },
		{ "bad flags + full", 1ull << 63, 0, 0, 0, true, true,
		  HV_STATUS_INVALID_PARAMETER },
		{ "bad proximity + full", 0, 0, 1u << 30, 0, true, true,
		  HV_STATUS_INVALID_PARAMETER },
		{ "isolation + full + empty pool", 0, 0, 0, 3, true, false,
		  HV_STATUS_INVALID_PARAMETER },
		{ "full + empty pool", 0, 0, 0, 0, true, false,
		  HV_STATUS_NO_RESOURCES },
		{ "full, funded", 0, 0, 0, 0, true, true,
		  HV_STATUS_NO_RESOURCES },
		{ "empty pool alone", 0, 0, 0, 0, false, false,
		  HV_STATUS_INSUFFICIENT_MEMORY },
		{ "nothing wrong", 0, 0, 0, 0, false, true, HV_STATUS_SUCCESS },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv_config cfg;

		t_config(&cfg);
		cfg.max_partitions = 2;
		struct ohv *hv = t_open(&cfg);
		uint64_t next = T_FIRST_FREE_PAGE;

		if (rows[i].full)
			t_new_child(hv, &next);
		if (rows[i].funded)
			fund_root(hv, &next, 1);

		struct hv_input_create_partition in = {
			.flags = rows[i].flags,
			.proximity_domain_info = { rows[i].prox_id,
						   rows[i].prox_flags },
			.isolation_properties = rows[i].isolation,
		};
		hv_status_t want = rows[i].st;
		size_t before = t_live(hv);
		hv_status_t st = t_create_in(hv, &in, NULL);

		CHECK_MSG(st == want, "%s: got %s, want %s", rows[i].name,
			  ohv_status_name(st), ohv_status_name(want));
		CHECK_EQ(t_live(hv), before + (st == HV_STATUS_SUCCESS));
		t_close(hv);
	}
}

/*
 * spec.md §4.1 step 5 / seed 000 PARTITION_TOO_DEEP.  max_depth counts the
 * root and may not be below 2 (TLFS: "at least two partitions"), so a
 * child of the root (depth 2) never exceeds it: TOO_DEEP needs a caller at
 * depth max_depth, i.e. a child issuing HvCreatePartition: see
 * nested_too_deep in test_nested.c.  Here: the bound on max_depth, and
 * that the root creates at depth 2 == max_depth.
 */
TEST(create_depth_limit)
{
	static const struct {
		uint32_t max_depth;
		int rc;
	} rows[] = {
		{ 0, -EINVAL },
		{ 1, -EINVAL },
		{ 2, 0 },
		{ 3, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv_config cfg;
		struct ohv *hv = NULL;

		t_config(&cfg);
		cfg.max_depth = rows[i].max_depth;
		int rc = ohv_open(&cfg, &hv);

		CHECK_MSG(rc == rows[i].rc, "max_depth %u: ohv_open %d",
			  rows[i].max_depth, rc);
		if (rc)
			continue;
		uint64_t next = T_FIRST_FREE_PAGE;
		uint64_t id = t_new_child(hv, &next);
		struct ohv_partition_info info;

		REQUIRE(ohv_partition_info(hv, id, &info) == 0);
		CHECK_EQ(info.depth, 2);
		CHECK_EQ(info.parent_id, T_ROOT);
		REQUIRE(ohv_partition_info(hv, T_ROOT, &info) == 0);
		CHECK_EQ(info.depth, 1);
		t_close(hv);
	}
}

/*
 * A child calls only through a VP (spec.md §2): without one, a call "from" it
 * is refused before any hypercall semantics.  test_nested.c gives children
 * VPs and reaches the nested statuses.
 */
TEST(child_without_vp_cannot_call)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t uninit = t_new_child(hv, &next);
	uint64_t active = t_active_child(hv, &next);
	struct ohv_hvcall call = { .control = HVCALL_GET_PARTITION_ID };

	CHECK_ST(t_call(hv, uninit, 0, &call),
		 HV_STATUS_INVALID_PARTITION_STATE);
	memset(&call, 0, sizeof(call));
	call.control = HVCALL_CREATE_PARTITION;
	CHECK_ST(t_call(hv, active, 0, &call), HV_STATUS_INVALID_VP_INDEX);
	CHECK_EQ(t_live(hv), 3);
	t_close(hv);
}

/* spec.md §4.1 step 6, seed 000 "an implementation limit has been reached":
 * live partitions (root included) == max_partitions -> NO_RESOURCES. */
TEST(create_no_resources_at_max_partitions)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.max_partitions = 3;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE, avail, in_use, id = 0;

	fund_root(hv, &next, 3);
	CHECK_ST(t_create(hv, &id), HV_STATUS_SUCCESS);
	CHECK_EQ(id, 2);
	CHECK_ST(t_create(hv, &id), HV_STATUS_SUCCESS);
	CHECK_EQ(id, 3);
	CHECK_ST(t_create(hv, &id), HV_STATUS_NO_RESOURCES);
	CHECK_EQ(t_live(hv), 3);
	root_pool(hv, &avail, &in_use);
	CHECK_EQ(avail, 1);	/* nothing charged for the refused create */
	CHECK_EQ(in_use, 2);

	/* A Finalized partition is still live (not deleted): no room. */
	t_fund(hv, 2, &next, INIT_COST);
	REQUIRE_ST(t_initialize(hv, 2), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_finalize(hv, 2), HV_STATUS_SUCCESS);
	CHECK_ST(t_create(hv, &id), HV_STATUS_NO_RESOURCES);

	/* Deleting one frees a slot; the refused creates used no id. */
	withdraw_all(hv, 2);
	CHECK_ST(t_delete(hv, 2), HV_STATUS_SUCCESS);
	CHECK_ST(t_create(hv, &id), HV_STATUS_SUCCESS);
	CHECK_EQ(id, 4);
	CHECK_ST(t_create(hv, &id), HV_STATUS_NO_RESOURCES);
	t_close(hv);

	/* max_partitions = 1: the root alone fills the instance. */
	t_config(&cfg);
	cfg.max_partitions = 1;
	hv = t_open(&cfg);
	next = T_FIRST_FREE_PAGE;
	fund_root(hv, &next, 1);
	CHECK_ST(t_create(hv, &id), HV_STATUS_NO_RESOURCES);
	t_close(hv);
}

/* spec.md §4.1 step 7, seed 000: the caller's pool holds fewer than
 * costs.partition available pages -> INSUFFICIENT_MEMORY. */
TEST(create_insufficient_memory)
{
	static const struct {
		uint32_t cost;
		uint32_t funded;	/* available pages in the root pool */
		uint32_t busy;		/* of which put in use by a child first */
		hv_status_t st;
	} rows[] = {
		{ 1, 0, 0, HV_STATUS_INSUFFICIENT_MEMORY },
		{ 1, 1, 0, HV_STATUS_SUCCESS },
		{ 1, 5, 0, HV_STATUS_SUCCESS },
		{ 3, 0, 0, HV_STATUS_INSUFFICIENT_MEMORY },
		{ 3, 2, 0, HV_STATUS_INSUFFICIENT_MEMORY },
		{ 3, 3, 0, HV_STATUS_SUCCESS },
		/* Pages in use do not count: 5 deposited, 3 charged to a
		 * first child, 2 available. */
		{ 3, 5, 3, HV_STATUS_INSUFFICIENT_MEMORY },
		{ 3, 6, 3, HV_STATUS_SUCCESS },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv_config cfg;

		t_config(&cfg);
		cfg.costs.partition = rows[i].cost;
		struct ohv *hv = t_open(&cfg);
		uint64_t next = T_FIRST_FREE_PAGE, avail, in_use, id = 0;

		if (rows[i].funded)
			fund_root(hv, &next, rows[i].funded);
		if (rows[i].busy)
			REQUIRE_ST(t_create(hv, NULL), HV_STATUS_SUCCESS);
		root_pool(hv, &avail, &in_use);
		CHECK_EQ(avail, rows[i].funded - rows[i].busy);

		hv_status_t st = t_create(hv, &id);
		uint64_t a2, u2;

		CHECK_MSG(st == rows[i].st, "cost %u funded %u busy %u: got %s",
			  rows[i].cost, rows[i].funded, rows[i].busy,
			  ohv_status_name(st));
		root_pool(hv, &a2, &u2);
		if (st == HV_STATUS_SUCCESS) {
			struct ohv_partition_info info;

			CHECK_EQ(a2, avail - rows[i].cost);
			CHECK_EQ(u2, in_use + rows[i].cost);
			REQUIRE(ohv_partition_info(hv, id, &info) == 0);
			CHECK_EQ(info.charged_pages, rows[i].cost);
		} else {
			CHECK_EQ(a2, avail);
			CHECK_EQ(u2, in_use);
		}
		t_close(hv);
	}
}

/* spec.md §4.1 success, seeds 000/002: what a new partition looks like. */
TEST(create_success_state)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE, avail, in_use, a2, u2, id = 0, v;
	struct hv_input_create_partition in = {
		.flags = HV_PARTITION_CREATION_FLAG_EXO_PARTITION |
			 HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED,
		.proximity_domain_info = { 0, HV_PROXIMITY_DOMAIN_VALID |
					      HV_PROXIMITY_DOMAIN_PREFERRED },
		.compatibility_version = HV_COMPATIBILITY_21_H2,
		.disabled_processor_features = { 0x5, 0x2 },
		.disabled_processor_xsave_features = 0x4,
	};
	struct ohv_partition_info info;

	fund_root(hv, &next, 2);
	root_pool(hv, &avail, &in_use);
	REQUIRE_ST(t_create_in(hv, &in, &id), HV_STATUS_SUCCESS);
	CHECK_EQ(id, 2);

	REQUIRE(ohv_partition_info(hv, id, &info) == 0);
	CHECK_EQ(info.id, id);
	CHECK_EQ(info.parent_id, T_ROOT);
	CHECK_EQ(info.depth, 2);
	CHECK_EQ(info.state, OHV_STATE_UNINITIALIZED);
	CHECK_EQ(info.creation_flags, in.flags);
	CHECK_EQ(info.proximity.domain_id, 0);
	CHECK_EQ(info.proximity.flags, in.proximity_domain_info.flags);
	CHECK_EQ(info.compatibility_version, HV_COMPATIBILITY_21_H2);
	CHECK_EQ(info.privileges, OHV_CHILD_PRIVILEGES);
	CHECK_EQ(info.children, 0);
	CHECK_EQ(info.vps, 0);

	/* Empty pool (seed 000 remarks). */
	CHECK_ST(t_balance(hv, id, &a2, &u2), HV_STATUS_SUCCESS);
	CHECK_EQ(a2, 0);
	CHECK_EQ(u2, 0);
	/* costs.partition pages moved from available to in use in the
	 * creator's pool. */
	root_pool(hv, &a2, &u2);
	CHECK_EQ(a2, avail - 1);
	CHECK_EQ(u2, in_use + 1);
	REQUIRE(ohv_partition_info(hv, T_ROOT, &info) == 0);
	CHECK_EQ(info.children, 1);

	/* spec.md §4.3: default child privileges, readable while Uninitialized
	 * (early property). */
	CHECK_ST(t_get_property(hv, id, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
				&v), HV_STATUS_SUCCESS);
	CHECK_EQ(v, 0x5FF);
	/* CompatibilityVersion is not early: readable once Active. */
	t_fund(hv, id, &next, INIT_COST);
	REQUIRE_ST(t_initialize(hv, id), HV_STATUS_SUCCESS);
	CHECK_ST(t_get_property(hv, id,
				HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION,
				&v), HV_STATUS_SUCCESS);
	CHECK_EQ(v, HV_COMPATIBILITY_21_H2);
	t_close(hv);
}

/*
 * Seed 000's 2013 layout: Flags and ProximityDomainInfo only, the rest of
 * the 56-byte block zero, is the same request (spec.md §4.1).  Each row runs
 * in both layouts and must give the same status and stored values.
 */
TEST(create_2013_layout)
{
	static const struct {
		uint64_t flags;
		uint32_t prox_id, prox_flags;
		hv_status_t st;
	} rows[] = {
		{ 0, 0, 0, HV_STATUS_SUCCESS },
		{ HV_PARTITION_CREATION_FLAG_SMT_ENABLED_GUEST |
		  HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE, 0, 0,
		  HV_STATUS_SUCCESS },
		{ 0, 0, HV_PROXIMITY_DOMAIN_VALID, HV_STATUS_SUCCESS },
		{ 0, 5, HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED,
		  HV_STATUS_SUCCESS },
		{ 1ull << 2, 0, 0, HV_STATUS_INVALID_PARAMETER },
		{ 0, 0, 1u << 7, HV_STATUS_INVALID_PARAMETER },
		{ 0, 1, HV_PROXIMITY_DOMAIN_VALID, HV_STATUS_INVALID_PARAMETER },
	};
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;

	fund_root(hv, &next, 1);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		for (int classic = 0; classic < 2; classic++) {
			struct hv_input_create_partition in = {
				.flags = rows[i].flags,
				.proximity_domain_info = { rows[i].prox_id,
							   rows[i].prox_flags },
			};
			size_t len = classic ?
				sizeof(struct hv_input_create_partition_classic) :
				sizeof(in);
			uint64_t id = 0;
			hv_status_t st = create_bytes(hv, &in, len, &id);

			CHECK_MSG(st == rows[i].st, "row %zu %s layout: got %s",
				  i, classic ? "2013" : "56-byte",
				  ohv_status_name(st));
			if (st != HV_STATUS_SUCCESS)
				continue;
			struct ohv_partition_info info;

			REQUIRE(ohv_partition_info(hv, id, &info) == 0);
			CHECK_EQ(info.creation_flags, rows[i].flags);
			CHECK_EQ(info.proximity.domain_id, rows[i].prox_id);
			CHECK_EQ(info.proximity.flags, rows[i].prox_flags);
			CHECK_EQ(info.compatibility_version, 0);
			CHECK_EQ(info.state, OHV_STATE_UNINITIALIZED);
			CHECK_ST(t_delete(hv, id), HV_STATUS_SUCCESS);
		}
	}
	t_close(hv);
}

/*
 * Seed 002's ARM64 layout (48 bytes, ReservedZ0 at 40) and spec.md §4.1 step
 * 2: bits 13 and 22 are accepted and ignored on arm64.  Each input is
 * sent as 56 bytes whose last 8 are junk: an arm64 instance must not read
 * them as the x64 ReservedZ0.
 */
TEST(create_arm64_layout)
{
	static const struct {
		const char *name;
		uint64_t flags;
		uint64_t reserved_z0;	/* offset 40 */
		hv_status_t st;
		uint64_t stored;
	} rows[] = {
		{ "no flags", 0, 0, HV_STATUS_SUCCESS, 0 },
		{ "LAPIC ignored", 1ull << 13, 0, HV_STATUS_SUCCESS, 0 },
		{ "X2APIC ignored", 1ull << 22, 0, HV_STATUS_SUCCESS, 0 },
		{ "SMT + LAPIC + X2APIC", 1 | (1ull << 13) | (1ull << 22), 0,
		  HV_STATUS_SUCCESS, 1 },
		{ "EXO + PMU", (1ull << 8) | (1ull << 15), 0, HV_STATUS_SUCCESS,
		  (1ull << 8) | (1ull << 15) },
		{ "undefined bit 2", 1ull << 2, 0, HV_STATUS_INVALID_PARAMETER,
		  0 },
		{ "undefined bit 23", 1ull << 23, 0,
		  HV_STATUS_INVALID_PARAMETER, 0 },
		{ "ReservedZ0 at 40 set", 0, 1, HV_STATUS_INVALID_PARAMETER,
		  0 },
	};
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.arch = OHV_ARCH_ARM64;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;

	fund_root(hv, &next, 1);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct {
			struct hv_input_create_partition_arm64 in;
			uint64_t junk;
		} buf = {
			.in = {
				.flags = rows[i].flags,
				.compatibility_version = HV_COMPATIBILITY_21_H2,
				.disabled_processor_features = { 1, 0 },
				.isolation_properties = rows[i].reserved_z0,
			},
			.junk = ~0ull,
		};
		uint64_t id = 0;
		hv_status_t st = create_bytes(hv, &buf, sizeof(buf), &id);

		CHECK_MSG(st == rows[i].st, "%s: got %s", rows[i].name,
			  ohv_status_name(st));
		if (st != HV_STATUS_SUCCESS)
			continue;
		struct ohv_partition_info info;

		REQUIRE(ohv_partition_info(hv, id, &info) == 0);
		CHECK_MSG(info.creation_flags == rows[i].stored,
			  "%s: stored flags 0x%" PRIx64, rows[i].name,
			  info.creation_flags);
		CHECK_EQ(info.compatibility_version, HV_COMPATIBILITY_21_H2);
		CHECK_ST(t_delete(hv, id), HV_STATUS_SUCCESS);
	}
	t_close(hv);

	/* The converse: on x64, offset 40 is DisabledXsaveFeatures, not a
	 * must-be-zero field. */
	hv = t_open(NULL);
	next = T_FIRST_FREE_PAGE;
	fund_root(hv, &next, 1);
	struct hv_input_create_partition_arm64 a = { .isolation_properties = 1 };
	struct hv_input_create_partition x = { 0 };

	memcpy(&x, &a, sizeof(a));
	CHECK_ST(create_bytes(hv, &x, sizeof(x), NULL), HV_STATUS_SUCCESS);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* HvInitializePartition (spec.md §4.2, seed 001).                             */

/*
 * Every status of seed 001 but NO_RESOURCES ("a required system resource
 * is unavailable"): that one is host exhaustion, provoked by allocation
 * failure injection in test_inject.c (inject_initialize).
 */
TEST(initialize_status_table)
{
	static const struct {
		const char *name;
		enum target tg;
		uint32_t pages;
		hv_status_t st;
	} rows[] = {
		{ "id 0", TG_ZERO, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "SELF", TG_SELF, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "next id, never issued", TG_NEXT, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "unknown id", TG_UNKNOWN, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "deleted id", TG_DELETED, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "root initializing itself by id", TG_ROOT, 0,
		  HV_STATUS_ACCESS_DENIED },
		{ "already Active", TG_ACTIVE, 0,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "Active with spare pages", TG_ACTIVE, INIT_COST,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "Finalized", TG_FINALIZED, 0,
		  HV_STATUS_INVALID_PARTITION_STATE },
		/* state before memory: a drained pool is not the reason */
		{ "Finalized and drained", TG_DRAINED, 0,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "empty pool", TG_UNINIT, 0, HV_STATUS_INSUFFICIENT_MEMORY },
		{ "one page", TG_UNINIT, 1, HV_STATUS_INSUFFICIENT_MEMORY },
		{ "one page short", TG_UNINIT, INIT_COST - 1,
		  HV_STATUS_INSUFFICIENT_MEMORY },
		{ "exactly costs.initialize", TG_UNINIT, INIT_COST,
		  HV_STATUS_SUCCESS },
		{ "more than needed", TG_UNINIT, INIT_COST + 7,
		  HV_STATUS_SUCCESS },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv *hv = t_open(NULL);
		struct ohv_config cfg;
		uint64_t next = T_FIRST_FREE_PAGE;

		ohv_get_config(hv, &cfg);
		REQUIRE(cfg.costs.initialize == INIT_COST);
		uint64_t id = make_target(hv, rows[i].tg, rows[i].pages, &next);
		size_t before = t_live(hv);
		hv_status_t st = t_initialize(hv, id);

		CHECK_MSG(st == rows[i].st, "%s: got %s, want %s",
			  rows[i].name, ohv_status_name(st),
			  ohv_status_name(rows[i].st));
		CHECK_EQ(t_live(hv), before);
		if (rows[i].tg == TG_UNINIT) {
			uint64_t avail, in_use;

			CHECK_ST(t_balance(hv, id, &avail, &in_use),
				 HV_STATUS_SUCCESS);
			if (st == HV_STATUS_SUCCESS) {
				CHECK_EQ(state_of(hv, id), OHV_STATE_ACTIVE);
				CHECK_EQ(in_use, INIT_COST);
				CHECK_EQ(avail, rows[i].pages - INIT_COST);
			} else {
				CHECK_EQ(state_of(hv, id),
					 OHV_STATE_UNINITIALIZED);
				CHECK_EQ(in_use, 0);
				CHECK_EQ(avail, rows[i].pages);
			}
		}
		t_close(hv);
	}
}

/* Seed 001 remarks: deposit before initialize is the normal sequence
 * (spec.md §9); the pages wait as available and initialize draws from them. */
TEST(initialize_after_deposits_in_several_calls)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE, avail, in_use;
	uint64_t id = t_new_child(hv, &next);

	for (uint32_t i = 0; i < INIT_COST; i += 4) {
		CHECK_ST(t_initialize(hv, id), HV_STATUS_INSUFFICIENT_MEMORY);
		t_fund(hv, id, &next, 4);
		CHECK_ST(t_balance(hv, id, &avail, &in_use), HV_STATUS_SUCCESS);
		CHECK_EQ(avail, i + 4);
		CHECK_EQ(in_use, 0);
	}
	CHECK_ST(t_initialize(hv, id), HV_STATUS_SUCCESS);
	CHECK_ST(t_balance(hv, id, &avail, &in_use), HV_STATUS_SUCCESS);
	CHECK_EQ(avail, 0);
	CHECK_EQ(in_use, INIT_COST);
	t_close(hv);
}

/*
 * Seed 001: "allocated preferentially from the proximity domain specified
 * ... in the related HvCreatePartition".  numa_nodes = 2 over 4096 frames:
 * node 0 is frames 0-2047, node 1 2048-4095.  -1 means "any split".
 */
TEST(initialize_prefers_create_proximity)
{
	static const struct {
		const char *name;
		uint32_t prox_id, prox_flags;
		uint32_t on0, on1;	/* pages deposited on each node */
		int use0, use1;		/* expected in use per node */
	} rows[] = {
		{ "prefer 1, enough there", 1,
		  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED,
		  8, INIT_COST, 0, INIT_COST },
		{ "prefer 1, short there: rest from 0", 1,
		  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED,
		  INIT_COST, 4, INIT_COST - 4, 4 },
		{ "prefer 1, nothing there", 1,
		  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED,
		  INIT_COST, 0, INIT_COST, 0 },
		{ "prefer 0, enough there", 0,
		  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED,
		  INIT_COST, INIT_COST, INIT_COST, 0 },
		{ "require 1, enough there", 1, HV_PROXIMITY_DOMAIN_VALID,
		  4, INIT_COST + 2, 0, INIT_COST },
		/* spec.md §4.2 says "preferring": a required node that is short
		 * still falls back rather than fail. */
		{ "require 1, short there", 1, HV_PROXIMITY_DOMAIN_VALID,
		  INIT_COST, 6, INIT_COST - 6, 6 },
		{ "no preference", 0, 0, 10, 10, -1, -1 },
		{ "prefer unknown node 9", 9,
		  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED,
		  10, 10, -1, -1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv_config cfg;

		t_config(&cfg);
		cfg.numa_nodes = 2;
		struct ohv *hv = t_open(&cfg);
		uint64_t next0 = T_FIRST_FREE_PAGE, next1 = 2048 + 16, id = 0;
		struct hv_input_create_partition in = {
			.proximity_domain_info = { rows[i].prox_id,
						   rows[i].prox_flags },
		};

		REQUIRE(ohv_frame_node(hv, next0) == 0);
		REQUIRE(ohv_frame_node(hv, next1) == 1);
		fund_root(hv, &next0, 1);
		REQUIRE_ST(t_create_in(hv, &in, &id), HV_STATUS_SUCCESS);
		t_fund(hv, id, &next0, rows[i].on0);
		t_fund(hv, id, &next1, rows[i].on1);
		REQUIRE_ST(t_initialize(hv, id), HV_STATUS_SUCCESS);

		uint64_t a[2], u[2];

		for (uint32_t n = 0; n < 2; n++)
			REQUIRE(ohv_pool_node_balance(hv, id, n, &a[n],
						      &u[n]) == 0);
		CHECK_MSG(u[0] + u[1] == INIT_COST, "%s: in use %" PRIu64
			  " + %" PRIu64, rows[i].name, u[0], u[1]);
		CHECK_EQ(a[0] + u[0], rows[i].on0);
		CHECK_EQ(a[1] + u[1], rows[i].on1);
		if (rows[i].use0 >= 0)
			CHECK_MSG(u[0] == (uint64_t)rows[i].use0 &&
				  u[1] == (uint64_t)rows[i].use1,
				  "%s: in use on nodes %" PRIu64 "/%" PRIu64
				  ", want %d/%d", rows[i].name, u[0], u[1],
				  rows[i].use0, rows[i].use1);
		t_close(hv);
	}
}

/* ---------------------------------------------------------------------- */
/* HvFinalizePartition (spec.md §4.4, seed 003).                               */

/*
 * Seed 003's OPERATION_DENIED ("has one or more children") needs a child
 * with children, which only a runnable child can create: see
 * nested_finalize_with_children in test_nested.c.
 */
TEST(finalize_status_table)
{
	static const struct {
		const char *name;
		enum target tg;
		uint32_t pages;
		hv_status_t st;
	} rows[] = {
		{ "id 0", TG_ZERO, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "SELF", TG_SELF, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "next id, never issued", TG_NEXT, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "unknown id", TG_UNKNOWN, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "deleted id", TG_DELETED, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "the root", TG_ROOT, 0, HV_STATUS_ACCESS_DENIED },
		{ "Uninitialized, empty", TG_UNINIT, 0,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "Uninitialized, funded", TG_UNINIT, INIT_COST,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "already Finalized", TG_FINALIZED, 0,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "Finalized and drained", TG_DRAINED, 0,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "Active", TG_ACTIVE, 0, HV_STATUS_SUCCESS },
		{ "Active with spare pages", TG_ACTIVE, 5, HV_STATUS_SUCCESS },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv *hv = t_open(NULL);
		uint64_t next = T_FIRST_FREE_PAGE;
		uint64_t id = make_target(hv, rows[i].tg, rows[i].pages, &next);
		struct ohv_partition_info before, after;
		bool child = rows[i].tg >= TG_UNINIT;

		if (child)
			REQUIRE(ohv_partition_info(hv, id, &before) == 0);
		hv_status_t st = t_finalize(hv, id);

		CHECK_MSG(st == rows[i].st, "%s: got %s, want %s",
			  rows[i].name, ohv_status_name(st),
			  ohv_status_name(rows[i].st));
		if (child) {
			REQUIRE(ohv_partition_info(hv, id, &after) == 0);
			if (st == HV_STATUS_SUCCESS) {
				/* In-use pages become available; the pool
				 * stays for withdrawal. */
				CHECK_EQ(after.state, OHV_STATE_FINALIZED);
				CHECK_EQ(after.pool_in_use, 0);
				CHECK_EQ(after.pool_available,
					 before.pool_available +
					 before.pool_in_use);
				CHECK_EQ(after.pool_available,
					 INIT_COST + rows[i].pages);
			} else {
				CHECK_EQ(after.state, before.state);
				CHECK_EQ(after.pool_available,
					 before.pool_available);
				CHECK_EQ(after.pool_in_use, before.pool_in_use);
			}
		}
		t_close(hv);
	}
}

/* After finalize the pool is withdrawable in full and the partition
 * accepts only balance, withdraw, enumeration and delete (facts §5.1). */
TEST(finalize_then_withdraw_and_delete)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE, avail, in_use, v;
	uint64_t id = make_target(hv, TG_ACTIVE, 3, &next);
	uint64_t pages[HV_WITHDRAW_MAX_PAGES];
	uint32_t done = 0;

	REQUIRE_ST(t_finalize(hv, id), HV_STATUS_SUCCESS);
	CHECK_ST(t_balance(hv, id, &avail, &in_use), HV_STATUS_SUCCESS);
	CHECK_EQ(avail, INIT_COST + 3);
	CHECK_EQ(in_use, 0);
	CHECK_ST(t_delete(hv, id), HV_STATUS_OPERATION_DENIED);
	CHECK_ST(t_deposit(hv, id, next, 1, NULL),
		 HV_STATUS_INVALID_PARTITION_STATE);
	CHECK_ST(t_get_property(hv, id, HV_PARTITION_PROPERTY_CPU_WEIGHT, &v),
		 HV_STATUS_INVALID_PARTITION_STATE);
	CHECK_ST(t_withdraw(hv, id, INIT_COST + 3, pages, &done),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(done, INIT_COST + 3);
	CHECK_ST(t_delete(hv, id), HV_STATUS_SUCCESS);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* HvDeletePartition (spec.md §4.5).                                           */

TEST(delete_status_table)
{
	static const struct {
		const char *name;
		enum target tg;
		uint32_t pages;
		hv_status_t st;
	} rows[] = {
		{ "id 0", TG_ZERO, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "SELF", TG_SELF, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "next id, never issued", TG_NEXT, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "unknown id", TG_UNKNOWN, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "deleted id", TG_DELETED, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "the root", TG_ROOT, 0, HV_STATUS_ACCESS_DENIED },
		/* state before pool: an Active pool always holds pages */
		{ "Active", TG_ACTIVE, 0, HV_STATUS_INVALID_PARTITION_STATE },
		{ "Uninitialized, pages available", TG_UNINIT, 1,
		  HV_STATUS_OPERATION_DENIED },
		{ "Finalized, not withdrawn", TG_FINALIZED, 0,
		  HV_STATUS_OPERATION_DENIED },
		{ "Uninitialized, empty pool", TG_UNINIT, 0, HV_STATUS_SUCCESS },
		{ "Finalized, withdrawn", TG_DRAINED, 0, HV_STATUS_SUCCESS },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv *hv = t_open(NULL);
		uint64_t next = T_FIRST_FREE_PAGE, a0, u0, a1, u1;
		uint64_t id = make_target(hv, rows[i].tg, rows[i].pages, &next);
		size_t before = t_live(hv);

		root_pool(hv, &a0, &u0);
		hv_status_t st = t_delete(hv, id);
		struct ohv_partition_info info;

		CHECK_MSG(st == rows[i].st, "%s: got %s, want %s",
			  rows[i].name, ohv_status_name(st),
			  ohv_status_name(rows[i].st));
		root_pool(hv, &a1, &u1);
		if (st == HV_STATUS_SUCCESS) {
			/* costs.partition pages back to the creator's pool,
			 * as available. */
			CHECK_EQ(a1, a0 + 1);
			CHECK_EQ(u1, u0 - 1);
			CHECK_EQ(t_live(hv), before - 1);
			CHECK(ohv_partition_info(hv, id, &info) == -ENOENT);
		} else {
			CHECK_EQ(a1, a0);
			CHECK_EQ(u1, u0);
			CHECK_EQ(t_live(hv), before);
		}
		t_close(hv);
	}
}

/*
 * spec.md §4: a deleted id is dead forever.  Every call that names a partition
 * gets INVALID_PARTITION_ID for it, and no create reuses it.
 */
static hv_status_t name_initialize(struct ohv *hv, uint64_t id, uint64_t pg)
{
	return t_initialize(hv, id);
}

static hv_status_t name_finalize(struct ohv *hv, uint64_t id, uint64_t pg)
{
	return t_finalize(hv, id);
}

static hv_status_t name_delete(struct ohv *hv, uint64_t id, uint64_t pg)
{
	return t_delete(hv, id);
}

static hv_status_t name_get_property(struct ohv *hv, uint64_t id, uint64_t pg)
{
	return t_get_property(hv, id, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
			      NULL);
}

static hv_status_t name_set_property(struct ohv *hv, uint64_t id, uint64_t pg)
{
	return t_set_property(hv, id, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, 0);
}

static hv_status_t name_deposit(struct ohv *hv, uint64_t id, uint64_t pg)
{
	return ohv_result_status(t_deposit_list(hv, id, &pg, 1));
}

static hv_status_t name_withdraw(struct ohv *hv, uint64_t id, uint64_t pg)
{
	return t_withdraw(hv, id, 1, NULL, NULL);
}

static hv_status_t name_balance(struct ohv *hv, uint64_t id, uint64_t pg)
{
	return t_balance(hv, id, NULL, NULL);
}

static hv_status_t get_next_child(struct ohv *hv, uint64_t parent,
				  uint64_t prev, uint64_t *next_id)
{
	struct hv_input_get_next_child_partition in = { parent, prev };
	uint64_t out = 0;
	hv_status_t st = ohv_result_status(t_mem(hv, T_ROOT,
						 HVCALL_GET_NEXT_CHILD_PARTITION,
						 &in, sizeof(in), &out,
						 sizeof(out)));

	if (st == HV_STATUS_SUCCESS) {
		if (next_id)
			*next_id = out;
	} else {
		CHECK_EQ(out, POISON);
	}
	return st;
}

static hv_status_t name_next_parent(struct ohv *hv, uint64_t id, uint64_t pg)
{
	return get_next_child(hv, id, 0, NULL);
}

static hv_status_t name_next_previous(struct ohv *hv, uint64_t id, uint64_t pg)
{
	return get_next_child(hv, T_ROOT, id, NULL);
}

static const struct {
	const char *name;
	hv_status_t (*call)(struct ohv *hv, uint64_t id, uint64_t page);
} naming_calls[] = {
	{ "HvInitializePartition", name_initialize },
	{ "HvFinalizePartition", name_finalize },
	{ "HvDeletePartition", name_delete },
	{ "HvGetPartitionProperty", name_get_property },
	{ "HvSetPartitionProperty", name_set_property },
	{ "HvDepositMemory", name_deposit },
	{ "HvWithdrawMemory", name_withdraw },
	{ "HvGetMemoryBalance", name_balance },
	{ "HvGetNextChildPartition ParentId", name_next_parent },
	{ "HvGetNextChildPartition PreviousChildId", name_next_previous },
};

TEST(deleted_id_is_dead_forever)
{
	static const enum target dead[] = { TG_ZERO, TG_UNKNOWN, TG_DELETED };

	for (size_t d = 0; d < ARRAY_SIZE(dead); d++) {
		struct ohv *hv = t_open(NULL);
		uint64_t next = T_FIRST_FREE_PAGE;
		/* A live sibling, so enumeration has something to walk. */
		uint64_t other = t_new_child(hv, &next);
		uint64_t id = make_target(hv, dead[d], 0, &next);
		uint64_t page = next++;

		for (size_t c = 0; c < ARRAY_SIZE(naming_calls); c++) {
			/* PreviousChildId 0 means "start", not a dead id. */
			if (id == 0 && naming_calls[c].call == name_next_previous)
				continue;
			hv_status_t st = naming_calls[c].call(hv, id, page);

			CHECK_MSG(st == HV_STATUS_INVALID_PARTITION_ID,
				  "%s on id 0x%" PRIx64 ": got %s",
				  naming_calls[c].name, id,
				  ohv_status_name(st));
		}
		/* The page offered to the dead id stayed with the root. */
		CHECK(ohv_gpa(hv, T_ROOT, page << 12, HV_PAGE_SIZE) != NULL);
		CHECK(state_of(hv, other) == OHV_STATE_UNINITIALIZED);

		/* Never reused: later creates get new, larger ids. */
		uint64_t last = dead[d] == TG_DELETED ? id : other;

		for (int k = 0; k < 3; k++) {
			uint64_t nid = t_new_child(hv, &next);

			CHECK(nid != id);
			CHECK_EQ(nid, last + 1);
			last = nid;
		}
		t_close(hv);
	}
}

/* spec.md §4: ids sequential from 1 (the root), unique over create/delete. */
TEST(ids_sequential_and_never_reused)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE, expect = 2;
	uint64_t ids[4];

	CHECK_EQ(ohv_root_id(hv), 1);
	for (int i = 0; i < 4; i++) {
		ids[i] = t_new_child(hv, &next);
		CHECK_EQ(ids[i], expect++);
	}
	/* Delete one in the middle and one at the end. */
	CHECK_ST(t_delete(hv, ids[1]), HV_STATUS_SUCCESS);
	CHECK_ST(t_delete(hv, ids[3]), HV_STATUS_SUCCESS);
	for (int cycle = 0; cycle < 100; cycle++) {
		uint64_t id = t_new_child(hv, &next);

		CHECK_EQ(id, expect++);
		if (cycle % 3 == 0) {
			t_fund(hv, id, &next, INIT_COST);
			CHECK_ST(t_initialize(hv, id), HV_STATUS_SUCCESS);
			t_destroy_child(hv, id);
		} else {
			CHECK_ST(t_delete(hv, id), HV_STATUS_SUCCESS);
		}
	}
	uint64_t list[8];

	CHECK_EQ(ohv_partition_list(hv, list, 8), 3);
	CHECK_EQ(list[0], 1);
	CHECK_EQ(list[1], ids[0]);
	CHECK_EQ(list[2], ids[2]);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* HvGetPartitionId, HvGetNextChildPartition (spec.md §4.6).                   */

TEST(get_partition_id)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE, out = 0;

	/* Children exist; the answer is still the caller's own id. */
	t_new_child(hv, &next);
	CHECK_ST(t_mem(hv, T_ROOT, HVCALL_GET_PARTITION_ID, NULL, 0, &out,
		       sizeof(out)), HV_STATUS_SUCCESS);
	CHECK_EQ(out, 1);
	out = 0;
	CHECK_ST(t_fast(hv, T_ROOT, HVCALL_GET_PARTITION_ID, NULL, 0, &out,
			sizeof(out)), HV_STATUS_SUCCESS);
	CHECK_EQ(out, 1);
	t_close(hv);

	/* facts 0x0046: AccessPartitionId is required (spec.md §3.3). */
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.root_privileges &= ~HV_PARTITION_PRIV_ACCESS_PARTITION_ID;
	hv = t_open(&cfg);
	CHECK_ST(t_mem(hv, T_ROOT, HVCALL_GET_PARTITION_ID, NULL, 0, &out,
		       sizeof(out)), HV_STATUS_ACCESS_DENIED);
	CHECK_EQ(out, POISON);
	t_close(hv);
}

/* Walk the root's children with ParentId parent; returns how many. */
static size_t enumerate(struct ohv *hv, uint64_t parent, uint64_t *ids,
			size_t max)
{
	uint64_t prev = 0, nid;
	size_t n = 0;

	for (;;) {
		REQUIRE_ST(get_next_child(hv, parent, prev, &nid),
			   HV_STATUS_SUCCESS);
		if (nid == HV_PARTITION_ID_INVALID)
			return n;
		REQUIRE(n < max);
		ids[n++] = nid;
		prev = nid;
	}
}

TEST(get_next_child_enumerates_in_creation_order)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE, got[8];
	static const uint64_t parents[] = { HV_PARTITION_ID_SELF, T_ROOT };

	/* No children: the first answer is already 0. */
	for (size_t p = 0; p < ARRAY_SIZE(parents); p++)
		CHECK_EQ(enumerate(hv, parents[p], got, 8), 0);

	/* Five children in every state. */
	uint64_t c[5];

	c[0] = make_target(hv, TG_ACTIVE, 0, &next);
	c[1] = make_target(hv, TG_UNINIT, 0, &next);
	c[2] = make_target(hv, TG_FINALIZED, 0, &next);
	c[3] = make_target(hv, TG_UNINIT, 2, &next);
	c[4] = make_target(hv, TG_ACTIVE, 0, &next);
	for (size_t p = 0; p < ARRAY_SIZE(parents); p++) {
		REQUIRE(enumerate(hv, parents[p], got, 8) == 5);
		for (int i = 0; i < 5; i++)
			CHECK_EQ(got[i], c[i]);
	}

	/* Delete the middle one: the walk skips it, order kept. */
	CHECK_ST(t_delete(hv, c[1]), HV_STATUS_SUCCESS);
	REQUIRE(enumerate(hv, HV_PARTITION_ID_SELF, got, 8) == 4);
	CHECK_EQ(got[0], c[0]);
	CHECK_EQ(got[1], c[2]);
	CHECK_EQ(got[2], c[3]);
	CHECK_EQ(got[3], c[4]);

	/* A new child goes last. */
	uint64_t late = t_new_child(hv, &next);

	REQUIRE(enumerate(hv, T_ROOT, got, 8) == 5);
	CHECK_EQ(got[4], late);

	/* Fast form, same answer. */
	struct hv_input_get_next_child_partition in = { T_ROOT, c[0] };
	uint64_t out = 0;

	CHECK_ST(t_fast(hv, T_ROOT, HVCALL_GET_NEXT_CHILD_PARTITION, &in,
			sizeof(in), &out, sizeof(out)), HV_STATUS_SUCCESS);
	CHECK_EQ(out, c[2]);
	t_close(hv);
}

/* spec.md §4.6 errors: ParentId must be the caller (SELF allowed), unknown
 * ParentId first; PreviousChildId 0 or a live child of ParentId. */
TEST(get_next_child_errors)
{
	/* Stand-ins for ids made below. */
	const uint64_t m_child = 0xF000000000000001ull;
	const uint64_t m_deleted = 0xF000000000000002ull;
	const uint64_t m_last = 0xF000000000000003ull;
	const struct {
		const char *name;
		uint64_t parent;
		uint64_t prev;
		hv_status_t st;
	} rows[] = {
		{ "ParentId a child", m_child, 0, HV_STATUS_ACCESS_DENIED },
		{ "ParentId a child, prev its sibling", m_child, m_last,
		  HV_STATUS_ACCESS_DENIED },
		{ "ParentId a child, prev deleted", m_child, m_deleted,
		  HV_STATUS_ACCESS_DENIED },
		{ "ParentId 0", HV_PARTITION_ID_INVALID, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "ParentId unknown", NEVER_ISSUED, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "ParentId deleted", m_deleted, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "ParentId unknown, prev deleted", NEVER_ISSUED, m_deleted,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "prev deleted", T_ROOT, m_deleted,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "prev deleted, SELF parent", HV_PARTITION_ID_SELF, m_deleted,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "prev unknown", T_ROOT, NEVER_ISSUED,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "prev the parent itself", T_ROOT, T_ROOT,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "prev SELF", HV_PARTITION_ID_SELF, HV_PARTITION_ID_SELF,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "prev the root, SELF parent", HV_PARTITION_ID_SELF, T_ROOT,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "control: prev a child", HV_PARTITION_ID_SELF, m_child,
		  HV_STATUS_SUCCESS },
	};
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_new_child(hv, &next);
	uint64_t deleted = make_target(hv, TG_DELETED, 0, &next);
	uint64_t last = t_new_child(hv, &next);

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		uint64_t ids[2] = { rows[i].parent, rows[i].prev }, out = 0;

		for (int k = 0; k < 2; k++) {
			if (ids[k] == m_child)
				ids[k] = child;
			else if (ids[k] == m_deleted)
				ids[k] = deleted;
			else if (ids[k] == m_last)
				ids[k] = last;
		}
		hv_status_t st = get_next_child(hv, ids[0], ids[1], &out);

		CHECK_MSG(st == rows[i].st, "%s: got %s, want %s",
			  rows[i].name, ohv_status_name(st),
			  ohv_status_name(rows[i].st));
		if (st == HV_STATUS_SUCCESS)
			CHECK_EQ(out, last);
	}
	t_close(hv);
}
