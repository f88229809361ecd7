"""A workload's risk trend: each pillar's high and medium counts at every milestone, oldest first, and
now. Two queries, however many milestones, lenses and answers: the milestones with their frozen
counts (MilestonePillarRiskCounts), and the current counts (PillarRiskCounts).

Pillars add up as in every summary across lenses (LENS_FORMAT.md, and
reviews.selectors.risk.pillar_risk_rows): the standard pillars by id, whatever lens they are in; a
lens's own pillars one series per (lens, id), after them, lens by lens. A series takes its name and
place from the newest state that has the pillar, so that a pillar renamed by a lens upgrade shows
its new name. A pillar that a state does not have counts 0 there.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from reviews.models import Milestone, PillarRiskCounts, Workload
from reviews.selectors.risk import STANDARD_PILLARS

NOW = "Now"


@dataclass(frozen=True, slots=True)
class TrendMoment:
    """A point of the trend: a milestone (its number, name and when it was saved), or now."""

    milestone: int | None
    name: str
    at: datetime

    @property
    def label(self) -> str:
        """Under the chart's axis: "#2", or "Now"."""
        return NOW if self.milestone is None else f"#{self.milestone}"

    @property
    def title(self) -> str:
        """In full: "Milestone 2 · Before launch", or "Now"."""
        return NOW if self.milestone is None else f"Milestone {self.milestone} · {self.name}"


@dataclass(frozen=True, slots=True)
class PillarSeries:
    """One pillar's high and medium counts, one per moment. `lens` is the lens alias of a lens's own
    pillar, None for a standard pillar (which adds up across lenses)."""

    pillar_id: str
    name: str
    lens: str | None
    high: tuple[int, ...]
    medium: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Trend:
    """The moments, oldest first (now last), and a series per pillar."""

    moments: tuple[TrendMoment, ...]
    pillars: tuple[PillarSeries, ...]

    @property
    def milestone_count(self) -> int:
        return len(self.moments) - 1

    def rows(self) -> list[tuple[TrendMoment, list[tuple[int, int]]]]:
        """For a table: each moment with each pillar's (high, medium) there."""
        return [
            (moment, [(pillar.high[index], pillar.medium[index]) for pillar in self.pillars])
            for index, moment in enumerate(self.moments)
        ]


_COLUMNS = ("lens_review__lens__alias", "pillar__pillar_id", "pillar__name", "high", "medium")
#: The same, through a milestone's counts: a LEFT JOIN, so that a milestone without any (saved while
#: no lens was applied) still comes, with NULLs.
_FROZEN_COLUMNS = tuple(f"pillar_counts__{column}" for column in _COLUMNS)


def workload_trend(*, workload: Workload) -> Trend:
    """The workload's trend (see the module docstring): two queries, the milestones with their
    frozen counts, and the current counts."""
    # Newest first, so that the newest state names and places each pillar.
    frozen = list(
        Milestone.objects.filter(workload=workload)
        .order_by(
            "-number",
            "pillar_counts__lens_review__applied_at",
            "pillar_counts__lens_review_id",
            "pillar_counts__pillar__position",
        )
        .values_list("number", "name", "created_at", *_FROZEN_COLUMNS)
    )
    milestones = sorted({row[:3] for row in frozen})  # (number, name, saved at), oldest first
    moments = [TrendMoment(*milestone) for milestone in milestones]
    moments.append(TrendMoment(None, NOW, timezone.now()))
    index_of = {number: index for index, (number, *_rest) in enumerate(milestones)}
    current = (
        PillarRiskCounts.objects.filter(lens_review__workload=workload)
        .order_by("lens_review__applied_at", "lens_review_id", "pillar__position")
        .values_list(*_COLUMNS)
    )
    by_moment: list[tuple[int, tuple]] = [(len(milestones), row) for row in current]
    by_moment += [(index_of[number], row) for number, _name, _at, *row in frozen if row[1] is not None]

    series: dict[tuple[str | None, str], tuple[str, list[int], list[int]]] = {}
    for index, (alias, pillar_id, name, high, medium) in by_moment:
        key = (None, pillar_id) if pillar_id in STANDARD_PILLARS else (alias, pillar_id)
        if key not in series:
            series[key] = (name, [0] * len(moments), [0] * len(moments))
        _name, highs, mediums = series[key]
        highs[index] += high
        mediums[index] += medium
    standard = [key for key in series if key[0] is None]
    own = [key for key in series if key[0] is not None]  # lens by lens: the rows come so
    pillars = tuple(
        PillarSeries(pillar_id, series[lens, pillar_id][0], lens, *map(tuple, series[lens, pillar_id][1:]))
        for lens, pillar_id in [*standard, *own]
    )
    return Trend(tuple(moments), pillars)
