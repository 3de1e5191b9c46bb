#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tokenizer golden tests: build/tokdump on each tests/golden/tokenizer/*.in,
# diff -u against the .out beside it. One TAP line per input.
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
done_testing
