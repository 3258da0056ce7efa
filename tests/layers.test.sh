#!/bin/sh
# layers.test.sh - the include rules of src/ as a test: a file may include
# its own layer and the layers below it, never one above, and no two modules
# (a .c with its .h, and any foo-*.c/.h split off module foo) include each
# other, directly or through others.  The order, lowest first:
#
#   base     buffers, lists, UTF-8, time formats, errors, file writes
#   core     the pure core: bytes -> screen -> messages, time passed in
#   agents   one file per agent type (the top-level agents/), over core
#   runtime  the agent on a libuv loop: pty, session
#   http     the HTTP/SSE transport, knows nothing of agents
#   api      the agentapi endpoints over runtime and http
#   prog     the program: CLI, attach, demo agent, PID file, main()
#
# runtime and http are side by side: neither may include the other.
# Prints "layers: N passed, N failed" (one case per file, one for the
# circles) for tests/run.sh.
top=${AA_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 1

# allowed LAYER: the layers a file in LAYER may include.
allowed() {
	case $1 in
	base) echo "base" ;;
	core) echo "base core" ;;
	agents) echo "base core agents" ;;
	runtime) echo "base core runtime" ;;
	http) echo "base http" ;;
	api) echo "base core agents runtime http api" ;;
	prog) echo "base core agents runtime http api prog" ;;
	esac
}

pass=0 fail=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
for f in src/*/*.[ch] agents/*.[ch]; do
	[ -f "$f" ] || continue
	case $f in
	agents/*) layer=agents ;;
	*) layer=$(basename "$(dirname "$f")") ;;
	esac
	ok=$(allowed "$layer")
	if [ -z "$ok" ]; then
		echo "FAIL $f: $layer is not a known layer"
		fail=$((fail + 1))
		continue
	fi
	bad=""
	# Header names have no blanks, so a word list is a line list here.
	# shellcheck disable=SC2013
	for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
		case $inc in
		*/*) to=${inc%%/*} ;;
		*) continue ;;	# "agentapi.h" and same-folder headers
		esac
		# A module is a .c with its .h; "foo-*.[ch]" belong to module
		# foo (a split that shares foo's private header).
		from=$(dirname "$f")/$(basename "${f%.?}")
		from=${from%%-*}
		dest=src/${inc%.h}
		case ${dest##*/} in
		*-*) dest=${dest%/*}/$(echo "${dest##*/}" | sed 's/-.*//') ;;
		esac
		[ "$from" = "$dest" ] || echo "$from $dest" >>"$edges"
		case " $ok " in
		*" $to "*) ;;
		*) bad="$bad $inc" ;;
		esac
	done
	if [ -n "$bad" ]; then
		echo "FAIL $f ($layer) includes a higher or side layer:$bad"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done
# tsort names a loop on stderr when the module graph has a circle.
loops=$(tsort "$edges" 2>&1 >/dev/null)
if [ -n "$loops" ]; then
	echo "FAIL include circle between modules:"
	echo "$loops" | sed 's/^tsort: /  /'
	fail=$((fail + 1))
else
	pass=$((pass + 1))
fi
echo "layers: $pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
