/*
 * Field decoding of hypercall parameter blocks, for the tool's traces (and
 * a later `openhv decode`).  One table per call lists the fields of its
 * input and output blocks by TLFS name, offset, size and display format;
 * rep calls add the name of their element list.
 */
#ifndef OPENHV_TOOL_DECODE_H
#define OPENHV_TOOL_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include <openhv/openhv.h>

enum decode_format {
	DECODE_HEX,		/* 0x2a                                        */
	DECODE_DEC,		/* 42                                          */
	DECODE_PARTITION_ID,	/* 2, SELF, INVALID                            */
	DECODE_CREATION_FLAGS,	/* 0x...82100 (EXO_PARTITION|...)              */
	DECODE_PROXIMITY,	/* any node / node 1, preferred / ...          */
	DECODE_COMPAT_VERSION,	/* 0x0609 (6.9, 21H2)                          */
	DECODE_PROPERTY_CODE,	/* 0x00020003 (CpuWeight)                      */
};

struct decode_field {
	const char *name;	/* TLFS spelling; NULL ends a table            */
	uint16_t offset;	/* bytes into the block                        */
	uint16_t size;		/* 4 or 8                                      */
	enum decode_format format;
};

struct decode_layout {
	uint16_t code;
	const char *name;
	const struct decode_field *in;	/* simple input, or a rep header */
	const struct decode_field *out;	/* simple output                 */
	const char *in_list;	/* rep input elements: 8-byte GPA page numbers */
	const char *out_list;	/* rep output elements, likewise               */
};

/* The layout of a call as an instance of arch sees it, or NULL when the
 * call is not one of 0x0040-0x004A. */
const struct decode_layout *decode_layout(uint16_t code, enum ohv_arch arch);

/* Receives one "Name=value" item at a time, in block order. */
typedef void decode_item_fn(void *ctx, const char *item);

/*
 * An input block of len bytes: the fixed fields, then for a rep call the
 * elements [rep_start, rep_count) of its list, abbreviated to runs.
 */
void decode_input(const struct decode_layout *l, const void *block,
		  size_t len, uint32_t rep_start, uint32_t rep_count,
		  decode_item_fn *fn, void *ctx);

/*
 * An output block of len bytes: the simple output fields, or for a rep call
 * the elements it holds, the first of which is element rep_start.
 */
void decode_output(const struct decode_layout *l, const void *block,
		   size_t len, uint32_t rep_start, decode_item_fn *fn,
		   void *ctx);

/* One field's value in its format ("0x0609 (6.9, 21H2)"). */
void decode_value(char *buf, size_t n, enum decode_format format, uint64_t v);

/*
 * count 8-byte page numbers (any alignment) as "Name[208]=0x10..0xdf", or
 * "Name[16..208]=..." when they are elements first.. of the list: ascending and descending runs of consecutive pages are
 * joined, and after a few runs the rest is counted, not shown.
 */
void decode_page_list(char *buf, size_t n, const char *name,
		      const void *pages, uint32_t first, uint32_t count);

#endif /* OPENHV_TOOL_DECODE_H */
