/*
 * The generic hypercall ABI (SPEC 2, 3) through ohv_hypercall: who may
 * call, the generic checks of SPEC 3.2 and their order, privileges, the
 * fast register conventions of x64 and arm64, rep calls (rep start,
 * partial progress, the time budget), the result value, and a fixed-seed
 * robustness loop.
 *
 * Most tests are tables of rows run by run_row(), which also checks that a
 * failing call did nothing: no partition or pool changed, the output page
 * still holds its 0xA5 fill, registers and control word are as issued.
 */
#include "t.h"

#define BITS(hi, lo)	((~0ull >> (63 - (hi))) & (~0ull << (lo)))
#define BIT(n)		(1ull << (n))
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

#define PG(n)		((uint64_t)(n) << HV_PAGE_SHIFT)
/* Root pages for hand-placed parameter blocks: input in pages 2-3,
 * output in pages 4-5 (two each, so a block can cross a page). */
#define IN_PG		2ull
#define OUT_PG		4ull
#define IN_GPA		PG(IN_PG)
#define OUT_GPA		PG(OUT_PG)
/* Pages tests deposit come from here up. */
#define POOL_PG		T_FIRST_FREE_PAGE
/* t_config's machine size. */
#define MEM_PAGES	4096ull

#define SELF		HV_PARTITION_ID_SELF
#define ST_OK		HV_STATUS_SUCCESS

/* A control word: code, rep count, rep start (SPEC 3.1). */
#define CTL(code, count, start) \
	((uint64_t)(code) | ((uint64_t)(count) << 32) | \
	 ((uint64_t)(start) << 48))
#define FAST		BIT(16)
#define VARHEAD(n)	((uint64_t)(n) << 17)

/* The result value's reserved bits: 31:16 and 63:44 (SPEC 3.1). */
#define RESULT_RSVD	(BITS(31, 16) | BITS(63, 44))

/* Register fill: distinct per register so any write shows. */
#define REG_FILL(i)	(0xA5A5A5A5A5A5A500ull | (uint64_t)(i))

static uint32_t rep_count_of(uint64_t control)
{
	return (uint32_t)((control >> 32) & 0xFFF);
}

static uint32_t rep_start_of(uint64_t control)
{
	return (uint32_t)((control >> 48) & 0xFFF);
}

/* ---------------------------------------------------------------------- */
/* Observation helpers.                                                    */

static bool root_has(struct ohv *hv, uint64_t page)
{
	return ohv_gpa(hv, T_ROOT, PG(page), HV_PAGE_SIZE) != NULL;
}

static uint64_t pool_avail(struct ohv *hv, uint64_t id)
{
	return t_info(hv, id).pool_available;
}

/* Every live partition with its state and pools: "did anything happen". */
#define SNAP_MAX	64
struct snap {
	size_t n;
	struct ohv_partition_info p[SNAP_MAX];
};

static void take_snap(struct ohv *hv, struct snap *s)
{
	uint64_t ids[SNAP_MAX];

	s->n = ohv_partition_list(hv, ids, SNAP_MAX);
	REQUIRE(s->n <= SNAP_MAX);
	for (size_t i = 0; i < s->n; i++)
		s->p[i] = t_info(hv, ids[i]);
}

static bool same_snap(const struct snap *a, const struct snap *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct ohv_partition_info *x = &a->p[i], *y = &b->p[i];

		if (x->id != y->id || x->state != y->state ||
		    x->pool_available != y->pool_available ||
		    x->pool_in_use != y->pool_in_use ||
		    x->children != y->children)
			return false;
	}
	return true;
}

/* The two input pages (zeroed) and the two output pages (0xA5). */
static uint8_t *in_pages(struct ohv *hv)
{
	uint8_t *p = ohv_gpa(hv, T_ROOT, IN_GPA, 2 * HV_PAGE_SIZE);

	REQUIRE(p);
	return p;
}

static uint8_t *out_pages(struct ohv *hv)
{
	uint8_t *p = ohv_gpa(hv, T_ROOT, OUT_GPA, 2 * HV_PAGE_SIZE);

	REQUIRE(p);
	return p;
}

static void prep_blocks(struct ohv *hv)
{
	memset(in_pages(hv), 0, 2 * HV_PAGE_SIZE);
	memset(out_pages(hv), 0xA5, 2 * HV_PAGE_SIZE);
}

/* Bytes [from, to) of the output pages still hold the 0xA5 fill. */
static bool out_untouched(struct ohv *hv, size_t from, size_t to)
{
	const uint8_t *p = out_pages(hv);

	for (size_t i = from; i < to; i++)
		if (p[i] != 0xA5)
			return false;
	return true;
}

static uint64_t out_word(struct ohv *hv, size_t i)
{
	uint64_t v;

	memcpy(&v, out_pages(hv) + i * 8, 8);
	return v;
}

/* Copy in to the root's GPA gpa, when the root can reach it. */
static void place(struct ohv *hv, uint64_t gpa, const void *in, size_t len)
{
	uint8_t *p;

	if (!len)
		return;
	p = ohv_gpa(hv, T_ROOT, gpa, len);
	if (p)
		memcpy(p, in, len);
}

static void fill_regs(struct ohv_hvcall *c)
{
	for (size_t i = 0; i < ARRAY_LEN(c->fast); i++)
		c->fast[i] = REG_FILL(i);
}

/*
 * SPEC 3.1/3.2 on any returned call: reserved result bits are zero, reps
 * completed never exceeds the rep count, and the control word changes
 * only by a rep start advance on a SUCCESS short of the rep count.
 */
static void check_regs(const struct ohv_hvcall *c, uint64_t control,
		       const char *what)
{
	uint32_t count = rep_count_of(control);
	uint32_t reps = ohv_result_reps(c->result);
	hv_status_t st = ohv_result_status(c->result);
	uint64_t advanced = (control & ~BITS(59, 48)) | ((uint64_t)reps << 48);

	CHECK_MSG(!(c->result & RESULT_RSVD),
		  "%s: result 0x%" PRIx64 " has reserved bits", what, c->result);
	CHECK_MSG(reps <= count, "%s: %u reps completed of %u", what, reps,
		  count);
	if (st == ST_OK && reps < count)
		CHECK_MSG(c->control == advanced,
			  "%s: short SUCCESS (%u of %u) left control 0x%" PRIx64,
			  what, reps, count, c->control);
	else
		CHECK_MSG(c->control == control,
			  "%s: control 0x%" PRIx64 " changed to 0x%" PRIx64,
			  what, control, c->control);
}

/* ---------------------------------------------------------------------- */
/* Table rows.                                                             */

struct row {
	const char *what;
	uint64_t control;
	uint64_t in_gpa, out_gpa;	/* memory-based calls */
	uint64_t in[16];		/* input block, or fast registers */
	uint32_t in_len;
	hv_status_t want;
};

/*
 * Issue one row from VP 0 of the root: memory-based with the input placed
 * at in_gpa, or fast with in in the registers and the rest filled.  On
 * failure nothing may have happened (SPEC 3.2: "nothing is done"; simple
 * calls write no output).
 */
static void run_row(struct ohv *hv, const struct row *r)
{
	const bool fast = r->control & FAST;
	struct ohv_hvcall c, orig;
	struct snap before, after;

	prep_blocks(hv);
	memset(&c, 0, sizeof(c));
	c.control = r->control;
	if (fast) {
		fill_regs(&c);
		memcpy(c.fast, r->in, r->in_len);
	} else {
		c.fast[0] = r->in_gpa;
		c.fast[1] = r->out_gpa;
		place(hv, r->in_gpa, r->in, r->in_len);
	}
	orig = c;
	take_snap(hv, &before);
	t_call(hv, T_ROOT, 0, &c);

	hv_status_t st = ohv_result_status(c.result);

	CHECK_MSG(st == r->want, "%s: got %s, want %s", r->what,
		  ohv_status_name(st), ohv_status_name(r->want));
	check_regs(&c, r->control, r->what);
	if (r->want == ST_OK || st == ST_OK)
		return;
	take_snap(hv, &after);
	CHECK_MSG(same_snap(&before, &after), "%s: failed but changed state",
		  r->what);
	CHECK_MSG(ohv_result_reps(c.result) == 0 ||
		  ohv_result_reps(c.result) == rep_start_of(r->control),
		  "%s: failed generic check reports %u reps", r->what,
		  ohv_result_reps(c.result));
	CHECK_MSG(out_untouched(hv, 0, 2 * HV_PAGE_SIZE),
		  "%s: failed but wrote the output page", r->what);
	CHECK_MSG(!memcmp(c.fast, orig.fast, sizeof(c.fast)),
		  "%s: failed but changed registers", r->what);
}

static void run_rows(struct ohv *hv, const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		run_row(hv, &rows[i]);
}

/* ---------------------------------------------------------------------- */
/* Setup helpers.                                                          */

static struct ohv *open_arch(enum ohv_arch arch, uint64_t privileges)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.arch = arch;
	cfg.root_privileges = privileges;
	return t_open(&cfg);
}

/* Put n pages from *next on into the root's own pool. */
static void stock_root(struct ohv *hv, uint64_t *next, uint32_t n)
{
	REQUIRE_ST(t_deposit(hv, SELF, *next, n, NULL), ST_OK);
	*next += n;
}

/* A memory-based call from root VP 0 with the blocks at IN_GPA/OUT_GPA;
 * the caller has placed the input.  Does not refill anything. */
static uint64_t issue(struct ohv *hv, struct ohv_hvcall *c, uint64_t control)
{
	memset(c, 0, sizeof(*c));
	c->control = control;
	c->fast[0] = IN_GPA;
	c->fast[1] = OUT_GPA;
	return t_call(hv, T_ROOT, 0, c);
}

/* Deposit input {target, pages[0..count)} at IN_GPA (after prep). */
static void put_deposit(struct ohv *hv, uint64_t target, const uint64_t *pages,
			uint32_t count)
{
	uint8_t *p = in_pages(hv);

	REQUIRE(8 + (size_t)count * 8 <= 2 * HV_PAGE_SIZE);
	memcpy(p, &target, 8);
	memcpy(p + 8, pages, (size_t)count * 8);
}

static void put_withdraw(struct ohv *hv, uint64_t target)
{
	struct hv_input_withdraw_memory in = { .partition_id = target };

	memcpy(in_pages(hv), &in, sizeof(in));
}

/* ---------------------------------------------------------------------- */
/* SPEC 2: who is calling.                                                 */

TEST(hvcall_caller_validation)
{
	struct ohv_config cfg;
	struct ohv *hv;
	uint64_t next = POOL_PG, uninit, active, fin, dead;

	t_config(&cfg);
	cfg.root_vps = 2;
	hv = t_open(&cfg);
	stock_root(hv, &next, 16);
	REQUIRE_ST(t_create(hv, &uninit), ST_OK);
	active = t_active_child(hv, &next);
	fin = t_active_child(hv, &next);
	REQUIRE_ST(t_finalize(hv, fin), ST_OK);
	REQUIRE_ST(t_create(hv, &dead), ST_OK);
	REQUIRE_ST(t_delete(hv, dead), ST_OK);

	const struct {
		const char *what;
		uint64_t caller;
		uint32_t vp;
		hv_status_t want;
	} cases[] = {
		{ "partition id 0", HV_PARTITION_ID_INVALID, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "SELF names no caller", SELF, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "id never issued", 1000, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "deleted partition", dead, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "unknown partition, bad VP too", 77, 99,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "Uninitialized child", uninit, 0,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "Uninitialized child, bad VP too", uninit, 7,
		  HV_STATUS_INVALID_PARTITION_STATE },
		{ "Finalized child", fin, 0, HV_STATUS_INVALID_PARTITION_STATE },
		{ "root VP 2 of 2", T_ROOT, 2, HV_STATUS_INVALID_VP_INDEX },
		{ "root VP 63", T_ROOT, 63, HV_STATUS_INVALID_VP_INDEX },
		{ "root VP 64", T_ROOT, 64, HV_STATUS_INVALID_VP_INDEX },
		{ "root VP HV_VP_INDEX_SELF", T_ROOT, HV_VP_INDEX_SELF,
		  HV_STATUS_INVALID_VP_INDEX },
		{ "root VP HV_ANY_VP", T_ROOT, HV_ANY_VP,
		  HV_STATUS_INVALID_VP_INDEX },
		/* Children have no VPs until HvCreateVp exists. */
		{ "Active child VP 0", active, 0, HV_STATUS_INVALID_VP_INDEX },
		{ "Active child VP 1", active, 1, HV_STATUS_INVALID_VP_INDEX },
	};
	/* INVALID_VP_STATE (a suspended VP, SPEC 2 and 7): see
	 * callers_suspended_vp in test_vp.c. */

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		/*
		 * Three calls per caller: a fast HvCreatePartition the root
		 * could make, a memory-based HvGetPartitionId, and a control
		 * word that fails every generic check (caller validation
		 * comes first, SPEC 2: "does nothing").
		 */
		static const uint64_t controls[] = {
			HVCALL_CREATE_PARTITION | FAST,
			HVCALL_GET_PARTITION_ID,
			0xFFFF | BIT(31) | BITS(43, 32) | BITS(63, 60),
		};

		for (size_t k = 0; k < ARRAY_LEN(controls); k++) {
			struct ohv_hvcall c;
			struct snap before, after;

			prep_blocks(hv);
			fill_regs(&c);
			c.control = controls[k];
			c.result = 0;
			if (!(controls[k] & FAST) || k == 2) {
				c.fast[0] = IN_GPA;
				c.fast[1] = OUT_GPA;
			} else {
				memset(c.fast, 0, 56);	/* a valid create */
			}
			struct ohv_hvcall orig = c;

			take_snap(hv, &before);
			uint64_t r = t_call(hv, cases[i].caller, cases[i].vp, &c);

			take_snap(hv, &after);
			CHECK_MSG(r == cases[i].want,
				  "%s, control 0x%" PRIx64 ": result 0x%" PRIx64
				  " (%s), want exactly %s", cases[i].what,
				  controls[k], r,
				  ohv_status_name(ohv_result_status(r)),
				  ohv_status_name(cases[i].want));
			CHECK_MSG(same_snap(&before, &after),
				  "%s: rejected caller changed state",
				  cases[i].what);
			CHECK_MSG(c.control == orig.control &&
				  !memcmp(c.fast, orig.fast, sizeof(c.fast)),
				  "%s: rejected caller's registers changed",
				  cases[i].what);
			CHECK_MSG(out_untouched(hv, 0, 2 * HV_PAGE_SIZE),
				  "%s: rejected caller got output",
				  cases[i].what);
		}
	}

	/* root_vps = 2: VP 1 is as good a caller as VP 0. */
	for (uint32_t vp = 0; vp < 2; vp++) {
		struct ohv_hvcall c;

		fill_regs(&c);
		c.control = HVCALL_GET_PARTITION_ID | FAST;
		CHECK_ST(t_call(hv, T_ROOT, vp, &c), ST_OK);
		CHECK_EQ(c.fast[0], T_ROOT);

		size_t n = ohv_partition_list(hv, NULL, 0);

		memset(c.fast, 0, sizeof(c.fast));
		c.control = HVCALL_CREATE_PARTITION | FAST;
		CHECK_ST(t_call(hv, T_ROOT, vp, &c), ST_OK);
		CHECK_EQ(ohv_partition_list(hv, NULL, 0), n + 1);
	}
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* SPEC 3.2 step 1: call codes.                                            */

TEST(hvcall_unimplemented_codes)
{
	static const uint16_t codes[] = {
		0x0000, 0x0001, 0x0002, 0x0008, 0x003F,
		0x0055,		/* classic AssertVirtualInterrupt */
		0x005E, 0x005F,	/* save / restore: not in SPEC 3.3 */
		0x00FF, 0x010A, 0x8001, 0xFFFF,
	};
	static const uint64_t extras[] = {
		0,				/* plain, memory-based */
		FAST,				/* fast */
		CTL(0, 5, 2),			/* rep fields */
		VARHEAD(3),			/* variable header */
		BIT(31) | BIT(63),		/* reserved bits */
	};
	struct ohv *hv = t_open(NULL);

	for (size_t i = 0; i < ARRAY_LEN(codes); i++) {
		for (size_t k = 0; k < ARRAY_LEN(extras); k++) {
			struct row r = {
				.what = "unimplemented code",
				.control = codes[i] | extras[k],
				.in_gpa = IN_GPA + 1,	/* step 5 would fail */
				.out_gpa = OUT_GPA,
				.want = HV_STATUS_INVALID_HYPERCALL_CODE,
			};
			struct ohv_hvcall c = { .control = r.control };

			run_row(hv, &r);
			/* Exactly the status: no reps, nothing else. */
			c.fast[0] = IN_GPA;
			c.fast[1] = OUT_GPA;
			CHECK_MSG(t_call(hv, T_ROOT, 0, &c) ==
				  HV_STATUS_INVALID_HYPERCALL_CODE,
				  "code 0x%04x | 0x%" PRIx64 ": result 0x%" PRIx64,
				  codes[i], extras[k], c.result);
		}
	}
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* SPEC 3.2 step 2: reserved control bits, nested (31) included.          */

TEST(hvcall_reserved_control_bits)
{
	static const unsigned bits[] = { 27, 28, 29, 30, 31, 44, 45, 46, 47,
					 60, 61, 62, 63 };
	struct ohv *hv = t_open(NULL);
	uint64_t next = POOL_PG;

	stock_root(hv, &next, 4);
	/* Valid calls that succeed without the bit (checked last). */
	struct row base[] = {
		{ "HvGetPartitionId", HVCALL_GET_PARTITION_ID, IN_GPA, OUT_GPA,
		  { 0 }, 0, ST_OK },
		{ "HvCreatePartition", HVCALL_CREATE_PARTITION, IN_GPA, OUT_GPA,
		  { 0 }, 56, ST_OK },
		{ "fast HvGetMemoryBalance", HVCALL_GET_MEMORY_BALANCE | FAST,
		  0, 0, { SELF, 0 }, 16, ST_OK },
		{ "fast HvWithdrawMemory x1",
		  CTL(HVCALL_WITHDRAW_MEMORY, 1, 0) | FAST, 0, 0,
		  { SELF, 0 }, 16, ST_OK },
		{ "HvDepositMemory x1", CTL(HVCALL_DEPOSIT_MEMORY, 1, 0),
		  IN_GPA, OUT_GPA, { SELF, 200 }, 16, ST_OK },
	};

	for (size_t b = 0; b < ARRAY_LEN(bits); b++) {
		for (size_t i = 0; i < ARRAY_LEN(base); i++) {
			struct row r = base[i];
			char what[96];

			snprintf(what, sizeof(what), "%s with bit %u", base[i].what,
				 bits[b]);
			r.what = what;
			r.control |= BIT(bits[b]);
			r.want = HV_STATUS_INVALID_HYPERCALL_INPUT;
			run_row(hv, &r);
		}
	}
	/* The page element 200 was not deposited by any of those. */
	CHECK(root_has(hv, 200));
	run_rows(hv, base, ARRAY_LEN(base));
	CHECK(!root_has(hv, 200));
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* SPEC 3.2 step 3: rep fields and the variable header size.               */

TEST(hvcall_rep_fields)
{
	const hv_status_t bad = HV_STATUS_INVALID_HYPERCALL_INPUT;
	const struct row rows[] = {
		/* Simple calls: rep count and rep start must be 0. */
		{ "simple, rep count 1", CTL(HVCALL_GET_PARTITION_ID, 1, 0),
		  IN_GPA, OUT_GPA, { 0 }, 0, bad },
		{ "simple, rep start 1", CTL(HVCALL_GET_PARTITION_ID, 0, 1),
		  IN_GPA, OUT_GPA, { 0 }, 0, bad },
		{ "simple, count 4095 start 4095",
		  CTL(HVCALL_GET_MEMORY_BALANCE, 4095, 4095), IN_GPA, OUT_GPA,
		  { SELF }, 16, bad },
		{ "simple create, rep count 1", CTL(HVCALL_CREATE_PARTITION, 1, 0),
		  IN_GPA, OUT_GPA, { 0 }, 56, bad },
		{ "simple initialize, count 2 start 1",
		  CTL(HVCALL_INITIALIZE_PARTITION, 2, 1), IN_GPA, OUT_GPA,
		  { 2 }, 8, bad },
		{ "fast simple, rep count 1",
		  CTL(HVCALL_GET_PARTITION_ID, 1, 0) | FAST, 0, 0, { 0 }, 0, bad },
		/* Rep calls: count >= 1 and start < count. */
		{ "rep, count 0", CTL(HVCALL_DEPOSIT_MEMORY, 0, 0), IN_GPA,
		  OUT_GPA, { SELF, 300 }, 16, bad },
		{ "rep, count 0 start 1", CTL(HVCALL_DEPOSIT_MEMORY, 0, 1),
		  IN_GPA, OUT_GPA, { SELF, 300 }, 16, bad },
		{ "rep, start == count", CTL(HVCALL_DEPOSIT_MEMORY, 3, 3),
		  IN_GPA, OUT_GPA, { SELF, 300, 301, 302 }, 32, bad },
		{ "rep, start > count", CTL(HVCALL_DEPOSIT_MEMORY, 3, 4),
		  IN_GPA, OUT_GPA, { SELF, 300, 301, 302 }, 32, bad },
		{ "rep, count 1 start 4095", CTL(HVCALL_DEPOSIT_MEMORY, 1, 4095),
		  IN_GPA, OUT_GPA, { SELF, 300 }, 16, bad },
		{ "withdraw, start == count", CTL(HVCALL_WITHDRAW_MEMORY, 2, 2),
		  IN_GPA, OUT_GPA, { SELF }, 16, bad },
		{ "withdraw, count 0", CTL(HVCALL_WITHDRAW_MEMORY, 0, 0),
		  IN_GPA, OUT_GPA, { SELF }, 16, bad },
		{ "fast rep, count 0", CTL(HVCALL_DEPOSIT_MEMORY, 0, 0) | FAST,
		  0, 0, { SELF, 300 }, 16, bad },
		{ "fast rep, start == count",
		  CTL(HVCALL_WITHDRAW_MEMORY, 1, 1) | FAST, 0, 0, { SELF }, 16,
		  bad },
		/* No implemented call takes a variable header. */
		{ "varhead 1, simple", HVCALL_GET_PARTITION_ID | VARHEAD(1),
		  IN_GPA, OUT_GPA, { 0 }, 0, bad },
		{ "varhead 0x3FF, create", HVCALL_CREATE_PARTITION | VARHEAD(0x3FF),
		  IN_GPA, OUT_GPA, { 0 }, 56, bad },
		{ "varhead 1, rep", CTL(HVCALL_DEPOSIT_MEMORY, 1, 0) | VARHEAD(1),
		  IN_GPA, OUT_GPA, { SELF, 300 }, 16, bad },
		{ "varhead 2, fast rep",
		  CTL(HVCALL_WITHDRAW_MEMORY, 1, 0) | VARHEAD(2) | FAST, 0, 0,
		  { SELF }, 16, bad },
		{ "varhead 0x200, fast simple",
		  HVCALL_GET_MEMORY_BALANCE | VARHEAD(0x200) | FAST, 0, 0,
		  { SELF }, 16, bad },
	};
	struct ohv *hv = t_open(NULL);
	uint64_t next = POOL_PG;

	stock_root(hv, &next, 4);
	run_rows(hv, rows, ARRAY_LEN(rows));
	CHECK(root_has(hv, 300));
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* SPEC 3.2: the first failing check wins.                                 */

#define NOPRIVS	(OHV_ROOT_PRIVILEGES & \
		 ~(HV_PARTITION_PRIV_CREATE_PARTITIONS | \
		   HV_PARTITION_PRIV_ACCESS_MEMORY_POOL | \
		   HV_PARTITION_PRIV_ACCESS_PARTITION_ID))

TEST(hvcall_check_order)
{
	const hv_status_t code = HV_STATUS_INVALID_HYPERCALL_CODE;
	const hv_status_t input = HV_STATUS_INVALID_HYPERCALL_INPUT;
	const hv_status_t align = HV_STATUS_INVALID_ALIGNMENT;
	const hv_status_t denied = HV_STATUS_ACCESS_DENIED;
	/* { BIT(2), BIT(5) << 32 }: a create with an undefined flag and a
	 * reserved proximity flag, INVALID_PARAMETER at step 7. */
	const struct row full[] = {
		{ "unknown code + nested bit", 0x00FF | BIT(31), IN_GPA,
		  OUT_GPA, { 0 }, 0, code },
		{ "unknown code + rep fields + varhead",
		  CTL(0x0055, 5, 9) | VARHEAD(1), IN_GPA, OUT_GPA, { 0 }, 0,
		  code },
		{ "unknown code fast + reserved bit 60",
		  0xFFFF | FAST | BIT(60), 0, 0, { 0 }, 0, code },
		{ "reserved bit + bad rep count",
		  CTL(HVCALL_CREATE_PARTITION, 1, 0) | BIT(63), IN_GPA, OUT_GPA,
		  { 0 }, 56, input },
		{ "reserved bit + misaligned input GPA",
		  HVCALL_CREATE_PARTITION | BIT(30), IN_GPA + 4, OUT_GPA,
		  { 0 }, 56, input },
		{ "rep count on simple + misaligned input GPA",
		  CTL(HVCALL_CREATE_PARTITION, 1, 0), IN_GPA + 4, OUT_GPA,
		  { 0 }, 56, input },
		{ "rep start == count + input GPA outside memory",
		  CTL(HVCALL_DEPOSIT_MEMORY, 2, 2), PG(MEM_PAGES), OUT_GPA,
		  { SELF, 300, 301 }, 24, input },
		{ "varhead + misaligned output GPA",
		  HVCALL_GET_MEMORY_BALANCE | VARHEAD(1), IN_GPA, OUT_GPA + 2,
		  { SELF }, 16, input },
		{ "fast too big + unknown partition",
		  CTL(HVCALL_WITHDRAW_MEMORY, 13, 0) | FAST, 0, 0, { 999 }, 16,
		  input },
		{ "misaligned input GPA + bad create arguments",
		  HVCALL_CREATE_PARTITION, IN_GPA + 4, OUT_GPA,
		  { BIT(2), (uint64_t)BIT(5) << 32 }, 56, align },
		{ "misaligned output GPA + bad create arguments",
		  HVCALL_CREATE_PARTITION, IN_GPA, OUT_GPA + 4,
		  { BIT(2), (uint64_t)BIT(5) << 32 }, 56, align },
		{ "input crosses a page + misaligned output",
		  HVCALL_GET_MEMORY_BALANCE, PG(IN_PG + 1) - 8, OUT_GPA + 4,
		  { 0 }, 0, align },
		{ "deposit: input outside memory + unknown partition",
		  CTL(HVCALL_DEPOSIT_MEMORY, 1, 0), PG(MEM_PAGES + 1), OUT_GPA,
		  { 999, 300 }, 16, align },
		/* Every generic check passes: the call's own checks run. */
		{ "bad create arguments only", HVCALL_CREATE_PARTITION, IN_GPA,
		  OUT_GPA, { BIT(2), (uint64_t)BIT(5) << 32 }, 56,
		  HV_STATUS_INVALID_PARAMETER },
		{ "deposit into an unknown partition",
		  CTL(HVCALL_DEPOSIT_MEMORY, 1, 0), IN_GPA, OUT_GPA,
		  { 999, 300 }, 16, HV_STATUS_INVALID_PARTITION_ID },
	};
	const struct row noprivs[] = {
		{ "no privileges, unknown code", 0x00FF, IN_GPA, OUT_GPA,
		  { 0 }, 0, code },
		{ "no CreatePartitions + nested bit",
		  HVCALL_CREATE_PARTITION | BIT(31), IN_GPA, OUT_GPA, { 0 }, 56,
		  input },
		{ "no AccessPartitionId + rep count",
		  CTL(HVCALL_GET_PARTITION_ID, 1, 0), IN_GPA, OUT_GPA, { 0 }, 0,
		  input },
		{ "no AccessMemoryPool + fast too big",
		  CTL(HVCALL_WITHDRAW_MEMORY, 13, 0) | FAST, 0, 0, { SELF }, 16,
		  input },
		{ "no CreatePartitions + misaligned input GPA",
		  HVCALL_CREATE_PARTITION, IN_GPA + 4, OUT_GPA, { 0 }, 56,
		  align },
		{ "no CreatePartitions + input crosses a page",
		  HVCALL_CREATE_PARTITION, PG(IN_PG + 1) - 48, OUT_GPA, { 0 },
		  56, align },
		{ "no AccessMemoryPool + output outside memory",
		  HVCALL_GET_MEMORY_BALANCE, IN_GPA, PG(MEM_PAGES), { SELF }, 16,
		  align },
		{ "no AccessPartitionId + misaligned output GPA",
		  HVCALL_GET_PARTITION_ID, IN_GPA, OUT_GPA + 4, { 0 }, 0, align },
		{ "no CreatePartitions + bad create arguments",
		  HVCALL_CREATE_PARTITION, IN_GPA, OUT_GPA,
		  { BIT(2), (uint64_t)BIT(5) << 32 }, 56, denied },
		{ "no CreatePartitions + bad arguments, fast",
		  HVCALL_CREATE_PARTITION | FAST, 0, 0,
		  { BIT(2), (uint64_t)BIT(5) << 32 }, 56, denied },
		{ "no AccessMemoryPool + unknown partition and page",
		  CTL(HVCALL_DEPOSIT_MEMORY, 1, 0), IN_GPA, OUT_GPA,
		  { 999, ~0ull }, 16, denied },
		{ "no AccessMemoryPool + reserved proximity flag",
		  CTL(HVCALL_WITHDRAW_MEMORY, 1, 0), IN_GPA, OUT_GPA,
		  { SELF, (uint64_t)BIT(7) << 32 }, 16, denied },
		{ "no AccessMemoryPool + partition id 0",
		  HVCALL_GET_MEMORY_BALANCE, IN_GPA, OUT_GPA, { 0 }, 16, denied },
	};
	struct ohv *hv = t_open(NULL);
	uint64_t next = POOL_PG;

	stock_root(hv, &next, 4);
	run_rows(hv, full, ARRAY_LEN(full));
	CHECK(root_has(hv, 300));
	t_close(hv);

	hv = open_arch(OHV_ARCH_X64, NOPRIVS);
	run_rows(hv, noprivs, ARRAY_LEN(noprivs));
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* SPEC 3.2 step 5: memory-based parameter blocks.                         */

TEST(hvcall_memory_blocks)
{
	const hv_status_t align = HV_STATUS_INVALID_ALIGNMENT;
	const uint64_t dep = POOL_PG;	/* deposited into the root's pool */
	const uint64_t wd2 = CTL(HVCALL_WITHDRAW_MEMORY, 2, 0);
	const struct row rows[] = {
		/* Alignment: 8 bytes. */
		{ "create: input GPA 4-aligned", HVCALL_CREATE_PARTITION,
		  IN_GPA + 4, OUT_GPA, { 0 }, 56, align },
		{ "create: input GPA odd", HVCALL_CREATE_PARTITION, IN_GPA + 1,
		  OUT_GPA, { 0 }, 56, align },
		{ "create: input GPA +7", HVCALL_CREATE_PARTITION, IN_GPA + 7,
		  OUT_GPA, { 0 }, 56, align },
		{ "create: output GPA 4-aligned", HVCALL_CREATE_PARTITION,
		  IN_GPA, OUT_GPA + 4, { 0 }, 56, align },
		{ "create: output GPA +2", HVCALL_CREATE_PARTITION, IN_GPA,
		  OUT_GPA + 2, { 0 }, 56, align },
		{ "balance: both GPAs misaligned", HVCALL_GET_MEMORY_BALANCE,
		  IN_GPA + 4, OUT_GPA + 4, { SELF }, 16, align },
		/* A block may not cross a 4 KiB page (SPEC 9: ALIGNMENT). */
		{ "create: 56-byte input crosses", HVCALL_CREATE_PARTITION,
		  PG(IN_PG + 1) - 48, OUT_GPA, { 0 }, 56, align },
		{ "create: input crosses by 8", HVCALL_CREATE_PARTITION,
		  PG(IN_PG + 1) - 8, OUT_GPA, { 0 }, 56, align },
		{ "create: input ends at the page end", HVCALL_CREATE_PARTITION,
		  PG(IN_PG + 1) - 56, OUT_GPA, { 0 }, 56, ST_OK },
		{ "balance: 16-byte output crosses", HVCALL_GET_MEMORY_BALANCE,
		  IN_GPA, PG(OUT_PG + 1) - 8, { SELF }, 16, align },
		{ "balance: output ends at the page end",
		  HVCALL_GET_MEMORY_BALANCE, IN_GPA, PG(OUT_PG + 1) - 16,
		  { SELF }, 16, ST_OK },
		{ "withdraw x2: output crosses", wd2, IN_GPA,
		  PG(OUT_PG + 1) - 8, { SELF }, 16, align },
		{ "withdraw x2: output ends at the page end", wd2, IN_GPA,
		  PG(OUT_PG + 1) - 16, { SELF }, 16, ST_OK },
		{ "withdraw x513: output longer than a page",
		  CTL(HVCALL_WITHDRAW_MEMORY, 513, 0), IN_GPA, OUT_GPA,
		  { SELF }, 16, align },
		{ "deposit x4: input crosses", CTL(HVCALL_DEPOSIT_MEMORY, 4, 0),
		  PG(IN_PG + 1) - 32, OUT_GPA, { SELF, 60, 61, 62, 63 }, 40,
		  align },
		{ "deposit x4: input ends at the page end",
		  CTL(HVCALL_DEPOSIT_MEMORY, 4, 0), PG(IN_PG + 1) - 40, OUT_GPA,
		  { SELF, 64, 65, 66, 67 }, 40, ST_OK },
		{ "deposit x512: input longer than a page",
		  CTL(HVCALL_DEPOSIT_MEMORY, 512, 0), IN_GPA, OUT_GPA,
		  { SELF, 68 }, 16, align },
		/* Outside the root's GPA space (the identity map). */
		{ "create: input on the first page past memory",
		  HVCALL_CREATE_PARTITION, PG(MEM_PAGES), OUT_GPA, { 0 }, 56,
		  align },
		{ "create: input at the end of the last page",
		  HVCALL_CREATE_PARTITION, PG(MEM_PAGES) - 56, OUT_GPA, { 0 },
		  56, ST_OK },
		{ "create: input at 2^52", HVCALL_CREATE_PARTITION, BIT(52),
		  OUT_GPA, { 0 }, 56, align },
		{ "create: input in the top page", HVCALL_CREATE_PARTITION,
		  0xFFFFFFFFFFFFF000ull, OUT_GPA, { 0 }, 56, align },
		{ "create: input block wraps past 2^64",
		  HVCALL_CREATE_PARTITION, 0xFFFFFFFFFFFFFFF8ull, OUT_GPA,
		  { 0 }, 56, align },
		{ "balance: output past memory", HVCALL_GET_MEMORY_BALANCE,
		  IN_GPA, PG(MEM_PAGES), { SELF }, 16, align },
		{ "balance: output in the top page", HVCALL_GET_MEMORY_BALANCE,
		  IN_GPA, 0xFFFFFFFFFFFFFFF0ull, { SELF }, 16, align },
		/* A deposited page is in no GPA space. */
		{ "create: input page deposited", HVCALL_CREATE_PARTITION,
		  PG(dep), OUT_GPA, { 0 }, 56, align },
		{ "balance: input page deposited", HVCALL_GET_MEMORY_BALANCE,
		  PG(dep) + 64, OUT_GPA, { SELF }, 16, align },
		{ "balance: output page deposited", HVCALL_GET_MEMORY_BALANCE,
		  IN_GPA, PG(dep), { SELF }, 16, align },
		/* A block the call does not have: its GPA is ignored. */
		{ "get id: no input, input GPA odd", HVCALL_GET_PARTITION_ID,
		  3, OUT_GPA, { 0 }, 0, ST_OK },
		{ "get id: no input, input GPA deposited",
		  HVCALL_GET_PARTITION_ID, PG(dep), OUT_GPA, { 0 }, 0, ST_OK },
		{ "get id: no input, input GPA all ones",
		  HVCALL_GET_PARTITION_ID, ~0ull, OUT_GPA, { 0 }, 0, ST_OK },
		{ "deposit: no output, output GPA odd",
		  CTL(HVCALL_DEPOSIT_MEMORY, 1, 0), IN_GPA, 5, { SELF, 69 }, 16,
		  ST_OK },
		{ "deposit: no output, output GPA deposited",
		  CTL(HVCALL_DEPOSIT_MEMORY, 1, 0), IN_GPA, PG(dep),
		  { SELF, 70 }, 16, ST_OK },
	};
	struct ohv *hv = t_open(NULL);
	uint64_t next = POOL_PG;

	stock_root(hv, &next, 32);
	REQUIRE(!root_has(hv, dep));
	run_rows(hv, rows, ARRAY_LEN(rows));
	/* Pages of the failed deposits stayed; the others went. */
	for (uint64_t p = 60; p < 64; p++)
		CHECK(root_has(hv, p));
	for (uint64_t p = 64; p < 68; p++)
		CHECK(!root_has(hv, p));
	CHECK(root_has(hv, 68));
	CHECK(!root_has(hv, 69) && !root_has(hv, 70));
	t_close(hv);
}

/* A successful memory-based call writes exactly its output block. */
TEST(hvcall_output_extent)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = POOL_PG;
	struct ohv_hvcall c;
	uint64_t in[7] = { 0 };

	stock_root(hv, &next, 8);

	prep_blocks(hv);
	issue(hv, &c, HVCALL_GET_PARTITION_ID);
	CHECK_ST(c.result, ST_OK);
	CHECK_EQ(out_word(hv, 0), T_ROOT);
	CHECK(out_untouched(hv, 8, 2 * HV_PAGE_SIZE));

	prep_blocks(hv);
	place(hv, IN_GPA, in, 56);
	issue(hv, &c, HVCALL_CREATE_PARTITION);
	CHECK_ST(c.result, ST_OK);
	CHECK_EQ(out_word(hv, 0), 2);
	CHECK(out_untouched(hv, 8, 2 * HV_PAGE_SIZE));

	prep_blocks(hv);
	in[0] = SELF;
	place(hv, IN_GPA, in, 16);
	issue(hv, &c, HVCALL_GET_MEMORY_BALANCE);
	CHECK_ST(c.result, ST_OK);
	CHECK_EQ(out_word(hv, 0), 7);	/* 8 deposited, 1 charged */
	CHECK_EQ(out_word(hv, 1), 1);
	CHECK(out_untouched(hv, 16, 2 * HV_PAGE_SIZE));

	/* No output at all: the output page stays as it was. */
	prep_blocks(hv);
	in[0] = 2;
	place(hv, IN_GPA, in, 8);
	issue(hv, &c, HVCALL_DELETE_PARTITION);
	CHECK_ST(c.result, ST_OK);
	CHECK(out_untouched(hv, 0, 2 * HV_PAGE_SIZE));
	t_close(hv);
}

/* SPEC 3.2: padding and reserved input fields are ignored unless SPEC
 * says "must be zero". */
TEST(hvcall_padding_ignored)
{
	const uint64_t ones = 0xFFFFFFFF00000000ull;
	const struct row rows[] = {
		/* HvCreatePartition: Padding (20-23) "should be zero" only. */
		{ "create: padding at 20 set", HVCALL_CREATE_PARTITION, IN_GPA,
		  OUT_GPA, { 0, 0, ones }, 56, ST_OK },
		{ "fast create: padding at 20 set",
		  HVCALL_CREATE_PARTITION | FAST, 0, 0, { 0, 0, ones }, 56,
		  ST_OK },
		/* HvGetPartitionProperty: padding at 12. */
		{ "get property: padding at 12 set",
		  HVCALL_GET_PARTITION_PROPERTY, IN_GPA, OUT_GPA,
		  { SELF, ones | HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS }, 16,
		  ST_OK },
		/* Bytes past a block are not part of it. */
		{ "get id: garbage where no input is", HVCALL_GET_PARTITION_ID,
		  IN_GPA, OUT_GPA, { ~0ull, ~0ull }, 16, ST_OK },
		{ "balance: garbage after the 16 bytes",
		  HVCALL_GET_MEMORY_BALANCE, IN_GPA, OUT_GPA,
		  { SELF, 0, ~0ull, ~0ull }, 32, ST_OK },
	};
	struct ohv *hv = t_open(NULL);
	uint64_t next = POOL_PG;

	stock_root(hv, &next, 4);
	run_rows(hv, rows, ARRAY_LEN(rows));
	CHECK_EQ(ohv_partition_list(hv, NULL, 0), 3);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* SPEC 3.2 step 6, table 3.3: privileges.                                 */

struct priv_case {
	const char *what;
	uint64_t needs;		/* the privilege SPEC 3.3 names */
	uint64_t control;
	uint64_t in[2];
	uint32_t in_len;
};

static const struct priv_case priv_cases[] = {
	{ "HvCreatePartition", HV_PARTITION_PRIV_CREATE_PARTITIONS,
	  HVCALL_CREATE_PARTITION, { 0 }, 56 },
	{ "HvDepositMemory", HV_PARTITION_PRIV_ACCESS_MEMORY_POOL,
	  CTL(HVCALL_DEPOSIT_MEMORY, 1, 0), { SELF, 400 }, 16 },
	{ "HvWithdrawMemory", HV_PARTITION_PRIV_ACCESS_MEMORY_POOL,
	  CTL(HVCALL_WITHDRAW_MEMORY, 1, 0), { SELF, 0 }, 16 },
	{ "HvGetMemoryBalance", HV_PARTITION_PRIV_ACCESS_MEMORY_POOL,
	  HVCALL_GET_MEMORY_BALANCE, { SELF, 0 }, 16 },
	{ "HvGetPartitionId", HV_PARTITION_PRIV_ACCESS_PARTITION_ID,
	  HVCALL_GET_PARTITION_ID, { 0 }, 0 },
};

/* One privilege case on a root holding privs; memory-based or fast. */
static void priv_run(const struct priv_case *pc, uint64_t privs, bool fast)
{
	struct ohv_config cfg;
	struct ohv *hv;
	const bool held = (privs & pc->needs) == pc->needs;
	char what[128];
	struct row r = {
		.control = pc->control | (fast ? FAST : 0),
		.in_gpa = IN_GPA,
		.out_gpa = OUT_GPA,
		.in_len = pc->in_len,
		.want = held ? ST_OK : HV_STATUS_ACCESS_DENIED,
	};

	/* A free partition object, so a root without AccessMemoryPool (and
	 * so without a pool) can still create. */
	t_config(&cfg);
	cfg.root_privileges = privs;
	cfg.costs.partition = 0;
	hv = t_open(&cfg);
	memcpy(r.in, pc->in, sizeof(pc->in));
	snprintf(what, sizeof(what), "%s%s, privileges 0x%" PRIx64, pc->what,
		 fast ? " (fast)" : "", privs);
	r.what = what;
	/* A pool to withdraw from, when allowed. */
	if (privs & HV_PARTITION_PRIV_ACCESS_MEMORY_POOL) {
		uint64_t next = POOL_PG;

		stock_root(hv, &next, 4);
	}
	run_row(hv, &r);
	t_close(hv);
}

TEST(hvcall_privileges)
{
	const uint64_t all = HV_PARTITION_PRIV_CREATE_PARTITIONS |
			     HV_PARTITION_PRIV_ACCESS_MEMORY_POOL |
			     HV_PARTITION_PRIV_ACCESS_PARTITION_ID;

	for (size_t i = 0; i < ARRAY_LEN(priv_cases); i++) {
		const struct priv_case *pc = &priv_cases[i];

		for (int fast = 0; fast < 2; fast++) {
			/* Lacking exactly the one privilege: denied. */
			priv_run(pc, OHV_ROOT_PRIVILEGES & ~pc->needs, fast);
			/* Lacking all three. */
			priv_run(pc, OHV_ROOT_PRIVILEGES & ~all, fast);
			/* Holding only the three: enough for all of these. */
			priv_run(pc, all, fast);
			/* Lacking the other two: still allowed. */
			priv_run(pc, OHV_ROOT_PRIVILEGES & ~(all & ~pc->needs),
				 fast);
		}
	}
}

/* ---------------------------------------------------------------------- */
/* SPEC 3.2 step 4: fast calls.                                            */

/* A fast call from root VP 0 with in in the first registers. */
static uint64_t fast_call(struct ohv *hv, struct ohv_hvcall *c,
			  uint64_t control, const uint64_t *in, size_t words)
{
	fill_regs(c);
	c->control = control | FAST;
	c->result = 0;
	if (words)
		memcpy(c->fast, in, words * 8);
	return t_call(hv, T_ROOT, 0, c);
}

/* Registers [from, to) hold what they held before the call. */
static bool regs_kept(const struct ohv_hvcall *c, const uint64_t *in,
		      size_t words, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		uint64_t want = i < words ? in[i] : REG_FILL(i);

		if (c->fast[i] != want)
			return false;
	}
	return true;
}

TEST(hvcall_fast_x64)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = POOL_PG;
	struct ohv_hvcall c;
	uint64_t avail, in_use;

	stock_root(hv, &next, 8);

	/* No input: the output is the first pair, fast[0]. */
	CHECK_ST(fast_call(hv, &c, HVCALL_GET_PARTITION_ID, NULL, 0), ST_OK);
	CHECK_EQ(c.fast[0], T_ROOT);
	CHECK(regs_kept(&c, NULL, 0, 1, 16));

	/* 16 bytes in: output at fast[2..3]; input registers kept. */
	const uint64_t bal[2] = { SELF, 0 };

	CHECK_ST(t_balance(hv, SELF, &avail, &in_use), ST_OK);
	CHECK_ST(fast_call(hv, &c, HVCALL_GET_MEMORY_BALANCE, bal, 2), ST_OK);
	CHECK_EQ(c.fast[2], avail);
	CHECK_EQ(c.fast[3], in_use);
	CHECK(regs_kept(&c, bal, 2, 0, 2));
	CHECK(regs_kept(&c, bal, 2, 4, 16));

	/*
	 * 56 bytes in fast[0..6] (RDX, R8, XMM0-XMM2 low): rounded to 64,
	 * so the output is fast[8].  fast[7], past the block, is ignored.
	 */
	uint64_t cr[8] = {
		HV_PARTITION_CREATION_FLAG_SMT_ENABLED_GUEST |
		HV_PARTITION_CREATION_FLAG_EXO_PARTITION,
		0, HV_COMPATIBILITY_21_H2, 0, 0, 0, 0,
		0xDEADBEEFDEADBEEFull,
	};

	CHECK_ST(fast_call(hv, &c, HVCALL_CREATE_PARTITION, cr, 8), ST_OK);
	uint64_t id = c.fast[8];
	struct ohv_partition_info pi = t_info(hv, id);

	CHECK_EQ(pi.parent_id, T_ROOT);
	CHECK_EQ(pi.state, OHV_STATE_UNINITIALIZED);
	CHECK_EQ(pi.creation_flags, cr[0]);
	CHECK_EQ(pi.compatibility_version, 0x0609);
	CHECK(regs_kept(&c, cr, 8, 0, 8));
	CHECK(regs_kept(&c, cr, 8, 9, 16));

	/* A failing fast call changes no register. */
	uint64_t badcr[7] = { BIT(2) };

	CHECK_ST(fast_call(hv, &c, HVCALL_CREATE_PARTITION, badcr, 7),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK(regs_kept(&c, badcr, 7, 0, 16));

	/* Fast initialize (Linux: fast8): 8 bytes in, no output. */
	REQUIRE_ST(t_deposit(hv, id, next, 16, NULL), ST_OK);
	next += 16;
	uint64_t one[2] = { id, 0x1234 };	/* fast[1] past the block */

	CHECK_ST(fast_call(hv, &c, HVCALL_INITIALIZE_PARTITION, one, 2), ST_OK);
	CHECK_EQ(t_info(hv, id).state, OHV_STATE_ACTIVE);
	CHECK(regs_kept(&c, one, 2, 0, 16));

	/* Get property: 16 in, 8 out at fast[2]. */
	uint64_t gp[2] = { id, HV_PARTITION_PROPERTY_CPU_WEIGHT };
	uint64_t weight = 0;

	CHECK_ST(t_get_property(hv, id, HV_PARTITION_PROPERTY_CPU_WEIGHT,
				&weight), ST_OK);
	CHECK_ST(fast_call(hv, &c, HVCALL_GET_PARTITION_PROPERTY, gp, 2), ST_OK);
	CHECK_EQ(c.fast[2], weight);
	CHECK(regs_kept(&c, gp, 2, 3, 16));

	/* Get next child: 16 in, 8 out at fast[2]. */
	uint64_t gn[2] = { SELF, 0 };

	CHECK_ST(fast_call(hv, &c, HVCALL_GET_NEXT_CHILD_PARTITION, gn, 2),
		 ST_OK);
	CHECK_EQ(c.fast[2], id);
	CHECK(regs_kept(&c, gn, 2, 3, 16));

	/* Fast finalize, withdraw (rep, output in registers), delete. */
	CHECK_ST(fast_call(hv, &c, HVCALL_FINALIZE_PARTITION, one, 1), ST_OK);
	CHECK_EQ(t_info(hv, id).state, OHV_STATE_FINALIZED);
	/* 16 pages in its pool: 12, then 4 of 5 asked, then none. */
	uint64_t wd[2] = { id, 0 };

	CHECK_ST(fast_call(hv, &c, CTL(HVCALL_WITHDRAW_MEMORY, 12, 0), wd, 2),
		 ST_OK);
	CHECK_EQ(ohv_result_reps(c.result), 12);
	for (size_t i = 2; i < 14; i++)
		CHECK(c.fast[i] >= POOL_PG && c.fast[i] < next);
	CHECK(regs_kept(&c, wd, 2, 0, 2));
	CHECK(regs_kept(&c, wd, 2, 14, 16));	/* not x64 registers */
	CHECK_ST(fast_call(hv, &c, CTL(HVCALL_WITHDRAW_MEMORY, 5, 0), wd, 2),
		 HV_STATUS_NO_RESOURCES);
	CHECK_EQ(ohv_result_reps(c.result), 4);
	for (size_t i = 2; i < 6; i++)
		CHECK(c.fast[i] >= POOL_PG && c.fast[i] < next);
	CHECK(regs_kept(&c, wd, 2, 0, 2));
	CHECK(regs_kept(&c, wd, 2, 6, 16));
	CHECK_ST(fast_call(hv, &c, CTL(HVCALL_WITHDRAW_MEMORY, 5, 0), wd, 2),
		 HV_STATUS_NO_RESOURCES);
	CHECK_EQ(ohv_result_reps(c.result), 0);
	CHECK(regs_kept(&c, wd, 2, 0, 16));
	CHECK_ST(fast_call(hv, &c, HVCALL_DELETE_PARTITION, one, 1), ST_OK);
	CHECK(ohv_partition_info(hv, id, &pi) != 0);
	t_close(hv);
}

/* Fast input (header + every element) rounded to 16, plus output, must
 * fit: 112 bytes on x64, 128 on arm64 (SPEC 3.2 step 4). */
TEST(hvcall_fast_fit)
{
	static const struct {
		enum ohv_arch arch;
		const char *what;
		uint16_t code;
		uint32_t count;
		hv_status_t want;
	} cases[] = {
		{ OHV_ARCH_X64, "x64 deposit x13: 8 + 104 = 112",
		  HVCALL_DEPOSIT_MEMORY, 13, ST_OK },
		{ OHV_ARCH_X64, "x64 deposit x14: 120 > 112",
		  HVCALL_DEPOSIT_MEMORY, 14, HV_STATUS_INVALID_HYPERCALL_INPUT },
		{ OHV_ARCH_X64, "x64 withdraw x12: 16 + 96 = 112",
		  HVCALL_WITHDRAW_MEMORY, 12, ST_OK },
		{ OHV_ARCH_X64, "x64 withdraw x13: 16 + 104 > 112",
		  HVCALL_WITHDRAW_MEMORY, 13, HV_STATUS_INVALID_HYPERCALL_INPUT },
		{ OHV_ARCH_X64, "x64 withdraw x14", HVCALL_WITHDRAW_MEMORY, 14,
		  HV_STATUS_INVALID_HYPERCALL_INPUT },
		{ OHV_ARCH_X64, "x64 withdraw x4095", HVCALL_WITHDRAW_MEMORY,
		  4095, HV_STATUS_INVALID_HYPERCALL_INPUT },
		{ OHV_ARCH_X64, "x64 create: 64 + 8", HVCALL_CREATE_PARTITION,
		  0, ST_OK },
		{ OHV_ARCH_X64, "x64 balance: 16 + 16",
		  HVCALL_GET_MEMORY_BALANCE, 0, ST_OK },
		{ OHV_ARCH_X64, "x64 get id: 0 + 8", HVCALL_GET_PARTITION_ID, 0,
		  ST_OK },
		{ OHV_ARCH_ARM64, "arm64 deposit x15: 8 + 120 = 128",
		  HVCALL_DEPOSIT_MEMORY, 15, ST_OK },
		{ OHV_ARCH_ARM64, "arm64 deposit x16: 136 > 128",
		  HVCALL_DEPOSIT_MEMORY, 16, HV_STATUS_INVALID_HYPERCALL_INPUT },
		{ OHV_ARCH_ARM64, "arm64 withdraw x14: 16 + 112 = 128",
		  HVCALL_WITHDRAW_MEMORY, 14, ST_OK },
		{ OHV_ARCH_ARM64, "arm64 withdraw x15: 136 > 128",
		  HVCALL_WITHDRAW_MEMORY, 15, HV_STATUS_INVALID_HYPERCALL_INPUT },
		{ OHV_ARCH_ARM64, "arm64 create: 48 + 8",
		  HVCALL_CREATE_PARTITION, 0, ST_OK },
	};

	for (int arch = OHV_ARCH_X64; arch <= OHV_ARCH_ARM64; arch++) {
		struct ohv *hv = open_arch((enum ohv_arch)arch,
					   OHV_ROOT_PRIVILEGES);
		uint64_t next = POOL_PG;
		uint64_t fresh = 200;	/* pages for the fast deposits */

		stock_root(hv, &next, 40);
		for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
			if (cases[i].arch != (enum ohv_arch)arch)
				continue;
			const bool rep = cases[i].code == HVCALL_DEPOSIT_MEMORY ||
					 cases[i].code == HVCALL_WITHDRAW_MEMORY;
			struct row r = {
				.what = cases[i].what,
				.control = CTL(cases[i].code, cases[i].count, 0) |
					   FAST,
				.want = cases[i].want,
			};
			size_t words = 0;

			r.in[0] = SELF;
			if (cases[i].code == HVCALL_DEPOSIT_MEMORY) {
				for (words = 1; words <= cases[i].count &&
				     words < ARRAY_LEN(r.in); words++)
					r.in[words] = fresh + words - 1;
			} else if (cases[i].code == HVCALL_CREATE_PARTITION) {
				r.in[0] = 0;
				words = arch == OHV_ARCH_X64 ? 7 : 6;
			} else if (cases[i].code != HVCALL_GET_PARTITION_ID) {
				words = 2;
			}
			r.in_len = (uint32_t)(words * 8);
			run_row(hv, &r);
			if (rep && cases[i].code == HVCALL_DEPOSIT_MEMORY &&
			    cases[i].want == ST_OK)
				CHECK_MSG(!root_has(hv, fresh) &&
					  !root_has(hv, fresh + cases[i].count - 1),
					  "%s: pages not deposited", r.what);
			fresh += 32;
		}
		t_close(hv);
	}
}

/* ---------------------------------------------------------------------- */
/* arm64: the 48-byte HvCreatePartition and 128-byte fast block.           */

TEST(hvcall_arm64_create_layout)
{
	const hv_status_t param = HV_STATUS_INVALID_PARAMETER;
	const hv_status_t align = HV_STATUS_INVALID_ALIGNMENT;
	/*
	 * The same bytes mean different things: offset 40 is arm64's
	 * IsolationProperties (must be 0) but x64's DisabledXsaveFeatures;
	 * offset 48 is x64's IsolationProperties and past arm64's block.
	 */
	const struct row arm[] = {
		{ "arm64: IsolationProperties (40) = 1", HVCALL_CREATE_PARTITION,
		  IN_GPA, OUT_GPA, { 0, 0, 0, 0, 0, 1 }, 48, param },
		{ "arm64: isolation type SNP at 40", HVCALL_CREATE_PARTITION,
		  IN_GPA, OUT_GPA,
		  { 0, 0, 0, 0, 0, HV_PARTITION_ISOLATION_TYPE_SNP }, 48, param },
		{ "arm64: bytes 48-55 are past the block",
		  HVCALL_CREATE_PARTITION, IN_GPA, OUT_GPA,
		  { 0, 0, 0, 0, 0, 0, ~0ull }, 56, ST_OK },
		{ "arm64: 48 bytes end at the page end",
		  HVCALL_CREATE_PARTITION, PG(IN_PG + 1) - 48, OUT_GPA, { 0 }, 48,
		  ST_OK },
		{ "arm64: 48 bytes cross by 8", HVCALL_CREATE_PARTITION,
		  PG(IN_PG + 1) - 40, OUT_GPA, { 0 }, 48, align },
		{ "arm64 fast: IsolationProperties in X7",
		  HVCALL_CREATE_PARTITION | FAST, 0, 0, { 0, 0, 0, 0, 0, 1 }, 48,
		  param },
		{ "arm64 fast withdraw x14 fits", CTL(HVCALL_WITHDRAW_MEMORY, 14, 0) |
		  FAST, 0, 0, { SELF, 0 }, 16, ST_OK },
	};
	const struct row x64[] = {
		{ "x64: DisabledXsaveFeatures (40) = 1", HVCALL_CREATE_PARTITION,
		  IN_GPA, OUT_GPA, { 0, 0, 0, 0, 0, 1 }, 56, ST_OK },
		{ "x64: IsolationProperties (48) = 1", HVCALL_CREATE_PARTITION,
		  IN_GPA, OUT_GPA, { 0, 0, 0, 0, 0, 0, 1 }, 56, param },
		{ "x64: 56 bytes where arm64's 48 end at the page end",
		  HVCALL_CREATE_PARTITION, PG(IN_PG + 1) - 48, OUT_GPA, { 0 }, 48,
		  align },
		{ "x64: 56 bytes end at the page end", HVCALL_CREATE_PARTITION,
		  PG(IN_PG + 1) - 56, OUT_GPA, { 0 }, 56, ST_OK },
		{ "x64 fast withdraw x14 does not fit",
		  CTL(HVCALL_WITHDRAW_MEMORY, 14, 0) | FAST, 0, 0, { SELF, 0 }, 16,
		  HV_STATUS_INVALID_HYPERCALL_INPUT },
	};
	struct ohv *hv = open_arch(OHV_ARCH_ARM64, OHV_ROOT_PRIVILEGES);
	uint64_t next = POOL_PG;
	struct ohv_hvcall c;

	stock_root(hv, &next, 32);
	run_rows(hv, arm, ARRAY_LEN(arm));

	/* Fast create: X2-X7 in, output right after in fast[6] (X8). */
	const uint64_t cr[6] = { HV_PARTITION_CREATION_FLAG_EXO_PARTITION };

	CHECK_ST(fast_call(hv, &c, HVCALL_CREATE_PARTITION, cr, 6), ST_OK);
	CHECK_EQ(t_info(hv, c.fast[6]).parent_id, T_ROOT);
	CHECK_EQ(t_info(hv, c.fast[6]).creation_flags, cr[0]);
	CHECK(regs_kept(&c, cr, 6, 0, 6));
	CHECK(regs_kept(&c, cr, 6, 7, 16));

	/* No input: the output is X2, fast[0]. */
	CHECK_ST(fast_call(hv, &c, HVCALL_GET_PARTITION_ID, NULL, 0), ST_OK);
	CHECK_EQ(c.fast[0], T_ROOT);
	CHECK(regs_kept(&c, NULL, 0, 1, 16));

	/* Fast withdraw x14: output fills fast[2..15] (X4-X17). */
	const uint64_t wd[2] = { SELF, 0 };

	CHECK_ST(fast_call(hv, &c, CTL(HVCALL_WITHDRAW_MEMORY, 14, 0), wd, 2),
		 ST_OK);
	CHECK_EQ(ohv_result_reps(c.result), 14);
	for (size_t i = 2; i < 16; i++)
		CHECK(c.fast[i] >= POOL_PG && c.fast[i] < next);
	CHECK(regs_kept(&c, wd, 2, 0, 2));
	t_close(hv);

	hv = open_arch(OHV_ARCH_X64, OHV_ROOT_PRIVILEGES);
	next = POOL_PG;
	stock_root(hv, &next, 32);
	run_rows(hv, x64, ARRAY_LEN(x64));
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Rep calls: rep start, partial progress, partial output (SPEC 3.1, 3.2). */

/* got[0..n) is first..first+n-1 in some order. */
static bool is_range(const uint64_t *got, size_t n, uint64_t first)
{
	uint64_t seen = 0;

	if (n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (got[i] < first || got[i] >= first + n ||
		    (seen & BIT(got[i] - first)))
			return false;
		seen |= BIT(got[i] - first);
	}
	return true;
}

static void out_words(struct ohv *hv, uint64_t *w, size_t from, size_t n)
{
	for (size_t i = 0; i < n; i++)
		w[i] = out_word(hv, from + i);
}

TEST(hvcall_rep_start)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_hvcall c;
	uint64_t list[10], got[10];
	uint64_t avail0 = pool_avail(hv, T_ROOT);

	/* Elements before the rep start are not looked at: 0 and 2 would
	 * fail, 1 would go in. */
	for (int i = 0; i < 10; i++)
		list[i] = 100 + (uint64_t)i;
	list[0] = ~0ull;
	list[2] = 101;
	prep_blocks(hv);
	put_deposit(hv, SELF, list, 10);
	issue(hv, &c, CTL(HVCALL_DEPOSIT_MEMORY, 10, 3));
	/* Reps completed is absolute: 10, not 7 (facts §1.2). */
	CHECK_EQ(c.result, 10ull << 32);
	check_regs(&c, CTL(HVCALL_DEPOSIT_MEMORY, 10, 3), "deposit from 3");
	CHECK(root_has(hv, 101));
	for (uint64_t p = 103; p < 110; p++)
		CHECK(!root_has(hv, p));
	CHECK_EQ(pool_avail(hv, T_ROOT), avail0 + 7);

	/* Withdraw from 3: output elements 3-9 only. */
	prep_blocks(hv);
	put_withdraw(hv, SELF);
	issue(hv, &c, CTL(HVCALL_WITHDRAW_MEMORY, 10, 3));
	CHECK_EQ(c.result, 10ull << 32);
	check_regs(&c, CTL(HVCALL_WITHDRAW_MEMORY, 10, 3), "withdraw from 3");
	CHECK(out_untouched(hv, 0, 3 * 8));
	out_words(hv, got, 3, 7);
	CHECK(is_range(got, 7, 103));
	CHECK(out_untouched(hv, 10 * 8, 2 * HV_PAGE_SIZE));
	for (uint64_t p = 103; p < 110; p++)
		CHECK(root_has(hv, p));
	CHECK_EQ(pool_avail(hv, T_ROOT), avail0);

	/* Fast, from 2 of 6: output pairs start at fast[2], so elements
	 * 2-5 land in fast[4..7]. */
	REQUIRE_ST(t_deposit(hv, SELF, 110, 4, NULL), ST_OK);
	const uint64_t wd[2] = { SELF, 0 };

	CHECK_ST(fast_call(hv, &c, CTL(HVCALL_WITHDRAW_MEMORY, 6, 2), wd, 2),
		 ST_OK);
	CHECK_EQ(ohv_result_reps(c.result), 6);
	CHECK(regs_kept(&c, wd, 2, 0, 4));
	CHECK(is_range(&c.fast[4], 4, 110));
	CHECK(regs_kept(&c, wd, 2, 8, 16));
	t_close(hv);
}

TEST(hvcall_rep_partial_failure)
{
	const uint64_t already = 150;	/* deposited before the lists */
	static const struct {
		const char *what;
		uint64_t bad;		/* 0: duplicate of element 1 */
	} cases[] = {
		{ "page past memory", MEM_PAGES },
		{ "page 2^40", BIT(40) },
		{ "page all ones", ~0ull },
		{ "page already deposited", 150 },
		{ "duplicate within the list", 0 },
	};
	struct ohv *hv = t_open(NULL);
	struct ohv_hvcall c;

	REQUIRE_ST(t_deposit(hv, SELF, already, 1, NULL), ST_OK);
	for (size_t k = 0; k < ARRAY_LEN(cases); k++) {
		const uint64_t base = 200 + 10 * k;
		const uint64_t control = CTL(HVCALL_DEPOSIT_MEMORY, 6, 0);
		uint64_t list[6];
		uint64_t avail = pool_avail(hv, T_ROOT);

		for (int i = 0; i < 6; i++)
			list[i] = base + (uint64_t)i;
		list[3] = cases[k].bad ? cases[k].bad : list[1];
		prep_blocks(hv);
		put_deposit(hv, SELF, list, 6);
		issue(hv, &c, control);
		/* OPERATION_DENIED with reps completed = the bad index. */
		CHECK_MSG(c.result == ((3ull << 32) | HV_STATUS_OPERATION_DENIED),
			  "%s: result 0x%" PRIx64, cases[k].what, c.result);
		check_regs(&c, control, cases[k].what);
		for (int i = 0; i < 3; i++)
			CHECK_MSG(!root_has(hv, base + (uint64_t)i),
				  "%s: element %d not deposited", cases[k].what, i);
		if (cases[k].bad)
			CHECK_MSG(root_has(hv, base + 3),
				  "%s: page %" PRIu64 " lost", cases[k].what,
				  base + 3);
		CHECK_MSG(root_has(hv, base + 4) && root_has(hv, base + 5),
			  "%s: elements after the bad one deposited",
			  cases[k].what);
		CHECK_EQ(pool_avail(hv, T_ROOT), avail + 3);
	}

	/* From rep start 1, bad element 4: reps 4, elements 1-3 went. */
	uint64_t list[6] = { 300, 301, 302, 303, MEM_PAGES, 305 };

	prep_blocks(hv);
	put_deposit(hv, SELF, list, 6);
	issue(hv, &c, CTL(HVCALL_DEPOSIT_MEMORY, 6, 1));
	CHECK_EQ(c.result, (4ull << 32) | HV_STATUS_OPERATION_DENIED);
	CHECK(root_has(hv, 300));
	CHECK(!root_has(hv, 301) && !root_has(hv, 302) && !root_has(hv, 303));
	CHECK(root_has(hv, 305));

	/* Fast: same result, and no register changes. */
	const uint64_t fin[7] = { SELF, 320, 321, 322, MEM_PAGES, 324, 325 };

	CHECK_EQ(fast_call(hv, &c, CTL(HVCALL_DEPOSIT_MEMORY, 6, 0), fin, 7),
		 (3ull << 32) | HV_STATUS_OPERATION_DENIED);
	CHECK(regs_kept(&c, fin, 7, 0, 16));
	CHECK(!root_has(hv, 322) && root_has(hv, 324));

	/* Into a child: its pool gets exactly the good prefix. */
	uint64_t child;
	uint64_t clist[3] = { 330, already, 331 };

	REQUIRE_ST(t_create(hv, &child), ST_OK);
	prep_blocks(hv);
	put_deposit(hv, child, clist, 3);
	issue(hv, &c, CTL(HVCALL_DEPOSIT_MEMORY, 3, 0));
	CHECK_EQ(c.result, (1ull << 32) | HV_STATUS_OPERATION_DENIED);
	CHECK_EQ(pool_avail(hv, child), 1);
	CHECK(root_has(hv, 331));
	t_close(hv);
}

TEST(hvcall_rep_partial_output)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_hvcall c;
	uint64_t got[8];

	/* 5 pages, 9 asked: NO_RESOURCES with exactly 5 written. */
	REQUIRE_ST(t_deposit(hv, SELF, 100, 5, NULL), ST_OK);
	prep_blocks(hv);
	put_withdraw(hv, SELF);
	issue(hv, &c, CTL(HVCALL_WITHDRAW_MEMORY, 9, 0));
	CHECK_EQ(c.result, (5ull << 32) | HV_STATUS_NO_RESOURCES);
	check_regs(&c, CTL(HVCALL_WITHDRAW_MEMORY, 9, 0), "withdraw 9 of 5");
	out_words(hv, got, 0, 5);
	CHECK(is_range(got, 5, 100));
	CHECK(out_untouched(hv, 5 * 8, 2 * HV_PAGE_SIZE));
	for (uint64_t p = 100; p < 105; p++)
		CHECK(root_has(hv, p));

	/* From rep start 2 with 3 pages: elements 2-4 written, reps 5. */
	REQUIRE_ST(t_deposit(hv, SELF, 110, 3, NULL), ST_OK);
	prep_blocks(hv);
	put_withdraw(hv, SELF);
	issue(hv, &c, CTL(HVCALL_WITHDRAW_MEMORY, 8, 2));
	CHECK_EQ(c.result, (5ull << 32) | HV_STATUS_NO_RESOURCES);
	CHECK(out_untouched(hv, 0, 2 * 8));
	out_words(hv, got, 2, 3);
	CHECK(is_range(got, 3, 110));
	CHECK(out_untouched(hv, 5 * 8, 2 * HV_PAGE_SIZE));

	/* Empty pool: nothing at all. */
	prep_blocks(hv);
	put_withdraw(hv, SELF);
	issue(hv, &c, CTL(HVCALL_WITHDRAW_MEMORY, 1, 0));
	CHECK_EQ(c.result, HV_STATUS_NO_RESOURCES);
	CHECK(out_untouched(hv, 0, 2 * HV_PAGE_SIZE));

	/* A child's pool the same way. */
	uint64_t child;

	REQUIRE_ST(t_deposit(hv, SELF, 120, 1, NULL), ST_OK);
	REQUIRE_ST(t_create(hv, &child), ST_OK);
	REQUIRE_ST(t_deposit(hv, child, 130, 2, NULL), ST_OK);
	prep_blocks(hv);
	put_withdraw(hv, child);
	issue(hv, &c, CTL(HVCALL_WITHDRAW_MEMORY, 4, 0));
	CHECK_EQ(c.result, (2ull << 32) | HV_STATUS_NO_RESOURCES);
	out_words(hv, got, 0, 2);
	CHECK(is_range(got, 2, 130));
	CHECK(out_untouched(hv, 2 * 8, 2 * HV_PAGE_SIZE));
	CHECK_EQ(pool_avail(hv, child), 0);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* The time budget (SPEC 3.2): SUCCESS short of the count, rep start       */
/* advanced in control, and the same call re-issued until done.           */

/*
 * Issue c until it completes or fails.  Every SUCCESS round must do 1 to
 * most elements, and one short of the count must advance control's rep
 * start to its reps completed.  Returns the rounds taken.
 */
static unsigned reissue(struct ohv *hv, struct ohv_hvcall *c, uint32_t most,
			const char *what)
{
	const uint32_t count = rep_count_of(c->control);
	unsigned rounds = 0;

	for (;;) {
		const uint64_t control = c->control;
		const uint32_t start = rep_start_of(control);

		t_call(hv, T_ROOT, 0, c);
		rounds++;
		check_regs(c, control, what);

		uint32_t reps = ohv_result_reps(c->result);

		if (ohv_result_status(c->result) != ST_OK)
			return rounds;
		if (!CHECK_MSG(reps > start && reps - start <= most,
			       "%s: round %u went from %u to %u (at most %u)",
			       what, rounds, start, reps, most))
			return rounds;
		if (reps >= count)
			return rounds;
		CHECK_MSG(rep_start_of(c->control) == reps,
			  "%s: rep start %u after %u reps", what,
			  rep_start_of(c->control), reps);
		if (rounds > 4096) {
			CHECK_MSG(false, "%s: never finishes", what);
			return rounds;
		}
	}
}

static void rep_limit_run(uint32_t limit)
{
	struct ohv_config cfg;
	struct ohv *hv;
	struct ohv_hvcall c;
	uint64_t list[10], got[12];
	char what[64];
	unsigned rounds;

	t_config(&cfg);
	cfg.rep_limit = limit;
	hv = t_open(&cfg);

	/* Deposit 10. */
	snprintf(what, sizeof(what), "deposit x10, rep_limit %u", limit);
	for (int i = 0; i < 10; i++)
		list[i] = 100 + (uint64_t)i;
	prep_blocks(hv);
	put_deposit(hv, SELF, list, 10);
	memset(&c, 0, sizeof(c));
	c.control = CTL(HVCALL_DEPOSIT_MEMORY, 10, 0);
	c.fast[0] = IN_GPA;
	c.fast[1] = OUT_GPA;
	rounds = reissue(hv, &c, limit, what);
	CHECK_ST(c.result, ST_OK);
	CHECK_EQ(ohv_result_reps(c.result), 10);
	CHECK_EQ(rounds, (10 + limit - 1) / limit);
	CHECK_EQ(pool_avail(hv, T_ROOT), 10);

	/* Withdraw 10: the output page collects every round's elements. */
	snprintf(what, sizeof(what), "withdraw x10, rep_limit %u", limit);
	prep_blocks(hv);
	put_withdraw(hv, SELF);
	memset(&c, 0, sizeof(c));
	c.control = CTL(HVCALL_WITHDRAW_MEMORY, 10, 0);
	c.fast[0] = IN_GPA;
	c.fast[1] = OUT_GPA;
	rounds = reissue(hv, &c, limit, what);
	CHECK_EQ(c.result, 10ull << 32);
	CHECK_EQ(rounds, (10 + limit - 1) / limit);
	out_words(hv, got, 0, 10);
	CHECK(is_range(got, 10, 100));
	CHECK(out_untouched(hv, 10 * 8, 2 * HV_PAGE_SIZE));

	/* Fast withdraw 12: the registers collect them. */
	snprintf(what, sizeof(what), "fast withdraw x12, rep_limit %u", limit);
	REQUIRE_ST(t_deposit(hv, SELF, 120, 12, NULL), ST_OK);
	fill_regs(&c);
	c.control = CTL(HVCALL_WITHDRAW_MEMORY, 12, 0) | FAST;
	c.fast[0] = SELF;
	c.fast[1] = 0;
	rounds = reissue(hv, &c, limit, what);
	CHECK_EQ(c.result, 12ull << 32);
	CHECK_EQ(rounds, (12 + limit - 1) / limit);
	CHECK(is_range(&c.fast[2], 12, 120));
	CHECK_EQ(c.fast[14], REG_FILL(14));
	CHECK_EQ(c.fast[15], REG_FILL(15));

	/* A bad element after some rounds: reps stay absolute and the
	 * failing round leaves control at its own rep start. */
	snprintf(what, sizeof(what), "deposit, bad 8th, rep_limit %u", limit);
	for (int i = 0; i < 10; i++)
		list[i] = 140 + (uint64_t)i;
	list[7] = MEM_PAGES;
	prep_blocks(hv);
	put_deposit(hv, SELF, list, 10);
	memset(&c, 0, sizeof(c));
	c.control = CTL(HVCALL_DEPOSIT_MEMORY, 10, 0);
	c.fast[0] = IN_GPA;
	c.fast[1] = OUT_GPA;
	reissue(hv, &c, limit, what);
	CHECK_EQ(c.result, (7ull << 32) | HV_STATUS_OPERATION_DENIED);
	CHECK_EQ(rep_start_of(c.control), 7 / limit * limit);
	CHECK(!root_has(hv, 146) && root_has(hv, 148));

	/* Simple calls always finish. */
	uint64_t id;

	CHECK_ST(t_create(hv, &id), ST_OK);
	t_close(hv);
}

TEST(hvcall_rep_limit)
{
	rep_limit_run(1);
	rep_limit_run(3);
}

TEST(hvcall_rep_budget)
{
	struct ohv_config cfg;
	struct ohv *hv;
	struct ohv_hvcall c;
	uint64_t list[100], got[100];
	unsigned rounds;

	/* 1 ns: every call runs out after the first clock check, which
	 * comes every 8 elements, so each round does 1 to 8. */
	t_config(&cfg);
	cfg.rep_budget_ns = 1;
	hv = t_open(&cfg);
	for (int i = 0; i < 100; i++)
		list[i] = 100 + (uint64_t)i;
	prep_blocks(hv);
	put_deposit(hv, SELF, list, 100);
	memset(&c, 0, sizeof(c));
	c.control = CTL(HVCALL_DEPOSIT_MEMORY, 100, 0);
	c.fast[0] = IN_GPA;
	c.fast[1] = OUT_GPA;
	rounds = reissue(hv, &c, 8, "deposit x100, budget 1 ns");
	CHECK_EQ(c.result, 100ull << 32);
	CHECK(rounds >= 13);
	CHECK_EQ(pool_avail(hv, T_ROOT), 100);

	prep_blocks(hv);
	put_withdraw(hv, SELF);
	memset(&c, 0, sizeof(c));
	c.control = CTL(HVCALL_WITHDRAW_MEMORY, 100, 0);
	c.fast[0] = IN_GPA;
	c.fast[1] = OUT_GPA;
	rounds = reissue(hv, &c, 8, "withdraw x100, budget 1 ns");
	CHECK_EQ(c.result, 100ull << 32);
	CHECK(rounds >= 13);
	out_words(hv, got, 0, 64);
	for (int i = 0; i < 64; i++)
		CHECK(got[i] >= 100 && got[i] < 200);
	out_words(hv, got, 64, 36);
	for (int i = 0; i < 36; i++)
		CHECK(got[i] >= 100 && got[i] < 200);
	CHECK(out_untouched(hv, 100 * 8, 2 * HV_PAGE_SIZE));
	for (uint64_t p = 100; p < 200; p++)
		CHECK(root_has(hv, p));
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* The result value (SPEC 3.1).                                            */

TEST(hvcall_result_word)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_hvcall c;
	uint64_t r, id = 999;

	/* ohv_hypercall's return value is call->result. */
	prep_blocks(hv);
	memset(&c, 0, sizeof(c));
	c.control = HVCALL_GET_PARTITION_ID;
	c.fast[1] = OUT_GPA;
	c.result = ~0ull;
	r = ohv_hypercall(hv, T_ROOT, 0, &c);
	CHECK_EQ(r, c.result);
	CHECK_EQ(r, 0);			/* SUCCESS, no reps, nothing else */
	CHECK_EQ(c.control, HVCALL_GET_PARTITION_ID);

	/* A failing simple call: the status alone. */
	prep_blocks(hv);
	place(hv, IN_GPA, &id, 8);
	CHECK_EQ(issue(hv, &c, HVCALL_INITIALIZE_PARTITION),
		 HV_STATUS_INVALID_PARTITION_ID);

	/* A complete rep call: reps in 43:32, nothing else. */
	const uint64_t five[5] = { 100, 101, 102, 103, 104 };

	prep_blocks(hv);
	put_deposit(hv, SELF, five, 5);
	CHECK_EQ(issue(hv, &c, CTL(HVCALL_DEPOSIT_MEMORY, 5, 0)), 5ull << 32);
	CHECK_EQ(c.control, CTL(HVCALL_DEPOSIT_MEMORY, 5, 0));

	/* A failing rep call: status and reps. */
	const uint64_t bad[4] = { 105, 106, MEM_PAGES, 107 };

	prep_blocks(hv);
	put_deposit(hv, SELF, bad, 4);
	CHECK_EQ(issue(hv, &c, CTL(HVCALL_DEPOSIT_MEMORY, 4, 0)),
		 (2ull << 32) | HV_STATUS_OPERATION_DENIED);
	CHECK_EQ(c.control, CTL(HVCALL_DEPOSIT_MEMORY, 4, 0));

	/* From rep start 2 (elements 0 and 1 are not read). */
	const uint64_t tail[4] = { ~0ull, ~0ull, 108, 109 };

	prep_blocks(hv);
	put_deposit(hv, SELF, tail, 4);
	CHECK_EQ(issue(hv, &c, CTL(HVCALL_DEPOSIT_MEMORY, 4, 2)), 4ull << 32);
	CHECK_EQ(c.control, CTL(HVCALL_DEPOSIT_MEMORY, 4, 2));

	/*
	 * A failure after the control word checks, with rep start 4094: the
	 * 4095-element output list cannot fit a page (step 5).  Whatever
	 * reps it reports (0, or the 4094 done before), reserved bits stay 0.
	 */
	prep_blocks(hv);
	put_withdraw(hv, SELF);
	CHECK_ST(issue(hv, &c, CTL(HVCALL_WITHDRAW_MEMORY, 4095, 4094)),
		 HV_STATUS_INVALID_ALIGNMENT);
	CHECK(!(c.result & RESULT_RSVD));
	CHECK(ohv_result_reps(c.result) == 0 ||
	      ohv_result_reps(c.result) == 4094);
	CHECK(out_untouched(hv, 0, 2 * HV_PAGE_SIZE));

	/* openhv.h: a NULL instance or call gets INVALID_PARAMETER. */
	CHECK_EQ(ohv_hypercall(NULL, T_ROOT, 0, &c), HV_STATUS_INVALID_PARAMETER);
	CHECK_EQ(ohv_hypercall(hv, T_ROOT, 0, NULL), HV_STATUS_INVALID_PARAMETER);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Robustness: fixed-seed random control words and registers.              */

static const hv_status_t known_statuses[] = {
	HV_STATUS_SUCCESS, HV_STATUS_INVALID_HYPERCALL_CODE,
	HV_STATUS_INVALID_HYPERCALL_INPUT, HV_STATUS_INVALID_ALIGNMENT,
	HV_STATUS_INVALID_PARAMETER, HV_STATUS_ACCESS_DENIED,
	HV_STATUS_INVALID_PARTITION_STATE, HV_STATUS_OPERATION_DENIED,
	HV_STATUS_UNKNOWN_PROPERTY, HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE,
	HV_STATUS_INSUFFICIENT_MEMORY, HV_STATUS_PARTITION_TOO_DEEP,
	HV_STATUS_INVALID_PARTITION_ID, HV_STATUS_INVALID_VP_INDEX,
	HV_STATUS_NOT_FOUND, HV_STATUS_INVALID_PORT_ID,
	HV_STATUS_INVALID_CONNECTION_ID, HV_STATUS_INSUFFICIENT_BUFFERS,
	HV_STATUS_NOT_ACKNOWLEDGED, HV_STATUS_INVALID_VP_STATE,
	HV_STATUS_ACKNOWLEDGED, HV_STATUS_INVALID_SAVE_RESTORE_STATE,
	HV_STATUS_INVALID_SYNIC_STATE, HV_STATUS_OBJECT_IN_USE,
	HV_STATUS_INVALID_PROXIMITY_DOMAIN_INFO, HV_STATUS_NO_DATA,
	HV_STATUS_INACTIVE, HV_STATUS_NO_RESOURCES,
	HV_STATUS_FEATURE_UNAVAILABLE, HV_STATUS_PARTIAL_PACKET,
	HV_STATUS_OPERATION_FAILED, HV_STATUS_TIME_OUT,
	HV_STATUS_CALL_PENDING,
};

static bool status_known(hv_status_t st)
{
	for (size_t i = 0; i < ARRAY_LEN(known_statuses); i++)
		if (known_statuses[i] == st)
			return true;
	return false;
}

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A register or input word: mostly values the calls care about. */
static uint64_t rword(uint64_t *s)
{
	switch (xs(s) % 10) {
	case 0:
		return 0;
	case 1:
		return SELF;
	case 2:
	case 3:
		return 1 + xs(s) % 12;			/* partition ids */
	case 4:
	case 5:
	case 6:
		return POOL_PG + xs(s) % 256;		/* page numbers */
	case 7:						/* proximity */
		return (xs(s) & 3) | ((xs(s) & 0x80000001ull) << 32);
	default:
		return xs(s);
	}
}

/* A parameter-block GPA near base, elsewhere, or anything. */
static uint64_t rgpa(uint64_t *s, uint64_t base)
{
	switch (xs(s) % 6) {
	case 0:
	case 1:
	case 2:
		return base + (xs(s) % 512) * 8;
	case 3:
		return base + (xs(s) & 0x1FFF);
	case 4:
		return PG(xs(s) % (MEM_PAGES + 64)) + (xs(s) % 512) * 8;
	default:
		return xs(s);
	}
}

static void random_calls(enum ohv_arch arch, uint64_t seed, unsigned n)
{
	static const uint16_t impl[] = {
		0x0040, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046,
		0x0047, 0x0048, 0x0049, 0x004A, 0x004B, 0x004C, 0x004E,
		0x004F, 0x0050, 0x0051, 0x0057, 0x0058, 0x0059, 0x005A,
		0x005B, 0x005C, 0x005D, 0x0070, 0x0095, 0x0096,
	};
	static const uint16_t other[] = { 0x0000, 0x004D, 0x0052, 0xFFFF };
	const uint64_t rsvd = BITS(31, 27) | BITS(47, 44) | BITS(63, 60);
	struct ohv *hv = open_arch(arch, OHV_ROOT_PRIVILEGES);
	uint64_t next = POOL_PG, s = seed;
	unsigned failures = 0;

	stock_root(hv, &next, 32);
	for (unsigned i = 0; i < n && failures < 10; i++) {
		uint64_t control;
		uint32_t count, start;
		struct ohv_hvcall c;

		if (xs(&s) % 4)
			control = impl[xs(&s) % ARRAY_LEN(impl)];
		else if (xs(&s) % 2)
			control = xs(&s) & 0xFFFF;
		else
			control = other[xs(&s) % ARRAY_LEN(other)];
		if (xs(&s) % 2)
			control |= FAST;
		const uint16_t code = (uint16_t)control;
		const bool rep = code == HVCALL_DEPOSIT_MEMORY ||
				 code == HVCALL_WITHDRAW_MEMORY;

		if (xs(&s) % 4) {
			/* Well-formed rep fields, so the call itself runs. */
			count = rep ? 1 + (uint32_t)(xs(&s) % 16) : 0;
			start = rep && !(xs(&s) % 4) ?
				(uint32_t)(xs(&s) % count) : 0;
		} else {
			if (xs(&s) % 3 == 0)
				control |= VARHEAD(xs(&s) & 0x3FF);
			if (xs(&s) % 3 == 0)
				control |= xs(&s) & rsvd;
			switch (xs(&s) % 3) {
			case 0:
				count = 0;
				break;
			case 1:
				count = 1 + (uint32_t)(xs(&s) % 16);
				break;
			default:
				count = (uint32_t)(xs(&s) & 0xFFF);
				break;
			}
			if (xs(&s) % 2)
				start = (uint32_t)(xs(&s) % (count + 2));
			else
				start = (uint32_t)(xs(&s) & 0xFFF);
		}
		control |= CTL(0, count, start & 0xFFF);
		/* Sparse inputs (mostly zero) pass more of the calls' checks. */
		const bool sparse = xs(&s) % 2;

		for (size_t k = 0; k < ARRAY_LEN(c.fast); k++)
			c.fast[k] = sparse && xs(&s) % 4 ? 0 : rword(&s);
		if (!(control & FAST)) {
			uint64_t *w = ohv_gpa(hv, T_ROOT, IN_GPA, 2 * HV_PAGE_SIZE);

			/* Random calls may deposit these pages too. */
			if (w)
				for (size_t k = 0; k < 2 * HV_PAGE_SIZE / 8; k++)
					w[k] = sparse && xs(&s) % 4 ? 0 :
					       rword(&s);
			c.fast[0] = rgpa(&s, IN_GPA);
			c.fast[1] = rgpa(&s, OUT_GPA);
		}
		c.control = control;
		c.result = ~0ull;
		t_call(hv, T_ROOT, 0, &c);

		hv_status_t st = ohv_result_status(c.result);
		char what[96];

		snprintf(what, sizeof(what), "random call %u, control 0x%016" PRIx64,
			 i, control);
		if (!CHECK_MSG(status_known(st), "%s: status 0x%04x not in hv.h",
			       what, st))
			failures++;
		check_regs(&c, control, what);
	}
	t_close(hv);
}

TEST(hvcall_random_control_words)
{
	random_calls(OHV_ARCH_X64, 0x0123456789ABCDEFull, 3000);
	random_calls(OHV_ARCH_ARM64, 0xFEDCBA9876543210ull, 1000);
}
