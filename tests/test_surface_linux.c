/*
 * The Linux root's sequences (SPEC 10, linux_seq.c) replayed through the
 * client layer: every call SUCCESS, every page back where it was at the
 * end.
 */
#include "surface_t.h"

TEST(surface_linux_sequences)
{
	struct ohv_config cfg;

	t_config(&cfg);
	cfg.memory_pages = 8192;
	/* A VP takes all 90 pages Linux deposits for it: the state pages
	 * then need the one-page retries. */
	cfg.costs.vp = OHV_LINUX_VP_DEPOSIT_PAGES;
	struct ohv *hv = t_open(&cfg);
	struct ohv_client *c;

	REQUIRE(ohv_client_open(hv, 0, &c) == 0);
	const uint64_t free0 = ohv_root_free_pages(hv);
	uint64_t id = 0, regs = 0, icpt = 0;

	REQUIRE_ST(ohv_client_create_partition(c, NULL, &id), HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_client_initialize_partition(c, id), HV_STATUS_SUCCESS);

	/* MSHV_CREATE_VP: 90 pages, HvCreateVp, the two state pages. */
	REQUIRE_ST(ohv_linux_create_vp(c, id, 0, &regs, &icpt), HV_STATUS_SUCCESS);
	const struct hv_vp_register_page *rp = ohv_gpa(hv, T_ROOT, regs << 12,
						       sizeof(*rp));

	REQUIRE(rp && ohv_gpa(hv, T_ROOT, icpt << 12, 256));
	CHECK_EQ(rp->version, 1);
	CHECK_EQ(rp->isvalid, 1);
	CHECK_EQ(rp->dirty, 0);
	/* Its state pages when the pool is short: one-page retries. */
	uint64_t avail = t_info(hv, id).pool_available, got = 0;
	struct ohv_client_stats before, after;

	REQUIRE_ST(ohv_client_withdraw(c, id, avail, &got), HV_STATUS_SUCCESS);
	CHECK_EQ(got, avail);
	ohv_client_stats(c, &before);
	REQUIRE_ST(ohv_linux_create_vp(c, id, 1, NULL, NULL), HV_STATUS_SUCCESS);
	ohv_client_stats(c, &after);
	/* 90 pages, then one for each state page. */
	CHECK_EQ(after.pages_deposited - before.pages_deposited,
		 OHV_LINUX_VP_DEPOSIT_PAGES + 2);

	/* MSHV_SET_GUEST_MEMORY: small pages (0x800F), and a huge page. */
	uint64_t small[16], big[1024], *run = NULL;

	REQUIRE(ohv_root_alloc_many(hv, OHV_ANY_NODE, small, 16) == 16);
	REQUIRE(ohv_root_alloc_many(hv, OHV_ANY_NODE, big, 1024) == 1024);
	for (uint32_t i = 0; i + 512 <= 1024 && !run; i++)
		if (big[i] % 512 == 0 && big[i + 511] == big[i] + 511)
			run = &big[i];
	REQUIRE(run != NULL);
	REQUIRE_ST(ohv_linux_map_memory(c, id, 0x10, small, 16, 1, 1, 0),
		   HV_STATUS_SUCCESS);
	REQUIRE_ST(ohv_linux_map_memory(c, id, 0x200, run, 512, 1, 0, 1),
		   HV_STATUS_SUCCESS);
	CHECK(ohv_gpa(hv, id, 0x3FFull << 12, 8) ==
	      ohv_gpa(hv, T_ROOT, run[511] << 12, 8));
	CHECK(ohv_gpa(hv, id, 0x1Full << 12, 8) ==
	      ohv_gpa(hv, T_ROOT, small[15] << 12, 8));

	/* MSHV_RUN_VP on the hypervisor scheduler. */
	REQUIRE_ST(ohv_linux_resume_vp(c, id, 0), HV_STATUS_SUCCESS);
	uint64_t v = 1;

	CHECK_ST(ohv_call_get_vp_register(c, id, 0, HV_REGISTER_EXPLICIT_SUSPEND,
					  &v), HV_STATUS_SUCCESS);
	CHECK_EQ(v, 0);

	/* MSHV_IOEVENTFD: a doorbell. */
	REQUIRE_ST(ohv_linux_register_doorbell(c, id, 7, 0xFEB00000, 0,
					       HV_DOORBELL_FLAG_TRIGGER_SIZE_DWORD |
					       HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE),
		   HV_STATUS_SUCCESS);

	/* MSHV_GET_VP_STATE: LAPIC and XSAVE with the properties' sizes. */
	uint8_t buf[HV_PAGE_SIZE];
	size_t size = 0;
	struct hv_local_interrupt_controller_state l;

	REQUIRE_ST(ohv_linux_get_vp_state(c, id, 1, HV_GET_SET_VP_STATE_LAPIC_STATE,
					  buf, sizeof(buf), &size),
		   HV_STATUS_SUCCESS);
	memcpy(&l, buf, sizeof(l));
	CHECK_EQ(l.apic_id, 1);
	REQUIRE_ST(ohv_linux_get_vp_state(c, id, 0, HV_GET_SET_VP_STATE_XSAVE,
					  buf, sizeof(buf), &size),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(size, 832);
	CHECK_ST(ohv_linux_get_vp_state(c, id, 0, HV_GET_SET_VP_STATE_XSAVE,
					buf, 100, &size),
		 HV_STATUS_INSUFFICIENT_BUFFER);
	REQUIRE_ST(ohv_linux_get_vp_state(c, id, 0,
					  HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS,
					  buf, sizeof(buf), &size),
		   HV_STATUS_SUCCESS);
	CHECK_EQ(size, 200);

	/* Teardown as Linux: doorbell, memory, state pages, destroy. */
	CHECK_ST(ohv_linux_unregister_doorbell(c, id, 7), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_linux_unmap_memory(c, id, 0x200, 512, 1), HV_STATUS_SUCCESS);
	CHECK(ohv_gpa(hv, id, 0x200ull << 12, 8) == NULL);
	CHECK_ST(ohv_linux_unmap_memory(c, id, 0x10, 16, 0), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_linux_unmap_vp_state(c, id, 0), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_linux_unmap_vp_state(c, id, 1), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_client_destroy_partition(c, id), HV_STATUS_SUCCESS);
	CHECK_ST(ohv_client_withdraw(c, T_ROOT, UINT64_MAX, NULL),
		 HV_STATUS_SUCCESS);
	ohv_root_free_many(hv, small, 16);
	ohv_root_free_many(hv, big, 1024);

	/* Every page accounted for. */
	struct ohv_partition_info root = t_info(hv, T_ROOT);

	CHECK_EQ(root.pool_available, 0);
	CHECK_EQ(root.pool_in_use, 0);
	CHECK_EQ(t_live(hv), 1);
	CHECK_EQ(ohv_root_free_pages(hv), free0);
	CHECK_INVARIANTS(hv);
	ohv_client_close(c);
	t_close(hv);
}
