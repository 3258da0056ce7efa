#!/bin/sh
# state.test.sh - the state file under attack (issue 17), against the real
# code on loopback:
#
#   kill9      build/tests/kill9 (tests/kill9.c): SIGKILL at random moments,
#              200 tries in four parallel chains; no message answered 200
#              is ever lost and the state file is never torn.
#   final-save the agentapi-c binary whose state file cannot be written at
#              shutdown: it says why ("is a directory", not "unknown
#              error") and exits non-zero; a message answered 200 before
#              that is in the journal.
#
# Bounded: kill9 takes about 15 s, final-save about 5 s.  Prints
# "fault-state: N passed, N failed, N skipped" for tests/run.sh.
top=${AA_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${AA_BUILD:-$top/build}
bin=${AA_BIN:-$top/agentapi-c}
agent=$build/tests/fake-agent
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
srv=
trap '[ -n "$srv" ] && kill -9 "$srv" 2>/dev/null; rm -rf "$tmp"' EXIT

ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

# kill9: four chains of 50 tries, each on its own files.
kill9() {
	pids=
	for c in 1 2 3 4; do
		mkdir "$tmp/k$c"
		timeout 120 "$build/tests/kill9" 50 "$c$$" "$tmp/k$c" "$agent" \
		    >"$tmp/k$c.log" 2>&1 &
		pids="$pids $!"
	done
	rc=0
	for p in $pids; do
		wait "$p" || rc=1
	done
	cat "$tmp"/k?.log | grep -v '^kill9:' | head -20
	grep -h '^kill9:' "$tmp"/k?.log
	if [ "$rc" -eq 0 ] && [ "$(grep -c '^kill9: 50 tries' \
	    "$tmp"/k?.log | awk -F: '{s += $NF} END {print s}')" = 4 ]; then
		ok kill9
	else
		bad kill9 "an acknowledged message was lost or a file was bad"
	fi
}

# post TEXT: POSTs a user message until it is answered (not 409); prints
# the status.
post() {
	i=0
	while [ $i -lt 100 ]; do
		code=$(curl -s -o /dev/null -w '%{http_code}' -m 20 \
		    -H 'Content-Type: application/json' \
		    -d "{\"content\":\"$1\",\"type\":\"user\"}" \
		    "http://127.0.0.1:$port/message")
		[ "$code" != 409 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	echo "$code"
}

final_save() {
	d=$tmp/final
	mkdir "$d"
	printf '%s' '[{"expectMessage":"hi","thinkDurationMS":0,' \
	    '"responseMessage":"one"},{"expectMessage":"again",' \
	    '"thinkDurationMS":0,"responseMessage":"two"}]' >"$d/script.json"
	"$bin" server --port 0 --state-file "$d/s.json" -- "$agent" \
	    "$d/script.json" </dev/null >"$d/out" 2>"$d/err" &
	srv=$!
	port=
	for _ in $(seq 1 100); do
		port=$(sed -n 's/.*Starting server on port port=\([0-9]*\).*/\1/p' \
		    "$d/out")
		[ -n "$port" ] && break
		sleep 0.05
	done
	[ "$(post hi)" = 200 ] || { bad final-save "first message"; return; }
	for _ in $(seq 1 60); do
		[ -f "$d/s.json" ] && break
		sleep 0.05
	done
	# The state file's name is taken by a directory: every save fails.
	rm -f "$d/s.json" && mkdir "$d/s.json"
	[ "$(post again)" = 200 ] || { bad final-save "second message"; return; }
	kill -TERM "$srv"
	wait "$srv"
	rc=$?
	srv=
	want="saving state to $d/s.json: is a directory"
	if [ "$rc" -eq 0 ]; then
		bad final-save "exit status 0 after a failed final save"
	elif ! grep -q "the state was not saved: $want" "$d/err"; then
		bad final-save "stderr does not say why: $(cat "$d/err")"
	elif ! grep -q "$want" "$d/out" || grep -q 'unknown error' "$d/out"
	then
		bad final-save "the log does not give the reason"
	elif ! grep -q 'again' "$d/s.json.journal"; then
		bad final-save "the acknowledged message is not in the journal"
	else
		ok "final-save (exit $rc)"
	fi
}

if [ ! -x "$build/tests/kill9" ] || [ ! -x "$agent" ] || [ ! -x "$bin" ]; then
	echo "SKIP fault-state: build the binary and tests first"
	skip=2
else
	kill9
	if command -v curl >/dev/null 2>&1; then
		final_save
	else
		echo "SKIP final-save: no curl"
		skip=$((skip + 1))
	fi
fi
echo "fault-state: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
