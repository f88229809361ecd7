"""Health endpoints for probes: /healthz (the process answers) and /readyz (its parts), in JSON.

/healthz touches nothing but the process: a load balancer's or container's liveness probe. It is
answered by HealthzMiddleware before Django validates the Host header (a probe from an orchestrator
sends the pod's IP, which is not in ALLOWED_HOSTS); it builds no URL from the host, so none can be
poisoned. /readyz goes through the whole stack: it says more (latencies, short error texts), so a
probe of it sends an allowed Host (deploy/healthcheck does).

/readyz checks, in at most two queries and about MLWA_READYZ_BROKER_TIMEOUT seconds:
- database: `SELECT 1` on the default connection; a broken connection is closed, so the next
  request opens a new one;
- broker: a connection to CELERY_BROKER_URL (the embedded filesystem broker: a file written in its
  queue folder);
- worker: the newest WorkerHeartbeat (reviews.reports.heartbeat): "ok" within
  MLWA_WORKER_HEARTBEAT_STALE seconds, else "stale"; "missing" when no worker runs.
It answers 503 only when the database is down: without a broker or a worker, reports wait, the
rest of the app works ("degraded", 200). Neither answer is cached, nor touches the session.
"""

import tempfile
import time
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

#: The longest error text shown for a part.
_ERROR_MAX = 200


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _short(exc: Exception, *, secret: str | None = None) -> str:
    """The kind and first line of an error, without `secret` (a password, should a driver quote it)."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    if secret:
        text = text.replace(secret, "***")
    return text[:_ERROR_MAX]


@never_cache
@require_safe
def healthz(request):
    """The process answers: 200 {"status": "ok"}, touching nothing else."""
    return JsonResponse({"status": "ok"})


def check_database() -> dict:
    """`SELECT 1` on the default connection: ok with its latency, or down with the error."""
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        # A connection kept open (CONN_MAX_AGE) broke: close it, so the next request reconnects.
        connection.close()
        return {"status": "down", "error": _short(exc, secret=connection.settings_dict.get("PASSWORD"))}
    return {"status": "ok", "latency_ms": _ms(started)}


def check_broker() -> dict:
    """A fresh connection to the broker within MLWA_READYZ_BROKER_TIMEOUT (mlwa.celery's
    broker_connection, which report_enqueue uses too); the embedded filesystem broker is up when
    its queue folder takes a file."""
    url = settings.CELERY_BROKER_URL
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}
    started = time.perf_counter()
    if url.startswith("filesystem://"):
        folder = options.get("data_folder_in", "")
        try:
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".readyz-"):
                pass
        except OSError as exc:
            return {"status": "down", "error": _short(exc)}
        return {"status": "ok", "latency_ms": _ms(started), "transport": "filesystem"}

    from mlwa.celery import broker_connection

    timeout = settings.MLWA_READYZ_BROKER_TIMEOUT
    transport = urlsplit(url).scheme
    try:
        # The transport's own timeouts, shortened: a probe must answer faster than a report request waits.
        shortened = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
        with broker_connection(timeout=timeout, **shortened) as conn:
            conn.default_channel  # noqa: B018 - a channel: Redis's answers a PING as it opens
    except Exception as exc:  # noqa: BLE001 - whatever the transport raises, the broker is down
        return {"status": "down", "error": _short(exc, secret=urlsplit(url).password)}
    return {"status": "ok", "latency_ms": _ms(started), "transport": transport}


def check_worker() -> dict:
    """The newest worker heartbeat, in one query: ok, stale (its worker died or hangs) or missing."""
    # By name, not import: the project's modules import nothing of an app's.
    WorkerHeartbeat = apps.get_model("reviews", "WorkerHeartbeat")  # noqa: N806 - a model class

    try:
        newest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("hostname", "seen_at").first()
    except DatabaseError as exc:
        return {"status": "down", "error": _short(exc)}
    if newest is None:
        return {"status": "missing"}
    hostname, seen_at = newest
    age = round((timezone.now() - seen_at).total_seconds(), 1)
    fresh = age <= settings.MLWA_WORKER_HEARTBEAT_STALE
    return {"status": "ok" if fresh else "stale", "hostname": hostname, "seen_seconds_ago": age}


@never_cache
@require_safe
def readyz(request):
    """The state of each part; 503 only when the database is down, "degraded" when another part is."""
    database = check_database()
    checks = {
        "database": database,
        "broker": check_broker(),
        # Without the database, the heartbeats cannot be read: no second wait on it.
        "worker": check_worker() if database["status"] == "ok" else {"status": "unknown"},
    }
    if database["status"] != "ok":
        status = "down"
    elif all(check["status"] == "ok" for check in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return JsonResponse({"status": status, "checks": checks}, status=503 if status == "down" else 200)


class HealthzMiddleware:
    """Answers /healthz before anything validates the Host (CommonMiddleware, CSRF, the SSL
    redirect all call request.get_host()), reads a session or a body: a liveness probe from an
    orchestrator comes with the pod's IP as its Host. Only /healthz: every other path, /readyz
    included, is validated as usual."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)
