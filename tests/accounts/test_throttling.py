"""Rate limits (settings.MLWA_API_RATES): per user, per anonymous client (a bad token counts as
anonymous, before its 401), and per client sending passwords; answered 429 with Retry-After in the
API's error shape. When the cache is unreachable the limits fail open, and say so in the log."""

import logging

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import token_create
from reviews.models import Workload
from tests.accounts.conftest import TOKENS, WORKLOADS, basic_client, key_client

pytestmark = pytest.mark.django_db

#: A closed port: connecting is refused at once, as when Redis is down.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def rates(settings):
    """Small limits: three requests a minute per user, two per anonymous client, two passwords."""
    settings.MLWA_API_RATES = {"user": "3/minute", "anon": "2/minute", "password": "2/minute"}
    return settings.MLWA_API_RATES


def assert_throttled(response) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    body = response.json()
    assert body == {"code": "throttled", "message": body["message"], "fields": {}}
    assert "throttled" in body["message"]


def test_a_user_is_limited_across_all_their_tokens(rates, alice, bob):
    first = key_client(token_create(user=alice, name="one")[1])
    second = key_client(token_create(user=alice, name="two")[1])

    assert [first.get(WORKLOADS).status_code for _ in range(2)] == [200, 200]
    assert second.get(WORKLOADS).status_code == 200
    assert_throttled(second.get(WORKLOADS))
    assert_throttled(first.get(WORKLOADS))
    # Another user has a limit of their own.
    assert key_client(token_create(user=bob, name="ci")[1]).get(WORKLOADS).status_code == 200


def test_the_browser_session_counts_for_the_same_user(rates, client, alice):
    token_client = key_client(token_create(user=alice, name="ci")[1])
    client.force_login(alice)
    assert [token_client.get(WORKLOADS).status_code for _ in range(3)] == [200, 200, 200]
    assert_throttled(client.get(WORKLOADS))


def test_a_throttled_write_changes_nothing(rates, alice):
    client = key_client(token_create(user=alice, name="ci")[1])
    for _ in range(3):
        client.get(WORKLOADS)

    response = client.post(WORKLOADS, {"name": "Too many"}, format="json")

    assert_throttled(response)
    assert not Workload.objects.exists()


def test_anonymous_clients_are_limited_before_their_401(rates):
    client = APIClient()
    assert [client.get(WORKLOADS).status_code for _ in range(2)] == [401, 401]
    assert_throttled(client.get(WORKLOADS))


def test_anonymous_clients_are_told_apart_by_address(rates):
    client = APIClient()
    for _ in range(2):
        client.get(WORKLOADS, REMOTE_ADDR="192.0.2.1")
    assert_throttled(client.get(WORKLOADS, REMOTE_ADDR="192.0.2.1"))
    assert client.get(WORKLOADS, REMOTE_ADDR="192.0.2.2").status_code == 401


def test_bad_tokens_count_as_anonymous_before_their_401(rates, alice):
    _, key = token_create(user=alice, name="ci")
    guesses = [key[:-3] + suffix for suffix in ("aaa", "bbb", "ccc")]

    assert [key_client(guess).get(WORKLOADS).status_code for guess in guesses[:2]] == [401, 401]
    assert_throttled(key_client(guesses[2]).get(WORKLOADS))
    # A valid token is a user's, counted apart from the address's failed guesses.
    assert key_client(key).get(WORKLOADS).status_code == 200


def test_passwords_are_limited_right_or_wrong(settings, alice):
    settings.MLWA_API_RATES = {"user": "100/minute", "anon": "100/minute", "password": "2/minute"}

    assert basic_client("alice", "wrong").post(TOKENS, {"name": "a"}, format="json").status_code == 401
    assert (
        basic_client("alice", "alice-password").post(TOKENS, {"name": "b"}, format="json").status_code == 201
    )
    response = basic_client("alice", "alice-password").post(TOKENS, {"name": "c"}, format="json")

    assert_throttled(response)
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["b"]  # the third made nothing
    # Tokens are not passwords: the key just made still works.
    assert key_client(token_create(user=alice, name="d")[1]).get(TOKENS).status_code == 200


def test_the_rates_come_from_the_settings_at_each_request(settings, alice):
    client = key_client(token_create(user=alice, name="ci")[1])
    settings.MLWA_API_RATES = {"user": "1/minute", "anon": "2/minute", "password": "2/minute"}
    assert client.get(WORKLOADS).status_code == 200
    assert client.get(WORKLOADS).status_code == 429
    settings.MLWA_API_RATES = {"user": "5/minute", "anon": "2/minute", "password": "2/minute"}
    assert client.get(WORKLOADS).status_code == 200


def test_an_unreachable_cache_lets_requests_through_and_logs_it(rates, alice, caplog):
    client = key_client(token_create(user=alice, name="ci")[1])
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }

    # Within the block only: the fixtures' teardown clears the cache it restores.
    with override_settings(CACHES=unreachable), caplog.at_level(logging.WARNING, "mlwa.api.throttling"):
        statuses = [client.get(WORKLOADS).status_code for _ in range(5)]  # over the 3/minute
        anonymous = [APIClient().get(WORKLOADS).status_code for _ in range(3)]  # over the 2/minute

    assert statuses == [200] * 5
    assert anonymous == [401] * 3
    warnings = [r for r in caplog.records if r.name == "mlwa.api.throttling" and r.levelno == logging.WARNING]
    assert len(warnings) == 8  # one a request: each request checks one limit that applies to it
    assert all("the cache is unreachable" in record.getMessage() for record in warnings)
    assert all(record.exc_info for record in warnings)  # with the cause, for whoever reads the log
