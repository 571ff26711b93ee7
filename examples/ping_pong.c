/* SPDX-License-Identifier: MIT */
/*
 * ping_pong: two child partitions talk through SynIC message ports.
 *
 * This program plays the root partition's kernel.  It creates two children
 * the way Linux's mshv driver does, gives each memory and a running
 * virtual processor, and connects them with a message port each way.  Then
 * the children talk: every message is an HvPostMessage hypercall issued by
 * the sender's own VP, and it lands in the receiver's SynIC message page
 * (the SIM), a page of the receiver's own memory, where the receiver reads
 * it the way its guest kernel would.  At the end everything is torn down
 * and every page is shown back with the root.
 *
 * Where KVM serves (spec.md §11), the children are real guests: each VP
 * runs the guest code at the bottom of this file, which turns on its
 * SynIC, posts numbered pings to the other through its port with the
 * HvPostMessage hypercall, sleeps in HLT and wakes on the SINT interrupt.
 * Without KVM, the program plays both guests itself: each message is an
 * HvPostMessage issued as the sender's VP, found in the receiver's SIM by
 * reading its memory, and acknowledged with EOM.
 *
 * The steps, numbered in the code:
 *   1. open an instance and a client for the root's VP 0;
 *   2. create each child, grant it privileges, initialize it;
 *   3. map 16 root pages into it;
 *   4. create its VP 0 and let it run;
 *   5. the child's VP turns on its SynIC (SCONTROL, SIMP, SINT2);
 *   6. a message port in each child, connected from the other;
 *   7. ten rounds of ping and pong;
 *   8. destroy both children as Linux does;
 *   9. check that every page is back with the root.
 *
 * Build with make; run build/examples/ping_pong.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openhv/client.h>

#define ROUNDS		10	/* ping, pong: 20 messages              */
#define CHILD_PAGES	16	/* each child's memory: GPA pages 0-15  */
#define IN_PAGE		0	/* a child's hypercall input page       */
#define OUT_PAGE	1	/* and its output page                  */
#define SIM_PAGE	2	/* its SynIC message page               */
#define SINT		2	/* the SINT its messages arrive on      */
#define VECTOR		0x50	/* that SINT's interrupt vector         */
#define PORT_ID		1	/* each child's port, in itself         */
#define CONNECTION_ID	10	/* each child's connection to the other */

#define MSG_PING	1
#define MSG_PONG	2

/* What the children may do beyond the defaults: post messages, and set
 * up their own SynIC through HvSetVpRegisters on themselves. */
#define CHILD_PRIVILEGES (OHV_CHILD_PRIVILEGES | \
			  HV_PARTITION_PRIV_POST_MESSAGES | \
			  HV_PARTITION_PRIV_ACCESS_VP_REGISTERS)

#define SIMP_VALUE	((uint64_t)SIM_PAGE << HV_PAGE_SHIFT | HV_SYNIC_SIMP_ENABLE)

struct child {
	const char *name;
	uint64_t id;
	uint64_t pages[CHILD_PAGES];	/* root pages mapped at its GPA 0.. */
	unsigned npages;
	struct ohv_client *vp0;		/* hypercalls as the child's VP 0   */
};

struct world {
	struct ohv *hv;
	struct ohv_client *root;	/* hypercalls as the root's VP 0    */
	struct child kid[2];
};

/* The message both children send: a word and a number. */
struct ping_msg {
	char word[8];
	uint32_t n;
	uint32_t pad;
};

static bool ok(hv_status_t st, const char *what)
{
	if (st == HV_STATUS_SUCCESS)
		return true;
	fprintf(stderr, "ping_pong: %s: %s\n", what, ohv_status_name(st));
	return false;
}

static bool make_child(struct world *w, struct child *k, bool guests)
{
	struct ohv_client *root = w->root;
	const struct hv_proximity_domain_info any_node = { 0, 0 };
	struct hv_register_assoc synic[3];
	uint64_t done;

	/* 2. Create the child (the root's pool gets a page per refusal),
	 *    grant privileges while it is Uninitialized, deposit 208 pages
	 *    into it and initialize it. */
	if (!ok(ohv_client_create_partition(root, NULL, &k->id),
		"HvCreatePartition") ||
	    !ok(ohv_call_set_partition_property(root, k->id,
			HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, CHILD_PRIVILEGES),
		"HvSetPartitionProperty(PrivilegeFlags)") ||
	    !ok(ohv_client_initialize_partition(root, k->id),
		"HvInitializePartition"))
		return false;

	/* 3. Memory: root pages mapped at the child's GPA pages 0-15.  The
	 *    root keeps its own access, as a VMM does with guest RAM. */
	for (k->npages = 0; k->npages < CHILD_PAGES; k->npages++) {
		if (ohv_root_alloc(w->hv, OHV_ANY_NODE,
				   &k->pages[k->npages])) {
			fprintf(stderr, "ping_pong: out of root pages\n");
			return false;
		}
	}
	if (!ok(ohv_client_map_gpa_pages(root, k->id, 0,
					 HV_MAP_GPA_READABLE |
					 HV_MAP_GPA_WRITABLE |
					 HV_MAP_GPA_EXECUTABLE,
					 k->pages, CHILD_PAGES, &done),
		"HvMapGpaPages"))
		return false;

	/* 4. VP 0, created explicitly suspended; clearing ExplicitSuspend
	 *    lets it run (and issue hypercalls). */
	if (!ok(ohv_client_create_vp(root, k->id, 0, any_node), "HvCreateVp") ||
	    !ok(ohv_call_set_vp_register(root, k->id, 0,
					 HV_REGISTER_EXPLICIT_SUSPEND, 0),
		"HvSetVpRegisters(ExplicitSuspend)"))
		return false;

	/* With real guests, their code does step 5 with WRMSR. */
	if (guests)
		return true;

	/* 5. The child's VP enables its SynIC itself: SCONTROL on, the SIM
	 *    at its GPA page 2, SINT2 unmasked with a vector.  One rep
	 *    HvSetVpRegisters on (SELF, VP_INDEX_SELF), its input in the
	 *    child's own page 0. */
	if (ohv_client_open_vp(w->hv, k->id, 0,
			       (uint64_t)IN_PAGE << HV_PAGE_SHIFT,
			       (uint64_t)OUT_PAGE << HV_PAGE_SHIFT, &k->vp0)) {
		fprintf(stderr, "ping_pong: cannot open a client for %s\n",
			k->name);
		return false;
	}
	memset(synic, 0, sizeof(synic));
	synic[0].name = HV_REGISTER_SCONTROL;
	synic[0].value.reg64 = HV_SYNIC_SCONTROL_ENABLE;
	synic[1].name = HV_REGISTER_SIMP;
	synic[1].value.reg64 = SIMP_VALUE;
	synic[2].name = HV_REGISTER_SINT0 + SINT;
	synic[2].value.reg64 = VECTOR;		/* bit 16 clear: unmasked */
	return ok(ohv_call_set_vp_registers(k->vp0, HV_PARTITION_ID_SELF,
					    HV_VP_INDEX_SELF, synic, 3, &done),
		  "HvSetVpRegisters(SynIC)");
}

/* 6. A message port in `to`, connected from `from`. */
static bool connect_children(struct world *w, struct child *to,
			     struct child *from)
{
	struct hv_input_create_port port;
	struct hv_input_connect_port conn;

	memset(&port, 0, sizeof(port));
	port.port_partition_id = to->id;
	port.port_id = PORT_ID;
	port.connection_partition_id = from->id;
	port.port_info.port_type = HV_PORT_TYPE_MESSAGE;
	port.port_info.message_port_info.target_sint = SINT;
	port.port_info.message_port_info.target_vp = 0;
	memset(&conn, 0, sizeof(conn));
	conn.connection_partition_id = from->id;
	conn.connection_id = CONNECTION_ID;
	conn.port_partition_id = to->id;
	conn.port_id = PORT_ID;
	conn.connection_info.port_type = HV_PORT_TYPE_MESSAGE;
	return ok(ohv_client_create_port(w->root, &port), "HvCallCreatePort") &&
	       ok(ohv_client_connect_port(w->root, &conn), "HvCallConnectPort");
}

static bool print_pool(struct world *w, const char *who, uint64_t id)
{
	const struct hv_proximity_domain_info any_node = { 0, 0 };
	uint64_t avail, in_use;

	if (!ok(ohv_call_get_memory_balance(w->root, id, any_node, &avail,
					    &in_use), "HvGetMemoryBalance"))
		return false;
	printf("  %-16s %5" PRIu64 " available, %3" PRIu64 " in use\n", who,
	       avail, in_use);
	return true;
}

/* 7. One message: `from` posts it as its VP 0; `to` finds it in its SIM
 *    slot, takes the interrupt, frees the slot and writes EOM. */
static bool pass(struct world *w, struct child *from, struct child *to,
		 uint32_t type, uint32_t n)
{
	struct ping_msg m;
	struct ohv_sint_state ss;

	memset(&m, 0, sizeof(m));
	strcpy(m.word, type == MSG_PING ? "ping" : "pong");
	m.n = n;
	if (!ok(ohv_call_post_message(from->vp0, CONNECTION_ID, type, &m,
				      sizeof(m)), "HvPostMessage"))
		return false;

	/* The receiver's side: its own memory, its own interrupt. */
	struct hv_message *slot = ohv_client_sim_slot(to->vp0, SIMP_VALUE, SINT);

	if (!slot || slot->header.message_type != type ||
	    ohv_vp_sints(w->hv, to->id, 0, &ss)) {
		fprintf(stderr, "ping_pong: %s found no message\n", to->name);
		return false;
	}
	memcpy(&m, slot->payload, sizeof(m));
	printf("  %s -> %s  %-4s %2u | %s's SIM slot %u: type %u, size %u, "
	       "flags 0x%x, port %u | SINT%u interrupts %2" PRIu64
	       ", vector 0x%x\n",
	       from->name, to->name, m.word, m.n, to->name, SINT,
	       slot->header.message_type, slot->header.payload_size,
	       slot->header.message_flags, slot->header.port, SINT,
	       ss.raised[SINT], ss.vector[SINT]);
	if (m.n != n || slot->header.port != PORT_ID ||
	    ohv_vp_sint_ack(w->hv, to->id, 0, SINT) != 1) {
		fprintf(stderr, "ping_pong: %s got the wrong message\n",
			to->name);
		return false;
	}
	slot->header.message_type = HV_MESSAGE_TYPE_NONE;
	return ok(ohv_call_set_vp_register(to->vp0, HV_PARTITION_ID_SELF,
					   HV_VP_INDEX_SELF, HV_REGISTER_EOM, 0),
		  "HvSetVpRegisters(EOM)");
}

/* ---------------------------------------------------------------------- */
/* Real guests (KVM).                                                      */

/* A child's GPA pages when it runs the guest code below. */
#define G_CODE		0x1000u	/* page 1: the code                     */
#define G_HCALL		0x3000u	/* page 3: the hypercall page overlay   */
#define G_POST		0x4000u	/* page 4: HvPostMessage input; +0x800:
				 * the number the handler last received */
#define G_IDT		0x5000u
#define G_GDT		0x6000u
#define G_PML4		0x7000u	/* 7-10: page tables                    */
#define G_STACK		0x10000u /* pages 11-15: the stack, down from here */
#define G_REPORT_PORT	0xE9	/* the guest's "done": out %eax, $0xE9  */
#define G_FAIL_PORT	0xEA	/* a hypercall failed: its status      */

/*
 * The guest (x86-64, CPL 0, position-independent).  In: RDI its
 * connection id, RSI 1 when it starts, RDX the last number.  It posts
 * n + 1 after receiving n, until the last number went either way; then
 * it reports that number on port 0xE9.  A post that finds the other's
 * SynIC not yet on (INVALID_SYNIC_STATE) is tried again.
 */
extern const uint8_t pp_guest[], pp_guest_end[];
__asm__(
	".pushsection .rodata\n"
	".balign 16\n"
	"pp_guest:\n"
	"	mov %rdi, %r12\n"		/* connection to the other  */
	"	mov %rsi, %r13\n"		/* 1: this one starts       */
	"	mov %rdx, %r14\n"		/* the last number          */
	"	xor %r15d, %r15d\n"		/* the last number seen     */
	/* A guest OS id, then the hypercall page at 0x3000. */
	"	mov $0x40000000, %ecx\n"
	"	mov $1, %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"	mov $0x40000001, %ecx\n"
	"	mov $0x3001, %eax\n"
	"	wrmsr\n"
	/* The interrupt gate for vector 0x50. */
	"	lea pp_handler(%rip), %rax\n"
	"	mov $0x5000 + 0x50 * 16, %edi\n"
	"	mov %ax, (%rdi)\n"
	"	movw $0x08, 2(%rdi)\n"
	"	movw $0x8E00, 4(%rdi)\n"
	"	shr $16, %rax\n"
	"	mov %ax, 6(%rdi)\n"
	"	shr $16, %rax\n"
	"	mov %eax, 8(%rdi)\n"
	"	movl $0, 12(%rdi)\n"
	"	lidt pp_idtr(%rip)\n"
	/* The local APIC on, every priority let through. */
	"	mov $0xFEE00000, %edi\n"
	"	movl $0x1FF, 0xF0(%rdi)\n"
	"	movl $0, 0x80(%rdi)\n"
	/* Then the SynIC: the SIM at 0x2000, SINT2 on vector 0x50,
	 * enabled.  Not before: a SINT that finds the local APIC off is
	 * lost, and the other guest may post as soon as SCONTROL is on. */
	"	mov $0x40000083, %ecx\n"
	"	mov $0x2001, %eax\n"
	"	wrmsr\n"
	"	mov $0x40000092, %ecx\n"
	"	mov $0x50, %eax\n"
	"	wrmsr\n"
	"	mov $0x40000080, %ecx\n"
	"	mov $1, %eax\n"
	"	wrmsr\n"
	"	sti\n"
	"	test %r13, %r13\n"
	"	jz pp_wait\n"
	"pp_send:\n"
	"	inc %r15\n"
	"	mov $0x4000, %edi\n"		/* HvPostMessage's input    */
	"	mov %r12d, (%rdi)\n"		/* connection id            */
	"	movl $0, 4(%rdi)\n"
	"	movl $1, 8(%rdi)\n"		/* message type             */
	"	movl $8, 12(%rdi)\n"		/* payload size             */
	"	mov %r15, 16(%rdi)\n"		/* payload: the number      */
	"pp_post:\n"
	"	mov $0x5C, %ecx\n"		/* HvPostMessage, in memory */
	"	mov $0x4000, %edx\n"
	"	xor %r8d, %r8d\n"
	"	mov $0x3000, %eax\n"
	"	call *%rax\n"
	/* The other's SynIC not on yet: try again. */
	"	cmp $0x18, %ax\n"		/* INVALID_SYNIC_STATE      */
	"	jne 2f\n"
	"	pause\n"
	"	jmp pp_post\n"
	"2:	test %ax, %ax\n"
	"	jnz pp_fail\n"
	"	cmp %r14, %r15\n"
	"	jae pp_done\n"
	"pp_wait:\n"				/* sleep until a message    */
	"	cli\n"
	"	mov 0x4800, %rax\n"
	"	test %rax, %rax\n"
	"	jnz pp_got\n"
	"	sti\n"
	"	hlt\n"
	"	jmp pp_wait\n"
	"pp_got:\n"
	"	movq $0, 0x4800\n"
	"	sti\n"
	"	mov %rax, %r15\n"
	"	cmp %r14, %r15\n"
	"	jb pp_send\n"
	"pp_done:\n"
	"	mov %r15, %rax\n"
	"	out %eax, $0xE9\n"
	"	cli\n"
	"	hlt\n"
	"pp_fail:\n"
	"	out %eax, $0xEA\n"
	"	cli\n"
	"	hlt\n"
	/* SINT2: take the number from the SIM slot, free the slot, EOM
	 * if another message waits, EOI. */
	"pp_handler:\n"
	"	push %rax\n"
	"	push %rcx\n"
	"	push %rdx\n"
	"	push %rdi\n"
	"	mov $0x2000 + 2 * 256, %edi\n"
	"	mov 16(%rdi), %rax\n"
	"	mov %rax, 0x4800\n"
	"	movl $0, (%rdi)\n"
	"	testb $1, 5(%rdi)\n"
	"	jz 1f\n"
	"	mov $0x40000084, %ecx\n"
	"	xor %eax, %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"1:	mov $0xFEE00000, %edi\n"
	"	movl $0, 0xB0(%rdi)\n"
	"	pop %rdi\n"
	"	pop %rdx\n"
	"	pop %rcx\n"
	"	pop %rax\n"
	"	iretq\n"
	"pp_idtr:\n"
	"	.word 0xFFF\n"
	"	.quad 0x5000\n"
	"pp_guest_end:\n"
	".popsection\n");

static void put64(struct world *w, struct child *k, uint64_t gpa, uint64_t v)
{
	uint8_t *page = ohv_gpa(w->hv, ohv_root_id(w->hv),
				k->pages[gpa / HV_PAGE_SIZE] * HV_PAGE_SIZE,
				HV_PAGE_SIZE);

	memcpy(page + gpa % HV_PAGE_SIZE, &v, sizeof(v));
}

static struct hv_register_assoc reg(uint32_t name, uint64_t v)
{
	struct hv_register_assoc a;

	memset(&a, 0, sizeof(a));
	a.name = name;
	a.value.reg64 = v;
	return a;
}

static struct hv_register_assoc seg(uint32_t name, uint16_t sel,
				    uint16_t attributes, uint64_t base,
				    uint32_t limit)
{
	struct hv_register_assoc a = reg(name, 0);

	a.value.segment.base = base;
	a.value.segment.limit = limit;
	a.value.segment.selector = sel;
	a.value.segment.attributes = attributes;
	return a;
}

/* Load the guest into a child and start its VP 0 in 64-bit mode at CPL 0
 * (the x86 state a boot loader would leave). */
static bool load_guest(struct world *w, struct child *k, uint64_t conn,
		       bool starts)
{
	uint8_t *code = ohv_gpa(w->hv, ohv_root_id(w->hv),
				k->pages[G_CODE / HV_PAGE_SIZE] * HV_PAGE_SIZE,
				HV_PAGE_SIZE);

	memcpy(code, pp_guest, (size_t)(pp_guest_end - pp_guest));
	/* GDT: null, 64-bit code (0x08), data (0x10), busy TSS (0x18). */
	put64(w, k, G_GDT + 0x08, 0x00AF9B000000FFFFull);
	put64(w, k, G_GDT + 0x10, 0x00CF93000000FFFFull);
	put64(w, k, G_GDT + 0x18, 0x00008B0000000067ull | (uint64_t)(G_GDT + 0x100) << 16);
	/* Identity page tables: 0-2 MiB, and the LAPIC's 2 MiB uncached. */
	put64(w, k, G_PML4, (G_PML4 + 0x1000) | 3);
	put64(w, k, G_PML4 + 0x1000, (G_PML4 + 0x2000) | 3);
	put64(w, k, G_PML4 + 0x1000 + 3 * 8, (G_PML4 + 0x3000) | 3);
	put64(w, k, G_PML4 + 0x2000, 0x83);
	put64(w, k, G_PML4 + 0x3000 + 0x1F7 * 8, 0xFEE00000ull | 0x9B);

	const uint16_t code64 = 0xA09B, data = 0xC093;
	struct hv_register_assoc r[] = {
		reg(HV_X64_REGISTER_CR0, 0x80050033),	/* PG AM WP NE ET MP PE */
		reg(HV_X64_REGISTER_CR3, G_PML4),
		reg(HV_X64_REGISTER_CR4, 0x620),	/* OSXMMEXCPT OSFXSR PAE */
		reg(HV_X64_REGISTER_EFER, 0xD00),	/* NXE LMA LME */
		seg(HV_X64_REGISTER_CS, 0x08, code64, 0, 0xFFFFFFFF),
		seg(HV_X64_REGISTER_DS, 0x10, data, 0, 0xFFFFFFFF),
		seg(HV_X64_REGISTER_ES, 0x10, data, 0, 0xFFFFFFFF),
		seg(HV_X64_REGISTER_SS, 0x10, data, 0, 0xFFFFFFFF),
		seg(HV_X64_REGISTER_FS, 0x10, data, 0, 0xFFFFFFFF),
		seg(HV_X64_REGISTER_GS, 0x10, data, 0, 0xFFFFFFFF),
		seg(HV_X64_REGISTER_TR, 0x18, 0x008B, G_GDT + 0x100, 0x67),
		seg(HV_X64_REGISTER_LDTR, 0, 0, 0, 0),
		reg(HV_X64_REGISTER_GDTR, 0),
		reg(HV_X64_REGISTER_IDTR, 0),
		reg(HV_X64_REGISTER_RFLAGS, 0x2),
		reg(HV_X64_REGISTER_RSP, G_STACK),
		reg(HV_X64_REGISTER_RIP, G_CODE),
		reg(HV_X64_REGISTER_RDI, conn),
		reg(HV_X64_REGISTER_RSI, starts),
		reg(HV_X64_REGISTER_RDX, 2 * ROUNDS),
	};
	r[12].value.table.base = G_GDT;
	r[12].value.table.limit = 0x27;
	r[13].value.table.base = G_IDT;
	r[13].value.table.limit = 0xFFF;
	uint64_t done;

	return ok(ohv_call_set_vp_registers(w->root, k->id, 0, r,
					    sizeof(r) / sizeof(r[0]), &done),
		  "HvSetVpRegisters(64-bit start)");
}

struct runner {
	struct world *w;
	struct child *k;
	pthread_t thread;
	int rc;
	struct hv_message msg;
};

static void *run_vp(void *arg)
{
	struct runner *r = arg;

	r->rc = ohv_vp_run(r->w->hv, r->k->id, 0, &r->msg);
	return NULL;
}

/* 7, with real guests: both VPs run on threads of their own until each
 * reports the last number (or ten seconds pass). */
static bool exchange_in_guests(struct world *w)
{
	struct runner r[2];
	bool good = true;

	for (int i = 0; i < 2; i++)
		if (!load_guest(w, &w->kid[i], CONNECTION_ID, i == 0))
			return false;
	for (int i = 0; i < 2; i++) {
		r[i] = (struct runner){ .w = w, .k = &w->kid[i] };
		pthread_create(&r[i].thread, NULL, run_vp, &r[i]);
	}
	for (int i = 0; i < 2; i++) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 10;
		if (pthread_timedjoin_np(r[i].thread, NULL, &until)) {
			ohv_vp_kick(w->hv, r[i].k->id, 0);
			pthread_join(r[i].thread, NULL);
		}
	}
	for (int i = 0; i < 2; i++) {
		const struct hv_x64_io_port_intercept_message *io =
			(const void *)r[i].msg.payload;

		if (r[i].rc || r[i].msg.header.message_type !=
		    HVMSG_X64_IO_PORT_INTERCEPT ||
		    io->port_number != G_REPORT_PORT ||
		    io->rax != 2 * ROUNDS) {
			fprintf(stderr, "ping_pong: %s's guest stopped with "
				"run %d, message 0x%x, port 0x%x, RAX 0x%" PRIx64
				"\n", r[i].k->name, r[i].rc,
				r[i].msg.header.message_type,
				io->port_number, io->rax);
			good = false;
			continue;
		}
		printf("  %s's guest: %u messages passed, the last number %" PRIu64
		       ", reported at RIP 0x%" PRIx64 "\n", r[i].k->name,
		       2 * ROUNDS, io->rax, io->header.rip);
	}
	return good;
}

static bool run(struct world *w, uint64_t start, bool guests)
{
	struct child *a = &w->kid[0], *b = &w->kid[1];
	struct ohv_client_stats s;
	char who[32];

	for (int i = 0; i < 2; i++)
		if (!make_child(w, &w->kid[i], guests))
			return false;
	if (!connect_children(w, a, b) || !connect_children(w, b, a))
		return false;

	ohv_client_stats(w->root, &s);
	printf("setup: partitions %" PRIu64 " (A) and %" PRIu64 " (B), %d pages "
	       "of memory and VP 0 each, a message port each way\n"
	       "  the root made %" PRIu64 " hypercalls and deposited %" PRIu64
	       " pages (%" PRIu64 " single pages after INSUFFICIENT_MEMORY)\n",
	       a->id, b->id, CHILD_PAGES, s.hypercalls, s.pages_deposited,
	       s.memory_retries);
	printf("pools (pages):\n");
	if (!print_pool(w, "root", HV_PARTITION_ID_SELF))
		return false;
	for (int i = 0; i < 2; i++) {
		snprintf(who, sizeof(who), "partition %" PRIu64 " (%s)",
			 w->kid[i].id, w->kid[i].name);
		if (!print_pool(w, who, w->kid[i].id))
			return false;
	}
	printf("  root allocator   %5" PRIu64 " free (%" PRIu64
	       " at the start)\n", ohv_root_free_pages(w->hv), start);

	printf("exchange:\n");
	if (guests) {
		if (!exchange_in_guests(w))
			return false;
	} else {
		for (uint32_t n = 1; n <= 2 * ROUNDS; n += 2)
			if (!pass(w, a, b, MSG_PING, n) ||
			    !pass(w, b, a, MSG_PONG, n + 1))
				return false;
	}

	/* 8. Teardown, Linux's destroy_partition for each child: finalize
	 *    (frees its VPs, mappings, ports and connections), withdraw
	 *    everything from its pool, delete. */
	printf("teardown:\n");
	for (int i = 0; i < 2; i++) {
		struct child *k = &w->kid[i];
		struct ohv_client_stats before, after;

		ohv_client_close(k->vp0);
		k->vp0 = NULL;
		ohv_client_stats(w->root, &before);
		if (!ok(ohv_client_destroy_partition(w->root, k->id),
			"destroy partition"))
			return false;
		ohv_client_stats(w->root, &after);
		/* The pages it was given are the root's alone again. */
		for (unsigned p = 0; p < k->npages; p++)
			ohv_root_free(w->hv, k->pages[p]);
		k->npages = 0;
		printf("  partition %" PRIu64 " (%s): finalized, %" PRIu64
		       " pages withdrawn, deleted; %d mapped pages freed\n",
		       k->id, k->name,
		       after.pages_withdrawn - before.pages_withdrawn,
		       CHILD_PAGES);
		k->id = 0;
	}
	/* The pages each create charged to the root's own pool. */
	uint64_t back = 0;

	if (!ok(ohv_client_withdraw(w->root, HV_PARTITION_ID_SELF, UINT64_MAX,
				    &back), "HvWithdrawMemory(root)"))
		return false;
	printf("  root pool: %" PRIu64 " pages withdrawn\n", back);

	/* 9. Every page is back with the root. */
	char why[256] = "";
	bool clean = ohv_debug_check(w->hv, why, sizeof(why)) == 0;
	uint64_t free_now = ohv_root_free_pages(w->hv);

	printf("after teardown:\n");
	if (!print_pool(w, "root", HV_PARTITION_ID_SELF))
		return false;
	printf("  root allocator   %5" PRIu64 " free (%" PRIu64
	       " at the start)\n"
	       "  partitions       %5zu live (the root)\n"
	       "  invariants       %s%s\n",
	       free_now, start, ohv_partition_list(w->hv, NULL, 0),
	       clean ? "clean" : "BROKEN: ", why);
	return clean && free_now == start &&
	       ohv_partition_list(w->hv, NULL, 0) == 1;
}

int main(void)
{
	struct world w;
	bool good;

	memset(&w, 0, sizeof(w));
	w.kid[0].name = "A";
	w.kid[1].name = "B";
	/* 1. An instance (64 MiB of machine memory, committed lazily) and a
	 *    client for the root's VP 0. */
	struct ohv_config cfg;

	ohv_config_init(&cfg);
	cfg.backend = OHV_BACKEND_AUTO;	/* KVM where it serves */
	if (ohv_open(&cfg, &w.hv) || ohv_client_open(w.hv, 0, &w.root)) {
		fprintf(stderr, "ping_pong: cannot open an instance\n");
		ohv_close(w.hv);
		return 1;
	}
	bool guests = strcmp(ohv_backend_name(w.hv), "kvm") == 0;

	printf("backend: %s (%s)\n", ohv_backend_name(w.hv), guests ?
	       "the children run guest code" :
	       "no KVM here: this program plays both guests");
	good = run(&w, ohv_root_free_pages(w.hv), guests);
	for (int i = 0; i < 2; i++)
		ohv_client_close(w.kid[i].vp0);
	ohv_client_close(w.root);
	ohv_close(w.hv);
	printf("%s\n", good ? "ok" : "FAILED");
	return good ? 0 : 1;
}
