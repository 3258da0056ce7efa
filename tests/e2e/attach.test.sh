#!/bin/sh
# attach.test.sh - `agentapi-c attach` on a PTY against a real server (tests/e2e/attach.test.mjs)
# against the real binary and the demo agent; prints the tally line.
cd "$(dirname "$0")/../.." || exit 1
if ! command -v node >/dev/null 2>&1 || [ ! -d tests/node_modules/ajv ]; then
	echo "SKIP e2e-attach: node or tests/node_modules missing" \
	    "(run tests/web/setup.sh)"
	echo "e2e-attach: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
exec node tests/e2e/attach.test.mjs "$@"
