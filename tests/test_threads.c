/* SPDX-License-Identifier: MIT */
/*
 * Many root clients on one instance at once (spec.md §2: the API is
 * thread-safe).  Work is bounded by iteration counts, never by time, so
 * the tests mean the same under valgrind.  Threads never call CHECK: they
 * record what went wrong and the main thread reports it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>

#include "t.h"

#define SELF	HV_PARTITION_ID_SELF

struct worker {
	struct ohv *hv;
	uint32_t vp;
	pthread_barrier_t *go;
	uint64_t target;		/* the shared child (race test) */
	bool destroyer;
	unsigned iters;
	uint64_t *ids;			/* partitions this worker created */
	unsigned nids;
	unsigned calls;			/* wrapper calls made */
	unsigned errors;
	char first_error[200];
};

__attribute__((format(printf, 2, 3)))
static void worker_fail(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	if (w->errors++)
		return;
	va_start(ap, fmt);
	vsnprintf(w->first_error, sizeof(w->first_error), fmt, ap);
	va_end(ap);
}

/* st is one of the statuses in the zero-terminated-by-count list. */
static void expect(struct worker *w, const char *what, hv_status_t st,
		   int n, ...)
{
	va_list ap;
	bool ok = false;

	w->calls++;
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		if (st == (hv_status_t)va_arg(ap, int))
			ok = true;
	va_end(ap);
	if (!ok)
		worker_fail(w, "vp %u: %s: %s", w->vp, what,
			    ohv_status_name(st));
}

static const struct hv_proximity_domain_info no_node = { 0, 0 };

static void report(struct worker *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		CHECK_MSG(w[i].errors == 0, "worker %u: %u errors, first: %s",
			  i, w[i].errors, w[i].first_error);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Give the root's own pool back and check that every page is home. */
static void all_pages_home(struct ohv *hv, uint64_t start)
{
	struct ohv_client *c = NULL;
	struct ohv_partition_info info;

	/* Every create charge came back: the root's pool holds only
	 * available pages, the ones Linux-style creates put there. */
	REQUIRE(ohv_partition_info(hv, T_ROOT, &info) == 0);
	CHECK_EQ(info.pool_in_use, 0);
	CHECK(info.pool_available > 0);
	REQUIRE(ohv_client_open(hv, 0, &c) == 0);
	CHECK_ST(ohv_client_withdraw(c, SELF, UINT64_MAX, NULL),
		 HV_STATUS_SUCCESS);
	ohv_client_close(c);
	CHECK_EQ(ohv_root_free_pages(hv), start);
	REQUIRE(ohv_partition_info(hv, T_ROOT, &info) == 0);
	CHECK_EQ(info.pool_available + info.pool_in_use, 0);
	CHECK_EQ(info.children, 0);
	CHECK_EQ(ohv_partition_list(hv, NULL, 0), 1);
	CHECK_INVARIANTS(hv);
}

/* ---------------------------------------------------------------------- */
/* Every thread runs its own Linux lifecycles, with queries in between.    */

#define LC_THREADS	6
#define LC_ITERS	40

static void *lifecycle_worker(void *arg)
{
	struct worker *w = arg;
	struct ohv_client *c = NULL;
	uint64_t children[64];

	if (ohv_client_open(w->hv, w->vp, &c)) {
		worker_fail(w, "vp %u: ohv_client_open", w->vp);
		pthread_barrier_wait(w->go);
		return NULL;
	}
	pthread_barrier_wait(w->go);
	for (unsigned i = 0; i < w->iters; i++) {
		uint64_t id = 0, avail = 1, in_use = 1;
		size_t n = 0;
		hv_status_t st = ohv_client_create_partition(c, NULL, &id);

		expect(w, "create", st, 1, HV_STATUS_SUCCESS);
		if (st)
			break;
		w->ids[w->nids++] = id;
		/* Only this thread touches its child: exact balances. */
		expect(w, "balance", ohv_call_get_memory_balance(c, id, no_node,
				&avail, &in_use), 1, HV_STATUS_SUCCESS);
		if (avail || in_use)
			worker_fail(w, "new child %" PRIu64 ": %" PRIu64 "/%"
				    PRIu64, id, avail, in_use);
		expect(w, "initialize", ohv_client_initialize_partition(c, id),
		       1, HV_STATUS_SUCCESS);
		expect(w, "balance", ohv_call_get_memory_balance(c, id, no_node,
				&avail, &in_use), 1, HV_STATUS_SUCCESS);
		if (avail != OHV_LINUX_INIT_DEPOSIT_PAGES - 16 || in_use != 16)
			worker_fail(w, "active child %" PRIu64 ": %" PRIu64 "/%"
				    PRIu64, id, avail, in_use);
		/* Others delete their children meanwhile: the walk may lose
		 * its place (TLFS: INVALID_PARTITION_ID), but when it
		 * completes it has seen this thread's live child. */
		st = ohv_client_children(c, SELF, children, 64, &n);
		expect(w, "children", st, 2, HV_STATUS_SUCCESS,
		       HV_STATUS_INVALID_PARTITION_ID);
		if (st == HV_STATUS_SUCCESS) {
			bool seen = false;

			for (size_t k = 0; k < n && k < 64; k++)
				seen |= children[k] == id;
			if (!seen)
				worker_fail(w, "child %" PRIu64 " not listed",
					    id);
		}
		expect(w, "root balance", ohv_call_get_memory_balance(c, SELF,
				no_node, &avail, &in_use), 1, HV_STATUS_SUCCESS);
		expect(w, "destroy", ohv_client_destroy_partition(c, id), 1,
		       HV_STATUS_SUCCESS);
		expect(w, "balance gone", ohv_call_get_memory_balance(c, id,
				no_node, &avail, &in_use), 1,
		       HV_STATUS_INVALID_PARTITION_ID);
	}
	ohv_client_close(c);
	return NULL;
}

TEST(threads_lifecycles)
{
	struct ohv_config cfg;
	struct worker w[LC_THREADS];
	pthread_barrier_t go;
	static uint64_t ids[LC_THREADS][LC_ITERS];
	uint64_t all[LC_THREADS * LC_ITERS];
	unsigned nall = 0;

	t_config(&cfg);
	cfg.memory_pages = 8192;
	cfg.root_vps = LC_THREADS;
	struct ohv *hv = t_open(&cfg);
	const uint64_t start = ohv_root_free_pages(hv);

	pthread_barrier_init(&go, NULL, LC_THREADS);
	memset(w, 0, sizeof(w));
	for (unsigned i = 0; i < LC_THREADS; i++) {
		w[i].hv = hv;
		w[i].vp = i;
		w[i].go = &go;
		w[i].iters = LC_ITERS;
		w[i].ids = ids[i];
	}
	pthread_t th[LC_THREADS];

	for (unsigned i = 0; i < LC_THREADS; i++)
		REQUIRE(pthread_create(&th[i], NULL, lifecycle_worker, &w[i]) == 0);
	for (unsigned i = 0; i < LC_THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	report(w, LC_THREADS);

	for (unsigned i = 0; i < LC_THREADS; i++) {
		CHECK_EQ(w[i].nids, LC_ITERS);
		for (unsigned k = 0; k < w[i].nids; k++)
			all[nall++] = w[i].ids[k];
	}
	/* Ids are never reused (spec.md §4): all distinct, none the root. */
	qsort(all, nall, sizeof(all[0]), cmp_u64);
	for (unsigned i = 0; i < nall; i++) {
		CHECK(all[i] > T_ROOT);
		if (i)
			CHECK_MSG(all[i] != all[i - 1], "id %" PRIu64 " twice",
				  all[i]);
	}
	CHECK_EQ(nall, LC_THREADS * LC_ITERS);
	all_pages_home(hv, start);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Threads race on one child: one destroys it while the others query,      */
/* deposit, withdraw and try to initialize it.                             */

#define RACE_THREADS	5
#define RACE_ROUNDS	20
#define RACE_ITERS	30

static void race_ops(struct worker *w, struct ohv_client *c, unsigned i)
{
	const uint64_t x = w->target;
	uint64_t v = 0, avail, in_use, got = 0;
	size_t n;

	switch ((i + w->vp) % 7) {
	case 0:
		expect(w, "balance", ohv_call_get_memory_balance(c, x, no_node,
				&avail, &in_use), 2, HV_STATUS_SUCCESS,
		       HV_STATUS_INVALID_PARTITION_ID);
		break;
	case 1:
		/* Finalized partitions have no non-early properties. */
		expect(w, "property", ohv_call_get_partition_property(c, x,
				HV_PARTITION_PROPERTY_CPU_WEIGHT, &v), 3,
		       HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARTITION_STATE,
		       HV_STATUS_INVALID_PARTITION_ID);
		break;
	case 2:
		expect(w, "deposit", ohv_client_deposit(c, x, 3, OHV_ANY_NODE),
		       3, HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARTITION_STATE,
		       HV_STATUS_INVALID_PARTITION_ID);
		break;
	case 3:
		expect(w, "withdraw", ohv_client_withdraw(c, x, 2, &got), 2,
		       HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARTITION_ID);
		break;
	case 4:
		expect(w, "children", ohv_client_children(c, SELF, NULL, 0, &n),
		       2, HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARTITION_ID);
		break;
	case 5:
		expect(w, "next child", ohv_call_get_next_child_partition(c,
				SELF, x, &v), 2, HV_STATUS_SUCCESS,
		       HV_STATUS_INVALID_PARTITION_ID);
		break;
	case 6:
		/* Never Uninitialized again: deposits 208, is refused,
		 * takes them back (or finds the child gone). */
		if (i < 7)
			expect(w, "initialize",
			       ohv_client_initialize_partition(c, x), 2,
			       HV_STATUS_INVALID_PARTITION_STATE,
			       HV_STATUS_INVALID_PARTITION_ID);
		break;
	}
}

/* The calls a race worker makes when nothing stops it early. */
static unsigned race_calls(const struct worker *w)
{
	unsigned n = w->destroyer;

	for (unsigned i = 0; i < w->iters; i++)
		if ((i + w->vp) % 7 != 6 || i < 7)
			n++;
	return n;
}

static void *race_worker(void *arg)
{
	struct worker *w = arg;
	struct ohv_client *c = NULL;

	if (ohv_client_open(w->hv, w->vp, &c)) {
		worker_fail(w, "vp %u: ohv_client_open", w->vp);
		pthread_barrier_wait(w->go);
		return NULL;
	}
	pthread_barrier_wait(w->go);
	for (unsigned i = 0; i < w->iters; i++) {
		if (w->destroyer && i == 3)
			/* Finalize stops deposits, so the pool it empties
			 * stays empty and the delete goes through. */
			expect(w, "destroy",
			       ohv_client_destroy_partition(c, w->target), 1,
			       HV_STATUS_SUCCESS);
		race_ops(w, c, i);
		/* The invariants hold at every moment, not just after. */
		if (i % 10 == 9) {
			char why[160];

			if (ohv_debug_check(w->hv, why, sizeof(why)))
				worker_fail(w, "vp %u: invariant: %s", w->vp,
					    why);
		}
	}
	ohv_client_close(c);
	return NULL;
}

TEST(threads_race_one_child)
{
	struct ohv_config cfg;
	struct worker w[RACE_THREADS];
	pthread_barrier_t go;
	uint64_t last = T_ROOT;

	t_config(&cfg);
	cfg.memory_pages = 8192;
	cfg.root_vps = RACE_THREADS + 1;
	struct ohv *hv = t_open(&cfg);
	const uint64_t start = ohv_root_free_pages(hv);

	for (unsigned round = 0; round < RACE_ROUNDS; round++) {
		struct ohv_client *c = NULL;
		struct ohv_partition_info info;
		uint64_t x = 0;

		REQUIRE(ohv_client_open(hv, RACE_THREADS, &c) == 0);
		REQUIRE_ST(ohv_client_create_partition(c, NULL, &x),
			   HV_STATUS_SUCCESS);
		REQUIRE_ST(ohv_client_initialize_partition(c, x),
			   HV_STATUS_SUCCESS);
		CHECK(x > last);
		last = x;

		pthread_barrier_init(&go, NULL, RACE_THREADS);
		memset(w, 0, sizeof(w));
		pthread_t th[RACE_THREADS];

		for (unsigned i = 0; i < RACE_THREADS; i++) {
			w[i].hv = hv;
			w[i].vp = i;
			w[i].go = &go;
			w[i].target = x;
			/* A different thread destroys it each round. */
			w[i].destroyer = i == round % RACE_THREADS;
			w[i].iters = RACE_ITERS;
			REQUIRE(pthread_create(&th[i], NULL, race_worker,
					       &w[i]) == 0);
		}
		for (unsigned i = 0; i < RACE_THREADS; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&go);
		report(w, RACE_THREADS);
		for (unsigned i = 0; i < RACE_THREADS; i++)
			CHECK_EQ(w[i].calls, race_calls(&w[i]));
		CHECK(ohv_partition_info(hv, x, &info) == -ENOENT);
		ohv_client_close(c);
		CHECK_INVARIANTS(hv);
	}
	all_pages_home(hv, start);
	t_close(hv);
}
