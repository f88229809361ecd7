"""The dashboard and the workload list: the workloads a user may see, filtered, sorted and counted.

Each row carries its risk counts, progress, lenses, last change, owner and the reader's role, at a
fixed number of queries however many workloads, lenses, answers or events there are: counts and the
last change are correlated subqueries (reviews.selectors.risk), the lenses one prefetch.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Greatest, Lower

from lens.models import Lens
from mlwa.types import Reader
from reviews.models import Answer, LensReview, Workload, WorkloadEvent
from reviews.selectors.risk import with_risk_counts
from reviews.selectors.visibility import role_of

MINE, SHARED = "mine", "shared"

#: How a list may be sorted: name, label, ordering (ties broken by name, then pk, so pages are stable).
#: Each order has its reverse under its name with a leading "-", as DRF's OrderingFilter names them,
#: so that a column header can toggle the direction (reviews.filters.sort_headers).
SORTS: dict[str, tuple[str, tuple[str | Combinable, ...]]] = {
    "name": ("Name", (Lower("name"), "pk")),
    "-name": ("Name, Z to A", (Lower("name").desc(), F("pk").desc())),
    "changed": ("Last change", (F("last_change").desc(), Lower("name"), "pk")),
    "-changed": ("Last change, oldest first", (F("last_change").asc(), Lower("name"), "pk")),
    "high": ("High risks", (F("high").desc(), F("medium").desc(), Lower("name"), "pk")),
    "-high": ("High risks, fewest first", (F("high").asc(), F("medium").asc(), Lower("name"), "pk")),
}


@dataclass(frozen=True)
class WorkloadFilters:
    """What a reader narrowed the list to; the defaults list everything, by name."""

    search: str = ""  # text in the name, description or tags
    environment: str = ""
    ownership: str = ""  # MINE, SHARED or "" (any)
    lens: str = ""  # a lens alias
    tag: str = ""  # one of the workload's tags (any case)
    owner: str = ""  # the owner's username
    has_high: bool | None = None  # True: only those with high risks; False: only those without
    ordering: str = "name"  # a key of SORTS

    @property
    def narrowed(self) -> bool:
        """Whether anything but the order was chosen (an empty result then means "no match")."""
        return bool(
            self.search
            or self.environment
            or self.ownership
            or self.has_high is not None
            or self.lens
            or self.tag
            or self.owner
        )


@dataclass(frozen=True)
class WorkloadTotals:
    """The dashboard's summary over the filtered workloads."""

    workloads: int = 0
    with_high: int = 0
    high: int = 0
    medium: int = 0
    questions: int = 0
    unanswered: int = 0

    @property
    def answered(self) -> int:
        return self.questions - self.unanswered

    @property
    def percent_answered(self) -> int:
        return round(100 * self.answered / self.questions) if self.questions else 0


def _latest(queryset: QuerySet, group_by: str, field: str) -> Subquery:
    """A subquery: the latest `field` of `queryset`'s rows for the outer workload."""
    latest = queryset.order_by().values(group_by).annotate(latest=Max(field)).values("latest")
    return Subquery(latest, output_field=DateTimeField())


def with_last_change(workloads: QuerySet[Workload]) -> QuerySet[Workload]:
    """`workloads` annotated with `last_change`: the latest of the workload's own change, its
    answers' changes and its events (shares, lenses... which do not touch `updated_at`)."""
    answered = _latest(
        Answer.objects.filter(lens_review__workload=OuterRef("pk")), "lens_review__workload", "updated_at"
    )
    event = _latest(WorkloadEvent.objects.filter(workload=OuterRef("pk")), "workload", "at")
    # Greatest() is NULL on SQLite as soon as one argument is, so each side falls back to updated_at.
    return workloads.annotate(
        last_change=Greatest("updated_at", Coalesce(answered, "updated_at"), Coalesce(event, "updated_at"))
    )


def matching_workloads(*, user: Reader, filters: WorkloadFilters = WorkloadFilters()) -> QuerySet[Workload]:
    """The workloads `user` may see (with "see all workloads": every one) that match `filters`,
    with the reader's role and the risk counts: what the rows, the totals and the chart start from.
    Build it once a request and hand it to each: building it costs more than running it."""
    workloads = with_risk_counts(Workload.objects.visible_to(user).with_role(user))
    if text := filters.search:
        workloads = workloads.filter(
            Q(name__icontains=text) | Q(description__icontains=text) | Q(tags__icontains=text)
        )
    if filters.environment:
        workloads = workloads.filter(environment=filters.environment)
    if filters.ownership == MINE:
        workloads = workloads.filter(owner=user.pk)
    elif filters.ownership == SHARED:
        workloads = workloads.filter(shared_with_user=True).exclude(owner=user.pk)  # type: ignore[misc]  # with_role
    if filters.has_high is not None:
        # high: annotated by with_risk_counts, which the plugin does not follow
        workloads = workloads.filter(high__gt=0) if filters.has_high else workloads.filter(high=0)  # type: ignore[misc]
    if filters.lens:
        applied = LensReview.objects.filter(workload=OuterRef("pk"), lens__alias=filters.lens)
        workloads = workloads.filter(Exists(applied))
    if filters.tag:
        workloads = workloads.filter(tags__icontains=_json_string(filters.tag.strip()))
    if filters.owner:
        workloads = workloads.filter(owner__username=filters.owner)
    return workloads


def _json_string(text: str) -> str:
    """`text` as a JSON string, quotes included, as the database prints it inside a JSON list: a
    tag matches whole, `ml` not `mlops`. PostgreSQL prints jsonb with its characters as they are;
    SQLite keeps the text Django wrote, where json.dumps escapes every non-ASCII character."""
    return json.dumps(text, ensure_ascii=connection.vendor != "postgresql")


def workload_rows(matching: QuerySet[Workload], *, sort: str = "name") -> QuerySet[Workload]:
    """The `matching_workloads` in the `sort` order, each with `high`, `medium`, `unanswered`,
    `questions`, `last_change`, its owner, and `applied` (its lens reviews with their lens). Two
    queries when evaluated (the rows, the lenses); pass the rows through `with_roles` to get `role`
    and `answered`."""
    lenses = LensReview.objects.select_related("lens").only(
        "id", "workload_id", "applied_at", "lens__id", "lens__alias", "lens__name"
    )
    _label, ordering = SORTS.get(sort, SORTS["name"])
    return (
        with_last_change(matching)
        .select_related("owner")
        .prefetch_related(Prefetch("lens_reviews", queryset=lenses, to_attr="applied"))
        .order_by(*ordering)
    )


def with_roles(rows: Iterable[Workload], *, user: Reader) -> list[Workload]:
    """The evaluated `rows` of `workload_rows`, each with `role` (the reader's) and `answered`."""
    rows = list(rows)
    for workload in rows:
        workload.role = role_of(workload, user=user)
        workload.answered = workload.questions - workload.unanswered  # type: ignore[attr-defined]  # with_risk_counts
    return rows


def workload_totals(matching: QuerySet[Workload]) -> WorkloadTotals:
    """How many `matching_workloads` there are, how many have high risks, and their risk counts
    and progress added up, in one query (a sum over the per-workload subqueries)."""
    # The sums take names other than the annotations they add up: an aggregate named like an
    # annotation replaces it, and the sum then reads a column the inner query no longer has.
    totals = matching.aggregate(
        sum_workloads=Count("pk"),
        sum_with_high=Count("pk", filter=Q(high__gt=0)),
        sum_high=Sum("high"),
        sum_medium=Sum("medium"),
        sum_questions=Sum("questions"),
        sum_unanswered=Sum("unanswered"),
    )
    return WorkloadTotals(**{name.removeprefix("sum_"): value or 0 for name, value in totals.items()})


def lens_filter_choices(*, user: Reader) -> list[tuple[str, str]]:
    """(alias, name) of every lens `user` may see, by name: the list's lens filter. One query."""
    return list(Lens.objects.visible_to(user).order_by("name", "alias").values_list("alias", "name"))
