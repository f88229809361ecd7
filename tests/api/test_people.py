"""Issue 17 through REST v1: `GET /api/v1/people/?search=` finds the users and teams the people
page's picker finds (names and usernames, never email addresses), and `POST .../shares/` shares the
lenses someone cannot open too when `share_lenses` is true, and otherwise names them in its answer
(`lenses_not_visible`)."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from lens.models import Lens
from reviews.models import Share
from reviews.services import lens_review_apply
from tests import factories
from tests.api.conftest import token_client
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def caller():
    return token_client(UserFactory(username="caller"))


def test_people_are_found_with_what_a_share_takes(caller):
    UserFactory(username="amartin", first_name="Alice", last_name="Martin", email="alice@corp.example")
    GroupFactory(name="Martians")
    response = caller.get("/api/v1/people/", {"search": "mart"})
    assert response.status_code == 200
    assert response.json() == [
        {
            "kind": "USER",
            "user": "amartin",
            "group": None,
            "name": "Alice Martin",
            "label": "Alice Martin (amartin)",
        },
        {"kind": "GROUP", "user": None, "group": "Martians", "name": "Martians", "label": "Martians (team)"},
    ]
    assert b"corp.example" not in response.content
    assert "ETag" in response


def test_at_most_twenty_people_are_listed(caller):
    for n in range(25):
        UserFactory(username=f"member{n:02}")
    assert len(caller.get("/api/v1/people/", {"search": "member"}).json()) == 20


@pytest.mark.parametrize("query", [{}, {"search": ""}, {"search": "a"}, {"search": "x" * 101}])
def test_a_search_too_short_or_too_long_is_a_400_naming_it(caller, query):
    response = caller.get("/api/v1/people/", query)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"search"}


def test_a_search_long_enough_as_sent_but_mostly_spaces_finds_nobody(caller):
    # The length is the schema's, as sent; squeezed, "  a " is too short to look anyone up by.
    response = caller.get("/api/v1/people/", {"search": "  a "})
    assert (response.status_code, response.json()) == (200, [])


def test_only_signed_in_callers_may_search():
    assert APIClient().get("/api/v1/people/", {"search": "owner"}).status_code == 401


def test_the_schema_documents_the_search():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/people/"]["get"]
    search = next(parameter for parameter in operation["parameters"] if parameter["name"] == "search")
    assert search["required"] is True
    assert "never email addresses" in operation["description"]


# Sharing a workload whose lens they cannot open


@pytest.fixture
def lens_world():
    olivia, bob = UserFactory(username="olivia"), UserFactory(username="bob")
    lens = factories.imported_lens(owner=olivia, document=factories.lens_document("Team lens"))
    workload = factories.workload(olivia)
    lens_review_apply(workload=workload, lens_version=lens.versions.get(), actor=olivia)
    return {"client": token_client(olivia), "bob": bob, "lens": lens, "workload": workload}


def shares_url(workload) -> str:
    return f"/api/v1/workloads/{workload.pk}/shares/"


def test_sharing_without_share_lenses_keeps_v1s_meaning_and_names_the_hidden_lenses(lens_world):
    # REST v1 stays compatible: the request that shared a workload before still does, alone; the
    # answer names the lens bob cannot open.
    w = lens_world
    response = w["client"].post(shares_url(w["workload"]), {"user": "bob", "role": "READER"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["lenses_not_visible"] == [w["lens"].alias]
    assert not Lens.objects.visible_to(w["bob"]).filter(pk=w["lens"].pk).exists()


@pytest.mark.parametrize("share_lenses", [True, False])
def test_share_lenses_says_whether_the_lens_is_shared_too(lens_world, share_lenses):
    w = lens_world
    response = w["client"].post(
        shares_url(w["workload"]),
        {"user": "bob", "role": "READER", "share_lenses": share_lenses},
        format="json",
    )
    assert response.status_code == 201
    assert Share.objects.filter(workload=w["workload"], user=w["bob"]).exists()
    assert Lens.objects.visible_to(w["bob"]).filter(pk=w["lens"].pk).exists() is share_lenses
    assert response.json()["lenses_not_visible"] == ([] if share_lenses else [w["lens"].alias])


def test_share_lenses_is_true_or_false_only(lens_world):
    w = lens_world
    response = w["client"].post(
        shares_url(w["workload"]), {"user": "bob", "role": "READER", "share_lenses": "yes"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"share_lenses"}
