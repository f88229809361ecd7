"""Notification benchmarks (issue 17): the notification list's queries for 10 and for 1,000
notifications (the same number, or the page grows with the data), and the notifications consumer
turning 1,000 events into notifications, timed as the sweep runs it.

The events are those the services write, with their data as they write it: shares with a person
and with a team of five, improvement items handed to a new owner, reports ready; written in bulk
(the services' cost is not what is measured here), then delivered in one sweep."""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from bench.reviews_bench import _page
from bench.workloads import bulk_workloads
from mlwa.models import Event
from notifications.consumer import NOTIFICATIONS
from notifications.models import Notification
from notifications.outbox import outbox_sweep
from reviews.models import Report, WorkloadEvent

EVENTS = 1000
CONSUMER_GOAL_S = 10
PEOPLE, TEAM = 50, 5


def _list_queries(reader, workload, count: int) -> int:
    """The queries of the notification list's first page, `reader` having `count` notifications."""
    Notification.objects.filter(recipient=reader).delete()
    events = WorkloadEvent.objects.bulk_create(
        WorkloadEvent(workload=workload, workload_name=workload.name, kind="SHARED", summary="Shared.")
        for _ in range(count)
    )
    if events[0].pk is None:
        events = list(WorkloadEvent.objects.filter(workload=workload, kind="SHARED").order_by("-pk")[:count])
    Notification.objects.bulk_create(
        (
            Notification(
                recipient=reader,
                kind=Notification.Kind.SHARED,
                workload_event=event,
                text=f"Shared {index}.",
                url="/",
                created_at=event.at,
            )
            for index, event in enumerate(events)
        ),
        batch_size=500,
    )
    client = Client(SERVER_NAME="localhost")
    client.force_login(reader)
    _ms, queries = _page(client, reverse("notifications:list"))
    return queries


def _events(owner, people: list, team: Group, workloads: list) -> None:
    """EVENTS events as the services write them, spread over `workloads`: shares with a person (half),
    shares with the team (a fifth), improvement items handed over (a fifth), reports ready (a tenth)."""
    rows, ready = [], []
    for n in range(EVENTS):
        workload, person = workloads[n % len(workloads)], people[n % len(people)]
        base = {"workload": workload, "workload_name": workload.name, "actor": owner}
        kind = n % 10
        if kind < 5:
            data = {"grantee": f"user {person.username}", "role": "READER", "grantee_user": person.pk}
            rows.append(WorkloadEvent(kind="SHARED", summary="Shared.", data=data, **base))
        elif kind < 7:
            data = {"grantee": f"group {team.name}", "role": "CONTRIBUTOR", "grantee_group": team.pk}
            rows.append(WorkloadEvent(kind="SHARED", summary="Shared.", data=data, **base))
        elif kind < 9:
            changes = {"owner": {"before": None, "after": person.username}}
            data = {"lens": "ml-lens-2021", "question": "MLOPS01", "version": 1, "changes": changes}
            rows.append(WorkloadEvent(kind="IMPROVEMENT_TRACKED", summary="Tracked.", data=data, **base))
        else:
            report = Report.objects.create(
                kind=Report.Kind.LENS_REVIEW, requested_by=person, workload=workload
            )
            data = {"report": report.pk, "requested_by": person.pk, "report_kind": "Lens review"}
            ready.append(
                Event(kind=Event.Kind.REPORT_READY, data=data | {"workload": workload.pk, "format": "PDF"})
            )
    WorkloadEvent.objects.bulk_create(rows, batch_size=500)
    Event.objects.bulk_create(ready, batch_size=500)


def run():
    user_model = get_user_model()
    owner = user_model.objects.create_user("notify-bench-owner")
    reader = user_model.objects.create_user("notify-bench-reader")
    (workload,) = bulk_workloads(owner, 1, prefix="Notified ")
    by_count = {count: _list_queries(reader, workload, count) for count in (10, EVENTS)}
    yield ("notification list queries, 10 notifications", str(by_count[10]), None, None)
    yield (
        f"notification list queries, {EVENTS:,} notifications",
        str(by_count[EVENTS]),
        f"= {by_count[10]} (10's)",
        by_count[EVENTS] == by_count[10],
    )

    outbox_sweep(consumer=NOTIFICATIONS)  # what there is already (the built-in lens's publication)
    people = [user_model.objects.create_user(f"notify-bench-{n}") for n in range(PEOPLE)]
    team = Group.objects.create(name="notify-bench-team")
    team.user_set.add(*people[:TEAM])
    _events(owner, people, team, bulk_workloads(owner, 20, prefix="Shared "))
    before = Notification.objects.count()
    started = time.perf_counter()
    outbox_sweep(consumer=NOTIFICATIONS)
    seconds = time.perf_counter() - started
    made = Notification.objects.count() - before
    yield (
        f"notifications consumer, {EVENTS:,} events -> {made:,} notifications",
        f"{seconds:.2f} s",
        f"< {CONSUMER_GOAL_S} s",
        seconds < CONSUMER_GOAL_S and made >= EVENTS,
    )
