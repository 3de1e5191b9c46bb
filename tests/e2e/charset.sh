#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# charset.sh (issue 14): pages in legacy encodings are read right. Real
# bytes made by iconv here, in every input format (HTML with <meta
# charset>, http-equiv and the XML declaration; HTML without one; scraped
# .txt; JSON Lines, small and streamed), in ISO-8859-1, windows-1252, GBK,
# GB18030 and Big5; each page is then found by a search for its words on a
# real searchd, and its title reads right. The summary counts the files
# converted per encoding.
. "$(dirname "$0")/../lib.sh"
need curl python3 iconv
tmpdir
chmod 755 "$T"
mkdir -p "$T/in"
I=$T/in
enc() { iconv -f UTF-8 -t "$1" > "$2"; }

html() { # TITLE BODY [HEAD-EXTRA]
    printf '<!DOCTYPE html>\n<html><head>%s<title>%s</title></head>\n<body><h1>%s</h1>\n<p>%s</p></body></html>\n' "${3:-}" "$1" "$1" "$2"
}
html "Sjögren syndrome" "Sjögren syndrome is an autoimmune disease that dries the eyes and mouth." '<meta charset="iso-8859-1">' |
    enc ISO-8859-1 "$I/sjogren.html"
html "Raynaud’s phenomenon" "In Raynaud’s phenomenon the fingers turn white in the cold; gloves cost €20 “at most”." \
    '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">' | enc WINDOWS-1252 "$I/raynaud.html"
{ printf '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
  html "Ménière disease" "Ménière disease causes vertigo, tinnitus and hearing loss in one ear." '<meta name="x" content="y">'; } |
    enc ISO-8859-1 "$I/meniere.html"
html "口腔溃疡" "口腔溃疡是口腔黏膜上出现的浅表性溃疡，常见诱因包括熬夜、压力和维生素缺乏。" \
    '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' | enc GBK "$I/ulcer-gbk.html"
html "乾眼症" "乾眼症是淚液分泌不足或蒸發過快所引起的眼睛乾澀、灼熱與異物感。" '<meta charset="big5">' |
    enc BIG5 "$I/dryeye-big5.html"
html "慢性胃炎" "慢性胃炎是胃黏膜的慢性炎症，幽门螺杆菌感染是最常见的病因，患者常有上腹痛和饱胀感。" |
    enc GBK "$I/gastritis-nodecl.html"
html "Sjögren mislabelled" "Xerostomia in Sjögren patients (UTF-8 bytes under a Latin-1 label)." '<meta charset="iso-8859-1">' \
    > "$I/mislabelled.html"

printf '高血压的饮食\n\n高血压患者应当减少食盐摄入，每天不超过五克，多吃新鲜蔬菜和水果，控制体重，戒烟限酒，坚持规律运动。\n\n长期高血压会损害心脏、大脑和肾脏。\n' |
    enc GBK "$I/hypertension-gbk.txt"
printf '糖尿病足的护理\n\n糖尿病患者每天应检查双脚，保持清洁干燥，选择合适的鞋袜，发现伤口及时就医，避免赤脚行走。\n\n血糖控制不佳会加重神经和血管病变。\n' |
    enc GB18030 "$I/diabetes-gb18030.txt"
printf '過敏性鼻炎\n\n過敏性鼻炎的症狀包括打噴嚏、流鼻水、鼻塞與鼻子癢，常由灰塵、花粉或寵物皮屑誘發。\n\n治療以避免過敏原與藥物控制為主。\n' |
    enc BIG5 "$I/rhinitis-big5.txt"
printf 'Guillain-Barré syndrome\n\nGuillain-Barré syndrome is a rare disorder in which the immune system attacks the nerves; weakness often starts in the feet. Naïve T cells are not the cause.\n' |
    enc ISO-8859-1 "$I/gbs-latin1.txt"
printf 'Café-au-lait spots\n\nCafé-au-lait spots are flat “coffee” coloured patches; six or more may point to neurofibromatosis — a check costs about €50.\n' |
    enc WINDOWS-1252 "$I/cafe-cp1252.txt"
printf '{"id": "jsonl-gbk-1", "title": "甲状腺结节", "text": "甲状腺结节是甲状腺内的肿块，大多数为良性，可以通过超声检查发现。"}\n{"id": "jsonl-gbk-2", "title": "胆结石", "text": "胆结石可以引起右上腹疼痛，进食油腻食物后加重。"}\n' |
    enc GBK "$I/records-gbk.jsonl"
# A JSON Lines file over 1 MB is streamed in blocks: each block converted.
python3 -c '
import json
for i in range(10000):
    print(json.dumps({"id": "stream-%d" % i, "title": "流式记录 %d" % i,
        "text": "这是第%d条流式记录，内容关于颈椎病的预防与康复训练，保持正确坐姿。" % i}, ensure_ascii=False))
print(json.dumps({"id": "stream-last", "title": "最后一条", "text": "骨质疏松症的最后记录"}, ensure_ascii=False))' |
    enc GB18030 "$I/big-gb18030.jsonl"
# Damaged UTF-8: mostly valid, two stray bytes: repaired, not converted.
printf 'Hypnic jerk notes\n\nA hypnic jerk — a sudden twitch — is harmless; caf\xe9 and stress make it worse. Über-tired people notice it more.\n' > "$I/damaged-utf8.txt"

big=$(stat -c %s "$I/big-gb18030.jsonl")
[ "$big" -gt 1100000 ]; ok $? "the streamed JSON Lines file is over 1 MB ($big bytes)"
! iconv -f UTF-8 -t UTF-8 "$I/sjogren.html" > /dev/null 2>&1 && ! iconv -f UTF-8 -t UTF-8 "$I/hypertension-gbk.txt" > /dev/null 2>&1
ok $? "the test files are really not UTF-8"

"$BIN/indexer" --db "$T/db" --threads 2 -v "$I" > "$T/out" 2>&1
rc=$?
sed 's/^/# /' "$T/out" | grep -v synonyms
[ $rc = 0 ]; ok $? "indexer exits 0 (got $rc)"
# 13 pages, 2 + 10,001 records
grep -q ' 10016 added, 0 updated, 0 unchanged, 0 deleted, 0 failed (15 files, 0 unreadable)' "$T/out"
ok $? "every article indexed (10016 added, 15 files)"
grep -q 'converted to UTF-8: ' "$T/out"; ok $? "the summary says files were converted"
conv=$(grep 'converted to UTF-8' "$T/out")
for want in "6 files from GB18030" "2 files from Big5-HKSCS" "5 files from windows-1252"; do
    [[ "$conv" == *"$want"* ]]; ok $? "summary: $want ($conv)"
done
grep -q 'sjogren.html: read as windows-1252 (<meta charset=iso-8859-1>)' "$T/out"; ok $? "-v: <meta charset> named as the reason"
grep -q 'raynaud.html: read as windows-1252 (<meta http-equiv Content-Type charset=windows-1252>)' "$T/out"; ok $? "-v: http-equiv named"
grep -q 'meniere.html: read as windows-1252 (XML declaration encoding="ISO-8859-1")' "$T/out"; ok $? "-v: XML declaration named"
grep -q 'gastritis-nodecl.html: read as GB18030 (detected GB18030' "$T/out"; ok $? "-v: HTML without a declaration: detected"
grep -q 'rhinitis-big5.txt: read as Big5-HKSCS (detected Big5' "$T/out"; ok $? "-v: Big5 text detected"
! grep -q 'mislabelled.html: read as' "$T/out"; ok $? "a Latin-1 label over UTF-8 bytes is read as UTF-8"
grep -q 'damaged-utf8.txt:[0-9]*: invalid UTF-8: 1 bad sequence replaced' "$T/out"; ok $? "damaged UTF-8 is repaired and reported, not converted"
! grep -q 'U+FFFD' <(grep -v damaged-utf8 "$T/out"); ok $? "no other file needed U+FFFD"

S=$T/s.sock
user=(); [ "$(id -u)" = 0 ] && user=(--user nobody)
chmod -R a+rX "$T/db"
start_searchd "$T/db" "$S" "${user[@]}"
ok $? "searchd starts" || { done_testing; exit; }
urlenc() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
# finds QUERY ID [TITLE]: the search for QUERY has ID among its hits (and its title is TITLE)
finds() {
    local b
    b=$(get "$S" "/search?q=$(urlenc "$1")&limit=20")
    printf '%s' "$b" | python3 -c '
import json, sys
d = json.load(sys.stdin); want, title = sys.argv[1], sys.argv[2]
hit = [h for h in d["hits"] if h["id"].endswith(want) or want.endswith("-") and want in h["id"]]
sys.exit(0 if hit and (not title or hit[0]["title"] == title) else 1)' "$2" "${3:-}"
    ok $? "'$1' finds $2${3:+ titled '$3'}"
}
finds sjogren sjogren.html "Sjögren syndrome"
finds "sjögren" sjogren.html
finds raynaud raynaud.html "Raynaud’s phenomenon"
finds "meniere vertigo" meniere.html "Ménière disease"
finds 口腔溃疡 ulcer-gbk.html "口腔溃疡"
finds 乾眼症 dryeye-big5.html "乾眼症"
finds 幽门螺杆菌 gastritis-nodecl.html "慢性胃炎"
finds xerostomia mislabelled.html "Sjögren mislabelled"
finds 食盐 hypertension-gbk.txt
finds 赤脚 diabetes-gb18030.txt
finds 打噴嚏 rhinitis-big5.txt
finds "guillain barre" gbs-latin1.txt
finds "cafe au lait" cafe-cp1252.txt
finds 甲状腺结节 jsonl-gbk-1 "甲状腺结节"
finds 胆结石 jsonl-gbk-2
finds 骨质疏松症 stream-last "最后一条"
finds 颈椎病 stream-
finds hypnic damaged-utf8.txt
done_testing
