"""Reads of reports: a user's own, one of them with access checked now, and where its file is.

A report is its requester's alone. A workload's report stays readable only while the requester may
still see the workload: access is checked at every read (and so at every download), not when the
report was asked for. A consolidated report covers what its requester could see when it rendered.
"""

from pathlib import Path

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from reviews.models import Workload
from reviews.models.reports import Report


def _visible(user) -> Q:
    """The reports `user` asked for whose workload they may still see (or that have none)."""
    return Q(requested_by=user) & (
        Q(workload__isnull=True) | Q(workload__in=Workload.objects.visible_to(user))
    )


def reports_of(*, user, workload=None) -> QuerySet[Report]:
    """`user`'s own reports, newest first, with their workload: about `workload` when one is given
    (else every one: the consolidated ones and those of workloads the user may still see). One
    query."""
    if not (user.is_authenticated and user.is_active):
        return Report.objects.none()
    reports = Report.objects.filter(_visible(user)).select_related("workload")
    if workload is not None:
        reports = reports.filter(workload=workload)
    return reports.order_by("-created_at", "-pk")


def report_for(*, user, pk) -> Report:
    """Report `pk`, with its workload; Http404 unless `user` asked for it and may still see its
    workload, checked now. One query."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such report.") from None
    report = reports_of(user=user).filter(pk=pk).first()
    if report is None:
        raise Http404("No such report.")
    return report


def report_file(report: Report) -> Path:
    """The stored file of a DONE report, inside MLWA_REPORTS_DIR; Http404 while it is not done,
    or when its file is gone."""
    if report.status != Report.Status.DONE or not report.file_path:
        raise Http404("This report is not ready.")
    folder = Path(settings.MLWA_REPORTS_DIR).resolve()
    path = (folder / report.file_path).resolve()
    if path.parent != folder or not path.is_file():
        raise Http404("This report's file is gone.")
    return path
