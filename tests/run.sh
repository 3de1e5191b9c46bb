#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh: run every test and end with one summary line "N passed, N failed".
# Every test program speaks TAP ("ok N - name", "not ok N - name",
# "ok N # SKIP why"): cmocka binaries (CMOCKA_MESSAGE_OUTPUT=TAP), the
# golden tests and the end-to-end scripts in tests/*/ (tests/lib.sh).
# A program that exits non-zero without any "not ok" line counts as one
# failure, so a crash is never silent.
# TESTS=PATTERN runs a subset: the programs whose file name matches the
# extended regular expression (TESTS='hostile|soak-short', TESTS=test_utf8,
# TESTS='^client'); a pattern that matches no test is an error (exit 2).
set -u
cd "$(dirname "$0")/.."
export CMOCKA_MESSAGE_OUTPUT=TAP
export MEDSEARCH_ROOT=$PWD
LOGDIR=build/test-logs
mkdir -p "$LOGDIR"
pass=0 fail=0 skip=0
failed_names=()
progs=()
for t in build/tests/test_*; do [ -x "$t" ] && progs+=("$t"); done
for t in tests/golden/*.sh tests/e2e/*.sh; do [ -f "$t" ] && progs+=("$t"); done
if [ -n "${TESTS:-}" ]; then
    sel=()
    for t in "${progs[@]}"; do
        name=$(basename "$t")
        [[ "$name" =~ $TESTS ]]; m=$?
        [ $m = 2 ] && { echo "run.sh: TESTS='$TESTS' is not a valid extended regular expression" >&2; exit 2; }
        [ $m = 0 ] && sel+=("$t")
    done
    if [ ${#sel[@]} -eq 0 ]; then
        echo "run.sh: TESTS='$TESTS' matches no test; the tests are:" >&2
        for t in "${progs[@]}"; do basename "$t"; done | tr "\n" " " | fold -s -w 100 >&2; echo >&2
        echo "0 passed, 1 failed"
        exit 2
    fi
    progs=("${sel[@]}")
fi
for t in "${progs[@]}"; do
    name=$(basename "$t")
    log="$LOGDIR/$name.log"
    start=$SECONDS
    if [[ "$t" == *.sh ]]; then bash "$t" > "$log" 2>&1; else "$t" > "$log" 2>&1; fi
    rc=$?
    p=$(grep -cE '^ok [0-9]*' "$log" | head -1)
    # cmocka reports a skipped test as "not ok N # SKIP": a skip, not a failure
    s=$(grep -cE '^(not )?ok .*# ?SKIP' "$log" | head -1)
    f=$(grep -E '^not ok' "$log" | grep -cvE '# ?SKIP' | head -1)
    p=$((p - $(grep -cE '^ok .*# ?SKIP' "$log" | head -1)))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "not ok - $name exited with status $rc" >> "$log"; fi
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
    status=PASS; [ "$f" -gt 0 ] && { status=FAIL; failed_names+=("$name"); }
    printf '%-4s %-36s %3d passed %3d failed %3d skipped  %3ds\n' "$status" "$name" "$p" "$f" "$s" $((SECONDS - start))
    if [ "$f" -gt 0 ]; then
        grep -E '^not ok|^#' "$log" | head -40 | sed 's/^/     /'
    fi
done
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]} (logs in $LOGDIR/)"
[ "$skip" -gt 0 ] && echo "($skip skipped; see $LOGDIR/)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
