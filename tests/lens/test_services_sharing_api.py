"""lens_sharing_set: the API's PUT of a lens's shares, which replaces them all in one transaction."""

import pytest
from django.contrib.auth.models import Group

from lens.models import Lens
from lens.services import lens_share, lens_sharing_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(django_user_model):
    return django_user_model.objects.create_user("carol", "carol@example.com", "carol-password")


@pytest.fixture
def shared(bobs_lens, alice):
    """Bob's lens shared with Alice, with the group `old-team`, and with everyone."""
    lens_share(lens=bobs_lens, users=[alice], groups=[Group.objects.create(name="old-team")], everyone=True)
    return bobs_lens


def test_the_lens_is_shared_with_exactly_whom_it_names(shared, carol):
    team = Group.objects.create(name="new-team")

    lens_sharing_set(lens=shared, users=[carol], groups=[team], everyone=False)

    stored = Lens.objects.get(pk=shared.pk)
    assert list(stored.shared_with_users.all()) == [carol]
    assert list(stored.shared_with_groups.all()) == [team]
    assert stored.shared_with_everyone is False


def test_sharing_with_nobody_hides_the_lens_again(shared, alice):
    lens_sharing_set(lens=shared, users=[], groups=[], everyone=False)
    assert not Lens.objects.visible_to(alice).filter(pk=shared.pk).exists()


def test_a_replacement_that_fails_part_way_changes_nothing(shared, alice, carol):
    unsaved = Group(name="not-saved")

    with pytest.raises(ValueError, match="Cannot add"):
        lens_sharing_set(lens=shared, users=[carol], groups=[unsaved], everyone=False)

    stored = Lens.objects.get(pk=shared.pk)
    assert list(stored.shared_with_users.all()) == [alice]
    assert list(stored.shared_with_groups.values_list("name", flat=True)) == ["old-team"]
    assert stored.shared_with_everyone is True
