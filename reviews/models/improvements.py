"""Improvement tracking: a risky question turned into work someone does.

The plan itself (which questions are at risk, the practices missing, their improvement plans) is
computed from the answers and never stored; an ImprovementItem holds only what people add to it:
status, owner, due date and a note. It is keyed by lens alias and question id rather than by rows,
so that it outlives lens upgrades.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reviews.models.workloads import NOTES_MAX, PERSON_NAME_MAX, Workload, person_name


class ImprovementItem(models.Model):
    """The tracking of one question's improvement in a workload, made the first time someone
    tracks it. `version` counts accepted writes: a write from an older version is refused."""

    class Status(models.TextChoices):
        NOT_STARTED = "NOT_STARTED", _("Not started")
        IN_PROGRESS = "IN_PROGRESS", _("In progress")
        DONE = "DONE", _("Done")
        RISK_ACCEPTED = "RISK_ACCEPTED", _("Risk accepted")

    workload = models.ForeignKey(Workload, models.CASCADE, related_name="improvement_items")
    lens_alias = models.SlugField(max_length=64)
    question_id = models.CharField(max_length=128)
    status = models.CharField(max_length=16, choices=Status, default=Status.NOT_STARTED)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="improvement_items"
    )
    # The owner and the last writer as names, for an item restored from a backup (reviews.backup).
    owner_name = models.CharField(max_length=PERSON_NAME_MAX, null=True, blank=True)  # noqa: DJ001
    due_date = models.DateField(null=True, blank=True)
    note = models.TextField(max_length=NOTES_MAX, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by_name = models.CharField(max_length=PERSON_NAME_MAX, null=True, blank=True)  # noqa: DJ001
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["workload", "lens_alias", "question_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workload", "lens_alias", "question_id"], name="improvementitem_one_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workload_id} · {self.lens_alias}/{self.question_id}: {self.status}"

    @property
    def owner_username(self) -> str | None:
        """Who owns the work (person_name)."""
        return person_name(self.owner, self.owner_name)

    @property
    def updated_by_username(self) -> str | None:
        """Who tracked it last (person_name)."""
        return person_name(self.updated_by, self.updated_by_name)
