#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz-regress: replay every saved fuzz input (tests/fuzz/regressions: the
# inputs that once crashed a target; tests/fuzz/corpus: the seeds) through
# the fuzz targets built normally (build/fuzzreplay), over a small index
# of corpus/ for the query and request targets.
. "$(dirname "$0")/../lib.sh"
need sed
tmpdir
if [ ! -x "$BIN/fuzzreplay" ] || [ ! -x "$BIN/indexer" ]; then
    skip fuzz-regress "build/fuzzreplay or build/indexer is missing (make tests)"
    done_testing
    exit
fi
"$BIN/indexer" --db "$T/db" --threads 1 -q "$ROOT/corpus" > "$T/indexer.log" 2>&1
rc=$?
ok $rc "index corpus/ for the query and request targets"
[ $rc -eq 0 ] || sed 's/^/# /' "$T/indexer.log"
# fuzzreplay prints its own TAP lines; number them after ours.
MEDSEARCH_FUZZ_DB=$T/db TMPDIR=$T "$BIN/fuzzreplay" "$ROOT/tests/fuzz/regressions" "$ROOT/tests/fuzz/corpus" > "$T/replay.tap" 2>&1
rc=$?
while IFS= read -r line; do
    case $line in
    "ok "*"# SKIP"*) why=${line#*SKIP }; skip "${why%%: *}" "${why#*: }" ;;
    "ok "*) ok 0 "${line#ok * - }" ;;
    "not ok "*) ok 1 "${line#not ok * - }" ;;
    "1.."*) ;;
    *) [[ $line == "# "* ]] || echo "# $line" ;;
    esac
done < "$T/replay.tap"
[ $rc -eq 0 ] || { grep -v '^ok ' "$T/replay.tap" | tail -30 | sed 's/^/# /'; ok 1 "fuzzreplay exited with status $rc"; }
done_testing
