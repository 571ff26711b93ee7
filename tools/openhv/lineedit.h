/*
 * A small line editor for `openhv shell` on a terminal: termios raw mode
 * while a line is read, the usual keys (left/right, Home/End, Ctrl-A/E,
 * backspace, Delete, Ctrl-U/K/W, Ctrl-C, Ctrl-D, Ctrl-L), history on
 * up/down (Ctrl-P/N), Tab completion through a callback.  No library.
 */
#ifndef OPENHV_TOOL_LINEEDIT_H
#define OPENHV_TOOL_LINEEDIT_H

#include <stddef.h>

struct ledit;

/* Completions of the word ending at `at` in line: add(actx, word) each. */
typedef void ledit_complete_fn(void *ctx, const char *line, size_t at,
			       void (*add)(void *actx, const char *word),
			       void *actx);

/* An editor on the terminal fds in and out; NULL when in is not a
 * terminal or its modes cannot be read. */
struct ledit *ledit_new(int in, int out, ledit_complete_fn *complete,
			void *ctx);
void ledit_free(struct ledit *e);

/* One line without its newline (malloc'd), or NULL at end of input. */
char *ledit_read(struct ledit *e, const char *prompt);

/* Remember a line for up/down (blank lines and repeats are not kept). */
void ledit_history_add(struct ledit *e, const char *line);

#endif /* OPENHV_TOOL_LINEEDIT_H */
