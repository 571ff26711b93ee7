/* SPDX-License-Identifier: MIT */
/*
 * Guests that run (spec.md §2.1, §11): `load` copies a flat image into a
 * child's memory through the host's view of it, `vp run` runs a VP with
 * ohv_vp_run and decodes the intercept message it stops with, `vp skip`
 * completes the intercepted instruction as a parent does (RIP past it,
 * with HvSetVpRegisters), and `require kvm` says why a scenario that runs
 * guest code cannot here.  On the null backend ohv_vp_run answers -ENODEV.
 */
#include "scnint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openhv/client.h>

#define LOAD_MAX	(16u << 20)	/* bytes `load` copies at most */
#define RUN_MAX		100000u		/* intercepts `until=` completes */
#define RUN_TIMEOUT	60u		/* seconds a `vp run` waits by default */
#define DEBUG_PORT	0xE9u

/* ---------------------------------------------------------------------- */
/* Message types.                                                          */

static const struct {
	const char *name;
	uint32_t type;
} msg_types[] = {
	{ "HVMSG_UNMAPPED_GPA", HVMSG_UNMAPPED_GPA },
	{ "HVMSG_GPA_INTERCEPT", HVMSG_GPA_INTERCEPT },
	{ "HVMSG_INVALID_VP_REGISTER_VALUE", HVMSG_INVALID_VP_REGISTER_VALUE },
	{ "HVMSG_UNRECOVERABLE_EXCEPTION", HVMSG_UNRECOVERABLE_EXCEPTION },
	{ "HVMSG_X64_IO_PORT_INTERCEPT", HVMSG_X64_IO_PORT_INTERCEPT },
	{ "HVMSG_X64_MSR_INTERCEPT", HVMSG_X64_MSR_INTERCEPT },
	{ "HVMSG_X64_CPUID_INTERCEPT", HVMSG_X64_CPUID_INTERCEPT },
	{ "HVMSG_X64_EXCEPTION_INTERCEPT", HVMSG_X64_EXCEPTION_INTERCEPT },
	{ "HVMSG_X64_HALT", HVMSG_X64_HALT },
};

bool scn_msg_type(const char *name, uint64_t *v)
{
	for (size_t i = 0; i < ARRAY_SIZE(msg_types); i++) {
		/* The HVMSG_ and HVMSG_X64_ prefixes are optional, as
		 * HV_STATUS_ is. */
		const char *n = msg_types[i].name;

		if (!strcasecmp(n, name) || !strcasecmp(n + 6, name) ||
		    (!strncmp(n + 6, "X64_", 4) && !strcasecmp(n + 10, name))) {
			*v = msg_types[i].type;
			return true;
		}
	}
	return false;
}

static const char *msg_name(uint32_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(msg_types); i++)
		if (msg_types[i].type == type)
			return msg_types[i].name;
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Words.                                                                  */

static enum scn_rc partition_arg(struct scn *s, const char *text, uint64_t *pid)
{
	enum scn_rc rc = scn_value(s, text, OHV_FMT_PARTITION_ID, pid);

	if (!rc)
		*pid = scn_resolve(s, s->caller, *pid);
	return rc;
}

static enum scn_rc vp_index(struct scn *s, const char *text, uint32_t *vp)
{
	uint64_t v;

	if (scn_value(s, text, OHV_FMT_VP_INDEX, &v))
		return SCN_ERROR;
	if (v > UINT32_MAX)
		return scn_err(s, SCN_ERROR, "a VP index is 32 bits");
	*vp = (uint32_t)v;
	return SCN_OK;
}

/* A file word: as written, or a quoted string. */
static enum scn_rc file_word(struct scn *s, const char *w, char *out, size_t max)
{
	size_t len;

	if (*w != '"') {
		if (strlen(w) >= max)
			return scn_err(s, SCN_ERROR, "a file name of %zu bytes is "
				       "too long", strlen(w));
		memcpy(out, w, strlen(w) + 1);
		return SCN_OK;
	}
	if (!scn_unquote(w, out, max - 1, &len) || memchr(out, 0, len))
		return scn_err(s, SCN_ERROR, "%s is not a file name", w);
	out[len] = 0;
	return SCN_OK;
}

/* The directory part of path into out ("" when it has none). */
static void dir_of(const char *path, char *out, size_t max)
{
	const char *slash = strrchr(path, '/');

	snprintf(out, max, "%.*s", slash ? (int)(slash - path) : 0, path);
}

/*
 * A relative FILE is looked for beside the scenario, in the current
 * directory, then beside the openhv program, so that a scenario names a
 * guest `make` built into $(O)/examples/guests/ as examples/guests/NAME.bin.
 * Standard input and the shell have no directory of their own.
 */
static FILE *open_near(struct scn *s, const char *name, const char *mode,
		       char *found, size_t max)
{
	char dirs[3][PATH_MAX], exe[PATH_MAX];
	size_t nd = 0;
	ssize_t n;

	if (name[0] == '/') {
		snprintf(found, max, "%s", name);
		return fopen(name, mode);
	}
	if (strcmp(s->file, "<stdin>") && strcmp(s->file, "shell") &&
	    strcmp(s->file, "-")) {
		dir_of(s->file, dirs[nd], sizeof(dirs[nd]));
		nd += dirs[nd][0] != 0;
	}
	snprintf(dirs[nd++], sizeof(dirs[0]), ".");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		dir_of(exe, dirs[nd], sizeof(dirs[nd]));
		nd += dirs[nd][0] != 0;
	}
	for (size_t i = 0; i < nd; i++) {
		FILE *f;

		if (snprintf(found, max, "%s/%s", dirs[i], name) >= (int)max)
			continue;
		f = fopen(found, mode);
		if (f)
			return f;
	}
	snprintf(found, max, "%s", name);
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* load PARTITION FILE at GPA                                              */

enum scn_rc scn_load(struct scn *s, struct toks *t)
{
	char name[PATH_MAX], path[PATH_MAX];
	uint64_t pid, gpa;
	uint8_t *buf;
	size_t len = 0, cap = 0;
	FILE *f;
	enum scn_rc rc;

	if (t->n != 5 || strcmp(t->t[3], "at"))
		return scn_err(s, SCN_ERROR, "usage: load PARTITION FILE at GPA");
	if (!scn_hv(s))
		return SCN_FAILED;
	if (partition_arg(s, t->t[1], &pid) ||
	    file_word(s, t->t[2], name, sizeof(name)) ||
	    scn_value(s, t->t[4], OHV_FMT_HEX, &gpa))
		return SCN_ERROR;
	f = open_near(s, name, "rb", path, sizeof(path));
	if (!f)
		return scn_err(s, SCN_ERROR, "load: cannot read %s: %s%s", name,
			       strerror(errno), strncmp(name, "examples/guests/",
			       16) ? "" : " (make builds the examples' guests)");
	buf = NULL;
	for (;;) {
		if (len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 4096;
			nb = cap <= LOAD_MAX + 1 ? realloc(buf, cap) : NULL;
			if (!nb)
				break;
			buf = nb;
		}
		size_t got = fread(buf + len, 1, cap - len, f);

		len += got;
		if (!got)
			break;
	}
	rc = ferror(f) ? scn_err(s, SCN_ERROR, "load: cannot read %s", name) :
		len > LOAD_MAX || len == cap ?
		scn_err(s, SCN_ERROR, "load: %s is larger than %u MiB", name,
			LOAD_MAX >> 20) : SCN_OK;
	fclose(f);
	if (!rc && !len)
		rc = scn_err(s, SCN_ERROR, "load: %s is empty", name);
	if (!rc && gpa + len < gpa)
		rc = scn_err(s, SCN_ERROR, "load: GPA 0x%" PRIx64 " + %zu bytes "
			     "wraps", gpa, len);
	/* Every page must be mapped before a byte is written. */
	for (uint64_t p = gpa >> HV_PAGE_SHIFT; !rc &&
	     p <= (gpa + len - 1) >> HV_PAGE_SHIFT; p++) {
		uint64_t a = p << HV_PAGE_SHIFT < gpa ? gpa : p << HV_PAGE_SHIFT;
		uint64_t e = (p + 1) << HV_PAGE_SHIFT;

		if (e > gpa + len)
			e = gpa + len;
		if (!ohv_gpa(s->hv, pid, a, e - a))
			rc = scn_err(s, SCN_FAILED, "load: GPA page 0x%" PRIx64
				     " of partition %" PRIu64 " is not mapped "
				     "(%s needs pages 0x%" PRIx64 "..0x%" PRIx64
				     "; map them first)", p, pid, name,
				     gpa >> HV_PAGE_SHIFT,
				     (gpa + len - 1) >> HV_PAGE_SHIFT);
	}
	if (!rc && !scn_poke(s, pid, gpa, buf, len))
		rc = scn_err(s, SCN_FAILED, "load: partition %" PRIu64 " lost a "
			     "page while it was written", pid);
	free(buf);
	if (rc)
		return rc;
	if (s->o.verbosity)
		fprintf(s->o.out, "%5u  load %s: %zu bytes at GPA 0x%" PRIx64
			" of partition %" PRIu64 "\n", s->line, name, len, gpa,
			pid);
	uint64_t v[1] = { len };

	return scn_capture(s, t, v, NULL, 1, "load");
}

/* ---------------------------------------------------------------------- */
/* vp run / vp skip                                                        */

/* What a scenario reads from an intercept message. */
struct icpt {
	uint32_t type;
	uint64_t rip;
	unsigned len;		/* instruction length, 0 when unknown */
	unsigned access;	/* 0 read, 1 write, 2 execute */
	uint16_t port;
	unsigned size;		/* I/O access size in bytes */
	uint64_t value;		/* an I/O write's value (RAX, size bytes) */
	uint64_t gpa;
	bool io_string;		/* INS/OUTS, maybe REP */
};

static void icpt_of(const struct hv_message *m, struct icpt *x)
{
	const struct hv_x64_intercept_message_header *h =
		(const void *)m->payload;

	memset(x, 0, sizeof(*x));
	x->type = m->header.message_type;
	x->rip = h->rip;
	x->len = h->instruction_length_cr8 & 0xF;
	x->access = h->intercept_access_type;
	if (x->type == HVMSG_X64_IO_PORT_INTERCEPT) {
		const struct hv_x64_io_port_intercept_message *io =
			(const void *)m->payload;

		x->port = io->port_number;
		x->size = io->access_info & HV_X64_IO_ACCESS_SIZE_MASK;
		x->io_string = io->access_info & (HV_X64_IO_ACCESS_STRING |
						  HV_X64_IO_ACCESS_REP);
		x->value = x->size >= 8 ? io->rax :
			io->rax & ((1ull << (8 * x->size)) - 1);
	} else if (x->type == HVMSG_UNMAPPED_GPA ||
		   x->type == HVMSG_GPA_INTERCEPT) {
		const struct hv_x64_memory_intercept_message *mem =
			(const void *)m->payload;

		x->gpa = mem->guest_physical_address;
	}
}

/* One line: the intercept decoded. */
static void icpt_print(struct scn *s, uint64_t pid, uint32_t vp,
		       const struct icpt *x)
{
	static const char *const access[] = { "read", "write", "execute" };
	const char *name = msg_name(x->type);
	char head[48];

	snprintf(head, sizeof(head), "vp run %" PRIu64 "/%" PRIu32, pid, vp);
	fprintf(s->o.out, "%5u  %-36s ", s->line, head);
	if (name)
		fprintf(s->o.out, "%s", name);
	else
		fprintf(s->o.out, "message type 0x%08" PRIx32, x->type);
	fprintf(s->o.out, "  rip 0x%" PRIx64 " len %u", x->rip, x->len);
	if (x->type == HVMSG_X64_IO_PORT_INTERCEPT ||
	    x->type == HVMSG_UNMAPPED_GPA || x->type == HVMSG_GPA_INTERCEPT)
		fprintf(s->o.out, " %s", x->access < 3 ? access[x->access] :
			"access?");
	if (x->type == HVMSG_X64_IO_PORT_INTERCEPT) {
		fprintf(s->o.out, " port 0x%" PRIx16 " size %u%s", x->port,
			x->size, x->io_string ? " string" : "");
		if (x->access == HV_INTERCEPT_ACCESS_WRITE && !x->io_string) {
			fprintf(s->o.out, " value 0x%" PRIx64, x->value);
			if (x->size == 1 && x->value >= 0x20 && x->value < 0x7F)
				fprintf(s->o.out, " '%c'", (char)x->value);
		}
	}
	if (x->type == HVMSG_UNMAPPED_GPA || x->type == HVMSG_GPA_INTERCEPT)
		fprintf(s->o.out, " gpa 0x%" PRIx64, x->gpa);
	fputc('\n', s->o.out);
	fflush(s->o.out);
}

/* The last intercept of each VP `vp run` saw, for `vp skip`. */
static struct seen *seen_of(struct scn *s, uint64_t pid, uint32_t vp,
			    bool make)
{
	for (size_t i = 0; i < s->n_seen; i++)
		if (s->seen[i].pid == pid && s->seen[i].vp == vp)
			return &s->seen[i];
	if (!make)
		return NULL;
	struct seen *n = VPUSH(s, seen);

	if (n) {
		n->pid = pid;
		n->vp = vp;
	}
	return n;
}

/*
 * Complete the intercepted instruction as the parent does on Hyper-V: RIP
 * past it, with HvSetVpRegisters issued by the scenario's caller (spec.md
 * §11.4: the VP left it undone).  The call's status, SUCCESS or not.
 */
static enum scn_rc skip(struct scn *s, uint64_t pid, uint32_t vp,
			const struct icpt *x, hv_status_t *st)
{
	struct ohv_client *c;
	uint64_t in, out;

	if (!x->len)
		return scn_err(s, SCN_FAILED, "vp skip: the intercept names no "
			       "instruction length (0): nothing to step over");
	if (scn_io(s, s->caller, &in, &out))
		return SCN_ERROR;
	if (ohv_client_open_vp(s->hv, s->caller, s->vp, in << HV_PAGE_SHIFT,
			       out << HV_PAGE_SHIFT, &c))
		return scn_err(s, SCN_FAILED, "vp skip: no live partition %"
			       PRIu64 " to issue it", s->caller);
	*st = ohv_call_set_vp_register(c, pid, vp, HV_X64_REGISTER_RIP,
				       x->rip + x->len);
	ohv_client_close(c);
	return SCN_OK;
}

/* A watchdog for a guest that never stops: it kicks the VP. */
struct watch {
	struct ohv *hv;
	uint64_t pid;
	uint32_t vp;
	unsigned seconds;
	bool done, fired;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void *watch_main(void *arg)
{
	struct watch *w = arg;
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += w->seconds;
	pthread_mutex_lock(&w->lock);
	while (!w->done)
		if (pthread_cond_timedwait(&w->cond, &w->lock, &until) ==
		    ETIMEDOUT)
			break;
	if (!w->done) {
		w->fired = true;
		ohv_vp_kick(w->hv, w->pid, w->vp);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* ohv_vp_run, bounded by the watchdog when seconds is not 0. */
static int run_once(struct scn *s, uint64_t pid, uint32_t vp, unsigned seconds,
		    struct hv_message *m, bool *timed_out)
{
	struct watch w = { .hv = s->hv, .pid = pid, .vp = vp,
			   .seconds = seconds };
	pthread_condattr_t ca;
	pthread_t th;
	bool watching = false;
	int rc;

	*timed_out = false;
	if (seconds) {
		pthread_mutex_init(&w.lock, NULL);
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&w.cond, &ca);
		pthread_condattr_destroy(&ca);
		watching = !pthread_create(&th, NULL, watch_main, &w);
	}
	rc = ohv_vp_run(s->hv, pid, vp, m);
	if (watching) {
		pthread_mutex_lock(&w.lock);
		w.done = true;
		pthread_cond_signal(&w.cond);
		pthread_mutex_unlock(&w.lock);
		pthread_join(th, NULL);
		*timed_out = w.fired;
		/* A kick that came after the VP stopped would stop its next
		 * run at once: that run is the caller's to start again. */
	}
	if (seconds) {
		pthread_cond_destroy(&w.cond);
		pthread_mutex_destroy(&w.lock);
	}
	return rc;
}

static enum scn_rc run_failed(struct scn *s, int rc, uint64_t pid, uint32_t vp,
			      bool timed_out, unsigned seconds)
{
	switch (rc) {
	case -ENODEV:
		return scn_err(s, SCN_FAILED, "vp run: this instance runs on the "
			       "null backend, which runs no guest code "
			       "(ohv_vp_run: -ENODEV); use --backend kvm, or "
			       "auto on a machine with /dev/kvm");
	case -EINVAL:
		return scn_err(s, SCN_FAILED, "vp run: no VP %" PRIu32 " of an "
			       "Active child partition %" PRIu64 " (ohv_vp_run: "
			       "-EINVAL)", vp, pid);
	case -EBUSY:
		return scn_err(s, SCN_FAILED, "vp run: VP %" PRIu32 " of "
			       "partition %" PRIu64 " is running on another "
			       "thread (-EBUSY)", vp, pid);
	case -EINTR:
		if (timed_out)
			return scn_err(s, SCN_FAILED, "vp run: VP %" PRIu32 " of "
				       "partition %" PRIu64 " ran %u s without "
				       "stopping for its parent (timeout=)", vp,
				       pid, seconds);
		return scn_err(s, SCN_FAILED, "vp run: interrupted (-EINTR)");
	default:
		return scn_err(s, SCN_FAILED, "vp run: ohv_vp_run: %s",
			       strerror(-rc));
	}
}

/* A completed write to the debug port: its bytes join the VP's text. */
static void text_put(struct seen *sn, const struct icpt *x)
{
	uint64_t v = x->value;

	if (!sn || x->type != HVMSG_X64_IO_PORT_INTERCEPT ||
	    x->access != HV_INTERCEPT_ACCESS_WRITE || x->io_string ||
	    x->port != DEBUG_PORT)
		return;
	for (unsigned i = 0; i < x->size && i < 8; i++, v >>= 8) {
		if (sn->ntext == SCN_TEXT_MAX) {
			sn->cut = true;
			return;
		}
		sn->text[sn->ntext++] = (char)(v & 0xFF);
	}
}

/* Print the VP's text, and start it again. */
static void text_print(struct scn *s, struct seen *sn)
{
	FILE *out = s->o.out;

	fprintf(out, "       the guest wrote to port 0x%x: \"", DEBUG_PORT);
	for (size_t i = 0; sn && i < sn->ntext; i++) {
		unsigned char c = (unsigned char)sn->text[i];

		if (c == '\n')
			fputs("\\n", out);
		else if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c >= 0x20 && c < 0x7F)
			fputc(c, out);
		else
			fprintf(out, "\\x%02x", c);
	}
	fprintf(out, "\"%s\n", sn && sn->cut ? " (the first 4096 bytes)" : "");
	if (sn) {
		sn->ntext = 0;
		sn->cut = false;
	}
}

static enum scn_rc run_args(struct scn *s, struct toks *t, const char *what,
			    uint64_t *pid, uint32_t *vp)
{
	if (t->n < 4)
		return scn_err(s, SCN_ERROR, "usage: %s PARTITION INDEX%s", what,
			       strcmp(what, "vp run") ? "" : " [skip] "
			       "[until=TYPE] [timeout=S]");
	if (!scn_hv(s))
		return SCN_FAILED;
	if (partition_arg(s, t->t[2], pid) || vp_index(s, t->t[3], vp))
		return SCN_ERROR;
	return SCN_OK;
}

static enum scn_rc capture(struct scn *s, struct toks *t, const struct icpt *x,
			   uint64_t done)
{
	uint64_t v[] = { x->type, x->rip, x->len, x->access, x->port, x->size,
			 x->value, x->gpa, done };
	static const uint8_t fmts[] = {
		OHV_FMT_HEX, OHV_FMT_HEX, OHV_FMT_DEC, OHV_FMT_DEC, OHV_FMT_HEX,
		OHV_FMT_DEC, OHV_FMT_HEX, OHV_FMT_HEX, OHV_FMT_DEC,
	};

	return scn_capture(s, t, v, fmts, ARRAY_SIZE(v), t->t[0]);
}

/*
 * vp run PARTITION INDEX [skip] [until=TYPE] [timeout=S]
 *   -> type, rip, len, access, port, size, value, gpa, completed
 */
enum scn_rc scn_vp_run(struct scn *s, struct toks *t)
{
	uint64_t pid, until = 0, seconds = RUN_TIMEOUT;
	uint32_t vp;
	bool do_skip = false, have_until = false;
	struct hv_message m;
	struct icpt x;
	uint64_t done = 0, other = 0;
	enum scn_rc rc = run_args(s, t, "vp run", &pid, &vp);

	if (rc)
		return rc;
	for (size_t i = 4; i < t->n; i++) {
		char *w = t->t[i], *v = scn_split(w);

		if (!v && !strcmp(w, "skip")) {
			do_skip = true;
		} else if (v && !strcmp(w, "until")) {
			if (!scn_msg_type(v, &until) &&
			    scn_value(s, v, OHV_FMT_HEX, &until))
				return SCN_ERROR;
			if (!msg_name((uint32_t)until) || until >> 32)
				return scn_err(s, SCN_ERROR, "vp run: until=%s is "
					       "not an intercept message type "
					       "(HALT, HVMSG_X64_HALT, ...)", v);
			have_until = true;
		} else if (v && !strcmp(w, "timeout")) {
			if (scn_value(s, v, OHV_FMT_DEC, &seconds))
				return SCN_ERROR;
			if (seconds > 86400)
				return scn_err(s, SCN_ERROR, "vp run: timeout= "
					       "is 0 (none) to 86400 seconds");
		} else {
			return scn_err(s, SCN_ERROR, "vp run: unexpected '%s%s%s' "
				       "(help vp)", w, v ? "=" : "", v ? v : "");
		}
	}
	if (do_skip && have_until)
		return scn_err(s, SCN_ERROR, "vp run: until= completes I/O writes "
			       "itself; skip is for one run");
	s->command = "vp run";
	for (;;) {
		bool timed_out;
		int r = run_once(s, pid, vp, (unsigned)seconds, &m, &timed_out);

		if (r)
			return run_failed(s, r, pid, vp, timed_out,
					  (unsigned)seconds);
		icpt_of(&m, &x);
		struct seen *sn = seen_of(s, pid, vp, true);

		if (sn) {
			sn->msg = m;
			sn->valid = true;
		}
		/* until=: every plain I/O write is completed (RIP past the
		 * OUT), its bytes kept when it went to the debug port, until
		 * the intercept asked for or one it cannot complete. */
		bool go_on = have_until && x.type != until &&
			x.type == HVMSG_X64_IO_PORT_INTERCEPT &&
			x.access == HV_INTERCEPT_ACCESS_WRITE && !x.io_string &&
			x.len && done < RUN_MAX;

		if (s->o.verbosity && (!go_on || s->o.verbosity > 1 ||
				       x.port != DEBUG_PORT))
			icpt_print(s, pid, vp, &x);
		if (!go_on)
			break;
		other += x.port != DEBUG_PORT;
		hv_status_t st;

		/* The RIP advances show with -v, or in the trace. */
		s->quiet_calls = true;
		rc = skip(s, pid, vp, &x, &st);
		s->quiet_calls = false;
		if (rc)
			return rc;
		if (st) {
			scn_outcome(s, "vp run: HvSetVpRegisters", st, 0, st);
			return SCN_OK;
		}
		if (sn)
			sn->valid = false;
		text_put(sn, &x);
		done++;
	}
	if (have_until && s->o.verbosity) {
		fprintf(s->o.out, "       %" PRIu64 " I/O write%s completed "
			"(RIP past each OUT)%s\n", done, done == 1 ? "" : "s",
			other ? ", some to other ports" : "");
		text_print(s, seen_of(s, pid, vp, false));
	}
	if (have_until && x.type != until) {
		const char *name = msg_name(x.type);

		return scn_err(s, SCN_FAILED, "vp run: VP %" PRIu32 " stopped "
			       "with %s%s at rip 0x%" PRIx64 " before %s", vp,
			       name ? name : "message type ", name ? "" :
			       "(unknown)", x.rip, msg_name((uint32_t)until));
	}
	if (do_skip) {
		hv_status_t st;

		rc = skip(s, pid, vp, &x, &st);
		if (rc)
			return rc;
		struct seen *sn = seen_of(s, pid, vp, false);

		if (sn && !st) {
			sn->valid = false;
			text_put(sn, &x);
		}
		scn_outcome(s, "vp run: HvSetVpRegisters", st, 0, st);
		if (st)
			return SCN_OK;
	} else {
		scn_outcome(s, "vp run", HV_STATUS_SUCCESS, 0, HV_STATUS_SUCCESS);
	}
	return capture(s, t, &x, done);
}

/* vp skip PARTITION INDEX: RIP past the instruction `vp run` stopped at. */
enum scn_rc scn_vp_skip(struct scn *s, struct toks *t)
{
	uint64_t pid;
	uint32_t vp;
	struct icpt x;
	hv_status_t st;
	enum scn_rc rc = run_args(s, t, "vp skip", &pid, &vp);
	struct seen *sn;

	if (rc)
		return rc;
	if (t->n != 4)
		return scn_err(s, SCN_ERROR, "usage: vp skip PARTITION INDEX");
	sn = seen_of(s, pid, vp, false);
	if (!sn || !sn->valid)
		return scn_err(s, SCN_ERROR, "vp skip: VP %" PRIu32 " of "
			       "partition %" PRIu64 " has no intercept left to "
			       "complete (vp run first)", vp, pid);
	icpt_of(&sn->msg, &x);
	s->command = "vp skip";
	rc = skip(s, pid, vp, &x, &st);
	if (rc)
		return rc;
	if (!st) {
		sn->valid = false;
		text_put(sn, &x);
	}
	scn_outcome(s, "vp skip: HvSetVpRegisters", st, 0, st);
	uint64_t v[1] = { x.rip + x.len };
	static const uint8_t fmts[] = { OHV_FMT_HEX };

	return st ? SCN_OK : scn_capture(s, t, v, fmts, 1, "vp skip");
}

/* ---------------------------------------------------------------------- */
/* require kvm [else FILE]                                                 */

/* Why this configuration runs no guest code; NULL when KVM serves. */
static const char *no_kvm(struct scn *s, char *why, size_t n)
{
	struct ohv_config cfg = s->cfg;
	struct ohv *hv;
	int rc;

	if (s->hv) {
		if (!strcmp(ohv_backend_name(s->hv), "kvm"))
			return NULL;
		if (s->cfg.backend == OHV_BACKEND_NULL) {
			snprintf(why, n, "the instance runs on the null backend "
				 "(--backend null)");
			return why;
		}
	} else if (cfg.backend == OHV_BACKEND_NULL) {
		snprintf(why, n, "the instance runs on the null backend "
			 "(--backend null)");
		return why;
	}
	/* What ohv_open says of KVM with this configuration. */
	cfg.backend = OHV_BACKEND_KVM;
	rc = ohv_open(&cfg, &hv);
	if (!rc) {
		ohv_close(hv);
		if (!s->hv)
			return NULL;
		snprintf(why, n, "the instance was opened on the null backend");
		return why;
	}
	if (access("/dev/kvm", F_OK))
		snprintf(why, n, "there is no /dev/kvm here");
	else
		snprintf(why, n, "KVM cannot serve here (ohv_open: %s)",
			 strerror(-rc));
	return why;
}

enum scn_rc scn_require(struct scn *s, struct toks *t)
{
	char why[160], name[PATH_MAX], path[PATH_MAX];
	const char *file = s->file;
	unsigned line = s->line;
	enum scn_rc rc;
	FILE *f;

	if ((t->n != 2 && t->n != 4) || strcmp(t->t[1], "kvm") ||
	    (t->n == 4 && strcmp(t->t[2], "else")))
		return scn_err(s, SCN_ERROR, "usage: require kvm [else FILE]");
	if (t->ncap)
		return scn_err(s, SCN_ERROR, "require captures nothing");
	if (!no_kvm(s, why, sizeof(why)))
		return SCN_OK;
	fflush(s->o.out);
	if (t->n == 2) {
		fprintf(s->o.out, "%s:%u: skipped: the rest runs guest code on "
			"KVM, and %s\n", file, line, why);
		return SCN_QUIT;
	}
	rc = file_word(s, t->t[3], name, sizeof(name));
	if (rc)
		return rc;
	f = open_near(s, name, "r", path, sizeof(path));
	if (!f)
		return scn_err(s, SCN_ERROR, "require: cannot read %s: %s", name,
			       strerror(errno));
	fprintf(s->o.out, "%s:%u: skipped: the rest runs guest code on KVM, "
		"and %s; %s instead:\n", file, line, why, path);
	fflush(s->o.out);
	rc = scn_run(s, path, f);
	fclose(f);
	s->file = file;
	s->line = line;
	return rc ? rc : SCN_QUIT;
}
