/* Virtual processors and their registers (SPEC 7). */
#ifndef OHV_VP_H
#define OHV_VP_H

#include "internal.h"
#include "surface.h"
#include "synic.h"

#define VP_GPRS		18	/* RAX..R15, RIP, RFLAGS */
#define VP_CRS		5	/* CR0, CR2, CR3, CR4, CR8 */
#define VP_SEGS		8	/* ES, CS, SS, DS, FS, GS, LDTR, TR */
#define VP_TABLES	2	/* IDTR, GDTR */

struct vp_regs {
	uint64_t gpr[VP_GPRS];
	uint64_t cr[VP_CRS];
	uint64_t efer;
	struct hv_x64_segment_register seg[VP_SEGS];
	struct hv_x64_table_register table[VP_TABLES];
	/* SynIC (facts §4.10). */
	uint64_t sint[HV_SYNIC_SINT_COUNT];
	uint64_t scontrol;
	uint64_t siefp;
	uint64_t simp;
};

struct vp {
	uint32_t index;
	bool suspended;		/* HvRegisterExplicitSuspend */
	bool intercept_suspended; /* HvRegisterInterceptSuspend */
	bool running;		/* a thread is in ohv_vp_run for it       */
	uint64_t serial;	/* unique for the instance (seam.c)       */
	struct ohv_bvp *backend; /* the backend's VP                      */
	struct charge charge;	/* costs.vp pages of the partition's pool */
	struct vp_regs regs;
	struct vp_synic synic;
	struct vpx x;		/* SPEC 10 state (surface.h) */
};

/* A new VP: x86 reset state, SINTs masked, SynIC off. */
struct vp *vp_alloc(uint32_t index);
void vp_free(struct vp *vp);

/*
 * Allocate a partition's VP table (at HvInitializePartition for children,
 * at open for the root): 0 or -ENOMEM.
 */
int vp_table_alloc(struct partition *p);

/*
 * Read (wr false) or write one register of vp in partition p, in the
 * backend's vCPU or the core's register file (SPEC 7, 11.1): SUCCESS, or
 * INVALID_PARAMETER for an unknown name, a write to a read-only register
 * or a value the register cannot hold.
 */
hv_status_t vp_reg_access(struct ohv *hv, struct partition *p, struct vp *vp,
			  uint32_t name, union hv_register_value *v, bool wr);

/* Delete every VP of a partition, returning their pages to its pool
 * (HvFinalizePartition). */
void vp_delete_all(struct ohv *hv, struct partition *p);

#endif /* OHV_VP_H */
