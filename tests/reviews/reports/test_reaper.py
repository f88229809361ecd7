"""The reaper: reports whose worker died are queued again, and failed with the reason once their
attempts are used up; reports whose task was lost are sent again (issue 6)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.models import Report
from reviews.reports.services import report_request
from reviews.reports.tasks import reap_stale_reports, render_report, report_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(shared_workload, sent):
    report = report_request(
        actor=shared_workload.owner, kind=Report.Kind.LENS_REVIEW, workload=shared_workload.workload
    )
    sent.clear()
    return report


def _worker_dies(report, settings) -> None:
    """A worker claimed `report`, then stopped beating (killed) long enough ago."""
    assert report_claim(report.pk) is not None
    stale = timezone.now() - timedelta(seconds=settings.MLWA_REPORT_HEARTBEAT_STALE + 5)
    Report.objects.filter(pk=report.pk).update(heartbeat_at=stale, progress=40)


def test_a_report_whose_worker_died_is_queued_again_and_then_done(report, sent, settings, fake_render):
    _worker_dies(report, settings)
    assert reap_stale_reports.apply().get() == {"requeued": 1, "failed": 0}
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED
    assert sent == [report.pk]
    render_report.apply(args=[report.pk]).get()
    report.refresh_from_db()
    assert (report.status, report.attempts, report.error) == (Report.Status.DONE, 2, "")


def test_a_report_whose_worker_keeps_dying_fails_with_the_reason(report, sent, settings):
    settings.MLWA_REPORT_MAX_ATTEMPTS = 3
    for _ in range(3):
        _worker_dies(report, settings)
        reap_stale_reports.apply().get()
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.error == "the worker stopped while rendering it, 3 times"
    assert sent == [report.pk, report.pk]  # queued again twice, then given up


def test_a_report_with_a_fresh_heartbeat_is_left_alone(report, sent, settings):
    report_claim(report.pk)
    assert reap_stale_reports.apply().get() == {"requeued": 0, "failed": 0}
    assert Report.objects.get().status == Report.Status.RUNNING
    assert sent == []


def test_a_queued_report_whose_task_was_lost_is_sent_again_once(report, sent, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.MLWA_REPORT_QUEUED_STALE + 5)
    Report.objects.filter(pk=report.pk).update(created_at=long_ago)
    assert reap_stale_reports.apply().get() == {"requeued": 1, "failed": 0}
    assert reap_stale_reports.apply().get() == {"requeued": 0, "failed": 0}  # sent just now
    assert sent == [report.pk]
    assert Report.objects.get().status == Report.Status.QUEUED


def test_done_and_failed_reports_are_never_reaped(report, sent, settings, fake_render):
    render_report.apply(args=[report.pk]).get()
    long_ago = timezone.now() - timedelta(days=1)
    Report.objects.update(heartbeat_at=long_ago, created_at=long_ago)
    assert reap_stale_reports.apply().get() == {"requeued": 0, "failed": 0}
    assert Report.objects.get().status == Report.Status.DONE


def test_the_reaper_runs_every_minute_and_when_a_worker_starts(settings):
    from celery.signals import worker_ready

    from mlwa.celery import app
    from reviews.reports import tasks

    schedule = settings.CELERY_BEAT_SCHEDULE["reap-stale-reports"]
    assert schedule == {"task": "reviews.reports.tasks.reap_stale_reports", "schedule": 60.0}
    assert "reviews.reports.tasks.reap_stale_reports" in app.tasks
    assert any(receiver() is tasks._reap_when_a_worker_starts for _key, receiver in worker_ready.receivers)
