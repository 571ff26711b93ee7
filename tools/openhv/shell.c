/*
 * `openhv shell`: the scenario language, one line at a time.  On a
 * terminal, lines are edited (lineedit.c: libedit) with history and
 * completion; otherwise they are read as they come, without prompts.  A failing call
 * is reported and the shell goes on.
 */
#include "cli.h"
#include "lineedit.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: openhv shell [OPTIONS]\n"
		"\n"
		"Reads scenario commands (docs/scenario.md) from the terminal and\n"
		"runs each at once against one instance: hypercalls by TLFS name\n"
		"with Field=value, the Linux-style helpers (partition new, ...),\n"
		"expect, show.  `help` lists the commands, `help NAME` explains\n"
		"one (a hypercall: its fields), `quit` or Ctrl-D leaves.\n"
		"A line ending in \\ continues on the next.\n\n");
	if (ledit_kind())
		fprintf(f, "On a terminal, lines are edited with %s: the emacs "
			"keys, up/down for\nhistory, Tab completes commands, "
			"fields, constants, register names and\n$variables; "
			"Ctrl-C drops the line.\n", ledit_kind());
	else
		fprintf(f, "This build has no line editor (history, completion):"
			" build with\nlibedit (Debian: libedit-dev) for them.\n");
	cli_instance_usage(f);
	fprintf(f, "\nExit status: 0 (failures are reported, not fatal), 1 when "
		"the invariant\ncheck at the end fails, 2 bad command line.\n");
}

static void complete(void *ctx, const char *line, size_t at,
		     void (*add)(void *actx, const char *word), void *actx)
{
	scn_complete(ctx, line, at, add, actx);
}

/* A line from the editor or stdin; NULL at the end. */
static char *next_line(struct ledit *ed, const char *prompt)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (ed)
		return ledit_read(ed, prompt);
	n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = 0;
	return line;
}

int cmd_shell(int argc, char **argv)
{
	struct cli_opts o;
	int rc = cli_parse(argc, argv, &o, CLI_FILE_OPTIONAL);
	struct ledit *ed;
	struct scn *s;
	unsigned lineno = 0;
	char prompt[64];

	if (rc == CLI_OK && o.file) {
		fprintf(stderr, "openhv shell: unexpected argument '%s' (openhv "
			"run runs a file)\n", o.file);
		rc = CLI_USAGE;
	}
	if (rc != CLI_OK || o.help) {
		usage(rc == CLI_OK ? stdout : stderr);
		return rc;
	}
	o.so.interactive = true;
	rc = cli_open_trace(&o);
	if (rc)
		return rc;
	s = scn_new(&o.so);
	if (!s) {
		cli_close_trace(&o);
		fprintf(stderr, "openhv shell: out of memory\n");
		return CLI_FAILED;
	}
	ed = ledit_new(STDIN_FILENO, STDOUT_FILENO, complete, s);
	if (ed)
		printf("openhv %s shell: hypercalls by TLFS name; help lists the "
		       "commands, quit leaves.\n", ohv_version());
	for (;;) {
		char *line, *more;

		scn_prompt(s, prompt, sizeof(prompt));
		line = next_line(ed, prompt);
		if (!line)
			break;
		lineno++;
		/* A trailing backslash continues the line. */
		while (line[0] && line[strlen(line) - 1] == '\\' &&
		       (more = next_line(ed, "... ")) != NULL) {
			char *joined;
			size_t n = strlen(line);

			line[n - 1] = ' ';
			joined = malloc(n + strlen(more) + 1);
			if (joined) {
				memcpy(joined, line, n);
				strcpy(joined + n, more);
			}
			free(line);
			free(more);
			line = joined;
			lineno++;
			if (!line)
				break;
		}
		if (!line)
			break;
		ledit_history_add(ed, line);
		enum scn_rc r = scn_line(s, ed ? "shell" : "<stdin>", lineno, line);

		free(line);
		if (r == SCN_QUIT)
			break;
	}
	rc = scn_finish(s) == SCN_OK ? CLI_OK : CLI_FAILED;
	ledit_free(ed);
	scn_free(s);
	cli_close_trace(&o);
	return rc;
}
