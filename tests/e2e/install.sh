#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# install.sh (issue 14): make install into a DESTDIR installs the programs,
# data/, the example config, the docs, the manual pages (each renders with
# man -l, no warning) and the systemd units (paths filled in, each
# Documentation= pointing at something installed); the units pass
# systemd-analyze verify; an installed indexer finds the installed data;
# a PREFIX changes no object file.
. "$(dirname "$0")/../lib.sh"
need make man help2man systemd-analyze
tmpdir
cd "$ROOT" || exit 1
# make install must not rebuild build/ (the suite may run under SAN=1:
# the same variables reach this make through MAKEFLAGS).
compiles=$(make -n install DESTDIR="$T/dest" PREFIX=/usr 2>/dev/null | grep -cE '^(cc|gcc|g\+\+|c\+\+) ')
if [ "$compiles" != 0 ]; then
    skip "make install" "build/ is not up to date for these flags ($compiles compile steps): run make first"
    done_testing; exit 0
fi
ok 0 "make install compiles nothing once build/ is up to date"
compiles=$(make -n install DESTDIR="$T/dest2" PREFIX=/opt/elsewhere 2>/dev/null | grep -cE '^(cc|gcc|g\+\+|c\+\+) ')
[ "$compiles" = 0 ]; ok $? "another PREFIX rebuilds nothing ($compiles compile steps)"

make -s install DESTDIR="$T/dest" PREFIX=/usr > "$T/make.out" 2>&1
rc=$?
sed 's/^/# /' "$T/make.out" | tail -20
[ $rc = 0 ]; ok $? "make install DESTDIR=... PREFIX=/usr (exit $rc)"
D=$T/dest
for f in usr/bin/indexer usr/bin/searchd usr/bin/search \
         usr/share/medsearch/synonyms.txt usr/share/medsearch/lay-synonyms.txt usr/share/medsearch/medsearch.conf.example \
         usr/share/doc/medsearch/README.md usr/share/doc/medsearch/protocol.md usr/share/doc/medsearch/LICENSE \
         usr/share/doc/medsearch/medsearch.conf.example \
         usr/share/man/man1/indexer.1 usr/share/man/man1/search.1 usr/share/man/man8/searchd.8 usr/share/man/man5/medsearch.conf.5 \
         usr/lib/systemd/system/medsearch-searchd.service usr/lib/systemd/system/medsearch-searchd.socket \
         usr/lib/systemd/system/medsearch-indexer.service usr/lib/systemd/system/medsearch-indexer.timer; do
    [ -s "$D/$f" ]; ok $? "installed: /$f"
done
[ -x "$D/usr/bin/searchd" ] && [ "$(stat -c %a "$D/usr/share/man/man8/searchd.8")" = 644 ]
ok $? "programs executable, pages 0644"

# ---- manual pages ----
for m in man1/indexer.1 man1/search.1 man8/searchd.8 man5/medsearch.conf.5; do
    page=$D/usr/share/man/$m
    name=$(basename "$m" | sed 's/\.[0-9]$//')
    MANWIDTH=80 man --warnings -l -P cat "$page" > "$T/page" 2> "$T/warn"
    rc=$?
    [ $rc = 0 ] && [ ! -s "$T/warn" ] && grep -q '^NAME' "$T/page" && grep -qi "^ *$name" "$T/page"
    ok $? "man -l $m renders without warnings ($(wc -l < "$T/page") lines$([ -s "$T/warn" ] && echo "; $(head -1 "$T/warn")"))"
done
MANWIDTH=100 man -l -P cat "$D/usr/share/man/man1/indexer.1" | grep -q -- '--duplicates=last|first|error'
ok $? "indexer(1) is made from --help (it has --duplicates)"
MANWIDTH=100 man -l -P cat "$D/usr/share/man/man5/medsearch.conf.5" | grep -q 'commit_every = 2000'
ok $? "medsearch.conf(5) is made from the example config (commit_every = 2000)"
MANWIDTH=100 man -l -P cat "$D/usr/share/man/man1/search.1" | grep -q 'MEDSEARCH_CONFIG'
ok $? "search(1) documents MEDSEARCH_CONFIG"

# ---- units ----
U=$D/usr/lib/systemd/system
grep -q '^ExecStart=/usr/bin/searchd --config /etc/medsearch.conf' "$U/medsearch-searchd.service" &&
    grep -q '^ExecStart=/usr/bin/indexer --config /etc/medsearch.conf' "$U/medsearch-indexer.service"
ok $? "the units name the installed programs (/usr/bin)"
! grep -q '@[A-Z]*@' "$U"/*; ok $? "no placeholder left in the units"
bad=""
for u in "$U"/*; do
    for d in $(sed -n 's/^Documentation=//p' "$u"); do
        case $d in
        file://*) [ -e "$D${d#file://}" ] || bad="$bad $(basename "$u"):$d" ;;
        man:*) p=${d#man:}; n=${p%(*}; s=${p#*(}; s=${s%)}; [ -e "$D/usr/share/man/man$s/$n.$s" ] || bad="$bad $(basename "$u"):$d" ;;
        esac
    done
done
[ -z "$bad" ]; ok $? "every Documentation= of every unit is installed${bad:+ (missing:$bad)}"
grep -q '^OnCalendar=' "$U/medsearch-indexer.timer" && grep -q '^WantedBy=timers.target' "$U/medsearch-indexer.timer"
ok $? "the indexer timer is scheduled"
# systemd-analyze checks ExecStart= against the real file system: install
# once more with the prefix itself under $T (no DESTDIR)
make -s install PREFIX="$T/p/usr" SYSCONFDIR="$T/p/etc" > /dev/null 2>&1
MANPATH=$T/p/usr/share/man SYSTEMD_LOG_LEVEL=err systemd-analyze verify "$T"/p/usr/lib/systemd/system/*.service \
    "$T"/p/usr/lib/systemd/system/*.socket "$T"/p/usr/lib/systemd/system/*.timer > "$T/verify" 2>&1
rc=$?
sed 's/^/# /' "$T/verify"
[ $rc = 0 ] && [ ! -s "$T/verify" ]; ok $? "systemd-analyze verify passes on the four units (exit $rc)"

# ---- the installed programs work from where they are ----
"$T/p/usr/bin/indexer" --db "$T/idx" -v "$ROOT/corpus/en/sleep" > "$T/out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q "synonyms: $T/p/usr/bin/../share/medsearch/synonyms.txt" "$T/out"
ok $? "an installed indexer finds the installed synonym lists (exit $rc)"
"$T/p/usr/bin/indexer" --config "$T/p/usr/share/medsearch/medsearch.conf.example" --db "$T/idx2" -q "$ROOT/corpus/en/sleep"
ok $? "the installed example config is accepted as it is"
grep -q 'default nobody' <("$D/usr/bin/searchd" --help) && grep -A4 '^# Started as root' "$D/usr/share/medsearch/medsearch.conf.example" | grep -q 'empty: nobody'
ok $? "the example config and searchd --help agree: user defaults to nobody"
done_testing
