/* SPDX-License-Identifier: MIT */
/*
 * SynIC delivery into a running guest on the KVM backend (spec.md §8,
 * 11.3): guest_synic sleeps in `sti; hlt` on one thread while the root
 * posts messages and signals events to its ports from another; the
 * guest's interrupt handlers count what arrives.  Skips without a usable
 * /dev/kvm.
 */
#include "kvm_guest.h"

#define MSG_PORT	0x11
#define MSG_CONN	0x21
#define EVT_PORT	0x12
#define EVT_CONN	0x22
#define MSG_TYPE	0x1234u
#define MESSAGES	8u	/* <= HV_PORT_MESSAGE_BUFFER_COUNT: never refused */

/* A port of the child's VP 0 on sint and the root's connection to it. */
static void port_to_child(struct kg *g, uint32_t type, uint32_t port,
			  uint32_t conn, uint32_t sint)
{
	const uint64_t root = ohv_root_id(g->hv);
	struct hv_input_create_port in = {
		.port_partition_id = g->id, .port_id = port,
		.connection_partition_id = root,
		.port_info = { .port_type = type },
	};

	if (type == HV_PORT_TYPE_MESSAGE) {
		in.port_info.message_port_info.target_sint = sint;
		in.port_info.message_port_info.target_vp = 0;
	} else {
		in.port_info.event_port_info.target_sint = sint;
		in.port_info.event_port_info.target_vp = 0;
		in.port_info.event_port_info.flag_count = 64;
	}
	REQUIRE_ST(ohv_client_create_port(g->root, &in), HV_STATUS_SUCCESS);

	struct hv_input_connect_port c = {
		.connection_partition_id = root, .connection_id = conn,
		.port_partition_id = g->id, .port_id = port,
		.connection_info = { .port_type = type },
	};
	REQUIRE_ST(ohv_client_connect_port(g->root, &c), HV_STATUS_SUCCESS);
}

static hv_status_t post(struct kg *g, uint64_t seq)
{
	return ohv_call_post_message(g->root, MSG_CONN, MSG_TYPE, &seq,
				     sizeof(seq));
}

/* HvCallAssertVirtualInterrupt: a fixed interrupt of vector to the
 * child's VP 0 (APIC id 0). */
static hv_status_t assert_irq(struct kg *g, uint32_t vector)
{
	struct hv_input_assert_virtual_interrupt in = {
		.partition_id = g->id,
		.control = HV_X64_INTERRUPT_TYPE_FIXED,
		.dest_addr = 0,
		.vector = vector,
	};

	return ohv_result_status(ohv_client_hvcall(
		g->root, HVCALL_ASSERT_VIRTUAL_INTERRUPT, &in, sizeof(in),
		NULL, 0));
}

/* The guest sleeps until nmsg messages, the events of flags and nirq (0
 * or 1: edges of one vector may merge) asserted interrupts came. */
static void deliver(uint32_t nmsg, const uint16_t *flags, size_t nflags,
		    uint32_t nirq)
{
	struct kg g;
	struct kg_runner r;
	uint64_t mask = 0;

	for (size_t i = 0; i < nflags; i++)
		mask |= 1ull << flags[i];
	kg_start(&g, &kg_guest_synic, 0, nmsg, mask);
	kg_set_reg(&g, HV_X64_REGISTER_RDX, nirq);
	port_to_child(&g, HV_PORT_TYPE_MESSAGE, MSG_PORT, MSG_CONN,
		      KG_MSG_SINT);
	port_to_child(&g, HV_PORT_TYPE_EVENT, EVT_PORT, EVT_CONN, KG_EVT_SINT);

	/* Before the guest enables its SynIC nothing can be delivered
	 * (seed 004: no SIM page, INVALID_SYNIC_STATE). */
	CHECK_ST(post(&g, 0), HV_STATUS_INVALID_SYNIC_STATE);
	CHECK_ST(ohv_call_signal_event(g.root, EVT_CONN, 0),
		 HV_STATUS_INVALID_SYNIC_STATE);

	KG_EXPECT(&g, "SynIC enabled", KG_READY);
	/* The MSR writes are the VP's SynIC registers (spec.md §11.3). */
	struct ohv_vp_info info;

	REQUIRE(ohv_vp_info(g.hv, g.id, 0, &info) == 0);
	CHECK_EQ(info.scontrol, HV_SYNIC_SCONTROL_ENABLE);
	CHECK_EQ(info.simp, KG_SIMP | HV_SYNIC_SIMP_ENABLE);
	CHECK_EQ(info.siefp, KG_SIEFP | HV_SYNIC_SIEFP_ENABLE);
	CHECK_EQ(info.sint[KG_MSG_SINT], KG_MSG_VECTOR);
	CHECK_EQ(info.sint[KG_EVT_SINT], KG_EVT_VECTOR);

	kg_runner_start(&r, &g);
	/* Let the guest go to sleep first in half of the cases. */
	if (nmsg % 2)
		kg_sleep_ms(50);
	for (uint32_t i = 1; i <= nmsg; i++)
		CHECK_ST(post(&g, i), HV_STATUS_SUCCESS);
	for (size_t i = 0; i < nflags; i++)
		CHECK_ST(ohv_call_signal_event(g.root, EVT_CONN, flags[i]),
			 HV_STATUS_SUCCESS);
	for (uint32_t i = 0; i < nirq; i++)
		CHECK_ST(assert_irq(&g, KG_IRQ_VECTOR), HV_STATUS_SUCCESS);
	kg_runner_finish(&r, "the guest counting");
	CHECK_EQ(kg_take_report(&g, r.rc, &r.msg, "messages counted"), nmsg);
	KG_EXPECT(&g, "payload sum", (uint64_t)nmsg * (nmsg + 1) / 2);
	KG_EXPECT(&g, "last message type", nmsg ? MSG_TYPE : 0);
	KG_EXPECT(&g, "event flags", mask);
	uint64_t irqs = kg_report(&g, "event interrupts");

	KG_EXPECT(&g, "asserted interrupts", nirq);
	KG_EXPECT(&g, "end", KG_DONE);

	struct ohv_sint_state s;

	REQUIRE(ohv_vp_sints(g.hv, g.id, 0, &s) == 0);
	CHECK_EQ(s.raised[KG_MSG_SINT], nmsg);
	CHECK_EQ(s.queued[KG_MSG_SINT], 0);
	/* One interrupt may carry several flags; none comes for nothing. */
	CHECK_MSG(irqs >= (nflags ? 1 : 0) && irqs <= s.raised[KG_EVT_SINT] &&
		  s.raised[KG_EVT_SINT] <= nflags,
		  "%" PRIu64 " event interrupts, %" PRIu64 " raised, %zu flags",
		  irqs, s.raised[KG_EVT_SINT], nflags);
	/* The guest took every flag out of its SIEF page. */
	CHECK_EQ(*(uint64_t *)kg_ptr(&g, KG_SIEFP + KG_EVT_SINT * 256, 8), 0);
	kg_end(&g);
}

TEST(kvm_synic_messages)
{
	deliver(MESSAGES, NULL, 0, 0);
}

TEST(kvm_synic_events)
{
	static const uint16_t flags[] = { 0, 3, 17, 63 };

	deliver(0, flags, 4, 0);
}

TEST(kvm_synic_messages_and_events)
{
	static const uint16_t flags[] = { 1, 2, 40 };

	deliver(3, flags, 3, 1);
}

/*
 * More messages than the port buffers while the guest is not running:
 * the 17th post finds the slot full and 16 buffers queued
 * (INSUFFICIENT_BUFFERS); once the guest runs it drains them all.
 */
TEST(kvm_synic_buffers)
{
	struct kg g;
	struct kg_runner r;
	const uint32_t n = HV_PORT_MESSAGE_BUFFER_COUNT + 1;

	kg_start(&g, &kg_guest_synic, 0, n, 0);
	kg_set_reg(&g, HV_X64_REGISTER_RDX, 0);
	port_to_child(&g, HV_PORT_TYPE_MESSAGE, MSG_PORT, MSG_CONN,
		      KG_MSG_SINT);
	KG_EXPECT(&g, "SynIC enabled", KG_READY);
	for (uint32_t i = 1; i <= n; i++)
		CHECK_ST(post(&g, i), HV_STATUS_SUCCESS);
	CHECK_ST(post(&g, 99), HV_STATUS_INSUFFICIENT_BUFFERS);
	kg_runner_start(&r, &g);
	kg_runner_finish(&r, "the guest draining");
	CHECK_EQ(kg_take_report(&g, r.rc, &r.msg, "messages counted"), n);
	KG_EXPECT(&g, "payload sum", (uint64_t)n * (n + 1) / 2);
	kg_end(&g);
}

/* HvCallAssertVirtualInterrupt alone wakes the sleeping guest through its
 * LAPIC (spec.md §11.3). */
TEST(kvm_synic_asserted_interrupt)
{
	deliver(0, NULL, 0, 1);
}
