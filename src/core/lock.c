/* SPDX-License-Identifier: MIT */
/* The instance lock (lock.h). */
#include "internal.h"
#include "seam.h"

static inline void pause_once(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

void lock_take(struct ohv *hv)
{
	unsigned i;

	for (i = 0; i < OHV_LOCK_SPINS; i++) {
		if (!pthread_mutex_trylock(&hv->lock))
			break;
		pause_once();
	}
	if (i == OHV_LOCK_SPINS)
		pthread_mutex_lock(&hv->lock);
	__atomic_store_n(&hv->lock_owner, pthread_self(), __ATOMIC_RELAXED);
}

void lock_drop(struct ohv *hv)
{
	OHV_ASSERT(lock_held(hv));
	/* What the lock's holder changed in GPA maps is the backend's now. */
	seam_gpa_flush(hv);
	__atomic_store_n(&hv->lock_owner, (pthread_t)0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&hv->lock);
}

void lock_wait(struct ohv *hv, pthread_cond_t *c)
{
	OHV_ASSERT(lock_held(hv));
	seam_gpa_flush(hv);
	__atomic_store_n(&hv->lock_owner, (pthread_t)0, __ATOMIC_RELAXED);
	pthread_cond_wait(c, &hv->lock);
	__atomic_store_n(&hv->lock_owner, pthread_self(), __ATOMIC_RELAXED);
}

bool lock_held(const struct ohv *hv)
{
	/* Only the holder writes lock_owner, so a thread reading its own id
	 * there holds the lock; any other value means it does not. */
	return pthread_equal(__atomic_load_n(&hv->lock_owner, __ATOMIC_RELAXED),
			     pthread_self());
}
