/* SPDX-License-Identifier: MIT */
/*
 * Inside the scenario engine: its state and what its files share.
 *   scenario.c   lines, tokens, values, variables, the statements
 *   hcall.c      the hypercall commands: encode, issue, capture
 *   helpers.c    the high-level commands (what the Linux mshv client does)
 *   trace.c      the trace hook: a line per call, JSON
 *   show.c       the partition tree and the cost model
 *   guest.c      guests that run: load, vp run, vp skip, require
 */
#ifndef OPENHV_TOOL_SCNINT_H
#define OPENHV_TOOL_SCNINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <openhv/openhv.h>

#include "layout.h"
#include "scenario.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define SCN_MAX_TOKENS	256
#define SCN_MAX_LIST	4096	/* elements one list value may hold */

/* A command line split into words; quotes kept, comment dropped. */
struct toks {
	size_t n;
	char *t[SCN_MAX_TOKENS];
	/* After "->": the names to capture into. */
	size_t ncap;
	char *cap[16];
	char *buf;		/* owns the words */
};

struct var {
	char *name;
	uint64_t value;
	uint8_t fmt;		/* how echo shows it: the field it came from */
};

/* Pages of a partition's own GPA space that alloc() may hand out when the
 * partition calls (the root uses its page allocator instead). */
struct pagesrc {
	uint64_t pid;
	uint64_t *pages;
	size_t n, cap;
};

/* Hypercall pages (input, output) of a non-root partition, by GPA page. */
struct iopages {
	uint64_t pid;
	uint64_t in, out;
};

/* Root pages `map` gave to a partition; freed when `partition destroy`
 * deletes it (given back to the root first when exclusive). */
struct grant {
	uint64_t pid;
	uint64_t page;
	bool exclusive;
};

/* The last intercept `vp run` saw on a VP, until `vp skip` completes it,
 * and the bytes of the debug port's writes completed since `vp run
 * until=` last printed them. */
#define SCN_TEXT_MAX	4096
struct seen {
	uint64_t pid;
	uint32_t vp;
	bool valid;
	bool cut;			/* text lost bytes */
	struct hv_message msg;
	size_t ntext;
	char text[SCN_TEXT_MAX];
};

#define VEC(type, name) type *name; size_t n_##name, cap_##name

struct scn {
	struct scn_opts o;
	struct ohv_config cfg;
	struct ohv *hv;			/* NULL until the first command needing it */
	uint64_t root_in, root_out;	/* the root's hypercall pages */
	uint64_t caller;
	uint32_t vp;

	VEC(struct var, vars);
	VEC(struct pagesrc, srcs);
	VEC(struct iopages, io);
	VEC(struct grant, grants);
	VEC(struct seen, seen);
	bool quiet_calls;		/* hypercall lines only with -v */

	/* The last hypercall (or high-level command) and its outcome. */
	bool have_last;
	hv_status_t last_status;
	uint32_t last_reps;
	uint64_t last_result;
	char last_what[96];
	unsigned last_line;

	/* A failure not yet answered by `expect` (run mode). */
	bool pending;
	unsigned pending_line;
	char pending_file[256];

	/* Where the current command comes from (messages, the trace). */
	const char *file;
	unsigned line;
	const char *command;		/* "partition new" etc., or NULL */
	uint64_t seq;			/* hypercalls issued */
	uint16_t last_code;		/* the last one's call code */

	/* A rep call returning early (time budget) is re-issued: its
	 * invocations are printed as one line (trace.c). */
	bool once;			/* the call being issued is `once` */
	uint32_t early;			/* early returns so far */
	uint32_t early_start;		/* rep start of the first */
	uint8_t *acc;			/* their output elements */
	size_t acc_len, acc_cap;
};

/* Grow a VEC by one zeroed element; NULL when out of memory. */
void *vec_push(void **v, size_t *n, size_t *cap, size_t size);
#define VPUSH(s, name) \
	((__typeof__((s)->name))vec_push((void **)&(s)->name, &(s)->n_##name, \
					 &(s)->cap_##name, sizeof(*(s)->name)))
void vec_del(void *v, size_t *n, size_t size, size_t i);
#define VDEL(s, name, i) vec_del((s)->name, &(s)->n_##name, sizeof(*(s)->name), i)

/* ---- scenario.c ---------------------------------------------------- */

/* FILE:LINE: message on o.err; returns rc. */
enum scn_rc scn_err(struct scn *s, enum scn_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The instance, opened on first use with the configuration so far. */
struct ohv *scn_hv(struct scn *s);

/* A value in a field of format fmt: numbers, $variables, constants,
 * functions, a|b, a+b, a-b.  0 or SCN_ERROR (reported). */
enum scn_rc scn_value(struct scn *s, const char *text, enum ohv_field_fmt fmt,
		      uint64_t *out);

/* A list: items separated by commas, each a value, A..B (inclusive) or
 * alloc(N[,NODE]) (pages of the caller's).  *out is malloc'd; alloc'd
 * pages are listed in *fresh (malloc'd too) so a failed deposit can give
 * them back.  0 or SCN_ERROR / SCN_FAILED (reported). */
enum scn_rc scn_list(struct scn *s, const char *text, enum ohv_field_fmt fmt,
		     uint64_t **out, size_t *n, uint64_t **fresh,
		     size_t *nfresh);

/* key=value: split a word at its first '=' outside quotes (the word is
 * modified); NULL when there is none. */
char *scn_split(char *word);

/* A variable's value and (fmt may be NULL) its format; false: none. */
bool scn_var_get(struct scn *s, const char *name, uint64_t *v, uint8_t *fmt);
enum scn_rc scn_var_set(struct scn *s, const char *name, uint64_t v,
			enum ohv_field_fmt fmt);

/* Captures after "->": values[i] into t->cap[i], of formats fmts[i] (NULL:
 * all counts); SCN_ERROR when there are more names than values. */
enum scn_rc scn_capture(struct scn *s, const struct toks *t,
			const uint64_t *values, const uint8_t *fmts, size_t n,
			const char *what);

/* A partition id as the caller means it: SELF is the caller. */
uint64_t scn_resolve(const struct scn *s, uint64_t caller, uint64_t id);

/* Record the outcome of a hypercall or helper for expect; a failure
 * becomes pending in run mode. */
void scn_outcome(struct scn *s, const char *what, hv_status_t st,
		 uint32_t reps, uint64_t result);

/* ---- pages ---------------------------------------------------------- */

/* One page of the caller's: the root's allocator, or the partition's
 * declared pages.  0, or SCN_FAILED when none is left (reported). */
enum scn_rc scn_page_alloc(struct scn *s, uint64_t pid, uint32_t node,
			   uint64_t *page);
/* Give a page back to pid's source (the root's allocator ignores pages
 * it never handed out). */
void scn_page_free(struct scn *s, uint64_t pid, uint64_t page);
/* Add pages to a partition's source. */
enum scn_rc scn_pages_add(struct scn *s, uint64_t pid, const uint64_t *p,
			  size_t n);

/* The caller's hypercall pages (GPA page numbers); SCN_ERROR when a
 * non-root caller has none. */
enum scn_rc scn_io(struct scn *s, uint64_t pid, uint64_t *in, uint64_t *out);

/* Write or read len bytes of pid's guest memory at gpa, page by page;
 * false when some page is not reachable. */
bool scn_poke(struct scn *s, uint64_t pid, uint64_t gpa, const void *p,
	      size_t len);
bool scn_peek(struct scn *s, uint64_t pid, uint64_t gpa, void *p, size_t len);

/* ---- hcall.c --------------------------------------------------------- */

/* How one hypercall is issued. */
struct issue {
	uint16_t code;
	bool fast;
	bool once;		/* no re-issue after a timed-out rep call */
	uint32_t reps;		/* rep count (rep calls)                  */
	uint32_t start;
	uint64_t extra;		/* bits OR-ed into the control word       */
	bool raw_control;	/* control given whole                    */
	uint64_t control;
	bool in_gpa_set, out_gpa_set;
	uint64_t in_gpa, out_gpa;
};

/*
 * Issue one hypercall as the current caller: the input block in/in_len
 * goes into the caller's input page (or the registers when fast); the
 * output (out_len bytes; rep calls: every element) comes back into out.
 * A rep call that returns early with SUCCESS is re-issued from its new
 * rep start, as the guest re-executes the instruction.  The status and
 * the reps completed of the last invocation are returned.  SCN_ERROR
 * (reported) when the call cannot be issued at all.
 */
enum scn_rc scn_issue(struct scn *s, const struct issue *is, const void *in,
		      size_t in_len, void *out, size_t out_len,
		      hv_status_t *st, uint32_t *reps);

/* The hypercall commands: t->t[0] is a call name. */
enum scn_rc scn_call_cmd(struct scn *s, const struct ohv_call_info *l,
			 struct toks *t);

/* Field help for `help HvX`. */
void scn_call_help(FILE *out, const struct ohv_call_info *l);

/* ---- commands -------------------------------------------------------- */

/* A command of the language other than a hypercall.  Entries may share a
 * first word ("partition new", "partition destroy"): the first one's fn
 * takes them all. */
struct stmt {
	const char *name;
	const char *syntax;
	const char *help;
	enum scn_rc (*fn)(struct scn *s, struct toks *t);
};

extern const struct stmt scn_statements[];	/* scenario.c */
extern const struct stmt scn_helpers[];		/* helpers.c  */

/* A quoted word's bytes (\n \t \r \0 \\ \" \xHH); false when malformed
 * or longer than max. */
bool scn_unquote(const char *w, char *out, size_t max, size_t *len);

/* ---- guest.c: guests that run -------------------------------------- */

enum scn_rc scn_load(struct scn *s, struct toks *t);	/* load       */
enum scn_rc scn_vp_run(struct scn *s, struct toks *t);	/* vp run     */
enum scn_rc scn_vp_skip(struct scn *s, struct toks *t);	/* vp skip    */
enum scn_rc scn_require(struct scn *s, struct toks *t);	/* require    */

/* An intercept message type by name (HVMSG_ prefix optional). */
bool scn_msg_type(const char *name, uint64_t *v);

/* ---- trace.c -------------------------------------------------------- */

/* Install the trace hook on a fresh instance. */
void scn_trace_install(struct scn *s);

/* JSON string escaping into a FILE. */
void json_string(FILE *f, const char *str);

#endif /* OPENHV_TOOL_SCNINT_H */
