#!/bin/sh
# run.sh - runs every test program given on the command line and adds up
# their tally lines ("<name>: N passed, N failed, N skipped") into the one
# closing line CI reads.  A program that crashes or prints no tally line
# counts as one failure.
#
# Usage: tests/run.sh PROGRAM...   (each PROGRAM is run from the repo root)
pass=0 fail=0 skip=0
log=${TMPDIR:-/tmp}/aa-test-$$.log
for prog in "$@"; do
	echo "== $prog"
	"$prog" >"$log" 2>&1
	rc=$?
	cat "$log"
	line=$(grep -E '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL $prog: no tally line (exit $rc)"
		fail=$((fail + 1))
		continue
	fi
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + ${s:-0}))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $prog: exit $rc with no failed case"
		fail=$((fail + 1))
	fi
done
rm -f "$log"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
