/* SPDX-License-Identifier: MIT */
/*
 * The documents that must not drift from the code: docs/api.md against the
 * headers it is generated from (scripts/api-doc), the README's C program
 * against examples/, the README's scenarios run by the tool, and the
 * README's first screen saying what openhv does and does not do, and one
 * version number everywhere.  make check exports OHV_SRCDIR, OHV_BUILD and
 * OHV_TOOL (mk/cli.mk); without them these tests skip.
 */
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "run.h"
#include "t.h"

#define REGEN "run `make api-doc` and commit docs/api.md"

/* The line of text holding byte off (1-based). */
static int line_of(const char *text, size_t off)
{
	int line = 1;

	for (size_t i = 0; i < off && text[i]; i++)
		line += text[i] == '\n';
	return line;
}

/* Print the first line where a and b differ. */
static void first_difference(const char *a, const char *b, const char *what)
{
	size_t i = 0, start = 0;

	while (a[i] && a[i] == b[i]) {
		if (a[i] == '\n')
			start = i + 1;
		i++;
	}
	int la = (int)strcspn(a + start, "\n"), lb = (int)strcspn(b + start, "\n");

	CHECK_MSG(0, "%s, first at line %d:\n      generated: %.*s\n"
		  "      committed: %.*s", what, line_of(a, start), la, a + start,
		  lb, b + start);
}

TEST(docs_api_md_up_to_date)
{
	const char *src = t_env("OHV_SRCDIR");
	char script[600], doc[600];
	struct t_run r;
	char *committed;

	snprintf(script, sizeof(script), "%s/scripts/api-doc", src);
	snprintf(doc, sizeof(doc), "%s/docs/api.md", src);
	{
		const char *argv[] = { "sh", script, src, NULL };

		t_run(&r, NULL, NULL, argv);
	}
	CHECK_MSG(r.status == 0,
		  "scripts/api-doc: every public function needs a contract "
		  "comment naming what it returns (STYLE.md \"Comments\"); add "
		  "it above the prototype in the header, then " REGEN ":\n%s",
		  r.err);
	REQUIRE(r.out_len > 0);
	committed = t_slurp(doc, NULL);
	CHECK_MSG(committed != NULL, "docs/api.md is missing: " REGEN);
	if (committed && strcmp(r.out, committed))
		first_difference(r.out, committed,
				 "docs/api.md is out of date with "
				 "include/openhv/*.h: " REGEN);
	free(committed);
	t_run_free(&r);
}

/* Every function libopenhv.so exports has its entry, and every OHV_API
 * function of the reference is exported: the reference misses nothing the
 * header parser could overlook. */
TEST(docs_api_md_covers_every_export)
{
	const char *src = t_env("OHV_SRCDIR"), *build = t_env("OHV_BUILD");
	char cmd[1400];
	struct t_run doc, nm;

	{
		struct t_run w;

		t_run_sh(&w, NULL, NULL, "command -v nm");
		if (w.status)
			SKIP("nm (binutils) is not installed");
		t_run_free(&w);
	}
	snprintf(cmd, sizeof(cmd),
		 "sh '%s/scripts/api-doc' -l '%s' | sed -n 's/ api$//p' | "
		 "LC_ALL=C sort", src, src);
	t_run_sh(&doc, NULL, NULL, cmd);
	REQUIRE(doc.status == 0);
	snprintf(cmd, sizeof(cmd),
		 "nm -D --defined-only '%s/libopenhv.so.0' | "
		 "awk '$3 ~ /^ohv_/ { print $3 }' | LC_ALL=C sort", build);
	t_run_sh(&nm, NULL, NULL, cmd);
	REQUIRE(nm.status == 0);
	CHECK(nm.out_len > 0);
	CHECK_MSG(!strcmp(doc.out, nm.out),
		  "the OHV_API functions scripts/api-doc finds differ from "
		  "what libopenhv.so exports\n  reference:\n%s\n  exported:\n%s",
		  doc.out, nm.out);
	t_run_free(&doc);
	t_run_free(&nm);
}

/*
 * The fenced blocks of a markdown file with the given info string: calls
 * fn(ctx, block text, line of its first line) for each; returns how many.
 */
static int each_block(const char *md, const char *info,
		      void (*fn)(void *ctx, const char *block, int line),
		      void *ctx)
{
	char open[32];
	const char *p = md;
	int n = 0;

	snprintf(open, sizeof(open), "```%s\n", info);
	while ((p = strstr(p, open))) {
		if (p != md && p[-1] != '\n') {
			p++;
			continue;
		}
		const char *body = p + strlen(open), *end = body;

		/* The closing fence: a line that is exactly ```. */
		while ((end = strstr(end, "```")) &&
		       !(end[-1] == '\n' && (end[3] == '\n' || !end[3])))
			end++;
		REQUIRE(end != NULL);
		char *block = strndup(body, (size_t)(end - body));

		REQUIRE(block != NULL);
		fn(ctx, block, line_of(md, (size_t)(body - md)));
		free(block);
		n++;
		p = end + 3;
	}
	return n;
}

/* A README block must be one of examples/<name>.<ext>, byte for byte. */
struct example_match {
	const char *src;
	const char *ext;
};

static void block_is_example(void *ctx, const char *block, int line)
{
	const struct example_match *m = ctx;
	char dir[600];
	DIR *d;
	struct dirent *e;
	bool found = false;

	snprintf(dir, sizeof(dir), "%s/examples", m->src);
	d = opendir(dir);
	REQUIRE(d != NULL);
	while (!found && (e = readdir(d))) {
		size_t nl = strlen(e->d_name), el = strlen(m->ext);
		char path[900];
		char *text;

		if (nl <= el || strcmp(e->d_name + nl - el, m->ext))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		text = t_slurp(path, NULL);
		found = text && !strcmp(text, block);
		free(text);
	}
	closedir(d);
	CHECK_MSG(found, "README.md:%d: this ```%s block is not a copy of any "
		  "examples/*%s file: show the example as it is (the examples "
		  "are built and run by make check)", line, m->ext + 1,
		  m->ext);
}

TEST(docs_readme_c_blocks_are_examples)
{
	const char *src = t_env("OHV_SRCDIR");
	char path[600];
	char *md;
	struct example_match m = { src, ".c" };

	snprintf(path, sizeof(path), "%s/README.md", src);
	md = t_slurp(path, NULL);
	REQUIRE(md != NULL);
	CHECK_MSG(each_block(md, "c", block_is_example, &m) >= 1,
		  "README.md shows no C program (```c block) any more");
	free(md);
}

/* A README scenario block runs as it is and succeeds. */
static void block_runs(void *ctx, const char *block, int line)
{
	const char *tool = ctx;
	char dir[64], file[128];
	struct t_run r;

	t_scratch(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/readme.ohv", dir);
	t_write(file, block, 0644);
	{
		const char *argv[] = { tool, "run", file, NULL };

		t_run(&r, dir, NULL, argv);
	}
	CHECK_MSG(r.status == 0, "README.md:%d: the scenario fails "
		  "(openhv run, exit %d):\n%s%s", line, r.status, r.out, r.err);
	t_run_free(&r);
	t_rmtree(dir);
}

TEST(docs_readme_scenarios_run)
{
	const char *src = t_env("OHV_SRCDIR"), *tool = t_env("OHV_TOOL");
	char path[600];
	char *md;

	snprintf(path, sizeof(path), "%s/README.md", src);
	md = t_slurp(path, NULL);
	REQUIRE(md != NULL);
	CHECK_MSG(each_block(md, "ohv", block_runs, (void *)tool) >= 1,
		  "README.md shows no scenario (```ohv block) any more");
	free(md);
}

/*
 * The README says in its first screen what openhv does today and what it
 * does not: its "Status and limitations" section starts within the first
 * 40 lines, and the claim that a VMM runs against openhv as it is (VMMs
 * use /dev/mshv ioctls, not hypercalls) stays out.
 */
TEST(docs_readme_status_first)
{
	const char *src = t_env("OHV_SRCDIR");
	char path[600];
	char *md, *at;

	snprintf(path, sizeof(path), "%s/README.md", src);
	md = t_slurp(path, NULL);
	REQUIRE(md != NULL);
	at = strstr(md, "\n## Status and limitations\n");
	CHECK_MSG(at != NULL, "README.md has no \"## Status and limitations\"");
	if (at)
		CHECK_MSG(line_of(md, (size_t)(at - md)) + 1 <= 40,
			  "README.md: \"Status and limitations\" starts at line "
			  "%d, past the first screen (40 lines)",
			  line_of(md, (size_t)(at - md)) + 1);
	CHECK_MSG(!strstr(md, "run against openhv unchanged"),
		  "README.md claims VMM code runs against openhv unchanged");
	free(md);
}

/*
 * One version everywhere (docs/versioning.md): the Makefile's VERSION, the
 * header's macros, the library, the man page's title, and an entry of
 * CHANGELOG.md beside its Unreleased section.
 */
TEST(docs_version_everywhere)
{
	const char *src = t_env("OHV_SRCDIR");
	char path[600], want[64], *text, *at;

	snprintf(want, sizeof(want), "%d.%d.%d", OHV_VERSION_MAJOR,
		 OHV_VERSION_MINOR, OHV_VERSION_PATCH);
	CHECK_MSG(!strcmp(want, OHV_VERSION_STRING), "OHV_VERSION_STRING %s, "
		  "macros %s", OHV_VERSION_STRING, want);
	CHECK_MSG(!strcmp(ohv_version(), OHV_VERSION_STRING),
		  "ohv_version() %s", ohv_version());

	snprintf(path, sizeof(path), "%s/Makefile", src);
	text = t_slurp(path, NULL);
	REQUIRE(text != NULL);
	at = strstr(text, "\nVERSION");
	CHECK_MSG(at != NULL, "Makefile sets no VERSION");
	if (at) {
		at += strcspn(at + 1, "=") + 2;
		at += strspn(at, " \t");
		CHECK_MSG(!strncmp(at, OHV_VERSION_STRING "\n",
				   strlen(OHV_VERSION_STRING) + 1),
			  "Makefile VERSION %.*s, header %s",
			  (int)strcspn(at, "\n"), at, OHV_VERSION_STRING);
	}
	free(text);

	snprintf(path, sizeof(path), "%s/docs/openhv.1", src);
	text = t_slurp(path, NULL);
	REQUIRE(text != NULL);
	CHECK_MSG(!strncmp(text, ".TH OPENHV 1 ", 13) &&
		  strstr(text, "\"openhv " OHV_VERSION_STRING "\"") &&
		  strstr(text, "\"openhv " OHV_VERSION_STRING "\"") <
		  strchr(text, '\n'),
		  "docs/openhv.1's .TH line does not name openhv %s",
		  OHV_VERSION_STRING);
	free(text);

	snprintf(path, sizeof(path), "%s/CHANGELOG.md", src);
	text = t_slurp(path, NULL);
	CHECK_MSG(text != NULL, "CHANGELOG.md is missing");
	if (text) {
		CHECK_MSG(strstr(text, "\n## [Unreleased]\n") != NULL,
			  "CHANGELOG.md has no \"## [Unreleased]\" section");
		CHECK_MSG(strstr(text, "\n## [" OHV_VERSION_STRING "] - "),
			  "CHANGELOG.md has no \"## [%s] - DATE\" entry",
			  OHV_VERSION_STRING);
	}
	free(text);
}
