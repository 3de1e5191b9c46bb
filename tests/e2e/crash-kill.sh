#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Crash safety of the index (issue 6): SIGKILL the indexer at 20 random
# moments of a run over 20,000 generated articles (the run is resumed after
# each kill: a rerun skips what was committed); after every kill the index
# opens, passes xapian-check, holds a committed batch boundary and no
# duplicates; the last rerun completes the job exactly. Then kill --rebuild
# at random moments while searchd serves the live index: the live index is
# untouched and /health answers 200 throughout; a later rebuild succeeds
# and leaves no stray generation behind.
# CRASH_SEED=N replays the same kill moments; CRASH_N=N sets the corpus size.
. "$(dirname "$0")/../lib.sh"
need curl python3 xapian-check xapian-delve
tmpdir
IDX=$BIN/indexer
N=${CRASH_N:-20000}
CE=250
seed=${CRASH_SEED:-$RANDOM}
RANDOM=$seed
diag "kill moments from seed $seed (CRASH_SEED=$seed replays them)"

stat_of() { awk -v k="$2:" '$1 == k {print $2}' "$1"; }
# distinct Q (id) terms: equal to the document count when nothing is duplicated
qcount() { xapian-delve -A Q "$(live "$1")" 2>/dev/null | tr ' ' '\n' | grep -c '^Q'; }
# sleep_ms MS
sleep_ms() { sleep "$(($1 / 1000)).$(printf %03d $(($1 % 1000)))"; }
gens() { (cd "$1" && ls -d idx-* 2>/dev/null | tr '\n' ' '); }

# Bodies cut to ~700 characters: the same number of articles and commits
# for half the indexing time (this test is about kills, not text).
"$BIN/gencorpus" "$N" "$ROOT/corpus" | python3 -c '
import json, sys
for line in sys.stdin:
    a = json.loads(line)
    b = a.get("body") or ""
    if len(b) > 700:
        a["body"] = b[:b.rfind(" ", 0, 700)]
    sys.stdout.write(json.dumps(a, ensure_ascii=False) + "\n")' > "$T/gen.jsonl"
[ "$(grep -c . "$T/gen.jsonl")" = "$N" ]; ok $? "generated $N articles"

# ---- 20 kills of one resumed run ---------------------------------------------
DB=$T/db
t0=$SECONDS
prev=0 landed=0 boundaries=""
# Kill moments: uniform in [D/10, D]; D grows by a second after every kill
# that found nothing new committed (the run progresses however loaded the
# machine is) and shrinks after one that let more than N/20 through (the
# job does not finish before the 20th kill however fast the machine is).
# Until 20 kills have hit a running indexer (at most 60 attempts): a run
# that finishes before its kill is not counted, and when the whole job is
# done before the 20th kill the index starts over empty.
D=2000
i=0
for ((attempt = 1; landed < 20 && attempt <= 60; attempt++)); do
    if [ "$prev" = "$N" ]; then
        rm -rf "$DB"; prev=0
        diag "the job finished before 20 kills: starting over from an empty index"
    fi
    "$IDX" -q --db "$DB" --commit-every $CE "$T/gen.jsonl" 2>> "$T/kill.err" &
    pid=$!
    ms=$((D / 10 + RANDOM % (D * 9 / 10)))
    sleep_ms $ms
    if kill -KILL $pid 2>/dev/null; then
        landed=$((landed + 1))
        i=$landed
        wait $pid 2>/dev/null
    else
        wait $pid; diag "attempt $attempt finished (exit $?) before its kill at ${ms} ms"
        "$IDX" --db "$DB" --stats > "$T/stats" 2>&1
        n=$(stat_of "$T/stats" documents)
        prev=${n:-$prev}
        D=$((D * 2 / 3 > 300 ? D * 2 / 3 : 300))
        continue
    fi
    why=""
    "$IDX" --db "$DB" --stats > "$T/stats" 2>&1 || why+=" --stats failed ($(head -1 "$T/stats"));"
    n=$(stat_of "$T/stats" documents)
    n=${n:-x}
    xapian-check "$(live "$DB")" > "$T/check" 2>&1 || why+=" xapian-check failed ($(tail -1 "$T/check"));"
    if [ "$n" = x ] || { [ $((n % CE)) != 0 ] && [ "$n" != "$N" ]; }; then why+=" count $n is not a batch boundary;"; fi
    [ "$n" = x ] || [ "$n" -ge "$prev" ] || why+=" count went down from $prev;"
    q=$(qcount "$DB")
    [ "$q" = "$n" ] || why+=" $q ids for $n documents;"
    [ -z "$why" ] || diag "kill $i:$why"
    [ -z "$why" ]; ok $? "kill $i at ${ms} ms: index opens, xapian-check passes, $n documents (a commit boundary, no duplicates)"
    if [ "$n" = x ] || [ "$n" -le "$prev" ]; then D=$((D + 1000))
    elif [ $((n - prev)) -gt $((N / 20)) ] && [ $D -gt 750 ]; then D=$((D * 2 / 3)); fi
    [ "$n" = x ] || prev=$n
    boundaries+="$n "
done
diag "$landed kills on a running indexer in $((attempt - 1)) attempts, $((SECONDS - t0)) s; counts after each: $boundaries"
[ "$landed" -ge 20 ]; ok $? "20 kills hit a running indexer ($landed in $((attempt - 1)) attempts)"
"$IDX" -q --db "$DB" --commit-every $CE "$T/gen.jsonl"
ok $? "the rerun after the last kill exits 0"
"$IDX" --db "$DB" --stats > "$T/stats"
[ "$(stat_of "$T/stats" documents)" = "$N" ]; ok $? "the rerun completes the job: exactly $N documents"
[ "$(qcount "$DB")" = "$N" ]; ok $? "no duplicates: $N distinct ids"
xapian-check "$(live "$DB")" > /dev/null 2>&1; ok $? "xapian-check passes on the finished index"
if grep -v '^$' "$T/kill.err" | grep -q .; then diag "stderr of the killed runs:"; head -5 "$T/kill.err" | sed 's/^/# /'; fi
diag "kill phase: $((SECONDS - t0)) s"

# ---- kill --rebuild while searchd serves the live index --------------------------
t0=$SECONDS
R=$T/rb
"$BIN/gencorpus" 600 "$ROOT/corpus" > "$T/old.jsonl"
"$BIN/gencorpus" --seed 7 --start 5000 800 "$ROOT/corpus" > "$T/new.jsonl"
s=$(date +%s%N)
"$IDX" -q --db "$R" --commit-every $CE "$T/old.jsonl"
ok $? "first build of the index to rebuild (600 articles)"
# a rebuild of 800 takes a little longer than this first build (also
# compacted); kills fall in [50 ms, that time + 200 ms]: most of them mid-rebuild
build_ms=$((($(date +%s%N) - s) / 1000000))
base_gen=$(live "$R")
"$IDX" --db "$R" --stats > "$T/base"
base_rev=$(stat_of "$T/base" revision)
base_n=$(stat_of "$T/base" documents)
if start_searchd "$R" "$T/sock"; then
    # /health every 50 ms from now on: every answer must be 200
    ( while :; do
        curl -s -o /dev/null -w '%{http_code}\n' --max-time 5 --unix-socket "$T/sock" http://x/health
        sleep 0.05
    done ) > "$T/health" 2>/dev/null &
    poller=$!
    on_exit "kill $poller 2>/dev/null"
    have_searchd=1
else
    have_searchd=0
fi
ok $((1 - have_searchd)) "searchd serves the live index"
swapped=0
for ((i = 1; i <= 6; i++)); do
    "$IDX" -q --db "$R" --rebuild --commit-every $CE "$T/new.jsonl" 2>> "$T/rb.err" &
    pid=$!
    ms=$((50 + RANDOM % (build_ms + 200)))
    sleep_ms $ms
    if kill -KILL $pid 2>/dev/null; then wait $pid 2>/dev/null; how="killed"
    else
        wait $pid; how="finished (exit $?) before its kill"
        build_ms=$((ms * 3 / 4))   # it is faster than measured: aim earlier
    fi
    why=""
    "$IDX" --db "$R" --stats > "$T/stats" 2>&1 || why+=" --stats failed;"
    g=$(live "$R") n=$(stat_of "$T/stats" documents) r=$(stat_of "$T/stats" revision)
    xapian-check "$g" > "$T/check" 2>&1 || why+=" xapian-check failed ($(tail -1 "$T/check"));"
    if [ "$g" = "$base_gen" ]; then
        [ "$n" = "$base_n" ] && [ "$r" = "$base_rev" ] || why+=" live index changed: $n documents revision $r (was $base_n, $base_rev);"
        state="live index untouched"
    else
        # the kill came after the atomic swap: the new index is complete
        [ "$n" = 800 ] || why+=" swapped to an incomplete index ($n documents);"
        state="swapped to the complete new index"
        swapped=$((swapped + 1))
        base_gen=$g base_n=$n base_rev=$r   # the live index from now on
    fi
    if [ $have_searchd = 1 ]; then
        req "$T/sock" /health
        [ "$STATUS" = 200 ] || why+=" /health answered $STATUS;"
    fi
    [ -z "$why" ] || diag "rebuild kill $i:$why"
    [ -z "$why" ]; ok $? "rebuild $how at ${ms} ms: $state, xapian-check passes, searchd healthy"
done
# one more, killed while compacting: the build is idx-(M+1) (M: the highest
# generation now), its compacted copy idx-(M+2)
M=$(ls -d "$R"/idx-* | sed 's/.*idx-//' | sort -n | tail -1)
"$IDX" -q --db "$R" --rebuild --commit-every $CE "$T/new.jsonl" 2>> "$T/rb.err" &
pid=$!
while kill -0 $pid 2>/dev/null && [ ! -e "$R/idx-$((M + 2))" ]; do sleep 0.01; done
if kill -KILL $pid 2>/dev/null; then
    wait $pid 2>/dev/null
    [ "$(live "$R")" = "$base_gen" ] && [ "$(stat_of <("$IDX" --db "$R" --stats) documents)" = "$base_n" ] &&
        xapian-check "$base_gen" > /dev/null 2>&1
    ok $? "rebuild killed while compacting ($(gens "$R")): live index untouched, xapian-check passes"
else
    wait $pid
    skip "rebuild killed while compacting" "it finished before the kill (exit $?)"
    base_gen=$(live "$R")
fi
diag "leftovers of the killed rebuilds: $(gens "$R")"
"$IDX" -q --db "$R" --rebuild --commit-every $CE "$T/new.jsonl"
ok $? "a later --rebuild succeeds"
"$IDX" --db "$R" --stats > "$T/stats"
[ "$(stat_of "$T/stats" documents)" = 800 ]; ok $? "the rebuilt index has the 800 new articles"
[ "$(qcount "$R")" = 800 ]; ok $? "the rebuilt index has no duplicates"
xapian-check "$(live "$R")" > /dev/null 2>&1; ok $? "the rebuilt index passes xapian-check"
[ "$(gens "$R")" = "$(basename "$(live "$R")") " ]; ok $? "no stray generation left beside the live one ($(gens "$R"))"
if [ $have_searchd = 1 ]; then
    for ((k = 0; k < 50; k++)); do
        req "$T/sock" /health
        [[ "$BODY" == *'"documents": 800'* || "$BODY" == *'"documents":800'* ]] && break
        sleep 0.1
    done
    [ "$STATUS" = 200 ] && [[ "$BODY" == *800* ]]; ok $? "searchd serves the rebuilt index ($BODY)"
    kill "$poller" 2>/dev/null; wait "$poller" 2>/dev/null
    total=$(grep -c . "$T/health") bad=$(grep -vc '^200$' "$T/health")
    [ "$total" -gt 10 ] && [ "$bad" = 0 ]; ok $? "/health answered 200 to all $total polls during the kills and swaps ($bad not 200)"
else
    skip "searchd during rebuild kills" "searchd did not start"
fi
# the leftover of a killed rebuild is also removed by the next ordinary run
"$IDX" -q --db "$R" --rebuild --commit-every $CE "$T/old.jsonl" &
pid=$!
# killed once its new generation holds a database
for ((k = 0; k < 200; k++)); do
    ls "$R"/idx-*/iamglass 2>/dev/null | grep -vq "^$(live "$R")/" && break
    sleep 0.05
done
kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
left=$(gens "$R")
[ "$left" != "$(basename "$(live "$R")") " ]; ok $? "a rebuild killed while building leaves a generation behind ($left)"
"$IDX" -q --db "$R" "$T/new.jsonl"
ok $? "an ordinary run after a killed rebuild exits 0"
[ "$(gens "$R")" = "$(basename "$(live "$R")") " ]; ok $? "it removed the killed rebuild's leftovers (before: $left; after: $(gens "$R"))"
diag "rebuild phase: $((SECONDS - t0)) s ($swapped kills after the swap)"
done_testing
