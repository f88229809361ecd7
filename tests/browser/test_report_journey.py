"""A report, in the browser: ask for the lens review report of a workload, watch its row move from
queued to done without reloading the page, download it, and read it: a PDF whose text holds the
workload's name, every question title of the lens and the risk counts the workload page shows.

The worker is a real Celery worker, started in this process on an in-memory broker (Celery's own
testing worker), so that it reads the live server's database; .ci/run also runs separate worker
processes on Redis end to end."""

import re
import subprocess

from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from playwright.sync_api import expect

from lens.models import Question
from mlwa.celery import app as celery_app
from reviews.models import Answer
from reviews.services import answer_update, workload_create

PASSWORD = "rosa-password"  # noqa: S105
ALIAS = "ml-lens-2021"


def test_ask_for_a_report_watch_it_and_download_it(
    django_user_model, logged_in_page, assert_no_console_errors, pdftotext, in_memory_broker, tmp_path
):
    user = django_user_model.objects.create_user("rosa", password=PASSWORD)
    workload = workload_create(owner=user, fields={"name": "Demand forecasting"})
    review = workload.lens_reviews.get()
    for answer, selected in zip(
        review.answers.select_related("question").order_by("pk")[:3],
        (["MLOPS01_BP01"], ["MLOPS02_no"], ["MLOPS03_BP01", "MLOPS03_BP02"]),
        strict=True,
    ):
        answer_update(answer=answer, actor=user, changes={"selected_choices": selected}, expected_version=0)
    high = review.answers.filter(risk=Answer.Risk.HIGH).count()
    medium = review.answers.filter(risk=Answer.Risk.MEDIUM).count()

    page = logged_in_page(user, PASSWORD)
    page.goto(reverse("reviews:reports", args=[workload.pk]))
    page.evaluate("window.__mlwaMarker = 7")
    page.get_by_role("button", name="Ask for the report").click()
    row = page.locator("tr.report-row").first
    # No worker yet: the report waits in the queue, with its progress bar.
    expect(row.locator(".report-status-label")).to_have_text("Queued")
    expect(row.locator("progress")).to_have_attribute("value", "0")
    page.evaluate("window.__mlwaMarker = 7")  # the POST's redirect loaded a new page: mark this one

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        # The row polls for its status and is swapped in place until the report is done.
        expect(row.locator(".report-status-label")).to_have_text("Done", timeout=30_000)
    assert page.evaluate("window.__mlwaMarker") == 7, "the page reloaded"
    expect(row.locator("progress")).to_have_attribute("value", "100")

    with page.expect_download() as download_info:
        row.get_by_role("link", name="Download").click()
    path = tmp_path / "report.pdf"
    download_info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    text = subprocess.run(  # noqa: S603 - pdftotext on our own file
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", " ", text)
    assert "Demand forecasting" in flat
    for title in Question.objects.filter(version=review.lens_version).values_list("title", flat=True):
        assert re.sub(r"\s+", " ", title) in flat, f"question {title!r} is missing from the PDF"

    # The risk counts the workload page shows are the report's.
    page.goto(reverse("reviews:workload", args=[workload.pk]))
    lens_row = page.locator(".lens-table tbody tr").first
    expect(lens_row.locator(".risk-high")).to_have_text(str(high))
    expect(lens_row.locator(".risk-medium")).to_have_text(str(medium))
    assert re.search(rf"\b{high}\b[^\n]*high", text, re.IGNORECASE), "the high count is not in the PDF"
    assert re.search(rf"\b{medium}\b[^\n]*medium", text, re.IGNORECASE), "the medium count is not in the PDF"
    assert_no_console_errors(page)
