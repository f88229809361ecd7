"""X-RateLimit-Limit, -Remaining and -Reset on every API answer (issue 15): for the limit that
applies, errors and 429 included; absent, and logged, only when the limiter fails open.

The expected figures follow from the rates set here (settings.MLWA_API_RATES), counted by hand."""

import logging
import time

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from tests import factories
from tests.accounts.conftest import TOKENS, basic_client
from tests.accounts.test_throttling import UNREACHABLE_REDIS
from tests.api.conftest import token_client
from tests.mlwa.test_heavy_throttle import redis_prefix  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

WORKLOADS = "/api/v1/workloads/"
HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


@pytest.fixture
def rates(settings):
    settings.MLWA_API_RATES = {
        "user": "3/minute",
        "anon": "2/minute",
        "password": "2/minute",
        "heavy": "2/minute",
    }


def figures(response) -> tuple[int, int, int]:
    return tuple(int(response[name]) for name in HEADERS)


def test_each_answer_says_the_limit_and_what_is_left_down_to_the_429(rates, alice):
    client = token_client(alice)

    answers = [client.get(WORKLOADS) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [figures(a)[:2] for a in answers] == [(3, 2), (3, 1), (3, 0), (3, 0)]
    resets = [figures(a)[2] for a in answers]
    assert all(0 < reset <= 60 for reset in resets)
    assert resets == sorted(resets, reverse=True)  # one window, its end coming nearer
    assert int(answers[-1]["Retry-After"]) == resets[-1]


def test_errors_carry_them_too(rates, alice):
    client = token_client(alice)
    not_found = client.get(f"{WORKLOADS}999999/")
    invalid = client.post(WORKLOADS, {"name": ""}, format="json")
    anonymous = APIClient().get(WORKLOADS)

    assert (not_found.status_code, figures(not_found)[:2]) == (404, (3, 2))
    assert (invalid.status_code, figures(invalid)[:2]) == (400, (3, 1))
    # Without credentials, the anonymous limit of the client's address applies.
    assert (anonymous.status_code, figures(anonymous)[:2]) == (401, (2, 1))


def test_the_limit_that_applies_is_the_one_nearest_to_refusing(settings, alice):
    settings.MLWA_API_RATES = {
        "user": "100/minute",
        "anon": "100/minute",
        "password": "2/minute",
        "heavy": "2/minute",
    }
    client = token_client(alice)

    lens_import = client.post("/api/v1/lenses/import/", factories.lens_document("Limits"), format="json")
    token = basic_client("alice", "alice-password").post(TOKENS, {"name": "ci"}, format="json")
    plain = client.get(WORKLOADS)

    assert (lens_import.status_code, figures(lens_import)[:2]) == (201, (2, 1))  # heavy: 2 a minute
    assert (token.status_code, figures(token)[:2]) == (201, (2, 1))  # passwords: 2 a minute
    assert (plain.status_code, figures(plain)[:2]) == (200, (100, 97))  # the user's 3rd (lens, token)


def test_reset_counts_down_to_the_end_of_the_window(rates, alice, monkeypatch):
    client = token_client(alice)
    start = time.time()
    first = client.get(WORKLOADS)
    monkeypatch.setattr(time, "time", lambda: start + 25)
    later = client.get(WORKLOADS)

    assert figures(first)[2] == 60
    assert figures(later)[2] in (35, 36)  # the window started at most a second after `start`


def test_a_replayed_answer_has_the_figures_of_its_own_request(rates, alice):
    client = token_client(alice)
    first = client.post(WORKLOADS, {"name": "Fraud model"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post(WORKLOADS, {"name": "Fraud model"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")

    assert again["Idempotent-Replayed"] == "true"
    assert (figures(first)[:2], figures(again)[:2]) == ((3, 2), (3, 1))


def test_with_the_cache_unreachable_they_are_absent_and_the_log_says_why(rates, alice, caplog):
    client = token_client(alice)
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    with override_settings(CACHES=unreachable), caplog.at_level(logging.WARNING, "mlwa.api.throttling"):
        answers = [client.get(WORKLOADS), APIClient().get(WORKLOADS)]

    assert [a.status_code for a in answers] == [200, 401]
    assert all(not any(a.has_header(name) for name in HEADERS) for a in answers)
    warnings = [r for r in caplog.records if r.name == "mlwa.api.throttling"]
    assert len(warnings) == 2
    assert all("the cache is unreachable" in r.getMessage() for r in warnings)


@pytest.mark.redis
def test_with_redis_the_figures_come_from_the_shared_counter(rates, alice, redis_prefix, monkeypatch):  # noqa: F811
    from django.core.cache.backends.redis import RedisCache

    from mlwa.api.throttling import FailOpenThrottle

    url, prefix = redis_prefix
    options = {"KEY_PREFIX": prefix, "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}}
    monkeypatch.setattr(FailOpenThrottle, "cache", RedisCache(url, options))
    client = token_client(alice)

    answers = [client.get(WORKLOADS) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [figures(a)[:2] for a in answers] == [(3, 2), (3, 1), (3, 0), (3, 0)]
    assert all(0 < figures(a)[2] <= 60 for a in answers)
    assert int(answers[-1]["Retry-After"]) == figures(answers[-1])[2]
