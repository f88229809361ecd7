"""With Redis as the shared cache (production), a rate limit holds across processes: two separately
made cache clients, as two web processes have, count the same requests. Needs MLWA_TEST_REDIS_URL."""

import uuid

import pytest
import redis
from django.core.cache.backends.redis import RedisCache

from accounts.services import token_create
from mlwa.api.throttling import FailOpenThrottle
from tests.accounts.conftest import REDIS_URL, WORKLOADS, key_client

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def key_prefix():
    """A key prefix of this test's own, so that it neither sees nor leaves counts of another run;
    its keys are deleted afterwards (never the whole database, which may be shared)."""
    prefix = f"mlwa-test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


def process_cache(key_prefix: str) -> RedisCache:
    """The cache client one web process would make from MLWA_CACHE_URL (mlwa/settings.py): its
    own connection pool, nothing shared with another in Python."""
    return RedisCache(
        REDIS_URL,
        {"KEY_PREFIX": key_prefix, "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}},
    )


def test_a_limit_holds_across_two_processes(settings, monkeypatch, key_prefix, alice):
    settings.MLWA_API_RATES = {"user": "3/minute", "anon": "2/minute", "password": "2/minute"}
    first, second = process_cache(key_prefix), process_cache(key_prefix)
    client = key_client(token_create(user=alice, name="ci")[1])

    def request_in(process: RedisCache) -> int:
        monkeypatch.setattr(FailOpenThrottle, "cache", process)
        return client.get(WORKLOADS).status_code

    assert [request_in(first), request_in(second), request_in(first)] == [200, 200, 200]
    assert request_in(second) == 429  # the fourth request, whichever process answers it
    monkeypatch.setattr(FailOpenThrottle, "cache", first)
    refused = client.get(WORKLOADS)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60  # what is left of the window

    # The count is in Redis, under the user's key, and expires with the rate's minute.
    key = first.make_key(f"throttle_user_{alice.pk}")
    server = redis.Redis.from_url(REDIS_URL)
    assert server.exists(key)
    assert 0 < server.ttl(key) <= 60
    server.close()
    # A count, whatever the rate: every request of the window, the two refused ones too.
    assert second.get(f"throttle_user_{alice.pk}") == 5
