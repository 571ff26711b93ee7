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

#endif /* OHV_HANDLERS_H */
