"""Questionnaire benchmarks: the question page's server time and queries, for the ML Lens in the
shared lenses folder and for the largest lens the format allows, the time to save an answer, and
the lens review overview of the 60-question bench lens (bench.bench_lens, all answered).

Times are the whole Django stack (middleware, session, view, template) through the test client,
without a network: what the server spends on a request. Medians of many runs after a warm-up."""

import gc
import json
import statistics
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from bench.bench_lens import CHOICES, PILLARS, QUESTIONS, bench_review
from bench.lens_bench import SHARED_LENSES, SHARED_LENSES_MISSING, largest_lens
from bench.rows import cannot_run
from lens.services import lens_import, lens_publish
from reviews.models import Answer
from reviews.services import lens_review_apply, workload_create

RUNS = 50
DASHBOARD_WORKLOADS = 300
PAGE_GOAL_MS, SAVE_GOAL_MS, QUERIES_GOAL = 50, 25, 15
#: The lens review overview (issue 16): under 50 ms, at most 12 queries.
OVERVIEW_GOAL_MS, OVERVIEW_QUERIES_GOAL = 50, 12


def _review(owner, source: bytes, name: str):
    lens = lens_import(source=source, owner=owner, created_by=owner).lens
    version = lens_publish(lens=lens, label="1", major=True)
    workload = workload_create(owner=owner, fields={"name": name}, lens_versions=[])
    return lens_review_apply(workload=workload, lens_version=version, actor=owner)


def _median_ms(call, runs: int = RUNS) -> float:
    # The bench process holds what every earlier benchmark left behind (lens documents, query logs),
    # which a web worker does not: frozen, the garbage collector stops walking it on every request
    # it would otherwise charge to the page (about 20 ms a request, measured).
    gc.collect()
    gc.freeze()
    call()  # warm-up: templates compiled, caches filled
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    gc.unfreeze()
    return statistics.median(times) * 1000


def _page(client: Client, url: str) -> tuple[float, int]:
    """The median server time of a GET of `url`, and the queries it makes."""

    def get():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    # Counted by a wrapper rather than CaptureQueriesContext: each request starts by resetting the
    # connection's query log (Django's request_started signal), which would lose the count.
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        get()
    return _median_ms(get), len(executed)


def _question_page(client: Client, review) -> tuple[float, int]:
    answers = list(
        review.answers.select_related("question").order_by("question__pillar__position", "question__position")
    )
    middle = answers[len(answers) // 2]
    url = reverse(
        "reviews:question",
        kwargs={
            "pk": review.workload_id,
            "alias": review.lens.alias,
            "question_id": middle.question.question_id,
        },
    )

    return _page(client, url)


def _save(client: Client, review) -> float:
    """Alternate between two answers of one question, each save from the version just stored."""
    answer = review.answers.select_related("question").order_by("pk").first()
    practices = list(
        answer.question.choices.exclude(choice_id__endswith="_no").values_list("choice_id", flat=True)
    )
    url = reverse(
        "reviews:answer",
        kwargs={
            "pk": review.workload_id,
            "alias": review.lens.alias,
            "question_id": answer.question.question_id,
        },
    )
    state = {"flip": False}

    def save():
        state["flip"] = not state["flip"]
        version = Answer.objects.values_list("version", flat=True).get(pk=answer.pk)
        selected = practices[:1] if state["flip"] else practices[:2]
        response = client.post(
            url,
            {"version": version, "selected": selected, "is_applicable": "true"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200, response.status_code

    return _median_ms(save)


def _time_row(measure: str, ms: float, goal_ms: int) -> tuple:
    return (f"{measure} (median of {RUNS})", f"{ms:.1f} ms", f"< {goal_ms} ms", ms < goal_ms)


def _queries_row(measure: str, queries: int, goal: int = QUERIES_GOAL) -> tuple:
    return (measure, str(queries), f"<= {goal}", queries <= goal)


def _overview_rows(owner, client: Client):
    """The lens review overview of the 60-question bench lens, every question answered."""
    review = bench_review(owner=owner)
    questions = PILLARS * QUESTIONS
    page_ms, queries = _page(client, reverse("reviews:review", args=[review.workload_id, review.lens.alias]))
    label = f"lens review overview, bench lens {PILLARS}x{QUESTIONS}x{CHOICES}, all answered"
    yield _time_row(f"{label} ({questions} questions)", page_ms, OVERVIEW_GOAL_MS)
    yield _queries_row("lens review overview queries, bench lens", queries, OVERVIEW_QUERIES_GOAL)


def run():
    owner = get_user_model().objects.create_user("bench", password="bench-password")  # noqa: S106
    client = Client(SERVER_NAME="localhost")
    client.force_login(owner)
    lenses = []
    ml_lens = SHARED_LENSES / "machine-learning-lens.json"
    if ml_lens.is_file():
        lenses.append(("ML Lens (shared lenses)", ml_lens.read_bytes()))
    else:
        yield cannot_run("question page, ML Lens", SHARED_LENSES_MISSING)
    lenses.append(("largest lens, 10x20x15", json.dumps(largest_lens(), separators=(",", ":")).encode()))
    for label, source in lenses:
        review = _review(owner, source, label)
        questions = review.answers.count()
        page_ms, queries = _question_page(client, review)
        yield _time_row(f"question page, {label}, {questions} questions", page_ms, PAGE_GOAL_MS)
        yield _queries_row(f"question page queries, {label}", queries)
        yield _time_row(f"save an answer (htmx), {label}", _save(client, review), SAVE_GOAL_MS)
    yield from _overview_rows(owner, client)

    # The dashboard and the workload list with many workloads, each with the built-in lens.
    for n in range(DASHBOARD_WORKLOADS):
        workload_create(owner=owner, fields={"name": f"Workload {n:03d}"})
    for label, url in (
        ("dashboard", reverse("reviews:dashboard")),
        ("workload list", reverse("reviews:workload-list")),
    ):
        page_ms, queries = _page(client, url)
        yield _time_row(f"{label}, {DASHBOARD_WORKLOADS} workloads", page_ms, PAGE_GOAL_MS)
        yield _queries_row(f"{label} queries", queries)
