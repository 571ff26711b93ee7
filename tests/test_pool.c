/* SPDX-License-Identifier: MIT */
/*
 * Memory pools: HvDepositMemory, HvWithdrawMemory, HvGetMemoryBalance
 * (spec.md §5) and the frame conservation they must keep (spec.md §1).
 *
 * Only the root can call in this version, and every partition is the root
 * or its child, so the per-call ACCESS_DENIED rule of spec.md §5.1 ("neither a
 * child of the caller nor the root itself") has no reachable case yet; the
 * privilege form of ACCESS_DENIED (spec.md §3.2 step 6) is tested instead.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "t.h"

#define INIT_COST	16u
#define MEM_PAGES	4096u	/* t_config */
#define NODE1_FIRST	2048u	/* with numa_nodes = 2 */
#define POISON		0xA5A5A5A5A5A5A5A5ull

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* ---------------------------------------------------------------------- */
/* Helpers.                                                                */

static bool root_sees(struct ohv *hv, uint64_t page)
{
	return ohv_gpa(hv, T_ROOT, page << HV_PAGE_SHIFT, HV_PAGE_SIZE) != NULL;
}

/* One withdraw call (no time budget in t_config): the raw result. */
static uint64_t withdraw_px(struct ohv *hv, uint64_t id, uint32_t n,
			    uint32_t px_id, uint32_t px_flags, uint64_t *out)
{
	struct hv_input_withdraw_memory in = {
		.partition_id = id,
		.proximity_domain_info = { px_id, px_flags },
	};

	return t_mem(hv, T_ROOT, ohv_control(HVCALL_WITHDRAW_MEMORY, 0, n, 0),
		     &in, sizeof(in), out, (size_t)n * sizeof(uint64_t));
}

static hv_status_t balance_px(struct ohv *hv, uint64_t id, uint32_t px_id,
			      uint32_t px_flags,
			      struct hv_output_get_memory_balance *out)
{
	struct hv_input_get_memory_balance in = {
		.partition_id = id,
		.proximity_domain_info = { px_id, px_flags },
	};

	return ohv_result_status(t_mem(hv, T_ROOT, HVCALL_GET_MEMORY_BALANCE,
				       &in, sizeof(in), out, sizeof(*out)));
}

/* A child in the given state with `pages` available on top of what its
 * state keeps in use. */
static uint64_t child_in(struct ohv *hv, enum ohv_partition_state state,
			 uint32_t pages, uint64_t *next)
{
	uint64_t id;

	if (state == OHV_STATE_UNINITIALIZED) {
		id = t_new_child(hv, next);
		t_fund(hv, id, next, pages);
		return id;
	}
	id = t_active_child(hv, next);
	t_fund(hv, id, next, pages);
	if (state == OHV_STATE_FINALIZED)
		REQUIRE_ST(t_finalize(hv, id), HV_STATUS_SUCCESS);
	return id;
}

static uint64_t available(struct ohv *hv, uint64_t id)
{
	uint64_t a = 0;

	REQUIRE_ST(t_balance(hv, id, &a, NULL), HV_STATUS_SUCCESS);
	return a;
}

/* ---------------------------------------------------------------------- */
/* HvDepositMemory (spec.md §5.1).                                             */

/* Header checks, before any element: id, then state. */
TEST(deposit_header_table)
{
	enum kind { K_ID, K_DELETED, K_CHILD, K_ROOT_SELF };
	static const struct {
		const char *name;
		enum kind kind;
		uint64_t id;	/* K_ID */
		enum ohv_partition_state state;	/* K_CHILD */
		bool bad_page;	/* the list also holds a page beyond memory */
		hv_status_t st;
	} rows[] = {
		{ "id 0", K_ID, 0, 0, false, HV_STATUS_INVALID_PARTITION_ID },
		{ "never issued", K_ID, 2, 0, false,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "unknown", K_ID, 0x7777, 0, false,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "unknown, bad page too", K_ID, 0x7777, 0, true,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "deleted", K_DELETED, 0, 0, false,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "Finalized", K_CHILD, 0, OHV_STATE_FINALIZED, false,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "Finalized, bad page too", K_CHILD, 0, OHV_STATE_FINALIZED,
		  true, HV_STATUS_INVALID_PARTITION_STATE },
		/* seed 001 / spec.md §9: deposit before initialize */
		{ "Uninitialized", K_CHILD, 0, OHV_STATE_UNINITIALIZED, false,
		  HV_STATUS_SUCCESS },
		{ "Active", K_CHILD, 0, OHV_STATE_ACTIVE, false,
		  HV_STATUS_SUCCESS },
		{ "root by SELF", K_ROOT_SELF, HV_PARTITION_ID_SELF, 0, false,
		  HV_STATUS_SUCCESS },
		{ "root by id 1", K_ROOT_SELF, T_ROOT, 0, false,
		  HV_STATUS_SUCCESS },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv *hv = t_open(NULL);
		uint64_t next = T_FIRST_FREE_PAGE, id = rows[i].id;

		if (rows[i].kind == K_DELETED) {
			id = t_new_child(hv, &next);
			REQUIRE_ST(t_delete(hv, id), HV_STATUS_SUCCESS);
		} else if (rows[i].kind == K_CHILD) {
			id = child_in(hv, rows[i].state, 0, &next);
		}
		uint64_t before = rows[i].kind == K_CHILD ||
				  rows[i].kind == K_ROOT_SELF ?
				  available(hv, id) : 0;
		uint64_t list[3] = { next, next + 1,
				     rows[i].bad_page ? MEM_PAGES : next + 2 };
		uint64_t r = t_deposit_list(hv, id, list, 3);

		CHECK_MSG(ohv_result_status(r) == rows[i].st,
			  "%s: got %s, want %s", rows[i].name,
			  ohv_status_name(ohv_result_status(r)),
			  ohv_status_name(rows[i].st));
		if (rows[i].st == HV_STATUS_SUCCESS) {
			CHECK_EQ(ohv_result_reps(r), 3);
			CHECK_EQ(available(hv, id), before + 3);
			for (int k = 0; k < 3; k++)
				CHECK(!root_sees(hv, list[k]));
		} else {
			/* Nothing done: no element processed. */
			CHECK_EQ(ohv_result_reps(r), 0);
			CHECK(root_sees(hv, list[0]) && root_sees(hv, list[1]));
			if (rows[i].kind == K_CHILD)
				CHECK_EQ(available(hv, id), before);
		}
		t_close(hv);
	}
}

/* spec.md §3.2 step 6: AccessMemoryPool is required for all three calls. */
TEST(pool_calls_need_access_memory_pool)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.root_privileges &= ~HV_PARTITION_PRIV_ACCESS_MEMORY_POOL;
	struct ohv *hv = t_open(&cfg);
	uint64_t page = T_FIRST_FREE_PAGE, out[2] = { 0, 0 };
	static const uint64_t targets[] = { HV_PARTITION_ID_SELF, T_ROOT };

	for (size_t i = 0; i < ARRAY_SIZE(targets); i++) {
		uint64_t r = t_deposit_list(hv, targets[i], &page, 1);

		CHECK_ST(r, HV_STATUS_ACCESS_DENIED);
		CHECK_EQ(ohv_result_reps(r), 0);
		CHECK(root_sees(hv, page));
		r = withdraw_px(hv, targets[i], 1, 0, 0, out);
		CHECK_ST(r, HV_STATUS_ACCESS_DENIED);
		CHECK_EQ(out[0], POISON);
		struct hv_output_get_memory_balance b;

		CHECK_ST(balance_px(hv, targets[i], 0, 0, &b),
			 HV_STATUS_ACCESS_DENIED);
		CHECK_EQ(b.pages_available, POISON);
	}
	t_close(hv);
}

/*
 * spec.md §5.1 element checks: a page not mapped in the caller's space (beyond
 * memory), already deposited, or repeated in the list fails with
 * OPERATION_DENIED and reps completed = its index; the elements before it
 * are deposited, the ones after are not touched.
 */
#define A	(T_FIRST_FREE_PAGE + 100)	/* free root pages */
#define B	(A + 1)
#define C	(A + 2)
#define D	(A + 3)
#define IN_CHILD	T_FIRST_FREE_PAGE	/* deposited in another child */
#define IN_ROOT		(T_FIRST_FREE_PAGE + 1)	/* in the root's own pool */
#define IN_TARGET	(T_FIRST_FREE_PAGE + 2)	/* already in the target */
#define BEYOND		MEM_PAGES
#define END		UINT64_MAX		/* ends a list */

TEST(deposit_element_table)
{
	static const struct {
		const char *name;
		uint64_t list[6];
		hv_status_t st;
		uint32_t reps;
	} rows[] = {
		{ "one page", { A, END }, HV_STATUS_SUCCESS, 1 },
		{ "four pages", { A, B, C, D, END }, HV_STATUS_SUCCESS, 4 },
		{ "out of order", { D, A, C, B, END }, HV_STATUS_SUCCESS, 4 },
		{ "beyond memory", { BEYOND, END }, HV_STATUS_OPERATION_DENIED,
		  0 },
		{ "far beyond memory", { 1ull << 40, END },
		  HV_STATUS_OPERATION_DENIED, 0 },
		{ "beyond the GPA space", { UINT64_MAX - 1, END },
		  HV_STATUS_OPERATION_DENIED, 0 },
		{ "beyond memory third", { A, B, BEYOND, C, END },
		  HV_STATUS_OPERATION_DENIED, 2 },
		{ "already in another child", { A, IN_CHILD, B, END },
		  HV_STATUS_OPERATION_DENIED, 1 },
		{ "already in the root's pool", { IN_ROOT, END },
		  HV_STATUS_OPERATION_DENIED, 0 },
		{ "already in the target", { A, B, C, IN_TARGET, END },
		  HV_STATUS_OPERATION_DENIED, 3 },
		{ "duplicate, adjacent", { A, A, END },
		  HV_STATUS_OPERATION_DENIED, 1 },
		{ "duplicate, later", { A, B, C, A, D, END },
		  HV_STATUS_OPERATION_DENIED, 3 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv *hv = t_open(NULL);
		uint64_t next = T_FIRST_FREE_PAGE + 3;
		uint64_t other = t_new_child(hv, &next);
		uint64_t id = t_new_child(hv, &next);
		uint64_t pg;
		uint32_t n = 0;

		REQUIRE(next < A);
		pg = IN_CHILD;
		REQUIRE_ST(t_deposit_list(hv, other, &pg, 1), HV_STATUS_SUCCESS);
		pg = IN_ROOT;
		REQUIRE_ST(t_deposit_list(hv, HV_PARTITION_ID_SELF, &pg, 1),
			   HV_STATUS_SUCCESS);
		pg = IN_TARGET;
		REQUIRE_ST(t_deposit_list(hv, id, &pg, 1), HV_STATUS_SUCCESS);
		while (rows[i].list[n] != END)
			n++;

		uint64_t before = available(hv, id);
		uint64_t r = t_deposit_list(hv, id, rows[i].list, n);
		uint32_t reps = ohv_result_reps(r);

		CHECK_MSG(ohv_result_status(r) == rows[i].st &&
			  reps == rows[i].reps,
			  "%s: got %s reps %u, want %s reps %u",
			  rows[i].name, ohv_status_name(ohv_result_status(r)),
			  reps, ohv_status_name(rows[i].st), rows[i].reps);
		CHECK_EQ(available(hv, id), before + rows[i].reps);
		CHECK_EQ(available(hv, other), 1);
		for (uint32_t k = 0; k < n; k++) {
			uint64_t p = rows[i].list[k];

			if (p >= MEM_PAGES || p < A)
				continue;
			/* Deposited iff before the failing element (or a
			 * repeat of one that was). */
			bool gone = false;

			for (uint32_t j = 0; j < rows[i].reps; j++)
				gone |= rows[i].list[j] == p;
			CHECK_MSG(root_sees(hv, p) == !gone,
				  "%s: page 0x%" PRIx64 " %s", rows[i].name, p,
				  gone ? "still visible" : "vanished");
		}
		t_close(hv);
	}
}

/* spec.md §3.1: rep start skips elements an earlier invocation did; the
 * reps-completed count is absolute. */
TEST(deposit_rep_start)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t id = t_new_child(hv, &next);
	uint64_t buf[4] = { id, BEYOND, A, B };
	uint64_t r = t_mem(hv, T_ROOT,
			   ohv_control(HVCALL_DEPOSIT_MEMORY, 0, 3, 1), buf,
			   sizeof(buf), NULL, 0);

	CHECK_ST(r, HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_result_reps(r), 3);
	CHECK_EQ(available(hv, id), 2);
	CHECK(!root_sees(hv, A) && !root_sees(hv, B));

	/* A failure after a rep start reports the absolute index. */
	uint64_t buf2[5] = { id, C, D, A, A + 10 };

	r = t_mem(hv, T_ROOT, ohv_control(HVCALL_DEPOSIT_MEMORY, 0, 4, 1),
		  buf2, sizeof(buf2), NULL, 0);
	CHECK_ST(r, HV_STATUS_OPERATION_DENIED);
	CHECK_EQ(ohv_result_reps(r), 2);
	CHECK(root_sees(hv, C));
	CHECK(!root_sees(hv, D));
	CHECK(root_sees(hv, A + 10));
	CHECK_EQ(available(hv, id), 3);
	t_close(hv);
}

/*
 * spec.md §1 / 5.2: a deposited page leaves the depositor's GPA space; a
 * withdrawn one comes back zeroed at the GPA it was deposited from, in
 * every state of the target (Active: only available pages).
 */
TEST(deposit_hides_withdraw_restores_zeroed)
{
	static const struct {
		const char *name;
		int target;	/* 0 root itself, else a child's state */
		enum ohv_partition_state state;
	} rows[] = {
		{ "root's own pool", 0, 0 },
		{ "Uninitialized child", 1, OHV_STATE_UNINITIALIZED },
		{ "Active child", 1, OHV_STATE_ACTIVE },
		{ "Finalized child", 1, OHV_STATE_FINALIZED },
	};
	enum { N = 12 };

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv *hv = t_open(NULL);
		uint64_t next = T_FIRST_FREE_PAGE;
		uint64_t id = HV_PARTITION_ID_SELF;

		if (rows[i].target)
			id = child_in(hv, rows[i].state == OHV_STATE_FINALIZED ?
				      OHV_STATE_ACTIVE : rows[i].state, 0,
				      &next);
		/* N scattered pages with a pattern. */
		uint64_t pages[N];

		for (int k = 0; k < N; k++) {
			pages[k] = 1000 + 37 * (uint64_t)k;
			uint8_t *p = ohv_gpa(hv, T_ROOT, pages[k] << 12,
					     HV_PAGE_SIZE);

			REQUIRE(p);
			memset(p, 0x5A + k, HV_PAGE_SIZE);
		}
		REQUIRE_ST(t_deposit_list(hv, id, pages, N), HV_STATUS_SUCCESS);
		for (int k = 0; k < N; k++)
			CHECK(!root_sees(hv, pages[k]));
		if (rows[i].state == OHV_STATE_FINALIZED)
			REQUIRE_ST(t_finalize(hv, id), HV_STATUS_SUCCESS);

		/* Withdraw everything available. */
		uint64_t got[HV_WITHDRAW_MAX_PAGES];
		uint32_t done = 0;
		uint64_t want = available(hv, id);

		CHECK_ST(t_withdraw(hv, id, (uint32_t)want, got, &done),
			 HV_STATUS_SUCCESS);
		CHECK_EQ(done, want);
		/* Every deposited page came back, each exactly once. */
		for (int k = 0; k < N; k++) {
			int seen = 0;

			for (uint32_t j = 0; j < done; j++)
				seen += got[j] == pages[k];
			CHECK_MSG(seen == 1,
				  "%s: page 0x%" PRIx64 " returned %d times",
				  rows[i].name, pages[k], seen);
		}
		for (uint32_t j = 0; j < done; j++) {
			const uint8_t *p = ohv_gpa(hv, T_ROOT, got[j] << 12,
						   HV_PAGE_SIZE);
			bool zero = p != NULL;

			for (size_t b = 0; p && b < HV_PAGE_SIZE; b++)
				zero &= p[b] == 0;
			CHECK_MSG(zero, "%s: page 0x%" PRIx64 " not back zeroed",
				  rows[i].name, got[j]);
		}
		t_close(hv);
	}
}

/* Every byte of root page `page` is `v`. */
static bool page_is(struct ohv *hv, uint64_t page, uint8_t v)
{
	const uint8_t *p = ohv_gpa(hv, T_ROOT, page << HV_PAGE_SHIFT,
				   HV_PAGE_SIZE);

	for (size_t b = 0; p && b < HV_PAGE_SIZE; b++)
		if (p[b] != v)
			return false;
	return p != NULL;
}

/* Deposit the listed root pages into the root's own pool, re-issuing the
 * call while a time budget cuts it short; the status. */
static hv_status_t deposit_list_all(struct ohv *hv, const uint64_t *pages,
				    uint32_t n)
{
	uint64_t buf[HV_DEPOSIT_MAX_PAGES + 1];
	uint32_t start = 0;

	REQUIRE(n >= 1 && n <= HV_DEPOSIT_MAX_PAGES);
	buf[0] = HV_PARTITION_ID_SELF;
	memcpy(&buf[1], pages, n * sizeof(uint64_t));
	for (;;) {
		uint64_t r = t_mem(hv, T_ROOT,
				   ohv_control(HVCALL_DEPOSIT_MEMORY, 0, n,
					       start),
				   buf, (n + 1) * sizeof(uint64_t), NULL, 0);

		CHECK(ohv_result_reps(r) > start);
		start = ohv_result_reps(r);
		if (ohv_result_status(r) || start >= n)
			return ohv_result_status(r);
	}
}

/*
 * Withdraw zeroes every frame whatever zeroing it costs (pool.c,
 * zero_frames): frames it has zeroed before and frames it never touched,
 * mixed within one run of neighbouring frames; with the machine memory
 * committed at open or as it is touched; with the TLFS budget, and with a
 * budget so short that each invocation stops after its first page, which
 * it must still complete.
 */
TEST(withdraw_zeroes_every_kind_of_frame)
{
	static const struct {
		uint32_t commit;
		uint64_t budget_ns;
	} rows[] = {
		{ 0, 50000 }, { 1, 50000 }, { 0, 1 }, { 1, 1 }, { 0, 0 },
	};
	enum { N = 64, BASE = 3000 };

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv_config cfg;
		uint64_t pages[N], some[N], got[N];
		uint32_t nsome = 0, done = 0;

		t_config(&cfg);
		cfg.commit_memory = rows[i].commit;
		cfg.rep_budget_ns = rows[i].budget_ns;
		struct ohv *hv = t_open(&cfg);

		/* Every third frame goes through the pool once first. */
		for (uint32_t k = 0; k < N; k++) {
			pages[k] = BASE + k;
			if (k % 3 == 0)
				some[nsome++] = pages[k];
		}
		for (uint32_t k = 0; k < nsome; k++)
			memset(ohv_gpa(hv, T_ROOT, some[k] << HV_PAGE_SHIFT,
				       HV_PAGE_SIZE), 0x77, HV_PAGE_SIZE);
		REQUIRE_ST(deposit_list_all(hv, some, nsome),
			   HV_STATUS_SUCCESS);
		CHECK_ST(t_withdraw(hv, HV_PARTITION_ID_SELF, nsome, got,
				    &done), HV_STATUS_SUCCESS);
		CHECK_EQ(done, nsome);
		for (uint32_t k = 0; k < nsome; k++)
			CHECK_MSG(page_is(hv, got[k], 0),
				  "row %zu: page 0x%" PRIx64 " not zeroed", i,
				  got[k]);

		/* Then all of them, each written, in one deposit. */
		for (uint32_t k = 0; k < N; k++) {
			uint8_t *p = ohv_gpa(hv, T_ROOT,
					     pages[k] << HV_PAGE_SHIFT,
					     HV_PAGE_SIZE);

			REQUIRE(p);
			memset(p, 0xC0 + (k & 0x3f), HV_PAGE_SIZE);
		}
		REQUIRE_ST(deposit_list_all(hv, pages, N), HV_STATUS_SUCCESS);
		if (rows[i].budget_ns == 1) {
			/* Out of time before it starts: one page, SUCCESS,
			 * rep start advanced by one. */
			struct hv_input_withdraw_memory in = {
				.partition_id = HV_PARTITION_ID_SELF,
			};
			uint64_t r = t_mem(hv, T_ROOT,
				ohv_control(HVCALL_WITHDRAW_MEMORY, 0, N, 0),
				&in, sizeof(in), got, sizeof(got));

			CHECK_ST(ohv_result_status(r), HV_STATUS_SUCCESS);
			CHECK_EQ(ohv_result_reps(r), 1);
			CHECK(page_is(hv, got[0], 0));
			CHECK_ST(t_withdraw(hv, HV_PARTITION_ID_SELF, N - 1,
					    got + 1, &done), HV_STATUS_SUCCESS);
			done++;
		} else {
			CHECK_ST(t_withdraw(hv, HV_PARTITION_ID_SELF, N, got,
					    &done), HV_STATUS_SUCCESS);
		}
		CHECK_EQ(done, N);
		CHECK_EQ(available(hv, HV_PARTITION_ID_SELF), 0);
		for (uint32_t k = 0; k < N; k++) {
			int seen = 0;

			for (uint32_t j = 0; j < N; j++)
				seen += got[j] == pages[k];
			CHECK_EQ(seen, 1);
			CHECK_MSG(page_is(hv, pages[k], 0),
				  "row %zu: page 0x%" PRIx64 " not zeroed", i,
				  pages[k]);
		}
		CHECK_INVARIANTS(hv);
		t_close(hv);
	}
}

/*
 * An instance may commit its machine memory at open (cfg.commit_memory):
 * every frame is resident before anything touches it.  Values other than
 * 0 and 1 are refused.
 */
TEST(open_commit_memory)
{
	struct ohv_config cfg;
	struct ohv *hv = NULL;

	t_config(&cfg);
	cfg.commit_memory = 2;
	CHECK_EQ(ohv_open(&cfg, &hv), -EINVAL);
	CHECK(hv == NULL);

	for (uint32_t commit = 0; commit <= 1; commit++) {
		cfg.commit_memory = commit;
		hv = t_open(&cfg);

		const long pg = sysconf(_SC_PAGESIZE);
		struct ohv_config got;
		uint8_t *last = ohv_gpa(hv, T_ROOT,
					(cfg.memory_pages - 1) << HV_PAGE_SHIFT,
					HV_PAGE_SIZE);
		unsigned char in_core = 0;

		REQUIRE(last && pg > 0);
		/* The last frame, untouched: resident only when committed. */
		REQUIRE(mincore((void *)((uintptr_t)last & ~(uintptr_t)(pg - 1)),
				(size_t)pg, &in_core) == 0);
		CHECK_EQ(in_core & 1, commit);
		ohv_get_config(hv, &got);
		CHECK_EQ(got.commit_memory, commit);
		CHECK(page_is(hv, cfg.memory_pages - 1, 0));
		CHECK_INVARIANTS(hv);
		t_close(hv);
	}
}

/*
 * spec.md §5.2: withdraw works in every state; when the available pages run
 * out -> NO_RESOURCES with reps completed = pages returned, and only those
 * output elements written.
 */
TEST(withdraw_table)
{
	static const struct {
		const char *name;
		int target;	/* 0 root itself, else a child's state */
		enum ohv_partition_state state;
		uint32_t extra;	/* available pages on top of the state's */
		uint32_t want;
		hv_status_t st;
		uint32_t reps;
	} rows[] = {
		{ "Uninit, all", 1, OHV_STATE_UNINITIALIZED, 5, 5,
		  HV_STATUS_SUCCESS, 5 },
		{ "Uninit, fewer", 1, OHV_STATE_UNINITIALIZED, 5, 2,
		  HV_STATUS_SUCCESS, 2 },
		{ "Uninit, more than there", 1, OHV_STATE_UNINITIALIZED, 5, 8,
		  HV_STATUS_NO_RESOURCES, 5 },
		{ "Uninit, empty", 1, OHV_STATE_UNINITIALIZED, 0, 1,
		  HV_STATUS_NO_RESOURCES, 0 },
		{ "Active, available only", 1, OHV_STATE_ACTIVE, 4,
		  INIT_COST + 4, HV_STATUS_NO_RESOURCES, 4 },
		{ "Active, none available", 1, OHV_STATE_ACTIVE, 0, 1,
		  HV_STATUS_NO_RESOURCES, 0 },
		{ "Active, the available ones", 1, OHV_STATE_ACTIVE, 4, 4,
		  HV_STATUS_SUCCESS, 4 },
		{ "Finalized, everything", 1, OHV_STATE_FINALIZED, 4,
		  INIT_COST + 4, HV_STATUS_SUCCESS, INIT_COST + 4 },
		{ "Finalized, one more", 1, OHV_STATE_FINALIZED, 4,
		  INIT_COST + 5, HV_STATUS_NO_RESOURCES, INIT_COST + 4 },
		{ "root, all", 0, 0, 3, 3, HV_STATUS_SUCCESS, 3 },
		{ "root, more", 0, 0, 3, 7, HV_STATUS_NO_RESOURCES, 3 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv *hv = t_open(NULL);
		uint64_t next = T_FIRST_FREE_PAGE, id = HV_PARTITION_ID_SELF;
		uint64_t a0, u0, a1, u1;

		if (rows[i].target)
			id = child_in(hv, rows[i].state, rows[i].extra, &next);
		else
			t_fund(hv, id, &next, rows[i].extra);
		REQUIRE_ST(t_balance(hv, id, &a0, &u0), HV_STATUS_SUCCESS);

		uint64_t out[HV_WITHDRAW_MAX_PAGES];
		uint64_t r = withdraw_px(hv, id, rows[i].want, 0, 0, out);
		uint32_t reps = ohv_result_reps(r);

		CHECK_MSG(ohv_result_status(r) == rows[i].st &&
			  reps == rows[i].reps, "%s: got %s reps %u",
			  rows[i].name, ohv_status_name(ohv_result_status(r)),
			  reps);
		for (uint32_t k = 0; k < reps && k < rows[i].want; k++)
			CHECK(out[k] < MEM_PAGES && root_sees(hv, out[k]));
		if (reps < rows[i].want)
			CHECK_EQ(out[reps], POISON);
		REQUIRE_ST(t_balance(hv, id, &a1, &u1), HV_STATUS_SUCCESS);
		CHECK_EQ(a1, a0 - reps);
		CHECK_EQ(u1, u0);	/* in-use pages never leave */
		t_close(hv);
	}
}

/*
 * spec.md §5.2 proximity: reserved flag bits or a required (Valid=1,
 * Preferred=0) unknown node -> INVALID_PARAMETER; a required node returns
 * only its pages; a preferred node first, then the others.  numa_nodes = 2
 * and the child holds 3 pages on each node.  Order per spec.md §5.2 "same
 * access rules as deposit": the id is checked before the proximity info.
 */
TEST(withdraw_proximity_table)
{
	static const struct {
		const char *name;
		bool bad_id;
		uint32_t px_id, px_flags;
		uint32_t want;
		hv_status_t st;
		uint32_t reps;
		int node[6];	/* node of each returned page, -1 any */
	} rows[] = {
		{ "reserved bit 1", false, 0,
		  HV_PROXIMITY_DOMAIN_VALID | (1u << 1), 1,
		  HV_STATUS_INVALID_PARAMETER, 0, { 0 } },
		{ "reserved bits, Valid=0", false, 0,
		  HV_PROXIMITY_DOMAIN_RSVD_MASK, 1,
		  HV_STATUS_INVALID_PARAMETER, 0, { 0 } },
		{ "required node 2 of 2", false, 2, HV_PROXIMITY_DOMAIN_VALID, 1,
		  HV_STATUS_INVALID_PARAMETER, 0, { 0 } },
		{ "required node ~0", false, 0xFFFFFFFFu,
		  HV_PROXIMITY_DOMAIN_VALID, 1, HV_STATUS_INVALID_PARAMETER, 0,
		  { 0 } },
		{ "unknown id before bad proximity", true, 2,
		  HV_PROXIMITY_DOMAIN_VALID, 1, HV_STATUS_INVALID_PARTITION_ID,
		  0, { 0 } },
		{ "required node 1", false, 1, HV_PROXIMITY_DOMAIN_VALID, 3,
		  HV_STATUS_SUCCESS, 3, { 1, 1, 1 } },
		{ "required node 0", false, 0, HV_PROXIMITY_DOMAIN_VALID, 2,
		  HV_STATUS_SUCCESS, 2, { 0, 0 } },
		{ "required node 1, more than it has", false, 1,
		  HV_PROXIMITY_DOMAIN_VALID, 5, HV_STATUS_NO_RESOURCES, 3,
		  { 1, 1, 1 } },
		{ "preferred node 1, spills to 0", false, 1,
		  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED, 5,
		  HV_STATUS_SUCCESS, 5, { 1, 1, 1, 0, 0 } },
		{ "preferred node 0, spills to 1", false, 0,
		  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED, 6,
		  HV_STATUS_SUCCESS, 6, { 0, 0, 0, 1, 1, 1 } },
		{ "preferred unknown node", false, 9,
		  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED, 6,
		  HV_STATUS_SUCCESS, 6, { -1, -1, -1, -1, -1, -1 } },
		{ "Valid=0 ignores the id", false, 9, 0, 6, HV_STATUS_SUCCESS,
		  6, { -1, -1, -1, -1, -1, -1 } },
		{ "Valid=0 ignores Preferred", false, 1,
		  HV_PROXIMITY_DOMAIN_PREFERRED, 7, HV_STATUS_NO_RESOURCES, 6,
		  { -1, -1, -1, -1, -1, -1 } },
	};
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.numa_nodes = 2;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv *hv = t_open(&cfg);
		uint64_t next0 = T_FIRST_FREE_PAGE, next1 = NODE1_FIRST;
		uint64_t id = t_new_child(hv, &next0);

		t_fund(hv, id, &next0, 3);
		t_fund(hv, id, &next1, 3);

		uint64_t out[8];
		uint64_t r = withdraw_px(hv, rows[i].bad_id ? 0x999 : id,
					 rows[i].want, rows[i].px_id,
					 rows[i].px_flags, out);
		uint32_t reps = ohv_result_reps(r);

		CHECK_MSG(ohv_result_status(r) == rows[i].st &&
			  reps == rows[i].reps, "%s: got %s reps %u",
			  rows[i].name, ohv_status_name(ohv_result_status(r)),
			  reps);
		for (uint32_t k = 0; k < reps && k < rows[i].reps; k++) {
			if (rows[i].node[k] < 0)
				continue;
			CHECK_MSG(ohv_frame_node(hv, out[k]) ==
				  (uint32_t)rows[i].node[k],
				  "%s: element %u page 0x%" PRIx64 " on node %u",
				  rows[i].name, k, out[k],
				  ohv_frame_node(hv, out[k]));
		}
		if (reps == 0)
			CHECK_EQ(available(hv, id), 6);
		t_close(hv);
	}

	/* Every reserved flag bit 30:1 on its own. */
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t id = t_new_child(hv, &next);

	t_fund(hv, id, &next, 1);
	for (unsigned bit = 1; bit <= 30; bit++) {
		uint64_t out[1];

		CHECK_MSG(ohv_result_status(withdraw_px(hv, id, 1, 0, 1u << bit,
							out)) ==
			  HV_STATUS_INVALID_PARAMETER, "reserved bit %u", bit);
	}
	CHECK_EQ(available(hv, id), 1);
	t_close(hv);
}

/* spec.md §3.1/3.2: a withdraw cut short by the rep limit resumes; the final
 * NO_RESOURCES counts reps from element 0. */
TEST(withdraw_resumes_with_absolute_reps)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.rep_limit = 2;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t id = t_new_child(hv, &next);
	struct hv_input_withdraw_memory in = { .partition_id = id };
	uint64_t out[8];
	uint64_t control = ohv_control(HVCALL_WITHDRAW_MEMORY, 0, 7, 0);

	t_fund(hv, id, &next, 5);
	uint64_t r = t_mem(hv, T_ROOT, control, &in, sizeof(in), out,
			   sizeof(out));

	CHECK_ST(r, HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_result_reps(r), 2);
	r = t_mem(hv, T_ROOT, ohv_control(HVCALL_WITHDRAW_MEMORY, 0, 7, 2),
		  &in, sizeof(in), out, sizeof(out));
	CHECK_ST(r, HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_result_reps(r), 4);
	CHECK_EQ(out[0], POISON);	/* elements before rep start untouched */
	CHECK(out[2] != POISON && out[3] != POISON);
	r = t_mem(hv, T_ROOT, ohv_control(HVCALL_WITHDRAW_MEMORY, 0, 7, 4),
		  &in, sizeof(in), out, sizeof(out));
	CHECK_ST(r, HV_STATUS_NO_RESOURCES);
	CHECK_EQ(ohv_result_reps(r), 5);
	CHECK(out[4] != POISON);
	CHECK_EQ(out[5], POISON);
	CHECK_EQ(available(hv, id), 0);
	/* Nothing left: a resumed call fails at its rep start. */
	r = t_mem(hv, T_ROOT, ohv_control(HVCALL_WITHDRAW_MEMORY, 0, 7, 5),
		  &in, sizeof(in), out, sizeof(out));
	CHECK_ST(r, HV_STATUS_NO_RESOURCES);
	CHECK_EQ(ohv_result_reps(r), 5);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* HvGetMemoryBalance (spec.md §5.3).                                          */

TEST(balance_table)
{
	/* Stand-ins for the ids made below (indexes into ids[]). */
	enum { CHILD, FINALIZED, DELETED };
#define MADE(k)	(0xF000000000000000ull | (k))
	/* The Active child: 5 extra pages on node 0, 7 on node 1, and
	 * preferring node 1 so its 16 in-use pages sit there. */
	static const struct {
		const char *name;
		uint64_t id;	/* or MADE(CHILD/FINALIZED/DELETED) */
		uint32_t px_id, px_flags;
		hv_status_t st;
		uint64_t avail, in_use;
	} rows[] = {
		{ "totals", MADE(CHILD), 0, 0, HV_STATUS_SUCCESS, 12, INIT_COST },
		{ "node 0", MADE(CHILD), 0, HV_PROXIMITY_DOMAIN_VALID,
		  HV_STATUS_SUCCESS, 5, 0 },
		{ "node 1", MADE(CHILD), 1, HV_PROXIMITY_DOMAIN_VALID,
		  HV_STATUS_SUCCESS, 7, INIT_COST },
		{ "node 1, Preferred too", MADE(CHILD), 1,
		  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED,
		  HV_STATUS_SUCCESS, 7, INIT_COST },
		{ "Valid=0 ignores the id", MADE(CHILD), 77, 0, HV_STATUS_SUCCESS,
		  12, INIT_COST },
		{ "unknown node 2", MADE(CHILD), 2, HV_PROXIMITY_DOMAIN_VALID,
		  HV_STATUS_INVALID_PARAMETER, 0, 0 },
		{ "unknown node, Preferred", MADE(CHILD), 2,
		  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED,
		  HV_STATUS_INVALID_PARAMETER, 0, 0 },
		{ "reserved bit", MADE(CHILD), 0, 1u << 4,
		  HV_STATUS_INVALID_PARAMETER, 0, 0 },
		{ "reserved bit, Valid", MADE(CHILD), 0,
		  HV_PROXIMITY_DOMAIN_VALID | (1u << 30),
		  HV_STATUS_INVALID_PARAMETER, 0, 0 },
		{ "Finalized", MADE(FINALIZED), 0, 0, HV_STATUS_SUCCESS, INIT_COST,
		  0 },
		{ "id 0", 0, 0, 0, HV_STATUS_INVALID_PARTITION_ID, 0, 0 },
		{ "unknown id", 0x4444, 0, 0, HV_STATUS_INVALID_PARTITION_ID, 0,
		  0 },
		{ "deleted id", MADE(DELETED), 0, 0, HV_STATUS_INVALID_PARTITION_ID,
		  0, 0 },
		{ "unknown id, bad proximity", 0x4444, 0, 1u << 4,
		  HV_STATUS_INVALID_PARTITION_ID, 0, 0 },
		/* root pool: 6 pages, 2 live children's charges in use (the
		 * deleted one's came back) */
		{ "root by SELF", HV_PARTITION_ID_SELF, 0, 0, HV_STATUS_SUCCESS,
		  4, 2 },
		{ "root by id 1", T_ROOT, 0, 0, HV_STATUS_SUCCESS, 4, 2 },
		{ "root node 0", T_ROOT, 0, HV_PROXIMITY_DOMAIN_VALID,
		  HV_STATUS_SUCCESS, 4, 2 },
		{ "root node 1", T_ROOT, 1, HV_PROXIMITY_DOMAIN_VALID,
		  HV_STATUS_SUCCESS, 0, 0 },
	};
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.numa_nodes = 2;
	struct ohv *hv = t_open(&cfg);
	uint64_t next0 = T_FIRST_FREE_PAGE, next1 = NODE1_FIRST;
	uint64_t ids[3] = { 0 };
	struct hv_input_create_partition in = {
		.proximity_domain_info = { 1, HV_PROXIMITY_DOMAIN_VALID |
					      HV_PROXIMITY_DOMAIN_PREFERRED },
	};

	/* Root pool: 6 pages on node 0; three creates, one deleted. */
	t_fund(hv, HV_PARTITION_ID_SELF, &next0, 6);
	REQUIRE_ST(t_create_in(hv, &in, &ids[CHILD]), HV_STATUS_SUCCESS);
	t_fund(hv, ids[CHILD], &next1, INIT_COST);
	REQUIRE_ST(t_initialize(hv, ids[CHILD]), HV_STATUS_SUCCESS);
	t_fund(hv, ids[CHILD], &next0, 5);
	t_fund(hv, ids[CHILD], &next1, 7);
	REQUIRE_ST(t_create(hv, &ids[FINALIZED]), HV_STATUS_SUCCESS);
	t_fund(hv, ids[FINALIZED], &next0, INIT_COST);
	REQUIRE_ST(t_initialize(hv, ids[FINALIZED]), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_finalize(hv, ids[FINALIZED]), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_create(hv, &ids[DELETED]), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_delete(hv, ids[DELETED]), HV_STATUS_SUCCESS);

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		uint64_t id = rows[i].id;
		struct hv_output_get_memory_balance out;

		if ((id & MADE(0)) == MADE(0) && id != HV_PARTITION_ID_SELF)
			id = ids[id & 0xF];
		hv_status_t st = balance_px(hv, id, rows[i].px_id,
					    rows[i].px_flags, &out);

		CHECK_MSG(st == rows[i].st, "%s: got %s, want %s",
			  rows[i].name, ohv_status_name(st),
			  ohv_status_name(rows[i].st));
		if (st != HV_STATUS_SUCCESS) {
			CHECK_EQ(out.pages_available, POISON);
			continue;
		}
		CHECK_MSG(out.pages_available == rows[i].avail &&
			  out.pages_in_use == rows[i].in_use,
			  "%s: %" PRIu64 "/%" PRIu64 ", want %" PRIu64 "/%" PRIu64,
			  rows[i].name, out.pages_available, out.pages_in_use,
			  rows[i].avail, rows[i].in_use);
	}

	/* The hypercall agrees with the library's own per-node view. */
	for (uint32_t n = 0; n < 2; n++) {
		uint64_t a, u;
		struct hv_output_get_memory_balance out;

		REQUIRE(ohv_pool_node_balance(hv, ids[CHILD], n, &a, &u) == 0);
		CHECK_ST(balance_px(hv, ids[CHILD], n, HV_PROXIMITY_DOMAIN_VALID,
				    &out), HV_STATUS_SUCCESS);
		CHECK_EQ(out.pages_available, a);
		CHECK_EQ(out.pages_in_use, u);
	}
	t_close(hv);
#undef MADE
}

/* ---------------------------------------------------------------------- */
/* Conservation (spec.md §1).                                                  */

/*
 * Every frame is in exactly one place: the root's GPA space or one pool.
 * The model tracks which root pages the test deposited where; the checks
 * compare it with ohv_gpa, the balances and ohv_partition_list.
 */
struct model {
	struct ohv *hv;
	uint64_t owner[MEM_PAGES];	/* 0: with the root's GPA space */
	uint64_t ids[16];
	size_t nids;
	uint64_t rng;
};

static uint32_t rnd(struct model *m, uint32_t n)
{
	m->rng = m->rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(m->rng >> 33) % n;
}

static void conserve(struct model *m, const char *when)
{
	uint64_t reach = 0, pooled = 0;
	uint64_t list[32];
	size_t n = ohv_partition_list(m->hv, list, 32);

	REQUIRE(n <= 32);
	for (uint64_t p = 0; p < MEM_PAGES; p++) {
		bool sees = root_sees(m->hv, p);

		reach += sees;
		CHECK_MSG(sees == (m->owner[p] == 0),
			  "%s: page 0x%" PRIx64 " root %s, model owner %" PRIu64,
			  when, p, sees ? "sees it" : "lost it", m->owner[p]);
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t a, u;

		REQUIRE_ST(t_balance(m->hv, list[i], &a, &u), HV_STATUS_SUCCESS);
		pooled += a + u;
	}
	CHECK_MSG(reach + pooled == MEM_PAGES, "%s: %" PRIu64 " reachable + %"
		  PRIu64 " pooled != %u", when, reach, pooled, MEM_PAGES);
	CHECK_INVARIANTS(m->hv);
}

/* Deposit k random free root pages into id. */
static void m_deposit(struct model *m, uint64_t id, uint32_t k)
{
	uint64_t pages[64];
	uint32_t n = 0;

	while (n < k) {
		uint64_t p = T_FIRST_FREE_PAGE +
			     rnd(m, MEM_PAGES - T_FIRST_FREE_PAGE);
		bool dup = false;

		for (uint32_t j = 0; j < n; j++)
			dup |= pages[j] == p;
		if (m->owner[p] || dup)
			continue;
		pages[n++] = p;
	}
	REQUIRE_ST(t_deposit_list(m->hv, id, pages, n), HV_STATUS_SUCCESS);
	for (uint32_t j = 0; j < n; j++)
		m->owner[pages[j]] = id == HV_PARTITION_ID_SELF ? T_ROOT : id;
}

static uint32_t m_withdraw(struct model *m, uint64_t id, uint32_t k)
{
	uint64_t pages[HV_WITHDRAW_MAX_PAGES];
	uint32_t done = 0;
	hv_status_t st = t_withdraw(m->hv, id, k, pages, &done);

	REQUIRE(st == HV_STATUS_SUCCESS || st == HV_STATUS_NO_RESOURCES);
	for (uint32_t j = 0; j < done; j++) {
		REQUIRE(pages[j] < MEM_PAGES);
		CHECK_EQ(m->owner[pages[j]], id);
		m->owner[pages[j]] = 0;
	}
	return done;
}

TEST(conservation_over_random_lifecycles)
{
	static struct model m;
	uint64_t root_deposited = 0;

	memset(&m, 0, sizeof(m));
	m.hv = t_open(NULL);
	m.rng = 0x0be5eed;
	/* The harness's parameter pages stay with the root. */
	m_deposit(&m, HV_PARTITION_ID_SELF, 8);
	root_deposited = 8;
	conserve(&m, "start");

	for (int step = 0; step < 400; step++) {
		char when[64];
		uint32_t op = rnd(&m, 6);

		snprintf(when, sizeof(when), "step %d op %u", step, op);
		if (op == 0 && m.nids < ARRAY_SIZE(m.ids)) {
			uint64_t id = 0;
			hv_status_t st = t_create(m.hv, &id);

			if (st == HV_STATUS_INSUFFICIENT_MEMORY) {
				m_deposit(&m, HV_PARTITION_ID_SELF, 2);
				root_deposited += 2;
				st = t_create(m.hv, &id);
			}
			REQUIRE_ST(st, HV_STATUS_SUCCESS);
			m.ids[m.nids++] = id;
		} else if (m.nids) {
			size_t which = rnd(&m, (uint32_t)m.nids);
			uint64_t id = m.ids[which];
			enum ohv_partition_state state;
			struct ohv_partition_info info;

			REQUIRE(ohv_partition_info(m.hv, id, &info) == 0);
			state = info.state;
			if (op == 1 && state != OHV_STATE_FINALIZED) {
				m_deposit(&m, id, 1 + rnd(&m, 20));
			} else if (op == 2 && state == OHV_STATE_UNINITIALIZED) {
				hv_status_t st = t_initialize(m.hv, id);

				CHECK(st == (info.pool_available >= INIT_COST ?
					     HV_STATUS_SUCCESS :
					     HV_STATUS_INSUFFICIENT_MEMORY));
			} else if (op == 3 && state == OHV_STATE_ACTIVE) {
				CHECK_ST(t_finalize(m.hv, id), HV_STATUS_SUCCESS);
			} else if (op == 4) {
				m_withdraw(&m, id, 1 + rnd(&m, 30));
			} else if (op == 5 && state != OHV_STATE_ACTIVE) {
				hv_status_t st = t_delete(m.hv, id);
				bool empty = !info.pool_available &&
					     !info.pool_in_use;

				CHECK(st == (empty ? HV_STATUS_SUCCESS :
					     HV_STATUS_OPERATION_DENIED));
				if (empty)
					m.ids[which] = m.ids[--m.nids];
			}
		}
		conserve(&m, when);
	}

	/* Tear everything down: children's pools all come back. */
	while (m.nids) {
		uint64_t id = m.ids[--m.nids];
		struct ohv_partition_info info;

		REQUIRE(ohv_partition_info(m.hv, id, &info) == 0);
		if (info.state == OHV_STATE_ACTIVE)
			REQUIRE_ST(t_finalize(m.hv, id), HV_STATUS_SUCCESS);
		while (m_withdraw(&m, id, HV_WITHDRAW_MAX_PAGES))
			;
		REQUIRE_ST(t_delete(m.hv, id), HV_STATUS_SUCCESS);
	}
	conserve(&m, "end");
	CHECK_EQ(ohv_partition_list(m.hv, NULL, 0), 1);
	uint64_t a, u;

	/* The root's pool holds exactly what went into it, all available;
	 * every other page is the root's again. */
	CHECK_ST(t_balance(m.hv, HV_PARTITION_ID_SELF, &a, &u),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(a, root_deposited);
	CHECK_EQ(u, 0);
	for (uint64_t p = 0; p < MEM_PAGES; p++)
		if (m.owner[p] != T_ROOT)
			CHECK(root_sees(m.hv, p));
	t_close(m.hv);
}
