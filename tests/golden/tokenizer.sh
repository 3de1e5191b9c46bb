#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tokenizer golden tests: build/tokdump on each tests/golden/tokenizer/*.in,
# diff -u against the .out beside it. One TAP line per input. Then the
# plain-ASCII path against ICU (tokdump -i): the same tokens, each
# line and each run of non-blank bytes tokenized alone (as snippets ask),
# on every input, corpus/ and 20,000 random lines of ASCII letters,
# digits, blanks and every punctuation mark.
# Regenerate after a deliberate change (then READ the diff):
#   for f in tests/golden/tokenizer/*.in; do build/tokdump "$f" > "${f%.in}.out"; done
. "$(dirname "$0")/../lib.sh"
need diff
tmpdir
dir=$ROOT/tests/golden/tokenizer
if [ ! -x "$BIN/tokdump" ]; then
    skip "tokenizer golden" "build/tokdump not built (make build/tokdump)"
    done_testing
    exit
fi
for in in "$dir"/*.in; do
    name=$(basename "$in" .in)
    if "$BIN/tokdump" "$in" > "$T/$name.out" 2> "$T/$name.err" &&
        diff -u "$dir/$name.out" "$T/$name.out" > "$T/$name.diff"; then
        ok 0 "tokenizer $name"
    else
        ok 1 "tokenizer $name"
        sed 's/^/# /' "$T/$name.err" "$T/$name.diff" | head -60
    fi
done
cat "$dir"/*.in "$ROOT"/corpus/*/*/*.txt > "$T/all.txt" 2>/dev/null
python3 -c '
import random, sys
random.seed(int(sys.argv[1]))
alpha = "aAzZ09" * 4 + " \t" * 4 + ".,;:\x27" * 2 + "".join(chr(c) for c in range(33, 127) if not chr(c).isalnum())
for _ in range(20000):
    print("".join(random.choice(alpha) for _ in range(random.randint(1, 14))))
' "$$" >> "$T/all.txt"
for m in -l -w; do
    "$BIN/tokdump" $m "$T/all.txt" > "$T/plain$m" && "$BIN/tokdump" -i $m "$T/all.txt" > "$T/icu$m" &&
        [ -s "$T/icu$m" ] && cmp -s "$T/plain$m" "$T/icu$m"
    ok $? "plain-ASCII segmentation = ICU's ($m: $(wc -l < "$T/icu$m") tokens)" ||
        diff "$T/icu$m" "$T/plain$m" | head -20 | sed 's/^/# /'
done
done_testing
