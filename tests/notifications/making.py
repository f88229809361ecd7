"""Notifications made in bulk for the page, API and bench tests (one WorkloadEvent each, as the
consumer would have made them)."""

from django.utils import timezone

from notifications.models import Notification
from reviews.models import WorkloadEvent


def bulk_notifications(recipient, workload, count: int, *, read: bool = False) -> list[Notification]:
    """`count` notifications of `recipient`, about `workload`, newest last; unread unless `read`."""
    events = WorkloadEvent.objects.bulk_create(
        WorkloadEvent(workload=workload, workload_name=workload.name, kind="SHARED", summary="Shared.")
        for _ in range(count)
    )
    if events[0].pk is None:  # backends that do not return ids from a bulk insert
        events = list(WorkloadEvent.objects.filter(workload=workload, kind="SHARED").order_by("-pk")[:count])[
            ::-1
        ]
    now = timezone.now()
    return Notification.objects.bulk_create(
        Notification(
            recipient=recipient,
            kind=Notification.Kind.SHARED,
            workload_event=event,
            text=f"Notice {index}: <b>{workload.name}</b> shared with you.",
            url=f"/workloads/{workload.pk}/",
            created_at=now,
            read_at=now if read else None,
        )
        for index, event in enumerate(events)
    )
