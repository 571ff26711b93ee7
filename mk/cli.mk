# SPDX-License-Identifier: MIT
# The openhv tool: its tests' environment and the USDT probes.
#
#   tests/test_cli.c runs the tool built beside the runner, every
#                examples/*.ohv of this tree, and `make install` into a
#                temporary prefix; make check exports OHV_CC and OHV_MAKE
#                for that (OHV_TOOL, OHV_SRCDIR, OHV_BUILD override)
#   OHV_HAVE_SDT=1|0   USDT probes at hypercall entry and exit
#                (docs/tracing.md); by default 1 when $(CC) finds
#                <sys/sdt.h> (Debian: systemtap-sdt-dev), else 0.
#                SDT_CFLAGS adds include flags for a header elsewhere.
#   OHV_HAVE_LIBEDIT=1|0  `openhv shell`'s line editor (history, Tab
#                completion) from libedit, BSD-licensed (Debian:
#                libedit-dev); by default 1 when $(CC) builds and links
#                against <editline/readline.h>, else 0: plain line input.

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

ifeq ($(origin OHV_HAVE_LIBEDIT),undefined)
OHV_HAVE_LIBEDIT := $(shell printf '\043include <editline/readline.h>\nint \
	main(void) { return rl_initialize(); }\n' | $(CC) -x c - -o /dev/null \
	-ledit >/dev/null 2>&1 && echo 1 || echo 0)
endif
ifeq ($(OHV_HAVE_LIBEDIT),1)
$(O)/tools/openhv/lineedit.o: BASE += -DOHV_HAVE_LIBEDIT
$(TOOL): LDLIBS += -ledit
endif
# lineedit.o follows the decision as hvcall.o follows OHV_HAVE_SDT.
EDIT_STAMP := $(O)/.libedit
$(shell mkdir -p $(O) && { [ "$$(cat $(EDIT_STAMP) 2>/dev/null)" = \
	"$(OHV_HAVE_LIBEDIT)" ] || echo "$(OHV_HAVE_LIBEDIT)" > $(EDIT_STAMP); })
$(O)/tools/openhv/lineedit.o: $(EDIT_STAMP)

# The suites find the tool beside the runner ($(O)/openhv) and this tree
# compiled into tests/run.c (t_env), so the runner works by hand as under
# make check.
$(O)/tests/test_cli.o: BASE += -DOHV_TREE_HAVE_SDT=$(OHV_HAVE_SDT)
$(O)/tests/test_cli.o: $(SDT_STAMP)
$(O)/tests/run.o: BASE += -DOHV_TREE='"$(CURDIR)"'
check: export OHV_CC := $(CC)
check: export OHV_MAKE := $(MAKE)
