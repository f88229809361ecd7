"""API tokens on the account page: the list (never a key), creating one (the key shown once, in the
POST's response, never kept), refusals on the form with 400, and revoking after a confirmation.
Without JavaScript, CSRF protected, and another user's token is 404."""

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts.models import KEY_START, ApiToken
from accounts.selectors import token_for_key
from accounts.services import token_create, token_revoke
from tests.accounts.conftest import WORKLOADS, key_client
from tests.reviews.pages import is_login_redirect

pytestmark = pytest.mark.django_db

PROFILE = reverse("profile")
CREATE = reverse("accounts:token-create")
COPY_NOW = "Copy the key now: it will not be shown again."


def revoke_url(token) -> str:
    return reverse("accounts:token-revoke", args=[token.pk])


def stored_rows() -> list[dict]:
    return list(ApiToken.objects.order_by("pk").values())


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, alice):
    token, _ = token_create(user=alice, name="ci")
    for response in (
        client.post(CREATE, {"name": "x"}),
        client.get(revoke_url(token)),
        client.post(revoke_url(token)),
    ):
        assert is_login_redirect(response)
    assert ApiToken.objects.get().revoked_at is None
    assert ApiToken.objects.count() == 1


def test_the_page_lists_ones_tokens_and_never_a_key(client_for, alice, bob):
    ci, ci_key = token_create(user=alice, name="CI <dashboard>", read_only=True)
    old, _ = token_create(user=alice, name="old")
    token_revoke(token=old)
    token_create(user=bob, name="bob's token")

    response = client_for(alice).get(PROFILE)

    assert response.status_code == 200
    content = response.content.decode()
    assert "CI &lt;dashboard&gt;" in content
    assert f"{KEY_START}{ci.prefix}…" in content
    assert "read only" in content
    assert f'href="{revoke_url(ci)}"' in content
    assert f'href="{revoke_url(old)}"' not in content  # revoked: nothing more to do
    assert "revoked <time" in content
    assert "bob&#x27;s token" not in content
    assert ci_key not in content
    assert ci.digest not in content


def test_the_page_costs_the_same_queries_for_any_number_of_tokens(
    client_for, alice, django_assert_num_queries
):
    client = client_for(alice)
    token_create(user=alice, name="first")
    # session, user, the user's and their groups' permissions ("see all"), groups, tokens
    with django_assert_num_queries(6):
        client.get(PROFILE)
    for number in range(10):
        token_create(user=alice, name=f"t{number}", read_only=number % 2 == 0)
    with django_assert_num_queries(6):
        assert client.get(PROFILE).content.decode().count("mlwa_") == 11


def test_creating_shows_the_key_once_and_keeps_it_nowhere(client_for, alice):
    client = client_for(alice)

    response = client.post(CREATE, {"name": "dashboard"})

    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    content = response.content.decode()
    assert COPY_NOW in content
    token = ApiToken.objects.get()
    (key,) = re.findall(r'<code id="token-key">([^<]+)</code>', content)
    assert content.count(key) == 1
    assert token_for_key(key) == token
    assert (token.user, token.name, token.read_only) == (alice, "dashboard", False)
    assert key_client(key).get(WORKLOADS).status_code == 200
    # Nowhere after that response: not in the session, a message, a cookie or the next page.
    assert key not in str(dict(client.session.items()))
    assert not list(get_messages(response.wsgi_request))
    assert all(key not in morsel.value for morsel in client.cookies.values())
    assert key not in client.get(PROFILE).content.decode()


def test_a_read_only_token_from_the_checkbox(client_for, alice):
    response = client_for(alice).post(CREATE, {"name": "reader", "read_only": "on"})
    assert response.status_code == 201
    assert b"This key may only read." in response.content
    assert ApiToken.objects.get().read_only


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param("", "This field is required.", id="empty"),
        pytest.param("   ", "This field is required.", id="blank"),
        pytest.param("ci", "You already have a token with this name.", id="taken"),
        pytest.param("x" * 101, "Ensure this value has at most 100 characters", id="too-long"),
    ],
)
def test_a_refused_name_is_shown_on_the_form_with_400(client_for, alice, name, message):
    token_create(user=alice, name="ci")
    before = stored_rows()

    response = client_for(alice).post(CREATE, {"name": name})

    assert response.status_code == 400
    form = response.context["token_form"]
    assert any(message in error for error in form.errors["name"]), form.errors
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert COPY_NOW not in response.content.decode()
    assert stored_rows() == before


def test_a_get_on_the_create_address_goes_back_to_the_page(client_for, alice):
    response = client_for(alice).get(CREATE)
    assert response.status_code == 302
    assert response["Location"] == PROFILE + "#tokens"
    assert not ApiToken.objects.exists()


def test_creating_and_revoking_need_the_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    token, _ = token_create(user=alice, name="ci")
    before = stored_rows()

    assert client.post(CREATE, {"name": "forged"}).status_code == 403
    assert client.post(revoke_url(token)).status_code == 403

    assert stored_rows() == before


def test_creating_through_the_form_with_its_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    client.get(PROFILE)  # sets the CSRF cookie, as the browser's visit does
    csrf = client.cookies["csrftoken"].value

    response = client.post(CREATE, {"name": "ci", "csrfmiddlewaretoken": csrf})

    assert response.status_code == 201
    assert ApiToken.objects.filter(name="ci").exists()


def test_revoking_asks_then_revokes_and_says_so(client_for, alice):
    client = client_for(alice)
    token, key = token_create(user=alice, name="ci")

    confirm = client.get(revoke_url(token))
    assert confirm.status_code == 200
    assert "Revoke the token “ci”?" in confirm.content.decode()
    assert f"{KEY_START}{token.prefix}…" in confirm.content.decode()
    assert ApiToken.objects.get().revoked_at is None  # asking changes nothing

    response = client.post(revoke_url(token), follow=True)

    assert response.redirect_chain == [(PROFILE + "#tokens", 302)]
    assert "Revoked the token “ci”: its key no longer works." in response.content.decode()
    assert ApiToken.objects.get().revoked_at is not None
    assert key_client(key).get(WORKLOADS).status_code == 401


def test_another_users_token_is_404_and_stays(client_for, alice, bob):
    bobs_token, bobs_key = token_create(user=bob, name="ci")
    client = client_for(alice)
    before = stored_rows()

    assert client.get(revoke_url(bobs_token)).status_code == 404
    assert client.post(revoke_url(bobs_token)).status_code == 404

    assert stored_rows() == before
    assert key_client(bobs_key).get(WORKLOADS).status_code == 200


def test_a_revoked_or_unknown_token_is_404(client_for, alice):
    token, _ = token_create(user=alice, name="ci")
    token_revoke(token=token)
    before = stored_rows()
    client = client_for(alice)

    assert client.post(revoke_url(token)).status_code == 404
    assert client.get(reverse("accounts:token-revoke", args=[token.pk + 100])).status_code == 404
    assert stored_rows() == before
