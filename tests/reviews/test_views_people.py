"""The people page: who a workload is shared with, and for its owner, sharing with a user or a team,
changing a role and revoking, each logged; everyone else sees the list read-only."""

import pytest
from django.contrib.auth.models import Group

from reviews.models import Share, WorkloadEvent
from reviews.services import workload_create
from reviews.views.people import role_form_seen
from tests.reviews.pages import ROLES, client_as, is_login_redirect, snapshot, url

pytestmark = pytest.mark.django_db

SEES = dict(zip(ROLES, (200, 200, 200, 200, 404, "login"), strict=True))
OWNS = dict(zip(ROLES, (302, 403, 403, 403, 404, "login"), strict=True))


def reader_share(shared) -> Share:
    return Share.objects.get(workload=shared.workload, user=shared.reader)


def _requests(shared):
    share = reader_share(shared)
    return {
        "list": ("get", url("people", shared.workload), None, SEES),
        "share": ("post", url("people", shared.workload), {"user": "outsider", "role": "READER"}, OWNS),
        "role": (
            "post",
            url("share-role", shared.workload, share.pk),
            {"role": "CONTRIBUTOR", "seen": role_form_seen(share)},
            OWNS,
        ),
        "revoke": ("post", url("share-revoke", shared.workload, share.pk), {}, OWNS),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("request_name", ["list", "share", "role", "revoke"])
def test_each_people_page_answers_each_role_as_the_table_says(client, shared_workload, role, request_name):
    method, path, data, expected = _requests(shared_workload)[request_name]
    before = snapshot()
    response = getattr(client_as(client, shared_workload, role), method)(path, data)
    expected = expected[role]
    if expected == "login":
        assert is_login_redirect(response)
    else:
        assert response.status_code == expected
    if expected not in (200, 302):
        assert snapshot() == before


def test_everyone_who_sees_the_workload_sees_who_has_access_read_only(client_for, shared_workload):
    response = client_for(shared_workload.reader).get(url("people", shared_workload.workload))
    content = response.content.decode()
    assert "ml-team" in content
    assert "Contributor" in content
    assert "owner" in content
    assert "reader" in content
    assert response.context["form"] is None
    assert "Stop sharing" not in content
    assert 'name="role"' not in content


def test_the_owner_sees_the_forms(client_for, shared_workload):
    response = client_for(shared_workload.owner).get(url("people", shared_workload.workload))
    content = response.content.decode()
    share = reader_share(shared_workload)
    assert f'href="{url("share-revoke", shared_workload.workload, share.pk)}"' in content
    assert f'action="{url("share-role", shared_workload.workload, share.pk)}"' in content
    assert 'name="user"' in content
    assert 'name="group"' in content


@pytest.mark.parametrize(
    ("data", "grantee"), [({"user": "outsider"}, "user outsider"), ({"group": "auditors"}, "group auditors")]
)
def test_sharing_with_a_user_or_a_group_gives_them_access_and_is_logged(
    client_for, shared_workload, data, grantee
):
    workload = shared_workload.workload
    response = client_for(shared_workload.owner).post(
        url("people", workload), {**data, "role": "CONTRIBUTOR"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("people", workload)
    event = workload.events.first()
    assert event.kind == WorkloadEvent.Kind.SHARED
    share = Share.objects.get(
        workload=workload, **{"user__username" if "user" in data else "group__name": grantee.split()[1]}
    )
    assert event.data == {
        "grantee": grantee,
        "role": "CONTRIBUTOR",
        "grantee_user": share.user_id,
        "grantee_group": share.group_id,
        "lenses_shared": [],
    }
    if "user" in data:
        assert client_for(shared_workload.outsider).get(url("workload", workload)).status_code == 200
    assert (
        grantee.split()[1]
        in client_for(shared_workload.owner).get(url("workload-events", workload)).content.decode()
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"user": "nobody", "role": "READER"}, "user", "No active user is named"),
        ({"group": "nobody", "role": "READER"}, "group", "No group is named"),
        ({"role": "READER"}, None, "Name either a user or a group."),
        ({"user": "outsider", "group": "auditors", "role": "READER"}, None, "Name either a user or a group."),
        ({"user": "reader", "role": "READER"}, "user", "shared with them already"),
        ({"user": "owner", "role": "READER"}, "user", "The owner already has every right"),
        ({"user": "outsider", "role": "ADMIN"}, "role", "Select a valid choice"),
    ],
)
def test_a_share_that_cannot_be_made_is_a_400_on_its_field(client_for, shared_workload, data, field, message):
    before = snapshot()
    response = client_for(shared_workload.owner).post(url("people", shared_workload.workload), data)
    assert response.status_code == 400
    form = response.context["form"]
    errors = form.errors[field] if field else form.non_field_errors()
    assert message in " ".join(errors)
    assert snapshot() == before


def test_changing_a_role_is_logged(client_for, shared_workload):
    share = reader_share(shared_workload)
    response = client_for(shared_workload.owner).post(
        url("share-role", shared_workload.workload, share.pk),
        {"role": "CONTRIBUTOR", "seen": role_form_seen(share)},
    )
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.role == Share.Role.CONTRIBUTOR
    event = shared_workload.workload.events.first()
    assert (event.kind, event.data["before"], event.data["after"]) == (
        "ROLE_CHANGED",
        "READER",
        "CONTRIBUTOR",
    )


def test_an_unknown_role_is_a_400_that_changes_nothing(client_for, shared_workload):
    share = reader_share(shared_workload)
    before = snapshot()
    response = client_for(shared_workload.owner).post(
        url("share-role", shared_workload.workload, share.pk),
        {"role": "OWNER", "seen": role_form_seen(share)},
    )
    assert response.status_code == 400
    assert response.context["failed_share"] == share.pk
    assert b"Select a valid choice" in response.content
    assert snapshot() == before


def test_revoking_ends_the_access_and_is_logged(client_for, shared_workload):
    share = reader_share(shared_workload)
    client = client_for(shared_workload.owner)
    response = client.post(url("share-revoke", shared_workload.workload, share.pk))
    assert response.status_code == 302
    assert not Share.objects.filter(pk=share.pk).exists()
    assert shared_workload.workload.events.first().kind == WorkloadEvent.Kind.UNSHARED
    assert (
        client_for(shared_workload.reader).get(url("workload", shared_workload.workload)).status_code == 404
    )


def test_revoking_a_team_share_ends_the_teams_access(client_for, shared_workload):
    share = Share.objects.get(workload=shared_workload.workload, group=Group.objects.get(name="ml-team"))
    client_for(shared_workload.owner).post(url("share-revoke", shared_workload.workload, share.pk))
    assert (
        client_for(shared_workload.contributor).get(url("workload", shared_workload.workload)).status_code
        == 404
    )


@pytest.mark.parametrize("name", ["share-role", "share-revoke"])
def test_a_share_of_another_workload_is_a_404(client_for, shared_workload, name):
    mine = workload_create(owner=shared_workload.owner, fields={"name": "Another"})
    share = reader_share(shared_workload)
    before = snapshot()
    response = client_for(shared_workload.owner).post(url(name, mine, share.pk), {"role": "CONTRIBUTOR"})
    assert response.status_code == 404
    assert snapshot() == before


def test_role_changes_take_only_a_post(client_for, shared_workload):
    share = reader_share(shared_workload)
    before = snapshot()
    response = client_for(shared_workload.owner).get(url("share-role", shared_workload.workload, share.pk))
    # A GET (a bookmark, a reload) goes to the people page and changes nothing (issue 16).
    assert response.status_code == 302
    assert response["Location"] == url("people", shared_workload.workload)
    assert snapshot() == before


def test_a_role_changed_meanwhile_is_not_overwritten(client_for, shared_workload):
    share = reader_share(shared_workload)
    seen = role_form_seen(share)  # the page read while the share is a reader's
    Share.objects.filter(pk=share.pk).update(role=Share.Role.CONTRIBUTOR)  # someone else's change
    before = snapshot()
    response = client_for(shared_workload.owner).post(
        url("share-role", shared_workload.workload, share.pk), {"role": "READER", "seen": seen}
    )
    assert response.status_code == 409
    assert "Someone changed the role" in " ".join(response.context["failed_form"].non_field_errors())
    assert snapshot() == before
    # Read again, the form says what is stored, and saving from there goes through.
    again = client_for(shared_workload.owner).post(
        url("share-role", shared_workload.workload, share.pk),
        {"role": "READER", "seen": role_form_seen(share)},
    )
    assert again.status_code == 302
    assert Share.objects.get(pk=share.pk).role == Share.Role.READER


def test_a_role_form_without_its_seen_field_saves_nothing(client_for, shared_workload):
    share = reader_share(shared_workload)
    before = snapshot()
    response = client_for(shared_workload.owner).post(
        url("share-role", shared_workload.workload, share.pk), {"role": "CONTRIBUTOR"}
    )
    assert response.status_code == 409
    assert snapshot() == before
