"""Asking for a report: who may, what is checked (nothing recorded on a refusal), queueing after the
commit, and the broker down (issue 6)."""

import time

import pytest
from django.http import Http404

from lens.models import BUILTIN_ALIAS
from reviews.models import Report, Share
from reviews.reports.selectors import report_file, report_for, reports_of
from reviews.reports.services import (
    QUEUE_UNAVAILABLE,
    ReportQueueUnavailable,
    report_delete,
    report_filters,
    report_request,
    report_store,
)
from reviews.selectors.dashboard import WorkloadFilters
from reviews.services import InvalidInput, share_revoke
from reviews.services.milestones import milestone_create

pytestmark = pytest.mark.django_db

LENS_REVIEW, PLAN, CONSOLIDATED = (
    Report.Kind.LENS_REVIEW,
    Report.Kind.IMPROVEMENT_PLAN,
    Report.Kind.CONSOLIDATED,
)


@pytest.mark.parametrize("role", ["owner", "contributor", "reader", "auditor"])
def test_every_role_that_sees_the_workload_may_ask_for_its_report(shared_workload, role, sent):
    actor = getattr(shared_workload, role)
    report = report_request(actor=actor, kind=LENS_REVIEW, workload=shared_workload.workload)
    assert report.status == Report.Status.QUEUED
    assert report.requested_by == actor
    assert report.lens_alias == BUILTIN_ALIAS  # the one lens applied is the default
    assert report_for(user=actor, pk=report.pk) == report


def test_an_improvement_plan_comes_as_csv_and_a_consolidated_report_as_json(shared_workload, sent):
    plan = report_request(
        actor=shared_workload.owner, kind=PLAN, format="CSV", workload=shared_workload.workload
    )
    assert (plan.lens_alias, plan.milestone_number) == ("", None)  # the whole plan
    whole = report_request(actor=shared_workload.auditor, kind=CONSOLIDATED, format="JSON")
    assert whole.workload is None
    assert whole.filters == {
        "search": "",
        "environment": "",
        "ownership": "",
        "lens": "",
        "tag": "",
        "owner": "",
        "has_high": None,
        "ordering": "name",
    }


def test_a_consolidated_report_keeps_the_dashboards_filters(shared_workload, sent):
    filters = {"search": " fraud ", "has_high": False, "lens": BUILTIN_ALIAS, "tag": "ml", "ordering": "high"}
    report = report_request(actor=shared_workload.owner, kind=CONSOLIDATED, filters=filters)
    assert report_filters(report) == WorkloadFilters(
        search="fraud", has_high=False, lens=BUILTIN_ALIAS, tag="ml", ordering="high"
    )


def test_the_deprecated_names_are_kept_by_their_v1_names(shared_workload, sent):
    report = report_request(
        actor=shared_workload.owner, kind=CONSOLIDATED, filters={"q": "fraud", "sort": "changed"}
    )
    assert (report.filters["search"], report.filters["ordering"]) == ("fraud", "changed")
    assert not {"q", "sort"} & set(report.filters)


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        # as reports were stored before v1's renames: every name, has_high false for "any"
        (
            {"q": "fraud", "environment": "", "ownership": "", "has_high": False, "lens": "", "tag": "",
             "owner": "", "sort": "high"},
            WorkloadFilters(search="fraud", ordering="high"),
        ),
        ({"q": "", "has_high": True, "sort": "name"}, WorkloadFilters(has_high=True)),
        (
            {"search": "x", "has_high": False, "ordering": "changed"},
            WorkloadFilters(search="x", has_high=False, ordering="changed"),
        ),
        ({}, WorkloadFilters()),
    ],
)  # fmt: skip
def test_stored_filters_read_as_they_meant_when_stored(shared_workload, stored, expected):
    report = Report.objects.create(kind=CONSOLIDATED, requested_by=shared_workload.owner, filters=stored)
    assert report_filters(report) == expected


def test_a_lens_review_report_may_be_of_a_milestone(shared_workload, sent):
    milestone_create(workload=shared_workload.workload, actor=shared_workload.owner, name="Launch")
    report = report_request(
        actor=shared_workload.reader,
        kind=LENS_REVIEW,
        workload=shared_workload.workload,
        lens_alias=BUILTIN_ALIAS,
        milestone_number=1,
    )
    assert report.milestone_number == 1


REFUSALS = [
    pytest.param({"kind": "POEM"}, "kind", id="unknown-kind"),
    pytest.param({"kind": LENS_REVIEW, "format": "CSV"}, "format", id="lens-review-as-csv"),
    pytest.param({"kind": PLAN, "format": "JSON"}, "format", id="plan-as-json"),
    pytest.param({"kind": CONSOLIDATED, "format": "CSV"}, "format", id="consolidated-as-csv"),
    pytest.param({"kind": LENS_REVIEW, "workload": None}, "workload", id="no-workload"),
    pytest.param({"kind": LENS_REVIEW, "lens_alias": "nope"}, "lens_alias", id="lens-not-applied"),
    pytest.param({"kind": PLAN, "lens_alias": "nope"}, "lens_alias", id="plan-lens-not-applied"),
    pytest.param({"kind": LENS_REVIEW, "milestone_number": 7}, "milestone_number", id="no-such-milestone"),
    pytest.param({"kind": LENS_REVIEW, "milestone_number": "1"}, "milestone_number", id="milestone-not-int"),
    pytest.param({"kind": LENS_REVIEW, "filters": {"q": "x"}}, "filters", id="filters-on-a-workload"),
    pytest.param({"kind": CONSOLIDATED, "workload": "yes"}, "workload", id="consolidated-with-workload"),
    pytest.param(
        {"kind": CONSOLIDATED, "workload": None, "lens_alias": "x"}, "lens_alias", id="consolidated-lens"
    ),
    pytest.param({"kind": CONSOLIDATED, "workload": None, "filters": []}, "filters", id="filters-not-object"),
    pytest.param(
        {"kind": CONSOLIDATED, "workload": None, "filters": {"colour": "red"}},
        "filters.colour",
        id="unknown-filter",
    ),
    pytest.param(
        {"kind": CONSOLIDATED, "workload": None, "filters": {"environment": "moon"}},
        "filters.environment",
        id="unknown-environment",
    ),
    pytest.param(
        {"kind": CONSOLIDATED, "workload": None, "filters": {"lens": "x" * 65}},
        "filters.lens",
        id="lens-too-long",
    ),
    pytest.param(
        {"kind": CONSOLIDATED, "workload": None, "filters": {"sort": "size"}},
        "filters.sort",
        id="deprecated-sort-unknown",
    ),
    pytest.param(
        {"kind": CONSOLIDATED, "workload": None, "filters": {"has_high": "false"}},
        "filters.has_high",
        id="has-high-as-text",
    ),
    pytest.param(
        {"kind": CONSOLIDATED, "workload": None, "filters": {"has_high": ""}},
        "filters.has_high",
        id="has-high-empty",  # the schema says a boolean, or null for any
    ),
    pytest.param(
        {"kind": CONSOLIDATED, "workload": None, "filters": {"has_high": "yes"}},
        "filters.has_high",
        id="has-high-not-boolean",
    ),
    pytest.param(
        {"kind": CONSOLIDATED, "workload": None, "filters": {"tag": "x" * 201}},
        "filters.tag",
        id="tag-too-long",
    ),
]


@pytest.mark.parametrize(("arguments", "field"), REFUSALS)
def test_a_bad_request_names_the_field_and_records_nothing(shared_workload, sent, arguments, field):
    arguments = {"workload": shared_workload.workload, **arguments}
    if arguments.get("workload") == "yes":
        arguments["workload"] = shared_workload.workload
    with pytest.raises(InvalidInput) as refused:
        report_request(actor=shared_workload.owner, **arguments)
    assert list(refused.value.errors) == [field]
    assert not Report.objects.exists()
    assert sent == []


def test_the_task_is_sent_only_once_the_request_has_committed(
    shared_workload, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = report_request(
            actor=shared_workload.owner, kind=LENS_REVIEW, workload=shared_workload.workload
        )
        assert sent == []  # not before the commit: a worker would not find the row
    assert len(callbacks) == 1
    callbacks[0]()
    assert sent == [report.pk]


def test_with_the_broker_down_the_report_fails_at_once_with_the_reason(
    shared_workload, settings, django_capture_on_commit_callbacks
):
    # Nothing listens on port 1: the connection is refused, and no retry waits for it.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    settings.CELERY_BROKER_CONNECTION_TIMEOUT = 1
    from mlwa.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    started = time.monotonic()
    try:
        with (
            pytest.raises(ReportQueueUnavailable) as refused,
            django_capture_on_commit_callbacks(execute=True),
        ):
            report_request(actor=shared_workload.owner, kind=LENS_REVIEW, workload=shared_workload.workload)
    finally:
        app.conf.task_always_eager = eager
    assert time.monotonic() - started < 3
    assert refused.value.status == 503
    report = Report.objects.get()
    assert (report.status, report.error) == (Report.Status.FAILED, QUEUE_UNAVAILABLE)
    assert report.finished_at is not None


def test_a_report_is_its_requesters_alone(shared_workload, sent):
    report = report_request(actor=shared_workload.reader, kind=LENS_REVIEW, workload=shared_workload.workload)
    for other in (shared_workload.owner, shared_workload.auditor, shared_workload.outsider):
        with pytest.raises(Http404):
            report_for(user=other, pk=report.pk)
        assert not reports_of(user=other).exists()
    whole = report_request(actor=shared_workload.auditor, kind=CONSOLIDATED)
    with pytest.raises(Http404):
        report_for(user=shared_workload.owner, pk=whole.pk)
    assert list(reports_of(user=shared_workload.auditor)) == [whole]
    with pytest.raises(Http404):
        report_for(user=shared_workload.reader, pk="not-a-number")


def test_a_report_is_out_of_reach_once_its_requester_loses_the_workload(shared_workload, sent):
    reader = shared_workload.reader
    report = report_request(actor=reader, kind=LENS_REVIEW, workload=shared_workload.workload)
    assert list(reports_of(user=reader, workload=shared_workload.workload)) == [report]
    share_revoke(share=Share.objects.get(user=reader), actor=shared_workload.owner)
    with pytest.raises(Http404):
        report_for(user=reader, pk=report.pk)
    assert not reports_of(user=reader).exists()


def test_reports_are_listed_newest_first_in_one_query(shared_workload, sent, django_assert_num_queries):
    owner = shared_workload.owner
    first = report_request(actor=owner, kind=LENS_REVIEW, workload=shared_workload.workload)
    second = report_request(actor=owner, kind=PLAN, format="CSV", workload=shared_workload.workload)
    third = report_request(actor=owner, kind=CONSOLIDATED)
    with django_assert_num_queries(1):  # the reports with their workload, visibility in a subquery
        listed = [(r.pk, r.workload and r.workload.name) for r in reports_of(user=owner)]
    assert [pk for pk, _name in listed] == [third.pk, second.pk, first.pk]
    assert [r.pk for r in reports_of(user=owner, workload=shared_workload.workload)] == [second.pk, first.pk]


def test_a_file_is_served_only_once_done_and_goes_with_its_report(
    shared_workload, sent, reports_dir, django_capture_on_commit_callbacks
):
    report = report_request(actor=shared_workload.owner, kind=LENS_REVIEW, workload=shared_workload.workload)
    with pytest.raises(Http404):
        report_file(report)  # queued: nothing to download yet
    path, size = report_store(report, b"%PDF-1.7")
    assert path == f"fraud-detection-lens-review-{report.pk}.pdf"
    Report.objects.filter(pk=report.pk).update(status=Report.Status.DONE, file_path=path, file_size=size)
    report.refresh_from_db()
    assert report_file(report) == (reports_dir / path).resolve()
    assert report_file(report).read_bytes() == b"%PDF-1.7"
    with django_capture_on_commit_callbacks(execute=True):
        report_delete(report=report, actor=shared_workload.owner)
    assert not Report.objects.exists()
    assert list(reports_dir.iterdir()) == []
