"""/api/v1/reports/ (issue 6): ask (202 with the report's URL), follow, download (404 until done,
and access checked at the moment of the download), list, delete; 400 naming the field, 503 with the
queue down, read-only tokens that read but do not ask.

No worker runs here: a report asked for stays QUEUED (its enqueueing waits for a commit that a test
never makes), and a report in another state is made directly (tests/reviews/reports/pages.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.models import Report, Share
from reviews.services import share_revoke
from reviews.services.milestones import milestone_create
from tests.reviews.reports.pages import PDF, broker_down, report_in

pytestmark = pytest.mark.django_db

S = Report.Status
URL = "/api/v1/reports/"


def plan(s, **extra) -> dict:
    return {"kind": "IMPROVEMENT_PLAN", "format": "CSV", "workload": s.workload.pk, **extra}


@pytest.mark.parametrize("role", ["owner", "contributor", "reader", "auditor"])
def test_everyone_who_sees_the_workload_asks_and_gets_a_202_with_the_reports_url(
    api_for, shared_workload, role, django_capture_on_commit_callbacks
):
    s = shared_workload
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_for(getattr(s, role)).post(URL, plan(s), format="json")
    assert response.status_code == 202, response.content
    report = Report.objects.get()
    body = response.json()
    assert response["Location"] == f"http://testserver{URL}{report.pk}/"
    assert body["url"] == response["Location"]
    assert body["id"] == report.pk
    assert (body["kind"], body["format"], body["workload"], body["status"], body["progress"]) == (
        "IMPROVEMENT_PLAN",
        "CSV",
        s.workload.pk,
        "QUEUED",
        0,
    )
    assert body["download_url"] is None
    assert report.requested_by == getattr(s, role)
    assert len(callbacks) == 1  # queued once the transaction commits


def test_an_outsider_gets_a_404_for_the_workload_and_nothing_is_asked(api_for, shared_workload):
    response = api_for(shared_workload.outsider).post(URL, plan(shared_workload), format="json")
    assert response.status_code == 404
    assert not Report.objects.exists()


def test_a_read_only_token_reads_and_downloads_but_neither_asks_nor_deletes(api_for, shared_workload):
    s = shared_workload
    report = report_in(S.DONE, user=s.owner, workload=s.workload)
    client = api_for(s.owner, read_only=True)
    assert client.post(URL, plan(s), format="json").status_code == 403
    assert client.delete(f"{URL}{report.pk}/").status_code == 403
    assert client.get(f"{URL}{report.pk}/").status_code == 200
    assert client.get(f"{URL}{report.pk}/download/").status_code == 200
    assert list(Report.objects.all()) == [report]


def test_a_lens_review_at_a_milestone_and_a_consolidated_report(api_for, shared_workload):
    s = shared_workload
    milestone_create(workload=s.workload, actor=s.owner, name="Before launch")
    client = api_for(s.reader)
    asked = {"kind": "LENS_REVIEW", "workload": s.workload.pk, "lens": "ml-lens-2021", "milestone": 1}
    body = client.post(URL, asked, format="json").json()
    assert (body["kind"], body["format"], body["lens"], body["milestone"]) == (
        "LENS_REVIEW",
        "PDF",
        "ml-lens-2021",
        1,
    )
    whole = {
        "kind": "CONSOLIDATED",
        "format": "JSON",
        "filters": {"environment": "PRODUCTION", "has_high": True},
    }
    body = client.post(URL, whole, format="json").json()
    assert (body["kind"], body["workload"], body["filters"]["environment"], body["filters"]["has_high"]) == (
        "CONSOLIDATED",
        None,
        "PRODUCTION",
        True,
    )


@pytest.mark.parametrize(
    ("asked", "field", "code"),
    [
        ({"format": "PDF"}, "kind", "invalid"),
        ({"kind": "REPORT"}, "kind", "invalid"),
        ({"kind": "LENS_REVIEW", "format": "CSV", "workload": "W"}, "format", "refused"),
        ({"kind": "LENS_REVIEW"}, "workload_id", "refused"),
        ({"kind": "LENS_REVIEW", "workload": "W", "lens": "no-such-lens"}, "lens", "unknown_reference"),
        ({"kind": "LENS_REVIEW", "workload": "W", "milestone": 9}, "milestone", "unknown_reference"),
        ({"kind": "LENS_REVIEW", "workload": "W", "milestone": 0}, "milestone", "invalid"),
        ({"kind": "LENS_REVIEW", "workload": "W", "milestone": 2**40}, "milestone", "invalid"),
        ({"kind": "IMPROVEMENT_PLAN", "workload": "W", "colour": "red"}, "colour", "invalid"),
        ({"kind": "CONSOLIDATED", "filters": {"environment": "MARS"}}, "filters.environment", "invalid"),
        ({"kind": "CONSOLIDATED", "filters": {"planet": "Mars"}}, "filters.planet", "invalid"),
        ({"kind": "CONSOLIDATED", "workload": "W"}, "workload", "refused"),
    ],
)
def test_a_bad_request_is_a_400_that_names_the_field(api_for, shared_workload, asked, field, code):
    if asked.get("workload") == "W":
        asked = {**asked, "workload": shared_workload.workload.pk}
    response = api_for(shared_workload.owner).post(URL, asked, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], list(body["fields"])) == (code, [field]), body
    assert not Report.objects.exists()


def test_with_the_queue_down_asking_is_a_503_that_says_so(api_for, shared_workload, settings, monkeypatch):
    client = api_for(shared_workload.reader)
    with broker_down(settings, monkeypatch):
        response = client.post(URL, plan(shared_workload), format="json")
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "queue_unavailable"
    assert "queue is unavailable" in body["message"]
    assert body["fields"] == {}
    report = Report.objects.get()
    assert (report.status, report.error) == (S.FAILED, "the report queue is unavailable")
    # The rest of the API works on, the failed report with its reason included.
    listed = client.get(URL).json()["results"]
    assert [(item["id"], item["status"], item["error"]) for item in listed] == [
        (report.pk, "FAILED", "the report queue is unavailable")
    ]
    assert client.get(f"/api/v1/workloads/{shared_workload.workload.pk}/").status_code == 200


def test_a_report_shows_its_progress_then_its_download(api_for, shared_workload):
    s = shared_workload
    report = report_in(S.RUNNING, user=s.owner, workload=s.workload)
    client = api_for(s.owner)
    body = client.get(f"{URL}{report.pk}/").json()
    assert (body["status"], body["progress"], body["download_url"]) == ("RUNNING", 40, None)
    assert client.get(f"{URL}{report.pk}/download/").status_code == 404

    report.delete()
    done = report_in(S.DONE, user=s.owner, workload=s.workload)
    body = client.get(f"{URL}{done.pk}/").json()
    assert body["download_url"] == f"http://testserver{URL}{done.pk}/download/"
    response = client.get(body["download_url"], HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{done.file_name}"'
    assert response["Cache-Control"] == "private, no-store"


def test_a_failed_report_gives_its_reason_and_no_file(api_for, shared_workload):
    s = shared_workload
    report = report_in(S.FAILED, user=s.owner, workload=s.workload, error="The renderer ran out of time.")
    client = api_for(s.owner)
    assert client.get(f"{URL}{report.pk}/").json()["error"] == "The renderer ran out of time."
    response = client.get(f"{URL}{report.pk}/download/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_access_is_checked_at_the_moment_of_the_download(api_for, shared_workload):
    s = shared_workload
    report = report_in(S.DONE, user=s.reader, workload=s.workload)
    client = api_for(s.reader)
    assert client.get(f"{URL}{report.pk}/download/").status_code == 200
    share_revoke(share=Share.objects.get(user=s.reader), actor=s.owner)
    assert client.get(f"{URL}{report.pk}/download/").status_code == 404
    assert client.get(f"{URL}{report.pk}/").status_code == 404
    assert client.get(URL).json()["count"] == 0


@pytest.mark.parametrize("role", ["contributor", "reader", "auditor", "outsider"])
def test_a_report_is_its_requesters_alone(api_for, shared_workload, role):
    report = report_in(S.DONE, user=shared_workload.owner, workload=shared_workload.workload)
    client = api_for(getattr(shared_workload, role))
    for path in (f"{URL}{report.pk}/", f"{URL}{report.pk}/download/"):
        assert client.get(path).status_code == 404
    assert client.delete(f"{URL}{report.pk}/").status_code == 404
    assert client.get(URL).json()["count"] == 0
    assert Report.objects.filter(pk=report.pk).exists()


def test_the_requester_deletes_a_report_and_its_file(
    api_for, shared_workload, settings, django_capture_on_commit_callbacks
):
    s = shared_workload
    report = report_in(S.DONE, user=s.owner, workload=s.workload)
    path = settings.MLWA_REPORTS_DIR / report.file_path
    assert path.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        assert api_for(s.owner).delete(f"{URL}{report.pk}/").status_code == 204
    assert not Report.objects.exists()
    assert not path.exists()


def test_the_list_filters_by_workload_and_status(api_for, shared_workload):
    s = shared_workload
    done = report_in(S.DONE, user=s.owner, workload=s.workload)
    failed = report_in(S.FAILED, user=s.owner, workload=s.workload)
    whole = report_in(S.QUEUED, user=s.owner, kind=Report.Kind.CONSOLIDATED)
    report_in(S.DONE, user=s.reader, workload=s.workload)  # someone else's
    client = api_for(s.owner)

    def ids(query: str) -> list[int]:
        response = client.get(f"{URL}{query}")
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["results"]]

    assert ids("") == [whole.pk, failed.pk, done.pk]  # newest first
    assert ids(f"?workload={s.workload.pk}") == [failed.pk, done.pk]
    assert ids("?status=DONE") == [done.pk]
    assert ids("?page_size=1") == [whole.pk]
    response = client.get(f"{URL}?status=LOST")
    assert response.status_code == 400
    assert "status" in response.json()["fields"]


def test_the_list_costs_the_same_queries_for_any_number_of_reports(api_for, shared_workload):
    s = shared_workload
    client = api_for(s.owner)
    report_in(S.DONE, user=s.owner, workload=s.workload)
    client.get(URL)  # the token's first use marks it used, once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    small = queries()
    for _ in range(5):
        for status in S.values:
            report_in(status, user=s.owner, workload=s.workload)
            report_in(status, user=s.owner, kind=Report.Kind.CONSOLIDATED, format="JSON")
    assert queries() == small


def test_a_request_broken_in_its_filters_and_elsewhere_names_every_input_at_fault(api_for, shared_workload):
    asked = {"kind": "IMPROVEMENT_PLAN", "workload": 2.5, "milestone": 2**40, "filters": {"has_high": [1]}}
    response = api_for(shared_workload.owner).post(URL, asked, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {"workload", "milestone", "filters.has_high"}
    assert not Report.objects.exists()
