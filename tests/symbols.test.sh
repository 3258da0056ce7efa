#!/bin/sh
# symbols.test.sh - the shared library exports exactly the public API: every
# function declared AA_EXTERN in include/agentapi.h, and nothing else.
top=${AA_TOP:-.}
so=${AA_BUILD:-$top/build}/libagentapi.so.0
pass=0 fail=0
want=$(mktemp) got=$(mktemp)
trap 'rm -f "$want" "$got"' EXIT
# Declarations look like "AA_EXTERN <type> [*]aa_name(".
tr '\n' ' ' <"$top/include/agentapi.h" | grep -oE 'AA_EXTERN [^;(]*\(' |
	grep -oE 'aa_[a-z0-9_]+ *\($' | tr -d ' (' | sort -u >"$want"
nm -D --defined-only "$so" | awk '$2 ~ /^[TDBR]$/ { sub(/@.*/, "", $3); print $3 }' |
	sort -u >"$got"
if [ -s "$want" ] && cmp -s "$want" "$got"; then
	pass=$((pass + 1))
	echo "ok   exports match include/agentapi.h ($(wc -l <"$want") symbols)"
else
	fail=$((fail + 1))
	echo "FAIL exports differ from include/agentapi.h (< header, > library):"
	diff "$want" "$got" | head -40
fi
if nm -D --defined-only "$so" | grep -qE ' (aa__|llhttp_|uv_|tsm_|cJSON_)'; then
	fail=$((fail + 1))
	echo "FAIL internal or dependency symbols exported"
else
	pass=$((pass + 1))
	echo "ok   no internal or dependency symbols exported"
fi
if readelf -d "$so" | grep -q 'SONAME.*libagentapi.so.0'; then
	pass=$((pass + 1))
	echo "ok   soname libagentapi.so.0"
else
	fail=$((fail + 1))
	echo "FAIL soname"
fi
echo "symbols: $pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
