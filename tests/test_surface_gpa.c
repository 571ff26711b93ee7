/* SPDX-License-Identifier: MIT */
/*
 * HvReadGpa, HvWriteGpa, HvTranslateVirtualAddress and
 * HvGetGpaPagesAccessStates.
 */
#include "surface_t.h"

static uint64_t rw_gpa(struct ohv *hv, uint64_t id, uint32_t vp, bool write,
		       uint64_t gpa, uint32_t n, uint64_t flags, uint8_t *data,
		       uint64_t *result)
{
	if (write) {
		struct hv_input_write_gpa in = {
			.partition_id = id, .vp_index = vp, .byte_count = n,
			.base_gpa = gpa, .control_flags = flags,
		};

		memcpy(in.data, data, 16);
		return s_root(hv, HVCALL_WRITE_GPA, 0, &in, sizeof(in), result, 8);
	}
	struct hv_input_read_gpa in = {
		.partition_id = id, .vp_index = vp, .byte_count = n,
		.base_gpa = gpa, .control_flags = flags,
	};
	struct hv_output_read_gpa out;
	uint64_t r = s_root(hv, HVCALL_READ_GPA, 0, &in, sizeof(in), &out,
			    sizeof(out));

	*result = out.access_result;
	memcpy(data, out.data, 16);
	return r;
}

static uint64_t states(struct ohv *hv, uint64_t id, uint64_t first,
		       uint32_t n, uint64_t flags, uint8_t *out)
{
	struct hv_input_get_gpa_pages_access_state in = {
		.partition_id = id, .flags = flags, .hv_gpa_page_number = first,
	};

	return t_mem(hv, T_ROOT,
		     ohv_control(HVCALL_GET_GPA_PAGES_ACCESS_STATES, 0, n, 0),
		     &in, sizeof(in), out, n);
}

TEST(surface_read_write_gpa)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE, res = 9;
	uint64_t c = s_child(hv, &next, 2);	/* GPA pages 0, 1 */
	uint8_t d[16], e[16];

	REQUIRE_ST(s_map(hv, c, 5, next++, 1, HV_MAP_GPA_READABLE),
		   HV_STATUS_SUCCESS);
	for (int i = 0; i < 16; i++)
		d[i] = (uint8_t)(0xC0 + i);
	/* Across the page boundary. */
	CHECK_ST(rw_gpa(hv, c, 0, true, 0xFF8, 16, 0, d, &res), HV_STATUS_SUCCESS);
	CHECK_EQ(res, HV_ACCESS_GPA_SUCCESS);
	memset(e, 0, 16);
	CHECK_ST(rw_gpa(hv, c, 0, false, 0xFF8, 16, 0, e, &res), HV_STATUS_SUCCESS);
	CHECK_EQ(res, HV_ACCESS_GPA_SUCCESS);
	CHECK(!memcmp(d, e, 16));
	CHECK_ST(rw_gpa(hv, c, 0, false, 0x1000, 3, 6, e, &res), HV_STATUS_SUCCESS);
	CHECK_EQ(e[0], 0xC8);
	CHECK_EQ(e[3], 0);		/* bytes past the count read as 0 */
	/* The result codes. */
	CHECK_ST(rw_gpa(hv, c, 0, false, 0x9000, 4, 0, e, &res), HV_STATUS_SUCCESS);
	CHECK_EQ(res, HV_ACCESS_GPA_UNMAPPED);
	CHECK_ST(rw_gpa(hv, c, 0, true, 0x1FFC, 8, 0, d, &res), HV_STATUS_SUCCESS);
	CHECK_EQ(res, HV_ACCESS_GPA_UNMAPPED);
	CHECK_ST(rw_gpa(hv, c, 0, true, 0x5000, 8, 0, d, &res), HV_STATUS_SUCCESS);
	CHECK_EQ(res, HV_ACCESS_GPA_WRITE_INTERCEPT);
	CHECK_ST(rw_gpa(hv, c, 0, false, 0x5000, 8, 0, e, &res), HV_STATUS_SUCCESS);
	CHECK_EQ(res, HV_ACCESS_GPA_SUCCESS);
	/* Statuses. */
	CHECK_ST(rw_gpa(hv, c, 0, false, 0, 0, 0, e, &res),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(rw_gpa(hv, c, 0, true, 0, 17, 0, d, &res),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(rw_gpa(hv, c, 0, false, 0, 8, 0x100, e, &res),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(rw_gpa(hv, c, 0, false, (1ull << 52) - 4, 8, 0, e, &res),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(rw_gpa(hv, c, 3, false, 0, 8, 0, e, &res),
		 HV_STATUS_INVALID_VP_INDEX);
	CHECK_ST(rw_gpa(hv, 999, 0, false, 0, 8, 0, e, &res),
		 HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(rw_gpa(hv, T_ROOT, 0, false, 0, 8, 0, e, &res),
		 HV_STATUS_ACCESS_DENIED);
	CHECK_ST(rw_gpa(hv, t_new_child(hv, &next), 0, false, 0, 8, 0, e, &res),
		 HV_STATUS_INVALID_PARTITION_STATE);

	/* Dirty logging: the write made pages 0 and 1 dirty and accessed,
	 * the read of 5 accessed only. */
	uint8_t st[8];

	CHECK_ST(states(hv, c, 0, 6, 0, st), HV_STATUS_SUCCESS);
	CHECK_EQ(st[0], 3);
	CHECK_EQ(st[1], 3);
	CHECK_EQ(st[2], 0);
	CHECK_EQ(st[5], 1);
	/* Clear dirty, then set accessed: the states before each op. */
	CHECK_ST(states(hv, c, 0, 6, HV_GPA_PAGE_ACCESS_CLEAR_DIRTY, st),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(st[0], 3);
	CHECK_ST(states(hv, c, 0, 6, HV_GPA_PAGE_ACCESS_SET_ACCESSED |
			HV_GPA_PAGE_ACCESS_CLEAR_ACCESSED, st),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(states(hv, c, 0, 6, HV_GPA_PAGE_ACCESS_SET_DIRTY, st),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(st[0], 1);
	CHECK_EQ(st[2], 0);
	CHECK_ST(states(hv, c, 0, 6, HV_GPA_PAGE_ACCESS_CLEAR_DIRTY |
			HV_GPA_PAGE_ACCESS_CLEAR_ACCESSED, st), HV_STATUS_SUCCESS);
	CHECK_EQ(st[2], 2);
	CHECK_ST(states(hv, c, 0, 6, 0, st), HV_STATUS_SUCCESS);
	for (int i = 0; i < 6; i++)
		CHECK_EQ(st[i], 0);
	CHECK_ST(states(hv, c, 0, 6, 0x10, st), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(states(hv, c, HV_GPA_PAGE_LIMIT - 2, 4, 0, st),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(states(hv, 999, 0, 1, 0, st), HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(states(hv, T_ROOT, 0, 1, 0, st), HV_STATUS_ACCESS_DENIED);
	t_close(hv);
}

static uint64_t translate(struct ohv *hv, uint64_t id, uint64_t flags,
			  uint64_t gva, uint64_t *gpa_page)
{
	struct hv_input_translate_virtual_address in = {
		.partition_id = id, .control_flags = flags, .gva_page = gva >> 12,
	};
	struct hv_output_translate_virtual_address out = { 0, 0 };
	uint64_t r = s_root(hv, HVCALL_TRANSLATE_VIRTUAL_ADDRESS, 0, &in,
			    sizeof(in), &out, sizeof(out));

	if (ohv_result_status(r))
		return r;
	*gpa_page = out.gpa_page;
	return out.translation_result & 0xFFFFFFFF;	/* the result code */
}

#define V_R	HV_TRANSLATE_GVA_VALIDATE_READ
#define V_W	HV_TRANSLATE_GVA_VALIDATE_WRITE
#define V_X	HV_TRANSLATE_GVA_VALIDATE_EXECUTE

TEST(surface_translate_virtual_address)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE, gp = 0;
	uint64_t c = s_child(hv, &next, 16);	/* GPA pages 0-15 */
	uint64_t *mem = ohv_gpa(hv, c, 0, 16 * HV_PAGE_SIZE);

	/* Paging off: the GVA is the GPA. */
	CHECK_EQ(translate(hv, c, V_R, 0x3000, &gp), HV_TRANSLATE_GVA_SUCCESS);
	CHECK_EQ(gp, 3);
	/* A GPA with nothing mapped (MMIO) translates (spec.md §10). */
	CHECK_EQ(translate(hv, c, V_R, 0x20000, &gp), HV_TRANSLATE_GVA_SUCCESS);
	CHECK_EQ(gp, 0x20);
	CHECK_EQ(translate(hv, c, V_W, 0x20000, &gp), HV_TRANSLATE_GVA_SUCCESS);
	/* A mapped page must allow the access asked for. */
	REQUIRE_ST(s_map(hv, c, 0x30, next++, 1, HV_MAP_GPA_READABLE),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(translate(hv, c, V_R, 0x30000, &gp), HV_TRANSLATE_GVA_SUCCESS);
	CHECK_EQ(translate(hv, c, V_W, 0x30000, &gp),
		 HV_TRANSLATE_GVA_GPA_NO_WRITE_ACCESS);
	CHECK_EQ(gp, 0x30);
	REQUIRE_ST(s_map(hv, c, 0x31, next++, 1, HV_MAP_GPA_EXECUTABLE),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(translate(hv, c, V_R, 0x31000, &gp),
		 HV_TRANSLATE_GVA_GPA_NO_READ_ACCESS);

	/*
	 * Long mode, 4 levels at GPA pages 1-4: GVA 0x400000 -> page 5 (RW,
	 * user), 0x401000 -> page 6 (read-only, supervisor, NX), 0x402000
	 * not present, 0x600000 a 2 MiB page at GPA 0x200000 (unmapped).
	 */
	mem[512 * 1 + 0] = 0x2000 | 7;		/* PML4[0] -> PDPT */
	mem[512 * 2 + 0] = 0x3000 | 7;		/* PDPT[0] -> PD   */
	mem[512 * 3 + 2] = 0x4000 | 7;		/* PD[2] -> PT     */
	mem[512 * 3 + 3] = 0x200000 | 0x83;	/* PD[3]: 2 MiB    */
	mem[512 * 4 + 0] = 0x5000 | 7;
	mem[512 * 4 + 1] = 0x6000 | 1 | (1ull << 63);
	s_set(hv, c, 0, HV_X64_REGISTER_CR3, 0x1000);
	s_set(hv, c, 0, HV_X64_REGISTER_CR4, 1u << 5);
	s_set(hv, c, 0, HV_X64_REGISTER_EFER, (1u << 8) | (1u << 10) | (1u << 11));
	s_set(hv, c, 0, HV_X64_REGISTER_CR0, 0x80000011u);

	CHECK_EQ(translate(hv, c, V_R | V_W, 0x400000, &gp),
		 HV_TRANSLATE_GVA_SUCCESS);
	CHECK_EQ(gp, 5);
	CHECK_EQ(translate(hv, c, V_R, 0x401000, &gp), HV_TRANSLATE_GVA_SUCCESS);
	CHECK_EQ(gp, 6);
	/* CR0.WP is clear: a supervisor may write a read-only page... */
	CHECK_EQ(translate(hv, c, V_W, 0x401000, &gp), HV_TRANSLATE_GVA_SUCCESS);
	s_set(hv, c, 0, HV_X64_REGISTER_CR0, 0x80010011u);
	CHECK_EQ(translate(hv, c, V_W, 0x401000, &gp),
		 HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	CHECK_EQ(translate(hv, c, V_W | HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT,
			   0x401000, &gp), HV_TRANSLATE_GVA_SUCCESS);
	CHECK_EQ(translate(hv, c, V_X, 0x401000, &gp),
		 HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	CHECK_EQ(translate(hv, c, V_R | HV_TRANSLATE_GVA_USER_ACCESS, 0x401000,
			   &gp), HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	CHECK_EQ(translate(hv, c, V_R | HV_TRANSLATE_GVA_USER_ACCESS, 0x400000,
			   &gp), HV_TRANSLATE_GVA_SUCCESS);
	CHECK_EQ(translate(hv, c, V_R, 0x402000, &gp),
		 HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
	CHECK_EQ(translate(hv, c, V_R, 0x601000, &gp),
		 HV_TRANSLATE_GVA_SUCCESS);
	CHECK_EQ(gp, 0x201);
	/* Tables the partition cannot read; NX without EFER.NXE. */
	mem[512 * 2 + 1] = 0x40000000ull | 3;	/* PDPT[1] -> unmapped PD */
	CHECK_EQ(translate(hv, c, V_R, 0x40000000, &gp),
		 HV_TRANSLATE_GVA_GPA_UNMAPPED);
	s_set(hv, c, 0, HV_X64_REGISTER_EFER, (1u << 8) | (1u << 10));
	CHECK_EQ(translate(hv, c, V_R, 0x401000, &gp),
		 HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
	/* SET_PAGE_TABLE_BITS: accessed on the way, dirty at the leaf. */
	CHECK_EQ(translate(hv, c, V_W | HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS,
			   0x400000, &gp), HV_TRANSLATE_GVA_SUCCESS);
	CHECK(mem[512 * 4] & 0x60);
	CHECK(mem[512 * 1] & 0x20);
	/* 32-bit paging with 4 MiB pages. */
	uint32_t *pd = (uint32_t *)&mem[512 * 7];

	pd[1] = 0x0 | 0x83;			/* 4 MiB at 0 */
	s_set(hv, c, 0, HV_X64_REGISTER_EFER, 0);
	s_set(hv, c, 0, HV_X64_REGISTER_CR4, 1u << 4);
	s_set(hv, c, 0, HV_X64_REGISTER_CR3, 0x7000);
	CHECK_EQ(translate(hv, c, V_R, 0x40A000, &gp), HV_TRANSLATE_GVA_SUCCESS);
	CHECK_EQ(gp, 0xA);
	/* Statuses. */
	CHECK_ST(translate(hv, c, 1ull << 20, 0, &gp), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(translate(hv, c, 1ull << 56, 0, &gp), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(translate(hv, c, HV_TRANSLATE_GVA_USER_ACCESS |
			   HV_TRANSLATE_GVA_SUPERVISOR_ACCESS, 0, &gp),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(translate(hv, 999, 0, 0, &gp), HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(translate(hv, T_ROOT, 0, 0, &gp), HV_STATUS_ACCESS_DENIED);
	t_close(hv);
}
