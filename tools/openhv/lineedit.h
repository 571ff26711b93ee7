/*
 * Line input for `openhv shell` on a terminal: libedit's editor (history
 * on up/down, Tab completion through a callback, the usual emacs keys)
 * when the build has it, else a prompt and lines as the terminal gives
 * them.
 */
#ifndef OPENHV_TOOL_LINEEDIT_H
#define OPENHV_TOOL_LINEEDIT_H

#include <stddef.h>

struct ledit;

/* Completions of the word ending at `at` in line: add(actx, word) each. */
typedef void ledit_complete_fn(void *ctx, const char *line, size_t at,
			       void (*add)(void *actx, const char *word),
			       void *actx);

/* "libedit", or NULL when the build has no line editor. */
const char *ledit_kind(void);

/* An editor on the terminal fds in and out; NULL when they are not a
 * terminal (or another editor is open). */
struct ledit *ledit_new(int in, int out, ledit_complete_fn *complete,
			void *ctx);
void ledit_free(struct ledit *e);

/* One line without its newline (malloc'd), or NULL at end of input. */
char *ledit_read(struct ledit *e, const char *prompt);

/* Remember a line for up/down (blank lines and repeats are not kept). */
void ledit_history_add(struct ledit *e, const char *line);

#endif /* OPENHV_TOOL_LINEEDIT_H */
