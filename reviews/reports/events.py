"""The outbox's "report ready" event (mlwa.events), written in the transaction that marks a report
DONE (reviews.reports.tasks.report_render): its requester hears of it (notifications)."""

from mlwa.events import outbox_record
from mlwa.models import Event
from reviews.models.reports import Report


def report_ready_record(report: Report) -> Event:
    """Record that `report` is done, in the caller's transaction. The words a reader needs are kept
    with the ids: the notification reads well without looking the report up again."""
    return outbox_record(
        kind=Event.Kind.REPORT_READY,
        report=report.pk,
        requested_by=report.requested_by_id,
        report_kind=report.get_kind_display(),
        format=report.format,
        workload=report.workload_id,
        workload_name=report.workload.name if report.workload is not None else "",
        lens_alias=report.lens_alias,
    )
