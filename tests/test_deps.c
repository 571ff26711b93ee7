/* SPDX-License-Identifier: MIT */
/*
 * scripts/deps installs per make target (clang only for make fuzz), and
 * make fuzz tells how to get clang when it is missing.  scripts/deps runs
 * with -n (nothing installed) on an empty PATH, as on a machine that has
 * nothing yet.  make check exports OHV_SRCDIR, OHV_BUILD and OHV_MAKE
 * (mk/cli.mk); without them these tests skip.
 */
#include <stdlib.h>

#include "run.h"
#include "t.h"

/* What `scripts/deps -n args` would install on a machine with no tools. */
static void deps_would(struct t_run *r, const char *args)
{
	char script[800];
	static const char *const env[] = { "PATH=/nonexistent", NULL };

	snprintf(script, sizeof(script), "%s/scripts/deps",
		 t_env("OHV_SRCDIR"));
	{
		const char *argv[] = { "/bin/sh", "-c",
				       "exec /bin/sh \"$0\" -n $1", script,
				       args, NULL };

		t_run(r, NULL, env, argv);
	}
	CHECK_MSG(r->status == 0, "scripts/deps -n %s: exit %d %s", args,
		  r->status, r->err);
	CHECK_MSG(strstr(r->out, "openhv: would install:") != NULL, "%s",
		  r->out);
}

/* A word of the list, whole. */
static bool lists(const char *out, const char *pkg)
{
	size_t n = strlen(pkg);

	for (const char *p = out; (p = strstr(p, pkg)); p += n)
		if (p[-1] == ' ' && (p[n] == ' ' || p[n] == '\n' || p[n] == '('))
			return true;
	return false;
}

TEST(deps_per_target)
{
	struct t_run r;

	deps_would(&r, "build");
	CHECK_MSG(lists(r.out, "gcc") && lists(r.out, "make"), "%s", r.out);
	CHECK_MSG(!lists(r.out, "clang") && !strstr(r.out, "libclang") &&
		  !lists(r.out, "pkg-config"), "build: %s", r.out);
	t_run_free(&r);

	deps_would(&r, "");
	CHECK_MSG(lists(r.out, "gcc") && lists(r.out, "make") &&
		  lists(r.out, "pkg-config") &&
		  lists(r.out, "systemtap-sdt-dev"), "check: %s", r.out);
	CHECK_MSG(!lists(r.out, "clang") && !strstr(r.out, "libclang"),
		  "the default installs clang: %s", r.out);
	t_run_free(&r);

	deps_would(&r, "fuzz");
	CHECK_MSG(lists(r.out, "clang") && strstr(r.out, "libclang-rt-"),
		  "fuzz: %s", r.out);
	CHECK_MSG(!lists(r.out, "pkg-config"), "fuzz: %s", r.out);
	t_run_free(&r);

	deps_would(&r, "all");
	CHECK_MSG(lists(r.out, "clang") && lists(r.out, "pkg-config"),
		  "all: %s", r.out);
	t_run_free(&r);

	{
		char script[800];

		snprintf(script, sizeof(script), "%s/scripts/deps",
			 t_env("OHV_SRCDIR"));
		const char *argv[] = { "/bin/sh", script, "-n", "nonsense",
				       NULL };

		t_run(&r, NULL, NULL, argv);
	}
	CHECK_EQ(r.status, 2);
	CHECK_MSG(strstr(r.err, "usage: sh scripts/deps") != NULL, "%s", r.err);
	t_run_free(&r);
}

TEST(deps_fuzz_without_clang_says_how)
{
	const char *src = t_env("OHV_SRCDIR"), *build = t_env("OHV_BUILD");
	const char *make = t_env("OHV_MAKE");
	char o[600];
	struct t_run r;
	static const char *const env[] = {
		"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", NULL,
	};

	snprintf(o, sizeof(o), "O=%s", build);
	{
		const char *argv[] = { make, "-s", "-C", src, o,
				       "FUZZ_CC=/nonexistent/clang",
				       "fuzz-build", NULL };

		t_run(&r, NULL, env, argv);
	}
	CHECK(r.status != 0);
	CHECK_MSG(strstr(r.err, "run sh scripts/deps fuzz") != NULL, "%s%s",
		  r.out, r.err);
	t_run_free(&r);
}
