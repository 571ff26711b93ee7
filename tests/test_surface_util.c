/* Helpers of the SPEC 10 tests (surface_t.h). */
#include "surface_t.h"

uint64_t s_map(struct ohv *hv, uint64_t target, uint64_t gpa_page,
	       uint64_t src, uint32_t n, uint32_t flags)
{
	uint64_t buf[3 + 64];
	struct hv_input_map_gpa_pages *in = (void *)buf;

	REQUIRE(n >= 1 && n <= 64);
	in->target_partition_id = target;
	in->target_gpa_base = gpa_page;
	in->map_flags = flags;
	in->padding = 0;
	for (uint32_t i = 0; i < n; i++)
		in->source_gpa_page_list[i] = src + i;
	return t_mem(hv, T_ROOT, ohv_control(HVCALL_MAP_GPA_PAGES, 0, n, 0),
		     buf, 24 + 8 * (size_t)n, NULL, 0);
}

uint64_t s_root(struct ohv *hv, uint16_t code, uint32_t varhead,
		const void *in, size_t in_len, void *out, size_t out_len)
{
	uint64_t control = ohv_control(code, 0, 0, 0) |
			   (uint64_t)varhead << HV_HYPERCALL_VARHEAD_OFFSET;

	return t_mem(hv, T_ROOT, control, in, in_len, out, out_len);
}

uint64_t s_child(struct ohv *hv, uint64_t *next, uint32_t npages)
{
	uint64_t id = t_runnable_child(hv, next, 0);

	if (npages) {
		REQUIRE_ST(s_map(hv, id, 0, *next, npages, S_RW),
			   HV_STATUS_SUCCESS);
		*next += npages;
	}
	return id;
}

uint64_t s_in_use(struct ohv *hv, uint64_t id)
{
	return t_info(hv, id).pool_in_use;
}

uint64_t s_available(struct ohv *hv, uint64_t id)
{
	return t_info(hv, id).pool_available;
}

uint64_t s_get(struct ohv *hv, uint64_t id, uint32_t vp, uint32_t name)
{
	uint64_t v = 0;

	REQUIRE_ST(t_get_reg64(hv, T_ROOT, id, vp, name, &v), HV_STATUS_SUCCESS);
	return v;
}

void s_set(struct ohv *hv, uint64_t id, uint32_t vp, uint32_t name,
	   uint64_t value)
{
	REQUIRE_ST(t_set_reg64(hv, T_ROOT, id, vp, name, value),
		   HV_STATUS_SUCCESS);
}
