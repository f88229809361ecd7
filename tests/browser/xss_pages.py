"""The page walk of tests/browser/test_xss.py: every named route and how the test covers it, the URLs
visited for each, and `Watch`, which records what injected code or markup did on a browser page."""

import re
from urllib.parse import quote, urlsplit

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import Page

from lens.models import BUILTIN_ALIAS
from reviews.models import Report
from tests.browser import xss_payloads as x
from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.xss_world import IN_LENS_ORDER, World

PAGE, DOWNLOAD, POST_ONLY, JSON = "page", "download", "POST only", "JSON"

#: How the test covers each named route: PAGE visited in the browser, DOWNLOAD checked with the
#: reports, POST_ONLY checked to answer GET with a redirect, JSON checked for its content type. Admin pages
#: are Django's own (staff only) and the REST API answers JSON (checked in api_problems).
ROUTES = {
    "reviews:dashboard": PAGE,
    "reviews:workload-list": PAGE,
    "reviews:workload-create": PAGE,
    "reviews:workload": PAGE,
    "reviews:workload-edit": PAGE,
    "reviews:workload-delete": PAGE,
    "reviews:workload-transfer": PAGE,
    "reviews:workload-events": PAGE,
    "reviews:workload-export": DOWNLOAD,
    "reviews:workload-import": PAGE,
    "reviews:people": PAGE,
    "reviews:share-role": POST_ONLY,
    "reviews:share-revoke": PAGE,
    "reviews:people-search": PAGE,
    "reviews:lens-apply": POST_ONLY,
    "reviews:review": PAGE,
    "reviews:lens-remove": PAGE,
    "reviews:lens-notes": PAGE,
    "reviews:lens-upgrade": PAGE,
    "reviews:changes": PAGE,
    "reviews:question": PAGE,
    "reviews:answer": POST_ONLY,
    "reviews:history": PAGE,
    "reviews:milestones": PAGE,
    "reviews:milestone": PAGE,
    "reviews:milestone-review": PAGE,
    "reviews:milestone-question": PAGE,
    "reviews:improvements": PAGE,
    "reviews:improvement-item": PAGE,  # the item's form, for browsers without JavaScript
    "reviews:improvements-bulk": POST_ONLY,
    "reviews:my-improvements": PAGE,
    "reviews:compare": PAGE,
    "reviews:trend": PAGE,
    "reviews:reports": PAGE,
    "reviews:consolidated-reports": PAGE,
    "reviews:report-status": PAGE,
    "reviews:report-download": DOWNLOAD,
    "reviews:report-delete": POST_ONLY,
    "reviews:search": PAGE,
    "lens:library": PAGE,
    "lens:import": PAGE,
    "lens:import_url": PAGE,
    "lens:catalog_add": POST_ONLY,
    "lens:catalog_update": POST_ONLY,
    "lens:detail": PAGE,
    "lens:publish": PAGE,
    "lens:diff": PAGE,
    "lens:export": DOWNLOAD,
    "lens:share": PAGE,
    "lens:unshare": POST_ONLY,
    "lens:delete": PAGE,
    "login": PAGE,
    "logout": POST_ONLY,
    "profile": PAGE,
    "accounts:token-create": PAGE,
    "accounts:token-revoke": PAGE,
    "accounts:tokens-revoke-all": PAGE,
    "notifications:list": PAGE,
    "notifications:bell": PAGE,
    "notifications:read-all": POST_ONLY,
    "api:docs": PAGE,
    "healthz": JSON,
    "readyz": JSON,
}
SKIPPED_NAMESPACES = {"admin"}

#: Pages a reader visits too: they show answers, notes and items read-only.
READER_ROUTES = (
    "notifications:list",  # the reader's: the share, with the workload's name (issue 17)
    "reviews:workload",
    "reviews:review",
    "reviews:question",
    "reviews:lens-notes",
    "reviews:improvements",
)
#: Pages that must show the payloads (as text): a walk where they show nowhere checks nothing.
MUST_SHOW = {
    "reviews:dashboard",
    "reviews:workload-list",
    "reviews:workload",
    "reviews:workload-edit",
    "reviews:people",
    "reviews:people-search",
    "reviews:review",
    "reviews:lens-notes",
    "reviews:lens-upgrade",
    "reviews:question",
    "reviews:history",
    "reviews:milestones",
    "reviews:milestone",
    "reviews:milestone-review",
    "reviews:milestone-question",
    "reviews:improvements",
    "reviews:improvement-item",
    "reviews:compare",
    "reviews:trend",
    "reviews:reports",
    "lens:library",
    "lens:detail",
    "lens:diff",
    "lens:publish",
    "profile",
}


def named_routes(resolver=None, namespace: str = "") -> set[str]:
    """Every named route of the URL configuration, as "namespace:name" (admin left out)."""
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            if inner in SKIPPED_NAMESPACES:
                continue
            names |= named_routes(pattern, f"{namespace}{inner}:" if inner else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def api_route(name: str) -> bool:
    """A route of the REST API, which answers JSON only (its docs page apart)."""
    return name.startswith("api:") and name != "api:docs"


#: What an injected element would load: the payloads' URLs (xss_payloads.py).
INJECTED_URL = re.compile(r"/xss-(img|htmx)|xss\.example")
HTMX_SETTLED = "() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')"
LONG_AGO = "2000-01-01T00:00:00+00:00"
#: Pages with a search box that echoes the query.
SEARCHED = {"reviews:dashboard", "reviews:workload-list", "reviews:consolidated-reports", "lens:library"}


class Watch:
    """The problems one browser page shows: dialogs, requests for injected URLs, console errors
    (including CSP violations) and uncaught exceptions, then the DOM audit of each visit."""

    def __init__(self, page: Page):
        self.page = page
        self.problems: list[str] = []
        self.shown: set[str] = set()
        page.add_init_script(x.TRAP_SCRIPT)
        page.on("dialog", self._dialog)
        page.on(
            "request",
            lambda r: INJECTED_URL.search(r.url) and self.problems.append(f"{page.url} requested {r.url}"),
        )
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"uncaught exception at {page.url}: {exc}"))

    def _console(self, message) -> None:
        where = message.location.get("url") or self.page.url
        # A fragment opened as a page (no <head>, so no icon link) makes Chromium ask for /favicon.ico.
        if message.type == "error" and not where.endswith("/favicon.ico"):
            self.problems.append(f"console error at {where} (page {self.page.url}): {message.text}")

    def _dialog(self, dialog) -> None:
        self.problems.append(f"a {dialog.type} dialog opened at {self.page.url}: {dialog.message}")
        dialog.dismiss()

    def visit(self, route: str, url: str) -> None:
        response = self.page.goto(url)
        if response is None or response.status >= 400:
            self.problems.append(f"{route}: {url} answered {response and response.status}")
        self.audit(route)

    def audit(self, route: str) -> None:
        """Wait for htmx to settle (requests made on load, swaps), then audit the page."""
        self.page.wait_for_load_state("load")
        self.page.wait_for_function(HTMX_SETTLED)
        result = self.page.evaluate(x.AUDIT_SCRIPT)
        self.problems.extend(f"{route} ({self.page.url}): {problem}" for problem in result["problems"])
        if result["shows"]:
            self.shown.add(route)


def first_question(review) -> str:
    first = review.answers.order_by(*IN_LENS_ORDER).first()
    return first.question.question_id


def own_url(route: str, world: World, report_pk: int) -> str:
    """The route's URL for the workload, the payload lens, its first question, milestone 1 and the
    first report: the smallest set of keyword arguments that fits (as test_access_by_route.py does)."""
    pk, alias, qid = world.workload.pk, world.lens.alias, first_question(world.review)
    for kwargs in (
        {},
        {"alias": alias},
        {"pk": pk},
        {"pk": pk, "alias": alias},
        {"pk": pk, "share_pk": world.reader_share_pk},
        {"pk": pk, "alias": alias, "question_id": qid},
        {"pk": pk, "number": 1},
        {"pk": pk, "number": 1, "alias": alias},
        {"pk": pk, "number": 1, "alias": alias, "question_id": qid},
        {"report_pk": report_pk},
    ):
        try:
            return reverse(route, kwargs=kwargs)
        except NoReverseMatch:
            continue
    raise AssertionError(f"no keyword arguments fit {route}")


def page_urls(route: str, world: World, reports: list[Report]) -> list[str]:
    """The URLs visited for `route`: its own, and more where the page shows other texts: every
    question of both lenses, the built-in lens, milestone 2, query strings a page echoes."""
    if route == "accounts:token-revoke":
        return [reverse(route, kwargs={"pk": world.token_pk})]
    if route == "reviews:report-status":
        # One template for every report: the first and the last (consolidated) are enough.
        return [reverse(route, kwargs={"report_pk": report.pk}) for report in (reports[0], reports[-1])]
    url = own_url(route, world, reports[0].pk)
    alias = world.lens.alias
    urls = [url]
    if route == "reviews:changes":  # what the question page polls for, since long ago
        url = urls[0] = f"{url}?question={first_question(world.review)}&version=0&since={quote(LONG_AGO)}"
    if route in {"reviews:review", "reviews:lens-notes", "reviews:changes", "lens:detail", "lens:diff"}:
        urls.append(url.replace(f"/{alias}/", f"/{BUILTIN_ALIAS}/"))
    if route in {"reviews:question", "reviews:history", "reviews:milestone-question"}:
        # Every question of the payload lens on its page (each has resources of its own), the
        # first two (one with a practice not applicable, one not applicable) elsewhere; the
        # built-in lens's first question, whose notes are a payload.
        first = f"/{alias}/questions/{first_question(world.review)}/"
        questions = world.review.answers.order_by(*IN_LENS_ORDER).values_list(
            "question__question_id", flat=True
        )
        for question_id in questions if route == "reviews:question" else questions[:2]:
            urls.append(url.replace(first, f"/{alias}/questions/{question_id}/"))
        builtin = f"/{BUILTIN_ALIAS}/questions/{first_question(world.builtin_review)}/"
        urls.append(url.replace(first, builtin))
    if route in {"reviews:milestone", "reviews:milestone-review", "reviews:milestone-question"}:
        urls.append(url.replace("/milestones/1/", "/milestones/2/"))
    if route == "reviews:compare":
        urls.append(f"{url}?base=1&target=2&changed=1")
    if route in SEARCHED:
        urls.append(f"{url}?search={quote(x.IMG, safe='')}")
    if route in {"reviews:search", "reviews:people-search"}:
        # The query echoed, and hits whose names and titles are payloads ("xss": the people's names).
        urls[0] = f"{url}?q={quote(x.IMG, safe='')}"
        urls.extend(f"{url}?q={quote(text, safe='')}" for text in ("<", '"', "'", "&", "javascript", "xss"))
    if route == "login":
        urls.append(f"{url}?next={quote(x.JS_URL, safe='')}")
    return list(dict.fromkeys(urls))


def open_page(browser, live_server, world: World | None, *, as_reader=False) -> tuple[Page, Watch]:
    """A page in a context of its own, logged in as the world's owner, or its reader, or (`world`
    None) nobody. The owner's context ignores the Content-Security-Policy, so that an injected
    script would run and trip the trap; the others keep it, so that one would be a CSP violation
    in the console."""
    owner = world is not None and not as_reader
    context = browser.new_context(base_url=live_server.url, bypass_csp=owner)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    watch = Watch(page)
    if world is not None:
        page.goto(reverse("login"))
        user = world.reader if as_reader else world.owner
        page.locator("#id_username").fill(user.get_username())
        page.locator("#id_password").fill(world.reader_password if as_reader else world.password)
        with page.expect_navigation():
            page.get_by_role("button", name="Log in", exact=True).click()
        assert urlsplit(page.url).path != reverse("login"), "logging in failed"
    return page, watch


def api_problems(page: Page, world: World) -> list[str]:
    """The API answers JSON that a browser does not sniff into HTML, with a search echoed or not;
    an unknown API URL, JSON that does not echo it. (mlwa.middleware.ApiNotFoundMiddleware answers
    the latter outside SecurityMiddleware, so without nosniff: harmless with its constant body.)"""
    problems = []
    for url in (f"/api/v1/workloads/{world.workload.pk}/", f"/api/v1/workloads/?search={quote(x.IMG)}"):
        headers = page.request.get(url).headers
        if not headers.get("content-type", "").startswith("application/json"):
            problems.append(f"{url} answers {headers.get('content-type')}, not JSON")
        if headers.get("x-content-type-options") != "nosniff":
            problems.append(f"{url} answers without X-Content-Type-Options: nosniff")
    unknown = page.request.get(f"/api/v1/{quote(x.IMG, safe='')}/")
    kind, body = unknown.headers.get("content-type", ""), unknown.text()
    if not kind.startswith("application/json") or "xss" in body:
        problems.append(f"an unknown API URL answers {kind}: {body}")
    return problems
