"""'My improvement items': every improvement item assigned to a person, across the workloads they
may see, overdue first, then by due date (none last).

An item is overdue when its due date is before today and it is neither done nor risk-accepted
(`is_overdue`, the one definition the plan, this list and the API share). Each item carries its
question's title and risk now, read by subqueries on the applied lens's answer (None when the lens
is no longer applied or its version lacks the question), so that the list costs the same queries
for ten items or a thousand: one for the items with their workloads, one to count them.
"""

from datetime import date

from django.contrib.auth.models import User
from django.db.models import BooleanField, Case, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from reviews.models import Answer, ImprovementItem, Workload

S = ImprovementItem.Status

#: The statuses whose due date no longer matters: the work is over, one way or the other.
CLOSED = (S.DONE, S.RISK_ACCEPTED)


def is_overdue(*, status: str, due_date: date | None, today: date | None = None) -> bool:
    """Whether an item with `status` and `due_date` is overdue: due before today, still open."""
    today = today or timezone.localdate()
    return due_date is not None and due_date < today and status not in CLOSED


def _overdue_sql(today: date) -> Case:
    return Case(
        When(Q(due_date__lt=today) & ~Q(status__in=CLOSED), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def my_improvement_items(*, user: User) -> QuerySet[ImprovementItem]:
    """The items `user` owns on workloads they may see, with `workload`, `overdue`, and the
    question's `question_title` and `risk` now; overdue first, then by due date (none last), then
    workload name and question. One query (a page of it, with its count, two)."""
    answer = Answer.objects.filter(
        lens_review__workload=OuterRef("workload_id"),
        lens_review__lens__alias=OuterRef("lens_alias"),
        question__question_id=OuterRef("question_id"),
    )
    today = timezone.localdate()
    return (
        ImprovementItem.objects.filter(owner=user, workload__in=Workload.objects.visible_to(user))
        .select_related("workload")
        .annotate(
            overdue=_overdue_sql(today),
            question_title=Subquery(answer.values("question__title")[:1]),
            risk=Subquery(answer.values("risk")[:1]),
        )
        .order_by(
            F("overdue").desc(),
            F("due_date").asc(nulls_last=True),
            "workload__name",
            "workload_id",
            "lens_alias",
            "question_id",
        )
    )
