"""The outbox: events written with their change (or not at all), announced on commit, delivered at
once by a task and by the sweep, from a cursor per consumer that never passes an event too young."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from lens.services import lens_publish
from mlwa.events import WORKLOAD_STREAM
from mlwa.models import Event
from notifications.models import Notification, OutboxCursor
from notifications.outbox import Consumer, _consumers, consumer_register, outbox_sweep
from reviews.models import Share, WorkloadEvent
from reviews.services.sharing import share_grant
from tests.factories import imported_lens, lens_document, workload

pytestmark = pytest.mark.django_db


def test_a_share_rolled_back_leaves_no_event_and_tells_nobody(alice, bob, sweep):
    fraud = workload(alice)

    def share_then_fail():
        with transaction.atomic():
            share_grant(workload=fraud, actor=alice, role=Share.Role.READER, user=bob)
            raise RuntimeError("the request failed after the share")

    with pytest.raises(RuntimeError):
        share_then_fail()
    sweep()
    assert not WorkloadEvent.objects.filter(kind=WorkloadEvent.Kind.SHARED).exists()
    assert not Notification.objects.exists()


def test_a_publication_refused_writes_no_event(alice):
    lens = imported_lens(owner=alice, document=lens_document("Fraud lens"))
    before = Event.objects.count()
    with pytest.raises(Exception, match="no draft"):
        lens_publish(lens=lens, label="2", major=True, actor=alice)
    assert Event.objects.count() == before


def test_the_event_is_delivered_by_the_task_queued_when_its_transaction_commits(
    alice, bob, settings, django_capture_on_commit_callbacks
):
    from mlwa.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            share_grant(workload=workload(alice), actor=alice, role=Share.Role.READER, user=bob)
    finally:
        app.conf.task_always_eager = eager
    assert callbacks  # the announcement, once the share committed
    assert Notification.objects.filter(recipient=bob, kind=Notification.Kind.SHARED).count() == 1


def test_a_broker_that_refuses_the_task_loses_no_event_the_sweep_delivers_it(
    alice, bob, settings, django_capture_on_commit_callbacks, caplog, sweep, monkeypatch
):
    from mlwa.celery import app
    from notifications import tasks

    monkeypatch.setattr(tasks, "_broker_down_until", 0.0)  # and back to it after: the broker is up then
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            share_grant(workload=workload(alice), actor=alice, role=Share.Role.READER, user=bob)
        # Refused once: the next change does not wait for the broker again (the sweep has both).
        with django_capture_on_commit_callbacks(execute=True):
            share_grant(workload=workload(alice, "Churn"), actor=alice, role=Share.Role.READER, user=bob)
    finally:
        app.conf.task_always_eager = eager
    assert caplog.text.count("could not queue the delivery") == 1
    assert not Notification.objects.exists()
    sweep()
    assert Notification.objects.filter(recipient=bob).count() == 2


def test_the_cursor_passes_only_events_older_than_the_grace(alice, bob, settings):
    from notifications.consumer import NOTIFICATIONS

    settings.MLWA_OUTBOX_GRACE = 300
    share_grant(workload=workload(alice), actor=alice, role=Share.Role.READER, user=bob)
    young = WorkloadEvent.objects.get(kind=WorkloadEvent.Kind.SHARED)
    outbox_sweep(consumer=NOTIFICATIONS)
    assert Notification.objects.filter(recipient=bob).count() == 1  # delivered, young as it is
    cursor = OutboxCursor.objects.get(consumer="notifications", stream=WORKLOAD_STREAM)
    assert cursor.position < young.pk  # but not passed: an older id may still be on its way

    WorkloadEvent.objects.filter(pk__lte=young.pk).update(at=timezone.now() - timedelta(seconds=301))
    outbox_sweep(consumer=NOTIFICATIONS)
    cursor.refresh_from_db()
    assert cursor.position == young.pk
    assert Notification.objects.filter(recipient=bob).count() == 1


def test_each_consumer_reads_every_event_from_a_cursor_of_its_own(alice, bob, sweep):
    seen: list[tuple[str, int]] = []

    def remember(stream, events):
        seen.extend((stream, event.pk) for event in events)
        return len(events)

    sweep()  # the notifications consumer is done with what there is
    share_grant(workload=workload(alice), actor=alice, role=Share.Role.READER, user=bob)
    shared = WorkloadEvent.objects.get(kind=WorkloadEvent.Kind.SHARED)
    webhook = Consumer(name="test-webhooks", deliver=remember)
    try:
        consumer_register(webhook)
        OutboxCursor.objects.create(consumer="test-webhooks", stream=WORKLOAD_STREAM, position=shared.pk - 1)
        outbox_sweep(consumer=webhook)
        outbox_sweep(consumer=webhook)  # the cursor has passed it: not again
    finally:
        _consumers.pop("test-webhooks")
    assert seen.count((WORKLOAD_STREAM, shared.pk)) == 1
    sweep()
    assert Notification.objects.filter(recipient=bob).count() == 1


def test_a_sweep_reads_past_young_events_in_every_batch(alice, bob, settings):
    from notifications.consumer import NOTIFICATIONS

    settings.MLWA_OUTBOX_GRACE = 300  # every event here is young: the cursor stays, the reading goes on
    for n in range(5):
        share_grant(workload=workload(alice, f"Workload {n}"), actor=alice, role=Share.Role.READER, user=bob)
    outbox_sweep(consumer=NOTIFICATIONS, batch=2)
    assert Notification.objects.filter(recipient=bob).count() == 5
