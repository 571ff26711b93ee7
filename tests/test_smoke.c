/* SPDX-License-Identifier: MIT */
/* The shortest useful life of a partition, end to end. */
#include "t.h"

TEST(smoke_lifecycle)
{
	struct ohv *hv = t_open(NULL);
	uint64_t next = T_FIRST_FREE_PAGE;
	uint64_t id = t_active_child(hv, &next);
	uint64_t avail, in_use;

	CHECK_EQ(id, 2);
	CHECK_ST(t_balance(hv, id, &avail, &in_use), HV_STATUS_SUCCESS);
	CHECK_EQ(avail, 0);
	CHECK_EQ(in_use, 16);
	t_destroy_child(hv, id);
	CHECK_ST(t_balance(hv, HV_PARTITION_ID_SELF, &avail, &in_use),
		 HV_STATUS_SUCCESS);
	CHECK_EQ(avail, 1);
	CHECK_EQ(in_use, 0);
	t_close(hv);
}
