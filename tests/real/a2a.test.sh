#!/bin/sh
# a2a.test.sh - agent drives agent (tests/real/a2a.test.mjs) as one of
# make test's script tests: a real Claude Code, given the host's MCP
# server, starts and drives a second session.  Runs only once
# `make real-agents` has installed Claude Code, and not under the
# sanitizers; otherwise it skips with the reason.
# Prints "a2a: N passed, N failed, N skipped".
here=$(cd "$(dirname "$0")" && pwd)
cache=${AA_REAL_CACHE:-$here/.cache}
skip() {
	echo "SKIP agent_drives_agent: $1"
	echo "a2a: 0 passed, 0 failed, 1 skipped"
	exit 0
}
[ -d "$cache" ] || skip "no agent installed (run make real-agents)"
[ "${AA_SAN:-0}" = 1 ] && skip "not under the sanitizers (make test runs it)"
command -v node >/dev/null 2>&1 || skip "node not found"
exec node "$here/a2a.test.mjs"
