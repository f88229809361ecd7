"""Report requests: a PDF, CSV or JSON rendered by a Celery worker in the background (reviews.reports).

A Report records who asked, for what (a workload's lens review, now or at a milestone; a workload's
improvement plan; or the consolidated report over the workloads the person may see, with the
dashboard's filters), and how the rendering goes: status, progress, a heartbeat the worker beats
while it renders, attempts, the stored file and the error. Files live in a private folder
(settings.MLWA_REPORTS_DIR), never under MEDIA: a download goes through a view that checks access.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reviews.models.workloads import Workload


class Report(models.Model):
    """One request for a rendered report, and its rendering's state."""

    class Kind(models.TextChoices):
        LENS_REVIEW = "LENS_REVIEW", _("Lens review")
        IMPROVEMENT_PLAN = "IMPROVEMENT_PLAN", _("Improvement plan")
        CONSOLIDATED = "CONSOLIDATED", _("Consolidated report")

    class Format(models.TextChoices):
        PDF = "PDF", "PDF"
        CSV = "CSV", "CSV"
        JSON = "JSON", "JSON"

    class Status(models.TextChoices):
        QUEUED = "QUEUED", _("Queued")
        RUNNING = "RUNNING", _("Running")
        DONE = "DONE", _("Done")
        FAILED = "FAILED", _("Failed")

    kind = models.CharField(max_length=32, choices=Kind)
    format = models.CharField(max_length=8, choices=Format, default=Format.PDF)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="reports")
    # None for a consolidated report; the report goes with its workload.
    workload = models.ForeignKey(Workload, models.CASCADE, null=True, blank=True, related_name="reports")
    lens_alias = models.SlugField(max_length=64, blank=True, help_text=_("The lens, for a lens review."))
    milestone_number = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("The milestone reported on; None for the current state.")
    )
    filters = models.JSONField(
        default=dict, blank=True, help_text=_("The dashboard's filters, for a consolidated report.")
    )
    status = models.CharField(max_length=16, choices=Status, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent done, 0-100."))
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    file_name = models.CharField(max_length=255, blank=True, help_text=_("What the download is called."))
    file_path = models.CharField(
        max_length=255, blank=True, help_text=_("Where the file is, relative to MLWA_REPORTS_DIR.")
    )
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="report_by_requester"),
            models.Index(fields=["status", "heartbeat_at"], name="report_status_heartbeat"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="CONSOLIDATED", workload__isnull=True)
                | (~Q(kind="CONSOLIDATED") & Q(workload__isnull=False)),
                name="report_workload_unless_consolidated",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"


class WorkerHeartbeat(models.Model):
    """The last time each report worker said it was alive: `/readyz` reads it to tell whether reports
    will be rendered. One row per worker (its Celery hostname), refreshed while the worker runs."""

    hostname = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname} at {self.seen_at:%Y-%m-%d %H:%M:%S}"
