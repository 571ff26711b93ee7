/*
 * The openhv tool: what main.c's command table needs from the files that
 * implement the subcommands, one file per subcommand group (STYLE.md).
 */
#ifndef OPENHV_TOOL_CLI_H
#define OPENHV_TOOL_CLI_H

/* Exit status of every subcommand (STYLE.md "Errors"). */
enum {
	CLI_OK = 0,		/* done                                   */
	CLI_FAILED = 1,		/* an operation failed; its status printed */
	CLI_USAGE = 2,		/* bad command line                       */
};

/* demo.c: `openhv demo`; argv[0] is "demo". */
int cmd_demo(int argc, char **argv);

#endif /* OPENHV_TOOL_CLI_H */
