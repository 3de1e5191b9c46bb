#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The three programs exist and answer --help and --version, and each links
# only the libraries it uses: the Makefile links them with --no-as-needed,
# so their NEEDED entries are exactly the per-program lists (SAN=1 too).
. "$(dirname "$0")/../lib.sh"
need grep readelf
for p in indexer searchd search; do
    "$BIN/$p" --version | grep -q "medsearch"; ok $? "$p --version"
    "$BIN/$p" --help > /dev/null; ok $? "$p --help"
done

# needed PROG: its NEEDED shared libraries, one short name a line (libz).
needed() { readelf -d "$BIN/$1" | sed -n 's/.*(NEEDED).*\[\(lib[^].]*\)\..*/\1/p'; }
# links PROG yes|no LIB...: PROG does (not) name each LIB as NEEDED.
links() {
    local p=$1 want=$2 l libs; shift 2
    libs=$(needed "$p")
    [ -n "$libs" ] || { ok 1 "$p: readelf lists no NEEDED entry"; return; }
    for l in "$@"; do
        grep -qx "$l" <<< "$libs"
        if [ "$want" = yes ]; then ok $? "$p links $l"; else ! grep -qx "$l" <<< "$libs"; ok $? "$p does not link $l"; fi
    done
    [ $_tap_fail -eq 0 ] || diag "$p NEEDED:" $libs
}
links indexer yes libxapian libicuuc libicui18n libz libjansson libxml2  # i18n: the charset detector
links indexer no  libmicrohttpd libcurl libhunspell-1
links searchd yes libxapian libicuuc libmicrohttpd libjansson libhunspell-1
links searchd no  libcurl libxml2
# searchd's allocator (not in sanitizer builds, which bring their own)
if nm -D "$BIN/searchd" 2>/dev/null | grep -q '__asan_init\|__tsan_init'; then
    links searchd no libmimalloc
else
    links searchd yes libmimalloc
fi
links search  yes libcurl libjansson
links search  no  libxapian libicuuc libicui18n libicudata libxml2 libmicrohttpd libstdc++
done_testing
