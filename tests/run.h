/* SPDX-License-Identifier: MIT */
/*
 * Running programs from tests: a child process with its output captured,
 * scratch directories, whole files.  For the tests that check the tree's
 * documents and build programs the way they say (test_docs.c,
 * test_link.c).
 */
#ifndef OHV_TEST_RUN_H
#define OHV_TEST_RUN_H

#include <stddef.h>

struct t_run {
	int status;		/* exit status, 128 + signal, or -1 */
	char *out, *err;	/* NUL-terminated */
	size_t out_len, err_len;
};

/*
 * Run argv (argv[0] looked up in PATH) in directory dir (NULL: here) with
 * env applied to this environment ("NAME=value" sets, "NAME" unsets), no
 * input, and capture stdout and stderr.  REQUIREs that it could be run.
 */
void t_run(struct t_run *r, const char *dir, const char *const *env,
	   const char *const *argv);
/* The same for `sh -c script`. */
void t_run_sh(struct t_run *r, const char *dir, const char *const *env,
	      const char *script);
void t_run_free(struct t_run *r);

/* A new directory under /tmp (REQUIREd); t_rmtree removes it. */
void t_scratch(char *dir, size_t n);
void t_rmtree(const char *dir);

/* A file's bytes, NUL-terminated (NULL if it cannot be read). */
char *t_slurp(const char *path, size_t *len);
/* Write text to path (REQUIREd). */
void t_write(const char *path, const char *text, int mode);

/* The environment make check gives the runner (mk/cli.mk, mk/docs.mk):
 * the value, or SKIP naming the variable when it is unset. */
const char *t_env(const char *name);

#endif /* OHV_TEST_RUN_H */
