/* SPDX-License-Identifier: MIT */
/*
 * libopenhv-mshv's own tests (spec.md §12): each case of tests/mshv/ runs
 * as a client process with the library preloaded, as a VMM would, and
 * passes when that process exits 0.  The cases skip, with the reason,
 * where /dev/kvm cannot serve.
 */
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "run.h"
#include "t.h"

static void mshv_case(const char *name)
{
	const char *b = t_env("OHV_BUILD");
	char client[PATH_MAX], lib[PATH_MAX], preload[PATH_MAX + 16];

	snprintf(client, sizeof(client), "%s/tests/mshv/client", b);
	snprintf(lib, sizeof(lib), "%s/libopenhv-mshv.so", b);
	if (access(client, X_OK) || access(lib, R_OK))
		SKIP("no %s or %s: build them", client, lib);
	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", lib);
	const char *env[] = { preload, NULL };
	const char *argv[] = { client, name, NULL };
	struct t_run r;

	t_run(&r, NULL, env, argv);
	if (r.status == 77)
		SKIP("%s", r.err ? r.err : "skipped");
	CHECK_MSG(r.status == 0, "case %s exited %d:\n%s%s", name, r.status,
		  r.out ? r.out : "", r.err ? r.err : "");
	t_run_free(&r);
}

#define MSHV_CASE(name) TEST(mshv_##name) { mshv_case(#name); }

MSHV_CASE(dev_open_dup_unknown)
MSHV_CASE(dev_create_partition_checks)
MSHV_CASE(create_device_checks)
MSHV_CASE(create_device_vfio)
MSHV_CASE(hvcall_dev_checks)
MSHV_CASE(hvcall_partition_checks)
MSHV_CASE(hvcall_vp_checks)
MSHV_CASE(hvcall_results)
MSHV_CASE(host_partition_property)
MSHV_CASE(vmm_caps)
MSHV_CASE(partition_properties)
MSHV_CASE(partition_properties_early)
MSHV_CASE(irqfd)
MSHV_CASE(ioeventfd)
MSHV_CASE(ioeventfd_guest_write)
MSHV_CASE(msi_routing)
MSHV_CASE(assert_virtual_interrupt)
MSHV_CASE(direct_event_and_message)
MSHV_CASE(set_memory_checks)
MSHV_CASE(set_memory_overlap)
MSHV_CASE(set_memory_unmap_exact)
MSHV_CASE(memory_shared_private)
MSHV_CASE(memory_shared_shared)
MSHV_CASE(user_memory)
MSHV_CASE(access_bitmap_checks)
MSHV_CASE(dirty_log_32m)
MSHV_CASE(dirty_log_8g)
MSHV_CASE(create_partition_flags)
MSHV_CASE(initialize_partition)
MSHV_CASE(create_vp)
MSHV_CASE(partition_fd_dups)
MSHV_CASE(partition_release)
MSHV_CASE(wrong_fd_enotty)
MSHV_CASE(legacy_numbers_enotty)
MSHV_CASE(regs_general)
MSHV_CASE(regs_special)
MSHV_CASE(regs_debug)
MSHV_CASE(regs_fpu_xmm)
MSHV_CASE(regs_msrs)
MSHV_CASE(regs_xcr0)
MSHV_CASE(regs_events)
MSHV_CASE(regs_suspend)
MSHV_CASE(regs_deliverability)
MSHV_CASE(cpuid_values)
MSHV_CASE(install_intercept)
MSHV_CASE(vp_state_checks)
MSHV_CASE(vp_state_lapic)
MSHV_CASE(vp_state_components)
MSHV_CASE(run_vp_io_and_halt)
MSHV_CASE(run_vp_rip_not_advanced)
MSHV_CASE(run_vp_in_completed_by_vmm)
MSHV_CASE(run_code)
MSHV_CASE(run_code_mmap)
MSHV_CASE(run_regpage_general)
MSHV_CASE(vp_mmap_offsets)
MSHV_CASE(run_vp_efault)
MSHV_CASE(run_vp_memory_intercepts)

MSHV_CASE(hvcall_partial_output)
MSHV_CASE(unknown_request_null_arg)
MSHV_CASE(vp_state_sizes)
MSHV_CASE(interrupt_long_by_hvcall)
MSHV_CASE(interrupt_long_by_irqfd)
MSHV_CASE(interrupt_long_lapic_by_state)
MSHV_CASE(access_bitmap_guest_write)
MSHV_CASE(set_memory_out_of_memory)

/*
 * Cases not run here: what this machine's KVM cannot do.
 * interrupt_by_hvcall, interrupt_by_irqfd and interrupt_lapic_by_state
 * deliver to a real-mode guest, which a PVM KVM never does, raw KVM
 * included (docs/conformance.md); the interrupt_long_* cases above are
 * the same deliveries to a 64-bit guest.
 */

/* ---------------------------------------------------------------------- */
/* openhv exec (spec.md §12).                                              */

static const char *exec_tool(char *buf, size_t n)
{
	const char *b = t_env("OHV_BUILD");

	snprintf(buf, n, "%s/openhv", b);
	if (access(buf, X_OK))
		SKIP("no tool at %s", buf);
	return buf;
}

/* The README's example: the VMM of the UAPI header alone prints what its
 * guest wrote; --trace names each ioctl and hypercall, one JSON object a
 * line. */
TEST(mshv_exec_hello)
{
	char tool[PATH_MAX], hello[PATH_MAX], dir[PATH_MAX], trace[PATH_MAX + 16];

	exec_tool(tool, sizeof(tool));
	snprintf(hello, sizeof(hello), "%s/examples/mshv_hello",
		 t_env("OHV_BUILD"));
	if (access("/dev/kvm", R_OK | W_OK))
		SKIP("no /dev/kvm: libopenhv-mshv needs it");
	t_scratch(dir, sizeof(dir));
	snprintf(trace, sizeof(trace), "--trace=%s/t.jsonl", dir);
	const char *argv[] = { tool, "exec", trace, "--", hello, NULL };
	struct t_run r;

	t_run(&r, NULL, NULL, argv);
	CHECK_MSG(r.status == 0, "exit %d: %s", r.status, r.err);
	CHECK_MSG(r.out && strstr(r.out, "the guest wrote: Hello from a guest "
				  "of /dev/mshv\n"),
		  "output: %s", r.out ? r.out : "");
	t_run_free(&r);
	snprintf(trace, sizeof(trace), "%s/t.jsonl", dir);
	char *text = t_slurp(trace, NULL);

	REQUIRE(text != NULL);
	CHECK(strstr(text, "{\"ioctl\":\"MSHV_CREATE_PARTITION\"") != NULL);
	CHECK(strstr(text, "{\"ioctl\":\"MSHV_RUN_VP\"") != NULL);
	/* A run names its message and RIP; a region its place and size. */
	CHECK(strstr(text, "\"message\":\"0x80010000\",\"rip\":\"0x") != NULL);
	CHECK(strstr(text, "\"message\":\"0x80010007\"") != NULL);
	CHECK(strstr(text, "\"gpa\":\"0x0\",\"size\":\"0x4000\",\"flags\":3") !=
	      NULL);
	CHECK(strstr(text, "{\"hypercall\":\"HvCreatePartition\"") != NULL);
	/* Every line is one object. */
	for (char *l = text; *l; ) {
		char *nl = strchr(l, '\n');

		REQUIRE(nl != NULL);
		CHECK_MSG(l[0] == '{' && nl[-1] == '}', "line: %.*s",
			  (int)(nl - l), l);
		l = nl + 1;
	}
	free(text);
	t_rmtree(dir);
}

TEST(mshv_exec_usage)
{
	char tool[PATH_MAX];
	struct t_run r;

	exec_tool(tool, sizeof(tool));
	const char *none[] = { tool, "exec", NULL };

	t_run(&r, NULL, NULL, none);
	CHECK_EQ(r.status, 2);
	CHECK(r.err && strstr(r.err, "no program to run"));
	t_run_free(&r);
	const char *mem[] = { tool, "exec", "--memory=lots", "--", "true",
			      NULL };

	t_run(&r, NULL, NULL, mem);
	CHECK_EQ(r.status, 2);
	t_run_free(&r);
	const char *missing[] = { tool, "exec", "--",
				  "/nonexistent/openhv-vmm", NULL };

	t_run(&r, NULL, NULL, missing);
	CHECK_EQ(r.status, 127);
	t_run_free(&r);
	const char *nolib[] = { tool, "exec", "--", "true", NULL };
	const char *env[] = { "OPENHV_MSHV_LIB=/nonexistent.so", NULL };

	t_run(&r, NULL, env, nolib);
	CHECK_EQ(r.status, 1);
	CHECK(r.err && strstr(r.err, "libopenhv-mshv.so"));
	t_run_free(&r);
	/* The program's own status is exec's. */
	const char *fails[] = { tool, "exec", "--", "false", NULL };

	t_run(&r, NULL, NULL, fails);
	CHECK_EQ(r.status, 1);
	t_run_free(&r);
}
