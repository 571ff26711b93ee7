/* SPDX-License-Identifier: MIT */
/* The openhv command-line tool: one table of subcommands. */
#include <stdio.h>
#include <string.h>

#include <openhv/openhv.h>

#include "cli.h"

struct command {
	const char *name;
	const char *args;
	const char *summary;
	int (*run)(int argc, char **argv);
};

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{ "run", "[OPTIONS] FILE|-",
	  "run a scenario: hypercalls by TLFS name, expectations, the Linux\n"
	  "      mshv client's steps (docs/scenario.md)", cmd_run },
	{ "shell", "[OPTIONS]",
	  "the scenario language interactively, with history and help",
	  cmd_shell },
	{ "decode", "control|result|status VALUE  |  CALL HEX...",
	  "print a control word, result value, status or parameter block\n"
	  "      field by field, flagging what is outside the spec", cmd_decode },
	{ "show", "[OPTIONS] [FILE|-]",
	  "run a scenario quietly and print the partition tree it leaves:\n"
	  "      states, pools, VPs, ports", cmd_show },
	{ "costs", "[OPTIONS]", "print openhv's cost model: pool pages per object",
	  cmd_costs },
	{ "demo", "[--partitions N] [--arm64] [--numa N]",
	  "run Linux mshv's partition lifecycle on a fresh instance and print\n"
	  "      every hypercall, decoded, with the pool balances at each stage",
	  cmd_demo },
	{ "exec", "[--trace=FILE] [--memory=MB] -- PROG [ARGS...]",
	  "run a /dev/mshv client (a VMM) with /dev/mshv answered by openhv\n"
	  "      on KVM in its process (libopenhv-mshv.so preloaded)", cmd_exec },
	{ "help", "[COMMAND]",
	  "show this help, or a command's (also a scenario command's or\n"
	  "      a hypercall's: openhv help HvCreatePartition)", cmd_help },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"usage: openhv [--version] [--help] [--backend kvm|null|auto] "
		"COMMAND [ARGS]\n"
		"\n"
		"openhv %s: the provider side of the Hyper-V (TLFS) partition-\n"
		"management hypercalls, run in this process.  --backend says what\n"
		"runs the partitions' guest code: kvm (each child partition a KVM\n"
		"VM), null (nothing: hypercalls only) or auto (kvm where /dev/kvm\n"
		"can serve, else null; the default).\n"
		"\n"
		"Commands:\n", ohv_version());
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s %s\n      %s\n", commands[i].name,
			commands[i].args, commands[i].summary);
	fprintf(f,
		"\n"
		"Start with: openhv run examples/guest-hello.ohv (a guest on KVM)\n"
		"        or: openhv run examples/lifecycle.ohv (the hypercalls)\n"
		"\n"
		"Exit status: 0 done, 1 an operation failed (its status is "
		"named),\n2 bad command line.\n");
}

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return CLI_OK;
	}
	if (argc > 2) {
		fprintf(stderr, "openhv help: one COMMAND at a time\n");
		return CLI_USAGE;
	}
	const struct command *c = find(argv[1]);

	if (c && c->run == cmd_help) {
		usage(stdout);
		return CLI_OK;
	}
	if (c) {
		char help[] = "--help";
		char *args[] = { argv[1], help, NULL };

		return c->run(2, args);
	}
	/* A scenario command or a hypercall. */
	if (scn_help(stdout, argv[1]))
		return CLI_OK;
	fprintf(stderr, "openhv: no command, scenario command or hypercall "
		"'%s'\n", argv[1]);
	usage(stderr);
	return CLI_USAGE;
}

int main(int argc, char **argv)
{
	/* Global options before the command. */
	while (argc > 1 && (!strcmp(argv[1], "--backend") ||
			    !strncmp(argv[1], "--backend=", 10))) {
		const char *v = argv[1][9] == '=' ? argv[1] + 10 :
			argc > 2 ? argv[2] : NULL;
		int skip = argv[1][9] == '=' ? 1 : 2;

		if (cli_parse_backend(v, &cli_backend))
			return CLI_USAGE;
		argc -= skip;
		argv += skip;
	}
	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("openhv %s\n", ohv_version());
		return CLI_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return CLI_OK;
	}
	const struct command *c = find(argv[1]);

	if (!c) {
		fprintf(stderr, "openhv: no command '%s' (see openhv --help)\n",
			argv[1]);
		return CLI_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
