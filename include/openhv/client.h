/*
 * openhv client layer — what a root or parent partition's kernel does on
 * top of the raw hypercall instruction, built only on ohv_hypercall().
 *
 * A client speaks for one VP of one partition, with an input page and an
 * output page in that partition's GPA space, as Linux uses its per-CPU
 * hypercall pages.  A client is not thread-safe: give each thread its own.
 *
 * A NULL instance, client or output pointer is never dereferenced: the
 * call returns its error value (below), as openhv.h says.
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
 * Returns 0, -ENOMEM when none is left, -EINVAL for a bad node or a NULL
 * hv or gpa_page.
 */
OHV_API int ohv_root_alloc(struct ohv *hv, uint32_t node, uint64_t *gpa_page);

/* Give a page back (after it was withdrawn, or never deposited).  A NULL
 * hv is ignored. */
OHV_API void ohv_root_free(struct ohv *hv, uint64_t gpa_page);

/*
 * The same for many pages at once, as a kernel allocates and frees in
 * batches: stores up to count pages (on node, or any) and returns how many
 * it found (0 for a NULL hv or pages); gives count pages back (nothing for
 * a NULL hv or pages).
 */
OHV_API size_t ohv_root_alloc_many(struct ohv *hv, uint32_t node,
				   uint64_t *pages, size_t count);
OHV_API void ohv_root_free_many(struct ohv *hv, const uint64_t *pages,
				size_t count);

/* Pages the allocator can still hand out (0 for a NULL hv). */
OHV_API uint64_t ohv_root_free_pages(struct ohv *hv);

/* ---------------------------------------------------------------------- */
/* Clients.                                                                */

struct ohv_client;

enum ohv_client_convention {
	/* As Linux mshv: Initialize, Finalize and Delete partition, DeleteVp,
	 * DeletePort, DisconnectPort and SignalEvent as fast calls, the rest
	 * memory-based through the client's pages. */
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
 * a client take pages from ohv_root_alloc when partition_id is the root,
 * else from the page source it is given (ohv_client_set_page_source).  Returns 0, -EINVAL (hv or out NULL, a GPA not page-aligned, both
 * GPAs the same page, no live partition partition_id) or -ENOMEM.  Whether
 * the VP exists and the pages are reachable is the hypervisor's to say at
 * each call (INVALID_VP_INDEX, INVALID_ALIGNMENT).
 */
OHV_API int ohv_client_open_vp(struct ohv *hv, uint64_t partition_id,
			       uint32_t vp_index, uint64_t input_gpa,
			       uint64_t output_gpa, struct ohv_client **out);

/* Close a client (its root pages go back to the allocator).  NULL is ok. */
OHV_API void ohv_client_close(struct ohv_client *c);

/* How the client issues its calls from now on (OHV_CLIENT_LINUX when
 * opened).  A NULL client or a value not in the enum changes nothing. */
OHV_API void ohv_client_set_convention(struct ohv_client *c,
				       enum ohv_client_convention conv);

/* The raw result value of the client's last hypercall (for a rep call, of
 * its last invocation); HV_STATUS_INVALID_PARAMETER for a NULL client. */
OHV_API uint64_t ohv_client_last_result(const struct ohv_client *c);

/* The instance a client calls (NULL for a NULL client). */
OHV_API struct ohv *ohv_client_hv(const struct ohv_client *c);

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

/*
 * Where a client's deposits take their pages and its withdrawals put them
 * back (ohv_client_deposit, ohv_client_withdraw and the calls that deposit
 * on INSUFFICIENT_MEMORY).  By default a root client uses the root's page
 * allocator (ohv_root_*, the pages of its own VP first) and any other
 * client has no source: its deposits answer INVALID_PARAMETER and the pages
 * it withdraws simply stay in its GPA space.
 *
 * alloc stores up to count page numbers of the client's partition's GPA
 * space (of NUMA node `node`, or any node for OHV_ANY_NODE) in pages and
 * returns how many it stored; fewer than count means the source ran dry
 * (the client then answers NO_RESOURCES).  free takes back pages alloc
 * gave that did not go into a pool, and pages withdrawn from one.  Both run
 * on the thread calling the client, never under openhv's lock, and may
 * call any openhv function except on this client.
 */
typedef size_t ohv_page_alloc_fn(void *ctx, uint32_t node, uint64_t *pages,
				 size_t count);
typedef void ohv_page_free_fn(void *ctx, const uint64_t *pages, size_t count);

/*
 * Give the client a page source: alloc and free with their ctx, or both
 * NULL for the default above.  Returns 0, or -EINVAL for a NULL client or
 * only one of alloc and free.
 */
OHV_API int ohv_client_set_page_source(struct ohv_client *c,
				       ohv_page_alloc_fn *alloc_fn,
				       ohv_page_free_fn *free_fn, void *ctx);

/* ---------------------------------------------------------------------- */
/* One wrapper per hypercall.  Outputs are written only on SUCCESS; output  */
/* pointers may be NULL.  Each returns the hypervisor's status for the      */
/* call, or HV_STATUS_INVALID_PARAMETER (no hypercall made) for a NULL      */
/* client or a NULL list with a non-zero count.  A rep call answered with   */
/* reps completed going backwards or not moving on SUCCESS (SPEC 3.1, 3.2   */
/* forbid both) stops with HV_STATUS_OPERATION_FAILED instead of looping.   */

/*
 * 0x0040.  in NULL asks for what Linux mshv asks (see
 * ohv_client_create_partition).  On arm64 instances the 48-byte layout is
 * sent (the x64-only XSAVE field is dropped).  *new_id receives the new
 * child's id.  Statuses: ACCESS_DENIED (no CreatePartitions),
 * INVALID_PARAMETER (flags, proximity, isolation), PARTITION_TOO_DEEP,
 * NO_RESOURCES (max_partitions live, or the host refuses),
 * INSUFFICIENT_MEMORY (the caller's pool short of costs.partition).
 */
OHV_API hv_status_t ohv_call_create_partition(
	struct ohv_client *c, const struct hv_input_create_partition *in,
	uint64_t *new_id);
/* 0x0041 (fast in the LINUX convention): ACCESS_DENIED (not a child),
 * INVALID_PARTITION_ID, INVALID_PARTITION_STATE (not Uninitialized),
 * INSUFFICIENT_MEMORY (its pool short of costs.initialize), NO_RESOURCES. */
OHV_API hv_status_t ohv_call_initialize_partition(struct ohv_client *c,
						  uint64_t partition_id);
/* 0x0042 (fast in the LINUX convention): ACCESS_DENIED,
 * INVALID_PARTITION_ID, INVALID_PARTITION_STATE (not Active),
 * OPERATION_DENIED (it has children). */
OHV_API hv_status_t ohv_call_finalize_partition(struct ohv_client *c,
						uint64_t partition_id);
/* 0x0043 (fast in the LINUX convention): INVALID_PARTITION_ID,
 * ACCESS_DENIED, INVALID_PARTITION_STATE (Active), OPERATION_DENIED (its
 * pool is not empty). */
OHV_API hv_status_t ohv_call_delete_partition(struct ohv_client *c,
					      uint64_t partition_id);
/*
 * 0x0044 / 0x0045 (HV_PARTITION_PROPERTY_*), on a child or by the root on
 * itself: INVALID_PARTITION_ID, ACCESS_DENIED, UNKNOWN_PROPERTY,
 * INVALID_PARTITION_STATE (the property cannot be read or set in this
 * state), and for set PROPERTY_VALUE_OUT_OF_RANGE (outside its range,
 * read-only, or privileges the caller does not hold).
 */
OHV_API hv_status_t ohv_call_get_partition_property(struct ohv_client *c,
						    uint64_t partition_id,
						    uint32_t code,
						    uint64_t *value);
OHV_API hv_status_t ohv_call_set_partition_property(struct ohv_client *c,
						    uint64_t partition_id,
						    uint32_t code,
						    uint64_t value);
/* 0x0046: the caller's own id; ACCESS_DENIED without AccessPartitionId. */
OHV_API hv_status_t ohv_call_get_partition_id(struct ohv_client *c,
					      uint64_t *partition_id);
/*
 * 0x0047: the child of parent_id created after previous_child (0: the
 * first), 0 after the last.  ACCESS_DENIED (parent_id is not the caller),
 * INVALID_PARTITION_ID (unknown parent_id, or previous_child not its
 * child).
 */
OHV_API hv_status_t ohv_call_get_next_child_partition(struct ohv_client *c,
						      uint64_t parent_id,
						      uint64_t previous_child,
						      uint64_t *next_child);
/*
 * 0x0048: deposit count GPA pages of the caller's space, in batches of at
 * most HV_DEPOSIT_MAX_PAGES, stopping at the first failure.  *done (may be
 * NULL) receives how many pages went in, also on failure: the first *done
 * of the list.  count 0 makes no call and is SUCCESS.  Statuses:
 * INVALID_PARTITION_ID, ACCESS_DENIED (neither a child nor the root on
 * itself, or no AccessMemoryPool), INVALID_PARTITION_STATE (Finalized),
 * OPERATION_DENIED (a page the caller cannot give: unmapped, deposited
 * already or twice in the list, reachable by another partition).
 */
OHV_API hv_status_t ohv_call_deposit_memory(struct ohv_client *c,
					    uint64_t partition_id,
					    const uint64_t *gpa_pages,
					    uint64_t count, uint64_t *done);
/*
 * 0x0049: withdraw up to count pages into gpa_pages, in batches of at most
 * HV_WITHDRAW_MAX_PAGES.  *done receives how many came back, also on
 * failure.  Statuses: INVALID_PARTITION_ID, ACCESS_DENIED,
 * INVALID_PARAMETER (proximity), NO_RESOURCES (the pool ran out).
 */
OHV_API hv_status_t ohv_call_withdraw_memory(
	struct ohv_client *c, uint64_t partition_id,
	struct hv_proximity_domain_info proximity, uint64_t *gpa_pages,
	uint64_t count, uint64_t *done);
/* 0x004A: the pool's available and in-use pages (on one node when the
 * proximity is Valid).  INVALID_PARTITION_ID, ACCESS_DENIED,
 * INVALID_PARAMETER (proximity). */
OHV_API hv_status_t ohv_call_get_memory_balance(
	struct ohv_client *c, uint64_t partition_id,
	struct hv_proximity_domain_info proximity, uint64_t *available,
	uint64_t *in_use);

/*
 * Batch sizes of Linux's rep loops (drivers/hv/mshv_root_hv_call.c,
 * mshv_common.c): as many elements as one 4 KiB input or output page holds.
 * The wrappers below split longer lists into batches of these sizes and
 * issue each batch to completion before the next.
 */
#define OHV_LINUX_MAP_BATCH		HV_MAP_GPA_BATCH_SIZE	/* 509 */
#define OHV_LINUX_UNMAP_BATCH		512
#define OHV_LINUX_GET_REGS_BATCH	256
#define OHV_LINUX_SET_REGS_BATCH	127

/*
 * 0x004B: map count pages of the caller's GPA space (src_pages, page
 * numbers) at target GPA pages gpa_base, gpa_base + 1, ... (gpa_base is a
 * page number) with flags (HV_MAP_GPA_*), in batches of at most
 * OHV_LINUX_MAP_BATCH.  Stops at the first failure; *done (may be NULL)
 * receives how many pages were mapped, also on failure: the first *done of
 * the list.  Statuses as the hypervisor gives them: INVALID_PARTITION_ID,
 * ACCESS_DENIED, INVALID_PARTITION_STATE, INVALID_PARAMETER (flags, GPA
 * beyond 52 bits), OPERATION_DENIED (a source page the caller cannot
 * reach), OBJECT_IN_USE, INSUFFICIENT_MEMORY (target's pool short for a
 * GPA table), NO_RESOURCES.  count 0 makes no call and is SUCCESS.
 */
OHV_API hv_status_t ohv_call_map_gpa_pages(struct ohv_client *c,
					   uint64_t target, uint64_t gpa_base,
					   uint32_t flags,
					   const uint64_t *src_pages,
					   uint64_t count, uint64_t *done);

/*
 * 0x004C (modern 24-byte header, no unmap flags): unmap count target pages
 * from gpa_base on, in batches of at most OHV_LINUX_UNMAP_BATCH.  Unmapping
 * an unmapped page succeeds.  *done as for map.  Statuses:
 * INVALID_PARTITION_ID, ACCESS_DENIED, INVALID_PARTITION_STATE,
 * INVALID_PARAMETER, OBJECT_IN_USE (a page the child deposited).
 */
OHV_API hv_status_t ohv_call_unmap_gpa_pages(struct ohv_client *c,
					     uint64_t target,
					     uint64_t gpa_base, uint64_t count,
					     uint64_t *done);

/*
 * 0x004E (modern 40-byte layout, SubnodeType and Flags 0): create VP
 * vp_index of partition, explicitly suspended.  Statuses:
 * INVALID_PARTITION_ID, ACCESS_DENIED, INVALID_PARTITION_STATE,
 * INVALID_PARAMETER (proximity), INVALID_VP_INDEX (in use or >=
 * OHV_MAX_VPS), INSUFFICIENT_MEMORY (partition's pool), NO_RESOURCES.
 */
OHV_API hv_status_t ohv_call_create_vp(struct ohv_client *c,
				       uint64_t partition, uint32_t vp_index,
				       struct hv_proximity_domain_info proximity);

/* 0x004F (fast in the LINUX convention): INVALID_PARTITION_ID,
 * ACCESS_DENIED, INVALID_PARTITION_STATE, INVALID_VP_INDEX. */
OHV_API hv_status_t ohv_call_delete_vp(struct ohv_client *c,
				       uint64_t partition, uint32_t vp_index);

/*
 * 0x0050: read count registers of VP vp of partition (InputVtl 0), in
 * batches of at most OHV_LINUX_GET_REGS_BATCH.  values[i] receives the value
 * of names[i] for i < *done, also on failure (*done may be NULL).
 * partition may be HV_PARTITION_ID_SELF and vp HV_VP_INDEX_SELF for the
 * caller's own registers (needs AccessVpRegisters).  Statuses:
 * INVALID_PARTITION_ID, ACCESS_DENIED, INVALID_PARTITION_STATE,
 * INVALID_VP_INDEX, INVALID_PARAMETER (unknown name; *done is its index).
 */
OHV_API hv_status_t ohv_call_get_vp_registers(struct ohv_client *c,
					      uint64_t partition, uint32_t vp,
					      const uint32_t *names,
					      union hv_register_value *values,
					      uint64_t count, uint64_t *done);

/*
 * 0x0051: write count registers, in batches of at most
 * OHV_LINUX_SET_REGS_BATCH, in list order; the reserved fields of each
 * element are sent as given.  *done and statuses as for get, plus
 * INVALID_PARAMETER for a read-only register or a value it cannot hold.
 */
OHV_API hv_status_t ohv_call_set_vp_registers(
	struct ohv_client *c, uint64_t partition, uint32_t vp,
	const struct hv_register_assoc *regs, uint64_t count, uint64_t *done);

/* One 64-bit register (the low 8 bytes of its value).  *value is written
 * only on SUCCESS and may be NULL.  Statuses as above:
 * INVALID_PARTITION_ID, ACCESS_DENIED, INVALID_PARTITION_STATE,
 * INVALID_VP_INDEX, INVALID_PARAMETER. */
OHV_API hv_status_t ohv_call_get_vp_register(struct ohv_client *c,
					     uint64_t partition, uint32_t vp,
					     uint32_t name, uint64_t *value);
OHV_API hv_status_t ohv_call_set_vp_register(struct ohv_client *c,
					     uint64_t partition, uint32_t vp,
					     uint32_t name, uint64_t value);

/*
 * 0x0095 HvCallCreatePort (modern, 56 bytes) and 0x0057 HvCreatePort
 * (classic TLFS 2.0, 48 bytes), in as given.  Statuses: ACCESS_DENIED (no
 * CreatePort, or PortPartition neither the caller nor its child),
 * INVALID_PARTITION_ID (unknown partitions, or both the same),
 * INVALID_PARTITION_STATE, INVALID_PARAMETER (VTL fields, proximity, SINT,
 * type, flag range), INVALID_PORT_ID (id in use or bits 31:24 set),
 * INVALID_VP_INDEX, INVALID_ALIGNMENT (monitor page), INSUFFICIENT_MEMORY
 * (PortPartition's pool), NO_RESOURCES.  in NULL is INVALID_PARAMETER.
 */
OHV_API hv_status_t ohv_call_create_port(struct ohv_client *c,
					 const struct hv_input_create_port *in);
OHV_API hv_status_t ohv_call_create_port_classic(
	struct ohv_client *c, const struct hv_input_create_port_classic *in);

/*
 * 0x0096 HvCallConnectPort (modern, 72 bytes) and 0x0059 HvConnectPort
 * (classic, 48 bytes), in as given.  Statuses: ACCESS_DENIED (no
 * ConnectPort, or ConnectionPartition neither the caller nor its child),
 * INVALID_PARTITION_ID (unknown, or not the ConnectionPartition the port
 * names), INVALID_PARTITION_STATE, INVALID_PARAMETER, INVALID_CONNECTION_ID,
 * INVALID_PORT_ID (no such port, or already connected), INVALID_ALIGNMENT,
 * INSUFFICIENT_MEMORY (ConnectionPartition's pool), NO_RESOURCES.
 */
OHV_API hv_status_t ohv_call_connect_port(struct ohv_client *c,
					  const struct hv_input_connect_port *in);
OHV_API hv_status_t ohv_call_connect_port_classic(
	struct ohv_client *c, const struct hv_input_connect_port_classic *in);

/* 0x0058 (fast in the LINUX convention, seed 004): ACCESS_DENIED,
 * INVALID_PARTITION_ID, INVALID_PARTITION_STATE, INVALID_PORT_ID. */
OHV_API hv_status_t ohv_call_delete_port(struct ohv_client *c,
					 uint64_t port_partition,
					 uint32_t port_id);

/* 0x005B (fast in the LINUX convention; IsDoorbell 0): ACCESS_DENIED,
 * INVALID_PARTITION_ID, INVALID_PARTITION_STATE, INVALID_CONNECTION_ID. */
OHV_API hv_status_t ohv_call_disconnect_port(struct ohv_client *c,
					     uint64_t connection_partition,
					     uint32_t connection_id);

/*
 * 0x005A / 0x0070 (HV_PORT_PROPERTY_*).  Set writes the value the property
 * had before to *previous (may be NULL).  Statuses: ACCESS_DENIED,
 * INVALID_PARTITION_ID, INVALID_PARTITION_STATE, INVALID_PORT_ID,
 * UNKNOWN_PROPERTY, and for set PROPERTY_VALUE_OUT_OF_RANGE.
 */
OHV_API hv_status_t ohv_call_get_port_property(struct ohv_client *c,
					       uint64_t port_partition,
					       uint32_t port_id, uint32_t code,
					       uint64_t *value);
OHV_API hv_status_t ohv_call_set_port_property(struct ohv_client *c,
					       uint64_t port_partition,
					       uint32_t port_id, uint32_t code,
					       uint64_t value,
					       uint64_t *previous);

/*
 * 0x005C, issued by the connection's partition (a client opened with
 * ohv_client_open_vp for it): post payload_size bytes of payload as a
 * message of message_type.  A payload_size above 240 is sent as it is (with
 * the first 240 bytes) so that the hypervisor answers INVALID_PARAMETER;
 * payload NULL with a non-zero size is INVALID_PARAMETER without a call.
 * Statuses: ACCESS_DENIED (no PostMessages), INVALID_CONNECTION_ID,
 * INVALID_PORT_ID, INVALID_PARAMETER, INVALID_VP_INDEX,
 * INVALID_SYNIC_STATE, INSUFFICIENT_BUFFERS.
 */
OHV_API hv_status_t ohv_call_post_message(struct ohv_client *c,
					  uint32_t connection_id,
					  uint32_t message_type,
					  const void *payload,
					  uint32_t payload_size);

/* 0x005D (fast in the LINUX convention): ACCESS_DENIED (no SignalEvents),
 * INVALID_CONNECTION_ID, INVALID_PORT_ID, INVALID_PARAMETER (flag number),
 * INVALID_VP_INDEX, INVALID_SYNIC_STATE. */
OHV_API hv_status_t ohv_call_signal_event(struct ohv_client *c,
					  uint32_t connection_id,
					  uint16_t flag_number);

/* ---------------------------------------------------------------------- */
/* The Linux mshv driver's behaviour.                                      */

/* drivers/hv/mshv_root_hv_call.c: pages deposited before
 * HvInitializePartition and on a short HvMapGpaPages; hv_proc.c: before
 * each HvCreateVp.  Kept so clients behave as Linux does.  What objects
 * cost in openhv is struct ohv_costs (ohv_get_config): openhv's own model
 * (SPEC 5.4), not figures measured on Hyper-V. */
#define OHV_LINUX_INIT_DEPOSIT_PAGES	208
#define OHV_LINUX_VP_DEPOSIT_PAGES	90
#define OHV_LINUX_MAP_DEPOSIT_PAGES	256

/*
 * Take pages pages from the client's page source (on node, or
 * OHV_ANY_NODE) and deposit them into partition_id, at most
 * HV_DEPOSIT_MAX_PAGES per call as Linux does.  Pages that did not go in
 * are freed again.  A client without a page source, or a node that is
 * neither OHV_ANY_NODE nor a node of the instance: INVALID_PARAMETER.  The
 * source running dry is NO_RESOURCES; as in Linux each batch is allocated
 * whole before it is deposited, so a batch the source cannot fill is not
 * deposited at all (earlier batches stay in).  Otherwise the deposit's
 * status.
 */
OHV_API hv_status_t ohv_client_deposit(struct ohv_client *c,
				       uint64_t partition_id, uint64_t pages,
				       uint32_t node);

/*
 * Withdraw up to max_pages (UINT64_MAX: everything) in batches of
 * HV_WITHDRAW_MAX_PAGES and give them back to the client's page source
 * (without one, the pages are simply back in the caller's GPA space).
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
 * create's status, or the failed deposit's (NO_RESOURCES when the page
 * source is dry).  Only the root may fund its own pool, so a non-root
 * client returns INSUFFICIENT_MEMORY as it comes.
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
 * (NO_RESOURCES when the page source runs dry, INVALID_PARAMETER for a
 * client without one, the hypervisor's for a bad target).
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

/*
 * HvMapGpaPages as Linux's hv_do_map_gpa_hcall issues it: batches of
 * OHV_LINUX_MAP_BATCH; on INSUFFICIENT_MEMORY deposit
 * OHV_LINUX_MAP_DEPOSIT_PAGES into the target and retry the rest of the
 * list from the first page not yet mapped.  On any other failure (the
 * map's, or a failed deposit's) the pages this call mapped are unmapped
 * again.  *done (may be NULL): count on SUCCESS; on failure the pages
 * still mapped, 0 unless the clean-up unmap failed too.  Pages deposited
 * stay in the target's pool, as in Linux (destroy takes them back).
 * Returns the map's status, or the failed deposit's: NO_RESOURCES when the
 * page source is dry, INVALID_PARAMETER for a client without one.
 */
OHV_API hv_status_t ohv_client_map_gpa_pages(struct ohv_client *c,
					     uint64_t target,
					     uint64_t gpa_base, uint32_t flags,
					     const uint64_t *src_pages,
					     uint64_t count, uint64_t *done);

/*
 * HvCreateVp as Linux's hv_call_create_vp: unless partition is the caller
 * itself (SELF or its own id: "root VPs"), first deposit
 * OHV_LINUX_VP_DEPOSIT_PAGES into it (pages of any node: the VP's charge
 * prefers its node among them); then create, depositing one more page and
 * retrying on INSUFFICIENT_MEMORY.  Deposited pages stay in the pool, also
 * when the create fails, as in Linux.  Returns the create's status or the
 * failed deposit's (NO_RESOURCES when the page source is dry,
 * INVALID_PARAMETER for a client without one, the hypervisor's for a bad
 * target, e.g. INVALID_PARTITION_ID or ACCESS_DENIED).
 */
OHV_API hv_status_t ohv_client_create_vp(struct ohv_client *c,
					 uint64_t partition,
					 uint32_t vp_index,
					 struct hv_proximity_domain_info proximity);

/*
 * HvCallCreatePort / HvCallConnectPort as Linux's hv_call_create_port and
 * hv_call_connect_port: on INSUFFICIENT_MEMORY deposit one page into the
 * port's partition (create) or the connection's partition (connect) and
 * retry.  Returns the call's status or the failed deposit's (NO_RESOURCES,
 * INVALID_PARAMETER for a client without a page source or in NULL).
 */
OHV_API hv_status_t ohv_client_create_port(struct ohv_client *c,
					   const struct hv_input_create_port *in);
OHV_API hv_status_t ohv_client_connect_port(
	struct ohv_client *c, const struct hv_input_connect_port *in);

/* ---------------------------------------------------------------------- */
/* The guest side of SynIC messages in the null backend.                   */

/*
 * A receiver finds its messages in its own memory, in the SIM page its VP
 * named in HvRegisterSimp (SPEC 8).  This is the host pointer to slot sint
 * (0-15) of that page in the client's partition: simp is the SIMP value
 * (bits 63:12 the GPA page; the low bits, enable included, are ignored) or
 * the page's GPA.  NULL for a NULL client, a sint above 15, or a page the
 * partition cannot reach; the pointer follows ohv_gpa's rules.  The
 * receiver then does what a guest does: reads the message, acknowledges
 * the interrupt (ohv_vp_sint_ack), sets message_type to
 * HV_MESSAGE_TYPE_NONE and writes HV_REGISTER_EOM when message_flags has
 * HV_MESSAGE_FLAG_PENDING (writing it always is harmless).  No hypercall.
 */
OHV_API struct hv_message *ohv_client_sim_slot(struct ohv_client *c,
					       uint64_t simp, uint32_t sint);

/* ---------------------------------------------------------------------- */
/* Any call, and the Linux root's sequences of SPEC 10 (linux_seq.c).      */

/*
 * One memory-based call through the client's pages with the given control
 * word (its fast bit is cleared; rep and variable-header fields are sent
 * as given): in (in_len bytes) in the input page, out_len bytes of the
 * output page copied to out on SUCCESS.  Returns the result value;
 * HV_STATUS_INVALID_PARAMETER (no call) for a NULL client, a block over a
 * page or a NULL buffer with a length.
 */
OHV_API uint64_t ohv_client_hvcall(struct ohv_client *c, uint64_t control,
				   const void *in, size_t in_len, void *out,
				   size_t out_len);

/*
 * MSHV_CREATE_VP as Linux does it: ohv_client_create_vp (90 pages, then
 * HvCreateVp), then HvMapVpStatePage for the intercept message page and
 * the register page, each retried after a one-page deposit into the
 * partition on INSUFFICIENT_MEMORY.  *regs_page and *intercept_page (may
 * be NULL) get the pages' numbers in the root's space (ohv_gpa reads
 * them).  The status of the step that failed; a VP created before a
 * failed map stays (Linux deletes it: so does this call).
 */
OHV_API hv_status_t ohv_linux_create_vp(struct ohv_client *c,
					uint64_t partition, uint32_t vp_index,
					uint64_t *regs_page,
					uint64_t *intercept_page);

/* The state pages go (before finalize, as Linux's destroy does): the
 * status of HvUnmapVpStatePage (SUCCESS, INVALID_PARTITION_ID,
 * ACCESS_DENIED, INVALID_VP_INDEX ...); INVALID_PARAMETER for a NULL
 * client. */
OHV_API hv_status_t ohv_linux_unmap_vp_state(struct ohv_client *c,
					     uint64_t partition,
					     uint32_t vp_index);

/*
 * MSHV_SET_GUEST_MEMORY: map count root pages src_pages[] at gpa_base of
 * target with READABLE | ADJUSTABLE (+ WRITABLE, EXECUTABLE as asked),
 * depositing 256 pages and retrying on INSUFFICIENT_MEMORY.  large: with
 * LARGE_PAGE, count a multiple of 512, src_pages every page (each 512-page
 * run from a 2 MiB-aligned page), gpa_base 2 MiB-aligned; one element per
 * 2 MiB.  On failure what this call mapped is unmapped again.
 */
OHV_API hv_status_t ohv_linux_map_memory(struct ohv_client *c,
					 uint64_t target, uint64_t gpa_base,
					 const uint64_t *src_pages,
					 uint64_t count, int writable,
					 int executable, int large);
/* Its unmap: count pages (a multiple of 512 when large).  The status of
 * HvUnmapGpaPages (SUCCESS, INVALID_PARTITION_ID, ACCESS_DENIED,
 * INVALID_PARTITION_STATE, INVALID_PARAMETER). */
OHV_API hv_status_t ohv_linux_unmap_memory(struct ohv_client *c,
					   uint64_t target, uint64_t gpa_base,
					   uint64_t count, int large);

/* MSHV_RUN_VP on the hypervisor scheduler: HvSetVpRegisters of
 * InterceptSuspend = 0 then ExplicitSuspend = 0.  The status of that call
 * (SUCCESS, INVALID_PARTITION_ID, ACCESS_DENIED, INVALID_PARTITION_STATE,
 * INVALID_VP_INDEX); INVALID_PARAMETER for a NULL client. */
OHV_API hv_status_t ohv_linux_resume_vp(struct ohv_client *c,
					uint64_t partition, uint32_t vp_index);

/*
 * MSHV_IOEVENTFD: a doorbell port in the root (SINT 5, any VP) for
 * partition, connected from it: gpa, value and flags
 * (HV_DOORBELL_FLAG_*).  port_id names both the port and the connection.
 * The status of the create or connect that decided (SUCCESS,
 * INVALID_PARTITION_ID, INVALID_PORT_ID, INVALID_CONNECTION_ID,
 * INVALID_PARAMETER, INSUFFICIENT_MEMORY when a deposit could not help);
 * unregister: of HvDisconnectPort, then HvDeletePort.
 */
OHV_API hv_status_t ohv_linux_register_doorbell(struct ohv_client *c,
						uint64_t partition,
						uint32_t port_id, uint64_t gpa,
						uint64_t value, uint32_t flags);
OHV_API hv_status_t ohv_linux_unregister_doorbell(struct ohv_client *c,
						  uint64_t partition,
						  uint32_t port_id);

/*
 * MSHV_GET_VP_STATE: state type (HV_GET_SET_VP_STATE_*) of a VP into buf
 * (len bytes): the LAPIC, SIM and SIEF state one page, XSAVE the size the
 * partition's MaxXsaveDataSize gives (with its XsaveStates), the timers
 * 200 bytes.  *size gets the state's size; a buf shorter than that is
 * INSUFFICIENT_BUFFER (no call).  Pages for the state come from the root's
 * allocator and go back; one-page deposits on INSUFFICIENT_MEMORY.
 */
OHV_API hv_status_t ohv_linux_get_vp_state(struct ohv_client *c,
					   uint64_t partition,
					   uint32_t vp_index, uint32_t type,
					   void *buf, size_t len,
					   size_t *size);

#ifdef __cplusplus
}
#endif

#endif /* OPENHV_CLIENT_H */
