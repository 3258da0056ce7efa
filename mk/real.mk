# real.mk - the real-agent suite of issue 7 (tests/real/README.md).
#
#   make real-agents       install the pinned agent CLIs from npm into
#                          tests/real/.cache (a few hundred MB each)
#   make test-real-agents  run only the real-agent suite
#
# `make test` runs the suite too, but only once the cache exists.

REAL_CACHE ?= tests/real/.cache

.PHONY: real-agents test-real-agents

real-agents:
	@mkdir -p $(REAL_CACHE)
	AA_REAL_CACHE=$(CURDIR)/$(REAL_CACHE) node tests/real/agents.mjs install
	@AA_REAL_CACHE=$(CURDIR)/$(REAL_CACHE) node tests/real/agents.mjs list

test-real-agents: $(BIN) $(HELPER_BINS)
	@$(TEST_ENV) AA_REAL_CACHE=$(CURDIR)/$(REAL_CACHE) \
		sh tests/run.sh tests/real/agents.test.sh
