/* SPDX-License-Identifier: MIT */
/*
 * libopenhv-mshv's own tests (spec.md §12): each case of tests/mshv/ runs
 * as a client process with the library preloaded, as a VMM would, and
 * passes when that process exits 0.  The cases skip, with the reason,
 * where /dev/kvm cannot serve.
 */
#include <limits.h>
#include <unistd.h>

#include "run.h"
#include "t.h"

static void mshv_case(const char *name)
{
	const char *b = t_env("OHV_BUILD");
	char client[PATH_MAX], lib[PATH_MAX], preload[PATH_MAX + 16];

	snprintf(client, sizeof(client), "%s/tests/mshv/client", b);
	snprintf(lib, sizeof(lib), "%s/libopenhv-mshv.so", b);
	if (access(client, X_OK) || access(lib, R_OK))
		SKIP("no %s or %s: build them", client, lib);
	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", lib);
	const char *env[] = { preload, NULL };
	const char *argv[] = { client, name, NULL };
	struct t_run r;

	t_run(&r, NULL, env, argv);
	if (r.status == 77)
		SKIP("%s", r.err ? r.err : "skipped");
	CHECK_MSG(r.status == 0, "case %s exited %d:\n%s%s", name, r.status,
		  r.out ? r.out : "", r.err ? r.err : "");
	t_run_free(&r);
}

#define MSHV_CASE(name) TEST(mshv_##name) { mshv_case(#name); }

MSHV_CASE(dev_open_dup_unknown)
MSHV_CASE(dev_create_partition_checks)
