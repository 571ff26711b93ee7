/* SPDX-License-Identifier: MIT */
/*
 * The tiny guests' host side (kvm_guest.h): the machine state of
 * kvm-facts §3 (4-level page tables identity-mapping 4 GiB with 2 MiB
 * pages, a GDT with 64-bit code and a busy TSS, CR0 = PG|AM|WP|NE|ET|MP|PE,
 * CR4 = PAE|OSFXSR|OSXMMEXCPT, EFER = LME|LMA|NXE) set through
 * HvSetVpRegisters, and the reports read from I/O intercepts.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "kvm_guest.h"

_Static_assert(KG_MSR_GUEST_OS_ID == HV_X64_MSR_GUEST_OS_ID, "layout.h");
_Static_assert(KG_MSR_HYPERCALL == HV_X64_MSR_HYPERCALL, "layout.h");
_Static_assert(KG_MSR_VP_INDEX == HV_X64_MSR_VP_INDEX, "layout.h");
_Static_assert(KG_MSR_SCONTROL == HV_X64_MSR_SCONTROL, "layout.h");
_Static_assert(KG_MSR_SIEFP == HV_X64_MSR_SIEFP, "layout.h");
_Static_assert(KG_MSR_SIMP == HV_X64_MSR_SIMP, "layout.h");
_Static_assert(KG_MSR_EOM == HV_X64_MSR_EOM, "layout.h");
_Static_assert(KG_MSR_SINT0 == HV_X64_MSR_SINT0, "layout.h");
_Static_assert(KG_CALL_GET_PARTITION_ID == HVCALL_GET_PARTITION_ID, "layout.h");
_Static_assert(KG_CALL_GET_VP_REGISTERS == HVCALL_GET_VP_REGISTERS, "layout.h");
_Static_assert(KG_CALL_SIGNAL_EVENT == HVCALL_SIGNAL_EVENT, "layout.h");
_Static_assert(KG_CALL_FAST == HV_HYPERCALL_FAST_BIT, "layout.h");
_Static_assert(KG_REP_COUNT_1 == 1ull << HV_HYPERCALL_REP_COMP_OFFSET,
	       "layout.h");
_Static_assert(KG_REG_GUEST_OS_ID == HV_REGISTER_GUEST_OS_ID, "layout.h");
_Static_assert(KG_PAGES * HV_PAGE_SIZE >= KG_STACK_TOP, "layout.h");
_Static_assert(KG_IMAGE + KG_IMAGE_MAX <= KG_STACK_TOP - 2 * HV_PAGE_SIZE,
	       "layout.h");

#define IMAGE(n)                                                             \
	extern const uint8_t kg_image_##n[], kg_image_##n##_end[];           \
	const struct kg_image kg_##n = { #n, kg_image_##n, kg_image_##n##_end }
IMAGE(guest_hv);
IMAGE(guest_synic);
IMAGE(guest_fault);

/* Control and segment bits (Intel SDM vol. 3, 2.5 and 3.4.5). */
#define CR0_PE		(1ull << 0)
#define CR0_MP		(1ull << 1)
#define CR0_ET		(1ull << 4)
#define CR0_NE		(1ull << 5)
#define CR0_WP		(1ull << 16)
#define CR0_AM		(1ull << 18)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)
#define CR4_OSFXSR	(1ull << 9)
#define CR4_OSXMMEXCPT	(1ull << 10)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)
#define EFER_NXE	(1ull << 11)
#define PTE_P		0x1ull
#define PTE_RW		0x2ull
#define PTE_US		0x4ull
#define PTE_PS		0x80ull
/* Hyper-V segment attributes: type 3:0, S 4, DPL 6:5, P 7, L 13, DB 14,
 * G 15. */
#define SEG_CODE64	0xA09Bu		/* exec/read, accessed, L, G */
#define SEG_DATA	0xC093u		/* read/write, accessed, DB, G */
#define SEG_TSS64	0x008Bu		/* busy 64-bit TSS */
#define GDT_ENTRIES	7		/* null, 4 segments, TSS (2) */
/* The 64-bit TSS (104 bytes), its I/O bitmap of ports 0-0xFF after it,
 * and the bitmap's terminating byte at the limit (SDM 20.5.2). */
#define TSS_IOMAP	0x68
#define TSS_LIMIT	(TSS_IOMAP + 0x100 / 8)

struct ohv *kg_open(void)
{
	struct ohv_config cfg;
	struct ohv *hv = NULL;

	ohv_config_init(&cfg);
	cfg.backend = OHV_BACKEND_KVM;
	int rc = ohv_open(&cfg, &hv);

	if (rc == -ENODEV || rc == -EACCES)
		SKIP("no usable /dev/kvm (ohv_open: %s)", strerror(-rc));
	CHECK_MSG(rc == 0, "ohv_open with the KVM backend: %d (%s)", rc,
		  strerror(rc < 0 ? -rc : rc));
	if (rc)
		t_stop();
	CHECK_MSG(!strcmp(ohv_backend_name(hv), "kvm"), "backend %s",
		  ohv_backend_name(hv));
	return hv;
}

void *kg_ptr(struct kg *g, uint64_t gpa, size_t len)
{
	uint64_t page = gpa >> 12, off = gpa & (HV_PAGE_SIZE - 1);
	uint64_t root_page = page < KG_PAGES ? g->pages[page] :
			     gpa >> 12 == KG_RO_PAGE >> 12 ? g->ro_page : 0;
	void *p = NULL;

	if (root_page && off + len <= HV_PAGE_SIZE)
		p = ohv_gpa(g->hv, ohv_root_id(g->hv), root_page << 12 | off,
			    len);
	CHECK_MSG(p, "no host view of child GPA 0x%" PRIx64 " + %zu", gpa,
		  len);
	if (!p)
		t_stop();
	return p;
}

static void put64(struct kg *g, uint64_t gpa, uint64_t v)
{
	memcpy(kg_ptr(g, gpa, 8), &v, 8);
}

/* The page tables, GDT, TSS and IDT of layout.h, and the image. */
static void build_memory(struct kg *g)
{
	const struct kg_image *img = g->img;
	size_t len = (size_t)(img->end - img->start);
	uint64_t hdr[2];

	REQUIRE(len > sizeof(hdr) && len <= KG_IMAGE_MAX);
	for (uint32_t i = 0; i < KG_PAGES; i++)
		memset(kg_ptr(g, (uint64_t)i << 12, HV_PAGE_SIZE), 0,
		       HV_PAGE_SIZE);
	for (size_t off = 0; off < len; off += HV_PAGE_SIZE) {
		size_t n = len - off < HV_PAGE_SIZE ? len - off : HV_PAGE_SIZE;

		memcpy(kg_ptr(g, KG_IMAGE + off, n), img->start + off, n);
	}
	memcpy(hdr, img->start, sizeof(hdr));
	CHECK_MSG(hdr[0] == KG_MAGIC, "%s: no guest header", img->name);
	REQUIRE(hdr[1] >= KG_IMAGE && hdr[1] < KG_IMAGE + len);
	g->entry = hdr[1];

	/* Identity map of 4 GiB: the APIC page at 0xFEE00000 included. */
	put64(g, KG_PML4, KG_PDPT | PTE_P | PTE_RW | PTE_US);
	for (uint64_t i = 0; i < 4; i++) {
		put64(g, KG_PDPT + i * 8,
		      (KG_PD + i * HV_PAGE_SIZE) | PTE_P | PTE_RW | PTE_US);
		for (uint64_t j = 0; j < 512; j++)
			put64(g, KG_PD + i * HV_PAGE_SIZE + j * 8,
			      (i << 30 | j << 21) | PTE_P | PTE_RW | PTE_US |
			      PTE_PS);
	}

	/* GDT: the 64-bit code and flat data descriptors of kvm-facts §3,
	 * their ring-3 twins, and the busy TSS. */
	static const uint64_t gdt[5] = {
		0, 0x00AF9B000000FFFFull, 0x00CF93000000FFFFull,
		0x00CFF3000000FFFFull, 0x00AFFB000000FFFFull,
	};
	for (int i = 0; i < 5; i++)
		put64(g, KG_GDT + (uint64_t)i * 8, gdt[i]);
	put64(g, KG_GDT + 5 * 8, TSS_LIMIT | (uint64_t)(KG_TSS & 0xFFFFFF) << 16 |
				 (uint64_t)SEG_TSS64 << 40 |
				 (uint64_t)(KG_TSS >> 24 & 0xFF) << 56);
	put64(g, KG_GDT + 6 * 8, 0);
	/*
	 * TSS: RSP0 for interrupts from ring 3, and an I/O permission
	 * bitmap (all zero: allowed) for ports 0-0xFF, so that ring 3 can
	 * reach the hypercall and report ports whatever IOPL says (a PVM
	 * KVM checks the bitmap but not IOPL, kvm-facts §0).
	 */
	put64(g, KG_TSS + 4, KG_STACK_TOP);
	*(uint16_t *)kg_ptr(g, KG_TSS + 0x66, 2) = TSS_IOMAP;
	*(uint8_t *)kg_ptr(g, KG_TSS + TSS_LIMIT, 1) = 0xFF;

	/* IDT: 64-bit interrupt gates for the header's vectors. */
	for (size_t off = sizeof(hdr);; off += 16) {
		uint64_t pair[2];

		REQUIRE(off + sizeof(pair) <= len);
		memcpy(pair, img->start + off, sizeof(pair));
		if (pair[0] == KG_HDR_END)
			break;
		REQUIRE(pair[0] < 256);
		uint64_t h = pair[1];

		put64(g, KG_IDT + pair[0] * 16,
		      (h & 0xFFFF) | (uint64_t)KG_SEL_CODE << 16 |
		      0x8Eull << 40 | (h >> 16 & 0xFFFF) << 48);
		put64(g, KG_IDT + pair[0] * 16 + 8, h >> 32);
	}
}

static struct hv_register_assoc reg64(uint32_t name, uint64_t v)
{
	struct hv_register_assoc r = { .name = name };

	r.value.reg64 = v;
	return r;
}

static struct hv_register_assoc seg(uint32_t name, uint16_t sel,
				    uint16_t attr, uint64_t base,
				    uint32_t limit)
{
	struct hv_register_assoc r = { .name = name };

	r.value.segment = (struct hv_x64_segment_register){
		.base = base, .limit = limit, .selector = sel,
		.attributes = attr,
	};
	return r;
}

static struct hv_register_assoc table(uint32_t name, uint64_t base,
				      uint16_t limit)
{
	struct hv_register_assoc r = { .name = name };

	r.value.table.base = base;
	r.value.table.limit = limit;
	return r;
}

/*
 * Long mode at once, one register at a time as HvSetVpRegisters takes
 * them: no prefix of the list needs to be a state x86 can be in (the
 * backend checks the whole when the VP runs, docs/conformance.md).
 */
static void set_long_mode(struct kg *g, uint64_t rdi, uint64_t rsi)
{
	const struct hv_register_assoc regs[] = {
		table(HV_X64_REGISTER_GDTR, KG_GDT, GDT_ENTRIES * 8 - 1),
		table(HV_X64_REGISTER_IDTR, KG_IDT, 256 * 16 - 1),
		reg64(HV_X64_REGISTER_CR4,
		      CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT),
		reg64(HV_X64_REGISTER_CR3, KG_PML4),
		reg64(HV_X64_REGISTER_CR0, CR0_PE | CR0_MP | CR0_ET | CR0_NE |
					   CR0_WP | CR0_AM | CR0_PG),
		reg64(HV_X64_REGISTER_EFER, EFER_LME | EFER_LMA | EFER_NXE),
		seg(HV_X64_REGISTER_TR, KG_SEL_TSS, SEG_TSS64, KG_TSS,
		    TSS_LIMIT),
		seg(HV_X64_REGISTER_DS, KG_SEL_DATA, SEG_DATA, 0, 0xFFFFFFFF),
		seg(HV_X64_REGISTER_ES, KG_SEL_DATA, SEG_DATA, 0, 0xFFFFFFFF),
		seg(HV_X64_REGISTER_FS, KG_SEL_DATA, SEG_DATA, 0, 0xFFFFFFFF),
		seg(HV_X64_REGISTER_GS, KG_SEL_DATA, SEG_DATA, 0, 0xFFFFFFFF),
		seg(HV_X64_REGISTER_SS, KG_SEL_DATA, SEG_DATA, 0, 0xFFFFFFFF),
		seg(HV_X64_REGISTER_CS, KG_SEL_CODE, SEG_CODE64, 0, 0xFFFFFFFF),
		reg64(HV_X64_REGISTER_RFLAGS, 0x2),
		reg64(HV_X64_REGISTER_RSP, KG_STACK_TOP),
		reg64(HV_X64_REGISTER_RDI, rdi),
		reg64(HV_X64_REGISTER_RSI, rsi),
		reg64(HV_X64_REGISTER_RIP, g->entry),
	};
	uint64_t done = 0;
	hv_status_t st = ohv_call_set_vp_registers(
		g->root, g->id, 0, regs, sizeof(regs) / sizeof(*regs), &done);

	CHECK_MSG(st == HV_STATUS_SUCCESS,
		  "HvSetVpRegisters for long mode: %s at element %" PRIu64,
		  ohv_status_name(st), done);
	if (st)
		t_stop();
}

static void start(struct kg *g, const struct kg_image *img, uint64_t extra,
		  uint64_t rdi, uint64_t rsi)
{
	g->img = img;
	REQUIRE_ST(ohv_client_create_partition(g->root, NULL, &g->id),
		   HV_STATUS_SUCCESS);
	g->privileges = extra & KG_PRIV_EXACT ? extra & ~KG_PRIV_EXACT :
			OHV_CHILD_PRIVILEGES | extra;
	REQUIRE_ST(ohv_call_set_partition_property(
			   g->root, g->id, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
			   g->privileges), HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_client_initialize_partition(g->root, g->id),
		   HV_STATUS_SUCCESS);
	REQUIRE(ohv_root_alloc_many(g->hv, OHV_ANY_NODE, g->pages, KG_PAGES) ==
		KG_PAGES);
	build_memory(g);
	REQUIRE_ST(ohv_client_map_gpa_pages(g->root, g->id, 0,
					    HV_MAP_GPA_READABLE |
					    HV_MAP_GPA_WRITABLE |
					    HV_MAP_GPA_EXECUTABLE,
					    g->pages, KG_PAGES, NULL),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_client_create_vp(g->root, g->id, 0,
					(struct hv_proximity_domain_info){ 0 }),
		   HV_STATUS_SUCCESS);
	set_long_mode(g, rdi, rsi);
}

void kg_start(struct kg *g, const struct kg_image *img, uint64_t extra,
	      uint64_t rdi, uint64_t rsi)
{
	memset(g, 0, sizeof(*g));
	g->hv = kg_open();
	REQUIRE(ohv_client_open(g->hv, 0, &g->root) == 0);
	start(g, img, extra, rdi, rsi);
}

void kg_start_next(struct kg *g, struct kg *first,
		   const struct kg_image *img, uint64_t extra, uint64_t rdi,
		   uint64_t rsi)
{
	memset(g, 0, sizeof(*g));
	g->hv = first->hv;
	g->root = first->root;
	g->shared = 1;
	start(g, img, extra, rdi, rsi);
}

void kg_map_ro(struct kg *g, uint64_t first)
{
	REQUIRE(ohv_root_alloc(g->hv, OHV_ANY_NODE, &g->ro_page) == 0);
	memset(kg_ptr(g, KG_RO_PAGE, HV_PAGE_SIZE), 0, HV_PAGE_SIZE);
	put64(g, KG_RO_PAGE, first);
	REQUIRE_ST(ohv_client_map_gpa_pages(g->root, g->id, KG_RO_PAGE >> 12,
					    HV_MAP_GPA_READABLE |
					    HV_MAP_GPA_EXECUTABLE,
					    &g->ro_page, 1, NULL),
		   HV_STATUS_SUCCESS);
}

int kg_run(struct kg *g)
{
	memset(&g->msg, 0, sizeof(g->msg));
	return ohv_vp_run(g->hv, g->id, 0, &g->msg);
}

static const char *type_name(uint32_t type)
{
	switch (type) {
	case HVMSG_X64_IO_PORT_INTERCEPT: return "I/O port";
	case HVMSG_UNMAPPED_GPA: return "unmapped GPA";
	case HVMSG_GPA_INTERCEPT: return "GPA intercept";
	case HVMSG_X64_HALT: return "halt";
	case HVMSG_UNRECOVERABLE_EXCEPTION: return "unrecoverable exception";
	case HVMSG_INVALID_VP_REGISTER_VALUE: return "invalid VP register value";
	case HVMSG_X64_MSR_INTERCEPT: return "MSR";
	case HVMSG_X64_CPUID_INTERCEPT: return "CPUID";
	case HVMSG_X64_EXCEPTION_INTERCEPT: return "exception";
	default: return "message";
	}
}

const char *kg_describe(const struct hv_message *msg, char *buf, size_t len)
{
	uint32_t type = msg->header.message_type;
	const struct hv_x64_intercept_message_header *h =
		(const void *)msg->payload;
	int n = snprintf(buf, len, "%s (type 0x%x), rip 0x%" PRIx64,
			 type_name(type), type, h->rip);

	if (n < 0 || (size_t)n >= len)
		return buf;
	if (type == HVMSG_X64_IO_PORT_INTERCEPT) {
		const struct hv_x64_io_port_intercept_message *io =
			(const void *)msg->payload;

		snprintf(buf + n, len - (size_t)n,
			 ", port 0x%x %s, rax 0x%" PRIx64, io->port_number,
			 h->intercept_access_type ? "write" : "read", io->rax);
	} else if (type == HVMSG_UNMAPPED_GPA || type == HVMSG_GPA_INTERCEPT) {
		const struct hv_x64_memory_intercept_message *m =
			(const void *)msg->payload;

		snprintf(buf + n, len - (size_t)n, ", %s of GPA 0x%" PRIx64,
			 h->intercept_access_type == HV_INTERCEPT_ACCESS_WRITE ?
			 "write" : h->intercept_access_type ? "execute" :
			 "read", m->guest_physical_address);
	}
	return buf;
}

void kg_check_state(const char *what, const struct hv_message *msg,
		    size_t size)
{
	const struct hv_x64_intercept_message_header *h =
		(const void *)msg->payload;
	unsigned cpl = h->cs_segment.selector & 3;
	uint16_t want = (uint16_t)(cpl | HV_X64_EXEC_STATE_CR0_PE |
				   HV_X64_EXEC_STATE_CR0_AM |
				   HV_X64_EXEC_STATE_EFER_LMA);
	uint16_t mask = HV_X64_EXEC_STATE_CPL_MASK | HV_X64_EXEC_STATE_CR0_PE |
			HV_X64_EXEC_STATE_CR0_AM | HV_X64_EXEC_STATE_EFER_LMA |
			HV_X64_EXEC_STATE_INTERRUPTION_PENDING;

	CHECK_MSG((h->execution_state & mask) == want,
		  "%s: execution state 0x%x, want 0x%x (CPL %u, PE, AM, LMA, "
		  "nothing pending)", what, h->execution_state, want, cpl);
	CHECK_MSG(msg->header.payload_size >= size &&
		  msg->header.payload_size <= HV_MESSAGE_PAYLOAD_BYTE_COUNT,
		  "%s: payload size %u, the message is %zu bytes", what,
		  msg->header.payload_size, size);
}

static bool in_image(const struct kg *g, uint64_t rip, size_t n)
{
	return rip >= KG_IMAGE &&
	       rip + n <= KG_IMAGE + (uint64_t)(g->img->end - g->img->start);
}

uint64_t kg_take_report(struct kg *g, int rc, const struct hv_message *msg,
			const char *what)
{
	const struct hv_x64_io_port_intercept_message *io =
		(const void *)msg->payload;
	const struct hv_x64_intercept_message_header *h = &io->header;
	char buf[160];

	if (!CHECK_MSG(rc == 0, "%s: ohv_vp_run returned %d (%s)", what, rc,
		       strerror(rc < 0 ? -rc : rc)))
		t_stop();
	if (!CHECK_MSG(msg->header.message_type == HVMSG_X64_IO_PORT_INTERCEPT &&
		       io->port_number == KG_PORT,
		       "%s: want a report (I/O write to 0x%x), got %s", what,
		       KG_PORT, kg_describe(msg, buf, sizeof(buf))))
		t_stop();
	/* The intercepted instruction is `out %eax, $KG_PORT` (E7 imm8),
	 * not yet executed (spec.md §11.4). */
	bool ok = CHECK_MSG(in_image(g, h->rip, 2), "%s: rip 0x%" PRIx64
			    " outside the image", what, h->rip);

	if (ok) {
		const uint8_t *code = kg_ptr(g, h->rip, 2);

		ok = CHECK_MSG(code[0] == 0xE7 && code[1] == KG_PORT,
			       "%s: rip 0x%" PRIx64 " holds %02x %02x, not the "
			       "out", what, h->rip, code[0], code[1]);
	}
	CHECK_MSG(h->vp_index == 0, "%s: vp_index %u", what, h->vp_index);
	CHECK_MSG((h->instruction_length_cr8 & 0xF) == 2,
		  "%s: instruction length %u, want 2", what,
		  h->instruction_length_cr8 & 0xF);
	CHECK_MSG(h->intercept_access_type == HV_INTERCEPT_ACCESS_WRITE,
		  "%s: access type %u, want write", what,
		  h->intercept_access_type);
	CHECK_MSG((io->access_info & HV_X64_IO_ACCESS_SIZE_MASK) == 4 &&
		  !(io->access_info & (HV_X64_IO_ACCESS_STRING |
				       HV_X64_IO_ACCESS_REP)),
		  "%s: access info 0x%x, want a 4-byte plain access", what,
		  io->access_info);
	CHECK_MSG(h->cs_segment.selector == KG_SEL_CODE ||
		  h->cs_segment.selector == KG_SEL_UCODE,
		  "%s: CS selector 0x%x", what, h->cs_segment.selector);
	CHECK_MSG(h->rflags & 0x2, "%s: rflags 0x%" PRIx64 " (bit 1 is always "
		  "set)", what, h->rflags);
	kg_check_state(what, msg, sizeof(*io));
	if (io->instruction_byte_count)
		CHECK_MSG(io->instruction_byte_count >= 2 &&
			  io->instruction_byte_count <= 16 &&
			  io->instruction_bytes[0] == 0xE7 &&
			  io->instruction_bytes[1] == KG_PORT,
			  "%s: instruction bytes (%u) %02x %02x", what,
			  io->instruction_byte_count, io->instruction_bytes[0],
			  io->instruction_bytes[1]);
	if (!ok)
		t_stop();
	g->msg = *msg;
	kg_skip(g);
	return io->rax;
}

uint64_t kg_report(struct kg *g, const char *what)
{
	int rc = kg_run(g);

	return kg_take_report(g, rc, &g->msg, what);
}

void kg_exception(struct kg *g, const char *what, unsigned vector,
		  uint64_t *error, uint64_t *rip, uint64_t *cs)
{
	char w[96];
	uint64_t v = kg_report(g, what);

	if (!CHECK_MSG(v == (KG_EXC | vector),
		       "%s: want exception %u, got report 0x%" PRIx64, what,
		       vector, v))
		t_stop();
	snprintf(w, sizeof(w), "%s: error code", what);
	*error = kg_report(g, w);
	snprintf(w, sizeof(w), "%s: RIP", what);
	*rip = kg_report(g, w);
	snprintf(w, sizeof(w), "%s: CS", what);
	*cs = kg_report(g, w);
}

/* A kick after ms unless stopped first. */
struct watchdog {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct kg *g;
	unsigned ms;
	int stop, fired;
};

static void deadline(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static void *watchdog_main(void *arg)
{
	struct watchdog *w = arg;
	struct timespec ts;
	int rc = 0;

	deadline(&ts, w->ms);
	pthread_mutex_lock(&w->lock);
	while (!w->stop && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&w->cond, &w->lock, &ts);
	if (!w->stop) {
		w->fired = 1;
		ohv_vp_kick(w->g->hv, w->g->id, 0);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

void kg_run_to(struct kg *g, uint32_t type, const char *what)
{
	struct watchdog w = { .g = g, .ms = KG_WAIT_MS };
	char buf[160];

	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	REQUIRE(pthread_create(&w.thread, NULL, watchdog_main, &w) == 0);
	int rc = kg_run(g);

	pthread_mutex_lock(&w.lock);
	w.stop = 1;
	pthread_cond_signal(&w.cond);
	pthread_mutex_unlock(&w.lock);
	pthread_join(w.thread, NULL);
	if (!CHECK_MSG(!w.fired, "%s: no intercept within %u ms (run: %d)",
		       what, KG_WAIT_MS, rc))
		t_stop();
	if (!CHECK_MSG(rc == 0, "%s: ohv_vp_run returned %d", what, rc))
		t_stop();
	if (!CHECK_MSG(g->msg.header.message_type == type,
		       "%s: want %s (type 0x%x), got %s", what, type_name(type),
		       type, kg_describe(&g->msg, buf, sizeof(buf))))
		t_stop();
	CHECK_MSG(((const struct hv_x64_intercept_message_header *)
		   g->msg.payload)->vp_index == 0, "%s: vp_index", what);
	if (type == HVMSG_X64_HALT)
		kg_check_state(what, &g->msg,
			       sizeof(struct hv_x64_intercept_message_header));
}

uint64_t kg_get_reg(struct kg *g, uint32_t name)
{
	uint64_t v = 0;

	REQUIRE_ST(ohv_call_get_vp_register(g->root, g->id, 0, name, &v),
		   HV_STATUS_SUCCESS);
	return v;
}

void kg_set_reg(struct kg *g, uint32_t name, uint64_t value)
{
	REQUIRE_ST(ohv_call_set_vp_register(g->root, g->id, 0, name, value),
		   HV_STATUS_SUCCESS);
}

bool kg_halted_at(struct kg *g, uint64_t rip)
{
	return (in_image(g, rip, 1) &&
		*(const uint8_t *)kg_ptr(g, rip, 1) == 0xF4) ||
	       (in_image(g, rip - 1, 1) &&
		*(const uint8_t *)kg_ptr(g, rip - 1, 1) == 0xF4);
}

void kg_skip(struct kg *g)
{
	const struct hv_x64_intercept_message_header *h =
		(const void *)g->msg.payload;

	kg_set_reg(g, HV_X64_REGISTER_RIP,
		   h->rip + (h->instruction_length_cr8 & 0xF));
}

void kg_end(struct kg *g)
{
	char why[256];

	if (!g->destroyed)
		CHECK_ST(ohv_client_destroy_partition(g->root, g->id),
			 HV_STATUS_SUCCESS);
	CHECK_MSG(ohv_debug_check(g->hv, why, sizeof(why)) == 0,
		  "invariants: %s", why);
	if (!g->shared) {
		ohv_client_close(g->root);
		ohv_close(g->hv);
	}
	memset(g, 0, sizeof(*g));
}

static void *runner_main(void *arg)
{
	struct kg_runner *r = arg;
	struct hv_message msg;
	int rc = ohv_vp_run(r->g->hv, r->g->id, 0, &msg);

	pthread_mutex_lock(&r->lock);
	r->rc = rc;
	r->msg = msg;
	r->done = 1;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

void kg_runner_start(struct kg_runner *r, struct kg *g)
{
	memset(r, 0, sizeof(*r));
	r->g = g;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	REQUIRE(pthread_create(&r->thread, NULL, runner_main, r) == 0);
}

bool kg_runner_wait(struct kg_runner *r, unsigned ms)
{
	struct timespec ts;
	int rc = 0;

	deadline(&ts, ms);
	pthread_mutex_lock(&r->lock);
	while (!r->done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&r->cond, &r->lock, &ts);
	bool done = r->done;

	pthread_mutex_unlock(&r->lock);
	return done;
}

bool kg_runner_finish(struct kg_runner *r, const char *what)
{
	bool unkicked = kg_runner_wait(r, KG_WAIT_MS);

	if (!unkicked) {
		CHECK_MSG(0, "%s: ohv_vp_run still running after %u ms; kicked",
			  what, KG_WAIT_MS);
		ohv_vp_kick(r->g->hv, r->g->id, 0);
		if (!CHECK_MSG(kg_runner_wait(r, KG_WAIT_MS),
			       "%s: ohv_vp_run ignores ohv_vp_kick", what))
			t_stop();	/* the process ends with the thread */
	}
	pthread_join(r->thread, NULL);
	return unkicked;
}

void kg_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}
