"""'Generate report' in place (issue 17): on a lens review's overview and the workload page, one
button asks for the lens review PDF; asked by htmx, the answer is the report's progress where the
button is, polling its status until it offers the download; without JavaScript the post lands on
the Reports page, which stays the history."""

import json
import re

import pytest
from django.urls import reverse

from reviews.models import Report
from reviews.services.milestones import milestone_create
from tests.reviews.reports.pages import broker_down, report_in

pytestmark = pytest.mark.django_db

S = Report.Status
HTMX = {"HX-Request": "true"}
ALIAS = "ml-lens-2021"


def overview_url(s, milestone: int | None = None) -> str:
    if milestone:
        return reverse("reviews:milestone-review", args=[s.workload.pk, milestone, ALIAS])
    return reverse("reviews:review", args=[s.workload.pk, ALIAS])


def generate_form(html: str) -> dict:
    """The fields and attributes of the page's 'Generate report' form."""
    form = re.search(r'<div class="report-generate">\s*<form ([^>]*)>(.*?)</form>', html, re.S)
    assert form, "no Generate report form"
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    return {**dict(re.findall(r'([\w-]+)="([^"]*)"', form.group(1))), **fields, "body": form.group(2)}


@pytest.mark.parametrize("page", ["overview", "workload"])
def test_the_overview_and_the_workload_page_have_a_generate_report_button(client_for, shared_workload, page):
    s = shared_workload
    url = overview_url(s) if page == "overview" else reverse("reviews:workload", args=[s.workload.pk])
    html = client_for(s.reader).get(url).content.decode()
    form = generate_form(html)
    reports = reverse("reviews:reports", args=[s.workload.pk])
    assert (form["action"], form["hx-post"]) == (reports, reports)  # the same post with or without JS
    assert (form["kind"], form["lens-review-lens"], form["lens-review-milestone"]) == (
        "LENS_REVIEW",
        ALIAS,
        "",
    )
    place = form["hx-target"].removeprefix("#")
    assert f'<div id="{place}" class="report-place" aria-live="polite"></div>' in html
    assert "Generate report" in form["body"]


def test_a_milestones_overview_asks_for_the_milestones_report(client_for, shared_workload):
    s = shared_workload
    milestone_create(workload=s.workload, actor=s.owner, name="Before launch")
    form = generate_form(client_for(s.owner).get(overview_url(s, milestone=1)).content.decode())
    assert form["lens-review-milestone"] == "1"


def test_asked_by_htmx_the_answer_is_the_progress_in_place_which_polls_until_the_download(
    client_for, shared_workload
):
    s = shared_workload
    client = client_for(s.contributor)
    post = {"kind": "LENS_REVIEW", "lens-review-lens": ALIAS, "lens-review-milestone": ""}
    response = client.post(reverse("reviews:reports", args=[s.workload.pk]), post, headers=HTMX)
    assert response.status_code == 200
    report = Report.objects.get()
    assert (report.requested_by, report.kind, report.lens_alias, report.status) == (
        s.contributor,
        Report.Kind.LENS_REVIEW,
        ALIAS,
        S.QUEUED,
    )
    html = response.content.decode()
    status_url = reverse("reviews:report-status", args=[report.pk]) + "?in_place=1"
    assert f'hx-get="{status_url}"' in html
    assert 'hx-trigger="every 2s"' in html
    assert "Report queued" in html
    assert '<progress max="100" value="0"' in html

    Report.objects.filter(pk=report.pk).update(status=S.RUNNING, progress=40)
    running = client.get(status_url)
    assert running["Cache-Control"] == "private, no-store"
    assert '<progress max="100" value="40"' in running.content.decode()
    assert running.content.decode().lstrip().startswith('<div class="report-in-place')

    Report.objects.filter(pk=report.pk).update(status=S.DONE, progress=100)
    done = client.get(status_url).content.decode()
    assert "hx-trigger" not in done  # polls no more
    assert f'href="{reverse("reviews:report-download", args=[report.pk])}">Download the PDF</a>' in done
    assert f'href="{reverse("reviews:reports", args=[s.workload.pk])}">All reports</a>' in done


def test_without_javascript_the_post_lands_on_the_reports_page(client_for, shared_workload):
    s = shared_workload
    post = {"kind": "LENS_REVIEW", "lens-review-lens": ALIAS, "lens-review-milestone": ""}
    response = client_for(s.owner).post(reverse("reviews:reports", args=[s.workload.pk]), post)
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:reports", args=[s.workload.pk])


def test_a_failed_report_says_why_in_place(client_for, shared_workload):
    s = shared_workload
    report = report_in(S.FAILED, user=s.owner, workload=s.workload, error="The renderer ran out of time.")
    url = reverse("reviews:report-status", args=[report.pk]) + "?in_place=1"
    html = client_for(s.owner).get(url).content.decode()
    assert "Report failed" in html
    assert "The renderer ran out of time." in html
    assert "hx-trigger" not in html


def test_a_lens_no_longer_applied_is_refused_in_place_naming_the_field(client_for, shared_workload):
    s = shared_workload
    post = {"kind": "LENS_REVIEW", "lens-review-lens": "gone-lens", "lens-review-milestone": ""}
    response = client_for(s.owner).post(reverse("reviews:reports", args=[s.workload.pk]), post, headers=HTMX)
    assert response.status_code == 400
    assert re.search(r'<span class="error">lens: [^<]+</span>', response.content.decode())
    assert not Report.objects.exists()


def test_the_queue_down_is_a_503_with_its_message_as_a_toast(
    client_for, shared_workload, settings, monkeypatch
):
    s = shared_workload
    post = {"kind": "LENS_REVIEW", "lens-review-lens": ALIAS, "lens-review-milestone": ""}
    with broker_down(settings, monkeypatch):
        response = client_for(s.owner).post(
            reverse("reviews:reports", args=[s.workload.pk]), post, headers=HTMX
        )
    assert response.status_code == 503
    toast = json.loads(response["HX-Trigger"])["mlwa:toast"]
    assert toast["level"] == "error"
    assert "queue" in toast["message"]


@pytest.mark.parametrize("role", ["contributor", "reader", "outsider"])
def test_the_in_place_status_is_the_requesters_alone(client_for, shared_workload, role):
    report = report_in(S.RUNNING, user=shared_workload.owner, workload=shared_workload.workload)
    url = reverse("reviews:report-status", args=[report.pk]) + "?in_place=1"
    assert client_for(getattr(shared_workload, role)).get(url).status_code == 404
