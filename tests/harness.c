/* SPDX-License-Identifier: MIT */
/* The hypercall harness of t.h. */
#include "t.h"

void t_config(struct ohv_config *cfg)
{
	ohv_config_init(cfg);
	cfg->memory_pages = 4096;
	cfg->rep_budget_ns = 0;
}

struct ohv *t_open(const struct ohv_config *cfg)
{
	struct ohv_config def;
	struct ohv *hv = NULL;

	if (!cfg) {
		t_config(&def);
		cfg = &def;
	}
	int rc = ohv_open(cfg, &hv);

	CHECK_MSG(rc == 0, "ohv_open: %d", rc);
	if (rc)
		t_stop();
	CHECK_INVARIANTS(hv);
	return hv;
}

void t_close(struct ohv *hv)
{
	CHECK_INVARIANTS(hv);
	ohv_close(hv);
}

bool t_invariants(struct ohv *hv, const char *file, int line)
{
	char why[256];

	if (ohv_debug_check(hv, why, sizeof(why)) == 0)
		return true;
	return t_check(false, file, line, "invariant broken: %s", why);
}

uint64_t t_call(struct ohv *hv, uint64_t caller, uint32_t vp,
		struct ohv_hvcall *call)
{
	uint64_t r = ohv_hypercall(hv, caller, vp, call);

	CHECK_EQ(r, call->result);
	CHECK_INVARIANTS(hv);
	return r;
}

uint64_t t_mem(struct ohv *hv, uint64_t caller, uint64_t control,
	       const void *in, size_t in_len, void *out, size_t out_len)
{
	struct ohv_hvcall call = { .control = control };
	uint8_t *ip = ohv_gpa(hv, caller, T_IN_PAGE << 12, HV_PAGE_SIZE);
	uint8_t *op = ohv_gpa(hv, caller, T_OUT_PAGE << 12, HV_PAGE_SIZE);

	REQUIRE(ip && op);
	memset(ip, 0, HV_PAGE_SIZE);
	if (in_len)
		memcpy(ip, in, in_len);
	memset(op, 0xA5, HV_PAGE_SIZE);
	call.fast[0] = T_IN_PAGE << 12;
	call.fast[1] = T_OUT_PAGE << 12;
	uint64_t r = t_call(hv, caller, 0, &call);

	if (out_len)
		memcpy(out, op, out_len);
	return r;
}

uint64_t t_fast(struct ohv *hv, uint64_t caller, uint64_t control,
		const void *in, size_t in_len, void *out, size_t out_len)
{
	struct ohv_hvcall call = { .control = control | HV_HYPERCALL_FAST_BIT };

	memset(call.fast, 0xA5, sizeof(call.fast));
	if (in_len)
		memcpy(call.fast, in, in_len);
	uint64_t r = t_call(hv, caller, 0, &call);
	size_t off = (in_len + 15) & ~(size_t)15;

	if (out_len && off + out_len <= sizeof(call.fast))
		memcpy(out, (uint8_t *)call.fast + off, out_len);
	return r;
}

hv_status_t t_create_in(struct ohv *hv,
			const struct hv_input_create_partition *in,
			uint64_t *id)
{
	struct hv_output_create_partition out = { 0 };
	uint64_t r = t_mem(hv, T_ROOT, HVCALL_CREATE_PARTITION, in,
			   sizeof(*in), &out, sizeof(out));

	if (ohv_result_status(r) == HV_STATUS_SUCCESS && id)
		*id = out.partition_id;
	return ohv_result_status(r);
}

hv_status_t t_create(struct ohv *hv, uint64_t *id)
{
	struct hv_input_create_partition in = { 0 };

	return t_create_in(hv, &in, id);
}

uint64_t t_deposit_list(struct ohv *hv, uint64_t target,
			const uint64_t *pages, uint32_t n)
{
	uint64_t buf[HV_DEPOSIT_MAX_PAGES + 1];

	REQUIRE(n >= 1 && n <= HV_DEPOSIT_MAX_PAGES);
	buf[0] = target;
	memcpy(&buf[1], pages, n * sizeof(uint64_t));
	return t_mem(hv, T_ROOT, ohv_control(HVCALL_DEPOSIT_MEMORY, 0, n, 0),
		     buf, (n + 1) * sizeof(uint64_t), NULL, 0);
}

hv_status_t t_deposit(struct ohv *hv, uint64_t target, uint64_t first,
		      uint32_t n, uint32_t *done)
{
	uint32_t total = 0;
	hv_status_t st = HV_STATUS_SUCCESS;

	while (total < n && st == HV_STATUS_SUCCESS) {
		uint32_t batch = n - total;
		uint64_t pages[HV_DEPOSIT_MAX_PAGES];

		if (batch > HV_DEPOSIT_MAX_PAGES)
			batch = HV_DEPOSIT_MAX_PAGES;
		for (uint32_t i = 0; i < batch; i++)
			pages[i] = first + total + i;
		/* Re-issue with the advanced rep start, as Linux does. */
		uint64_t buf[HV_DEPOSIT_MAX_PAGES + 1];
		uint32_t start = 0;

		buf[0] = target;
		memcpy(&buf[1], pages, batch * sizeof(uint64_t));
		for (;;) {
			uint64_t r = t_mem(hv, T_ROOT,
					   ohv_control(HVCALL_DEPOSIT_MEMORY, 0,
						       batch, start),
					   buf, (batch + 1) * sizeof(uint64_t),
					   NULL, 0);
			uint32_t reps = ohv_result_reps(r);

			st = ohv_result_status(r);
			CHECK(reps >= start && reps <= batch);
			total += reps - start;
			start = reps;
			if (st != HV_STATUS_SUCCESS || reps == batch)
				break;
		}
	}
	if (done)
		*done = total;
	return st;
}

hv_status_t t_withdraw(struct ohv *hv, uint64_t target, uint32_t n,
		       uint64_t *pages, uint32_t *done)
{
	struct hv_input_withdraw_memory in = { .partition_id = target };
	uint64_t out[HV_WITHDRAW_MAX_PAGES];
	uint32_t start = 0;
	hv_status_t st;

	REQUIRE(n >= 1 && n <= HV_WITHDRAW_MAX_PAGES);
	for (;;) {
		uint64_t r = t_mem(hv, T_ROOT,
				   ohv_control(HVCALL_WITHDRAW_MEMORY, 0, n, start),
				   &in, sizeof(in), out, n * sizeof(uint64_t));
		uint32_t reps = ohv_result_reps(r);

		st = ohv_result_status(r);
		CHECK(reps >= start && reps <= n);
		if (pages)
			memcpy(pages + start, out + start,
			       (reps - start) * sizeof(uint64_t));
		start = reps;
		if (st != HV_STATUS_SUCCESS || reps == n)
			break;
	}
	if (done)
		*done = start;
	return st;
}

hv_status_t t_balance(struct ohv *hv, uint64_t target, uint64_t *available,
		      uint64_t *in_use)
{
	struct hv_input_get_memory_balance in = { .partition_id = target };
	struct hv_output_get_memory_balance out = { 0 };
	uint64_t r = t_mem(hv, T_ROOT, HVCALL_GET_MEMORY_BALANCE, &in,
			   sizeof(in), &out, sizeof(out));

	if (ohv_result_status(r) == HV_STATUS_SUCCESS) {
		if (available)
			*available = out.pages_available;
		if (in_use)
			*in_use = out.pages_in_use;
	}
	return ohv_result_status(r);
}

static hv_status_t id_call(struct ohv *hv, uint16_t code, uint64_t id)
{
	return ohv_result_status(t_mem(hv, T_ROOT, code, &id, sizeof(id),
				       NULL, 0));
}

hv_status_t t_initialize(struct ohv *hv, uint64_t id)
{
	return id_call(hv, HVCALL_INITIALIZE_PARTITION, id);
}

hv_status_t t_finalize(struct ohv *hv, uint64_t id)
{
	return id_call(hv, HVCALL_FINALIZE_PARTITION, id);
}

hv_status_t t_delete(struct ohv *hv, uint64_t id)
{
	return id_call(hv, HVCALL_DELETE_PARTITION, id);
}

hv_status_t t_get_property(struct ohv *hv, uint64_t id, uint32_t code,
			   uint64_t *value)
{
	struct hv_input_get_partition_property in = {
		.partition_id = id, .property_code = code,
	};
	struct hv_output_get_partition_property out = { 0 };
	uint64_t r = t_mem(hv, T_ROOT, HVCALL_GET_PARTITION_PROPERTY, &in,
			   sizeof(in), &out, sizeof(out));

	if (ohv_result_status(r) == HV_STATUS_SUCCESS && value)
		*value = out.property_value;
	return ohv_result_status(r);
}

hv_status_t t_set_property(struct ohv *hv, uint64_t id, uint32_t code,
			   uint64_t value)
{
	struct hv_input_set_partition_property in = {
		.partition_id = id, .property_code = code,
		.property_value = value,
	};

	return ohv_result_status(t_mem(hv, T_ROOT,
				       HVCALL_SET_PARTITION_PROPERTY, &in,
				       sizeof(in), NULL, 0));
}

struct ohv_partition_info t_info(struct ohv *hv, uint64_t id)
{
	struct ohv_partition_info info;

	memset(&info, 0, sizeof(info));
	REQUIRE(ohv_partition_info(hv, id, &info) == 0);
	return info;
}

size_t t_live(struct ohv *hv)
{
	return ohv_partition_list(hv, NULL, 0);
}

void t_fund(struct ohv *hv, uint64_t id, uint64_t *next, uint32_t n)
{
	if (!n)
		return;
	REQUIRE_ST(t_deposit(hv, id, *next, n, NULL), HV_STATUS_SUCCESS);
	*next += n;
}

uint64_t t_new_child(struct ohv *hv, uint64_t *next)
{
	uint64_t id = 0;
	hv_status_t st;

	while ((st = t_create(hv, &id)) == HV_STATUS_INSUFFICIENT_MEMORY)
		t_fund(hv, HV_PARTITION_ID_SELF, next, 1);
	REQUIRE_ST(st, HV_STATUS_SUCCESS);
	return id;
}

uint64_t t_active_child(struct ohv *hv, uint64_t *next_page)
{
	struct ohv_config cfg;
	uint64_t id = t_new_child(hv, next_page);

	ohv_get_config(hv, &cfg);
	t_fund(hv, id, next_page, cfg.costs.initialize);
	REQUIRE_ST(t_initialize(hv, id), HV_STATUS_SUCCESS);
	return id;
}

void t_destroy_child(struct ohv *hv, uint64_t id)
{
	struct ohv_partition_info info;

	REQUIRE(ohv_partition_info(hv, id, &info) == 0);
	if (info.state == OHV_STATE_ACTIVE)
		REQUIRE_ST(t_finalize(hv, id), HV_STATUS_SUCCESS);
	for (;;) {
		uint32_t done = 0;
		hv_status_t st = t_withdraw(hv, id, HV_WITHDRAW_MAX_PAGES, NULL,
					    &done);

		if (st == HV_STATUS_NO_RESOURCES)
			break;
		REQUIRE_ST(st, HV_STATUS_SUCCESS);
	}
	REQUIRE_ST(t_delete(hv, id), HV_STATUS_SUCCESS);
}

/* ---------------------------------------------------------------------- */
/* Virtual processors and callers other than the root (t.h).               */

uint64_t t_fast_vp(struct ohv *hv, uint64_t caller, uint32_t vp,
		   uint64_t control, const void *in, size_t in_len, void *out,
		   size_t out_len)
{
	struct ohv_hvcall call = { .control = control | HV_HYPERCALL_FAST_BIT };

	memset(call.fast, 0xA5, sizeof(call.fast));
	if (in_len)
		memcpy(call.fast, in, in_len);
	uint64_t r = t_call(hv, caller, vp, &call);
	size_t off = (in_len + 15) & ~(size_t)15;

	if (out_len && off + out_len <= sizeof(call.fast))
		memcpy(out, (uint8_t *)call.fast + off, out_len);
	return r;
}

uint64_t t_as(struct ohv *hv, uint64_t caller, uint64_t control,
	      const void *in, size_t in_len, void *out, size_t out_len)
{
	if (caller == T_ROOT)
		return t_mem(hv, caller, control, in, in_len, out, out_len);
	return t_fast(hv, caller, control, in, in_len, out, out_len);
}

hv_status_t t_create_vp_in(struct ohv *hv, uint64_t caller,
			   const struct hv_input_create_vp *in)
{
	return ohv_result_status(t_as(hv, caller, HVCALL_CREATE_VP, in,
				      sizeof(*in), NULL, 0));
}

hv_status_t t_create_vp(struct ohv *hv, uint64_t id, uint32_t vp)
{
	struct hv_input_create_vp in = { .partition_id = id, .vp_index = vp };

	return t_create_vp_in(hv, T_ROOT, &in);
}

hv_status_t t_delete_vp_as(struct ohv *hv, uint64_t caller, uint64_t id,
			   uint32_t vp)
{
	struct hv_input_delete_vp in = { .partition_id = id, .vp_index = vp };

	return ohv_result_status(t_as(hv, caller, HVCALL_DELETE_VP, &in,
				      sizeof(in), NULL, 0));
}

hv_status_t t_delete_vp(struct ohv *hv, uint64_t id, uint32_t vp)
{
	return t_delete_vp_as(hv, T_ROOT, id, vp);
}

#define T_GET_MAX	256u	/* 16-byte values in one output page */
#define T_SET_MAX	127u	/* (4096 - 16) / 32 elements */

uint64_t t_get_regs(struct ohv *hv, uint64_t caller, uint64_t id, uint32_t vp,
		    uint8_t input_vtl, const uint32_t *names, uint32_t n,
		    union hv_register_value *vals)
{
	struct hv_input_get_vp_registers hdr = {
		.partition_id = id, .vp_index = vp, .input_vtl = input_vtl,
	};
	uint8_t in[sizeof(hdr) + T_GET_MAX * sizeof(uint32_t)];

	REQUIRE(n >= 1 && n <= T_GET_MAX);
	memcpy(in, &hdr, sizeof(hdr));
	memcpy(in + sizeof(hdr), names, n * sizeof(*names));
	return t_as(hv, caller, ohv_control(HVCALL_GET_VP_REGISTERS, 0, n, 0),
		    in, sizeof(hdr) + n * sizeof(*names), vals,
		    n * sizeof(*vals));
}

uint64_t t_set_regs(struct ohv *hv, uint64_t caller, uint64_t id, uint32_t vp,
		    uint8_t input_vtl, const struct hv_register_assoc *regs,
		    uint32_t n)
{
	struct hv_input_set_vp_registers hdr = {
		.partition_id = id, .vp_index = vp, .input_vtl = input_vtl,
	};
	uint8_t in[sizeof(hdr) + T_SET_MAX * sizeof(*regs)];

	REQUIRE(n >= 1 && n <= T_SET_MAX);
	memcpy(in, &hdr, sizeof(hdr));
	memcpy(in + sizeof(hdr), regs, n * sizeof(*regs));
	return t_as(hv, caller, ohv_control(HVCALL_SET_VP_REGISTERS, 0, n, 0),
		    in, sizeof(hdr) + n * sizeof(*regs), NULL, 0);
}

hv_status_t t_get_reg64(struct ohv *hv, uint64_t caller, uint64_t id,
			uint32_t vp, uint32_t name, uint64_t *value)
{
	union hv_register_value v;
	uint64_t r = t_get_regs(hv, caller, id, vp, 0, &name, 1, &v);

	if (ohv_result_status(r) == HV_STATUS_SUCCESS && value)
		*value = v.reg64;
	return ohv_result_status(r);
}

hv_status_t t_set_reg64(struct ohv *hv, uint64_t caller, uint64_t id,
			uint32_t vp, uint32_t name, uint64_t value)
{
	struct hv_register_assoc a = { .name = name, .value.reg64 = value };

	return ohv_result_status(t_set_regs(hv, caller, id, vp, 0, &a, 1));
}

uint64_t t_runnable_child(struct ohv *hv, uint64_t *next_page,
			  uint64_t privileges)
{
	struct ohv_config cfg;
	uint64_t id = 0;
	hv_status_t st;

	ohv_get_config(hv, &cfg);
	while ((st = t_create(hv, &id)) == HV_STATUS_INSUFFICIENT_MEMORY) {
		REQUIRE_ST(t_deposit(hv, HV_PARTITION_ID_SELF, *next_page, 1,
				     NULL), HV_STATUS_SUCCESS);
		(*next_page)++;
	}
	REQUIRE_ST(st, HV_STATUS_SUCCESS);
	/* spec.md §4.3: PrivilegeFlags is early, settable only now. */
	if (privileges)
		REQUIRE_ST(t_set_property(hv, id,
					  HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
					  privileges), HV_STATUS_SUCCESS);
	uint32_t pages = cfg.costs.initialize + cfg.costs.vp + T_SPARE_PAGES;

	REQUIRE_ST(t_deposit(hv, id, *next_page, pages, NULL),
		   HV_STATUS_SUCCESS);
	*next_page += pages;
	REQUIRE_ST(t_initialize(hv, id), HV_STATUS_SUCCESS);
	REQUIRE_ST(t_create_vp(hv, id, 0), HV_STATUS_SUCCESS);
	/* spec.md §7: a new VP is explicitly suspended until this. */
	REQUIRE_ST(t_set_reg64(hv, T_ROOT, id, 0, HV_REGISTER_EXPLICIT_SUSPEND,
			       0), HV_STATUS_SUCCESS);
	return id;
}

void t_snap_take(struct ohv *hv, struct t_snap *s)
{
	s->n = ohv_partition_list(hv, s->ids, T_SNAP_MAX);
	REQUIRE(s->n <= T_SNAP_MAX);
	for (size_t i = 0; i < s->n; i++)
		REQUIRE(ohv_partition_info(hv, s->ids[i], &s->info[i]) == 0);
}

bool t_snap_same(struct ohv *hv, const struct t_snap *s, const char *what)
{
	struct t_snap now;

	t_snap_take(hv, &now);
	if (!CHECK_MSG(now.n == s->n, "%s: %zu live partitions, were %zu",
		       what, now.n, s->n))
		return false;
	for (size_t i = 0; i < s->n; i++) {
		const struct ohv_partition_info *a = &s->info[i], *b = &now.info[i];

		if (!CHECK_MSG(now.ids[i] == s->ids[i] &&
			       a->parent_id == b->parent_id &&
			       a->depth == b->depth && a->state == b->state &&
			       a->privileges == b->privileges &&
			       a->pool_available == b->pool_available &&
			       a->pool_in_use == b->pool_in_use &&
			       a->charged_pages == b->charged_pages &&
			       a->children == b->children && a->vps == b->vps,
			       "%s: partition %" PRIu64 " changed (state %d->%d, "
			       "pool %" PRIu64 "/%" PRIu64 " -> %" PRIu64 "/%"
			       PRIu64 ", vps %u->%u, children %" PRIu64 "->%"
			       PRIu64 ")", what, s->ids[i], a->state, b->state,
			       a->pool_available, a->pool_in_use,
			       b->pool_available, b->pool_in_use, a->vps,
			       b->vps, a->children, b->children))
			return false;
	}
	return true;
}
