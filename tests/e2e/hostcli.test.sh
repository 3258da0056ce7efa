#!/bin/sh
# hostcli.test.sh - the host's CLI (ls, new, send, logs, stop, attach ID)
# end to end: tests/e2e/hostcli.test.mjs against the real binary, a real
# host and the demo agent; prints the tally line.
cd "$(dirname "$0")/../.." || exit 1
if ! command -v node >/dev/null 2>&1 || [ ! -d tests/node_modules/ajv ]; then
	echo "SKIP e2e-hostcli: node or tests/node_modules missing" \
	    "(run tests/web/setup.sh)"
	echo "e2e-hostcli: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
exec node tests/e2e/hostcli.test.mjs "$@"
