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

uint64_t t_active_child(struct ohv *hv, uint64_t *next_page)
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
	if (cfg.costs.initialize) {
		REQUIRE_ST(t_deposit(hv, id, *next_page, cfg.costs.initialize,
				     NULL), HV_STATUS_SUCCESS);
		*next_page += cfg.costs.initialize;
	}
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
