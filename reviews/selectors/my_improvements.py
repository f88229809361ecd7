"""'My improvement items': every improvement item assigned to a person, across the workloads they
may see, overdue first, then by due date (none last).

An item is overdue when its due date is before today and it is neither done nor risk-accepted
(`is_overdue`, the one definition the plan, this list and the API share). A page of items gets its
questions' titles and risks now from the applied lenses' answers (`with_questions`), so that the list
costs the same queries for ten items or a thousand: the count, the page's items with their
workloads, and their questions.
"""

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import User
from django.db.models import BooleanField, Case, F, Q, QuerySet, Value, When
from django.utils import timezone

from reviews.models import Answer, ImprovementItem, LensReview, Workload

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
    """The items `user` owns on workloads they may see, with `workload` and `overdue`; overdue
    first, then by due date (none last), then workload name and question. One query (a page of it,
    with its count, two); `with_questions` adds the questions' titles and risks to a page."""
    return (
        ImprovementItem.objects.filter(owner=user, workload__in=Workload.objects.visible_to(user))
        .select_related("workload")
        .annotate(overdue=_overdue_sql(timezone.localdate()))
        .order_by(
            F("overdue").desc(),
            F("due_date").asc(nulls_last=True),
            "workload__name",
            "workload_id",
            "lens_alias",
            "question_id",
        )
    )


def with_questions(items: Iterable[ImprovementItem]) -> list[ImprovementItem]:
    """`items` (a page), each with `question_title` and `risk`: its question's in the lens applied
    now, or None when that lens is no longer applied or its version lacks the question. One query
    for the page, rather than a subquery per item that the database may run for every item before
    it sorts and cuts the page."""
    items = list(items)
    # The page's lens reviews first (a few dozen at most), so that the answers are found through
    # their (lens review, question) index rather than by question id across every workload.
    reviews = LensReview.objects.filter(
        workload_id__in={item.workload_id for item in items},
        lens__alias__in={item.lens_alias for item in items},
    ).values("pk")
    answers = Answer.objects.filter(
        lens_review__in=reviews, question__question_id__in={item.question_id for item in items}
    ).values_list(
        "lens_review__workload_id",
        "lens_review__lens__alias",
        "question__question_id",
        "question__title",
        "risk",
    )
    found = {(workload, alias, question): (title, risk) for workload, alias, question, title, risk in answers}
    for item in items:
        title, risk = found.get((item.workload_id, item.lens_alias, item.question_id), (None, None))
        # Attributes of the page's items, as an annotation would set them (the templates read them).
        setattr(item, "question_title", title)  # noqa: B010
        setattr(item, "risk", risk)  # noqa: B010
    return items
