# vt.mk - the terminal-model benchmark (not part of `make test`).
#
#   make bench-vt    build and run bench/vt-throughput (feed MiB/s, text us)

.PHONY: bench-vt

$(BUILD)/bench/vt-throughput: bench/vt-throughput.c $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB_A) $(LDLIBS)

bench-vt: $(BUILD)/bench/vt-throughput
	$(BUILD)/bench/vt-throughput
