#!/bin/sh
# hostile.test.sh - black-box tests of hostile agents against the real
# binary (tests/e2e/hostile.test.mjs); prints the tally line.
cd "$(dirname "$0")/../.." || exit 1
if ! command -v node >/dev/null 2>&1 || [ ! -d tests/node_modules/ajv ]; then
	echo "SKIP e2e-hostile: node or tests/node_modules missing" \
	    "(run tests/web/setup.sh)"
	echo "e2e-hostile: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
exec node tests/e2e/hostile.test.mjs "$@"
