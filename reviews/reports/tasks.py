"""The Celery tasks of reports: render one, and reap those whose worker died.

The Report row is the truth and the task a thin, repeatable wrapper around it. `render_report`
claims the row with a conditional update (QUEUED, or RUNNING with a stale heartbeat, becomes
RUNNING, one attempt more), so a second delivery of the same task finds it RUNNING and fresh, or
DONE, and does nothing. While rendering, the progress callback beats the heartbeat; a worker killed
mid-report leaves a RUNNING row whose heartbeat goes stale, which the reaper (Celery beat, and every
worker at start) queues again, and after MLWA_REPORT_MAX_ATTEMPTS marks FAILED with the reason.

Tasks are acknowledged late and rejected (given back to the queue) when their worker is lost
(settings: CELERY_TASK_ACKS_LATE, CELERY_TASK_REJECT_ON_WORKER_LOST).
"""

import logging
import time
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

from reviews.models.reports import Report
from reviews.reports.events import report_ready_record
from reviews.reports.heartbeat import heartbeat_start, heartbeat_stop
from reviews.reports.services import report_enqueue, report_file_remove, report_store

log = logging.getLogger(__name__)

#: Errors worth another try: the database went away or was restarted, a connection broke.
TRANSIENT = (OperationalError, InterfaceError)

#: The progress callback writes at most this often (seconds): a heartbeat, not a write per question.
PROGRESS_EVERY = 0.5


def render_document(report: Report, progress):
    """RENDER's renderer (reviews.reports.rendering.render), imported when first used."""
    from reviews.reports.rendering import render

    return render(report, progress)


def _stale_before():
    return timezone.now() - timedelta(seconds=settings.MLWA_REPORT_HEARTBEAT_STALE)


def report_claim(report_id: int) -> int | None:
    """Take `report_id` for this run: QUEUED, or RUNNING with a stale heartbeat (its worker died),
    becomes RUNNING with one attempt more. The attempt number this run holds, or None when the
    report is done, failed, gone or rendered by someone else right now. One conditional update."""
    now = timezone.now()
    claimable = Q(status=Report.Status.QUEUED) | Q(
        status=Report.Status.RUNNING, heartbeat_at__lt=_stale_before()
    )
    claimed = Report.objects.filter(claimable, pk=report_id).update(
        status=Report.Status.RUNNING,
        attempts=F("attempts") + 1,
        heartbeat_at=now,
        started_at=now,
        progress=0,
        error="",
    )
    if not claimed:
        return None
    return Report.objects.filter(pk=report_id).values_list("attempts", flat=True).first()


def _mine(report_id: int, attempt: int):
    """The row while this run holds it: RUNNING at the attempt this run claimed."""
    return Report.objects.filter(pk=report_id, status=Report.Status.RUNNING, attempts=attempt)


def progress_callback(report_id: int, attempt: int, *, every: float = PROGRESS_EVERY):
    """A `progress(percent)` for the renderer: writes progress and heartbeat, and nothing else, at
    most every `every` seconds (the first call always), as long as this run holds the report."""
    last = [float("-inf")]

    def progress(percent: int) -> None:
        now = time.monotonic()
        if now - last[0] < every:
            return
        last[0] = now
        percent = max(0, min(100, int(percent)))
        _mine(report_id, attempt).update(progress=percent, heartbeat_at=timezone.now())

    return progress


def _fail(report_id: int, attempt: int | None, error: str) -> None:
    rows = _mine(report_id, attempt) if attempt is not None else Report.objects.filter(pk=report_id)
    rows.update(status=Report.Status.FAILED, error=error[:2000], finished_at=timezone.now())


def _reason(exc: Exception) -> str:
    """What a person reads when rendering failed: the renderer's own words when it refused (the
    report names something no longer there), else the kind of error (the details are in the
    worker's log, not shown to whoever asked)."""
    if isinstance(exc, (ValueError, LookupError, Http404)) and str(exc):
        return f"the report could not be rendered: {exc}"
    return f"the report could not be rendered: an unexpected error ({type(exc).__name__})"


def report_render(report_id: int, attempt: int) -> None:
    """Render the claimed report, store its file and mark it DONE; a non-transient error marks it
    FAILED with a readable reason. Transient errors propagate, for the task to retry."""
    report = Report.objects.select_related("workload", "requested_by").filter(pk=report_id).first()
    if report is None:
        return  # deleted since it was claimed
    try:
        rendered = render_document(report, progress_callback(report_id, attempt))
    except TRANSIENT:
        raise
    except SoftTimeLimitExceeded:
        _fail(report_id, attempt, f"rendering took longer than {settings.MLWA_REPORT_SOFT_TIME_LIMIT} s")
        return
    except Exception as exc:  # noqa: BLE001 - any renderer error is this report's failure
        log.exception("report %s failed", report_id)
        _fail(report_id, attempt, _reason(exc))
        return
    path, size = report_store(report, rendered.content)
    with transaction.atomic():  # done, and its "report ready" event (the outbox), or neither
        done = _mine(report_id, attempt).update(
            status=Report.Status.DONE,
            progress=100,
            heartbeat_at=timezone.now(),
            finished_at=timezone.now(),
            file_name=rendered.file_name or path,
            file_path=path,
            file_size=size,
            error="",
        )
        if done:
            report_ready_record(report)
    if not done and not Report.objects.filter(pk=report_id).exists():
        report_file_remove(path)  # deleted while it rendered: leave nothing behind


def _release(report_id: int, attempt: int) -> None:
    """Give a report back to the queue before a retry, so the retry can claim it (best effort:
    the database may be the thing that is down; then the heartbeat goes stale and the reaper or
    the retry takes it)."""
    try:
        _mine(report_id, attempt).update(status=Report.Status.QUEUED, heartbeat_at=timezone.now())
    except DatabaseError:
        log.warning("could not give report %s back to the queue", report_id, exc_info=True)


@shared_task(
    bind=True,
    name="reviews.reports.tasks.render_report",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=settings.MLWA_REPORT_SOFT_TIME_LIMIT,
    time_limit=settings.MLWA_REPORT_TIME_LIMIT,
)
def render_report(self, report_id: int) -> None:
    """Render report `report_id` unless it is done or being rendered: safe to deliver twice."""
    attempt = report_claim(report_id)
    if attempt is None:
        log.info("report %s: done, gone or taken; nothing to do", report_id)
        return
    try:
        report_render(report_id, attempt)
    except TRANSIENT:
        _release(report_id, attempt)
        raise  # autoretry_for: tried again after a backoff


def reports_reap() -> dict[str, int]:
    """Queue again the reports whose worker died (RUNNING, heartbeat stale) and those whose task
    was lost (QUEUED, sent longer than MLWA_REPORT_QUEUED_STALE ago; for a QUEUED row the
    heartbeat is when it was last sent); fail those that used up their attempts. How many of each."""
    now = timezone.now()
    counts = {"requeued": 0, "failed": 0}
    max_attempts = settings.MLWA_REPORT_MAX_ATTEMPTS
    stale_running = Report.objects.filter(status=Report.Status.RUNNING, heartbeat_at__lt=_stale_before())
    for report in stale_running.only("pk", "attempts", "heartbeat_at"):
        # Conditional on the heartbeat read, so a worker that just beat keeps its report.
        mine = Report.objects.filter(
            pk=report.pk, status=Report.Status.RUNNING, heartbeat_at=report.heartbeat_at
        )
        if report.attempts >= max_attempts:
            times = "once" if report.attempts == 1 else f"{report.attempts} times"
            counts["failed"] += mine.update(
                status=Report.Status.FAILED,
                error=f"the worker stopped while rendering it, {times}",
                finished_at=now,
            )
        elif mine.update(status=Report.Status.QUEUED, heartbeat_at=now):
            counts["requeued"] += 1
            report_enqueue(report)
    lost_before = now - timedelta(seconds=settings.MLWA_REPORT_QUEUED_STALE)
    lost = Report.objects.filter(status=Report.Status.QUEUED).filter(
        Q(heartbeat_at__lt=lost_before) | Q(heartbeat_at__isnull=True, created_at__lt=lost_before)
    )
    for report in lost.only("pk"):
        if Report.objects.filter(pk=report.pk, status=Report.Status.QUEUED).update(heartbeat_at=now):
            counts["requeued"] += 1
            report_enqueue(report)
    if any(counts.values()):
        log.warning("reaped reports: %s", counts)
    return counts


@shared_task(name="reviews.reports.tasks.reap_stale_reports", acks_late=False)
def reap_stale_reports() -> dict[str, int]:
    """The reaper, run by Celery beat every MLWA_REPORT_REAP_EVERY seconds and at each worker's start."""
    return reports_reap()


@worker_ready.connect
def _reap_when_a_worker_starts(sender=None, **kwargs) -> None:
    """A worker that starts after a crash finds the reports its predecessor left RUNNING."""
    try:
        reports_reap()
    except DatabaseError:
        log.warning("could not reap reports at worker start", exc_info=True)
    finally:
        # This runs in the worker's main process, which forks the children that replace recycled
        # ones: leave no database connection open for them to inherit.
        connections.close_all()


@worker_ready.connect
def _beat_while_the_worker_runs(sender=None, **kwargs) -> None:
    """The worker's heartbeat (/readyz's "worker"), from a thread of its main process."""
    heartbeat_start(hostname=sender.hostname)


@worker_shutdown.connect
def _say_the_worker_is_gone(sender=None, **kwargs) -> None:
    """A worker that stops removes its heartbeat: /readyz says "missing", not "stale"."""
    heartbeat_stop()
