# pkg.mk - install, install-compat, uninstall, deb and release.
#
#   make install [PREFIX=/usr/local] [DESTDIR=] [LIBDIR=$(PREFIX)/lib]
#                   agentapi-c, agentapi.h, libagentapi.a, libagentapi.so.0
#                   (+ the libagentapi.so link), agentapi.pc, agentapi-c.1
#   make install-compat
#                   the same plus the command name "agentapi" (a symbolic
#                   link to agentapi-c; it shadows an installed upstream)
#   make deb        Debian packages agentapi-c, libagentapi0 and
#                   libagentapi-dev in $(BUILD)/deb/ (dpkg-deb, no debhelper)
#   make release    $(BUILD)/release/agentapi-c-linux-<arch>, a copy named
#                   agentapi-linux-<arch> (the name Coder's modules fetch) and
#                   SHA256SUMS; libuv and libtsm linked statically, libcjson
#                   and glibc dynamically (packaging/release-libs.txt)
#
# The package and release rules reuse the objects of the ordinary build;
# packaging/deb.sh does the Debian-specific part.

BINDIR ?= $(PREFIX)/bin
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL ?= install

# Inside the .pc file, libdir is written relative to ${exec_prefix} when it
# lies under the prefix, so "pkg-config --define-prefix" can relocate it.
PC_LIBDIR = $(patsubst $(PREFIX)/%,$${exec_prefix}/%,$(LIBDIR))

.PHONY: install install-compat uninstall deb release

install: $(BIN) $(LIB_A) $(LIB_SO)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(MANDIR)/man1
	$(INSTALL) -m 755 $(BIN) $(DESTDIR)$(BINDIR)/agentapi-c
	$(INSTALL) -m 644 include/agentapi.h $(DESTDIR)$(INCLUDEDIR)/agentapi.h
	$(INSTALL) -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/libagentapi.a
	$(INSTALL) -m 644 $(LIB_SO) \
		$(DESTDIR)$(LIBDIR)/libagentapi.so.$(SOVERSION)
	ln -sf libagentapi.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libagentapi.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(PC_LIBDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' packaging/agentapi.pc.in \
		>$(DESTDIR)$(PKGCONFIGDIR)/agentapi.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/agentapi.pc
	$(INSTALL) -m 644 packaging/agentapi-c.1 \
		$(DESTDIR)$(MANDIR)/man1/agentapi-c.1

# Only on request: "agentapi" on PATH is what Coder's modules run.
install-compat: install
	ln -sf agentapi-c $(DESTDIR)$(BINDIR)/agentapi
	ln -sf agentapi-c.1 $(DESTDIR)$(MANDIR)/man1/agentapi.1

# Removes what install and install-compat put in place; "agentapi" only if
# it is our link, never an upstream binary.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/agentapi-c \
		$(DESTDIR)$(INCLUDEDIR)/agentapi.h \
		$(DESTDIR)$(LIBDIR)/libagentapi.a \
		$(DESTDIR)$(LIBDIR)/libagentapi.so.$(SOVERSION) \
		$(DESTDIR)$(LIBDIR)/libagentapi.so \
		$(DESTDIR)$(PKGCONFIGDIR)/agentapi.pc \
		$(DESTDIR)$(MANDIR)/man1/agentapi-c.1
	if [ "$$(readlink $(DESTDIR)$(BINDIR)/agentapi)" = agentapi-c ]; then \
		rm -f $(DESTDIR)$(BINDIR)/agentapi \
			$(DESTDIR)$(MANDIR)/man1/agentapi.1; fi

# --- Debian packages ---------------------------------------------------

DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null)
DEB_MULTIARCH := $(shell dpkg-architecture -qDEB_HOST_MULTIARCH \
	2>/dev/null || $(CC) -print-multiarch 2>/dev/null)
DEB_DIR := $(BUILD)/deb
DEB_FILES := $(DEB_DIR)/agentapi-c_$(VERSION)_$(DEB_ARCH).deb \
	$(DEB_DIR)/libagentapi0_$(VERSION)_$(DEB_ARCH).deb \
	$(DEB_DIR)/libagentapi-dev_$(VERSION)_$(DEB_ARCH).deb

deb: $(DEB_FILES)

# One staging install under /usr with the multiarch libdir; deb.sh splits
# it into the three packages.
$(DEB_FILES) &: $(BIN) $(LIB_A) $(LIB_SO) packaging/agentapi.pc.in \
		packaging/agentapi-c.1 packaging/deb.sh packaging/debian \
		packaging/debian/* packaging/coder/README.md mk/pkg.mk
	rm -rf $(DEB_DIR)
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(DEB_DIR)/root \
		PREFIX=/usr LIBDIR=/usr/lib/$(DEB_MULTIARCH)
	sh packaging/deb.sh $(DEB_DIR) $(VERSION) $(DEB_ARCH) \
		$(DEB_MULTIARCH)

# --- release binary ----------------------------------------------------

REL_UNAME := $(shell uname -m)
REL_ARCH := $(or $(patsubst x86_64,amd64,$(REL_UNAME:aarch64=arm64)),unknown)
REL_DIR := $(BUILD)/release
REL_BIN := $(REL_DIR)/agentapi-c-linux-$(REL_ARCH)
REL_COMPAT := $(REL_DIR)/agentapi-linux-$(REL_ARCH)
# Debian ships static archives of libuv (libuv_a.a, pkg-config libuv-static)
# and libtsm (libtsm.a) but not of cJSON, so libcjson.so.1 stays dynamic,
# as does glibc (forkpty, getaddrinfo and NSS do not link statically).
REL_LIBS := -Wl,--as-needed -l:libtsm.a \
	$(shell $(PKG_CONFIG) --libs --static libuv-static 2>/dev/null) \
	$(shell $(PKG_CONFIG) --libs libcjson 2>/dev/null) -lutil -lm

release: $(REL_DIR)/SHA256SUMS

$(REL_BIN): $(BUILD)/obj/src/prog/main.o $(PROG_A) $(LIB_A) mk/pkg.mk
	@mkdir -p $(@D)
	$(CC) $(LDSAN) -o $@.tmp $(filter %.o %.a,$^) $(REL_LIBS)
	strip --strip-unneeded -R .comment $@.tmp
	mv -f $@.tmp $@

$(REL_COMPAT): $(REL_BIN)
	cp -f $< $@

$(REL_DIR)/SHA256SUMS: $(REL_BIN) $(REL_COMPAT)
	cd $(@D) && sha256sum $(notdir $^) >SHA256SUMS.tmp && \
		mv -f SHA256SUMS.tmp SHA256SUMS
