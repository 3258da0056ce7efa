#!/bin/sh
# chat.test.sh - runs the web chat's browser tests (chat.test.mjs) under
# node; prints the "chat: N passed, N failed, N skipped" tally line.
cd "$(dirname "$0")/../.." || exit 1
if ! command -v node >/dev/null 2>&1; then
	echo "SKIP chat: node is not installed (run tests/web/setup.sh)"
	echo "chat: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if [ ! -d tests/node_modules/playwright-core ]; then
	echo "SKIP chat: tests/node_modules missing (run tests/web/setup.sh)"
	echo "chat: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
exec node tests/web/chat.test.mjs "$@"
