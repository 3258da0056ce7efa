#!/bin/sh
# run.sh - `make bench`: measures agentapi-c beside its references and
# prints one table (bench/RESULTS.md explains the rows).
#
# Every row runs the reference in the same invocation: tmux's server on
# the same bytes (rows 1-4), libtsm alone in-process (row 1), nginx on a
# static file of the same size (row 5).  The machine is shared, so rows 1,
# 5 and 7 are medians of BENCH_RUNS runs; rows 2 and 6 are p50/p99 over
# many events.  CPU time is read from /proc/PID/schedstat (ns on CPU),
# wakeups from /proc/PID/status context switches, memory from VmRSS.
# Everything listens on 127.0.0.1 only and is stopped by pid on exit.
#
# Row 8 counts instructions with callgrind instead of timing: the counts
# do not depend on the machine's load, so they are the figures to compare
# between runs and commits.
#
# Environment: BUILD, BIN, BENCH_RUNS (3), BENCH_ROWS ("1 2 3 4 5 6 7 8"),
# BENCH_IDLE_S (30), BENCH_MIB (20), BENCH_LAT_N (1000), BENCH_IR_MIB (2).
# shellcheck disable=SC3045,SC2154 # dash and bash both take ulimit -n/-H;
# the r0/r1000/r10000 RSS figures are assigned through eval.

set -u
TOP=$(pwd)
BUILD=${BUILD:-build}
BIN=$(realpath "${BIN:-./agentapi-c}")
RUNS=${BENCH_RUNS:-3}
ROWS=${BENCH_ROWS:-1 2 3 4 5 6 7 8}
IDLE_S=${BENCH_IDLE_S:-30}
MIB=${BENCH_MIB:-20}
LAT_N=${BENCH_LAT_N:-1000}
IR_MIB=${BENCH_IR_MIB:-2}
AGENT=$TOP/$BUILD/bench/bench-agent
TOOL=$TOP/$BUILD/bench/bench-tool
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
T=$(mktemp -d /tmp/aa-bench.XXXXXX)
SOCK=aabench$$
PORT=$((20000 + $$ % 20000))
SRV=
NGX=
TABLE=$T/table
OUT=$TOP/$BUILD/bench/results.md

cleanup() {
	[ -n "$SRV" ] && kill -INT "$SRV" 2>/dev/null && wait "$SRV" 2>/dev/null
	[ -n "$NGX" ] && kill "$NGX" 2>/dev/null && wait "$NGX" 2>/dev/null
	tmux -L "$SOCK" kill-server 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Subscribers need descriptors: for us, the server and the client.
ulimit -n 32768 2>/dev/null || ulimit -n "$(ulimit -Hn)"

say() { printf '%s\n' "$*" >&2; }
row() { printf '| %s |\n' "$*" >> "$TABLE"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
kv() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
cpu_ns() { cut -d' ' -f1 "/proc/$1/schedstat"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
ctxsw() {
	awk '/_ctxt_switches:/ { n += $2 } END { print n }' "/proc/$1/status"
}

# Waits until pid has used no CPU for 300 ms (at most 30 s).
wait_quiet() {
	_last=$(cpu_ns "$1"); _same=0; _n=0
	while [ $_same -lt 6 ] && [ $_n -lt 600 ]; do
		sleep 0.05
		_c=$(cpu_ns "$1")
		if [ "$_c" = "$_last" ]; then _same=$((_same + 1));
		else _same=0; fi
		_last=$_c; _n=$((_n + 1))
	done
}

# Starts the server on a fresh port with extra flags before "--" and the
# bench agent's arguments after; waits for GET /status 200.
start_server() {
	_flags=$1; shift
	_try=0
	while :; do
		PORT=$((PORT + 1))
		# shellcheck disable=SC2086
		"$BIN" server --port "$PORT" --type custom $_flags -- \
		    "$AGENT" "$@" > "$T/server.log" 2>&1 &
		SRV=$!
		_n=0
		until curl -sf -o /dev/null "http://127.0.0.1:$PORT/status"
		do
			_n=$((_n + 1))
			kill -0 "$SRV" 2>/dev/null && [ $_n -le 400 ] &&
			    { sleep 0.025; continue; }
			wait "$SRV" 2>/dev/null; SRV=
			break
		done
		[ -n "$SRV" ] && return 0
		_try=$((_try + 1))
		if [ $_try -gt 5 ] || ! grep -q 'in use' "$T/server.log"; then
			say "bench: server did not start:"; cat "$T/server.log" >&2
			exit 1
		fi
	done
}

stop_server() {
	kill -INT "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; SRV=
}

# Polls GET path until its body matches the grep pattern (at most 30 s).
wait_body() {
	_n=0
	until curl -s "http://127.0.0.1:$PORT$1" | grep -q "$2"; do
		_n=$((_n + 1))
		[ $_n -gt 600 ] && { say "bench: timeout waiting for $1 ~ $2"; exit 1; }
		sleep 0.05
	done
}

# Starts the bench agent in a detached tmux session "b" at 80x1000.
start_tmux() {
	tmux -L "$SOCK" -f /dev/null new-session -d -s b -x 80 -y 1000 \
	    "$*" || exit 1
	TMUX_PID=$(tmux -L "$SOCK" display -p '#{pid}')
}

stop_tmux() { tmux -L "$SOCK" kill-server 2>/dev/null; }

machine() {
	_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	printf 'machine: %s x %s, %s MiB RAM, Linux %s, load %s\n' \
	    "$(nproc)" "$_cpu" \
	    "$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)" \
	    "$(uname -r)" "$(cut -d' ' -f1-3 /proc/loadavg)"
	printf 'versions: %s, %s, %s, libtsm %s, wrk %s\n' \
	    "$("$BIN" --version 2>&1 | head -1)" "$(tmux -V)" \
	    "$("$NGINX" -v 2>&1 | sed 's/.*: //')" \
	    "$(pkg-config --modversion libtsm 2>/dev/null)" \
	    "$(dpkg-query -W -f '${Version}' wrk 2>/dev/null)"
}

# Row 1: CPU seconds to take in the stream, ours vs tmux vs libtsm.
row1() {
	say "bench: row 1, terminal throughput ($MIB MiB, $RUNS runs)"
	"$TOOL" gen "$MIB" "$T/stream.bin" > /dev/null || exit 1
	mkfifo "$T/go" "$T/done"
	: > "$T/r1"
	for _ in $(seq "$RUNS"); do
		start_server "" stream "$T/stream.bin" "$T/go" "$T/done"
		wait_quiet "$SRV"
		c0=$(cpu_ns "$SRV"); echo g > "$T/go"; cat "$T/done" > /dev/null
		wait_quiet "$SRV"; c1=$(cpu_ns "$SRV")
		stop_server
		start_tmux "$AGENT stream $T/stream.bin $T/go $T/done"
		wait_quiet "$TMUX_PID"
		t0=$(cpu_ns "$TMUX_PID"); echo g > "$T/go"
		cat "$T/done" > /dev/null
		wait_quiet "$TMUX_PID"; t1=$(cpu_ns "$TMUX_PID")
		stop_tmux
		ts=$(kv "$("$TOOL" tsm "$T/stream.bin")" cpu)
		av=$(kv "$("$TOOL" aavt "$T/stream.bin")" cpu)
		echo "$(calc %.4f "($c1 - $c0) / 1e9") \
$(calc %.4f "($t1 - $t0) / 1e9") $ts $av" >> "$T/r1"
	done
	us=$(cut -d' ' -f1 "$T/r1" | median)
	tm=$(cut -d' ' -f2 "$T/r1" | median)
	ts=$(cut -d' ' -f3 "$T/r1" | median)
	av=$(cut -d' ' -f4 "$T/r1" | median)
	row "1 | terminal throughput, $MIB MiB at 80x1000 (CPU s) |" \
	    "$(calc %.1f "$MIB / $us") MiB/s ($us s) |" \
	    "tmux $(calc %.1f "$MIB / $tm") MiB/s ($tm s); libtsm alone" \
	    "$(calc %.1f "$MIB / $ts") MiB/s; aa_vt $(calc %.1f "$MIB / $av")" \
	    "MiB/s | $(calc %.2f "$tm / $us")x tmux;" \
	    "$(calc %.2f "$ts / $us")x libtsm | >= tmux, at emulator limit"
}

# Row 2: a line written by the agent -> the SSE event carrying it.
row2() {
	say "bench: row 2, output -> event latency ($LAT_N writes)"
	rm -f "$T/ctl"; mkfifo "$T/ctl"
	start_server "" lines "$T/ctl"
	us=$("$TOOL" latency sse "$PORT" "$T/ctl" "$LAT_N") || exit 1
	stop_server
	rm -f "$T/ctl"; mkfifo "$T/ctl"
	start_tmux "$AGENT lines $T/ctl"
	tm=$("$TOOL" latency cmd "$T/ctl" "$LAT_N" \
	    tmux -L "$SOCK" -C attach -t b) || exit 1
	stop_tmux
	win=$(sed -n 's/^#define SESSION_COALESCE_MS //p' src/runtime/session.c)
	row "2 | output -> SSE message_update, p50 / p99 (ms) |" \
	    "$(kv "$us" p50) / $(kv "$us" p99) (window $win ms) |" \
	    "tmux -C %output $(kv "$tm" p50) / $(kv "$tm" p99) |" \
	    "beyond window: $(calc %.2f "$(kv "$us" p50) - $win") /" \
	    "$(calc %.2f "$(kv "$us" p99) - $win") |" \
	    "p50 < 5, p99 < 20 beyond window"
}

# Row 3: CPU and wakeups of an idle server (and tmux) over IDLE_S s.
row3() {
	say "bench: row 3, idle cost (${IDLE_S} s)"
	start_server "" idle
	wait_body /status '"stable"'
	start_tmux "$AGENT idle"
	sleep 1
	c0=$(cpu_ns "$SRV"); w0=$(ctxsw "$SRV")
	t0=$(cpu_ns "$TMUX_PID"); v0=$(ctxsw "$TMUX_PID")
	sleep "$IDLE_S"
	c1=$(cpu_ns "$SRV"); w1=$(ctxsw "$SRV")
	t1=$(cpu_ns "$TMUX_PID"); v1=$(ctxsw "$TMUX_PID")
	stop_server; stop_tmux
	row "3 | idle: CPU % of a core, wakeups/s over $IDLE_S s |" \
	    "$(calc %.4f "($c1 - $c0) / 1e7 / $IDLE_S") %," \
	    "$(calc %.2f "($w1 - $w0) / $IDLE_S")/s |" \
	    "tmux $(calc %.4f "($t1 - $t0) / 1e7 / $IDLE_S") %," \
	    "$(calc %.2f "($v1 - $v0) / $IDLE_S")/s | - | < 0.1 %"
}

# Row 4: RSS with a full 80x1000 screen and 0 / 1,000 / 10,000 messages.
row4() {
	say "bench: row 4, memory"
	start_server "" fill 1000
	wait_body /status '"stable"'
	r0=$(rss_kib "$SRV")
	stop_server
	for n in 1000 10000; do
		"$TOOL" state "$n" "$T/state$n.json"
		start_server "--state-file $T/state$n.json --save-state=false" \
		    fill 1000
		wait_body /messages "\"id\":$((n - 1)),"
		wait_body /status '"stable"'
		eval "r$n=\$(rss_kib \"\$SRV\")"
		stop_server
	done
	start_tmux "$AGENT fill 1000"
	_n=0
	until tmux -L "$SOCK" capture-pane -p -t b | grep -q ' 999 '; do
		_n=$((_n + 1)); [ $_n -gt 400 ] && break; sleep 0.025
	done
	tr=$(rss_kib "$TMUX_PID")
	stop_tmux
	row "4 | RSS, 80x1000 full screen + 0 / 1,000 / 10,000 messages |" \
	    "$(calc %.1f "$r0 / 1024") / $(calc %.1f "$r1000 / 1024") /" \
	    "$(calc %.1f "$r10000 / 1024") MiB |" \
	    "tmux server, same screen: $(calc %.1f "$tr / 1024") MiB |" \
	    "$(calc %.2f "$r1000 / $tr")x tmux | < 8 MiB with 1,000"
}

# Row 5: wrk on /status and /messages vs nginx on files of the same size.
row5() {
	say "bench: row 5, request rate ($RUNS runs x 2 x 2 x 5 s)"
	"$TOOL" state 100 "$T/state100.json"
	mkdir -p "$T/www"
	start_server "--state-file $T/state100.json --save-state=false" idle
	wait_body /messages '"id":99,'
	wait_body /status '"stable"'
	curl -s "http://127.0.0.1:$PORT/status" > "$T/www/status"
	curl -s "http://127.0.0.1:$PORT/messages" > "$T/www/messages"
	nmsg=$(grep -o '"id":' "$T/www/messages" | wc -l)
	NPORT=$((PORT + 500))
	cat > "$T/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $T/nginx.pid;
error_log $T/nginx.err;
events { worker_connections 1024; }
http {
	access_log off;
	keepalive_requests 100000000;
	default_type application/json;
	server {
		listen 127.0.0.1:$NPORT;
		root $T/www;
	}
}
EOF
	taskset -c 0 "$NGINX" -p "$T" -c "$T/nginx.conf" 2> /dev/null &
	NGX=$!
	taskset -p -c 0 "$SRV" > /dev/null
	sleep 0.5
	: > "$T/r5"
	for _ in $(seq "$RUNS"); do
		line=
		for u in "$PORT/status" "$NPORT/status" "$PORT/messages" \
		    "$NPORT/messages"; do
			r=$(taskset -c 1 wrk -t2 -c50 -d5s \
			    "http://127.0.0.1:$u" | sed -n 's/^Requests\/sec: *//p')
			line="$line ${r:-0}"
		done
		echo "$line" >> "$T/r5"
	done
	kill "$NGX"; wait "$NGX" 2>/dev/null; NGX=
	stop_server
	m1=$(awk '{ print $1 }' "$T/r5" | median)
	m2=$(awk '{ print $2 }' "$T/r5" | median)
	m3=$(awk '{ print $3 }' "$T/r5" | median)
	m4=$(awk '{ print $4 }' "$T/r5" | median)
	row "5 | GET /status, req/s (wrk 2 thr, 50 conn, keep-alive;" \
	    "$(wc -c < "$T/www/status") B) | $(calc %.0f "$m1") |" \
	    "nginx same-size file $(calc %.0f "$m2") |" \
	    "$(calc %.2f "$m1 / $m2")x nginx | >= 30,000"
	row "5 | GET /messages, $nmsg messages, req/s" \
	    "($(wc -c < "$T/www/messages") B) | $(calc %.0f "$m3") |" \
	    "nginx same-size file $(calc %.0f "$m4") |" \
	    "$(calc %.2f "$m3 / $m4")x nginx | -"
}

# Row 6: one event to 1,000 and 10,000 /events subscribers.
row6() {
	for n in 1000 10000; do
		say "bench: row 6, SSE fan-out to $n"
		rm -f "$T/ctl"; mkfifo "$T/ctl"
		start_server "" lines "$T/ctl"
		r=$("$TOOL" fanout "$PORT" "$n" "$T/ctl" "$SRV") || exit 1
		stop_server
		row "6 | SSE fan-out to $n: RSS per subscriber; one event" \
		    "to first / all (ms) | $(kv "$r" per_sub_b) B;" \
		    "$(kv "$r" first_ms) / $(kv "$r" all_ms) ms |" \
		    "connect+subscribe all: $(kv "$r" connect_s) s | - |" \
		    "10,000 concurrent, bounded each"
	done
}

# Row 7: exec -> first GET /status 200.
row7() {
	n=$((RUNS * 7))
	say "bench: row 7, start-up ($n starts)"
	PORT=$((PORT + 1))
	r=$("$TOOL" startup "$n" "$PORT" "$BIN" server --port "$PORT" \
	    --type custom -- "$AGENT" idle 2> "$T/startup.err") ||
	    { cat "$T/startup.err" >&2; exit 1; }
	row "7 | start-up: exec -> first GET /status 200 (ms) |" \
	    "median $(kv "$r" median_ms) (min $(kv "$r" min_ms)) |" \
	    "- | - | < 20 ms"
}

# Instructions callgrind counted inside bench_measured (bench-tool) or
# the function named by $1, for the command after it.
ir() {
	_fn=$1; shift
	valgrind --tool=callgrind --callgrind-out-file="$T/cg.out" \
	    --collect-atstart=no --toggle-collect="$_fn" "$@" \
	    > "$T/cg.stdout" 2> "$T/cg.err" ||
	    { say "bench: callgrind failed:"; cat "$T/cg.err" >&2; exit 1; }
	sed -n 's/^summary: *//p; s/^totals: *//p' "$T/cg.out" | head -1
}

# GET /messages N times against a server (under callgrind) holding a
# state file of $1 messages; prints the instructions in h_messages.
ir_messages() {
	"$TOOL" state "$1" "$T/irstate.json"
	PORT=$((PORT + 1))
	valgrind --tool=callgrind --callgrind-out-file="$T/cgm.out" \
	    --collect-atstart=no --toggle-collect=h_messages \
	    "$BIN" server --port "$PORT" --type custom \
	    --state-file "$T/irstate.json" --save-state=false -- \
	    "$AGENT" idle > "$T/cgm.log" 2>&1 &
	SRV=$!
	_n=0
	until curl -s "http://127.0.0.1:$PORT/status" | grep -q stable; do
		_n=$((_n + 1))
		[ $_n -gt 1200 ] && { say "bench: no server under callgrind";
		    cat "$T/cgm.log" >&2; exit 1; }
		sleep 0.05
	done
	_i=0
	while [ $_i -lt "$2" ]; do
		curl -s -o /dev/null "http://127.0.0.1:$PORT/messages"
		_i=$((_i + 1))
	done
	stop_server
	sed -n 's/^summary: *//p; s/^totals: *//p' "$T/cgm.out" | head -1
}

# The server under callgrind counting session_tick only, with the bench
# agent echoing $1 lines, one every 0.2 s, on a blank 80x1000 screen: each
# tick reads a screen with one more line.  Prints "instructions ticks".
ir_ticks() {
	rm -f "$T/tctl"; mkfifo "$T/tctl"
	PORT=$((PORT + 1))
	valgrind --tool=callgrind --callgrind-out-file="$T/cgt.out" \
	    --collect-atstart=no --toggle-collect=session_tick \
	    "$BIN" server --port "$PORT" --type custom -- \
	    "$AGENT" lines "$T/tctl" > "$T/cgt.log" 2>&1 &
	SRV=$!
	wait_body /messages 'bench agent ready'
	exec 3> "$T/tctl"
	_i=0
	while [ $_i -lt "$1" ]; do
		printf 'm%06u. agent output line %u\n' $_i $_i >&3
		sleep 0.2
		_i=$((_i + 1))
	done
	exec 3>&-
	sleep 1
	stop_server
	_id=$(sed -n 's/^c\{0,1\}fn=(\([0-9]*\)) session_tick$/\1/p' \
	    "$T/cgt.out" | head -1)
	_n=$(awk -v id="($_id)" '$1 ~ /^cfn=/ { split($1, a, "="); c = a[2] }
	    /^calls=/ { if (c == id) { split($1, b, "="); n += b[2] } }
	    END { print n + 0 }' "$T/cgt.out")
	echo "$(sed -n 's/^summary: *//p' "$T/cgt.out") $_n"
}

# Row 8: instruction counts (callgrind), with their references.
row8() {
	say "bench: row 8, instruction counts (callgrind)"
	"$TOOL" gen "$IR_MIB" "$T/irstream.bin" > /dev/null || exit 1
	bytes=$(wc -c < "$T/irstream.bin")
	ts=$(ir bench_measured "$TOOL" ir-tsm "$T/irstream.bin")
	av=$(ir bench_measured "$TOOL" ir-aavt "$T/irstream.bin")
	row "8 | instructions per input byte, $IR_MIB MiB stream at 80x1000 |" \
	    "aa_vt $(calc %.1f "$av / $bytes") |" \
	    "libtsm alone $(calc %.1f "$ts / $bytes") |" \
	    "$(calc %.3f "$av / $ts")x libtsm | <= 1.15x libtsm"
	full=$(ir bench_measured "$TOOL" ir-tick 50 full)
	incr=$(ir bench_measured "$TOOL" ir-tick 50 incr)
	row "8 | instructions per screen read, one line changed at 80x1000" \
	    "| $(calc %.0f "$incr / 50") |" \
	    "full read (tsm_screen_draw) $(calc %.0f "$full / 50") |" \
	    "$(calc %.3f "$incr / $full")x full | < 1,000,000"
	t=$(ir_ticks 30)
	row "8 | instructions per session tick (server: read, diff, format)," \
	    "a line added per tick at 80x1000 |" \
	    "$(calc %.0f "${t% *} / ${t#* }") (${t#* } ticks) | - | - | -"
	for n in 100 1000 10000; do
		a=$(ir_messages "$n" 1)
		b=$(ir_messages "$n" 11)
		per=$(calc %.0f "($b - $a) / 10")
		[ "$n" = 100 ] && per100=$per
		row "8 | instructions per GET /messages, $n messages (first" \
		    "request $a) | $per ($(calc %.0f "$per / $n") per message) |" \
		    "100 messages, per message: $(calc %.0f "$per100 / 100") |" \
		    "$(calc %.2f "($per / $n) / ($per100 / 100)")x | constant" \
		    "per message"
	done
}

: > "$TABLE"
for r in $ROWS; do
	"row$r"
done
{
	machine
	echo
	echo '| # | figure | agentapi-c | reference | ratio | target |'
	echo '|---|---|---|---|---|---|'
	cat "$TABLE"
} > "$T/out"
mkdir -p "$(dirname "$OUT")"
cp "$T/out" "$OUT"
cat "$T/out"
