"""Reads of milestones, for the API and the pages.

The API: each milestone's lenses with their totals (the list), and one milestone's lenses with each
pillar's counts and notes (the detail). The pages: the list, the workload page's panel, one
milestone's overview, and a frozen lens review for its read-only questionnaire. All read the frozen
per-pillar counts (MilestonePillarRiskCounts), never the answers, at a fixed number of queries however
many milestones, lenses, pillars or answers there are.

The API's counts are plain dicts shaped as reviews.selectors.summaries.counts makes them (the five
risks, `questions` and `answered`), as the risk summaries give them; the pages' are RiskCounts.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet, Sum, Window
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from lens.models import Pillar
from reviews.models import Milestone, MilestoneLensReview, MilestonePillarRiskCounts, Workload
from reviews.selectors.risk import RiskCounts
from reviews.selectors.states import milestones_of
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


def milestone_free_name(*, workload: Workload, name: str) -> str:
    """`name`, or `name (2)`, `name (3)`... : the first that no milestone of the workload has."""
    taken = {
        taken.lower()
        for taken in Milestone.objects.filter(workload=workload, name__istartswith=name).values_list(
            "name", flat=True
        )
    }
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{name} ({n})"
    return candidate


# --- the pages -------------------------------------------------------------------------------------

#: Milestones on the workload page's panel; the rest are on the list.
PANEL_MILESTONES = 5


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
        .annotate(**{risk: Sum(risk) for risk in _RISKS})
        .order_by()
    )
    by_review = {row["lens_review_id"]: RiskCounts(*(row[risk] for risk in _RISKS)) for row in rows}
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
                review, by_review.get(review.pk, RiskCounts()), [(name, text) for (_, name), text in noted]
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
