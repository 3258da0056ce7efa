#!/bin/sh
# deps.sh - installs the Debian packages agentapi-c needs, one group per
# make goal, from Debian's archive only (apt-get; as root, else via sudo).
#
#   sh packaging/deps.sh [--check] [GROUP...]     GROUP defaults to build
#
#   build  make, make run, make deb, make release: the compiler,
#          pkg-config, libuv1-dev, libtsm-dev, libcjson-dev, and the llhttp C
#          sources of Debian's node-llhttp (see below)
#   node   make real-agents: npm (Debian's; it brings Debian's Node.js 18,
#          which runs npm only: the Node the tests run comes from
#          tests/package-lock.json, see README.md "Two commands")
#   test   make test: node, plus curl, chromium (the browser tests), and
#          for the packaging test's script and man page checks, the
#          packages shellcheck and man-db
#   bench  make bench: wrk, nginx, tmux, valgrind (callgrind rows), curl
#          and procps (pgrep; bench/sessions.sh)
#   fuzz   make fuzz: clang
#
# --check installs nothing: it names what is missing and exits 1.
#
# node-llhttp is not installed as a package: through node-debug and
# node-semver it depends on Node.js, which neither make nor make run needs.
# When /usr/share/llhttp is missing, its .deb is fetched with
# "apt-get download" and only the C sources and header are unpacked, into
# $AA_LLHTTP_DIR (default build/llhttp); the Makefile compiles them from
# there.
set -e
cd "$(dirname "$0")/.."
check=0
if [ "$1" = "--check" ]; then
	check=1
	shift
fi
[ $# -gt 0 ] || set -- build
llhttp_dir=${AA_LLHTTP_DIR:-build/llhttp}

# A word is a Debian package, or CMD=PACKAGE: the package is needed only
# when the command is not on PATH (a Node.js from elsewhere brings its own
# npm, and Debian's npm would conflict with it).
want=""
for g in "$@"; do
	case $g in
	build) want="$want build-essential pkg-config libuv1-dev libtsm-dev libcjson-dev" ;;
	node) want="$want npm=npm" ;;
	test) want="$want npm=npm curl chromium shellcheck man-db" ;;
	bench) want="$want wrk nginx tmux valgrind curl procps" ;;
	fuzz) want="$want clang" ;;
	*)
		echo "deps.sh: unknown group '$g' (build, node, test, bench, fuzz)" >&2
		exit 2
		;;
	esac
done

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}
missing=""
for w in $want; do
	case $w in
	*=*) command -v "${w%%=*}" >/dev/null 2>&1 || installed "${w#*=}" ||
		missing="$missing ${w#*=}" ;;
	*) installed "$w" || missing="$missing $w" ;;
	esac
done
need_llhttp=0
case " $* " in
*" build "*)
	[ -f /usr/share/llhttp/llhttp.c ] || [ -f "$llhttp_dir/llhttp.c" ] ||
		need_llhttp=1 ;;
esac

if [ "$check" = 1 ]; then
	[ "$need_llhttp" = 0 ] || missing="$missing node-llhttp(sources)"
	[ -z "$missing" ] || { echo "deps: missing:$missing" >&2; exit 1; }
	exit 0
fi
[ -n "$missing" ] || [ "$need_llhttp" = 1 ] || exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "deps.sh: missing Debian packages:$missing${missing:+;} run" \
		    "'sh packaging/deps.sh $*' as root (no sudo here)" >&2
		exit 1
	fi
fi
# apt-get update unless the lists are under an hour old and newer than
# sources.list (each group runs deps.sh once), and again when an install
# fails on lists gone stale.
updated=0
update() {
	[ "$updated" = 1 ] && return 0
	updated=1
	echo "deps: apt-get update"
	$SUDO apt-get update -qq
}
[ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -60 \
	-newer /etc/apt/sources.list 2>/dev/null | head -n 1)" ] || update
install() {
	# shellcheck disable=SC2086 # $missing is a word list
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends $missing
}
if [ -n "$missing" ]; then
	echo "deps: installing$missing (Debian)"
	install || { [ "$updated" = 0 ] && update && install; }
fi
if [ "$need_llhttp" = 1 ]; then
	echo "deps: unpacking the llhttp C sources of node-llhttp into $llhttp_dir"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	# apt-get download runs as the calling user and needs fresh lists.
	(cd "$tmp" && apt-get download -qq node-llhttp 2>/dev/null) ||
		{ [ "$updated" = 0 ] && update &&
		    (cd "$tmp" && apt-get download -qq node-llhttp); }
	dpkg-deb -x "$tmp"/node-llhttp_*.deb "$tmp/x"
	mkdir -p "$llhttp_dir"
	cp "$tmp"/x/usr/share/llhttp/*.c "$tmp"/x/usr/share/include/llhttp/llhttp.h \
		"$llhttp_dir/"
fi
