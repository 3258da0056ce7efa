#!/bin/sh
# agents.test.sh - the real-agent suite (tests/real/agents.test.mjs) as one
# of make test's script tests.  Heavy and opt-in: it runs only when
# `make real-agents` has filled tests/real/.cache; otherwise it skips with
# that reason.  Prints "real-agents: N passed, N failed, N skipped".
here=$(cd "$(dirname "$0")" && pwd)
cache=${AA_REAL_CACHE:-$here/.cache}
if [ ! -d "$cache" ]; then
	echo "SKIP real_agents: no agent installed (run make real-agents)"
	echo "real-agents: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if ! command -v node >/dev/null 2>&1; then
	echo "SKIP real_agents: node not found"
	echo "real-agents: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
exec node "$here/agents.test.mjs"
