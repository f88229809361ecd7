"""/api/v1/workloads/{id}/milestones/: saving (the owner only), listing and reading milestones, and
the queries each costs. `?milestone=N` on the other reads: test_milestone_reads.py. Immutability
through every path: tests/reviews/test_milestone_immutability.py.

Risks follow the built-in lens's rules: MLSEC01: BP01 && BP02 -> none; BP01 -> medium; else high."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lens.models import BUILTIN_ALIAS
from reviews.models import MILESTONE_NAME_MAX, Answer, Milestone, WorkloadEvent
from reviews.services import lens_review_apply, workload_create, workload_update
from reviews.services.milestones import milestone_create
from tests import factories
from tests.api.test_lens_reviews import ROLES, caller, review_url
from tests.api.test_risk_summaries import schema_validator
from tests.expected import counts
from tests.reviews.stored import database_state

pytestmark = pytest.mark.django_db

READ = dict(zip(ROLES, [200, 200, 200, 200, 404, 401, 200, 401], strict=True))
#: Saving a milestone: the owner's (DESIGN.md: "workload fields, lenses, milestones").
SAVE = dict(zip(ROLES, [201, 403, 403, 403, 404, 401, 403, 401], strict=True))


def milestones_url(workload) -> str:
    return f"/api/v1/workloads/{workload.pk}/milestones/"


def milestone_url(workload, number) -> str:
    return f"{milestones_url(workload)}{number}/"


def save(shared, name="Before launch"):
    return milestone_create(workload=shared.workload, actor=shared.owner, name=name)


# --- who may do what --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_who_reads_the_milestones(api_for, shared_workload, who):
    save(shared_workload)
    client = caller(api_for, shared_workload, who)
    workload = shared_workload.workload

    for url in (milestones_url(workload), milestone_url(workload, 1)):
        assert client.get(url).status_code == READ[who], url


@pytest.mark.parametrize("who", ROLES)
def test_only_the_owner_saves_a_milestone(api_for, shared_workload, who):
    client = caller(api_for, shared_workload, who)
    before = database_state()

    response = client.post(milestones_url(shared_workload.workload), {"name": "Before launch"}, format="json")

    assert response.status_code == SAVE[who], response.content
    if SAVE[who] == 201:
        assert Milestone.objects.get().name == "Before launch"
    else:
        assert set(response.json()) >= {"code", "message", "fields"}
        assert database_state() == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_nothing_changes_or_deletes_a_milestone_through_the_api(api_for, shared_workload, method):
    save(shared_workload)
    client = api_for(shared_workload.owner)
    before = database_state()

    for url in (milestone_url(shared_workload.workload, 1), milestones_url(shared_workload.workload)):
        response = getattr(client, method)(url, {"name": "Renamed"}, format="json")
        assert response.status_code == 405, (url, response.content)
    assert database_state() == before


# --- saving -----------------------------------------------------------------------------------------


def test_saving_gives_the_frozen_workload_its_lenses_and_counts_with_its_location(api_for, shared_workload):
    factories.answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_BP01"]
    )
    client = api_for(shared_workload.owner)

    response = client.post(milestones_url(shared_workload.workload), {"name": "Before launch"}, format="json")

    assert response.status_code == 201, response.content
    assert response["Location"].endswith(milestone_url(shared_workload.workload, 1))
    body = response.json()
    assert (body["number"], body["name"], body["created_by"]) == (1, "Before launch", "owner")
    assert body["workload"]["name"] == "Fraud detection"
    assert body["totals"] == counts(medium=1, unanswered=13)
    (lens,) = body["lenses"]
    assert (lens["lens"], lens["version"], lens["totals"]) == (
        BUILTIN_ALIAS,
        shared_workload.review.lens_version.label,
        counts(medium=1, unanswered=13),
    )
    assert sum(pillar["counts"]["questions"] for pillar in lens["pillars"]) == 14
    assert client.get(response["Location"]).json() == body
    event = shared_workload.workload.events.first()
    assert (event.kind, event.actor) == (WorkloadEvent.Kind.MILESTONE_SAVED, shared_workload.owner)


def test_milestones_are_numbered_one_after_the_other(api_for, shared_workload):
    client = api_for(shared_workload.owner)
    for name in ("First", "Second", "Third"):
        client.post(milestones_url(shared_workload.workload), {"name": name}, format="json")

    assert list(Milestone.objects.order_by("number").values_list("number", "name")) == [
        (1, "First"),
        (2, "Second"),
        (3, "Third"),
    ]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "before LAUNCH"}, "name_taken"),  # taken, whatever the case
        ({"name": " Before launch "}, "name_taken"),  # taken once trimmed
        ({"name": ""}, "invalid"),
        ({"name": "   "}, "invalid"),
        ({"name": "x" * (MILESTONE_NAME_MAX + 1)}, "invalid"),
        ({"name": 7}, "invalid"),
        ({"name": None}, "invalid"),
        ({}, "invalid"),
    ],
    ids=["taken", "taken-trimmed", "empty", "blank", "too-long", "number", "null", "missing"],
)
def test_a_name_that_is_taken_or_bad_is_400_naming_it_and_changes_nothing(
    api_for, shared_workload, body, code
):
    save(shared_workload, "Before launch")
    client = api_for(shared_workload.owner)
    before = database_state()

    response = client.post(milestones_url(shared_workload.workload), body, format="json")

    assert response.status_code == 400, response.content
    assert (response.json()["code"], list(response.json()["fields"])) == (code, ["name"])
    assert database_state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": "Later", "number": 9}, "number"), (["Later"], ""), ("Later", "")],
    ids=["unknown-field", "list", "text"],
)
def test_a_body_that_is_not_a_milestone_is_400_and_changes_nothing(api_for, shared_workload, body, field):
    client = api_for(shared_workload.owner)
    before = database_state()

    response = client.post(milestones_url(shared_workload.workload), body, format="json")

    assert response.status_code == 400, response.content
    if field:
        assert list(response.json()["fields"]) == [field]
    assert database_state() == before


def test_a_workload_without_lenses_saves_an_empty_milestone(api_for, shared_workload):
    bare = workload_create(owner=shared_workload.owner, fields={"name": "Bare"}, lens_versions=[])

    response = api_for(shared_workload.owner).post(milestones_url(bare), {"name": "Empty"}, format="json")

    assert response.status_code == 201, response.content
    assert (response.json()["lenses"], response.json()["totals"]) == ([], counts())


# --- listing and reading ----------------------------------------------------------------------------


def test_the_list_is_newest_first_with_totals_per_lens(api_for, shared_workload):
    save(shared_workload, "First")
    factories.answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_no"]
    )
    lens = factories.imported_lens(owner=None, document=factories.lens_document("Data lens", questions=2))
    lens_review_apply(
        workload=shared_workload.workload, lens_version=lens.versions.get(), actor=shared_workload.owner
    )
    save(shared_workload, "Second")

    body = api_for(shared_workload.reader).get(milestones_url(shared_workload.workload)).json()

    assert body["count"] == 2
    second, first = body["results"]
    assert [(m["number"], m["name"], m["created_by"]) for m in (second, first)] == [
        (2, "Second", "owner"),
        (1, "First", "owner"),
    ]
    assert first["totals"] == counts(unanswered=14)
    assert [frozen["lens"] for frozen in first["lenses"]] == [BUILTIN_ALIAS]
    assert second["totals"] == counts(high=1, unanswered=15)
    assert [(frozen["lens"], frozen["totals"]) for frozen in second["lenses"]] == [
        (BUILTIN_ALIAS, counts(high=1, unanswered=13)),
        (lens.alias, counts(unanswered=2)),
    ]


def test_a_milestone_keeps_the_workload_fields_and_notes_as_they_were(api_for, shared_workload):
    owner = shared_workload.owner
    workload_update(workload=shared_workload.workload, actor=owner, fields={"industry": "Banking"})
    api_for(owner).patch(
        review_url(shared_workload.workload),
        {"notes": "Reviewed.", "pillar_notes": {"security": "Keys rotate."}},
        format="json",
    )
    save(shared_workload)
    workload_update(
        workload=shared_workload.workload, actor=owner, fields={"name": "Renamed", "industry": "Retail"}
    )
    api_for(owner).patch(review_url(shared_workload.workload), {"notes": "Changed."}, format="json")

    body = api_for(owner).get(milestone_url(shared_workload.workload, 1)).json()

    assert (body["workload"]["name"], body["workload"]["industry"]) == ("Fraud detection", "Banking")
    (lens,) = body["lenses"]
    assert lens["notes"] == "Reviewed."
    assert {p["pillar_id"]: p["notes"] for p in lens["pillars"]}["security"] == "Keys rotate."


def test_the_list_and_a_milestone_match_the_documented_shape(api_for, shared_workload):
    factories.answered(shared_workload.answer("MLSEC01"), actor=shared_workload.owner, notes="Seen.")
    workload_update(
        workload=shared_workload.workload,
        actor=shared_workload.owner,
        fields={"regions": ["eu-west-1"], "tags": ["fraud"], "pillar_priorities": ["security"]},
    )
    save(shared_workload)
    client = api_for(shared_workload.owner)

    for milestone in client.get(milestones_url(shared_workload.workload)).json()["results"]:
        schema_validator("Milestone").validate(milestone)
    schema_validator("MilestoneDetail").validate(
        client.get(milestone_url(shared_workload.workload, 1)).json()
    )


@pytest.mark.parametrize("number", ["2", "99", "9" * 12])
def test_a_milestone_that_does_not_exist_is_404(api_for, shared_workload, number):
    save(shared_workload)
    assert (
        api_for(shared_workload.owner).get(milestone_url(shared_workload.workload, number)).status_code == 404
    )


def test_another_workloads_milestone_is_404(api_for, shared_workload):
    other = workload_create(owner=shared_workload.owner, fields={"name": "Other"})
    milestone_create(workload=other, actor=shared_workload.owner, name="Theirs")
    assert api_for(shared_workload.owner).get(milestone_url(shared_workload.workload, 1)).status_code == 404


def test_a_deleted_creator_shows_as_null(api_for, shared_workload, django_user_model):
    ex_owner = django_user_model.objects.create_user("ex-owner")
    milestone_create(workload=shared_workload.workload, actor=ex_owner, name="Theirs")
    ex_owner.delete()

    body = api_for(shared_workload.owner).get(milestone_url(shared_workload.workload, 1)).json()

    assert body["created_by"] is None


# --- queries ----------------------------------------------------------------------------------------


def queries(client, url, **query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query).status_code == 200
    return len(captured)


def test_the_list_and_a_milestone_cost_the_same_queries_for_one_milestone_or_many(api_for, shared_workload):
    client = api_for(shared_workload.owner)
    client.get("/api/v1/tokens/")  # the token's first use marks it used, once
    save(shared_workload, "First")
    list_url, detail_url = (
        milestones_url(shared_workload.workload),
        milestone_url(shared_workload.workload, 1),
    )
    # List: the token (with its user), the workload and the caller's role, the count, the page of
    # milestones with who saved each, their lenses with their totals.
    # Detail: the token, the workload and role, the milestone, its lenses, their pillars, the counts.
    few = (queries(client, list_url), queries(client, detail_url))

    for number in range(2, 7):
        lens = factories.imported_lens(
            owner=None, document=factories.lens_document(f"Lens {number}", pillars=3, questions=2)
        )
        lens_review_apply(
            workload=shared_workload.workload, lens_version=lens.versions.get(), actor=shared_workload.owner
        )
        question_id = f"MLSEC0{number % 2 + 1}"
        factories.answered(
            Answer.objects.get(
                lens_review__workload=shared_workload.workload,
                lens_review__lens__alias=BUILTIN_ALIAS,
                question__question_id=question_id,
            ),
            actor=shared_workload.owner,
            selected_choices=[f"{question_id}_BP01"] if number % 4 < 2 else [],
        )
        save(shared_workload, f"Milestone {number}")
    detail_url = milestone_url(shared_workload.workload, 6)
    many = (queries(client, list_url), queries(client, detail_url))

    assert few == many == (5, 6)
