/* SPDX-License-Identifier: MIT */
/*
 * The scenario language: lines into words, words into values, and the
 * statements that are not hypercalls (set, echo, expect, assert, as,
 * config, pages, check, show, costs, help, quit).  docs/scenario.md is
 * the reference; `help` prints the same tables this file holds.
 */
#include "scnint.h"
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openhv/client.h>

/* ---------------------------------------------------------------------- */
/* Small vectors.                                                          */

void *vec_push(void **v, size_t *n, size_t *cap, size_t size)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		void *p = realloc(*v, c * size);

		if (!p)
			return NULL;
		*v = p;
		*cap = c;
	}
	void *e = (char *)*v + *n * size;

	memset(e, 0, size);
	(*n)++;
	return e;
}

void vec_del(void *v, size_t *n, size_t size, size_t i)
{
	char *b = v;

	memmove(b + i * size, b + (i + 1) * size, (*n - i - 1) * size);
	(*n)--;
}

/* ---------------------------------------------------------------------- */
/* State.                                                                  */

struct scn *scn_new(const struct scn_opts *o)
{
	struct scn *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->o = *o;
	s->cfg = o->cfg;
	s->caller = 1;
	s->file = "-";
	return s;
}

void scn_free(struct scn *s)
{
	if (!s)
		return;
	if (s->hv) {
		ohv_set_trace(s->hv, NULL, NULL);
		ohv_close(s->hv);
	}
	for (size_t i = 0; i < s->n_vars; i++)
		free(s->vars[i].name);
	for (size_t i = 0; i < s->n_srcs; i++)
		free(s->srcs[i].pages);
	free(s->vars);
	free(s->srcs);
	free(s->io);
	free(s->grants);
	free(s->seen);
	free(s->acc);
	free(s);
}

enum scn_rc scn_err(struct scn *s, enum scn_rc rc, const char *fmt, ...)
{
	va_list ap;

	fflush(s->o.out);
	fprintf(s->o.err, "%s:%u: ", s->file, s->line);
	va_start(ap, fmt);
	vfprintf(s->o.err, fmt, ap);
	va_end(ap);
	fputc('\n', s->o.err);
	fflush(s->o.err);
	return rc;
}

struct ohv *scn_hv(struct scn *s)
{
	int rc;

	if (s->hv)
		return s->hv;
	rc = ohv_open(&s->cfg, &s->hv);
	if (rc && s->cfg.backend == OHV_BACKEND_KVM) {
		scn_err(s, SCN_FAILED, "cannot open an instance on the KVM "
			"backend: %s (%s; --backend auto falls back to the null "
			"backend)", strerror(-rc), access("/dev/kvm", F_OK) ?
			"there is no /dev/kvm" : "/dev/kvm cannot serve");
		s->hv = NULL;
		return NULL;
	}
	if (rc) {
		scn_err(s, SCN_FAILED, "cannot open an instance with this "
			"configuration: %s", strerror(-rc));
		s->hv = NULL;
		return NULL;
	}
	ohv_get_config(s->hv, &s->cfg);
	/* The root's hypercall pages, as Linux's per-CPU pages. */
	if (ohv_root_alloc(s->hv, OHV_ANY_NODE, &s->root_in) ||
	    ohv_root_alloc(s->hv, OHV_ANY_NODE, &s->root_out)) {
		scn_err(s, SCN_FAILED, "no pages for the root's hypercall pages");
		ohv_close(s->hv);
		s->hv = NULL;
		return NULL;
	}
	scn_trace_install(s);
	return s->hv;
}

uint64_t scn_resolve(const struct scn *s, uint64_t caller, uint64_t id)
{
	return id == HV_PARTITION_ID_SELF ? caller : id;
}

/* ---------------------------------------------------------------------- */
/* Variables.                                                              */

static bool name_ok(const char *n)
{
	if (!isalpha((unsigned char)*n) && *n != '_')
		return false;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && *n != '_')
			return false;
	return true;
}

bool scn_var_get(struct scn *s, const char *name, uint64_t *v, uint8_t *fmt)
{
	uint8_t f = OHV_FMT_PARTITION_ID;

	if (!strcmp(name, "root")) {
		*v = 1;
	} else if (!strcmp(name, "caller")) {
		*v = s->caller;
	} else {
		size_t i = 0;

		while (i < s->n_vars && strcmp(s->vars[i].name, name))
			i++;
		if (i == s->n_vars)
			return false;
		*v = s->vars[i].value;
		f = s->vars[i].fmt;
	}
	if (fmt)
		*fmt = f;
	return true;
}

enum scn_rc scn_var_set(struct scn *s, const char *name, uint64_t v,
			enum ohv_field_fmt fmt)
{
	if (!name_ok(name))
		return scn_err(s, SCN_ERROR, "'%s' is not a variable name "
			       "(letters, digits, _)", name);
	for (size_t i = 0; i < s->n_vars; i++) {
		if (!strcmp(s->vars[i].name, name)) {
			s->vars[i].value = v;
			s->vars[i].fmt = (uint8_t)fmt;
			return SCN_OK;
		}
	}
	struct var *nv = VPUSH(s, vars);
	char *copy = strdup(name);

	if (!nv || !copy) {
		free(copy);
		if (nv)
			s->n_vars--;
		return scn_err(s, SCN_FAILED, "out of memory");
	}
	nv->name = copy;
	nv->value = v;
	nv->fmt = (uint8_t)fmt;
	return SCN_OK;
}

enum scn_rc scn_capture(struct scn *s, const struct toks *t,
			const uint64_t *values, const uint8_t *fmts, size_t n,
			const char *what)
{
	if (t->ncap > n)
		return scn_err(s, SCN_ERROR, "%s gives %zu value%s to capture, "
			       "not %zu", what, n, n == 1 ? "" : "s", t->ncap);
	for (size_t i = 0; i < t->ncap; i++) {
		enum scn_rc rc = scn_var_set(s, t->cap[i], values[i], fmts ?
					     (enum ohv_field_fmt)fmts[i] :
					     OHV_FMT_DEC);

		if (rc)
			return rc;
	}
	return SCN_OK;
}

void scn_outcome(struct scn *s, const char *what, hv_status_t st,
		 uint32_t reps, uint64_t result)
{
	s->have_last = true;
	s->last_status = st;
	s->last_reps = reps;
	s->last_result = result;
	s->last_line = s->line;
	snprintf(s->last_what, sizeof(s->last_what), "%s", what);
	scn_var_set(s, "status", st, OHV_FMT_HEX);
	scn_var_set(s, "reps", reps, OHV_FMT_DEC);
	scn_var_set(s, "result", result, OHV_FMT_HEX);
	if (st != HV_STATUS_SUCCESS && !s->o.interactive) {
		s->pending = true;
		s->pending_line = s->line;
		snprintf(s->pending_file, sizeof(s->pending_file), "%s", s->file);
	}
}

/* ---------------------------------------------------------------------- */
/* Words.                                                                  */

static void toks_free(struct toks *t)
{
	free(t->buf);
	t->buf = NULL;
	t->n = t->ncap = 0;
}

/* Split a line into words: blanks separate, "..." keeps blanks (escapes
 * kept for the value parser), # starts a comment, -> starts captures. */
static enum scn_rc tokenize(struct scn *s, const char *line, struct toks *t)
{
	size_t len = strlen(line);
	char *b = malloc(len + 1);
	char *w = b;
	const char *p = line;
	bool capturing = false;

	memset(t, 0, sizeof(*t));
	if (!b)
		return scn_err(s, SCN_FAILED, "out of memory");
	t->buf = b;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			break;
		char *start = w;
		bool quoted = false;

		while (*p && (quoted || (*p != ' ' && *p != '\t' &&
					 *p != '\r' && *p != '\n' &&
					 *p != '#'))) {
			if (*p == '"')
				quoted = !quoted;
			else if (quoted && *p == '\\' && p[1])
				*w++ = *p++;
			*w++ = *p++;
		}
		if (quoted) {
			toks_free(t);
			return scn_err(s, SCN_ERROR, "a quoted string is not "
				       "closed");
		}
		*w++ = 0;
		if (!strncmp(start, "->", 2)) {
			capturing = true;
			start += 2;
			if (!*start)
				continue;
		}
		if (capturing) {
			/* a, b  or  a,b  or  $a */
			for (char *c = strtok(start, ","); c; c = strtok(NULL, ",")) {
				if (*c == '$')
					c++;
				if (!*c)
					continue;
				if (t->ncap == ARRAY_SIZE(t->cap)) {
					toks_free(t);
					return scn_err(s, SCN_ERROR, "too many "
						       "captures");
				}
				t->cap[t->ncap++] = c;
			}
			continue;
		}
		if (t->n == SCN_MAX_TOKENS) {
			toks_free(t);
			return scn_err(s, SCN_ERROR, "too many words on one line");
		}
		t->t[t->n++] = start;
	}
	if (capturing && !t->ncap) {
		toks_free(t);
		return scn_err(s, SCN_ERROR, "-> needs a variable name");
	}
	return SCN_OK;
}

char *scn_split(char *word)
{
	bool quoted = false;

	for (char *p = word; *p; p++) {
		if (*p == '"')
			quoted = !quoted;
		if (!quoted && *p == '=') {
			*p = 0;
			return p + 1;
		}
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Values: numbers, $variables, constants, functions, a|b, a+b, a-b.       */

struct cursor {
	struct scn *s;
	const char *p;
	const char *text;
	enum ohv_field_fmt fmt;
};

static enum scn_rc expr(struct cursor *c, uint64_t *v);

static enum scn_rc bad_value(struct cursor *c, const char *why)
{
	return scn_err(c->s, SCN_ERROR, "bad value '%s': %s", c->text, why);
}

static bool word_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '.' ||
	       ch == '[' || ch == ']';
}

static enum scn_rc number(struct cursor *c, uint64_t *v)
{
	const char *p = c->p;
	int base = 10;
	uint64_t x = 0;
	bool any = false;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
		base = 2;
		p += 2;
	}
	for (;; p++) {
		int d;

		if (*p == '_' && any)
			continue;
		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (isxdigit((unsigned char)*p))
			d = tolower((unsigned char)*p) - 'a' + 10;
		else
			break;
		if (d >= base)
			return bad_value(c, "a digit out of its base");
		if (x > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return bad_value(c, "more than 64 bits");
		x = x * (uint64_t)base + (uint64_t)d;
		any = true;
	}
	if (!any)
		return bad_value(c, "a number without digits");
	if (isalpha((unsigned char)*p))
		return bad_value(c, "letters after a number");
	c->p = p;
	*v = x;
	return SCN_OK;
}

static const struct named_state {
	const char *name;
	uint64_t value;
} state_names[] = {
	{ "Deleted", 0 },
	{ "Uninitialized", OHV_STATE_UNINITIALIZED },
	{ "Active", OHV_STATE_ACTIVE },
	{ "Finalized", OHV_STATE_FINALIZED },
};

/* The functions a value may call: one partition argument unless said. */
static enum scn_rc call_fn(struct cursor *c, const char *fn, uint64_t *args,
			   size_t nargs, uint64_t *v)
{
	struct scn *s = c->s;
	struct ohv_partition_info info;

	if (!strcmp(fn, "gpa") || !strcmp(fn, "page")) {
		if (nargs != 1)
			return bad_value(c, "gpa() and page() take one number");
		*v = !strcmp(fn, "gpa") ? args[0] << HV_PAGE_SHIFT :
			args[0] >> HV_PAGE_SHIFT;
		return SCN_OK;
	}
	struct ohv *hv = scn_hv(s);

	if (!hv)
		return SCN_FAILED;
	if (!strcmp(fn, "rootfree") || !strcmp(fn, "live")) {
		if (nargs)
			return bad_value(c, "rootfree() and live() take nothing");
		*v = !strcmp(fn, "live") ? ohv_partition_list(hv, NULL, 0) :
			ohv_root_free_pages(hv);
		return SCN_OK;
	}
	static const char *const per_partition[] = {
		"available", "inuse", "state", "vps", "children", "depth",
		"parent", "exists", "privileges", "flags", "charged",
	};
	size_t k;

	for (k = 0; k < ARRAY_SIZE(per_partition); k++)
		if (!strcmp(fn, per_partition[k]))
			break;
	if (k == ARRAY_SIZE(per_partition))
		return bad_value(c, "no such function");
	if (nargs != 1)
		return bad_value(c, "this function takes one partition");
	uint64_t id = scn_resolve(s, s->caller, args[0]);
	bool live = !ohv_partition_info(hv, id, &info);

	if (!live && strcmp(fn, "state") && strcmp(fn, "exists"))
		return scn_err(s, SCN_FAILED, "%s(): no live partition %" PRIu64,
			       fn, id);
	switch (k) {
	case 0: *v = info.pool_available; break;
	case 1: *v = info.pool_in_use; break;
	case 2: *v = live ? (uint64_t)info.state : 0; break;
	case 3: *v = info.vps; break;
	case 4: *v = info.children; break;
	case 5: *v = info.depth; break;
	case 6: *v = info.parent_id; break;
	case 7: *v = live; break;
	case 8: *v = info.privileges; break;
	case 9: *v = info.creation_flags; break;
	default: *v = info.charged_pages; break;
	}
	return SCN_OK;
}

static enum scn_rc term(struct cursor *c, uint64_t *v)
{
	struct scn *s = c->s;
	char name[80];
	size_t n = 0;

	if (isdigit((unsigned char)*c->p))
		return number(c, v);
	if (*c->p == '(') {
		enum scn_rc rc;

		c->p++;
		rc = expr(c, v);
		if (rc)
			return rc;
		if (*c->p != ')')
			return bad_value(c, "a ( without its )");
		c->p++;
		return SCN_OK;
	}
	bool var = *c->p == '$';

	if (var)
		c->p++;
	while (word_char(*c->p) && n + 1 < sizeof(name))
		name[n++] = *c->p++;
	name[n] = 0;
	if (!n)
		return bad_value(c, *c->p == '"' ? "a string is not a number" :
				 "expected a number, $variable or name");
	if (var) {
		if (!scn_var_get(s, name, v, NULL))
			return scn_err(s, SCN_ERROR, "no variable $%s", name);
		return SCN_OK;
	}
	if (*c->p == '(') {
		uint64_t args[4];
		size_t nargs = 0;
		enum scn_rc rc;

		c->p++;
		while (*c->p && *c->p != ')') {
			if (nargs == ARRAY_SIZE(args))
				return bad_value(c, "too many arguments");
			enum ohv_field_fmt keep = c->fmt;

			c->fmt = OHV_FMT_PARTITION_ID;
			rc = expr(c, &args[nargs++]);
			c->fmt = keep;
			if (rc)
				return rc;
			if (*c->p == ',')
				c->p++;
		}
		if (*c->p != ')')
			return bad_value(c, "a ( without its )");
		c->p++;
		return call_fn(c, name, args, nargs, v);
	}
	if (c->fmt == OHV_FMT_PROXIMITY && *c->p == ':' &&
	    (!strcasecmp(name, "prefer") || !strcasecmp(name, "require"))) {
		uint64_t node;
		enum scn_rc rc;

		c->p++;
		rc = term(c, &node);
		if (rc)
			return rc;
		*v = (node & 0xFFFFFFFF) | ((uint64_t)(HV_PROXIMITY_DOMAIN_VALID |
			(tolower((unsigned char)name[0]) == 'p' ?
			 HV_PROXIMITY_DOMAIN_PREFERRED : 0)) << 32);
		return SCN_OK;
	}
	if (layout_const(c->fmt, name, true, v))
		return SCN_OK;
	for (size_t i = 0; i < ARRAY_SIZE(state_names); i++) {
		if (!strcasecmp(state_names[i].name, name)) {
			*v = state_names[i].value;
			return SCN_OK;
		}
	}
	if (!strcasecmp(name, "root")) {
		*v = 1;
		return SCN_OK;
	}
	{
		hv_status_t st;

		if (!strncasecmp(name, "HV_STATUS_", 10) &&
		    layout_status(name, &st)) {
			*v = st;
			return SCN_OK;
		}
	}
	if (!strncasecmp(name, "HVMSG_", 6) && scn_msg_type(name, v))
		return SCN_OK;
	return scn_err(s, SCN_ERROR, "'%s' is not a number, variable or "
		       "known name%s%s", name, c->fmt != OHV_FMT_HEX ? " for " : "",
		       c->fmt != OHV_FMT_HEX ? layout_fmt_help(c->fmt) : "");
}

static enum scn_rc expr(struct cursor *c, uint64_t *v)
{
	enum scn_rc rc = term(c, v);

	while (!rc && (*c->p == '|' || *c->p == '+' || *c->p == '-' ||
		       *c->p == '&')) {
		char op = *c->p++;
		uint64_t r;

		rc = term(c, &r);
		if (rc)
			break;
		if (op == '|')
			*v |= r;
		else if (op == '&')
			*v &= r;
		else if (op == '+')
			*v += r;
		else
			*v -= r;
	}
	return rc;
}

enum scn_rc scn_value(struct scn *s, const char *text, enum ohv_field_fmt fmt,
		      uint64_t *out)
{
	struct cursor c = { s, text, text, fmt };
	enum scn_rc rc;

	if (!*text)
		return scn_err(s, SCN_ERROR, "a value is missing");
	rc = expr(&c, out);
	if (rc)
		return rc;
	if (*c.p)
		return bad_value(&c, "unexpected characters after the value");
	return SCN_OK;
}

/* Split text at its top-level commas into items (text is modified). */
static size_t split_items(char *text, char **items, size_t max)
{
	size_t n = 0;
	int depth = 0;
	char *start = text;

	for (char *p = text;; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		if ((*p == ',' && depth == 0) || !*p) {
			bool end = !*p;

			*p = 0;
			if (n < max)
				items[n++] = start;
			start = p + 1;
			if (end)
				break;
		}
	}
	return n;
}

static enum scn_rc list_add(struct scn *s, uint64_t **out, size_t *n,
			    size_t *cap, uint64_t v)
{
	if (*n >= SCN_MAX_LIST)
		return scn_err(s, SCN_ERROR, "a list of more than %d elements",
			       SCN_MAX_LIST);
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		uint64_t *p = realloc(*out, c * sizeof(*p));

		if (!p)
			return scn_err(s, SCN_FAILED, "out of memory");
		*out = p;
		*cap = c;
	}
	(*out)[(*n)++] = v;
	return SCN_OK;
}

enum scn_rc scn_list(struct scn *s, const char *text, enum ohv_field_fmt fmt,
		     uint64_t **out, size_t *n, uint64_t **fresh,
		     size_t *nfresh)
{
	char *copy = strdup(text);
	char *items[SCN_MAX_LIST];
	size_t cap = 0, fcap = 0, k;
	enum scn_rc rc = SCN_OK;

	*out = NULL;
	*n = 0;
	if (fresh) {
		*fresh = NULL;
		*nfresh = 0;
	}
	if (!copy)
		return scn_err(s, SCN_FAILED, "out of memory");
	k = split_items(copy, items, ARRAY_SIZE(items));
	for (size_t i = 0; i < k && !rc; i++) {
		char *it = items[i], *dots = strstr(it, "..");
		uint64_t a, b;

		if (!*it) {
			rc = scn_err(s, SCN_ERROR, "an empty item in '%s'", text);
		} else if (!strncmp(it, "alloc(", 6) &&
			   it[strlen(it) - 1] == ')') {
			char *args = it + 6, *comma;
			uint64_t count, node = OHV_ANY_NODE;

			it[strlen(it) - 1] = 0;
			comma = strchr(args, ',');
			if (comma)
				*comma = 0;
			rc = scn_value(s, args, OHV_FMT_DEC, &count);
			if (!rc && comma)
				rc = scn_value(s, comma + 1, OHV_FMT_DEC, &node);
			if (!rc && count > SCN_MAX_LIST)
				rc = scn_err(s, SCN_ERROR, "alloc(%" PRIu64 "): "
					     "at most %d", count, SCN_MAX_LIST);
			for (uint64_t j = 0; !rc && j < count; j++) {
				uint64_t page;

				rc = scn_page_alloc(s, s->caller, (uint32_t)node,
						    &page);
				if (!rc)
					rc = list_add(s, out, n, &cap, page);
				if (!rc && fresh)
					rc = list_add(s, fresh, nfresh, &fcap, page);
				else if (!rc)
					continue;
			}
		} else if (dots) {
			*dots = 0;
			rc = scn_value(s, it, fmt, &a);
			if (!rc)
				rc = scn_value(s, dots + 2, fmt, &b);
			if (!rc && (a > b ? a - b : b - a) >= SCN_MAX_LIST)
				rc = scn_err(s, SCN_ERROR, "range %s..%s: more "
					     "than %d elements", it, dots + 2,
					     SCN_MAX_LIST);
			for (uint64_t v = a; !rc; v = a <= b ? v + 1 : v - 1) {
				rc = list_add(s, out, n, &cap, v);
				if (v == b)
					break;
			}
		} else {
			rc = scn_value(s, it, fmt, &a);
			if (!rc)
				rc = list_add(s, out, n, &cap, a);
		}
	}
	free(copy);
	if (rc) {
		if (fresh) {
			for (size_t i = 0; i < *nfresh; i++)
				scn_page_free(s, s->caller, (*fresh)[i]);
			free(*fresh);
			*fresh = NULL;
			*nfresh = 0;
		}
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Pages.                                                                  */

static struct pagesrc *src_of(struct scn *s, uint64_t pid, bool make)
{
	for (size_t i = 0; i < s->n_srcs; i++)
		if (s->srcs[i].pid == pid)
			return &s->srcs[i];
	if (!make)
		return NULL;
	struct pagesrc *p = VPUSH(s, srcs);

	if (p)
		p->pid = pid;
	return p;
}

enum scn_rc scn_pages_add(struct scn *s, uint64_t pid, const uint64_t *p,
			  size_t n)
{
	struct pagesrc *src = src_of(s, pid, true);

	if (!src)
		return scn_err(s, SCN_FAILED, "out of memory");
	if (src->n + n > src->cap) {
		size_t c = src->n + n + 16;
		uint64_t *np = realloc(src->pages, c * sizeof(*np));

		if (!np)
			return scn_err(s, SCN_FAILED, "out of memory");
		src->pages = np;
		src->cap = c;
	}
	/* Handed out first to last. */
	for (size_t i = n; i-- > 0;)
		src->pages[src->n++] = p[i];
	return SCN_OK;
}

enum scn_rc scn_page_alloc(struct scn *s, uint64_t pid, uint32_t node,
			   uint64_t *page)
{
	struct ohv *hv = scn_hv(s);

	if (!hv)
		return SCN_FAILED;
	if (pid == ohv_root_id(hv)) {
		int rc = ohv_root_alloc(hv, node, page);

		if (rc == -EINVAL)
			return scn_err(s, SCN_ERROR, "alloc(): no NUMA node %"
				       PRIu32, node);
		if (rc)
			return scn_err(s, SCN_FAILED, "alloc(): the root's page "
				       "allocator is empty");
		return SCN_OK;
	}
	struct pagesrc *src = src_of(s, pid, false);

	if (!src || !src->n)
		return scn_err(s, SCN_FAILED, "alloc(): partition %" PRIu64
			       " has no pages left to give (declare them with "
			       "`pages` or `map ... exclusive`)", pid);
	*page = src->pages[--src->n];
	return SCN_OK;
}

void scn_page_free(struct scn *s, uint64_t pid, uint64_t page)
{
	if (!s->hv)
		return;
	if (pid == ohv_root_id(s->hv)) {
		ohv_root_free(s->hv, page);
		return;
	}
	scn_pages_add(s, pid, &page, 1);
}

enum scn_rc scn_io(struct scn *s, uint64_t pid, uint64_t *in, uint64_t *out)
{
	if (pid == 1) {
		*in = s->root_in;
		*out = s->root_out;
		return SCN_OK;
	}
	for (size_t i = 0; i < s->n_io; i++) {
		if (s->io[i].pid == pid) {
			*in = s->io[i].in;
			*out = s->io[i].out;
			return SCN_OK;
		}
	}
	return scn_err(s, SCN_ERROR, "partition %" PRIu64 " has no hypercall "
		       "pages: name two of its GPA pages with `as %" PRIu64
		       " vp N inpage=P outpage=Q` (or issue the call `fast`)",
		       pid, pid);
}

bool scn_poke(struct scn *s, uint64_t pid, uint64_t gpa, const void *p,
	      size_t len)
{
	const uint8_t *b = p;
	bool all = true;

	while (len) {
		size_t chunk = HV_PAGE_SIZE - (gpa & (HV_PAGE_SIZE - 1));
		void *dst;

		if (chunk > len)
			chunk = len;
		dst = ohv_gpa(s->hv, pid, gpa, chunk);
		if (dst)
			memcpy(dst, b, chunk);
		else
			all = false;
		gpa += chunk;
		b += chunk;
		len -= chunk;
	}
	return all;
}

bool scn_peek(struct scn *s, uint64_t pid, uint64_t gpa, void *p, size_t len)
{
	uint8_t *b = p;

	while (len) {
		size_t chunk = HV_PAGE_SIZE - (gpa & (HV_PAGE_SIZE - 1));
		const void *src;

		if (chunk > len)
			chunk = len;
		src = ohv_gpa(s->hv, pid, gpa, chunk);
		if (!src)
			return false;
		memcpy(b, src, chunk);
		gpa += chunk;
		b += chunk;
		len -= chunk;
	}
	return true;
}

/* ---------------------------------------------------------------------- */
/* Statements.                                                             */

static enum scn_rc dispatch(struct scn *s, struct toks *t);

static enum scn_rc no_captures(struct scn *s, const struct toks *t)
{
	if (t->ncap)
		return scn_err(s, SCN_ERROR, "%s captures nothing (drop the ->)",
			       t->t[0]);
	return SCN_OK;
}

static enum ohv_field_fmt set_fmt(struct scn *s, const char *text)
{
	uint8_t fmt = OHV_FMT_DEC;

	if (strstr(text, "0x") || strstr(text, "0X"))
		return OHV_FMT_HEX;
	if (*text == '$') {
		char name[64];
		size_t n = 0;

		while ((isalnum((unsigned char)text[n + 1]) || text[n + 1] == '_')
		       && n + 1 < sizeof(name)) {
			name[n] = text[n + 1];
			n++;
		}
		name[n] = 0;
		if (scn_var_get(s, name, &(uint64_t){ 0 }, &fmt))
			return (enum ohv_field_fmt)fmt;
	}
	return OHV_FMT_DEC;
}

static enum scn_rc st_set(struct scn *s, struct toks *t)
{
	if (t->n < 2)
		return scn_err(s, SCN_ERROR, "usage: set NAME=VALUE ...");
	for (size_t i = 1; i < t->n; i++) {
		char *v = scn_split(t->t[i]);
		uint64_t x;
		enum scn_rc rc;

		if (!v)
			return scn_err(s, SCN_ERROR, "set: '%s' is not NAME=VALUE",
				       t->t[i]);
		if (*t->t[i] == '$')
			t->t[i]++;
		rc = scn_value(s, v, OHV_FMT_HEX, &x);
		/* Echoed as written: hex when given in hex, as $var is. */
		if (!rc)
			rc = scn_var_set(s, t->t[i], x, set_fmt(s, v));
		if (rc)
			return rc;
	}
	return no_captures(s, t);
}

/* A quoted word's bytes: \n \t \\ \" \xHH; false when malformed. */
bool scn_unquote(const char *w, char *out, size_t max, size_t *len)
{
	size_t n = 0;

	if (*w != '"')
		return false;
	for (w++; *w && *w != '"'; w++) {
		char ch = *w;

		if (ch == '\\') {
			w++;
			switch (*w) {
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case 'r': ch = '\r'; break;
			case '0': ch = 0; break;
			case '\\': ch = '\\'; break;
			case '"': ch = '"'; break;
			case 'x':
				if (!isxdigit((unsigned char)w[1]) ||
				    !isxdigit((unsigned char)w[2]))
					return false;
				{
					char hex[3] = { w[1], w[2], 0 };

					ch = (char)strtoul(hex, NULL, 16);
				}
				w += 2;
				break;
			default:
				return false;
			}
		}
		if (n >= max)
			return false;
		out[n++] = ch;
	}
	if (*w != '"' || w[1])
		return false;
	*len = n;
	return true;
}

static enum scn_rc st_echo(struct scn *s, struct toks *t)
{
	for (size_t i = 1; i < t->n; i++) {
		const char *w = t->t[i];
		char text[1024];
		size_t len;

		if (i > 1)
			fputc(' ', s->o.out);
		if (*w == '"' && scn_unquote(w, text, sizeof(text), &len)) {
			fwrite(text, 1, len, s->o.out);
			continue;
		}
		/* $name becomes its value. */
		for (const char *p = w; *p;) {
			if (*p == '$' && (isalpha((unsigned char)p[1]) ||
					  p[1] == '_')) {
				char name[64];
				size_t n = 0;
				uint64_t v;
				uint8_t fmt;
				char num[32];

				p++;
				while ((isalnum((unsigned char)*p) || *p == '_') &&
				       n + 1 < sizeof(name))
					name[n++] = *p++;
				name[n] = 0;
				if (!scn_var_get(s, name, &v, &fmt))
					return scn_err(s, SCN_ERROR, "no variable "
						       "$%s", name);
				/* As the calls show the field it came from. */
				layout_number(num, sizeof(num),
					      (enum ohv_field_fmt)fmt, v);
				fputs(num, s->o.out);
			} else {
				fputc(*p++, s->o.out);
			}
		}
	}
	fputc('\n', s->o.out);
	fflush(s->o.out);
	return no_captures(s, t);
}

static enum scn_rc st_expect(struct scn *s, struct toks *t)
{
	hv_status_t want;
	uint64_t reps = 0;
	bool check_reps = false;

	if (t->n < 2 || t->n > 3)
		return scn_err(s, SCN_ERROR, "usage: expect STATUS [reps=N]");
	if (!layout_status(t->t[1], &want))
		return scn_err(s, SCN_ERROR, "expect: '%s' is not a status name "
			       "(HV_STATUS_ACCESS_DENIED, ACCESS_DENIED, 6)",
			       t->t[1]);
	if (t->n == 3) {
		char *v = scn_split(t->t[2]);

		if (!v || strcmp(t->t[2], "reps"))
			return scn_err(s, SCN_ERROR, "expect: '%s' is not "
				       "reps=N", t->t[2]);
		if (scn_value(s, v, OHV_FMT_DEC, &reps))
			return SCN_ERROR;
		check_reps = true;
	}
	if (!s->have_last)
		return scn_err(s, SCN_ERROR, "expect: no hypercall before it");
	s->pending = false;
	if (s->last_status != want)
		return scn_err(s, SCN_FAILED, "expected %s, got %s (%s at line %u)",
			       ohv_status_name(want),
			       ohv_status_name(s->last_status), s->last_what,
			       s->last_line);
	if (check_reps && s->last_reps != reps)
		return scn_err(s, SCN_FAILED, "expected reps completed %" PRIu64
			       ", got %" PRIu32 " (%s at line %u)", reps,
			       s->last_reps, s->last_what, s->last_line);
	return no_captures(s, t);
}

static enum scn_rc st_assert(struct scn *s, struct toks *t)
{
	static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">" };
	uint64_t a, b = 0;
	size_t op = ARRAY_SIZE(ops);
	enum scn_rc rc;

	if (t->n != 2 && t->n != 4)
		return scn_err(s, SCN_ERROR, "usage: assert VALUE [OP VALUE] "
			       "(OP: == != < <= > >=)");
	rc = scn_value(s, t->t[1], OHV_FMT_HEX, &a);
	if (rc)
		return rc;
	if (t->n == 4) {
		for (op = 0; op < ARRAY_SIZE(ops); op++)
			if (!strcmp(t->t[2], ops[op]))
				break;
		if (op == ARRAY_SIZE(ops))
			return scn_err(s, SCN_ERROR, "assert: '%s' is not one "
				       "of == != < <= > >=", t->t[2]);
		rc = scn_value(s, t->t[3], OHV_FMT_HEX, &b);
		if (rc)
			return rc;
	}
	bool ok;

	switch (op) {
	case 0: ok = a == b; break;
	case 1: ok = a != b; break;
	case 2: ok = a <= b; break;
	case 3: ok = a >= b; break;
	case 4: ok = a < b; break;
	case 5: ok = a > b; break;
	default: ok = a != 0; break;
	}
	if (!ok) {
		if (t->n == 4)
			return scn_err(s, SCN_FAILED, "assertion failed: %s %s %s "
				       "(%" PRIu64 " %s %" PRIu64 " is false)",
				       t->t[1], t->t[2], t->t[3], a, t->t[2], b);
		return scn_err(s, SCN_FAILED, "assertion failed: %s is 0",
			       t->t[1]);
	}
	return no_captures(s, t);
}

/* as root | as P [vp N] [inpage=G] [outpage=G] [COMMAND ...] */
static enum scn_rc st_as(struct scn *s, struct toks *t)
{
	uint64_t pid, vp = 0, in = 0, out = 0;
	bool has_in = false, has_out = false;
	size_t i = 2;
	enum scn_rc rc;

	if (t->n < 2)
		return scn_err(s, SCN_ERROR, "usage: as root | as PARTITION "
			       "[vp N] [inpage=P outpage=Q] [COMMAND ...]");
	if (!scn_hv(s))
		return SCN_FAILED;
	rc = scn_value(s, t->t[1], OHV_FMT_PARTITION_ID, &pid);
	if (rc)
		return rc;
	pid = scn_resolve(s, s->caller, pid);
	if (i < t->n && !strcmp(t->t[i], "vp")) {
		if (i + 1 >= t->n)
			return scn_err(s, SCN_ERROR, "as: vp needs an index");
		rc = scn_value(s, t->t[i + 1], OHV_FMT_VP_INDEX, &vp);
		if (rc)
			return rc;
		if (vp > UINT32_MAX)
			return scn_err(s, SCN_ERROR, "as: VP index above 32 bits");
		i += 2;
	}
	while (i < t->n) {
		char word[64];
		char *v;

		snprintf(word, sizeof(word), "%s", t->t[i]);
		v = scn_split(word);
		if (!v || (strcmp(word, "inpage") && strcmp(word, "outpage")))
			break;
		rc = scn_value(s, v, OHV_FMT_GPA_PAGE, !strcmp(word, "inpage") ?
			       &in : &out);
		if (rc)
			return rc;
		*(!strcmp(word, "inpage") ? &has_in : &has_out) = true;
		i++;
	}
	if (has_in != has_out)
		return scn_err(s, SCN_ERROR, "as: give both inpage= and outpage=");
	if (has_in && in == out)
		return scn_err(s, SCN_ERROR, "as: the input and output pages "
			       "must differ");
	if (has_in && pid == 1)
		return scn_err(s, SCN_ERROR, "as: the root's hypercall pages "
			       "come from its allocator");
	if (has_in) {
		struct iopages *io = NULL;

		for (size_t k = 0; k < s->n_io; k++)
			if (s->io[k].pid == pid)
				io = &s->io[k];
		if (!io)
			io = VPUSH(s, io);
		if (!io)
			return scn_err(s, SCN_FAILED, "out of memory");
		io->pid = pid;
		io->in = in;
		io->out = out;
	}
	if (i == t->n) {
		s->caller = pid;
		s->vp = (uint32_t)vp;
		return no_captures(s, t);
	}
	/* One command as that caller. */
	uint64_t keep_caller = s->caller;
	uint32_t keep_vp = s->vp;

	s->caller = pid;
	s->vp = (uint32_t)vp;
	memmove(t->t, t->t + i, (t->n - i) * sizeof(t->t[0]));
	t->n -= i;
	rc = dispatch(s, t);
	s->caller = keep_caller;
	s->vp = keep_vp;
	return rc;
}

static enum scn_rc config_key(struct scn *s, const char *key, const char *v)
{
	static const struct {
		const char *name;
		size_t off;
		int size;
	} keys[] = {
#define K(n, f) { n, offsetof(struct ohv_config, f), \
		  (int)sizeof(((struct ohv_config *)0)->f) }
		K("memory_pages", memory_pages), K("numa_nodes", numa_nodes),
		K("max_depth", max_depth), K("max_partitions", max_partitions),
		K("root_vps", root_vps), K("root_privileges", root_privileges),
		K("rep_budget_ns", rep_budget_ns), K("rep_limit", rep_limit),
		K("commit_memory", commit_memory),
		K("cost.partition", costs.partition),
		K("cost.initialize", costs.initialize),
		K("cost.vp", costs.vp), K("cost.port", costs.port),
		K("cost.connection", costs.connection),
		K("cost.gpa_table", costs.gpa_table),
#undef K
	};
	uint64_t x;

	if (!strcmp(key, "backend")) {
		if (!strcasecmp(v, "kvm"))
			s->cfg.backend = OHV_BACKEND_KVM;
		else if (!strcasecmp(v, "null"))
			s->cfg.backend = OHV_BACKEND_NULL;
		else if (!strcasecmp(v, "auto"))
			s->cfg.backend = OHV_BACKEND_AUTO;
		else
			return scn_err(s, SCN_ERROR, "config: backend is kvm, "
				       "null or auto");
		return SCN_OK;
	}
	if (!strcmp(key, "arch")) {
		if (!strcasecmp(v, "x64"))
			s->cfg.arch = OHV_ARCH_X64;
		else if (!strcasecmp(v, "arm64"))
			s->cfg.arch = OHV_ARCH_ARM64;
		else
			return scn_err(s, SCN_ERROR, "config: arch is x64 or "
				       "arm64");
		return SCN_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (strcmp(keys[i].name, key))
			continue;
		if (scn_value(s, v, strcmp(key, "root_privileges") ? OHV_FMT_DEC :
			      OHV_FMT_PRIVILEGES, &x))
			return SCN_ERROR;
		if (keys[i].size == 4 && x > UINT32_MAX)
			return scn_err(s, SCN_ERROR, "config: %s is a 32-bit "
				       "value", key);
		if (keys[i].size == 4) {
			uint32_t y = (uint32_t)x;

			memcpy((char *)&s->cfg + keys[i].off, &y, 4);
		} else {
			memcpy((char *)&s->cfg + keys[i].off, &x, 8);
		}
		return SCN_OK;
	}
	return scn_err(s, SCN_ERROR, "config: no key '%s' (arch, backend, "
		       "memory_pages, "
		       "numa_nodes, max_depth, max_partitions, root_vps, "
		       "root_privileges, rep_budget_ns, rep_limit, commit_memory, "
		       "cost.*)", key);
}

static enum scn_rc st_config(struct scn *s, struct toks *t)
{
	if (s->hv)
		return scn_err(s, SCN_ERROR, "config must come before the first "
			       "command that uses the instance");
	if (t->n < 2)
		return scn_err(s, SCN_ERROR, "usage: config KEY=VALUE ...");
	for (size_t i = 1; i < t->n; i++) {
		char *v = scn_split(t->t[i]);
		enum scn_rc rc;

		if (!v)
			return scn_err(s, SCN_ERROR, "config: '%s' is not "
				       "KEY=VALUE", t->t[i]);
		rc = config_key(s, t->t[i], v);
		if (rc)
			return rc;
	}
	return no_captures(s, t);
}

/* pages P LIST: P's own GPA pages alloc() may hand out when P calls. */
static enum scn_rc st_pages(struct scn *s, struct toks *t)
{
	uint64_t pid, *list;
	size_t n;
	enum scn_rc rc;

	if (t->n != 3)
		return scn_err(s, SCN_ERROR, "usage: pages PARTITION LIST");
	if (!scn_hv(s))
		return SCN_FAILED;
	rc = scn_value(s, t->t[1], OHV_FMT_PARTITION_ID, &pid);
	if (rc)
		return rc;
	pid = scn_resolve(s, s->caller, pid);
	if (pid == 1)
		return scn_err(s, SCN_ERROR, "pages: the root's pages come from "
			       "its allocator");
	rc = scn_list(s, t->t[2], OHV_FMT_GPA_PAGE, &list, &n, NULL, NULL);
	if (rc)
		return rc;
	rc = scn_pages_add(s, pid, list, n);
	free(list);
	return rc ? rc : no_captures(s, t);
}

/* inject fail_alloc=N: the library's N-th host allocation from now on
 * fails (ohv_debug_fail_alloc); the call meeting it answers NO_RESOURCES. */
static enum scn_rc st_inject(struct scn *s, struct toks *t)
{
	char *v = t->n == 2 ? scn_split(t->t[1]) : NULL;
	uint64_t n;

	if (!v || strcmp(t->t[1], "fail_alloc"))
		return scn_err(s, SCN_ERROR, "usage: inject fail_alloc=N");
	if (scn_value(s, v, OHV_FMT_DEC, &n))
		return SCN_ERROR;
	if (!scn_hv(s))
		return SCN_FAILED;
	ohv_debug_fail_alloc(n);
	return no_captures(s, t);
}

static enum scn_rc st_check(struct scn *s, struct toks *t)
{
	char why[256];
	struct ohv *hv = scn_hv(s);

	if (!hv)
		return SCN_FAILED;
	if (ohv_debug_check(hv, why, sizeof(why)))
		return scn_err(s, SCN_FAILED, "invariant check failed: %s", why);
	if (s->o.verbosity)
		fprintf(s->o.out, "invariants hold (spec.md §1)\n");
	return no_captures(s, t);
}

static enum scn_rc st_show(struct scn *s, struct toks *t)
{
	if (t->n != 1)
		return scn_err(s, SCN_ERROR, "usage: show");
	if (!scn_hv(s))
		return SCN_FAILED;
	scn_show(s, s->o.out);
	return no_captures(s, t);
}

static enum scn_rc st_costs(struct scn *s, struct toks *t)
{
	if (t->n != 1)
		return scn_err(s, SCN_ERROR, "usage: costs");
	scn_costs(&s->cfg, s->o.out);
	return no_captures(s, t);
}

static enum scn_rc st_help(struct scn *s, struct toks *t)
{
	if (t->n > 2)
		return scn_err(s, SCN_ERROR, "usage: help [COMMAND]");
	if (!scn_help(s->o.out, t->n == 2 ? t->t[1] : NULL))
		return scn_err(s, SCN_ERROR, "help: no command or hypercall '%s'",
			       t->t[1]);
	return SCN_OK;
}

static void print_word(void *ctx, const char *word)
{
	fprintf(ctx, "%s\n", word);
}

/* complete "LINE": what Tab offers at the end of LINE, a word a line. */
static enum scn_rc st_complete(struct scn *s, struct toks *t)
{
	char line[1024];
	size_t len;

	if (t->n != 2 || !scn_unquote(t->t[1], line, sizeof(line) - 1, &len))
		return scn_err(s, SCN_ERROR, "usage: complete \"LINE\"");
	line[len] = 0;
	scn_complete(s, line, len, print_word, s->o.out);
	return no_captures(s, t);
}

/* `openhv decode` inside a scenario: the same words, the same output. */
static enum scn_rc st_decode(struct scn *s, struct toks *t)
{
	fflush(s->o.out);
	if (cli_decode(s->o.out, false, (int)t->n, t->t) == CLI_USAGE)
		return scn_err(s, SCN_ERROR, "decode: see help decode");
	return no_captures(s, t);
}

static enum scn_rc st_quit(struct scn *s, struct toks *t)
{
	return t->n == 1 ? SCN_QUIT :
		scn_err(s, SCN_ERROR, "usage: %s", t->t[0]);
}

const struct stmt scn_statements[] = {
	{ "set", "set NAME=VALUE ...",
	  "assign variables, used later as $NAME", st_set },
	{ "echo", "echo WORDS ...",
	  "print the words, $NAME replaced by its value, in hex or decimal as\n"
	  "the call it came from showed it (set: as written)", st_echo },
	{ "expect", "expect STATUS [reps=N]",
	  "the previous command must have returned STATUS (HV_STATUS_ prefix\n"
	  "optional) and, given reps=, that many reps completed.  A hypercall\n"
	  "that fails must be followed by an expect naming its status.",
	  st_expect },
	{ "assert", "assert VALUE [OP VALUE]",
	  "fail unless the comparison holds (== != < <= > >=) or VALUE is\n"
	  "not 0.  Values may call available(P) inuse(P) state(P) vps(P)\n"
	  "children(P) depth(P) parent(P) exists(P) privileges(P) flags(P)\n"
	  "charged(P) rootfree() live(), gpa(PAGE), page(GPA).", st_assert },
	{ "as", "as root | as PARTITION [vp N] [inpage=P outpage=Q] [COMMAND]",
	  "issue later hypercalls as VP N (default 0) of PARTITION; with a\n"
	  "COMMAND, only that one.  A child's memory-based calls use two of\n"
	  "its own GPA pages, named once with inpage= and outpage=.", st_as },
	{ "config", "config KEY=VALUE ...",
	  "the instance's configuration, before its first use: arch=x64|arm64,\n"
	  "backend=kvm|null|auto (as --backend),\n"
	  "memory_pages, numa_nodes, max_depth, max_partitions, root_vps,\n"
	  "root_privileges, rep_budget_ns, rep_limit, commit_memory,\n"
	  "cost.partition, cost.initialize, cost.vp, cost.port,\n"
	  "cost.connection, cost.gpa_table",
	  st_config },
	{ "pages", "pages PARTITION LIST",
	  "pages of PARTITION's GPA space that alloc() hands out when it calls",
	  st_pages },
	{ "require", "require kvm [else FILE]",
	  "the rest of the scenario runs guest code: where the instance has\n"
	  "no KVM backend, say why and stop here (not a failure), or run\n"
	  "FILE instead (looked for as `load` looks for its file)",
	  scn_require },
	{ "check", "check", "run the invariant checker (spec.md §1) now", st_check },
	{ "inject", "inject fail_alloc=N",
	  "make the library's N-th host allocation from now on fail (0: none);\n"
	  "the hypercall meeting it answers HV_STATUS_NO_RESOURCES",
	  st_inject },
	{ "show", "show",
	  "print the partition tree: states, pools, VPs, ports, connections",
	  st_show },
	{ "costs", "costs", "print openhv's cost model (spec.md §5.4; not Hyper-V's figures)", st_costs },
	{ "decode", "decode control|result|status VALUE | CALL HEX...",
	  "as `openhv decode`: a control word, result value, status or\n"
	  "parameter block field by field, with what is outside the spec",
	  st_decode },
	{ "complete", "complete \"LINE\"",
	  "print the words Tab offers at the end of LINE, one a line",
	  st_complete },
	{ "help", "help [TOPIC]", "an overview, a topic (calls, helpers, "
	  "statements, values,\nmodifiers, registers), a command, a hypercall "
	  "or a status", st_help },
	{ "quit", "quit", "stop here (also: exit)", st_quit },
	{ "exit", "exit", "stop here", st_quit },
	{ NULL, NULL, NULL, NULL },
};

static const struct stmt *find_stmt(const struct stmt *tab, const char *name)
{
	for (; tab->name; tab++)
		if (!strcmp(tab->name, name))
			return tab;
	return NULL;
}

/* A call name without its "HvCall" or "Hv" prefix. */
static const char *bare_call(const char *name)
{
	if (!strncasecmp(name, "HvCall", 6))
		return name + 6;
	if (!strncasecmp(name, "Hv", 2))
		return name + 2;
	return name;
}

static enum scn_rc dispatch(struct scn *s, struct toks *t)
{
	const struct stmt *st = find_stmt(scn_statements, t->t[0]);
	const struct ohv_call_info *l;

	if (!st)
		st = find_stmt(scn_helpers, t->t[0]);
	if (st)
		return st->fn(s, t);
	if (!strcmp(t->t[0], "call"))
		return scn_call_cmd(s, NULL, t);
	l = layout_by_name(t->t[0]);
	if (l)
		return scn_call_cmd(s, l, t);
	for (uint32_t code = 0; code <= 0xFFFF; code++) {
		const char *n = ohv_call_name((uint16_t)code);

		if (n && !strcasecmp(bare_call(n), bare_call(t->t[0])))
			return scn_err(s, SCN_ERROR, "%s (0x%04x) is a TLFS "
				       "call outside openhv's set (spec.md §3.3); "
				       "`call 0x%04x` issues it anyway", n,
				       code, code);
	}
	return scn_err(s, SCN_ERROR, "unknown command '%s' (`help` lists "
		       "them)", t->t[0]);
}

enum scn_rc scn_line(struct scn *s, const char *file, unsigned line,
		     const char *text)
{
	struct toks t;
	enum scn_rc rc;

	s->file = file;
	s->line = line;
	s->command = NULL;
	rc = tokenize(s, text, &t);
	if (rc)
		return rc;
	if (!t.n) {
		rc = t.ncap ? scn_err(s, SCN_ERROR, "-> without a command") :
			SCN_OK;
		toks_free(&t);
		return rc;
	}
	if (s->pending && strcmp(t.t[0], "expect")) {
		unsigned keep = s->line;
		const char *keep_file = s->file;

		s->line = s->pending_line;
		s->file = s->pending_file;
		rc = scn_err(s, SCN_FAILED, "%s: %s (put `expect %s` on the "
			     "next line if that is intended)", s->last_what,
			     ohv_status_name(s->last_status),
			     ohv_status_name(s->last_status));
		s->line = keep;
		s->file = keep_file;
		s->pending = false;
		toks_free(&t);
		return rc;
	}
	rc = dispatch(s, &t);
	toks_free(&t);
	s->command = NULL;
	return rc;
}

enum scn_rc scn_finish(struct scn *s)
{
	char why[256];

	if (s->pending) {
		s->line = s->pending_line;
		s->file = s->pending_file;
		s->pending = false;
		return scn_err(s, SCN_FAILED, "%s: %s (put `expect %s` on the "
			       "next line if that is intended)", s->last_what,
			       ohv_status_name(s->last_status),
			       ohv_status_name(s->last_status));
	}
	if (s->hv && ohv_debug_check(s->hv, why, sizeof(why)))
		return scn_err(s, SCN_FAILED, "invariant check failed at the "
			       "end: %s", why);
	return SCN_OK;
}

enum scn_rc scn_run(struct scn *s, const char *name, FILE *f)
{
	char *line = NULL, *joined = NULL;
	size_t cap = 0, jlen = 0;
	ssize_t n;
	unsigned lineno = 0, first = 0;
	enum scn_rc rc = SCN_OK, worst = SCN_OK;

	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		bool more = n > 0 && line[n - 1] == '\\';

		if (more)
			line[--n] = 0;
		if (!jlen)
			first = lineno;
		char *nj = realloc(joined, jlen + (size_t)n + 2);

		if (!nj) {
			rc = scn_err(s, SCN_FAILED, "out of memory");
			break;
		}
		joined = nj;
		memcpy(joined + jlen, line, (size_t)n);
		jlen += (size_t)n;
		joined[jlen++] = ' ';
		joined[jlen] = 0;
		if (more)
			continue;
		rc = scn_line(s, name, first, joined);
		jlen = 0;
		if (rc == SCN_QUIT)
			break;
		if (rc && !s->o.interactive)
			break;
		if (rc > worst)
			worst = rc;
		rc = SCN_OK;
	}
	if (!rc && jlen)
		rc = scn_line(s, name, first, joined);
	free(line);
	free(joined);
	if (rc == SCN_QUIT)
		rc = SCN_OK;
	if (!rc) {
		s->line = lineno;
		s->file = name;
		rc = scn_finish(s);
	}
	return rc ? rc : worst;
}

/* ---------------------------------------------------------------------- */
/* Help, prompt, completion.                                               */

static void stmt_help(FILE *out, const struct stmt *st)
{
	fprintf(out, "  %s\n", st->syntax);
	for (const char *p = st->help; *p;) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		fprintf(out, "      %.*s\n", len, p);
		p += len + (nl ? 1 : 0);
	}
}

/* The register names HvGetVpRegisters and HvSetVpRegisters take. */
static void registers_help(FILE *out)
{
	const char *name;
	size_t col = 0, width = 0;

	for (size_t i = 0; (name = layout_const_name(OHV_FMT_REG_NAME, i)); i++)
		if (strlen(name) > width)
			width = strlen(name);
	fprintf(out, "Registers by name (HvX64Register..., HvRegister... and "
		"HV_..._REGISTER_... spellings\nwork too), for Names= of "
		"HvGetVpRegisters and Name=value of HvSetVpRegisters:\n");
	for (size_t i = 0; (name = layout_const_name(OHV_FMT_REG_NAME, i)); i++) {
		uint32_t code = 0;

		layout_reg_code(name, &code);
		if (!layout_reg_known(code))
			continue;
		fprintf(out, "  %-*s 0x%08" PRIx32, (int)width, name, code);
		if (++col == 2) {
			fputc('\n', out);
			col = 0;
		}
	}
	fprintf(out, "%sTLFS names openhv knows but does not implement (the "
		"calls answer\nHV_STATUS_INVALID_PARAMETER):\n", col ? "\n" : "");
	for (size_t i = 0; (name = layout_const_name(OHV_FMT_REG_NAME, i)); i++) {
		uint32_t code = 0;

		layout_reg_code(name, &code);
		if (!layout_reg_known(code))
			fprintf(out, "  %-*s 0x%08" PRIx32 "\n", (int)width, name,
				code);
	}
	fprintf(out, "Values: V, LOW:HIGH (128 bits: Xmm0, FpMmx0, ...), "
		"base:limit (Idtr, Gdtr),\nbase:limit:selector:attributes "
		"(segments).\n");
}

/* The partition property codes, and which calls take them. */
static void properties_help(FILE *out)
{
	static const char *const how[] = {
		[LAYOUT_PROP_RW] = "get, set",
		[LAYOUT_PROP_RO] = "get (read-only)",
		[LAYOUT_PROP_EX] = "HvCallGetPartitionPropertyEx only",
	};
	enum layout_prop h;
	const char *name;
	uint32_t code;

	fprintf(out, "Partition properties by name (HvPartitionProperty... and "
		"HV_PARTITION_PROPERTY_...\nspellings work too), for "
		"PropertyCode= of HvGetPartitionProperty,\n"
		"HvSetPartitionProperty and HvCallGetPartitionPropertyEx "
		"(which reads them all):\n");
	for (size_t i = 0; layout_property_at(i, &code, &name, &h); i++)
		if (h != LAYOUT_PROP_NONE)
			fprintf(out, "  %-32s 0x%08" PRIx32 "  %s\n", name, code,
				how[h]);
	fprintf(out, "TLFS properties openhv does not implement (the calls "
		"answer\nHV_STATUS_UNKNOWN_PROPERTY):\n");
	for (size_t i = 0; layout_property_at(i, &code, &name, &h); i++)
		if (h == LAYOUT_PROP_NONE)
			fprintf(out, "  %-32s 0x%08" PRIx32 "\n", name, code);
}

static void stmts_help(FILE *out, const struct stmt *tab)
{
	for (const struct stmt *st = tab; st->name; st++)
		fprintf(out, "  %s\n", st->syntax);
}

bool scn_help(FILE *out, const char *topic)
{
	const struct stmt *st;
	const struct ohv_call_info *l;
	hv_status_t status;

	if (!topic) {
		fprintf(out,
			"A scenario is one command per line (# comments; a "
			"trailing \\ continues a line):\n"
			"  HvCreatePartition Flags=EXO_PARTITION -> c   a "
			"hypercall by TLFS name\n"
			"  partition new -> c                           what "
			"Linux's mshv driver does\n"
			"  expect HV_STATUS_ACCESS_DENIED               the "
			"last call's status\n"
			"\nHelp topics:\n"
			"  help calls         the %zu hypercalls, one line each\n"
			"  help helpers       partition new|destroy, deposit, "
			"withdraw, map, vp, synic, ...\n"
			"  help statements    set, echo, expect, assert, as, "
			"config, decode, show, ...\n"
			"  help values        numbers, $variables, names, "
			"functions, lists, captures\n"
			"  help modifiers     fast, once, reps=, ... of a "
			"hypercall\n"
			"  help registers     the register names\n"
			"  help properties    the partition property names\n"
			"  help NAME          one command, or a hypercall with "
			"its fields\n"
			"  help HV_STATUS_X   what a status means\n"
			"\ndocs/scenario.md describes the whole language.\n",
			ohv_call_count());
		return true;
	}
	if (!strcmp(topic, "calls")) {
		fprintf(out, "Hypercalls, fields as Name=value (help NAME lists "
			"them):\n");
		int width = 0;

		for (size_t i = 0; i < ohv_call_count(); i++)
			if ((int)strlen(ohv_call_at(i)->name) > width)
				width = (int)strlen(ohv_call_at(i)->name);
		for (size_t i = 0; i < ohv_call_count(); i++) {
			l = ohv_call_at(i);
			fprintf(out, "  %-*s 0x%04x  %s\n", width, l->name,
				l->code, l->summary);
		}
		fprintf(out, "  %-*s         %s\n", width, "call CODE",
			"any call code, input given with @OFFSET=VALUE");
		return true;
	}
	if (!strcmp(topic, "helpers")) {
		fprintf(out, "What the Linux mshv driver does (help NAME "
			"explains one):\n");
		stmts_help(out, scn_helpers);
		return true;
	}
	if (!strcmp(topic, "statements")) {
		fprintf(out, "Statements (help NAME explains one):\n");
		stmts_help(out, scn_statements);
		return true;
	}
	if (!strcmp(topic, "values")) {
		fprintf(out,
			"Values: numbers (42, 0x2a, 0b101, 1_000), $variables, "
			"names (SELF, EXO_PARTITION,\nRip, CpuWeight, READABLE, "
			"ADJUSTABLE, LARGE_PAGE, Doorbell, SIZE_DWORD|ANY_VALUE,\n"
			"HV_STATUS_..., Active), functions (available($c),\n"
			"inuse(P) state(P) vps(P) children(P) depth(P) parent(P) "
			"exists(P) privileges(P)\nflags(P) charged(P) rootfree() "
			"live() gpa(PAGE) page(GPA)), joined with | + - &.\n"
			"Proximity: any, prefer:NODE, require:NODE.\n"
			"Lists: A,B,C  A..B (inclusive)  alloc(N[,NODE]) (pages "
			"of the caller's).\n"
			"\"-> a, b\" after a command captures its outputs into "
			"$a, $b; $status, $reps and\n$result hold the last "
			"call's; echo shows them in hex or decimal as the call "
			"did.\n");
		return true;
	}
	if (!strcmp(topic, "modifiers")) {
		fprintf(out,
			"Modifiers of a hypercall:\n"
			"  fast             register-based (input in the fast "
			"registers)\n"
			"  once             no re-issue when a rep call returns "
			"early\n"
			"  reps=N start=N   the rep count and rep start\n"
			"  varhead=N nested the variable header size, the nested "
			"bit\n"
			"  control=VALUE    the whole control word\n"
			"  in=GPA out=GPA   the parameter blocks' GPAs\n"
			"  @OFFSET[:SIZE]=VALUE  raw input bytes (reserved "
			"fields too)\n");
		return true;
	}
	if (!strcmp(topic, "registers")) {
		registers_help(out);
		return true;
	}
	if (!strcmp(topic, "properties")) {
		properties_help(out);
		return true;
	}
	st = find_stmt(scn_statements, topic);
	if (!st)
		st = find_stmt(scn_helpers, topic);
	if (st) {
		stmt_help(out, st);
		/* Commands sharing a first word ("partition new", ...). */
		for (const struct stmt *o = scn_helpers; o->name; o++)
			if (o != st && !strcmp(o->name, st->name))
				stmt_help(out, o);
		return true;
	}
	/* A status by name: what `openhv decode status` says of it. */
	if (!strncasecmp(topic, "HV_STATUS_", 10) && layout_status(topic, &status)) {
		char *argv[] = { (char *)"decode", (char *)"status",
				 (char *)topic, NULL };

		cli_decode(out, false, 3, argv);
		return true;
	}
	l = layout_by_name(topic);
	if (!l && !strcmp(topic, "call")) {
		fprintf(out, "  call CODE [MODIFIERS] [@OFFSET[:SIZE]=VALUE ...] "
			"[Field=value ...]\n"
			"      issue any call code; for a code in the table "
			"its fields work too.\n"
			"      The input block is as long as the highest byte "
			"written (8-aligned).\n");
		return true;
	}
	if (!l)
		return false;
	scn_call_help(out, l);
	return true;
}

void scn_prompt(struct scn *s, char *buf, size_t n)
{
	if (s->caller == 1 && s->vp == 0)
		snprintf(buf, n, "openhv> ");
	else
		snprintf(buf, n, "openhv %" PRIu64 "/%" PRIu32 "> ", s->caller,
			 s->vp);
}

/* Register names completing item (a suffix of word), each as word with
 * item replaced by the name, and "=" after it when values follow. */
static void complete_registers(const char *word, const char *item, bool eq,
			       void (*fn)(void *ctx, const char *w), void *ctx)
{
	const char *name;

	for (size_t i = 0; (name = layout_const_name(OHV_FMT_REG_NAME, i)); i++) {
		uint32_t code = 0;
		char full[320];

		layout_reg_code(name, &code);
		if (!layout_reg_known(code) ||
		    strncasecmp(name, item, strlen(item)))
			continue;
		snprintf(full, sizeof(full), "%.*s%s%s", (int)(item - word), word,
			 name, eq ? "=" : "");
		fn(ctx, full);
	}
}

void scn_complete(struct scn *s, const char *line, size_t at,
		  void (*fn)(void *ctx, const char *word), void *ctx)
{
	size_t start = at;
	char first[64] = "";
	char word[256];

	while (start > 0 && line[start - 1] != ' ')
		start--;
	if (at - start >= sizeof(word))
		return;
	memcpy(word, line + start, at - start);
	word[at - start] = 0;
	sscanf(line, "%63s", first);
	if (word[0] == '$') {
		for (size_t i = 0; i < s->n_vars; i++) {
			char v[80];

			snprintf(v, sizeof(v), "$%s", s->vars[i].name);
			if (!strncmp(v, word, strlen(word)))
				fn(ctx, v);
		}
		return;
	}
	/* The first word: a command or a call. */
	if (strspn(line, " ") >= start) {
		const struct stmt *tabs[] = { scn_statements, scn_helpers };

		for (size_t k = 0; k < 2; k++)
			for (const struct stmt *st = tabs[k]; st->name; st++)
				if (!strncmp(st->name, word, strlen(word)) &&
				    (st == tabs[k] || strcmp(st[-1].name, st->name)))
					fn(ctx, st->name);
		for (size_t i = 0; i < ohv_call_count(); i++)
			if (!strncasecmp(ohv_call_at(i)->name, word, strlen(word)))
				fn(ctx, ohv_call_at(i)->name);
		return;
	}
	const struct ohv_call_info *l = layout_by_name(first);

	if (!l)
		return;
	bool regs = l->in_elem_fields[0].fmt == OHV_FMT_REG_NAME;
	char *eq = strchr(word, '=');

	if (eq && l->in_list && regs && (size_t)(eq - word) == strlen(l->in_list)
	    && !strncasecmp(word, l->in_list, (size_t)(eq - word))) {
		/* Names=Rip,Cr<Tab>  Registers=Rip=0x10,Cr<Tab>: the item
		 * after the last comma, while it has no value yet. */
		const char *item = strrchr(word, ',');

		item = item ? item + 1 : eq + 1;
		if (!strchr(item, '='))
			complete_registers(word, item, l->in_elem == 32, fn, ctx);
		return;
	}
	if (eq) {
		/* Constants for the field's format. */
		char key[64];
		const struct ohv_field *f;

		snprintf(key, sizeof(key), "%.*s", (int)(eq - word), word);
		f = layout_field(l, s->cfg.arch, key);
		if (!f)
			return;
		const char *after = strrchr(word, '|');
		const char *pre = after ? after + 1 : eq + 1;

		for (size_t i = 0;; i++) {
			const char *c = layout_const_name((enum ohv_field_fmt)f->fmt, i);
			char full[320];

			if (!c)
				break;
			if (strncasecmp(c, pre, strlen(pre)))
				continue;
			snprintf(full, sizeof(full), "%.*s%s",
				 (int)(pre - word), word, c);
			fn(ctx, full);
		}
		return;
	}
	for (const struct ohv_field *f = layout_in(l, s->cfg.arch);
	     f->name; f++) {
		char full[80];

		if (f->kind != OHV_FIELD_VALUE)
			continue;
		snprintf(full, sizeof(full), "%s=", f->name);
		if (!strncasecmp(full, word, strlen(word)))
			fn(ctx, full);
	}
	if (l->in_list) {
		char full[80];

		snprintf(full, sizeof(full), "%s=", l->in_list);
		if (!strncasecmp(full, word, strlen(word)))
			fn(ctx, full);
	}
	/* HvSetVpRegisters takes registers as Name=value words too. */
	if (regs && l->in_elem == 32)
		complete_registers(word, word, true, fn, ctx);
	static const char *const mods[] = {
		"fast", "once", "reps=", "start=", "varhead=", "nested",
		"control=", "in=", "out=",
	};
	for (size_t i = 0; i < ARRAY_SIZE(mods); i++)
		if (!strncmp(mods[i], word, strlen(word)))
			fn(ctx, mods[i]);
}
