/*
 * The shell's line input (lineedit.h): libedit's editor, history and
 * completion when the build found it (OHV_HAVE_LIBEDIT, mk/cli.mk), else
 * a prompt and plain lines.
 */
#include "lineedit.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

struct ledit {
	ledit_complete_fn *complete;
	void *ctx;
	char **cands;		/* the completions being offered */
	size_t n, cap;
};

static void drop_candidates(struct ledit *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->cands[i]);
	e->n = 0;
}

#ifdef OHV_HAVE_LIBEDIT
#include <editline/readline.h>

/* readline's state is the process's: one editor at a time. */
static struct ledit *active;

const char *ledit_kind(void)
{
	return "libedit";
}

static void add_candidate(void *actx, const char *word)
{
	struct ledit *e = actx;
	char *copy = strdup(word);

	if (!copy)
		return;
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 32;
		char **c = realloc(e->cands, cap * sizeof(*c));

		if (!c) {
			free(copy);
			return;
		}
		e->cands = c;
		e->cap = cap;
	}
	e->cands[e->n++] = copy;
}

static char *next_candidate(const char *text, int state)
{
	static size_t i;

	(void)text;
	if (!state)
		i = 0;
	return active && i < active->n ? strdup(active->cands[i++]) : NULL;
}

/* Words are split at blanks only: a candidate is a whole word
 * ("PartitionId=SELF", "Flags=EXO_PARTITION|LAPIC_ENABLED"). */
static char **attempt(const char *text, int start, int end)
{
	(void)start;
	rl_attempted_completion_over = 1;	/* never file names */
	if (!active || end < 0)
		return NULL;
	drop_candidates(active);
	active->complete(active->ctx, rl_line_buffer, (size_t)end,
			 add_candidate, active);
	if (!active->n)
		return NULL;
	/* After "Key=" or "A|" the value goes on: no blank. */
	const char *w = active->cands[0];
	char last = *w ? w[strlen(w) - 1] : 0;

	rl_completion_append_character = active->n == 1 &&
		(last == '=' || last == '|') ? '\0' : ' ';
	return rl_completion_matches(text, next_candidate);
}

/*
 * Run by readline() before each line, after it resets the terminal modes:
 * no SIGINT while editing, so Ctrl-C drops the line being typed and starts
 * over instead of ending the program; and the terminal leaves cooked mode
 * now, before the prompt shows (libedit switches after writing it), so
 * keys typed right after the prompt are the editor's, not the line
 * discipline's (a Ctrl-D there would be lost).
 */
static int before_line(void)
{
	int fd = fileno(rl_instream ? rl_instream : stdin);
	struct termios t;

	rl_parse_and_bind("setty -d -isig");
	if (!tcgetattr(fd, &t)) {
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		tcsetattr(fd, TCSADRAIN, &t);
	}
	return 0;
}

struct ledit *ledit_new(int in, int out, ledit_complete_fn *complete,
			void *ctx)
{
	struct ledit *e;

	if (active || !isatty(in) || !isatty(out))
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->complete = complete;
	e->ctx = ctx;
	active = e;
	rl_readline_name = "openhv";
	rl_basic_word_break_characters = " \t";
	rl_completer_word_break_characters = (char *)" \t";
	rl_attempted_completion_function = attempt;
	rl_pre_input_hook = before_line;
	/* Between lines the terminal is cooked: there Ctrl-C makes the
	 * kernel drop what was typed, and the signal is ignored. */
	rl_catch_signals = 0;
	signal(SIGINT, SIG_IGN);
	rl_initialize();
	using_history();
	rl_parse_and_bind("bind ^C ed-start-over");
	return e;
}

void ledit_free(struct ledit *e)
{
	if (!e)
		return;
	drop_candidates(e);
	free(e->cands);
	clear_history();
	if (active == e)
		active = NULL;
	free(e);
}

char *ledit_read(struct ledit *e, const char *prompt)
{
	return e ? readline(prompt) : NULL;
}

void ledit_history_add(struct ledit *e, const char *line)
{
	HIST_ENTRY *last;

	if (!e || !line[strspn(line, " \t")])
		return;
	last = history_get(history_base + history_length - 1);
	if (last && last->line && !strcmp(last->line, line))
		return;
	add_history(line);
}

#else /* !OHV_HAVE_LIBEDIT */

const char *ledit_kind(void)
{
	return NULL;
}

/* A prompt, then the line as the terminal's own line discipline edits
 * it: no history, no completion. */
struct ledit *ledit_new(int in, int out, ledit_complete_fn *complete,
			void *ctx)
{
	struct ledit *e;

	if (!isatty(in) || !isatty(out))
		return NULL;
	e = calloc(1, sizeof(*e));
	if (e) {
		e->complete = complete;
		e->ctx = ctx;
	}
	return e;
}

void ledit_free(struct ledit *e)
{
	if (e)
		drop_candidates(e);
	free(e);
}

char *ledit_read(struct ledit *e, const char *prompt)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!e)
		return NULL;
	fputs(prompt, stdout);
	fflush(stdout);
	n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = 0;
	return line;
}

void ledit_history_add(struct ledit *e, const char *line)
{
	(void)e;
	(void)line;
}

#endif
