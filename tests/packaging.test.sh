#!/bin/sh
# packaging.test.sh - make install, pkg-config, the .deb packages, the
# release binary, packaging/install.sh and the shell scripts.
#
# Runs "make install/install-compat" into a temporary DESTDIR, builds a
# program through "pkg-config agentapi" against it (shared and static),
# builds "make deb" and "make release" (they reuse the objects of the
# build under test) and checks what they hold.  Under the sanitizers
# (AA_SAN=1) the .deb and release checks are skipped: those artifacts come
# from the ordinary build only.
top=${AA_TOP:-$(pwd)}
build=${AA_BUILD:-$top/build}
bname=$(basename "$build")
make=${MAKE:-make}
pass=0 fail=0 skip=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/aa-pkg.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
version=$(sed -n 's/^#define AA_VERSION_STRING "\(.*\)"/\1/p' \
	"$top/include/agentapi.h")
cc=${CC:-cc}
san_flags=
[ "${AA_SAN:-}" != 1 ] ||
	san_flags="-fsanitize=address,undefined -fno-omit-frame-pointer"

ok() { pass=$((pass + 1)); echo "ok   $*"; }
no() { fail=$((fail + 1)); echo "FAIL $*"; }
skipped() { skip=$((skip + 1)); echo "skip $*"; }
# check DESCRIPTION COMMAND... : one case, passed when COMMAND succeeds.
check() {
	_desc=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then
		ok "$_desc"
	else
		no "$_desc"
		sed 's/^/     /' "$tmp/out" | head -20
	fi
}
# mk TARGET [VAR=VALUE...] : runs make in the tree under test.
mk() {
	"$make" -s --no-print-directory -C "$top" BUILD="$bname" \
		SAN="${AA_SAN:-}" "$@"
}

# --- make install into DESTDIR -----------------------------------------

dest=$tmp/dest prefix=/opt/aa
if mk install DESTDIR="$dest" PREFIX="$prefix" >"$tmp/install.log" 2>&1; then
	ok "make install DESTDIR PREFIX"
else
	no "make install"; cat "$tmp/install.log"
fi
cat >"$tmp/want" <<EOF
$prefix/bin/agentapi-c
$prefix/include/agentapi.h
$prefix/lib/libagentapi.a
$prefix/lib/libagentapi.so
$prefix/lib/libagentapi.so.0
$prefix/lib/pkgconfig/agentapi.pc
$prefix/share/man/man1/agentapi-c.1
EOF
(cd "$dest" && find . ! -type d | sed 's|^\.||' | LC_ALL=C sort) >"$tmp/got"
check "installed file list" diff "$tmp/want" "$tmp/got"
check "libagentapi.so links to libagentapi.so.0" \
	test "$(readlink "$dest$prefix/lib/libagentapi.so")" = libagentapi.so.0
check "agentapi-c is executable, no agentapi without install-compat" \
	sh -c "test -x '$dest$prefix/bin/agentapi-c' && ! test -e '$dest$prefix/bin/agentapi'"
check "agentapi.pc names the prefix and version" \
	grep -qx "Version: $version" "$dest$prefix/lib/pkgconfig/agentapi.pc"
check "man page version matches include/agentapi.h" \
	grep -q "^\.TH AGENTAPI-C 1 .*\"agentapi-c $version\"" \
	"$top/packaging/agentapi-c.1"
if command -v man >/dev/null 2>&1; then
	check "man page renders without warnings" sh -c \
		"LC_ALL=C.UTF-8 man --warnings -l -Tutf8 -Z '$top/packaging/agentapi-c.1' 2>&1 >/dev/null | (! grep .)"
else
	skipped "man not installed"
fi

mk install-compat DESTDIR="$dest" PREFIX="$prefix" >/dev/null 2>&1
check "install-compat adds the agentapi link" \
	test "$(readlink "$dest$prefix/bin/agentapi")" = agentapi-c
# Coder's probe: the last word of "agentapi --version", >= 0.12.0.
probe=$("$dest$prefix/bin/agentapi" --version 2>/dev/null | awk '{print $NF}')
check "agentapi --version | awk '{print \$NF}' = $version (>= 0.12.0)" \
	sh -c "test '$probe' = '$version' &&
	    printf '0.12.0\n%s\n' '$probe' | sort -V -C"

# --- pkg-config: a program against the installed library ---------------

cat >"$tmp/prog.c" <<'EOF'
#include <stdio.h>
#include <agentapi.h>
int
main(void)
{
	printf("%s\n", aa_version_string());
	return 0;
}
EOF
export PKG_CONFIG_PATH="$dest$prefix/lib/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$dest"
flags=$(pkg-config --cflags --libs agentapi 2>&1)
check "pkg-config --cflags --libs agentapi: $flags" sh -c \
	"echo ' $flags ' | grep -qF ' -I$dest$prefix/include ' &&
	    echo ' $flags ' | grep -qF ' -L$dest$prefix/lib -lagentapi '"
# shellcheck disable=SC2086 # flags are word lists
if $cc $san_flags -o "$tmp/prog" "$tmp/prog.c" $flags >"$tmp/cc.log" 2>&1; then
	out=$(LD_LIBRARY_PATH="$dest$prefix/lib" "$tmp/prog")
	check "program built with pkg-config prints the version" \
		test "$out" = "$version"
	check "program loads the installed libagentapi.so.0" sh -c \
		"LD_LIBRARY_PATH='$dest$prefix/lib' ldd '$tmp/prog' | grep -q '$dest$prefix/lib/libagentapi.so.0'"
else
	no "compile with pkg-config"; cat "$tmp/cc.log"
fi
sflags=$(pkg-config --cflags --libs --static agentapi | sed 's/-lagentapi/-l:libagentapi.a/')
# shellcheck disable=SC2086
if $cc $san_flags -o "$tmp/prog-static" "$tmp/prog.c" $sflags >"$tmp/cc.log" 2>&1; then
	check "static link with pkg-config --static runs" \
		test "$("$tmp/prog-static")" = "$version"
else
	no "static link with pkg-config --static"; cat "$tmp/cc.log"
fi
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

mk uninstall DESTDIR="$dest" PREFIX="$prefix" >/dev/null 2>&1
check "make uninstall removes every file" \
	test -z "$(find "$dest" ! -type d)"

# --- Debian packages -----------------------------------------------------

arch=$(dpkg --print-architecture 2>/dev/null)
if [ "${AA_SAN:-}" = 1 ]; then
	skipped ".deb checks (sanitizer build)"
elif ! command -v dpkg-deb >/dev/null 2>&1; then
	skipped ".deb checks (no dpkg-deb)"
elif ! mk deb >"$tmp/deb.log" 2>&1; then
	no "make deb"; cat "$tmp/deb.log"
else
	ok "make deb"
	d=$build/deb
	bin_deb=$d/agentapi-c_${version}_$arch.deb
	for p in agentapi-c libagentapi0 libagentapi-dev; do
		f=$d/${p}_${version}_$arch.deb
		check "$p: package fields" sh -c \
			"dpkg-deb -f '$f' Package Version Architecture | tr '\n' ' ' | grep -qx 'Package: $p Version: $version Architecture: $arch '"
		echo "     $(basename "$f"): $(stat -c %s "$f") bytes," \
			"Installed-Size $(dpkg-deb -f "$f" Installed-Size) KiB"
	done
	dpkg-deb -c "$bin_deb" | awk '{ print $6 }' | sed 's|^\./|/|' |
		grep -v '/$' | LC_ALL=C sort >"$tmp/got"
	printf '%s\n' /usr/bin/agentapi-c \
		/usr/share/doc/agentapi-c/README.coder.md \
		/usr/share/doc/agentapi-c/changelog.gz \
		/usr/share/doc/agentapi-c/copyright \
		/usr/share/man/man1/agentapi-c.1.gz | LC_ALL=C sort >"$tmp/want"
	check "agentapi-c.deb file list" diff "$tmp/want" "$tmp/got"
	rm -rf "$tmp/x"
	dpkg -x "$bin_deb" "$tmp/x"
	out=$("$tmp/x/usr/bin/agentapi-c" --version 2>&1)
	check "unpacked agentapi-c --version: $out" \
		test "$out" = "agentapi-c version $version"
	# Every library the binary loads is owned by a package in Depends.
	deps=$(dpkg-deb -f "$bin_deb" Depends)
	echo "     Depends: $deps"
	missing=
	for lib in $(ldd "$tmp/x/usr/bin/agentapi-c" |
	    awk '$3 ~ /^\// { print $3 }'); do
		owner=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null |
			cut -d: -f1 | head -n 1)
		[ -z "$owner" ] || echo "$deps" | grep -Eq "(^|, )$owner( |,|$)" ||
			missing="$missing $owner"
	done
	check "Depends covers every linked library${missing:+ (missing:$missing)}" \
		test -z "$missing"
	check "libagentapi0 has a shlibs file" sh -c \
		"dpkg-deb --ctrl-tarfile '$d/libagentapi0_${version}_$arch.deb' | tar -xO ./shlibs | grep -qx 'libagentapi 0 libagentapi0 (>= $version)'"
	check "libagentapi-dev depends on libagentapi0 (= $version)" sh -c \
		"dpkg-deb -f '$d/libagentapi-dev_${version}_$arch.deb' Depends | grep -qF 'libagentapi0 (= $version)'"
	if command -v lintian >/dev/null 2>&1; then
		lintian --allow-root "$d"/*.deb >"$tmp/lintian" 2>&1
		check "lintian: no errors or warnings" sh -c \
			"! grep -E '^[EW]: ' '$tmp/lintian'"
		grep -E '^[EWI]: ' "$tmp/lintian" | sed 's/^/     /'
	else
		skipped "lintian not installed (apt-get install lintian)"
	fi
fi

# --- release binary --------------------------------------------------------

rel=$build/release
if [ "${AA_SAN:-}" = 1 ]; then
	skipped "release checks (sanitizer build)"
elif ! mk release >"$tmp/rel.log" 2>&1; then
	no "make release"; cat "$tmp/rel.log"
else
	ok "make release"
	a=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
	check "SHA256SUMS verifies both assets" sh -c \
		"cd '$rel' && sha256sum -c --strict SHA256SUMS &&
		    grep -q ' agentapi-c-linux-$a\$' SHA256SUMS &&
		    grep -q ' agentapi-linux-$a\$' SHA256SUMS"
	check "agentapi-linux-$a is a copy of agentapi-c-linux-$a" \
		cmp "$rel/agentapi-c-linux-$a" "$rel/agentapi-linux-$a"
	out=$("$rel/agentapi-c-linux-$a" --version 2>&1)
	check "release --version: $out" test "$out" = "agentapi-c version $version"
	echo "     ldd $rel/agentapi-c-linux-$a:"
	ldd "$rel/agentapi-c-linux-$a" | sed 's/ (0x[0-9a-f]*)//; s/^\s*/       /'
	echo "     newest glibc symbol:" "$(objdump -T "$rel/agentapi-c-linux-$a" |
		grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1)"
	grep -v '^#' "$top/packaging/release-libs.txt" | sed '/^$/d' |
		sort >"$tmp/allowed"
	ldd "$rel/agentapi-c-linux-$a" | awk '{ print $1 }' |
		grep -Ev '^(linux-vdso|linux-gate)|/ld-linux' | sort >"$tmp/libs"
	check "ldd's list is packaging/release-libs.txt" \
		diff "$tmp/allowed" "$tmp/libs"
	check "libuv and libtsm are linked statically" \
		sh -c "! grep -Eq '^lib(uv|tsm)\.so' '$tmp/libs'"
	# The static binary serves: /status and the embedded chat.
	port=$((20000 + $$ % 20000))
	"$rel/agentapi-c-linux-$a" server --port "$port" -- \
		"$build/tests/demo-agent" >"$tmp/srv.log" 2>&1 &
	srv=$!
	n=0
	until curl -fsS "http://127.0.0.1:$port/status" >"$tmp/status" \
	    2>/dev/null || [ $n -ge 50 ]; do
		n=$((n + 1))
		sleep 0.1
	done
	check "release binary answers /status" \
		grep -q '"transport":"pty"' "$tmp/status"
	check "release binary serves the embedded chat" \
		curl -fsS -o /dev/null "http://127.0.0.1:$port/chat/embed"
	kill "$srv" 2>/dev/null
	wait "$srv"
	check "release binary exits 0 on SIGTERM" test $? -eq 0
fi

# --- packaging/install.sh ------------------------------------------------

inst=$top/packaging/install.sh
# The release asset when there is one, else a stand-in made from the
# binary under test (with its own SHA256SUMS).
a=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
if [ "${AA_SAN:-}" != 1 ] && [ -f "$rel/SHA256SUMS" ]; then
	asset=$rel/agentapi-c-linux-$a
else
	mkdir -p "$tmp/rel"
	cp "${AA_BIN:-$top/agentapi-c}" "$tmp/rel/agentapi-c-linux-$a"
	(cd "$tmp/rel" && sha256sum "agentapi-c-linux-$a" >SHA256SUMS)
	asset=$tmp/rel/agentapi-c-linux-$a
fi
p=$tmp/prefix
check "install.sh --from-file --name agentapi" sh -c \
	"sh '$inst' --from-file '$asset' --prefix '$p' --name agentapi >'$tmp/i1' 2>&1 &&
	    grep -q 'installed $p/bin/agentapi' '$tmp/i1' &&
	    grep -q 'agentapi-c version $version' '$tmp/i1' &&
	    cmp '$asset' '$p/bin/agentapi' && test -x '$p/bin/agentapi'"
check "install.sh again: already installed, unchanged" sh -c \
	"sh '$inst' --from-file '$asset' --prefix '$p' --name agentapi >'$tmp/i2' 2>&1 &&
	    grep -q 'already this binary' '$tmp/i2' &&
	    test -z \"\$(find '$p' -name '.agentapi*')\""
mkdir -p "$tmp/bad"
cp "$asset" "$tmp/bad/"
# A digest that starts with 0 would stay right: change its first digit.
sed 's/^0/1/;t;s/^./0/' "$(dirname "$asset")/SHA256SUMS" >"$tmp/bad/SHA256SUMS"
check "install.sh rejects a wrong checksum, installs nothing" sh -c \
	"! sh '$inst' --from-file '$tmp/bad/$(basename "$asset")' --prefix '$tmp/p2' 2>'$tmp/i3' &&
	    grep -q 'checksum mismatch' '$tmp/i3' && test ! -e '$tmp/p2/bin/agentapi-c'"
printf 'ff\n' >>"$tmp/bad/$(basename "$asset")"
check "install.sh rejects a modified file" sh -c \
	"! sh '$inst' --from-file '$tmp/bad/$(basename "$asset")' --sums '$(dirname "$asset")/SHA256SUMS' --prefix '$tmp/p2' 2>/dev/null &&
	    test ! -e '$tmp/p2/bin/agentapi-c'"
check "install.sh rejects --name other" sh -c \
	"! sh '$inst' --from-file '$asset' --prefix '$tmp/p2' --name other 2>/dev/null"
check "install.sh refuses a file without SHA256SUMS" sh -c \
	"cp '$asset' '$tmp/lone' && ! sh '$inst' --from-file '$tmp/lone' --prefix '$tmp/p2' 2>/dev/null"

# --- shell scripts ---------------------------------------------------------

scripts=$(cd "$top" || exit
	git ls-files -co --exclude-standard '*.sh' 2>/dev/null ||
		find packaging tests -name '*.sh' ! -path '*/node_modules/*')
bad=
for s in $scripts; do
	sh -n "$top/$s" 2>>"$tmp/shn" || bad="$bad $s"
done
check "sh -n on every shell script${bad:+ (fails:$bad)}" test -z "$bad"
if command -v shellcheck >/dev/null 2>&1; then
	# shellcheck disable=SC2086,SC2016 # a word list; $0/$@ of sh -c
	check "shellcheck on every shell script" \
		sh -c 'cd "$0" && shellcheck -s sh "$@"' "$top" $scripts
else
	skipped "shellcheck not installed"
fi

echo "packaging: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
