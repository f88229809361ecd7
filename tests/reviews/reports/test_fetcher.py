"""WeasyPrint fetches nothing from the network (issue 6, item 5): the reports' URL fetcher serves
the project's static files and refuses everything else, and a lens or notes pointing at a local
address render without a single request to it (a real HTTP server counts them)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from reviews.models import Answer, Report
from reviews.reports.rendering import fetcher as fetcher_module
from reviews.reports.rendering import render
from reviews.reports.rendering.fetcher import BASE_URL, RefusedURL, StaticFilesFetcher
from reviews.services import answer_update
from tests.factories import imported_lens, lens_document, workload
from tests.reviews.reports.rendered import lens_report, pdf_text

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


class _Counting(BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self):  # noqa: N802 - http.server's name
        self.requests.append(self.path)
        is_css = self.path.endswith(".css")
        body = b"body { color: red }" if is_css else PNG
        self.send_response(200)
        self.send_header("Content-Type", "text/css" if is_css else "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    """A real HTTP server on 127.0.0.1 (a free port) that records every request's path."""
    handler = type("Handler", (_Counting,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    server.requests = handler.requests
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _hostile_html(url: str) -> str:
    """Markup that asks for `url` every way WeasyPrint fetches: images, stylesheets, imports,
    backgrounds, SVG images, objects, attachments."""
    return f"""<!doctype html><html><head>
      <link rel="stylesheet" href="{url}/linked.css">
      <style>@import url("{url}/imported.css"); body {{ background: url("{url}/bg.png") }}</style>
      <link rel="attachment" href="{url}/attached.png">
    </head><body>
      <img src="{url}/img.png"><img src="file:///etc/hostname"><img src="ftp://127.0.0.1/x.png">
      <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
           width="10" height="10">
        <image href="{url}/svg.png" width="10" height="10"/>
        <image xlink:href="{url}/svg2.png" width="10" height="10"/>
      </svg>
      <object data="{url}/object.png" type="image/png"></object><embed src="{url}/embed.png" type="image/png">
      <a href="{url}/link">a link</a>
    </body></html>"""


def test_the_local_server_counts_what_weasyprint_fetches_by_default(local_server):
    # The control: without our fetcher the same markup does reach the server.
    HTML(string=_hostile_html(local_server.url), url_fetcher=URLFetcher(timeout=5)).write_pdf()
    assert len(local_server.requests) >= 3


def test_weasyprint_with_the_reports_fetcher_requests_nothing(local_server):
    HTML(
        string=_hostile_html(local_server.url), base_url=BASE_URL, url_fetcher=StaticFilesFetcher()
    ).write_pdf()
    assert local_server.requests == []


def test_the_fetcher_serves_the_projects_static_files():
    response = StaticFilesFetcher().fetch(f"{BASE_URL}static/css/report-print.css")
    assert response.read().startswith(b"/* Reports for print")
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "{server}/static/css/report-print.css",
        "https://127.0.0.1/static/css/report-print.css",
        "https://example.com/static/css/report-print.css",
        "file:///etc/passwd",
        "ftp://127.0.0.1/x",
        "data:text/plain,hello",
        f"{BASE_URL}media/report.pdf",
        f"{BASE_URL}static/../mlwa/settings.py",
        f"{BASE_URL}static/%2e%2e/mlwa/settings.py",
        f"{BASE_URL}static//etc/passwd",
        f"{BASE_URL}static/css/no-such-file.css",
        "https://mlwa-report.invalid.example.com/static/css/report-print.css",
        "/static/css/report-print.css",
    ],
)
def test_the_fetcher_refuses_everything_else(local_server, url):
    with pytest.raises(RefusedURL):
        StaticFilesFetcher().fetch(url.format(server=local_server.url))
    assert local_server.requests == []


@pytest.mark.django_db
def test_a_lens_pointing_at_a_local_address_renders_without_a_request_to_it(alice, local_server, monkeypatch):
    url = local_server.url
    document = lens_document("Lens with local links")
    document["description"] = f'<img src="{url}/lens.png"> {url}/description'
    pillar = document["pillars"][0]
    pillar["name"] = f'Pillar <link rel="stylesheet" href="{url}/pillar.css">'
    question = pillar["questions"][0]
    question["title"] = f'Do you <img src="{url}/title.png"> it?'
    question["helpfulResource"] = {"displayText": "Local", "url": f"{url}/helpful"}
    for choice in question["choices"][:-1]:
        choice["improvementPlan"] = {"displayText": f'<img src="{url}/plan.png">', "url": f"{url}/plan"}
    lens = imported_lens(owner=alice, document=document)
    wl = workload(alice, "Local links", lenses=[lens])
    answer = Answer.objects.select_related("question").get(
        lens_review__workload=wl, question__question_id="P1Q1"
    )
    notes = f'<img src="{url}/notes.png"> <style>@import "{url}/notes.css";</style>'
    answer_update(
        answer=answer,
        actor=alice,
        changes={"selected_choices": ["P1Q1_BP1"], "notes": notes},
        expected_version=None,
    )
    fetched = []
    original = StaticFilesFetcher.fetch

    def recording(self, target, headers=None):
        fetched.append(target)
        return original(self, target, headers)

    monkeypatch.setattr(fetcher_module.StaticFilesFetcher, "fetch", recording)
    rendered = render(lens_report(wl, by=alice, alias=lens.alias), lambda percent: None)
    plan = Report.objects.create(
        kind=Report.Kind.IMPROVEMENT_PLAN, format=Report.Format.PDF, requested_by=alice, workload=wl
    )
    render(plan, lambda percent: None)
    assert local_server.requests == []
    # The one thing fetched is our stylesheet, through the fetcher; the lens's links are links.
    assert set(fetched) == {f"{BASE_URL}static/css/report-print.css"}
    text = "".join(pdf_text(rendered.content).split())  # long URLs wrap anywhere
    assert "".join(f'Do you <img src="{url}/title.png"> it?'.split()) in text
    assert "".join(notes.split()) in text
    assert "".join(f'<img src="{url}/plan.png">'.split()) in text
