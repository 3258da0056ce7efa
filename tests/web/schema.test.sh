#!/bin/sh
# schema.test.sh - validates the API contract (schemas/) with real
# validators from npm; prints the "schema: N passed, ..." tally line.
cd "$(dirname "$0")/../.." || exit 1
if ! command -v node >/dev/null 2>&1 ||
    [ ! -d tests/node_modules/@apidevtools/swagger-parser ]; then
	echo "SKIP schema: node or tests/node_modules missing" \
	    "(run tests/web/setup.sh)"
	echo "schema: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
exec node tests/web/schema.test.mjs "$@"
