#!/bin/sh
# deps.sh - installs the Debian packages agentapi-c builds against.
#
#   sh packaging/deps.sh          install what is missing (apt-get, as root)
#   sh packaging/deps.sh --check  exit 0 when nothing is missing
#
# Build: libuv1-dev libtsm-dev libcjson-dev pkg-config, node-llhttp (the
# llhttp C sources, compiled into our build).  Tests: clang (fuzz targets),
# curl, python3.
set -e
PKGS="build-essential pkg-config libuv1-dev libtsm-dev libcjson-dev node-llhttp curl python3"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ "$1" = "--check" ]; then
	[ -z "$missing" ] || { echo "deps: missing:$missing" >&2; exit 1; }
	exit 0
fi
[ -n "$missing" ] || exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
# shellcheck disable=SC2086 # $missing is a word list
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
