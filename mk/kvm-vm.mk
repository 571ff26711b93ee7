# SPDX-License-Identifier: MIT
# make check-kvm-vm: the tests and the example that run guest code, inside a
# QEMU VM with nested KVM (scripts/kvm-vm), for a machine without /dev/kvm
# (where make check skips them).  The first run sets the VM up.
KVM_VM_DIR	?= $(abspath $(O))/kvm-vm

.PHONY: check-kvm-vm
check-kvm-vm: all $(RUNNER)
	$(Q)[ -f $(KVM_VM_DIR)/initrd.cpio.gz ] || \
		KVM_VM_DIR=$(KVM_VM_DIR) scripts/kvm-vm setup
	$(Q)KVM_VM_DIR=$(KVM_VM_DIR) scripts/kvm-vm run -t 3600 -- sh -c \
		'$(O)/examples/ping_pong >/dev/null && \
		 echo "examples/ping_pong: guests exchanged their messages" && \
		 $(RUNNER) $(KVM_VM_TESTS)'
# The suites that need KVM (runner patterns).
KVM_VM_TESTS	?= kvm
