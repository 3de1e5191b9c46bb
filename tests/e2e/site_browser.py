#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# site_browser.py BASE_URL OUTDIR: drives Debian's headless Chromium
# (python3-selenium + chromium-driver) through the search page served by
# nginx in front of searchd, the way a visitor uses it, and prints TAP.
# One PNG screenshot per step in OUTDIR; any JavaScript console error, or
# any request to somewhere other than the site itself, is a failure.
# Never a timing assertion: every wait is for a condition, with a
# generous timeout, so a busy machine only makes it slower.
import json
import os
import sys
import tempfile
import traceback
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

BASE = sys.argv[1].rstrip('/')
OUT = sys.argv[2]
WAIT = 90  # seconds; a loaded 2-core machine is slow, never wrong
os.makedirs(OUT, exist_ok=True)

n = 0
failed = 0


def ok(cond, name, detail=''):
    global n, failed
    n += 1
    if cond:
        print(f'ok {n} - {name}')
    else:
        failed += 1
        print(f'not ok {n} - {name}')
        for line in str(detail).splitlines()[:20]:
            print(f'# {line}')
    sys.stdout.flush()
    return cond


def make_driver():
    o = webdriver.ChromeOptions()
    o.binary_location = os.environ.get('CHROMIUM', '/usr/bin/chromium')
    prof = tempfile.mkdtemp(prefix='medsearch-chromium-')
    for a in ('--headless=new', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
              '--disable-extensions', '--disable-background-networking', '--disable-sync',
              '--disable-component-update', '--disable-default-apps', '--mute-audio',
              f'--user-data-dir={prof}', '--window-size=1280,1000', '--lang=en-US'):
        o.add_argument(a)
    if os.geteuid() == 0:
        o.add_argument('--no-sandbox')  # Chromium refuses to run as root with its sandbox
    o.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    svc = Service(os.environ.get('CHROMEDRIVER', '/usr/bin/chromedriver'),
                  log_output=os.path.join(OUT, 'chromedriver.log')) if 'log_output' in Service.__init__.__code__.co_varnames \
        else Service(os.environ.get('CHROMEDRIVER', '/usr/bin/chromedriver'), log_path=os.path.join(OUT, 'chromedriver.log'))
    d = webdriver.Chrome(service=svc, options=o)
    d.set_page_load_timeout(WAIT)
    d.set_script_timeout(WAIT)
    return d


d = make_driver()
wait = WebDriverWait(d, WAIT, poll_frequency=0.2)
console_errors = []


def shot(name):
    d.save_screenshot(os.path.join(OUT, name + '.png'))


def check_console(step):
    errs = [e for e in d.get_log('browser') if e.get('level') == 'SEVERE']
    console_errors.extend(errs)
    ok(not errs, f'{step}: no JavaScript console error', json.dumps(errs, indent=1))


def until(cond, what):
    try:
        return wait.until(lambda _: cond())
    except TimeoutException:
        return None


def q_of_url():
    return urllib.parse.parse_qs(urllib.parse.urlparse(d.current_url).query)


def css(sel):
    return d.find_elements(By.CSS_SELECTOR, sel)


def visible_options(typed=None):
    """The options on screen (for `typed` only, when given): an answer
    for an earlier prefix may show first and be replaced."""
    lb = css('#suggestions')
    if not lb or not lb[0].is_displayed():
        return []
    if typed is not None and lb[0].get_attribute('data-q') != typed:
        return []
    return css('#suggestions [role=option]')


def option_info():
    """Text and class of every option, read at once (no stale elements)."""
    return d.execute_script('return [...document.querySelectorAll("#suggestions [role=option]")]'
                            '.map(o => [o.textContent, o.className])')


def hits_ready():
    return len(css('#results .hit')) > 0 and not css('#search-view')[0].get_attribute('hidden') \
        and 'Searching' not in css('#status')[0].text


def first_hit_id():
    h = css('#results .hit .hit-title')
    return h[0].get_attribute('href') if h else None


def type_query(text):
    box = d.find_element(By.ID, 'q')
    box.click()
    box.send_keys(Keys.CONTROL, 'a')
    box.send_keys(Keys.DELETE)
    for ch in text:      # key by key, as a person types
        box.send_keys(ch)
    return box


try:
    # ---- 1. type "hea", see suggestions, pick one with the arrow keys and Enter
    d.get(BASE + '/')
    box = until(lambda: d.switch_to.active_element.get_attribute('id') == 'q' and d.find_element(By.ID, 'q'),
                'focus')
    ok(box is not None, 'step 1: the home page puts the focus in the search box')
    lab = css('label[for=q]')
    ok(lab and lab[0].is_displayed() and lab[0].text.strip() != '', 'step 1: the search box has a visible label')
    box = type_query('hea')
    opts = until(lambda: visible_options('hea'), 'suggestions')
    ok(bool(opts), 'step 1: typing "hea" shows suggestions')
    ok(d.find_element(By.ID, 'q').get_attribute('aria-expanded') == 'true'
       and d.find_element(By.ID, 'q').get_attribute('role') == 'combobox'
       and css('#suggestions')[0].get_attribute('role') == 'listbox',
       'step 1: ARIA combobox: aria-expanded, listbox of options')
    info = option_info()
    texts = [t.replace(' article', '') for t, _ in info]
    ok(all(t.lower().startswith('hea') or 'hea' in t.lower() for t in texts[:3]),
       'step 1: the suggestions complete what was typed', texts)
    box.send_keys(Keys.ESCAPE)
    closed = until(lambda: not visible_options(), 'closed')
    ok(closed and box.get_attribute('value') == 'hea' and box.get_attribute('aria-expanded') == 'false',
       'step 1: Escape closes the suggestions and keeps the text')
    box.send_keys(Keys.ARROW_DOWN)
    opts = until(lambda: visible_options('hea'), 'suggestions again')
    ok(bool(opts), 'step 1: arrow down opens them again')
    # Pick the first suggestion that is a phrase or word (not an article title).
    kinds = [k for _, k in option_info()]
    idx = next((i for i, k in enumerate(kinds) if 'sug-title' not in k), 0)
    for _ in range(idx + 1):
        box.send_keys(Keys.ARROW_DOWN)
    active = box.get_attribute('aria-activedescendant')
    ok(active == f'sug-{idx}' and d.find_element(By.ID, active).get_attribute('aria-selected') == 'true',
       f'step 1: arrow down highlights suggestion {idx + 1} (aria-activedescendant)', active)
    box.send_keys(Keys.ARROW_DOWN)
    box.send_keys(Keys.ARROW_UP)
    ok(box.get_attribute('aria-activedescendant') == f'sug-{idx}', 'step 1: arrow up goes back')
    shot('1-suggestions')
    picked = d.find_element(By.ID, f'sug-{idx}').text
    box.send_keys(Keys.ENTER)
    got = until(lambda: q_of_url().get('q', [''])[0] == picked and hits_ready(), 'results of the pick')
    ok(bool(got), f'step 1: Enter searches for the picked suggestion "{picked}"', d.current_url)
    ok(not visible_options(), 'step 1: the suggestion list is closed after the pick')
    check_console('step 1')

    # ---- 2. highlighted results and facet counts
    marks = css('#results .hit mark')
    ok(len(marks) > 0, 'step 2: results have highlighted (<mark>) words', len(marks))
    ok(len(css('#results .hit-title mark')) > 0, 'step 2: titles are highlighted too')
    status = d.find_element(By.ID, 'status').text
    ok('article' in status and 'seconds' in status, 'step 2: the count and the time are shown', status)
    facets = css('#facets a.facet[data-facet=category]')
    counts = [f.find_element(By.CSS_SELECTOR, '.facet-count').text for f in facets]
    ok(len(facets) > 0 and all(c.isdigit() and int(c) > 0 for c in counts),
       'step 2: category facets with counts', counts)
    ok(len(css('#facets a.facet[data-facet=lang]')) > 0, 'step 2: language facet with counts')
    shot('2-results')
    check_console('step 2')

    # ---- 3. click a facet; page forward, and back with the browser's back button
    before_facet = d.current_url
    # The facet of the first hit's category: one that certainly has results.
    first_tag = css('#results .hit .tag')
    f = next((x for x in facets if first_tag and
              x.find_element(By.CSS_SELECTOR, '.facet-name').text == first_tag[0].text), facets[0])
    value = f.get_attribute('data-value')
    want = int(f.find_element(By.CSS_SELECTOR, '.facet-count').text)
    f.click()
    got = until(lambda: q_of_url().get('category', [''])[0] == value and hits_ready()
                and css(f'#facets a.facet.on[data-value="{value}"]'), 'filtered')
    ok(bool(got), f'step 3: clicking the "{value}" facet filters (category={value} in the URL)', d.current_url)
    tags = [t.text for t in css('#results .hit .tag')]
    label = value.replace('-', ' ').capitalize()
    ok(tags and all(t == label for t in tags), 'step 3: every result is in that category', tags)
    status = d.find_element(By.ID, 'status').text
    ok(f'of {want} ' in status or f'{want} article' in status, f'step 3: as many results as the facet said ({want})', status)
    shot('3a-facet')
    if not css('#pager a.next'):
        d.back()   # this filter has one page: page through the unfiltered list
        until(lambda: d.current_url == before_facet and hits_ready(), 'back to unfiltered')
    if not css('#pager a.next'):
        type_query('pain').send_keys(Keys.ENTER)
        until(lambda: q_of_url().get('q', [''])[0] == 'pain' and hits_ready(), 'broad query')
    page1_url, page1_first = d.current_url, first_hit_id()
    nxt = css('#pager a.next')
    ok(bool(nxt), 'step 3: a result list with more than one page has a Next link')
    if nxt:
        nxt[0].click()
        got = until(lambda: q_of_url().get('page', [''])[0] == '2' and hits_ready() and first_hit_id() != page1_first,
                    'page 2')
        ok(bool(got), 'step 3: Next shows page 2 (page=2 in the URL, other results)', d.current_url)
        ok(d.find_element(By.CSS_SELECTOR, '#pager [aria-current=page]').text == '2', 'step 3: the pager marks page 2')
        shot('3b-page2')
        d.back()
        got = until(lambda: d.current_url == page1_url and hits_ready() and first_hit_id() == page1_first, 'back')
        ok(bool(got), "step 3: the browser's back button returns to page 1", d.current_url)
        shot('3c-back')
    check_console('step 3')

    # ---- 4. open an article and see its related articles
    title = css('#results .hit .hit-title')[0]
    title_text = title.text
    title.click()
    got = until(lambda: urllib.parse.urlparse(d.current_url).path == '/doc'
                and d.find_element(By.ID, 'doc-title').text.strip() != ''
                and (css('#related li.rel') or css('#related li.none')), 'article')
    ok(bool(got), 'step 4: a result opens the article view (/doc?id=)', d.current_url)
    ok(d.find_element(By.ID, 'doc-title').text == title_text, 'step 4: the article has the title of the hit',
       (d.find_element(By.ID, 'doc-title').text, title_text))
    ok(len(css('#doc-body p')) > 0, 'step 4: the article text is shown in paragraphs')
    rel = css('#related li.rel a')
    ok(len(rel) > 0, 'step 4: "Related articles" lists articles', d.find_element(By.ID, 'related').text)
    shot('4-article')
    # An article with previous/next links shows them, and they open.
    doc_id = q_of_url().get('id', [''])[0]
    d.get(BASE + '/doc?id=' + urllib.parse.quote('en/sleep/insomnia.txt'))
    got = until(lambda: css('#doc-nav a.prev') and css('#doc-nav a.next') and css('#related li.rel'), 'nav')
    ok(bool(got), 'step 4: an article with previous/next shows both links')
    if got:
        nxt_title = css('#doc-nav a.next')[0].text.replace('Next: ', '')
        css('#doc-nav a.next')[0].click()
        got = until(lambda: d.find_element(By.ID, 'doc-title').text == nxt_title, 'next article')
        ok(bool(got), 'step 4: "Next" opens the next article', nxt_title)
        shot('4b-next')
    check_console('step 4')

    # ---- 5. a misspelling: "Showing results for"
    d.get(BASE + '/')
    until(lambda: d.find_element(By.ID, 'q').is_displayed(), 'home')
    box = type_query('insomina')
    box.send_keys(Keys.ENTER)
    got = until(lambda: 'Showing results for' in d.find_element(By.ID, 'notice').text and hits_ready(), 'corrected')
    notice = d.find_element(By.ID, 'notice').text
    ok(bool(got) and 'insomnia' in notice, 'step 5: "insomina" shows "Showing results for insomnia"', notice)
    ok('Search instead for insomina' in notice, 'step 5: ... with "search instead for insomina"', notice)
    shot('5-showing-results-for')
    css('#notice a.instead')[0].click()
    got = until(lambda: not css('#empty')[0].get_attribute('hidden') and 'No articles match' in css('#empty')[0].text,
                'empty state')
    ok(bool(got), 'step 5: "search instead" searches the word as typed; the empty state helps',
       css('#empty')[0].text)
    ok('fewer words' in css('#empty')[0].text, 'step 5: the empty state suggests fewer words')
    shot('5b-empty-state')
    check_console('step 5')

    # ---- 6. a phone-sized viewport, and nothing but the site's own requests
    d.set_window_size(390, 844)
    d.get(BASE + '/?q=' + urllib.parse.quote('heart attack'))
    until(hits_ready, 'phone results')
    over = d.execute_script('return document.documentElement.scrollWidth - window.innerWidth')
    ok(over <= 0, 'step 6: no sideways scrolling on a 390px-wide phone', over)
    shot('6-phone')
    urls = d.execute_script('return performance.getEntriesByType("resource").map(e => e.name)')
    foreign = [u for u in urls if not u.startswith(BASE + '/')]
    api = [u for u in urls if '/api/' in u]
    ok(not foreign and api and all(urllib.parse.urlparse(u).path.startswith('/api/') for u in api),
       'step 6: every request goes to the site itself, the API ones to /api/', foreign or urls)
    check_console('step 6')
except Exception:
    ok(False, 'the browser session ran to its end', traceback.format_exc())
    try:
        shot('error')
    except Exception:
        pass
finally:
    d.quit()

print(f'1..{n}')
sys.exit(1 if failed else 0)
