"""`Authorization: Token <key>` on a real endpoint (/api/v1/workloads/): a valid key reads as its
user; a revoked key, an inactive user, a wrong key with the right prefix and any malformed header
are 401 in the API's error shape, and say which scheme to use."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import token_create, token_revoke
from reviews.services import workload_create
from tests.accounts.conftest import WORKLOADS, header_client, key_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def alices_key(alice) -> str:
    """A key of alice, who owns one workload."""
    workload_create(owner=alice, fields={"name": "Churn model"})
    return token_create(user=alice, name="ci")[1]


def assert_refused(response, code: str = "authentication_failed") -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    body = response.json()
    assert body["code"] == code
    assert set(body) == {"code", "message", "fields"}
    assert body["fields"] == {}


def test_a_valid_key_reads_as_its_user(alices_key, bob):
    workload_create(owner=bob, fields={"name": "Bob's own"})
    response = key_client(alices_key).get(WORKLOADS)
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Churn model"]


def test_the_scheme_is_case_insensitive(alices_key):
    assert header_client(f"token {alices_key}").get(WORKLOADS).status_code == 200


def test_a_revoked_key_is_401(alice, alices_key):
    token_revoke(token=ApiToken.objects.get(user=alice))
    assert_refused(key_client(alices_key).get(WORKLOADS))


def test_an_inactive_users_key_is_401(alice, alices_key):
    alice.is_active = False
    alice.save()
    assert_refused(key_client(alices_key).get(WORKLOADS))


def test_a_wrong_key_with_the_right_prefix_is_401(alices_key):
    wrong = alices_key[:-4] + ("AAAA" if not alices_key.endswith("AAAA") else "BBBB")
    assert_refused(key_client(wrong).get(WORKLOADS))


def test_another_users_prefix_with_ones_own_secret_is_401(alice, bob, alices_key):
    bobs_key = token_create(user=bob, name="ci")[1]
    prefix_length = len(bobs_key.rsplit("_", 1)[0])
    spliced = bobs_key[:prefix_length] + alices_key[prefix_length:]
    assert_refused(key_client(spliced).get(WORKLOADS))


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Token", id="no-key"),
        pytest.param("Token a b", id="two-words"),
        pytest.param("Token mlwa_", id="only-the-start"),
        pytest.param("Token mlwa_" + "x" * 500, id="long-garbage"),
        pytest.param("Token nonsense", id="no-mlwa_"),
        pytest.param("Token mlwa_é", id="not-ascii"),
    ],
)
def test_a_malformed_token_header_is_401(alices_key, header):
    assert_refused(header_client(header).get(WORKLOADS))


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("Bearer whatever", id="another-scheme"),
        pytest.param("Basic !!!not-base64", id="basic-garbage"),
        pytest.param("", id="empty"),
    ],
)
def test_a_header_of_another_scheme_counts_as_no_credentials(alices_key, header):
    assert_refused(header_client(header).get(WORKLOADS), code="not_authenticated")


def test_last_used_is_written_at_most_every_five_minutes(alice, alices_key):
    client = key_client(alices_key)

    def token_writes_of_one_request() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(WORKLOADS).status_code == 200
        return sum(
            query["sql"].startswith("UPDATE") and "accounts_apitoken" in query["sql"]
            for query in queries.captured_queries
        )

    assert ApiToken.objects.get().last_used_at is None
    assert token_writes_of_one_request() == 1  # first use
    used = ApiToken.objects.get().last_used_at
    assert token_writes_of_one_request() == 0  # a moment later
    assert ApiToken.objects.get().last_used_at == used
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=6))
    assert token_writes_of_one_request() == 1
    assert ApiToken.objects.get().last_used_at > used
