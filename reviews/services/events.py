"""The workload's event log: one row per thing that happened to it, other than answers.

The log is also the outbox's "workload" stream (mlwa.events): each event is announced once its
transaction commits, for the consumers (notifications in the app) to deliver."""

from typing import Any

from django.contrib.auth.models import User

from mlwa.events import WORKLOAD_STREAM, event_announce
from reviews.models import Workload, WorkloadEvent


def event_record(
    *, workload: Workload, actor: User | None, kind: WorkloadEvent.Kind, summary: str, **data: Any
) -> WorkloadEvent:
    """Log `kind` on `workload`, by `actor`, in the caller's transaction. `data` must be JSON."""
    event = WorkloadEvent.objects.create(
        workload=workload, workload_name=workload.name, actor=actor, kind=kind, summary=summary, data=data
    )
    event_announce(stream=WORKLOAD_STREAM, pk=event.pk)
    return event
