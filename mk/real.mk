# real.mk - the real-agent suite of issue 7 (tests/real/README.md).
#
#   make real-agents       install the pinned agent CLIs from npm into
#                          tests/real/.cache (a few hundred MB each)
#   make test-real-agents  run only the real-agent suite
#
# `make test` runs the suite too, but only once the cache exists.  Both
# run under the Node.js of tests/package-lock.json (the agents want >= 20)
# and install it first, with Debian's npm, when it is missing.

REAL_CACHE ?= tests/real/.cache

.PHONY: real-agents test-real-agents

real-agents: $(NODE_STAMP)
	@mkdir -p $(REAL_CACHE)
	$(NODE_PATH_ENV) AA_REAL_CACHE=$(CURDIR)/$(REAL_CACHE) \
		node tests/real/agents.mjs install
	@$(NODE_PATH_ENV) AA_REAL_CACHE=$(CURDIR)/$(REAL_CACHE) \
		node tests/real/agents.mjs list

test-real-agents: $(NODE_STAMP) $(BIN) $(HELPER_BINS)
	@$(TEST_ENV) AA_REAL_CACHE=$(CURDIR)/$(REAL_CACHE) \
		sh tests/run.sh tests/real/agents.test.sh
