/* SPDX-License-Identifier: MIT */
/*
 * The shortest life of a partition, driven the way the Linux mshv driver
 * drives the real hypervisor.  Build with make; run build/examples/lifecycle.
 */
#include <stdio.h>

#include <openhv/client.h>

int main(void)
{
	struct ohv *hv;
	struct ohv_client *root;
	uint64_t id = 0;

	if (ohv_open(NULL, &hv) || ohv_client_open(hv, 0, &root))
		return 1;
	/* HvCreatePartition, depositing into the root's pool as needed. */
	hv_status_t st = ohv_client_create_partition(root, NULL, &id);
	/* 208 pages into the child, then HvInitializePartition. */
	if (!st)
		st = ohv_client_initialize_partition(root, id);
	printf("partition %llu: %s\n", (unsigned long long)id,
	       ohv_status_name(st));
	/* HvFinalizePartition, HvWithdrawMemory until empty, HvDeletePartition. */
	if (id)
		ohv_client_destroy_partition(root, id);
	ohv_client_close(root);
	ohv_close(hv);
	return st ? 1 : 0;
}
