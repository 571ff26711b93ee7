/*
 * The client layer (client.h): typed wrappers against raw hypercalls, the
 * Linux mshv lifecycle, deposit convergence, rep loops, error paths.
 */
#include <errno.h>

#include "t.h"

#define ALL_PAGES	UINT64_MAX
#define LINUX_FLAGS_ARM64 \
	(HV_PARTITION_CREATION_FLAG_EXO_PARTITION | \
	 HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED)
#define LINUX_FLAGS_X64 \
	(LINUX_FLAGS_ARM64 | HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED)

static const struct hv_proximity_domain_info no_node = { 0, 0 };

static struct ohv *open_arch(enum ohv_arch arch)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.arch = arch;
	return t_open(&cfg);
}

static struct ohv_client *client(struct ohv *hv)
{
	struct ohv_client *c = NULL;
	int rc = ohv_client_open(hv, 0, &c);

	CHECK_MSG(rc == 0, "ohv_client_open: %d", rc);
	REQUIRE(c);
	return c;
}

static struct ohv_client_stats stats(const struct ohv_client *c)
{
	struct ohv_client_stats s;

	ohv_client_stats(c, &s);
	return s;
}

static uint64_t live_partitions(struct ohv *hv)
{
	return ohv_partition_list(hv, NULL, 0);
}

static void pool_of(struct ohv *hv, uint64_t id, uint64_t *avail,
		    uint64_t *in_use)
{
	struct ohv_partition_info info;

	*avail = *in_use = UINT64_MAX;
	if (CHECK(ohv_partition_info(hv, id, &info) == 0)) {
		*avail = info.pool_available;
		*in_use = info.pool_in_use;
	}
}

/* ---------------------------------------------------------------------- */
/* Each wrapper against the raw call, on twin instances: instance A runs   */
/* a script with the harness's memory-based calls, instance B the same     */
/* script through the client.  Statuses, outputs and the resulting         */
/* machines must be identical, in every convention on both architectures.  */

enum op {
	OP_CREATE,		/* a: flags (LINUX_REQ: in NULL), b: proximity */
	OP_INIT,
	OP_FINAL,
	OP_DELETE,
	OP_GET_PROP,		/* a: code                                     */
	OP_SET_PROP,		/* a: code, b: value                           */
	OP_GET_ID,
	OP_NEXT_CHILD,		/* id: parent, a: previous child               */
	OP_DEPOSIT,		/* a: first page, b: count                     */
	OP_WITHDRAW,		/* b: count                                    */
	OP_BALANCE,
};

#define LINUX_REQ	UINT64_MAX
#define SELF		HV_PARTITION_ID_SELF
#define PREF_NODE0	((uint64_t)(HV_PROXIMITY_DOMAIN_VALID | \
				    HV_PROXIMITY_DOMAIN_PREFERRED) << 32)

struct step {
	enum op op;
	uint64_t id, a, b;
	hv_status_t want;
};

#define S_(name) HV_STATUS_##name
static const struct step script[] = {
	{ OP_CREATE, 0, LINUX_REQ, 0, S_(INSUFFICIENT_MEMORY) },
	{ OP_DEPOSIT, SELF, 100, 2, S_(SUCCESS) },
	{ OP_CREATE, 0, LINUX_REQ, 0, S_(SUCCESS) },			/* 2 */
	{ OP_CREATE, 0, 1ull << 2, 0, S_(INVALID_PARAMETER) },
	{ OP_CREATE, 0, HV_PARTITION_CREATION_FLAG_EXO_PARTITION, PREF_NODE0,
	  S_(SUCCESS) },						/* 3 */
	{ OP_CREATE, 0, LINUX_REQ, 0, S_(INSUFFICIENT_MEMORY) },
	{ OP_GET_ID, 0, 0, 0, S_(SUCCESS) },
	{ OP_NEXT_CHILD, SELF, 0, 0, S_(SUCCESS) },
	{ OP_NEXT_CHILD, T_ROOT, 2, 0, S_(SUCCESS) },
	{ OP_NEXT_CHILD, SELF, 3, 0, S_(SUCCESS) },
	{ OP_NEXT_CHILD, SELF, 99, 0, S_(INVALID_PARTITION_ID) },
	{ OP_NEXT_CHILD, 2, 0, 0, S_(ACCESS_DENIED) },
	{ OP_INIT, 2, 0, 0, S_(INSUFFICIENT_MEMORY) },
	{ OP_DEPOSIT, 2, 200, 16, S_(SUCCESS) },
	{ OP_BALANCE, 2, 0, 0, S_(SUCCESS) },
	{ OP_GET_PROP, 2, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, 0, S_(SUCCESS) },
	{ OP_GET_PROP, 2, HV_PARTITION_PROPERTY_CPU_CAP, 0,
	  S_(INVALID_PARTITION_STATE) },
	{ OP_SET_PROP, 2, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
	  OHV_CHILD_PRIVILEGES | HV_PARTITION_PRIV_ACCESS_PARTITION_ID,
	  S_(SUCCESS) },
	{ OP_INIT, 2, 0, 0, S_(SUCCESS) },
	{ OP_INIT, 2, 0, 0, S_(INVALID_PARTITION_STATE) },
	{ OP_BALANCE, 2, 0, 0, S_(SUCCESS) },
	{ OP_GET_PROP, 2, HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION, 0,
	  S_(SUCCESS) },
	{ OP_GET_PROP, 2, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, 0, S_(SUCCESS) },
	{ OP_SET_PROP, 2, HV_PARTITION_PROPERTY_CPU_WEIGHT, 200, S_(SUCCESS) },
	{ OP_GET_PROP, 2, HV_PARTITION_PROPERTY_CPU_WEIGHT, 0, S_(SUCCESS) },
	{ OP_SET_PROP, 2, 0x12345, 1, S_(UNKNOWN_PROPERTY) },
	{ OP_GET_PROP, SELF, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, 0,
	  S_(SUCCESS) },
	{ OP_DELETE, 2, 0, 0, S_(INVALID_PARTITION_STATE) },
	{ OP_FINAL, 3, 0, 0, S_(INVALID_PARTITION_STATE) },
	{ OP_FINAL, 2, 0, 0, S_(SUCCESS) },
	{ OP_FINAL, 2, 0, 0, S_(INVALID_PARTITION_STATE) },
	{ OP_DELETE, 2, 0, 0, S_(OPERATION_DENIED) },
	{ OP_WITHDRAW, 2, 0, 5, S_(SUCCESS) },
	{ OP_WITHDRAW, 2, 0, 20, S_(NO_RESOURCES) },
	{ OP_BALANCE, 2, 0, 0, S_(SUCCESS) },
	{ OP_DELETE, 2, 0, 0, S_(SUCCESS) },
	{ OP_DELETE, 2, 0, 0, S_(INVALID_PARTITION_ID) },
	{ OP_DEPOSIT, 3, 300, 600, S_(SUCCESS) },
	{ OP_DEPOSIT, 3, 300, 1, S_(OPERATION_DENIED) },
	{ OP_DEPOSIT, 3, 1000, 3, S_(SUCCESS) },
	{ OP_BALANCE, 3, 0, 0, S_(SUCCESS) },
	{ OP_WITHDRAW, 3, 0, 603, S_(SUCCESS) },
	{ OP_WITHDRAW, 3, 0, 1, S_(NO_RESOURCES) },
	{ OP_DELETE, 3, 0, 0, S_(SUCCESS) },
	{ OP_DEPOSIT, 0x99, 2000, 1, S_(INVALID_PARTITION_ID) },
	{ OP_INIT, SELF, 0, 0, S_(INVALID_PARTITION_ID) },
	{ OP_FINAL, 0, 0, 0, S_(INVALID_PARTITION_ID) },
	{ OP_WITHDRAW, SELF, 0, 2, S_(SUCCESS) },
	{ OP_BALANCE, SELF, 0, 0, S_(SUCCESS) },
	{ OP_GET_PROP, 0x99, HV_PARTITION_PROPERTY_CPU_CAP, 0,
	  S_(INVALID_PARTITION_ID) },
};

#define MAX_OUT	640

struct outcome {
	hv_status_t st;
	uint64_t v[2];		/* id / value / balance */
	uint64_t done;		/* deposit / withdraw   */
	uint64_t pages[MAX_OUT];
};

static void create_request(enum ohv_arch arch, const struct step *s,
			   struct hv_input_create_partition *in)
{
	memset(in, 0, sizeof(*in));
	if (s->a == LINUX_REQ) {
		in->flags = arch == OHV_ARCH_X64 ? LINUX_FLAGS_X64 :
						   LINUX_FLAGS_ARM64;
		in->compatibility_version = HV_COMPATIBILITY_21_H2;
	} else {
		in->flags = s->a;
		memcpy(&in->proximity_domain_info, &s->b, 8);
		in->compatibility_version = 0x0605;
	}
}

static void run_raw(struct ohv *hv, enum ohv_arch arch, const struct step *s,
		    struct outcome *o)
{
	switch (s->op) {
	case OP_CREATE: {
		struct hv_input_create_partition in;
		struct hv_input_create_partition_arm64 a;
		struct hv_output_create_partition out = { 0 };

		create_request(arch, s, &in);
		if (arch == OHV_ARCH_X64) {
			o->st = t_create_in(hv, &in, &o->v[0]);
			break;
		}
		memset(&a, 0, sizeof(a));
		a.flags = in.flags;
		a.proximity_domain_info = in.proximity_domain_info;
		a.compatibility_version = in.compatibility_version;
		o->st = ohv_result_status(t_mem(hv, T_ROOT,
						HVCALL_CREATE_PARTITION, &a,
						sizeof(a), &out, sizeof(out)));
		if (o->st == HV_STATUS_SUCCESS)
			o->v[0] = out.partition_id;
		break;
	}
	case OP_INIT:
		o->st = t_initialize(hv, s->id);
		break;
	case OP_FINAL:
		o->st = t_finalize(hv, s->id);
		break;
	case OP_DELETE:
		o->st = t_delete(hv, s->id);
		break;
	case OP_GET_PROP:
		o->st = t_get_property(hv, s->id, (uint32_t)s->a, &o->v[0]);
		break;
	case OP_SET_PROP:
		o->st = t_set_property(hv, s->id, (uint32_t)s->a, s->b);
		break;
	case OP_GET_ID: {
		struct hv_output_get_partition_id out = { 0 };

		o->st = ohv_result_status(t_mem(hv, T_ROOT,
						HVCALL_GET_PARTITION_ID, NULL,
						0, &out, sizeof(out)));
		if (o->st == HV_STATUS_SUCCESS)
			o->v[0] = out.partition_id;
		break;
	}
	case OP_NEXT_CHILD: {
		struct hv_input_get_next_child_partition in = {
			.parent_id = s->id, .previous_child_id = s->a,
		};
		struct hv_output_get_next_child_partition out = { 0 };

		o->st = ohv_result_status(t_mem(hv, T_ROOT,
						HVCALL_GET_NEXT_CHILD_PARTITION,
						&in, sizeof(in), &out,
						sizeof(out)));
		if (o->st == HV_STATUS_SUCCESS)
			o->v[0] = out.next_child_id;
		break;
	}
	case OP_DEPOSIT: {
		uint32_t done = 0;

		o->st = t_deposit(hv, s->id, s->a, (uint32_t)s->b, &done);
		o->done = done;
		break;
	}
	case OP_WITHDRAW:
		o->st = HV_STATUS_SUCCESS;
		while (o->done < s->b && o->st == HV_STATUS_SUCCESS) {
			uint64_t n = s->b - o->done;
			uint32_t done = 0;

			if (n > HV_WITHDRAW_MAX_PAGES)
				n = HV_WITHDRAW_MAX_PAGES;
			o->st = t_withdraw(hv, s->id, (uint32_t)n,
					   o->pages + o->done, &done);
			o->done += done;
		}
		break;
	case OP_BALANCE:
		o->st = t_balance(hv, s->id, &o->v[0], &o->v[1]);
		break;
	}
}

static void run_client(struct ohv_client *c, enum ohv_arch arch,
		       const struct step *s, struct outcome *o)
{
	const uint64_t sentinel = 0xDEADBEEFull;

	o->v[0] = o->v[1] = sentinel;
	switch (s->op) {
	case OP_CREATE: {
		struct hv_input_create_partition in;

		create_request(arch, s, &in);
		o->st = ohv_call_create_partition(c, s->a == LINUX_REQ ? NULL : &in,
						  &o->v[0]);
		break;
	}
	case OP_INIT:
		o->st = ohv_call_initialize_partition(c, s->id);
		break;
	case OP_FINAL:
		o->st = ohv_call_finalize_partition(c, s->id);
		break;
	case OP_DELETE:
		o->st = ohv_call_delete_partition(c, s->id);
		break;
	case OP_GET_PROP:
		o->st = ohv_call_get_partition_property(c, s->id, (uint32_t)s->a,
							&o->v[0]);
		break;
	case OP_SET_PROP:
		o->st = ohv_call_set_partition_property(c, s->id, (uint32_t)s->a,
							s->b);
		break;
	case OP_GET_ID:
		o->st = ohv_call_get_partition_id(c, &o->v[0]);
		break;
	case OP_NEXT_CHILD:
		o->st = ohv_call_get_next_child_partition(c, s->id, s->a,
							  &o->v[0]);
		break;
	case OP_DEPOSIT: {
		uint64_t pages[MAX_OUT];

		REQUIRE(s->b <= MAX_OUT);
		for (uint64_t i = 0; i < s->b; i++)
			pages[i] = s->a + i;
		o->st = ohv_call_deposit_memory(c, s->id, pages, s->b, &o->done);
		break;
	}
	case OP_WITHDRAW:
		REQUIRE(s->b <= MAX_OUT);
		o->st = ohv_call_withdraw_memory(c, s->id, no_node, o->pages,
						 s->b, &o->done);
		break;
	case OP_BALANCE:
		o->st = ohv_call_get_memory_balance(c, s->id, no_node, &o->v[0],
						    &o->v[1]);
		break;
	}
	/* Outputs are written only on SUCCESS. */
	if (o->st != HV_STATUS_SUCCESS) {
		CHECK_EQ(o->v[0], sentinel);
		CHECK_EQ(o->v[1], sentinel);
	}
	CHECK_ST(ohv_client_last_result(c), o->st);
}

/* The same machine state: partitions, their states and pools. */
static void same_machines(struct ohv *a, struct ohv *b, size_t step)
{
	uint64_t ida[16], idb[16];
	size_t na = ohv_partition_list(a, ida, 16);
	size_t nb = ohv_partition_list(b, idb, 16);

	CHECK_MSG(na == nb, "step %zu: %zu vs %zu partitions", step, na, nb);
	for (size_t i = 0; i < na && i < nb && i < 16; i++) {
		struct ohv_partition_info pa, pb;

		CHECK_EQ(ida[i], idb[i]);
		REQUIRE(ohv_partition_info(a, ida[i], &pa) == 0);
		REQUIRE(ohv_partition_info(b, idb[i], &pb) == 0);
		CHECK_MSG(pa.state == pb.state &&
			  pa.pool_available == pb.pool_available &&
			  pa.pool_in_use == pb.pool_in_use &&
			  pa.creation_flags == pb.creation_flags &&
			  pa.compatibility_version == pb.compatibility_version &&
			  pa.privileges == pb.privileges &&
			  pa.proximity.flags == pb.proximity.flags &&
			  pa.children == pb.children,
			  "step %zu: partition %" PRIu64 " differs", step, ida[i]);
	}
}

/* What the client did on the wire, per call. */
struct wire {
	unsigned n;
	struct { uint16_t code; bool fast; uint32_t reps; } call[256];
};

static void wire_trace(void *ctx, const struct ohv_trace_event *ev)
{
	struct wire *w = ctx;

	if (w->n < 256) {
		w->call[w->n].code = (uint16_t)(ev->control & HV_HYPERCALL_CODE_MASK);
		w->call[w->n].fast = ev->control & HV_HYPERCALL_FAST_BIT;
		w->call[w->n].reps = (uint32_t)((ev->control &
						 HV_HYPERCALL_REP_COUNT_MASK) >>
						HV_HYPERCALL_REP_COMP_OFFSET);
	}
	w->n++;
}

/* Input and output of one call in bytes, for the FAST convention's rule. */
static bool fits_fast(enum ohv_arch arch, uint16_t code, uint32_t reps)
{
	size_t in = 0, out = 0;
	size_t cap = arch == OHV_ARCH_X64 ? HV_X64_FAST_INPUT_BYTES :
					    HV_ARM64_FAST_INPUT_BYTES;

	switch (code) {
	case HVCALL_CREATE_PARTITION:
		in = arch == OHV_ARCH_X64 ? 56 : 48;
		out = 8;
		break;
	case HVCALL_DEPOSIT_MEMORY:
		in = 8 + 8 * (size_t)reps;
		break;
	case HVCALL_WITHDRAW_MEMORY:
		in = 16;
		out = 8 * (size_t)reps;
		break;
	default:
		/* Every other call here: at most 24 in, 16 out. */
		return true;
	}
	return ((in + 15) & ~(size_t)15) + out <= cap;
}

static void check_wire(const struct wire *w, enum ohv_arch arch,
		       enum ohv_client_convention conv)
{
	unsigned fast_rep = 0, mem_rep = 0;

	REQUIRE(w->n > 0 && w->n <= 256);
	for (unsigned i = 0; i < w->n; i++) {
		uint16_t code = w->call[i].code;
		bool want;

		switch (conv) {
		case OHV_CLIENT_LINUX:
			want = code == HVCALL_INITIALIZE_PARTITION ||
			       code == HVCALL_FINALIZE_PARTITION ||
			       code == HVCALL_DELETE_PARTITION;
			break;
		case OHV_CLIENT_MEMORY:
			want = false;
			break;
		default:
			want = fits_fast(arch, code, w->call[i].reps);
			break;
		}
		CHECK_MSG(w->call[i].fast == want, "call %u (0x%04x, %u reps): "
			  "fast %d, want %d", i, code, w->call[i].reps,
			  w->call[i].fast, want);
		if (code == HVCALL_DEPOSIT_MEMORY ||
		    code == HVCALL_WITHDRAW_MEMORY) {
			if (w->call[i].fast)
				fast_rep++;
			else
				mem_rep++;
		}
	}
	/* The FAST script has rep calls on both sides of the limit. */
	if (conv == OHV_CLIENT_FAST) {
		CHECK(fast_rep > 0);
		CHECK(mem_rep > 0);
	}
}

static void wrappers_match_raw(enum ohv_arch arch,
			       enum ohv_client_convention conv)
{
	struct ohv *a = open_arch(arch), *b = open_arch(arch);
	struct ohv_client *c = client(b);
	static struct wire w;
	static struct outcome ra, cb;

	memset(&w, 0, sizeof(w));
	ohv_client_set_convention(c, conv);
	ohv_set_trace(b, wire_trace, &w);
	for (size_t i = 0; i < sizeof(script) / sizeof(script[0]); i++) {
		const struct step *s = &script[i];

		memset(&ra, 0, sizeof(ra));
		memset(&cb, 0, sizeof(cb));
		run_raw(a, arch, s, &ra);
		run_client(c, arch, s, &cb);
		CHECK_MSG(ra.st == s->want, "step %zu raw: %s, want %s", i,
			  ohv_status_name(ra.st), ohv_status_name(s->want));
		CHECK_MSG(cb.st == ra.st, "step %zu client: %s, raw %s", i,
			  ohv_status_name(cb.st), ohv_status_name(ra.st));
		if (ra.st == HV_STATUS_SUCCESS) {
			CHECK_MSG(ra.v[0] == cb.v[0] || s->op == OP_SET_PROP ||
				  s->op == OP_INIT || s->op == OP_FINAL ||
				  s->op == OP_DELETE || s->op == OP_DEPOSIT ||
				  s->op == OP_WITHDRAW,
				  "step %zu: output 0x%" PRIx64 " vs 0x%" PRIx64,
				  i, ra.v[0], cb.v[0]);
			if (s->op == OP_BALANCE)
				CHECK_EQ(ra.v[1], cb.v[1]);
		}
		CHECK_MSG(ra.done == cb.done, "step %zu: done %" PRIu64 " vs %"
			  PRIu64, i, ra.done, cb.done);
		if (s->op == OP_WITHDRAW && ra.done == cb.done)
			CHECK(!memcmp(ra.pages, cb.pages, ra.done * 8));
		same_machines(a, b, i);
	}
	ohv_set_trace(b, NULL, NULL);
	check_wire(&w, arch, conv);
	/* Spot checks that the script reached what it meant to. */
	CHECK_EQ(live_partitions(b), 1);
	ohv_client_close(c);
	t_close(a);
	t_close(b);
}

TEST(client_wrappers_x64_linux)
{
	wrappers_match_raw(OHV_ARCH_X64, OHV_CLIENT_LINUX);
}

TEST(client_wrappers_x64_memory)
{
	wrappers_match_raw(OHV_ARCH_X64, OHV_CLIENT_MEMORY);
}

TEST(client_wrappers_x64_fast)
{
	wrappers_match_raw(OHV_ARCH_X64, OHV_CLIENT_FAST);
}

TEST(client_wrappers_arm64_linux)
{
	wrappers_match_raw(OHV_ARCH_ARM64, OHV_CLIENT_LINUX);
}

TEST(client_wrappers_arm64_memory)
{
	wrappers_match_raw(OHV_ARCH_ARM64, OHV_CLIENT_MEMORY);
}

TEST(client_wrappers_arm64_fast)
{
	wrappers_match_raw(OHV_ARCH_ARM64, OHV_CLIENT_FAST);
}

/* Outputs of the wrappers, checked against the spec, not just the twin. */
TEST(client_wrapper_outputs)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_client *c = client(hv);
	uint64_t id = 0, v = 0, avail = 0, in_use = 0, next = 0;

	for (int conv = OHV_CLIENT_LINUX; conv <= OHV_CLIENT_FAST; conv++) {
		ohv_client_set_convention(c, (enum ohv_client_convention)conv);
		CHECK_ST(ohv_call_get_partition_id(c, &v), HV_STATUS_SUCCESS);
		CHECK_EQ(v, T_ROOT);
		CHECK_ST(ohv_call_get_partition_property(c, SELF,
				HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, &v),
			 HV_STATUS_SUCCESS);
		CHECK_EQ(v, OHV_ROOT_PRIVILEGES);
		CHECK_ST(ohv_client_create_partition(c, NULL, &id),
			 HV_STATUS_SUCCESS);
		CHECK_ST(ohv_call_get_memory_balance(c, SELF, no_node, &avail,
						     &in_use), HV_STATUS_SUCCESS);
		CHECK_EQ(avail, 0);
		CHECK_EQ(in_use, 1);
		CHECK_ST(ohv_call_get_next_child_partition(c, SELF, 0, &next),
			 HV_STATUS_SUCCESS);
		CHECK_EQ(next, id);
		CHECK_ST(ohv_call_get_partition_property(c, id,
				HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION, &v),
			 HV_STATUS_INVALID_PARTITION_STATE);
		CHECK_ST(ohv_client_initialize_partition(c, id),
			 HV_STATUS_SUCCESS);
		CHECK_ST(ohv_call_get_partition_property(c, id,
				HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION, &v),
			 HV_STATUS_SUCCESS);
		CHECK_EQ(v, HV_COMPATIBILITY_21_H2);
		CHECK_ST(ohv_call_get_memory_balance(c, id, no_node, &avail,
						     &in_use), HV_STATUS_SUCCESS);
		CHECK_EQ(avail, OHV_LINUX_INIT_DEPOSIT_PAGES - 16);
		CHECK_EQ(in_use, 16);
		CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
		CHECK_ST(ohv_client_withdraw(c, SELF, ALL_PAGES, NULL),
			 HV_STATUS_SUCCESS);
	}
	ohv_client_close(c);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* The Linux lifecycle, conserving every page.                             */

static void lifecycle(enum ohv_arch arch, enum ohv_client_convention conv)
{
	struct ohv *hv = open_arch(arch);
	struct ohv_client *c = client(hv);
	const uint64_t start = ohv_root_free_pages(hv);
	uint64_t ids[3], avail, in_use, withdrawn = 0;

	ohv_client_set_convention(c, conv);
	for (int i = 0; i < 3; i++) {
		struct ohv_partition_info info;

		REQUIRE_ST(ohv_client_create_partition(c, NULL, &ids[i]),
			   HV_STATUS_SUCCESS);
		CHECK_EQ(ids[i], 2 + i);
		REQUIRE(ohv_partition_info(hv, ids[i], &info) == 0);
		CHECK_EQ(info.state, OHV_STATE_UNINITIALIZED);
		CHECK_EQ(info.creation_flags, arch == OHV_ARCH_X64 ?
			 LINUX_FLAGS_X64 : LINUX_FLAGS_ARM64);
		CHECK_EQ(info.compatibility_version, HV_COMPATIBILITY_21_H2);
		CHECK_EQ(info.proximity.flags, 0);
		CHECK_EQ(info.pool_available + info.pool_in_use, 0);
		CHECK_INVARIANTS(hv);
	}
	/* One page per partition went into the root's own pool. */
	pool_of(hv, T_ROOT, &avail, &in_use);
	CHECK_EQ(avail, 0);
	CHECK_EQ(in_use, 3);
	CHECK_EQ(ohv_root_free_pages(hv), start - 3);

	for (int i = 0; i < 3; i++) {
		struct ohv_partition_info info;

		REQUIRE_ST(ohv_client_initialize_partition(c, ids[i]),
			   HV_STATUS_SUCCESS);
		REQUIRE(ohv_partition_info(hv, ids[i], &info) == 0);
		CHECK_EQ(info.state, OHV_STATE_ACTIVE);
		CHECK_EQ(info.pool_available, OHV_LINUX_INIT_DEPOSIT_PAGES - 16);
		CHECK_EQ(info.pool_in_use, 16);
		CHECK_INVARIANTS(hv);
	}
	CHECK_EQ(ohv_root_free_pages(hv),
		 start - 3 - 3 * OHV_LINUX_INIT_DEPOSIT_PAGES);

	for (int i = 0; i < 3; i++) {
		REQUIRE_ST(ohv_client_destroy_partition(c, ids[i]),
			   HV_STATUS_SUCCESS);
		struct ohv_partition_info info;

		CHECK(ohv_partition_info(hv, ids[i], &info) == -ENOENT);
		CHECK_INVARIANTS(hv);
	}
	CHECK_EQ(live_partitions(hv), 1);
	/* The create charges came back to the root's pool as available. */
	pool_of(hv, T_ROOT, &avail, &in_use);
	CHECK_EQ(avail, 3);
	CHECK_EQ(in_use, 0);
	CHECK_EQ(ohv_root_free_pages(hv), start - 3);
	CHECK_ST(ohv_client_withdraw(c, SELF, ALL_PAGES, &withdrawn),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(withdrawn, 3);
	CHECK_EQ(ohv_root_free_pages(hv), start);
	pool_of(hv, T_ROOT, &avail, &in_use);
	CHECK_EQ(avail + in_use, 0);
	ohv_client_close(c);
	CHECK_EQ(ohv_root_free_pages(hv), start + 2);
	t_close(hv);
}

TEST(client_lifecycle_x64)
{
	lifecycle(OHV_ARCH_X64, OHV_CLIENT_LINUX);
	lifecycle(OHV_ARCH_X64, OHV_CLIENT_MEMORY);
	lifecycle(OHV_ARCH_X64, OHV_CLIENT_FAST);
}

TEST(client_lifecycle_arm64)
{
	lifecycle(OHV_ARCH_ARM64, OHV_CLIENT_LINUX);
	lifecycle(OHV_ARCH_ARM64, OHV_CLIENT_FAST);
}

/* Linux-style deposits converge under any costs (SPEC 5.4). */
static void converge(uint32_t partition_cost, uint32_t init_cost,
		     uint32_t numa_nodes)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.costs.partition = partition_cost;
	cfg.costs.initialize = init_cost;
	cfg.numa_nodes = numa_nodes;
	struct ohv *hv = t_open(&cfg);
	struct ohv_client *c = client(hv);
	const uint64_t start = ohv_root_free_pages(hv);
	uint64_t init_deposit = init_cost > OHV_LINUX_INIT_DEPOSIT_PAGES ?
		init_cost : OHV_LINUX_INIT_DEPOSIT_PAGES;

	for (int i = 0; i < 2; i++) {
		struct ohv_client_stats s0 = stats(c), s1, s2;
		uint64_t id, avail, in_use;

		REQUIRE_ST(ohv_client_create_partition(c, NULL, &id),
			   HV_STATUS_SUCCESS);
		s1 = stats(c);
		/* One page per retry, until the pool holds the cost; the
		 * second create reuses what the first one's delete gave back. */
		CHECK_EQ(s1.memory_retries - s0.memory_retries,
			 i ? 0 : partition_cost);
		CHECK_EQ(s1.pages_deposited - s0.pages_deposited,
			 i ? 0 : partition_cost);
		REQUIRE_ST(ohv_client_initialize_partition(c, id),
			   HV_STATUS_SUCCESS);
		s2 = stats(c);
		CHECK_EQ(s2.memory_retries - s1.memory_retries,
			 init_deposit - OHV_LINUX_INIT_DEPOSIT_PAGES);
		CHECK_EQ(s2.pages_deposited - s1.pages_deposited, init_deposit);
		pool_of(hv, id, &avail, &in_use);
		CHECK_EQ(in_use, init_cost);
		CHECK_EQ(avail, init_deposit - init_cost);
		REQUIRE_ST(ohv_client_destroy_partition(c, id),
			   HV_STATUS_SUCCESS);
		pool_of(hv, T_ROOT, &avail, &in_use);
		CHECK_EQ(avail, partition_cost);
		CHECK_EQ(in_use, 0);
		CHECK_INVARIANTS(hv);
	}
	/* Both partitions fitted in the pages the first one left behind. */
	CHECK_EQ(stats(c).pages_deposited,
		 partition_cost + 2 * init_deposit);
	CHECK_ST(ohv_client_withdraw(c, SELF, ALL_PAGES, NULL),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_root_free_pages(hv), start);
	CHECK_EQ(live_partitions(hv), 1);
	ohv_client_close(c);
	t_close(hv);
}

TEST(client_converges_costly)
{
	converge(5, 300, 1);
}

TEST(client_converges_free)
{
	converge(0, 0, 1);
}

TEST(client_converges_exact)
{
	converge(1, OHV_LINUX_INIT_DEPOSIT_PAGES, 1);
	converge(2, OHV_LINUX_INIT_DEPOSIT_PAGES + 1, 4);
}

/* ---------------------------------------------------------------------- */
/* Rep loops re-issue until done (SPEC 3.2 time budget).                   */

/* The control words of every rep call, as issued. */
struct rep_call {
	uint16_t code;
	uint32_t count, start, reps;
};

struct rep_wire {
	unsigned n;
	struct rep_call call[2048];
};

static void rep_trace(void *ctx, const struct ohv_trace_event *ev)
{
	struct rep_wire *w = ctx;
	uint16_t code = (uint16_t)(ev->control & HV_HYPERCALL_CODE_MASK);

	if (code != HVCALL_DEPOSIT_MEMORY && code != HVCALL_WITHDRAW_MEMORY)
		return;
	if (w->n < 2048) {
		w->call[w->n].code = code;
		w->call[w->n].count = (uint32_t)((ev->control &
			HV_HYPERCALL_REP_COUNT_MASK) >> HV_HYPERCALL_REP_COMP_OFFSET);
		w->call[w->n].start = (uint32_t)((ev->control &
			HV_HYPERCALL_REP_START_MASK) >> HV_HYPERCALL_REP_START_OFFSET);
		w->call[w->n].reps = ohv_result_reps(ev->result);
	}
	w->n++;
}

/*
 * Linux's rep helper: a call that stopped early is re-issued with the same
 * rep count and rep start = reps completed; a new batch starts at 0.
 */
static void check_rep_wire(const struct rep_wire *w)
{
	unsigned reissued = 0;

	REQUIRE(w->n > 0 && w->n <= 2048);
	CHECK_EQ(w->call[0].start, 0);
	for (unsigned i = 1; i < w->n; i++) {
		const struct rep_call *p = &w->call[i - 1], *c = &w->call[i];
		bool unfinished = p->reps < p->count;

		CHECK(c->count >= 1 && c->count <= HV_WITHDRAW_MAX_PAGES);
		if (c->start) {
			reissued++;
			CHECK_MSG(c->code == p->code && c->count == p->count &&
				  c->start == p->reps && unfinished,
				  "call %u: count %u start %u after count %u "
				  "reps %u", i, c->count, c->start, p->count,
				  p->reps);
		}
	}
	CHECK(reissued > 0);
}

static void rep_loops(uint32_t rep_limit, uint64_t budget_ns,
		      enum ohv_client_convention conv)
{
	static struct rep_wire wire;
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.rep_limit = rep_limit;
	cfg.rep_budget_ns = budget_ns;
	struct ohv *hv = t_open(&cfg);
	struct ohv_client *c = client(hv);
	const uint64_t start = ohv_root_free_pages(hv);
	uint64_t id, avail, in_use, done = 0, got[8], pages[8];

	ohv_client_set_convention(c, conv);
	REQUIRE_ST(ohv_client_create_partition(c, NULL, &id),
		   HV_STATUS_SUCCESS);
	memset(&wire, 0, sizeof(wire));
	ohv_set_trace(hv, rep_trace, &wire);

	struct ohv_client_stats s0 = stats(c);

	CHECK_ST(ohv_client_deposit(c, id, 600, OHV_ANY_NODE),
		 HV_STATUS_SUCCESS);
	struct ohv_client_stats s1 = stats(c);

	CHECK_EQ(s1.pages_deposited - s0.pages_deposited, 600);
	if (rep_limit == 1)
		CHECK_EQ(s1.hypercalls - s0.hypercalls, 600);
	else
		CHECK(s1.hypercalls - s0.hypercalls > 2);
	pool_of(hv, id, &avail, &in_use);
	CHECK_EQ(avail, 600);

	/* Explicit lists: small enough to go fast in the FAST convention,
	 * where the output accumulates in the registers across re-issues. */
	for (int i = 0; i < 5; i++)
		REQUIRE(ohv_root_alloc(hv, OHV_ANY_NODE, &pages[i]) == 0);
	CHECK_ST(ohv_call_deposit_memory(c, id, pages, 5, &done),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(done, 5);
	CHECK_ST(ohv_call_withdraw_memory(c, id, no_node, got, 5, &done),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(done, 5);
	/* The pool is LIFO per node: the last five in come out first. */
	for (int i = 0; i < 5; i++)
		CHECK_EQ(got[i], pages[4 - i]);
	for (int i = 0; i < 5; i++)
		ohv_root_free(hv, got[i]);

	s0 = stats(c);
	CHECK_ST(ohv_client_withdraw(c, id, 100, &done), HV_STATUS_SUCCESS);
	CHECK_EQ(done, 100);
	s1 = stats(c);
	if (rep_limit == 1)
		CHECK_EQ(s1.hypercalls - s0.hypercalls, 100);
	CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	ohv_set_trace(hv, NULL, NULL);
	check_rep_wire(&wire);
	CHECK_EQ(stats(c).pages_withdrawn, 600 + 5);
	CHECK_ST(ohv_client_withdraw(c, SELF, ALL_PAGES, NULL),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_root_free_pages(hv), start);
	ohv_client_close(c);
	t_close(hv);
}

TEST(client_rep_limit_1)
{
	rep_loops(1, 0, OHV_CLIENT_LINUX);
	rep_loops(1, 0, OHV_CLIENT_FAST);
	rep_loops(1, 0, OHV_CLIENT_MEMORY);
}

TEST(client_rep_budget_1ns)
{
	rep_loops(0, 1, OHV_CLIENT_LINUX);
	rep_loops(0, 1, OHV_CLIENT_FAST);
}

/* ---------------------------------------------------------------------- */
/* Enumeration.                                                            */

TEST(client_children)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_client *c = client(hv);
	uint64_t ids[5], got[8];
	size_t n = 99;

	CHECK_ST(ohv_client_children(c, SELF, got, 8, &n), HV_STATUS_SUCCESS);
	CHECK_EQ(n, 0);
	for (int i = 0; i < 5; i++)
		REQUIRE_ST(ohv_client_create_partition(c, NULL, &ids[i]),
			   HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_client_initialize_partition(c, ids[2]),
		   HV_STATUS_SUCCESS);
	CHECK_ST(ohv_client_children(c, SELF, got, 8, &n), HV_STATUS_SUCCESS);
	CHECK_EQ(n, 5);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(got[i], ids[i]);

	/* Deleted children drop out; the order stays creation order. */
	REQUIRE_ST(ohv_client_destroy_partition(c, ids[1]), HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_client_destroy_partition(c, ids[3]), HV_STATUS_SUCCESS);
	memset(got, 0, sizeof(got));
	CHECK_ST(ohv_client_children(c, T_ROOT, got, 8, &n), HV_STATUS_SUCCESS);
	CHECK_EQ(n, 3);
	CHECK_EQ(got[0], ids[0]);
	CHECK_EQ(got[1], ids[2]);
	CHECK_EQ(got[2], ids[4]);

	/* max smaller than the count: stores max, counts all. */
	memset(got, 0, sizeof(got));
	CHECK_ST(ohv_client_children(c, SELF, got, 2, &n), HV_STATUS_SUCCESS);
	CHECK_EQ(n, 3);
	CHECK_EQ(got[1], ids[2]);
	CHECK_EQ(got[2], 0);
	CHECK_ST(ohv_client_children(c, SELF, NULL, 0, &n), HV_STATUS_SUCCESS);
	CHECK_EQ(n, 3);

	/* Only the caller's own children (SPEC 4.6). */
	CHECK_ST(ohv_client_children(c, ids[0], got, 8, &n),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_EQ(n, 0);
	CHECK_ST(ohv_client_children(c, 0x777, got, 8, &n),
		 HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(ohv_client_children(c, SELF, NULL, 3, &n),
		 HV_STATUS_INVALID_PARAMETER);

	for (int i = 0; i < 5; i += 2)
		REQUIRE_ST(ohv_client_destroy_partition(c, ids[i]),
			   HV_STATUS_SUCCESS);
	CHECK_ST(ohv_client_children(c, SELF, got, 8, &n), HV_STATUS_SUCCESS);
	CHECK_EQ(n, 0);
	ohv_client_close(c);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Error paths.                                                            */

TEST(client_initialize_failure_withdraws)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_client *c = client(hv);
	const uint64_t start = ohv_root_free_pages(hv);
	uint64_t id, avail, in_use;

	REQUIRE_ST(ohv_client_create_partition(c, NULL, &id), HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_client_initialize_partition(c, id), HV_STATUS_SUCCESS);
	const uint64_t before = ohv_root_free_pages(hv);
	struct ohv_client_stats s0 = stats(c);

	/* Already Active: the 208 pages go in, initialize refuses, and
	 * every one of them comes back out. */
	CHECK_ST(ohv_client_initialize_partition(c, id),
		 HV_STATUS_INVALID_PARTITION_STATE);
	struct ohv_client_stats s1 = stats(c);

	CHECK_EQ(s1.pages_deposited - s0.pages_deposited,
		 OHV_LINUX_INIT_DEPOSIT_PAGES);
	CHECK_EQ(s1.pages_withdrawn - s0.pages_withdrawn,
		 OHV_LINUX_INIT_DEPOSIT_PAGES);
	pool_of(hv, id, &avail, &in_use);
	CHECK_EQ(avail, OHV_LINUX_INIT_DEPOSIT_PAGES - 16);
	CHECK_EQ(in_use, 16);
	CHECK_EQ(ohv_root_free_pages(hv), before);

	/* Unknown and foreign targets fail at the first deposit. */
	CHECK_ST(ohv_client_initialize_partition(c, 0x999),
		 HV_STATUS_INVALID_PARTITION_ID);
	/* SELF names no child: the pages went into the root's own pool and
	 * came out again. */
	CHECK_ST(ohv_client_initialize_partition(c, SELF),
		 HV_STATUS_INVALID_PARTITION_ID);
	CHECK_EQ(ohv_root_free_pages(hv), before);
	pool_of(hv, T_ROOT, &avail, &in_use);
	CHECK_EQ(avail, 0);
	CHECK_EQ(in_use, 1);

	CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_client_destroy_partition(c, id),
		 HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(ohv_client_withdraw(c, SELF, ALL_PAGES, NULL),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_root_free_pages(hv), start);
	ohv_client_close(c);
	t_close(hv);
}

/* Initialize needs more than the allocator has: the retries run it dry,
 * and everything deposited comes back. */
TEST(client_initialize_allocator_dry)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.memory_pages = 256;
	cfg.costs.initialize = 300;
	struct ohv *hv = t_open(&cfg);
	struct ohv_client *c = client(hv);
	uint64_t id, avail, in_use;

	REQUIRE_ST(ohv_client_create_partition(c, NULL, &id), HV_STATUS_SUCCESS);
	const uint64_t before = ohv_root_free_pages(hv);

	CHECK_EQ(before, 256 - 2 - 1);
	struct ohv_client_stats s0 = stats(c);

	CHECK_ST(ohv_client_initialize_partition(c, id),
		 HV_STATUS_NO_RESOURCES);
	struct ohv_client_stats s1 = stats(c);

	CHECK_EQ(s1.pages_deposited - s0.pages_deposited, before);
	CHECK_EQ(s1.memory_retries - s0.memory_retries,
		 before - OHV_LINUX_INIT_DEPOSIT_PAGES + 1);
	CHECK_EQ(s1.pages_withdrawn - s0.pages_withdrawn, before);
	CHECK_EQ(ohv_root_free_pages(hv), before);
	pool_of(hv, id, &avail, &in_use);
	CHECK_EQ(avail + in_use, 0);
	struct ohv_partition_info info;

	REQUIRE(ohv_partition_info(hv, id, &info) == 0);
	CHECK_EQ(info.state, OHV_STATE_UNINITIALIZED);
	CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	ohv_client_close(c);
	t_close(hv);
}

TEST(client_deposit_allocator_dry)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.memory_pages = 200;
	struct ohv *hv = t_open(&cfg);
	struct ohv_client *c = client(hv);
	uint64_t id, avail, in_use;

	REQUIRE_ST(ohv_client_create_partition(c, NULL, &id), HV_STATUS_SUCCESS);
	const uint64_t before = ohv_root_free_pages(hv);

	CHECK_EQ(before, 197);
	/* Not enough for Linux's 208: nothing stays deposited. */
	CHECK_ST(ohv_client_initialize_partition(c, id),
		 HV_STATUS_NO_RESOURCES);
	CHECK_EQ(ohv_root_free_pages(hv), before);
	CHECK_ST(ohv_client_deposit(c, id, before + 1, OHV_ANY_NODE),
		 HV_STATUS_NO_RESOURCES);
	CHECK_EQ(ohv_root_free_pages(hv), before);
	pool_of(hv, id, &avail, &in_use);
	CHECK_EQ(avail + in_use, 0);
	/* Exactly what is left goes in; one more page does not. */
	CHECK_ST(ohv_client_deposit(c, id, before, OHV_ANY_NODE),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_root_free_pages(hv), 0);
	CHECK_ST(ohv_client_deposit(c, id, 1, OHV_ANY_NODE),
		 HV_STATUS_NO_RESOURCES);
	/* A create that needs a root page now cannot get one. */
	uint64_t id2 = 0;

	CHECK_ST(ohv_client_create_partition(c, NULL, &id2),
		 HV_STATUS_NO_RESOURCES);
	CHECK_EQ(live_partitions(hv), 2);
	pool_of(hv, id, &avail, &in_use);
	CHECK_EQ(avail, before);
	CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_root_free_pages(hv), before);
	ohv_client_close(c);
	t_close(hv);
}

TEST(client_deposit_nodes)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.numa_nodes = 4;
	struct ohv *hv = t_open(&cfg);
	struct ohv_client *c = client(hv);
	uint64_t id, avail, in_use;

	REQUIRE_ST(ohv_client_create_partition(c, NULL, &id), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_client_deposit(c, id, 10, 2), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_client_deposit(c, id, 3, 3), HV_STATUS_SUCCESS);
	REQUIRE(ohv_pool_node_balance(hv, id, 2, &avail, &in_use) == 0);
	CHECK_EQ(avail, 10);
	REQUIRE(ohv_pool_node_balance(hv, id, 3, &avail, &in_use) == 0);
	CHECK_EQ(avail, 3);
	REQUIRE(ohv_pool_node_balance(hv, id, 0, &avail, &in_use) == 0);
	CHECK_EQ(avail, 0);
	CHECK_ST(ohv_client_deposit(c, id, 1, 4), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_client_deposit(c, id, 0, OHV_ANY_NODE), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	ohv_client_close(c);
	t_close(hv);
}

/* Which of the first n root pages the root cannot reach (deposited). */
static void hidden_pages(struct ohv *hv, uint64_t n, bool *hidden)
{
	for (uint64_t p = 0; p < n; p++)
		hidden[p] = !ohv_gpa(hv, T_ROOT, p << HV_PAGE_SHIFT,
				     HV_PAGE_SIZE);
}

/*
 * The root's allocator keeps the pages each root VP gave back for that VP
 * (rootmem.c): its next deposit gets them again, another VP's does not
 * while other pages are free, and takes them once nothing else is.
 */
TEST(client_pages_stay_with_their_vp)
{
	enum { PAGES = 1024, N = 50 };
	struct ohv_config cfg;
	struct ohv_client *c0 = NULL, *c1 = NULL;
	static bool before[PAGES], after[PAGES], mine[PAGES];
	uint64_t id, got = 0;
	uint32_t nmine = 0;

	t_config(&cfg);
	cfg.memory_pages = PAGES;
	cfg.root_vps = 2;
	struct ohv *hv = t_open(&cfg);

	REQUIRE(ohv_client_open(hv, 0, &c0) == 0);
	REQUIRE(ohv_client_open(hv, 1, &c1) == 0);
	REQUIRE_ST(ohv_client_create_partition(c0, NULL, &id),
		   HV_STATUS_SUCCESS);
	const uint64_t start = ohv_root_free_pages(hv);

	/* VP 0 deposits N pages and takes them back. */
	hidden_pages(hv, PAGES, before);
	REQUIRE_ST(ohv_client_deposit(c0, id, N, OHV_ANY_NODE),
		   HV_STATUS_SUCCESS);
	hidden_pages(hv, PAGES, after);
	for (uint64_t p = 0; p < PAGES; p++) {
		mine[p] = after[p] && !before[p];
		nmine += mine[p];
	}
	CHECK_EQ(nmine, N);
	CHECK_ST(ohv_client_withdraw(c0, id, N, &got), HV_STATUS_SUCCESS);
	CHECK_EQ(got, N);
	CHECK_EQ(ohv_root_free_pages(hv), start);

	/* VP 1 gets other pages; VP 0 gets its own again. */
	REQUIRE_ST(ohv_client_deposit(c1, id, N, OHV_ANY_NODE),
		   HV_STATUS_SUCCESS);
	hidden_pages(hv, PAGES, after);
	for (uint64_t p = 0; p < PAGES; p++)
		CHECK_MSG(!(mine[p] && after[p]),
			  "VP 1 was given VP 0's page 0x%" PRIx64, p);
	REQUIRE_ST(ohv_client_deposit(c0, id, N, OHV_ANY_NODE),
		   HV_STATUS_SUCCESS);
	hidden_pages(hv, PAGES, after);
	for (uint64_t p = 0; p < PAGES; p++)
		CHECK_MSG(!mine[p] || after[p],
			  "VP 0 was not given its page 0x%" PRIx64 " back", p);

	/* Back to VP 0's list; VP 1 asks for every free page: it gets
	 * them, VP 0's included. */
	CHECK_ST(ohv_client_withdraw(c0, id, N, &got), HV_STATUS_SUCCESS);
	const uint64_t free_now = ohv_root_free_pages(hv);

	CHECK_EQ(free_now, start - N);
	CHECK_ST(ohv_client_deposit(c1, id, free_now, OHV_ANY_NODE),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_root_free_pages(hv), 0);
	hidden_pages(hv, PAGES, after);
	for (uint64_t p = 0; p < PAGES; p++)
		CHECK(!mine[p] || after[p]);
	CHECK_INVARIANTS(hv);

	CHECK_ST(ohv_client_destroy_partition(c1, id), HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_root_free_pages(hv), start);
	ohv_client_close(c0);
	ohv_client_close(c1);
	t_close(hv);
}

/* A client of a child partition: no allocator, no VPs yet (SPEC 2). */
TEST(client_non_root)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_client *root = client(hv), *child = NULL;
	uint64_t id, v = 0;

	REQUIRE_ST(ohv_client_create_partition(root, NULL, &id),
		   HV_STATUS_SUCCESS);
	REQUIRE(ohv_client_open_vp(hv, id, 0, 0x1000, 0x2000, &child) == 0);
	CHECK_EQ(ohv_client_partition(child), id);
	const uint64_t before = ohv_root_free_pages(hv);

	CHECK_ST(ohv_client_deposit(child, SELF, 1, OHV_ANY_NODE),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_client_initialize_partition(child, id),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_EQ(ohv_root_free_pages(hv), before);
	/* The caller is not Active: the hypervisor says so. */
	CHECK_ST(ohv_call_get_partition_id(child, &v),
		 HV_STATUS_INVALID_PARTITION_STATE);
	CHECK_ST(ohv_client_create_partition(child, NULL, &v),
		 HV_STATUS_INVALID_PARTITION_STATE);
	CHECK_EQ(stats(child).memory_retries, 0);
	REQUIRE_ST(ohv_client_initialize_partition(root, id), HV_STATUS_SUCCESS);
	/* Active, but it has no VP 0 yet. */
	CHECK_ST(ohv_call_get_partition_id(child, &v),
		 HV_STATUS_INVALID_VP_INDEX);
	CHECK_ST(ohv_client_withdraw(child, SELF, 1, NULL),
		 HV_STATUS_INVALID_VP_INDEX);
	CHECK_ST(ohv_client_children(child, SELF, NULL, 0, NULL),
		 HV_STATUS_INVALID_VP_INDEX);
	CHECK_EQ(stats(child).hypercalls, 5);
	ohv_client_close(child);
	CHECK_ST(ohv_client_destroy_partition(root, id), HV_STATUS_SUCCESS);
	ohv_client_close(root);
	t_close(hv);
}

/* A root client whose own input page was given away: the hypervisor
 * refuses the block, the client does not crash. */
TEST(client_unreachable_page)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_client *root = client(hv), *c = NULL;
	uint64_t id, avail = 7;

	REQUIRE_ST(ohv_client_create_partition(root, NULL, &id),
		   HV_STATUS_SUCCESS);
	REQUIRE(ohv_client_open_vp(hv, T_ROOT, 0, 0x300000, 0x301000, &c) == 0);
	CHECK_ST(ohv_call_get_memory_balance(c, id, no_node, &avail, NULL),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(avail, 0);
	REQUIRE_ST(t_deposit(hv, id, 0x300, 1, NULL), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_call_get_memory_balance(c, id, no_node, &avail, NULL),
		 HV_STATUS_INVALID_ALIGNMENT);
	CHECK_EQ(avail, 0);
	ohv_client_set_convention(c, OHV_CLIENT_MEMORY);
	CHECK_ST(ohv_call_initialize_partition(c, id),
		 HV_STATUS_INVALID_ALIGNMENT);
	/* Fast calls need no page. */
	ohv_client_set_convention(c, OHV_CLIENT_FAST);
	CHECK_ST(ohv_call_get_memory_balance(c, id, no_node, &avail, NULL),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(avail, 1);
	ohv_client_close(c);
	CHECK_ST(ohv_client_destroy_partition(root, id), HV_STATUS_SUCCESS);
	ohv_client_close(root);
	t_close(hv);
}

TEST(client_open_close)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.root_vps = 2;
	struct ohv *hv = t_open(&cfg);
	struct ohv_client *c = (struct ohv_client *)&cfg, *c1 = NULL;
	const uint64_t start = ohv_root_free_pages(hv);
	uint64_t v = 0;

	CHECK(ohv_client_open(NULL, 0, &c) == -EINVAL);
	CHECK(ohv_client_open(hv, 0, NULL) == -EINVAL);
	CHECK(ohv_client_open(hv, 2, &c) == -EINVAL);
	CHECK(c == NULL);
	CHECK_EQ(ohv_root_free_pages(hv), start);
	REQUIRE(ohv_client_open(hv, 1, &c1) == 0);
	CHECK_EQ(ohv_root_free_pages(hv), start - 2);
	CHECK_EQ(ohv_client_partition(c1), T_ROOT);
	CHECK_ST(ohv_call_get_partition_id(c1, &v), HV_STATUS_SUCCESS);
	CHECK_EQ(v, T_ROOT);
	ohv_client_close(c1);
	CHECK_EQ(ohv_root_free_pages(hv), start);

	c = NULL;
	CHECK(ohv_client_open_vp(hv, T_ROOT, 0, 0x1001, 0x2000, &c) == -EINVAL);
	CHECK(ohv_client_open_vp(hv, T_ROOT, 0, 0x1000, 0x2008, &c) == -EINVAL);
	CHECK(ohv_client_open_vp(hv, T_ROOT, 0, 0x1000, 0x1000, &c) == -EINVAL);
	CHECK(ohv_client_open_vp(hv, 0x55, 0, 0x1000, 0x2000, &c) == -EINVAL);
	CHECK(ohv_client_open_vp(NULL, T_ROOT, 0, 0x1000, 0x2000, &c) == -EINVAL);
	CHECK(ohv_client_open_vp(hv, T_ROOT, 0, 0x1000, 0x2000, NULL) == -EINVAL);
	CHECK(c == NULL);
	/* A VP that does not exist: the hypervisor says so per call. */
	REQUIRE(ohv_client_open_vp(hv, T_ROOT, 5, 0x1000, 0x2000, &c) == 0);
	CHECK_ST(ohv_call_get_partition_id(c, &v), HV_STATUS_INVALID_VP_INDEX);
	CHECK_ST(ohv_client_last_result(c), HV_STATUS_INVALID_VP_INDEX);
	ohv_client_close(c);
	/* Root clients on caller-chosen pages still deposit from the
	 * allocator, and close gives back none of those pages. */
	REQUIRE(ohv_client_open_vp(hv, T_ROOT, 1, 0x200000, 0x201000, &c) == 0);
	CHECK_ST(ohv_client_deposit(c, SELF, 3, OHV_ANY_NODE),
		 HV_STATUS_SUCCESS);
	CHECK_ST(ohv_client_withdraw(c, SELF, ALL_PAGES, &v),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(v, 3);
	ohv_client_close(c);
	CHECK_EQ(ohv_root_free_pages(hv), start);
	ohv_client_close(NULL);
	t_close(hv);
}

/* Bad arguments are INVALID_PARAMETER, never a crash. */
TEST(client_null_arguments)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_client *c = client(hv);
	struct ohv_client_stats s;
	uint64_t v = 5, done = 5;
	size_t n = 5;

	CHECK_ST(ohv_call_create_partition(NULL, NULL, &v),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_initialize_partition(NULL, 2),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_finalize_partition(NULL, 2),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_delete_partition(NULL, 2),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_get_partition_property(NULL, 2, 0, &v),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_set_partition_property(NULL, 2, 0, 0),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_get_partition_id(NULL, &v),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_get_next_child_partition(NULL, SELF, 0, &v),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_deposit_memory(NULL, SELF, &v, 1, &done),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_EQ(done, 0);
	CHECK_ST(ohv_call_deposit_memory(c, SELF, NULL, 1, &done),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_withdraw_memory(NULL, SELF, no_node, &v, 1, &done),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_withdraw_memory(c, SELF, no_node, NULL, 1, &done),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_get_memory_balance(NULL, SELF, no_node, &v, &v),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_client_deposit(NULL, SELF, 1, OHV_ANY_NODE),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_client_withdraw(NULL, SELF, 1, &done),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_client_create_partition(NULL, NULL, &v),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_client_initialize_partition(NULL, 2),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_client_destroy_partition(NULL, 2),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_client_children(NULL, SELF, &v, 1, &n),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_EQ(n, 0);
	CHECK_ST(ohv_client_last_result(NULL), HV_STATUS_INVALID_PARAMETER);
	CHECK_EQ(ohv_client_partition(NULL), HV_PARTITION_ID_INVALID);
	memset(&s, 0xFF, sizeof(s));
	ohv_client_stats(NULL, &s);
	CHECK_EQ(s.hypercalls, 0);
	ohv_client_stats(c, NULL);
	ohv_client_set_convention(NULL, OHV_CLIENT_FAST);
	ohv_client_set_convention(c, (enum ohv_client_convention)42);
	/* No hypercall was made, and a NULL output pointer is fine. */
	CHECK_EQ(stats(c).hypercalls, 0);
	CHECK_ST(ohv_call_get_partition_id(c, NULL), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_call_deposit_memory(c, SELF, NULL, 0, NULL),
		 HV_STATUS_SUCCESS);
	CHECK_ST(ohv_client_withdraw(c, SELF, 0, NULL), HV_STATUS_SUCCESS);
	CHECK_EQ(stats(c).hypercalls, 1);
	ohv_client_close(c);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Statistics and the last result.                                         */

TEST(client_stats)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_client *c = client(hv);
	struct ohv_client_stats s = stats(c);
	uint64_t id, got = 0;

	CHECK_EQ(s.hypercalls + s.pages_deposited + s.pages_withdrawn +
		 s.memory_retries, 0);
	/* Create: refused, one page into the root's pool, created. */
	REQUIRE_ST(ohv_client_create_partition(c, NULL, &id), HV_STATUS_SUCCESS);
	s = stats(c);
	CHECK_EQ(s.hypercalls, 3);
	CHECK_EQ(s.pages_deposited, 1);
	CHECK_EQ(s.memory_retries, 1);
	CHECK_EQ(s.pages_withdrawn, 0);
	/* Initialize: one deposit of 208, one initialize. */
	REQUIRE_ST(ohv_client_initialize_partition(c, id), HV_STATUS_SUCCESS);
	s = stats(c);
	CHECK_EQ(s.hypercalls, 5);
	CHECK_EQ(s.pages_deposited, 1 + OHV_LINUX_INIT_DEPOSIT_PAGES);
	CHECK_EQ(s.memory_retries, 1);
	/* Destroy: finalize, one withdraw that empties the pool, delete. */
	REQUIRE_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	s = stats(c);
	CHECK_EQ(s.hypercalls, 8);
	CHECK_EQ(s.pages_withdrawn, OHV_LINUX_INIT_DEPOSIT_PAGES);
	CHECK_ST(ohv_client_last_result(c), HV_STATUS_SUCCESS);
	/* The pool ran out: NO_RESOURCES on the wire, SUCCESS to the caller. */
	CHECK_ST(ohv_client_withdraw(c, SELF, ALL_PAGES, &got),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(got, 1);
	CHECK_ST(ohv_client_last_result(c), HV_STATUS_NO_RESOURCES);
	CHECK_EQ(ohv_result_reps(ohv_client_last_result(c)), 1);
	s = stats(c);
	CHECK_EQ(s.hypercalls, 9);
	CHECK_EQ(s.pages_withdrawn, OHV_LINUX_INIT_DEPOSIT_PAGES + 1);
	/* Uninitialized partitions are destroyed without a finalize. */
	REQUIRE_ST(ohv_client_create_partition(c, NULL, &id), HV_STATUS_SUCCESS);
	s = stats(c);
	CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	CHECK_EQ(stats(c).hypercalls - s.hypercalls, 2);
	ohv_client_close(c);
	t_close(hv);
}

/* Destroying a partition that has a child of its own cannot finalize it. */
TEST(client_destroy_errors)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_client *c = client(hv);
	uint64_t id;

	CHECK_ST(ohv_client_destroy_partition(c, 0x4444),
		 HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(ohv_client_destroy_partition(c, SELF),
		 HV_STATUS_INVALID_PARTITION_ID);
	REQUIRE_ST(ohv_client_create_partition(c, NULL, &id), HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_client_initialize_partition(c, id), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_client_destroy_partition(c, T_ROOT),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	CHECK_EQ(live_partitions(hv), 1);
	ohv_client_close(c);
	t_close(hv);
}

/*
 * ohv_root_free_pages promises "pages the allocator can still hand out".
 * Pages the root deposited without the allocator (a raw HvDepositMemory,
 * as the harness does) are not among them while deposited, and are again
 * once withdrawn.  Core bug (src/core/rootmem.c), reported: the count includes
 * the deposited pages, and the allocator never hands them out afterwards.
 */
TEST(client_root_free_pages_counts_usable)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.memory_pages = 64;
	struct ohv *hv = t_open(&cfg);
	uint64_t pages[64], n = 0;

	REQUIRE_ST(t_deposit(hv, SELF, 10, 10, NULL), HV_STATUS_SUCCESS);
	const uint64_t free_pages = ohv_root_free_pages(hv);

	while (n < 64 && ohv_root_alloc(hv, OHV_ANY_NODE, &pages[n]) == 0)
		n++;
	CHECK_EQ(n, 64 - 10);
	CHECK_EQ(free_pages, n);
	for (uint64_t i = 0; i < n; i++)
		ohv_root_free(hv, pages[i]);

	/* Withdrawn, the ten pages are the root's again. */
	uint32_t done = 0;

	REQUIRE_ST(t_withdraw(hv, SELF, 10, NULL, &done), HV_STATUS_SUCCESS);
	CHECK_EQ(done, 10);
	n = 0;
	while (n < 64 && ohv_root_alloc(hv, OHV_ANY_NODE, &pages[n]) == 0)
		n++;
	CHECK_EQ(n, 64);
	for (uint64_t i = 0; i < n; i++)
		ohv_root_free(hv, pages[i]);
	t_close(hv);
}
