"""Improvement plan benchmarks (issue 17): "My improvement items" (/improvements/mine/) for a
person with 10 items and with 1,000, across 100 workloads each with the built-in lens. The page must
cost the same queries for both (a page of 50 items, their title and risk read by subqueries), and
its server time is shown beside its goal."""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.reviews_bench import _page, _time_row
from bench.workloads import bulk_workloads
from lens.models import BUILTIN_ALIAS
from reviews.models import ImprovementItem, LensReview

WORKLOADS = 100
FEW, MANY = 10, 1000
MINE_GOAL_MS = 100  # a page of 50 items; the other list pages aim at 50 ms with 25
STATUSES = itertools.cycle(ImprovementItem.Status.values)


def _assign(owner, workloads, questions, count: int) -> None:
    """Items owned by `owner`, `count` in all, spread over the workloads' questions; due dates from
    a month ago to a month ahead, so that some are overdue."""
    today = timezone.localdate()
    pairs = itertools.islice(((w, q) for q in questions for w in workloads), count)
    ImprovementItem.objects.filter(owner=owner).delete()
    ImprovementItem.objects.bulk_create(
        ImprovementItem(
            workload=workload,
            lens_alias=BUILTIN_ALIAS,
            question_id=question,
            owner=owner,
            status=next(STATUSES),
            due_date=today + datetime.timedelta(days=(index % 61) - 30),
            version=1,
        )
        for index, (workload, question) in enumerate(pairs)
    )


def run():
    owner = get_user_model().objects.create_user("improvements-bench", password="bench-password")  # noqa: S106
    workloads = bulk_workloads(owner, WORKLOADS, prefix="Improvements ")
    review = LensReview.objects.filter(workload=workloads[0]).select_related("lens_version").get()
    questions = list(review.lens_version.questions.values_list("question_id", flat=True))
    client = Client(SERVER_NAME="localhost")
    client.force_login(owner)
    url = reverse("reviews:my-improvements")
    counts = {}
    for count in (FEW, MANY):
        _assign(owner, workloads, questions, count)
        with connection.cursor() as cursor:  # what autovacuum would have done by the time anyone asks
            cursor.execute("ANALYZE")
        page_ms, counts[count] = _page(client, url)
        yield _time_row(f'"My improvement items", {count:,} items', page_ms, MINE_GOAL_MS)
    same = counts[FEW] == counts[MANY]
    yield (
        f'"My improvement items" queries, {FEW:,} items and {MANY:,}',
        f"{counts[FEW]} and {counts[MANY]}",
        "the same",
        same,
    )
