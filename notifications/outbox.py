"""The outbox's read side: its streams, the consumers that read them, and their cursors.

Two streams: "workload" (reviews.WorkloadEvent, the workload log) and "instance" (mlwa.Event).
A consumer is a name and a function that turns a batch of one stream's events into whatever it
makes (notifications here; later email and webhooks), idempotently: it may see an event twice.

Events reach a consumer twice over, by design:

- at once: each event is announced when its transaction commits (mlwa.events), and a task
  delivers it (`outbox_deliver`);
- by the sweep (`outbox_sweep`, periodic, and at each worker's start): every event after the
  consumer's cursor, so that nothing is lost when the broker was down or a worker died.

The cursor moves only over events older than MLWA_OUTBOX_GRACE seconds: ids are handed out when
a row is written, not when its transaction commits, so a younger event of a lower id may still be
on its way; the sweep reads the young ones again until they are old enough to pass.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mlwa.events import INSTANCE_STREAM, WORKLOAD_STREAM
from notifications.models import OutboxCursor

#: How many events a sweep reads at a time, each batch in a transaction of its own.
SWEEP_BATCH = 500


def stream_model(stream: str) -> Any:
    """The model whose rows are `stream`'s events (a KeyError for an unknown stream): each has
    `pk`, `at` and `actor`."""
    from mlwa.models import Event
    from reviews.models import WorkloadEvent

    return {WORKLOAD_STREAM: WorkloadEvent, INSTANCE_STREAM: Event}[stream]


STREAMS = (WORKLOAD_STREAM, INSTANCE_STREAM)


@dataclass(frozen=True)
class Consumer:
    """A reader of the outbox: `deliver(stream, events)` handles events of `stream` (in id order,
    maybe seen before) inside the caller's transaction, and says how many things it made."""

    name: str
    deliver: Callable[[str, list[Any]], int]


_consumers: dict[str, Consumer] = {}


def consumer_register(consumer: Consumer) -> Consumer:
    """Add `consumer` to those every event is delivered to (once per name)."""
    _consumers[consumer.name] = consumer
    return consumer


def consumers() -> Iterable[Consumer]:
    """The registered consumers."""
    return tuple(_consumers.values())


def outbox_deliver(*, consumer: Consumer, stream: str, pks: list[int]) -> int:
    """Deliver the events `pks` of `stream` to `consumer` now, in one transaction (the fast path;
    the cursor is the sweep's). Events that do not exist (rolled back, deleted) are passed over."""
    events = list(stream_model(stream).objects.select_related("actor").filter(pk__in=pks).order_by("pk"))
    if not events:
        return 0
    with transaction.atomic():
        return consumer.deliver(stream, events)


def outbox_sweep(*, consumer: Consumer, batch: int = SWEEP_BATCH) -> int:
    """Deliver to `consumer` every event of every stream after its cursor, and move the cursor over
    those old enough (MLWA_OUTBOX_GRACE). How many things it made."""
    return sum(_sweep_stream(consumer, stream, batch) for stream in STREAMS)


def _sweep_stream(consumer: Consumer, stream: str, batch: int) -> int:
    model = stream_model(stream)
    settled_before = timezone.now() - timedelta(seconds=settings.MLWA_OUTBOX_GRACE)
    made, read_up_to, blocked = 0, 0, False
    while True:
        with transaction.atomic():
            # The row lock makes two sweeps of one consumer take turns rather than both deliver.
            cursor = _cursor(consumer.name, stream)
            read_up_to = max(read_up_to, cursor.position)
            events = list(
                model.objects.select_related("actor").filter(pk__gt=read_up_to).order_by("pk")[:batch]
            )
            if not events:
                return made
            made += consumer.deliver(stream, events)
            for event in events:
                # The cursor passes events old enough, up to the first one too young: an older id
                # may still commit before it. The young ones and those after are read all the same.
                blocked = blocked or event.at > settled_before
                if blocked:
                    break
                cursor.position = event.pk
            cursor.save(update_fields=["position", "updated_at"])
            read_up_to = events[-1].pk
        if len(events) < batch:
            return made


def _cursor(name: str, stream: str) -> OutboxCursor:
    cursor = OutboxCursor.objects.select_for_update().filter(consumer=name, stream=stream).first()
    if cursor is None:
        # A consumer's first sweep starts from the first event: the migration that adds a consumer
        # places its cursor (at the end of the history it should not replay).
        cursor = OutboxCursor.objects.create(consumer=name, stream=stream, position=0)
    return cursor
