#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Scale-out on Xapian's own parts: corpus/ as one index, as 3 local shards
# and as 3 shards served by real xapian-tcpsrv processes on 127.0.0.1,
# searched by a real searchd. Checks parity across the configurations,
# counts the round trips a request costs each shard (tests/tools/
# xapcount.py between searchd and each xapian-tcpsrv), and the fault
# matrix: a shard killed (kill -9), hung (SIGSTOP), missing at start-up,
# allow_partial = false, each answered with the right "partial"/"shards"
# fields while /health keeps answering, and recovery when the shard
# returns. Then 3 shard hosts + 1 searchd host in network namespaces joined
# by veth pairs (created and removed here, per-run names): parity with one
# index (ids, scores, did_you_mean, /related) and a link down (`ip link set
# down` on a shard host's veth): partial answers naming the shard, /health
# answering, recovery when the link is up.  Skipped with a message where
# `ip netns` is not usable (not root, no CAP_SYS_ADMIN, or a chroot whose
# "/" is no mount point, as in scripts/fresh-check.sh).
. "$(dirname "$0")/../lib.sh"
need curl python3 xapian-tcpsrv setsid ip
tmpdir
user=()
[ "$(id -u)" = 0 ] && user=(--user nobody)

# ---- helpers ----------------------------------------------------------------
SD_PIDS=()
TCP_PIDS=()
PX_PIDS=()
stop_all() {
    local p
    for p in "${SD_PIDS[@]+"${SD_PIDS[@]}"}"; do kill -TERM "$p" 2>/dev/null; done
    for p in "${TCP_PIDS[@]+"${TCP_PIDS[@]}"}"; do kill -CONT -- "-$p" 2>/dev/null; kill -TERM -- "-$p" 2>/dev/null; done
    for p in "${PX_PIDS[@]+"${PX_PIDS[@]}"}"; do kill -TERM "$p" 2>/dev/null; done
    wait 2>/dev/null
}
on_exit stop_all

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {   # wait_port PORT: until something accepts on 127.0.0.1:PORT (20 s)
    local i
    for ((i = 0; i < 200; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
# tcpsrv DB PORT: xapian-tcpsrv in a process group of its own (on SIGTERM
# it signals its whole group); sets TCP_PID (= its group id).
tcpsrv() {
    setsid xapian-tcpsrv --quiet --interface 127.0.0.1 --port "$2" "$1" > "$T/tcpsrv-$2.log" 2>&1 &
    TCP_PID=$!
    TCP_PIDS+=("$TCP_PID")
    wait_port "$2"
}
# proxy PORT TARGET_PORT NAME: a counting proxy; sets PX_PID.
proxy() {
    python3 "$ROOT/tests/tools/xapcount.py" "$1" "127.0.0.1:$2" "$T/px-$3.json" &
    PX_PID=$!
    PX_PIDS+=("$PX_PID")
    wait_port "$1"
}
# sd NAME DB [args...]: a searchd on $T/NAME.sock, waits for /health
# (any answer); sets SD_PID.  SD_WRAP=(ip netns exec NS) runs it elsewhere.
SD_WRAP=()
sd() {
    local name=$1 db=$2 i code; shift 2
    "${SD_WRAP[@]+"${SD_WRAP[@]}"}" "$BIN/searchd" --db "$db" --socket "$T/$name.sock" --foreground --threads 4 "${user[@]}" "$@" \
        > "$T/sd-$name.log" 2>&1 &
    SD_PID=$!
    SD_PIDS+=("$SD_PID")
    for ((i = 0; i < 300; i++)); do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --unix-socket "$T/$name.sock" http://x/health)
        [ "$code" = 200 ] || [ "$code" = 503 ] && return 0
        kill -0 "$SD_PID" 2>/dev/null || { sed 's/^/# /' "$T/sd-$name.log"; return 1; }
        sleep 0.1
    done
    return 1
}
sdstop() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
# fetch NAME PATH OUT [max-time]: the body to OUT, status in $STATUS.
fetch() {
    STATUS=$(curl -s --max-time "${4:-20}" --unix-socket "$T/$1.sock" -o "$3" -w '%{http_code}' "http://x$2")
}
jcheck() {      # jcheck NAME FILE PYTHON (j = the JSON in FILE)
    local name=$1 file=$2 code=$3
    python3 -c "import json,sys
j = json.load(open(sys.argv[1]))
$code" "$file" 2> "$T/py.err"
    ok $? "$name$( [ -s "$T/py.err" ] && echo " ($(tail -1 "$T/py.err" | head -c 300))")"
}
# until_ok SECONDS CMD...: retry CMD until it succeeds (a bound, not a timing check)
until_ok() {
    local end=$((SECONDS + $1)); shift
    while ! "$@"; do [ $SECONDS -ge $end ] && return 1; sleep 0.2; done
}

# ---- the indexes ----------------------------------------------------------------
"$BIN/indexer" --db "$T/one" --quiet "$ROOT/corpus" > "$T/ix.log" 2>&1; ok $? "index corpus/ as one index"
for k in 1 2 3; do
    "$BIN/indexer" --db "$T/s$k" --shard "$k/3" --quiet "$ROOT/corpus" >> "$T/ix.log" 2>&1 || break
done
ok $? "index corpus/ as 3 shards (--shard K/3)"
"$BIN/indexer" --dictionary "$T/dict" "$T/s1" "$T/s2" "$T/s3" >> "$T/ix.log" 2>&1
ok $? "indexer --dictionary: the shards' spelling and synonym tables in one local database"
# The shards' synonym tables come from the same files: the dictionary says
# so, and searchd matches synonym phrases by the shards' XY terms, as over
# one index (the parity checks below compare scores, which differ when a
# phrase is matched by positions).
h1=$("$BIN/setmeta" "$T/s1" synonyms_hash)
[ -n "$h1" ] && [ "$("$BIN/setmeta" "$T/dict" synonyms_hash)" = "$h1" ] && [ "$("$BIN/setmeta" "$T/s3" medsearch_synphrases)" = "$h1" ]
ok $? "the dictionary records the shards' common synonym table ($h1)"

P=() X=()
for k in 1 2 3; do P[$k]=$(free_port); tcpsrv "$T/s$k" "${P[$k]}" || break; SRV[$k]=$TCP_PID; done
ok $? "3 xapian-tcpsrv serve the shards on 127.0.0.1"
for k in 1 2 3; do X[$k]=$(free_port); proxy "${X[$k]}" "${P[$k]}" "$k" || break; PXP[$k]=$PX_PID; done
ok $? "a counting proxy before each"

# Over remote shards related articles compare words only (their MeSH
# concepts would cost a round trip an article): the parity checks compare
# words only everywhere (concept_weight 0), and one check below shows
# that remote shards ignore concepts while local shards and one index
# agree with them.
printf '[related]\nconcept_weight = 0\n' > "$T/words.conf"
printf '[related]\nconcept_weight = 0.3\n' > "$T/concepts.conf"
export MEDSEARCH_CONFIG=$T/words.conf
sd one "$T/one"; ok $? "searchd over one index"
sd local "$T/s1,$T/s2,$T/s3"; ok $? "searchd over 3 local shards"
REMOTE="tcp:127.0.0.1:${X[1]},tcp:127.0.0.1:${X[2]},tcp:127.0.0.1:${X[3]}"
timeout 60 "$BIN/searchd" --db "$REMOTE" --socket "$T/nodict.sock" --foreground "${user[@]}" > "$T/nodict.log" 2>&1
[ $? = 2 ] && grep -q "no synonym table can be seen" "$T/nodict.log"
ok $? "over remote shards without --dictionary, searchd refuses to start and says why"
sd remote "$REMOTE" --dictionary "$T/dict"; ok $? "searchd over 3 remote shards with --dictionary"
sd onec "$T/one" --config "$T/concepts.conf" && sd localc "$T/s1,$T/s2,$T/s3" --config "$T/concepts.conf" &&
    sd remotec "$REMOTE" --dictionary "$T/dict" --config "$T/concepts.conf"
ok $? "searchd over one index, 3 local and 3 remote shards, with concepts (concept_weight 0.3)"
# related_same A B ID...: the same /related (ids and scores) for each id
related_same() {
    local a=$1 b=$2 id
    shift 2
    for id in "$@"; do
        fetch "$a" "/related?id=$id&limit=10" "$T/ra.json"
        fetch "$b" "/related?id=$id&limit=10" "$T/rb.json"
        python3 - "$T/ra.json" "$T/rb.json" <<'PY' || { diag "/related differs for $id ($a, $b)"; return 1; }
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert a['related'], 'no related articles'
assert [(h['id'], round(h['score'], 9)) for h in a['related']] == [(h['id'], round(h['score'], 9)) for h in b['related']]
PY
    done
}
cids=(en/sleep/insomnia.txt en/sleep/sleep-apnea.txt en/cancer/melanoma.txt en/heart/cholesterol.txt)
related_same onec localc "${cids[@]}"
ok $? "with concepts, 3 local shards = one index: /related of ${#cids[@]} articles (concept frequencies summed over shards)"
related_same remote remotec "${cids[@]}"
ok $? "over remote shards concepts are not read: /related as with words only"
related_same one onec en/cancer/melanoma.txt 2>/dev/null
[ $? != 0 ]; ok $? "over one index concepts change /related (melanoma's list)"

# ---- plumbing -------------------------------------------------------------------
fetch remote /health "$T/h.json"
[ "$STATUS" = 200 ]; ok $? "/health over remote shards: 200 (no remote revision needed)"
jcheck "/health lists 3 shards, all ok, with documents" "$T/h.json" "
assert j['status'] == 'ok' and j['shards_total'] == 3 and j['shards_ok'] == 3, j
assert len(j['shards']) == 3 and all(s['ok'] for s in j['shards']), j"
sd single "tcp:127.0.0.1:${P[1]}" --dictionary "$T/dict"; ok $? "searchd over a single --db tcp:HOST:PORT starts"
fetch single "/search?q=sleep&fields=id,score" "$T/single.json"
[ "$STATUS" = 200 ]; ok $? "a single remote shard answers /search"
sdstop "$SD_PID"

# ---- parity: ids and scores of plain queries ----------------------------------
queries=(sleep "heart+attack" "blood+pressure" diabetes "hypnic+jerk" cancer "tooth+decay" insomnia)
compare() {     # compare A B FIELDS: the same ids, scores, did_you_mean and related for every query
    local q
    for q in "${queries[@]}"; do
        fetch "$1" "/search?q=$q&limit=100&$3" "$T/a.json"
        fetch "$2" "/search?q=$q&limit=100&$3" "$T/b.json"
        python3 - "$T/a.json" "$T/b.json" <<'EOF' || { diag "differs on $q"; return 1; }
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
# Equal scores may come in another order (ties are not yet ordered by id).
ha, hb = (sorted(x['hits'], key=lambda h: (-round(h['score'], 6), h['id'])) for x in (a, b))
# (total is Xapian's estimate, computed differently over remote shards)
assert a.get('did_you_mean') == b.get('did_you_mean'), (a.get('did_you_mean'), b.get('did_you_mean'))
assert a.get('related') == b.get('related'), 'related differs'
assert [h['id'] for h in ha] == [h['id'] for h in hb], 'ids differ'
assert all(abs(x['score'] - y['score']) <= 1e-9 * max(1, abs(x['score'])) for x, y in zip(ha, hb)), 'scores differ'
EOF
    done
}
compare one local "fields=id,score"; ok $? "3 local shards = one index: ids, order and scores of ${#queries[@]} queries"
queries+=(insomina "hart+attack" schizofrenia)
compare local remote ""; ok $? "3 remote shards = 3 local shards: ids, scores, did_you_mean and related of ${#queries[@]} queries"
compare one remote "fields=id,score,did_you_mean"; ok $? "3 remote shards = one index: ids, scores and did_you_mean"

# ---- round trips per shard ----------------------------------------------------------
rt() {          # rt NAME PATH: round trips per shard of one request -> $RT_MAX, $RT_SUM
    local k
    fetch remote "$2" "$T/warm.json"     # warm: connections open, reopen done
    for k in 1 2 3; do kill -USR2 "${PXP[$k]}"; done
    fetch remote "$2" "$T/rt.json"
    for k in 1 2 3; do rm -f "$T/px-$k.json"; kill -USR1 "${PXP[$k]}"; done
    for k in 1 2 3; do until_ok 10 test -s "$T/px-$k.json" || return 1; done
    read -r RT_MAX RT_SUM RT_BYTES RT_TYPES <<< "$(python3 -c '
import json, sys
s = [json.load(open(f)) for f in sys.argv[1:]]
m = max(s, key=lambda x: x["round_trips"])
print(m["round_trips"], sum(x["round_trips"] for x in s), m["bytes_in"] + m["bytes_out"],
      ",".join("%s:%d" % kv for kv in sorted(m["by_type"].items())))' "$T"/px-[123].json)"
    diag "$1: round trips per shard max $RT_MAX (all shards $RT_SUM), bytes $RT_BYTES, messages $RT_TYPES"
}
rt "ids-only /search" "/search?q=heart+attack+symptoms&fields=id,score"
[ "${RT_MAX:-999}" -le 20 ]; ok $? "an ids-only /search costs each shard at most 20 round trips (${RT_MAX:-?})"
rt "default /search" "/search?q=heart+attack+symptoms"
[ "${RT_MAX:-9999}" -le 30 ]; ok $? "a default /search costs each shard at most 30 round trips, not thousands (${RT_MAX:-?})"
# A misspelt word is weighed against hundreds of one-edit spellings; their
# frequencies come in one exchange, not one round trip each.
rt "default /search with a typo" "/search?q=hart+attak+symptoms"
[ "${RT_MAX:-9999}" -le 50 ]; ok $? "a typo costs each shard at most 50 round trips, not one per candidate spelling (${RT_MAX:-?})"

# ---- faults, straight on the servers (no proxy) ------------------------------------
cat > "$T/strict.conf" <<EOF
[searchd]
dictionary = $T/dict
allow_partial = false
shard_timeout_ms = 1000
shard_probe_ms = 200
[related]
concept_weight = 0
EOF
cat > "$T/fast.conf" <<EOF
[searchd]
dictionary = $T/dict
shard_timeout_ms = 1000
shard_probe_ms = 200
[related]
concept_weight = 0
EOF
sd f "tcp:127.0.0.1:${P[1]},tcp:127.0.0.1:${P[2]},tcp:127.0.0.1:${P[3]}" --config "$T/fast.conf"
ok $? "searchd over the 3 servers, shard_timeout_ms = 1000"
sd strict "tcp:127.0.0.1:${P[1]},tcp:127.0.0.1:${P[2]},tcp:127.0.0.1:${P[3]}" --config "$T/strict.conf"
ok $? "searchd with allow_partial = false"
fetch f "/search?q=sleep&fields=id,score" "$T/f0.json"
jcheck "all shards up: partial false, shards 3/3" "$T/f0.json" "
assert j['partial'] is False and j['shards'] == {'total': 3, 'ok': 3, 'failed': []}, j.get('shards')"
full_total=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$T/f0.json")

# 1. kill -9
kill -KILL -- "-${SRV[3]}"; wait "${SRV[3]}" 2>/dev/null
fetch f "/search?q=sleep&fields=id,score" "$T/f1.json"
[ "$STATUS" = 200 ]; ok $? "shard 3 killed: /search still 200"
jcheck "shard 3 killed: partial true, shards 2/3, the failed shard named" "$T/f1.json" "
s = j['shards']
assert j['partial'] is True and s['total'] == 3 and s['ok'] == 2, s
assert s['failed'][0]['shard'] == 'tcp:127.0.0.1:${P[3]}' and s['failed'][0]['error'] == 'unreachable', s
assert j['total'] < $full_total, (j['total'], $full_total)"
fetch f /health "$T/fh.json"
[ "$STATUS" = 200 ]; ok $? "shard 3 killed: /health 200"
jcheck "/health says degraded and names the shard" "$T/fh.json" "
assert j['status'] == 'degraded' and j['shards_ok'] == 2, j
assert [s['ok'] for s in j['shards']] == [True, True, False], j['shards']"
fetch strict "/search?q=sleep&fields=id,score" "$T/st.json"
[ "$STATUS" = 503 ]; ok $? "allow_partial = false: 503 ($STATUS)"
jcheck "the 503 names the failed shard" "$T/st.json" "
assert j['error']['shards']['failed'][0]['shard'] == 'tcp:127.0.0.1:${P[3]}', j"
curl -s --max-time 10 --unix-socket "$T/f.sock" http://x/metrics > "$T/m.txt"
grep -q "medsearch_shard_up{shard=\"tcp:127.0.0.1:${P[3]}\"} 0" "$T/m.txt"; ok $? "/metrics: the shard is down"
grep -q "medsearch_mirror_served_total{shard=\"tcp:127.0.0.1:${P[1]}\",mirror=\"tcp:127.0.0.1:${P[1]}\"} [1-9]" "$T/m.txt"
ok $? "/metrics: which mirror served is counted"
tcpsrv "$T/s3" "${P[3]}"; SRV[3]=$TCP_PID
back() { fetch f "/search?q=sleep&fields=id,score" "$T/fb.json"
         python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(j["partial"] or j["total"] != int(sys.argv[2]))' "$T/fb.json" "$full_total"; }
until_ok 30 back; ok $? "shard 3 back: complete answers again, no restart"

# 2. SIGSTOP: a hung shard costs at most a deadline, and /health answers meanwhile
kill -STOP -- "-${SRV[2]}"
hung=()
for i in 1 2 3; do fetch f "/search?q=heart&fields=id,score" "$T/hung-$i.json" & hung+=($!); done
sleep 0.3
fetch f /health "$T/hh.json" 10
[ "$STATUS" = 200 ]; ok $? "shard 2 hung: /health answers while searches wait on it ($STATUS)"
wait "${hung[@]}"
for i in 1 2 3; do
    jcheck "shard 2 hung: search $i answered, partial, error timeout" "$T/hung-$i.json" "
s = j['shards']
assert j['partial'] is True and s['ok'] == 2, s
assert s['failed'][0]['shard'] == 'tcp:127.0.0.1:${P[2]}' and s['failed'][0]['error'] == 'timeout', s"
done
curl -s --max-time 10 --unix-socket "$T/f.sock" http://x/metrics > "$T/m2.txt"
grep -q "medsearch_mirror_up{shard=\"tcp:127.0.0.1:${P[2]}\",mirror=\"tcp:127.0.0.1:${P[2]}\"} 0" "$T/m2.txt"
ok $? "shard 2 hung: its breaker is open (/metrics), requests no longer ask it"
fetch f "/search?q=heart&fields=id,score" "$T/hung-4.json" 10
jcheck "shard 2 hung: the next search is partial too" "$T/hung-4.json" "assert j['partial'] is True, j['shards']"
kill -CONT -- "-${SRV[2]}"
until_ok 30 back; ok $? "shard 2 resumed: complete answers again"

# 3. missing at start-up
P4=$(free_port)
sd late "tcp:127.0.0.1:${P[1]},tcp:127.0.0.1:$P4" --config "$T/fast.conf"
ok $? "searchd starts while a shard is missing"
fetch late /health "$T/lh.json"
jcheck "/health: degraded, 1 of 2" "$T/lh.json" "
assert j['status'] == 'degraded' and j['shards_ok'] == 1, j"
fetch late "/search?q=sleep&fields=id,score" "$T/l1.json"
jcheck "search while missing: partial" "$T/l1.json" "assert j['partial'] is True, j"
tcpsrv "$T/s2" "$P4"
late_ok() { fetch late "/search?q=sleep&fields=id,score" "$T/l2.json"
            python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["partial"])' "$T/l2.json"; }
until_ok 30 late_ok; ok $? "the missing shard is picked up when it comes (no restart)"

# ---- 4. network namespaces: 3 shard hosts + 1 searchd host ------------------------
# Each shard host is joined to the searchd host by a veth pair of its own
# (10.77.K.1 searchd side, 10.77.K.2 shard side).  The namespaces carry a
# per-run name, and the links and addresses live only inside them, so two
# runs of the suite at once do not collide.  Nothing leaves the machine.
NS=()
ns_cleanup() {
    local n p
    for n in "${NS[@]+"${NS[@]}"}"; do
        for p in $(ip netns pids "$n" 2>/dev/null); do kill -CONT "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; done
        ip netns del "$n" 2>/dev/null
    done
    NS=()
}
on_exit ns_cleanup
ns_setup() {    # -> NSD (searchd host), NSH[1..3] (shard hosts); 1 = not permitted here
    local base k i
    for ((i = 0; i < 5; i++)); do
        base=ms$$-$RANDOM
        ip netns add "$base-sd" 2> "$T/netns.err" && break
        ip netns list 2>/dev/null | grep -q "^$base-sd" || return 1   # not a name clash: not permitted
    done
    NSD=$base-sd; NS+=("$NSD")
    ip -n "$NSD" link set lo up || return 1
    for k in 1 2 3; do
        NSH[$k]=$base-s$k
        ip netns add "${NSH[$k]}" 2>> "$T/netns.err" || return 1
        NS+=("${NSH[$k]}")
        ip -n "$NSD" link add "v$k" type veth peer name v0 netns "${NSH[$k]}" 2>> "$T/netns.err" || return 1
        ip -n "$NSD" addr add "10.77.$k.1/24" dev "v$k" && ip -n "$NSD" link set "v$k" up &&
        ip -n "${NSH[$k]}" addr add "10.77.$k.2/24" dev v0 && ip -n "${NSH[$k]}" link set v0 up &&
        ip -n "${NSH[$k]}" link set lo up || return 1
    done 2>> "$T/netns.err"
    # `ip netns exec` needs "/" to be a mount point (it is not in a plain
    # chroot, e.g. scripts/fresh-check.sh): try it before relying on it.
    ip netns exec "${NSH[1]}" ip -br link show v0 > /dev/null 2>> "$T/netns.err" &&
        ip netns exec "$NSD" ip -br link show v1 > /dev/null 2>> "$T/netns.err"
}
ns_port() {     # ns_port K: the searchd host can connect to shard host K (20 s)
    ip netns exec "$NSD" bash -c 'for ((i = 0; i < 200; i++)); do (exec 3<>"/dev/tcp/$1/7001") 2>/dev/null && exit 0; sleep 0.1; done; exit 1' _ "10.77.$1.2"
}
ns_tcpsrv() {   # ns_tcpsrv K: xapian-tcpsrv for shard K on shard host K; sets NSRV[K]
    ip netns exec "${NSH[$1]}" setsid xapian-tcpsrv --quiet --interface "10.77.$1.2" --port 7001 "$T/s$1" \
        > "$T/ns-tcpsrv-$1.log" 2>&1 &
    NSRV[$1]=$!
    TCP_PIDS+=("${NSRV[$1]}")
    ns_port "$1"
}
ns_tests() {
    local k rel NDB="tcp:10.77.1.2:7001,tcp:10.77.2.2:7001,tcp:10.77.3.2:7001" id ids
    for k in 1 2 3; do ns_tcpsrv "$k" || break; done
    ok $? "3 shard hosts (network namespaces) serve the shards with xapian-tcpsrv, reached over veth pairs"
    SD_WRAP=(ip netns exec "$NSD")
    sd ns "$NDB" --config "$T/fast.conf"; ok $? "searchd on its own host (namespace) over the 3 shard hosts, its socket used from here"
    SD_WRAP=()
    fetch ns /health "$T/nh.json"
    jcheck "namespaces: /health 200, 3 shards ok" "$T/nh.json" "
assert j['status'] == 'ok' and j['shards_ok'] == 3, j"
    compare remote ns ""; ok $? "shard hosts = remote shards on 127.0.0.1: ids, scores, did_you_mean and related of ${#queries[@]} queries"
    compare one ns "fields=id,score,did_you_mean"; ok $? "shard hosts = one index: ids, scores and did_you_mean"
    ids=$(python3 -c 'import json,sys; print(" ".join(h["id"] for h in json.load(open(sys.argv[1]))["hits"][:5]))' "$T/f0.json")
    rel=0
    for id in $ids; do
        fetch one "/related?id=$id&limit=10" "$T/ra.json"
        fetch ns "/related?id=$id&limit=10" "$T/rb.json"
        python3 - "$T/ra.json" "$T/rb.json" <<'PY' || { diag "/related differs for $id"; rel=1; }
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
ha, hb = (sorted(x['related'], key=lambda h: (-round(h['score'], 6), h['id'])) for x in (a, b))
assert ha, 'no related articles'
assert [h['id'] for h in ha] == [h['id'] for h in hb], ('ids differ', [h['id'] for h in ha], [h['id'] for h in hb])
assert all(abs(x['score'] - y['score']) <= 1e-9 * max(1, abs(x['score'])) for x, y in zip(ha, hb)), 'scores differ'
PY
    done
    [ -n "$ids" ] && [ $rel = 0 ]
    ok $? "shard hosts = one index: /related of the top 5 articles for 'sleep'"
    fetch ns "/search?q=sleep&fields=id,score" "$T/n0.json"
    jcheck "namespaces, all links up: partial false, shards 3/3" "$T/n0.json" "
assert j['partial'] is False and j['shards'] == {'total': 3, 'ok': 3, 'failed': []}, j.get('shards')"

    # a link down: shard host 3's end of its veth pair
    ip -n "${NSH[3]}" link set v0 down; ok $? "shard host 3: link down (ip link set v0 down)"
    fetch ns "/search?q=sleep&fields=id,score" "$T/n1.json"
    [ "$STATUS" = 200 ]; ok $? "link down: /search answered 200 within curl's 20 s bound ($STATUS)"
    jcheck "link down: partial true, shards 2/3, shard host 3 named" "$T/n1.json" "
s = j['shards']
assert j['partial'] is True and s['total'] == 3 and s['ok'] == 2, s
assert s['failed'][0]['shard'] == 'tcp:10.77.3.2:7001' and s['failed'][0]['error'] in ('timeout', 'unreachable'), s
assert j['total'] < $full_total, (j['total'], $full_total)"
    fetch ns /health "$T/nh2.json" 10
    [ "$STATUS" = 200 ]; ok $? "link down: /health answers ($STATUS)"
    jcheck "link down: /health says degraded, shard 3 not ok" "$T/nh2.json" "
assert j['status'] == 'degraded' and [s['ok'] for s in j['shards']] == [True, True, False], j"
    fetch ns "/search?q=heart&fields=id,score" "$T/n2.json"
    jcheck "link down: the next search is partial too" "$T/n2.json" "assert j['partial'] is True, j['shards']"
    ip -n "${NSH[3]}" link set v0 up; ok $? "shard host 3: link up again"
    ns_back() { fetch ns "/search?q=sleep&fields=id,score" "$T/nb.json"
                python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(j["partial"] or j["total"] != int(sys.argv[2]))' "$T/nb.json" "$full_total"; }
    until_ok 60 ns_back; ok $? "link back: complete answers again, no restart"
    sdstop "$SD_PID"
    for k in 1 2 3; do kill -TERM -- "-${NSRV[$k]}" 2>/dev/null; wait "${NSRV[$k]}" 2>/dev/null; done
}
if [ "$(id -u)" != 0 ]; then
    skip "network namespaces" "not root: 'ip netns add' needs CAP_SYS_ADMIN"
elif ! ns_setup; then
    skip "network namespaces" "not usable here (ip netns add/exec, veth): $(head -c 200 "$T/netns.err" | tr '\n' ' ')"
    ns_cleanup
else
    ns_tests
    ns_cleanup
    ! ip netns list 2>/dev/null | grep -q "^ms$$-"; ok $? "the namespaces and their links are removed"
fi

done_testing
