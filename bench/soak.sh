#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# soak.sh: searchd under sustained load while the index changes.
#
# Indexes ../shared/datasets/medquad (or, when absent, a corpus made by
# build/gencorpus from corpus/), starts build/searchd on it, then for
# SOAK_SECONDS drives it with build/loadgen (SOAK_CONNS connections of
# /search from the dataset's queries, plus a few connections of /doc,
# /related, /suggest, /health, /metrics: whichever endpoints exist) while
#   - an update loop keeps re-indexing changed slices of the corpus
#     (SOAK_SLICE articles a run, a commit every SOAK_COMMIT), and
#   - one `indexer --rebuild` (with one extra marker article) swaps a fresh
#     index in at SOAK_REBUILD_AT seconds (default: half time).
# It samples searchd's RSS, descriptors and threads every SOAK_SAMPLE
# seconds (RSS: its anonymous memory, RssAnon; the index's pages that
# searchd reads through memory maps are page cache, RssFile, and grow as
# more of the index is read) and checks:
#   failed requests = 0; RSS growth after warm-up (the first
#   SOAK_WARMUP_PCT % of the run) < 10 %; descriptors once idle again no
#   more than before the load and none on a deleted file (no leak, no old
#   index generation kept open); the rebuilt index is served (the marker
#   is found) within SOAK_PICKUP_S of the swap, while the load still runs; searchd
#   alive throughout and exits 0 on SIGTERM.
# Prints a Markdown report; writes key=value results to WORK/soak.result.
# Exit status 0 when every check passes, 1 otherwise, 2 on a set-up error.
#
# Environment: SOAK_SECONDS (600), SOAK_CONNS (32), SOAK_MIX_CONNS (4),
# SOAK_DOCS (0 = the whole dataset), SOAK_SLICE (300), SOAK_COMMIT (100),
# SOAK_SAMPLE (5; 1 when SOAK_SECONDS < 120), SOAK_WARMUP_PCT (20),
# SOAK_REBUILD_AT (seconds), SOAK_THREADS (searchd --threads, 0 = one per core), SOAK_WORK (default a
# fresh /var/tmp/medsearch-soak.XXXXXX, removed unless SOAK_KEEP=1),
# SOAK_REPORT (also write the report there; default
# bench/results/soak-DATE.md for runs of 5 minutes or more),
# MEDSEARCH_SHARED (default ../shared),
# SOAK_UNTIL_SWAP=1 (for tests on a loaded machine: the load goes on past
# SOAK_SECONDS until the rebuild is served, at most SOAK_MAX_SECONDS (600),
# and the pickup may take up to SOAK_PICKUP_S (default 10, 120 with it)).
set -u
umask 022
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build
SHARED=${MEDSEARCH_SHARED:-$ROOT/../shared}
SECS=${SOAK_SECONDS:-600}
CONNS=${SOAK_CONNS:-32}
MIX_CONNS=${SOAK_MIX_CONNS:-4}
NDOCS=${SOAK_DOCS:-0}
SLICE=${SOAK_SLICE:-300}
COMMIT=${SOAK_COMMIT:-100}
SAMPLE=${SOAK_SAMPLE:-$([ "$SECS" -lt 120 ] && echo 1 || echo 5)}
WARM_PCT=${SOAK_WARMUP_PCT:-20}
THREADS=${SOAK_THREADS:-0}
REBUILD_AT=${SOAK_REBUILD_AT:-$((SECS / 2))}
REPORT=${SOAK_REPORT:-}
UNTIL_SWAP=${SOAK_UNTIL_SWAP:-0}
MAX_SECS=$SECS
[ "$UNTIL_SWAP" = 1 ] && MAX_SECS=${SOAK_MAX_SECONDS:-600}
PICKUP_MAX=${SOAK_PICKUP_S:-$([ "$UNTIL_SWAP" = 1 ] && echo 120 || echo 10)}
[ -z "$REPORT" ] && [ "$SECS" -ge 300 ] && REPORT=$ROOT/bench/results/soak-$(date +%F).md

die() { echo "soak: $*" >&2; exit 2; }
for p in indexer searchd loadgen gencorpus; do
    [ -x "$BIN/$p" ] || die "$BIN/$p missing: run make tests (or make build/$p)"
done
command -v python3 > /dev/null || die "python3 missing"
command -v curl > /dev/null || die "curl missing"

if [ -n "${SOAK_WORK:-}" ]; then
    W=$SOAK_WORK
    mkdir -p "$W" || die "cannot create $W"
else
    W=$(mktemp -d /var/tmp/medsearch-soak.XXXXXX) || die "mktemp failed"
fi
# searchd started as root serves as nobody: it must reach the index.
chmod 755 "$W"
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill "$p" 2> /dev/null; done
    [ -n "${SD_PID:-}" ] && kill -TERM "$SD_PID" 2> /dev/null && wait "$SD_PID" 2> /dev/null
    [ -z "${SOAK_WORK:-}" ] && [ "${SOAK_KEEP:-0}" != 1 ] && rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
S=$W/searchd.sock
DB=$W/db
log() { echo "soak: $*" >&2; }

# ---- corpus and queries ----
MQ=$SHARED/datasets/medquad
if [ -f "$MQ/corpus.jsonl.gz" ]; then
    SOURCE="medquad ($MQ)"
    if [ "$NDOCS" -gt 0 ]; then
        zcat "$MQ/corpus.jsonl.gz" | head -n "$NDOCS" > "$W/corpus.jsonl"
    else
        zcat "$MQ/corpus.jsonl.gz" > "$W/corpus.jsonl"
    fi
    cp "$MQ/queries.tsv" "$W/queries.tsv"
else
    [ "$NDOCS" -gt 0 ] || NDOCS=5000
    SOURCE="generated: gencorpus $NDOCS corpus/ (medquad absent)"
    "$BIN/gencorpus" "$NDOCS" "$ROOT/corpus" > "$W/corpus.jsonl" || die "gencorpus failed"
fi
# Queries from titles when the dataset has none; ids for the other endpoints.
python3 - "$W" <<'EOF' || die "cannot prepare the request mix"
import json, os, sys, urllib.parse
w = sys.argv[1]
ids, titles = [], []
with open(os.path.join(w, "corpus.jsonl"), encoding="utf-8") as f:
    for line in f:
        a = json.loads(line)
        ids.append(a["id"]); titles.append(a.get("title") or "")
if not os.path.exists(os.path.join(w, "queries.tsv")):
    with open(os.path.join(w, "queries.tsv"), "w", encoding="utf-8") as q:
        for i, t in enumerate(titles[:5000]):
            if t.strip():
                q.write("T%d\t%s\n" % (i, " ".join(t.split())))
q = urllib.parse.quote
with open(os.path.join(w, "mix.cand"), "w") as m:
    for i in range(0, len(ids), max(1, len(ids) // 500)):
        m.write("doc\t/doc?id=%s\n" % q(ids[i], safe=""))
        m.write("related\t/related?id=%s&limit=10\n" % q(ids[i], safe=""))
        words = titles[i].split()
        for k in range(1, min(len(words), 3) + 1):
            prefix = " ".join(words[:k])
            prefix = prefix[: max(2, len(prefix) - 2)]
            m.write("suggest\t/suggest?q=%s\n" % q(prefix, safe=""))
    for _ in range(50):
        m.write("health\t/health\n")
    for _ in range(5):
        m.write("metrics\t/metrics\n")
EOF
DOCS=$(wc -l < "$W/corpus.jsonl")
mkdir -p "$W/slices" "$W/upd"
split -l "$SLICE" -d -a 4 "$W/corpus.jsonl" "$W/slices/s"
NSLICES=$(ls "$W/slices" | wc -l)
MARKER_ID=soak-rebuild-marker
printf '{"id": "%s", "title": "Soak rebuild marker", "text": "The word zyxsoakmarker is in the index only after the rebuild swap."}\n' \
    "$MARKER_ID" > "$W/marker.jsonl"

log "indexing $DOCS articles from $SOURCE"
t=$SECONDS
"$BIN/indexer" --db "$DB" -q "$W/corpus.jsonl" 2> "$W/index.log" || { cat "$W/index.log" >&2; die "indexer failed"; }
INDEX_S=$((SECONDS - t))

# ---- searchd ----
THR=()
[ "$THREADS" != 0 ] && THR=(--threads "$THREADS")
"$BIN/searchd" --db "$DB" --socket "$S" --foreground "${THR[@]+"${THR[@]}"}" > "$W/searchd.log" 2>&1 &
SD_PID=$!
status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 --unix-socket "$S" "http://x$1"; }
for _ in $(seq 200); do [ "$(status_of /health)" = 200 ] && break; sleep 0.1; done
[ "$(status_of /health)" = 200 ] || { cat "$W/searchd.log" >&2; die "searchd does not answer"; }
# Started as root, the serving process is a child running as nobody.
SPID=$(pgrep -P "$SD_PID" | head -1)
[ -n "$SPID" ] || SPID=$SD_PID

# Which endpoints exist (the mix only uses those).
declare -A HAVE
for e in search doc related suggest; do
    case $e in
    search) p='/search?q=fever' ;;
    suggest) p='/suggest?q=fev' ;;
    *) p="/$e?id=$(head -1 "$W/mix.cand" | sed 's/.*id=//')" ;;
    esac
    [ "$(status_of "$p")" = 200 ] && HAVE[$e]=1
done
awk -F'\t' -v have=" ${!HAVE[*]} health metrics " 'index(have, " " $1 " ") { print $2 }' "$W/mix.cand" > "$W/mix.paths"
ENDPOINTS=$(cut -f1 "$W/mix.cand" | sort -u | grep -xF -f <(printf '%s\n' "${!HAVE[@]}" health metrics) | tr '\n' ' ')
ENDPOINTS=${ENDPOINTS% }
if [ -n "${HAVE[search]:-}" ]; then
    MAIN=(--queries "$W/queries.tsv")
    MAIN_DESC="/search?q=QUERY&limit=10 over $(wc -l < "$W/queries.tsv") queries"
else
    MAIN=(--paths "$W/mix.paths")
    MAIN_DESC="no /search yet: the mix of $ENDPOINTS"
    log "warning: /search does not answer; loading $ENDPOINTS only"
fi

fds() { ls "/proc/$SPID/fd" 2> /dev/null | wc -l; }
deleted_fds() { ls -l "/proc/$SPID/fd" 2> /dev/null | grep -c '(deleted)'; }
rss_kb() { awk '/^RssAnon:/ {print $2}' "/proc/$SPID/status" 2> /dev/null; }
# Wake every worker (each moves to the latest index), then let the
# connections close.
touch_workers() {
    "$BIN/loadgen" --socket "$S" "${MAIN[@]}" -c 8 -n 400 > /dev/null 2>&1
    sleep 0.5
}

# Warm-up burst, then the idle baseline.
touch_workers
FD_BASE=$(fds)
RSS_IDLE=$(rss_kb)

LOAD_START=$(date +%s.%N)

# ---- update loop: re-index changed slices until told to stop ----
(
    k=0 ok=0 locked=0 bad=0
    while [ ! -e "$W/stop-updates" ]; do
        k=$((k + 1))
        f=$(ls "$W/slices" | sed -n "$(( (k - 1) % NSLICES + 1 ))p")
        python3 -c 'import json, sys
k = sys.argv[1]
for line in open(sys.argv[2], encoding="utf-8"):
    a = json.loads(line)
    key = "text" if "text" in a else "body"
    a[key] = (a.get(key) or "") + " Revised in soak update " + k + "."
    print(json.dumps(a, ensure_ascii=False))' "$k" "$W/slices/$f" > "$W/upd/slice.jsonl"
        "$BIN/indexer" --db "$DB" --threads 1 --commit-every "$COMMIT" -q "$W/upd/slice.jsonl" 2>> "$W/updates.log"
        case $? in
        0) ok=$((ok + 1)) ;;
        3) locked=$((locked + 1)); sleep 0.2 ;;
        *) bad=$((bad + 1)) ;;
        esac
        echo "$ok $locked $bad" > "$W/updates.count"
    done
) &
UPD_PID=$!
PIDS+=("$UPD_PID")

# ---- the rebuild, at half time ----
(
    sleep "$REBUILD_AT"
    t0=$(date +%s.%N)
    tries=0
    while :; do
        tries=$((tries + 1))
        "$BIN/indexer" --db "$DB" --rebuild -q "$W/corpus.jsonl" "$W/marker.jsonl" 2>> "$W/rebuild.log"
        rc=$?
        [ $rc = 3 ] && [ $tries -lt 600 ] && { sleep 0.2; continue; }
        break
    done
    t1=$(date +%s.%N)
    # The swap is followed when /health counts the marker article.
    picked=-1
    deadline=$((SECONDS + PICKUP_MAX))
    while [ $SECONDS -lt $deadline ]; do
        n=$(curl -s --max-time 5 --unix-socket "$S" http://x/health | python3 -c 'import json,sys; print(json.load(sys.stdin).get("documents"))' 2> /dev/null)
        [ "$n" = $((DOCS + 1)) ] && { picked=$(python3 -c "import time; print('%.2f' % (time.time() - $t1))"); break; }
        sleep 0.1
    done
    echo "rc=$rc tries=$tries build_s=$(python3 -c "print('%.1f' % ($t1 - $t0))") done_at=$(python3 -c "print('%.1f' % ($t1 - $LOAD_START))") pickup_s=$picked" > "$W/rebuild.result"
) &
RB_PID=$!
PIDS+=("$RB_PID")

# ---- load ----
log "load: $CONNS connections of $MAIN_DESC, $MIX_CONNS of $ENDPOINTS, for $SECS s"
"$BIN/loadgen" --socket "$S" "${MAIN[@]}" -c "$CONNS" -d "$MAX_SECS" --timeout 10 --interval "$SAMPLE" \
    --show-errors 20 --json > "$W/load.json" 2> "$W/load.log" &
LG_PID=$!
"$BIN/loadgen" --socket "$S" --paths "$W/mix.paths" -c "$MIX_CONNS" -d "$MAX_SECS" --timeout 10 \
    --show-errors 20 --json > "$W/mix.json" 2> "$W/mix.log" &
MX_PID=$!
PIDS+=("$LG_PID" "$MX_PID")
if [ "$UNTIL_SWAP" = 1 ]; then
    # End the load (SIGUSR1: loadgen reports as usual) once SOAK_SECONDS
    # have passed and the rebuild's outcome is known.
    (
        t=$SECONDS
        while [ $((SECONDS - t)) -lt "$SECS" ] || [ ! -e "$W/rebuild.result" ]; do
            kill -0 "$LG_PID" 2> /dev/null || exit 0
            sleep 0.5
        done
        kill -USR1 "$LG_PID" "$MX_PID" 2> /dev/null
    ) &
    PIDS+=($!)
fi

# ---- samples until the load ends ----
T0=$SECONDS
echo -e "t_s\trss_kb\tfds\tthreads\tdocuments\treopens" > "$W/samples.tsv"
ALIVE=1
while kill -0 "$LG_PID" 2> /dev/null; do
    if ! kill -0 "$SPID" 2> /dev/null; then ALIVE=0; break; fi
    th=$(awk '/^Threads:/ {print $2}' "/proc/$SPID/status" 2> /dev/null)
    m=$(curl -s --max-time 5 --unix-socket "$S" http://x/metrics)
    docs=$(awk '$1 == "medsearch_index_documents" {print $2}' <<< "$m")
    reo=$(awk '$1 == "medsearch_index_reopens_total" {print $2}' <<< "$m")
    echo -e "$((SECONDS - T0))\t$(rss_kb)\t$(fds)\t$th\t${docs:-?}\t${reo:-?}" >> "$W/samples.tsv"
    sleep "$SAMPLE"
done
wait "$LG_PID"
wait "$MX_PID"
LOAD_SECS=$(python3 -c "import time; print('%.1f' % (time.time() - $LOAD_START))")
touch "$W/stop-updates"
wait "$UPD_PID"
wait "$RB_PID"
kill -0 "$SPID" 2> /dev/null || ALIVE=0

# ---- after the load ----
MARKER=-1
if [ -n "${HAVE[doc]:-}" ]; then
    MARKER=$(status_of "/doc?id=$MARKER_ID")
elif [ -n "${HAVE[search]:-}" ]; then
    MARKER=$(curl -s --unix-socket "$S" 'http://x/search?q=zyxsoakmarker' | grep -c "$MARKER_ID")
    [ "$MARKER" -ge 1 ] && MARKER=200
fi
touch_workers
# The load's connections close in their own time on a busy machine: a
# leak never comes back to the baseline, a slow close does (10 s at most).
for _ in $(seq 50); do
    [ "$(fds)" -le "$FD_BASE" ] && break
    sleep 0.2
done
FD_END=$(fds)
FD_DELETED=$(deleted_fds)
RSS_END=$(rss_kb)
HEALTH_END=$(status_of /health)
kill -TERM "$SD_PID"
wait "$SD_PID"
SD_RC=$?
SD_PID=

# ---- figures ----
python3 - "$W" "$SECS" "$WARM_PCT" <<'EOF' > "$W/figures"
import json, sys
w, secs, warm_pct = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
rows = [l.rstrip("\n").split("\t") for l in open(w + "/samples.tsv")][1:]
rows = [r for r in rows if r[1]]
t = [float(r[0]) for r in rows]; rss = [int(r[1]) for r in rows]; fds = [int(r[2]) for r in rows]
warm = secs * warm_pct / 100
after = [i for i in range(len(rows)) if t[i] >= warm] or list(range(len(rows)))
base = rss[after[0]] if rows else 0
peak = max(rss[i] for i in after) if rows else 0
growth = (peak - base) * 100.0 / base if base else 0
print("rss_start_kb=%d" % (rss[0] if rows else 0))
print("rss_warm_kb=%d" % base)
print("rss_peak_kb=%d" % peak)
print("rss_last_kb=%d" % (rss[-1] if rows else 0))
print("rss_growth_pct=%.1f" % growth)
print("fd_max=%d" % (max(fds) if fds else 0))
print("samples=%d" % len(rows))
for name in ("load", "mix"):
    j = json.load(open("%s/%s.json" % (w, name)))
    lat = j["latency_ms"]
    print("%s_requests=%d" % (name, j["requests"]))
    print("%s_failed=%d" % (name, j["failed"]))
    print("%s_rps=%.1f" % (name, j["rps"]))
    for k in ("p50", "p95", "p99", "max"):
        print("%s_%s_ms=%.2f" % (name, k, lat[k]))
    print("%s_status='%s'" % (name, " ".join("%s=%s" % kv for kv in sorted(j["status"].items()))))
    print("%s_transport='%s'" % (name, " ".join("%s=%s" % kv for kv in j["transport_errors"].items() if kv[1])))
EOF
. "$W/figures"
read -r UPD_OK UPD_LOCKED UPD_BAD < "$W/updates.count" 2> /dev/null || { UPD_OK=0; UPD_LOCKED=0; UPD_BAD=0; }
RB_RC=-1 RB_TRIES=0 RB_BUILD_S=? RB_DONE_AT=-1 RB_PICKUP_S=-1
if [ -f "$W/rebuild.result" ]; then
    # shellcheck disable=SC2046
    eval "$(sed 's/\brc=/RB_RC=/; s/tries=/RB_TRIES=/; s/done_at=/RB_DONE_AT=/; s/build_s=/RB_BUILD_S=/; s/pickup_s=/RB_PICKUP_S=/' "$W/rebuild.result")"
fi
LOG_WARN=$(grep -ciE 'warn|error' "$W/searchd.log")

pass=1
verdict() { if [ "$1" = 0 ]; then echo "pass"; else echo "FAIL"; pass=0; fi; }
V_FAILED=$(verdict $([ "$load_failed" = 0 ] && [ "$mix_failed" = 0 ]; echo $?))
V_RSS=$(verdict $(python3 -c "import sys; sys.exit(0 if $rss_growth_pct < 10 else 1)"; echo $?))
V_FD=$(verdict $([ "$FD_END" -le "$FD_BASE" ] && [ "$FD_DELETED" = 0 ]; echo $?))
UNDER_LOAD=$(python3 -c "print(1 if 0 <= $RB_DONE_AT and $RB_DONE_AT + max($RB_PICKUP_S, 0) < $LOAD_SECS else 0)")
V_SWAP=$(verdict $([ "$RB_RC" = 0 ] && [ "$RB_PICKUP_S" != -1 ] && [ "$UNDER_LOAD" = 1 ] &&
    { [ "$MARKER" = 200 ] || [ "$MARKER" = -1 ]; }; echo $?))
V_ALIVE=$(verdict $([ "$ALIVE" = 1 ] && [ "$HEALTH_END" = 200 ] && [ "$SD_RC" = 0 ]; echo $?))
V_UPD=$(verdict $([ "$UPD_OK" -gt 0 ] && [ "$UPD_BAD" = 0 ]; echo $?))

{
cat <<EOF
# Soak: $(date '+%F %T'), $(nproc) cores, $SECS s

- index: $DOCS articles, $SOURCE; first build ${INDEX_S} s
- searchd: threads=${THREADS} (0 = one per core), serving pid $SPID
- load: $CONNS connections of $MAIN_DESC; $MIX_CONNS connections of $ENDPOINTS
- updates: slices of $SLICE articles re-indexed in a loop (commit every $COMMIT):
  $UPD_OK runs committed, $UPD_LOCKED refused while the rebuild held the lock, $UPD_BAD failed
- rebuild: \`indexer --rebuild\` at $REBUILD_AT s took ${RB_BUILD_S} s (exit $RB_RC, $RB_TRIES tries), done at
  $RB_DONE_AT s; served $RB_PICKUP_S s after it returned; marker article: $MARKER (-1: no /doc nor /search to ask)

| check | figure | verdict |
|---|---|---|
| failed requests | search $load_failed of $load_requests, mix $mix_failed of $mix_requests | $V_FAILED |
| RSS growth after warm-up ($WARM_PCT %) | $rss_warm_kb -> peak $rss_peak_kb kB (+$rss_growth_pct %), last $rss_last_kb kB, idle before load $RSS_IDLE kB, after $RSS_END kB | $V_RSS |
| descriptors (idle) | before $FD_BASE, after $FD_END, on deleted files $FD_DELETED, max under load $fd_max | $V_FD |
| rebuild swap followed under load | done at $RB_DONE_AT s of $LOAD_SECS, pickup $RB_PICKUP_S s, marker $MARKER | $V_SWAP |
| searchd alive, /health, clean exit | alive=$ALIVE health=$HEALTH_END exit=$SD_RC | $V_ALIVE |
| update loop | $UPD_OK ok, $UPD_BAD failed | $V_UPD |

| load | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | status | transport errors |
|---|---|---|---|---|---|---|---|---|
| search | $load_requests | $load_rps | $load_p50_ms | $load_p95_ms | $load_p99_ms | $load_max_ms | $load_status | ${load_transport:-none} |
| mix | $mix_requests | $mix_rps | $mix_p50_ms | $mix_p95_ms | $mix_p99_ms | $mix_max_ms | $mix_status | ${mix_transport:-none} |

searchd log: $LOG_WARN warning/error lines.

Samples (t s, RSS kB, fds, threads, documents, reopens):

\`\`\`
$(awk -v n="$samples" 'NR == 1 || n <= 40 || (NR - 2) % int(n / 30 + 1) == 0' "$W/samples.tsv" | column -t)
\`\`\`
EOF
} > "$W/report.md"
cat "$W/report.md"
[ -n "$REPORT" ] && cp "$W/report.md" "$REPORT" && log "report written to $REPORT"
[ "$LOG_WARN" -gt 0 ] && { echo; echo "searchd warnings/errors (first 10):"; grep -iE 'warn|error' "$W/searchd.log" | head -10; }
[ "$load_failed" != 0 ] || [ "$mix_failed" != 0 ] && { echo; echo "failed requests (first ones):"; grep -h 'GET' "$W/load.log" "$W/mix.log" | head -10; }

cat > "$W/soak.result" <<EOF
failed=$((load_failed + mix_failed))
requests=$((load_requests + mix_requests))
rss_growth_pct=$rss_growth_pct
fd_base=$FD_BASE
fd_end=$FD_END
fd_deleted=$FD_DELETED
rebuild_rc=$RB_RC
rebuild_pickup_s=$RB_PICKUP_S
rebuild_under_load=$UNDER_LOAD
marker=$MARKER
alive=$ALIVE
health_end=$HEALTH_END
searchd_exit=$SD_RC
updates_ok=$UPD_OK
updates_failed=$UPD_BAD
pass=$pass
EOF
[ "$pass" = 1 ]
