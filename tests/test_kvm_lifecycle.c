/* SPDX-License-Identifier: MIT */
/*
 * ohv_vp_run and ohv_vp_kick on the KVM backend (spec.md §2.1, 11.5):
 * their error returns, kicks, a second runner, and a partition finalized,
 * destroyed or losing its VP while a thread sits in ohv_vp_run of its
 * sleeping guest.  Every wait is bounded (kg_runner_finish).  Skips
 * without a usable /dev/kvm.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>

#include "kvm_guest.h"

/* Time for a runner thread to enter the run and the guest to sleep. */
#define SETTLE_MS	100u

/* guest_fault asleep in `sti; hlt` with a thread in ohv_vp_run. */
static void sleeping(struct kg *g, struct kg_runner *r)
{
	kg_start(g, &kg_guest_fault, 0, KG_FAULT_SLEEP, 0);
	KG_EXPECT(g, "ready", KG_READY);
	kg_runner_start(r, g);
	kg_sleep_ms(SETTLE_MS);
	/* Interrupts on and nothing pending: it sleeps, no intercept. */
	CHECK_MSG(!kg_runner_wait(r, 0), "the run of a sleeping guest "
		  "returned %d (message type 0x%x)", r->rc,
		  r->msg.header.message_type);
}

TEST(kvm_run_errors)
{
	struct kg g;
	struct hv_message msg;

	kg_start(&g, &kg_guest_fault, 0, KG_FAULT_SLEEP, 0);
	CHECK_EQ(ohv_vp_run(g.hv, ohv_root_id(g.hv), 0, &msg), -EINVAL);
	CHECK_EQ(ohv_vp_run(g.hv, g.id + 100, 0, &msg), -EINVAL);
	CHECK_EQ(ohv_vp_run(g.hv, g.id, 1, &msg), -EINVAL);
	CHECK_EQ(ohv_vp_run(g.hv, g.id, 0, NULL), -EINVAL);
	CHECK_EQ(ohv_vp_run(NULL, g.id, 0, &msg), -EINVAL);
	CHECK_EQ(ohv_vp_kick(g.hv, ohv_root_id(g.hv), 0), -EINVAL);
	CHECK_EQ(ohv_vp_kick(g.hv, g.id, 1), -EINVAL);
	CHECK_EQ(ohv_vp_kick(NULL, g.id, 0), -EINVAL);
	/* A kick with no run makes the next run return -EINTR at once, and
	 * only that one. */
	CHECK_EQ(ohv_vp_kick(g.hv, g.id, 0), 0);
	CHECK_EQ(kg_run(&g), -EINTR);
	KG_EXPECT(&g, "ready after the kick", KG_READY);
	kg_end(&g);
}

static hv_status_t set_one(struct kg *g, uint32_t name, uint64_t value)
{
	struct hv_register_assoc a = { .name = name };
	uint64_t done = 0;

	a.value.reg64 = value;
	return ohv_call_set_vp_registers(g->root, g->id, 0, &a, 1, &done);
}

/*
 * Special registers are set one at a time and checked as a state when
 * the VP runs (TLFS: an invalid one stops it with
 * HvMessageTypeInvalidVpRegisterValue); a value invalid whatever the
 * others hold is refused at once (docs/conformance.md).
 */
TEST(kvm_invalid_register_state)
{
	struct kg g;
	kg_start(&g, &kg_guest_fault, 0, KG_FAULT_SLEEP, 0);
	uint64_t efer = kg_get_reg(&g, HV_X64_REGISTER_EFER);

	CHECK_ST(set_one(&g, HV_X64_REGISTER_CR0, 1ull << 32 | 0x80000033),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(set_one(&g, HV_X64_REGISTER_CR0, 0x80000000),
		 HV_STATUS_INVALID_PARAMETER);		/* PG without PE */
	CHECK_ST(set_one(&g, HV_X64_REGISTER_CR8, 16),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(set_one(&g, HV_X64_REGISTER_EFER, efer | 2),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_EQ(kg_get_reg(&g, HV_X64_REGISTER_EFER), efer);

	/* Paging on, LME on, LMA off: no state x86 can be in. */
	CHECK_ST(set_one(&g, HV_X64_REGISTER_EFER, efer & ~(1ull << 10)),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(kg_get_reg(&g, HV_X64_REGISTER_EFER), efer & ~(1ull << 10));
	CHECK_EQ(kg_run(&g), 0);
	CHECK_EQ(g.msg.header.message_type, HVMSG_INVALID_VP_REGISTER_VALUE);
	CHECK_EQ(g.msg.header.sender, g.id);
	/* Nothing ran, and the registers stay for the parent to fix. */
	CHECK_EQ(kg_get_reg(&g, HV_X64_REGISTER_RIP), g.entry);
	CHECK_EQ(kg_get_reg(&g, HV_X64_REGISTER_EFER), efer & ~(1ull << 10));
	kg_set_reg(&g, HV_X64_REGISTER_EFER, efer);
	KG_EXPECT(&g, "ready once fixed", KG_READY);
	kg_end(&g);
}

/* An Uninitialized partition runs nothing, nor does a VP not created. */
TEST(kvm_run_not_active)
{
	struct ohv *hv = kg_open();
	struct ohv_client *c;
	struct hv_message msg;
	uint64_t id;

	REQUIRE(ohv_client_open(hv, 0, &c) == 0);
	REQUIRE_ST(ohv_client_create_partition(c, NULL, &id), HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_vp_run(hv, id, 0, &msg), -EINVAL);
	CHECK_EQ(ohv_vp_kick(hv, id, 0), -EINVAL);
	REQUIRE_ST(ohv_client_initialize_partition(c, id), HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_vp_run(hv, id, 0, &msg), -EINVAL);
	CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	ohv_client_close(c);
	ohv_close(hv);
}

TEST(kvm_kick_sleeping)
{
	struct kg g;
	struct kg_runner r;

	sleeping(&g, &r);
	CHECK_EQ(ohv_vp_kick(g.hv, g.id, 0), 0);
	REQUIRE(kg_runner_finish(&r, "kicked run"));
	CHECK_EQ(r.rc, -EINTR);
	/* It can be run and kicked again, and was not left suspended. */
	CHECK_EQ(kg_get_reg(&g, HV_REGISTER_INTERCEPT_SUSPEND), 0);
	kg_runner_start(&r, &g);
	kg_sleep_ms(SETTLE_MS);
	CHECK(!kg_runner_wait(&r, 0));
	CHECK_EQ(ohv_vp_kick(g.hv, g.id, 0), 0);
	REQUIRE(kg_runner_finish(&r, "kicked again"));
	CHECK_EQ(r.rc, -EINTR);
	kg_end(&g);
}

/*
 * A VMM's vCPU threads block every signal but their own (QEMU's do): the
 * run's kicks and its watchdog still end KVM_RUN (spec.md §11.5), so a
 * guest halted for good stops with HVMSG_X64_HALT and ohv_vp_kick ends a
 * sleeping guest's run; the thread's mask is left as it was.
 */
TEST(kvm_run_with_signals_blocked)
{
	sigset_t all, old, now;
	struct kg g;
	struct kg_runner r;

	/* All but those that end a hung test. */
	sigfillset(&all);
	sigdelset(&all, SIGTERM);
	sigdelset(&all, SIGINT);
	sigdelset(&all, SIGALRM);
	REQUIRE(pthread_sigmask(SIG_BLOCK, &all, &old) == 0);
	kg_start(&g, &kg_guest_fault, 0, KG_FAULT_HALT, 0);
	KG_EXPECT(&g, "ready", KG_READY);
	kg_run_to(&g, HVMSG_X64_HALT, "cli; hlt, signals blocked");
	kg_end(&g);

	sleeping(&g, &r);	/* the runner thread inherits the mask */
	CHECK_EQ(ohv_vp_kick(g.hv, g.id, 0), 0);
	REQUIRE(kg_runner_finish(&r, "kicked run, signals blocked"));
	CHECK_EQ(r.rc, -EINTR);
	kg_end(&g);

	REQUIRE(pthread_sigmask(SIG_SETMASK, NULL, &now) == 0);
	CHECK(sigismember(&now, SIGRTMAX - 1) == 1);
	REQUIRE(pthread_sigmask(SIG_SETMASK, &old, NULL) == 0);
}

/* Two threads run the same VP: one gets -EBUSY at once, the other runs
 * until kicked. */
TEST(kvm_run_busy)
{
	struct kg g;
	struct kg_runner a, b;

	sleeping(&g, &a);
	kg_runner_start(&b, &g);
	/* Whichever entered second returns at once. */
	for (unsigned ms = 0; !kg_runner_wait(&a, 0) && !kg_runner_wait(&b, 0);
	     ms += 10) {
		if (!CHECK_MSG(ms < KG_WAIT_MS, "no runner returned"))
			break;
		kg_sleep_ms(10);
	}
	struct kg_runner *second = kg_runner_wait(&b, 0) ? &b : &a;
	struct kg_runner *first = second == &b ? &a : &b;

	REQUIRE(kg_runner_finish(second, "second runner"));
	CHECK_EQ(second->rc, -EBUSY);
	CHECK_MSG(!kg_runner_wait(first, 0), "the first run returned %d",
		  first->rc);
	CHECK_EQ(ohv_vp_kick(g.hv, g.id, 0), 0);
	REQUIRE(kg_runner_finish(first, "first runner, kicked"));
	CHECK_EQ(first->rc, -EINTR);
	kg_end(&g);
}

/* spec.md §2.1: finalized during the run -> -EINVAL; afterwards too. */
TEST(kvm_finalize_while_running)
{
	struct kg g;
	struct kg_runner r;
	struct hv_message msg;

	sleeping(&g, &r);
	CHECK_ST(ohv_call_finalize_partition(g.root, g.id), HV_STATUS_SUCCESS);
	REQUIRE(kg_runner_finish(&r, "run of a finalized partition"));
	CHECK_EQ(r.rc, -EINVAL);
	CHECK_EQ(ohv_vp_run(g.hv, g.id, 0, &msg), -EINVAL);
	CHECK_EQ(ohv_vp_kick(g.hv, g.id, 0), -EINVAL);
	kg_end(&g);
}

/* Destroyed (finalize, withdraw, delete) during the run. */
TEST(kvm_destroy_while_running)
{
	struct kg g;
	struct kg_runner r;
	struct hv_message msg;

	sleeping(&g, &r);
	CHECK_ST(ohv_client_destroy_partition(g.root, g.id),
		 HV_STATUS_SUCCESS);
	g.destroyed = 1;
	REQUIRE(kg_runner_finish(&r, "run of a destroyed partition"));
	CHECK_EQ(r.rc, -EINVAL);
	CHECK_EQ(ohv_vp_run(g.hv, g.id, 0, &msg), -EINVAL);
	kg_end(&g);
}

/* The VP deleted during its run: the run ends (no such VP). */
TEST(kvm_delete_vp_while_running)
{
	struct kg g;
	struct kg_runner r;
	struct hv_message msg;

	sleeping(&g, &r);
	CHECK_ST(ohv_call_delete_vp(g.root, g.id, 0), HV_STATUS_SUCCESS);
	REQUIRE(kg_runner_finish(&r, "run of a deleted VP"));
	CHECK_EQ(r.rc, -EINVAL);
	CHECK_EQ(ohv_vp_run(g.hv, g.id, 0, &msg), -EINVAL);
	kg_end(&g);
}

/* Many children, each VP on its own thread, all asleep at once, then
 * each kicked: every run returns, none is lost. */
TEST(kvm_many_sleeping)
{
	enum { N = 8 };
	struct kg g[N];
	struct kg_runner r[N];

	kg_start(&g[0], &kg_guest_fault, 0, KG_FAULT_SLEEP, 0);
	for (int i = 1; i < N; i++)
		kg_start_next(&g[i], &g[0], &kg_guest_fault, 0,
			      KG_FAULT_SLEEP, 0);
	for (int i = 0; i < N; i++) {
		KG_EXPECT(&g[i], "ready", KG_READY);
		kg_runner_start(&r[i], &g[i]);
	}
	kg_sleep_ms(SETTLE_MS);
	for (int i = 0; i < N; i++)
		CHECK_EQ(ohv_vp_kick(g[i].hv, g[i].id, 0), 0);
	for (int i = 0; i < N; i++) {
		REQUIRE(kg_runner_finish(&r[i], "one of many"));
		CHECK_EQ(r[i].rc, -EINTR);
	}
	for (int i = N - 1; i >= 0; i--)
		kg_end(&g[i]);
}
