# SPDX-License-Identifier: MIT
# The examples' guests: examples/guests/NAME.S, freestanding 16-bit code
# assembled with $(CC) and linked flat at its load address into
# $(O)/examples/guests/NAME.bin, which a scenario loads into a partition
# (`load $vm examples/guests/hello.bin at 0x1000`, docs/scenario.md) and
# runs on the KVM backend (examples/guest-hello.ohv).
#
#   EXG_BASE_NAME   the GPA a guest is linked for; 0x1000 unless set

EXG_SRC	:= $(wildcard examples/guests/*.S)
EXG_BIN	:= $(EXG_SRC:%.S=$(O)/%.bin)
EXG_BASE_hello := 0x1000

all: $(EXG_BIN)
.SECONDARY: $(EXG_BIN:.bin=.o) $(EXG_BIN:.bin=.elf)

# No CFLAGS: a sanitizer or profile flag means nothing to a guest.
$(O)/examples/guests/%.o: examples/guests/%.S
	$(E) "  AS      $<"
	@mkdir -p $(@D)
	$(Q)$(CC) -c -o $@ $<

$(O)/examples/guests/%.elf: $(O)/examples/guests/%.o
	$(E) "  LD      $@"
	$(Q)$(LD) -nostdlib -e start -Ttext=$(or $(EXG_BASE_$*),0x1000) \
		-o $@ $<

$(O)/examples/guests/%.bin: $(O)/examples/guests/%.elf
	$(E) "  OBJCOPY $@"
	$(Q)$(OBJCOPY) -O binary -j .text $< $@
