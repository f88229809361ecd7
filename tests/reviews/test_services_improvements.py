"""Tracking an improvement (reviews.services.improvement_item_update): the item made the first
time, its event, who may own it, refusals naming their field and changing nothing, stale versions,
and two writers at once on PostgreSQL."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from lens.models import BUILTIN_ALIAS
from reviews.models import ImprovementItem, Share, WorkloadEvent
from reviews.services import InvalidInput, StaleItem, improvement_item_update, share_grant
from tests import factories
from tests.reviews.test_improvements import planned_workload, track
from tests.reviews.test_services_answer_versions import closing_connection, in_threads, on_postgres

pytestmark = pytest.mark.django_db

S = ImprovementItem.Status


@pytest.fixture
def planned(shared_workload):
    return planned_workload(shared_workload)


def factories_user(name, **fields):
    return get_user_model().objects.create_user(name, f"{name}@example.com", "pw", **fields)


def test_tracking_makes_the_item_the_first_time_and_logs_the_change(planned):
    item = track(
        planned,
        planned.alias,
        "P1Q1",
        actor=planned.contributor,
        expected_version=0,
        status=S.IN_PROGRESS,
        owner=planned.contributor.pk,
        due_date="2031-05-01",
        note="Pair with the platform team.",
    )
    assert (item.version, item.status, item.owner, item.updated_by) == (
        1,
        S.IN_PROGRESS,
        planned.contributor,
        planned.contributor,
    )
    assert str(item.due_date) == "2031-05-01"
    event = WorkloadEvent.objects.get(kind=WorkloadEvent.Kind.IMPROVEMENT_TRACKED)
    assert event.actor == planned.contributor
    assert event.data["lens"] == planned.alias
    assert event.data["question"] == "P1Q1"
    assert event.data["changes"]["owner"] == {"before": None, "after": "contributor"}
    assert event.data["changes"]["status"] == {"before": S.NOT_STARTED, "after": S.IN_PROGRESS}
    again = track(planned, planned.alias, "P1Q1", expected_version=1, status=S.DONE, due_date=None)
    assert (again.pk, again.version, again.status, again.due_date) == (item.pk, 2, S.DONE, None)


def test_a_write_that_changes_nothing_makes_no_item_and_no_event(planned):
    events = WorkloadEvent.objects.count()
    item = track(planned, planned.alias, "P1Q1", expected_version=0, status=S.NOT_STARTED, note="")
    assert item.pk is None
    assert not ImprovementItem.objects.exists()
    assert WorkloadEvent.objects.count() == events


def test_an_owner_may_be_a_contributor_through_a_group_or_the_owner_but_no_one_else(planned):
    direct = factories_user("direct")
    share_grant(workload=planned.workload, actor=planned.owner, user=direct, role=Share.Role.CONTRIBUTOR)
    for user in (planned.owner, planned.contributor, direct):
        assert track(planned, planned.alias, "P1Q1", owner=user.pk).owner == user
    inactive = factories_user("inactive")
    share_grant(workload=planned.workload, actor=planned.owner, user=inactive, role=Share.Role.CONTRIBUTOR)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    readers = Group.objects.create(name="readers")
    in_readers = factories_user("in-readers")
    in_readers.groups.add(readers)
    share_grant(workload=planned.workload, actor=planned.owner, group=readers, role=Share.Role.READER)
    for user in (planned.reader, planned.auditor, planned.outsider, inactive, in_readers):
        with pytest.raises(InvalidInput) as refused:
            track(planned, planned.alias, "P1Q1", owner=user.pk)
        assert list(refused.value.errors) == ["owner"]


def test_the_stored_owner_stays_acceptable_after_losing_their_share(planned):
    item = track(planned, planned.alias, "P1Q1", owner=planned.contributor.pk)
    planned.contributor.groups.clear()
    saved = track(
        planned, planned.alias, "P1Q1", expected_version=item.version, owner=planned.contributor.pk, note="x"
    )
    assert (saved.owner, saved.note) == (planned.contributor, "x")


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"status": "FINISHED"}, "status", "invalid"),
        ({"owner": "contributor"}, "owner", "invalid"),
        ({"owner": True}, "owner", "invalid"),
        ({"owner": 999_999}, "owner", "unknown_reference"),
        ({"due_date": "next week"}, "due_date", "invalid"),
        ({"due_date": "2031-02-30"}, "due_date", "invalid"),
        ({"due_date": 20310201}, "due_date", "invalid"),
        ({"due_date": ""}, "due_date", "invalid"),
        ({"note": "x" * 2085}, "note", "invalid"),
        ({"note": None}, "note", "invalid"),
        ({"priority": "high"}, "priority", "invalid"),
    ],
)
def test_bad_tracking_is_refused_naming_the_field_and_changes_nothing(planned, changes, field, code):
    item = track(planned, planned.alias, "P1Q1", status=S.IN_PROGRESS, note="Kept.")
    events = WorkloadEvent.objects.count()
    with pytest.raises(InvalidInput) as refused:
        track(planned, planned.alias, "P1Q1", expected_version=1, **{"status": S.DONE, **changes})
    assert (list(refused.value.errors), refused.value.code) == ([field], code)
    stored = ImprovementItem.objects.get()
    assert (stored.version, stored.status, stored.note) == (item.version, S.IN_PROGRESS, "Kept.")
    assert WorkloadEvent.objects.count() == events


@pytest.mark.parametrize(
    ("alias", "question_id", "field"),
    [("no-such-lens", "P1Q1", "lens_alias"), (None, "P9Q9", "question_id")],
)
def test_a_question_that_the_applied_lenses_lack_is_refused(planned, alias, question_id, field):
    with pytest.raises(InvalidInput) as refused:
        track(planned, alias or planned.alias, question_id, status=S.IN_PROGRESS)
    assert list(refused.value.errors) == [field]
    assert not ImprovementItem.objects.exists()


def test_a_stale_version_is_refused_with_the_stored_item(planned):
    track(planned, planned.alias, "P1Q1", actor=planned.contributor, expected_version=0, note="Theirs.")
    events = WorkloadEvent.objects.count()
    with pytest.raises(StaleItem) as stale:
        track(planned, planned.alias, "P1Q1", expected_version=0, note="Mine.")
    assert stale.value.status == 409
    assert (stale.value.current.version, stale.value.current.note) == (1, "Theirs.")
    assert stale.value.current.updated_by == planned.contributor
    assert ImprovementItem.objects.get().note == "Theirs."
    assert WorkloadEvent.objects.count() == events
    with pytest.raises(StaleItem):  # an item not made yet is at version 0
        track(planned, planned.alias, "P1Q2", expected_version=3, note="Mine.")
    assert track(planned, planned.alias, "P1Q1", expected_version=None, note="Mine.").version == 2


# --- two writers at once (PostgreSQL) ---------------------------------------------------------------


@on_postgres
@pytest.mark.parametrize("checked", [True, False])
def test_two_writers_making_the_same_item_at_once(people, checked):
    """From version 0, one write makes the item and the other is stale; without a version check,
    the second applies its change to the item the first made (the savepoint catches the clash)."""
    owner = people["owner"]
    workload = factories.workload(owner)
    start = threading.Barrier(2)
    outcomes = []

    def write(note):
        def save():
            start.wait(timeout=30)
            try:
                improvement_item_update(
                    workload=workload,
                    lens_alias=BUILTIN_ALIAS,
                    question_id="MLSEC01",
                    actor=owner,
                    changes={"note": note},
                    expected_version=0 if checked else None,
                )
                outcomes.append("saved")
            except StaleItem:
                outcomes.append("stale")

        return closing_connection(save)

    in_threads(write("One."), write("Two."))
    item = ImprovementItem.objects.get()
    if checked:
        assert sorted(outcomes) == ["saved", "stale"]
        assert item.version == 1
    else:
        assert outcomes == ["saved", "saved"]
        assert item.version == 2
    assert WorkloadEvent.objects.filter(kind=WorkloadEvent.Kind.IMPROVEMENT_TRACKED).count() == item.version
