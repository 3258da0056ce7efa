#!/bin/sh
# http-long.fault.sh - the long HTTP attacks of issue 17 (2,000 slow
# clients against a 1,024-descriptor limit and at a higher one), run by
# `make test-fault`; prints the tally line.
cd "$(dirname "$0")/../.." || exit 1
if ! command -v node >/dev/null 2>&1 || [ ! -d tests/node_modules/ajv ]; then
	echo "SKIP fault-http-long: node or tests/node_modules missing"
	echo "fault-http-long: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
# The attacker itself needs a descriptor per slow client (dash, bash and
# busybox sh all have ulimit -n).
# shellcheck disable=SC3045
ulimit -n 8192 2>/dev/null || true
AA_FAULT_LONG=1 exec node tests/fault/http.test.mjs "$@"
