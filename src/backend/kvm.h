/* SPDX-License-Identifier: MIT */
/* The KVM backend's own objects (kvm.c: instance, partitions, memory;
 * kvm_vp.c: vCPUs and the run loop). */
#ifndef OHV_KVM_H
#define OHV_KVM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "backend.h"

/* The port of the hypercall page's `out imm8, al` (kvm-facts §3; not
 * 0x7E, which a KVM quirk treats specially). */
#define OHV_KVM_HC_PORT		0x4F
/* Interrupts a vCPU thread's KVM_RUN (kvm-facts §8). */
#define OHV_KVM_KICK_SIGNAL	(SIGRTMAX - 1)
/* Set by openhv's kick handler on the thread it interrupts: a KVM_RUN
 * that returns EINTR without it was interrupted by another signal, the
 * program's own (when the handler is openhv's: kvm_kick_handler_ours). */
extern __thread volatile sig_atomic_t kvm_kick_seen;
extern bool kvm_kick_handler_ours;

/* GPA pages KVM is shown: 64 GiB; the rest is served on exits. */
#define KVM_WINDOW_PAGES	(1ull << 24)
#define KVM_NO_PAGE		UINT64_MAX

#define OHV_KVM_SPARE_WINDOWS	8
/* MSRs intercepted one by one: as many as a partition can install
 * (HvInstallIntercept's 64), and the number that get a filter range each
 * beside the synthetic range (KVM allows 16 ranges). */
#define KVM_MSR_ICPT_MAX	64
#define KVM_MSR_RANGES		15

struct kvm_ctx {
	struct ohv *hv;
	int kvm_fd;
	int memfd;		/* machine memory (the core's)              */
	int run_size;		/* of a vCPU's struct kvm_run mapping       */
	int max_slots;
	struct kvm_cpuid2 *cpuid; /* KVM's, less its 0x400000xx leaves   */
	int legacy_paging;	/* 0 not probed, 1 runs, -1 cannot           */
	/* Windows and chunk indexes of partitions gone, emptied, for the
	 * next ones: mapping, faulting in and unmapping them costs tens of
	 * microseconds a partition. */
	pthread_mutex_t mu;
	struct kvm_spare {
		uint8_t *window;
		struct kchunk **chunks;	/* all NULL */
	} spare[OHV_KVM_SPARE_WINDOWS];
	int nspare;
};

struct kslot {
	uint64_t first, n;	/* GPA pages; n == 0: the slot is free     */
	int cls;
};

struct kvm_part {
	struct kvm_ctx *k;
	uint64_t id;
	int vm_fd;
	int refs;		/* the core's, and each running VP's        */
	bool dead;		/* finalized: runs return                   */
	pthread_mutex_t mu;	/* the map below (hooks, run loops)          */
	struct kchunk **chunks;	/* frame and rights of window pages         */
	uint64_t chunk_lo, chunk_hi; /* the chunks allocated lie in [lo, hi) */
	uint8_t *window;	/* host address of GPA 0                    */
	uint64_t win_lo, win_hi; /* the GPA pages ever placed: [lo, hi)     */
	uint64_t pend_lo, pend_hi; /* pages mapped, slots not yet made     */
	bool dirty_logging;	/* KVM logs the guest's writes (kvm.c)   */
	/* Installed MSR intercepts (HvInstallIntercept): one MSR each, and
	 * all MSRs; access HV_INTERCEPT_ACCESS_MASK_* bits. */
	struct { uint32_t msr; uint32_t access; } msr_icpt[KVM_MSR_ICPT_MAX];
	uint32_t nmsr_icpt;
	uint32_t msr_all;
	struct kslot *slots;	/* indexed by KVM slot number                */
	uint32_t nslots;
	uint8_t *stub;		/* the hypercall page's frame               */
	uint64_t hc_page;	/* its GPA page, or KVM_NO_PAGE              */
	struct kvm_cpuid2 *cpuid;
};

void kvm_part_put(struct kvm_part *kp);
/* The hypercall overlay moves to GPA page page (KVM_NO_PAGE: none). */
void kvm_set_hypercall_page(struct kvm_part *kp, uint64_t page);
bool kvm_is_hypercall_page(struct kvm_part *kp, uint64_t page);
/* The frame and rights behind GPA page page, from the backend's mirror of
 * the GPA map (the core's beyond the window): false when unmapped. */
bool kvm_gpa_frame(struct kvm_part *kp, uint64_t page, uint32_t *frame,
		   unsigned *rights);

/* Memslots for pages mapped since the last call (kvm_gpa_set defers
 * them): made before a vCPU enters KVM_RUN. */
void kvm_slots_catch_up(struct kvm_part *kp);

/* What an installed MSR intercept of kp asks for msr: its
 * HV_INTERCEPT_ACCESS_MASK_* bits (0: none). */
uint32_t kvm_msr_intercepted(struct kvm_part *kp, uint32_t msr);

/* Whether KVM runs paging outside long mode (a PVM KVM does not). */
bool kvm_legacy_paging(struct kvm_ctx *k);

/* kvm_vp.c: the VP hooks. */
int kvm_vp_create(struct ohv_bpart *bp, const struct ohv_be_vp *vp,
		  struct ohv_bvp **out);
void kvm_vp_delete(struct ohv_bvp *v);
int kvm_vp_reg(struct ohv_bvp *v, uint32_t name, union hv_register_value *val,
	       bool write);
int kvm_vp_lapic(struct ohv_bvp *v,
		 struct hv_local_interrupt_controller_state *state, bool write);
int kvm_vp_xsave(struct ohv_bvp *v, uint8_t *img, size_t len,
		 uint64_t states, bool write);
void kvm_interrupt(struct ohv_bvp *v, const struct ohv_be_irq *irq);
void kvm_vp_notify(struct ohv_bvp *v);
void kvm_vp_kick(struct ohv_bvp *v);
int kvm_vp_claim(struct ohv_bvp *v);
int kvm_vp_run(struct ohv_bvp *v, struct hv_message *msg);

/*
 * The exit handlers without a vCPU, for fuzz/fuzz_kvm_exit.c: run's exit
 * is handled as VP id's, every vCPU ioctl going to io(ctx, ...).  Returns
 * as the run loop's step does: 1 run on, 0 stopped (*m), -errno.
 */
typedef int kvm_vcpu_io_fn(void *ctx, unsigned long req, void *arg);
int kvm_exit_for_test(struct kvm_part *kp, const struct ohv_be_vp *id,
		      struct kvm_run *run, kvm_vcpu_io_fn *io, void *ctx,
		      struct hv_message *m);

extern const struct ohv_backend_ops ohv_backend_kvm;

#endif /* OHV_KVM_H */
