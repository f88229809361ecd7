"""XSS payloads for tests/browser/test_xss.py, the lens document that carries them, and the checks a
page must pass: the trap set before any of the page's scripts run, and the DOM audit after.

Every payload that would run assigns `window.__xss`, calls alert(), loads a URL holding "xss-" or
leaves "XSS49" in the page, so that the trap, the dialog handler, the request log or the audit sees
it. A payload is only stored when it fits the field's limit (workload names: 100 characters).
"""

import copy
from typing import Any

from tests.factories import lens_document

# One payload per HTML context it could break out of.
SCRIPT = "<script>window.__xss='script'</script>"
IMG = "\"><img src=/xss-img onerror=window.__xss='img'>"
SVG = "'><svg onload=alert('svg')>"
TEXTAREA = "</textarea><script>window.__xss='textarea'</script>"
TITLE = "</title><script>window.__xss='title'</script>"
ATTRIBUTE = "\" autofocus onfocus=window.__xss='attr' x=\""
ATTRIBUTE_SINGLE = "' autofocus onfocus=window.__xss='attr1' x='"
HTMX = '<div hx-get="/xss-htmx" hx-trigger="load">htmx</div>'
#: Breaks out of a server-made SVG chart's <text> (pillar names go into charts) or a CDATA section.
SVG_BREAKER = "</text></svg><svg onload=window.__xss='chart'><text>]]><script>window.__xss='cdata'</script>"
TEMPLATE = "XSS{{7*7}}{% now 'Y' %}"
JS_URL = "javascript:window.__xss='js-url'"
JS_URL_MIXED = "\tJaVaScRiPt:alert('js-url-mixed')"
JS_URL_ENTITY = "jav&#x09;ascript:alert('entity')"
DATA_URL = "data:text/html,<script>window.__xss='data-url'</script>"
#: An http(s) URL, so it becomes a link: the quote must not end the href attribute.
HTTP_BREAKER = "https://example.com/\"onmouseover=\"window.__xss='href'"
CSV_FORMULA = '=HYPERLINK("http://xss.example/","click")'

#: The text every stored payload holds, so a page shows whether it displays any of them.
MARKER = "__xss"

URLS = (JS_URL, JS_URL_MIXED, JS_URL_ENTITY, DATA_URL, " javascript:alert('lead')", HTTP_BREAKER)

#: A long text field (notes, descriptions): every payload at once.
EVERYTHING = " ".join(
    (
        SCRIPT,
        IMG,
        SVG,
        TEXTAREA,
        TITLE,
        ATTRIBUTE,
        ATTRIBUTE_SINGLE,
        HTMX,
        SVG_BREAKER,
        TEMPLATE,
        JS_URL,
        DATA_URL,
    )
)
#: For CSV cells: a formula first, the rest after.
FORMULA_FIRST = f"{CSV_FORMULA} {SCRIPT}"


def short(*payloads: str, limit: int) -> str:
    """As many of `payloads` as fit in `limit` characters, joined by spaces (at least the first)."""
    text = payloads[0]
    for payload in payloads[1:]:
        if len(text) + 1 + len(payload) <= limit:
            text = f"{text} {payload}"
    assert len(text) <= limit, f"{payloads[0]!r} alone is longer than {limit}"
    return text


#: A workload's name (the page title too): 100 characters at most.
NAME_100 = "</title><script>window.__xss='n'</script>\"><img src=/xss-img onerror=window.__xss='i'>"
assert len(NAME_100) <= 100
SVG_NAME = short(SVG_BREAKER, limit=128)


def _resource(number: int) -> dict[str, str]:
    """A resource whose text is a payload and whose URL is one of URLS, in turn."""
    return {"displayText": short(IMG, SCRIPT, JS_URL, limit=1024), "url": URLS[number % len(URLS)]}


def xss_lens_document(*, version: int = 1) -> dict[str, Any]:
    """A valid lens of two pillars whose every text is a payload (the format gives choices no
    description) and whose resources' URLs, additional resources' included, are `javascript:`,
    `data:` and an http(s) URL with a quote in it. Version 2 changes titles, so that the diff and
    upgrade pages show old and new text."""
    document = lens_document(name=f"{SCRIPT}{IMG}", pillars=2, questions=2, practices=2)
    document["description"] = EVERYTHING
    count = 0
    for p, pillar in enumerate(document["pillars"]):
        # Pillar names go into the SVG charts: the breaker there, the others in the second pillar.
        pillar["name"] = SVG_NAME if p == 0 else short(SVG, TEMPLATE, HTMX, limit=128)
        pillar["description"] = EVERYTHING
        for question in pillar["questions"]:
            question["title"] = short(f"{question['id']} v{version} {TEXTAREA}", ATTRIBUTE, limit=128)
            question["description"] = EVERYTHING
            question["helpfulResource"] = _resource(count)
            for choice in question["choices"]:
                count += 4
                choice["title"] = short(f"{choice['id']} v{version} {IMG}", SVG, limit=128)
                if not choice["id"].endswith("_no"):
                    choice["helpfulResource"] = _resource(count)
                    choice["improvementPlan"] = _resource(count + 1)
                    choice["additionalResources"] = [
                        {"type": "HELPFUL_RESOURCE", "content": [_resource(count + 2)]},
                        {"type": "IMPROVEMENT_PLAN", "content": [_resource(count + 3)]},
                    ]
    return copy.deepcopy(document)


#: Added to every page before its own scripts: a trap on `window.__xss` and on the dialog functions,
#: recording in `window.__xssHits` what injected code did.
TRAP_SCRIPT = """
(() => {
  const hits = [];
  Object.defineProperty(window, '__xssHits', { value: hits });
  Object.defineProperty(window, '__xss', {
    configurable: false,
    get() { return undefined; },
    set(value) { hits.push('window.__xss = ' + value); },
  });
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    window[name] = (...args) => { hits.push(name + '(' + args.join(', ') + ')'); };
  }
})();
"""

#: After the page settled: what injected code or markup left. Returns a list of problems.
AUDIT_SCRIPT = """
() => {
  const problems = (window.__xssHits || []).map((hit) => 'script ran: ' + hit);
  const scheme = /^(javascript|data|vbscript):/i;
  // Browsers ignore ASCII whitespace and control characters in a URL's scheme.
  const clean = (value) => value.replace(/[\\u0000-\\u0020\\u007f-\\u009f]/g, '');
  const urlAttributes = new Set(['href', 'xlink:href', 'src', 'action', 'formaction', 'data',
    'srcdoc', 'poster', 'background', 'ping']);
  for (const element of document.querySelectorAll('*')) {
    const tag = element.localName;
    if (['iframe', 'frame', 'object', 'embed', 'base', 'applet'].includes(tag)) {
      problems.push('an injected <' + tag + '> element');
    }
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value;
      if (name.startsWith('on')) {
        problems.push('inline event handler ' + name + '="' + value + '" on <' + tag + '>');
      }
      // base.html's `<link rel="icon" href="data:,">` (no favicon request) is the one data: URL.
      const noFavicon = tag === 'link' && element.rel === 'icon' && value === 'data:,';
      if (urlAttributes.has(name) && scheme.test(clean(value)) && !noFavicon) {
        problems.push('live ' + name + '="' + value + '" on <' + tag + '>');
      }
      if ((name.startsWith('hx-') || name.startsWith('data-hx-')) && value.includes('/xss-htmx')) {
        problems.push('injected htmx attribute ' + name + '="' + value + '"');
      }
      if (name === 'autofocus' && tag !== 'input' && tag !== 'textarea' && tag !== 'select') {
        problems.push('injected autofocus on <' + tag + '>');
      }
    }
  }
  for (const script of document.querySelectorAll('script')) {
    if (script.textContent.includes('__xss') || script.textContent.includes('alert(')) {
      problems.push('an injected <script>: ' + script.textContent.slice(0, 80));
    }
  }
  const html = document.documentElement.outerHTML;
  if (html.includes('XSS49')) problems.push('a template evaluated {{7*7}}');
  return { problems, shows: document.body ? document.body.innerText.includes('__xss') : false };
}
"""
