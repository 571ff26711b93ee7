/*
 * `openhv decode`: a control word, a result value, a status, or a call's
 * parameter block in hex, field by field with what is outside the spec.
 * The fields and rules are layout.c's table, the same the scenario
 * language and the trace use.
 */
#include "cli.h"
#include "layout.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_BLOCK	(2 * HV_PAGE_SIZE)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: openhv decode [--arm64] control VALUE\n"
		"       openhv decode result VALUE\n"
		"       openhv decode status VALUE|NAME\n"
		"       openhv decode [--arm64] [--output] [--reps N] [--start N] "
		"CALL HEX...|-\n"
		"       openhv decode VALUE | HV_STATUS_NAME\n"
		"\n"
		"Prints every field by name and flags (!) reserved bits that are "
		"set and\nvalues outside the spec, with the status openhv answers "
		"for them.\n"
		"\n"
		"  control VALUE   a hypercall input value (RCX / X1): the nine "
		"fields of\n"
		"                  spec.md §3.1 and the generic checks of spec.md §3.2 "
		"steps 1-4\n"
		"  result VALUE    a hypercall result value (RAX / X0)\n"
		"  status V|NAME   a status code by number or name, and what it "
		"means\n"
		"  CALL HEX...     an input block of CALL (a name as HvCreatePartition"
		"\n"
		"                  or a code as 0x0040): hex bytes in memory order "
		"(\"02 00\",\n"
		"                  \"0200\"), or 0x-prefixed little-endian qwords "
		"(0x2); - reads\n"
		"                  them from standard input (xxd -p output works)\n"
		"  --output        the block is CALL's output block\n"
		"  --reps N        a rep call's rep count (default: what the block "
		"holds)\n"
		"  --start N       its rep start; output elements begin there\n"
		"  --arm64         arm64 layouts (HvCreatePartition is 48 bytes)\n"
		"\n"
		"A bare number is taken as a control word.\n"
		"\n"
		"Exit status: 0 nothing outside the spec, 1 something is (a value "
		"the\nhypervisor rejects, or reserved bits of a result), 2 bad "
		"command line.\n");
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && end != s && !*end;
}

static void row(FILE *out, const struct wfield *w)
{
	fprintf(out, "  %-6s %-21s 0x%-8" PRIx64 " %s\n", w->bits, w->name, w->value,
	       w->text);
	if (w->note[0])
		fprintf(out, "  ! %s\n", w->note);
}

static int do_control(FILE *out, uint64_t c, enum ohv_arch arch)
{
	struct wfield w[9];
	hv_status_t st;
	size_t n = decode_control(c, arch, w, &st);

	fprintf(out, "control word 0x%016" PRIx64 "\n", c);
	for (size_t i = 0; i < n; i++)
		row(out, &w[i]);
	if (st) {
		fprintf(out, "-> %s (spec.md §3.2, before the call itself runs)\n",
		       ohv_status_name(st));
		return CLI_FAILED;
	}
	fprintf(out, "the generic checks of spec.md §3.2 steps 1-4 pass\n");
	return CLI_OK;
}

static int do_result(FILE *out, uint64_t r)
{
	struct wfield w[4];
	size_t n = decode_result(r, w);
	bool bad = false;
	const char *m = layout_status_meaning((hv_status_t)(r & 0xFFFF));

	fprintf(out, "result value 0x%016" PRIx64 "\n", r);
	for (size_t i = 0; i < n; i++) {
		row(out, &w[i]);
		bad |= w[i].note[0] != 0;
	}
	if (m)
		fprintf(out, "%s: %s\n", ohv_status_name((hv_status_t)(r & 0xFFFF)), m);
	return bad ? CLI_FAILED : CLI_OK;
}

static int do_status(FILE *out, const char *text)
{
	hv_status_t st;
	const char *m;

	if (!layout_status(text, &st)) {
		fprintf(stderr, "openhv decode: '%s' is not a status (a number "
			"up to 0xffff or a name like HV_STATUS_ACCESS_DENIED)\n",
			text);
		return CLI_USAGE;
	}
	m = layout_status_meaning(st);
	fprintf(out, "0x%04x %s\n", st, ohv_status_name(st));
	if (m)
		fprintf(out, "  %s\n", m);
	if (!strcmp(ohv_status_name(st), "HV_STATUS_UNKNOWN")) {
		fprintf(out, "  ! not a status value openhv knows (tlfs-facts §2)\n");
		return CLI_FAILED;
	}
	return CLI_OK;
}

/* ---------------------------------------------------------------------- */
/* Blocks.                                                                 */

struct bytes {
	uint8_t b[MAX_BLOCK];
	size_t n;
};

static int add_word(struct bytes *bs, const char *w)
{
	if (w[0] == '0' && (w[1] == 'x' || w[1] == 'X')) {
		uint64_t v;
		char *end;

		errno = 0;
		v = strtoull(w + 2, &end, 16);
		if (errno || end == w + 2 || *end || strlen(w + 2) > 16) {
			fprintf(stderr, "openhv decode: '%s' is not a 64-bit "
				"hex qword\n", w);
			return CLI_USAGE;
		}
		if (bs->n + 8 > sizeof(bs->b))
			goto big;
		memcpy(bs->b + bs->n, &v, 8);
		bs->n += 8;
		return CLI_OK;
	}
	size_t len = 0;
	char digits[2];

	for (const char *p = w; *p; p++) {
		if (*p == ':' || *p == ',' || *p == '-' || *p == '_')
			continue;
		if (!isxdigit((unsigned char)*p)) {
			fprintf(stderr, "openhv decode: '%s' is not hex bytes\n", w);
			return CLI_USAGE;
		}
		digits[len++] = *p;
		if (len == 2) {
			char hex[3] = { digits[0], digits[1], 0 };

			if (bs->n == sizeof(bs->b))
				goto big;
			bs->b[bs->n++] = (uint8_t)strtoul(hex, NULL, 16);
			len = 0;
		}
	}
	if (len) {
		fprintf(stderr, "openhv decode: '%s' has an odd number of hex "
			"digits (bytes are pairs, as 00 or 0200; a 0x prefix "
			"makes a little-endian qword, as 0x2)\n", w);
		return CLI_USAGE;
	}
	return CLI_OK;
big:
	fprintf(stderr, "openhv decode: a block of at most %d bytes\n",
		MAX_BLOCK);
	return CLI_USAGE;
}

static int read_stdin(struct bytes *bs)
{
	char word[256];
	int rc = CLI_OK;

	while (rc == CLI_OK && scanf("%255s", word) == 1)
		rc = add_word(bs, word);
	return rc;
}

struct printer {
	FILE *out;
	bool bad;
	bool notes;
};

static void print_item(void *ctx, const struct ditem *it)
{
	struct printer *p = ctx;
	FILE *out = p->out;

	if (it->note_only) {
		fprintf(out, "  ! %s: %s%s%s\n", it->name, it->note,
		       it->status ? " -> " : "",
		       it->status ? ohv_status_name(it->status) : "");
		p->bad |= it->status != 0;
		p->notes = true;
		return;
	}
	if (it->list) {
		char text[512];

		fprintf(out, "  %-4s %3u  %s: %" PRIu32 " element%s of %u bytes\n", "",
		       it->elem_size, it->name, it->count,
		       it->count == 1 ? "" : "s", it->elem_size);
		for (uint32_t i = 0; i < it->count; i++) {
			if (i == 64 && it->count > 72) {
				fprintf(out, "  ...  %" PRIu32 " more\n", it->count - i - 8);
				i = it->count - 8;
			}
			decode_elem(text, sizeof(text), it, i);
			fprintf(out, "  %-4s      [%" PRIu32 "] %s\n", "", it->first + i,
			       text);
		}
		return;
	}
	fprintf(out, "  @%-3u %3u  %-30s %s%s\n", it->field->off, it->field->size,
	       it->name, it->value,
	       it->field->kind == OHV_FIELD_RESERVED ? "  (reserved)" : "");
	if (it->note) {
		fprintf(out, "  ! %s: %s%s%s\n", it->name, it->note,
		       it->status ? " -> " : "",
		       it->status ? ohv_status_name(it->status) : "");
		p->bad |= it->status != 0;
		p->notes = true;
	}
}

static int do_block(FILE *out, const struct ohv_call_info *l, uint16_t code,
		    enum ohv_arch arch,
		    bool output, uint32_t reps, uint32_t start,
		    const struct bytes *bs)
{
	struct printer p = { out, false, false };

	if (!l) {
		const char *name = ohv_call_name(code);

		fprintf(stderr, "openhv decode: %s (0x%04x) is not one of the "
			"calls openhv implements (spec.md §3.3); no layout\n",
			name ? name : "call", code);
		return CLI_FAILED;
	}
	fprintf(out, "%s (0x%04x) %s block, %zu bytes (%s layout%s)\n", l->name,
	       l->code, output ? "output" : "input", bs->n,
	       arch == OHV_ARCH_X64 ? "x64" : "arm64",
	       l->rep ? ", rep call" : "");
	if (output) {
		if (!l->out_size && !l->out_list) {
			fprintf(out, "  %s has no output\n", l->name);
			return bs->n ? CLI_FAILED : CLI_OK;
		}
		decode_output(l, arch, bs->b, bs->n, start, NULL, 0, print_item,
			      &p);
		if (!l->out_list && bs->n < l->out_size)
			fprintf(out, "  ! block: %zu bytes; the output is %u\n", bs->n,
			       l->out_size);
	} else {
		if (reps && start >= reps) {
			fprintf(stderr, "openhv decode: --start must be below "
				"--reps\n");
			return CLI_USAGE;
		}
		decode_input(l, arch, bs->b, bs->n, start, reps, print_item, &p);
	}
	if (!p.notes)
		fprintf(out, "nothing outside the spec\n");
	return p.bad ? CLI_FAILED : CLI_OK;
}

int cmd_decode(int argc, char **argv)
{
	return cli_decode(stdout, true, argc, argv);
}

int cli_decode(FILE *out, bool stdin_ok, int argc, char **argv)
{
	enum ohv_arch arch = OHV_ARCH_X64;
	bool output = false;
	uint64_t reps = 0, start = 0, v;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(out);
			return CLI_OK;
		} else if (!strcmp(a, "--arm64")) {
			arch = OHV_ARCH_ARM64;
		} else if (!strcmp(a, "--output")) {
			output = true;
		} else if ((!strcmp(a, "--reps") || !strcmp(a, "--start")) &&
			   i + 1 < argc && parse_u64(argv[i + 1], &v) &&
			   v <= HV_HYPERCALL_MAX_REPS) {
			*(!strcmp(a, "--reps") ? &reps : &start) = v;
			i++;
		} else {
			fprintf(stderr, "openhv decode: unexpected argument '%s'\n",
				a);
			usage(stderr);
			return CLI_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	const char *what = argv[i++];
	int left = argc - i;

	if (!strcmp(what, "control") || !strcmp(what, "result")) {
		if (left != 1 || !parse_u64(argv[i], &v)) {
			fprintf(stderr, "openhv decode: %s needs one 64-bit value\n",
				what);
			return CLI_USAGE;
		}
		return what[0] == 'c' ? do_control(out, v, arch) :
			do_result(out, v);
	}
	if (!strcmp(what, "status")) {
		if (left != 1) {
			fprintf(stderr, "openhv decode: status needs one value or "
				"name\n");
			return CLI_USAGE;
		}
		return do_status(out, argv[i]);
	}
	if (!strncasecmp(what, "HV_STATUS_", 10) && !left)
		return do_status(out, what);

	const struct ohv_call_info *l = layout_by_name(what);
	uint16_t code = l ? l->code : 0;

	if (!l && parse_u64(what, &v) && !left)
		return do_control(out, v, arch);
	if (!l) {
		if (!parse_u64(what, &v) || v > 0xFFFF) {
			fprintf(stderr, "openhv decode: '%s' is neither a keyword "
				"(control, result, status), a call name nor a "
				"number\n", what);
			return CLI_USAGE;
		}
		code = (uint16_t)v;
		l = ohv_call_info(code);
	}
	struct bytes *bs = calloc(1, sizeof(*bs));
	int rc = CLI_OK;

	if (!bs) {
		fprintf(stderr, "openhv decode: out of memory\n");
		return CLI_FAILED;
	}
	if (left == 1 && !strcmp(argv[i], "-")) {
		rc = stdin_ok ? read_stdin(bs) : CLI_USAGE;
		if (!stdin_ok)
			fprintf(stderr, "openhv decode: give the bytes on the "
				"line here (- reads standard input only in "
				"`openhv decode`)\n");
	} else {
		for (; i < argc && rc == CLI_OK; i++)
			rc = add_word(bs, argv[i]);
	}
	if (rc == CLI_OK)
		rc = do_block(out, l, code, arch, output, (uint32_t)reps,
			      (uint32_t)start, bs);
	free(bs);
	return rc;
}
