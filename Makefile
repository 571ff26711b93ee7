# openhv — one non-recursive GNU make.
#
#   make            build/libopenhv.a, build/libopenhv.so*, build/openhv
#   make check      build and run the test suite
#   make clean
#
# Variables: V=1 shows commands, WERROR=0 lets warnings through,
# CC/CFLAGS/LDFLAGS as usual, O=dir puts the build elsewhere.

.DEFAULT_GOAL := all

O	?= build
CC	?= cc
AR	?= ar
LD	?= ld
OBJCOPY	?= objcopy
WERROR	?= 1

SOVERSION	:= 0
VERSION		:= 0.1.0

Q := $(if $(filter 1,$(V)),,@)
E := $(if $(filter 1,$(V)),@true,@echo)

WARN	:= -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wno-unused-parameter $(if $(filter 1,$(WERROR)),-Werror)
# Wire structs end in flexible arrays (as Linux's do) and callers embed them
# in fixed-size buffers, a GNU extension clang warns about.
WARN	+= $(shell $(CC) -Werror -Wgnu-variable-sized-type-not-at-end -E -x c \
	     /dev/null >/dev/null 2>&1 && echo -Wno-gnu-variable-sized-type-not-at-end)
CFLAGS	?= -O2 -g
BASE	:= -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Iinclude $(WARN) -MMD -MP
LIBFLAGS := -fPIC -fvisibility=hidden -DOHV_BUILDING_LIBRARY
LDLIBS	+= -lpthread

LIB_SRC	:= $(wildcard src/core/*.c src/backend/*.c src/client/*.c)
LIB_OBJ	:= $(LIB_SRC:%.c=$(O)/%.o)
TOOL_SRC := $(wildcard tools/openhv/*.c)
TOOL_OBJ := $(TOOL_SRC:%.c=$(O)/%.o)
TEST_SRC := $(wildcard tests/*.c)
TEST_OBJ := $(TEST_SRC:%.c=$(O)/%.o)
EXAMPLE_SRC := $(wildcard examples/*.c)
EXAMPLES := $(EXAMPLE_SRC:%.c=$(O)/%)

STATIC	:= $(O)/libopenhv.a
SHARED	:= $(O)/libopenhv.so.$(VERSION)
TOOL	:= $(O)/openhv
RUNNER	:= $(O)/tests/runner

# Feature fragments (mk/*.mk: installation, tool tests, fuzzing, ...), each
# owning its targets.  A fragment adds to CHECK_DEPS what `make check` must
# run before the test runner, whose summary line stays the last one.
CHECK_DEPS :=
include $(sort $(wildcard mk/*.mk))

.PHONY: all check clean
# Keep the examples' objects, which make would otherwise see as
# intermediate and delete.
.SECONDARY: $(EXAMPLES:=.o)
all: $(STATIC) $(SHARED) $(TOOL) $(EXAMPLES)

# The layers (src/*/README): core sees the seam, the client sees the core;
# a backend sees nothing of the core but backend.h.
SRC_INC_core	:= -Isrc/backend
SRC_INC_client	:= -Isrc/core -Isrc/backend
SRC_INC_backend	:=
src_inc		= $(SRC_INC_$(word 2,$(subst /, ,$(1))))

$(O)/src/%.o: src/%.c
	$(E) "  CC      $<"
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE) $(call src_inc,$<) $(LIBFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/%.o: %.c
	$(E) "  CC      $<"
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE) $(CFLAGS) -c -o $@ $<

# The static library is one object in which only the ohv_ names stay
# global: the layers' internal names cannot clash with a program's.
$(O)/libopenhv.o: $(LIB_OBJ)
	$(E) "  LD      $@"
	$(Q)$(LD) -r -o $@.tmp $^ && \
		$(OBJCOPY) --wildcard --keep-global-symbol='ohv_*' $@.tmp $@ && \
		rm -f $@.tmp

$(STATIC): $(O)/libopenhv.o
	$(E) "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(SHARED): $(LIB_OBJ)
	$(E) "  LD      $@"
	$(Q)$(CC) -shared -Wl,-soname,libopenhv.so.$(SOVERSION) $(LDFLAGS) \
		-o $@ $^ $(LDLIBS)
	$(Q)ln -sf libopenhv.so.$(VERSION) $(O)/libopenhv.so.$(SOVERSION)
	$(Q)ln -sf libopenhv.so.$(SOVERSION) $(O)/libopenhv.so

$(TOOL): $(TOOL_OBJ) $(STATIC)
	$(E) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(TOOL_OBJ) $(STATIC) $(LDLIBS)

$(O)/examples/%: $(O)/examples/%.o $(STATIC)
	$(E) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(STATIC) $(LDLIBS)

$(RUNNER): $(TEST_OBJ) $(STATIC)
	$(E) "  LD      $@"
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(STATIC) $(LDLIBS)

# The suite ends with "N passed, N failed, N skipped"; it fails the build
# only when a test failed.
check: all $(RUNNER) $(CHECK_DEPS)
	$(Q)for x in $(EXAMPLES); do \
		$$x >/dev/null || { echo "example $$x failed"; exit 1; }; done
	$(Q)$(RUNNER) $(TESTFLAGS)

clean:
	rm -rf $(O)

-include $(LIB_OBJ:.o=.d) $(TOOL_OBJ:.o=.d) $(TEST_OBJ:.o=.d) \
	$(EXAMPLES:=.d)
