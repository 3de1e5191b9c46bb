#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# site-nginx.sh: site/nginx.conf as make site runs it (scripts/site.sh:
# real searchd, Debian's nginx, a free loopback port): the page and its
# article view, the four public endpoints and nothing else of searchd
# (/metrics, /health), GET only, cache and security headers, limit_req
# on /api/ (a low rate here, so the test never depends on speed), a JSON
# 503 when searchd is down, and make site-stop stopping both by pid.
. "$(dirname "$0")/../lib.sh"
need curl nginx python3 setpriv
tmpdir
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
D=$T/site
on_exit "SITE_DIR='$D' '$ROOT/scripts/site.sh' stop > /dev/null"
# One request a minute with a burst of 7: a few requests in a row are
# refused however slow the machine is.
SITE_DIR=$D SITE_PORT=$PORT SITE_API_RATE=1r/m SITE_API_BURST=7 "$ROOT/scripts/site.sh" > "$T/site.log" 2>&1
ok $? "make site's stack starts" || { sed 's/^/# /' "$T/site.log"; done_testing; exit; }
grep -q "http://127.0.0.1:$PORT/" "$T/site.log"; ok $? "it prints the URL to open"
U=http://127.0.0.1:$PORT
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$@"; }
hdr() { curl -s -D - -o /dev/null --max-time 20 "$1" | tr -d '\r'; }

[ "$(code "$U/")" = 200 ] && curl -s "$U/" | grep -q 'role="combobox"'; ok $? "/ is the search page"
[ "$(code "$U/doc?id=en%2Fsleep%2Finsomnia.txt")" = 200 ] && curl -s "$U/doc?id=x" | grep -q 'id="doc-view"'
ok $? "/doc?id= is the same page (the article view)"
h=$(hdr "$U/")
grep -qi '^cache-control: no-cache' <<< "$h"; ok $? "the page is revalidated (Cache-Control: no-cache)"
grep -qi "^content-security-policy:.*connect-src 'self'" <<< "$h"; ok $? "the page may only connect to its own site (CSP)"
grep -qi '^x-content-type-options: nosniff' <<< "$h"; ok $? "nosniff"
grep -qi '^cache-control: max-age=3600' <<< "$(hdr "$U/app.js")"; ok $? "scripts are cached an hour"
grep -qi '^cache-control: max-age=3600' <<< "$(hdr "$U/style.css")"; ok $? "styles are cached an hour"

b=$(curl -s "$U/api/search?q=insomnia&facets=category&limit=1")
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["hits"] and "facets" in d else 1)' "$b"
ok $? "/api/search reaches searchd (hits, facets)"
for p in "/api/suggest?q=hea" "/api/doc?id=en%2Fsleep%2Finsomnia.txt" "/api/related?id=en%2Fsleep%2Finsomnia.txt"; do
    [ "$(code "$U$p")" = 200 ]; ok $? "$p: 200"
done
for p in /api/metrics /api/health /metrics /health /api/ /api/search/../metrics "/api/searchx?q=a"; do
    c=$(code --path-as-is "$U$p")
    [ "$c" = 404 ]; ok $? "$p is not exposed ($c)"
done
[ "$(code -X POST "$U/api/search?q=a")" = 403 ]; ok $? "POST to the API is refused"

kill -TERM "$(cat "$D/searchd.pid")"
for ((i = 0; i < 200; i++)); do kill -0 "$(cat "$D/searchd.pid")" 2>/dev/null || break; sleep 0.1; done
b=$(curl -s -w '\n%{http_code}' "$U/api/doc?id=x")
[ "${b##*$'\n'}" = 503 ] && grep -q '"unavailable"' <<< "$b"; ok $? "searchd down: a JSON 503, not an HTML error page (${b##*$'\n'})"

# The burst is being spent: within a few more requests, one is refused.
codes=""
for ((i = 0; i < 20; i++)); do c=$(code "$U/api/suggest?q=sl"); codes="$codes $c"; [ "$c" = 429 ] && break; done
grep -q 429 <<< "$codes"; ok $? "limit_req: over the rate, 429 (${codes# })"
[ "$(code "$U/")" = 200 ]; ok $? "the page itself is not rate-limited"

ngx=$(cat "$D/nginx.pid")
SITE_DIR=$D "$ROOT/scripts/site.sh" stop > "$T/stop.log" 2>&1
ok $? "site.sh stop (make site-stop)"
for ((i = 0; i < 200; i++)); do kill -0 "$ngx" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$ngx" 2>/dev/null && [ ! -e "$D/nginx.pid" ]; ok $? "nginx stopped, by its pid"
done_testing
