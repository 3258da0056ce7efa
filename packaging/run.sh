#!/bin/sh
# run.sh - `make run`: start the server with the built-in demo agent.
set -e
cd "$(dirname "$0")/.."
if ! ./agentapi-c server --help >/dev/null 2>&1; then
	echo "make run: the server is not built yet (the session runtime and" >&2
	echo "HTTP API issues are still open); 'make test' runs what exists." >&2
	exit 1
fi
PORT=${PORT:-3284}
echo "agentapi-c: chat at http://localhost:$PORT/chat/ (Ctrl-C stops)"
exec ./agentapi-c server --port "$PORT" -- ./agentapi-c demo
