# SPDX-License-Identifier: MIT
# Fuzzing (fuzz/) and the sanitizer builds.
#
#   make fuzz        libFuzzer targets (clang, ASan + UBSan) in $(O)/fuzz/,
#                    each run FUZZ_SECONDS over its corpus with the dictionary;
#                    `sh scripts/deps fuzz` installs clang and libFuzzer
#   make check       also replays fuzz/corpus/<target>/ and
#                    fuzz/crashes/<target>-* with gcc-built replay programs
#   make check-asan  library, tests and replays with gcc ASan + UBSan, in
#                    $(ASAN_O)
#   make check-tsan  the multi-threaded tests (TSAN_TESTS) with gcc TSan, in
#                    $(TSAN_O)
#
# New corpus entries go to $(O)/fuzz/corpus/<target>/ (scratch, not git);
# findings to $(O)/fuzz/findings/<target>/.  A finding worth keeping is
# minimized and copied to fuzz/crashes/<target>-<short-name> for good.

FUZZ_TARGETS	:= fuzz_hvcall fuzz_sequence fuzz_decode fuzz_nested fuzz_kvm_exit
FUZZ_SECONDS	?= 60
FUZZ_CC		?= clang
FUZZ_FLAGS	?= -timeout=10
FUZZ_SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS	:= -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN)

FUZZ_BINS	:= $(FUZZ_TARGETS:%=$(O)/fuzz/%)
FUZZ_REPLAYS	:= $(FUZZ_TARGETS:%=$(O)/fuzz/replay_%)
FUZZ_LIB_OBJ	:= $(LIB_SRC:%.c=$(O)/fuzz/cov/%.o)
FUZZ_OBJ	:= $(FUZZ_LIB_OBJ) \
		   $(FUZZ_TARGETS:%=$(O)/fuzz/cov/fuzz/%.o) $(O)/fuzz/cov/fuzz/fz.o
REPLAY_OBJ	:= $(FUZZ_TARGETS:%=$(O)/fuzz/%.o) $(O)/fuzz/fz.o \
		   $(O)/fuzz/replay.o

ASAN_O		?= build-asan
TSAN_O		?= build-tsan
ASAN_CFLAGS	:= -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=undefined
TSAN_CFLAGS	:= -O1 -g -fsanitize=thread
# The multi-threaded tests (runner patterns: names or files).
TSAN_TESTS	?= threads concurrency message_stress pool_pause kvm

CHECK_DEPS	+= fuzz-replay

.PHONY: fuzz fuzz-build fuzz-replay fuzz-cc check-asan check-tsan

# Before building anything for make fuzz: $(FUZZ_CC) is there and links a
# fuzzer, or the user learns how to get them.
fuzz-cc:
	@mkdir -p $(O)/fuzz
	$(Q)command -v $(firstword $(FUZZ_CC)) >/dev/null 2>&1 || { \
		echo "make fuzz needs $(FUZZ_CC) with libFuzzer, which is" \
			"not installed: run sh scripts/deps fuzz" >&2; exit 1; }
	$(Q)printf '%s\n' 'int LLVMFuzzerTestOneInput(const unsigned char *d,' \
		'unsigned long n) { return 0; }' | \
		$(FUZZ_CC) -fsanitize=fuzzer -x c - -o $(O)/fuzz/.fuzz-cc \
		>/dev/null 2>&1 || { \
		echo "make fuzz: $(FUZZ_CC) cannot link a libFuzzer target;" \
			"sh scripts/deps fuzz installs clang and its libFuzzer" \
			"runtime" >&2; \
		exit 1; }
	$(Q)rm -f $(O)/fuzz/.fuzz-cc

# The libFuzzer builds: everything instrumented for coverage but the
# invariant checker, which runs after every call over all of memory: its
# loops give libFuzzer no signal, only cost (sanitizers stay on).
FUZZ_COV	:= -fsanitize=fuzzer-no-link
$(O)/fuzz/cov/src/core/check.o: FUZZ_COV :=

$(O)/fuzz/cov/%.o: %.c | fuzz-cc
	$(E) "  FUZZCC  $<"
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(BASE) $(if $(filter src/%,$<),$(call src_inc,$<) $(LIBFLAGS)) \
		$(FUZZ_CFLAGS) $(FUZZ_COV) -c -o $@ $<

$(FUZZ_BINS): $(O)/fuzz/%: $(O)/fuzz/cov/fuzz/%.o $(O)/fuzz/cov/fuzz/fz.o \
		$(FUZZ_LIB_OBJ)
	$(E) "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

# The replay programs: the same targets, plain gcc (or $(CC)), no libFuzzer.
$(filter-out %/replay_fuzz_kvm_exit,$(FUZZ_REPLAYS)): $(O)/fuzz/replay_%: \
		$(O)/fuzz/%.o $(O)/fuzz/fz.o $(O)/fuzz/replay.o $(STATIC)
	$(E) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# fuzz_kvm_exit drives the KVM backend's exit handlers (src/backend), whose
# names the static library keeps to itself: it links the objects.
$(O)/fuzz/cov/fuzz/fuzz_kvm_exit.o $(O)/fuzz/fuzz_kvm_exit.o: \
	BASE += -Isrc/backend
$(O)/fuzz/replay_fuzz_kvm_exit: $(O)/fuzz/fuzz_kvm_exit.o $(O)/fuzz/fz.o \
		$(O)/fuzz/replay.o $(LIB_OBJ)
	$(E) "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# fuzz_decode drives the tool's decoders (tools/openhv/layout.c) too.
$(O)/fuzz/fuzz_decode: $(O)/fuzz/cov/tools/openhv/layout.o
$(O)/fuzz/replay_fuzz_decode: $(O)/tools/openhv/layout.o
FUZZ_OBJ	+= $(O)/fuzz/cov/tools/openhv/layout.o

fuzz-build: $(FUZZ_BINS)

# Each target runs FUZZ_SECONDS; the summary gives executions, coverage
# (cov: edges and ft: features from libFuzzer's last status line) and
# findings.  Fails when any target found something.
fuzz: $(FUZZ_BINS)
	$(Q)found=0; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(O)/fuzz/corpus/$$t $(O)/fuzz/findings/$$t; \
		echo "  FUZZ    $$t ($(FUZZ_SECONDS) s)"; \
		$(O)/fuzz/$$t $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
			-dict=fuzz/openhv.dict -print_final_stats=1 \
			-artifact_prefix=$(O)/fuzz/findings/$$t/ \
			$(O)/fuzz/corpus/$$t fuzz/corpus/$$t \
			>$(O)/fuzz/$$t.log 2>&1; \
		rc=$$?; \
		execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' \
			$(O)/fuzz/$$t.log | tail -n 1); \
		cov=$$(grep -o 'cov: [0-9]* ft: [0-9]*' $(O)/fuzz/$$t.log | \
			tail -n 1); \
		n=$$(ls $(O)/fuzz/findings/$$t | wc -l); \
		echo "$$t: $${execs:-?} executions, $${cov:-no coverage line}," \
			"$$n findings (exit $$rc; log $(O)/fuzz/$$t.log)"; \
		if [ $$rc -ne 0 ] || [ $$n -ne 0 ]; then \
			found=1; ls $(O)/fuzz/findings/$$t; \
			grep -m 3 -E 'openhv fuzz: finding|ERROR: |runtime error' \
				$(O)/fuzz/$$t.log; \
		fi; \
	done; exit $$found

# Part of make check (CHECK_DEPS): the saved corpus and every past finding.
fuzz-replay: $(FUZZ_REPLAYS)
	$(Q)for t in $(FUZZ_TARGETS); do \
		set -- fuzz/crashes/$$t-*; [ -e "$$1" ] || set --; \
		$(O)/fuzz/replay_$$t fuzz/corpus/$$t "$$@" || exit 1; \
	done

# Sanitizer builds of the whole suite, each in its own directory.  Tests
# that build a plain program against the installed (sanitized) library
# need ASan's link-order check off.
check-asan:
	$(Q)UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		ASAN_OPTIONS=verify_asan_link_order=0 \
		$(MAKE) --no-print-directory O=$(ASAN_O) CC=gcc \
		CFLAGS="$(ASAN_CFLAGS)" LDFLAGS="-fsanitize=address,undefined" \
		check

check-tsan:
	$(Q)$(MAKE) --no-print-directory O=$(TSAN_O) CC=gcc \
		CFLAGS="$(TSAN_CFLAGS)" LDFLAGS="-fsanitize=thread" \
		$(TSAN_O)/tests/runner
	$(Q)TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		$(TSAN_O)/tests/runner $(TESTFLAGS) $(TSAN_TESTS)

-include $(FUZZ_OBJ:.o=.d) $(REPLAY_OBJ:.o=.d)
