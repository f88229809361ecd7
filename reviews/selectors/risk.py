"""Risk counts: per pillar of one review, per workload, and per pillar id across workloads. Each is
one aggregate query over stored risks, whatever the number of questions, answers or workloads."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from reviews.charts import PillarRisk
from reviews.models import Answer, LensReview, Workload

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
    def answered(self) -> int:
        return self.total - self.unanswered

    @property
    def percent_answered(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    def __add__(self, other: "RiskCounts") -> "RiskCounts":
        return RiskCounts(*(getattr(self, f) + getattr(other, f) for f in _COUNTS))


def _counts(row: dict) -> RiskCounts:
    return RiskCounts(**{name: row[name] for name in _COUNTS})


def review_pillar_counts(lens_review: LensReview) -> dict[int, RiskCounts]:
    """The risk counts of each pillar of a review (live, or frozen in a milestone), by pillar pk, in
    one query."""
    rows = lens_review.answers.values("question__pillar_id").annotate(**_COUNTS).order_by()
    return {row["question__pillar_id"]: _counts(row) for row in rows}


def review_counts(lens_reviews: QuerySet[LensReview] | list[LensReview]) -> dict[int, RiskCounts]:
    """The risk counts of each review, by review pk, in one query. The reviews are all live
    (LensReview) or all frozen (MilestoneLensReview): each kind's answers are read from its own table."""
    if isinstance(lens_reviews, QuerySet):
        model = lens_reviews.model
    elif lens_reviews:
        model = type(lens_reviews[0])
    else:
        return {}
    rows = (
        model._meta.get_field("answers")
        .related_model.objects.filter(lens_review__in=lens_reviews)
        .values("lens_review_id")
        .annotate(**_COUNTS)
        .order_by()
    )
    return {row["lens_review_id"]: _counts(row) for row in rows}


def _count_of(filter_q: Q | None = None):
    """A subquery counting one workload's answers (matching `filter_q`), so that counts annotated
    beside other relations do not multiply (STYLE.md)."""
    answers = Answer.objects.filter(lens_review__workload=OuterRef("pk"))
    if filter_q is not None:
        answers = answers.filter(filter_q)
    counted = answers.order_by().values("lens_review__workload").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_risk_counts(workloads: QuerySet[Workload]) -> QuerySet[Workload]:
    """`workloads`, each annotated with `high`, `medium`, `unanswered` and `questions` (the total)."""
    return workloads.annotate(
        high=_count_of(Q(risk=R.HIGH)),
        medium=_count_of(Q(risk=R.MEDIUM)),
        unanswered=_count_of(Q(risk=R.UNANSWERED)),
        questions=_count_of(),
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
    however many answers and workloads there are."""
    rows = (
        Answer.objects.filter(lens_review__workload__in=workloads.values("pk"))
        .values(
            "lens_review__lens_id",
            "question__pillar_id",
            "question__pillar__pillar_id",
            "question__pillar__name",
        )
        .annotate(**_COUNTS)
        .order_by("question__pillar__position", "question__pillar_id")
    )
    standard: dict[str, dict] = {}
    own: dict[tuple[int, str], dict] = {}
    for row in rows:
        pillar_id = row["question__pillar__pillar_id"]
        group, key = (
            (standard, pillar_id)
            if pillar_id in STANDARD_PILLARS
            else (own, (row["lens_review__lens_id"], pillar_id))
        )
        total = group.setdefault(
            key, {"pillar_id": pillar_id, "name": row["question__pillar__name"], **dict.fromkeys(_COUNTS, 0)}
        )
        for name in _COUNTS:
            total[name] += row[name]
    by_lens = sorted(own, key=lambda key: key[0])  # stable: a lens's pillars stay in their order
    return [PillarRisk(**total) for total in [*standard.values(), *(own[key] for key in by_lens)]]
