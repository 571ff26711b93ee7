/* SPDX-License-Identifier: MIT */
/*
 * The mshv_lapic_read figure's client: a partition with one VP, then
 * MSHV_GET_VP_STATE of the LAPIC N times; prints the median ioctl in
 * nanoseconds.  Run under libopenhv-mshv.so (bench/mshv.c does).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <openhv/mshv.h>

#define N 2001

static uint64_t ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

int main(void)
{
	int mshv = open("/dev/mshv", O_RDWR | O_CLOEXEC);
	struct mshv_create_partition cp = {
		.pt_flags = 1ull << MSHV_PT_BIT_LAPIC,
	};
	int part = mshv < 0 ? -1 : ioctl(mshv, MSHV_CREATE_PARTITION, &cp);
	struct mshv_create_vp cv = { 0 };

	if (part < 0 || ioctl(part, MSHV_INITIALIZE_PARTITION))
		return 1;
	int vp = ioctl(part, MSHV_CREATE_VP, &cv);
	void *buf = aligned_alloc(4096, 4096);
	static uint64_t t[N];

	if (vp < 0 || !buf)
		return 1;
	for (int i = 0; i < N; i++) {
		struct mshv_get_set_vp_state st = {
			.type = MSHV_VP_STATE_LAPIC, .buf_sz = 4096,
			.buf_ptr = (uintptr_t)buf,
		};
		uint64_t a = ns();

		if (ioctl(vp, MSHV_GET_VP_STATE, &st))
			return 1;
		t[i] = ns() - a;
	}
	qsort(t, N, sizeof(t[0]), cmp);
	printf("%llu\n", (unsigned long long)t[N / 2]);
	return 0;
}
