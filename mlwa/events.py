"""The outbox's write side: an event is written in the transaction of the change it records, and
announced once that transaction commits, so that its consumers (notifications.outbox) deliver it
at once; their periodic sweep finds any that an announcement missed (a broker down, a crash).

Writers know no consumer: they record and announce; a consumer connects to `event_committed`.
"""

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.dispatch import Signal

from mlwa.models import Event

#: Sent once the transaction that wrote an event has committed, with `stream` (the outbox stream's
#: name: "workload" for reviews.WorkloadEvent, "instance" for mlwa.Event) and `pk`. A receiver must
#: not raise: the change is committed already, and the sweep delivers what a receiver could not.
event_committed = Signal()

WORKLOAD_STREAM = "workload"
INSTANCE_STREAM = "instance"


def event_announce(*, stream: str, pk: int) -> None:
    """Tell the consumers about event `pk` of `stream` once the caller's transaction commits (at
    once outside a transaction); nothing if it rolls back."""
    transaction.on_commit(lambda: event_committed.send(sender=Event, stream=stream, pk=pk))


def outbox_record(*, kind: Event.Kind, actor: User | None = None, **data: Any) -> Event:
    """Write an event that belongs to no one workload, in the caller's transaction, and announce it
    on commit. `data` must be JSON: the subjects' ids and the words a reader needs."""
    event = Event.objects.create(kind=kind, actor=actor, data=data)
    event_announce(stream=INSTANCE_STREAM, pk=event.pk)
    return event
