/* SPDX-License-Identifier: MIT */
/*
 * openhv demo: the life of a few partitions the way Linux's mshv driver
 * lives it, hypercall by hypercall, with the memory pools at each stage.
 * Everything goes through the client layer; the trace hook prints.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openhv/client.h>

#include "layout.h"

#define MAX_PARTITIONS	32
#define WIDTH		100	/* decoded fields wrap here */
#define INDENT		8

struct demo {
	struct ohv *hv;
	struct ohv_config cfg;
	struct ohv_client *c;
	unsigned partitions;
	uint64_t ids[MAX_PARTITIONS];
	unsigned calls;
	unsigned short_memory;	/* INSUFFICIENT_MEMORY answers */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: openhv demo [--partitions N] [--arm64] [--numa N]\n"
		"\n"
		"Opens a fresh instance and, as the root partition's kernel, runs\n"
		"the partition lifecycle of Linux's mshv driver for N partitions\n"
		"(default 3, at most %d): create, deposit and initialize,\n"
		"finalize, withdraw, delete.  Every hypercall is printed with its\n"
		"decoded fields and status, and the memory pools after each stage.\n"
		"\n"
		"  --partitions N  how many partitions (1-%d)\n"
		"  --arm64         an arm64 instance (48-byte HvCreatePartition,\n"
		"                  128-byte fast register block)\n"
		"  --numa N        N NUMA nodes (1-%u); partition i prefers node\n"
		"                  i mod N\n",
		MAX_PARTITIONS, MAX_PARTITIONS, OHV_MAX_NUMA_NODES);
}

/* ---------------------------------------------------------------------- */
/* The trace: one row per hypercall, then its decoded fields.              */

struct wrap {
	const char *lead;	/* "in", "out" */
	bool first;
	char buf[512];
	size_t len;
};

static void wrap_flush(struct wrap *w)
{
	if (!w->len)
		return;
	printf("%*s%-4s%s\n", INDENT, "", w->first ? w->lead : "", w->buf);
	w->first = false;
	w->len = 0;
	w->buf[0] = 0;
}

static void wrap_item(void *ctx, const char *item)
{
	struct wrap *w = ctx;
	size_t n = strlen(item);

	if (w->len && INDENT + 4 + w->len + 2 + n > WIDTH)
		wrap_flush(w);
	int k = snprintf(w->buf + w->len, sizeof(w->buf) - w->len, "%s%s",
			 w->len ? "  " : "", item);

	if (k > 0)
		w->len += (size_t)k;
	if (w->len >= sizeof(w->buf))
		w->len = sizeof(w->buf) - 1;
}

/* A decoded field or list as "Name=value"; reserved fields left out. */
static void demo_item(void *ctx, const struct ditem *it)
{
	char text[512];

	if (it->note_only || (it->field && it->field->kind == OHV_FIELD_RESERVED))
		return;
	if (it->list) {
		char runs[400];

		decode_page_runs(runs, sizeof(runs), it);
		snprintf(text, sizeof(text), "%s%s", it->name, runs);
	} else {
		snprintf(text, sizeof(text), "%s=%s", it->name, it->value);
	}
	wrap_item(ctx, text);
}

static void trace_call(void *ctx, const struct ohv_trace_event *ev)
{
	struct demo *d = ctx;
	uint16_t code = (uint16_t)(ev->control & HV_HYPERCALL_CODE_MASK);
	uint32_t count = (uint32_t)((ev->control & HV_HYPERCALL_REP_COUNT_MASK) >>
				    HV_HYPERCALL_REP_COMP_OFFSET);
	uint32_t start = (uint32_t)((ev->control & HV_HYPERCALL_REP_START_MASK) >>
				    HV_HYPERCALL_REP_START_OFFSET);
	hv_status_t st = ohv_result_status(ev->result);
	const char *name = ohv_call_name(code);
	const struct ohv_call_info *l = ohv_call_info(code);
	char reps[24] = "-", done[16] = "";

	d->calls++;
	if (st == HV_STATUS_INSUFFICIENT_MEMORY)
		d->short_memory++;
	if (l && l->rep) {
		snprintf(reps, sizeof(reps), "%" PRIu32 "@%" PRIu32, count,
			 start);
		snprintf(done, sizeof(done), "%" PRIu32,
			 ohv_result_reps(ev->result));
	}
	char row[160];
	int k = snprintf(row, sizeof(row), "%4u  %-23s 0x%04x  %-4s  %-9s  "
			 "%-30s %s", d->calls, name ? name : "?", code,
			 ev->control & HV_HYPERCALL_FAST_BIT ? "fast" : "mem",
			 reps, ohv_status_name(st), done);

	/* No trailing blanks when the last columns are empty. */
	while (k > 0 && (size_t)k < sizeof(row) && row[k - 1] == ' ')
		row[--k] = 0;
	printf("%s\n", row);

	struct wrap in = { .lead = "in", .first = true };
	struct wrap out = { .lead = "out", .first = true };

	decode_input(l, d->cfg.arch, ev->input, ev->input_len, start, count,
		     demo_item, &in);
	wrap_flush(&in);
	decode_output(l, d->cfg.arch, ev->output, ev->output_len, start,
		      ev->input, ev->input_len, demo_item, &out);
	wrap_flush(&out);
}

/* ---------------------------------------------------------------------- */
/* Pools, read with ohv_partition_info: no hypercall, nothing traced.      */

static void pool_row(struct demo *d, const char *label, uint64_t id)
{
	struct ohv_partition_info info;

	if (ohv_partition_info(d->hv, id, &info)) {
		printf("    %-28s %10s %8s   %s\n", label, "-", "-",
		       "(deleted)");
		return;
	}
	printf("    %-28s %10" PRIu64 " %8" PRIu64 "   %s", label,
	       info.pool_available, info.pool_in_use,
	       ohv_state_name(info.state));
	if (d->cfg.numa_nodes > 1) {
		printf("%*s", (int)(15 - strlen(ohv_state_name(info.state))), "");
		for (uint32_t n = 0; n < d->cfg.numa_nodes && n < 8; n++) {
			uint64_t a = 0, u = 0;

			ohv_pool_node_balance(d->hv, id, n, &a, &u);
			printf(" n%" PRIu32 " %" PRIu64 "/%" PRIu64, n, a, u);
		}
		if (d->cfg.numa_nodes > 8)
			printf(" ...");
	}
	printf("\n");
}

static void pools(struct demo *d, const char *when)
{
	char label[40];

	snprintf(label, sizeof(label), "Pools %s", when);
	printf("\n  %-30s %10s %8s   %s%s\n", label, "available", "in use",
	       "state", d->cfg.numa_nodes > 1 ?
	       "           per node: available/in use" : "");
	pool_row(d, "root (1)", ohv_root_id(d->hv));
	for (unsigned i = 0; i < d->partitions; i++) {
		if (!d->ids[i])
			continue;
		snprintf(label, sizeof(label), "child %" PRIu64, d->ids[i]);
		pool_row(d, label, d->ids[i]);
	}
	printf("    root's page allocator: %" PRIu64 " pages free\n",
	       ohv_root_free_pages(d->hv));
}

static void stage(const char *title, const char *why)
{
	printf("\n== %s\n   %s\n\n", title, why);
	printf("   #  %-23s %-6s  %-4s  %-9s  %-30s %s\n", "hypercall", "code",
	       "mode", "reps", "status", "done");
}

static int failed(const char *what, hv_status_t st)
{
	fprintf(stderr, "openhv demo: %s: %s\n", what, ohv_status_name(st));
	return CLI_FAILED;
}

/* ---------------------------------------------------------------------- */
/* Where every page is (the summary's table).                              */

struct census {
	uint64_t allocator;	/* root pages the allocator can hand out */
	uint64_t root_pool;
	uint64_t child_pools;
	uint64_t partitions;
};

static void census(struct demo *d, struct census *c)
{
	uint64_t ids[MAX_PARTITIONS + 1];
	size_t n = ohv_partition_list(d->hv, ids, MAX_PARTITIONS + 1);
	struct ohv_partition_info info;

	memset(c, 0, sizeof(*c));
	c->allocator = ohv_root_free_pages(d->hv);
	c->partitions = n;
	for (size_t i = 0; i < n && i <= MAX_PARTITIONS; i++) {
		if (ohv_partition_info(d->hv, ids[i], &info))
			continue;
		if (ids[i] == ohv_root_id(d->hv))
			c->root_pool = info.pool_available + info.pool_in_use;
		else
			c->child_pools += info.pool_available + info.pool_in_use;
	}
}

static int summary(struct demo *d, const struct census *a,
		   const struct census *b)
{
	struct ohv_client_stats s;
	char why[160];
	const uint64_t client = 2;	/* its input and output pages */
	uint64_t ta = a->allocator + client + a->root_pool + a->child_pools;
	uint64_t tb = b->allocator + client + b->root_pool + b->child_pools;
	int check = ohv_debug_check(d->hv, why, sizeof(why));
	bool home = !memcmp(a, b, sizeof(*a)) && ta == d->cfg.memory_pages &&
		    tb == d->cfg.memory_pages && check == 0;

	ohv_client_stats(d->c, &s);
	printf("\n== Summary: where the %" PRIu64 " machine pages are\n\n",
	       d->cfg.memory_pages);
	printf("    %-36s %8s %8s\n", "", "start", "end");
	printf("    %-36s %8" PRIu64 " %8" PRIu64 "\n",
	       "root's allocator, free", a->allocator, b->allocator);
	printf("    %-36s %8" PRIu64 " %8" PRIu64 "\n",
	       "client's input and output pages", client, client);
	printf("    %-36s %8" PRIu64 " %8" PRIu64 "\n", "root's own pool",
	       a->root_pool, b->root_pool);
	printf("    %-36s %8" PRIu64 " %8" PRIu64 "\n", "children's pools",
	       a->child_pools, b->child_pools);
	printf("    %-36s %8s %8s\n", "", "-----", "-----");
	printf("    %-36s %8" PRIu64 " %8" PRIu64 "\n\n", "total", ta, tb);
	printf("    %u hypercalls; %u answered INSUFFICIENT_MEMORY and were "
	       "retried after a deposit\n", d->calls, d->short_memory);
	printf("    %" PRIu64 " pages deposited, %" PRIu64 " withdrawn; "
	       "%" PRIu64 " live partition%s (the root)\n", s.pages_deposited,
	       s.pages_withdrawn, b->partitions, b->partitions == 1 ? "" : "s");
	printf("    invariant check (spec.md §1): %s\n", check ? why : "ok");
	if (!home) {
		fprintf(stderr, "openhv demo: pages did not all come home\n");
		return CLI_FAILED;
	}
	printf("\n    Every page is back where it started.\n");
	return CLI_OK;
}

/* ---------------------------------------------------------------------- */

static int parse_count(const char *opt, const char *s, unsigned lo,
		       unsigned hi, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s) {
		fprintf(stderr, "openhv demo: %s needs a number\n", opt);
		return -1;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "openhv demo: %s: '%s' is not a number from "
			"%u to %u\n", opt, s, lo, hi);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static void header(struct demo *d)
{
	bool x64 = d->cfg.arch == OHV_ARCH_X64;

	printf("openhv %s demo: Linux mshv's partition lifecycle, one "
	       "hypercall at a time\n\n", ohv_version());
	printf("  machine  %s, %" PRIu64 " pages of 4 KiB (%" PRIu64
	       " MiB), %" PRIu32 " NUMA node%s\n", x64 ? "x64" : "arm64",
	       d->cfg.memory_pages, d->cfg.memory_pages / 256,
	       d->cfg.numa_nodes, d->cfg.numa_nodes == 1 ? "" : "s");
	printf("  costs    a partition takes %" PRIu32 " page%s of its "
	       "creator's pool; initialize takes %" PRIu32 " of its own\n"
	       "           (openhv's cost model, not figures measured on "
	       "Hyper-V)\n",
	       d->cfg.costs.partition, d->cfg.costs.partition == 1 ? "" : "s",
	       d->cfg.costs.initialize);
	printf("  caller   VP 0 of the root partition, through a client with "
	       "one input and one\n"
	       "           output page from the root's page allocator "
	       "(Linux's per-CPU hypercall pages)\n");
	printf("  issuing  as Linux: Initialize, Finalize and Delete are fast "
	       "calls (the 8-byte input\n"
	       "           travels in %s); every other call passes the GPAs "
	       "of the two pages\n", x64 ? "RDX" : "X2");
	printf("\n  Each row is one hypercall as it returns: its sequence "
	       "number, name and call code;\n"
	       "  mode mem (memory-based) or fast (register-based); for rep "
	       "calls, rep count@rep start\n"
	       "  from the control word; the status; and for rep calls the "
	       "reps completed.  Below it\n"
	       "  come the input block's fields (in) and the output's (out), "
	       "by TLFS name.\n");
}

static hv_status_t create_all(struct demo *d)
{
	for (unsigned i = 0; i < d->partitions; i++) {
		struct hv_input_create_partition in;
		const struct hv_input_create_partition *req = NULL;

		if (d->cfg.numa_nodes > 1) {
			/* Linux's request, plus the proximity Linux builds
			 * from a node (hv_numa_node_to_pxm_info). */
			memset(&in, 0, sizeof(in));
			in.flags = HV_PARTITION_CREATION_FLAG_EXO_PARTITION |
				HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED;
			if (d->cfg.arch == OHV_ARCH_X64)
				in.flags |= HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED;
			in.compatibility_version = HV_COMPATIBILITY_21_H2;
			in.proximity_domain_info.domain_id = i % d->cfg.numa_nodes;
			in.proximity_domain_info.flags =
				HV_PROXIMITY_DOMAIN_VALID |
				HV_PROXIMITY_DOMAIN_PREFERRED;
			req = &in;
		}
		hv_status_t st = ohv_client_create_partition(d->c, req,
							     &d->ids[i]);

		if (st)
			return st;
	}
	return HV_STATUS_SUCCESS;
}

static int run(struct demo *d)
{
	struct census before, after;
	uint64_t kids[MAX_PARTITIONS];
	size_t nkids = 0;
	hv_status_t st;
	char what[64];

	header(d);
	census(d, &before);
	pools(d, "at the start");
	ohv_set_trace(d->hv, trace_call, d);

	stage("1. Create the partitions",
	      "HvCreatePartition charges the root's own pool; on "
	      "INSUFFICIENT_MEMORY Linux deposits\n"
	      "   one page there and retries.");
	st = create_all(d);
	if (st)
		return failed("create", st);
	stage("2. List the root's children",
	      "HvGetNextChildPartition from 0 until it answers 0: children "
	      "come in creation order.");
	st = ohv_client_children(d->c, HV_PARTITION_ID_SELF, kids,
				 MAX_PARTITIONS, &nkids);
	if (st)
		return failed("list children", st);
	printf("\n    children of the root:");
	for (size_t i = 0; i < nkids && i < MAX_PARTITIONS; i++)
		printf(" %" PRIu64, kids[i]);
	printf("\n");
	pools(d, "after create");

	stage("3. Deposit and initialize",
	      "Linux deposits 208 pages into each child, then initializes it "
	      "(one more page per\n   INSUFFICIENT_MEMORY); initialize "
	      "puts the initialize cost in use.");
	for (unsigned i = 0; i < d->partitions; i++) {
		st = ohv_client_initialize_partition(d->c, d->ids[i]);
		if (st) {
			snprintf(what, sizeof(what), "initialize %" PRIu64,
				 d->ids[i]);
			return failed(what, st);
		}
	}
	pools(d, "after initialize");

	stage("4. Finalize (Linux's destroy_partition, step 1)",
	      "The partition stops for good; everything in its pool becomes "
	      "available.");
	for (unsigned i = 0; i < d->partitions; i++) {
		st = ohv_call_finalize_partition(d->c, d->ids[i]);
		if (st) {
			snprintf(what, sizeof(what), "finalize %" PRIu64,
				 d->ids[i]);
			return failed(what, st);
		}
	}
	pools(d, "after finalize");

	stage("5. Withdraw everything (step 2)",
	      "HvWithdrawMemory in batches of up to 512 pages until "
	      "NO_RESOURCES: the pool is empty.  Zeroing\n"
	      "   pages takes time: after ~50 us (spec.md §3.2) the hypervisor "
	      "returns early with SUCCESS,\n"
	      "   and the client re-issues the call from rep start = reps "
	      "completed, as Linux does.");
	for (unsigned i = 0; i < d->partitions; i++) {
		st = ohv_client_withdraw(d->c, d->ids[i], UINT64_MAX, NULL);
		if (st) {
			snprintf(what, sizeof(what), "withdraw %" PRIu64,
				 d->ids[i]);
			return failed(what, st);
		}
	}
	pools(d, "after withdraw");

	stage("6. Delete (step 3)",
	      "The pages each partition took at create go back to the root's "
	      "pool, as available.");
	for (unsigned i = 0; i < d->partitions; i++) {
		st = ohv_call_delete_partition(d->c, d->ids[i]);
		if (st) {
			snprintf(what, sizeof(what), "delete %" PRIu64,
				 d->ids[i]);
			return failed(what, st);
		}
	}
	pools(d, "after delete");

	stage("7. The root takes back its own pool",
	      "Linux keeps these pages for the next create; the demo returns "
	      "them to show the balance.");
	st = ohv_client_withdraw(d->c, HV_PARTITION_ID_SELF, UINT64_MAX, NULL);
	if (st)
		return failed("withdraw from the root's pool", st);
	ohv_set_trace(d->hv, NULL, NULL);
	pools(d, "at the end");
	census(d, &after);
	return summary(d, &before, &after);
}

int cmd_demo(int argc, char **argv)
{
	struct demo d;
	unsigned numa = 1;
	bool arm64 = false;
	int rc;

	memset(&d, 0, sizeof(d));
	d.partitions = 3;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return CLI_OK;
		} else if (!strcmp(a, "--arm64")) {
			arm64 = true;
		} else if (!strcmp(a, "--partitions")) {
			if (parse_count(a, i + 1 < argc ? argv[++i] : NULL, 1,
					MAX_PARTITIONS, &d.partitions))
				return CLI_USAGE;
		} else if (!strncmp(a, "--partitions=", 13)) {
			if (parse_count("--partitions", a + 13, 1,
					MAX_PARTITIONS, &d.partitions))
				return CLI_USAGE;
		} else if (!strcmp(a, "--numa")) {
			if (parse_count(a, i + 1 < argc ? argv[++i] : NULL, 1,
					OHV_MAX_NUMA_NODES, &numa))
				return CLI_USAGE;
		} else if (!strncmp(a, "--numa=", 7)) {
			if (parse_count("--numa", a + 7, 1, OHV_MAX_NUMA_NODES,
					&numa))
				return CLI_USAGE;
		} else {
			fprintf(stderr, "openhv demo: unknown argument '%s'\n",
				a);
			usage(stderr);
			return CLI_USAGE;
		}
	}

	ohv_config_init(&d.cfg);
	d.cfg.backend = cli_backend;
	d.cfg.arch = arm64 ? OHV_ARCH_ARM64 : OHV_ARCH_X64;
	d.cfg.numa_nodes = numa;
	/* Nodes are equal contiguous ranges of the machine's pages. */
	d.cfg.memory_pages = d.cfg.memory_pages / numa * numa;
	rc = ohv_open(&d.cfg, &d.hv);
	if (rc) {
		fprintf(stderr, "openhv demo: cannot open an instance: %s\n",
			strerror(-rc));
		return CLI_FAILED;
	}
	ohv_get_config(d.hv, &d.cfg);
	rc = ohv_client_open(d.hv, 0, &d.c);
	if (rc) {
		fprintf(stderr, "openhv demo: cannot open a root client: %s\n",
			strerror(-rc));
		ohv_close(d.hv);
		return CLI_FAILED;
	}
	rc = run(&d);
	ohv_set_trace(d.hv, NULL, NULL);
	ohv_client_close(d.c);
	ohv_close(d.hv);
	fflush(stdout);
	return rc;
}
