#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A full disk during indexing (issue 6): on a small filesystem (tmpfs, else
# an ext4 loop device) index corpus/ (fits), then a big generated corpus
# until the disk is full: the indexer exits 3 with a clear message, never
# crashes or hangs, and the index stays at a commit: intact, searchable,
# served by searchd. A --rebuild on the full disk fails the same way and
# leaves nothing behind. DISKFULL_FS=loop skips the tmpfs attempt.
. "$(dirname "$0")/../lib.sh"
need curl xapian-check xapian-delve timeout truncate dd df
tmpdir
IDX=$BIN/indexer
CE=200
SIZE_MB=8   # corpus/ fits: its first build is compacted, so twice its ~2.7 MB
# Under make SAN=1: libxapian 1.4 leaks its table objects (and their zlib
# streams) when a compaction throws, here on ENOSPC (Database::compact_ ->
# GlassTable allocated with new, not freed on the error path). A leak in a
# third-party library, on an error path, at exit: suppressed in this file.
printf 'leak:libxapian.so\n' > "$T/lsan.supp"
export LSAN_OPTIONS="suppressions=$T/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
stat_of() { "$IDX" --db "$1" --stats 2>/dev/null | awk -v k="$2:" '$1 == k {print $2}'; }
qcount() { xapian-delve -A Q "$(live "$1")" 2>/dev/null | tr ' ' '\n' | grep -c '^Q'; }
gens() { (cd "$1" && ls -d idx-* 2>/dev/null | tr '\n' ' '); }

M=$T/small
mkdir -p "$M"
how=""
if [ "${DISKFULL_FS:-}" != loop ] && mount -t tmpfs -o size=${SIZE_MB}m,mode=755 tmpfs "$M" 2>/dev/null; then
    how="tmpfs"
elif command -v mkfs.ext4 > /dev/null && truncate -s ${SIZE_MB}M "$T/fs.img" &&
     mkfs.ext4 -q -F -m 0 "$T/fs.img" 2>/dev/null && mount -o loop "$T/fs.img" "$M" 2>/dev/null; then
    how="ext4 loop device"
fi
if [ -z "$how" ]; then
    skip "full disk during indexing" "cannot mount a small filesystem here (needs root: tmpfs or a loop device)"
    done_testing
    exit 0
fi
# searchd (started below) first, then the filesystem; lazily if still busy
on_exit "stop_searchd; umount '$M' 2>/dev/null || umount -l '$M'"
chmod 755 "$M"
diag "a ${SIZE_MB} MB $how"
DB=$M/db

"$IDX" --db "$DB" "$ROOT/corpus" > "$T/out" 2>&1
ok $? "corpus/ indexes into the small filesystem (exit 0)"
n0=$(stat_of "$DB" documents)
[ "${n0:-0}" -gt 0 ]; ok $? "corpus/: $n0 documents"

"$BIN/gencorpus" 20000 "$ROOT/corpus" > "$T/big.jsonl"
start=$SECONDS
timeout 120 "$IDX" --db "$DB" --commit-every $CE "$T/big.jsonl" > "$T/out" 2> "$T/err"
rc=$?
diag "indexer exit $rc after $((SECONDS - start)) s; stderr: $(grep -v '^indexer: ' "$T/err" | head -3)"
[ $rc = 3 ]; ok $? "disk full: exit status 3 (got $rc; 124 = hung, >128 = crashed)"
grep -qi "no space left on device" "$T/err" && grep -q "commit failed.*the index stays at its previous commit" "$T/err"
ok $? "disk full: a clear message (no space left on device; the index stays at its previous commit)"
n=$(stat_of "$DB" documents)
[ -n "$n" ] && [ "$n" -ge "$n0" ] && [ $(((n - n0) % CE)) = 0 ]
ok $? "disk full: $n documents, the earlier state ($n0) plus whole batches of $CE"
xapian-check "$(live "$DB")" > "$T/check" 2>&1; ok $? "disk full: xapian-check passes ($(tail -1 "$T/check"))"
[ "$(qcount "$DB")" = "$n" ]; ok $? "disk full: no duplicates"
[ "$(gens "$DB")" = "$(basename "$(live "$DB")") " ]; ok $? "disk full: no stray generation ($(gens "$DB"))"

# a rerun on the still full disk: same clean failure, nothing changes
timeout 120 "$IDX" --db "$DB" --commit-every $CE "$T/big.jsonl" > "$T/out" 2> "$T/err"
rc=$?
[ $rc = 3 ] && [ "$(stat_of "$DB" documents)" = "$n" ]; ok $? "rerun on the full disk: exit 3 (got $rc), still $n documents"
# a rebuild on the full disk: fails, the live index untouched, nothing left
gen=$(live "$DB") rev=$(stat_of "$DB" revision)
timeout 120 "$IDX" --db "$DB" --rebuild "$ROOT/corpus" > "$T/out" 2> "$T/err"
rc=$?
[ $rc = 3 ]; ok $? "--rebuild on the full disk: exit 3 (got $rc)"
[ "$(live "$DB")" = "$gen" ] && [ "$(stat_of "$DB" revision)" = "$rev" ] && [ "$(stat_of "$DB" documents)" = "$n" ]
ok $? "--rebuild on the full disk: the live index is unchanged"
[ "$(gens "$DB")" = "$(basename "$gen") " ]; ok $? "--rebuild on the full disk: no half-built generation left ($(gens "$DB"))"
xapian-check "$(live "$DB")" > /dev/null 2>&1; ok $? "xapian-check still passes"

if start_searchd "$DB" "$T/sock"; then
    req "$T/sock" /health
    [ "$STATUS" = 200 ]; ok $? "searchd on the index of the full disk: /health 200"
    req "$T/sock" "/search?q=sleep"
    [ "$STATUS" = 200 ] && [[ "$BODY" == *'"hits": [{'* || "$BODY" == *'"hits":[{'* ]]
    ok $? "searchd on the index of the full disk: a search finds articles"
else
    ok 1 "searchd starts on the index of the full disk"
fi
stop_searchd

# A first build that fits but whose compacted copy does not: the build is
# committed and live, so the run succeeds with a warning.
rm -rf "$DB" "$M/fill"
avail_kb=$(df -k --output=avail "$M" | tail -1)
dd if=/dev/zero of="$M/fill" bs=1k count=$((avail_kb - 5 * 1024)) 2>/dev/null
"$IDX" --db "$DB" "$ROOT/corpus" > "$T/out" 2> "$T/err"
rc=$?
[ $rc = 0 ]; ok $? "a first build with no room for its compaction: exit 0 (got $rc)"
grep -q "stays uncompacted" "$T/err"; ok $? "it warns that the index stays uncompacted"
[ "$(stat_of "$DB" documents)" = "$n0" ] && xapian-check "$(live "$DB")" > /dev/null 2>&1
ok $? "its $n0 documents are live and pass xapian-check"
[ "$(gens "$DB")" = "$(basename "$(live "$DB")") " ]; ok $? "no partial compacted copy left ($(gens "$DB"))"
done_testing
