#!/bin/sh
# api.test.sh - black-box tests of the HTTP API and the command line against
# the real binary (tests/e2e/api.test.mjs); prints the tally line.
cd "$(dirname "$0")/../.." || exit 1
if ! command -v node >/dev/null 2>&1 || [ ! -d tests/node_modules/ajv ]; then
	echo "SKIP e2e-api: node or tests/node_modules missing" \
	    "(run tests/web/setup.sh)"
	echo "e2e-api: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
exec node tests/e2e/api.test.mjs "$@"
