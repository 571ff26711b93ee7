# The openhv tool: its tests' environment and the USDT probes.
#
#   make check   exports to the test runner OHV_TOOL (the built tool),
#                OHV_SRCDIR (this tree), OHV_BUILD (the build directory),
#                OHV_CC, OHV_MAKE and OHV_HAVE_SDT for tests/test_cli.c,
#                which runs the tool, every examples/*.ohv, and `make
#                install` into a temporary prefix
#   OHV_HAVE_SDT=1|0   USDT probes at hypercall entry and exit
#                (docs/tracing.md); by default 1 when $(CC) finds
#                <sys/sdt.h> (Debian: systemtap-sdt-dev), else 0.
#                SDT_CFLAGS adds include flags for a header elsewhere.

ifeq ($(origin OHV_HAVE_SDT),undefined)
OHV_HAVE_SDT := $(shell $(CC) $(SDT_CFLAGS) -include sys/sdt.h -E -x c \
	/dev/null >/dev/null 2>&1 && echo 1 || echo 0)
endif
ifeq ($(OHV_HAVE_SDT),1)
$(O)/src/core/hvcall.o: LIBFLAGS += -DOHV_HAVE_SDT $(SDT_CFLAGS)
endif
# hvcall.o follows the decision: $(O)/.sdt holds it and is rewritten (so
# newer than the object) when it changes, as the makefiles are read.
SDT_STAMP := $(O)/.sdt
$(shell mkdir -p $(O) && { [ "$$(cat $(SDT_STAMP) 2>/dev/null)" = \
	"$(OHV_HAVE_SDT)" ] || echo "$(OHV_HAVE_SDT)" > $(SDT_STAMP); })
$(O)/src/core/hvcall.o: $(SDT_STAMP)

check: export OHV_TOOL := $(abspath $(TOOL))
check: export OHV_SRCDIR := $(CURDIR)
check: export OHV_BUILD := $(abspath $(O))
check: export OHV_CC := $(CC)
check: export OHV_MAKE := $(MAKE)
check: export OHV_HAVE_SDT := $(OHV_HAVE_SDT)
