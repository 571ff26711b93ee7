/*
 * The test runner.
 *
 *   runner [-n] [-v] [-t SECONDS] [PATTERN...]
 *
 * Runs every registered test whose name or file contains one of the
 * patterns (all tests without patterns), each in a child process with a
 * time limit, and ends with "N passed, N failed, N skipped".  Exit status
 * 0 only when none failed.  -n runs tests in-process (for gdb, valgrind),
 * -v prints passing tests too.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "t.h"

struct test {
	const char *name;
	const char *file;
	void (*fn)(void);
};

static struct test *tests;
static size_t ntests, cap;

enum { T_PASS = 0, T_FAIL = 1, T_SKIP = 77 };

static bool failed;
static bool in_process;
static unsigned time_limit = 120;
static jmp_buf stop_jmp;
static int stop_code;
static char skip_reason[256];

void t_register(const char *name, const char *file, void (*fn)(void))
{
	if (ntests == cap) {
		cap = cap ? cap * 2 : 64;
		tests = realloc(tests, cap * sizeof(*tests));
		if (!tests)
			abort();
	}
	tests[ntests++] = (struct test){ name, file, fn };
}

bool t_check(bool ok, const char *file, int line, const char *fmt, ...)
{
	if (ok)
		return true;
	va_list ap;

	failed = true;
	fprintf(stdout, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	return false;
}

unsigned t_time_limit(void)
{
	return in_process ? 0 : time_limit;
}

void t_stop(void)
{
	stop_code = T_FAIL;
	longjmp(stop_jmp, 1);
}

void t_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(skip_reason, sizeof(skip_reason), fmt, ap);
	va_end(ap);
	stop_code = T_SKIP;
	longjmp(stop_jmp, 1);
}

/* Run a test here; T_PASS, T_FAIL or T_SKIP. */
static int run_here(const struct test *t)
{
	failed = false;
	stop_code = 0;
	skip_reason[0] = 0;
	if (!setjmp(stop_jmp))
		t->fn();
	if (stop_code == T_SKIP && !failed) {
		if (!in_process)
			fprintf(stdout, "%s\n", skip_reason);
		return T_SKIP;
	}
	return failed || stop_code == T_FAIL ? T_FAIL : T_PASS;
}

static int run_forked(const struct test *t, unsigned timeout, char *reason,
		      size_t reason_len)
{
	int pipefd[2];

	if (pipe(pipefd) < 0)
		return T_FAIL;
	fflush(stdout);
	pid_t pid = fork();

	if (pid < 0)
		return T_FAIL;
	if (pid == 0) {
		close(pipefd[0]);
		/* The skip reason goes to the parent through the pipe. */
		dup2(pipefd[1], STDOUT_FILENO);
		alarm(timeout);
		int rc = run_here(t);

		/* exit, not _exit: a build with --coverage writes its counts
		 * at exit (make coverage). */
		fflush(stdout);
		exit(rc);
	}
	close(pipefd[1]);
	/* Collect the child's output; print it as it comes, except a skip
	 * reason, which is the last line. */
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	while ((n = read(pipefd[0], buf + len, sizeof(buf) - 1 - len)) > 0 ||
	       (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		len += (size_t)n;
		if (len == sizeof(buf) - 1) {
			fwrite(buf, 1, len, stdout);
			len = 0;
		}
	}
	close(pipefd[0]);
	buf[len] = 0;

	int status;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		fputs(buf, stdout);
		snprintf(reason, reason_len, "%s",
			 WTERMSIG(status) == SIGALRM ? "timed out" :
			 strsignal(WTERMSIG(status)));
		return T_FAIL;
	}
	int rc = WEXITSTATUS(status);

	if (rc == T_SKIP) {
		char *nl = strrchr(buf, '\n');
		size_t rlen;

		if (nl)
			*nl = 0;
		rlen = strlen(buf);
		if (rlen >= reason_len)
			rlen = reason_len - 1;
		memcpy(reason, buf, rlen);
		reason[rlen] = 0;
		return T_SKIP;
	}
	fputs(buf, stdout);
	return rc == T_PASS ? T_PASS : T_FAIL;
}

static bool selected(const struct test *t, int argc, char **argv)
{
	if (argc == 0)
		return true;
	for (int i = 0; i < argc; i++)
		if (strstr(t->name, argv[i]) || strstr(t->file, argv[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	bool verbose = false;
	int opt;

	while ((opt = getopt(argc, argv, "nvt:")) != -1) {
		switch (opt) {
		case 'n':
			in_process = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 't':
			time_limit = (unsigned)atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-n] [-v] [-t SECONDS] [PATTERN...]\n",
				argv[0]);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;

	unsigned passed = 0, nfailed = 0, skipped = 0;

	for (size_t i = 0; i < ntests; i++) {
		const struct test *t = &tests[i];
		char reason[256] = "";
		int rc;

		if (!selected(t, argc, argv))
			continue;
		if (in_process) {
			rc = run_here(t);
			snprintf(reason, sizeof(reason), "%s", skip_reason);
		} else {
			rc = run_forked(t, time_limit, reason, sizeof(reason));
		}
		switch (rc) {
		case T_PASS:
			passed++;
			if (verbose)
				printf("ok      %s\n", t->name);
			break;
		case T_SKIP:
			skipped++;
			printf("skip    %s: %s\n", t->name, reason);
			break;
		default:
			nfailed++;
			printf("FAIL    %s%s%s (%s)\n", t->name, reason[0] ? ": " : "",
			       reason, t->file);
			break;
		}
		fflush(stdout);
	}
	printf("%u passed, %u failed, %u skipped\n", passed, nfailed, skipped);
	return nfailed ? 1 : 0;
}
