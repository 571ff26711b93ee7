/*
 * The tool's one metadata table: for every call openhv implements (SPEC
 * 3.3), its input and output blocks field by field, by TLFS name, offset,
 * size and format, with reserved and must-be-zero fields marked.  The same
 * table drives `openhv decode`, the scenario language's encoding of
 * name=value fields and the trace (human lines and JSON).
 *
 * Also here: formatting and parsing of values by format, the decoding of a
 * parameter block into items with what is wrong with them, and the control
 * word, result value and status decoders.
 */
#ifndef OPENHV_TOOL_LAYOUT_H
#define OPENHV_TOOL_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openhv/openhv.h>

/* How a field's value is shown and parsed. */
enum lfmt {
	LF_HEX,			/* 0x2a                                     */
	LF_DEC,			/* 42                                       */
	LF_PARTITION_ID,	/* 2, SELF, 0 (INVALID)                     */
	LF_CHILD_ID,		/* a partition that must be a child         */
	LF_CHILD_CURSOR,	/* a child, or 0 (none): the children walk  */
	LF_CREATION_FLAGS,	/* 0x82100 (EXO_PARTITION|...)              */
	LF_PROXIMITY,		/* any node / node 1, preferred / required  */
	LF_COMPAT_VERSION,	/* 0x0609 (6.9, 21H2)                       */
	LF_PROPERTY_CODE,	/* 0x00020003 (CpuWeight)                   */
	LF_PRIVILEGES,		/* 0x... (CreatePartitions|...)             */
	LF_ISOLATION,		/* isolation properties: must be 0         */
	LF_MAP_FLAGS,		/* 0x3 (READABLE|WRITABLE)                  */
	LF_UNMAP_FLAGS,		/* 0x0; openhv offers none                  */
	LF_GPA_PAGE,		/* 0x10 (GPA 0x10000)                       */
	LF_GPA_BASE,		/* a target GPA page, below 2^40            */
	LF_VP_INDEX,		/* 0 .. 63, SELF                            */
	LF_TARGET_VP,		/* 0 .. 63, ANY                             */
	LF_PORT_ID,		/* bits 31:24 reserved                      */
	LF_CONNECTION_ID,	/* bits 31:24 reserved                      */
	LF_PORT_TYPE,		/* 1 (Message)                              */
	LF_SINT,		/* 1 .. 15                                  */
	LF_PORT_PROPERTY,	/* 0 (PostCount)                            */
	LF_REG_NAME,		/* 0x00020010 (Rip)                         */
	LF_REG_VALUE,		/* 16 bytes, shown by register              */
	LF_MESSAGE_TYPE,	/* non-zero, bit 31 clear                   */
	LF_PAYLOAD_SIZE,	/* 0 .. 240                                 */
	LF_PAYLOAD,		/* bytes: "text" or 0x<hex>                 */
	LF_VTL,			/* must be 0                                */
	LF_INPUT_VTL,		/* 0 or 0x10                                */
	LF_SUBNODE_TYPE,	/* must be 0 (SPEC 7)                       */
	LF_VP_FLAGS,		/* must be 0 (SPEC 7)                       */
	LF_MONITOR_GPA,		/* page-aligned                             */
	LF_DOORBELL_FLAGS,	/* trigger size, ANY_VALUE                  */
	LF_FLAG_NUMBER,		/* event flag, < the port's FlagCount       */
	LF_FLAG_COUNT,		/* event port: >= 1, Base + Count <= 2048   */
};

/* Reserved fields: LK_PAD is ignored by openhv (SPEC 3.2: padding and
 * reserved fields are ignored unless the spec says "must be zero"). */
enum lkind { LK_FIELD, LK_PAD };

struct lfield {
	const char *name;	/* TLFS spelling; NULL ends a table          */
	uint16_t off;		/* bytes into the block (or element)         */
	uint16_t size;		/* 1, 2, 4, 8, 16, or the payload's 240      */
	uint8_t fmt;		/* enum lfmt                                 */
	uint8_t kind;		/* enum lkind                                */
	uint8_t when;		/* port types (1 << type) this field is in;  */
				/* 0 = always                                */
};

/* Port types a port-info field belongs to (lfield.when). */
#define LW_MESSAGE	(1u << HV_PORT_TYPE_MESSAGE)
#define LW_EVENT	(1u << HV_PORT_TYPE_EVENT)
#define LW_MONITOR	(1u << HV_PORT_TYPE_MONITOR)
#define LW_DOORBELL	(1u << HV_PORT_TYPE_DOORBELL)
#define LW_OTHER	1u	/* any other (invalid) type */

struct lcall {
	uint16_t code;
	const char *name;	/* ohv_call_name's spelling                  */
	bool rep;
	uint16_t in_size;	/* fixed input (a rep call's header), x64    */
	const struct lfield *in;
	uint16_t out_size;	/* simple output                             */
	const struct lfield *out;
	const char *in_list;	/* rep input elements: list name, or NULL    */
	uint16_t in_elem;
	const struct lfield *in_elem_fields;
	const char *out_list;	/* rep output elements                       */
	uint16_t out_elem;
	const struct lfield *out_elem_fields;
	uint16_t type_off;	/* port type selecting `when` fields; 0 none */
	const char *privilege;	/* the privilege the call needs, or NULL     */
	const char *summary;	/* one line for help                         */
	const char *spec;	/* where SPEC.md decides it                  */
};

/* The calls of SPEC 3.3, in code order. */
size_t layout_count(void);
const struct lcall *layout_at(size_t i);
/* By code, or by name (case-insensitive; HvCallCreatePort's "HvCall"
 * spelling and plain "Hv" names as ohv_call_name gives them). */
const struct lcall *layout_find(uint16_t code);
const struct lcall *layout_by_name(const char *name);

/* Fixed input size and fields as an instance of arch sees them (seed 002:
 * HvCreatePartition is 56 bytes on x64, 48 on arm64). */
size_t layout_in_size(const struct lcall *l, enum ohv_arch arch);
const struct lfield *layout_in_fields(const struct lcall *l,
				      enum ohv_arch arch);

/* A settable input field by name (case-insensitive; reserved padding is
 * set with @OFFSET instead), or NULL. */
const struct lfield *layout_field(const struct lcall *l, enum ohv_arch arch,
				  const char *name);

/* ---------------------------------------------------------------------- */
/* Values.                                                                 */

/* Show a value (a field's first 8 bytes) in its format. */
void layout_value(char *buf, size_t n, enum lfmt fmt, uint64_t v);

/* A 16-byte register value as register `name` holds it. */
void layout_reg_value(char *buf, size_t n, uint32_t name, const void *v16);

/* A payload of len bytes: "text" when printable, else 0x<hex>. */
void layout_payload(char *buf, size_t n, const void *p, size_t len);

/* A symbolic constant for a field of format fmt (case-insensitive):
 * SELF, EXO_PARTITION, CpuWeight, Rip, Message, READABLE, ...; then, when
 * nothing of fmt matches and any is set, a constant of any format.  True
 * when found. */
bool layout_const(enum lfmt fmt, const char *name, bool any, uint64_t *v);

/* Register name by code ("Rip") or NULL; code by name (case-insensitive,
 * "Rip", "HvX64RegisterRip", "HvRegisterSint2" ...). */
const char *layout_reg_name(uint32_t code);
bool layout_reg_code(const char *name, uint32_t *code);
/* Whether openhv implements the register (SPEC 7). */
bool layout_reg_known(uint32_t code);

/* Enumerations, for help and completion: the names of constants of fmt,
 * one at a time (i from 0; NULL past the end). */
const char *layout_const_name(enum lfmt fmt, size_t i);

/* "Rip", "Message", ...: a short description of fmt for help. */
const char *layout_fmt_help(enum lfmt fmt);

/* ---------------------------------------------------------------------- */
/* Blocks.                                                                 */

/*
 * One decoded item: a field of the fixed part, a list of rep elements, or
 * a note about something outside the spec (note_only).
 */
struct ditem {
	const char *name;
	const struct lfield *field;	/* NULL for lists and notes           */
	uint64_t raw;			/* the field's first 8 bytes          */
	const char *value;		/* display text                       */
	const char *note;		/* what is wrong with it, or NULL     */
	hv_status_t status;		/* what openhv answers for it; 0 when */
					/* it is only reserved and ignored    */
	bool note_only;
	/* Lists: elements [first, first + count) of elem_size bytes at elems
	 * (which points at element first). */
	bool list;
	const uint8_t *elems;
	uint32_t first, count;
	uint16_t elem_size;
	const struct lfield *elem_fields;
	const uint8_t *names;		/* GetVpRegisters output: the input's */
					/* register names, element first      */
};

typedef void decode_fn(void *ctx, const struct ditem *it);

/*
 * An input block of len bytes: the fixed fields, then for a rep call the
 * elements [rep_start, rep_count) of its list.  rep_count 0 on a rep call
 * takes as many elements as the block holds.  Fields past len are not
 * shown; a block shorter than the fixed part gets a note.
 */
void decode_input(const struct lcall *l, enum ohv_arch arch,
		  const void *block, size_t len, uint32_t rep_start,
		  uint32_t rep_count, decode_fn *fn, void *ctx);

/*
 * An output block of len bytes: the simple output's fields, or for a rep
 * call its elements, the first being element rep_start.  in/in_len is the
 * input block (GetVpRegisters shows values by register name), or NULL.
 */
void decode_output(const struct lcall *l, enum ohv_arch arch,
		   const void *block, size_t len, uint32_t rep_start,
		   const void *in, size_t in_len, decode_fn *fn, void *ctx);

/* The text of one list element ("0x10", "Rip", "Rip=0xfff0"). */
void decode_elem(char *buf, size_t n, const struct ditem *it, uint32_t i);

/* A page list as runs: "[208]=0x10..0xdf", at most a few runs shown; any
 * other list as its count, "[3]". */
void decode_page_runs(char *buf, size_t n, const struct ditem *it);

/* ---------------------------------------------------------------------- */
/* Control words, result values, statuses.                                 */

/* A status by name ("HV_STATUS_ACCESS_DENIED", "ACCESS_DENIED", any case)
 * or number; true when found. */
bool layout_status(const char *text, hv_status_t *st);

/* What a status means, in a few words, or NULL. */
const char *layout_status_meaning(hv_status_t st);

/* One bit field of a control word or result value. */
struct wfield {
	const char *bits;	/* "15:0"                                     */
	const char *name;
	uint64_t value;
	char text[96];		/* its meaning                                */
	char note[160];		/* what is wrong, or ""                       */
};

/* Split a control word into its nine fields (SPEC 3.1); returns how many.
 * *st receives the status the generic checks (SPEC 3.2 steps 1-3) give
 * it, SUCCESS when they pass. */
size_t decode_control(uint64_t control, enum ohv_arch arch,
		      struct wfield *out, hv_status_t *st);

/* Split a result value into its four fields; returns how many. */
size_t decode_result(uint64_t result, struct wfield *out);

#endif /* OPENHV_TOOL_LAYOUT_H */
