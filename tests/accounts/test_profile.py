"""The account page: name, teams, and changing one's password without being logged out."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.reviews.pages import is_login_redirect

pytestmark = pytest.mark.django_db

PROFILE = reverse("profile")


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    assert is_login_redirect(client.get(PROFILE))
    assert is_login_redirect(client.post(PROFILE, {}))


def test_the_page_shows_the_name_and_teams(client_for, alice):
    alice.first_name, alice.last_name = "Alice", "<b>Liddell</b>"
    alice.save()
    Group.objects.create(name="data-science").user_set.add(alice)
    response = client_for(alice).get(PROFILE)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Alice &lt;b&gt;Liddell&lt;/b&gt;" in content
    assert "data-science" in content
    assert 'name="new_password1"' in content
    assert "every workload" not in content


def test_the_page_says_when_one_may_see_every_workload(client_for, alice):
    alice.user_permissions.add(Permission.objects.get(codename="view_all_workloads"))
    assert b"You may see every workload" in client_for(alice).get(PROFILE).content


def test_the_header_links_the_account_name_to_the_page(client_for, alice):
    content = client_for(alice).get(reverse("lens:library")).content.decode()
    assert f'<a class="account-name" href="{PROFILE}"' in content


def test_changing_the_password_keeps_one_logged_in(client_for, alice):
    client = client_for(alice)
    response = client.post(
        PROFILE,
        {
            "old_password": "alice-password",
            "new_password1": "a-new-long-pass-29",
            "new_password2": "a-new-long-pass-29",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    alice.refresh_from_db()
    assert alice.check_password("a-new-long-pass-29")
    assert client.get(PROFILE).status_code == 200  # the session is still valid


def test_a_wrong_old_password_is_a_400_and_changes_nothing(client_for, alice):
    response = client_for(alice).post(
        PROFILE,
        {
            "old_password": "wrong",
            "new_password1": "a-new-long-pass-29",
            "new_password2": "a-new-long-pass-29",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["old_password"]
    alice.refresh_from_db()
    assert alice.check_password("alice-password")
