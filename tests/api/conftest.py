"""API clients for every kind of caller: a user's token (full or read-only), a revoked token, a
browser session, and no credentials. The workload and its people come from tests/reviews."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.services import token_create, token_revoke
from tests.reviews.conftest import SharedWorkload, people, shared_workload  # noqa: F401 - fixtures

__all__ = ["SharedWorkload"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits count in the cache, which outlives a test: each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


def token_client(user, *, read_only: bool = False, name: str = "tests") -> APIClient:
    """A client that sends `Authorization: Token <key>` for a new token of `user`."""
    _token, key = token_create(user=user, name=name, read_only=read_only)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def revoked_token_client(user) -> APIClient:
    token, key = token_create(user=user, name="revoked")
    token_revoke(token=token)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture(autouse=True)
def _private_reports_dir(settings, tmp_path):
    """Report files (the access matrix's world has one) go to a folder of the test's own."""
    settings.MLWA_REPORTS_DIR = tmp_path / "reports"


@pytest.fixture
def api_for():
    """api_for(user) → a client authenticated with a new token of `user`; None → no credentials."""
    clients = {}

    def client_for(user, *, read_only: bool = False) -> APIClient:
        if user is None:
            return APIClient()
        key = (user.pk, read_only)
        if key not in clients:
            clients[key] = token_client(user, read_only=read_only, name=f"tests-{len(clients)}")
        return clients[key]

    return client_for
