/* SPDX-License-Identifier: MIT */
/*
 * ABI test: the numbers in include/openhv/hv.h against the TLFS tables.
 *
 * Every expected value below is written from the TLFS facts (docs/spec.md
 * appendix A, and docs/spec.md where it decides), never from hv.h, so a typo in
 * either place shows up as a mismatch.  Each table is checked row by row
 * and every mismatching row is reported, not just the first.
 */
#include "t.h"

/* Bits hi..lo set, written independently of hv.h's masks. */
#define BITS(hi, lo) \
	((~0ull >> (63 - (hi))) & (~0ull << (lo)))
#define BIT(n)		(1ull << (n))
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

struct row {
	const char *name;
	uint64_t actual;
	uint64_t expected;
};

#define ROW(expr, want)		{ #expr, (uint64_t)(expr), (uint64_t)(want) }
#define SIZE(type, want)	ROW(sizeof(type), want)
#define OFF(type, field, want)	ROW(offsetof(type, field), want)
#define FSIZE(type, field, want) ROW(sizeof(((type *)0)->field), want)

static void check_rows(const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		CHECK_MSG(rows[i].actual == rows[i].expected,
			  "%s: 0x%" PRIx64 ", TLFS says 0x%" PRIx64,
			  rows[i].name, rows[i].actual, rows[i].expected);
}

#define CHECK_ROWS(rows) check_rows((rows), ARRAY_LEN(rows))

/* ---------------------------------------------------------------------- */
/* HV_STATUS (facts §2; spec.md §9 for 0x0010, 0x0015, 0x0033).                */

struct status_row {
	const char *tlfs_name;	/* "HV_STATUS_" + the TLFS name */
	uint64_t actual;	/* hv.h's macro */
	uint16_t code;		/* facts §2 */
};

/* The hv.h macro carries the TLFS name. */
#define ST(name, code)	{ "HV_STATUS_" #name, HV_STATUS_##name, code }

static const struct status_row status_rows[] = {
	ST(SUCCESS, 0x0000),
	ST(INVALID_HYPERCALL_CODE, 0x0002),
	ST(INVALID_HYPERCALL_INPUT, 0x0003),
	ST(INVALID_ALIGNMENT, 0x0004),
	ST(INVALID_PARAMETER, 0x0005),
	ST(ACCESS_DENIED, 0x0006),
	ST(INVALID_PARTITION_STATE, 0x0007),
	ST(OPERATION_DENIED, 0x0008),
	ST(UNKNOWN_PROPERTY, 0x0009),
	ST(PROPERTY_VALUE_OUT_OF_RANGE, 0x000A),
	ST(INSUFFICIENT_MEMORY, 0x000B),
	ST(PARTITION_TOO_DEEP, 0x000C),
	ST(INVALID_PARTITION_ID, 0x000D),
	ST(INVALID_VP_INDEX, 0x000E),
	ST(NOT_FOUND, 0x0010),			/* spec.md §9 */
	ST(INVALID_PORT_ID, 0x0011),
	ST(INVALID_CONNECTION_ID, 0x0012),
	ST(INSUFFICIENT_BUFFERS, 0x0013),	/* not 6.0b's 0x0033 typo */
	ST(NOT_ACKNOWLEDGED, 0x0014),
	ST(INVALID_VP_STATE, 0x0015),		/* spec.md §9 */
	ST(ACKNOWLEDGED, 0x0016),
	ST(INVALID_SAVE_RESTORE_STATE, 0x0017),
	ST(INVALID_SYNIC_STATE, 0x0018),
	ST(OBJECT_IN_USE, 0x0019),
	ST(INVALID_PROXIMITY_DOMAIN_INFO, 0x001A),
	ST(NO_DATA, 0x001B),
	ST(INACTIVE, 0x001C),
	ST(NO_RESOURCES, 0x001D),
	ST(FEATURE_UNAVAILABLE, 0x001E),
	ST(PARTIAL_PACKET, 0x001F),
	ST(PROCESSOR_FEATURE_NOT_SUPPORTED, 0x0020),
	ST(PROCESSOR_FEATURE_LAHFSAHF_NOT_SUPPORTED, 0x0021),
	ST(PROCESSOR_FEATURE_SSSE3_NOT_SUPPORTED, 0x0022),
	ST(PROCESSOR_FEATURE_SSE4_1_NOT_SUPPORTED, 0x0023),
	ST(PROCESSOR_FEATURE_SSE4_2_NOT_SUPPORTED, 0x0024),
	ST(PROCESSOR_FEATURE_SSE4A_NOT_SUPPORTED, 0x0025),
	ST(PROCESSOR_FEATURE_SSE5_NOT_SUPPORTED, 0x0026),
	ST(PROCESSOR_FEATURE_POPCNT_NOT_SUPPORTED, 0x0027),
	ST(PROCESSOR_FEATURE_CMPXCHG16B_NOT_SUPPORTED, 0x0028),
	ST(PROCESSOR_FEATURE_ALTMOVCR8_NOT_SUPPORTED, 0x0029),
	ST(PROCESSOR_FEATURE_LZCNT_NOT_SUPPORTED, 0x002A),
	ST(PROCESSOR_FEATURE_MISALIGNED_SSE_NOT_SUPPORTED, 0x002B),
	ST(PROCESSOR_FEATURE_MMX_EXT_NOT_SUPPORTED, 0x002C),
	ST(PROCESSOR_FEATURE_3DNOW_NOT_SUPPORTED, 0x002D),
	ST(PROCESSOR_FEATURE_EXTENDED_3DNOW_NOT_SUPPORTED, 0x002E),
	ST(PROCESSOR_FEATURE_PAGE_1GB_NOT_SUPPORTED, 0x002F),
	ST(PROCESSOR_CACHE_LINE_FLUSH_SIZE_INCOMPATIBLE, 0x0030),
	ST(PROCESSOR_FEATURE_XSAVE_NOT_SUPPORTED, 0x0031),
	ST(PROCESSOR_FEATURE_XSAVEOPT_NOT_SUPPORTED, 0x0032),
	ST(INSUFFICIENT_BUFFER, 0x0033),	/* spec.md §9 */
	ST(PROCESSOR_FEATURE_XSAVE_AVX_NOT_SUPPORTED, 0x0034),
	/* facts §2 (TLFS 2.0): "..._XSAVE_UNKNOWN_FEATURE_NOT_SUPPORTED". */
	ST(PROCESSOR_FEATURE_XSAVE_UNKNOWN_FEATURE_NOT_SUPPORTED, 0x0035),
	ST(PROCESSOR_XSAVE_SAVE_AREA_INCOMPATIBLE, 0x0036),
	ST(INCOMPATIBLE_PROCESSOR, 0x0037),
	ST(INSUFFICIENT_DEVICE_DOMAINS, 0x0038),
	ST(CPUID_FEATURE_VALIDATION_ERROR, 0x003C),
	ST(CPUID_XSAVE_FEATURE_VALIDATION_ERROR, 0x003D),
	ST(PROCESSOR_STARTUP_TIMEOUT, 0x003E),
	ST(SMX_ENABLED, 0x003F),
	ST(INVALID_LP_INDEX, 0x0041),
	ST(INVALID_REGISTER_VALUE, 0x0050),
	ST(INVALID_VTL_STATE, 0x0051),
	ST(NX_NOT_DETECTED, 0x0055),
	ST(INVALID_DEVICE_ID, 0x0057),
	ST(INVALID_DEVICE_STATE, 0x0058),
	ST(PENDING_PAGE_REQUESTS, 0x0059),
	ST(PAGE_REQUEST_INVALID, 0x0060),
	/* OpenVMM-only codes: its CamelCase names in TLFS spelling. */
	ST(KEY_ALREADY_EXISTS, 0x0065),
	ST(DEVICE_ALREADY_IN_DOMAIN, 0x0066),
	ST(INVALID_CPU_GROUP_ID, 0x006F),
	ST(INVALID_CPU_GROUP_STATE, 0x0070),
	ST(OPERATION_FAILED, 0x0071),
	ST(NOT_ALLOWED_WITH_NESTED_VIRT_ACTIVE, 0x0072),
	ST(INSUFFICIENT_ROOT_MEMORY, 0x0073),
	ST(EVENT_BUFFER_ALREADY_FREED, 0x0074),
	ST(TIME_OUT, 0x0078),
	ST(CALL_PENDING, 0x0079),
	ST(VTL_ALREADY_ENABLED, 0x0086),
	ST(UNKNOWN_REGISTER_NAME, 0x0087),
};

TEST(abi_status_values)
{
	CHECK_EQ(sizeof(hv_status_t), 2);	/* HV_STATUS is a UINT16 */
	for (size_t i = 0; i < ARRAY_LEN(status_rows); i++) {
		const struct status_row *r = &status_rows[i];

		CHECK_MSG(r->actual == r->code, "%s: 0x%04" PRIx64
			  ", TLFS says 0x%04x", r->tlfs_name, r->actual,
			  r->code);
	}
}

TEST(abi_status_names)
{
	for (size_t i = 0; i < ARRAY_LEN(status_rows); i++) {
		const struct status_row *r = &status_rows[i];
		const char *got = ohv_status_name(r->code);

		CHECK_MSG(got && !strcmp(got, r->tlfs_name),
			  "ohv_status_name(0x%04x) = \"%s\", want \"%s\"",
			  r->code, got ? got : "(null)", r->tlfs_name);
	}
	/* facts §2: 0x0001 and 0x000F are reserved; past the table too. */
	static const uint16_t unnamed[] = { 0x0001, 0x000F, 0x0039, 0x0088,
					    0x7FFF, 0xFFFF };

	for (size_t i = 0; i < ARRAY_LEN(unnamed); i++) {
		const char *got = ohv_status_name(unnamed[i]);

		CHECK_MSG(got && !strcmp(got, "HV_STATUS_UNKNOWN"),
			  "ohv_status_name(0x%04x) = \"%s\"", unnamed[i],
			  got ? got : "(null)");
	}
}

/* ---------------------------------------------------------------------- */
/* Call codes (spec.md §3.3; facts §3.1).                                      */

struct call_row {
	const char *name;	/* spec.md §3.3 "Call" column */
	uint64_t actual;
	uint16_t code;
};

static const struct call_row call_rows[] = {
	{ "HvCreatePartition", HVCALL_CREATE_PARTITION, 0x0040 },
	{ "HvInitializePartition", HVCALL_INITIALIZE_PARTITION, 0x0041 },
	{ "HvFinalizePartition", HVCALL_FINALIZE_PARTITION, 0x0042 },
	{ "HvDeletePartition", HVCALL_DELETE_PARTITION, 0x0043 },
	{ "HvGetPartitionProperty", HVCALL_GET_PARTITION_PROPERTY, 0x0044 },
	{ "HvSetPartitionProperty", HVCALL_SET_PARTITION_PROPERTY, 0x0045 },
	{ "HvGetPartitionId", HVCALL_GET_PARTITION_ID, 0x0046 },
	{ "HvGetNextChildPartition", HVCALL_GET_NEXT_CHILD_PARTITION, 0x0047 },
	{ "HvDepositMemory", HVCALL_DEPOSIT_MEMORY, 0x0048 },
	{ "HvWithdrawMemory", HVCALL_WITHDRAW_MEMORY, 0x0049 },
	{ "HvGetMemoryBalance", HVCALL_GET_MEMORY_BALANCE, 0x004A },
	{ "HvMapGpaPages", HVCALL_MAP_GPA_PAGES, 0x004B },
	{ "HvUnmapGpaPages", HVCALL_UNMAP_GPA_PAGES, 0x004C },
	{ "HvCreateVp", HVCALL_CREATE_VP, 0x004E },
	{ "HvDeleteVp", HVCALL_DELETE_VP, 0x004F },
	{ "HvGetVpRegisters", HVCALL_GET_VP_REGISTERS, 0x0050 },
	{ "HvSetVpRegisters", HVCALL_SET_VP_REGISTERS, 0x0051 },
	{ "HvCreatePort", HVCALL_CREATE_PORT_CLASSIC, 0x0057 },
	{ "HvDeletePort", HVCALL_DELETE_PORT, 0x0058 },
	{ "HvConnectPort", HVCALL_CONNECT_PORT_CLASSIC, 0x0059 },
	{ "HvGetPortProperty", HVCALL_GET_PORT_PROPERTY, 0x005A },
	{ "HvDisconnectPort", HVCALL_DISCONNECT_PORT, 0x005B },
	{ "HvPostMessage", HVCALL_POST_MESSAGE, 0x005C },
	{ "HvSignalEvent", HVCALL_SIGNAL_EVENT, 0x005D },
	{ "HvSetPortProperty", HVCALL_SET_PORT_PROPERTY, 0x0070 },
	{ "HvCallCreatePort", HVCALL_CREATE_PORT, 0x0095 },
	{ "HvCallConnectPort", HVCALL_CONNECT_PORT, 0x0096 },
};

TEST(abi_call_codes)
{
	for (size_t i = 0; i < ARRAY_LEN(call_rows); i++) {
		const struct call_row *r = &call_rows[i];

		CHECK_MSG(r->actual == r->code, "%s: hv.h 0x%04" PRIx64
			  ", spec.md §3.3 says 0x%04x", r->name, r->actual,
			  r->code);
	}
	/* facts §3.1: the codes around the implemented set. */
	static const struct row more[] = {
		ROW(HVCALL_INSTALL_INTERCEPT, 0x004D),
		ROW(HVCALL_SAVE_PARTITION_STATE, 0x005E),
		ROW(HVCALL_RESTORE_PARTITION_STATE, 0x005F),
		ROW(HVCALL_MAP_SPARSE_GPA_PAGES, 0x006E),
		ROW(HVCALL_GET_PARTITION_PROPERTY_EX, 0x0101),
		ROW(HVCALL_SET_PARTITION_PROPERTY_EX, 0x010A),
		ROW(HVCALL_SIGNAL_EVENT_DIRECT, 0x00C0),
		ROW(HVCALL_POST_MESSAGE_DIRECT, 0x00C1),
		ROW(HVCALL_START_VIRTUAL_PROCESSOR, 0x0099),
		ROW(HVCALL_ASSERT_VIRTUAL_INTERRUPT, 0x0094),
		ROW(HVCALL_TRANSLATE_VIRTUAL_ADDRESS, 0x0052),
		ROW(HVCALL_READ_GPA, 0x0053),
		ROW(HVCALL_WRITE_GPA, 0x0054),
		ROW(HVCALL_ASSERT_VIRTUAL_INTERRUPT_CLASSIC, 0x0055),
		ROW(HVCALL_CLEAR_VIRTUAL_INTERRUPT, 0x0056),
		ROW(HVCALL_MAP_STATS_PAGE, 0x006C),
		ROW(HVCALL_UNMAP_STATS_PAGE, 0x006D),
		ROW(HVCALL_SWITCH_VIRTUAL_ADDRESS_SPACE, 0x0001),
		ROW(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, 0x0002),
		ROW(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, 0x0003),
		ROW(HVCALL_GET_LOGICAL_PROCESSOR_RUN_TIME, 0x0004),
		ROW(HVCALL_NOTIFY_LONG_SPIN_WAIT, 0x0008),
	};

	CHECK_ROWS(more);
}

TEST(abi_call_names)
{
	for (size_t i = 0; i < ARRAY_LEN(call_rows); i++) {
		const struct call_row *r = &call_rows[i];
		const char *got = ohv_call_name(r->code);

		CHECK_MSG(got && !strcmp(got, r->name),
			  "ohv_call_name(0x%04x) = \"%s\", want \"%s\"",
			  r->code, got ? got : "(null)", r->name);
	}
	/* Codes with no name: the contract says NULL. */
	static const uint16_t unnamed[] = { 0x0000, 0x003F, 0x00FF, 0x7FFF,
					    0xFFFF };

	for (size_t i = 0; i < ARRAY_LEN(unnamed); i++)
		CHECK_MSG(!ohv_call_name(unnamed[i]),
			  "ohv_call_name(0x%04x) = \"%s\", want NULL",
			  unnamed[i], ohv_call_name(unnamed[i]));
}

/* ---------------------------------------------------------------------- */
/* Control word and result value (facts §1.1, §1.2; spec.md §3.1).             */

TEST(abi_control_word)
{
	static const struct row rows[] = {
		ROW(HV_HYPERCALL_CODE_MASK, BITS(15, 0)),
		ROW(HV_HYPERCALL_FAST_BIT, BIT(16)),
		ROW(HV_HYPERCALL_VARHEAD_OFFSET, 17),
		ROW(HV_HYPERCALL_VARHEAD_MASK, BITS(26, 17)),
		ROW(HV_HYPERCALL_RSVD0_MASK, BITS(30, 27)),
		ROW(HV_HYPERCALL_NESTED, BIT(31)),
		ROW(HV_HYPERCALL_REP_COMP_OFFSET, 32),
		ROW(HV_HYPERCALL_REP_COUNT_MASK, BITS(43, 32)),
		ROW(HV_HYPERCALL_RSVD1_MASK, BITS(47, 44)),
		ROW(HV_HYPERCALL_REP_START_OFFSET, 48),
		ROW(HV_HYPERCALL_REP_START_MASK, BITS(59, 48)),
		ROW(HV_HYPERCALL_RSVD2_MASK, BITS(63, 60)),
		/* spec.md §3.2 step 2: the nested bit counts as reserved. */
		ROW(HV_HYPERCALL_RSVD_MASK,
		    BITS(31, 27) | BITS(47, 44) | BITS(63, 60)),
		ROW(HV_HYPERCALL_MAX_REPS, 4095),
		/* Result value: status 15:0, reps completed 43:32. */
		ROW(HV_HYPERCALL_RESULT_MASK, BITS(15, 0)),
		ROW(HV_HYPERCALL_REP_COMP_MASK, BITS(43, 32)),
	};

	CHECK_ROWS(rows);

	/* The fields tile the word: disjoint, and together all 64 bits. */
	static const uint64_t fields[] = {
		HV_HYPERCALL_CODE_MASK, HV_HYPERCALL_FAST_BIT,
		HV_HYPERCALL_VARHEAD_MASK, HV_HYPERCALL_RSVD0_MASK,
		HV_HYPERCALL_NESTED, HV_HYPERCALL_REP_COUNT_MASK,
		HV_HYPERCALL_RSVD1_MASK, HV_HYPERCALL_REP_START_MASK,
		HV_HYPERCALL_RSVD2_MASK,
	};
	uint64_t all = 0;

	for (size_t i = 0; i < ARRAY_LEN(fields); i++) {
		CHECK_MSG(!(all & fields[i]), "control field %zu overlaps", i);
		all |= fields[i];
	}
	CHECK_EQ(all, ~0ull);
}

TEST(abi_control_helpers)
{
	/* ohv_control: code, fast, rep count, rep start in their fields. */
	CHECK_EQ(ohv_control(0x0048, 0, 0, 0), 0x0048);
	CHECK_EQ(ohv_control(0x0046, 1, 0, 0), 0x0046 | BIT(16));
	CHECK_EQ(ohv_control(0x0049, 0, 10, 3),
		 0x0049 | (10ull << 32) | (3ull << 48));
	CHECK_EQ(ohv_control(0xFFFF, 1, 4095, 4095),
		 BITS(16, 0) | BITS(43, 32) | BITS(59, 48));
	/* Oversized counts never leak into reserved bits or the varhead. */
	uint64_t c = ohv_control(0xFFFF, 1, 0xFFFFFFFFu, 0xFFFFFFFFu);

	CHECK_EQ(c & (BITS(31, 17) | BITS(47, 44) | BITS(63, 60)), 0);

	/* Result value: status 15:0, reps 43:32, nothing else counts. */
	static const struct {
		uint64_t result;
		uint16_t status;
		uint32_t reps;
	} res[] = {
		{ 0, 0, 0 },
		{ 0x000B, 0x000B, 0 },
		{ (5ull << 32) | 0x0008, 0x0008, 5 },
		{ (4095ull << 32) | 0x0000, 0x0000, 4095 },
		{ BITS(31, 16) | 0x0003, 0x0003, 0 },
		{ BITS(63, 44) | (7ull << 32) | 0x001D, 0x001D, 7 },
		{ ~0ull, 0xFFFF, 4095 },
	};

	for (size_t i = 0; i < ARRAY_LEN(res); i++) {
		CHECK_MSG(ohv_result_status(res[i].result) == res[i].status,
			  "ohv_result_status(0x%" PRIx64 ") = 0x%x",
			  res[i].result, ohv_result_status(res[i].result));
		CHECK_MSG(ohv_result_reps(res[i].result) == res[i].reps,
			  "ohv_result_reps(0x%" PRIx64 ") = %u",
			  res[i].result, ohv_result_reps(res[i].result));
	}
}

/* ---------------------------------------------------------------------- */
/* Privileges (facts §4.3; spec.md §4.3), creation flags (facts §4.2),         */
/* proximity (facts §4.4), property codes (facts §4.8).                    */

TEST(abi_privileges)
{
	static const struct row rows[] = {
		ROW(HV_PARTITION_PRIV_ACCESS_VP_RUNTIME_REG, BIT(0)),
		ROW(HV_PARTITION_PRIV_ACCESS_PARTITION_REF_COUNTER, BIT(1)),
		ROW(HV_PARTITION_PRIV_ACCESS_SYNIC_REGS, BIT(2)),
		ROW(HV_PARTITION_PRIV_ACCESS_SYNTHETIC_TIMER_REGS, BIT(3)),
		ROW(HV_PARTITION_PRIV_ACCESS_INTR_CTRL_REGS, BIT(4)),
		ROW(HV_PARTITION_PRIV_ACCESS_HYPERCALL_MSRS, BIT(5)),
		ROW(HV_PARTITION_PRIV_ACCESS_VP_INDEX, BIT(6)),
		ROW(HV_PARTITION_PRIV_ACCESS_RESET_REG, BIT(7)),
		ROW(HV_PARTITION_PRIV_ACCESS_STATS_REG, BIT(8)),
		ROW(HV_PARTITION_PRIV_ACCESS_PARTITION_REF_TSC, BIT(9)),
		ROW(HV_PARTITION_PRIV_ACCESS_GUEST_IDLE_REG, BIT(10)),
		ROW(HV_PARTITION_PRIV_ACCESS_FREQUENCY_REGS, BIT(11)),
		ROW(HV_PARTITION_PRIV_ACCESS_DEBUG_REGS, BIT(12)),
		ROW(HV_PARTITION_PRIV_ACCESS_REENLIGHTENMENT_CTRLS, BIT(13)),
		ROW(HV_PARTITION_PRIV_CREATE_PARTITIONS, BIT(32)),
		ROW(HV_PARTITION_PRIV_ACCESS_PARTITION_ID, BIT(33)),
		ROW(HV_PARTITION_PRIV_ACCESS_MEMORY_POOL, BIT(34)),
		ROW(HV_PARTITION_PRIV_ADJUST_MESSAGE_BUFFERS, BIT(35)),
		ROW(HV_PARTITION_PRIV_POST_MESSAGES, BIT(36)),
		ROW(HV_PARTITION_PRIV_SIGNAL_EVENTS, BIT(37)),
		ROW(HV_PARTITION_PRIV_CREATE_PORT, BIT(38)),
		ROW(HV_PARTITION_PRIV_CONNECT_PORT, BIT(39)),
		ROW(HV_PARTITION_PRIV_ACCESS_STATS, BIT(40)),
		ROW(HV_PARTITION_PRIV_DEBUGGING, BIT(43)),
		ROW(HV_PARTITION_PRIV_CPU_MANAGEMENT, BIT(44)),
		ROW(HV_PARTITION_PRIV_CONFIGURE_PROFILER, BIT(45)),
		ROW(HV_PARTITION_PRIV_ACCESS_VSM, BIT(48)),
		ROW(HV_PARTITION_PRIV_ACCESS_VP_REGISTERS, BIT(49)),
		ROW(HV_PARTITION_PRIV_ENABLE_EXTENDED_HYPERCALLS, BIT(52)),
		ROW(HV_PARTITION_PRIV_START_VIRTUAL_PROCESSOR, BIT(53)),
		ROW(HV_PARTITION_PRIV_ISOLATION, BIT(54)),
		/* MS-mini 64-bit mask constants (facts §4.3). */
		ROW(HV_PARTITION_PRIV_CREATE_PARTITIONS, 0x0000000100000000ull),
		ROW(HV_PARTITION_PRIV_ACCESS_STATS, 0x0000010000000000ull),
		ROW(HV_PARTITION_PRIV_DEBUGGING, 0x0000080000000000ull),
		ROW(HV_PARTITION_PRIV_CPU_MANAGEMENT, 0x0000100000000000ull),
		/* spec.md §4.3: root bits 0-10, 32-40, 43, 44, 49. */
		ROW(OHV_ROOT_PRIVILEGES, 0x000219FF000007FFull),
		ROW(OHV_ROOT_PRIVILEGES,
		    BITS(10, 0) | BITS(40, 32) | BIT(43) | BIT(44) | BIT(49)),
		/* ... and as the named privileges. */
		ROW(OHV_ROOT_PRIVILEGES,
		    HV_PARTITION_PRIV_ACCESS_VP_RUNTIME_REG |
		    HV_PARTITION_PRIV_ACCESS_PARTITION_REF_COUNTER |
		    HV_PARTITION_PRIV_ACCESS_SYNIC_REGS |
		    HV_PARTITION_PRIV_ACCESS_SYNTHETIC_TIMER_REGS |
		    HV_PARTITION_PRIV_ACCESS_INTR_CTRL_REGS |
		    HV_PARTITION_PRIV_ACCESS_HYPERCALL_MSRS |
		    HV_PARTITION_PRIV_ACCESS_VP_INDEX |
		    HV_PARTITION_PRIV_ACCESS_RESET_REG |
		    HV_PARTITION_PRIV_ACCESS_STATS_REG |
		    HV_PARTITION_PRIV_ACCESS_PARTITION_REF_TSC |
		    HV_PARTITION_PRIV_ACCESS_GUEST_IDLE_REG |
		    HV_PARTITION_PRIV_CREATE_PARTITIONS |
		    HV_PARTITION_PRIV_ACCESS_PARTITION_ID |
		    HV_PARTITION_PRIV_ACCESS_MEMORY_POOL |
		    HV_PARTITION_PRIV_ADJUST_MESSAGE_BUFFERS |
		    HV_PARTITION_PRIV_POST_MESSAGES |
		    HV_PARTITION_PRIV_SIGNAL_EVENTS |
		    HV_PARTITION_PRIV_CREATE_PORT |
		    HV_PARTITION_PRIV_CONNECT_PORT |
		    HV_PARTITION_PRIV_ACCESS_STATS |
		    HV_PARTITION_PRIV_DEBUGGING |
		    HV_PARTITION_PRIV_CPU_MANAGEMENT |
		    HV_PARTITION_PRIV_ACCESS_VP_REGISTERS),
		/* spec.md §4.3: a child gets TLFS 2.0's defaults, bits 0-8, 10. */
		ROW(OHV_CHILD_PRIVILEGES, 0x5FF),
		ROW(OHV_CHILD_PRIVILEGES, BITS(8, 0) | BIT(10)),
		/* The child's set is inside the root's. */
		ROW(OHV_CHILD_PRIVILEGES & ~OHV_ROOT_PRIVILEGES, 0),
	};

	CHECK_ROWS(rows);
}

TEST(abi_creation_flags)
{
	static const struct row rows[] = {
		ROW(HV_PARTITION_CREATION_FLAG_SMT_ENABLED_GUEST, BIT(0)),
		ROW(HV_PARTITION_CREATION_FLAG_NESTED_VIRTUALIZATION_CAPABLE, BIT(1)),
		ROW(HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED, BIT(4)),
		ROW(HV_PARTITION_CREATION_FLAG_EXO_PARTITION, BIT(8)),
		ROW(HV_PARTITION_CREATION_FLAG_VTL1_OVERRIDE, BIT(9)),
		ROW(HV_PARTITION_CREATION_FLAG_VTL2_OVERRIDE, BIT(10)),
		ROW(HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED, BIT(13)),
		ROW(HV_PARTITION_CREATION_FLAG_ENABLE_PERFMON_PMU, BIT(15)),
		ROW(HV_PARTITION_CREATION_FLAG_ENABLE_PERFMON_LBR, BIT(16)),
		ROW(HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED, BIT(19)),
		ROW(HV_PARTITION_CREATION_FLAG_HYPERCALL_DOORBELL_PAGE_ENABLED, BIT(20)),
		ROW(HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE, BIT(22)),
		/* spec.md §4.1 step 2: the documented set. */
		ROW(HV_PARTITION_CREATION_FLAGS_VALID,
		    BIT(0) | BIT(1) | BIT(4) | BIT(8) | BIT(9) | BIT(10) |
		    BIT(13) | BIT(15) | BIT(16) | BIT(19) | BIT(20) | BIT(22)),
		/* Accepted and ignored on arm64: LAPIC and X2APIC. */
		ROW(HV_PARTITION_CREATION_FLAGS_X64_ONLY, BIT(13) | BIT(22)),
		/* Bit 3 (old Linux uapi only) is not part of the set. */
		ROW(HV_PARTITION_CREATION_FLAGS_VALID & BIT(3), 0),
	};

	CHECK_ROWS(rows);
}

TEST(abi_proximity_and_ids)
{
	static const struct row rows[] = {
		/* facts §4.4 */
		ROW(HV_PROXIMITY_DOMAIN_PREFERRED, BIT(0)),
		ROW(HV_PROXIMITY_DOMAIN_RSVD_MASK, BITS(30, 1)),
		ROW(HV_PROXIMITY_DOMAIN_VALID, BIT(31)),
		SIZE(struct hv_proximity_domain_info, 8),
		OFF(struct hv_proximity_domain_info, domain_id, 0),
		FSIZE(struct hv_proximity_domain_info, domain_id, 4),
		OFF(struct hv_proximity_domain_info, flags, 4),
		FSIZE(struct hv_proximity_domain_info, flags, 4),
		/* facts §4.1 */
		ROW(HV_PARTITION_ID_INVALID, 0),
		ROW(HV_PARTITION_ID_SELF, 0xFFFFFFFFFFFFFFFFull),
		ROW(HV_ANY_VP, 0xFFFFFFFFu),
		ROW(HV_VP_INDEX_SELF, 0xFFFFFFFEu),
		ROW(HV_PORT_ID_MASK, BITS(23, 0)),
		ROW(HV_CONNECTION_ID_MASK, BITS(23, 0)),
		ROW(HV_PAGE_SIZE, 0x1000),
		ROW(HV_PAGE_SHIFT, 12),
		ROW(HV_LARGE_PAGE_SIZE, 2 * 1024 * 1024),
		/* facts §4.5 */
		ROW(HV_MAKE_COMPATIBILITY_VERSION(6, 9), 0x0609),
		ROW(HV_COMPATIBILITY_21_H2, 0x0609),
		/* facts §4.7: isolation type bits 4:0 */
		ROW(HV_PARTITION_ISOLATION_TYPE_MASK, BITS(4, 0)),
		ROW(HV_PARTITION_ISOLATION_TYPE_NONE, 0),
		ROW(HV_PARTITION_ISOLATION_TYPE_VBS, 1),
		ROW(HV_PARTITION_ISOLATION_TYPE_SNP, 2),
		ROW(HV_PARTITION_ISOLATION_TYPE_TDX, 3),
		/* facts §1.4, §1.5: fast register blocks */
		ROW(HV_X64_FAST_INPUT_BYTES, 112),
		ROW(HV_ARM64_FAST_INPUT_BYTES, 128),
		ROW(HV_ARM64_SMCCC_HVCALL_ID, 0x46000001u),
		/* facts §3.2: per-call element limits with a 4 KiB page */
		ROW(HV_DEPOSIT_MAX_PAGES, 511),
		ROW(HV_WITHDRAW_MAX_PAGES, 512),
		ROW(HV_MAP_GPA_BATCH_SIZE, 509),
	};

	CHECK_ROWS(rows);
}

TEST(abi_property_codes)
{
	static const struct row rows[] = {
		ROW(HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, 0x00010000),
		ROW(HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES, 0x00010001),
		ROW(HV_PARTITION_PROPERTY_SUSPEND, 0x00020000),
		ROW(HV_PARTITION_PROPERTY_CPU_RESERVE, 0x00020001),
		ROW(HV_PARTITION_PROPERTY_CPU_CAP, 0x00020002),
		ROW(HV_PARTITION_PROPERTY_CPU_WEIGHT, 0x00020003),
		ROW(HV_PARTITION_PROPERTY_CPU_GROUP_ID, 0x00020004),
		ROW(HV_PARTITION_PROPERTY_EMULATED_TIMER_PERIOD, 0x00030000),
		ROW(HV_PARTITION_PROPERTY_EMULATED_TIMER_CONTROL, 0x00030001),
		ROW(HV_PARTITION_PROPERTY_PM_TIMER_ASSIST, 0x00030002),
		ROW(HV_PARTITION_PROPERTY_TIME_FREEZE, 0x00030003),
		ROW(HV_PARTITION_PROPERTY_REFERENCE_TIME, 0x00030005),
		ROW(HV_PARTITION_PROPERTY_DEBUG_CHANNEL_ID, 0x00040000),
		ROW(HV_PARTITION_PROPERTY_VIRTUAL_TLB_PAGE_COUNT, 0x00050000),
		ROW(HV_PARTITION_PROPERTY_PROCESSOR_VENDOR, 0x00060000),
		ROW(HV_PARTITION_PROPERTY_PROCESSOR_FEATURES, 0x00060001),
		ROW(HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES, 0x00060002),
		ROW(HV_PARTITION_PROPERTY_PROCESSOR_CL_FLUSH_SIZE, 0x00060003),
		ROW(HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION, 0x00060005),
		ROW(HV_PARTITION_PROPERTY_GUEST_OS_ID, 0x00070000),
		/* TLFS 2.0 defaults (facts §4.8). */
		ROW(HV_CPU_CAP_DEFAULT, 0x10000),
		ROW(HV_CPU_WEIGHT_DEFAULT, 0x64),
		ROW(HV_PROCESSOR_VENDOR_AMD, 0),
		ROW(HV_PROCESSOR_VENDOR_INTEL, 1),
	};

	CHECK_ROWS(rows);
}

TEST(abi_misc_constants)
{
	static const struct row rows[] = {
		/* facts §4.11 (modern map flags) */
		ROW(HV_MAP_GPA_READABLE, 0x1),
		ROW(HV_MAP_GPA_WRITABLE, 0x2),
		ROW(HV_MAP_GPA_KERNEL_EXECUTABLE, 0x4),
		ROW(HV_MAP_GPA_USER_EXECUTABLE, 0x8),
		ROW(HV_MAP_GPA_EXECUTABLE, 0xC),
		ROW(HV_MAP_GPA_PERMISSIONS_MASK, 0xF),
		/* facts §4.9 */
		ROW(HV_PORT_TYPE_MESSAGE, 1),
		ROW(HV_PORT_TYPE_EVENT, 2),
		ROW(HV_PORT_TYPE_MONITOR, 3),
		ROW(HV_PORT_TYPE_DOORBELL, 4),
		ROW(HV_PORT_PROPERTY_POST_COUNT, 0),
		ROW(HV_PORT_PROPERTY_PREFERRED_TARGET_VP, 1),
		ROW(HV_PORT_MESSAGE_BUFFER_COUNT, 16),
		/* facts §4.10 */
		ROW(HV_MESSAGE_SIZE, 256),
		ROW(HV_MESSAGE_PAYLOAD_BYTE_COUNT, 240),
		ROW(HV_MESSAGE_PAYLOAD_QWORD_COUNT, 30),
		ROW(HV_MESSAGE_TYPE_NONE, 0),
		ROW(HV_MESSAGE_TYPE_HYPERVISOR_MASK, 0x80000000u),
		ROW(HV_MESSAGE_FLAG_PENDING, BIT(0)),
		ROW(HV_SYNIC_SCONTROL_ENABLE, BIT(0)),
		ROW(HV_SYNIC_SIMP_ENABLE, BIT(0)),
		ROW(HV_SYNIC_SIEFP_ENABLE, BIT(0)),
		ROW(HV_SYNIC_SINT_VECTOR_MASK, BITS(7, 0)),
		ROW(HV_SYNIC_SINT_MASKED, BIT(16)),
		ROW(HV_SYNIC_SINT_AUTO_EOI, BIT(17)),
		ROW(HV_SYNIC_SINT_DEFAULT, 0x10000),
		ROW(HV_SYNIC_VERSION_1, 1),
		ROW(HV_SYNIC_SINT_COUNT, 16),
		ROW(HV_EVENT_FLAGS_COUNT, 2048),
		/* Register names: facts §3.2, §4.10; spec.md §7. */
		ROW(HV_REGISTER_EXPLICIT_SUSPEND, 0x00000000),
		ROW(HV_REGISTER_INTERCEPT_SUSPEND, 0x00000001),
		ROW(HV_X64_REGISTER_RAX, 0x00020000),
		ROW(HV_X64_REGISTER_R15, 0x0002000F),
		ROW(HV_X64_REGISTER_RIP, 0x00020010),
		ROW(HV_X64_REGISTER_RFLAGS, 0x00020011),
		ROW(HV_X64_REGISTER_CR0, 0x00040000),
		ROW(HV_X64_REGISTER_CR3, 0x00040002),
		ROW(HV_X64_REGISTER_CR4, 0x00040003),
		ROW(HV_X64_REGISTER_EFER, 0x00080001),
		ROW(HV_REGISTER_GUEST_OS_ID, 0x00090002),
		ROW(HV_REGISTER_SINT0, 0x000A0000),
		ROW(HV_REGISTER_SINT15, 0x000A000F),
		ROW(HV_REGISTER_SCONTROL, 0x000A0010),
		ROW(HV_REGISTER_SVERSION, 0x000A0011),
		ROW(HV_REGISTER_SIEFP, 0x000A0012),
		ROW(HV_REGISTER_SIMP, 0x000A0013),
		ROW(HV_REGISTER_EOM, 0x000A0014),
		ROW(HV_SUBNODE_ANY, 0),
	};

	CHECK_ROWS(rows);
}

/* ---------------------------------------------------------------------- */
/* Parameter blocks (facts §3.2, §4.9, §4.10; spec.md §3.3, 4.1, 9).           */

TEST(abi_partition_structs)
{
	static const struct row rows[] = {
		/* 0x0040 x64: 56 bytes (seed 002 "AMD64 Layout") */
		SIZE(struct hv_input_create_partition, 56),
		OFF(struct hv_input_create_partition, flags, 0),
		OFF(struct hv_input_create_partition, proximity_domain_info, 8),
		OFF(struct hv_input_create_partition, compatibility_version, 16),
		FSIZE(struct hv_input_create_partition, compatibility_version, 4),
		OFF(struct hv_input_create_partition, padding, 20),
		OFF(struct hv_input_create_partition, disabled_processor_features, 24),
		FSIZE(struct hv_input_create_partition, disabled_processor_features, 16),
		OFF(struct hv_input_create_partition, disabled_processor_xsave_features, 40),
		OFF(struct hv_input_create_partition, isolation_properties, 48),
		/* 0x0040 arm64: 48 bytes, no XSAVE, ReservedZ0 at 40 */
		SIZE(struct hv_input_create_partition_arm64, 48),
		OFF(struct hv_input_create_partition_arm64, proximity_domain_info, 8),
		OFF(struct hv_input_create_partition_arm64, compatibility_version, 16),
		OFF(struct hv_input_create_partition_arm64, disabled_processor_features, 24),
		OFF(struct hv_input_create_partition_arm64, isolation_properties, 40),
		/* 0x0040 classic (seed 000): 16 bytes */
		SIZE(struct hv_input_create_partition_classic, 16),
		OFF(struct hv_input_create_partition_classic, proximity_domain_info, 8),
		SIZE(struct hv_output_create_partition, 8),
		/* 0x0041-0x0043: one partition id */
		SIZE(struct hv_input_initialize_partition, 8),
		SIZE(struct hv_input_finalize_partition, 8),
		SIZE(struct hv_input_delete_partition, 8),
		/* 0x0044: in 16, out 8 */
		SIZE(struct hv_input_get_partition_property, 16),
		OFF(struct hv_input_get_partition_property, property_code, 8),
		FSIZE(struct hv_input_get_partition_property, property_code, 4),
		SIZE(struct hv_output_get_partition_property, 8),
		/* 0x0045: in 24 */
		SIZE(struct hv_input_set_partition_property, 24),
		OFF(struct hv_input_set_partition_property, property_code, 8),
		OFF(struct hv_input_set_partition_property, property_value, 16),
		/* 0x0046: out 8 */
		SIZE(struct hv_output_get_partition_id, 8),
		/* 0x0047: in 16, out 8 */
		SIZE(struct hv_input_get_next_child_partition, 16),
		OFF(struct hv_input_get_next_child_partition, parent_id, 0),
		OFF(struct hv_input_get_next_child_partition, previous_child_id, 8),
		SIZE(struct hv_output_get_next_child_partition, 8),
	};

	CHECK_ROWS(rows);
}

TEST(abi_pool_and_gpa_structs)
{
	static const struct row rows[] = {
		/* 0x0048: header 8, elements from 8 */
		SIZE(struct hv_input_deposit_memory, 8),
		OFF(struct hv_input_deposit_memory, gpa_page_list, 8),
		/* 0x0049: header 16 */
		SIZE(struct hv_input_withdraw_memory, 16),
		OFF(struct hv_input_withdraw_memory, proximity_domain_info, 8),
		/* 0x004A: in 16, out 16 with PagesInUse at 8 (not 0) */
		SIZE(struct hv_input_get_memory_balance, 16),
		OFF(struct hv_input_get_memory_balance, proximity_domain_info, 8),
		SIZE(struct hv_output_get_memory_balance, 16),
		OFF(struct hv_output_get_memory_balance, pages_available, 0),
		OFF(struct hv_output_get_memory_balance, pages_in_use, 8),
		/* 0x004B: header 24, elements from 24 */
		SIZE(struct hv_input_map_gpa_pages, 24),
		OFF(struct hv_input_map_gpa_pages, target_gpa_base, 8),
		OFF(struct hv_input_map_gpa_pages, map_flags, 16),
		FSIZE(struct hv_input_map_gpa_pages, map_flags, 4),
		OFF(struct hv_input_map_gpa_pages, source_gpa_page_list, 24),
		/* 0x004C: modern 24-byte header */
		SIZE(struct hv_input_unmap_gpa_pages, 24),
		OFF(struct hv_input_unmap_gpa_pages, target_gpa_base, 8),
		OFF(struct hv_input_unmap_gpa_pages, unmap_flags, 16),
	};

	CHECK_ROWS(rows);
}

TEST(abi_vp_structs)
{
	static const struct row rows[] = {
		/* 0x004E: modern 40 bytes */
		SIZE(struct hv_input_create_vp, 40),
		OFF(struct hv_input_create_vp, partition_id, 0),
		OFF(struct hv_input_create_vp, vp_index, 8),
		FSIZE(struct hv_input_create_vp, vp_index, 4),
		OFF(struct hv_input_create_vp, subnode_type, 15),
		FSIZE(struct hv_input_create_vp, subnode_type, 1),
		OFF(struct hv_input_create_vp, subnode_id, 16),
		OFF(struct hv_input_create_vp, proximity_domain_info, 24),
		OFF(struct hv_input_create_vp, flags, 32),
		/* 0x004F: 16 */
		SIZE(struct hv_input_delete_vp, 16),
		OFF(struct hv_input_delete_vp, vp_index, 8),
		/* 0x0050 / 0x0051: header 16, InputVtl at 12 */
		SIZE(struct hv_input_get_vp_registers, 16),
		OFF(struct hv_input_get_vp_registers, vp_index, 8),
		OFF(struct hv_input_get_vp_registers, input_vtl, 12),
		OFF(struct hv_input_get_vp_registers, names, 16),
		FSIZE(struct hv_input_get_vp_registers, names[0], 4),
		SIZE(struct hv_input_set_vp_registers, 16),
		OFF(struct hv_input_set_vp_registers, input_vtl, 12),
		OFF(struct hv_input_set_vp_registers, elements, 16),
		/* Get output element 16; set element 32 with value at 16. */
		SIZE(union hv_register_value, 16),
		SIZE(struct hv_register_assoc, 32),
		OFF(struct hv_register_assoc, name, 0),
		FSIZE(struct hv_register_assoc, name, 4),
		OFF(struct hv_register_assoc, value, 16),
	};

	CHECK_ROWS(rows);
}

TEST(abi_port_structs)
{
	static const struct row rows[] = {
		/* HV_PORT_INFO: 24 bytes (facts §4.9) */
		SIZE(struct hv_port_info, 24),
		OFF(struct hv_port_info, port_type, 0),
		OFF(struct hv_port_info, message_port_info.target_sint, 8),
		OFF(struct hv_port_info, message_port_info.target_vp, 12),
		OFF(struct hv_port_info, event_port_info.target_sint, 8),
		OFF(struct hv_port_info, event_port_info.target_vp, 12),
		OFF(struct hv_port_info, event_port_info.base_flag_number, 16),
		FSIZE(struct hv_port_info, event_port_info.base_flag_number, 2),
		OFF(struct hv_port_info, event_port_info.flag_count, 18),
		FSIZE(struct hv_port_info, event_port_info.flag_count, 2),
		OFF(struct hv_port_info, monitor_port_info.monitor_address, 8),
		/* HV_CONNECTION_INFO: classic 16, modern 32 */
		SIZE(struct hv_connection_info_classic, 16),
		OFF(struct hv_connection_info_classic, monitor_address, 8),
		SIZE(struct hv_connection_info, 32),
		OFF(struct hv_connection_info, monitor_connection_info.monitor_address, 8),
		OFF(struct hv_connection_info, doorbell_connection_info.gpa, 8),
		OFF(struct hv_connection_info, doorbell_connection_info.trigger_value, 16),
		OFF(struct hv_connection_info, doorbell_connection_info.flags, 24),
		/* 0x0057 classic create port: 48 */
		SIZE(struct hv_input_create_port_classic, 48),
		OFF(struct hv_input_create_port_classic, port_id, 8),
		OFF(struct hv_input_create_port_classic, connection_partition_id, 16),
		OFF(struct hv_input_create_port_classic, port_info, 24),
		/* 0x0095 modern create port: 56 */
		SIZE(struct hv_input_create_port, 56),
		OFF(struct hv_input_create_port, port_id, 8),
		OFF(struct hv_input_create_port, port_vtl, 12),
		OFF(struct hv_input_create_port, min_connection_vtl, 13),
		OFF(struct hv_input_create_port, connection_partition_id, 16),
		OFF(struct hv_input_create_port, port_info, 24),
		OFF(struct hv_input_create_port, proximity_domain_info, 48),
		/* 0x0058: 16 */
		SIZE(struct hv_input_delete_port, 16),
		OFF(struct hv_input_delete_port, port_id, 8),
		/* 0x0059 classic connect port: 48 (spec.md §9) */
		SIZE(struct hv_input_connect_port_classic, 48),
		OFF(struct hv_input_connect_port_classic, connection_id, 8),
		OFF(struct hv_input_connect_port_classic, port_partition_id, 16),
		OFF(struct hv_input_connect_port_classic, port_id, 24),
		OFF(struct hv_input_connect_port_classic, connection_info, 32),
		/* 0x0096 modern connect port: 72 */
		SIZE(struct hv_input_connect_port, 72),
		OFF(struct hv_input_connect_port, connection_id, 8),
		OFF(struct hv_input_connect_port, connection_vtl, 12),
		OFF(struct hv_input_connect_port, port_partition_id, 16),
		OFF(struct hv_input_connect_port, port_id, 24),
		OFF(struct hv_input_connect_port, connection_info, 32),
		OFF(struct hv_input_connect_port, proximity_domain_info, 64),
		/* 0x005A: in 24, out 8 */
		SIZE(struct hv_input_get_port_property, 24),
		OFF(struct hv_input_get_port_property, port_id, 8),
		OFF(struct hv_input_get_port_property, property_code, 16),
		SIZE(struct hv_output_get_port_property, 8),
		/* 0x0070: in 32, out 8 */
		SIZE(struct hv_input_set_port_property, 32),
		OFF(struct hv_input_set_port_property, property_code, 16),
		OFF(struct hv_input_set_port_property, property_value, 24),
		SIZE(struct hv_output_set_port_property, 8),
		/* 0x005B: 16 */
		SIZE(struct hv_input_disconnect_port, 16),
		OFF(struct hv_input_disconnect_port, connection_id, 8),
	};

	CHECK_ROWS(rows);
}

TEST(abi_message_structs)
{
	static const struct row rows[] = {
		/* 0x005C: 256-byte input */
		SIZE(struct hv_input_post_message, 256),
		OFF(struct hv_input_post_message, connection_id, 0),
		OFF(struct hv_input_post_message, message_type, 8),
		OFF(struct hv_input_post_message, payload_size, 12),
		FSIZE(struct hv_input_post_message, payload_size, 4),
		OFF(struct hv_input_post_message, payload, 16),
		FSIZE(struct hv_input_post_message, payload, 240),
		/* 0x005D: 8-byte input */
		SIZE(struct hv_input_signal_event, 8),
		OFF(struct hv_input_signal_event, connection_id, 0),
		OFF(struct hv_input_signal_event, flag_number, 4),
		FSIZE(struct hv_input_signal_event, flag_number, 2),
		OFF(struct hv_input_signal_event, rsvdz, 6),
		/* HV_MESSAGE header (spec.md §9: size at byte 4, flags at 5) */
		SIZE(struct hv_message_header, 16),
		OFF(struct hv_message_header, message_type, 0),
		FSIZE(struct hv_message_header, message_type, 4),
		OFF(struct hv_message_header, payload_size, 4),
		FSIZE(struct hv_message_header, payload_size, 1),
		OFF(struct hv_message_header, message_flags, 5),
		FSIZE(struct hv_message_header, message_flags, 1),
		OFF(struct hv_message_header, reserved, 6),
		FSIZE(struct hv_message_header, reserved, 2),
		OFF(struct hv_message_header, origination_id, 8),
		OFF(struct hv_message_header, port, 8),
		FSIZE(struct hv_message_header, port, 4),
		SIZE(struct hv_message, 256),
		OFF(struct hv_message, payload, 16),
		/* SIM and SIEF pages: 16 slots of 256 bytes */
		SIZE(struct hv_message_page, 4096),
		SIZE(struct hv_synic_event_flags, 256),
		SIZE(struct hv_synic_event_flags_page, 4096),
	};

	CHECK_ROWS(rows);
}

/* ---------------------------------------------------------------------- */
/* The fixed contract of spec.md §2: limits and ohv_config_init's defaults.    */

TEST(abi_config_defaults)
{
	struct ohv_config cfg;

	memset(&cfg, 0x5A, sizeof(cfg));
	ohv_config_init(&cfg);

	const struct row rows[] = {
		ROW(OHV_ARCH_X64, 0),
		ROW(OHV_ARCH_ARM64, 1),
		ROW(OHV_MAX_VPS, 64),			/* spec.md §7 */
		ROW(OHV_MAX_NUMA_NODES, 64),		/* facts §4.1: 0-63 */
		/* spec.md §2 */
		ROW(cfg.arch, OHV_ARCH_X64),
		ROW(cfg.memory_pages, 16384),
		ROW(cfg.numa_nodes, 1),
		ROW(cfg.max_depth, 4),
		ROW(cfg.max_partitions, 1ull << 20),
		ROW(cfg.root_vps, 1),
		ROW(cfg.root_privileges, 0x000219FF000007FFull),
		/* spec.md §5.4 */
		ROW(cfg.costs.partition, 1),
		ROW(cfg.costs.initialize, 16),
		ROW(cfg.costs.vp, 8),
		ROW(cfg.costs.port, 2),
		ROW(cfg.costs.connection, 1),
		ROW(cfg.costs.gpa_table, 1),
		/* spec.md §3.2: the TLFS budget is about 50 us. */
		ROW(cfg.rep_budget_ns, 50000),
		ROW(cfg.rep_limit, 0),
	};

	CHECK_ROWS(rows);
}
