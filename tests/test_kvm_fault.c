/* SPDX-License-Identifier: MIT */
/*
 * A guest going wrong on the KVM backend (spec.md §11.3, 11.4):
 * guest_fault's scenarios, each in a fresh partition.  Faults the TLFS
 * gives the guest arrive at its handlers; stops for the parent arrive as
 * intercept messages with the access, the GPA and the instruction bytes,
 * the instruction not completed.  Skips without a usable /dev/kvm.
 */
#include "kvm_guest.h"

#define PRIV_ID		HV_PARTITION_PRIV_ACCESS_PARTITION_ID

static const uint8_t WRMSR[2] = { 0x0F, 0x30 }, RDMSR[2] = { 0x0F, 0x32 };

/* TLFS 2.0 §4.12, §14: a write with a reserved bit set, an unknown
 * synthetic MSR, a read-only one: #GP, and the guest carries on. */
TEST(kvm_fault_msr_gp)
{
	static const struct {
		const char *what;
		const uint8_t *insn;
	} cases[] = {
		{ "SCONTROL bit 1", WRMSR },
		{ "SINT0 bit 8", WRMSR },
		{ "SIMP bit 1", WRMSR },
		{ "HYPERCALL bit 2", WRMSR },
		{ "VP_INDEX write", WRMSR },
		{ "rdmsr 0x400000F0 (unknown)", RDMSR },
		{ "wrmsr 0x40000050 (unknown)", WRMSR },
	};
	struct kg g;

	kg_start(&g, &kg_guest_fault, 0, KG_FAULT_MSR, 0);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		uint64_t err, rip, cs;

		kg_exception(&g, cases[i].what, 13, &err, &rip, &cs);
		CHECK_MSG(err == 0, "%s: error code 0x%" PRIx64, cases[i].what,
			  err);
		CHECK_MSG(cs == KG_SEL_CODE, "%s: CS 0x%" PRIx64, cases[i].what,
			  cs);
		CHECK_MSG(!memcmp(kg_ptr(&g, rip, 2), cases[i].insn, 2),
			  "%s: #GP at 0x%" PRIx64 ", not at the MSR access",
			  cases[i].what, rip);
		KG_EXPECT(&g, cases[i].what, KG_STEP | (i + 1));
	}
	/* A valid write is taken. */
	KG_EXPECT(&g, "SCONTROL = 1: no #GP", KG_STEP | 8);
	KG_EXPECT(&g, "SCONTROL read back", 1);
	struct ohv_vp_info info;

	REQUIRE(ohv_vp_info(g.hv, g.id, 0, &info) == 0);
	CHECK_EQ(info.scontrol, 1);
	CHECK_EQ(info.sint[0], HV_SYNIC_SINT_MASKED);
	CHECK_EQ(info.simp, 0);
	kg_end(&g);
}

/* Each synthetic MSR needs its privilege (TLFS-md: the partition
 * privilege mask gates the MSRs' availability); without it, #GP. */
TEST(kvm_fault_msr_privileges)
{
	static const struct {
		const char *what;
		const uint8_t *insn;
	} cases[] = {
		{ "GUEST_OS_ID without AccessHypercallMsrs", WRMSR },
		{ "HYPERCALL without AccessHypercallMsrs", WRMSR },
		{ "VP_INDEX without AccessVpIndex", RDMSR },
		{ "SCONTROL without AccessSynicRegs", WRMSR },
		{ "SIMP without AccessSynicRegs", RDMSR },
	};
	struct kg g;

	kg_start(&g, &kg_guest_fault, KG_PRIV_EXACT, KG_FAULT_NO_PRIV, 0);
	CHECK_EQ(g.privileges, 0);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		uint64_t err, rip, cs;

		kg_exception(&g, cases[i].what, 13, &err, &rip, &cs);
		CHECK_MSG(!memcmp(kg_ptr(&g, rip, 2), cases[i].insn, 2),
			  "%s: #GP at 0x%" PRIx64 ", not at the MSR access",
			  cases[i].what, rip);
		KG_EXPECT(&g, cases[i].what, KG_STEP | (i + 1));
	}
	KG_EXPECT(&g, "end", KG_DONE);
	CHECK_EQ(kg_get_reg(&g, HV_REGISTER_GUEST_OS_ID), 0);
	kg_end(&g);
}

/* TLFS-md: a hypercall from CPL 3 raises #UD, at the hypercall
 * instruction of the page.  Ring 3 runs with IOPL 3 and the TSS's I/O
 * bitmap allowing ports 0-0xFF so that its `out` reaches the hypervisor
 * at all. */
TEST(kvm_fault_user_hypercall_ud)
{
	struct kg g;
	uint64_t err, rip, cs;

	kg_start(&g, &kg_guest_fault, PRIV_ID, KG_FAULT_USER_HCALL, 0);
	/* RPL 3.  Not the selector itself: a PVM KVM runs ring 3 natively,
	 * and there `mov %cs` reads the host's selector (kvm-facts §0). */
	CHECK_EQ(kg_report(&g, "CS in ring 3") & 3, 3);
	*(uint64_t *)kg_ptr(&g, KG_OUT, 8) = 0xA5A5;
	kg_exception(&g, "hypercall from CPL 3", 6, &err, &rip, &cs);
	CHECK_EQ(rip, KG_HCALL);
	CHECK_EQ(cs, KG_SEL_UCODE);
	CHECK_EQ(err, 0);
	/* Nothing was called. */
	CHECK_EQ(*(uint64_t *)kg_ptr(&g, KG_OUT, 8), 0xA5A5);
	kg_end(&g);
}

/* spec.md §3.2 step 5: a bad input or output GPA is the TLFS status in
 * RAX, never a fault of the guest or the host. */
TEST(kvm_fault_bad_gpa_status)
{
	struct kg g;

	kg_start(&g, &kg_guest_fault, PRIV_ID, KG_FAULT_BAD_GPA, 0);
	kg_map_ro(&g, 0x5A5A);
	KG_EXPECT(&g, "output at an unmapped GPA", HV_STATUS_INVALID_ALIGNMENT);
	KG_EXPECT(&g, "output not 8-byte aligned", HV_STATUS_INVALID_ALIGNMENT);
	KG_EXPECT(&g, "output in a read-only page", HV_STATUS_INVALID_ALIGNMENT);
	KG_EXPECT(&g, "output at KG_OUT", HV_STATUS_SUCCESS);
	KG_EXPECT(&g, "input beyond the GPA space",
		  HV_STATUS_INVALID_ALIGNMENT);
	CHECK_EQ(*(uint64_t *)kg_ptr(&g, KG_OUT, 8), g.id);
	CHECK_EQ(*(uint64_t *)kg_ptr(&g, KG_RO_PAGE, 8), 0x5A5A);
	kg_end(&g);
}

/* Checks common to memory intercepts: the message names the access, the
 * GPA, and the instruction at RIP with its bytes. */
static void check_memory(struct kg *g, const char *what, uint64_t rip,
			 uint8_t access, uint64_t gpa, unsigned len)
{
	const struct hv_x64_memory_intercept_message *m =
		(const void *)g->msg.payload;
	const struct hv_x64_intercept_message_header *h = &m->header;

	CHECK_MSG(h->rip == rip, "%s: rip 0x%" PRIx64 ", want 0x%" PRIx64,
		  what, h->rip, rip);
	CHECK_MSG(h->intercept_access_type == access,
		  "%s: access type %u, want %u", what,
		  h->intercept_access_type, access);
	CHECK_MSG(m->guest_physical_address == gpa,
		  "%s: GPA 0x%" PRIx64 ", want 0x%" PRIx64, what,
		  m->guest_physical_address, gpa);
	CHECK_MSG((h->instruction_length_cr8 & 0xF) == len,
		  "%s: instruction length %u, want %u", what,
		  h->instruction_length_cr8 & 0xF, len);
	CHECK_MSG(m->instruction_byte_count >= len &&
		  m->instruction_byte_count <= 16,
		  "%s: %u instruction bytes", what, m->instruction_byte_count);
	if (m->instruction_byte_count >= len && m->instruction_byte_count <= 16)
		CHECK_MSG(!memcmp(m->instruction_bytes, kg_ptr(g, rip, len), len),
			  "%s: instruction bytes differ from the guest's",
			  what);
	/* The operand's GVA: the guests map GPAs one to one. */
	CHECK_MSG(m->memory_access_info & HV_X64_MEMORY_ACCESS_GVA_VALID,
		  "%s: no GVA", what);
	CHECK_MSG(m->guest_virtual_address == gpa,
		  "%s: GVA 0x%" PRIx64 " (identity map)", what,
		  m->guest_virtual_address);
	CHECK_EQ(h->cs_segment.selector, KG_SEL_CODE);
	kg_check_state(what, &g->msg, sizeof(*m));
}

/* The end of KG_FAULT_UNMAPPED: an instruction fetched from an unmapped
 * GPA stops the VP with the execute access, RIP and the GPA on the page,
 * no instruction to show.  The parent emulates it (a `ret` here), as a
 * VMM runs code from a ROM it keeps to itself. */
static void unmapped_call(struct kg *g)
{
	uint64_t ret = kg_report(g, "call's return address");
	const struct hv_x64_memory_intercept_message *mi =
		(const void *)g->msg.payload;

	kg_run_to(g, HVMSG_UNMAPPED_GPA, "call to an unmapped GPA");
	CHECK_EQ(mi->header.intercept_access_type, HV_INTERCEPT_ACCESS_EXECUTE);
	CHECK_EQ(mi->header.rip, KG_UNMAPPED + 0x30);
	CHECK_EQ(mi->guest_physical_address, KG_UNMAPPED + 0x30);
	CHECK_EQ(mi->header.instruction_length_cr8 & 0xF, 0);
	CHECK_EQ(mi->instruction_byte_count, 0);
	CHECK_EQ(mi->header.cs_segment.selector, KG_SEL_CODE);
	kg_check_state("call to an unmapped GPA", &g->msg, sizeof(*mi));
	uint64_t rsp = kg_get_reg(g, HV_X64_REGISTER_RSP);

	CHECK_EQ(*(uint64_t *)kg_ptr(g, rsp, 8), ret);
	kg_set_reg(g, HV_X64_REGISTER_RIP, ret);
	kg_set_reg(g, HV_X64_REGISTER_RSP, rsp + 8);
}

/* spec.md §11.4: an unmapped GPA stops the VP with HVMSG_UNMAPPED_GPA;
 * the parent skips the instruction, which was not done, or, for code
 * fetched there, emulates it. */
TEST(kvm_fault_unmapped_gpa)
{
	struct kg g;

	kg_start(&g, &kg_guest_fault, 0, KG_FAULT_UNMAPPED, 0);
	uint64_t rip = kg_report(&g, "read's address");

	/* mov 0x40010, %eax: 8b 04 25 + disp32. */
	kg_run_to(&g, HVMSG_UNMAPPED_GPA, "read of an unmapped GPA");
	check_memory(&g, "read", rip, HV_INTERCEPT_ACCESS_READ,
		     KG_UNMAPPED + 0x10, 7);
	CHECK_EQ(kg_get_reg(&g, HV_REGISTER_INTERCEPT_SUSPEND), 1);
	CHECK_EQ(kg_get_reg(&g, HV_X64_REGISTER_RIP), rip);
	kg_skip(&g);
	KG_EXPECT(&g, "RAX after the skipped read", KG_STEP);

	rip = kg_report(&g, "write's address");
	/* movl $imm32, 0x40020: c7 04 25 + disp32 + imm32. */
	kg_run_to(&g, HVMSG_UNMAPPED_GPA, "write of an unmapped GPA");
	check_memory(&g, "write", rip, HV_INTERCEPT_ACCESS_WRITE,
		     KG_UNMAPPED + 0x20, 11);
	kg_skip(&g);
	unmapped_call(&g);
	KG_EXPECT(&g, "end", KG_DONE);
	kg_end(&g);
}

struct rings {
	unsigned n;
	uint64_t partition;
	uint32_t connection;
};

static void count_ring(void *ctx, uint64_t partition, uint32_t connection)
{
	struct rings *r = ctx;

	r->n++;
	r->partition = partition;
	r->connection = connection;
}

/*
 * Doorbells (spec.md §10): a guest write that matches a doorbell
 * connection of its partition (GPA, trigger size, value) rings it, the
 * embedder's handler hears it and the guest runs on; a write that does
 * not match is the unmapped GPA it was.
 */
static void doorbell_case(uint32_t flags, uint64_t value, bool rings)
{
	struct kg g;
	struct rings r = { 0 };
	const uint32_t port = 0x77;

	kg_start(&g, &kg_guest_fault, 0, KG_FAULT_UNMAPPED, 0);
	CHECK_ST(ohv_linux_register_doorbell(g.root, g.id, port,
					     KG_UNMAPPED + 0x20, value, flags),
		 HV_STATUS_SUCCESS);
	ohv_set_doorbell_handler(g.hv, count_ring, &r);
	kg_report(&g, "read's address");
	kg_run_to(&g, HVMSG_UNMAPPED_GPA, "read of an unmapped GPA");
	kg_skip(&g);
	KG_EXPECT(&g, "RAX after the skipped read", KG_STEP);
	kg_report(&g, "write's address");
	if (!rings) {
		kg_run_to(&g, HVMSG_UNMAPPED_GPA, "write that rings nothing");
		kg_skip(&g);
	}
	unmapped_call(&g);
	KG_EXPECT(&g, "end", KG_DONE);
	CHECK_EQ(r.n, rings);
	if (rings) {
		CHECK_EQ(r.partition, g.id);
		CHECK_EQ(r.connection, port);
	}
	ohv_set_doorbell_handler(g.hv, NULL, NULL);
	CHECK_ST(ohv_linux_unregister_doorbell(g.root, g.id, port),
		 HV_STATUS_SUCCESS);
	kg_end(&g);
}

TEST(kvm_doorbell_rings)
{
	doorbell_case(HV_DOORBELL_FLAG_TRIGGER_SIZE_DWORD, 0x12345678, true);
}

TEST(kvm_doorbell_any_value)
{
	doorbell_case(HV_DOORBELL_FLAG_TRIGGER_SIZE_ANY |
		      HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE, 0, true);
}

TEST(kvm_doorbell_other_value)
{
	doorbell_case(HV_DOORBELL_FLAG_TRIGGER_SIZE_DWORD, 0x12345679, false);
}

TEST(kvm_doorbell_other_size)
{
	doorbell_case(HV_DOORBELL_FLAG_TRIGGER_SIZE_QWORD |
		      HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE, 0, false);
}

/* A write to a page mapped without write access: HVMSG_GPA_INTERCEPT,
 * the page unchanged. */
TEST(kvm_fault_read_only_write)
{
	struct kg g;

	kg_start(&g, &kg_guest_fault, 0, KG_FAULT_READ_ONLY, 0);
	kg_map_ro(&g, 0x1122334455667788);
	KG_EXPECT(&g, "read of the read-only page", 0x1122334455667788);
	uint64_t rip = kg_report(&g, "write's address");

	/* movq $1, 0x30008: 48 c7 04 25 + disp32 + imm32. */
	kg_run_to(&g, HVMSG_GPA_INTERCEPT, "write to a read-only page");
	check_memory(&g, "write", rip, HV_INTERCEPT_ACCESS_WRITE,
		     KG_RO_PAGE + 8, 12);
	kg_skip(&g);
	KG_EXPECT(&g, "the page after the write", 0);
	CHECK_EQ(*(uint64_t *)kg_ptr(&g, KG_RO_PAGE + 8, 8), 0);
	kg_end(&g);
}

/* A fault while delivering a fault while delivering one. */
TEST(kvm_fault_triple)
{
	struct kg g;

	kg_start(&g, &kg_guest_fault, 0, KG_FAULT_TRIPLE, 0);
	kg_run_to(&g, HVMSG_UNRECOVERABLE_EXCEPTION, "triple fault");
	CHECK_EQ(kg_get_reg(&g, HV_REGISTER_INTERCEPT_SUSPEND), 1);
	kg_end(&g);
}

/* spec.md §11.4: an HLT nothing can wake (IF = 0). */
TEST(kvm_fault_halt)
{
	struct kg g;
	const struct hv_x64_intercept_message_header *h =
		(const void *)g.msg.payload;

	kg_start(&g, &kg_guest_fault, 0, KG_FAULT_HALT, 0);
	KG_EXPECT(&g, "ready", KG_READY);
	kg_run_to(&g, HVMSG_X64_HALT, "cli; hlt");
	CHECK_MSG(kg_halted_at(&g, h->rip), "halt at 0x%" PRIx64, h->rip);
	CHECK_EQ(h->rflags & 0x200, 0);
	kg_end(&g);
}

/* HvInstallIntercept of an MSR (TLFS-md HvInstallIntercept; spec.md
 * §11.4): the guest's access stops its VP with HVMSG_X64_MSR_INTERCEPT,
 * the instruction not done; the parent completes it.  With the intercept
 * removed, the same instruction runs as the CPU runs it. */
static uint64_t msr_intercept(struct kg *g, uint32_t type, uint32_t access,
			      uint64_t param)
{
	struct hv_input_install_intercept in = {
		.partition_id = g->id, .access_type = access,
		.intercept_type = type, .intercept_parameter = param,
	};

	return ohv_client_hvcall(g->root,
				 ohv_control(HVCALL_INSTALL_INTERCEPT, 0, 0, 0),
				 &in, sizeof(in), NULL, 0);
}

#define KERNEL_GS_BASE	0xC0000102u

/* The stop of an MSR intercept: its message, the access, the MSR, RIP
 * at the rdmsr or wrmsr (insn) with length 2, RAX as the guest had it. */
static void expect_msr_stop(struct kg *g, const char *what, unsigned access,
			    uint64_t rip, const uint8_t *insn, uint64_t rax)
{
	const struct hv_x64_msr_intercept_message *mi =
		(const void *)g->msg.payload;

	kg_run_to(g, HVMSG_X64_MSR_INTERCEPT, what);
	kg_check_state(what, &g->msg, sizeof(*mi));
	CHECK_MSG(g->msg.header.payload_size == sizeof(*mi),
		  "%s: payload %u", what, g->msg.header.payload_size);
	CHECK_MSG(mi->header.intercept_access_type == access,
		  "%s: access %u", what, mi->header.intercept_access_type);
	CHECK_MSG(mi->msr_number == KERNEL_GS_BASE, "%s: MSR 0x%x", what,
		  mi->msr_number);
	CHECK_MSG(mi->header.rip == rip, "%s: rip 0x%" PRIx64 ", want 0x%"
		  PRIx64, what, mi->header.rip, rip);
	CHECK_MSG((mi->header.instruction_length_cr8 & 0xF) == 2,
		  "%s: length %u", what,
		  mi->header.instruction_length_cr8 & 0xF);
	CHECK_MSG(!memcmp(kg_ptr(g, rip, 2), insn, 2), "%s: not at the "
		  "instruction", what);
	CHECK_MSG((uint32_t)mi->rax == (uint32_t)rax, "%s: rax 0x%" PRIx64
		  ", want 0x%" PRIx64, what, mi->rax, rax);
	CHECK_MSG((uint32_t)mi->rdx == 0 || access != HV_INTERCEPT_ACCESS_WRITE,
		  "%s: rdx 0x%" PRIx64, what, mi->rdx);
}

/* guest_fault's msr_icpt: `mov $KERNEL_GS_BASE, %ecx` is 5 bytes,
 * `mov $imm, %eax` 5, `xor %edx, %edx` 2, rdmsr and wrmsr 2.  others:
 * MSRs the guest never touches intercepted too, beforehand. */
static void msr_intercept_case(uint32_t type, uint32_t access,
			       uint64_t param, unsigned others)
{
	struct kg g;

	kg_start(&g, &kg_guest_fault, 0, KG_FAULT_MSR_ICPT, 0);
	for (unsigned i = 0; i < others; i++)
		CHECK_ST(msr_intercept(&g, HV_INTERCEPT_TYPE_X64_MSR_INDEX,
				       HV_INTERCEPT_ACCESS_MASK_READ |
				       HV_INTERCEPT_ACCESS_MASK_WRITE,
				       0xC0010000 + i), HV_STATUS_SUCCESS);
	CHECK_ST(msr_intercept(&g, type, access, param), HV_STATUS_SUCCESS);
	uint64_t a = kg_report(&g, "rdmsr's address");

	/* The read: the parent gives the value. */
	expect_msr_stop(&g, "rdmsr", HV_INTERCEPT_ACCESS_READ, a + 5, RDMSR,
			a);
	CHECK_EQ(kg_get_reg(&g, HV_REGISTER_INTERCEPT_SUSPEND), 1);
	kg_set_reg(&g, HV_X64_REGISTER_RAX, 0x77);
	kg_set_reg(&g, HV_X64_REGISTER_RDX, 0);
	kg_skip(&g);
	KG_EXPECT(&g, "what the parent's rdmsr gave", 0x77);
	uint64_t b = kg_report(&g, "wrmsr's address");

	if (access & HV_INTERCEPT_ACCESS_MASK_WRITE) {
		/* The write stops; the intercept goes, and the wrmsr is
		 * run again, by the CPU now. */
		expect_msr_stop(&g, "wrmsr", HV_INTERCEPT_ACCESS_WRITE, b + 12,
				WRMSR, 0x1234);
		CHECK_EQ(kg_get_reg(&g, HV_X64_REGISTER_KERNEL_GS_BASE), 0);
	} else {
		/* An access no intercept names is done as the CPU does it;
		 * the next read stops again. */
		expect_msr_stop(&g, "rdmsr after the wrmsr",
				HV_INTERCEPT_ACCESS_READ, b + 19, RDMSR, 0x1234);
		CHECK_EQ(kg_get_reg(&g, HV_X64_REGISTER_KERNEL_GS_BASE),
			 0x1234);
	}
	CHECK_ST(msr_intercept(&g, type, HV_INTERCEPT_ACCESS_MASK_NONE, param),
		 HV_STATUS_SUCCESS);
	KG_EXPECT(&g, "KERNEL_GS_BASE as the guest reads it", 0x1234);
	KG_EXPECT(&g, "end", KG_DONE);
	kg_end(&g);
}

TEST(kvm_msr_intercept_index)
{
	msr_intercept_case(HV_INTERCEPT_TYPE_X64_MSR_INDEX,
			   HV_INTERCEPT_ACCESS_MASK_READ |
			   HV_INTERCEPT_ACCESS_MASK_WRITE, KERNEL_GS_BASE, 0);
}

/* 16 single MSRs, one more than KVM's filter has ranges for beside the
 * synthetic range: the backend then has every access exit and sorts them
 * itself; removing one brings the ranges back. */
TEST(kvm_msr_intercept_many)
{
	msr_intercept_case(HV_INTERCEPT_TYPE_X64_MSR_INDEX,
			   HV_INTERCEPT_ACCESS_MASK_READ |
			   HV_INTERCEPT_ACCESS_MASK_WRITE, KERNEL_GS_BASE, 15);
}

TEST(kvm_msr_intercept_all_reads)
{
	msr_intercept_case(HV_INTERCEPT_TYPE_X64_MSR,
			   HV_INTERCEPT_ACCESS_MASK_READ, 0, 0);
}
