"""The workload's event log: one row per thing that happened to it, other than answers."""

from typing import Any

from django.contrib.auth.models import User

from reviews.models import Workload, WorkloadEvent


def event_record(
    *, workload: Workload, actor: User | None, kind: WorkloadEvent.Kind, summary: str, **data: Any
) -> WorkloadEvent:
    """Log `kind` on `workload`, by `actor`, in the caller's transaction. `data` must be JSON."""
    return WorkloadEvent.objects.create(
        workload=workload, workload_name=workload.name, actor=actor, kind=kind, summary=summary, data=data
    )
