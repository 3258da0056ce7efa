#!/bin/sh
# mcp.test.sh - the host's MCP server through the official MCP SDK client
# over streamable HTTP and over stdio (`agentapi-c mcp`):
# tests/e2e/mcp.test.mjs.
cd "$(dirname "$0")/../.." || exit 1
if ! command -v node >/dev/null 2>&1 ||
	[ ! -d tests/node_modules/@modelcontextprotocol/sdk ]; then
	echo "SKIP e2e-mcp: node or tests/node_modules missing" \
	    "(run tests/web/setup.sh)"
	echo "e2e-mcp: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
exec node tests/e2e/mcp.test.mjs "$@"
