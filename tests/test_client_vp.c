/* SPDX-License-Identifier: MIT */
/*
 * The client layer beyond partitions (client.h): GPA mapping, VPs and
 * registers, ports, messages and events.  Each wrapper against the raw
 * hypercall on a twin instance, rep batching and the time budget, the
 * Linux mshv deposit-and-retry behaviours, clean-up on failure, and every
 * page back where it came from after teardown.
 */
#include <errno.h>

#include "t.h"

#define SELF		HV_PARTITION_ID_SELF
#define ALL_PAGES	UINT64_MAX
#define RW		(HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE)
#define RWX		(RW | HV_MAP_GPA_EXECUTABLE)

/* The talkers' layout: GPA pages 0 and 1 are their hypercall pages (the
 * harness's T_IN_PAGE and T_OUT_PAGE), the SIM at page 2, the SIEF at 3. */
#define SIM_PAGE	2ull
#define SIEF_PAGE	3ull
#define SINT		2u
#define VECTOR		0x42u
#define KID_PAGES	16u
#define PRIV_TALK	(OHV_CHILD_PRIVILEGES | HV_PARTITION_PRIV_POST_MESSAGES | \
			 HV_PARTITION_PRIV_SIGNAL_EVENTS | \
			 HV_PARTITION_PRIV_ACCESS_VP_REGISTERS)

static const struct hv_proximity_domain_info no_node = { 0, 0 };

static struct ohv_client *root_client(struct ohv *hv)
{
	struct ohv_client *c = NULL;
	int rc = ohv_client_open(hv, 0, &c);

	CHECK_MSG(rc == 0, "ohv_client_open: %d", rc);
	REQUIRE(c);
	return c;
}

/* A client for VP 0 of a child whose GPA pages 0 and 1 are mapped. */
static struct ohv_client *kid_client(struct ohv *hv, uint64_t id)
{
	struct ohv_client *c = NULL;

	REQUIRE(ohv_client_open_vp(hv, id, 0, T_IN_PAGE << HV_PAGE_SHIFT,
				   T_OUT_PAGE << HV_PAGE_SHIFT, &c) == 0);
	return c;
}

static struct ohv_client_stats stats(const struct ohv_client *c)
{
	struct ohv_client_stats s;

	ohv_client_stats(c, &s);
	return s;
}

static void pool_of(struct ohv *hv, uint64_t id, uint64_t *avail,
		    uint64_t *in_use)
{
	struct ohv_partition_info info = t_info(hv, id);

	*avail = info.pool_available;
	*in_use = info.pool_in_use;
}

/* The host byte at a child's GPA page, or -1 when it is not mapped. */
static int kid_byte(struct ohv *hv, uint64_t id, uint64_t gpa_page)
{
	const uint8_t *p = ohv_gpa(hv, id, gpa_page << HV_PAGE_SHIFT, 1);

	return p ? *p : -1;
}

/* n root pages from the allocator (REQUIREd). */
static void alloc_pages(struct ohv *hv, uint64_t *pages, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		REQUIRE(ohv_root_alloc(hv, OHV_ANY_NODE, &pages[i]) == 0);
}

static void free_pages(struct ohv *hv, const uint64_t *pages, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		ohv_root_free(hv, pages[i]);
}

/* ---------------------------------------------------------------------- */
/* Raw references.                                                         */

/*
 * A rep call as the raw reference for a rep wrapper: memory-based
 * invocations by VP 0 of caller, count elements in batches of at most
 * batch, each batch re-issued while it returns SUCCESS short.  When
 * advance_base is set the u64 at header offset 8 (a target GPA page) moves
 * on by the elements done before each batch.  Output elements [0, *done)
 * are stored, also on failure.
 */
struct rep_req {
	uint64_t caller;
	uint16_t code;
	const void *hdr;
	size_t hdr_len;
	bool advance_base;
	const void *in_elems;
	size_t in_elem;
	void *out_elems;
	size_t out_elem;
	uint64_t count;
	uint32_t batch;
};

static hv_status_t raw_rep(struct ohv *hv, const struct rep_req *r,
			   uint64_t *done)
{
	static uint8_t in[HV_PAGE_SIZE], out[HV_PAGE_SIZE];
	uint64_t total = 0;
	hv_status_t st = HV_STATUS_SUCCESS;

	while (total < r->count && st == HV_STATUS_SUCCESS) {
		uint64_t left = r->count - total;
		uint32_t n = left > r->batch ? r->batch : (uint32_t)left;
		uint32_t start = 0;

		REQUIRE(r->hdr_len + n * r->in_elem <= HV_PAGE_SIZE);
		memcpy(in, r->hdr, r->hdr_len);
		if (r->advance_base) {
			uint64_t base;

			memcpy(&base, in + 8, 8);
			base += total;
			memcpy(in + 8, &base, 8);
		}
		if (r->in_elem)
			memcpy(in + r->hdr_len,
			       (const uint8_t *)r->in_elems + total * r->in_elem,
			       n * r->in_elem);
		for (;;) {
			uint64_t res = t_mem(hv, r->caller,
					     ohv_control(r->code, 0, n, start),
					     in, r->hdr_len + n * r->in_elem,
					     out, n * r->out_elem);
			uint32_t reps = ohv_result_reps(res);

			st = ohv_result_status(res);
			REQUIRE(reps >= start && reps <= n);
			if (r->out_elem)
				memcpy((uint8_t *)r->out_elems +
				       (total + start) * r->out_elem,
				       out + start * r->out_elem,
				       (reps - start) * r->out_elem);
			if (st == HV_STATUS_SUCCESS)
				REQUIRE(reps > start);
			start = reps;
			if (st != HV_STATUS_SUCCESS || reps == n)
				break;
		}
		total += start;
	}
	*done = total;
	return st;
}

static hv_status_t raw_map(struct ohv *hv, uint64_t caller, uint64_t target,
			   uint64_t gpa_base, uint32_t flags,
			   const uint64_t *src, uint64_t n, uint64_t *done)
{
	struct hv_input_map_gpa_pages hdr = {
		.target_partition_id = target, .target_gpa_base = gpa_base,
		.map_flags = flags,
	};
	struct rep_req r = {
		.caller = caller, .code = HVCALL_MAP_GPA_PAGES,
		.hdr = &hdr, .hdr_len = sizeof(hdr), .advance_base = true,
		.in_elems = src, .in_elem = 8, .count = n, .batch = 509,
	};

	return raw_rep(hv, &r, done);
}

static hv_status_t raw_set_reg(struct ohv *hv, uint64_t caller, uint64_t id,
			       uint32_t vp, uint32_t name, uint64_t value)
{
	struct hv_input_set_vp_registers hdr = {
		.partition_id = id, .vp_index = vp,
	};
	struct hv_register_assoc a = { .name = name, .value.reg64 = value };
	struct rep_req r = {
		.caller = caller, .code = HVCALL_SET_VP_REGISTERS,
		.hdr = &hdr, .hdr_len = sizeof(hdr), .in_elems = &a,
		.in_elem = sizeof(a), .count = 1, .batch = 1,
	};
	uint64_t done;

	return raw_rep(hv, &r, &done);
}

/*
 * A talker, made with raw calls: an Active child with VP 0 running
 * (t_runnable_child), KID_PAGES root pages from *next mapped RW at its GPA
 * 0, its SynIC enabled by itself: SIM at SIM_PAGE, SIEF at SIEF_PAGE,
 * SINT2 unmasked with VECTOR.
 */
static uint64_t raw_talker(struct ohv *hv, uint64_t *next)
{
	uint64_t id = t_runnable_child(hv, next, PRIV_TALK);
	uint64_t src[KID_PAGES], done;

	for (uint32_t i = 0; i < KID_PAGES; i++)
		src[i] = *next + i;
	*next += KID_PAGES;
	REQUIRE_ST(raw_map(hv, T_ROOT, id, 0, RW, src, KID_PAGES, &done),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(raw_set_reg(hv, id, SELF, HV_VP_INDEX_SELF,
			       HV_REGISTER_SCONTROL, HV_SYNIC_SCONTROL_ENABLE),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(raw_set_reg(hv, id, SELF, HV_VP_INDEX_SELF, HV_REGISTER_SIMP,
			       SIM_PAGE << HV_PAGE_SHIFT | HV_SYNIC_SIMP_ENABLE),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(raw_set_reg(hv, id, SELF, HV_VP_INDEX_SELF,
			       HV_REGISTER_SIEFP,
			       SIEF_PAGE << HV_PAGE_SHIFT | HV_SYNIC_SIEFP_ENABLE),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(raw_set_reg(hv, id, SELF, HV_VP_INDEX_SELF,
			       HV_REGISTER_SINT0 + SINT, VECTOR),
		   HV_STATUS_SUCCESS);
	return id;
}

/* ---------------------------------------------------------------------- */
/* Each wrapper against the raw call, on twin instances: instance A runs   */
/* the script with raw memory-based calls, instance B through the client.  */
/* Statuses, outputs, *done and the machines (pools, VPs, SIM and SIEF     */
/* pages, raised interrupts) must match, in every convention on both       */
/* architectures, and the client must pick fast or memory as its           */
/* convention says.                                                        */

/*
 * Step fields by op (caller issues it as its VP 0):
 *   MAP          id, a gpa base, b flags, c first source page, d pages
 *   UNMAP        id, a gpa base, d pages
 *   CREATE_VP    id, a vp, b proximity flags;  DELETE_VP  id, a vp
 *   GET/SET_REGS id, a vp, b register list, d count
 *   GET/SET_REG  id, a vp, b name, c value
 *   CREATE_PORT  id port partition, a port id, b connection partition,
 *                c type, d sint | PORT_VTL
 *   CONNECT      id connection partition, a connection id, b port
 *                partition, c port id, d type
 *   DELETE_PORT  id, a port id;  DISCONNECT  id, a connection id
 *   GET/SET_PORT_PROP  id, a port id, b code, c value
 *   POST         a connection id, b type, d payload size
 *   SIGNAL       a connection id, b flag number
 */
enum op {
	OP_MAP,
	OP_UNMAP,
	OP_CREATE_VP,
	OP_DELETE_VP,
	OP_GET_REGS,
	OP_SET_REGS,
	OP_GET_REG,
	OP_SET_REG,
	OP_CREATE_PORT,
	OP_CREATE_PORT_CLASSIC,
	OP_CONNECT,
	OP_CONNECT_CLASSIC,
	OP_DELETE_PORT,
	OP_DISCONNECT,
	OP_GET_PORT_PROP,
	OP_SET_PORT_PROP,
	OP_POST,
	OP_SIGNAL,
};

#define R		T_ROOT
#define KA		2ull	/* the first talker  */
#define KB		3ull	/* the second talker */
#define PORT_VTL	0x100u
#define BAD_NAME	0x0BADBAD0u
#define MSG		HV_PORT_TYPE_MESSAGE
#define EVT		HV_PORT_TYPE_EVENT

/* Register lists for OP_GET_REGS / OP_SET_REGS. */
enum { L_OK, L_BAD_AT_2, L_RO_AT_1, L_SYNIC };

struct step {
	enum op op;
	uint64_t caller;
	uint64_t id, a, b, c, d;
	hv_status_t want;
};

#define S_(name) HV_STATUS_##name
static const struct step script[] = {
	/* HvMapGpaPages / HvUnmapGpaPages: 12 pages are fast only on arm64
	 * (24 + 96 bytes), 600 take two batches. */
	{ OP_MAP, R, KA, 16, RW, 3000, 12, S_(SUCCESS) },
	{ OP_MAP, R, KA, 100, RWX, 3100, 600, S_(SUCCESS) },
	{ OP_MAP, R, KA, 16, HV_MAP_GPA_WRITABLE, 3000, 1, S_(INVALID_PARAMETER) },
	{ OP_MAP, R, KA, 16, 0x100, 3000, 1, S_(INVALID_PARAMETER) },
	{ OP_MAP, R, KA, 2000, RW, 4091, 10, S_(OPERATION_DENIED) },
	{ OP_MAP, R, KA, HV_GPA_PAGE_LIMIT - 2, RW, 3000, 4,
	  S_(INVALID_PARAMETER) },
	{ OP_MAP, R, 0x99, 0, RW, 3000, 1, S_(INVALID_PARTITION_ID) },
	{ OP_MAP, KA, KB, 0, RW, 0, 1, S_(ACCESS_DENIED) },
	{ OP_MAP, R, SELF, 3050, RWX, 3050, 3, S_(SUCCESS) },
	{ OP_UNMAP, R, KA, 100, 0, 0, 600, S_(SUCCESS) },
	{ OP_UNMAP, R, KA, 16, 0, 0, 12, S_(SUCCESS) },
	{ OP_UNMAP, R, KA, 5000, 0, 0, 3, S_(SUCCESS) },
	{ OP_UNMAP, R, SELF, 16, 0, 0, 1, S_(INVALID_PARTITION_ID) },
	{ OP_UNMAP, R, KA, HV_GPA_PAGE_LIMIT - 2, 0, 0, 4,
	  S_(INVALID_PARAMETER) },
	/* HvCreateVp / HvDeleteVp. */
	{ OP_CREATE_VP, R, KA, 1, 0, 0, 0, S_(SUCCESS) },
	{ OP_CREATE_VP, R, KA, 1, 0, 0, 0, S_(INVALID_VP_INDEX) },
	{ OP_CREATE_VP, R, KA, OHV_MAX_VPS, 0, 0, 0, S_(INVALID_VP_INDEX) },
	{ OP_CREATE_VP, R, KA, 2, 0x2, 0, 0, S_(INVALID_PARAMETER) },
	{ OP_CREATE_VP, R, SELF, 2, 0, 0, 0, S_(INVALID_PARTITION_ID) },
	{ OP_CREATE_VP, R, 0x99, 2, 0, 0, 0, S_(INVALID_PARTITION_ID) },
	{ OP_CREATE_VP, KA, KB, 2, 0, 0, 0, S_(ACCESS_DENIED) },
	{ OP_DELETE_VP, R, KA, 1, 0, 0, 0, S_(SUCCESS) },
	{ OP_DELETE_VP, R, KA, 1, 0, 0, 0, S_(INVALID_VP_INDEX) },
	{ OP_DELETE_VP, R, T_ROOT, 0, 0, 0, 0, S_(ACCESS_DENIED) },
	{ OP_CREATE_VP, R, KA, 1,
	  HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED, 0, 0,
	  S_(SUCCESS) },
	/* HvGetVpRegisters / HvSetVpRegisters: 3 set elements and 4 get
	 * names fit the x64 block, 5 names only arm64's; 300 take batches. */
	{ OP_SET_REGS, R, KA, 1, L_OK, 0, 3, S_(SUCCESS) },
	{ OP_GET_REGS, R, KA, 1, L_OK, 0, 4, S_(SUCCESS) },
	{ OP_GET_REGS, R, KA, 1, L_OK, 0, 5, S_(SUCCESS) },
	{ OP_SET_REGS, R, KA, 1, L_OK, 0, 300, S_(SUCCESS) },
	{ OP_GET_REGS, R, KA, 1, L_OK, 0, 300, S_(SUCCESS) },
	{ OP_GET_REGS, R, KA, 1, L_BAD_AT_2, 0, 6, S_(INVALID_PARAMETER) },
	{ OP_SET_REGS, R, KA, 1, L_RO_AT_1, 0, 4, S_(INVALID_PARAMETER) },
	{ OP_GET_REGS, KA, SELF, HV_VP_INDEX_SELF, L_SYNIC, 0, 4, S_(SUCCESS) },
	{ OP_GET_REGS, KB, KA, 0, L_SYNIC, 0, 4, S_(ACCESS_DENIED) },
	{ OP_GET_REGS, R, KA, 7, L_OK, 0, 2, S_(INVALID_VP_INDEX) },
	{ OP_SET_REG, R, KA, 1, HV_X64_REGISTER_RIP, 0xFFF0, 0, S_(SUCCESS) },
	{ OP_GET_REG, R, KA, 1, HV_X64_REGISTER_RIP, 0, 0, S_(SUCCESS) },
	{ OP_GET_REG, R, KA, 0, HV_REGISTER_EXPLICIT_SUSPEND, 0, 0,
	  S_(SUCCESS) },
	{ OP_GET_REG, R, KA, 1, HV_REGISTER_SVERSION, 0, 0, S_(SUCCESS) },
	{ OP_SET_REG, R, KA, 1, HV_REGISTER_SVERSION, 2, 0,
	  S_(INVALID_PARAMETER) },
	/* Ports and connections: a message port each way, an event port. */
	{ OP_CREATE_PORT, R, KA, 1, KB, MSG, SINT, S_(SUCCESS) },
	{ OP_CREATE_PORT, R, KA, 1, KB, MSG, SINT, S_(INVALID_PORT_ID) },
	{ OP_CREATE_PORT_CLASSIC, R, KB, 1, KA, MSG, SINT, S_(SUCCESS) },
	{ OP_CREATE_PORT, R, KA, 2, KB, EVT, SINT, S_(SUCCESS) },
	{ OP_CREATE_PORT, R, KA, 3, KB, MSG, 0, S_(INVALID_PARAMETER) },
	{ OP_CREATE_PORT, R, KA, 3, KB, MSG, SINT | PORT_VTL,
	  S_(INVALID_PARAMETER) },
	{ OP_CREATE_PORT_CLASSIC, R, KA, 3, KA, MSG, SINT,
	  S_(INVALID_PARTITION_ID) },
	{ OP_CREATE_PORT, KA, SELF, 3, KB, MSG, SINT, S_(ACCESS_DENIED) },
	{ OP_CONNECT, R, KB, 5, KA, 1, MSG, S_(SUCCESS) },
	{ OP_CONNECT_CLASSIC, R, KA, 5, KB, 1, MSG, S_(SUCCESS) },
	{ OP_CONNECT, R, KB, 6, KA, 2, EVT, S_(SUCCESS) },
	{ OP_CONNECT, R, KB, 7, KA, 1, MSG, S_(INVALID_PORT_ID) },
	{ OP_CONNECT_CLASSIC, R, KB, 6, KA, 1, MSG,
	  S_(INVALID_CONNECTION_ID) },
	{ OP_CONNECT, R, KA, 8, KA, 2, EVT, S_(INVALID_PARTITION_ID) },
	{ OP_GET_PORT_PROP, R, KA, 1, HV_PORT_PROPERTY_POST_COUNT, 0, 0,
	  S_(SUCCESS) },
	{ OP_SET_PORT_PROP, R, KA, 1, HV_PORT_PROPERTY_PREFERRED_TARGET_VP, 1,
	  0, S_(SUCCESS) },
	{ OP_SET_PORT_PROP, R, KA, 1, HV_PORT_PROPERTY_PREFERRED_TARGET_VP,
	  HV_ANY_VP, 0, S_(SUCCESS) },
	{ OP_SET_PORT_PROP, R, KA, 1, HV_PORT_PROPERTY_POST_COUNT, 5, 0,
	  S_(PROPERTY_VALUE_OUT_OF_RANGE) },
	{ OP_GET_PORT_PROP, R, KA, 1, 9, 0, 0, S_(UNKNOWN_PROPERTY) },
	{ OP_GET_PORT_PROP, R, KA, 77, HV_PORT_PROPERTY_POST_COUNT, 0, 0,
	  S_(INVALID_PORT_ID) },
	/* Messages and events, issued by the talkers' own VPs. */
	{ OP_POST, KB, 0, 5, 7, 0, 4, S_(SUCCESS) },
	{ OP_POST, KB, 0, 5, 8, 0, 240, S_(SUCCESS) },
	{ OP_POST, KB, 0, 5, 7, 0, 241, S_(INVALID_PARAMETER) },
	{ OP_POST, KB, 0, 5, 0, 0, 4, S_(INVALID_PARAMETER) },
	{ OP_POST, KB, 0, 5, 0x80000001u, 0, 4, S_(INVALID_PARAMETER) },
	{ OP_POST, KB, 0, 99, 7, 0, 4, S_(INVALID_CONNECTION_ID) },
	{ OP_POST, KA, 0, 5, 9, 0, 0, S_(SUCCESS) },
	{ OP_POST, R, 0, 5, 9, 0, 0, S_(INVALID_CONNECTION_ID) },
	{ OP_SIGNAL, KB, 0, 6, 3, 0, 0, S_(SUCCESS) },
	{ OP_SIGNAL, KB, 0, 6, 3, 0, 0, S_(SUCCESS) },
	{ OP_SIGNAL, KB, 0, 6, 8, 0, 0, S_(INVALID_PARAMETER) },
	{ OP_SIGNAL, KB, 0, 5, 0, 0, 0, S_(INVALID_PORT_ID) },
	{ OP_SIGNAL, KA, 0, 6, 0, 0, 0, S_(INVALID_CONNECTION_ID) },
	{ OP_GET_PORT_PROP, R, KA, 1, HV_PORT_PROPERTY_POST_COUNT, 0, 0,
	  S_(SUCCESS) },
	{ OP_GET_PORT_PROP, R, KA, 2, HV_PORT_PROPERTY_POST_COUNT, 0, 0,
	  S_(SUCCESS) },
	/* Teardown of ports and connections. */
	{ OP_DISCONNECT, R, KB, 6, 0, 0, 0, S_(SUCCESS) },
	{ OP_DISCONNECT, R, KB, 6, 0, 0, 0, S_(INVALID_CONNECTION_ID) },
	{ OP_DISCONNECT, KA, KB, 5, 0, 0, 0, S_(ACCESS_DENIED) },
	{ OP_DELETE_PORT, R, KA, 2, 0, 0, 0, S_(SUCCESS) },
	{ OP_DELETE_PORT, R, KA, 2, 0, 0, 0, S_(INVALID_PORT_ID) },
	{ OP_DELETE_PORT, R, KA, 1, 0, 0, 0, S_(SUCCESS) },
	{ OP_POST, KB, 0, 5, 7, 0, 4, S_(INVALID_PORT_ID) },
	{ OP_DELETE_PORT, R, 0x99, 1, 0, 0, 0, S_(INVALID_PARTITION_ID) },
	{ OP_DELETE_VP, R, KA, 1, 0, 0, 0, S_(SUCCESS) },
};

#define MAX_REGS	300

/* Writable 64-bit registers, in an order the lists cycle through. */
static const uint32_t gpr_names[] = {
	HV_X64_REGISTER_RAX, HV_X64_REGISTER_RCX, HV_X64_REGISTER_RDX,
	HV_X64_REGISTER_RBX, HV_X64_REGISTER_RSP, HV_X64_REGISTER_RBP,
	HV_X64_REGISTER_RSI, HV_X64_REGISTER_RDI, HV_X64_REGISTER_R8,
	HV_X64_REGISTER_R9, HV_X64_REGISTER_R10, HV_X64_REGISTER_R11,
	HV_X64_REGISTER_R12, HV_X64_REGISTER_R13, HV_X64_REGISTER_R14,
	HV_X64_REGISTER_R15, HV_X64_REGISTER_RIP, HV_X64_REGISTER_RFLAGS,
	HV_X64_REGISTER_CR0, HV_X64_REGISTER_CR3, HV_X64_REGISTER_CR4,
	HV_X64_REGISTER_EFER, HV_REGISTER_GUEST_OS_ID,
};
#define NGPR	(sizeof(gpr_names) / sizeof(gpr_names[0]))

static const uint32_t synic_names[] = {
	HV_REGISTER_SCONTROL, HV_REGISTER_SIMP, HV_REGISTER_SIEFP,
	HV_REGISTER_SINT0 + SINT,
};

static uint32_t list_name(uint64_t list, uint32_t i)
{
	switch (list) {
	case L_BAD_AT_2:
		if (i == 2)
			return BAD_NAME;
		break;
	case L_RO_AT_1:
		if (i == 1)
			return HV_REGISTER_SVERSION;
		break;
	case L_SYNIC:
		return synic_names[i % 4];
	}
	return gpr_names[i % NGPR];
}

static void reg_list(uint64_t list, uint32_t n, uint32_t *names,
		     struct hv_register_assoc *regs)
{
	for (uint32_t i = 0; i < n; i++) {
		names[i] = list_name(list, i);
		memset(&regs[i], 0, sizeof(regs[i]));
		regs[i].name = names[i];
		regs[i].value.reg64 = 0x5100000000ull + i * 0x11;
	}
}

struct outcome {
	hv_status_t st;
	uint64_t v;
	uint64_t done;
	union hv_register_value vals[MAX_REGS];
};

static void port_request(const struct step *s, struct hv_input_create_port *in)
{
	memset(in, 0, sizeof(*in));
	in->port_partition_id = s->id;
	in->port_id = (uint32_t)s->a;
	in->connection_partition_id = s->b;
	in->port_info.port_type = (uint32_t)s->c;
	in->port_info.message_port_info.target_sint = (uint32_t)(s->d & 0xFF);
	in->port_info.message_port_info.target_vp = 0;
	if (s->c == EVT)
		in->port_info.event_port_info.flag_count = 8;
	if (s->d & PORT_VTL)
		in->port_vtl = 1;
}

static void port_request_classic(const struct step *s,
				 struct hv_input_create_port_classic *in)
{
	struct hv_input_create_port m;

	port_request(s, &m);
	memset(in, 0, sizeof(*in));
	in->port_partition_id = m.port_partition_id;
	in->port_id = m.port_id;
	in->connection_partition_id = m.connection_partition_id;
	in->port_info = m.port_info;
}

static void connect_request(const struct step *s,
			    struct hv_input_connect_port *in)
{
	memset(in, 0, sizeof(*in));
	in->connection_partition_id = s->id;
	in->connection_id = (uint32_t)s->a;
	in->port_partition_id = s->b;
	in->port_id = (uint32_t)s->c;
	in->connection_info.port_type = (uint32_t)s->d;
}

static void connect_request_classic(const struct step *s,
				    struct hv_input_connect_port_classic *in)
{
	memset(in, 0, sizeof(*in));
	in->connection_partition_id = s->id;
	in->connection_id = (uint32_t)s->a;
	in->port_partition_id = s->b;
	in->port_id = (uint32_t)s->c;
	in->connection_info.port_type = (uint32_t)s->d;
}

/* The payload of a post: a pattern of the step, 256 bytes readable. */
static void payload_of(size_t step, uint8_t *p)
{
	for (int i = 0; i < 256; i++)
		p[i] = (uint8_t)(step * 31 + i * 7);
}

static hv_status_t raw_simple(struct ohv *hv, uint64_t caller, uint16_t code,
			      const void *in, size_t in_len, void *out,
			      size_t out_len)
{
	return ohv_result_status(t_mem(hv, caller, code, in, in_len, out,
				       out_len));
}

static void run_raw(struct ohv *hv, size_t k, const struct step *s,
		    struct outcome *o)
{
	static uint32_t names[MAX_REGS];
	static struct hv_register_assoc regs[MAX_REGS];
	static uint64_t src[MAX_REGS * 2 + 100];

	switch (s->op) {
	case OP_MAP:
		REQUIRE(s->d <= sizeof(src) / sizeof(src[0]));
		for (uint64_t i = 0; i < s->d; i++)
			src[i] = s->c + i;
		o->st = raw_map(hv, s->caller, s->id, s->a, (uint32_t)s->b,
				src, s->d, &o->done);
		break;
	case OP_UNMAP: {
		struct hv_input_unmap_gpa_pages hdr = {
			.target_partition_id = s->id, .target_gpa_base = s->a,
		};
		/* No list: one call takes up to 4095 pages. */
		struct rep_req r = {
			.caller = s->caller, .code = HVCALL_UNMAP_GPA_PAGES,
			.hdr = &hdr, .hdr_len = sizeof(hdr),
			.advance_base = true, .count = s->d, .batch = 4095,
		};

		o->st = raw_rep(hv, &r, &o->done);
		break;
	}
	case OP_CREATE_VP: {
		struct hv_input_create_vp in = {
			.partition_id = s->id, .vp_index = (uint32_t)s->a,
			.proximity_domain_info = { 0, (uint32_t)s->b },
		};

		o->st = raw_simple(hv, s->caller, HVCALL_CREATE_VP, &in,
				   sizeof(in), NULL, 0);
		break;
	}
	case OP_DELETE_VP: {
		struct hv_input_delete_vp in = {
			.partition_id = s->id, .vp_index = (uint32_t)s->a,
		};

		o->st = raw_simple(hv, s->caller, HVCALL_DELETE_VP, &in,
				   sizeof(in), NULL, 0);
		break;
	}
	case OP_GET_REGS:
	case OP_SET_REGS:
	case OP_GET_REG:
	case OP_SET_REG: {
		struct hv_input_get_vp_registers hdr = {
			.partition_id = s->id, .vp_index = (uint32_t)s->a,
		};
		bool get = s->op == OP_GET_REGS || s->op == OP_GET_REG;
		bool one = s->op == OP_GET_REG || s->op == OP_SET_REG;
		uint32_t n = one ? 1 : (uint32_t)s->d;
		struct rep_req r = {
			.caller = s->caller, .hdr = &hdr, .hdr_len = sizeof(hdr),
			.count = n,
		};

		REQUIRE(n <= MAX_REGS);
		reg_list(s->b, n, names, regs);
		if (one) {
			names[0] = regs[0].name = (uint32_t)s->b;
			regs[0].value.reg64 = s->c;
		}
		if (get) {
			r.code = HVCALL_GET_VP_REGISTERS;
			r.in_elems = names;
			r.in_elem = 4;
			r.out_elems = o->vals;
			r.out_elem = 16;
			r.batch = 256;
		} else {
			r.code = HVCALL_SET_VP_REGISTERS;
			r.in_elems = regs;
			r.in_elem = 32;
			r.batch = 127;
		}
		o->st = raw_rep(hv, &r, &o->done);
		if (s->op == OP_GET_REG && o->st == HV_STATUS_SUCCESS)
			o->v = o->vals[0].reg64;
		if (one)
			o->done = 0;	/* the one-register wrappers have none */
		break;
	}
	case OP_CREATE_PORT: {
		struct hv_input_create_port in;

		port_request(s, &in);
		o->st = raw_simple(hv, s->caller, HVCALL_CREATE_PORT, &in,
				   sizeof(in), NULL, 0);
		break;
	}
	case OP_CREATE_PORT_CLASSIC: {
		struct hv_input_create_port_classic in;

		port_request_classic(s, &in);
		o->st = raw_simple(hv, s->caller, HVCALL_CREATE_PORT_CLASSIC,
				   &in, sizeof(in), NULL, 0);
		break;
	}
	case OP_CONNECT: {
		struct hv_input_connect_port in;

		connect_request(s, &in);
		o->st = raw_simple(hv, s->caller, HVCALL_CONNECT_PORT, &in,
				   sizeof(in), NULL, 0);
		break;
	}
	case OP_CONNECT_CLASSIC: {
		struct hv_input_connect_port_classic in;

		connect_request_classic(s, &in);
		o->st = raw_simple(hv, s->caller, HVCALL_CONNECT_PORT_CLASSIC,
				   &in, sizeof(in), NULL, 0);
		break;
	}
	case OP_DELETE_PORT: {
		struct hv_input_delete_port in = {
			.port_partition_id = s->id, .port_id = (uint32_t)s->a,
		};

		o->st = raw_simple(hv, s->caller, HVCALL_DELETE_PORT, &in,
				   sizeof(in), NULL, 0);
		break;
	}
	case OP_DISCONNECT: {
		struct hv_input_disconnect_port in = {
			.connection_partition_id = s->id,
			.connection_id = (uint32_t)s->a,
		};

		o->st = raw_simple(hv, s->caller, HVCALL_DISCONNECT_PORT, &in,
				   sizeof(in), NULL, 0);
		break;
	}
	case OP_GET_PORT_PROP: {
		struct hv_input_get_port_property in = {
			.port_partition_id = s->id, .port_id = (uint32_t)s->a,
			.property_code = (uint32_t)s->b,
		};
		struct hv_output_get_port_property out = { 0 };

		o->st = raw_simple(hv, s->caller, HVCALL_GET_PORT_PROPERTY,
				   &in, sizeof(in), &out, sizeof(out));
		if (o->st == HV_STATUS_SUCCESS)
			o->v = out.property_value;
		break;
	}
	case OP_SET_PORT_PROP: {
		struct hv_input_set_port_property in = {
			.port_partition_id = s->id, .port_id = (uint32_t)s->a,
			.property_code = (uint32_t)s->b,
			.property_value = s->c,
		};
		struct hv_output_set_port_property out = { 0 };

		o->st = raw_simple(hv, s->caller, HVCALL_SET_PORT_PROPERTY,
				   &in, sizeof(in), &out, sizeof(out));
		if (o->st == HV_STATUS_SUCCESS)
			o->v = out.property_value;
		break;
	}
	case OP_POST: {
		struct hv_input_post_message in;
		uint8_t payload[256];

		payload_of(k, payload);
		memset(&in, 0, sizeof(in));
		in.connection_id = (uint32_t)s->a;
		in.message_type = (uint32_t)s->b;
		in.payload_size = (uint32_t)s->d;
		memcpy(in.payload, payload, s->d < 240 ? s->d : 240);
		o->st = raw_simple(hv, s->caller, HVCALL_POST_MESSAGE, &in,
				   sizeof(in), NULL, 0);
		break;
	}
	case OP_SIGNAL: {
		struct hv_input_signal_event in = {
			.connection_id = (uint32_t)s->a,
			.flag_number = (uint16_t)s->b,
		};

		o->st = raw_simple(hv, s->caller, HVCALL_SIGNAL_EVENT, &in,
				   sizeof(in), NULL, 0);
		break;
	}
	}
}

static void run_client(struct ohv_client *const *cl, size_t k,
		       const struct step *s, struct outcome *o)
{
	static uint32_t names[MAX_REGS];
	static struct hv_register_assoc regs[MAX_REGS];
	static uint64_t src[MAX_REGS * 2 + 100];
	const uint64_t sentinel = 0xDEADBEEFull;
	struct ohv_client *c = cl[s->caller - 1];

	o->v = sentinel;
	o->done = 0;
	switch (s->op) {
	case OP_MAP:
		for (uint64_t i = 0; i < s->d; i++)
			src[i] = s->c + i;
		o->st = ohv_call_map_gpa_pages(c, s->id, s->a, (uint32_t)s->b,
					       src, s->d, &o->done);
		break;
	case OP_UNMAP:
		o->st = ohv_call_unmap_gpa_pages(c, s->id, s->a, s->d,
						 &o->done);
		break;
	case OP_CREATE_VP: {
		struct hv_proximity_domain_info pi = { 0, (uint32_t)s->b };

		o->st = ohv_call_create_vp(c, s->id, (uint32_t)s->a, pi);
		break;
	}
	case OP_DELETE_VP:
		o->st = ohv_call_delete_vp(c, s->id, (uint32_t)s->a);
		break;
	case OP_GET_REGS:
		reg_list(s->b, (uint32_t)s->d, names, regs);
		o->st = ohv_call_get_vp_registers(c, s->id, (uint32_t)s->a,
						  names, o->vals, s->d,
						  &o->done);
		break;
	case OP_SET_REGS:
		reg_list(s->b, (uint32_t)s->d, names, regs);
		o->st = ohv_call_set_vp_registers(c, s->id, (uint32_t)s->a,
						  regs, s->d, &o->done);
		break;
	case OP_GET_REG:
		o->st = ohv_call_get_vp_register(c, s->id, (uint32_t)s->a,
						 (uint32_t)s->b, &o->v);
		break;
	case OP_SET_REG:
		o->st = ohv_call_set_vp_register(c, s->id, (uint32_t)s->a,
						 (uint32_t)s->b, s->c);
		break;
	case OP_CREATE_PORT: {
		struct hv_input_create_port in;

		port_request(s, &in);
		o->st = ohv_call_create_port(c, &in);
		break;
	}
	case OP_CREATE_PORT_CLASSIC: {
		struct hv_input_create_port_classic in;

		port_request_classic(s, &in);
		o->st = ohv_call_create_port_classic(c, &in);
		break;
	}
	case OP_CONNECT: {
		struct hv_input_connect_port in;

		connect_request(s, &in);
		o->st = ohv_call_connect_port(c, &in);
		break;
	}
	case OP_CONNECT_CLASSIC: {
		struct hv_input_connect_port_classic in;

		connect_request_classic(s, &in);
		o->st = ohv_call_connect_port_classic(c, &in);
		break;
	}
	case OP_DELETE_PORT:
		o->st = ohv_call_delete_port(c, s->id, (uint32_t)s->a);
		break;
	case OP_DISCONNECT:
		o->st = ohv_call_disconnect_port(c, s->id, (uint32_t)s->a);
		break;
	case OP_GET_PORT_PROP:
		o->st = ohv_call_get_port_property(c, s->id, (uint32_t)s->a,
						   (uint32_t)s->b, &o->v);
		break;
	case OP_SET_PORT_PROP:
		o->st = ohv_call_set_port_property(c, s->id, (uint32_t)s->a,
						   (uint32_t)s->b, s->c, &o->v);
		break;
	case OP_POST: {
		uint8_t payload[256];

		payload_of(k, payload);
		o->st = ohv_call_post_message(c, (uint32_t)s->a,
					      (uint32_t)s->b, payload,
					      (uint32_t)s->d);
		break;
	}
	case OP_SIGNAL:
		o->st = ohv_call_signal_event(c, (uint32_t)s->a,
					      (uint16_t)s->b);
		break;
	}
	/* Single outputs are written only on SUCCESS. */
	if (o->st != HV_STATUS_SUCCESS)
		CHECK_EQ(o->v, sentinel);
	CHECK_ST(ohv_client_last_result(c), o->st);
}

/* The same machine: partitions, pools, VPs, the talkers' SynIC pages and
 * interrupts, and what their first pages hold. */
static void same_machines(struct ohv *a, struct ohv *b, size_t step)
{
	uint64_t ida[8], idb[8];
	size_t na = ohv_partition_list(a, ida, 8);
	size_t nb = ohv_partition_list(b, idb, 8);

	CHECK_MSG(na == nb, "step %zu: %zu vs %zu partitions", step, na, nb);
	for (size_t i = 0; i < na && i < nb && i < 8; i++) {
		struct ohv_partition_info pa = t_info(a, ida[i]);
		struct ohv_partition_info pb = t_info(b, idb[i]);

		CHECK_EQ(ida[i], idb[i]);
		CHECK_MSG(pa.state == pb.state &&
			  pa.pool_available == pb.pool_available &&
			  pa.pool_in_use == pb.pool_in_use &&
			  pa.vps == pb.vps && pa.children == pb.children,
			  "step %zu: partition %" PRIu64 " differs: pool %"
			  PRIu64 "/%" PRIu64 " vs %" PRIu64 "/%" PRIu64
			  ", vps %u vs %u", step, ida[i], pa.pool_available,
			  pa.pool_in_use, pb.pool_available, pb.pool_in_use,
			  pa.vps, pb.vps);
	}
	for (uint64_t id = KA; id <= KB; id++) {
		struct ohv_sint_state sa, sb;

		for (uint64_t page = SIM_PAGE; page <= SIEF_PAGE; page++) {
			const void *pa = ohv_gpa(a, id, page << HV_PAGE_SHIFT,
						 HV_PAGE_SIZE);
			const void *pb = ohv_gpa(b, id, page << HV_PAGE_SHIFT,
						 HV_PAGE_SIZE);

			REQUIRE(pa && pb);
			CHECK_MSG(!memcmp(pa, pb, HV_PAGE_SIZE),
				  "step %zu: partition %" PRIu64 " page %" PRIu64
				  " differs", step, id, page);
		}
		REQUIRE(ohv_vp_sints(a, id, 0, &sa) == 0);
		REQUIRE(ohv_vp_sints(b, id, 0, &sb) == 0);
		CHECK_MSG(!memcmp(sa.raised, sb.raised, sizeof(sa.raised)) &&
			  !memcmp(sa.queued, sb.queued, sizeof(sa.queued)) &&
			  sa.pending == sb.pending,
			  "step %zu: partition %" PRIu64 " interrupts differ",
			  step, id);
	}
}

/* What the client did on the wire, per call. */
struct wire {
	unsigned n;
	struct { uint16_t code; bool fast; uint32_t reps; } call[512];
};

static void wire_trace(void *ctx, const struct ohv_trace_event *ev)
{
	struct wire *w = ctx;

	if (w->n < 512) {
		w->call[w->n].code = (uint16_t)(ev->control & HV_HYPERCALL_CODE_MASK);
		w->call[w->n].fast = ev->control & HV_HYPERCALL_FAST_BIT;
		w->call[w->n].reps = (uint32_t)((ev->control &
						 HV_HYPERCALL_REP_COUNT_MASK) >>
						HV_HYPERCALL_REP_COMP_OFFSET);
	}
	w->n++;
}

/* Input and output bytes of one call (facts §3.2). */
static void call_sizes(uint16_t code, uint32_t reps, size_t *in, size_t *out)
{
	*out = 0;
	switch (code) {
	case HVCALL_MAP_GPA_PAGES:
		*in = 24 + 8 * (size_t)reps;
		break;
	case HVCALL_UNMAP_GPA_PAGES:
		*in = 24;
		break;
	case HVCALL_CREATE_VP:
		*in = 40;
		break;
	case HVCALL_GET_VP_REGISTERS:
		*in = 16 + 4 * (size_t)reps;
		*out = 16 * (size_t)reps;
		break;
	case HVCALL_SET_VP_REGISTERS:
		*in = 16 + 32 * (size_t)reps;
		break;
	case HVCALL_CREATE_PORT:
		*in = 56;
		break;
	case HVCALL_CONNECT_PORT:
		*in = 72;
		break;
	case HVCALL_CREATE_PORT_CLASSIC:
	case HVCALL_CONNECT_PORT_CLASSIC:
		*in = 48;
		break;
	case HVCALL_GET_PORT_PROPERTY:
		*in = 24;
		*out = 8;
		break;
	case HVCALL_SET_PORT_PROPERTY:
		*in = 32;
		*out = 8;
		break;
	case HVCALL_POST_MESSAGE:
		*in = 256;
		break;
	case HVCALL_SIGNAL_EVENT:
		*in = 8;
		break;
	default:	/* delete VP, delete port, disconnect */
		*in = 16;
		break;
	}
}

static void check_wire(const struct wire *w, enum ohv_arch arch,
		       enum ohv_client_convention conv)
{
	size_t cap = arch == OHV_ARCH_X64 ? HV_X64_FAST_INPUT_BYTES :
					    HV_ARM64_FAST_INPUT_BYTES;
	unsigned fast = 0, mem = 0, arm_only = 0;

	REQUIRE(w->n > 0 && w->n <= 512);
	for (unsigned i = 0; i < w->n; i++) {
		uint16_t code = w->call[i].code;
		size_t in, out;
		bool want;

		call_sizes(code, w->call[i].reps, &in, &out);
		bool fits = ((in + 15) & ~(size_t)15) + out <= cap;

		if (((in + 15) & ~(size_t)15) + out > HV_X64_FAST_INPUT_BYTES &&
		    fits)
			arm_only++;
		switch (conv) {
		case OHV_CLIENT_LINUX:
			want = code == HVCALL_DELETE_VP ||
			       code == HVCALL_DELETE_PORT ||
			       code == HVCALL_DISCONNECT_PORT ||
			       code == HVCALL_SIGNAL_EVENT;
			break;
		case OHV_CLIENT_MEMORY:
			want = false;
			break;
		default:
			want = fits;
			break;
		}
		CHECK_MSG(w->call[i].fast == want, "call %u (0x%04x, %u reps): "
			  "fast %d, want %d", i, code, w->call[i].reps,
			  w->call[i].fast, want);
		if (w->call[i].fast)
			fast++;
		else
			mem++;
	}
	/* The script has calls of both kinds in both conventions that mix,
	 * and on arm64 calls that only its larger block holds. */
	if (conv != OHV_CLIENT_MEMORY)
		CHECK(fast > 0 && mem > 0);
	if (arch == OHV_ARCH_ARM64)
		CHECK(arm_only > 0);
}

static struct ohv *open_arch(enum ohv_arch arch)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.arch = arch;
	return t_open(&cfg);
}

static void wrappers_match_raw(enum ohv_arch arch,
			       enum ohv_client_convention conv)
{
	struct ohv *a = open_arch(arch), *b = open_arch(arch);
	struct ohv_client *cl[3];
	static struct wire w;
	static struct outcome ra, cb;
	uint64_t next_a = T_FIRST_FREE_PAGE, next_b = T_FIRST_FREE_PAGE;

	/* The client's own pages come first, as the harness's pages 0, 1. */
	cl[0] = root_client(b);
	REQUIRE(raw_talker(a, &next_a) == KA && raw_talker(a, &next_a) == KB);
	REQUIRE(raw_talker(b, &next_b) == KA && raw_talker(b, &next_b) == KB);
	cl[1] = kid_client(b, KA);
	cl[2] = kid_client(b, KB);
	for (int i = 0; i < 3; i++)
		ohv_client_set_convention(cl[i], conv);
	memset(&w, 0, sizeof(w));
	ohv_set_trace(b, wire_trace, &w);
	for (size_t i = 0; i < sizeof(script) / sizeof(script[0]); i++) {
		const struct step *s = &script[i];

		memset(&ra, 0, sizeof(ra));
		memset(&cb, 0, sizeof(cb));
		run_raw(a, i, s, &ra);
		run_client(cl, i, s, &cb);
		CHECK_MSG(ra.st == s->want, "step %zu raw: %s, want %s", i,
			  ohv_status_name(ra.st), ohv_status_name(s->want));
		CHECK_MSG(cb.st == ra.st, "step %zu client: %s, raw %s", i,
			  ohv_status_name(cb.st), ohv_status_name(ra.st));
		CHECK_MSG(cb.done == ra.done, "step %zu: done %" PRIu64
			  " vs raw %" PRIu64, i, cb.done, ra.done);
		if (ra.st == HV_STATUS_SUCCESS && (s->op == OP_GET_REG ||
		    s->op == OP_GET_PORT_PROP || s->op == OP_SET_PORT_PROP))
			CHECK_MSG(cb.v == ra.v, "step %zu: 0x%" PRIx64 " vs raw 0x%"
				  PRIx64, i, cb.v, ra.v);
		if (s->op == OP_GET_REGS && cb.done == ra.done)
			CHECK_MSG(!memcmp(cb.vals, ra.vals, ra.done * 16),
				  "step %zu: register values differ", i);
		same_machines(a, b, i);
	}
	ohv_set_trace(b, NULL, NULL);
	check_wire(&w, arch, conv);

	/* Spot checks against the spec, not just the twin. */
	uint64_t v = 0;

	CHECK_ST(ohv_call_get_vp_register(cl[0], KA, 0,
					  HV_REGISTER_EXPLICIT_SUSPEND, &v),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(v, 0);
	CHECK_ST(ohv_call_get_vp_register(cl[0], KA, 0, HV_REGISTER_SVERSION,
					  &v), HV_STATUS_SUCCESS);
	CHECK_EQ(v, HV_SYNIC_VERSION_1);
	CHECK_EQ(t_info(b, KA).vps, 1);
	CHECK_EQ(kid_byte(b, KA, 100), -1);	/* unmapped again */
	for (int i = 0; i < 3; i++)
		ohv_client_close(cl[i]);
	t_destroy_child(a, KA);
	t_destroy_child(a, KB);
	t_destroy_child(b, KA);
	t_destroy_child(b, KB);
	t_close(a);
	t_close(b);
}

TEST(client_vp_wrappers_x64_linux)
{
	wrappers_match_raw(OHV_ARCH_X64, OHV_CLIENT_LINUX);
}

TEST(client_vp_wrappers_x64_memory)
{
	wrappers_match_raw(OHV_ARCH_X64, OHV_CLIENT_MEMORY);
}

TEST(client_vp_wrappers_x64_fast)
{
	wrappers_match_raw(OHV_ARCH_X64, OHV_CLIENT_FAST);
}

TEST(client_vp_wrappers_arm64_linux)
{
	wrappers_match_raw(OHV_ARCH_ARM64, OHV_CLIENT_LINUX);
}

TEST(client_vp_wrappers_arm64_memory)
{
	wrappers_match_raw(OHV_ARCH_ARM64, OHV_CLIENT_MEMORY);
}

TEST(client_vp_wrappers_arm64_fast)
{
	wrappers_match_raw(OHV_ARCH_ARM64, OHV_CLIENT_FAST);
}

/* ---------------------------------------------------------------------- */
/* Rep batching and the time budget.                                       */

struct rep_call {
	uint16_t code;
	uint32_t count, start, reps;
	hv_status_t st;
	uint64_t base;		/* map / unmap: TargetGpaBase */
	uint64_t target;	/* map / unmap / deposit: the partition */
};

struct rep_wire {
	unsigned n;
	struct rep_call call[4096];
};

static void rep_trace(void *ctx, const struct ohv_trace_event *ev)
{
	struct rep_wire *w = ctx;
	struct rep_call *c;

	if (w->n >= 4096) {
		w->n++;
		return;
	}
	c = &w->call[w->n++];
	memset(c, 0, sizeof(*c));
	c->code = (uint16_t)(ev->control & HV_HYPERCALL_CODE_MASK);
	c->count = (uint32_t)((ev->control & HV_HYPERCALL_REP_COUNT_MASK) >>
			      HV_HYPERCALL_REP_COMP_OFFSET);
	c->start = (uint32_t)((ev->control & HV_HYPERCALL_REP_START_MASK) >>
			      HV_HYPERCALL_REP_START_OFFSET);
	c->reps = ohv_result_reps(ev->result);
	c->st = ohv_result_status(ev->result);
	if (ev->input && ev->input_len >= 16) {
		memcpy(&c->target, ev->input, 8);
		memcpy(&c->base, (const uint8_t *)ev->input + 8, 8);
	}
}

/*
 * The calls of one code on the wire, as batches: a call with rep start 0
 * opens a batch, re-issues continue it with the same count and rep start
 * = the reps the previous one completed.  Stores the batch sizes in sizes
 * (at most max) and returns how many batches; *invocations gets the calls.
 */
static unsigned batches(const struct rep_wire *w, uint16_t code,
			uint32_t *sizes, unsigned max, unsigned *invocations)
{
	const struct rep_call *prev = NULL;
	unsigned nb = 0, calls = 0;

	REQUIRE(w->n <= 4096);
	for (unsigned i = 0; i < w->n; i++) {
		const struct rep_call *c = &w->call[i];

		if (c->code != code)
			continue;
		calls++;
		if (c->start == 0) {
			if (nb < max)
				sizes[nb] = c->count;
			nb++;
		} else {
			CHECK_MSG(prev && prev->count == c->count &&
				  prev->reps == c->start &&
				  prev->reps < prev->count &&
				  prev->st == HV_STATUS_SUCCESS,
				  "call %u: re-issue with start %u, count %u",
				  i, c->start, c->count);
		}
		prev = c;
	}
	*invocations = calls;
	return nb;
}

static void rep_batches(uint32_t rep_limit, uint64_t budget_ns,
			enum ohv_client_convention conv)
{
	static struct rep_wire wire;
	static uint64_t src[1100];
	static uint32_t names[MAX_REGS];
	static struct hv_register_assoc regs[MAX_REGS];
	static union hv_register_value vals[MAX_REGS];
	struct ohv_config cfg;
	uint32_t sizes[8];
	unsigned calls;
	uint64_t done;

	t_config(&cfg);
	cfg.rep_limit = rep_limit;
	cfg.rep_budget_ns = budget_ns;
	struct ohv *hv = t_open(&cfg);
	struct ohv_client *c = root_client(hv);
	const uint64_t start = ohv_root_free_pages(hv);
	uint64_t id;

	ohv_client_set_convention(c, conv);
	REQUIRE_ST(ohv_client_create_partition(c, NULL, &id), HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_client_initialize_partition(c, id), HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_client_create_vp(c, id, 0, no_node), HV_STATUS_SUCCESS);
	alloc_pages(hv, src, 1100);
	for (uint64_t i = 0; i < 1100; i++) {
		uint8_t *p = ohv_gpa(hv, T_ROOT, src[i] << HV_PAGE_SHIFT, 1);

		REQUIRE(p);
		*p = (uint8_t)(i * 13 + 1);
	}
	memset(&wire, 0, sizeof(wire));
	ohv_set_trace(hv, rep_trace, &wire);

	/* 1100 pages: 509 + 509 + 82, each batch at its own GPA base. */
	CHECK_ST(ohv_call_map_gpa_pages(c, id, 4096, RW, src, 1100, &done),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(done, 1100);
	REQUIRE(batches(&wire, HVCALL_MAP_GPA_PAGES, sizes, 8, &calls) == 3);
	CHECK_EQ(sizes[0], 509);
	CHECK_EQ(sizes[1], 509);
	CHECK_EQ(sizes[2], 82);
	if (rep_limit == 1)
		CHECK_EQ(calls, 1100);
	for (unsigned i = 0, b = 0; i < wire.n; i++) {
		if (wire.call[i].code != HVCALL_MAP_GPA_PAGES ||
		    wire.call[i].start)
			continue;
		CHECK_EQ(wire.call[i].base, 4096 + 509 * b);
		CHECK_EQ(wire.call[i].target, id);
		b++;
	}
	for (uint64_t i = 0; i < 1100; i++)
		CHECK_EQ(kid_byte(hv, id, 4096 + i), (uint8_t)(i * 13 + 1));

	/* 300 registers: set in 127 + 127 + 46, read back in 256 + 44. */
	reg_list(L_OK, MAX_REGS, names, regs);
	for (uint32_t i = 0; i < MAX_REGS; i++) {
		/* Distinct values for the last write of each name. */
		regs[i].value.reg64 = 0x7700000000ull + i;
	}
	memset(&wire, 0, sizeof(wire));
	CHECK_ST(ohv_call_set_vp_registers(c, id, 0, regs, MAX_REGS, &done),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(done, MAX_REGS);
	REQUIRE(batches(&wire, HVCALL_SET_VP_REGISTERS, sizes, 8, &calls) == 3);
	CHECK_EQ(sizes[0], 127);
	CHECK_EQ(sizes[1], 127);
	CHECK_EQ(sizes[2], 46);
	if (rep_limit == 1)
		CHECK_EQ(calls, MAX_REGS);
	memset(&wire, 0, sizeof(wire));
	memset(vals, 0xA5, sizeof(vals));
	CHECK_ST(ohv_call_get_vp_registers(c, id, 0, names, vals, MAX_REGS,
					   &done), HV_STATUS_SUCCESS);
	CHECK_EQ(done, MAX_REGS);
	REQUIRE(batches(&wire, HVCALL_GET_VP_REGISTERS, sizes, 8, &calls) == 2);
	CHECK_EQ(sizes[0], 256);
	CHECK_EQ(sizes[1], 44);
	if (rep_limit == 1)
		CHECK_EQ(calls, MAX_REGS);
	/* Each name holds the value of its last write in the list. */
	for (uint32_t i = 0; i < MAX_REGS; i++) {
		uint32_t last = i + (uint32_t)((MAX_REGS - 1 - i) / NGPR) * NGPR;

		CHECK_EQ(vals[i].reg64, 0x7700000000ull + last);
	}

	/* A short list that goes fast in the FAST convention: the output
	 * accumulates in the registers across re-issues. */
	memset(&wire, 0, sizeof(wire));
	memset(vals, 0xA5, sizeof(vals));
	CHECK_ST(ohv_call_get_vp_registers(c, id, 0, names, vals, 4, &done),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(done, 4);
	for (uint32_t i = 0; i < 4; i++) {
		uint32_t last = i + (uint32_t)((MAX_REGS - 1 - i) / NGPR) * NGPR;

		CHECK_EQ(vals[i].reg64, 0x7700000000ull + last);
	}
	if (rep_limit == 1) {
		REQUIRE(batches(&wire, HVCALL_GET_VP_REGISTERS, sizes, 8,
				&calls) == 1);
		CHECK_EQ(calls, 4);
	}

	/* A failure in the second batch: *done counts the first batch and
	 * the good part of the second; the values before it were written. */
	names[260] = BAD_NAME;
	memset(vals, 0xA5, sizeof(vals));
	CHECK_ST(ohv_call_get_vp_registers(c, id, 0, names, vals, MAX_REGS,
					   &done), HV_STATUS_INVALID_PARAMETER);
	CHECK_EQ(done, 260);
	CHECK_EQ(vals[259].reg64, 0x7700000000ull + 259 + ((MAX_REGS - 1 - 259) /
							  NGPR) * NGPR);
	CHECK_EQ(vals[260].reg64, 0xA5A5A5A5A5A5A5A5ull);
	regs[130].name = HV_REGISTER_SVERSION;
	CHECK_ST(ohv_call_set_vp_registers(c, id, 0, regs, MAX_REGS, &done),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_EQ(done, 130);

	/* 1100 pages unmapped: 512 + 512 + 76. */
	memset(&wire, 0, sizeof(wire));
	CHECK_ST(ohv_call_unmap_gpa_pages(c, id, 4096, 1100, &done),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(done, 1100);
	REQUIRE(batches(&wire, HVCALL_UNMAP_GPA_PAGES, sizes, 8, &calls) == 3);
	CHECK_EQ(sizes[0], 512);
	CHECK_EQ(sizes[1], 512);
	CHECK_EQ(sizes[2], 76);
	if (rep_limit == 1)
		CHECK_EQ(calls, 1100);
	for (uint64_t i = 0; i < 1100; i += 99)
		CHECK_EQ(kid_byte(hv, id, 4096 + i), -1);
	ohv_set_trace(hv, NULL, NULL);

	CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	free_pages(hv, src, 1100);
	CHECK_ST(ohv_client_withdraw(c, SELF, ALL_PAGES, NULL),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(ohv_root_free_pages(hv), start);
	ohv_client_close(c);
	t_close(hv);
}

TEST(client_vp_rep_batches)
{
	rep_batches(0, 0, OHV_CLIENT_LINUX);
	rep_batches(0, 0, OHV_CLIENT_MEMORY);
}

TEST(client_vp_rep_limit_1)
{
	rep_batches(1, 0, OHV_CLIENT_LINUX);
	rep_batches(1, 0, OHV_CLIENT_FAST);
	rep_batches(1, 0, OHV_CLIENT_MEMORY);
}

/* The real clock: a 1 ns budget stops every call after its first eight
 * elements (the clock is read every eight), and the client re-issues. */
TEST(client_vp_rep_budget_1ns)
{
	rep_batches(0, 1, OHV_CLIENT_LINUX);
	rep_batches(0, 1, OHV_CLIENT_FAST);
}

/* ---------------------------------------------------------------------- */
/* The Linux mshv behaviours.                                              */

/*
 * An Active child of the root whose pool holds exactly costs.initialize
 * pages, all in use: every later object needs a deposit.
 */
static uint64_t bare_child(struct ohv_client *c, struct ohv *hv)
{
	struct ohv_config cfg;
	uint64_t id, avail, in_use;

	ohv_get_config(hv, &cfg);
	REQUIRE_ST(ohv_client_create_partition(c, NULL, &id), HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_client_deposit(c, id, cfg.costs.initialize,
				      OHV_ANY_NODE), HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_call_initialize_partition(c, id), HV_STATUS_SUCCESS);
	pool_of(hv, id, &avail, &in_use);
	REQUIRE(avail == 0 && in_use == cfg.costs.initialize);
	return id;
}

/* The root is back where it started: allocator, pool, invariants. */
static void root_restored(struct ohv *hv, struct ohv_client *c,
			  uint64_t start)
{
	uint64_t avail, in_use;

	CHECK_ST(ohv_client_withdraw(c, SELF, ALL_PAGES, NULL),
		 HV_STATUS_SUCCESS);
	pool_of(hv, T_ROOT, &avail, &in_use);
	CHECK_EQ(avail + in_use, 0);
	CHECK_EQ(ohv_root_free_pages(hv), start);
	CHECK_EQ(t_live(hv), 1);
	CHECK_INVARIANTS(hv);
}

/* hv_do_map_gpa_hcall: 256 pages per INSUFFICIENT_MEMORY, the rest of the
 * list retried from the first page not mapped.  A 300-page GPA table
 * needs two deposits from an empty pool. */
TEST(client_vp_map_converges)
{
	static struct rep_wire wire;
	static uint64_t src[616];
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.costs.gpa_table = 300;
	struct ohv *hv = t_open(&cfg);
	struct ohv_client *c = root_client(hv);
	const uint64_t start = ohv_root_free_pages(hv);
	uint64_t id = bare_child(c, hv), done = 0, avail, in_use;
	struct ohv_client_stats s0 = stats(c), s1;

	alloc_pages(hv, src, 616);
	for (uint64_t i = 0; i < 616; i++) {
		uint8_t *p = ohv_gpa(hv, T_ROOT, src[i] << HV_PAGE_SHIFT, 1);

		REQUIRE(p);
		*p = (uint8_t)(i + 1);
	}

	/* 16 pages in region 0: refused twice, 512 pages deposited. */
	memset(&wire, 0, sizeof(wire));
	ohv_set_trace(hv, rep_trace, &wire);
	CHECK_ST(ohv_client_map_gpa_pages(c, id, 0, RWX, src, 16, &done),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(done, 16);
	s1 = stats(c);
	CHECK_EQ(s1.memory_retries - s0.memory_retries, 2);
	CHECK_EQ(s1.pages_deposited - s0.pages_deposited,
		 2 * OHV_LINUX_MAP_DEPOSIT_PAGES);
	pool_of(hv, id, &avail, &in_use);
	CHECK_EQ(in_use, cfg.costs.initialize + 300);
	CHECK_EQ(avail, 2 * OHV_LINUX_MAP_DEPOSIT_PAGES - 300);
	/* Map, deposit, map, deposit, map. */
	CHECK_EQ(wire.n, 5);
	CHECK_EQ(wire.call[0].code, HVCALL_MAP_GPA_PAGES);
	CHECK_EQ(wire.call[0].st, HV_STATUS_INSUFFICIENT_MEMORY);
	CHECK_EQ(wire.call[1].code, HVCALL_DEPOSIT_MEMORY);
	CHECK_EQ(wire.call[1].count, OHV_LINUX_MAP_DEPOSIT_PAGES);
	CHECK_EQ(wire.call[1].target, id);
	CHECK_EQ(wire.call[3].code, HVCALL_DEPOSIT_MEMORY);
	CHECK_EQ(wire.call[4].st, HV_STATUS_SUCCESS);
	CHECK_EQ(wire.call[4].reps, 16);

	/*
	 * 600 pages from GPA page 512: region 1 needs a deposit, then the
	 * second batch maps three pages and stops at region 2, which needs
	 * another; the retry starts at page 1024 with the 88 left.
	 */
	memset(&wire, 0, sizeof(wire));
	s0 = stats(c);
	CHECK_ST(ohv_client_map_gpa_pages(c, id, 512, RW, src + 16, 600, &done),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(done, 600);
	s1 = stats(c);
	CHECK_EQ(s1.memory_retries - s0.memory_retries, 2);
	const struct { uint16_t code; uint64_t base; uint32_t count, reps;
		       hv_status_t st; } want[] = {
		{ HVCALL_MAP_GPA_PAGES, 512, 509, 0, HV_STATUS_INSUFFICIENT_MEMORY },
		{ HVCALL_DEPOSIT_MEMORY, 0, OHV_LINUX_MAP_DEPOSIT_PAGES,
		  OHV_LINUX_MAP_DEPOSIT_PAGES, HV_STATUS_SUCCESS },
		{ HVCALL_MAP_GPA_PAGES, 512, 509, 509, HV_STATUS_SUCCESS },
		{ HVCALL_MAP_GPA_PAGES, 1021, 91, 3, HV_STATUS_INSUFFICIENT_MEMORY },
		{ HVCALL_DEPOSIT_MEMORY, 0, OHV_LINUX_MAP_DEPOSIT_PAGES,
		  OHV_LINUX_MAP_DEPOSIT_PAGES, HV_STATUS_SUCCESS },
		{ HVCALL_MAP_GPA_PAGES, 1024, 88, 88, HV_STATUS_SUCCESS },
	};

	REQUIRE(wire.n == sizeof(want) / sizeof(want[0]));
	for (unsigned i = 0; i < wire.n; i++) {
		const struct rep_call *w = &wire.call[i];

		CHECK_MSG(w->code == want[i].code && w->count == want[i].count &&
			  w->start == 0 && w->reps == want[i].reps &&
			  w->st == want[i].st &&
			  (w->code != HVCALL_MAP_GPA_PAGES ||
			   w->base == want[i].base) && w->target == id,
			  "call %u: 0x%04x base %" PRIu64 " count %u reps %u %s",
			  i, w->code, w->base, w->count, w->reps,
			  ohv_status_name(w->st));
	}
	ohv_set_trace(hv, NULL, NULL);
	for (uint64_t i = 0; i < 16; i++)
		CHECK_EQ(kid_byte(hv, id, i), (uint8_t)(i + 1));
	for (uint64_t i = 0; i < 600; i += 37)
		CHECK_EQ(kid_byte(hv, id, 512 + i), (uint8_t)(i + 17));
	pool_of(hv, id, &avail, &in_use);
	CHECK_EQ(in_use, cfg.costs.initialize + 3 * 300);
	CHECK_EQ(avail + in_use, cfg.costs.initialize +
		 4 * OHV_LINUX_MAP_DEPOSIT_PAGES);

	/* Teardown: the pages mapped into the child are the root's again
	 * once it is gone. */
	CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	free_pages(hv, src, 616);
	root_restored(hv, c, start);
	ohv_client_close(c);
	t_close(hv);
}

/* hv_call_create_vp: 90 pages first, then one page per INSUFFICIENT_MEMORY
 * until a 100-page VP fits. */
TEST(client_vp_create_vp_converges)
{
	static struct rep_wire wire;
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.costs.vp = 100;
	struct ohv *hv = t_open(&cfg);
	struct ohv_client *c = root_client(hv);
	const uint64_t start = ohv_root_free_pages(hv);
	uint64_t id = bare_child(c, hv), avail, in_use;

	for (uint32_t vp = 0; vp < 2; vp++) {
		struct ohv_client_stats s0 = stats(c), s1;

		memset(&wire, 0, sizeof(wire));
		ohv_set_trace(hv, rep_trace, &wire);
		CHECK_ST(ohv_client_create_vp(c, id, vp, no_node),
			 HV_STATUS_SUCCESS);
		ohv_set_trace(hv, NULL, NULL);
		s1 = stats(c);
		CHECK_EQ(s1.memory_retries - s0.memory_retries, 10);
		CHECK_EQ(s1.pages_deposited - s0.pages_deposited, 100);
		/* 90 in, then create / 1 page, ten times, then create. */
		REQUIRE(wire.n == 1 + 2 * 10 + 1);
		CHECK_EQ(wire.call[0].code, HVCALL_DEPOSIT_MEMORY);
		CHECK_EQ(wire.call[0].count, OHV_LINUX_VP_DEPOSIT_PAGES);
		for (unsigned i = 1; i < wire.n; i += 2) {
			CHECK_EQ(wire.call[i].code, HVCALL_CREATE_VP);
			if (i + 1 < wire.n) {
				CHECK_EQ(wire.call[i].st,
					 HV_STATUS_INSUFFICIENT_MEMORY);
				CHECK_EQ(wire.call[i + 1].code,
					 HVCALL_DEPOSIT_MEMORY);
				CHECK_EQ(wire.call[i + 1].count, 1);
			}
		}
		CHECK_EQ(wire.call[wire.n - 1].st, HV_STATUS_SUCCESS);
		pool_of(hv, id, &avail, &in_use);
		CHECK_EQ(avail, 0);
		CHECK_EQ(in_use, cfg.costs.initialize + 100 * (vp + 1));
		CHECK_EQ(t_info(hv, id).vps, vp + 1);
	}

	/* A new VP starts explicitly suspended (spec.md §7). */
	uint64_t v = 7;

	CHECK_ST(ohv_call_get_vp_register(c, id, 1, HV_REGISTER_EXPLICIT_SUSPEND,
					  &v), HV_STATUS_SUCCESS);
	CHECK_EQ(v, 1);

	/* A failed create keeps the 90 pages, as Linux does. */
	struct ohv_client_stats s0 = stats(c);

	CHECK_ST(ohv_client_create_vp(c, id, 1, no_node),
		 HV_STATUS_INVALID_VP_INDEX);
	CHECK_EQ(stats(c).pages_deposited - s0.pages_deposited,
		 OHV_LINUX_VP_DEPOSIT_PAGES);
	pool_of(hv, id, &avail, &in_use);
	CHECK_EQ(avail, OHV_LINUX_VP_DEPOSIT_PAGES);

	/* The caller's own VPs get no deposit; the hypervisor refuses the
	 * root as a target.  An unknown target fails at the deposit. */
	s0 = stats(c);
	CHECK_ST(ohv_client_create_vp(c, SELF, 1, no_node),
		 HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(ohv_client_create_vp(c, T_ROOT, 1, no_node),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_EQ(stats(c).pages_deposited, s0.pages_deposited);
	CHECK_EQ(stats(c).hypercalls - s0.hypercalls, 2);
	CHECK_ST(ohv_client_create_vp(c, 0x99, 1, no_node),
		 HV_STATUS_INVALID_PARTITION_ID);
	CHECK_EQ(ohv_root_free_pages(hv),
		 start - 1 - cfg.costs.initialize - 200 -
		 OHV_LINUX_VP_DEPOSIT_PAGES);

	/* Delete VP gives its pages back to the pool as available. */
	CHECK_ST(ohv_call_delete_vp(c, id, 1), HV_STATUS_SUCCESS);
	pool_of(hv, id, &avail, &in_use);
	CHECK_EQ(avail, OHV_LINUX_VP_DEPOSIT_PAGES + 100);
	CHECK_EQ(in_use, cfg.costs.initialize + 100);

	CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	root_restored(hv, c, start);
	ohv_client_close(c);
	t_close(hv);
}

/* Linux deposits 90 pages before every VP, needed or not. */
TEST(client_vp_create_vp_default_costs)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_client *c = root_client(hv);
	const uint64_t start = ohv_root_free_pages(hv);
	uint64_t id, avail, in_use;
	struct hv_proximity_domain_info node0 = {
		0, HV_PROXIMITY_DOMAIN_VALID | HV_PROXIMITY_DOMAIN_PREFERRED,
	};

	REQUIRE_ST(ohv_client_create_partition(c, NULL, &id), HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_client_initialize_partition(c, id), HV_STATUS_SUCCESS);
	for (uint32_t vp = 0; vp < 3; vp++)
		CHECK_ST(ohv_client_create_vp(c, id, vp, vp ? node0 : no_node),
			 HV_STATUS_SUCCESS);
	CHECK_EQ(stats(c).memory_retries, 1);	/* the create's */
	pool_of(hv, id, &avail, &in_use);
	CHECK_EQ(in_use, 16 + 3 * 8);
	CHECK_EQ(avail + in_use, OHV_LINUX_INIT_DEPOSIT_PAGES +
		 3 * OHV_LINUX_VP_DEPOSIT_PAGES);
	CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	root_restored(hv, c, start);
	ohv_client_close(c);
	t_close(hv);
}

/* The root's allocator runs dry in the middle of the retries. */
TEST(client_vp_create_vp_allocator_dry)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.memory_pages = 256;
	cfg.costs.vp = 300;
	struct ohv *hv = t_open(&cfg);
	struct ohv_client *c = root_client(hv);
	const uint64_t start = ohv_root_free_pages(hv);
	uint64_t id = bare_child(c, hv);

	/* 256 - 2 client pages - 1 create - 16 initialize = 237 free: the
	 * 90 and 147 single pages go in, the 148th finds none. */
	CHECK_ST(ohv_client_create_vp(c, id, 0, no_node),
		 HV_STATUS_NO_RESOURCES);
	CHECK_EQ(ohv_root_free_pages(hv), 0);
	CHECK_EQ(t_info(hv, id).vps, 0);
	CHECK_EQ(t_info(hv, id).pool_available, start - 1 - 16);
	CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	root_restored(hv, c, start);
	ohv_client_close(c);
	t_close(hv);
}

/* hv_call_create_port / hv_call_connect_port: one page per refusal, into
 * the port's partition and the connection's partition (spec.md §9). */
TEST(client_vp_port_retries)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.costs.port = 3;
	cfg.costs.connection = 2;
	struct ohv *hv = t_open(&cfg);
	struct ohv_client *c = root_client(hv);
	const uint64_t start = ohv_root_free_pages(hv);
	uint64_t a = bare_child(c, hv), b = bare_child(c, hv);
	uint64_t avail, in_use;
	struct hv_input_create_port cp;
	struct hv_input_connect_port cn;
	static struct rep_wire wire;

	memset(&cp, 0, sizeof(cp));
	cp.port_partition_id = a;
	cp.port_id = 1;
	cp.connection_partition_id = b;
	cp.port_info.port_type = HV_PORT_TYPE_MESSAGE;
	cp.port_info.message_port_info.target_sint = SINT;
	cp.port_info.message_port_info.target_vp = HV_ANY_VP;
	memset(&cn, 0, sizeof(cn));
	cn.connection_partition_id = b;
	cn.connection_id = 9;
	cn.port_partition_id = a;
	cn.port_id = 1;
	cn.connection_info.port_type = HV_PORT_TYPE_MESSAGE;

	struct ohv_client_stats s0 = stats(c), s1;

	memset(&wire, 0, sizeof(wire));
	ohv_set_trace(hv, rep_trace, &wire);
	CHECK_ST(ohv_client_create_port(c, &cp), HV_STATUS_SUCCESS);
	s1 = stats(c);
	CHECK_EQ(s1.memory_retries - s0.memory_retries, 3);
	CHECK_EQ(s1.pages_deposited - s0.pages_deposited, 3);
	CHECK_EQ(s1.hypercalls - s0.hypercalls, 7);
	for (unsigned i = 1; i < 7; i += 2) {
		CHECK_EQ(wire.call[i].code, HVCALL_DEPOSIT_MEMORY);
		CHECK_EQ(wire.call[i].target, a);
		CHECK_EQ(wire.call[i].count, 1);
	}
	pool_of(hv, a, &avail, &in_use);
	CHECK_EQ(avail, 0);
	CHECK_EQ(in_use, 16 + 3);
	pool_of(hv, b, &avail, &in_use);
	CHECK_EQ(avail + in_use, 16);

	memset(&wire, 0, sizeof(wire));
	s0 = stats(c);
	CHECK_ST(ohv_client_connect_port(c, &cn), HV_STATUS_SUCCESS);
	ohv_set_trace(hv, NULL, NULL);
	s1 = stats(c);
	CHECK_EQ(s1.memory_retries - s0.memory_retries, 2);
	CHECK_EQ(s1.hypercalls - s0.hypercalls, 5);
	CHECK_EQ(wire.call[1].target, b);
	CHECK_EQ(wire.call[3].target, b);
	pool_of(hv, b, &avail, &in_use);
	CHECK_EQ(avail, 0);
	CHECK_EQ(in_use, 16 + 2);

	/* A second connection to the same port: refused without a deposit
	 * (the pool check comes after the port's). */
	s0 = stats(c);
	cn.connection_id = 10;
	CHECK_ST(ohv_client_connect_port(c, &cn), HV_STATUS_INVALID_PORT_ID);
	CHECK_EQ(stats(c).pages_deposited, s0.pages_deposited);

	/* Disconnect and delete return the objects' pages as available. */
	CHECK_ST(ohv_call_disconnect_port(c, b, 9), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_call_delete_port(c, a, 1), HV_STATUS_SUCCESS);
	pool_of(hv, a, &avail, &in_use);
	CHECK_EQ(avail, 3);
	pool_of(hv, b, &avail, &in_use);
	CHECK_EQ(avail, 2);

	CHECK_ST(ohv_client_create_port(NULL, &cp), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_client_create_port(c, NULL), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_client_connect_port(c, NULL), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_client_destroy_partition(c, a), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_client_destroy_partition(c, b), HV_STATUS_SUCCESS);
	root_restored(hv, c, start);
	ohv_client_close(c);
	t_close(hv);
}

/* A client of a child has no allocator: where a deposit is needed, the
 * Linux behaviours answer INVALID_PARAMETER (as ohv_client_deposit). */
TEST(client_vp_non_root_needs_deposit)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.costs.port = 3;
	struct ohv *hv = t_open(&cfg);
	struct ohv_client *c = root_client(hv);
	const uint64_t start = ohv_root_free_pages(hv);
	uint64_t a, b, pages[KID_PAGES], done = 9, avail, in_use;

	/* A can create ports in itself; its pool ends up empty. */
	REQUIRE_ST(ohv_client_create_partition(c, NULL, &a), HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_call_set_partition_property(c, a,
			HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
			PRIV_TALK | HV_PARTITION_PRIV_CREATE_PORT),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_client_deposit(c, a, 16 + 8 + 1, OHV_ANY_NODE),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_call_initialize_partition(c, a), HV_STATUS_SUCCESS);
	alloc_pages(hv, pages, KID_PAGES);
	REQUIRE_ST(ohv_client_map_gpa_pages(c, a, 0, RW, pages, KID_PAGES,
					    &done), HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_call_create_vp(c, a, 0, no_node), HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_call_set_vp_register(c, a, 0,
					    HV_REGISTER_EXPLICIT_SUSPEND, 0),
		   HV_STATUS_SUCCESS);
	pool_of(hv, a, &avail, &in_use);
	REQUIRE(avail == 0);
	b = bare_child(c, hv);

	struct ohv_client *ka = kid_client(hv, a);
	struct hv_input_create_port cp;
	const uint64_t before = ohv_root_free_pages(hv);

	memset(&cp, 0, sizeof(cp));
	cp.port_partition_id = SELF;
	cp.port_id = 4;
	cp.connection_partition_id = b;
	cp.port_info.port_type = HV_PORT_TYPE_MESSAGE;
	cp.port_info.message_port_info.target_sint = SINT;
	cp.port_info.message_port_info.target_vp = 0;
	CHECK_ST(ohv_call_create_port(ka, &cp), HV_STATUS_INSUFFICIENT_MEMORY);
	CHECK_ST(ohv_client_create_port(ka, &cp), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_client_last_result(ka), HV_STATUS_INSUFFICIENT_MEMORY);
	CHECK_EQ(stats(ka).memory_retries, 1);
	CHECK_EQ(stats(ka).pages_deposited, 0);
	/* VP creation deposits first: refused before any hypercall. */
	struct ohv_client_stats s0 = stats(ka);

	CHECK_ST(ohv_client_create_vp(ka, b, 0, no_node),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_EQ(stats(ka).hypercalls, s0.hypercalls);
	CHECK_EQ(ohv_root_free_pages(hv), before);
	/* Funded by its parent, the child's own call goes through. */
	REQUIRE_ST(ohv_client_deposit(c, a, 3, OHV_ANY_NODE), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_client_create_port(ka, &cp), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_call_get_port_property(ka, SELF, 4,
					    HV_PORT_PROPERTY_POST_COUNT, &done),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(done, 0);
	ohv_client_close(ka);
	CHECK_ST(ohv_client_destroy_partition(c, a), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_client_destroy_partition(c, b), HV_STATUS_SUCCESS);
	free_pages(hv, pages, KID_PAGES);
	root_restored(hv, c, start);
	ohv_client_close(c);
	t_close(hv);
}

/* hv_do_map_gpa_hcall's clean-up: a failure after pages went in unmaps
 * them again, in unmap batches; nothing else is touched. */
TEST(client_vp_map_failure_unmaps)
{
	static struct rep_wire wire;
	static uint64_t src[601];
	struct ohv *hv = t_open(NULL);
	struct ohv_client *c = root_client(hv);
	const uint64_t start = ohv_root_free_pages(hv);
	uint64_t id, done = 99, avail, in_use, keep;

	REQUIRE_ST(ohv_client_create_partition(c, NULL, &id), HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_client_initialize_partition(c, id), HV_STATUS_SUCCESS);
	/* A mapping of its own at page 5000 must survive. */
	REQUIRE(ohv_root_alloc(hv, OHV_ANY_NODE, &keep) == 0);
	REQUIRE_ST(ohv_client_map_gpa_pages(c, id, 5000, RW, &keep, 1, &done),
		   HV_STATUS_SUCCESS);
	pool_of(hv, id, &avail, &in_use);
	const uint64_t in_use0 = in_use;

	alloc_pages(hv, src, 600);
	src[600] = src[550];		/* kept to be freed */
	src[550] = 1ull << 40;		/* not a page the root has */
	memset(&wire, 0, sizeof(wire));
	ohv_set_trace(hv, rep_trace, &wire);
	CHECK_ST(ohv_client_map_gpa_pages(c, id, 0, RW, src, 600, &done),
		 HV_STATUS_OPERATION_DENIED);
	ohv_set_trace(hv, NULL, NULL);
	CHECK_EQ(done, 0);
	CHECK_ST(ohv_client_last_result(c), HV_STATUS_SUCCESS);
	/* Map 509, map 91 (41 done), unmap 512, unmap 38. */
	REQUIRE(wire.n == 4);
	CHECK_EQ(wire.call[1].code, HVCALL_MAP_GPA_PAGES);
	CHECK_EQ(wire.call[1].reps, 41);
	CHECK_EQ(wire.call[1].st, HV_STATUS_OPERATION_DENIED);
	CHECK_EQ(wire.call[2].code, HVCALL_UNMAP_GPA_PAGES);
	CHECK_EQ(wire.call[2].base, 0);
	CHECK_EQ(wire.call[2].count, 512);
	CHECK_EQ(wire.call[3].code, HVCALL_UNMAP_GPA_PAGES);
	CHECK_EQ(wire.call[3].base, 512);
	CHECK_EQ(wire.call[3].count, 38);
	for (uint64_t i = 0; i < 600; i += 7)
		CHECK_EQ(kid_byte(hv, id, i), -1);
	CHECK(kid_byte(hv, id, 5000) >= 0);
	pool_of(hv, id, &avail, &in_use);
	CHECK_EQ(in_use, in_use0);	/* the region-1 table went again */
	/* The raw wrapper leaves what it mapped, and says how much. */
	CHECK_ST(ohv_call_map_gpa_pages(c, id, 0, RW, src, 600, &done),
		 HV_STATUS_OPERATION_DENIED);
	CHECK_EQ(done, 550);
	CHECK(kid_byte(hv, id, 549) >= 0);
	CHECK_ST(ohv_call_unmap_gpa_pages(c, id, 0, 550, &done),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(done, 550);
	/* A bad flag fails at the first page: nothing to undo. */
	struct ohv_client_stats s0 = stats(c);

	CHECK_ST(ohv_client_map_gpa_pages(c, id, 0, HV_MAP_GPA_WRITABLE, src, 4,
					  &done), HV_STATUS_INVALID_PARAMETER);
	CHECK_EQ(done, 0);
	CHECK_EQ(stats(c).hypercalls - s0.hypercalls, 1);
	CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	src[550] = keep;
	free_pages(hv, src, 601);
	root_restored(hv, c, start);
	ohv_client_close(c);
	t_close(hv);
}

/* The deposit a short map needs cannot be made: the root's allocator is
 * dry.  The page mapped before the refusal is unmapped; the two deposits
 * that did go in stay in the child's pool, as in Linux. */
TEST(client_vp_map_allocator_dry)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.memory_pages = 768;
	cfg.costs.gpa_table = 300;
	struct ohv *hv = t_open(&cfg);
	struct ohv_client *c = root_client(hv);
	const uint64_t start = ohv_root_free_pages(hv);
	uint64_t id = bare_child(c, hv), src[2], done = 9, avail, in_use;

	alloc_pages(hv, src, 2);
	/* Page 511 in region 0 (two deposits), page 512 in region 1 (a
	 * third, which 768 - 2 - 1 - 16 - 2 - 512 = 235 pages cannot make). */
	CHECK_ST(ohv_client_map_gpa_pages(c, id, 511, RW, src, 2, &done),
		 HV_STATUS_NO_RESOURCES);
	CHECK_EQ(done, 0);
	CHECK_EQ(stats(c).memory_retries, 1 + 3);	/* create's + map's */
	CHECK_EQ(kid_byte(hv, id, 511), -1);
	CHECK_EQ(ohv_root_free_pages(hv), 235);
	pool_of(hv, id, &avail, &in_use);
	CHECK_EQ(in_use, 16);
	CHECK_EQ(avail, 2 * OHV_LINUX_MAP_DEPOSIT_PAGES);
	CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	free_pages(hv, src, 2);
	root_restored(hv, c, start);
	ohv_client_close(c);
	t_close(hv);
}

/* ---------------------------------------------------------------------- */
/* Messages end to end through the client: SIM slots, EOM, events.         */

TEST(client_vp_messages)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_client *c = root_client(hv);
	const uint64_t start = ohv_root_free_pages(hv);
	uint64_t kid[2], pages[2][KID_PAGES], done;
	struct ohv_client *kc[2];
	const uint64_t simp = SIM_PAGE << HV_PAGE_SHIFT | HV_SYNIC_SIMP_ENABLE;

	for (int k = 0; k < 2; k++) {
		struct hv_register_assoc synic[4];

		REQUIRE_ST(ohv_client_create_partition(c, NULL, &kid[k]),
			   HV_STATUS_SUCCESS);
		REQUIRE_ST(ohv_call_set_partition_property(c, kid[k],
				HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, PRIV_TALK),
			   HV_STATUS_SUCCESS);
		REQUIRE_ST(ohv_client_initialize_partition(c, kid[k]),
			   HV_STATUS_SUCCESS);
		alloc_pages(hv, pages[k], KID_PAGES);
		REQUIRE_ST(ohv_client_map_gpa_pages(c, kid[k], 0, RWX, pages[k],
						    KID_PAGES, &done),
			   HV_STATUS_SUCCESS);
		REQUIRE_ST(ohv_client_create_vp(c, kid[k], 0, no_node),
			   HV_STATUS_SUCCESS);
		/* Suspended: the child's own calls are refused until the
		 * parent lets the VP run. */
		kc[k] = kid_client(hv, kid[k]);
		CHECK_ST(ohv_call_get_vp_register(kc[k], SELF, HV_VP_INDEX_SELF,
						  HV_REGISTER_SCONTROL, &done),
			 HV_STATUS_INVALID_VP_STATE);
		REQUIRE_ST(ohv_call_set_vp_register(c, kid[k], 0,
				HV_REGISTER_EXPLICIT_SUSPEND, 0),
			   HV_STATUS_SUCCESS);
		memset(synic, 0, sizeof(synic));
		synic[0].name = HV_REGISTER_SCONTROL;
		synic[0].value.reg64 = HV_SYNIC_SCONTROL_ENABLE;
		synic[1].name = HV_REGISTER_SIMP;
		synic[1].value.reg64 = simp;
		synic[2].name = HV_REGISTER_SIEFP;
		synic[2].value.reg64 = SIEF_PAGE << HV_PAGE_SHIFT |
				       HV_SYNIC_SIEFP_ENABLE;
		synic[3].name = HV_REGISTER_SINT0 + SINT;
		synic[3].value.reg64 = VECTOR;
		REQUIRE_ST(ohv_call_set_vp_registers(kc[k], SELF,
						     HV_VP_INDEX_SELF, synic, 4,
						     &done), HV_STATUS_SUCCESS);
		CHECK_EQ(done, 4);
	}
	for (int k = 0; k < 2; k++) {
		struct hv_input_create_port cp;
		struct hv_input_connect_port cn;

		memset(&cp, 0, sizeof(cp));
		cp.port_partition_id = kid[k];
		cp.port_id = 1;
		cp.connection_partition_id = kid[!k];
		cp.port_info.port_type = HV_PORT_TYPE_MESSAGE;
		cp.port_info.message_port_info.target_sint = SINT;
		cp.port_info.message_port_info.target_vp = 0;
		CHECK_ST(ohv_client_create_port(c, &cp), HV_STATUS_SUCCESS);
		memset(&cn, 0, sizeof(cn));
		cn.connection_partition_id = kid[!k];
		cn.connection_id = 5;
		cn.port_partition_id = kid[k];
		cn.port_id = 1;
		cn.connection_info.port_type = HV_PORT_TYPE_MESSAGE;
		CHECK_ST(ohv_client_connect_port(c, &cn), HV_STATUS_SUCCESS);
	}
	CHECK_EQ(stats(c).memory_retries, 2);	/* the two creates' */

	/* Three from kid 1 to kid 0: one lands, two wait for EOM. */
	for (uint32_t i = 0; i < 3; i++)
		CHECK_ST(ohv_call_post_message(kc[1], 5, 7, &i, sizeof(i)),
			 HV_STATUS_SUCCESS);
	struct hv_message *slot = ohv_client_sim_slot(kc[0], simp, SINT);

	REQUIRE(slot);
	CHECK(slot == ohv_gpa(hv, kid[0], (SIM_PAGE << HV_PAGE_SHIFT) +
			      SINT * HV_MESSAGE_SIZE, HV_MESSAGE_SIZE));
	for (uint32_t i = 0; i < 3; i++) {
		struct ohv_sint_state ss;
		uint32_t v;

		CHECK_EQ(slot->header.message_type, 7);
		CHECK_EQ(slot->header.payload_size, 4);
		CHECK_EQ(slot->header.port, 1);
		CHECK_EQ(slot->header.message_flags,
			 i < 2 ? HV_MESSAGE_FLAG_PENDING : 0);
		memcpy(&v, slot->payload, 4);
		CHECK_EQ(v, i);
		REQUIRE(ohv_vp_sints(hv, kid[0], 0, &ss) == 0);
		CHECK_EQ(ss.raised[SINT], i + 1);
		CHECK_EQ(ss.vector[SINT], VECTOR);
		CHECK_EQ(ohv_vp_sint_ack(hv, kid[0], 0, SINT), 1);
		slot->header.message_type = HV_MESSAGE_TYPE_NONE;
		CHECK_ST(ohv_call_set_vp_register(kc[0], SELF, HV_VP_INDEX_SELF,
						  HV_REGISTER_EOM, 0),
			 HV_STATUS_SUCCESS);
	}
	CHECK_EQ(slot->header.message_type, HV_MESSAGE_TYPE_NONE);
	CHECK_ST(ohv_call_get_port_property(c, kid[0], 1,
					    HV_PORT_PROPERTY_POST_COUNT, &done),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(done, 3);
	/* A message port takes no events. */
	CHECK_ST(ohv_call_signal_event(kc[1], 5, 0), HV_STATUS_INVALID_PORT_ID);

	/* The helper's other answers. */
	CHECK(ohv_client_sim_slot(NULL, simp, 0) == NULL);
	CHECK(ohv_client_sim_slot(kc[0], simp, HV_SYNIC_SINT_COUNT) == NULL);
	CHECK(ohv_client_sim_slot(kc[0], 900ull << HV_PAGE_SHIFT, 0) == NULL);
	CHECK(ohv_client_sim_slot(kc[0], SIM_PAGE << HV_PAGE_SHIFT, 15) ==
	      (void *)((uint8_t *)slot + (15 - SINT) * HV_MESSAGE_SIZE));

	for (int k = 0; k < 2; k++) {
		ohv_client_close(kc[k]);
		CHECK_ST(ohv_client_destroy_partition(c, kid[k]),
			 HV_STATUS_SUCCESS);
		free_pages(hv, pages[k], KID_PAGES);
	}
	root_restored(hv, c, start);
	ohv_client_close(c);
	t_close(hv);
}

/* Bad arguments are INVALID_PARAMETER without a hypercall. */
TEST(client_vp_null_arguments)
{
	struct ohv *hv = t_open(NULL);
	struct ohv_client *c = root_client(hv);
	uint64_t v = 5, done = 5, page = 100;
	uint32_t name = HV_X64_REGISTER_RAX;
	union hv_register_value val;
	struct hv_register_assoc a = { .name = HV_X64_REGISTER_RAX };
	struct hv_input_create_port cp = { .port_id = 1 };
	struct hv_input_connect_port cn = { .connection_id = 1 };
	struct hv_input_create_port_classic cpc = { .port_id = 1 };
	struct hv_input_connect_port_classic cnc = { .connection_id = 1 };

	CHECK_ST(ohv_call_map_gpa_pages(NULL, 2, 0, RW, &page, 1, &done),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_EQ(done, 0);
	CHECK_ST(ohv_call_map_gpa_pages(c, 2, 0, RW, NULL, 1, &done),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_unmap_gpa_pages(NULL, 2, 0, 1, &done),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_create_vp(NULL, 2, 0, no_node),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_delete_vp(NULL, 2, 0), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_get_vp_registers(NULL, 2, 0, &name, &val, 1, &done),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_get_vp_registers(c, 2, 0, NULL, &val, 1, &done),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_get_vp_registers(c, 2, 0, &name, NULL, 1, &done),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_set_vp_registers(NULL, 2, 0, &a, 1, &done),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_set_vp_registers(c, 2, 0, NULL, 1, &done),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_get_vp_register(NULL, 2, 0, name, &v),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_set_vp_register(NULL, 2, 0, name, 1),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_create_port(NULL, &cp), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_create_port(c, NULL), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_create_port_classic(NULL, &cpc),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_create_port_classic(c, NULL),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_connect_port(NULL, &cn), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_connect_port(c, NULL), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_connect_port_classic(NULL, &cnc),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_connect_port_classic(c, NULL),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_delete_port(NULL, 2, 1), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_disconnect_port(NULL, 2, 1),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_get_port_property(NULL, 2, 1, 0, &v),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_set_port_property(NULL, 2, 1, 1, 0, &v),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_post_message(NULL, 1, 1, &v, 8),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_post_message(c, 1, 1, NULL, 8),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_call_signal_event(NULL, 1, 0), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_client_map_gpa_pages(NULL, 2, 0, RW, &page, 1, &done),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_client_map_gpa_pages(c, 2, 0, RW, NULL, 1, &done),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(ohv_client_create_vp(NULL, 2, 0, no_node),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_EQ(v, 5);
	CHECK_EQ(stats(c).hypercalls, 0);
	/* Empty lists make no call and succeed; a NULL output is fine. */
	CHECK_ST(ohv_call_map_gpa_pages(c, 2, 0, RW, NULL, 0, &done),
		 HV_STATUS_SUCCESS);
	CHECK_ST(ohv_client_map_gpa_pages(c, 2, 0, RW, NULL, 0, NULL),
		 HV_STATUS_SUCCESS);
	CHECK_ST(ohv_call_unmap_gpa_pages(c, 2, 0, 0, NULL), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_call_get_vp_registers(c, 2, 0, NULL, NULL, 0, NULL),
		 HV_STATUS_SUCCESS);
	CHECK_ST(ohv_call_set_vp_registers(c, 2, 0, NULL, 0, NULL),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(stats(c).hypercalls, 0);
	/* An empty message is a message; the hypervisor judges it. */
	CHECK_ST(ohv_call_post_message(c, 1, 1, NULL, 0),
		 HV_STATUS_INVALID_CONNECTION_ID);
	CHECK_EQ(stats(c).hypercalls, 1);
	ohv_client_close(c);
	t_close(hv);
}
