#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# corpus/ is consistent: every navigation, Recommend, "related" and HTML
# link names the exact title of another corpus article (the indexer resolves
# links by title), prev/next chains follow the alphabetical file order of
# each folder, and the articles the search tests rely on say (and do not
# say) what those tests expect.  Pure bash + awk + zcat, byte-exact (LC_ALL=C).
. "$(dirname "$0")/../lib.sh"
need python3 gzip zcat cmp
export LC_ALL=C
tmpdir
C=$ROOT/corpus
cd "$C" || { ok 1 "corpus/ exists"; done_testing; exit; }

# One record per line: FILE <TAB> KIND <TAB> VALUE, KIND in title, title2,
# prev, next, rechead, rec, teaser, words (body words, heading lines too).
parse() { # parse FILE: scraped layout on stdin
    awk -v f="$1" '
    { sub(/\r$/, "") }
    NR == 1 { sub(/^\357\273\277/, ""); print f "\ttitle\t" $0; next }
    $0 == "" { next }
    !seen2 { seen2 = 1; print f "\ttitle2\t" $0; next }
    /^<<:/ { v = $0; sub(/^<<:[ \302\240]*/, "", v); print f "\tprev\t" v; tail = 1; next }
    /^>>:/ { v = $0; sub(/^>>:[ \302\240]*/, "", v); print f "\tnext\t" v; tail = 1; next }
    $0 == "Recommend" || $0 == "\347\233\270\345\205\263\346\216\250\350\215\220" || $0 == "\346\216\250\350\215\220" {
        print f "\trechead\t" $0; rec = 1; n = 0; next }
    rec { print f "\t" (n++ % 2 ? "teaser" : "rec") "\t" $0; next }
    !tail { words += NF }
    END { print f "\twords\t" words + 0 }'
}
: > "$T/recs"
for f in $(find en zh -name '*.txt' | sort); do parse "$f" < "$f" >> "$T/recs"; done
for f in $(find extra -name '*.txt.gz' | sort); do zcat "$f" | parse "$f" >> "$T/recs"; done

# All titles of the corpus, whatever the format.
awk -F'\t' '$2 == "title" { print $3 }' "$T/recs" > "$T/titles"
jsonl() { cat extra/articles.jsonl; zcat extra/articles.jsonl.gz; }
jfield() { sed -n 's/.*"'"$1"'": *"\([^"]*\)".*/\1/p'; }
jsonl | jfield title >> "$T/titles"
for h in extra/pages/*.html; do sed -n 's:.*<title>\(.*\)</title>.*:\1:p' "$h"; done >> "$T/titles"
jsonl | jfield id > "$T/ids"

n_txt=$(find en zh -name '*.txt' | wc -l)
n_zh=$(find zh -name '*.txt' | wc -l)
[ "$n_txt" -ge 44 ] && [ "$n_zh" -ge 8 ]
ok $? "at least 44 scraped articles ($n_txt), at least 8 in Chinese ($n_zh)"

for d in sleep skin digestion cancer dental eyes nutrition infections heart mental-health; do
    ls en/$d/*.txt > /dev/null 2>&1 || { diag "no articles in en/$d"; false; } || break
done
ok $? "every topic folder under en/ has articles"

bad=$(ls en/*/*.txt zh/*.txt extra/gz/*.txt.gz | awk -F/ '{ n = $NF; sub(/\.txt(\.gz)?$/, "", n) } n !~ /^[a-z0-9]+(-[a-z0-9]+)*$/')
[ -z "$bad" ] || diag "not kebab-case: $bad"
[ -z "$bad" ]; ok $? "file names are short kebab-case"

dups=$( (sort "$T/titles" | uniq -d; sort "$T/ids" | uniq -d) )
[ -z "$dups" ] || diag "duplicate: $dups"
[ -z "$dups" ]; ok $? "titles ($(wc -l < "$T/titles")) and JSONL ids ($(wc -l < "$T/ids")) are unique"

bad=$(awk -F'\t' '$2 == "title" { t[$1] = $3 } $2 == "title2" && t[$1] != $3 { print $1 }' "$T/recs")
[ -z "$bad" ] || diag "title not repeated: $bad"
[ -z "$bad" ]; ok $? "every scraped article repeats its title"

bad=$(awk -F'\t' '$2 == "words" && $1 ~ /^(en|extra)\// && ($3 < 150 || $3 > 420) { print $1 " " $3 }' "$T/recs")
[ -z "$bad" ] || diag "length out of range: $bad"
[ -z "$bad" ]; ok $? "English articles have 150-400 words of body"

bad=$(awk -F'\t' 'NR == FNR { t[$0] = 1; next }
    ($2 == "prev" || $2 == "next" || $2 == "rec") && !($3 in t) { print $1 ": " $2 " " $3 }' "$T/titles" "$T/recs")
[ -z "$bad" ] || diag "unknown title: $bad"
[ -z "$bad" ]; ok $? "every <<:, >>: and Recommend title is a corpus title"

bad=$(awk -F'\t' '$2 == "rec" && $3 == t[$1] { print $1 } $2 == "title" { t[$1] = $3 }' "$T/recs")
[ -z "$bad" ] || diag "recommends itself: $bad"
[ -z "$bad" ]; ok $? "no article recommends itself"

bad=$(awk -F'\t' '$2 == "rechead" { h[$1] = 1 } $2 == "rec" { n[$1]++ } $2 == "teaser" && $3 !~ /\.\.\.$/ { print $1 ": teaser " $3 }
    $2 == "words" { if (!h[$1] || n[$1] < 3 || n[$1] > 6) print $1 ": " n[$1] + 0 " recommendations" }' "$T/recs")
[ -z "$bad" ] || diag "$bad"
[ -z "$bad" ]; ok $? "every article has a Recommend block of 3-6 titles with teasers ending in ..."

bad=$(awk -F'\t' '$2 == "rechead" && $1 ~ /^zh\// && $3 == "Recommend" { print $1 }' "$T/recs")
[ -z "$bad" ] || diag "English Recommend heading in: $bad"
[ -z "$bad" ]; ok $? "Chinese articles use 相关推荐 or 推荐"

# prev/next: within each folder, in file-name order; none at the ends.
: > "$T/chain"
for d in $(find en zh extra/gz -type d | sort); do
    ls "$d" | grep -E '\.txt(\.gz)?$' | sort | sed "s|^|$d/|" > "$T/files"
    [ -s "$T/files" ] || continue
    awk -F'\t' -v list="$T/files" '
        $2 == "title" { t[$1] = $3 } $2 == "prev" { p[$1] = $3 } $2 == "next" { x[$1] = $3 }
        END {
            n = 0; while ((getline f < list) > 0) fs[++n] = f
            for (i = 1; i <= n; i++) {
                want = i > 1 ? t[fs[i - 1]] : ""; if (p[fs[i]] != want) print fs[i] ": <<: \"" p[fs[i]] "\" want \"" want "\""
                want = i < n ? t[fs[i + 1]] : ""; if (x[fs[i]] != want) print fs[i] ": >>: \"" x[fs[i]] "\" want \"" want "\""
            }
        }' "$T/recs" >> "$T/chain"
done
[ -s "$T/chain" ] && diag "$(cat "$T/chain")"
[ ! -s "$T/chain" ]; ok $? "prev/next chains follow alphabetical file order in each folder"

n=$(jsonl | grep -c .)
bad=$(jsonl | awk '!/^\{"id": "[^"]+", "url": "[^"]+", "title": "[^"]+", "category": "[^"]+", "lang": "[a-z]+", "date": "[0-9-]+", "related": \[[^]]*\], "body": "/')
[ "$n" -eq 9 ] && [ -z "$bad" ]
ok $? "JSONL: 6 + 3 articles with id, url, title, category, lang, date, related, body ($n)"

bad=$(cmp -s <(zcat extra/articles.jsonl.gz | jfield id | sort) <(jfield id < extra/articles.jsonl | sort) && echo same)
gzip -t extra/articles.jsonl.gz extra/gz/*.gz && [ -z "$bad" ]
ok $? "gzip files are valid and articles.jsonl.gz holds a different set"

bad=$(jsonl | sed -n 's/.*"related": \["\([^]]*\)"\].*/\1/p' | sed 's/", "/\n/g' | grep -vxFf "$T/titles" | grep -vxFf "$T/ids")
[ -z "$bad" ] || diag "JSONL related not found: $bad"
[ -z "$bad" ]; ok $? "JSONL related entries are corpus titles or ids"

bad=
for h in extra/pages/*.html; do
    for tag in '<title>' '<nav' '<main>' '<h2>' '<script' '<footer'; do
        grep -q "$tag" "$h" || bad="$bad $h:$tag"
    done
    while IFS= read -r t; do
        grep -qxF "$t" "$T/titles" || bad="$bad $h:\"$t\""
    done < <(sed -n 's:.*<li><a href="[^"]*">\(.*\)</a></li>.*:\1:p; s:.*<a rel="[a-z]*" href="[^"]*">\(.*\)</a>.*:\1:p; /aside/,/aside/s:.*<a href="/articles[^"]*">\(.*\)</a>.*:\1:p; /aside/,/aside/s:.*<a href="https[^"]*">\(.*\)</a>.*:\1:p' "$h")
done
[ -z "$bad" ] || diag "HTML: $bad"
[ -z "$bad" ]; ok $? "HTML pages have title, nav, main, h2, script, footer; their article links name corpus titles"

# What the search tests rely on.
body() { awk '/^(<<:|>>:)/ || $0 == "Recommend" { exit } NR > 2' "$1"; }
h=en/sleep/hypnic-jerks.txt
[ "$(head -1 $h)" = "Why the body jerks when falling asleep" ] &&
    body $h | grep -q 'hypnic jerk' && body $h | grep -q 'sleep start' && body $h | grep -q twitch &&
    body $h | grep -q 'drifting off' && body $h | grep -q 'falling asleep' && body $h | grep -qw shake &&
    ! head -1 $h | grep -qi shake
ok $? "hypnic-jerks: title and the words the ranking test needs"

[ "$(grep -oiw insomnia en/sleep/insomnia.txt | wc -l)" -ge 10 ] && head -1 en/sleep/insomnia.txt | grep -q Insomnia
ok $? "insomnia: title contains Insomnia and the word is frequent"

grep -q 'myocardial infarction' en/heart/heart-muscle-damage.txt && ! grep -qi attack en/heart/heart-muscle-damage.txt &&
    grep -qi 'heart attack' en/heart/chest-pain-warning.txt
ok $? "heart-muscle-damage says myocardial infarction and never attack"

lay() { ! grep -qi "$2" "$1" || { diag "$1 contains $2"; false; }; }
grep -qi hypertension en/heart/hypertension.txt && lay en/heart/hypertension.txt 'high blood pressure' &&
    grep -qi 'high blood pressure' en/nutrition/salt-intake.txt && grep -qi 'fibrillation' en/heart/atrial-fibrillation.txt
ok $? "hypertension without the lay phrase, which appears in another article"

grep -q pruritus en/skin/pruritus.txt && lay en/skin/pruritus.txt itch &&
    grep -q epistaxis en/heart/epistaxis.txt && lay en/heart/epistaxis.txt nosebleed &&
    grep -q 'reflux disease' en/digestion/gastroesophageal-reflux.txt && lay en/digestion/gastroesophageal-reflux.txt heartburn &&
    lay en/digestion/gastroesophageal-reflux.txt 'acid reflux' &&
    grep -q tinnitus en/sleep/tinnitus-at-night.txt && lay en/sleep/tinnitus-at-night.txt 'ringing' &&
    grep -q alopecia en/skin/alopecia.txt && lay en/skin/alopecia.txt 'hair loss' &&
    grep -q 'Herpes labialis' en/skin/herpes-labialis.txt && lay en/skin/herpes-labialis.txt 'cold sore'
ok $? "clinical-word articles do not use the lay phrase"

for w in COVID-19 SARS-CoV-2 IL-6 HbA1c β-blocker Ca2+ 5-HT H1N1 B12 1,25-dihydroxyvitamin; do
    grep -rqF -- "$w" en || { diag "no $w"; false; } || break
done
ok $? "medical tokens appear in the English articles"

for z in insomnia hypertension acid-reflux diabetes common-cold myopia dental-caries eczema; do
    [ -f zh/$z.txt ] || { diag "no zh/$z.txt"; false; } || break
done
ok $? "the eight required Chinese articles exist"

bad=$(for f in zh/*.txt; do [ "$f" = zh/insomnia.txt ] && continue; body "$f" | grep -l 失眠 > /dev/null && echo "$f"; done)
body zh/insomnia.txt | grep -q 失眠 && head -1 zh/insomnia.txt | grep -q 失眠 && [ -z "$bad" ]
ok $? "失眠 is the topic of zh/insomnia.txt only"

# The synonym files the indexer loads with the corpus (data/README.md).
D=$ROOT/data
bad=$(awk '/^#/ || !NF { next }
    /\t|  |^ | $/ || /[A-Z]/ || / \| \| / || !/ \| / { print FILENAME ":" FNR ": " $0; next }
    { n = split($0, t, / [|] /); for (i = 1; i <= n; i++) if (t[i] == "" || t[i] ~ /\|/) { print FILENAME ":" FNR ": " $0; break } }' \
    "$D/synonyms.txt" "$D/lay-synonyms.txt" | head -5)
[ -z "$bad" ] || diag "$bad"
[ -z "$bad" ] && [ "$(wc -c < "$D/synonyms.txt")" -le 2097152 ] && [ "$(grep -vc '^#\|^$' "$D/lay-synonyms.txt")" -ge 60 ]
ok $? "synonym files: lower-case groups of >= 2 terms separated by ' | ', <= 2 MB, >= 60 lay groups"

grp() { grep -qxF "$1" "$D/lay-synonyms.txt" || grep -qxF "$1" "$D/synonyms.txt" || { diag "no group: $1"; false; }; }
has() { grep -v '^#' "$D/lay-synonyms.txt" | grep -q -- "$1" || { diag "no lay group with: $1"; false; }; }
has '^hypnic jerk | sleep start | .*body shakes falling asleep' && has '^myocardial infarction | heart attack' &&
    has '^hypertension | high blood pressure' && has 'heartburn | acid reflux' && has '^epistaxis | nosebleed' &&
    has '^pruritus | itchy skin' && has '^tinnitus | ringing in the ears' && has '^alopecia | hair loss' &&
    has '^conjunctivitis | pink eye' && has '^dental caries | tooth decay | cavity' && has '^influenza | flu' &&
    has '^herpes labialis | cold sore' && has '^心肌梗死 | 心梗 | 心肌梗塞' && has '^失眠 | 睡不着' && has '^高血压 | 血压高' &&
    grp 'myocardial infarction | heart attack | myocardial infarct'
ok $? "synonym groups the search tests rely on are present"

if [ -r "$SHARED/vocab/mesh/ids.tsv.gz" ]; then
    "$ROOT/scripts/build-synonyms.sh" --vocab "$SHARED/vocab" --out "$T/synonyms.txt" 2> "$T/build.log" &&
        cmp "$T/synonyms.txt" "$D/synonyms.txt"
    ok $? "scripts/build-synonyms.sh rebuilds data/synonyms.txt byte for byte"
else
    skip "rebuild data/synonyms.txt" "no vocabularies in $SHARED/vocab"
fi
done_testing
