/*
 * The instance lock, the one way to take it.  A hypercall holds it for its
 * bookkeeping, observers for their reads; a handler may let go of it only
 * through the hypercall context (hvctx.h), around work on what it alone
 * holds.  Lock order: the root allocator's lock (rootmem.c), then this
 * one; never the other way round.
 *
 * lock_held() tells whether the calling thread holds it; functions that
 * need it say so with LOCK_HELD(hv), checked in debug builds.
 */
#ifndef OHV_LOCK_H
#define OHV_LOCK_H

#include <pthread.h>
#include <stdbool.h>

struct ohv;

/*
 * Waiters spin a while before sleeping.  A hypercall holds the lock for
 * microseconds, and in a VM a waiter that sleeps costs a wake-up of its
 * idle virtual CPU: with two threads, spinning took threads2_speedup from
 * a median of 1.51 to 1.83 (docs/performance.md).  2,000 pauses are tens
 * of microseconds, about the longest a rep call holds the lock.
 */
#define OHV_LOCK_SPINS	2000u

void lock_take(struct ohv *hv);
void lock_drop(struct ohv *hv);
/* Wait on c, letting the lock go meanwhile; held again on return. */
void lock_wait(struct ohv *hv, pthread_cond_t *c);
bool lock_held(const struct ohv *hv);

#define LOCK_HELD(hv)	OHV_ASSERT(lock_held(hv))

#endif /* OHV_LOCK_H */
