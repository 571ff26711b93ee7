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
	{ "demo", "[--partitions N] [--arm64] [--numa N]",
	  "run Linux mshv's partition lifecycle on a fresh instance and print\n"
	  "      every hypercall, decoded, with the pool balances at each stage",
	  cmd_demo },
	{ "help", "[COMMAND]", "show this help, or a command's", cmd_help },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"usage: openhv [--version] [--help] COMMAND [ARGS]\n"
		"\n"
		"openhv %s: the provider side of the Hyper-V (TLFS) partition-\n"
		"management hypercalls, run in this process on a null backend.\n"
		"\n"
		"Commands:\n", ohv_version());
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s %s\n      %s\n", commands[i].name,
			commands[i].args, commands[i].summary);
	fprintf(f,
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
	const struct command *c = find(argv[1]);

	if (!c || c->run == cmd_help) {
		if (!c)
			fprintf(stderr, "openhv: no command '%s'\n", argv[1]);
		usage(c ? stdout : stderr);
		return c ? CLI_OK : CLI_USAGE;
	}
	char help[] = "--help";
	char *args[] = { argv[1], help, NULL };

	return c->run(2, args);
}

int main(int argc, char **argv)
{
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
