/* SPDX-License-Identifier: MIT */
/*
 * MSHV_CREATE_DEVICE and the device fd (rust-vmm/mshv 0.7.0's VFIO
 * pseudo-device, checked as KVM's kvm-vfio device is).
 */
#include "case.h"

static int create(int part, uint32_t type, uint32_t flags, uint32_t *fd)
{
	struct mshv_create_device d = { .type = type, .fd = 0, .flags = flags };
	int r = ioctl(part, MSHV_CREATE_DEVICE, &d);

	*fd = d.fd;
	return r;
}

static int attr(int dev, unsigned long req, uint32_t group, uint64_t a,
		uint64_t addr)
{
	struct mshv_device_attr at = { .group = group, .attr = a, .addr = addr };

	return ioctl(dev, req, &at);
}

/* Only the VFIO type exists; the TEST flag makes nothing. */
MCASE(create_device_checks)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 0, true);
	uint32_t fd;

	MCHECK_ERRNO(create(part, 1, 0, &fd), ENODEV);
	MCHECK_ERRNO(create(part, 0xFFFFFFFF, MSHV_CREATE_DEVICE_TEST, &fd),
		     ENODEV);
	MCHECK_ERRNO(create(part, MSHV_DEV_TYPE_VFIO, 2, &fd), EINVAL);
	MCHECK_ERRNO(create(part, MSHV_DEV_TYPE_VFIO, 0x80000000u, &fd), EINVAL);

	int next = dup(0);

	MREQUIRE(next >= 0);
	close(next);
	MCHECK_OK(create(part, MSHV_DEV_TYPE_VFIO, MSHV_CREATE_DEVICE_TEST, &fd));
	MCHECK_EQ(fd, 0);
	/* No fd was made: the lowest free number is still free. */
	int again = dup(0);

	MCHECK_EQ(again, next);
	close(again);
	MCHECK_ERRNO(ioctl(part, MSHV_CREATE_DEVICE, NULL), EFAULT);
	close(part);
	close(mshv);
}

/* rust-vmm's test_create_device: a VFIO device whose fd (and its dup)
 * has the VFIO file attributes, can GET none, and cannot SET from a bad
 * address (EFAULT); a fd that is no VFIO file is EINVAL. */
MCASE(create_device_vfio)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	uint32_t ufd = 0;

	MREQUIRE(!create(part, MSHV_DEV_TYPE_VFIO, 0, &ufd));
	int dev = (int)ufd;
	int d = dup(dev);

	MREQUIRE(d >= 0);
	MCHECK(fcntl(dev, F_GETFD) & FD_CLOEXEC);
	close(dev);
	MCHECK_OK(attr(d, MSHV_HAS_DEVICE_ATTR, MSHV_DEV_VFIO_FILE,
		       MSHV_DEV_VFIO_FILE_ADD, 0));
	MCHECK_OK(attr(d, MSHV_HAS_DEVICE_ATTR, MSHV_DEV_VFIO_FILE,
		       MSHV_DEV_VFIO_FILE_DEL, 0));
	MCHECK_ERRNO(attr(d, MSHV_HAS_DEVICE_ATTR, MSHV_DEV_VFIO_FILE, 3, 0),
		     ENXIO);
	MCHECK_ERRNO(attr(d, MSHV_HAS_DEVICE_ATTR, 2, MSHV_DEV_VFIO_FILE_ADD, 0),
		     ENXIO);
	MCHECK_ERRNO(attr(d, MSHV_GET_DEVICE_ATTR, MSHV_DEV_VFIO_FILE,
			  MSHV_DEV_VFIO_FILE_ADD, 0), ENXIO);
	MCHECK_ERRNO(attr(d, MSHV_SET_DEVICE_ATTR, MSHV_DEV_VFIO_FILE,
			  MSHV_DEV_VFIO_FILE_ADD, 0), EFAULT);
	MCHECK_ERRNO(attr(d, MSHV_SET_DEVICE_ATTR, MSHV_DEV_VFIO_FILE,
			  MSHV_DEV_VFIO_FILE_ADD, 8), EFAULT);
	int32_t notvfio = mshv;

	MCHECK_ERRNO(attr(d, MSHV_SET_DEVICE_ATTR, MSHV_DEV_VFIO_FILE,
			  MSHV_DEV_VFIO_FILE_ADD, (uintptr_t)&notvfio), EINVAL);
	MCHECK_ERRNO(attr(d, MSHV_SET_DEVICE_ATTR, MSHV_DEV_VFIO_FILE, 3,
			  (uintptr_t)&notvfio), ENXIO);
	MCHECK_ERRNO(ioctl(d, MSHV_HAS_DEVICE_ATTR, NULL), EFAULT);

	/* The device holds its partition: with the partition fd closed, the
	 * device still answers. */
	close(part);
	MCHECK_OK(attr(d, MSHV_HAS_DEVICE_ATTR, MSHV_DEV_VFIO_FILE,
		       MSHV_DEV_VFIO_FILE_ADD, 0));
	close(d);
	close(mshv);
}
