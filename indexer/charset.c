/* SPDX-License-Identifier: GPL-2.0-or-later */
/* charset: choosing an input file's encoding (BOM, HTML declarations,
 * UTF-8 validity, ICU's detector) and converting it to UTF-8 (ucnv). */
#include "charset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/ustring.h>

#include "utf8.h"

#define PRESCAN_BYTES 4096           /* where HTML declarations are looked for */
#define DETECT_BYTES ((size_t)256 << 10) /* what the detector reads */
#define DETECT_MIN_CONFIDENCE 10     /* 0-100; the bytes are known not to be UTF-8 */

/* Labels as the Encoding Standard groups them; the first name is ICU's. */
static const struct {
    const char *icu; /* "" = UTF-8 */
    const char *labels;
} families[] = {
    { "", " utf-8 utf8 unicode-1-1-utf-8 unicode11utf8 unicode20utf8 x-unicode20utf8"
          /* a page that says UTF-16 in ASCII bytes is not UTF-16 */
          " utf-16 utf-16le utf-16be ucs-2 " },
    { "windows-1252", " iso-8859-1 iso8859-1 iso_8859-1 iso88591 iso_8859-1:1987 latin1 l1 us-ascii ascii"
                      " ansi_x3.4-1968 windows-1252 cp1252 x-cp1252 cp819 ibm819 iso-ir-100 csisolatin1 " },
    { "GB18030", " gb18030 gbk gb2312 x-gbk cp936 ms936 windows-936 csgb2312 chinese iso-ir-58"
                 " csiso58gb231280 gb_2312 gb_2312-80 euc-cn " },
    { "Big5-HKSCS", " big5 big5-hkscs cn-big5 csbig5 x-x-big5 " },
    { "windows-31j", " shift_jis shift-jis sjis ms_kanji csshiftjis windows-31j x-sjis ms932 " },
    { "windows-949", " euc-kr ks_c_5601-1987 ks_c_5601-1989 ksc5601 ksc_5601 windows-949 cseuckr korean"
                     " iso-ir-149 csksc56011987 " },
    { "EUC-JP", " euc-jp x-euc-jp cseucpkdfmtjapanese " },
};

const char *charset_from_label(const char *label, size_t len)
{
    char key[80], name[64];
    size_t i;

    while (len && (*label == ' ' || *label == '\t' || *label == '\n')) {
        label++;
        len--;
    }
    while (len && (label[len - 1] == ' ' || label[len - 1] == '\t' || label[len - 1] == '\n'))
        len--;
    if (len == 0 || len > sizeof(name) - 1)
        return NULL;
    for (i = 0; i < len; i++) {
        char ch = label[i];
        name[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
        if (ch == ' ' || (unsigned char)ch < 0x20)
            return NULL;
    }
    name[len] = 0;
    snprintf(key, sizeof key, " %s ", name);
    for (i = 0; i < sizeof families / sizeof families[0]; i++)
        if (strstr(families[i].labels, key))
            return families[i].icu;
    /* Any other label ICU knows (iso-8859-2, koi8-r, windows-1251, ...). */
    UErrorCode err = U_ZERO_ERROR;
    const char *canon = ucnv_getAlias(name, 0, &err);
    if (U_FAILURE(err) || !canon)
        return NULL;
    if (strcasecmp(canon, "UTF-8") == 0 || strncasecmp(canon, "UTF-16", 6) == 0 || strncasecmp(canon, "UTF-32", 6) == 0)
        return "";
    return canon;
}

/* ---- HTML declarations ---- */

static const char *find_ci(const char *s, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    for (; s + n <= end; s++)
        if (strncasecmp(s, needle, n) == 0)
            return s;
    return NULL;
}

/* The value after `charset` (or `encoding`) = in tag[0..end): quoted or
 * not, up to a quote, space, ';' or '>'. */
static int attr_value(const char *p, const char *end, const char *attr, const char **val, size_t *vlen)
{
    const char *a = p;
    size_t an = strlen(attr);
    while ((a = find_ci(a, end, attr))) {
        const char *q = a + an;
        while (q < end && (*q == ' ' || *q == '\t' || *q == '\n'))
            q++;
        if (q < end && *q == '=') {
            q++;
            while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '"' || *q == '\''))
                q++;
            const char *v = q;
            while (q < end && !strchr("\"' \t\n;>/", *q))
                q++;
            if (q > v) {
                *val = v;
                *vlen = (size_t)(q - v);
                return 1;
            }
        }
        a += an;
    }
    return 0;
}

/* 1: a declaration was found (*icu set, possibly NULL for an unknown
 * label), how describes it. */
static int html_declared(const char *d, size_t len, const char **icu, char *how, size_t howcap)
{
    const char *end = d + (len < PRESCAN_BYTES ? len : PRESCAN_BYTES), *p = d, *v;
    size_t vl;

    if (len > 5 && strncmp(d, "<?xml", 5) == 0) {
        const char *e = memchr(d, '>', (size_t)(end - d));
        if (e && attr_value(d, e, "encoding", &v, &vl)) {
            *icu = charset_from_label(v, vl);
            snprintf(how, howcap, "XML declaration encoding=\"%.*s\"", (int)(vl > 40 ? 40 : vl), v);
            return 1;
        }
    }
    while ((p = find_ci(p, end, "<meta"))) {
        const char *e = memchr(p, '>', (size_t)(end - p));
        if (!e)
            break;
        if (attr_value(p + 5, e, "charset", &v, &vl)) {
            int equiv = find_ci(p, e, "http-equiv") != NULL;
            *icu = charset_from_label(v, vl);
            snprintf(how, howcap, equiv ? "<meta http-equiv Content-Type charset=%.*s>" : "<meta charset=%.*s>",
                     (int)(vl > 40 ? 40 : vl), v);
            return 1;
        }
        p = e;
    }
    return 0;
}

/* ---- UTF-8 ---- */

/* Counts valid multi-byte sequences, bad bytes and whether there is any
 * non-ASCII byte; a sequence cut by the end of a sniffed prefix is not bad. */
static void utf8_census(const char *d, size_t len, size_t *multi, size_t *bad)
{
    size_t i = 0;
    *multi = *bad = 0;
    while (i < len) {
        unsigned char c = (unsigned char)d[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n = utf8_decode(d + i, len - i, NULL);
        if (n == 0) {
            ++*bad;
            i++;
        } else {
            ++*multi;
            i += n;
        }
    }
}

/* ---- the detector ---- */

static const struct {
    const char *det, *icu;
} detected_ok[] = {
    { "ISO-8859-1", "windows-1252" }, { "windows-1252", "windows-1252" }, { "GB18030", "GB18030" },
    { "Big5", "Big5-HKSCS" },         { "Shift_JIS", "windows-31j" },     { "EUC-KR", "windows-949" },
    { "EUC-JP", "EUC-JP" },           { "ISO-8859-2", "ISO-8859-2" },     { "windows-1250", "windows-1250" },
    { "ISO-8859-5", "ISO-8859-5" },   { "windows-1251", "windows-1251" }, { "KOI8-R", "KOI8-R" },
    { "ISO-8859-7", "ISO-8859-7" },   { "windows-1253", "windows-1253" }, { "ISO-8859-9", "ISO-8859-9" },
    { "windows-1254", "windows-1254" },
};

static int detect(const char *d, size_t len, int is_html, struct charset_choice *out)
{
    UErrorCode err = U_ZERO_ERROR;
    UCharsetDetector *csd = ucsdet_open(&err);
    int found = 0;

    if (U_FAILURE(err))
        return 0;
    ucsdet_enableInputFilter(csd, is_html); /* skip markup */
    ucsdet_setText(csd, d, (int32_t)(len < DETECT_BYTES ? len : DETECT_BYTES), &err);
    int32_t n = 0;
    const UCharsetMatch **m = U_SUCCESS(err) ? ucsdet_detectAll(csd, &n, &err) : NULL;
    for (int32_t i = 0; m && U_SUCCESS(err) && i < n && !found; i++) {
        UErrorCode e2 = U_ZERO_ERROR;
        const char *name = ucsdet_getName(m[i], &e2);
        int32_t conf = ucsdet_getConfidence(m[i], &e2);
        if (U_FAILURE(e2) || !name || conf < DETECT_MIN_CONFIDENCE)
            break; /* matches come best first */
        for (size_t k = 0; k < sizeof detected_ok / sizeof detected_ok[0]; k++)
            if (strcmp(name, detected_ok[k].det) == 0) {
                snprintf(out->name, sizeof out->name, "%s", detected_ok[k].icu);
                snprintf(out->how, sizeof out->how, "detected %s, confidence %d", name, (int)conf);
                found = 1;
                break;
            }
    }
    ucsdet_close(csd);
    return found;
}

int charset_choose(const char *d, size_t len, int is_html, struct charset_choice *out)
{
    const unsigned char *u = (const unsigned char *)d;
    size_t multi, bad;
    const char *icu = NULL;
    char how[96] = "";

    memset(out, 0, sizeof *out);
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        snprintf(out->how, sizeof out->how, "UTF-8 byte order mark");
        out->skip = 3;
        return 0;
    }
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        snprintf(out->name, sizeof out->name, "%s", u[0] == 0xFF ? "UTF-16LE" : "UTF-16BE");
        snprintf(out->how, sizeof out->how, "%s byte order mark", out->name);
        out->skip = 2;
        return 1;
    }
    utf8_census(d, len < DETECT_BYTES ? len : DETECT_BYTES, &multi, &bad);
    if (is_html && html_declared(d, len, &icu, how, sizeof how)) {
        if (icu && *icu) {
            /* windows-1252 declared over valid UTF-8 text: mislabelled. */
            if (bad == 0 && multi > 0 && strcmp(icu, "windows-1252") == 0) {
                snprintf(out->how, sizeof out->how, "%s, but the bytes are UTF-8", how);
                return 0;
            }
            snprintf(out->name, sizeof out->name, "%s", icu);
            snprintf(out->how, sizeof out->how, "%s", how);
            return 1;
        }
        if (icu) { /* declared UTF-8 */
            snprintf(out->how, sizeof out->how, "%s", how);
            return 0;
        }
        /* an unknown label: as if there were none */
    }
    if (bad == 0 || multi > bad)
        return 0; /* UTF-8 (damaged bytes, if any, are repaired) */
    return detect(d, len, is_html, out);
}

/* ---- conversion ---- */

struct sub_count {
    size_t bad;
};

/* Each byte sequence not valid in the encoding becomes U+FFFD, counted. */
static void count_sub_cb(const void *ctx, UConverterToUnicodeArgs *args, const char *units, int32_t n,
                         UConverterCallbackReason reason, UErrorCode *err)
{
    (void)units;
    (void)n;
    if (reason > UCNV_IRREGULAR)
        return; /* reset, close, clone */
    ((struct sub_count *)ctx)->bad++;
    static const UChar fffd = 0xFFFD;
    *err = U_ZERO_ERROR;
    ucnv_cbToUWriteUChars(args, &fffd, 1, 0, err);
}

int charset_to_utf8(const char *name, const char *data, size_t len, char **out, size_t *outlen, size_t *bad,
                    char *errbuf, size_t errcap)
{
    UErrorCode err = U_ZERO_ERROR;
    struct sub_count cnt = { 0 };
    UChar *wide = NULL;
    char *utf = NULL;

    *out = NULL;
    *outlen = 0;
    *bad = 0;
    if (len > (size_t)INT32_MAX / 4) {
        snprintf(errbuf, errcap, "%zu bytes: too large to convert from %s", len, name);
        return -1;
    }
    UConverter *cv = ucnv_open(name, &err);
    if (U_FAILURE(err)) {
        snprintf(errbuf, errcap, "no converter for %s: %s", name, u_errorName(err));
        return -1;
    }
    ucnv_setToUCallBack(cv, count_sub_cb, &cnt, NULL, NULL, &err);
    /* at most one UTF-16 unit per byte, two for a 4-byte GB18030 sequence */
    int32_t wcap = (int32_t)len + 2;
    wide = malloc((size_t)wcap * sizeof *wide);
    int32_t wlen = wide && U_SUCCESS(err) ? ucnv_toUChars(cv, wide, wcap, data, (int32_t)len, &err) : 0;
    ucnv_close(cv);
    if (!wide || U_FAILURE(err)) {
        snprintf(errbuf, errcap, "converting from %s: %s", name, wide ? u_errorName(err) : "out of memory");
        free(wide);
        return -1;
    }
    int32_t ucap = wlen * 3 + 1, ulen = 0;
    utf = malloc((size_t)ucap);
    if (utf)
        u_strToUTF8WithSub(utf, ucap, &ulen, wide, wlen, 0xFFFD, NULL, &err);
    free(wide);
    if (!utf || U_FAILURE(err)) {
        snprintf(errbuf, errcap, "converting from %s: %s", name, utf ? u_errorName(err) : "out of memory");
        free(utf);
        return -1;
    }
    utf[ulen] = 0;
    *out = utf;
    *outlen = (size_t)ulen;
    *bad = cnt.bad;
    return 0;
}
