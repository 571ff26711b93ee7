# SPDX-License-Identifier: MIT
# make bench: the benchmarks of bench/ (medians, baselines, BENCH lines).
# bench/guest.S is guest code the KVM figures copy into their guests; it
# is assembled into the program as data.
BENCH := $(O)/bench/bench
BENCH_OBJ := $(O)/bench/bench.o $(O)/bench/kvm.o $(O)/bench/mshv.o \
	     $(O)/bench/guest.o
# Programs the /dev/mshv figures run (bench/mshv.c).
BENCH_PROGS := $(O)/bench/raw_hello $(O)/bench/mshv_probe

.PHONY: bench
bench: $(BENCH) $(BENCH_PROGS) $(MSHV_SO) $(O)/examples/mshv_hello
	$(Q)$(BENCH) $(BENCHFLAGS)

$(O)/bench/guest.o: bench/guest.S bench/guest.h
	$(E) "  AS      $<"
	@mkdir -p $(@D)
	$(Q)$(CC) -c -o $@ $<

$(BENCH): $(BENCH_OBJ) $(STATIC)
	$(E) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(BENCH_OBJ) $(STATIC) $(LDLIBS)

$(O)/bench/%: $(O)/bench/%.o
	$(E) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $<

-include $(BENCH_OBJ:.o=.d)
