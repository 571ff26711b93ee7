/*
 * fuzz_decode: the decoders alone, as `openhv decode` and the traces use
 * them: control words, result values, status names and parameter blocks of
 * every call, from arbitrary bytes.  Besides not crashing, the control-word
 * decoder must agree with the dispatcher: when it says the generic checks
 * of spec.md §3.2 steps 1-3 fail with a status, ohv_hypercall returns exactly
 * that status for the same control word.
 *
 * Input: mode (1 byte), arch (1), call selector (2), rep start (4), rep
 * count (4), then the block or text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../tools/openhv/layout.h"

static size_t sink;	/* keeps the decoders' output alive */

static void item(void *ctx, const struct ditem *it)
{
	char buf[512];

	(void)ctx;
	if (it->name)
		sink += strlen(it->name);
	if (it->value)
		sink += strlen(it->value);
	if (it->note)
		sink += strlen(it->note);
	if (it->list) {
		/* Every element the item claims must be readable (indexes
		 * count from element first, as the tool's callers do). */
		for (uint32_t i = 0; i < it->count && i < 600; i++) {
			decode_elem(buf, sizeof(buf), it, i);
			sink += strlen(buf);
		}
		decode_page_runs(buf, sizeof(buf), it);
		sink += strlen(buf);
	}
}

static uint64_t le64(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	memcpy(&v, p, n < 8 ? n : 8);
	return v;
}

/* The dispatcher's answer to a bare control word from the root. */
static hv_status_t dispatch(enum ohv_arch arch, uint64_t control)
{
	static struct ohv *hv[2];

	if (!hv[arch]) {
		struct ohv_config cfg;

		ohv_config_init(&cfg);
		cfg.arch = arch;
		cfg.memory_pages = 64;
		cfg.rep_budget_ns = 0;
		if (ohv_open(&cfg, &hv[arch]))
			abort();
	}
	/* GPAs nobody maps: a call that passes steps 1-3 fails later, and
	 * changes nothing. */
	struct ohv_hvcall c = { .control = control };

	c.fast[0] = c.fast[1] = 1ull << 40;
	return ohv_result_status(ohv_hypercall(hv[arch], FZ_ROOT, 0, &c));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 12)
		return 0;
	const unsigned mode = data[0] % 6;
	const enum ohv_arch arch = data[1] & 1 ? OHV_ARCH_ARM64 : OHV_ARCH_X64;
	uint16_t sel;
	uint32_t start, count;

	memcpy(&sel, data + 2, 2);
	memcpy(&start, data + 4, 4);
	memcpy(&count, data + 8, 4);
	const uint8_t *rest = data + 12;
	const size_t len = size - 12;
	struct wfield f[16];
	hv_status_t st;
	char text[256];

	switch (mode) {
	case 0: {
		uint64_t control = le64(rest, len);
		size_t n = decode_control(control, arch, f, &st);

		for (size_t i = 0; i < n; i++)
			sink += strlen(f[i].text) + strlen(f[i].note);
		if (st != HV_STATUS_SUCCESS && dispatch(arch, control) != st) {
			fprintf(stderr, "openhv fuzz: finding: decode says %s for "
				"control %#llx, the dispatcher differs\n",
				ohv_status_name(st), (unsigned long long)control);
			abort();
		}
		break;
	}
	case 1: {
		size_t n = decode_result(le64(rest, len), f);

		for (size_t i = 0; i < n; i++)
			sink += strlen(f[i].text) + strlen(f[i].note);
		break;
	}
	case 2:
	case 3: {
		/* Any code, known or not; the rep fields as given. */
		const struct ohv_call_info *l = sel & 0x8000 ?
			ohv_call_at(sel % ohv_call_count()) : ohv_call_info(sel);

		if (!l)
			break;
		if (mode == 2)
			decode_input(l, arch, rest, len, start % 4096,
				     count % 4097, item, NULL);
		else
			decode_output(l, arch, rest, len, start % 4096,
				      len > 64 ? rest + 64 : NULL,
				      len > 64 ? len - 64 : 0, item, NULL);
		break;
	}
	case 4: {
		/* Text parsers: statuses, constants, register names. */
		uint64_t v;
		uint32_t code;

		memcpy(text, rest, len < sizeof(text) - 1 ? len : sizeof(text) - 1);
		text[len < sizeof(text) - 1 ? len : sizeof(text) - 1] = 0;
		if (layout_status(text, &st))
			sink += st;
		if (layout_const((enum ohv_field_fmt)(sel % (OHV_FMT_FLAG_COUNT + 1)), text,
				 sel & 1, &v))
			sink += v;
		if (layout_reg_code(text, &code))
			sink += code;
		break;
	}
	case 5: {
		/* Values by every format. */
		uint64_t v = le64(rest, len);

		layout_value(text, sizeof(text), (enum ohv_field_fmt)(sel % (OHV_FMT_FLAG_COUNT + 1)), v);
		sink += strlen(text);
		if (len >= 16) {
			layout_reg_value(text, sizeof(text), (uint32_t)v, rest);
			sink += strlen(text);
		}
		layout_payload(text, sizeof(text), rest, len > 240 ? 240 : len);
		sink += strlen(text);
		break;
	}
	}
	return 0;
}
