"""A real Celery worker with Redis as the broker and PostgreSQL (the production shape): a report
asked for through the service goes from queued to done, with its file; the same task delivered
twice leaves one report and one file (issue 6). Needs MLWA_TEST_REDIS_URL and PostgreSQL.

The worker reads a queue of this test's own, so that it takes no other test's tasks, nor another
worker ours; it is started and stopped by this test (by its process id)."""

# This test starts our own program (celery) with fixed arguments.
# ruff: noqa: S603

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection

from reviews.models import Report
from reviews.reports.services import report_enqueue, report_request
from tests.conftest import REQUIRE_SERVICES
from tests.reviews.test_services_answer_versions import on_postgres

REDIS_URL = os.environ.get("MLWA_TEST_REDIS_URL", "")
ROOT = Path(__file__).resolve().parents[3]
CELERY = Path(sys.prefix) / "bin" / "celery"

pytestmark = [pytest.mark.redis]

#: A worker log's line for a rendering done.
RENDERED = re.compile(r"render_report\[[^\]]+\] succeeded in")


@pytest.fixture(autouse=True)
def _needs_redis():
    if not REDIS_URL:
        reason = "needs Redis: set MLWA_TEST_REDIS_URL to a Redis server (e.g. redis://127.0.0.1:6379/15)"
        if REQUIRE_SERVICES:
            pytest.fail(reason)
        pytest.skip(reason)


def _database_url() -> str:
    """The test database, as the worker must reach it."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Workers:
    """Celery workers (one process each) on a queue of this test's own, started and stopped here."""

    def __init__(self, queue: str, env: dict[str, str], log: Path):
        self.queue, self.env, self.log = queue, env, log
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        with open(self.log, "a") as out:
            process = subprocess.Popen(
                [str(CELERY), "-A", "mlwa", "worker", "-c", "1", "-Q", self.queue]
                + ["-n", f"{self.queue}-{len(self.processes)}@%h", "--without-gossip", "--without-mingle"]
                + ["--loglevel", "INFO"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed whole, children included
            )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the worker and its children at once: no warm shutdown, nothing acknowledged."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # warm shutdown: finishes what it has
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.kill(process)

    def output(self) -> str:
        return self.log.read_text()[-4000:]


def _forget(queue: str) -> None:
    """Delete this test's queue, and the unacknowledged messages a killed worker left for it (in
    kombu's shared `unacked` hash), so that no later worker restores them."""
    client = redis.Redis.from_url(REDIS_URL)
    for pattern in (f"{queue}*", f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"):
        for key in client.scan_iter(pattern):
            client.delete(key)
    for tag, value in client.hgetall("unacked").items():
        _message, _exchange, routing_key = json.loads(value)
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.close()


@pytest.fixture
def workers(settings, tmp_path, retire_published_lens_versions):
    """Workers on a queue of their own; the test's side sends to the same queue. A RUNNING report
    goes stale after 2 s without a heartbeat, so that a restarted worker's reaper takes it soon."""
    queue = f"mlwa-test-{uuid.uuid4().hex[:12]}"
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    settings.MLWA_REPORTS_DIR = tmp_path / "reports"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MLWA_REPORTS_DIR": str(settings.MLWA_REPORTS_DIR),
        "MLWA_REPORT_HEARTBEAT_STALE": "2",
    }
    from mlwa.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    started = Workers(queue, env, tmp_path / "worker.log")
    try:
        yield started
    finally:
        app.conf.task_always_eager = eager
        started.stop_all()
        _forget(queue)


def _until_finished(report: Report, workers: Workers, timeout: float = 90) -> list[tuple[str, int]]:
    """Poll the row until it is DONE or FAILED; the (status, progress) pairs seen on the way."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if not seen or seen[-1] != (report.status, report.progress):
            seen.append((report.status, report.progress))
        if report.status in (Report.Status.DONE, Report.Status.FAILED):
            return seen
        time.sleep(0.05)
    pytest.fail(f"report {report.pk} still {report.status} after {timeout} s; workers:\n{workers.output()}")


@on_postgres
def test_a_real_worker_renders_a_report_once_even_if_the_task_comes_twice(workers, shared_workload, settings):
    workers.start()
    report = report_request(
        actor=shared_workload.reader, kind=Report.Kind.LENS_REVIEW, workload=shared_workload.workload
    )
    assert report_enqueue(report)  # the same task, delivered a second time
    seen = _until_finished(report, workers)
    assert report.status == Report.Status.DONE, (report.error, workers.output())
    assert (report.progress, report.attempts) == (100, 1)
    folder = Path(settings.MLWA_REPORTS_DIR)
    assert [p.name for p in folder.iterdir()] == [report.file_path]
    assert (folder / report.file_path).read_bytes().startswith(b"%PDF")
    assert seen[0][0] in (Report.Status.QUEUED, Report.Status.RUNNING)
    progresses = [progress for _status, progress in seen]
    assert progresses == sorted(progresses)  # the bar only moves forward
    # The second delivery finds the report taken or done, and leaves it.
    deadline = time.monotonic() + 30
    # The renderings' lines alone: the worker also delivers the outbox's events (issue 17).
    while time.monotonic() < deadline and len(RENDERED.findall(workers.log.read_text())) < 2:
        time.sleep(0.1)
    assert len(RENDERED.findall(workers.log.read_text())) == 2, workers.output()
    assert Report.objects.count() == 1
    assert [p.name for p in folder.iterdir()] == [report.file_path]


@on_postgres
def test_a_report_whose_worker_was_killed_is_done_by_the_next_worker(workers, shared_workload, settings):
    first = workers.start()
    report = report_request(
        actor=shared_workload.owner, kind=Report.Kind.LENS_REVIEW, workload=shared_workload.workload
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status != Report.Status.QUEUED:
            break
        time.sleep(0.01)
    if report.status != Report.Status.RUNNING:
        pytest.fail(f"the report was never seen rendering ({report.status}); workers:\n{workers.output()}")
    workers.kill(first)  # mid-report: the task is neither finished nor acknowledged
    report.refresh_from_db()
    assert report.status == Report.Status.RUNNING
    time.sleep(2.5)  # its heartbeat goes stale (MLWA_REPORT_HEARTBEAT_STALE=2 in the workers)
    workers.start()  # its reaper, at start, queues the report again
    _until_finished(report, workers)
    assert report.status == Report.Status.DONE, (report.error, workers.output())
    assert report.attempts == 2
    folder = Path(settings.MLWA_REPORTS_DIR)
    assert [p.name for p in folder.iterdir() if not p.name.startswith(".")] == [report.file_path]
