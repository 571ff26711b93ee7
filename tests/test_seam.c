/* SPDX-License-Identifier: MIT */
/*
 * The backend seam (src/backend/backend.h): a recording backend proves the
 * core calls every hook in order with the right arguments, that a failing
 * hook leaves no half object, and how ohv_vp_run and ohv_vp_kick behave.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "t.h"

#include "../src/backend/backend.h"

/* ---------------------------------------------------------------------- */
/* The recording backend.                                                  */

enum ev_kind {
	EV_OPEN = 1, EV_CLOSE, EV_PART_INIT, EV_PART_FINI, EV_VP_CREATE,
	EV_VP_DELETE, EV_VP_REG, EV_GPA_MAP, EV_GPA_UNMAP, EV_IRQ, EV_NOTIFY,
	EV_KICK, EV_CLAIM, EV_RUN,
};

struct ev {
	enum ev_kind kind;
	uint64_t partition;	/* partition id                       */
	uint32_t vp;		/* VP index                           */
	uint64_t a, b, c;	/* hook-specific                      */
};

struct bpart_rec {
	struct ohv_be_partition info;
};

struct bvp_rec {
	struct ohv_be_vp id;
	uint64_t rip;
	uint64_t rax;
	int claimed;
};

#define MAX_EVENTS 512

static struct rec {
	struct ev ev[MAX_EVENTS];
	size_t n;
	/* What the next hooks answer. */
	int fail_open, fail_part_init, fail_vp_create;
	/* vp_run: 0 returns msg_type; -EINTR waits for a kick first. */
	int run_result;
	uint32_t msg_type;
	struct ohv *hv;		/* for the run loop's services         */
	volatile int kicked;
	pthread_mutex_t m;
	pthread_cond_t cv;
	/* Filled by the run loop with what the services answered. */
	uint64_t run_hypercall_result, run_partition_id;
	bool run_runnable;
} rec;

static void record(enum ev_kind kind, uint64_t partition, uint32_t vp,
		   uint64_t a, uint64_t b, uint64_t c)
{
	pthread_mutex_lock(&rec.m);
	if (rec.n < MAX_EVENTS)
		rec.ev[rec.n++] = (struct ev){ kind, partition, vp, a, b, c };
	pthread_mutex_unlock(&rec.m);
}

static int r_open(struct ohv *hv, void *arg, void **ctx)
{
	if (rec.fail_open)
		return rec.fail_open;
	*ctx = arg;
	rec.hv = hv;
	record(EV_OPEN, 0, 0, (uint64_t)(uintptr_t)arg, 0, 0);
	return 0;
}

static void r_close(void *ctx)
{
	record(EV_CLOSE, 0, 0, (uint64_t)(uintptr_t)ctx, 0, 0);
}

static int r_part_init(void *ctx, const struct ohv_be_partition *p,
		       struct ohv_bpart **out)
{
	if (rec.fail_part_init)
		return rec.fail_part_init;
	struct bpart_rec *bp = calloc(1, sizeof(*bp));

	bp->info = *p;
	*out = (struct ohv_bpart *)bp;
	record(EV_PART_INIT, p->id, 0, p->parent_id, p->depth,
	       p->creation_flags);
	return 0;
}

static void r_part_fini(struct ohv_bpart *bp)
{
	struct bpart_rec *r = (struct bpart_rec *)bp;

	record(EV_PART_FINI, r->info.id, 0, 0, 0, 0);
	free(r);
}

static int r_vp_create(struct ohv_bpart *bp, const struct ohv_be_vp *vp,
		       struct ohv_bvp **out)
{
	struct bpart_rec *p = (struct bpart_rec *)bp;

	if (rec.fail_vp_create)
		return rec.fail_vp_create;
	struct bvp_rec *v = calloc(1, sizeof(*v));

	v->id = *vp;
	v->rip = 0xFFF0;
	*out = (struct ohv_bvp *)v;
	record(EV_VP_CREATE, vp->partition_id, vp->index, vp->serial,
	       p->info.id, 0);
	return 0;
}

static void r_vp_delete(struct ohv_bvp *bv)
{
	struct bvp_rec *v = (struct bvp_rec *)bv;

	record(EV_VP_DELETE, v->id.partition_id, v->id.index, v->id.serial,
	       0, 0);
	free(v);
}

/* The backend holds RIP and RAX; 0xBAD is a value RIP cannot take. */
static int r_vp_reg(struct ohv_bvp *bv, uint32_t name,
		    union hv_register_value *val, bool write)
{
	struct bvp_rec *v = (struct bvp_rec *)bv;
	uint64_t *reg = name == HV_X64_REGISTER_RIP ? &v->rip :
			name == HV_X64_REGISTER_RAX ? &v->rax : NULL;

	record(EV_VP_REG, v->id.partition_id, v->id.index, name, write,
	       write ? val->reg64 : 0);
	if (!reg)
		return -ENOENT;
	if (write && val->reg64 == 0xBAD)
		return -EINVAL;
	if (write)
		*reg = val->reg64;
	else
		val->reg64 = *reg;
	return 0;
}

/* The frames of the last gpa_map run (its first 8). */
static uint32_t last_frames[8];

static void r_gpa_map(struct ohv_bpart *bp, uint64_t gpa_page, uint64_t n,
		      const uint32_t *frames, unsigned rights)
{
	struct bpart_rec *p = (struct bpart_rec *)bp;

	for (uint64_t i = 0; i < n && i < 8; i++)
		last_frames[i] = frames[i];

	record(EV_GPA_MAP, p->info.id, 0, gpa_page, n,
	       ((uint64_t)frames[0] << 8) | rights);
}

static void r_gpa_unmap(struct ohv_bpart *bp, uint64_t gpa_page, uint64_t n)
{
	struct bpart_rec *p = (struct bpart_rec *)bp;

	record(EV_GPA_UNMAP, p->info.id, 0, gpa_page, n, 0);
}

static void r_interrupt(struct ohv_bvp *bv, const struct ohv_be_irq *irq)
{
	struct bvp_rec *v = (struct bvp_rec *)bv;

	record(EV_IRQ, v->id.partition_id, v->id.index, irq->vector,
	       irq->type, 0);
}

static void r_notify(struct ohv_bvp *bv)
{
	struct bvp_rec *v = (struct bvp_rec *)bv;

	record(EV_NOTIFY, v->id.partition_id, v->id.index, 0, 0, 0);
}

static void r_kick(struct ohv_bvp *bv)
{
	struct bvp_rec *v = (struct bvp_rec *)bv;

	record(EV_KICK, v->id.partition_id, v->id.index, 0, 0, 0);
	pthread_mutex_lock(&rec.m);
	rec.kicked = 1;
	pthread_cond_broadcast(&rec.cv);
	pthread_mutex_unlock(&rec.m);
}

static int r_claim(struct ohv_bvp *bv)
{
	struct bvp_rec *v = (struct bvp_rec *)bv;

	record(EV_CLAIM, v->id.partition_id, v->id.index, 0, 0, 0);
	v->claimed++;
	return 0;
}

/*
 * The run loop: uses the core's services as a real backend does (a guest
 * hypercall, the runnable check), then stops with an intercept, or waits
 * for a kick.
 */
static int r_run(struct ohv_bvp *bv, struct hv_message *msg)
{
	struct bvp_rec *v = (struct bvp_rec *)bv;
	struct ohv_hvcall call = {
		.control = ohv_control(HVCALL_GET_PARTITION_ID, 1, 0, 0),
	};

	record(EV_RUN, v->id.partition_id, v->id.index, 0, 0, 0);
	rec.run_runnable = ohv_be_vp_runnable(rec.hv, &v->id);
	rec.run_hypercall_result = ohv_be_hypercall(rec.hv, &v->id, &call);
	rec.run_partition_id = call.fast[0];
	v->claimed--;
	if (rec.run_result == -EINTR) {
		pthread_mutex_lock(&rec.m);
		while (!rec.kicked)
			pthread_cond_wait(&rec.cv, &rec.m);
		rec.kicked = 0;
		pthread_mutex_unlock(&rec.m);
		return -EINTR;
	}
	if (rec.run_result)
		return rec.run_result;
	msg->header.message_type = rec.msg_type;
	msg->header.payload_size = 8;
	memcpy(msg->payload, &v->id.index, sizeof(v->id.index));
	return 0;
}

static const struct ohv_backend_ops recording = {
	.name = "recording",
	.open = r_open,
	.close = r_close,
	.partition_init = r_part_init,
	.partition_fini = r_part_fini,
	.vp_create = r_vp_create,
	.vp_delete = r_vp_delete,
	.vp_reg = r_vp_reg,
	.gpa_map = r_gpa_map,
	.gpa_unmap = r_gpa_unmap,
	.interrupt = r_interrupt,
	.vp_notify = r_notify,
	.vp_kick = r_kick,
	.vp_claim = r_claim,
	.vp_run = r_run,
};

static struct ohv *rec_open(void)
{
	struct ohv_config cfg;
	struct ohv *hv;

	memset(&rec, 0, sizeof(rec));
	pthread_mutex_init(&rec.m, NULL);
	pthread_cond_init(&rec.cv, NULL);
	t_config(&cfg);
	REQUIRE(ohv_debug_open_backend(&cfg, &recording, &rec, &hv) == 0);
	REQUIRE(strcmp(ohv_backend_name(hv), "recording") == 0);
	return hv;
}

/* The events since mark of one kind, or of any kind (0). */
static size_t count_since(size_t mark, enum ev_kind kind)
{
	size_t n = 0;

	for (size_t i = mark; i < rec.n; i++)
		n += !kind || rec.ev[i].kind == kind;
	return n;
}

static const struct ev *last_of(enum ev_kind kind)
{
	for (size_t i = rec.n; i-- > 0;)
		if (rec.ev[i].kind == kind)
			return &rec.ev[i];
	return NULL;
}

/* An Active child of the root that may ask its own id, with pages for
 * VPs in its pool. */
static uint64_t seam_child(struct ohv *hv, uint64_t *next)
{
	uint64_t id = t_new_child(hv, next);

	REQUIRE_ST(t_set_property(hv, id, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
				  OHV_CHILD_PRIVILEGES |
				  HV_PARTITION_PRIV_ACCESS_PARTITION_ID),
		   HV_STATUS_SUCCESS);
	t_fund(hv, id, next, 80);
	REQUIRE_ST(t_initialize(hv, id), HV_STATUS_SUCCESS);
	return id;
}

/* ---------------------------------------------------------------------- */

TEST(seam_lifecycle_hooks_in_order)
{
	struct ohv *hv = rec_open();
	uint64_t next = T_FIRST_FREE_PAGE;

	CHECK_EQ(rec.n, 1);
	CHECK_EQ(rec.ev[0].kind, EV_OPEN);
	CHECK_EQ(rec.ev[0].a, (uintptr_t)&rec);

	/* Create: no hook (a partition runs only once initialized). */
	uint64_t id = t_new_child(hv, &next);

	CHECK_EQ(count_since(1, 0), 0);
	t_fund(hv, id, &next, 64);
	REQUIRE_ST(t_initialize(hv, id), HV_STATUS_SUCCESS);
	const struct ev *e = last_of(EV_PART_INIT);

	REQUIRE(e);
	CHECK_EQ(e->partition, id);
	CHECK_EQ(e->a, T_ROOT);		/* parent */
	CHECK_EQ(e->b, 2);		/* depth  */
	CHECK_EQ(e->c, t_info(hv, id).creation_flags);

	REQUIRE_ST(t_create_vp(hv, id, 0), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_create_vp(hv, id, 5), HV_STATUS_SUCCESS);
	e = last_of(EV_VP_CREATE);
	REQUIRE(e);
	CHECK_EQ(e->partition, id);
	CHECK_EQ(e->vp, 5);
	uint64_t serial5 = e->a;

	CHECK(serial5 > rec.ev[rec.n - 2].a);	/* serials increase */

	size_t mark = rec.n;

	REQUIRE_ST(t_delete_vp(hv, id, 5), HV_STATUS_SUCCESS);
	CHECK_EQ(count_since(mark, 0), 1);
	CHECK_EQ(rec.ev[mark].kind, EV_VP_DELETE);
	CHECK_EQ(rec.ev[mark].vp, 5);
	CHECK_EQ(rec.ev[mark].a, serial5);

	/* A new VP at the same index gets a new serial. */
	REQUIRE_ST(t_create_vp(hv, id, 5), HV_STATUS_SUCCESS);
	CHECK(last_of(EV_VP_CREATE)->a > serial5);

	/* Finalize: every VP, then the partition. */
	mark = rec.n;
	REQUIRE_ST(t_finalize(hv, id), HV_STATUS_SUCCESS);
	CHECK_EQ(count_since(mark, 0), 3);
	CHECK_EQ(rec.ev[mark].kind, EV_VP_DELETE);
	CHECK_EQ(rec.ev[mark + 1].kind, EV_VP_DELETE);
	CHECK_EQ(rec.ev[mark + 2].kind, EV_PART_FINI);
	CHECK_EQ(rec.ev[mark + 2].partition, id);

	/* Withdraw and delete: nothing more for the backend. */
	mark = rec.n;
	t_destroy_child(hv, id);
	CHECK_EQ(count_since(mark, 0), 0);

	/* Close: partitions still initialized are finalized, then close. */
	uint64_t id2 = t_active_child(hv, &next);

	t_fund(hv, id2, &next, 64);

	REQUIRE_ST(t_create_vp(hv, id2, 1), HV_STATUS_SUCCESS);
	mark = rec.n;
	t_close(hv);
	CHECK_EQ(count_since(mark, 0), 3);
	CHECK_EQ(rec.ev[mark].kind, EV_VP_DELETE);
	CHECK_EQ(rec.ev[mark + 1].kind, EV_PART_FINI);
	CHECK_EQ(rec.ev[mark + 1].partition, id2);
	CHECK_EQ(rec.ev[mark + 2].kind, EV_CLOSE);
}

TEST(seam_failing_hooks_leave_nothing)
{
	struct ohv_config cfg;
	struct ohv *hv;

	memset(&rec, 0, sizeof(rec));
	t_config(&cfg);
	rec.fail_open = -EACCES;
	CHECK_EQ(ohv_debug_open_backend(&cfg, &recording, &rec, &hv), -EACCES);
	CHECK(hv == NULL);
	CHECK_EQ(ohv_debug_open_backend(&cfg, NULL, NULL, &hv), -EINVAL);

	hv = rec_open();
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t id = t_new_child(hv, &next);
	struct t_snap before;

	t_fund(hv, id, &next, 64);
	t_snap_take(hv, &before);
	rec.fail_part_init = -ENOMEM;
	CHECK_ST(t_initialize(hv, id), HV_STATUS_NO_RESOURCES);
	t_snap_same(hv, &before, "failed partition_init");
	CHECK_EQ(t_info(hv, id).state, OHV_STATE_UNINITIALIZED);
	CHECK(!last_of(EV_PART_INIT));

	rec.fail_part_init = 0;
	REQUIRE_ST(t_initialize(hv, id), HV_STATUS_SUCCESS);
	t_fund(hv, id, &next, 64);
	t_snap_take(hv, &before);
	rec.fail_vp_create = -ENOMEM;
	CHECK_ST(t_create_vp(hv, id, 3), HV_STATUS_NO_RESOURCES);
	t_snap_same(hv, &before, "failed vp_create");
	struct ohv_vp_info vi;

	CHECK_EQ(ohv_vp_info(hv, id, 3, &vi), -ENOENT);
	CHECK(!last_of(EV_VP_CREATE));
	rec.fail_vp_create = 0;
	REQUIRE_ST(t_create_vp(hv, id, 3), HV_STATUS_SUCCESS);
	t_close(hv);
}

TEST(seam_registers_go_to_the_backend)
{
	struct ohv *hv = rec_open();
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t id = seam_child(hv, &next);
	uint64_t v;

	REQUIRE_ST(t_create_vp(hv, id, 0), HV_STATUS_SUCCESS);
	/* RIP is the backend's: its value, not the core's reset state. */
	REQUIRE_ST(t_set_reg64(hv, T_ROOT, id, 0, HV_X64_REGISTER_RIP, 0x1234),
		   HV_STATUS_SUCCESS);
	const struct ev *e = last_of(EV_VP_REG);

	REQUIRE(e);
	CHECK_EQ(e->a, HV_X64_REGISTER_RIP);
	CHECK_EQ(e->b, 1);
	CHECK_EQ(e->c, 0x1234);
	REQUIRE_ST(t_get_reg64(hv, T_ROOT, id, 0, HV_X64_REGISTER_RIP, &v),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(v, 0x1234);

	/* A value the backend refuses: INVALID_PARAMETER at that element,
	 * the ones before it done. */
	struct hv_register_assoc regs[2] = {
		{ .name = HV_X64_REGISTER_RAX, .value.reg64 = 7 },
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = 0xBAD },
	};
	uint64_t r = t_set_regs(hv, T_ROOT, id, 0, 0, regs, 2);

	CHECK_ST(r, HV_STATUS_INVALID_PARAMETER);
	CHECK_EQ(ohv_result_reps(r), 1);
	REQUIRE_ST(t_get_reg64(hv, T_ROOT, id, 0, HV_X64_REGISTER_RAX, &v),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(v, 7);

	/* The core keeps what the backend leaves it (-ENOENT). */
	REQUIRE_ST(t_set_reg64(hv, T_ROOT, id, 0, HV_REGISTER_SIMP, 0x5001),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(t_get_reg64(hv, T_ROOT, id, 0, HV_REGISTER_SIMP, &v),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(v, 0x5001);
	CHECK_EQ(last_of(EV_VP_REG)->a, HV_REGISTER_SIMP);

	/* Suspend registers: the backend hears that runnability changed. */
	size_t mark = rec.n;

	REQUIRE_ST(t_set_reg64(hv, T_ROOT, id, 0, HV_REGISTER_EXPLICIT_SUSPEND,
			       0), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_set_reg64(hv, T_ROOT, id, 0,
			       HV_REGISTER_INTERCEPT_SUSPEND, 1),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(count_since(mark, EV_NOTIFY), 2);
	/* InterceptSuspend keeps the VP from calling, as ExplicitSuspend. */
	struct ohv_hvcall call = {
		.control = ohv_control(HVCALL_GET_PARTITION_ID, 1, 0, 0),
	};

	CHECK_ST(ohv_hypercall(hv, id, 0, &call), HV_STATUS_INVALID_VP_STATE);
	REQUIRE_ST(t_get_reg64(hv, T_ROOT, id, 0,
			       HV_REGISTER_INTERCEPT_SUSPEND, &v),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(v, 1);
	REQUIRE_ST(t_set_reg64(hv, T_ROOT, id, 0,
			       HV_REGISTER_INTERCEPT_SUSPEND, 0),
		   HV_STATUS_SUCCESS);
	CHECK_ST(ohv_hypercall(hv, id, 0, &call), HV_STATUS_SUCCESS);
	CHECK_EQ(call.fast[0], id);
	t_close(hv);
}

TEST(seam_run_returns_the_intercept)
{
	struct ohv *hv = rec_open();
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t id = seam_child(hv, &next);
	struct hv_message msg;
	uint64_t v;

	REQUIRE_ST(t_create_vp(hv, id, 2), HV_STATUS_SUCCESS);
	/* Bad targets. */
	CHECK_EQ(ohv_vp_run(NULL, id, 2, &msg), -EINVAL);
	CHECK_EQ(ohv_vp_run(hv, id, 2, NULL), -EINVAL);
	CHECK_EQ(ohv_vp_run(hv, T_ROOT, 0, &msg), -EINVAL);
	CHECK_EQ(ohv_vp_run(hv, id, 3, &msg), -EINVAL);
	CHECK_EQ(ohv_vp_run(hv, 999, 0, &msg), -EINVAL);

	/* A new VP is explicitly suspended; run clears both registers. */
	rec.msg_type = 0x80010007;	/* HVMSG_X64_HALT */
	size_t mark = rec.n;

	REQUIRE(ohv_vp_run(hv, id, 2, &msg) == 0);
	CHECK_EQ(count_since(mark, EV_CLAIM), 1);
	CHECK_EQ(count_since(mark, EV_RUN), 1);
	CHECK_EQ(msg.header.message_type, 0x80010007);
	CHECK_EQ(msg.payload[0], 2);
	/* Inside the run, the VP was runnable and its hypercall worked. */
	CHECK(rec.run_runnable);
	CHECK_ST(rec.run_hypercall_result, HV_STATUS_SUCCESS);
	CHECK_EQ(rec.run_partition_id, id);
	/* Stopped for its parent: InterceptSuspend = 1, ExplicitSuspend 0. */
	REQUIRE_ST(t_get_reg64(hv, T_ROOT, id, 2,
			       HV_REGISTER_INTERCEPT_SUSPEND, &v),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(v, 1);
	REQUIRE_ST(t_get_reg64(hv, T_ROOT, id, 2,
			       HV_REGISTER_EXPLICIT_SUSPEND, &v),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(v, 0);

	/* A failed run leaves InterceptSuspend clear. */
	rec.run_result = -ESHUTDOWN;
	CHECK_EQ(ohv_vp_run(hv, id, 2, &msg), -EINVAL);
	REQUIRE_ST(t_get_reg64(hv, T_ROOT, id, 2,
			       HV_REGISTER_INTERCEPT_SUSPEND, &v),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(v, 0);

	/* Not Active any more: -EINVAL. */
	rec.run_result = 0;
	REQUIRE_ST(t_finalize(hv, id), HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_vp_run(hv, id, 2, &msg), -EINVAL);
	CHECK_EQ(ohv_vp_kick(hv, id, 2), -EINVAL);
	t_close(hv);
}

struct runner {
	struct ohv *hv;
	uint64_t id;
	int rc;
};

static void *run_thread(void *arg)
{
	struct runner *r = arg;
	struct hv_message msg;

	r->rc = ohv_vp_run(r->hv, r->id, 0, &msg);
	return NULL;
}

TEST(seam_kick_and_busy)
{
	struct ohv *hv = rec_open();
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t id = t_active_child(hv, &next);

	t_fund(hv, id, &next, 64);
	struct runner r = { .hv = hv, .id = id, .rc = 1 };
	struct hv_message msg;
	pthread_t th;

	REQUIRE_ST(t_create_vp(hv, id, 0), HV_STATUS_SUCCESS);
	rec.run_result = -EINTR;
	REQUIRE(pthread_create(&th, NULL, run_thread, &r) == 0);
	/* Wait until the runner is inside vp_run. */
	for (int i = 0; i < 10000 && !last_of(EV_RUN); i++)
		usleep(100);
	REQUIRE(last_of(EV_RUN));
	CHECK_EQ(ohv_vp_run(hv, id, 0, &msg), -EBUSY);
	CHECK_EQ(ohv_vp_kick(hv, id, 0), 0);
	pthread_join(th, NULL);
	CHECK_EQ(r.rc, -EINTR);
	CHECK_EQ(last_of(EV_KICK)->vp, 0);
	/* After a kick the VP may be run again. */
	rec.run_result = 0;
	rec.msg_type = 0x80010000;
	CHECK_EQ(ohv_vp_run(hv, id, 0, &msg), 0);
	CHECK_EQ(msg.header.message_type, 0x80010000);
	t_close(hv);
}

TEST(seam_sint_interrupts_reach_the_backend)
{
	struct ohv *hv = rec_open();
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t a = t_runnable_child(hv, &next, 0);

	/* A message to the child's own SINT 3 with vector 0x53, delivered
	 * by the root with a port in the child and a connection in root. */
	REQUIRE_ST(t_set_reg64(hv, T_ROOT, a, 0, HV_REGISTER_SINT0 + 3, 0x53),
		   HV_STATUS_SUCCESS);
	uint64_t sim = next++;
	uint64_t src = sim;

	/* Map a page for the SIM into the child and enable the SynIC. */
	struct {
		struct hv_input_map_gpa_pages h;
		uint64_t page;
	} map = {
		.h = { .target_partition_id = a, .target_gpa_base = 0x80,
		       .map_flags = HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE },
		.page = src,
	};

	REQUIRE_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, 1, 0),
			 &map, sizeof(map), NULL, 0), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_set_reg64(hv, T_ROOT, a, 0, HV_REGISTER_SIMP,
			       (0x80ull << 12) | 1), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_set_reg64(hv, T_ROOT, a, 0, HV_REGISTER_SCONTROL, 1),
		   HV_STATUS_SUCCESS);
	struct hv_input_create_port cp = {
		.port_partition_id = a,
		.port_id = 9,
		.connection_partition_id = T_ROOT,
		.port_info = {
			.port_type = HV_PORT_TYPE_MESSAGE,
			.message_port_info = { .target_sint = 3, .target_vp = 0 },
		},
	};

	REQUIRE_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_CREATE_PORT, 0, 0, 0),
			 &cp, sizeof(cp), NULL, 0), HV_STATUS_SUCCESS);
	t_fund(hv, T_ROOT, &next, 4);	/* the connection's page */
	struct hv_input_connect_port cc = {
		.connection_partition_id = T_ROOT,
		.connection_id = 4,
		.port_partition_id = a,
		.port_id = 9,
		.connection_info = { .port_type = HV_PORT_TYPE_MESSAGE },
	};

	REQUIRE_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_CONNECT_PORT, 0, 0, 0),
			 &cc, sizeof(cc), NULL, 0), HV_STATUS_SUCCESS);
	size_t mark = rec.n;
	struct hv_input_post_message pm = {
		.connection_id = 4, .message_type = 1, .payload_size = 4,
	};

	REQUIRE_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_POST_MESSAGE, 0, 0, 0),
			 &pm, sizeof(pm), NULL, 0), HV_STATUS_SUCCESS);
	CHECK_EQ(count_since(mark, EV_IRQ), 1);
	const struct ev *e = last_of(EV_IRQ);

	REQUIRE(e);
	CHECK_EQ(e->partition, a);
	CHECK_EQ(e->vp, 0);
	CHECK_EQ(e->a, 0x53);
	CHECK_EQ(e->b, 0);	/* fixed */
	t_close(hv);
}

TEST(seam_null_backend)
{
	struct ohv_config cfg;
	struct ohv *hv;
	struct hv_message msg;

	t_config(&cfg);
	CHECK_EQ(cfg.backend, OHV_BACKEND_NULL);
	hv = t_open(&cfg);
	CHECK(strcmp(ohv_backend_name(hv), "null") == 0);
	CHECK(ohv_backend_name(NULL) == NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t id = t_active_child(hv, &next);

	t_fund(hv, id, &next, 64);

	REQUIRE_ST(t_create_vp(hv, id, 0), HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_vp_run(hv, id, 0, &msg), -ENODEV);
	CHECK_EQ(ohv_vp_kick(hv, id, 0), -ENODEV);
	CHECK_EQ(ohv_vp_kick(NULL, id, 0), -EINVAL);
	t_close(hv);

	/* AUTO runs on what there is; an unknown backend is refused. */
	cfg.backend = OHV_BACKEND_AUTO;
	REQUIRE(ohv_open(&cfg, &hv) == 0);
	CHECK(ohv_backend_name(hv) != NULL);
	ohv_close(hv);
	cfg.backend = (enum ohv_backend)7;
	CHECK_EQ(ohv_open(&cfg, &hv), -EINVAL);

	/* KVM where /dev/kvm cannot serve: -ENODEV or -EACCES. */
	if (access("/dev/kvm", F_OK) != 0) {
		cfg.backend = OHV_BACKEND_KVM;
		CHECK_EQ(ohv_open(&cfg, &hv), -ENODEV);
		CHECK(hv == NULL);
	}
}

/* Map n root pages from first_src at GPA page target of child id. */
static uint64_t seam_map(struct ohv *hv, uint64_t id, uint64_t target,
			 uint64_t first_src, uint32_t n, uint32_t flags)
{
	struct {
		struct hv_input_map_gpa_pages h;
		uint64_t pages[8];
	} in = {
		.h = { .target_partition_id = id, .target_gpa_base = target,
		       .map_flags = flags },
	};

	for (uint32_t i = 0; i < n; i++)
		in.pages[i] = first_src + i;
	return t_mem(hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, n, 0),
		     &in, sizeof(in.h) + n * 8, NULL, 0);
}

TEST(seam_gpa_runs_reach_the_backend)
{
	struct ohv *hv = rec_open();
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t id = seam_child(hv, &next);
	const uint64_t src = next;
	const unsigned rw = HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE;

	next += 3;
	size_t mark = rec.n;

	/* One call maps three pages: the backend hears of them as one run,
	 * before the call returns. */
	REQUIRE_ST(seam_map(hv, id, 0x40, src, 3, rw), HV_STATUS_SUCCESS);
	REQUIRE(count_since(mark, EV_GPA_MAP) == 1);
	const struct ev *run = &rec.ev[mark];

	CHECK_EQ(run->kind, EV_GPA_MAP);
	CHECK_EQ(run->partition, id);
	CHECK_EQ(run->a, 0x40);				/* first GPA page */
	CHECK_EQ(run->b, 3);				/* run length     */
	CHECK_EQ(run->c, (src << 8) | rw);		/* frame, rights  */
	for (uint32_t i = 0; i < 3; i++)
		CHECK_EQ(last_frames[i], src + i);

	/* The root keeps only read on its own page: the child's mapping of
	 * that frame is clamped to read too (spec.md §6), and the backend is
	 * told. */
	mark = rec.n;
	struct {
		struct hv_input_map_gpa_pages h;
		uint64_t page;
	} self = {
		.h = { .target_partition_id = HV_PARTITION_ID_SELF,
		       .target_gpa_base = src + 1,
		       .map_flags = HV_MAP_GPA_READABLE },
		.page = src + 1,
	};

	REQUIRE_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, 1, 0),
			 &self, sizeof(self), NULL, 0), HV_STATUS_SUCCESS);
	const struct ev *e = last_of(EV_GPA_MAP);

	REQUIRE(e && count_since(mark, EV_GPA_MAP) == 1);
	CHECK_EQ(e->a, 0x41);
	CHECK_EQ(e->c, ((src + 1) << 8) | HV_MAP_GPA_READABLE);

	/* Unmap two pages: one run of two. */
	struct hv_input_unmap_gpa_pages un = {
		.target_partition_id = id, .target_gpa_base = 0x41,
	};

	mark = rec.n;
	REQUIRE_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_UNMAP_GPA_PAGES, 0, 2, 0),
			 &un, sizeof(un), NULL, 0), HV_STATUS_SUCCESS);
	REQUIRE(count_since(mark, EV_GPA_UNMAP) == 1);
	CHECK_EQ(last_of(EV_GPA_UNMAP)->a, 0x41);
	CHECK_EQ(last_of(EV_GPA_UNMAP)->b, 2);
	CHECK_EQ(count_since(mark, EV_GPA_MAP), 0);

	/* Finalize: the backend frees the VM; no per-page noise. */
	mark = rec.n;
	REQUIRE_ST(t_finalize(hv, id), HV_STATUS_SUCCESS);
	CHECK_EQ(count_since(mark, EV_GPA_UNMAP), 0);
	CHECK_EQ(last_of(EV_PART_FINI)->partition, id);
	t_close(hv);
}
