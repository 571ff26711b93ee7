/*
 * The hypercall table (openhv/calls.h) against hv.h and the dispatcher:
 * every field list in offset order, without overlap or gap, covering its
 * block exactly for each architecture and port type; every block the size
 * of its hv.h struct; every value field at the offset of its hv.h member;
 * the dispatcher answering by the same sizes and knowing the same codes.
 */
#include <stddef.h>

#include "t.h"

#define MSIZE(T, m)	sizeof(((T *)0)->m)

/* ---------------------------------------------------------------------- */
/* Enumeration.                                                            */

TEST(calls_enumeration)
{
	size_t n = ohv_call_count();
	int prev = -1;

	CHECK_EQ(n, 47);
	for (size_t i = 0; i < n; i++) {
		const struct ohv_call_info *c = ohv_call_at(i);

		REQUIRE(c != NULL);
		CHECK_MSG((int)c->code > prev, "0x%04x out of order", c->code);
		prev = c->code;
		CHECK(ohv_call_info(c->code) == c);
		CHECK_MSG(ohv_call_name(c->code) && !strcmp(ohv_call_name(c->code),
							    c->name),
			  "0x%04x: %s", c->code, c->name);
		CHECK_MSG(c->summary && *c->summary && c->ref && *c->ref,
			  "%s: summary and ref", c->name);
		for (size_t k = 0; k < i; k++)
			CHECK_MSG(strcmp(ohv_call_at(k)->name, c->name),
				  "%s twice", c->name);
	}
	CHECK(ohv_call_at(n) == NULL);
	CHECK(ohv_call_at((size_t)-1) == NULL);
	/* Known TLFS names outside the set keep their names. */
	CHECK(ohv_call_info(HVCALL_START_VIRTUAL_PROCESSOR) == NULL);
	CHECK(!strcmp(ohv_call_name(HVCALL_START_VIRTUAL_PROCESSOR),
		      "HvCallStartVirtualProcessor"));
	CHECK(ohv_call_name(0x1234) == NULL);
}

/* Every code the table has the dispatcher knows, and no other. */
TEST(calls_table_is_the_dispatchers)
{
	struct ohv *hv = t_open(NULL);
	size_t found = 0;

	for (uint32_t code = 0; code <= 0xFFFF; code++) {
		struct ohv_hvcall call = {
			.control = ohv_control((uint16_t)code, true, 0, 0),
		};
		hv_status_t st = ohv_result_status(ohv_hypercall(hv, T_ROOT, 0,
								 &call));
		bool known = st != HV_STATUS_INVALID_HYPERCALL_CODE;

		CHECK_MSG(known == (ohv_call_info((uint16_t)code) != NULL),
			  "0x%04x: dispatcher %s, table %s", code,
			  ohv_status_name(st),
			  ohv_call_info((uint16_t)code) ? "has it" : "not");
		found += known;
	}
	CHECK_EQ(found, ohv_call_count());
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Layouts.                                                                */

/* Check that the fields of list f that port-type selector sel picks (0:
 * fields for every type only) lie in offset order and cover [0, size). */
static void covers(const char *call, const char *what, const struct ohv_field *f,
		   size_t size, unsigned sel)
{
	size_t at = 0;

	REQUIRE(f != NULL);
	for (const struct ohv_field *a = f; a->name; a++) {
		if (a->when && !(a->when & sel))
			continue;
		CHECK_MSG(a->off == at, "%s %s (types 0x%x): %s at %u, expected "
			  "%zu (%s)", call, what, sel, a->name, a->off, at,
			  a->off < at ? "overlap" : "gap");
		CHECK_MSG(a->size > 0, "%s %s: %s has no size", call, what,
			  a->name);
		CHECK_MSG(a->kind == OHV_FIELD_VALUE ||
			  a->kind == OHV_FIELD_RESERVED, "%s: %s kind %u", call,
			  a->name, a->kind);
		CHECK_MSG(a->fmt <= OHV_FMT_FLAG_COUNT, "%s: %s format %u",
			  call, a->name, a->fmt);
		at = (size_t)a->off + a->size;
		for (const struct ohv_field *b = f; b < a; b++)
			CHECK_MSG(strcmp(a->name, b->name) ||
				  (b->when && !(b->when & sel)),
				  "%s %s: %s twice", call, what, a->name);
	}
	CHECK_MSG(at == size, "%s %s (types 0x%x): fields end at %zu, the "
		  "block is %zu bytes", call, what, sel, at, size);
}

TEST(calls_layouts_cover_their_blocks)
{
	static const unsigned sels[] = {
		OHV_WHEN_OTHER, OHV_WHEN_MESSAGE, OHV_WHEN_EVENT,
		OHV_WHEN_MONITOR, OHV_WHEN_DOORBELL,
	};

	for (size_t i = 0; i < ohv_call_count(); i++) {
		const struct ohv_call_info *c = ohv_call_at(i);
		size_t nsel = c->type_off ? sizeof(sels) / sizeof(sels[0]) : 1;

		for (size_t k = 0; k < nsel; k++) {
			unsigned sel = c->type_off ? sels[k] : 0;

			covers(c->name, "x64 input", c->in[OHV_ARCH_X64],
			       c->in_size[OHV_ARCH_X64], sel);
			covers(c->name, "arm64 input", c->in[OHV_ARCH_ARM64],
			       c->in_size[OHV_ARCH_ARM64], sel);
		}
		covers(c->name, "output", c->out, c->out_size, 0);
		covers(c->name, "input element", c->in_elem_fields, c->in_elem, 0);
		covers(c->name, "output element", c->out_elem_fields,
		       c->out_elem, 0);
		/* A list has a name exactly when it has elements; only rep
		 * calls have lists, and rep calls no simple output. */
		CHECK_MSG(!c->in_list == !c->in_elem, "%s input list", c->name);
		CHECK_MSG(!c->out_list == !c->out_elem, "%s output list", c->name);
		if (c->rep)
			CHECK_MSG(c->out_size == 0, "%s: rep with output", c->name);
		else
			CHECK_MSG(!c->in_elem && !c->out_elem, "%s: simple with a "
				  "list", c->name);
		/* The port type selecting `when` fields is a field itself. */
		if (c->type_off) {
			const struct ohv_field *f = c->in[OHV_ARCH_X64];

			while (f->name && f->off != c->type_off)
				f++;
			CHECK_MSG(f->name && f->fmt == OHV_FMT_PORT_TYPE &&
				  f->size == 4, "%s: type_off %u", c->name,
				  c->type_off);
		}
		/* Fast-capable: the x64 register block holds the input
		 * (rounded to 16) and the output (one element). */
		size_t in = c->in_size[OHV_ARCH_X64] + c->in_elem;
		size_t out = c->rep ? c->out_elem : c->out_size;

		CHECK_MSG(c->fast == ((in + 15) / 16 * 16 + out <=
				      HV_X64_FAST_INPUT_BYTES), "%s fast",
			  c->name);
	}
}

/* The blocks by hv.h's structs: x64 and arm64 input (header), output,
 * input and output element. */
TEST(calls_sizes_are_hv_h_sizes)
{
	static const struct {
		uint16_t code;
		size_t in_x64, in_arm64, out, in_elem, out_elem;
	} want[] = {
#define S(c, in, out) { c, sizeof(in), sizeof(in), sizeof(out), 0, 0 }
		{ HVCALL_CREATE_PARTITION, sizeof(struct hv_input_create_partition),
		  sizeof(struct hv_input_create_partition_arm64),
		  sizeof(struct hv_output_create_partition), 0, 0 },
		{ HVCALL_INITIALIZE_PARTITION, 8, 8, 0, 0, 0 },
		{ HVCALL_FINALIZE_PARTITION, 8, 8, 0, 0, 0 },
		{ HVCALL_DELETE_PARTITION, 8, 8, 0, 0, 0 },
		S(HVCALL_GET_PARTITION_PROPERTY,
		  struct hv_input_get_partition_property,
		  struct hv_output_get_partition_property),
		{ HVCALL_SET_PARTITION_PROPERTY,
		  sizeof(struct hv_input_set_partition_property),
		  sizeof(struct hv_input_set_partition_property), 0, 0, 0 },
		{ HVCALL_GET_PARTITION_ID, 0, 0,
		  sizeof(struct hv_output_get_partition_id), 0, 0 },
		S(HVCALL_GET_NEXT_CHILD_PARTITION,
		  struct hv_input_get_next_child_partition,
		  struct hv_output_get_next_child_partition),
		{ HVCALL_DEPOSIT_MEMORY, sizeof(struct hv_input_deposit_memory),
		  sizeof(struct hv_input_deposit_memory), 0, 8, 0 },
		{ HVCALL_WITHDRAW_MEMORY, sizeof(struct hv_input_withdraw_memory),
		  sizeof(struct hv_input_withdraw_memory), 0, 0, 8 },
		S(HVCALL_GET_MEMORY_BALANCE, struct hv_input_get_memory_balance,
		  struct hv_output_get_memory_balance),
		{ HVCALL_MAP_GPA_PAGES, sizeof(struct hv_input_map_gpa_pages),
		  sizeof(struct hv_input_map_gpa_pages), 0, 8, 0 },
		{ HVCALL_UNMAP_GPA_PAGES, sizeof(struct hv_input_unmap_gpa_pages),
		  sizeof(struct hv_input_unmap_gpa_pages), 0, 0, 0 },
		{ HVCALL_CREATE_VP, sizeof(struct hv_input_create_vp),
		  sizeof(struct hv_input_create_vp), 0, 0, 0 },
		{ HVCALL_DELETE_VP, sizeof(struct hv_input_delete_vp),
		  sizeof(struct hv_input_delete_vp), 0, 0, 0 },
		{ HVCALL_GET_VP_REGISTERS, sizeof(struct hv_input_get_vp_registers),
		  sizeof(struct hv_input_get_vp_registers), 0,
		  MSIZE(struct hv_input_get_vp_registers, names[0]),
		  sizeof(union hv_register_value) },
		{ HVCALL_SET_VP_REGISTERS, sizeof(struct hv_input_set_vp_registers),
		  sizeof(struct hv_input_set_vp_registers), 0,
		  sizeof(struct hv_register_assoc), 0 },
		{ HVCALL_CREATE_PORT_CLASSIC,
		  sizeof(struct hv_input_create_port_classic),
		  sizeof(struct hv_input_create_port_classic), 0, 0, 0 },
		{ HVCALL_DELETE_PORT, sizeof(struct hv_input_delete_port),
		  sizeof(struct hv_input_delete_port), 0, 0, 0 },
		{ HVCALL_CONNECT_PORT_CLASSIC,
		  sizeof(struct hv_input_connect_port_classic),
		  sizeof(struct hv_input_connect_port_classic), 0, 0, 0 },
		S(HVCALL_GET_PORT_PROPERTY, struct hv_input_get_port_property,
		  struct hv_output_get_port_property),
		{ HVCALL_DISCONNECT_PORT, sizeof(struct hv_input_disconnect_port),
		  sizeof(struct hv_input_disconnect_port), 0, 0, 0 },
		{ HVCALL_POST_MESSAGE, sizeof(struct hv_input_post_message),
		  sizeof(struct hv_input_post_message), 0, 0, 0 },
		{ HVCALL_SIGNAL_EVENT, sizeof(struct hv_input_signal_event),
		  sizeof(struct hv_input_signal_event), 0, 0, 0 },
		S(HVCALL_SET_PORT_PROPERTY, struct hv_input_set_port_property,
		  struct hv_output_set_port_property),
		{ HVCALL_CREATE_PORT, sizeof(struct hv_input_create_port),
		  sizeof(struct hv_input_create_port), 0, 0, 0 },
		{ HVCALL_CONNECT_PORT, sizeof(struct hv_input_connect_port),
		  sizeof(struct hv_input_connect_port), 0, 0, 0 },
		/* SPEC 10 */
		{ HVCALL_INSTALL_INTERCEPT,
		  sizeof(struct hv_input_install_intercept),
		  sizeof(struct hv_input_install_intercept), 0, 0, 0 },
		S(HVCALL_TRANSLATE_VIRTUAL_ADDRESS,
		  struct hv_input_translate_virtual_address,
		  struct hv_output_translate_virtual_address),
		S(HVCALL_READ_GPA, struct hv_input_read_gpa,
		  struct hv_output_read_gpa),
		S(HVCALL_WRITE_GPA, struct hv_input_write_gpa,
		  struct hv_output_write_gpa),
		{ HVCALL_CLEAR_VIRTUAL_INTERRUPT, 8, 8, 0, 0, 0 },
		S(HVCALL_MAP_STATS_PAGE, struct hv_input_map_stats_page,
		  struct hv_output_map_stats_page),
		{ HVCALL_UNMAP_STATS_PAGE, 24, 24, 0, 0, 0 },
		S(HVCALL_GET_SYSTEM_PROPERTY, struct hv_input_get_system_property,
		  struct hv_output_get_system_property),
		{ HVCALL_NOTIFY_PORT_RING_EMPTY, 8, 8, 0, 0, 0 },
		{ HVCALL_REGISTER_INTERCEPT_RESULT,
		  offsetof(struct hv_input_register_intercept_result, padding),
		  offsetof(struct hv_input_register_intercept_result, padding),
		  0, 0, 0 },
		{ HVCALL_ASSERT_VIRTUAL_INTERRUPT,
		  sizeof(struct hv_input_assert_virtual_interrupt),
		  sizeof(struct hv_input_assert_virtual_interrupt), 0, 0, 0 },
		S(HVCALL_SIGNAL_EVENT_DIRECT, struct hv_input_signal_event_direct,
		  struct hv_output_signal_event_direct),
		{ HVCALL_POST_MESSAGE_DIRECT,
		  sizeof(struct hv_input_post_message_direct),
		  sizeof(struct hv_input_post_message_direct), 0, 0, 0 },
		{ HVCALL_GET_GPA_PAGES_ACCESS_STATES,
		  sizeof(struct hv_input_get_gpa_pages_access_state),
		  sizeof(struct hv_input_get_gpa_pages_access_state), 0, 0, 1 },
		S(HVCALL_MAP_VP_STATE_PAGE, struct hv_input_map_vp_state_page,
		  struct hv_output_map_vp_state_page),
		{ HVCALL_UNMAP_VP_STATE_PAGE,
		  sizeof(struct hv_input_unmap_vp_state_page),
		  sizeof(struct hv_input_unmap_vp_state_page), 0, 0, 0 },
		S(HVCALL_GET_VP_STATE, struct hv_input_get_vp_state,
		  struct hv_output_get_vp_state),
		{ HVCALL_SET_VP_STATE, sizeof(struct hv_input_set_vp_state),
		  sizeof(struct hv_input_set_vp_state), 0, 0, 0 },
		{ HVCALL_GET_VP_CPUID_VALUES,
		  sizeof(struct hv_input_get_vp_cpuid_values),
		  sizeof(struct hv_input_get_vp_cpuid_values), 0,
		  sizeof(struct hv_cpuid_leaf_info),
		  sizeof(struct hv_output_get_vp_cpuid_values) },
		S(HVCALL_GET_PARTITION_PROPERTY_EX,
		  struct hv_input_get_partition_property_ex,
		  struct hv_output_get_partition_property_ex),
#undef S
	};

	CHECK_EQ(sizeof(want) / sizeof(want[0]), ohv_call_count());
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct ohv_call_info *c = ohv_call_info(want[i].code);

		CHECK_MSG(c != NULL, "0x%04x missing", want[i].code);
		if (!c)
			continue;
		CHECK_MSG(c->in_size[OHV_ARCH_X64] == want[i].in_x64 &&
			  c->in_size[OHV_ARCH_ARM64] == want[i].in_arm64 &&
			  c->out_size == want[i].out &&
			  c->in_elem == want[i].in_elem &&
			  c->out_elem == want[i].out_elem,
			  "%s: %u/%u %u %u %u", c->name,
			  c->in_size[OHV_ARCH_X64], c->in_size[OHV_ARCH_ARM64],
			  c->out_size, c->in_elem, c->out_elem);
		CHECK_MSG(c->rep == (want[i].in_elem || want[i].out_elem ||
				     want[i].code == HVCALL_UNMAP_GPA_PAGES),
			  "%s: rep %u", c->name, c->rep);
	}
}

/* Each value field by name at the offset and size of its hv.h member. */
TEST(calls_fields_are_hv_h_members)
{
	static const struct {
		uint16_t code;
		uint8_t arch;
		const char *name;
		size_t off, size;
	} want[] = {
#define X(c, T, m, n) { c, OHV_ARCH_X64, n, offsetof(T, m), MSIZE(T, m) }
#define A(c, T, m, n) { c, OHV_ARCH_ARM64, n, offsetof(T, m), MSIZE(T, m) }
#define CP struct hv_input_create_partition
#define CPA struct hv_input_create_partition_arm64
		X(HVCALL_CREATE_PARTITION, CP, flags, "Flags"),
		X(HVCALL_CREATE_PARTITION, CP, proximity_domain_info,
		  "ProximityDomainInfo"),
		X(HVCALL_CREATE_PARTITION, CP, compatibility_version,
		  "CompatibilityVersion"),
		X(HVCALL_CREATE_PARTITION, CP, disabled_processor_features[1],
		  "DisabledProcessorFeatures[1]"),
		X(HVCALL_CREATE_PARTITION, CP, disabled_processor_xsave_features,
		  "DisabledXsaveFeatures"),
		X(HVCALL_CREATE_PARTITION, CP, isolation_properties,
		  "IsolationProperties"),
		A(HVCALL_CREATE_PARTITION, CPA, isolation_properties,
		  "IsolationProperties"),
		A(HVCALL_CREATE_PARTITION, CPA, disabled_processor_features[0],
		  "DisabledProcessorFeatures[0]"),
		X(HVCALL_SET_PARTITION_PROPERTY,
		  struct hv_input_set_partition_property, property_code,
		  "PropertyCode"),
		X(HVCALL_SET_PARTITION_PROPERTY,
		  struct hv_input_set_partition_property, property_value,
		  "PropertyValue"),
		X(HVCALL_GET_NEXT_CHILD_PARTITION,
		  struct hv_input_get_next_child_partition, previous_child_id,
		  "PreviousChildId"),
		X(HVCALL_WITHDRAW_MEMORY, struct hv_input_withdraw_memory,
		  proximity_domain_info, "ProximityDomainInfo"),
		X(HVCALL_MAP_GPA_PAGES, struct hv_input_map_gpa_pages,
		  target_gpa_base, "TargetGpaBase"),
		X(HVCALL_MAP_GPA_PAGES, struct hv_input_map_gpa_pages, map_flags,
		  "MapFlags"),
		X(HVCALL_UNMAP_GPA_PAGES, struct hv_input_unmap_gpa_pages,
		  unmap_flags, "UnmapFlags"),
		X(HVCALL_CREATE_VP, struct hv_input_create_vp, vp_index,
		  "VpIndex"),
		X(HVCALL_CREATE_VP, struct hv_input_create_vp, subnode_type,
		  "SubnodeType"),
		X(HVCALL_CREATE_VP, struct hv_input_create_vp, subnode_id,
		  "SubnodeId"),
		X(HVCALL_CREATE_VP, struct hv_input_create_vp,
		  proximity_domain_info, "ProximityDomainInfo"),
		X(HVCALL_CREATE_VP, struct hv_input_create_vp, flags, "Flags"),
		X(HVCALL_DELETE_VP, struct hv_input_delete_vp, vp_index,
		  "VpIndex"),
		X(HVCALL_GET_VP_REGISTERS, struct hv_input_get_vp_registers,
		  input_vtl, "InputVtl"),
		X(HVCALL_SET_VP_REGISTERS, struct hv_input_set_vp_registers,
		  input_vtl, "InputVtl"),
		X(HVCALL_CREATE_PORT_CLASSIC, struct hv_input_create_port_classic,
		  connection_partition_id, "ConnectionPartition"),
		X(HVCALL_CREATE_PORT_CLASSIC, struct hv_input_create_port_classic,
		  port_info.port_type, "PortInfo.PortType"),
		X(HVCALL_CREATE_PORT, struct hv_input_create_port, port_vtl,
		  "PortVtl"),
		X(HVCALL_CREATE_PORT, struct hv_input_create_port,
		  min_connection_vtl, "MinConnectionVtl"),
		X(HVCALL_CREATE_PORT, struct hv_input_create_port,
		  port_info.message_port_info.target_sint, "PortInfo.TargetSint"),
		X(HVCALL_CREATE_PORT, struct hv_input_create_port,
		  port_info.message_port_info.target_vp, "PortInfo.TargetVp"),
		X(HVCALL_CREATE_PORT, struct hv_input_create_port,
		  port_info.event_port_info.base_flag_number,
		  "PortInfo.BaseFlagNumber"),
		X(HVCALL_CREATE_PORT, struct hv_input_create_port,
		  port_info.event_port_info.flag_count, "PortInfo.FlagCount"),
		X(HVCALL_CREATE_PORT, struct hv_input_create_port,
		  port_info.monitor_port_info.monitor_address,
		  "PortInfo.MonitorAddress"),
		X(HVCALL_CREATE_PORT, struct hv_input_create_port,
		  proximity_domain_info, "ProximityDomainInfo"),
		X(HVCALL_DELETE_PORT, struct hv_input_delete_port, port_id,
		  "PortId"),
		X(HVCALL_CONNECT_PORT_CLASSIC,
		  struct hv_input_connect_port_classic, port_id, "PortId"),
		X(HVCALL_CONNECT_PORT_CLASSIC,
		  struct hv_input_connect_port_classic, connection_info.port_type,
		  "ConnectionInfo.PortType"),
		X(HVCALL_CONNECT_PORT_CLASSIC,
		  struct hv_input_connect_port_classic,
		  connection_info.monitor_address, "ConnectionInfo.MonitorAddress"),
		X(HVCALL_CONNECT_PORT, struct hv_input_connect_port,
		  connection_vtl, "ConnectionVtl"),
		X(HVCALL_CONNECT_PORT, struct hv_input_connect_port,
		  connection_info.doorbell_connection_info.gpa,
		  "ConnectionInfo.Gpa"),
		X(HVCALL_CONNECT_PORT, struct hv_input_connect_port,
		  connection_info.doorbell_connection_info.trigger_value,
		  "ConnectionInfo.TriggerValue"),
		X(HVCALL_CONNECT_PORT, struct hv_input_connect_port,
		  connection_info.doorbell_connection_info.flags,
		  "ConnectionInfo.Flags"),
		X(HVCALL_CONNECT_PORT, struct hv_input_connect_port,
		  proximity_domain_info, "ProximityDomainInfo"),
		X(HVCALL_GET_PORT_PROPERTY, struct hv_input_get_port_property,
		  property_code, "PropertyCode"),
		X(HVCALL_SET_PORT_PROPERTY, struct hv_input_set_port_property,
		  property_value, "PropertyValue"),
		X(HVCALL_DISCONNECT_PORT, struct hv_input_disconnect_port,
		  connection_id, "ConnectionId"),
		X(HVCALL_POST_MESSAGE, struct hv_input_post_message,
		  message_type, "MessageType"),
		X(HVCALL_POST_MESSAGE, struct hv_input_post_message,
		  payload_size, "PayloadSize"),
		X(HVCALL_POST_MESSAGE, struct hv_input_post_message, payload,
		  "Payload"),
		X(HVCALL_SIGNAL_EVENT, struct hv_input_signal_event, flag_number,
		  "FlagNumber"),
#undef CP
#undef CPA
#undef X
#undef A
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct ohv_call_info *c = ohv_call_info(want[i].code);
		const struct ohv_field *f;

		REQUIRE(c != NULL);
		for (f = c->in[want[i].arch]; f->name; f++)
			if (!strcmp(f->name, want[i].name) &&
			    f->kind == OHV_FIELD_VALUE && f->off == want[i].off)
				break;
		CHECK_MSG(f->name && f->size == want[i].size, "%s %s: want @%zu "
			  "size %zu", c->name, want[i].name, want[i].off,
			  want[i].size);
	}
	/* The register element and the message payload, whole. */
	const struct ohv_call_info *set = ohv_call_info(HVCALL_SET_VP_REGISTERS);

	CHECK_EQ(set->in_elem_fields[3].off,
		 offsetof(struct hv_register_assoc, value));
	CHECK_EQ(set->in_elem_fields[3].size, sizeof(union hv_register_value));
	CHECK_EQ(ohv_call_info(HVCALL_POST_MESSAGE)->in[0][4].size,
		 HV_MESSAGE_PAYLOAD_BYTE_COUNT);
}

/* ---------------------------------------------------------------------- */
/* The dispatcher checks the table's sizes.                                */

#define IN_PAGE		2ull	/* blocks end at the end of these pages */
#define OUT_PAGE	3ull

/* A memory-based call of c with its blocks ending at+8 bytes past the end
 * of their pages (at 0: they fit exactly); the status. */
static hv_status_t ending_at(struct ohv *hv, const struct ohv_call_info *c,
			     enum ohv_arch arch, size_t in_over, size_t out_over)
{
	/* Two elements keep a list of 4-byte names 8-byte aligned; blocks
	 * of other sizes start 8-byte aligned, padded (TLFS 2.0 §4.1). */
	uint32_t reps = c->rep ? 2 : 0;
	size_t in_len = (c->in_size[arch] + (size_t)reps * c->in_elem + 7) & ~(size_t)7;
	size_t out_len = ((c->rep ? (size_t)reps * c->out_elem : c->out_size) + 7) &
			 ~(size_t)7;
	struct ohv_hvcall call = {
		.control = ohv_control(c->code, false, reps, 0),
	};

	memset(ohv_gpa(hv, T_ROOT, IN_PAGE << HV_PAGE_SHIFT, HV_PAGE_SIZE), 0,
	       HV_PAGE_SIZE);
	call.fast[0] = ((IN_PAGE + 1) << HV_PAGE_SHIFT) - in_len + in_over;
	call.fast[1] = ((OUT_PAGE + 1) << HV_PAGE_SHIFT) - out_len + out_over;
	return ohv_result_status(t_call(hv, T_ROOT, 0, &call));
}

TEST(calls_dispatcher_checks_table_sizes)
{
	for (int arch = OHV_ARCH_X64; arch <= OHV_ARCH_ARM64; arch++) {
		struct ohv_config cfg;

		t_config(&cfg);
		cfg.arch = (enum ohv_arch)arch;
		struct ohv *hv = t_open(&cfg);

		for (size_t i = 0; i < ohv_call_count(); i++) {
			const struct ohv_call_info *c = ohv_call_at(i);
			/* (An 8-byte block 8 bytes on is in the next page.) */
			bool has_in = c->in_size[arch] + 2 * c->in_elem > 8;
			bool has_out = c->out_size + 2 * c->out_elem > 8;
			hv_status_t st = ending_at(hv, c, (enum ohv_arch)arch, 0, 0);

			CHECK_MSG(st != HV_STATUS_INVALID_ALIGNMENT,
				  "%s (arch %d): blocks of the table's sizes "
				  "refused", c->name, arch);
			/* Eight bytes more would cross the page. */
			if (has_in)
				CHECK_MSG(ending_at(hv, c, (enum ohv_arch)arch,
						    8, 0) ==
					  HV_STATUS_INVALID_ALIGNMENT,
					  "%s (arch %d): input past the page",
					  c->name, arch);
			if (has_out)
				CHECK_MSG(ending_at(hv, c, (enum ohv_arch)arch,
						    0, 8) ==
					  HV_STATUS_INVALID_ALIGNMENT,
					  "%s (arch %d): output past the page",
					  c->name, arch);
		}
		t_close(hv);
	}
}

/* The fast form: accepted exactly when the table says it fits (x64). */
TEST(calls_fast_form_as_the_table_says)
{
	struct ohv *hv = t_open(NULL);

	for (size_t i = 0; i < ohv_call_count(); i++) {
		const struct ohv_call_info *c = ohv_call_at(i);
		struct ohv_hvcall call = {
			.control = ohv_control(c->code, true, c->rep, 0),
		};
		hv_status_t st = ohv_result_status(t_call(hv, T_ROOT, 0, &call));

		CHECK_MSG((st != HV_STATUS_INVALID_HYPERCALL_INPUT) == c->fast,
			  "%s fast: %s, table fast %u", c->name,
			  ohv_status_name(st), c->fast);
	}
	t_close(hv);
}
