/*
 * openhv client layer — what a root or parent partition's kernel does on
 * top of the raw hypercall instruction, built only on ohv_hypercall().
 *
 * A client speaks for one VP of one partition, with an input page and an
 * output page in that partition's GPA space, as Linux uses its per-CPU
 * hypercall pages.  A client is not thread-safe: give each thread its own.
 *
 * Three levels:
 *   ohv_root_*    the root's page allocator (the embedding program acting
 *                 as the root OS), the source of pages for deposits;
 *   ohv_call_*    one typed wrapper per hypercall; rep calls are re-issued
 *                 until done, as Linux's rep loop does;
 *   ohv_client_*  the Linux mshv driver's behaviour: deposit-and-retry on
 *                 INSUFFICIENT_MEMORY, deposit before initialize, destroy as
 *                 finalize -> withdraw everything -> delete.
 * Every wrapper returns the TLFS status of the call that decided the outcome.
 */
#ifndef OPENHV_CLIENT_H
#define OPENHV_CLIENT_H

#include <openhv/openhv.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* The root's page allocator.                                              */

#define OHV_ANY_NODE	UINT32_MAX

/*
 * Take one page of the root's GPA space (accessible to the root, not in any
 * pool, not handed out before) on the given node, or on any node.
 * Returns 0, -ENOMEM when none is left, -EINVAL for a bad node.
 */
OHV_API int ohv_root_alloc(struct ohv *hv, uint32_t node, uint64_t *gpa_page);

/* Give a page back (after it was withdrawn, or never deposited). */
OHV_API void ohv_root_free(struct ohv *hv, uint64_t gpa_page);

/*
 * The same for many pages at once, as a kernel allocates and frees in
 * batches: stores up to count pages (on node, or any) and returns how many
 * it found; gives count pages back.
 */
OHV_API size_t ohv_root_alloc_many(struct ohv *hv, uint32_t node,
				   uint64_t *pages, size_t count);
OHV_API void ohv_root_free_many(struct ohv *hv, const uint64_t *pages,
				size_t count);

/* Pages the allocator can still hand out. */
OHV_API uint64_t ohv_root_free_pages(struct ohv *hv);

/* ---------------------------------------------------------------------- */
/* Clients.                                                                */

struct ohv_client;

enum ohv_client_convention {
	/* As Linux mshv: Initialize, Finalize and Delete as fast calls, the
	 * rest memory-based through the client's pages. */
	OHV_CLIENT_LINUX = 0,
	/* Every call memory-based. */
	OHV_CLIENT_MEMORY = 1,
	/* Fast (XMM-fast on x64) whenever input and output fit the
	 * registers, memory-based otherwise. */
	OHV_CLIENT_FAST = 2,
};

/*
 * A client for VP root_vp of the root partition; its input and output pages
 * come from ohv_root_alloc.  Returns 0, -EINVAL, or -ENOMEM.
 */
OHV_API int ohv_client_open(struct ohv *hv, uint32_t root_vp,
			    struct ohv_client **out);

/*
 * A client for any VP of any partition, using the given page-aligned GPAs
 * of that partition as its input and output pages.  Deposits made by such
 * a client take pages from ohv_root_alloc only when partition_id is the
 * root.  Returns 0, -EINVAL (hv or out NULL, a GPA not page-aligned, both
 * GPAs the same page, no live partition partition_id) or -ENOMEM.  Whether
 * the VP exists and the pages are reachable is the hypervisor's to say at
 * each call (INVALID_VP_INDEX, INVALID_ALIGNMENT).
 */
OHV_API int ohv_client_open_vp(struct ohv *hv, uint64_t partition_id,
			       uint32_t vp_index, uint64_t input_gpa,
			       uint64_t output_gpa, struct ohv_client **out);

/* Close a client (its root pages go back to the allocator).  NULL is ok. */
OHV_API void ohv_client_close(struct ohv_client *c);

OHV_API void ohv_client_set_convention(struct ohv_client *c,
				       enum ohv_client_convention conv);

/* The raw result value of the client's last hypercall (for a rep call, of
 * its last invocation); HV_STATUS_INVALID_PARAMETER for a NULL client. */
OHV_API uint64_t ohv_client_last_result(const struct ohv_client *c);

/* The partition this client speaks for; HV_PARTITION_ID_INVALID for NULL. */
OHV_API uint64_t ohv_client_partition(const struct ohv_client *c);

struct ohv_client_stats {
	uint64_t hypercalls;		/* ohv_hypercall invocations         */
	uint64_t pages_deposited;
	uint64_t pages_withdrawn;
	uint64_t memory_retries;	/* INSUFFICIENT_MEMORY then deposit  */
};
/* A copy of the counters (all zero for a NULL client). */
OHV_API void ohv_client_stats(const struct ohv_client *c,
			      struct ohv_client_stats *out);

/* ---------------------------------------------------------------------- */
/* One wrapper per hypercall.  Outputs are written only on SUCCESS; output  */
/* pointers may be NULL.  Each returns the hypervisor's status for the      */
/* call, or HV_STATUS_INVALID_PARAMETER (no hypercall made) for a NULL      */
/* client or a NULL list with a non-zero count.  A rep call answered with   */
/* reps completed going backwards or not moving on SUCCESS (SPEC 3.1, 3.2   */
/* forbid both) stops with HV_STATUS_OPERATION_FAILED instead of looping.   */

/* 0x0040.  in NULL asks for what Linux mshv asks (see
 * ohv_client_create_partition).  On arm64 instances the 48-byte layout is
 * sent (the x64-only XSAVE field is dropped). */
OHV_API hv_status_t ohv_call_create_partition(
	struct ohv_client *c, const struct hv_input_create_partition *in,
	uint64_t *new_id);
OHV_API hv_status_t ohv_call_initialize_partition(struct ohv_client *c,
						  uint64_t partition_id);
OHV_API hv_status_t ohv_call_finalize_partition(struct ohv_client *c,
						uint64_t partition_id);
OHV_API hv_status_t ohv_call_delete_partition(struct ohv_client *c,
					      uint64_t partition_id);
OHV_API hv_status_t ohv_call_get_partition_property(struct ohv_client *c,
						    uint64_t partition_id,
						    uint32_t code,
						    uint64_t *value);
OHV_API hv_status_t ohv_call_set_partition_property(struct ohv_client *c,
						    uint64_t partition_id,
						    uint32_t code,
						    uint64_t value);
OHV_API hv_status_t ohv_call_get_partition_id(struct ohv_client *c,
					      uint64_t *partition_id);
OHV_API hv_status_t ohv_call_get_next_child_partition(struct ohv_client *c,
						      uint64_t parent_id,
						      uint64_t previous_child,
						      uint64_t *next_child);
/*
 * 0x0048: deposit count GPA pages of the caller's space, in batches of at
 * most HV_DEPOSIT_MAX_PAGES, stopping at the first failure.  *done (may be
 * NULL) receives how many pages went in, also on failure: the first *done
 * of the list.  count 0 makes no call and is SUCCESS.
 */
OHV_API hv_status_t ohv_call_deposit_memory(struct ohv_client *c,
					    uint64_t partition_id,
					    const uint64_t *gpa_pages,
					    uint64_t count, uint64_t *done);
/*
 * 0x0049: withdraw up to count pages into gpa_pages, in batches of at most
 * HV_WITHDRAW_MAX_PAGES.  *done receives how many came back, also on
 * failure (NO_RESOURCES means the pool ran out).
 */
OHV_API hv_status_t ohv_call_withdraw_memory(
	struct ohv_client *c, uint64_t partition_id,
	struct hv_proximity_domain_info proximity, uint64_t *gpa_pages,
	uint64_t count, uint64_t *done);
OHV_API hv_status_t ohv_call_get_memory_balance(
	struct ohv_client *c, uint64_t partition_id,
	struct hv_proximity_domain_info proximity, uint64_t *available,
	uint64_t *in_use);

/* ---------------------------------------------------------------------- */
/* The Linux mshv driver's behaviour.                                      */

/* drivers/hv/mshv_root_hv_call.c: pages deposited before
 * HvInitializePartition and on a short HvMapGpaPages; hv_proc.c: before
 * each HvCreateVp.  Kept so clients behave as Linux does; the real costs
 * are in struct ohv_costs (ohv_get_config). */
#define OHV_LINUX_INIT_DEPOSIT_PAGES	208
#define OHV_LINUX_VP_DEPOSIT_PAGES	90
#define OHV_LINUX_MAP_DEPOSIT_PAGES	256

/*
 * Take pages pages from the root's allocator (on node, or OHV_ANY_NODE) and
 * deposit them into partition_id, at most HV_DEPOSIT_MAX_PAGES per call as
 * Linux does.  Pages that did not go in are freed again.  A client of a
 * non-root partition has no allocator, and node must be OHV_ANY_NODE or a
 * node of the instance: INVALID_PARAMETER.  The root's allocator running
 * dry is NO_RESOURCES; as in Linux each batch is allocated whole before it
 * is deposited, so a batch the allocator cannot fill is not deposited at
 * all (earlier batches stay in).  Otherwise the deposit's status.
 */
OHV_API hv_status_t ohv_client_deposit(struct ohv_client *c,
				       uint64_t partition_id, uint64_t pages,
				       uint32_t node);

/*
 * Withdraw up to max_pages (UINT64_MAX: everything) in batches of
 * HV_WITHDRAW_MAX_PAGES and give them back to the root's allocator (a
 * non-root client's pages are simply back in its own GPA space).
 * NO_RESOURCES from the hypervisor means the pool is empty and counts as
 * SUCCESS, as in Linux's hv_call_withdraw_memory; any other failure is
 * returned.  *withdrawn (may be NULL) receives the pages that came back.
 */
OHV_API hv_status_t ohv_client_withdraw(struct ohv_client *c,
					uint64_t partition_id,
					uint64_t max_pages,
					uint64_t *withdrawn);

/*
 * HvCreatePartition as Linux issues it; on INSUFFICIENT_MEMORY deposit one
 * page into the caller's own pool and retry.  in NULL sends Linux's request:
 * EXO_PARTITION | INTERCEPT_MESSAGE_PAGE_ENABLED (+ LAPIC_ENABLED on x64),
 * compatibility version 0x0609, no proximity preference.  Returns the
 * create's status, or the failed deposit's (NO_RESOURCES when the root's
 * allocator is dry).  A non-root client has no pages to give and returns
 * INSUFFICIENT_MEMORY as it comes.
 */
OHV_API hv_status_t ohv_client_create_partition(
	struct ohv_client *c, const struct hv_input_create_partition *in,
	uint64_t *new_id);

/*
 * Deposit OHV_LINUX_INIT_DEPOSIT_PAGES into the child, then initialize it
 * (fast in the LINUX convention), depositing one more page and retrying on
 * INSUFFICIENT_MEMORY.  On failure as many pages as this call deposited are
 * withdrawn again (the pool's balance is as before) and the child stays as
 * it was.  Returns the initialize's status, or the failed deposit's
 * (NO_RESOURCES when the allocator runs dry, INVALID_PARAMETER for a
 * non-root client, the hypervisor's for a bad target).
 */
OHV_API hv_status_t ohv_client_initialize_partition(struct ohv_client *c,
						    uint64_t partition_id);

/*
 * Destroy a child as Linux's destroy_partition does: finalize it if it is
 * Active (the state is looked up with ohv_partition_info; a finalize that
 * finds it no longer Active is fine), withdraw everything from its pool,
 * delete it.  Returns the first failing step's status: e.g.
 * INVALID_PARTITION_ID for an unknown id, ACCESS_DENIED for another's
 * child, OPERATION_DENIED from finalize when the child has children.  SELF
 * and the client's own id go straight to HvDeletePartition, so the caller's
 * own pool is never drained.
 */
OHV_API hv_status_t ohv_client_destroy_partition(struct ohv_client *c,
						 uint64_t partition_id);

/*
 * The children of parent_id (the client's own partition, or SELF) in
 * creation order, found with HvGetNextChildPartition.  Stores at most max
 * and sets *count (may be NULL) to the number of children.  A child
 * deleted by someone else during the walk makes the next step fail with
 * INVALID_PARTITION_ID (SPEC 4.6); the caller may walk again.  ids NULL
 * with max > 0 is INVALID_PARAMETER.
 */
OHV_API hv_status_t ohv_client_children(struct ohv_client *c,
					uint64_t parent_id, uint64_t *ids,
					size_t max, size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* OPENHV_CLIENT_H */
