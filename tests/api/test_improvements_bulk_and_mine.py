"""REST v1 of issue 17's improvement plan: POST .../improvements/bulk-status/ (each item at the
version read, the stale ones listed and left alone), GET /api/v1/improvements/mine/ (the caller's
items, overdue first), and the risk summary's CSV with a byte order mark only when asked."""

import datetime
import json

import pytest
from django.utils import timezone

from reviews.models import ImprovementItem
from tests.api.test_improvements import planned  # noqa: F401 - the fixture
from tests.factories import workload
from tests.reviews.test_improvements import track

pytestmark = pytest.mark.django_db

S = ImprovementItem.Status
MINE = "/api/v1/improvements/mine/"


def bulk(client, shared, body):
    url = f"/api/v1/workloads/{shared.workload.pk}/improvements/bulk-status/"
    return client.post(url, json.dumps(body), content_type="application/json")


def item(shared, question_id, version):
    return {"lens": shared.alias, "question_id": question_id, "version": version}


def test_a_bulk_change_writes_each_item_at_its_version_and_lists_the_stale_one(api_for, planned):  # noqa: F811
    track(planned, planned.alias, "P1Q2", actor=planned.contributor, status=S.IN_PROGRESS)  # since read
    response = bulk(
        api_for(planned.contributor),
        planned,
        {"status": "DONE", "items": [item(planned, "P1Q1", 0), item(planned, "P1Q2", 0)]},
    )
    assert response.status_code == 200
    assert response.json() == {
        "written": [{"lens": planned.alias, "question_id": "P1Q1", "version": 1, "status": "DONE"}],
        "unchanged": [],
        "stale": [
            {
                "lens": planned.alias,
                "question_id": "P1Q2",
                "version": 0,
                "current_version": 1,
                "current_status": "IN_PROGRESS",
                "updated_by": "contributor",
            }
        ],
    }
    stored = dict(ImprovementItem.objects.values_list("question_id", "status"))
    assert stored == {"P1Q1": S.DONE, "P1Q2": S.IN_PROGRESS}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "DONE", "items": []}, "items"),
        ({"status": "FINISHED", "items": [{"lens": "x", "question_id": "P1Q1", "version": 0}]}, "status"),
        ({"status": "DONE", "items": [{"lens": "x", "question_id": "P1Q1"}]}, "items.0.version"),
        (
            {"status": "DONE", "items": [{"lens": "x", "question_id": "P1Q1", "version": 0, "owner": 1}]},
            "items.0.owner",
        ),
        (
            {"status": "DONE", "items": [{"lens": "no-such-lens", "question_id": "P1Q1", "version": 0}]},
            "items",
        ),
        ({"status": "DONE", "items": [{"lens": "x", "question_id": "P1Q1", "version": 0}] * 2}, "items"),
        ({"status": "DONE", "items": [], "note": "x"}, "note"),
    ],
)
def test_a_bad_bulk_change_is_a_400_naming_the_field_and_changes_nothing(api_for, planned, body, field):  # noqa: F811
    body = json.loads(json.dumps(body).replace('"lens": "x"', f'"lens": "{planned.alias}"'))
    response = bulk(api_for(planned.owner), planned, body)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not ImprovementItem.objects.exists()


def test_mine_lists_the_callers_items_overdue_first(api_for, planned, django_assert_num_queries):  # noqa: F811
    today = timezone.localdate()
    mine = {"owner": planned.contributor.pk}
    track(
        planned,
        planned.alias,
        "P1Q1",
        status=S.IN_PROGRESS,
        due_date=str(today + datetime.timedelta(3)),
        **mine,
    )
    track(planned, planned.alias, "P1Q2", due_date=str(today - datetime.timedelta(1)), note="Late.", **mine)
    track(planned, planned.alias, "P2Q1", owner=planned.owner.pk)
    client = api_for(planned.contributor)
    client.get(MINE)
    # the token's user, the count, the page's items, their questions
    with django_assert_num_queries(4):
        response = client.get(MINE)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["question_id"], row["overdue"]) for row in rows] == [("P1Q2", True), ("P1Q1", False)]
    assert rows[0] == {
        "workload_id": planned.workload.pk,
        "workload_name": "Fraud detection",
        "lens": planned.alias,
        "question_id": "P1Q2",
        "title": "How do you handle P1Q2?",
        "risk": "MEDIUM",
        "status": "NOT_STARTED",
        "due_date": (today - datetime.timedelta(1)).isoformat(),
        "overdue": True,
        "note": "Late.",
        "version": 1,
    }
    assert api_for(planned.outsider).get(MINE).json()["results"] == []


def test_the_risk_summary_csv_keeps_its_bytes_unless_asked_for_a_bom(api_for, alice):
    workload(alice, "Zoë's workload")
    client = api_for(alice)
    plain = client.get("/api/v1/risk-summary.csv")
    assert plain.content.startswith(b"workload_id,")
    assert client.get("/api/v1/risk-summary/", {"format": "csv", "bom": "false"}).content == plain.content
    marked = client.get("/api/v1/risk-summary.csv", {"bom": "true"})
    assert marked.content == b"\xef\xbb\xbf" + plain.content
    assert "Zoë's workload" in marked.content.decode("utf-8-sig")
    assert client.get("/api/v1/risk-summary/", {"format": "csv", "bom": "true"}).content == marked.content
    refused = client.get("/api/v1/risk-summary.csv", {"bom": "yes"})
    assert refused.status_code == 400
    assert "bom" in refused.json()["fields"]


def test_a_bulk_change_too_long_names_the_list_and_each_item_at_fault(api_for, planned):  # noqa: F811
    # One 400 names every input at fault: the list's length and the item that is not an object.
    items = [{"lens": planned.alias, "question_id": f"Q{n}", "version": 0} for n in range(500)] + [7]
    response = bulk(api_for(planned.owner), planned, {"status": "DONE", "items": items})
    assert response.status_code == 400
    assert (response.json()["code"], set(response.json()["fields"])) == ("invalid", {"items", "items.500"})


def test_the_same_question_twice_is_a_domain_refusal(api_for, planned):  # noqa: F811
    # The schema cannot say "each question once" (the versions may differ): a rule's refusal.
    items = [{"lens": planned.alias, "question_id": "P1Q1", "version": v} for v in (0, 1)]
    response = bulk(api_for(planned.owner), planned, {"status": "DONE", "items": items})
    assert (response.status_code, response.json()["code"]) == (400, "refused")
    assert set(response.json()["fields"]) == {"items"}
