#!/bin/sh
# hostchat.test.sh - runs the host chat page's tests (hostchat.test.mjs)
# under node; prints the "hostchat: N passed, N failed, N skipped" tally line.
cd "$(dirname "$0")/../.." || exit 1
if ! command -v node >/dev/null 2>&1; then
	echo "SKIP hostchat: node is not installed (run tests/web/setup.sh)"
	echo "hostchat: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if [ ! -d tests/node_modules/playwright-core ]; then
	echo "SKIP hostchat: tests/node_modules missing (run tests/web/setup.sh)"
	echo "hostchat: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
exec node tests/web/hostchat.test.mjs "$@"
