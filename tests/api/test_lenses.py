"""/api/v1/lenses/: who may reach each operation, the list, a lens's content, and delete.

Bob owns a lens; Alice sees it once it is shared with her but does not manage it; Carol may not see
it at all. Every refusal leaves every lens row as it was.
"""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lens.models import BUILTIN_ALIAS, Choice, Lens, LensVersion, Pillar, Question, Resource, RiskRule
from lens.services import lens_import, lens_share
from tests.api.conftest import revoked_token_client
from tests.factories import imported_lens, lens_document, workload

pytestmark = pytest.mark.django_db


def lens_url(lens: Lens | str, suffix: str = "") -> str:
    """/api/v1/lenses/<alias>/<suffix>."""
    alias = lens if isinstance(lens, str) else lens.alias
    return f"/api/v1/lenses/{alias}/{suffix}"


def stored_lenses() -> tuple:
    """Every lens row an endpoint could change, to compare before and after a refusal."""
    return (
        list(Lens.objects.order_by("pk").values()),
        list(LensVersion.objects.order_by("pk").values("pk", "lens_id", "status", "label", "kind")),
        list(Lens.shared_with_users.through.objects.order_by("pk").values_list("lens_id", "user_id")),
        list(Lens.shared_with_groups.through.objects.order_by("pk").values_list("lens_id", "group_id")),
        [model.objects.count() for model in (Pillar, Question, Choice, RiskRule, Resource)],
    )


@pytest.fixture
def carol(django_user_model):
    return django_user_model.objects.create_user("carol", "carol@example.com", "carol-password")


@pytest.fixture
def bobs_lens(bob, alice):
    """Bob's lens, published as "1" with a draft on top, shared with Alice."""
    lens = imported_lens(owner=bob, document=lens_document(name="Bob's lens"))
    lens_import(source=lens_document(name="Bob's lens", questions=3), owner=bob, alias=lens.alias)
    lens_share(lens=lens, users=[alice])
    return lens


# (method, path under the lens, body): every operation on one lens.
OPERATIONS = {
    "detail": ("get", "", None),
    "delete": ("delete", "", None),
    "versions": ("get", "versions/", None),
    "publish": ("post", "versions/", {"label": "2", "major": True}),
    "diff": ("get", "diff/", None),
    "export": ("get", "export/", None),
    "shares": ("get", "shares/", None),
    "share": ("put", "shares/", {"everyone": True, "users": [], "groups": []}),
}
MANAGING = {"delete", "publish", "shares", "share"}
WRITES = {"delete", "publish", "share"}


def call(client, operation: str, lens):
    method, suffix, body = OPERATIONS[operation]
    return getattr(client, method)(lens_url(lens, suffix), body, format="json")


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_a_lens_someone_may_not_see_is_404_for_every_operation(api_for, carol, bobs_lens, operation):
    before = stored_lenses()
    response = call(api_for(carol), operation, bobs_lens)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert stored_lenses() == before


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_without_valid_credentials_every_operation_is_401(api_for, bob, bobs_lens, operation):
    before = stored_lenses()
    assert call(api_for(None), operation, bobs_lens).status_code == 401
    assert call(revoked_token_client(bob), operation, bobs_lens).status_code == 401
    assert stored_lenses() == before


@pytest.mark.parametrize("operation", sorted(MANAGING))
def test_someone_the_lens_is_shared_with_may_not_manage_it(api_for, alice, bobs_lens, operation):
    before = stored_lenses()
    response = call(api_for(alice), operation, bobs_lens)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert stored_lenses() == before


@pytest.mark.parametrize("operation", sorted(set(OPERATIONS) - MANAGING))
def test_someone_the_lens_is_shared_with_reads_it(api_for, alice, bobs_lens, operation):
    assert call(api_for(alice), operation, bobs_lens).status_code == 200


@pytest.mark.parametrize("operation", sorted(WRITES))
def test_a_read_only_token_changes_nothing(api_for, bob, bobs_lens, operation):
    before = stored_lenses()
    response = call(api_for(bob, read_only=True), operation, bobs_lens)
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"
    assert stored_lenses() == before


@pytest.mark.parametrize("operation", sorted(set(OPERATIONS) - WRITES))
def test_a_read_only_token_reads_everything_its_user_may(api_for, bob, bobs_lens, operation):
    assert call(api_for(bob, read_only=True), operation, bobs_lens).status_code == 200


# The list


def test_the_list_shows_the_instances_lenses_ones_own_and_those_shared(api_for, alice, bob, carol, bobs_lens):
    imported_lens(owner=carol, document=lens_document(name="Carol's secret"))
    everyones = imported_lens(owner=carol, document=lens_document(name="Carol's public lens"))
    lens_share(lens=everyones, everyone=True)
    team = Group.objects.create(name="reviewers")
    alice.groups.add(team)
    teams = imported_lens(owner=carol, document=lens_document(name="Carol's team lens"), publish=None)
    lens_share(lens=teams, groups=[team])

    response = api_for(alice).get("/api/v1/lenses/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    rows = {row["alias"]: row for row in body["results"]}
    assert set(rows) == {BUILTIN_ALIAS, bobs_lens.alias, everyones.alias, teams.alias}
    assert rows[bobs_lens.alias] == {
        "alias": bobs_lens.alias,
        "name": "Bob's lens",
        "description": "Bob's lens, made for a test.",
        "owner": "bob",
        "builtin": False,
        "shared_with_everyone": False,
        "manageable": False,
        "latest_version": rows[bobs_lens.alias]["latest_version"],
    }
    assert rows[bobs_lens.alias]["latest_version"]["label"] == "1"  # not the draft on top
    assert rows[bobs_lens.alias]["latest_version"]["kind"] == "MAJOR"
    assert rows[teams.alias]["latest_version"] is None  # a draft only, which Alice may not see
    assert rows[BUILTIN_ALIAS]["owner"] is None
    assert rows[BUILTIN_ALIAS]["builtin"] is True
    assert rows[everyones.alias]["shared_with_everyone"] is True


def test_the_list_needs_valid_credentials(api_for, bob):
    assert api_for(None).get("/api/v1/lenses/").status_code == 401
    assert revoked_token_client(bob).get("/api/v1/lenses/").status_code == 401
    assert api_for(bob, read_only=True).get("/api/v1/lenses/").status_code == 200


def test_the_list_says_which_lenses_the_caller_manages(api_for, bob, admin_user, bobs_lens):
    mine = {row["alias"]: row["manageable"] for row in api_for(bob).get("/api/v1/lenses/").json()["results"]}
    assert mine == {BUILTIN_ALIAS: False, bobs_lens.alias: True}
    admins = api_for(admin_user).get("/api/v1/lenses/").json()["results"]
    assert {row["alias"]: row["manageable"] for row in admins} == {BUILTIN_ALIAS: True}


def test_the_list_is_paginated(api_for, bob):
    for number in range(3):
        imported_lens(owner=bob, document=lens_document(name=f"Lens {number}"))
    body = api_for(bob).get("/api/v1/lenses/?page_size=2&page=2").json()
    assert body["count"] == 4
    assert [row["name"] for row in body["results"]] == ["Lens 2", "Machine Learning Lens (2021 slides)"]
    assert body["previous"]
    assert body["next"] is None


@pytest.mark.parametrize("count", [1, 5])
def test_the_list_costs_the_same_queries_for_1_or_5_lenses(api_for, alice, bob, count):
    for number in range(count):
        lens = imported_lens(owner=bob, document=lens_document(name=f"Shared {number}"))
        lens_import(source=lens_document(name=f"Shared {number}"), owner=bob, alias=lens.alias)
        lens_share(lens=lens, users=[alice])
    client = api_for(alice)
    client.get("/api/v1/lenses/")  # marks the token used: a write at most every five minutes

    # token, count, the page of lenses, their published versions, Alice's permissions (user and
    # group) once, for the instance's lens
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/lenses/")
    assert response.json()["count"] == count + 1
    assert len(queries) == 6, [query["sql"] for query in queries]


# One lens


def test_a_lens_shows_its_newest_published_version_with_its_content(api_for, alice, bobs_lens):
    response = api_for(alice).get(lens_url(bobs_lens))

    assert response.status_code == 200
    body = response.json()
    assert body["alias"] == bobs_lens.alias
    assert body["latest_version"]["label"] == "1"
    version = body["version"]
    assert (version["label"], version["status"], version["kind"]) == ("1", "PUBLISHED", "MAJOR")
    assert version["schema_version"] == "2021-11-01"
    assert version["warnings"] == []
    [pillar] = body["pillars"]
    assert (pillar["id"], pillar["name"], pillar["description"]) == (
        "pillar1",
        "Pillar 1",
        "What pillar 1 is about.",
    )
    assert [question["id"] for question in pillar["questions"]] == ["P1Q1", "P1Q2"]
    question = pillar["questions"][0]
    assert question["helpful_resource"] == {
        "display_text": "Why it matters.",
        "url": "https://example.com/why",
    }
    assert [choice["id"] for choice in question["choices"]] == ["P1Q1_BP1", "P1Q1_BP2", "P1Q1_BP3", "P1Q1_no"]
    assert question["choices"][0] == {
        "id": "P1Q1_BP1",
        "title": "Practice P1Q1_BP1",
        "none_of_these": False,
        "helpful_resource": {"display_text": "Why P1Q1_BP1 matters.", "url": None},
        "improvement_plan": {
            "display_text": "How to start doing P1Q1_BP1.",
            "url": "https://example.com/plan",
        },
        "additional_resources": None,
    }
    assert question["choices"][3]["none_of_these"] is True
    assert question["risk_rules"] == [
        {"condition": "P1Q1_BP1 && P1Q1_BP2 && P1Q1_BP3", "risk": "NO_RISK"},
        {"condition": "P1Q1_BP1", "risk": "MEDIUM_RISK"},
        {"condition": "default", "risk": "HIGH_RISK"},
    ]


def test_additional_resources_and_warnings_are_shown_as_stored(api_for, bob):
    document = lens_document()
    document["pillars"][0]["questions"][0]["choices"][0]["additionalResources"] = [
        {
            "type": "IMPROVEMENT_PLAN",
            "content": [{"displayText": "Step 1"}, {"displayText": "Step 2", "url": "https://example.com/2"}],
        },
        {"type": "HELPFUL_RESOURCE", "content": [{"displayText": "Read this"}]},
    ]
    document["pillars"][0]["questions"][0]["choices"][1]["additionalResources"] = []
    document["pillars"][0]["questions"][0]["title"] = "x" * 200
    lens = imported_lens(owner=bob, document=document, publish=None)

    body = api_for(bob).get(lens_url(lens)).json()

    assert body["version"]["label"] == "draft"  # nothing published: the draft, for its manager
    assert [w["path"] for w in body["version"]["warnings"]] == ["$.pillars[0].questions[0].title"]
    choices = body["pillars"][0]["questions"][0]["choices"]
    assert choices[0]["additional_resources"] == [
        {
            "type": "IMPROVEMENT_PLAN",
            "content": [
                {"display_text": "Step 1", "url": None},
                {"display_text": "Step 2", "url": "https://example.com/2"},
            ],
        },
        {"type": "HELPFUL_RESOURCE", "content": [{"display_text": "Read this", "url": None}]},
    ]
    assert choices[1]["additional_resources"] == []


def test_the_draft_is_shown_to_its_manager_and_is_404_to_others(api_for, alice, bob, bobs_lens):
    draft = api_for(bob).get(lens_url(bobs_lens, "?version=draft")).json()
    assert draft["version"]["status"] == "DRAFT"
    assert draft["version"]["kind"] is None
    assert len(draft["pillars"][0]["questions"]) == 3
    assert api_for(alice).get(lens_url(bobs_lens, "?version=draft")).status_code == 404
    assert api_for(bob).get(lens_url(bobs_lens, "?version=7")).status_code == 404


def test_a_shared_lens_with_nothing_published_shows_no_version_to_others(api_for, alice, bob):
    lens = imported_lens(owner=bob, publish=None)
    lens_share(lens=lens, users=[alice])
    body = api_for(alice).get(lens_url(lens)).json()
    assert (body["version"], body["pillars"]) == (None, [])


@pytest.mark.parametrize(("pillars", "questions"), [(1, 1), (3, 10)])
def test_a_lens_costs_the_same_queries_for_any_size(api_for, bob, pillars, questions):
    lens = imported_lens(owner=bob, document=lens_document(pillars=pillars, questions=questions))
    client = api_for(bob)
    client.get(lens_url(lens))  # marks the token used

    # token, lens, the newest published version, its pillars, questions, choices, choices'
    # resources, risk rules, questions' resources, the lens's published versions
    with CaptureQueriesContext(connection) as queries:
        response = client.get(lens_url(lens))
    assert len(response.json()["pillars"]) == pillars
    assert len(queries) == 10, [query["sql"] for query in queries]


# Delete


def test_the_owner_deletes_their_lens(api_for, bob, bobs_lens):
    response = api_for(bob).delete(lens_url(bobs_lens))
    assert response.status_code == 204
    assert not Lens.objects.filter(pk=bobs_lens.pk).exists()
    assert not LensVersion.objects.filter(lens_id=bobs_lens.pk).exists()


def test_a_lens_in_use_is_not_deleted(api_for, bob, bobs_lens):
    workload(bob, lenses=[bobs_lens])
    before = stored_lenses()
    response = api_for(bob).delete(lens_url(bobs_lens))
    assert response.status_code == 409
    assert response.json()["code"] == "in_use"
    assert stored_lenses() == before


def test_the_builtin_lens_is_not_deleted_even_by_an_administrator(api_for, alice, admin_user):
    before = stored_lenses()
    assert api_for(alice).delete(lens_url(BUILTIN_ALIAS)).status_code == 403
    response = api_for(admin_user).delete(lens_url(BUILTIN_ALIAS))
    assert response.status_code == 409
    assert response.json()["code"] == "builtin"
    assert stored_lenses() == before
