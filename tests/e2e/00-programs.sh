#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The three programs exist and answer --help and --version.
. "$(dirname "$0")/../lib.sh"
need grep
for p in indexer searchd search; do
    "$BIN/$p" --version | grep -q "medsearch"; ok $? "$p --version"
    "$BIN/$p" --help > /dev/null; ok $? "$p --help"
done
done_testing
