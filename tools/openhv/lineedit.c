/* The shell's line editor (lineedit.h). */
#include "lineedit.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define HISTORY_MAX	500
#define LINE_MAX_LEN	4096
#define CANDIDATES_MAX	256

struct ledit {
	int in, out;
	struct termios cooked;
	ledit_complete_fn *complete;
	void *ctx;
	char *history[HISTORY_MAX];
	size_t nhistory;
};

/* The line being edited. */
struct edit {
	char buf[LINE_MAX_LEN];
	size_t len, pos;
	const char *prompt;
	size_t hist;		/* nhistory while on the new line */
	char saved[LINE_MAX_LEN];	/* the new line, while browsing */
};

struct ledit *ledit_new(int in, int out, ledit_complete_fn *complete,
			void *ctx)
{
	struct ledit *e;

	if (!isatty(in) || !isatty(out))
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	if (tcgetattr(in, &e->cooked)) {
		free(e);
		return NULL;
	}
	e->in = in;
	e->out = out;
	e->complete = complete;
	e->ctx = ctx;
	return e;
}

void ledit_free(struct ledit *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nhistory; i++)
		free(e->history[i]);
	free(e);
}

void ledit_history_add(struct ledit *e, const char *line)
{
	char *copy;

	if (!e || !line[strspn(line, " \t")])
		return;
	if (e->nhistory && !strcmp(e->history[e->nhistory - 1], line))
		return;
	copy = strdup(line);
	if (!copy)
		return;
	if (e->nhistory == HISTORY_MAX) {
		free(e->history[0]);
		memmove(e->history, e->history + 1,
			(HISTORY_MAX - 1) * sizeof(e->history[0]));
		e->nhistory--;
	}
	e->history[e->nhistory++] = copy;
}

static void out(struct ledit *e, const char *s, size_t n)
{
	while (n) {
		ssize_t k = write(e->out, s, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		s += k;
		n -= (size_t)k;
	}
}

static void outs(struct ledit *e, const char *s)
{
	out(e, s, strlen(s));
}

/* Prompt, line, clear the rest, cursor to pos. */
static void redraw(struct ledit *e, const struct edit *ed)
{
	char move[32];

	outs(e, "\r");
	outs(e, ed->prompt);
	out(e, ed->buf, ed->len);
	outs(e, "\x1b[K\r");
	snprintf(move, sizeof(move), "\x1b[%zuC", strlen(ed->prompt) + ed->pos);
	if (strlen(ed->prompt) + ed->pos)
		outs(e, move);
}

static void set_line(struct edit *ed, const char *s)
{
	snprintf(ed->buf, sizeof(ed->buf), "%s", s);
	ed->len = strlen(ed->buf);
	ed->pos = ed->len;
}

static void history_move(struct ledit *e, struct edit *ed, int dir)
{
	if (dir < 0 && ed->hist == 0)
		return;
	if (dir > 0 && ed->hist >= e->nhistory)
		return;
	if (ed->hist == e->nhistory) {
		memcpy(ed->saved, ed->buf, ed->len);
		ed->saved[ed->len] = 0;
	}
	ed->hist = (size_t)((long)ed->hist + dir);
	set_line(ed, ed->hist == e->nhistory ? ed->saved :
		 e->history[ed->hist]);
}

static void insert(struct edit *ed, const char *s, size_t n)
{
	if (ed->len + n >= sizeof(ed->buf))
		return;
	memmove(ed->buf + ed->pos + n, ed->buf + ed->pos, ed->len - ed->pos);
	memcpy(ed->buf + ed->pos, s, n);
	ed->len += n;
	ed->pos += n;
}

static void erase(struct edit *ed, size_t from, size_t to)
{
	memmove(ed->buf + from, ed->buf + to, ed->len - to);
	ed->len -= to - from;
	if (ed->pos > to)
		ed->pos -= to - from;
	else if (ed->pos > from)
		ed->pos = from;
}

/* Tab: candidates for the word before the cursor. */
struct cands {
	char *w[CANDIDATES_MAX];
	size_t n;
};

static void add_cand(void *ctx, const char *word)
{
	struct cands *c = ctx;

	if (c->n < CANDIDATES_MAX)
		c->w[c->n] = strdup(word);
	if (c->n < CANDIDATES_MAX && c->w[c->n])
		c->n++;
}

static void complete(struct ledit *e, struct edit *ed)
{
	struct cands c = { .n = 0 };
	size_t start = ed->pos, common;

	if (!e->complete)
		return;
	ed->buf[ed->len] = 0;
	e->complete(e->ctx, ed->buf, ed->pos, add_cand, &c);
	while (start > 0 && ed->buf[start - 1] != ' ')
		start--;
	if (!c.n)
		goto done;
	common = strlen(c.w[0]);
	for (size_t i = 1; i < c.n; i++) {
		size_t k = 0;

		while (k < common && c.w[i][k] == c.w[0][k])
			k++;
		common = k;
	}
	if (common > ed->pos - start) {
		char word[LINE_MAX_LEN];

		snprintf(word, sizeof(word), "%.*s", (int)common, c.w[0]);
		erase(ed, start, ed->pos);
		insert(ed, word, strlen(word));
		if (c.n == 1 && word[common - 1] != '=')
			insert(ed, " ", 1);
	} else if (c.n > 1) {
		outs(e, "\r\n");
		for (size_t i = 0; i < c.n; i++) {
			outs(e, c.w[i]);
			outs(e, i + 1 < c.n ? "  " : "\r\n");
		}
	}
done:
	for (size_t i = 0; i < c.n; i++)
		free(c.w[i]);
}

static int key(struct ledit *e)
{
	unsigned char ch;
	ssize_t k;

	do
		k = read(e->in, &ch, 1);
	while (k < 0 && errno == EINTR);
	return k == 1 ? ch : -1;
}

/* The rest of an escape sequence: 'A'..'D' arrows, 'H'/'F' home/end,
 * '3' delete, or 0 for one not known. */
static int escape(struct ledit *e)
{
	int a = key(e), b;

	if (a != '[' && a != 'O')
		return 0;
	b = key(e);
	if (b >= '0' && b <= '9') {
		int c = key(e);

		if (c != '~')
			return 0;
		switch (b) {
		case '1': case '7': return 'H';
		case '4': case '8': return 'F';
		case '3': return '3';
		default: return 0;
		}
	}
	return b;
}

char *ledit_read(struct ledit *e, const char *prompt)
{
	struct termios raw = e->cooked;
	struct edit *ed = calloc(1, sizeof(*ed));
	char *line = NULL;
	bool eof = false;

	if (!ed)
		return NULL;
	ed->prompt = prompt;
	ed->hist = e->nhistory;
	raw.c_iflag &= ~(tcflag_t)(ICRNL | IXON | BRKINT | INPCK | ISTRIP);
	raw.c_lflag &= ~(tcflag_t)(ECHO | ICANON | IEXTEN | ISIG);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(e->in, TCSADRAIN, &raw)) {
		free(ed);
		return NULL;
	}
	redraw(e, ed);
	for (;;) {
		int c = key(e);

		if (c < 0) {
			eof = true;
			break;
		}
		if (c == '\r' || c == '\n')
			break;
		switch (c) {
		case 1:			/* Ctrl-A */
			ed->pos = 0;
			break;
		case 2:			/* Ctrl-B */
			if (ed->pos)
				ed->pos--;
			break;
		case 3:			/* Ctrl-C: drop the line */
			outs(e, "^C\r\n");
			ed->len = ed->pos = 0;
			ed->hist = e->nhistory;
			break;
		case 4:			/* Ctrl-D */
			if (!ed->len) {
				eof = true;
				goto out;
			}
			if (ed->pos < ed->len)
				erase(ed, ed->pos, ed->pos + 1);
			break;
		case 5:			/* Ctrl-E */
			ed->pos = ed->len;
			break;
		case 6:			/* Ctrl-F */
			if (ed->pos < ed->len)
				ed->pos++;
			break;
		case 8:			/* Ctrl-H */
		case 127:		/* Backspace */
			if (ed->pos)
				erase(ed, ed->pos - 1, ed->pos);
			break;
		case 9:			/* Tab */
			complete(e, ed);
			break;
		case 11:		/* Ctrl-K */
			ed->len = ed->pos;
			break;
		case 12:		/* Ctrl-L */
			outs(e, "\x1b[H\x1b[2J");
			break;
		case 14:		/* Ctrl-N */
			history_move(e, ed, 1);
			break;
		case 16:		/* Ctrl-P */
			history_move(e, ed, -1);
			break;
		case 21:		/* Ctrl-U */
			erase(ed, 0, ed->pos);
			break;
		case 23: {		/* Ctrl-W: the word before */
			size_t p = ed->pos;

			while (p && ed->buf[p - 1] == ' ')
				p--;
			while (p && ed->buf[p - 1] != ' ')
				p--;
			erase(ed, p, ed->pos);
			break;
		}
		case 27:
			switch (escape(e)) {
			case 'A': history_move(e, ed, -1); break;
			case 'B': history_move(e, ed, 1); break;
			case 'C': if (ed->pos < ed->len) ed->pos++; break;
			case 'D': if (ed->pos) ed->pos--; break;
			case 'H': ed->pos = 0; break;
			case 'F': ed->pos = ed->len; break;
			case '3':
				if (ed->pos < ed->len)
					erase(ed, ed->pos, ed->pos + 1);
				break;
			default: break;
			}
			break;
		default:
			if (c >= 32) {
				char ch = (char)c;

				insert(ed, &ch, 1);
			}
			break;
		}
		redraw(e, ed);
	}
out:
	outs(e, "\r\n");
	tcsetattr(e->in, TCSADRAIN, &e->cooked);
	if (!eof) {
		line = malloc(ed->len + 1);
		if (line) {
			memcpy(line, ed->buf, ed->len);
			line[ed->len] = 0;
		}
	}
	free(ed);
	return line;
}
