# web.mk - embeds web/ (the chat and the docs page) and schemas/ (the API
# contract) into the library as a generated C table (src/api/webassets.h).
#
# tools/embed.c is built with the host compiler; text files are gzipped
# with "gzip -9n" (no name, no time stamp: reproducible); the table is
# regenerated when a file, the list of files or the tool changes.

HOSTCC ?= cc
WEB_FILES := $(sort $(shell find web schemas -type f ! -name '.*' \
	2>/dev/null))
WEB_GZ := $(patsubst %,$(BUILD)/gen/gz/%.gz,$(filter %.html %.css %.js \
	%.mjs %.json %.svg %.txt,$(WEB_FILES)))
WEB_EMBED := $(BUILD)/tools/embed
WEB_GEN := $(BUILD)/gen/web-assets.c

GEN_OBJS += $(BUILD)/obj/gen/web-assets.o
GEN_SRCS += $(WEB_GEN)

$(WEB_EMBED): tools/embed.c
	@mkdir -p $(@D)
	$(HOSTCC) -std=c11 -O2 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/gen/gz/%.gz: %
	@mkdir -p $(@D)
	gzip -9n -c $< >$@.tmp && mv $@.tmp $@

# The directories are prerequisites too, so adding or removing a file
# (which changes the directory's mtime) regenerates the table.
$(WEB_GEN): $(WEB_EMBED) $(WEB_FILES) $(WEB_GZ) web schemas mk/web.mk
	@mkdir -p $(@D)
	$(WEB_EMBED) -o $@ -z $(BUILD)/gen/gz $(WEB_FILES)

$(BUILD)/obj/gen/web-assets.o: $(WEB_GEN) src/api/webassets.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DAA_BUILDING_LIBRARY $(CFLAGS) -c $< -o $@

# The fuzz targets compile $(GEN_SRCS) from source; make sure they exist.
$(patsubst tests/fuzz/fuzz-%.c,build-fuzz/fuzz-%,\
	$(wildcard tests/fuzz/fuzz-*.c)): $(WEB_GEN)
