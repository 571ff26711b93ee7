/* SPDX-License-Identifier: MIT */
/*
 * openhv — the provider side of the Hyper-V partition-management interface.
 *
 * This header is the library's contract (docs/spec.md §2).  One instance
 * (struct ohv) is one machine: its memory, its root partition and every
 * partition created under it.  Everything a partition does, it does through
 * ohv_hypercall(), exactly as guest code executes a hypercall instruction.
 *
 * Thread safety: every function taking a struct ohv may be called from any
 * number of threads at once, except ohv_close().
 *
 * NULL pointers (spec.md §2): every function given a NULL instance, call or
 * output pointer does nothing and returns its error value, named with each
 * prototype: -EINVAL for int results, 0 for counts and ids, NULL for
 * pointers, HV_STATUS_INVALID_PARAMETER for hypercalls; void functions
 * just return.  An output list may be NULL only when its size is 0.
 */
#ifndef OPENHV_OPENHV_H
#define OPENHV_OPENHV_H

#include <stddef.h>
#include <stdint.h>

#include <openhv/hv.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(OHV_BUILDING_LIBRARY) && defined(__GNUC__)
#define OHV_API __attribute__((visibility("default")))
#else
#define OHV_API
#endif

#define OHV_VERSION_MAJOR	0
#define OHV_VERSION_MINOR	1
#define OHV_VERSION_PATCH	0
#define OHV_VERSION_STRING	"0.1.0"

/* The library's version string, "MAJOR.MINOR.PATCH". */
OHV_API const char *ohv_version(void);

/* spec.md §4.3: the root holds bits 0-10, 32-40, 43, 44 and 49; a new child
 * gets the TLFS 2.0 defaults, bits 0-8 and 10. */
#define OHV_ROOT_PRIVILEGES	0x000219FF000007FFull
#define OHV_CHILD_PRIVILEGES	0x00000000000005FFull

/* spec.md §7: VP indexes run from 0 to OHV_MAX_VPS - 1. */
#define OHV_MAX_VPS		64u
/* Largest numa_nodes value (TLFS-md: proximity domains 0-63). */
#define OHV_MAX_NUMA_NODES	64u

enum ohv_arch { OHV_ARCH_X64 = 0, OHV_ARCH_ARM64 = 1 };

/*
 * What runs the partitions' VPs (spec.md §2.1).  NULL: nothing; partitions
 * exist as TLFS state and the embedding program issues each VP's
 * hypercalls itself.  KVM: each child partition is a KVM virtual machine.
 * AUTO: KVM when /dev/kvm can serve, NULL otherwise.
 */
enum ohv_backend {
	OHV_BACKEND_NULL = 0,
	OHV_BACKEND_KVM = 1,
	OHV_BACKEND_AUTO = 2,
};

/* spec.md §5.4: pool pages each hypervisor object costs, and whose pool pays. */
struct ohv_costs {
	uint32_t partition;	/* 1:  creator's pool, from create to delete   */
	uint32_t initialize;	/* 16: the partition's own pool                */
	uint32_t vp;		/* 8:  the partition's pool, per VP            */
	uint32_t port;		/* 2:  the port partition's pool               */
	uint32_t connection;	/* 1:  the connection partition's pool         */
	uint32_t gpa_table;	/* 1:  target's pool, per 2 MiB region mapped  */
};

struct ohv_config {
	enum ohv_arch arch;		/* layouts and registers; default X64    */
	uint64_t memory_pages;		/* machine frames of 4 KiB; 16384        */
	uint32_t numa_nodes;		/* equal contiguous ranges; 1            */
	uint32_t max_depth;		/* incl. the root; default 4, min 2      */
	uint64_t max_partitions;	/* live, incl. the root; 1 << 20         */
	uint32_t root_vps;		/* 1 .. OHV_MAX_VPS; default 1           */
	uint64_t root_privileges;	/* default OHV_ROOT_PRIVILEGES           */
	struct ohv_costs costs;		/* defaults of spec.md §5.4                  */
	/*
	 * Rep-call time budget (TLFS: about 50 us).  A rep call that has run
	 * this long returns SUCCESS with reps completed < rep count and the
	 * control word's rep start advanced; the caller re-issues it.  At
	 * least one element is always processed.  0 disables the budget.
	 */
	uint64_t rep_budget_ns;		/* default 50000                         */
	/*
	 * At most this many rep elements per invocation (0 = no limit); a
	 * deterministic stand-in for the time budget, useful in tests.
	 */
	uint32_t rep_limit;		/* default 0                             */
	/*
	 * 1: commit all machine memory at ohv_open, as a hypervisor owns its
	 * RAM, so no hypercall ever meets the host's first-touch page fault
	 * (in a VM, microseconds to tens of microseconds a page, enough for
	 * one page to outlast the rep budget).  Costs the open a pass over
	 * the memory and keeps it resident.  0: the OS commits pages as
	 * they are first written.
	 */
	uint32_t commit_memory;		/* default 0                             */
	enum ohv_backend backend;	/* default OHV_BACKEND_NULL              */
};

/* Fill every field with its default (cfg NULL: nothing). */
OHV_API void ohv_config_init(struct ohv_config *cfg);

struct ohv;

/*
 * Create an instance: machine memory (one shared mapping, committed lazily
 * by the OS unless cfg->commit_memory), the root partition (id 1, Active, root_vps VPs, identity GPA
 * space) and nothing else.  cfg may be NULL for the defaults.
 * Returns 0, -EINVAL for a configuration outside the ranges above or a
 * NULL out_hv, or -ENOMEM / another -errno when the host refuses memory.
 */
OHV_API int ohv_open(const struct ohv_config *cfg, struct ohv **out_hv);

/*
 * The execution backend the instance runs with: "null" or "kvm"; NULL for
 * a NULL instance.
 */
OHV_API const char *ohv_backend_name(const struct ohv *hv);

/* Destroy the instance and everything in it.  NULL is ignored. */
OHV_API void ohv_close(struct ohv *hv);

/* The configuration the instance runs with (nothing when hv or out is
 * NULL). */
OHV_API void ohv_get_config(const struct ohv *hv, struct ohv_config *out);

/* The root partition's id (always 1: ids are issued sequentially); 0
 * (HV_PARTITION_ID_INVALID) for a NULL hv. */
OHV_API uint64_t ohv_root_id(const struct ohv *hv);

/*
 * Host view of a partition's guest memory: NULL unless every byte of
 * [gpa, gpa + len) is mapped and accessible to that partition (a len of 0
 * asks about the byte at gpa).  One pointer must cover the range, so a
 * range of a child's memory whose pages are backed by frames that do not
 * follow each other gives NULL too: ask page by page.  The pointer stays
 * valid until ohv_close(); what it shows after the page is deposited or
 * unmapped is not the partition's memory any more.  NULL for a NULL hv.
 */
OHV_API void *ohv_gpa(struct ohv *hv, uint64_t partition_id, uint64_t gpa,
		      size_t len);

/*
 * One hypercall, as VP vp_index of partition partition_id executes it.
 * Architecture-neutral register image (spec.md §2):
 *   control      x64 RCX / arm64 X1: the hypercall input value; when a rep
 *                call returns before finishing, its rep start is advanced
 *   fast[0]      x64 RDX / arm64 X2: input GPA, or fast input bytes 0-7
 *   fast[1]      x64 R8  / arm64 X3: output GPA, or fast input bytes 8-15
 *   fast[2..13]  x64 XMM0..XMM5 (low, high) for XMM-fast calls
 *   fast[2..15]  arm64 X4..X17
 *   result       x64 RAX / arm64 X0: the hypercall result value
 * Returns result: status in bits 15:0, reps completed in 43:32.
 *
 * A caller partition that does not exist, is not Active, or a VP that does
 * not exist or is suspended gets INVALID_PARTITION_ID, INVALID_PARTITION_STATE,
 * INVALID_VP_INDEX or INVALID_VP_STATE and nothing is done.  A NULL hv or
 * call gets INVALID_PARAMETER.
 */
struct ohv_hvcall {
	uint64_t control;
	uint64_t fast[16];
	uint64_t result;
};
OHV_API uint64_t ohv_hypercall(struct ohv *hv, uint64_t partition_id,
			       uint32_t vp_index, struct ohv_hvcall *call);

/*
 * Run VP vp_index of child partition partition_id on the calling thread,
 * as its parent does through the hypervisor scheduler (spec.md §2.1, 11):
 * clear HvRegisterInterceptSuspend and HvRegisterExplicitSuspend, run, and
 * return when the VP stops for its parent.  Then InterceptSuspend reads 1
 * and *intercept holds the TLFS intercept message.  Guest hypercalls,
 * synthetic MSRs, Hyper-V CPUID leaves and SynIC delivery are handled
 * inside and never return.
 * Returns 0; -EINTR (ohv_vp_kick, or a signal); -EBUSY (another thread is
 * running it); -ENODEV (the null backend runs nothing); -EINVAL (hv or
 * intercept NULL, no such partition or VP, the root, or the partition is
 * not Active, also when it was finalized during the run).
 */
OHV_API int ohv_vp_run(struct ohv *hv, uint64_t partition_id,
		       uint32_t vp_index, struct hv_message *intercept);

/* Make a running ohv_vp_run of that VP return -EINTR as soon as it can
 * (or the next one, when none runs).  0, -ENODEV (null backend), -EINVAL
 * (no such VP of an Active child partition, or hv NULL). */
OHV_API int ohv_vp_kick(struct ohv *hv, uint64_t partition_id,
			uint32_t vp_index);

/* A control word (the hypercall input value, spec.md §3.1): call code, fast
 * bit, rep count and rep start (12 bits each). */
static inline uint64_t ohv_control(uint16_t code, int fast, uint32_t rep_count,
				   uint32_t rep_start)
{
	return (uint64_t)code |
	       (fast ? HV_HYPERCALL_FAST_BIT : 0) |
	       ((uint64_t)(rep_count & 0xFFF) << HV_HYPERCALL_REP_COMP_OFFSET) |
	       ((uint64_t)(rep_start & 0xFFF) << HV_HYPERCALL_REP_START_OFFSET);
}

/* The status of a result value (bits 15:0). */
static inline hv_status_t ohv_result_status(uint64_t result)
{
	return (hv_status_t)(result & HV_HYPERCALL_RESULT_MASK);
}

/* The reps completed of a result value (bits 43:32). */
static inline uint32_t ohv_result_reps(uint64_t result)
{
	return (uint32_t)((result & HV_HYPERCALL_REP_COMP_MASK) >>
			  HV_HYPERCALL_REP_COMP_OFFSET);
}

/* "HV_STATUS_INSUFFICIENT_MEMORY"; "HV_STATUS_UNKNOWN" for other values. */
OHV_API const char *ohv_status_name(hv_status_t status);

/* "HvCreatePartition" for a call code openhv knows by name, else NULL. */
OHV_API const char *ohv_call_name(uint16_t code);

/* ---------------------------------------------------------------------- */
/* Observation.  Nothing here changes the machine.                         */

enum ohv_partition_state {
	OHV_STATE_UNINITIALIZED = 1,
	OHV_STATE_ACTIVE = 2,
	OHV_STATE_FINALIZED = 3,
};

/* "Uninitialized", "Active", "Finalized". */
OHV_API const char *ohv_state_name(enum ohv_partition_state state);

struct ohv_partition_info {
	uint64_t id;
	uint64_t parent_id;		/* 0 for the root                  */
	uint32_t depth;			/* the root is 1                   */
	enum ohv_partition_state state;
	uint64_t creation_flags;
	struct hv_proximity_domain_info proximity;
	uint32_t compatibility_version;
	uint64_t privileges;
	uint64_t pool_available;	/* pages in its own pool           */
	uint64_t pool_in_use;
	uint64_t charged_pages;		/* its object's pages in the parent's pool */
	uint64_t children;
	uint32_t vps;
};

/* 0, -ENOENT when no live partition has that id, -EINVAL for a NULL hv or
 * out. */
OHV_API int ohv_partition_info(struct ohv *hv, uint64_t partition_id,
			       struct ohv_partition_info *out);

/* Pool balance of one partition on one node: 0, -ENOENT, or -EINVAL (no
 * such node, or a NULL pointer).  Pages a withdraw is taking count as
 * neither available nor in use (spec.md §2). */
OHV_API int ohv_pool_node_balance(struct ohv *hv, uint64_t partition_id,
				  uint32_t node, uint64_t *available,
				  uint64_t *in_use);

/*
 * The live partitions' ids in tree pre-order (a parent before its
 * children, siblings in creation order).  Stores at most max ids and
 * returns how many partitions are live; 0 for a NULL hv, or NULL ids with
 * max > 0 (NULL with max 0 just counts).
 */
OHV_API size_t ohv_partition_list(struct ohv *hv, uint64_t *ids, size_t max);

/* The NUMA node (proximity domain) of a machine frame, or UINT32_MAX. */
OHV_API uint32_t ohv_frame_node(const struct ohv *hv, uint64_t frame);

/*
 * Trace hook, called after every hypercall (outside the instance lock) with
 * the register image as the caller sees it on return.  input/output point at
 * the parameter blocks as copied in and out (NULL when the call was rejected
 * before they were read or produced nothing); they are valid only during the
 * callback.  One hook per instance; fn NULL removes it; a NULL hv is
 * ignored.
 */
struct ohv_trace_event {
	uint64_t partition_id;
	uint32_t vp_index;
	uint64_t control;		/* as issued                       */
	uint64_t result;
	const struct ohv_hvcall *regs;	/* after the call                  */
	const void *input;
	size_t input_len;
	const void *output;
	size_t output_len;
	uint64_t elapsed_ns;
};
typedef void ohv_trace_fn(void *ctx, const struct ohv_trace_event *ev);
OHV_API void ohv_set_trace(struct ohv *hv, ohv_trace_fn *fn, void *ctx);

/*
 * Doorbells (spec.md §10, 11.3): fn runs when a guest's write rings one of
 * its partition's doorbell connections (the GPA, the trigger size and,
 * unless the connection takes any value, the value all match): the
 * connection's partition and id.  The write completes and the guest runs
 * on.  fn runs on the guest's thread with openhv's lock held: it must not
 * call openhv, only note the ring (write an eventfd, say).  NULL removes
 * it; without a handler a ring is counted and nothing else.
 */
typedef void ohv_doorbell_fn(void *ctx, uint64_t partition_id,
			     uint32_t connection_id);
OHV_API void ohv_set_doorbell_handler(struct ohv *hv, ohv_doorbell_fn *fn,
				      void *ctx);

/*
 * SynIC interrupts of one VP (spec.md §8).  An execution backend delivers a
 * raised SINT to the guest; in the null backend the embedding program
 * reads them here and acknowledges them as the guest's interrupt handler
 * would.
 */
struct ohv_sint_state {
	uint64_t raised[HV_SYNIC_SINT_COUNT];	/* since the VP was created */
	uint32_t queued[HV_SYNIC_SINT_COUNT];	/* messages waiting for the slot */
	uint8_t vector[HV_SYNIC_SINT_COUNT];	/* SINTx bits 7:0 at the last raise */
	uint16_t pending;			/* raised, not acknowledged */
};

/* 0, -ENOENT when the partition or VP does not exist, -EINVAL for a NULL
 * hv or out. */
OHV_API int ohv_vp_sints(struct ohv *hv, uint64_t partition_id,
			 uint32_t vp_index, struct ohv_sint_state *out);

/* Acknowledge SINT sint: clears its pending bit.  Returns the bit as it
 * was (0 or 1), -ENOENT, or -EINVAL for a SINT above 15 or a NULL hv. */
OHV_API int ohv_vp_sint_ack(struct ohv *hv, uint64_t partition_id,
			    uint32_t vp_index, uint32_t sint);

/* A VP's state as its partition sees it (no hypercall, no privilege). */
struct ohv_vp_info {
	uint32_t index;
	int suspended;				/* HvRegisterExplicitSuspend */
	uint64_t scontrol, simp, siefp;
	uint64_t sint[HV_SYNIC_SINT_COUNT];
};

/* 0, -ENOENT when the partition or VP does not exist, -EINVAL for a NULL
 * hv or out. */
OHV_API int ohv_vp_info(struct ohv *hv, uint64_t partition_id,
			uint32_t vp_index, struct ohv_vp_info *out);

/*
 * Interrupts asserted to a VP with HvAssertVirtualInterrupt (spec.md §10) that
 * no backend has taken yet: fixed and lowest-priority vectors pending in
 * its LAPIC (IRR, and TMR for level-triggered ones), and counts of NMI,
 * INIT, SIPI (with the last vector) and ExtInt.
 */
struct ohv_vp_irq_state {
	uint32_t apic_id;
	uint32_t irr[8], tmr[8];		/* 256 bits each          */
	uint32_t nmi, init, sipi, extint;
	uint32_t sipi_vector;
	uint64_t asserted;			/* interrupts delivered   */
};

/* 0, -EINVAL (hv or out NULL), or -ENOENT when there is no such VP. */
OHV_API int ohv_vp_irq_state(struct ohv *hv, uint64_t partition_id,
			     uint32_t vp_index, struct ohv_vp_irq_state *out);

/* An intercept a parent installed with HvInstallIntercept (spec.md §10). */
struct ohv_intercept {
	uint32_t type;				/* HV_INTERCEPT_TYPE_*    */
	uint32_t access;			/* HV_INTERCEPT_ACCESS_MASK_* */
	uint64_t parameter;			/* port, CPUID leaf, ...  */
};

/* The partition's intercepts: stores up to max, returns how many it has
 * (0 for an unknown partition). */
OHV_API size_t ohv_intercept_list(struct ohv *hv, uint64_t partition_id,
				  struct ohv_intercept *out, size_t max);

/* A port of a partition (spec.md §8). */
struct ohv_port_state {
	uint32_t port_id;
	uint32_t type;				/* HV_PORT_TYPE_*            */
	uint64_t connection_partition;		/* who may connect           */
	uint32_t target_sint, target_vp;	/* message and event ports   */
	uint16_t base_flag, flag_count;		/* event ports               */
	uint64_t monitor_address;		/* monitor ports             */
	int connected;				/* a connection leads to it  */
	uint32_t connection_id;			/* that connection's id      */
	uint32_t queued;			/* messages in its buffers   */
	uint64_t post_count;			/* HvPortPropertyPostCount   */
	uint32_t preferred_vp;			/* PreferredTargetVp         */
};

/* A connection of a partition (spec.md §8). */
struct ohv_connection_state {
	uint32_t connection_id;
	uint32_t type;
	int port_alive;				/* 0 once the port is gone   */
	uint64_t port_partition;		/* valid while port_alive    */
	uint32_t port_id;
};

/*
 * The ports (connections) of a partition by ascending id: stores at most
 * max and returns how many it has (0 for an unknown partition, a NULL hv,
 * or a NULL out with max > 0).
 */
OHV_API size_t ohv_port_list(struct ohv *hv, uint64_t partition_id,
			     struct ohv_port_state *out, size_t max);
OHV_API size_t ohv_connection_list(struct ohv *hv, uint64_t partition_id,
				   struct ohv_connection_state *out,
				   size_t max);

/* ---------------------------------------------------------------------- */
/* Debugging.                                                              */

/*
 * Verify spec.md §1's invariants: every frame in exactly one place (a
 * GPA space or one pool), pool accounting per partition and node, charges
 * and free lists consistent, the partition tree and id index consistent.
 * Returns 0, or -1 with a description of the first violation in why (when
 * why is not NULL), or -EINVAL for a NULL hv.  Cost is linear in
 * memory_pages plus partitions plus mappings.
 */
OHV_API int ohv_debug_check(struct ohv *hv, char *why, size_t why_len);

/*
 * Allocation-failure injection, for tests: from this call on, the nth host
 * allocation made by the library (counted process-wide) fails, as if the
 * host were out of memory; 0 turns injection off.  Every hypercall meeting
 * such a failure returns HV_STATUS_NO_RESOURCES and changes nothing.
 */
OHV_API void ohv_debug_fail_alloc(uint64_t nth);

/*
 * For tests of the backend seam: ohv_open with the execution backend ops
 * (struct ohv_backend_ops of src/backend/backend.h, not installed) instead
 * of cfg->backend's; arg goes to its open hook.  Returns as ohv_open, or
 * -EINVAL when ops is NULL or unnamed.
 */
struct ohv_backend_ops;
OHV_API int ohv_debug_open_backend(const struct ohv_config *cfg,
				   const struct ohv_backend_ops *ops,
				   void *arg, struct ohv **out_hv);

/* Host allocations the library made since the last ohv_debug_fail_alloc. */
OHV_API uint64_t ohv_debug_alloc_count(void);

/*
 * For tests: a pause in the middle of HvWithdrawMemory.  Each round of a
 * withdraw takes its frames off the pool, releases the instance lock, then
 * calls fn(ctx, partition_id, frames) on the withdrawing thread before it
 * zeroes them.  Whatever runs meanwhile (other threads' hypercalls, or
 * fn's own) meets the pool as it is at that moment: those frames are
 * neither available nor in use, and nobody may charge them.  One hook per
 * instance; fn NULL removes it; a NULL hv is ignored.
 */
typedef void ohv_debug_withdraw_fn(void *ctx, uint64_t partition_id,
				   uint32_t frames);
OHV_API void ohv_debug_withdraw_hook(struct ohv *hv,
				     ohv_debug_withdraw_fn *fn, void *ctx);

#ifdef __cplusplus
}
#endif

/* The hypercall table (codes, layouts, privileges), read-only. */
#include <openhv/calls.h>

#endif /* OPENHV_OPENHV_H */
