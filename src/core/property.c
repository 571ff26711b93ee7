/* HvGetPartitionProperty and HvSetPartitionProperty (SPEC 4.3). */
#include "hvcall.h"
#include "partition.h"

enum {
	PROP_EARLY = 0x1,	/* TLFS-md "early": set while Uninitialized */
	PROP_READ_ONLY = 0x2,
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

	if (d->flags & PROP_EARLY)
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

hv_status_t hc_get_partition_property(struct hvctx *cx)
{
	const struct hv_input_get_partition_property *in = cx->in;
	struct hv_output_get_partition_property *out = cx->out;
	const struct property *d;
	struct partition *t;
	hv_status_t st = property_target(cx, in->partition_id,
					 in->property_code, false, &t, &d);

	if (st)
		return st;
	switch (d->code) {
	case HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION:
		out->property_value = t->compatibility_version;
		break;
	case HV_PARTITION_PROPERTY_PROCESSOR_VENDOR:
		out->property_value = cx->hv->processor_vendor;
		break;
	default:
		out->property_value = *property_slot(t, d);
		break;
	}
	return HV_STATUS_SUCCESS;
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
