"""The improvement plan's bulk status change (issue 17): reviews.services.improvement_items_set_status
and the plan page's form (reviews:improvements-bulk). Each item is written at the version the page
showed; one changed since is listed and left alone, and every other one is written."""

import pytest
from django.urls import reverse

from mlwa.errors import InvalidInput
from reviews.models import ImprovementItem, WorkloadEvent
from reviews.services.improvements import ItemRef, improvement_items_set_status
from tests.reviews.test_improvements import track
from tests.reviews.test_views_improvements import page_url, planned  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

S = ImprovementItem.Status
TRACKED = WorkloadEvent.Kind.IMPROVEMENT_TRACKED


def bulk_url(shared):
    return reverse("reviews:improvements-bulk", args=[shared.workload.pk])


def test_every_item_at_its_version_is_written_and_a_stale_one_left_alone(planned):  # noqa: F811
    a = planned.alias
    track(planned, a, "P1Q1", status=S.IN_PROGRESS)  # version 1, as the page showed it...
    track(planned, a, "P1Q1", actor=planned.contributor, note="Theirs.")  # ...then someone else's write
    track(planned, a, "P1Q2", status=S.IN_PROGRESS)
    outcome = improvement_items_set_status(
        workload=planned.workload,
        actor=planned.owner,
        status=S.DONE,
        items=[ItemRef(a, "P1Q1", 1), ItemRef(a, "P1Q2", 1), ItemRef(a, "P2Q1", 0)],
    )
    assert [(item.question_id, item.version) for item in outcome.written] == [("P1Q2", 2), ("P2Q1", 1)]
    [(ref, current)] = outcome.stale
    assert (ref.question_id, ref.version, current.version, current.note) == ("P1Q1", 1, 2, "Theirs.")
    stored = dict(ImprovementItem.objects.values_list("question_id", "status"))
    assert stored == {"P1Q1": S.IN_PROGRESS, "P1Q2": S.DONE, "P2Q1": S.DONE}
    # Each write is its own event, saying the status before and after, as the item's form's would.
    events = WorkloadEvent.objects.filter(kind=TRACKED, data__version__gte=1).order_by("pk")
    last_two = [event.data for event in events][-2:]
    assert [data["question"] for data in last_two] == ["P1Q2", "P2Q1"]
    assert last_two[0]["changes"] == {"status": {"before": S.IN_PROGRESS, "after": S.DONE}}


def test_an_item_already_at_the_status_is_unchanged_and_records_nothing(planned):  # noqa: F811
    track(planned, planned.alias, "P1Q1", status=S.DONE)
    events = WorkloadEvent.objects.count()
    outcome = improvement_items_set_status(
        workload=planned.workload,
        actor=planned.owner,
        status=S.DONE,
        items=[ItemRef(planned.alias, "P1Q1", 1)],
    )
    assert ([i.version for i in outcome.unchanged], outcome.written, outcome.stale) == ([1], [], [])
    assert WorkloadEvent.objects.count() == events


@pytest.mark.parametrize(
    ("refs", "message"),
    [
        ([], "Select at least one item."),
        ([("P1Q1", 0), ("P1Q1", 0)], "Each item at most once."),
        ([("P1Q1", 0), ("P9Q9", 0)], "No such question in the lenses applied: P9Q9 (plan-lens)."),
    ],
)
def test_a_bad_list_of_items_changes_nothing_and_names_items(planned, refs, message):  # noqa: F811
    with pytest.raises(InvalidInput) as refused:
        improvement_items_set_status(
            workload=planned.workload,
            actor=planned.owner,
            status=S.DONE,
            items=[ItemRef(planned.alias, question, version) for question, version in refs],
        )
    assert refused.value.errors == {"items": [message]}
    assert not ImprovementItem.objects.exists()


# --- the page ---------------------------------------------------------------------------------------


def test_the_page_writes_the_selected_items_and_lists_the_stale_one(client_for, planned):  # noqa: F811
    a = planned.alias
    client = client_for(planned.owner)
    html = client.get(page_url(planned)).content.decode()
    for question in ("P1Q1", "P2Q1"):
        assert f'name="item" form="plan-bulk" id="select-{a}--{question}" value="{a}/{question}/0"' in html
    track(planned, a, "P2Q1", actor=planned.contributor, status=S.IN_PROGRESS)  # after the page was loaded
    response = client.post(
        bulk_url(planned),
        {"status": S.RISK_ACCEPTED, "item": [f"{a}/P1Q1/0", f"{a}/P2Q1/0"], "back": "risk=HIGH"},
    )
    assert response.status_code == 200  # done, and the page says what it left alone
    html = response.content.decode()
    assert "Changed the status of 1 item" in html
    assert "1 item was changed by someone else after you loaded the page, and left alone:" in html
    stale = f'<a href="#item-{a}--P2Q1"><code>P2Q1</code> ({a})</a>: now In progress, version 1'
    assert stale + ", saved by contributor." in html
    assert 'name="back" value="risk=HIGH"' in html  # the filters kept
    assert f"item-{a}--P1Q2" not in html  # (medium: filtered out)
    stored = dict(ImprovementItem.objects.values_list("question_id", "status"))
    assert stored == {"P1Q1": S.RISK_ACCEPTED, "P2Q1": S.IN_PROGRESS}


def test_the_page_refuses_a_bulk_change_without_items_or_status(client_for, planned):  # noqa: F811
    client = client_for(planned.owner)
    response = client.post(bulk_url(planned), {"status": S.DONE})
    assert response.status_code == 400
    assert "items: Select at least one item." in response.content.decode()
    response = client.post(bulk_url(planned), {"status": "FINISHED", "item": f"{planned.alias}/P1Q1/0"})
    assert response.status_code == 400
    assert "status: Choose a status." in response.content.decode()
    response = client.post(bulk_url(planned), {"status": S.DONE, "item": "P1Q1"})
    assert response.status_code == 400
    assert "items: Reload the page" in response.content.decode()
    assert not ImprovementItem.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("reader", 403), ("auditor", 403), ("outsider", 404)])
def test_who_may_not_track_may_not_change_in_bulk(client_for, planned, role, status):  # noqa: F811
    response = client_for(getattr(planned, role)).post(
        bulk_url(planned), {"status": S.DONE, "item": f"{planned.alias}/P1Q1/0"}
    )
    assert response.status_code == status
    assert not ImprovementItem.objects.exists()
