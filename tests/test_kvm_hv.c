/* SPDX-License-Identifier: MIT */
/*
 * The Hyper-V interface a guest sees on the KVM backend (spec.md §11.3,
 * 11.4): guest_hv's CPUID leaves, synthetic MSRs, hypercall page, and
 * memory, fast and XMM-fast hypercalls, each checked against what the
 * host knows.  Skips without a usable /dev/kvm.
 */
#include "kvm_guest.h"

/* The root's event port that guest_hv signals through its connection. */
#define EVT_PORT	0x31
#define EVT_CONN	0x47
#define EVT_SINT	5
#define EVT_VECTOR	0x40
#define EVT_FLAG	3

static uint64_t root_sief_page;

/* An event port of the root's VP 0 on SINT EVT_SINT (its SynIC on, the
 * SIEF page one of its own pages) and the child's connection to it. */
static void root_event_port(struct kg *g)
{
	const uint64_t root = ohv_root_id(g->hv);

	REQUIRE(ohv_root_alloc(g->hv, OHV_ANY_NODE, &root_sief_page) == 0);
	memset(ohv_gpa(g->hv, root, root_sief_page << 12, HV_PAGE_SIZE), 0,
	       HV_PAGE_SIZE);
	const struct hv_register_assoc regs[] = {
		{ .name = HV_REGISTER_SIEFP,
		  .value.reg64 = root_sief_page << 12 | HV_SYNIC_SIEFP_ENABLE },
		{ .name = HV_REGISTER_SINT0 + EVT_SINT,
		  .value.reg64 = EVT_VECTOR },
		{ .name = HV_REGISTER_SCONTROL,
		  .value.reg64 = HV_SYNIC_SCONTROL_ENABLE },
	};
	REQUIRE_ST(ohv_call_set_vp_registers(g->root, root, 0, regs, 3, NULL),
		   HV_STATUS_SUCCESS);

	struct hv_input_create_port port = {
		.port_partition_id = root, .port_id = EVT_PORT,
		.connection_partition_id = g->id,
		.port_info = { .port_type = HV_PORT_TYPE_EVENT },
	};
	port.port_info.event_port_info.target_sint = EVT_SINT;
	port.port_info.event_port_info.target_vp = 0;
	port.port_info.event_port_info.base_flag_number = 0;
	port.port_info.event_port_info.flag_count = 16;
	REQUIRE_ST(ohv_client_create_port(g->root, &port), HV_STATUS_SUCCESS);

	struct hv_input_connect_port conn = {
		.connection_partition_id = g->id, .connection_id = EVT_CONN,
		.port_partition_id = root, .port_id = EVT_PORT,
		.connection_info = { .port_type = HV_PORT_TYPE_EVENT },
	};
	REQUIRE_ST(ohv_client_connect_port(g->root, &conn), HV_STATUS_SUCCESS);
}

/* 12 bytes of a CPUID vendor string as EBX, ECX, EDX. */
static uint32_t str4(const char *s)
{
	return (uint32_t)(uint8_t)s[0] | (uint32_t)(uint8_t)s[1] << 8 |
	       (uint32_t)(uint8_t)s[2] << 16 | (uint32_t)(uint8_t)s[3] << 24;
}

TEST(kvm_guest_hv)
{
	struct kg g;
	const uint64_t priv = HV_PARTITION_PRIV_ACCESS_PARTITION_ID |
			      HV_PARTITION_PRIV_SIGNAL_EVENTS |
			      HV_PARTITION_PRIV_ACCESS_VP_REGISTERS;
	uint64_t flags;

	kg_start(&g, &kg_guest_hv, priv,
		 EVT_CONN | (uint64_t)(EVT_FLAG + 1) << 32,
		 EVT_CONN | (uint64_t)EVT_FLAG << 32);
	root_event_port(&g);
	REQUIRE_ST(ohv_call_get_partition_property(
			   g.root, g.id, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
			   &flags), HV_STATUS_SUCCESS);
	CHECK_EQ(flags, g.privileges);

	/* CPUID (TLFS-md feature-discovery.md; spec.md §11.3). */
	uint64_t r[7][4];

	for (int leaf = 0; leaf < 7; leaf++)
		for (int i = 0; i < 4; i++) {
			char what[64];

			snprintf(what, sizeof(what), "CPUID 0x%x %s",
				 0x40000000 + leaf, (const char *[]){
					 "EAX", "EBX", "ECX", "EDX" }[i]);
			r[leaf][i] = kg_report(&g, what);
		}
	CHECK_EQ(r[0][0], HV_CPUID_HARDWARE_FEATURES);
	CHECK_EQ(r[0][1], str4("Micr"));
	CHECK_EQ(r[0][2], str4("osof"));
	CHECK_EQ(r[0][3], str4("t Hv"));
	CHECK_EQ(r[1][0], HV_CPUID_INTERFACE_HV1);
	CHECK_EQ(r[1][1], 0);
	CHECK_EQ(r[1][2], 0);
	CHECK_EQ(r[1][3], 0);
	CHECK_EQ(r[3][0], flags & 0xFFFFFFFF);
	CHECK_EQ(r[3][1], flags >> 32);
	CHECK_MSG(r[4][0] & HV_CPUID_DEPRECATING_AEOI,
		  "CPUID 0x40000004 EAX 0x%" PRIx64 ": AutoEOI not deprecated",
		  r[4][0]);
	CHECK_MSG(r[5][0] >= 1 && r[5][0] <= OHV_MAX_VPS,
		  "CPUID 0x40000005 EAX (VPs) %" PRIu64, r[5][0]);

	/* The synthetic MSRs (TLFS 2.0 §4.12). */
	KG_EXPECT(&g, "GUEST_OS_ID read back", KG_GUEST_OS_ID);
	KG_EXPECT(&g, "HYPERCALL read back", KG_HCALL | HV_X64_MSR_HYPERCALL_ENABLE);
	uint64_t stub = kg_report(&g, "hypercall page bytes");

	/* out imm8, al; ret (kvm-facts §3), on a port the guests keep. */
	CHECK_EQ(stub & 0xFF, 0xE6);
	CHECK_EQ(stub >> 16 & 0xFF, 0xC3);
	CHECK_MSG((stub >> 8 & 0xFF) != KG_PORT, "the stub uses port 0x%x",
		  KG_PORT);
	/* RAM stays as it was under the overlay page. */
	CHECK_EQ(*(uint64_t *)kg_ptr(&g, KG_HCALL, 8), 0);
	KG_EXPECT(&g, "VP_INDEX", 0);
	CHECK_EQ(kg_get_reg(&g, HV_REGISTER_GUEST_OS_ID), KG_GUEST_OS_ID);

	/* Hypercalls: memory, fast, XMM-fast. */
	KG_EXPECT(&g, "HvGetPartitionId result", HV_STATUS_SUCCESS);
	KG_EXPECT(&g, "HvGetPartitionId output page", g.id);
	KG_EXPECT(&g, "fast HvGetPartitionId result", HV_STATUS_SUCCESS);
	KG_EXPECT(&g, "fast HvGetPartitionId RDX", g.id);
	KG_EXPECT(&g, "fast HvSignalEvent result", HV_STATUS_SUCCESS);
	const uint8_t *sief = ohv_gpa(g.hv, ohv_root_id(g.hv),
				      root_sief_page << 12, HV_PAGE_SIZE);
	struct ohv_sint_state sints;

	REQUIRE(sief);
	CHECK_EQ(sief[EVT_SINT * 256], 1u << EVT_FLAG);
	REQUIRE(ohv_vp_sints(g.hv, ohv_root_id(g.hv), 0, &sints) == 0);
	CHECK_EQ(sints.raised[EVT_SINT], 1);
	KG_EXPECT(&g, "HvSignalEvent (input in memory) result",
		  HV_STATUS_SUCCESS);
	CHECK_EQ(sief[EVT_SINT * 256], 3u << EVT_FLAG);
	REQUIRE(ohv_vp_sints(g.hv, ohv_root_id(g.hv), 0, &sints) == 0);
	CHECK_EQ(sints.raised[EVT_SINT], 2);
	KG_EXPECT(&g, "XMM-fast HvGetVpRegisters result",
		  HV_STATUS_SUCCESS | 1ull << HV_HYPERCALL_REP_COMP_OFFSET);
	KG_EXPECT(&g, "XMM-fast HvGetVpRegisters XMM1 low", KG_GUEST_OS_ID);
	KG_EXPECT(&g, "XMM-fast HvGetVpRegisters XMM1 high", 0);
	KG_EXPECT(&g, "XMM-fast HvGetVpRegisters XMM0 (input) kept",
		  KG_REG_GUEST_OS_ID);

	/* spec.md §2.1: stopped for its parent, InterceptSuspend reads 1
	 * and RIP is the intercepted instruction's own. */
	int rc = kg_run(&g);
	const struct hv_x64_intercept_message_header *h =
		(const void *)g.msg.payload;

	CHECK_EQ(rc, 0);
	CHECK_EQ(kg_get_reg(&g, HV_REGISTER_INTERCEPT_SUSPEND), 1);
	CHECK_EQ(kg_get_reg(&g, HV_X64_REGISTER_RIP), h->rip);
	CHECK_EQ(kg_take_report(&g, rc, &g.msg, "end"), KG_DONE);

	/* cli; hlt: a halt nothing can wake stops it (spec.md §11.4). */
	kg_run_to(&g, HVMSG_X64_HALT, "cli; hlt");
	CHECK_MSG(kg_halted_at(&g, h->rip), "halt at 0x%" PRIx64, h->rip);
	kg_end(&g);
}

/* Two children of one instance run interleaved and stay apart: each
 * sees its own privileges in CPUID and its own HvGetPartitionId. */
TEST(kvm_guest_hv_two_children)
{
	struct kg a, b;
	const uint64_t priv = HV_PARTITION_PRIV_ACCESS_PARTITION_ID |
			      HV_PARTITION_PRIV_ACCESS_VP_REGISTERS;

	kg_start(&a, &kg_guest_hv, priv, 0, 0);
	kg_start_next(&b, &a, &kg_guest_hv, 0, 0, 0);
	CHECK(a.id != b.id);
	/* b lacks AccessPartitionId: CPUID says so and the call is denied. */
	for (int i = 0; i < 7 * 4; i++) {
		uint64_t va = kg_report(&a, "a CPUID"),
			 vb = kg_report(&b, "b CPUID");

		if (i == 3 * 4) {
			CHECK_EQ(va, a.privileges & 0xFFFFFFFF);
			CHECK_EQ(vb, b.privileges & 0xFFFFFFFF);
		}
		if (i == 3 * 4 + 1) {
			CHECK_EQ(va, a.privileges >> 32);
			CHECK_EQ(vb, b.privileges >> 32);
		}
	}
	for (int i = 0; i < 4; i++) {
		kg_report(&a, "a MSRs");
		kg_report(&b, "b MSRs");
	}
	KG_EXPECT(&a, "a HvGetPartitionId", HV_STATUS_SUCCESS);
	KG_EXPECT(&b, "b HvGetPartitionId", HV_STATUS_ACCESS_DENIED);
	KG_EXPECT(&a, "a partition id", a.id);
	KG_EXPECT(&b, "b output page untouched", 0);
	kg_end(&b);
	kg_end(&a);
}

/* The root is the host program, never a VM (spec.md §11.1), but its VPs
 * have registers as under the null backend: the root reads and writes
 * them with HvGetVpRegisters / HvSetVpRegisters, SynIC ones included. */
TEST(kvm_root_vp_registers)
{
	struct ohv *hv = kg_open();
	struct ohv_client *c;
	const uint64_t root = ohv_root_id(hv);
	uint64_t v = 0;

	REQUIRE(ohv_client_open(hv, 0, &c) == 0);
	CHECK_ST(ohv_call_set_vp_register(c, root, 0, HV_REGISTER_SCONTROL,
					  HV_SYNIC_SCONTROL_ENABLE),
		 HV_STATUS_SUCCESS);
	CHECK_ST(ohv_call_get_vp_register(c, root, 0, HV_REGISTER_SCONTROL, &v),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(v, HV_SYNIC_SCONTROL_ENABLE);
	CHECK_ST(ohv_call_set_vp_register(c, root, 0, HV_X64_REGISTER_RAX, 5),
		 HV_STATUS_SUCCESS);
	CHECK_ST(ohv_call_get_vp_register(c, root, 0, HV_X64_REGISTER_RAX, &v),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(v, 5);
	ohv_client_close(c);
	ohv_close(hv);
}
