/* SPDX-License-Identifier: MIT */
/*
 * The KVM backend's figures (issue 12, "Performance"), each against raw
 * KVM doing the same in the same run:
 *
 *   kvm_lifecycle       create, deposit, initialize, create VP, map 16
 *                       pages, run to the first I/O intercept, finalize,
 *                       withdraw, delete; raw: KVM_CREATE_VM, split
 *                       irqchip, one memslot, a vCPU, KVM_RUN to the
 *                       first exit, close.
 *   guest_hypercall     a fast HvSignalEvent from a ring-0 64-bit guest
 *                       loop; raw: the same loop calling the same
 *                       `out; ret` stub, the host answering RAX = 0
 *                       through sync regs.
 *   synic_ping_pong     a message from A's VP to B's interrupt handler
 *                       and back (HvPostMessage, SINT interrupt, EOM when
 *                       pending); raw: the same guests, the host turning
 *                       each `out` into a KVM_SIGNAL_MSI to the other VM.
 *   kvm_partitions_100  100 partitions of one VP, all run to their first
 *                       intercept at once, one thread each; host memory
 *                       per partition; raw: 100 VMs the same way.
 *
 * Guests are bench/guest.S (long mode) and three bytes at the reset
 * vector (real mode).  Each figure SKIPs, with the reason, when ohv_open
 * with the KVM backend cannot serve.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openhv/client.h>

#include "bench.h"
#include "guest.h"

#if __has_include(<linux/kvm.h>)
#include <linux/kvm.h>

_Static_assert(BG_MSR_GUEST_OS_ID == HV_X64_MSR_GUEST_OS_ID, "guest.h");
_Static_assert(BG_MSR_HYPERCALL == HV_X64_MSR_HYPERCALL, "guest.h");
_Static_assert(BG_MSR_SCONTROL == HV_X64_MSR_SCONTROL, "guest.h");
_Static_assert(BG_MSR_SIMP == HV_X64_MSR_SIMP, "guest.h");
_Static_assert(BG_MSR_EOM == HV_X64_MSR_EOM, "guest.h");
_Static_assert(BG_MSR_SINT0 == HV_X64_MSR_SINT0, "guest.h");
_Static_assert(BG_CALL_POST_MESSAGE == HVCALL_POST_MESSAGE, "guest.h");
_Static_assert(BG_CALL_SIGNAL_EVENT == HVCALL_SIGNAL_EVENT, "guest.h");
_Static_assert(BG_CALL_FAST == HV_HYPERCALL_FAST_BIT, "guest.h");
_Static_assert(BG_MSG_FLAG_PENDING == HV_MESSAGE_FLAG_PENDING, "guest.h");

extern const uint8_t bg_code[], bg_code_end[], bg_hcall[], bg_pp[], bg_isr[];

#define GUEST_GPA(sym)	(BG_CODE + (uint64_t)((sym) - bg_code))

/* Bits of the long-mode state (Intel SDM vol. 3, 2.5 and 4.5). */
#define CR0_LONG	0x80050033ull	/* PG AM WP NE ET MP PE */
#define CR4_LONG	0x00000620ull	/* OSXMMEXCPT OSFXSR PAE */
#define EFER_LONG	0x00000D00ull	/* NXE LMA LME */
#define PTE_P		0x1ull
#define PTE_RW		0x2ull
#define PTE_PS		0x80ull
#define GDT_LIMIT	(5 * 8 - 1)	/* null, code, data, TSS (two) */

/* ---------------------------------------------------------------------- */
/* Guest memory, the same for openhv and raw KVM.                          */

typedef void *page_fn(void *ctx, uint64_t gpa_page);

static void put64(page_fn *page, void *ctx, uint64_t gpa, uint64_t v)
{
	memcpy((uint8_t *)page(ctx, gpa >> 12) + (gpa & 0xFFF), &v, 8);
}

/*
 * The BG_PAGES pages of guest.h: page tables identity-mapping 4 GiB, the
 * GDT and TSS, an IDT gate for BG_VECTOR, the code; raw: the hypercall
 * stub too (openhv overlays its own page there).
 */
static void build_long(page_fn *page, void *ctx, int raw)
{
	for (uint64_t i = 0; i < BG_PAGES; i++)
		memset(page(ctx, i), 0, 4096);
	put64(page, ctx, BG_PML4, BG_PDPT | PTE_P | PTE_RW);
	for (uint64_t i = 0; i < 4; i++) {
		put64(page, ctx, BG_PDPT + i * 8,
		      (BG_PD + i * 4096) | PTE_P | PTE_RW);
		for (uint64_t j = 0; j < 512; j++)
			put64(page, ctx, BG_PD + i * 4096 + j * 8,
			      (i << 30 | j << 21) | PTE_P | PTE_RW | PTE_PS);
	}
	put64(page, ctx, BG_GDT + 8, 0x00AF9B000000FFFFull);	/* code64 */
	put64(page, ctx, BG_GDT + 16, 0x00CF93000000FFFFull);	/* data */
	put64(page, ctx, BG_GDT + 24, 0x67 | (uint64_t)(BG_TSS & 0xFFFFFF) << 16 |
				      0x8Bull << 40 |
				      (uint64_t)(BG_TSS >> 24 & 0xFF) << 56);
	uint64_t isr = GUEST_GPA(bg_isr);

	put64(page, ctx, BG_IDT + BG_VECTOR * 16,
	      (isr & 0xFFFF) | (uint64_t)BG_SEL_CODE << 16 | 0x8Eull << 40 |
	      (isr >> 16 & 0xFFFF) << 48);
	size_t len = (size_t)(bg_code_end - bg_code);

	if (len > 4096)
		die("guest code over a page", (long)len);
	memcpy(page(ctx, BG_CODE >> 12), bg_code, len);
	if (raw) {
		static const uint8_t stub[] = { 0xE6, BG_HC_PORT, 0xC3 };

		memcpy(page(ctx, BG_HCALL >> 12), stub, sizeof(stub));
	}
}

/* The real-mode guest: `out %al, $BG_PORT; hlt` at 0xFFFFFFF0. */
static void build_reset(uint8_t *last_page)
{
	static const uint8_t code[] = { 0xE6, BG_PORT, 0xF4 };

	memset(last_page, 0, 4096);
	memcpy(last_page + 0xFF0, code, sizeof(code));
}

/* ---------------------------------------------------------------------- */
/* openhv.                                                                 */

static const char *skip_why;
static char skip_buf[96];

/* An instance with the KVM backend, or NULL with skip_why set. */
static struct ohv *kvm_instance(uint64_t pages, uint32_t root_vps)
{
	struct ohv_config cfg;
	struct ohv *hv = NULL;

	ohv_config_init(&cfg);
	cfg.backend = OHV_BACKEND_KVM;
	cfg.memory_pages = pages;
	cfg.root_vps = root_vps;
	int rc = ohv_open(&cfg, &hv);

	if (rc) {
		snprintf(skip_buf, sizeof(skip_buf),
			 "ohv_open with the KVM backend: %s", strerror(-rc));
		skip_why = skip_buf;
		return NULL;
	}
	return hv;
}

struct child {
	struct ohv *hv;
	struct ohv_client *root;
	uint64_t id;
	uint64_t pages[BG_PAGES];	/* root pages behind its RAM */
};

static void *child_page(void *ctx, uint64_t gpa_page)
{
	struct child *c = ctx;
	void *p = ohv_gpa(c->hv, ohv_root_id(c->hv), c->pages[gpa_page] << 12,
			  4096);

	if (!p)
		die("ohv_gpa", (long)gpa_page);
	return p;
}

#define CHECK_ST(st, what) \
	do { hv_status_t s_ = (st); if (s_) die(what, (long)s_); } while (0)

/*
 * A child as the lifecycle makes it: create, deposit and
 * initialize (privileges first), c->pages mapped RWX at gpa_page, VP 0.
 */
static void child_make(struct child *c, uint64_t privileges, uint64_t gpa_page)
{
	CHECK_ST(ohv_client_create_partition(c->root, NULL, &c->id), "create");
	if (privileges)
		CHECK_ST(ohv_call_set_partition_property(c->root, c->id,
			HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
			OHV_CHILD_PRIVILEGES | privileges), "privileges");
	CHECK_ST(ohv_client_initialize_partition(c->root, c->id), "initialize");
	CHECK_ST(ohv_client_map_gpa_pages(c->root, c->id, gpa_page,
		HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE |
		HV_MAP_GPA_EXECUTABLE, c->pages, BG_PAGES, NULL), "map");
	CHECK_ST(ohv_client_create_vp(c->root, c->id, 0,
		(struct hv_proximity_domain_info){ 0 }), "create vp");
}

static struct hv_register_assoc reg64(uint32_t name, uint64_t v)
{
	struct hv_register_assoc r = { .name = name };

	r.value.reg64 = v;
	return r;
}

static struct hv_register_assoc seg(uint32_t name, uint16_t sel,
				    uint16_t attr, uint64_t base, uint32_t limit)
{
	struct hv_register_assoc r = { .name = name };

	r.value.segment = (struct hv_x64_segment_register){
		.base = base, .limit = limit, .selector = sel,
		.attributes = attr,
	};
	return r;
}

/* VP 0 in long mode at entry, one HvSetVpRegisters (the backend loads
 * the special registers as a state when the VP runs). */
static void child_long_mode(struct child *c, uint64_t entry, uint64_t rdi,
			    uint64_t rsi, uint64_t rdx)
{
	struct hv_register_assoc gdtr = { .name = HV_X64_REGISTER_GDTR },
				 idtr = { .name = HV_X64_REGISTER_IDTR };

	gdtr.value.table.base = BG_GDT;
	gdtr.value.table.limit = GDT_LIMIT;
	idtr.value.table.base = BG_IDT;
	idtr.value.table.limit = 256 * 16 - 1;
	const struct hv_register_assoc regs[] = {
		gdtr, idtr,
		reg64(HV_X64_REGISTER_CR4, CR4_LONG),
		reg64(HV_X64_REGISTER_CR3, BG_PML4),
		reg64(HV_X64_REGISTER_CR0, CR0_LONG),
		reg64(HV_X64_REGISTER_EFER, EFER_LONG),
		seg(HV_X64_REGISTER_TR, BG_SEL_TSS, 0x008B, BG_TSS, 0x67),
		seg(HV_X64_REGISTER_DS, BG_SEL_DATA, 0xC093, 0, 0xFFFFFFFF),
		seg(HV_X64_REGISTER_ES, BG_SEL_DATA, 0xC093, 0, 0xFFFFFFFF),
		seg(HV_X64_REGISTER_FS, BG_SEL_DATA, 0xC093, 0, 0xFFFFFFFF),
		seg(HV_X64_REGISTER_GS, BG_SEL_DATA, 0xC093, 0, 0xFFFFFFFF),
		seg(HV_X64_REGISTER_SS, BG_SEL_DATA, 0xC093, 0, 0xFFFFFFFF),
		seg(HV_X64_REGISTER_CS, BG_SEL_CODE, 0xA09B, 0, 0xFFFFFFFF),
		reg64(HV_X64_REGISTER_RFLAGS, 0x2),
		reg64(HV_X64_REGISTER_RSP, BG_STACK_TOP),
		reg64(HV_X64_REGISTER_RDI, rdi),
		reg64(HV_X64_REGISTER_RSI, rsi),
		reg64(HV_X64_REGISTER_RDX, rdx),
		reg64(HV_X64_REGISTER_RIP, entry),
	};

	CHECK_ST(ohv_call_set_vp_registers(c->root, c->id, 0, regs,
		sizeof(regs) / sizeof(regs[0]), NULL), "long-mode registers");
}

/*
 * Run VP 0 to its next report (an I/O intercept on BG_PORT), then move
 * RIP past the `out` as the parent completing it: RAX and RCX of the
 * report.  Anything else stops the bench, decoded.
 */
static uint64_t child_report(struct child *c, struct ohv_client *root,
			     uint64_t *rcx)
{
	struct hv_message m;
	int rc = ohv_vp_run(c->hv, c->id, 0, &m);
	const struct hv_x64_io_port_intercept_message *io = (const void *)m.payload;

	if (rc)
		die("ohv_vp_run", rc);
	if (m.header.message_type != HVMSG_X64_IO_PORT_INTERCEPT ||
	    io->port_number != BG_PORT) {
		fprintf(stderr, "bench: intercept 0x%x (port 0x%x) at rip 0x%llx\n",
			m.header.message_type, io->port_number,
			(unsigned long long)io->header.rip);
		die("guest report", (long)m.header.message_type);
	}
	CHECK_ST(ohv_call_set_vp_register(root, c->id, 0, HV_X64_REGISTER_RIP,
		io->header.rip + (io->header.instruction_length_cr8 & 0xF)),
		"RIP past the report");
	if (rcx)
		*rcx = io->rcx;
	return io->rax;
}

/* ---------------------------------------------------------------------- */
/* Raw KVM.                                                                */

struct raw {
	int vm, cpu;
	int cpuid_set;
	struct kvm_run *run;
};

static int kvm_fd = -1, run_size;
static struct kvm_cpuid2 *cpuid;

static int raw_open(void)
{
	if (kvm_fd >= 0)
		return 0;
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		return -errno;
	run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	cpuid = calloc(1, sizeof(*cpuid) + 256 * sizeof(cpuid->entries[0]));
	if (run_size <= 0 || !cpuid)
		die("KVM_GET_VCPU_MMAP_SIZE", run_size);
	cpuid->nent = 256;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid))
		die("KVM_GET_SUPPORTED_CPUID", errno);
	return 0;
}

static int xioctl(int fd, unsigned long req, void *arg, const char *what)
{
	int rc = ioctl(fd, req, arg);

	if (rc < 0)
		die(what, errno);
	return rc;
}

/* A VM with the split irqchip, one slot of len bytes at gpa, vCPU 0. */
static void raw_make(struct raw *r, void *mem, uint64_t gpa, uint64_t len)
{
	struct kvm_enable_cap split = {
		.cap = KVM_CAP_SPLIT_IRQCHIP, .args = { 24 },
	};
	struct kvm_userspace_memory_region slot = {
		.slot = 0, .guest_phys_addr = gpa, .memory_size = len,
		.userspace_addr = (uintptr_t)mem,
	};

	r->vm = xioctl(kvm_fd, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
	xioctl(r->vm, KVM_ENABLE_CAP, &split, "split irqchip");
	xioctl(r->vm, KVM_SET_USER_MEMORY_REGION, &slot, "memslot");
	r->cpu = xioctl(r->vm, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU");
	r->cpuid_set = 0;
	r->run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED, r->cpu, 0);
	if (r->run == MAP_FAILED)
		die("mmap kvm_run", errno);
}

static void raw_close(struct raw *r)
{
	munmap(r->run, (size_t)run_size);
	close(r->cpu);
	close(r->vm);
}

/* KVM_RUN until an exit that is not EINTR. */
static void raw_run(struct raw *r)
{
	while (ioctl(r->cpu, KVM_RUN, 0) < 0)
		if (errno != EINTR && errno != EAGAIN)
			die("KVM_RUN", errno);
}

static void *raw_page(void *ctx, uint64_t gpa_page)
{
	return (uint8_t *)ctx + gpa_page * 4096;
}

/* The long-mode state of child_long_mode, with KVM's ioctls. */
static void raw_long_mode(struct raw *r, uint64_t entry, uint64_t rdi,
			  uint64_t rsi, uint64_t rdx)
{
	struct kvm_sregs s;
	struct kvm_segment code = {
		.limit = 0xFFFFFFFF, .selector = BG_SEL_CODE, .type = 11,
		.present = 1, .s = 1, .l = 1, .g = 1,
	}, data = {
		.limit = 0xFFFFFFFF, .selector = BG_SEL_DATA, .type = 3,
		.present = 1, .s = 1, .db = 1, .g = 1,
	}, tr = {
		.base = BG_TSS, .limit = 0x67, .selector = BG_SEL_TSS,
		.type = 11, .present = 1,
	};
	struct kvm_regs g = {
		.rflags = 2, .rsp = BG_STACK_TOP, .rip = entry,
		.rdi = rdi, .rsi = rsi, .rdx = rdx,
	};

	/* Once per vCPU: after its first KVM_RUN, KVM takes only the CPUID
	 * it already has, which the run may have changed (OSXSAVE, APIC). */
	if (!r->cpuid_set) {
		xioctl(r->cpu, KVM_SET_CPUID2, cpuid, "KVM_SET_CPUID2");
		r->cpuid_set = 1;
	}
	xioctl(r->cpu, KVM_GET_SREGS, &s, "KVM_GET_SREGS");
	s.cs = code;
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.tr = tr;
	s.gdt.base = BG_GDT;
	s.gdt.limit = GDT_LIMIT;
	s.idt.base = BG_IDT;
	s.idt.limit = 256 * 16 - 1;
	s.cr0 = CR0_LONG;
	s.cr3 = BG_PML4;
	s.cr4 = CR4_LONG;
	s.efer = EFER_LONG;
	xioctl(r->cpu, KVM_SET_SREGS, &s, "KVM_SET_SREGS");
	xioctl(r->cpu, KVM_SET_REGS, &g, "KVM_SET_REGS");
	r->run->kvm_valid_regs = KVM_SYNC_X86_REGS;
}

static int raw_is_out(const struct raw *r, uint16_t port)
{
	return r->run->exit_reason == KVM_EXIT_IO &&
	       r->run->io.direction == KVM_EXIT_IO_OUT && r->run->io.port == port;
}

/* Answer the stub's `out` as a hypercall: RAX = 0 through sync regs. */
static void raw_answer(struct raw *r)
{
	r->run->s.regs.regs.rax = 0;
	r->run->kvm_dirty_regs = KVM_SYNC_X86_REGS;
}

/* ---------------------------------------------------------------------- */
/* kvm_lifecycle.                                                          */

static void ohv_lifecycle(struct child *c)
{
	struct hv_message m;

	child_make(c, 0, BG_RESET_GPA >> 12);
	int rc = ohv_vp_run(c->hv, c->id, 0, &m);
	const struct hv_x64_io_port_intercept_message *io = (const void *)m.payload;

	if (rc || m.header.message_type != HVMSG_X64_IO_PORT_INTERCEPT ||
	    io->port_number != BG_PORT)
		die("kvm_lifecycle: first intercept", rc ? rc : (long)m.header.message_type);
	CHECK_ST(ohv_client_destroy_partition(c->root, c->id), "destroy");
}

static void raw_lifecycle(void *mem)
{
	struct raw r;

	raw_make(&r, mem, BG_RESET_GPA, BG_PAGES * 4096);
	raw_run(&r);
	if (!raw_is_out(&r, BG_PORT))
		die("kvm_lifecycle raw: first exit", r.run->exit_reason);
	raw_close(&r);
}

static void bench_kvm_lifecycle(void)
{
	struct child c = { 0 };
	const unsigned n = 4;
	double mine[64], base[64];

	c.hv = kvm_instance(16384, 1);
	if (!c.hv) {
		skip("kvm_lifecycle", skip_why);
		return;
	}
	if (raw_open())
		die("open /dev/kvm", errno);
	if (ohv_client_open(c.hv, 0, &c.root) ||
	    ohv_root_alloc_many(c.hv, OHV_ANY_NODE, c.pages, BG_PAGES) != BG_PAGES)
		die("kvm_lifecycle setup", 0);
	build_reset(child_page(&c, BG_PAGES - 1));
	uint8_t *mem = mmap(NULL, BG_PAGES * 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		die("mmap", errno);
	build_reset(mem + (BG_PAGES - 1) * 4096);
	/* Run 0 warms up; raw and openhv alternate within each run. */
	for (unsigned r = 0; r <= reps; r++) {
		uint64_t t0 = now_ns();

		for (unsigned i = 0; i < n; i++)
			raw_lifecycle(mem);
		uint64_t t1 = now_ns();

		for (unsigned i = 0; i < n; i++)
			ohv_lifecycle(&c);
		uint64_t t2 = now_ns();

		if (r) {
			base[r - 1] = (double)(t1 - t0) / n / 1000.0;
			mine[r - 1] = (double)(t2 - t1) / n / 1000.0;
		}
	}
	munmap(mem, BG_PAGES * 4096);
	ohv_root_free_many(c.hv, c.pages, BG_PAGES);
	ohv_client_close(c.root);
	ohv_close(c.hv);

	double ratios[64];

	for (unsigned r = 0; r < reps; r++)
		ratios[r] = mine[r] / base[r];
	double ratio = median(ratios, reps);

	add("kvm_lifecycle", median(mine, reps), "us", "", -1);
	add("kvm_lifecycle_raw", median(base, reps), "us", "baseline", -1);
	add("kvm_lifecycle_ratio", ratio, "x", "<= 1.25", ratio <= 1.25);
}

/* ---------------------------------------------------------------------- */
/* guest_hypercall.                                                        */

/*
 * The event port the child signals: in a second child (its VP 0's SynIC
 * on, SIEF page in its memory), with the first child's connection to it.
 * Not in the root: HvSetVpRegisters of a root VP's SynIC registers
 * crashes the KVM backend (kvm_vp_reg is called with the root VP's NULL
 * vCPU), see docs/performance.md.  Only the first signal sets the flag and
 * interrupts; the others find it set, and all return SUCCESS.
 */
#define EVT_PORT	0x31
#define EVT_CONN	0x47
#define EVT_SINT	5
#define EVT_FLAG	3

static void event_port(struct child *c, struct child *target)
{
	memset(child_page(target, BG_SIEF >> 12), 0, 4096);
	const struct hv_register_assoc regs[] = {
		reg64(HV_REGISTER_SIEFP, BG_SIEF | HV_SYNIC_SIEFP_ENABLE),
		reg64(HV_REGISTER_SINT0 + EVT_SINT, 0x40),
		reg64(HV_REGISTER_SCONTROL, HV_SYNIC_SCONTROL_ENABLE),
	};
	CHECK_ST(ohv_call_set_vp_registers(c->root, target->id, 0, regs, 3,
					   NULL), "target SynIC");
	struct hv_input_create_port port = {
		.port_partition_id = target->id, .port_id = EVT_PORT,
		.connection_partition_id = c->id,
		.port_info = { .port_type = HV_PORT_TYPE_EVENT },
	};
	port.port_info.event_port_info.target_sint = EVT_SINT;
	port.port_info.event_port_info.flag_count = 16;
	CHECK_ST(ohv_client_create_port(c->root, &port), "event port");
	struct hv_input_connect_port conn = {
		.connection_partition_id = c->id, .connection_id = EVT_CONN,
		.port_partition_id = target->id, .port_id = EVT_PORT,
		.connection_info = { .port_type = HV_PORT_TYPE_EVENT },
	};
	CHECK_ST(ohv_client_connect_port(c->root, &conn), "connection");
}

static void bench_guest_hypercall(void)
{
	struct child c = { 0 }, t = { 0 };
	const uint64_t n = 1000;
	const uint64_t input = EVT_CONN | (uint64_t)EVT_FLAG << 32;
	double mine[64], base[64], ratios[64];
	uint64_t status = 0;

	c.hv = kvm_instance(16384, 1);
	if (!c.hv) {
		skip("guest_hypercall", skip_why);
		return;
	}
	if (raw_open())
		die("open /dev/kvm", errno);
	if (ohv_client_open(c.hv, 0, &c.root) ||
	    ohv_root_alloc_many(c.hv, OHV_ANY_NODE, c.pages, BG_PAGES) != BG_PAGES ||
	    ohv_root_alloc_many(c.hv, OHV_ANY_NODE, t.pages, BG_PAGES) != BG_PAGES)
		die("guest_hypercall setup", 0);
	t.hv = c.hv;
	t.root = c.root;
	child_make(&c, HV_PARTITION_PRIV_SIGNAL_EVENTS, 0);
	child_make(&t, 0, 0);
	event_port(&c, &t);
	uint8_t *mem = mmap(NULL, BG_PAGES * 4096, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct raw r;

	if (mem == MAP_FAILED)
		die("mmap", errno);
	build_long(raw_page, mem, 1);
	raw_make(&r, mem, 0, BG_PAGES * 4096);

	for (unsigned k = 0; k <= reps; k++) {
		/* Raw: the same loop; its first exit is the ready report. */
		raw_long_mode(&r, GUEST_GPA(bg_hcall), BG_RAW, n, input);
		raw_run(&r);
		if (!raw_is_out(&r, BG_PORT))
			die("guest_hypercall raw: ready", r.run->exit_reason);
		uint64_t t0 = now_ns(), calls = 0;

		for (;;) {
			raw_run(&r);
			if (raw_is_out(&r, BG_PORT))
				break;
			if (!raw_is_out(&r, BG_HC_PORT))
				die("guest_hypercall raw: exit", r.run->exit_reason);
			raw_answer(&r);
			calls++;
		}
		uint64_t t1 = now_ns();

		if (calls != n)
			die("guest_hypercall raw: calls", (long)calls);

		/* openhv: the guest sets up its hypercall page, reports. */
		build_long(child_page, &c, 0);
		child_long_mode(&c, GUEST_GPA(bg_hcall), 0, n, input);
		child_report(&c, c.root, NULL);
		uint64_t t2 = now_ns();

		status = child_report(&c, c.root, NULL);
		uint64_t t3 = now_ns();

		if (k) {
			base[k - 1] = (double)(t1 - t0) / n / 1000.0;
			mine[k - 1] = (double)(t3 - t2) / n / 1000.0;
			ratios[k - 1] = mine[k - 1] / base[k - 1];
		}
	}
	raw_close(&r);
	munmap(mem, BG_PAGES * 4096);
	CHECK_ST(ohv_client_destroy_partition(c.root, c.id), "destroy");
	CHECK_ST(ohv_client_destroy_partition(c.root, t.id), "destroy");
	ohv_client_close(c.root);
	ohv_close(c.hv);
	if ((status & 0xFFFF) != HV_STATUS_SUCCESS)
		die("guest_hypercall: HvSignalEvent status", (long)status);

	double ratio = median(ratios, reps);

	add("guest_hypercall", median(mine, reps), "us", "SUCCESS", -1);
	add("guest_hypercall_raw_out", median(base, reps), "us", "baseline", -1);
	add("guest_hypercall_ratio", ratio, "x", "<= 1.3", ratio <= 1.3);
}

/* ---------------------------------------------------------------------- */
/* synic_ping_pong.                                                        */

#define PP_CONN_TO_A	0x51
#define PP_CONN_TO_B	0x52
#define PP_PORT		0x21

/* A message port of to's VP 0 on BG_SINT, and from's connection to it. */
static void message_port(struct child *root, uint64_t from, uint64_t to,
			 uint32_t conn_id)
{
	struct hv_input_create_port port = {
		.port_partition_id = to, .port_id = PP_PORT,
		.connection_partition_id = from,
		.port_info = { .port_type = HV_PORT_TYPE_MESSAGE },
	};
	port.port_info.message_port_info.target_sint = BG_SINT;
	CHECK_ST(ohv_client_create_port(root->root, &port), "message port");
	struct hv_input_connect_port conn = {
		.connection_partition_id = from, .connection_id = conn_id,
		.port_partition_id = to, .port_id = PP_PORT,
		.connection_info = { .port_type = HV_PORT_TYPE_MESSAGE },
	};
	CHECK_ST(ohv_client_connect_port(root->root, &conn), "connection");
}

/* One side's thread: run to the ready report, meet the other, time the
 * run to the end report. */
struct side {
	pthread_barrier_t *ready;
	struct child *c;		/* openhv, or NULL */
	struct ohv_client *root;	/* this thread's root VP */
	struct raw *r, *peer;		/* raw KVM */
	uint64_t ns, taken, failed;
};

static void *ohv_side(void *arg)
{
	struct side *s = arg;

	child_report(s->c, s->root, NULL);
	pthread_barrier_wait(s->ready);
	uint64_t t0 = now_ns();

	s->taken = child_report(s->c, s->root, &s->failed);
	s->ns = now_ns() - t0;
	return NULL;
}

static void *raw_side(void *arg)
{
	struct side *s = arg;
	struct kvm_msi msi = { .address_lo = 0xFEE00000u, .data = BG_VECTOR };

	raw_run(s->r);
	if (!raw_is_out(s->r, BG_PORT))
		die("synic_ping_pong raw: ready", s->r->run->exit_reason);
	pthread_barrier_wait(s->ready);
	uint64_t t0 = now_ns();

	for (;;) {
		raw_run(s->r);
		if (raw_is_out(s->r, BG_PORT))
			break;
		if (!raw_is_out(s->r, BG_HC_PORT))
			die("synic_ping_pong raw: exit", s->r->run->exit_reason);
		raw_answer(s->r);
		if (ioctl(s->peer->vm, KVM_SIGNAL_MSI, &msi) != 1)
			die("KVM_SIGNAL_MSI", errno);
	}
	s->ns = now_ns() - t0;
	s->taken = s->r->run->s.regs.regs.rax;
	s->failed = 0;
	return NULL;
}

/* Both sides at once; the starting side's time per round trip, in us. */
static double pair(struct side s[2], void *(*fn)(void *), uint64_t n)
{
	pthread_barrier_t ready;
	pthread_t t[2];

	pthread_barrier_init(&ready, NULL, 2);
	for (int i = 0; i < 2; i++) {
		s[i].ready = &ready;
		if (pthread_create(&t[i], NULL, fn, &s[i]))
			die("pthread_create", 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&ready);
	for (int i = 0; i < 2; i++)
		if (s[i].taken != n || s[i].failed)
			die("synic_ping_pong: messages taken / a post failed",
			    (long)(s[i].failed ? s[i].failed : s[i].taken));
	return (double)s[0].ns / n / 1000.0;
}

static void bench_synic_ping_pong(void)
{
	struct child a = { 0 }, b = { 0 };
	struct ohv_client *vp1;
	const uint64_t n = 300;
	const uint64_t priv = HV_PARTITION_PRIV_POST_MESSAGES;
	double mine[64], base[64], ratios[64];

	a.hv = kvm_instance(16384, 2);
	if (!a.hv) {
		skip("synic_ping_pong", skip_why);
		return;
	}
	if (raw_open())
		die("open /dev/kvm", errno);
	b.hv = a.hv;
	if (ohv_client_open(a.hv, 0, &a.root) ||
	    ohv_client_open(a.hv, 1, &vp1) ||
	    ohv_root_alloc_many(a.hv, OHV_ANY_NODE, a.pages, BG_PAGES) != BG_PAGES ||
	    ohv_root_alloc_many(a.hv, OHV_ANY_NODE, b.pages, BG_PAGES) != BG_PAGES)
		die("synic_ping_pong setup", 0);
	b.root = a.root;
	uint8_t *mem[2];
	struct raw r[2];

	for (int i = 0; i < 2; i++) {
		mem[i] = mmap(NULL, BG_PAGES * 4096, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem[i] == MAP_FAILED)
			die("mmap", errno);
	}
	for (unsigned k = 0; k <= reps; k++) {
		/* Raw: two VMs, the same guests, the host as the wire. */
		for (int i = 0; i < 2; i++) {
			build_long(raw_page, mem[i], 1);
			raw_make(&r[i], mem[i], 0, BG_PAGES * 4096);
			raw_long_mode(&r[i], GUEST_GPA(bg_pp),
				      BG_RAW | (i ? 0 : BG_INIT), n, 0);
		}
		struct side rs[2] = {
			{ .r = &r[0], .peer = &r[1] }, { .r = &r[1], .peer = &r[0] },
		};
		double raw_rt = pair(rs, raw_side, n);

		for (int i = 0; i < 2; i++)
			raw_close(&r[i]);

		/* openhv: A and B, a port in each for the other. */
		child_make(&a, priv, 0);
		child_make(&b, priv, 0);
		message_port(&a, a.id, b.id, PP_CONN_TO_B);
		message_port(&a, b.id, a.id, PP_CONN_TO_A);
		build_long(child_page, &a, 0);
		build_long(child_page, &b, 0);
		child_long_mode(&a, GUEST_GPA(bg_pp), BG_INIT, n, PP_CONN_TO_B);
		child_long_mode(&b, GUEST_GPA(bg_pp), 0, n, PP_CONN_TO_A);
		struct side os[2] = {
			{ .c = &a, .root = a.root }, { .c = &b, .root = vp1 },
		};
		double ohv_rt = pair(os, ohv_side, n);

		CHECK_ST(ohv_client_destroy_partition(a.root, a.id), "destroy");
		CHECK_ST(ohv_client_destroy_partition(a.root, b.id), "destroy");
		if (k) {
			base[k - 1] = raw_rt;
			mine[k - 1] = ohv_rt;
			ratios[k - 1] = ohv_rt / raw_rt;
		}
	}
	for (int i = 0; i < 2; i++)
		munmap(mem[i], BG_PAGES * 4096);
	ohv_client_close(vp1);
	ohv_client_close(a.root);
	ohv_close(a.hv);

	double ratio = median(ratios, reps);

	add("synic_ping_pong", median(mine, reps), "us", "per round trip", -1);
	add("synic_ping_pong_raw", median(base, reps), "us",
	    "2 out + 2 SIGNAL_MSI", -1);
	add("synic_ping_pong_ratio", ratio, "x", "<= 1.5", ratio <= 1.5);
}

/* ---------------------------------------------------------------------- */
/* kvm_partitions_100.                                                     */

#define NPART	100

struct mem_snap {
	double rss_kib, slab_kib, vmalloc_kib;	/* < 0: not readable */
};

static double proc_kib(const char *file, const char *key)
{
	FILE *f = fopen(file, "r");
	char line[256];
	size_t len = strlen(key);
	double v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':') {
			v = strtod(line + len + 1, NULL);
			break;
		}
	fclose(f);
	return v;
}

static void snap(struct mem_snap *m)
{
	m->rss_kib = proc_kib("/proc/self/status", "VmRSS");
	m->slab_kib = proc_kib("/proc/meminfo", "Slab");
	m->vmalloc_kib = proc_kib("/proc/meminfo", "VmallocUsed");
}

static double per(double after, double before)
{
	return after < 0 || before < 0 ? -1 : (after - before) / NPART;
}

struct runner {
	struct child *c;	/* openhv, or NULL */
	struct raw *r;
	int ok;
};

static void *run_first(void *arg)
{
	struct runner *x = arg;

	if (x->c) {
		struct hv_message m;
		const struct hv_x64_io_port_intercept_message *io =
			(const void *)m.payload;

		x->ok = ohv_vp_run(x->c->hv, x->c->id, 0, &m) == 0 &&
			m.header.message_type == HVMSG_X64_IO_PORT_INTERCEPT &&
			io->port_number == BG_PORT;
	} else {
		raw_run(x->r);
		x->ok = raw_is_out(x->r, BG_PORT);
	}
	return NULL;
}

/* All NPART run at once, one thread each: the wall time in ms. */
static double run_all(struct runner *x)
{
	pthread_t t[NPART];
	pthread_attr_t attr;
	uint64_t t0 = now_ns();

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (int i = 0; i < NPART; i++)
		if (pthread_create(&t[i], &attr, run_first, &x[i]))
			die("pthread_create", i);
	for (int i = 0; i < NPART; i++)
		pthread_join(t[i], NULL);
	double ms = (double)(now_ns() - t0) / 1e6;

	pthread_attr_destroy(&attr);
	for (int i = 0; i < NPART; i++)
		if (!x[i].ok)
			die("kvm_partitions_100: first intercept", i);
	return ms;
}

struct p100 {
	double make_us, run_ms;			/* per partition; all */
	struct mem_snap mem;			/* per partition */
};

static void ohv_100(struct ohv *hv, struct ohv_client *root,
		    uint64_t (*pages)[BG_PAGES], struct p100 *out)
{
	static struct child c[NPART];
	struct runner x[NPART];
	struct mem_snap m0, m1;

	snap(&m0);
	uint64_t t0 = now_ns();

	for (int i = 0; i < NPART; i++) {
		c[i] = (struct child){ .hv = hv, .root = root };
		memcpy(c[i].pages, pages[i], sizeof(c[i].pages));
		child_make(&c[i], 0, BG_RESET_GPA >> 12);
		x[i] = (struct runner){ .c = &c[i] };
	}
	out->make_us = (double)(now_ns() - t0) / NPART / 1000.0;
	out->run_ms = run_all(x);
	snap(&m1);
	for (int i = 0; i < NPART; i++)
		CHECK_ST(ohv_client_destroy_partition(root, c[i].id), "destroy");
	out->mem = (struct mem_snap){ per(m1.rss_kib, m0.rss_kib),
		per(m1.slab_kib, m0.slab_kib),
		per(m1.vmalloc_kib, m0.vmalloc_kib) };
}

static void raw_100(uint8_t *mem, struct p100 *out)
{
	static struct raw r[NPART];
	struct runner x[NPART];
	struct mem_snap m0, m1;

	snap(&m0);
	uint64_t t0 = now_ns();

	for (int i = 0; i < NPART; i++) {
		raw_make(&r[i], mem + (size_t)i * BG_PAGES * 4096, BG_RESET_GPA,
			 BG_PAGES * 4096);
		x[i] = (struct runner){ .r = &r[i] };
	}
	out->make_us = (double)(now_ns() - t0) / NPART / 1000.0;
	out->run_ms = run_all(x);
	snap(&m1);
	for (int i = 0; i < NPART; i++)
		raw_close(&r[i]);
	out->mem = (struct mem_snap){ per(m1.rss_kib, m0.rss_kib),
		per(m1.slab_kib, m0.slab_kib),
		per(m1.vmalloc_kib, m0.vmalloc_kib) };
}

static void bench_partitions_100(void)
{
	static uint64_t pages[NPART][BG_PAGES];
	struct ohv_client *root;
	/* Each partition: 1 + 208 + 90 pool pages, 16 mapped. */
	struct ohv *hv = kvm_instance(NPART * 512 + 4096, 1);
	double v[7][64];

	if (!hv) {
		skip("kvm_partitions_100", skip_why);
		return;
	}
	if (raw_open())
		die("open /dev/kvm", errno);
	if (ohv_client_open(hv, 0, &root))
		die("ohv_client_open", 0);
	for (int i = 0; i < NPART; i++) {
		if (ohv_root_alloc_many(hv, OHV_ANY_NODE, pages[i], BG_PAGES) !=
		    BG_PAGES)
			die("ohv_root_alloc_many", i);
		build_reset(ohv_gpa(hv, ohv_root_id(hv),
				    pages[i][BG_PAGES - 1] << 12, 4096));
	}
	size_t len = (size_t)NPART * BG_PAGES * 4096;
	uint8_t *mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		die("mmap", errno);
	for (int i = 0; i < NPART; i++)
		build_reset(mem + ((size_t)i * BG_PAGES + BG_PAGES - 1) * 4096);

	for (unsigned k = 0; k <= reps; k++) {
		struct p100 raw, mine;

		raw_100(mem, &raw);
		ohv_100(hv, root, pages, &mine);
		if (!k)
			continue;
		v[0][k - 1] = mine.run_ms;
		v[1][k - 1] = raw.run_ms;
		v[2][k - 1] = mine.make_us;
		v[3][k - 1] = raw.make_us;
		v[4][k - 1] = mine.mem.rss_kib;
		v[5][k - 1] = mine.mem.slab_kib;
		v[6][k - 1] = mine.mem.vmalloc_kib;
		/* Raw memory: the last run's (reported beside, below). */
		if (k == reps) {
			add("kvm100_raw_rss_kib", raw.mem.rss_kib, "KiB",
			    "raw VM, per VM", -1);
			add("kvm100_raw_slab_kib", raw.mem.slab_kib, "KiB",
			    "raw VM, per VM", -1);
			add("kvm100_raw_vmalloc_kib", raw.mem.vmalloc_kib, "KiB",
			    "raw VM, per VM", -1);
		}
	}
	munmap(mem, len);
	for (int i = 0; i < NPART; i++)
		ohv_root_free_many(hv, pages[i], BG_PAGES);
	ohv_client_close(root);
	ohv_close(hv);

	double run = median(v[0], reps), raw_run_ms = median(v[1], reps);

	add("kvm_partitions_100_run_ms", run, "ms", "100 at once", -1);
	add("kvm_partitions_100_raw_ms", raw_run_ms, "ms", "baseline", -1);
	add("kvm_partitions_100_ratio", run / raw_run_ms, "x", "", -1);
	add("kvm100_make_us", median(v[2], reps), "us", "per partition", -1);
	add("kvm100_raw_make_us", median(v[3], reps), "us", "per raw VM", -1);
	add("kvm100_rss_kib", median(v[4], reps), "KiB", "per partition", -1);
	add("kvm100_slab_kib", median(v[5], reps), "KiB", "per partition", -1);
	add("kvm100_vmalloc_kib", median(v[6], reps), "KiB", "per partition",
	    -1);
}

void bench_kvm_figures(int argc, char **argv)
{
	if (wanted(argc, argv, "kvm_lifecycle"))
		bench_kvm_lifecycle();
	if (wanted(argc, argv, "guest_hypercall"))
		bench_guest_hypercall();
	if (wanted(argc, argv, "synic_ping_pong"))
		bench_synic_ping_pong();
	if (wanted(argc, argv, "kvm_partitions_100"))
		bench_partitions_100();
}

#else	/* no <linux/kvm.h> */

void bench_kvm_figures(int argc, char **argv)
{
	static const char *const names[] = {
		"kvm_lifecycle", "guest_hypercall", "synic_ping_pong",
		"kvm_partitions_100",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (wanted(argc, argv, names[i]))
			skip(names[i], "built without <linux/kvm.h>");
}

#endif
