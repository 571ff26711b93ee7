/* SPDX-License-Identifier: MIT */
/*
 * Partition fds (mshv-uapi A.1, A.9): creation with each flag,
 * MSHV_INITIALIZE_PARTITION, MSHV_CREATE_VP, the fd's lifetime through
 * dups, and requests on the wrong kind of fd.
 */
#include "case.h"

/* A partition of each creation flag, and the 64-byte form, initializes
 * and takes a VP (rust-vmm's create_vm with each of its bits). */
MCASE(create_partition_flags)
{
	int mshv = mc_open();
	static const uint64_t flags[] = {
		0,
		1ull << MSHV_PT_BIT_LAPIC,
		1ull << MSHV_PT_BIT_X2APIC,
		1ull << MSHV_PT_BIT_GPA_SUPER_PAGES,
		1ull << MSHV_PT_BIT_LAPIC | 1ull << MSHV_PT_BIT_X2APIC |
			1ull << MSHV_PT_BIT_GPA_SUPER_PAGES,
	};

	for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		int part = mc_partition(mshv, flags[i], true);
		int vp = mc_vp(part, 0);

		close(vp);
		close(part);
	}

	/* The 64-byte form: the disabled XSAVE features it names are gone
	 * from the partition's XSAVE states. */
	for (unsigned avx = 0; avx < 2; avx++) {
		struct mshv_create_partition_v2 v2 = {
			.pt_flags = 1ull << MSHV_PT_BIT_LAPIC |
				    1ull << MSHV_PT_BIT_X2APIC |
				    1ull << MSHV_PT_BIT_GPA_SUPER_PAGES |
				    1ull << MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES,
			.pt_num_cpu_fbanks = MSHV_NUM_CPU_FEATURES_BANKS,
			.pt_disabled_xsave = avx ? 0 : HV_XSAVE_FEATURE_AVX,
		};
		int part = ioctl(mshv, MSHV_CREATE_PARTITION, &v2);
		uint64_t states;

		MREQUIRE(part >= 0);
		MCHECK_OK(ioctl(part, MSHV_INITIALIZE_PARTITION));
		MCHECK_EQ(mc_get_prop(part, HV_PARTITION_PROPERTY_XSAVE_STATES,
				      &states), 0);
		if (!avx)
			MCHECK(!(states & HV_XSAVE_STATE_AVX));
		int vp = mc_vp(part, 0);

		close(vp);
		close(part);
	}
	close(mshv);
}

/* Initialize twice is 0 (MAIN-dev); the request ignores its argument. */
MCASE(initialize_partition)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, false);

	MCHECK_OK(ioctl(part, MSHV_INITIALIZE_PARTITION));
	MCHECK_OK(ioctl(part, MSHV_INITIALIZE_PARTITION));
	MCHECK_OK(ioctl(part, MSHV_INITIALIZE_PARTITION, (void *)8));
	close(part);
	close(mshv);
}

/* rust-vmm's test_create_vcpu, and Linux's limits: index 256 and beyond
 * EINVAL, an index twice EEXIST. */
MCASE(create_vp)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	struct mshv_create_vp cv = { .vp_index = 256 };

	MCHECK_ERRNO(ioctl(part, MSHV_CREATE_VP, &cv), EINVAL);
	cv.vp_index = 0xFFFFFFFF;
	MCHECK_ERRNO(ioctl(part, MSHV_CREATE_VP, &cv), EINVAL);
	MCHECK_ERRNO(ioctl(part, MSHV_CREATE_VP, NULL), EFAULT);
	MCHECK_ERRNO(ioctl(part, MSHV_CREATE_VP, (void *)8), EFAULT);

	int vp0 = mc_vp(part, 0);
	/* openhv's partitions have 64 VPs (OHV_MAX_VPS); Linux's 256 is the
	 * layer's own check. */
	int vp63 = mc_vp(part, 63);

	MCHECK(fcntl(vp0, F_GETFD) & FD_CLOEXEC);
	cv.vp_index = 0;
	MCHECK_ERRNO(ioctl(part, MSHV_CREATE_VP, &cv), EEXIST);
	/* Closing the VP's fd does not free its index. */
	close(vp63);
	cv.vp_index = 63;
	MCHECK_ERRNO(ioctl(part, MSHV_CREATE_VP, &cv), EEXIST);
	close(vp0);
	close(part);
	close(mshv);
}

/* Partition fds through dup, dup2 and F_DUPFD_CLOEXEC are the partition;
 * it lives while any fd (its own, a VP's) does. */
MCASE(partition_fd_dups)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, false);
	int d1 = dup(part);
	int d2 = dup2(part, 200);
	int d3 = fcntl(part, F_DUPFD_CLOEXEC, 300);

	MREQUIRE(d1 >= 0 && d2 == 200 && d3 >= 300);
	MCHECK(fcntl(d3, F_GETFD) & FD_CLOEXEC);
	close(part);
	MCHECK_OK(ioctl(d1, MSHV_INITIALIZE_PARTITION));
	close(d1);
	int vp = mc_vp(d2, 0);

	close(d2);
	MCHECK_OK(ioctl(d3, MSHV_INITIALIZE_PARTITION));
	struct mshv_create_vp cv = { .vp_index = 0 };

	MCHECK_ERRNO(ioctl(d3, MSHV_CREATE_VP, &cv), EEXIST);
	close(d3);

	/* The VP still holds its partition: it runs. */
	static const uint8_t hlt[] = { 0xF4 };
	int vp2;
	int p2 = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);

	mc_guest(p2, 0, hlt, sizeof(hlt), &vp2);
	int vd = dup2(vp2, 400);

	close(vp2);
	close(p2);
	struct hv_message m;

	MCHECK_EQ(mc_run(vd, &m), HVMSG_X64_HALT);
	close(vd);
	close(vp);
	close(mshv);
}

/* Closing the last fd releases the partition with its memory: 50 in a
 * row, each with 4 MiB of guest memory and a VP, fit an
 * instance of 16 MiB. */
MCASE(partition_release)
{
	static const uint8_t hlt[] = { 0xF4 };

	setenv("OPENHV_MSHV_MEMORY_MB", "16", 1);
	int mshv = mc_open();

	for (unsigned i = 0; i < 50; i++) {
		int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
		int vp;
		uint8_t *mem = mc_guest(part, 0, hlt, sizeof(hlt), &vp);
		uint8_t *more = mc_memory(part, 0x100, 4u << 20,
					  1u << MSHV_SET_MEM_BIT_WRITABLE);

		/* Every page is the instance's while mapped, touched or not. */
		more[(4u << 20) - 1] = (uint8_t)i;
		int d = fcntl(part, F_DUPFD_CLOEXEC, 0);
		struct hv_message m;

		MREQUIRE(mc_run(vp, &m) == HVMSG_X64_HALT);
		close(part);
		close(vp);
		close(d);
		/* The client's memory is its own again. */
		MCHECK_EQ(more[(4u << 20) - 1], (uint8_t)i);
		munmap(more, 4u << 20);
		munmap(mem, MC_GUEST_MEM);
	}
	close(mshv);
}

/* Every request on a fd kind that does not have it: ENOTTY (A.1), with
 * an argument a kernel could read. */
MCASE(wrong_fd_enotty)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 0, true);
	int vp = mc_vp(part, 0);
	struct mshv_create_device cd = { .type = MSHV_DEV_TYPE_VFIO };

	MREQUIRE(!ioctl(part, MSHV_CREATE_DEVICE, &cd));
	int dev = (int)cd.fd;
	static uint8_t arg[HV_PAGE_SIZE];
	static const unsigned long dev_bad[] = {
		MSHV_INITIALIZE_PARTITION, MSHV_CREATE_VP, MSHV_SET_GUEST_MEMORY,
		MSHV_IRQFD, MSHV_IOEVENTFD, MSHV_SET_MSI_ROUTING,
		MSHV_GET_GPAP_ACCESS_BITMAP, MSHV_CREATE_DEVICE, MSHV_RUN_VP,
		MSHV_SET_VP_STATE, MSHV_SET_DEVICE_ATTR,
	};
	static const unsigned long part_bad[] = {
		MSHV_CREATE_PARTITION, MSHV_GET_HOST_PARTITION_PROPERTY,
		MSHV_RUN_VP, MSHV_GET_VP_STATE, MSHV_SET_VP_STATE,
		MSHV_SET_DEVICE_ATTR, MSHV_HAS_DEVICE_ATTR,
	};
	static const unsigned long vp_bad[] = {
		MSHV_CREATE_PARTITION, MSHV_INITIALIZE_PARTITION, MSHV_CREATE_VP,
		MSHV_SET_GUEST_MEMORY, MSHV_IRQFD, MSHV_IOEVENTFD,
		MSHV_SET_MSI_ROUTING, MSHV_GET_GPAP_ACCESS_BITMAP,
		MSHV_CREATE_DEVICE, MSHV_SET_DEVICE_ATTR, MSHV_HAS_DEVICE_ATTR,
	};
	static const unsigned long dv_bad[] = {
		MSHV_CREATE_PARTITION, MSHV_INITIALIZE_PARTITION, MSHV_CREATE_VP,
		MSHV_SET_GUEST_MEMORY, MSHV_ROOT_HVCALL, MSHV_RUN_VP,
		MSHV_GET_VP_STATE, MSHV_CREATE_DEVICE,
	};
	/* Numbers of no fd kind, and other drivers'. */
	static const unsigned long none[] = {
		_IO(MSHV_IOCTL, 0x42), _IOWR(MSHV_IOCTL, 0x20, uint64_t),
		_IOW(0xAE, 0x01, uint64_t), 0x5401 /* TCGETS */,
	};
#define EACH(fd, list)                                                       \
	for (unsigned i = 0; i < sizeof(list) / sizeof(list[0]); i++) {     \
		memset(arg, 0, sizeof(arg));                                 \
		mc_check(ioctl(fd, list[i], arg) == -1 && errno == ENOTTY,   \
			 __FILE__, __LINE__, "%s request 0x%lx: errno %d",   \
			 #fd, list[i], errno);                               \
	}
	EACH(mshv, dev_bad);
	EACH(part, part_bad);
	EACH(vp, vp_bad);
	EACH(dev, dv_bad);
	EACH(mshv, none);
	EACH(part, none);
	EACH(vp, none);
	EACH(dev, none);
	close(dev);
	close(vp);
	close(part);
	close(mshv);
}

/* rust-vmm's legacy numbers 0xF0-0xF9 (partition) and 0xF0-0xF6 (VP)
 * are not Linux's: ENOTTY, which is what makes rust-vmm fall back to
 * ROOT_HVCALL (A.1). */
MCASE(legacy_numbers_enotty)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 0, true);
	int vp = mc_vp(part, 0);
	static uint8_t arg[HV_PAGE_SIZE];

	for (unsigned nr = 0xF0; nr <= 0xF9; nr++) {
		const unsigned long reqs[] = {
			_IO(MSHV_IOCTL, nr), _IOW(MSHV_IOCTL, nr, uint64_t[2]),
			_IOWR(MSHV_IOCTL, nr, uint64_t[4]),
			_IOR(MSHV_IOCTL, nr, uint64_t[32]),
		};

		for (unsigned i = 0; i < 4; i++) {
			MCHECK_ERRNO(ioctl(part, reqs[i], arg), ENOTTY);
			MCHECK_ERRNO(ioctl(vp, reqs[i], arg), ENOTTY);
		}
	}
	close(vp);
	close(part);
	close(mshv);
}

/* An unknown request is ENOTTY whatever its argument: Linux's switch
 * never reads it (A.1), so NULL is ENOTTY too, not EFAULT. */
MCASE(unknown_request_null_arg)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 0, true);
	int vp = mc_vp(part, 0);

	MCHECK_ERRNO(ioctl(part, MSHV_RUN_VP, NULL), ENOTTY);
	MCHECK_ERRNO(ioctl(part, _IOW(MSHV_IOCTL, 0xF3, uint64_t[2]), NULL),
		     ENOTTY);
	MCHECK_ERRNO(ioctl(vp, MSHV_CREATE_DEVICE, NULL), ENOTTY);
	MCHECK_ERRNO(ioctl(vp, _IOWR(MSHV_IOCTL, 0xF2, uint64_t[4]), NULL),
		     ENOTTY);
	close(vp);
	close(part);
	close(mshv);
}
