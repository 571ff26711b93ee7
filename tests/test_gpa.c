/*
 * GPA mapping (SPEC 6): HvMapGpaPages (0x004B) and HvUnmapGpaPages (0x004C,
 * modern 24-byte header), MapFlags rights, frames shared between a parent
 * and its children, GPA tables charged to the target's pool per 2 MiB
 * region (SPEC 5.4), the root changing the rights of its own identity map,
 * deposits of mapped frames and the isolation invariant (SPEC 1, 5.1),
 * ohv_gpa for children (SPEC 2), finalize (SPEC 4.4), and hostile input
 * from the root and from a child.
 *
 * The root's calls are memory-based through its pages T_IN_PAGE and
 * T_OUT_PAGE; a child's are XMM-fast, or memory-based through its own GPA
 * pages 0 and 1 once the root has mapped them.
 */
#include <errno.h>
#include <stdlib.h>

#include "t.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define INIT_COST	16u	/* SPEC 5.4 defaults, kept by t_config */
#define NEVER_ISSUED	0x100000ull
#define SELF		HV_PARTITION_ID_SELF
#define LIMIT		HV_GPA_PAGE_LIMIT	/* 2^40 pages: 52-bit GPAs */
#define BATCH		HV_MAP_GPA_BATCH_SIZE	/* 509 sources in a page */
#define FAST_MAP_MAX	11u	/* (112 - 24) / 8 sources, x64 */
#define REGION		512ull	/* pages behind one GPA table (2 MiB) */
#define U64_MAX		0xFFFFFFFFFFFFFFFFull

#define FL_R		HV_MAP_GPA_READABLE
#define FL_W		HV_MAP_GPA_WRITABLE
#define FL_KX		HV_MAP_GPA_KERNEL_EXECUTABLE
#define FL_UX		HV_MAP_GPA_USER_EXECUTABLE
#define FL_X		HV_MAP_GPA_EXECUTABLE
#define FL_RW		(FL_R | FL_W)
#define FL_FULL		HV_MAP_GPA_PERMISSIONS_MASK

/* What a child needs to feed a child of its own (SPEC 4.1, 5.1). */
#define PRIV_NEST	(OHV_CHILD_PRIVILEGES | \
			 HV_PARTITION_PRIV_CREATE_PARTITIONS | \
			 HV_PARTITION_PRIV_ACCESS_MEMORY_POOL | \
			 HV_PARTITION_PRIV_ACCESS_PARTITION_ID)

/* ---------------------------------------------------------------------- */
/* Issuing calls.                                                          */

/* HvMapGpaPages input as one page: the 24-byte header, then sources. */
struct map_in {
	uint64_t target;
	uint64_t base;
	uint32_t flags;
	uint32_t pad;
	uint64_t src[BATCH];
};
_Static_assert(sizeof(struct map_in) == HV_PAGE_SIZE, "one page of input");
_Static_assert(offsetof(struct map_in, src) ==
	       sizeof(struct hv_input_map_gpa_pages), "24-byte header");

/*
 * One invocation by VP 0 of caller: XMM-fast (the register block takes
 * what fits of in, the rest keeps a 0xA5 fill) or memory-based through
 * the caller's T_IN_PAGE / T_OUT_PAGE.  *control becomes the control word
 * as the caller sees it on return (rep start advanced after partial
 * progress); out, when given, receives out_len bytes of output.
 */
static uint64_t issue(struct ohv *hv, uint64_t caller, bool fast,
		      uint64_t *control, const void *in, size_t in_len,
		      void *out, size_t out_len)
{
	struct ohv_hvcall call = {
		.control = *control & ~HV_HYPERCALL_FAST_BIT,
	};
	uint8_t *op = NULL;

	if (fast) {
		size_t n =
			in_len < sizeof(call.fast) ? in_len : sizeof(call.fast);

		call.control |= HV_HYPERCALL_FAST_BIT;
		memset(call.fast, 0xA5, sizeof(call.fast));
		if (n)
			memcpy(call.fast, in, n);
	} else {
		uint8_t *ip =
			ohv_gpa(hv, caller, T_IN_PAGE << 12, HV_PAGE_SIZE);

		REQUIRE(ip && in_len <= HV_PAGE_SIZE);
		memset(ip, 0, HV_PAGE_SIZE);
		if (in_len)
			memcpy(ip, in, in_len);
		if (out_len) {
			op = ohv_gpa(hv, caller, T_OUT_PAGE << 12,
				     HV_PAGE_SIZE);
			REQUIRE(op);
			memset(op, 0xA5, HV_PAGE_SIZE);
		}
		call.fast[0] = T_IN_PAGE << 12;
		call.fast[1] = T_OUT_PAGE << 12;
	}
	uint64_t r = t_call(hv, caller, 0, &call);

	*control = call.control & ~HV_HYPERCALL_FAST_BIT;
	if (out_len) {
		size_t off = (in_len + 15) & ~(size_t)15;

		if (fast) {
			REQUIRE(off + out_len <= sizeof(call.fast));
			memcpy(out, (uint8_t *)call.fast + off, out_len);
		} else {
			memcpy(out, op, out_len);
		}
	}
	return r;
}

/* A map or unmap request: one invocation of map_op / unmap_op. */
struct op {
	uint64_t caller;
	bool fast;
	uint64_t target;
	uint64_t base;		/* TargetGpaBase, a page number */
	uint32_t flags;		/* MapFlags or UnmapFlags */
	uint32_t pad;
	uint32_t n;		/* rep count */
	uint32_t start;		/* rep start */
	const uint64_t *src;	/* map: n source pages */
	uint64_t control;	/* out: the control word on return */
};

static uint64_t map_op(struct ohv *hv, struct op *o)
{
	struct map_in in = {
		.target = o->target, .base = o->base, .flags = o->flags,
		.pad = o->pad,
	};

	REQUIRE(o->n >= 1 && o->n <= BATCH);
	memcpy(in.src, o->src, o->n * sizeof(uint64_t));
	o->control = ohv_control(HVCALL_MAP_GPA_PAGES, 0, o->n, o->start);
	return issue(hv, o->caller, o->fast, &o->control, &in,
		     24 + (size_t)o->n * 8, NULL, 0);
}

static uint64_t unmap_op(struct ohv *hv, struct op *o)
{
	struct hv_input_unmap_gpa_pages in = {
		.target_partition_id = o->target,
		.target_gpa_base = o->base,
		.unmap_flags = o->flags,
		.padding = o->pad,
	};

	o->control = ohv_control(HVCALL_UNMAP_GPA_PAGES, 0, o->n, o->start);
	return issue(hv, o->caller, o->fast, &o->control, &in, sizeof(in),
		     NULL, 0);
}

/* The rep start field of a control word (SPEC 3.1). */
static uint32_t rep_start_of(uint64_t control)
{
	return (uint32_t)(control >> HV_HYPERCALL_REP_START_OFFSET) & 0xFFF;
}

/* A child's call goes fast when it fits, as its first calls must. */
static bool child_fast(uint64_t caller, uint32_t n)
{
	return caller != T_ROOT && n <= FAST_MAP_MAX;
}

/*
 * Map the n (<= BATCH) listed sources to target pages base + i,
 * re-issuing on partial progress as Linux's rep loop does.  The result of
 * the last invocation (reps completed is absolute).
 */
static uint64_t map_list(struct ohv *hv, uint64_t caller, uint64_t target,
			 uint64_t base, uint32_t flags, const uint64_t *src,
			 uint32_t n)
{
	struct op o = {
		.caller = caller, .fast = child_fast(caller, n),
		.target = target, .base = base, .flags = flags, .n = n,
		.src = src,
	};
	uint64_t r;

	for (;;) {
		r = map_op(hv, &o);
		uint32_t reps = ohv_result_reps(r);

		if (ohv_result_status(r) != HV_STATUS_SUCCESS || reps >= n)
			break;
		REQUIRE(reps > o.start);
		o.start = reps;
	}
	return r;
}

/* Sources first_src + i to pages base + i, any n; the status. */
static hv_status_t map_range(struct ohv *hv, uint64_t caller, uint64_t target,
			     uint64_t base, uint64_t first_src, uint64_t n,
			     uint32_t flags)
{
	static uint64_t src[BATCH];

	for (uint64_t done = 0; done < n;) {
		uint32_t k = n - done > BATCH ? BATCH : (uint32_t)(n - done);

		for (uint32_t i = 0; i < k; i++)
			src[i] = first_src + done + i;
		uint64_t r = map_list(hv, caller, target, base + done, flags,
				      src, k);

		if (ohv_result_status(r) != HV_STATUS_SUCCESS)
			return ohv_result_status(r);
		done += k;
	}
	return HV_STATUS_SUCCESS;
}

/* Unmap n pages from base (any n), re-issuing on partial progress. */
static hv_status_t unmap_range(struct ohv *hv, uint64_t caller,
			       uint64_t target, uint64_t base, uint64_t n)
{
	for (uint64_t done = 0; done < n;) {
		uint32_t k = n - done > 4095 ? 4095 : (uint32_t)(n - done);
		struct op o = {
			.caller = caller, .fast = caller != T_ROOT,
			.target = target, .base = base + done, .n = k,
		};
		uint64_t r;

		for (;;) {
			r = unmap_op(hv, &o);
			if (ohv_result_status(r) != HV_STATUS_SUCCESS)
				return ohv_result_status(r);
			if (ohv_result_reps(r) >= k)
				break;
			o.start = ohv_result_reps(r);
		}
		done += k;
	}
	return HV_STATUS_SUCCESS;
}

/* SPEC 6: the root changes the rights of its own identity map. */
static hv_status_t root_rights(struct ohv *hv, uint64_t first, uint64_t n,
			       uint32_t flags)
{
	return map_range(hv, T_ROOT, SELF, first, first, n, flags);
}

/* HvDepositMemory by caller of n listed pages (<= 511), re-issued on
 * partial progress; the last result. */
static uint64_t deposit_list(struct ohv *hv, uint64_t caller, uint64_t target,
			     const uint64_t *pages, uint32_t n)
{
	static uint64_t buf[1 + HV_DEPOSIT_MAX_PAGES];
	uint64_t control;
	uint32_t start = 0;
	uint64_t r;

	REQUIRE(n >= 1 && n <= HV_DEPOSIT_MAX_PAGES);
	buf[0] = target;
	memcpy(&buf[1], pages, n * sizeof(uint64_t));
	for (;;) {
		control = ohv_control(HVCALL_DEPOSIT_MEMORY, 0, n, start);
		r = issue(hv, caller, caller != T_ROOT && n <= 13, &control,
			  buf, 8 + (size_t)n * 8, NULL, 0);
		if (ohv_result_status(r) != HV_STATUS_SUCCESS ||
		    ohv_result_reps(r) >= n)
			break;
		REQUIRE(ohv_result_reps(r) > start);
		start = ohv_result_reps(r);
	}
	return r;
}

static hv_status_t deposit_seq(struct ohv *hv, uint64_t caller,
			       uint64_t target, uint64_t first, uint32_t n)
{
	uint64_t pages[HV_DEPOSIT_MAX_PAGES];

	for (uint32_t i = 0; i < n; i++)
		pages[i] = first + i;
	return ohv_result_status(deposit_list(hv, caller, target, pages, n));
}

/* HvWithdrawMemory by caller, up to n (<= 12) pages, fast; the result. */
static uint64_t withdraw_as(struct ohv *hv, uint64_t caller, uint64_t target,
			    uint32_t n, uint64_t *pages)
{
	struct hv_input_withdraw_memory in = { .partition_id = target };
	uint64_t control = ohv_control(HVCALL_WITHDRAW_MEMORY, 0, n, 0);

	REQUIRE(n >= 1 && n <= 12);
	return issue(hv, caller, true, &control, &in, sizeof(in), pages,
		     n * sizeof(uint64_t));
}

/* Withdraw everything available from target's pool; pages withdrawn. */
static uint64_t drain_as(struct ohv *hv, uint64_t caller, uint64_t target)
{
	uint64_t total = 0, pages[12];

	for (;;) {
		uint64_t r = withdraw_as(hv, caller, target, 12, pages);

		total += ohv_result_reps(r);
		if (ohv_result_status(r) == HV_STATUS_NO_RESOURCES)
			return total;
		REQUIRE_ST(r, HV_STATUS_SUCCESS);
	}
}

static hv_status_t balance_as(struct ohv *hv, uint64_t caller, uint64_t id,
			      uint64_t *available, uint64_t *in_use)
{
	struct hv_input_get_memory_balance in = { .partition_id = id };
	struct hv_output_get_memory_balance out = { 0 };
	hv_status_t st = ohv_result_status(t_as(hv, caller,
						HVCALL_GET_MEMORY_BALANCE, &in,
						sizeof(in), &out, sizeof(out)));

	if (available)
		*available = out.pages_available;
	if (in_use)
		*in_use = out.pages_in_use;
	return st;
}

static hv_status_t create_as(struct ohv *hv, uint64_t caller, uint64_t *id)
{
	struct hv_input_create_partition in = { 0 };
	uint64_t out = 0;
	hv_status_t st = ohv_result_status(t_as(hv, caller,
						HVCALL_CREATE_PARTITION, &in,
						sizeof(in), &out, sizeof(out)));

	*id = out;
	return st;
}

/* Initialize, finalize or delete as caller. */
static hv_status_t id_call_as(struct ohv *hv, uint64_t caller, uint16_t code,
			      uint64_t id)
{
	return ohv_result_status(t_as(hv, caller, code, &id, sizeof(id), NULL,
				      0));
}

/* A raw memory-based call by VP 0 of caller with the given block GPAs. */
static uint64_t raw_mem(struct ohv *hv, uint64_t caller, uint64_t control,
			uint64_t in_gpa, uint64_t out_gpa)
{
	struct ohv_hvcall call = { .control = control };

	call.fast[0] = in_gpa;
	call.fast[1] = out_gpa;
	return t_call(hv, caller, 0, &call);
}

/* ---------------------------------------------------------------------- */
/* Observation.                                                            */

/* Host view of one whole page of id's GPA space; NULL past 52 bits. */
static uint8_t *page_ptr(struct ohv *hv, uint64_t id, uint64_t page)
{
	if (page >= LIMIT)
		return NULL;
	return ohv_gpa(hv, id, page << 12, HV_PAGE_SIZE);
}

/* The machine frame behind a host pointer (the root reaches frame 0). */
static uint64_t frame_of(struct ohv *hv, const void *p)
{
	const uint8_t *base = ohv_gpa(hv, T_ROOT, 0, 1);

	REQUIRE(base && p);
	return (uint64_t)((const uint8_t *)p - base) >> 12;
}

static bool all_bytes(const uint8_t *p, uint8_t v, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

static uint64_t mem_pages(struct ohv *hv)
{
	struct ohv_config cfg;

	ohv_get_config(hv, &cfg);
	return cfg.memory_pages;
}

/* Pages of the root's GPA space it can reach with some right. */
static uint64_t root_reachable(struct ohv *hv)
{
	uint64_t n = 0, mem = mem_pages(hv);

	for (uint64_t p = 0; p < mem; p++)
		n += ohv_gpa(hv, T_ROOT, p << 12, 1) != NULL;
	return n;
}

/* Frames in every live partition's pool, available or in use. */
static uint64_t pooled(struct ohv *hv)
{
	uint64_t ids[T_SNAP_MAX], n = 0;
	size_t live = ohv_partition_list(hv, ids, T_SNAP_MAX);

	REQUIRE(live <= T_SNAP_MAX);
	for (size_t i = 0; i < live; i++) {
		struct ohv_partition_info info = t_info(hv, ids[i]);

		n += info.pool_available + info.pool_in_use;
	}
	return n;
}

/* Frames in one partition's pool. */
static uint64_t pool_of(struct ohv *hv, uint64_t id)
{
	struct ohv_partition_info info = t_info(hv, id);

	return info.pool_available + info.pool_in_use;
}

static uint64_t in_use_of(struct ohv *hv, uint64_t id)
{
	return t_info(hv, id).pool_in_use;
}

/* An Active child of the root with extra pages available in its pool. */
static uint64_t funded_child(struct ohv *hv, uint64_t *next, uint32_t extra)
{
	uint64_t id = t_active_child(hv, next);

	t_fund(hv, id, next, extra);
	return id;
}

/* ---------------------------------------------------------------------- */
/* The feeding chain.                                                      */

#define NEST_PAGES	64u	/* C's GPA pages [0, 64) */
#define NEST_FEED	24u	/* C's pages [2, 26) fed to G */
#define NEST_SRC	2048ull	/* root page behind C's GPA page 0 */

struct nest {
	struct ohv *hv;
	uint64_t next;		/* next free root page (below NEST_SRC) */
	uint64_t c, g;
};

/*
 * SPEC 5.1, 6: C, a runnable child of the root with CreatePartitions,
 * AccessMemoryPool and AccessPartitionId, sees root pages [NEST_SRC,
 * NEST_SRC + 64) at its GPA pages [0, 64) with full rights.  The root
 * gives up its own access to all but C's parameter pages 0 and 1, so C
 * holds pages 2..63 exclusively; C creates G (PrivilegeFlags gpriv when
 * non-zero), feeds it its pages 2..25 and initializes it: G has 16 pages
 * in use and 8 available.
 */
static void nest_build(struct nest *n, const struct ohv_config *cfg,
		       uint64_t gpriv)
{
	struct ohv *hv = t_open(cfg);

	n->hv = hv;
	n->next = T_FIRST_FREE_PAGE;
	n->c = t_runnable_child(hv, &n->next, PRIV_NEST);
	REQUIRE_ST(map_range(hv, T_ROOT, n->c, 0, NEST_SRC, NEST_PAGES,
			     FL_FULL), HV_STATUS_SUCCESS);
	REQUIRE_ST(root_rights(hv, NEST_SRC + 2, NEST_PAGES - 2, 0),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(create_as(hv, n->c, &n->g), HV_STATUS_SUCCESS);
	if (gpriv) {
		struct hv_input_set_partition_property sp = {
			.partition_id = n->g,
			.property_code = HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
			.property_value = gpriv,
		};

		REQUIRE_ST(t_as(hv, n->c, HVCALL_SET_PARTITION_PROPERTY, &sp,
				sizeof(sp), NULL, 0), HV_STATUS_SUCCESS);
	}
	REQUIRE_ST(deposit_seq(hv, n->c, n->g, 2, NEST_FEED),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(id_call_as(hv, n->c, HVCALL_INITIALIZE_PARTITION, n->g),
		   HV_STATUS_SUCCESS);
}

/* ---------------------------------------------------------------------- */
/* HvMapGpaPages: the header (SPEC 4, 6).                                  */

/*
 * Target checks, first failure wins, before the flags and before any
 * element: INVALID_PARTITION_ID (0, never issued, deleted), ACCESS_DENIED
 * (not a child of the caller: a grandchild, a sibling, the caller's parent;
 * a child naming itself), INVALID_PARTITION_STATE (Uninitialized,
 * Finalized).  Reps completed = rep start; nothing changes.  Each row runs
 * memory-based and fast, from rep start 0 and 1, with sources that would
 * fail element by element (so the header provably comes first).
 *
 * SPEC 4 lists "map GPA" among the calls where SELF names no child
 * (INVALID_PARTITION_ID), while SPEC 6 lets the root name itself: a
 * child's SELF is INVALID_PARTITION_ID, its own id ACCESS_DENIED (not a
 * child of the caller).
 */
TEST(gpa_map_target_statuses)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t c = t_runnable_child(hv, &next, PRIV_NEST);
	uint64_t sib = t_runnable_child(hv, &next, PRIV_NEST);
	uint64_t a = funded_child(hv, &next, 4);
	uint64_t u = t_new_child(hv, &next);
	uint64_t f = funded_child(hv, &next, 4);
	uint64_t dead = t_new_child(hv, &next);
	uint64_t g, cdead;

	REQUIRE_ST(t_finalize(hv, f), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_delete(hv, dead), HV_STATUS_SUCCESS);
	/* C's pages 0-3: parameter pages for its memory-based calls. */
	REQUIRE_ST(map_range(hv, T_ROOT, c, 0, 3000, 4, FL_RW),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(create_as(hv, c, &g), HV_STATUS_SUCCESS);
	REQUIRE_ST(create_as(hv, c, &cdead), HV_STATUS_SUCCESS);
	REQUIRE_ST(id_call_as(hv, c, HVCALL_DELETE_PARTITION, cdead),
		   HV_STATUS_SUCCESS);

	const struct {
		const char *name;
		uint64_t caller, target;
		uint32_t flags;
		hv_status_t st;
	} rows[] = {
		{ "root: 0", T_ROOT, 0, FL_RW, HV_STATUS_INVALID_PARTITION_ID },
		{ "root: never issued", T_ROOT, NEVER_ISSUED, FL_RW,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "root: deleted", T_ROOT, dead, FL_RW,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "root: SELF - 1", T_ROOT, SELF - 1, FL_RW,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "root: grandchild", T_ROOT, g, FL_RW,
		  HV_STATUS_ACCESS_DENIED },
		{ "root: Uninitialized", T_ROOT, u, FL_RW,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "root: Finalized", T_ROOT, f, FL_RW,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "child: 0", c, 0, FL_RW, HV_STATUS_INVALID_PARTITION_ID },
		{ "child: never issued", c, NEVER_ISSUED, FL_RW,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "child: its deleted child", c, cdead, FL_RW,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "child: SELF", c, SELF, FL_RW, HV_STATUS_INVALID_PARTITION_ID },
		{ "child: its own id", c, c, FL_RW, HV_STATUS_ACCESS_DENIED },
		{ "child: the root", c, T_ROOT, FL_RW,
		  HV_STATUS_ACCESS_DENIED },
		{ "child: a sibling", c, sib, FL_RW, HV_STATUS_ACCESS_DENIED },
		{ "child: root's other child", c, a, FL_RW,
		  HV_STATUS_ACCESS_DENIED },
		{ "child: its Uninitialized child", c, g, FL_RW,
		  HV_STATUS_INVALID_PARTITION_STATE },
		/* The target is judged before the flags. */
		{ "root: never issued + W only", T_ROOT, NEVER_ISSUED, FL_W,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "root: grandchild + bit 4", T_ROOT, g, 0x10,
		  HV_STATUS_ACCESS_DENIED },
		{ "root: Finalized + LARGE_PAGE", T_ROOT, f, 0x80000001u,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "child: SELF + W only", c, SELF, FL_W,
		  HV_STATUS_INVALID_PARTITION_ID },
	};
	/* Valid-looking sources that fail as elements: past memory for the
	 * root, unmapped for the child. */
	const uint64_t src[2] = { 1ull << 30, (1ull << 30) + 1 };

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		for (int mode = 0; mode < 4; mode++) {
			struct op o = {
				.caller = rows[i].caller, .fast = mode & 1,
				.target = rows[i].target, .base = 8,
				.flags = rows[i].flags, .n = 2,
				.start = mode >> 1, .src = src,
			};
			struct t_snap before;

			t_snap_take(hv, &before);
			uint64_t r = map_op(hv, &o);

			CHECK_MSG(ohv_result_status(r) == rows[i].st,
				  "%s (mode %d): got %s", rows[i].name, mode,
				  ohv_status_name(ohv_result_status(r)));
			CHECK_MSG(ohv_result_reps(r) == o.start,
				  "%s (mode %d): reps %u", rows[i].name, mode,
				  ohv_result_reps(r));
			t_snap_same(hv, &before, rows[i].name);
		}
	}
	CHECK(page_ptr(hv, a, 8) == NULL);
	t_close(hv);
}

/*
 * SPEC 6 and tlfs-facts 4.11: MapFlags holds READ 1, WRITE 2, KERNEL_EXEC
 * 4, USER_EXEC 8 only.  Any other bit (ADJUSTABLE, NO_ACCESS, LARGE_PAGE,
 * ...) or WRITE without READ → INVALID_PARAMETER for the whole call
 * (reps = rep start, nothing mapped, no table charged); every valid
 * combination maps, flags 0 included (an entry that reaches nothing).
 * Padding after MapFlags is ignored (SPEC 3.2).
 */
TEST(gpa_map_flags)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t a = funded_child(hv, &next, 4);
	const uint64_t src[2] = { 300, 301 };
	const struct {
		uint32_t flags;
		hv_status_t st;
	} rows[] = {
		{ 0, HV_STATUS_SUCCESS },
		{ FL_R, HV_STATUS_SUCCESS },
		{ FL_RW, HV_STATUS_SUCCESS },
		{ FL_R | FL_KX, HV_STATUS_SUCCESS },
		{ FL_R | FL_UX, HV_STATUS_SUCCESS },
		{ FL_R | FL_X, HV_STATUS_SUCCESS },
		{ FL_RW | FL_KX, HV_STATUS_SUCCESS },
		{ FL_FULL, HV_STATUS_SUCCESS },
		{ FL_KX, HV_STATUS_SUCCESS },
		{ FL_UX, HV_STATUS_SUCCESS },
		{ FL_X, HV_STATUS_SUCCESS },
		{ FL_W, HV_STATUS_INVALID_PARAMETER },
		{ FL_W | FL_KX, HV_STATUS_INVALID_PARAMETER },
		{ FL_W | FL_UX, HV_STATUS_INVALID_PARAMETER },
		{ FL_W | FL_X, HV_STATUS_INVALID_PARAMETER },
		{ 0x10, HV_STATUS_INVALID_PARAMETER },
		{ FL_R | 0x10, HV_STATUS_INVALID_PARAMETER },
		{ FL_FULL | 0x4000, HV_STATUS_INVALID_PARAMETER },
		{ 0x10000, HV_STATUS_INVALID_PARAMETER },
		{ FL_R | 0x20000, HV_STATUS_INVALID_PARAMETER },
		{ FL_R | 0x100000, HV_STATUS_INVALID_PARAMETER },
		{ FL_R | 0x200000, HV_STATUS_INVALID_PARAMETER },
		{ FL_R | 0x01000000, HV_STATUS_INVALID_PARAMETER },
		{ 0x40000000u, HV_STATUS_INVALID_PARAMETER },
		{ FL_RW | 0x40000000u, HV_STATUS_INVALID_PARAMETER },
		{ 0xFFFFFFFFu, HV_STATUS_INVALID_PARAMETER },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		for (uint32_t start = 0; start < 2; start++) {
			struct op o = {
				.caller = T_ROOT, .target = a, .base = 20,
				.flags = rows[i].flags, .pad = 0xDEADBEEF,
				.n = 2, .start = start, .src = src,
			};
			uint64_t r = map_op(hv, &o);
			bool ok = rows[i].st == HV_STATUS_SUCCESS;

			CHECK_MSG(ohv_result_status(r) == rows[i].st,
				  "flags %#x start %u: got %s", rows[i].flags,
				  start, ohv_status_name(ohv_result_status(r)));
			CHECK_EQ(ohv_result_reps(r), ok ? 2 : start);
			CHECK_EQ(in_use_of(hv, a), INIT_COST + (ok ? 1 : 0));
			/* Page 21 always mapped on success; reachable only
			 * with some right. */
			uint8_t *p = page_ptr(hv, a, 21);

			CHECK_MSG((p != NULL) == (ok && rows[i].flags != 0),
				  "flags %#x: page %s", rows[i].flags,
				  p ? "reachable" : "unreachable");
			if (p)
				CHECK(p == page_ptr(hv, T_ROOT, 301));
			CHECK(page_ptr(hv, a, 20) ==
			      (ok && start == 0 && rows[i].flags ?
				       page_ptr(hv, T_ROOT, 300) :
				       NULL));
			REQUIRE_ST(unmap_range(hv, T_ROOT, a, 20, 2),
				   HV_STATUS_SUCCESS);
			CHECK_EQ(in_use_of(hv, a), INIT_COST);
		}
	}
	/* The root's own identity map takes the same flags rule. */
	CHECK_ST(root_rights(hv, 400, 1, FL_W), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(root_rights(hv, 400, 1, 0x10), HV_STATUS_INVALID_PARAMETER);
	CHECK(page_ptr(hv, T_ROOT, 400) != NULL);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* HvMapGpaPages: element by element (SPEC 6).                             */

/*
 * From the root into a child, element i fails with reps = i and the
 * elements before it stay mapped: a target page past the 52-bit GPA space
 * (the base itself, or base + i crossing 2^40) → INVALID_PARAMETER (judged
 * before the source); a source past machine memory, in the root's pool,
 * in a child's pool or given up by the root → OPERATION_DENIED; rights
 * beyond the root's own on the source → OPERATION_DENIED (a parent cannot
 * give more than it has).  A source may be mapped at several target pages.
 */
TEST(gpa_map_element_statuses)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t a = funded_child(hv, &next, 16);
	uint64_t mem = mem_pages(hv);
	const uint64_t rp = 500, ap = 501, gone = 502, ro = 503, v = 600;

	REQUIRE_ST(deposit_seq(hv, T_ROOT, SELF, rp, 1), HV_STATUS_SUCCESS);
	REQUIRE_ST(deposit_seq(hv, T_ROOT, a, ap, 1), HV_STATUS_SUCCESS);
	REQUIRE_ST(root_rights(hv, gone, 1, 0), HV_STATUS_SUCCESS);
	REQUIRE_ST(root_rights(hv, ro, 1, FL_R), HV_STATUS_SUCCESS);

	const struct {
		const char *name;
		uint64_t base;
		uint64_t src[4];
		uint32_t n, start, flags;
		hv_status_t st;
		uint32_t reps;
	} rows[] = {
		{ "all valid", 30, { v, v + 1, v + 2 }, 3, 0, FL_RW,
		  HV_STATUS_SUCCESS, 3 },
		{ "rep start 2", 30, { v, v + 1, v + 2, v + 3 }, 4, 2, FL_RW,
		  HV_STATUS_SUCCESS, 4 },
		{ "one source twice", 30, { v, v }, 2, 0, FL_RW,
		  HV_STATUS_SUCCESS, 2 },
		{ "source = memory_pages", 30, { v, mem, v + 2 }, 3, 0, FL_R,
		  HV_STATUS_OPERATION_DENIED, 1 },
		{ "source 2^30", 30, { 1ull << 30 }, 1, 0, FL_R,
		  HV_STATUS_OPERATION_DENIED, 0 },
		{ "source 2^40", 30, { v, LIMIT }, 2, 0, FL_R,
		  HV_STATUS_OPERATION_DENIED, 1 },
		{ "source 2^64 - 1", 30, { U64_MAX }, 1, 0, 0,
		  HV_STATUS_OPERATION_DENIED, 0 },
		{ "source in the root's pool", 30, { v, v + 1, rp }, 3, 0,
		  FL_R, HV_STATUS_OPERATION_DENIED, 2 },
		{ "source in a child's pool", 30, { ap, v }, 2, 0, FL_R,
		  HV_STATUS_OPERATION_DENIED, 0 },
		{ "source given up, flags 0", 30, { v, gone }, 2, 0, 0,
		  HV_STATUS_OPERATION_DENIED, 1 },
		{ "source R-only, asked RW", 30, { ro }, 1, 0, FL_RW,
		  HV_STATUS_OPERATION_DENIED, 0 },
		{ "source R-only, asked R|KX", 30, { ro }, 1, 0, FL_R | FL_KX,
		  HV_STATUS_OPERATION_DENIED, 0 },
		{ "source R-only, asked R", 30, { v, ro }, 2, 0, FL_R,
		  HV_STATUS_SUCCESS, 2 },
		{ "source R-only, asked nothing", 30, { ro }, 1, 0, 0,
		  HV_STATUS_SUCCESS, 1 },
		{ "base 2^40", LIMIT, { v }, 1, 0, FL_R,
		  HV_STATUS_INVALID_PARAMETER, 0 },
		{ "base 2^40 + bad source", LIMIT, { mem }, 1, 0, FL_R,
		  HV_STATUS_INVALID_PARAMETER, 0 },
		{ "base 2^63", 1ull << 63, { v, v }, 2, 1, FL_R,
		  HV_STATUS_INVALID_PARAMETER, 1 },
		{ "base 2^64 - 1 (wraps)", U64_MAX, { v, v }, 2, 0, FL_R,
		  HV_STATUS_INVALID_PARAMETER, 0 },
		{ "base + 2 crosses 2^40", LIMIT - 2,
		  { v, v + 1, v + 2, v + 3 }, 4, 0, FL_R,
		  HV_STATUS_INVALID_PARAMETER, 2 },
		{ "base + 1 crosses 2^40, start 1", LIMIT - 1, { v, v + 1 }, 2,
		  1, FL_R, HV_STATUS_INVALID_PARAMETER, 1 },
		{ "last page of the space", LIMIT - 1, { v }, 1, 0, FL_R,
		  HV_STATUS_SUCCESS, 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct op o = {
			.caller = T_ROOT, .target = a, .base = rows[i].base,
			.flags = rows[i].flags, .n = rows[i].n,
			.start = rows[i].start, .src = rows[i].src,
		};
		uint64_t r = map_op(hv, &o);

		CHECK_MSG(ohv_result_status(r) == rows[i].st, "%s: got %s",
			  rows[i].name, ohv_status_name(ohv_result_status(r)));
		CHECK_MSG(ohv_result_reps(r) == rows[i].reps, "%s: reps %u",
			  rows[i].name, ohv_result_reps(r));
		for (uint32_t k = 0; k < rows[i].n; k++) {
			uint64_t page = rows[i].base + k;

			if (page >= LIMIT || page < rows[i].base)
				continue;
			bool mapped = k >= rows[i].start && k < rows[i].reps;
			uint8_t *want = mapped && rows[i].flags ?
				page_ptr(hv, T_ROOT, rows[i].src[k]) : NULL;

			CHECK_MSG(page_ptr(hv, a, page) == want,
				  "%s: page %" PRIu64, rows[i].name, page);
			if (mapped)
				CHECK(want || !rows[i].flags);
		}
		/* Clean up: unmap what the row covered below 2^40. */
		if (rows[i].base < LIMIT) {
			uint64_t n = rows[i].n;

			if (rows[i].base + n > LIMIT)
				n = LIMIT - rows[i].base;
			REQUIRE_ST(unmap_range(hv, T_ROOT, a, rows[i].base, n),
				   HV_STATUS_SUCCESS);
		}
		CHECK_MSG(in_use_of(hv, a) == INIT_COST, "%s: tables left",
			  rows[i].name);
	}
	t_close(hv);
}

/*
 * A child maps into its own child what it can reach (SPEC 6): a source
 * unmapped in the child, lent to its child's pool, past the GPA space, or
 * mapped to it without any right → OPERATION_DENIED; rights beyond the
 * child's own on the source → OPERATION_DENIED (a child with an R-only
 * page cannot hand it on RW; an X-only page cannot be handed on readable).
 */
TEST(gpa_map_child_sources)
{
	struct nest n;

	nest_build(&n, NULL, 0);
	struct ohv *hv = n.hv;
	const uint64_t c = n.c, g = n.g;
	const struct {
		uint64_t page;	/* C's GPA page */
		uint32_t flags;	/* what the root gave C there */
	} given[] = {
		{ 100, FL_R }, { 101, FL_X }, { 102, FL_R | FL_KX },
		{ 103, 0 }, { 104, FL_RW }, { 105, FL_UX },
	};

	for (size_t i = 0; i < ARRAY_SIZE(given); i++)
		REQUIRE_ST(map_range(hv, T_ROOT, c, given[i].page, 700 + i, 1,
				     given[i].flags), HV_STATUS_SUCCESS);
	const struct {
		const char *name;
		uint64_t src;
		uint32_t flags;
		hv_status_t st;
	} rows[] = {
		{ "R page as R", 100, FL_R, HV_STATUS_SUCCESS },
		{ "R page as nothing", 100, 0, HV_STATUS_SUCCESS },
		{ "R page as RW", 100, FL_RW, HV_STATUS_OPERATION_DENIED },
		{ "R page as R|KX", 100, FL_R | FL_KX,
		  HV_STATUS_OPERATION_DENIED },
		{ "X page as KX", 101, FL_KX, HV_STATUS_SUCCESS },
		{ "X page as UX", 101, FL_UX, HV_STATUS_SUCCESS },
		{ "X page as X", 101, FL_X, HV_STATUS_SUCCESS },
		{ "X page as R", 101, FL_R, HV_STATUS_OPERATION_DENIED },
		{ "R|KX page as R|KX", 102, FL_R | FL_KX, HV_STATUS_SUCCESS },
		{ "R|KX page as KX", 102, FL_KX, HV_STATUS_SUCCESS },
		{ "R|KX page as R|X", 102, FL_R | FL_X,
		  HV_STATUS_OPERATION_DENIED },
		{ "R|KX page as RW", 102, FL_RW, HV_STATUS_OPERATION_DENIED },
		{ "no-right page as nothing", 103, 0,
		  HV_STATUS_OPERATION_DENIED },
		{ "no-right page as R", 103, FL_R, HV_STATUS_OPERATION_DENIED },
		{ "RW page as RW", 104, FL_RW, HV_STATUS_SUCCESS },
		{ "RW page as R", 104, FL_R, HV_STATUS_SUCCESS },
		{ "RW page as RW|UX", 104, FL_RW | FL_UX,
		  HV_STATUS_OPERATION_DENIED },
		{ "UX page as KX", 105, FL_KX, HV_STATUS_OPERATION_DENIED },
		{ "full page as full", 40, FL_FULL, HV_STATUS_SUCCESS },
		{ "page lent to G", 2, FL_R, HV_STATUS_OPERATION_DENIED },
		{ "page lent to G, nothing", 25, 0,
		  HV_STATUS_OPERATION_DENIED },
		{ "unmapped page", 500, FL_R, HV_STATUS_OPERATION_DENIED },
		{ "the root's number of C's page", NEST_SRC + 40, FL_R,
		  HV_STATUS_OPERATION_DENIED },
		{ "page 2^40", LIMIT, FL_R, HV_STATUS_OPERATION_DENIED },
		{ "page 2^64 - 1", U64_MAX, 0, HV_STATUS_OPERATION_DENIED },
	};
	uint64_t avail0, used0;

	REQUIRE_ST(balance_as(hv, c, g, &avail0, &used0), HV_STATUS_SUCCESS);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		for (int fast = 0; fast < 2; fast++) {
			struct op o = {
				.caller = c, .fast = fast, .target = g,
				.base = 10, .flags = rows[i].flags, .n = 1,
				.src = &rows[i].src,
			};
			uint64_t r = map_op(hv, &o);
			bool ok = rows[i].st == HV_STATUS_SUCCESS;
			uint64_t avail, used;

			CHECK_MSG(ohv_result_status(r) == rows[i].st,
				  "%s: got %s", rows[i].name,
				  ohv_status_name(ohv_result_status(r)));
			CHECK_EQ(ohv_result_reps(r), ok ? 1 : 0);
			CHECK(page_ptr(hv, g, 10) ==
			      (ok && rows[i].flags ?
				       page_ptr(hv, c, rows[i].src) :
				       NULL));
			REQUIRE_ST(balance_as(hv, c, g, &avail, &used),
				   HV_STATUS_SUCCESS);
			CHECK_EQ(used, used0 + (ok ? 1 : 0));
			REQUIRE_ST(unmap_range(hv, c, g, 10, 1),
				   HV_STATUS_SUCCESS);
		}
	}
	/* Partial progress: the third source is unmapped in C. */
	const uint64_t list[4] = { 26, 27, 500, 28 };
	uint64_t r = map_list(hv, c, g, 0, FL_RW, list, 4);

	CHECK_ST(r, HV_STATUS_OPERATION_DENIED);
	CHECK_EQ(ohv_result_reps(r), 2);
	CHECK(page_ptr(hv, g, 1) == page_ptr(hv, c, 27));
	CHECK(page_ptr(hv, g, 1) != NULL);
	CHECK(page_ptr(hv, g, 2) == NULL && page_ptr(hv, g, 3) == NULL);
	/* G's pool emptied by C: a new region is INSUFFICIENT_MEMORY
	 * (reps = pages mapped); C feeds G one page and re-issues. */
	drain_as(hv, c, g);
	const uint64_t two[2] = { 29, 30 };
	struct op o = { .caller = c, .fast = true, .target = g,
			.base = 511, .flags = FL_R, .n = 2, .src = two };

	r = map_op(hv, &o);
	CHECK_ST(r, HV_STATUS_INSUFFICIENT_MEMORY);
	CHECK_EQ(ohv_result_reps(r), 1);
	CHECK(page_ptr(hv, g, 511) == page_ptr(hv, c, 29));
	CHECK(page_ptr(hv, g, 512) == NULL);
	const uint64_t feed = 31;

	CHECK_ST(deposit_list(hv, c, g, &feed, 1), HV_STATUS_SUCCESS);
	o.start = 1;
	r = map_op(hv, &o);
	CHECK_ST(r, HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_result_reps(r), 2);
	CHECK(page_ptr(hv, g, 512) == page_ptr(hv, c, 30));
	t_close(hv);
}

/*
 * SPEC 6 / 5.4: a missing GPA table costs costs.gpa_table pages of the
 * target's pool; short → INSUFFICIENT_MEMORY with reps = pages mapped.
 * Depositing more and re-issuing from that rep start converges (Linux
 * deposits 256 pages and retries).
 */
TEST(gpa_map_insufficient_memory)
{
	const struct {
		uint32_t cost, extra;	/* costs.gpa_table, pool after init */
		uint64_t base;
		uint32_t n;
		hv_status_t st;
		uint32_t reps, tables;	/* tables after the first try */
	} rows[] = {
		{ 1, 1, 511, 2, HV_STATUS_INSUFFICIENT_MEMORY, 1, 1 },
		{ 1, 0, 0, 1, HV_STATUS_INSUFFICIENT_MEMORY, 0, 0 },
		{ 1, 0, LIMIT - 1, 1, HV_STATUS_INSUFFICIENT_MEMORY, 0, 0 },
		{ 1, 2, 511, 2, HV_STATUS_SUCCESS, 2, 2 },
		{ 1, 1, 0, 509, HV_STATUS_SUCCESS, 509, 1 },
		{ 1, 1, 300, 300, HV_STATUS_INSUFFICIENT_MEMORY, 212, 1 },
		{ 1, 2, 1023, 3, HV_STATUS_SUCCESS, 3, 2 },
		{ 1, 2, 500, 509, HV_STATUS_SUCCESS, 509, 2 },
		{ 1, 1, 500, 509, HV_STATUS_INSUFFICIENT_MEMORY, 12, 1 },
		{ 3, 5, 511, 2, HV_STATUS_INSUFFICIENT_MEMORY, 1, 1 },
		{ 3, 2, 0, 1, HV_STATUS_INSUFFICIENT_MEMORY, 0, 0 },
		{ 3, 6, 1023, 3, HV_STATUS_SUCCESS, 3, 2 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv_config cfg;

		t_config(&cfg);
		cfg.costs.gpa_table = rows[i].cost;
		struct ohv *hv = t_open(&cfg);
		uint64_t next = T_FIRST_FREE_PAGE;
		uint64_t a = funded_child(hv, &next, rows[i].extra);
		uint32_t n = rows[i].n > BATCH ? BATCH : rows[i].n;
		static uint64_t src[BATCH];

		for (uint32_t k = 0; k < BATCH; k++)
			src[k] = 1000 + k;
		struct op o = {
			.caller = T_ROOT, .target = a, .base = rows[i].base,
			.flags = FL_RW, .n = n, .src = src,
		};
		uint64_t r = map_op(hv, &o);

		CHECK_MSG(ohv_result_status(r) == rows[i].st,
			  "row %zu: got %s", i,
			  ohv_status_name(ohv_result_status(r)));
		CHECK_MSG(ohv_result_reps(r) == rows[i].reps,
			  "row %zu: reps %u", i, ohv_result_reps(r));
		CHECK_EQ(in_use_of(hv, a), INIT_COST +
			 rows[i].tables * rows[i].cost);
		CHECK_EQ(t_info(hv, a).pool_available,
			 rows[i].extra - rows[i].tables * rows[i].cost);
		if (ohv_result_reps(r) > 0)
			CHECK(page_ptr(hv, a,
				       rows[i].base + ohv_result_reps(r) - 1) ==
			      page_ptr(hv, T_ROOT,
				       src[ohv_result_reps(r) - 1]));
		if (ohv_result_reps(r) < n)
			CHECK(page_ptr(hv, a,
				       rows[i].base + ohv_result_reps(r)) ==
			      NULL);
		/* Deposit and retry from the rep start, as a client does. */
		uint32_t tries = 0;

		while (ohv_result_status(r) == HV_STATUS_INSUFFICIENT_MEMORY &&
		       tries++ < 8) {
			t_fund(hv, a, &next, 1);
			o.start = ohv_result_reps(r);
			r = map_op(hv, &o);
		}
		CHECK_ST(r, HV_STATUS_SUCCESS);
		CHECK_EQ(ohv_result_reps(r), n);
		CHECK(page_ptr(hv, a, rows[i].base + n - 1) ==
		      page_ptr(hv, T_ROOT, src[n - 1]));
		t_close(hv);
	}
}

/*
 * ohv_debug_fail_alloc: the host refuses the memory of a new GPA table →
 * NO_RESOURCES at that element (reps = pages mapped before it), no pool
 * page charged, nothing else changed (openhv.h).  Walks the 1st, 2nd, ...
 * allocation until the call succeeds, for a child's first table and for a
 * later one.
 */
TEST(gpa_map_no_resources)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t a = funded_child(hv, &next, 8);
	const uint64_t src[2] = { 800, 801 };

	for (int phase = 0; phase < 2; phase++) {
		/* Phase 0: page 0, the child's first table.  Phase 1: pages
		 * 511 (region 0, table there) and 512 (a new table). */
		const uint64_t base = phase ? 511 : 0;
		const uint32_t n = phase ? 2 : 1;
		uint32_t failures = 0;
		bool done = false;

		for (uint64_t nth = 1; nth <= 16 && !done; nth++) {
			struct map_in in = {
				.target = a, .base = base, .flags = FL_RW,
				.src = { src[0], src[1] },
			};
			struct ohv_hvcall call = {
				.control = ohv_control(HVCALL_MAP_GPA_PAGES, 0,
						       n, 0),
			};
			uint8_t *ip = page_ptr(hv, T_ROOT, T_IN_PAGE);
			struct t_snap before;

			REQUIRE(ip);
			memcpy(ip, &in, 24 + 8 * n);
			call.fast[0] = T_IN_PAGE << 12;
			t_snap_take(hv, &before);
			/* Raw: the checker must not meet the injected
			 * failure. */
			ohv_debug_fail_alloc(nth);
			uint64_t r = ohv_hypercall(hv, T_ROOT, 0, &call);

			ohv_debug_fail_alloc(0);
			CHECK_INVARIANTS(hv);
			if (ohv_result_status(r) == HV_STATUS_NO_RESOURCES) {
				/* The host refused a table, or (phase 1, page
				 * 511 mapping frame 800 a second time) the
				 * frame's reverse map: nothing of the failed
				 * element is left, the pages before it are
				 * mapped. */
				const uint32_t reps = ohv_result_reps(r);

				failures++;
				CHECK(reps < n);
				CHECK(page_ptr(hv, a, base + reps) == NULL);
				t_snap_same(hv, &before,
					    "host refused a table");
				if (phase && reps)
					CHECK(page_ptr(hv, a, 511) ==
					      page_ptr(hv, T_ROOT, 800));
				continue;
			}
			CHECK_ST(r, HV_STATUS_SUCCESS);
			CHECK_EQ(ohv_result_reps(r), n);
			CHECK(page_ptr(hv, a, base + n - 1) ==
			      page_ptr(hv, T_ROOT, src[n - 1]));
			done = true;
		}
		CHECK(done);
		CHECK_MSG(failures >= 1, "phase %d: no allocation failed",
			  phase);
		CHECK_EQ(in_use_of(hv, a), INIT_COST + phase + 1);
	}
	t_close(hv);
}

/*
 * SPEC 3.2 step 4: HvMapGpaPages may be issued XMM-fast when the 24-byte
 * header and the sources fit the register block: 11 sources on x64 (112
 * bytes), 13 on arm64 (128); one more → INVALID_HYPERCALL_INPUT, nothing
 * mapped.  HvUnmapGpaPages has no list, so any rep count fits.
 */
TEST(gpa_map_fast)
{
	const struct {
		enum ohv_arch arch;
		uint32_t n, start;
		hv_status_t st;
	} rows[] = {
		{ OHV_ARCH_X64, 1, 0, HV_STATUS_SUCCESS },
		{ OHV_ARCH_X64, 11, 0, HV_STATUS_SUCCESS },
		{ OHV_ARCH_X64, 11, 5, HV_STATUS_SUCCESS },
		{ OHV_ARCH_X64, 12, 0, HV_STATUS_INVALID_HYPERCALL_INPUT },
		{ OHV_ARCH_ARM64, 13, 0, HV_STATUS_SUCCESS },
		{ OHV_ARCH_ARM64, 14, 3, HV_STATUS_INVALID_HYPERCALL_INPUT },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv_config cfg;

		t_config(&cfg);
		cfg.arch = rows[i].arch;
		struct ohv *hv = t_open(&cfg);
		uint64_t next = T_FIRST_FREE_PAGE;
		uint64_t a = funded_child(hv, &next, 4);
		uint64_t src[16];

		for (uint32_t k = 0; k < 16; k++)
			src[k] = 900 + k;
		struct op o = {
			.caller = T_ROOT, .fast = true, .target = a, .base = 40,
			.flags = FL_RW, .n = rows[i].n, .start = rows[i].start,
			.src = src,
		};
		uint64_t r = map_op(hv, &o);
		bool ok = rows[i].st == HV_STATUS_SUCCESS;

		CHECK_MSG(ohv_result_status(r) == rows[i].st, "row %zu: got %s",
			  i, ohv_status_name(ohv_result_status(r)));
		CHECK_EQ(ohv_result_reps(r), ok ? rows[i].n : rows[i].start);
		for (uint32_t k = 0; k < rows[i].n; k++)
			CHECK(page_ptr(hv, a, 40 + k) ==
			      (ok && k >= rows[i].start ?
			       page_ptr(hv, T_ROOT, src[k]) : NULL));
		/* Fast unmap of the largest rep count. */
		o = (struct op){ .caller = T_ROOT, .fast = true, .target = a,
				 .base = 0, .n = 4095 };
		r = unmap_op(hv, &o);
		CHECK_ST(r, HV_STATUS_SUCCESS);
		CHECK_EQ(ohv_result_reps(r), 4095);
		CHECK(page_ptr(hv, a, 40 + rows[i].n - 1) == NULL);
		CHECK_EQ(in_use_of(hv, a), INIT_COST);
		t_close(hv);
	}
}

/*
 * SPEC 3.2 time budget, made deterministic by cfg.rep_limit: a long map
 * or unmap returns SUCCESS after rep_limit elements with the control
 * word's rep start advanced; re-issuing finishes it.  A failure in a
 * later invocation reports the absolute index.
 */
TEST(gpa_rep_limit)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.rep_limit = 4;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t a = funded_child(hv, &next, 4);
	uint64_t src[10];

	for (int fast = 0; fast < 2; fast++) {
		for (uint32_t k = 0; k < 10; k++)
			src[k] = 1000 + k;
		struct op o = {
			.caller = T_ROOT, .fast = fast, .target = a, .base = 0,
			.flags = FL_R, .n = 10, .src = src,
		};
		const uint32_t steps[] = { 4, 8, 10 };

		for (size_t s = 0; s < ARRAY_SIZE(steps); s++) {
			uint64_t r = map_op(hv, &o);

			CHECK_ST(r, HV_STATUS_SUCCESS);
			CHECK_EQ(ohv_result_reps(r), steps[s]);
			if (steps[s] < 10)
				CHECK_EQ(rep_start_of(o.control), steps[s]);
			CHECK(page_ptr(hv, a, steps[s] - 1) != NULL);
			if (steps[s] < 10)
				CHECK(page_ptr(hv, a, steps[s]) == NULL);
			o.start = ohv_result_reps(r);
		}
		/* Unmap: 4, 8, 10 as well. */
		o = (struct op){ .caller = T_ROOT, .fast = fast, .target = a,
				 .base = 0, .n = 10 };
		for (size_t s = 0; s < ARRAY_SIZE(steps); s++) {
			uint64_t r = unmap_op(hv, &o);

			CHECK_ST(r, HV_STATUS_SUCCESS);
			CHECK_EQ(ohv_result_reps(r), steps[s]);
			CHECK(page_ptr(hv, a, steps[s] - 1) == NULL);
			if (steps[s] < 10)
				CHECK(page_ptr(hv, a, steps[s]) != NULL);
			o.start = ohv_result_reps(r);
		}
		/* Element 6 fails in the second invocation. */
		src[6] = U64_MAX;
		o = (struct op){ .caller = T_ROOT, .fast = fast, .target = a,
				 .flags = FL_R, .n = 10, .src = src };
		uint64_t r = map_op(hv, &o);

		CHECK_ST(r, HV_STATUS_SUCCESS);
		CHECK_EQ(ohv_result_reps(r), 4);
		o.start = 4;
		r = map_op(hv, &o);
		CHECK_ST(r, HV_STATUS_OPERATION_DENIED);
		CHECK_EQ(ohv_result_reps(r), 6);
		CHECK(page_ptr(hv, a, 5) != NULL && page_ptr(hv, a, 6) == NULL);
		REQUIRE_ST(unmap_range(hv, T_ROOT, a, 0, 10),
			   HV_STATUS_SUCCESS);
	}
	CHECK_EQ(in_use_of(hv, a), INIT_COST);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Rights and sharing (SPEC 3.2 step 5, SPEC 6).                           */

/*
 * A child's memory-based calls use its GPA space with the rights its
 * parent gave (SPEC 3.2 step 5): the input block needs READ, the output
 * block WRITE; an X-only page is not readable, a no-right or unmapped
 * page not reachable → INVALID_ALIGNMENT.  The calls: HvGetPartitionId
 * (output only, needs AccessPartitionId) and HvGetNextChildPartition
 * (16-byte input, 8-byte output).  Input is written and output read
 * through the root's view of the same frames (shared memory).
 */
TEST(gpa_rights_child_calls)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t c = t_runnable_child(hv, &next, PRIV_NEST);
	const uint32_t rights[] = { FL_R, FL_RW, FL_X, 0, FL_R | FL_KX,
				    FL_FULL, FL_UX };
	const uint64_t src0 = 1200;	/* C's page k is root page src0 + k */

	for (uint32_t k = 0; k < ARRAY_SIZE(rights); k++)
		REQUIRE_ST(map_range(hv, T_ROOT, c, k, src0 + k, 1, rights[k]),
			   HV_STATUS_SUCCESS);
	uint64_t kid;

	REQUIRE_ST(create_as(hv, c, &kid), HV_STATUS_SUCCESS);
	/* Input: HvGetNextChildPartition reads it (in >= 0); without
	 * input, HvGetPartitionId.  ok: SUCCESS, else INVALID_ALIGNMENT. */
	const struct {
		int in, out;	/* C's GPA page of each block */
		bool ok;
	} rows[] = {
		{ -1, 1, true }, { -1, 5, true },	/* RW, full */
		{ -1, 0, false }, { -1, 2, false },	/* R, X */
		{ -1, 3, false }, { -1, 4, false },	/* none, R|KX */
		{ -1, 7, false },			/* unmapped */
		{ 0, 1, true }, { 4, 5, true },		/* R, R|KX */
		{ 5, 1, true }, { 1, 1, true },		/* full, RW */
		{ 2, 1, false }, { 6, 1, false },	/* X, UX */
		{ 3, 1, false }, { 7, 1, false },	/* none, unmapped */
		{ 1, 0, false }, { 1, 4, false },	/* output R, R|KX */
		{ 1, 2, false }, { 1, 6, false },	/* output X, UX */
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct hv_input_get_next_child_partition in = {
			.parent_id = SELF,
		};
		uint8_t *ip = rows[i].in >= 0 ?
			page_ptr(hv, T_ROOT, src0 + rows[i].in) : NULL;
		uint8_t *op = page_ptr(hv, T_ROOT, src0 + rows[i].out);
		/* In-page offsets keep the two blocks apart on one page. */
		const uint64_t in_off = 64, out_off = 512;

		REQUIRE(op);
		if (ip)
			memcpy(ip + in_off, &in, sizeof(in));
		memset(op + out_off, 0xA5, 16);
		const bool input = rows[i].in >= 0;
		const uint64_t in_gpa = input ?
			((uint64_t)rows[i].in << 12) + in_off : 0;
		uint64_t r = raw_mem(hv, c, input ?
				     HVCALL_GET_NEXT_CHILD_PARTITION :
				     HVCALL_GET_PARTITION_ID, in_gpa,
				     ((uint64_t)rows[i].out << 12) + out_off);

		CHECK_MSG(ohv_result_status(r) == (rows[i].ok ?
			  HV_STATUS_SUCCESS : HV_STATUS_INVALID_ALIGNMENT),
			  "row %zu: got %s", i,
			  ohv_status_name(ohv_result_status(r)));
		uint64_t o0;

		memcpy(&o0, op + out_off, 8);
		if (!rows[i].ok)
			CHECK_EQ(o0, 0xA5A5A5A5A5A5A5A5ull);
		else
			CHECK_EQ(o0, input ? kid : c);
	}
	t_close(hv);
}

/*
 * SPEC 6: the caller keeps its own access to the pages it maps; a frame
 * mapped into a child is the same memory through the root's view and the
 * child's, and through two children's.  Remapping a page replaces the
 * mapping (the old frame is mapped once less); a frame mapped anywhere,
 * even without rights, cannot be deposited by the root (SPEC 5.1).
 */
TEST(gpa_sharing)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t a = funded_child(hv, &next, 8);
	uint64_t b = funded_child(hv, &next, 8);
	const uint64_t p = 1300, p1 = 1301, p2 = 1302, p3 = 1303, p4 = 1304;

	REQUIRE_ST(map_range(hv, T_ROOT, a, 0, p, 1, FL_RW), HV_STATUS_SUCCESS);
	REQUIRE_ST(map_range(hv, T_ROOT, b, 7, p, 1, FL_R), HV_STATUS_SUCCESS);
	uint8_t *root = page_ptr(hv, T_ROOT, p);
	uint8_t *av = page_ptr(hv, a, 0), *bv = page_ptr(hv, b, 7);

	REQUIRE(root && av && bv);
	CHECK(av == root && bv == root);
	CHECK_EQ(frame_of(hv, av), p);
	memset(root, 0x11, HV_PAGE_SIZE);
	CHECK(all_bytes(av, 0x11, HV_PAGE_SIZE) &&
	      all_bytes(bv, 0x11, HV_PAGE_SIZE));
	memset(av + 100, 0x22, 50);
	CHECK(all_bytes(root + 100, 0x22, 50) && all_bytes(bv + 100, 0x22, 50));

	/* Mapped into two children: not depositable until both let go. */
	CHECK_ST(deposit_list(hv, T_ROOT, SELF, &p, 1),
		 HV_STATUS_OPERATION_DENIED);
	REQUIRE_ST(unmap_range(hv, T_ROOT, a, 0, 1), HV_STATUS_SUCCESS);
	CHECK(page_ptr(hv, a, 0) == NULL && page_ptr(hv, b, 7) == root);
	CHECK_ST(deposit_list(hv, T_ROOT, SELF, &p, 1),
		 HV_STATUS_OPERATION_DENIED);
	REQUIRE_ST(unmap_range(hv, T_ROOT, b, 7, 1), HV_STATUS_SUCCESS);
	CHECK_ST(deposit_list(hv, T_ROOT, SELF, &p, 1), HV_STATUS_SUCCESS);
	CHECK(page_ptr(hv, T_ROOT, p) == NULL);
	REQUIRE_ST(t_withdraw(hv, SELF, 1, NULL, NULL), HV_STATUS_SUCCESS);
	CHECK(page_ptr(hv, T_ROOT, p) == root &&
	      all_bytes(root, 0, HV_PAGE_SIZE));

	/* Remap replaces: page 3 of A moves from p1 to p2, same table. */
	REQUIRE_ST(map_range(hv, T_ROOT, a, 3, p1, 1, FL_RW),
		   HV_STATUS_SUCCESS);
	uint64_t used = in_use_of(hv, a);

	REQUIRE_ST(map_range(hv, T_ROOT, a, 3, p2, 1, FL_R), HV_STATUS_SUCCESS);
	CHECK_EQ(in_use_of(hv, a), used);
	CHECK(page_ptr(hv, a, 3) == page_ptr(hv, T_ROOT, p2));
	CHECK_ST(deposit_list(hv, T_ROOT, SELF, &p2, 1),
		 HV_STATUS_OPERATION_DENIED);
	CHECK_ST(deposit_list(hv, T_ROOT, SELF, &p1, 1), HV_STATUS_SUCCESS);
	/* Remap to the same frame with other rights: still one mapping. */
	REQUIRE_ST(map_range(hv, T_ROOT, a, 3, p2, 1, FL_FULL),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(unmap_range(hv, T_ROOT, a, 3, 1), HV_STATUS_SUCCESS);
	CHECK_ST(deposit_list(hv, T_ROOT, SELF, &p2, 1), HV_STATUS_SUCCESS);

	/* One frame at two pages of one child. */
	const uint64_t two[2] = { p3, p3 };

	CHECK_ST(map_list(hv, T_ROOT, a, 10, FL_RW, two, 2), HV_STATUS_SUCCESS);
	CHECK(page_ptr(hv, a, 10) == page_ptr(hv, a, 11));
	REQUIRE_ST(unmap_range(hv, T_ROOT, a, 10, 1), HV_STATUS_SUCCESS);
	CHECK_ST(deposit_list(hv, T_ROOT, SELF, &p3, 1),
		 HV_STATUS_OPERATION_DENIED);
	REQUIRE_ST(unmap_range(hv, T_ROOT, a, 11, 1), HV_STATUS_SUCCESS);
	CHECK_ST(deposit_list(hv, T_ROOT, SELF, &p3, 1), HV_STATUS_SUCCESS);

	/* Flags 0: the entry reaches nothing but still holds the frame. */
	used = in_use_of(hv, a);
	REQUIRE_ST(map_range(hv, T_ROOT, a, 1000, p4, 1, 0), HV_STATUS_SUCCESS);
	CHECK_EQ(in_use_of(hv, a), used + 1);
	CHECK(page_ptr(hv, a, 1000) == NULL);
	CHECK(page_ptr(hv, T_ROOT, p4) != NULL);
	CHECK_ST(deposit_list(hv, T_ROOT, SELF, &p4, 1),
		 HV_STATUS_OPERATION_DENIED);
	REQUIRE_ST(unmap_range(hv, T_ROOT, a, 1000, 1), HV_STATUS_SUCCESS);
	CHECK_EQ(in_use_of(hv, a), used);
	CHECK_ST(deposit_list(hv, T_ROOT, SELF, &p4, 1), HV_STATUS_SUCCESS);
	CHECK_EQ(root_reachable(hv) + pooled(hv), mem_pages(hv));
	t_close(hv);
}

/*
 * SPEC 5.1 for the root: a page may be deposited only with full access
 * and reachable through no other GPA space.  Each row prepares page p,
 * tries to deposit it into the root's own pool, then (for "until" rows)
 * undoes the obstacle and deposits it.
 */
TEST(gpa_root_deposit_rules)
{
	enum { MAPPED, MAPPED_NONE, MAPPED_TWICE, IN_A_POOL, GIVEN_UP,
	       READ_ONLY, UNMAPPED_AGAIN };
	static const struct {
		const char *name;
		int setup;
		hv_status_t st;
	} rows[] = {
		{ "mapped RW into a child", MAPPED,
		  HV_STATUS_OPERATION_DENIED },
		{ "mapped without rights", MAPPED_NONE,
		  HV_STATUS_OPERATION_DENIED },
		{ "mapped into two children", MAPPED_TWICE,
		  HV_STATUS_OPERATION_DENIED },
		{ "already in a child's pool", IN_A_POOL,
		  HV_STATUS_OPERATION_DENIED },
		{ "given up by the root", GIVEN_UP,
		  HV_STATUS_OPERATION_DENIED },
		{ "root kept read only", READ_ONLY,
		  HV_STATUS_OPERATION_DENIED },
		{ "mapped, then unmapped", UNMAPPED_AGAIN, HV_STATUS_SUCCESS },
	};
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t a = funded_child(hv, &next, 8);
	uint64_t b = funded_child(hv, &next, 8);

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const uint64_t p = 1400 + i;

		switch (rows[i].setup) {
		case MAPPED:
		case UNMAPPED_AGAIN:
			REQUIRE_ST(map_range(hv, T_ROOT, a, i, p, 1, FL_RW),
				   HV_STATUS_SUCCESS);
			if (rows[i].setup == UNMAPPED_AGAIN)
				REQUIRE_ST(unmap_range(hv, T_ROOT, a, i, 1),
					   HV_STATUS_SUCCESS);
			break;
		case MAPPED_NONE:
			REQUIRE_ST(map_range(hv, T_ROOT, a, i, p, 1, 0),
				   HV_STATUS_SUCCESS);
			break;
		case MAPPED_TWICE:
			REQUIRE_ST(map_range(hv, T_ROOT, a, i, p, 1, FL_R),
				   HV_STATUS_SUCCESS);
			REQUIRE_ST(map_range(hv, T_ROOT, b, i, p, 1, FL_R),
				   HV_STATUS_SUCCESS);
			break;
		case IN_A_POOL:
			REQUIRE_ST(deposit_seq(hv, T_ROOT, a, p, 1),
				   HV_STATUS_SUCCESS);
			break;
		case GIVEN_UP:
			REQUIRE_ST(root_rights(hv, p, 1, 0), HV_STATUS_SUCCESS);
			break;
		case READ_ONLY:
			REQUIRE_ST(root_rights(hv, p, 1, FL_R),
				   HV_STATUS_SUCCESS);
			break;
		}
		struct t_snap before;

		t_snap_take(hv, &before);
		uint64_t r = deposit_list(hv, T_ROOT, SELF, &p, 1);

		CHECK_MSG(ohv_result_status(r) == rows[i].st, "%s: got %s",
			  rows[i].name, ohv_status_name(ohv_result_status(r)));
		CHECK_EQ(ohv_result_reps(r), rows[i].st ? 0 : 1);
		if (rows[i].st)
			t_snap_same(hv, &before, rows[i].name);
		/* Undo the obstacle: then the deposit goes through. */
		switch (rows[i].setup) {
		case MAPPED:
		case MAPPED_NONE:
			REQUIRE_ST(unmap_range(hv, T_ROOT, a, i, 1),
				   HV_STATUS_SUCCESS);
			break;
		case MAPPED_TWICE:
			REQUIRE_ST(unmap_range(hv, T_ROOT, a, i, 1),
				   HV_STATUS_SUCCESS);
			CHECK_ST(deposit_list(hv, T_ROOT, SELF, &p, 1),
				 HV_STATUS_OPERATION_DENIED);
			REQUIRE_ST(unmap_range(hv, T_ROOT, b, i, 1),
				   HV_STATUS_SUCCESS);
			break;
		case IN_A_POOL: {
			uint64_t back = 0;

			REQUIRE_ST(t_withdraw(hv, a, 1, &back, NULL),
				   HV_STATUS_SUCCESS);
			CHECK_EQ(back, p);
			break;
		}
		case GIVEN_UP:
		case READ_ONLY:
			REQUIRE_ST(root_rights(hv, p, 1, FL_FULL),
				   HV_STATUS_SUCCESS);
			break;
		default:
			continue;
		}
		r = deposit_list(hv, T_ROOT, SELF, &p, 1);
		CHECK_MSG(ohv_result_status(r) == HV_STATUS_SUCCESS,
			  "%s: not depositable after undo", rows[i].name);
	}
	CHECK_EQ(root_reachable(hv) + pooled(hv), mem_pages(hv));
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* The root's identity map (SPEC 6).                                       */

/*
 * The root maps its own pages onto themselves to change its rights.  For
 * each flags value on a page p: the root's ohv_gpa is NULL exactly when
 * flags is 0; a memory-based root call reads its input there only with
 * READ and writes its output only with WRITE (else INVALID_ALIGNMENT);
 * the root may deposit it only with full rights; it may map it into a
 * child with no more than the rights it kept.  Flags 0xF restores it.
 */
TEST(gpa_root_identity_rights)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t a = funded_child(hv, &next, 4);
	const uint64_t p = 1500;
	const uint32_t rows[] = { 0, FL_R, FL_RW, FL_R | FL_KX, FL_RW | FL_KX,
				  FL_FULL, FL_KX, FL_UX, FL_X, FL_R | FL_UX };

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const uint32_t f = rows[i];
		const bool full = f == FL_FULL;

		REQUIRE_ST(root_rights(hv, p, 1, f), HV_STATUS_SUCCESS);
		uint8_t *ptr = page_ptr(hv, T_ROOT, p);

		CHECK_MSG((ptr != NULL) == (f != 0), "flags %#x: ohv_gpa", f);
		/* Input block at p (GetMemoryBalance of SELF). */
		if (ptr) {
			struct hv_input_get_memory_balance in = {
				.partition_id = SELF,
			};

			memcpy(ptr, &in, sizeof(in));
		}
		uint64_t r = raw_mem(hv, T_ROOT, HVCALL_GET_MEMORY_BALANCE,
				     p << 12, T_OUT_PAGE << 12);

		CHECK_MSG(ohv_result_status(r) == ((f & FL_R) ?
			  HV_STATUS_SUCCESS : HV_STATUS_INVALID_ALIGNMENT),
			  "flags %#x: input: %s", f,
			  ohv_status_name(ohv_result_status(r)));
		/* Output block at p (GetPartitionId). */
		r = raw_mem(hv, T_ROOT, HVCALL_GET_PARTITION_ID, 0, p << 12);
		CHECK_MSG(ohv_result_status(r) == ((f & FL_W) ?
			  HV_STATUS_SUCCESS : HV_STATUS_INVALID_ALIGNMENT),
			  "flags %#x: output: %s", f,
			  ohv_status_name(ohv_result_status(r)));
		/* Mapping into a child: what it kept, no more. */
		r = map_list(hv, T_ROOT, a, 0, FL_FULL, &p, 1);
		CHECK_MSG(ohv_result_status(r) == (full ? HV_STATUS_SUCCESS :
						   HV_STATUS_OPERATION_DENIED),
			  "flags %#x: map full", f);
		r = map_list(hv, T_ROOT, a, 1, f, &p, 1);
		CHECK_MSG(ohv_result_status(r) == (f ? HV_STATUS_SUCCESS :
						   HV_STATUS_OPERATION_DENIED),
			  "flags %#x: map same", f);
		REQUIRE_ST(unmap_range(hv, T_ROOT, a, 0, 2), HV_STATUS_SUCCESS);
		/* Deposit needs full rights. */
		r = deposit_list(hv, T_ROOT, SELF, &p, 1);
		CHECK_MSG(ohv_result_status(r) == (full ? HV_STATUS_SUCCESS :
						   HV_STATUS_OPERATION_DENIED),
			  "flags %#x: deposit", f);
		if (full) {
			uint64_t back = 0;

			REQUIRE_ST(t_withdraw(hv, SELF, 1, &back, NULL),
				   HV_STATUS_SUCCESS);
			CHECK_EQ(back, p);
		}
		/* Restore. */
		REQUIRE_ST(root_rights(hv, p, 1, FL_FULL), HV_STATUS_SUCCESS);
		CHECK(page_ptr(hv, T_ROOT, p) != NULL);
		CHECK_EQ(root_reachable(hv) + pooled(hv), mem_pages(hv));
	}
	t_close(hv);
}

/*
 * The identity call's own statuses.  SELF and the root's id both name the
 * root.  Every element must equal TargetGpaBase + i (else
 * INVALID_PARAMETER, reps = index); a page past memory or in a pool →
 * OPERATION_DENIED; past 2^40 → INVALID_PARAMETER.  The elements before a
 * failure keep their new rights.  HvUnmapGpaPages on the root itself →
 * ACCESS_DENIED (tlfs-facts 0x004C).
 */
TEST(gpa_root_identity_statuses)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t a = funded_child(hv, &next, 4);
	const uint64_t mem = mem_pages(hv), rp = 1600, ap = 1601;

	REQUIRE_ST(deposit_seq(hv, T_ROOT, SELF, rp, 1), HV_STATUS_SUCCESS);
	REQUIRE_ST(deposit_seq(hv, T_ROOT, a, ap, 1), HV_STATUS_SUCCESS);
	const struct {
		const char *name;
		uint64_t target, base;
		uint64_t src[3];
		uint32_t n;
		hv_status_t st;
		uint32_t reps;
	} rows[] = {
		{ "SELF", SELF, 1700, { 1700, 1701, 1702 }, 3,
		  HV_STATUS_SUCCESS, 3 },
		{ "root id", T_ROOT, 1710, { 1710, 1711 }, 2,
		  HV_STATUS_SUCCESS, 2 },
		{ "third element off", SELF, 1720, { 1720, 1721, 1725 }, 3,
		  HV_STATUS_INVALID_PARAMETER, 2 },
		{ "first element off", T_ROOT, 1730, { 1729 }, 1,
		  HV_STATUS_INVALID_PARAMETER, 0 },
		{ "elements swapped", SELF, 1740, { 1741, 1740 }, 2,
		  HV_STATUS_INVALID_PARAMETER, 0 },
		{ "page = memory_pages", SELF, mem, { mem }, 1,
		  HV_STATUS_OPERATION_DENIED, 0 },
		{ "crossing memory's end", SELF, mem - 1, { mem - 1, mem }, 2,
		  HV_STATUS_OPERATION_DENIED, 1 },
		{ "last page below 2^40", SELF, LIMIT - 1, { LIMIT - 1 }, 1,
		  HV_STATUS_OPERATION_DENIED, 0 },
		{ "page 2^40", SELF, LIMIT, { LIMIT }, 1,
		  HV_STATUS_INVALID_PARAMETER, 0 },
		{ "root pool page", SELF, rp, { rp }, 1,
		  HV_STATUS_OPERATION_DENIED, 0 },
		{ "child pool page", T_ROOT, ap, { ap }, 1,
		  HV_STATUS_OPERATION_DENIED, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct op o = {
			.caller = T_ROOT, .target = rows[i].target,
			.base = rows[i].base, .flags = 0, .n = rows[i].n,
			.src = rows[i].src,
		};
		uint64_t r = map_op(hv, &o);

		CHECK_MSG(ohv_result_status(r) == rows[i].st, "%s: got %s",
			  rows[i].name, ohv_status_name(ohv_result_status(r)));
		CHECK_MSG(ohv_result_reps(r) == rows[i].reps, "%s: reps %u",
			  rows[i].name, ohv_result_reps(r));
		for (uint32_t k = 0; k < rows[i].n; k++) {
			uint64_t page = rows[i].base + k;

			if (page >= mem || page == rp || page == ap)
				continue;
			CHECK_MSG((page_ptr(hv, T_ROOT, page) == NULL) ==
				  (k < ohv_result_reps(r)), "%s: page %" PRIu64,
				  rows[i].name, page);
		}
		if (ohv_result_reps(r))
			REQUIRE_ST(root_rights(hv, rows[i].base,
					       ohv_result_reps(r), FL_FULL),
				   HV_STATUS_SUCCESS);
	}
	/* HvUnmapGpaPages is not the way to change the root's own map:
	 * SELF names no child (SPEC 4), its own id is not a child. */
	const uint64_t self_ids[2] = { SELF, T_ROOT };
	const hv_status_t self_st[2] = { HV_STATUS_INVALID_PARTITION_ID,
					 HV_STATUS_ACCESS_DENIED };

	for (int i = 0; i < 2; i++) {
		struct op o = { .caller = T_ROOT, .target = self_ids[i],
				.base = 1750, .n = 1 };

		CHECK_ST(unmap_op(hv, &o), self_st[i]);
		CHECK(page_ptr(hv, T_ROOT, 1750) != NULL);
	}
	CHECK_EQ(root_reachable(hv) + pooled(hv), mem_pages(hv));
	t_close(hv);
}

/*
 * ohv_root_alloc (the client layer's page allocator) hands out only pages
 * the root reaches with full rights: pages given up (flags 0) or kept
 * with fewer rights are skipped, and come back once restored.
 */
TEST(gpa_root_identity_allocator)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.memory_pages = 256;
	struct ohv *hv = t_open(&cfg);
	uint8_t seen[256] = { 0 };
	uint64_t page;

	REQUIRE_ST(root_rights(hv, 40, 1, 0), HV_STATUS_SUCCESS);
	REQUIRE_ST(root_rights(hv, 41, 1, FL_RW), HV_STATUS_SUCCESS);
	REQUIRE_ST(root_rights(hv, 42, 1, FL_R | FL_X), HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_root_free_pages(hv), 253);
	for (int i = 0; i < 253; i++) {
		REQUIRE(ohv_root_alloc(hv, OHV_ANY_NODE, &page) == 0);
		REQUIRE(page < 256);
		CHECK(!seen[page]);
		seen[page] = 1;
	}
	CHECK(ohv_root_alloc(hv, OHV_ANY_NODE, &page) == -ENOMEM);
	CHECK(!seen[40] && !seen[41] && !seen[42]);
	CHECK_EQ(ohv_root_free_pages(hv), 0);
	/* Restored: handed out again. */
	REQUIRE_ST(root_rights(hv, 40, 3, FL_FULL), HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_root_free_pages(hv), 3);
	for (int i = 0; i < 3; i++) {
		REQUIRE(ohv_root_alloc(hv, OHV_ANY_NODE, &page) == 0);
		CHECK(page >= 40 && page <= 42 && !seen[page]);
		if (page < 256)
			seen[page] = 1;
	}
	CHECK(ohv_root_alloc(hv, OHV_ANY_NODE, &page) == -ENOMEM);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* GPA tables and HvUnmapGpaPages (SPEC 5.4, 6).                           */

/*
 * One GPA table, costing costs.gpa_table pages of the target's pool, per
 * 2 MiB-aligned region (512 pages) that holds a mapping; it goes back to
 * the pool (available) when its region empties.  Each row is a script of
 * maps and unmaps with the tables expected after each step.
 */
TEST(gpa_tables)
{
	enum { MAP, UNMAP };
	struct step {
		int op;
		uint64_t base, n;
		uint32_t tables;
	};
	static const struct {
		uint32_t cost;
		struct step steps[8];
	} rows[] = {
		{ 1, { { MAP, 0, 1, 1 }, { MAP, 1, 511, 1 },
		       { UNMAP, 0, 511, 1 }, { UNMAP, 511, 1, 0 } } },
		{ 1, { { MAP, 511, 2, 2 }, { MAP, 1023, 2, 3 },
		       { UNMAP, 512, 1, 3 }, { UNMAP, 1023, 1, 2 },
		       { UNMAP, 0, 2048, 0 } } },
		{ 1, { { MAP, 5, 1, 1 }, { MAP, LIMIT - 1, 1, 2 },
		       { MAP, 1ull << 30, 1, 3 },
		       { UNMAP, LIMIT - 600, 100, 3 },	/* nothing there */
		       { UNMAP, LIMIT - 1, 1, 2 }, { UNMAP, 0, 4095, 1 },
		       { UNMAP, 1ull << 30, 1, 0 } } },
		{ 1, { { MAP, 0, 1536, 3 }, { UNMAP, 512, 512, 2 },
		       { UNMAP, 0, 500, 2 }, { UNMAP, 500, 12, 1 },
		       { MAP, 1000, 30, 2 }, { UNMAP, 1000, 536, 0 } } },
		{ 3, { { MAP, 0, 1, 1 }, { MAP, 511, 3, 2 },
		       { MAP, 100000, 1, 3 }, { UNMAP, 0, 1, 3 },
		       { UNMAP, 511, 1, 2 }, { UNMAP, 100000, 1, 1 },
		       { UNMAP, 512, 2, 0 } } },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv_config cfg;

		t_config(&cfg);
		cfg.costs.gpa_table = rows[i].cost;
		struct ohv *hv = t_open(&cfg);
		uint64_t next = T_FIRST_FREE_PAGE;
		const uint32_t extra = 12;
		uint64_t a = funded_child(hv, &next, extra);

		for (size_t s = 0; s < ARRAY_SIZE(rows[i].steps); s++) {
			const struct step *st = &rows[i].steps[s];
			uint64_t avail, used;

			if (!st->n)
				break;
			if (st->op == MAP)
				REQUIRE_ST(map_range(hv, T_ROOT, a, st->base,
						     2000, st->n, FL_R),
					   HV_STATUS_SUCCESS);
			else
				REQUIRE_ST(unmap_range(hv, T_ROOT, a, st->base,
						       st->n),
					   HV_STATUS_SUCCESS);
			/* HvGetMemoryBalance of the target. */
			REQUIRE_ST(t_balance(hv, a, &avail, &used),
				   HV_STATUS_SUCCESS);
			const uint64_t charged = st->tables * rows[i].cost;

			CHECK_MSG(used == INIT_COST + charged &&
				  avail == extra - charged,
				  "row %zu step %zu: %" PRIu64 " available, %"
				  PRIu64 " in use, want %u tables", i, s, avail,
				  used, st->tables);
			uint64_t first = st->base, last = st->base + st->n - 1;

			CHECK((page_ptr(hv, a, first) != NULL) ==
			      (st->op == MAP));
			CHECK((page_ptr(hv, a, last) != NULL) ==
			      (st->op == MAP));
		}
		/* Everything available again: all of it withdrawable after
		 * finalize. */
		REQUIRE_ST(t_finalize(hv, a), HV_STATUS_SUCCESS);
		CHECK_EQ(t_info(hv, a).pool_available, INIT_COST + extra);
		t_destroy_child(hv, a);
		t_close(hv);
	}
}

/*
 * HvUnmapGpaPages (modern 24-byte header, tlfs-facts 0x004C): target
 * statuses as for map, but the root may not name itself (ACCESS_DENIED);
 * any UnmapFlags bit → INVALID_PARAMETER (none is offered); a page past
 * 2^40 → INVALID_PARAMETER with reps = index; unmapping unmapped pages
 * succeeds.  Header failures report reps = rep start and change nothing.
 * SELF names no child (SPEC 4: INVALID_PARTITION_ID); the root's own id
 * is ACCESS_DENIED (tlfs-facts: the root may not unmap itself).
 */
TEST(gpa_unmap_statuses)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t c = t_runnable_child(hv, &next, PRIV_NEST);
	uint64_t a = funded_child(hv, &next, 4);
	uint64_t u = t_new_child(hv, &next);
	uint64_t f = funded_child(hv, &next, 4);
	uint64_t dead = t_new_child(hv, &next);
	uint64_t g;

	REQUIRE_ST(t_finalize(hv, f), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_delete(hv, dead), HV_STATUS_SUCCESS);
	/* C's pages 0-1: parameter pages for its memory-based calls. */
	REQUIRE_ST(map_range(hv, T_ROOT, c, 0, 3000, 2, FL_RW),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(create_as(hv, c, &g), HV_STATUS_SUCCESS);
	const struct {
		const char *name;
		uint64_t caller, target, base;
		uint32_t flags, n, start;
		hv_status_t st;
		uint32_t reps;
	} rows[] = {
		{ "root: 0", T_ROOT, 0, 5, 0, 2, 0,
		  HV_STATUS_INVALID_PARTITION_ID, 0 },
		{ "root: never issued", T_ROOT, NEVER_ISSUED, 5, 0, 2, 1,
		  HV_STATUS_INVALID_PARTITION_ID, 1 },
		{ "root: deleted", T_ROOT, dead, 5, 0, 2, 0,
		  HV_STATUS_INVALID_PARTITION_ID, 0 },
		{ "root: SELF", T_ROOT, SELF, 5, 0, 2, 0,
		  HV_STATUS_INVALID_PARTITION_ID, 0 },
		{ "root: its own id", T_ROOT, T_ROOT, 5, 0, 2, 1,
		  HV_STATUS_ACCESS_DENIED, 1 },
		{ "root: grandchild", T_ROOT, g, 5, 0, 2, 0,
		  HV_STATUS_ACCESS_DENIED, 0 },
		{ "root: Uninitialized", T_ROOT, u, 5, 0, 2, 0,
		  HV_STATUS_INVALID_PARTITION_STATE, 0 },
		{ "root: Finalized", T_ROOT, f, 5, 0, 2, 0,
		  HV_STATUS_INVALID_PARTITION_STATE, 0 },
		/* SPEC 6: a child may unmap pages of its own GPA space. */
		{ "child: SELF", c, SELF, 5, 0, 2, 0, HV_STATUS_SUCCESS, 2 },
		{ "child: its own id", c, c, 5, 0, 2, 0, HV_STATUS_SUCCESS,
		  2 },
		{ "child: the root", c, T_ROOT, 5, 0, 2, 0,
		  HV_STATUS_ACCESS_DENIED, 0 },
		{ "child: root's other child", c, a, 5, 0, 2, 0,
		  HV_STATUS_ACCESS_DENIED, 0 },
		{ "child: its Uninitialized child", c, g, 5, 0, 2, 0,
		  HV_STATUS_INVALID_PARTITION_STATE, 0 },
		{ "child: 0", c, 0, 5, 0, 2, 0,
		  HV_STATUS_INVALID_PARTITION_ID, 0 },
		{ "flags bit 0", T_ROOT, a, 5, 1, 2, 0,
		  HV_STATUS_INVALID_PARAMETER, 0 },
		{ "flags 0x2 (Linux LARGE_PAGE)", T_ROOT, a, 5, 2, 2, 1,
		  HV_STATUS_INVALID_PARAMETER, 1 },
		{ "flags bit 2", T_ROOT, a, 5, 4, 2, 0,
		  HV_STATUS_INVALID_PARAMETER, 0 },
		{ "flags bit 31", T_ROOT, a, 5, 0x80000000u, 2, 0,
		  HV_STATUS_INVALID_PARAMETER, 0 },
		{ "flags all", T_ROOT, a, 5, 0xFFFFFFFFu, 2, 0,
		  HV_STATUS_INVALID_PARAMETER, 0 },
		{ "unknown id before flags", T_ROOT, NEVER_ISSUED, 5, 1, 2, 0,
		  HV_STATUS_INVALID_PARTITION_ID, 0 },
		{ "SELF before flags", T_ROOT, SELF, 5, 1, 2, 0,
		  HV_STATUS_INVALID_PARTITION_ID, 0 },
		{ "Finalized before flags", T_ROOT, f, 5, 1, 2, 0,
		  HV_STATUS_INVALID_PARTITION_STATE, 0 },
		{ "base 2^40", T_ROOT, a, LIMIT, 0, 2, 0,
		  HV_STATUS_INVALID_PARAMETER, 0 },
		{ "base 2^64 - 1", T_ROOT, a, U64_MAX, 0, 3, 0,
		  HV_STATUS_INVALID_PARAMETER, 0 },
		{ "base + 2 crosses 2^40", T_ROOT, a, LIMIT - 2, 0, 4, 0,
		  HV_STATUS_INVALID_PARAMETER, 2 },
		{ "crossing, from rep start 1", T_ROOT, a, LIMIT - 1, 0, 3, 1,
		  HV_STATUS_INVALID_PARAMETER, 1 },
		{ "unmapped pages", T_ROOT, a, 1000, 0, 4095, 0,
		  HV_STATUS_SUCCESS, 4095 },
		{ "from rep start 1", T_ROOT, a, 5, 0, 2, 1,
		  HV_STATUS_SUCCESS, 2 },
		{ "both pages", T_ROOT, a, 5, 0, 2, 0, HV_STATUS_SUCCESS, 2 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		for (int fast = 0; fast < 2; fast++) {
			/* Pages 5 and 6 of A mapped before every row. */
			REQUIRE_ST(map_range(hv, T_ROOT, a, 5, 1800, 2, FL_RW),
				   HV_STATUS_SUCCESS);
			struct op o = {
				.caller = rows[i].caller, .fast = fast,
				.target = rows[i].target, .base = rows[i].base,
				.flags = rows[i].flags, .pad = 0xFFFFFFFF,
				.n = rows[i].n, .start = rows[i].start,
			};
			struct t_snap before;

			t_snap_take(hv, &before);
			uint64_t r = unmap_op(hv, &o);

			CHECK_MSG(ohv_result_status(r) == rows[i].st,
				  "%s (fast %d): got %s", rows[i].name, fast,
				  ohv_status_name(ohv_result_status(r)));
			CHECK_MSG(ohv_result_reps(r) == rows[i].reps,
				  "%s: reps %u", rows[i].name,
				  ohv_result_reps(r));
			bool hit = rows[i].st == HV_STATUS_SUCCESS &&
				   rows[i].target == a && rows[i].base == 5;

			CHECK((page_ptr(hv, a, 5) == NULL) ==
			      (hit && rows[i].start == 0));
			CHECK((page_ptr(hv, a, 6) == NULL) == hit);
			if (!hit)
				t_snap_same(hv, &before, rows[i].name);
		}
	}
	/* A's table went when both its pages did. */
	REQUIRE_ST(unmap_range(hv, T_ROOT, a, 5, 2), HV_STATUS_SUCCESS);
	CHECK_EQ(in_use_of(hv, a), INIT_COST);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* ohv_gpa for children (SPEC 2).                                          */

/*
 * ohv_gpa(child) is the host address of the frames behind a range of the
 * child's GPA space when every page of it is mapped with some right and
 * backed by consecutive frames; NULL otherwise, and for partitions that
 * are Uninitialized, Finalized or gone.
 */
TEST(gpa_ohv_gpa_children)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t a = funded_child(hv, &next, 8);
	uint64_t u = t_new_child(hv, &next);
	uint64_t f = funded_child(hv, &next, 4);
	uint64_t dead = funded_child(hv, &next, 4);
	const uint64_t P = 2100, Q = 2200, R = 2300;

	REQUIRE_ST(map_range(hv, T_ROOT, a, 10, P, 4, FL_RW),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(map_range(hv, T_ROOT, a, 20, Q, 1, FL_RW),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(map_range(hv, T_ROOT, a, 21, Q + 5, 1, FL_RW),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(map_range(hv, T_ROOT, a, 30, 2400, 1, 0), HV_STATUS_SUCCESS);
	REQUIRE_ST(map_range(hv, T_ROOT, a, 31, 2401, 1, FL_X),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(map_range(hv, T_ROOT, a, 40, R, 1, FL_R), HV_STATUS_SUCCESS);
	/* Page 511 and 512 (two tables) on consecutive frames. */
	REQUIRE_ST(map_range(hv, T_ROOT, a, 511, 2500, 2, FL_R),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(map_range(hv, T_ROOT, f, 0, 2600, 1, FL_RW),
		   HV_STATUS_SUCCESS);
	REQUIRE(page_ptr(hv, f, 0) != NULL);
	REQUIRE_ST(map_range(hv, T_ROOT, dead, 0, 2601, 1, FL_RW),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(t_finalize(hv, f), HV_STATUS_SUCCESS);
	t_destroy_child(hv, dead);

	const uint8_t *rp = ohv_gpa(hv, T_ROOT, P << 12, 1);
	const uint8_t *rq = ohv_gpa(hv, T_ROOT, Q << 12, 1);
	const uint8_t *rr = ohv_gpa(hv, T_ROOT, R << 12, 1);
	const uint8_t *rs = ohv_gpa(hv, T_ROOT, 2500ull << 12, 1);

	REQUIRE(rp && rq && rr && rs);
	const struct {
		const char *name;
		uint64_t id, gpa;
		size_t len;
		const uint8_t *want;
	} rows[] = {
		{ "4 consecutive pages", a, 10 << 12, 4 * 4096, rp },
		{ "inside, offset 100", a, (10 << 12) + 100, 4 * 4096 - 100,
		  rp + 100 },
		{ "last bytes", a, (13 << 12) + 4000, 96,
		  rp + 3 * 4096 + 4000 },
		{ "one byte past", a, (13 << 12) + 4000, 97, NULL },
		{ "from unmapped 9", a, (9 << 12) + 4095, 2, NULL },
		{ "single page", a, 20 << 12, 4096, rq },
		{ "non-consecutive frames", a, 20 << 12, 8192, NULL },
		{ "straddling them", a, (20 << 12) + 4095, 2, NULL },
		{ "second of them", a, 21 << 12, 1, rq + 5 * 4096 },
		{ "no rights", a, 30 << 12, 1, NULL },
		{ "X only has a right", a, 31 << 12, 4096,
		  ohv_gpa(hv, T_ROOT, 2401ull << 12, 1) },
		{ "R page then unmapped", a, 40 << 12, 8192, NULL },
		{ "len 0 on mapped", a, 40 << 12, 0, rr },
		{ "len 0 on unmapped", a, 41 << 12, 0, NULL },
		{ "across a region boundary", a, 511 << 12, 8192, rs },
		{ "page 0 unmapped", a, 0, 1, NULL },
		{ "GPA 2^52", a, LIMIT << 12, 1, NULL },
		{ "GPA 2^64 - 1", a, U64_MAX, 1, NULL },
		{ "length wraps", a, 10 << 12, SIZE_MAX, NULL },
		{ "Uninitialized child", u, 0, 1, NULL },
		{ "Finalized child", f, 0, 1, NULL },
		{ "deleted child", dead, 0, 1, NULL },
		{ "never issued", NEVER_ISSUED, 0, 1, NULL },
		{ "id 0", 0, 0, 1, NULL },
		{ "root, same frames", T_ROOT, P << 12, 4 * 4096, rp },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		void *p = ohv_gpa(hv, rows[i].id, rows[i].gpa, rows[i].len);

		CHECK_MSG(p == rows[i].want, "%s: %p, want %p", rows[i].name,
			  p, (const void *)rows[i].want);
	}
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Finalize and conservation (SPEC 1, 4.4).                                */

/*
 * Finalize drops every mapping of the child and returns its GPA tables'
 * pages to its pool as available; the frames it mapped become depositable
 * by the root (unless another child still maps them); map and unmap on a
 * Finalized child → INVALID_PARTITION_STATE.  Every frame is accounted
 * for throughout: the root's reachable pages plus all pools equal
 * memory_pages.
 */
TEST(gpa_finalize_drops_mappings)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t a = funded_child(hv, &next, 8);
	uint64_t b = funded_child(hv, &next, 4);
	const uint64_t mem = mem_pages(hv);

	REQUIRE_ST(map_range(hv, T_ROOT, a, 0, 3000, 10, FL_FULL),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(map_range(hv, T_ROOT, a, 600, 3010, 1, FL_R),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(map_range(hv, T_ROOT, a, 5000, 3011, 1, 0),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(map_range(hv, T_ROOT, b, 0, 3000, 1, FL_R),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(in_use_of(hv, a), INIT_COST + 3);
	CHECK_EQ(t_info(hv, a).pool_available, 8 - 3);
	CHECK_EQ(root_reachable(hv) + pooled(hv), mem);
	const uint64_t shared = 3000, own = 3001, none = 3011;

	CHECK_ST(deposit_list(hv, T_ROOT, SELF, &own, 1),
		 HV_STATUS_OPERATION_DENIED);
	CHECK_ST(deposit_list(hv, T_ROOT, SELF, &none, 1),
		 HV_STATUS_OPERATION_DENIED);

	REQUIRE_ST(t_finalize(hv, a), HV_STATUS_SUCCESS);
	CHECK_EQ(in_use_of(hv, a), 0);
	CHECK_EQ(t_info(hv, a).pool_available, INIT_COST + 8);
	CHECK(page_ptr(hv, a, 0) == NULL && page_ptr(hv, a, 600) == NULL);
	CHECK(page_ptr(hv, b, 0) == page_ptr(hv, T_ROOT, shared));
	CHECK_EQ(root_reachable(hv) + pooled(hv), mem);
	/* A Finalized target. */
	CHECK_ST(map_list(hv, T_ROOT, a, 0, FL_R, &own, 1),
		 HV_STATUS_INVALID_PARTITION_STATE);
	CHECK_ST(unmap_range(hv, T_ROOT, a, 0, 1),
		 HV_STATUS_INVALID_PARTITION_STATE);
	/* A's frames are free again; the one B maps is not. */
	CHECK_ST(deposit_list(hv, T_ROOT, SELF, &own, 1), HV_STATUS_SUCCESS);
	CHECK_ST(deposit_list(hv, T_ROOT, SELF, &none, 1), HV_STATUS_SUCCESS);
	CHECK_ST(deposit_list(hv, T_ROOT, SELF, &shared, 1),
		 HV_STATUS_OPERATION_DENIED);
	/* Withdraw all (tables' pages included) and delete. */
	uint32_t got = 0;

	REQUIRE_ST(t_withdraw(hv, a, 512, NULL, &got), HV_STATUS_NO_RESOURCES);
	CHECK_EQ(got, INIT_COST + 8);
	REQUIRE_ST(t_delete(hv, a), HV_STATUS_SUCCESS);
	t_destroy_child(hv, b);
	CHECK_ST(deposit_list(hv, T_ROOT, SELF, &shared, 1), HV_STATUS_SUCCESS);
	/* Full teardown: the root's pool drains too; every frame back. */
	for (;;) {
		hv_status_t st = t_withdraw(hv, SELF, 512, NULL, NULL);

		if (st == HV_STATUS_NO_RESOURCES)
			break;
		REQUIRE_ST(st, HV_STATUS_SUCCESS);
	}
	CHECK_EQ(pooled(hv), 0);
	CHECK_EQ(root_reachable(hv), mem);
	CHECK_EQ(t_live(hv), 1);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Nested feeding and isolation (SPEC 1, 5.1, 6).                          */

/*
 * A child deposits into its own child only a page it holds with full
 * rights and nobody else reaches (SPEC 5.1): shared with the root (even
 * read-only), mapped to it without full rights, also mapped into another
 * child, twice into itself or into its own child, unmapped, already lent
 * → OPERATION_DENIED (reps = index); a duplicate fails on its second
 * occurrence; its own pool (SELF), the root's or a sibling's →
 * ACCESS_DENIED.  Removing the obstacle makes the deposit go through.
 */
TEST(gpa_child_deposit_rules)
{
	struct nest n;

	nest_build(&n, NULL, 0);
	struct ohv *hv = n.hv;
	const uint64_t c = n.c, g = n.g;
	uint64_t d = funded_child(hv, &n.next, 4);
	/* Fresh root pages behind C's pages 100-104. */
	const uint64_t p0 = 2200;

	REQUIRE_ST(map_range(hv, T_ROOT, c, 100, p0, 1, FL_FULL),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(root_rights(hv, p0, 1, FL_R), HV_STATUS_SUCCESS);
	REQUIRE_ST(map_range(hv, T_ROOT, c, 101, p0 + 1, 1, FL_RW | FL_KX),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(map_range(hv, T_ROOT, c, 102, p0 + 2, 1, FL_FULL),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(map_range(hv, T_ROOT, d, 0, p0 + 2, 1, FL_FULL),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(map_range(hv, T_ROOT, c, 103, p0 + 3, 1, FL_FULL),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(map_range(hv, T_ROOT, c, 104, p0 + 3, 1, FL_FULL),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(root_rights(hv, p0 + 1, 3, 0), HV_STATUS_SUCCESS);
	/* C maps its page 40 into G. */
	REQUIRE_ST(map_range(hv, c, g, 0, 40, 1, FL_RW), HV_STATUS_SUCCESS);

	enum { NONE, ROOT_GIVES_UP, REMAP_FULL, UNMAP_D, UNMAP_104, UNMAP_G };
	const struct {
		const char *name;
		uint64_t target;
		uint64_t pages[3];
		uint32_t n;
		hv_status_t st;
		uint32_t reps;
		int undo;
	} rows[] = {
		{ "shared with the root", g, { 0 }, 1,
		  HV_STATUS_OPERATION_DENIED, 0, NONE },
		{ "root kept read", g, { 41, 100 }, 2,
		  HV_STATUS_OPERATION_DENIED, 1, ROOT_GIVES_UP },
		{ "mapped RW|KX to C", g, { 101 }, 1,
		  HV_STATUS_OPERATION_DENIED, 0, REMAP_FULL },
		{ "also mapped into a sibling", g, { 102 }, 1,
		  HV_STATUS_OPERATION_DENIED, 0, UNMAP_D },
		{ "at two pages of C", g, { 103 }, 1,
		  HV_STATUS_OPERATION_DENIED, 0, UNMAP_104 },
		{ "also mapped into G", g, { 40 }, 1,
		  HV_STATUS_OPERATION_DENIED, 0, UNMAP_G },
		{ "unmapped in C", g, { 500 }, 1,
		  HV_STATUS_OPERATION_DENIED, 0, NONE },
		{ "already lent", g, { 42, 2 }, 2,
		  HV_STATUS_OPERATION_DENIED, 1, NONE },
		{ "page 2^40", g, { LIMIT }, 1,
		  HV_STATUS_OPERATION_DENIED, 0, NONE },
		{ "page 2^64 - 1", g, { U64_MAX }, 1,
		  HV_STATUS_OPERATION_DENIED, 0, NONE },
		{ "duplicate", g, { 43, 44, 44 }, 3,
		  HV_STATUS_OPERATION_DENIED, 2, NONE },
		{ "own pool (SELF)", SELF, { 45 }, 1,
		  HV_STATUS_ACCESS_DENIED, 0, NONE },
		{ "own pool (own id)", c, { 45 }, 1,
		  HV_STATUS_ACCESS_DENIED, 0, NONE },
		{ "the root's pool", T_ROOT, { 45 }, 1,
		  HV_STATUS_ACCESS_DENIED, 0, NONE },
		{ "a sibling's pool", d, { 45 }, 1,
		  HV_STATUS_ACCESS_DENIED, 0, NONE },
		{ "exclusive", g, { 46, 47 }, 2, HV_STATUS_SUCCESS, 2, NONE },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		uint64_t avail0, avail;
		const uint64_t last = rows[i].pages[rows[i].n - 1];

		REQUIRE_ST(balance_as(hv, c, g, &avail0, NULL),
			   HV_STATUS_SUCCESS);
		uint64_t r = deposit_list(hv, c, rows[i].target, rows[i].pages,
					  rows[i].n);

		CHECK_MSG(ohv_result_status(r) == rows[i].st, "%s: got %s",
			  rows[i].name, ohv_status_name(ohv_result_status(r)));
		CHECK_MSG(ohv_result_reps(r) == rows[i].reps, "%s: reps %u",
			  rows[i].name, ohv_result_reps(r));
		REQUIRE_ST(balance_as(hv, c, g, &avail, NULL),
			   HV_STATUS_SUCCESS);
		CHECK_EQ(avail,
			 avail0 + (rows[i].target == g ? rows[i].reps : 0));
		switch (rows[i].undo) {
		case ROOT_GIVES_UP:
			/* SPEC 6: keeping read only took C's other rights
			 * too.  The root takes its own back, maps the page
			 * again, and gives the frame up whole. */
			REQUIRE(page_ptr(hv, c, 100) != NULL);
			REQUIRE_ST(root_rights(hv, p0, 1, FL_FULL),
				   HV_STATUS_SUCCESS);
			REQUIRE_ST(map_range(hv, T_ROOT, c, 100, p0, 1,
					     FL_FULL), HV_STATUS_SUCCESS);
			REQUIRE_ST(root_rights(hv, p0, 1, 0),
				   HV_STATUS_SUCCESS);
			break;
		case REMAP_FULL:
			/* The root cannot hand on a frame it gave up... */
			CHECK_ST(map_range(hv, T_ROOT, c, 101, p0 + 1, 1,
					   FL_FULL),
				 HV_STATUS_OPERATION_DENIED);
			/* ...until it takes its rights back. */
			REQUIRE_ST(root_rights(hv, p0 + 1, 1, FL_FULL),
				   HV_STATUS_SUCCESS);
			REQUIRE_ST(map_range(hv, T_ROOT, c, 101, p0 + 1, 1,
					     FL_FULL), HV_STATUS_SUCCESS);
			CHECK_ST(deposit_list(hv, c, g, &last, 1),
				 HV_STATUS_OPERATION_DENIED);
			REQUIRE_ST(root_rights(hv, p0 + 1, 1, 0),
				   HV_STATUS_SUCCESS);
			break;
		case UNMAP_D:
			REQUIRE_ST(unmap_range(hv, T_ROOT, d, 0, 1),
				   HV_STATUS_SUCCESS);
			break;
		case UNMAP_104:
			REQUIRE_ST(unmap_range(hv, T_ROOT, c, 104, 1),
				   HV_STATUS_SUCCESS);
			break;
		case UNMAP_G:
			REQUIRE_ST(unmap_range(hv, c, g, 0, 1),
				   HV_STATUS_SUCCESS);
			break;
		default:
			continue;
		}
		CHECK_MSG(ohv_result_status(deposit_list(hv, c, g, &last, 1)) ==
			  HV_STATUS_SUCCESS, "%s: not depositable after undo",
			  rows[i].name);
		CHECK(page_ptr(hv, c, last) == NULL);
	}
	t_close(hv);
}

/*
 * A page lent by a child to its own child's pool stays in the child's GPA
 * space, frozen: the root can neither unmap nor replace it (OBJECT_IN_USE,
 * reps = index), nor take back or deposit the frame (OPERATION_DENIED),
 * nor map it elsewhere, nor finalize the child (it has a child).
 */
TEST(gpa_lent_pages_frozen)
{
	struct nest n;

	nest_build(&n, NULL, 0);
	struct ohv *hv = n.hv;
	const uint64_t c = n.c;
	uint64_t d = funded_child(hv, &n.next, 4);
	const uint64_t fresh = 1900, lent_frame = NEST_SRC + 2;
	const uint64_t two[2] = { fresh, fresh + 1 };
	struct t_snap before;
	uint64_t r;

	t_snap_take(hv, &before);
	/* C's page 2 alone (lent to G), memory-based and fast. */
	for (int fast = 0; fast < 2; fast++) {
		struct op o = { .caller = T_ROOT, .fast = fast, .target = c,
				.base = 2, .n = 1 };
		uint64_t res = unmap_op(hv, &o);

		CHECK_ST(res, HV_STATUS_OBJECT_IN_USE);
		CHECK_EQ(ohv_result_reps(res), 0);
	}
	/* Unmap C's [0, 4): 0 and 1 go, 2 stops the call (reps 2). */
	struct op o = { .caller = T_ROOT, .target = c, .base = 0, .n = 4 };

	r = unmap_op(hv, &o);
	CHECK_ST(r, HV_STATUS_OBJECT_IN_USE);
	CHECK_EQ(ohv_result_reps(r), 2);
	CHECK(page_ptr(hv, c, 0) == NULL && page_ptr(hv, c, 1) == NULL);
	/* Map fresh pages onto C's [1, 3): 1 is mapped, 2 is frozen. */
	struct op m = { .caller = T_ROOT, .target = c, .base = 1,
			.flags = FL_RW, .n = 2, .src = two };

	r = map_op(hv, &m);
	CHECK_ST(r, HV_STATUS_OBJECT_IN_USE);
	CHECK_EQ(ohv_result_reps(r), 1);
	CHECK(page_ptr(hv, c, 1) == page_ptr(hv, T_ROOT, fresh));
	CHECK(page_ptr(hv, c, 2) == NULL);
	/* C's parameter pages back as they were. */
	REQUIRE_ST(map_range(hv, T_ROOT, c, 0, NEST_SRC, 2, FL_FULL),
		   HV_STATUS_SUCCESS);
	/* The frame is in G's pool: out of everybody's reach. */
	CHECK_ST(root_rights(hv, lent_frame, 1, FL_FULL),
		 HV_STATUS_OPERATION_DENIED);
	CHECK_ST(deposit_list(hv, T_ROOT, SELF, &lent_frame, 1),
		 HV_STATUS_OPERATION_DENIED);
	CHECK_ST(map_list(hv, T_ROOT, d, 0, 0, &lent_frame, 1),
		 HV_STATUS_OPERATION_DENIED);
	CHECK_ST(t_finalize(hv, c), HV_STATUS_OPERATION_DENIED);
	CHECK(page_ptr(hv, T_ROOT, lent_frame) == NULL);
	CHECK(page_ptr(hv, c, 2) == NULL);
	CHECK(ohv_gpa(hv, n.g, 0, 1) == NULL);
	t_snap_same(hv, &before, "frozen");
	t_close(hv);
}

/*
 * The whole chain of SPEC 5.1 / 6, three levels deep: the root hands C
 * pages and gives up its own access; C feeds G with them and maps G
 * others; the page C lends disappears from every view and comes back
 * zeroed at the same GPA page of C when C withdraws it; C makes G
 * runnable, hands it pages exclusively (the root unmaps C's view of
 * them), and G feeds and maps a child of its own.  Teardown from the
 * bottom returns every frame: root-reachable + pools + pages the root
 * gave up = memory_pages, and restoring the root's rights makes it whole.
 */
TEST(gpa_nested_feeding_chain)
{
	struct nest n;

	nest_build(&n, NULL, PRIV_NEST);
	struct ohv *hv = n.hv;
	const uint64_t c = n.c, g = n.g, mem = mem_pages(hv);
	uint64_t avail, used;

	/* Where things are after the build. */
	for (uint64_t k = 0; k < NEST_PAGES; k++) {
		bool lent = k >= 2 && k < 2 + NEST_FEED;

		CHECK_MSG((page_ptr(hv, c, k) == NULL) == lent,
			  "C page %" PRIu64, k);
		CHECK((page_ptr(hv, T_ROOT, NEST_SRC + k) == NULL) == (k >= 2));
	}
	REQUIRE_ST(balance_as(hv, c, g, &avail, &used), HV_STATUS_SUCCESS);
	CHECK_EQ(avail, NEST_FEED - INIT_COST);
	CHECK_EQ(used, INIT_COST);
	CHECK_EQ(root_reachable(hv) + pooled(hv) - pool_of(hv, g) +
		 (NEST_PAGES - 2), mem);

	/* C maps its pages 26-29 into G, RW: one table of G's pool. */
	REQUIRE_ST(map_range(hv, c, g, 0, 26, 4, FL_RW), HV_STATUS_SUCCESS);
	REQUIRE_ST(balance_as(hv, c, g, &avail, &used), HV_STATUS_SUCCESS);
	CHECK_EQ(used, INIT_COST + 1);
	uint8_t *gv = ohv_gpa(hv, g, 0, 4 * HV_PAGE_SIZE);

	REQUIRE(gv);
	CHECK(gv == ohv_gpa(hv, c, 26 << 12, 4 * HV_PAGE_SIZE));
	CHECK_EQ(frame_of(hv, gv), NEST_SRC + 26);
	memset(gv, 0x3C, 64);
	CHECK(all_bytes(page_ptr(hv, c, 26), 0x3C, 64));

	/* C lends page 30: gone from every view, frozen in C's space. */
	uint8_t *c30 = page_ptr(hv, c, 30);
	const uint64_t p30 = 30;

	REQUIRE(c30);
	memset(c30, 0x5A, HV_PAGE_SIZE);
	CHECK_ST(deposit_list(hv, c, g, &p30, 1), HV_STATUS_SUCCESS);
	CHECK(page_ptr(hv, c, 30) == NULL);
	CHECK(page_ptr(hv, T_ROOT, NEST_SRC + 30) == NULL);
	CHECK_ST(map_list(hv, c, g, 8, FL_R, &p30, 1),
		 HV_STATUS_OPERATION_DENIED);
	struct op o = { .caller = T_ROOT, .target = c, .base = 30, .n = 1 };

	CHECK_ST(unmap_op(hv, &o), HV_STATUS_OBJECT_IN_USE);
	/* Withdrawn by C: zeroed, at C's page 30, readable again. */
	uint64_t back[12];
	uint64_t r = withdraw_as(hv, c, g, 1, back);

	CHECK_ST(r, HV_STATUS_SUCCESS);
	CHECK_EQ(back[0], 30);
	CHECK(page_ptr(hv, c, 30) == c30);
	CHECK(all_bytes(c30, 0, HV_PAGE_SIZE));
	CHECK(page_ptr(hv, T_ROOT, NEST_SRC + 30) == NULL);
	/* Not into its own pool; into G again, yes. */
	CHECK_ST(deposit_list(hv, c, SELF, &p30, 1), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(deposit_list(hv, c, g, &p30, 1), HV_STATUS_SUCCESS);

	/* G becomes runnable: a VP (costs.vp of G's pool) started by C. */
	REQUIRE_ST(deposit_seq(hv, c, g, 31, 9), HV_STATUS_SUCCESS);
	struct hv_input_create_vp cv = { .partition_id = g };

	REQUIRE_ST(t_create_vp_in(hv, c, &cv), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_set_reg64(hv, c, g, 0, HV_REGISTER_EXPLICIT_SUSPEND, 0),
		   HV_STATUS_SUCCESS);
	/* C hands G its pages 40-63 at G's 16-39, then unmaps them from its
	 * own space (SPEC 6), so G holds them alone.  (The root unmapping
	 * C's view would take them from G too: revocation is transitive.) */
	REQUIRE_ST(map_range(hv, c, g, 16, 40, 24, FL_FULL), HV_STATUS_SUCCESS);
	const uint64_t g16 = 16;

	CHECK_ST(deposit_list(hv, g, SELF, &g16, 1), HV_STATUS_ACCESS_DENIED);
	REQUIRE_ST(unmap_range(hv, c, c, 40, 24), HV_STATUS_SUCCESS);
	uint64_t gg;

	REQUIRE_ST(create_as(hv, g, &gg), HV_STATUS_SUCCESS);
	CHECK_EQ(t_info(hv, gg).depth, 4);
	/* G's first try with a page C still shares fails; then 17 pages. */
	const uint64_t g0 = 0;

	CHECK_ST(deposit_list(hv, g, gg, &g0, 1), HV_STATUS_OPERATION_DENIED);
	REQUIRE_ST(deposit_seq(hv, g, gg, 16, 17), HV_STATUS_SUCCESS);
	CHECK(page_ptr(hv, g, 16) == NULL);
	REQUIRE_ST(id_call_as(hv, g, HVCALL_INITIALIZE_PARTITION, gg),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(map_range(hv, g, gg, 0, 33, 1, FL_RW), HV_STATUS_SUCCESS);
	uint8_t *ggv = page_ptr(hv, gg, 0);

	REQUIRE(ggv);
	CHECK(ggv == page_ptr(hv, g, 33));
	CHECK_EQ(frame_of(hv, ggv), NEST_SRC + 40 + 17);
	CHECK(page_ptr(hv, c, 57) == NULL);
	CHECK(page_ptr(hv, T_ROOT, NEST_SRC + 57) == NULL);
	/* C cannot unmap what G lent, nor reach GG. */
	o = (struct op){ .caller = c, .fast = true, .target = g, .base = 16,
			 .n = 1 };
	CHECK_ST(unmap_op(hv, &o), HV_STATUS_OBJECT_IN_USE);
	CHECK_ST(map_list(hv, c, gg, 0, FL_R, &g0, 1), HV_STATUS_ACCESS_DENIED);
	CHECK_EQ(root_reachable(hv) + pooled(hv) - pool_of(hv, g) -
		 pool_of(hv, gg) + (NEST_PAGES - 2), mem);

	/* Teardown from the bottom: G empties GG. */
	REQUIRE_ST(id_call_as(hv, g, HVCALL_FINALIZE_PARTITION, gg),
		   HV_STATUS_SUCCESS);
	CHECK(page_ptr(hv, gg, 0) == NULL);
	CHECK_EQ(drain_as(hv, g, gg), 17);
	REQUIRE_ST(id_call_as(hv, g, HVCALL_DELETE_PARTITION, gg),
		   HV_STATUS_SUCCESS);
	for (uint64_t k = 16; k < 33; k++) {
		uint8_t *p = page_ptr(hv, g, k);

		CHECK(p && all_bytes(p, 0, HV_PAGE_SIZE));
	}
	/* C empties G: its lent pages come back to C's space, zeroed. */
	REQUIRE_ST(id_call_as(hv, c, HVCALL_FINALIZE_PARTITION, g),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(drain_as(hv, c, g), NEST_FEED + 1 + 9);
	REQUIRE_ST(id_call_as(hv, c, HVCALL_DELETE_PARTITION, g),
		   HV_STATUS_SUCCESS);
	for (uint64_t k = 2; k < 40; k++) {
		uint8_t *p = page_ptr(hv, c, k);

		CHECK_MSG(p != NULL, "C page %" PRIu64 " not back", k);
		if (p && (k < 26 || k >= 30))
			CHECK(all_bytes(p, 0, HV_PAGE_SIZE));
	}
	/* The root tears C down; the frames behind C's 2-63 are nobody's
	 * until the root takes its rights back. */
	t_destroy_child(hv, c);
	CHECK_EQ(root_reachable(hv) + pooled(hv) + (NEST_PAGES - 2), mem);
	REQUIRE_ST(root_rights(hv, NEST_SRC + 2, NEST_PAGES - 2, FL_FULL),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(root_reachable(hv) + pooled(hv), mem);
	REQUIRE_ST(deposit_seq(hv, T_ROOT, SELF, NEST_SRC + 2, NEST_PAGES - 2),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(t_live(hv), 1);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Hostile input (SPEC 1, 6).                                              */

#define FZ_ITERS	4000
#define FZ_SEED		0x6F68765F67706131ull
#define FZ_MEM		8192u
#define FZ_HOT		64
#define FZ_GPAGES	2048

struct fz {
	struct ohv *hv;
	uint64_t rng;
	uint64_t c, g, d, u, dead;
	uint8_t gaveup[FZ_MEM];		/* root's identity flags are 0 */
	uint8_t given_c[FZ_MEM];	/* frames ever mapped into C */
	uint64_t hot[FZ_HOT];		/* pages deposited somewhere */
	uint32_t nhot;
	uint64_t gpages[FZ_GPAGES];	/* G pages ever mapped */
	uint32_t ngpages;
	uint64_t top;			/* next fresh root page for top-ups */
	uint32_t seen[0x20];		/* statuses met */
	unsigned iter;
};

static uint64_t fz_rand(struct fz *f)
{
	uint64_t x = f->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	f->rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static uint64_t fz_below(struct fz *f, uint64_t n)
{
	return fz_rand(f) % n;
}

static uint64_t fz_base(struct fz *f)
{
	switch (fz_below(f, 12)) {
	case 0:
		return (1 + fz_below(f, 4)) * REGION - 3 + fz_below(f, 6);
	case 1:
		return LIMIT - 1 - fz_below(f, 8);
	case 2:
		return LIMIT + fz_below(f, 4);
	case 3:
		return U64_MAX - fz_below(f, 8);
	case 4:
		return fz_below(f, LIMIT);
	case 5:
		return fz_rand(f);
	default:
		return fz_below(f, 128);
	}
}

static uint32_t fz_flags(struct fz *f)
{
	/* ADJUSTABLE and LARGE_PAGE (SPEC 6) have their own tests. */
	static const uint32_t odd[] = { FL_W, FL_W | FL_X, 0x10, 0x4000,
					0x10000, 0x40000000u, 0x7FFF7FFFu };

	switch (fz_below(f, 16)) {
	case 0:
		return odd[fz_below(f, ARRAY_SIZE(odd))];
	case 1:
		return (uint32_t)fz_rand(f) & ~(HV_MAP_GPA_ADJUSTABLE |
						HV_MAP_GPA_LARGE_PAGE);
	case 2:
		return 0;
	default: {
		uint32_t v = (uint32_t)fz_below(f, 16);

		return (v & FL_W) ? v | FL_R : v;
	}
	}
}

static uint64_t fz_src(struct fz *f, uint64_t caller)
{
	switch (fz_below(f, 16)) {
	case 0:
		return f->nhot ? f->hot[fz_below(f, f->nhot)] : 0;
	case 1:
		return NEST_SRC + fz_below(f, NEST_PAGES);
	case 2:
		return FZ_MEM + fz_below(f, 3);
	case 3:
		return fz_below(f, 4) ? fz_below(f, 130) : U64_MAX;
	case 4:
		return fz_rand(f);
	case 5:
		return caller == T_ROOT ? fz_below(f, 80) :
		       16 + fz_below(f, FZ_MEM - 16);
	default:
		return caller == T_ROOT ? 16 + fz_below(f, FZ_MEM - 16) :
		       fz_below(f, 80);
	}
}

static uint64_t fz_target(struct fz *f, uint64_t caller)
{
	const uint64_t own = caller == T_ROOT ? f->c : f->g;
	const uint64_t ids[] = { 0, SELF, T_ROOT, f->c, f->g, f->d, f->u,
				 f->dead, NEVER_ISSUED };

	if (fz_below(f, 3))
		return caller == T_ROOT && fz_below(f, 2) ? f->d : own;
	return fz_below(f, 16) ? ids[fz_below(f, ARRAY_SIZE(ids))] : fz_rand(f);
}

/* The header's verdict (SPEC 4, 6) as the tests above pin it. */
static hv_status_t fz_header(struct fz *f, uint64_t caller, uint64_t id,
			     bool map, bool *identity)
{
	struct ohv_partition_info info;
	uint64_t t = id == SELF ? caller : id;

	/* Where a caller may name itself: the root's map (its identity
	 * rights), a child's unmap (its own pages, SPEC 6). */
	const bool self_ok = map == (caller == T_ROOT);

	*identity = false;
	/* SPEC 4: SELF names no child. */
	if (id == SELF && !self_ok)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (!t || ohv_partition_info(f->hv, t, &info))
		return HV_STATUS_INVALID_PARTITION_ID;
	if (t == caller) {
		if (!self_ok)
			return HV_STATUS_ACCESS_DENIED;
		*identity = map;
	} else if (info.parent_id != caller) {
		return HV_STATUS_ACCESS_DENIED;
	}
	if (info.state != OHV_STATE_ACTIVE)
		return HV_STATUS_INVALID_PARTITION_STATE;
	return HV_STATUS_SUCCESS;
}

static void fz_seen(struct fz *f, uint64_t r)
{
	hv_status_t st = ohv_result_status(r);

	if (st < ARRAY_SIZE(f->seen))
		f->seen[st]++;
}

/* Whether caller can issue a memory-based call with input only. */
static bool fz_mem_ok(struct fz *f, uint64_t caller)
{
	return ohv_gpa(f->hv, caller, T_IN_PAGE << 12, HV_PAGE_SIZE) != NULL;
}

/* Rep count, start and fast for one call; *bad when the control word
 * itself is wrong (rep start >= rep count). */
static void fz_reps(struct fz *f, struct op *o, uint32_t max, bool *bad)
{
	o->n = fz_below(f, 16) ? 1 + (uint32_t)fz_below(f, 16) :
	       1 + (uint32_t)fz_below(f, max);
	if (o->n > max)
		o->n = max;
	o->start = fz_below(f, 4) ? 0 : (uint32_t)fz_below(f, o->n);
	*bad = false;
	if (!fz_below(f, 64)) {
		o->start = o->n + (uint32_t)fz_below(f, 3);
		*bad = true;
	}
	o->fast = o->caller != T_ROOT ? true : fz_below(f, 3) == 0;
	if (o->caller != T_ROOT && fz_mem_ok(f, o->caller) && fz_below(f, 2))
		o->fast = false;
	/* Fast calls mostly fit; now and then one source too many. */
	if (o->fast && max == BATCH && o->n > FAST_MAP_MAX)
		o->n = fz_below(f, 16) ? 1 + o->n % FAST_MAP_MAX :
		       FAST_MAP_MAX + 1 + (uint32_t)fz_below(f, 2);
}

static void fz_map(struct fz *f, uint64_t caller)
{
	struct ohv *hv = f->hv;
	static uint64_t src[BATCH];
	struct op o = { .caller = caller, .src = src };
	bool identity, bad;

	o.target = fz_target(f, caller);
	if (caller == T_ROOT && !fz_below(f, 6))
		o.target = fz_below(f, 2) ? SELF : T_ROOT;
	fz_reps(f, &o, BATCH, &bad);
	if (o.fast && o.n > 13)
		o.n = 13;
	if (o.start >= o.n && !bad)
		o.start = 0;
	o.base = fz_base(f);
	o.flags = fz_flags(f);
	hv_status_t hdr = fz_header(f, caller, o.target, true, &identity);

	if (identity) {
		/* Keep the root's parameter pages (0-15) its own. */
		o.base = 16 + fz_below(f, FZ_MEM + 8 - 16);
		if (!fz_below(f, 16))
			o.base = LIMIT - 1 - fz_below(f, 3);
	}
	for (uint32_t i = 0; i < o.n; i++) {
		src[i] = identity && fz_below(f, 12) ? o.base + i :
						       fz_src(f, caller);
		if (identity && src[i] < 16)
			src[i] = o.base + i;
	}
	uint64_t r = map_op(hv, &o);
	hv_status_t st = ohv_result_status(r);
	uint32_t reps = ohv_result_reps(r);

	fz_seen(f, r);
	if (bad) {
		CHECK_MSG(st == HV_STATUS_INVALID_HYPERCALL_INPUT && reps == 0,
			  "iter %u: bad rep start: %s", f->iter,
			  ohv_status_name(st));
		return;
	}
	if (o.fast && o.n > FAST_MAP_MAX) {
		CHECK_MSG(st == HV_STATUS_INVALID_HYPERCALL_INPUT &&
			  reps == o.start, "iter %u: too big for fast: %s",
			  f->iter, ohv_status_name(st));
		return;
	}
	if (hdr == HV_STATUS_SUCCESS &&
	    ((o.flags & ~FL_FULL) || ((o.flags & FL_W) && !(o.flags & FL_R))))
		hdr = HV_STATUS_INVALID_PARAMETER;
	if (hdr != HV_STATUS_SUCCESS) {
		CHECK_MSG(st == hdr && reps == o.start,
			  "iter %u: map header: %s reps %u, want %s",
			  f->iter, ohv_status_name(st), reps,
			  ohv_status_name(hdr));
		return;
	}
	if (!o.fast && st == HV_STATUS_INVALID_ALIGNMENT && caller != T_ROOT &&
	    reps == o.start)
		return;	/* C's parameter page lost its read right */
	CHECK_MSG(reps >= o.start && reps <= o.n,
		  "iter %u: reps %u of [%u, %u]", f->iter, reps, o.start, o.n);
	CHECK_MSG(st == HV_STATUS_SUCCESS ||
		  st == HV_STATUS_INVALID_PARAMETER ||
		  st == HV_STATUS_OPERATION_DENIED ||
		  st == HV_STATUS_INSUFFICIENT_MEMORY ||
		  st == HV_STATUS_OBJECT_IN_USE,
		  "iter %u: map: %s", f->iter, ohv_status_name(st));
	if (st == HV_STATUS_SUCCESS && reps < o.n)
		CHECK_MSG(reps - o.start == 7, "iter %u: partial %u..%u",
			  f->iter, o.start, reps);
	const uint64_t t = o.target == SELF ? caller : o.target;

	for (uint32_t i = o.start; i < reps && i < o.n; i++) {
		uint64_t page = o.base + i;

		CHECK_MSG(o.base < LIMIT && page < LIMIT,
			  "iter %u: mapped page %#" PRIx64, f->iter, page);
		if (identity) {
			CHECK(src[i] == page && page < FZ_MEM);
			if (page >= FZ_MEM)
				continue;
			f->gaveup[page] = o.flags == 0;
			CHECK_MSG((page_ptr(hv, T_ROOT, page) == NULL) ==
				  (o.flags == 0), "iter %u: identity page %"
				  PRIu64, f->iter, page);
			continue;
		}
		uint8_t *sp = ohv_gpa(hv, caller, src[i] << 12, 1);

		CHECK_MSG(sp != NULL, "iter %u: mapped an unreachable source",
			  f->iter);
		uint8_t *tp = ohv_gpa(hv, t, page << 12, 1);

		CHECK_MSG(tp == (o.flags ? sp : NULL), "iter %u: page %#" PRIx64
			  " of %" PRIu64, f->iter, page, t);
		if (t == f->c && src[i] < FZ_MEM)
			f->given_c[src[i]] = 1;
		if (t == f->g && f->ngpages < FZ_GPAGES)
			f->gpages[f->ngpages++] = page;
	}
	if (st == HV_STATUS_SUCCESS || reps >= o.n)
		return;
	const uint64_t page = o.base + reps;

	switch (st) {
	case HV_STATUS_INVALID_PARAMETER:
		CHECK_MSG(o.base >= LIMIT || page >= LIMIT ||
			  (identity && src[reps] != page),
			  "iter %u: INVALID_PARAMETER at %#" PRIx64, f->iter,
			  page);
		break;
	case HV_STATUS_OPERATION_DENIED:
		if (identity)
			CHECK(page >= FZ_MEM || !page_ptr(hv, T_ROOT, page));
		else
			CHECK_MSG(!page_ptr(hv, caller, src[reps]) || o.flags,
				  "iter %u: denied a reachable source",
				  f->iter);
		break;
	case HV_STATUS_INSUFFICIENT_MEMORY: {
		uint64_t avail = 0;

		CHECK(!identity);
		REQUIRE_ST(balance_as(hv, caller, t, &avail, NULL),
			   HV_STATUS_SUCCESS);
		CHECK_MSG(avail < 1,
			  "iter %u: short with %" PRIu64 " available", f->iter,
			  avail);
		break;
	}
	case HV_STATUS_OBJECT_IN_USE:
		CHECK(!identity && !page_ptr(hv, t, page));
		break;
	default:
		break;
	}
}

static void fz_unmap(struct fz *f, uint64_t caller)
{
	struct ohv *hv = f->hv;
	struct op o = { .caller = caller };
	bool identity, bad;

	o.target = fz_target(f, caller);
	fz_reps(f, &o, 4095, &bad);
	if (o.start >= o.n && !bad)
		o.start = 0;
	o.base = fz_base(f);
	/* Any bit but LARGE_PAGE (tested on its own, SPEC 6). */
	o.flags = fz_below(f, 8) ? 0 : (uint32_t)fz_rand(f) | 0x4;
	o.pad = (uint32_t)fz_rand(f);
	hv_status_t hdr = fz_header(f, caller, o.target, false, &identity);

	if (hdr == HV_STATUS_SUCCESS && o.flags)
		hdr = HV_STATUS_INVALID_PARAMETER;
	uint64_t r = unmap_op(hv, &o);
	hv_status_t st = ohv_result_status(r);
	uint32_t reps = ohv_result_reps(r);

	fz_seen(f, r);
	if (bad) {
		CHECK_MSG(st == HV_STATUS_INVALID_HYPERCALL_INPUT && reps == 0,
			  "iter %u: bad rep start", f->iter);
		return;
	}
	if (!o.fast && st == HV_STATUS_INVALID_ALIGNMENT && caller != T_ROOT &&
	    reps == o.start)
		return;
	if (hdr != HV_STATUS_SUCCESS) {
		CHECK_MSG(st == hdr && reps == o.start,
			  "iter %u: unmap header: %s, want %s", f->iter,
			  ohv_status_name(st), ohv_status_name(hdr));
		return;
	}
	CHECK_MSG(st == HV_STATUS_SUCCESS ||
		  st == HV_STATUS_INVALID_PARAMETER ||
		  st == HV_STATUS_OBJECT_IN_USE,
		  "iter %u: unmap: %s", f->iter, ohv_status_name(st));
	CHECK(reps >= o.start && reps <= o.n);
	const uint64_t t = o.target == SELF ? caller : o.target;

	for (uint32_t i = o.start; i < reps; i++)
		CHECK_MSG(page_ptr(hv, t, o.base + i) == NULL,
			  "iter %u: page %#" PRIx64 " still mapped", f->iter,
			  o.base + i);
	if (st == HV_STATUS_INVALID_PARAMETER)
		CHECK(o.base >= LIMIT || o.base + reps >= LIMIT);
	if (st == HV_STATUS_OBJECT_IN_USE)
		CHECK(page_ptr(hv, t, o.base + reps) == NULL);
}

static void fz_deposit(struct fz *f, uint64_t caller)
{
	struct ohv *hv = f->hv;
	const uint64_t root_targets[] = { SELF, f->c, f->d, f->u, f->g, 0 };
	const uint64_t c_targets[] = { f->g, f->g, f->g, SELF, T_ROOT, f->d };
	uint64_t pages[8];
	uint32_t n = 1 + (uint32_t)fz_below(f, 8);
	uint64_t target = caller == T_ROOT ?
		root_targets[fz_below(f, ARRAY_SIZE(root_targets))] :
		c_targets[fz_below(f, ARRAY_SIZE(c_targets))];

	for (uint32_t i = 0; i < n; i++) {
		pages[i] = fz_src(f, caller);
		if (caller == T_ROOT && pages[i] < 16)
			pages[i] += 16;
	}
	uint64_t r = deposit_list(hv, caller, target, pages, n);
	hv_status_t st = ohv_result_status(r);

	fz_seen(f, r);
	CHECK_MSG(st == HV_STATUS_SUCCESS || st == HV_STATUS_OPERATION_DENIED ||
		  st == HV_STATUS_ACCESS_DENIED ||
		  st == HV_STATUS_INVALID_PARTITION_ID ||
		  st == HV_STATUS_INVALID_PARTITION_STATE,
		  "iter %u: deposit: %s", f->iter, ohv_status_name(st));
	for (uint32_t i = 0; i < ohv_result_reps(r) && i < n; i++) {
		CHECK(page_ptr(hv, caller, pages[i]) == NULL);
		if (f->nhot < FZ_HOT)
			f->hot[f->nhot++] = pages[i];
		else
			f->hot[fz_below(f, FZ_HOT)] = pages[i];
	}
}

static void fz_withdraw(struct fz *f, uint64_t caller)
{
	struct ohv *hv = f->hv;
	const uint64_t root_targets[] = { SELF, f->c, f->d, f->u };
	uint64_t target = caller == T_ROOT ?
		root_targets[fz_below(f, ARRAY_SIZE(root_targets))] : f->g;
	uint32_t n = 1 + (uint32_t)fz_below(f, 4);
	uint64_t pages[12];
	uint64_t r = withdraw_as(hv, caller, target, n, pages);
	hv_status_t st = ohv_result_status(r);

	fz_seen(f, r);
	CHECK_MSG(st == HV_STATUS_SUCCESS || st == HV_STATUS_NO_RESOURCES,
		  "iter %u: withdraw: %s", f->iter, ohv_status_name(st));
	for (uint32_t i = 0; i < ohv_result_reps(r) && i < n; i++) {
		uint8_t *p = page_ptr(hv, caller, pages[i]);

		CHECK_MSG(p && all_bytes(p, 0, HV_PAGE_SIZE),
			  "iter %u: withdrawn page %" PRIu64, f->iter,
			  pages[i]);
	}
}

static uint64_t fz_gaveup_count(struct fz *f)
{
	uint64_t n = 0;

	for (uint64_t p = 0; p < FZ_MEM; p++)
		n += f->gaveup[p];
	return n;
}

/*
 * SPEC 1 in numbers: what the root cannot reach is in a pool it or C fed
 * (all of G's pool came from C, out of frames the root gave up) or given
 * up; and G reaches only frames the root once mapped into C.
 */
static void fz_account(struct fz *f)
{
	struct ohv *hv = f->hv;
	struct ohv_partition_info gi = t_info(hv, f->g);

	CHECK_MSG(root_reachable(hv) + pooled(hv) - gi.pool_available -
		  gi.pool_in_use + fz_gaveup_count(f) == FZ_MEM,
		  "iter %u: frames unaccounted for", f->iter);
	for (uint32_t i = 0; i < f->ngpages; i++) {
		uint8_t *p = ohv_gpa(hv, f->g, f->gpages[i] << 12, 1);

		if (p)
			CHECK_MSG(f->given_c[frame_of(hv, p)],
				  "iter %u: G reaches frame %" PRIu64
				  " never given to C",
				  f->iter, frame_of(hv, p));
	}
}

/*
 * A few thousand random map and unmap calls (and some deposits and
 * withdrawals) from the root and from C into G, with hostile bases
 * (around region boundaries, 2^40 and 2^64), flags, sources (other
 * partitions' pages, unmapped, deposited, past memory), rep counts and
 * starts, fast and memory-based, with cfg.rep_limit cutting calls short.
 * Each result is checked against what the header alone decides and the
 * elements' postconditions; t_call runs the invariant checker after every
 * call.  Then everything is torn down and every frame must be back.
 */
TEST(gpa_hostile_random)
{
	struct ohv_config cfg;
	struct nest n;
	struct fz *f = calloc(1, sizeof(*f));

	REQUIRE(f);
	t_config(&cfg);
	cfg.memory_pages = FZ_MEM;
	cfg.rep_limit = 7;
	nest_build(&n, &cfg, 0);
	struct ohv *hv = n.hv;

	f->hv = hv;
	f->rng = FZ_SEED;
	f->c = n.c;
	f->g = n.g;
	f->d = funded_child(hv, &n.next, 8);
	f->u = t_new_child(hv, &n.next);
	f->dead = t_new_child(hv, &n.next);
	REQUIRE_ST(t_delete(hv, f->dead), HV_STATUS_SUCCESS);
	f->top = FZ_MEM / 2;
	for (uint64_t k = 0; k < NEST_PAGES; k++) {
		f->given_c[NEST_SRC + k] = 1;
		f->gaveup[NEST_SRC + k] = k >= 2;
	}
	for (f->iter = 0; f->iter < FZ_ITERS; f->iter++) {
		unsigned k = (unsigned)fz_below(f, 16);

		if (k < 6)
			fz_map(f, T_ROOT);
		else if (k < 8)
			fz_unmap(f, T_ROOT);
		else if (k < 11)
			fz_map(f, f->c);
		else if (k < 12)
			fz_unmap(f, f->c);
		else if (k < 14)
			fz_deposit(f, fz_below(f, 2) ? T_ROOT : f->c);
		else
			fz_withdraw(f, fz_below(f, 2) ? T_ROOT : f->c);
		if (f->iter % 50 == 49) {
			/* Top up C's and D's pools, put C's parameter pages
			 * back (they may have been remapped or unmapped). */
			const uint64_t fed[2] = { f->c, f->d };

			for (int i = 0; i < 2 && f->top < FZ_MEM; i++) {
				uint64_t p = f->top++;

				if (t_info(hv, fed[i]).pool_available < 2)
					deposit_list(hv, T_ROOT, fed[i], &p, 1);
			}
			map_range(hv, T_ROOT, f->c, 0, NEST_SRC, 2, FL_FULL);
			/* And C keeps G fed from the pages it holds alone. */
			for (uint64_t pg = 26; pg < NEST_PAGES &&
			     t_info(hv, f->g).pool_available < 3; pg++)
				deposit_list(hv, f->c, f->g, &pg, 1);
		}
		if (f->iter % 250 == 0)
			fz_account(f);
	}
	fz_account(f);
	/* Every status a map or unmap can return was met. */
	const hv_status_t want[] = {
		HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARTITION_ID,
		HV_STATUS_ACCESS_DENIED, HV_STATUS_INVALID_PARTITION_STATE,
		HV_STATUS_INVALID_PARAMETER, HV_STATUS_OPERATION_DENIED,
		HV_STATUS_INSUFFICIENT_MEMORY, HV_STATUS_OBJECT_IN_USE,
		HV_STATUS_INVALID_HYPERCALL_INPUT, HV_STATUS_NO_RESOURCES,
	};

	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		CHECK_MSG(f->seen[want[i]] > 0, "never met %s",
			  ohv_status_name(want[i]));

	/* Teardown: C empties G, the root the rest and its own pool. */
	REQUIRE_ST(id_call_as(hv, f->c, HVCALL_FINALIZE_PARTITION, f->g),
		   HV_STATUS_SUCCESS);
	drain_as(hv, f->c, f->g);
	REQUIRE_ST(id_call_as(hv, f->c, HVCALL_DELETE_PARTITION, f->g),
		   HV_STATUS_SUCCESS);
	t_destroy_child(hv, f->c);
	t_destroy_child(hv, f->d);
	t_destroy_child(hv, f->u);
	for (;;) {
		hv_status_t st = t_withdraw(hv, SELF, 512, NULL, NULL);

		if (st == HV_STATUS_NO_RESOURCES)
			break;
		REQUIRE_ST(st, HV_STATUS_SUCCESS);
	}
	CHECK_EQ(pooled(hv), 0);
	/* Exactly the pages given up are out of the root's reach. */
	uint64_t wrong = 0;

	for (uint64_t p = 0; p < FZ_MEM; p++)
		wrong += (page_ptr(hv, T_ROOT, p) == NULL) != f->gaveup[p];
	CHECK_EQ(wrong, 0);
	CHECK_EQ(root_reachable(hv) + fz_gaveup_count(f), FZ_MEM);
	for (uint64_t p = 0; p < FZ_MEM; p++) {
		uint64_t len = 0;

		while (p + len < FZ_MEM && f->gaveup[p + len] && len < BATCH)
			len++;
		if (len) {
			REQUIRE_ST(root_rights(hv, p, len, FL_FULL),
				   HV_STATUS_SUCCESS);
			p += len - 1;
		}
	}
	CHECK_EQ(root_reachable(hv), FZ_MEM);
	CHECK_EQ(t_live(hv), 1);
	free(f);
	t_close(hv);
}
