"""Risk counts: per pillar of one review, per review, per workload, and per pillar id across
workloads. Each is one query whatever the number of questions, answers or workloads. Per pillar, per
review and per workload they read the kept counts (PillarRiskCounts, or a milestone's frozen
MilestonePillarRiskCounts), which database triggers hold equal to the answers; the chart's rows by
pillar id count the answers themselves."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Expression, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from reviews.charts import PillarRisk
from reviews.models import Answer, LensReview, MilestoneLensReview, PillarRiskCounts, Workload

R = Answer.Risk

_COUNTS = {
    "high": Count("pk", filter=Q(risk=R.HIGH)),
    "medium": Count("pk", filter=Q(risk=R.MEDIUM)),
    "none": Count("pk", filter=Q(risk=R.NONE)),
    "not_applicable": Count("pk", filter=Q(risk=R.NOT_APPLICABLE)),
    "unanswered": Count("pk", filter=Q(risk=R.UNANSWERED)),
}


@dataclass(frozen=True)
class RiskCounts:
    """How many questions are at each risk."""

    high: int = 0
    medium: int = 0
    none: int = 0
    not_applicable: int = 0
    unanswered: int = 0

    @property
    def total(self) -> int:
        return self.high + self.medium + self.none + self.not_applicable + self.unanswered

    @property
    def questions(self) -> int:
        """The API's name for `total` (reviews.api.counts)."""
        return self.total

    @property
    def answered(self) -> int:
        return self.total - self.unanswered

    @property
    def percent_answered(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    def __add__(self, other: "RiskCounts") -> "RiskCounts":
        return RiskCounts(*(getattr(self, f) + getattr(other, f) for f in _COUNTS))


def _counts(row: dict) -> RiskCounts:
    return RiskCounts(**{name: row[name] for name in _COUNTS})


def review_pillar_counts(lens_review: LensReview | MilestoneLensReview) -> dict[int, RiskCounts]:
    """The risk counts of each pillar of a review (live, or frozen in a milestone), by pillar pk, in
    one query: its kept counts, a row per pillar it has answers in."""
    rows = lens_review.pillar_counts.values("pillar_id", *_COUNTS).order_by()
    return {row["pillar_id"]: _counts(row) for row in rows}


def review_counts(lens_reviews: QuerySet[LensReview] | list[LensReview]) -> dict[int, RiskCounts]:
    """The risk counts of each review, by review pk, in one query: its pillars' kept counts added up.
    The reviews are all live (LensReview) or all frozen (MilestoneLensReview): each kind's counts are
    read from its own table."""
    if isinstance(lens_reviews, QuerySet):
        model = lens_reviews.model
    elif lens_reviews:
        model = type(lens_reviews[0])
    else:
        return {}
    rows = (
        model._meta.get_field("pillar_counts")
        .related_model.objects.filter(lens_review__in=lens_reviews)  # type: ignore[union-attr]  # a model, resolved
        .values("lens_review_id")
        .annotate(**{name: Sum(name) for name in _COUNTS})
        .order_by()
    )
    return {row["lens_review_id"]: _counts(row) for row in rows}


def _sum_of(column: str | Expression) -> Coalesce:
    """A subquery adding up `column` of one workload's kept counts (0 without any), so that counts
    annotated beside other relations do not multiply (STYLE.md)."""
    kept = PillarRiskCounts.objects.filter(lens_review__workload=OuterRef("pk"))
    summed = kept.order_by().values("lens_review__workload").annotate(n=Sum(column)).values("n")
    return Coalesce(Subquery(summed, output_field=IntegerField()), 0)


def with_risk_counts(workloads: QuerySet[Workload]) -> QuerySet[Workload]:
    """`workloads`, each annotated with `high`, `medium`, `none`, `not_applicable`, `unanswered` and
    `questions` (the total) over all its lenses, from the kept counts: a subquery each."""
    every_risk = F("high") + F("medium") + F("none") + F("not_applicable") + F("unanswered")
    return workloads.annotate(
        **{name: _sum_of(name) for name in _COUNTS},
        questions=_sum_of(every_risk),
    )


#: The reserved pillar ids that map a lens's questions onto the standard pillars (LENS_FORMAT.md).
STANDARD_PILLARS = frozenset(
    {"operationalExcellence", "security", "reliability", "performance", "costOptimization", "sustainability"}
)


def pillar_risk_rows(workloads: QuerySet[Workload]) -> list[PillarRisk]:
    """Risk counts by pillar across `workloads` and all their lenses, in one query, for the
    risk-by-pillar chart. As LENS_FORMAT.md says: standard pillars add up by id, in the order they
    first come in their lenses; each lens's own pillars follow, one row per (lens, id), lens by lens.
    The first name seen names a row. The query gives a row per pillar of each lens version in use,
    however many answers and workloads there are.

    A row never adds up pillars of different lenses under one name without saying so (issue 16):
    a standard pillar counted from several lenses is named "Security (2 lenses)", and when the rows
    come from more than one lens, a lens's own pillar is named with its lens, "Data (ML Lens)"."""
    rows = (
        Answer.objects.filter(lens_review__workload__in=workloads.values("pk"))
        .values(
            "lens_review__lens_id",
            "lens_review__lens__name",
            "question__pillar_id",
            "question__pillar__pillar_id",
            "question__pillar__name",
        )
        .annotate(**_COUNTS)
        .order_by("question__pillar__position", "question__pillar_id")
    )
    standard: dict[Any, dict] = {}  # by pillar id
    own: dict[Any, dict] = {}  # by (lens id, pillar id)
    lenses_of: dict[Any, set] = {}  # the lenses each row counts
    lens_names: dict[Any, str] = {}
    for row in rows:
        pillar_id, lens_id = row["question__pillar__pillar_id"], row["lens_review__lens_id"]
        lens_names[lens_id] = row["lens_review__lens__name"]
        group, key = (standard, pillar_id) if pillar_id in STANDARD_PILLARS else (own, (lens_id, pillar_id))
        total = group.setdefault(
            key, {"pillar_id": pillar_id, "name": row["question__pillar__name"], **dict.fromkeys(_COUNTS, 0)}
        )
        lenses_of.setdefault((group is own, key), set()).add(lens_id)
        for name in _COUNTS:
            total[name] += row[name]
    for key, total in standard.items():
        if (count := len(lenses_of[(False, key)])) > 1:
            total["name"] = f"{total['name']} ({count} lenses)"
    if len(lens_names) > 1:
        for (lens_id, _pillar_id), total in own.items():
            total["name"] = f"{total['name']} ({lens_names[lens_id]})"
    by_lens = sorted(own, key=lambda key: key[0])  # stable: a lens's pillars stay in their order
    return [PillarRisk(**total) for total in [*standard.values(), *(own[key] for key in by_lens)]]
