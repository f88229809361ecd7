"""Every read of the API costs the same number of queries however much data there is: each GET
operation of the schema, measured before and after the world grows (more workloads, shares, events,
lenses and versions, lens reviews, answer changes, tokens); and each read of a review that takes
`?milestone=N`, reading a small milestone, then a larger one among more milestones."""

from functools import cache

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from accounts.services import token_create
from lens.services import lens_import, lens_publish, lens_share
from reviews.models import Share
from reviews.services import (
    answer_update,
    improvement_item_update,
    lens_review_apply,
    share_grant,
    workload_create,
    workload_update,
)
from reviews.services.milestones import milestone_create
from tests import factories
from tests.api.test_access_matrix import World, build_world, operations, path_of

pytestmark = pytest.mark.django_db

READS = [(operation_id, path) for operation_id, method, path, _success in operations() if method == "GET"]


def queries_of_every_read(world: World) -> dict[str, int]:
    client = world.clients["owner"]
    client.get("/api/v1/tokens/")  # the token's first use of the test marks it used, once
    found = {}
    for operation_id, path in READS:
        # Once unmeasured: what a process caches of a published lens version (its questions'
        # facts and choices) is read on a first request only, and the count is a steady request's.
        client.get(path_of(path, world))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path_of(path, world))
        assert response.status_code == 200, (operation_id, response.content[:200])
        found[operation_id] = len(captured)
    return found


def grow(world: World) -> None:
    """Five or more of everything each read lists or counts."""
    owner = User.objects.get(username="owner")
    workload = owner.owned_workloads.get(name="Fraud detection")
    lens = factories.imported_lens(
        owner=owner, document=factories.lens_document("Big", pillars=3, questions=4)
    )
    for number in range(5):
        group = Group.objects.create(name=f"team {number}")
        seen = workload.lens_reviews.values_list("lens_id", flat=True)  # shared without the owner's lenses
        share_grant(workload=workload, actor=owner, group=group, role=Share.Role.READER, lenses_seen=seen)
        workload_update(workload=workload, actor=owner, fields={"industry": f"Industry {number}"})
        other = workload_create(owner=owner, fields={"name": f"More {number}"})
        lens_review_apply(workload=other, lens_version=lens.versions.get(), actor=owner)
        token_create(user=owner, name=f"more {number}")
        shared = factories.imported_lens(owner=owner, document=factories.lens_document(f"Shared {number}"))
        lens_share(lens=shared, everyone=True)
    lens_review_apply(workload=workload, lens_version=lens.versions.get(), actor=owner)
    for version, choices in enumerate([["MLOPS01_BP01"], ["MLOPS01_BP02"], ["MLOPS01_no"], []], start=1):
        answer_first_question(version, choices)
    # The improvement plan: MLOPS01 at risk again (as before the growth), and tracked items.
    answer_first_question(5, ["MLOPS01_BP01"])
    for question_id in ("MLOPS01", "MLOPS02", "MLOPS03"):
        improvement_item_update(
            workload=workload,
            lens_alias="ml-lens-2021",
            question_id=question_id,
            actor=owner,
            changes={"status": "IN_PROGRESS", "owner": owner.pk, "note": "Tracked."},
            expected_version=None,
        )
    team_lens = owner.lenses.get(alias=world.ids["team_lens"])
    for label in ("2", "3", "4"):
        lens_import(
            source=factories.lens_document("Team lens", pillars=2, questions=3),
            owner=owner,
            alias=team_lens.alias,
        )
        lens_publish(lens=team_lens, label=label, major=False)
    lens_import(
        source=factories.lens_document("Team lens", pillars=3, questions=4),
        owner=owner,
        alias=team_lens.alias,
    )


def answer_first_question(version: int, choices: list[str]) -> None:
    owner = User.objects.get(username="owner")
    workload = owner.owned_workloads.get(name="Fraud detection")
    answer = workload.lens_reviews.get(lens__alias="ml-lens-2021").answers.get(
        question__question_id="MLOPS01"
    )
    answer_update(answer=answer, actor=owner, changes={"selected_choices": choices}, expected_version=version)


def test_no_read_grows_in_queries_with_the_data():
    world = build_world()
    answer_first_question(0, ["MLOPS01_BP04"])  # one change in its history: an empty page costs less
    owner = User.objects.get(username="owner")
    improvement_item_update(  # one item of the owner's: 'My improvement items' is not empty either
        workload=owner.owned_workloads.get(name="Fraud detection"),
        lens_alias="ml-lens-2021",
        question_id="MLOPS02",
        actor=owner,
        changes={"owner": owner.pk, "due_date": None},
        expected_version=None,
    )
    before = queries_of_every_read(world)
    grow(world)
    after = queries_of_every_read(world)
    grown = {
        operation: (before[operation], after[operation])
        for operation in before
        if after[operation] != before[operation]
    }
    assert not grown, f"reads whose queries grew with the data (before, after): {grown}"
    assert set(before) >= {"workloads_list", "risk_summary_retrieve", "workloads_risk_summary_retrieve"}


# --- ?milestone=N --------------------------------------------------------------------------------------


@cache
def milestone_reads() -> tuple[tuple[str, str], ...]:
    """(operationId, path) of every GET that takes `?milestone=`."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return tuple(
        sorted(
            (operation["operationId"], path)
            for path, methods in schema["paths"].items()
            for method, operation in methods.items()
            if method == "get"
            and any(parameter["name"] == "milestone" for parameter in operation.get("parameters", []))
        )
    )


def queries_of_every_milestone_read(world: World) -> dict[str, int]:
    """The queries of each read of a milestone, by operationId: one workload's reads of its milestone
    world.ids["milestone"], the organisation's summary of every workload's milestone 1, and the
    milestones' own list and detail (of world.ids["milestone"] too)."""
    client = world.clients["owner"]
    client.get("/api/v1/tokens/")  # the token's first use of the test marks it used, once
    reads = [(operation_id, path_of(path, world)) for operation_id, path in READS if "/milestones/" in path]
    for operation_id, path in milestone_reads():
        number = world.ids["milestone"] if "{workload_id}" in path else "1"
        reads.append((f"{operation_id}?milestone", f"{path_of(path, world)}?milestone={number}"))
    found = {}
    for name, url in reads:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (name, url, response.content[:200])
        found[name] = len(captured)
    return found


def change_answer(workload, question_id: str, choices: list[str]) -> None:
    owner = User.objects.get(username="owner")
    answer = workload.lens_reviews.get(lens__alias="ml-lens-2021").answers.get(
        question__question_id=question_id
    )
    answer_update(answer=answer, actor=owner, changes={"selected_choices": choices}, expected_version=None)


def test_no_read_of_a_milestone_grows_in_queries_with_the_data():
    world = build_world()
    owner = User.objects.get(username="owner")
    workload = owner.owned_workloads.get(name="Fraud detection")
    answer_first_question(0, ["MLOPS01_BP04"])  # one change in its history: an empty page costs less
    world.ids["milestone"] = str(milestone_create(workload=workload, actor=owner, name="Small").number)
    change_answer(workload, "MLOPS02", ["MLOPS02_BP01"])  # after it: not in it
    before = queries_of_every_milestone_read(world)

    grow(world)  # a second lens, more changes, more workloads with a lens each
    for other in owner.owned_workloads.exclude(pk=workload.pk):
        milestone_create(workload=other, actor=owner, name="Baseline")  # in the organisation's ?milestone=1
    for number in range(5):
        change_answer(workload, "MLOPS01", [["MLOPS01_BP01"], ["MLOPS01_BP02"]][number % 2])
        change_answer(workload, "MLOPS02", [["MLOPS02_BP02"], ["MLOPS02_BP01"]][number % 2])
        latest = milestone_create(workload=workload, actor=owner, name=f"Larger {number}")
    world.ids["milestone"] = str(latest.number)
    after = queries_of_every_milestone_read(world)

    assert set(after) == set(before)
    grown = {read: (before[read], after[read]) for read in before if after[read] != before[read]}
    assert not grown, f"reads of a milestone whose queries grew with the data (before, after): {grown}"
    assert {name for name in before if name.endswith("?milestone")} >= {
        "workloads_lens_reviews_list?milestone",
        "workloads_lens_reviews_retrieve?milestone",
        "workloads_lens_reviews_answers_list?milestone",
        "workloads_lens_reviews_answers_retrieve?milestone",
        "workloads_lens_reviews_answers_history_list?milestone",
        "workloads_risk_summary_retrieve?milestone",
        "risk_summary_retrieve?milestone",
    }
    assert {"workloads_milestones_list", "workloads_milestones_retrieve"} <= set(before)
