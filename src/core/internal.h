/* SPDX-License-Identifier: MIT */
/*
 * openhv internals shared by every module: the instance, partitions, VPs,
 * machine frames and pools (spec.md §1).  Not installed.
 *
 * Locks: hv->lock, the instance lock, is held for a whole hypercall and by
 * every observer.  hv->rootmem_lock (the client layer's page allocator) may
 * be held while taking hv->lock, never the other way round.
 */
#ifndef OHV_INTERNAL_H
#define OHV_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openhv/openhv.h>

#include "idmap.h"

#ifndef NDEBUG
#include <stdio.h>
#include <stdlib.h>
#define OHV_ASSERT(cond)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "openhv: %s:%d: assertion '%s' failed\n", \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)
#else
#define OHV_ASSERT(cond) ((void)0)
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A frame number that names no frame: the end of a frame list. */
#define FRAME_NONE	UINT32_MAX
/* Pool owner of a frame that is in no pool. */
#define SLOT_NONE	UINT32_MAX

/* Where a machine frame is (the frame ownership invariant, spec.md §1). */
enum frame_state {
	FRAME_GPA = 0,		/* in the root's identity map (the default)  */
	FRAME_AVAILABLE = 1,	/* in a pool, available                      */
	FRAME_IN_USE = 2,	/* in a pool, charged to a hypervisor object  */
	FRAME_LEAVING = 3,	/* in a pool, taken off its free list by a
				 * withdraw that is zeroing it outside the
				 * instance lock: neither available nor in use
				 * (spec.md §2), never charged                    */
};

/*
 * Per-frame metadata.  The array is calloc'ed, so untouched frames cost no
 * memory and the all-zero value must mean "in the root's GPA space with
 * full access": owner is stored + 1 for that reason.
 */
struct frame {
	uint32_t owner1;	/* pool owner's slot + 1; 0 when in no pool.
				 * GPA frames held by exactly one child GPA
				 * entry: that partition's slot + 1 (its
				 * reverse map, gpa.c), else 0              */
	uint32_t next;		/* free-list / charge-chain link (pool frames);
				 * GPA frames: that entry's GPA page, 31:0   */
	uint8_t state;		/* enum frame_state                         */
	uint8_t root_deny;	/* MapFlags bits the root gave up on its
				 * identity map (spec.md §6)                     */
	uint8_t dep_hi;		/* pool frames: depositor's GPA page, 39:32
				 * (GPA pages are below 2^40: 52-bit GPAs);
				 * GPA frames: that entry's GPA page, 39:32 */
	uint8_t backed;		/* openhv wrote the frame, so the host has
				 * committed memory to it (pool.c, zeroing) */
	union {
		uint32_t maps;	/* GPA frames: mappings in child GPA spaces  */
		uint32_t dep_lo; /* pool frames: depositor's GPA page, 31:0 */
	};
};

_Static_assert(sizeof(struct frame) == 16, "16 bytes of metadata a frame");

/* A frame in the root's identity map with full access that no child
 * maps: the root alone reaches it, so it may deposit it (spec.md §5.1).  (A
 * child's entry that gave the frame away exists only while a child of it
 * holds the frame, so maps == 0 means no child entry at all.) */
static inline bool frame_root_own(const struct frame *f)
{
	return f->state == FRAME_GPA && !f->root_deny && !f->maps;
}

/* The GPA page a pool frame was deposited from, in its depositor's space
 * (the pool owner's parent, or the root for its own pool). */
static inline uint64_t frame_dep_gpa(const struct frame *f)
{
	return ((uint64_t)f->dep_hi << 32) | f->dep_lo;
}

_Static_assert(HV_GPA_PAGE_LIMIT <= 1ull << 40,
	       "a depositor's GPA page fits dep_hi:dep_lo");

static inline void frame_set_dep_gpa(struct frame *f, uint64_t gpa_page)
{
	f->dep_hi = (uint8_t)(gpa_page >> 32);
	f->dep_lo = (uint32_t)gpa_page;
}

/* Pages of one pool charged to one hypervisor object (spec.md §5.4). */
struct charge {
	uint32_t head;		/* first frame of the chain, FRAME_NONE      */
	uint32_t count;
};

struct pool_node {
	uint32_t head;		/* available frames of this node             */
	uint32_t leaving;	/* FRAME_LEAVING: off the list and the count */
	uint64_t available;	/* on the free list                          */
	uint64_t in_use;
};

/* A virtual processor: vp.h. */
struct vp;

/* GPA pages the seam gathers into one backend call (seam.c). */
#define OHV_SEAM_RUN_MAX	512

struct partition {
	uint64_t id;
	struct partition *parent;
	struct partition *first_child, *last_child;
	struct partition *prev_sibling, *next_sibling;
	uint64_t nchildren;
	uint32_t slot;		/* index in hv->slots; frames name pools by it */
	uint32_t depth;
	enum ohv_partition_state state;

	/* HvCreatePartition input, as stored (spec.md §4.1 "Success"). */
	uint64_t creation_flags;
	struct hv_proximity_domain_info proximity;
	uint32_t compatibility_version;
	uint64_t disabled_features[2];
	uint64_t disabled_xsave;

	/* Properties (spec.md §4.3). */
	uint64_t privileges;
	uint64_t synthetic_proc_features;
	uint64_t cpu_reserve;
	uint64_t cpu_cap;
	uint64_t cpu_weight;
	uint64_t time_freeze;
	uint64_t guest_os_id;	/* HvRegisterGuestOsId, partition-wide */
	uint64_t hypercall_msr;	/* HV_X64_MSR_HYPERCALL (guest.c)        */
	uint64_t ref_tsc_msr;	/* HV_X64_MSR_REFERENCE_TSC (guest.c)    */
	uint64_t ref_time_base;	/* CLOCK_MONOTONIC ns at creation        */
	uint64_t unimplemented_msr_action;	/* spec.md §10 properties */
	uint64_t gpa_access_tracking;
	struct pext *ext;	/* spec.md §10 state, on demand (surface.h) */

	struct charge object;	/* costs.partition, in the parent's pool     */
	struct charge init;	/* costs.initialize, in its own pool          */

	uint32_t nvps;
	struct vp **vps;	/* OHV_MAX_VPS entries while Active */

	/* A child's GPA space: 2 MiB region + 1 -> struct gpa_table (gpa.c). */
	struct idmap gpa;
	/* Scratch of gpa.c's revocation pass over one frame, valid while
	 * rm_epoch equals hv->rm_epoch. */
	uint64_t rm_epoch;
	uint32_t rm_kept;	/* its entries of the frame that stay       */
	uint32_t rm_holders;	/* its children that hold the frame          */
	uint8_t rm_held;	/* the rights it holds on the frame          */
	bool rm_counted;	/* counted in its parent's rm_holders        */
	/* Port id + 1 -> struct port; connection id + 1 -> struct connection
	 * (synic.h). */
	struct idmap ports;
	struct idmap conns;

	struct ohv_bpart *backend;	/* the backend's partition, ...      */
	bool backend_live;		/* ... from initialize to finalize   */

	uint64_t pool_available;
	uint64_t pool_in_use;
	uint64_t pool_leaving;	/* being withdrawn: still in the pool    */
	struct pool_node node[];	/* numa_nodes entries */
};

struct ohv_backend_ops;
struct ohv_bpart;
struct ohv_bvp;
struct rmap;
struct rmap_scratch;

struct ohv {
	struct ohv_config cfg;
	pthread_mutex_t lock;		/* the instance lock: lock.h only    */
	pthread_t lock_owner;		/* while held (lock_held)            */
	/* Signalled when withdrawn frames finish leaving their pool. */
	pthread_cond_t left;

	/* Reverse maps (gpa.c): frame + 1 -> the GPA entries that hold it,
	 * for frames held by two entries or more; a spare table and the
	 * revocation pass's scratch, allocated before they are needed. */
	struct idmap rmaps;
	struct rmap *rm_spare;
	struct rmap_scratch *rm_scratch;
	uint64_t rm_epoch;

	/* Machine memory: memory_pages frames in one shared mapping. */
	int memfd;
	uint8_t *mem;
	size_t mem_bytes;
	struct frame *frames;
	uint64_t pages_per_node;

	/* The secret every id index of the instance hashes with. */
	struct idmap_key idkey;

	/* Partitions. */
	struct idmap ids;		/* id -> struct partition *           */
	struct idmap shared;		/* frame + 1 -> pages the root shares
					 * (surface.h)                        */
	struct partition **slots;	/* slot -> partition, NULL when free  */
	uint32_t *slot_free;		/* stack of free slots                */
	uint32_t nslots, slot_cap, nfree;
	struct partition *root;
	uint64_t next_id;
	uint64_t live;

	uint32_t processor_vendor;

	const struct ohv_backend_ops *backend;
	void *backend_ctx;
	uint64_t next_vp_serial;	/* struct ohv_be_vp.serial (seam.c)  */
	/* GPA changes not yet told to the backend: one run of pages of one
	 * partition with one kind (seam.c; told before the lock is let go
	 * and before any other hook). */
	struct seam_gpa_run {
		struct partition *p;
		uint64_t first, n;
		unsigned rights;	/* 0: the pages reach nothing        */
		uint32_t frames[OHV_SEAM_RUN_MAX];
	} gpa_run;

	ohv_trace_fn *trace;
	void *trace_ctx;
	ohv_doorbell_fn *doorbell_fn;	/* ohv_set_doorbell_handler */
	void *doorbell_ctx;

	/* ohv_debug_withdraw_hook: tests pause a withdraw here. */
	ohv_debug_withdraw_fn *withdraw_hook;
	void *withdraw_hook_ctx;

	/* The client layer's root page allocator (src/rootmem.c). */
	pthread_mutex_t rootmem_lock;
	struct rootmem *rootmem;
};

static inline uint32_t frame_node(const struct ohv *hv, uint64_t frame)
{
	/* No division on the common single-node machine. */
	return hv->cfg.numa_nodes == 1 ? 0 : (uint32_t)(frame / hv->pages_per_node);
}

static inline struct partition *slot_partition(const struct ohv *hv,
					       uint32_t owner1)
{
	return owner1 ? hv->slots[owner1 - 1] : NULL;
}

static inline bool partition_has(const struct partition *p, uint64_t priv)
{
	return (p->privileges & priv) == priv;
}

static inline bool is_root(const struct ohv *hv, const struct partition *p)
{
	return p == hv->root;
}

static inline size_t partition_size(const struct ohv *hv)
{
	return sizeof(struct partition) +
	       hv->cfg.numa_nodes * sizeof(struct pool_node);
}

/* Nanoseconds of CLOCK_MONOTONIC. */
uint64_t ohv_now_ns(void);


#include "lock.h"

#endif /* OHV_INTERNAL_H */
