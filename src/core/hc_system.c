/*
 * HvGetSystemProperty, HvGetPartitionPropertyEx and HvNotifyPortRingEmpty
 * (SPEC 10).
 */
#include "handlers.h"
#include "surface.h"

#include <string.h>

#include "partition.h"
#include "vp.h"

/*
 * 0x007B.  The scheduler type answers the hypervisor's core scheduler, so
 * a Linux root takes its hypervisor-scheduler run path (VPs run when both
 * suspend registers are clear).  System properties belong to the host:
 * only the root reads them (TLFS silent; docs/conformance.md).
 */
hv_status_t hc_get_system_property(struct hvctx *cx)
{
	const struct hv_input_get_system_property *in = cx->in;
	struct hv_output_get_system_property *out = cx->out;

	if (!is_root(cx->hv, cx->caller))
		return HV_STATUS_ACCESS_DENIED;
	switch (in->property_id) {
	case HV_SYSTEM_PROPERTY_SCHEDULER_TYPE:
		out->value = HV_SCHEDULER_TYPE_CORE_SMT;
		return HV_STATUS_SUCCESS;
	case HV_DYNAMIC_PROCESSOR_FEATURE_PROPERTY:
		/* No isolation: no encrypted partitions, SNP status NONE. */
		if (in->argument != HV_X64_DYNAMIC_PROCESSOR_FEATURE_MAX_ENCRYPTED_PARTITIONS &&
		    in->argument != HV_X64_DYNAMIC_PROCESSOR_FEATURE_SNP_STATUS)
			return HV_STATUS_INVALID_PARAMETER;
		out->value = 0;
		return HV_STATUS_SUCCESS;
	}
	return HV_STATUS_INVALID_PARAMETER;
}

/*
 * 0x0101.  The properties too large for HvGetPartitionProperty (VMM
 * capabilities, the synthetic features a VMM may assign), and every
 * ordinary one as its first eight bytes.  Same target rules as
 * HvGetPartitionProperty; no property here takes an argument.
 */
hv_status_t hc_get_partition_property_ex(struct hvctx *cx)
{
	const struct hv_input_get_partition_property_ex *in = cx->in;
	struct hv_output_get_partition_property_ex *out = cx->out;
	struct hv_partition_property_banks banks = { .bank_count = 1 };
	uint64_t value;

	switch (in->property_code) {
	case HV_PARTITION_PROPERTY_VMM_CAPABILITIES:
	case HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC_PROC_FEATURES: {
		struct partition *t = partition_resolve(cx->hv, cx->caller,
							in->partition_id);

		if (!t)
			return HV_STATUS_INVALID_PARTITION_ID;
		if (t->parent != cx->caller &&
		    !(t == cx->caller && is_root(cx->hv, t)))
			return HV_STATUS_ACCESS_DENIED;
		if (in->arg)
			return HV_STATUS_INVALID_PARAMETER;
		/* ADJUSTABLE mappings are kept as asked (SPEC 6); every
		 * synthetic feature the TLFS defines may be assigned. */
		banks.bank[0] = in->property_code ==
			HV_PARTITION_PROPERTY_VMM_CAPABILITIES ?
			HV_VMM_CAP_MAP_GPA_PRESERVE_ADJUSTABLE |
			HV_VMM_CAP_ASSIGNABLE_SYNTHETIC_PROC_FEATURES :
			HV_SYNTHETIC_PROC_FEATURES_DEFINED;
		memset(out, 0, sizeof(*out));
		memcpy(out->buffer, &banks, sizeof(banks));
		return HV_STATUS_SUCCESS;
	}
	}
	hv_status_t st = property_read(cx, in->partition_id, in->property_code,
				       &value);

	if (st)
		return st;
	if (in->arg)
		return HV_STATUS_INVALID_PARAMETER;
	memset(out, 0, sizeof(*out));
	memcpy(out->buffer, &value, sizeof(value));
	return HV_STATUS_SUCCESS;
}

/*
 * 0x008B: the caller's VP has emptied the ring behind a SINT; accepted
 * for any SINT and counted (a doorbell backend re-arms on it).
 */
hv_status_t hc_notify_port_ring_empty(struct hvctx *cx)
{
	const struct hv_input_notify_port_ring_empty *in = cx->in;

	if (in->sint_index >= HV_SYNIC_SINT_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	cx->vp->x.ring_empty[in->sint_index]++;
	return HV_STATUS_SUCCESS;
}
