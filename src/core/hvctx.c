/*
 * The hypercall context (hvctx.h): the rep budget and letting go of the
 * instance lock, for handlers.
 */
#include "hvctx.h"

#include <time.h>

uint64_t ohv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Most elements between two clock reads: cheap elements cost ~5 ns. */
#define BUDGET_MAX_INTERVAL	64u

bool hc_budget_check(struct hvctx *cx, uint32_t done)
{
	const struct ohv_config *cfg = &cx->hv->cfg;

	if (cfg->rep_limit && done >= cfg->rep_limit)
		return true;
	if (!cx->started_ns) {
		cx->next_check = cfg->rep_limit ? cfg->rep_limit : UINT32_MAX;
		return false;
	}
	/*
	 * Read the clock, then space the next read by what the elements
	 * have cost so far: half of the time left, at the running average,
	 * so that slow elements (first-touch zeroing) cannot overrun the
	 * budget by much and cheap ones do not pay for the clock.
	 */
	uint64_t elapsed = ohv_now_ns() - cx->started_ns;

	if (elapsed >= cfg->rep_budget_ns)
		return true;
	uint64_t per = elapsed / done + 1;
	uint64_t interval = (cfg->rep_budget_ns - elapsed) / per / 2;

	if (interval < 1)
		interval = 1;
	if (interval > BUDGET_MAX_INTERVAL)
		interval = BUDGET_MAX_INTERVAL;
	cx->next_check = done + (uint32_t)interval;
	if (cfg->rep_limit && cx->next_check > cfg->rep_limit)
		cx->next_check = cfg->rep_limit;
	return false;
}

void hc_unlock(struct hvctx *cx)
{
	cx->unlocked = true;
	lock_drop(cx->hv);
}

void hc_relock(struct hvctx *cx)
{
	lock_take(cx->hv);
}

void hc_wait_left(struct hvctx *cx)
{
	cx->unlocked = true;
	lock_wait(cx->hv, &cx->hv->left);
}

