#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# conf2man.sh VERSION < medsearch.conf.example > medsearch.conf.5
# The manual page medsearch.conf(5) made from the commented example config,
# so that each key's text lives in one place: the comment above a key is
# its description; a [section] header starts a subsection; the opening
# comment block is the description of the file.
awk -v version="$1" '
function esc(s) { gsub(/\\/, "\\e", s); if (s ~ /^[.\047]/) s = "\\&" s; return s }
BEGIN {
    print ".TH MEDSEARCH.CONF 5 \"\" \"medsearch " version "\" \"File Formats\""
    print ".SH NAME"
    print "medsearch.conf \\- configuration of the medsearch indexer, searchd and search"
    print ".SH SYNOPSIS"
    print "/etc/medsearch.conf, or the file given with \\fB\\-\\-config\\fR or \\fB$MEDSEARCH_CONFIG\\fR"
    print ".SH DESCRIPTION"
    head = 1
}
/^#/ {
    line = $0; sub(/^# ?/, "", line)
    if (head) { sub(/^medsearch\.conf\.example: the/, "The", line); if (line == "") print ".PP"; else print esc(line); next }
    doc = doc (doc == "" ? "" : "\n") esc(line); next
}
/^[ \t]*$/ { if (head) { head = 0 }; doc = ""; next }
/^\[/ { head = 0; print ".SS " esc($0); doc = ""; next }
/=/ {
    head = 0
    key = $0; sub(/[ \t]*=.*/, "", key)
    val = $0; sub(/^[^=]*=[ \t]*/, "", val)
    print ".TP"
    print "\\fB" esc(key) "\\fR = " (val == "" ? "(empty)" : esc(val))
    if (doc != "") print doc
    doc = ""; next
}
END {
    print ".SH FILES"
    print ".TP"
    print "/etc/medsearch.conf"
    print "the default for search; indexer and searchd read a file only when given one"
    print ".SH SEE ALSO"
    print "\\fBindexer\\fR(1), \\fBsearchd\\fR(8), \\fBsearch\\fR(1)"
}'
