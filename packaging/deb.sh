#!/bin/sh
# deb.sh - splits a staged "make install" tree into Debian packages.
#
#   sh packaging/deb.sh DIR VERSION ARCH MULTIARCH
#
# DIR/root holds "make install DESTDIR=DIR/root PREFIX=/usr
# LIBDIR=/usr/lib/MULTIARCH"; the packages are written to DIR:
#
#   agentapi-c       /usr/bin/agentapi-c and its man page
#   libagentapi0     the shared library (shlibs file, ldconfig trigger)
#   libagentapi-dev  header, static library, .so link, pkg-config file
#
# Built with dpkg-deb --root-owner-group, no debhelper.  Binaries are
# stripped, man pages and changelogs compressed with "gzip -9n".  The
# binary's Depends come from dpkg-shlibdeps when it is installed, else from
# "dpkg -S" of the libraries ldd lists (no version constraints then).
# Maintainer: $DEBFULLNAME <$DEBEMAIL> when set.  Dates come from
# SOURCE_DATE_EPOCH, else the last commit, so a rebuild is reproducible.
set -eu

dir=$1 version=$2 arch=$3 multiarch=$4
root=$dir/root
top=$(pwd)
maint="${DEBFULLNAME:-agentapi-c maintainers} <${DEBEMAIL:-agentapi-c@example.org}>"
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git -C "$top" log -1 --format=%ct 2>/dev/null ||
		date +%s)
fi
export SOURCE_DATE_EPOCH
libdir=usr/lib/$multiarch

die() {
	echo "deb.sh: $*" >&2
	exit 1
}

[ -d "$root/usr/bin" ] || die "no staged install in $root"

# stage PKG PATH... : moves PATHs (relative to the root) into PKG's tree.
stage() {
	pkg=$1
	shift
	for p in "$@"; do
		mkdir -p "$dir/$pkg/$(dirname "$p")"
		mv "$root/$p" "$dir/$pkg/$p"
	done
}

# docs PKG : the copyright file and a changelog for PKG.
docs() {
	d=$dir/$1/usr/share/doc/$1
	mkdir -p "$d"
	cp "$top/packaging/debian/copyright" "$d/copyright"
	{
		echo "agentapi-c ($version) unstable; urgency=medium"
		echo
		echo "  * Release $version."
		echo
		echo " -- $maint  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
	} | gzip -9n >"$d/changelog.gz"
}

# control PKG DEPENDS SECTION SUMMARY DESCRIPTION : writes DEBIAN/control,
# md5sums, and builds the package.
build() {
	pkg=$1 depends=$2 section=$3 summary=$4 description=$5
	p=$dir/$pkg
	find "$p" -type d -exec chmod 755 {} +
	find "$p" -type f -exec chmod 644 {} +
	[ ! -d "$p/usr/bin" ] || chmod 755 "$p"/usr/bin/*
	find "$p" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
	mkdir -p "$p/DEBIAN"
	size=$(du -sk --exclude=DEBIAN "$p" | cut -f1)
	{
		echo "Package: $pkg"
		echo "Source: agentapi-c"
		echo "Version: $version"
		echo "Architecture: $arch"
		echo "Maintainer: $maint"
		echo "Installed-Size: $size"
		[ -z "$depends" ] || echo "Depends: $depends"
		echo "Section: $section"
		echo "Priority: optional"
		echo "Homepage: https://github.com/coder/agentapi"
		echo "Description: $summary"
		echo "$description" | fold -s -w 72 | sed 's/ *$//; s/^/ /'
	} >"$p/DEBIAN/control"
	(cd "$p" && find . -path ./DEBIAN -prune -o -type f -print |
		sed 's|^\./||' | LC_ALL=C sort | xargs -r md5sum) \
		>"$p/DEBIAN/md5sums"
	chmod 644 "$p/DEBIAN/control" "$p/DEBIAN/md5sums"
	dpkg-deb --root-owner-group -Zxz --build "$p" \
		"$dir/${pkg}_${version}_$arch.deb" >/dev/null
}

# shlibdeps BINARY : the Depends line for BINARY's shared libraries.
shlibdeps() {
	if command -v dpkg-shlibdeps >/dev/null 2>&1; then
		t=$(mktemp -d)
		mkdir "$t/debian"
		printf 'Source: agentapi-c\n\nPackage: agentapi-c\nArchitecture: any\n' \
			>"$t/debian/control"
		(cd "$t" && dpkg-shlibdeps -O "$1" 2>/dev/null) |
			sed -n 's/^shlibs:Depends=//p'
		rm -rf "$t"
		return
	fi
	ldd "$1" | awk '$3 ~ /^\// { print $3 }' | while read -r lib; do
		dpkg -S "$(readlink -f "$lib")" 2>/dev/null | cut -d: -f1
	done | LC_ALL=C sort -u | paste -sd, - | sed 's/,/, /g'
}

# The binary: absolute paths so dpkg-shlibdeps can run from a temp dir.
stage agentapi-c usr/bin/agentapi-c usr/share/man/man1/agentapi-c.1
bin=$(cd "$dir/agentapi-c/usr/bin" && pwd)/agentapi-c
strip --strip-unneeded -R .comment "$bin"
gzip -9n "$dir/agentapi-c/usr/share/man/man1/agentapi-c.1"
docs agentapi-c
cp "$top/packaging/coder/README.md" \
	"$dir/agentapi-c/usr/share/doc/agentapi-c/README.coder.md"
depends=$(shlibdeps "$bin")
[ -n "$depends" ] || die "could not compute the binary's Depends"
build agentapi-c "$depends" utils \
	"run a terminal coding agent and serve it over HTTP" \
	"agentapi-c starts a terminal coding agent (Claude Code, Codex, Aider, Goose and others) under a pseudo-terminal, emulates its screen, turns the screen into a conversation with a running or stable status and serves it over HTTP and Server-Sent Events, with a small web chat. It is a drop-in replacement for coder/agentapi; the compatibility command name agentapi is not installed, see /usr/share/doc/agentapi-c/README.coder.md."

# The shared library.
stage libagentapi0 "$libdir/libagentapi.so.0"
so=$dir/libagentapi0/$libdir/libagentapi.so.0
strip --strip-unneeded -R .comment "$so"
docs libagentapi0
build_lib_depends=$(shlibdeps "$(cd "$(dirname "$so")" && pwd)/libagentapi.so.0")
mkdir -p "$dir/libagentapi0/DEBIAN"
echo "libagentapi 0 libagentapi0 (>= $version)" \
	>"$dir/libagentapi0/DEBIAN/shlibs"
echo "activate-noawait ldconfig" >"$dir/libagentapi0/DEBIAN/triggers"
chmod 644 "$dir/libagentapi0/DEBIAN/shlibs" \
	"$dir/libagentapi0/DEBIAN/triggers"
build libagentapi0 "$build_lib_depends" libs \
	"embeddable agentapi-c library (run and watch a coding agent)" \
	"libagentapi runs a terminal coding agent under a pseudo-terminal on the caller's libuv loop and reports its conversation and status, optionally serving them over HTTP and Server-Sent Events like agentapi-c. This package holds the shared library."

# The development files: whatever is left in the staged tree.
stage libagentapi-dev usr/include/agentapi.h "$libdir/libagentapi.a" \
	"$libdir/libagentapi.so" "$libdir/pkgconfig/agentapi.pc"
strip --strip-debug -R .comment \
	"$dir/libagentapi-dev/$libdir/libagentapi.a"
docs libagentapi-dev
build libagentapi-dev \
	"libagentapi0 (= $version), libuv1-dev, libtsm-dev, libcjson-dev" \
	libdevel "embeddable agentapi-c library - development files" \
	"libagentapi runs a terminal coding agent under a pseudo-terminal on the caller's libuv loop and reports its conversation and status, optionally serving them over HTTP and Server-Sent Events. This package holds the header, the static library and the pkg-config file (agentapi)."

left=$(cd "$root" && find . ! -type d)
[ -z "$left" ] || die "files not in any package: $left"
rm -rf "$root"
for p in agentapi-c libagentapi0 libagentapi-dev; do
	echo "deb: $dir/${p}_${version}_$arch.deb" \
		"($(stat -c %s "$dir/${p}_${version}_$arch.deb") bytes)"
done
