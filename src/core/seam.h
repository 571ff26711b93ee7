/* SPDX-License-Identifier: MIT */
/*
 * The core's side of the backend seam (src/backend/backend.h): the one
 * place the core calls a backend's hooks.  Each wrapper is a no-op (or
 * "the core keeps it") when the backend leaves the hook NULL.  Called with
 * the instance lock held.
 */
#ifndef OHV_SEAM_H
#define OHV_SEAM_H

#include "backend.h"
#include "internal.h"

struct vp;

/* The backend for cfg->backend (NULL, KVM, AUTO) or a test's: 0 or -errno. */
int seam_open(struct ohv *hv, const struct ohv_backend_ops *ops, void *arg);
void seam_close(struct ohv *hv);

/* HvInitializePartition: 0, or -errno (nothing done). */
int seam_partition_init(struct ohv *hv, struct partition *p);
/* HvFinalizePartition or close: after every VP went. */
void seam_partition_fini(struct ohv *hv, struct partition *p);

/* HvCreateVp: 0, or -errno (nothing done).  Gives vp its serial. */
int seam_vp_create(struct ohv *hv, struct partition *p, struct vp *vp);
void seam_vp_delete(struct ohv *hv, struct vp *vp);

/* p's installed intercepts changed: the backend learns them all. */
void seam_intercepts(struct ohv *hv, struct partition *p);

/* The backend's LAPIC of vp: 0, -EINVAL, or -ENOENT (the core's). */
int seam_vp_lapic(struct ohv *hv, struct vp *vp,
		  struct hv_local_interrupt_controller_state *state, bool write);

/* The backend's x87/SSE/AVX state of vp as a compacted XSAVE image: 0,
 * -EINVAL, or -ENOENT (the core's). */
int seam_vp_xsave(struct ohv *hv, struct vp *vp, uint8_t *img, size_t len,
		  uint64_t states, bool write);

/* A register the backend holds: 0, -EINVAL, or -ENOENT (the core's). */
int seam_vp_reg(struct ohv *hv, struct vp *vp, uint32_t name,
		union hv_register_value *val, bool write);

/*
 * A partition's GPA pages now reach frames with rights, or nothing.  The
 * seam gathers consecutive pages into runs and tells the backend a run
 * at a time: when the run breaks, before any other hook, and before the
 * instance lock is let go (lock.c), so a hypercall's changes reach the
 * backend before the call returns.
 */
void seam_gpa_map(struct ohv *hv, struct partition *p, uint64_t gpa_page,
		  uint64_t n, const uint32_t *frames, unsigned rights);
void seam_gpa_unmap(struct ohv *hv, struct partition *p, uint64_t gpa_page,
		    uint64_t n);
void seam_gpa_flush(struct ohv *hv);

/* A SINT of vp was raised with that vector. */
void seam_sint(struct ohv *hv, struct vp *vp, uint32_t vector);
/* HvAssertVirtualInterrupt asked for an interrupt of vp. */
void seam_irq(struct ohv *hv, struct vp *vp, const struct ohv_be_irq *irq);
/* HvGetGpaPagesAccessStates: the backend ORs the guest's own accesses
 * into states[0..n) of pages from gpa_page and applies the clear flags. */
void seam_dirty_log(struct ohv *hv, struct partition *p, uint64_t gpa_page,
		    uint32_t n, uint8_t *states, uint64_t flags);
/* vp's suspend registers changed. */
void seam_vp_notify(struct ohv *hv, struct vp *vp);

#endif /* OHV_SEAM_H */
