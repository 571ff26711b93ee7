/* SPDX-License-Identifier: MIT */
/*
 * The value formats of the library's call table (openhv/calls.h) and the
 * decoding of blocks by it; the rules that flag a value are spec.md §4-8's
 * checks, each naming the status openhv answers.
 */
#include "layout.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const struct ohv_call_info *layout_by_name(const char *name)
{
	for (size_t i = 0; i < ohv_call_count(); i++)
		if (!strcasecmp(ohv_call_at(i)->name, name))
			return ohv_call_at(i);
	return NULL;
}

const struct ohv_field *layout_field(const struct ohv_call_info *l,
				     enum ohv_arch arch, const char *name)
{
	for (const struct ohv_field *f = layout_in(l, arch); f->name; f++)
		if (f->kind == OHV_FIELD_VALUE && !strcasecmp(f->name, name))
			return f;
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Constants.                                                              */

struct named {
	uint64_t value;
	const char *name;
};

static const struct named creation_flags[] = {
	{ HV_PARTITION_CREATION_FLAG_SMT_ENABLED_GUEST, "SMT_ENABLED_GUEST" },
	{ HV_PARTITION_CREATION_FLAG_NESTED_VIRTUALIZATION_CAPABLE,
	  "NESTED_VIRTUALIZATION_CAPABLE" },
	{ HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED,
	  "GPA_SUPER_PAGES_ENABLED" },
	{ HV_PARTITION_CREATION_FLAG_EXO_PARTITION, "EXO_PARTITION" },
	{ HV_PARTITION_CREATION_FLAG_VTL1_OVERRIDE, "VTL1_OVERRIDE" },
	{ HV_PARTITION_CREATION_FLAG_VTL2_OVERRIDE, "VTL2_OVERRIDE" },
	{ HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED, "LAPIC_ENABLED" },
	{ HV_PARTITION_CREATION_FLAG_ENABLE_PERFMON_PMU, "ENABLE_PERFMON_PMU" },
	{ HV_PARTITION_CREATION_FLAG_ENABLE_PERFMON_LBR, "ENABLE_PERFMON_LBR" },
	{ HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED,
	  "INTERCEPT_MESSAGE_PAGE_ENABLED" },
	{ HV_PARTITION_CREATION_FLAG_HYPERCALL_DOORBELL_PAGE_ENABLED,
	  "HYPERCALL_DOORBELL_PAGE_ENABLED" },
	{ HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE, "X2APIC_CAPABLE" },
	{ 0, NULL },
};

/*
 * Property codes TLFS knows, with how openhv takes each (spec.md §4.3,
 * §10; src/core/hc_property.c and hc_system.c; tests/test_cli.c asks the
 * library for every code here and around them, so that `how` agrees).
 */
static const struct {
	uint32_t code;
	const char *name;
	enum layout_prop how;
} properties[] = {
	{ HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, "PrivilegeFlags",
	  LAYOUT_PROP_RW },
	{ HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
	  "SyntheticProcFeatures", LAYOUT_PROP_RW },
	{ HV_PARTITION_PROPERTY_SUSPEND, "Suspend", LAYOUT_PROP_NONE },
	{ HV_PARTITION_PROPERTY_CPU_RESERVE, "CpuReserve", LAYOUT_PROP_RW },
	{ HV_PARTITION_PROPERTY_CPU_CAP, "CpuCap", LAYOUT_PROP_RW },
	{ HV_PARTITION_PROPERTY_CPU_WEIGHT, "CpuWeight", LAYOUT_PROP_RW },
	{ HV_PARTITION_PROPERTY_CPU_GROUP_ID, "CpuGroupId", LAYOUT_PROP_NONE },
	{ HV_PARTITION_PROPERTY_EMULATED_TIMER_PERIOD, "EmulatedTimerPeriod",
	  LAYOUT_PROP_NONE },
	{ HV_PARTITION_PROPERTY_EMULATED_TIMER_CONTROL,
	  "EmulatedTimerControl", LAYOUT_PROP_NONE },
	{ HV_PARTITION_PROPERTY_PM_TIMER_ASSIST, "PmTimerAssist",
	  LAYOUT_PROP_NONE },
	{ HV_PARTITION_PROPERTY_TIME_FREEZE, "TimeFreeze", LAYOUT_PROP_RW },
	{ HV_PARTITION_PROPERTY_REFERENCE_TIME, "ReferenceTime",
	  LAYOUT_PROP_NONE },
	{ HV_PARTITION_PROPERTY_DEBUG_CHANNEL_ID, "DebugChannelId",
	  LAYOUT_PROP_NONE },
	{ HV_PARTITION_PROPERTY_VIRTUAL_TLB_PAGE_COUNT, "VirtualTlbPageCount",
	  LAYOUT_PROP_NONE },
	{ HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
	  "GpaPageAccessTracking", LAYOUT_PROP_RW },
	{ HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
	  "UnimplementedMsrAction", LAYOUT_PROP_RW },
	{ HV_PARTITION_PROPERTY_PROCESSOR_VENDOR, "ProcessorVendor",
	  LAYOUT_PROP_RO },
	{ HV_PARTITION_PROPERTY_PROCESSOR_FEATURES, "ProcessorFeatures",
	  LAYOUT_PROP_NONE },
	{ HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES,
	  "ProcessorXsaveFeatures", LAYOUT_PROP_RO },
	{ HV_PARTITION_PROPERTY_PROCESSOR_CL_FLUSH_SIZE,
	  "ProcessorClFlushSize", LAYOUT_PROP_NONE },
	{ HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION, "CompatibilityVersion",
	  LAYOUT_PROP_RO },
	{ HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH, "PhysicalAddressWidth",
	  LAYOUT_PROP_RO },
	{ HV_PARTITION_PROPERTY_XSAVE_STATES, "XsaveStates", LAYOUT_PROP_RO },
	{ HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE, "MaxXsaveDataSize",
	  LAYOUT_PROP_RO },
	{ HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY,
	  "ProcessorClockFrequency", LAYOUT_PROP_RO },
	{ HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0, "ProcessorFeatures0",
	  LAYOUT_PROP_RO },
	{ HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1, "ProcessorFeatures1",
	  LAYOUT_PROP_RO },
	{ HV_PARTITION_PROPERTY_GUEST_OS_ID, "GuestOsId", LAYOUT_PROP_NONE },
	{ HV_PARTITION_PROPERTY_VMM_CAPABILITIES, "VmmCapabilities",
	  LAYOUT_PROP_EX },
	{ HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC_PROC_FEATURES,
	  "AssignableSyntheticProcFeatures", LAYOUT_PROP_EX },
};

bool layout_property_at(size_t i, uint32_t *code, const char **name,
			enum layout_prop *how)
{
	if (i >= ARRAY_SIZE(properties))
		return false;
	*code = properties[i].code;
	*name = properties[i].name;
	*how = properties[i].how;
	return true;
}

/* HV_PARTITION_PRIVILEGE_MASK bits by their modern TLFS names (facts §4.3). */
static const struct named privileges[] = {
	{ HV_PARTITION_PRIV_ACCESS_VP_RUNTIME_REG, "AccessVpRunTimeReg" },
	{ HV_PARTITION_PRIV_ACCESS_PARTITION_REF_COUNTER,
	  "AccessPartitionReferenceCounter" },
	{ HV_PARTITION_PRIV_ACCESS_SYNIC_REGS, "AccessSynicRegs" },
	{ HV_PARTITION_PRIV_ACCESS_SYNTHETIC_TIMER_REGS,
	  "AccessSyntheticTimerRegs" },
	{ HV_PARTITION_PRIV_ACCESS_INTR_CTRL_REGS, "AccessIntrCtrlRegs" },
	{ HV_PARTITION_PRIV_ACCESS_HYPERCALL_MSRS, "AccessHypercallMsrs" },
	{ HV_PARTITION_PRIV_ACCESS_VP_INDEX, "AccessVpIndex" },
	{ HV_PARTITION_PRIV_ACCESS_RESET_REG, "AccessResetReg" },
	{ HV_PARTITION_PRIV_ACCESS_STATS_REG, "AccessStatsReg" },
	{ HV_PARTITION_PRIV_ACCESS_PARTITION_REF_TSC,
	  "AccessPartitionReferenceTsc" },
	{ HV_PARTITION_PRIV_ACCESS_GUEST_IDLE_REG, "AccessGuestIdleReg" },
	{ HV_PARTITION_PRIV_ACCESS_FREQUENCY_REGS, "AccessFrequencyRegs" },
	{ HV_PARTITION_PRIV_ACCESS_DEBUG_REGS, "AccessDebugRegs" },
	{ HV_PARTITION_PRIV_ACCESS_REENLIGHTENMENT_CTRLS,
	  "AccessReenlightenmentControls" },
	{ HV_PARTITION_PRIV_CREATE_PARTITIONS, "CreatePartitions" },
	{ HV_PARTITION_PRIV_ACCESS_PARTITION_ID, "AccessPartitionId" },
	{ HV_PARTITION_PRIV_ACCESS_MEMORY_POOL, "AccessMemoryPool" },
	{ HV_PARTITION_PRIV_ADJUST_MESSAGE_BUFFERS, "AdjustMessageBuffers" },
	{ HV_PARTITION_PRIV_POST_MESSAGES, "PostMessages" },
	{ HV_PARTITION_PRIV_SIGNAL_EVENTS, "SignalEvents" },
	{ HV_PARTITION_PRIV_CREATE_PORT, "CreatePort" },
	{ HV_PARTITION_PRIV_CONNECT_PORT, "ConnectPort" },
	{ HV_PARTITION_PRIV_ACCESS_STATS, "AccessStats" },
	{ HV_PARTITION_PRIV_DEBUGGING, "Debugging" },
	{ HV_PARTITION_PRIV_CPU_MANAGEMENT, "CpuManagement" },
	{ HV_PARTITION_PRIV_CONFIGURE_PROFILER, "ConfigureProfiler" },
	{ HV_PARTITION_PRIV_ACCESS_VSM, "AccessVsm" },
	{ HV_PARTITION_PRIV_ACCESS_VP_REGISTERS, "AccessVpRegisters" },
	{ HV_PARTITION_PRIV_ENABLE_EXTENDED_HYPERCALLS,
	  "EnableExtendedHypercalls" },
	{ HV_PARTITION_PRIV_START_VIRTUAL_PROCESSOR, "StartVirtualProcessor" },
	{ HV_PARTITION_PRIV_ISOLATION, "Isolation" },
	{ 0, NULL },
};

/* Display names first; the short aliases after them parse only. */
static const struct named map_flags[] = {
	{ HV_MAP_GPA_READABLE, "READABLE" },
	{ HV_MAP_GPA_WRITABLE, "WRITABLE" },
	{ HV_MAP_GPA_EXECUTABLE, "EXECUTABLE" },
	{ HV_MAP_GPA_KERNEL_EXECUTABLE, "KERNEL_EXECUTABLE" },
	{ HV_MAP_GPA_USER_EXECUTABLE, "USER_EXECUTABLE" },
	{ HV_MAP_GPA_ADJUSTABLE, "ADJUSTABLE" },
	{ HV_MAP_GPA_LARGE_PAGE, "LARGE_PAGE" },
	{ 0, NULL },
};

#define MAP_FLAGS_DEFINED (HV_MAP_GPA_PERMISSIONS_MASK | \
			   HV_MAP_GPA_ADJUSTABLE | HV_MAP_GPA_LARGE_PAGE)

static const struct named unmap_flags[] = {
	{ HV_UNMAP_GPA_LARGE_PAGE, "LARGE_PAGE" },
	{ 0, NULL },
};

/* Pages one LARGE_PAGE element or rep spans (2 MiB, spec.md §6). */
#define LARGE_PAGE_PAGES	512u

/* Doorbell connection flags (hvgdk_mini.h HV_DOORBELL_FLAG_*): a trigger
 * size in bits 2:0, ANY_VALUE.  The sizes are values, not bits. */
static const struct named doorbell_flags[] = {
	{ HV_DOORBELL_FLAG_TRIGGER_SIZE_ANY, "SIZE_ANY" },
	{ HV_DOORBELL_FLAG_TRIGGER_SIZE_BYTE, "SIZE_BYTE" },
	{ HV_DOORBELL_FLAG_TRIGGER_SIZE_WORD, "SIZE_WORD" },
	{ HV_DOORBELL_FLAG_TRIGGER_SIZE_DWORD, "SIZE_DWORD" },
	{ HV_DOORBELL_FLAG_TRIGGER_SIZE_QWORD, "SIZE_QWORD" },
	{ HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE, "ANY_VALUE" },
	{ 0, NULL },
};

static const struct named doorbell_aliases[] = {
	{ HV_DOORBELL_FLAG_TRIGGER_SIZE_BYTE, "BYTE" },
	{ HV_DOORBELL_FLAG_TRIGGER_SIZE_WORD, "WORD" },
	{ HV_DOORBELL_FLAG_TRIGGER_SIZE_DWORD, "DWORD" },
	{ HV_DOORBELL_FLAG_TRIGGER_SIZE_QWORD, "QWORD" },
	{ 0, NULL },
};

#define DOORBELL_FLAGS_DEFINED	(HV_DOORBELL_FLAG_TRIGGER_SIZE_MASK | \
				 HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE)

static const struct named map_aliases[] = {
	{ 0, "NONE" },
	{ HV_MAP_GPA_READABLE, "R" },
	{ HV_MAP_GPA_WRITABLE, "W" },
	{ HV_MAP_GPA_EXECUTABLE, "X" },
	{ HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE, "RW" },
	{ HV_MAP_GPA_READABLE | HV_MAP_GPA_EXECUTABLE, "RX" },
	{ HV_MAP_GPA_PERMISSIONS_MASK, "RWX" },
	{ 0, NULL },
};

static const struct named port_types[] = {
	{ HV_PORT_TYPE_MESSAGE, "Message" },
	{ HV_PORT_TYPE_EVENT, "Event" },
	{ HV_PORT_TYPE_MONITOR, "Monitor" },
	{ HV_PORT_TYPE_DOORBELL, "Doorbell" },
	{ 0, NULL },
};

static const struct named port_properties[] = {
	{ HV_PORT_PROPERTY_POST_COUNT, "PostCount" },
	{ HV_PORT_PROPERTY_PREFERRED_TARGET_VP, "PreferredTargetVp" },
	{ 0, NULL },
};

static const struct named partition_ids[] = {
	{ HV_PARTITION_ID_SELF, "SELF" },
	{ HV_PARTITION_ID_INVALID, "INVALID" },
	{ 0, NULL },
};

static const struct named vp_indexes[] = {
	{ HV_VP_INDEX_SELF, "SELF" },
	{ HV_ANY_VP, "ANY" },
	{ 0, NULL },
};

static const struct named proximities[] = {
	{ 0, "any" },
	{ 0, NULL },
};

/*
 * Registers: spec.md §7's set as the library takes it (src/core/vp.c and
 * regs.c; tests/test_cli.c issues HvGetVpRegisters for every name here and
 * for every code around them, so that `impl` agrees with the library),
 * plus TLFS names openhv does not implement.  Names: the TLFS's without
 * the HvX64Register / HvRegister prefix (Linux hvgdk_mini.h).
 */
static const struct {
	uint32_t code;
	const char *name;
	bool impl;
} registers[] = {
	{ HV_REGISTER_EXPLICIT_SUSPEND, "ExplicitSuspend", true },
	{ HV_REGISTER_INTERCEPT_SUSPEND, "InterceptSuspend", true },
	{ 0x00000003, "DispatchSuspend", false },
	{ HV_REGISTER_INSTRUCTION_EMULATION_HINTS, "InstructionEmulationHints",
	  true },
	{ HV_REGISTER_INTERNAL_ACTIVITY_STATE, "InternalActivityState", true },
	{ HV_REGISTER_PENDING_INTERRUPTION, "PendingInterruption", true },
	{ HV_REGISTER_INTERRUPT_STATE, "InterruptState", true },
	{ HV_REGISTER_PENDING_EVENT0, "PendingEvent0", true },
	{ HV_REGISTER_PENDING_EVENT0 + 1, "PendingEvent1", true },
	{ HV_REGISTER_DELIVERABILITY_NOTIFICATIONS,
	  "DeliverabilityNotifications", true },
	{ HV_X64_REGISTER_RAX, "Rax", true },
	{ HV_X64_REGISTER_RCX, "Rcx", true },
	{ HV_X64_REGISTER_RDX, "Rdx", true },
	{ HV_X64_REGISTER_RBX, "Rbx", true },
	{ HV_X64_REGISTER_RSP, "Rsp", true },
	{ HV_X64_REGISTER_RBP, "Rbp", true },
	{ HV_X64_REGISTER_RSI, "Rsi", true },
	{ HV_X64_REGISTER_RDI, "Rdi", true },
	{ HV_X64_REGISTER_R8, "R8", true },
	{ HV_X64_REGISTER_R9, "R9", true },
	{ HV_X64_REGISTER_R10, "R10", true },
	{ HV_X64_REGISTER_R11, "R11", true },
	{ HV_X64_REGISTER_R12, "R12", true },
	{ HV_X64_REGISTER_R13, "R13", true },
	{ HV_X64_REGISTER_R14, "R14", true },
	{ HV_X64_REGISTER_R15, "R15", true },
	{ HV_X64_REGISTER_RIP, "Rip", true },
	{ HV_X64_REGISTER_RFLAGS, "Rflags", true },
	{ HV_X64_REGISTER_XMM0 + 0, "Xmm0", true },
	{ HV_X64_REGISTER_XMM0 + 1, "Xmm1", true },
	{ HV_X64_REGISTER_XMM0 + 2, "Xmm2", true },
	{ HV_X64_REGISTER_XMM0 + 3, "Xmm3", true },
	{ HV_X64_REGISTER_XMM0 + 4, "Xmm4", true },
	{ HV_X64_REGISTER_XMM0 + 5, "Xmm5", true },
	{ HV_X64_REGISTER_XMM0 + 6, "Xmm6", true },
	{ HV_X64_REGISTER_XMM0 + 7, "Xmm7", true },
	{ HV_X64_REGISTER_XMM0 + 8, "Xmm8", true },
	{ HV_X64_REGISTER_XMM0 + 9, "Xmm9", true },
	{ HV_X64_REGISTER_XMM0 + 10, "Xmm10", true },
	{ HV_X64_REGISTER_XMM0 + 11, "Xmm11", true },
	{ HV_X64_REGISTER_XMM0 + 12, "Xmm12", true },
	{ HV_X64_REGISTER_XMM0 + 13, "Xmm13", true },
	{ HV_X64_REGISTER_XMM0 + 14, "Xmm14", true },
	{ HV_X64_REGISTER_XMM15, "Xmm15", true },
	{ HV_X64_REGISTER_FP_MMX0 + 0, "FpMmx0", true },
	{ HV_X64_REGISTER_FP_MMX0 + 1, "FpMmx1", true },
	{ HV_X64_REGISTER_FP_MMX0 + 2, "FpMmx2", true },
	{ HV_X64_REGISTER_FP_MMX0 + 3, "FpMmx3", true },
	{ HV_X64_REGISTER_FP_MMX0 + 4, "FpMmx4", true },
	{ HV_X64_REGISTER_FP_MMX0 + 5, "FpMmx5", true },
	{ HV_X64_REGISTER_FP_MMX0 + 6, "FpMmx6", true },
	{ HV_X64_REGISTER_FP_MMX7, "FpMmx7", true },
	{ HV_X64_REGISTER_FP_CONTROL_STATUS, "FpControlStatus", true },
	{ HV_X64_REGISTER_XMM_CONTROL_STATUS, "XmmControlStatus", true },
	{ HV_X64_REGISTER_CR0, "Cr0", true },
	{ HV_X64_REGISTER_CR2, "Cr2", true },
	{ HV_X64_REGISTER_CR3, "Cr3", true },
	{ HV_X64_REGISTER_CR4, "Cr4", true },
	{ HV_X64_REGISTER_CR8, "Cr8", true },
	{ HV_X64_REGISTER_XFEM, "Xfem", true },
	{ HV_X64_REGISTER_DR0, "Dr0", true },
	{ HV_X64_REGISTER_DR1, "Dr1", true },
	{ HV_X64_REGISTER_DR2, "Dr2", true },
	{ HV_X64_REGISTER_DR3, "Dr3", true },
	{ HV_X64_REGISTER_DR6, "Dr6", true },
	{ HV_X64_REGISTER_DR7, "Dr7", true },
	{ HV_X64_REGISTER_ES, "Es", true },
	{ HV_X64_REGISTER_CS, "Cs", true },
	{ HV_X64_REGISTER_SS, "Ss", true },
	{ HV_X64_REGISTER_DS, "Ds", true },
	{ HV_X64_REGISTER_FS, "Fs", true },
	{ HV_X64_REGISTER_GS, "Gs", true },
	{ HV_X64_REGISTER_LDTR, "Ldtr", true },
	{ HV_X64_REGISTER_TR, "Tr", true },
	{ HV_X64_REGISTER_IDTR, "Idtr", true },
	{ HV_X64_REGISTER_GDTR, "Gdtr", true },
	{ HV_X64_REGISTER_TSC, "Tsc", true },
	{ HV_X64_REGISTER_EFER, "Efer", true },
	{ HV_X64_REGISTER_KERNEL_GS_BASE, "KernelGsBase", true },
	{ HV_X64_REGISTER_APIC_BASE, "ApicBase", true },
	{ HV_X64_REGISTER_PAT, "Pat", true },
	{ HV_X64_REGISTER_SYSENTER_CS, "SysenterCs", true },
	{ HV_X64_REGISTER_SYSENTER_EIP, "SysenterEip", true },
	{ HV_X64_REGISTER_SYSENTER_ESP, "SysenterEsp", true },
	{ HV_X64_REGISTER_STAR, "Star", true },
	{ HV_X64_REGISTER_LSTAR, "Lstar", true },
	{ HV_X64_REGISTER_CSTAR, "Cstar", true },
	{ HV_X64_REGISTER_SFMASK, "Sfmask", true },
	{ HV_X64_REGISTER_MSR_MTRR_CAP, "MsrMtrrCap", true },
	{ HV_X64_REGISTER_MSR_MTRR_DEF_TYPE, "MsrMtrrDefType", true },
	{ HV_X64_REGISTER_TSC_AUX, "TscAux", true },
	{ HV_X64_REGISTER_DEBUG_CTL, "DebugCtl", true },
	{ HV_X64_REGISTER_U_XSS, "UXss", true },
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0 + 0, "MsrMtrrPhysBase0", true },
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0 + 1, "MsrMtrrPhysBase1", true },
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0 + 2, "MsrMtrrPhysBase2", true },
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0 + 3, "MsrMtrrPhysBase3", true },
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0 + 4, "MsrMtrrPhysBase4", true },
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0 + 5, "MsrMtrrPhysBase5", true },
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0 + 6, "MsrMtrrPhysBase6", true },
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0 + 7, "MsrMtrrPhysBase7", true },
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0 + 0, "MsrMtrrPhysMask0", true },
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0 + 1, "MsrMtrrPhysMask1", true },
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0 + 2, "MsrMtrrPhysMask2", true },
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0 + 3, "MsrMtrrPhysMask3", true },
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0 + 4, "MsrMtrrPhysMask4", true },
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0 + 5, "MsrMtrrPhysMask5", true },
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0 + 6, "MsrMtrrPhysMask6", true },
	{ HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0 + 7, "MsrMtrrPhysMask7", true },
	{ HV_X64_REGISTER_MSR_MTRR_FIX64K00000, "MsrMtrrFix64k00000", true },
	{ HV_X64_REGISTER_MSR_MTRR_FIX16K80000, "MsrMtrrFix16k80000", true },
	{ HV_X64_REGISTER_MSR_MTRR_FIX16KA0000, "MsrMtrrFix16kA0000", true },
	{ HV_X64_REGISTER_MSR_MTRR_FIX4KC0000 + 0, "MsrMtrrFix4kC0000", true },
	{ HV_X64_REGISTER_MSR_MTRR_FIX4KC0000 + 1, "MsrMtrrFix4kC8000", true },
	{ HV_X64_REGISTER_MSR_MTRR_FIX4KC0000 + 2, "MsrMtrrFix4kD0000", true },
	{ HV_X64_REGISTER_MSR_MTRR_FIX4KC0000 + 3, "MsrMtrrFix4kD8000", true },
	{ HV_X64_REGISTER_MSR_MTRR_FIX4KC0000 + 4, "MsrMtrrFix4kE0000", true },
	{ HV_X64_REGISTER_MSR_MTRR_FIX4KC0000 + 5, "MsrMtrrFix4kE8000", true },
	{ HV_X64_REGISTER_MSR_MTRR_FIX4KC0000 + 6, "MsrMtrrFix4kF0000", true },
	{ HV_X64_REGISTER_MSR_MTRR_FIX4KC0000 + 7, "MsrMtrrFix4kF8000", true },
	{ HV_X64_REGISTER_U_CET + 0, "UCet", true },
	{ HV_X64_REGISTER_U_CET + 1, "SCet", true },
	{ HV_X64_REGISTER_U_CET + 2, "Ssp", true },
	{ HV_X64_REGISTER_U_CET + 3, "Pl0Ssp", true },
	{ HV_X64_REGISTER_U_CET + 4, "Pl1Ssp", true },
	{ HV_X64_REGISTER_U_CET + 5, "Pl2Ssp", true },
	{ HV_X64_REGISTER_U_CET + 6, "Pl3Ssp", true },
	{ HV_X64_REGISTER_INTERRUPT_SSP_TABLE_ADDR, "InterruptSspTableAddr", true },
	{ HV_X64_REGISTER_INTERMEDIATE_CR0, "IntermediateCr0", true },
	{ HV_X64_REGISTER_INTERMEDIATE_CR3, "IntermediateCr3", true },
	{ HV_X64_REGISTER_INTERMEDIATE_CR4, "IntermediateCr4", true },
	{ HV_X64_REGISTER_INTERMEDIATE_CR8, "IntermediateCr8", true },
	{ HV_X64_REGISTER_HYPERCALL, "Hypercall", true },
	{ HV_REGISTER_REFERENCE_TSC, "ReferenceTsc", true },
	{ HV_REGISTER_GUEST_OS_ID, "GuestOsId", true },
	{ HV_REGISTER_SINT0 + 0, "Sint0", true },
	{ HV_REGISTER_SINT0 + 1, "Sint1", true },
	{ HV_REGISTER_SINT0 + 2, "Sint2", true },
	{ HV_REGISTER_SINT0 + 3, "Sint3", true },
	{ HV_REGISTER_SINT0 + 4, "Sint4", true },
	{ HV_REGISTER_SINT0 + 5, "Sint5", true },
	{ HV_REGISTER_SINT0 + 6, "Sint6", true },
	{ HV_REGISTER_SINT0 + 7, "Sint7", true },
	{ HV_REGISTER_SINT0 + 8, "Sint8", true },
	{ HV_REGISTER_SINT0 + 9, "Sint9", true },
	{ HV_REGISTER_SINT0 + 10, "Sint10", true },
	{ HV_REGISTER_SINT0 + 11, "Sint11", true },
	{ HV_REGISTER_SINT0 + 12, "Sint12", true },
	{ HV_REGISTER_SINT0 + 13, "Sint13", true },
	{ HV_REGISTER_SINT0 + 14, "Sint14", true },
	{ HV_REGISTER_SINT15, "Sint15", true },
	{ HV_REGISTER_SCONTROL, "Scontrol", true },
	{ HV_REGISTER_SVERSION, "Sversion", true },
	{ HV_REGISTER_SIEFP, "Siefp", true },
	{ HV_REGISTER_SIMP, "Simp", true },
	{ HV_REGISTER_EOM, "Eom", true },
};

const char *layout_reg_name(uint32_t code)
{
	for (size_t i = 0; i < ARRAY_SIZE(registers); i++)
		if (registers[i].code == code)
			return registers[i].name;
	return NULL;
}

bool layout_reg_known(uint32_t code)
{
	for (size_t i = 0; i < ARRAY_SIZE(registers); i++)
		if (registers[i].code == code)
			return registers[i].impl;
	return false;
}

/* "HvX64RegisterRip", "HvRegisterSint2", "HvArm64Register..." or "Rip". */
static const char *strip_prefix(const char *name, const char *const *prefixes)
{
	for (; *prefixes; prefixes++) {
		size_t n = strlen(*prefixes);

		if (!strncasecmp(name, *prefixes, n) && name[n])
			return name + n;
	}
	return name;
}

/* Names equal but for case and underscores: "KERNEL_GS_BASE" is
 * "KernelGsBase". */
static bool same_name(const char *a, const char *b)
{
	for (;;) {
		while (*a == '_')
			a++;
		while (*b == '_')
			b++;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		if (!*a)
			return true;
		a++;
		b++;
	}
}

bool layout_reg_code(const char *name, uint32_t *code)
{
	static const char *const prefixes[] = {
		"HvX64Register", "HvArm64Register", "HvRegister",
		"HV_X64_REGISTER_", "HV_REGISTER_", NULL,
	};
	const char *s = strip_prefix(name, prefixes);

	for (size_t i = 0; i < ARRAY_SIZE(registers); i++) {
		if (same_name(registers[i].name, s)) {
			*code = registers[i].code;
			return true;
		}
	}
	return false;
}

static bool lookup(const struct named *t, const char *name, uint64_t *v)
{
	for (; t->name; t++) {
		if (!strcasecmp(t->name, name)) {
			*v = t->value;
			return true;
		}
	}
	return false;
}

static bool fmt_const(enum ohv_field_fmt fmt, const char *name, uint64_t *v)
{
	static const char *const flag_prefix[] = {
		"HV_PARTITION_CREATION_FLAG_", NULL,
	};
	static const char *const map_prefix[] = { "HV_MAP_GPA_", NULL };
	static const char *const unmap_prefix[] = { "HV_UNMAP_GPA_", NULL };
	static const char *const doorbell_prefix[] = {
		"HV_DOORBELL_FLAG_TRIGGER_", "TRIGGER_", NULL,
	};
	static const char *const prop_prefix2[] = {
		"HV_PARTITION_PROPERTY_", NULL,
	};
	static const char *const port_prefix[] = { "HvPortType", NULL };
	static const char *const pprop_prefix[] = { "HvPortProperty", NULL };
	static const char *const prop_prefix[] = { "HvPartitionProperty", NULL };

	switch (fmt) {
	case OHV_FMT_PARTITION_ID:
	case OHV_FMT_CHILD_ID:
	case OHV_FMT_CHILD_CURSOR:
		return lookup(partition_ids, name, v);
	case OHV_FMT_CREATION_FLAGS:
		return lookup(creation_flags, strip_prefix(name, flag_prefix), v);
	case OHV_FMT_PROXIMITY:
		return lookup(proximities, name, v);
	case OHV_FMT_PROPERTY_CODE: {
		const char *s = strip_prefix(strip_prefix(name, prop_prefix),
					     prop_prefix2);

		for (size_t i = 0; i < ARRAY_SIZE(properties); i++) {
			if (same_name(properties[i].name, s)) {
				*v = properties[i].code;
				return true;
			}
		}
		return false;
	}
	case OHV_FMT_PRIVILEGES:
		return lookup(privileges, name, v);
	case OHV_FMT_MAP_FLAGS:
		name = strip_prefix(name, map_prefix);
		return lookup(map_flags, name, v) || lookup(map_aliases, name, v);
	case OHV_FMT_UNMAP_FLAGS:
		return lookup(unmap_flags, strip_prefix(name, unmap_prefix), v);
	case OHV_FMT_DOORBELL_FLAGS:
		name = strip_prefix(name, doorbell_prefix);
		return lookup(doorbell_flags, name, v) ||
		       lookup(doorbell_aliases, name, v);
	case OHV_FMT_VP_INDEX:
	case OHV_FMT_TARGET_VP:
		return lookup(vp_indexes, name, v);
	case OHV_FMT_PORT_TYPE:
		return lookup(port_types, strip_prefix(name, port_prefix), v);
	case OHV_FMT_PORT_PROPERTY:
		return lookup(port_properties, strip_prefix(name, pprop_prefix), v);
	case OHV_FMT_REG_NAME: {
		uint32_t code;

		if (!layout_reg_code(name, &code))
			return false;
		*v = code;
		return true;
	}
	default:
		return false;
	}
}

bool layout_const(enum ohv_field_fmt fmt, const char *name, bool any, uint64_t *v)
{
	static const enum ohv_field_fmt order[] = {
		OHV_FMT_CREATION_FLAGS, OHV_FMT_PRIVILEGES, OHV_FMT_PROPERTY_CODE,
		OHV_FMT_MAP_FLAGS, OHV_FMT_UNMAP_FLAGS, OHV_FMT_DOORBELL_FLAGS,
		OHV_FMT_PORT_TYPE, OHV_FMT_PORT_PROPERTY, OHV_FMT_REG_NAME,
		OHV_FMT_PARTITION_ID, OHV_FMT_VP_INDEX,
	};

	if (fmt_const(fmt, name, v))
		return true;
	if (!any)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		if (fmt_const(order[i], name, v))
			return true;
	return false;
}

const char *layout_const_name(enum ohv_field_fmt fmt, size_t i)
{
	const struct named *t = NULL;

	switch (fmt) {
	case OHV_FMT_PARTITION_ID:
	case OHV_FMT_CHILD_ID:
		t = partition_ids;
		break;
	case OHV_FMT_CREATION_FLAGS:
		t = creation_flags;
		break;
	case OHV_FMT_PROXIMITY:
		t = proximities;
		break;
	case OHV_FMT_PRIVILEGES:
		t = privileges;
		break;
	case OHV_FMT_MAP_FLAGS:
		t = map_flags;
		break;
	case OHV_FMT_UNMAP_FLAGS:
		t = unmap_flags;
		break;
	case OHV_FMT_DOORBELL_FLAGS:
		t = doorbell_flags;
		break;
	case OHV_FMT_VP_INDEX:
	case OHV_FMT_TARGET_VP:
		t = vp_indexes;
		break;
	case OHV_FMT_PORT_TYPE:
		t = port_types;
		break;
	case OHV_FMT_PORT_PROPERTY:
		t = port_properties;
		break;
	case OHV_FMT_PROPERTY_CODE:
		return i < ARRAY_SIZE(properties) ? properties[i].name : NULL;
	case OHV_FMT_REG_NAME:
		return i < ARRAY_SIZE(registers) ? registers[i].name : NULL;
	default:
		return NULL;
	}
	for (size_t k = 0; t[k].name; k++)
		if (k == i)
			return t[k].name;
	return NULL;
}

const char *layout_fmt_help(enum ohv_field_fmt fmt)
{
	switch (fmt) {
	case OHV_FMT_HEX:			return "number";
	case OHV_FMT_DEC:			return "number";
	case OHV_FMT_PARTITION_ID:		return "partition id, SELF";
	case OHV_FMT_CHILD_ID:		return "partition id of a child";
	case OHV_FMT_CHILD_CURSOR:		return "0 to start, or the previous child";
	case OHV_FMT_CREATION_FLAGS:		return "flags: EXO_PARTITION|LAPIC_ENABLED|...";
	case OHV_FMT_PROXIMITY:		return "any, prefer:NODE, require:NODE";
	case OHV_FMT_COMPAT_VERSION:		return "0x0609 = 6.9 (21H2)";
	case OHV_FMT_PROPERTY_CODE:		return "property: PrivilegeFlags, CpuWeight, ... "
						"(help properties)";
	case OHV_FMT_PRIVILEGES:		return "privileges: CreatePartitions|PostMessages|...";
	case OHV_FMT_ISOLATION:		return "must be 0";
	case OHV_FMT_MAP_FLAGS:		return "READABLE|WRITABLE|EXECUTABLE (R, RW, RWX), "
						"ADJUSTABLE, LARGE_PAGE";
	case OHV_FMT_UNMAP_FLAGS:		return "0, or LARGE_PAGE (512 pages a rep)";
	case OHV_FMT_GPA_PAGE:		return "GPA page number";
	case OHV_FMT_GPA_BASE:		return "GPA page number below 2^40";
	case OHV_FMT_VP_INDEX:		return "VP index 0-63, SELF";
	case OHV_FMT_TARGET_VP:		return "VP index 0-63, ANY";
	case OHV_FMT_PORT_ID:		return "port id, bits 31:24 zero";
	case OHV_FMT_CONNECTION_ID:		return "connection id, bits 31:24 zero";
	case OHV_FMT_PORT_TYPE:		return "Message, Event, Monitor, Doorbell";
	case OHV_FMT_SINT:			return "SINT 0-15";
	case OHV_FMT_PORT_PROPERTY:		return "PostCount, PreferredTargetVp";
	case OHV_FMT_REG_NAME:		return "register: Rip, Cr0, ExplicitSuspend, Sint2, Simp, Eom, ... "
						"(help registers)";
	case OHV_FMT_REG_VALUE:		return "value, or LOW:HIGH for 128 bits";
	case OHV_FMT_MESSAGE_TYPE:		return "non-zero, bit 31 clear";
	case OHV_FMT_PAYLOAD_SIZE:		return "0-240 (default: the payload's length)";
	case OHV_FMT_PAYLOAD:		return "\"text\" or 0x<hex bytes>";
	case OHV_FMT_VTL:			return "must be 0";
	case OHV_FMT_INPUT_VTL:		return "0 or 0x10";
	case OHV_FMT_SUBNODE_TYPE:		return "must be 0";
	case OHV_FMT_VP_FLAGS:		return "must be 0";
	case OHV_FMT_MONITOR_GPA:		return "page-aligned GPA";
	case OHV_FMT_DOORBELL_FLAGS:		return "SIZE_ANY, SIZE_BYTE, SIZE_WORD, SIZE_DWORD, "
						"SIZE_QWORD, |ANY_VALUE";
	case OHV_FMT_FLAG_NUMBER:		return "event flag, below the port's FlagCount";
	case OHV_FMT_FLAG_COUNT:		return "1-2048, BaseFlagNumber + FlagCount <= 2048";
	}
	return "number";
}

/* A port's own SINT: SINT0 is the hypervisor's (spec.md §8). */
static bool creates_port(const struct ohv_call_info *l)
{
	return l->code == HVCALL_CREATE_PORT_CLASSIC ||
	       l->code == HVCALL_CREATE_PORT;
}

const char *layout_field_help(const struct ohv_call_info *l,
			      const struct ohv_field *f)
{
	if (l->code == HVCALL_DISCONNECT_PORT && !strcmp(f->name, "IsDoorbell"))
		return "1: a doorbell's connection (Linux sets it; openhv "
		       "takes any connection alike)";
	if ((l->code == HVCALL_READ_GPA || l->code == HVCALL_WRITE_GPA) &&
	    !strcmp(f->name, "ByteCount"))
		return l->code == HVCALL_WRITE_GPA ?
			"1-16 (default: Data's length)" : "1-16";
	switch ((enum ohv_field_fmt)f->fmt) {
	case OHV_FMT_SINT:
		return creates_port(l) ? "SINT 1-15" : "SINT 0-15";
	case OHV_FMT_FLAG_NUMBER:
		if (l->code == HVCALL_SIGNAL_EVENT_DIRECT)
			return "event flag 0-2047";
		break;
	case OHV_FMT_PORT_TYPE:
		return "Message, Event, Monitor, Doorbell (a port of the root)";
	default:
		break;
	}
	return layout_fmt_help((enum ohv_field_fmt)f->fmt);
}

/*
 * Fields the library's call table still calls reserved that a caller
 * sets: the tool shows and sets them as values.  Should the table come to
 * agree, the overlay changes nothing.
 */
static const struct {
	uint16_t code;
	const char *name;
	enum ohv_field_fmt fmt;
} unreserved[] = {
	/* Linux's mshv_unregister_doorbell sets bit 0 (spec.md §10). */
	{ HVCALL_DISCONNECT_PORT, "IsDoorbell", OHV_FMT_DEC },
};

#define OVERLAY_FIELDS	16

const struct ohv_field *layout_in(const struct ohv_call_info *l,
				  enum ohv_arch arch)
{
	static struct ohv_field copy[ARRAY_SIZE(unreserved)][2][OVERLAY_FIELDS];

	for (size_t i = 0; i < ARRAY_SIZE(unreserved); i++) {
		if (l->code != unreserved[i].code)
			continue;
		/* Both architectures' lists may be one: then one copy. */
		int a = l->in[OHV_ARCH_ARM64] == l->in[OHV_ARCH_X64] ?
			OHV_ARCH_X64 : (int)arch;
		struct ohv_field *c = copy[i][a];
		size_t n = 0;

		while (l->in[a][n].name)
			n++;
		if (n >= OVERLAY_FIELDS)
			return l->in[arch];
		if (!c[0].name) {
			memcpy(c, l->in[a], (n + 1) * sizeof(*c));
			for (size_t k = 0; k < n; k++) {
				if (strcmp(c[k].name, unreserved[i].name))
					continue;
				c[k].kind = OHV_FIELD_VALUE;
				c[k].fmt = (uint8_t)unreserved[i].fmt;
			}
		}
		return c;
	}
	return l->in[arch];
}

const struct ohv_field *layout_payload_size(const struct ohv_call_info *l,
					    enum ohv_arch arch)
{
	const struct ohv_field *count = NULL;
	bool payload = false;

	for (const struct ohv_field *f = layout_in(l, arch); f->name; f++) {
		if (f->fmt == OHV_FMT_PAYLOAD_SIZE && f->kind == OHV_FIELD_VALUE)
			return f;
		if (f->fmt == OHV_FMT_PAYLOAD)
			payload = true;
		if (!strcmp(f->name, "ByteCount"))
			count = f;
	}
	for (const struct ohv_field *f = l->out; f->name; f++)
		if (f->fmt == OHV_FMT_PAYLOAD)
			payload = true;
	/* HvReadGpa / HvWriteGpa: ByteCount says how much of Data counts. */
	return payload ? count : NULL;
}

/* ---------------------------------------------------------------------- */
/* Showing values.                                                         */

/* Append to buf at offset at, truncating at n; the new offset. */
__attribute__((format(printf, 4, 5)))
static size_t put(char *buf, size_t n, size_t at, const char *fmt, ...)
{
	va_list ap;

	if (at >= n)
		return at;
	va_start(ap, fmt);
	int k = vsnprintf(buf + at, n - at, fmt, ap);
	va_end(ap);
	if (k < 0)
		return at;
	return at + (size_t)k < n ? at + (size_t)k : n - 1;
}

/* 0x82100 (A|B|unknown 0x4) */
static void bits_value(char *buf, size_t n, uint64_t v, const struct named *t)
{
	size_t at = put(buf, n, 0, "0x%" PRIx64, v);
	uint64_t rest = v;
	const char *sep = " (";

	for (; t->name; t++) {
		if (!t->value || (v & t->value) != t->value ||
		    !(rest & t->value))
			continue;
		at = put(buf, n, at, "%s%s", sep, t->name);
		rest &= ~t->value;
		sep = "|";
	}
	if (rest && v != rest)
		at = put(buf, n, at, "%sunknown 0x%" PRIx64, sep, rest);
	else if (rest)
		at = put(buf, n, at, " (unknown");
	if (v)
		put(buf, n, at, ")");
}

void layout_flag_names(char *buf, size_t n, enum ohv_field_fmt fmt,
		       uint64_t v)
{
	const struct named *t = fmt == OHV_FMT_PRIVILEGES ? privileges :
		fmt == OHV_FMT_CREATION_FLAGS ? creation_flags :
		fmt == OHV_FMT_UNMAP_FLAGS ? unmap_flags : map_flags;
	size_t at = 0;

	if (n)
		buf[0] = 0;
	for (; t->name; t++)
		if (t->value && (v & t->value) == t->value)
			at = put(buf, n, at, "%s%s", at ? "|" : "", t->name);
}

static const char *named_of(const struct named *t, uint64_t v)
{
	for (; t->name; t++)
		if (t->value == v)
			return t->name;
	return NULL;
}

/* HV_PROXIMITY_DOMAIN_INFO (facts §4.4): Id in the low half, flags high. */
static void proximity_value(char *buf, size_t n, uint64_t v)
{
	uint32_t id = (uint32_t)v, flags = (uint32_t)(v >> 32);
	size_t at;

	if (!(flags & HV_PROXIMITY_DOMAIN_VALID))
		at = put(buf, n, 0, "any node");
	else if (flags & HV_PROXIMITY_DOMAIN_PREFERRED)
		at = put(buf, n, 0, "node %" PRIu32 ", preferred", id);
	else
		at = put(buf, n, 0, "node %" PRIu32 ", required", id);
	if (flags & HV_PROXIMITY_DOMAIN_RSVD_MASK)
		put(buf, n, at, " (reserved flags 0x%08" PRIx32 ")",
		    flags & HV_PROXIMITY_DOMAIN_RSVD_MASK);
	else if (!(flags & HV_PROXIMITY_DOMAIN_VALID) && (id || flags))
		put(buf, n, at, " (Id %" PRIu32 " ignored)", id);
}

void layout_number(char *buf, size_t n, enum ohv_field_fmt fmt, uint64_t v)
{
	switch (fmt) {
	case OHV_FMT_DEC:
	case OHV_FMT_PAYLOAD_SIZE:
	case OHV_FMT_FLAG_NUMBER:
	case OHV_FMT_FLAG_COUNT:
	case OHV_FMT_SINT:
	case OHV_FMT_PARTITION_ID:
	case OHV_FMT_CHILD_ID:
	case OHV_FMT_CHILD_CURSOR:
	case OHV_FMT_VP_INDEX:
	case OHV_FMT_TARGET_VP:
	case OHV_FMT_PORT_TYPE:
	case OHV_FMT_PORT_PROPERTY:
		put(buf, n, 0, "%" PRIu64, v);
		break;
	default:
		put(buf, n, 0, "0x%" PRIx64, v);
		break;
	}
}

void layout_value(char *buf, size_t n, enum ohv_field_fmt fmt, uint64_t v)
{
	const char *name;

	if (!n)
		return;
	buf[0] = 0;
	switch (fmt) {
	case OHV_FMT_PARTITION_ID:
	case OHV_FMT_CHILD_ID:
	case OHV_FMT_CHILD_CURSOR:
		if (v == HV_PARTITION_ID_SELF)
			put(buf, n, 0, "SELF");
		else if (v == HV_PARTITION_ID_INVALID)
			put(buf, n, 0, fmt == OHV_FMT_CHILD_CURSOR ? "0 (none)" :
			    "0 (INVALID)");
		else
			put(buf, n, 0, "%" PRIu64, v);
		break;
	case OHV_FMT_CREATION_FLAGS:
		bits_value(buf, n, v, creation_flags);
		break;
	case OHV_FMT_PRIVILEGES:
		bits_value(buf, n, v, privileges);
		break;
	case OHV_FMT_MAP_FLAGS:
		bits_value(buf, n, v, map_flags);
		break;
	case OHV_FMT_UNMAP_FLAGS:
		bits_value(buf, n, v, unmap_flags);
		break;
	case OHV_FMT_PROXIMITY:
		proximity_value(buf, n, v);
		break;
	case OHV_FMT_COMPAT_VERSION: {
		size_t at = put(buf, n, 0, "0x%04" PRIx64 " (%" PRIu64 ".%"
				PRIu64, v, (v >> 8) & 0xFF, v & 0xFF);

		put(buf, n, at, "%s)",
		    v == HV_COMPATIBILITY_21_H2 ? ", 21H2" : "");
		break;
	}
	case OHV_FMT_PROPERTY_CODE:
		name = "unknown";
		for (size_t i = 0; i < ARRAY_SIZE(properties); i++)
			if (properties[i].code == v)
				name = properties[i].name;
		put(buf, n, 0, "0x%08" PRIx64 " (%s)", v, name);
		break;
	case OHV_FMT_GPA_PAGE:
	case OHV_FMT_GPA_BASE:
		if (v < HV_GPA_PAGE_LIMIT)
			put(buf, n, 0, "0x%" PRIx64 " (GPA 0x%" PRIx64 ")", v,
			    v << HV_PAGE_SHIFT);
		else
			put(buf, n, 0, "0x%" PRIx64, v);
		break;
	case OHV_FMT_VP_INDEX:
	case OHV_FMT_TARGET_VP:
		name = named_of(vp_indexes, v);
		if (name)
			put(buf, n, 0, "%s", name);
		else
			put(buf, n, 0, "%" PRIu64, v);
		break;
	case OHV_FMT_PORT_TYPE:
	case OHV_FMT_PORT_PROPERTY:
		name = named_of(fmt == OHV_FMT_PORT_TYPE ? port_types : port_properties,
				v);
		if (name)
			put(buf, n, 0, "%" PRIu64 " (%s)", v, name);
		else
			put(buf, n, 0, "%" PRIu64, v);
		break;
	case OHV_FMT_REG_NAME:
		name = layout_reg_name((uint32_t)v);
		if (name)
			put(buf, n, 0, "%s", name);
		else
			put(buf, n, 0, "0x%08" PRIx64, v);
		break;
	case OHV_FMT_DOORBELL_FLAGS: {
		/* 0x80000003 (SIZE_DWORD|ANY_VALUE): the size is a value. */
		uint64_t size = v & HV_DOORBELL_FLAG_TRIGGER_SIZE_MASK;
		size_t at = put(buf, n, 0, "0x%" PRIx64 " (", v);

		name = named_of(doorbell_flags, size);
		if (name)
			at = put(buf, n, at, "%s", name);
		else
			at = put(buf, n, at, "size %" PRIu64, size);
		if (v & HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE)
			at = put(buf, n, at, "|ANY_VALUE");
		if (v & ~(uint64_t)DOORBELL_FLAGS_DEFINED)
			at = put(buf, n, at, "|unknown 0x%" PRIx64,
				 v & ~(uint64_t)DOORBELL_FLAGS_DEFINED);
		put(buf, n, at, ")");
		break;
	}
	default:
		layout_number(buf, n, fmt, v);
		break;
	}
}

void layout_reg_value(char *buf, size_t n, uint32_t name, const void *v16)
{
	union hv_register_value v;
	size_t at;

	memcpy(&v, v16, sizeof(v));
	if (name >= HV_X64_REGISTER_ES && name <= HV_X64_REGISTER_TR) {
		put(buf, n, 0, "base 0x%" PRIx64 " limit 0x%" PRIx32 " selector "
		    "0x%" PRIx16 " attributes 0x%" PRIx16, v.segment.base,
		    v.segment.limit, v.segment.selector, v.segment.attributes);
		return;
	}
	if (name == HV_X64_REGISTER_IDTR || name == HV_X64_REGISTER_GDTR) {
		put(buf, n, 0, "base 0x%" PRIx64 " limit 0x%" PRIx16,
		    v.table.base, v.table.limit);
		return;
	}
	at = put(buf, n, 0, "0x%" PRIx64, v.reg128[0]);
	if (name >= HV_REGISTER_SINT0 && name <= HV_REGISTER_SINT15) {
		at = put(buf, n, at, " (vector 0x%" PRIx64 "%s%s)",
			 (uint64_t)(v.reg64 & HV_SYNIC_SINT_VECTOR_MASK),
			 v.reg64 & HV_SYNIC_SINT_MASKED ? ", masked" : "",
			 v.reg64 & HV_SYNIC_SINT_AUTO_EOI ? ", auto EOI" : "");
	} else if (name == HV_REGISTER_SIMP || name == HV_REGISTER_SIEFP) {
		at = put(buf, n, at, " (page 0x%" PRIx64 ", %s)",
			 v.reg64 >> HV_PAGE_SHIFT,
			 v.reg64 & 1 ? "enabled" : "disabled");
	} else if (name == HV_REGISTER_SCONTROL) {
		at = put(buf, n, at, " (%s)", v.reg64 & 1 ? "enabled" : "disabled");
	} else if (name == HV_REGISTER_EXPLICIT_SUSPEND) {
		at = put(buf, n, at, " (%s)", v.reg64 & 1 ? "suspended" : "runnable");
	} else if (name == HV_REGISTER_INTERCEPT_SUSPEND) {
		at = put(buf, n, at, " (%s)", v.reg64 & 1 ? "suspended" :
			 "not suspended");
	}
	if (v.reg128[1])
		put(buf, n, at, " high 0x%" PRIx64, v.reg128[1]);
}

void layout_payload(char *buf, size_t n, const void *p, size_t len)
{
	const unsigned char *b = p;
	bool text = len > 0;
	size_t at;

	for (size_t i = 0; i < len; i++)
		if (!isprint(b[i]) && b[i] != '\n' && b[i] != '\t')
			text = false;
	if (text) {
		at = put(buf, n, 0, "\"");
		for (size_t i = 0; i < len; i++) {
			if (b[i] == '"' || b[i] == '\\')
				at = put(buf, n, at, "\\%c", b[i]);
			else if (b[i] == '\n')
				at = put(buf, n, at, "\\n");
			else if (b[i] == '\t')
				at = put(buf, n, at, "\\t");
			else
				at = put(buf, n, at, "%c", b[i]);
		}
		put(buf, n, at, "\"");
		return;
	}
	at = put(buf, n, 0, len ? "0x" : "(empty)");
	for (size_t i = 0; i < len; i++)
		at = put(buf, n, at, "%02x", b[i]);
}

/* ---------------------------------------------------------------------- */
/* Blocks.                                                                 */

static uint64_t load(const void *block, size_t off, size_t size)
{
	uint64_t v = 0;

	memcpy(&v, (const uint8_t *)block + off, size < 8 ? size : 8);
	return v;
}

struct rule {
	char note[200];
	hv_status_t status;
};

__attribute__((format(printf, 3, 4)))
static bool bad(struct rule *r, hv_status_t st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->note, sizeof(r->note), fmt, ap);
	va_end(ap);
	r->status = st;
	return true;
}

/* A field of the block at off, size bytes; 0 when the block ends first. */
static uint64_t at_off(const uint8_t *blk, size_t len, size_t off, size_t size)
{
	return off + size <= len ? load(blk, off, size) : 0;
}

/*
 * What is wrong with a field's value, by spec.md §4-8 and §10: true with r
 * filled, or false.  blk/len is the whole block, for rules across fields;
 * l the call.
 */
static bool check(const struct ohv_call_info *l, const struct ohv_field *f,
		  const uint8_t *blk, size_t len, enum ohv_arch arch,
		  uint64_t v, struct rule *r)
{
	uint32_t flags;

	if (f->kind == OHV_FIELD_RESERVED) {
		if (!v)
			return false;
		return bad(r, 0, "reserved, should be 0 (openhv ignores it, "
			   "spec.md §3.2)");
	}
	switch ((enum ohv_field_fmt)f->fmt) {
	case OHV_FMT_PARTITION_ID:
		if (v == HV_PARTITION_ID_INVALID)
			return bad(r, HV_STATUS_INVALID_PARTITION_ID,
				   "HV_PARTITION_ID_INVALID names no partition");
		return false;
	case OHV_FMT_CHILD_ID:
		if (v == HV_PARTITION_ID_INVALID)
			return bad(r, HV_STATUS_INVALID_PARTITION_ID,
				   "HV_PARTITION_ID_INVALID names no partition");
		if (v == HV_PARTITION_ID_SELF)
			return bad(r, HV_STATUS_INVALID_PARTITION_ID,
				   "must name a child, not SELF (spec.md §4)");
		return false;
	case OHV_FMT_CREATION_FLAGS:
		if (v & ~HV_PARTITION_CREATION_FLAGS_VALID)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "bits 0x%" PRIx64 " outside the documented "
				   "set {0,1,4,8,9,10,13,15,16,19,20,22} "
				   "(spec.md §4.1)",
				   (uint64_t)(v & ~HV_PARTITION_CREATION_FLAGS_VALID));
		if (arch == OHV_ARCH_ARM64 &&
		    (v & HV_PARTITION_CREATION_FLAGS_X64_ONLY))
			return bad(r, 0, "LAPIC_ENABLED and X2APIC_CAPABLE are "
				   "x64 flags, ignored on arm64");
		return false;
	case OHV_FMT_PROXIMITY:
		flags = (uint32_t)(v >> 32);
		if (flags & HV_PROXIMITY_DOMAIN_RSVD_MASK)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "reserved flag bits 30:1 set (spec.md §4.1)");
		return false;
	case OHV_FMT_ISOLATION:
		if (v)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "must be 0: no isolation is supported "
				   "(spec.md §4.1)");
		return false;
	case OHV_FMT_PROPERTY_CODE:
		for (size_t i = 0; i < ARRAY_SIZE(properties); i++) {
			if (properties[i].code != v)
				continue;
			switch (properties[i].how) {
			case LAYOUT_PROP_NONE:
				break;
			case LAYOUT_PROP_EX:
				if (l->code == HVCALL_GET_PARTITION_PROPERTY_EX)
					return false;
				return bad(r, HV_STATUS_UNKNOWN_PROPERTY,
					   "only HvCallGetPartitionPropertyEx "
					   "reads it (spec.md §10)");
			case LAYOUT_PROP_RO:
				if (l->code == HVCALL_SET_PARTITION_PROPERTY)
					return bad(r, HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE,
						   "read-only (spec.md §4.3, §10)");
				return false;
			case LAYOUT_PROP_RW:
				return false;
			}
			return bad(r, HV_STATUS_UNKNOWN_PROPERTY,
				   "a TLFS property openhv does not implement "
				   "(spec.md §4.3)");
		}
		return bad(r, HV_STATUS_UNKNOWN_PROPERTY,
			   "not a TLFS partition property code");
	case OHV_FMT_MAP_FLAGS: {
		/* HvMapGpaPages: TargetGpaBase before MapFlags (spec.md §6). */
		uint64_t base = at_off(blk, len, offsetof(struct hv_input_map_gpa_pages,
							   target_gpa_base), 8);

		if (v & ~(uint64_t)MAP_FLAGS_DEFINED)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "bits 0x%" PRIx64 " beyond READABLE, WRITABLE, "
				   "EXECUTABLE, ADJUSTABLE and LARGE_PAGE (spec.md §6)",
				   v & ~(uint64_t)MAP_FLAGS_DEFINED);
		if ((v & HV_MAP_GPA_WRITABLE) && !(v & HV_MAP_GPA_READABLE))
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "WRITABLE without READABLE (spec.md §6)");
		if (l->code == HVCALL_MAP_GPA_PAGES &&
		    (v & HV_MAP_GPA_LARGE_PAGE) && base % LARGE_PAGE_PAGES)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "LARGE_PAGE needs a 2 MiB-aligned TargetGpaBase "
				   "(a multiple of 512 pages; spec.md §6)");
		return false;
	}
	case OHV_FMT_UNMAP_FLAGS: {
		uint64_t base = at_off(blk, len, offsetof(struct hv_input_unmap_gpa_pages,
							   target_gpa_base), 8);

		if (v & ~(uint64_t)HV_UNMAP_GPA_LARGE_PAGE)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "bits 0x%" PRIx64 " beyond LARGE_PAGE (spec.md §6)",
				   v & ~(uint64_t)HV_UNMAP_GPA_LARGE_PAGE);
		if ((v & HV_UNMAP_GPA_LARGE_PAGE) && base % LARGE_PAGE_PAGES)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "LARGE_PAGE needs a 2 MiB-aligned TargetGpaBase "
				   "(a multiple of 512 pages; spec.md §6)");
		return false;
	}
	case OHV_FMT_GPA_BASE:
		if (v >= HV_GPA_PAGE_LIMIT)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "beyond the 52-bit GPA space (spec.md §6)");
		return false;
	case OHV_FMT_VP_INDEX:
		if (v >= OHV_MAX_VPS && v != HV_VP_INDEX_SELF)
			return bad(r, HV_STATUS_INVALID_VP_INDEX,
				   "openhv's VP indexes are 0-%u (spec.md §7)",
				   OHV_MAX_VPS - 1);
		return false;
	case OHV_FMT_TARGET_VP:
		if (v >= OHV_MAX_VPS && v != HV_ANY_VP)
			return bad(r, HV_STATUS_INVALID_VP_INDEX,
				   "neither a VP index 0-%u nor HV_ANY_VP "
				   "(spec.md §8)", OHV_MAX_VPS - 1);
		return false;
	case OHV_FMT_PORT_ID:
		if (v & ~(uint64_t)HV_PORT_ID_MASK)
			return bad(r, HV_STATUS_INVALID_PORT_ID,
				   "reserved bits 31:24 set (spec.md §8)");
		return false;
	case OHV_FMT_CONNECTION_ID:
		if (v & ~(uint64_t)HV_CONNECTION_ID_MASK)
			return bad(r, HV_STATUS_INVALID_CONNECTION_ID,
				   "reserved bits 31:24 set (spec.md §8)");
		return false;
	case OHV_FMT_PORT_TYPE:
		/* Doorbells: a port of the root only (spec.md §10), which
		 * the call knows and the block does not. */
		if (v < HV_PORT_TYPE_MESSAGE || v > HV_PORT_TYPE_DOORBELL)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "not a port type (1 Message, 2 Event, "
				   "3 Monitor, 4 Doorbell; spec.md §8, §10)");
		return false;
	case OHV_FMT_SINT:
		/* Direct deliveries and NotifyPortRingEmpty take SINT0 too
		 * (spec.md §10). */
		if (v == 0 && creates_port(l))
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "SINT0 is the hypervisor's; ports use 1-15 "
				   "(spec.md §8)");
		if (v >= HV_SYNIC_SINT_COUNT)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   creates_port(l) ? "SINTs are 0-15; ports use "
				   "1-15 (spec.md §8)" : "SINTs are 0-15 "
				   "(spec.md §8, §10)");
		return false;
	case OHV_FMT_PORT_PROPERTY:
		if (v > HV_PORT_PROPERTY_PREFERRED_TARGET_VP)
			return bad(r, HV_STATUS_UNKNOWN_PROPERTY,
				   "port properties are 0 PostCount and 1 "
				   "PreferredTargetVp");
		return false;
	case OHV_FMT_REG_NAME:
		if (!layout_reg_name((uint32_t)v))
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "not a register name openhv knows (spec.md §7)");
		if (!layout_reg_known((uint32_t)v))
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "a TLFS register openhv does not implement "
				   "(spec.md §7)");
		return false;
	case OHV_FMT_MESSAGE_TYPE:
		if (v == HV_MESSAGE_TYPE_NONE)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "type 0 is HvMessageTypeNone, an empty slot "
				   "(spec.md §8)");
		if (v & HV_MESSAGE_TYPE_HYPERVISOR_MASK)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "bit 31 set: a hypervisor message type "
				   "(spec.md §8)");
		return false;
	case OHV_FMT_PAYLOAD_SIZE:
		if (v > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "above the 240-byte payload (spec.md §8)");
		return false;
	case OHV_FMT_VTL:
		if (v)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "VTL fields must be 0 (spec.md §3.3)");
		return false;
	case OHV_FMT_INPUT_VTL:
		if (v != 0 && v != 0x10)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "only VTL 0 exists: 0 or 0x10 (spec.md §7)");
		return false;
	case OHV_FMT_SUBNODE_TYPE:
	case OHV_FMT_VP_FLAGS:
		if (v)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "must be 0 (spec.md §7)");
		return false;
	case OHV_FMT_MONITOR_GPA:
		if (v & (HV_PAGE_SIZE - 1))
			return bad(r, HV_STATUS_INVALID_ALIGNMENT,
				   "monitor page GPA not page-aligned (spec.md §8)");
		return false;
	case OHV_FMT_DOORBELL_FLAGS: {
		/* The GPA before the flags, aligned to the trigger size and
		 * inside the GPA space (spec.md §10). */
		uint64_t size = v & HV_DOORBELL_FLAG_TRIGGER_SIZE_MASK;
		uint64_t gpa = at_off(blk, len, offsetof(struct hv_input_connect_port,
				      connection_info.doorbell_connection_info.gpa), 8);

		if ((v & ~(uint64_t)DOORBELL_FLAGS_DEFINED) ||
		    size > HV_DOORBELL_FLAG_TRIGGER_SIZE_QWORD)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "defined: a trigger size SIZE_ANY..SIZE_QWORD "
				   "(0-4) in bits 2:0, ANY_VALUE bit 31 (spec.md §10)");
		if (l->code != HVCALL_CONNECT_PORT)
			return false;
		if (size && (gpa & ((1ull << (size - 1)) - 1)))
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "ConnectionInfo.Gpa 0x%" PRIx64 " is not "
				   "aligned to the %u-byte trigger (spec.md §10)",
				   gpa, 1u << (size - 1));
		if (gpa >> HV_PAGE_SHIFT >= HV_GPA_PAGE_LIMIT)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "ConnectionInfo.Gpa beyond the 52-bit GPA "
				   "space (spec.md §10)");
		return false;
	}
	case OHV_FMT_FLAG_NUMBER:
		if (l->code == HVCALL_SIGNAL_EVENT_DIRECT &&
		    v >= HV_EVENT_FLAGS_COUNT)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "a SIEF slot has flags 0-2047 (spec.md §10)");
		return false;
	case OHV_FMT_FLAG_COUNT: {
		uint64_t base = f->off >= 2 && f->off <= len ?
			load(blk, f->off - 2, 2) : 0;

		if (v == 0)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "an event port needs FlagCount >= 1 (spec.md §8)");
		if (base + v > HV_EVENT_FLAGS_COUNT)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "BaseFlagNumber + FlagCount = %" PRIu64
				   " > 2048 (spec.md §8)", base + v);
		return false;
	}
	default:
		return false;
	}
}

/* PropertyValue is shown as privileges or a version when the input's
 * PropertyCode says so (in/in_len: the input block). */
static enum ohv_field_fmt shown_as(const struct ohv_call_info *l, const struct ohv_field *f,
			  const uint8_t *in, size_t in_len)
{
	if ((l->code != HVCALL_SET_PARTITION_PROPERTY &&
	     l->code != HVCALL_GET_PARTITION_PROPERTY) ||
	    strcmp(f->name, "PropertyValue") || !in || in_len < 12)
		return (enum ohv_field_fmt)f->fmt;
	switch (load(in, 8, 4)) {
	case HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS:
		return OHV_FMT_PRIVILEGES;
	case HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION:
		return OHV_FMT_COMPAT_VERSION;
	default:
		return (enum ohv_field_fmt)f->fmt;
	}
}

/* The port type that selects `when` fields, as an lfield.when bit. */
static unsigned type_bit(const struct ohv_call_info *l, const uint8_t *blk, size_t len)
{
	if (!l->type_off || (size_t)l->type_off + 4 > len)
		return OHV_WHEN_MESSAGE;
	uint64_t t = load(blk, l->type_off, 4);

	return t >= HV_PORT_TYPE_MESSAGE && t <= HV_PORT_TYPE_DOORBELL ?
		1u << t : OHV_WHEN_OTHER;
}

/*
 * HvGetVpState's output is the synthetic timers' state; the other state
 * types go to the pages its variable header lists, and the output block
 * stays zero.  The item is named for the type asked, its value (and
 * capture) then the first listed page (in: the input block).
 */
static void vp_state_item(struct ditem *it, char *value, size_t n,
			  const uint8_t *in, size_t in_len)
{
	static const char *const names[] = {
		[HV_GET_SET_VP_STATE_LAPIC_STATE] = "LapicState",
		[HV_GET_SET_VP_STATE_XSAVE] = "Xsave",
		[HV_GET_SET_VP_STATE_SIM_PAGE] = "SimPage",
		[HV_GET_SET_VP_STATE_SIEF_PAGE] = "SiefPage",
	};
	const size_t type_off = offsetof(struct hv_input_get_vp_state,
					 state_data.type);
	const size_t pfn_off = sizeof(struct hv_input_get_vp_state);

	if (!in || in_len < type_off + 4)
		return;
	uint32_t type = (uint32_t)load(in, type_off, 4);

	if (type >= ARRAY_SIZE(names))
		return;
	it->name = names[type];
	if (in_len >= pfn_off + 8) {
		it->raw = load(in, pfn_off, 8);
		put(value, n, 0, "in page 0x%" PRIx64, it->raw);
	} else {
		it->raw = 0;
		put(value, n, 0, "in the listed pages");
	}
}

static void emit_fields(const struct ohv_call_info *l, enum ohv_arch arch,
			const struct ohv_field *f, const uint8_t *blk, size_t len,
			const uint8_t *in, size_t in_len, bool check_values,
			decode_fn *fn, void *ctx)
{
	unsigned tb = type_bit(l, blk, len);
	char value[512];

	for (; f->name; f++) {
		struct ditem it = { .name = f->name, .field = f };
		struct rule r = { "", 0 };

		if (f->when && !(f->when & tb))
			continue;
		/* A payload cut short still shows what there is of it. */
		if ((size_t)f->off + f->size > len &&
		    (f->fmt != OHV_FMT_PAYLOAD || f->off >= len))
			break;
		it.raw = load(blk, f->off, f->size < len - f->off ? f->size :
			      len - f->off);
		if (f->fmt == OHV_FMT_PAYLOAD) {
			/* As much as the input's size field says (an
			 * output's payload: its input's). */
			const struct ohv_field *ps = layout_payload_size(l, arch);
			uint64_t size = ps && in && (size_t)ps->off + ps->size <= in_len ?
				load(in, ps->off, ps->size) : f->size;

			if (size > f->size)
				size = f->size;
			if (size > len - f->off)
				size = len - f->off;
			layout_payload(value, sizeof(value), blk + f->off,
				       (size_t)size);
		} else if (f->fmt == OHV_FMT_REG_VALUE) {
			layout_reg_value(value, sizeof(value), 0xFFFFFFFF,
					 blk + f->off);
		} else {
			layout_value(value, sizeof(value),
				     shown_as(l, f, in, in_len), it.raw);
		}
		it.value = value;
		if (!check_values && l->code == HVCALL_GET_VP_STATE)
			vp_state_item(&it, value, sizeof(value), in, in_len);
		if (check_values && check(l, f, blk, len, arch, it.raw, &r)) {
			it.note = r.note;
			it.status = r.status;
		}
		fn(ctx, &it);
	}
}

static void note(decode_fn *fn, void *ctx, const char *name, hv_status_t st,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void note(decode_fn *fn, void *ctx, const char *name, hv_status_t st,
		 const char *fmt, ...)
{
	char text[200];
	va_list ap;
	struct ditem it = { .name = name, .note = text, .status = st,
			    .note_only = true, .value = "" };

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fn(ctx, &it);
}

/* An element rule that needs the header: with LARGE_PAGE, HvMapGpaPages
 * maps 512 pages from each source page, which must be 2 MiB-aligned
 * (spec.md §6). */
static bool element_check(const struct ohv_call_info *l, const uint8_t *hdr,
			  size_t hdr_len, const struct ohv_field *f,
			  uint64_t v, struct rule *r)
{
	size_t flags_off = offsetof(struct hv_input_map_gpa_pages, map_flags);

	if (l->code != HVCALL_MAP_GPA_PAGES || f->fmt != OHV_FMT_GPA_PAGE ||
	    !(at_off(hdr, hdr_len, flags_off, 4) & HV_MAP_GPA_LARGE_PAGE) ||
	    !(v % LARGE_PAGE_PAGES))
		return false;
	return bad(r, HV_STATUS_INVALID_PARAMETER, "with LARGE_PAGE each "
		   "element is the first of 512 pages, 2 MiB-aligned (a "
		   "multiple of 512; spec.md §6)");
}

/* Notes for elements of a rep list that break a rule; hdr/hdr_len: the
 * block's fixed part. */
static void element_notes(const struct ohv_call_info *l, enum ohv_arch arch,
			  const uint8_t *hdr, size_t hdr_len,
			  const struct ditem *list, decode_fn *fn, void *ctx)
{
	for (uint32_t i = 0; i < list->count; i++) {
		const uint8_t *e = list->elems + (size_t)i * list->elem_size;

		for (const struct ohv_field *f = list->elem_fields; f->name; f++) {
			uint64_t v = load(e, f->off, f->size);
			struct rule r;
			char name[80];

			if (!check(l, f, e, list->elem_size, arch, v, &r) &&
			    !element_check(l, hdr, hdr_len, f, v, &r))
				continue;
			snprintf(name, sizeof(name), "%s[%" PRIu32 "].%s",
				 list->name, list->first + i, f->name);
			if (r.status && l->rep)
				note(fn, ctx, name, r.status, "%s; reps completed "
				     "would be %" PRIu32, r.note, list->first + i);
			else
				note(fn, ctx, name, r.status, "%s", r.note);
		}
	}
}

void decode_input(const struct ohv_call_info *l, enum ohv_arch arch,
		  const void *block, size_t len, uint32_t rep_start,
		  uint32_t rep_count, decode_fn *fn, void *ctx)
{
	const uint8_t *blk = block;

	if (!l || !block)
		return;
	size_t hdr = l->in_size[arch];
	emit_fields(l, arch, layout_in(l, arch), blk, len, blk, len,
		    true, fn, ctx);
	if (len < hdr)
		note(fn, ctx, "block", 0, "%zu bytes; %s reads %zu (the rest "
		     "is taken as zero here)", len, l->name, hdr);
	if (!l->in_list) {
		size_t var = 0;

		/* A variable header (HvGetVpState's pages): its qwords. */
		if (l->var_max && len > hdr) {
			static const struct ohv_field qword[] = {
				{ "Qword", 0, 8, OHV_FMT_HEX, OHV_FIELD_VALUE, 0 },
				{ NULL, 0, 0, 0, 0, 0 },
			};
			var = (len - hdr) / 8;
			if (var > l->var_max)
				var = l->var_max;
			struct ditem it = {
				.name = "VariableHeader", .list = true,
				.elems = blk + hdr, .count = (uint32_t)var,
				.elem_size = 8, .elem_fields = qword,
			};

			if (var)
				fn(ctx, &it);
			var *= 8;
		}
		if (!l->rep && len > hdr + var)
			note(fn, ctx, "block", 0, "%zu bytes past the %zu-byte "
			     "input are not read", len - hdr - var, hdr + var);
		return;
	}
	size_t have = len > hdr ? (len - hdr) / l->in_elem : 0;

	if (!rep_count || rep_count > have)
		rep_count = (uint32_t)have;
	if (rep_start > rep_count)
		rep_start = rep_count;
	struct ditem it = {
		.name = l->in_list, .list = true,
		.elems = blk + hdr + (size_t)rep_start * l->in_elem,
		.first = rep_start, .count = rep_count - rep_start,
		.elem_size = l->in_elem, .elem_fields = l->in_elem_fields,
	};

	fn(ctx, &it);
	element_notes(l, arch, blk, len < hdr ? len : hdr, &it, fn, ctx);
}

void decode_output(const struct ohv_call_info *l, enum ohv_arch arch,
		   const void *block, size_t len, uint32_t rep_start,
		   const void *in, size_t in_len, decode_fn *fn, void *ctx)
{
	if (!l || !block || !len)
		return;
	if (!l->out_list) {
		emit_fields(l, arch, l->out, block, len, in, in_len, false, fn,
			    ctx);
		return;
	}
	struct ditem it = {
		.name = l->out_list, .list = true, .elems = block,
		.first = rep_start, .count = (uint32_t)(len / l->out_elem),
		.elem_size = l->out_elem, .elem_fields = l->out_elem_fields,
	};
	size_t hdr = l->in_size[arch];

	/* GetVpRegisters: the names that go with the values. */
	if (l->in_list && l->in_elem_fields[0].fmt == OHV_FMT_REG_NAME && in &&
	    in_len >= hdr + ((size_t)rep_start + it.count) * l->in_elem)
		it.names = (const uint8_t *)in + hdr + (size_t)rep_start * 4;
	fn(ctx, &it);
}

void decode_elem(char *buf, size_t n, const struct ditem *it, uint32_t i)
{
	const uint8_t *e = it->elems + (size_t)i * it->elem_size;
	const struct ohv_field *f = it->elem_fields;

	if (!n)
		return;
	buf[0] = 0;
	if (f[0].fmt == OHV_FMT_REG_VALUE) {
		uint32_t name = it->names ? (uint32_t)load(it->names, (size_t)i * 4, 4)
			: 0xFFFFFFFF;
		char v[200];

		layout_reg_value(v, sizeof(v), name, e);
		if (it->names)
			put(buf, n, 0, "%s=%s", layout_reg_name(name) ?
			    layout_reg_name(name) : "?", v);
		else
			put(buf, n, 0, "%s", v);
		return;
	}
	if (f[0].fmt == OHV_FMT_REG_NAME && it->elem_size == 32) {
		uint32_t name = (uint32_t)load(e, 0, 4);
		char k[32], v[200];

		layout_value(k, sizeof(k), OHV_FMT_REG_NAME, name);
		layout_reg_value(v, sizeof(v), name, e + 16);
		put(buf, n, 0, "%s=%s", k, v);
		return;
	}
	if (f[0].fmt == OHV_FMT_GPA_PAGE) {
		put(buf, n, 0, "0x%" PRIx64, load(e, 0, 8));
		return;
	}
	layout_value(buf, n, (enum ohv_field_fmt)f[0].fmt, load(e, f[0].off, f[0].size));
}

/* Runs shown before the rest is only counted. */
#define MAX_RUNS 4

void decode_page_runs(char *buf, size_t n, const struct ditem *it)
{
	uint32_t i = 0, runs = 0, count = it->count;
	size_t at;

	/* Only lists of 8-byte page numbers come in runs. */
	if (it->elem_size != 8) {
		put(buf, n, 0, "[%" PRIu32 "]", count);
		return;
	}
	if (it->first)
		at = put(buf, n, 0, "[%" PRIu32 "..%" PRIu32 "]=", it->first,
			 it->first + count);
	else
		at = put(buf, n, 0, "[%" PRIu32 "]=", count);
	if (!count) {
		put(buf, n, at, "(none)");
		return;
	}
	while (i < count && runs < MAX_RUNS) {
		uint64_t a = load(it->elems, (size_t)i * 8, 8), b = a;
		uint32_t j = i + 1;
		int step = 0;

		/* A run of pages one apart, either way. */
		if (j < count) {
			uint64_t next = load(it->elems, (size_t)j * 8, 8);

			step = next == a + 1 ? 1 : next == a - 1 ? -1 : 0;
		}
		while (step && j < count &&
		       load(it->elems, (size_t)j * 8, 8) ==
		       b + (uint64_t)(int64_t)step) {
			b = load(it->elems, (size_t)j * 8, 8);
			j++;
		}
		at = put(buf, n, at, "%s0x%" PRIx64, runs ? "," : "", a);
		if (j - i > 1)
			at = put(buf, n, at, "..0x%" PRIx64, b);
		runs++;
		i = j;
	}
	if (i < count)
		put(buf, n, at, ",... (%" PRIu32 " more)", count - i);
}

/* ---------------------------------------------------------------------- */
/* Statuses, control words, result values.                                 */

static const struct {
	hv_status_t st;
	const char *meaning;
} meanings[] = {
	{ HV_STATUS_SUCCESS, "the call did what it was asked" },
	{ HV_STATUS_INVALID_HYPERCALL_CODE, "the call code is not one the "
	  "hypervisor implements" },
	{ HV_STATUS_INVALID_HYPERCALL_INPUT, "the control word is wrong: a "
	  "reserved bit, the rep fields, the variable header size, or a fast "
	  "call that does not fit the registers" },
	{ HV_STATUS_INVALID_ALIGNMENT, "a parameter block's GPA is not 8-byte "
	  "aligned, crosses a page, or is not mapped for the caller" },
	{ HV_STATUS_INVALID_PARAMETER, "an input field has a value the call "
	  "does not accept" },
	{ HV_STATUS_ACCESS_DENIED, "the caller lacks the privilege, or is not "
	  "the target's parent" },
	{ HV_STATUS_INVALID_PARTITION_STATE, "the target partition is in the "
	  "wrong state for the call" },
	{ HV_STATUS_OPERATION_DENIED, "the call cannot be done now (children, "
	  "a non-empty pool, a page the caller cannot give)" },
	{ HV_STATUS_UNKNOWN_PROPERTY, "the property code is not one the "
	  "hypervisor knows" },
	{ HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE, "the property value is out "
	  "of range or the property is read-only" },
	{ HV_STATUS_INSUFFICIENT_MEMORY, "the pool that pays for the object "
	  "is short: deposit pages and retry" },
	{ HV_STATUS_PARTITION_TOO_DEEP, "a child would be deeper than the "
	  "hierarchy allows" },
	{ HV_STATUS_INVALID_PARTITION_ID, "no such partition (or SELF where "
	  "a child is needed)" },
	{ HV_STATUS_INVALID_VP_INDEX, "no such VP, or the index is in use or "
	  "out of range" },
	{ HV_STATUS_NOT_FOUND, "the iteration is complete" },
	{ HV_STATUS_INVALID_PORT_ID, "no such port, the id is in use, or the "
	  "port is gone" },
	{ HV_STATUS_INVALID_CONNECTION_ID, "no such connection, or the id is "
	  "in use" },
	{ HV_STATUS_INSUFFICIENT_BUFFERS, "all of the port's message buffers "
	  "hold queued messages" },
	{ HV_STATUS_INVALID_VP_STATE, "the VP is in the wrong state (e.g. "
	  "explicitly suspended)" },
	{ HV_STATUS_INVALID_SYNIC_STATE, "the target's SynIC, SIM or SIEF page "
	  "is disabled, or the SINT is masked" },
	{ HV_STATUS_OBJECT_IN_USE, "the object is in use (e.g. a page lent to "
	  "a pool)" },
	{ HV_STATUS_INVALID_PROXIMITY_DOMAIN_INFO, "bad proximity domain "
	  "flags or node" },
	{ HV_STATUS_NO_RESOURCES, "an implementation limit, or the host is "
	  "out of memory; from withdraw: the pool is empty" },
	{ HV_STATUS_OPERATION_FAILED, "the operation failed" },
	{ HV_STATUS_CALL_PENDING, "accepted; completion is reported later" },
};

const char *layout_status_meaning(hv_status_t st)
{
	for (size_t i = 0; i < ARRAY_SIZE(meanings); i++)
		if (meanings[i].st == st)
			return meanings[i].meaning;
	return NULL;
}

bool layout_status(const char *text, hv_status_t *st)
{
	char *end;
	unsigned long v;

	if (isdigit((unsigned char)text[0])) {
		v = strtoul(text, &end, 0);
		if (*end || v > 0xFFFF)
			return false;
		*st = (hv_status_t)v;
		return true;
	}
	if (!strncasecmp(text, "HV_STATUS_", 10))
		text += 10;
	for (uint32_t s = 0; s <= 0xFFFF; s++) {
		const char *name = ohv_status_name((hv_status_t)s);

		if (!strcmp(name, "HV_STATUS_UNKNOWN"))
			continue;
		if (!strcasecmp(name + 10, text)) {
			*st = (hv_status_t)s;
			return true;
		}
	}
	return false;
}

static struct wfield *wf(struct wfield *w, const char *bits, const char *name,
			 uint64_t value)
{
	w->bits = bits;
	w->name = name;
	w->value = value;
	w->text[0] = 0;
	w->note[0] = 0;
	return w;
}

/* Record the first failing generic check. */
static void fail(hv_status_t *st, hv_status_t s)
{
	if (*st == HV_STATUS_SUCCESS)
		*st = s;
}

size_t decode_control(uint64_t c, enum ohv_arch arch, struct wfield *out,
		      hv_status_t *st)
{
	uint16_t code = (uint16_t)(c & HV_HYPERCALL_CODE_MASK);
	const struct ohv_call_info *l = ohv_call_info(code);
	const char *name = ohv_call_name(code);
	bool fast = c & HV_HYPERCALL_FAST_BIT;
	uint64_t varhead = (c & HV_HYPERCALL_VARHEAD_MASK) >>
			   HV_HYPERCALL_VARHEAD_OFFSET;
	uint64_t count = (c & HV_HYPERCALL_REP_COUNT_MASK) >>
			 HV_HYPERCALL_REP_COMP_OFFSET;
	uint64_t start = (c & HV_HYPERCALL_REP_START_MASK) >>
			 HV_HYPERCALL_REP_START_OFFSET;
	struct wfield *w;

	*st = HV_STATUS_SUCCESS;
	/* Step 1: the code. */
	w = wf(&out[0], "15:0", "call code", code);
	if (l)
		snprintf(w->text, sizeof(w->text), "%s (%s)", l->name,
			 l->rep ? "rep call" : "simple call");
	else
		snprintf(w->text, sizeof(w->text), "%s", name ? name : "unknown");
	if (!l) {
		snprintf(w->note, sizeof(w->note), "%s -> "
			 "HV_STATUS_INVALID_HYPERCALL_CODE",
			 name ? "a TLFS call outside openhv's set (spec.md §3.3)" :
			 "not a call code openhv knows");
		fail(st, HV_STATUS_INVALID_HYPERCALL_CODE);
	}

	w = wf(&out[1], "16", "fast", fast);
	snprintf(w->text, sizeof(w->text), "%s", fast ?
		 "register-based (input in registers)" :
		 "memory-based (input and output GPAs)");

	w = wf(&out[2], "26:17", "variable header size", varhead);
	snprintf(w->text, sizeof(w->text), "%" PRIu64 " qwords", varhead);
	/* Step 2: reserved bits, the nested bit included (spec.md §3.2). */
	struct wfield *r0 = wf(&out[3], "30:27", "reserved",
			       (c & HV_HYPERCALL_RSVD0_MASK) >> 27);
	struct wfield *nested = wf(&out[4], "31", "nested",
				   !!(c & HV_HYPERCALL_NESTED));

	snprintf(nested->text, sizeof(nested->text), "%s", nested->value ?
		 "ask the L0 hypervisor" : "no");
	w = wf(&out[5], "43:32", "rep count", count);
	snprintf(w->text, sizeof(w->text), "%" PRIu64 " element%s", count,
		 count == 1 ? "" : "s");
	struct wfield *r1 = wf(&out[6], "47:44", "reserved",
			       (c & HV_HYPERCALL_RSVD1_MASK) >> 44);
	struct wfield *rs = wf(&out[7], "59:48", "rep start", start);
	struct wfield *r2 = wf(&out[8], "63:60", "reserved",
			       (c & HV_HYPERCALL_RSVD2_MASK) >> 60);

	snprintf(rs->text, sizeof(rs->text), "from element %" PRIu64, start);
	struct wfield *rsvd[] = { r0, nested, r1, r2 };

	for (size_t i = 0; i < ARRAY_SIZE(rsvd); i++) {
		if (!rsvd[i]->value)
			continue;
		snprintf(rsvd[i]->note, sizeof(rsvd[i]->note), "%s -> "
			 "HV_STATUS_INVALID_HYPERCALL_INPUT", rsvd[i] == nested ?
			 "openhv is the L0: the nested bit counts as reserved "
			 "(spec.md §3.2)" : "reserved bits must be zero (spec.md §3.1)");
		fail(st, HV_STATUS_INVALID_HYPERCALL_INPUT);
	}
	/* Step 3: the rep fields and the variable header. */
	if (l && !l->rep && (count || start)) {
		snprintf((count ? w : rs)->note, sizeof(w->note), "a simple call "
			 "has rep count and rep start 0 -> "
			 "HV_STATUS_INVALID_HYPERCALL_INPUT");
		fail(st, HV_STATUS_INVALID_HYPERCALL_INPUT);
	}
	if (l && l->rep && count == 0) {
		snprintf(w->note, sizeof(w->note), "a rep call needs rep count "
			 ">= 1 -> HV_STATUS_INVALID_HYPERCALL_INPUT");
		fail(st, HV_STATUS_INVALID_HYPERCALL_INPUT);
	} else if (l && l->rep && start >= count) {
		snprintf(rs->note, sizeof(rs->note), "rep start must be below "
			 "rep count -> HV_STATUS_INVALID_HYPERCALL_INPUT");
		fail(st, HV_STATUS_INVALID_HYPERCALL_INPUT);
	}
	if (l && varhead) {
		snprintf(out[2].note, sizeof(out[2].note), "%s takes no variable "
			 "header -> HV_STATUS_INVALID_HYPERCALL_INPUT", l->name);
		fail(st, HV_STATUS_INVALID_HYPERCALL_INPUT);
	}
	/* Step 4: a fast call's input and output must fit the registers. */
	if (l && fast) {
		size_t in = l->in_size[arch] + (size_t)count * l->in_elem;
		size_t outn = l->rep ? (size_t)count * l->out_elem : l->out_size;
		size_t cap = arch == OHV_ARCH_X64 ? HV_X64_FAST_INPUT_BYTES :
			HV_ARM64_FAST_INPUT_BYTES;
		size_t need = ((in + 15) & ~(size_t)15) + outn;

		if (need > cap) {
			snprintf(out[1].note, sizeof(out[1].note), "input %zu "
				 "(rounded to 16) + output %zu bytes exceed the "
				 "%zu-byte register block -> "
				 "HV_STATUS_INVALID_HYPERCALL_INPUT", in, outn, cap);
			fail(st, HV_STATUS_INVALID_HYPERCALL_INPUT);
		}
	}
	return 9;
}

size_t decode_result(uint64_t r, struct wfield *out)
{
	hv_status_t st = (hv_status_t)(r & HV_HYPERCALL_RESULT_MASK);
	struct wfield *w;

	w = wf(&out[0], "15:0", "status", st);
	snprintf(w->text, sizeof(w->text), "%s", ohv_status_name(st));
	if (!strcmp(w->text, "HV_STATUS_UNKNOWN"))
		snprintf(w->note, sizeof(w->note), "not a status openhv knows");
	w = wf(&out[1], "31:16", "reserved", (r >> 16) & 0xFFFF);
	if (w->value)
		snprintf(w->note, sizeof(w->note), "reserved: openhv returns "
			 "zero here (spec.md §3.1)");
	w = wf(&out[2], "43:32", "reps completed",
	       (r & HV_HYPERCALL_REP_COMP_MASK) >> HV_HYPERCALL_REP_COMP_OFFSET);
	snprintf(w->text, sizeof(w->text), "counted from element 0");
	w = wf(&out[3], "63:44", "reserved", r >> 44);
	if (w->value)
		snprintf(w->note, sizeof(w->note), "reserved: openhv returns "
			 "zero here (spec.md §3.1)");
	return 4;
}
