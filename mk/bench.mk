# bench.mk - `make bench`: the performance table (bench/run.sh), not part
# of `make test`.  Installs wrk, nginx and tmux from Debian when missing
# (packaging/deps.sh bench).
#
#   make bench            every row, BENCH_RUNS=3 runs of the short ones,
#                         then the many-sessions run (bench/sessions.sh)
#   make bench BENCH_ROWS="1 5"   only some rows
#   make bench-sessions   only the many-sessions run: 200 demo agents in one
#                         host, as 200 servers and in one tmux (CI=true: 20)

BENCH_PROGS := $(BUILD)/bench/bench-agent $(BUILD)/bench/bench-tool
BENCH_RUNS ?= 3
BENCH_ROWS ?= 1 2 3 4 5 6 7 8

.PHONY: bench bench-sessions

$(BUILD)/bench/bench-agent: bench/bench-agent.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $<

$(BUILD)/bench/bench-tool: bench/bench-tool.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)

bench: $(BUILD)/.deps-bench $(BIN) $(BENCH_PROGS)
	BUILD=$(BUILD) BIN=$(BIN) BENCH_RUNS=$(BENCH_RUNS) \
	    BENCH_ROWS="$(BENCH_ROWS)" sh bench/run.sh
	BUILD=$(BUILD) BIN=$(BIN) sh bench/sessions.sh

bench-sessions: $(BUILD)/.deps-bench $(BIN)
	BUILD=$(BUILD) BIN=$(BIN) sh bench/sessions.sh
