/* SPDX-License-Identifier: MIT */
/*
 * HvGetPartitionProperty and HvSetPartitionProperty (spec.md §4.3).
 *
 * The checks run in the order the library implements: partition id,
 * access, property code, state, value.  Access (caller is the parent, or
 * the root on itself) has no failing case while only the root can call:
 * every partition is the root or its child.
 */
#include "t.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#define INIT_COST	16u
#define POISON		0xA5A5A5A5A5A5A5A5ull
#define COMPAT		HV_COMPATIBILITY_21_H2	/* children's, at create */

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define OK	HV_STATUS_SUCCESS
#define STATE	HV_STATUS_INVALID_PARTITION_STATE
#define RANGE	HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE

/* The targets every table runs over. */
enum { T_UNINIT, T_ACTIVE, T_FINAL, T_SELF, T_ONE, NTARGETS };
static const char *const target_name[NTARGETS] = {
	"Uninitialized child", "Active child", "Finalized child",
	"root by SELF", "root by id 1",
};

struct world {
	struct ohv *hv;
	uint64_t id[NTARGETS];
	uint64_t next;
};

static uint64_t child(struct world *w)
{
	struct hv_input_create_partition in = {
		.compatibility_version = COMPAT,
	};
	uint64_t id = 0;
	hv_status_t st;

	while ((st = t_create_in(w->hv, &in, &id)) ==
	       HV_STATUS_INSUFFICIENT_MEMORY) {
		REQUIRE_ST(t_deposit(w->hv, HV_PARTITION_ID_SELF, w->next, 1,
				     NULL), HV_STATUS_SUCCESS);
		w->next++;
	}
	REQUIRE_ST(st, HV_STATUS_SUCCESS);
	return id;
}

/* One child in each state, plus the root under both of its names. */
static void world_open(struct world *w, const struct ohv_config *cfg)
{
	w->hv = t_open(cfg);
	w->next = T_FIRST_FREE_PAGE;
	for (int k = T_UNINIT; k <= T_FINAL; k++) {
		w->id[k] = child(w);
		if (k == T_UNINIT)
			continue;
		REQUIRE_ST(t_deposit(w->hv, w->id[k], w->next, INIT_COST, NULL),
			   HV_STATUS_SUCCESS);
		w->next += INIT_COST;
		REQUIRE_ST(t_initialize(w->hv, w->id[k]), HV_STATUS_SUCCESS);
		if (k == T_FINAL)
			REQUIRE_ST(t_finalize(w->hv, w->id[k]),
				   HV_STATUS_SUCCESS);
	}
	w->id[T_SELF] = HV_PARTITION_ID_SELF;
	w->id[T_ONE] = T_ROOT;
}

/* Get, checking that a failure writes no output (spec.md §3.2). */
static hv_status_t get(struct ohv *hv, uint64_t id, uint32_t code,
		       uint64_t *value)
{
	struct hv_input_get_partition_property in = {
		.partition_id = id, .property_code = code,
	};
	uint64_t out = 0;
	hv_status_t st = ohv_result_status(t_mem(hv, T_ROOT,
						 HVCALL_GET_PARTITION_PROPERTY,
						 &in, sizeof(in), &out,
						 sizeof(out)));

	if (st == HV_STATUS_SUCCESS) {
		if (value)
			*value = out;
	} else {
		CHECK_EQ(out, POISON);
	}
	return st;
}

static uint32_t host_vendor(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int eax, ebx, ecx, edx;
	char v[13] = "";

	if (__get_cpuid(0, &eax, &ebx, &ecx, &edx)) {
		memcpy(v, &ebx, 4);
		memcpy(v + 4, &edx, 4);
		memcpy(v + 8, &ecx, 4);
	}
	if (!strcmp(v, "AuthenticAMD"))
		return HV_PROCESSOR_VENDOR_AMD;
	if (!strcmp(v, "HygonGenuine"))
		return HV_PROCESSOR_VENDOR_HYGON;
	if (!strcmp(v, "GenuineIntel"))
		return HV_PROCESSOR_VENDOR_INTEL;
#endif
	return UINT32_MAX;
}

/* ---------------------------------------------------------------------- */

/*
 * spec.md §4.3: every implemented property, get and set, in every state and on
 * the root under both names.  Early properties (PrivilegeFlags,
 * SyntheticProcFeatures) are read in Uninitialized and Active and set only
 * in Uninitialized; the rest need Active; read-only ones refuse any set.
 * The set values are in range, so only state and read-only decide.
 */
TEST(property_state_matrix)
{
	static const struct {
		const char *name;
		uint32_t code;
		uint64_t value;
		hv_status_t get[NTARGETS];
		hv_status_t set[NTARGETS];
	} rows[] = {
		{ "PrivilegeFlags", HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		  OHV_CHILD_PRIVILEGES | HV_PARTITION_PRIV_ACCESS_PARTITION_ID,
		  { OK, OK, STATE, OK, OK },
		  { OK, STATE, STATE, STATE, STATE } },
		{ "SyntheticProcFeatures",
		  HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES, 0x3,
		  { OK, OK, STATE, OK, OK },
		  { OK, STATE, STATE, STATE, STATE } },
		{ "CpuReserve", HV_PARTITION_PROPERTY_CPU_RESERVE, 0x4000,
		  { STATE, OK, STATE, OK, OK },
		  { STATE, OK, STATE, OK, OK } },
		{ "CpuCap", HV_PARTITION_PROPERTY_CPU_CAP, 0x8000,
		  { STATE, OK, STATE, OK, OK },
		  { STATE, OK, STATE, OK, OK } },
		{ "CpuWeight", HV_PARTITION_PROPERTY_CPU_WEIGHT, 250,
		  { STATE, OK, STATE, OK, OK },
		  { STATE, OK, STATE, OK, OK } },
		{ "TimeFreeze", HV_PARTITION_PROPERTY_TIME_FREEZE, 1,
		  { STATE, OK, STATE, OK, OK },
		  { STATE, OK, STATE, OK, OK } },
		/* Setting the value it already has is still refused. */
		{ "CompatibilityVersion",
		  HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION, COMPAT,
		  { STATE, OK, STATE, OK, OK },
		  { STATE, RANGE, STATE, RANGE, RANGE } },
		{ "ProcessorVendor", HV_PARTITION_PROPERTY_PROCESSOR_VENDOR, 0,
		  { STATE, OK, STATE, OK, OK },
		  { STATE, RANGE, STATE, RANGE, RANGE } },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct world w;

		world_open(&w, NULL);
		for (int k = 0; k < NTARGETS; k++) {
			uint64_t id = w.id[k], before = POISON, after = POISON;
			hv_status_t st = get(w.hv, id, rows[i].code, &before);

			CHECK_MSG(st == rows[i].get[k],
				  "get %s on %s: got %s, want %s",
				  rows[i].name, target_name[k],
				  ohv_status_name(st),
				  ohv_status_name(rows[i].get[k]));
			st = t_set_property(w.hv, id, rows[i].code,
					    rows[i].value);
			CHECK_MSG(st == rows[i].set[k],
				  "set %s on %s: got %s, want %s",
				  rows[i].name, target_name[k],
				  ohv_status_name(st),
				  ohv_status_name(rows[i].set[k]));
			if (rows[i].get[k] != OK)
				continue;
			/* Read back: the new value, or the old one kept. */
			REQUIRE_ST(get(w.hv, id, rows[i].code, &after), OK);
			CHECK_MSG(after == (st == OK ? rows[i].value : before),
				  "%s on %s: reads 0x%" PRIx64 " after set",
				  rows[i].name, target_name[k], after);
		}
		t_close(w.hv);
	}
}

/* Defaults: TLFS 2.0 (facts §4.8) and spec.md §4.3 privileges; read where each
 * property is readable.  -1: unspecified (the root's compatibility
 * version). */
TEST(property_defaults)
{
	const uint32_t vendor = host_vendor();
	const struct {
		const char *name;
		uint32_t code;
		bool early;
		int64_t child, root;
	} rows[] = {
		{ "PrivilegeFlags", HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, true,
		  0x5FF, (int64_t)OHV_ROOT_PRIVILEGES },
		{ "SyntheticProcFeatures",
		  HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES, true, 0, 0 },
		{ "CpuReserve", HV_PARTITION_PROPERTY_CPU_RESERVE, false, 0, 0 },
		{ "CpuCap", HV_PARTITION_PROPERTY_CPU_CAP, false, 0x10000,
		  0x10000 },
		{ "CpuWeight", HV_PARTITION_PROPERTY_CPU_WEIGHT, false, 100,
		  100 },
		{ "TimeFreeze", HV_PARTITION_PROPERTY_TIME_FREEZE, false, 0, 0 },
		{ "CompatibilityVersion",
		  HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION, false, COMPAT,
		  -1 },
		{ "ProcessorVendor", HV_PARTITION_PROPERTY_PROCESSOR_VENDOR,
		  false, vendor == UINT32_MAX ? -1 : (int64_t)vendor,
		  vendor == UINT32_MAX ? -1 : (int64_t)vendor },
	};
	struct world w;

	world_open(&w, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		for (int k = 0; k < NTARGETS; k++) {
			int64_t want = k >= T_SELF ? rows[i].root : rows[i].child;
			uint64_t v = POISON;

			/* Non-early properties are not readable before
			 * Active (property_state_matrix). */
			if (k == T_FINAL || want < 0 ||
			    (k == T_UNINIT && !rows[i].early))
				continue;
			hv_status_t st = get(w.hv, w.id[k], rows[i].code, &v);

			CHECK_MSG(st == OK && v == (uint64_t)want,
				  "%s on %s: %s 0x%" PRIx64 ", want 0x%" PRIx64,
				  rows[i].name, target_name[k],
				  ohv_status_name(st), v, (uint64_t)want);
		}
	}
	t_close(w.hv);
}

/*
 * spec.md §4.3 / TLFS 2.0 ranges: CpuReserve and CpuCap 0..0x10000, CpuWeight
 * 1..10000, TimeFreeze 0/1; outside -> PROPERTY_VALUE_OUT_OF_RANGE and the
 * old value stays.  Values above 32 bits catch a truncated comparison.
 * Run on an Active child and on the root itself.
 */
TEST(property_value_ranges)
{
	static const struct {
		uint32_t code;
		uint64_t value;
		hv_status_t st;
	} rows[] = {
		{ HV_PARTITION_PROPERTY_CPU_RESERVE, 0, OK },
		{ HV_PARTITION_PROPERTY_CPU_RESERVE, 1, OK },
		{ HV_PARTITION_PROPERTY_CPU_RESERVE, 0x10000, OK },
		{ HV_PARTITION_PROPERTY_CPU_RESERVE, 0x10001, RANGE },
		{ HV_PARTITION_PROPERTY_CPU_RESERVE, 0xFFFFFFFF, RANGE },
		{ HV_PARTITION_PROPERTY_CPU_RESERVE, 1ull << 32, RANGE },
		{ HV_PARTITION_PROPERTY_CPU_RESERVE, UINT64_MAX, RANGE },
		{ HV_PARTITION_PROPERTY_CPU_CAP, 0, OK },
		{ HV_PARTITION_PROPERTY_CPU_CAP, 0x10000, OK },
		{ HV_PARTITION_PROPERTY_CPU_CAP, 0x10001, RANGE },
		{ HV_PARTITION_PROPERTY_CPU_CAP, (1ull << 32) | 0x100, RANGE },
		{ HV_PARTITION_PROPERTY_CPU_CAP, UINT64_MAX, RANGE },
		{ HV_PARTITION_PROPERTY_CPU_WEIGHT, 0, RANGE },
		{ HV_PARTITION_PROPERTY_CPU_WEIGHT, 1, OK },
		{ HV_PARTITION_PROPERTY_CPU_WEIGHT, 100, OK },
		{ HV_PARTITION_PROPERTY_CPU_WEIGHT, 10000, OK },
		{ HV_PARTITION_PROPERTY_CPU_WEIGHT, 10001, RANGE },
		{ HV_PARTITION_PROPERTY_CPU_WEIGHT, (1ull << 32) | 100, RANGE },
		{ HV_PARTITION_PROPERTY_CPU_WEIGHT, UINT64_MAX, RANGE },
		{ HV_PARTITION_PROPERTY_TIME_FREEZE, 0, OK },
		{ HV_PARTITION_PROPERTY_TIME_FREEZE, 1, OK },
		{ HV_PARTITION_PROPERTY_TIME_FREEZE, 2, RANGE },
		{ HV_PARTITION_PROPERTY_TIME_FREEZE, (1ull << 32) | 1, RANGE },
		{ HV_PARTITION_PROPERTY_TIME_FREEZE, UINT64_MAX, RANGE },
	};
	static const int targets[] = { T_ACTIVE, T_SELF };
	struct world w;

	world_open(&w, NULL);
	for (size_t t = 0; t < ARRAY_SIZE(targets); t++) {
		uint64_t id = w.id[targets[t]];

		for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
			uint64_t before = 0, after = 0;

			REQUIRE_ST(get(w.hv, id, rows[i].code, &before), OK);
			hv_status_t st = t_set_property(w.hv, id, rows[i].code,
							rows[i].value);

			CHECK_MSG(st == rows[i].st,
				  "%s: set 0x%x = 0x%" PRIx64 ": got %s, want %s",
				  target_name[targets[t]], rows[i].code,
				  rows[i].value, ohv_status_name(st),
				  ohv_status_name(rows[i].st));
			REQUIRE_ST(get(w.hv, id, rows[i].code, &after), OK);
			CHECK_EQ(after, st == OK ? rows[i].value : before);
		}
	}
	t_close(w.hv);
}

/*
 * spec.md §4.3: a PrivilegeFlags mask with a bit the caller does not hold ->
 * PROPERTY_VALUE_OUT_OF_RANGE.  The root holds root_privileges; the second
 * half runs with a root lacking AccessPartitionReferenceTsc (bit 9) and
 * AccessStats (bit 40).  SyntheticProcFeatures has no range in spec.md.
 */
TEST(property_privilege_mask)
{
	const uint64_t reduced = OHV_ROOT_PRIVILEGES &
		~(HV_PARTITION_PRIV_ACCESS_PARTITION_REF_TSC |
		  HV_PARTITION_PRIV_ACCESS_STATS);
	const struct {
		uint64_t root;
		uint32_t code;
		uint64_t value;
		hv_status_t st;
	} rows[] = {
		{ OHV_ROOT_PRIVILEGES, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		  0, OK },
		{ OHV_ROOT_PRIVILEGES, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		  OHV_CHILD_PRIVILEGES, OK },
		{ OHV_ROOT_PRIVILEGES, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		  OHV_ROOT_PRIVILEGES, OK },
		{ OHV_ROOT_PRIVILEGES, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		  OHV_CHILD_PRIVILEGES | HV_PARTITION_PRIV_CREATE_PARTITIONS |
		  HV_PARTITION_PRIV_ACCESS_VP_REGISTERS, OK },
		{ OHV_ROOT_PRIVILEGES, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		  OHV_CHILD_PRIVILEGES | (1ull << 11), RANGE },
		{ OHV_ROOT_PRIVILEGES, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		  1ull << 63, RANGE },
		{ OHV_ROOT_PRIVILEGES, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		  UINT64_MAX, RANGE },
		{ reduced, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		  OHV_CHILD_PRIVILEGES | HV_PARTITION_PRIV_ACCESS_PARTITION_REF_TSC,
		  RANGE },
		{ reduced, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		  HV_PARTITION_PRIV_ACCESS_STATS, RANGE },
		{ reduced, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		  OHV_ROOT_PRIVILEGES, RANGE },
		{ reduced, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, reduced, OK },
		{ reduced, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		  OHV_CHILD_PRIVILEGES | HV_PARTITION_PRIV_CREATE_PARTITIONS,
		  OK },
		{ OHV_ROOT_PRIVILEGES,
		  HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES, 0, OK },
		{ OHV_ROOT_PRIVILEGES,
		  HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES, UINT64_MAX,
		  OK },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct ohv_config cfg;
		struct world w;
		uint64_t before = 0, after = 0, v = 0;

		t_config(&cfg);
		cfg.root_privileges = rows[i].root;
		world_open(&w, &cfg);
		uint64_t id = w.id[T_UNINIT];

		/* The root reports what it holds. */
		CHECK_ST(get(w.hv, HV_PARTITION_ID_SELF,
			     HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, &v), OK);
		CHECK_EQ(v, rows[i].root);
		REQUIRE_ST(get(w.hv, id, rows[i].code, &before), OK);
		hv_status_t st = t_set_property(w.hv, id, rows[i].code,
						rows[i].value);

		CHECK_MSG(st == rows[i].st,
			  "row %zu: set 0x%" PRIx64 " under root 0x%" PRIx64
			  ": got %s, want %s", i, rows[i].value, rows[i].root,
			  ohv_status_name(st), ohv_status_name(rows[i].st));
		REQUIRE_ST(get(w.hv, id, rows[i].code, &after), OK);
		CHECK_EQ(after, st == OK ? rows[i].value : before);
		if (rows[i].code == HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS) {
			struct ohv_partition_info info;

			REQUIRE(ohv_partition_info(w.hv, id, &info) == 0);
			CHECK_EQ(info.privileges, after);
			/* Frozen once Active (TLFS-md early properties). */
			REQUIRE_ST(t_deposit(w.hv, id, w.next, INIT_COST, NULL),
				   OK);
			REQUIRE_ST(t_initialize(w.hv, id), OK);
			CHECK_ST(get(w.hv, id, rows[i].code, &v), OK);
			CHECK_EQ(v, after);
		}
		t_close(w.hv);
	}
}

/* spec.md §4.3: an unknown code -> UNKNOWN_PROPERTY for get and set, in every
 * state (the code is checked before the state).  Some are TLFS codes
 * openhv does not implement. */
TEST(property_unknown_codes)
{
	static const uint32_t codes[] = {
		0x00000000, 0x00000001, 0x00010002,
		HV_PARTITION_PROPERTY_SUSPEND,
		HV_PARTITION_PROPERTY_CPU_GROUP_ID,
		HV_PARTITION_PROPERTY_EMULATED_TIMER_PERIOD,
		HV_PARTITION_PROPERTY_REFERENCE_TIME,
		HV_PARTITION_PROPERTY_DEBUG_CHANNEL_ID,
		HV_PARTITION_PROPERTY_VIRTUAL_TLB_PAGE_COUNT,
		HV_PARTITION_PROPERTY_PROCESSOR_FEATURES,
		0x00060004, HV_PARTITION_PROPERTY_GUEST_OS_ID, 0x10001000,
		0x80010000, 0xFFFFFFFF,
	};
	struct world w;

	world_open(&w, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		for (int k = 0; k < NTARGETS; k++) {
			hv_status_t g = get(w.hv, w.id[k], codes[i], NULL);
			hv_status_t s = t_set_property(w.hv, w.id[k], codes[i],
						       0);

			CHECK_MSG(g == HV_STATUS_UNKNOWN_PROPERTY &&
				  s == HV_STATUS_UNKNOWN_PROPERTY,
				  "code 0x%08x on %s: get %s, set %s", codes[i],
				  target_name[k], ohv_status_name(g),
				  ohv_status_name(s));
		}
	}
	t_close(w.hv);
}

/*
 * The order of the checks (spec.md §4.3 as implemented: id, access, code,
 * state, value): each row breaks two rules and the earlier one must win.
 */
TEST(property_check_order)
{
	enum { BY_ID = -1, DELETED = NTARGETS };
	static const struct {
		const char *name;
		int target;		/* T_*, DELETED, or BY_ID: use id */
		uint64_t id;
		uint32_t code;
		bool set;
		uint64_t value;
		hv_status_t st;
	} rows[] = {
		{ "id 0, unknown code", BY_ID, HV_PARTITION_ID_INVALID, 0x77,
		  false, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "id 0, set", BY_ID, HV_PARTITION_ID_INVALID,
		  HV_PARTITION_PROPERTY_CPU_WEIGHT, true, 100,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "unknown id, unknown code", BY_ID, 0x123456, 0x77, true, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "unknown id, good get", BY_ID, 0x123456,
		  HV_PARTITION_PROPERTY_CPU_CAP, false, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "deleted id", DELETED, 0, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		  false, 0, HV_STATUS_INVALID_PARTITION_ID },
		{ "deleted id, set", DELETED, 0,
		  HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, true, 0,
		  HV_STATUS_INVALID_PARTITION_ID },
		{ "unknown code on Finalized", T_FINAL, 0, 0x77, false, 0,
		  HV_STATUS_UNKNOWN_PROPERTY },
		{ "unknown code on Uninitialized, set", T_UNINIT, 0, 0x77, true,
		  0, HV_STATUS_UNKNOWN_PROPERTY },
		{ "CpuWeight 0 on Uninitialized", T_UNINIT, 0,
		  HV_PARTITION_PROPERTY_CPU_WEIGHT, true, 0, STATE },
		{ "CpuWeight 0 on Finalized", T_FINAL, 0,
		  HV_PARTITION_PROPERTY_CPU_WEIGHT, true, 0, STATE },
		{ "read-only on Uninitialized", T_UNINIT, 0,
		  HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION, true, 1, STATE },
		{ "read-only on Finalized", T_FINAL, 0,
		  HV_PARTITION_PROPERTY_PROCESSOR_VENDOR, true, 1, STATE },
		{ "unheld privilege on Active", T_ACTIVE, 0,
		  HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, true, 1ull << 63,
		  STATE },
		{ "unheld privilege on the root", T_SELF, 0,
		  HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, true, 1ull << 63,
		  STATE },
		{ "unheld privilege on Uninitialized", T_UNINIT, 0,
		  HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, true, 1ull << 63,
		  RANGE },
		{ "CpuWeight 0 on Active", T_ACTIVE, 0,
		  HV_PARTITION_PROPERTY_CPU_WEIGHT, true, 0, RANGE },
		{ "read-only on the root", T_ONE, 0,
		  HV_PARTITION_PROPERTY_PROCESSOR_VENDOR, true, 0, RANGE },
	};
	struct world w;

	world_open(&w, NULL);
	uint64_t deleted = child(&w);

	REQUIRE_ST(t_delete(w.hv, deleted), OK);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		uint64_t id = rows[i].id;
		hv_status_t st;

		if (rows[i].target == DELETED)
			id = deleted;
		else if (rows[i].target != BY_ID)
			id = w.id[rows[i].target];
		st = rows[i].set ?
			t_set_property(w.hv, id, rows[i].code, rows[i].value) :
			get(w.hv, id, rows[i].code, NULL);
		CHECK_MSG(st == rows[i].st, "%s: got %s, want %s", rows[i].name,
			  ohv_status_name(st), ohv_status_name(rows[i].st));
	}
	t_close(w.hv);
}

/* spec.md §3.2: the u32 padding after PropertyCode is ignored; the fast form
 * gives the same answers (spec.md §3.2 step 4). */
TEST(property_padding_and_fast)
{
	struct world w;

	world_open(&w, NULL);
	uint64_t id = w.id[T_ACTIVE], out = 0, v = 0;
	struct hv_input_set_partition_property set = {
		.partition_id = id,
		.property_code = HV_PARTITION_PROPERTY_CPU_WEIGHT,
		.padding = 0xFFFFFFFF,
		.property_value = 777,
	};
	struct hv_input_get_partition_property in = {
		.partition_id = id,
		.property_code = HV_PARTITION_PROPERTY_CPU_WEIGHT,
		.padding = 0xFFFFFFFF,
	};

	CHECK_ST(t_mem(w.hv, T_ROOT, HVCALL_SET_PARTITION_PROPERTY, &set,
		       sizeof(set), NULL, 0), OK);
	CHECK_ST(t_mem(w.hv, T_ROOT, HVCALL_GET_PARTITION_PROPERTY, &in,
		       sizeof(in), &out, sizeof(out)), OK);
	CHECK_EQ(out, 777);

	set.property_value = 4321;
	CHECK_ST(t_fast(w.hv, T_ROOT, HVCALL_SET_PARTITION_PROPERTY, &set,
			sizeof(set), NULL, 0), OK);
	out = 0;
	CHECK_ST(t_fast(w.hv, T_ROOT, HVCALL_GET_PARTITION_PROPERTY, &in,
			sizeof(in), &out, sizeof(out)), OK);
	CHECK_EQ(out, 4321);
	CHECK_ST(get(w.hv, id, HV_PARTITION_PROPERTY_CPU_WEIGHT, &v), OK);
	CHECK_EQ(v, 4321);
	t_close(w.hv);
}

/* ProcessorVendor: 0 AMD / 1 Intel / 2 Hygon by host CPUID on x64, 0x10
 * on arm64; the same for every partition. */
TEST(property_processor_vendor)
{
	static const struct {
		enum ohv_arch arch;
		const char *name;
	} rows[] = {
		{ OHV_ARCH_X64, "x64" },
		{ OHV_ARCH_ARM64, "arm64" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		uint32_t want = rows[i].arch == OHV_ARCH_ARM64 ?
				HV_PROCESSOR_VENDOR_ARM : host_vendor();
		struct ohv_config cfg;
		struct world w;

		if (want == UINT32_MAX)
			continue;	/* not an x86 host: no CPUID to compare */
		t_config(&cfg);
		cfg.arch = rows[i].arch;
		world_open(&w, &cfg);
		static const int targets[] = { T_ACTIVE, T_SELF, T_ONE };

		for (size_t k = 0; k < ARRAY_SIZE(targets); k++) {
			uint64_t v = POISON;

			CHECK_ST(get(w.hv, w.id[targets[k]],
				     HV_PARTITION_PROPERTY_PROCESSOR_VENDOR, &v),
				 OK);
			CHECK_MSG(v == want, "%s %s: vendor 0x%" PRIx64
				  ", want 0x%x", rows[i].name,
				  target_name[targets[k]], v, want);
		}
		t_close(w.hv);
	}
}
