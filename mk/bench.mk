# bench.mk - `make bench`: the performance table (bench/run.sh), not part
# of `make test`.  Installs wrk, nginx, tmux and valgrind from Debian when
# missing.
#
#   make bench            every row, BENCH_RUNS=3 runs of the short ones
#   make bench BENCH_ROWS="1 5"   only some rows

BENCH_PROGS := $(BUILD)/bench/bench-agent $(BUILD)/bench/bench-tool
BENCH_RUNS ?= 3
BENCH_ROWS ?= 1 2 3 4 5 6 7 8

.PHONY: bench bench-deps

$(BUILD)/bench/bench-agent: bench/bench-agent.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $<

$(BUILD)/bench/bench-tool: bench/bench-tool.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)

bench-deps:
	@missing=; for p in wrk:wrk nginx:nginx tmux:tmux valgrind:valgrind; do \
		command -v $${p%%:*} >/dev/null 2>&1 || \
		[ -x /usr/sbin/$${p%%:*} ] || missing="$$missing $${p#*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "bench: installing$$missing"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y \
		    --no-install-recommends $$missing; \
	fi

bench: bench-deps $(BIN) $(BENCH_PROGS)
	BUILD=$(BUILD) BIN=$(BIN) BENCH_RUNS=$(BENCH_RUNS) \
	    BENCH_ROWS="$(BENCH_ROWS)" sh bench/run.sh
