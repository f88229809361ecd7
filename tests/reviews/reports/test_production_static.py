"""Reports rendered with production settings (issue 17): DEBUG off, the manifest storage's hashed
static names, a static root collected by the test. Before the fix, `{% static %}` wrote
`css/report-print.<hash>.css`, the fetcher's finders knew no such file, WeasyPrint logged
"Failed to load stylesheet ... RefusedURL" and every PDF lost its fonts, contents page numbers
and running footer."""

import logging
import re

import pytest
from django.core.management import call_command
from django.templatetags.static import static

from reviews.reports.rendering import render
from reviews.reports.rendering.fetcher import BASE_URL, RefusedURL, static_path
from tests.factories import imported_lens, lens_document, workload
from tests.reviews.reports.rendered import answer_all, flat, fresh, lens_report, pdf_text

pytestmark = pytest.mark.django_db
PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture
def production_static(settings, tmp_path):
    """DEBUG off and the production storage over a static root collected here, into a tmp dir."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


def test_static_writes_a_hashed_name_that_the_fetcher_serves_from_the_collected_root(production_static):
    url = static("css/report-print.css")
    assert re.fullmatch(r"/static/css/report-print\.[0-9a-f]{12}\.css", url), url
    path = static_path(BASE_URL.rstrip("/") + url)
    assert path.parent == production_static / "css"
    assert b"counter(pages)" in path.read_bytes()


def test_a_hashed_name_the_manifest_does_not_list_is_refused(production_static):
    with pytest.raises(RefusedURL, match="no such static file"):
        static_path(BASE_URL + "static/css/report-print.0123456789ab.css")


def test_a_lens_review_pdf_keeps_its_stylesheet_in_production(production_static, alice, caplog):
    lens = imported_lens(owner=alice, document=lens_document("Small lens", pillars=2, questions=2))
    wl = workload(alice, "Fraud detection", lenses=[lens])
    answer_all(wl, actor=alice)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        rendered = render(fresh(lens_report(wl, by=alice, alias=lens.alias)), lambda _percent: None)
    weasyprint_records = [record for record in caplog.records if record.name.startswith("weasyprint")]
    assert weasyprint_records == [], [record.getMessage() for record in weasyprint_records]
    text = flat(pdf_text(rendered.content))
    # The running footer and the contents' page numbers come from report-print.css alone.
    assert re.search(r"Page 2 of \d+", text), text[:500]
