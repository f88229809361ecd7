"""Helpers of the reports' page and API tests: reports in a given state, made without a worker, and
the broker down for real, with the commit's callbacks run at once."""

from contextlib import contextmanager

from django.db import transaction

from lens.models import BUILTIN_ALIAS
from reviews.models import Report
from reviews.reports import services
from reviews.reports.services import report_store

PDF = b"%PDF-1.7 a report made for a test"


def report_in(
    status: str,
    *,
    user,
    workload=None,
    kind: str = Report.Kind.LENS_REVIEW,
    content: bytes = PDF,
    **fields,
) -> Report:
    """A report of `user` in `status` (DONE: with its file stored, as the worker stores it)."""
    if workload is not None and kind == Report.Kind.LENS_REVIEW:
        fields.setdefault("lens_alias", BUILTIN_ALIAS)
    report = Report.objects.create(
        kind=kind,
        format=fields.pop("format", Report.Format.PDF),
        requested_by=user,
        workload=workload,
        status=status,
        progress={"QUEUED": 0, "RUNNING": 40, "DONE": 100, "FAILED": 40}[status],
        **fields,
    )
    if status == Report.Status.DONE:
        report.file_path, report.file_size = report_store(report, content)
        report.file_name = report.file_path
        report.save(update_fields=["file_path", "file_size", "file_name"])
    return report


class _CommitAtOnce:
    """django.db.transaction as report_request sees it outside any transaction: the callbacks of
    an outermost `atomic` run as it ends. A test runs inside a transaction that never commits,
    where they would never run; this lets the real enqueueing meet the closed broker within
    report_request, after the row is saved, as in production."""

    def __init__(self):
        self.pending = []

    @contextmanager
    def atomic(self, *args, **kwargs):
        with transaction.atomic(*args, **kwargs):
            yield
        pending, self.pending = self.pending, []
        for func in pending:
            func()

    def on_commit(self, func, using=None, robust=False):
        self.pending.append(func)


@contextmanager
def broker_down(settings, monkeypatch):
    """The broker at a closed port (nothing listens on port 1: refused at once, no retry)."""
    from mlwa.celery import app

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    settings.CELERY_BROKER_CONNECTION_TIMEOUT = 1
    monkeypatch.setattr(services, "transaction", _CommitAtOnce())
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        yield
    finally:
        app.conf.task_always_eager = eager
