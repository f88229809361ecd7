"""A running worker says it is alive: its WorkerHeartbeat row, refreshed every few seconds.

/readyz (mlwa.health) reads the newest row to tell whether reports will be rendered. The writer is a
daemon thread of the worker's main process, started when the worker is ready and stopped, its row
deleted, at its (warm) shutdown; reviews.reports.tasks connects both to Celery's signals. A thread,
not the worker's event loop: a database that hangs holds up the heartbeat, never the worker.

Each beat is one upsert on a connection of the thread's own, closed after it: a database outage
costs a logged warning and the next beat tries again on a fresh connection, and the worker's pool
processes, forked from the main process, inherit no open connection of it. A worker killed outright
leaves its row, which goes stale; rows unseen for a day (workers gone for good, such as replaced
containers) are deleted when a worker starts.
"""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

from reviews.models.reports import WorkerHeartbeat

log = logging.getLogger(__name__)

#: A heartbeat older than this is a worker gone for good: deleted when a worker starts.
FORGOTTEN_AFTER = timedelta(days=1)


def heartbeat_write(*, hostname: str) -> None:
    """Insert or refresh `hostname`'s heartbeat, now: one statement."""
    WorkerHeartbeat.objects.bulk_create(
        [WorkerHeartbeat(hostname=hostname, seen_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["hostname"],
        update_fields=["seen_at"],
    )


def heartbeats_prune() -> int:
    """Delete the heartbeats of workers unseen for FORGOTTEN_AFTER; how many."""
    deleted, _ = WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - FORGOTTEN_AFTER).delete()
    return deleted


def heartbeat_remove(*, hostname: str) -> None:
    """Delete `hostname`'s heartbeat: the worker is gone, and says so."""
    WorkerHeartbeat.objects.filter(hostname=hostname).delete()


class HeartbeatWriter:
    """Beats for `hostname` every `every` seconds on a daemon thread until stopped."""

    def __init__(self, hostname: str, every: float):
        self.hostname = hostname
        self.every = every
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mlwa-worker-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def beat(self, *, prune: bool = False) -> bool:
        """One beat (the first also prunes); False (logged) when the database refused it."""
        try:
            heartbeat_write(hostname=self.hostname)
            if prune:
                heartbeats_prune()
        except DatabaseError as exc:
            log.warning(
                "worker heartbeat of %s not written (%s); again in %s s", self.hostname, exc, self.every
            )
            return False
        finally:
            connections.close_all()  # this thread's connections only
        return True

    def _run(self) -> None:
        pruned = False
        while not self._stopping.is_set():
            try:
                pruned = self.beat(prune=not pruned) or pruned
            except Exception:  # noqa: BLE001 - the heartbeat must outlive any one failure
                log.exception("worker heartbeat of %s failed", self.hostname)
            self._stopping.wait(self.every)

    def stop(self, timeout: float = 5) -> None:
        """Stop beating and delete the row (best effort: the database may be what is down)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        try:
            heartbeat_remove(hostname=self.hostname)
        except DatabaseError:
            log.warning("worker heartbeat of %s not removed: it will go stale", self.hostname)
        finally:
            connections.close_all()


#: The writer of this process, while its worker runs.
_writer: HeartbeatWriter | None = None


def heartbeat_start(*, hostname: str) -> None:
    """Start beating for this worker (celery.signals.worker_ready), every MLWA_WORKER_HEARTBEAT_EVERY s."""
    global _writer  # noqa: PLW0603 - one writer per worker process
    if _writer is not None:
        return
    _writer = HeartbeatWriter(hostname, float(settings.MLWA_WORKER_HEARTBEAT_EVERY))
    _writer.start()
    log.info("worker heartbeat of %s every %s s", hostname, _writer.every)


def heartbeat_stop() -> None:
    """Stop beating and remove this worker's row (celery.signals.worker_shutdown)."""
    global _writer  # noqa: PLW0603
    writer, _writer = _writer, None
    if writer is not None:
        writer.stop()
