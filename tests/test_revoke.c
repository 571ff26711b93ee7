/* SPDX-License-Identifier: MIT */
/*
 * Transitive revocation (spec.md §6): when a partition loses a frame or a
 * right (its parent unmaps or remaps its page, the root gives up rights on
 * its identity map, or it unmaps the page it lent from its child), every
 * descendant's mapping of that frame loses it too, in the same call.  A
 * partition reaches a frame only with rights its parent has on it; the
 * invariant checker (run after every call here) says so too.
 *
 * The world: the root maps its pages [SRC, SRC + 160) at C's GPA pages
 * [0, 160) with full rights and gives up its own access to [SRC + 64,
 * SRC + 160), which C then holds alone.  C creates G (depth 3), feeds it
 * its pages 64-103 and gives it a running VP; for the deepest tests C
 * hands G its pages 104-139 (at G's 100-135) and G does the same for GG
 * (depth 4).  Children issue fast calls.
 */
#include "t.h"

#define SELF		HV_PARTITION_ID_SELF
#define SRC		2048ull
#define C_PAGES		160u
#define C_OWN		64u	/* C's pages from here on: C's alone        */
#define G_FEED		40u	/* C's pages 64-103 go into G's pool       */
#define HAND		104u	/* C's pages 104-139 are handed to G ...   */
#define HAND_N		36u
#define G_HANDED	100u	/* ... at G's pages 100-135                  */
#define SHARED		8u	/* C's page 8: frame SRC + 8, the root's too */
#define FL_R		HV_MAP_GPA_READABLE
#define FL_RW		(HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE)
#define FL_FULL		HV_MAP_GPA_PERMISSIONS_MASK
#define PRIV_NEST	(OHV_CHILD_PRIVILEGES | \
			 HV_PARTITION_PRIV_CREATE_PARTITIONS | \
			 HV_PARTITION_PRIV_ACCESS_MEMORY_POOL | \
			 HV_PARTITION_PRIV_ACCESS_PARTITION_ID)
/* src/gpa.h RMAP_MAX: the most GPA entries one frame may have. */
#define T_RMAP_MAX	1024u

struct world {
	struct ohv *hv;
	uint64_t next;		/* next free root page (below SRC) */
	uint64_t c, g, gg;
};

/* ---------------------------------------------------------------------- */
/* Calls.                                                                  */

/* HvMapGpaPages of n consecutive sources, by caller (the root memory-
 * based, a child fast, 11 sources a call); the status. */
static hv_status_t map(struct ohv *hv, uint64_t caller, uint64_t target,
		       uint64_t gpa, uint64_t src, uint32_t n, uint32_t flags)
{
	while (n) {
		uint64_t buf[3 + 11];
		uint32_t k = n < 11 ? n : 11;
		uint64_t r;

		buf[0] = target;
		buf[1] = gpa;
		buf[2] = flags;
		for (uint32_t i = 0; i < k; i++)
			buf[3 + i] = src + i;
		if (caller == T_ROOT)
			r = t_mem(hv, T_ROOT,
				  ohv_control(HVCALL_MAP_GPA_PAGES, 0, k, 0),
				  buf, 24 + 8 * k, NULL, 0);
		else
			r = t_fast_vp(hv, caller, 0,
				      ohv_control(HVCALL_MAP_GPA_PAGES, 0, k, 0),
				      buf, 24 + 8 * k, NULL, 0);
		if (ohv_result_status(r))
			return ohv_result_status(r);
		if (ohv_result_reps(r) != k)
			return HV_STATUS_OPERATION_FAILED;
		gpa += k;
		src += k;
		n -= k;
	}
	return HV_STATUS_SUCCESS;
}

/* HvUnmapGpaPages by caller; the result value. */
static uint64_t unmap(struct ohv *hv, uint64_t caller, uint64_t target,
		      uint64_t gpa, uint32_t n)
{
	struct hv_input_unmap_gpa_pages in = {
		.target_partition_id = target, .target_gpa_base = gpa,
	};

	if (caller == T_ROOT)
		return t_mem(hv, T_ROOT,
			     ohv_control(HVCALL_UNMAP_GPA_PAGES, 0, n, 0), &in,
			     sizeof(in), NULL, 0);
	return t_fast_vp(hv, caller, 0,
			 ohv_control(HVCALL_UNMAP_GPA_PAGES, 0, n, 0), &in,
			 sizeof(in), NULL, 0);
}

/* The root's own rights on pages [page, page + n) of its identity map. */
static hv_status_t root_rights(struct ohv *hv, uint64_t page, uint32_t n,
			       uint32_t flags)
{
	return map(hv, T_ROOT, SELF, page, page, n, flags);
}

/* A child's deposit of its GPA pages [gpa, gpa + n) into target. */
static hv_status_t deposit(struct ohv *hv, uint64_t caller, uint64_t target,
			   uint64_t gpa, uint32_t n)
{
	while (n) {
		uint64_t buf[1 + 13];
		uint32_t k = n < 13 ? n : 13;
		uint64_t r;

		buf[0] = target;
		for (uint32_t i = 0; i < k; i++)
			buf[1 + i] = gpa + i;
		r = t_fast_vp(hv, caller, 0,
			      ohv_control(HVCALL_DEPOSIT_MEMORY, 0, k, 0), buf,
			      8 * (1 + k), NULL, 0);
		if (ohv_result_status(r))
			return ohv_result_status(r);
		gpa += k;
		n -= k;
	}
	return HV_STATUS_SUCCESS;
}

static hv_status_t as(struct ohv *hv, uint64_t caller, uint16_t code,
		      uint64_t id)
{
	return ohv_result_status(t_fast_vp(hv, caller, 0, code, &id, 8, NULL,
					   0));
}

/* A running child of parent (which pays from the pages it deposited). */
static uint64_t child_of(struct ohv *hv, uint64_t parent, uint64_t feed,
			 uint32_t nfeed)
{
	struct hv_input_create_partition in = { 0 };
	uint64_t id = 0;

	REQUIRE_ST(ohv_result_status(t_fast_vp(hv, parent, 0,
			HVCALL_CREATE_PARTITION, &in, sizeof(in), &id,
			sizeof(id))), HV_STATUS_SUCCESS);
	struct hv_input_set_partition_property sp = {
		.partition_id = id,
		.property_code = HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		.property_value = PRIV_NEST,
	};

	REQUIRE_ST(ohv_result_status(t_fast_vp(hv, parent, 0,
			HVCALL_SET_PARTITION_PROPERTY, &sp, sizeof(sp), NULL,
			0)), HV_STATUS_SUCCESS);
	REQUIRE_ST(deposit(hv, parent, id, feed, nfeed), HV_STATUS_SUCCESS);
	REQUIRE_ST(as(hv, parent, HVCALL_INITIALIZE_PARTITION, id),
		   HV_STATUS_SUCCESS);
	struct hv_input_create_vp cv = { .partition_id = id };

	REQUIRE_ST(t_create_vp_in(hv, parent, &cv), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_set_reg64(hv, parent, id, 0, HV_REGISTER_EXPLICIT_SUSPEND,
			       0), HV_STATUS_SUCCESS);
	return id;
}

static void world_build(struct world *w, bool deep)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.memory_pages = 8192;
	w->hv = t_open(&cfg);
	w->next = T_FIRST_FREE_PAGE;
	w->c = t_runnable_child(w->hv, &w->next, PRIV_NEST);
	REQUIRE_ST(map(w->hv, T_ROOT, w->c, 0, SRC, C_PAGES, FL_FULL),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(root_rights(w->hv, SRC + C_OWN, C_PAGES - C_OWN, 0),
		   HV_STATUS_SUCCESS);
	w->g = child_of(w->hv, w->c, C_OWN, G_FEED);
	w->gg = 0;
	if (!deep)
		return;
	/* C hands G its pages 104-139 (spec.md §6: it maps them, then unmaps
	 * them from its own space), and G feeds GG from them. */
	REQUIRE_ST(map(w->hv, w->c, w->g, G_HANDED, HAND, HAND_N, FL_FULL),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(unmap(w->hv, w->c, SELF, HAND, HAND_N), HV_STATUS_SUCCESS);
	w->gg = child_of(w->hv, w->g, G_HANDED, 30);
}

/* ---------------------------------------------------------------------- */
/* What a partition reaches.                                               */

static uint8_t *page_of(struct world *w, uint64_t p, uint64_t gpa)
{
	return ohv_gpa(w->hv, p, gpa << 12, HV_PAGE_SIZE);
}

/* A memory-based call by VP 0 of p with its input block at GPA page
 * gpa: INVALID_ALIGNMENT when p cannot read it (spec.md §3.2 step 5). */
static hv_status_t input_through(struct world *w, uint64_t p, uint64_t gpa)
{
	struct ohv_hvcall call = {
		.control = HVCALL_INITIALIZE_PARTITION,
		.fast = { gpa << 12, 0 },
	};

	return ohv_result_status(t_call(w->hv, p, 0, &call));
}

/* ... with its output block there: INVALID_ALIGNMENT unless writable. */
static hv_status_t output_through(struct world *w, uint64_t p, uint64_t gpa)
{
	struct ohv_hvcall call = {
		.control = HVCALL_GET_PARTITION_ID,
		.fast = { 0, gpa << 12 },
	};

	return ohv_result_status(t_call(w->hv, p, 0, &call));
}

/* p reaches GPA page gpa: readable (rw 1) or writable too (rw 2), or not
 * at all (rw 0), through ohv_gpa and hypercall blocks alike. */
static void reaches(struct world *w, uint64_t p, uint64_t gpa, int rw,
		    const char *what)
{
	const bool any = page_of(w, p, gpa) != NULL;
	const hv_status_t in = input_through(w, p, gpa);
	const hv_status_t out = output_through(w, p, gpa);

	CHECK_MSG(any == (rw > 0), "%s: ohv_gpa of %" PRIu64 " page %" PRIu64
		  " %s", what, p, gpa, any ? "reaches it" : "does not");
	CHECK_MSG((in != HV_STATUS_INVALID_ALIGNMENT) == (rw > 0),
		  "%s: input block of %" PRIu64 " page %" PRIu64 ": %s", what,
		  p, gpa, ohv_status_name(in));
	CHECK_MSG((out != HV_STATUS_INVALID_ALIGNMENT) == (rw > 1),
		  "%s: output block of %" PRIu64 " page %" PRIu64 ": %s", what,
		  p, gpa, ohv_status_name(out));
}

/*
 * C's page 8 (frame SRC + 8, which the root reaches too) mapped RW at G's
 * page 0.  Then how C loses it decides how G does; then the root gives
 * the frame to another child C2, whose memory G must not reach.
 */
enum loss { UNMAP, REMAP_READ, REMAP_OTHER, ROOT_READ, ROOT_NONE };

static void shared_then(enum loss how, const char *what)
{
	struct world w;

	world_build(&w, false);
	REQUIRE_ST(map(w.hv, w.c, w.g, 0, SHARED, 1, FL_RW), HV_STATUS_SUCCESS);
	reaches(&w, w.g, 0, 2, "before");
	REQUIRE(page_of(&w, w.g, 0) == page_of(&w, T_ROOT, SRC + SHARED));

	int c_after = 0, g_after = 0;

	switch (how) {
	case UNMAP:
		CHECK_ST(unmap(w.hv, T_ROOT, w.c, SHARED, 1), HV_STATUS_SUCCESS);
		break;
	case REMAP_READ:
		CHECK_ST(map(w.hv, T_ROOT, w.c, SHARED, SRC + SHARED, 1, FL_R),
			 HV_STATUS_SUCCESS);
		c_after = g_after = 1;
		break;
	case REMAP_OTHER:
		/* The same page of C now shows another frame: G had the old
		 * one through it, and loses it. */
		CHECK_ST(map(w.hv, T_ROOT, w.c, SHARED, w.next++, 1, FL_RW),
			 HV_STATUS_SUCCESS);
		c_after = 2;
		break;
	case ROOT_READ:
		/* The root keeps read only: everyone below keeps no more. */
		CHECK_ST(root_rights(w.hv, SRC + SHARED, 1, FL_R),
			 HV_STATUS_SUCCESS);
		c_after = g_after = 1;
		break;
	case ROOT_NONE:
		/* Flags 0: the root gives the frame to the children that map
		 * it, which keep what they have (spec.md §6). */
		CHECK_ST(root_rights(w.hv, SRC + SHARED, 1, 0),
			 HV_STATUS_SUCCESS);
		c_after = g_after = 2;
		break;
	}
	reaches(&w, w.c, SHARED, c_after, what);
	reaches(&w, w.g, 0, g_after, what);
	if (how == ROOT_NONE) {
		t_close(w.hv);
		return;
	}
	/* The root puts the frame into C2, which writes its secret there. */
	uint64_t c2 = t_active_child(w.hv, &w.next);

	t_fund(w.hv, c2, &w.next, 1);	/* its GPA table */

	if (how == ROOT_READ)
		REQUIRE_ST(root_rights(w.hv, SRC + SHARED, 1, FL_FULL),
			   HV_STATUS_SUCCESS);
	REQUIRE_ST(map(w.hv, T_ROOT, c2, 0, SRC + SHARED, 1, FL_RW),
		   HV_STATUS_SUCCESS);
	uint8_t *secret = page_of(&w, c2, 0);

	REQUIRE(secret);
	memset(secret, 0x5C, 64);
	/* G reaches C2's memory only as far as C still holds the frame:
	 * never with write. */
	uint8_t *gv = page_of(&w, w.g, 0);

	if (how == UNMAP || how == REMAP_OTHER)
		CHECK_MSG(gv == NULL, "%s: G reaches C2's memory", what);
	CHECK_MSG(output_through(&w, w.g, 0) == HV_STATUS_INVALID_ALIGNMENT,
		  "%s: G writes C2's memory", what);
	t_close(w.hv);
}

/* The breach: the root unmaps C's page, C loses the frame, G kept
 * it; the root gives it to C2 and G reads and writes C2's memory. */
TEST(revoke_parent_unmap_reaches_grandchild)
{
	shared_then(UNMAP, "unmap");
}

/* A remap with fewer rights takes them from G too. */
TEST(revoke_parent_remap_read_only)
{
	shared_then(REMAP_READ, "read-only remap");
}

/* A remap to another frame takes the old one from G. */
TEST(revoke_parent_remap_other_frame)
{
	shared_then(REMAP_OTHER, "remap to another frame");
}

/* The root giving up write on its identity map takes it from everyone. */
TEST(revoke_root_rights)
{
	shared_then(ROOT_READ, "root keeps read");
}

/* The root giving up everything hands the frame to its holders. */
TEST(revoke_root_gives_frame_away)
{
	shared_then(ROOT_NONE, "root gives it away");
}

/*
 * Depth 4: C's shared page at G's page 0 and at GG's page 0.  C unmapping
 * the page it lent G takes it from GG too; so does the root unmapping
 * C's page.
 */
TEST(revoke_child_unmap_reaches_depth_4)
{
	for (int who = 0; who < 2; who++) {
		struct world w;

		world_build(&w, true);
		REQUIRE_ST(map(w.hv, w.c, w.g, 0, SHARED, 1, FL_RW),
			   HV_STATUS_SUCCESS);
		REQUIRE_ST(map(w.hv, w.g, w.gg, 0, 0, 1, FL_RW),
			   HV_STATUS_SUCCESS);
		reaches(&w, w.gg, 0, 2, "before");
		if (who)
			CHECK_ST(unmap(w.hv, T_ROOT, w.c, SHARED, 1),
				 HV_STATUS_SUCCESS);
		else
			CHECK_ST(unmap(w.hv, w.c, w.g, 0, 1),
				 HV_STATUS_SUCCESS);
		reaches(&w, w.c, SHARED, who ? 0 : 2,
			who ? "root unmaps C's" : "C unmaps G's");
		reaches(&w, w.g, 0, 0, who ? "root unmaps C's" : "C unmaps G's");
		reaches(&w, w.gg, 0, 0, who ? "root unmaps C's" : "C unmaps G's");
		t_close(w.hv);
	}
}

/*
 * spec.md §6: a partition may unmap a page from its own GPA space after
 * mapping it into a child, making the frame the child's alone (here C's
 * pages 104-139, G's 100-135).  It keeps its say over them: C's parent
 * unmapping that page of C takes the frame from G too.
 */
TEST(revoke_handed_page_then_parent_unmaps)
{
	struct world w;

	world_build(&w, false);
	REQUIRE_ST(map(w.hv, w.c, w.g, G_HANDED, HAND, 2, FL_FULL),
		   HV_STATUS_SUCCESS);
	/* Shared: G cannot deposit it yet. */
	CHECK_ST(deposit(w.hv, w.g, SELF, G_HANDED, 1), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(unmap(w.hv, w.c, SELF, HAND, 2), HV_STATUS_SUCCESS);
	reaches(&w, w.c, HAND, 0, "handed");
	reaches(&w, w.g, G_HANDED, 2, "handed");
	/* Unmapping it again does nothing more. */
	CHECK_ST(unmap(w.hv, w.c, w.c, HAND, 2), HV_STATUS_SUCCESS);
	reaches(&w, w.g, G_HANDED + 1, 2, "handed twice");
	/* G's own: it may deposit it into a child of its own. */
	uint64_t gg = 0;
	struct hv_input_create_partition in = { 0 };

	REQUIRE_ST(ohv_result_status(t_fast_vp(w.hv, w.g, 0,
			HVCALL_CREATE_PARTITION, &in, sizeof(in), &gg,
			sizeof(gg))), HV_STATUS_SUCCESS);
	CHECK_ST(deposit(w.hv, w.g, gg, G_HANDED + 1, 1), HV_STATUS_SUCCESS);
	/* The root takes C's page 104 back: G loses its page 100. */
	CHECK_ST(unmap(w.hv, T_ROOT, w.c, HAND, 1), HV_STATUS_SUCCESS);
	reaches(&w, w.g, G_HANDED, 0, "parent unmapped the handed page");
	/* C's page 105 went into GG's pool through G: out of reach until
	 * G withdraws it (OBJECT_IN_USE, nothing done). */
	struct t_snap before;

	t_snap_take(w.hv, &before);
	uint64_t r = unmap(w.hv, T_ROOT, w.c, HAND, 2);

	CHECK_ST(r, HV_STATUS_OBJECT_IN_USE);
	CHECK_EQ(ohv_result_reps(r), 1);
	CHECK_ST(map(w.hv, T_ROOT, w.c, HAND + 1, w.next, 1, FL_RW),
		 HV_STATUS_OBJECT_IN_USE);
	t_snap_same(w.hv, &before, "lent below");
	/* G takes it back; then the root may. */
	uint64_t back[1];
	struct hv_input_withdraw_memory wi = { .partition_id = gg };

	CHECK_ST(t_fast_vp(w.hv, w.g, 0,
			   ohv_control(HVCALL_WITHDRAW_MEMORY, 0, 1, 0), &wi,
			   sizeof(wi), back, sizeof(back)), HV_STATUS_SUCCESS);
	CHECK_EQ(back[0], G_HANDED + 1);
	reaches(&w, w.g, G_HANDED + 1, 2, "withdrawn");
	CHECK_ST(unmap(w.hv, T_ROOT, w.c, HAND + 1, 1), HV_STATUS_SUCCESS);
	reaches(&w, w.g, G_HANDED + 1, 0, "parent unmapped after withdraw");
	t_close(w.hv);
}

/* A finalized grandchild leaves no given entry behind in its parent. */
TEST(revoke_given_entries_go_with_the_holder)
{
	struct world w;

	world_build(&w, false);
	REQUIRE_ST(map(w.hv, w.c, w.g, G_HANDED, HAND, 4, FL_FULL),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(unmap(w.hv, w.c, SELF, HAND, 4), HV_STATUS_SUCCESS);
	/* C takes one back from G: nothing holds that frame below C, so its
	 * given entry goes too (the frame is nobody's until the root takes
	 * its rights back). */
	CHECK_ST(unmap(w.hv, w.c, w.g, G_HANDED, 1), HV_STATUS_SUCCESS);
	reaches(&w, w.c, HAND, 0, "taken back");
	/* Finalizing G drops the rest, and C's given entries with them. */
	CHECK_ST(as(w.hv, w.c, HVCALL_FINALIZE_PARTITION, w.g),
		 HV_STATUS_SUCCESS);
	/* C's parent may now map C's pages 104-107 afresh. */
	REQUIRE_ST(root_rights(w.hv, SRC + HAND, 4, FL_FULL), HV_STATUS_SUCCESS);
	CHECK_ST(map(w.hv, T_ROOT, w.c, HAND, SRC + HAND, 4, FL_RW),
		 HV_STATUS_SUCCESS);
	reaches(&w, w.c, HAND + 3, 2, "remapped");
	t_close(w.hv);
}

/*
 * spec.md §2 work bounds: one frame holds at most RMAP_MAX GPA entries (a
 * revocation walks them all in one element); one more mapping is
 * NO_RESOURCES with reps = its index, and an unmap makes room again.
 */
TEST(revoke_frame_entry_limit)
{
	struct ohv_config cfg;

	t_config(&cfg);
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t x = t_active_child(hv, &next);
	uint64_t buf[3 + HV_MAP_GPA_BATCH_SIZE];
	const uint64_t frame = next++;

	t_fund(hv, x, &next, 8);
	buf[2] = FL_R;
	for (uint32_t i = 0; i < HV_MAP_GPA_BATCH_SIZE; i++)
		buf[3 + i] = frame;
	buf[0] = x;
	for (uint32_t done = 0; done < T_RMAP_MAX;) {
		uint32_t k = T_RMAP_MAX - done < HV_MAP_GPA_BATCH_SIZE ?
			     T_RMAP_MAX - done : HV_MAP_GPA_BATCH_SIZE;

		buf[1] = done;
		REQUIRE_ST(t_mem(hv, T_ROOT,
				 ohv_control(HVCALL_MAP_GPA_PAGES, 0, k, 0), buf,
				 24 + 8 * k, NULL, 0), HV_STATUS_SUCCESS);
		done += k;
	}
	buf[1] = T_RMAP_MAX;
	uint64_t r = t_mem(hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, 2, 0),
			   buf, 24 + 16, NULL, 0);

	CHECK_ST(r, HV_STATUS_NO_RESOURCES);
	CHECK_EQ(ohv_result_reps(r), 0);
	/* Mapping a page that already shows the frame adds no entry. */
	buf[1] = 0;
	CHECK_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, 1, 0),
		       buf, 32, NULL, 0), HV_STATUS_SUCCESS);
	/* A child of x could not get it either; after an unmap, one more
	 * mapping fits. */
	CHECK_ST(unmap(hv, T_ROOT, x, 5, 1), HV_STATUS_SUCCESS);
	buf[1] = T_RMAP_MAX;
	CHECK_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, 1, 0),
		       buf, 32, NULL, 0), HV_STATUS_SUCCESS);
	/* The root giving up read takes it from all 1,024 in one element. */
	CHECK_ST(root_rights(hv, frame, 1, HV_MAP_GPA_KERNEL_EXECUTABLE),
		 HV_STATUS_SUCCESS);
	CHECK(ohv_gpa(hv, x, 0, 1) == NULL);
	t_destroy_child(hv, x);
	t_close(hv);
}

/*
 * A large-page unmap (HV_UNMAP_GPA_LARGE_PAGE, 512 pages a rep) is one
 * element: when one of its pages may not go (C lent it to G's pool), none
 * does (SPEC 3.2: a failed element changes nothing).
 */
TEST(revoke_large_page_unmap_whole_or_nothing)
{
	struct world w;
	struct t_snap before;

	world_build(&w, false);
	struct hv_input_unmap_gpa_pages in = {
		.target_partition_id = w.c, .target_gpa_base = 0,
		.unmap_flags = HV_UNMAP_GPA_LARGE_PAGE,
	};

	t_snap_take(w.hv, &before);
	uint64_t r = t_mem(w.hv, T_ROOT,
			   ohv_control(HVCALL_UNMAP_GPA_PAGES, 0, 1, 0), &in,
			   sizeof(in), NULL, 0);

	CHECK_ST(r, HV_STATUS_OBJECT_IN_USE);
	CHECK_EQ(ohv_result_reps(r), 0);
	t_snap_same(w.hv, &before, "large page with a lent page");
	reaches(&w, w.c, 0, 2, "large page refused");
	reaches(&w, w.g, 0, 0, "G never had page 0");
	t_close(w.hv);
}
