"""Every read of the API costs the same number of queries however much data there is: each GET
operation of the schema, measured before and after the world grows (more workloads, shares, events,
lenses and versions, lens reviews, answer changes, tokens)."""

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import token_create
from lens.services import lens_import, lens_publish, lens_share
from reviews.models import Share
from reviews.services import answer_update, lens_review_apply, share_grant, workload_create, workload_update
from tests import factories
from tests.api.test_access_matrix import World, build_world, operations, path_of

pytestmark = pytest.mark.django_db

READS = [(operation_id, path) for operation_id, method, path, _success in operations() if method == "GET"]


def queries_of_every_read(world: World) -> dict[str, int]:
    client = world.clients["owner"]
    client.get("/api/v1/tokens/")  # the token's first use of the test marks it used, once
    found = {}
    for operation_id, path in READS:
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
        share_grant(workload=workload, actor=owner, group=group, role=Share.Role.READER)
        workload_update(workload=workload, actor=owner, fields={"industry": f"Industry {number}"})
        other = workload_create(owner=owner, fields={"name": f"More {number}"})
        lens_review_apply(workload=other, lens_version=lens.versions.get(), actor=owner)
        token_create(user=owner, name=f"more {number}")
        shared = factories.imported_lens(owner=owner, document=factories.lens_document(f"Shared {number}"))
        lens_share(lens=shared, everyone=True)
    lens_review_apply(workload=workload, lens_version=lens.versions.get(), actor=owner)
    for version, choices in enumerate([["MLOPS01_BP01"], ["MLOPS01_BP02"], ["MLOPS01_no"], []], start=1):
        answer_first_question(version, choices)
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
