# make coverage: the suite built with gcc --coverage in $(COV_O), run, and
# the line coverage of the library and of the tool, per file and in all
# (gcov; the runner's children write their counts when they exit).

COV_O		?= build-cov
COV_FLAGS	:= -O0 -g --coverage
# libgcov's symbols stay out of libopenhv.so's exports (test_symbols).
COV_LDFLAGS	:= --coverage -Wl,--exclude-libs,ALL

.PHONY: coverage
coverage:
	$(Q)$(MAKE) --no-print-directory O=$(COV_O) CC=gcc \
		CFLAGS="$(COV_FLAGS)" LDFLAGS="$(COV_LDFLAGS)" all \
		$(COV_O)/tests/runner
	$(Q)find $(COV_O) -name '*.gcda' -delete
	$(Q)OHV_CC=gcc OHV_LDFLAGS="$(COV_LDFLAGS)" OHV_MAKE="$(MAKE)" \
		$(COV_O)/tests/runner $(TESTFLAGS) | tail -n 1
	$(Q)for part in "library:$(LIB_SRC)" "tool:$(TOOL_SRC)"; do \
		name=$${part%%:*}; \
		for f in $${part#*:}; do \
			gcov -n -o $(COV_O)/$$(dirname $$f) $$f 2>/dev/null; \
		done | awk -v name=$$name ' \
			/^File / { f = $$2; gsub("\047", "", f) } \
			/^Lines executed:/ && f ~ /\.c$$/ { \
				split($$2, a, ":"); pct = a[2] + 0; n = $$4; \
				hit += pct * n / 100; all += n; \
				printf "  %-34s %6.1f%% of %d\n", f, pct, n; f = "" } \
			END { printf "%s: %.1f%% of %d lines\n", name, \
				all ? 100 * hit / all : 0, all }'; \
	done
