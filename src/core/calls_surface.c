/* SPDX-License-Identifier: MIT */
/*
 * Field lists of the calls of spec.md §10 for the call table (calls.c), from
 * hv.h's structs with offsetof and sizeof as there.  Layouts: Linux
 * include/hyperv/hvhdk.h, hvhdk_mini.h, hvgdk_mini.h.
 */
#include "calls_surface.h"

#include <stddef.h>

#define MSIZE(T, m)	sizeof(((T *)0)->m)
#define F(T, m, name, fmt) \
	{ name, offsetof(T, m), MSIZE(T, m), OHV_FMT_##fmt, OHV_FIELD_VALUE, 0 }
#define R(T, m, name) \
	{ name, offsetof(T, m), MSIZE(T, m), OHV_FMT_HEX, OHV_FIELD_RESERVED, 0 }
/* A field of size bytes at off (members without a name of their own). */
#define FO(off, size, name, fmt) \
	{ name, off, size, OHV_FMT_##fmt, OHV_FIELD_VALUE, 0 }
#define E(T, name, fmt)	{ name, 0, sizeof(T), OHV_FMT_##fmt, OHV_FIELD_VALUE, 0 }
#define END		{ NULL, 0, 0, 0, 0, 0 }

#define GSP	struct hv_input_get_system_property
const struct ohv_field sf_system_property_in[] = {
	F(GSP, property_id, "PropertyId", DEC),
	F(GSP, argument, "Argument", HEX),
	END,
};

const struct ohv_field sf_u64_out[] = {
	FO(0, 8, "Value", HEX),
	END,
};

const struct ohv_field sf_write_gpa_out[] = {
	F(struct hv_output_write_gpa, access_result, "AccessResult", HEX),
	END,
};

#define GPX	struct hv_input_get_partition_property_ex
const struct ohv_field sf_property_ex_in[] = {
	F(GPX, partition_id, "PartitionId", PARTITION_ID),
	F(GPX, property_code, "PropertyCode", PROPERTY_CODE),
	R(GPX, padding, "Padding"),
	F(GPX, arg, "Arg", HEX),
	END,
};

const struct ohv_field sf_property_ex_out[] = {
	FO(0, 8, "PropertyValue", HEX),
	FO(8, HV_PARTITION_PROPERTY_EX_MAX_VAR_SIZE - 8, "PropertyValue.Rest",
	   HEX),
	END,
};

const struct ohv_field sf_ring_empty_in[] = {
	F(struct hv_input_notify_port_ring_empty, sint_index, "SintIndex", SINT),
	R(struct hv_input_notify_port_ring_empty, padding, "Padding"),
	END,
};

#define MVS	struct hv_input_map_vp_state_page
const struct ohv_field sf_map_vp_state_in[] = {
	F(MVS, partition_id, "PartitionId", CHILD_ID),
	F(MVS, vp_index, "VpIndex", VP_INDEX),
	F(MVS, type, "Type", DEC),
	F(MVS, input_vtl, "InputVtl", INPUT_VTL),
	F(MVS, flags, "Flags", HEX),
	F(MVS, requested_map_location, "RequestedMapLocation", GPA_PAGE),
	END,
};

const struct ohv_field sf_map_location_out[] = {
	F(struct hv_output_map_vp_state_page, map_location, "MapLocation",
	  GPA_PAGE),
	END,
};

#define UVS	struct hv_input_unmap_vp_state_page
const struct ohv_field sf_unmap_vp_state_in[] = {
	F(UVS, partition_id, "PartitionId", CHILD_ID),
	F(UVS, vp_index, "VpIndex", VP_INDEX),
	F(UVS, type, "Type", DEC),
	F(UVS, input_vtl, "InputVtl", INPUT_VTL),
	R(UVS, reserved0, "Reserved0"),
	END,
};

#define GVS	struct hv_input_get_vp_state
const struct ohv_field sf_vp_state_in[] = {
	F(GVS, partition_id, "PartitionId", CHILD_ID),
	F(GVS, vp_index, "VpIndex", VP_INDEX),
	F(GVS, input_vtl, "InputVtl", INPUT_VTL),
	R(GVS, rsvd0, "Rsvd0"),
	R(GVS, rsvd1, "Rsvd1"),
	F(GVS, state_data.type, "StateData.Type", DEC),
	R(GVS, state_data.rsvd, "StateData.Rsvd"),
	F(GVS, state_data.xsave_flags, "StateData.XsaveFlags", HEX),
	F(GVS, state_data.xsave_states, "StateData.XsaveStates", HEX),
	END,
};

const struct ohv_field sf_vp_state_out[] = {
	FO(0, sizeof(struct hv_output_get_vp_state), "SyntheticTimersState",
	   HEX),
	END,
};

#define AVI	struct hv_input_assert_virtual_interrupt
const struct ohv_field sf_assert_in[] = {
	F(AVI, partition_id, "PartitionId", CHILD_ID),
	F(AVI, control, "Control", HEX),
	F(AVI, dest_addr, "DestinationAddress", HEX),
	F(AVI, vector, "Vector", HEX),
	F(AVI, target_vtl, "TargetVtl", VTL),
	R(AVI, rsvd_z0, "RsvdZ0"),
	R(AVI, rsvd_z1, "RsvdZ1"),
	END,
};

const struct ohv_field sf_clear_in[] = {
	F(struct hv_input_clear_virtual_interrupt, partition_id, "PartitionId",
	  CHILD_ID),
	END,
};

#define IIN	struct hv_input_install_intercept
const struct ohv_field sf_install_intercept_in[] = {
	F(IIN, partition_id, "PartitionId", CHILD_ID),
	F(IIN, access_type, "AccessType", HEX),
	F(IIN, intercept_type, "InterceptType", DEC),
	F(IIN, intercept_parameter, "InterceptParameter", HEX),
	END,
};

#define RIR	struct hv_input_register_intercept_result
const struct ohv_field sf_intercept_result_in[] = {
	F(RIR, partition_id, "PartitionId", CHILD_ID),
	F(RIR, vp_index, "VpIndex", VP_INDEX),
	F(RIR, intercept_type, "InterceptType", DEC),
	F(RIR, input_eax, "Parameters.Input.Eax", HEX),
	F(RIR, input_ecx, "Parameters.Input.Ecx", HEX),
	F(RIR, subleaf_specific, "Parameters.Input.SubleafSpecific", DEC),
	F(RIR, always_override, "Parameters.Input.AlwaysOverride", DEC),
	R(RIR, input_padding, "Parameters.Input.Padding"),
	F(RIR, eax, "Parameters.Result.Eax", HEX),
	F(RIR, eax_mask, "Parameters.Result.EaxMask", HEX),
	F(RIR, ebx, "Parameters.Result.Ebx", HEX),
	F(RIR, ebx_mask, "Parameters.Result.EbxMask", HEX),
	F(RIR, ecx, "Parameters.Result.Ecx", HEX),
	F(RIR, ecx_mask, "Parameters.Result.EcxMask", HEX),
	F(RIR, edx, "Parameters.Result.Edx", HEX),
	F(RIR, edx_mask, "Parameters.Result.EdxMask", HEX),
	END,
};

#define GCV	struct hv_input_get_vp_cpuid_values
const struct ohv_field sf_cpuid_hdr[] = {
	F(GCV, partition_id, "PartitionId", CHILD_ID),
	F(GCV, vp_index, "VpIndex", VP_INDEX),
	F(GCV, flags, "Flags", HEX),
	R(GCV, reserved, "Reserved"),
	R(GCV, padding, "Padding"),
	END,
};

#define CLI	struct hv_cpuid_leaf_info
const struct ohv_field sf_cpuid_elem[] = {
	F(CLI, eax, "Eax", HEX),
	F(CLI, ecx, "Ecx", HEX),
	F(CLI, xfem, "Xfem", HEX),
	F(CLI, xss, "Xss", HEX),
	END,
};

#define CVO	struct hv_output_get_vp_cpuid_values
const struct ohv_field sf_cpuid_out_elem[] = {
	F(CVO, eax, "Eax", HEX),
	F(CVO, ebx, "Ebx", HEX),
	F(CVO, ecx, "Ecx", HEX),
	F(CVO, edx, "Edx", HEX),
	END,
};

#define RGP	struct hv_input_read_gpa
const struct ohv_field sf_read_gpa_in[] = {
	F(RGP, partition_id, "PartitionId", CHILD_ID),
	F(RGP, vp_index, "VpIndex", VP_INDEX),
	F(RGP, byte_count, "ByteCount", DEC),
	F(RGP, base_gpa, "BaseGpa", HEX),
	F(RGP, control_flags, "ControlFlags", HEX),
	END,
};

const struct ohv_field sf_read_gpa_out[] = {
	F(struct hv_output_read_gpa, access_result, "AccessResult", HEX),
	F(struct hv_output_read_gpa, data, "Data", PAYLOAD),
	END,
};

#define WGP	struct hv_input_write_gpa
const struct ohv_field sf_write_gpa_in[] = {
	F(WGP, partition_id, "PartitionId", CHILD_ID),
	F(WGP, vp_index, "VpIndex", VP_INDEX),
	F(WGP, byte_count, "ByteCount", DEC),
	F(WGP, base_gpa, "BaseGpa", HEX),
	F(WGP, control_flags, "ControlFlags", HEX),
	F(WGP, data, "Data", PAYLOAD),
	END,
};

#define TVA	struct hv_input_translate_virtual_address
const struct ohv_field sf_translate_in[] = {
	F(TVA, partition_id, "PartitionId", CHILD_ID),
	F(TVA, vp_index, "VpIndex", VP_INDEX),
	R(TVA, padding, "Padding"),
	F(TVA, control_flags, "ControlFlags", HEX),
	F(TVA, gva_page, "GvaPage", HEX),
	END,
};

const struct ohv_field sf_translate_out[] = {
	F(struct hv_output_translate_virtual_address, translation_result,
	  "TranslationResult", HEX),
	F(struct hv_output_translate_virtual_address, gpa_page, "GpaPage",
	  GPA_PAGE),
	END,
};

#define SED	struct hv_input_signal_event_direct
const struct ohv_field sf_signal_direct_in[] = {
	F(SED, target_partition, "TargetPartition", CHILD_ID),
	F(SED, target_vp, "TargetVp", VP_INDEX),
	F(SED, target_vtl, "TargetVtl", VTL),
	F(SED, target_sint, "TargetSint", SINT),
	F(SED, flag_number, "FlagNumber", FLAG_NUMBER),
	END,
};

const struct ohv_field sf_signal_direct_out[] = {
	F(struct hv_output_signal_event_direct, newly_signaled,
	  "NewlySignaled", DEC),
	R(struct hv_output_signal_event_direct, reserved, "Reserved"),
	END,
};

#define PMD	struct hv_input_post_message_direct
const struct ohv_field sf_post_direct_in[] = {
	F(PMD, partition_id, "PartitionId", CHILD_ID),
	F(PMD, vp_index, "VpIndex", VP_INDEX),
	F(PMD, vtl, "Vtl", VTL),
	R(PMD, padding, "Padding"),
	F(PMD, sint_index, "SintIndex", SINT),
	FO(offsetof(PMD, message), 4, "Message.MessageType", MESSAGE_TYPE),
	FO(offsetof(PMD, message) + 4, 1, "Message.PayloadSize", PAYLOAD_SIZE),
	FO(offsetof(PMD, message) + 5, 1, "Message.MessageFlags", HEX),
	FO(offsetof(PMD, message) + 6, 2, "Message.Reserved", HEX),
	FO(offsetof(PMD, message) + 8, 8, "Message.Sender", HEX),
	FO(offsetof(PMD, message) + 16, HV_MESSAGE_PAYLOAD_BYTE_COUNT,
	   "Message.Payload", PAYLOAD),
	R(PMD, padding2, "Padding2"),
	END,
};

#define GAS	struct hv_input_get_gpa_pages_access_state
const struct ohv_field sf_access_states_in[] = {
	F(GAS, partition_id, "PartitionId", CHILD_ID),
	F(GAS, flags, "Flags", HEX),
	F(GAS, hv_gpa_page_number, "GpaPageNumber", GPA_PAGE),
	END,
};

const struct ohv_field sf_access_state_elem[] = {
	E(uint8_t, "AccessState", HEX),
	END,
};

#define MSP	struct hv_input_map_stats_page
const struct ohv_field sf_stats_in[] = {
	F(MSP, type, "Type", HEX),
	R(MSP, padding, "Padding"),
	F(MSP, partition_id, "Identity.PartitionId", PARTITION_ID),
	F(MSP, vp_index, "Identity.VpIndex", VP_INDEX),
	F(MSP, flags, "Identity.Flags", HEX),
	R(MSP, reserved, "Identity.Reserved"),
	F(MSP, stats_area_type, "Identity.StatsAreaType", DEC),
	END,
};
