#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Parser golden tests: every input under tests/golden/parse/ is dumped by
# build/artdump (articles and "ERROR file:line: STATUS reason" lines, then
# "exit N") and compared with NAME.out through diff -u.
# UPDATE=1 tests/golden/parse.sh rewrites the .out files (review the diff!).
. "$(dirname "$0")/../lib.sh"
need diff
tmpdir
DIR=$ROOT/tests/golden/parse
ART=$BIN/artdump
if [ ! -x "$ART" ]; then
    echo "not ok 1 - $ART not built (make build/artdump)"; echo "1..1"; exit 1
fi

# run NAME CMD...: run in DIR (relative paths keep the dumps stable).
golden() {
    local name=$1; shift
    (cd "$DIR" && "$@"; echo "exit $?") > "$T/$name.out" 2>&1
    if [ "${UPDATE:-}" = 1 ]; then cp "$T/$name.out" "$DIR/$name.out"; fi
    diff -u "$DIR/$name.out" "$T/$name.out"
    ok $? "golden $name"
}

for f in "$DIR"/*; do
    name=$(basename "$f")
    case $name in *.out) continue ;; esac
    golden "$name" "$ART" "$name"
done
golden stdin sh -c "'$ART' - < zh-recommend.txt"
golden stdin-gz sh -c "'$ART' - < no-nav.txt.gz"
golden root "$ART" --root . ./no-nav.txt ./mixed.jsonl
golden forced-text "$ART" --format text page.html

# Every file of the real scraped page sets parses to exactly one article
# with a title, a body and a Recommend block, without any error.
pages=0
for tgz in "$SHARED"/datasets/scraped/*.tar.gz; do
    [ -f "$tgz" ] || continue
    mkdir -p "$T/pages"
    tar -xzf "$tgz" -C "$T/pages" || { ok 1 "extract $tgz"; continue; }
    pages=1
done
if [ $pages = 1 ]; then
    n=$(find "$T/pages" -type f | wc -l)
    find "$T/pages" -type f -print0 | xargs -0 "$ART" --root "$T/pages" > "$T/pages.out" 2>&1
    ok $? "scraped pages: $n files parse without a fatal error"
    arts=$(grep -c '^=== article' "$T/pages.out")
    [ "$arts" -eq "$n" ]; ok $? "scraped pages: $arts articles for $n files"
    errs=$(grep -c '^ERROR' "$T/pages.out")
    [ "$errs" -eq 0 ]; ok $? "scraped pages: $errs errors"
    empty=$(grep -c '^title: $' "$T/pages.out")
    [ "$empty" -eq 0 ]; ok $? "scraped pages: $empty without title"
    norec=$(awk '/^=== article/{if(seen&&!rec)c++; seen=1; rec=0} /^  recommend:/{rec=1} END{if(seen&&!rec)c++; print c+0}' "$T/pages.out")
    [ "$norec" -eq 0 ]; ok $? "scraped pages: $norec without Recommend links"
    leak=$(awk '/^body:/{b=1;next} /^=== article/{b=0} b && /^(<<:|>>:|Recommend$)/' "$T/pages.out" | wc -l)
    [ "$leak" -eq 0 ]; ok $? "scraped pages: no navigation or Recommend line in any body ($leak)"
else
    skip "scraped pages" "no $SHARED/datasets/scraped"
fi
done_testing
