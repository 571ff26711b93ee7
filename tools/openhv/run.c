/* `openhv run FILE`: a scenario, start to end (docs/scenario.md). */
#include "cli.h"

#include <stdlib.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: openhv run [OPTIONS] FILE|-\n"
		"\n"
		"Runs a scenario (docs/scenario.md; `openhv help run` and `openhv\n"
		"shell`'s help list the commands) against a fresh instance: one\n"
		"command per line, a hypercall by its TLFS name with Field=value,\n"
		"expect STATUS after a call that should fail.  Each hypercall\n"
		"prints a line: scenario line, caller (when not the root's VP 0),\n"
		"call, rep count@start, status, reps completed, outputs.\n"
		"\n"
		"It stops at the first call that fails with no expect after it, the\n"
		"first expect or assert that does not hold, or a scenario error,\n"
		"saying FILE:LINE: what is wrong.  At the end the invariant checker\n"
		"of spec.md §1 runs.\n");
	cli_instance_usage(f);
	fprintf(f,
		"\nExit status: 0 the scenario held, 1 a call failed unexpectedly,"
		" an expect\nor assert failed or the invariants broke, 2 a bad "
		"command line or scenario.\n");
}

int cmd_run(int argc, char **argv)
{
	struct cli_opts o;
	int rc = cli_parse(argc, argv, &o, CLI_FILE_REQUIRED);
	struct scn *s;

	if (rc != CLI_OK || o.help) {
		usage(rc == CLI_OK ? stdout : stderr);
		return rc;
	}
	rc = cli_open_trace(&o);
	if (rc)
		return rc;
	s = scn_new(&o.so);
	if (!s) {
		fprintf(stderr, "openhv run: out of memory\n");
		cli_close_trace(&o);
		return CLI_FAILED;
	}
	rc = cli_run_file(s, o.file);
	scn_free(s);
	cli_close_trace(&o);
	return rc;
}
