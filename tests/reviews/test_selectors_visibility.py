"""reviews.selectors.visibility (DESIGN.md, "Who may do what"): which workloads each kind of user may
see, answer, edit and administer, their role on one, and a 404 for anyone else, in one query."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.http import Http404

from reviews.models import Share, Workload
from reviews.permissions import Action, Role, can
from reviews.selectors import role_of, workload_for
from reviews.services import share_grant
from tests.factories import GroupFactory, UserFactory, workload

FRAUD, OTHER = "Fraud detection", "Other team's workload"

#: Who sees what: the workload names each user gets from Workload.objects.visible_to, for each action.
EXPECTED = {
    "owner": {Action.VIEW: {FRAUD}, Action.ANSWER: {FRAUD}, Action.EDIT: {FRAUD}, Action.ADMINISTER: {FRAUD}},
    "contributor": {
        Action.VIEW: {FRAUD},
        Action.ANSWER: {FRAUD},
        Action.EDIT: set(),
        Action.ADMINISTER: set(),
    },
    "reader": {Action.VIEW: {FRAUD}, Action.ANSWER: set(), Action.EDIT: set(), Action.ADMINISTER: set()},
    "auditor": {
        Action.VIEW: {FRAUD, OTHER},
        Action.ANSWER: set(),
        Action.EDIT: set(),
        Action.ADMINISTER: set(),
    },
    "direct auditor": {
        Action.VIEW: {FRAUD, OTHER},
        Action.ANSWER: set(),
        Action.EDIT: set(),
        Action.ADMINISTER: set(),
    },
    # A superuser sees everything, as an auditor, and changes nothing that is not theirs (so far).
    "superuser": {
        Action.VIEW: {FRAUD, OTHER},
        Action.ANSWER: set(),
        Action.EDIT: set(),
        Action.ADMINISTER: set(),
    },
    "inactive": dict.fromkeys(Action, set()),
    "anonymous": dict.fromkeys(Action, set()),
    "outsider": dict.fromkeys(Action, set()),
}

ROLES = {
    "owner": Role.OWNER,
    "contributor": Role.CONTRIBUTOR,
    "reader": Role.READER,
    "auditor": Role.AUDITOR,
    "direct auditor": Role.AUDITOR,
    "superuser": Role.AUDITOR,
}


@pytest.fixture
def everyone(shared_workload):
    """shared_workload's people, and: a user holding "see all workloads" directly, a superuser, an
    inactive user who had every way in, anonymous; and another workload none of them has a share in."""
    see_all = Permission.objects.get(codename="view_all_workloads")
    users = {
        "owner": shared_workload.owner,
        "contributor": shared_workload.contributor,
        "reader": shared_workload.reader,
        "auditor": shared_workload.auditor,
        "outsider": shared_workload.outsider,
        "direct auditor": UserFactory(username="direct"),
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
        "inactive": UserFactory(username="gone"),
        "anonymous": AnonymousUser(),
    }
    users["direct auditor"].user_permissions.add(see_all)
    users["inactive"].user_permissions.add(see_all)
    users["inactive"].groups.add(Group.objects.get(name="ml-team"))
    fraud = shared_workload.workload
    share_grant(workload=fraud, actor=shared_workload.owner, user=users["inactive"], role="READER")
    users["inactive"].is_active = False
    users["inactive"].save()
    workload(UserFactory(username="stranger"), OTHER, lenses=[])
    return users


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_user_gets_the_workloads_their_role_allows(everyone, who, action):
    names = set(Workload.objects.visible_to(everyone[who], action).values_list("name", flat=True))

    assert names == EXPECTED[who][action]


@pytest.mark.parametrize("who", list(ROLES))
def test_workload_for_gives_each_user_their_role_in_one_query(
    everyone, shared_workload, who, django_assert_num_queries
):
    # the workload, its owner, and the user's shares and permissions as subqueries
    with django_assert_num_queries(1):
        found, role = workload_for(user=everyone[who], pk=shared_workload.workload.pk)

    assert (found, role) == (shared_workload.workload, ROLES[who])
    assert found.owner == shared_workload.owner  # loaded with it
    assert all(can(role, action) == (FRAUD in EXPECTED[who][action]) for action in Action)


@pytest.mark.parametrize("who", [who for who in EXPECTED if who != "anonymous"])  # no shares to match
def test_workload_for_agrees_with_the_orm_form_on_every_workload(everyone, who):
    # workload_for asks its questions in SQL of its own; the reference is the queryset door.
    user = everyone[who]
    for pk in Workload.objects.values_list("pk", flat=True):
        expected = Workload.objects.visible_to(user).with_role(user).filter(pk=pk).first()
        if expected is None:
            with pytest.raises(Http404):
                workload_for(user=user, pk=pk)
        else:
            assert workload_for(user=user, pk=pk) == (expected, role_of(expected, user=user))


@pytest.mark.parametrize("who", ["outsider", "inactive", "anonymous"])
def test_workload_for_is_a_404_for_anyone_who_may_not_see_it(everyone, shared_workload, who):
    with pytest.raises(Http404):
        workload_for(user=everyone[who], pk=shared_workload.workload.pk)


def test_workload_for_is_a_404_for_a_workload_that_does_not_exist(shared_workload, django_assert_num_queries):
    with django_assert_num_queries(1), pytest.raises(Http404):
        workload_for(user=shared_workload.owner, pk=shared_workload.workload.pk + 1000)


def test_an_anonymous_user_gets_a_404_without_a_query(shared_workload, django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(Http404):
        workload_for(user=AnonymousUser(), pk=shared_workload.workload.pk)


def test_a_reader_who_contributes_through_a_group_is_a_contributor(shared_workload):
    contributor = shared_workload.contributor
    share_grant(
        workload=shared_workload.workload, actor=shared_workload.owner, user=contributor, role="READER"
    )

    assert workload_for(user=contributor, pk=shared_workload.workload.pk)[1] == Role.CONTRIBUTOR
    assert list(Workload.objects.visible_to(contributor, Action.ANSWER)) == [shared_workload.workload]


def test_a_contributor_who_reads_through_a_group_is_a_contributor(shared_workload):
    reader = shared_workload.reader
    readers = GroupFactory(name="readers")
    reader.groups.add(readers)
    share_grant(workload=shared_workload.workload, actor=shared_workload.owner, group=readers, role="READER")
    Share.objects.filter(user=reader).update(role=Share.Role.CONTRIBUTOR)

    assert workload_for(user=reader, pk=shared_workload.workload.pk)[1] == Role.CONTRIBUTOR


def test_an_auditor_with_a_share_has_the_role_of_the_share(shared_workload):
    auditor = shared_workload.auditor
    share_grant(workload=shared_workload.workload, actor=shared_workload.owner, user=auditor, role="READER")

    assert workload_for(user=auditor, pk=shared_workload.workload.pk)[1] == Role.READER


def test_a_workload_shared_with_two_of_a_users_groups_and_with_them_is_listed_once(shared_workload):
    fraud, contributor = shared_workload.workload, shared_workload.contributor
    second = GroupFactory(name="data-science")
    contributor.groups.add(second)
    share_grant(workload=fraud, actor=shared_workload.owner, group=second, role="CONTRIBUTOR")
    share_grant(workload=fraud, actor=shared_workload.owner, user=contributor, role="READER")

    for action in (Action.VIEW, Action.ANSWER):
        assert list(Workload.objects.visible_to(contributor, action)) == [fraud]
    assert list(Workload.objects.visible_to(contributor).with_role(contributor)) == [fraud]


def test_an_auditor_in_two_groups_that_both_see_all_gets_each_workload_once(shared_workload):
    auditor = shared_workload.auditor
    more = GroupFactory(name="architecture-board")
    more.permissions.add(Permission.objects.get(codename="view_all_workloads"))
    auditor.groups.add(more)
    auditor.user_permissions.add(Permission.objects.get(codename="view_all_workloads"))

    assert list(Workload.objects.visible_to(auditor)) == [shared_workload.workload]


def test_workload_for_costs_one_query_however_many_groups_and_shares(
    shared_workload, django_assert_num_queries
):
    contributor, fraud = shared_workload.contributor, shared_workload.workload
    for n in range(5):
        group = GroupFactory(name=f"team-{n}")
        contributor.groups.add(group)
        share_grant(workload=fraud, actor=shared_workload.owner, group=group, role="READER")
        share_grant(
            workload=fraud,
            actor=shared_workload.owner,
            user=UserFactory(username=f"u{n}"),
            role="READER",
        )

    with django_assert_num_queries(1):
        assert workload_for(user=contributor, pk=fraud.pk)[1] == Role.CONTRIBUTOR


def test_a_user_who_leaves_the_group_loses_what_it_gave(shared_workload):
    contributor = shared_workload.contributor
    contributor.groups.clear()

    assert not Workload.objects.visible_to(contributor).exists()
    with pytest.raises(Http404):
        workload_for(user=contributor, pk=shared_workload.workload.pk)
