/* SPDX-License-Identifier: MIT */
/*
 * openhv — TLFS wire definitions.
 *
 * Only what crosses the hypercall boundary lives here: call codes, status
 * values, control/result word fields, privilege and flag bits, and the
 * input/output blocks of every call openhv implements.  Every definition is
 * written from the facts in the Hyper-V Top-Level Functional Specification
 * (TLFS 2.0 and the current markdown edition, "TLFS-md") and Linux's
 * include/hyperv headers where the TLFS is silent; docs/spec.md lists the
 * sources.  "spec.md §N" cites a section of docs/spec.md, "facts §N" an
 * entry of its appendix A (the TLFS parts each definition rests on).
 *
 * Names keep their TLFS/Linux spelling so they grep-match the spec.  All
 * structures are little-endian, naturally aligned, with explicit padding, and
 * each size and key offset is checked at compile time.
 */
#ifndef OPENHV_HV_H
#define OPENHV_HV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "openhv: the hypercall ABI is little-endian"
#endif

#ifdef __cplusplus
#define HV_STATIC_ASSERT static_assert
#else
#define HV_STATIC_ASSERT _Static_assert
#endif
#define HV_ASSERT_SIZE(type, size) \
	HV_STATIC_ASSERT(sizeof(type) == (size), #type " must be " #size " bytes")
#define HV_ASSERT_OFFSET(type, field, off) \
	HV_STATIC_ASSERT(offsetof(type, field) == (off), #type "." #field " must be at " #off)

typedef uint16_t hv_status_t;

#define HV_PAGE_SIZE		4096u
#define HV_PAGE_SHIFT		12
#define HV_LARGE_PAGE_SIZE	(2u * 1024 * 1024)
#define HV_GPA_BITS		52		/* spec.md §6: 52-bit GPA space */
#define HV_GPA_PAGE_LIMIT	(1ull << (HV_GPA_BITS - HV_PAGE_SHIFT))

/* ---------------------------------------------------------------------- */
/* Call codes (facts §3.1; TLFS 2.0 appendix B, TLFS-6.0b, Linux hvgdk).    */

#define HVCALL_SWITCH_VIRTUAL_ADDRESS_SPACE	0x0001
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE	0x0002
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST	0x0003
#define HVCALL_GET_LOGICAL_PROCESSOR_RUN_TIME	0x0004
#define HVCALL_NOTIFY_LONG_SPIN_WAIT		0x0008
#define HVCALL_CREATE_PARTITION			0x0040
#define HVCALL_INITIALIZE_PARTITION		0x0041
#define HVCALL_FINALIZE_PARTITION		0x0042
#define HVCALL_DELETE_PARTITION			0x0043
#define HVCALL_GET_PARTITION_PROPERTY		0x0044
#define HVCALL_SET_PARTITION_PROPERTY		0x0045
#define HVCALL_GET_PARTITION_ID			0x0046
#define HVCALL_GET_NEXT_CHILD_PARTITION		0x0047
#define HVCALL_DEPOSIT_MEMORY			0x0048
#define HVCALL_WITHDRAW_MEMORY			0x0049
#define HVCALL_GET_MEMORY_BALANCE		0x004A
#define HVCALL_MAP_GPA_PAGES			0x004B
#define HVCALL_UNMAP_GPA_PAGES			0x004C
#define HVCALL_INSTALL_INTERCEPT		0x004D
#define HVCALL_CREATE_VP			0x004E
#define HVCALL_DELETE_VP			0x004F
#define HVCALL_GET_VP_REGISTERS			0x0050
#define HVCALL_SET_VP_REGISTERS			0x0051
#define HVCALL_TRANSLATE_VIRTUAL_ADDRESS	0x0052
#define HVCALL_READ_GPA				0x0053
#define HVCALL_WRITE_GPA			0x0054
#define HVCALL_ASSERT_VIRTUAL_INTERRUPT_CLASSIC	0x0055
#define HVCALL_CLEAR_VIRTUAL_INTERRUPT		0x0056
#define HVCALL_CREATE_PORT_CLASSIC		0x0057	/* TLFS 2.0 layout */
#define HVCALL_DELETE_PORT			0x0058
#define HVCALL_CONNECT_PORT_CLASSIC		0x0059	/* TLFS 2.0 layout */
#define HVCALL_GET_PORT_PROPERTY		0x005A
#define HVCALL_DISCONNECT_PORT			0x005B
#define HVCALL_POST_MESSAGE			0x005C
#define HVCALL_SIGNAL_EVENT			0x005D
#define HVCALL_SAVE_PARTITION_STATE		0x005E
#define HVCALL_RESTORE_PARTITION_STATE		0x005F
#define HVCALL_MAP_STATS_PAGE			0x006C
#define HVCALL_UNMAP_STATS_PAGE			0x006D
#define HVCALL_MAP_SPARSE_GPA_PAGES		0x006E
#define HVCALL_SET_PORT_PROPERTY		0x0070
#define HVCALL_ASSERT_VIRTUAL_INTERRUPT		0x0094
#define HVCALL_CREATE_PORT			0x0095	/* modern, VTL-aware */
#define HVCALL_CONNECT_PORT			0x0096	/* modern, VTL-aware */
#define HVCALL_START_VIRTUAL_PROCESSOR		0x0099
#define HVCALL_SIGNAL_EVENT_DIRECT		0x00C0
#define HVCALL_POST_MESSAGE_DIRECT		0x00C1
#define HVCALL_DISPATCH_VP			0x00C2
#define HVCALL_GET_PARTITION_PROPERTY_EX	0x0101
#define HVCALL_SET_PARTITION_PROPERTY_EX	0x010A

/* ---------------------------------------------------------------------- */
/* Status values (facts §2).  0x0010, 0x0015 and 0x0033 follow spec.md §9.     */

#define HV_STATUS_SUCCESS				0x0000
#define HV_STATUS_INVALID_HYPERCALL_CODE		0x0002
#define HV_STATUS_INVALID_HYPERCALL_INPUT		0x0003
#define HV_STATUS_INVALID_ALIGNMENT			0x0004
#define HV_STATUS_INVALID_PARAMETER			0x0005
#define HV_STATUS_ACCESS_DENIED				0x0006
#define HV_STATUS_INVALID_PARTITION_STATE		0x0007
#define HV_STATUS_OPERATION_DENIED			0x0008
#define HV_STATUS_UNKNOWN_PROPERTY			0x0009
#define HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE		0x000A
#define HV_STATUS_INSUFFICIENT_MEMORY			0x000B
#define HV_STATUS_PARTITION_TOO_DEEP			0x000C
#define HV_STATUS_INVALID_PARTITION_ID			0x000D
#define HV_STATUS_INVALID_VP_INDEX			0x000E
#define HV_STATUS_NOT_FOUND				0x0010
#define HV_STATUS_INVALID_PORT_ID			0x0011
#define HV_STATUS_INVALID_CONNECTION_ID			0x0012
#define HV_STATUS_INSUFFICIENT_BUFFERS			0x0013
#define HV_STATUS_NOT_ACKNOWLEDGED			0x0014
#define HV_STATUS_INVALID_VP_STATE			0x0015
#define HV_STATUS_ACKNOWLEDGED				0x0016
#define HV_STATUS_INVALID_SAVE_RESTORE_STATE		0x0017
#define HV_STATUS_INVALID_SYNIC_STATE			0x0018
#define HV_STATUS_OBJECT_IN_USE				0x0019
#define HV_STATUS_INVALID_PROXIMITY_DOMAIN_INFO		0x001A
#define HV_STATUS_NO_DATA				0x001B
#define HV_STATUS_INACTIVE				0x001C
#define HV_STATUS_NO_RESOURCES				0x001D
#define HV_STATUS_FEATURE_UNAVAILABLE			0x001E
#define HV_STATUS_PARTIAL_PACKET			0x001F
#define HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED	0x0020
#define HV_STATUS_PROCESSOR_FEATURE_LAHFSAHF_NOT_SUPPORTED	0x0021
#define HV_STATUS_PROCESSOR_FEATURE_SSSE3_NOT_SUPPORTED		0x0022
#define HV_STATUS_PROCESSOR_FEATURE_SSE4_1_NOT_SUPPORTED	0x0023
#define HV_STATUS_PROCESSOR_FEATURE_SSE4_2_NOT_SUPPORTED	0x0024
#define HV_STATUS_PROCESSOR_FEATURE_SSE4A_NOT_SUPPORTED		0x0025
#define HV_STATUS_PROCESSOR_FEATURE_SSE5_NOT_SUPPORTED		0x0026
#define HV_STATUS_PROCESSOR_FEATURE_POPCNT_NOT_SUPPORTED	0x0027
#define HV_STATUS_PROCESSOR_FEATURE_CMPXCHG16B_NOT_SUPPORTED	0x0028
#define HV_STATUS_PROCESSOR_FEATURE_ALTMOVCR8_NOT_SUPPORTED	0x0029
#define HV_STATUS_PROCESSOR_FEATURE_LZCNT_NOT_SUPPORTED		0x002A
#define HV_STATUS_PROCESSOR_FEATURE_MISALIGNED_SSE_NOT_SUPPORTED 0x002B
#define HV_STATUS_PROCESSOR_FEATURE_MMX_EXT_NOT_SUPPORTED	0x002C
#define HV_STATUS_PROCESSOR_FEATURE_3DNOW_NOT_SUPPORTED		0x002D
#define HV_STATUS_PROCESSOR_FEATURE_EXTENDED_3DNOW_NOT_SUPPORTED 0x002E
#define HV_STATUS_PROCESSOR_FEATURE_PAGE_1GB_NOT_SUPPORTED	0x002F
#define HV_STATUS_PROCESSOR_CACHE_LINE_FLUSH_SIZE_INCOMPATIBLE	0x0030
#define HV_STATUS_PROCESSOR_FEATURE_XSAVE_NOT_SUPPORTED		0x0031
#define HV_STATUS_PROCESSOR_FEATURE_XSAVEOPT_NOT_SUPPORTED	0x0032
#define HV_STATUS_INSUFFICIENT_BUFFER			0x0033
#define HV_STATUS_PROCESSOR_FEATURE_XSAVE_AVX_NOT_SUPPORTED	0x0034
#define HV_STATUS_PROCESSOR_FEATURE_XSAVE_UNKNOWN_FEATURE_NOT_SUPPORTED 0x0035
#define HV_STATUS_PROCESSOR_XSAVE_SAVE_AREA_INCOMPATIBLE	0x0036
#define HV_STATUS_INCOMPATIBLE_PROCESSOR		0x0037
#define HV_STATUS_INSUFFICIENT_DEVICE_DOMAINS		0x0038
#define HV_STATUS_CPUID_FEATURE_VALIDATION_ERROR	0x003C
#define HV_STATUS_CPUID_XSAVE_FEATURE_VALIDATION_ERROR	0x003D
#define HV_STATUS_PROCESSOR_STARTUP_TIMEOUT		0x003E
#define HV_STATUS_SMX_ENABLED				0x003F
#define HV_STATUS_INVALID_LP_INDEX			0x0041
#define HV_STATUS_INVALID_REGISTER_VALUE		0x0050
#define HV_STATUS_INVALID_VTL_STATE			0x0051
#define HV_STATUS_NX_NOT_DETECTED			0x0055
#define HV_STATUS_INVALID_DEVICE_ID			0x0057
#define HV_STATUS_INVALID_DEVICE_STATE			0x0058
#define HV_STATUS_PENDING_PAGE_REQUESTS			0x0059
#define HV_STATUS_PAGE_REQUEST_INVALID			0x0060
#define HV_STATUS_KEY_ALREADY_EXISTS			0x0065
#define HV_STATUS_DEVICE_ALREADY_IN_DOMAIN		0x0066
#define HV_STATUS_INVALID_CPU_GROUP_ID			0x006F
#define HV_STATUS_INVALID_CPU_GROUP_STATE		0x0070
#define HV_STATUS_OPERATION_FAILED			0x0071
#define HV_STATUS_NOT_ALLOWED_WITH_NESTED_VIRT_ACTIVE	0x0072
#define HV_STATUS_INSUFFICIENT_ROOT_MEMORY		0x0073
#define HV_STATUS_EVENT_BUFFER_ALREADY_FREED		0x0074
#define HV_STATUS_TIME_OUT				0x0078
#define HV_STATUS_CALL_PENDING				0x0079
#define HV_STATUS_VTL_ALREADY_ENABLED			0x0086
#define HV_STATUS_UNKNOWN_REGISTER_NAME			0x0087

/* ---------------------------------------------------------------------- */
/* Hypercall input value ("control word"), facts §1.1, spec.md §3.1.          */

#define HV_HYPERCALL_CODE_MASK		0x000000000000FFFFull	/* 15:0  */
#define HV_HYPERCALL_FAST_BIT		0x0000000000010000ull	/* 16    */
#define HV_HYPERCALL_VARHEAD_OFFSET	17
#define HV_HYPERCALL_VARHEAD_MASK	0x0000000007FE0000ull	/* 26:17 */
#define HV_HYPERCALL_RSVD0_MASK		0x0000000078000000ull	/* 30:27 */
#define HV_HYPERCALL_NESTED		0x0000000080000000ull	/* 31    */
#define HV_HYPERCALL_REP_COMP_OFFSET	32
#define HV_HYPERCALL_REP_COUNT_MASK	0x00000FFF00000000ull	/* 43:32 */
#define HV_HYPERCALL_RSVD1_MASK		0x0000F00000000000ull	/* 47:44 */
#define HV_HYPERCALL_REP_START_OFFSET	48
#define HV_HYPERCALL_REP_START_MASK	0x0FFF000000000000ull	/* 59:48 */
#define HV_HYPERCALL_RSVD2_MASK		0xF000000000000000ull	/* 63:60 */
/* spec.md §3.2 step 2: openhv is the L0, so the nested bit counts as reserved. */
#define HV_HYPERCALL_RSVD_MASK \
	(HV_HYPERCALL_RSVD0_MASK | HV_HYPERCALL_NESTED | \
	 HV_HYPERCALL_RSVD1_MASK | HV_HYPERCALL_RSVD2_MASK)
#define HV_HYPERCALL_MAX_REPS		4095u

/* Hypercall result value, facts §1.2 (reserved field is 63:44, not 63:40). */
#define HV_HYPERCALL_RESULT_MASK	0x000000000000FFFFull	/* 15:0  */
#define HV_HYPERCALL_REP_COMP_MASK	0x00000FFF00000000ull	/* 43:32 */

/* Fast register blocks (facts §1.4, §1.5). */
#define HV_X64_FAST_INPUT_BYTES		112	/* RDX, R8, XMM0-XMM5 */
#define HV_ARM64_FAST_INPUT_BYTES	128	/* X2-X17 (SMCCC)     */
#define HV_ARM64_SMCCC_HVCALL_ID	0x46000001u

/* ---------------------------------------------------------------------- */
/* Special ids (facts §4.1).                                               */

#define HV_PARTITION_ID_INVALID		0x0000000000000000ull
#define HV_PARTITION_ID_SELF		0xFFFFFFFFFFFFFFFFull
#define HV_ANY_VP			0xFFFFFFFFu
#define HV_VP_INDEX_SELF		0xFFFFFFFEu
#define HV_PORT_ID_MASK			0x00FFFFFFu	/* bits 31:24 reserved */
#define HV_CONNECTION_ID_MASK		0x00FFFFFFu

/* ---------------------------------------------------------------------- */
/* HV_PARTITION_PRIVILEGE_MASK (facts §4.3), 64-bit masks.                 */

#define HV_PARTITION_PRIV_ACCESS_VP_RUNTIME_REG		(1ull << 0)
#define HV_PARTITION_PRIV_ACCESS_PARTITION_REF_COUNTER	(1ull << 1)
#define HV_PARTITION_PRIV_ACCESS_SYNIC_REGS		(1ull << 2)
#define HV_PARTITION_PRIV_ACCESS_SYNTHETIC_TIMER_REGS	(1ull << 3)
#define HV_PARTITION_PRIV_ACCESS_INTR_CTRL_REGS		(1ull << 4)
#define HV_PARTITION_PRIV_ACCESS_HYPERCALL_MSRS		(1ull << 5)
#define HV_PARTITION_PRIV_ACCESS_VP_INDEX		(1ull << 6)
#define HV_PARTITION_PRIV_ACCESS_RESET_REG		(1ull << 7)
#define HV_PARTITION_PRIV_ACCESS_STATS_REG		(1ull << 8)
#define HV_PARTITION_PRIV_ACCESS_PARTITION_REF_TSC	(1ull << 9)
#define HV_PARTITION_PRIV_ACCESS_GUEST_IDLE_REG		(1ull << 10)
#define HV_PARTITION_PRIV_ACCESS_FREQUENCY_REGS		(1ull << 11)
#define HV_PARTITION_PRIV_ACCESS_DEBUG_REGS		(1ull << 12)
#define HV_PARTITION_PRIV_ACCESS_REENLIGHTENMENT_CTRLS	(1ull << 13)
#define HV_PARTITION_PRIV_CREATE_PARTITIONS		(1ull << 32)
#define HV_PARTITION_PRIV_ACCESS_PARTITION_ID		(1ull << 33)
#define HV_PARTITION_PRIV_ACCESS_MEMORY_POOL		(1ull << 34)
#define HV_PARTITION_PRIV_ADJUST_MESSAGE_BUFFERS	(1ull << 35)
#define HV_PARTITION_PRIV_POST_MESSAGES			(1ull << 36)
#define HV_PARTITION_PRIV_SIGNAL_EVENTS			(1ull << 37)
#define HV_PARTITION_PRIV_CREATE_PORT			(1ull << 38)
#define HV_PARTITION_PRIV_CONNECT_PORT			(1ull << 39)
#define HV_PARTITION_PRIV_ACCESS_STATS			(1ull << 40)
#define HV_PARTITION_PRIV_DEBUGGING			(1ull << 43)
#define HV_PARTITION_PRIV_CPU_MANAGEMENT		(1ull << 44)
#define HV_PARTITION_PRIV_CONFIGURE_PROFILER		(1ull << 45)
#define HV_PARTITION_PRIV_ACCESS_VSM			(1ull << 48)
#define HV_PARTITION_PRIV_ACCESS_VP_REGISTERS		(1ull << 49)
#define HV_PARTITION_PRIV_ENABLE_EXTENDED_HYPERCALLS	(1ull << 52)
#define HV_PARTITION_PRIV_START_VIRTUAL_PROCESSOR	(1ull << 53)
#define HV_PARTITION_PRIV_ISOLATION			(1ull << 54)

/* ---------------------------------------------------------------------- */
/* HV_PARTITION_CREATION_FLAGS (facts §4.2, spec.md §4.1 step 2).              */

#define HV_PARTITION_CREATION_FLAG_SMT_ENABLED_GUEST			(1ull << 0)
#define HV_PARTITION_CREATION_FLAG_NESTED_VIRTUALIZATION_CAPABLE	(1ull << 1)
#define HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED		(1ull << 4)
#define HV_PARTITION_CREATION_FLAG_EXO_PARTITION			(1ull << 8)
#define HV_PARTITION_CREATION_FLAG_VTL1_OVERRIDE			(1ull << 9)
#define HV_PARTITION_CREATION_FLAG_VTL2_OVERRIDE			(1ull << 10)
#define HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED			(1ull << 13)
#define HV_PARTITION_CREATION_FLAG_ENABLE_PERFMON_PMU			(1ull << 15)
#define HV_PARTITION_CREATION_FLAG_ENABLE_PERFMON_LBR			(1ull << 16)
#define HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED	(1ull << 19)
#define HV_PARTITION_CREATION_FLAG_HYPERCALL_DOORBELL_PAGE_ENABLED	(1ull << 20)
#define HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE			(1ull << 22)
#define HV_PARTITION_CREATION_FLAGS_VALID \
	(HV_PARTITION_CREATION_FLAG_SMT_ENABLED_GUEST | \
	 HV_PARTITION_CREATION_FLAG_NESTED_VIRTUALIZATION_CAPABLE | \
	 HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED | \
	 HV_PARTITION_CREATION_FLAG_EXO_PARTITION | \
	 HV_PARTITION_CREATION_FLAG_VTL1_OVERRIDE | \
	 HV_PARTITION_CREATION_FLAG_VTL2_OVERRIDE | \
	 HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED | \
	 HV_PARTITION_CREATION_FLAG_ENABLE_PERFMON_PMU | \
	 HV_PARTITION_CREATION_FLAG_ENABLE_PERFMON_LBR | \
	 HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED | \
	 HV_PARTITION_CREATION_FLAG_HYPERCALL_DOORBELL_PAGE_ENABLED | \
	 HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE)
/* x64-only flags, accepted and ignored on arm64 (spec.md §4.1 step 2). */
#define HV_PARTITION_CREATION_FLAGS_X64_ONLY \
	(HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED | \
	 HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE)

/* ---------------------------------------------------------------------- */
/* HV_PROXIMITY_DOMAIN_INFO (facts §4.4).                                  */

#define HV_PROXIMITY_DOMAIN_PREFERRED	0x00000001u	/* flags bit 0     */
#define HV_PROXIMITY_DOMAIN_RSVD_MASK	0x7FFFFFFEu	/* flags bits 30:1 */
#define HV_PROXIMITY_DOMAIN_VALID	0x80000000u	/* flags bit 31    */

struct hv_proximity_domain_info {
	uint32_t domain_id;
	uint32_t flags;
};
HV_ASSERT_SIZE(struct hv_proximity_domain_info, 8);
HV_ASSERT_OFFSET(struct hv_proximity_domain_info, flags, 4);

/* HV_COMPATIBILITY_VERSION (facts §4.5). */
#define HV_MAKE_COMPATIBILITY_VERSION(major, minor) \
	((uint32_t)(((major) << 8) | (minor)))
#define HV_COMPATIBILITY_21_H2		HV_MAKE_COMPATIBILITY_VERSION(0x6, 0x9)

/* Isolation properties (facts §4.7): bits 4:0 type, must be 0 in openhv. */
#define HV_PARTITION_ISOLATION_TYPE_MASK	0x1Full
#define HV_PARTITION_ISOLATION_TYPE_NONE	0
#define HV_PARTITION_ISOLATION_TYPE_VBS		1
#define HV_PARTITION_ISOLATION_TYPE_SNP		2
#define HV_PARTITION_ISOLATION_TYPE_TDX		3

/* ---------------------------------------------------------------------- */
/* HV_PARTITION_PROPERTY_CODE (facts §4.8).                                */

#define HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS		0x00010000u
#define HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES	0x00010001u
#define HV_PARTITION_PROPERTY_SUSPEND			0x00020000u
#define HV_PARTITION_PROPERTY_CPU_RESERVE		0x00020001u
#define HV_PARTITION_PROPERTY_CPU_CAP			0x00020002u
#define HV_PARTITION_PROPERTY_CPU_WEIGHT		0x00020003u
#define HV_PARTITION_PROPERTY_CPU_GROUP_ID		0x00020004u
#define HV_PARTITION_PROPERTY_EMULATED_TIMER_PERIOD	0x00030000u
#define HV_PARTITION_PROPERTY_EMULATED_TIMER_CONTROL	0x00030001u
#define HV_PARTITION_PROPERTY_PM_TIMER_ASSIST		0x00030002u
#define HV_PARTITION_PROPERTY_TIME_FREEZE		0x00030003u
#define HV_PARTITION_PROPERTY_REFERENCE_TIME		0x00030005u
#define HV_PARTITION_PROPERTY_DEBUG_CHANNEL_ID		0x00040000u
#define HV_PARTITION_PROPERTY_VIRTUAL_TLB_PAGE_COUNT	0x00050000u
#define HV_PARTITION_PROPERTY_PROCESSOR_VENDOR		0x00060000u
#define HV_PARTITION_PROPERTY_PROCESSOR_FEATURES	0x00060001u
#define HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES	0x00060002u
#define HV_PARTITION_PROPERTY_PROCESSOR_CL_FLUSH_SIZE	0x00060003u
#define HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION	0x00060005u
#define HV_PARTITION_PROPERTY_GUEST_OS_ID		0x00070000u

/* TLFS 2.0 scheduling property ranges; 0x10000 is one full processor. */
#define HV_CPU_RESERVE_MAX		0x10000ull
#define HV_CPU_CAP_MAX			0x10000ull
#define HV_CPU_CAP_DEFAULT		0x10000ull
#define HV_CPU_WEIGHT_MIN		1ull
#define HV_CPU_WEIGHT_MAX		10000ull
#define HV_CPU_WEIGHT_DEFAULT		100ull

/* HV_PROCESSOR_VENDOR. */
#define HV_PROCESSOR_VENDOR_AMD		0x0000
#define HV_PROCESSOR_VENDOR_INTEL	0x0001
#define HV_PROCESSOR_VENDOR_HYGON	0x0002
#define HV_PROCESSOR_VENDOR_ARM		0x0010

/* ---------------------------------------------------------------------- */
/* Partition management inputs and outputs (facts §3.2).                   */

/* 0x0040, x64 (56 bytes; seed 002 "AMD64 Layout"). */
struct hv_input_create_partition {
	uint64_t flags;
	struct hv_proximity_domain_info proximity_domain_info;
	uint32_t compatibility_version;
	uint32_t padding;
	uint64_t disabled_processor_features[2];
	uint64_t disabled_processor_xsave_features;
	uint64_t isolation_properties;		/* seed 002: ReservedZ0 */
};
HV_ASSERT_SIZE(struct hv_input_create_partition, 56);
HV_ASSERT_OFFSET(struct hv_input_create_partition, proximity_domain_info, 8);
HV_ASSERT_OFFSET(struct hv_input_create_partition, compatibility_version, 16);
HV_ASSERT_OFFSET(struct hv_input_create_partition, disabled_processor_features, 24);
HV_ASSERT_OFFSET(struct hv_input_create_partition, disabled_processor_xsave_features, 40);
HV_ASSERT_OFFSET(struct hv_input_create_partition, isolation_properties, 48);

/* 0x0040, arm64 (48 bytes; seed 002 "ARM64 Layout"). */
struct hv_input_create_partition_arm64 {
	uint64_t flags;
	struct hv_proximity_domain_info proximity_domain_info;
	uint32_t compatibility_version;
	uint32_t padding;
	uint64_t disabled_processor_features[2];
	uint64_t isolation_properties;		/* seed 002: ReservedZ0 */
};
HV_ASSERT_SIZE(struct hv_input_create_partition_arm64, 48);
HV_ASSERT_OFFSET(struct hv_input_create_partition_arm64, disabled_processor_features, 24);
HV_ASSERT_OFFSET(struct hv_input_create_partition_arm64, isolation_properties, 40);

/* 0x0040, the 2013 layout of seed 000 (a prefix of both above). */
struct hv_input_create_partition_classic {
	uint64_t flags;
	struct hv_proximity_domain_info proximity_domain_info;
};
HV_ASSERT_SIZE(struct hv_input_create_partition_classic, 16);

struct hv_output_create_partition {
	uint64_t partition_id;
};
HV_ASSERT_SIZE(struct hv_output_create_partition, 8);

/* 0x0041 / 0x0042 / 0x0043: one partition id. */
struct hv_input_initialize_partition {
	uint64_t partition_id;
};
HV_ASSERT_SIZE(struct hv_input_initialize_partition, 8);

struct hv_input_finalize_partition {
	uint64_t partition_id;
};
HV_ASSERT_SIZE(struct hv_input_finalize_partition, 8);

struct hv_input_delete_partition {
	uint64_t partition_id;
};
HV_ASSERT_SIZE(struct hv_input_delete_partition, 8);

/* 0x0044 */
struct hv_input_get_partition_property {
	uint64_t partition_id;
	uint32_t property_code;
	uint32_t padding;
};
HV_ASSERT_SIZE(struct hv_input_get_partition_property, 16);
HV_ASSERT_OFFSET(struct hv_input_get_partition_property, property_code, 8);

struct hv_output_get_partition_property {
	uint64_t property_value;
};
HV_ASSERT_SIZE(struct hv_output_get_partition_property, 8);

/* 0x0045 */
struct hv_input_set_partition_property {
	uint64_t partition_id;
	uint32_t property_code;
	uint32_t padding;
	uint64_t property_value;
};
HV_ASSERT_SIZE(struct hv_input_set_partition_property, 24);
HV_ASSERT_OFFSET(struct hv_input_set_partition_property, property_code, 8);
HV_ASSERT_OFFSET(struct hv_input_set_partition_property, property_value, 16);

/* 0x0046: no input. */
struct hv_output_get_partition_id {
	uint64_t partition_id;
};
HV_ASSERT_SIZE(struct hv_output_get_partition_id, 8);

/* 0x0047 */
struct hv_input_get_next_child_partition {
	uint64_t parent_id;
	uint64_t previous_child_id;
};
HV_ASSERT_SIZE(struct hv_input_get_next_child_partition, 16);
HV_ASSERT_OFFSET(struct hv_input_get_next_child_partition, previous_child_id, 8);

struct hv_output_get_next_child_partition {
	uint64_t next_child_id;
};
HV_ASSERT_SIZE(struct hv_output_get_next_child_partition, 8);

/* ---------------------------------------------------------------------- */
/* Memory pools (facts §3.2, 0x0048-0x004A).                               */

/* 0x0048, rep: 8-byte header, then GPA page numbers. */
struct hv_input_deposit_memory {
	uint64_t partition_id;
	uint64_t gpa_page_list[];
};
HV_ASSERT_SIZE(struct hv_input_deposit_memory, 8);
#define HV_DEPOSIT_MAX_PAGES	((HV_PAGE_SIZE - 8) / 8)	/* 511 */

/* 0x0049, rep: 16-byte header; output elements are GPA page numbers. */
struct hv_input_withdraw_memory {
	uint64_t partition_id;
	struct hv_proximity_domain_info proximity_domain_info;
};
HV_ASSERT_SIZE(struct hv_input_withdraw_memory, 16);
HV_ASSERT_OFFSET(struct hv_input_withdraw_memory, proximity_domain_info, 8);

/* Output: a list of GPA page numbers, 8 bytes each. */
#define HV_WITHDRAW_MAX_PAGES	(HV_PAGE_SIZE / 8)		/* 512 */

/* 0x004A */
struct hv_input_get_memory_balance {
	uint64_t partition_id;
	struct hv_proximity_domain_info proximity_domain_info;
};
HV_ASSERT_SIZE(struct hv_input_get_memory_balance, 16);

struct hv_output_get_memory_balance {
	uint64_t pages_available;
	uint64_t pages_in_use;
};
HV_ASSERT_SIZE(struct hv_output_get_memory_balance, 16);
HV_ASSERT_OFFSET(struct hv_output_get_memory_balance, pages_in_use, 8);

/* ---------------------------------------------------------------------- */
/* GPA mapping (facts §3.2 0x004B/0x004C, §4.11; spec.md §6).                  */

#define HV_MAP_GPA_READABLE		0x00000001u
#define HV_MAP_GPA_WRITABLE		0x00000002u
#define HV_MAP_GPA_KERNEL_EXECUTABLE	0x00000004u
#define HV_MAP_GPA_USER_EXECUTABLE	0x00000008u
#define HV_MAP_GPA_EXECUTABLE		0x0000000Cu
#define HV_MAP_GPA_PERMISSIONS_MASK	0x0000000Fu

struct hv_input_map_gpa_pages {
	uint64_t target_partition_id;
	uint64_t target_gpa_base;
	uint32_t map_flags;
	uint32_t padding;
	uint64_t source_gpa_page_list[];
};
HV_ASSERT_SIZE(struct hv_input_map_gpa_pages, 24);
HV_ASSERT_OFFSET(struct hv_input_map_gpa_pages, map_flags, 16);
#define HV_MAP_GPA_BATCH_SIZE	((HV_PAGE_SIZE - 24) / 8)	/* 509 */

/* Modern 24-byte header (spec.md §3.3). */
struct hv_input_unmap_gpa_pages {
	uint64_t target_partition_id;
	uint64_t target_gpa_base;
	uint32_t unmap_flags;
	uint32_t padding;
};
HV_ASSERT_SIZE(struct hv_input_unmap_gpa_pages, 24);
HV_ASSERT_OFFSET(struct hv_input_unmap_gpa_pages, unmap_flags, 16);

/* ---------------------------------------------------------------------- */
/* Virtual processors (facts §3.2 0x004E-0x0051; spec.md §7).                  */

#define HV_SUBNODE_ANY		0

/* Modern 40-byte layout. */
struct hv_input_create_vp {
	uint64_t partition_id;
	uint32_t vp_index;
	uint8_t padding[3];
	uint8_t subnode_type;
	uint64_t subnode_id;
	struct hv_proximity_domain_info proximity_domain_info;
	uint64_t flags;
};
HV_ASSERT_SIZE(struct hv_input_create_vp, 40);
HV_ASSERT_OFFSET(struct hv_input_create_vp, vp_index, 8);
HV_ASSERT_OFFSET(struct hv_input_create_vp, subnode_type, 15);
HV_ASSERT_OFFSET(struct hv_input_create_vp, subnode_id, 16);
HV_ASSERT_OFFSET(struct hv_input_create_vp, proximity_domain_info, 24);
HV_ASSERT_OFFSET(struct hv_input_create_vp, flags, 32);

struct hv_input_delete_vp {
	uint64_t partition_id;
	uint32_t vp_index;
	uint32_t padding;
};
HV_ASSERT_SIZE(struct hv_input_delete_vp, 16);

/* Register names (Linux hvgdk_mini.h, TLFS-md hv_register_name). */
#define HV_REGISTER_EXPLICIT_SUSPEND	0x00000000u
#define HV_REGISTER_INTERCEPT_SUSPEND	0x00000001u
#define HV_X64_REGISTER_RAX		0x00020000u
#define HV_X64_REGISTER_RCX		0x00020001u
#define HV_X64_REGISTER_RDX		0x00020002u
#define HV_X64_REGISTER_RBX		0x00020003u
#define HV_X64_REGISTER_RSP		0x00020004u
#define HV_X64_REGISTER_RBP		0x00020005u
#define HV_X64_REGISTER_RSI		0x00020006u
#define HV_X64_REGISTER_RDI		0x00020007u
#define HV_X64_REGISTER_R8		0x00020008u
#define HV_X64_REGISTER_R9		0x00020009u
#define HV_X64_REGISTER_R10		0x0002000Au
#define HV_X64_REGISTER_R11		0x0002000Bu
#define HV_X64_REGISTER_R12		0x0002000Cu
#define HV_X64_REGISTER_R13		0x0002000Du
#define HV_X64_REGISTER_R14		0x0002000Eu
#define HV_X64_REGISTER_R15		0x0002000Fu
#define HV_X64_REGISTER_RIP		0x00020010u
#define HV_X64_REGISTER_RFLAGS		0x00020011u
#define HV_X64_REGISTER_CR0		0x00040000u
#define HV_X64_REGISTER_CR2		0x00040001u
#define HV_X64_REGISTER_CR3		0x00040002u
#define HV_X64_REGISTER_CR4		0x00040003u
#define HV_X64_REGISTER_CR8		0x00040004u
#define HV_X64_REGISTER_ES		0x00060000u
#define HV_X64_REGISTER_CS		0x00060001u
#define HV_X64_REGISTER_SS		0x00060002u
#define HV_X64_REGISTER_DS		0x00060003u
#define HV_X64_REGISTER_FS		0x00060004u
#define HV_X64_REGISTER_GS		0x00060005u
#define HV_X64_REGISTER_LDTR		0x00060006u
#define HV_X64_REGISTER_TR		0x00060007u
#define HV_X64_REGISTER_IDTR		0x00070000u
#define HV_X64_REGISTER_GDTR		0x00070001u
#define HV_X64_REGISTER_EFER		0x00080001u
#define HV_X64_REGISTER_HYPERCALL	0x00090001u	/* the hypercall MSR */
#define HV_REGISTER_GUEST_OS_ID		0x00090002u
#define HV_REGISTER_REFERENCE_TSC	0x00090017u	/* its MSR, 0x40000021 */
/* "Intermediate" control registers: as if the guest had moved the value
 * into the register (hvgdk_mini.h); openhv has no guest/host masks, so
 * each is its register. */
#define HV_X64_REGISTER_INTERMEDIATE_CR0	0x00041000u
#define HV_X64_REGISTER_INTERMEDIATE_CR3	0x00041002u
#define HV_X64_REGISTER_INTERMEDIATE_CR4	0x00041003u
#define HV_X64_REGISTER_INTERMEDIATE_CR8	0x00041004u
#define HV_REGISTER_SINT0		0x000A0000u
#define HV_REGISTER_SINT15		0x000A000Fu
#define HV_REGISTER_SCONTROL		0x000A0010u
#define HV_REGISTER_SVERSION		0x000A0011u
#define HV_REGISTER_SIEFP		0x000A0012u
#define HV_REGISTER_SIMP		0x000A0013u
#define HV_REGISTER_EOM			0x000A0014u

struct hv_x64_segment_register {
	uint64_t base;
	uint32_t limit;
	uint16_t selector;
	uint16_t attributes;
};
HV_ASSERT_SIZE(struct hv_x64_segment_register, 16);
HV_ASSERT_OFFSET(struct hv_x64_segment_register, selector, 12);

struct hv_x64_table_register {
	uint16_t pad[3];
	uint16_t limit;
	uint64_t base;
};
HV_ASSERT_SIZE(struct hv_x64_table_register, 16);
HV_ASSERT_OFFSET(struct hv_x64_table_register, limit, 6);

union hv_register_value {
	uint64_t reg64;
	uint32_t reg32;
	uint16_t reg16;
	uint8_t reg8;
	uint64_t reg128[2];
	struct hv_x64_segment_register segment;
	struct hv_x64_table_register table;
};
HV_ASSERT_SIZE(union hv_register_value, 16);

/* 0x0050 header; input elements are 4-byte names, output 16-byte values. */
struct hv_input_get_vp_registers {
	uint64_t partition_id;
	uint32_t vp_index;
	uint8_t input_vtl;
	uint8_t reserved[3];
	uint32_t names[];
};
HV_ASSERT_SIZE(struct hv_input_get_vp_registers, 16);
HV_ASSERT_OFFSET(struct hv_input_get_vp_registers, input_vtl, 12);

/* 0x0051 element. */
struct hv_register_assoc {
	uint32_t name;
	uint32_t reserved1;
	uint64_t reserved2;
	union hv_register_value value;
};
HV_ASSERT_SIZE(struct hv_register_assoc, 32);
HV_ASSERT_OFFSET(struct hv_register_assoc, value, 16);

struct hv_input_set_vp_registers {
	uint64_t partition_id;
	uint32_t vp_index;
	uint8_t input_vtl;
	uint8_t reserved[3];
	struct hv_register_assoc elements[];
};
HV_ASSERT_SIZE(struct hv_input_set_vp_registers, 16);

/* SynIC register bits (facts §4.10). */
#define HV_SYNIC_SCONTROL_ENABLE	0x1ull
#define HV_SYNIC_SIMP_ENABLE		0x1ull
#define HV_SYNIC_SIEFP_ENABLE		0x1ull
#define HV_SYNIC_SINT_VECTOR_MASK	0xFFull
#define HV_SYNIC_SINT_MASKED		(1ull << 16)
#define HV_SYNIC_SINT_AUTO_EOI		(1ull << 17)
#define HV_SYNIC_SINT_DEFAULT		HV_SYNIC_SINT_MASKED
#define HV_SYNIC_VERSION_1		0x1ull
#define HV_SYNIC_SINT_COUNT		16
#define HV_EVENT_FLAGS_COUNT		(256 * 8)

/* ---------------------------------------------------------------------- */
/* Ports and connections (facts §3.2 0x0057-0x005D, 0x0070, 0x0095/6;      */
/* facts §4.9).                                                            */

#define HV_PORT_TYPE_MESSAGE	1u
#define HV_PORT_TYPE_EVENT	2u
#define HV_PORT_TYPE_MONITOR	3u
#define HV_PORT_TYPE_DOORBELL	4u

#define HV_PORT_PROPERTY_POST_COUNT		0u
#define HV_PORT_PROPERTY_PREFERRED_TARGET_VP	1u

#define HV_PORT_MESSAGE_BUFFER_COUNT	16	/* per message port */

struct hv_port_info {
	uint32_t port_type;
	uint32_t padding;
	union {
		struct {
			uint32_t target_sint;
			uint32_t target_vp;
			uint64_t rsvdz;
		} message_port_info;
		struct {
			uint32_t target_sint;
			uint32_t target_vp;
			uint16_t base_flag_number;
			uint16_t flag_count;
			uint32_t rsvdz;
		} event_port_info;
		struct {
			uint64_t monitor_address;
			uint64_t rsvdz;
		} monitor_port_info;
	};
};
HV_ASSERT_SIZE(struct hv_port_info, 24);
HV_ASSERT_OFFSET(struct hv_port_info, message_port_info.target_sint, 8);
HV_ASSERT_OFFSET(struct hv_port_info, message_port_info.target_vp, 12);
HV_ASSERT_OFFSET(struct hv_port_info, event_port_info.base_flag_number, 16);
HV_ASSERT_OFFSET(struct hv_port_info, event_port_info.flag_count, 18);
HV_ASSERT_OFFSET(struct hv_port_info, monitor_port_info.monitor_address, 8);

/* Classic 16-byte HV_CONNECTION_INFO (TLFS 2.0 §14.8.9; spec.md §3.3). */
struct hv_connection_info_classic {
	uint32_t port_type;
	uint32_t padding;
	union {
		uint64_t rsvdz;
		uint64_t monitor_address;
	};
};
HV_ASSERT_SIZE(struct hv_connection_info_classic, 16);

/* Modern 32-byte HV_CONNECTION_INFO (union grows for doorbells). */
struct hv_connection_info {
	uint32_t port_type;
	uint32_t padding;
	union {
		struct {
			uint64_t rsvdz;
		} message_connection_info;
		struct {
			uint64_t rsvdz;
		} event_connection_info;
		struct {
			uint64_t monitor_address;
		} monitor_connection_info;
		struct {
			uint64_t gpa;
			uint64_t trigger_value;
			uint64_t flags;
		} doorbell_connection_info;
	};
};
HV_ASSERT_SIZE(struct hv_connection_info, 32);
HV_ASSERT_OFFSET(struct hv_connection_info, monitor_connection_info.monitor_address, 8);

/* 0x0057, classic 48 bytes. */
struct hv_input_create_port_classic {
	uint64_t port_partition_id;
	uint32_t port_id;
	uint32_t padding;
	uint64_t connection_partition_id;
	struct hv_port_info port_info;
};
HV_ASSERT_SIZE(struct hv_input_create_port_classic, 48);
HV_ASSERT_OFFSET(struct hv_input_create_port_classic, connection_partition_id, 16);
HV_ASSERT_OFFSET(struct hv_input_create_port_classic, port_info, 24);

/* 0x0095, modern 56 bytes. */
struct hv_input_create_port {
	uint64_t port_partition_id;
	uint32_t port_id;
	uint8_t port_vtl;
	uint8_t min_connection_vtl;
	uint16_t padding;
	uint64_t connection_partition_id;
	struct hv_port_info port_info;
	struct hv_proximity_domain_info proximity_domain_info;
};
HV_ASSERT_SIZE(struct hv_input_create_port, 56);
HV_ASSERT_OFFSET(struct hv_input_create_port, port_vtl, 12);
HV_ASSERT_OFFSET(struct hv_input_create_port, min_connection_vtl, 13);
HV_ASSERT_OFFSET(struct hv_input_create_port, connection_partition_id, 16);
HV_ASSERT_OFFSET(struct hv_input_create_port, port_info, 24);
HV_ASSERT_OFFSET(struct hv_input_create_port, proximity_domain_info, 48);

/* 0x0058 */
struct hv_input_delete_port {
	uint64_t port_partition_id;
	uint32_t port_id;
	uint32_t reserved;
};
HV_ASSERT_SIZE(struct hv_input_delete_port, 16);

/* 0x0059, classic 48 bytes (spec.md §9: ConnectionInfo is 16). */
struct hv_input_connect_port_classic {
	uint64_t connection_partition_id;
	uint32_t connection_id;
	uint32_t padding1;
	uint64_t port_partition_id;
	uint32_t port_id;
	uint32_t padding2;
	struct hv_connection_info_classic connection_info;
};
HV_ASSERT_SIZE(struct hv_input_connect_port_classic, 48);
HV_ASSERT_OFFSET(struct hv_input_connect_port_classic, port_partition_id, 16);
HV_ASSERT_OFFSET(struct hv_input_connect_port_classic, port_id, 24);
HV_ASSERT_OFFSET(struct hv_input_connect_port_classic, connection_info, 32);

/* 0x0096, modern 72 bytes. */
struct hv_input_connect_port {
	uint64_t connection_partition_id;
	uint32_t connection_id;
	uint8_t connection_vtl;
	uint8_t rsvdz0;
	uint16_t rsvdz1;
	uint64_t port_partition_id;
	uint32_t port_id;
	uint32_t reserved2;
	struct hv_connection_info connection_info;
	struct hv_proximity_domain_info proximity_domain_info;
};
HV_ASSERT_SIZE(struct hv_input_connect_port, 72);
HV_ASSERT_OFFSET(struct hv_input_connect_port, connection_vtl, 12);
HV_ASSERT_OFFSET(struct hv_input_connect_port, port_partition_id, 16);
HV_ASSERT_OFFSET(struct hv_input_connect_port, port_id, 24);
HV_ASSERT_OFFSET(struct hv_input_connect_port, connection_info, 32);
HV_ASSERT_OFFSET(struct hv_input_connect_port, proximity_domain_info, 64);

/* 0x005A */
struct hv_input_get_port_property {
	uint64_t port_partition_id;
	uint32_t port_id;
	uint32_t padding1;
	uint32_t property_code;
	uint32_t padding2;
};
HV_ASSERT_SIZE(struct hv_input_get_port_property, 24);
HV_ASSERT_OFFSET(struct hv_input_get_port_property, property_code, 16);

struct hv_output_get_port_property {
	uint64_t property_value;
};
HV_ASSERT_SIZE(struct hv_output_get_port_property, 8);

/* 0x0070 */
struct hv_input_set_port_property {
	uint64_t port_partition_id;
	uint32_t port_id;
	uint32_t padding1;
	uint32_t property_code;
	uint32_t padding2;
	uint64_t property_value;
};
HV_ASSERT_SIZE(struct hv_input_set_port_property, 32);
HV_ASSERT_OFFSET(struct hv_input_set_port_property, property_value, 24);

struct hv_output_set_port_property {
	uint64_t property_value;
};
HV_ASSERT_SIZE(struct hv_output_set_port_property, 8);

/* 0x005B */
struct hv_input_disconnect_port {
	uint64_t connection_partition_id;
	uint32_t connection_id;
	uint32_t is_doorbell;		/* Linux: bit 0; padding in TLFS 2.0 */
};
HV_ASSERT_SIZE(struct hv_input_disconnect_port, 16);

/* SynIC messages (facts §4.10; spec.md §9: payload size at byte 4). */
#define HV_MESSAGE_SIZE			256
#define HV_MESSAGE_PAYLOAD_BYTE_COUNT	240
#define HV_MESSAGE_PAYLOAD_QWORD_COUNT	30
#define HV_MESSAGE_TYPE_NONE		0x00000000u
#define HV_MESSAGE_TYPE_HYPERVISOR_MASK	0x80000000u
#define HV_MESSAGE_FLAG_PENDING		0x01u

struct hv_message_header {
	uint32_t message_type;
	uint8_t payload_size;
	uint8_t message_flags;
	uint16_t reserved;
	union {
		uint64_t origination_id;
		uint64_t sender;
		uint32_t port;
	};
};
HV_ASSERT_SIZE(struct hv_message_header, 16);
HV_ASSERT_OFFSET(struct hv_message_header, payload_size, 4);
HV_ASSERT_OFFSET(struct hv_message_header, message_flags, 5);
HV_ASSERT_OFFSET(struct hv_message_header, origination_id, 8);

struct hv_message {
	struct hv_message_header header;
	uint64_t payload[HV_MESSAGE_PAYLOAD_QWORD_COUNT];
};
HV_ASSERT_SIZE(struct hv_message, HV_MESSAGE_SIZE);

struct hv_message_page {
	struct hv_message sint_message[HV_SYNIC_SINT_COUNT];
};
HV_ASSERT_SIZE(struct hv_message_page, HV_PAGE_SIZE);

struct hv_synic_event_flags {
	uint8_t flags8[HV_EVENT_FLAGS_COUNT / 8];
};
HV_ASSERT_SIZE(struct hv_synic_event_flags, 256);

struct hv_synic_event_flags_page {
	struct hv_synic_event_flags sintevent_flags[HV_SYNIC_SINT_COUNT];
};
HV_ASSERT_SIZE(struct hv_synic_event_flags_page, HV_PAGE_SIZE);

/* 0x005C: 256-byte input. */
struct hv_input_post_message {
	uint32_t connection_id;
	uint32_t padding;
	uint32_t message_type;
	uint32_t payload_size;
	uint64_t payload[HV_MESSAGE_PAYLOAD_QWORD_COUNT];
};
HV_ASSERT_SIZE(struct hv_input_post_message, 256);
HV_ASSERT_OFFSET(struct hv_input_post_message, message_type, 8);
HV_ASSERT_OFFSET(struct hv_input_post_message, payload_size, 12);
HV_ASSERT_OFFSET(struct hv_input_post_message, payload, 16);

/* 0x005D: 8-byte input. */
struct hv_input_signal_event {
	uint32_t connection_id;
	uint16_t flag_number;
	uint16_t rsvdz;
};
HV_ASSERT_SIZE(struct hv_input_signal_event, 8);
HV_ASSERT_OFFSET(struct hv_input_signal_event, flag_number, 4);


/* ---------------------------------------------------------------------- */
/* The Linux root's wider surface (spec.md §10).  Layouts: Linux               */
/* include/hyperv/hvgdk_mini.h, hvhdk_mini.h, hvhdk.h (facts; written here  */
/* from their offsets).                                                    */

#define HVCALL_GET_SYSTEM_PROPERTY		0x007B
#define HVCALL_NOTIFY_PORT_RING_EMPTY		0x008B
#define HVCALL_REGISTER_INTERCEPT_RESULT	0x0091
#define HVCALL_GET_GPA_PAGES_ACCESS_STATES	0x00C9
#define HVCALL_MAP_VP_STATE_PAGE		0x00E1
#define HVCALL_UNMAP_VP_STATE_PAGE		0x00E2
#define HVCALL_GET_VP_STATE			0x00E3
#define HVCALL_SET_VP_STATE			0x00E4
#define HVCALL_GET_VP_CPUID_VALUES		0x00F4

/* Partition properties (hvhdk_mini.h hv_partition_property_code). */
#define HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING	0x00050005u
#define HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION	0x00050017u
#define HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH	0x00060006u
#define HV_PARTITION_PROPERTY_XSAVE_STATES		0x00060007u
#define HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE	0x00060008u
#define HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY	0x00060009u
#define HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0	0x0006000Au
#define HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1	0x0006000Bu
#define HV_PARTITION_PROPERTY_VMM_CAPABILITIES		0x00090007u
#define HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC_PROC_FEATURES 0x00090009u

#define HV_UNIMPLEMENTED_MSR_ACTION_FAULT		0
#define HV_UNIMPLEMENTED_MSR_ACTION_IGNORE_WRITE_READ_ZERO 1

/* HV_PARTITION_PROCESSOR_XSAVE_FEATURES bits used here (hvhdk.h). */
#define HV_XSAVE_FEATURE_XSAVE		(1ull << 0)
#define HV_XSAVE_FEATURE_XSAVEOPT	(1ull << 1)
#define HV_XSAVE_FEATURE_AVX		(1ull << 2)
#define HV_XSAVE_FEATURE_XSAVE_COMP	(1ull << 11)
/* Defined bits of each bank (the rest are reserved bit fields). */
#define HV_PROCESSOR_FEATURES0_DEFINED	0x7FFFFFFFFFFFFFFFull
#define HV_PROCESSOR_FEATURES1_DEFINED	0x0FFFFFFFFFFFFFFFull
#define HV_XSAVE_FEATURES_DEFINED	0x000000FFFFFFFFFFull
#define HV_SYNTHETIC_PROC_FEATURES_DEFINED 0x003FFFFFFFFFFFFFull

/* XCR0 / XFEM state components. */
#define HV_XSAVE_STATE_X87		(1ull << 0)
#define HV_XSAVE_STATE_SSE		(1ull << 1)
#define HV_XSAVE_STATE_AVX		(1ull << 2)
#define HV_XSAVE_LEGACY_SIZE		512u
#define HV_XSAVE_HEADER_SIZE		64u
#define HV_XSAVE_AVX_SIZE		256u

/* 0x007B (hvhdk_mini.h): 8-byte input, 8-byte output. */
#define HV_SYSTEM_PROPERTY_SCHEDULER_TYPE		15u
#define HV_DYNAMIC_PROCESSOR_FEATURE_PROPERTY		21u
#define HV_X64_DYNAMIC_PROCESSOR_FEATURE_MAX_ENCRYPTED_PARTITIONS 13u
#define HV_X64_DYNAMIC_PROCESSOR_FEATURE_SNP_STATUS	16u
#define HV_SCHEDULER_TYPE_LP		1u
#define HV_SCHEDULER_TYPE_LP_SMT	2u
#define HV_SCHEDULER_TYPE_CORE_SMT	3u	/* the "core" scheduler */
#define HV_SCHEDULER_TYPE_ROOT		4u

struct hv_input_get_system_property {
	uint32_t property_id;
	uint32_t argument;		/* e.g. a dynamic processor feature */
};
HV_ASSERT_SIZE(struct hv_input_get_system_property, 8);

struct hv_output_get_system_property {
	uint64_t value;			/* scheduler_type in bits 31:0 */
};
HV_ASSERT_SIZE(struct hv_output_get_system_property, 8);

/* 0x0101 (hvhdk.h): 24-byte input, output one page minus the input. */
struct hv_input_get_partition_property_ex {
	uint64_t partition_id;
	uint32_t property_code;
	uint32_t padding;
	uint64_t arg;
};
HV_ASSERT_SIZE(struct hv_input_get_partition_property_ex, 24);
HV_ASSERT_OFFSET(struct hv_input_get_partition_property_ex, arg, 16);

#define HV_PARTITION_PROPERTY_EX_MAX_VAR_SIZE	(HV_PAGE_SIZE - 24)

/* VMM capabilities and the assignable synthetic features: a bank count,
 * then the banks. */
struct hv_partition_property_banks {
	uint16_t bank_count;
	uint16_t reserved[3];
	uint64_t bank[1];
};
HV_ASSERT_SIZE(struct hv_partition_property_banks, 16);

#define HV_VMM_CAP_MAP_GPA_PRESERVE_ADJUSTABLE		(1ull << 0)
#define HV_VMM_CAP_ASSIGNABLE_SYNTHETIC_PROC_FEATURES	(1ull << 4)

struct hv_output_get_partition_property_ex {
	uint8_t buffer[HV_PARTITION_PROPERTY_EX_MAX_VAR_SIZE];
};
HV_ASSERT_SIZE(struct hv_output_get_partition_property_ex, 4072);

/* 0x00E1 / 0x00E2 (hvhdk.h). */
#define HV_VP_STATE_PAGE_REGISTERS		0u
#define HV_VP_STATE_PAGE_INTERCEPT_MESSAGE	1u
#define HV_VP_STATE_PAGE_GHCB			2u
#define HV_MAP_VP_STATE_PAGE_LOCATION_PROVIDED	0x01u

struct hv_input_map_vp_state_page {
	uint64_t partition_id;
	uint32_t vp_index;
	uint16_t type;
	uint8_t input_vtl;
	uint8_t flags;
	uint64_t requested_map_location;
};
HV_ASSERT_SIZE(struct hv_input_map_vp_state_page, 24);
HV_ASSERT_OFFSET(struct hv_input_map_vp_state_page, type, 12);
HV_ASSERT_OFFSET(struct hv_input_map_vp_state_page, flags, 15);

struct hv_output_map_vp_state_page {
	uint64_t map_location;		/* a GPA page number of the caller */
};
HV_ASSERT_SIZE(struct hv_output_map_vp_state_page, 8);

struct hv_input_unmap_vp_state_page {
	uint64_t partition_id;
	uint32_t vp_index;
	uint16_t type;
	uint8_t input_vtl;
	uint8_t reserved0;
};
HV_ASSERT_SIZE(struct hv_input_unmap_vp_state_page, 16);

/* The register page (hvhdk.h hv_vp_register_page; mshv-uapi A.3). */
#define HV_VP_REGISTER_PAGE_VERSION_1		1u
#define HV_X64_REGISTER_CLASS_GENERAL		0
#define HV_X64_REGISTER_CLASS_IP		1
#define HV_X64_REGISTER_CLASS_XMM		2
#define HV_X64_REGISTER_CLASS_SEGMENT		3
#define HV_X64_REGISTER_CLASS_FLAGS		4

struct hv_vp_register_page {
	uint16_t version;
	uint8_t isvalid;
	uint8_t rsvdz;
	uint32_t dirty;
	uint64_t gp_registers[16];	/* rax, rcx, rdx, rbx, rsp, rbp, rsi,
					 * rdi, r8-r15 */
	uint64_t rip;
	uint64_t rflags;
	uint8_t reserved[8];
	uint64_t xmm_registers[6][2];	/* xmm0-xmm5 */
	struct hv_x64_segment_register segment_registers[6]; /* es-gs */
	uint64_t cr0;
	uint64_t cr3;
	uint64_t cr4;
	uint64_t cr8;
	uint64_t efer;
	uint64_t dr7;
	uint64_t pending_interruption;
	uint64_t interrupt_state;
	uint64_t instruction_emulation_hints;
	uint64_t xfem;
	uint8_t reserved1[0x100];
	uint64_t interrupt_vectors;
};
HV_ASSERT_OFFSET(struct hv_vp_register_page, dirty, 4);
HV_ASSERT_OFFSET(struct hv_vp_register_page, gp_registers, 8);
HV_ASSERT_OFFSET(struct hv_vp_register_page, rip, 136);
HV_ASSERT_OFFSET(struct hv_vp_register_page, rflags, 144);
HV_ASSERT_OFFSET(struct hv_vp_register_page, xmm_registers, 160);
HV_ASSERT_OFFSET(struct hv_vp_register_page, segment_registers, 256);
HV_ASSERT_OFFSET(struct hv_vp_register_page, cr0, 352);
HV_ASSERT_OFFSET(struct hv_vp_register_page, efer, 384);
HV_ASSERT_OFFSET(struct hv_vp_register_page, dr7, 392);
HV_ASSERT_OFFSET(struct hv_vp_register_page, pending_interruption, 400);
HV_ASSERT_OFFSET(struct hv_vp_register_page, xfem, 424);
HV_ASSERT_OFFSET(struct hv_vp_register_page, interrupt_vectors, 688);
HV_ASSERT_SIZE(struct hv_vp_register_page, 696);

/* 0x00E3 / 0x00E4 (hvhdk.h): a 40-byte header; page numbers of the
 * caller (or, for SetVpState of small state, the bytes) follow as the
 * variable header. */
#define HV_GET_SET_VP_STATE_LAPIC_STATE		0u
#define HV_GET_SET_VP_STATE_XSAVE		1u
#define HV_GET_SET_VP_STATE_SIM_PAGE		2u
#define HV_GET_SET_VP_STATE_SIEF_PAGE		3u
#define HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS	4u

struct hv_vp_state_data {
	uint32_t type;
	uint32_t rsvd;
	uint64_t xsave_flags;
	uint64_t xsave_states;		/* XFEM components */
};
HV_ASSERT_SIZE(struct hv_vp_state_data, 24);

struct hv_input_get_vp_state {
	uint64_t partition_id;
	uint32_t vp_index;
	uint8_t input_vtl;
	uint8_t rsvd0;
	uint16_t rsvd1;
	struct hv_vp_state_data state_data;
	uint64_t output_data_pfns[];
};
HV_ASSERT_SIZE(struct hv_input_get_vp_state, 40);
HV_ASSERT_OFFSET(struct hv_input_get_vp_state, state_data, 16);

struct hv_input_set_vp_state {
	uint64_t partition_id;
	uint32_t vp_index;
	uint8_t input_vtl;
	uint8_t rsvd0;
	uint16_t rsvd1;
	struct hv_vp_state_data state_data;
	uint64_t data[];		/* page numbers, or the state's bytes */
};
HV_ASSERT_SIZE(struct hv_input_set_vp_state, 40);

#define HV_SYNIC_STIMER_COUNT	4

struct hv_stimer_state {
	uint32_t flags;			/* bit 0 undelivered message pending */
	uint32_t resvd;
	uint64_t config;
	uint64_t count;
	uint64_t adjustment;
	uint64_t undelivered_exp_time;
};
HV_ASSERT_SIZE(struct hv_stimer_state, 40);

struct hv_synthetic_timers_state {
	struct hv_stimer_state timers[HV_SYNIC_STIMER_COUNT];
	uint64_t reserved[5];
};
HV_ASSERT_SIZE(struct hv_synthetic_timers_state, 200);

struct hv_output_get_vp_state {
	struct hv_synthetic_timers_state synthetic_timers_state;
};
HV_ASSERT_SIZE(struct hv_output_get_vp_state, 200);

/* The LAPIC state (hvhdk.h hv_local_interrupt_controller_state). */
struct hv_local_interrupt_controller_state {
	uint32_t apic_id;
	uint32_t apic_version;
	uint32_t apic_ldr;
	uint32_t apic_dfr;
	uint32_t apic_spurious;
	uint32_t apic_isr[8];
	uint32_t apic_tmr[8];
	uint32_t apic_irr[8];
	uint32_t apic_esr;
	uint32_t apic_icr_high;
	uint32_t apic_icr_low;
	uint32_t apic_lvt_timer;
	uint32_t apic_lvt_thermal;
	uint32_t apic_lvt_perfmon;
	uint32_t apic_lvt_lint0;
	uint32_t apic_lvt_lint1;
	uint32_t apic_lvt_error;
	uint32_t apic_lvt_cmci;
	uint32_t apic_error_status;
	uint32_t apic_initial_count;
	uint32_t apic_counter_value;
	uint32_t apic_divide_configuration;
	uint32_t apic_remote_read;
};
HV_ASSERT_SIZE(struct hv_local_interrupt_controller_state, 176);
HV_ASSERT_OFFSET(struct hv_local_interrupt_controller_state, apic_isr, 20);
HV_ASSERT_OFFSET(struct hv_local_interrupt_controller_state, apic_irr, 84);
HV_ASSERT_OFFSET(struct hv_local_interrupt_controller_state, apic_lvt_timer, 128);
HV_ASSERT_OFFSET(struct hv_local_interrupt_controller_state, apic_remote_read, 172);

/* Interrupts (hvgdk_mini.h hv_interrupt_type, hvhdk.h). */
#define HV_X64_INTERRUPT_TYPE_FIXED		0u
#define HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY	1u
#define HV_X64_INTERRUPT_TYPE_SMI		2u
#define HV_X64_INTERRUPT_TYPE_REMOTEREAD	3u
#define HV_X64_INTERRUPT_TYPE_NMI		4u
#define HV_X64_INTERRUPT_TYPE_INIT		5u
#define HV_X64_INTERRUPT_TYPE_SIPI		6u
#define HV_X64_INTERRUPT_TYPE_EXTINT		7u
#define HV_X64_INTERRUPT_TYPE_LOCALINT0		8u
#define HV_X64_INTERRUPT_TYPE_LOCALINT1		9u
/* hv_interrupt_control, bits 63:32. */
#define HV_INTERRUPT_CONTROL_LEVEL		(1ull << 32)
#define HV_INTERRUPT_CONTROL_LOGICAL		(1ull << 33)
#define HV_INTERRUPT_CONTROL_LONG_MODE		(1ull << 62)	/* rust-vmm bit 30 */

/* 0x0094 */
struct hv_input_assert_virtual_interrupt {
	uint64_t partition_id;
	uint64_t control;		/* type 31:0, flags 63:32 */
	uint64_t dest_addr;		/* an APIC id */
	uint32_t vector;
	uint8_t target_vtl;
	uint8_t rsvd_z0;
	uint16_t rsvd_z1;
};
HV_ASSERT_SIZE(struct hv_input_assert_virtual_interrupt, 32);
HV_ASSERT_OFFSET(struct hv_input_assert_virtual_interrupt, vector, 24);

/* 0x0056 */
struct hv_input_clear_virtual_interrupt {
	uint64_t partition_id;
};
HV_ASSERT_SIZE(struct hv_input_clear_virtual_interrupt, 8);

/* 0x004D (hvgdk_mini.h). */
#define HV_INTERCEPT_TYPE_X64_IO_PORT		0u
#define HV_INTERCEPT_TYPE_X64_MSR		1u
#define HV_INTERCEPT_TYPE_X64_CPUID		2u
#define HV_INTERCEPT_TYPE_EXCEPTION		3u
#define HV_INTERCEPT_TYPE_RESERVED0		4u
#define HV_INTERCEPT_TYPE_MMIO			5u
#define HV_INTERCEPT_TYPE_X64_APIC_WRITE	0xBu
#define HV_INTERCEPT_TYPE_X64_MSR_INDEX		0xCu
#define HV_INTERCEPT_TYPE_MAX			0xDu
#define HV_INTERCEPT_ACCESS_MASK_NONE		0x0u
#define HV_INTERCEPT_ACCESS_MASK_READ		0x1u
#define HV_INTERCEPT_ACCESS_MASK_WRITE		0x2u
#define HV_INTERCEPT_ACCESS_MASK_EXECUTE	0x4u

struct hv_input_install_intercept {
	uint64_t partition_id;
	uint32_t access_type;
	uint32_t intercept_type;
	uint64_t intercept_parameter;
};
HV_ASSERT_SIZE(struct hv_input_install_intercept, 24);

/* 0x0091: CPUID results (hvhdk.h hv_register_x64_cpuid_result_parameters);
 * the block is 60 bytes, the struct padded to 64. */
struct hv_input_register_intercept_result {
	uint64_t partition_id;
	uint32_t vp_index;
	uint32_t intercept_type;
	uint32_t input_eax;
	uint32_t input_ecx;
	uint8_t subleaf_specific;
	uint8_t always_override;
	uint16_t input_padding;
	uint32_t eax, eax_mask;
	uint32_t ebx, ebx_mask;
	uint32_t ecx, ecx_mask;
	uint32_t edx, edx_mask;
	uint32_t padding;		/* not part of the block */
};
HV_ASSERT_OFFSET(struct hv_input_register_intercept_result, input_eax, 16);
HV_ASSERT_OFFSET(struct hv_input_register_intercept_result, eax, 28);
HV_ASSERT_OFFSET(struct hv_input_register_intercept_result, padding, 60);
#define HV_REGISTER_INTERCEPT_RESULT_SIZE	60u

/* 0x00F4, rep (hvhdk.h). */
#define HV_GET_VP_CPUID_VALUES_USE_VP_XFEM_XSS		0x1u
#define HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED_VALUES	0x2u

struct hv_cpuid_leaf_info {
	uint32_t eax;
	uint32_t ecx;
	uint64_t xfem;
	uint64_t xss;
};
HV_ASSERT_SIZE(struct hv_cpuid_leaf_info, 24);

struct hv_input_get_vp_cpuid_values {
	uint64_t partition_id;
	uint32_t vp_index;
	uint32_t flags;
	uint32_t reserved;
	uint32_t padding;
	struct hv_cpuid_leaf_info cpuid_leaf_info[];
};
HV_ASSERT_SIZE(struct hv_input_get_vp_cpuid_values, 24);

struct hv_output_get_vp_cpuid_values {
	uint32_t eax, ebx, ecx, edx;
};
HV_ASSERT_SIZE(struct hv_output_get_vp_cpuid_values, 16);

/* 0x0053 / 0x0054 (hvhdk.h). */
#define HV_READ_WRITE_GPA_MAX_SIZE		16u
#define HV_ACCESS_GPA_SUCCESS			0u
#define HV_ACCESS_GPA_UNMAPPED			1u
#define HV_ACCESS_GPA_READ_INTERCEPT		2u
#define HV_ACCESS_GPA_WRITE_INTERCEPT		3u
#define HV_ACCESS_GPA_ILLEGAL_OVERLAY_ACCESS	4u
#define HV_ACCESS_GPA_CONTROL_CACHE_TYPE_MASK	0xFFull

struct hv_input_read_gpa {
	uint64_t partition_id;
	uint32_t vp_index;
	uint32_t byte_count;
	uint64_t base_gpa;
	uint64_t control_flags;
};
HV_ASSERT_SIZE(struct hv_input_read_gpa, 32);

struct hv_output_read_gpa {
	uint64_t access_result;		/* result code in bits 31:0 */
	uint8_t data[HV_READ_WRITE_GPA_MAX_SIZE];
};
HV_ASSERT_SIZE(struct hv_output_read_gpa, 24);

struct hv_input_write_gpa {
	uint64_t partition_id;
	uint32_t vp_index;
	uint32_t byte_count;
	uint64_t base_gpa;
	uint64_t control_flags;
	uint8_t data[HV_READ_WRITE_GPA_MAX_SIZE];
};
HV_ASSERT_SIZE(struct hv_input_write_gpa, 48);

struct hv_output_write_gpa {
	uint64_t access_result;
};
HV_ASSERT_SIZE(struct hv_output_write_gpa, 8);

/* 0x0052 (hvhdk.h). */
#define HV_TRANSLATE_GVA_VALIDATE_READ		0x0001ull
#define HV_TRANSLATE_GVA_VALIDATE_WRITE		0x0002ull
#define HV_TRANSLATE_GVA_VALIDATE_EXECUTE	0x0004ull
#define HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT	0x0008ull
#define HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS	0x0010ull
#define HV_TRANSLATE_GVA_TLB_FLUSH_INHIBIT	0x0020ull
#define HV_TRANSLATE_GVA_SUPERVISOR_ACCESS	0x0040ull
#define HV_TRANSLATE_GVA_USER_ACCESS		0x0080ull
#define HV_TRANSLATE_GVA_ENFORCE_SMAP		0x0100ull
#define HV_TRANSLATE_GVA_OVERRIDE_SMAP		0x0200ull
#define HV_TRANSLATE_GVA_SHADOW_STACK		0x0400ull
#define HV_TRANSLATE_GVA_FLAGS_MASK		0x07FFull
#define HV_TRANSLATE_GVA_INPUT_VTL_MASK		0xFF00000000000000ull

#define HV_TRANSLATE_GVA_SUCCESS		0u
#define HV_TRANSLATE_GVA_PAGE_NOT_PRESENT	1u
#define HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION	2u
#define HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS 3u
#define HV_TRANSLATE_GVA_GPA_UNMAPPED		4u
#define HV_TRANSLATE_GVA_GPA_NO_READ_ACCESS	5u
#define HV_TRANSLATE_GVA_GPA_NO_WRITE_ACCESS	6u
#define HV_TRANSLATE_GVA_GPA_ILLEGAL_OVERLAY_ACCESS 7u

struct hv_input_translate_virtual_address {
	uint64_t partition_id;
	uint32_t vp_index;
	uint32_t padding;
	uint64_t control_flags;
	uint64_t gva_page;
};
HV_ASSERT_SIZE(struct hv_input_translate_virtual_address, 32);

struct hv_output_translate_virtual_address {
	uint64_t translation_result;	/* result code 31:0, cache type
					 * 39:32, overlay page 40 */
	uint64_t gpa_page;
};
HV_ASSERT_SIZE(struct hv_output_translate_virtual_address, 16);

/* 0x00C0 / 0x00C1 (hvhdk.h). */
struct hv_input_signal_event_direct {
	uint64_t target_partition;
	uint32_t target_vp;
	uint8_t target_vtl;
	uint8_t target_sint;
	uint16_t flag_number;
};
HV_ASSERT_SIZE(struct hv_input_signal_event_direct, 16);

struct hv_output_signal_event_direct {
	uint8_t newly_signaled;
	uint8_t reserved[7];
};
HV_ASSERT_SIZE(struct hv_output_signal_event_direct, 8);

struct hv_input_post_message_direct {
	uint64_t partition_id;
	uint32_t vp_index;
	uint8_t vtl;
	uint8_t padding[3];
	uint32_t sint_index;
	uint8_t message[HV_MESSAGE_SIZE];
	uint32_t padding2;
};
HV_ASSERT_SIZE(struct hv_input_post_message_direct, 280);
HV_ASSERT_OFFSET(struct hv_input_post_message_direct, sint_index, 16);
HV_ASSERT_OFFSET(struct hv_input_post_message_direct, message, 20);

/* 0x008B */
struct hv_input_notify_port_ring_empty {
	uint32_t sint_index;
	uint32_t padding;
};
HV_ASSERT_SIZE(struct hv_input_notify_port_ring_empty, 8);

/* 0x00C9, rep: one state byte per page (hvhdk_mini.h). */
#define HV_GPA_PAGE_ACCESS_CLEAR_ACCESSED	0x1ull
#define HV_GPA_PAGE_ACCESS_SET_ACCESSED		0x2ull
#define HV_GPA_PAGE_ACCESS_CLEAR_DIRTY		0x4ull
#define HV_GPA_PAGE_ACCESS_SET_DIRTY		0x8ull
#define HV_GPA_PAGE_ACCESS_FLAGS_MASK		0xFull
#define HV_GPA_PAGE_ACCESS_STATE_ACCESSED	0x1u
#define HV_GPA_PAGE_ACCESS_STATE_DIRTY		0x2u

struct hv_input_get_gpa_pages_access_state {
	uint64_t partition_id;
	uint64_t flags;
	uint64_t hv_gpa_page_number;
};
HV_ASSERT_SIZE(struct hv_input_get_gpa_pages_access_state, 24);

/* 0x006C / 0x006D (hvhdk_mini.h). */
#define HV_STATS_OBJECT_HYPERVISOR		0x00000001u
#define HV_STATS_OBJECT_LOGICAL_PROCESSOR	0x00000002u
#define HV_STATS_OBJECT_PARTITION		0x00010001u
#define HV_STATS_OBJECT_VP			0x00010002u
#define HV_STATS_AREA_SELF			0u
#define HV_STATS_AREA_PARENT			1u
#define HV_STATS_AREA_INTERNAL			2u

struct hv_input_map_stats_page {
	uint32_t type;
	uint32_t padding;
	uint64_t partition_id;		/* identity: partition and VP */
	uint32_t vp_index;		/* VP objects                 */
	uint16_t flags;
	uint8_t reserved;
	uint8_t stats_area_type;
};
HV_ASSERT_SIZE(struct hv_input_map_stats_page, 24);
HV_ASSERT_OFFSET(struct hv_input_map_stats_page, stats_area_type, 23);

struct hv_output_map_stats_page {
	uint64_t map_location;
};
HV_ASSERT_SIZE(struct hv_output_map_stats_page, 8);

/* Doorbell connections (hvgdk_mini.h HV_DOORBELL_FLAG_*). */
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_MASK	0x00000007u
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_ANY	0u
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_BYTE	1u
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_WORD	2u
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_DWORD	3u
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_QWORD	4u
#define HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE	0x80000000u

/* HvMapGpaPages / HvUnmapGpaPages flags the Linux root sets (spec.md §6). */
#define HV_MAP_GPA_ADJUSTABLE		0x00008000u
#define HV_MAP_GPA_LARGE_PAGE		0x80000000u
#define HV_UNMAP_GPA_LARGE_PAGE		0x00000002u

/* The full x64 register set (spec.md §7; hvgdk_mini.h hv_register_name). */
#define HV_REGISTER_INSTRUCTION_EMULATION_HINTS	0x00000002u
#define HV_REGISTER_INTERNAL_ACTIVITY_STATE	0x00000004u
#define HV_REGISTER_PENDING_INTERRUPTION	0x00010002u
#define HV_REGISTER_INTERRUPT_STATE		0x00010003u
#define HV_REGISTER_PENDING_EVENT0		0x00010004u
#define HV_REGISTER_DELIVERABILITY_NOTIFICATIONS 0x00010006u
#define HV_X64_REGISTER_XMM0			0x00030000u
#define HV_X64_REGISTER_XMM15			0x0003000Fu
#define HV_X64_REGISTER_FP_MMX0			0x00030010u
#define HV_X64_REGISTER_FP_MMX7			0x00030017u
#define HV_X64_REGISTER_FP_CONTROL_STATUS	0x00030018u
#define HV_X64_REGISTER_XMM_CONTROL_STATUS	0x00030019u
#define HV_X64_REGISTER_XFEM			0x00040005u	/* XCR0 */
#define HV_X64_REGISTER_DR0			0x00050000u
#define HV_X64_REGISTER_DR1			0x00050001u
#define HV_X64_REGISTER_DR2			0x00050002u
#define HV_X64_REGISTER_DR3			0x00050003u
#define HV_X64_REGISTER_DR6			0x00050004u
#define HV_X64_REGISTER_DR7			0x00050005u
#define HV_X64_REGISTER_TSC			0x00080000u
#define HV_X64_REGISTER_KERNEL_GS_BASE		0x00080002u
#define HV_X64_REGISTER_APIC_BASE		0x00080003u
#define HV_X64_REGISTER_PAT			0x00080004u
#define HV_X64_REGISTER_SYSENTER_CS		0x00080005u
#define HV_X64_REGISTER_SYSENTER_EIP		0x00080006u
#define HV_X64_REGISTER_SYSENTER_ESP		0x00080007u
#define HV_X64_REGISTER_STAR			0x00080008u
#define HV_X64_REGISTER_LSTAR			0x00080009u
#define HV_X64_REGISTER_CSTAR			0x0008000Au
#define HV_X64_REGISTER_SFMASK			0x0008000Bu
#define HV_X64_REGISTER_MSR_MTRR_CAP		0x0008000Du
#define HV_X64_REGISTER_MSR_MTRR_DEF_TYPE	0x0008000Eu
#define HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0	0x00080010u	/* ..7: +7 */
#define HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0	0x00080040u	/* ..7: +7 */
#define HV_X64_REGISTER_MSR_MTRR_FIX64K00000	0x00080070u
#define HV_X64_REGISTER_MSR_MTRR_FIX16K80000	0x00080071u
#define HV_X64_REGISTER_MSR_MTRR_FIX16KA0000	0x00080072u
#define HV_X64_REGISTER_MSR_MTRR_FIX4KC0000	0x00080073u	/* ..F8000: +7 */
#define HV_X64_REGISTER_TSC_AUX			0x0008007Bu
#define HV_X64_REGISTER_DEBUG_CTL		0x0008007Du
#define HV_X64_REGISTER_U_XSS			0x0008008Bu
/* CET: U_CET, S_CET, SSP, PL0-PL3_SSP, the interrupt SSP table. */
#define HV_X64_REGISTER_U_CET			0x0008008Cu
#define HV_X64_REGISTER_INTERRUPT_SSP_TABLE_ADDR	0x00080093u

/* ---------------------------------------------------------------------- */
/* Guest-facing interface (spec.md §11.3): synthetic MSRs and CPUID leaves  */
/* (TLFS 2.0 §4.12, §14; TLFS-md feature-discovery.md; facts §4.10).       */

#define HV_X64_MSR_GUEST_OS_ID		0x40000000u
#define HV_X64_MSR_HYPERCALL		0x40000001u
#define HV_X64_MSR_VP_INDEX		0x40000002u
#define HV_X64_MSR_TIME_REF_COUNT	0x40000020u
#define HV_X64_MSR_REFERENCE_TSC	0x40000021u
#define HV_X64_MSR_SCONTROL		0x40000080u
#define HV_X64_MSR_SVERSION		0x40000081u
#define HV_X64_MSR_SIEFP		0x40000082u
#define HV_X64_MSR_SIMP			0x40000083u
#define HV_X64_MSR_EOM			0x40000084u
#define HV_X64_MSR_SINT0		0x40000090u
#define HV_X64_MSR_SINT15		0x4000009Fu
#define HV_X64_MSR_SYNTHETIC_FIRST	0x40000000u
#define HV_X64_MSR_SYNTHETIC_COUNT	256u

/* The hypercall MSR: bit 0 enable, bit 1 locked, 63:12 the page's GPFN. */
#define HV_X64_MSR_HYPERCALL_ENABLE	0x1ull
#define HV_X64_MSR_HYPERCALL_LOCKED	0x2ull

#define HV_CPUID_VENDOR_AND_MAX		0x40000000u
#define HV_CPUID_INTERFACE		0x40000001u
#define HV_CPUID_VERSION		0x40000002u
#define HV_CPUID_FEATURES		0x40000003u
#define HV_CPUID_ENLIGHTENMENT_INFO	0x40000004u
#define HV_CPUID_IMPLEMENTATION_LIMITS	0x40000005u
#define HV_CPUID_HARDWARE_FEATURES	0x40000006u
#define HV_CPUID_INTERFACE_HV1		0x31237648u	/* "Hv#1" */
/* 0x40000004 EAX bit 9: AutoEOI is deprecated (TLFS-md). */
#define HV_CPUID_DEPRECATING_AEOI	(1u << 9)

/* ---------------------------------------------------------------------- */
/* Intercept messages (spec.md §11.4; TLFS-md message types; Linux          */
/* hvhdk.h).  The payload of a struct hv_message.                          */

#define HVMSG_UNMAPPED_GPA		0x80000000u
#define HVMSG_GPA_INTERCEPT		0x80000001u
#define HVMSG_INVALID_VP_REGISTER_VALUE	0x80000020u
#define HVMSG_UNRECOVERABLE_EXCEPTION	0x80000021u
#define HVMSG_X64_IO_PORT_INTERCEPT	0x80010000u
#define HVMSG_X64_MSR_INTERCEPT		0x80010001u
#define HVMSG_X64_CPUID_INTERCEPT	0x80010002u
#define HVMSG_X64_EXCEPTION_INTERCEPT	0x80010003u
#define HVMSG_X64_HALT			0x80010007u

/* intercept_access_type */
#define HV_INTERCEPT_ACCESS_READ	0u
#define HV_INTERCEPT_ACCESS_WRITE	1u
#define HV_INTERCEPT_ACCESS_EXECUTE	2u

/* execution_state bits */
#define HV_X64_EXEC_STATE_CPL_MASK		0x0003u
#define HV_X64_EXEC_STATE_CR0_PE		0x0004u
#define HV_X64_EXEC_STATE_CR0_AM		0x0008u
#define HV_X64_EXEC_STATE_EFER_LMA		0x0010u
#define HV_X64_EXEC_STATE_DEBUG_ACTIVE		0x0020u
#define HV_X64_EXEC_STATE_INTERRUPTION_PENDING	0x0040u
#define HV_X64_EXEC_STATE_INTERRUPT_SHADOW	0x1000u

struct hv_x64_intercept_message_header {
	uint32_t vp_index;
	uint8_t instruction_length_cr8;	/* 3:0 length, 7:4 CR8 */
	uint8_t intercept_access_type;
	uint16_t execution_state;
	struct hv_x64_segment_register cs_segment;
	uint64_t rip;
	uint64_t rflags;
};
HV_ASSERT_SIZE(struct hv_x64_intercept_message_header, 40);
HV_ASSERT_OFFSET(struct hv_x64_intercept_message_header, execution_state, 6);
HV_ASSERT_OFFSET(struct hv_x64_intercept_message_header, cs_segment, 8);
HV_ASSERT_OFFSET(struct hv_x64_intercept_message_header, rip, 24);
HV_ASSERT_OFFSET(struct hv_x64_intercept_message_header, rflags, 32);

/* access_info: 2:0 access size in bytes, bit 3 string, bit 4 rep. */
#define HV_X64_IO_ACCESS_SIZE_MASK	0x07u
#define HV_X64_IO_ACCESS_STRING		0x08u
#define HV_X64_IO_ACCESS_REP		0x10u

struct hv_x64_io_port_intercept_message {
	struct hv_x64_intercept_message_header header;
	uint16_t port_number;
	uint8_t access_info;
	uint8_t instruction_byte_count;
	uint32_t reserved;
	uint64_t rax;
	uint8_t instruction_bytes[16];
	struct hv_x64_segment_register ds_segment;
	struct hv_x64_segment_register es_segment;
	uint64_t rcx;
	uint64_t rsi;
	uint64_t rdi;
};
HV_ASSERT_SIZE(struct hv_x64_io_port_intercept_message, 128);
HV_ASSERT_OFFSET(struct hv_x64_io_port_intercept_message, port_number, 40);
HV_ASSERT_OFFSET(struct hv_x64_io_port_intercept_message, rax, 48);
HV_ASSERT_OFFSET(struct hv_x64_io_port_intercept_message, instruction_bytes, 56);
HV_ASSERT_OFFSET(struct hv_x64_io_port_intercept_message, ds_segment, 72);
HV_ASSERT_OFFSET(struct hv_x64_io_port_intercept_message, rcx, 104);

/* memory_access_info bits */
#define HV_X64_MEMORY_ACCESS_GVA_VALID		0x01u
#define HV_X64_MEMORY_ACCESS_GVA_GPA_VALID	0x02u

struct hv_x64_memory_intercept_message {
	struct hv_x64_intercept_message_header header;
	uint32_t cache_type;
	uint8_t instruction_byte_count;
	uint8_t memory_access_info;
	uint8_t tpr_priority;
	uint8_t reserved;
	uint64_t guest_virtual_address;
	uint64_t guest_physical_address;
	uint8_t instruction_bytes[16];
};
HV_ASSERT_SIZE(struct hv_x64_memory_intercept_message, 80);
HV_ASSERT_OFFSET(struct hv_x64_memory_intercept_message, instruction_byte_count, 44);
HV_ASSERT_OFFSET(struct hv_x64_memory_intercept_message, guest_physical_address, 56);
HV_ASSERT_OFFSET(struct hv_x64_memory_intercept_message, instruction_bytes, 64);

struct hv_x64_msr_intercept_message {
	struct hv_x64_intercept_message_header header;
	uint32_t msr_number;
	uint32_t reserved;
	uint64_t rdx;
	uint64_t rax;
};
HV_ASSERT_SIZE(struct hv_x64_msr_intercept_message, 64);
HV_ASSERT_OFFSET(struct hv_x64_msr_intercept_message, rdx, 48);


#ifdef __cplusplus
}
#endif

#endif /* OPENHV_HV_H */
