/* SPDX-License-Identifier: MIT */
/*
 * The high-level commands: what the Linux mshv driver does around the raw
 * calls (drivers/hv/mshv_root_hv_call.c, hv_proc.c, as facts §6
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

/*
 * One helper command: a client speaking for the scenario's caller, funded
 * from the caller's pages (the root's allocator, or the pages a partition
 * was given with `pages` or `map ... exclusive`).
 */
struct step {
	struct scn *s;
	const char *cmd;	/* "partition new" */
	struct ohv_client *c;
	uint64_t pid;		/* the caller */
	bool dry;		/* the caller's pages ran out */
	uint64_t seq0;		/* hypercalls issued before it */
};

/* Pages of the caller's, silently: as many as there are, up to count. */
static size_t fund(void *ctx, uint32_t node, uint64_t *pages, size_t count)
{
	struct step *h = ctx;
	struct scn *s = h->s;
	size_t k = 0;

	for (; k < count && h->pid == ohv_root_id(s->hv); k++)
		if (ohv_root_alloc(s->hv, node, &pages[k]))
			break;
	for (size_t i = 0; i < s->n_srcs && h->pid != ohv_root_id(s->hv); i++)
		while (s->srcs[i].pid == h->pid && s->srcs[i].n && k < count)
			pages[k++] = s->srcs[i].pages[--s->srcs[i].n];
	h->dry |= k < count;
	return k;
}

static void unfund(void *ctx, const uint64_t *pages, size_t count)
{
	struct step *h = ctx;

	for (size_t i = 0; i < count; i++)
		scn_page_free(h->s, h->pid, pages[i]);
}

static enum scn_rc begin(struct step *h, struct scn *s, const char *cmd)
{
	uint64_t in, out;

	memset(h, 0, sizeof(*h));
	h->s = s;
	h->cmd = cmd;
	h->pid = s->caller;
	h->seq0 = s->seq;
	if (!scn_hv(s))
		return SCN_FAILED;
	if (scn_io(s, s->caller, &in, &out))
		return SCN_ERROR;
	if (ohv_client_open_vp(s->hv, s->caller, s->vp, in << HV_PAGE_SHIFT,
			       out << HV_PAGE_SHIFT, &h->c))
		return scn_err(s, SCN_FAILED, "%s: no live partition %" PRIu64
			       " to issue it", cmd, s->caller);
	ohv_client_set_page_source(h->c, fund, unfund, h);
	s->command = cmd;
	return SCN_OK;
}

/* Report a helper's outcome (the status of the step that decided it),
 * take its capture, close its client. */
static enum scn_rc finish(struct step *h, struct toks *t, hv_status_t st,
			  const uint64_t *vals, const uint8_t *fmts, size_t n)
{
	struct scn *s = h->s;
	char what[96];

	if (st == HV_STATUS_NO_RESOURCES && h->dry)
		snprintf(what, sizeof(what), "%s: partition %" PRIu64 " has no "
			 "pages left to %s", h->cmd, h->pid,
			 strcmp(h->cmd, "map") ? "deposit" : "map");
	else if (s->seq != h->seq0)
		snprintf(what, sizeof(what), "%s: %s", h->cmd,
			 ohv_call_name(s->last_code));
	else
		snprintf(what, sizeof(what), "%s", h->cmd);
	ohv_client_close(h->c);
	h->c = NULL;
	scn_outcome(s, what, st, 0, st);
	if (st == HV_STATUS_SUCCESS && t->ncap)
		return scn_capture(s, t, vals, fmts, n, h->cmd);
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

static enum scn_rc partition_new(struct scn *s, struct toks *t)
{
	struct step h;
	struct hv_input_create_partition in;
	const struct ohv_call_info *l = ohv_call_info(HVCALL_CREATE_PARTITION);
	uint64_t id = 0, privileges = 0, pages = OHV_LINUX_INIT_DEPOSIT_PAGES;
	bool set_privileges = false, init = true;
	hv_status_t st;
	enum scn_rc rc;

	/* Linux's request (mshv_ioctl_create_partition), as x64 lays it
	 * out: the client sends arm64's layout on arm64. */
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
		if (!layout_field(l, s->cfg.arch, key))
			return scn_err(s, SCN_ERROR, "partition new: no field "
				       "'%s' (HvCreatePartition's fields, "
				       "PrivilegeFlags=, deposit=N, "
				       "uninitialized)", key);
		f = layout_field(l, OHV_ARCH_X64, key);
		if (scn_value(s, v, (enum ohv_field_fmt)f->fmt, &x))
			return SCN_ERROR;
		if (f->size < 8 && x >> (8 * f->size))
			return scn_err(s, SCN_ERROR, "%s is a %u-byte field",
				       f->name, f->size);
		memcpy((uint8_t *)&in + f->off, &x, f->size);
	}
	rc = begin(&h, s, "partition new");
	if (rc)
		return rc;
	st = ohv_client_create_partition(h.c, &in, &id);
	if (!st && set_privileges)
		st = ohv_call_set_partition_property(
			h.c, id, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, privileges);
	/* hv_call_initialize_partition, with deposit=N pages first. */
	if (!st && init)
		st = ohv_client_deposit(h.c, id, pages, OHV_ANY_NODE);
	while (!st && init && (st = ohv_call_initialize_partition(h.c, id)) ==
	       HV_STATUS_INSUFFICIENT_MEMORY)
		st = ohv_client_deposit(h.c, id, 1, OHV_ANY_NODE);
	/* As Linux's create path: a failed step takes the child down again;
	 * the step's status stays the outcome. */
	if (st && id)
		ohv_client_destroy_partition(h.c, id);
	return finish(&h, t, st, &id, NULL, 1);
}

/* The root sets its own rights on pages (spec.md §6: HvMapGpaPages on itself,
 * every element its own base + i; flags 0 gives up all access), one call
 * per run of consecutive pages. */
static hv_status_t root_rights(struct ohv_client *c, const uint64_t *pages,
			       size_t n, uint32_t flags)
{
	hv_status_t st = HV_STATUS_SUCCESS;

	for (size_t i = 0, k; i < n && !st; i += k) {
		for (k = 1; i + k < n && pages[i + k] == pages[i] + k; k++)
			;
		st = ohv_call_map_gpa_pages(c, HV_PARTITION_ID_SELF, pages[i],
					    flags, pages + i, k, NULL);
	}
	return st;
}

static int page_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A deleted child's pages: the root takes its own access back to pages it
 * gave away whole (spec.md §6), then frees them all. */
static void grants_release(struct scn *s, uint64_t pid)
{
	uint64_t *back = calloc(s->n_grants + 1, sizeof(*back));
	struct ohv_client *root = NULL;
	size_t nback = 0;

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
	if (nback && !ohv_client_open_vp(s->hv, ohv_root_id(s->hv), 0,
					 s->root_in << HV_PAGE_SHIFT,
					 s->root_out << HV_PAGE_SHIFT, &root)) {
		qsort(back, nback, sizeof(*back), page_cmp);
		root_rights(root, back, nback, HV_MAP_GPA_PERMISSIONS_MASK);
		ohv_client_close(root);
	}
	for (size_t i = 0; i < nback; i++)
		ohv_root_free(s->hv, back[i]);
	free(back);
	/* Its own pages it could deposit are gone with it. */
	for (size_t i = 0; i < s->n_srcs; i++)
		if (s->srcs[i].pid == pid)
			s->srcs[i].n = 0;
	for (size_t i = 0; i < s->n_io; i++)
		if (s->io[i].pid == pid)
			VDEL(s, io, i--);
	for (size_t i = 0; i < s->n_seen; i++)
		if (s->seen[i].pid == pid)
			VDEL(s, seen, i--);
}

static enum scn_rc partition_destroy(struct scn *s, struct toks *t)
{
	struct step h;
	uint64_t id;
	hv_status_t st;
	enum scn_rc rc;

	if (t->n != 3)
		return scn_err(s, SCN_ERROR, "usage: partition destroy PARTITION");
	if (!scn_hv(s))
		return SCN_FAILED;
	rc = partition_arg(s, t->t[2], &id);
	if (!rc)
		rc = begin(&h, s, "partition destroy");
	if (rc)
		return rc;
	/* destroy_partition: finalize if it was initialized, withdraw
	 * everything, delete. */
	st = ohv_client_destroy_partition(h.c, id);
	if (!st)
		grants_release(s, id);
	return finish(&h, t, st, NULL, NULL, 0);
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
	struct step h;
	uint64_t id, n, node = OHV_ANY_NODE;
	enum scn_rc rc;
	char *v;

	if (t->n < 3 || only(s, t, 3, allowed))
		return t->n < 3 ? scn_err(s, SCN_ERROR, "usage: deposit PARTITION "
					  "PAGES [node=N]") : SCN_ERROR;
	if (!scn_hv(s))
		return SCN_FAILED;
	if (partition_arg(s, t->t[1], &id) ||
	    scn_value(s, t->t[2], OHV_FMT_DEC, &n))
		return SCN_ERROR;
	v = opt(t, 3, "node");
	if (v && scn_value(s, v, OHV_FMT_DEC, &node))
		return SCN_ERROR;
	if (node != OHV_ANY_NODE && node >= s->cfg.numa_nodes)
		return scn_err(s, SCN_ERROR, "deposit: no NUMA node %" PRIu64, node);
	rc = begin(&h, s, "deposit");
	if (rc)
		return rc;
	return finish(&h, t, ohv_client_deposit(h.c, id, n, (uint32_t)node),
		      &n, NULL, 1);
}

static enum scn_rc cmd_withdraw(struct scn *s, struct toks *t)
{
	struct step h;
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
	rc = begin(&h, s, "withdraw");
	if (rc)
		return rc;
	st = ohv_client_withdraw(h.c, id, max, &got);
	if (!st && s->o.verbosity)
		fprintf(s->o.out, "       withdrew %" PRIu64 " page%s from "
			"partition %" PRIu64 "\n", got, got == 1 ? "" : "s", id);
	return finish(&h, t, st, &got, NULL, 1);
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
	return scn_capture(s, t, v, NULL, 2, "balance");
}

/* ---------------------------------------------------------------------- */
/* map                                                                     */

static enum scn_rc cmd_map(struct scn *s, struct toks *t)
{
	static const char *const allowed[] = { "flags", "exclusive", NULL };
	struct step h;
	uint64_t id, base, n, flags = HV_MAP_GPA_PERMISSIONS_MASK, *pages;
	hv_status_t st;
	enum scn_rc rc;
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
	if (exclusive && s->caller != ohv_root_id(s->hv))
		return scn_err(s, SCN_ERROR, "map exclusive: only the root gives "
			       "up access to its own pages (spec.md §6)");
	if (!n || n > SCN_MAX_LIST)
		return scn_err(s, SCN_ERROR, "map: 1 to %d pages", SCN_MAX_LIST);
	pages = calloc(n, sizeof(*pages));
	if (!pages)
		return scn_err(s, SCN_FAILED, "out of memory");
	rc = begin(&h, s, "map");
	if (rc) {
		free(pages);
		return rc;
	}
	/* All the pages first, as the driver pins a region before mapping. */
	if (fund(&h, OHV_ANY_NODE, pages, n) < n) {
		st = HV_STATUS_NO_RESOURCES;
		for (uint64_t i = 0; i < n && pages[i]; i++)
			scn_page_free(s, h.pid, pages[i]);
		free(pages);
		return finish(&h, t, st, NULL, NULL, 0);
	}
	/* hv_do_map_gpa_hcall: a failed map is unmapped again. */
	st = ohv_client_map_gpa_pages(h.c, id, base, (uint32_t)flags, pages, n,
				      NULL);
	if (!st && exclusive) {
		st = root_rights(h.c, pages, n, 0);
		if (st)
			ohv_call_unmap_gpa_pages(h.c, id, base, n, NULL);
	}
	for (uint64_t i = 0; i < n && st; i++)
		scn_page_free(s, h.pid, pages[i]);
	/* Remembered, so destroy can give them back. */
	for (uint64_t i = 0; i < n && !st && h.pid == ohv_root_id(s->hv); i++) {
		struct grant *g = VPUSH(s, grants);

		if (!g)
			break;
		g->pid = id;
		g->page = pages[i];
		g->exclusive = exclusive;
	}
	/* The child's own pages now: alloc() may deposit them. */
	for (uint64_t i = 0; i < n && !st && exclusive; i++)
		pages[i] = base + i;
	if (!st && exclusive)
		scn_pages_add(s, id, pages, n);
	free(pages);
	return finish(&h, t, st, &base, (const uint8_t[]){ OHV_FMT_GPA_PAGE },
		      1);
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
	struct step h;
	struct hv_proximity_domain_info pd;
	uint64_t id, vp, prox = 0;
	enum scn_rc rc = vp_args(s, t, &id, &vp);
	char *pv;

	if (rc || only(s, t, 4, allowed))
		return rc ? rc : SCN_ERROR;
	pv = opt(t, 4, "ProximityDomainInfo");
	if (pv && scn_value(s, pv, OHV_FMT_PROXIMITY, &prox))
		return SCN_ERROR;
	memcpy(&pd, &prox, sizeof(pd));
	rc = begin(&h, s, "vp new");
	if (rc)
		return rc;
	/* hv_call_create_vp: 90 pages first (not for the caller's own VPs),
	 * then one page per INSUFFICIENT_MEMORY. */
	return finish(&h, t, ohv_client_create_vp(h.c, id, (uint32_t)vp, pd),
		      NULL, NULL, 0);
}

static enum scn_rc vp_start(struct scn *s, struct toks *t)
{
	struct step h;
	uint64_t id, vp;
	enum scn_rc rc = vp_args(s, t, &id, &vp);

	if (rc)
		return rc;
	if (t->n != 4)
		return scn_err(s, SCN_ERROR, "usage: vp start PARTITION INDEX");
	rc = begin(&h, s, "vp start");
	if (rc)
		return rc;
	return finish(&h, t, ohv_call_set_vp_register(
			      h.c, id, (uint32_t)vp,
			      HV_REGISTER_EXPLICIT_SUSPEND, 0), NULL, NULL, 0);
}

static enum scn_rc cmd_vp(struct scn *s, struct toks *t)
{
	if (t->n >= 2 && !strcmp(t->t[1], "new"))
		return vp_new(s, t);
	if (t->n >= 2 && !strcmp(t->t[1], "start"))
		return vp_start(s, t);
	if (t->n >= 2 && !strcmp(t->t[1], "run"))
		return scn_vp_run(s, t);
	if (t->n >= 2 && !strcmp(t->t[1], "skip"))
		return scn_vp_skip(s, t);
	return scn_err(s, SCN_ERROR, "usage: vp new|start|run|skip PARTITION "
		       "INDEX ... (help vp)");
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
	struct step h;
	struct hv_register_assoc r[24];
	uint64_t id, vp, page, vector = 0x40, *sints = NULL;
	size_t n = 0, nsints = 0;
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
	rc = begin(&h, s, "synic on");
	if (rc)
		return rc;
	return finish(&h, t, ohv_call_set_vp_registers(h.c, id, (uint32_t)vp,
						       r, n, NULL), NULL, NULL, 0);
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
			struct step h;
			hv_status_t st;

			rc = begin(&h, s, "message");
			if (rc)
				return rc;
			st = ohv_call_set_vp_register(h.c, id, (uint32_t)vp,
						      HV_REGISTER_EOM, 0);
			if (st)
				return finish(&h, t, st, NULL, NULL, 0);
			ohv_client_close(h.c);
		}
	}
	static const uint8_t fmts[] = {
		OHV_FMT_HEX, OHV_FMT_DEC, OHV_FMT_DEC, OHV_FMT_HEX,
	};

	return scn_capture(s, t, v, fmts, 4, "message");
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

	return scn_capture(s, t, v, NULL, 2, "events");
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
	uint8_t fmts[ARRAY_SIZE(v)] = { OHV_FMT_HEX };

	return scn_capture(s, t, v, fmts, ARRAY_SIZE(v), "sints");
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
	{ "vp", "vp run PARTITION INDEX [skip] [until=TYPE] [timeout=S] "
	  "[-> type, rip, len, access, port, size, value, gpa, completed]",
	  "run the VP's guest code (ohv_vp_run; the KVM backend) until it\n"
	  "stops for its parent, and print the intercept message decoded:\n"
	  "type, RIP, instruction length, access, I/O port, size and value,\n"
	  "GPA.  The instruction is not completed, as on Hyper-V: skip then\n"
	  "sets RIP past it (HvSetVpRegisters).  until=HALT (any HVMSG_ type)\n"
	  "completes every I/O write that way and runs on until that\n"
	  "intercept, printing what went to port 0xE9 as text; an intercept\n"
	  "it cannot complete fails.  timeout= (60 s; 0 none) kicks a guest\n"
	  "that never stops.  On the null backend it fails (-ENODEV)",
	  cmd_vp },
	{ "vp", "vp skip PARTITION INDEX [-> rip]",
	  "complete the instruction the last `vp run` stopped at: RIP + its\n"
	  "length, with HvSetVpRegisters, as the parent does on Hyper-V",
	  cmd_vp },
	{ "load", "load PARTITION FILE at GPA [-> size]",
	  "copy FILE (a flat image) into PARTITION's memory at GPA, through\n"
	  "the host's view of the pages it has mapped; every page must be\n"
	  "mapped.  A relative FILE is looked for beside the scenario, in the\n"
	  "current directory, then beside the openhv program (where make\n"
	  "puts examples/guests/*.bin)",
	  scn_load },
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
