"""Report requests: check them, record them, queue them after the commit; delete them with their file.

A request is a Report row (QUEUED) and a Celery task (reviews.reports.tasks.render_report) sent once
the transaction has committed, so that a worker never looks for a row it cannot see yet. Sending
has a short timeout: with the broker down the row is marked FAILED with a reason that says so, and
ReportQueueUnavailable (503) tells the caller, so that a request never hangs on a dead queue.
"""

import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from mlwa import error_codes
from mlwa.errors import InvalidInput, ReviewRefused
from reviews.filters import filters_from_json, from_stored, stored_filters
from reviews.models import LensReview, Milestone, Workload
from reviews.models.milestones import MilestoneLensReview
from reviews.models.reports import Report
from reviews.selectors.dashboard import WorkloadFilters

log = logging.getLogger(__name__)

#: The formats each kind of report comes in.
FORMATS: dict[str, tuple[str, ...]] = {
    Report.Kind.LENS_REVIEW: (Report.Format.PDF,),
    Report.Kind.IMPROVEMENT_PLAN: (Report.Format.PDF, Report.Format.CSV),
    Report.Kind.CONSOLIDATED: (Report.Format.PDF, Report.Format.JSON),
}

#: What a file of each format ends with.
EXTENSIONS: dict[str, str] = {Report.Format.PDF: "pdf", Report.Format.CSV: "csv", Report.Format.JSON: "json"}

QUEUE_UNAVAILABLE = "the report queue is unavailable"


class ReportQueueUnavailable(ReviewRefused):
    """The report could not be queued (the broker is down or too slow): answered 503. The report
    row is kept, FAILED, with the reason."""

    status = 503
    code = "queue_unavailable"

    def __init__(self, report: Report):
        self.report = report
        super().__init__("The report queue is unavailable: try again in a few minutes.")


def report_filters(report: Report) -> WorkloadFilters:
    """The workload filters a consolidated report was asked with (stored checked, by report_request;
    those stored before v1's renames read as they meant: reviews.filters.from_stored)."""
    return from_stored(report.filters)


def _check_subject(*, kind, workload, lens_alias, milestone_number) -> tuple[str, int | None]:
    """The lens alias and milestone number of a workload's report, checked: the milestone exists
    and the lens is applied (in the milestone, when one is named). One lens applied: it is the
    default for a lens review. Raises InvalidInput naming the field at fault."""
    if workload is None:
        raise InvalidInput({"workload": "Name the workload to report on."}, code=error_codes.REFUSED)
    milestone = None
    if milestone_number is not None:
        if isinstance(milestone_number, bool) or not isinstance(milestone_number, int):
            raise InvalidInput({"milestone_number": "Give a milestone's number."})
        milestone = Milestone.objects.filter(workload=workload, number=milestone_number).first()
        if milestone is None:
            raise InvalidInput(
                {"milestone_number": f"This workload has no milestone {milestone_number}."},
                code=error_codes.UNKNOWN_REFERENCE,
            )
    applied: QuerySet[LensReview] | QuerySet[MilestoneLensReview]
    if milestone is None:
        applied = LensReview.objects.filter(workload=workload)
    else:
        applied = MilestoneLensReview.objects.filter(milestone=milestone)
    aliases = list(applied.values_list("lens__alias", flat=True))
    lens_alias = (lens_alias or "").strip()
    if lens_alias and lens_alias not in aliases:
        where = f"milestone {milestone_number}" if milestone else "this workload"
        raise InvalidInput(
            {"lens_alias": f"The lens “{lens_alias}” is not applied in {where}."},
            code=error_codes.UNKNOWN_REFERENCE,
        )
    if kind == Report.Kind.LENS_REVIEW and not lens_alias:
        if len(aliases) != 1:
            raise InvalidInput({"lens_alias": "Choose the lens to report on."}, code=error_codes.REFUSED)
        lens_alias = aliases[0]
    return lens_alias, milestone_number


def report_request(
    *,
    actor,
    kind: str,
    format: str = "PDF",  # noqa: A002 - the field's name, as the API spells it
    workload: Workload | None = None,
    lens_alias: str = "",
    milestone_number: int | None = None,
    filters: dict | None = None,
) -> Report:
    """Ask for a report: check it, record it (QUEUED) and queue its rendering once committed.

    The caller has checked that `actor` may see `workload` (VIEW). Raises InvalidInput naming the
    field at fault (nothing is recorded then), or ReportQueueUnavailable when the queue cannot
    take the task (the report is kept, FAILED, with the reason). Call it outside a transaction
    (views and the API do: no ATOMIC_REQUESTS), so that the task is sent before it returns."""
    if kind not in Report.Kind.values:
        raise InvalidInput({"kind": f"Choose one of: {', '.join(Report.Kind.values)}."})
    if format not in FORMATS[kind]:
        raise InvalidInput(
            {"format": f"This report comes as {' or '.join(FORMATS[kind])}."}, code=error_codes.REFUSED
        )
    fields = {"kind": kind, "format": format, "requested_by": actor}
    if kind == Report.Kind.CONSOLIDATED:
        if workload is not None:
            raise InvalidInput(
                {"workload": "A consolidated report covers every workload you may see."},
                code=error_codes.REFUSED,
            )
        if lens_alias or milestone_number is not None:
            name = "lens_alias" if lens_alias else "milestone_number"
            raise InvalidInput(
                {name: "A consolidated report covers the current state of every workload."},
                code=error_codes.REFUSED,
            )
        fields["filters"] = stored_filters(filters_from_json(filters))
    else:
        if filters:
            raise InvalidInput(
                {"filters": "Only a consolidated report takes the dashboard's filters."},
                code=error_codes.REFUSED,
            )
        lens_alias, milestone_number = _check_subject(
            kind=kind, workload=workload, lens_alias=lens_alias, milestone_number=milestone_number
        )
        fields.update(workload=workload, lens_alias=lens_alias, milestone_number=milestone_number)
    with transaction.atomic():
        report = Report.objects.create(**fields)
        transaction.on_commit(lambda: _enqueue_or_fail(report))
    return report


def _enqueue_or_fail(report: Report) -> None:
    """Queue `report`, once its row has committed. If the queue cannot take it, mark it FAILED
    with the reason and raise ReportQueueUnavailable: from the commit, so to report_request's
    caller (or, inside a caller's transaction, to whoever commits it)."""
    if not report_enqueue(report):
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.FAILED, error=QUEUE_UNAVAILABLE, finished_at=timezone.now()
        )
        report.status, report.error = Report.Status.FAILED, QUEUE_UNAVAILABLE
        raise ReportQueueUnavailable(report)


def report_enqueue(report: Report) -> bool:
    """Send the task that renders `report`; False when the broker does not take it in time.

    A connection of its own, made now from Django's settings (CELERY_BROKER_URL and its transport
    options), with no retries: the broker's timeouts (CELERY_BROKER_CONNECTION_TIMEOUT, the
    transport's socket timeouts) bound the wait, where the shared producer pool would retry for
    a long while. One connection a report is cheap next to rendering it."""
    from mlwa.celery import app, broker_connection
    from reviews.reports.tasks import render_report

    if app.conf.task_always_eager:  # tests and one-process setups: rendered here, no broker
        render_report.apply_async(args=[report.pk])
        return True
    try:
        with broker_connection(timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT) as connection:
            render_report.apply_async(
                args=[report.pk],
                connection=connection,
                queue=settings.CELERY_TASK_DEFAULT_QUEUE,
                retry=False,
            )
    except Exception:  # noqa: BLE001 - whatever the transport raises, the queue is unavailable
        log.warning("could not queue report %s", report.pk, exc_info=True)
        return False
    return True


def report_file_name(report: Report) -> str:
    """Where `report`'s file is stored, in MLWA_REPORTS_DIR: `<workload-slug>-<kind>-<id>.<ext>`."""
    subject = slugify(report.workload.name)[:60] if report.workload is not None else "all-workloads"
    kind = report.kind.lower().replace("_", "-")
    return f"{subject or 'workload'}-{kind}-{report.pk}.{EXTENSIONS[report.format]}"


def report_store(report: Report, content: bytes) -> tuple[str, int]:
    """Write `content` as `report`'s file, atomically (a temporary file in the same folder, then
    renamed over the name), so that a reader never sees half a file and two writers leave one.
    Returns the path relative to MLWA_REPORTS_DIR and the size."""
    folder = Path(settings.MLWA_REPORTS_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    name = report_file_name(report)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return name, len(content)


def report_file_remove(file_path: str) -> None:
    """Remove a stored report file, if it is there (and inside MLWA_REPORTS_DIR)."""
    if not file_path:
        return
    folder = Path(settings.MLWA_REPORTS_DIR).resolve()
    path = (folder / file_path).resolve()
    if path.parent == folder:
        path.unlink(missing_ok=True)


def report_delete(*, report: Report, actor) -> None:
    """Delete `report` and, once that has committed, its file. The caller has checked that
    `actor` asked for it (reviews.reports.selectors.report_for). A worker still rendering it
    finds no row when it finishes and removes what it wrote."""
    file_path = report.file_path or report_file_name(report)
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).delete()
        transaction.on_commit(lambda: report_file_remove(file_path))
