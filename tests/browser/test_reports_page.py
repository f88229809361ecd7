"""The reports page in the browser (issue 6): a report's row follows its progress without a reload
(htmx polls its status), offers the download once it is done, and then polls no more; all under
the Content-Security-Policy, with no console error.

No worker runs here: the test moves the report along itself, as the worker would (its progress,
then DONE with its file), and watches the page follow."""

from django.urls import reverse
from playwright.sync_api import expect

from reviews.models import Report
from reviews.reports.services import report_store
from reviews.services import workload_create

PASSWORD = "rosa-password"  # noqa: S105
PDF = b"%PDF-1.7 a report made for a browser test"


def test_the_progress_bar_moves_and_the_report_downloads_once_done(
    django_user_model, logged_in_page, assert_no_console_errors, settings, tmp_path
):
    settings.MLWA_REPORTS_DIR = tmp_path / "reports"
    user = django_user_model.objects.create_user("rosa", password=PASSWORD)
    workload = workload_create(owner=user, fields={"name": "Demand forecast"})
    report = Report.objects.create(
        kind=Report.Kind.LENS_REVIEW,
        requested_by=user,
        workload=workload,
        lens_alias="ml-lens-2021",
        status=Report.Status.RUNNING,
        progress=10,
    )
    page = logged_in_page(user, PASSWORD)
    page.goto(reverse("reviews:workload", args=[workload.pk]))
    page.get_by_role("link", name="Reports", exact=True).click()
    row = page.locator(f"#report-{report.pk}")
    bar = row.locator("progress")
    expect(bar).to_have_attribute("value", "10")

    Report.objects.filter(pk=report.pk).update(progress=60)
    expect(bar).to_have_attribute("value", "60")  # no reload: the row was swapped

    path, size = report_store(report, PDF)
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.DONE, progress=100, file_path=path, file_name=path, file_size=size
    )
    download_link = row.get_by_role("link", name="Download")
    expect(download_link).to_be_visible()
    expect(row).not_to_have_attribute("hx-trigger", "every 2s")  # done: it polls no more
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename == path
    with open(download.path(), "rb") as file:
        assert file.read() == PDF
    assert_no_console_errors(page)
