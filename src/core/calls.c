/* SPDX-License-Identifier: MIT */
/*
 * The hypercall table: one entry per call openhv implements, its public
 * description (calls.h) and its handler.  The dispatcher (hvcall.c) runs
 * its generic checks from it; ohv_call_info() shows it to tools.  Adding
 * a call is one entry here and its handler.
 *
 * Field offsets and sizes come from hv.h's structs with offsetof and
 * sizeof, so the table cannot drift from the wire ABI; layouts are
 * facts §3.2 (TLFS 2.0 §5-§14) and seed 002 for HvCreatePartition.
 */
#include "calls.h"
#include "handlers.h"

#include <stddef.h>

#include "calls_surface.h"
#include "surface.h"

#define MSIZE(T, m)	sizeof(((T *)0)->m)

/* A field of struct T at member m; R: reserved; W: port types only. */
#define F(T, m, name, fmt) \
	{ name, offsetof(T, m), MSIZE(T, m), OHV_FMT_##fmt, OHV_FIELD_VALUE, 0 }
#define R(T, m, name) \
	{ name, offsetof(T, m), MSIZE(T, m), OHV_FMT_HEX, OHV_FIELD_RESERVED, 0 }
#define FW(T, m, name, fmt, when) \
	{ name, offsetof(T, m), MSIZE(T, m), OHV_FMT_##fmt, OHV_FIELD_VALUE, when }
#define RW(T, m, name, when) \
	{ name, offsetof(T, m), MSIZE(T, m), OHV_FMT_HEX, OHV_FIELD_RESERVED, when }
/* The element of a list of scalars (page numbers, register names). */
#define E(T, name, fmt)	{ name, 0, sizeof(T), OHV_FMT_##fmt, OHV_FIELD_VALUE, 0 }
#define END		{ NULL, 0, 0, 0, 0, 0 }

#define W_MESSAGE	OHV_WHEN_MESSAGE
#define W_EVENT		OHV_WHEN_EVENT
#define W_MONITOR	OHV_WHEN_MONITOR
#define W_DOORBELL	OHV_WHEN_DOORBELL
#define W_OTHER		OHV_WHEN_OTHER

static const struct ohv_field no_fields[] = { END };

/* ---------------------------------------------------------------------- */
/* Partitions (TLFS 2.0 §5.6).                                             */

#define CP	struct hv_input_create_partition
#define CPA	struct hv_input_create_partition_arm64

/* Seed 002: the AMD64 and ARM64 layouts part at offset 40. */
static const struct ohv_field create_x64_in[] = {
	F(CP, flags, "Flags", CREATION_FLAGS),
	F(CP, proximity_domain_info, "ProximityDomainInfo", PROXIMITY),
	F(CP, compatibility_version, "CompatibilityVersion", COMPAT_VERSION),
	R(CP, padding, "Padding"),
	F(CP, disabled_processor_features[0], "DisabledProcessorFeatures[0]", HEX),
	F(CP, disabled_processor_features[1], "DisabledProcessorFeatures[1]", HEX),
	F(CP, disabled_processor_xsave_features, "DisabledXsaveFeatures", HEX),
	F(CP, isolation_properties, "IsolationProperties", ISOLATION),
	END,
};

static const struct ohv_field create_arm64_in[] = {
	F(CPA, flags, "Flags", CREATION_FLAGS),
	F(CPA, proximity_domain_info, "ProximityDomainInfo", PROXIMITY),
	F(CPA, compatibility_version, "CompatibilityVersion", COMPAT_VERSION),
	R(CPA, padding, "Padding"),
	F(CPA, disabled_processor_features[0], "DisabledProcessorFeatures[0]", HEX),
	F(CPA, disabled_processor_features[1], "DisabledProcessorFeatures[1]", HEX),
	F(CPA, isolation_properties, "IsolationProperties", ISOLATION),
	END,
};

static const struct ohv_field create_out[] = {
	F(struct hv_output_create_partition, partition_id, "NewPartitionId",
	  PARTITION_ID),
	END,
};

/* Initialize, finalize, delete: the target must be a child. */
static const struct ohv_field child_in[] = {
	F(struct hv_input_initialize_partition, partition_id, "PartitionId",
	  CHILD_ID),
	END,
};

#define GPP	struct hv_input_get_partition_property
#define SPP	struct hv_input_set_partition_property

static const struct ohv_field get_property_in[] = {
	F(GPP, partition_id, "PartitionId", PARTITION_ID),
	F(GPP, property_code, "PropertyCode", PROPERTY_CODE),
	R(GPP, padding, "Padding"),
	END,
};

static const struct ohv_field set_property_in[] = {
	F(SPP, partition_id, "PartitionId", PARTITION_ID),
	F(SPP, property_code, "PropertyCode", PROPERTY_CODE),
	R(SPP, padding, "Padding"),
	F(SPP, property_value, "PropertyValue", HEX),
	END,
};

static const struct ohv_field property_out[] = {
	F(struct hv_output_get_partition_property, property_value,
	  "PropertyValue", HEX),
	END,
};

static const struct ohv_field partition_id_out[] = {
	F(struct hv_output_get_partition_id, partition_id, "PartitionId",
	  PARTITION_ID),
	END,
};

static const struct ohv_field next_child_in[] = {
	F(struct hv_input_get_next_child_partition, parent_id, "ParentId",
	  PARTITION_ID),
	F(struct hv_input_get_next_child_partition, previous_child_id,
	  "PreviousChildId", CHILD_CURSOR),
	END,
};

static const struct ohv_field next_child_out[] = {
	F(struct hv_output_get_next_child_partition, next_child_id,
	  "NextChildId", CHILD_CURSOR),
	END,
};

/* ---------------------------------------------------------------------- */
/* Pools (TLFS 2.0 §7.3) and GPA mapping (§8.3).                           */

static const struct ohv_field deposit_in[] = {
	F(struct hv_input_deposit_memory, partition_id, "PartitionId",
	  PARTITION_ID),
	END,
};

static const struct ohv_field pool_in[] = {
	F(struct hv_input_withdraw_memory, partition_id, "PartitionId",
	  PARTITION_ID),
	F(struct hv_input_withdraw_memory, proximity_domain_info,
	  "ProximityDomainInfo", PROXIMITY),
	END,
};

static const struct ohv_field page_elem[] = {
	E(uint64_t, "GpaPageNumber", GPA_PAGE),
	END,
};

static const struct ohv_field balance_out[] = {
	F(struct hv_output_get_memory_balance, pages_available,
	  "PagesAvailable", DEC),
	F(struct hv_output_get_memory_balance, pages_in_use, "PagesInUse", DEC),
	END,
};

#define MAP	struct hv_input_map_gpa_pages
#define UNMAP	struct hv_input_unmap_gpa_pages

static const struct ohv_field map_in[] = {
	F(MAP, target_partition_id, "TargetPartitionId", PARTITION_ID),
	F(MAP, target_gpa_base, "TargetGpaBase", GPA_BASE),
	F(MAP, map_flags, "MapFlags", MAP_FLAGS),
	R(MAP, padding, "Padding"),
	END,
};

static const struct ohv_field unmap_in[] = {
	F(UNMAP, target_partition_id, "TargetPartitionId", PARTITION_ID),
	F(UNMAP, target_gpa_base, "TargetGpaBase", GPA_BASE),
	F(UNMAP, unmap_flags, "UnmapFlags", UNMAP_FLAGS),
	R(UNMAP, padding, "Padding"),
	END,
};

/* ---------------------------------------------------------------------- */
/* Virtual processors (TLFS 2.0 §10.4).                                    */

#define CVP	struct hv_input_create_vp
#define DVP	struct hv_input_delete_vp
#define GVR	struct hv_input_get_vp_registers
#define RA	struct hv_register_assoc

static const struct ohv_field create_vp_in[] = {
	F(CVP, partition_id, "PartitionId", CHILD_ID),
	F(CVP, vp_index, "VpIndex", VP_INDEX),
	R(CVP, padding, "Padding"),
	F(CVP, subnode_type, "SubnodeType", SUBNODE_TYPE),
	F(CVP, subnode_id, "SubnodeId", HEX),
	F(CVP, proximity_domain_info, "ProximityDomainInfo", PROXIMITY),
	F(CVP, flags, "Flags", VP_FLAGS),
	END,
};

static const struct ohv_field delete_vp_in[] = {
	F(DVP, partition_id, "PartitionId", CHILD_ID),
	F(DVP, vp_index, "VpIndex", VP_INDEX),
	R(DVP, padding, "Padding"),
	END,
};

/* HvGetVpRegisters and HvSetVpRegisters share their 16-byte header. */
static const struct ohv_field regs_in[] = {
	F(GVR, partition_id, "PartitionId", PARTITION_ID),
	F(GVR, vp_index, "VpIndex", VP_INDEX),
	F(GVR, input_vtl, "InputVtl", INPUT_VTL),
	R(GVR, reserved, "Reserved"),
	END,
};

static const struct ohv_field reg_name_elem[] = {
	E(uint32_t, "RegisterName", REG_NAME),
	END,
};

static const struct ohv_field reg_value_elem[] = {
	E(union hv_register_value, "RegisterValue", REG_VALUE),
	END,
};

static const struct ohv_field reg_assoc_elem[] = {
	F(RA, name, "Name", REG_NAME),
	R(RA, reserved1, "Reserved1"),
	R(RA, reserved2, "Reserved2"),
	F(RA, value, "Value", REG_VALUE),
	END,
};

/* ---------------------------------------------------------------------- */
/* Ports and connections (TLFS 2.0 §14.9).  HV_PORT_INFO's union and        */
/* HV_CONNECTION_INFO's depend on the port type (facts §4.9).          */

#define PORT_INFO(T) \
	F(T, port_info.port_type, "PortInfo.PortType", PORT_TYPE), \
	R(T, port_info.padding, "PortInfo.Padding"), \
	FW(T, port_info.message_port_info.target_sint, "PortInfo.TargetSint", \
	   SINT, W_MESSAGE | W_EVENT | W_DOORBELL), \
	FW(T, port_info.message_port_info.target_vp, "PortInfo.TargetVp", \
	   TARGET_VP, W_MESSAGE | W_EVENT | W_DOORBELL), \
	RW(T, port_info.message_port_info.rsvdz, "PortInfo.RsvdZ", \
	   W_MESSAGE | W_DOORBELL), \
	FW(T, port_info.event_port_info.base_flag_number, \
	   "PortInfo.BaseFlagNumber", DEC, W_EVENT), \
	FW(T, port_info.event_port_info.flag_count, "PortInfo.FlagCount", \
	   FLAG_COUNT, W_EVENT), \
	RW(T, port_info.event_port_info.rsvdz, "PortInfo.RsvdZ", W_EVENT), \
	FW(T, port_info.monitor_port_info.monitor_address, \
	   "PortInfo.MonitorAddress", MONITOR_GPA, W_MONITOR), \
	RW(T, port_info.monitor_port_info.rsvdz, "PortInfo.RsvdZ", W_MONITOR), \
	FW(T, port_info.monitor_port_info.monitor_address, "PortInfo.Data[0]", \
	   HEX, W_OTHER), \
	FW(T, port_info.monitor_port_info.rsvdz, "PortInfo.Data[1]", HEX, \
	   W_OTHER)

#define CPC	struct hv_input_create_port_classic
#define CPM	struct hv_input_create_port
#define CCC	struct hv_input_connect_port_classic
#define CCM	struct hv_input_connect_port
#define DOORBELL(m)	connection_info.doorbell_connection_info.m

static const struct ohv_field create_port_classic_in[] = {
	F(CPC, port_partition_id, "PortPartition", PARTITION_ID),
	F(CPC, port_id, "PortId", PORT_ID),
	R(CPC, padding, "Padding"),
	F(CPC, connection_partition_id, "ConnectionPartition", PARTITION_ID),
	PORT_INFO(CPC),
	END,
};

static const struct ohv_field create_port_in[] = {
	F(CPM, port_partition_id, "PortPartition", PARTITION_ID),
	F(CPM, port_id, "PortId", PORT_ID),
	F(CPM, port_vtl, "PortVtl", VTL),
	F(CPM, min_connection_vtl, "MinConnectionVtl", VTL),
	R(CPM, padding, "Padding"),
	F(CPM, connection_partition_id, "ConnectionPartition", PARTITION_ID),
	PORT_INFO(CPM),
	F(CPM, proximity_domain_info, "ProximityDomainInfo", PROXIMITY),
	END,
};

static const struct ohv_field delete_port_in[] = {
	F(struct hv_input_delete_port, port_partition_id, "PortPartition",
	  PARTITION_ID),
	F(struct hv_input_delete_port, port_id, "PortId", PORT_ID),
	R(struct hv_input_delete_port, reserved, "Reserved"),
	END,
};

/* The classic HV_CONNECTION_INFO is 16 bytes (TLFS 2.0 §14.8.9). */
static const struct ohv_field connect_port_classic_in[] = {
	F(CCC, connection_partition_id, "ConnectionPartition", PARTITION_ID),
	F(CCC, connection_id, "ConnectionId", CONNECTION_ID),
	R(CCC, padding1, "Padding1"),
	F(CCC, port_partition_id, "PortPartition", PARTITION_ID),
	F(CCC, port_id, "PortId", PORT_ID),
	R(CCC, padding2, "Padding2"),
	F(CCC, connection_info.port_type, "ConnectionInfo.PortType", PORT_TYPE),
	R(CCC, connection_info.padding, "ConnectionInfo.Padding"),
	RW(CCC, connection_info.rsvdz, "ConnectionInfo.RsvdZ",
	   W_MESSAGE | W_EVENT | W_DOORBELL | W_OTHER),
	FW(CCC, connection_info.monitor_address, "ConnectionInfo.MonitorAddress",
	   MONITOR_GPA, W_MONITOR),
	END,
};

/* The modern one is 32: a doorbell's fills it, the others leave 16 unused. */
static const struct ohv_field connect_port_in[] = {
	F(CCM, connection_partition_id, "ConnectionPartition", PARTITION_ID),
	F(CCM, connection_id, "ConnectionId", CONNECTION_ID),
	F(CCM, connection_vtl, "ConnectionVtl", VTL),
	R(CCM, rsvdz0, "Rsvdz0"),
	R(CCM, rsvdz1, "Rsvdz1"),
	F(CCM, port_partition_id, "PortPartition", PARTITION_ID),
	F(CCM, port_id, "PortId", PORT_ID),
	R(CCM, reserved2, "Reserved2"),
	F(CCM, connection_info.port_type, "ConnectionInfo.PortType", PORT_TYPE),
	R(CCM, connection_info.padding, "ConnectionInfo.Padding"),
	RW(CCM, connection_info.message_connection_info.rsvdz,
	   "ConnectionInfo.RsvdZ", W_MESSAGE | W_EVENT),
	FW(CCM, connection_info.monitor_connection_info.monitor_address,
	   "ConnectionInfo.MonitorAddress", MONITOR_GPA, W_MONITOR),
	FW(CCM, DOORBELL(gpa), "ConnectionInfo.Gpa", HEX, W_DOORBELL),
	FW(CCM, DOORBELL(gpa), "ConnectionInfo.Data[0]", HEX, W_OTHER),
	RW(CCM, DOORBELL(trigger_value), "ConnectionInfo.Unused[0]",
	   W_MESSAGE | W_EVENT | W_MONITOR),
	FW(CCM, DOORBELL(trigger_value), "ConnectionInfo.TriggerValue", HEX,
	   W_DOORBELL),
	FW(CCM, DOORBELL(trigger_value), "ConnectionInfo.Data[1]", HEX, W_OTHER),
	RW(CCM, DOORBELL(flags), "ConnectionInfo.Unused[1]",
	   W_MESSAGE | W_EVENT | W_MONITOR),
	FW(CCM, DOORBELL(flags), "ConnectionInfo.Flags", DOORBELL_FLAGS,
	   W_DOORBELL),
	FW(CCM, DOORBELL(flags), "ConnectionInfo.Data[2]", HEX, W_OTHER),
	F(CCM, proximity_domain_info, "ProximityDomainInfo", PROXIMITY),
	END,
};

#define GPOP	struct hv_input_get_port_property
#define SPOP	struct hv_input_set_port_property

static const struct ohv_field get_port_property_in[] = {
	F(GPOP, port_partition_id, "PortPartition", PARTITION_ID),
	F(GPOP, port_id, "PortId", PORT_ID),
	R(GPOP, padding1, "Padding1"),
	F(GPOP, property_code, "PropertyCode", PORT_PROPERTY),
	R(GPOP, padding2, "Padding2"),
	END,
};

static const struct ohv_field set_port_property_in[] = {
	F(SPOP, port_partition_id, "PortPartition", PARTITION_ID),
	F(SPOP, port_id, "PortId", PORT_ID),
	R(SPOP, padding1, "Padding1"),
	F(SPOP, property_code, "PropertyCode", PORT_PROPERTY),
	R(SPOP, padding2, "Padding2"),
	F(SPOP, property_value, "PropertyValue", HEX),
	END,
};

static const struct ohv_field port_property_out[] = {
	F(struct hv_output_get_port_property, property_value, "PropertyValue",
	  HEX),
	END,
};

static const struct ohv_field disconnect_port_in[] = {
	F(struct hv_input_disconnect_port, connection_partition_id,
	  "ConnectionPartition", PARTITION_ID),
	F(struct hv_input_disconnect_port, connection_id, "ConnectionId",
	  CONNECTION_ID),
	/* Linux's IsDoorbell bit 0; padding in TLFS 2.0. */
	F(struct hv_input_disconnect_port, is_doorbell, "IsDoorbell", HEX),
	END,
};

static const struct ohv_field post_message_in[] = {
	F(struct hv_input_post_message, connection_id, "ConnectionId",
	  CONNECTION_ID),
	R(struct hv_input_post_message, padding, "Padding"),
	F(struct hv_input_post_message, message_type, "MessageType",
	  MESSAGE_TYPE),
	F(struct hv_input_post_message, payload_size, "PayloadSize",
	  PAYLOAD_SIZE),
	F(struct hv_input_post_message, payload, "Payload", PAYLOAD),
	END,
};

static const struct ohv_field signal_event_in[] = {
	F(struct hv_input_signal_event, connection_id, "ConnectionId",
	  CONNECTION_ID),
	F(struct hv_input_signal_event, flag_number, "FlagNumber", FLAG_NUMBER),
	R(struct hv_input_signal_event, rsvdz, "RsvdZ"),
	END,
};

/* ---------------------------------------------------------------------- */
/* The table, indexed by code.                                             */

/* Whether the register-based form fits the x64 register block: input
 * rounded up to 16 bytes, then the output (one element of a rep call). */
#define FITS(in, out)	(((in) + 15) / 16 * 16 + (out) <= HV_X64_FAST_INPUT_BYTES)

/* A simple call: input and output sizes (0: none) and fields; the rest,
 * .summary and .ref above all, as designated initializers. */
#define SIMPLE(c, nm, h, in_sz, fin, out_sz, fout, priv, ...) \
	[c] = { .handler = h, .info = { .code = c, .name = nm, \
		.fast = FITS(in_sz, out_sz), \
		.in_size = { in_sz, in_sz }, .in = { fin, fin }, \
		.out_size = out_sz, .out = fout, \
		.in_elem_fields = no_fields, .out_elem_fields = no_fields, \
		.privilege = priv, __VA_ARGS__ } }

/* A rep call: its header, its input and output elements (size 0 and
 * NULL name: none). */
#define REP(c, nm, h, hdr_sz, fin, ie_sz, iname, ifields, oe_sz, oname, \
	    ofields, priv, ...) \
	[c] = { .handler = h, .info = { .code = c, .name = nm, .rep = 1, \
		.fast = FITS((hdr_sz) + (ie_sz), oe_sz), \
		.in_size = { hdr_sz, hdr_sz }, .in = { fin, fin }, \
		.out = no_fields, \
		.in_list = iname, .in_elem = ie_sz, .in_elem_fields = ifields, \
		.out_list = oname, .out_elem = oe_sz, \
		.out_elem_fields = ofields, .privilege = priv, __VA_ARGS__ } }

static const struct call calls[] = {
	[HVCALL_CREATE_PARTITION] = { .handler = hc_create_partition, .info = {
		.code = HVCALL_CREATE_PARTITION, .name = "HvCreatePartition",
		.fast = FITS(sizeof(CP), sizeof(struct hv_output_create_partition)),
		.in_size = { [OHV_ARCH_X64] = sizeof(CP),
			     [OHV_ARCH_ARM64] = sizeof(CPA) },
		.in = { [OHV_ARCH_X64] = create_x64_in,
			[OHV_ARCH_ARM64] = create_arm64_in },
		.out_size = sizeof(struct hv_output_create_partition),
		.out = create_out,
		.in_elem_fields = no_fields, .out_elem_fields = no_fields,
		.privilege = HV_PARTITION_PRIV_CREATE_PARTITIONS,
		.summary = "create an Uninitialized child of the caller",
		.ref = "TLFS 2.0 §5.6.1; seeds 000 and 002" } },
	SIMPLE(HVCALL_INITIALIZE_PARTITION, "HvInitializePartition",
	       hc_initialize_partition,
	       sizeof(struct hv_input_initialize_partition), child_in,
	       0, no_fields, 0,
	       .summary = "make an Uninitialized child Active",
	       .ref = "TLFS 2.0 §5.6.2; seed 001"),
	SIMPLE(HVCALL_FINALIZE_PARTITION, "HvFinalizePartition",
	       hc_finalize_partition,
	       sizeof(struct hv_input_finalize_partition), child_in,
	       0, no_fields, 0,
	       .summary = "stop an Active child for good; its objects are freed",
	       .ref = "TLFS 2.0 §5.6.3; seed 003"),
	SIMPLE(HVCALL_DELETE_PARTITION, "HvDeletePartition",
	       hc_delete_partition,
	       sizeof(struct hv_input_delete_partition), child_in,
	       0, no_fields, 0,
	       .summary = "delete a Finalized or Uninitialized child with an "
			  "empty pool",
	       .ref = "TLFS 2.0 §5.6.4"),
	SIMPLE(HVCALL_GET_PARTITION_PROPERTY, "HvGetPartitionProperty",
	       hc_get_partition_property, sizeof(GPP), get_property_in,
	       sizeof(struct hv_output_get_partition_property), property_out, 0,
	       .summary = "read a property of a child (or of the root itself)",
	       .ref = "TLFS 2.0 §5.6.5"),
	SIMPLE(HVCALL_SET_PARTITION_PROPERTY, "HvSetPartitionProperty",
	       hc_set_partition_property, sizeof(SPP), set_property_in,
	       0, no_fields, 0,
	       .summary = "write a property of a child (or of the root itself)",
	       .ref = "TLFS 2.0 §5.6.6"),
	SIMPLE(HVCALL_GET_PARTITION_ID, "HvGetPartitionId",
	       hc_get_partition_id, 0, no_fields,
	       sizeof(struct hv_output_get_partition_id), partition_id_out,
	       HV_PARTITION_PRIV_ACCESS_PARTITION_ID,
	       .summary = "the caller's own partition id",
	       .ref = "TLFS 2.0 §5.6.7"),
	SIMPLE(HVCALL_GET_NEXT_CHILD_PARTITION, "HvGetNextChildPartition",
	       hc_get_next_child_partition,
	       sizeof(struct hv_input_get_next_child_partition), next_child_in,
	       sizeof(struct hv_output_get_next_child_partition),
	       next_child_out, 0,
	       .summary = "walk the caller's children in creation order "
			  "(PreviousChildId 0 starts, NextChildId 0 ends)",
	       .ref = "TLFS 2.0 §5.6.8"),
	REP(HVCALL_DEPOSIT_MEMORY, "HvDepositMemory", hc_deposit_memory,
	    sizeof(struct hv_input_deposit_memory), deposit_in,
	    sizeof(uint64_t), "GpaPageList", page_elem, 0, NULL, no_fields,
	    HV_PARTITION_PRIV_ACCESS_MEMORY_POOL,
	    .summary = "give pages of the caller's GPA space to a pool",
	    .ref = "TLFS 2.0 §7.3.1"),
	REP(HVCALL_WITHDRAW_MEMORY, "HvWithdrawMemory", hc_withdraw_memory,
	    sizeof(struct hv_input_withdraw_memory), pool_in,
	    0, NULL, no_fields, sizeof(uint64_t), "GpaPageList", page_elem,
	    HV_PARTITION_PRIV_ACCESS_MEMORY_POOL,
	    .summary = "take available pages back from a pool (rep count = "
		       "pages wanted)",
	    .ref = "TLFS 2.0 §7.3.2"),
	SIMPLE(HVCALL_GET_MEMORY_BALANCE, "HvGetMemoryBalance",
	       hc_get_memory_balance,
	       sizeof(struct hv_input_get_memory_balance), pool_in,
	       sizeof(struct hv_output_get_memory_balance), balance_out,
	       HV_PARTITION_PRIV_ACCESS_MEMORY_POOL,
	       .summary = "a pool's available and in-use pages",
	       .ref = "TLFS 2.0 §7.3.3"),
	REP(HVCALL_MAP_GPA_PAGES, "HvMapGpaPages", hc_map_gpa_pages,
	    sizeof(MAP), map_in, sizeof(uint64_t), "SourceGpaPageList",
	    page_elem, 0, NULL, no_fields, 0,
	    .summary = "map caller pages at TargetGpaBase.. of a child (the "
		       "root: change its own rights)",
	    .ref = "TLFS 2.0 §8.3.1"),
	/* A rep call without a list: the rep count is the page count. */
	REP(HVCALL_UNMAP_GPA_PAGES, "HvUnmapGpaPages", hc_unmap_gpa_pages,
	    sizeof(UNMAP), unmap_in, 0, NULL, no_fields, 0, NULL, no_fields, 0,
	    .summary = "unmap rep-count pages from TargetGpaBase of a child",
	    .ref = "TLFS 2.0 §8.3.2"),
	SIMPLE(HVCALL_CREATE_VP, "HvCreateVp", hc_create_vp,
	       sizeof(CVP), create_vp_in, 0, no_fields, 0,
	       .summary = "create a VP of an Active child, explicitly suspended",
	       .ref = "TLFS 2.0 §10.4.1"),
	SIMPLE(HVCALL_DELETE_VP, "HvDeleteVp", hc_delete_vp,
	       sizeof(DVP), delete_vp_in, 0, no_fields, 0,
	       .summary = "delete a VP; its pages return to the pool",
	       .ref = "TLFS 2.0 §10.4.2"),
	/* AccessVpRegisters only on the caller itself (TLFS-md). */
	REP(HVCALL_GET_VP_REGISTERS, "HvGetVpRegisters", hc_get_vp_registers,
	    sizeof(GVR), regs_in, sizeof(uint32_t), "Names", reg_name_elem,
	    sizeof(union hv_register_value), "Values", reg_value_elem, 0,
	    .privilege_self = HV_PARTITION_PRIV_ACCESS_VP_REGISTERS,
	    .summary = "read registers of a child's VP (or the caller's own)",
	    .ref = "TLFS 2.0 §10.4.3; TLFS-md HvGetVpRegisters"),
	REP(HVCALL_SET_VP_REGISTERS, "HvSetVpRegisters", hc_set_vp_registers,
	    sizeof(struct hv_input_set_vp_registers), regs_in, sizeof(RA),
	    "Registers", reg_assoc_elem, 0, NULL, no_fields, 0,
	    .privilege_self = HV_PARTITION_PRIV_ACCESS_VP_REGISTERS,
	    .summary = "write registers of a child's VP (or the caller's own)",
	    .ref = "TLFS 2.0 §10.4.4; TLFS-md HvSetVpRegisters"),
	SIMPLE(HVCALL_CREATE_PORT_CLASSIC, "HvCreatePort",
	       hc_create_port_classic, sizeof(CPC), create_port_classic_in,
	       0, no_fields, HV_PARTITION_PRIV_CREATE_PORT,
	       .type_off = offsetof(CPC, port_info.port_type),
	       .summary = "create a port (TLFS 2.0 48-byte layout)",
	       .ref = "TLFS 2.0 §14.9.1"),
	SIMPLE(HVCALL_DELETE_PORT, "HvDeletePort", hc_delete_port,
	       sizeof(struct hv_input_delete_port), delete_port_in,
	       0, no_fields, HV_PARTITION_PRIV_CREATE_PORT,
	       .summary = "delete a port; its queued messages are discarded",
	       .ref = "TLFS 2.0 §14.9.2; seed 004"),
	SIMPLE(HVCALL_CONNECT_PORT_CLASSIC, "HvConnectPort",
	       hc_connect_port_classic, sizeof(CCC), connect_port_classic_in,
	       0, no_fields, HV_PARTITION_PRIV_CONNECT_PORT,
	       .type_off = offsetof(CCC, connection_info.port_type),
	       .summary = "connect to a port (TLFS 2.0 layout, 16-byte "
			  "ConnectionInfo)",
	       .ref = "TLFS 2.0 §14.9.3, §14.8.9"),
	SIMPLE(HVCALL_GET_PORT_PROPERTY, "HvGetPortProperty",
	       hc_get_port_property, sizeof(GPOP), get_port_property_in,
	       sizeof(struct hv_output_get_port_property), port_property_out,
	       HV_PARTITION_PRIV_CREATE_PORT,
	       .summary = "read PostCount or PreferredTargetVp of a port",
	       .ref = "TLFS 2.0 §14.9.4"),
	SIMPLE(HVCALL_DISCONNECT_PORT, "HvDisconnectPort", hc_disconnect_port,
	       sizeof(struct hv_input_disconnect_port), disconnect_port_in,
	       0, no_fields, HV_PARTITION_PRIV_CONNECT_PORT,
	       .summary = "delete a connection; queued messages stay",
	       .ref = "TLFS 2.0 §14.9.6"),
	SIMPLE(HVCALL_POST_MESSAGE, "HvPostMessage", hc_post_message,
	       sizeof(struct hv_input_post_message), post_message_in,
	       0, no_fields, HV_PARTITION_PRIV_POST_MESSAGES,
	       .summary = "send a message through a connection of the caller",
	       .ref = "TLFS 2.0 §14.9.7"),
	SIMPLE(HVCALL_SIGNAL_EVENT, "HvSignalEvent", hc_signal_event,
	       sizeof(struct hv_input_signal_event), signal_event_in,
	       0, no_fields, HV_PARTITION_PRIV_SIGNAL_EVENTS,
	       .summary = "set an event flag through a connection of the caller",
	       .ref = "TLFS 2.0 §14.9.8"),
	SIMPLE(HVCALL_SET_PORT_PROPERTY, "HvSetPortProperty",
	       hc_set_port_property, sizeof(SPOP), set_port_property_in,
	       sizeof(struct hv_output_set_port_property), port_property_out,
	       HV_PARTITION_PRIV_CREATE_PORT,
	       .summary = "write PreferredTargetVp of a port (out: the old "
			  "value)",
	       .ref = "TLFS 2.0 §14.9.5"),
	SIMPLE(HVCALL_CREATE_PORT, "HvCallCreatePort", hc_create_port,
	       sizeof(CPM), create_port_in, 0, no_fields,
	       HV_PARTITION_PRIV_CREATE_PORT,
	       .type_off = offsetof(CPM, port_info.port_type),
	       .summary = "create a port (modern 56-byte layout; VTL fields 0)",
	       .ref = "TLFS-md HvCallCreatePort"),
	SIMPLE(HVCALL_CONNECT_PORT, "HvCallConnectPort", hc_connect_port,
	       sizeof(CCM), connect_port_in, 0, no_fields,
	       HV_PARTITION_PRIV_CONNECT_PORT,
	       .type_off = offsetof(CCM, connection_info.port_type),
	       .summary = "connect to a port (modern 72-byte layout; VTL 0)",
	       .ref = "TLFS-md HvCallConnectPort"),

	/* The Linux root's wider surface (spec.md §10), surface.h. */
	SIMPLE(HVCALL_INSTALL_INTERCEPT, "HvInstallIntercept",
	       hc_install_intercept, sizeof(struct hv_input_install_intercept),
	       sf_install_intercept_in, 0, no_fields, 0,
	       .summary = "record an intercept (access mask, type, parameter) "
			  "of a child",
	       .ref = "TLFS 2.0 §13.7.1; Linux hvgdk_mini.h"),
	SIMPLE(HVCALL_TRANSLATE_VIRTUAL_ADDRESS, "HvTranslateVirtualAddress",
	       hc_translate_virtual_address,
	       sizeof(struct hv_input_translate_virtual_address),
	       sf_translate_in,
	       sizeof(struct hv_output_translate_virtual_address),
	       sf_translate_out, 0,
	       .summary = "walk a child VP's page tables: result code and GPA "
			  "page",
	       .ref = "TLFS 2.0 §11.3.1; Linux hvhdk.h"),
	SIMPLE(HVCALL_READ_GPA, "HvReadGpa", hc_read_gpa,
	       sizeof(struct hv_input_read_gpa), sf_read_gpa_in,
	       sizeof(struct hv_output_read_gpa), sf_read_gpa_out, 0,
	       .summary = "read up to 16 bytes of a child's GPA space",
	       .ref = "Linux hvhdk.h; rust-vmm gpa_read"),
	SIMPLE(HVCALL_WRITE_GPA, "HvWriteGpa", hc_write_gpa,
	       sizeof(struct hv_input_write_gpa), sf_write_gpa_in,
	       sizeof(struct hv_output_write_gpa), sf_write_gpa_out, 0,
	       .summary = "write up to 16 bytes of a child's GPA space",
	       .ref = "Linux hvhdk.h; rust-vmm gpa_write"),
	SIMPLE(HVCALL_CLEAR_VIRTUAL_INTERRUPT, "HvClearVirtualInterrupt",
	       hc_clear_virtual_interrupt,
	       sizeof(struct hv_input_clear_virtual_interrupt), sf_clear_in,
	       0, no_fields, 0,
	       .summary = "drop a child's asserted level-triggered interrupts",
	       .ref = "TLFS 2.0 §12.9; Linux mshv_root_hv_call.c"),
	SIMPLE(HVCALL_MAP_STATS_PAGE, "HvMapStatsPage", hc_map_stats_page,
	       sizeof(struct hv_input_map_stats_page), sf_stats_in,
	       sizeof(struct hv_output_map_stats_page), sf_map_location_out, 0,
	       .summary = "map a page of counters of a partition or VP (the "
			  "root)",
	       .ref = "TLFS 2.0 §16.3.1; Linux hvhdk_mini.h"),
	SIMPLE(HVCALL_UNMAP_STATS_PAGE, "HvUnmapStatsPage", hc_unmap_stats_page,
	       sizeof(struct hv_input_map_stats_page), sf_stats_in,
	       0, no_fields, 0,
	       .summary = "unmap a stats page; its page returns to the pool",
	       .ref = "TLFS 2.0 §16.3.2; Linux hvhdk_mini.h"),
	SIMPLE(HVCALL_GET_SYSTEM_PROPERTY, "HvGetSystemProperty",
	       hc_get_system_property,
	       sizeof(struct hv_input_get_system_property),
	       sf_system_property_in,
	       sizeof(struct hv_output_get_system_property), sf_u64_out, 0,
	       .summary = "a host property: the scheduler type (core)",
	       .ref = "TLFS-6.0b appendix; Linux hvhdk_mini.h"),
	SIMPLE(HVCALL_NOTIFY_PORT_RING_EMPTY, "HvNotifyPortRingEmpty",
	       hc_notify_port_ring_empty,
	       sizeof(struct hv_input_notify_port_ring_empty), sf_ring_empty_in,
	       0, no_fields, 0,
	       .summary = "the caller's VP emptied a SINT's ring",
	       .ref = "Linux hvhdk.h"),
	SIMPLE(HVCALL_REGISTER_INTERCEPT_RESULT, "HvRegisterInterceptResult",
	       hc_register_intercept_result, HV_REGISTER_INTERCEPT_RESULT_SIZE,
	       sf_intercept_result_in, 0, no_fields, 0,
	       .summary = "the values a child VP's CPUID returns for a leaf",
	       .ref = "Linux hvhdk.h"),
	SIMPLE(HVCALL_ASSERT_VIRTUAL_INTERRUPT, "HvCallAssertVirtualInterrupt",
	       hc_assert_virtual_interrupt,
	       sizeof(struct hv_input_assert_virtual_interrupt), sf_assert_in,
	       0, no_fields, 0,
	       .summary = "interrupt a child's VPs (fixed, lowest priority, "
			  "NMI, INIT, SIPI, ExtInt)",
	       .ref = "TLFS 2.0 §12.8; Linux hvhdk.h"),
	SIMPLE(HVCALL_SIGNAL_EVENT_DIRECT, "HvCallSignalEventDirect",
	       hc_signal_event_direct,
	       sizeof(struct hv_input_signal_event_direct), sf_signal_direct_in,
	       sizeof(struct hv_output_signal_event_direct),
	       sf_signal_direct_out, 0,
	       .summary = "set an event flag of a child VP's SINT, no port",
	       .ref = "Linux hvhdk.h; spec.md §8"),
	SIMPLE(HVCALL_POST_MESSAGE_DIRECT, "HvCallPostMessageDirect",
	       hc_post_message_direct,
	       sizeof(struct hv_input_post_message_direct), sf_post_direct_in,
	       0, no_fields, 0,
	       .summary = "put a message in a child VP's SINT slot, no port",
	       .ref = "Linux hvhdk.h; spec.md §8"),
	REP(HVCALL_GET_GPA_PAGES_ACCESS_STATES, "HvGetGpaPagesAccessStates",
	    hc_get_gpa_pages_access_states,
	    sizeof(struct hv_input_get_gpa_pages_access_state),
	    sf_access_states_in, 0, NULL, no_fields, 1, "AccessStates",
	    sf_access_state_elem, 0,
	    .summary = "accessed/dirty state of rep-count pages of a child, "
		       "then clear or set it",
	    .ref = "Linux hvhdk_mini.h"),
	SIMPLE(HVCALL_MAP_VP_STATE_PAGE, "HvMapVpStatePage",
	       hc_map_vp_state_page, sizeof(struct hv_input_map_vp_state_page),
	       sf_map_vp_state_in, sizeof(struct hv_output_map_vp_state_page),
	       sf_map_location_out, 0,
	       .summary = "share a child VP's register or intercept message "
			  "page with the root",
	       .ref = "Linux hvhdk.h"),
	SIMPLE(HVCALL_UNMAP_VP_STATE_PAGE, "HvUnmapVpStatePage",
	       hc_unmap_vp_state_page,
	       sizeof(struct hv_input_unmap_vp_state_page),
	       sf_unmap_vp_state_in, 0, no_fields, 0,
	       .summary = "stop sharing a VP state page; its page returns",
	       .ref = "Linux hvhdk.h"),
	SIMPLE(HVCALL_GET_VP_STATE, "HvGetVpState", hc_get_vp_state,
	       sizeof(struct hv_input_get_vp_state), sf_vp_state_in,
	       sizeof(struct hv_output_get_vp_state), sf_vp_state_out, 0,
	       .var_max = (HV_PAGE_SIZE - sizeof(struct hv_input_get_vp_state)) / 8,
	       .summary = "a child VP's LAPIC, XSAVE, SIM, SIEF or timer state "
			  "(into the pages the variable header lists)",
	       .ref = "Linux hvhdk.h; mshv-uapi A.8"),
	SIMPLE(HVCALL_SET_VP_STATE, "HvSetVpState", hc_set_vp_state,
	       sizeof(struct hv_input_set_vp_state), sf_vp_state_in,
	       0, no_fields, 0,
	       .var_max = (HV_PAGE_SIZE - sizeof(struct hv_input_set_vp_state)) / 8,
	       .summary = "set that state (from listed pages, or bytes in the "
			  "variable header)",
	       .ref = "Linux hvhdk.h; mshv-uapi A.8"),
	REP(HVCALL_GET_VP_CPUID_VALUES, "HvGetVpCpuidValues",
	    hc_get_vp_cpuid_values, sizeof(struct hv_input_get_vp_cpuid_values),
	    sf_cpuid_hdr, sizeof(struct hv_cpuid_leaf_info), "Leaves",
	    sf_cpuid_elem, sizeof(struct hv_output_get_vp_cpuid_values),
	    "Values", sf_cpuid_out_elem, 0,
	    .summary = "the CPUID values a child VP sees, Hyper-V leaves "
		       "included",
	    .ref = "Linux hvhdk.h; spec.md §11.3"),
	SIMPLE(HVCALL_GET_PARTITION_PROPERTY_EX, "HvCallGetPartitionPropertyEx",
	       hc_get_partition_property_ex,
	       sizeof(struct hv_input_get_partition_property_ex),
	       sf_property_ex_in,
	       sizeof(struct hv_output_get_partition_property_ex),
	       sf_property_ex_out, 0,
	       .summary = "a property too large for HvGetPartitionProperty "
			  "(VMM capabilities, assignable synthetic features)",
	       .ref = "Linux hvhdk.h"),
};

const struct call *ohv_call_entry(uint16_t code)
{
	if (code >= sizeof(calls) / sizeof(calls[0]) || !calls[code].handler)
		return NULL;
	return &calls[code];
}

const struct ohv_call_info *ohv_call_info(uint16_t code)
{
	const struct call *c = ohv_call_entry(code);

	return c ? &c->info : NULL;
}

size_t ohv_call_count(void)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		n += calls[i].handler != NULL;
	return n;
}

const struct ohv_call_info *ohv_call_at(size_t i)
{
	for (size_t k = 0; k < sizeof(calls) / sizeof(calls[0]); k++)
		if (calls[k].handler && i-- == 0)
			return &calls[k].info;
	return NULL;
}

/* TLFS calls openhv knows by name but does not implement. */
static const struct {
	uint16_t code;
	const char *name;
} other_names[] = {
	{ HVCALL_SWITCH_VIRTUAL_ADDRESS_SPACE, "HvSwitchVirtualAddressSpace" },
	{ HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, "HvFlushVirtualAddressSpace" },
	{ HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, "HvFlushVirtualAddressList" },
	{ HVCALL_GET_LOGICAL_PROCESSOR_RUN_TIME, "HvGetLogicalProcessorRunTime" },
	{ HVCALL_NOTIFY_LONG_SPIN_WAIT, "HvNotifyLongSpinWait" },
	{ HVCALL_INSTALL_INTERCEPT, "HvInstallIntercept" },
	{ HVCALL_TRANSLATE_VIRTUAL_ADDRESS, "HvTranslateVirtualAddress" },
	{ HVCALL_READ_GPA, "HvReadGpa" },
	{ HVCALL_WRITE_GPA, "HvWriteGpa" },
	{ HVCALL_ASSERT_VIRTUAL_INTERRUPT_CLASSIC, "HvAssertVirtualInterrupt" },
	{ HVCALL_CLEAR_VIRTUAL_INTERRUPT, "HvClearVirtualInterrupt" },
	{ HVCALL_SAVE_PARTITION_STATE, "HvSavePartitionState" },
	{ HVCALL_RESTORE_PARTITION_STATE, "HvRestorePartitionState" },
	{ HVCALL_MAP_STATS_PAGE, "HvMapStatsPage" },
	{ HVCALL_UNMAP_STATS_PAGE, "HvUnmapStatsPage" },
	{ HVCALL_MAP_SPARSE_GPA_PAGES, "HvMapSparseGpaPages" },
	{ HVCALL_ASSERT_VIRTUAL_INTERRUPT, "HvCallAssertVirtualInterrupt" },
	{ HVCALL_START_VIRTUAL_PROCESSOR, "HvCallStartVirtualProcessor" },
	{ HVCALL_SIGNAL_EVENT_DIRECT, "HvCallSignalEventDirect" },
	{ HVCALL_POST_MESSAGE_DIRECT, "HvCallPostMessageDirect" },
	{ HVCALL_DISPATCH_VP, "HvCallDispatchVp" },
	{ HVCALL_GET_PARTITION_PROPERTY_EX, "HvCallGetPartitionPropertyEx" },
	{ HVCALL_SET_PARTITION_PROPERTY_EX, "HvCallSetPartitionPropertyEx" },
};

const char *ohv_call_name(uint16_t code)
{
	const struct call *c = ohv_call_entry(code);

	if (c)
		return c->info.name;
	for (size_t i = 0; i < sizeof(other_names) / sizeof(other_names[0]); i++)
		if (other_names[i].code == code)
			return other_names[i].name;
	return NULL;
}
