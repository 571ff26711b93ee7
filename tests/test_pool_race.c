/* SPDX-License-Identifier: MIT */
/*
 * Pools under a concurrent withdraw (spec.md §2, 5): frames a withdraw is
 * zeroing are neither available nor in use, so nothing counts or charges
 * them, and a pool that cannot pay says INSUFFICIENT_MEMORY, never more.
 *
 * The race is made deterministic with ohv_debug_withdraw_hook: thread A's
 * withdraw stops after taking its frames off the pool (the instance lock
 * released), thread B charges, balances and withdraws the same pool, and
 * only then does A zero and return its frames.  The costs are raised so
 * that one page is left on the list, less than any object costs.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>

#include "t.h"

#define SELF		HV_PARTITION_ID_SELF
#define POOL_PAGES	10u	/* what the paused pool holds            */
#define LEFT		1u	/* what A's withdraw leaves on the list  */
#define PRIV_NEST	(OHV_CHILD_PRIVILEGES | \
			 HV_PARTITION_PRIV_CREATE_PARTITIONS | \
			 HV_PARTITION_PRIV_ACCESS_MEMORY_POOL)

enum charge_kind {
	CHARGE_PARTITION,	/* HvCreatePartition: the caller's pool     */
	CHARGE_INITIALIZE,	/* HvInitializePartition: the target's      */
	CHARGE_VP,		/* HvCreateVp                               */
	CHARGE_PORT,		/* HvCreatePort: the port partition's       */
	CHARGE_CONNECTION,	/* HvConnectPort: the connection partition's */
	CHARGE_GPA_TABLE,	/* HvMapGpaPages into a new 2 MiB region    */
	CHARGE_NESTED_VP,	/* a child creates a VP in its child        */
};

static const char *const kind_name[] = {
	"create partition", "initialize", "create VP", "create port",
	"connect port", "GPA table", "nested: child creates a VP in G",
};

/* What B does and sees while A is paused. */
struct pause {
	struct ohv *hv;
	enum charge_kind kind;
	uint64_t pool;		/* the pool A withdraws from (an id)      */
	uint64_t caller;	/* who issues B's calls (VP 1)           */
	uint64_t target;	/* the charge's target                   */
	uint64_t src_page;	/* CHARGE_GPA_TABLE: a root page          */
	sem_t go, done;
	unsigned fired;
	uint32_t detached;	/* frames A took off the pool            */
	/* B's results. */
	hv_status_t charge_st, balance_st, withdraw_st;
	uint64_t bal_avail, bal_in_use, info_avail, node_avail;
	uint32_t withdrawn;
	int check_rc;
	char why[200];
};

static uint64_t fast(struct ohv *hv, uint64_t caller, uint32_t vp,
		     uint64_t control, const void *in, size_t len, void *out,
		     size_t out_len)
{
	struct ohv_hvcall c = { .control = control | HV_HYPERCALL_FAST_BIT };
	size_t off = (len + 15) & ~(size_t)15;

	memcpy(c.fast, in, len);
	uint64_t r = ohv_hypercall(hv, caller, vp, &c);

	if (out_len)
		memcpy(out, (uint8_t *)c.fast + off, out_len);
	return r;
}

static hv_status_t do_charge(struct pause *p)
{
	struct ohv *hv = p->hv;
	uint64_t r = 0, out = 0;

	switch (p->kind) {
	case CHARGE_PARTITION: {
		struct hv_input_create_partition in = { 0 };

		r = fast(hv, p->caller, 1, HVCALL_CREATE_PARTITION, &in,
			 sizeof(in), &out, sizeof(out));
		break;
	}
	case CHARGE_INITIALIZE:
		r = fast(hv, p->caller, 1, HVCALL_INITIALIZE_PARTITION,
			 &p->target, 8, NULL, 0);
		break;
	case CHARGE_VP:
	case CHARGE_NESTED_VP: {
		struct hv_input_create_vp in = { .partition_id = p->target };

		r = fast(hv, p->caller, 1, HVCALL_CREATE_VP, &in, sizeof(in),
			 NULL, 0);
		break;
	}
	case CHARGE_PORT: {
		struct hv_input_create_port in = {
			.port_partition_id = p->target, .port_id = 7,
			.connection_partition_id = T_ROOT,
			.port_info = { .port_type = HV_PORT_TYPE_MESSAGE,
				       .message_port_info = {
					       .target_sint = 2,
					       .target_vp = HV_ANY_VP } },
		};

		r = fast(hv, p->caller, 1, HVCALL_CREATE_PORT, &in,
			 sizeof(in), NULL, 0);
		break;
	}
	case CHARGE_CONNECTION: {
		struct hv_input_connect_port in = {
			.connection_partition_id = p->target,
			.connection_id = 9, .port_partition_id = T_ROOT,
			.port_id = 5,
			.connection_info = { .port_type = HV_PORT_TYPE_MESSAGE },
		};

		r = fast(hv, p->caller, 1, HVCALL_CONNECT_PORT, &in,
			 sizeof(in), NULL, 0);
		break;
	}
	case CHARGE_GPA_TABLE: {
		uint64_t in[4] = { p->target, 8 * 512, HV_MAP_GPA_READABLE,
				   p->src_page };

		r = fast(hv, p->caller, 1,
			 ohv_control(HVCALL_MAP_GPA_PAGES, 1, 1, 0), in,
			 sizeof(in), NULL, 0);
		break;
	}
	}
	return ohv_result_status(r);
}

/* Thread B: everything the issue found going wrong, at that moment. */
static void *other(void *arg)
{
	struct pause *p = arg;
	struct ohv_partition_info info;
	uint64_t bal[2] = { 0, 0 }, in_use = 0;
	uint64_t id = p->pool == p->caller ? SELF : p->pool;

	sem_wait(&p->go);
	uint64_t q[2] = { id, 0 };

	p->balance_st = ohv_result_status(fast(p->hv, p->caller, 1,
		HVCALL_GET_MEMORY_BALANCE, q, sizeof(q), bal, sizeof(bal)));
	p->bal_avail = bal[0];
	p->bal_in_use = bal[1];
	p->info_avail = ohv_partition_info(p->hv, p->pool, &info) ? ~0ull :
			info.pool_available;
	if (ohv_pool_node_balance(p->hv, p->pool, 0, &p->node_avail, &in_use))
		p->node_avail = ~0ull;
	p->charge_st = do_charge(p);
	/* What is left on the list comes out at once; nothing waits. */
	uint64_t w[2] = { id, 0 }, pages[LEFT];
	uint64_t r = fast(p->hv, p->caller, 1,
			  ohv_control(HVCALL_WITHDRAW_MEMORY, 1, LEFT, 0), w,
			  sizeof(w), pages, sizeof(pages));

	p->withdraw_st = ohv_result_status(r);
	p->withdrawn = ohv_result_reps(r);
	p->check_rc = ohv_debug_check(p->hv, p->why, sizeof(p->why));
	sem_post(&p->done);
	return NULL;
}

static void pause_hook(void *ctx, uint64_t partition_id, uint32_t frames)
{
	struct pause *p = ctx;

	if (partition_id != p->pool || p->fired++)
		return;
	p->detached = frames;
	sem_post(&p->go);
	sem_wait(&p->done);
}

/* Pages [first, first + n) of the root given to child id at GPA page gpa
 * with full rights, the root giving up its own: id's alone. */
static void give(struct ohv *hv, uint64_t id, uint64_t first, uint32_t n,
		 uint64_t gpa)
{
	uint64_t buf[3 + 64];

	REQUIRE(n <= 64);
	buf[0] = id;
	buf[1] = gpa;
	buf[2] = HV_MAP_GPA_PERMISSIONS_MASK;
	for (uint32_t i = 0; i < n; i++)
		buf[3 + i] = first + i;
	REQUIRE_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, n, 0),
			 buf, 24 + 8 * n, NULL, 0), HV_STATUS_SUCCESS);
	buf[0] = SELF;
	buf[1] = first;
	buf[2] = 0;
	REQUIRE_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, n, 0),
			 buf, 24 + 8 * n, NULL, 0), HV_STATUS_SUCCESS);
}

/* A child's deposit of its GPA pages [gpa, gpa + n) into target (fast). */
static void child_deposit(struct ohv *hv, uint64_t child, uint64_t target,
			  uint64_t gpa, uint32_t n)
{
	while (n) {
		uint64_t buf[1 + 13];
		uint32_t k = n < 13 ? n : 13;

		buf[0] = target;
		for (uint32_t i = 0; i < k; i++)
			buf[1 + i] = gpa + i;
		REQUIRE_ST(t_fast_vp(hv, child, 0,
				     ohv_control(HVCALL_DEPOSIT_MEMORY, 0, k, 0),
				     buf, 8 * (1 + k), NULL, 0),
			   HV_STATUS_SUCCESS);
		gpa += k;
		n -= k;
	}
}

static void pause_case(enum charge_kind kind)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.root_vps = 2;
	/* Every object costs more than the page left on the list. */
	cfg.costs.partition = 2;
	cfg.costs.port = 2;
	cfg.costs.connection = 2;
	cfg.costs.gpa_table = 2;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	struct pause p;

	memset(&p, 0, sizeof(p));
	p.hv = hv;
	p.kind = kind;
	p.caller = T_ROOT;
	switch (kind) {
	case CHARGE_PARTITION:
		p.pool = T_ROOT;
		t_fund(hv, SELF, &next, POOL_PAGES);
		break;
	case CHARGE_INITIALIZE:
		p.pool = p.target = t_new_child(hv, &next);
		t_fund(hv, p.pool, &next, POOL_PAGES);
		break;
	case CHARGE_VP:
	case CHARGE_PORT:
	case CHARGE_CONNECTION:
	case CHARGE_GPA_TABLE:
		p.pool = p.target = t_active_child(hv, &next);
		if (kind == CHARGE_CONNECTION) {
			struct hv_input_create_port in = {
				.port_partition_id = T_ROOT, .port_id = 5,
				.connection_partition_id = p.target,
				.port_info = { .port_type = HV_PORT_TYPE_MESSAGE,
					       .message_port_info = {
						       .target_sint = 2 } },
			};

			t_fund(hv, SELF, &next, cfg.costs.port);
			REQUIRE_ST(t_mem(hv, T_ROOT, HVCALL_CREATE_PORT, &in,
					 sizeof(in), NULL, 0),
				   HV_STATUS_SUCCESS);
		}
		p.src_page = next++;
		t_fund(hv, p.pool, &next, POOL_PAGES);
		break;
	case CHARGE_NESTED_VP: {
		/* C (two running VPs) feeds G with pages the root gave it. */
		uint64_t c = t_runnable_child(hv, &next, PRIV_NEST);
		struct hv_input_create_vp cv = { .partition_id = c,
						 .vp_index = 1 };
		struct hv_input_create_partition in = { 0 };
		uint64_t g = 0;

		t_fund(hv, c, &next, cfg.costs.vp);
		REQUIRE_ST(t_create_vp_in(hv, T_ROOT, &cv), HV_STATUS_SUCCESS);
		REQUIRE_ST(t_set_reg64(hv, T_ROOT, c, 1,
				       HV_REGISTER_EXPLICIT_SUSPEND, 0),
			   HV_STATUS_SUCCESS);
		REQUIRE_ST(ohv_result_status(t_fast_vp(hv, c, 0,
				HVCALL_CREATE_PARTITION, &in, sizeof(in), &g,
				sizeof(g))), HV_STATUS_SUCCESS);
		give(hv, c, next, cfg.costs.initialize + POOL_PAGES, 0);
		next += cfg.costs.initialize + POOL_PAGES;
		child_deposit(hv, c, g, 0, cfg.costs.initialize + POOL_PAGES);
		REQUIRE_ST(ohv_result_status(t_fast_vp(hv, c, 0,
				HVCALL_INITIALIZE_PARTITION, &g, 8, NULL, 0)),
			   HV_STATUS_SUCCESS);
		p.pool = p.target = g;
		p.caller = c;
		break;
	}
	}
	REQUIRE(t_info(hv, p.pool).pool_available == POOL_PAGES);
	REQUIRE(sem_init(&p.go, 0, 0) == 0 && sem_init(&p.done, 0, 0) == 0);

	pthread_t b;

	REQUIRE(pthread_create(&b, NULL, other, &p) == 0);
	ohv_debug_withdraw_hook(hv, pause_hook, &p);

	/* Thread A: withdraw all but LEFT pages, as VP 0 of the parent. */
	struct hv_input_withdraw_memory win = {
		.partition_id = p.pool == p.caller ? SELF : p.pool,
	};
	uint64_t out[POOL_PAGES];
	uint64_t r = t_fast_vp(hv, p.caller, 0,
			       ohv_control(HVCALL_WITHDRAW_MEMORY, 0,
					   POOL_PAGES - LEFT, 0),
			       &win, sizeof(win), out,
			       8 * (POOL_PAGES - LEFT));

	ohv_debug_withdraw_hook(hv, NULL, NULL);
	if (!p.fired) {
		/* The hook never ran: let B go anyway, so it can be joined. */
		sem_post(&p.go);
	}
	pthread_join(b, NULL);
	sem_destroy(&p.go);
	sem_destroy(&p.done);

	const char *name = kind_name[kind];

	/* A's round, then B's own (which the hook lets through). */
	CHECK_MSG(p.fired == 2, "%s: hook ran %u times", name, p.fired);
	CHECK_MSG(p.detached == POOL_PAGES - LEFT, "%s: %u frames detached",
		  name, p.detached);
	/* A finished its round with every frame it took. */
	CHECK_ST(r, HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_result_reps(r), POOL_PAGES - LEFT);
	/* B saw only the page left on the list ... */
	const uint64_t in_use = kind == CHARGE_PARTITION ||
				kind == CHARGE_INITIALIZE ? 0 :
				cfg.costs.initialize;

	CHECK_MSG(p.balance_st == HV_STATUS_SUCCESS && p.bal_avail == LEFT &&
		  p.bal_in_use == in_use, "%s: balance %s %" PRIu64 "/%" PRIu64,
		  name, ohv_status_name(p.balance_st), p.bal_avail,
		  p.bal_in_use);
	CHECK_MSG(p.info_avail == LEFT && p.node_avail == LEFT,
		  "%s: info %" PRIu64 ", node %" PRIu64, name, p.info_avail,
		  p.node_avail);
	/* ... could not charge the frames A was zeroing ... */
	CHECK_MSG(p.charge_st == HV_STATUS_INSUFFICIENT_MEMORY,
		  "%s: charge got %s", name, ohv_status_name(p.charge_st));
	/* ... and withdrew that one page without waiting for A. */
	CHECK_MSG(p.withdraw_st == HV_STATUS_SUCCESS && p.withdrawn == LEFT,
		  "%s: B's withdraw %s, %u pages", name,
		  ohv_status_name(p.withdraw_st), p.withdrawn);
	CHECK_MSG(p.check_rc == 0, "%s: invariant at the pause: %s", name,
		  p.why);
	/* Everything is home: the pool is empty. */
	struct ohv_partition_info info = t_info(hv, p.pool);

	CHECK_EQ(info.pool_available, 0);
	CHECK_EQ(info.pool_in_use, in_use);
	t_close(hv);
}

TEST(pool_pause_create_partition)
{
	pause_case(CHARGE_PARTITION);
}

TEST(pool_pause_initialize)
{
	pause_case(CHARGE_INITIALIZE);
}

TEST(pool_pause_create_vp)
{
	pause_case(CHARGE_VP);
}

TEST(pool_pause_create_port)
{
	pause_case(CHARGE_PORT);
}

TEST(pool_pause_connect_port)
{
	pause_case(CHARGE_CONNECTION);
}

TEST(pool_pause_gpa_table)
{
	pause_case(CHARGE_GPA_TABLE);
}

TEST(pool_pause_nested_create_vp)
{
	pause_case(CHARGE_NESTED_VP);
}

/*
 * A pool whose last pages are being withdrawn cannot be deleted under the
 * withdraw (spec.md §4.5: the pool is not empty yet), and once the withdraw is
 * done it can.
 */
static void delete_hook(void *ctx, uint64_t partition_id, uint32_t frames)
{
	struct pause *p = ctx;
	uint64_t id = partition_id;

	(void)frames;
	if (p->fired++)
		return;
	p->charge_st = ohv_result_status(fast(p->hv, T_ROOT, 1,
					      HVCALL_DELETE_PARTITION, &id, 8,
					      NULL, 0));
	p->check_rc = ohv_debug_check(p->hv, p->why, sizeof(p->why));
}

TEST(pool_pause_delete_denied)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.root_vps = 2;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t x = t_new_child(hv, &next);
	struct pause p;

	t_fund(hv, x, &next, 4);
	memset(&p, 0, sizeof(p));
	p.hv = hv;
	ohv_debug_withdraw_hook(hv, delete_hook, &p);
	uint32_t done = 0;

	CHECK_ST(t_withdraw(hv, x, 4, NULL, &done), HV_STATUS_SUCCESS);
	ohv_debug_withdraw_hook(hv, NULL, NULL);
	CHECK_EQ(done, 4);
	CHECK_EQ(p.fired, 1);
	CHECK_ST(p.charge_st, HV_STATUS_OPERATION_DENIED);
	CHECK_MSG(p.check_rc == 0, "invariant at the pause: %s", p.why);
	CHECK_ST(t_delete(hv, x), HV_STATUS_SUCCESS);
	t_close(hv);
}

/*
 * A rep budget too large to add to the clock (spec.md §3.2 with
 * rep_budget_ns near 2^64) means no deadline, not a deadline in the past:
 * one withdraw returns every page asked for.
 */
TEST(pool_huge_budget_withdraw)
{
	static const uint64_t budgets[] = { UINT64_MAX, UINT64_MAX / 2 + 1,
					    UINT64_MAX - 1000 };

	for (size_t b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
		struct ohv_config cfg;

		t_config(&cfg);
		cfg.rep_budget_ns = budgets[b];
		struct ohv *hv = t_open(&cfg);
		uint64_t next = T_FIRST_FREE_PAGE;
		uint64_t x = t_new_child(hv, &next);
		struct hv_input_withdraw_memory in = { .partition_id = x };
		uint64_t out[256];

		t_fund(hv, x, &next, 256);
		uint64_t r = t_mem(hv, T_ROOT,
				   ohv_control(HVCALL_WITHDRAW_MEMORY, 0, 256, 0),
				   &in, sizeof(in), out, sizeof(out));

		CHECK_ST(r, HV_STATUS_SUCCESS);
		CHECK_MSG(ohv_result_reps(r) == 256,
			  "budget %" PRIu64 ": %u pages in one call", budgets[b],
			  ohv_result_reps(r));
		t_destroy_child(hv, x);
		t_close(hv);
	}
}

/* ---------------------------------------------------------------------- */
/* The Linux lifecycle on two threads, the root's own pool shared.        */

#define LOOP_RUNS	100
#define LOOP_ITERS	200

struct looper {
	struct ohv *hv;
	uint32_t vp;
	pthread_barrier_t *go;
	unsigned errors;
	char first[160];
};

static void loop_fail(struct looper *l, const char *what, hv_status_t st)
{
	if (l->errors++)
		return;
	snprintf(l->first, sizeof(l->first), "vp %u: %s: %s", l->vp, what,
		 ohv_status_name(st));
}

/*
 * What the reproducer ran: create (1-page deposits into the
 * root's pool on INSUFFICIENT_MEMORY), 208 pages into the child,
 * initialize, finalize, withdraw all, delete, then withdraw the root's own
 * pool, while the other thread does the same.
 */
static void *looper_run(void *arg)
{
	struct looper *l = arg;
	struct ohv_client *c = NULL;

	if (ohv_client_open(l->hv, l->vp, &c)) {
		loop_fail(l, "ohv_client_open", HV_STATUS_NO_RESOURCES);
		pthread_barrier_wait(l->go);
		return NULL;
	}
	pthread_barrier_wait(l->go);
	for (unsigned i = 0; i < LOOP_ITERS && !l->errors; i++) {
		uint64_t id = 0;
		hv_status_t st = ohv_client_create_partition(c, NULL, &id);

		if (st) {
			loop_fail(l, "create", st);
			break;
		}
		st = ohv_client_initialize_partition(c, id);
		if (st)
			loop_fail(l, "initialize", st);
		st = ohv_client_destroy_partition(c, id);
		if (st)
			loop_fail(l, "destroy", st);
		st = ohv_client_withdraw(c, SELF, UINT64_MAX, NULL);
		if (st)
			loop_fail(l, "withdraw own pool", st);
	}
	ohv_client_close(c);
	return NULL;
}

TEST(threads_pool_lifecycle_loop)
{
	for (unsigned run = 0; run < LOOP_RUNS; run++) {
		struct ohv_config cfg;
		struct looper l[2];
		pthread_barrier_t go;
		pthread_t th[2];

		t_config(&cfg);
		cfg.memory_pages = 2048;
		cfg.root_vps = 2;
		cfg.rep_budget_ns = 50000;
		struct ohv *hv = t_open(&cfg);
		const uint64_t start = ohv_root_free_pages(hv);

		pthread_barrier_init(&go, NULL, 2);
		for (unsigned i = 0; i < 2; i++) {
			l[i] = (struct looper){ .hv = hv, .vp = i, .go = &go };
			REQUIRE(pthread_create(&th[i], NULL, looper_run,
					       &l[i]) == 0);
		}
		for (unsigned i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&go);
		for (unsigned i = 0; i < 2; i++)
			CHECK_MSG(l[i].errors == 0, "run %u: %u errors, first: %s",
				  run, l[i].errors, l[i].first);
		/* Both threads are done: the last withdraw empties it. */
		struct ohv_client *c = NULL;

		REQUIRE(ohv_client_open(hv, 0, &c) == 0);
		CHECK_ST(ohv_client_withdraw(c, SELF, UINT64_MAX, NULL),
			 HV_STATUS_SUCCESS);
		ohv_client_close(c);
		struct ohv_partition_info ri = t_info(hv, T_ROOT);

		CHECK_EQ(ri.pool_available + ri.pool_in_use, 0);
		CHECK_EQ(ri.children, 0);
		CHECK_EQ(ohv_root_free_pages(hv), start);
		t_close(hv);
		if (l[0].errors || l[1].errors)
			break;
	}
}
