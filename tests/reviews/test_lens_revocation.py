"""Issue 14: unsharing a lens stops its new versions. A review whose workload's owner may no longer
see its lens keeps the version it has: publishing a minor version does not move it, no page offers
or names a newer version, and an upgrade is refused; the review keeps working on its version. When
the owner may see the lens again, newer versions are offered again. (The lens is
tests/reviews/upgrade_lens.py's; the API side is tests/api/test_lens_revocation.py.)"""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lens.services import lens_share, lens_unshare
from reviews.models import LensReview, Share, WorkloadEvent
from reviews.selectors.upgrades import newest_version, upgrade_preview
from reviews.services import InvalidInput, share_grant
from reviews.services.milestones import milestone_create
from reviews.services.upgrades import lens_review_upgrade
from tests import factories
from tests.reviews.pages import snapshot, url
from tests.reviews.upgrade_lens import new_version, version_1, version_2

pytestmark = pytest.mark.django_db


def names_2_1(text: str) -> bool:
    """Whether `text` names version 2.1 (not as part of another number, such as a time's seconds)."""
    return re.search(r"(?<![\d.])2\.1(?![\d.])", text) is not None


@pytest.fixture
def users(django_user_model):
    """alice owns the lens; bob, carol (through a group) and dan were given it; erin never was."""
    made = {
        name: django_user_model.objects.create_user(name, f"{name}@example.com", f"{name}-password")
        for name in ("alice", "bob", "carol", "dan", "erin")
    }
    team = Group.objects.create(name="lens-readers")
    made["carol"].groups.add(team)
    made["team"] = team
    return made


@pytest.fixture
def shared_lens(users):
    """alice's lens at version 1, shared with bob, dan and carol's group; each has a workload with it."""
    lens = factories.imported_lens(owner=users["alice"], document=version_1())
    lens_share(lens=lens, users=[users["bob"], users["dan"]], groups=[users["team"]])
    reviews = {
        name: factories.workload(users[name], f"{name}'s model", lenses=[lens]).lens_reviews.get(lens=lens)
        for name in ("alice", "bob", "carol", "dan")
    }
    return lens, reviews


def version_of(review) -> str:
    return LensReview.objects.select_related("lens_version").get(pk=review.pk).lens_version.label


def unshared_with_bob(users, shared_lens):
    lens, reviews = shared_lens
    lens_unshare(lens=lens, users=[users["bob"]])
    return lens, reviews


# --- the automatic move of a minor version ------------------------------------------------------------


def test_issue_14_a_minor_version_does_not_move_the_review_of_an_owner_who_lost_the_lens(users, shared_lens):
    lens, reviews = unshared_with_bob(users, shared_lens)

    new_version(lens, label="1.1", major=False, actor=users["alice"])

    # alice owns it, carol sees it through her group, dan directly: their reviews follow...
    assert {name: version_of(review) for name, review in reviews.items()} == {
        "alice": "1.1",
        "bob": "1",
        "carol": "1.1",
        "dan": "1.1",
    }
    # ...and bob's workload logs nothing: it never heard of 1.1.
    assert not WorkloadEvent.objects.filter(
        workload=reviews["bob"].workload, kind=WorkloadEvent.Kind.LENS_UPGRADED
    ).exists()


def test_issue_14_an_owner_who_lost_the_lens_through_their_group_keeps_the_version(users, shared_lens):
    lens, reviews = shared_lens
    lens_unshare(lens=lens, groups=[users["team"]])

    new_version(lens, label="1.1", major=False, actor=users["alice"])

    assert (version_of(reviews["carol"]), version_of(reviews["bob"])) == ("1", "1.1")


def test_issue_14_a_lens_shared_with_everyone_moves_every_review(users, shared_lens):
    lens, reviews = unshared_with_bob(users, shared_lens)
    lens_share(lens=lens, everyone=True)
    erins = factories.workload(users["erin"], lenses=[lens]).lens_reviews.get()

    new_version(lens, label="1.1", major=False, actor=users["alice"])

    assert {version_of(review) for review in [*reviews.values(), erins]} == {"1.1"}


def test_issue_14_an_owner_who_regains_the_lens_follows_the_next_minor_version(users, shared_lens):
    lens, reviews = unshared_with_bob(users, shared_lens)
    new_version(lens, label="1.1", major=False, actor=users["alice"])
    assert version_of(reviews["bob"]) == "1"

    lens_share(lens=lens, users=[users["bob"]])
    new_version(lens, label="1.2", major=False, actor=users["alice"])

    assert version_of(reviews["bob"]) == "1.2"


def publish_queries(django_user_model, alice, lens, hidden: int) -> int:
    """The queries of publishing a minor version of `lens` with `hidden` more workloads, each of an
    owner who was given the lens and lost it, on the version before."""
    for number in range(hidden):
        owner = django_user_model.objects.create_user(f"lost-{lens.pk}-{number}")
        lens_share(lens=lens, users=[owner])
        factories.workload(owner, lenses=[lens])
        lens_unshare(lens=lens, users=[owner])
    label = f"1.{hidden}"
    with CaptureQueriesContext(connection) as queries:
        new_version(lens, label=label, major=False, actor=alice)
    assert LensReview.objects.filter(lens=lens, lens_version__label=label).count() == 1  # alice's
    assert LensReview.objects.filter(lens=lens).exclude(lens_version__label=label).count() == hidden
    return len(queries)


def test_issue_14_the_minor_move_costs_the_same_queries_however_many_owners_lost_the_lens(
    django_user_model, users
):
    # Whose reviews move is one filter of the reviews' query (the lens's visibility to each
    # workload's owner, in SQL), not a query per workload or per owner.
    counts = []
    for hidden in (1, 6):
        lens = factories.imported_lens(owner=users["alice"], document=version_1() | {"name": f"L{hidden}"})
        factories.workload(users["alice"], f"Mine {hidden}", lenses=[lens])
        counts.append(publish_queries(django_user_model, users["alice"], lens, hidden))
    assert counts[0] == counts[1]


# --- upgrades: the service, the selectors and the pages ---------------------------------------------------


@pytest.fixture
def newer_versions(users, shared_lens):
    """bob lost the lens, then alice published a major version 2 and a minor 2.1."""
    lens, reviews = unshared_with_bob(users, shared_lens)
    new_version(lens, label="2", actor=users["alice"])
    new_version(
        lens, label="2.1", major=False, source=version_2() | {"name": "Renamed"}, actor=users["alice"]
    )
    return lens, reviews


def loaded(review) -> LensReview:
    return LensReview.objects.select_related("workload", "lens", "lens_version").get(pk=review.pk)


def test_issue_14_no_newer_version_is_found_for_an_owner_who_lost_the_lens(users, newer_versions):
    _lens, reviews = newer_versions

    assert newest_version(loaded(reviews["bob"])) is None
    assert upgrade_preview(loaded(reviews["bob"])).target is None
    assert newest_version(loaded(reviews["dan"])).label == "2.1"


@pytest.mark.parametrize(
    ("version", "refusal"),
    [
        (None, "The review is on the newest version (1)."),
        # as for a label the lens never had: nothing says that "2" or "2.1" exist
        ("2", "This lens has no published version '2'."),
        ("2.1", "This lens has no published version '2.1'."),
    ],
)
def test_issue_14_an_upgrade_is_refused_without_naming_a_newer_version(
    users, newer_versions, version, refusal
):
    _lens, reviews = newer_versions
    before = snapshot()

    with pytest.raises(InvalidInput) as refused:
        lens_review_upgrade(lens_review=reviews["bob"], actor=users["bob"], version=version)

    assert refused.value.errors == {"version": [refusal]}
    assert snapshot() == before


def test_issue_14_an_upgrade_to_a_version_object_of_a_lost_lens_is_refused(users, newer_versions):
    lens, reviews = newer_versions
    with pytest.raises(InvalidInput):
        lens_review_upgrade(
            lens_review=reviews["bob"], actor=users["bob"], version=lens.versions.get(label="2")
        )
    assert version_of(reviews["bob"]) == "1"


def test_issue_14_the_upgrade_page_is_404_for_an_owner_who_lost_the_lens(client_for, users, newer_versions):
    lens, reviews = newer_versions
    client = client_for(users["bob"])
    page = url("lens-upgrade", reviews["bob"].workload, lens.alias)
    before = snapshot()

    shown = client.get(page)
    posted = client.post(page, {"version": "2.1"})

    assert (shown.status_code, posted.status_code) == (404, 404)
    for response in (shown, posted):
        assert not names_2_1(response.content.decode())
        assert "Renamed" not in response.content.decode()
    assert snapshot() == before
    # as every page of the lens itself answers him
    assert client.get(f"/lenses/{lens.alias}/").status_code == 404


def test_issue_14_the_workload_page_offers_no_newer_version_to_an_owner_who_lost_the_lens(
    client_for, users, newer_versions
):
    lens, reviews = newer_versions

    bobs = client_for(users["bob"]).get(url("workload", reviews["bob"].workload)).content.decode()
    dans = client_for(users["dan"]).get(url("workload", reviews["dan"].workload)).content.decode()

    assert "is available" not in bobs
    assert not names_2_1(bobs)
    assert "Version 2.1 is available" in dans


def test_issue_14_the_review_of_an_owner_who_lost_the_lens_keeps_working_on_its_version(
    users, newer_versions
):
    _lens, reviews = newer_versions
    bob, review = users["bob"], reviews["bob"]
    answer = review.answers.get(question__question_id="P1Q4")  # a question version 2 no longer has

    answered = factories.answered(answer, actor=bob, selected_choices=["P1Q4_BP1"])
    milestone = milestone_create(workload=review.workload, actor=bob, name="After the unshare")

    assert answered.risk != "UNANSWERED"
    assert milestone.lens_reviews.get().lens_version.label == "1"


def test_issue_14_an_owner_who_regains_the_lens_is_offered_the_newer_versions_again(
    client_for, users, newer_versions
):
    lens, reviews = newer_versions
    lens_share(lens=lens, users=[users["bob"]])
    client = client_for(users["bob"])
    page = url("lens-upgrade", reviews["bob"].workload, lens.alias)

    assert "Version 2.1 is available" in client.get(url("workload", reviews["bob"].workload)).content.decode()
    assert "From version 1 to version 2.1" in client.get(page).content.decode()
    assert client.post(page, {"version": "2.1"}).status_code == 302
    assert version_of(reviews["bob"]) == "2.1"


def test_issue_14_the_workload_owner_decides_not_whoever_reads(client_for, users, newer_versions):
    # alice, who owns the lens, reads bob's workload: no newer version shows there either.
    _lens, reviews = newer_versions
    workload = reviews["bob"].workload
    share_grant(workload=workload, actor=users["bob"], user=users["alice"], role=Share.Role.READER)

    page = client_for(users["alice"]).get(url("workload", workload)).content.decode()

    assert "is available" not in page


# --- what the lens's owner is told --------------------------------------------------------------------


def test_issue_14_the_lens_owner_is_told_what_unsharing_does_to_existing_reviews(
    client_for, users, shared_lens
):
    lens, _reviews = shared_lens
    client = client_for(users["alice"])

    share_page = client.get(f"/lenses/{lens.alias}/share/").content.decode()
    lens_page = client.get(f"/lenses/{lens.alias}/").content.decode()
    unshared = client.post(f"/lenses/{lens.alias}/unshare/", {"user": "bob"}, follow=True).content.decode()

    assert "each keeps the version it has" in share_page
    assert "its reviews get no newer version" in share_page
    assert "keep the version they have and get no newer version" in lens_page
    assert "keep the version they have, and get no newer version" in unshared
    # a reader of the lens is not told about its sharing
    assert (
        "get no newer version" not in client_for(users["dan"]).get(f"/lenses/{lens.alias}/").content.decode()
    )
