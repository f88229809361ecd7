"""One click from a lens review's overview to a downloaded PDF (issue 17), at 1440x900 and 390x844:
"Generate report" asks for the lens review report, its progress shows in place (the page is not
reloaded) while a real Celery worker renders it, and the download is offered where the button is;
the PDF holds the workload's name and its executive summary. The Reports page lists it as history.

The worker is Celery's testing worker on an in-memory broker (in_memory_broker), as in the other
report journeys, so that it reads the live server's database."""

import re
import subprocess

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from playwright.sync_api import expect

from mlwa.celery import app as celery_app
from reviews.services import answer_update, workload_create

PASSWORD = "rosa-password"  # noqa: S105
ALIAS = "ml-lens-2021"
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_one_click_from_the_overview_to_a_downloaded_pdf(
    django_user_model,
    logged_in_page,
    assert_no_console_errors,
    pdftotext,
    in_memory_broker,
    tmp_path,
    viewport,
):
    user = django_user_model.objects.create_user("rosa", password=PASSWORD)
    workload = workload_create(owner=user, fields={"name": "Demand forecasting", "environment": "PRODUCTION"})
    review = workload.lens_reviews.get()
    answer = review.answers.select_related("question").order_by("pk").first()
    answer_update(
        answer=answer, actor=user, changes={"selected_choices": ["MLOPS01_BP01"]}, expected_version=0
    )

    page = logged_in_page(user, PASSWORD)
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto(reverse("reviews:review", args=[workload.pk, ALIAS]))
    page.evaluate("window.__mlwaMarker = 7")
    button = page.get_by_role("button", name=re.compile(r"^Generate report"))
    expect(button).to_be_visible()
    button.click()

    place = page.locator(".report-place .report-in-place")
    # No worker yet: the report waits in the queue, its progress shown in place.
    expect(place.locator(".report-status-label")).to_have_text("Report queued")
    expect(place.locator("progress")).to_have_attribute("value", "0")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        download = place.get_by_role("link", name="Download the PDF")
        expect(download).to_be_visible(timeout=30_000)
    assert page.evaluate("window.__mlwaMarker") == 7, "the page reloaded"
    expect(place.locator(".report-status-label")).to_have_text("Report ready")
    box = download.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= VIEWPORTS[viewport]["width"]  # reachable, not off screen

    with page.expect_download() as download_info:
        download.click()
    path = tmp_path / "report.pdf"
    download_info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    text = subprocess.run(  # noqa: S603 - pdftotext on our own file
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    assert "Demand forecasting" in flat
    assert "Executive summary" in flat
    assert "Environment Production" in flat
    assert re.search(r"Page 2 of \d+", flat)

    # The Reports page keeps it, as history.
    page.get_by_role("link", name="All reports").click()
    expect(page.locator("tr.report-row").first.locator(".report-status-label")).to_have_text("Done")
    assert_no_console_errors(page)
