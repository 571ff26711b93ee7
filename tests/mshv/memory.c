/* SPDX-License-Identifier: MIT */
/*
 * A partition's memory: MSHV_SET_GUEST_MEMORY (mshv-uapi A.6) and
 * MSHV_GET_GPAP_ACCESS_BITMAP (A.2, A.10).  Guest memory is the client's
 * own: what either side writes, the other reads at once.
 */
#include "case.h"

#include <time.h>

#define WX	(1u << MSHV_SET_MEM_BIT_WRITABLE | 1u << MSHV_SET_MEM_BIT_EXECUTABLE)
#define UNMAP	(1u << MSHV_SET_MEM_BIT_UNMAP)

static void *anon(size_t size, int flags)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_ANONYMOUS | flags, -1, 0);

	if (!mc_check(p != MAP_FAILED, __FILE__, __LINE__, "mmap %zu", size))
		mc_stop();
	return p;
}

static int set_mem(int part, uint64_t gfn, void *p, uint64_t size,
		   uint8_t flags)
{
	struct mshv_user_mem_region r = {
		.size = size, .guest_pfn = gfn,
		.userspace_addr = (uintptr_t)p, .flags = flags,
	};

	return ioctl(part, MSHV_SET_GUEST_MEMORY, &r);
}

/* The region's own checks: EINVAL (A.6). */
MCASE(set_memory_checks)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 0, true);
	uint8_t *p = anon(4 * HV_PAGE_SIZE, MAP_PRIVATE);
	struct mshv_user_mem_region r = {
		.size = HV_PAGE_SIZE, .guest_pfn = 0x100,
		.userspace_addr = (uintptr_t)p, .flags = WX,
	};

	r.size = 0;
	MCHECK_ERRNO(ioctl(part, MSHV_SET_GUEST_MEMORY, &r), EINVAL);
	r.size = HV_PAGE_SIZE + 0x800;
	MCHECK_ERRNO(ioctl(part, MSHV_SET_GUEST_MEMORY, &r), EINVAL);
	r.size = HV_PAGE_SIZE;
	r.userspace_addr = (uintptr_t)p + 0x10;
	MCHECK_ERRNO(ioctl(part, MSHV_SET_GUEST_MEMORY, &r), EINVAL);
	r.userspace_addr = (uintptr_t)p;
	r.flags = 1u << MSHV_SET_MEM_BIT_COUNT;
	MCHECK_ERRNO(ioctl(part, MSHV_SET_GUEST_MEMORY, &r), EINVAL);
	r.flags = 0x80 | WX;
	MCHECK_ERRNO(ioctl(part, MSHV_SET_GUEST_MEMORY, &r), EINVAL);
	r.flags = WX;
	for (unsigned i = 0; i < sizeof(r.rsvd); i++) {
		r.rsvd[i] = 1;
		MCHECK_ERRNO(ioctl(part, MSHV_SET_GUEST_MEMORY, &r), EINVAL);
		r.rsvd[i] = 0;
	}
	MCHECK_ERRNO(ioctl(part, MSHV_SET_GUEST_MEMORY, NULL), EFAULT);
	MCHECK_ERRNO(ioctl(part, MSHV_SET_GUEST_MEMORY, (void *)8), EFAULT);

	/* An address with no mapping behind it (A.6: EINVAL). */
	uint8_t *gone = anon(2 * HV_PAGE_SIZE, MAP_PRIVATE);

	munmap(gone, 2 * HV_PAGE_SIZE);
	MCHECK_ERRNO(set_mem(part, 0x200, gone, 2 * HV_PAGE_SIZE, WX), EINVAL);

	/* Nothing of all that was mapped: the whole range is free. */
	MCHECK_OK(set_mem(part, 0x100, p, 4 * HV_PAGE_SIZE, WX));
	close(part);
	close(mshv);
}

/* Overlap in guest-physical or in user space: EEXIST (A.6, MAIN-dev). */
MCASE(set_memory_overlap)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 0, true);
	uint8_t *a = anon(4 * HV_PAGE_SIZE, MAP_PRIVATE);
	uint8_t *b = anon(4 * HV_PAGE_SIZE, MAP_PRIVATE);

	MREQUIRE(!set_mem(part, 0x100, a, 4 * HV_PAGE_SIZE, WX));
	/* GPA: the last page, the first page, all of it, around it. */
	MCHECK_ERRNO(set_mem(part, 0x103, b, HV_PAGE_SIZE, WX), EEXIST);
	MCHECK_ERRNO(set_mem(part, 0xFF, b, 2 * HV_PAGE_SIZE, WX), EEXIST);
	MCHECK_ERRNO(set_mem(part, 0x100, b, 4 * HV_PAGE_SIZE, WX), EEXIST);
	MCHECK_ERRNO(set_mem(part, 0xFE, b, 4 * HV_PAGE_SIZE, 0), EEXIST);
	/* User space: a's pages at another GPA. */
	MCHECK_ERRNO(set_mem(part, 0x200, a + HV_PAGE_SIZE, HV_PAGE_SIZE, WX),
		     EEXIST);
	MCHECK_ERRNO(set_mem(part, 0x100, a, 4 * HV_PAGE_SIZE, WX), EEXIST);
	/* Next to it on both sides is not an overlap. */
	MCHECK_OK(set_mem(part, 0x104, b, HV_PAGE_SIZE, WX));
	MCHECK_OK(set_mem(part, 0xFF, b + HV_PAGE_SIZE, HV_PAGE_SIZE, WX));
	close(part);
	close(mshv);
}

/* An unmap names its region exactly: guest_pfn, userspace_addr, size. */
MCASE(set_memory_unmap_exact)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 0, true);
	uint8_t *a = anon(4 * HV_PAGE_SIZE, MAP_PRIVATE);

	MREQUIRE(!set_mem(part, 0x100, a, 4 * HV_PAGE_SIZE, WX));
	MCHECK_ERRNO(set_mem(part, 0x100, a, 2 * HV_PAGE_SIZE, UNMAP), EINVAL);
	MCHECK_ERRNO(set_mem(part, 0x101, a + HV_PAGE_SIZE, 3 * HV_PAGE_SIZE,
			     UNMAP), EINVAL);
	MCHECK_ERRNO(set_mem(part, 0x101, a, 4 * HV_PAGE_SIZE, UNMAP), EINVAL);
	MCHECK_ERRNO(set_mem(part, 0x100, a + HV_PAGE_SIZE, 4 * HV_PAGE_SIZE,
			     UNMAP), EINVAL);
	MCHECK_ERRNO(set_mem(part, 0x100, a, 8 * HV_PAGE_SIZE, UNMAP), EINVAL);
	/* The access bits do not take part in the match. */
	MCHECK_OK(set_mem(part, 0x100, a, 4 * HV_PAGE_SIZE, UNMAP | WX));
	MCHECK_ERRNO(set_mem(part, 0x100, a, 4 * HV_PAGE_SIZE, UNMAP), EINVAL);
	/* Gone: the same range maps again, elsewhere too. */
	MCHECK_OK(set_mem(part, 0x300, a, 4 * HV_PAGE_SIZE, WX));
	MCHECK_OK(set_mem(part, 0x300, a, 4 * HV_PAGE_SIZE, UNMAP));
	close(part);
	close(mshv);
}

/* mov byte [0x2000], 0x5a / mov al, [0x2001] / mov dx, 0x3f8 /
 * out dx, al / hlt */
static const uint8_t store_guest[] = {
	0xC6, 0x06, 0x00, 0x20, 0x5A, 0xA0, 0x01, 0x20,
	0xBA, 0xF8, 0x03, 0xEE, 0xF4,
};

static void memory_shared(int map_flags)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	uint8_t *mem = anon(MC_GUEST_MEM, map_flags);
	struct hv_message m;

	/* What the client wrote before the map, the guest has. */
	memcpy(mem + MC_GUEST_CODE, store_guest, sizeof(store_guest));
	mem[0x3000] = 0x3C;
	MREQUIRE(!set_mem(part, 0, mem, MC_GUEST_MEM, WX));
	MCHECK_EQ(mem[MC_GUEST_CODE], store_guest[0]);
	MCHECK_EQ(mem[0x3000], 0x3C);
	/* What it writes after, too. */
	mem[0x2001] = 0xA7;

	int vp = mc_vp(part, 0);
	struct hv_x64_segment_register cs = {
		.limit = 0xFFFF, .attributes = 0x9B,
	};

	MREQUIRE(!mc_set_seg(vp, HV_X64_REGISTER_CS, cs));
	MREQUIRE(!mc_set_reg(vp, HV_X64_REGISTER_RIP, MC_GUEST_CODE));
	MREQUIRE(mc_run(vp, &m) == HVMSG_X64_IO_PORT_INTERCEPT);
	MCHECK_EQ(MC_PAYLOAD(&m, struct hv_x64_io_port_intercept_message)
			  ->rax & 0xFF, 0xA7);
	/* The guest's store is in the client's buffer, with no call. */
	MCHECK_EQ(mem[0x2000], 0x5A);

	/* Unmapped, the buffer keeps what it holds and is the client's. */
	MCHECK_OK(set_mem(part, 0, mem, MC_GUEST_MEM, UNMAP));
	MCHECK_EQ(mem[0x2000], 0x5A);
	MCHECK_EQ(mem[0x2001], 0xA7);
	MCHECK_EQ(mem[0x3000], 0x3C);
	mem[0x2000] = 1;
	MCHECK_EQ(mem[0x2000], 1);

	/* And mapped again, then the partition gone: the same. */
	MREQUIRE(!set_mem(part, 0, mem, MC_GUEST_MEM, WX));
	mem[0x2002] = 0x77;
	MCHECK_EQ(mem[0x2000], 1);
	close(vp);
	close(part);
	MCHECK_EQ(mem[0x2000], 1);
	MCHECK_EQ(mem[0x2002], 0x77);
	MCHECK_EQ(mem[0x3000], 0x3C);
	munmap(mem, MC_GUEST_MEM);
	close(mshv);
}

MCASE(memory_shared_private)
{
	memory_shared(MAP_PRIVATE);
}

MCASE(memory_shared_shared)
{
	memory_shared(MAP_SHARED);
}

/* rust-vmm's test_user_memory: map and unmap a region at GPA 0x1000. */
MCASE(user_memory)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	uint8_t *p = anon(0x1000, MAP_PRIVATE);

	MCHECK_OK(set_mem(part, 1, p, 0x1000, WX));
	MCHECK_OK(set_mem(part, 1, p, 0x1000, WX | UNMAP));
	munmap(p, 0x1000);
	close(part);
	close(mshv);
}

static int bitmap(int part, uint8_t type, uint8_t op, uint64_t base,
		  uint64_t count, void *out)
{
	struct mshv_gpap_access_bitmap a = {
		.access_type = type, .access_op = op, .page_count = count,
		.gpap_base = base, .bitmap_ptr = (uintptr_t)out,
	};

	return ioctl(part, MSHV_GET_GPAP_ACCESS_BITMAP, &a);
}

MCASE(access_bitmap_checks)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 0, true);
	uint64_t bm[4] = { 0 };
	struct mshv_gpap_access_bitmap a = {
		.access_type = MSHV_GPAP_ACCESS_TYPE_DIRTY,
		.access_op = MSHV_GPAP_ACCESS_OP_NOOP, .page_count = 64,
		.bitmap_ptr = (uintptr_t)bm,
	};

	(void)mc_memory(part, 0, 64 * HV_PAGE_SIZE, WX);
	MCHECK_OK(ioctl(part, MSHV_GET_GPAP_ACCESS_BITMAP, &a));
	a.access_type = MSHV_GPAP_ACCESS_TYPE_COUNT;
	MCHECK_ERRNO(ioctl(part, MSHV_GET_GPAP_ACCESS_BITMAP, &a), EINVAL);
	a.access_type = MSHV_GPAP_ACCESS_TYPE_ACCESSED;
	a.access_op = MSHV_GPAP_ACCESS_OP_COUNT;
	MCHECK_ERRNO(ioctl(part, MSHV_GET_GPAP_ACCESS_BITMAP, &a), EINVAL);
	a.access_op = MSHV_GPAP_ACCESS_OP_NOOP;
	a.rsvd[5] = 1;
	MCHECK_ERRNO(ioctl(part, MSHV_GET_GPAP_ACCESS_BITMAP, &a), EINVAL);
	a.rsvd[5] = 0;
	a.page_count = 0;
	MCHECK_ERRNO(ioctl(part, MSHV_GET_GPAP_ACCESS_BITMAP, &a), EINVAL);
	a.page_count = 64;
	MCHECK_OK(ioctl(part, MSHV_GET_GPAP_ACCESS_BITMAP, &a));
	a.bitmap_ptr = 8;
	MCHECK_ERRNO(ioctl(part, MSHV_GET_GPAP_ACCESS_BITMAP, &a), EFAULT);
	MCHECK_ERRNO(ioctl(part, MSHV_GET_GPAP_ACCESS_BITMAP, NULL), EFAULT);
	close(part);
	close(mshv);
}

/* A page the guest writes is dirty (and accessed) in the bitmap after a
 * clear; one it never touches is not. */
MCASE(access_bitmap_guest_write)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC, true);
	int vp;
	struct hv_message m;
	uint64_t bm = 0;
	const uint64_t n = MC_GUEST_MEM / HV_PAGE_SIZE;

	uint8_t *mem = mc_guest(part, 0, store_guest, sizeof(store_guest), &vp);

	MREQUIRE(!mc_set_prop(part, HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
			      1));
	MCHECK_OK(bitmap(part, MSHV_GPAP_ACCESS_TYPE_DIRTY,
			 MSHV_GPAP_ACCESS_OP_CLEAR, 0, n, &bm));
	MCHECK_OK(bitmap(part, MSHV_GPAP_ACCESS_TYPE_ACCESSED,
			 MSHV_GPAP_ACCESS_OP_CLEAR, 0, n, &bm));
	MCHECK_OK(bitmap(part, MSHV_GPAP_ACCESS_TYPE_DIRTY,
			 MSHV_GPAP_ACCESS_OP_NOOP, 0, n, &bm));
	MCHECK_EQ(bm, 0);
	MREQUIRE(mc_run(vp, &m) == HVMSG_X64_IO_PORT_INTERCEPT);
	MCHECK_EQ(mem[0x2000], 0x5A);
	MCHECK_OK(bitmap(part, MSHV_GPAP_ACCESS_TYPE_DIRTY,
			 MSHV_GPAP_ACCESS_OP_NOOP, 0, n, &bm));
	MCHECK(bm & 1u << 2);
	MCHECK(!(bm & 1u << 5));
	MCHECK_OK(bitmap(part, MSHV_GPAP_ACCESS_TYPE_ACCESSED,
			 MSHV_GPAP_ACCESS_OP_NOOP, 0, n, &bm));
	MCHECK(bm & 1u << 2);
	MCHECK(!(bm & 1u << 5));
	close(vp);
	close(part);
	close(mshv);
}

/* rust-vmm's dirty-log tests: size bytes of MAP_SHARED | MAP_NORESERVE
 * memory at GPA 0, tracking on; CLEAR, then SET reads all zero, then two
 * NOOPs read the same. */
static void dirty_log(uint64_t size)
{
	int mshv = mc_open();
	int part = mc_partition(mshv, 1ull << MSHV_PT_BIT_LAPIC |
				1ull << MSHV_PT_BIT_X2APIC |
				1ull << MSHV_PT_BIT_GPA_SUPER_PAGES, true);
	uint8_t *mem = anon(size, MAP_SHARED | MAP_NORESERVE);
	const uint64_t pages = size / HV_PAGE_SIZE;
	const size_t blen = pages / 8;
	uint8_t *a = anon(blen, MAP_PRIVATE), *b = anon(blen, MAP_PRIVATE);

	MREQUIRE(!set_mem(part, 0, mem, size, WX));
	MREQUIRE(!mc_set_prop(part, HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
			      1));
	MCHECK_OK(bitmap(part, MSHV_GPAP_ACCESS_TYPE_DIRTY,
			 MSHV_GPAP_ACCESS_OP_CLEAR, 0, pages, a));
	memset(a, 0xFF, blen);
	MCHECK_OK(bitmap(part, MSHV_GPAP_ACCESS_TYPE_DIRTY,
			 MSHV_GPAP_ACCESS_OP_SET, 0, pages, a));
	bool zero = true;

	for (size_t i = 0; i < blen; i++)
		zero = zero && !a[i];
	MCHECK(zero);
	MCHECK_OK(bitmap(part, MSHV_GPAP_ACCESS_TYPE_DIRTY,
			 MSHV_GPAP_ACCESS_OP_NOOP, 0, pages, a));
	MCHECK_OK(bitmap(part, MSHV_GPAP_ACCESS_TYPE_DIRTY,
			 MSHV_GPAP_ACCESS_OP_NOOP, 0, pages, b));
	MCHECK(!memcmp(a, b, blen));
	MCHECK(!mc_set_prop(part, HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
			    0));
	MCHECK_OK(set_mem(part, 0, mem, size, WX | UNMAP));
	munmap(a, blen);
	munmap(b, blen);
	close(part);
	munmap(mem, size);
	close(mshv);
}

MCASE(dirty_log_32m)
{
	dirty_log(32ull << 20);
}

/* 8 GiB of which nothing is touched: a map, four bitmaps and an unmap
 * stay quick (about 0.7 s here; a region's untouched pages are never
 * copied). */
MCASE(dirty_log_8g)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	dirty_log(8ull << 30);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) +
		   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	mc_check(s < 5.0, __FILE__, __LINE__, "8 GiB dirty log took %.2f s", s);
}

/* A region larger than the instance's memory (OPENHV_MSHV_MEMORY_MB) is
 * ENOMEM, and gives back what it took: a region that fits maps after. */
MCASE(set_memory_out_of_memory)
{
	setenv("OPENHV_MSHV_MEMORY_MB", "64", 1);
	int mshv = mc_open();
	int part = mc_partition(mshv, 0, true);
	const size_t big = 128u << 20, fits = 32u << 20;
	uint8_t *p = mmap(NULL, big, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct mshv_user_mem_region r = {
		.size = big, .guest_pfn = 0, .userspace_addr = (uintptr_t)p,
		.flags = 1u << MSHV_SET_MEM_BIT_WRITABLE,
	};

	MREQUIRE(p != MAP_FAILED);
	MCHECK_ERRNO(ioctl(part, MSHV_SET_GUEST_MEMORY, &r), ENOMEM);
	for (int i = 0; i < 3; i++) {
		r.size = fits;
		MCHECK_OK(ioctl(part, MSHV_SET_GUEST_MEMORY, &r));
		r.flags |= 1u << MSHV_SET_MEM_BIT_UNMAP;
		MCHECK_OK(ioctl(part, MSHV_SET_GUEST_MEMORY, &r));
		r.flags &= ~(1u << MSHV_SET_MEM_BIT_UNMAP);
	}
	close(part);
	close(mshv);
}
