/* SPDX-License-Identifier: MIT */
/*
 * The openhv tool, run as a newcomer runs it: every command, the scenario
 * language (its errors with their file:line), every decode form, the JSON
 * trace parsed and checked, the shell on a pseudo-terminal, and `make
 * install` into a temporary prefix with a program built against it through
 * pkg-config.  The tool is the one built beside this runner and the tree
 * the one it was built from, unless OHV_TOOL, OHV_SRCDIR, OHV_BUILD say
 * otherwise; OHV_CC and OHV_MAKE (make check exports them) build against
 * the installed library.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run.h"
#include "t.h"

/* Whether the build had <sys/sdt.h> (mk/cli.mk). */
#ifndef OHV_TREE_HAVE_SDT
#define OHV_TREE_HAVE_SDT 0
#endif

/* ---------------------------------------------------------------------- */
/* Running the tool.                                                       */

struct run {
	int status;		/* exit status, or 128 + signal */
	char *out, *err;
	size_t out_len, err_len;
};

/* The tool, the source tree and the build directory: what make check
 * exports, else what this runner was built with (run.c's t_env). */
static const char *tool(void)
{
	const char *t = t_env("OHV_TOOL");

	if (access(t, X_OK))
		SKIP("no tool at %s: build it, or set OHV_TOOL", t);
	return t;
}

static const char *srcdir(void)
{
	const char *d = t_env("OHV_SRCDIR");
	char probe[PATH_MAX + 16];

	snprintf(probe, sizeof(probe), "%s/examples", d);
	if (access(probe, R_OK))
		SKIP("no source tree at %s: set OHV_SRCDIR", d);
	return d;
}

static const char *builddir(void)
{
	return t_env("OHV_BUILD");
}

static void append(char **buf, size_t *len, const char *p, size_t n)
{
	char *nb = realloc(*buf, *len + n + 1);

	REQUIRE(nb != NULL);
	memcpy(nb + *len, p, n);
	*len += n;
	nb[*len] = 0;
	*buf = nb;
}

/* Run argv (argv[0] a path) with input on stdin, extra environment
 * settings env ("NAME=value" or "NAME" to unset), in directory dir. */
static void run_env(struct run *r, const char *input, const char *dir,
		    const char *const *env, const char *const *argv)
{
	int in[2], out[2], err[2];
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->out = calloc(1, 1);
	r->err = calloc(1, 1);
	REQUIRE(r->out && r->err);
	REQUIRE(pipe(in) == 0 && pipe(out) == 0 && pipe(err) == 0);
	fflush(stdout);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(in[1]);
		close(out[0]);
		close(err[0]);
		for (size_t i = 0; env && env[i]; i++) {
			const char *eq = strchr(env[i], '=');

			if (eq) {
				char name[128];

				snprintf(name, sizeof(name), "%.*s",
					 (int)(eq - env[i]), env[i]);
				setenv(name, eq + 1, 1);
			} else {
				unsetenv(env[i]);
			}
		}
		if (dir && chdir(dir))
			_exit(126);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	/* Feed stdin and drain both outputs together: no pipe fills up. */
	size_t in_left = input ? strlen(input) : 0;
	const char *inp = input;
	struct pollfd p[3] = {
		{ .fd = out[0], .events = POLLIN },
		{ .fd = err[0], .events = POLLIN },
		{ .fd = in_left ? in[1] : -1, .events = POLLOUT },
	};

	if (!in_left)
		close(in[1]);
	signal(SIGPIPE, SIG_IGN);
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		char buf[4096];

		if (poll(p, 3, 60000) <= 0)
			break;
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
		if (p[2].fd >= 0 && (p[2].revents & (POLLOUT | POLLERR))) {
			ssize_t n = write(in[1], inp, in_left);

			if (n > 0) {
				inp += n;
				in_left -= (size_t)n;
			}
			if (n <= 0 || !in_left) {
				close(in[1]);
				p[2].fd = -1;
			}
		}
	}
	if (p[2].fd >= 0)
		close(in[1]);
	int status;

	waitpid(pid, &status, 0);
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) :
		128 + WTERMSIG(status);
}

/* The tool with arguments (NULL-terminated), stdin from input. */
#define TOOL(r, input, ...) do {                                            \
		const char *argv_[] = { tool(), __VA_ARGS__, NULL };        \
		run_env((r), (input), NULL, NULL, argv_);                   \
	} while (0)

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

#define CHECK_HAS(s, needle) \
	CHECK_MSG(strstr((s), (needle)) != NULL, "expected \"%s\" in:\n%s", \
		  (needle), (s))
#define CHECK_LACKS(s, needle) \
	CHECK_MSG(strstr((s), (needle)) == NULL, "unexpected \"%s\" in:\n%s", \
		  (needle), (s))

/* A scratch directory, removed by rmtree. */
static void scratch(char *dir, size_t n)
{
	snprintf(dir, n, "/tmp/ohv-cli-XXXXXX");
	REQUIRE(mkdtemp(dir) != NULL);
}

static void rmtree(const char *dir)
{
	const char *argv[] = { "rm", "-rf", dir, NULL };
	struct run r;

	run_env(&r, NULL, NULL, NULL, argv);
	run_free(&r);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	REQUIRE(f != NULL);
	fputs(text, f);
	fclose(f);
}

/* A whole file, NUL-terminated (malloc'd); *len its size. */
static char *slurp(const char *path, long *len)
{
	FILE *f = fopen(path, "rb");
	char *text;

	REQUIRE(f != NULL);
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)*len + 1);
	REQUIRE(text != NULL);
	REQUIRE(fread(text, 1, (size_t)*len, f) == (size_t)*len);
	fclose(f);
	return text;
}

/* Run a scenario text from a file named name in a scratch directory;
 * extra arguments go before the file. */
static void scenario(struct run *r, const char *name, const char *text,
		     const char *opt)
{
	char dir[64], path[256];

	scratch(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	write_file(path, text);
	{
		const char *argv[] = { tool(), "run", opt ? opt : name,
				       opt ? name : NULL, NULL };

		run_env(r, NULL, dir, NULL, argv);
	}
	rmtree(dir);
}

/* ---------------------------------------------------------------------- */
/* The command table.                                                      */

TEST(cli_version_and_help)
{
	struct run r;

	TOOL(&r, NULL, "--version");
	CHECK_EQ(r.status, 0);
	CHECK_MSG(!strcmp(r.out, "openhv " OHV_VERSION_STRING "\n"),
		  "--version printed '%s'", r.out);
	run_free(&r);

	TOOL(&r, NULL, "--help");
	CHECK_EQ(r.status, 0);
	static const char *const commands[] = {
		"\n  run ", "\n  shell ", "\n  decode ", "\n  show ",
		"\n  costs ", "\n  demo ", "\n  help ",
	};
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		CHECK_HAS(r.out, commands[i]);
	CHECK_HAS(r.out, "Exit status: 0");
	run_free(&r);

	/* No command, an unknown one: usage on stderr, status 2. */
	{
		const char *argv[] = { tool(), NULL };

		run_env(&r, NULL, NULL, NULL, argv);
	}
	CHECK_EQ(r.status, 2);
	CHECK_HAS(r.err, "usage: openhv");
	CHECK_EQ(r.out_len, 0);
	run_free(&r);
	TOOL(&r, NULL, "frobnicate");
	CHECK_EQ(r.status, 2);
	CHECK_HAS(r.err, "no command 'frobnicate'");
	run_free(&r);
}

TEST(cli_help_command)
{
	static const struct {
		const char *topic;
		const char *needle;
	} cases[] = {
		{ "run", "usage: openhv run" },
		{ "shell", "usage: openhv shell" },
		{ "decode", "usage: openhv decode" },
		{ "show", "usage: openhv show" },
		{ "costs", "usage: openhv costs" },
		{ "demo", "usage: openhv demo" },
		{ "help", "usage: openhv [--version]" },
		/* Scenario commands and hypercalls. */
		{ "HvCreatePartition", "IsolationProperties" },
		{ "HvSetVpRegisters", "Rip=0x1000" },
		{ "HvCallCreatePort", "PortInfo.TargetSint" },
		{ "partition", "partition destroy PARTITION" },
		{ "expect", "expect STATUS [reps=N]" },
		{ "call", "call CODE" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;

		TOOL(&r, NULL, "help", cases[i].topic);
		CHECK_MSG(r.status == 0, "help %s: status %d", cases[i].topic,
			  r.status);
		CHECK_HAS(r.out, cases[i].needle);
		run_free(&r);
	}
	struct run r;

	TOOL(&r, NULL, "help", "nosuch");
	CHECK_EQ(r.status, 2);
	CHECK_HAS(r.err, "'nosuch'");
	run_free(&r);
	/* --help of each command too. */
	TOOL(&r, NULL, "run", "--help");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "FILE:LINE");
	run_free(&r);
}

/* ---------------------------------------------------------------------- */
/* run.                                                                    */

TEST(cli_run_lifecycle_example)
{
	char path[512];
	struct run r;

	snprintf(path, sizeof(path), "%s/examples/lifecycle.ohv", srcdir());
	TOOL(&r, NULL, "run", path);
	CHECK_EQ(r.status, 0);
	CHECK_MSG(r.err_len == 0, "stderr: %s", r.err);
	CHECK_HAS(r.out, "HvCreatePartition                    "
		  "HV_STATUS_INSUFFICIENT_MEMORY");
	CHECK_HAS(r.out, "NewPartitionId=2");
	CHECK_HAS(r.out, "PagesAvailable=192  PagesInUse=16");
	CHECK_HAS(r.out, "HvInitializePartition fast");
	CHECK_HAS(r.out, "Rip=0xfff0");
	CHECK_HAS(r.out, "invariants hold");
	run_free(&r);
}

/* Every scenario in examples/ runs clean, as the README promises. */
TEST(cli_run_every_example)
{
	char dir[512];
	DIR *d;
	struct dirent *e;
	unsigned n = 0;

	snprintf(dir, sizeof(dir), "%s/examples", srcdir());
	d = opendir(dir);
	REQUIRE(d != NULL);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char path[1024];
		struct run r;

		if (len < 5 || strcmp(e->d_name + len - 4, ".ohv"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		TOOL(&r, NULL, "run", "-q", path);
		CHECK_MSG(r.status == 0, "%s: status %d\n%s", e->d_name,
			  r.status, r.err);
		n++;
		run_free(&r);
	}
	closedir(d);
	/* lifecycle, nested, ports and the seeds' failure cases */
	CHECK_MSG(n >= 9, "%u example scenarios", n);
}

TEST(cli_run_stdin)
{
	struct run r;

	TOOL(&r, "set a=40\nset b=$a+2\necho answer $b\n"
		 "HvGetPartitionId -> me\nassert $me == 1\n", "run", "-");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "answer 42\n");
	CHECK_HAS(r.out, "HvGetPartitionId");
	CHECK_HAS(r.out, "PartitionId=1");
	run_free(&r);
	/* -q: no line per hypercall; echo still prints. */
	TOOL(&r, "HvGetPartitionId\necho done\n", "run", "-q", "-");
	CHECK_EQ(r.status, 0);
	CHECK_LACKS(r.out, "HvGetPartitionId");
	CHECK_HAS(r.out, "done");
	run_free(&r);
	/* -v: the input fields as well. */
	TOOL(&r, "HvGetMemoryBalance PartitionId=SELF\n", "run", "-v", "-");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "PartitionId=SELF");
	CHECK_HAS(r.out, "ProximityDomainInfo=any node");
	run_free(&r);
}

/* Scenario errors name FILE:LINE; a failed expectation exits 1, a
 * malformed scenario 2. */
TEST(cli_run_errors)
{
	static const struct {
		const char *text;
		int status;
		const char *err;
	} cases[] = {
		{ "echo ok\n\nHvCreatePartition Flag=1\n", 2,
		  "x.ohv:3: HvCreatePartition has no field 'Flag'" },
		{ "# comment\nfrobnicate 1\n", 2,
		  "x.ohv:2: unknown command 'frobnicate'" },
		{ "echo $nope\n", 2, "x.ohv:1: no variable $nope" },
		{ "HvCreatePartition Flags=BOGUS_FLAG\n", 2,
		  "x.ohv:1: 'BOGUS_FLAG' is not a number, variable or known name" },
		{ "set x=0x1g\n", 2, "x.ohv:1: bad value '0x1g'" },
		{ "echo a\nHvInitializePartition PartitionId=7\necho b\n", 1,
		  "x.ohv:2: HvInitializePartition: HV_STATUS_INVALID_PARTITION_ID "
		  "(put `expect HV_STATUS_INVALID_PARTITION_ID`" },
		/* A failure on the last line fails at the end. */
		{ "echo a\n\nHvDeletePartition PartitionId=SELF\n", 1,
		  "x.ohv:3: HvDeletePartition: HV_STATUS_INVALID_PARTITION_ID" },
		{ "echo a\nHvInitializePartition PartitionId=7\n"
		  "expect ACCESS_DENIED\n", 1,
		  "x.ohv:3: expected HV_STATUS_ACCESS_DENIED, got "
		  "HV_STATUS_INVALID_PARTITION_ID (HvInitializePartition at "
		  "line 2)" },
		/* A page twice: the second is refused, reps completed 1. */
		{ "HvDepositMemory PartitionId=SELF GpaPageList=0x100,0x100\n"
		  "expect OPERATION_DENIED reps=0\n", 1,
		  "x.ohv:2: expected reps completed 0, got 1" },
		{ "expect SUCCESS\n", 2, "x.ohv:1: expect: no hypercall before it" },
		{ "HvGetPartitionId\nexpect NO_SUCH_STATUS\n", 2,
		  "x.ohv:2: expect: 'NO_SUCH_STATUS' is not a status name" },
		{ "assert 1 == 2\n", 1,
		  "x.ohv:1: assertion failed: 1 == 2 (1 == 2 is false)" },
		{ "assert live() == 2\n", 1, "x.ohv:1: assertion failed: live() == 2" },
		{ "assert 1 =< 2\n", 2, "x.ohv:1: assert: '=<' is not one of" },
		/* Continued lines: the command's first line is named. */
		{ "echo a\nHvCreatePartition \\\n    Flags=1 \\\n    Bad=2\n", 2,
		  "x.ohv:2: HvCreatePartition has no field 'Bad'" },
		{ "echo \"open\n", 2, "x.ohv:1: a quoted string is not closed" },
		{ "HvGetPartitionId\nconfig numa_nodes=2\n", 2,
		  "x.ohv:2: config must come before the first command" },
		{ "config colour=blue\n", 2, "x.ohv:1: config: no key 'colour'" },
		{ "config commit_memory=2\nHvGetPartitionId\n", 1,
		  "x.ohv:2: cannot open an instance with this configuration" },
		{ "HvWithdrawMemory PartitionId=SELF\n", 2,
		  "x.ohv:1: HvWithdrawMemory needs reps=N (the pages wanted)" },
		{ "partition new -> c\nas $c HvGetMemoryBalance PartitionId=SELF\n",
		  2, "x.ohv:2: partition 2 has no hypercall pages" },
		{ "HvGetPartitionId -> a, b\n", 2,
		  "x.ohv:1: HvGetPartitionId gives 1 value to capture, not 2" },
		{ "HvStartVirtualProcessor\n", 2,
		  "x.ohv:1: HvCallStartVirtualProcessor (0x0099) is a TLFS call "
		  "outside openhv's set" },
		{ "HvCreatePartition fast=1\n", 2, "x.ohv:1: HvCreatePartition has "
		  "no field 'fast'" },
		{ "HvGetPartitionId reps=5000\n", 2, "x.ohv:1: reps is a 12-bit field" },
		{ "HvCreatePartition CompatibilityVersion=0x100000000\n", 2,
		  "x.ohv:1: CompatibilityVersion is a 4-byte field" },
		{ "HvPostMessage Payload=0x123\n", 2,
		  "x.ohv:1: Payload: an even number of hex digits" },
		{ "-> x\n", 2, "x.ohv:1: -> without a command" },
		{ "balance 99\n", 1, "x.ohv:1: balance: no live partition 99" },
		{ "set p=alloc(1)\n", 2,
		  "x.ohv:1: bad value 'alloc(1)': no such function" },
		{ "config memory_pages=64\n"
		  "HvDepositMemory PartitionId=SELF GpaPageList=alloc(100)\n", 1,
		  "x.ohv:2: alloc(): the root's page allocator is empty" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;

		scenario(&r, "x.ohv", cases[i].text, NULL);
		CHECK_MSG(r.status == cases[i].status, "case %zu: status %d, "
			  "want %d; stderr: %s", i, r.status, cases[i].status,
			  r.err);
		CHECK_MSG(strstr(r.err, cases[i].err) != NULL,
			  "case %zu: want \"%s\" in stderr:\n%s", i, cases[i].err,
			  r.err);
		run_free(&r);
	}
}

TEST(cli_run_bad_command_line)
{
	struct run r;

	TOOL(&r, NULL, "run");
	CHECK_EQ(r.status, 2);
	CHECK_HAS(r.err, "a scenario FILE");
	run_free(&r);
	TOOL(&r, NULL, "run", "/nonexistent/x.ohv");
	CHECK_EQ(r.status, 2);
	CHECK_HAS(r.err, "cannot read /nonexistent/x.ohv");
	run_free(&r);
	TOOL(&r, NULL, "run", "--numa", "0", "-");
	CHECK_EQ(r.status, 2);
	CHECK_HAS(r.err, "--numa: '0' is not a number from 1");
	run_free(&r);
	TOOL(&r, NULL, "run", "--bogus", "-");
	CHECK_EQ(r.status, 2);
	run_free(&r);
	TOOL(&r, NULL, "run", "--trace=/nonexistent/dir/t.json", "-");
	CHECK_EQ(r.status, 1);
	CHECK_HAS(r.err, "cannot write the trace");
	run_free(&r);
}

/* ---------------------------------------------------------------------- */
/* The language, statement by statement.                                   */

TEST(cli_language_values)
{
	struct run r;

	TOOL(&r,
	     "set a=0x10 b=0b11 c=1_000\n"
	     "set d=$a|$b e=$c-1 f=($a+1)&0x3\n"
	     "echo $a $b $c $d $e $f\n"
	     "assert gpa(2) == 0x2000\n"
	     "assert page(0x3fff) == 3\n"
	     "assert state($root) == Active\n"
	     "assert depth(SELF) == 1\n"
	     "assert exists(42) == 0\n"
	     "assert state(42) == Deleted\n"
	     "assert live() == 1\n"
	     "assert privileges($root) == 0x000219FF000007FF\n"
	     "assert EXO_PARTITION|LAPIC_ENABLED == 0x2100\n"
	     "assert HV_STATUS_ACCESS_DENIED == 6\n"
	     "assert 3 > 2\nassert 2 >= 2\nassert 1 < 2\nassert 2 <= 2\n"
	     "assert 1 != 2\nassert 7\n"
	     "set free=rootfree()\n"
	     "HvDepositMemory PartitionId=SELF GpaPageList=alloc(3),0x200..0x202\n"
	     "assert available(SELF) == 6\n"
	     "assert rootfree() == $free-6\n"
	     "HvWithdrawMemory PartitionId=SELF reps=6 -> p0, p1\n"
	     "assert $p0 != $p1\n"
	     "assert rootfree() == $free\n"
	     "echo \"quoted\\ttext\" $caller\n"
	     "partition new -> c\n"
	     "HvDepositMemory PartitionId=SELF GpaPageList=alloc(1)\n"
	     "HvWithdrawMemory PartitionId=SELF reps=1 -> pg\n"
	     "HvGetMemoryBalance PartitionId=$c -> av\n"
	     "echo child $c page $pg available $av status $status\n",
	     "run", "-");
	CHECK_MSG(r.status == 0, "%s", r.err);
	/* echo shows a value as it was written or as its call showed it. */
	CHECK_HAS(r.out, "0x10 3 1000 0x13 999 0x1\n");
	CHECK_HAS(r.out, "GpaPageList[6]=");
	CHECK_HAS(r.out, "quoted\ttext 1\n");
	CHECK_MSG(strstr(r.out, "child 2 page 0x") &&
		  strstr(r.out, " available 192 status 0x0\n"), "%s", r.out);
	run_free(&r);
}

/* The control-word modifiers reach the generic checks of spec.md §3.2. */
TEST(cli_language_modifiers)
{
	struct run r;

	TOOL(&r,
	     "config rep_limit=4 rep_budget_ns=0\n"
	     "HvGetPartitionId nested\n"
	     "expect HV_STATUS_INVALID_HYPERCALL_INPUT\n"
	     "HvGetPartitionId varhead=1\n"
	     "expect INVALID_HYPERCALL_INPUT\n"
	     "HvCreatePartition reps=1\n"
	     "expect INVALID_HYPERCALL_INPUT\n"
	     "HvDepositMemory PartitionId=SELF GpaPageList=alloc(2) start=2\n"
	     "expect INVALID_HYPERCALL_INPUT\n"
	     "call 0x0099\n"
	     "expect HV_STATUS_INVALID_HYPERCALL_CODE\n"
	     "call HvGetPartitionId -> me\n"
	     "assert $me == 1\n"
	     "HvGetMemoryBalance PartitionId=SELF in=0x1004\n"
	     "expect HV_STATUS_INVALID_ALIGNMENT\n"
	     "HvPostMessage ConnectionId=1 MessageType=1 fast\n"
	     "expect HV_STATUS_INVALID_HYPERCALL_INPUT\n"
	     "HvGetPartitionId control=0x10046 -> me\n"
	     "assert $me == 1\n"
	     "HvGetMemoryBalance @0=SELF fast -> avail\n"
	     "assert $avail == 0\n"
	     /* once: the early return (rep_limit 4) is not re-issued. */
	     "HvDepositMemory PartitionId=SELF GpaPageList=alloc(10) once\n"
	     "assert $reps == 4\n"
	     "assert available(SELF) == 4\n"
	     "HvDepositMemory PartitionId=SELF GpaPageList=alloc(10)\n"
	     "assert $reps == 10\n"
	     "assert available(SELF) == 14\n"
	     "withdraw SELF all -> n\n"
	     "assert $n == 14\n",
	     "run", "-");
	CHECK_MSG(r.status == 0, "%s", r.err);
	CHECK_HAS(r.out, "HvGetPartitionId fast");
	CHECK_HAS(r.out, "HvCallStartVirtualProcessor          "
		  "HV_STATUS_INVALID_HYPERCALL_CODE");
	/* The re-issued call is one line. */
	CHECK_HAS(r.out, "reps 10 (3 invocations: rep limit)");
	run_free(&r);
}

TEST(cli_language_statements)
{
	struct run r;

	TOOL(&r,
	     "config arch=arm64 numa_nodes=2 memory_pages=4096 cost.vp=3 "
	     "commit_memory=1\n"
	     "costs\n"
	     "partition new Flags=EXO_PARTITION ProximityDomainInfo=prefer:1 "
	     "deposit=20 -> c\n"
	     "balance $c -> a, u\n"
	     "assert $u == 16\n"
	     "balance $c node=0\n"
	     "assert $a == 4\n"
	     "vp new $c 0\n"
	     "assert inuse($c) == 19\n"
	     "vp start $c 0\n"
	     "map $c 0 2 flags=RW\n"
	     "as $c vp 0 inpage=0 outpage=1\n"
	     "HvGetMemoryBalance PartitionId=SELF\n"
	     "expect ACCESS_DENIED\n"
	     "as root\n"
	     "deposit SELF 1\n"
	     "inject fail_alloc=1\n"
	     "HvCreatePartition Flags=SMT_ENABLED_GUEST\n"
	     "expect NO_RESOURCES\n"
	     "pages $c 0x40..0x41\n"
	     "check\n"
	     "show\n"
	     "help set\n"
	     "partition destroy $c\n"
	     "quit\n"
	     "echo not reached\n",
	     "run", "-");
	CHECK_MSG(r.status == 0, "%s", r.err);
	CHECK_HAS(r.out, "arm64, 4096 pages of 4 KiB, 2 NUMA nodes");
	CHECK_HAS(r.out, "virtual processor (HvCreateVp)             3");
	CHECK_HAS(r.out, "partition 2 (one node): 4 available, 16 in use");
	CHECK_HAS(r.out, "2/0 HvGetMemoryBalance");
	CHECK_HAS(r.out, "invariants hold");
	CHECK_HAS(r.out, "node 1, preferred");
	CHECK_HAS(r.out, "VP 0 running");
	CHECK_HAS(r.out, "set NAME=VALUE");
	CHECK_LACKS(r.out, "not reached");
	run_free(&r);
}

/* SynIC helpers: a message and an event end to end, as examples/ports.ohv
 * does, with the guest-side commands' captures. */
TEST(cli_language_ports)
{
	char path[512];
	struct run r;

	snprintf(path, sizeof(path), "%s/examples/ports.ohv", srcdir());
	TOOL(&r, NULL, "run", path);
	CHECK_MSG(r.status == 0, "%s", r.err);
	CHECK_HAS(r.out, "3/0 HvPostMessage");
	CHECK_HAS(r.out, "SIM slot 2 of partition 2: MessageType 0x1 "
		  "PayloadSize 8 MessageFlags 0x1 (MessagePending) Port 7 "
		  "Payload \"hello, a\"");
	CHECK_HAS(r.out, "Payload 0x0102030405");
	CHECK_HAS(r.out, "SIEF slot 3 of partition 2: 5\n");
	CHECK_HAS(r.out, "port 7: Message, SINT 2, VP 0; for partition 3, "
		  "connected (its connection 9)");
	CHECK_HAS(r.out, "connection 10: to port 8 of partition 2");
	CHECK_HAS(r.out, "SINT2 vector 0x42 raised 1, pending, 1 queued");
	run_free(&r);
}

/* ---------------------------------------------------------------------- */
/* The JSON trace, checked with a small JSON parser.                       */

struct json {
	const char *p;
	bool ok;
};

static void j_ws(struct json *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static bool j_value(struct json *j);

static bool j_string(struct json *j, char *out, size_t n)
{
	size_t k = 0;

	if (*j->p != '"')
		return false;
	for (j->p++; *j->p != '"'; j->p++) {
		unsigned char c = (unsigned char)*j->p;

		if (!c || c < 0x20)
			return false;
		if (c == '\\') {
			j->p++;
			switch (*j->p) {
			case '"': case '\\': case '/': c = (unsigned char)*j->p;
				break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)j->p[i]))
						return false;
				c = '?';
				j->p += 4;
				break;
			default:
				return false;
			}
		}
		if (out && k + 1 < n)
			out[k++] = (char)c;
	}
	j->p++;
	if (out && n)
		out[k] = 0;
	return true;
}

static bool j_number(struct json *j)
{
	const char *s = j->p;

	if (*j->p == '-')
		j->p++;
	if (!isdigit((unsigned char)*j->p))
		return false;
	if (*j->p == '0' && isdigit((unsigned char)j->p[1]))
		return false;
	while (isdigit((unsigned char)*j->p))
		j->p++;
	if (*j->p == '.') {
		j->p++;
		if (!isdigit((unsigned char)*j->p))
			return false;
		while (isdigit((unsigned char)*j->p))
			j->p++;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (!isdigit((unsigned char)*j->p))
			return false;
		while (isdigit((unsigned char)*j->p))
			j->p++;
	}
	return j->p > s;
}

static bool j_value(struct json *j)
{
	j_ws(j);
	if (*j->p == '{') {
		j->p++;
		j_ws(j);
		if (*j->p == '}')
			return j->p++, true;
		for (;;) {
			j_ws(j);
			if (!j_string(j, NULL, 0))
				return false;
			j_ws(j);
			if (*j->p++ != ':' || !j_value(j))
				return false;
			j_ws(j);
			if (*j->p == '}')
				return j->p++, true;
			if (*j->p++ != ',')
				return false;
		}
	}
	if (*j->p == '[') {
		j->p++;
		j_ws(j);
		if (*j->p == ']')
			return j->p++, true;
		for (;;) {
			if (!j_value(j))
				return false;
			j_ws(j);
			if (*j->p == ']')
				return j->p++, true;
			if (*j->p++ != ',')
				return false;
		}
	}
	if (*j->p == '"')
		return j_string(j, NULL, 0);
	if (!strncmp(j->p, "true", 4) || !strncmp(j->p, "null", 4))
		return j->p += 4, true;
	if (!strncmp(j->p, "false", 5))
		return j->p += 5, true;
	return j_number(j);
}

/* One complete JSON text. */
static bool json_valid(const char *text)
{
	struct json j = { text, true };

	if (!j_value(&j))
		return false;
	j_ws(&j);
	return *j.p == 0;
}

/*
 * The raw text of a member, path "a.b" through nested objects: strings
 * unescaped, anything else as written (an array or object whole).
 */
static bool json_get(const char *text, const char *path, char *out, size_t n)
{
	struct json j = { text, true };
	char key[128];
	const char *dot = strchr(path, '.');
	size_t klen = dot ? (size_t)(dot - path) : strlen(path);

	j_ws(&j);
	if (*j.p++ != '{')
		return false;
	for (;;) {
		j_ws(&j);
		if (*j.p == '}' || !j_string(&j, key, sizeof(key)))
			return false;
		j_ws(&j);
		if (*j.p++ != ':')
			return false;
		j_ws(&j);
		if (strlen(key) == klen && !strncmp(key, path, klen)) {
			if (dot)
				return json_get(j.p, dot + 1, out, n);
			if (*j.p == '"')
				return j_string(&j, out, n);
			const char *s = j.p;

			if (!j_value(&j))
				return false;
			snprintf(out, n, "%.*s", (int)(j.p - s), s);
			return true;
		}
		if (!j_value(&j))
			return false;
		j_ws(&j);
		if (*j.p++ != ',')
			return false;
	}
}

TEST(cli_json_checker_self_test)
{
	char v[64];

	CHECK(json_valid("{\"a\":[1,2.5,-3e2,true,false,null,\"x\\u0041\"]}"));
	CHECK(!json_valid("{\"a\":1,}"));
	CHECK(!json_valid("{\"a\":01}"));
	CHECK(!json_valid("{\"a\":\"tab\there\"}"));
	CHECK(!json_valid("{\"a\":1} x"));
	CHECK(json_get("{\"a\":{\"b\":\"c\\\"d\"},\"e\":7}", "a.b", v, sizeof(v)));
	CHECK(!strcmp(v, "c\"d"));
	CHECK(json_get("{\"a\":{\"b\":1},\"e\":[7,8]}", "e", v, sizeof(v)));
	CHECK(!strcmp(v, "[7,8]"));
	CHECK(!json_get("{\"a\":1}", "b", v, sizeof(v)));
}

/* Each line of a trace, parsed; returns the lines (malloc'd, n set). */
static char **trace_lines(const char *text, size_t *n)
{
	char **lines = NULL;
	const char *p = text;

	*n = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char **nlines = realloc(lines, (*n + 1) * sizeof(*lines));

		REQUIRE(nlines != NULL);
		lines = nlines;
		lines[*n] = strndup(p, len);
		REQUIRE(lines[*n] != NULL);
		(*n)++;
		p += len + (nl ? 1 : 0);
	}
	return lines;
}

static void lines_free(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

#define CHECK_FIELD(line, path, want) do {                                   \
		char v_[512] = "";                                           \
		CHECK_MSG(json_get((line), (path), v_, sizeof(v_)) &&        \
			  !strcmp(v_, (want)), "%s: '%s', want '%s' in %s",  \
			  (path), v_, (want), (line));                       \
	} while (0)

TEST(cli_trace_json)
{
	char dir[64], path[256], trace[256];
	struct run r;
	size_t n;
	char **lines;
	char *text;
	long len;

	scratch(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/t.ohv", dir);
	snprintf(trace, sizeof(trace), "--trace=%s/trace.jsonl", dir);
	/* No time budget: on a slow host it could cut the two-register
	 * call in two invocations (docs/scenario.md, Issuing). */
	write_file(path,
		   "config rep_budget_ns=0\n"
		   "HvCreatePartition Flags=EXO_PARTITION|0x4\n"
		   "expect INVALID_PARAMETER\n"
		   "partition new -> c\n"
		   "HvGetVpRegisters PartitionId=$c VpIndex=0 Names=Rip\n"
		   "expect INVALID_VP_INDEX\n"
		   "vp new $c 0\n"
		   "HvGetVpRegisters PartitionId=$c VpIndex=0 Names=Rip,Cr0\n"
		   "HvSetVpRegisters PartitionId=$c VpIndex=0 Rip=0x1000\n"
		   "partition destroy $c\n");
	{
		const char *argv[] = { tool(), "run", "-q", trace, path, NULL };

		run_env(&r, NULL, NULL, NULL, argv);
	}
	CHECK_MSG(r.status == 0, "%s", r.err);
	run_free(&r);
	snprintf(path, sizeof(path), "%s/trace.jsonl", dir);
	text = slurp(path, &len);
	lines = trace_lines(text, &n);
	CHECK_MSG(n >= 12, "%zu trace lines", n);
	for (size_t i = 0; i < n; i++) {
		char want[32], v[64];

		CHECK_MSG(json_valid(lines[i]), "line %zu is not JSON: %s", i + 1,
			  lines[i]);
		snprintf(want, sizeof(want), "%zu", i + 1);
		CHECK_FIELD(lines[i], "seq", want);
		CHECK(json_get(lines[i], "elapsed_ns", v, sizeof(v)) &&
		      isdigit((unsigned char)v[0]));
		CHECK(json_get(lines[i], "control", v, sizeof(v)) &&
		      strlen(v) == 18 && !strncmp(v, "0x", 2));
	}
	/* The first call: its fields decoded, the flag bit out of the set
	 * named in notes, its status. */
	CHECK_FIELD(lines[0], "call", "HvCreatePartition");
	CHECK_FIELD(lines[0], "code", "64");
	CHECK_FIELD(lines[0], "caller", "1");
	CHECK_FIELD(lines[0], "vp", "0");
	CHECK_FIELD(lines[0], "line", "2");
	CHECK_FIELD(lines[0], "fast", "false");
	CHECK_FIELD(lines[0], "command", "null");
	CHECK_FIELD(lines[0], "input.Flags", "0x104 (EXO_PARTITION|unknown 0x4)");
	CHECK_FIELD(lines[0], "input.ProximityDomainInfo", "any node");
	CHECK_FIELD(lines[0], "status", "HV_STATUS_INVALID_PARAMETER");
	CHECK_FIELD(lines[0], "status_code", "5");
	CHECK_FIELD(lines[0], "result", "0x0000000000000005");
	CHECK_FIELD(lines[0], "notes", "[\"Flags: bits 0x4 outside the "
		    "documented set {0,1,4,8,9,10,13,15,16,19,20,22} (spec.md §4.1) "
		    "-> HV_STATUS_INVALID_PARAMETER\"]");
	/* The helper's calls carry its name. */
	CHECK_FIELD(lines[1], "command", "partition new");
	CHECK_FIELD(lines[1], "line", "4");
	size_t deposits = 0, regs = 0;

	for (size_t i = 0; i < n; i++) {
		char v[2048];

		if (json_get(lines[i], "call", v, sizeof(v)) &&
		    !strcmp(v, "HvDepositMemory") &&
		    json_get(lines[i], "input.GpaPageList", v, sizeof(v))) {
			CHECK(v[0] == '[' && isdigit((unsigned char)v[1]));
			deposits++;
		}
		if (json_get(lines[i], "call", v, sizeof(v)) &&
		    !strcmp(v, "HvGetVpRegisters") &&
		    json_get(lines[i], "rep_count", v, sizeof(v)) &&
		    !strcmp(v, "2")) {
			CHECK_FIELD(lines[i], "input.Names", "[\"Rip\",\"Cr0\"]");
			CHECK_FIELD(lines[i], "output.Values",
				    "[{\"Name\":\"Rip\",\"Value\":\"0xfff0\"},"
				    "{\"Name\":\"Cr0\",\"Value\":\"0x60000010\"}]");
			CHECK_FIELD(lines[i], "reps", "2");
			regs++;
		}
		if (json_get(lines[i], "call", v, sizeof(v)) &&
		    !strcmp(v, "HvSetVpRegisters")) {
			CHECK_FIELD(lines[i], "input.Registers",
				    "[{\"Name\":\"Rip\",\"Value\":\"0x1000\"}]");
		}
	}
	CHECK_MSG(deposits >= 2, "%zu deposits", deposits);
	CHECK_EQ(regs, 1);
	lines_free(lines, n);
	free(text);
	rmtree(dir);
}

/* --trace alone writes to stderr; every string is escaped, whatever the
 * file name holds. */
TEST(cli_trace_stderr_escaping)
{
	char dir[64], path[256];
	struct run r;
	size_t n;
	char **lines;
	const char *name = "we\"ird\\name\t\xc3\xa9\x01.ohv";

	scratch(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	write_file(path, "HvGetPartitionId\nHvPostMessage ConnectionId=1 "
		   "MessageType=1 Payload=\"a\\\"b\\\\c\\n\"\nexpect "
		   "INVALID_CONNECTION_ID\n");
	{
		const char *argv[] = { tool(), "run", "-q", "--trace", name, NULL };

		run_env(&r, NULL, dir, NULL, argv);
	}
	CHECK_MSG(r.status == 0, "%s", r.err);
	lines = trace_lines(r.err, &n);
	CHECK_EQ(n, 2);
	for (size_t i = 0; i < n; i++)
		CHECK_MSG(json_valid(lines[i]), "not JSON: %s", lines[i]);
	if (n == 2) {
		/* \t and \x01 come back escaped; é passes as UTF-8. */
		CHECK_HAS(lines[0], "\"file\":\"we\\\"ird\\\\name\\t\xc3\xa9"
			  "\\u0001.ohv\"");
		CHECK_FIELD(lines[1], "input.Payload", "\"a\\\"b\\\\c\\n\"");
		CHECK_FIELD(lines[1], "caller", "1");
	}
	lines_free(lines, n);
	run_free(&r);
	rmtree(dir);
}

/* ---------------------------------------------------------------------- */
/* decode.                                                                 */

TEST(cli_decode_control)
{
	struct run r;

	TOOL(&r, NULL, "decode", "control", "0x0001004000000048");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "HvDepositMemory (rep call)");
	CHECK_HAS(r.out, "43:32  rep count             0x40       64 elements");
	CHECK_HAS(r.out, "59:48  rep start             0x1        from element 1");
	CHECK_HAS(r.out, "steps 1-4 pass");
	run_free(&r);
	/* A bare number is a control word too; reserved bits and the nested
	 * bit are flagged with the status they give. */
	TOOL(&r, NULL, "decode", "0x8000000080010046");
	CHECK_EQ(r.status, 1);
	CHECK_HAS(r.out, "HvGetPartitionId (simple call)");
	CHECK_HAS(r.out, "! openhv is the L0: the nested bit counts as reserved");
	CHECK_HAS(r.out, "! reserved bits must be zero (spec.md §3.1)");
	CHECK_HAS(r.out, "-> HV_STATUS_INVALID_HYPERCALL_INPUT");
	run_free(&r);
	static const struct {
		const char *word;
		const char *needle;
	} cases[] = {
		{ "0x0000000100000041", "a simple call has rep count and rep "
		  "start 0" },
		{ "0x0000000000000048", "a rep call needs rep count >= 1" },
		{ "0x0002000100000048", "rep start must be below rep count" },
		{ "0x0000000000020041", "takes no variable header" },
		{ "0x000000000001005c", "exceed the 112-byte register block" },
		{ "0x0000000000000099", "HvCallStartVirtualProcessor" },
		{ "0x0000000000001234", "not a call code openhv knows" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TOOL(&r, NULL, "decode", "control", cases[i].word);
		CHECK_MSG(r.status == 1, "%s: status %d", cases[i].word, r.status);
		CHECK_HAS(r.out, cases[i].needle);
		run_free(&r);
	}
	/* arm64 offers 128 register bytes: HvPostMessage still does not fit,
	 * HvCreatePartition (48 + 8) does. */
	TOOL(&r, NULL, "decode", "--arm64", "control", "0x0000000000010040");
	CHECK_EQ(r.status, 0);
	run_free(&r);
}

TEST(cli_decode_result_and_status)
{
	struct run r;

	TOOL(&r, NULL, "decode", "result", "0x0000000300000008");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "HV_STATUS_OPERATION_DENIED");
	CHECK_HAS(r.out, "43:32  reps completed        0x3");
	run_free(&r);
	TOOL(&r, NULL, "decode", "result", "0x0010000000050000");
	CHECK_EQ(r.status, 1);
	CHECK_HAS(r.out, "31:16  reserved              0x5");
	CHECK_HAS(r.out, "63:44  reserved              0x100");
	run_free(&r);
	TOOL(&r, NULL, "decode", "status", "11");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "0x000b HV_STATUS_INSUFFICIENT_MEMORY");
	CHECK_HAS(r.out, "deposit pages and retry");
	run_free(&r);
	TOOL(&r, NULL, "decode", "status", "access_denied");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "0x0006 HV_STATUS_ACCESS_DENIED");
	run_free(&r);
	TOOL(&r, NULL, "decode", "HV_STATUS_INVALID_PORT_ID");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "0x0011");
	run_free(&r);
	TOOL(&r, NULL, "decode", "status", "0x1234");
	CHECK_EQ(r.status, 1);
	CHECK_HAS(r.out, "HV_STATUS_UNKNOWN");
	run_free(&r);
	TOOL(&r, NULL, "decode", "status", "NO_SUCH");
	CHECK_EQ(r.status, 2);
	run_free(&r);
	TOOL(&r, NULL, "decode", "result");
	CHECK_EQ(r.status, 2);
	run_free(&r);
}

TEST(cli_decode_blocks)
{
	struct run r;

	/* Qwords, each field by name with its offset. */
	TOOL(&r, NULL, "decode", "HvCreatePartition", "0x82100",
	     "0x8000000100000001", "0x609", "0x0", "0x0", "0x0", "0x0");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "HvCreatePartition (0x0040) input block, 56 bytes "
		  "(x64 layout)");
	CHECK_HAS(r.out, "@0     8  Flags                          0x82100 "
		  "(EXO_PARTITION|LAPIC_ENABLED|INTERCEPT_MESSAGE_PAGE_ENABLED)");
	CHECK_HAS(r.out, "@8     8  ProximityDomainInfo            node 1, "
		  "preferred");
	CHECK_HAS(r.out, "@16    4  CompatibilityVersion           0x0609 "
		  "(6.9, 21H2)");
	CHECK_HAS(r.out, "nothing outside the spec");
	run_free(&r);
	/* Out-of-spec values name the status openhv answers. */
	static const struct {
		const char *call;
		const char *hex;
		const char *needle;
		int status;
		const char *not;	/* not in the output, or NULL */
	} cases[] = {
		{ "HvCreatePartition", "0x8 0x0 0x0 0x0 0x0 0x0 0x1",
		  "IsolationProperties: must be 0", 1, NULL },
		{ "HvCreatePartition", "0x8 0x0", "bits 0x8 outside the documented "
		  "set", 1, NULL },
		{ "HvCreatePartition", "0x0 0x0000000400000000",
		  "reserved flag bits 30:1 set", 1, NULL },
		{ "HvInitializePartition", "0xffffffffffffffff",
		  "must name a child, not SELF", 1, NULL },
		{ "HvMapGpaPages", "0x2 0x10000000000 0x0000000000000002",
		  "WRITABLE without READABLE", 1, NULL },
		{ "HvMapGpaPages", "0x2 0x10000000000 0x0000000000000003",
		  "beyond the 52-bit GPA space", 1, NULL },
		{ "HvUnmapGpaPages", "0x2 0x0 0x4", "bits 0x4 beyond LARGE_PAGE", 1, NULL },
		{ "HvCreateVp", "0x2 0x0100000000000003 0x0 0x0 0x0",
		  "SubnodeType: must be 0 (spec.md §7) -> HV_STATUS_INVALID_PARAMETER",
		  1, NULL },
		{ "HvCreateVp", "0x2 0x3 0x0 0x0 0x1", "Flags: must be 0", 1, NULL },
		{ "HvCreateVp", "0x2 0x40", "VP indexes are 0-63", 1, NULL },
		{ "HvGetPartitionProperty", "0x2 0x00050000",
		  "a TLFS property openhv does not implement", 1, NULL },
		{ "HvGetPartitionProperty", "0x2 0x00abcdef",
		  "not a TLFS partition property code", 1, NULL },
		{ "HvCallCreatePort", "0x2 0x0000010000000007",
		  "VTL fields must be 0", 1, NULL },
		{ "HvCreatePort", "0x2 0x1000007 0x3 0x1 0x000000000000000",
		  "reserved bits 31:24 set", 1, NULL },
		{ "HvCreatePort", "0x2 0x7 0x3 0x5 0x0 0x0",
		  "not a port type", 1, NULL },
		{ "HvCreatePort", "0x2 0x7 0x3 0x1 0xffffffff00000010 0x0",
		  "SINTs are 0-15", 1, NULL },
		{ "HvCreatePort", "0x2 0x7 0x3 0x1 0x0000000300000000 0x0",
		  "SINT0 is the hypervisor's", 1, NULL },
		{ "HvCreatePort", "0x2 0x7 0x3 0x2 0x0000000500000002 0x0000000000",
		  "FlagCount >= 1", 1, NULL },
		{ "HvCreatePort", "0x2 0x7 0x3 0x3 0x1234 0x0",
		  "monitor page GPA not page-aligned (spec.md §8) -> "
		  "HV_STATUS_INVALID_ALIGNMENT", 1, NULL },
		{ "HvPostMessage", "0x9 0x000000f100000000",
		  "type 0 is HvMessageTypeNone", 1, NULL },
		{ "HvPostMessage", "0x9 0x000000f180000001",
		  "above the 240-byte payload", 1, NULL },
		{ "HvGetVpRegisters", "0x2 0x0000000500000000 0x00020010",
		  "only VTL 0 exists", 1, NULL },
		{ "HvSetVpRegisters", "0x2 0x0 0x00099999 0x0 0x1 0x0",
		  "Registers[0].Name: not a register name openhv knows", 1, NULL },
		{ "HvGetVpRegisters", "0x2 0x0 0x0000000300020010",
		  "a TLFS register openhv does not implement (spec.md §7); reps "
		  "completed would be 1", 1, NULL },
		/* Reserved padding that is set is only noted (exit 0). */
		{ "HvGetPartitionProperty", "0x2 0x0000000700010000",
		  "Padding: reserved, should be 0 (openhv ignores it", 0, NULL },
		/* The Linux root's wider surface (spec.md §10): what the
		 * library takes is not flagged, what it refuses is. */
		{ "HvMapGpaPages", "0x2 0x200 0x8000800f 0x3000",
		  "0x8000800f (READABLE|WRITABLE|EXECUTABLE|ADJUSTABLE|"
		  "LARGE_PAGE)", 0, "unknown" },
		{ "HvMapGpaPages", "0x2 0x200 0x8001",
		  "0x8001 (READABLE|ADJUSTABLE)", 0, "!" },
		{ "HvMapGpaPages", "0x2 0x200 0x10001",
		  "bits 0x10000 beyond READABLE, WRITABLE, EXECUTABLE, "
		  "ADJUSTABLE and LARGE_PAGE", 1, NULL },
		{ "HvMapGpaPages", "0x2 0x201 0x80000001 0x3000",
		  "MapFlags: LARGE_PAGE needs a 2 MiB-aligned TargetGpaBase", 1,
		  NULL },
		{ "HvMapGpaPages", "0x2 0x200 0x80000001 0x3001",
		  "SourceGpaPageList[0].GpaPageNumber: with LARGE_PAGE each "
		  "element is the first of 512 pages", 1, NULL },
		{ "HvUnmapGpaPages", "0x2 0x200 0x2", "0x2 (LARGE_PAGE)", 0,
		  "!" },
		{ "HvUnmapGpaPages", "0x2 0x300 0x2",
		  "UnmapFlags: LARGE_PAGE needs a 2 MiB-aligned TargetGpaBase",
		  1, NULL },
		{ "HvCallCreatePort", "0x1 0x20 0x2 0x4 0xffffffff00000005 0x0 "
		  "0x0", "4 (Doorbell)", 0, "!" },
		{ "HvCallConnectPort", "0x2 0x20 0x1 0x20 0x4 0xfeb00000 0x42 "
		  "0x80000003 0x0", "0x80000003 (SIZE_DWORD|ANY_VALUE)", 0, "!" },
		{ "HvCallConnectPort", "0x2 0x9 0x3 0x7 0x4 0x1002 0x0 0x3 0x0",
		  "ConnectionInfo.Flags: ConnectionInfo.Gpa 0x1002 is not "
		  "aligned to the 4-byte trigger", 1, NULL },
		{ "HvCallConnectPort", "0x2 0x9 0x3 0x7 0x4 0x1000 0x0 0x5 0x0",
		  "defined: a trigger size SIZE_ANY..SIZE_QWORD", 1, NULL },
		{ "HvDisconnectPort", "0x2 0x0000000100000020",
		  "@12    4  IsDoorbell                     1\n", 0, "reserved" },
		{ "HvCallSignalEventDirect", "0x2 0x0009000000000000", "TargetSint"
		  "                     0", 0, "!" },
		{ "HvCallSignalEventDirect", "0x2 0x0800030000000000",
		  "a SIEF slot has flags 0-2047", 1, NULL },
		{ "HvNotifyPortRingEmpty", "0x0", "SintIndex", 0, "!" },
		{ "HvGetPartitionProperty", "0x2 0x00060007", "(XsaveStates)", 0,
		  "!" },
		{ "HvGetPartitionProperty", "0x2 0x00090007",
		  "only HvCallGetPartitionPropertyEx reads it", 1, NULL },
		{ "HvCallGetPartitionPropertyEx", "0x2 0x00090007 0x0",
		  "(VmmCapabilities)", 0, "!" },
		{ "HvSetPartitionProperty", "0x2 0x00060007 0x3",
		  "PropertyCode: read-only (spec.md §4.3, §10) -> "
		  "HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE", 1, NULL },
		{ "HvGetVpRegisters", "0x2 0x0 0x0000000100030000",
		  "[1] InterceptSuspend", 0, "!" },
		{ "HvGetVpState", "0x2 0x0 0x0 0x0 0x0 0x2f00",
		  "VariableHeader: 1 element", 0, "not read" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[20] = { tool(), "decode", cases[i].call };
		char hex[256], *save = NULL;
		size_t k = 3;

		snprintf(hex, sizeof(hex), "%s", cases[i].hex);
		for (char *w = strtok_r(hex, " ", &save); w && k < 19;
		     w = strtok_r(NULL, " ", &save))
			argv[k++] = w;
		argv[k] = NULL;
		run_env(&r, NULL, NULL, NULL, argv);
		CHECK_MSG(r.status == cases[i].status, "%s %s: status %d\n%s",
			  cases[i].call, cases[i].hex, r.status, r.out);
		CHECK_MSG(strstr(r.out, cases[i].needle) != NULL,
			  "%s %s: want \"%s\" in\n%s", cases[i].call,
			  cases[i].hex, cases[i].needle, r.out);
		CHECK_MSG(!cases[i].not || !strstr(r.out, cases[i].not),
			  "%s %s: unexpected \"%s\" in\n%s", cases[i].call,
			  cases[i].hex, cases[i].not, r.out);
		run_free(&r);
	}
}

TEST(cli_decode_block_forms)
{
	struct run r;

	/* Bytes in memory order, separators allowed; a code for the call. */
	TOOL(&r, NULL, "decode", "0x0048", "02:00:00:00:00:00:00:00",
	     "1000000000000000", "11,00,00,00,00,00,00,00");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "HvDepositMemory (0x0048) input block, 24 bytes");
	CHECK_HAS(r.out, "GpaPageList: 2 elements of 8 bytes");
	CHECK_HAS(r.out, "[1] 0x11");
	run_free(&r);
	/* Standard input, as xxd -p prints; --reps and --start. */
	TOOL(&r, "0200000000000000\n1000000000000000 1100000000000000\n"
		 "1200000000000000\n", "decode", "--reps", "3", "--start", "1",
	     "HvDepositMemory", "-");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "GpaPageList: 2 elements");
	CHECK_HAS(r.out, "[1] 0x11");
	CHECK_HAS(r.out, "[2] 0x12");
	CHECK_LACKS(r.out, "[0] 0x10");
	run_free(&r);
	/* Output blocks: simple and rep. */
	TOOL(&r, NULL, "decode", "--output", "HvGetMemoryBalance", "0xc0", "0x10");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "PagesAvailable                 192");
	CHECK_HAS(r.out, "PagesInUse                     16");
	run_free(&r);
	TOOL(&r, NULL, "decode", "--output", "--start", "2", "HvWithdrawMemory",
	     "0x30", "0x31");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "[2] 0x30");
	CHECK_HAS(r.out, "[3] 0x31");
	run_free(&r);
	/* Register values shown by register; the payload as text. */
	TOOL(&r, NULL, "decode", "HvSetVpRegisters", "0x2", "0x0", "0x000A0002",
	     "0x0", "0x10030", "0x0", "0x00060001", "0x0", "0xffff0000",
	     "0x009bf0000000ffff");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "[0] Sint2=0x10030 (vector 0x30, masked)");
	CHECK_HAS(r.out, "[1] Cs=base 0xffff0000 limit 0xffff selector 0xf000 "
		  "attributes 0x9b");
	run_free(&r);
	TOOL(&r, NULL, "decode", "HvPostMessage", "0x9", "0x0000000500000001",
	     "0x6f6c6c6548");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "Payload                        \"Hello\"");
	run_free(&r);
	TOOL(&r, NULL, "decode", "--arm64", "HvCreatePartition", "0x2000", "0x0",
	     "0x0", "0x0", "0x0", "0x1");
	CHECK_EQ(r.status, 1);
	CHECK_HAS(r.out, "48 bytes (arm64 layout)");
	CHECK_HAS(r.out, "x64 flags, ignored on arm64");
	CHECK_HAS(r.out, "@40    8  IsolationProperties");
	run_free(&r);
	/* Malformed input: status 2. */
	static const char *const bad[][3] = {
		{ "HvCreatePartition", "0x1g", NULL },
		{ "HvCreatePartition", "123", NULL },
		{ "HvCreatePartition", "0x12345678901234567", NULL },
		{ "NoSuchCall", "00", NULL },
		{ "0x10000", "00", NULL },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		TOOL(&r, NULL, "decode", bad[i][0], bad[i][1]);
		CHECK_MSG(r.status == 2, "decode %s %s: %d", bad[i][0], bad[i][1],
			  r.status);
		run_free(&r);
	}
	/* A call outside the table has no layout. */
	TOOL(&r, NULL, "decode", "0x0099", "00000000");
	CHECK_EQ(r.status, 1);
	CHECK_HAS(r.err, "no layout");
	run_free(&r);
}

/* ---------------------------------------------------------------------- */
/* shell.                                                                  */

TEST(cli_shell_piped)
{
	struct run r;

	/* Not a terminal: no prompts; a failure is reported and the shell
	 * goes on; quit stops it. */
	TOOL(&r, "HvInitializePartition PartitionId=9\n"
		 "expect ACCESS_DENIED\n"
		 "set v=5\necho after $v\n"
		 "help HvDeleteVp\n"
		 "HvCreatePartition \\\n Flags=EXO_PARTITION\n"
		 "quit\necho not reached\n", "shell");
	CHECK_EQ(r.status, 0);
	CHECK_LACKS(r.out, "openhv>");
	CHECK_HAS(r.out, "HvInitializePartition                "
		  "HV_STATUS_INVALID_PARTITION_ID");
	CHECK_HAS(r.err, "<stdin>:2: expected HV_STATUS_ACCESS_DENIED, got "
		  "HV_STATUS_INVALID_PARTITION_ID");
	CHECK_HAS(r.out, "after 5\n");
	CHECK_HAS(r.out, "HvDeleteVp (0x004f), simple call");
	CHECK_HAS(r.out, "HvCreatePartition                    "
		  "HV_STATUS_INSUFFICIENT_MEMORY");
	CHECK_LACKS(r.out, "not reached");
	run_free(&r);
	TOOL(&r, NULL, "shell", "extra");
	CHECK_EQ(r.status, 2);
	run_free(&r);
}

/* decode and help STATUS inside the shell; help fits a screen, its topics
 * say the rest. */
TEST(cli_shell_decode_and_help)
{
	struct run r;

	TOOL(&r, "decode control 0x0000000000010046\n"
		 "decode HvGetMemoryBalance 0x2 0x0\n"
		 "decode status 6\n"
		 "decode HvGetMemoryBalance -\n"
		 "help HV_STATUS_INSUFFICIENT_MEMORY\n"
		 "help hv_status_access_denied\n"
		 "echo after\n", "shell");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "control word 0x0000000000010046");
	CHECK_HAS(r.out, "HvGetPartitionId (simple call)");
	CHECK_HAS(r.out, "HvGetMemoryBalance (0x004a) input block, 16 bytes");
	CHECK_HAS(r.out, "0x0006 HV_STATUS_ACCESS_DENIED\n");
	CHECK_HAS(r.out, "0x000b HV_STATUS_INSUFFICIENT_MEMORY\n  the pool that "
		  "pays for the object is short");
	CHECK_HAS(r.err, "- reads standard input only in `openhv decode`");
	CHECK_HAS(r.out, "after\n");
	CHECK_LACKS(r.err, "unknown command");
	run_free(&r);

	/* The overview fits a screen; each topic it names works. */
	TOOL(&r, "help\nhelp decode\n", "shell");
	CHECK_EQ(r.status, 0);
	char *decode = strstr(r.out, "  decode control|result|status");

	REQUIRE(decode != NULL);
	*decode = 0;
	CHECK_MSG(count(r.out, "\n") <= 24, "help is %zu lines:\n%s",
		  count(r.out, "\n"), r.out);
	run_free(&r);
	static const struct {
		const char *topic, *needle;
	} topics[] = {
		{ "calls", "HvCallConnectPort            0x0096" },
		{ "calls", "HvCallGetPartitionPropertyEx 0x0101" },
		{ "helpers", "partition destroy PARTITION" },
		{ "statements", "decode control|result|status" },
		{ "values", "alloc(N[,NODE])" },
		{ "modifiers", "@OFFSET[:SIZE]=VALUE" },
		{ "registers", "Rip                         0x00020010" },
		{ "registers", "InterceptSuspend            0x00000001" },
		{ "properties", "VmmCapabilities                  0x00090007  "
		  "HvCallGetPartitionPropertyEx only" },
		{ "HV_STATUS_INVALID_VP_INDEX", "0x000e HV_STATUS_INVALID_VP_INDEX" },
		{ "decode", "usage: openhv decode" },
	};
	for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
		TOOL(&r, NULL, "help", topics[i].topic);
		CHECK_MSG(r.status == 0, "help %s: %d", topics[i].topic, r.status);
		CHECK_HAS(r.out, topics[i].needle);
		run_free(&r);
	}
	TOOL(&r, NULL, "help", "HV_STATUS_NO_SUCH");
	CHECK_EQ(r.status, 2);
	run_free(&r);
}

/* What Tab offers, through the `complete` statement: commands, fields,
 * constants, $variables, register names after Names= and Registers=. */
TEST(cli_completions)
{
	static const struct {
		const char *line;
		const char *want;	/* words, each followed by \n */
		const char *not;	/* a word that must not be offered */
	} cases[] = {
		{ "dec", "decode\n", NULL },
		{ "partition ", NULL, NULL },
		{ "HvGetMemoryBal", "HvGetMemoryBalance\n", NULL },
		{ "HvGetMemoryBalance Parti", "PartitionId=\n", NULL },
		{ "HvGetMemoryBalance PartitionId=S", "PartitionId=SELF\n", NULL },
		{ "HvCreatePartition Flags=EXO_PARTITION|LAP",
		  "Flags=EXO_PARTITION|LAPIC_ENABLED\n", NULL },
		{ "HvGetVpRegisters PartitionId=2 VpIndex=0 Names=",
		  "Names=Rip\nNames=Rflags\n", "Names=DispatchSuspend" },
		{ "HvGetVpRegisters Names=Inter", "Names=InterceptSuspend\n"
		  "Names=InternalActivityState\nNames=InterruptState\n", NULL },
		{ "HvMapGpaPages MapFlags=RWX|ADJ", "MapFlags=RWX|ADJUSTABLE\n",
		  NULL },
		{ "HvUnmapGpaPages UnmapFlags=", "UnmapFlags=LARGE_PAGE\n", NULL },
		{ "HvCallCreatePort PortInfo.PortType=D",
		  "PortInfo.PortType=Doorbell\n", NULL },
		{ "HvCallConnectPort ConnectionInfo.Flags=SIZE_DWORD|A",
		  "ConnectionInfo.Flags=SIZE_DWORD|ANY_VALUE\n", NULL },
		{ "HvDisconnectPort IsD", "IsDoorbell=\n", NULL },
		{ "HvGetVpRegisters Names=Rip,Si", "Names=Rip,Simp\n",
		  "Names=Rip,Rip" },
		{ "HvSetVpRegisters Reg", "Registers=\n", NULL },
		{ "HvSetVpRegisters Registers=Rip=0x2000,Ef",
		  "Registers=Rip=0x2000,Efer=\n", NULL },
		{ "HvSetVpRegisters Registers=Rip=0x20", NULL, "Registers=Rip=0x20" },
		{ "HvSetVpRegisters Ri", "Rip=\n", NULL },
		{ "echo $my", "$myvar\n", NULL },
	};
	char script[4096] = "set myvar=1\n";
	size_t at = strlen(script);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		at += (size_t)snprintf(script + at, sizeof(script) - at,
				       "echo --- %zu\ncomplete \"%s\"\n", i,
				       cases[i].line);
	snprintf(script + at, sizeof(script) - at, "echo --- end\n");

	struct run r;

	TOOL(&r, script, "run", "-");
	CHECK_MSG(r.status == 0, "%s", r.err);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char head[32], *from, *to;

		snprintf(head, sizeof(head), "--- %zu\n", i);
		from = strstr(r.out, head);
		REQUIRE(from != NULL);
		from += strlen(head);
		to = strstr(from, "---");
		REQUIRE(to != NULL);
		*to = 0;
		if (cases[i].want)
			CHECK_MSG(strstr(from, cases[i].want) != NULL,
				  "complete \"%s\": want\n%s\ngot\n%s", cases[i].line,
				  cases[i].want, from);
		else if (!cases[i].not)
			CHECK_MSG(!*from, "complete \"%s\": want nothing, got\n%s",
				  cases[i].line, from);
		if (cases[i].not)
			CHECK_MSG(strstr(from, cases[i].not) == NULL,
				  "complete \"%s\": offers %s", cases[i].line,
				  cases[i].not);
		*to = '-';
	}
	run_free(&r);
}

/* Registers= takes the registers Tab offers there, as Name=value words. */
TEST(cli_registers_list)
{
	struct run r;

	TOOL(&r, "HvSetVpRegisters PartitionId=SELF VpIndex=0 "
		 "Registers=Rip=0x2000,HvX64RegisterRax=5 Rbx=7\n"
		 "HvGetVpRegisters PartitionId=SELF VpIndex=0 Names=Rip,Rax,Rbx "
		 "-> rip, rax, rbx\n"
		 "echo $rip $rax $rbx\n"
		 "HvSetVpRegisters PartitionId=SELF VpIndex=0 Registers=Rip\n",
	     "--backend", "null", "run", "-");
	CHECK_EQ(r.status, 2);
	CHECK_HAS(r.out, "HvSetVpRegisters 3@0");
	CHECK_HAS(r.out, "Values=Rip=0x2000,Rax=0x5,Rbx=0x7");
	CHECK_HAS(r.out, "0x2000 0x5 0x7\n");
	CHECK_HAS(r.err, "<stdin>:4: Registers=: 'Rip' is not Name=value");
	run_free(&r);
}

/* A name and its code, as `help registers` and `help properties` list
 * them. */
struct listed {
	char name[48];
	uint32_t code;
	char how[64];		/* the rest of the line, for properties */
};

/* The "  Name  0x00020010" pairs of text before end (NULL: all of it),
 * one or more a line; at most max. */
static size_t listed(const char *text, const char *end, struct listed *out,
		     size_t max)
{
	size_t n = 0;

	for (const char *p = strstr(text, "\n  "); p && (!end || p < end) &&
	     n < max; p = strstr(p + 1, "\n  ")) {
		for (const char *w = p + 1; *w == ' ' && n < max;) {
			char name[48], code[16];
			int used = 0;

			if (sscanf(w, " %47s %15s%n", name, code, &used) != 2 ||
			    strncmp(code, "0x", 2))
				break;
			snprintf(out[n].name, sizeof(out[n].name), "%s", name);
			out[n].code = (uint32_t)strtoul(code, NULL, 16);
			out[n].how[0] = 0;
			sscanf(w + used, "  %63[^\n]", out[n].how);
			n++;
			w += used;
			if (strncmp(w, "  ", 2) || !isalpha((unsigned char)w[2]))
				break;
		}
	}
	return n;
}

/* The register names the tool knows are the ones docs/scenario.md lists. */
TEST(cli_registers_documented)
{
	struct listed *regs = calloc(256, sizeof(*regs));
	char path[512], *doc, *cut;
	struct run r;
	long len;
	size_t n;

	REQUIRE(regs != NULL);
	snprintf(path, sizeof(path), "%s/docs/scenario.md", srcdir());
	doc = slurp(path, &len);
	TOOL(&r, NULL, "help", "registers");
	CHECK_EQ(r.status, 0);
	cut = strstr(r.out, "does not implement");
	REQUIRE(cut != NULL);
	/* "  Rip   0x00020010": every implemented name, the full x64 set of
	 * spec.md §7. */
	n = listed(r.out, cut, regs, 256);
	for (size_t i = 0; i < n; i++) {
		char want[64];

		snprintf(want, sizeof(want), "`%s`", regs[i].name);
		CHECK_MSG(strstr(doc, want) != NULL, "docs/scenario.md does not "
			  "list %s", want);
	}
	CHECK_MSG(n >= 114, "%zu registers in help registers", n);
	CHECK_LACKS(doc, "`InterceptSuspend` and `DispatchSuspend` are TLFS "
		    "names openhv does not");
	run_free(&r);
	free(doc);
	free(regs);
}

/* The register names the tool calls implemented are the ones the library
 * takes: HvGetVpRegisters of each succeeds, of each name it calls not
 * implemented fails, and no code around them that the library takes is
 * missing from its list. */
TEST(cli_registers_agree_with_library)
{
	struct listed *impl = calloc(256, sizeof(*impl));
	struct listed none[16];
	struct run r;
	char *cut;
	size_t ni, nn;
	uint64_t next = T_FIRST_FREE_PAGE, v;

	REQUIRE(impl != NULL);
	TOOL(&r, NULL, "help", "registers");
	REQUIRE(r.status == 0);
	cut = strstr(r.out, "does not implement");
	REQUIRE(cut != NULL);
	ni = listed(r.out, cut, impl, 256);
	nn = listed(cut, NULL, none, 16);
	REQUIRE(ni >= 100 && nn >= 1);
	run_free(&r);

	struct ohv *hv = t_open(NULL);
	uint64_t c = t_runnable_child(hv, &next, 0);

	for (size_t i = 0; i < ni; i++) {
		hv_status_t st = t_get_reg64(hv, T_ROOT, c, 0, impl[i].code, &v);

		CHECK_MSG(st == HV_STATUS_SUCCESS, "%s 0x%08" PRIx32 ": %s",
			  impl[i].name, impl[i].code, ohv_status_name(st));
	}
	for (size_t i = 0; i < nn; i++) {
		hv_status_t st = t_get_reg64(hv, T_ROOT, c, 0, none[i].code, &v);

		CHECK_MSG(st == HV_STATUS_INVALID_PARAMETER, "%s 0x%08" PRIx32
			  ": %s", none[i].name, none[i].code, ohv_status_name(st));
	}
	/* Register classes 0x0000-0x000A (hvgdk_mini.h), 512 codes each. */
	for (uint32_t hi = 0; hi <= 0xA; hi++) {
		for (uint32_t lo = 0; lo < 0x200; lo++) {
			uint32_t code = hi << 16 | lo;
			bool found = false;

			if (t_get_reg64(hv, T_ROOT, c, 0, code, &v) !=
			    HV_STATUS_SUCCESS)
				continue;
			for (size_t i = 0; i < ni; i++)
				found |= impl[i].code == code;
			CHECK_MSG(found, "the library takes register 0x%08" PRIx32
				  "; help registers does not list it", code);
		}
	}
	t_close(hv);
	free(impl);
}

/* Likewise the partition properties: `help properties` says which calls
 * take each code, and the library answers so. */
TEST(cli_properties_agree_with_library)
{
	struct listed props[64];
	struct run r;
	char *cut;
	size_t n, nn;
	uint64_t next = T_FIRST_FREE_PAGE;

	TOOL(&r, NULL, "help", "properties");
	REQUIRE(r.status == 0);
	cut = strstr(r.out, "does not implement");
	REQUIRE(cut != NULL);
	n = listed(r.out, cut, props, 64);
	nn = listed(cut, NULL, props + n, 64 - n);
	REQUIRE(n >= 19 && nn >= 5);
	run_free(&r);

	struct ohv *hv = t_open(NULL);
	uint64_t c = t_active_child(hv, &next);
	uint64_t u = t_new_child(hv, &next);
	static struct hv_output_get_partition_property_ex out;

	for (size_t i = 0; i < n + nn; i++) {
		const struct listed *p = &props[i];
		bool rw = i < n && !strcmp(p->how, "get, set");
		bool ro = i < n && !strcmp(p->how, "get (read-only)");
		bool ex = i < n && !strcmp(p->how,
					   "HvCallGetPartitionPropertyEx only");
		struct hv_input_get_partition_property_ex in = {
			.partition_id = c, .property_code = p->code,
		};
		uint64_t value = 0, res;
		hv_status_t st;

		CHECK_MSG(i >= n || rw || ro || ex, "%s: '%s'", p->name, p->how);
		st = t_get_property(hv, c, p->code, &value);
		CHECK_MSG(st == (rw || ro ? HV_STATUS_SUCCESS :
				 HV_STATUS_UNKNOWN_PROPERTY), "get %s: %s",
			  p->name, ohv_status_name(st));
		res = t_mem(hv, T_ROOT, ohv_control(HVCALL_GET_PARTITION_PROPERTY_EX,
						     0, 0, 0),
			    &in, sizeof(in), &out, sizeof(out));
		CHECK_MSG(ohv_result_status(res) == (i < n ? HV_STATUS_SUCCESS :
						     HV_STATUS_UNKNOWN_PROPERTY),
			  "get ex %s: %s", p->name,
			  ohv_status_name(ohv_result_status(res)));
		/* Set what it holds: read-only ones refuse, the others take
		 * it while Active or, early ones, while Uninitialized. */
		st = t_set_property(hv, c, p->code, value);
		if (rw && st == HV_STATUS_INVALID_PARTITION_STATE &&
		    t_get_property(hv, u, p->code, &value) == HV_STATUS_SUCCESS)
			st = t_set_property(hv, u, p->code, value);
		CHECK_MSG(st == (rw ? HV_STATUS_SUCCESS : ro ?
				 HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE :
				 HV_STATUS_UNKNOWN_PROPERTY), "set %s: %s",
			  p->name, ohv_status_name(st));
	}
	/* Property classes 1-9, 64 codes each: what the library reads is
	 * listed, as the call that read it. */
	for (uint32_t hi = 1; hi <= 9; hi++) {
		for (uint32_t lo = 0; lo < 0x40; lo++) {
			uint32_t code = hi << 16 | lo;
			struct hv_input_get_partition_property_ex in = {
				.partition_id = c, .property_code = code,
			};
			const struct listed *p = NULL;
			uint64_t value;
			bool get = t_get_property(hv, c, code, &value) ==
				HV_STATUS_SUCCESS;
			bool ex = ohv_result_status(t_mem(hv, T_ROOT,
				ohv_control(HVCALL_GET_PARTITION_PROPERTY_EX, 0, 0, 0),
				&in, sizeof(in), &out, sizeof(out))) ==
				HV_STATUS_SUCCESS;

			for (size_t i = 0; i < n; i++)
				if (props[i].code == code)
					p = &props[i];
			if (get)
				CHECK_MSG(p && strncmp(p->how, "get", 3) == 0,
					  "the library reads property 0x%08" PRIx32
					  "; help properties says %s", code,
					  p ? p->how : "nothing");
			if (ex)
				CHECK_MSG(p != NULL, "HvCallGetPartitionPropertyEx "
					  "reads property 0x%08" PRIx32 "; help "
					  "properties does not list it", code);
		}
	}
	t_close(hv);
}

/* Notes under a call line name the status the call answered: none under
 * a call that succeeds, in every example (the Linux ones among them). */
TEST(cli_examples_notes_match_statuses)
{
	char dir[512];
	DIR *d;
	struct dirent *e;
	unsigned n = 0;

	snprintf(dir, sizeof(dir), "%s/examples", srcdir());
	d = opendir(dir);
	REQUIRE(d != NULL);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char path[1024], status[64] = "";
		struct run r;

		if (len < 5 || strcmp(e->d_name + len - 4, ".ohv"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		TOOL(&r, NULL, "run", path);
		CHECK_MSG(r.status == 0, "%s: status %d\n%s", e->d_name,
			  r.status, r.err);
		for (char *line = r.out; line && *line;) {
			char *nl = strchr(line, '\n'), *st;

			if (nl)
				*nl = 0;
			/* "   41  HvMapGpaPages 1@0   HV_STATUS_X  reps 0" */
			if (isdigit((unsigned char)line[strspn(line, " ")]) &&
			    (st = strstr(line, " HV_STATUS_")))
				sscanf(st, " %63s", status);
			/* "         ! Field: why -> HV_STATUS_Y" */
			if (!strncmp(line + strspn(line, " "), "! ", 2) &&
			    (st = strstr(line, "-> HV_STATUS_"))) {
				CHECK_MSG(!strcmp(st + 3, status), "%s: a call "
					  "answering %s has the note\n%s",
					  e->d_name, status, line);
				n++;
			}
			line = nl ? nl + 1 : NULL;
		}
		run_free(&r);
	}
	closedir(d);
	CHECK_MSG(n >= 10, "%u notes in the examples", n);
}

/* The Linux root's wider surface by name (spec.md §10): the flags as
 * constants, the full register set, doorbells, direct delivery, one-byte
 * access states captured as such (a capture once read 8 bytes of each),
 * payload lengths that follow the payload, HvGetVpState named by the
 * state asked, and not one note, every call succeeding. */
TEST(cli_linux_surface)
{
	struct run r;

	scenario(&r, "linux.ohv",
		 "set start=rootfree()\n"
		 "partition new -> vm\n"
		 "vp new $vm 0\n"
		 "set a=LARGE_PAGE b=HV_UNMAP_GPA_LARGE_PAGE c=SIZE_QWORD|ANY_VALUE\n"
		 "set d=ADJUSTABLE e=HV_X64_REGISTER_KERNEL_GS_BASE\n"
		 "set f=HvPartitionPropertyXsaveStates g=Doorbell\n"
		 "echo names $a $b $c $d $e $f $g\n"
		 "HvMapGpaPages TargetPartitionId=$vm TargetGpaBase=0x200 \\\n"
		 "    MapFlags=RWX|ADJUSTABLE|LARGE_PAGE SourceGpaPageList=0x3000\n"
		 "map $vm 0x10 4 flags=RW|ADJUSTABLE\n"
		 /* ByteCount follows Data. */
		 "HvWriteGpa PartitionId=$vm VpIndex=0 BaseGpa=gpa(0x11) "
		 "Data=\"dirty\"\n"
		 "HvReadGpa PartitionId=$vm VpIndex=0 ByteCount=5 "
		 "BaseGpa=gpa(0x11) -> result, data\n"
		 "assert $data == 0x7974726964\n"
		 "HvGetGpaPagesAccessStates PartitionId=$vm GpaPageNumber=0x10 "
		 "reps=3 -> s0, s1, s2\n"
		 "assert $s0 == 0\nassert $s1 == 3\nassert $s2 == 0\n"
		 "HvUnmapGpaPages TargetPartitionId=$vm TargetGpaBase=0x200 "
		 "UnmapFlags=LARGE_PAGE reps=1\n"
		 "HvSetVpRegisters PartitionId=$vm VpIndex=0 InterceptSuspend=1 "
		 "KernelGsBase=0x1234 Xmm1=5:6 Dr7=0x400\n"
		 "HvGetVpRegisters PartitionId=$vm VpIndex=0 "
		 "Names=InterceptSuspend,KernelGsBase,Xmm1,Dr7 -> is, kgs, xmm, dr7\n"
		 "assert $is == 1\nassert $kgs == 0x1234\nassert $xmm == 5\n"
		 "HvSetVpRegisters PartitionId=$vm VpIndex=0 InterceptSuspend=0 "
		 "ExplicitSuspend=0\n"
		 "HvMapGpaPages TargetPartitionId=$vm TargetGpaBase=0x20 "
		 "MapFlags=RW SourceGpaPageList=0x2F00\n"
		 "HvGetVpState PartitionId=$vm VpIndex=0 StateData.Type=0 "
		 "varhead=1 @40=0x2F00 -> lapic\n"
		 "assert $lapic == 0x2F00\n"
		 "HvGetVpState PartitionId=$vm VpIndex=0 StateData.Type=4\n"
		 "HvUnmapGpaPages TargetPartitionId=$vm TargetGpaBase=0x20 reps=1\n"
		 "HvDepositMemory PartitionId=SELF GpaPageList=alloc(2)\n"
		 "HvCallCreatePort PortPartition=$root PortId=0x20 "
		 "ConnectionPartition=$vm PortInfo.PortType=Doorbell "
		 "PortInfo.TargetSint=5 PortInfo.TargetVp=ANY\n"
		 "HvCallConnectPort ConnectionPartition=$vm ConnectionId=0x20 "
		 "PortPartition=$root PortId=0x20 ConnectionInfo.PortType=Doorbell "
		 "ConnectionInfo.Gpa=0xFEB00000 "
		 "ConnectionInfo.Flags=SIZE_DWORD|ANY_VALUE\n"
		 "show\n"
		 "HvDisconnectPort ConnectionPartition=$vm ConnectionId=0x20 "
		 "IsDoorbell=1 fast\n"
		 "HvDeletePort PortPartition=$root PortId=0x20 fast\n"
		 /* Message.PayloadSize follows the payload unless given. */
		 "synic on $vm vp=0 simp=0x12 siefp=0x13 sints=0,2\n"
		 "HvCallPostMessageDirect PartitionId=$vm VpIndex=0 SintIndex=2 "
		 "Message.MessageType=0x42 Message.Payload=\"hello\"\n"
		 "message $vm vp=0 page=0x12 sint=2 clear -> type, size\n"
		 "assert $size == 5\n"
		 "HvCallPostMessageDirect PartitionId=$vm VpIndex=0 SintIndex=0 "
		 "Message.MessageType=0x43 Message.PayloadSize=2 "
		 "Message.Payload=\"hello\"\n"
		 "message $vm vp=0 page=0x12 sint=0 clear -> type, size\n"
		 "assert $size == 2\n"
		 "HvCallSignalEventDirect TargetPartition=$vm TargetVp=0 "
		 "TargetSint=0 FlagNumber=2047 -> newly\n"
		 "assert $newly == 1\n"
		 "HvUnmapGpaPages TargetPartitionId=$vm TargetGpaBase=0x10 reps=4\n"
		 "partition destroy $vm\n"
		 "withdraw SELF all\n"
		 "assert rootfree() == $start\n", NULL);
	CHECK_MSG(r.status == 0, "%s%s", r.out, r.err);
	CHECK_LACKS(r.out, "! ");
	/* set keeps decimal: 0x80000000 0x2 0x80000004 0x8000 0x80002
	 * 0x60007 4. */
	CHECK_HAS(r.out, "names 2147483648 2 2147483652 32768 524290 393223 "
		  "4\n");
	CHECK_HAS(r.out, "Data=\"dirty\"");
	CHECK_HAS(r.out, "AccessStates=0x0,0x3,0x0");
	CHECK_HAS(r.out, "Values=InterceptSuspend=0x1 (suspended),"
		  "KernelGsBase=0x1234,Xmm1=0x5 high 0x6,Dr7=0x400");
	CHECK_HAS(r.out, "HV_STATUS_SUCCESS  LapicState=in page 0x2f00\n");
	CHECK_HAS(r.out, "HV_STATUS_SUCCESS  SyntheticTimersState=0x0\n");
	CHECK_HAS(r.out, "port 32: Doorbell, SINT 5, VP ANY; for partition 2, "
		  "connected (its connection 32)");
	CHECK_HAS(r.out, "connection 32: to port 32 of partition 1 (a doorbell)");
	CHECK_HAS(r.out, "PayloadSize 5 MessageFlags 0x0 Port 0 Payload "
		  "\"hello\"");
	run_free(&r);

	/* With -v the inputs show the flags by name. */
	TOOL(&r, "partition new -> vm\n"
		 "HvMapGpaPages TargetPartitionId=$vm TargetGpaBase=0x200 "
		 "MapFlags=R|ADJUSTABLE|LARGE_PAGE SourceGpaPageList=0x3000\n"
		 "HvUnmapGpaPages TargetPartitionId=$vm TargetGpaBase=0x200 "
		 "UnmapFlags=LARGE_PAGE reps=1\n"
		 "partition destroy $vm\n", "run", "-v", "-");
	CHECK_MSG(r.status == 0, "%s", r.err);
	CHECK_HAS(r.out, "MapFlags=0x80008001 (READABLE|ADJUSTABLE|LARGE_PAGE)");
	CHECK_HAS(r.out, "UnmapFlags=0x2 (LARGE_PAGE)");
	run_free(&r);
}

/* The calls docs/scenario.md lists are the tool's, every one. */
TEST(cli_calls_documented)
{
	char path[512], *doc;
	struct run r;
	long len;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/docs/scenario.md", srcdir());
	doc = slurp(path, &len);
	TOOL(&r, NULL, "help", "calls");
	CHECK_EQ(r.status, 0);
	for (char *p = strstr(r.out, "\n  Hv"); p; p = strstr(p + 1, "\n  Hv")) {
		char name[64], want[80];

		if (sscanf(p, " %63s", name) != 1)
			continue;
		snprintf(want, sizeof(want), "| `%s`", name);
		CHECK_MSG(strstr(doc, want) != NULL, "docs/scenario.md's call "
			  "tables lack %s", name);
		n++;
	}
	CHECK_EQ(n, ohv_call_count());
	run_free(&r);
	free(doc);
}

/* A scenario's output is the same, byte for byte, run after run (the time
 * budget's invocation counts show only with -v). */
TEST(cli_output_reproducible)
{
	static const char *const files[] = { "lifecycle.ohv", "nested.ohv",
					     "ports.ohv" };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		struct run a, b;

		snprintf(path, sizeof(path), "%s/examples/%s", srcdir(), files[i]);
		TOOL(&a, NULL, "run", path);
		TOOL(&b, NULL, "run", path);
		CHECK_MSG(a.status == 0 && b.status == 0, "%s: %d %d", files[i],
			  a.status, b.status);
		CHECK_MSG(a.out_len == b.out_len &&
			  !memcmp(a.out, b.out, a.out_len), "%s differs:\n%s\n"
			  "---\n%s", files[i], a.out, b.out);
		CHECK_LACKS(a.out, "invocations");
		run_free(&a);
		run_free(&b);
	}
}

/* Read from the pty until needle appears after *from (or time runs out). */
static bool pty_wait(int fd, char **buf, size_t *len, size_t *from,
		     const char *needle)
{
	time_t end = time(NULL) + 20;

	for (;;) {
		char *hit = strstr(*buf + *from, needle);

		if (hit) {
			*from = (size_t)(hit - *buf) + strlen(needle);
			return true;
		}
		if (time(NULL) > end)
			return false;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char chunk[1024];

		if (poll(&p, 1, 1000) <= 0)
			continue;
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n <= 0)
			return false;
		append(buf, len, chunk, (size_t)n);
	}
}

static void pty_send(int fd, const char *keys)
{
	size_t n = strlen(keys);

	while (n) {
		ssize_t k = write(fd, keys, n);

		REQUIRE(k > 0);
		keys += k;
		n -= (size_t)k;
	}
}

/* The line editor (libedit) on a pseudo-terminal: cursor keys, Home,
 * backspace, history, Tab completion, Ctrl-C, Ctrl-D. */
TEST(cli_shell_terminal)
{
	const char *t = tool();
	struct run help;

	TOOL(&help, NULL, "shell", "--help");
	bool editor = strstr(help.out, "edited with libedit") != NULL;

	run_free(&help);
	if (!editor)
		SKIP("built without libedit: no line editor to try");
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	char *out = calloc(1, 1);
	size_t len = 0, from = 0;
	pid_t pid;

	if (master < 0)
		SKIP("no pseudo-terminals here: %s", strerror(errno));
	REQUIRE(grantpt(master) == 0 && unlockpt(master) == 0);
	const char *slave = ptsname(master);

	REQUIRE(slave != NULL && out != NULL);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		int fd;

		setsid();
		fd = open(slave, O_RDWR);
		if (fd < 0)
			_exit(126);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		/* The null backend: what is tested is the line editor. */
		execl(t, t, "--backend", "null", "shell", (char *)NULL);
		_exit(127);
	}
	/* Each step waits for the prompt, then types. */
	static const struct {
		const char *keys;
		const char *expect;	/* in the output, before the prompt */
	} steps[] = {
		{ "set v=5\r", NULL },
		/* Left twice, insert: "echo R$v" becomes "echo RS$v". */
		{ "echo R$v\x1b[D\x1b[DS\r", "RS5\r\n" },
		/* Up: the same line again. */
		{ "\x1b[A\r", "RS5\r\n" },
		/* Backspace. */
		{ "echo B$vv\x7f\r", "B5\r\n" },
		/* Home (ESC [ H) and Ctrl-A, End (ESC [ F). */
		{ "cho H$v\x1b[He\r", "H5\r\n" },
		{ "cho A$v\x01" "e\x1b[F!\r", "A5!\r\n" },
		/* Delete (ESC [ 3 ~) and Ctrl-K. */
		{ "echo D$v\x01\x1b[C\x1b[C\x1b[C\x1b[C\x1b[C\x1b[3~\r", "5\r\n" },
		/* Tab completes a call name; the capture works. */
		{ "HvGetPartitionI\t-> me\r", "PartitionId=1" },
		{ "echo M$me\r", "M1\r\n" },
		/* Tab completes a field, then a constant of its kind. */
		{ "HvGetMemoryBalance Parti\tSE\t\r", "PagesAvailable=0" },
		/* Ctrl-C drops the line. */
		{ "garbage\x03" "echo C$v\r", "C5\r\n" },
		/* Ctrl-U and Ctrl-W. */
		{ "junk junk\x15" "echo U$v junk\x17\r", "U5\r\n" },
		/* Register names after Registers= and Names=. */
		{ "HvSetVpRegisters PartitionId=SELF VpIndex=0 Registers=Efe\t"
		  "0x500\r", "HvSetVpRegisters 1@0" },
		{ "HvGetVpRegisters PartitionId=SELF VpIndex=0 Names=Ef\t\r",
		  "Values=Efer=0x500" },
	};
	bool ok = pty_wait(master, &out, &len, &from, "openhv> ");

	CHECK_MSG(ok, "no first prompt; got:\n%s", out);
	for (size_t i = 0; ok && i < sizeof(steps) / sizeof(steps[0]); i++) {
		pty_send(master, steps[i].keys);
		if (steps[i].expect) {
			ok = pty_wait(master, &out, &len, &from, steps[i].expect);
			CHECK_MSG(ok, "step %zu: no \"%s\" in:\n%s", i,
				  steps[i].expect, out);
		}
		ok = ok && pty_wait(master, &out, &len, &from, "openhv> ");
		CHECK_MSG(ok, "step %zu: no prompt after it:\n%s", i, out);
	}
	CHECK(count(out, "RS5\r\n") == 2);
	CHECK_LACKS(out, "unknown command 'garbage");
	/* Ctrl-D on an empty line leaves. */
	pty_send(master, "\x04");
	int status = -1;

	for (int k = 0; k < 200 && waitpid(pid, &status, WNOHANG) == 0; k++) {
		char chunk[256];
		struct pollfd p = { .fd = master, .events = POLLIN };

		if (poll(&p, 1, 50) > 0 && read(master, chunk, sizeof(chunk)) < 0)
			break;
	}
	if (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "shell status 0x%x after Ctrl-D; the terminal:\n%s", status,
		  out);
	close(master);
	free(out);
}

/* ---------------------------------------------------------------------- */
/* show, costs, demo.                                                      */

TEST(cli_show)
{
	char dir[64], path[256];
	struct run r;

	TOOL(&r, NULL, "show");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "partition 1 (root)  Active  depth 1");
	CHECK_HAS(r.out, "pool 0 available, 0 in use");
	CHECK_HAS(r.out, "VP 0 running");
	CHECK_LACKS(r.out, "partition 2");
	run_free(&r);

	scratch(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/tree.ohv", dir);
	write_file(path,
		   "partition new PrivilegeFlags=0x5FF|CreatePartitions -> a\n"
		   "partition new uninitialized -> b\n"
		   "vp new $a 0\nvp start $a 0\nvp new $a 1\n"
		   "as $a HvCreatePartition fast -> g\n"
		   "deposit SELF 2\n"
		   "HvCallCreatePort PortPartition=$a PortId=4 "
		   "ConnectionPartition=$root PortInfo.PortType=Message "
		   "PortInfo.TargetSint=1 PortInfo.TargetVp=ANY\n"
		   "HvCallConnectPort ConnectionPartition=SELF ConnectionId=6 "
		   "PortPartition=$a PortId=4 ConnectionInfo.PortType=Message\n");
	TOOL(&r, NULL, "show", path);
	CHECK_MSG(r.status == 0, "%s", r.err);
	/* The calls are not printed; the tree is. */
	CHECK_LACKS(r.out, "HvCreatePartition");
	CHECK_HAS(r.out, "+- partition 2  Active  depth 2");
	CHECK_HAS(r.out, "|  `- partition 4  Uninitialized  depth 3");
	CHECK_HAS(r.out, "`- partition 3  Uninitialized  depth 2");
	CHECK_HAS(r.out, "VP 0 running");
	CHECK_HAS(r.out, "VP 1 suspended");
	CHECK_HAS(r.out, "port 4: Message, SINT 1, VP ANY; for partition 1, "
		  "connected (its connection 6)");
	CHECK_HAS(r.out, "connection 6: to port 4 of partition 2");
	CHECK_HAS(r.out, "privileges 0x1000005ff");
	run_free(&r);

	/* A failing scenario still shows its tree, and fails. */
	write_file(path, "partition new -> a\nassert 0\n");
	TOOL(&r, NULL, "show", path);
	CHECK_EQ(r.status, 1);
	CHECK_HAS(r.out, "partition 2  Active");
	CHECK_HAS(r.err, "tree.ohv:2: assertion failed");
	run_free(&r);
	rmtree(dir);
}

TEST(cli_costs)
{
	struct run r;

	TOOL(&r, NULL, "costs");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "partition (at HvCreatePartition)           1  the "
		  "creator's pool");
	CHECK_HAS(r.out, "HvInitializePartition                     16");
	CHECK_HAS(r.out, "virtual processor (HvCreateVp)             8");
	CHECK_HAS(r.out, "port + 16 message buffers                  2");
	CHECK_HAS(r.out, "connection                                 1");
	CHECK_HAS(r.out, "208 pages before");
	CHECK_HAS(r.out, "x64, 16384 pages");
	run_free(&r);
	TOOL(&r, NULL, "costs", "--arm64", "--numa", "4");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "arm64, 16384 pages of 4 KiB, 4 NUMA nodes");
	run_free(&r);
	TOOL(&r, NULL, "costs", "file.ohv");
	CHECK_EQ(r.status, 2);
	run_free(&r);
}

TEST(cli_demo)
{
	struct run r;

	TOOL(&r, NULL, "demo", "--partitions", "1");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "HvCreatePartition       0x0040  mem");
	CHECK_HAS(r.out, "in  PartitionId=SELF  GpaPageList[1]=");
	CHECK_HAS(r.out, "Every page is back where it started.");
	run_free(&r);
	TOOL(&r, NULL, "demo", "--partitions", "0");
	CHECK_EQ(r.status, 2);
	run_free(&r);
}

/* ---------------------------------------------------------------------- */
/* Packaging: make install into a temporary prefix, a program built with   */
/* pkg-config against it.                                                  */

static bool on_path(const char *prog)
{
	const char *argv[] = { "sh", "-c", "command -v \"$0\"", prog, NULL };
	struct run r;
	bool ok;

	run_env(&r, NULL, NULL, NULL, argv);
	ok = r.status == 0;
	run_free(&r);
	return ok;
}

static bool exists(const char *dir, const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return !lstat(path, &st);
}

TEST(cli_install_and_pkg_config)
{
	const char *src = srcdir(), *build = builddir();
	const char *cc = getenv("OHV_CC"), *make = getenv("OHV_MAKE");
	char prefix[64], o[PATH_MAX + 8], p[600], ccarg[300], pcpath[600];
	char libpath[600];
	char prog[600];
	struct run r;

	if (!on_path("pkg-config"))
		SKIP("pkg-config is not installed (scripts/deps installs it)");
	if (!cc || !*cc)
		cc = "cc";
	if (!make || !*make)
		make = "make";
	scratch(prefix, sizeof(prefix));
	snprintf(o, sizeof(o), "O=%s", build);
	snprintf(p, sizeof(p), "PREFIX=%s", prefix);
	snprintf(ccarg, sizeof(ccarg), "CC=%s", cc);
	/* A make of our own: not the jobserver of the make running us. */
	static const char *const clean_env[] = {
		"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", NULL,
	};
	{
		const char *argv[] = { make, "-s", "-C", src, o, p, ccarg,
				       "install", NULL };

		run_env(&r, NULL, NULL, clean_env, argv);
	}
	CHECK_MSG(r.status == 0, "make install: %d\n%s%s", r.status, r.out,
		  r.err);
	run_free(&r);
	static const char *const files[] = {
		"bin/openhv", "lib/libopenhv.a", "lib/libopenhv.so",
		"lib/libopenhv.so.0", ("lib/libopenhv.so." OHV_VERSION_STRING),
		"include/openhv/openhv.h", "include/openhv/hv.h",
		"include/openhv/client.h", "share/man/man1/openhv.1",
		"lib/pkgconfig/openhv.pc",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		CHECK_MSG(exists(prefix, files[i]), "%s/%s missing", prefix,
			  files[i]);

	/* The installed tool runs. */
	snprintf(prog, sizeof(prog), "%s/bin/openhv", prefix);
	{
		const char *argv[] = { prog, "--version", NULL };

		run_env(&r, NULL, NULL, NULL, argv);
	}
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "openhv " OHV_VERSION_STRING);
	run_free(&r);

	/* The man page is roff with the sections a man page has. */
	{
		char man[600];
		FILE *f;
		char head[4096] = "";
		size_t n;

		snprintf(man, sizeof(man), "%s/share/man/man1/openhv.1", prefix);
		f = fopen(man, "r");
		REQUIRE(f != NULL);
		n = fread(head, 1, sizeof(head) - 1, f);
		head[n] = 0;
		fclose(f);
		CHECK_HAS(head, ".TH OPENHV 1");
		CHECK_HAS(head, ".SH NAME");
		CHECK_HAS(head, ".SH SYNOPSIS");
	}

	/* pkg-config finds it; a program builds against it and runs. */
	snprintf(pcpath, sizeof(pcpath), "PKG_CONFIG_PATH=%s/lib/pkgconfig",
		 prefix);
	snprintf(libpath, sizeof(libpath), "LD_LIBRARY_PATH=%s/lib", prefix);
	const char *env[] = { pcpath, libpath, "PKG_CONFIG_LIBDIR=/nonexistent",
			      NULL };
	{
		const char *argv[] = { "pkg-config", "--modversion", "openhv",
				       NULL };

		run_env(&r, NULL, NULL, env, argv);
	}
	CHECK_EQ(r.status, 0);
	CHECK_MSG(!strcmp(r.out, OHV_VERSION_STRING "\n"), "modversion '%s'",
		  r.out);
	run_free(&r);
	{
		char c[600];

		snprintf(c, sizeof(c), "%s/prog.c", prefix);
		write_file(c,
			   "#include <stdio.h>\n"
			   "#include <openhv/client.h>\n"
			   "int main(void)\n{\n"
			   "\tstruct ohv *hv;\n\tstruct ohv_client *c;\n"
			   "\tuint64_t id = 0;\n"
			   "\tif (ohv_open(NULL, &hv) || ohv_client_open(hv, 0, &c))\n"
			   "\t\treturn 1;\n"
			   "\thv_status_t st = ohv_client_create_partition(c, NULL, &id);\n"
			   "\tif (!st)\n"
			   "\t\tst = ohv_client_initialize_partition(c, id);\n"
			   "\tprintf(\"%s %s partition %llu\\n\", ohv_version(),\n"
			   "\t       ohv_status_name(st), (unsigned long long)id);\n"
			   "\tif (!st)\n\t\tst = ohv_client_destroy_partition(c, id);\n"
			   "\tohv_client_close(c);\n\tohv_close(hv);\n"
			   "\treturn st != 0;\n}\n");
	}
	{
		char cmd[1400];

		snprintf(cmd, sizeof(cmd), "%s -std=c11 -Wall -Werror -o %s/prog "
			 "%s/prog.c $(pkg-config --cflags --libs openhv)", cc,
			 prefix, prefix);
		const char *argv[] = { "sh", "-c", cmd, NULL };

		run_env(&r, NULL, NULL, env, argv);
	}
	CHECK_MSG(r.status == 0, "build against the install: %s%s", r.out,
		  r.err);
	run_free(&r);
	snprintf(prog, sizeof(prog), "%s/prog", prefix);
	{
		const char *argv[] = { prog, NULL };

		run_env(&r, NULL, NULL, env, argv);
	}
	CHECK_MSG(r.status == 0, "prog: %d %s", r.status, r.err);
	CHECK_HAS(r.out, OHV_VERSION_STRING " HV_STATUS_SUCCESS partition 2\n");
	run_free(&r);

	/* make uninstall takes everything away again. */
	{
		const char *argv[] = { make, "-s", "-C", src, o, p, "uninstall",
				       NULL };

		run_env(&r, NULL, NULL, clean_env, argv);
	}
	CHECK_EQ(r.status, 0);
	run_free(&r);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		CHECK_MSG(!exists(prefix, files[i]), "%s left after uninstall",
			  files[i]);
	rmtree(prefix);
}

/* The USDT probes are in the tool when it was built with <sys/sdt.h>. */
TEST(cli_usdt_probes)
{
	const char *t = tool(), *sdt = getenv("OHV_HAVE_SDT");
	char *bin;
	long len;

	if (!sdt || !*sdt)
		sdt = OHV_TREE_HAVE_SDT ? "1" : "0";
	if (strcmp(sdt, "1"))
		SKIP("built without <sys/sdt.h> (systemtap-sdt-dev): no probes");
	bin = slurp(t, &len);
	/* The ELF note: provider "openhv", the two probe names. */
	bool note = false, entry = false, exit_ = false;

	for (long i = 0; i + 22 <= len; i++) {
		if (!memcmp(bin + i, ".note.stapsdt", 13))
			note = true;
		if (!memcmp(bin + i, "openhv\0hypercall_entry", 22))
			entry = true;
		if (!memcmp(bin + i, "openhv\0hypercall_exit", 21))
			exit_ = true;
	}
	CHECK(note);
	CHECK(entry);
	CHECK(exit_);
	free(bin);
}

/* ---------------------------------------------------------------------- */
/* Guests that run: --backend, load, vp run, vp skip, require.             */

/* A scratch directory holding the files given (name, bytes, size)... and
 * the tool run in it with stdin input and arguments argv[1..]. */
struct file {
	const char *name;
	const void *bytes;
	size_t size;
};

static void run_in(struct run *r, const struct file *files, size_t n,
		   const char *input, const char *const *args)
{
	char dir[64], path[256];
	const char *argv[16] = { tool() };
	size_t k = 1;

	scratch(dir, sizeof(dir));
	for (size_t i = 0; i < n; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		f = fopen(path, "wb");
		REQUIRE(f != NULL);
		REQUIRE(fwrite(files[i].bytes, 1, files[i].size, f) ==
			files[i].size);
		fclose(f);
	}
	for (; args[k - 1] && k < 15; k++)
		argv[k] = args[k - 1];
	argv[k] = NULL;
	run_env(r, input, dir, NULL, argv);
	rmtree(dir);
}

TEST(cli_backend_option)
{
	static const struct {
		const char *args[6];
		const char *input;
		int status;
		const char *out, *err;
	} cases[] = {
		{ { "--backend", "null", "run", "-" }, "HvGetPartitionId\n", 0,
		  "PartitionId=1", NULL },
		{ { "--backend=null", "run", "-" }, "HvGetPartitionId\n", 0,
		  "PartitionId=1", NULL },
		{ { "run", "--backend", "null", "-" }, "HvGetPartitionId\n", 0,
		  "PartitionId=1", NULL },
		{ { "run", "--backend=auto", "-" }, "HvGetPartitionId\n", 0,
		  "PartitionId=1", NULL },
		{ { "--backend", "xen", "run", "-" }, "", 2, NULL,
		  "--backend is kvm, null or auto, not 'xen'" },
		{ { "--backend" }, "", 2, NULL, "--backend is kvm, null or auto" },
		{ { "run", "--backend=", "-" }, "", 2, NULL,
		  "--backend is kvm, null or auto" },
		{ { "run", "-" }, "config backend=null\nHvGetPartitionId\n", 0,
		  "PartitionId=1", NULL },
		{ { "run", "-" }, "config backend=hyperv\n", 2, NULL,
		  "<stdin>:1: config: backend is kvm, null or auto" },
		{ { "--backend", "null", "run", "-" },
		  "HvGetPartitionId\nconfig backend=kvm\n", 2, NULL,
		  "<stdin>:2: config must come before" },
		{ { "--help" }, NULL, 0, "[--backend kvm|null|auto] COMMAND", NULL },
		{ { "help", "run" }, NULL, 0, "--backend B", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *argv[8] = { tool() };
		struct run r;

		for (size_t k = 0; cases[i].args[k]; k++)
			argv[k + 1] = cases[i].args[k];
		run_env(&r, cases[i].input, NULL, NULL, argv);
		CHECK_MSG(r.status == cases[i].status, "case %zu: status %d\n%s",
			  i, r.status, r.err);
		if (cases[i].out)
			CHECK_HAS(r.out, cases[i].out);
		if (cases[i].err)
			CHECK_HAS(r.err, cases[i].err);
		run_free(&r);
	}
}

/* A partition with memory at GPA pages 0-2 and VP 0. */
#define GUEST_SETUP "partition new -> vm\nmap $vm 0 3\nvp new $vm 0\n"

/* The scenario commands' errors, which need no guest code to run. */
TEST(cli_guest_commands_null_backend)
{
	static const uint8_t img[5000] = { 0xAA, 0xBB, [4094] = 0x11,
					   [4095] = 0x22, [4096] = 0x33,
					   [4999] = 0x44 };
	static const struct file files[] = {
		{ "img.bin", img, sizeof(img) },
		{ "empty.bin", "", 0 },
		{ "other.ohv", "echo the other scenario\n", 24 },
	};
	static const struct {
		const char *input;
		int status;
		const char *out, *err;
	} cases[] = {
		/* load: the bytes land, across a page boundary. */
		{ GUEST_SETUP "load $vm img.bin at 0x1002 -> n\necho $n\n"
		  "HvReadGpa PartitionId=$vm VpIndex=0 BaseGpa=0x1002 "
		  "ByteCount=2\n"
		  "HvReadGpa PartitionId=$vm VpIndex=0 BaseGpa=0x2000 "
		  "ByteCount=2\n"
		  "HvReadGpa PartitionId=$vm VpIndex=0 BaseGpa=0x2389 "
		  "ByteCount=1\n", 0,
		  "load img.bin: 5000 bytes at GPA 0x1002 of partition 2\n"
		  "5000\n", NULL },
		{ GUEST_SETUP "load $vm \"img.bin\" at 0x1002\n"
		  "HvReadGpa PartitionId=$vm VpIndex=0 BaseGpa=0x1fff "
		  "ByteCount=4\n", 0, "Data=0x00112233", NULL },
		/* A page not mapped: refused, nothing written. */
		{ GUEST_SETUP "load $vm img.bin at 0x2000\n", 1, NULL,
		  "<stdin>:4: load: GPA page 0x3 of partition 2 is not mapped "
		  "(img.bin needs pages 0x2..0x3; map them first)" },
		{ GUEST_SETUP "load $vm img.bin at 0x3000\n", 1, NULL,
		  "GPA page 0x3 of partition 2 is not mapped" },
		{ "load 2 img.bin at 0\n", 1, NULL,
		  "GPA page 0x0 of partition 2 is not mapped" },
		{ GUEST_SETUP "load $vm nosuch.bin at 0x1000\n", 2, NULL,
		  "<stdin>:4: load: cannot read nosuch.bin: No such file" },
		{ GUEST_SETUP "load $vm empty.bin at 0x1000\n", 2, NULL,
		  "load: empty.bin is empty" },
		{ GUEST_SETUP "load $vm img.bin 0x1000\n", 2, NULL,
		  "usage: load PARTITION FILE at GPA" },
		{ GUEST_SETUP "load $vm img.bin at 0xffffffffffffff00\n", 2, NULL,
		  "wraps" },
		/* vp run: the null backend runs no guest code. */
		{ GUEST_SETUP "vp run $vm 0\n", 1, NULL,
		  "<stdin>:4: vp run: this instance runs on the null backend, "
		  "which runs no guest code (ohv_vp_run: -ENODEV)" },
		{ GUEST_SETUP "vp run $vm 0 bogus\n", 2, NULL,
		  "vp run: unexpected 'bogus'" },
		{ GUEST_SETUP "vp run $vm 0 until=NOSUCH\n", 2, NULL,
		  "'NOSUCH' is not a number" },
		{ GUEST_SETUP "vp run $vm 0 until=0x1234\n", 2, NULL,
		  "until=0x1234 is not an intercept message type" },
		{ GUEST_SETUP "vp run $vm 0 until=HALT skip\n", 2, NULL,
		  "skip is for one run" },
		{ GUEST_SETUP "vp run $vm 0 timeout=100000\n", 2, NULL,
		  "timeout= is 0 (none) to 86400 seconds" },
		{ GUEST_SETUP "vp run $vm\n", 2, NULL,
		  "usage: vp run PARTITION INDEX [skip]" },
		{ GUEST_SETUP "vp skip $vm 0\n", 2, NULL,
		  "vp skip: VP 0 of partition 2 has no intercept left to "
		  "complete (vp run first)" },
		{ GUEST_SETUP "vp fly $vm 0\n", 2, NULL,
		  "usage: vp new|start|run|skip" },
		/* Message types by name. */
		{ "assert HVMSG_X64_HALT == 0x80010007\n"
		  "assert HVMSG_X64_IO_PORT_INTERCEPT == 0x80010000\n"
		  "assert HVMSG_UNMAPPED_GPA == 0x80000000\n", 0, NULL, NULL },
		/* require kvm: stop, or the other scenario instead. */
		{ "require kvm\necho not reached\n", 0,
		  "<stdin>:1: skipped: the rest runs guest code on KVM, and the "
		  "instance runs on the null backend (--backend null)\n", NULL },
		{ "require kvm else other.ohv\necho not reached\n", 0,
		  "; ./other.ohv instead:\nthe other scenario\n", NULL },
		{ "require kvm else nosuch.ohv\n", 2, NULL,
		  "require: cannot read nosuch.ohv" },
		{ "require xen\n", 2, NULL, "usage: require kvm [else FILE]" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static const char *const args[] = { "--backend", "null", "run",
						    "-", NULL };
		struct run r;

		run_in(&r, files, 3, cases[i].input, args);
		CHECK_MSG(r.status == cases[i].status, "case %zu: status %d\n"
			  "%s%s", i, r.status, r.out, r.err);
		if (cases[i].out)
			CHECK_HAS(r.out, cases[i].out);
		if (cases[i].err)
			CHECK_HAS(r.err, cases[i].err);
		CHECK_LACKS(r.out, "not reached");
		run_free(&r);
	}
}

/* A refused load writes nothing (the shell goes on after it). */
TEST(cli_load_refused_writes_nothing)
{
	static const uint8_t img[32] = { 1, 2, 3, 4 };
	static const struct file files[] = { { "img.bin", img, sizeof(img) } };
	static const char *const args[] = { "--backend", "null", "shell", NULL };
	struct run r;

	run_in(&r, files, 1, "partition new -> vm\nmap $vm 0 1\nvp new $vm 0\n"
	       "load $vm img.bin at 0xff0\n"
	       "HvReadGpa PartitionId=$vm VpIndex=0 BaseGpa=0xff0 ByteCount=4\n",
	       args);
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.err, "GPA page 0x1 of partition 2 is not mapped");
	CHECK_HAS(r.out, "Data=0x00000000");
	run_free(&r);
}

TEST(cli_guest_help)
{
	static const struct {
		const char *topic, *needle;
	} cases[] = {
		{ "vp", "vp run PARTITION INDEX [skip] [until=TYPE]" },
		{ "vp", "vp skip PARTITION INDEX" },
		{ "load", "load PARTITION FILE at GPA" },
		{ "require", "require kvm [else FILE]" },
		{ "helpers", "load PARTITION FILE at GPA" },
		{ "statements", "require kvm [else FILE]" },
		{ "config", "backend=kvm|null|auto" },
	};
	struct run r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TOOL(&r, NULL, "help", cases[i].topic);
		CHECK_EQ(r.status, 0);
		CHECK_HAS(r.out, cases[i].needle);
		run_free(&r);
	}
	TOOL(&r, "complete \"lo\"\ncomplete \"requ\"\n", "run", "-");
	CHECK_EQ(r.status, 0);
	CHECK_HAS(r.out, "load\n");
	CHECK_HAS(r.out, "require\n");
	run_free(&r);
}

/* KVM: where ohv_open cannot have it, the tests below skip, saying why. */
static void need_kvm(void)
{
	struct ohv_config cfg;
	struct ohv *hv;
	int rc;

	ohv_config_init(&cfg);
	cfg.backend = OHV_BACKEND_KVM;
	rc = ohv_open(&cfg, &hv);
	if (rc)
		SKIP("no KVM backend here: ohv_open answers -%s (%s)",
		     rc == -ENODEV ? "ENODEV" : rc == -EACCES ? "EACCES" :
		     "errno", strerror(-rc));
	ohv_close(hv);
}

/* The demo guest, as README's main job shows it. */
TEST(cli_guest_hello_kvm)
{
	char path[512];
	struct run r;

	need_kvm();
	snprintf(path, sizeof(path), "%s/examples/guest-hello.ohv", srcdir());
	TOOL(&r, NULL, "--backend", "kvm", "run", path);
	CHECK_MSG(r.status == 0, "status %d\n%s%s", r.status, r.out, r.err);
	/* The first OUT twice: run again without completing it, same RIP. */
	CHECK_EQ(count(r.out, "HVMSG_X64_IO_PORT_INTERCEPT  rip 0x1038 len 2 "
		       "write port 0xe9 size 1 value 0x4d 'M'\n"), 2);
	CHECK_HAS(r.out, "HVMSG_X64_HALT  rip 0x103d len 1\n");
	CHECK_HAS(r.out, "17 I/O writes completed");
	CHECK_HAS(r.out, "the guest wrote to port 0xe9: "
		  "\"Microsoft Hv vp 0\\n\"\n");
	CHECK_LACKS(r.out, "skipped");
	run_free(&r);
}

/* Each intercept decoded and completed: an IN, a write to an unmapped
 * page, HLT; until= stopping at what it cannot complete; a guest that
 * never stops, kicked by timeout=. */
TEST(cli_vp_run_kvm)
{
	/* cli; in $0x60,%al; mov %al,0x3000; hlt; then at 0x1010: jmp . */
	static const uint8_t code[] = { 0xFA, 0xE4, 0x60, 0xA2, 0x00, 0x30,
					0xF4, [16] = 0xEB, 0xFE };
	static const struct file files[] = { { "code.bin", code, sizeof(code) } };
	static const char *const args[] = { "--backend", "kvm", "run", "-",
					    NULL };
#define REAL_MODE(ip) "HvSetVpRegisters PartitionId=$vm VpIndex=0 " \
	"Cs=0:0xffff:0:0x9b Rip=" ip "\n"
	static const struct {
		const char *input;
		int status;
		const char *out, *err;
	} cases[] = {
		{ GUEST_SETUP "load $vm code.bin at 0x1000\n" REAL_MODE("0x1000")
		  "vp run $vm 0 skip -> type, rip, len, access, port, size\n"
		  "assert $type == HVMSG_X64_IO_PORT_INTERCEPT\n"
		  "assert $rip == 0x1001\nassert $len == 2\n"
		  "assert $access == 0\nassert $port == 0x60\n"
		  "assert $size == 1\n"
		  "vp run $vm 0 -> type, rip, len, access, port, size, value, gpa\n"
		  "assert $type == HVMSG_UNMAPPED_GPA\n"
		  "assert $rip == 0x1003\nassert $len == 3\n"
		  "assert $access == 1\nassert $gpa == 0x3000\n"
		  "vp skip $vm 0 -> next\nassert $next == 0x1006\n"
		  "vp run $vm 0 -> type, rip, len\n"
		  "assert $type == HVMSG_X64_HALT\nassert $rip == 0x1006\n"
		  "assert $len == 1\n"
		  "HvGetVpRegisters PartitionId=$vm VpIndex=0 "
		  "Names=InterceptSuspend -> suspended\nassert $suspended == 1\n"
		  "partition destroy $vm\n", 0,
		  "HVMSG_X64_IO_PORT_INTERCEPT  rip 0x1001 len 2 read port 0x60 "
		  "size 1\n", NULL },
		{ GUEST_SETUP "load $vm code.bin at 0x1000\n" REAL_MODE("0x1000")
		  "vp run $vm 0 -> type\nvp run $vm 0 skip\n"
		  "vp run $vm 0 -> type, rip, len, access, port, size, value, gpa\n"
		  "echo gpa $gpa\n", 0,
		  "HVMSG_UNMAPPED_GPA  rip 0x1003 len 3 write gpa 0x3000\n", NULL },
		{ GUEST_SETUP "load $vm code.bin at 0x1000\n" REAL_MODE("0x1000")
		  "vp run $vm 0 until=HALT\n", 1, "0 I/O writes completed",
		  "<stdin>:6: vp run: VP 0 stopped with HVMSG_X64_IO_PORT_INTERCEPT"
		  " at rip 0x1001 before HVMSG_X64_HALT" },
		{ GUEST_SETUP "load $vm code.bin at 0x1000\n" REAL_MODE("0x1010")
		  "vp run $vm 0 timeout=1\n", 1, NULL,
		  "<stdin>:6: vp run: VP 0 of partition 2 ran 1 s without "
		  "stopping for its parent (timeout=)" },
		{ "vp run 1 0\n", 1, NULL, "vp run: no VP 0 of an Active child "
		  "partition 1 (ohv_vp_run: -EINVAL)" },
		{ GUEST_SETUP "vp run $vm 7\n", 1, NULL, "no VP 7 of an Active" },
		{ "require kvm\necho reached\n", 0, "reached\n", NULL },
	};
#undef REAL_MODE

	need_kvm();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;

		run_in(&r, files, 1, cases[i].input, args);
		CHECK_MSG(r.status == cases[i].status, "case %zu: status %d\n"
			  "%s%s", i, r.status, r.out, r.err);
		if (cases[i].out)
			CHECK_HAS(r.out, cases[i].out);
		if (cases[i].err)
			CHECK_HAS(r.err, cases[i].err);
		run_free(&r);
	}
}
