/* SPDX-License-Identifier: MIT */
/* Running programs from tests (run.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"
#include "t.h"

static void append(char **buf, size_t *len, const char *p, size_t n)
{
	char *nb = realloc(*buf, *len + n + 1);

	REQUIRE(nb != NULL);
	memcpy(nb + *len, p, n);
	*len += n;
	nb[*len] = 0;
	*buf = nb;
}

void t_run(struct t_run *r, const char *dir, const char *const *env,
	   const char *const *argv)
{
	int out[2], err[2], st;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->out = calloc(1, 1);
	r->err = calloc(1, 1);
	REQUIRE(r->out && r->err);
	REQUIRE(pipe(out) == 0 && pipe(err) == 0);
	fflush(stdout);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		for (size_t i = 0; env && env[i]; i++) {
			const char *eq = strchr(env[i], '=');
			char name[128];

			if (!eq) {
				unsetenv(env[i]);
				continue;
			}
			snprintf(name, sizeof(name), "%.*s",
				 (int)(eq - env[i]), env[i]);
			setenv(name, eq + 1, 1);
		}
		if (dir && chdir(dir))
			_exit(126);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	/* Drain both outputs together, so that neither pipe fills up. */
	struct pollfd p[2] = {
		{ .fd = out[0], .events = POLLIN },
		{ .fd = err[0], .events = POLLIN },
	};

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		char buf[4096];

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int k = 0; k < 2; k++) {
			if (p[k].fd < 0 || !(p[k].revents & (POLLIN | POLLHUP)))
				continue;
			ssize_t n = read(p[k].fd, buf, sizeof(buf));

			if (n <= 0) {
				close(p[k].fd);
				p[k].fd = -1;
			} else if (k == 0) {
				append(&r->out, &r->out_len, buf, (size_t)n);
			} else {
				append(&r->err, &r->err_len, buf, (size_t)n);
			}
		}
	}
	while (waitpid(pid, &st, 0) < 0)
		REQUIRE(errno == EINTR);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) :
		    WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

void t_run_sh(struct t_run *r, const char *dir, const char *const *env,
	      const char *script)
{
	const char *argv[] = { "sh", "-c", script, NULL };

	t_run(r, dir, env, argv);
}

void t_run_free(struct t_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

void t_scratch(char *dir, size_t n)
{
	snprintf(dir, n, "/tmp/ohv-test-XXXXXX");
	REQUIRE(mkdtemp(dir) != NULL);
}

void t_rmtree(const char *dir)
{
	const char *argv[] = { "rm", "-rf", dir, NULL };
	struct t_run r;

	if (strncmp(dir, "/tmp/ohv-test-", 14))
		return;
	t_run(&r, NULL, NULL, argv);
	t_run_free(&r);
}

char *t_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;

	if (!f)
		return NULL;
	for (;;) {
		char chunk[8192];
		size_t got = fread(chunk, 1, sizeof(chunk), f);

		if (!got)
			break;
		char *nb = realloc(buf, n + got + 1);

		if (!nb) {
			free(buf);
			fclose(f);
			return NULL;
		}
		buf = nb;
		memcpy(buf + n, chunk, got);
		n += got;
	}
	fclose(f);
	if (!buf && !(buf = calloc(1, 1)))
		return NULL;
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

void t_write(const char *path, const char *text, int mode)
{
	FILE *f = fopen(path, "w");

	REQUIRE(f != NULL);
	REQUIRE(fputs(text, f) >= 0);
	REQUIRE(fclose(f) == 0);
	REQUIRE(chmod(path, (mode_t)mode) == 0);
}

#ifndef OHV_TREE
#define OHV_TREE ""
#endif

/* A path relative to the directory of this runner ($(O)/tests). */
static const char *beside_runner(const char *rel, char *buf, size_t n)
{
	char exe[4096];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (len <= 0)
		return NULL;
	exe[len] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	len = snprintf(buf, n, "%s/%s", exe, rel);
	return len > 0 && (size_t)len < n ? buf : NULL;
}

/*
 * make check exports these; run by hand, the runner falls back on what it
 * was built with: this tree (compiled in), its build directory and tool
 * beside it, cc and make.
 */
const char *t_env(const char *name)
{
	static char build[4096], tool[4096];
	const char *v = getenv(name);

	if (v && *v)
		return v;
	if (!strcmp(name, "OHV_SRCDIR") && *OHV_TREE)
		v = OHV_TREE;
	else if (!strcmp(name, "OHV_BUILD"))
		v = build[0] ? build : beside_runner("..", build, sizeof(build));
	else if (!strcmp(name, "OHV_TOOL"))
		v = tool[0] ? tool : beside_runner("../openhv", tool, sizeof(tool));
	else if (!strcmp(name, "OHV_CC"))
		v = "cc";
	else if (!strcmp(name, "OHV_MAKE"))
		v = "make";
	if (!v)
		SKIP("%s is not set and has no default here", name);
	/* The commands a test runs see it too. */
	setenv(name, v, 1);
	return v;
}
