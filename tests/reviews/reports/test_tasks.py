"""The rendering task: it claims the report, renders it with progress, stores the file, and is safe
to run twice; errors that last fail the report with a reason (issue 6)."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

from reviews.models import Report
from reviews.reports import services, tasks
from reviews.reports.services import report_enqueue, report_request
from reviews.reports.tasks import progress_callback, render_report, report_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(shared_workload, sent):
    return report_request(
        actor=shared_workload.owner, kind=Report.Kind.LENS_REVIEW, workload=shared_workload.workload
    )


def test_the_task_claims_renders_and_stores_the_report(report, fake_render, reports_dir):
    render_report.apply(args=[report.pk]).get()
    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    assert (report.progress, report.attempts) == (100, 1)
    assert report.file_path == f"fraud-detection-lens-review-{report.pk}.pdf"
    assert report.file_name == "report.pdf"  # the renderer's name for the download
    assert report.started_at <= report.heartbeat_at <= report.finished_at
    stored = reports_dir / report.file_path
    assert stored.read_bytes() == f"%PDF-1.7 report {report.pk}".encode()
    assert report.file_size == stored.stat().st_size
    assert fake_render.calls == [report.pk]


def test_running_the_task_twice_leaves_one_report_and_one_file(report, fake_render, reports_dir):
    render_report.apply(args=[report.pk]).get()
    render_report.apply(args=[report.pk]).get()  # the same task, delivered again
    assert fake_render.calls == [report.pk]
    assert Report.objects.get().status == Report.Status.DONE
    assert [p.name for p in reports_dir.iterdir()] == [Report.objects.get().file_path]


def test_a_report_being_rendered_is_not_taken_by_a_second_delivery(report, fake_render):
    assert report_claim(report.pk) == 1  # a worker has it, and its heartbeat is fresh
    render_report.apply(args=[report.pk]).get()
    assert fake_render.calls == []
    assert Report.objects.get().attempts == 1


def test_a_report_whose_worker_died_is_taken_again(report, fake_render, settings):
    assert report_claim(report.pk) == 1
    stale = timezone.now() - timedelta(seconds=settings.MLWA_REPORT_HEARTBEAT_STALE + 1)
    Report.objects.filter(pk=report.pk).update(heartbeat_at=stale)
    render_report.apply(args=[report.pk]).get()
    report.refresh_from_db()
    assert (report.status, report.attempts) == (Report.Status.DONE, 2)


def test_a_render_error_fails_the_report_with_the_reason(report, fake_render, reports_dir):
    fake_render.error = ValueError("the lens version is gone")
    render_report.apply(args=[report.pk]).get()
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.error == "the report could not be rendered: the lens version is gone"
    assert report.finished_at is not None
    assert not reports_dir.exists() or list(reports_dir.iterdir()) == []


def test_a_transient_error_gives_the_report_back_and_is_retried(report, fake_render, monkeypatch):
    failures = [OperationalError("the database restarted")]
    real = tasks.report_render

    def flaky(report_id, attempt):
        if failures:
            raise failures.pop()
        real(report_id, attempt)

    monkeypatch.setattr(tasks, "report_render", flaky)
    monkeypatch.setattr(render_report, "retry_backoff", False)  # retry at once, in this process
    result = render_report.apply(args=[report.pk])
    assert result.successful()
    report.refresh_from_db()
    assert (report.status, report.attempts) == (Report.Status.DONE, 2)


def test_a_report_deleted_while_rendering_leaves_no_file(report, monkeypatch, reports_dir):
    def render_then_lose_the_row(report_obj, progress):
        Report.objects.filter(pk=report_obj.pk).delete()
        from tests.reviews.reports.conftest import FakeRendered

        return FakeRendered(content=b"%PDF")

    monkeypatch.setattr(tasks, "render_document", render_then_lose_the_row)
    render_report.apply(args=[report.pk]).get()
    assert not Report.objects.exists()
    assert list(reports_dir.iterdir()) == []


def test_progress_writes_only_progress_and_heartbeat_at_most_twice_a_second(
    report, django_assert_num_queries
):
    attempt = report_claim(report.pk)
    Report.objects.filter(pk=report.pk).update(error="kept", file_name="kept")
    progress = progress_callback(report.pk, attempt, every=3600)
    with django_assert_num_queries(1):  # the first call writes; the next ones are within the interval
        progress(30)
        progress(40)
        progress(250)
    report.refresh_from_db()
    assert (report.progress, report.error, report.file_name) == (30, "kept", "kept")
    progress = progress_callback(report.pk, attempt, every=0)
    before = report.heartbeat_at
    progress(250)
    report.refresh_from_db()
    assert report.progress == 100  # clamped to a percentage
    assert report.heartbeat_at >= before


def test_progress_from_a_run_that_lost_its_claim_is_ignored(report):
    attempt = report_claim(report.pk)
    Report.objects.filter(pk=report.pk).update(attempts=attempt + 1)  # the reaper gave it to another
    progress_callback(report.pk, attempt, every=0)(60)
    assert Report.objects.get().progress == 0


def test_the_embedded_broker_takes_the_task(report, settings, tmp_path):
    """The filesystem transport (no Redis) of `make run`: the message lands in its folder."""
    from mlwa.celery import app

    folder = tmp_path / "queue"
    folder.mkdir()
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(tmp_path / "control"),  # else "control/" in the working folder
        "store_processed": False,
    }
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        assert services.report_enqueue is not report_enqueue  # the fixture's stand-in is not used here
        assert report_enqueue(report) is True
    finally:
        app.conf.task_always_eager = eager
    assert len(list(folder.iterdir())) == 1


def test_an_unexpected_error_is_named_without_its_details(report, fake_render):
    fake_render.error = RuntimeError("password=hunter2 in some internal state")
    render_report.apply(args=[report.pk]).get()
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.error == "the report could not be rendered: an unexpected error (RuntimeError)"
