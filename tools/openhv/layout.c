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
	for (const struct ohv_field *f = l->in[arch]; f->name; f++)
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

/* Property codes TLFS knows; `impl` marks those spec.md §4.3 implements. */
static const struct {
	uint32_t code;
	const char *name;
	bool impl;
} properties[] = {
	{ HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, "PrivilegeFlags", true },
	{ HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
	  "SyntheticProcFeatures", true },
	{ HV_PARTITION_PROPERTY_SUSPEND, "Suspend", false },
	{ HV_PARTITION_PROPERTY_CPU_RESERVE, "CpuReserve", true },
	{ HV_PARTITION_PROPERTY_CPU_CAP, "CpuCap", true },
	{ HV_PARTITION_PROPERTY_CPU_WEIGHT, "CpuWeight", true },
	{ HV_PARTITION_PROPERTY_CPU_GROUP_ID, "CpuGroupId", false },
	{ HV_PARTITION_PROPERTY_EMULATED_TIMER_PERIOD, "EmulatedTimerPeriod",
	  false },
	{ HV_PARTITION_PROPERTY_EMULATED_TIMER_CONTROL,
	  "EmulatedTimerControl", false },
	{ HV_PARTITION_PROPERTY_PM_TIMER_ASSIST, "PmTimerAssist", false },
	{ HV_PARTITION_PROPERTY_TIME_FREEZE, "TimeFreeze", true },
	{ HV_PARTITION_PROPERTY_REFERENCE_TIME, "ReferenceTime", false },
	{ HV_PARTITION_PROPERTY_DEBUG_CHANNEL_ID, "DebugChannelId", false },
	{ HV_PARTITION_PROPERTY_VIRTUAL_TLB_PAGE_COUNT, "VirtualTlbPageCount",
	  false },
	{ HV_PARTITION_PROPERTY_PROCESSOR_VENDOR, "ProcessorVendor", true },
	{ HV_PARTITION_PROPERTY_PROCESSOR_FEATURES, "ProcessorFeatures", false },
	{ HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES,
	  "ProcessorXsaveFeatures", false },
	{ HV_PARTITION_PROPERTY_PROCESSOR_CL_FLUSH_SIZE,
	  "ProcessorClFlushSize", false },
	{ HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION, "CompatibilityVersion",
	  true },
	{ HV_PARTITION_PROPERTY_GUEST_OS_ID, "GuestOsId", false },
};

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
	{ 0, NULL },
};

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

/* Registers: spec.md §7's set, plus TLFS names openhv does not implement. */
static const struct {
	uint32_t code;
	const char *name;
	bool impl;
} registers[] = {
	{ HV_REGISTER_EXPLICIT_SUSPEND, "ExplicitSuspend", true },
	{ HV_REGISTER_INTERCEPT_SUSPEND, "InterceptSuspend", false },
	{ 0x00000003, "DispatchSuspend", false },
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
	{ HV_X64_REGISTER_CR0, "Cr0", true },
	{ HV_X64_REGISTER_CR2, "Cr2", true },
	{ HV_X64_REGISTER_CR3, "Cr3", true },
	{ HV_X64_REGISTER_CR4, "Cr4", true },
	{ HV_X64_REGISTER_CR8, "Cr8", true },
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
	{ HV_X64_REGISTER_EFER, "Efer", true },
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

bool layout_reg_code(const char *name, uint32_t *code)
{
	static const char *const prefixes[] = {
		"HvX64Register", "HvArm64Register", "HvRegister",
		"HV_X64_REGISTER_", "HV_REGISTER_", NULL,
	};
	const char *s = strip_prefix(name, prefixes);

	for (size_t i = 0; i < ARRAY_SIZE(registers); i++) {
		if (!strcasecmp(registers[i].name, s)) {
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
		const char *s = strip_prefix(name, prop_prefix);

		for (size_t i = 0; i < ARRAY_SIZE(properties); i++) {
			if (!strcasecmp(properties[i].name, s)) {
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
		OHV_FMT_MAP_FLAGS, OHV_FMT_PORT_TYPE, OHV_FMT_PORT_PROPERTY, OHV_FMT_REG_NAME,
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
	case OHV_FMT_PROPERTY_CODE:		return "property: PrivilegeFlags, CpuWeight, ...";
	case OHV_FMT_PRIVILEGES:		return "privileges: CreatePartitions|PostMessages|...";
	case OHV_FMT_ISOLATION:		return "must be 0";
	case OHV_FMT_MAP_FLAGS:		return "READABLE|WRITABLE|EXECUTABLE, R, RW, RWX";
	case OHV_FMT_UNMAP_FLAGS:		return "must be 0";
	case OHV_FMT_GPA_PAGE:		return "GPA page number";
	case OHV_FMT_GPA_BASE:		return "GPA page number below 2^40";
	case OHV_FMT_VP_INDEX:		return "VP index 0-63, SELF";
	case OHV_FMT_TARGET_VP:		return "VP index 0-63, ANY";
	case OHV_FMT_PORT_ID:		return "port id, bits 31:24 zero";
	case OHV_FMT_CONNECTION_ID:		return "connection id, bits 31:24 zero";
	case OHV_FMT_PORT_TYPE:		return "Message, Event, Monitor";
	case OHV_FMT_SINT:			return "SINT 1-15";
	case OHV_FMT_PORT_PROPERTY:		return "PostCount, PreferredTargetVp";
	case OHV_FMT_REG_NAME:		return "register: Rip, Cr0, ExplicitSuspend, Sint2, Simp, Eom, ...";
	case OHV_FMT_REG_VALUE:		return "value, or LOW:HIGH for 128 bits";
	case OHV_FMT_MESSAGE_TYPE:		return "non-zero, bit 31 clear";
	case OHV_FMT_PAYLOAD_SIZE:		return "0-240 (default: the payload's length)";
	case OHV_FMT_PAYLOAD:		return "\"text\" or 0x<hex bytes>";
	case OHV_FMT_VTL:			return "must be 0";
	case OHV_FMT_INPUT_VTL:		return "0 or 0x10";
	case OHV_FMT_SUBNODE_TYPE:		return "must be 0";
	case OHV_FMT_VP_FLAGS:		return "must be 0";
	case OHV_FMT_MONITOR_GPA:		return "page-aligned GPA";
	case OHV_FMT_DOORBELL_FLAGS:		return "trigger size 2:0, ANY_VALUE bit 31";
	case OHV_FMT_FLAG_NUMBER:		return "event flag, below the port's FlagCount";
	case OHV_FMT_FLAG_COUNT:		return "1-2048, BaseFlagNumber + FlagCount <= 2048";
	}
	return "number";
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
		fmt == OHV_FMT_CREATION_FLAGS ? creation_flags : map_flags;
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
		static const char *const sizes[] = {
			"any size", "byte", "word", "dword", "qword",
		};
		size_t at = put(buf, n, 0, "0x%" PRIx64, v);

		if ((v & 7) < ARRAY_SIZE(sizes))
			at = put(buf, n, at, " (%s%s)", sizes[v & 7],
				 v & 0x80000000u ? ", any value" : "");
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

/*
 * What is wrong with a field's value, by spec.md §4-8: true with r filled, or
 * false.  blk/len is the whole block, for rules across fields.
 */
static bool check(const struct ohv_field *f, const uint8_t *blk, size_t len,
		  enum ohv_arch arch, uint64_t v, struct rule *r)
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
			if (properties[i].impl)
				return false;
			return bad(r, HV_STATUS_UNKNOWN_PROPERTY,
				   "a TLFS property openhv does not implement "
				   "(spec.md §4.3)");
		}
		return bad(r, HV_STATUS_UNKNOWN_PROPERTY,
			   "not a TLFS partition property code");
	case OHV_FMT_MAP_FLAGS:
		if (v & ~(uint64_t)HV_MAP_GPA_PERMISSIONS_MASK)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "bits 0x%" PRIx64 " beyond READ, WRITE and "
				   "EXECUTE (spec.md §6)",
				   v & ~(uint64_t)HV_MAP_GPA_PERMISSIONS_MASK);
		if ((v & HV_MAP_GPA_WRITABLE) && !(v & HV_MAP_GPA_READABLE))
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "WRITABLE without READABLE (spec.md §6)");
		return false;
	case OHV_FMT_UNMAP_FLAGS:
		if (v)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "openhv offers no unmap flags (spec.md §6)");
		return false;
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
		if (v == HV_PORT_TYPE_DOORBELL)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "openhv offers no doorbell ports "
				   "(spec.md §8: types 1-3)");
		if (v < HV_PORT_TYPE_MESSAGE || v > HV_PORT_TYPE_MONITOR)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "not a port type (1 Message, 2 Event, "
				   "3 Monitor)");
		return false;
	case OHV_FMT_SINT:
		if (v == 0)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "SINT0 is the hypervisor's; ports use 1-15 "
				   "(spec.md §8)");
		if (v >= HV_SYNIC_SINT_COUNT)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "SINTs are 0-15; ports use 1-15 (spec.md §8)");
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
	case OHV_FMT_DOORBELL_FLAGS:
		if ((v & ~0x80000007ull) || (v & 7) > 4)
			return bad(r, HV_STATUS_INVALID_PARAMETER,
				   "defined: trigger size 0-4 in bits 2:0, "
				   "ANY_VALUE bit 31");
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
			uint64_t size = l->code == HVCALL_POST_MESSAGE ?
				load(blk, 12, 4) : f->size;

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
		if (check_values && check(f, blk, len, arch, it.raw, &r)) {
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

/* Notes for elements of a rep list that break a rule. */
static void element_notes(const struct ohv_call_info *l, enum ohv_arch arch,
			  const struct ditem *list, decode_fn *fn, void *ctx)
{
	for (uint32_t i = 0; i < list->count; i++) {
		const uint8_t *e = list->elems + (size_t)i * list->elem_size;

		for (const struct ohv_field *f = list->elem_fields; f->name; f++) {
			struct rule r;
			char name[80];

			if (!check(f, e, list->elem_size, arch,
				   load(e, f->off, f->size), &r))
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
	emit_fields(l, arch, l->in[arch], blk, len, blk, len,
		    true, fn, ctx);
	if (len < hdr)
		note(fn, ctx, "block", 0, "%zu bytes; %s reads %zu (the rest "
		     "is taken as zero here)", len, l->name, hdr);
	if (!l->in_list) {
		if (!l->rep && len > hdr)
			note(fn, ctx, "block", 0, "%zu bytes past the %zu-byte "
			     "input are not read", len - hdr, hdr);
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
	element_notes(l, arch, &it, fn, ctx);
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
