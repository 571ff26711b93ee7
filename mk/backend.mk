# SPDX-License-Identifier: MIT
# The execution backends' own unit tests: tests/test_kvm_insn.c links the
# instruction decoder's object, whose names the static library keeps to
# itself.
TEST_OBJ	+= $(O)/src/backend/kvm_insn.o
$(O)/tests/test_kvm_insn.o: BASE += -Isrc/backend
