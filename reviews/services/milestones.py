"""Saving a milestone: a frozen copy of the whole workload, made in one transaction.

The copy must be one consistent state even while others write answers. The workload's row is locked
first (so milestones are numbered one at a time), then every answer of the workload is read with a
row lock in one statement: a writer holding an answer is waited for, and no writer can change a
locked answer until the milestone commits. The counts are computed from those same rows, so they
always match the answers frozen with them.
"""

from collections import defaultdict

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from mlwa import error_codes
from mlwa.errors import InvalidInput
from reviews.models import (
    ANSWER_FIELDS_FROZEN,
    Answer,
    LensReview,
    Milestone,
    MilestoneAnswer,
    MilestoneLensReview,
    MilestonePillarRiskCounts,
    Workload,
    WorkloadEvent,
)
from reviews.services.events import event_record
from reviews.services.workloads import REGIONS, WORKLOAD_FIELDS

NAME_TAKEN = "This workload has a milestone with this name already."
#: The risk counted in each column of RiskCounts.
COUNT_COLUMNS = {
    Answer.Risk.HIGH: "high",
    Answer.Risk.MEDIUM: "medium",
    Answer.Risk.NONE: "none",
    Answer.Risk.NOT_APPLICABLE: "not_applicable",
    Answer.Risk.UNANSWERED: "unanswered",
}


@transaction.atomic
def milestone_create(*, workload: Workload, actor: User, name: str) -> Milestone:
    """Save the workload as it is now as its next milestone, named `name` (validated: text, not
    blank, without spaces around it, at most MILESTONE_NAME_MAX characters), which must be unique in
    the workload, whatever the case: else InvalidInput naming `name` (`name_taken`)."""
    locked = Workload.objects.select_for_update().get(pk=workload.pk)
    if Milestone.objects.filter(workload=locked, name__iexact=name).exists():
        raise InvalidInput({"name": NAME_TAKEN}, code=error_codes.NAME_TAKEN)
    number = (Milestone.objects.filter(workload=locked).aggregate(last=Max("number"))["last"] or 0) + 1

    reviews = list(LensReview.objects.filter(workload=locked).order_by("pk"))
    # One statement, every answer locked: the state this milestone keeps (see the module's docstring).
    answers = list(
        Answer.objects.filter(lens_review__workload=locked)
        .select_for_update(of=("self",))
        .order_by("pk")
        .values("lens_review_id", "question__pillar_id", *ANSWER_FIELDS_FROZEN)
    )
    totals: dict[str, int] = dict.fromkeys(COUNT_COLUMNS.values(), 0)
    pillar_counts: dict[tuple[int, int], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(COUNT_COLUMNS.values(), 0)
    )
    for answer in answers:
        column = COUNT_COLUMNS[answer["risk"]]
        totals[column] += 1
        pillar_counts[answer["lens_review_id"], answer["question__pillar_id"]][column] += 1

    milestone = Milestone.objects.create(
        workload=locked,
        number=number,
        name=name,
        # `regions` too: every region in one list, as milestones saved before AWS's split have it.
        workload_fields={field: getattr(locked, field) for field in (*WORKLOAD_FIELDS, REGIONS)},
        created_by=actor,
        created_at=timezone.now(),
        **totals,
    )
    frozen_reviews = MilestoneLensReview.objects.bulk_create(
        MilestoneLensReview(
            milestone=milestone,
            lens_id=review.lens_id,
            lens_version_id=review.lens_version_id,
            notes=review.notes,
            pillar_notes=review.pillar_notes,
            applied_at=review.applied_at,
        )
        for review in reviews
    )
    frozen_of = {review.pk: frozen.pk for review, frozen in zip(reviews, frozen_reviews, strict=True)}
    MilestoneAnswer.objects.bulk_create(
        MilestoneAnswer(
            milestone=milestone,
            lens_review_id=frozen_of[answer["lens_review_id"]],
            **{field: answer[field] for field in ANSWER_FIELDS_FROZEN},
        )
        for answer in answers
    )
    MilestonePillarRiskCounts.objects.bulk_create(
        MilestonePillarRiskCounts(
            milestone=milestone, lens_review_id=frozen_of[review_pk], pillar_id=pillar_pk, **counts
        )
        for (review_pk, pillar_pk), counts in pillar_counts.items()
    )
    Milestone.objects.filter(pk=milestone.pk).update(sealed=True)
    milestone.sealed = True
    event_record(
        workload=locked,
        actor=actor,
        kind=WorkloadEvent.Kind.MILESTONE_SAVED,
        summary=f"Saved milestone {number}, “{name}”.",
        number=number,
        name=name,
    )
    return milestone
