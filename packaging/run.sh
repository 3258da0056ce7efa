#!/bin/sh
# run.sh - `make run`: start the server with the built-in demo agent, so the
# web chat works without any LLM account.  PORT overrides the port.
set -e
cd "$(dirname "$0")/.."
PORT=${PORT:-3284}
echo "agentapi-c: open http://localhost:$PORT/chat/ (Ctrl-C stops)"
exec ./agentapi-c server --port "$PORT" -- ./agentapi-c demo-agent
