"""Issue 14: API tokens no longer outlive a password change, and every token can be revoked at once.

The password change has "Also revoke my API tokens", ticked by default: ticked, every token of the
user is revoked in the password's own transaction; unticked, they keep working. "Revoke all tokens"
on the account page (a confirmation, then one POST) and `POST /api/v1/tokens/revoke-all/` revoke
every active token of the user who asks, and no one else's, and say how many."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import ApiToken
from accounts.services import token_create, token_revoke, tokens_revoke_all
from tests.accounts.conftest import TOKENS, WORKLOADS, key_client
from tests.reviews.pages import is_login_redirect

pytestmark = pytest.mark.django_db

PROFILE = reverse("profile")
NEW_PASSWORD = "correct horse battery staple 42"


def revoke_all_url() -> str:
    return reverse("accounts:tokens-revoke-all")


def change_password(client, *, revoke: bool | None):
    """The account page's password change as a browser posts it: an unticked box sends nothing."""
    data = {"old_password": "alice-password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    if revoke:
        data["revoke_tokens"] = "on"
    return client.post(PROFILE, data)


def said(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


@pytest.fixture
def keys(alice, bob):
    """Two active tokens of alice's (one read-only), one she revoked already, and one of bob's."""
    _ci, ci_key = token_create(user=alice, name="ci")
    _dashboard, dashboard_key = token_create(user=alice, name="dashboard", read_only=True)
    old, _old_key = token_create(user=alice, name="old")
    token_revoke(token=old)
    _bobs, bobs_key = token_create(user=bob, name="bob's")
    return {"ci": ci_key, "dashboard": dashboard_key, "bob": bobs_key}


def works(key: str) -> bool:
    status = key_client(key).get(WORKLOADS).status_code
    assert status in (200, 401)
    return status == 200


# --- the service -------------------------------------------------------------------------------------


def test_revoking_all_revokes_every_active_token_of_that_user_only(alice, bob, keys):
    already = ApiToken.objects.get(user=alice, name="old").revoked_at

    assert tokens_revoke_all(user=alice) == 2

    assert not ApiToken.objects.filter(user=alice, revoked_at__isnull=True).exists()
    assert ApiToken.objects.get(user=alice, name="old").revoked_at == already
    assert ApiToken.objects.get(user=bob).revoked_at is None
    assert (works(keys["ci"]), works(keys["dashboard"]), works(keys["bob"])) == (False, False, True)
    assert tokens_revoke_all(user=alice) == 0


# --- the password change -----------------------------------------------------------------------------


def test_issue_14_the_box_is_on_the_password_form_and_ticked_by_default(client_for, alice):
    html = client_for(alice).get(PROFILE).content.decode()
    assert "Also revoke my API tokens" in html
    assert 'name="revoke_tokens"' in html
    (box,) = [tag for tag in html.split("<input")[1:] if 'name="revoke_tokens"' in tag]
    assert " checked" in box.split(">")[0]


def test_issue_14_a_password_change_with_the_box_ticked_revokes_every_token(client_for, alice, keys):
    assert works(keys["ci"])

    response = change_password(client_for(alice), revoke=True)

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not works(keys["ci"])
    assert key_client(keys["ci"]).get(WORKLOADS).status_code == 401
    assert not works(keys["dashboard"])
    assert works(keys["bob"])
    assert said(response) == "Your password was changed. Revoked 2 API tokens: their keys no longer work."


def test_a_password_change_with_the_box_unticked_keeps_the_tokens(client_for, alice, keys):
    response = change_password(client_for(alice), revoke=False)

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert works(keys["ci"])
    assert works(keys["dashboard"])
    assert said(response) == "Your password was changed."


def test_a_refused_password_change_revokes_nothing(client_for, alice, keys):
    response = client_for(alice).post(
        PROFILE,
        {
            "old_password": "wrong",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "revoke_tokens": "on",
        },
    )
    assert response.status_code == 400
    assert works(keys["ci"])


def test_the_password_and_the_tokens_change_in_one_transaction(client_for, alice, keys, monkeypatch):
    """If revoking fails, the password stays as it was: never a new password beside working keys."""

    def broken(*, user):
        ApiToken.objects.filter(user=user).update(last_used_at="2026-01-01T00:00:00Z")
        raise RuntimeError("the revocation failed")

    monkeypatch.setattr(services, "tokens_revoke_all", broken)
    client = client_for(alice)
    client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        change_password(client, revoke=True)

    alice.refresh_from_db()
    assert alice.check_password("alice-password")
    assert not ApiToken.objects.filter(last_used_at__isnull=False).exists()


# --- "Revoke all tokens" on the account page ---------------------------------------------------------


def test_the_account_page_offers_revoke_all_only_with_an_active_token(client_for, alice, bob, keys):
    assert revoke_all_url() in client_for(alice).get(PROFILE).content.decode()
    tokens_revoke_all(user=alice)
    assert revoke_all_url() not in client_for(alice).get(PROFILE).content.decode()


def test_issue_14_revoke_all_asks_first_then_revokes_every_token_and_says_how_many(client_for, alice, keys):
    client = client_for(alice)

    confirmation = client.get(revoke_all_url())

    assert confirmation.status_code == 200
    assert "You have 2 active tokens." in confirmation.content.decode()
    assert works(keys["ci"])  # asking changes nothing

    response = client.post(revoke_all_url())

    assert response.status_code == 302
    assert response["Location"] == PROFILE + "#tokens"
    assert said(response) == "Revoked 2 API tokens: their keys no longer work."
    assert (works(keys["ci"]), works(keys["dashboard"]), works(keys["bob"])) == (False, False, True)


def test_revoke_all_with_nothing_to_revoke_says_so(client_for, alice):
    response = client_for(alice).post(revoke_all_url())
    assert response.status_code == 302
    assert said(response) == "You had no API token to revoke."


def test_revoke_all_needs_a_login(client, alice, keys):
    assert is_login_redirect(client.get(revoke_all_url()))
    assert is_login_redirect(client.post(revoke_all_url()))
    assert works(keys["ci"])


def test_revoke_all_needs_the_csrf_token(alice, keys):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    browser.get(PROFILE)  # the CSRF cookie
    csrf = browser.cookies["csrftoken"].value

    assert browser.post(revoke_all_url()).status_code == 403
    assert works(keys["ci"])

    assert browser.post(revoke_all_url(), {"csrfmiddlewaretoken": csrf}).status_code == 302
    assert not works(keys["ci"])


# --- the API -----------------------------------------------------------------------------------------


def test_issue_14_the_api_revokes_every_token_of_the_caller_only(alice, keys):
    response = key_client(keys["ci"]).post(f"{TOKENS}revoke-all/")

    assert response.status_code == 200, response.content
    assert response.json() == {"revoked": 2}
    assert (works(keys["ci"]), works(keys["dashboard"]), works(keys["bob"])) == (False, False, True)
    assert key_client(keys["ci"]).post(f"{TOKENS}revoke-all/").status_code == 401


def test_a_read_only_key_cannot_revoke_all(alice, keys):
    response = key_client(keys["dashboard"]).post(f"{TOKENS}revoke-all/")
    assert response.status_code == 403
    assert works(keys["ci"])


def test_revoke_all_is_documented_in_the_schema(client):
    schema = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()
    operation = schema["paths"]["/api/v1/tokens/revoke-all/"]["post"]
    assert operation["operationId"] == "tokens_revoke_all_create"
    assert operation["summary"] == "Revoke all your API tokens"
    reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    answer = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]
    assert list(answer["properties"]) == ["revoked"]
