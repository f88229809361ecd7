"""Shared fixtures: users by role, a logged-in client, the shared lenses folder, service checks."""

import os
from pathlib import Path

import pytest

SHARED_LENSES = Path(__file__).resolve().parent.parent.parent / "shared" / "lenses"

#: Set by .ci/run: a test that would skip for want of a service fails instead.
REQUIRE_SERVICES = os.environ.get("MLWA_REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}


SHARED_LENSES_ABSENT = f"the shared lenses folder is absent ({SHARED_LENSES})"


def shared_lens_files() -> list[Path]:
    """The published lenses beside the project (empty when the folder is absent)."""
    return sorted(SHARED_LENSES.glob("*.json")) if SHARED_LENSES.is_dir() else []


def shared_lens_params() -> list:
    """Parameters for a test run once per shared lens; one skipped, with the reason, when the
    folder is absent (rather than pytest's bare "empty parameter set")."""
    files = shared_lens_files()
    if not files:
        return [
            pytest.param(None, id="no-shared-lenses", marks=pytest.mark.skip(reason=SHARED_LENSES_ABSENT))
        ]
    return [pytest.param(path, id=path.name) for path in files]


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """The default hasher costs ~200 ms a password; tests need no such protection."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits count in the cache, which outlives a test, under user ids that the next test's
    rolled-back database gives out again: each test starts with none used (lens imports and
    restores, MLWA_API_RATE_HEAVY, are 10 a minute)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _needs_postgres(request):
    """Tests marked `postgres` skip with a reason on another database, and fail under .ci/run."""
    if request.node.get_closest_marker("postgres") is None:
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        reason = "needs PostgreSQL: set DATABASE_URL to a PostgreSQL database (.ci/run does)"
        if REQUIRE_SERVICES:
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def shared_lenses() -> list[Path]:
    files = shared_lens_files()
    if not files:
        pytest.skip(SHARED_LENSES_ABSENT)
    return files


@pytest.fixture
def alice(db):
    from tests.factories import UserFactory

    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    from tests.factories import UserFactory

    return UserFactory(username="bob")


@pytest.fixture
def admin_user(db):
    from tests.factories import UserFactory

    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def client_for(client):
    """A test client logged in as the given user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def retire_published_lens_versions(transactional_db):
    """Let the flush after a transactional test (live server, browser) empty the lens tables.

    The triggers of lens migration 0002 refuse to delete the content of a published version, and on
    SQLite the flush is a DELETE of every row (on PostgreSQL a TRUNCATE, which row triggers do not see),
    so the flush would fail ("published lens versions cannot change") and leave its rows behind.
    Marking the published versions RETIRING is the one change the triggers allow, and what deleting a
    lens does (lens.models._retire_before_delete). This fixture depends on `transactional_db`, so its
    teardown runs before the flush.

    Milestones likewise: reviews migration 0005 refuses to delete a milestone's rows unless its
    workload is being deleted, so every workload is marked so, as deleting one does."""
    from lens.models import LensVersion
    from reviews.models import Workload

    yield
    LensVersion.objects.filter(status=LensVersion.Status.PUBLISHED).update(status=LensVersion.Status.RETIRING)
    Workload.objects.update(is_being_deleted=True)
