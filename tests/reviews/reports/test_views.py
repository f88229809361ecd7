"""The reports pages (issue 6): who may ask, what a refusal names, the queue down, the row that htmx
polls, downloads checked at the moment of the download, and files never served as static or media.

No worker runs here: a report asked for stays QUEUED (its enqueueing waits for a commit that a test
never makes), and a report in another state is made directly (tests/reviews/reports/pages.py)."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models import Report, Share
from reviews.services import share_revoke, workload_update
from reviews.services.milestones import milestone_create
from tests.reviews.reports.pages import PDF, broker_down, report_in

pytestmark = pytest.mark.django_db

S = Report.Status
SEES = ("owner", "contributor", "reader", "auditor")


def reports_url(s) -> str:
    return reverse("reviews:reports", args=[s.workload.pk])


def plan_post(file_format: str = "CSV") -> dict:
    return {"kind": "IMPROVEMENT_PLAN", "plan-format": file_format}


def lens_post(alias: str = "ml-lens-2021", milestone: str = "") -> dict:
    return {"kind": "LENS_REVIEW", "lens-review-lens": alias, "lens-review-milestone": milestone}


# --- asking ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", SEES)
def test_everyone_who_sees_the_workload_may_ask_for_its_reports(
    client_for, shared_workload, role, django_capture_on_commit_callbacks
):
    s, user = shared_workload, getattr(shared_workload, role)
    client = client_for(user)
    assert client.get(reports_url(s)).status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reports_url(s), plan_post())
    assert response.status_code == 302
    assert response["Location"] == reports_url(s)
    report = Report.objects.get()
    assert (report.requested_by, report.workload, report.kind, report.format, report.status) == (
        user,
        s.workload,
        Report.Kind.IMPROVEMENT_PLAN,
        Report.Format.CSV,
        S.QUEUED,
    )
    assert len(callbacks) == 1  # queued once the transaction commits
    page = client.get(reports_url(s)).content.decode()
    assert f'id="report-{report.pk}"' in page


def test_an_outsider_gets_a_404_and_asks_for_nothing(client_for, shared_workload):
    client = client_for(shared_workload.outsider)
    assert client.get(reports_url(shared_workload)).status_code == 404
    assert client.post(reports_url(shared_workload), plan_post()).status_code == 404
    assert not Report.objects.exists()


def test_a_lens_review_report_names_its_lens_and_milestone(client_for, shared_workload):
    s = shared_workload
    milestone_create(workload=s.workload, actor=s.owner, name="Before launch")
    client = client_for(s.reader)
    page = client.get(reports_url(s)).content.decode()
    assert "Milestone 1: Before launch" in page
    assert client.post(reports_url(s), lens_post(milestone="1")).status_code == 302
    report = Report.objects.get()
    assert (report.kind, report.format, report.lens_alias, report.milestone_number) == (
        Report.Kind.LENS_REVIEW,
        Report.Format.PDF,
        "ml-lens-2021",
        1,
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, None, "kind: Choose a lens review report or the improvement plan."),
        ({"kind": "SOMETHING"}, None, "kind: Choose"),
        (plan_post("JSON"), "format", "Select a valid choice"),
        (lens_post(alias="no-such-lens"), "lens", "Select a valid choice"),
        (lens_post(milestone="7"), "milestone", "Select a valid choice"),
    ],
)
def test_a_bad_request_is_a_400_that_names_the_field(client_for, shared_workload, data, field, message):
    response = client_for(shared_workload.owner).post(reports_url(shared_workload), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    if field is not None:
        forms = [response.context["lens_form"], response.context["plan_form"]]
        assert any(field in form.errors for form in forms)
    assert not Report.objects.exists()


def test_with_the_queue_down_the_page_says_so_with_a_503(client_for, shared_workload, settings, monkeypatch):
    client = client_for(shared_workload.reader)
    with broker_down(settings, monkeypatch):
        response = client.post(reports_url(shared_workload), plan_post())
    assert response.status_code == 503
    page = response.content.decode()
    assert "The report queue is unavailable" in page
    report = Report.objects.get()
    assert (report.status, report.error) == (S.FAILED, "the report queue is unavailable")
    assert "the report queue is unavailable" in page  # its row, with the reason
    # The rest of the application works on.
    assert client.get(reverse("reviews:workload", args=[shared_workload.workload.pk])).status_code == 200


# --- the consolidated report -------------------------------------------------------------------------


def test_the_consolidated_report_takes_the_dashboards_filters(client_for, shared_workload):
    client = client_for(shared_workload.auditor)
    url = reverse("reviews:consolidated-reports")
    page = client.get(url, {"environment": "PRODUCTION", "has_high": "true", "q": "fraud"}).content.decode()
    # in the fields of the request's form, by their v1 names (`q` is deprecated)
    assert '<option value="PRODUCTION" selected>' in page
    assert '<option value="true" selected>' in page
    assert 'name="search" id="id_search" value="fraud"' in page
    assert 'id="id_q"' not in page  # the filters' (the header's site search is q too)
    assert 'type="hidden" name="search"' not in page  # no copy of them to fall out of step
    assert "0 workloads match" in page
    data = {"environment": "PRODUCTION", "has_high": "true", "search": "fraud", "format": "JSON"}
    response = client.post(url, data)
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.kind, report.format, report.workload) == (Report.Kind.CONSOLIDATED, "JSON", None)
    assert report.filters["environment"] == "PRODUCTION"
    assert report.filters["has_high"] is True
    assert report.filters["search"] == "fraud"
    listed = client.get(url).content.decode()
    assert f'id="report-{report.pk}"' in listed
    assert "search: fraud · environment: PRODUCTION · has_high: true" in listed


@pytest.mark.parametrize(
    ("data", "form", "field"),
    [
        ({"format": "XML"}, "form", "format"),
        ({"format": "PDF", "environment": "MARS"}, "filter_form", "environment"),
        ({"format": "PDF", "has_high": "yes"}, "filter_form", "has_high"),
        ({"format": "PDF", "sort": "size"}, "filter_form", "ordering"),  # shown on the field it fills
        ({"format": "PDF", "q": "a", "search": "b"}, "filter_form", "search"),
    ],
)
def test_a_bad_consolidated_request_is_a_400_naming_the_field(client_for, shared_workload, data, form, field):
    response = client_for(shared_workload.owner).post(reverse("reviews:consolidated-reports"), data)
    assert response.status_code == 400
    assert field in response.context[form].errors
    assert not Report.objects.exists()


def test_the_consolidated_page_lists_only_ones_own_consolidated_reports(client_for, shared_workload):
    s = shared_workload
    mine = report_in(S.DONE, user=s.owner, kind=Report.Kind.CONSOLIDATED)
    theirs = report_in(S.DONE, user=s.reader, kind=Report.Kind.CONSOLIDATED)
    about_the_workload = report_in(S.DONE, user=s.owner, workload=s.workload)
    page = client_for(s.owner).get(reverse("reviews:consolidated-reports")).content.decode()
    assert f'id="report-{mine.pk}"' in page
    assert f'id="report-{theirs.pk}"' not in page
    assert f'id="report-{about_the_workload.pk}"' not in page


# --- progress --------------------------------------------------------------------------------------


def test_a_report_on_its_way_polls_its_status_and_stops_once_done(client_for, shared_workload):
    s = shared_workload
    report = report_in(S.RUNNING, user=s.owner, workload=s.workload)
    client = client_for(s.owner)
    status_url = reverse("reviews:report-status", args=[report.pk])
    page = client.get(reports_url(s)).content.decode()
    assert f'hx-get="{status_url}"' in page
    assert 'hx-trigger="every 2s"' in page
    assert '<progress max="100" value="40"' in page

    row = client.get(status_url)
    assert row.status_code == 200
    assert row["Cache-Control"] == "private, no-store"
    assert row.content.decode().lstrip().startswith(f'<tr id="report-{report.pk}"')
    assert 'hx-trigger="every 2s"' in row.content.decode()

    Report.objects.filter(pk=report.pk).update(status=S.DONE, progress=100)
    done = client.get(status_url).content.decode()
    assert "hx-trigger" not in done  # the swapped row polls no more
    assert reverse("reviews:report-download", args=[report.pk]) in done


def test_a_failed_report_shows_its_reason_and_polls_no_more(client_for, shared_workload):
    s = shared_workload
    report = report_in(S.FAILED, user=s.owner, workload=s.workload, error="The renderer ran out of time.")
    row = client_for(s.owner).get(reverse("reviews:report-status", args=[report.pk])).content.decode()
    assert "The renderer ran out of time." in row
    assert "hx-trigger" not in row
    assert reverse("reviews:report-download", args=[report.pk]) not in row


@pytest.mark.parametrize("role", ["contributor", "reader", "auditor", "outsider"])
def test_a_reports_status_is_its_requesters_alone(client_for, shared_workload, role):
    report = report_in(S.RUNNING, user=shared_workload.owner, workload=shared_workload.workload)
    client = client_for(getattr(shared_workload, role))
    assert client.get(reverse("reviews:report-status", args=[report.pk])).status_code == 404


# --- downloads -------------------------------------------------------------------------------------


def test_the_requester_downloads_the_file_as_an_attachment_that_no_cache_keeps(client_for, shared_workload):
    s = shared_workload
    report = report_in(S.DONE, user=s.reader, workload=s.workload)
    response = client_for(s.reader).get(reverse("reviews:report-download", args=[report.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == f'attachment; filename="{report.file_name}"'
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("status", [S.QUEUED, S.RUNNING, S.FAILED])
def test_there_is_nothing_to_download_until_the_report_is_done(client_for, shared_workload, status):
    report = report_in(status, user=shared_workload.owner, workload=shared_workload.workload)
    response = client_for(shared_workload.owner).get(reverse("reviews:report-download", args=[report.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["contributor", "reader", "auditor", "outsider"])
def test_no_one_else_downloads_a_report(client_for, shared_workload, role):
    report = report_in(S.DONE, user=shared_workload.owner, workload=shared_workload.workload)
    client = client_for(getattr(shared_workload, role))
    assert client.get(reverse("reviews:report-download", args=[report.pk])).status_code == 404


def test_access_is_checked_at_the_moment_of_the_download(client_for, shared_workload):
    s = shared_workload
    report = report_in(S.DONE, user=s.reader, workload=s.workload)
    client = client_for(s.reader)
    url = reverse("reviews:report-download", args=[report.pk])
    assert client.get(url).status_code == 200
    share_revoke(share=Share.objects.get(user=s.reader), actor=s.owner)
    assert client.get(url).status_code == 404
    assert client.get(reverse("reviews:report-status", args=[report.pk])).status_code == 404


def test_report_files_are_never_served_as_static_or_media_files(client_for, shared_workload, settings):
    s = shared_workload
    report = report_in(S.DONE, user=s.owner, workload=s.workload)
    client = client_for(s.owner)
    for prefix in ("/media/", "/static/", "/media/reports/", "/static/reports/", "/reports/"):
        assert client.get(f"{prefix}{report.file_path}").status_code == 404, prefix
    # The folder itself lies outside every folder a server serves (settings.py's defaults).
    from mlwa import settings as defaults

    reports = Path(defaults.MLWA_REPORTS_DIR).resolve()
    for served in (defaults.MEDIA_ROOT, defaults.STATIC_ROOT, *defaults.STATICFILES_DIRS):
        assert not reports.is_relative_to(Path(served).resolve()), served


# --- deleting --------------------------------------------------------------------------------------


def test_the_requester_deletes_a_report_and_its_file(
    client_for, shared_workload, reports_dir, django_capture_on_commit_callbacks
):
    s = shared_workload
    report = report_in(S.DONE, user=s.contributor, workload=s.workload)
    path = Path(reports_dir) / report.file_path
    assert path.is_file()
    client = client_for(s.contributor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reviews:report-delete", args=[report.pk]))
    assert response.status_code == 302
    assert response["Location"] == reports_url(s)
    assert not Report.objects.exists()
    assert not path.exists()


def test_no_one_else_deletes_a_report(client_for, shared_workload):
    report = report_in(S.DONE, user=shared_workload.owner, workload=shared_workload.workload)
    for role in ("contributor", "reader", "auditor", "outsider"):
        client = client_for(getattr(shared_workload, role))
        assert client.post(reverse("reviews:report-delete", args=[report.pk])).status_code == 404
    assert Report.objects.filter(pk=report.pk).exists()


# --- text, links and queries -----------------------------------------------------------------------


def test_user_text_is_shown_as_text(client_for, shared_workload):
    s = shared_workload
    workload_update(workload=s.workload, actor=s.owner, fields={"name": "<script>alert(1)</script>"})
    milestone_create(workload=s.workload, actor=s.owner, name="<img src=x onerror=alert(2)>")
    report_in(S.FAILED, user=s.owner, workload=s.workload, error="<b>bold</b> failure")
    client = client_for(s.owner)
    page = client.get(reports_url(s)).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "<b>bold</b>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; failure" in page
    consolidated = client.get(reverse("reviews:consolidated-reports"), {"q": '"><script>x</script>'})
    assert "<script>x</script>" not in consolidated.content.decode()


def test_the_workload_page_and_the_dashboard_link_to_the_reports(client_for, shared_workload):
    client = client_for(shared_workload.reader)
    workload_page = client.get(reverse("reviews:workload", args=[shared_workload.workload.pk]))
    assert f'href="{reports_url(shared_workload)}"' in workload_page.content.decode()
    dashboard = client.get(reverse("reviews:dashboard"))
    assert f'href="{reverse("reviews:consolidated-reports")}"' in dashboard.content.decode()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_lists_cost_the_same_queries_for_any_number_of_reports(client_for, shared_workload):
    s = shared_workload
    client = client_for(s.owner)
    consolidated = reverse("reviews:consolidated-reports")
    report_in(S.DONE, user=s.owner, workload=s.workload)
    report_in(S.DONE, user=s.owner, kind=Report.Kind.CONSOLIDATED)
    milestone_create(workload=s.workload, actor=s.owner, name="One")
    client.get(reports_url(s))  # the session's first use
    # session, user, workload with the role, lenses applied, milestones, reports
    small = (_queries(client, reports_url(s)), _queries(client, consolidated))
    assert small[0] == 6
    for number in range(5):
        milestone_create(workload=s.workload, actor=s.owner, name=f"More {number}")
        for status in S.values:
            report_in(status, user=s.owner, workload=s.workload)
            report_in(status, user=s.owner, kind=Report.Kind.CONSOLIDATED, format="JSON")
    assert (_queries(client, reports_url(s)), _queries(client, consolidated)) == small
