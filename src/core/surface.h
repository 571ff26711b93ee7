/* SPDX-License-Identifier: MIT */
/*
 * The Linux root's wider surface (spec.md §10): the per-VP and per-partition
 * state the calls beyond the seed set keep, and the handlers.  Each
 * concern lives in its own file:
 *
 *   hc_system.c      HvGetSystemProperty, HvGetPartitionPropertyEx,
 *                    HvNotifyPortRingEmpty
 *   hc_vpstate.c     HvMapVpStatePage, HvUnmapVpStatePage, HvGetVpState,
 *                    HvSetVpState; the register and intercept pages
 *   hc_interrupt.c   HvAssertVirtualInterrupt, HvClearVirtualInterrupt
 *   hc_intercept.c   HvInstallIntercept, HvRegisterInterceptResult,
 *                    HvGetVpCpuidValues (the CPUID a VP sees)
 *   hc_gpa_access.c  HvReadGpa, HvWriteGpa, HvTranslateVirtualAddress,
 *                    HvGetGpaPagesAccessStates (access and dirty bits)
 *   hc_direct.c      HvSignalEventDirect, HvPostMessageDirect
 *   hc_stats.c       HvMapStatsPage, HvUnmapStatsPage
 *   regs.c           the x64 registers beyond vp.c's
 */
#ifndef OHV_SURFACE_H
#define OHV_SURFACE_H

#include "gpa.h"
#include "internal.h"

struct vp;

/* XSAVE: x87, SSE and AVX in the compacted form (spec.md §10). */
#define OHV_XSAVE_STATES	(HV_XSAVE_STATE_X87 | HV_XSAVE_STATE_SSE | \
				 HV_XSAVE_STATE_AVX)
#define OHV_XSAVE_SIZE		(HV_XSAVE_LEGACY_SIZE + HV_XSAVE_HEADER_SIZE + \
				 HV_XSAVE_AVX_SIZE)

/* The processor clock the model reports (HV_PARTITION_PROPERTY_
 * PROCESSOR_CLOCK_FREQUENCY), in Hz. */
#define OHV_CLOCK_FREQUENCY	1000000000ull

/* Stats pages: per partition and per VP, SELF and PARENT areas. */
#define OHV_STATS_AREAS		2

/* Shared pages the parent maps (HvMapVpStatePage, HvMapStatsPage). */
struct shared_page {
	struct charge charge;		/* 1 page of `pool`'s pool          */
	struct partition *pool;		/* whose pool pays for it           */
};

/* The MSR-backed registers regs.c keeps: 16 of the first set, 16 MTRR
 * variable-range, 11 fixed-range and 8 CET registers. */
#define OHV_VPX_MSRS	51

/* A VP's state beyond vp.h's registers. */
struct vpx {
	struct shared_page state_page[2];	/* register, intercept      */
	struct shared_page stats[OHV_STATS_AREAS];
	struct hv_local_interrupt_controller_state lapic;
	uint8_t xsave[OHV_XSAVE_SIZE];		/* compacted form           */
	struct hv_synthetic_timers_state timers;
	uint8_t *sim_shadow, *sief_shadow;	/* SIM/SIEF state held while
						 * the page is not mapped   */
	/* Interrupts asserted and not yet taken by a backend. */
	uint32_t nmi_pending, init_pending, sipi_pending, extint_pending;
	uint8_t sipi_vector;
	uint64_t asserted;			/* HvAssertVirtualInterrupt  */
	uint64_t ring_empty[HV_SYNIC_SINT_COUNT]; /* NotifyPortRingEmpty   */
	uint64_t runs;				/* ohv_vp_run that stopped   */
	/* Registers of spec.md §7 beyond vp.h's (regs.c). */
	uint64_t dr[6];				/* DR0-3, DR6, DR7           */
	uint64_t xfem;				/* XCR0                      */
	uint64_t msr[OHV_VPX_MSRS];		/* MSR-backed, regs.c order  */
	uint64_t pending_interruption, interrupt_state, emulation_hints;
	uint64_t pending_event[2];
	uint64_t deliverability;
	uint64_t activity;			/* InternalActivityState     */
};

/* A CPUID result registered with HvRegisterInterceptResult. */
struct cpuid_result {
	uint32_t vp_index;
	uint32_t eax_in, ecx_in;
	bool subleaf_specific;
	uint32_t val[4], mask[4];		/* eax, ebx, ecx, edx        */
};

struct intercept {
	uint32_t type;
	uint32_t access;
	uint64_t parameter;
};

#define OHV_MAX_INTERCEPTS	64
#define OHV_MAX_CPUID_RESULTS	64

/* A partition's state beyond struct partition's (allocated on demand). */
struct pext {
	uint32_t nintercepts;
	struct intercept intercepts[OHV_MAX_INTERCEPTS];
	uint32_t ncpuid;
	struct cpuid_result cpuid[OHV_MAX_CPUID_RESULTS];
	struct shared_page stats[OHV_STATS_AREAS];
	/* GPA page access states: 2 MiB region + 1 -> struct access_bits. */
	struct idmap access;
	uint64_t cleared;			/* HvClearVirtualInterrupt   */
	bool adjustable;			/* mapped with ADJUSTABLE    */
};

/* The partition's pext, allocated on first use; NULL when the host is
 * out of memory (the caller answers NO_RESOURCES, nothing changed). */
struct pext *pext_get(struct partition *p);

/* A new VP: LAPIC, XSAVE and timers in their reset state. */
void vpx_init(struct vpx *x, uint32_t vp_index);
/* A VP goes (HvDeleteVp, finalize): its shared pages return to their
 * pools. */
void vpx_delete(struct ohv *hv, struct vp *vp);
/* Host memory of a VP's state (vp_free). */
void vpx_free(struct vpx *x);
/* A partition is finalized: its shared pages return to their pools. */
void pext_finalize(struct ohv *hv, struct partition *p);
/* Host memory (partition_free). */
void pext_free(struct partition *p);

/* Pool pages charged to the shared pages here, in all pools (the
 * invariant checker's count of in-use pages); -1 when one is broken. */
int64_t surface_charged(const struct ohv *hv);

/* Whether the root reaches machine frame `frame` although it is in a
 * pool: a shared page the root mapped (gpa.c). */
bool surface_root_shares(const struct ohv *hv, uint32_t frame);

/* A shared page: charge one page of `pool`'s pool (INSUFFICIENT_MEMORY
 * when short, nothing charged), zero it and let the root reach it. */
hv_status_t shared_map(struct ohv *hv, struct partition *pool,
		       struct shared_page *sp);
void shared_unmap(struct ohv *hv, struct shared_page *sp);
static inline bool shared_mapped(const struct shared_page *sp)
{
	return sp->pool != NULL;
}
static inline uint32_t shared_frame(const struct shared_page *sp)
{
	return sp->charge.head;
}

/* ohv_vp_run: before the run, apply what the parent wrote to the register
 * page; after a stop, refresh the register page and copy the intercept
 * message into the intercept page. */
void vpstate_before_run(struct ohv *hv, struct vp *vp);
void vpstate_after_run(struct ohv *hv, struct vp *vp,
		       const struct hv_message *msg);
/* Get/SetVpRegisters: the register page and the VP agree before and
 * after the call. */
void vpstate_sync_in(struct ohv *hv, struct vp *vp);
void vpstate_sync_out(struct ohv *hv, struct vp *vp);

/* hc_property.c: the XSAVE states and size a partition has. */
uint64_t property_xsave_states(const struct partition *t);
uint32_t property_xsave_size(const struct partition *t);

/* regs.c: the registers' reset values (vpx_init). */
void regs_reset(struct vpx *x, uint32_t vp_index);

/* regs.c: a register of spec.md §7's full set; HV_STATUS_SUCCESS,
 * INVALID_PARAMETER (a value it cannot hold, read-only), or
 * UNKNOWN_REGISTER_NAME when the name is not one of these. */
hv_status_t regs_access(struct ohv *hv, struct vp *vp, uint32_t name,
			union hv_register_value *v, bool write);

/* Access and dirty bits of one 2 MiB region of a GPA space. */
struct access_bits {
	uint64_t accessed[GPA_REGION_PAGES / 64];
	uint64_t dirty[GPA_REGION_PAGES / 64];
};

/* The bits of the region holding gpa_page (made when create), or NULL. */
struct access_bits *access_bits_get(struct partition *p, uint64_t gpa_page,
				    bool create);

/* Record a write into partition p's memory by openhv (dirty logging). */
void access_mark(struct partition *p, uint64_t gpa_page, bool write);

/* synic.c: deliver straight to a VP's SINT (spec.md §10, section 8 rules). */
hv_status_t synic_post_direct(struct ohv *hv, struct partition *p,
			      struct vp *vp, uint32_t sint,
			      const struct hv_message *m);
hv_status_t synic_signal_direct(struct ohv *hv, struct partition *p,
				struct vp *vp, uint32_t sint, uint32_t flag,
				bool *newly);

#endif /* OHV_SURFACE_H */
