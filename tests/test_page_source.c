/*
 * A client's page source (ohv_client_set_page_source): deposits take their
 * pages from it, withdrawals give them back, a dry source is NO_RESOURCES
 * with nothing lost, and a child partition funds its own child from pages
 * that are its alone, as the Linux driver of a nested root would.
 */
#include <errno.h>

#include "t.h"

static const struct hv_proximity_domain_info no_node = { 0, 0 };

/* A stack of GPA page numbers, with counts of what went through it. */
struct stack {
	uint64_t pages[512];
	size_t n;
	size_t limit;		/* alloc hands out at most this many in all */
	size_t allocs, frees;	/* pages handed out, taken back */
	uint32_t last_node;
};

static size_t stack_alloc(void *ctx, uint32_t node, uint64_t *pages,
			  size_t count)
{
	struct stack *s = ctx;
	size_t k = 0;

	s->last_node = node;
	while (k < count && s->n && s->allocs < s->limit) {
		pages[k++] = s->pages[--s->n];
		s->allocs++;
	}
	return k;
}

static void stack_free(void *ctx, const uint64_t *pages, size_t count)
{
	struct stack *s = ctx;

	for (size_t i = 0; i < count; i++) {
		REQUIRE(s->n < sizeof(s->pages) / sizeof(s->pages[0]));
		s->pages[s->n++] = pages[i];
		s->frees++;
	}
}

static uint64_t available(struct ohv *hv, uint64_t id)
{
	return t_info(hv, id).pool_available;
}

static uint64_t calls_of(const struct ohv_client *c)
{
	struct ohv_client_stats st;

	ohv_client_stats(c, &st);
	return st.hypercalls;
}

TEST(page_source_arguments)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_client *c = NULL;
	struct stack s = { .n = 0 };

	REQUIRE(ohv_client_open(hv, 0, &c) == 0);
	CHECK_EQ(ohv_client_set_page_source(NULL, stack_alloc, stack_free, &s),
		 -EINVAL);
	CHECK_EQ(ohv_client_set_page_source(c, stack_alloc, NULL, &s), -EINVAL);
	CHECK_EQ(ohv_client_set_page_source(c, NULL, stack_free, &s), -EINVAL);
	CHECK_EQ(ohv_client_set_page_source(c, NULL, NULL, NULL), 0);
	ohv_client_close(c);
	t_close(hv);
}

/* A root client with a source of root pages: deposits and withdrawals go
 * through it; a dry source answers NO_RESOURCES before any hypercall and
 * keeps every page; NULL, NULL brings the root allocator back. */
TEST(page_source_root_client)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_client *c = NULL;
	static struct stack s;
	uint64_t id, got = 0;

	REQUIRE(ohv_client_open(hv, 0, &c) == 0);
	REQUIRE_ST(ohv_client_create_partition(c, NULL, &id), HV_STATUS_SUCCESS);
	memset(&s, 0, sizeof(s));
	s.n = ohv_root_alloc_many(hv, OHV_ANY_NODE, s.pages, 300);
	REQUIRE(s.n == 300);
	s.limit = SIZE_MAX;
	const uint64_t root_free = ohv_root_free_pages(hv);

	REQUIRE(ohv_client_set_page_source(c, stack_alloc, stack_free, &s) == 0);
	CHECK_ST(ohv_client_deposit(c, id, 20, 0), HV_STATUS_SUCCESS);
	CHECK_EQ(s.allocs, 20);
	CHECK_EQ(s.last_node, 0);
	CHECK_EQ(s.n, 280);
	CHECK_EQ(available(hv, id), 20);
	/* The root allocator was not touched. */
	CHECK_EQ(ohv_root_free_pages(hv), root_free);

	/* Initialize deposits its 208 from the source too. */
	CHECK_ST(ohv_client_initialize_partition(c, id), HV_STATUS_SUCCESS);
	CHECK_EQ(s.allocs, 228);
	CHECK_EQ(ohv_root_free_pages(hv), root_free);

	/* Dry: 10 more pages allowed, 30 asked; nothing is deposited. */
	s.limit = s.allocs + 10;
	const uint64_t before = calls_of(c), avail = available(hv, id);

	CHECK_ST(ohv_client_deposit(c, id, 30, OHV_ANY_NODE),
		 HV_STATUS_NO_RESOURCES);
	CHECK_EQ(calls_of(c), before);
	CHECK_EQ(available(hv, id), avail);
	CHECK_EQ(s.frees, 10);
	CHECK_EQ(s.n, 72);
	s.limit = SIZE_MAX;

	/* Withdraw: every page back to the source. */
	CHECK_ST(ohv_call_finalize_partition(c, id), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_client_withdraw(c, id, UINT64_MAX, &got), HV_STATUS_SUCCESS);
	CHECK_EQ(got, 228);
	CHECK_EQ(s.n, 300);
	CHECK_ST(ohv_call_delete_partition(c, id), HV_STATUS_SUCCESS);

	/* Back to the root allocator. */
	REQUIRE(ohv_client_set_page_source(c, NULL, NULL, NULL) == 0);
	REQUIRE_ST(ohv_client_create_partition(c, NULL, &id), HV_STATUS_SUCCESS);
	const uint64_t n0 = s.allocs;

	CHECK_ST(ohv_client_deposit(c, id, 5, OHV_ANY_NODE), HV_STATUS_SUCCESS);
	CHECK_EQ(s.allocs, n0);
	CHECK_EQ(ohv_root_free_pages(hv), root_free - 5);
	CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	ohv_root_free_many(hv, s.pages, s.n);
	ohv_client_close(c);
	t_close(hv);
}

/* Root pages given to child c at GPA page base.. with full access (the
 * root keeps none when exclusive, so c can deposit them: spec.md §5.1). */
static void give(struct ohv_client *root, uint64_t c, uint64_t base,
		 uint64_t *pages, size_t n, bool exclusive)
{
	uint64_t done = 0;

	REQUIRE_ST(ohv_client_map_gpa_pages(root, c, base,
					    HV_MAP_GPA_PERMISSIONS_MASK, pages,
					    n, &done), HV_STATUS_SUCCESS);
	for (size_t i = 0; exclusive && i < n; i++)
		REQUIRE_ST(ohv_call_map_gpa_pages(root, HV_PARTITION_ID_SELF,
						  pages[i], 0, &pages[i], 1,
						  NULL), HV_STATUS_SUCCESS);
}

/* A child with pages of its own funds a grandchild through its client. */
TEST(page_source_child_funds_its_child)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_client *root = NULL, *cc = NULL;
	static struct stack s;
	uint64_t c, g, io[2], own[240];
	const uint64_t start = ohv_root_free_pages(hv);

	REQUIRE(ohv_client_open(hv, 0, &root) == 0);
	REQUIRE_ST(ohv_client_create_partition(root, NULL, &c), HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_call_set_partition_property(
			   root, c, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
			   OHV_CHILD_PRIVILEGES |
			   HV_PARTITION_PRIV_CREATE_PARTITIONS |
			   HV_PARTITION_PRIV_ACCESS_MEMORY_POOL),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_client_initialize_partition(root, c), HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_client_create_vp(root, c, 0, no_node), HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_call_set_vp_register(root, c, 0,
					    HV_REGISTER_EXPLICIT_SUSPEND, 0),
		   HV_STATUS_SUCCESS);
	REQUIRE(ohv_root_alloc_many(hv, OHV_ANY_NODE, io, 2) == 2);
	REQUIRE(ohv_root_alloc_many(hv, OHV_ANY_NODE, own, 240) == 240);
	give(root, c, 0, io, 2, false);
	give(root, c, 0x100, own, 240, true);

	/* c's client: its pages 0 and 1 for blocks, 0x100.. as its source. */
	REQUIRE(ohv_client_open_vp(hv, c, 0, 0, HV_PAGE_SIZE, &cc) == 0);
	memset(&s, 0, sizeof(s));
	for (size_t i = 0; i < 240; i++)
		s.pages[s.n++] = 0x100 + i;
	s.limit = SIZE_MAX;
	REQUIRE_ST(ohv_client_create_partition(cc, NULL, &g), HV_STATUS_SUCCESS);
	CHECK_EQ(t_info(hv, g).parent_id, c);
	/* No source yet: nothing to deposit. */
	CHECK_ST(ohv_client_initialize_partition(cc, g),
		 HV_STATUS_INVALID_PARAMETER);
	REQUIRE(ohv_client_set_page_source(cc, stack_alloc, stack_free, &s) == 0);
	CHECK_ST(ohv_client_initialize_partition(cc, g), HV_STATUS_SUCCESS);
	CHECK_EQ(s.n, 240 - OHV_LINUX_INIT_DEPOSIT_PAGES);
	CHECK_EQ(t_info(hv, g).state, OHV_STATE_ACTIVE);
	CHECK_EQ(t_info(hv, g).pool_in_use, 16);
	/* A page the root can still reach is refused, and comes back. */
	s.pages[s.n++] = 0;
	CHECK_ST(ohv_client_deposit(cc, g, 1, OHV_ANY_NODE),
		 HV_STATUS_OPERATION_DENIED);
	CHECK_EQ(s.pages[s.n - 1], 0);
	s.n--;
	CHECK(CHECK_INVARIANTS(hv));
	/* Destroy: the pages come back to c's source. */
	CHECK_ST(ohv_client_destroy_partition(cc, g), HV_STATUS_SUCCESS);
	CHECK_EQ(s.n, 240);
	ohv_client_close(cc);

	/* The root takes c down and its own pages back. */
	CHECK_ST(ohv_client_destroy_partition(root, c), HV_STATUS_SUCCESS);
	for (size_t i = 0; i < 240; i++)
		REQUIRE_ST(ohv_call_map_gpa_pages(root, HV_PARTITION_ID_SELF,
						  own[i], HV_MAP_GPA_PERMISSIONS_MASK,
						  &own[i], 1, NULL),
			   HV_STATUS_SUCCESS);
	ohv_root_free_many(hv, own, 240);
	ohv_root_free_many(hv, io, 2);
	/* The root's own pool paid for the creates: back too. */
	CHECK_ST(ohv_client_withdraw(root, HV_PARTITION_ID_SELF, UINT64_MAX,
				     NULL), HV_STATUS_SUCCESS);
	ohv_client_close(root);
	CHECK_EQ(ohv_root_free_pages(hv), start);
	t_close(hv);
}
