# SPDX-License-Identifier: MIT
# libopenhv-mshv.so (spec.md §12): /dev/mshv inside a client's process,
# loaded with LD_PRELOAD or `openhv exec`.  The library's objects and the
# layer's (src/mshv) in one shared object whose only exported names are
# the glibc entry points it interposes.
#
#   make                builds $(O)/libopenhv-mshv.so
#   examples/mshv_hello a VMM of the UAPI header alone: built, and run by
#                       make check through `openhv exec`

MSHV_SRC	:= $(wildcard src/mshv/*.c)
MSHV_OBJ	:= $(MSHV_SRC:%.c=$(O)/%.o)
MSHV_SO		:= $(O)/libopenhv-mshv.so

all: $(MSHV_SO)

$(MSHV_SO): $(MSHV_OBJ) $(LIB_OBJ)
	$(E) "  LD      $@"
	$(Q)$(CC) -shared $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS) -ldl

# The exported names: the interposed entry points only.
$(MSHV_SO): src/mshv/exports.map
$(MSHV_SO): LDFLAGS += -Wl,--version-script=src/mshv/exports.map

# mshv_hello links nothing of openhv: it is not run bare by make check.
MSHV_HELLO	:= $(O)/examples/mshv_hello
EXAMPLES	:= $(filter-out $(MSHV_HELLO),$(EXAMPLES))

all: $(MSHV_HELLO)

$(MSHV_HELLO): $(O)/examples/mshv_hello.o
	$(E) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $<

# The layer's own tests: tests/mshv/*.c is a client of the UAPI header
# alone, one case per run; tests/test_mshv.c runs each case with the
# library preloaded.
MSHV_CASE_SRC	:= $(wildcard tests/mshv/*.c)
MSHV_CLIENT	:= $(O)/tests/mshv/client
CHECK_DEPS	+= $(MSHV_CLIENT) $(MSHV_SO)

$(MSHV_CLIENT): $(MSHV_CASE_SRC:%.c=$(O)/%.o)
	$(E) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^
