#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The soak (bench/soak.sh) in 20 seconds: searchd under load over a small
# index while the indexer commits updates and one --rebuild swaps the
# index in. Zero failed requests, bounded RSS growth, no descriptor leak,
# the swap followed under load, a clean exit. Behaviour, not timing: the
# load lasts until the rebuild is served however busy the machine is
# (SOAK_UNTIL_SWAP); the timed soak is bench/soak.sh (make bench).
. "$(dirname "$0")/../lib.sh"
need curl python3
tmpdir
[ -x "$BIN/loadgen" ] && [ -x "$BIN/gencorpus" ] || { echo "Bail out! build/loadgen or build/gencorpus missing (make tests)"; exit 1; }

export MEDSEARCH_SHARED=$SHARED
SOAK_SECONDS=${SOAK_SECONDS:-20} SOAK_DOCS=${SOAK_DOCS:-1000} SOAK_SLICE=100 SOAK_COMMIT=50 \
    SOAK_CONNS=16 SOAK_MIX_CONNS=2 SOAK_REBUILD_AT=${SOAK_REBUILD_AT:-4} SOAK_WARMUP_PCT=25 \
    SOAK_UNTIL_SWAP=1 SOAK_WORK=$T/soak SOAK_REPORT= "$ROOT/bench/soak.sh" > "$T/soak.out" 2>&1
rc=$?
sed 's/^/# /' "$T/soak.out"
[ -f "$T/soak/soak.result" ] || { echo "Bail out! soak.sh produced no result (exit $rc)"; exit 1; }
. "$T/soak/soak.result"

[ "$requests" -gt 100 ] && [ "$failed" = 0 ]
ok $? "zero failed requests ($failed of $requests)"
if ldd "$BIN/searchd" 2>/dev/null | grep -qE 'libasan|libtsan'; then
    # the sanitizers' allocators keep freed memory in quarantine: RSS
    # growth says nothing about leaks there (LeakSanitizer does)
    skip "RSS growth after warm-up under 10 % ($rss_growth_pct %)" "sanitizer build"
else
    python3 -c "import sys; sys.exit(0 if $rss_growth_pct < 10 else 1)"
    ok $? "RSS growth after warm-up under 10 % ($rss_growth_pct %)"
fi
[ "$fd_end" -le "$fd_base" ] && [ "$fd_deleted" = 0 ]
ok $? "descriptors stable once idle ($fd_base before, $fd_end after, $fd_deleted on deleted files)"
[ "$rebuild_rc" = 0 ] && [ "$rebuild_pickup_s" != -1 ] && [ "$rebuild_under_load" = 1 ] && { [ "$marker" = 200 ] || [ "$marker" = -1 ]; }
ok $? "the --rebuild swap is followed under load (pickup ${rebuild_pickup_s} s, marker $marker)"
[ "$updates_ok" -gt 0 ] && [ "$updates_failed" = 0 ]
ok $? "the update loop commits ($updates_ok runs, $updates_failed failed)"
[ "$alive" = 1 ] && [ "$health_end" = 200 ] && [ "$searchd_exit" = 0 ]
ok $? "searchd stays up and exits 0 on SIGTERM"
[ $rc = 0 ]
ok $? "soak.sh passes (exit $rc)"
done_testing
