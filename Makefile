# agentapi-c - plain GNU make (see README.md "Building").
#
#   make            build ./agentapi-c and libagentapi.a (installs missing
#                   Debian packages first, see packaging/deps.sh)
#   make test       build and run every test; ends with "N passed, N failed"
#   make test-asan  the same under AddressSanitizer + UBSan (build-asan/)
#   make fuzz       build the libFuzzer targets (clang) into build-fuzz/
#   make run        build and start the server with the built-in demo agent
#   make clean
#
# src/ is laid out in layers (README.md "Code map"; tools/layers.sh checks
# that no file includes a higher layer).  Every file under src/{base,core,
# runtime,http,api}/ and agents/ goes into the library; src/prog/ is the
# program (main.c plus its CLI, attach, demo agent and PID file, collected
# in $(BUILD)/libprog.a so the tests can link them) and stays out of it.
# Every tests/test-*.c is one test program linked against both; every
# tests/fuzz/fuzz-*.c is one fuzz target.  Adding a module means adding
# files, not editing this Makefile.

VERSION := $(shell sed -n 's/^\#define AA_VERSION_STRING "\(.*\)"/\1/p' include/agentapi.h)
SOVERSION := 0

BUILD ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := libuv libtsm libcjson
LLHTTP_SRC ?= /usr/share/llhttp
LLHTTP_INC ?= /usr/share/include/llhttp
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wpointer-arith -Wundef -Wvla \
	-Werror
OPT ?= -O2 -g
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
# Hardening (Debian's defaults for packages) except under the sanitizers.
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong
LDSAN := -Wl,-z,relro,-z,now
ifeq ($(SAN),1)
OPT := -O1 -g $(SAN_FLAGS)
HARDEN :=
LDSAN := $(SAN_FLAGS)
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CPPFLAGS += -D_GNU_SOURCE -Iinclude -Isrc -I$(LLHTTP_INC) $(PKG_CFLAGS)
CFLAGS += -std=c11 $(OPT) $(HARDEN) -fPIC -fvisibility=hidden $(WARN) -MMD -MP
LDLIBS += $(PKG_LIBS) -lutil -lm

LAYERS := base core runtime http api host
LIB_SRCS := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c)) $(wildcard agents/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
PROG_SRCS := $(filter-out src/prog/main.c,$(wildcard src/prog/*.c))
PROG_OBJS := $(PROG_SRCS:%.c=$(BUILD)/obj/%.o)
PROG_A := $(BUILD)/libprog.a
LLHTTP_OBJS := $(BUILD)/obj/llhttp/llhttp.o $(BUILD)/obj/llhttp/api.o \
	$(BUILD)/obj/llhttp/http.o
# Generated sources (the embedded web chat) add themselves here.
GEN_OBJS :=

LIB_A := $(if $(filter build,$(BUILD)),libagentapi.a,$(BUILD)/libagentapi.a)
LIB_SO := $(BUILD)/libagentapi.so.$(SOVERSION)
BIN := $(if $(filter build,$(BUILD)),agentapi-c,$(BUILD)/agentapi-c)
-include mk/*.mk

TEST_SRCS := $(wildcard tests/test-*.c)
TEST_BINS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
# Helper programs the tests run (fake agents and the like).
HELPER_SRCS := $(filter-out tests/runner.c $(TEST_SRCS),$(wildcard tests/*.c))
HELPER_BINS := $(HELPER_SRCS:tests/%.c=$(BUILD)/tests/%)
# Script tests: executables that print a "name: N passed, N failed" line.
# The long fault runs (tests/fault/) are `make test-fault`'s.
FAULT_SCRIPTS := $(sort $(wildcard tests/fault/*.test.sh))
TEST_SCRIPTS := $(filter-out $(FAULT_SCRIPTS),$(sort $(wildcard tests/*.test.sh tests/*/*.test.sh)))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz-*.c)
REPLAY_BINS := $(FUZZ_SRCS:tests/fuzz/fuzz-%.c=$(BUILD)/tests/replay-%)

DEPS_STAMP := $(BUILD)/.deps-ok
# Objects depend on the compiler flags too: a changed flag rebuilds them.
FLAGS_STAMP := $(BUILD)/.flags
FLAGS_NOW := $(CC) $(CPPFLAGS) $(CFLAGS) $(LDSAN)
$(shell mkdir -p $(BUILD); echo '$(FLAGS_NOW)' | cmp -s - $(FLAGS_STAMP) || \
	echo '$(FLAGS_NOW)' > $(FLAGS_STAMP))

.SECONDARY:
.PHONY: all deps test test-asan test-fault check fuzz run clean install
.DEFAULT_GOAL := all

all: $(BIN) $(LIB_A) $(LIB_SO) $(HELPER_BINS)

# Installs whatever Debian packages are missing (idempotent; needs root).
deps:
	@sh packaging/deps.sh

$(DEPS_STAMP): packaging/deps.sh
	@sh packaging/deps.sh --check || sh packaging/deps.sh
	@mkdir -p $(@D) && touch $@

$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DAA_BUILDING_LIBRARY $(CFLAGS) -c $< -o $@

# llhttp is generated C from Debian's node-llhttp; it is not ours, so it is
# built with its own (quiet) flags.
$(BUILD)/obj/llhttp/%.o: $(LLHTTP_SRC)/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -O2 -g -fPIC -w $(filter -fsanitize% -fno-%,$(OPT)) \
		-I$(LLHTTP_INC) -c $< -o $@

$(LIB_A): $(LIB_OBJS) $(LLHTTP_OBJS) $(GEN_OBJS)
	@rm -f $@
	ar rcs $@ $^

# The shared library exports only what src/libagentapi.sym lists.
$(LIB_SO): $(LIB_OBJS) $(LLHTTP_OBJS) $(GEN_OBJS) src/libagentapi.sym
	$(CC) -shared $(LDSAN) -Wl,-soname,libagentapi.so.$(SOVERSION) \
		-Wl,--version-script=src/libagentapi.sym -Wl,--no-undefined \
		-o $@ $(filter %.o,$^) $(LDLIBS)
	ln -sf libagentapi.so.$(SOVERSION) $(BUILD)/libagentapi.so

$(BUILD)/agentapi.pc: packaging/agentapi.pc.in include/agentapi.h
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' $< > $@

$(PROG_A): $(PROG_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/obj/src/prog/main.o $(PROG_A) $(LIB_A)
	$(CC) $(LDSAN) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%.o: tests/%.c $(FLAGS_STAMP) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS) -c $< -o $@

$(BUILD)/tests/test-%: $(BUILD)/tests/test-%.o $(BUILD)/tests/runner.o $(PROG_A) $(LIB_A)
	$(CC) $(LDSAN) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(PROG_A) $(LIB_A)
	$(CC) $(LDSAN) -o $@ $^ $(LDLIBS)

# Fuzz regression replay: the fuzz entry point with a main() that feeds it
# every committed input, built with the ordinary compiler.
$(BUILD)/tests/replay-%: $(BUILD)/tests/fuzz/fuzz-%.o \
		$(BUILD)/tests/fuzz/replay.o $(BUILD)/tests/runner.o $(PROG_A) $(LIB_A)
	$(CC) $(LDSAN) -o $@ $^ $(LDLIBS)

TEST_ENV := AA_TOP=$(CURDIR) AA_BUILD=$(CURDIR)/$(BUILD) AA_SAN=$(SAN) \
	AA_BIN=$(CURDIR)/$(BIN) \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# The Node-side tests (browser, SSE client, schema validator) need Debian's
# chromium and the pinned npm packages; tests/web/setup.sh installs both.
NODE_STAMP := tests/node_modules/.package-lock.json
$(NODE_STAMP): tests/package-lock.json tests/web/setup.sh
	sh tests/web/setup.sh
	@touch $@

test: $(NODE_STAMP) $(BIN) $(LIB_A) $(LIB_SO) $(TEST_BINS) $(HELPER_BINS) $(REPLAY_BINS)
	@$(TEST_ENV) sh tests/run.sh $(TEST_BINS) $(REPLAY_BINS) $(TEST_SCRIPTS)

check: test

test-fault: $(BIN) $(TEST_BINS) $(HELPER_BINS)
	@$(TEST_ENV) sh tests/run.sh $(FAULT_SCRIPTS)

test-asan:
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 test

# libFuzzer targets: the library's sources rebuilt with clang and the fuzzer
# instrumentation.  Run one with e.g.
#   build-fuzz/fuzz-vt -max_total_time=600 tests/fuzz/corpus/vt
FUZZ_BUILD := build-fuzz
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
	-Iinclude -Isrc -Itests -I$(LLHTTP_INC) $(PKG_CFLAGS)
fuzz: $(FUZZ_SRCS:tests/fuzz/fuzz-%.c=$(FUZZ_BUILD)/fuzz-%)

$(FUZZ_BUILD)/fuzz-%: tests/fuzz/fuzz-%.c $(LIB_SRCS) $(PROG_SRCS) $(LLHTTP_OBJS)
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -o $@ $< $(LIB_SRCS) $(PROG_SRCS) $(GEN_SRCS) \
		$(LLHTTP_OBJS) $(LDLIBS)

run: all
	@sh packaging/run.sh

# install, install-compat, deb and release: see mk/pkg.mk.

clean:
	rm -rf build build-asan build-fuzz agentapi-c libagentapi.a

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
