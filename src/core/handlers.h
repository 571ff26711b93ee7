/*
 * Every hypercall handler, for the call table (calls.c) alone.  A handler
 * is hc_<TLFS name>; each lives in the hc_*.c file of its concern.
 */
#ifndef OHV_HANDLERS_H
#define OHV_HANDLERS_H

#include "hvctx.h"

hc_handler hc_create_partition, hc_initialize_partition,
	hc_finalize_partition, hc_delete_partition, hc_get_partition_id,
	hc_get_next_child_partition;
hc_handler hc_get_partition_property, hc_set_partition_property;
hc_handler hc_deposit_memory, hc_withdraw_memory, hc_get_memory_balance;
hc_handler hc_map_gpa_pages, hc_unmap_gpa_pages;
hc_handler hc_create_port_classic, hc_create_port, hc_delete_port,
	hc_connect_port_classic, hc_connect_port, hc_disconnect_port,
	hc_get_port_property, hc_set_port_property, hc_post_message,
	hc_signal_event;
hc_handler hc_create_vp, hc_delete_vp, hc_get_vp_registers,
	hc_set_vp_registers;

/* The Linux root's wider surface (SPEC 10), and what its handlers share. */
hv_status_t property_read(struct hvctx *cx, uint64_t id, uint32_t code,
			  uint64_t *value);
/* Target checks shared by the calls: the Active child partition id names
 * (the caller's child), and its VP. */
hv_status_t surface_child(struct hvctx *cx, uint64_t id,
			  struct partition **out);
hv_status_t surface_child_vp(struct hvctx *cx, uint64_t id, uint32_t index,
			     struct partition **out, struct vp **vp);

hc_handler hc_get_system_property, hc_get_partition_property_ex,
	hc_notify_port_ring_empty;
hc_handler hc_map_vp_state_page, hc_unmap_vp_state_page, hc_get_vp_state,
	hc_set_vp_state;
hc_handler hc_assert_virtual_interrupt, hc_clear_virtual_interrupt;
hc_handler hc_install_intercept, hc_register_intercept_result,
	hc_get_vp_cpuid_values;
hc_handler hc_read_gpa, hc_write_gpa, hc_translate_virtual_address,
	hc_get_gpa_pages_access_states;
hc_handler hc_signal_event_direct, hc_post_message_direct;
hc_handler hc_map_stats_page, hc_unmap_stats_page;

#endif /* OHV_HANDLERS_H */
