/* SPDX-License-Identifier: MIT */
/*
 * The field lists of the calls of spec.md §10 (calls_surface.c), for the call
 * table in calls.c.
 */
#ifndef OHV_CALLS_SURFACE_H
#define OHV_CALLS_SURFACE_H

#include <openhv/calls.h>

extern const struct ohv_field sf_system_property_in[], sf_u64_out[],
	sf_property_ex_in[], sf_property_ex_out[], sf_ring_empty_in[],
	sf_map_vp_state_in[], sf_map_location_out[], sf_unmap_vp_state_in[],
	sf_vp_state_in[], sf_vp_state_out[], sf_assert_in[], sf_clear_in[],
	sf_install_intercept_in[], sf_intercept_result_in[],
	sf_cpuid_hdr[], sf_cpuid_elem[], sf_cpuid_out_elem[], sf_read_gpa_in[],
	sf_read_gpa_out[], sf_write_gpa_in[], sf_write_gpa_out[], sf_translate_in[],
	sf_translate_out[], sf_signal_direct_in[], sf_signal_direct_out[],
	sf_post_direct_in[], sf_access_states_in[], sf_access_state_elem[],
	sf_stats_in[];

#endif /* OHV_CALLS_SURFACE_H */
