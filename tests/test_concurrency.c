/*
 * Threads driving different partitions and VPs at once: lifecycles, maps
 * and unmaps, posts, EOMs and signals, while the receiving partition is
 * finalized under the senders' feet.  Every call must return one of the
 * statuses its situation allows, and afterwards every invariant holds and
 * every frame comes home.  make check-tsan runs this under ThreadSanitizer.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "t.h"

#define PRIV	(OHV_CHILD_PRIVILEGES | HV_PARTITION_PRIV_POST_MESSAGES | \
		 HV_PARTITION_PRIV_SIGNAL_EVENTS | \
		 HV_PARTITION_PRIV_ACCESS_VP_REGISTERS)
#define ROUNDS	6
#define ITERS	400
#define QUORUM	50	/* posts seen each side of the finalize */

struct world {
	struct ohv *hv;
	uint64_t rx, tx;	/* receiver (ports), sender (connections) */
	atomic_int stop;		/* set by the mapper when done */
	atomic_uint bad;
	atomic_uint before, after;	/* posts delivered / refused as gone */
	uint64_t deadline_ns;		/* every loop gives up by then */
	char why[160];
	pthread_barrier_t go;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Whether a loop goes on: not stopped and not past the deadline. */
static bool going(struct world *w)
{
	return !atomic_load(&w->stop) && now_ns() < w->deadline_ns;
}

/*
 * Every few iterations, let the other threads run: under a scheduler that
 * runs one thread at a time (valgrind), a loop could otherwise spin
 * through its time before the others reach the quorum.
 */
static void pace(uint32_t i)
{
	if (i % 16 == 15)
		sched_yield();
}

static void bad(struct world *w, const char *what, uint64_t res)
{
	if (atomic_fetch_add(&w->bad, 1) == 0)
		snprintf(w->why, sizeof(w->why), "%s: %s", what,
			 ohv_status_name(ohv_result_status(res)));
}

static bool one_of(uint64_t res, int n, const hv_status_t *ok)
{
	for (int i = 0; i < n; i++)
		if (ohv_result_status(res) == ok[i])
			return true;
	return false;
}

/* A call issued fast as VP vp of caller, without the harness's checks
 * (those are not thread-safe: they record into the running test). */
static uint64_t fast(struct ohv *hv, uint64_t caller, uint32_t vp,
		     uint64_t control, const void *in, size_t len)
{
	struct ohv_hvcall c = { .control = control | HV_HYPERCALL_FAST_BIT };

	memcpy(c.fast, in, len);
	return ohv_hypercall(hv, caller, vp, &c);
}

/* Mapped pages of the sender (GPA 0-1) carry its memory-based posts. */
static uint64_t post(struct ohv *hv, uint64_t tx, uint32_t n)
{
	struct hv_input_post_message *m = ohv_gpa(hv, tx, 0, 256);
	struct ohv_hvcall c = { .control = HVCALL_POST_MESSAGE };

	if (!m)
		return HV_STATUS_INVALID_ALIGNMENT;
	memset(m, 0, 256);
	m->connection_id = 1;
	m->message_type = 1;
	m->payload_size = 4;
	memcpy(m->payload, &n, 4);
	c.fast[0] = 0;
	c.fast[1] = 0x1000;
	return ohv_hypercall(hv, tx, 0, &c);
}

static void *sender(void *arg)
{
	struct world *w = arg;
	/* Before finalize: delivered, or all 16 buffers busy.  After: the
	 * port's partition is not Active (SPEC 8: INVALID_PORT_ID). */
	static const hv_status_t ok[] = {
		HV_STATUS_SUCCESS, HV_STATUS_INSUFFICIENT_BUFFERS,
		HV_STATUS_INVALID_PORT_ID,
	};
	static const hv_status_t sig_ok[] = {
		HV_STATUS_SUCCESS, HV_STATUS_INVALID_PORT_ID,
	};
	struct hv_input_signal_event ev = { .connection_id = 2, .flag_number = 1 };

	pthread_barrier_wait(&w->go);
	/* Until the mapper is done, so posts straddle the finalize. */
	for (uint32_t i = 0; going(w); i++) {
		uint64_t r = post(w->hv, w->tx, i);

		if (!one_of(r, 3, ok))
			bad(w, "post", r);
		if (ohv_result_status(r) == HV_STATUS_SUCCESS)
			atomic_fetch_add(&w->before, 1);
		if (ohv_result_status(r) == HV_STATUS_INVALID_PORT_ID)
			atomic_fetch_add(&w->after, 1);
		r = fast(w->hv, w->tx, 0, HVCALL_SIGNAL_EVENT, &ev, sizeof(ev));
		if (!one_of(r, 2, sig_ok))
			bad(w, "signal", r);
		pace(i);
	}
	return NULL;
}

/* The receiver's VP: take what is in the slot, EOM; clear events. */
static void *receiver(void *arg)
{
	struct world *w = arg;
	static const hv_status_t ok[] = {
		HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARTITION_STATE,
	};
	struct {
		struct hv_input_set_vp_registers h;
		struct hv_register_assoc a;
	} eom = {
		.h = { .partition_id = HV_PARTITION_ID_SELF,
		       .vp_index = HV_VP_INDEX_SELF },
		.a = { .name = HV_REGISTER_EOM },
	};

	pthread_barrier_wait(&w->go);
	for (uint32_t i = 0; going(w); i++) {
		struct hv_message *slot = ohv_gpa(w->hv, w->rx, (2 << 12) + 2 * 256,
						  256);

		if (slot && __atomic_load_n(&slot->header.message_type,
					    __ATOMIC_ACQUIRE))
			__atomic_store_n(&slot->header.message_type, 0,
					 __ATOMIC_RELEASE);
		uint64_t r = fast(w->hv, w->rx, 0,
				  ohv_control(HVCALL_SET_VP_REGISTERS, 0, 1, 0),
				  &eom, sizeof(eom));

		if (!one_of(r, 2, ok))
			bad(w, "eom", r);
		ohv_vp_sint_ack(w->hv, w->rx, 0, 2);
		pace(i);
	}
	return NULL;
}

/* Root VP 1: lifecycles of partitions nobody else touches. */
static void *lifecycles(void *arg)
{
	struct world *w = arg;
	struct ohv_client *c;

	if (ohv_client_open(w->hv, 1, &c)) {
		bad(w, "client", HV_STATUS_NO_RESOURCES);
		pthread_barrier_wait(&w->go);
		return NULL;
	}
	pthread_barrier_wait(&w->go);
	for (int i = 0; i < ITERS / 20; i++) {
		uint64_t id;
		hv_status_t st = ohv_client_create_partition(c, NULL, &id);

		if (!st)
			st = ohv_client_initialize_partition(c, id);
		if (!st)
			st = ohv_client_destroy_partition(c, id);
		if (st)
			bad(w, "lifecycle", st);
	}
	ohv_client_close(c);
	return NULL;
}

/* Root VP 2: maps and unmaps in the sender's far GPA range; once posts
 * are being delivered it finalizes the receiver, and it stops everyone
 * once posts are being refused: the run straddles the finalize. */
static void *mapper(void *arg)
{
	struct world *w = arg;
	struct ohv_client *c;
	uint64_t pages[8];

	if (ohv_client_open(w->hv, 2, &c) ||
	    ohv_root_alloc_many(w->hv, OHV_ANY_NODE, pages, 8) != 8) {
		bad(w, "client", HV_STATUS_NO_RESOURCES);
		pthread_barrier_wait(&w->go);
		return NULL;
	}
	pthread_barrier_wait(&w->go);
	bool finalized = false;

	for (int i = 0; going(w) && atomic_load(&w->after) < QUORUM; i++) {
		uint64_t done;
		hv_status_t st = ohv_call_map_gpa_pages(c, w->tx, 1ull << 20,
			HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE, pages, 8, &done);

		if (!st)
			st = ohv_call_unmap_gpa_pages(c, w->tx, 1ull << 20, 8, &done);
		if (st)
			bad(w, "map", st);
		if (!finalized && atomic_load(&w->before) >= QUORUM) {
			st = ohv_call_finalize_partition(c, w->rx);
			if (st)
				bad(w, "finalize", st);
			finalized = true;
		}
		pace((uint32_t)i);
	}
	ohv_root_free_many(w->hv, pages, 8);
	ohv_client_close(c);
	atomic_store(&w->stop, 1);
	return NULL;
}

static hv_status_t setup_port(struct ohv *hv, uint64_t rx, uint64_t tx,
			      uint32_t id, uint32_t type)
{
	struct hv_input_create_port p = {
		.port_partition_id = rx, .port_id = id,
		.connection_partition_id = tx,
		.port_info = { .port_type = type },
	};
	struct hv_input_connect_port k = {
		.connection_partition_id = tx, .connection_id = id,
		.port_partition_id = rx, .port_id = id,
		.connection_info = { .port_type = type },
	};

	p.port_info.message_port_info.target_sint = 2;
	if (type == HV_PORT_TYPE_EVENT)
		p.port_info.event_port_info.flag_count = 4;
	hv_status_t st = ohv_result_status(t_mem(hv, T_ROOT, HVCALL_CREATE_PORT,
						 &p, sizeof(p), NULL, 0));

	return st ? st : ohv_result_status(t_mem(hv, T_ROOT, HVCALL_CONNECT_PORT,
						 &k, sizeof(k), NULL, 0));
}

/* 8 root pages mapped RW at GPA 0-7 of a child. */
static void map8(struct ohv *hv, uint64_t id, uint64_t *next)
{
	uint64_t buf[3 + 8];
	struct hv_input_map_gpa_pages *in = (void *)buf;

	in->target_partition_id = id;
	in->target_gpa_base = 0;
	in->map_flags = HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE;
	in->padding = 0;
	for (int i = 0; i < 8; i++)
		buf[3 + i] = (*next)++;
	/* The time budget may stop the call early (slow sanitizer builds):
	 * re-issue from where it stopped, as every client does. */
	for (uint32_t start = 0; start < 8;) {
		uint64_t r = t_mem(hv, T_ROOT,
				   ohv_control(HVCALL_MAP_GPA_PAGES, 0, 8, start),
				   buf, sizeof(buf), NULL, 0);

		REQUIRE_ST(r, HV_STATUS_SUCCESS);
		start = ohv_result_reps(r);
	}
}

TEST(concurrency_finalize_races_posts)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.memory_pages = 16384;
	cfg.root_vps = 3;
	cfg.rep_budget_ns = 50000;
	struct ohv *hv = t_open(&cfg);
	uint64_t next = 8192;	/* the root allocator hands out low pages */
	/* Milliseconds normally; the deadline only bounds a failure, at a
	 * third of the runner's time limit so the test reports it. */
	const uint64_t limit_s = t_time_limit() ? t_time_limit() / 3 : 40;
	const uint64_t deadline = now_ns() + limit_s * 1000000000ull;

	for (int round = 0; round < ROUNDS; round++) {
		struct world w = { .hv = hv, .deadline_ns = deadline };
		pthread_t th[4];
		void *(*fn[4])(void *) = { sender, receiver, lifecycles, mapper };

		w.rx = t_runnable_child(hv, &next, PRIV);
		w.tx = t_runnable_child(hv, &next, PRIV);
		map8(hv, w.rx, &next);
		map8(hv, w.tx, &next);
		REQUIRE_ST(t_set_reg64(hv, T_ROOT, w.rx, 0, HV_REGISTER_SCONTROL, 1),
			   HV_STATUS_SUCCESS);
		REQUIRE_ST(t_set_reg64(hv, T_ROOT, w.rx, 0, HV_REGISTER_SIMP,
				       (2 << 12) | 1), HV_STATUS_SUCCESS);
		REQUIRE_ST(t_set_reg64(hv, T_ROOT, w.rx, 0, HV_REGISTER_SIEFP,
				       (3 << 12) | 1), HV_STATUS_SUCCESS);
		REQUIRE_ST(t_set_reg64(hv, T_ROOT, w.rx, 0, HV_REGISTER_SINT0 + 2,
				       0x42), HV_STATUS_SUCCESS);
		REQUIRE_ST(setup_port(hv, w.rx, w.tx, 1, HV_PORT_TYPE_MESSAGE),
			   HV_STATUS_SUCCESS);
		REQUIRE_ST(setup_port(hv, w.rx, w.tx, 2, HV_PORT_TYPE_EVENT),
			   HV_STATUS_SUCCESS);
		pthread_barrier_init(&w.go, NULL, 4);
		for (int i = 0; i < 4; i++)
			REQUIRE(pthread_create(&th[i], NULL, fn[i], &w) == 0);
		for (int i = 0; i < 4; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&w.go);
		CHECK_MSG(atomic_load(&w.bad) == 0, "round %d: %u bad, first %s",
			  round, atomic_load(&w.bad), w.why);
		CHECK(atomic_load(&w.before) >= QUORUM);
		CHECK(atomic_load(&w.after) >= QUORUM);
		CHECK_INVARIANTS(hv);
		/* The receiver was finalized mid-run; posts to it now fail. */
		CHECK_EQ(t_info(hv, w.rx).state, OHV_STATE_FINALIZED);
		CHECK_ST(post(hv, w.tx, 0), HV_STATUS_INVALID_PORT_ID);
		t_destroy_child(hv, w.rx);
		t_destroy_child(hv, w.tx);
	}
	/* Every frame home: the root's pool drains, every page reachable. */
	for (;;) {
		uint32_t done = 0;
		hv_status_t st = t_withdraw(hv, HV_PARTITION_ID_SELF, 512, NULL,
					    &done);

		if (st == HV_STATUS_NO_RESOURCES)
			break;
		REQUIRE_ST(st, HV_STATUS_SUCCESS);
	}
	CHECK_EQ(t_live(hv), 1);
	for (uint64_t p = 0; p < cfg.memory_pages; p++)
		CHECK_MSG(ohv_gpa(hv, T_ROOT, p << 12, 4096) != NULL,
			  "page %llu not home", (unsigned long long)p);
	t_close(hv);
}
