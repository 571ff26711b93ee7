/* SPDX-License-Identifier: MIT */
/*
 * The seam between the TLFS core and an execution backend (Solo5's struct
 * hvt_b, kvmtool's kvm layer).  The core keeps every piece of TLFS state
 * that is not a VP's architectural state; a backend makes partitions run.
 * The null backend (null.c) runs nothing and is what the model needs; a KVM
 * backend makes each child partition a VM and each VP a vCPU.
 *
 * The core sees a backend only through struct ohv_backend_ops; a backend
 * sees the core only through the services declared at the end of this
 * header (and the public API).  Neither includes the other's files.
 *
 * Rules the core keeps:
 *   - every hook but vp_run is called with the instance lock held, so
 *     hooks never call back into the core (no service, no hypercall);
 *   - a hook that can fail returns 0 or -errno; the core then answers
 *     HV_STATUS_NO_RESOURCES (or INVALID_PARAMETER for a register value)
 *     and has changed nothing, so a backend never sees half an object;
 *   - every hook is optional: a NULL hook means "nothing to do", and for
 *     vp_reg and vp_state "the core keeps that state";
 *   - VP hooks are called only for VPs the backend made (vp_create); the
 *     root's VPs are the host program's own and the core keeps them;
 *   - hooks come in object order: partition_init before that partition's
 *     vp_create, every vp_delete before partition_fini, each gpa_map and
 *     gpa_unmap between partition_init and partition_fini.
 */
#ifndef OHV_BACKEND_H
#define OHV_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openhv/hv.h>
#include <openhv/openhv.h>

/* The Hyper-V CPUID leaves a guest sees: 0x40000000-0x40000006. */
#define OHV_GUEST_CPUID_LEAVES	7

struct ohv_bpart;	/* a backend's partition, opaque to the core */
struct ohv_bvp;		/* a backend's VP, opaque to the core        */

/* What a backend learns of a partition when it is initialized. */
struct ohv_be_partition {
	uint64_t id;
	uint64_t parent_id;
	uint32_t depth;			/* the root is 1                     */
	uint64_t creation_flags;	/* HV_PARTITION_CREATION_FLAG_*      */
	uint64_t privileges;		/* HV_PARTITION_PRIV_*               */
	uint64_t synthetic_proc_features;
	uint64_t disabled_features[2];
	uint64_t disabled_xsave;
	/* CPUID 0x40000000 + i as EAX, EBX, ECX, EDX (spec.md §11.3). */
	uint32_t cpuid[OHV_GUEST_CPUID_LEAVES][4];
};

/*
 * A VP as backends name it to the core's services.  VP indexes are reused
 * after HvDeleteVp; serial is not (unique for the instance's lifetime), so
 * a service called for a VP that has gone answers "no such VP" even when
 * another VP took its index.
 */
struct ohv_be_vp {
	uint64_t partition_id;
	uint32_t index;
	uint64_t serial;
};

/* An interrupt for a VP: a SynIC SINT's vector, or what
 * HvAssertVirtualInterrupt asks for. */
struct ohv_be_irq {
	uint32_t type;		/* HV_X64_INTERRUPT_TYPE_* (0 = fixed)       */
	uint32_t vector;
	bool level;		/* level-triggered (else edge)               */
	bool logical;		/* logical destination mode                  */
};

/* An installed intercept (HvInstallIntercept): type HV_INTERCEPT_TYPE_*,
 * access HV_INTERCEPT_ACCESS_MASK_*, the parameter (a port, an MSR, an
 * exception vector, ...). */
struct ohv_be_intercept {
	uint32_t type;
	uint32_t access;
	uint64_t parameter;
};

struct ohv_backend_ops {
	const char *name;			/* "null", "kvm", ...        */

	/* The instance opens (ctx is the backend's) or closes.  An open
	 * that fails makes ohv_open fail with its -errno. */
	int (*open)(struct ohv *hv, void *arg, void **ctx);
	void (*close)(void *ctx);

	/*
	 * HvInitializePartition passed its checks: make the partition
	 * runnable.  0, or -errno and the partition stays Uninitialized.
	 */
	int (*partition_init)(void *ctx, const struct ohv_be_partition *p,
			      struct ohv_bpart **out);
	/*
	 * The partition is finalized, or the instance closes.  Every VP was
	 * deleted first.  A thread still inside vp_run for one of its VPs
	 * returns from it; the backend frees what it holds once that thread
	 * has left.  Must not wait for such a thread: it may be waiting for
	 * the instance lock.
	 */
	void (*partition_fini)(struct ohv_bpart *bp);

	/* HvCreateVp (0, or -errno and no VP), HvDeleteVp and each VP at
	 * finalize.  A VP being run is freed once its run has returned. */
	int (*vp_create)(struct ohv_bpart *bp, const struct ohv_be_vp *vp,
			 struct ohv_bvp **out);
	void (*vp_delete)(struct ohv_bvp *v);

	/*
	 * Read or write one register the backend holds (the architectural
	 * state lives in the vCPU while the VP exists): 0; -ENOENT when the
	 * core keeps that register (SynIC, suspend, GuestOsId, ...); -EINVAL
	 * for a value the register cannot hold.  A backend may stop a
	 * running VP for it, never waiting for the instance lock.
	 */
	int (*vp_reg)(struct ohv_bvp *v, uint32_t name,
		      union hv_register_value *val, bool write);

	/*
	 * The VP's local APIC as HvGetVpState / HvSetVpState see it (the
	 * state lives in the backend's LAPIC when it has one): read into or
	 * load from *state.  0, -EINVAL (a state it cannot hold), -ENOENT
	 * (the core keeps it).
	 */
	int (*vp_lapic)(struct ohv_bvp *v,
			struct hv_local_interrupt_controller_state *state,
			bool write);

	/*
	 * The VP's x87/SSE/AVX state, as the compacted XSAVE image of len
	 * bytes holding states (HV_XSAVE_STATE_* bits) that HvGetVpState
	 * and the FP and XMM registers see: read into or load from img.  0,
	 * -EINVAL, -ENOENT (the core keeps it).
	 */
	int (*vp_xsave)(struct ohv_bvp *v, uint8_t *img, size_t len,
			uint64_t states, bool write);

	/*
	 * The partition's GPA pages [gpa_page, gpa_page + n) now reach
	 * frames[0..n) with rights (HV_MAP_GPA_READABLE | WRITABLE |
	 * EXECUTABLE bits), or reach nothing.  Called after the model
	 * changed, a run of pages at a time; infallible: a backend that
	 * cannot mirror a change must still show the guest the model's view
	 * (ohv_be_gpa says what it is).
	 */
	void (*gpa_map)(struct ohv_bpart *bp, uint64_t gpa_page, uint64_t n,
			const uint32_t *frames, unsigned rights);
	void (*gpa_unmap)(struct ohv_bpart *bp, uint64_t gpa_page, uint64_t n);

	/* Interrupt the VP (a SINT was raised, HvAssertVirtualInterrupt). */
	void (*interrupt)(struct ohv_bvp *v, const struct ohv_be_irq *irq);

	/*
	 * HvGetGpaPagesAccessStates: OR the guest's own accesses to pages
	 * [gpa_page, gpa_page + n) into states (HV_GPA_PAGE_ACCESS_STATE_*
	 * bits, one byte a page; the core put its own there), then apply
	 * flags' HV_GPA_PAGE_ACCESS_CLEAR_* to the backend's log.
	 */
	void (*dirty_log)(struct ohv_bpart *bp, uint64_t gpa_page, uint32_t n,
			  uint8_t *states, uint64_t flags);

	/*
	 * The partition's installed intercepts changed: all n of them now.
	 * A backend delivers those it can as intercept messages.
	 */
	void (*intercepts)(struct ohv_bpart *bp,
			   const struct ohv_be_intercept *list, uint32_t n);

	/* Whether the VP may run changed (a suspend register was written):
	 * a runner re-checks ohv_be_vp_runnable at once. */
	void (*vp_notify)(struct ohv_bvp *v);
	/* ohv_vp_kick: the VP's run returns -EINTR as soon as it can. */
	void (*vp_kick)(struct ohv_bvp *v);

	/*
	 * Running a VP (ohv_vp_run).  vp_claim is called under the lock: 0,
	 * or -EBUSY when another thread runs it; a claimed VP stays
	 * allocated until its vp_run returns.  vp_run is called WITHOUT the
	 * lock, on the thread that runs the VP, and returns 0 with the TLFS
	 * intercept message in *msg (the VP stopped for its parent),
	 * -EINTR (vp_kick, or a signal), or -ESHUTDOWN (the VP or its
	 * partition went away meanwhile).  Guest hypercalls, synthetic
	 * MSRs, Hyper-V CPUID leaves and SynIC delivery are handled inside.
	 */
	int (*vp_claim)(struct ohv_bvp *v);
	int (*vp_run)(struct ohv_bvp *v, struct hv_message *msg);
};

extern const struct ohv_backend_ops ohv_backend_null;
/* Each child partition a KVM VM (spec.md §11; kvm.c). */
extern const struct ohv_backend_ops ohv_backend_kvm;

/* ---------------------------------------------------------------------- */
/* The core's services to backends.  Each takes the instance lock itself: */
/* call them only from vp_run (never from a hook).                         */

/* A hypercall issued by guest code of that VP (ohv_hypercall, after
 * checking the VP is still the one named). */
uint64_t ohv_be_hypercall(struct ohv *hv, const struct ohv_be_vp *vp,
			  struct ohv_hvcall *call);

/*
 * A guest RDMSR (write false) or WRMSR of a synthetic MSR (0x40000000-FF)
 * on that VP: 0, -EINVAL when the guest gets #GP, or -ESHUTDOWN when the
 * VP is gone.  A write of
 * HV_X64_MSR_GUEST_OS_ID or HV_X64_MSR_HYPERCALL may move or remove the
 * hypercall page: read HV_X64_MSR_HYPERCALL back to learn where it is.
 */
int ohv_be_msr(struct ohv *hv, const struct ohv_be_vp *vp, uint32_t msr,
	       uint64_t *val, bool write);

/* A guest write the backend could not map (len bytes of value at gpa):
 * 1 when it rang a doorbell connection of the VP's partition (the write
 * is done: the guest runs on), 0 when none matched, -ESHUTDOWN when the
 * VP is gone. */
int ohv_be_doorbell(struct ohv *hv, const struct ohv_be_vp *vp, uint64_t gpa,
		    unsigned len, uint64_t value);

/* May the VP run now: partition Active, VP alive, both suspend registers
 * clear? */
bool ohv_be_vp_runnable(struct ohv *hv, const struct ohv_be_vp *vp);

/* The frame and rights behind a partition's GPA page: the model's view,
 * for a backend that emulates an access it could not map. */
bool ohv_be_gpa(struct ohv *hv, uint64_t partition_id, uint64_t gpa_page,
		uint32_t *frame, unsigned *rights);

/* Machine memory: the file (a memfd; frame f at offset f * 4096, -1 when
 * the host had no memfd) and its host mapping. */
int ohv_be_memfd(const struct ohv *hv);
void *ohv_be_frame(const struct ohv *hv, uint32_t frame);

#endif /* OHV_BACKEND_H */
