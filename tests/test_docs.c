/* SPDX-License-Identifier: MIT */
/*
 * The documents that must not drift from the code: docs/api.md against the
 * headers it is generated from (scripts/api-doc).  make check exports
 * OHV_SRCDIR and OHV_BUILD (mk/cli.mk); without them these tests skip.
 */
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
