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
 * What a guest does with its CPU (take the SINT interrupt, read its
 * memory) the null backend leaves to the embedding program; everything a
 * guest asks of the hypervisor goes through hypercalls.
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
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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

static bool make_child(struct world *w, struct child *k)
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

static bool run(struct world *w, uint64_t start)
{
	struct child *a = &w->kid[0], *b = &w->kid[1];
	struct ohv_client_stats s;
	char who[32];

	for (int i = 0; i < 2; i++)
		if (!make_child(w, &w->kid[i]))
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
	for (uint32_t n = 1; n <= 2 * ROUNDS; n += 2)
		if (!pass(w, a, b, MSG_PING, n) ||
		    !pass(w, b, a, MSG_PONG, n + 1))
			return false;

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
	if (ohv_open(NULL, &w.hv) || ohv_client_open(w.hv, 0, &w.root)) {
		fprintf(stderr, "ping_pong: cannot open an instance\n");
		ohv_close(w.hv);
		return 1;
	}
	good = run(&w, ohv_root_free_pages(w.hv));
	for (int i = 0; i < 2; i++)
		ohv_client_close(w.kid[i].vp0);
	ohv_client_close(w.root);
	ohv_close(w.hv);
	printf("%s\n", good ? "ok" : "FAILED");
	return good ? 0 : 1;
}
