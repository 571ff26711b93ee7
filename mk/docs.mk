# SPDX-License-Identifier: MIT
# Documents kept in step with the code.
#
#   make api-doc   rewrite docs/api.md, the API reference, from the
#                  headers' contract comments (scripts/api-doc); fails,
#                  naming file and line, when a public function has none
#   make check     tests/test_docs.c fails when docs/api.md is not what
#                  make api-doc writes, or a README snippet is not an
#                  example (C) or does not run (scenario);
#                  tests/test_link.c links and runs a program each way
#                  docs/linking.md shows, with the compiler and link flags
#                  of this build (OHV_LDFLAGS: sanitizer runtimes)

.PHONY: api-doc
api-doc:
	$(E) "  GEN     docs/api.md"
	@mkdir -p $(O)
	$(Q)sh scripts/api-doc $(CURDIR) > $(O)/api.md.tmp || \
		{ rm -f $(O)/api.md.tmp; exit 1; }
	$(Q)mv $(O)/api.md.tmp docs/api.md

check: export OHV_LDFLAGS := $(LDFLAGS)
