#!/bin/sh
# http.test.sh - the quick HTTP attacks of issue 17 against the real binary
# (tests/fault/http.test.mjs); prints the tally line.  The long ones run
# with `make test-fault` (tests/fault/http-long.fault.sh).
cd "$(dirname "$0")/../.." || exit 1
if ! command -v node >/dev/null 2>&1 || [ ! -d tests/node_modules/ajv ]; then
	echo "SKIP fault-http: node or tests/node_modules missing" \
	    "(run tests/web/setup.sh)"
	echo "fault-http: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
exec node tests/fault/http.test.mjs "$@"
