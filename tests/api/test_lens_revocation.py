"""Issue 14, through the API: once a lens's owner stops sharing it with a workload's owner, the
workload's lens review shows no newer version (`upgrade_available` false, `newest_version` its own)
and `POST .../upgrade/` is a 404 that names no version, as every /lenses/ URL of the lens answers;
sharing it again offers the newer versions again. (The lens is tests/reviews/upgrade_lens.py's; the
pages and the automatic move are tests/reviews/test_lens_revocation.py's.)"""

import re

import pytest

from lens.services import lens_share, lens_unshare
from reviews.models import Share
from reviews.services import share_grant
from tests import factories
from tests.reviews.pages import snapshot
from tests.reviews.upgrade_lens import new_version, version_1, version_2

pytestmark = pytest.mark.django_db


def names_2_1(text: str) -> bool:
    """Whether `text` names version 2.1 (not as part of another number, such as a time's seconds)."""
    return re.search(r"(?<![\d.])2\.1(?![\d.])", text) is not None


def reviews_url(workload) -> str:
    return f"/api/v1/workloads/{workload.pk}/lens-reviews/"


@pytest.fixture
def unshared(alice, bob, django_user_model):
    """alice's lens, shared with bob and dan, each with a workload at version 1; then alice stops
    sharing it with bob and publishes a major version 2 and a minor 2.1."""
    dan = django_user_model.objects.create_user("dan", "dan@example.com", "dan-password")
    lens = factories.imported_lens(owner=alice, document=version_1())
    lens_share(lens=lens, users=[bob, dan])
    bobs = factories.workload(bob, "Bob's model", lenses=[lens])
    dans = factories.workload(dan, "Dan's model", lenses=[lens])
    lens_unshare(lens=lens, users=[bob])
    new_version(lens, label="2", actor=alice)
    new_version(lens, label="2.1", major=False, source=version_2() | {"name": "Renamed"}, actor=alice)
    return lens, bobs, dans, dan


def review_of(client, workload, alias: str) -> dict:
    response = client.get(f"{reviews_url(workload)}{alias}/")
    assert response.status_code == 200
    return response.json()


def test_issue_14_a_review_whose_owner_lost_the_lens_shows_no_newer_version(api_for, bob, unshared):
    lens, bobs, dans, dan = unshared

    detail = review_of(api_for(bob), bobs, lens.alias)
    listed = api_for(bob).get(reviews_url(bobs)).json()["results"]
    theirs = review_of(api_for(dan), dans, lens.alias)

    assert (detail["version"], detail["newest_version"], detail["upgrade_available"]) == ("1", "1", False)
    assert [(r["lens"], r["newest_version"], r["upgrade_available"]) for r in listed] == [
        (lens.alias, "1", False)
    ]
    assert (theirs["newest_version"], theirs["upgrade_available"]) == ("2.1", True)


def test_issue_14_a_milestone_read_shows_no_newer_version_either(api_for, bob, unshared):
    lens, bobs, _dans, _dan = unshared
    client = api_for(bob)
    assert (
        client.post(f"/api/v1/workloads/{bobs.pk}/milestones/", {"name": "M"}, format="json").status_code
        == 201
    )

    frozen = client.get(f"{reviews_url(bobs)}{lens.alias}/?milestone=1").json()

    assert (frozen["newest_version"], frozen["upgrade_available"]) == ("1", False)


def test_issue_14_the_lens_owner_reading_the_workload_sees_what_its_owner_gets(api_for, alice, bob, unshared):
    lens, bobs, _dans, _dan = unshared
    share_grant(workload=bobs, actor=bob, user=alice, role=Share.Role.READER)

    read = review_of(api_for(alice), bobs, lens.alias)

    assert (read["newest_version"], read["upgrade_available"]) == ("1", False)


@pytest.mark.parametrize("body", [{}, {"version": "2"}, {"version": "2.1"}])
def test_issue_14_an_upgrade_of_a_lens_its_owner_lost_is_404_and_names_no_version(
    api_for, bob, unshared, body
):
    lens, bobs, _dans, _dan = unshared
    before = snapshot()

    response = api_for(bob).post(f"{reviews_url(bobs)}{lens.alias}/upgrade/", body, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not names_2_1(response.content.decode())
    assert "Renamed" not in response.content.decode()
    assert snapshot() == before
    # as the lens's own URLs answer him
    assert api_for(bob).get(f"/api/v1/lenses/{lens.alias}/").status_code == 404


def test_issue_14_sharing_the_lens_again_offers_the_newer_versions_again(api_for, alice, bob, unshared):
    lens, bobs, _dans, _dan = unshared
    lens_share(lens=lens, users=[bob])
    client = api_for(bob)

    read = review_of(client, bobs, lens.alias)
    upgraded = client.post(f"{reviews_url(bobs)}{lens.alias}/upgrade/", {}, format="json")

    assert (read["newest_version"], read["upgrade_available"]) == ("2.1", True)
    assert upgraded.status_code == 200, upgraded.content
    assert (upgraded.json()["from_version"], upgraded.json()["version"]) == ("1", "2.1")
