/* SPDX-License-Identifier: MIT */
/*
 * Host exhaustion (seeds 000 and 001 NO_RESOURCES: "a required system
 * resource is unavailable"; spec.md §5.4 and the ohv_debug_fail_alloc
 * contract: host exhaustion -> NO_RESOURCES, never INSUFFICIENT_MEMORY,
 * and nothing changes).  SQLite's way: fail the 1st, 2nd, 3rd ... host
 * allocation of a call in turn until the injection point lies past the
 * call's last allocation and it succeeds.
 *
 * Injection is armed only around the one call under test (the invariant
 * checker allocates too) and always disarmed before anything can stop the
 * test, so a failing test leaves none behind in -n mode.
 */
#include <errno.h>

#include "t.h"

#define INIT_COST	16u	/* t_config keeps the spec.md §5.4 defaults */
#define VP_COST		8u
/* Every call here makes a handful of host allocations at most. */
#define MAX_POINTS	16u

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* ---------------------------------------------------------------------- */
/* Helpers.                                                                */

/*
 * One call by VP 0 of caller with the nth host allocation from now on
 * failing (0: none): memory-based for the root, fast otherwise.  *allocs
 * gets the allocations the call made.  Returns the result value; out gets
 * the output.
 */
static uint64_t call_failing(struct ohv *hv, uint64_t caller, uint64_t nth,
			     uint64_t control, const void *in, size_t in_len,
			     void *out, size_t out_len, uint64_t *allocs)
{
	struct ohv_hvcall call = { .control = control };
	uint8_t *op = NULL;

	if (caller == T_ROOT) {
		uint8_t *ip = ohv_gpa(hv, T_ROOT, T_IN_PAGE << 12, HV_PAGE_SIZE);

		op = ohv_gpa(hv, T_ROOT, T_OUT_PAGE << 12, HV_PAGE_SIZE);
		REQUIRE(ip && op && in_len <= HV_PAGE_SIZE);
		memset(ip, 0, HV_PAGE_SIZE);
		memcpy(ip, in, in_len);
		memset(op, 0xA5, HV_PAGE_SIZE);
		call.fast[0] = T_IN_PAGE << 12;
		call.fast[1] = T_OUT_PAGE << 12;
	} else {
		REQUIRE(in_len <= 112);
		call.control |= HV_HYPERCALL_FAST_BIT;
		memset(call.fast, 0xA5, sizeof(call.fast));
		memcpy(call.fast, in, in_len);
	}
	ohv_debug_fail_alloc(nth);
	uint64_t r = ohv_hypercall(hv, caller, 0, &call);

	*allocs = ohv_debug_alloc_count();
	ohv_debug_fail_alloc(0);
	if (out_len) {
		const uint8_t *src = op ? op : (const uint8_t *)call.fast +
					       ((in_len + 15) & ~(size_t)15);

		memcpy(out, src, out_len);
	}
	CHECK_INVARIANTS(hv);
	return r;
}

/*
 * Issue a call with the 1st, 2nd, ... allocation failing.  While it fails
 * it must say NO_RESOURCES, the injection point must lie within its
 * allocations, and nothing may change (live partitions and ids, pools,
 * states, VP counts); output is not written.  It must succeed within
 * MAX_POINTS, and only once the injection point is past its allocations.
 * Returns how many runs failed; out gets the successful run's output.
 */
static uint32_t walk(struct ohv *hv, const char *what, uint64_t caller,
		     uint64_t control, const void *in, size_t in_len,
		     void *out, size_t out_len)
{
	struct t_snap before;
	uint8_t buf[16];

	REQUIRE(out_len <= sizeof(buf));
	t_snap_take(hv, &before);
	for (uint64_t n = 1; n <= MAX_POINTS; n++) {
		uint64_t allocs = 0;

		memset(buf, 0, sizeof(buf));
		uint64_t r = call_failing(hv, caller, n, control, in, in_len,
					  buf, out_len, &allocs);
		hv_status_t st = ohv_result_status(r);

		if (st == HV_STATUS_SUCCESS) {
			CHECK_MSG(n > allocs, "%s: succeeded though its "
				  "allocation %" PRIu64 " of %" PRIu64 " failed",
				  what, n, allocs);
			if (out_len)
				memcpy(out, buf, out_len);
			return (uint32_t)(n - 1);
		}
		CHECK_MSG(st == HV_STATUS_NO_RESOURCES,
			  "%s, allocation %" PRIu64 " failing: got %s", what, n,
			  ohv_status_name(st));
		CHECK_MSG(n <= allocs, "%s: failed (%s) with the injection "
			  "point %" PRIu64 " past its %" PRIu64 " allocations",
			  what, ohv_status_name(st), n, allocs);
		for (size_t i = 0; i < out_len; i++)
			if (!CHECK_MSG(buf[i] == 0xA5, "%s: output written on "
				       "failure", what))
				break;
		if (!t_snap_same(hv, &before, what))
			t_stop();
	}
	CHECK_MSG(false, "%s: no success within %u injection points", what,
		  MAX_POINTS);
	t_stop();
}

/* ---------------------------------------------------------------------- */
/* HvCreatePartition (seed 000 NO_RESOURCES).                              */

/*
 * 70 creates by the root, each walked through its allocation failures, so
 * the id index and the slot table also grow under injection.  A failed
 * create consumes no id: ids stay sequential (spec.md §4), 2, 3, 4, ...
 */
TEST(inject_create_partition)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint32_t most = 0;

	t_fund(hv, HV_PARTITION_ID_SELF, &next, 80);
	for (uint64_t k = 0; k < 70; k++) {
		struct hv_input_create_partition in = { 0 };
		uint64_t id = 0;
		char what[48];

		snprintf(what, sizeof(what), "create #%" PRIu64, k + 1);
		uint32_t fails = walk(hv, what, T_ROOT, HVCALL_CREATE_PARTITION,
				      &in, sizeof(in), &id, sizeof(id));

		CHECK_MSG(fails >= 1, "%s: made no host allocation", what);
		uint64_t want = T_ROOT + 1 + k;

		CHECK_MSG(id == want, "%s: id %" PRIu64 ", want %" PRIu64, what,
			  id, want);
		if (fails > most)
			most = fails;
	}
	/* Some creates grew the id index or the slot table. */
	CHECK_MSG(most >= 2, "no create made more than %u allocations", most);
	CHECK_EQ(ohv_partition_list(hv, NULL, 0), 71);
	CHECK_EQ(t_info(hv, T_ROOT).pool_in_use, 70);
	CHECK_EQ(t_info(hv, T_ROOT).children, 70);
	t_close(hv);
}

/* The same from a child (fast call, its own pool, spec.md §4.1). */
TEST(inject_create_partition_by_child)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_runnable_child(hv, &next, OHV_CHILD_PRIVILEGES |
					  HV_PARTITION_PRIV_CREATE_PARTITIONS);

	for (uint64_t k = 0; k < 12; k++) {
		struct hv_input_create_partition in = { 0 };
		uint64_t id = 0;

		uint32_t fails = walk(hv, "child's create", child,
				      HVCALL_CREATE_PARTITION, &in, sizeof(in),
				      &id, sizeof(id));

		CHECK(fails >= 1);
		CHECK_EQ(id, child + 1 + k);
		CHECK_EQ(t_info(hv, id).parent_id, child);
	}
	CHECK_EQ(t_info(hv, child).children, 12);
	CHECK_EQ(t_info(hv, child).pool_available, T_SPARE_PAGES - 12);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* HvInitializePartition (seed 001 NO_RESOURCES).                          */

/*
 * Seed 001: "A required system resource is unavailable" -> NO_RESOURCES;
 * the partition stays Uninitialized with its pool untouched (nothing in
 * use), and a later initialize works.  Then its first VP, to see the
 * partition came out whole.
 */
TEST(inject_initialize_partition)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;

	for (int k = 0; k < 4; k++) {
		uint64_t id = 0;
		hv_status_t st;

		while ((st = t_create(hv, &id)) == HV_STATUS_INSUFFICIENT_MEMORY)
			t_fund(hv, HV_PARTITION_ID_SELF, &next, 1);
		REQUIRE_ST(st, HV_STATUS_SUCCESS);
		t_fund(hv, id, &next, INIT_COST + VP_COST);

		uint32_t fails = walk(hv, "initialize", T_ROOT,
				      HVCALL_INITIALIZE_PARTITION, &id,
				      sizeof(id), NULL, 0);
		struct ohv_partition_info info = t_info(hv, id);

		CHECK(fails >= 1);
		CHECK_EQ(info.state, OHV_STATE_ACTIVE);
		CHECK_EQ(info.pool_in_use, INIT_COST);
		CHECK_EQ(info.pool_available, VP_COST);
		CHECK_ST(t_create_vp(hv, id, 0), HV_STATUS_SUCCESS);
		CHECK_EQ(t_info(hv, id).vps, 1);
	}
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* HvCreateVp (facts §3.2 0x004E: NO_RESOURCES).                           */

/*
 * Each failed create leaves the VP count, the pool and the index as they
 * were; the successful one has the index, costs.vp pages in use and the VP
 * suspended.
 */
TEST(inject_create_vp)
{
	static const uint32_t indexes[] = { 0, 1, 17, 63 };
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_active_child(hv, &next);

	t_fund(hv, child, &next, VP_COST * ARRAY_SIZE(indexes));
	for (size_t i = 0; i < ARRAY_SIZE(indexes); i++) {
		struct hv_input_create_vp in = {
			.partition_id = child, .vp_index = indexes[i],
		};
		uint32_t fails = walk(hv, "create VP", T_ROOT, HVCALL_CREATE_VP,
				      &in, sizeof(in), NULL, 0);
		struct ohv_partition_info info = t_info(hv, child);
		uint64_t v = 0;

		CHECK(fails >= 1);
		CHECK_EQ(info.vps, i + 1);
		CHECK_EQ(info.pool_in_use, INIT_COST + VP_COST * (i + 1));
		CHECK_ST(t_get_reg64(hv, T_ROOT, child, indexes[i],
				     HV_REGISTER_EXPLICIT_SUSPEND, &v),
			 HV_STATUS_SUCCESS);
		CHECK_EQ(v, 1);
		CHECK_ST(t_create_vp(hv, child, indexes[i]),
			 HV_STATUS_INVALID_VP_INDEX);
	}
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* ohv_open (spec.md §2: 0 or -errno).                                         */

/*
 * ohv_open with its 1st, 2nd, ... allocation failing: -ENOMEM and *out
 * NULL each time (nothing leaks: run under valgrind with -n), until it
 * succeeds with a usable instance.
 */
TEST(inject_open)
{
	struct ohv_config cfgs[2];

	t_config(&cfgs[0]);
	t_config(&cfgs[1]);
	cfgs[1].root_vps = 3;
	cfgs[1].numa_nodes = 2;
	for (size_t c = 0; c < ARRAY_SIZE(cfgs) + 1; c++) {
		/* The last round passes NULL: the library's defaults. */
		const struct ohv_config *cfg = c < ARRAY_SIZE(cfgs) ? &cfgs[c] :
					       NULL;
		struct ohv *hv = NULL;
		uint64_t n;
		int rc = -1;

		for (n = 1; n <= MAX_POINTS; n++) {
			static int sentinel;

			hv = (struct ohv *)&sentinel;
			ohv_debug_fail_alloc(n);
			rc = ohv_open(cfg, &hv);
			uint64_t allocs = ohv_debug_alloc_count();

			ohv_debug_fail_alloc(0);
			if (rc == 0) {
				CHECK_MSG(n > allocs, "config %zu: opened though "
					  "allocation %" PRIu64 " of %" PRIu64
					  " failed", c, n, allocs);
				break;
			}
			CHECK_MSG(rc == -ENOMEM, "config %zu, allocation %"
				  PRIu64 ": rc %d", c, n, rc);
			CHECK_MSG(hv == NULL, "config %zu, allocation %" PRIu64
				  ": *out not NULL", c, n);
			CHECK_MSG(n <= allocs, "config %zu: failed past its "
				  "allocations", c);
		}
		CHECK_MSG(rc == 0, "config %zu: no success within %u points", c,
			  MAX_POINTS);
		if (rc)
			t_stop();
		CHECK_MSG(n >= 2, "config %zu: ohv_open made no allocation", c);

		/* Usable: invariants hold, the root runs with its VPs. */
		struct ohv_partition_info info;
		uint32_t vps = cfg ? cfg->root_vps : 1;

		CHECK_INVARIANTS(hv);
		REQUIRE(ohv_partition_info(hv, T_ROOT, &info) == 0);
		CHECK_EQ(info.vps, vps);
		CHECK_EQ(info.state, OHV_STATE_ACTIVE);
		CHECK_EQ(ohv_partition_list(hv, NULL, 0), 1);
		for (uint32_t vp = 0; vp < vps; vp++) {
			struct hv_input_get_next_child_partition in = {
				.parent_id = HV_PARTITION_ID_SELF,
			};
			uint64_t out = 1;

			CHECK_ST(t_fast_vp(hv, T_ROOT, vp,
					   HVCALL_GET_NEXT_CHILD_PARTITION, &in,
					   sizeof(in), &out, sizeof(out)),
				 HV_STATUS_SUCCESS);
			CHECK_EQ(out, 0);
		}
		t_close(hv);
	}
}

/*
 * Host exhaustion is met only where the object is made, after every check
 * spec.md §4.1, 4.2 and 7 list: with the first host allocation set to fail, a
 * call that fails one of those checks still reports that status and
 * changes nothing.  Pool shortage stays INSUFFICIENT_MEMORY: it is the
 * pool, not the host, that is short.
 */
TEST(inject_checks_come_first)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.max_depth = 2;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t child = t_runnable_child(hv, &next, OHV_CHILD_PRIVILEGES |
					  HV_PARTITION_PRIV_CREATE_PARTITIONS);
	uint64_t empty = 0, unfunded = 0;

	/* The root's pool is empty again (t_runnable_child spent it). */
	REQUIRE(t_info(hv, T_ROOT).pool_available == 0);
	t_fund(hv, HV_PARTITION_ID_SELF, &next, 2);
	REQUIRE_ST(t_create(hv, &empty), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_create(hv, &unfunded), HV_STATUS_SUCCESS);
	t_fund(hv, unfunded, &next, INIT_COST - 1);

	struct hv_input_create_partition plain = { 0 };
	struct hv_input_create_partition bad = { .flags = 1ull << 2 };
	struct hv_input_create_vp used = { .partition_id = child };
	struct hv_input_create_vp vp_on_uninit = { .partition_id = empty };
	struct hv_input_create_vp vp_short = {
		.partition_id = child, .vp_index = 1,
	};
	const struct {
		const char *name;
		uint64_t caller;
		uint16_t code;
		const void *in;
		size_t len;
		hv_status_t st;
	} rows[] = {
		{ "create, bad flags", T_ROOT, HVCALL_CREATE_PARTITION, &bad,
		  sizeof(bad), HV_STATUS_INVALID_PARAMETER },
		{ "create, root pool empty", T_ROOT, HVCALL_CREATE_PARTITION,
		  &plain, sizeof(plain), HV_STATUS_INSUFFICIENT_MEMORY },
		{ "create, too deep", child, HVCALL_CREATE_PARTITION, &plain,
		  sizeof(plain), HV_STATUS_PARTITION_TOO_DEEP },
		{ "initialize, pool short", T_ROOT, HVCALL_INITIALIZE_PARTITION,
		  &unfunded, sizeof(unfunded), HV_STATUS_INSUFFICIENT_MEMORY },
		{ "initialize, Active", T_ROOT, HVCALL_INITIALIZE_PARTITION,
		  &child, sizeof(child), HV_STATUS_INVALID_PARTITION_STATE },
		{ "create VP, index used", T_ROOT, HVCALL_CREATE_VP, &used,
		  sizeof(used), HV_STATUS_INVALID_VP_INDEX },
		{ "create VP, Uninitialized", T_ROOT, HVCALL_CREATE_VP,
		  &vp_on_uninit, sizeof(vp_on_uninit),
		  HV_STATUS_INVALID_PARTITION_STATE },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct t_snap before;
		uint64_t allocs = 0, out = 0;

		t_snap_take(hv, &before);
		uint64_t r = call_failing(hv, rows[i].caller, 1, rows[i].code,
					  rows[i].in, rows[i].len, &out,
					  rows[i].code == HVCALL_CREATE_PARTITION ?
					  sizeof(out) : 0, &allocs);

		CHECK_MSG(ohv_result_status(r) == rows[i].st,
			  "%s: got %s, want %s", rows[i].name,
			  ohv_status_name(ohv_result_status(r)),
			  ohv_status_name(rows[i].st));
		t_snap_same(hv, &before, rows[i].name);
	}

	/* The child's spare pool covers a VP; drain it and the pool check
	 * answers first as well. */
	for (;;) {
		hv_status_t st = t_withdraw(hv, child, HV_WITHDRAW_MAX_PAGES,
					    NULL, NULL);

		if (st == HV_STATUS_NO_RESOURCES)
			break;
		REQUIRE_ST(st, HV_STATUS_SUCCESS);
	}
	uint64_t allocs = 0;
	uint64_t r = call_failing(hv, T_ROOT, 1, HVCALL_CREATE_VP, &vp_short,
				  sizeof(vp_short), NULL, 0, &allocs);

	CHECK_ST(r, HV_STATUS_INSUFFICIENT_MEMORY);
	t_close(hv);
}
