#!/bin/sh
# install.sh - installs an agentapi-c release binary, checksum verified.
#
#   install.sh [--from-file FILE] [--sums FILE] [--base-url URL]
#              [--prefix DIR] [--name agentapi-c|agentapi]
#
#   --from-file FILE  install FILE (an agentapi-c-linux-<arch> release
#                     asset); its SHA256SUMS is taken from --sums, else from
#                     the file's directory.  Nothing is downloaded.
#   --base-url URL    download agentapi-c-linux-<arch> and SHA256SUMS from
#                     URL/ (curl or wget); also $AGENTAPI_C_BASE_URL
#   --prefix DIR      install into DIR/bin (default /usr/local); sudo is
#                     used only when DIR/bin is not writable
#   --name NAME       agentapi-c (default) or agentapi, the name Coder's
#                     registry modules run; "agentapi" replaces an
#                     installed upstream agentapi
#
# The file must be listed in SHA256SUMS (by its name, or as the release
# asset of this machine's architecture) with a matching hash.  The binary
# is copied to a temporary file beside the target and renamed into place,
# so a running server is never overwritten in place.  Running it again with
# the same file changes nothing.  At the end the installed binary's
# --version is printed; if it cannot run (a missing shared library such as
# libcjson.so.1), the missing libraries are listed and the exit status is 1.
set -eu

prog=install.sh
from_file=
sums=
base_url=${AGENTAPI_C_BASE_URL:-}
prefix=/usr/local
name=agentapi-c
tmp=

die() {
	echo "$prog: $*" >&2
	exit 1
}

usage() {
	sed -n '3,6p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

cleanup() {
	[ -z "$tmp" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# need OPTION ARGC : an option's value must be present.
need() {
	[ "$2" -ge 2 ] || die "$1 needs a value"
}

while [ $# -gt 0 ]; do
	case $1 in
	--from-file) need "$1" $#; from_file=$2; shift 2 ;;
	--from-file=*) from_file=${1#*=}; shift ;;
	--sums) need "$1" $#; sums=$2; shift 2 ;;
	--sums=*) sums=${1#*=}; shift ;;
	--base-url) need "$1" $#; base_url=$2; shift 2 ;;
	--base-url=*) base_url=${1#*=}; shift ;;
	--prefix) need "$1" $#; prefix=$2; shift 2 ;;
	--prefix=*) prefix=${1#*=}; shift ;;
	--name) need "$1" $#; name=$2; shift 2 ;;
	--name=*) name=${1#*=}; shift ;;
	-h | --help) usage ;;
	*) echo "$prog: unknown argument: $1" >&2; usage ;;
	esac
done

case $name in
agentapi | agentapi-c) ;;
*) die "--name must be agentapi or agentapi-c, not '$name'" ;;
esac
[ -n "$prefix" ] || die "--prefix must not be empty"

[ "$(uname -s)" = Linux ] || die "release binaries are for Linux only"
case $(uname -m) in
x86_64 | amd64) arch=amd64 ;;
aarch64 | arm64) arch=arm64 ;;
*) die "unsupported architecture: $(uname -m)" ;;
esac
asset=agentapi-c-linux-$arch

# sha256 FILE : prints the hex SHA-256 of FILE.
sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum <"$1" | cut -d' ' -f1
	elif command -v shasum >/dev/null 2>&1; then
		shasum -a 256 <"$1" | cut -d' ' -f1
	else
		openssl dgst -sha256 <"$1" | sed 's/.*= *//'
	fi
}

# fetch URL FILE : downloads URL to FILE.
fetch() {
	if command -v curl >/dev/null 2>&1; then
		curl --fail --silent --show-error --location --retry 3 \
			-o "$2" "$1"
	elif command -v wget >/dev/null 2>&1; then
		wget -q -O "$2" "$1"
	else
		die "neither curl nor wget is installed"
	fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/agentapi-c-install.XXXXXX")
if [ -n "$from_file" ]; then
	[ -f "$from_file" ] || die "no such file: $from_file"
	[ -n "$sums" ] || sums=$(dirname "$from_file")/SHA256SUMS
	[ -f "$sums" ] || die "no checksum file $sums (use --sums FILE)"
	file=$from_file
	listed=$(basename "$from_file")
elif [ -n "$base_url" ]; then
	base_url=${base_url%/}
	echo "$prog: downloading $base_url/$asset"
	fetch "$base_url/$asset" "$tmp/$asset" ||
		die "download failed: $base_url/$asset"
	fetch "$base_url/SHA256SUMS" "$tmp/SHA256SUMS" ||
		die "download failed: $base_url/SHA256SUMS"
	file=$tmp/$asset
	sums=$tmp/SHA256SUMS
	listed=$asset
else
	die "give --from-file FILE or --base-url URL"
fi

# The expected hash: the line naming the file, else the one naming this
# architecture's asset (a renamed download).  "name" or "*name" (binary
# mode) both count.
want=$(awk -v n="$listed" -v a="$asset" '
	{ f = $2; sub(/^\*/, "", f) }
	f == n { print $1; found = 1; exit }
	f == a && alt == "" { alt = $1 }
	END { if (!found && alt != "") print alt }' "$sums")
[ -n "$want" ] || die "$listed is not listed in $sums"
printf '%s\n' "$want" | grep -Eq '^[0-9a-f]{64}$' ||
	die "malformed checksum for $listed in $sums"
got=$(sha256 "$file")
[ "$got" = "$want" ] ||
	die "checksum mismatch for $file: expected $want, got $got"
echo "$prog: checksum ok ($got)"

bindir=$prefix/bin
target=$bindir/$name
sudo=
if ! { mkdir -p "$bindir" 2>/dev/null && [ -w "$bindir" ]; }; then
	[ "$(id -u)" -ne 0 ] || die "cannot write to $bindir"
	command -v sudo >/dev/null 2>&1 ||
		die "$bindir is not writable and sudo is not installed"
	sudo=sudo
	$sudo mkdir -p "$bindir"
fi

if [ -f "$target" ] && [ ! -L "$target" ] &&
    [ "$(sha256 "$target")" = "$got" ]; then
	echo "$prog: $target is already this binary"
else
	# Copy beside the target, then rename: atomic, and a running
	# binary keeps its old inode.
	part=$bindir/.$name.install.$$
	$sudo cp "$file" "$part"
	$sudo chmod 755 "$part"
	$sudo mv -f "$part" "$target" ||
		{ $sudo rm -f "$part"; die "cannot install $target"; }
	echo "$prog: installed $target"
fi

if version=$("$target" --version 2>&1); then
	echo "$prog: $version"
else
	echo "$prog: $target does not run: $version" >&2
	missing=$(ldd "$target" 2>/dev/null |
		awk '/not found/ { printf " %s", $1 }')
	[ -z "$missing" ] || echo "$prog: missing libraries:$missing" \
		"(on Debian/Ubuntu: apt-get install libcjson1)" >&2
	exit 1
fi
case :$PATH: in
*:"$bindir":*) ;;
*) echo "$prog: note: $bindir is not on PATH" ;;
esac
