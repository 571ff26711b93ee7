/* SPDX-License-Identifier: MIT */
/*
 * The openhv tool: what main.c's command table needs from the files that
 * implement the subcommands, one file per subcommand group (STYLE.md), and
 * the options the scenario commands share (opts.c).
 */
#ifndef OPENHV_TOOL_CLI_H
#define OPENHV_TOOL_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "scenario.h"

/* Exit status of every subcommand (STYLE.md "Errors"). */
enum {
	CLI_OK = 0,		/* done                                   */
	CLI_FAILED = 1,		/* an operation failed; its status printed */
	CLI_USAGE = 2,		/* bad command line                       */
};

/* Each takes argv[0] = its own name.  --help prints its usage. */
int cmd_demo(int argc, char **argv);	/* demo.c   */
int cmd_run(int argc, char **argv);	/* run.c    */
int cmd_shell(int argc, char **argv);	/* shell.c  */
int cmd_decode(int argc, char **argv);	/* decode.c */
int cmd_show(int argc, char **argv);	/* show.c   */
int cmd_costs(int argc, char **argv);	/* show.c   */
int cmd_exec(int argc, char **argv);	/* exec.c   */

/*
 * decode.c: `openhv decode`'s work, its words in argv (argv[0] "decode"),
 * printing to out; errors on stderr.  stdin_ok lets "-" read the block
 * from standard input.  CLI_OK, CLI_FAILED (something is outside the
 * spec) or CLI_USAGE.
 */
int cli_decode(FILE *out, bool stdin_ok, int argc, char **argv);

/* ---- opts.c: options of run, shell, show and costs ------------------ */

/* The global --backend (main.c): what cli_parse starts from; AUTO. */
extern enum ohv_backend cli_backend;

/* "kvm", "null" or "auto" into *b: CLI_OK, or CLI_USAGE (said). */
int cli_parse_backend(const char *text, enum ohv_backend *b);

enum cli_file { CLI_FILE_NONE, CLI_FILE_OPTIONAL, CLI_FILE_REQUIRED };

struct cli_opts {
	struct scn_opts so;	/* out/err stdout/stderr, verbosity 1     */
	const char *file;	/* the scenario, "-" for standard input   */
	const char *trace;	/* --trace: NULL none, "" stderr, or FILE */
	bool help;
	FILE *trace_file;	/* opened by cli_open_trace               */
};

/*
 * --backend B, --arm64, --numa N, --memory PAGES, --max-depth N, --trace[=FILE],
 * -q/--quiet, -v/--verbose, --help, and a FILE as allowed.  CLI_OK or
 * CLI_USAGE (said on stderr).
 */
int cli_parse(int argc, char **argv, struct cli_opts *o, enum cli_file file);
void cli_instance_usage(FILE *f);

/* Open --trace's destination into o->so.json: CLI_OK or CLI_FAILED. */
int cli_open_trace(struct cli_opts *o);
void cli_close_trace(struct cli_opts *o);

/* Run a scenario file ("-": standard input); the exit status. */
int cli_run_file(struct scn *s, const char *path);

/* The exit status a scenario outcome gives. */
int cli_status(enum scn_rc rc);

#endif /* OPENHV_TOOL_CLI_H */
