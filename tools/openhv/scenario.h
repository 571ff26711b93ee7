/* SPDX-License-Identifier: MIT */
/*
 * The scenario language (docs/scenario.md): one command per line, run
 * against one openhv instance.  `openhv run` feeds it a file, `openhv
 * shell` a terminal, `openhv show` a file whose end state it prints.
 */
#ifndef OPENHV_TOOL_SCENARIO_H
#define OPENHV_TOOL_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <openhv/openhv.h>

struct scn;

struct scn_opts {
	struct ohv_config cfg;	/* the instance's, until `config` changes it */
	FILE *out;		/* what commands print                      */
	FILE *err;		/* FILE:LINE: messages                      */
	FILE *json;		/* --trace: one JSON object per hypercall   */
	int verbosity;		/* 0 quiet, 1 a line per hypercall, 2 +fields */
	bool interactive;	/* shell: failures are reported, not fatal  */
};

/* What a line (or a whole input) came to; run's exit status follows. */
enum scn_rc {
	SCN_OK = 0,
	SCN_FAILED = 1,		/* a call failed unexpectedly, an expect or
				 * assert did not hold, invariants broke   */
	SCN_ERROR = 2,		/* the scenario is wrong: syntax, names      */
	SCN_QUIT = 3,		/* `quit`                                   */
};

/* A scenario state; NULL when out of memory. */
struct scn *scn_new(const struct scn_opts *o);
void scn_free(struct scn *s);

/*
 * One command line (comments and continuation already folded in by the
 * caller or not: a trailing comment is removed here).  file and line name
 * it in messages and in the trace.
 */
enum scn_rc scn_line(struct scn *s, const char *file, unsigned line,
		     const char *text);

/* The end of the input: a call that failed without an `expect` after it
 * fails now; then the invariant checker runs (when an instance exists). */
enum scn_rc scn_finish(struct scn *s);

/*
 * Run a whole file, line by line, joining lines that end with a
 * backslash; stops at the first failure unless interactive.
 */
enum scn_rc scn_run(struct scn *s, const char *name, FILE *f);

/* The partition tree with states, pools, VPs, ports (the `show` command). */
void scn_show(struct scn *s, FILE *out);

/* The cost model of a configuration (the `costs` command). */
void scn_costs(const struct ohv_config *cfg, FILE *out);

/* Help on the language: an overview (topic NULL), one command or one
 * hypercall with its fields.  False when topic names nothing. */
bool scn_help(FILE *out, const char *topic);

/* The caller prompt of the shell ("openhv> ", "openhv 2/0> "). */
void scn_prompt(struct scn *s, char *buf, size_t n);

/* Words that complete the word ending at `at` in line, one at a time:
 * fn(ctx, word) for each candidate. */
void scn_complete(struct scn *s, const char *line, size_t at,
		  void (*fn)(void *ctx, const char *word), void *ctx);

#endif /* OPENHV_TOOL_SCENARIO_H */
