"""A running MLWA for a load or fault run (PostgreSQL, Redis, gunicorn), and one load run against
it: prepare the people and workloads, run the clients, read the answers and the audit trail back
(plain SQL) and check that nothing was lost.
"""

# Only our own programs are started.
# ruff: noqa: S603

import asyncio
import contextlib
import json
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

from bench.load import servers
from bench.load.check import Save, median, nothing_lost, percentile
from bench.load.client import Log, run_clients
from bench.load.servers import ROOT


class Stack(contextlib.ExitStack):
    """PostgreSQL (a private cluster, or the scratch database `database_url` names), a private Redis
    (where redis-server is installed) and gunicorn (deploy/web), stopped and removed on exit."""

    def __init__(
        self,
        *,
        database_url: str | None = None,
        web_workers: int | None = None,
        redis_append_only: bool = False,
    ):
        super().__init__()
        self.redis_append_only = redis_append_only
        self.database_url = database_url
        self.web_workers = web_workers
        self.postgres: servers.Postgres | None = None
        self.redis: servers.Process | None = None
        self.redis_port = servers.free_port()
        self.web: servers.Process | None = None
        self.web_port = servers.free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="mlwa-load."))
        self.callback(shutil.rmtree, self.folder, ignore_errors=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def __enter__(self) -> "Stack":
        super().__enter__()
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def _start(self) -> None:
        if self.database_url is None:
            self.postgres = servers.Postgres()
            self.callback(self.postgres.remove)
            self.postgres.create()
            self.database_url = self.postgres.url()
        redis_url = None
        if shutil.which("redis-server"):
            self.start_redis()
            self.callback(lambda: self.redis and self.redis.stop())
            redis_url = f"redis://127.0.0.1:{self.redis_port}"
        self.env = servers.app_env(
            database_url=self.database_url,
            redis_url=redis_url,
            folder=self.folder,
            MLWA_REPORTS_DIR=str(self.folder / "reports"),
        )
        servers.migrate(self.env)
        prepare(self.env, "--static")  # the pages and reports need the static files' manifest
        self.web = servers.web(self.env, self.folder, self.web_port, self.web_workers)
        self.callback(self.web.stop)
        servers.wait_for_http(f"{self.base}/healthz", self.web)

    def start_redis(self) -> None:
        self.redis = servers.redis_server(self.folder, self.redis_port, append_only=self.redis_append_only)

    def tails(self) -> str:
        parts = [f"--- {p.name}:\n{p.tail()}" for p in (self.web, self.redis) if p is not None]
        if self.postgres:
            parts.append(f"--- postgresql:\n{self.postgres.tail()}")
        return "\n".join(parts)


def prepare(env: dict[str, str], *options: str) -> dict | None:
    """bench.load.prepare in a process of its own (Django, on the stack's database) with `options`;
    what it prints, as JSON."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.load.prepare", *options],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise servers.ServerError(f"prepare failed: {result.stderr[-3000:]}")
    return json.loads(result.stdout) if result.stdout.strip() else None


ANSWERS_SQL = """
SELECT a.id, w.id, l.alias, q.question_id, a.version,
       a.selected_choices, a.not_applicable_choices, a.is_applicable, a.reason, a.notes
FROM reviews_answer a
JOIN reviews_lensreview r ON r.id = a.lens_review_id
JOIN reviews_workload w ON w.id = r.workload_id
JOIN lens_lens l ON l.id = r.lens_id
JOIN lens_question q ON q.id = a.question_id
WHERE w.id = ANY(%s)
"""
AUDIT_SQL = """
SELECT answer_id, kind, version, after FROM reviews_answerchange WHERE answer_id = ANY(%s) AND id > %s
"""


def read_answers(database_url: str, workloads: list[int]) -> tuple[dict, dict[int, tuple]]:
    """The test's answers as stored, by key, and the keys by answer id."""
    with contextlib.closing(psycopg2.connect(database_url)) as connection, connection.cursor() as cursor:
        cursor.execute(ANSWERS_SQL, (workloads,))
        rows = cursor.fetchall()
    stored, keys = {}, {}
    for (
        answer_id,
        workload,
        alias,
        question,
        version,
        selected,
        not_applicable,
        applicable,
        reason,
        notes,
    ) in rows:
        key = (workload, alias, question)
        keys[answer_id] = key
        fields = {
            "selected_choices": selected,
            "not_applicable_choices": not_applicable,
            "is_applicable": applicable,
            "reason": reason,
            "notes": notes,
        }
        stored[key] = Save(key, version, fields)
    return stored, keys


def audit_watermark(database_url: str) -> int:
    """The last audit row's id: rows after it were written by the run."""
    with contextlib.closing(psycopg2.connect(database_url)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM reviews_answerchange")
        return cursor.fetchone()[0]


def read_audit(database_url: str, keys: dict[int, tuple], watermark: int) -> list[Save]:
    with contextlib.closing(psycopg2.connect(database_url)) as connection, connection.cursor() as cursor:
        cursor.execute(AUDIT_SQL, (list(keys), watermark))
        return [
            Save(keys[answer], version, after, kind) for answer, kind, version, after in cursor.fetchall()
        ]


def load_run(stack: Stack, *, clients: int, seconds: float, during=None) -> dict:
    """Prepare, run `clients` for `seconds` (with the coroutine `during(stack, log)` beside them, if
    given: the fault runs' restarts), then check. The figures, as a dict."""
    setup = prepare(stack.env, "--clients", str(clients))
    workloads = sorted({spec["workload"] for spec in setup["clients"]})
    initial, _keys = read_answers(stack.database_url, workloads)
    watermark = audit_watermark(stack.database_url)
    log = Log()
    cpu_at_start = []
    extra = []

    def on_start() -> None:
        """The clients start saving: the CPU counters, and `during` beside them."""
        cpu_at_start.extend((_cpu(stack), _postgres_cpu(stack), time.process_time()))
        if during:
            extra.append(asyncio.ensure_future(during(stack, log)))

    async def both() -> float:
        wall = await run_clients(base=stack.base, setup=setup, seconds=seconds, log=log, on_start=on_start)
        for task in extra:
            await task
        return wall

    wall = asyncio.run(both())
    web_cpu, pg_cpu, own_cpu = (
        now - then
        for now, then in zip(
            (_cpu(stack), _postgres_cpu(stack), time.process_time()), cpu_at_start, strict=True
        )
    )
    stored, keys = read_answers(stack.database_url, workloads)
    audit = read_audit(stack.database_url, keys, watermark)
    verdict = nothing_lost(
        accepted=log.accepted, failed=log.failed, initial=initial, stored=stored, audit=audit
    )
    latencies = [latency * 1000 for latency in log.latencies]
    return {
        "clients": clients,
        "seconds": round(wall, 2),
        "accepted": len(log.accepted),
        "saves_per_s": round(len(log.accepted) / wall, 1),
        "median_ms": round(median(latencies), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "errors": sum(log.errors.values()),
        "error_kinds": log.errors,
        "stale": log.stale,
        "reads": log.reads,
        "cpu": {
            "client": round(own_cpu / wall, 2),
            "web": round(web_cpu / wall, 2),
            "postgres": round(pg_cpu / wall, 2) if stack.postgres else None,
        },
        "check": verdict.summary(),
        "ok": verdict.ok,
        "log": log,
    }


def _cpu(stack: Stack) -> float:
    return servers.cpu_seconds(stack.web.pid) if stack.web else 0.0


def _postgres_cpu(stack: Stack) -> float:
    pid = stack.postgres.pid() if stack.postgres else None
    return servers.cpu_seconds(pid) if pid else 0.0


@contextlib.contextmanager
def scratch_database(server_url: str, purpose: str = "load"):
    """A new database beside the one `server_url` names, dropped after (the load test's, or `make
    bench`'s): the URL of `<name>_<purpose>_<random>`. The one `server_url` names is never written."""
    parts = urlsplit(server_url)
    name = f"{parts.path.lstrip('/') or 'mlwa'}_{purpose}_{secrets.token_hex(3)}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with contextlib.closing(psycopg2.connect(admin)) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with contextlib.closing(psycopg2.connect(admin)) as connection:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
