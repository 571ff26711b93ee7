/*
 * openhv test framework and hypercall harness.
 *
 * A test is a function declared with TEST(name).  Each runs in its own
 * process (so a crash or a hang fails one test, not the suite) unless the
 * runner is given -n.  CHECK* records a failure and carries on; REQUIRE*
 * stops the test; SKIP stops it as skipped, with the reason.
 */
#ifndef OHV_TEST_T_H
#define OHV_TEST_T_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openhv/client.h>
#include <openhv/hv.h>
#include <openhv/openhv.h>

void t_register(const char *name, const char *file, void (*fn)(void));

#define TEST(name)                                                           \
	static void test_##name(void);                                       \
	__attribute__((constructor)) static void register_##name(void)       \
	{                                                                    \
		t_register(#name, __FILE__, test_##name);                    \
	}                                                                    \
	static void test_##name(void)

__attribute__((format(printf, 4, 5)))
bool t_check(bool ok, const char *file, int line, const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2))) void t_skip(const char *fmt, ...);
__attribute__((noreturn)) void t_stop(void);

#define CHECK(cond) t_check(!!(cond), __FILE__, __LINE__, "%s", #cond)
#define CHECK_MSG(cond, ...) t_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_EQ(a, b)                                                       \
	do {                                                                 \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);             \
		t_check(a_ == b_, __FILE__, __LINE__,                        \
			"%s == %s: 0x%" PRIx64 " != 0x%" PRIx64, #a, #b, a_, b_); \
	} while (0)
/* The status of a result value (or a bare status) is the one expected. */
#define CHECK_ST(res, st)                                                    \
	do {                                                                 \
		hv_status_t got_ = ohv_result_status((uint64_t)(res));       \
		hv_status_t want_ = (hv_status_t)(st);                       \
		t_check(got_ == want_, __FILE__, __LINE__, "%s: got %s, want %s", \
			#res, ohv_status_name(got_), ohv_status_name(want_)); \
	} while (0)
#define REQUIRE(cond)                                                        \
	do {                                                                 \
		if (!CHECK(cond))                                            \
			t_stop();                                            \
	} while (0)
#define REQUIRE_ST(res, st)                                                  \
	do {                                                                 \
		hv_status_t got2_ = ohv_result_status((uint64_t)(res));      \
		CHECK_ST(got2_, st);                                         \
		if (got2_ != (hv_status_t)(st))                              \
			t_stop();                                            \
	} while (0)
#define SKIP(...) t_skip(__VA_ARGS__)

/* The seconds the runner gives each test before it fails it as timed out
 * (-t; 120 by default); 0 when tests run in-process (-n), without one.  A
 * test that bounds its own loops keeps well below it, so that it fails
 * with its own message. */
unsigned t_time_limit(void);

/* ---------------------------------------------------------------------- */
/* The harness: instances, raw hypercalls with the invariant checker run   */
/* after each, and typed helpers for the root.                             */

/* Root GPA pages the helpers use for parameter blocks; deposits by tests
 * use pages from T_FIRST_FREE_PAGE upward. */
#define T_IN_PAGE		0ull
#define T_OUT_PAGE		1ull
#define T_FIRST_FREE_PAGE	16ull
#define T_ROOT			1ull

/* Defaults for tests: 4096 frames, no time budget (deterministic). */
void t_config(struct ohv_config *cfg);
/* Open an instance (REQUIREs success); cfg NULL means t_config's. */
struct ohv *t_open(const struct ohv_config *cfg);
/* Check invariants one last time, then close. */
void t_close(struct ohv *hv);

/* Run the invariant checker; fails the test with its message if broken. */
bool t_invariants(struct ohv *hv, const char *file, int line);
#define CHECK_INVARIANTS(hv) t_invariants((hv), __FILE__, __LINE__)

/* One hypercall, then the invariant checker. */
uint64_t t_call(struct ohv *hv, uint64_t caller, uint32_t vp,
		struct ohv_hvcall *call);

/*
 * A memory-based call by VP 0 of caller: in is copied to the caller's
 * T_IN_PAGE (input GPA T_IN_PAGE << 12), output read back from T_OUT_PAGE
 * into out.  The output page is filled with 0xA5 first so tests can tell
 * what was written.
 */
uint64_t t_mem(struct ohv *hv, uint64_t caller, uint64_t control,
	       const void *in, size_t in_len, void *out, size_t out_len);

/*
 * A fast call by VP 0 of caller: in goes into fast[] (unused registers are
 * 0xA5-filled), out receives out_len bytes starting at register pair
 * ceil(in_len / 16).
 */
uint64_t t_fast(struct ohv *hv, uint64_t caller, uint64_t control,
		const void *in, size_t in_len, void *out, size_t out_len);

/* Root-side helpers, memory-based, returning the status. */
hv_status_t t_create(struct ohv *hv, uint64_t *id);
hv_status_t t_create_in(struct ohv *hv,
			const struct hv_input_create_partition *in,
			uint64_t *id);
/* Deposit root pages [first, first + n) into target, re-issuing on
 * partial progress; *done (may be NULL) gets the pages that went in. */
hv_status_t t_deposit(struct ohv *hv, uint64_t target, uint64_t first,
		      uint32_t n, uint32_t *done);
/* Deposit the listed root pages (n <= 511) in one call; the result. */
uint64_t t_deposit_list(struct ohv *hv, uint64_t target,
			const uint64_t *pages, uint32_t n);
/* Withdraw up to n (<= 512) pages, re-issuing on partial progress. */
hv_status_t t_withdraw(struct ohv *hv, uint64_t target, uint32_t n,
		       uint64_t *pages, uint32_t *done);
hv_status_t t_balance(struct ohv *hv, uint64_t target, uint64_t *available,
		      uint64_t *in_use);
hv_status_t t_initialize(struct ohv *hv, uint64_t id);
hv_status_t t_finalize(struct ohv *hv, uint64_t id);
hv_status_t t_delete(struct ohv *hv, uint64_t id);
hv_status_t t_get_property(struct ohv *hv, uint64_t id, uint32_t code,
			   uint64_t *value);
hv_status_t t_set_property(struct ohv *hv, uint64_t id, uint32_t code,
			   uint64_t value);

/* ohv_partition_info of a live partition (REQUIREd). */
struct ohv_partition_info t_info(struct ohv *hv, uint64_t id);
/* How many partitions are live, the root included. */
size_t t_live(struct ohv *hv);
/* Deposit root pages [*next, *next + n) into id and advance *next
 * (REQUIREs success; n 0 does nothing). */
void t_fund(struct ohv *hv, uint64_t id, uint64_t *next, uint32_t n);
/* An Uninitialized child of the root with an empty pool, depositing into
 * the root's own pool from *next as needed (REQUIREs success). */
uint64_t t_new_child(struct ohv *hv, uint64_t *next);

/*
 * A child of the root, Active: create (depositing into the root's own pool
 * as needed), deposit costs.initialize pages taken from *next_page onward,
 * initialize.  REQUIREs success.
 */
uint64_t t_active_child(struct ohv *hv, uint64_t *next_page);

/* Tear a child of the root down: finalize if Active, withdraw all,
 * delete.  REQUIREs success. */
void t_destroy_child(struct ohv *hv, uint64_t id);

/* ---------------------------------------------------------------------- */
/* Virtual processors (SPEC 7) and callers other than the root.            */

/* Pool pages t_runnable_child leaves available for the child's own
 * children (their costs.partition charges). */
#define T_SPARE_PAGES		64u

/* As t_fast, issued as VP vp of caller. */
uint64_t t_fast_vp(struct ohv *hv, uint64_t caller, uint32_t vp,
		   uint64_t control, const void *in, size_t in_len, void *out,
		   size_t out_len);

/*
 * One call by VP 0 of caller: memory-based (t_mem) when caller is the root,
 * XMM-fast (t_fast) otherwise, since a child has no GPA space yet (SPEC 6
 * arrives later).  Returns the result value.
 */
uint64_t t_as(struct ohv *hv, uint64_t caller, uint64_t control,
	      const void *in, size_t in_len, void *out, size_t out_len);

/* HvCreateVp (0x004E) with a full input, issued by caller (t_as). */
hv_status_t t_create_vp_in(struct ohv *hv, uint64_t caller,
			   const struct hv_input_create_vp *in);
/* HvCreateVp / HvDeleteVp from the root: VP vp of partition id. */
hv_status_t t_create_vp(struct ohv *hv, uint64_t id, uint32_t vp);
hv_status_t t_delete_vp(struct ohv *hv, uint64_t id, uint32_t vp);
hv_status_t t_delete_vp_as(struct ohv *hv, uint64_t caller, uint64_t id,
			   uint32_t vp);

/*
 * HvGetVpRegisters / HvSetVpRegisters by caller (t_as) on VP vp of id, n
 * elements from rep start 0, one invocation (no re-issue: tests look at
 * reps completed).  Fast calls from a child hold at most 4 names (get) or
 * 3 elements (set); the root's memory-based calls up to 256 and 127.
 * get stores the n values the call wrote back (the rest of vals keeps the
 * 0xA5 fill of t_mem / t_fast).  Return the result value.
 */
uint64_t t_get_regs(struct ohv *hv, uint64_t caller, uint64_t id, uint32_t vp,
		    uint8_t input_vtl, const uint32_t *names, uint32_t n,
		    union hv_register_value *vals);
uint64_t t_set_regs(struct ohv *hv, uint64_t caller, uint64_t id, uint32_t vp,
		    uint8_t input_vtl, const struct hv_register_assoc *regs,
		    uint32_t n);
/* One 64-bit register, InputVtl 0; the status. */
hv_status_t t_get_reg64(struct ohv *hv, uint64_t caller, uint64_t id,
			uint32_t vp, uint32_t name, uint64_t *value);
hv_status_t t_set_reg64(struct ohv *hv, uint64_t caller, uint64_t id,
			uint32_t vp, uint32_t name, uint64_t value);

/*
 * An Active child of the root that can issue hypercalls: created (funding
 * the root's pool as needed), PrivilegeFlags set to privileges while
 * Uninitialized (0 keeps the default), costs.initialize + costs.vp +
 * T_SPARE_PAGES pages deposited from *next_page onward, initialized, VP 0
 * created and its ExplicitSuspend cleared.  REQUIREs success.
 */
uint64_t t_runnable_child(struct ohv *hv, uint64_t *next_page,
			  uint64_t privileges);

/*
 * What "nothing changed" compares: every live partition in tree order with
 * its parent, depth, state, privileges, pool balance, charge, children and
 * VP count (ohv_partition_info).
 */
#define T_SNAP_MAX		128
struct t_snap {
	size_t n;
	uint64_t ids[T_SNAP_MAX];
	struct ohv_partition_info info[T_SNAP_MAX];
};
void t_snap_take(struct ohv *hv, struct t_snap *s);
/* CHECKs that hv still matches s; what names the case in the message. */
bool t_snap_same(struct ohv *hv, const struct t_snap *s, const char *what);

#endif /* OHV_TEST_T_H */
