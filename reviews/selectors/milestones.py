"""What the API shows of milestones: each milestone's lenses with their totals (the list), and one
milestone's lenses with each pillar's counts and notes (the detail). Both read the frozen per-pillar
counts (MilestonePillarRiskCounts), never the answers, at a fixed number of queries however many
milestones, lenses, pillars or answers there are.

The counts are plain dicts shaped as reviews.selectors.summaries.counts makes them (the five risks,
`questions` and `answered`), as the risk summaries give them.
"""

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce

from lens.models import Pillar
from reviews.models import (
    Answer,
    AnswerChange,
    Milestone,
    MilestoneAnswer,
    MilestoneLensReview,
    MilestonePillarRiskCounts,
)
from reviews.selectors.states import AnyLensReview, ReviewState
from reviews.selectors.summaries import counts

_RISKS = ("high", "medium", "none", "not_applicable", "unanswered")


def milestone_totals(milestone: Milestone) -> dict[str, int]:
    """The milestone's totals over every lens, from its own row: no query."""
    return counts(*(getattr(milestone, risk) for risk in _RISKS))


def milestones_with_lenses(milestones: list[Milestone]) -> list[Milestone]:
    """`milestones`, each with `counts` and `lenses`: [{alias, name, version, counts}] in the order
    the lenses were applied. One query for them all (each frozen review with its pillars' counts
    summed), none without milestones."""
    by_milestone: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if milestones:
        rows = (
            MilestoneLensReview.objects.filter(milestone__in=[milestone.pk for milestone in milestones])
            .values("pk", "milestone_id", "lens__alias", "lens_version__name", "lens_version__label")
            .annotate(**{risk: Coalesce(Sum(f"pillar_counts__{risk}"), 0) for risk in _RISKS})
            .order_by("milestone_id", "applied_at", "pk")
        )
        for row in rows:
            by_milestone[row["milestone_id"]].append(
                {
                    "alias": row["lens__alias"],
                    "name": row["lens_version__name"],
                    "version": row["lens_version__label"],
                    "counts": counts(*(row[risk] for risk in _RISKS)),
                }
            )
    for milestone in milestones:
        milestone.counts = milestone_totals(milestone)
        milestone.lenses = by_milestone.get(milestone.pk, [])
    return milestones


def milestone_with_lenses(milestone: Milestone) -> Milestone:
    """`milestone` with `counts` and `lenses`: each frozen lens review (alias, name, version label
    and kind, when it was applied, its notes) with its counts and its pillars in the lens's order,
    each with its notes and counts. Three queries: the reviews, their versions' pillars, the counts."""
    reviews = list(
        MilestoneLensReview.objects.filter(milestone=milestone)
        .select_related("lens", "lens_version")
        .only(
            "pk",
            "notes",
            "pillar_notes",
            "applied_at",
            "lens__alias",
            "lens_version__name",
            "lens_version__label",
            "lens_version__kind",
        )
        .order_by("applied_at", "pk")
    )
    milestone.counts = milestone_totals(milestone)
    milestone.lenses = []
    if not reviews:
        return milestone
    pillars: dict[int, list[Pillar]] = defaultdict(list)
    for pillar in (
        Pillar.objects.filter(version_id__in={review.lens_version_id for review in reviews})
        .order_by("position", "pk")
        .only("pk", "version_id", "pillar_id", "name")
    ):
        pillars[pillar.version_id].append(pillar)
    by_pillar = {
        (row[0], row[1]): row[2:]
        for row in MilestonePillarRiskCounts.objects.filter(milestone=milestone).values_list(
            "lens_review_id", "pillar_id", *_RISKS
        )
    }
    zero = (0,) * len(_RISKS)
    for review in reviews:
        rows = [
            {
                "pillar_id": pillar.pillar_id,
                "name": pillar.name,
                "notes": review.pillar_notes.get(pillar.pillar_id, ""),
                "risks": by_pillar.get((review.pk, pillar.pk), zero),
            }
            for pillar in pillars[review.lens_version_id]
        ]
        milestone.lenses.append(
            {
                "alias": review.lens.alias,
                "name": review.lens_version.name,
                "version": review.lens_version.label,
                "kind": review.lens_version.kind,
                "applied_at": review.applied_at,
                "notes": review.notes,
                "counts": counts(*(sum(row["risks"][i] for row in rows) for i in range(len(_RISKS)))),
                "pillars": [
                    {
                        "pillar_id": row["pillar_id"],
                        "name": row["name"],
                        "notes": row["notes"],
                        "counts": counts(*row["risks"]),
                    }
                    for row in rows
                ],
            }
        )
    return milestone


def answer_history(
    *, state: ReviewState, lens_review: AnyLensReview, answer: Answer | MilestoneAnswer
) -> QuerySet[AnswerChange]:
    """An answer's audit trail, newest first, with who made each change: one query when evaluated.

    Now: every entry of the answer. In a milestone, the frozen answer has no trail of its own: it is
    the trail of the live answer it copies (same workload, lens and question id) up to the milestone,
    i.e. the entries up to and including the frozen version, recorded before the milestone was saved.
    The time bound leaves out a conflict kept at that same version afterwards, and the trail of a
    lens removed then applied again since (whose versions start again from 1). A lens removed since
    took its answers' trail with it: the frozen answer then has none."""
    changes = AnswerChange.objects.select_related("changed_by", "restored_by").order_by("-changed_at", "-pk")
    if state.is_current:
        return changes.filter(answer=answer.pk)
    assert state.milestone is not None  # not the current state: a milestone's
    return changes.filter(
        answer__lens_review__workload=state.workload,
        answer__lens_review__lens_id=lens_review.lens_id,
        answer__question__question_id=answer.question.question_id,
        version__lte=answer.version,
        changed_at__lte=state.milestone.created_at,
    )
