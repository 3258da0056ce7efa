# mk/fault.mk - `make test-fault`: the long fault tests.
#
# tests/fault/*.test.sh are quick and run in `make test` like every other
# script test; tests/fault/*.fault.sh take minutes (thousands of slow
# clients, many kill -9s) and run here, with the same tally line.  CI runs
# both targets.
FAULT_SCRIPTS := $(sort $(wildcard tests/fault/*.fault.sh))

.PHONY: test-fault
test-fault: $(NODE_STAMP) $(BIN) $(LIB_A) $(HELPER_BINS)
	@$(TEST_ENV) sh tests/run.sh $(FAULT_SCRIPTS)
