/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tokenizer: ICU word segmentation + normalization as a cursor over the
 * caller's UTF-8, keeping byte offsets (see tokenizer.h for the contract).
 *
 * Each chunk of the input is converted to UTF-16 once by ICU's UTF-8
 * converter, which also gives the byte offset of every UTF-16 unit, and
 * the break iterator reads the UTF-16: ICU's word breaking runs half again as fast over UTF-16 as over
 * UTF-8 through utext_openUTF8 (30 -> 44 MB/s of MedQuAD text).
 * Word-like segments are grouped into compounds when only one joiner
 * character separates them; each word is normalized on its own
 * (ASCII words by a lowercase loop, others through ICU) and compounds are
 * assembled from their normalized parts.
 *
 * Strings live in an arena of blocks that never move, so token pointers
 * stay valid while the token array grows; both are reused by the next run. */
#include "tokenizer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/ucnv.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include "grow.h"
#include "log.h"
#include "utf8.h"

/* Inputs are cut into chunks of at most this size (at a space when there
 * is one near the end) so ICU's int32 indexes never overflow and the
 * dictionary engines see bounded runs. */
#define CHUNK_DEFAULT ((size_t)16 << 20)
#define CHUNK_MIN 64
#define ARENA_BLOCK ((size_t)64 << 10)
#define ARENA_KEEP 16 /* blocks kept across runs */

struct block {
    struct block *next;
    size_t cap, used;
    char data[];
};

/* A word segment of the current chunk, offsets in the whole input. */
struct seg {
    size_t start, end;
    int32_t status;
    int cjk;
    int dot; /* cut from the previous segment at a '.': joined to it by the '.' */
};

struct ubuf {
    UChar *p;
    int32_t cap;
};

struct tokenizer {
    UBreakIterator *bi;
    UConverter *utf8;   /* UTF-8 -> UTF-16 with offsets (text_units) */
    const UNormalizer2 *nfkc_cf, *nfd, *nfc;
    struct ubuf u[4];
    struct ubuf text;   /* the chunk in UTF-16, for the break iterator */
    int32_t *at;        /* at[i]: byte offset in the chunk of text's unit i */
    size_t atcap;

    struct tok_token *tok;
    size_t ntok, tokcap;
    struct seg *group;
    size_t ngroup, groupcap;
    struct block *blocks, *cur;

    size_t chunk;
    uint32_t pos, next_pos;
    int icu_only;       /* tests: no plain-ASCII path */
};

/* ---- arena ---------------------------------------------------------- */

static void arena_reset(struct tokenizer *tk)
{
    size_t i = 0;
    struct block *b = tk->blocks, *prev = NULL;
    while (b) {
        struct block *next = b->next;
        if (i >= ARENA_KEEP) {
            prev->next = NULL;
            while (b) {
                next = b->next;
                free(b);
                b = next;
            }
            break;
        }
        b->used = 0;
        prev = b;
        b = next;
        i++;
    }
    tk->cur = tk->blocks;
}

static char *arena_alloc(struct tokenizer *tk, size_t n)
{
    while (tk->cur && tk->cur->cap - tk->cur->used < n) {
        if (!tk->cur->next)
            break;
        tk->cur = tk->cur->next;
    }
    if (!tk->cur || tk->cur->cap - tk->cur->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        struct block *b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->cap = cap;
        b->used = 0;
        if (tk->cur) { /* insert after cur: later blocks stay usable */
            b->next = tk->cur->next;
            tk->cur->next = b;
        } else {
            b->next = NULL;
            tk->blocks = b;
        }
        tk->cur = b;
    }
    char *p = tk->cur->data + tk->cur->used;
    tk->cur->used += n;
    return p;
}

/* Give back the unused tail of the last allocation (n bytes of it). */
static void arena_trim(struct tokenizer *tk, size_t n)
{
    tk->cur->used -= n;
}

/* ---- UTF-16 scratch buffers ------------------------------------------ */

static int ubuf_reserve(struct ubuf *b, int32_t n)
{
    if (n <= b->cap)
        return 0;
    int32_t cap = b->cap ? b->cap : 256;
    while (cap < n)
        cap = cap > INT32_MAX / 2 ? INT32_MAX : cap * 2;
    UChar *p = realloc(b->p, (size_t)cap * sizeof *p);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

/* UTF-8 -> u[i]; invalid sequences become U+FFFD. Length or -1. */
static int32_t to_utf16(struct tokenizer *tk, int i, const char *s, size_t len)
{
    if (len > (size_t)INT32_MAX / 2)
        return -1;
    for (;;) {
        UErrorCode err = U_ZERO_ERROR;
        int32_t n = 0;
        u_strFromUTF8WithSub(tk->u[i].p, tk->u[i].cap, &n, s, (int32_t)len, 0xFFFD, NULL, &err);
        if (err == U_BUFFER_OVERFLOW_ERROR || (U_SUCCESS(err) && n >= tk->u[i].cap)) {
            if (ubuf_reserve(&tk->u[i], n + 1) < 0)
                return -1;
            continue;
        }
        if (U_FAILURE(err)) {
            log_warn("tokenizer: u_strFromUTF8WithSub: %s", u_errorName(err));
            return -1;
        }
        return n;
    }
}

/* The chunk s[0..len) into tk->text, and tk->at[i] the byte offset of
 * its unit i (at[n] = len), by ICU's converter (an ill-formed sequence
 * becomes U+FFFD). The number of units, or -1. */
static int32_t text_units(struct tokenizer *tk, const char *s, size_t len)
{
    /* a byte gives at most one UTF-16 unit */
    if (len >= (size_t)INT32_MAX / 2 || ubuf_reserve(&tk->text, (int32_t)len + 1) < 0 ||
        GROW(tk->at, tk->atcap, len + 1, 256) != 0)
        return -1;
    UErrorCode err = U_ZERO_ERROR;
    UChar *u = tk->text.p;
    const char *src = s;
    ucnv_resetToUnicode(tk->utf8);
    ucnv_toUnicode(tk->utf8, &u, tk->text.p + len + 1, &src, s + len, tk->at, 1, &err);
    if (U_FAILURE(err) || src != s + len)
        return -1;
    int32_t n = (int32_t)(u - tk->text.p);
    tk->at[n] = (int32_t)len;
    return n;
}

/* Normalize u[from] (len n) into u[to]. Length or -1. */
static int32_t normalize(struct tokenizer *tk, const UNormalizer2 *norm, int from, int32_t n, int to)
{
    for (;;) {
        UErrorCode err = U_ZERO_ERROR;
        int32_t m = unorm2_normalize(norm, tk->u[from].p, n, tk->u[to].p, tk->u[to].cap, &err);
        if (err == U_BUFFER_OVERFLOW_ERROR || (U_SUCCESS(err) && m >= tk->u[to].cap)) {
            if (ubuf_reserve(&tk->u[to], m + 1) < 0)
                return -1;
            continue;
        }
        if (U_FAILURE(err)) {
            log_warn("tokenizer: unorm2_normalize: %s", u_errorName(err));
            return -1;
        }
        return m;
    }
}

/* ---- normalization --------------------------------------------------- */

/* Combining marks removed by diacritic folding: the generic diacritic
 * blocks only, so that marks that are part of a letter in other scripts
 * (Japanese dakuten U+3099, Thai and Indic vowel signs) survive. */
static int is_diacritic(UChar c)
{
    return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
           (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
           (c >= 0xFE20 && c <= 0xFE2F);
}

static int is_apostrophe(UChar c)
{
    return c == 0x2019 || c == 0x2018 || c == 0x02BC;
}

/* Result of normalizing one string: UTF-16 in tk->u[form_buf] and
 * tk->u[text_buf] (the same buffer when nothing was folded). */
struct folded {
    int form_buf, text_buf;
    int32_t form_len, text_len;
};

/* NFKC + case fold into u[1] (form), then diacritic fold into u[3]
 * (text). Apostrophes become U+0027; with strip_s (a word, not a filter
 * value), a trailing "'s" and any space NFKC made go.
 * Returns 0, or -1 on failure. */
static int fold_utf16(struct tokenizer *tk, const char *s, size_t len, int strip_s, struct folded *out)
{
    int32_t n0 = to_utf16(tk, 0, s, len);
    if (n0 < 0)
        return -1;
    int32_t n1 = normalize(tk, tk->nfkc_cf, 0, n0, 1);
    if (n1 < 0)
        return -1;
    UChar *f = tk->u[1].p;
    int need_nfd = 0;
    int32_t k = 0;
    for (int32_t i = 0; i < n1; i++) {
        /* A word never holds a space, but NFKC can put one in one:
         * U+037A -> " \u0345", U+FDFA -> a four-word phrase. */
        if (strip_s && f[i] == ' ')
            continue;
        if (is_apostrophe(f[i]))
            f[i] = '\'';
        else if (f[i] >= 0xC0 && f[i] < 0x3000)
            need_nfd = 1;
        f[k++] = f[i];
    }
    n1 = k;
    if (strip_s && n1 > 2 && f[n1 - 2] == '\'' && f[n1 - 1] == 's')
        n1 -= 2;
    out->form_buf = out->text_buf = 1;
    out->form_len = out->text_len = n1;
    if (!need_nfd)
        return 0;
    int32_t n2 = normalize(tk, tk->nfd, 1, n1, 2);
    if (n2 < 0)
        return -1;
    UChar *d = tk->u[2].p;
    int32_t w = 0;
    for (int32_t i = 0; i < n2; i++)
        if (!is_diacritic(d[i]))
            d[w++] = d[i];
    if (w == n2)
        return 0;
    int32_t n3 = normalize(tk, tk->nfc, 2, w, 3);
    if (n3 < 0)
        return -1;
    out->text_buf = 3;
    out->text_len = n3;
    return 0;
}

/* u[i] (n units) -> UTF-8 in the arena, NUL-terminated. */
static const char *arena_utf8(struct tokenizer *tk, int i, int32_t n, size_t *len /* OUT */)
{
    *len = 0;
    size_t cap = (size_t)n * 3 + 1;
    char *p = arena_alloc(tk, cap);
    if (!p)
        return NULL;
    UErrorCode err = U_ZERO_ERROR;
    int32_t m = 0;
    u_strToUTF8(p, (int32_t)cap, &m, tk->u[i].p, n, &err);
    if (U_FAILURE(err) || (size_t)m >= cap) {
        log_warn("tokenizer: u_strToUTF8: %s", u_errorName(err));
        return NULL;
    }
    p[m] = '\0';
    arena_trim(tk, cap - (size_t)m - 1);
    *len = (size_t)m;
    return p;
}

static int is_ascii(const char *s, size_t n)
{
    unsigned char acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= (unsigned char)s[i];
    return acc < 0x80;
}

/* Normalize the word s[0..n) into the arena: *tok gets text, form, their
 * lengths and TOK_FOLDED. Returns 0, 1 if the word normalizes to nothing,
 * -1 on failure. */
static int norm_word(struct tokenizer *tk, const char *s, size_t n, struct tok_token *tok)
{
    if (is_ascii(s, n)) {
        char *p = arena_alloc(tk, n + 1);
        if (!p)
            return -1;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            p[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        size_t m = n;
        if (m > 2 && p[m - 2] == '\'' && p[m - 1] == 's')
            m -= 2;
        p[m] = '\0';
        arena_trim(tk, n - m);
        tok->text = tok->form = p;
        tok->len = tok->form_len = m;
        return m ? 0 : 1;
    }
    struct folded f;
    if (fold_utf16(tk, s, n, 1, &f) < 0)
        return -1;
    if (f.form_len == 0)
        return 1;
    tok->form = arena_utf8(tk, f.form_buf, f.form_len, &tok->form_len);
    if (!tok->form)
        return -1;
    if (f.text_buf == f.form_buf) {
        tok->text = tok->form;
        tok->len = tok->form_len;
        return 0;
    }
    tok->text = arena_utf8(tk, f.text_buf, f.text_len, &tok->len);
    if (!tok->text)
        return -1;
    if (tok->len == 0)
        return 1;
    if (tok->len != tok->form_len || memcmp(tok->text, tok->form, tok->len) != 0)
        tok->flags |= TOK_FOLDED;
    return 0;
}

/* ---- scripts --------------------------------------------------------- */

static UChar32 first_cp(const char *s, size_t len)
{
    if (len == 0)
        return -1;
    int32_t i = 0;
    UChar32 c;
    int32_t n = len > 8 ? 8 : (int32_t)len;
    U8_NEXT(s, i, n, c);
    return c;
}

int tokenizer_is_cjk(const char *s, size_t len)
{
    UChar32 c = first_cp(s, len);
    if (c < 0x2E80) /* also rejects invalid (negative) */
        return 0;
    UErrorCode err = U_ZERO_ERROR;
    UScriptCode sc = uscript_getScript(c, &err);
    if (U_FAILURE(err))
        return 0;
    return sc == USCRIPT_HAN || sc == USCRIPT_HIRAGANA || sc == USCRIPT_KATAKANA ||
           sc == USCRIPT_HANGUL || sc == USCRIPT_BOPOMOFO || c == 0x30FC ||
           u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC);
}

/* Scripts written without spaces that ICU segments by dictionary: their
 * words are flagged TOK_CJK too (never stemmed). */
static int is_nospace_script(const char *s, size_t len)
{
    UChar32 c = first_cp(s, len);
    if (c < 0x0E00)
        return 0;
    if (tokenizer_is_cjk(s, len))
        return 1;
    UErrorCode err = U_ZERO_ERROR;
    UScriptCode sc = uscript_getScript(c, &err);
    return U_SUCCESS(err) && (sc == USCRIPT_THAI || sc == USCRIPT_LAO || sc == USCRIPT_KHMER ||
                              sc == USCRIPT_MYANMAR);
}

/* An ASCII letter. */
static int is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

/* ICU gives "B12" the number status (its last rule); TOK_NUMERIC wants
 * digits and separators only. */
static int has_letter(const char *s, size_t len)
{
    int32_t n = len > INT32_MAX ? INT32_MAX : (int32_t)len;
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U8_NEXT(s, i, n, c);
        if (c >= 0 && (c < 0x80 ? is_alpha((unsigned char)c) : u_isalpha(c)))
            return 1;
    }
    return 0;
}

/* ICU counts '@' as a letter (for e-mail addresses): a word needs at
 * least one real letter or digit. */
static int has_alnum(const char *s, size_t len)
{
    int32_t n = len > INT32_MAX ? INT32_MAX : (int32_t)len;
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U8_NEXT(s, i, n, c);
        if (c < 0)
            continue;
        if (c < 0x80 ? ((c >= '0' && c <= '9') || is_alpha((unsigned char)c)) : u_isalnum(c))
            return 1;
    }
    return 0;
}

/* ---- tokens ---------------------------------------------------------- */

static struct tok_token *push_token(struct tokenizer *tk)
{
    if (GROW(tk->tok, tk->tokcap, tk->ntok + 1, 256) != 0)
        return NULL;
    struct tok_token *t = &tk->tok[tk->ntok++];
    memset(t, 0, sizeof *t);
    return t;
}

/* Emit one word as a token at the next position. Returns its index,
 * -1 if the word was skipped (too long, empty), -2 on failure. */
static long emit_word(struct tokenizer *tk, const char *in, const struct seg *sg, unsigned flags)
{
    size_t n = sg->end - sg->start;
    if (n > TOKENIZER_MAX_WORD)
        return -1;
    struct tok_token *t = push_token(tk);
    if (!t)
        return -2;
    t->flags = flags;
    int r = norm_word(tk, in + sg->start, n, t);
    if (r != 0) {
        tk->ntok--;
        return r < 0 ? -2 : -1;
    }
    if (sg->status >= UBRK_WORD_NUMBER && sg->status < UBRK_WORD_NUMBER_LIMIT && !has_letter(t->text, t->len))
        t->flags |= TOK_NUMERIC;
    if (sg->cjk)
        t->flags |= TOK_CJK;
    t->start = sg->start;
    t->end = sg->end;
    t->pos = tk->pos++;
    return (long)(tk->ntok - 1);
}

/* Length of the joiner between two segments ('-', '/', U+2010, U+2011 and
 * their fullwidth forms), 0 if the gap is not exactly one joiner. */
static size_t joiner_len(const char *in, size_t a, size_t b)
{
    const unsigned char *p = (const unsigned char *)in + a;
    if (b - a == 1)
        return p[0] == '-' || p[0] == '/';
    if (b - a == 3) {
        if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x90 || p[2] == 0x91))
            return 3;
        if (p[0] == 0xEF && p[1] == 0xBC && (p[2] == 0x8D || p[2] == 0x8F))
            return 3;
    }
    return 0;
}

static char joiner_char(const char *in, size_t a)
{
    unsigned char c = (unsigned char)in[a];
    if (c == '.')
        return '.';
    if (c == '/' || (c == 0xEF && (unsigned char)in[a + 2] == 0x8F))
        return '/';
    return '-';
}

/* Concatenate the normalized parts tok[first..first+k) with their joiners
 * (and a final '+') into the arena. */
static const char *join_parts(struct tokenizer *tk, const char *in, size_t first, size_t k, int plus,
                              int use_form, size_t *len /* OUT */)
{
    *len = 0;
    size_t total = (size_t)plus;
    for (size_t i = 0; i < k; i++)
        total += (use_form ? tk->tok[first + i].form_len : tk->tok[first + i].len) + 1;
    char *p = arena_alloc(tk, total + 1);
    if (!p)
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < k; i++) {
        const struct tok_token *t = &tk->tok[first + i];
        if (i > 0)
            p[w++] = joiner_char(in, tk->tok[first + i - 1].end);
        memcpy(p + w, use_form ? t->form : t->text, use_form ? t->form_len : t->len);
        w += use_form ? t->form_len : t->len;
    }
    if (plus)
        p[w++] = '+';
    p[w] = '\0';
    arena_trim(tk, total + 1 - w - 1);
    *len = w;
    return p;
}

/* Emit the pending group: one word, or a compound and its parts.
 * next_start is where the following word starts (SIZE_MAX if none). */
static int flush_group(struct tokenizer *tk, const char *in, size_t limit, size_t next_start)
{
    size_t k = tk->ngroup;
    if (k == 0)
        return 0;
    tk->ngroup = 0;
    const struct seg *g = tk->group;
    size_t end = g[k - 1].end;
    int plus = !g[0].cjk && end < limit && in[end] == '+' && next_start != end + 1 &&
               (end + 1 == limit || in[end + 1] != '+');
    int compound = (k >= 2 || plus) && end + (size_t)plus - g[0].start <= TOKENIZER_MAX_WORD;
    if (!compound) {
        for (size_t i = 0; i < k; i++)
            if (emit_word(tk, in, &g[i], 0) == -2)
                return -1;
        return 0;
    }
    size_t slot = tk->ntok;
    if (!push_token(tk))
        return -1;
    uint32_t pos0 = tk->pos;
    int ok = 1, numeric = !plus;
    unsigned folded = 0;
    for (size_t i = 0; i < k; i++) {
        long r = emit_word(tk, in, &g[i], TOK_PART);
        if (r == -2)
            return -1;
        if (r == -1) {
            ok = 0;
            continue;
        }
        folded |= tk->tok[r].flags & TOK_FOLDED;
        if (!(tk->tok[r].flags & TOK_NUMERIC))
            numeric = 0;
    }
    if (!ok) { /* a part vanished: no compound, the rest are plain words */
        memmove(&tk->tok[slot], &tk->tok[slot + 1], (tk->ntok - slot - 1) * sizeof *tk->tok);
        tk->ntok--;
        for (size_t i = slot; i < tk->ntok; i++)
            tk->tok[i].flags &= ~(unsigned)TOK_PART;
        return 0;
    }
    struct tok_token *c = &tk->tok[slot];
    memset(c, 0, sizeof *c);
    c->text = join_parts(tk, in, slot + 1, k, plus, 0, &c->len);
    if (!c->text)
        return -1;
    if (folded) {
        c->form = join_parts(tk, in, slot + 1, k, plus, 1, &c->form_len);
        if (!c->form)
            return -1;
    } else {
        c->form = c->text;
        c->form_len = c->len;
    }
    c->start = g[0].start;
    c->end = end + (size_t)plus;
    c->pos = pos0;
    c->flags = TOK_COMPOUND | folded | (numeric ? TOK_NUMERIC : 0);
    return 0;
}

static int add_segment(struct tokenizer *tk, const char *in, size_t limit, const struct seg *sg)
{
    if (tk->ngroup > 0) {
        const struct seg *last = &tk->group[tk->ngroup - 1];
        int join = !sg->cjk && !last->cjk &&
                   (sg->dot ? last->end + 1 == sg->start : joiner_len(in, last->end, sg->start) > 0);
        if (!join && flush_group(tk, in, limit, sg->start) < 0)
            return -1;
    }
    if (GROW(tk->group, tk->groupcap, tk->ngroup + 1, 16) != 0)
        return -1;
    tk->group[tk->ngroup++] = *sg;
    return 0;
}

/* ICU keeps letters joined by a '.' as one word ("H.pylori", "E.coli",
 * and "cancer.Here" where a scraped abstract lost the space after a
 * full stop). Cut the segment at each such '.': a lower-case word of two
 * or more letters followed by a capital is a sentence break (two separate
 * words); otherwise the pieces form a compound joined by '.' ("h.pylori"
 * and its parts "h" and "pylori", so "H. pylori" in a text matches). */
static int add_dotted(struct tokenizer *tk, const char *in, size_t limit, const struct seg *sg)
{
    struct seg cur = *sg;
    if (!sg->cjk)
        for (size_t i = sg->start + 1; i + 1 < sg->end; i++) {
            if (in[i] != '.' || !is_alpha((unsigned char)in[i - 1]) || !is_alpha((unsigned char)in[i + 1]))
                continue;
            size_t lower = 0; /* lower-case letters right before the '.' */
            while (i - lower > cur.start && in[i - lower - 1] >= 'a' && in[i - lower - 1] <= 'z')
                lower++;
            int sentence = lower >= 2 && i - lower == cur.start && in[i + 1] >= 'A' && in[i + 1] <= 'Z';
            struct seg head = cur;
            head.end = i;
            if (add_segment(tk, in, limit, &head) < 0)
                return -1;
            cur.start = i + 1;
            cur.dot = !sentence;
        }
    return add_segment(tk, in, limit, &cur);
}

/* ---- plain ASCII without ICU ---------------------------------------------- */

/* Byte classes of the plain-ASCII path: a letter or digit, white space,
 * punctuation that ICU's word rules (UAX #29) never keep inside a word
 * (each one a segment of its own, skipped), and punctuation that may
 * join its neighbours: ',' ';' between digits, '.' and '\'' between
 * letters or digits, ':' between letters. Anything else ('_', '@', NUL,
 * control characters, non-ASCII) leaves the text to ICU. */
enum { P_NO, P_ALNUM, P_SPACE, P_SEP, P_MID };
static unsigned char plain_class[256];
static pthread_once_t plain_once = PTHREAD_ONCE_INIT;

static void plain_init(void)
{
    for (int c = '0'; c <= '9'; c++)
        plain_class[c] = P_ALNUM;
    for (int c = 'a'; c <= 'z'; c++)
        plain_class[c] = plain_class[c - 32] = P_ALNUM;
    for (const char *w = " \t\n\r\f\v"; *w; w++)
        plain_class[(unsigned char)*w] = P_SPACE;
    for (const char *p = "!\"#$%&()*+-/<=>?[\\]^`{|}~"; *p; p++)
        plain_class[(unsigned char)*p] = P_SEP;
    for (const char *p = ",;.:'"; *p; p++)
        plain_class[(unsigned char)*p] = P_MID;
}

/* Segment in[off..off+len) as ICU would when it is plain ASCII: the words
 * are the runs of letters and digits (UAX #29 joins letters and digits,
 * and breaks at white space and at the P_SEP punctuation), given to
 * add_segment as ICU's would be ('-', '/' and '+' are then handled as for
 * ICU's segments). Returns 1 when done, 0 when the text needs ICU (a
 * byte of another class, or a P_MID byte between two letters or digits,
 * where the rules may join), -1 on failure. Saves ICU's set-up per call
 * (a snippet tokenizes many short spans) and its per-character walk. */
static int run_plain(struct tokenizer *tk, const char *in, size_t off, size_t len)
{
    pthread_once(&plain_once, plain_init);
    size_t limit = off + len;
    for (size_t i = off; i < limit; i++) {
        unsigned k = plain_class[(unsigned char)in[i]];
        if (k == P_NO)
            return 0;
        if (k == P_MID && i > off && i + 1 < limit && plain_class[(unsigned char)in[i - 1]] == P_ALNUM &&
            plain_class[(unsigned char)in[i + 1]] == P_ALNUM)
            return 0;
    }
    tk->ngroup = 0;
    for (size_t i = off; i < limit;) {
        if (plain_class[(unsigned char)in[i]] != P_ALNUM) {
            i++;
            continue;
        }
        size_t a = i;
        int digits = 1;
        for (; i < limit && plain_class[(unsigned char)in[i]] == P_ALNUM; i++)
            digits &= in[i] >= '0' && in[i] <= '9';
        struct seg sg = { a, i, digits ? UBRK_WORD_NUMBER : UBRK_WORD_LETTER, 0, 0 };
        if (add_segment(tk, in, limit, &sg) < 0)
            return -1;
    }
    return flush_group(tk, in, limit, SIZE_MAX) < 0 ? -1 : 1;
}

/* Tokenize in[off..off+len): plain ASCII directly, else one ICU pass. */
static int run_chunk(struct tokenizer *tk, const char *in, size_t off, size_t len)
{
    if (!tk->icu_only) {
        int r = run_plain(tk, in, off, len);
        if (r != 0)
            return r < 0 ? -1 : 0;
    }
    int32_t units = text_units(tk, in + off, len);
    if (units < 0) {
        log_warn("tokenizer: cannot convert a chunk of %zu bytes to UTF-16", len);
        return -1;
    }
    UErrorCode err = U_ZERO_ERROR;
    ubrk_setText(tk->bi, tk->text.p, units, &err);
    if (U_FAILURE(err)) {
        log_warn("tokenizer: ubrk_setText: %s", u_errorName(err));
        return -1;
    }
    size_t limit = off + len;
    tk->ngroup = 0;
    int32_t prev = ubrk_first(tk->bi);
    for (int32_t cur = ubrk_next(tk->bi); cur != UBRK_DONE; prev = cur, cur = ubrk_next(tk->bi)) {
        int32_t st = ubrk_getRuleStatus(tk->bi);
        if (st < UBRK_WORD_NONE_LIMIT || cur <= prev || cur > units)
            continue;
        struct seg sg = { off + (size_t)tk->at[prev], off + (size_t)tk->at[cur], st, 0, 0 };
        if (!has_alnum(in + sg.start, sg.end - sg.start))
            continue;
        sg.cjk = (st >= UBRK_WORD_KANA && st < UBRK_WORD_IDEO_LIMIT) ||
                 ((unsigned char)in[sg.start] >= 0xE0 && is_nospace_script(in + sg.start, sg.end - sg.start));
        if (add_dotted(tk, in, limit, &sg) < 0)
            return -1;
    }
    return flush_group(tk, in, limit, SIZE_MAX);
}

/* Length of the next chunk of s[0..len): all of it if it fits, else cut
 * after a space, newline or NUL near the limit, else at a character
 * boundary. */
static size_t chunk_len(const char *s, size_t len, size_t chunk)
{
    if (len <= chunk)
        return len;
    size_t lo = chunk - chunk / 8;
    for (size_t i = chunk; i > lo; i--) {
        char c = s[i - 1];
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\0')
            return i;
    }
    size_t i = utf8_floor(s, chunk, lo + 1);
    return utf8_is_cont((unsigned char)s[i]) ? chunk : i;
}

/* ---- public ---------------------------------------------------------- */

struct tokenizer *tokenizer_new(void)
{
    struct tokenizer *tk = calloc(1, sizeof *tk);
    if (!tk) {
        log_err("tokenizer: out of memory");
        return NULL;
    }
    tk->chunk = CHUNK_DEFAULT;
    UErrorCode err = U_ZERO_ERROR;
    tk->nfkc_cf = unorm2_getNFKCCasefoldInstance(&err);
    if (U_SUCCESS(err))
        tk->nfd = unorm2_getNFDInstance(&err);
    if (U_SUCCESS(err))
        tk->nfc = unorm2_getNFCInstance(&err);
    if (U_FAILURE(err)) {
        log_err("tokenizer: ICU normalizer: %s", u_errorName(err));
        free(tk);
        return NULL;
    }
    tk->bi = ubrk_open(UBRK_WORD, "", NULL, 0, &err);
    if (U_FAILURE(err)) {
        log_err("tokenizer: ubrk_open(UBRK_WORD): %s", u_errorName(err));
        free(tk);
        return NULL;
    }
    tk->utf8 = ucnv_open("UTF-8", &err);
    if (U_FAILURE(err)) {
        log_err("tokenizer: ucnv_open(UTF-8): %s", u_errorName(err));
        ubrk_close(tk->bi);
        free(tk);
        return NULL;
    }
    return tk;
}

void tokenizer_free(struct tokenizer *tk)
{
    if (!tk)
        return;
    ubrk_close(tk->bi);
    ucnv_close(tk->utf8);
    for (int i = 0; i < 4; i++)
        free(tk->u[i].p);
    free(tk->text.p);
    free(tk->at);
    free(tk->tok);
    free(tk->group);
    struct block *b = tk->blocks;
    while (b) {
        struct block *next = b->next;
        free(b);
        b = next;
    }
    free(tk);
}

void tokenizer_set_icu_only(struct tokenizer *tk, int on) { tk->icu_only = on; }

void tokenizer_set_chunk_size(struct tokenizer *tk, size_t bytes)
{
    tk->chunk = bytes < CHUNK_MIN ? CHUNK_MIN : bytes;
}

int tokenizer_run(struct tokenizer *tk, const char *text, size_t len, uint32_t pos_base,
                  const struct tok_token **tokens, size_t *n)
{
    *tokens = NULL;
    *n = 0;
    tk->ntok = 0;
    tk->ngroup = 0;
    tk->pos = tk->next_pos = pos_base;
    arena_reset(tk);
    if (!text && len)
        return -1;
    for (size_t off = 0; off < len;) {
        size_t clen = chunk_len(text + off, len - off, tk->chunk);
        if (run_chunk(tk, text, off, clen) < 0) {
            tk->ntok = 0;
            tk->pos = pos_base;
            return -1;
        }
        off += clen;
    }
    tk->next_pos = tk->pos;
    *tokens = tk->tok;
    *n = tk->ntok;
    return 0;
}

uint32_t tokenizer_next_pos(const struct tokenizer *tk)
{
    return tk->next_pos;
}

/* Remove the NUL bytes of buf[0..n) (a NUL in the input survives
 * normalization, and would cut the C string short of the length we
 * return); returns the new length. */
static size_t drop_nul(char *buf, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        if (buf[i] != '\0')
            buf[o++] = buf[i];
    buf[o] = '\0';
    return o;
}

size_t tokenizer_fold(struct tokenizer *tk, const char *s, size_t len, char *buf, size_t cap)
{
    if (cap == 0 || (!s && len))
        return (size_t)-1;
    if (is_ascii(s, len)) {
        if (len >= cap)
            return (size_t)-1;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)s[i];
            buf[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        return drop_nul(buf, len);
    }
    struct folded f;
    if (fold_utf16(tk, s, len, 0, &f) < 0)
        return (size_t)-1;
    int32_t icap = cap > INT32_MAX ? INT32_MAX : (int32_t)cap;
    UErrorCode err = U_ZERO_ERROR;
    int32_t m = 0;
    u_strToUTF8(buf, icap, &m, tk->u[f.text_buf].p, f.text_len, &err);
    if (U_FAILURE(err) || (size_t)m >= cap)
        return (size_t)-1;
    return drop_nul(buf, (size_t)m);
}
