#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build-concepts.sh: build data/mesh-concepts.tsv.gz, the MeSH descriptors
# whose entry terms the indexer finds in articles (XM concept terms; see
# data/README.md), from ../shared/vocab/mesh.
#
#   scripts/build-concepts.sh [--vocab DIR] [--out FILE]
#
# One line per MeSH 2024 descriptor that keeps a term: its DescriptorUI,
# then its entry terms, tab-separated. Kept: terms of 3 characters or more
# and at most 6 words, without a comma (an inverted heading such as
# "Influenza, Human" never occurs in running text; its natural-order form is
# kept). Bash + awk + zcat + gzip -n, LC_ALL=C: the same input gives the
# same bytes.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VOCAB=${MEDSEARCH_SHARED:-$ROOT/../shared}/vocab
OUT=$ROOT/data/mesh-concepts.tsv.gz
MAX_BYTES=$((2 * 1024 * 1024))

usage() { sed -n '2,13s/^# \{0,1\}//p' "$0"; }
while [ $# -gt 0 ]; do
    case $1 in
    --vocab) VOCAB=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "build-concepts.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
for f in mesh/synonyms.tsv.gz mesh/ids.tsv.gz; do
    [ -r "$VOCAB/$f" ] || { echo "build-concepts.sh: cannot read $VOCAB/$f" >&2; exit 1; }
done
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
    printf '# medsearch MeSH concepts (data/mesh-concepts.tsv.gz): DescriptorUI<TAB>entry term<TAB>...\n'
    printf '# Contains 2024 MeSH(R) from the U.S. National Library of Medicine, converted and filtered\n'
    printf '# by scripts/build-concepts.sh (see data/README.md); NLM does not endorse medsearch.\n'
    paste <(zcat "$VOCAB/mesh/ids.tsv.gz" | cut -f1) <(zcat "$VOCAB/mesh/synonyms.tsv.gz") |
        awk -F'\t' '{
            out = $1; n = 0
            for (i = 2; i <= NF; i++) {
                t = $i
                if (length(t) < 3 || index(t, ",") || split(t, w, " ") > 6) continue
                out = out "\t" t; n++
            }
            if (n) print out
        }'
} | gzip -n -9 > "$tmp"
size=$(stat -c %s "$tmp")
[ "$size" -le $MAX_BYTES ] || { echo "build-concepts.sh: $size bytes, over $MAX_BYTES: refusing" >&2; exit 1; }
mv "$tmp" "$OUT"
trap - EXIT
echo "build-concepts.sh: $(zcat "$OUT" | grep -vc '^#') descriptors, $size bytes -> $OUT"
