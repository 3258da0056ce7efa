#!/bin/sh
# pty-loss.fault.sh - the PTY output loss under CPU load (issue 17), the
# long run: test-pty's pty_output_kept_under_cpu_load (parallel flooding
# agents next to busy loops, every byte of every exit checked) for
# AA_PTY_STRESS_MS, default 180 s, where `make test` gives it 8 s.  On the
# code before the fix, about one exit in 20,000 lost output this way.
# Prints test-pty's tally line.
cd "$(dirname "$0")/../.." || exit 1
build=${AA_BUILD:-build}
ms=${AA_PTY_STRESS_MS:-180000}
AA_PTY_STRESS_MS=$ms exec "$build/tests/test-pty" -t $((ms / 1000 + 120)) \
    pty_output_kept_under_cpu_load
