/*
 * The high-level commands: what the Linux mshv driver does around the raw
 * calls (drivers/hv/mshv_root_hv_call.c, hv_proc.c, as tlfs-facts §6
 * describes it), issued hypercall by hypercall through the scenario's
 * caller so that every step shows in the trace; and the guest's side of
 * SynIC messages and events in the null backend (reading SIM and SIEF
 * slots, acknowledging interrupts).
 */
#include "scnint.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openhv/client.h>

/* Linux's numbers (mshv_root_hv_call.c, hv_proc.c). */
#define LINUX_INIT_DEPOSIT	208
#define LINUX_VP_DEPOSIT	90
#define LINUX_MAP_DEPOSIT	256
#define LINUX_DEPOSIT_MAX	511
#define LINUX_WITHDRAW_BATCH	512
#define LINUX_MAP_BATCH		509
#define RETRY_LIMIT		4096	/* 1-page deposits before giving up */

/* One step of a helper: a failing status is the helper's outcome. */
struct step {
	struct scn *s;
	const char *cmd;	/* "partition new" */
	char what[96];		/* the call that decided it */
};

static enum scn_rc call(struct step *h, uint16_t code, bool fast,
			const void *in, size_t in_len, uint32_t reps, void *out,
			size_t out_len, hv_status_t *st, uint32_t *done)
{
	struct issue is = { .code = code, .fast = fast, .reps = reps };
	uint32_t d;
	enum scn_rc rc = scn_issue(h->s, &is, in, in_len, out, out_len, st,
				   done ? done : &d);

	snprintf(h->what, sizeof(h->what), "%s: %s", h->cmd,
		 ohv_call_name(code));
	return rc;
}

/* A page from the caller's source, silently; false when none is left. */
static bool take(struct scn *s, uint32_t node, uint64_t *page)
{
	if (s->caller == 1)
		return !ohv_root_alloc(s->hv, node, page);
	for (size_t i = 0; i < s->n_srcs; i++) {
		struct pagesrc *p = &s->srcs[i];

		if (p->pid == s->caller && p->n) {
			*page = p->pages[--p->n];
			return true;
		}
	}
	return false;
}

/*
 * Deposit pages pages of the caller's into target, at most 511 per call
 * (hv_call_deposit_pages).  A batch the source cannot fill is not
 * deposited: NO_RESOURCES, as the client layer answers.
 */
static enum scn_rc deposit(struct step *h, uint64_t target, uint64_t pages,
			   uint32_t node, hv_status_t *st)
{
	struct scn *s = h->s;
	uint64_t buf[1 + LINUX_DEPOSIT_MAX];

	*st = HV_STATUS_SUCCESS;
	while (pages) {
		uint32_t n = pages > LINUX_DEPOSIT_MAX ? LINUX_DEPOSIT_MAX :
			(uint32_t)pages, got = 0, done = 0;
		enum scn_rc rc;

		buf[0] = target;
		while (got < n && take(s, node, &buf[1 + got]))
			got++;
		if (got < n) {
			for (uint32_t i = 0; i < got; i++)
				scn_page_free(s, s->caller, buf[1 + i]);
			snprintf(h->what, sizeof(h->what), "%s: partition %"
				 PRIu64 " has no pages left to deposit", h->cmd,
				 s->caller);
			*st = HV_STATUS_NO_RESOURCES;
			return SCN_OK;
		}
		rc = call(h, HVCALL_DEPOSIT_MEMORY, false, buf, 8 + 8 * (size_t)n,
			  n, NULL, 0, st, &done);
		for (uint32_t i = rc ? 0 : done; i < n; i++)
			scn_page_free(s, s->caller, buf[1 + i]);
		if (rc || *st)
			return rc;
		pages -= n;
	}
	return SCN_OK;
}

/* Withdraw up to max pages (UINT64_MAX: all) in batches of 512; the pages
 * go back to the caller's source.  NO_RESOURCES means empty: SUCCESS. */
static enum scn_rc withdraw(struct step *h, uint64_t target, uint64_t max,
			    uint64_t *got, hv_status_t *st)
{
	struct scn *s = h->s;
	struct hv_input_withdraw_memory in = { .partition_id = target };
	uint64_t pages[LINUX_WITHDRAW_BATCH];

	*got = 0;
	*st = HV_STATUS_SUCCESS;
	while (*got < max) {
		uint64_t want = max - *got;
		uint32_t n = want > LINUX_WITHDRAW_BATCH ? LINUX_WITHDRAW_BATCH :
			(uint32_t)want, done = 0;
		enum scn_rc rc = call(h, HVCALL_WITHDRAW_MEMORY, false, &in,
				      sizeof(in), n, pages, sizeof(pages[0]) * n,
				      st, &done);

		if (rc)
			return rc;
		for (uint32_t i = 0; i < done; i++)
			scn_page_free(s, s->caller, pages[i]);
		*got += done;
		if (*st == HV_STATUS_NO_RESOURCES) {
			*st = HV_STATUS_SUCCESS;
			return SCN_OK;
		}
		if (*st)
			return SCN_OK;
	}
	return SCN_OK;
}

/* Report a helper's outcome and take its capture. */
static enum scn_rc finish(struct step *h, struct toks *t, enum scn_rc rc,
			  hv_status_t st, const uint64_t *vals, size_t n)
{
	if (rc)
		return rc;
	scn_outcome(h->s, h->what[0] ? h->what : h->cmd, st, 0, st);
	if (st == HV_STATUS_SUCCESS && t->ncap)
		return scn_capture(h->s, t, vals, n, h->cmd);
	return SCN_OK;
}

static enum scn_rc partition_arg(struct scn *s, const char *text, uint64_t *pid)
{
	enum scn_rc rc = scn_value(s, text, OHV_FMT_PARTITION_ID, pid);

	if (!rc)
		*pid = scn_resolve(s, s->caller, *pid);
	return rc;
}

/* The value of option KEY=VALUE among the words from `from` on, or NULL. */
static char *opt(struct toks *t, size_t from, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = from; i < t->n; i++)
		if (!strncmp(t->t[i], key, n) && t->t[i][n] == '=')
			return t->t[i] + n + 1;
	return NULL;
}

static bool flag(struct toks *t, size_t from, const char *word)
{
	for (size_t i = from; i < t->n; i++)
		if (!strcmp(t->t[i], word))
			return true;
	return false;
}

static enum scn_rc only(struct scn *s, struct toks *t, size_t from,
			const char *const *allowed)
{
	for (size_t i = from; i < t->n; i++) {
		const char *w = t->t[i];
		const char *eq = strchr(w, '=');
		size_t n = eq ? (size_t)(eq - w) : strlen(w);
		bool ok = false;

		for (const char *const *a = allowed; *a && !ok; a++)
			ok = strlen(*a) == n && !strncmp(*a, w, n);
		if (!ok)
			return scn_err(s, SCN_ERROR, "%s %s: unexpected '%s' "
				       "(help %s)", t->t[0], t->n > 1 ? t->t[1] :
				       "", w, t->t[0]);
	}
	return SCN_OK;
}

/* ---------------------------------------------------------------------- */
/* partition new / partition destroy                                       */

/* After a failed step: take back what went in and delete the child, as
 * Linux's create path does; the step's status stays the outcome. */
static void undo_create(struct step *h, uint64_t id)
{
	struct step u = { .s = h->s, .cmd = h->cmd };
	hv_status_t st;
	uint64_t got;

	if (withdraw(&u, id, UINT64_MAX, &got, &st) || st)
		return;
	call(&u, HVCALL_DELETE_PARTITION, true, &id, 8, 0, NULL, 0, &st, NULL);
}

static enum scn_rc partition_new(struct scn *s, struct toks *t)
{
	struct step h = { .s = s, .cmd = "partition new" };
	struct hv_input_create_partition in;
	const struct ohv_call_info *l = ohv_call_info(HVCALL_CREATE_PARTITION);
	uint64_t id = 0, privileges = 0, pages = LINUX_INIT_DEPOSIT;
	bool set_privileges = false, init = true;
	hv_status_t st = HV_STATUS_SUCCESS;
	enum scn_rc rc = SCN_OK;

	/* Linux's request (mshv_ioctl_create_partition). */
	memset(&in, 0, sizeof(in));
	in.flags = HV_PARTITION_CREATION_FLAG_EXO_PARTITION |
		HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED;
	if (s->cfg.arch == OHV_ARCH_X64)
		in.flags |= HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED;
	in.compatibility_version = HV_COMPATIBILITY_21_H2;
	for (size_t i = 2; i < t->n; i++) {
		char *key = t->t[i], *v = scn_split(key);
		const struct ohv_field *f;
		uint64_t x;

		if (!v && !strcmp(key, "uninitialized")) {
			init = false;
			continue;
		}
		if (!v)
			return scn_err(s, SCN_ERROR, "partition new: '%s' is not "
				       "Field=value", key);
		if (!strcmp(key, "PrivilegeFlags")) {
			if (scn_value(s, v, OHV_FMT_PRIVILEGES, &privileges))
				return SCN_ERROR;
			set_privileges = true;
			continue;
		}
		if (!strcmp(key, "deposit")) {
			if (scn_value(s, v, OHV_FMT_DEC, &pages))
				return SCN_ERROR;
			continue;
		}
		f = layout_field(l, s->cfg.arch, key);
		if (!f)
			return scn_err(s, SCN_ERROR, "partition new: no field "
				       "'%s' (HvCreatePartition's fields, "
				       "PrivilegeFlags=, deposit=N, "
				       "uninitialized)", key);
		if (scn_value(s, v, (enum ohv_field_fmt)f->fmt, &x))
			return SCN_ERROR;
		if (f->size < 8 && x >> (8 * f->size))
			return scn_err(s, SCN_ERROR, "%s is a %u-byte field",
				       f->name, f->size);
		memcpy((uint8_t *)&in + f->off, &x, f->size);
	}
	if (!scn_hv(s))
		return SCN_FAILED;
	s->command = h.cmd;
	/* hv_call_create_partition: on INSUFFICIENT_MEMORY deposit one page
	 * into the caller's own pool and retry (only the root has pages
	 * of its own to give: SPEC 5.1). */
	for (unsigned k = 0; !rc; k++) {
		uint64_t out;

		rc = call(&h, HVCALL_CREATE_PARTITION, false, &in,
			  l->in_size[s->cfg.arch], 0, &out, 8, &st, NULL);
		if (!rc && !st)
			id = out;
		if (rc || st != HV_STATUS_INSUFFICIENT_MEMORY || s->caller != 1 ||
		    k == RETRY_LIMIT)
			break;
		rc = deposit(&h, HV_PARTITION_ID_SELF, 1, OHV_ANY_NODE, &st);
		if (!rc && st)
			break;
	}
	if (!rc && !st && set_privileges) {
		struct hv_input_set_partition_property p = {
			.partition_id = id,
			.property_code = HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
			.property_value = privileges,
		};

		rc = call(&h, HVCALL_SET_PARTITION_PROPERTY, false, &p, sizeof(p),
			  0, NULL, 0, &st, NULL);
	}
	/* hv_call_initialize_partition: 208 pages, then initialize (fast),
	 * one more page per INSUFFICIENT_MEMORY. */
	if (!rc && !st && init && pages)
		rc = deposit(&h, id, pages, OHV_ANY_NODE, &st);
	for (unsigned k = 0; !rc && !st && init; k++) {
		rc = call(&h, HVCALL_INITIALIZE_PARTITION, true, &id, 8, 0, NULL,
			  0, &st, NULL);
		if (rc || st != HV_STATUS_INSUFFICIENT_MEMORY || k == RETRY_LIMIT)
			break;
		rc = deposit(&h, id, 1, OHV_ANY_NODE, &st);
	}
	if (!rc && st && id)
		undo_create(&h, id);
	return finish(&h, t, rc, st, &id, 1);
}

/* The root sets its own rights on pages (SPEC 6: HvMapGpaPages on itself,
 * every element its own base + i; flags 0 gives up all access), one call
 * per run of consecutive pages. */
static enum scn_rc root_rights(struct step *h, const uint64_t *pages,
			       size_t n, uint32_t flags, hv_status_t *st)
{
	struct {
		struct hv_input_map_gpa_pages h;
		uint64_t list[LINUX_MAP_BATCH];
	} in;
	size_t i = 0;

	*st = HV_STATUS_SUCCESS;
	while (i < n) {
		size_t k = 1;

		while (i + k < n && k < LINUX_MAP_BATCH &&
		       pages[i + k] == pages[i] + k)
			k++;
		memset(&in.h, 0, sizeof(in.h));
		in.h.target_partition_id = HV_PARTITION_ID_SELF;
		in.h.target_gpa_base = pages[i];
		in.h.map_flags = flags;
		for (size_t j = 0; j < k; j++)
			in.list[j] = pages[i + j];
		enum scn_rc rc = call(h, HVCALL_MAP_GPA_PAGES, false, &in,
				      24 + 8 * k, (uint32_t)k, NULL, 0, st, NULL);

		if (rc || *st)
			return rc;
		i += k;
	}
	return SCN_OK;
}

static int page_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void scn_grants_release(struct scn *s, uint64_t pid)
{
	struct step h = { .s = s, .cmd = "partition destroy" };
	uint64_t keep_caller = s->caller;
	uint32_t keep_vp = s->vp;

	/* The root takes its own access back to pages it gave away whole
	 * (SPEC 6), then frees them. */
	uint64_t *back = calloc(s->n_grants + 1, sizeof(*back));
	size_t nback = 0;

	s->caller = 1;
	s->vp = 0;
	for (size_t i = s->n_grants; i-- > 0;) {
		struct grant *g = &s->grants[i];

		if (g->pid != pid)
			continue;
		if (g->exclusive && back)
			back[nback++] = g->page;
		else
			ohv_root_free(s->hv, g->page);
		VDEL(s, grants, i);
	}
	if (nback) {
		hv_status_t st;

		qsort(back, nback, sizeof(*back), page_cmp);
		root_rights(&h, back, nback, HV_MAP_GPA_PERMISSIONS_MASK, &st);
		for (size_t i = 0; i < nback; i++)
			ohv_root_free(s->hv, back[i]);
	}
	free(back);
	/* Its own pages it could deposit are gone with it. */
	for (size_t i = 0; i < s->n_srcs; i++)
		if (s->srcs[i].pid == pid)
			s->srcs[i].n = 0;
	for (size_t i = 0; i < s->n_io; i++)
		if (s->io[i].pid == pid)
			VDEL(s, io, i--);
	s->caller = keep_caller;
	s->vp = keep_vp;
}

static enum scn_rc partition_destroy(struct scn *s, struct toks *t)
{
	struct step h = { .s = s, .cmd = "partition destroy" };
	struct ohv_partition_info info;
	uint64_t id, got;
	hv_status_t st = HV_STATUS_SUCCESS;
	enum scn_rc rc;

	if (t->n != 3)
		return scn_err(s, SCN_ERROR, "usage: partition destroy PARTITION");
	if (!scn_hv(s))
		return SCN_FAILED;
	rc = partition_arg(s, t->t[2], &id);
	if (rc)
		return rc;
	s->command = h.cmd;
	/* destroy_partition: finalize if it was initialized, withdraw
	 * everything, delete. */
	if (!ohv_partition_info(s->hv, id, &info) &&
	    info.state == OHV_STATE_ACTIVE)
		rc = call(&h, HVCALL_FINALIZE_PARTITION, true, &id, 8, 0, NULL, 0,
			  &st, NULL);
	if (!rc && !st)
		rc = withdraw(&h, id, UINT64_MAX, &got, &st);
	if (!rc && !st)
		rc = call(&h, HVCALL_DELETE_PARTITION, true, &id, 8, 0, NULL, 0,
			  &st, NULL);
	if (!rc && !st)
		scn_grants_release(s, id);
	return finish(&h, t, rc, st, NULL, 0);
}

static enum scn_rc cmd_partition(struct scn *s, struct toks *t)
{
	if (t->n >= 2 && !strcmp(t->t[1], "new"))
		return partition_new(s, t);
	if (t->n >= 2 && !strcmp(t->t[1], "destroy"))
		return partition_destroy(s, t);
	return scn_err(s, SCN_ERROR, "usage: partition new [...] -> NAME | "
		       "partition destroy PARTITION");
}

/* ---------------------------------------------------------------------- */
/* deposit, withdraw, balance                                              */

static enum scn_rc cmd_deposit(struct scn *s, struct toks *t)
{
	static const char *const allowed[] = { "node", NULL };
	struct step h = { .s = s, .cmd = "deposit" };
	uint64_t id, n, node = OHV_ANY_NODE;
	hv_status_t st;
	enum scn_rc rc;
	char *v;

	if (t->n < 3 || only(s, t, 3, allowed))
		return t->n < 3 ? scn_err(s, SCN_ERROR, "usage: deposit PARTITION "
					  "PAGES [node=N]") : SCN_ERROR;
	if (!scn_hv(s))
		return SCN_FAILED;
	if (partition_arg(s, t->t[1], &id) || scn_value(s, t->t[2], OHV_FMT_DEC, &n))
		return SCN_ERROR;
	v = opt(t, 3, "node");
	if (v && scn_value(s, v, OHV_FMT_DEC, &node))
		return SCN_ERROR;
	if (node != OHV_ANY_NODE && node >= s->cfg.numa_nodes)
		return scn_err(s, SCN_ERROR, "deposit: no NUMA node %" PRIu64, node);
	s->command = h.cmd;
	rc = deposit(&h, id, n, (uint32_t)node, &st);
	return finish(&h, t, rc, st, &n, 1);
}

static enum scn_rc cmd_withdraw(struct scn *s, struct toks *t)
{
	struct step h = { .s = s, .cmd = "withdraw" };
	uint64_t id, max = UINT64_MAX, got = 0;
	hv_status_t st;
	enum scn_rc rc;

	if (t->n < 2 || t->n > 3)
		return scn_err(s, SCN_ERROR, "usage: withdraw PARTITION "
			       "[PAGES|all]");
	if (!scn_hv(s))
		return SCN_FAILED;
	if (partition_arg(s, t->t[1], &id))
		return SCN_ERROR;
	if (t->n == 3 && strcmp(t->t[2], "all") &&
	    scn_value(s, t->t[2], OHV_FMT_DEC, &max))
		return SCN_ERROR;
	s->command = h.cmd;
	rc = withdraw(&h, id, max, &got, &st);
	if (!rc && !st && s->o.verbosity)
		fprintf(s->o.out, "       withdrew %" PRIu64 " page%s from "
			"partition %" PRIu64 "\n", got, got == 1 ? "" : "s", id);
	return finish(&h, t, rc, st, &got, 1);
}

static enum scn_rc cmd_balance(struct scn *s, struct toks *t)
{
	static const char *const allowed[] = { "node", NULL };
	struct ohv_partition_info info;
	uint64_t id, node = OHV_ANY_NODE, v[2];
	char *nv;

	if (t->n < 2 || only(s, t, 2, allowed))
		return t->n < 2 ? scn_err(s, SCN_ERROR, "usage: balance PARTITION "
					  "[node=N] [-> available, inuse]") :
			SCN_ERROR;
	if (!scn_hv(s))
		return SCN_FAILED;
	if (partition_arg(s, t->t[1], &id))
		return SCN_ERROR;
	nv = opt(t, 2, "node");
	if (nv && scn_value(s, nv, OHV_FMT_DEC, &node))
		return SCN_ERROR;
	if (ohv_partition_info(s->hv, id, &info))
		return scn_err(s, SCN_FAILED, "balance: no live partition %"
			       PRIu64, id);
	v[0] = info.pool_available;
	v[1] = info.pool_in_use;
	if (nv && ohv_pool_node_balance(s->hv, id, (uint32_t)node, &v[0], &v[1]))
		return scn_err(s, SCN_ERROR, "balance: no NUMA node %" PRIu64,
			       node);
	if (!t->ncap || s->o.verbosity > 1)
		fprintf(s->o.out, "partition %" PRIu64 "%s: %" PRIu64
			" available, %" PRIu64 " in use\n", id,
			nv ? " (one node)" : "", v[0], v[1]);
	return scn_capture(s, t, v, 2, "balance");
}

/* ---------------------------------------------------------------------- */
/* map                                                                     */

static enum scn_rc cmd_map(struct scn *s, struct toks *t)
{
	static const char *const allowed[] = { "flags", "exclusive", NULL };
	struct step h = { .s = s, .cmd = "map" };
	uint64_t id, base, n, flags = HV_MAP_GPA_PERMISSIONS_MASK;
	uint64_t *pages = NULL;
	hv_status_t st = HV_STATUS_SUCCESS;
	enum scn_rc rc;
	size_t mapped = 0;
	bool exclusive;
	char *fv;

	if (t->n < 4 || only(s, t, 4, allowed))
		return t->n < 4 ? scn_err(s, SCN_ERROR, "usage: map PARTITION "
					  "GPAPAGE PAGES [flags=F] [exclusive]") :
			SCN_ERROR;
	if (!scn_hv(s))
		return SCN_FAILED;
	if (partition_arg(s, t->t[1], &id) ||
	    scn_value(s, t->t[2], OHV_FMT_GPA_PAGE, &base) ||
	    scn_value(s, t->t[3], OHV_FMT_DEC, &n))
		return SCN_ERROR;
	fv = opt(t, 4, "flags");
	if (fv && scn_value(s, fv, OHV_FMT_MAP_FLAGS, &flags))
		return SCN_ERROR;
	exclusive = flag(t, 4, "exclusive");
	if (exclusive && s->caller != 1)
		return scn_err(s, SCN_ERROR, "map exclusive: only the root gives "
			       "up access to its own pages (SPEC 6)");
	if (!n || n > SCN_MAX_LIST)
		return scn_err(s, SCN_ERROR, "map: 1 to %d pages", SCN_MAX_LIST);
	pages = calloc(n, sizeof(*pages));
	if (!pages)
		return scn_err(s, SCN_FAILED, "out of memory");
	s->command = h.cmd;
	for (uint64_t i = 0; i < n; i++) {
		if (!take(s, OHV_ANY_NODE, &pages[i])) {
			for (uint64_t k = 0; k < i; k++)
				scn_page_free(s, s->caller, pages[k]);
			free(pages);
			snprintf(h.what, sizeof(h.what), "map: partition %" PRIu64
				 " has no pages left to map", s->caller);
			return finish(&h, t, SCN_OK, HV_STATUS_NO_RESOURCES,
				      NULL, 0);
		}
	}
	/* hv_do_map_gpa_hcall: batches of 509; on INSUFFICIENT_MEMORY 256
	 * pages into the target and the rest of the batch again. */
	rc = SCN_OK;
	while (!rc && mapped < n) {
		struct {
			struct hv_input_map_gpa_pages h;
			uint64_t list[LINUX_MAP_BATCH];
		} in;
		size_t k = n - mapped > LINUX_MAP_BATCH ? LINUX_MAP_BATCH :
			n - mapped;
		uint32_t done = 0;

		memset(&in.h, 0, sizeof(in.h));
		in.h.target_partition_id = id;
		in.h.target_gpa_base = base + mapped;
		in.h.map_flags = (uint32_t)flags;
		memcpy(in.list, pages + mapped, k * 8);
		rc = call(&h, HVCALL_MAP_GPA_PAGES, false, &in, 24 + 8 * k,
			  (uint32_t)k, NULL, 0, &st, &done);
		if (rc)
			break;
		mapped += done;
		if (st == HV_STATUS_INSUFFICIENT_MEMORY) {
			rc = deposit(&h, id, LINUX_MAP_DEPOSIT, OHV_ANY_NODE, &st);
			if (!rc && !st)
				continue;
		}
		if (st)
			break;
	}
	if (!rc && !st && exclusive)
		rc = root_rights(&h, pages, n, 0, &st);
	if (!rc && st) {
		/* Linux unmaps what it mapped; the pages go back. */
		struct hv_input_unmap_gpa_pages u = {
			.target_partition_id = id, .target_gpa_base = base,
		};
		hv_status_t ust;
		struct step uh = { .s = s, .cmd = "map" };

		if (mapped)
			call(&uh, HVCALL_UNMAP_GPA_PAGES, false, &u, sizeof(u),
			     (uint32_t)mapped, NULL, 0, &ust, NULL);
		for (uint64_t i = 0; i < n; i++)
			scn_page_free(s, s->caller, pages[i]);
	} else if (!rc) {
		/* Remembered, so destroy can give them back. */
		for (uint64_t i = 0; i < n && s->caller == 1; i++) {
			struct grant *g = VPUSH(s, grants);

			if (!g)
				break;
			g->pid = id;
			g->page = pages[i];
			g->exclusive = exclusive;
		}
		if (exclusive) {
			uint64_t *own = malloc(n * sizeof(*own));

			if (own) {
				for (uint64_t i = 0; i < n; i++)
					own[i] = base + i;
				scn_pages_add(s, id, own, n);
				free(own);
			}
		}
	}
	free(pages);
	return finish(&h, t, rc, st, &base, 1);
}

/* ---------------------------------------------------------------------- */
/* vp new / vp start                                                       */

static enum scn_rc vp_args(struct scn *s, struct toks *t, uint64_t *id,
			   uint64_t *vp)
{
	if (t->n < 4)
		return scn_err(s, SCN_ERROR, "usage: vp new|start PARTITION INDEX");
	if (!scn_hv(s))
		return SCN_FAILED;
	if (partition_arg(s, t->t[2], id) ||
	    scn_value(s, t->t[3], OHV_FMT_VP_INDEX, vp))
		return SCN_ERROR;
	if (*vp > UINT32_MAX)
		return scn_err(s, SCN_ERROR, "a VP index is 32 bits");
	return SCN_OK;
}

static enum scn_rc vp_new(struct scn *s, struct toks *t)
{
	static const char *const allowed[] = { "ProximityDomainInfo", NULL };
	struct step h = { .s = s, .cmd = "vp new" };
	struct hv_input_create_vp in;
	uint64_t id, vp, prox = 0;
	hv_status_t st = HV_STATUS_SUCCESS;
	enum scn_rc rc = vp_args(s, t, &id, &vp);
	char *pv;

	if (rc || only(s, t, 4, allowed))
		return rc ? rc : SCN_ERROR;
	pv = opt(t, 4, "ProximityDomainInfo");
	if (pv && scn_value(s, pv, OHV_FMT_PROXIMITY, &prox))
		return SCN_ERROR;
	memset(&in, 0, sizeof(in));
	in.partition_id = id;
	in.vp_index = (uint32_t)vp;
	memcpy(&in.proximity_domain_info, &prox, 8);
	s->command = h.cmd;
	/* hv_call_create_vp: 90 pages first, except for the caller's own
	 * VPs; then one page per INSUFFICIENT_MEMORY. */
	if (id != s->caller)
		rc = deposit(&h, id, LINUX_VP_DEPOSIT, OHV_ANY_NODE, &st);
	for (unsigned k = 0; !rc && !st; k++) {
		rc = call(&h, HVCALL_CREATE_VP, false, &in, sizeof(in), 0, NULL,
			  0, &st, NULL);
		if (rc || st != HV_STATUS_INSUFFICIENT_MEMORY || k == RETRY_LIMIT)
			break;
		rc = deposit(&h, id, 1, OHV_ANY_NODE, &st);
	}
	return finish(&h, t, rc, st, NULL, 0);
}

/* Write registers of one VP in one HvSetVpRegisters. */
static enum scn_rc set_regs(struct step *h, uint64_t id, uint32_t vp,
			    const struct hv_register_assoc *regs, size_t n,
			    hv_status_t *st)
{
	struct {
		struct hv_input_set_vp_registers h;
		struct hv_register_assoc a[24];
	} in;

	memset(&in, 0, sizeof(in));
	in.h.partition_id = id;
	in.h.vp_index = vp;
	memcpy(in.a, regs, n * sizeof(*regs));
	return call(h, HVCALL_SET_VP_REGISTERS, false, &in, 16 + 32 * n,
		    (uint32_t)n, NULL, 0, st, NULL);
}

static enum scn_rc vp_start(struct scn *s, struct toks *t)
{
	struct step h = { .s = s, .cmd = "vp start" };
	struct hv_register_assoc r = { .name = HV_REGISTER_EXPLICIT_SUSPEND };
	uint64_t id, vp;
	hv_status_t st;
	enum scn_rc rc = vp_args(s, t, &id, &vp);

	if (rc)
		return rc;
	if (t->n != 4)
		return scn_err(s, SCN_ERROR, "usage: vp start PARTITION INDEX");
	s->command = h.cmd;
	rc = set_regs(&h, id, (uint32_t)vp, &r, 1, &st);
	return finish(&h, t, rc, st, NULL, 0);
}

static enum scn_rc cmd_vp(struct scn *s, struct toks *t)
{
	if (t->n >= 2 && !strcmp(t->t[1], "new"))
		return vp_new(s, t);
	if (t->n >= 2 && !strcmp(t->t[1], "start"))
		return vp_start(s, t);
	return scn_err(s, SCN_ERROR, "usage: vp new PARTITION INDEX | vp start "
		       "PARTITION INDEX");
}

/* ---------------------------------------------------------------------- */
/* synic on                                                                */

static enum scn_rc vp_opt(struct scn *s, struct toks *t, size_t from,
			  uint64_t *vp)
{
	char *v = opt(t, from, "vp");

	*vp = 0;
	if (v && scn_value(s, v, OHV_FMT_VP_INDEX, vp))
		return SCN_ERROR;
	if (*vp >= OHV_MAX_VPS)
		return scn_err(s, SCN_ERROR, "vp=%" PRIu64 ": VPs are 0-%u", *vp,
			       OHV_MAX_VPS - 1);
	return SCN_OK;
}

static enum scn_rc cmd_synic(struct scn *s, struct toks *t)
{
	static const char *const allowed[] = { "vp", "simp", "siefp", "sints",
					       "vector", NULL };
	struct step h = { .s = s, .cmd = "synic on" };
	struct hv_register_assoc r[24];
	uint64_t id, vp, page, vector = 0x40, *sints = NULL;
	size_t n = 0, nsints = 0;
	hv_status_t st;
	enum scn_rc rc;
	char *v;

	if (t->n < 3 || strcmp(t->t[1], "on"))
		return scn_err(s, SCN_ERROR, "usage: synic on PARTITION [vp=N] "
			       "simp=PAGE [siefp=PAGE] [sints=LIST] [vector=V]");
	if (!scn_hv(s))
		return SCN_FAILED;
	if (only(s, t, 3, allowed) || partition_arg(s, t->t[2], &id) ||
	    vp_opt(s, t, 3, &vp))
		return SCN_ERROR;
	memset(r, 0, sizeof(r));
	r[n].name = HV_REGISTER_SCONTROL;
	r[n++].value.reg64 = HV_SYNIC_SCONTROL_ENABLE;
	v = opt(t, 3, "simp");
	if (!v)
		return scn_err(s, SCN_ERROR, "synic on: simp=PAGE is needed");
	if (scn_value(s, v, OHV_FMT_GPA_PAGE, &page))
		return SCN_ERROR;
	r[n].name = HV_REGISTER_SIMP;
	r[n++].value.reg64 = page << HV_PAGE_SHIFT | HV_SYNIC_SIMP_ENABLE;
	v = opt(t, 3, "siefp");
	if (v) {
		if (scn_value(s, v, OHV_FMT_GPA_PAGE, &page))
			return SCN_ERROR;
		r[n].name = HV_REGISTER_SIEFP;
		r[n++].value.reg64 = page << HV_PAGE_SHIFT | HV_SYNIC_SIEFP_ENABLE;
	}
	v = opt(t, 3, "vector");
	if (v && scn_value(s, v, OHV_FMT_HEX, &vector))
		return SCN_ERROR;
	v = opt(t, 3, "sints");
	if (v && scn_list(s, v, OHV_FMT_DEC, &sints, &nsints, NULL, NULL))
		return SCN_ERROR;
	for (size_t i = 0; i < nsints; i++) {
		if (sints[i] >= HV_SYNIC_SINT_COUNT) {
			free(sints);
			return scn_err(s, SCN_ERROR, "synic on: SINT %" PRIu64
				       " (SINTs are 0-15)", sints[i]);
		}
		/* SINTx: vector + x, unmasked. */
		r[n].name = HV_REGISTER_SINT0 + (uint32_t)sints[i];
		r[n++].value.reg64 = (vector + sints[i]) &
			HV_SYNIC_SINT_VECTOR_MASK;
	}
	free(sints);
	s->command = h.cmd;
	rc = set_regs(&h, id, (uint32_t)vp, r, n, &st);
	return finish(&h, t, rc, st, NULL, 0);
}

/* ---------------------------------------------------------------------- */
/* The guest's side: message, events, sints                                */

static enum scn_rc slot_args(struct scn *s, struct toks *t, const char *what,
			     uint64_t *id, uint64_t *vp, uint64_t *page,
			     uint64_t *sint)
{
	static const char *const allowed[] = { "vp", "page", "sint", "clear",
					       NULL };
	char *pv, *sv;

	if (t->n < 2)
		return scn_err(s, SCN_ERROR, "usage: %s PARTITION [vp=N] page=PAGE "
			       "sint=S [clear]", what);
	if (!scn_hv(s))
		return SCN_FAILED;
	if (only(s, t, 2, allowed) || partition_arg(s, t->t[1], id) ||
	    vp_opt(s, t, 2, vp))
		return SCN_ERROR;
	pv = opt(t, 2, "page");
	sv = opt(t, 2, "sint");
	if (!pv || !sv)
		return scn_err(s, SCN_ERROR, "%s: page=PAGE and sint=S are needed "
			       "(the page SIMP or SIEFP names)", what);
	if (scn_value(s, pv, OHV_FMT_GPA_PAGE, page) || scn_value(s, sv, OHV_FMT_DEC, sint))
		return SCN_ERROR;
	if (*sint >= HV_SYNIC_SINT_COUNT)
		return scn_err(s, SCN_ERROR, "%s: SINTs are 0-15", what);
	return SCN_OK;
}

static enum scn_rc cmd_message(struct scn *s, struct toks *t)
{
	struct step h = { .s = s, .cmd = "message" };
	uint64_t id, vp, page, sint;
	struct hv_message *slot;
	char payload[HV_MESSAGE_PAYLOAD_BYTE_COUNT * 2 + 8];
	enum scn_rc rc = slot_args(s, t, "message", &id, &vp, &page, &sint);

	if (rc)
		return rc;
	slot = ohv_gpa(s->hv, id, page << HV_PAGE_SHIFT | sint * HV_MESSAGE_SIZE,
		       HV_MESSAGE_SIZE);
	if (!slot)
		return scn_err(s, SCN_FAILED, "message: page 0x%" PRIx64 " is not "
			       "mapped in partition %" PRIu64, page, id);
	struct hv_message m = *slot;
	uint64_t v[4] = { m.header.message_type, m.header.payload_size,
			  m.header.port, m.header.message_flags };
	size_t size = m.header.payload_size < HV_MESSAGE_PAYLOAD_BYTE_COUNT ?
		m.header.payload_size : HV_MESSAGE_PAYLOAD_BYTE_COUNT;

	if (m.header.message_type == HV_MESSAGE_TYPE_NONE) {
		fprintf(s->o.out, "       SIM slot %" PRIu64 " of partition %"
			PRIu64 ": empty\n", sint, id);
	} else {
		layout_payload(payload, sizeof(payload), m.payload, size);
		fprintf(s->o.out, "       SIM slot %" PRIu64 " of partition %"
			PRIu64 ": MessageType 0x%" PRIx32 " PayloadSize %u "
			"MessageFlags 0x%x%s Port %" PRIu32 " Payload %s\n", sint,
			id, m.header.message_type, m.header.payload_size,
			m.header.message_flags, m.header.message_flags &
			HV_MESSAGE_FLAG_PENDING ? " (MessagePending)" : "",
			m.header.port, payload);
	}
	if (flag(t, 2, "clear") && m.header.message_type != HV_MESSAGE_TYPE_NONE) {
		/* As the guest's handler: acknowledge, free the slot, and
		 * write EOM when more is waiting (TLFS 2.0 §14.2.4). */
		ohv_vp_sint_ack(s->hv, id, (uint32_t)vp, (uint32_t)sint);
		__atomic_store_n(&slot->header.message_type, HV_MESSAGE_TYPE_NONE,
				 __ATOMIC_RELEASE);
		if (m.header.message_flags & HV_MESSAGE_FLAG_PENDING) {
			struct hv_register_assoc r = { .name = HV_REGISTER_EOM };
			hv_status_t st;

			s->command = h.cmd;
			rc = set_regs(&h, id, (uint32_t)vp, &r, 1, &st);
			if (rc || st)
				return finish(&h, t, rc, st, NULL, 0);
		}
	}
	return scn_capture(s, t, v, 4, "message");
}

static enum scn_rc cmd_events(struct scn *s, struct toks *t)
{
	uint64_t id, vp, page, sint, count = 0, firstflag = 0;
	uint8_t *flags;
	enum scn_rc rc = slot_args(s, t, "events", &id, &vp, &page, &sint);

	if (rc)
		return rc;
	flags = ohv_gpa(s->hv, id, page << HV_PAGE_SHIFT | sint * 256, 256);
	if (!flags)
		return scn_err(s, SCN_FAILED, "events: page 0x%" PRIx64 " is not "
			       "mapped in partition %" PRIu64, page, id);
	fprintf(s->o.out, "       SIEF slot %" PRIu64 " of partition %" PRIu64
		":", sint, id);
	for (unsigned i = 0; i < HV_EVENT_FLAGS_COUNT; i++) {
		if (!(flags[i / 8] & (1u << (i % 8))))
			continue;
		if (!count++)
			firstflag = i;
		fprintf(s->o.out, " %u", i);
	}
	fprintf(s->o.out, "%s\n", count ? "" : " no flags set");
	if (flag(t, 2, "clear")) {
		ohv_vp_sint_ack(s->hv, id, (uint32_t)vp, (uint32_t)sint);
		memset(flags, 0, 256);
	}
	uint64_t v[2] = { count, firstflag };

	return scn_capture(s, t, v, 2, "events");
}

static enum scn_rc cmd_sints(struct scn *s, struct toks *t)
{
	static const char *const allowed[] = { "vp", NULL };
	struct ohv_sint_state ss;
	uint64_t id, vp, pending;
	bool any = false;

	if (t->n < 2 || only(s, t, 2, allowed))
		return t->n < 2 ? scn_err(s, SCN_ERROR, "usage: sints PARTITION "
					  "[vp=N] [-> pending, raised...]") :
			SCN_ERROR;
	if (!scn_hv(s))
		return SCN_FAILED;
	if (partition_arg(s, t->t[1], &id) || vp_opt(s, t, 2, &vp))
		return SCN_ERROR;
	if (ohv_vp_sints(s->hv, id, (uint32_t)vp, &ss))
		return scn_err(s, SCN_FAILED, "sints: no VP %" PRIu64 " in "
			       "partition %" PRIu64, vp, id);
	fprintf(s->o.out, "       interrupts of VP %" PRIu64 " of partition %"
		PRIu64 ":", vp, id);
	for (unsigned i = 0; i < HV_SYNIC_SINT_COUNT; i++) {
		if (!ss.raised[i] && !ss.queued[i])
			continue;
		fprintf(s->o.out, "%s SINT%u vector 0x%x raised %" PRIu64 "%s",
			any ? ";" : "", i, ss.vector[i], ss.raised[i],
			ss.pending & (1u << i) ? ", pending" : "");
		if (ss.queued[i])
			fprintf(s->o.out, ", %u queued", ss.queued[i]);
		any = true;
	}
	fprintf(s->o.out, "%s\n", any ? "" : " none");
	pending = ss.pending;
	uint64_t v[1 + HV_SYNIC_SINT_COUNT] = { pending };

	for (unsigned i = 0; i < HV_SYNIC_SINT_COUNT; i++)
		v[1 + i] = ss.raised[i];
	return scn_capture(s, t, v, ARRAY_SIZE(v), "sints");
}

const struct stmt scn_helpers[] = {
	{ "partition", "partition new [Field=value ...] [PrivilegeFlags=P] "
	  "[deposit=N] [uninitialized] -> NAME",
	  "create a child as Linux mshv does: HvCreatePartition with Linux's\n"
	  "request (EXO_PARTITION|INTERCEPT_MESSAGE_PAGE_ENABLED, LAPIC_ENABLED\n"
	  "on x64, compatibility 0x0609; fields override it), depositing one\n"
	  "page into the caller's pool per INSUFFICIENT_MEMORY (root only);\n"
	  "PrivilegeFlags while Uninitialized; deposit 208 pages (deposit=N);\n"
	  "HvInitializePartition (fast), one page more per INSUFFICIENT_MEMORY.\n"
	  "If a step after the create fails, the pool is withdrawn and the\n"
	  "child deleted.  uninitialized stops after the create.",
	  cmd_partition },
	{ "partition", "partition destroy PARTITION",
	  "as Linux's destroy_partition: HvFinalizePartition if Active (fast),\n"
	  "HvWithdrawMemory in batches of 512 until NO_RESOURCES,\n"
	  "HvDeletePartition (fast); pages `map` gave it go back to the root",
	  cmd_partition },
	{ "deposit", "deposit PARTITION PAGES [node=N]",
	  "take PAGES of the caller's (the root: its allocator) and\n"
	  "HvDepositMemory them into PARTITION, at most 511 per call",
	  cmd_deposit },
	{ "withdraw", "withdraw PARTITION [PAGES|all] [-> count]",
	  "HvWithdrawMemory in batches of 512 until PAGES came back or\n"
	  "NO_RESOURCES (the pool is empty); the pages return to the caller",
	  cmd_withdraw },
	{ "balance", "balance PARTITION [node=N] [-> available, inuse]",
	  "print a pool's balance (read from the library, no hypercall)",
	  cmd_balance },
	{ "map", "map PARTITION GPAPAGE PAGES [flags=F] [exclusive] [-> base]",
	  "map PAGES fresh pages of the caller's at GPAPAGE.. of PARTITION\n"
	  "(flags default RWX) as hv_do_map_gpa_hcall: batches of 509, 256\n"
	  "pages deposited into PARTITION per INSUFFICIENT_MEMORY.  exclusive\n"
	  "(root only): the root then gives up its own access, so the pages\n"
	  "are PARTITION's alone and alloc() may deposit them when it calls",
	  cmd_map },
	{ "vp", "vp new PARTITION INDEX [ProximityDomainInfo=P]",
	  "as hv_call_create_vp: deposit 90 pages (not for the caller's own\n"
	  "VPs), HvCreateVp, one page more per INSUFFICIENT_MEMORY",
	  cmd_vp },
	{ "vp", "vp start PARTITION INDEX",
	  "clear HvRegisterExplicitSuspend: the VP may issue hypercalls", cmd_vp },
	{ "synic", "synic on PARTITION [vp=N] simp=PAGE [siefp=PAGE] "
	  "[sints=LIST] [vector=V]",
	  "one HvSetVpRegisters: SCONTROL enabled, SIMP (and SIEFP) at the\n"
	  "GPA pages, and each listed SINTx unmasked with vector V+x (V 0x40)",
	  cmd_synic },
	{ "message", "message PARTITION [vp=N] page=PAGE sint=S [clear] "
	  "[-> type, size, port, flags]",
	  "print SIM slot S of the page PARTITION's SIMP names; clear does\n"
	  "what the guest does: acknowledge the SINT, empty the slot and write\n"
	  "EOM (a hypercall of the caller) when MessagePending is set",
	  cmd_message },
	{ "events", "events PARTITION [vp=N] page=PAGE sint=S [clear] "
	  "[-> count, first]",
	  "print the set flags of SIEF slot S; clear acknowledges and clears",
	  cmd_events },
	{ "sints", "sints PARTITION [vp=N] [-> pending, raised0, ...]",
	  "print the SINT interrupts raised on a VP (no hypercall)", cmd_sints },
	{ NULL, NULL, NULL, NULL },
};
