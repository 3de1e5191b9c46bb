#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# site-urls.sh: what a search page needs to link and group articles.
# Ids to URLs ([index] url_template / --url-template) on a real index
# served by a real searchd; the category of an article from its page's
# metadata (article:section, breadcrumbs) or else the first folder under
# the input root, never the root's own name; HTML dates.
. "$(dirname "$0")/../lib.sh"
need curl python3
tmpdir
js() { printf '%s' "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if eval(sys.argv[1]) else 1)' "$2"; }
enc() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

"$BIN/indexer" --db "$T/db" --quiet --url-template 'https://health.example.net/{stem}' "$ROOT/corpus" > "$T/index.log" 2>&1
ok $? "indexes corpus/ with --url-template" || { sed 's/^/# /' "$T/index.log"; done_testing; exit; }
chmod -R a+rX "$T/db"
S=$T/s.sock
user=(); [ "$(id -u)" = 0 ] && user=(--user nobody)
start_searchd "$T/db" "$S" "${user[@]}"
ok $? "searchd starts" || { done_testing; exit; }
doc() { get "$S" "/doc?id=$(enc "$1")"; }

b=$(doc en/sleep/insomnia.txt)
js "$b" "d['url'] == 'https://health.example.net/en/sleep/insomnia' and d['id'] == 'en/sleep/insomnia.txt'"
ok $? "a scraped text article gets its URL from {stem}; its id does not change"
js "$(doc ex-migraine)" "d['url'] == 'https://health.example.org/neurology/migraine'"
ok $? "an article with a URL of its own keeps it"
js "$(doc extra/pages/back-pain.html)" "d['url'] == 'https://health.example.net/extra/pages/back-pain'"
ok $? "an HTML page without a canonical link gets one too"
b=$(get "$S" "/search?q=insomnia&fields=id,url&limit=100")
js "$b" "d['hits'] and all(h['url'] and h['url'].startswith('https://') for h in d['hits'])"
ok $? "every search hit has a URL to link"

# Categories: page metadata first, then the first folder under the root.
cat_of() { doc "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["category"])'; }
[ "$(cat_of en/sleep/insomnia.txt)" = sleep ]; ok $? "en/sleep/...: category sleep (the language folder is skipped)"
[ "$(cat_of extra/pages/back-pain.html)" = Bones ]; ok $? "article:section gives the category (Bones)"
[ "$(cat_of extra/pages/hand-washing.html)" = Infections ]; ok $? "a breadcrumb element gives the category (Infections)"
[ "$(cat_of extra/pages/sunburn.html)" = Skin ]; ok $? "a JSON-LD BreadcrumbList gives the category (Skin)"
[ "$(cat_of zh/insomnia.txt)" = None ]; ok $? "zh/...: no category from a language folder"
[ "$(cat_of extra/gz/colon-cancer-screening.txt.gz)" = None ]; ok $? "extra/gz/...: no category from container folders"
b=$(get "$S" "/search?q=health&facets=category&facet_limit=100&limit=1")
js "$b" "not {'pages', 'extra', 'gz', 'corpus', 'en', 'zh'} & {x['value'] for x in d['facets']['category']}"
ok $? "no facet value is a container or language folder"
js "$(doc extra/pages/back-pain.html)" "d['date'] == '2024-03-18'"; ok $? "<time datetime> gives the date"
js "$(doc extra/pages/dehydration.html)" "d['date'] == '2023-07-02'"; ok $? "JSON-LD datePublished gives the date"
stop_searchd

# The input root's own name is never a category; folders under it are.
mkdir -p "$T/html/heart" "$T/html/en/skin"
printf '<html><head><title>Palpitations</title></head><body><p>A racing heart beat.</p></body></html>\n' > "$T/html/heart/palpitations.html"
printf '<html><head><title>Warts</title></head><body><p>Small rough skin growths.</p></body></html>\n' > "$T/html/en/skin/warts.html"
printf '<html><head><title>Hiccups</title></head><body><p>Sudden diaphragm spasms.</p></body></html>\n' > "$T/html/hiccups.html"
printf 'Nosebleeds\n\nNosebleeds\n\nMost nosebleeds stop with pressure.\n' > "$T/html/heart/a b&c.txt"
"$BIN/indexer" --db "$T/db2" --quiet --url-template 'https://x.example/{path}?id={id}' "$T/html" > "$T/index2.log" 2>&1
ok $? "indexes a folder named html" || sed 's/^/# /' "$T/index2.log"
"$BIN/indexer" --db "$T/db2" --stats > "$T/stats" 2>&1
grep -qi 'categories' "$T/stats" && ! grep -qiw 'html' <(sed -n '/categor/,$p' "$T/stats")
ok $? "no article is in category 'html' (the root's own name)" || sed 's/^/# /' "$T/stats"
chmod -R a+rX "$T/db2"
start_searchd "$T/db2" "$S" "${user[@]}"
js "$(doc heart/palpitations.html)" "d['category'] == 'heart' and d['url'] == 'https://x.example/heart/palpitations.html?id=heart/palpitations.html'"
ok $? "heart/x.html under the root: category heart; {path} and {id}"
js "$(doc en/skin/warts.html)" "d['category'] == 'skin'"; ok $? "en/skin/x.html: category skin"
js "$(doc hiccups.html)" "d['category'] is None"; ok $? "a file right under the root: no category"
js "$(doc 'heart/a b&c.txt')" "d['url'] == 'https://x.example/heart/a%20b%26c.txt?id=heart/a%20b%26c.txt'"
ok $? "placeholders are percent-encoded"
stop_searchd

# The config file's [index] url_template; the flag wins over it.
printf '[index]\nurl_template = https://conf.example/{stem}.html\n' > "$T/conf"
"$BIN/indexer" --db "$T/db3" --quiet --config "$T/conf" "$T/html" > "$T/index3.log" 2>&1
ok $? "indexes with [index] url_template"
chmod -R a+rX "$T/db3"
start_searchd "$T/db3" "$S" "${user[@]}"
js "$(doc hiccups.html)" "d['url'] == 'https://conf.example/hiccups.html'"; ok $? "[index] url_template is used"
stop_searchd
"$BIN/indexer" --db "$T/db3" --quiet --config "$T/conf" --url-template 'https://flag.example/{stem}' "$T/html" > "$T/index4.log" 2>&1
ok $? "re-indexes with --url-template"
start_searchd "$T/db3" "$S" "${user[@]}"
js "$(doc hiccups.html)" "d['url'] == 'https://flag.example/hiccups'"; ok $? "--url-template overrides the config, and a new template rewrites the URLs"
stop_searchd

# Bad templates: a clear error naming the problem, nothing written.
"$BIN/indexer" --db "$T/db5" --url-template 'https://x/{slug}' "$T/html" > "$T/bad.log" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "unknown placeholder '{slug}'" "$T/bad.log" && [ ! -e "$T/db5" ]
ok $? "an unknown placeholder is refused before anything is written (exit $rc)" || sed 's/^/# /' "$T/bad.log"
"$BIN/indexer" --db "$T/db5" --url-template 'https://x/' "$T/html" > "$T/bad.log" 2>&1
[ $? -ne 0 ] && grep -q "no placeholder" "$T/bad.log"; ok $? "a template without a placeholder is refused"
done_testing
