"""Reads for the milestone pages: the list, the workload page's panel, one milestone's overview, and a
frozen lens review for its read-only questionnaire. Each is a fixed number of queries, whatever the
number of milestones, lenses, answers or pillars (the counts come from the frozen per-pillar rows).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum, Window
from django.shortcuts import get_object_or_404

from lens.models import Pillar
from reviews.models import Milestone, MilestoneLensReview, MilestonePillarRiskCounts, Workload
from reviews.selectors.risk import RiskCounts
from reviews.selectors.states import milestones_of

#: Milestones on the workload page's panel; the rest are on the list.
PANEL_MILESTONES = 5

_COLUMNS = ("high", "medium", "none", "not_applicable", "unanswered")


def milestone_list(workload: Workload) -> QuerySet[Milestone]:
    """The workload's milestones, newest first, with who saved each: one query. The totals (`high`,
    `medium`...) are on each milestone's own row."""
    return milestones_of(workload).select_related("created_by", "restored_by")


def milestone_panel(workload: Workload, limit: int = PANEL_MILESTONES) -> tuple[Sequence[Milestone], int]:
    """The newest `limit` milestones with who saved each, and how many the workload has in all: one
    query (the count is a window over every milestone, computed before the limit)."""
    newest = list(milestone_list(workload).annotate(total=Window(Count("pk")))[:limit])
    return newest, newest[0].total if newest else 0


@dataclass(frozen=True)
class FrozenLens:
    """A lens review as a milestone keeps it, with its counts and its pillars' notes by pillar name."""

    review: MilestoneLensReview
    counts: RiskCounts
    pillar_notes: list[tuple[str, str]]


def milestone_lenses(milestone: Milestone) -> list[FrozenLens]:
    """The milestone's lens reviews with their lens and version, their counts, and their pillar notes
    named: three queries (the reviews, the counts summed over their pillars, the pillars' names)."""
    reviews = list(
        MilestoneLensReview.objects.filter(milestone=milestone)
        .select_related("lens", "lens_version")
        .defer("lens_version__source")
    )
    if not reviews:
        return []
    rows = (
        MilestonePillarRiskCounts.objects.filter(milestone=milestone)
        .values("lens_review_id")
        .annotate(**{column: Sum(column) for column in _COLUMNS})
        .order_by()
    )
    counts = {row["lens_review_id"]: RiskCounts(*(row[c] for c in _COLUMNS)) for row in rows}
    names = {
        (version, pillar_id): (position, name)
        for version, pillar_id, position, name in Pillar.objects.filter(
            version_id__in={review.lens_version_id for review in reviews}
        ).values_list("version_id", "pillar_id", "position", "name")
    }
    lenses = []
    for review in reviews:
        # Notes on a pillar the version lacks (none should be) show under the pillar's id, last.
        noted = sorted(
            (names.get((review.lens_version_id, pillar_id), (1_000_000, pillar_id)), text)
            for pillar_id, text in (review.pillar_notes or {}).items()
            if text
        )
        lenses.append(
            FrozenLens(
                review, counts.get(review.pk, RiskCounts()), [(name, text) for (_, name), text in noted]
            )
        )
    return lenses


def milestone_or_404(workload: Workload, number: int) -> Milestone:
    """The workload's milestone `number` with who saved it, in one query; 404 if it has none such."""
    milestones = Milestone.objects.select_related("created_by", "restored_by")
    return get_object_or_404(milestones, workload=workload, number=number)


def milestone_lens_review_or_404(workload: Workload, number: int, alias: str) -> MilestoneLensReview:
    """The review of lens `alias` frozen in the workload's milestone `number`, with the milestone
    (and who saved it), the lens and the version, in one query: the same cost as the live page's
    lens review. 404 if the workload has no such milestone, or the milestone no such lens."""
    reviews = MilestoneLensReview.objects.select_related(
        "milestone__created_by", "milestone__restored_by", "lens", "lens_version"
    ).defer("lens_version__source", "milestone__workload_fields")
    review = get_object_or_404(
        reviews, milestone__workload=workload, milestone__number=number, lens__alias=alias
    )
    # The milestone's workload is the one already loaded, with the reader's role: no query for it.
    review.milestone.workload = workload
    return review
