/* SPDX-License-Identifier: GPL-2.0-or-later */
/* htmlmeta: what an HTML page says about itself, beyond its text (see
 * parse.h). Owns three fields of an HTML article:
 *
 * title     og:title (its site-name suffix removed) when present; else
 *           the <h1> when <title> starts with it (the <title> has a site
 *           suffix the <h1> has not); else <title> without a site-name
 *           suffix: " | Anything", or " - Name" / " – Name" / " — Name" /
 *           " :: Name" / " · Name" when Name is og:site_name or
 *           application-name, or is 1-3 capitalized words
 *           ("Kidney stones - HealthPortal"; "Kidney stones - symptoms"
 *           keeps its tail).
 * date      article:published_time, else <time datetime> (in the main
 *           text first), else JSON-LD datePublished (dateCreated); only
 *           a real YYYY-MM-DD date is kept.
 * category  article:section, else the breadcrumbs: JSON-LD
 *           BreadcrumbList, else an element whose class, id or
 *           aria-label says "breadcrumb" (or itemtype BreadcrumbList);
 *           the deepest crumb that is neither the first (home) nor the
 *           page itself.
 * Absent metadata changes nothing: the input root's first directory may
 * still give the category (parse.c).
 */
#include "parse.h"

#include <ctype.h>
#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The text under n, white space collapsed and trimmed; malloc'd or NULL. */
static char *node_text(xmlNode *n)
{
    xmlChar *c = xmlNodeGetContent(n);
    if (!c)
        return strdup("");
    char *out = malloc(strlen((char *)c) + 1), *o = out;
    if (out) {
        int space = 0;
        for (const char *p = (const char *)c; *p; p++) {
            if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f') {
                space = o != out;
                continue;
            }
            if (space)
                *o++ = ' ';
            space = 0;
            *o++ = *p;
        }
        *o = '\0';
    }
    xmlFree(c);
    return out;
}

/* An attribute's value (malloc'd by libxml2: xmlFree) or NULL. */
static char *prop(xmlNode *n, const char *name)
{
    return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static int icontains(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; s && *s; s++)
        if (strncasecmp(s, needle, n) == 0)
            return 1;
    return 0;
}

/* "2024-03-18", "2024-03-18T10:00:00Z", "2024-03-18 10:00" -> "2024-03-18"
 * in out (11 bytes); 0, or -1 when s does not start with a real date. */
static int iso_date(const char *s, char *out)
{
    while (s && isspace((unsigned char)*s))
        s++;
    if (!s || strlen(s) < 10)
        return -1;
    for (int i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return -1;
    if (s[10] && s[10] != 'T' && s[10] != ' ' && s[10] != 't')
        return -1;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    memcpy(out, s, 10);
    out[10] = '\0';
    return 0;
}

struct meta {
    char *og_title, *site_name, *section, *published;
    char *ld_date, *ld_crumb;     /* from JSON-LD */
    char *time_main, *time_any;   /* first <time datetime> */
    char *crumb;                  /* from a breadcrumb element */
    char *h1;
    int nomem;
};

static void take(char **slot, char *v, int *nomem)
{
    if (*slot || !v)
        return;
    *slot = strdup(v);
    if (!*slot)
        *nomem = 1;
}

/* ---- JSON-LD ------------------------------------------------------------- */

static int ld_type_is(json_t *o, const char *type)
{
    json_t *t = json_object_get(o, "@type");
    if (json_is_string(t))
        return strcmp(json_string_value(t), type) == 0;
    size_t i;
    json_t *v;
    json_array_foreach(t, i, v) if (json_is_string(v) && strcmp(json_string_value(v), type) == 0) return 1;
    return 0;
}

static const char *ld_item_name(json_t *el)
{
    json_t *n = json_object_get(el, "name");
    if (!json_is_string(n)) {
        json_t *item = json_object_get(el, "item");
        n = json_is_object(item) ? json_object_get(item, "name") : NULL;
    }
    return json_is_string(n) ? json_string_value(n) : NULL;
}

/* A crumb list (names in order) -> the deepest crumb that is neither the
 * first (home) nor the page's own title. */
static const char *pick_crumb(const char *const *names, size_t n, const char *title)
{
    for (size_t i = n; i-- > 1;) {
        if (!names[i] || !*names[i])
            continue;
        if (title && strcasecmp(names[i], title) == 0)
            continue;
        if (i == n - 1 && n >= 3)
            continue; /* the last of three or more crumbs is the page itself */
        return names[i];
    }
    return NULL;
}

static void ld_walk(struct meta *m, json_t *v, const char *title, int depth)
{
    if (depth > 8)
        return;
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) ld_walk(m, x, title, depth + 1);
        return;
    }
    if (!json_is_object(v))
        return;
    const char *keys[] = { "datePublished", "dateCreated" };
    for (size_t k = 0; k < 2 && !m->ld_date; k++) {
        json_t *d = json_object_get(v, keys[k]);
        char buf[11];
        if (json_is_string(d) && iso_date(json_string_value(d), buf) == 0)
            take(&m->ld_date, buf, &m->nomem);
    }
    if (!m->ld_crumb && ld_type_is(v, "BreadcrumbList")) {
        json_t *list = json_object_get(v, "itemListElement");
        size_t n = json_array_size(list);
        if (n > 0 && n < 64) {
            const char *names[64];
            size_t i;
            json_t *el;
            /* Ordered by "position" when given (insertion sort, n is small). */
            json_array_foreach(list, i, el) names[i] = ld_item_name(el);
            int pos[64];
            json_array_foreach(list, i, el) pos[i] = (int)json_integer_value(json_object_get(el, "position"));
            for (size_t a = 1; a < n; a++)
                for (size_t b = a; b > 0 && pos[b - 1] > pos[b]; b--) {
                    int tp = pos[b];
                    pos[b] = pos[b - 1];
                    pos[b - 1] = tp;
                    const char *tn = names[b];
                    names[b] = names[b - 1];
                    names[b - 1] = tn;
                }
            take(&m->ld_crumb, (char *)pick_crumb(names, n, title), &m->nomem);
        }
    }
    json_t *x;
    const char *k;
    json_object_foreach(v, k, x) if (json_is_object(x) || json_is_array(x)) ld_walk(m, x, title, depth + 1);
}

static void ld_script(struct meta *m, xmlNode *n, const char *title)
{
    char *type = prop(n, "type");
    int ld = type && strcasecmp(type, "application/ld+json") == 0;
    xmlFree(type);
    if (!ld)
        return;
    xmlChar *c = xmlNodeGetContent(n);
    if (!c)
        return;
    json_t *j = json_loads((const char *)c, JSON_DECODE_ANY, NULL);
    xmlFree(c);
    if (j)
        ld_walk(m, j, title, 0);
    json_decref(j);
}

/* ---- breadcrumb elements ------------------------------------------------- */

static int is_crumb_box(xmlNode *n)
{
    if (n->type != XML_ELEMENT_NODE)
        return 0;
    const char *attrs[] = { "class", "id", "aria-label", "itemtype" };
    int yes = 0;
    for (size_t i = 0; i < 4 && !yes; i++) {
        char *v = prop(n, attrs[i]);
        yes = v && icontains(v, "breadcrumb");
        xmlFree(v);
    }
    return yes;
}

static void crumb_box(struct meta *m, xmlNode *box, const char *title)
{
    const char *names[32];
    char *own[32];
    size_t n = 0;
    /* The crumbs are the links; a last crumb that is the page itself is
     * often plain text, and pick_crumb skips it either way. */
    for (xmlNode *x = box->children ? box->children : NULL; x && n < 32; x = html_next(x, box, 0)) {
        if (!html_is(x, "a"))
            continue;
        own[n] = node_text(x);
        if (!own[n]) {
            m->nomem = 1;
            break;
        }
        names[n] = own[n];
        n++;
    }
    if (n >= 2) {
        /* Links only: the last link is a section unless it is the page. */
        const char *best = NULL;
        for (size_t i = n; i-- > 1 && !best;)
            if (*names[i] && !(title && strcasecmp(names[i], title) == 0))
                best = names[i];
        take(&m->crumb, (char *)best, &m->nomem);
    }
    for (size_t i = 0; i < n; i++)
        free(own[i]);
}

/* ---- the walk ------------------------------------------------------------ */

static void collect(struct meta *m, xmlNode *root, xmlNode *main_el, const char *title)
{
    for (xmlNode *n = root; n && !m->nomem; n = html_next(n, root, 0)) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (html_is(n, "meta")) {
            char *p = prop(n, "property"), *nm = prop(n, "name"), *c = prop(n, "content");
            const char *key = p && *p ? p : nm;
            if (key && c && *c) {
                if (strcasecmp(key, "og:title") == 0 || strcasecmp(key, "twitter:title") == 0)
                    take(&m->og_title, c, &m->nomem);
                else if (strcasecmp(key, "og:site_name") == 0 || strcasecmp(key, "application-name") == 0)
                    take(&m->site_name, c, &m->nomem);
                else if (strcasecmp(key, "article:section") == 0)
                    take(&m->section, c, &m->nomem);
                else if (strcasecmp(key, "article:published_time") == 0 || strcasecmp(key, "datePublished") == 0 ||
                         strcasecmp(key, "date") == 0 || strcasecmp(key, "dc.date") == 0)
                    take(&m->published, c, &m->nomem);
            }
            xmlFree(p);
            xmlFree(nm);
            xmlFree(c);
        } else if (html_is(n, "script")) {
            ld_script(m, n, title);
        } else if (html_is(n, "time")) {
            char *dt = prop(n, "datetime");
            char buf[11];
            if (dt && iso_date(dt, buf) == 0) {
                int in_main = 0;
                for (xmlNode *up = n; up && !in_main; up = up->parent)
                    in_main = up == main_el;
                take(in_main ? &m->time_main : &m->time_any, buf, &m->nomem);
            }
            xmlFree(dt);
        } else if (html_is(n, "h1") && !m->h1) {
            m->h1 = node_text(n);
            if (!m->h1)
                m->nomem = 1;
        } else if (!m->crumb && is_crumb_box(n)) {
            crumb_box(m, n, title);
        }
    }
}

/* ---- title --------------------------------------------------------------- */

static const char *const seps[] = { " | ", " - ", " \u2013 ", " \u2014 ", " :: ", " \u00b7 ", NULL };

/* Is tail a site name: 1-3 words, each starting with an upper-case letter
 * or a digit ("HealthPortal", "Mayo Clinic", "NHS inform"). */
static int looks_like_name(const char *tail)
{
    size_t words = 0;
    const char *p = tail;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        words++;
        if (words == 1 && !(isupper((unsigned char)*p) || isdigit((unsigned char)*p) || (unsigned char)*p >= 0x80))
            return 0;
        while (*p && *p != ' ')
            p++;
    }
    return words >= 1 && words <= 3 && strlen(tail) <= 40;
}

/* Cut a site-name suffix off t in place. */
static void strip_suffix(char *t, const char *site_name)
{
    char *best = NULL;
    const char *best_sep = NULL;
    for (size_t i = 0; seps[i]; i++) {
        char *p = t, *last = NULL;
        while ((p = strstr(p, seps[i])) != NULL) {
            last = p;
            p += strlen(seps[i]);
        }
        if (last && last > t && (!best || last > best)) {
            best = last;
            best_sep = seps[i];
        }
    }
    if (!best)
        return;
    const char *tail = best + strlen(best_sep);
    int cut = (site_name && strcasecmp(tail, site_name) == 0) ||
              (strcmp(best_sep, " | ") == 0 && strlen(tail) <= 60) || looks_like_name(tail);
    if (cut)
        *best = '\0';
}

static int set_title(struct article *a, const struct meta *m)
{
    char *t = NULL;
    if (m->og_title) {
        t = strdup(m->og_title);
        if (t)
            strip_suffix(t, m->site_name);
    } else if (m->h1 && *m->h1 && a->title && *a->title && strcmp(a->title, m->h1) != 0 &&
               strncasecmp(a->title, m->h1, strlen(m->h1)) == 0) {
        t = strdup(m->h1); /* <title> is the <h1> plus a site suffix */
    } else if (a->title && *a->title) {
        t = strdup(a->title);
        if (t)
            strip_suffix(t, m->site_name);
    } else {
        return 0;
    }
    if (!t)
        return -1;
    if (!*t) {
        free(t);
        return 0;
    }
    free(a->title);
    a->title = t;
    return 0;
}

int htmlmeta_apply(struct article *a, struct _xmlNode *root, struct _xmlNode *main_el)
{
    struct meta m = { 0 };
    collect(&m, root, main_el, a->title);
    int rc = m.nomem ? -1 : 0;
    if (rc == 0)
        rc = set_title(a, &m);
    char d[11];
    if (rc == 0 && !a->date) {
        const char *date = NULL;
        if (m.published && iso_date(m.published, d) == 0)
            date = d;
        else
            date = m.time_main ? m.time_main : m.time_any ? m.time_any : m.ld_date;
        if (date)
            rc = article_set(&a->date, date);
    }
    if (rc == 0 && !a->category) {
        const char *cat = m.section ? m.section : m.ld_crumb ? m.ld_crumb : m.crumb;
        if (cat && *cat)
            rc = article_set(&a->category, cat);
    }
    free(m.og_title);
    free(m.site_name);
    free(m.section);
    free(m.published);
    free(m.ld_date);
    free(m.ld_crumb);
    free(m.time_main);
    free(m.time_any);
    free(m.crumb);
    free(m.h1);
    return rc < 0 ? -1 : 0;
}
