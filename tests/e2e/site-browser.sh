#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# site-browser.sh: the search page as a visitor uses it. make site's stack
# (scripts/site.sh: real searchd over corpus/, real nginx with
# site/nginx.conf, on a free loopback port, in a temporary directory),
# driven by Debian's headless Chromium through python3-selenium and
# chromium-driver (tests/e2e/site_browser.py): suggestions picked with
# the keyboard, highlighted results and facet counts, a facet, pages and
# the back button, an article with related articles and prev/next, a
# misspelling ("Showing results for"), a phone viewport. Screenshots of
# every step: build/test-logs/site-browser/. Any console error fails.
. "$(dirname "$0")/../lib.sh"
need curl nginx setpriv
PY=/usr/bin/python3   # Debian's python3, which has python3-selenium
if ! command -v chromium > /dev/null || ! command -v chromedriver > /dev/null; then
    skip "browser test" "Chromium is absent (Debian packages chromium, chromium-driver; scripts/deps.sh installs them)"
    done_testing; exit
fi
"$PY" -c 'import selenium' 2> /dev/null
ok $? "python3-selenium is installed (Debian package python3-selenium)" || { done_testing; exit; }
tmpdir
OUT=$ROOT/build/test-logs/site-browser
rm -rf "$OUT"; mkdir -p "$OUT"
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
on_exit "SITE_DIR='$T/site' '$ROOT/scripts/site.sh' stop > /dev/null"
SITE_DIR=$T/site SITE_PORT=$PORT "$ROOT/scripts/site.sh" > "$T/site.log" 2>&1
ok $? "make site's stack starts (searchd + nginx on 127.0.0.1:$PORT)" || { sed 's/^/# /' "$T/site.log"; done_testing; exit; }
# Chromium keeps its profile and crash files in a fresh /tmp directory.
export HOME=$T TMPDIR=$T
"$PY" "$ROOT/tests/e2e/site_browser.py" "http://127.0.0.1:$PORT" "$OUT" > "$T/browser.tap" 2> "$T/browser.err"
rc=$?
# Renumber the driver's TAP lines into this script's.
while IFS= read -r line; do
    case $line in
    "ok "*) ok 0 "${line#ok [0-9]* - }" ;;
    "not ok "*) ok 1 "${line#not ok [0-9]* - }" ;;
    "#"*) echo "$line" ;;
    esac
done < "$T/browser.tap"
[ $rc -eq 0 ] || { sed 's/^/# /' "$T/browser.err" | tail -20; grep -q '^not ok' "$T/browser.tap" || ok 1 "the browser driver exited with status $rc"; }
ls "$OUT"/*.png > /dev/null 2>&1; ok $? "screenshots saved in build/test-logs/site-browser/"
[ -s "$T/site/logs/error.log" ] && grep -E '\[(error|crit|alert|emerg)\]' "$T/site/logs/error.log" | sed 's/^/# nginx: /'
! grep -qE '\[(crit|alert|emerg)\]' "$T/site/logs/error.log" 2>/dev/null; ok $? "nginx logged no critical error"
done_testing
