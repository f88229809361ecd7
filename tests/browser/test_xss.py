"""XSS, in Chromium: payloads stored in every text a user or a lens can set (xss_world.py) are shown
as text on every page and in every report; no script runs, no dialog opens, no `javascript:` or
`data:` link is live.

The pages come from the URL configuration: every named route has a kind in ROUTES (a page visited,
a download checked with the reports, a POST-only action, JSON), so a new route without one fails
the test ("no XSS visit for route X").

The owner's browser context bypasses the Content-Security-Policy: escaping must hold on its own, so
an injected script would run and trip the trap (xss_payloads.py) rather than being blocked. The
reader's and the anonymous context keep the CSP, where an injected script would be a violation in
the console. Any console error fails the test. Django's admin (staff only, Django's own templates,
no custom HTML in our ModelAdmins) and the JSON API (checked for its content type) are not walked.
"""

import csv
import io
import json
import re
import subprocess
from urllib.parse import quote

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from lens.models import BUILTIN_ALIAS, Lens
from mlwa.spreadsheets import FORMULA_STARTS
from reviews.models import Report
from reviews.reports.tasks import render_report
from reviews.services import answer_update
from tests.browser import xss_payloads as x
from tests.browser.conftest import close_quietly
from tests.browser.xss_pages import (
    JSON,
    MUST_SHOW,
    PAGE,
    POST_ONLY,
    READER_ROUTES,
    ROUTES,
    Watch,
    api_problems,
    api_route,
    first_question,
    named_routes,
    open_page,
    own_url,
    page_urls,
)
from tests.browser.xss_reports import download, json_strings, pdf_links, request_reports
from tests.browser.xss_world import LABELS, World, build_world


def test_every_route_has_an_xss_visit():
    routes = {name for name in named_routes() if not api_route(name)}
    missing = sorted(f"no XSS visit for route {name}" for name in routes - set(ROUTES))
    assert not missing, "\n".join(missing)
    stale = sorted(set(ROUTES) - routes)
    assert not stale, f"ROUTES names routes that no longer exist: {stale}"


@pytest.fixture
def world(django_user_model, settings, tmp_path, in_memory_broker) -> World:
    settings.MLWA_REPORTS_DIR = tmp_path / "reports"
    builtin_hash = Lens.objects.get(alias=BUILTIN_ALIAS).versions.values_list("content_hash", flat=True)
    before = sorted(builtin_hash)
    built = build_world(django_user_model)
    assert sorted(builtin_hash) == before, "importing the payload lens changed the built-in lens"
    return built


@pytest.fixture
def xss_page(browser, live_server):
    """Factory: `xss_page(world)` opens a page logged in as the world's owner (`as_reader=True`: its
    reader; `world=None`: nobody), with its Watch; the contexts close when the test ends."""
    opened = []

    def open_one(world: World | None, *, as_reader: bool = False):
        page, watch = open_page(browser, live_server, world, as_reader=as_reader)
        opened.append(page.context)
        return page, watch

    yield open_one
    for context in opened:
        close_quietly(context)


def _report(watch: Watch, what: str) -> None:
    assert not watch.problems, f"{what}:\n" + "\n".join(dict.fromkeys(watch.problems))


def test_every_page_shows_the_payloads_as_text(xss_page, world):
    reports = request_reports(world)
    page, watch = xss_page(world)
    for route, kind in sorted(ROUTES.items()):
        if kind == PAGE and route != "login":
            for url in page_urls(route, world, reports):
                watch.visit(route, url)
        elif kind == POST_ONLY:
            # A POST-only route redirects a GET to the page holding its form (mlwa.post_only), which
            # is visited as a PAGE; a route that answers GET with a page must be visited: make it a PAGE.
            response = page.request.get(own_url(route, world, reports[0].pk), max_redirects=0)
            if response.status != 302:
                watch.problems.append(f"{route} answers GET with {response.status}: make it a PAGE")
        elif kind == JSON:
            response = page.request.get(reverse(route))
            if not response.headers.get("content-type", "").startswith("application/json"):
                watch.problems.append(f"{route} answers {response.headers.get('content-type')}, not JSON")
    watch.problems.extend(api_problems(page, world))

    # A reader sees answers, notes and items read-only: other templates.
    _reader, reader_watch = xss_page(world, as_reader=True)
    for route in READER_ROUTES:
        for url in page_urls(route, world, reports):
            reader_watch.visit(route, url)

    # The login page, logged out and logged in, with a javascript: URL to go to next.
    _anonymous, anonymous_watch = xss_page(None)
    for url in page_urls("login", world, reports):
        anonymous_watch.visit("login", url)
        watch.visit("login", url)

    _report(watch, "the pages")
    _report(anonymous_watch, "the login page")
    _report(reader_watch, "the reader's pages")
    assert reader_watch.shown == set(READER_ROUTES), (
        f"the reader sees no payload on {set(READER_ROUTES) - reader_watch.shown}"
    )
    assert not MUST_SHOW - watch.shown, f"pages that show no payload: {sorted(MUST_SHOW - watch.shown)}"


def test_fragments_show_the_payloads_as_text(xss_page, world):
    """What htmx swaps in: a saved answer, the conflict panel, an improvement item, the filtered
    workload list; and forms shown again with their errors."""
    page, watch = xss_page(world)
    alias, qid = world.lens.alias, first_question(world.review)

    # An answer saved, then a conflict with a version saved meanwhile (by a service).
    page.goto(reverse("reviews:question", args=[world.workload.pk, alias, qid]))
    page.locator("#answer-notes").fill(x.short(x.TEXTAREA, x.IMG, x.SVG, limit=500))
    page.locator("#answer-form").evaluate("form => form.requestSubmit()")
    expect(page.locator("#answer-status")).to_have_text("Saved.")
    watch.audit("reviews:answer (saved)")
    answer = world.review.answers.get(question__question_id=qid)
    answer_update(answer=answer, actor=world.reader, changes={"notes": x.EVERYTHING}, expected_version=None)
    page.locator("#answer-notes").fill(x.short(x.SCRIPT, x.HTMX, limit=500))
    page.locator("#answer-form").evaluate("form => form.requestSubmit()")
    expect(page.get_by_role("heading", name="Someone else changed this answer")).to_be_visible()
    # Chromium reports the refused (409) save as a console error: expected here, nothing else.
    watch.problems = [p for p in watch.problems if "409" not in p]
    watch.audit("reviews:answer (conflict)")

    # An improvement item tracked, swapped in place.
    page.goto(reverse("reviews:improvements", args=[world.workload.pk]))
    item = page.locator(f"#item-{alias}--{qid}")
    item.get_by_role("link", name=f"Edit {qid}").click()  # the row swapped for its form
    item.get_by_label("Note").fill(x.short(x.TEXTAREA, x.ATTRIBUTE, x.SVG_BREAKER, limit=500))
    item.get_by_role("button", name="Save").click()
    expect(item.get_by_role("link", name=f"Edit {qid}")).to_be_visible()  # swapped back, saved
    watch.audit("reviews:improvement-item")

    # The workload list filtered as one types: the search echoed, the table swapped.
    page.goto(reverse("reviews:workload-list"))
    page.get_by_label("Search", exact=True).fill(x.short(x.ATTRIBUTE, x.IMG, limit=200))
    page.get_by_role("button", name="Filter").click()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    watch.audit("reviews:workload-list (filtered)")

    # The workload form sent back with an error, every field echoed in its value.
    page.goto(reverse("reviews:workload-edit", args=[world.workload.pk]))
    page.locator("#id_architectural_design_url").fill(x.IMG)
    page.locator("#id_name").fill(x.short(x.ATTRIBUTE_SINGLE, x.TEXTAREA, limit=100))
    with page.expect_navigation() as sent:
        page.locator("form:has(#id_name) button[type=submit]").click()
    assert sent.value.status == 400, "the workload form took a design URL that is not one"
    watch.problems = [p for p in watch.problems if "status of 400" not in p]  # that answer, as expected
    watch.audit("reviews:workload-edit (refused)")

    # Lens and pillar notes saved through their form.
    page.goto(reverse("reviews:lens-notes", args=[world.workload.pk, alias]))
    page.locator("#lens-notes").fill(x.short(x.TEXTAREA, x.TITLE, x.SCRIPT, limit=500))
    page.get_by_role("button", name="Save notes").click()
    page.wait_for_load_state("load")
    watch.audit("reviews:lens-notes (saved)")
    # The question's poll, once someone else changed the answer: the notice (names are usernames).
    since = quote("2000-01-01T00:00:00+00:00")
    changes = reverse("reviews:changes", args=[world.workload.pk, alias])
    watch.visit("reviews:changes (notice)", f"{changes}?question={qid}&version=1&since={since}")
    expect(page.locator("#changes-notice")).to_contain_text(f"Changed by {world.reader.username}")

    # Messages that name what was done: a milestone saved, a token revoked.
    page.goto(reverse("reviews:milestones", args=[world.workload.pk]))
    page.locator("form.milestone-form input[name=name]").fill(x.short(x.TITLE, x.SVG, limit=100))
    page.get_by_role("button", name="Save a milestone").click()
    expect(page.locator(".message-success")).to_contain_text("Saved milestone 3")
    watch.audit("reviews:milestones (saved)")
    page.goto(reverse("accounts:token-revoke", args=[world.token_pk]))
    page.get_by_role("button", name="Revoke the token").click()
    expect(page.locator(".message-success")).to_contain_text("Revoked the token")
    watch.audit("accounts:token-revoke (done)")
    _report(watch, "the fragments")


def test_reports_show_the_payloads_as_text(xss_page, world, pdftotext, tmp_path):
    # The lens import keeps javascript: and data: URLs (the file is kept as written) with a
    # warning; they never become links, on the pages (the walk) or in the PDFs (below).
    assert any(w.get("code") == "url_not_http" for w in world.import_warnings), world.import_warnings
    for resource in world.lens.versions.get(label=LABELS[0]).resources.all():
        assert resource.link is None or resource.url == x.HTTP_BREAKER, resource.url

    reports = request_reports(world)
    for report in reports:
        render_report(report.pk)  # the Celery task, run here: the worker's code path
        report.refresh_from_db()
        assert report.status == Report.Status.DONE, f"{report.kind} {report.format}: {report.error}"
    page, watch = xss_page(world)

    for report in reports:
        what = f"{report.kind} {report.format} (milestone {report.milestone_number})"
        body = download(page, report).body()
        if report.format == "PDF":
            assert body.startswith(b"%PDF"), what
            uris, problems = pdf_links(body)
            assert not problems, f"{what}: {problems}"
            path = tmp_path / f"{report.pk}.pdf"
            path.write_bytes(body)
            text = subprocess.run(  # noqa: S603 - pdftotext on our own file
                [pdftotext, str(path), "-"], capture_output=True, text=True, check=True
            ).stdout
            assert x.SCRIPT in re.sub(r"\s+", "", text), f"{what}: the payload is not shown as text"
            if report.kind == "LENS_REVIEW":
                # The lens's one http(s) resource URL is a link, its quote kept inside the URL.
                # (WeasyPrint writes the quote as %22.)
                assert x.HTTP_BREAKER.replace('"', "%22") in uris, f"{what}: links {uris}"
        elif report.format == "CSV":
            rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
            cells = [cell for row in rows for cell in row]
            formulas = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
            assert not formulas, f"{what}: cells a spreadsheet would run: {formulas}"
            assert any(cell.startswith("'" + x.CSV_FORMULA) for cell in cells), f"{what}: {cells}"
        else:
            response = download(page, report)
            assert response.headers["content-type"].startswith("application/json")
            assert x.NAME_100 in json_strings(json.loads(body)), what

    # The lens file and the workload's backup: JSON attachments.
    downloads = [
        reverse("lens:export", args=[world.lens.alias]),
        reverse("reviews:workload-export", args=[world.workload.pk]),
    ]
    for url in downloads:
        response = page.request.get(url)
        assert response.ok, f"{url}: HTTP {response.status}"
        assert response.headers["content-type"].startswith("application/json"), url
        assert response.headers["content-disposition"].startswith("attachment"), url
        assert response.headers.get("x-content-type-options") == "nosniff", url

    # The reports' pages with every report done: their rows and links.
    watch.visit("reviews:reports", reverse("reviews:reports", args=[world.workload.pk]))
    watch.visit("reviews:consolidated-reports", reverse("reviews:consolidated-reports"))
    _report(watch, "the reports' pages")
