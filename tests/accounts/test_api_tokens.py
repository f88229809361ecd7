"""`/api/v1/tokens/`: a user creates a token with their password (HTTP Basic) and gets the key once;
lists never show keys; revoking one makes its key useless. A token cannot make tokens, a read-only
token cannot revoke, and a wrong password is 401; each refusal leaves the tokens as they were."""

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.selectors import token_for_key
from accounts.services import token_create
from tests.accounts.conftest import TOKENS, WORKLOADS, basic_client, key_client

pytestmark = pytest.mark.django_db


def stored_rows() -> list[dict]:
    """Every token as stored, but when it was last used: a refused request still used its token."""
    fields = [field.name for field in ApiToken._meta.concrete_fields if field.name != "last_used_at"]
    return list(ApiToken.objects.order_by("pk").values(*fields))


def test_creating_with_the_password_returns_the_key_once(alice):
    response = basic_client("alice", "alice-password").post(
        TOKENS, {"name": "dashboard", "read_only": True}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    token = ApiToken.objects.get()
    assert body == {
        "id": token.pk,
        "name": "dashboard",
        "prefix": token.prefix,
        "read_only": True,
        "created_at": body["created_at"],
        "last_used_at": None,
        "revoked_at": None,
        "key": body["key"],
    }
    assert token_for_key(body["key"]) == token
    assert token.user == alice
    assert key_client(body["key"]).get(WORKLOADS).status_code == 200


def test_the_list_shows_ones_own_tokens_without_keys(alice, bob):
    _, alices_key = token_create(user=alice, name="ci")
    token_create(user=bob, name="bob's")

    response = key_client(alices_key).get(TOKENS)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["name"] for row in rows] == ["ci"]
    assert "key" not in rows[0]
    assert alices_key not in response.content.decode()
    assert ApiToken.objects.get(name="ci").digest not in response.content.decode()


def test_the_list_with_the_password_works_too(alice):
    token_create(user=alice, name="ci")
    response = basic_client("alice", "alice-password").get(TOKENS)
    assert [row["name"] for row in response.json()["results"]] == ["ci"]


def test_revoking_makes_the_key_useless(alice):
    token, key = token_create(user=alice, name="ci")
    _, admin_key = token_create(user=alice, name="admin")

    response = key_client(admin_key).delete(f"{TOKENS}{token.pk}/")

    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert key_client(key).get(WORKLOADS).status_code == 401
    listed = key_client(admin_key).get(TOKENS).json()["results"]
    assert {row["name"]: row["revoked_at"] is not None for row in listed} == {"ci": True, "admin": False}


def test_a_token_may_revoke_itself(alice):
    token, key = token_create(user=alice, name="ci")
    assert key_client(key).delete(f"{TOKENS}{token.pk}/").status_code == 204
    assert key_client(key).get(WORKLOADS).status_code == 401


def test_revoking_a_revoked_token_is_404(alice):
    token, key = token_create(user=alice, name="ci")
    client = basic_client("alice", "alice-password")
    assert client.delete(f"{TOKENS}{token.pk}/").status_code == 204
    before = stored_rows()
    assert client.delete(f"{TOKENS}{token.pk}/").status_code == 404
    assert stored_rows() == before


def test_another_users_token_is_404_and_stays(alice, bob):
    bobs_token, bobs_key = token_create(user=bob, name="ci")
    _, alices_key = token_create(user=alice, name="ci")
    before = stored_rows()

    response = key_client(alices_key).delete(f"{TOKENS}{bobs_token.pk}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert stored_rows() == before
    assert key_client(bobs_key).get(WORKLOADS).status_code == 200


def test_a_token_cannot_create_tokens(alice):
    _, key = token_create(user=alice, name="ci")
    before = stored_rows()

    response = key_client(key).post(TOKENS, {"name": "more"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert stored_rows() == before


def test_a_wrong_password_is_401(alice):
    response = basic_client("alice", "wrong").post(TOKENS, {"name": "ci"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert not ApiToken.objects.exists()


def test_an_inactive_user_cannot_create_tokens(alice):
    alice.is_active = False
    alice.save()
    response = basic_client("alice", "alice-password").post(TOKENS, {"name": "ci"}, format="json")
    assert response.status_code == 401
    assert not ApiToken.objects.exists()


def test_a_read_only_token_cannot_revoke(alice):
    token, _ = token_create(user=alice, name="ci")
    _, read_only_key = token_create(user=alice, name="reader", read_only=True)
    before = stored_rows()

    response = key_client(read_only_key).delete(f"{TOKENS}{token.pk}/")

    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"
    assert stored_rows() == before


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        pytest.param({"name": "ci"}, "name", "name_taken", id="name-taken"),
        pytest.param({"name": " ci "}, "name", "name_taken", id="name-taken-with-spaces"),
        pytest.param({"name": " "}, "name", "invalid", id="blank-name"),
        pytest.param({}, "name", "invalid", id="no-name"),
        pytest.param({"name": "x" * 101}, "name", "invalid", id="name-too-long"),
        pytest.param({"name": 7}, "name", "invalid", id="name-not-text"),
        pytest.param(
            {"name": "new", "read_only": "perhaps"}, "read_only", "invalid", id="read-only-not-a-boolean"
        ),
        pytest.param({"name": "new", "read_only": 1}, "read_only", "invalid", id="read-only-one"),
        pytest.param({"name": "new", "colour": "red"}, "colour", "invalid", id="an-unknown-field"),
    ],
)
def test_a_refused_token_is_400_naming_the_field(alice, body, field, code):
    token_create(user=alice, name="ci")
    before = stored_rows()

    response = basic_client("alice", "alice-password").post(TOKENS, body, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["fields"])) == (code, [field])
    assert stored_rows() == before


def test_no_credentials_is_401(alice):
    assert APIClient().get(TOKENS).status_code == 401
    assert APIClient().post(TOKENS, {"name": "ci"}, format="json").status_code == 401
    assert not ApiToken.objects.exists()
