"""Fixtures for the token and rate-limit tests: a fresh rate-limit count per test, the `redis`
marker's service check, and clients that authenticate each way the API accepts."""

import base64
import os

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.conftest import REQUIRE_SERVICES

#: A Redis server for the tests marked `redis` (e.g. redis://127.0.0.1:6379/15); .ci/run sets it.
REDIS_URL = os.environ.get("MLWA_TEST_REDIS_URL", "")

WORKLOADS = "/api/v1/workloads/"
TOKENS = "/api/v1/tokens/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits count in the cache, which outlives a test: each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _needs_redis(request):
    """Tests marked `redis` skip with a reason without MLWA_TEST_REDIS_URL, and fail under .ci/run
    (MLWA_REQUIRE_SERVICES), as tests/conftest.py does for `postgres`."""
    if request.node.get_closest_marker("redis") is None:
        return
    if not REDIS_URL:
        reason = "needs Redis: set MLWA_TEST_REDIS_URL to a Redis server (e.g. redis://127.0.0.1:6379/15)"
        if REQUIRE_SERVICES:
            pytest.fail(reason)
        pytest.skip(reason)


def key_client(key: str) -> APIClient:
    """A client that sends `Authorization: Token <key>`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def basic_client(username: str, password: str) -> APIClient:
    """A client that sends HTTP Basic credentials, as `curl -u username:password` does."""
    client = APIClient()
    credentials = base64.b64encode(f"{username}:{password}".encode()).decode()
    client.credentials(HTTP_AUTHORIZATION=f"Basic {credentials}")
    return client


def header_client(header: str) -> APIClient:
    """A client that sends this Authorization header, whatever it holds."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client
