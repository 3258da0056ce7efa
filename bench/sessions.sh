#!/bin/sh
# sessions.sh - `make bench-sessions` (and the end of `make bench`): many
# demo agents side by side, three ways, in one run:
#
#   host     one `agentapi-c host` on a unix socket, N sessions
#   servers  N `agentapi-c server` processes, one loopback port each
#   tmux     one tmux server with N sessions (the reference)
#
# every one running the same built-in demo agent (`agentapi-c demo`) at
# 80x1000 and at 80x200.  For each: PSS per session (the wrappers alone
# and with their agents), time and CPU to start all N (until each answers,
# and until each agent is ready), CPU and wakeups while idle, CPU and wall
# time for TURNS concurrent turns, descriptors per session, ports.
#
# How each figure is taken: PSS is the sum of Pss in /proc/PID/smaps_rollup
# ("wrappers": the host, the servers or the tmux server; "with agents":
# their agent children too; a shared page is split between everyone who
# maps it, so the agents take their part of the binary and libraries).
# CPU is the first field of /proc/PID/schedstat (ns on a CPU, user and
# system), summed over the same processes; wakeups are voluntary plus
# involuntary context switches.  A session is answering when its /status
# says 200 (tmux: when new-session has returned) and ready when /status
# says "stable" (tmux: when the demo's "> " prompt is on the pane).  A turn
# is POST /message to TURNS sessions at once (curl --parallel; tmux:
# send-keys, all in one tmux command); it is over when all are "stable"
# again (tmux: when the reply is on the pane), and each reply is then
# checked in /messages (tmux: on the pane).  The demo thinks for 1 s, and
# our wrappers wait for the screen to be still before "stable", so wall
# times include that; CPU seconds are the figures to compare.  The clients
# (curl, tmux commands) are not counted in any CPU figure; answering their
# polls is (one GET /status per pending session every 50 ms, or one
# capture-pane for tmux), alike for all three.
#
# Servers listen on loopback only (127.0.0.1 and ::1, the server's
# default; the host on its unix socket alone), on ports below the ephemeral
# range (ip_local_port_range), so they do not collide with the outgoing
# connections of other programs; a server that still finds its port taken
# is started again on the next one and counted.  Everything started here
# is stopped by pid on exit.
#
# Environment: BIN (./agentapi-c), BUILD, BENCH_SESSIONS (200; 20 when
# CI=true), BENCH_TURNS (50; 10), BENCH_SESSIONS_IDLE_S (20; 5),
# BENCH_SIZES ("1000 200"), BENCH_SESSIONS_WRITE (1 for a full run: the
# section between the markers in bench/RESULTS.md is replaced; 0 leaves
# it).  Always written: $BUILD/bench/sessions.md.
# shellcheck disable=SC3045,SC2086,SC2046 # dash and bash both take
# ulimit -n/-H; pid lists and tmux command lists are word lists.

set -u
TOP=$(pwd)
BUILD=${BUILD:-build}
BIN=$(realpath "${BIN:-./agentapi-c}")
if [ "${CI:-}" = true ]; then
	N=${BENCH_SESSIONS:-20}; TURNS=${BENCH_TURNS:-10}
	IDLE_S=${BENCH_SESSIONS_IDLE_S:-5}; WRITE=${BENCH_SESSIONS_WRITE:-0}
else
	N=${BENCH_SESSIONS:-200}; TURNS=${BENCH_TURNS:-50}
	IDLE_S=${BENCH_SESSIONS_IDLE_S:-20}; WRITE=${BENCH_SESSIONS_WRITE:-1}
fi
SIZES=${BENCH_SIZES:-1000 200}
OUT=$TOP/$BUILD/bench/sessions.md
RESULTS=$TOP/bench/RESULTS.md

say() { printf '%s\n' "$*" >&2; }
die() { say "sessions: $*"; exit 1; }
# range WHAT VALUE LO HI: dies unless VALUE is a whole number in [LO, HI].
range() {
	case $2 in ''|*[!0-9]*) die "$1 must be a number";; esac
	if [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
		die "$1 must be $3..$4"
	fi
}

range BENCH_SESSIONS "$N" 2 1000
range BENCH_TURNS "$TURNS" 1 "$N"
range BENCH_SESSIONS_IDLE_S "$IDLE_S" 1 600
for h in $SIZES; do range "BENCH_SIZES (rows)" "$h" 10 2000; done
[ -x "$BIN" ] || die "no $BIN (make first)"
for c in curl tmux pgrep awk; do
	command -v "$c" > /dev/null || die "needs $c (sh packaging/deps.sh bench)"
done

T=$(mktemp -d /tmp/aa-sessions.XXXXXX)    # mode 0700: the host's socket dir
# A copy of the binary: every process of a run maps the same file (PSS
# splits its pages among them alone), and a rebuild meanwhile changes
# nothing.
cp "$BIN" "$T/agentapi-c" || die "cannot copy $BIN"
BIN=$T/agentapi-c
SOCK=aasess$$
HOST=
SRVS=
TMUXUP=

# Stops what is still running, by pid; each agent dies with its wrapper
# (SIGINT from the host or server, SIGHUP when tmux closes its pane).
cleanup() {
	[ -n "$HOST" ] && kill -INT "$HOST" 2>/dev/null && wait "$HOST"
	for p in $SRVS; do kill -INT "$p" 2>/dev/null; done
	for p in $SRVS; do wait "$p" 2>/dev/null; done
	[ -n "$TMUXUP" ] && tmux -L "$SOCK" kill-server 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# N servers and their clients need descriptors: take the hard limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null

now_ms() { date +%s%3N; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
commas() { printf '%s' "$*" | tr -s ' \n' ',,' | sed 's/^,//; s/,$//'; }

# Every descendant of the pids given.
descendants() {
	_all=; _lvl=$(commas "$@")
	while [ -n "$_lvl" ]; do
		_lvl=$(pgrep -P "$_lvl" | tr '\n' ' ')
		_all="$_all $_lvl"
		_lvl=$(commas "$_lvl")
	done
	echo $_all
}

# Sums over pids: Pss (KiB), CPU (ns), context switches, descriptors.
pss_kib() {
	for _p; do cat "/proc/$_p/smaps_rollup"; done 2>/dev/null |
	    awk '/^Pss:/ { s += $2 } END { print s + 0 }'
}
cpu_ns() {
	for _p; do cat "/proc/$_p/schedstat"; done 2>/dev/null |
	    awk '{ s += $1 } END { printf "%.0f\n", s }'
}
ctxsw() {
	for _p; do cat "/proc/$_p/status"; done 2>/dev/null |
	    awk '/_ctxt_switches:/ { s += $2 } END { print s + 0 }'
}
nfds() {
	_s=0
	for _p; do
		_s=$((_s + $(find "/proc/$_p/fd" -mindepth 1 -maxdepth 1 \
		    2>/dev/null | wc -l)))
	done
	echo "$_s"
}

# Waits (at most 30 s) until none of the pids is alive.
wait_gone() {
	_n=0
	while [ $_n -lt 300 ]; do
		_alive=0
		for _p; do kill -0 "$_p" 2>/dev/null && { _alive=1; break; }; done
		[ $_alive = 0 ] && return 0
		sleep 0.1; _n=$((_n + 1))
	done
	say "sessions: processes still alive after 30 s: $*"
}

# The figures of one system at one size, as key=value words in $T/res.
record() { echo "$SYS $H $*" >> "$T/res"; }

# Idle: CPU and wakeups of the wrappers and of the agents over IDLE_S s.
measure_idle() {
	sleep 2             # the state saves a second after the last change
	w0=$(cpu_ns $WRAP); a0=$(cpu_ns $AGENTS)
	x0=$(ctxsw $WRAP)
	sleep "$IDLE_S"
	w1=$(cpu_ns $WRAP); a1=$(cpu_ns $AGENTS)
	x1=$(ctxsw $WRAP)
	record idle_w=$((w1 - w0)) idle_a=$((a1 - a0)) idle_x=$((x1 - x0))
}

# Memory and descriptors of the system at rest.
measure_rest() {
	record pss_w="$(pss_kib $WRAP)" pss_a="$(pss_kib $AGENTS)" \
	    fds="$(nfds $WRAP)" nagents="$(echo $AGENTS | wc -w)"
}

# Turns: the CPU around the driver $1 (which returns when all are over).
measure_turns() {
	w0=$(cpu_ns $WRAP); a0=$(cpu_ns $AGENTS); t0=$(now_ms)
	"$1"
	t1=$(now_ms); w1=$(cpu_ns $WRAP); a1=$(cpu_ns $AGENTS)
	record turn_ms=$((t1 - t0)) turn_w=$((w1 - w0)) turn_a=$((a1 - a0)) \
	    turn_ok="$OK"
}

# ---- polling: one curl per round for every session still pending ---------

# Prints the keys among $2... whose GET $URLBASE<key>$1 has $PAT in its
# body.  URLBASE is http://127.0.0.1: (servers; the key is the port) or
# http://localhost/sessions/ over the host's socket ($CURLX; the key is
# the id).  A body may end in a newline: the marker ends each transfer.
poll() {
	_path=$1; shift
	set -- $(for _k; do echo "$URLBASE$_k$_path"; done)
	curl -s -m 5 $CURLX -w ' @%{url_effective}\n' "$@" 2>/dev/null |
	    awk -v pat="$PAT" -v base=" @$URLBASE" '{ b = b $0 }
	    index($0, base) { if (index(b, pat)) {
	        k = substr($0, index($0, base) + length(base))
	        sub(/\/.*/, "", k); print k }
	        b = "" }'
}

# Waits (at most 60 s) until every key among $2... matches (poll); the
# keys done are in $T/done.
poll_all() {
	_path=$1; shift
	_pend=$*; _n=0
	: > "$T/done"
	while [ -n "$_pend" ]; do
		poll "$_path" $_pend >> "$T/done"
		_next=
		for _k in $_pend; do
			grep -qx "$_k" "$T/done" || _next="$_next $_k"
		done
		_pend=$_next
		[ -z "$_pend" ] && break
		_n=$((_n + 1)); [ $_n -gt 1200 ] && return 1
		sleep 0.05
	done
}

# ---- one host -------------------------------------------------------------

hcurl() { curl -s -m 30 --unix-socket "$T/host.sock" "$@"; }

host_run() {
	SYS=host
	"$BIN" host --socket "$T/host.sock" --state-dir "$T/host-state" \
	    --max-sessions "$N" > "$T/host.log" 2>&1 &
	HOST=$!
	_n=0
	until hcurl -o /dev/null http://localhost/sessions; do
		_n=$((_n + 1))
		if ! kill -0 "$HOST" 2>/dev/null || [ $_n -gt 200 ]; then
			cat "$T/host.log" >&2; die "host did not start"
		fi
		sleep 0.05
	done
	fd0=$(nfds "$HOST"); pss0=$(pss_kib "$HOST")
	# All N POSTs in one curl, 50 at a time.
	set --
	_i=1
	while [ $_i -le "$N" ]; do
		[ $_i -gt 1 ] && set -- "$@" --next
		set -- "$@" --unix-socket "$T/host.sock" -m 60 \
		    -H 'Content-Type: application/json' -w '\n' \
		    -d "{\"type\":\"custom\",\"argv\":[\"$BIN\",\"demo\"],\
\"term_width\":80,\"term_height\":$H,\"name\":\"b$_i\"}" \
		    http://localhost/sessions
		_i=$((_i + 1))
	done
	t0=$(now_ms)
	curl -s -Z --parallel-immediate --parallel-max 50 "$@" > "$T/ids.json" 2> "$T/curl.err"
	sed -n 's/^{"id":"\([0-9a-f]*\)"}$/\1/p' "$T/ids.json" > "$T/ids"
	[ "$(wc -l < "$T/ids")" -eq "$N" ] ||
	    { head -c 2000 "$T/ids.json" >&2; die "host: not all sessions made"; }
	t1=$(now_ms)     # a session's routes answer once its POST has
	URLBASE=http://localhost/sessions/ CURLX="--unix-socket $T/host.sock"
	PAT='"status":"stable"'
	poll_all /status $(cat "$T/ids") || die "host: not all ready"
	t2=$(now_ms)
	WRAP=$HOST; AGENTS=$(descendants "$HOST")
	record start_ans=$((t1 - t0)) start_ready=$((t2 - t0)) \
	    start_cpu_w="$(cpu_ns $WRAP)" start_cpu_a="$(cpu_ns $AGENTS)" \
	    ports=0 inuse=0 fd0="$fd0" pss0="$pss0"
	measure_rest
	measure_idle
	measure_turns host_turns
	kill -INT "$HOST"; wait "$HOST"; HOST=
	wait_gone $AGENTS
	rm -rf "$T/host-state"
}

host_turns() {
	set --
	_i=1
	for _id in $(head -n "$TURNS" "$T/ids"); do
		[ $# -gt 0 ] && set -- "$@" --next
		set -- "$@" --unix-socket "$T/host.sock" -m 60 -o /dev/null \
		    -H 'Content-Type: application/json' \
		    -d "{\"content\":\"bench turn $_i\",\"type\":\"user\"}" \
		    "http://localhost/sessions/$_id/message"
		_i=$((_i + 1))
	done
	curl -s -Z --parallel-immediate --parallel-max "$TURNS" "$@" 2> "$T/curl.err"
	URLBASE=http://localhost/sessions/ CURLX="--unix-socket $T/host.sock"
	PAT='"status":"stable"'
	poll_all /status $(head -n "$TURNS" "$T/ids")
	PAT='You asked: '
	OK=$(poll /messages $(head -n "$TURNS" "$T/ids") | wc -l)
}

# ---- N servers ------------------------------------------------------------

# Starts server $1 on the next free port; its pid and port go into
# SPID_$1 and SPORT_$1.
srv_start() {
	PORT=$((PORT + 1))
	"$BIN" server --port "$PORT" --type custom --term-width 80 \
	    --term-height "$H" -- "$BIN" demo > "$T/srv/$1.log" 2>&1 &
	eval "SPID_$1=\$! SPORT_$1=\$PORT"
}

# Waits until every server's /status matches PAT; restarts one whose port
# was taken (counted in INUSE).
srv_wait() {
	_n=0
	while :; do
		_pend=
		_i=1
		while [ $_i -le "$N" ]; do
			eval "_p=\$SPORT_$_i"
			grep -qx "$_p" "$T/done" || _pend="$_pend $_p"
			_i=$((_i + 1))
		done
		[ -z "$_pend" ] && return 0
		URLBASE=http://127.0.0.1: CURLX=
		poll /status $_pend >> "$T/done"
		_i=1
		while [ $_i -le "$N" ]; do
			_pid=$(eval "echo \$SPID_$_i")
			if ! kill -0 "$_pid" 2>/dev/null; then
				grep -q 'in use' "$T/srv/$_i.log" ||
				    { cat "$T/srv/$_i.log" >&2;
				      die "server $_i exited"; }
				INUSE=$((INUSE + 1))
				[ "$INUSE" -gt "$N" ] && die "too many ports in use"
				srv_start "$_i"
				eval "SRVS=\"\$SRVS \$SPID_$_i\""
			fi
			_i=$((_i + 1))
		done
		_n=$((_n + 1)); [ $_n -gt 1200 ] && die "servers: not all $PAT"
		sleep 0.05
	done
}

srv_run() {
	SYS=servers
	mkdir -p "$T/srv"
	INUSE=0
	t0=$(now_ms)
	_i=1
	while [ $_i -le "$N" ]; do
		srv_start "$_i"
		eval "SRVS=\"\$SRVS \$SPID_$_i\""
		_i=$((_i + 1))
	done
	: > "$T/done"; PAT='"status":'; srv_wait
	t1=$(now_ms)
	: > "$T/done"; PAT='"status":"stable"'; srv_wait
	t2=$(now_ms)
	WRAP=
	_i=1
	while [ $_i -le "$N" ]; do
		eval "WRAP=\"\$WRAP \$SPID_$_i\""
		_i=$((_i + 1))
	done
	AGENTS=$(descendants $WRAP)
	record start_ans=$((t1 - t0)) start_ready=$((t2 - t0)) \
	    start_cpu_w="$(cpu_ns $WRAP)" start_cpu_a="$(cpu_ns $AGENTS)" \
	    ports="$N" inuse="$INUSE" fd0=0 pss0=0
	measure_rest
	measure_idle
	measure_turns srv_turns
	for p in $SRVS; do kill -INT "$p" 2>/dev/null; done
	for p in $SRVS; do wait "$p" 2>/dev/null; done
	SRVS=
	wait_gone $AGENTS
	rm -rf "$T/srv"
}

srv_turns() {
	set --
	_ports=
	_i=1
	while [ $_i -le "$TURNS" ]; do
		eval "_p=\$SPORT_$_i"
		_ports="$_ports $_p"
		[ $# -gt 0 ] && set -- "$@" --next
		set -- "$@" -m 60 -o /dev/null \
		    -H 'Content-Type: application/json' \
		    -d "{\"content\":\"bench turn $_i\",\"type\":\"user\"}" \
		    "http://127.0.0.1:$_p/message"
		_i=$((_i + 1))
	done
	curl -s -Z --parallel-immediate --parallel-max "$TURNS" "$@" 2> "$T/curl.err"
	URLBASE=http://127.0.0.1: CURLX=
	PAT='"status":"stable"'
	poll_all /status $_ports
	PAT='You asked: '
	OK=$(poll /messages $_ports | wc -l)
}

# ---- one tmux server --------------------------------------------------------

tm() { tmux -L "$SOCK" "$@"; }

# Prints the names among the sessions $2... whose first 40 lines have a
# line equal to $1 (mode "line") or containing it (mode "has"), per $MODE.
tm_poll() {
	_pat=$1; shift
	set -- $(for _s; do printf 'capture-pane -p -E 40 -t %s ; display -p -t %s @@#S ; ' "$_s" "$_s"; done)
	# The ';' words above are tmux's command separators.
	tm "$@" 2>/dev/null | awk -v pat="$_pat" -v mode="$MODE" '
	    /^@@/ { if (ok) print substr($0, 3); ok = 0; next }
	    mode == "line" && $0 == pat { ok = 1 }
	    mode == "has" && index($0, pat) { ok = 1 }'
}

# Waits until every session among $2... has $1 on its pane.
tm_wait() {
	_pat=$1; shift
	_pend=$*; _n=0
	: > "$T/done"
	while [ -n "$_pend" ]; do
		tm_poll "$_pat" $_pend >> "$T/done"
		_next=
		for _s in $_pend; do
			grep -qx "$_s" "$T/done" || _next="$_next $_s"
		done
		_pend=$_next
		[ -z "$_pend" ] && break
		_n=$((_n + 1)); [ $_n -gt 1200 ] && break
		sleep 0.05
	done
}

tmux_run() {
	SYS=tmux
	set --
	_i=1
	while [ $_i -le "$N" ]; do
		[ $_i -gt 1 ] && set -- "$@" ';'
		set -- "$@" new-session -d -s "s$_i" -x 80 -y "$H" "$BIN" demo
		_i=$((_i + 1))
	done
	t0=$(now_ms)
	tmux -L "$SOCK" -f /dev/null "$@" || die "tmux did not start"
	TMUXUP=1
	t1=$(now_ms)
	MODE=line; tm_wait '>' $(seq -f 's%.0f' 1 "$N")
	t2=$(now_ms)
	[ "$(wc -l < "$T/done")" -eq "$N" ] || die "tmux: not all panes ready"
	WRAP=$(tm display -p '#{pid}'); AGENTS=$(descendants "$WRAP")
	record start_ans=$((t1 - t0)) start_ready=$((t2 - t0)) \
	    start_cpu_w="$(cpu_ns $WRAP)" start_cpu_a="$(cpu_ns $AGENTS)" \
	    ports=0 inuse=0 fd0=0 pss0=0
	measure_rest
	measure_idle
	measure_turns tmux_turns
	tm kill-server; TMUXUP=
	wait_gone "$WRAP" $AGENTS
}

tmux_turns() {
	set --
	_i=1
	while [ $_i -le "$TURNS" ]; do
		[ $_i -gt 1 ] && set -- "$@" ';'
		set -- "$@" send-keys -t "s$_i" -l "bench turn $_i" ';' \
		    send-keys -t "s$_i" Enter
		_i=$((_i + 1))
	done
	tm "$@"
	MODE=has; tm_wait 'You asked: "bench turn' $(seq -f 's%.0f' 1 "$TURNS")
	OK=$(wc -l < "$T/done")
}

# ---- the table --------------------------------------------------------------

# get SYS H KEY: one recorded figure.
get() {
	awk -v s="$1" -v h="$2" -v k="$3" '$1 == s && $2 == h {
	    for (i = 3; i <= NF; i++) { split($i, a, "=");
	    if (a[1] == k) v = a[2] } } END { print v + 0 }' "$T/res"
}
mib() { calc %.2f "$1 / 1024"; }

table() {
	echo "| screen | figure | one host | $N servers | tmux, $N sessions |" \
	    "host : servers | goal for the host |"
	echo "|---|---|---|---|---|---|---|"
	for h in $SIZES; do
		# r FIGURE CELL RATIO GOAL: one row, CELL called per system.
		r() {
			_l="| 80x$h | $1 |"
			for s in host servers tmux; do _l="$_l $("$2" "$s") |"; done
			echo "$_l $3 | $4 |"
		}
		ratio() { calc %.2f "$(get host "$h" "$1") / $(get servers "$h" "$1")"; }
		verdict() { if [ "$(calc %d "$1")" = 1 ]; then echo yes; else echo '**no**'; fi; }
		c_pssw() { mib "$(calc %.1f "$(get "$1" "$h" pss_w) / $N")"; }
		c_pssa() { mib "$(calc %.1f "($(get "$1" "$h" pss_w) + \
$(get "$1" "$h" pss_a)) / $N")"; }
		c_start() { echo "$(calc %.2f "$(get "$1" "$h" start_ans) / 1000") / \
$(calc %.2f "$(get "$1" "$h" start_ready) / 1000") s; \
$(calc %.2f "$(get "$1" "$h" start_cpu_w) / 1e9") + \
$(calc %.2f "$(get "$1" "$h" start_cpu_a) / 1e9") CPU s"; }
		c_idle() { echo "$(calc %.1f "$(get "$1" "$h" idle_w) / 1e6") + \
$(calc %.1f "$(get "$1" "$h" idle_a) / 1e6") ms; \
$(get "$1" "$h" idle_x) wakeups"; }
		c_turn() { echo "$(calc %.2f "$(get "$1" "$h" turn_ms) / 1000") s; \
$(calc %.3f "$(get "$1" "$h" turn_w) / 1e9") + \
$(calc %.3f "$(get "$1" "$h" turn_a) / 1e9") CPU s; \
$(get "$1" "$h" turn_ok)/$TURNS replies"; }
		c_fds() { calc %.2f "$(get "$1" "$h" fds) / $N"; }
		c_ports() { echo "$(get "$1" "$h" ports) ($(get "$1" "$h" inuse) \
taken, retried)"; }
		pw=$(calc %.4f "$(get host "$h" pss_w) / $N / 1024")
		sw=$(calc %.4f "$(get servers "$h" pss_w) / $N / 1024")
		if [ "$h" -le 200 ]; then
			g="< 2 MiB: $(verdict "$pw < 2")"
		else
			g="<= servers' and 5.6 MiB: $(verdict "$pw <= $sw && $pw <= 5.6")"
		fi
		r "PSS per session, wrappers alone (MiB)" c_pssw \
		    "$(ratio pss_w)" "$g"
		r "PSS per session with its agent (MiB)" c_pssa \
		    "$(calc %.2f "($(get host "$h" pss_w) + $(get host "$h" pss_a)) / \
($(get servers "$h" pss_w) + $(get servers "$h" pss_a))")" -
		r "start all $N: answering / ready; CPU s wrappers + agents" \
		    c_start "$(ratio start_cpu_w) (CPU)" -
		r "idle ${IDLE_S} s: CPU ms wrappers + agents; wrapper wakeups" \
		    c_idle - "zero: $(verdict "$(get host "$h" idle_w) == 0 && \
$(get host "$h" idle_a) == 0 && $(get host "$h" idle_x) == 0")"
		r "$TURNS concurrent turns: wall; CPU s wrappers + agents" c_turn \
		    "$(ratio turn_w) (CPU)" -
		r "descriptors per session (the wrappers' fds / $N)" c_fds \
		    "$(ratio fds)" -
		r "TCP ports" c_ports - \
		    "none: $(verdict "$(get host "$h" ports) == 0")"
	done
}

# The 1,000-session arithmetic from the host's figures.
arith() {
	h=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1)
	hs=$(echo "$SIZES" | tr ' ' '\n' | sort -n | head -1)
	pw=$(get host "$h" pss_w); pa=$(get host "$h" pss_a)
	per=$(calc %.0f "($pw + $pa) / $N")         # KiB per session, whole
	pers=$(calc %.0f "($(get host "$hs" pss_w) + $(get host "$hs" pss_a)) / $N")
	mem=$(awk '/MemTotal/ { print $2 }' /proc/meminfo)
	fd=$(get host "$h" fds); fd0=$(get host "$h" fd0)
	perfd=$(calc %.2f "($fd - $fd0) / $N")
	soft=$(awk '/^Max open files/ { print $4 }' "$T/host.limits")
	hard=$(awk '/^Max open files/ { print $5 }' "$T/host.limits")
	idle=$(get host "$h" idle_w); idlea=$(get host "$h" idle_a)
	turnw=$(get host "$h" turn_w)
	ptymax=$(cat /proc/sys/kernel/pty/max)
	ptyres=$(cat /proc/sys/kernel/pty/reserve 2>/dev/null || echo 0)
	nproc=$(awk '/^Max processes/ { print $3 }' /proc/self/limits)
	cat <<EOF
**1,000 sessions on this machine**, from the host's figures above:

- Memory, 80x$h: $(mib "$per") MiB per session with its demo agent (host $(mib "$(calc %.0f "$pw / $N")") + agent $(mib "$(calc %.0f "$pa / $N")")) x 1,000 = **$(calc %.2f "$per * 1000 / 1048576") GiB** of $(calc %.1f "$mem / 1048576") GiB ($(calc %.0f "$per * 1000 * 100 / $mem") %). At 80x$hs: $(mib "$pers") MiB x 1,000 = $(calc %.2f "$pers * 1000 / 1048576") GiB. A real agent (Node.js, 100-400 MiB each) runs out of memory long before the host does.
- Descriptors: $perfd per session (its PTY master) + $fd0 fixed + one per client connection = $(calc %.0f "$fd0 + 1000 * $perfd") for 1,000 idle sessions, against the host's limit here of $soft (soft) / $hard (hard). \`agentapi-c host\` raises its soft limit to the hard one at start, so a shell's usual soft 1,024 does not stop it at ~1,000.
- Processes: 1,000 agents + 1 host, against pid_max $(cat /proc/sys/kernel/pid_max), threads-max $(cat /proc/sys/kernel/threads-max), RLIMIT_NPROC $nproc.
- PTYs: 1,000 against kernel.pty.max $ptymax ($ptyres of them reserved for the initial devpts instance, so $((ptymax - ptyres)) inside a container).
- Idle CPU: $(calc %.1f "($idle + $idlea) / 1e6") ms in ${IDLE_S} s for $N sessions (host and agents), x 1,000 / $N = $(calc %.1f "($idle + $idlea) / 1e6 * 1000 / $N") ms: nothing wakes while nothing happens.
- Turns: $(calc %.1f "$turnw / 1e6 / $TURNS") ms of host CPU per demo turn at 80x$h, so the 2 cores would carry about $(calc %.0f "2e9 / ($turnw / $TURNS)") such turns per second across the 1,000 sessions.
EOF
}

machine() {
	printf 'machine: %s x %s, %s MiB RAM, Linux %s, load %s; %s, %s\n' \
	    "$(nproc)" \
	    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
	    "$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)" \
	    "$(uname -r)" "$(cut -d' ' -f1-3 /proc/loadavg)" \
	    "$("$BIN" --version 2>&1 | head -1)" "$(tmux -V)"
}

# ---- run --------------------------------------------------------------------

: > "$T/res"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for H in $SIZES; do
	say "sessions: $N in one host at 80x$H"
	host_run
	say "sessions: $N servers at 80x$H"
	PORT=$(awk -v n="$N" -v pid=$$ '{ lo = $1 }
	    END { b = lo - 4 * n - 10000; if (b < 1000) b = 1000;
	    print 10000 + pid % b }' /proc/sys/net/ipv4/ip_local_port_range)
	srv_run
	say "sessions: tmux with $N sessions at 80x$H"
	tmux_run
done
# The limits a host runs with, for the arithmetic.
"$BIN" host --socket "$T/host.sock" --state-dir "$T/host-state" \
    > "$T/host.log" 2>&1 &
HOST=$!
sleep 0.3
cat "/proc/$HOST/limits" > "$T/host.limits"
kill -INT "$HOST"; wait "$HOST"; HOST=

{
	echo "$N sessions of the demo agent, $TURNS concurrent turns," \
	    "${IDLE_S} s idle ($(date -u +%Y-%m-%d))."
	machine
	echo "load average at start $load0, at end $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	table
	echo
	arith
} > "$T/out"
mkdir -p "$(dirname "$OUT")"
cp "$T/out" "$OUT"
cat "$T/out"
if [ "$WRITE" = 1 ] && grep -q '^<!-- sessions.sh: begin -->$' "$RESULTS"; then
	awk -v f="$T/out" '
	    /^<!-- sessions.sh: end -->$/ { skip = 0 }
	    !skip { print }
	    /^<!-- sessions.sh: begin -->$/ {
	        while ((getline l < f) > 0) print l; skip = 1 }' \
	    "$RESULTS" > "$T/results" && cp "$T/results" "$RESULTS"
	say "sessions: bench/RESULTS.md updated"
fi
