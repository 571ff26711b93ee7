/* HvGetPartitionProperty and HvSetPartitionProperty (SPEC 4.3, 10). */
#include "handlers.h"
#include "partition.h"
#include "surface.h"

enum {
	PROP_EARLY = 0x1,	/* TLFS-md "early": set while Uninitialized */
	PROP_READ_ONLY = 0x2,
	PROP_ANYTIME = 0x4,	/* read and set while Uninitialized or Active */
};

struct property {
	uint32_t code;
	unsigned flags;
	uint64_t min, max;	/* accepted values when settable */
	size_t field;		/* offset of the value in struct partition,
				 * or 0 when computed */
};

#define FIELD(name) offsetof(struct partition, name)

static const struct property properties[] = {
	{ HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, PROP_EARLY, 0, UINT64_MAX,
	  FIELD(privileges) },
	{ HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES, PROP_EARLY, 0,
	  UINT64_MAX, FIELD(synthetic_proc_features) },
	/* TLFS 2.0 ranges: reserve and cap 0..0x10000 (one processor),
	 * weight 1..10000. */
	{ HV_PARTITION_PROPERTY_CPU_RESERVE, 0, 0, HV_CPU_RESERVE_MAX,
	  FIELD(cpu_reserve) },
	{ HV_PARTITION_PROPERTY_CPU_CAP, 0, 0, HV_CPU_CAP_MAX, FIELD(cpu_cap) },
	{ HV_PARTITION_PROPERTY_CPU_WEIGHT, 0, HV_CPU_WEIGHT_MIN,
	  HV_CPU_WEIGHT_MAX, FIELD(cpu_weight) },
	{ HV_PARTITION_PROPERTY_TIME_FREEZE, 0, 0, 1, FIELD(time_freeze) },
	{ HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION, PROP_READ_ONLY, 0, 0,
	  0 },
	{ HV_PARTITION_PROPERTY_PROCESSOR_VENDOR, PROP_READ_ONLY, 0, 0, 0 },
	/* SPEC 10: what rust-vmm, QEMU and Linux read or set. */
	{ HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION, PROP_ANYTIME,
	  HV_UNIMPLEMENTED_MSR_ACTION_FAULT,
	  HV_UNIMPLEMENTED_MSR_ACTION_IGNORE_WRITE_READ_ZERO,
	  FIELD(unimplemented_msr_action) },
	{ HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING, 0, 0, 1,
	  FIELD(gpa_access_tracking) },
	{ HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0,
	  PROP_READ_ONLY | PROP_ANYTIME, 0, 0, 0 },
	{ HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1,
	  PROP_READ_ONLY | PROP_ANYTIME, 0, 0, 0 },
	{ HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES,
	  PROP_READ_ONLY | PROP_ANYTIME, 0, 0, 0 },
	{ HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH,
	  PROP_READ_ONLY | PROP_ANYTIME, 0, 0, 0 },
	{ HV_PARTITION_PROPERTY_XSAVE_STATES, PROP_READ_ONLY | PROP_ANYTIME,
	  0, 0, 0 },
	{ HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE,
	  PROP_READ_ONLY | PROP_ANYTIME, 0, 0, 0 },
	{ HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY,
	  PROP_READ_ONLY | PROP_ANYTIME, 0, 0, 0 },
};

static const struct property *property_find(uint32_t code)
{
	for (size_t i = 0; i < ARRAY_SIZE(properties); i++)
		if (properties[i].code == code)
			return &properties[i];
	return NULL;
}

static uint64_t *property_slot(struct partition *p, const struct property *d)
{
	return (uint64_t *)((char *)p + d->field);
}

/*
 * Resolve the target and check access, the property code and the state, in
 * that order (SPEC 4.3).  Early properties are readable and settable while
 * Uninitialized and readable while Active; the rest need Active.
 */
static hv_status_t property_target(struct hvctx *cx, uint64_t id,
				   uint32_t code, bool set,
				   struct partition **out,
				   const struct property **desc)
{
	struct partition *t = partition_resolve(cx->hv, cx->caller, id);

	if (!t)
		return HV_STATUS_INVALID_PARTITION_ID;
	/* The parent, or the root on itself. */
	if (t->parent != cx->caller &&
	    !(t == cx->caller && is_root(cx->hv, t)))
		return HV_STATUS_ACCESS_DENIED;
	const struct property *d = property_find(code);

	if (!d)
		return HV_STATUS_UNKNOWN_PROPERTY;
	bool ok;

	if (d->flags & PROP_ANYTIME)
		ok = t->state == OHV_STATE_UNINITIALIZED ||
		     t->state == OHV_STATE_ACTIVE;
	else if (d->flags & PROP_EARLY)
		ok = t->state == OHV_STATE_UNINITIALIZED ||
		     (!set && t->state == OHV_STATE_ACTIVE);
	else
		ok = t->state == OHV_STATE_ACTIVE;
	if (!ok)
		return HV_STATUS_INVALID_PARTITION_STATE;
	*out = t;
	*desc = d;
	return HV_STATUS_SUCCESS;
}

/* The XSAVE features a partition has: those its creator left enabled. */
static uint64_t xsave_features(const struct partition *t)
{
	return ~t->disabled_xsave & HV_XSAVE_FEATURES_DEFINED;
}

uint64_t property_xsave_states(const struct partition *t)
{
	uint64_t f = xsave_features(t);

	if (!(f & HV_XSAVE_FEATURE_XSAVE))
		return HV_XSAVE_STATE_X87 | HV_XSAVE_STATE_SSE;
	return HV_XSAVE_STATE_X87 | HV_XSAVE_STATE_SSE |
	       (f & HV_XSAVE_FEATURE_AVX ? HV_XSAVE_STATE_AVX : 0);
}

uint32_t property_xsave_size(const struct partition *t)
{
	return HV_XSAVE_LEGACY_SIZE + HV_XSAVE_HEADER_SIZE +
	       (property_xsave_states(t) & HV_XSAVE_STATE_AVX ?
		HV_XSAVE_AVX_SIZE : 0);
}

/* A property's value (d found for t by property_target). */
static uint64_t property_value(struct ohv *hv, struct partition *t,
			       const struct property *d)
{
	switch (d->code) {
	case HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION:
		return t->compatibility_version;
	case HV_PARTITION_PROPERTY_PROCESSOR_VENDOR:
		return hv->processor_vendor;
	/* Features: every one the TLFS defines, less those the creator
	 * disabled (the root disables none). */
	case HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0:
		return ~t->disabled_features[0] & HV_PROCESSOR_FEATURES0_DEFINED;
	case HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1:
		return ~t->disabled_features[1] & HV_PROCESSOR_FEATURES1_DEFINED;
	case HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES:
		return xsave_features(t);
	case HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH:
		return HV_GPA_BITS;
	case HV_PARTITION_PROPERTY_XSAVE_STATES:
		return property_xsave_states(t);
	case HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE:
		return property_xsave_size(t);
	case HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY:
		return OHV_CLOCK_FREQUENCY;
	default:
		return *property_slot(t, d);
	}
}

hv_status_t property_read(struct hvctx *cx, uint64_t id, uint32_t code,
			  uint64_t *value)
{
	const struct property *d;
	struct partition *t;
	hv_status_t st = property_target(cx, id, code, false, &t, &d);

	if (!st)
		*value = property_value(cx->hv, t, d);
	return st;
}

hv_status_t hc_get_partition_property(struct hvctx *cx)
{
	const struct hv_input_get_partition_property *in = cx->in;
	struct hv_output_get_partition_property *out = cx->out;

	return property_read(cx, in->partition_id, in->property_code,
			     &out->property_value);
}

hv_status_t hc_set_partition_property(struct hvctx *cx)
{
	const struct hv_input_set_partition_property *in = cx->in;
	const struct property *d;
	struct partition *t;
	uint64_t value = in->property_value;
	hv_status_t st = property_target(cx, in->partition_id,
					 in->property_code, true, &t, &d);

	if (st)
		return st;
	if (d->flags & PROP_READ_ONLY)
		return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
	if (value < d->min || value > d->max)
		return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
	/* A parent cannot hand out a privilege it does not hold. */
	if (d->code == HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS &&
	    (value & ~cx->caller->privileges))
		return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
	*property_slot(t, d) = value;
	return HV_STATUS_SUCCESS;
}
