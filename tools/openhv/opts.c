/* SPDX-License-Identifier: MIT */
/* The options run, shell, show and costs share. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum ohv_backend cli_backend = OHV_BACKEND_AUTO;

int cli_parse_backend(const char *text, enum ohv_backend *b)
{
	if (text && !strcmp(text, "kvm"))
		*b = OHV_BACKEND_KVM;
	else if (text && !strcmp(text, "null"))
		*b = OHV_BACKEND_NULL;
	else if (text && !strcmp(text, "auto"))
		*b = OHV_BACKEND_AUTO;
	else {
		fprintf(stderr, "openhv: --backend is kvm, null or auto%s%s%s\n",
			text ? ", not '" : "", text ? text : "", text ? "'" : "");
		return CLI_USAGE;
	}
	return CLI_OK;
}

void cli_instance_usage(FILE *f)
{
	fprintf(f,
		"\nInstance options (a scenario's `config` line overrides them):\n"
		"  --backend B      what runs guest code: kvm (fails without a\n"
		"                   usable /dev/kvm), null (nothing: hypercalls\n"
		"                   only) or auto (kvm when it can serve; default)\n"
		"  --arm64          an arm64 instance (48-byte HvCreatePartition,\n"
		"                   128-byte fast register block)\n"
		"  --numa N         N NUMA nodes (1-%u)\n"
		"  --memory PAGES   machine memory in 4 KiB pages (default 16384)\n"
		"  --max-depth N    partition depth including the root (default 4)\n"
		"Output options:\n"
		"  --trace[=FILE]   one JSON object per hypercall to FILE or stderr\n"
		"  -q, --quiet      no line per hypercall\n"
		"  -v, --verbose    the input fields of each hypercall too\n",
		OHV_MAX_NUMA_NODES);
}

static int number(const char *opt, const char *s, unsigned long long lo,
		  unsigned long long hi, unsigned long long *out)
{
	char *end;

	if (!s) {
		fprintf(stderr, "openhv: %s needs a number\n", opt);
		return CLI_USAGE;
	}
	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || end == s || *end || *out < lo || *out > hi) {
		fprintf(stderr, "openhv: %s: '%s' is not a number from %llu to "
			"%llu\n", opt, s, lo, hi);
		return CLI_USAGE;
	}
	return CLI_OK;
}

int cli_parse(int argc, char **argv, struct cli_opts *o, enum cli_file file)
{
	unsigned long long v;

	memset(o, 0, sizeof(*o));
	ohv_config_init(&o->so.cfg);
	o->so.cfg.backend = cli_backend;
	o->so.out = stdout;
	o->so.err = stderr;
	o->so.verbosity = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;
		int rc = CLI_OK;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			o->help = true;
		} else if (!strcmp(a, "--backend") || !strncmp(a, "--backend=", 10)) {
			if (a[9] == '=')
				next = a + 10;
			else
				i++;
			rc = cli_parse_backend(next, &o->so.cfg.backend);
		} else if (!strcmp(a, "--arm64")) {
			o->so.cfg.arch = OHV_ARCH_ARM64;
		} else if (!strcmp(a, "--numa")) {
			rc = number(a, next, 1, OHV_MAX_NUMA_NODES, &v);
			o->so.cfg.numa_nodes = (uint32_t)v;
			i++;
		} else if (!strcmp(a, "--memory")) {
			rc = number(a, next, 64, 1ull << 32, &v);
			o->so.cfg.memory_pages = v;
			i++;
		} else if (!strcmp(a, "--max-depth")) {
			rc = number(a, next, 2, 64, &v);
			o->so.cfg.max_depth = (uint32_t)v;
			i++;
		} else if (!strcmp(a, "--trace") && file != CLI_FILE_NONE) {
			o->trace = "";
		} else if (!strncmp(a, "--trace=", 8) && file != CLI_FILE_NONE) {
			o->trace = a + 8;
			if (!*o->trace) {
				fprintf(stderr, "openhv: --trace= needs a file\n");
				rc = CLI_USAGE;
			}
		} else if ((!strcmp(a, "-q") || !strcmp(a, "--quiet")) &&
			   file != CLI_FILE_NONE) {
			o->so.verbosity = 0;
		} else if ((!strcmp(a, "-v") || !strcmp(a, "--verbose")) &&
			   file != CLI_FILE_NONE) {
			o->so.verbosity = 2;
		} else if ((a[0] != '-' || !strcmp(a, "-")) &&
			   file != CLI_FILE_NONE && !o->file) {
			o->file = a;
		} else {
			fprintf(stderr, "openhv %s: unexpected argument '%s'\n",
				argv[0], a);
			rc = CLI_USAGE;
		}
		if (rc)
			return rc;
	}
	/* Nodes are equal contiguous ranges of the machine's pages. */
	o->so.cfg.memory_pages -= o->so.cfg.memory_pages % o->so.cfg.numa_nodes;
	if (file == CLI_FILE_REQUIRED && !o->file && !o->help) {
		fprintf(stderr, "openhv %s: a scenario FILE (or - for standard "
			"input) is needed\n", argv[0]);
		return CLI_USAGE;
	}
	return CLI_OK;
}

int cli_open_trace(struct cli_opts *o)
{
	if (!o->trace)
		return CLI_OK;
	if (!*o->trace) {
		o->so.json = stderr;
		return CLI_OK;
	}
	o->trace_file = fopen(o->trace, "w");
	if (!o->trace_file) {
		fprintf(stderr, "openhv: cannot write the trace to %s: %s\n",
			o->trace, strerror(errno));
		return CLI_FAILED;
	}
	o->so.json = o->trace_file;
	return CLI_OK;
}

void cli_close_trace(struct cli_opts *o)
{
	if (o->trace_file)
		fclose(o->trace_file);
	o->trace_file = NULL;
}

int cli_status(enum scn_rc rc)
{
	switch (rc) {
	case SCN_OK:
	case SCN_QUIT:
		return CLI_OK;
	case SCN_FAILED:
		return CLI_FAILED;
	default:
		return CLI_USAGE;
	}
}

int cli_run_file(struct scn *s, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	enum scn_rc rc;

	if (!f) {
		fprintf(stderr, "openhv: cannot read %s: %s\n", path,
			strerror(errno));
		return CLI_USAGE;
	}
	rc = scn_run(s, strcmp(path, "-") ? path : "<stdin>", f);
	if (f != stdin)
		fclose(f);
	return cli_status(rc);
}
