/* SPDX-License-Identifier: MIT */
/*
 * Showing the library's hypercall table (openhv/calls.h): values by their
 * field format, parameter blocks decoded into items with what is wrong
 * with them, and the control word, result value and status decoders.  The
 * same code drives `openhv decode`, the scenario language's encoding of
 * name=value fields and the trace (human lines and JSON).
 */
#ifndef OPENHV_TOOL_LAYOUT_H
#define OPENHV_TOOL_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openhv/openhv.h>

/* A call by name (case-insensitive), as ohv_call_name spells it. */
const struct ohv_call_info *layout_by_name(const char *name);

/* A settable input field by name (case-insensitive; reserved padding is
 * set with @OFFSET instead), or NULL. */
const struct ohv_field *layout_field(const struct ohv_call_info *l,
				     enum ohv_arch arch, const char *name);

/* The input fields of l as the tool shows and sets them: the library's
 * (l->in[arch]), but for a field its table still calls reserved that the
 * Linux root sets (HvDisconnectPort's IsDoorbell, spec.md §10). */
const struct ohv_field *layout_in(const struct ohv_call_info *l,
				  enum ohv_arch arch);

/* What field f of call l takes, for help: layout_fmt_help of its format,
 * or what this call's use of it needs ("SINT 1-15" for a port). */
const char *layout_field_help(const struct ohv_call_info *l,
			      const struct ohv_field *f);

/* The field of l's input that holds its payload's length (PayloadSize,
 * Message.PayloadSize, ByteCount), or NULL. */
const struct ohv_field *layout_payload_size(const struct ohv_call_info *l,
					    enum ohv_arch arch);

/* ---------------------------------------------------------------------- */
/* Values.                                                                 */

/* A bare number as a field of format fmt shows it: decimal for counts,
 * ids and indexes, else 0x hex. */
void layout_number(char *buf, size_t n, enum ohv_field_fmt fmt, uint64_t v);

/* Show a value (a field's first 8 bytes) in its format. */
void layout_value(char *buf, size_t n, enum ohv_field_fmt fmt, uint64_t v);

/* The names of the bits set in v, "A|B", for a flags format
 * (OHV_FMT_PRIVILEGES, OHV_FMT_CREATION_FLAGS, OHV_FMT_MAP_FLAGS,
 * OHV_FMT_UNMAP_FLAGS). */
void layout_flag_names(char *buf, size_t n, enum ohv_field_fmt fmt,
		       uint64_t v);

/* A 16-byte register value as register `name` holds it. */
void layout_reg_value(char *buf, size_t n, uint32_t name, const void *v16);

/* A payload of len bytes: "text" when printable, else 0x<hex>. */
void layout_payload(char *buf, size_t n, const void *p, size_t len);

/* A symbolic constant for a field of format fmt (case-insensitive):
 * SELF, EXO_PARTITION, CpuWeight, Rip, Message, READABLE, ...; then, when
 * nothing of fmt matches and any is set, a constant of any format.  True
 * when found. */
bool layout_const(enum ohv_field_fmt fmt, const char *name, bool any, uint64_t *v);

/* Register name by code ("Rip") or NULL; code by name (case and
 * underscores aside: "Rip", "HvX64RegisterRip", "HvRegisterSint2",
 * "HV_X64_REGISTER_KERNEL_GS_BASE" ...). */
const char *layout_reg_name(uint32_t code);
bool layout_reg_code(const char *name, uint32_t *code);
/* Whether openhv implements the register (spec.md §7). */
bool layout_reg_known(uint32_t code);

/* How openhv takes a partition property (spec.md §4.3, §10). */
enum layout_prop {
	LAYOUT_PROP_NONE,	/* a TLFS code openhv does not implement   */
	LAYOUT_PROP_RW,		/* read and set                            */
	LAYOUT_PROP_RO,		/* read only                               */
	LAYOUT_PROP_EX,		/* read by HvCallGetPartitionPropertyEx only */
};

/* The partition properties by TLFS name, i from 0; false past the end. */
bool layout_property_at(size_t i, uint32_t *code, const char **name,
			enum layout_prop *how);

/* Enumerations, for help and completion: the names of constants of fmt,
 * one at a time (i from 0; NULL past the end). */
const char *layout_const_name(enum ohv_field_fmt fmt, size_t i);

/* "Rip", "Message", ...: a short description of fmt for help. */
const char *layout_fmt_help(enum ohv_field_fmt fmt);

/* ---------------------------------------------------------------------- */
/* Blocks.                                                                 */

/*
 * One decoded item: a field of the fixed part, a list of rep elements, or
 * a note about something outside the spec (note_only).
 */
struct ditem {
	const char *name;
	const struct ohv_field *field;	/* NULL for lists and notes           */
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
	const struct ohv_field *elem_fields;
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
void decode_input(const struct ohv_call_info *l, enum ohv_arch arch,
		  const void *block, size_t len, uint32_t rep_start,
		  uint32_t rep_count, decode_fn *fn, void *ctx);

/*
 * An output block of len bytes: the simple output's fields, or for a rep
 * call its elements, the first being element rep_start.  in/in_len is the
 * input block (GetVpRegisters shows values by register name), or NULL.
 */
void decode_output(const struct ohv_call_info *l, enum ohv_arch arch,
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

/* Split a control word into its nine fields (spec.md §3.1); returns how many.
 * *st receives the status the generic checks (spec.md §3.2 steps 1-3) give
 * it, SUCCESS when they pass. */
size_t decode_control(uint64_t control, enum ohv_arch arch,
		      struct wfield *out, hv_status_t *st);

/* Split a result value into its four fields; returns how many. */
size_t decode_result(uint64_t result, struct wfield *out);

#endif /* OPENHV_TOOL_LAYOUT_H */
