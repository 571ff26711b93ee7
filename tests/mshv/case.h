/* SPDX-License-Identifier: MIT */
/*
 * The cases of libopenhv-mshv's own tests: a client of /dev/mshv written
 * against the UAPI header alone (include/openhv/mshv.h), as a VMM is.
 * The program runs one case, named on its command line, and tests/
 * test_mshv.c runs each under the preloaded library.  Exit status: 0
 * passed, 1 failed, 77 skipped (the reason on stderr).
 */
#ifndef OHV_TEST_MSHV_CASE_H
#define OHV_TEST_MSHV_CASE_H

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openhv/mshv.h>

void mc_register(const char *name, void (*fn)(void));

#define MCASE(name)                                                          \
	static void mcase_##name(void);                                      \
	__attribute__((constructor)) static void mreg_##name(void)          \
	{                                                                    \
		mc_register(#name, mcase_##name);                            \
	}                                                                    \
	static void mcase_##name(void)

__attribute__((format(printf, 4, 5)))
bool mc_check(bool ok, const char *file, int line, const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2)))
void mc_skip(const char *fmt, ...);
__attribute__((noreturn)) void mc_stop(void);

#define MCHECK(cond) mc_check(!!(cond), __FILE__, __LINE__, "%s", #cond)
#define MCHECK_EQ(a, b)                                                      \
	do {                                                                 \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);             \
		mc_check(a_ == b_, __FILE__, __LINE__,                       \
			 "%s == %s: 0x%" PRIx64 " != 0x%" PRIx64, #a, #b,   \
			 a_, b_);                                            \
	} while (0)
/* An ioctl (or any call returning -1 and errno) fails with err. */
#define MCHECK_ERRNO(call, err)                                              \
	do {                                                                 \
		errno = 0;                                                   \
		long r_ = (long)(call);                                      \
		int e_ = errno;                                              \
		mc_check(r_ == -1 && e_ == (err), __FILE__, __LINE__,        \
			 "%s: returned %ld errno %d (%s), want errno %d (%s)", \
			 #call, r_, e_, strerror(e_), (err), strerror(err)); \
	} while (0)
#define MCHECK_OK(call)                                                      \
	do {                                                                 \
		errno = 0;                                                   \
		long r_ = (long)(call);                                      \
		int e_ = errno;                                              \
		mc_check(r_ >= 0, __FILE__, __LINE__,                        \
			 "%s: returned %ld errno %d (%s)", #call, r_, e_,    \
			 strerror(e_));                                      \
	} while (0)
#define MREQUIRE(cond)                                                       \
	do {                                                                 \
		if (!MCHECK(cond))                                           \
			mc_stop();                                           \
	} while (0)

/* Helpers (case.c): /dev/mshv (skips without it), a partition as
 * rust-vmm's create_vm() makes one and initialized, a VP, a region of
 * the client's memory mapped at gfn, a hypercall through ROOT_HVCALL
 * (returns the ioctl's result; *status the HV status), registers. */
int mc_open(void);
int mc_partition(int mshv, uint64_t pt_flags, bool initialize);
int mc_vp(int part, uint32_t index);
void *mc_memory(int part, uint64_t gfn, size_t size, uint8_t flags);
int mc_hvcall(int fd, uint16_t code, uint16_t reps, const void *in,
	      size_t in_sz, void *out, size_t out_sz, uint16_t *status);
uint16_t mc_set_reg(int vp_fd, uint32_t name, uint64_t value);
uint16_t mc_get_reg(int vp_fd, uint32_t name, uint64_t *value);
uint16_t mc_set_seg(int vp_fd, uint32_t name,
		    struct hv_x64_segment_register seg);
uint16_t mc_get_seg(int vp_fd, uint32_t name,
		    struct hv_x64_segment_register *seg);
/* The same for VP vp_index: a ROOT_HVCALL input names its VP itself, the
 * fd only its partition (mshv-uapi A.5). */
uint16_t mc_set_reg_on(int fd, uint32_t vp_index, uint32_t name,
		       uint64_t value);
uint16_t mc_get_reg_on(int fd, uint32_t vp_index, uint32_t name,
		       uint64_t *value);
uint16_t mc_set_seg_on(int fd, uint32_t vp_index, uint32_t name,
		       struct hv_x64_segment_register seg);
uint16_t mc_get_seg_on(int fd, uint32_t vp_index, uint32_t name,
		       struct hv_x64_segment_register *seg);
/* A partition property through ROOT_HVCALL (0x44 / 0x45); the status. */
uint16_t mc_get_prop(int fd, uint32_t code, uint64_t *value);
uint16_t mc_set_prop(int fd, uint32_t code, uint64_t value);

/* Zeroed, page-aligned memory of the client's own (VP state buffers). */
void *mc_pages(size_t size);

/* A tiny real-mode guest: MC_GUEST_MEM bytes of the client's memory at
 * GPA 0 (writable, executable), code copied to MC_GUEST_CODE, a VP of
 * that index with CS base and selector 0 and RIP at the code.  Returns
 * the memory; *vp_fd the VP. */
#define MC_GUEST_MEM	0x10000u
#define MC_GUEST_CODE	0x1000u
uint8_t *mc_guest(int part, uint32_t vp_index, const void *code, size_t len,
		  int *vp_fd);
/* MSHV_RUN_VP until it stops with a message (EINTR retried); the
 * message type.  A failed run stops the case. */
uint32_t mc_run(int vp_fd, struct hv_message *msg);
/* The payload of a message as an intercept of kind T. */
#define MC_PAYLOAD(msg, T) ((const T *)(const void *)(msg)->payload)

#endif /* OHV_TEST_MSHV_CASE_H */
