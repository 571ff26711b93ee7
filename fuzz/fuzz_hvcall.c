/*
 * One hypercall against a rich machine.
 *
 * Per input: a fresh instance with an Active child C that holds the root's
 * privileges (64 pages at GPA 0-63, VP 0 running, SynIC on), a grandchild G
 * made by C from pages C holds alone, message and event ports each way
 * with their connections and messages queued behind full SIM slots.  Then
 * the input's call is issued as VP 0 of the root, C or G, the invariants
 * are checked, and everything is torn down through hypercalls.
 *
 * Input layout:
 *   byte 0      bit 0 arm64; bits 2:1 caller (root, C, G, root);
 *               bit 3 raw registers; bit 4 call code from the table below;
 *               bits 7:5 rep_limit
 *   byte 1      bits 3:0: fail the nth host allocation of the call (0 off);
 *               bits 5:4: NUMA nodes 1, 2, 4 or 8
 *   bytes 2-9   control word (little-endian)
 *   bytes 10-137  fast[0..15]
 *   the rest    the caller's input page (at most 4096 bytes)
 * Unless the registers are raw or the call is fast, fast[0] and fast[1]
 * point at the caller's input and output pages (GPA pages 0 and 1).
 */
#include "fuzz.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define HDR		(2 + 8 + 16 * 8)
#define MEM_PAGES	512

/* Partition ids as the setup issues them (sequential from the root). */
#define ID_C		2ull
#define ID_G		3ull

static const uint16_t codes[] = {
	HVCALL_CREATE_PARTITION, HVCALL_INITIALIZE_PARTITION,
	HVCALL_FINALIZE_PARTITION, HVCALL_DELETE_PARTITION,
	HVCALL_GET_PARTITION_PROPERTY, HVCALL_SET_PARTITION_PROPERTY,
	HVCALL_GET_PARTITION_ID, HVCALL_GET_NEXT_CHILD_PARTITION,
	HVCALL_DEPOSIT_MEMORY, HVCALL_WITHDRAW_MEMORY,
	HVCALL_GET_MEMORY_BALANCE, HVCALL_MAP_GPA_PAGES,
	HVCALL_UNMAP_GPA_PAGES, HVCALL_CREATE_VP, HVCALL_DELETE_VP,
	HVCALL_GET_VP_REGISTERS, HVCALL_SET_VP_REGISTERS,
	HVCALL_CREATE_PORT_CLASSIC, HVCALL_DELETE_PORT,
	HVCALL_CONNECT_PORT_CLASSIC, HVCALL_GET_PORT_PROPERTY,
	HVCALL_DISCONNECT_PORT, HVCALL_POST_MESSAGE, HVCALL_SIGNAL_EVENT,
	HVCALL_SET_PORT_PROPERTY, HVCALL_CREATE_PORT, HVCALL_CONNECT_PORT,
	/* SPEC 10 */
	HVCALL_INSTALL_INTERCEPT, HVCALL_TRANSLATE_VIRTUAL_ADDRESS,
	HVCALL_READ_GPA, HVCALL_WRITE_GPA, HVCALL_CLEAR_VIRTUAL_INTERRUPT,
	HVCALL_MAP_STATS_PAGE, HVCALL_UNMAP_STATS_PAGE,
	HVCALL_GET_SYSTEM_PROPERTY, HVCALL_NOTIFY_PORT_RING_EMPTY,
	HVCALL_REGISTER_INTERCEPT_RESULT, HVCALL_ASSERT_VIRTUAL_INTERRUPT,
	HVCALL_SIGNAL_EVENT_DIRECT, HVCALL_POST_MESSAGE_DIRECT,
	HVCALL_GET_GPA_PAGES_ACCESS_STATES, HVCALL_MAP_VP_STATE_PAGE,
	HVCALL_UNMAP_VP_STATE_PAGE, HVCALL_GET_VP_STATE, HVCALL_SET_VP_STATE,
	HVCALL_GET_VP_CPUID_VALUES, HVCALL_GET_PARTITION_PROPERTY_EX,
};

/* A setup step that must succeed. */
static void must(struct fz *f, uint64_t r, const char *what)
{
	if (ohv_result_status(r) != HV_STATUS_SUCCESS)
		fz_fail(f, "setup: %s: %s", what,
			ohv_status_name(ohv_result_status(r)));
}

/* A memory-based call by VP 0 of caller, re-issued past rep_limit. */
static uint64_t as(struct fz *f, uint64_t caller, uint64_t control,
		   const void *in, size_t in_len, void *out, size_t out_len)
{
	return fz_issue(f, caller, 0, false, control, in, in_len, out, out_len);
}

static void deposit(struct fz *f, uint64_t caller, uint64_t target,
		    uint64_t first, uint32_t n)
{
	uint64_t buf[1 + 64];

	buf[0] = target;
	for (uint32_t i = 0; i < n; i++)
		buf[1 + i] = first + i;
	must(f, as(f, caller, ohv_control(HVCALL_DEPOSIT_MEMORY, 0, n, 0),
		   buf, 8 * (1 + n), NULL, 0), "deposit");
}

static void map(struct fz *f, uint64_t caller, uint64_t target,
		uint64_t gpa, uint64_t src, uint32_t n, uint32_t flags)
{
	uint64_t buf[3 + 64];
	struct hv_input_map_gpa_pages *in = (void *)buf;

	in->target_partition_id = target;
	in->target_gpa_base = gpa;
	in->map_flags = flags;
	in->padding = 0;
	for (uint32_t i = 0; i < n; i++)
		in->source_gpa_page_list[i] = src + i;
	must(f, as(f, caller, ohv_control(HVCALL_MAP_GPA_PAGES, 0, n, 0),
		   buf, 24 + 8 * n, NULL, 0), "map");
}

static uint64_t create(struct fz *f, uint64_t caller)
{
	struct hv_input_create_partition in;
	uint64_t id = 0;

	memset(&in, 0, sizeof(in));
	must(f, as(f, caller, HVCALL_CREATE_PARTITION, &in,
		   f->cfg.arch == OHV_ARCH_X64 ? 56 : 48, &id, 8), "create");
	return id;
}

static void one_id(struct fz *f, uint64_t caller, uint16_t code, uint64_t id)
{
	must(f, as(f, caller, code, &id, 8, NULL, 0), ohv_call_name(code));
}

static void set_prop(struct fz *f, uint64_t caller, uint64_t id,
		     uint32_t code, uint64_t value)
{
	struct hv_input_set_partition_property in = {
		.partition_id = id, .property_code = code,
		.property_value = value,
	};

	must(f, as(f, caller, HVCALL_SET_PARTITION_PROPERTY, &in, sizeof(in),
		   NULL, 0), "set property");
}

static void reg(struct fz *f, uint64_t caller, uint64_t target,
		uint32_t name, uint64_t value)
{
	if (fz_set_reg(f, caller, 0, target, 0, name, value))
		fz_fail(f, "setup: register 0x%x of %llu", name,
			(unsigned long long)target);
}

/* VP 0 of id made runnable by its parent, SynIC on at GPA pages 2, 3. */
static void vp_synic(struct fz *f, uint64_t parent, uint64_t id, uint8_t vec)
{
	struct hv_input_create_vp cv;

	memset(&cv, 0, sizeof(cv));
	cv.partition_id = id;
	if (id != FZ_ROOT) {
		must(f, as(f, parent, HVCALL_CREATE_VP, &cv, sizeof(cv),
			   NULL, 0), "create VP");
		reg(f, parent, id, HV_REGISTER_EXPLICIT_SUSPEND, 0);
	} else {
		parent = FZ_ROOT;
	}
	reg(f, parent, id, HV_REGISTER_SCONTROL, HV_SYNIC_SCONTROL_ENABLE);
	reg(f, parent, id, HV_REGISTER_SIMP, (FZ_SIM_PAGE << 12) | 1);
	reg(f, parent, id, HV_REGISTER_SIEFP, (FZ_SIEF_PAGE << 12) | 1);
	reg(f, parent, id, HV_REGISTER_SINT0 + 2, vec);
	reg(f, parent, id, HV_REGISTER_SINT0 + 3, vec + 1u);
}

static void port(struct fz *f, uint64_t caller, uint64_t pp, uint32_t id,
		 uint64_t cp, uint32_t type, bool classic)
{
	struct hv_input_create_port in;

	memset(&in, 0, sizeof(in));
	in.port_partition_id = pp;
	in.port_id = id;
	in.connection_partition_id = cp;
	in.port_info.port_type = type;
	in.port_info.message_port_info.target_sint = 2;
	in.port_info.message_port_info.target_vp = 0;
	if (type == HV_PORT_TYPE_EVENT)
		in.port_info.event_port_info.flag_count = 64;
	/* The classic layout is the modern one's first 48 bytes. */
	must(f, as(f, caller, classic ? HVCALL_CREATE_PORT_CLASSIC :
		   HVCALL_CREATE_PORT, &in, classic ? 48 : sizeof(in),
		   NULL, 0), "create port");
}

static void conn(struct fz *f, uint64_t caller, uint64_t cp, uint32_t id,
		 uint64_t pp, uint32_t port_id, uint32_t type, bool classic)
{
	struct hv_input_connect_port in;
	struct hv_input_connect_port_classic cin;

	memset(&in, 0, sizeof(in));
	memset(&cin, 0, sizeof(cin));
	in.connection_partition_id = cin.connection_partition_id = cp;
	in.connection_id = cin.connection_id = id;
	in.port_partition_id = cin.port_partition_id = pp;
	in.port_id = cin.port_id = port_id;
	in.connection_info.port_type = cin.connection_info.port_type = type;
	if (classic)
		must(f, as(f, caller, HVCALL_CONNECT_PORT_CLASSIC, &cin,
			   sizeof(cin), NULL, 0), "connect classic");
	else
		must(f, as(f, caller, HVCALL_CONNECT_PORT, &in, sizeof(in),
			   NULL, 0), "connect");
}

static void post(struct fz *f, uint64_t from, uint32_t conn_id, uint32_t v)
{
	struct hv_input_post_message in;

	memset(&in, 0, sizeof(in));
	in.connection_id = conn_id;
	in.message_type = 7;
	in.payload_size = 4;
	memcpy(in.payload, &v, 4);
	must(f, as(f, from, HVCALL_POST_MESSAGE, &in, sizeof(in), NULL, 0),
	     "post");
}

static void signal_ev(struct fz *f, uint64_t from, uint32_t conn_id,
		      uint16_t flag)
{
	struct hv_input_signal_event in = {
		.connection_id = conn_id, .flag_number = flag,
	};

	must(f, fz_fast(f, from, 0, HVCALL_SIGNAL_EVENT, &in, sizeof(in),
			NULL, 0), "signal");
}

static void setup(struct fz *f)
{
	const uint64_t priv = f->cfg.root_privileges;
	const uint32_t rwx = HV_MAP_GPA_PERMISSIONS_MASK;

	f->stage = "setup";
	/* The same every time: one check at the end is enough. */
	f->check_each = false;
	/* Root pages: 0-3 parameters and SynIC, 8-39 its own pool, 40-135
	 * C's pool, 136-167 shared with C, 168-199 C's alone. */
	deposit(f, FZ_ROOT, HV_PARTITION_ID_SELF, 8, 32);
	if (create(f, FZ_ROOT) != ID_C)
		fz_fail(f, "setup: C is not partition 2");
	set_prop(f, FZ_ROOT, ID_C, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, priv);
	deposit(f, FZ_ROOT, ID_C, 40, 48);
	deposit(f, FZ_ROOT, ID_C, 88, 48);
	one_id(f, FZ_ROOT, HVCALL_INITIALIZE_PARTITION, ID_C);
	map(f, FZ_ROOT, ID_C, 0, 136, 32, rwx);
	map(f, FZ_ROOT, ID_C, 32, 168, 32, rwx);
	map(f, FZ_ROOT, HV_PARTITION_ID_SELF, 168, 168, 32, 0);
	vp_synic(f, FZ_ROOT, ID_C, 0x42);
	vp_synic(f, FZ_ROOT, FZ_ROOT, 0x52);

	/* G: C's pages 32-63 are its pool, C's 8-15 its GPA 0-7. */
	if (create(f, ID_C) != ID_G)
		fz_fail(f, "setup: G is not partition 3");
	set_prop(f, ID_C, ID_G, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, priv);
	deposit(f, ID_C, ID_G, 32, 32);
	one_id(f, ID_C, HVCALL_INITIALIZE_PARTITION, ID_G);
	map(f, ID_C, ID_G, 0, 8, 8, HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE);
	vp_synic(f, ID_C, ID_G, 0x62);

	/* A message and an event port each way between the root and C,
	 * and a message port each way between C and G. */
	port(f, FZ_ROOT, FZ_ROOT, 1, ID_C, HV_PORT_TYPE_MESSAGE, true);
	port(f, FZ_ROOT, FZ_ROOT, 2, ID_C, HV_PORT_TYPE_EVENT, false);
	port(f, FZ_ROOT, ID_C, 1, FZ_ROOT, HV_PORT_TYPE_MESSAGE, false);
	port(f, ID_C, ID_C, 2, FZ_ROOT, HV_PORT_TYPE_EVENT, true);
	port(f, ID_C, ID_C, 3, ID_G, HV_PORT_TYPE_MESSAGE, false);
	port(f, ID_C, ID_G, 1, ID_C, HV_PORT_TYPE_MESSAGE, false);
	conn(f, FZ_ROOT, ID_C, 1, FZ_ROOT, 1, HV_PORT_TYPE_MESSAGE, true);
	conn(f, ID_C, ID_C, 2, FZ_ROOT, 2, HV_PORT_TYPE_EVENT, false);
	conn(f, FZ_ROOT, FZ_ROOT, 1, ID_C, 1, HV_PORT_TYPE_MESSAGE, false);
	conn(f, FZ_ROOT, FZ_ROOT, 2, ID_C, 2, HV_PORT_TYPE_EVENT, true);
	conn(f, ID_C, ID_G, 3, ID_C, 3, HV_PORT_TYPE_MESSAGE, false);
	conn(f, ID_C, ID_C, 3, ID_G, 1, HV_PORT_TYPE_MESSAGE, true);

	/* Two messages each way: one in the slot, one waiting. */
	post(f, ID_C, 1, 0x100);
	post(f, ID_C, 1, 0x101);
	post(f, FZ_ROOT, 1, 0x200);
	post(f, FZ_ROOT, 1, 0x201);
	post(f, ID_G, 3, 0x300);
	post(f, ID_G, 3, 0x301);
	post(f, ID_C, 3, 0x400);
	signal_ev(f, ID_C, 2, 1);
	signal_ev(f, FZ_ROOT, 2, 5);
	f->check_each = true;
	fz_check(f);
}

/* Parameter block sizes (SPEC 3.3): fixed input per arch, simple output,
 * rep output element. */
struct blk {
	uint16_t code, in_x64, in_arm64, out, out_elem;
};

static const struct blk blks[] = {
	{ HVCALL_CREATE_PARTITION, 56, 48, 8, 0 },
	{ HVCALL_GET_PARTITION_PROPERTY, 16, 16, 8, 0 },
	{ HVCALL_GET_PARTITION_ID, 0, 0, 8, 0 },
	{ HVCALL_GET_NEXT_CHILD_PARTITION, 16, 16, 8, 0 },
	{ HVCALL_GET_MEMORY_BALANCE, 16, 16, 16, 0 },
	{ HVCALL_WITHDRAW_MEMORY, 16, 16, 0, 8 },
	{ HVCALL_GET_VP_REGISTERS, 16, 16, 0, 16 },
	{ HVCALL_GET_PORT_PROPERTY, 24, 24, 8, 0 },
	{ HVCALL_SET_PORT_PROPERTY, 32, 32, 8, 0 },
	{ HVCALL_TRANSLATE_VIRTUAL_ADDRESS, 32, 32, 16, 0 },
	{ HVCALL_READ_GPA, 32, 32, 24, 0 },
	{ HVCALL_WRITE_GPA, 48, 48, 8, 0 },
	{ HVCALL_MAP_STATS_PAGE, 24, 24, 8, 0 },
	{ HVCALL_GET_SYSTEM_PROPERTY, 8, 8, 8, 0 },
	{ HVCALL_SIGNAL_EVENT_DIRECT, 16, 16, 8, 0 },
	{ HVCALL_GET_GPA_PAGES_ACCESS_STATES, 24, 24, 0, 1 },
	{ HVCALL_MAP_VP_STATE_PAGE, 24, 24, 8, 0 },
	{ HVCALL_GET_VP_STATE, 40, 40, 200, 0 },
	{ HVCALL_GET_VP_CPUID_VALUES, 24, 24, 0, 16 },
	{ HVCALL_GET_PARTITION_PROPERTY_EX, 24, 24, 4072, 0 },
};

/* Input elements of the rep calls that have them. */
static uint32_t in_elem(uint16_t code)
{
	switch (code) {
	case HVCALL_DEPOSIT_MEMORY:
	case HVCALL_MAP_GPA_PAGES:
		return 8;
	case HVCALL_GET_VP_REGISTERS:
		return 4;
	case HVCALL_SET_VP_REGISTERS:
		return 32;
	case HVCALL_GET_VP_CPUID_VALUES:
		return 24;
	}
	return 0;
}

/*
 * SPEC 3.2: output goes only where the call's output block is: a simple
 * call's out bytes on success, a rep call's elements [rep start, reps
 * completed).  The bytes [*lo, *hi) of the output page (memory-based) or
 * of the register block (fast) may change; nothing else may.
 */
static void out_window(const struct ohv_config *cfg, uint64_t control,
		       uint64_t result, bool fast, size_t *lo, size_t *hi)
{
	const uint16_t code = (uint16_t)control;
	const uint32_t count = fz_rep_count(control);
	const uint32_t start = fz_rep_start(control);
	const uint32_t reps = ohv_result_reps(result);
	const struct blk *b = NULL;
	size_t off = 0;

	*lo = *hi = 0;
	for (size_t i = 0; i < sizeof(blks) / sizeof(blks[0]); i++)
		if (blks[i].code == code)
			b = &blks[i];
	if (!b)
		return;
	/* HvGetVpState also writes the pages its variable header lists,
	 * which may be the output page (SPEC 10). */
	if (code == HVCALL_GET_VP_STATE && !fast &&
	    ohv_result_status(result) == HV_STATUS_SUCCESS) {
		*hi = HV_PAGE_SIZE;
		return;
	}
	if (fast) {
		size_t in = (cfg->arch == OHV_ARCH_X64 ? b->in_x64 :
			     b->in_arm64) + (size_t)count * in_elem(code) +
			    8 * (size_t)((control & HV_HYPERCALL_VARHEAD_MASK) >>
					 HV_HYPERCALL_VARHEAD_OFFSET);

		off = (in + 15) & ~(size_t)15;
	}
	if (b->out_elem) {
		if (reps > start) {
			*lo = off + (size_t)start * b->out_elem;
			*hi = off + (size_t)reps * b->out_elem;
		}
	} else if (ohv_result_status(result) == HV_STATUS_SUCCESS) {
		*lo = off;
		*hi = off + b->out;
	}
}

static void check_untouched(struct fz *f, const uint8_t *now,
			    const uint8_t *was, size_t len, size_t lo,
			    size_t hi, uint64_t control, uint64_t result,
			    const char *where)
{
	for (size_t i = 0; i < len; i++)
		if ((i < lo || i >= hi) && now[i] != was[i])
			fz_fail(f, "call 0x%llx (result 0x%llx) wrote %s byte %zu"
				" outside its output [%zu, %zu)",
				(unsigned long long)control,
				(unsigned long long)result, where, i, lo, hi);
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t callers[4] = { FZ_ROOT, ID_C, ID_G, FZ_ROOT };
	struct ohv_config cfg;
	struct ohv_hvcall call;
	struct fz f;

	if (size < HDR)
		return 0;
	ohv_debug_fail_alloc(0);
	ohv_config_init(&cfg);
	cfg.arch = data[0] & 1 ? OHV_ARCH_ARM64 : OHV_ARCH_X64;
	cfg.numa_nodes = 1u << (data[1] >> 4 & 3);
	cfg.memory_pages = MEM_PAGES;
	cfg.max_depth = 3;
	cfg.rep_budget_ns = 0;
	cfg.rep_limit = data[0] >> 5;
	fz_open(&f, &cfg);
	setup(&f);

	const uint64_t caller = callers[(data[0] >> 1) & 3];
	const bool raw = data[0] & 8;
	uint8_t *in = ohv_gpa(f.hv, caller, 0, HV_PAGE_SIZE);
	uint8_t *out = ohv_gpa(f.hv, caller, HV_PAGE_SIZE, HV_PAGE_SIZE);
	size_t n = size - HDR < HV_PAGE_SIZE ? size - HDR : HV_PAGE_SIZE;

	if (!in || !out)
		fz_fail(&f, "setup: parameter pages of %llu",
			(unsigned long long)caller);
	memset(in, 0, HV_PAGE_SIZE);
	memcpy(in, data + HDR, n);
	memset(out, 0xA5, HV_PAGE_SIZE);

	memset(&call, 0, sizeof(call));
	call.control = le64(data + 2);
	if (data[0] & 0x10)
		call.control = (call.control & ~HV_HYPERCALL_CODE_MASK) |
			codes[(call.control & HV_HYPERCALL_CODE_MASK) %
			      (sizeof(codes) / sizeof(codes[0]))];
	for (int i = 0; i < 16; i++)
		call.fast[i] = le64(data + 10 + 8 * i);
	if (!raw && !(call.control & HV_HYPERCALL_FAST_BIT)) {
		call.fast[0] = 0;
		call.fast[1] = HV_PAGE_SIZE;
	}
	f.stage = "the call";
	f.fail_nth = data[1] & 15;
	/* Compare against what is issued, after the harness's own edit. */
	fz_no_root_suspend(&f, caller, &call);

	const struct ohv_hvcall before = call;
	static uint8_t fill[HV_PAGE_SIZE];
	const bool fast = call.control & HV_HYPERCALL_FAST_BIT;
	uint64_t r;
	size_t lo, hi;

	memset(fill, 0xA5, sizeof(fill));
	r = fz_call(&f, caller, 0, &call);
	out_window(&f.cfg, before.control, r, fast, &lo, &hi);
	if (fast) {
		check_untouched(&f, (const uint8_t *)call.fast,
				(const uint8_t *)before.fast,
				sizeof(call.fast), lo, hi, before.control, r,
				"register");
	} else if (!raw) {
		check_untouched(&f, out, fill, HV_PAGE_SIZE, lo, hi,
				before.control, r, "output page");
	}
	/* Only an early stop with SUCCESS moves the rep start. */
	if (call.control != before.control &&
	    (ohv_result_status(r) != HV_STATUS_SUCCESS ||
	     (call.control ^ before.control) & ~HV_HYPERCALL_REP_START_MASK))
		fz_fail(&f, "control 0x%llx became 0x%llx (result 0x%llx)",
			(unsigned long long)before.control,
			(unsigned long long)call.control,
			(unsigned long long)r);
	fz_teardown(&f);
	return 0;
}
