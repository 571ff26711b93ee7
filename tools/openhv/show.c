/* SPDX-License-Identifier: MIT */
/*
 * `openhv show` and `openhv costs`, and the printers behind the scenario
 * commands of the same names: the partition tree with states, pools, VPs,
 * ports and connections; the cost model of spec.md §5.4.
 */
#include "cli.h"
#include "scnint.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openhv/client.h>

#define MAX_SHOWN	4096	/* partitions listed */
#define MAX_OBJECTS	64	/* ports, connections listed per partition */

static const char *type_name(uint32_t t)
{
	switch (t) {
	case HV_PORT_TYPE_MESSAGE: return "Message";
	case HV_PORT_TYPE_EVENT: return "Event";
	case HV_PORT_TYPE_MONITOR: return "Monitor";
	case HV_PORT_TYPE_DOORBELL: return "Doorbell";
	default: return "?";
	}
}

/* The lines under a partition, each after pre. */
static void details(struct scn *s, FILE *out, const char *pre, uint64_t id,
		    const struct ohv_partition_info *in)
{
	char text[768];

	fprintf(out, "%spool %" PRIu64 " available, %" PRIu64 " in use", pre,
		in->pool_available, in->pool_in_use);
	if (id == 1)
		fprintf(out, "; root's page allocator: %" PRIu64 " free",
			ohv_root_free_pages(s->hv));
	else
		fprintf(out, "; %" PRIu64 " page%s charged to partition %"
			PRIu64, in->charged_pages,
			in->charged_pages == 1 ? "" : "s", in->parent_id);
	fputc('\n', out);
	if (s->cfg.numa_nodes > 1) {
		fprintf(out, "%sper node (available/in use):", pre);
		for (uint32_t n = 0; n < s->cfg.numa_nodes && n < 16; n++) {
			uint64_t a = 0, u = 0;

			ohv_pool_node_balance(s->hv, id, n, &a, &u);
			fprintf(out, " %" PRIu32 ":%" PRIu64 "/%" PRIu64, n, a, u);
		}
		fprintf(out, "%s\n", s->cfg.numa_nodes > 16 ? " ..." : "");
	}
	if (id != 1 && in->privileges != OHV_CHILD_PRIVILEGES) {
		layout_value(text, sizeof(text), OHV_FMT_PRIVILEGES, in->privileges);
		fprintf(out, "%sprivileges %s\n", pre, text);
	}
	for (uint32_t v = 0; v < OHV_MAX_VPS; v++) {
		struct ohv_sint_state ss;
		struct ohv_vp_info vi;

		if (ohv_vp_info(s->hv, id, v, &vi) ||
		    ohv_vp_sints(s->hv, id, v, &ss))
			continue;
		fprintf(out, "%sVP %" PRIu32 " %s", pre, v,
			vi.suspended ? "suspended" : "running");
		if (vi.scontrol & HV_SYNIC_SCONTROL_ENABLE)
			fprintf(out, "; SynIC on, SIM %s, SIEF %s",
				vi.simp & 1 ? "on" : "off",
				vi.siefp & 1 ? "on" : "off");
		for (unsigned k = 0; k < HV_SYNIC_SINT_COUNT; k++) {
			if (!ss.raised[k] && !ss.queued[k])
				continue;
			fprintf(out, "; SINT%u raised %" PRIu64 "%s", k,
				ss.raised[k], ss.pending & (1u << k) ?
				" (pending)" : "");
			if (ss.queued[k])
				fprintf(out, ", %u queued", ss.queued[k]);
		}
		fputc('\n', out);
	}
	struct ohv_port_state ports[MAX_OBJECTS];
	size_t np = ohv_port_list(s->hv, id, ports, MAX_OBJECTS);

	for (size_t i = 0; i < np && i < MAX_OBJECTS; i++) {
		const struct ohv_port_state *p = &ports[i];

		fprintf(out, "%sport %" PRIu32 ": %s", pre, p->port_id,
			type_name(p->type));
		if (p->type == HV_PORT_TYPE_MESSAGE || p->type == HV_PORT_TYPE_EVENT ||
		    p->type == HV_PORT_TYPE_DOORBELL) {
			layout_value(text, sizeof(text), OHV_FMT_TARGET_VP, p->target_vp);
			fprintf(out, ", SINT %" PRIu32 ", VP %s", p->target_sint, text);
		}
		if (p->type == HV_PORT_TYPE_EVENT)
			fprintf(out, ", flags %u..%u", p->base_flag,
				p->base_flag + p->flag_count - 1);
		if (p->type == HV_PORT_TYPE_MONITOR)
			fprintf(out, ", monitor page GPA 0x%" PRIx64,
				p->monitor_address);
		fprintf(out, "; for partition %" PRIu64, p->connection_partition);
		if (p->connected)
			fprintf(out, ", connected (its connection %" PRIu32 ")",
				p->connection_id);
		if (p->queued)
			fprintf(out, ", %" PRIu32 " queued", p->queued);
		fputc('\n', out);
	}
	if (np > MAX_OBJECTS)
		fprintf(out, "%s... %zu ports in all\n", pre, np);
	struct ohv_connection_state conns[MAX_OBJECTS];
	size_t nc = ohv_connection_list(s->hv, id, conns, MAX_OBJECTS);

	for (size_t i = 0; i < nc && i < MAX_OBJECTS; i++) {
		const struct ohv_connection_state *c = &conns[i];

		if (c->port_alive)
			fprintf(out, "%sconnection %" PRIu32 ": to port %" PRIu32
				" of partition %" PRIu64 "%s\n", pre,
				c->connection_id, c->port_id, c->port_partition,
				c->type == HV_PORT_TYPE_DOORBELL ? " (a doorbell)" :
				"");
		else
			fprintf(out, "%sconnection %" PRIu32 ": its port is gone\n",
				pre, c->connection_id);
	}
	if (nc > MAX_OBJECTS)
		fprintf(out, "%s... %zu connections in all\n", pre, nc);
}

void scn_show(struct scn *s, FILE *out)
{
	uint64_t *ids = calloc(MAX_SHOWN, sizeof(*ids));
	uint32_t *depth = calloc(MAX_SHOWN, sizeof(*depth));
	bool *last = calloc(MAX_SHOWN, sizeof(*last));
	bool open[64] = { false };
	size_t n;

	if (!ids || !depth || !last) {
		fprintf(out, "show: out of memory\n");
		goto out;
	}
	n = ohv_partition_list(s->hv, ids, MAX_SHOWN);
	if (n > MAX_SHOWN)
		n = MAX_SHOWN;
	for (size_t i = 0; i < n; i++) {
		struct ohv_partition_info info;

		depth[i] = ohv_partition_info(s->hv, ids[i], &info) ? 1 :
			info.depth;
	}
	/* A partition is its parent's last child when no sibling follows
	 * before the tree climbs back above it. */
	for (size_t i = 0; i < n; i++) {
		last[i] = true;
		for (size_t j = i + 1; j < n && depth[j] >= depth[i]; j++) {
			if (depth[j] == depth[i]) {
				last[i] = false;
				break;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct ohv_partition_info info;
		char pre[256] = "", text[256];
		size_t at = 0;
		uint32_t d = depth[i] < 60 ? depth[i] : 60;

		if (ohv_partition_info(s->hv, ids[i], &info))
			continue;
		for (uint32_t k = 2; k < d; k++)
			at += (size_t)snprintf(pre + at, sizeof(pre) - at, "%s",
					       open[k] ? "|  " : "   ");
		if (d >= 2) {
			fprintf(out, "%s%s", pre, last[i] ? "`- " : "+- ");
			open[d] = !last[i];
		}
		fprintf(out, "partition %" PRIu64 "%s  %s  depth %" PRIu32,
			ids[i], ids[i] == 1 ? " (root)" : "",
			ohv_state_name(info.state), info.depth);
		if (ids[i] != 1) {
			layout_value(text, sizeof(text), OHV_FMT_CREATION_FLAGS,
				     info.creation_flags);
			fprintf(out, "  flags %s", text);
			if (info.proximity.flags & HV_PROXIMITY_DOMAIN_VALID) {
				uint64_t p = info.proximity.domain_id |
					(uint64_t)info.proximity.flags << 32;

				layout_value(text, sizeof(text), OHV_FMT_PROXIMITY, p);
				fprintf(out, "  %s", text);
			}
		}
		fputc('\n', out);
		if (d >= 2)
			at += (size_t)snprintf(pre + at, sizeof(pre) - at, "%s",
					       last[i] ? "   " : "|  ");
		snprintf(pre + at, sizeof(pre) - at, "%s",
			 info.children ? "|  " : "   ");
		details(s, out, pre, ids[i], &info);
	}
out:
	free(ids);
	free(depth);
	free(last);
	fflush(out);
}

void scn_costs(const struct ohv_config *cfg, FILE *out)
{
	const struct ohv_costs *c = &cfg->costs;

	fprintf(out,
		"Pool pages each hypervisor object costs in openhv's model "
		"(spec.md §5.4;\nopenhv's own figures, not values measured on "
		"Hyper-V):\n\n"
		"  %-38s %5s  %s\n", "object", "pages", "charged to");
	fprintf(out, "  %-38s %5" PRIu32 "  %s\n", "partition (at HvCreatePartition)",
		c->partition, "the creator's pool; back at HvDeletePartition");
	fprintf(out, "  %-38s %5" PRIu32 "  %s\n", "HvInitializePartition",
		c->initialize, "the partition's own pool");
	fprintf(out, "  %-38s %5" PRIu32 "  %s\n", "virtual processor (HvCreateVp)",
		c->vp, "the partition's pool");
	fprintf(out, "  %-38s %5" PRIu32 "  %s\n",
		"port + 16 message buffers", c->port, "the port partition's pool");
	fprintf(out, "  %-38s %5" PRIu32 "  %s\n", "connection", c->connection,
		"the connection partition's pool");
	fprintf(out, "  %-38s %5" PRIu32 "  %s\n",
		"GPA table, per 2 MiB region mapped", c->gpa_table,
		"the target partition's pool");
	fprintf(out,
		"\nFinalize frees every object of a partition into its own pool;"
		" withdraw\nreturns available pages; delete returns the "
		"partition's own charge.\n"
		"\nWhat the Linux mshv client deposits, not knowing these "
		"costs (openhv's\nhelpers do the same): %d pages before "
		"HvInitializePartition, %d before\neach HvCreateVp, %d on a "
		"short HvMapGpaPages, and 1 page, then a retry,\nafter any "
		"other HV_STATUS_INSUFFICIENT_MEMORY.\n",
		OHV_LINUX_INIT_DEPOSIT_PAGES, OHV_LINUX_VP_DEPOSIT_PAGES,
		OHV_LINUX_MAP_DEPOSIT_PAGES);
	fprintf(out, "\nThis instance: %s, %" PRIu64 " pages of 4 KiB, %" PRIu32
		" NUMA node%s, depth at most %" PRIu32 ".\n",
		cfg->arch == OHV_ARCH_X64 ? "x64" : "arm64", cfg->memory_pages,
		cfg->numa_nodes, cfg->numa_nodes == 1 ? "" : "s", cfg->max_depth);
}

/* ---------------------------------------------------------------------- */
/* The commands.                                                           */

static void show_usage(FILE *f)
{
	fprintf(f,
		"usage: openhv show [INSTANCE OPTIONS] [--trace[=FILE]] [FILE|-]\n"
		"\n"
		"Runs the scenario FILE (- for standard input) without printing its\n"
		"hypercalls, then prints the partition tree as it ends: every\n"
		"partition with its state, depth, creation flags, pool balance and\n"
		"charge, privileges when not the default, VPs (running or\n"
		"suspended, SINT interrupts), ports and connections.  Without FILE,\n"
		"a fresh instance.\n");
	cli_instance_usage(f);
	fprintf(f, "\nExit status: 0, 1 when the scenario failed (the tree is "
		"printed anyway),\n2 bad command line or scenario.\n");
}

int cmd_show(int argc, char **argv)
{
	struct cli_opts o;
	int rc = cli_parse(argc, argv, &o, CLI_FILE_OPTIONAL);
	struct scn *s;

	if (rc != CLI_OK || o.help) {
		show_usage(rc == CLI_OK ? stdout : stderr);
		return rc;
	}
	o.so.verbosity = 0;
	rc = cli_open_trace(&o);
	if (rc)
		return rc;
	s = scn_new(&o.so);
	if (!s) {
		fprintf(stderr, "openhv show: out of memory\n");
		cli_close_trace(&o);
		return CLI_FAILED;
	}
	rc = CLI_OK;
	if (o.file)
		rc = cli_run_file(s, o.file);
	if (rc != CLI_USAGE && scn_hv(s))
		scn_show(s, stdout);
	else if (rc != CLI_USAGE)
		rc = CLI_FAILED;
	scn_free(s);
	cli_close_trace(&o);
	return rc;
}

int cmd_costs(int argc, char **argv)
{
	struct cli_opts o;
	int rc = cli_parse(argc, argv, &o, CLI_FILE_NONE);

	if (rc != CLI_OK || o.help) {
		FILE *f = rc == CLI_OK ? stdout : stderr;

		fprintf(f, "usage: openhv costs [INSTANCE OPTIONS]\n\n"
			"Prints openhv's cost model (its own figures, not values "
			"measured on\nHyper-V): the pool pages each hypervisor "
			"object takes, whose pool pays,\nand what the Linux mshv "
			"client deposits.\n");
		cli_instance_usage(f);
		return rc;
	}
	scn_costs(&o.so.cfg, stdout);
	return CLI_OK;
}
