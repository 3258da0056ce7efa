#!/bin/sh
# host.test.sh - `agentapi-c host` end to end: tests/e2e/host.test.mjs, then
# the API and SSE suites' cases that fit a session run against
# /sessions/{id} of a host (AA_E2E_HOST=1, tests/e2e/lib.mjs); prints one
# tally line for all three.
cd "$(dirname "$0")/../.." || exit 1
if ! command -v node >/dev/null 2>&1 || [ ! -d tests/node_modules/ajv ]; then
	echo "SKIP e2e-host: node or tests/node_modules missing" \
	    "(run tests/web/setup.sh)"
	echo "e2e-host: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
# The cases that need no server flag, no server exit and no raw socket.
api=messages_shape,message_400_malformed_json,message_400_empty_body
api=$api,message_413_at_exactly_1MiB,message_415_content_type
api=$api,message_422_validation,message_422_empty_user_message
api=$api,message_409_busy,upload_file_names,upload_size_limit,upload_errors
api=$api,routing_404_405,chat_pages,chat_embed_redirect_keeps_query
api=$api,openapi_docs_schemas,cors_default_origins,cors_preflight
sse=sse_headers,sse_replay_then_live_with_ids,sse_raw_last_event_id
sse=$sse,sse_fan_out,sse_internal_screen,reads_never_wait_for_a_send
log=$(mktemp)
trap 'rm -f "$log"' EXIT
node tests/e2e/host.test.mjs "$@" | tee -a "$log"
if [ $# -eq 0 ]; then
	AA_E2E_HOST=1 AA_E2E_ONLY=$api node tests/e2e/api.test.mjs | tee -a "$log"
	AA_E2E_HOST=1 AA_E2E_ONLY=$sse node tests/e2e/sse.test.mjs | tee -a "$log"
fi
pass=0 fail=0 skip=0
while IFS=, read -r p f k; do
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + k))
done <<EOF
$(sed -nE 's/^[a-z0-9-]+: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1,\2,\3/p' "$log")
EOF
echo "e2e-host: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
