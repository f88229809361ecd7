"""Milestones: a workload frozen at a point in time, to compare with later.

A Milestone keeps the workload's fields and its risk counts; a MilestoneLensReview each lens review
with its lens version and notes; a MilestoneAnswer each answer (the same fields as Answer); and
MilestonePillarRiskCounts the counts per pillar (the same as PillarRiskCounts). The frozen rows
mirror the live ones field for field, so that one selector reads either.

Nothing changes a milestone after the transaction that makes it: database triggers (migration 0005)
refuse any change to these rows, rows added to a sealed milestone, and any deletion except the
deletion of the workload, which takes its milestones with it. The only update let through is a
deleted user's name cleared from `created_by` and `updated_by` (SET_NULL).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from reviews.models.workloads import (
    NOTES_MAX,
    PERSON_NAME_MAX,
    AnswerFields,
    Restored,
    RiskCounts,
    Workload,
    person_name,
    restored_text,
)

#: Milestone names, like workload names.
MILESTONE_NAME_MAX = 100
#: The columns of an answer that a milestone copies (AnswerFields', by attribute name).
ANSWER_FIELDS_FROZEN = (
    "question_id",
    "selected_choices",
    "not_applicable_choices",
    "is_applicable",
    "reason",
    "notes",
    "risk",
    "version",
    "updated_by_id",
    "updated_by_name",
    "updated_at",
    "restored_by_id",
    "restored_at",
)


class Milestone(RiskCounts, Restored):
    """A frozen copy of a whole workload, numbered 1, 2, 3... in it, with a name unique in it.
    The inherited counts are the workload's totals over every lens at the time."""

    # Not columns: set by reviews.selectors.milestones on the milestones it lists.
    counts: Any
    lenses: list

    workload = models.ForeignKey(Workload, models.CASCADE, related_name="milestones")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=MILESTONE_NAME_MAX)
    # The workload's own fields (reviews.services.WORKLOAD_FIELDS) as they were.
    workload_fields = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who, as a name, for a milestone restored from a backup (reviews.backup); frozen like the rest.
    created_by_name = models.CharField(max_length=PERSON_NAME_MAX, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField()
    # False only while the making transaction adds the frozen rows; the triggers refuse rows added
    # to a sealed milestone, and sealing is the one change they let through.
    sealed = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["workload", "number"]
        constraints = [
            models.UniqueConstraint(fields=["workload", "number"], name="milestone_number_unique"),
            models.UniqueConstraint("workload", Lower("name"), name="milestone_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.workload_id} #{self.number} {self.name}"

    @property
    def created_by_username(self) -> str | None:
        """Who saved it (person_name)."""
        return person_name(self.created_by, self.created_by_name)

    @property
    def created_by_text(self) -> str:
        """Who saved it, in words (restored_text)."""
        return restored_text(self.created_by_username, self.restored_by_username, self.restored_at)


class MilestoneLensReview(models.Model):
    """A lens review as it was when the milestone was saved: the lens version and the notes."""

    milestone = models.ForeignKey(Milestone, models.CASCADE, related_name="lens_reviews")
    lens = models.ForeignKey("lens.Lens", models.PROTECT, related_name="+")
    # PROTECT: a version that a milestone uses cannot be deleted (lens.services answers LensInUse).
    lens_version = models.ForeignKey("lens.LensVersion", models.PROTECT, related_name="+")
    notes = models.TextField(max_length=NOTES_MAX, blank=True)
    pillar_notes = models.JSONField(default=dict, blank=True)
    applied_at = models.DateTimeField()

    class Meta:
        ordering = ["applied_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["milestone", "lens"], name="milestonelensreview_one_per_lens"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} · {self.lens_version_id}"


class MilestoneAnswer(AnswerFields):
    """An answer as it was when the milestone was saved. `milestone` is on every row so that a
    milestone's answers load in one query and the triggers need no joins through the review."""

    milestone = models.ForeignKey(Milestone, models.CASCADE, related_name="answers")
    lens_review = models.ForeignKey(MilestoneLensReview, models.CASCADE, related_name="answers")

    class Meta(AnswerFields.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["lens_review", "question"], name="milestoneanswer_one_per_question"
            ),
        ]
        indexes = [models.Index(fields=["lens_review", "risk"], name="milestoneanswer_review_risk")]

    def __str__(self) -> str:
        return f"{self.lens_review} · {self.question_id}: {self.risk}"


class MilestonePillarRiskCounts(RiskCounts):
    """A pillar's risk counts in a lens review as they were when the milestone was saved."""

    milestone = models.ForeignKey(Milestone, models.CASCADE, related_name="pillar_counts")
    lens_review = models.ForeignKey(MilestoneLensReview, models.CASCADE, related_name="pillar_counts")
    pillar = models.ForeignKey("lens.Pillar", models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["lens_review", "pillar"], name="milestonepillarriskcounts_one_per_pillar"
            ),
        ]
        verbose_name_plural = "milestone pillar risk counts"

    def __str__(self) -> str:
        return f"{self.lens_review_id} · {self.pillar_id}: {self.high} high, {self.medium} medium"


@receiver(pre_delete, sender=Workload, dispatch_uid="reviews.workload_being_deleted")
def _workload_being_deleted(sender, instance: Workload, **kwargs) -> None:
    """Let the deletion of a workload take its milestones: Django sends this inside the deleting
    transaction, before any row goes, and the triggers let a milestone go only with its workload."""
    Workload.objects.filter(pk=instance.pk).update(is_being_deleted=True)
