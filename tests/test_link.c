/* SPDX-License-Identifier: MIT */
/*
 * Linking a program with libopenhv each way the documents say, as they say
 * it: every ```sh block of docs/linking.md and of README.md runs, top to
 * bottom, in a scratch tree that looks like the source tree after make
 * (build/, include/ and examples/ lead to the real ones).  There `cc` is
 * the compiler of the build under test with its link flags (OHV_CC,
 * OHV_LDFLAGS: a sanitizer build needs its runtimes), `make` is make in
 * the source tree with its build directory (OHV_MAKE, OHV_SRCDIR,
 * OHV_BUILD), and HOME is the scratch tree's, so `make install
 * PREFIX="$HOME/..."` installs there.  A block that runs a program must
 * print what examples/lifecycle.c prints.  The block that installs into
 * /usr/local with sudo is checked through DESTDIR instead.  make check
 * exports the variables (mk/cli.mk, mk/docs.mk); without them these tests
 * skip.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"
#include "t.h"

#define PROG_SAYS "partition 2: HV_STATUS_SUCCESS\n"

struct tree {
	char dir[64];
	char path[4200];	/* PATH=<dir>/bin:$PATH */
	char home[128];
	const char *env[16];
	bool sanitized;
};

static void tree_link(const struct tree *t, const char *name, const char *to)
{
	char at[256];

	snprintf(at, sizeof(at), "%s/%s", t->dir, name);
	REQUIRE(symlink(to, at) == 0);
}

/* The scratch tree, with its cc and make and the environment to run
 * blocks in. */
static void tree_open(struct tree *t)
{
	const char *src = t_env("OHV_SRCDIR"), *build = t_env("OHV_BUILD");
	const char *flags = getenv("OHV_LDFLAGS");
	char p[600];
	size_t n = 0;

	t_env("OHV_CC");
	t_env("OHV_MAKE");
	memset(t, 0, sizeof(*t));
	t->sanitized = flags && strstr(flags, "-fsanitize");
	t_scratch(t->dir, sizeof(t->dir));
	tree_link(t, "build", build);
	snprintf(p, sizeof(p), "%s/include", src);
	tree_link(t, "include", p);
	snprintf(p, sizeof(p), "%s/examples", src);
	tree_link(t, "examples", p);
	snprintf(p, sizeof(p), "%s/bin", t->dir);
	REQUIRE(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/home", t->dir);
	REQUIRE(mkdir(p, 0755) == 0);
	/* Each drops its own directory, first in PATH, before going on. */
	snprintf(p, sizeof(p), "%s/bin/cc", t->dir);
	t_write(p,
		"#!/bin/sh\n"
		"PATH=${PATH#*:}\n"
		"exec $OHV_CC \"$@\" $OHV_LDFLAGS\n", 0755);
	snprintf(p, sizeof(p), "%s/bin/make", t->dir);
	t_write(p,
		"#!/bin/sh\n"
		"PATH=${PATH#*:}\n"
		"unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES\n"
		"exec $OHV_MAKE -s -C \"$OHV_SRCDIR\" O=\"$OHV_BUILD\" "
		"CC=\"$OHV_CC\" \"$@\"\n", 0755);
	snprintf(t->path, sizeof(t->path), "PATH=%s/bin:%s", t->dir,
		 getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	snprintf(t->home, sizeof(t->home), "HOME=%s/home", t->dir);
	t->env[n++] = t->path;
	t->env[n++] = t->home;
	/* Nothing from outside may find the library for the blocks. */
	t->env[n++] = "LD_LIBRARY_PATH";
	t->env[n++] = "PKG_CONFIG_PATH";
	t->env[n++] = "PKG_CONFIG_SYSROOT_DIR";
	t->env[n++] = "LIBRARY_PATH";
	t->env[n++] = "CPATH";
	t->env[n] = NULL;
}

static void tree_close(struct tree *t)
{
	t_rmtree(t->dir);
}

static int line_of(const char *text, const char *at)
{
	int line = 1;

	for (const char *p = text; p < at; p++)
		line += *p == '\n';
	return line;
}

/* Run one block with sh -e in the tree; a block that runs a program must
 * show what the program prints. */
static void run_block(struct tree *t, const char *doc, int line,
		      const char *block)
{
	struct t_run r;
	size_t n = strlen(block) + 16;
	char *script = malloc(n);

	REQUIRE(script != NULL);
	snprintf(script, n, "set -e\n%s", block);
	t_run_sh(&r, t->dir, t->env, script);
	CHECK_MSG(r.status == 0, "%s:%d: exit %d\n%s\n--- output:\n%s%s", doc,
		  line, r.status, block, r.out, r.err);
	if (strstr(block, "./"))
		CHECK_MSG(strstr(r.out, PROG_SAYS) != NULL,
			  "%s:%d: the program did not print \"%.*s\"\n%s\n"
			  "--- output:\n%s%s", doc, line,
			  (int)strlen(PROG_SAYS) - 1, PROG_SAYS, block, r.out,
			  r.err);
	t_run_free(&r);
	free(script);
}

/*
 * Every ```sh block of doc (relative to the source tree), in order.
 * Blocks with sudo write to the system and are counted in *sudo, not run;
 * a sanitizer build cannot link -static, so its -static blocks are left
 * to make check.  Returns the number of blocks run.
 */
static int run_doc(struct tree *t, const char *doc, int *sudo)
{
	char path[600];
	char *md, *p;
	int ran = 0;

	snprintf(path, sizeof(path), "%s/%s", t_env("OHV_SRCDIR"), doc);
	md = t_slurp(path, NULL);
	REQUIRE(md != NULL);
	for (p = md; (p = strstr(p, "```sh\n")); ) {
		char *body = p + 6, *end = body;

		if (p != md && p[-1] != '\n') {
			p++;
			continue;
		}
		while ((end = strstr(end, "\n```")) && end[4] != '\n' &&
		       end[4] != 0)
			end++;
		REQUIRE(end != NULL);
		char *block = strndup(body, (size_t)(end - body) + 1);

		REQUIRE(block != NULL);
		if (strstr(block, "sudo ")) {
			if (sudo)
				++*sudo;
		} else if (!(t->sanitized && strstr(block, "cc -static "))) {
			run_block(t, doc, line_of(md, body), block);
			ran++;
		}
		free(block);
		p = end + 4;
	}
	free(md);
	return ran;
}

TEST(link_readme_as_written)
{
	struct tree t;

	tree_open(&t);
	CHECK_MSG(run_doc(&t, "README.md", NULL) >= 1,
		  "README.md shows no build command (```sh block) any more");
	tree_close(&t);
}

TEST(link_each_documented_way)
{
	struct tree t;
	int sudo = 0, ran;

	tree_open(&t);
	ran = run_doc(&t, "docs/linking.md", &sudo);
	/* The copy, the archive and the shared library twice from the build
	 * tree, two at another PREFIX, two static (the fully static one
	 * only without sanitizers). */
	CHECK_MSG(ran >= (t.sanitized ? 7 : 8),
		  "docs/linking.md: %d blocks ran, fewer than its ways", ran);
	CHECK_EQ(sudo, 1);
	tree_close(&t);
}

/*
 * What docs/linking.md says of a plain -Lbuild -lopenhv: it links, then
 * the loader cannot find libopenhv.so.0.
 */
TEST(link_shared_without_rpath_fails_as_documented)
{
	struct tree t;
	struct t_run r;

	tree_open(&t);
	t_run_sh(&r, NULL, NULL, "/sbin/ldconfig -p 2>/dev/null | "
		 "grep -q 'libopenhv\\.so\\.0 '");
	if (r.status == 0) {
		tree_close(&t);
		SKIP("a libopenhv.so.0 is installed where the loader finds it");
	}
	t_run_free(&r);
	t_run_sh(&r, t.dir, t.env,
		 "cp examples/lifecycle.c prog.c && "
		 "cc -Iinclude prog.c -Lbuild -lopenhv -o prog");
	CHECK_MSG(r.status == 0, "link: %s%s", r.out, r.err);
	t_run_free(&r);
	t_run_sh(&r, t.dir, t.env, "./prog");
	CHECK(r.status != 0);
	CHECK_MSG(strstr(r.err, "libopenhv.so.0: cannot open shared object "
			 "file") != NULL, "./prog: %s", r.err);
	t_run_free(&r);
	tree_close(&t);
}

/*
 * The default PREFIX without writing to /usr/local: make install with
 * DESTDIR stages the files as they would land there; pkg-config reads the
 * staged openhv.pc (which names /usr/local) with the stage as its sysroot,
 * and the program runs from the staged lib.
 */
TEST(link_default_prefix_staged)
{
	struct tree t;
	struct t_run r;
	char pc[200], *text;

	tree_open(&t);
	t_run_sh(&r, t.dir, t.env,
		 "set -e\n"
		 "cp examples/lifecycle.c prog.c\n"
		 "make install DESTDIR=\"$PWD/stage\"\n"
		 "export PKG_CONFIG_SYSROOT_DIR=\"$PWD/stage\"\n"
		 "export PKG_CONFIG_PATH=\"$PWD/stage/usr/local/lib/pkgconfig\"\n"
		 "cc prog.c $(pkg-config --cflags --libs openhv) -o prog\n"
		 "LD_LIBRARY_PATH=\"$PWD/stage/usr/local/lib\" ./prog\n");
	CHECK_MSG(r.status == 0, "exit %d: %s%s", r.status, r.out, r.err);
	CHECK_MSG(strstr(r.out, PROG_SAYS) != NULL, "%s%s", r.out, r.err);
	t_run_free(&r);
	snprintf(pc, sizeof(pc), "%s/stage/usr/local/lib/pkgconfig/openhv.pc",
		 t.dir);
	text = t_slurp(pc, NULL);
	CHECK_MSG(text && strstr(text, "prefix=/usr/local\n") &&
		  strstr(text, "libdir=/usr/local/lib\n"),
		  "openhv.pc: %s", text ? text : "(missing)");
	free(text);
	tree_close(&t);
}
