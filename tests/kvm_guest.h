/* SPDX-License-Identifier: MIT */
/*
 * Running the tiny guests of tests/guests/ on the KVM backend (spec.md
 * §2.1, 11), through the public API only: an instance with the KVM
 * backend (or SKIP when /dev/kvm cannot serve), a child partition whose
 * first KG_PAGES GPA pages are root pages, the image, page tables, GDT,
 * TSS and IDT written there, VP 0 in 64-bit long mode at CPL 0 at the
 * image's entry, and the guest's reports read back as the I/O intercepts
 * they are (port KG_PORT, tests/guests/layout.h).
 *
 * A guest report is a REQUIREd intercept: anything else stops the test
 * with what came instead, decoded.  Threaded tests run the VP on a
 * kg_runner thread and give every wait a bound, so a backend that hangs
 * fails the test with its own message instead of the runner's time limit.
 */
#ifndef OHV_TEST_KVM_GUEST_H
#define OHV_TEST_KVM_GUEST_H

#include <pthread.h>

#include "guests/layout.h"
#include "t.h"

/* A guest image embedded by mk/guests.mk. */
struct kg_image {
	const char *name;
	const uint8_t *start, *end;
};
extern const struct kg_image kg_guest_hv, kg_guest_synic, kg_guest_fault;

struct kg {
	struct ohv *hv;
	struct ohv_client *root;	/* VP 0 of the root           */
	uint64_t id;			/* the child                  */
	uint64_t privileges;		/* its PrivilegeFlags         */
	uint64_t pages[KG_PAGES];	/* root pages at child GPA 0.. */
	uint64_t ro_page;		/* root page at KG_RO_PAGE, 0: none */
	const struct kg_image *img;
	uint64_t entry;
	struct hv_message msg;		/* the last intercept         */
	int destroyed;			/* the child is gone already  */
	int shared;			/* hv and root are another's  */
};

/* Bounds of the waits below, in milliseconds. */
#define KG_WAIT_MS	20000u

/*
 * An instance with the KVM backend: SKIPs with the reason when ohv_open
 * says /dev/kvm cannot serve (-ENODEV, -EACCES); any other failure fails.
 */
struct ohv *kg_open(void);

/*
 * kg_open, then a child with PrivilegeFlags OHV_CHILD_PRIVILEGES | extra,
 * initialized, KG_PAGES root pages mapped RWX at GPA 0, img loaded at
 * KG_IMAGE with its IDT, VP 0 created and set up for long mode at img's
 * entry with RDI = rdi and RSI = rsi.  REQUIREs every step.
 */
void kg_start(struct kg *g, const struct kg_image *img, uint64_t extra,
	      uint64_t rdi, uint64_t rsi);

/* The same, for a second child in first's instance (kg_end of this one
 * leaves the instance open; end it before first). */
void kg_start_next(struct kg *g, struct kg *first,
		   const struct kg_image *img, uint64_t extra, uint64_t rdi,
		   uint64_t rsi);

/* In extra: the privileges are exactly the other bits (no
 * OHV_CHILD_PRIVILEGES).  Bit 63 is no privilege (hv.h). */
#define KG_PRIV_EXACT	(1ull << 63)

/* Checks of an intercept header for the guests' 64-bit mode: execution
 * state (CPL from CS, PE, AM, LMA, nothing pending) and a payload size of
 * at least size bytes. */
void kg_check_state(const char *what, const struct hv_message *msg,
		    size_t size);

/* Map one more root page at KG_RO_PAGE, readable and executable but not
 * writable, its first qword set to first (before the guest runs). */
void kg_map_ro(struct kg *g, uint64_t first);

/* Host view of child GPA [gpa, gpa + len), inside one of its pages
 * (REQUIREd). */
void *kg_ptr(struct kg *g, uint64_t gpa, size_t len);

/* ohv_vp_run of VP 0 into g->msg; its return value. */
int kg_run(struct kg *g);

/*
 * Check that (rc, msg) is a guest report: 0, an I/O intercept of VP 0
 * writing 4 bytes to port KG_PORT with `out %eax, $imm8` at its RIP.
 * Then advance RIP past it and return RAX.  what names the report in
 * failure messages, which stop the test.
 */
uint64_t kg_take_report(struct kg *g, int rc, const struct hv_message *msg,
			const char *what);
/* kg_run, then kg_take_report. */
uint64_t kg_report(struct kg *g, const char *what);

/* The next report is want (CHECKed, with what in the message). */
#define KG_EXPECT(g, what, want)                                              \
	do {                                                                  \
		uint64_t got3_ = kg_report((g), (what));                      \
		uint64_t want3_ = (uint64_t)(want);                           \
		CHECK_MSG(got3_ == want3_, "%s: got 0x%" PRIx64               \
			  ", want 0x%" PRIx64, (what), got3_, want3_);        \
	} while (0)

/* An exception report of kg_exc_handlers: REQUIREs KG_EXC | vector and
 * returns its error code, RIP and CS. */
void kg_exception(struct kg *g, const char *what, unsigned vector,
		  uint64_t *error, uint64_t *rip, uint64_t *cs);

/* A run that must end in an intercept of type type: REQUIREd, with a
 * kick after KG_WAIT_MS so that a run that never returns fails. */
void kg_run_to(struct kg *g, uint32_t type, const char *what);

/* Whether a halt intercept's RIP is the hlt or just past it (spec.md
 * §11.4 does not say which; KVM's in-kernel HLT has executed it). */
bool kg_halted_at(struct kg *g, uint64_t rip);

/* Set RIP of VP 0 to the intercepted instruction's end (header RIP plus
 * its instruction length), as a parent completing it does. */
void kg_skip(struct kg *g);

/* One register of VP 0 (REQUIREd). */
uint64_t kg_get_reg(struct kg *g, uint32_t name);
void kg_set_reg(struct kg *g, uint32_t name, uint64_t value);

/* "I/O port 0x80 write, rip 0x10008" and the like, for messages. */
const char *kg_describe(const struct hv_message *msg, char *buf, size_t len);

/* Destroy the child (unless gone), check the invariants, close. */
void kg_end(struct kg *g);

/* ohv_vp_run of VP 0 on a thread of its own. */
struct kg_runner {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct kg *g;
	int done;
	int rc;
	struct hv_message msg;
};
void kg_runner_start(struct kg_runner *r, struct kg *g);
/* Whether the run returned within ms (then r->rc and r->msg hold it). */
bool kg_runner_wait(struct kg_runner *r, unsigned ms);
/* Wait up to KG_WAIT_MS; when the run has not returned, kick it, wait
 * again, and fail (stopping the test if even the kick did nothing).  On
 * return the thread is joined.  Returns whether it returned unkicked. */
bool kg_runner_finish(struct kg_runner *r, const char *what);

/* Milliseconds of sleep. */
void kg_sleep_ms(unsigned ms);

#endif /* OHV_TEST_KVM_GUEST_H */
