# SPDX-License-Identifier: MIT
# make bench: the benchmarks of bench/ (medians, baselines, BENCH lines).
BENCH := $(O)/bench/bench

.PHONY: bench
bench: $(BENCH)
	$(Q)$(BENCH) $(BENCHFLAGS)

$(BENCH): $(O)/bench/bench.o $(STATIC)
	$(E) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(STATIC) $(LDLIBS)
