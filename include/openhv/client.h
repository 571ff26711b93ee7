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

/* One 64-bit register (the low 8 bytes of its value); statuses as above.
 * *value is written only on SUCCESS and may be NULL. */
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
 * root's allocator is dry, INVALID_PARAMETER for a non-root client (it has
 * no allocator).
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
 * failed deposit's (NO_RESOURCES when the allocator is dry,
 * INVALID_PARAMETER for a non-root client, the hypervisor's for a bad
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
 * INVALID_PARAMETER for a non-root client or in NULL).
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

/* The state pages go (before finalize, as Linux's destroy does). */
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
/* Its unmap: count pages (a multiple of 512 when large). */
OHV_API hv_status_t ohv_linux_unmap_memory(struct ohv_client *c,
					   uint64_t target, uint64_t gpa_base,
					   uint64_t count, int large);

/* MSHV_RUN_VP on the hypervisor scheduler: HvSetVpRegisters of
 * InterceptSuspend = 0 then ExplicitSuspend = 0. */
OHV_API hv_status_t ohv_linux_resume_vp(struct ohv_client *c,
					uint64_t partition, uint32_t vp_index);

/*
 * MSHV_IOEVENTFD: a doorbell port in the root (SINT 5, any VP) for
 * partition, connected from it: gpa, value and flags
 * (HV_DOORBELL_FLAG_*).  port_id names both the port and the connection.
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
