"""Lens imports and workload restores are limited per user, in the browser and the API together
(MLWA_API_RATE_HEAVY, default 10/minute): over it, 429 with Retry-After, and nothing is stored
(issue 14). Each parses, lints and writes a whole document: the heavy work of the application."""

import io
import json
import runpy
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from lens.models import Lens
from reviews.backup import workload_export
from reviews.models import Workload
from reviews.services import workload_create
from tests import factories

pytestmark = pytest.mark.django_db

LENS_IMPORT_API, LENS_IMPORT_PAGE = "/api/v1/lenses/import/", "/lenses/import/"
RESTORE_API, RESTORE_PAGE = "/api/v1/workloads/import/?as_copy=true", "/workloads/import/"
SETTINGS = Path(__file__).resolve().parents[2] / "mlwa" / "settings.py"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits count in the cache, which outlives a test: each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def browser(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


_imports = iter(range(10**6))


def import_by_api(user):
    return api(user).post(LENS_IMPORT_API, factories.lens_document(f"Lens {next(_imports)}"), format="json")


def import_by_page(user):
    document = json.dumps(factories.lens_document(f"Lens {next(_imports)}")).encode()
    upload = io.BytesIO(document)
    upload.name = "lens.json"
    return browser(user).post(LENS_IMPORT_PAGE, {"file": upload})


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.content[:300]
    assert 0 < int(response["Retry-After"]) <= 60


def test_the_default_is_ten_a_minute(monkeypatch, tmp_path):
    monkeypatch.setenv("MLWA_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("MLWA_API_RATE_HEAVY", raising=False)

    assert runpy.run_path(str(SETTINGS))["MLWA_API_RATES"]["heavy"] == "10/minute"


def test_the_eleventh_api_import_in_a_minute_is_a_429_and_stores_nothing_issue_14(alice, bob):
    assert [import_by_api(alice).status_code for _ in range(10)] == [201] * 10
    lenses = Lens.objects.count()

    refused = import_by_api(alice)

    assert_throttled(refused)
    assert refused.json()["code"] == "throttled"
    assert Lens.objects.count() == lenses
    # Another user has a limit of their own.
    assert import_by_api(bob).status_code == 201


def test_the_eleventh_page_import_in_a_minute_is_a_429_page_and_stores_nothing_issue_14(alice, bob):
    assert [import_by_page(alice).status_code for _ in range(10)] == [302] * 10
    lenses = Lens.objects.count()

    refused = import_by_page(alice)

    assert_throttled(refused)
    assert "Try again in" in refused.content.decode()
    assert Lens.objects.count() == lenses
    assert import_by_page(bob).status_code == 302
    # Showing the form is not an import: it is never counted, nor refused.
    assert browser(alice).get(LENS_IMPORT_PAGE).status_code == 200


def test_the_browser_and_the_api_count_together(settings, alice):
    settings.MLWA_API_RATES = {**settings.MLWA_API_RATES, "heavy": "3/minute"}

    assert import_by_api(alice).status_code == 201
    assert import_by_page(alice).status_code == 302
    assert import_by_api(alice).status_code == 201
    assert_throttled(import_by_page(alice))
    assert_throttled(import_by_api(alice))


def _backup(owner) -> bytes:
    workload = workload_create(owner=owner, fields={"name": "To restore"})
    return json.dumps(workload_export(workload=workload, actor=owner, source="tests")).encode()


def test_restores_are_limited_in_the_api_and_on_the_page_issue_14(settings, alice, bob):
    settings.MLWA_API_RATES = {**settings.MLWA_API_RATES, "heavy": "2/minute"}
    document = _backup(alice)

    def restore_by_page(user):
        upload = io.BytesIO(document)
        upload.name = "backup.json"
        return browser(user).post(RESTORE_PAGE, {"file": upload, "as_copy": "on"})

    def restore_by_api(user):
        return api(user).generic("POST", RESTORE_API, document, content_type="application/json")

    assert restore_by_api(alice).status_code == 201
    assert restore_by_page(alice).status_code == 302
    workloads = Workload.objects.count()

    assert_throttled(restore_by_api(alice))
    assert_throttled(restore_by_page(alice))
    assert Workload.objects.count() == workloads
    assert restore_by_api(bob).status_code == 201


def test_a_cache_failure_lets_heavy_operations_through(settings, alice, monkeypatch):
    """As every limit: a protection, not a reason to stop (DESIGN.md)."""
    from mlwa.api.throttling import FailOpenThrottle

    class Broken:
        def add(self, *args, **kwargs):
            raise ConnectionError("the cache is down")

    settings.MLWA_API_RATES = {**settings.MLWA_API_RATES, "heavy": "1/minute"}
    monkeypatch.setattr(FailOpenThrottle, "cache", Broken())

    assert [import_by_page(alice).status_code for _ in range(2)] == [302, 302]


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the test Redis (MLWA_TEST_REDIS_URL); its keys are deleted
    afterwards, never the whole database. Skips without Redis, and fails under .ci/run."""
    from tests.accounts.conftest import REDIS_URL
    from tests.conftest import REQUIRE_SERVICES

    if not REDIS_URL:
        reason = "needs Redis: set MLWA_TEST_REDIS_URL to a Redis server (e.g. redis://127.0.0.1:6379/15)"
        if REQUIRE_SERVICES:
            pytest.fail(reason)
        pytest.skip(reason)
    import redis

    prefix = f"mlwa-test-{uuid.uuid4().hex}"
    yield REDIS_URL, prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.mark.redis
def test_with_redis_the_heavy_limit_holds_across_processes_and_doors(
    settings, monkeypatch, redis_prefix, alice
):
    """Two web processes (two cache clients of their own), one serving the API and one the pages,
    count the same user's imports in Redis."""
    import redis
    from django.core.cache.backends.redis import RedisCache

    from mlwa.api.throttling import FailOpenThrottle

    url, prefix = redis_prefix
    settings.MLWA_API_RATES = {**settings.MLWA_API_RATES, "heavy": "2/minute"}
    options = {"KEY_PREFIX": prefix, "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}}
    first, second = RedisCache(url, options), RedisCache(url, options)

    def in_process(process, send):
        monkeypatch.setattr(FailOpenThrottle, "cache", process)
        return send(alice)

    assert in_process(first, import_by_api).status_code == 201
    assert in_process(second, import_by_page).status_code == 302
    lenses = Lens.objects.count()
    assert_throttled(in_process(first, import_by_page))
    assert_throttled(in_process(second, import_by_api))
    assert Lens.objects.count() == lenses

    server = redis.Redis.from_url(url)
    key = first.make_key(f"throttle_heavy_{alice.pk}")
    assert 0 < server.ttl(key) <= 60
    server.close()
