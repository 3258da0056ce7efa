# bench.mk - `make bench`: the performance table (bench/run.sh), not part
# of `make test`.  Installs wrk, nginx and tmux from Debian when missing
# (packaging/deps.sh bench).
#
#   make bench            every row, BENCH_RUNS=3 runs of the short ones
#   make bench BENCH_ROWS="1 5"   only some rows

BENCH_PROGS := $(BUILD)/bench/bench-agent $(BUILD)/bench/bench-tool
BENCH_RUNS ?= 3
BENCH_ROWS ?= 1 2 3 4 5 6 7 8

.PHONY: bench

$(BUILD)/bench/bench-agent: bench/bench-agent.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $<

$(BUILD)/bench/bench-tool: bench/bench-tool.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)

bench: $(BUILD)/.deps-bench $(BIN) $(BENCH_PROGS)
	BUILD=$(BUILD) BIN=$(BIN) BENCH_RUNS=$(BENCH_RUNS) \
	    BENCH_ROWS="$(BENCH_ROWS)" sh bench/run.sh
