"""The workload's event log: one row per thing that happened to it, other than answers."""

from reviews.models import Workload, WorkloadEvent


def event_record(
    *, workload: Workload, actor, kind: WorkloadEvent.Kind, summary: str, **data
) -> WorkloadEvent:
    """Log `kind` on `workload`, by `actor`, in the caller's transaction. `data` must be JSON."""
    return WorkloadEvent.objects.create(
        workload=workload, workload_name=workload.name, actor=actor, kind=kind, summary=summary, data=data
    )
