#!/bin/sh
# agents.test.sh - the real-agent suite (tests/real/agents.test.mjs) as one
# of make test's script tests.  Heavy and opt-in: it runs only when
# `make real-agents` has filled tests/real/.cache, and not under the
# sanitizers (make test-asan); otherwise it skips with the reason.
# Prints "real-agents: N passed, N failed, N skipped".
here=$(cd "$(dirname "$0")" && pwd)
cache=${AA_REAL_CACHE:-$here/.cache}
skip() {
	echo "SKIP real_agents: $1"
	echo "real-agents: 0 passed, 0 failed, 1 skipped"
	exit 0
}
[ -d "$cache" ] || skip "no agent installed (run make real-agents)"
[ "${AA_SAN:-0}" = 1 ] && skip "not under the sanitizers (make test runs it)"
command -v node >/dev/null 2>&1 || skip "node not found"
exec node "$here/agents.test.mjs"
