#!/bin/sh
# examples.test.sh - the public header and the examples/ programs, built the
# way an embedder builds them: only include/agentapi.h (-I$inc, no src/)
# and the shared library (-L$lib -lagentapi), with -pedantic -Werror.
#
#   - agentapi.h compiles alone as C99, C11 and C++11;
#   - examples/session-watch.c, examples/server-timer.c and
#     examples/host-embed.c compile and link against the exported API only
#     (the .so hides everything else);
#   - session-watch runs the demo agent, sends one message and prints the
#     reply; server-timer serves the API beside its own timer while we ask
#     it for /status, then stops on its own; host-embed runs a host on a
#     temporary socket, starts a demo agent session through the API,
#     prints its state changes and the reply, deletes it and stops; all
#     exit 0 with their loops closed cleanly.
#
# AA_INCDIR / AA_LIBDIR point it at an installed copy instead of the tree.
#
# shellcheck disable=SC2086 # $WARN, $SAN and the pkg-config output are
# word lists of compiler flags, split on purpose.
top=${AA_TOP:-.}
build=${AA_BUILD:-$top/build}
bin=${AA_BIN:-$top/agentapi-c}
inc=${AA_INCDIR:-$top/include}
lib=${AA_LIBDIR:-$build}
out=$build/examples
CC=${CC:-cc}
CXX=${CXX:-c++}
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'kill "$bgpid" 2>/dev/null; rm -rf "$tmp"' EXIT
bgpid=

WARN="-Wall -Wextra -pedantic -Werror -Wshadow -Wstrict-prototypes \
-Wmissing-prototypes -Wwrite-strings -Wpointer-arith -Wundef -Wvla"
SAN=
[ "${AA_SAN:-}" = 1 ] && SAN="-fsanitize=address,undefined -fno-omit-frame-pointer"

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

mkdir -p "$out"

# --- the header on its own ------------------------------------------------
cat >"$tmp/use.c" <<'EOF'
#include <string.h>
#include <agentapi.h>
static void logger(void *ud, int level, const char *msg)
{
	(void)ud; (void)level; (void)msg;
}
static void on_status(void *ud, enum aa_conv_status st)
{
	(void)ud; (void)st;
}
int main(void)
{
	struct aa_server_options o;
	struct aa_host_options ho;
	memset(&o, 0, sizeof(o));
	memset(&ho, 0, sizeof(ho));
	ho.version = AA_HOST_OPTIONS_VERSION;
	ho.log = logger;
	o.version = AA_SERVER_OPTIONS_VERSION;
	o.session.version = AA_SESSION_OPTIONS_VERSION;
	o.api.version = AA_API_OPTIONS_VERSION;
	o.log = logger;
	o.session.on_status = on_status;
	return aa_version() == AA_VERSION_HEX && AA_EBUSY < 0 &&
	    AA_HOST_ID_SIZE == 17 ? 0 : 1;
}
EOF
if $CC -std=c99 $WARN -I"$inc" -fsyntax-only "$tmp/use.c" 2>"$tmp/err"; then
	ok "agentapi.h compiles as C99"
else
	bad "agentapi.h compiles as C99"; cat "$tmp/err"
fi
# As C11, linked and run: the header's version matches the library's.
if $CC -std=c11 $WARN $SAN -I"$inc" -o "$tmp/use" "$tmp/use.c" -L"$lib" \
    -lagentapi 2>"$tmp/err" &&
    LD_LIBRARY_PATH=$lib "$tmp/use" 2>>"$tmp/err"; then
	ok "agentapi.h compiles as C11 and matches the library's version"
else
	bad "agentapi.h as C11 (exit $?)"; cat "$tmp/err"
fi
cp "$tmp/use.c" "$tmp/use.cc"
if $CXX -std=c++11 -Wall -Wextra -pedantic -Werror -I"$inc" -fsyntax-only \
    "$tmp/use.cc" 2>"$tmp/err"; then
	ok "agentapi.h compiles as C++11"
else
	bad "agentapi.h compiles as C++11"; cat "$tmp/err"
fi

# --- the examples, built against the public API only ----------------------
for ex in session-watch server-timer host-embed; do
	if $CC -std=c11 $WARN $SAN -I"$inc" -o "$out/$ex" \
	    "$top/examples/$ex.c" -L"$lib" -lagentapi -luv 2>"$tmp/err"; then
		ok "examples/$ex.c builds with -Werror against libagentapi"
	else
		bad "examples/$ex.c builds"; cat "$tmp/err"
	fi
done
LD_LIBRARY_PATH=$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH

# --- session-watch: one message to the demo agent, the reply printed ------
msg="hello from session-watch"
if [ -x "$out/session-watch" ]; then
	timeout 120 "$out/session-watch" -t 90 "$msg" "$bin" demo-agent \
	    >"$tmp/sw.out" 2>"$tmp/sw.err"
	rc=$?
	if [ "$rc" -eq 0 ] &&
	    grep -q '^message 1 user (new):$' "$tmp/sw.out" &&
	    grep -qxF "    | $msg" "$tmp/sw.out" &&
	    grep -q '^message 2 agent (changed):$' "$tmp/sw.out" &&
	    grep -qF "    | You asked: \"$msg\"" "$tmp/sw.out" &&
	    grep -q '^3 messages; the last, from the agent:$' "$tmp/sw.out" &&
	    tail -n 1 "$tmp/sw.out" | grep -qx 'session stopped'; then
		ok "session-watch sends a message and prints the agent's reply"
	else
		bad "session-watch (exit $rc):"
		cat "$tmp/sw.out" "$tmp/sw.err" | tail -n 30
	fi
else
	skip=$((skip + 1)); echo "SKIP session-watch: not built"
fi

# --- server-timer: the HTTP API served beside the program's own timer -----
if [ -x "$out/server-timer" ]; then
	timeout 120 "$out/server-timer" -n 4 "$bin" demo-agent \
	    >"$tmp/st.out" 2>"$tmp/st.err" &
	bgpid=$!
	port='' i=0
	# Wait for the port line (the server binds before the agent starts).
	while [ -z "$port" ] && [ "$i" -lt 300 ] && kill -0 "$bgpid" 2>/dev/null
	do
		port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' \
		    "$tmp/st.out")
		[ -n "$port" ] || sleep 0.1
		i=$((i + 1))
	done
	status=
	[ -n "$port" ] && status=$(curl -s --max-time 10 \
	    "http://127.0.0.1:$port/status")
	wait "$bgpid"
	rc=$?
	bgpid=
	case $status in
	*'"status":"running"'* | *'"status":"stable"'*)
		ok "server-timer serves /status while it runs" ;;
	*)
		bad "server-timer /status on port '$port': '$status'" ;;
	esac
	if [ "$rc" -eq 0 ] &&
	    grep -qE '^tick 1: status=(running|stable) messages=[0-9]+$' \
	    "$tmp/st.out" &&
	    grep -qE '^tick 4: status=(running|stable) messages=[0-9]+$' \
	    "$tmp/st.out" &&
	    ! grep -q '^tick 5' "$tmp/st.out" &&
	    tail -n 1 "$tmp/st.out" | grep -qx 'server stopped'; then
		ok "server-timer ticks 4 times, then stops the server cleanly"
	else
		bad "server-timer (exit $rc):"
		cat "$tmp/st.out" "$tmp/st.err" | tail -n 30
	fi
else
	skip=$((skip + 1)); echo "SKIP server-timer: not built"
fi

# --- host-embed: a host in the program, one session driven through it ----
if [ -x "$out/host-embed" ]; then
	timeout 120 "$out/host-embed" -t 90 "$bin" demo-agent \
	    >"$tmp/he.out" 2>"$tmp/he.err"
	rc=$?
	sock=$(sed -n 's|^listening on unix:||p' "$tmp/he.out")
	id=$(sed -n 's|^session \([0-9a-f]\{16\}\) started (1 listed)$|\1|p' \
	    "$tmp/he.out")
	if [ "$rc" -eq 0 ] && [ -n "$id" ] &&
	    grep -qx "session $id state: starting" "$tmp/he.out" &&
	    grep -qx "session $id state: idle" "$tmp/he.out" &&
	    grep -qx "session $id state: working" "$tmp/he.out" &&
	    grep -qF 'You asked: "hello from host-embed"' "$tmp/he.out" &&
	    grep -qx "session $id removed" "$tmp/he.out" &&
	    tail -n 1 "$tmp/he.out" | grep -qx 'host stopped'; then
		ok "host-embed starts a session, prints its states and stops"
	else
		bad "host-embed (exit $rc):"
		cat "$tmp/he.out" "$tmp/he.err" | tail -n 30
	fi
	# Its temporary folder, socket included, is gone.
	if [ -n "$sock" ] && [ ! -e "$sock" ] &&
	    [ ! -e "${sock%/run/host.sock}" ]; then
		ok "host-embed removed its socket and folder"
	else
		bad "host-embed left '$sock' behind"
	fi
else
	skip=$((skip + 1)); echo "SKIP host-embed: not built"
fi

echo "examples: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
