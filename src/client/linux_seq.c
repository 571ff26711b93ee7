/*
 * The Linux root's sequences of SPEC 10 (client.h): what mshv_root does
 * for MSHV_CREATE_VP, MSHV_SET_GUEST_MEMORY, MSHV_RUN_VP,
 * MSHV_IOEVENTFD and MSHV_GET_VP_STATE, on the public API only.
 */
#include <openhv/client.h>

#include <stdbool.h>
#include <string.h>

#define MAP_DEPOSIT_PAGES	256	/* Linux HV_MAP_GPA_DEPOSIT_PAGES */
#define DOORBELL_SINT		5	/* Linux's doorbell SINT           */
#define LARGE_PAGES		512u

static uint64_t ctl(uint16_t code, uint32_t reps, uint32_t start,
		    uint32_t varhead)
{
	return ohv_control(code, 0, reps, start) |
	       (uint64_t)varhead << HV_HYPERCALL_VARHEAD_OFFSET;
}

/* Linux's hv_deposit_memory on INSUFFICIENT_MEMORY: pages more, retry. */
static hv_status_t need_memory(struct ohv_client *c, uint64_t partition,
			       hv_status_t st, uint64_t pages)
{
	if (st != HV_STATUS_INSUFFICIENT_MEMORY)
		return st;
	hv_status_t d = ohv_client_deposit(c, partition, pages, OHV_ANY_NODE);

	return d == HV_STATUS_SUCCESS ? HV_STATUS_INSUFFICIENT_MEMORY : d;
}

static hv_status_t map_state_page(struct ohv_client *c, uint64_t partition,
				  uint32_t vp, uint16_t type, uint64_t *page)
{
	struct hv_input_map_vp_state_page in = {
		.partition_id = partition, .vp_index = vp, .type = type,
	};
	uint64_t loc = 0;
	hv_status_t st;

	do {
		st = ohv_result_status(ohv_client_hvcall(
			c, ctl(HVCALL_MAP_VP_STATE_PAGE, 0, 0, 0), &in, sizeof(in),
			&loc, sizeof(loc)));
		st = need_memory(c, partition, st, 1);
	} while (st == HV_STATUS_INSUFFICIENT_MEMORY);
	if (st == HV_STATUS_SUCCESS && page)
		*page = loc;
	return st;
}

static hv_status_t unmap_state_page(struct ohv_client *c, uint64_t partition,
				    uint32_t vp, uint16_t type)
{
	struct hv_input_unmap_vp_state_page in = {
		.partition_id = partition, .vp_index = vp, .type = type,
	};

	return ohv_result_status(ohv_client_hvcall(
		c, ctl(HVCALL_UNMAP_VP_STATE_PAGE, 0, 0, 0), &in, sizeof(in),
		NULL, 0));
}

hv_status_t ohv_linux_create_vp(struct ohv_client *c, uint64_t partition,
				uint32_t vp_index, uint64_t *regs_page,
				uint64_t *intercept_page)
{
	struct hv_proximity_domain_info any = { 0, 0 };
	hv_status_t st = ohv_client_create_vp(c, partition, vp_index, any);

	if (st)
		return st;
	/* mshv_partition_ioctl_create_vp: the intercept message page, then
	 * the register page. */
	st = map_state_page(c, partition, vp_index,
			    HV_VP_STATE_PAGE_INTERCEPT_MESSAGE, intercept_page);
	if (st == HV_STATUS_SUCCESS) {
		st = map_state_page(c, partition, vp_index,
				    HV_VP_STATE_PAGE_REGISTERS, regs_page);
		if (st)
			unmap_state_page(c, partition, vp_index,
					 HV_VP_STATE_PAGE_INTERCEPT_MESSAGE);
	}
	if (st)
		ohv_call_delete_vp(c, partition, vp_index);
	return st;
}

hv_status_t ohv_linux_unmap_vp_state(struct ohv_client *c, uint64_t partition,
				     uint32_t vp_index)
{
	hv_status_t a = unmap_state_page(c, partition, vp_index,
					 HV_VP_STATE_PAGE_REGISTERS);
	hv_status_t b = unmap_state_page(c, partition, vp_index,
					 HV_VP_STATE_PAGE_INTERCEPT_MESSAGE);

	return a ? a : b;
}

/* ---------------------------------------------------------------------- */
/* Guest memory.                                                           */

static hv_status_t unmap_large(struct ohv_client *c, uint64_t target,
			       uint64_t gpa_base, uint64_t elements)
{
	struct hv_input_unmap_gpa_pages in = {
		.target_partition_id = target, .target_gpa_base = gpa_base,
		.unmap_flags = HV_UNMAP_GPA_LARGE_PAGE,
	};
	uint64_t done = 0;

	while (done < elements) {
		uint32_t n = elements - done > OHV_LINUX_UNMAP_BATCH ?
			     OHV_LINUX_UNMAP_BATCH : (uint32_t)(elements - done);
		uint32_t start = 0;

		in.target_gpa_base = gpa_base + done * LARGE_PAGES;
		for (;;) {
			uint64_t r = ohv_client_hvcall(
				c, ctl(HVCALL_UNMAP_GPA_PAGES, n, start, 0), &in,
				sizeof(in), NULL, 0);

			if (ohv_result_status(r))
				return ohv_result_status(r);
			if (ohv_result_reps(r) <= start)
				return HV_STATUS_OPERATION_FAILED;
			start = ohv_result_reps(r);
			if (start == n)
				break;
		}
		done += n;
	}
	return HV_STATUS_SUCCESS;
}

/* The large-page form: one element per 2 MiB. */
static hv_status_t map_large(struct ohv_client *c, uint64_t target,
			     uint64_t gpa_base, uint32_t flags,
			     const uint64_t *src, uint64_t count)
{
	uint64_t in[3 + OHV_LINUX_MAP_BATCH];
	struct hv_input_map_gpa_pages *h = (void *)in;
	uint64_t elements = count / LARGE_PAGES, done = 0;
	hv_status_t st = HV_STATUS_SUCCESS;

	if (count % LARGE_PAGES || gpa_base % LARGE_PAGES)
		return HV_STATUS_INVALID_PARAMETER;
	while (done < elements) {
		uint32_t n = elements - done > OHV_LINUX_MAP_BATCH ?
			     OHV_LINUX_MAP_BATCH : (uint32_t)(elements - done);
		uint32_t start = 0;

		h->target_partition_id = target;
		h->target_gpa_base = gpa_base + done * LARGE_PAGES;
		h->map_flags = flags;
		h->padding = 0;
		for (uint32_t i = 0; i < n; i++)
			h->source_gpa_page_list[i] = src[(done + i) * LARGE_PAGES];
		while (start < n) {
			uint64_t r = ohv_client_hvcall(
				c, ctl(HVCALL_MAP_GPA_PAGES, n, start, 0), in,
				24 + 8 * (size_t)n, NULL, 0);
			uint32_t reps = ohv_result_reps(r);

			st = ohv_result_status(r);
			if (st == HV_STATUS_INSUFFICIENT_MEMORY) {
				start = reps;
				st = need_memory(c, target, st, MAP_DEPOSIT_PAGES);
				if (st == HV_STATUS_INSUFFICIENT_MEMORY)
					continue;
			}
			if (st == HV_STATUS_SUCCESS && reps > start) {
				start = reps;
				continue;
			}
			if (st == HV_STATUS_SUCCESS)
				st = HV_STATUS_OPERATION_FAILED;
			/* Undo what this call mapped, as Linux does. */
			unmap_large(c, target, gpa_base, done + start);
			return st;
		}
		done += n;
	}
	return HV_STATUS_SUCCESS;
}

hv_status_t ohv_linux_map_memory(struct ohv_client *c, uint64_t target,
				 uint64_t gpa_base, const uint64_t *src_pages,
				 uint64_t count, int writable, int executable,
				 int large)
{
	/* mshv_region_map: readable and adjustable always. */
	uint32_t flags = HV_MAP_GPA_READABLE | HV_MAP_GPA_ADJUSTABLE |
			 (writable ? HV_MAP_GPA_WRITABLE : 0) |
			 (executable ? HV_MAP_GPA_EXECUTABLE : 0);

	if (!c || (count && !src_pages))
		return HV_STATUS_INVALID_PARAMETER;
	if (large)
		return map_large(c, target, gpa_base,
				 flags | HV_MAP_GPA_LARGE_PAGE, src_pages, count);
	return ohv_client_map_gpa_pages(c, target, gpa_base, flags, src_pages,
					count, NULL);
}

hv_status_t ohv_linux_unmap_memory(struct ohv_client *c, uint64_t target,
				   uint64_t gpa_base, uint64_t count, int large)
{
	if (!c)
		return HV_STATUS_INVALID_PARAMETER;
	if (large)
		return count % LARGE_PAGES ? HV_STATUS_INVALID_PARAMETER :
			unmap_large(c, target, gpa_base, count / LARGE_PAGES);
	return ohv_call_unmap_gpa_pages(c, target, gpa_base, count, NULL);
}

/* ---------------------------------------------------------------------- */
/* Running, doorbells, VP state.                                           */

hv_status_t ohv_linux_resume_vp(struct ohv_client *c, uint64_t partition,
				uint32_t vp_index)
{
	struct hv_register_assoc regs[2];

	memset(regs, 0, sizeof(regs));
	regs[0].name = HV_REGISTER_INTERCEPT_SUSPEND;
	regs[1].name = HV_REGISTER_EXPLICIT_SUSPEND;
	return ohv_call_set_vp_registers(c, partition, vp_index, regs, 2, NULL);
}

hv_status_t ohv_linux_register_doorbell(struct ohv_client *c,
					uint64_t partition, uint32_t port_id,
					uint64_t gpa, uint64_t value,
					uint32_t flags)
{
	struct hv_input_create_port cp = {
		.port_partition_id = HV_PARTITION_ID_SELF,
		.port_id = port_id,
		.connection_partition_id = partition,
		.port_info = {
			.port_type = HV_PORT_TYPE_DOORBELL,
			.message_port_info = { .target_sint = DOORBELL_SINT,
					       .target_vp = HV_ANY_VP },
		},
	};
	struct hv_input_connect_port cn = {
		.connection_partition_id = partition,
		.connection_id = port_id,
		.port_partition_id = HV_PARTITION_ID_SELF,
		.port_id = port_id,
		.connection_info = {
			.port_type = HV_PORT_TYPE_DOORBELL,
			.doorbell_connection_info = { gpa, value, flags },
		},
	};
	hv_status_t st = ohv_client_create_port(c, &cp);

	if (st)
		return st;
	st = ohv_client_connect_port(c, &cn);
	if (st)
		ohv_call_delete_port(c, HV_PARTITION_ID_SELF, port_id);
	return st;
}

hv_status_t ohv_linux_unregister_doorbell(struct ohv_client *c,
					  uint64_t partition, uint32_t port_id)
{
	hv_status_t a = ohv_call_disconnect_port(c, partition, port_id);
	hv_status_t b = ohv_call_delete_port(c, HV_PARTITION_ID_SELF, port_id);

	return a ? a : b;
}

hv_status_t ohv_linux_get_vp_state(struct ohv_client *c, uint64_t partition,
				   uint32_t vp_index, uint32_t type, void *buf,
				   size_t len, size_t *size)
{
	uint64_t in[5 + 1], states = 0, xsize = 0;
	struct hv_input_get_vp_state *h = (void *)in;
	struct hv_output_get_vp_state out;
	size_t need;
	hv_status_t st;

	if (!c || (len && !buf))
		return HV_STATUS_INVALID_PARAMETER;
	memset(in, 0, sizeof(in));
	switch (type) {
	case HV_GET_SET_VP_STATE_XSAVE:
		/* mshv-uapi A.8: the size and states from the properties. */
		st = ohv_call_get_partition_property(
			c, partition, HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE,
			&xsize);
		if (!st)
			st = ohv_call_get_partition_property(
				c, partition, HV_PARTITION_PROPERTY_XSAVE_STATES,
				&states);
		if (st)
			return st;
		if (xsize > HV_PAGE_SIZE)
			return HV_STATUS_INSUFFICIENT_BUFFER;
		need = xsize;
		break;
	case HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS:
		need = sizeof(struct hv_synthetic_timers_state);
		break;
	default:
		need = HV_PAGE_SIZE;
		break;
	}
	if (size)
		*size = need;
	if (len < need)
		return HV_STATUS_INSUFFICIENT_BUFFER;
	h->partition_id = partition;
	h->vp_index = vp_index;
	h->state_data.type = type;
	h->state_data.xsave_states = states;

	/* One page of the root's for the state (all fit one, A.8). */
	struct ohv *hv = ohv_client_hv(c);
	bool paged = type != HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS;
	uint64_t page = 0;

	if (paged && ohv_root_alloc(hv, OHV_ANY_NODE, &page))
		return HV_STATUS_NO_RESOURCES;
	h->output_data_pfns[0] = page;
	do {
		st = ohv_result_status(ohv_client_hvcall(
			c, ctl(HVCALL_GET_VP_STATE, 0, 0, paged), in,
			sizeof(*h) + (paged ? 8 : 0), &out, sizeof(out)));
		st = need_memory(c, partition, st, 1);
	} while (st == HV_STATUS_INSUFFICIENT_MEMORY);
	if (st == HV_STATUS_SUCCESS) {
		const void *src = paged ?
			ohv_gpa(hv, ohv_client_partition(c),
				page << HV_PAGE_SHIFT, HV_PAGE_SIZE) :
			(const void *)&out.synthetic_timers_state;

		if (src)
			memcpy(buf, src, need);
		else
			st = HV_STATUS_OPERATION_FAILED;
	}
	if (paged)
		ohv_root_free(hv, page);
	return st;
}
