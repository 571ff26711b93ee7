/*
 * The client layer (client.h): what a root or parent partition's kernel
 * does on top of the hypercall instruction.  Built only on the public API
 * (ohv_hypercall, ohv_gpa, ohv_get_config, ohv_partition_info and the
 * root's page allocator), exactly as a guest kernel sees the hypervisor.
 */
#include <openhv/client.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "alloc.h"
#include "rootmem.h"

struct ohv_client {
	struct ohv *hv;
	uint64_t partition;	/* the caller partition's id              */
	uint32_t vp;
	uint64_t in_gpa;	/* page-aligned input and output pages    */
	uint64_t out_gpa;
	bool root;		/* speaks for the root: has an allocator  */
	bool own_pages;		/* pages came from ohv_root_alloc         */
	uint32_t numa_nodes;
	size_t fast_bytes;	/* register block: 112 (x64), 128 (arm64) */
	enum ohv_arch arch;
	enum ohv_client_convention conv;
	uint64_t last_result;
	struct ohv_client_stats stats;
	ohv_page_alloc_fn *src_alloc;	/* NULL: the default source  */
	ohv_page_free_fn *src_free;
	void *src_ctx;
	uint64_t pages[HV_WITHDRAW_MAX_PAGES];	/* one deposit/withdraw batch */
};

/* ---------------------------------------------------------------------- */
/* Lifetime.                                                               */

static struct ohv_client *client_new(struct ohv *hv, uint64_t partition_id,
				     uint32_t vp)
{
	struct ohv_config cfg;
	struct ohv_client *c = ohv_malloc(sizeof(*c));

	if (!c)
		return NULL;
	memset(c, 0, sizeof(*c));
	ohv_get_config(hv, &cfg);
	c->hv = hv;
	c->partition = partition_id;
	c->vp = vp;
	c->root = partition_id == ohv_root_id(hv);
	c->numa_nodes = cfg.numa_nodes;
	c->arch = cfg.arch;
	c->fast_bytes = cfg.arch == OHV_ARCH_ARM64 ?
		HV_ARM64_FAST_INPUT_BYTES : HV_X64_FAST_INPUT_BYTES;
	c->conv = OHV_CLIENT_LINUX;
	return c;
}

int ohv_client_open(struct ohv *hv, uint32_t root_vp, struct ohv_client **out)
{
	struct ohv_config cfg;
	uint64_t in_page, out_page;

	if (!hv || !out)
		return -EINVAL;
	*out = NULL;
	ohv_get_config(hv, &cfg);
	if (root_vp >= cfg.root_vps)
		return -EINVAL;
	struct ohv_client *c = client_new(hv, ohv_root_id(hv), root_vp);

	if (!c)
		return -ENOMEM;
	if (ohv_root_alloc(hv, OHV_ANY_NODE, &in_page)) {
		ohv_free(c);
		return -ENOMEM;
	}
	if (ohv_root_alloc(hv, OHV_ANY_NODE, &out_page)) {
		ohv_root_free(hv, in_page);
		ohv_free(c);
		return -ENOMEM;
	}
	c->in_gpa = in_page << HV_PAGE_SHIFT;
	c->out_gpa = out_page << HV_PAGE_SHIFT;
	c->own_pages = true;
	*out = c;
	return 0;
}

int ohv_client_open_vp(struct ohv *hv, uint64_t partition_id,
		       uint32_t vp_index, uint64_t input_gpa,
		       uint64_t output_gpa, struct ohv_client **out)
{
	struct ohv_partition_info info;

	if (!hv || !out)
		return -EINVAL;
	*out = NULL;
	if ((input_gpa | output_gpa) & (HV_PAGE_SIZE - 1) ||
	    input_gpa == output_gpa)
		return -EINVAL;
	/* Whether the pages are reachable is the hypervisor's to say, at
	 * each call (INVALID_ALIGNMENT); the partition must exist now. */
	if (ohv_partition_info(hv, partition_id, &info))
		return -EINVAL;
	struct ohv_client *c = client_new(hv, partition_id, vp_index);

	if (!c)
		return -ENOMEM;
	c->in_gpa = input_gpa;
	c->out_gpa = output_gpa;
	*out = c;
	return 0;
}

void ohv_client_close(struct ohv_client *c)
{
	if (!c)
		return;
	if (c->own_pages) {
		ohv_root_free(c->hv, c->in_gpa >> HV_PAGE_SHIFT);
		ohv_root_free(c->hv, c->out_gpa >> HV_PAGE_SHIFT);
	}
	ohv_free(c);
}

void ohv_client_set_convention(struct ohv_client *c,
			       enum ohv_client_convention conv)
{
	if (!c)
		return;
	if (conv == OHV_CLIENT_LINUX || conv == OHV_CLIENT_MEMORY ||
	    conv == OHV_CLIENT_FAST)
		c->conv = conv;
}

int ohv_client_set_page_source(struct ohv_client *c,
			       ohv_page_alloc_fn *alloc_fn,
			       ohv_page_free_fn *free_fn, void *ctx)
{
	if (!c || !alloc_fn != !free_fn)
		return -EINVAL;
	c->src_alloc = alloc_fn;
	c->src_free = free_fn;
	c->src_ctx = alloc_fn ? ctx : NULL;
	return 0;
}

/* The page source: the one set, else the root's allocator for the root. */
static bool has_source(const struct ohv_client *c)
{
	return c->src_alloc || c->root;
}

static size_t source_alloc(struct ohv_client *c, uint32_t node,
			   uint64_t *pages, size_t n)
{
	size_t got;

	if (!c->src_alloc)
		return rootmem_alloc(c->hv, c->vp, node, pages, n);
	got = c->src_alloc(c->src_ctx, node, pages, n);
	return got < n ? got : n;
}

static void source_free(struct ohv_client *c, const uint64_t *pages, size_t n)
{
	if (!n)
		return;
	if (c->src_free)
		c->src_free(c->src_ctx, pages, n);
	else if (c->root)
		rootmem_free(c->hv, c->vp, pages, n);
}

uint64_t ohv_client_last_result(const struct ohv_client *c)
{
	return c ? c->last_result : HV_STATUS_INVALID_PARAMETER;
}

struct ohv *ohv_client_hv(const struct ohv_client *c)
{
	return c ? c->hv : NULL;
}

uint64_t ohv_client_partition(const struct ohv_client *c)
{
	return c ? c->partition : HV_PARTITION_ID_INVALID;
}

void ohv_client_stats(const struct ohv_client *c, struct ohv_client_stats *out)
{
	if (!out)
		return;
	if (c)
		*out = c->stats;
	else
		memset(out, 0, sizeof(*out));
}

/* ---------------------------------------------------------------------- */
/* Issuing calls.                                                          */

static size_t round16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

/*
 * Fast or memory-based.  Linux issues Initialize, Finalize and Delete with
 * hv_do_fast_hypercall8, DeleteVp, DeletePort and DisconnectPort with
 * hv_do_fast_hypercall16, SignalEvent fast too, and everything else
 * through its per-CPU pages.
 */
static bool use_fast(const struct ohv_client *c, uint16_t code, size_t in_len,
		     size_t out_len)
{
	bool fits = round16(in_len) + out_len <= c->fast_bytes;

	switch (c->conv) {
	case OHV_CLIENT_MEMORY:
		return false;
	case OHV_CLIENT_FAST:
		return fits;
	case OHV_CLIENT_LINUX:
		break;
	}
	switch (code) {
	case HVCALL_INITIALIZE_PARTITION:
	case HVCALL_FINALIZE_PARTITION:
	case HVCALL_DELETE_PARTITION:
	case HVCALL_DELETE_VP:
	case HVCALL_DELETE_PORT:
	case HVCALL_DISCONNECT_PORT:
	case HVCALL_SIGNAL_EVENT:
		return fits;
	}
	return false;
}

static uint64_t hypercall(struct ohv_client *c, struct ohv_hvcall *call)
{
	c->stats.hypercalls++;
	c->last_result = ohv_hypercall(c->hv, c->partition, c->vp, call);
	return c->last_result;
}

/*
 * Put the input block where the call reads it.  Memory-based: when the
 * client's input page is not reachable the call goes out anyway, and the
 * hypervisor answers INVALID_ALIGNMENT as it would to a guest.
 */
static void load_input(struct ohv_client *c, struct ohv_hvcall *call,
		       bool fast, const void *in, size_t in_len)
{
	memset(call->fast, 0, sizeof(call->fast));
	if (fast) {
		if (in_len)
			memcpy(call->fast, in, in_len);
		return;
	}
	call->fast[0] = c->in_gpa;
	call->fast[1] = c->out_gpa;
	if (in_len) {
		void *p = ohv_gpa(c->hv, c->partition, c->in_gpa, in_len);

		if (p)
			memcpy(p, in, in_len);
	}
}

/* Copy len output bytes starting at byte off of the output block. */
static void read_output(struct ohv_client *c, const struct ohv_hvcall *call,
			bool fast, size_t fast_off, size_t off, void *out,
			size_t len)
{
	if (!len)
		return;
	if (fast) {
		memcpy(out, (const uint8_t *)call->fast + fast_off + off, len);
		return;
	}
	const void *p = ohv_gpa(c->hv, c->partition, c->out_gpa + off, len);

	if (p)
		memcpy(out, p, len);
	else
		memset(out, 0, len);
}

/* A simple call; out (out_len bytes) is written only on SUCCESS. */
static hv_status_t simple_call(struct ohv_client *c, uint16_t code,
			       const void *in, size_t in_len, void *out,
			       size_t out_len)
{
	struct ohv_hvcall call;
	bool fast = use_fast(c, code, in_len, out_len);

	load_input(c, &call, fast, in, in_len);
	call.control = ohv_control(code, fast, 0, 0);
	hv_status_t st = ohv_result_status(hypercall(c, &call));

	if (st == HV_STATUS_SUCCESS)
		read_output(c, &call, fast, round16(in_len), 0, out, out_len);
	return st;
}

/*
 * A rep call of count elements, re-issued as Linux's rep helper does: while
 * the status is SUCCESS and reps completed < count, again with rep start =
 * reps completed (the hypervisor stops early on its time budget, SPEC 3.2).
 * in holds the header and every input element; output elements
 * [0, *done) are copied to out (out_elem bytes each), also on failure.
 */
static hv_status_t rep_call(struct ohv_client *c, uint16_t code,
			    const void *in, size_t in_len, uint32_t count,
			    void *out, size_t out_elem, uint32_t *done)
{
	struct ohv_hvcall call;
	size_t out_len = (size_t)count * out_elem;
	bool fast = use_fast(c, code, in_len, out_len);
	uint32_t start = 0;
	hv_status_t st;

	load_input(c, &call, fast, in, in_len);
	for (;;) {
		call.control = ohv_control(code, fast, count, start);
		uint64_t r = hypercall(c, &call);
		uint32_t reps = ohv_result_reps(r);

		st = ohv_result_status(r);
		if (reps > count || reps < start) {
			/* Reps completed counts from element 0 and never
			 * goes back (SPEC 3.1); trust nothing else. */
			reps = start;
			if (st == HV_STATUS_SUCCESS)
				st = HV_STATUS_OPERATION_FAILED;
		}
		if (st == HV_STATUS_SUCCESS && reps == start) {
			/* At least one element per call: a call that makes
			 * no progress would loop forever. */
			st = HV_STATUS_OPERATION_FAILED;
		}
		start = reps;
		if (st != HV_STATUS_SUCCESS || start == count)
			break;
	}
	read_output(c, &call, fast, round16(in_len), 0, out,
		    (size_t)start * out_elem);
	*done = start;
	return st;
}

/* ---------------------------------------------------------------------- */
/* One wrapper per hypercall.                                              */

/* The request Linux's mshv_ioctl_create_partition makes (facts §6). */
static void linux_create_request(const struct ohv_client *c,
				 struct hv_input_create_partition *in)
{
	memset(in, 0, sizeof(*in));
	in->flags = HV_PARTITION_CREATION_FLAG_EXO_PARTITION |
		    HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED;
	if (c->arch == OHV_ARCH_X64)
		in->flags |= HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED;
	in->compatibility_version = HV_COMPATIBILITY_21_H2;
}

hv_status_t ohv_call_create_partition(struct ohv_client *c,
				      const struct hv_input_create_partition *in,
				      uint64_t *new_id)
{
	struct hv_input_create_partition linux_in;
	struct hv_output_create_partition out;

	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	if (!in) {
		linux_create_request(c, &linux_in);
		in = &linux_in;
	}

	hv_status_t st;

	if (c->arch == OHV_ARCH_ARM64) {
		/* seed 002 "ARM64 Layout": no XSAVE field, the isolation
		 * properties move up to offset 40. */
		struct hv_input_create_partition_arm64 a;

		memset(&a, 0, sizeof(a));
		a.flags = in->flags;
		a.proximity_domain_info = in->proximity_domain_info;
		a.compatibility_version = in->compatibility_version;
		a.disabled_processor_features[0] = in->disabled_processor_features[0];
		a.disabled_processor_features[1] = in->disabled_processor_features[1];
		a.isolation_properties = in->isolation_properties;
		st = simple_call(c, HVCALL_CREATE_PARTITION, &a, sizeof(a),
				 &out, sizeof(out));
	} else {
		st = simple_call(c, HVCALL_CREATE_PARTITION, in, sizeof(*in),
				 &out, sizeof(out));
	}
	if (st == HV_STATUS_SUCCESS && new_id)
		*new_id = out.partition_id;
	return st;
}

static hv_status_t id_call(struct ohv_client *c, uint16_t code, uint64_t id)
{
	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	return simple_call(c, code, &id, sizeof(id), NULL, 0);
}

hv_status_t ohv_call_initialize_partition(struct ohv_client *c,
					  uint64_t partition_id)
{
	return id_call(c, HVCALL_INITIALIZE_PARTITION, partition_id);
}

hv_status_t ohv_call_finalize_partition(struct ohv_client *c,
					uint64_t partition_id)
{
	return id_call(c, HVCALL_FINALIZE_PARTITION, partition_id);
}

hv_status_t ohv_call_delete_partition(struct ohv_client *c,
				      uint64_t partition_id)
{
	return id_call(c, HVCALL_DELETE_PARTITION, partition_id);
}

hv_status_t ohv_call_get_partition_property(struct ohv_client *c,
					    uint64_t partition_id,
					    uint32_t code, uint64_t *value)
{
	struct hv_input_get_partition_property in = {
		.partition_id = partition_id,
		.property_code = code,
	};
	struct hv_output_get_partition_property out;

	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	hv_status_t st = simple_call(c, HVCALL_GET_PARTITION_PROPERTY, &in,
				     sizeof(in), &out, sizeof(out));

	if (st == HV_STATUS_SUCCESS && value)
		*value = out.property_value;
	return st;
}

hv_status_t ohv_call_set_partition_property(struct ohv_client *c,
					    uint64_t partition_id,
					    uint32_t code, uint64_t value)
{
	struct hv_input_set_partition_property in = {
		.partition_id = partition_id,
		.property_code = code,
		.property_value = value,
	};

	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	return simple_call(c, HVCALL_SET_PARTITION_PROPERTY, &in, sizeof(in),
			   NULL, 0);
}

hv_status_t ohv_call_get_partition_id(struct ohv_client *c,
				      uint64_t *partition_id)
{
	struct hv_output_get_partition_id out;

	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	hv_status_t st = simple_call(c, HVCALL_GET_PARTITION_ID, NULL, 0,
				     &out, sizeof(out));

	if (st == HV_STATUS_SUCCESS && partition_id)
		*partition_id = out.partition_id;
	return st;
}

hv_status_t ohv_call_get_next_child_partition(struct ohv_client *c,
					      uint64_t parent_id,
					      uint64_t previous_child,
					      uint64_t *next_child)
{
	struct hv_input_get_next_child_partition in = {
		.parent_id = parent_id,
		.previous_child_id = previous_child,
	};
	struct hv_output_get_next_child_partition out;

	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	hv_status_t st = simple_call(c, HVCALL_GET_NEXT_CHILD_PARTITION, &in,
				     sizeof(in), &out, sizeof(out));

	if (st == HV_STATUS_SUCCESS && next_child)
		*next_child = out.next_child_id;
	return st;
}

/* One HvDepositMemory of n <= HV_DEPOSIT_MAX_PAGES pages, to completion. */
static hv_status_t deposit_batch(struct ohv_client *c, uint64_t partition_id,
				 const uint64_t *gpa_pages, uint32_t n,
				 uint32_t *done)
{
	uint64_t buf[1 + HV_DEPOSIT_MAX_PAGES];

	buf[0] = partition_id;
	memcpy(&buf[1], gpa_pages, (size_t)n * sizeof(uint64_t));
	hv_status_t st = rep_call(c, HVCALL_DEPOSIT_MEMORY, buf,
				  (size_t)(n + 1) * sizeof(uint64_t), n,
				  NULL, 0, done);

	c->stats.pages_deposited += *done;
	return st;
}

hv_status_t ohv_call_deposit_memory(struct ohv_client *c,
				    uint64_t partition_id,
				    const uint64_t *gpa_pages, uint64_t count,
				    uint64_t *done)
{
	uint64_t total = 0;
	hv_status_t st = HV_STATUS_SUCCESS;

	if (done)
		*done = 0;
	if (!c || (count && !gpa_pages))
		return HV_STATUS_INVALID_PARAMETER;
	while (total < count && st == HV_STATUS_SUCCESS) {
		uint64_t left = count - total;
		uint32_t n = left > HV_DEPOSIT_MAX_PAGES ?
			HV_DEPOSIT_MAX_PAGES : (uint32_t)left;
		uint32_t got;

		st = deposit_batch(c, partition_id, gpa_pages + total, n, &got);
		total += got;
	}
	if (done)
		*done = total;
	return st;
}

/* One HvWithdrawMemory of n <= HV_WITHDRAW_MAX_PAGES pages into pages. */
static hv_status_t withdraw_batch(struct ohv_client *c, uint64_t partition_id,
				  struct hv_proximity_domain_info proximity,
				  uint64_t *pages, uint32_t n, uint32_t *done)
{
	struct hv_input_withdraw_memory in = {
		.partition_id = partition_id,
		.proximity_domain_info = proximity,
	};
	hv_status_t st = rep_call(c, HVCALL_WITHDRAW_MEMORY, &in, sizeof(in),
				  n, pages, sizeof(uint64_t), done);

	c->stats.pages_withdrawn += *done;
	return st;
}

hv_status_t ohv_call_withdraw_memory(struct ohv_client *c,
				     uint64_t partition_id,
				     struct hv_proximity_domain_info proximity,
				     uint64_t *gpa_pages, uint64_t count,
				     uint64_t *done)
{
	uint64_t total = 0;
	hv_status_t st = HV_STATUS_SUCCESS;

	if (done)
		*done = 0;
	if (!c || (count && !gpa_pages))
		return HV_STATUS_INVALID_PARAMETER;
	while (total < count && st == HV_STATUS_SUCCESS) {
		uint64_t left = count - total;
		uint32_t n = left > HV_WITHDRAW_MAX_PAGES ?
			HV_WITHDRAW_MAX_PAGES : (uint32_t)left;
		uint32_t got;

		st = withdraw_batch(c, partition_id, proximity,
				    gpa_pages + total, n, &got);
		total += got;
	}
	if (done)
		*done = total;
	return st;
}

hv_status_t ohv_call_get_memory_balance(struct ohv_client *c,
					uint64_t partition_id,
					struct hv_proximity_domain_info proximity,
					uint64_t *available, uint64_t *in_use)
{
	struct hv_input_get_memory_balance in = {
		.partition_id = partition_id,
		.proximity_domain_info = proximity,
	};
	struct hv_output_get_memory_balance out;

	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	hv_status_t st = simple_call(c, HVCALL_GET_MEMORY_BALANCE, &in,
				     sizeof(in), &out, sizeof(out));

	if (st == HV_STATUS_SUCCESS) {
		if (available)
			*available = out.pages_available;
		if (in_use)
			*in_use = out.pages_in_use;
	}
	return st;
}

/* ---------------------------------------------------------------------- */
/* GPA mapping, VPs and registers (SPEC 6, 7).                             */

/* The next batch of a list: what is left, at most max. */
static uint32_t batch_of(uint64_t left, uint32_t max)
{
	return left > max ? max : (uint32_t)left;
}

hv_status_t ohv_call_map_gpa_pages(struct ohv_client *c, uint64_t target,
				   uint64_t gpa_base, uint32_t flags,
				   const uint64_t *src_pages, uint64_t count,
				   uint64_t *done)
{
	uint8_t buf[HV_PAGE_SIZE];
	uint64_t total = 0;
	hv_status_t st = HV_STATUS_SUCCESS;

	if (done)
		*done = 0;
	if (!c || (count && !src_pages))
		return HV_STATUS_INVALID_PARAMETER;
	while (total < count && st == HV_STATUS_SUCCESS) {
		uint32_t n = batch_of(count - total, OHV_LINUX_MAP_BATCH);
		struct hv_input_map_gpa_pages hdr = {
			.target_partition_id = target,
			.target_gpa_base = gpa_base + total,
			.map_flags = flags,
		};
		uint32_t got;

		memcpy(buf, &hdr, sizeof(hdr));
		memcpy(buf + sizeof(hdr), src_pages + total,
		       (size_t)n * sizeof(uint64_t));
		st = rep_call(c, HVCALL_MAP_GPA_PAGES, buf,
			      sizeof(hdr) + (size_t)n * sizeof(uint64_t), n,
			      NULL, 0, &got);
		total += got;
	}
	if (done)
		*done = total;
	return st;
}

hv_status_t ohv_call_unmap_gpa_pages(struct ohv_client *c, uint64_t target,
				     uint64_t gpa_base, uint64_t count,
				     uint64_t *done)
{
	uint64_t total = 0;
	hv_status_t st = HV_STATUS_SUCCESS;

	if (done)
		*done = 0;
	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	while (total < count && st == HV_STATUS_SUCCESS) {
		uint32_t n = batch_of(count - total, OHV_LINUX_UNMAP_BATCH);
		struct hv_input_unmap_gpa_pages in = {
			.target_partition_id = target,
			.target_gpa_base = gpa_base + total,
		};
		uint32_t got;

		/* A rep call without a list: rep count = pages. */
		st = rep_call(c, HVCALL_UNMAP_GPA_PAGES, &in, sizeof(in), n,
			      NULL, 0, &got);
		total += got;
	}
	if (done)
		*done = total;
	return st;
}

hv_status_t ohv_call_create_vp(struct ohv_client *c, uint64_t partition,
			       uint32_t vp_index,
			       struct hv_proximity_domain_info proximity)
{
	struct hv_input_create_vp in;

	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	memset(&in, 0, sizeof(in));
	in.partition_id = partition;
	in.vp_index = vp_index;
	in.subnode_type = HV_SUBNODE_ANY;
	in.proximity_domain_info = proximity;
	return simple_call(c, HVCALL_CREATE_VP, &in, sizeof(in), NULL, 0);
}

hv_status_t ohv_call_delete_vp(struct ohv_client *c, uint64_t partition,
			       uint32_t vp_index)
{
	struct hv_input_delete_vp in = {
		.partition_id = partition,
		.vp_index = vp_index,
	};

	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	return simple_call(c, HVCALL_DELETE_VP, &in, sizeof(in), NULL, 0);
}

hv_status_t ohv_call_get_vp_registers(struct ohv_client *c, uint64_t partition,
				      uint32_t vp, const uint32_t *names,
				      union hv_register_value *values,
				      uint64_t count, uint64_t *done)
{
	const struct hv_input_get_vp_registers hdr = {
		.partition_id = partition,
		.vp_index = vp,
	};
	uint8_t buf[sizeof(hdr) + OHV_LINUX_GET_REGS_BATCH * sizeof(uint32_t)];
	uint64_t total = 0;
	hv_status_t st = HV_STATUS_SUCCESS;

	if (done)
		*done = 0;
	if (!c || (count && (!names || !values)))
		return HV_STATUS_INVALID_PARAMETER;
	memcpy(buf, &hdr, sizeof(hdr));
	while (total < count && st == HV_STATUS_SUCCESS) {
		uint32_t n = batch_of(count - total, OHV_LINUX_GET_REGS_BATCH);
		uint32_t got;

		memcpy(buf + sizeof(hdr), names + total,
		       (size_t)n * sizeof(uint32_t));
		st = rep_call(c, HVCALL_GET_VP_REGISTERS, buf,
			      sizeof(hdr) + (size_t)n * sizeof(uint32_t), n,
			      values + total, sizeof(*values), &got);
		total += got;
	}
	if (done)
		*done = total;
	return st;
}

hv_status_t ohv_call_set_vp_registers(struct ohv_client *c, uint64_t partition,
				      uint32_t vp,
				      const struct hv_register_assoc *regs,
				      uint64_t count, uint64_t *done)
{
	const struct hv_input_set_vp_registers hdr = {
		.partition_id = partition,
		.vp_index = vp,
	};
	uint8_t buf[sizeof(hdr) + OHV_LINUX_SET_REGS_BATCH * sizeof(*regs)];
	uint64_t total = 0;
	hv_status_t st = HV_STATUS_SUCCESS;

	if (done)
		*done = 0;
	if (!c || (count && !regs))
		return HV_STATUS_INVALID_PARAMETER;
	memcpy(buf, &hdr, sizeof(hdr));
	while (total < count && st == HV_STATUS_SUCCESS) {
		uint32_t n = batch_of(count - total, OHV_LINUX_SET_REGS_BATCH);
		uint32_t got;

		memcpy(buf + sizeof(hdr), regs + total, (size_t)n * sizeof(*regs));
		st = rep_call(c, HVCALL_SET_VP_REGISTERS, buf,
			      sizeof(hdr) + (size_t)n * sizeof(*regs), n,
			      NULL, 0, &got);
		total += got;
	}
	if (done)
		*done = total;
	return st;
}

hv_status_t ohv_call_get_vp_register(struct ohv_client *c, uint64_t partition,
				     uint32_t vp, uint32_t name,
				     uint64_t *value)
{
	union hv_register_value v;
	hv_status_t st = ohv_call_get_vp_registers(c, partition, vp, &name,
						   &v, 1, NULL);

	if (st == HV_STATUS_SUCCESS && value)
		*value = v.reg64;
	return st;
}

hv_status_t ohv_call_set_vp_register(struct ohv_client *c, uint64_t partition,
				     uint32_t vp, uint32_t name,
				     uint64_t value)
{
	struct hv_register_assoc a;

	memset(&a, 0, sizeof(a));
	a.name = name;
	a.value.reg64 = value;
	return ohv_call_set_vp_registers(c, partition, vp, &a, 1, NULL);
}

/* ---------------------------------------------------------------------- */
/* Ports, connections, messages, events (SPEC 8).                          */

hv_status_t ohv_call_create_port(struct ohv_client *c,
				 const struct hv_input_create_port *in)
{
	if (!c || !in)
		return HV_STATUS_INVALID_PARAMETER;
	return simple_call(c, HVCALL_CREATE_PORT, in, sizeof(*in), NULL, 0);
}

hv_status_t ohv_call_create_port_classic(
	struct ohv_client *c, const struct hv_input_create_port_classic *in)
{
	if (!c || !in)
		return HV_STATUS_INVALID_PARAMETER;
	return simple_call(c, HVCALL_CREATE_PORT_CLASSIC, in, sizeof(*in),
			   NULL, 0);
}

hv_status_t ohv_call_connect_port(struct ohv_client *c,
				  const struct hv_input_connect_port *in)
{
	if (!c || !in)
		return HV_STATUS_INVALID_PARAMETER;
	return simple_call(c, HVCALL_CONNECT_PORT, in, sizeof(*in), NULL, 0);
}

hv_status_t ohv_call_connect_port_classic(
	struct ohv_client *c, const struct hv_input_connect_port_classic *in)
{
	if (!c || !in)
		return HV_STATUS_INVALID_PARAMETER;
	return simple_call(c, HVCALL_CONNECT_PORT_CLASSIC, in, sizeof(*in),
			   NULL, 0);
}

hv_status_t ohv_call_delete_port(struct ohv_client *c, uint64_t port_partition,
				 uint32_t port_id)
{
	struct hv_input_delete_port in = {
		.port_partition_id = port_partition,
		.port_id = port_id,
	};

	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	return simple_call(c, HVCALL_DELETE_PORT, &in, sizeof(in), NULL, 0);
}

hv_status_t ohv_call_disconnect_port(struct ohv_client *c,
				     uint64_t connection_partition,
				     uint32_t connection_id)
{
	/* Linux sets IsDoorbell: its only ports are doorbells.  These are
	 * not, and the bit is padding in TLFS 2.0. */
	struct hv_input_disconnect_port in = {
		.connection_partition_id = connection_partition,
		.connection_id = connection_id,
	};

	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	return simple_call(c, HVCALL_DISCONNECT_PORT, &in, sizeof(in), NULL, 0);
}

hv_status_t ohv_call_get_port_property(struct ohv_client *c,
				       uint64_t port_partition,
				       uint32_t port_id, uint32_t code,
				       uint64_t *value)
{
	struct hv_input_get_port_property in = {
		.port_partition_id = port_partition,
		.port_id = port_id,
		.property_code = code,
	};
	struct hv_output_get_port_property out;

	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	hv_status_t st = simple_call(c, HVCALL_GET_PORT_PROPERTY, &in,
				     sizeof(in), &out, sizeof(out));

	if (st == HV_STATUS_SUCCESS && value)
		*value = out.property_value;
	return st;
}

hv_status_t ohv_call_set_port_property(struct ohv_client *c,
				       uint64_t port_partition,
				       uint32_t port_id, uint32_t code,
				       uint64_t value, uint64_t *previous)
{
	struct hv_input_set_port_property in = {
		.port_partition_id = port_partition,
		.port_id = port_id,
		.property_code = code,
		.property_value = value,
	};
	struct hv_output_set_port_property out;

	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	hv_status_t st = simple_call(c, HVCALL_SET_PORT_PROPERTY, &in,
				     sizeof(in), &out, sizeof(out));

	if (st == HV_STATUS_SUCCESS && previous)
		*previous = out.property_value;
	return st;
}

hv_status_t ohv_call_post_message(struct ohv_client *c, uint32_t connection_id,
				  uint32_t message_type, const void *payload,
				  uint32_t payload_size)
{
	struct hv_input_post_message in;

	if (!c || (payload_size && !payload))
		return HV_STATUS_INVALID_PARAMETER;
	memset(&in, 0, sizeof(in));
	in.connection_id = connection_id;
	in.message_type = message_type;
	/* An oversized message goes out as asked: the hypervisor judges. */
	in.payload_size = payload_size;
	if (payload_size)
		memcpy(in.payload, payload,
		       payload_size < HV_MESSAGE_PAYLOAD_BYTE_COUNT ?
		       payload_size : HV_MESSAGE_PAYLOAD_BYTE_COUNT);
	return simple_call(c, HVCALL_POST_MESSAGE, &in, sizeof(in), NULL, 0);
}

hv_status_t ohv_call_signal_event(struct ohv_client *c, uint32_t connection_id,
				  uint16_t flag_number)
{
	struct hv_input_signal_event in = {
		.connection_id = connection_id,
		.flag_number = flag_number,
	};

	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	return simple_call(c, HVCALL_SIGNAL_EVENT, &in, sizeof(in), NULL, 0);
}

/* ---------------------------------------------------------------------- */
/* The Linux mshv driver's behaviour.                                      */

/*
 * ohv_client_deposit, also telling how many pages went in (*done), which
 * ohv_client_initialize_partition needs to undo exactly its own deposits.
 */
static hv_status_t deposit_pages(struct ohv_client *c, uint64_t partition_id,
				 uint64_t pages, uint32_t node, uint64_t *done)
{
	hv_status_t st = HV_STATUS_SUCCESS;

	*done = 0;
	if (!c || !has_source(c))
		return HV_STATUS_INVALID_PARAMETER;
	if (node != OHV_ANY_NODE && node >= c->numa_nodes)
		return HV_STATUS_INVALID_PARAMETER;
	while (*done < pages && st == HV_STATUS_SUCCESS) {
		uint64_t left = pages - *done;
		uint32_t n = left > HV_DEPOSIT_MAX_PAGES ?
			HV_DEPOSIT_MAX_PAGES : (uint32_t)left;
		uint32_t got = 0;

		/* As Linux: get the whole batch first, or deposit none. */
		size_t have = source_alloc(c, node, c->pages, n);

		if (have < n) {
			source_free(c, c->pages, have);
			return HV_STATUS_NO_RESOURCES;
		}
		st = deposit_batch(c, partition_id, c->pages, n, &got);
		/* Elements go in in order: [got, n) stayed ours. */
		source_free(c, c->pages + got, n - got);
		*done += got;
	}
	return st;
}

/*
 * A call came back INSUFFICIENT_MEMORY: count the retry and deposit pages
 * into the partition that pays, as Linux's hv_call_deposit_pages does
 * before re-issuing.  *got (may be NULL) gets the pages that went in.
 */
static hv_status_t retry_deposit(struct ohv_client *c, uint64_t partition_id,
				 uint64_t pages, uint64_t *got)
{
	uint64_t done;

	c->stats.memory_retries++;
	return deposit_pages(c, partition_id, pages, OHV_ANY_NODE,
			     got ? got : &done);
}

hv_status_t ohv_client_deposit(struct ohv_client *c, uint64_t partition_id,
			       uint64_t pages, uint32_t node)
{
	uint64_t done;

	return deposit_pages(c, partition_id, pages, node, &done);
}

hv_status_t ohv_client_withdraw(struct ohv_client *c, uint64_t partition_id,
				uint64_t max_pages, uint64_t *withdrawn)
{
	const struct hv_proximity_domain_info any = { 0, 0 };
	uint64_t total = 0;
	hv_status_t st = HV_STATUS_SUCCESS;

	if (withdrawn)
		*withdrawn = 0;
	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	while (total < max_pages) {
		uint64_t left = max_pages - total;
		uint32_t n = left > HV_WITHDRAW_MAX_PAGES ?
			HV_WITHDRAW_MAX_PAGES : (uint32_t)left;
		uint32_t got = 0;

		st = withdraw_batch(c, partition_id, any, c->pages, n, &got);
		/* Back to the page source; without one they are simply
		 * back in the caller's GPA space. */
		source_free(c, c->pages, got);
		total += got;
		if (st == HV_STATUS_NO_RESOURCES) {
			/* The pool is empty (Linux's hv_call_withdraw_memory). */
			st = HV_STATUS_SUCCESS;
			break;
		}
		if (st != HV_STATUS_SUCCESS)
			break;
	}
	if (withdrawn)
		*withdrawn = total;
	return st;
}

hv_status_t ohv_client_create_partition(struct ohv_client *c,
					const struct hv_input_create_partition *in,
					uint64_t *new_id)
{
	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	for (;;) {
		hv_status_t st = ohv_call_create_partition(c, in, new_id);

		/* Only the root has pages of its own to give. */
		if (st != HV_STATUS_INSUFFICIENT_MEMORY || !c->root)
			return st;
		st = retry_deposit(c, HV_PARTITION_ID_SELF, 1, NULL);
		if (st != HV_STATUS_SUCCESS)
			return st;
	}
}

/* Take back what initialize deposited, so the pool is as it was. */
static void undo_deposits(struct ohv_client *c, uint64_t partition_id,
			  uint64_t deposited)
{
	if (deposited)
		ohv_client_withdraw(c, partition_id, deposited, NULL);
}

hv_status_t ohv_client_initialize_partition(struct ohv_client *c,
					    uint64_t partition_id)
{
	uint64_t deposited = 0, got;
	hv_status_t st;

	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	st = deposit_pages(c, partition_id, OHV_LINUX_INIT_DEPOSIT_PAGES,
			   OHV_ANY_NODE, &got);
	deposited += got;
	while (st == HV_STATUS_SUCCESS) {
		st = ohv_call_initialize_partition(c, partition_id);
		if (st != HV_STATUS_INSUFFICIENT_MEMORY)
			break;
		st = retry_deposit(c, partition_id, 1, &got);
		deposited += got;
	}
	if (st != HV_STATUS_SUCCESS)
		undo_deposits(c, partition_id, deposited);
	return st;
}

hv_status_t ohv_client_destroy_partition(struct ohv_client *c,
					 uint64_t partition_id)
{
	struct ohv_partition_info info;
	hv_status_t st;

	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	/* Never drain the caller's own pool: delete gives the answer. */
	if (partition_id == HV_PARTITION_ID_SELF || partition_id == c->partition)
		return ohv_call_delete_partition(c, partition_id);
	/*
	 * Linux finalizes only what it initialized.  The state is a hint
	 * (another thread may act between the look and the call), so a
	 * finalize that finds the partition no longer Active is fine too.
	 */
	if (ohv_partition_info(c->hv, partition_id, &info) == 0 &&
	    info.state == OHV_STATE_ACTIVE) {
		st = ohv_call_finalize_partition(c, partition_id);
		if (st != HV_STATUS_SUCCESS &&
		    st != HV_STATUS_INVALID_PARTITION_STATE)
			return st;
	}
	st = ohv_client_withdraw(c, partition_id, UINT64_MAX, NULL);
	if (st != HV_STATUS_SUCCESS)
		return st;
	return ohv_call_delete_partition(c, partition_id);
}

hv_status_t ohv_client_children(struct ohv_client *c, uint64_t parent_id,
				uint64_t *ids, size_t max, size_t *count)
{
	struct ohv_config cfg;
	uint64_t prev = HV_PARTITION_ID_INVALID, next;
	size_t n = 0;

	if (count)
		*count = 0;
	if (!c || (max && !ids))
		return HV_STATUS_INVALID_PARAMETER;
	ohv_get_config(c->hv, &cfg);
	for (;;) {
		hv_status_t st = ohv_call_get_next_child_partition(c, parent_id,
								   prev, &next);

		if (st != HV_STATUS_SUCCESS)
			return st;
		if (next == HV_PARTITION_ID_INVALID)
			break;
		/* No parent has max_partitions children: a longer walk
		 * means the answers go round in a circle. */
		if (n >= cfg.max_partitions)
			return HV_STATUS_OPERATION_FAILED;
		if (n < max)
			ids[n] = next;
		n++;
		prev = next;
	}
	if (count)
		*count = n;
	return HV_STATUS_SUCCESS;
}

hv_status_t ohv_client_map_gpa_pages(struct ohv_client *c, uint64_t target,
				     uint64_t gpa_base, uint32_t flags,
				     const uint64_t *src_pages, uint64_t count,
				     uint64_t *done)
{
	uint64_t total = 0, got, deposited;
	hv_status_t st;

	if (done)
		*done = 0;
	if (!c || (count && !src_pages))
		return HV_STATUS_INVALID_PARAMETER;
	if (!count)
		return HV_STATUS_SUCCESS;
	for (;;) {
		/* The rest of the list, from the first page not mapped. */
		st = ohv_call_map_gpa_pages(c, target, gpa_base + total, flags,
					    src_pages + total, count - total,
					    &got);
		total += got;
		if (st != HV_STATUS_INSUFFICIENT_MEMORY)
			break;
		st = retry_deposit(c, target, OHV_LINUX_MAP_DEPOSIT_PAGES,
				   &deposited);
		if (st != HV_STATUS_SUCCESS)
			break;
	}
	if (st != HV_STATUS_SUCCESS && total) {
		/* hv_do_map_gpa_hcall: take back what this call mapped. */
		uint64_t undone = 0;

		ohv_call_unmap_gpa_pages(c, target, gpa_base, total, &undone);
		total -= undone;
	}
	if (done)
		*done = total;
	return st;
}

hv_status_t ohv_client_create_vp(struct ohv_client *c, uint64_t partition,
				 uint32_t vp_index,
				 struct hv_proximity_domain_info proximity)
{
	uint64_t got;
	hv_status_t st;

	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	/* hv_proc.c deposits first, except for the caller's own VPs. */
	if (partition != HV_PARTITION_ID_SELF && partition != c->partition) {
		st = deposit_pages(c, partition, OHV_LINUX_VP_DEPOSIT_PAGES,
				   OHV_ANY_NODE, &got);
		if (st != HV_STATUS_SUCCESS)
			return st;
	}
	for (;;) {
		st = ohv_call_create_vp(c, partition, vp_index, proximity);
		if (st != HV_STATUS_INSUFFICIENT_MEMORY)
			return st;
		st = retry_deposit(c, partition, 1, NULL);
		if (st != HV_STATUS_SUCCESS)
			return st;
	}
}

hv_status_t ohv_client_create_port(struct ohv_client *c,
				   const struct hv_input_create_port *in)
{
	if (!c || !in)
		return HV_STATUS_INVALID_PARAMETER;
	for (;;) {
		hv_status_t st = ohv_call_create_port(c, in);

		if (st != HV_STATUS_INSUFFICIENT_MEMORY)
			return st;
		/* SPEC 9: the port's partition pays for the port. */
		st = retry_deposit(c, in->port_partition_id, 1, NULL);
		if (st != HV_STATUS_SUCCESS)
			return st;
	}
}

hv_status_t ohv_client_connect_port(struct ohv_client *c,
				    const struct hv_input_connect_port *in)
{
	if (!c || !in)
		return HV_STATUS_INVALID_PARAMETER;
	for (;;) {
		hv_status_t st = ohv_call_connect_port(c, in);

		if (st != HV_STATUS_INSUFFICIENT_MEMORY)
			return st;
		/* SPEC 9: the connection's partition pays. */
		st = retry_deposit(c, in->connection_partition_id, 1, NULL);
		if (st != HV_STATUS_SUCCESS)
			return st;
	}
}

/* ---------------------------------------------------------------------- */
/* The guest side of SynIC messages.                                       */

struct hv_message *ohv_client_sim_slot(struct ohv_client *c, uint64_t simp,
				       uint32_t sint)
{
	if (!c || sint >= HV_SYNIC_SINT_COUNT)
		return NULL;
	uint64_t gpa = (simp & ~(uint64_t)(HV_PAGE_SIZE - 1)) +
		       (uint64_t)sint * HV_MESSAGE_SIZE;

	return ohv_gpa(c->hv, c->partition, gpa, HV_MESSAGE_SIZE);
}

/* ---------------------------------------------------------------------- */
/* Any call by its control word (linux_seq.c and callers of new calls).    */

uint64_t ohv_client_hvcall(struct ohv_client *c, uint64_t control,
			   const void *in, size_t in_len, void *out,
			   size_t out_len)
{
	struct ohv_hvcall call;

	if (!c || in_len > HV_PAGE_SIZE || out_len > HV_PAGE_SIZE ||
	    (in_len && !in) || (out_len && !out))
		return HV_STATUS_INVALID_PARAMETER;
	load_input(c, &call, false, in, in_len);
	call.control = control & ~(uint64_t)HV_HYPERCALL_FAST_BIT;
	uint64_t r = hypercall(c, &call);

	if (ohv_result_status(r) == HV_STATUS_SUCCESS)
		read_output(c, &call, false, 0, 0, out, out_len);
	return r;
}
