/*
 * HvSignalEventDirect, HvPostMessageDirect, HvMapStatsPage and
 * HvUnmapStatsPage.
 */
#include "surface_t.h"

static uint64_t signal_direct(struct ohv *hv, uint64_t id, uint32_t vp,
			      uint8_t sint, uint16_t flag, uint8_t *newly)
{
	struct hv_input_signal_event_direct in = {
		.target_partition = id, .target_vp = vp, .target_sint = sint,
		.flag_number = flag,
	};
	struct hv_output_signal_event_direct out = { 0 };
	uint64_t r = s_root(hv, HVCALL_SIGNAL_EVENT_DIRECT, 0, &in, sizeof(in),
			    &out, sizeof(out));

	*newly = out.newly_signaled;
	return r;
}

static uint64_t post_direct(struct ohv *hv, uint64_t id, uint32_t vp,
			    uint32_t sint, uint32_t type, uint8_t size)
{
	struct hv_input_post_message_direct in = {
		.partition_id = id, .vp_index = vp, .sint_index = sint,
	};
	struct hv_message m = { .header = { .message_type = type,
					    .payload_size = size } };

	m.payload[0] = 0x1122334455667788ull;
	m.payload[2] = 0x99;
	memcpy(in.message, &m, sizeof(m));
	return s_root(hv, HVCALL_POST_MESSAGE_DIRECT, 0, &in, sizeof(in), NULL, 0);
}

TEST(surface_direct_delivery)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t c = s_child(hv, &next, 4);
	uint8_t newly = 9;
	struct ohv_sint_state ss;

	/* SynIC off: nothing to deliver to. */
	CHECK_ST(signal_direct(hv, c, 0, 2, 5, &newly),
		 HV_STATUS_INVALID_SYNIC_STATE);
	CHECK_ST(post_direct(hv, c, 0, 2, 1, 8), HV_STATUS_INVALID_SYNIC_STATE);
	s_set(hv, c, 0, HV_REGISTER_SCONTROL, 1);
	s_set(hv, c, 0, HV_REGISTER_SIMP, 2ull << 12 | 1);
	s_set(hv, c, 0, HV_REGISTER_SIEFP, 3ull << 12 | 1);
	/* A masked SINT takes no event. */
	CHECK_ST(signal_direct(hv, c, 0, 2, 5, &newly),
		 HV_STATUS_INVALID_SYNIC_STATE);
	s_set(hv, c, 0, HV_REGISTER_SINT0 + 2, 0x42);
	CHECK_ST(signal_direct(hv, c, 0, 2, 5, &newly), HV_STATUS_SUCCESS);
	CHECK_EQ(newly, 1);
	CHECK_ST(signal_direct(hv, c, 0, 2, 5, &newly), HV_STATUS_SUCCESS);
	CHECK_EQ(newly, 0);
	const uint8_t *sief = ohv_gpa(hv, c, 3ull << 12, HV_PAGE_SIZE);

	CHECK_EQ(sief[2 * 256], 1u << 5);
	REQUIRE(ohv_vp_sints(hv, c, 0, &ss) == 0);
	CHECK_EQ(ss.raised[2], 1);		/* only the 0 -> 1 edge */
	CHECK_EQ(ss.vector[2], 0x42);

	/* A message into a free slot; the next waits for an EOM. */
	CHECK_ST(post_direct(hv, c, 0, 2, 7, 12), HV_STATUS_SUCCESS);
	struct hv_message *slot = ohv_gpa(hv, c, (2ull << 12) + 2 * 256,
					  sizeof(*slot));

	CHECK_EQ(slot->header.message_type, 7);
	CHECK_EQ(slot->header.payload_size, 12);
	CHECK_EQ(slot->payload[0], 0x1122334455667788ull);
	CHECK_EQ(slot->payload[2], 0);		/* past payload_size: 0 */
	CHECK_ST(post_direct(hv, c, 0, 2, 8, 4), HV_STATUS_INSUFFICIENT_BUFFERS);
	CHECK_EQ(slot->header.message_flags & HV_MESSAGE_FLAG_PENDING, 1);
	slot->header.message_type = 0;
	CHECK_ST(post_direct(hv, c, 0, 2, 8, 4), HV_STATUS_SUCCESS);
	REQUIRE(ohv_vp_sints(hv, c, 0, &ss) == 0);
	CHECK_EQ(ss.raised[2], 3);
	/* Errors. */
	CHECK_ST(post_direct(hv, c, 0, 2, 0, 4), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(post_direct(hv, c, 0, 2, 0x80000001u, 4),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(post_direct(hv, c, 0, 2, 1, 241), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(post_direct(hv, c, 0, 16, 1, 4), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(post_direct(hv, c, 4, 2, 1, 4), HV_STATUS_INVALID_VP_INDEX);
	CHECK_ST(post_direct(hv, 999, 0, 2, 1, 4), HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(post_direct(hv, T_ROOT, 0, 2, 1, 4), HV_STATUS_ACCESS_DENIED);
	CHECK_ST(signal_direct(hv, c, 0, 2, 2048, &newly),
		 HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(signal_direct(hv, c, 0, 16, 0, &newly),
		 HV_STATUS_INVALID_PARAMETER);
	struct hv_input_signal_event_direct vtl = {
		.target_partition = c, .target_vtl = 1, .target_sint = 2,
	};

	uint64_t o8;

	CHECK_ST(s_root(hv, HVCALL_SIGNAL_EVENT_DIRECT, 0, &vtl, sizeof(vtl),
			&o8, 8), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(signal_direct(hv, t_new_child(hv, &next), 0, 2, 0, &newly),
		 HV_STATUS_INVALID_PARTITION_STATE);
	/* The writes are dirty in the child's access states. */
	struct hv_input_get_gpa_pages_access_state gin = {
		.partition_id = c, .hv_gpa_page_number = 2,
	};
	uint8_t st[2];

	CHECK_ST(t_mem(hv, T_ROOT, ohv_control(HVCALL_GET_GPA_PAGES_ACCESS_STATES,
					       0, 2, 0), &gin, sizeof(gin), st, 2),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(st[0], 3);
	CHECK_EQ(st[1], 3);
	t_close(hv);
}

static uint64_t stats(struct ohv *hv, uint16_t code, uint32_t type,
		      uint64_t id, uint32_t vp, uint8_t area, uint64_t *loc)
{
	struct hv_input_map_stats_page in = {
		.type = type, .partition_id = id, .vp_index = vp,
		.stats_area_type = area,
	};

	return s_root(hv, code, 0, &in, sizeof(in), loc, loc ? 8 : 0);
}

TEST(surface_stats_pages)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE, loc = 0, loc2 = 0;
	uint64_t c = t_runnable_child(hv, &next, 0);
	uint64_t un = t_new_child(hv, &next);
	uint64_t root_used;

	/* The root's pool pays (Linux deposits into its own on
	 * INSUFFICIENT_MEMORY): it has nothing yet. */
	CHECK_ST(stats(hv, HVCALL_MAP_STATS_PAGE, HV_STATS_OBJECT_PARTITION, c, 0,
		       HV_STATS_AREA_SELF, &loc), HV_STATUS_INSUFFICIENT_MEMORY);
	t_fund(hv, T_ROOT, &next, 3);
	root_used = s_in_use(hv, T_ROOT);
	REQUIRE_ST(stats(hv, HVCALL_MAP_STATS_PAGE, HV_STATS_OBJECT_PARTITION, c,
			 0, HV_STATS_AREA_SELF, &loc), HV_STATUS_SUCCESS);
	CHECK_EQ(s_in_use(hv, T_ROOT), root_used + 1);
	const uint64_t *cnt = ohv_gpa(hv, T_ROOT, loc << 12, 64);

	REQUIRE(cnt != NULL);
	CHECK_EQ(cnt[0], 1);			/* VPs */
	CHECK_EQ(cnt[1], t_info(hv, c).pool_available);
	REQUIRE_ST(stats(hv, HVCALL_MAP_STATS_PAGE, HV_STATS_OBJECT_VP, c, 0,
			 HV_STATS_AREA_PARENT, &loc2), HV_STATUS_SUCCESS);
	CHECK(loc2 != loc);
	CHECK_EQ(s_in_use(hv, T_ROOT), root_used + 2);
	/* The root's own partition page. */
	CHECK_ST(stats(hv, HVCALL_MAP_STATS_PAGE, HV_STATS_OBJECT_PARTITION,
		       HV_PARTITION_ID_SELF, 0, HV_STATS_AREA_SELF, &loc2),
		 HV_STATUS_SUCCESS);
	CHECK_ST(stats(hv, HVCALL_UNMAP_STATS_PAGE, HV_STATS_OBJECT_PARTITION,
		       HV_PARTITION_ID_SELF, 0, HV_STATS_AREA_SELF, NULL),
		 HV_STATUS_SUCCESS);
	/* Errors. */
	CHECK_ST(stats(hv, HVCALL_MAP_STATS_PAGE, HV_STATS_OBJECT_HYPERVISOR, 0, 0,
		       0, &loc2), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(stats(hv, HVCALL_MAP_STATS_PAGE, HV_STATS_OBJECT_VP, c, 0,
		       HV_STATS_AREA_INTERNAL, &loc2), HV_STATUS_INVALID_PARAMETER);
	CHECK_ST(stats(hv, HVCALL_MAP_STATS_PAGE, HV_STATS_OBJECT_VP, c, 7,
		       0, &loc2), HV_STATUS_INVALID_VP_INDEX);
	CHECK_ST(stats(hv, HVCALL_MAP_STATS_PAGE, HV_STATS_OBJECT_VP, 999, 0,
		       0, &loc2), HV_STATUS_INVALID_PARTITION_ID);
	CHECK_ST(stats(hv, HVCALL_MAP_STATS_PAGE, HV_STATS_OBJECT_VP, un, 0, 0,
		       &loc2),
		 HV_STATUS_INVALID_PARTITION_STATE);
	CHECK_ST(stats(hv, HVCALL_UNMAP_STATS_PAGE, HV_STATS_OBJECT_VP, c, 0,
		       HV_STATS_AREA_SELF, NULL), HV_STATUS_INVALID_PARAMETER);
	struct hv_input_map_stats_page in = {
		.type = HV_STATS_OBJECT_PARTITION, .partition_id = HV_PARTITION_ID_SELF,
	};

	CHECK_ST(t_as(hv, c, ohv_control(HVCALL_MAP_STATS_PAGE, 1, 0, 0), &in,
		      sizeof(in), &loc2, 8), HV_STATUS_ACCESS_DENIED);
	/* Finalize and VP delete give the pages back to the root's pool. */
	REQUIRE_ST(t_finalize(hv, c), HV_STATUS_SUCCESS);
	CHECK_EQ(s_in_use(hv, T_ROOT), root_used);
	t_destroy_child(hv, c);
	t_close(hv);
}
