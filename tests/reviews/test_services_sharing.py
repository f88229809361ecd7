"""reviews.services for shares: grant to a user or a group, change the role, revoke; each logged, and
each refusal naming its field and changing nothing."""

import pytest

from reviews.models import Share, Workload, WorkloadEvent
from reviews.permissions import Action
from reviews.services import InvalidInput, share_change_role, share_grant, share_revoke
from tests.factories import GroupFactory, UserFactory, workload

Kind = WorkloadEvent.Kind


@pytest.fixture
def fraud(alice):
    return workload(alice, "Fraud detection", lenses=[])


@pytest.fixture
def team(bob):
    group = GroupFactory(name="ml-team")
    bob.groups.add(group)
    return group


def shares_of(workload) -> list[dict]:
    return list(Share.objects.filter(workload=workload).order_by("pk").values())


def events_of(workload, kind) -> list[WorkloadEvent]:
    return list(WorkloadEvent.objects.filter(workload=workload, kind=kind).order_by("pk"))


def test_a_workload_shared_with_a_user_gives_them_the_role_and_is_logged(fraud, alice, bob):
    share = share_grant(workload=fraud, actor=alice, user=bob, role="READER")

    assert (share.workload, share.user, share.group, share.role) == (fraud, bob, None, "READER")
    assert list(Workload.objects.visible_to(bob)) == [fraud]
    assert not Workload.objects.visible_to(bob, Action.ANSWER).exists()
    [event] = events_of(fraud, Kind.SHARED)
    data = {"grantee": "user bob", "role": "READER", "grantee_user": bob.pk, "grantee_group": None}
    assert (event.actor, event.data) == (alice, data | {"lenses_shared": []})
    assert event.summary == "Shared with user bob as reader."


def test_a_workload_shared_with_a_group_reaches_its_members(fraud, alice, bob, team):
    share = share_grant(workload=fraud, actor=alice, group=team, role=Share.Role.CONTRIBUTOR)

    assert (share.user, share.group, share.role) == (None, team, "CONTRIBUTOR")
    assert list(Workload.objects.visible_to(bob, Action.ANSWER)) == [fraud]
    [event] = events_of(fraud, Kind.SHARED)
    assert event.data == {
        "grantee": "group ml-team",
        "role": "CONTRIBUTOR",
        "grantee_user": None,
        "grantee_group": team.pk,
        "lenses_shared": [],
    }


def test_a_user_and_their_group_may_both_have_a_share(fraud, alice, bob, team):
    share_grant(workload=fraud, actor=alice, group=team, role="CONTRIBUTOR")
    share_grant(workload=fraud, actor=alice, user=bob, role="READER")

    assert len(shares_of(fraud)) == 2


@pytest.mark.parametrize(
    ("grantee", "role", "path"),
    [
        ("owner", "READER", "user"),
        ("inactive", "READER", "user"),
        ("shared user", "CONTRIBUTOR", "user"),
        ("shared group", "READER", "group"),
        ("nobody", "READER", "user"),
        ("both", "READER", "user"),
        ("someone new", "OWNER", "role"),
        ("someone new", "reader", "role"),
        ("someone new", "", "role"),
        ("someone new", None, "role"),
    ],
)
def test_a_share_that_cannot_be_is_refused_naming_the_field_and_nothing_changes(
    fraud, alice, bob, team, grantee, role, path
):
    share_grant(workload=fraud, actor=alice, user=bob, role="READER")
    share_grant(workload=fraud, actor=alice, group=team, role="READER")
    carol = UserFactory(username="carol", is_active=False)
    target = {
        "owner": {"user": alice},
        "inactive": {"user": carol},
        "shared user": {"user": bob},
        "shared group": {"group": team},
        "nobody": {},
        "both": {
            "user": UserFactory(username="dave"),
            "group": GroupFactory(name="x"),
        },
        "someone new": {"user": UserFactory(username="erin")},
    }[grantee]
    before, events = shares_of(fraud), WorkloadEvent.objects.count()

    with pytest.raises(InvalidInput) as refused:
        share_grant(workload=fraud, actor=alice, role=role, **target)

    assert list(refused.value.errors) == [path]
    assert shares_of(fraud) == before
    assert WorkloadEvent.objects.count() == events


def test_a_role_change_is_stored_and_logged_with_before_and_after(fraud, alice, bob):
    share = share_grant(workload=fraud, actor=alice, user=bob, role="READER")

    share_change_role(share=share, actor=alice, role="CONTRIBUTOR")

    assert Share.objects.get(pk=share.pk).role == "CONTRIBUTOR"
    assert list(Workload.objects.visible_to(bob, Action.ANSWER)) == [fraud]
    [event] = events_of(fraud, Kind.ROLE_CHANGED)
    assert (event.actor, event.data) == (
        alice,
        {"grantee": "user bob", "before": "READER", "after": "CONTRIBUTOR"},
    )
    assert event.summary == "User bob is now contributor."


def test_a_role_change_to_the_same_role_is_not_logged(fraud, alice, team):
    share = share_grant(workload=fraud, actor=alice, group=team, role="READER")

    share_change_role(share=share, actor=alice, role="READER")

    assert events_of(fraud, Kind.ROLE_CHANGED) == []


def test_a_role_change_to_an_unknown_role_is_refused_and_changes_nothing(fraud, alice, team):
    share = share_grant(workload=fraud, actor=alice, group=team, role="READER")

    with pytest.raises(InvalidInput) as refused:
        share_change_role(share=share, actor=alice, role="AUDITOR")

    assert list(refused.value.errors) == ["role"]
    assert Share.objects.get(pk=share.pk).role == "READER"
    assert events_of(fraud, Kind.ROLE_CHANGED) == []


@pytest.mark.parametrize("grantee", ["user", "group"])
def test_revoking_a_share_takes_the_access_away_and_is_logged(fraud, alice, bob, team, grantee):
    share = share_grant(
        workload=fraud, actor=alice, role="CONTRIBUTOR", **{grantee: bob if grantee == "user" else team}
    )

    share_revoke(share=share, actor=alice)

    assert shares_of(fraud) == []
    assert not Workload.objects.visible_to(bob).exists()
    [event] = events_of(fraud, Kind.UNSHARED)
    name = "user bob" if grantee == "user" else "group ml-team"
    assert (event.actor, event.data) == (alice, {"grantee": name, "role": "CONTRIBUTOR"})


def test_a_revoked_share_may_be_granted_again(fraud, alice, bob):
    share_revoke(share=share_grant(workload=fraud, actor=alice, user=bob, role="READER"), actor=alice)

    share_grant(workload=fraud, actor=alice, user=bob, role="CONTRIBUTOR")

    assert [share["role"] for share in shares_of(fraud)] == ["CONTRIBUTOR"]
