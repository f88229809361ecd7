"""The outbox's Celery tasks: deliver announced events at once, and sweep for any missed.

Thin and repeatable, as the reports' tasks: the events and the cursors are the truth, and every
consumer tolerates seeing an event twice. The sweep runs from Celery beat every MLWA_OUTBOX_SWEEP_EVERY
seconds (production) and at each worker's start (the embedded default has no beat: its worker
sweeps when it starts, and the announcements deliver the rest).
"""

import logging
import time

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections

# Registers the notifications consumer (the later email and webhook consumers register theirs).
import notifications.consumer  # noqa: F401
from notifications.outbox import consumers, outbox_deliver, outbox_sweep

log = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    name="notifications.tasks.deliver_events",
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    max_retries=3,
)
def deliver_events(stream: str, pks: list[int]) -> int:
    """Deliver events `pks` of `stream` to every consumer: safe to deliver twice."""
    return sum(outbox_deliver(consumer=consumer, stream=stream, pks=pks) for consumer in consumers())


@shared_task(name="notifications.tasks.sweep_outbox", acks_late=False)
def sweep_outbox() -> int:
    """Deliver to every consumer the events after its cursors (what an announcement missed)."""
    return sum(outbox_sweep(consumer=consumer) for consumer in consumers())


#: Until when (time.monotonic()) this process leaves the broker alone after it refused a delivery:
#: while the broker is down, a change that writes several events waits for it once, not for each.
_broker_down_until = 0.0


def deliver_on_commit(sender: object = None, *, stream: str, pk: int, **kwargs: object) -> None:
    """Receiver of `mlwa.events.event_committed`: queue the event's delivery. Never raises (the
    change it follows is committed): a broker that does not take the task within
    MLWA_OUTBOX_QUEUE_TIMEOUT seconds is logged, left alone for MLWA_OUTBOX_SWEEP_EVERY seconds,
    and the sweep delivers the event later."""
    global _broker_down_until
    from mlwa.celery import app, broker_connection

    try:
        if app.conf.task_always_eager:  # one-process setups: delivered here, no broker
            deliver_events.apply(args=[stream, [pk]])
            return
        if time.monotonic() < _broker_down_until:
            return  # the broker refused a moment ago: the sweep delivers this one
        with broker_connection(timeout=settings.MLWA_OUTBOX_QUEUE_TIMEOUT) as connection:
            deliver_events.apply_async(
                args=[stream, [pk]],
                connection=connection,
                queue=settings.CELERY_TASK_DEFAULT_QUEUE,
                retry=False,
            )
    except Exception:  # noqa: BLE001 - whatever went wrong, the sweep catches up
        _broker_down_until = time.monotonic() + settings.MLWA_OUTBOX_SWEEP_EVERY
        log.warning("could not queue the delivery of %s event %s; the sweep will", stream, pk, exc_info=True)


@worker_ready.connect
def _sweep_when_a_worker_starts(sender: object = None, **kwargs: object) -> None:
    """A worker that starts delivers what was written while no worker ran (or the broker was down)."""
    try:
        sweep_outbox()
    except DatabaseError:
        log.warning("could not sweep the outbox at worker start", exc_info=True)
    finally:
        connections.close_all()  # the main process forks the children: leave them no connection
