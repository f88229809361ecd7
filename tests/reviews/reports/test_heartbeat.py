"""The worker heartbeat (reviews.reports.heartbeat), with a real Celery worker: /readyz's worker goes
"ok" while it runs, its row refreshed every beat (a day-old row of another pruned), and "missing"
once it has stopped; a report task it runs logs JSON lines carrying the request id it was sent under
(mlwa.logs). And the writer outlives a database outage: a real one, of an SQLite database whose
folder is moved away and back.

The worker uses the embedded filesystem broker in this test's own folder, so that it takes no other
test's tasks; it is started and stopped here, by its process id."""

# These tests start our own programs (celery, python) with fixed arguments.
# ruff: noqa: S603

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from mlwa import logs
from reviews.models.reports import Report, WorkerHeartbeat
from reviews.reports.services import report_enqueue
from tests.reviews.reports.test_worker_redis import _database_url

ROOT = Path(__file__).resolve().parents[3]
CELERY = Path(sys.prefix) / "bin" / "celery"


def _broker_options(var: Path) -> dict:
    """The filesystem broker's folders under `var`, as mlwa.settings makes them for MLWA_VAR_DIR."""
    broker = var / "broker"
    return {
        "data_folder_in": str(broker / "queue"),
        "data_folder_out": str(broker / "queue"),
        "processed_folder": str(broker / "processed"),
        "control_folder": str(broker / "control"),
        "store_processed": False,
    }


def _wait(condition, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {timeout} s; worker log:\n{log.read_text()[-4000:]}")


def _json_lines(log: Path) -> list[dict]:
    lines = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


@pytest.mark.postgres
def test_a_running_worker_beats_and_its_task_logs_carry_the_request_id(
    client, settings, tmp_path, retire_published_lens_versions
):
    var = tmp_path / "var"
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = _broker_options(var)
    settings.CELERY_TASK_DEFAULT_QUEUE = "celery"
    settings.MLWA_WORKER_HEARTBEAT_STALE = 10
    for folder in ("data_folder_in", "processed_folder", "control_folder"):
        Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS[folder]).mkdir(parents=True, exist_ok=True)
    name = f"heartbeat-{uuid.uuid4().hex[:8]}@test"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_TASK_DEFAULT_QUEUE": "celery",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MLWA_VAR_DIR": str(var),
        "MLWA_REPORTS_DIR": str(tmp_path / "reports"),
        "MLWA_WORKER_HEARTBEAT_EVERY": "1",
        "MLWA_LOG_FORMAT": "json",
        "MLWA_LOG_LEVEL": "INFO",
    }
    log = tmp_path / "worker.log"
    from mlwa.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    with log.open("w") as out:
        worker = subprocess.Popen(
            [str(CELERY), "-A", "mlwa", "worker", "-c", "1", "-n", name]
            + ["--without-gossip", "--without-mingle", "--loglevel", "INFO"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        assert client.get("/readyz").json()["checks"]["worker"] == {"status": "missing"}
        # A worker gone for good (a replaced container) left its row two days ago.
        WorkerHeartbeat.objects.create(hostname="gone@old", seen_at=timezone.now() - timedelta(days=2))
        assert client.get("/readyz").json()["checks"]["worker"]["status"] == "stale"
        checks = _wait(
            lambda: (body := client.get("/readyz").json())["checks"]["worker"]["status"] == "ok" and body,
            60,
            "/readyz's worker ok",
            log,
        )
        assert checks["checks"]["worker"]["hostname"] == name
        assert checks["status"] == "ok", checks
        _wait(lambda: not WorkerHeartbeat.objects.filter(hostname="gone@old").exists(), 10, "pruned", log)
        first = WorkerHeartbeat.objects.get(hostname=name).seen_at
        _wait(lambda: WorkerHeartbeat.objects.get(hostname=name).seen_at > first, 10, "a second beat", log)

        # A report task sent under a request id, through report_enqueue's own broker connection.
        request_id = f"test-{uuid.uuid4().hex[:12]}"
        token = logs.current_request_id.set(request_id)
        try:
            assert report_enqueue(Report(pk=987_654_321))
        finally:
            logs.current_request_id.reset(token)
        line = _wait(
            lambda: next(
                (line for line in _json_lines(log) if "987654321" in line["message"] and line["task_id"]),
                None,
            ),
            30,
            "the task's log line",
            log,
        )
        assert line["request_id"] == request_id
        assert line["logger"] == "reviews.reports.tasks"
        # The worker's own lines are JSON too, outside any task or request.
        ready = [line for line in _json_lines(log) if line["message"].endswith(" ready.")]
        assert ready, log.read_text()[-2000:]
        assert ready[0]["request_id"] is None

        worker.send_signal(signal.SIGTERM)  # a warm shutdown, as docker stop does
        worker.wait(timeout=30)
        assert worker.returncode == 0, log.read_text()[-2000:]
        assert not WorkerHeartbeat.objects.filter(hostname=name).exists()
        body = client.get("/readyz").json()
        assert body["checks"]["worker"] == {"status": "missing"}
        assert body["status"] == "degraded"
    finally:
        app.conf.task_always_eager = eager
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


_OUTAGE = """
import os, shutil, sys, time
import django
django.setup()
from django.core.management import call_command
from django.db import connections
from reviews.models.reports import WorkerHeartbeat
from reviews.reports.heartbeat import HeartbeatWriter

call_command("migrate", verbosity=0)
connections.close_all()
folder = sys.argv[1]

def seen():
    try:
        return WorkerHeartbeat.objects.filter(hostname="w@outage").values_list("seen_at", flat=True).first()
    finally:
        connections.close_all()

writer = HeartbeatWriter("w@outage", 0.2)
writer.start()
time.sleep(1)
before = seen()
os.rename(folder, folder + ".away")  # the database is gone
time.sleep(1.5)
os.rename(folder + ".away", folder)  # and back
time.sleep(1.5)
after = seen()
alive = writer._thread.is_alive()
writer.stop()
print("RESULT", before is not None, after is not None and after > before, alive, seen() is None)
"""


def test_the_writer_outlives_a_database_outage(tmp_path):
    folder = tmp_path / "db"
    folder.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mlwa.settings",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "MLWA_VAR_DIR": str(tmp_path / "var"),
        "CELERY_BROKER_URL": "filesystem://",
        "MLWA_DEBUG": "true",
        "MLWA_LOG_FORMAT": "text",
    }
    run = subprocess.run(
        [sys.executable, "-c", _OUTAGE, str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    result = next(line for line in run.stdout.splitlines() if line.startswith("RESULT"))
    # beat before; beat again after the outage; the thread alive; its row removed at stop
    assert result == "RESULT True True True True", run.stderr[-3000:]
    assert "worker heartbeat of w@outage not written" in run.stderr
