"""Milestone benchmarks: saving a milestone of a workload with three lenses applied (99 answers), and
comparing two such milestones, in the browser and through the API.

Times are the whole Django stack through the test client, as in reviews_bench: medians of many runs
after a warm-up. The lenses are three slices of the largest lens (3 pillars x 11 questions x 15
choices each), answered with a fixed random seed; between the two milestones compared, a third of
the answers change."""

import json
import random

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from bench.lens_bench import largest_lens
from bench.reviews_bench import _median_ms, _time_row
from lens.services import lens_import, lens_publish
from reviews.models import Answer
from reviews.services import answer_update, lens_review_apply, question_facts, workload_create

LENSES, PILLARS, QUESTIONS = 3, 3, 11
SAVE_GOAL_MS, COMPARE_GOAL_MS = 150, 60


def _lens_source(n: int) -> bytes:
    document = largest_lens()
    document["name"] = f"Bench lens {n}"
    document["pillars"] = document["pillars"][:PILLARS]
    for pillar in document["pillars"]:
        pillar["questions"] = pillar["questions"][:QUESTIONS]
    return json.dumps(document, separators=(",", ":")).encode()


def _answer_all(workload, owner, rng: random.Random, share: float = 1.0) -> None:
    """Answer `share` of the workload's answers with a random selection of practices."""
    answers = Answer.objects.filter(lens_review__workload=workload).select_related("question__version")
    for answer in answers:
        if rng.random() > share:
            continue
        facts = question_facts(answer.question)
        practices = [c for c in facts.choice_ids if c != facts.none_of_these]
        selected = rng.sample(practices, rng.randint(0, len(practices))) or [facts.none_of_these]
        answer_update(
            answer=answer,
            actor=owner,
            changes={"selected_choices": selected},
            expected_version=answer.version,
        )


def run():
    owner = get_user_model().objects.create_user("milestone-bench", password="bench-password")  # noqa: S106
    client = Client(SERVER_NAME="localhost")
    client.force_login(owner)
    workload = workload_create(owner=owner, fields={"name": "Milestone bench"}, lens_versions=[])
    for n in range(LENSES):
        lens = lens_import(source=_lens_source(n), owner=owner, created_by=owner).lens
        lens_review_apply(
            workload=workload, lens_version=lens_publish(lens=lens, label="1", major=True), actor=owner
        )
    rng = random.Random(5)
    _answer_all(workload, owner, rng)
    answers = Answer.objects.filter(lens_review__workload=workload).count()

    saved = {"n": 0}

    def save():
        saved["n"] += 1
        response = client.post(
            reverse("reviews:milestones", args=[workload.pk]), {"name": f"Bench {saved['n']}"}
        )
        assert response.status_code == 302, response.status_code

    yield _time_row(f"save a milestone, {LENSES} lenses, {answers} answers", _median_ms(save), SAVE_GOAL_MS)

    base = saved["n"]
    _answer_all(workload, owner, rng, share=1 / 3)
    save()
    target = saved["n"]
    for label, url in (
        ("compare two milestones (page)", reverse("reviews:compare", args=[workload.pk])),
        ("compare two milestones (API)", f"/api/v1/workloads/{workload.pk}/milestones/compare/"),
    ):

        def compare(url=url):
            response = client.get(url, {"base": base, "target": target})
            assert response.status_code == 200, response.status_code

        yield _time_row(f"{label}, {answers} answers", _median_ms(compare), COMPARE_GOAL_MS)
