"""/healthz and /readyz (mlwa.health): what each part's state is, which answers are 503, and that
probes write nothing, are never cached, and /healthz answers whatever the Host.

The database's outage is real: a process of its own whose database cannot be opened, then can."""

# The subprocess runs our own Python with a fixed script.
# ruff: noqa: S603

import json
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from reviews.models.reports import WorkerHeartbeat
from tests.conftest import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("MLWA_TEST_REDIS_URL", "")


@pytest.fixture
def broker_folder(settings, tmp_path):
    """The embedded filesystem broker, in a folder of this test's own."""
    folder = tmp_path / "broker" / "queue"
    folder.mkdir(parents=True)
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    return folder


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket is: nothing listens there


def _no_store(response) -> bool:
    return "no-store" in response["Cache-Control"]


def test_healthz_answers_ok_touching_nothing(client):
    # No django_db mark: a query would raise ("Database access not allowed").
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert _no_store(response)
    assert not response.cookies


@pytest.mark.parametrize("host", ["10.42.0.17", "10.42.0.17:8000", "pod.internal", "[fd00::1]"])
def test_healthz_answers_whatever_the_host_and_readyz_does_not(client, host, broker_folder):
    """An orchestrator's probe sends the pod's IP: /healthz answers before Host validation. /readyz,
    which says more, answers only an allowed Host (Django's 400)."""
    assert client.get("/healthz", HTTP_HOST=host).status_code == 200
    assert client.get("/readyz", HTTP_HOST=host).status_code == 400


@pytest.mark.django_db
def test_readyz_all_ok_in_two_queries(client, broker_folder, django_assert_num_queries):
    WorkerHeartbeat.objects.create(hostname="worker@a", seen_at=timezone.now() - timedelta(seconds=5))
    # SELECT 1 (the database), then the newest heartbeat (the worker).
    with django_assert_num_queries(2):
        response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["latency_ms"] >= 0
    assert body["checks"]["broker"] == {
        "status": "ok",
        "latency_ms": body["checks"]["broker"]["latency_ms"],
        "transport": "filesystem",
    }
    assert body["checks"]["worker"]["status"] == "ok"
    assert body["checks"]["worker"]["hostname"] == "worker@a"
    assert 4 <= body["checks"]["worker"]["seen_seconds_ago"] <= 30
    assert _no_store(response)
    assert not response.cookies
    assert not list(broker_folder.iterdir()), "the broker check left a file in the queue"


@pytest.mark.django_db
def test_readyz_for_a_logged_in_user_writes_no_session(client, alice, broker_folder):
    client.force_login(alice)
    session_key = client.session.session_key
    response = client.get("/readyz")
    assert response.status_code == 200
    assert not response.cookies
    assert client.session.session_key == session_key


@pytest.mark.django_db
def test_readyz_worker_stale_or_missing_is_degraded_not_503(client, settings, broker_folder):
    settings.MLWA_WORKER_HEARTBEAT_STALE = 60
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["worker"] == {"status": "missing"}

    WorkerHeartbeat.objects.create(hostname="worker@old", seen_at=timezone.now() - timedelta(seconds=61))
    body = client.get("/readyz").json()
    assert body["status"] == "degraded"
    assert body["checks"]["worker"]["status"] == "stale"
    assert body["checks"]["worker"]["hostname"] == "worker@old"

    # The newest row counts: one live worker among dead ones is enough.
    WorkerHeartbeat.objects.create(hostname="worker@new", seen_at=timezone.now())
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert body["checks"]["worker"]["hostname"] == "worker@new"


@pytest.mark.django_db
def test_readyz_broker_folder_gone_is_degraded(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "no-such-folder")}
    WorkerHeartbeat.objects.create(hostname="worker@a", seen_at=timezone.now())
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["broker"]["status"] == "down"
    assert "FileNotFoundError" in body["checks"]["broker"]["error"]


@pytest.mark.django_db
def test_readyz_broker_unreachable_is_degraded_fast_and_keeps_the_password(client, settings):
    settings.CELERY_BROKER_URL = f"redis://:s3cretPassw0rd@127.0.0.1:{_closed_port()}/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
    settings.MLWA_READYZ_BROKER_TIMEOUT = 1
    started = time.monotonic()
    response = client.get("/readyz")
    took = time.monotonic() - started
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["broker"]["status"] == "down"
    assert body["checks"]["broker"]["error"]
    assert "s3cretPassw0rd" not in response.content.decode()
    assert took < 1.5


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_broker_redis_up_is_ok(client, settings):
    if not REDIS_URL:
        reason = "needs Redis: set MLWA_TEST_REDIS_URL to a Redis server"
        if REQUIRE_SERVICES:
            pytest.fail(reason)
        pytest.skip(reason)
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
    WorkerHeartbeat.objects.create(hostname="worker@a", seen_at=timezone.now())
    body = client.get("/readyz").json()
    assert body["checks"]["broker"]["status"] == "ok", body
    assert body["checks"]["broker"]["transport"] == "redis"
    assert body["status"] == "ok"


_PROBE = """
import json, os, sys
import django
django.setup()
from django.test import Client

client = Client(HTTP_HOST="localhost")
def probe(path):
    response = client.get(path)
    return {"status": response.status_code, "body": response.json(), "cache": response["Cache-Control"]}

down = probe("/readyz")
live = probe("/healthz")
os.makedirs(os.path.dirname(os.environ["DATABASE_URL"][len("sqlite:///"):]))  # the database is back
up = probe("/readyz")
print(json.dumps({"down": down, "live": live, "up": up}))
"""


def test_readyz_is_503_only_while_the_database_is_down_and_recovers_without_restart(tmp_path):
    """A real outage: an SQLite database in a folder that does not exist cannot be opened; once the
    folder is there, the same process answers again, without a restart."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mlwa.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'absent' / 'db.sqlite3'}",
        "MLWA_VAR_DIR": str(tmp_path / "var"),
        "CELERY_BROKER_URL": "filesystem://",
        "MLWA_DEBUG": "true",
    }
    run = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])

    assert result["down"]["status"] == 503
    assert result["down"]["body"]["status"] == "down"
    database = result["down"]["body"]["checks"]["database"]
    assert database["status"] == "down"
    assert "OperationalError" in database["error"]
    assert result["down"]["body"]["checks"]["worker"] == {"status": "unknown"}
    assert "no-store" in result["down"]["cache"]
    assert result["live"]["status"] == 200  # the process answers all the same

    assert result["up"]["status"] == 200
    assert result["up"]["body"]["checks"]["database"]["status"] == "ok"
