"""/api/v1/lenses/{alias}/versions/ (list, publish), /diff/ and /shares/: a lens's versions, what
changed between two of them, and who may see it."""

import pytest
from django.contrib.auth.models import Group

from lens.models import Lens
from lens.services import lens_import, lens_publish, lens_share
from tests.api.test_lenses import lens_url, stored_lenses
from tests.factories import imported_lens, lens_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(django_user_model):
    return django_user_model.objects.create_user("carol", "carol@example.com", "carol-password")


@pytest.fixture
def two_versions(bob, alice):
    """Bob's lens published as "1" (one question) and "2" (two), with a draft of three questions on
    top whose first title changed; shared with Alice."""
    lens = imported_lens(owner=bob, document=lens_document(questions=1))
    lens_import(source=lens_document(questions=2), owner=bob, alias=lens.alias)
    lens_publish(lens=lens, label="2", major=False)
    draft = lens_document(questions=3)
    draft["pillars"][0]["questions"][0]["title"] = "A new title"
    lens_import(source=draft, owner=bob, alias=lens.alias)
    lens_share(lens=lens, users=[alice])
    return lens


# Versions


def test_the_manager_lists_the_draft_first_then_the_published_versions(api_for, bob, two_versions):
    body = api_for(bob).get(lens_url(two_versions, "versions/")).json()
    assert body["count"] == 3
    assert [(v["label"], v["status"], v["kind"]) for v in body["results"]] == [
        ("draft", "DRAFT", None),
        ("2", "PUBLISHED", "MINOR"),
        ("1", "PUBLISHED", "MAJOR"),
    ]


def test_others_list_the_published_versions_only(api_for, alice, two_versions):
    body = api_for(alice).get(lens_url(two_versions, "versions/")).json()
    assert [v["label"] for v in body["results"]] == ["2", "1"]


def test_the_manager_publishes_the_draft(api_for, bob, two_versions):
    response = api_for(bob).post(lens_url(two_versions, "versions/"), {"label": "3"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["label"], body["status"], body["kind"]) == ("3", "PUBLISHED", "MINOR")
    assert body["published_at"]
    assert response["Location"] == f"http://testserver{lens_url(two_versions)}?version=3"
    assert not two_versions.versions.filter(status="DRAFT").exists()


@pytest.mark.parametrize(
    ("label", "code"),
    [("2", "label_taken"), ("draft", "bad_label"), ("x" * 33, "bad_label"), ("", "invalid")],
)
def test_a_label_that_cannot_be_published_is_refused_on_the_label(api_for, bob, two_versions, label, code):
    before = stored_lenses()
    response = api_for(bob).post(lens_url(two_versions, "versions/"), {"label": label}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert list(response.json()["fields"]) == ["label"]
    assert stored_lenses() == before


def test_publishing_without_a_draft_is_refused_on_the_label(api_for, bob):
    lens = imported_lens(owner=bob)
    before = stored_lenses()
    response = api_for(bob).post(lens_url(lens, "versions/"), {"label": "2"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "no_draft"
    assert list(response.json()["fields"]) == ["label"]
    assert stored_lenses() == before


# Diff


def changes(response) -> set[tuple]:
    return {(c["kind"], c["question_id"], c["choice_id"], c["status"]) for c in response.json()["changes"]}


def test_the_manager_sees_what_the_draft_changes_from_the_newest_version(api_for, bob, two_versions):
    response = api_for(bob).get(lens_url(two_versions, "diff/"))

    assert response.status_code == 200
    body = response.json()
    assert (body["from_version"]["label"], body["to_version"]["label"]) == ("2", "draft")
    assert changes(response) == {
        ("question", "P1Q1", None, "UPDATED"),
        ("question", "P1Q3", None, "NEW"),
        *{("choice", "P1Q3", f"P1Q3_{choice}", "NEW") for choice in ("BP1", "BP2", "BP3", "no")},
    }
    updated = next(c for c in body["changes"] if c["status"] == "UPDATED")
    assert updated == {
        "kind": "question",
        "status": "UPDATED",
        "pillar_id": "pillar1",
        "question_id": "P1Q1",
        "choice_id": None,
        "title": "A new title",
        "fields": ["title"],
        "details": [
            {
                "field": "title",
                "label": "Title",
                "before": ["How do you handle P1Q1?"],
                "after": ["A new title"],
            }
        ],
    }


def test_others_compare_published_versions(api_for, alice, two_versions):
    default = api_for(alice).get(lens_url(two_versions, "diff/")).json()
    assert (default["from_version"]["label"], default["to_version"]["label"]) == ("1", "2")
    backwards = api_for(alice).get(lens_url(two_versions, "diff/?from=2&to=1"))
    assert ("question", "P1Q2", None, "DELETED") in changes(backwards)
    assert api_for(alice).get(lens_url(two_versions, "diff/?from=1&to=draft")).status_code == 404


@pytest.mark.parametrize("query", ["?from=9", "?to=9", "?from=1&to=nope"])
def test_an_unknown_version_is_404(api_for, bob, two_versions, query):
    response = api_for(bob).get(lens_url(two_versions, f"diff/{query}"))
    assert response.status_code == 404


def test_a_lens_with_one_version_has_nothing_to_compare(api_for, bob):
    lens = imported_lens(owner=bob)
    body = api_for(bob).get(lens_url(lens, "diff/")).json()
    assert (body["from_version"], body["to_version"]["label"], body["changes"]) == (None, "1", [])


# Shares


def test_the_manager_reads_and_replaces_who_the_lens_is_shared_with(api_for, alice, bob, carol, two_versions):
    team = Group.objects.create(name="ml-team")
    client = api_for(bob)
    assert client.get(lens_url(two_versions, "shares/")).json() == {
        "everyone": False,
        "users": ["alice"],
        "groups": [],
    }

    response = client.put(
        lens_url(two_versions, "shares/"),
        {"everyone": True, "users": ["carol", "carol"], "groups": ["ml-team"]},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {"everyone": True, "users": ["carol"], "groups": ["ml-team"]}
    lens = Lens.objects.get(pk=two_versions.pk)
    assert lens.shared_with_everyone is True
    assert list(lens.shared_with_users.all()) == [carol]
    assert list(lens.shared_with_groups.all()) == [team]


def test_unsharing_takes_the_lens_out_of_the_list(api_for, alice, bob, two_versions):
    aliases = [row["alias"] for row in api_for(alice).get("/api/v1/lenses/").json()["results"]]
    assert two_versions.alias in aliases
    response = api_for(bob).put(
        lens_url(two_versions, "shares/"), {"everyone": False, "users": [], "groups": []}
    )
    assert response.status_code == 200
    aliases = [row["alias"] for row in api_for(alice).get("/api/v1/lenses/").json()["results"]]
    assert two_versions.alias not in aliases
    assert api_for(alice).get(lens_url(two_versions)).status_code == 404


def test_unknown_users_and_groups_are_refused_at_their_index(api_for, bob, two_versions):
    Group.objects.create(name="ml-team")
    before = stored_lenses()
    response = api_for(bob).put(
        lens_url(two_versions, "shares/"),
        {"everyone": True, "users": ["alice", "nobody"], "groups": ["ghosts", "ml-team"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "users.1": ["No user is named 'nobody'."],
        "groups.0": ["No group is named 'ghosts'."],
    }
    assert stored_lenses() == before


def test_a_replacement_names_all_three_parts(api_for, bob, two_versions):
    before = stored_lenses()
    response = api_for(bob).put(lens_url(two_versions, "shares/"), {"users": ["alice"]}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"everyone", "groups"}
    assert stored_lenses() == before


def test_a_changed_rule_reads_before_and_after_as_conditions_in_words(api_for, bob, two_versions):
    draft = lens_document(questions=1)
    draft["pillars"][0]["questions"][0]["riskRules"] = [
        {"condition": "!(P1Q1_BP1 || P1Q1_BP2)", "risk": "HIGH_RISK"},
        {"condition": "default", "risk": "NO_RISK"},
    ]
    lens_import(source=draft, owner=bob, alias=two_versions.alias)

    body = api_for(bob).get(lens_url(two_versions, "diff/?from=1&to=draft")).json()

    (updated,) = [c for c in body["changes"] if c["status"] == "UPDATED"]
    assert updated["fields"] == ["riskRules"]
    assert updated["details"] == [
        {
            "field": "riskRules",
            "label": "Risk rules",
            "before": [
                "No risk when all of P1Q1_BP1, P1Q1_BP2, P1Q1_BP3 are selected",
                "Medium risk when P1Q1_BP1 is selected",
                "High risk otherwise",
            ],
            "after": ["High risk when none of P1Q1_BP1, P1Q1_BP2 is selected", "No risk otherwise"],
        }
    ]
