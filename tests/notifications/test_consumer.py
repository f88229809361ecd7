"""The notifications consumer: who is told what, once, and never of what they did themselves."""

import pytest
from django.contrib.auth.models import Group

from lens.models import BUILTIN_ALIAS
from lens.services import lens_publish, lens_share, lens_unshare
from mlwa.events import INSTANCE_STREAM, WORKLOAD_STREAM
from mlwa.models import Event
from notifications.consumer import NOTIFICATIONS
from notifications.models import Notification
from notifications.outbox import outbox_deliver
from reviews.models import Share, WorkloadEvent
from reviews.services.improvements import improvement_item_update
from reviews.services.sharing import share_grant
from tests.factories import UserFactory, imported_lens, lens_document, workload
from tests.notifications.conftest import texts

pytestmark = pytest.mark.django_db


def test_a_workload_shared_with_someone_tells_them_and_not_the_owner(alice, bob, sweep):
    fraud = workload(alice, "Fraud detection")
    share_grant(workload=fraud, actor=alice, role=Share.Role.READER, user=bob)
    sweep()
    assert texts(bob) == ["alice shared the workload Fraud detection with you as reader."]
    assert texts(alice) == []
    notification = Notification.objects.get(recipient=bob)
    assert notification.url == f"/workloads/{fraud.pk}/"
    assert notification.kind == Notification.Kind.SHARED
    assert notification.read_at is None


def test_a_workload_shared_with_a_team_tells_each_active_member_but_the_one_who_shared(alice, bob, sweep):
    carol, gone = UserFactory(username="carol"), UserFactory(username="gone", is_active=False)
    team = Group.objects.create(name="data-science")
    team.user_set.add(alice, bob, carol, gone)
    share_grant(workload=workload(alice), actor=alice, role=Share.Role.CONTRIBUTOR, group=team)
    sweep()
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"bob", "carol"}
    assert texts(bob) == ["alice shared the workload Fraud detection with your team as contributor."]


def _assign(fraud, actor, owner):
    question_id = fraud.lens_reviews.get().answers.order_by("pk").first().question.question_id
    return improvement_item_update(
        workload=fraud,
        lens_alias=BUILTIN_ALIAS,
        question_id=question_id,
        actor=actor,
        changes={"owner": owner.pk if owner else None},
        expected_version=None,
    )


def test_an_improvement_item_given_a_new_owner_tells_the_new_owner_only(alice, bob, sweep):
    fraud = workload(alice)
    share_grant(workload=fraud, actor=alice, role=Share.Role.CONTRIBUTOR, user=bob)
    sweep()
    Notification.objects.all().delete()
    item = _assign(fraud, alice, bob)
    sweep()
    assert texts(bob) == [
        f"alice assigned you the improvement of {item.question_id} ({BUILTIN_ALIAS}) on the workload "
        "Fraud detection."
    ]
    assert Notification.objects.get(recipient=bob).url == f"/workloads/{fraud.pk}/improvements/"
    # Taking it back, or another change of the item, tells nobody; assigning oneself neither.
    _assign(fraud, bob, None)
    _assign(fraud, bob, bob)
    sweep()
    assert Notification.objects.count() == 1


def test_a_newer_lens_version_tells_the_owners_and_contributors_of_the_workloads_using_it(alice, bob, sweep):
    carol, dave = UserFactory(username="carol"), UserFactory(username="dave")
    lens = imported_lens(owner=alice, document=lens_document("Fraud lens"))
    lens_share(lens=lens, users=[bob, carol, dave])
    fraud = workload(bob, "Fraud detection", lenses=[lens])
    share_grant(workload=fraud, actor=bob, role=Share.Role.CONTRIBUTOR, user=carol)
    share_grant(workload=fraud, actor=bob, role=Share.Role.READER, user=dave)
    workload(dave, "Unrelated")  # the built-in lens only
    sweep()
    Notification.objects.all().delete()

    from lens.services import lens_import

    lens_import(
        source=lens_document("Fraud lens", questions=3), owner=alice, created_by=alice, alias=lens.alias
    )
    lens_publish(lens=lens, label="2", major=True, actor=alice)
    sweep()
    expected = "Version 2 (major) of the lens Fraud lens, which your workloads use, is published."
    assert texts(bob) == [expected]
    assert texts(carol) == [expected]
    assert texts(dave) == []  # a reader of the workload, and the owner of a workload on another lens
    assert texts(alice) == []  # who published it
    assert Notification.objects.get(recipient=bob).url == f"/lenses/{lens.alias}/diff/?to=2"


def test_a_lens_withdrawn_from_a_workloads_owner_sends_them_no_version_notice(alice, bob, sweep):
    lens = imported_lens(owner=alice, document=lens_document("Fraud lens"))
    lens_share(lens=lens, users=[bob])
    workload(bob, "Fraud detection", lenses=[lens])
    lens_unshare(lens=lens, users=[bob])

    from lens.services import lens_import

    lens_import(
        source=lens_document("Fraud lens", questions=3), owner=alice, created_by=alice, alias=lens.alias
    )
    lens_publish(lens=lens, label="2", major=True, actor=alice)
    sweep()
    assert texts(bob) == []
    assert Event.objects.filter(kind=Event.Kind.LENS_VERSION_PUBLISHED, data__label="2").exists()


def test_a_report_ready_tells_its_requester(alice, bob, sweep):
    from reviews.models import Report
    from reviews.reports.events import report_ready_record

    fraud = workload(alice)
    report = Report.objects.create(
        kind=Report.Kind.LENS_REVIEW, requested_by=bob, workload=fraud, lens_alias="x"
    )
    report_ready_record(report)
    consolidated = Report.objects.create(kind=Report.Kind.CONSOLIDATED, requested_by=bob)
    report_ready_record(consolidated)
    sweep()
    assert texts(bob) == [
        "Your Consolidated report report (PDF) is ready.",
        "Your Lens review report of Fraud detection (PDF) is ready.",
    ]
    assert set(Notification.objects.values_list("url", flat=True)) == {
        f"/workloads/{fraud.pk}/reports/",
        "/reports/",
    }


def test_delivering_an_event_twice_makes_one_notification(alice, bob, sweep):
    share_grant(workload=workload(alice), actor=alice, role=Share.Role.READER, user=bob)
    event = WorkloadEvent.objects.get(kind=WorkloadEvent.Kind.SHARED)
    outbox_deliver(consumer=NOTIFICATIONS, stream=WORKLOAD_STREAM, pks=[event.pk])
    outbox_deliver(consumer=NOTIFICATIONS, stream=WORKLOAD_STREAM, pks=[event.pk])
    sweep()
    assert Notification.objects.filter(recipient=bob).count() == 1


def test_an_event_a_restore_wrote_tells_nobody(alice, bob, sweep):
    from django.utils import timezone

    fraud = workload(alice)
    WorkloadEvent.objects.create(
        workload=fraud,
        workload_name=fraud.name,
        kind=WorkloadEvent.Kind.SHARED,
        summary="Shared with user bob as reader.",
        data={"grantee_user": bob.pk, "role": "READER"},
        restored_at=timezone.now(),
    )
    sweep()
    assert texts(bob) == []


def test_an_instance_event_of_a_subject_gone_is_passed_over(bob, sweep):
    event = Event.objects.create(kind=Event.Kind.LENS_VERSION_PUBLISHED, data={"lens": 999_999, "label": "2"})
    assert outbox_deliver(consumer=NOTIFICATIONS, stream=INSTANCE_STREAM, pks=[event.pk]) == 0
    sweep()
    assert Notification.objects.count() == 0
