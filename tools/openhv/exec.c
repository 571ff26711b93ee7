/* SPDX-License-Identifier: MIT */
/*
 * openhv exec: run a /dev/mshv client with libopenhv-mshv.so preloaded
 * (spec.md §12), so that an unmodified VMM finds /dev/mshv in its own
 * process and openhv answers it on KVM.
 *
 *   openhv exec [--trace=FILE] [--memory=MB] -- PROG [ARGS...]
 *
 * The library is looked for in OPENHV_MSHV_LIB, beside this program (the
 * build tree), then in ../lib/openhv/ from it (an installation).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define LIB_NAME "libopenhv-mshv.so"

static void exec_usage(FILE *f)
{
	fprintf(f,
		"usage: openhv exec [--trace=FILE] [--memory=MB] -- PROG "
		"[ARGS...]\n"
		"\n"
		"Run PROG with libopenhv-mshv.so preloaded: /dev/mshv exists in\n"
		"its process and openhv answers its ioctls, each child partition\n"
		"a KVM virtual machine (needs /dev/kvm).\n"
		"  --trace=FILE  every ioctl and hypercall as a JSON line\n"
		"  --memory=MB   the instance's machine memory (default 12288)\n");
}

/* The library: OPENHV_MSHV_LIB, beside the tool, or ../lib/openhv/. */
static bool find_lib(char *out, size_t n)
{
	const char *env = getenv("OPENHV_MSHV_LIB");
	char self[PATH_MAX];
	ssize_t len;

	if (env && *env) {
		snprintf(out, n, "%s", env);
		return !access(out, R_OK);
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0)
		return false;
	self[len] = 0;
	char *slash = strrchr(self, '/');

	if (!slash)
		return false;
	*slash = 0;
	if ((size_t)snprintf(out, n, "%.*s/%s", (int)(n / 2), self, LIB_NAME) <
	    n && !access(out, R_OK))
		return true;
	return (size_t)snprintf(out, n, "%.*s/../lib/openhv/%s", (int)(n / 2),
				self, LIB_NAME) < n && !access(out, R_OK);
}

int cmd_exec(int argc, char **argv)
{
	const char *trace = NULL, *memory = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strncmp(argv[i], "--trace=", 8) && argv[i][8]) {
			trace = argv[i] + 8;
		} else if (!strncmp(argv[i], "--memory=", 9) && argv[i][9]) {
			memory = argv[i] + 9;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			exec_usage(stdout);
			return CLI_OK;
		} else {
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "openhv exec: no program to run\n");
		exec_usage(stderr);
		return CLI_USAGE;
	}
	if (memory) {
		char *end;
		unsigned long mb = strtoul(memory, &end, 10);

		if (*end || !mb) {
			fprintf(stderr, "openhv exec: --memory=%s: a number of "
				"MiB\n", memory);
			return CLI_USAGE;
		}
		setenv("OPENHV_MSHV_MEMORY_MB", memory, 1);
	}
	char lib[PATH_MAX];

	if (!find_lib(lib, sizeof(lib))) {
		fprintf(stderr, "openhv exec: no %s (build it with make, or "
			"set OPENHV_MSHV_LIB)\n", LIB_NAME);
		return CLI_FAILED;
	}
	if (trace) {
		char abs[PATH_MAX];

		/* The client may change directory: the path stays absolute. */
		if (trace[0] != '/' && getcwd(abs, sizeof(abs)) &&
		    strlen(abs) + strlen(trace) + 2 < sizeof(abs)) {
			strcat(abs, "/");
			strcat(abs, trace);
			trace = abs;
		}
		setenv("OPENHV_MSHV_TRACE", trace, 1);
	}
	/* Ours first, before whatever the caller preloads. */
	const char *old = getenv("LD_PRELOAD");
	size_t need = strlen(lib) + (old ? strlen(old) + 2 : 1);
	char *preload = malloc(need);

	if (!preload)
		return CLI_FAILED;
	snprintf(preload, need, "%s%s%s", lib, old && *old ? ":" : "",
		 old ? old : "");
	setenv("LD_PRELOAD", preload, 1);
	free(preload);
	execvp(argv[i], argv + i);
	fprintf(stderr, "openhv exec: %s: %s\n", argv[i], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
