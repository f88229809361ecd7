"""Risk summaries: the risk counts of one workload, or of every workload a user may see, per lens
and per pillar, with the totals per lens, per workload and overall.

Both are plain dicts and lists, shaped as the API answers them (reviews.api.summaries documents
the shape), because the organisation-wide summary covers up to settings.MLWA_RISK_SUMMARY_MAX
workloads in one response and anything heavier per row (model instances, serializers) costs more
than the queries do. Each costs a fixed number of queries, however many workloads, lenses, pillars
and answers there are:

- the workloads (organisation-wide only): the matching rows in order, up to the cap, each with the
  number of matching rows and of all workloads (so that neither the cap nor the shortcut below
  costs another query);
- the lens reviews of those workloads, with their lens and version, in the order applied;
- the pillars of those lens versions;
- the counts: a row per (review, pillar) of PillarRiskCounts, which database triggers keep equal to
  the answers (reviews migration 0003), so that no answer is counted here: for 10,000 workloads,
  reading 50,000 rows of counts takes a tenth of the time of grouping their 140,000 answers. When
  every workload there is matches (an auditor's summary without filters), it reads every row
  rather than joining them to the matching workloads.

Either summary reads the workloads as they are now, or as a milestone keeps them: one workload's
from a ReviewState, every workload's from each one's milestone N (those without one are left out),
reading the frozen MilestoneLensReview and MilestonePillarRiskCounts rows the same way as the live
LensReview and PillarRiskCounts rows (_State). The workloads' own columns (name, owner,
environment), their filters and their order are always the workloads' as they are now.

The per-workload counts of reviews.selectors.risk.with_risk_counts are correlated subqueries (over
the same kept counts), run once per workload: right for a page of 25 rows, slower than one GROUP BY
for 10,000 workloads (seven times, 450 ms against 60 on PostgreSQL for their totals alone, measured
when they still counted the answers). They run here only where a filter or an order needs them
(`has_high`, `ordering=high`).
"""

from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.db import connections
from django.db.models import Count, Exists, Func, OuterRef, QuerySet, Subquery, Window

from lens.models import Pillar
from mlwa.types import Reader
from reviews.models import (
    LensReview,
    Milestone,
    MilestoneLensReview,
    MilestonePillarRiskCounts,
    PillarRiskCounts,
    Workload,
)
from reviews.selectors.dashboard import SORTS, WorkloadFilters, matching_workloads, with_last_change
from reviews.selectors.states import ReviewState

#: The risks counted, in the order of PillarRiskCounts' columns and of counts()'s arguments.
_COUNTS = ("high", "medium", "none", "not_applicable", "unanswered")

Summary = dict[str, Any]


def counts(
    high: int = 0, medium: int = 0, none: int = 0, not_applicable: int = 0, unanswered: int = 0
) -> dict[str, int]:
    """A counts object: how many questions are at each risk, how many there are, how many answered."""
    questions = high + medium + none + not_applicable + unanswered
    return {
        "high": high,
        "medium": medium,
        "none": none,
        "not_applicable": not_applicable,
        "unanswered": unanswered,
        "questions": questions,
        "answered": questions - unanswered,
    }


def _fetch(queryset: QuerySet) -> list[tuple]:
    """The rows of a values_list `queryset`, as the database gives them (ints and text here, which
    need no conversion): Django's converters, run on each value, cost more than the database's
    grouping for 50,000 rows of counts."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _total(parts: list[dict]) -> dict[str, int]:
    """Counts objects added up."""
    return counts(*(sum(part[risk] for part in parts) for risk in _COUNTS))


_SORT_KEY, _PILLAR, _RISKS = itemgetter(0), itemgetter(1), itemgetter(2)  # of an entry, below


def _summaries(
    reviews: QuerySet, pillar_counts: QuerySet, owner: str = "workload_id"
) -> dict[int, list[Summary]]:
    """`owner` → its lenses' summaries in the order applied, for the `reviews` and their
    `pillar_counts` (both restricted to the same workloads), live (LensReview, PillarRiskCounts) or
    frozen (MilestoneLensReview, MilestonePillarRiskCounts); `owner` is the reviews' column that
    groups them (their workload's id, or their milestone's). Three queries, one if there is no review.

    Built for 50,000 rows of counts (10,000 workloads) with as little work per row as can be: each
    distinct (pillar, counts), and each distinct lens totals, is made once and shared by the
    workloads that have it (so the results are to be read, not changed)."""
    lenses = _fetch(
        reviews.order_by(owner, "applied_at", "pk").values_list(
            "pk", owner, "lens_version_id", "lens__alias", "lens__name", "lens_version__label"
        )
    )
    if not lenses:
        return {}
    labels = {
        pk: ((position, pk), pillar_id, name)
        for pk, position, pillar_id, name in Pillar.objects.filter(
            version_id__in={row[2] for row in lenses}
        ).values_list("pk", "position", "pillar_id", "name")
    }
    pillars: dict[tuple, tuple] = {}  # (pillar pk, *risks) → (sort key, pillar, risks): an entry
    by_review: dict[int, list] = {}  # review id → [(sort key, pillar, risks)]
    rows = pillar_counts.values_list("lens_review_id", "pillar_id", *_COUNTS).order_by()
    for row in _fetch(rows):
        key = row[1:]
        entry = pillars.get(key)
        if entry is None:
            sort_key, pillar_id, name = labels[row[1]]
            pillar = {"pillar_id": pillar_id, "name": name, "counts": counts(*key[1:])}
            entry = pillars[key] = (sort_key, pillar, key[1:])
        review = by_review.get(row[0])
        if review is None:
            by_review[row[0]] = [entry]
        else:
            review.append(entry)
    by_workload: dict[int, list[Summary]] = {}
    totals: dict[tuple, dict] = {}  # risks → counts: a few hundred distinct ones for 10,000 lenses
    for review_id, workload_id, _version_id, alias, name, version in lenses:
        entries = by_review.pop(review_id, [])
        entries.sort(key=_SORT_KEY)
        risks = tuple(map(sum, zip(*map(_RISKS, entries)))) or (0, 0, 0, 0, 0)  # noqa: B905 - 5 each
        total = totals.get(risks)
        if total is None:
            total = totals[risks] = counts(*risks)
        lens = {
            "lens": alias,
            "alias": alias,  # deprecated in v1: the same as `lens`
            "name": name,
            "version": version,
            "counts": total,
            "totals": total,  # deprecated in v1: the same object as `counts`
            "pillars": list(map(_PILLAR, entries)),
        }
        known = by_workload.get(workload_id)
        if known is None:
            by_workload[workload_id] = [lens]
        else:
            known.append(lens)
    return by_workload


def _workload_summary(pk: int, name: str, owner: str, environment: str, lenses: list[Summary]) -> Summary:
    # One lens (the usual case): the workload's counts are the lens's.
    total = lenses[0]["counts"] if len(lenses) == 1 else _total([lens["counts"] for lens in lenses])
    return {
        "id": pk,
        "name": name,
        "owner": owner,
        "environment": environment,
        "counts": total,
        "totals": total,  # deprecated in v1: the same object as `counts`
        "lenses": lenses,
    }


def workload_risk_summary(*, state: ReviewState) -> Summary:
    """One workload's risk counts per lens and pillar, with the totals per lens and overall, as they
    are now or as a milestone keeps them (`state`). Three queries (its lens reviews, the pillars,
    the counts); `state.workload` comes with its owner. Its name, owner and environment are the
    workload's now."""
    workload = state.workload
    if state.is_current:
        lenses = _summaries(state.lens_reviews(), state.pillar_counts()).get(workload.pk, [])
    else:
        assert state.milestone is not None  # not the current state: a milestone's
        by_milestone = _summaries(state.lens_reviews(), state.pillar_counts(), "milestone_id")
        lenses = by_milestone.get(state.milestone.pk, [])
    return _workload_summary(
        workload.pk, workload.name, workload.owner.get_username(), workload.environment, lenses
    )


@dataclass(frozen=True)
class _State:
    """What the organisation-wide summary reads, over every workload: their lens reviews and
    counts now, or those of each one's milestone N."""

    reviews: QuerySet  # every lens review read, of any workload
    pillar_counts: QuerySet  # and their counts
    workload: str  # the reviews' path to their workload
    has_it: Exists | None  # whether the outer workload has this state (None: all have)
    every_count: QuerySet  # one row: how many workloads have this state

    @classmethod
    def of(cls, milestone: int | None) -> "_State":
        if milestone is None:
            return cls(
                LensReview.objects.all(), PillarRiskCounts.objects.all(), "workload", None, _EVERY_COUNT
            )
        milestones = Milestone.objects.filter(number=milestone)
        return cls(
            MilestoneLensReview.objects.filter(milestone__number=milestone),
            MilestonePillarRiskCounts.objects.filter(milestone__number=milestone),
            "milestone__workload",
            Exists(milestones.filter(workload=OuterRef("pk"))),
            milestones.order_by().values(n=Func("pk", function="COUNT")),
        )


#: How many workloads there are, whoever reads: when every one matches, the counts need not be
#: restricted to the matching ones. A plain COUNT, not Count(), which would group the outer query.
_EVERY_COUNT = Workload.objects.order_by().values(n=Func("pk", function="COUNT"))


def _in_order(matching: QuerySet[Workload], sort: str) -> QuerySet[Workload]:
    """`matching` in the `sort` order of the workload list (name, then pk, by default)."""
    _label, ordering = SORTS.get(sort, SORTS["name"])
    if sort.removeprefix("-") == "changed":
        matching = with_last_change(matching)
    return matching.order_by(*ordering)


def risk_summary(
    *, user: Reader, filters: WorkloadFilters | None = None, limit: int, milestone: int | None = None
) -> Summary:
    """The risk summary of every workload `user` may see (every one, with "see all workloads")
    that matches `filters`: at most `limit` of them, the first in the filters' order (see
    _risk_summary). With `milestone` N, each workload's lenses and counts as its milestone N keeps
    them, and only the workloads that have one."""
    state = _State.of(milestone)
    return _risk_summary(user=user, filters=filters or WorkloadFilters(), limit=limit, state=state)


def _risk_summary(*, user: Reader, filters: WorkloadFilters, limit: int, state: _State) -> Summary:
    """The summary: {"count": all matching, "truncated": whether some were left out, "limit": `limit`,
    "counts": the counts of the workloads given, added up, "workloads": [each one's summary, as
    workload_risk_summary gives it]}. Four queries: the workloads, their lens reviews, the pillars,
    the counts; fewer when there is nothing to count."""
    matching = matching_workloads(user=user, filters=filters)
    if state.has_it is not None:
        matching = matching.filter(state.has_it)
    ordered = _in_order(matching, filters.ordering)
    workloads = _fetch(
        ordered.annotate(
            matching_count=Window(Count("pk")), every_count=Subquery(state.every_count)
        ).values_list("pk", "name", "owner__username", "environment", "matching_count", "every_count")[:limit]
    )
    if not workloads:
        nothing = counts()
        return {
            "count": 0,
            "truncated": False,
            "limit": limit,
            "counts": nothing,
            "totals": nothing,  # deprecated in v1: the same object as `counts`
            "workloads": [],
        }
    count, every = workloads[0][4:]
    truncated = count > len(workloads)
    in_workloads = f"{state.workload}__in"
    if truncated:  # the workloads given, again, as a subquery: cheaper than sending their ids back
        reviews = state.reviews.filter(**{in_workloads: ordered.values("pk")[:limit]})
    elif count < every:  # without a cut, the order does not matter and is left out
        reviews = state.reviews.filter(**{in_workloads: matching.values("pk")})
    else:  # every workload there is, or with milestone N (an auditor's usual summary): nothing to restrict
        reviews = state.reviews
    restricted = truncated or count < every
    pillar_counts = state.pillar_counts
    if restricted:
        pillar_counts = pillar_counts.filter(lens_review__in=reviews.values("pk"))
    by_workload = _summaries(reviews, pillar_counts, f"{state.workload}_id")
    summaries = [
        _workload_summary(row[0], row[1], row[2], row[3], by_workload.get(row[0], [])) for row in workloads
    ]
    total = _total([summary["counts"] for summary in summaries])
    return {
        "count": count,
        "truncated": truncated,
        "limit": limit,
        # Of the workloads given: one made since the first query may have had its counts read.
        "counts": total,
        "totals": total,  # deprecated in v1: the same object as `counts`
        "workloads": summaries,
    }
