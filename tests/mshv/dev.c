/* SPDX-License-Identifier: MIT */
/* The /dev/mshv fd (spec.md §12; mshv-uapi A.1, A.9). */
#include "case.h"

/* Every open variant of "/dev/mshv" gives the device; its dup is it too,
 * and a number no fd kind knows is ENOTTY. */
MCASE(dev_open_dup_unknown)
{
	int fd = mc_open();
	int fd2 = openat(AT_FDCWD, "/dev/mshv", O_RDWR);
	int d = dup(fd);

	MREQUIRE(fd2 >= 0 && d >= 0);
	MCHECK_ERRNO(ioctl(fd, _IO(MSHV_IOCTL, 0x42)), ENOTTY);
	MCHECK_ERRNO(ioctl(d, MSHV_INITIALIZE_PARTITION), ENOTTY);
	MCHECK_ERRNO(ioctl(fd2, MSHV_RUN_VP, NULL), ENOTTY);
	struct mshv_create_partition cp = { 0 };
	int p = ioctl(d, MSHV_CREATE_PARTITION, &cp);

	MCHECK(p >= 0);
	close(p);
	close(d);
	close(fd2);
	close(fd);
}

MCASE(dev_create_partition_checks)
{
	int fd = mc_open();
	struct mshv_create_partition cp = {
		.pt_flags = 1ull << MSHV_PT_BIT_COUNT,
	};

	MCHECK_ERRNO(ioctl(fd, MSHV_CREATE_PARTITION, &cp), EINVAL);
	cp.pt_flags = 0;
	cp.pt_isolation = MSHV_PT_ISOLATION_COUNT;
	MCHECK_ERRNO(ioctl(fd, MSHV_CREATE_PARTITION, &cp), EINVAL);
	MCHECK_ERRNO(ioctl(fd, MSHV_CREATE_PARTITION, NULL), EFAULT);
	MCHECK_ERRNO(ioctl(fd, MSHV_CREATE_PARTITION, (void *)8), EFAULT);

	/* The 64-byte form: at most two banks, reserved fields zero. */
	struct mshv_create_partition_v2 v2 = {
		.pt_flags = 1ull << MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES |
			    1ull << MSHV_PT_BIT_LAPIC,
		.pt_num_cpu_fbanks = 3,
	};
	MCHECK_ERRNO(ioctl(fd, MSHV_CREATE_PARTITION, &v2), EINVAL);
	v2.pt_num_cpu_fbanks = 2;
	v2.pt_rsvd[5] = 1;
	MCHECK_ERRNO(ioctl(fd, MSHV_CREATE_PARTITION, &v2), EINVAL);
	v2.pt_rsvd[5] = 0;
	v2.pt_rsvd1[1] = 1;
	MCHECK_ERRNO(ioctl(fd, MSHV_CREATE_PARTITION, &v2), EINVAL);
	v2.pt_rsvd1[1] = 0;
	int p = ioctl(fd, MSHV_CREATE_PARTITION, &v2);

	MCHECK(p >= 0);
	/* Partition fds are close-on-exec, as anonymous inodes in Linux. */
	MCHECK(fcntl(p, F_GETFD) & FD_CLOEXEC);
	close(p);
	close(fd);
}
