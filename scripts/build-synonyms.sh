#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build-synonyms.sh: build data/synonyms.txt, the medical synonym groups the
# indexer loads into Xapian's synonym table, from the open vocabularies in
# ../shared/vocab (see data/README.md for the format, sources and licences).
#
#   scripts/build-synonyms.sh [--vocab DIR] [--out FILE] [--with-hpo]
#
# Sources, in this order: Human Disease Ontology EXACT synonyms, then MeSH
# 2024 concept-level groups restricted to the tree branches C (diseases) and
# F (psychiatry and psychology).  HPO layperson synonyms are NOT part of the
# shipped file (HPO's terms forbid altering its content; data/README.md),
# --with-hpo adds them for a private local build only.
#
# Bash + awk + zcat, LC_ALL=C: the same inputs give the same bytes.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VOCAB=${MEDSEARCH_SHARED:-$ROOT/../shared}/vocab
OUT=$ROOT/data/synonyms.txt
WITH_HPO=0
MAX_BYTES=$((2 * 1024 * 1024))

usage() { sed -n '2,15s/^# \{0,1\}//p' "$0"; }
while [ $# -gt 0 ]; do
    case $1 in
    --vocab) VOCAB=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --with-hpo) WITH_HPO=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "build-synonyms.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
for f in disease-ontology/synonyms.tsv.gz mesh-concepts/synonyms.tsv.gz mesh-concepts/ids.tsv.gz mesh/ids.tsv.gz; do
    [ -r "$VOCAB/$f" ] || { echo "build-synonyms.sh: cannot read $VOCAB/$f" >&2; exit 1; }
done
[ $WITH_HPO = 0 ] || [ -r "$VOCAB/hpo-layperson/synonyms.tsv.gz" ] ||
    { echo "build-synonyms.sh: cannot read $VOCAB/hpo-layperson/synonyms.tsv.gz" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# MeSH concept lines whose descriptor sits in tree C or F.  mesh-concepts'
# ids give the DescriptorUI only; mesh/ids.tsv.gz maps it to tree numbers.
zcat "$VOCAB/mesh/ids.tsv.gz" |
    awk -F'\t' '{ n = split($2, t, ";"); for (i = 1; i <= n; i++) if (t[i] ~ /^[CF]/) { print $1; break } }' > "$tmp/mesh-cf"
paste <(zcat "$VOCAB/mesh-concepts/ids.tsv.gz" | cut -f1) <(zcat "$VOCAB/mesh-concepts/synonyms.tsv.gz") |
    awk -F'\t' 'NR == FNR { keep[$1] = 1; next } ($1 in keep)' "$tmp/mesh-cf" - | cut -f2- > "$tmp/mesh"

# filter SOURCE-NAME < tsv groups > "term | term" groups.
# Per term: collapse blanks; drop terms with a comma, bracket or other
# punctuation that marks a code or an inverted heading; drop terms of more
# than 6 words, classification qualifiers ("with", "without", "unspecified",
# "other", "nos"...) and longer terms containing the first term ("kaposi's
# sarcoma of skin" under "kaposi's sarcoma": narrower, not synonyms),
# digits-only terms, acronyms of <= 3 characters (any term of
# <= 3 characters that is not all lower case in the source: "MS", "RA",
# "HTN"...) and acronyms that spell a common English word ("AIDS", "STEM").
# Then lower-case (ASCII), de-duplicate inside the group (plural twins such
# as "sleep stage"/"sleep stages" count as duplicates) and keep groups of
# >= 2 terms.  The first surviving term stays first (the preferred one).
filter() {
    awk -F'\t' -v src="$1" '
    BEGIN {
        split("aids dish gist sine snare stem tens plat prod dago minos apache sega doss tamis", w, " ")
        for (i in w) wordlike[w[i]] = 1
    }
    # singular(T): T with each word in a rough singular form, a key that
    # is equal for "injury"/"injuries", "disease"/"diseases",
    # "fibromatosis"/"fibromatoses".
    function singular(t,    w, m, i, r) {
        m = split(t, w, " "); r = ""
        for (i = 1; i <= m; i++) {
            if (w[i] ~ /ies$/) w[i] = substr(w[i], 1, length(w[i]) - 3) "y"
            else if (w[i] ~ /(ss|ch|sh|x)es$/) w[i] = substr(w[i], 1, length(w[i]) - 2)
            else if (w[i] ~ /[^aeiou]is$/) w[i] = substr(w[i], 1, length(w[i]) - 2) "e"
            else if (w[i] ~ /[^su]s$/) w[i] = substr(w[i], 1, length(w[i]) - 1)
            r = r (i > 1 ? " " : "") w[i]
        }
        return r
    }
    {
        n = 0; delete seen; out = ""
        for (i = 1; i <= NF; i++) {
            t = $i
            gsub(/[ \t\r\n]+/, " ", t); sub(/^ /, "", t); sub(/ $/, "", t)
            if (t == "") continue
            if (t ~ /[][(){}<>,;:\/\\&|#"*?=+@!%$^~`]/) continue
            if (split(t, wd, " ") > 6) continue
            if (t ~ /^[0-9 .-]+$/) continue
            lo = tolower(t)
            if (length(t) <= 3 && t != lo) continue
            if (t ~ /^[A-Z0-9-]+$/ && (lo in wordlike)) continue
            if (lo ~ / - /) continue
            # classification qualifiers make a narrower term, not a synonym
            if (lo ~ /(^| )(with|without|due to|unspecified|other|nos|nec|mention|elsewhere)( |$)/) continue
            # "X of skin", "cutaneous X": a narrower form of the first term X
            if (n > 0 && length(lo) > length(first) && index(" " lo " ", " " first " ") > 0) continue
            # plural twins add nothing: the indexer stems
            k = singular(lo)
            if (k in seen) {   # keep the shorter (singular) form of twins
                if (length(lo) < length(seen[k])) seen[k] = lo
                continue
            }
            seen[k] = lo; key[++n] = k
            if (n == 1) first = lo
        }
        for (i = 1; i <= n; i++) out = out (i > 1 ? " | " : "") seen[key[i]]
        if (n >= 2) print out
    }'
}

zcat "$VOCAB/disease-ontology/synonyms.tsv.gz" | filter do > "$tmp/do.g"
filter mesh < "$tmp/mesh" > "$tmp/mesh.g"
[ $WITH_HPO = 0 ] || zcat "$VOCAB/hpo-layperson/synonyms.tsv.gz" | filter hpo > "$tmp/hpo.g"

# De-duplicate across sources: a group whose set of terms was already
# emitted (by an earlier source, or earlier in the same one) is dropped.
# Input and output lines: SOURCE <TAB> GROUP.
dedup() {
    awk -F'\t' '{
        n = split($2, t, / [|] /)
        for (i = 2; i <= n; i++) { v = t[i]; for (j = i - 1; j >= 1 && t[j] > v; j--) t[j + 1] = t[j]; t[j + 1] = v }
        k = ""; for (i = 1; i <= n; i++) k = k "|" t[i]
        if (!(k in done)) { done[k] = 1; print }
    }'
}
for s in do mesh hpo; do
    if [ -f "$tmp/$s.g" ]; then sort "$tmp/$s.g" | sed "s/^/$s	/"; fi
done | dedup > "$tmp/all"

count() { awk -F'\t' -v s="$1" '$1 == s { g++; t += split($2, x, / [|] /) } END { printf "%d groups, %d terms", g, t }' "$tmp/all"; }
section() { # section SOURCE TITLE
    grep -q "^$1	" "$tmp/all" || return 0
    printf '\n# ---- %s (%s)\n' "$2" "$(count "$1")"
    awk -F'\t' -v s="$1" '$1 == s { print $2 }' "$tmp/all"
}

{
    cat <<'HEAD'
# medsearch medical synonyms (data/synonyms.txt)
# SPDX-License-Identifier: GPL-2.0-or-later AND CC-BY-3.0 (Disease Ontology groups)
# Generated by scripts/build-synonyms.sh; do not edit by hand (edit the
# script, or data/lay-synonyms.txt).  Details: data/README.md.
#
# Format: UTF-8, one synonym group per line, terms separated by " | "
# (space, pipe, space); the first term is the preferred one; every term of a
# group is a synonym of every other.  Terms are lower-case plain phrases of
# one or more words.  "#" starts a comment line; blank lines are ignored.
#
# Sources and attribution:
# - Contains 2024 MeSH(R) from the U.S. National Library of Medicine,
#   converted and filtered: concept-level groups (one MeSH concept = one
#   group) of descriptors in tree branches C (Diseases) and F (Psychiatry
#   and Psychology); lower-cased; terms with commas or brackets, of more
#   than 6 words, digits only, acronyms of <= 3 characters and acronyms that
#   spell common words removed; groups of fewer than 2 terms removed.  This
#   is MeSH 2024, not necessarily the current MeSH.  NLM is the creator,
#   maintainer and provider of MeSH and does not endorse medsearch.
# - Human Disease Ontology (DO), release 2016-09-01, EXACT synonyms, by the
#   Disease Ontology project (disease-ontology.org), licensed under the
#   Creative Commons Attribution 3.0 Unported License (CC BY 3.0),
#   https://creativecommons.org/licenses/by/3.0/ ; changed: lower-cased and
#   filtered as above.
# - The Human Phenotype Ontology is NOT included: its terms forbid altering
#   its content, which does not fit a GPL project (see data/README.md).
HEAD
    [ $WITH_HPO = 0 ] || cat <<'HPO'
#
# LOCAL BUILD (--with-hpo), NOT FOR DISTRIBUTION: this file also holds
# groups derived from the Human Phenotype Ontology layperson synonyms report
# (github.com/obophenotype/human-phenotype-ontology, reports/
# layperson-synonyms.tsv as of commit f520d74, 2021-04-06), lower-cased and
# filtered, i.e. altered, which the HPO licence does not allow for
# published files.  This service/product is using the Human Phenotype
# Ontology (2021-04-06 layperson synonyms report).  Find out more at
# http://www.human-phenotype-ontology.org.  Köhler S et al., Nucleic Acids
# Res. 2014;42(D1):D966-74, doi:10.1093/nar/gkt1026.
HPO
    section do "Human Disease Ontology 2016-09-01, EXACT synonyms, CC BY 3.0"
    section mesh "MeSH 2024 concepts, trees C and F, from the U.S. National Library of Medicine"
    section hpo "Human Phenotype Ontology layperson synonyms (LOCAL BUILD ONLY, do not ship)"
} > "$OUT.tmp"

size=$(wc -c < "$OUT.tmp")
if [ "$size" -gt "$MAX_BYTES" ]; then
    rm -f "$OUT.tmp"
    echo "build-synonyms.sh: $OUT would be $size bytes, over the $MAX_BYTES cap" >&2
    exit 1
fi
mv "$OUT.tmp" "$OUT"
echo "build-synonyms.sh: wrote $OUT: $(grep -vc '^#\|^$' "$OUT") groups, $size bytes" >&2
