/* SPDX-License-Identifier: GPL-2.0-or-later */
/* query.c: a small lexer over the raw bytes (quotes, parentheses, +/-,
 * field:, operators, trailing '*') and a recursive-descent parser; word
 * chunks go through the tokenizer. See query.h for the language. */
#include "query.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tokenizer.h"

enum lex_type { LX_END, LX_LPAREN, LX_RPAREN, LX_PHRASE, LX_AND, LX_OR, LX_NOT, LX_MOD, LX_FIELD, LX_CHUNK };

struct lexeme {
    enum lex_type type;
    const char *s; /* text (chunk, phrase content, field name) */
    size_t len;
    int mod;       /* LX_MOD: '+' or '-' */
};

struct parser {
    struct tokenizer *tk;
    const char *text;
    size_t len, at;
    struct lexeme cur;
    int have;
    size_t max_terms, max_depth, depth;
    size_t n_terms;
    uint32_t pos, group;
    int nomem;
    int truncate, truncated;
};

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static int is_syntax(unsigned char c) { return c == '"' || c == '(' || c == ')'; }

static int field_of(const char *s, size_t len, enum qfield *f)
{
    static const struct { const char *name; enum qfield f; } names[] = {
        { "title", QF_TITLE }, { "category", QF_CATEGORY }, { "cat", QF_CATEGORY }, { "lang", QF_LANG },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == len && strncmp(names[i].name, s, len) == 0) {
            *f = names[i].f;
            return 1;
        }
    return 0;
}

static struct lexeme lex_next(struct parser *p)
{
    struct lexeme lx = { LX_END, NULL, 0, 0 };
    const char *t = p->text;
    while (p->at < p->len && is_space((unsigned char)t[p->at]))
        p->at++;
    if (p->at >= p->len)
        return lx;
    size_t i = p->at;
    unsigned char c = (unsigned char)t[i];
    if (c == '(') { p->at++; lx.type = LX_LPAREN; return lx; }
    if (c == ')') { p->at++; lx.type = LX_RPAREN; return lx; }
    if (c == '"') {
        size_t j = i + 1;
        while (j < p->len && t[j] != '"')
            j++;
        lx.type = LX_PHRASE;
        lx.s = t + i + 1;
        lx.len = j - i - 1;
        p->at = j < p->len ? j + 1 : j; /* unbalanced: closes at the end */
        return lx;
    }
    if ((c == '+' || c == '-') && i + 1 < p->len && !is_space((unsigned char)t[i + 1]) &&
        t[i + 1] != '+' && t[i + 1] != '-' && t[i + 1] != ')') {
        p->at++;
        lx.type = LX_MOD;
        lx.mod = c;
        return lx;
    }
    size_t j = i;
    while (j < p->len && !is_space((unsigned char)t[j]) && !is_syntax((unsigned char)t[j]))
        j++;
    /* field:value */
    const char *colon = memchr(t + i, ':', j - i);
    enum qfield f;
    if (colon && colon + 1 < t + p->len && !is_space((unsigned char)colon[1]) && field_of(t + i, (size_t)(colon - (t + i)), &f)) {
        lx.type = LX_FIELD;
        lx.s = t + i;
        lx.len = (size_t)(colon - (t + i));
        p->at = (size_t)(colon + 1 - t);
        return lx;
    }
    lx.s = t + i;
    lx.len = j - i;
    p->at = j;
    if (lx.len == 3 && memcmp(lx.s, "AND", 3) == 0) lx.type = LX_AND;
    else if (lx.len == 2 && memcmp(lx.s, "OR", 2) == 0) lx.type = LX_OR;
    else if (lx.len == 3 && memcmp(lx.s, "NOT", 3) == 0) lx.type = LX_NOT;
    else lx.type = LX_CHUNK;
    return lx;
}

static const struct lexeme *peek(struct parser *p)
{
    if (!p->have) {
        p->cur = lex_next(p);
        p->have = 1;
    }
    return &p->cur;
}

static void consume(struct parser *p) { p->have = 0; }

static struct qnode *node_new(struct parser *p, enum qnode_type type)
{
    struct qnode *n = calloc(1, sizeof *n);
    if (!n)
        p->nomem = 1;
    else
        n->type = type;
    return n;
}

static void node_free(struct qnode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_kids; i++)
        node_free(n->kids[i]);
    free(n->kids);
    free(n->text);
    free(n->form);
    free(n);
}

static int add_kid(struct parser *p, struct qnode *parent, struct qnode *kid)
{
    if (!kid)
        return 0;
    struct qnode **k = realloc(parent->kids, (parent->n_kids + 1) * sizeof *k);
    if (!k) {
        p->nomem = 1;
        node_free(kid);
        return -1;
    }
    parent->kids = k;
    parent->kids[parent->n_kids++] = kid;
    return 0;
}

static char *dupn(struct parser *p, const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d) {
        p->nomem = 1;
        return NULL;
    }
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static struct qnode *term_node(struct parser *p, const struct tok_token *t, size_t base)
{
    struct qnode *n = node_new(p, QN_TERM);
    if (!n)
        return NULL;
    n->text = dupn(p, t->text, t->len);
    if (t->flags & TOK_FOLDED)
        n->form = dupn(p, t->form, t->form_len);
    n->tok_flags = t->flags;
    n->pos = ++p->pos;
    n->group = p->group;
    n->start = base + t->start;
    n->end = base + t->end;
    return n;
}

/* Tokenize a chunk of words into `parent` (a bag or phrase). A compound
 * becomes one QN_TERM whose kids are its parts. */
static void add_words(struct parser *p, struct qnode *parent, const char *s, size_t len, enum qfield field,
                      enum qmod mod, int wildcard)
{
    const struct tok_token *toks;
    size_t n;
    if (tokenizer_run(p->tk, s, len, 1, &toks, &n) != 0) {
        p->nomem = 1;
        return;
    }
    p->group++;
    size_t base = (size_t)(s - p->text); /* s always points into the query */
    /* The tokenizer's array is reused by the next run: copy as we go. */
    struct qnode *compound = NULL;
    for (size_t i = 0; i < n && !p->nomem; i++) {
        const struct tok_token *t = &toks[i];
        if (p->n_terms >= p->max_terms) {
            if (p->truncate)
                p->truncated = 1; /* the rest is dropped */
            else
                p->n_terms++;     /* over the limit: reported by query_parse */
            return;
        }
        int last = i + 1 == n;
        if ((t->flags & TOK_PART) && compound) {
            struct qnode *part = term_node(p, t, base);
            add_kid(p, compound, part);
            continue;
        }
        compound = NULL;
        if (wildcard && last && !(t->flags & TOK_CJK) && t->end == len) {
            /* "prefix*": the last word, at least 2 characters. */
            if (t->len >= 2) {
                struct qnode *w = node_new(p, QN_WILDCARD);
                if (!w)
                    return;
                w->text = dupn(p, t->text, t->len);
                w->field = field;
                w->mod = mod;
                p->n_terms++;
                add_kid(p, parent, w);
                continue;
            }
        }
        struct qnode *tn = term_node(p, t, base);
        if (!tn)
            return;
        tn->field = field;
        tn->mod = mod;
        p->n_terms++;
        if (t->flags & TOK_COMPOUND)
            compound = tn;
        add_kid(p, parent, tn);
    }
}

static struct qnode *parse_or(struct parser *p);

static int starts_item(enum lex_type t)
{
    return t == LX_LPAREN || t == LX_PHRASE || t == LX_MOD || t == LX_FIELD || t == LX_CHUNK;
}

/* Filters take the whole value as one folded string. */
static void add_filter(struct parser *p, struct qnode *bag, enum qfield f, enum qmod mod, const char *s, size_t len)
{
    char buf[256];
    size_t n = tokenizer_fold(p->tk, s, len, buf, sizeof buf);
    if (n == (size_t)-1 || n == 0)
        return;
    struct qnode *fn = node_new(p, QN_TERM);
    if (!fn)
        return;
    fn->field = f;
    fn->mod = mod == QM_NONE ? QM_MUST : mod;
    fn->text = dupn(p, buf, n);
    add_kid(p, bag, fn);
}

static int parse_item(struct parser *p, struct qnode *bag)
{
    enum qmod mod = QM_NONE;
    enum qfield field = QF_ANY;
    const struct lexeme *lx = peek(p);
    if (lx->type == LX_MOD) {
        mod = lx->mod == '+' ? QM_MUST : QM_EXCLUDE;
        consume(p);
        lx = peek(p);
    }
    if (lx->type == LX_FIELD) {
        field_of(lx->s, lx->len, &field);
        consume(p);
        lx = peek(p);
    }
    switch (lx->type) {
    case LX_CHUNK: {
        struct lexeme c = *lx;
        consume(p);
        if (field == QF_CATEGORY || field == QF_LANG) {
            add_filter(p, bag, field, mod, c.s, c.len);
            return 0;
        }
        int wild = c.len > 1 && c.s[c.len - 1] == '*';
        size_t wl = c.len;
        while (wl > 0 && c.s[wl - 1] == '*')
            wl--;
        if (wild && mod != QM_EXCLUDE) {
            add_words(p, bag, c.s, wl, field, mod, 1);
        } else {
            add_words(p, bag, c.s, c.len, field, mod, 0);
        }
        return 0;
    }
    case LX_PHRASE: {
        struct lexeme c = *lx;
        consume(p);
        if (field == QF_CATEGORY || field == QF_LANG) {
            add_filter(p, bag, field, mod, c.s, c.len);
            return 0;
        }
        struct qnode *ph = node_new(p, QN_PHRASE);
        if (!ph)
            return -1;
        ph->field = field;
        ph->mod = mod;
        add_words(p, ph, c.s, c.len, field, QM_NONE, 0);
        if (ph->n_kids == 0) {
            node_free(ph);
        } else if (ph->n_kids == 1) {
            struct qnode *only = ph->kids[0];
            ph->n_kids = 0;
            node_free(ph);
            only->mod = mod;
            add_kid(p, bag, only);
        } else {
            add_kid(p, bag, ph);
        }
        return 0;
    }
    case LX_LPAREN: {
        consume(p);
        if (p->depth >= p->max_depth)
            return 0; /* too deep: the parenthesis is ignored, words still count */
        p->depth++;
        struct qnode *sub = parse_or(p);
        p->depth--;
        if (peek(p)->type == LX_RPAREN)
            consume(p);
        if (sub) {
            sub->mod = mod;
            add_kid(p, bag, sub);
        }
        return 0;
    }
    default:
        /* A modifier or field with nothing after it: dropped. */
        return 0;
    }
}

static struct qnode *simplify(struct qnode *n)
{
    /* A bag of one plain item is that item. */
    if (n && n->type == QN_BAG && n->n_kids == 1 && n->kids[0]->mod == QM_NONE && n->mod == QM_NONE) {
        struct qnode *k = n->kids[0];
        n->n_kids = 0;
        node_free(n);
        return k;
    }
    if (n && n->type == QN_BAG && n->n_kids == 0) {
        node_free(n);
        return NULL;
    }
    return n;
}

static struct qnode *parse_bag(struct parser *p)
{
    struct qnode *bag = node_new(p, QN_BAG);
    if (!bag)
        return NULL;
    for (;;) {
        const struct lexeme *lx = peek(p);
        if (lx->type == LX_RPAREN && p->depth == 0) {
            consume(p); /* stray ')' */
            continue;
        }
        if (!starts_item(lx->type) || p->nomem)
            break;
        parse_item(p, bag);
    }
    return simplify(bag);
}

static struct qnode *binary(struct parser *p, enum qnode_type type, struct qnode *l, struct qnode *r)
{
    if (!l)
        return r;
    if (!r)
        return l;
    if (l->type == type && l->mod == QM_NONE && type != QN_NOT) {
        add_kid(p, l, r);
        return l;
    }
    struct qnode *n = node_new(p, type);
    if (!n) {
        node_free(l);
        node_free(r);
        return NULL;
    }
    add_kid(p, n, l);
    add_kid(p, n, r);
    return n;
}

static struct qnode *parse_not(struct parser *p)
{
    struct qnode *l = parse_bag(p);
    while (peek(p)->type == LX_NOT) {
        while (peek(p)->type == LX_NOT)
            consume(p);
        struct qnode *r = parse_bag(p);
        if (!l) {
            l = r; /* "NOT x" with nothing before: x is searched */
            continue;
        }
        if (r)
            l = binary(p, QN_NOT, l, r);
    }
    return l;
}

static struct qnode *parse_and(struct parser *p)
{
    struct qnode *l = parse_not(p);
    while (peek(p)->type == LX_AND) {
        while (peek(p)->type == LX_AND || peek(p)->type == LX_OR)
            consume(p);
        l = binary(p, QN_AND, l, parse_not(p));
    }
    return l;
}

static struct qnode *parse_or(struct parser *p)
{
    struct qnode *l = parse_and(p);
    while (peek(p)->type == LX_OR) {
        while (peek(p)->type == LX_OR || peek(p)->type == LX_AND)
            consume(p); /* "OR OR", "OR AND": one OR */
        l = binary(p, QN_OR, l, parse_and(p));
    }
    return l;
}

/* Does the tree have something to rank or match positively? */
static int has_positive(const struct qnode *n)
{
    if (!n || n->mod == QM_EXCLUDE)
        return 0;
    switch (n->type) {
    case QN_TERM:
        return n->field != QF_CATEGORY && n->field != QF_LANG;
    case QN_PHRASE:
    case QN_WILDCARD:
        return 1;
    case QN_NOT:
        return n->n_kids > 0 && has_positive(n->kids[0]);
    case QN_AND:
    case QN_OR:
    case QN_BAG:
        for (size_t i = 0; i < n->n_kids; i++)
            if (has_positive(n->kids[i]))
                return 1;
        return 0;
    }
    return 0;
}

/* Does the tree restrict by category/lang (a query of filters only lists
 * the matching articles)? */
static int has_filter(const struct qnode *n)
{
    if (!n || n->mod == QM_EXCLUDE)
        return 0;
    if (n->type == QN_TERM)
        return n->field == QF_CATEGORY || n->field == QF_LANG;
    if (n->type == QN_NOT)
        return n->n_kids > 0 && has_filter(n->kids[0]);
    for (size_t i = 0; i < n->n_kids; i++)
        if (has_filter(n->kids[i]))
            return 1;
    return 0;
}

static void parser_init(struct parser *p, struct tokenizer *tk, const char *text, size_t len,
                        const struct query_limits *lim)
{
    memset(p, 0, sizeof *p);
    p->tk = tk;
    p->text = text;
    p->len = len;
    p->max_terms = lim && lim->max_terms ? lim->max_terms : 64;
    p->max_depth = lim && lim->max_depth ? lim->max_depth : 32;
    p->truncate = lim && lim->truncate;
}

static struct qnode *parse_plain(struct parser *p)
{
    struct qnode *bag = node_new(p, QN_BAG);
    if (bag)
        add_words(p, bag, p->text, p->len, QF_ANY, QM_NONE, 0);
    return simplify(bag);
}

enum query_status query_parse(struct tokenizer *tk, const char *text, size_t len, enum query_mode mode,
                              const struct query_limits *lim, struct query **out)
{
    *out = NULL;
    struct parser p;
    struct query *q = calloc(1, sizeof *q);
    if (!q)
        return QUERY_ERR_NOMEM;
    parser_init(&p, tk, text, len, lim);
    struct qnode *root = NULL;
    if (mode == QUERY_SYNTAX) {
        root = parse_or(&p);
        while (peek(&p)->type != LX_END && !p.nomem) {
            /* Leftovers (a stray ')' at depth 0 is eaten by parse_bag;
             * anything else continues as more ranked words). */
            consume(&p);
            root = binary(&p, QN_OR, root, parse_or(&p));
        }
        if (!p.nomem && p.n_terms <= p.max_terms && !has_positive(root) && !has_filter(root)) {
            /* Nothing to search for ("-", "NOT", "-x"): plain words. */
            node_free(root);
            parser_init(&p, tk, text, len, lim);
            root = parse_plain(&p);
            q->fell_back = 1;
        }
    } else {
        root = parse_plain(&p);
    }
    if (p.nomem) {
        node_free(root);
        free(q);
        return QUERY_ERR_NOMEM;
    }
    if (p.n_terms > p.max_terms) {
        node_free(root);
        free(q);
        return QUERY_ERR_TERMS;
    }
    if (!root) {
        free(q);
        return QUERY_EMPTY;
    }
    q->root = root;
    q->n_terms = p.n_terms;
    q->truncated = p.truncated;
    *out = q;
    return QUERY_OK;
}

void query_free(struct query *q)
{
    if (!q)
        return;
    node_free(q->root);
    free(q);
}

static void describe(struct buf *b, const struct qnode *n)
{
    static const char *fields[] = { "", "title:", "category:", "lang:" };
    if (n->mod == QM_MUST)
        buf_puts(b, "+");
    else if (n->mod == QM_EXCLUDE)
        buf_puts(b, "-");
    switch (n->type) {
    case QN_TERM:
        buf_puts(b, fields[n->field]);
        buf_puts(b, n->text);
        return;
    case QN_WILDCARD:
        buf_puts(b, fields[n->field]);
        buf_puts(b, n->text);
        buf_puts(b, "*");
        return;
    case QN_PHRASE:
        buf_puts(b, fields[n->field]);
        buf_puts(b, "\"");
        for (size_t i = 0; i < n->n_kids; i++) {
            if (i)
                buf_puts(b, " ");
            buf_puts(b, n->kids[i]->text);
        }
        buf_puts(b, "\"");
        return;
    default:
        break;
    }
    const char *op = n->type == QN_AND ? " AND " : n->type == QN_OR ? " OR " : n->type == QN_NOT ? " NOT " : " ";
    buf_puts(b, "(");
    for (size_t i = 0; i < n->n_kids; i++) {
        if (i)
            buf_puts(b, op);
        describe(b, n->kids[i]);
    }
    buf_puts(b, ")");
}

char *query_describe(const struct query *q)
{
    struct buf b = { 0 };
    if (q && q->root)
        describe(&b, q->root);
    return buf_take(&b);
}

static void walk_positive(const struct qnode *n, void (*cb)(const struct qnode *, void *), void *ud)
{
    if (!n || n->mod == QM_EXCLUDE)
        return;
    switch (n->type) {
    case QN_TERM:
        if (n->field == QF_ANY || n->field == QF_TITLE)
            cb(n, ud);
        return;
    case QN_WILDCARD:
        return;
    case QN_NOT:
        if (n->n_kids)
            walk_positive(n->kids[0], cb, ud);
        return;
    default:
        for (size_t i = 0; i < n->n_kids; i++)
            walk_positive(n->kids[i], cb, ud);
    }
}

void query_positive_terms(const struct query *q, void (*cb)(const struct qnode *t, void *ud), void *ud)
{
    if (q)
        walk_positive(q->root, cb, ud);
}
