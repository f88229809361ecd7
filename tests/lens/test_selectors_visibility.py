"""Lens.objects.visible_to (lens.selectors.visible_lenses): who sees and who manages which lens, in
SQL; "manage" is held equal to lens.permissions.can_manage, its plain per-lens form."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from lens.models import Lens
from lens.permissions import can_manage
from lens.services import lens_share
from tests.factories import GroupFactory, UserFactory, imported_lens, lens_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(alice, bob, admin_user):
    """Bob's private lens, Bob's lens shared with the group `team` (Carol's), Alice's lens shared
    with everyone, an instance lens; Dora holds "manage the instance's lenses"."""
    carol = UserFactory(username="carol")
    dora = UserFactory(username="dora")
    dora.user_permissions.add(Permission.objects.get(codename="manage_instance_lenses"))
    team = GroupFactory(name="team")
    carol.groups.add(team)
    private = imported_lens(owner=bob, document=lens_document("Bob private"))
    teams = imported_lens(owner=bob, document=lens_document("Bob for the team"))
    lens_share(lens=teams, groups=[team])
    public = imported_lens(owner=alice, document=lens_document("Alice for all"))
    lens_share(lens=public, everyone=True)
    instance = imported_lens(owner=None, document=lens_document("Instance lens"))
    users = {"alice": alice, "bob": bob, "carol": carol, "dora": dora, "root": admin_user}
    names = {"private": private, "teams": teams, "public": public, "instance": instance}
    return users, names


#: The lenses each user sees, and manages, by the names of `world` (the built-in lens left out).
EXPECTED = {
    "alice": ({"public", "instance"}, {"public"}),
    "bob": ({"private", "teams", "public", "instance"}, {"private", "teams"}),
    "carol": ({"teams", "public", "instance"}, set()),
    "dora": ({"public", "instance"}, {"instance"}),
    "root": ({"public", "instance"}, {"instance"}),
}


@pytest.mark.parametrize("who", EXPECTED)
def test_each_user_sees_and_manages_exactly_the_expected_lenses(world, who):
    users, names = world
    by_pk = {lens.pk: name for name, lens in names.items()}
    user = users[who]
    seen = {by_pk[pk] for pk in Lens.objects.visible_to(user).values_list("pk", flat=True) if pk in by_pk}
    managed = {
        by_pk[pk]
        for pk in Lens.objects.visible_to(user, "manage").values_list("pk", flat=True)
        if pk in by_pk
    }
    assert (seen, managed) == EXPECTED[who]


@pytest.mark.parametrize("who", EXPECTED)
def test_managing_in_sql_agrees_with_can_manage_on_every_lens(world, who):
    user = world[0][who]
    in_sql = set(Lens.objects.visible_to(user, "manage").values_list("pk", flat=True))
    assert in_sql == {lens.pk for lens in Lens.objects.all() if can_manage(user, lens)}


def test_an_anonymous_user_sees_no_lens(world):
    assert not Lens.objects.visible_to(AnonymousUser()).exists()
    assert not Lens.objects.visible_to(AnonymousUser(), "manage").exists()


def test_visible_to_narrows_the_queryset_it_is_called_on(world):
    users, names = world
    narrowed = Lens.objects.filter(name__startswith="Bob").visible_to(users["carol"])
    assert list(narrowed) == [names["teams"]]
