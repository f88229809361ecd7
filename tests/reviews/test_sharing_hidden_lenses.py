"""Issue 17: sharing a workload with someone who cannot open one of its lenses (an imported lens not
shared with them) warns first, and offers to share the lens too, in the same confirmed step; the
person never gets the workload without the sharer having been told. The rule is the service's, so
the page and the API (tests/api/test_people.py) keep it alike."""

import pytest

from lens.models import Lens
from lens.services import lens_share
from mlwa.errors import InvalidInput
from reviews.models import Share, WorkloadEvent
from reviews.selectors.sharing import lenses_hidden_from
from reviews.services import lens_review_apply, share_grant
from reviews.services.sharing import LensesHidden
from tests import factories
from tests.factories import GroupFactory, UserFactory
from tests.reviews.pages import snapshot, url

pytestmark = pytest.mark.django_db


def visible_to(user, lens: Lens) -> bool:
    return Lens.objects.visible_to(user).filter(pk=lens.pk).exists()


@pytest.fixture
def world():
    """Olivia's workload uses the built-in lens and her own "Team lens", which nobody else sees;
    Bob is a user, "platform" a team (Carl in it)."""
    olivia, bob, carl = (UserFactory(username=name) for name in ("olivia", "bob", "carl"))
    platform = GroupFactory(name="platform")
    carl.groups.add(platform)
    lens = factories.imported_lens(owner=olivia, document=factories.lens_document("Team lens"))
    workload = factories.workload(olivia)  # the built-in lens
    lens_review_apply(workload=workload, lens_version=lens.versions.get(), actor=olivia)
    return {
        "olivia": olivia,
        "bob": bob,
        "carl": carl,
        "platform": platform,
        "lens": lens,
        "workload": workload,
    }


def test_the_lenses_hidden_from_a_user_are_the_imported_ones_not_shared_with_them(world):
    w = world
    assert list(lenses_hidden_from(workload=w["workload"], user=w["bob"])) == [w["lens"]]
    lens_share(lens=w["lens"], users=[w["bob"]])
    assert list(lenses_hidden_from(workload=w["workload"], user=w["bob"])) == []


def test_a_lens_is_hidden_from_a_team_unless_shared_with_the_team_or_everyone(world):
    w = world
    lens_share(lens=w["lens"], users=[w["carl"]])  # one member seeing it is not the team seeing it
    assert list(lenses_hidden_from(workload=w["workload"], group=w["platform"])) == [w["lens"]]
    lens_share(lens=w["lens"], groups=[w["platform"]])
    assert list(lenses_hidden_from(workload=w["workload"], group=w["platform"])) == []
    lens_share(lens=Lens.objects.get(pk=w["lens"].pk), everyone=True)
    assert list(lenses_hidden_from(workload=w["workload"], group=GroupFactory())) == []


def test_sharing_without_the_warning_seen_is_refused_and_writes_nothing(world):
    w = world
    before = snapshot()
    with pytest.raises(LensesHidden) as refused:
        share_grant(workload=w["workload"], actor=w["olivia"], role=Share.Role.READER, user=w["bob"])
    assert refused.value.lenses == [w["lens"]]
    assert "“Team lens”" in refused.value.errors["share_lenses"][0]
    assert snapshot() == before


def test_after_the_warning_the_workload_is_shared_with_or_without_the_lens(world):
    w = world
    seen = [w["lens"].pk]
    share_grant(workload=w["workload"], actor=w["olivia"], role="READER", user=w["bob"], lenses_seen=seen)
    assert not visible_to(w["bob"], w["lens"])
    share_grant(
        workload=w["workload"],
        actor=w["olivia"],
        role="READER",
        group=w["platform"],
        lenses_seen=seen,
        lenses_to_share=seen,
    )
    assert visible_to(w["carl"], w["lens"])
    assert w["platform"] in w["lens"].shared_with_groups.all()
    event = w["workload"].events.filter(kind=WorkloadEvent.Kind.SHARED).first()
    assert event.data["lenses_shared"] == [w["lens"].alias]
    assert event.data["grantee_group"] == w["platform"].pk


def test_only_the_lens_owner_may_share_it_along(world):
    w = world
    # Dana owns a lens that she shared with Olivia: Olivia may apply it, not share it.
    dana = UserFactory(username="dana")
    danas = factories.imported_lens(owner=dana, document=factories.lens_document("Dana's lens"))
    lens_share(lens=danas, users=[w["olivia"]])
    lens_review_apply(workload=w["workload"], lens_version=danas.versions.get(), actor=w["olivia"])
    seen = [w["lens"].pk, danas.pk]
    before = snapshot()
    with pytest.raises(InvalidInput, match="Only the lens's owner \\(dana\\)"):
        share_grant(
            workload=w["workload"],
            actor=w["olivia"],
            role="READER",
            user=w["bob"],
            lenses_seen=seen,
            lenses_to_share=seen,
        )
    assert snapshot() == before
    assert not visible_to(w["bob"], w["lens"])  # not half done either


# The page


def share(client, w, **data):
    return client.post(url("people", w["workload"]), {"role": "CONTRIBUTOR", **data})


def test_the_page_warns_before_sharing_and_offers_the_lens(client_for, world):
    w = world
    before = snapshot()
    response = share(client_for(w["olivia"]), w, user="bob")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Before you share with bob" in content
    assert "Of the lenses this workload uses, 1 cannot be opened by bob" in content
    assert f'name="lenses_seen" value="{w["lens"].pk}"' in content
    assert f'name="share_lenses" value="{w["lens"].pk}" checked' in content
    assert "Share the lens “Team lens” with bob too" in content
    assert 'name="user" value="bob"' in content
    assert snapshot() == before


def test_confirming_with_the_lens_ticked_shares_both(client_for, world):
    w = world
    pk = w["lens"].pk
    response = share(client_for(w["olivia"]), w, user="bob", lenses_seen=pk, share_lenses=pk)
    assert response.status_code == 302
    assert Share.objects.filter(workload=w["workload"], user=w["bob"], role="CONTRIBUTOR").exists()
    assert visible_to(w["bob"], w["lens"])


def test_confirming_with_the_lens_unticked_shares_the_workload_only(client_for, world):
    w = world
    response = share(client_for(w["olivia"]), w, group="platform", lenses_seen=w["lens"].pk)
    assert response.status_code == 302
    assert Share.objects.filter(workload=w["workload"], group=w["platform"]).exists()
    assert not visible_to(w["carl"], w["lens"])


def test_a_lens_applied_after_the_warning_is_warned_of_again(client_for, world):
    w = world
    seen = w["lens"].pk
    later = factories.imported_lens(owner=w["olivia"], document=factories.lens_document("Later lens"))
    lens_review_apply(workload=w["workload"], lens_version=later.versions.get(), actor=w["olivia"])
    before = snapshot()
    response = share(client_for(w["olivia"]), w, user="bob", lenses_seen=seen, share_lenses=seen)
    assert response.status_code == 200
    assert "“Later lens”" in response.content.decode()
    assert snapshot() == before
    assert not visible_to(w["bob"], w["lens"])


def test_a_lens_the_sharer_cannot_share_is_named_with_its_owner(client_for, world):
    w = world
    dana = UserFactory(username="dana")
    danas = factories.imported_lens(owner=dana, document=factories.lens_document("Dana's lens"))
    lens_share(lens=danas, users=[w["olivia"]])
    lens_review_apply(workload=w["workload"], lens_version=danas.versions.get(), actor=w["olivia"])
    content = share(client_for(w["olivia"]), w, user="bob").content.decode()
    assert "only its owner, dana, can share it" in content
    assert f'name="share_lenses" value="{danas.pk}"' not in content
    assert f'name="lenses_seen" value="{danas.pk}"' in content


def test_a_workload_with_only_the_instance_lens_is_shared_at_once(client_for):
    olivia, _bob = UserFactory(username="olivia"), UserFactory(username="bob")
    workload = factories.workload(olivia)
    response = client_for(olivia).post(url("people", workload), {"user": "bob", "role": "READER"})
    assert response.status_code == 302
    assert workload.shares.get().user.username == "bob"
