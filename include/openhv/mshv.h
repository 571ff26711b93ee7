/* SPDX-License-Identifier: MIT */
/*
 * openhv — the /dev/mshv user-space interface (spec.md §12).
 *
 * The ioctls, structures and bits of Linux's /dev/mshv as its clients use
 * them: mainline's include/uapi/linux/mshv.h, and the additions
 * rust-vmm/mshv 0.7.0 relies on (the 64-byte create structure, the host
 * partition property, MSHV_ROOT_HVCALL on the /dev/mshv fd, the VFIO
 * pseudo-device).  Written from the layouts alone (offsets checked below;
 * mshv-uapi A.1-A.3, rust-vmm/mshv 0.7.0's bindings for the device);
 * openhv's libopenhv-mshv.so answers them, and a VMM may be written
 * against this header only (examples/mshv_hello.c).
 *
 * One request number means different things on different fds: the
 * /dev/mshv fd, a partition fd (from MSHV_CREATE_PARTITION), a VP fd (from
 * MSHV_CREATE_VP) and a device fd (from MSHV_CREATE_DEVICE).
 */
#ifndef OPENHV_MSHV_H
#define OPENHV_MSHV_H

#include <linux/ioctl.h>
#include <stddef.h>
#include <stdint.h>

#include "hv.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
#define MSHV_STATIC_ASSERT static_assert
#else
#define MSHV_STATIC_ASSERT _Static_assert
#endif
#define MSHV_ASSERT_SIZE(type, size) \
	MSHV_STATIC_ASSERT(sizeof(type) == (size), #type " must be " #size " bytes")
#define MSHV_ASSERT_OFFSET(type, field, off) \
	MSHV_STATIC_ASSERT(offsetof(type, field) == (off), \
			   #type "." #field " must be at " #off)

#define MSHV_IOCTL	0xB8

/* ---------------------------------------------------------------------- */
/* /dev/mshv                                                               */

/* MSHV_CREATE_PARTITION: pt_flags bits. */
#define MSHV_PT_BIT_LAPIC			0
#define MSHV_PT_BIT_X2APIC			1
#define MSHV_PT_BIT_GPA_SUPER_PAGES		2
#define MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES	3	/* the 64-byte form */
#define MSHV_PT_BIT_NESTED_VIRTUALIZATION	4
#define MSHV_PT_BIT_SMT_ENABLED_GUEST		5
#define MSHV_PT_BIT_COUNT			6

#define MSHV_PT_ISOLATION_NONE			0
#define MSHV_PT_ISOLATION_COUNT			1

struct mshv_create_partition {
	uint64_t pt_flags;
	uint64_t pt_isolation;
};
MSHV_ASSERT_SIZE(struct mshv_create_partition, 16);

/* Read whole when pt_flags has MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES. */
#define MSHV_NUM_CPU_FEATURES_BANKS		2

struct mshv_create_partition_v2 {
	uint64_t pt_flags;
	uint64_t pt_isolation;
	uint16_t pt_num_cpu_fbanks;
	uint8_t pt_rsvd[6];			/* must be zero */
	uint64_t pt_cpu_fbanks[MSHV_NUM_CPU_FEATURES_BANKS]; /* disabled */
	uint64_t pt_rsvd1[2];			/* must be zero */
	uint64_t pt_disabled_xsave;
} __attribute__((packed));
MSHV_ASSERT_SIZE(struct mshv_create_partition_v2, 64);
MSHV_ASSERT_OFFSET(struct mshv_create_partition_v2, pt_num_cpu_fbanks, 16);
MSHV_ASSERT_OFFSET(struct mshv_create_partition_v2, pt_cpu_fbanks, 24);
MSHV_ASSERT_OFFSET(struct mshv_create_partition_v2, pt_rsvd1, 40);
MSHV_ASSERT_OFFSET(struct mshv_create_partition_v2, pt_disabled_xsave, 56);

/* A property of the host partition (MSHV_GET_HOST_PARTITION_PROPERTY). */
struct mshv_partition_property {
	uint32_t property_code;
	uint32_t rsvd;
	uint64_t property_value;
};
MSHV_ASSERT_SIZE(struct mshv_partition_property, 16);

/* A hypercall passed through (MSHV_ROOT_HVCALL): the partition id of the
 * input is the fd's partition (HV_PARTITION_ID_SELF on /dev/mshv). */
struct mshv_root_hvcall {
	uint16_t code;
	uint16_t reps;		/* in: rep count; out: reps completed */
	uint16_t in_sz;
	uint16_t out_sz;
	uint16_t status;	/* out: the HV_STATUS */
	uint8_t rsvd[6];	/* must be zero */
	uint64_t in_ptr;
	uint64_t out_ptr;
};
MSHV_ASSERT_SIZE(struct mshv_root_hvcall, 32);
MSHV_ASSERT_OFFSET(struct mshv_root_hvcall, status, 8);
MSHV_ASSERT_OFFSET(struct mshv_root_hvcall, in_ptr, 16);

#define MSHV_CREATE_PARTITION	_IOW(MSHV_IOCTL, 0x00, struct mshv_create_partition)
#define MSHV_GET_HOST_PARTITION_PROPERTY \
	_IOWR(MSHV_IOCTL, 0x01, struct mshv_partition_property)
#define MSHV_ROOT_HVCALL	_IOWR(MSHV_IOCTL, 0x07, struct mshv_root_hvcall)

/* ---------------------------------------------------------------------- */
/* A partition fd                                                          */

struct mshv_create_vp {
	uint32_t vp_index;
};
MSHV_ASSERT_SIZE(struct mshv_create_vp, 4);

#define MSHV_SET_MEM_BIT_WRITABLE	0
#define MSHV_SET_MEM_BIT_EXECUTABLE	1
#define MSHV_SET_MEM_BIT_UNMAP		2
#define MSHV_SET_MEM_BIT_COUNT		3

struct mshv_user_mem_region {
	uint64_t size;		/* bytes, page-aligned, not 0 */
	uint64_t guest_pfn;
	uint64_t userspace_addr;	/* page-aligned */
	uint8_t flags;		/* MSHV_SET_MEM_BIT_* */
	uint8_t rsvd[7];	/* must be zero */
};
MSHV_ASSERT_SIZE(struct mshv_user_mem_region, 32);
MSHV_ASSERT_OFFSET(struct mshv_user_mem_region, flags, 24);

#define MSHV_IRQFD_BIT_DEASSIGN		0
#define MSHV_IRQFD_BIT_RESAMPLE		1
#define MSHV_IRQFD_BIT_COUNT		2

struct mshv_user_irqfd {
	int32_t fd;
	int32_t resamplefd;
	uint32_t gsi;
	uint32_t flags;
};
MSHV_ASSERT_SIZE(struct mshv_user_irqfd, 16);

#define MSHV_IOEVENTFD_BIT_DATAMATCH	0
#define MSHV_IOEVENTFD_BIT_PIO		1
#define MSHV_IOEVENTFD_BIT_DEASSIGN	2
#define MSHV_IOEVENTFD_BIT_COUNT	3

struct mshv_user_ioeventfd {
	uint64_t datamatch;
	uint64_t addr;		/* a GPA (PIO: a port) */
	uint32_t len;		/* 0 (any), 1, 2, 4 or 8 */
	int32_t fd;
	uint32_t flags;
	uint8_t rsvd[4];
};
MSHV_ASSERT_SIZE(struct mshv_user_ioeventfd, 32);
MSHV_ASSERT_OFFSET(struct mshv_user_ioeventfd, fd, 20);

struct mshv_user_irq_entry {
	uint32_t gsi;
	uint32_t address_lo;
	uint32_t address_hi;
	uint32_t data;
};
MSHV_ASSERT_SIZE(struct mshv_user_irq_entry, 16);

struct mshv_user_irq_table {
	uint32_t nr;
	uint32_t rsvd;		/* must be zero */
	struct mshv_user_irq_entry entries[];
};
MSHV_ASSERT_SIZE(struct mshv_user_irq_table, 8);

#define MSHV_GPAP_ACCESS_TYPE_ACCESSED	0
#define MSHV_GPAP_ACCESS_TYPE_DIRTY	1
#define MSHV_GPAP_ACCESS_TYPE_COUNT	2

#define MSHV_GPAP_ACCESS_OP_NOOP	0
#define MSHV_GPAP_ACCESS_OP_CLEAR	1
#define MSHV_GPAP_ACCESS_OP_SET		2
#define MSHV_GPAP_ACCESS_OP_COUNT	3

struct mshv_gpap_access_bitmap {
	uint8_t access_type;
	uint8_t access_op;
	uint8_t rsvd[6];
	uint64_t page_count;
	uint64_t gpap_base;
	uint64_t bitmap_ptr;	/* one bit a page, out */
};
MSHV_ASSERT_SIZE(struct mshv_gpap_access_bitmap, 32);

/* MSHV_CREATE_DEVICE: the VFIO pseudo-device, and attributes on its fd. */
#define MSHV_DEV_TYPE_VFIO		0
#define MSHV_CREATE_DEVICE_TEST		1	/* flags: only check the type */

struct mshv_create_device {
	uint32_t type;
	uint32_t fd;		/* out */
	uint32_t flags;
};
MSHV_ASSERT_SIZE(struct mshv_create_device, 12);

struct mshv_device_attr {
	uint32_t flags;		/* must be zero */
	uint32_t group;
	uint64_t attr;
	uint64_t addr;		/* user address of the value */
};
MSHV_ASSERT_SIZE(struct mshv_device_attr, 24);

/* The VFIO device's groups and attributes (as KVM's kvm-vfio device). */
#define MSHV_DEV_VFIO_FILE		1
#define MSHV_DEV_VFIO_FILE_ADD		1
#define MSHV_DEV_VFIO_FILE_DEL		2

#define MSHV_INITIALIZE_PARTITION	_IO(MSHV_IOCTL, 0x00)
#define MSHV_CREATE_VP		_IOW(MSHV_IOCTL, 0x01, struct mshv_create_vp)
#define MSHV_SET_GUEST_MEMORY	_IOW(MSHV_IOCTL, 0x02, struct mshv_user_mem_region)
#define MSHV_IRQFD		_IOW(MSHV_IOCTL, 0x03, struct mshv_user_irqfd)
#define MSHV_IOEVENTFD		_IOW(MSHV_IOCTL, 0x04, struct mshv_user_ioeventfd)
#define MSHV_SET_MSI_ROUTING	_IOW(MSHV_IOCTL, 0x05, struct mshv_user_irq_table)
#define MSHV_GET_GPAP_ACCESS_BITMAP \
	_IOWR(MSHV_IOCTL, 0x06, struct mshv_gpap_access_bitmap)
/* MSHV_ROOT_HVCALL: as on /dev/mshv, request 0x07. */
#define MSHV_CREATE_DEVICE	_IOWR(MSHV_IOCTL, 0x08, struct mshv_create_device)

/* On a device fd. */
#define MSHV_SET_DEVICE_ATTR	_IOW(MSHV_IOCTL, 0x00, struct mshv_device_attr)
#define MSHV_GET_DEVICE_ATTR	_IOW(MSHV_IOCTL, 0x01, struct mshv_device_attr)
#define MSHV_HAS_DEVICE_ATTR	_IOW(MSHV_IOCTL, 0x02, struct mshv_device_attr)

/* ---------------------------------------------------------------------- */
/* A VP fd                                                                 */

/* One hv_message: the intercept that stopped the VP. */
struct mshv_run_vp {
	uint8_t msg_buf[256];
};
MSHV_ASSERT_SIZE(struct mshv_run_vp, 256);

#define MSHV_VP_STATE_LAPIC		0
#define MSHV_VP_STATE_XSAVE		1	/* compacted form */
#define MSHV_VP_STATE_SIMP		2
#define MSHV_VP_STATE_SIEFP		3
#define MSHV_VP_STATE_SYNTHETIC_TIMERS	4
#define MSHV_VP_STATE_COUNT		5

struct mshv_get_set_vp_state {
	uint8_t type;		/* MSHV_VP_STATE_* */
	uint8_t rsvd[3];	/* must be zero */
	uint32_t buf_sz;	/* page multiple; on GET, set to the size */
	uint64_t buf_ptr;	/* page-aligned */
};
MSHV_ASSERT_SIZE(struct mshv_get_set_vp_state, 16);

#define MSHV_RUN_VP		_IOR(MSHV_IOCTL, 0x00, struct mshv_run_vp)
#define MSHV_GET_VP_STATE	_IOWR(MSHV_IOCTL, 0x01, struct mshv_get_set_vp_state)
#define MSHV_SET_VP_STATE	_IOWR(MSHV_IOCTL, 0x02, struct mshv_get_set_vp_state)

/* mmap(2) offsets of a VP fd, in pages. */
#define MSHV_VP_MMAP_OFFSET_REGISTERS		0
#define MSHV_VP_MMAP_OFFSET_INTERCEPT_MESSAGE	1
#define MSHV_VP_MMAP_OFFSET_GHCB		2
#define MSHV_VP_MMAP_PAGES			3

/* The register page (offset 0) is struct hv_vp_register_page of hv.h:
 * the VP's registers after a stop, valid while isvalid is non-zero; a VMM
 * writes fields and sets their class (HV_X64_REGISTER_CLASS_*) in dirty,
 * and they reach the VP at its next run.  The intercept-message page
 * (offset 1) holds the struct hv_message of the last stop. */

#ifdef __cplusplus
}
#endif

#endif /* OPENHV_MSHV_H */
