// SPDX-License-Identifier: GPL-2.0-or-later
// site/app.js: the search page's behaviour, plain JavaScript, no library.
//
// Owns: the search box (suggestions from /api/suggest as you type,
// debounced, stale answers dropped; the ARIA combobox pattern with
// up/down/Enter/Escape), the results view (/api/search: highlighted
// hits, count and time, "showing results for", facet filters, pages),
// the article view (/api/doc, /api/related, prev/next) and the URL:
// the state lives in ?q=&page=&category=&lang= (or /doc?id=), pushed on
// every new search, so links, reload and the back button work.
// Every request goes to this site's own /api/ (nginx -> searchd).
'use strict';

(function () {
  const PER_PAGE = 10;
  const SUGGEST_DELAY_MS = 120;   // debounce: one request per pause in typing
  const API = '/api/';

  const $ = (id) => document.getElementById(id);
  const input = $('q');
  const list = $('suggestions');
  const form = $('search-form');
  const statusEl = $('status');

  // ---- helpers -------------------------------------------------------------

  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, (c) => (
      { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === 'text') e.textContent = v;
      else if (k === 'html') e.innerHTML = v;   // only server-escaped snippets
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const kid of kids) if (kid != null) e.append(kid);
    return e;
  }

  // GET /api/<path>?params; rejects with a readable message.
  async function api(path, params, signal) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v != null && v !== '') qs.set(k, v);
    let res;
    try {
      res = await fetch(API + path + '?' + qs.toString(), { signal, headers: { Accept: 'application/json' } });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new Error('The search service cannot be reached. Please try again.');
    }
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    if (!res.ok) {
      if (res.status === 404 && body && body.error) return { notFound: true, error: body.error };
      if (res.status === 429 || res.status === 503) throw new Error('The search service is busy. Please try again in a moment.');
      throw new Error((body && body.error && body.error.message) || ('The search failed (' + res.status + ').'));
    }
    return body;
  }

  function docHref(id) { return '/doc?id=' + encodeURIComponent(id); }

  function searchHref(state) {
    const p = new URLSearchParams();
    if (state.q) p.set('q', state.q);
    if (state.page > 1) p.set('page', String(state.page));
    if (state.category) p.set('category', state.category);
    if (state.lang) p.set('lang', state.lang);
    return '/?' + p.toString();
  }

  function readState() {
    const p = new URLSearchParams(location.search);
    const page = parseInt(p.get('page') || '1', 10);
    return {
      view: location.pathname === '/doc' ? 'doc' : 'search',
      q: (p.get('q') || '').trim(),
      page: Number.isFinite(page) && page > 0 ? page : 1,
      category: p.get('category') || '',
      lang: p.get('lang') || '',
      id: p.get('id') || '',
    };
  }

  // Navigate inside the page: push a history entry and render it.
  function go(href) {
    history.pushState(null, '', href);
    route();
  }

  function show(view) {
    for (const v of ['search-view', 'doc-view', 'home-view']) $(v).hidden = v !== view;
  }

  function setStatus(text) { statusEl.textContent = text; }

  // ---- the search box: a combobox with a listbox of suggestions ---------

  let sugItems = [];      // the suggestions on screen
  let active = -1;        // index of the highlighted one, -1: none
  let sugSeq = 0;         // answers of older requests are dropped
  let sugTimer = 0;
  let sugAbort = null;

  function closeList() {
    list.hidden = true;
    list.textContent = '';
    sugItems = [];
    active = -1;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  function setActive(i) {
    active = i;
    [...list.children].forEach((li, j) => li.setAttribute('aria-selected', j === i ? 'true' : 'false'));
    if (i >= 0) input.setAttribute('aria-activedescendant', 'sug-' + i);
    else input.removeAttribute('aria-activedescendant');
  }

  function pick(i) {
    const s = sugItems[i];
    if (!s) return;
    closeList();
    if (s.kind === 'title' && s.id) { go(docHref(s.id)); return; }
    input.value = s.text;
    submit(s.text);
  }

  // The typed text in bold-less form, the completion in <strong>.
  function sugLabel(text, typed) {
    const t = typed.toLowerCase();
    if (text.toLowerCase().startsWith(t) && t.length) {
      return esc(text.slice(0, t.length)) + '<strong>' + esc(text.slice(t.length)) + '</strong>';
    }
    return esc(text);
  }

  function renderList(items, typed) {
    list.textContent = '';
    sugItems = items;
    active = -1;
    if (!items.length) { closeList(); return; }
    list.dataset.q = typed;   // which text these answer (tests wait for it)
    items.forEach((s, i) => {
      const li = el('li', {
        id: 'sug-' + i, role: 'option', 'aria-selected': 'false',
        class: 'sug sug-' + s.kind,
        html: sugLabel(s.text, typed) + (s.kind === 'title' ? ' <span class="sug-kind">article</span>' : ''),
      });
      // mousedown, not click: the input must not lose focus first
      li.addEventListener('mousedown', (ev) => { ev.preventDefault(); pick(i); });
      list.append(li);
    });
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  async function fetchSuggestions(typed) {
    const seq = ++sugSeq;
    if (sugAbort) sugAbort.abort();
    sugAbort = new AbortController();
    try {
      const d = await api('suggest', { q: typed, limit: 8 }, sugAbort.signal);
      // Dropped when the box changed meanwhile or a newer answer came.
      if (seq !== sugSeq || input.value !== typed || document.activeElement !== input) return;
      renderList((d && d.suggestions) || [], typed);
    } catch (err) {
      if (err.name !== 'AbortError' && seq === sugSeq) closeList();
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(sugTimer);
    const typed = input.value;
    if (!typed.trim()) { sugSeq++; closeList(); return; }
    sugTimer = setTimeout(() => fetchSuggestions(typed), SUGGEST_DELAY_MS);
  });

  input.addEventListener('keydown', (ev) => {
    const open = !list.hidden && sugItems.length > 0;
    if (ev.key === 'ArrowDown') {
      if (open) { ev.preventDefault(); setActive(active + 1 >= sugItems.length ? 0 : active + 1); }
      else if (input.value.trim()) { ev.preventDefault(); fetchSuggestions(input.value); }   // reopen
    } else if (ev.key === 'ArrowUp') {
      if (open) { ev.preventDefault(); setActive(active <= 0 ? sugItems.length - 1 : active - 1); }
    } else if (ev.key === 'Enter') {
      if (open && active >= 0) { ev.preventDefault(); pick(active); }
    } else if (ev.key === 'Escape') {
      if (open) { ev.preventDefault(); sugSeq++; closeList(); }
      else if (input.value) { ev.preventDefault(); input.value = ''; }
    }
  });

  input.addEventListener('blur', () => { sugSeq++; clearTimeout(sugTimer); closeList(); });

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(sugTimer);
    sugSeq++;
    closeList();
    submit(input.value);
  });

  // A new search keeps the filters only when the words stay the same.
  function submit(text) {
    const q = text.trim();
    if (!q) { input.focus(); return; }
    const cur = readState();
    const keep = cur.view === 'search' && cur.q === q;
    go(searchHref({ q, page: 1, category: keep ? cur.category : '', lang: keep ? cur.lang : '' }));
  }

  // ---- results ---------------------------------------------------------------

  let searchSeq = 0;

  // Words the server marked in the snippets (stems and synonyms
  // included) and the typed words: what to highlight in titles.
  function markWords(hits, q) {
    const words = new Set();
    const norm = (w) => w.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
    for (const w of q.match(/[\p{L}\p{N}]+/gu) || []) if (w.length > 1) words.add(norm(w));
    for (const h of hits) {
      for (const m of (h.snippet || '').matchAll(/<mark>(.*?)<\/mark>/g)) {
        const t = document.createElement('textarea');
        t.innerHTML = m[1];
        for (const w of t.value.match(/[\p{L}\p{N}]+/gu) || []) words.add(norm(w));
      }
    }
    return { words, norm };
  }

  function highlight(text, mw) {
    let out = '';
    let last = 0;
    for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) {
      const w = mw.norm(m[0]);
      if (mw.words.has(w)) {
        out += esc(text.slice(last, m.index)) + '<mark>' + esc(m[0]) + '</mark>';
        last = m.index + m[0].length;
      }
    }
    return out + esc(text.slice(last));
  }

  function facetLabel(name, value) {
    if (name === 'lang') return ({ en: 'English', zh: 'Chinese (中文)' })[value] || value;
    return value.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
  }

  function renderFacets(state, d) {
    const box = $('facets');
    box.textContent = '';
    const groups = [['category', 'Topic'], ['lang', 'Language']];
    for (const [name, title] of groups) {
      const values = (d.facets && d.facets[name]) || [];
      const chosen = state[name];
      if (!values.length && !chosen) continue;
      const ul = el('ul');
      for (const f of values) {
        const on = chosen === f.value;
        const href = searchHref({ ...state, page: 1, [name]: on ? '' : f.value });
        const a = el('a', {
          href, class: 'facet' + (on ? ' on' : ''), 'aria-current': on ? 'true' : null,
          'data-facet': name, 'data-value': f.value,
        }, el('span', { class: 'facet-name', text: facetLabel(name, f.value) }),
        el('span', { class: 'facet-count', text: String(f.count) }));
        a.addEventListener('click', (ev) => { ev.preventDefault(); go(href); });
        ul.append(el('li', null, a));
      }
      if (chosen) {
        const href = searchHref({ ...state, page: 1, [name]: '' });
        const a = el('a', { href, class: 'facet-clear', text: 'Any ' + title.toLowerCase() });
        a.addEventListener('click', (ev) => { ev.preventDefault(); go(href); });
        ul.append(el('li', null, a));
      }
      box.append(el('section', { class: 'facet-group' }, el('h2', { text: title }), ul));
    }
  }

  function pageLink(state, page, label, attrs) {
    const href = searchHref({ ...state, page });
    const a = el('a', { href, ...attrs, text: label });
    a.addEventListener('click', (ev) => { ev.preventDefault(); go(href); window.scrollTo(0, 0); });
    return a;
  }

  function renderPager(state, total) {
    const nav = $('pager');
    nav.textContent = '';
    const pages = Math.min(Math.ceil(total / PER_PAGE), 100);
    if (pages <= 1) return;
    if (state.page > 1) nav.append(pageLink(state, state.page - 1, '← Previous', { rel: 'prev', class: 'prev' }));
    const from = Math.max(1, state.page - 3), to = Math.min(pages, from + 6);
    for (let p = from; p <= to; p++) {
      if (p === state.page) nav.append(el('span', { class: 'current', 'aria-current': 'page', text: String(p) }));
      else nav.append(pageLink(state, p, String(p), { class: 'num', 'aria-label': 'Page ' + p }));
    }
    if (state.page < pages) nav.append(pageLink(state, state.page + 1, 'Next →', { rel: 'next', class: 'next' }));
  }

  // "Showing results for X — search instead for Y" (the server corrected
  // the query, or nothing matched and we searched its "did you mean"),
  // or "Did you mean X?" when the query as typed found articles.
  function renderNotice(state, d, corrected) {
    const box = $('notice');
    box.textContent = '';
    box.hidden = true;
    if (corrected) {
      const instead = searchHref({ ...state, q: corrected.from, page: 1 }) + '&exact=1';
      const a = el('a', { href: instead, class: 'instead', text: corrected.from });
      a.addEventListener('click', (ev) => { ev.preventDefault(); input.value = corrected.from; go(instead); });
      box.append('Showing results for ', el('strong', { class: 'corrected', text: corrected.to }),
        el('br'), el('span', { class: 'small' }, 'Search instead for ', a));
      box.hidden = false;
    } else if (d.did_you_mean && d.did_you_mean.query) {
      const href = searchHref({ ...state, q: d.did_you_mean.query, page: 1 });
      const a = el('a', { href, class: 'dym', html: d.did_you_mean.html || esc(d.did_you_mean.query) });
      a.addEventListener('click', (ev) => { ev.preventDefault(); input.value = d.did_you_mean.query; go(href); });
      box.append('Did you mean ', a, '?');
      box.hidden = false;
    }
  }

  function renderEmpty(state, d) {
    const box = $('empty');
    box.textContent = '';
    const tips = el('ul');
    if (state.category || state.lang) {
      const href = searchHref({ q: state.q, page: 1 });
      const a = el('a', { href, text: 'search all topics and languages' });
      a.addEventListener('click', (ev) => { ev.preventDefault(); go(href); });
      tips.append(el('li', null, 'Remove the filter: ', a, '.'));
    }
    if (d.did_you_mean && d.did_you_mean.query) {
      const href = searchHref({ q: d.did_you_mean.query, page: 1 });
      const a = el('a', { href, text: d.did_you_mean.query });
      a.addEventListener('click', (ev) => { ev.preventDefault(); input.value = d.did_you_mean.query; go(href); });
      tips.append(el('li', null, 'Check the spelling, e.g. ', a, '.'));
    }
    tips.append(el('li', { text: 'Try fewer words, or more general ones ("headache" rather than "throbbing headache after lunch").' }));
    tips.append(el('li', { text: 'Try the everyday name or the medical one: "heart attack" or "myocardial infarction".' }));
    box.append(el('p', { class: 'empty-title' }, 'No articles match ', el('strong', { text: '“' + state.q + '”' }), '.'), tips);
    box.hidden = false;
  }

  function renderHits(state, d) {
    const ol = $('results');
    ol.textContent = '';
    ol.start = (state.page - 1) * PER_PAGE + 1;
    const mw = markWords(d.hits, d.query || state.q);
    for (const h of d.hits) {
      const title = el('a', { href: docHref(h.id), class: 'hit-title', html: highlight(h.title || h.id, mw) });
      title.addEventListener('click', (ev) => { ev.preventDefault(); go(docHref(h.id)); });
      const meta = el('p', { class: 'hit-meta' });
      if (h.category) meta.append(el('span', { class: 'tag', text: facetLabel('category', h.category) }));
      if (h.date) meta.append(el('time', { datetime: h.date, text: h.date }));
      if (h.url) meta.append(el('span', { class: 'url', text: h.url.replace(/^https?:\/\//, '') }));
      ol.append(el('li', { class: 'hit' }, el('h2', null, title), meta,
        el('p', { class: 'snippet', html: h.snippet || '' })));
    }
  }

  async function runSearch(state) {
    show('search-view');
    document.title = state.q + ' – Health articles search';
    input.value = state.q;
    const seq = ++searchSeq;
    setStatus('Searching…');
    const exact = new URLSearchParams(location.search).get('exact') === '1';
    const params = {
      q: state.q, limit: PER_PAGE, offset: (state.page - 1) * PER_PAGE,
      category: state.category, lang: state.lang, facets: 'category,lang',
    };
    // "Search instead for" the words as typed: the server must not correct them.
    if (exact) params.correct = 0;
    let d;
    let corrected = null;
    try {
      d = await api('search', params);
      if (d && d.corrected && d.corrected.to) {
        corrected = d.corrected;
      } else if (d && !exact && d.total === 0 && d.did_you_mean && d.did_you_mean.query) {
        // Nothing matched the words as typed: show the correction's results.
        const d2 = await api('search', { ...params, q: d.did_you_mean.query });
        if (d2 && d2.total > 0) {
          corrected = { from: state.q, to: d.did_you_mean.query };
          d2.took_ms = (d.took_ms || 0) + (d2.took_ms || 0);
          d = d2;
          d.did_you_mean = null;
        }
      }
    } catch (err) {
      if (seq !== searchSeq) return;
      $('results').textContent = '';
      $('facets').textContent = '';
      $('pager').textContent = '';
      $('notice').hidden = true;
      $('empty').hidden = false;
      $('empty').textContent = err.message;
      setStatus(err.message);
      return;
    }
    if (seq !== searchSeq) return;   // a newer search is on screen
    renderNotice(state, d, corrected);
    renderFacets(state, d);
    renderHits(state, d);
    renderPager(state, d.total);
    const secs = ((d.took_ms || 0) / 1000).toFixed(3);
    if (d.total === 0) {
      renderEmpty(state, d);
      setStatus('No articles found (' + secs + ' seconds)');
    } else {
      $('empty').hidden = true;
      const first = (state.page - 1) * PER_PAGE + 1;
      const last = first + d.hits.length - 1;
      const n = d.total.toLocaleString('en');
      setStatus((d.hits.length ? first + '–' + last + ' of ' : '') + n + (d.total === 1 ? ' article' : ' articles') +
        (corrected ? ' for ' + corrected.to : '') + ' (' + secs + ' seconds)');
    }
  }

  // ---- the article view ------------------------------------------------------

  // Resolve a prev/next link known by title only to an article id.
  async function resolveTitle(title) {
    try {
      const d = await api('search', { q: title, mode: 'plain', limit: 3, fields: 'id,title' });
      const norm = (s) => (s || '').trim().toLowerCase();
      const h = (d.hits || []).find((x) => norm(x.title) === norm(title));
      return h ? h.id : null;
    } catch (e) { return null; }
  }

  async function renderDocNav(doc) {
    const nav = $('doc-nav');
    nav.textContent = '';
    for (const kind of ['prev', 'next']) {
      const l = (doc.links || []).find((x) => x.kind === kind);
      if (!l || !l.title) continue;
      const id = l.target && !/^https?:/.test(l.target) ? l.target : await resolveTitle(l.title);
      const label = kind === 'prev' ? '← Previous: ' : 'Next: ';
      let a;
      if (id) {
        a = el('a', { href: docHref(id), rel: kind, class: kind, text: label + l.title });
        a.addEventListener('click', (ev) => { ev.preventDefault(); go(docHref(id)); window.scrollTo(0, 0); });
      } else if (l.target) {
        a = el('a', { href: l.target, rel: kind, class: kind, text: label + l.title });
      } else {
        continue;
      }
      nav.append(a);
    }
  }

  async function renderRelated(id) {
    const ul = $('related');
    ul.textContent = '';
    ul.append(el('li', { class: 'loading', text: 'Loading…' }));
    let d;
    try { d = await api('related', { id, limit: 5 }); } catch (e) { d = null; }
    ul.textContent = '';
    const items = (d && d.related) || [];
    if (!items.length) { ul.append(el('li', { class: 'none', text: 'No related articles.' })); return; }
    for (const r of items) {
      const a = el('a', { href: docHref(r.id), text: r.title || r.id });
      a.addEventListener('click', (ev) => { ev.preventDefault(); go(docHref(r.id)); window.scrollTo(0, 0); });
      ul.append(el('li', { class: 'rel' }, a));
    }
  }

  async function runDoc(state) {
    show('doc-view');
    const back = $('back-link');
    const from = sessionStorage.getItem('lastSearch');
    back.href = from || '/';
    back.onclick = (ev) => { ev.preventDefault(); go(back.getAttribute('href')); };
    setStatus('Loading the article…');
    let doc;
    try {
      doc = await api('doc', { id: state.id });
    } catch (err) {
      setStatus(err.message);
      return;
    }
    if (!doc || doc.notFound || !state.id) {
      $('doc-title').textContent = 'Article not found';
      $('doc-meta').textContent = '';
      $('doc-body').textContent = 'This article is not (or no longer) in the index.';
      $('doc-nav').textContent = '';
      $('related').textContent = '';
      setStatus('Article not found');
      return;
    }
    document.title = doc.title + ' – Health articles';
    $('doc-title').textContent = doc.title || doc.id;
    const meta = $('doc-meta');
    meta.textContent = '';
    if (doc.category) meta.append(el('span', { class: 'tag', text: facetLabel('category', doc.category) }));
    if (doc.date) meta.append(el('time', { datetime: doc.date, text: doc.date }));
    if (doc.url) meta.append(el('a', { href: doc.url, class: 'source', rel: 'noopener', text: 'Original article' }));
    // Sections: paragraphs, those that are headings as h2.
    const body = $('doc-body');
    body.textContent = '';
    const heads = new Set(doc.headings || []);
    const paras = (doc.body || '').split(/\n\s*\n/);
    paras.forEach((p, i) => {
      const t = p.trim();
      if (!t) return;
      if (i === 0 && t === doc.title) return;   // the title repeated in the text
      if (heads.has(t)) body.append(el('h2', { text: t }));
      else body.append(el('p', { text: t }));
    });
    setStatus('');
    await Promise.all([renderRelated(doc.id), renderDocNav(doc)]);
  }

  // ---- routing ---------------------------------------------------------------

  function route() {
    const state = readState();
    closeList();
    if (state.view === 'doc') {
      runDoc(state);
    } else if (state.q) {
      sessionStorage.setItem('lastSearch', location.pathname + location.search);
      runSearch(state);
    } else {
      show('home-view');
      document.title = 'Health articles search';
      input.value = '';
      setStatus('');
      input.focus();   // the home page is for typing
    }
  }

  window.addEventListener('popstate', route);
  route();
})();
