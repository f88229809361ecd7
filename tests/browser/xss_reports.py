"""The report checks of tests/browser/test_xss.py: every kind of report asked for, the links and
actions of a PDF, the strings of a JSON document, a download's headers."""

import io
import re

from django.urls import reverse
from playwright.sync_api import Page
from pypdf import PdfReader

from reviews.models import Report
from reviews.reports.services import report_request
from tests.browser.xss_world import World


def request_reports(world: World) -> list[Report]:
    """Every kind of report about the workload: the payload lens's review now and at milestone 1, the
    improvement plan as PDF and CSV, and the consolidated report as PDF and JSON."""
    common = {"actor": world.owner}
    subject = {**common, "workload": world.workload}
    return [
        report_request(**subject, kind="LENS_REVIEW", lens_alias=world.lens.alias),
        report_request(**subject, kind="LENS_REVIEW", lens_alias=world.lens.alias, milestone_number=1),
        report_request(**subject, kind="IMPROVEMENT_PLAN", format="PDF"),
        report_request(**subject, kind="IMPROVEMENT_PLAN", format="CSV"),
        report_request(**common, kind="CONSOLIDATED", format="PDF"),
        report_request(**common, kind="CONSOLIDATED", format="JSON"),
    ]


#: A URL scheme a link must never have in a report; browsers and readers ignore controls and spaces.
BAD_SCHEME = re.compile(r"^(javascript|data|vbscript|file):", re.IGNORECASE)
CONTROLS = re.compile(r"[\x00-\x20\x7f-\x9f]")
#: PDF actions that run something rather than open a web page.
BAD_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/ResetForm", "/Rendition"}


def pdf_links(content: bytes) -> tuple[list[str], list[str]]:
    """The URIs of the PDF's link annotations, and its problems: a URI with a bad scheme, an action
    that runs something, a document or page action."""
    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    problems = [f"document action {key}" for key in ("/OpenAction", "/AA") if key in root]
    names = root.get("/Names")
    if names is not None and "/JavaScript" in names.get_object():
        problems.append("document-level JavaScript")
    uris = []
    for number, pdf_page in enumerate(reader.pages, start=1):
        problems.extend(f"page {number}: page action" for _ in [1] if "/AA" in pdf_page)
        for annotation in pdf_page.get("/Annots") or []:
            annotation = annotation.get_object()
            if "/AA" in annotation:
                problems.append(f"page {number}: annotation with additional actions")
            action = annotation.get("/A")
            if action is None:
                continue
            action = action.get_object()
            if action.get("/S") in BAD_ACTIONS:
                problems.append(f"page {number}: a {action.get('/S')} action")
            if (uri := action.get("/URI")) is not None:
                uris.append(str(uri))
                if BAD_SCHEME.match(CONTROLS.sub("", str(uri))):
                    problems.append(f"page {number}: a link to {uri!r}")
    return uris, problems


def json_strings(value) -> set[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        return {value}
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return set().union(*(json_strings(item) for item in items))


def download(page: Page, report: Report):
    response = page.request.get(reverse("reviews:report-download", args=[report.pk]))
    assert response.ok, f"{report.kind} {report.format}: HTTP {response.status}"
    assert response.headers["content-disposition"].startswith("attachment"), response.headers
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert "text/html" not in response.headers["content-type"]
    return response
