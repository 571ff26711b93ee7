/* Field tables and formatting for the partition and pool calls. */
#include "decode.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define F(name, off, size, fmt) { name, off, size, DECODE_##fmt }
#define END { NULL, 0, 0, DECODE_HEX }

/* 0x0040, seed 002: the AMD64 and ARM64 layouts differ from offset 40. */
static const struct decode_field create_x64_in[] = {
	F("Flags", 0, 8, CREATION_FLAGS),
	F("ProximityDomainInfo", 8, 8, PROXIMITY),
	F("CompatibilityVersion", 16, 4, COMPAT_VERSION),
	F("DisabledProcessorFeatures[0]", 24, 8, HEX),
	F("DisabledProcessorFeatures[1]", 32, 8, HEX),
	F("DisabledXsaveFeatures", 40, 8, HEX),
	F("IsolationProperties", 48, 8, HEX),
	END,
};

static const struct decode_field create_arm64_in[] = {
	F("Flags", 0, 8, CREATION_FLAGS),
	F("ProximityDomainInfo", 8, 8, PROXIMITY),
	F("CompatibilityVersion", 16, 4, COMPAT_VERSION),
	F("DisabledProcessorFeatures[0]", 24, 8, HEX),
	F("DisabledProcessorFeatures[1]", 32, 8, HEX),
	F("IsolationProperties", 40, 8, HEX),
	END,
};

static const struct decode_field create_out[] = {
	F("NewPartitionId", 0, 8, PARTITION_ID),
	END,
};

static const struct decode_field partition_in[] = {
	F("PartitionId", 0, 8, PARTITION_ID),
	END,
};

static const struct decode_field get_property_in[] = {
	F("PartitionId", 0, 8, PARTITION_ID),
	F("PropertyCode", 8, 4, PROPERTY_CODE),
	END,
};

static const struct decode_field set_property_in[] = {
	F("PartitionId", 0, 8, PARTITION_ID),
	F("PropertyCode", 8, 4, PROPERTY_CODE),
	F("PropertyValue", 16, 8, HEX),
	END,
};

static const struct decode_field property_out[] = {
	F("PropertyValue", 0, 8, HEX),
	END,
};

static const struct decode_field no_fields[] = {
	END,
};

static const struct decode_field next_child_in[] = {
	F("ParentId", 0, 8, PARTITION_ID),
	F("PreviousChildId", 8, 8, PARTITION_ID),
	END,
};

static const struct decode_field next_child_out[] = {
	F("NextChildId", 0, 8, PARTITION_ID),
	END,
};

static const struct decode_field pool_in[] = {
	F("PartitionId", 0, 8, PARTITION_ID),
	F("ProximityDomainInfo", 8, 8, PROXIMITY),
	END,
};

static const struct decode_field balance_out[] = {
	F("PagesAvailable", 0, 8, DEC),
	F("PagesInUse", 8, 8, DEC),
	END,
};

static const struct decode_layout layouts[] = {
	{ HVCALL_CREATE_PARTITION, "HvCreatePartition", create_x64_in,
	  create_out, NULL, NULL },
	{ HVCALL_INITIALIZE_PARTITION, "HvInitializePartition", partition_in,
	  no_fields, NULL, NULL },
	{ HVCALL_FINALIZE_PARTITION, "HvFinalizePartition", partition_in,
	  no_fields, NULL, NULL },
	{ HVCALL_DELETE_PARTITION, "HvDeletePartition", partition_in,
	  no_fields, NULL, NULL },
	{ HVCALL_GET_PARTITION_PROPERTY, "HvGetPartitionProperty",
	  get_property_in, property_out, NULL, NULL },
	{ HVCALL_SET_PARTITION_PROPERTY, "HvSetPartitionProperty",
	  set_property_in, no_fields, NULL, NULL },
	{ HVCALL_GET_PARTITION_ID, "HvGetPartitionId", no_fields,
	  partition_in, NULL, NULL },
	{ HVCALL_GET_NEXT_CHILD_PARTITION, "HvGetNextChildPartition",
	  next_child_in, next_child_out, NULL, NULL },
	{ HVCALL_DEPOSIT_MEMORY, "HvDepositMemory", partition_in, no_fields,
	  "GpaPageList", NULL },
	{ HVCALL_WITHDRAW_MEMORY, "HvWithdrawMemory", pool_in, no_fields,
	  NULL, "GpaPageList" },
	{ HVCALL_GET_MEMORY_BALANCE, "HvGetMemoryBalance", pool_in,
	  balance_out, NULL, NULL },
};

static const struct decode_layout create_arm64 = {
	HVCALL_CREATE_PARTITION, "HvCreatePartition", create_arm64_in,
	create_out, NULL, NULL,
};

const struct decode_layout *decode_layout(uint16_t code, enum ohv_arch arch)
{
	if (code == HVCALL_CREATE_PARTITION && arch == OHV_ARCH_ARM64)
		return &create_arm64;
	for (size_t i = 0; i < ARRAY_SIZE(layouts); i++)
		if (layouts[i].code == code)
			return &layouts[i];
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* Values.                                                                 */

static const struct {
	uint64_t bit;
	const char *name;
} creation_flags[] = {
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
};

static const struct {
	uint32_t code;
	const char *name;
} property_names[] = {
	{ HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, "PrivilegeFlags" },
	{ HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES, "SyntheticProcFeatures" },
	{ HV_PARTITION_PROPERTY_SUSPEND, "Suspend" },
	{ HV_PARTITION_PROPERTY_CPU_RESERVE, "CpuReserve" },
	{ HV_PARTITION_PROPERTY_CPU_CAP, "CpuCap" },
	{ HV_PARTITION_PROPERTY_CPU_WEIGHT, "CpuWeight" },
	{ HV_PARTITION_PROPERTY_CPU_GROUP_ID, "CpuGroupId" },
	{ HV_PARTITION_PROPERTY_EMULATED_TIMER_PERIOD, "EmulatedTimerPeriod" },
	{ HV_PARTITION_PROPERTY_EMULATED_TIMER_CONTROL, "EmulatedTimerControl" },
	{ HV_PARTITION_PROPERTY_PM_TIMER_ASSIST, "PmTimerAssist" },
	{ HV_PARTITION_PROPERTY_TIME_FREEZE, "TimeFreeze" },
	{ HV_PARTITION_PROPERTY_REFERENCE_TIME, "ReferenceTime" },
	{ HV_PARTITION_PROPERTY_DEBUG_CHANNEL_ID, "DebugChannelId" },
	{ HV_PARTITION_PROPERTY_VIRTUAL_TLB_PAGE_COUNT, "VirtualTlbPageCount" },
	{ HV_PARTITION_PROPERTY_PROCESSOR_VENDOR, "ProcessorVendor" },
	{ HV_PARTITION_PROPERTY_PROCESSOR_FEATURES, "ProcessorFeatures" },
	{ HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES,
	  "ProcessorXsaveFeatures" },
	{ HV_PARTITION_PROPERTY_PROCESSOR_CL_FLUSH_SIZE,
	  "ProcessorClFlushSize" },
	{ HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION, "CompatibilityVersion" },
	{ HV_PARTITION_PROPERTY_GUEST_OS_ID, "GuestOsId" },
};

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

static void flags_value(char *buf, size_t n, uint64_t v)
{
	size_t at = put(buf, n, 0, "0x%" PRIx64, v);
	uint64_t rest = v;
	const char *sep = " (";

	for (size_t i = 0; i < ARRAY_SIZE(creation_flags); i++) {
		if (!(v & creation_flags[i].bit))
			continue;
		at = put(buf, n, at, "%s%s", sep, creation_flags[i].name);
		rest &= ~creation_flags[i].bit;
		sep = "|";
	}
	if (rest)
		at = put(buf, n, at, "%sunknown 0x%" PRIx64, sep, rest);
	if (v)
		put(buf, n, at, ")");
}

/* HV_PROXIMITY_DOMAIN_INFO (facts 4.4): Id in the low half, flags high. */
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

void decode_value(char *buf, size_t n, enum decode_format format, uint64_t v)
{
	if (!n)
		return;
	buf[0] = 0;
	switch (format) {
	case DECODE_HEX:
		put(buf, n, 0, "0x%" PRIx64, v);
		break;
	case DECODE_DEC:
		put(buf, n, 0, "%" PRIu64, v);
		break;
	case DECODE_PARTITION_ID:
		if (v == HV_PARTITION_ID_SELF)
			put(buf, n, 0, "SELF");
		else if (v == HV_PARTITION_ID_INVALID)
			put(buf, n, 0, "0 (none)");
		else
			put(buf, n, 0, "%" PRIu64, v);
		break;
	case DECODE_CREATION_FLAGS:
		flags_value(buf, n, v);
		break;
	case DECODE_PROXIMITY:
		proximity_value(buf, n, v);
		break;
	case DECODE_COMPAT_VERSION: {
		size_t at = put(buf, n, 0, "0x%04" PRIx64 " (%" PRIu64 ".%"
				PRIu64, v, (v >> 8) & 0xFF, v & 0xFF);

		put(buf, n, at, "%s)",
		    v == HV_COMPATIBILITY_21_H2 ? ", 21H2" : "");
		break;
	}
	case DECODE_PROPERTY_CODE: {
		const char *name = "unknown";

		for (size_t i = 0; i < ARRAY_SIZE(property_names); i++)
			if (property_names[i].code == v)
				name = property_names[i].name;
		put(buf, n, 0, "0x%08" PRIx64 " (%s)", v, name);
		break;
	}
	}
}

static uint64_t load(const void *block, size_t off, size_t size)
{
	uint64_t v = 0;

	/* Little-endian (hv.h refuses anything else). */
	memcpy(&v, (const uint8_t *)block + off, size);
	return v;
}

/* ---------------------------------------------------------------------- */
/* Blocks.                                                                 */

#define MAX_RUNS	4

void decode_page_list(char *buf, size_t n, const char *name,
		      const void *pages, uint32_t first, uint32_t count)
{
	size_t at;
	uint32_t i = 0, runs = 0;

	if (first)
		at = put(buf, n, 0, "%s[%" PRIu32 "..%" PRIu32 "]=", name,
			 first, first + count);
	else
		at = put(buf, n, 0, "%s[%" PRIu32 "]=", name, count);
	if (!count) {
		put(buf, n, at, "(none)");
		return;
	}
	while (i < count && runs < MAX_RUNS) {
		uint64_t a = load(pages, (size_t)i * 8, 8), b = a;
		uint32_t j = i + 1;
		int step = 0;

		/* A run of pages one apart, either way. */
		if (j < count) {
			uint64_t next = load(pages, (size_t)j * 8, 8);

			step = next == a + 1 ? 1 : next == a - 1 ? -1 : 0;
		}
		while (step && j < count &&
		       load(pages, (size_t)j * 8, 8) == b + (uint64_t)(int64_t)step) {
			b = load(pages, (size_t)j * 8, 8);
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

static void fields(const struct decode_field *f, const void *block, size_t len,
		   decode_item_fn *fn, void *ctx)
{
	char value[160], item[200];

	for (; f && f->name; f++) {
		if ((size_t)f->offset + f->size > len)
			break;
		decode_value(value, sizeof(value), f->format,
			     load(block, f->offset, f->size));
		snprintf(item, sizeof(item), "%s=%s", f->name, value);
		fn(ctx, item);
	}
}

/* Bytes of the fixed part (a rep call's header). */
static size_t fixed_size(const struct decode_field *f)
{
	size_t end = 0;

	for (; f && f->name; f++)
		if ((size_t)f->offset + f->size > end)
			end = (size_t)f->offset + f->size;
	return (end + 7) & ~(size_t)7;
}

void decode_input(const struct decode_layout *l, const void *block,
		  size_t len, uint32_t rep_start, uint32_t rep_count,
		  decode_item_fn *fn, void *ctx)
{
	char item[256];

	if (!l || !block)
		return;
	fields(l->in, block, len, fn, ctx);
	if (!l->in_list)
		return;
	size_t hdr = fixed_size(l->in);
	size_t have = len > hdr ? (len - hdr) / 8 : 0;

	if (rep_count > have)
		rep_count = (uint32_t)have;
	if (rep_start > rep_count)
		rep_start = rep_count;
	decode_page_list(item, sizeof(item), l->in_list,
			 (const uint8_t *)block + hdr + (size_t)rep_start * 8,
			 rep_start, rep_count - rep_start);
	fn(ctx, item);
}

void decode_output(const struct decode_layout *l, const void *block,
		   size_t len, uint32_t rep_start, decode_item_fn *fn,
		   void *ctx)
{
	char item[256];

	if (!l || !block || !len)
		return;
	if (!l->out_list) {
		fields(l->out, block, len, fn, ctx);
		return;
	}
	decode_page_list(item, sizeof(item), l->out_list, block, rep_start,
			 (uint32_t)(len / 8));
	fn(ctx, item);
}
