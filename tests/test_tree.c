/* SPDX-License-Identifier: MIT */
/*
 * The tree keeps its promises: every source, header, script and Makefile
 * fragment carries the licence's SPDX line, and the README's source tree
 * names exactly the folders there are.
 */
#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "run.h"
#include "t.h"

static const char *srcdir(void)
{
	return t_env("OHV_SRCDIR");
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Files that must carry the SPDX line. */
static bool needs_spdx(const char *name)
{
	static const char *const suffixes[] = {
		".c", ".h", ".S", ".ld", ".mk", ".sh", ".py", ".ohv", ".1",
	};

	if (!strcmp(name, "Makefile") || !strcmp(name, "deps") ||
	    !strcmp(name, "run"))
		return true;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++)
		if (ends_with(name, suffixes[i]))
			return true;
	return false;
}

static size_t checked, missing;

static void walk(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d || depth > 6)
		return;
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;

		if (e->d_name[0] == '.' && strcmp(e->d_name, ".ci"))
			continue;
		if (!strncmp(e->d_name, "build", 5) || !strcmp(e->d_name, "corpus") ||
		    !strcmp(e->d_name, "crashes"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(path, depth + 1);
			continue;
		}
		if (!needs_spdx(e->d_name))
			continue;
		FILE *f = fopen(path, "r");
		char line[256];
		bool found = false;

		for (int i = 0; f && i < 3 && fgets(line, sizeof(line), f); i++)
			found |= strstr(line, "SPDX-License-Identifier: MIT") != NULL;
		if (f)
			fclose(f);
		checked++;
		if (!found && missing++ < 10)
			CHECK_MSG(0, "%s: no SPDX-License-Identifier line at the top",
				  path);
	}
	closedir(d);
}

TEST(tree_spdx_everywhere)
{
	const char *root = srcdir();
	char path[4096];

	snprintf(path, sizeof(path), "%s/LICENSE", root);
	FILE *f = fopen(path, "r");

	REQUIRE(f);
	char line[256];
	bool mit = false;

	while (fgets(line, sizeof(line), f))
		mit |= strstr(line, "MIT License") != NULL ||
		       strstr(line, "Permission is hereby granted") != NULL;
	fclose(f);
	CHECK(mit);
	checked = missing = 0;
	walk(root, 0);
	CHECK(checked > 50);
	CHECK_EQ(missing, 0);
}

/* The folders README.md's "Source tree" block lists, one per line that
 * starts with a path ending in '/'. */
TEST(tree_readme_lists_every_folder)
{
	const char *root = srcdir();
	char path[4096], line[512];

	snprintf(path, sizeof(path), "%s/README.md", root);
	FILE *f = fopen(path, "r");

	REQUIRE(f);
	bool in_section = false, in_block = false;
	char listed[64][128];
	size_t n = 0;

	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "## ", 3))
			in_section = strstr(line, "Source tree") != NULL;
		if (!in_section)
			continue;
		if (!strncmp(line, "```", 3)) {
			in_block = !in_block;
			continue;
		}
		char word[128];

		if (!in_block || sscanf(line, "%127s", word) != 1)
			continue;
		size_t k = strlen(word);

		if (k > 1 && word[k - 1] == '/' && n < 64) {
			word[k - 1] = 0;
			snprintf(listed[n++], sizeof(listed[0]), "%s", word);
			snprintf(path, sizeof(path), "%s/%s", root, word);
			struct stat st;

			CHECK_MSG(!stat(path, &st) && S_ISDIR(st.st_mode),
				  "README lists %s/, which is not a folder", word);
		}
	}
	fclose(f);
	REQUIRE(n > 0);

	/* Every folder at the top and under src/ is listed. */
	static const char *const parents[] = { "", "src/" };

	for (size_t p = 0; p < 2; p++) {
		snprintf(path, sizeof(path), "%s/%s", root, parents[p]);
		DIR *d = opendir(path);
		struct dirent *e;

		REQUIRE(d);
		while ((e = readdir(d))) {
			char rel[256], full[4096];
			struct stat st;

			if (e->d_name[0] == '.' || !strncmp(e->d_name, "build", 5))
				continue;
			snprintf(rel, sizeof(rel), "%s%s", parents[p], e->d_name);
			snprintf(full, sizeof(full), "%s/%s", root, rel);
			if (stat(full, &st) || !S_ISDIR(st.st_mode))
				continue;
			bool found = false;

			/* Listed itself, or a folder inside it is. */
			size_t rl = strlen(rel);

			for (size_t i = 0; i < n; i++)
				found |= !strncmp(listed[i], rel, rl) &&
					 (listed[i][rl] == 0 || listed[i][rl] == '/');
			CHECK_MSG(found, "README's source tree does not list %s/",
				  rel);
		}
		closedir(d);
	}
}
