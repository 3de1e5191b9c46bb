/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parse_html: one article per HTML page, through libxml2's HTML parser
 * (error-recovering, never touches the network).
 *
 * title: <title>, else the first <h1>. url: <link rel=canonical>, else
 * <meta property=og:url>. lang: <html lang>. Main text: <main>, else
 * <article>, else <body>, without script, style, nav, header, footer,
 * aside, form, noscript, template (nor iframe, svg, select, button);
 * block elements end paragraphs. Headings h1-h6 of the main text, in
 * order, also stay in the body. <a href> inside the main text ->
 * LINK_RELATED (link text -> href).
 *
 * The tree is walked without recursion, so deep nesting costs no stack.
 */
#include "parse.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int name_in(const xmlNode *n, const char *const *names)
{
    size_t i;

    if (n->type != XML_ELEMENT_NODE || !n->name)
        return 0;
    for (i = 0; names[i]; i++)
        if (strcasecmp((const char *)n->name, names[i]) == 0)
            return 1;
    return 0;
}

int html_is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->name && strcasecmp((const char *)n->name, name) == 0;
}

static const char *const skipped[] = { "script", "style", "nav", "header", "footer", "aside", "form",
                                       "noscript", "template", "iframe", "svg", "select", "button",
                                       "head", NULL };
static const char *const blocks[] = { "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table",
                                      "tr", "td", "th", "thead", "tbody", "section", "blockquote",
                                      "pre", "figure", "figcaption", "hr", "main", "article", "h1",
                                      "h2", "h3", "h4", "h5", "h6", "address", "details", "summary",
                                      "caption", "center", NULL };
static const char *const headings[] = { "h1", "h2", "h3", "h4", "h5", "h6", NULL };

xmlNode *html_next(xmlNode *n, const xmlNode *root, int skip_children)
{
    if (!skip_children && n->children)
        return n->children;
    while (n && n != root) {
        if (n->next)
            return n->next;
        n = n->parent;
    }
    return NULL;
}

/* First element called name under root (root included), or NULL. */
static xmlNode *find(xmlNode *root, const char *name)
{
    xmlNode *n;

    for (n = root; n; n = html_next(n, root, 0))
        if (html_is(n, name))
            return n;
    return NULL;
}

/* Append s collapsing each run of white space to one space; no space is
 * added where the source had none ("<b>hyp</b>nic" stays one word). */
static void add_text(struct buf *b, const char *s)
{
    while (*s) {
        size_t n = strcspn(s, " \t\n\f\v");
        buf_add(b, s, n);
        s += n;
        if (*s) {
            s += strspn(s, " \t\n\f\v");
            if (b->len && b->s[b->len - 1] != ' ' && b->s[b->len - 1] != '\n')
                buf_add(b, " ", 1);
        }
    }
}

/* All the text under n, collapsed and trimmed; malloc'd or NULL. */
static char *text_of(xmlNode *n)
{
    struct buf b = { 0 };
    xmlNode *m;
    char *s;
    size_t len;
    const char *t;

    buf_add(&b, "", 0);
    for (m = n; m; m = html_next(m, n, name_in(m, skipped) && m != n)) {
        if ((m->type == XML_TEXT_NODE || m->type == XML_CDATA_SECTION_NODE) && m->content)
            add_text(&b, (const char *)m->content);
    }
    if (b.oom) {
        buf_free(&b);
        return NULL;
    }
    len = b.len;
    t = parse_trim(b.s, &len);
    s = strndup(t, len);
    buf_free(&b);
    return s;
}

static const char *attr(xmlNode *n, const char *name, xmlChar **hold)
{
    *hold = xmlGetProp(n, (const xmlChar *)name);
    return (const char *)*hold;
}

struct walk {
    struct article *a;
    struct buf body;  /* paragraphs done */
    struct buf para;  /* paragraph being built */
    int nomem;
};

static void end_para(struct walk *w)
{
    size_t len = w->para.len;
    const char *t;

    if (w->para.oom)
        w->nomem = 1;
    if (!w->para.s)
        return;
    t = parse_trim(w->para.s, &len);
    if (len) {
        if (w->body.len)
            buf_add(&w->body, "\n\n", 2);
        buf_add(&w->body, t, len);
    }
    w->para.len = 0;
    w->para.s[0] = '\0';
}

/* Leaving element n (all its children done). */
static void leave(struct walk *w, xmlNode *n)
{
    if (name_in(n, blocks))
        end_para(w);
}

static void enter(struct walk *w, xmlNode *n)
{
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
        if (n->content)
            add_text(&w->para, (const char *)n->content);
        return;
    }
    if (n->type != XML_ELEMENT_NODE)
        return;
    if (name_in(n, blocks))
        end_para(w);
    if (html_is(n, "br")) {
        if (w->para.len && w->para.s[w->para.len - 1] != '\n')
            buf_add(&w->para, "\n", 1);
    } else if (name_in(n, headings)) {
        char *h = text_of(n);
        if (!h || (*h && article_add_heading(w->a, h) < 0))
            w->nomem = 1;
        free(h);
    } else if (html_is(n, "a")) {
        xmlChar *hold;
        const char *href = attr(n, "href", &hold);
        if (href && *href && *href != '#' && strncasecmp(href, "javascript:", 11) != 0 &&
            strncasecmp(href, "mailto:", 7) != 0) {
            char *t = text_of(n);
            if (!t || article_add_link(w->a, LINK_RELATED, *t ? t : NULL, href, NULL) < 0)
                w->nomem = 1;
            free(t);
        }
        xmlFree(hold);
    }
}

/* Walk the main content, calling enter/leave. */
static void walk_main(struct walk *w, xmlNode *root)
{
    xmlNode *n = root;

    while (n && !w->nomem) {
        int skip = n != root && name_in(n, skipped);
        if (!skip)
            enter(w, n);
        if (!skip && n->children) {
            n = n->children;
            continue;
        }
        /* No descent: leave n, then climb while there is no next sibling. */
        for (;;) {
            if (!skip)
                leave(w, n);
            skip = 0;
            if (n == root) {
                n = NULL;
                break;
            }
            if (n->next) {
                n = n->next;
                break;
            }
            n = n->parent;
        }
    }
    end_para(w);
}

static int head_meta(struct article *a, xmlNode *root)
{
    xmlNode *n, *t;
    xmlChar *h1 = NULL, *h2 = NULL;
    int rc = 0;

    t = find(root, "title");
    if (t) {
        char *s = text_of(t);
        if (!s)
            return -1;
        free(a->title);
        a->title = s;
    }
    for (n = root; n && rc == 0; n = html_next(n, root, html_is(n, "body"))) {
        if (html_is(n, "link")) {
            const char *rel = attr(n, "rel", &h1), *href = attr(n, "href", &h2);
            if (rel && href && *href && strcasecmp(rel, "canonical") == 0)
                rc = article_set(&a->url, href);
        } else if (html_is(n, "meta") && !a->url) {
            const char *prop = attr(n, "property", &h1), *content = attr(n, "content", &h2);
            if (prop && content && *content && strcasecmp(prop, "og:url") == 0)
                rc = article_set(&a->url, content);
        }
        xmlFree(h1);
        xmlFree(h2);
        h1 = h2 = NULL;
    }
    if (rc == 0 && html_is(root, "html")) {
        const char *lang = attr(root, "lang", &h1);
        if (!lang || !*lang) {
            xmlFree(h1);
            lang = attr(root, "xml:lang", &h1);
        }
        if (lang && *lang)
            rc = article_set(&a->lang, lang);
        xmlFree(h1);
    }
    return rc;
}

enum input_status parse_html_run(struct parse_ctx *c, const char *text, size_t len)
{
    htmlDocPtr doc;
    xmlNode *root, *main_el;
    struct walk w = { 0 };
    int size = len > 0x7fffffff ? 0x7fffffff : (int)len;

    doc = htmlReadMemory(text, size, NULL, "UTF-8",
                         HTML_PARSE_IGNORE_ENC | HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    if (!doc || !(root = xmlDocGetRootElement(doc))) {
        if (doc)
            xmlFreeDoc(doc);
        parse_report(c, 0, INPUT_ERR_PARSE, 1, "HTML parser found no document");
        return INPUT_ERR_PARSE;
    }
    w.a = article_new();
    if (!w.a || head_meta(w.a, root) < 0) {
        article_free(w.a);
        xmlFreeDoc(doc);
        return INPUT_ERR_NOMEM;
    }
    main_el = find(root, "main");
    if (!main_el)
        main_el = find(root, "article");
    if (!main_el)
        main_el = find(root, "body");
    if (!main_el)
        main_el = root;
    walk_main(&w, main_el);
    if (!*w.a->title) {
        /* No <title>: the first <h1> (main text first), else the first heading. */
        xmlNode *h = find(main_el, "h1");
        char *s;
        if (!h)
            h = find(root, "h1");
        s = h ? text_of(h) : NULL;
        if (h && !s)
            w.nomem = 1;
        if (s && *s) {
            free(w.a->title);
            w.a->title = s;
            s = NULL;
        } else if (w.a->n_headings && article_set(&w.a->title, w.a->headings[0]) < 0) {
            w.nomem = 1;
        }
        free(s);
    }
    if (!w.nomem && htmlmeta_apply(w.a, root, main_el) < 0)
        w.nomem = 1;
    xmlFreeDoc(doc);
    buf_free(&w.para);
    if (w.nomem || w.body.oom) {
        buf_free(&w.body);
        article_free(w.a);
        return INPUT_ERR_NOMEM;
    }
    free(w.a->body);
    w.a->body = buf_take(&w.body);
    if (!w.a->body) {
        article_free(w.a);
        return INPUT_ERR_NOMEM;
    }
    return parse_emit(c, w.a, 0, 0);
}
