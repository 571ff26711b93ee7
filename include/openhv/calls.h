/*
 * openhv's hypercall table, read-only: for every call openhv implements,
 * its code and TLFS name, its class, its input and output blocks field by
 * field, the privilege it needs, and where the TLFS (or a seed) defines
 * it.  The dispatcher runs its generic checks from this table, and tools
 * (`openhv decode`, `openhv help CALL`, traces) show blocks from it.
 *
 * ABI: callers only read through the pointers returned here, so fields
 * may be appended to these structures and values to the enums in later
 * versions without breaking them.  Everything is static and constant:
 * no function here takes an instance or a lock.
 */
#ifndef OPENHV_CALLS_H
#define OPENHV_CALLS_H

#include <stddef.h>
#include <stdint.h>

#include <openhv/openhv.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a field holds: how a tool shows it and which rules apply to it. */
enum ohv_field_fmt {
	OHV_FMT_HEX,			/* a number, shown in hex              */
	OHV_FMT_DEC,			/* a count, shown in decimal           */
	OHV_FMT_PARTITION_ID,		/* a partition, SELF allowed           */
	OHV_FMT_CHILD_ID,		/* a partition that must be a child    */
	OHV_FMT_CHILD_CURSOR,		/* a child, or 0 (none): the walk      */
	OHV_FMT_CREATION_FLAGS,		/* HV_PARTITION_CREATION_FLAG_*        */
	OHV_FMT_PROXIMITY,		/* HV_PROXIMITY_DOMAIN_INFO            */
	OHV_FMT_COMPAT_VERSION,		/* HV_COMPATIBILITY_VERSION            */
	OHV_FMT_PROPERTY_CODE,		/* HV_PARTITION_PROPERTY_*             */
	OHV_FMT_PRIVILEGES,		/* HV_PARTITION_PRIVILEGE_MASK         */
	OHV_FMT_ISOLATION,		/* isolation properties                */
	OHV_FMT_MAP_FLAGS,		/* HV_MAP_GPA_*                        */
	OHV_FMT_UNMAP_FLAGS,		/* HvUnmapGpaPages flags               */
	OHV_FMT_GPA_PAGE,		/* a GPA page number                   */
	OHV_FMT_GPA_BASE,		/* a target GPA page, below 2^40       */
	OHV_FMT_VP_INDEX,		/* a VP index, HV_VP_INDEX_SELF        */
	OHV_FMT_TARGET_VP,		/* a VP index, HV_ANY_VP               */
	OHV_FMT_PORT_ID,		/* bits 31:24 reserved                 */
	OHV_FMT_CONNECTION_ID,		/* bits 31:24 reserved                 */
	OHV_FMT_PORT_TYPE,		/* HV_PORT_TYPE_*                      */
	OHV_FMT_SINT,			/* a SINT number                       */
	OHV_FMT_PORT_PROPERTY,		/* HV_PORT_PROPERTY_*                  */
	OHV_FMT_REG_NAME,		/* a register name (HV_*_REGISTER_*)   */
	OHV_FMT_REG_VALUE,		/* union hv_register_value             */
	OHV_FMT_MESSAGE_TYPE,		/* a SynIC message type                */
	OHV_FMT_PAYLOAD_SIZE,		/* bytes of a message payload          */
	OHV_FMT_PAYLOAD,		/* message payload bytes               */
	OHV_FMT_VTL,			/* a VTL                               */
	OHV_FMT_INPUT_VTL,		/* HV_INPUT_VTL                        */
	OHV_FMT_SUBNODE_TYPE,		/* HvCreateVp's SubnodeType            */
	OHV_FMT_VP_FLAGS,		/* HvCreateVp's Flags                  */
	OHV_FMT_MONITOR_GPA,		/* a monitor page's GPA                */
	OHV_FMT_DOORBELL_FLAGS,		/* doorbell trigger size and flags     */
	OHV_FMT_FLAG_NUMBER,		/* an event flag number                */
	OHV_FMT_FLAG_COUNT,		/* an event port's flag count          */
};

enum ohv_field_kind {
	OHV_FIELD_VALUE = 0,		/* a field the call reads              */
	/* Padding and reserved fields: openhv ignores them unless the TLFS
	 * says "must be zero" (such fields are VALUEs with a format that
	 * says so, as OHV_FMT_VTL). */
	OHV_FIELD_RESERVED = 1,
};

/* The port types (1 << HV_PORT_TYPE_*) a field of a port or connection
 * info union belongs to (ohv_field.when); OHV_WHEN_OTHER: any other value
 * of the type field, which the call rejects. */
#define OHV_WHEN_OTHER		0x01u
#define OHV_WHEN_MESSAGE	(1u << HV_PORT_TYPE_MESSAGE)
#define OHV_WHEN_EVENT		(1u << HV_PORT_TYPE_EVENT)
#define OHV_WHEN_MONITOR	(1u << HV_PORT_TYPE_MONITOR)
#define OHV_WHEN_DOORBELL	(1u << HV_PORT_TYPE_DOORBELL)

/*
 * One field of a parameter block.  A field list ends with an entry whose
 * name is NULL; fields come in offset order, and the fields that one port
 * type selects (when == 0, or when & OHV_WHEN_*) cover the block exactly.
 */
struct ohv_field {
	const char *name;	/* TLFS spelling ("PortInfo.TargetSint")   */
	uint16_t off;		/* bytes into the block or element          */
	uint16_t size;		/* bytes                                    */
	uint8_t fmt;		/* enum ohv_field_fmt                       */
	uint8_t kind;		/* enum ohv_field_kind                      */
	uint8_t when;		/* OHV_WHEN_* mask; 0: every port type      */
};

/*
 * One hypercall.  Field lists are never NULL (a block without fields has
 * an empty list).  Sizes are what the dispatcher checks: a memory-based
 * call's input block is in_size[arch] + rep count * in_elem bytes, its
 * output out_size (simple call) or rep count * out_elem (rep call).
 */
struct ohv_call_info {
	uint16_t code;		/* HVCALL_*                                   */
	const char *name;	/* TLFS spelling, as ohv_call_name gives it   */
	uint8_t rep;		/* 1: a rep call                              */
	uint8_t fast;		/* 1: the register-based form fits (x64, one  */
				/*    element for a rep call)                 */
	uint16_t in_size[2];	/* fixed input (a rep call's header), by      */
	const struct ohv_field *in[2];	/* enum ohv_arch, and its fields     */
	uint16_t out_size;	/* a simple call's output; 0 for none         */
	const struct ohv_field *out;
	const char *in_list;	/* rep input elements' name, or NULL          */
	uint16_t in_elem;	/* bytes per input element (0: no list)       */
	const struct ohv_field *in_elem_fields;
	const char *out_list;	/* rep output elements' name, or NULL         */
	uint16_t out_elem;
	const struct ohv_field *out_elem_fields;
	uint16_t type_off;	/* the port type selecting `when` fields, or 0 */
	uint64_t privilege;	/* HV_PARTITION_PRIV_* the dispatcher checks  */
	uint64_t privilege_self;/* needed too when the call targets the       */
				/* caller itself (the call checks it)         */
	const char *summary;	/* one line                                   */
	const char *ref;	/* the TLFS section or seed it rests on       */
	uint16_t var_max;	/* qwords of variable header the call takes   */
				/* (after in_size), 0: none                   */
};

/* The call with this code, or NULL when openhv does not implement it (the
 * dispatcher answers HV_STATUS_INVALID_HYPERCALL_CODE). */
OHV_API const struct ohv_call_info *ohv_call_info(uint16_t code);

/* The implemented calls, in code order: i from 0 to ohv_call_count() - 1;
 * NULL past the end. */
OHV_API size_t ohv_call_count(void);
OHV_API const struct ohv_call_info *ohv_call_at(size_t i);

#ifdef __cplusplus
}
#endif

#endif /* OPENHV_CALLS_H */
