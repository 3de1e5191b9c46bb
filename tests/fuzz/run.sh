#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh (make fuzz): build the libFuzzer targets with clang (ASan+UBSan,
# tests/fuzz/fuzz.mk, into build/fuzz/), replay the regression inputs,
# then fuzz each target for FUZZ_TIME seconds and print one line per
# target: executions, coverage (cov: edges, ft: features), corpus size,
# crashes. Exits 1 if any target crashed.
#
#   FUZZ_TIME=60          seconds per target (0: build and replay only)
#   FUZZ_TARGETS="a b"    a subset (default: every tests/fuzz/fuzz_*.c)
#   FUZZ_JOBS=1           targets fuzzed at once (the summary waits for all)
#   FUZZ_ARGS="..."       extra libFuzzer flags (e.g. -max_len=65536)
#
# The growing corpus lives in build/fuzz/corpus/TARGET (seeds in
# tests/fuzz/corpus/TARGET stay small and are never written); crashing
# inputs go to build/fuzz/crashes/TARGET/. Add a fixed one to
# tests/fuzz/regressions/TARGET/: make check replays them all
# (tests/golden/fuzz-regress.sh).
set -u
cd "$(dirname "$0")/../.."
FZ=build/fuzz
FUZZ_TIME=${FUZZ_TIME:-60}
FUZZ_JOBS=${FUZZ_JOBS:-1}
command -v clang-14 >/dev/null || { echo "fuzz: clang-14 is not installed (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }

echo "fuzz: building the targets in $FZ/"
make -s -f tests/fuzz/fuzz.mk -j"$(nproc)" fuzz-build || exit 2

# The small real index fuzz_query and fuzz_request search (corpus/).
db=$FZ/db
# (build/fuzz/indexer is not beside data/: the synonym files are named, so
# the queries meet synonym groups and their XY terms)
if [ ! -f "$db/XAPIANDB" ] || [ -n "$(find corpus data "$FZ/indexer" -newer "$db/XAPIANDB" -type f | head -1)" ]; then
    rm -rf "$db"
    ASAN_OPTIONS=detect_leaks=0 "$FZ/indexer" --db "$db" --threads 1 -q \
        --synonyms data/synonyms.txt --synonyms data/lay-synonyms.txt corpus ||
        { echo "fuzz: indexing corpus/ failed" >&2; exit 2; }
fi
export MEDSEARCH_FUZZ_DB=$PWD/$db

targets=${FUZZ_TARGETS:-$(for f in tests/fuzz/fuzz_*.c; do basename "$f" .c; done | sed 's/^fuzz_//')}

# Replay the known crashing inputs first: a regression shows at once.
bad=0
for t in $targets; do
    d=tests/fuzz/regressions/$t
    [ -d "$d" ] && [ -n "$(ls -A "$d")" ] || continue
    if ! "$FZ/fuzz_$t" -runs=0 "$d"/* > "$FZ/replay-$t.log" 2>&1; then
        echo "fuzz: $t fails on a regression input (see $FZ/replay-$t.log)"; bad=1
    fi
done

fuzz_one() {
    local t=$1 log=$FZ/log-$1.txt dict=
    mkdir -p "$FZ/corpus/$t" "$FZ/crashes/$t"
    [ -f "tests/fuzz/dict/$t.dict" ] && dict=-dict=tests/fuzz/dict/$t.dict
    # -fork is not used: crashes stop the target so they are seen at once.
    "$FZ/fuzz_$t" -max_total_time="$FUZZ_TIME" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$FZ/crashes/$t/" $dict ${FUZZ_ARGS:-} \
        "$FZ/corpus/$t" "tests/fuzz/corpus/$t" > "$log" 2>&1
    echo $? > "$FZ/rc-$t"
}

[ "$FUZZ_TIME" -gt 0 ] 2>/dev/null || { echo "fuzz: built and replayed (FUZZ_TIME=$FUZZ_TIME)"; exit $bad; }
running=0
for t in $targets; do
    [ -x "$FZ/fuzz_$t" ] || { echo "fuzz: no target $t" >&2; bad=1; continue; }
    echo "fuzz: $t for ${FUZZ_TIME}s"
    fuzz_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$FUZZ_JOBS" ]; then wait -n; running=$((running - 1)); fi
done
wait

# "cov+ at" is the share of this run's executions done when the edge
# coverage last grew: near 100% means it still grows; a plateau is low.
printf '%-10s %10s %8s %6s %7s %7s %8s %s\n' target execs exec/s cov ft corpus "cov+ at" crashes
for t in $targets; do
    log=$FZ/log-$t.txt
    [ -f "$log" ] || continue
    last=$(grep -E '^#[0-9]+' "$log" | grep 'cov:' | tail -1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
    grew=$(awk '/^#[0-9]+/ && / cov: / { for (i = 1; i <= NF; i++) if ($i == "cov:") c = $(i + 1);
                 n = substr($1, 2); if (c != last) { last = c; at = n } }
               END { if (n > 0) printf "%d%%", 100 * at / n }' "$log")
    crashes=$(ls "$FZ/crashes/$t" 2>/dev/null | wc -l)
    rc=$(cat "$FZ/rc-$t" 2>/dev/null || echo '?')
    printf '%-10s %10s %8s %6s %7s %7s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${grew:-?}" \
        "$crashes$([ "$rc" != 0 ] && echo " (exit $rc, see $log)")"
    [ "$rc" != 0 ] && bad=1
done
exit $bad
