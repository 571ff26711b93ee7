/* SPDX-License-Identifier: MIT */
/*
 * The /dev/mshv figures (spec.md §12), measured in the same run as their
 * baselines:
 *
 *   mshv_hello       examples/mshv_hello as a process under
 *                    libopenhv-mshv.so, start to exit, against
 *                    bench/raw_hello, the same guest run on raw KVM by a
 *                    program of the same shape: the ratio's target 1.3
 *   mshv_lapic_read  MSHV_GET_VP_STATE of the LAPIC through the library
 *                    (bench/mshv_probe's median) against the same read
 *                    through the library's API in this process
 *                    (ohv_linux_get_vp_state): what the layer adds
 *
 * The programs are looked for beside this one (the build tree).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openhv/client.h>
#include <openhv/openhv.h>

#include "bench.h"

extern char **environ;

static char dir[PATH_MAX];	/* this program's directory */

static bool find(char *out, size_t n, const char *rel)
{
	if ((size_t)snprintf(out, n, "%s/%s", dir, rel) >= n)
		return false;
	return !access(out, R_OK);
}

/* Run path (stdout to /dev/null), with preload when not NULL; its wall
 * time in ns, or 0 when it failed. */
static uint64_t spawn_timed(const char *path, const char *preload, char *out,
			    size_t out_len)
{
	char *argv[] = { (char *)path, NULL };
	char ld[PATH_MAX + 16];
	char *envp[256];
	size_t k = 0;
	int pipefd[2];

	for (char **e = environ; *e && k < 254; e++)
		if (strncmp(*e, "LD_PRELOAD=", 11))
			envp[k++] = *e;
	if (preload) {
		snprintf(ld, sizeof(ld), "LD_PRELOAD=%s", preload);
		envp[k++] = ld;
	}
	envp[k] = NULL;
	if (pipe(pipefd))
		return 0;
	posix_spawn_file_actions_t fa;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	pid_t pid;
	uint64_t t0 = now_ns();
	int rc = posix_spawn(&pid, path, &fa, NULL, argv, envp);

	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc) {
		close(pipefd[0]);
		return 0;
	}
	size_t got = 0;
	ssize_t r;
	char sink[256];

	while ((r = read(pipefd[0], out && got < out_len - 1 ? out + got : sink,
			 out && got < out_len - 1 ? out_len - 1 - got :
			 sizeof(sink))) > 0)
		if (out && got < out_len - 1)
			got += (size_t)r;
	close(pipefd[0]);
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return 0;
	uint64_t t = now_ns() - t0;

	if (out)
		out[got] = 0;
	return t;
}

static void bench_hello(void)
{
	char lib[PATH_MAX], hello[PATH_MAX], raw[PATH_MAX];
	double mine[64], base[64], ratio[64];
	unsigned n = reps < 64 ? reps : 63;

	if (!find(lib, sizeof(lib), "../libopenhv-mshv.so") ||
	    !find(hello, sizeof(hello), "../examples/mshv_hello") ||
	    !find(raw, sizeof(raw), "raw_hello")) {
		skip("mshv_hello", "libopenhv-mshv.so, mshv_hello or raw_hello "
		     "not built");
		return;
	}
	if (access("/dev/kvm", R_OK | W_OK)) {
		skip("mshv_hello", "no /dev/kvm");
		return;
	}
	/* A warm-up of each, not counted. */
	if (!spawn_timed(hello, lib, NULL, 0) || !spawn_timed(raw, NULL, NULL, 0)) {
		skip("mshv_hello", "a program failed");
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		mine[i] = (double)spawn_timed(hello, lib, NULL, 0) / 1e3;
		base[i] = (double)spawn_timed(raw, NULL, NULL, 0) / 1e3;
		ratio[i] = base[i] > 0 ? mine[i] / base[i] : 0;
	}
	double r = median(ratio, n);

	add("mshv_hello", median(mine, n), "us", "process, start to exit", -1);
	add("mshv_hello_raw_kvm", median(base, n), "us", "baseline", -1);
	add("mshv_hello_ratio", r, "x", "<= 1.3", r <= 1.3);
}

static void bench_lapic(void)
{
	char lib[PATH_MAX], probe[PATH_MAX], out[64];

	if (!find(lib, sizeof(lib), "../libopenhv-mshv.so") ||
	    !find(probe, sizeof(probe), "mshv_probe")) {
		skip("mshv_lapic_read", "libopenhv-mshv.so or mshv_probe not "
		     "built");
		return;
	}
	struct ohv_config cfg;
	struct ohv *hv;
	struct ohv_client *c;
	uint64_t id;

	ohv_config_init(&cfg);
	cfg.backend = OHV_BACKEND_KVM;
	if (ohv_open(&cfg, &hv)) {
		skip("mshv_lapic_read", "no KVM backend");
		return;
	}
	if (ohv_client_open(hv, 0, &c) ||
	    ohv_client_create_partition(c, NULL, &id) ||
	    ohv_client_initialize_partition(c, id) ||
	    ohv_linux_create_vp(c, id, 0, NULL, NULL))
		die("mshv_lapic_read setup", 0);
	static uint8_t buf[4096];
	double direct[2001], mine[64];
	unsigned n = reps < 64 ? reps : 63;

	for (unsigned i = 0; i < 2001; i++) {
		size_t size;
		uint64_t t = now_ns();

		if (ohv_linux_get_vp_state(c, id, 0, HV_GET_SET_VP_STATE_LAPIC_STATE,
					   buf, sizeof(buf), &size))
			die("ohv_linux_get_vp_state", 0);
		direct[i] = (double)(now_ns() - t);
	}
	ohv_client_destroy_partition(c, id);
	ohv_client_close(c);
	ohv_close(hv);
	for (unsigned i = 0; i < n; i++) {
		if (!spawn_timed(probe, lib, out, sizeof(out)))
			die("mshv_probe", 0);
		mine[i] = strtod(out, NULL);
	}
	double m = median(mine, n), d = median(direct, 2001);

	add("mshv_lapic_read", m / 1e3, "us", "MSHV_GET_VP_STATE, LAPIC", -1);
	add("mshv_lapic_read_direct", d / 1e3, "us", "ohv_linux_get_vp_state",
	    -1);
	add("mshv_lapic_read_added", (m - d) / 1e3, "us", "the layer's cost",
	    -1);
}

void bench_mshv_figures(int argc, char **argv)
{
	ssize_t len = readlink("/proc/self/exe", dir, sizeof(dir) - 1);

	if (len <= 0)
		return;
	dir[len] = 0;
	*strrchr(dir, '/') = 0;
	if (wanted(argc, argv, "mshv_hello"))
		bench_hello();
	if (wanted(argc, argv, "mshv_lapic_read"))
		bench_lapic();
}
