"""/api/v1/workloads/{id}/improvements/: the plan (every lens, or one), its filters and pages, and
the tracking of its items (PATCH with If-Match or `version`, as answers do)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.models import ImprovementItem, WorkloadEvent
from reviews.services.milestones import milestone_create
from tests.reviews.test_improvements import answer_as, grow, plan_lens, track, with_lens

pytestmark = pytest.mark.django_db

S = ImprovementItem.Status


def plan_url(shared, alias=None, **query):
    base = f"/api/v1/workloads/{shared.workload.pk}/"
    url = base + (f"lens-reviews/{alias}/improvements/" if alias else "improvements/")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def item_url(shared, alias, question_id="P1Q1"):
    return f"/api/v1/workloads/{shared.workload.pk}/improvements/{alias}/{question_id}/"


def patch(client, url, body, **headers):
    return client.patch(url, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def planned(shared_workload):
    """P2Q1 and P1Q1 high, P1Q2 medium, P2Q2 at no risk; pillar 2 first."""
    shared = shared_workload
    shared.alias = with_lens(shared, plan_lens(pillars=2))
    shared.workload.pillar_priorities = ["pillar2"]
    shared.workload.save(update_fields=["pillar_priorities"])
    for question_id, risk in (("P1Q1", "HIGH"), ("P1Q2", "MEDIUM"), ("P2Q1", "HIGH"), ("P2Q2", "NONE")):
        answer_as(shared.workload, shared.alias, question_id, risk, shared.owner)
    return shared


# --- reads ------------------------------------------------------------------------------------------


def test_the_plan_lists_risky_questions_in_order_with_what_is_missing(api_for, planned):
    track(planned, planned.alias, "P1Q1", status=S.DONE, owner=planned.contributor.pk, due_date="2031-02-01")
    response = api_for(planned.reader).get(plan_url(planned))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [(row["question_id"], row["risk"]) for row in body["results"]] == [
        ("P2Q1", "HIGH"),
        ("P1Q1", "HIGH"),
        ("P1Q2", "MEDIUM"),
    ]
    row = body["results"][1]
    assert {key: row[key] for key in ("lens", "lens_name", "pillar", "pillar_name", "title")} == {
        "lens": planned.alias,
        "lens_name": "Plan lens",
        "pillar": "pillar1",
        "pillar_name": "Pillar 1",
        "title": "How do you handle P1Q1?",
    }
    assert (row["state"], row["status"], row["owner"], row["owner_username"]) == (
        "REGRESSED",
        "DONE",
        planned.contributor.pk,
        "contributor",
    )
    assert (row["due_date"], row["version"], row["updated_by"]) == ("2031-02-01", 1, "owner")
    assert [practice["id"] for practice in row["missing_practices"]] == ["P1Q1_BP1", "P1Q1_BP2", "P1Q1_BP3"]
    assert row["missing_practices"][0]["improvement_plan"] == [
        {
            "kind": "IMPROVEMENT_PLAN",
            "text": "How to start doing P1Q1_BP1.",
            "url": "https://example.com/plan",
        }
    ]
    assert row["question_resources"][0]["url"] == "https://example.com/why"
    untracked = body["results"][0]
    assert (untracked["state"], untracked["version"], untracked["owner"], untracked["updated_at"]) == (
        "NOT_STARTED",
        0,
        None,
        None,
    )


def test_resolved_items_come_last_and_filters_narrow_the_plan(api_for, planned):
    track(planned, planned.alias, "P2Q2", status=S.DONE)
    client = api_for(planned.owner)
    assert [r["question_id"] for r in client.get(plan_url(planned)).json()["results"]][-1] == "P2Q2"
    cases = {
        "risk=MEDIUM": ["P1Q2"],
        "pillar=pillar2": ["P2Q1", "P2Q2"],
        "status=RESOLVED": ["P2Q2"],
        "status=DONE": ["P2Q2"],
        "status=NOT_STARTED": ["P2Q1", "P1Q1", "P1Q2"],
        "owner=unassigned&risk=HIGH": ["P2Q1", "P1Q1"],
        f"owner={planned.owner.pk}": [],
        "lens=ml-lens-2021": [],
    }
    for query, expected in cases.items():
        results = client.get(plan_url(planned) + "?" + query).json()["results"]
        assert [row["question_id"] for row in results] == expected, query


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("risk=NONE", "risk"),
        ("status=FINISHED", "status"),
        ("owner=alice", "owner"),
        ("milestone=x", "milestone"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(api_for, planned, query, field):
    response = api_for(planned.owner).get(plan_url(planned) + "?" + query)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_the_plan_comes_in_pages(api_for, planned):
    body = api_for(planned.owner).get(plan_url(planned, page_size=2)).json()
    assert (body["count"], len(body["results"])) == (3, 2)
    assert body["next"]
    last = api_for(planned.owner).get(body["next"]).json()
    assert [row["question_id"] for row in last["results"]] == ["P1Q2"]


def test_one_lens_plan_and_a_lens_not_applied(api_for, planned):
    client = api_for(planned.owner)
    body = client.get(plan_url(planned, planned.alias)).json()
    assert [row["question_id"] for row in body["results"]] == ["P2Q1", "P1Q1", "P1Q2"]
    assert client.get(plan_url(planned, "ml-lens-2021")).json()["count"] == 0
    assert client.get(plan_url(planned, "no-such-lens")).status_code == 404


def test_a_milestone_plan_keeps_its_risks(api_for, planned):
    milestone_create(workload=planned.workload, actor=planned.owner, name="Before")
    answer_as(planned.workload, planned.alias, "P1Q1", "NONE", planned.owner)
    client = api_for(planned.owner)
    now = client.get(plan_url(planned)).json()["results"]
    then = client.get(plan_url(planned, milestone=1)).json()["results"]
    assert "P1Q1" not in [row["question_id"] for row in now]
    assert "P1Q1" in [row["question_id"] for row in then]
    assert client.get(plan_url(planned, milestone=2)).status_code == 404


@pytest.mark.parametrize(("role", "status"), [("outsider", 404), ("anonymous", 401)])
def test_outsiders_read_nothing(api_for, planned, role, status):
    client = api_for(None if role == "anonymous" else getattr(planned, role))
    assert client.get(plan_url(planned)).status_code == status
    assert client.get(plan_url(planned, planned.alias)).status_code == status


# --- tracking ---------------------------------------------------------------------------------------


def test_a_contributor_tracks_an_item_and_gets_its_row_and_etag(api_for, planned):
    response = patch(
        api_for(planned.contributor),
        item_url(planned, planned.alias),
        {"status": "IN_PROGRESS", "owner": planned.contributor.pk, "due_date": "2031-04-30", "note": "Soon."},
        **{"If-Match": '"0"'},
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"1"'
    row = response.json()
    assert (row["question_id"], row["state"], row["owner_username"], row["due_date"], row["note"]) == (
        "P1Q1",
        "IN_PROGRESS",
        "contributor",
        "2031-04-30",
        "Soon.",
    )
    assert row["missing_practices"]
    assert WorkloadEvent.objects.filter(kind=WorkloadEvent.Kind.IMPROVEMENT_TRACKED).count() == 1


def test_a_question_not_at_risk_can_be_tracked_and_reads_as_resolved(api_for, planned):
    client = api_for(planned.owner)
    row = patch(client, item_url(planned, planned.alias, "P2Q2"), {"note": "Keep an eye on it."}).json()
    assert (row["state"], row["version"], row["missing_practices"]) == ("RESOLVED", 1, [])
    untouched = patch(client, item_url(planned, "ml-lens-2021", "MLOPS01"), {"status": "NOT_STARTED"}).json()
    assert (untouched["state"], untouched["version"]) == ("NOT_AT_RISK", 0)


def test_a_stale_if_match_is_a_412_with_the_stored_item(api_for, planned):
    track(planned, planned.alias, "P1Q1", actor=planned.contributor, note="Theirs.")
    response = patch(
        api_for(planned.owner), item_url(planned, planned.alias), {"note": "Mine."}, **{"If-Match": '"0"'}
    )
    assert response.status_code == 412
    body = response.json()
    assert body["code"] == "precondition_failed"
    assert (body["current"]["note"], body["current"]["version"]) == ("Theirs.", 1)
    assert response["ETag"] == '"1"'
    assert ImprovementItem.objects.get().note == "Theirs."


def test_a_stale_version_field_is_a_409_with_the_stored_item(api_for, planned):
    track(planned, planned.alias, "P1Q1", actor=planned.contributor, note="Theirs.")
    events = WorkloadEvent.objects.count()
    response = patch(
        api_for(planned.owner), item_url(planned, planned.alias), {"note": "Mine.", "version": 0}
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale"
    assert body["current"]["note"] == "Theirs."
    assert ImprovementItem.objects.get().note == "Theirs."
    assert WorkloadEvent.objects.count() == events
    ok = patch(api_for(planned.owner), item_url(planned, planned.alias), {"note": "Mine.", "version": 1})
    assert (ok.status_code, ok.json()["version"]) == (200, 2)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "FINISHED"}, "status"),
        ({"owner": "contributor"}, "owner"),
        ({"due_date": "31/01/2031"}, "due_date"),
        ({"note": "x" * 2085}, "note"),
        ({"priority": 1}, "priority"),
        ({"version": "1"}, "version"),
    ],
)
def test_bad_tracking_is_a_400_naming_the_field(api_for, planned, body, field):
    response = patch(api_for(planned.owner), item_url(planned, planned.alias), {"status": "DONE", **body})
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not ImprovementItem.objects.exists()


@pytest.mark.parametrize("name", ["owner_id", "owner"])
def test_an_owner_who_may_not_own_items_is_a_domain_refusal_named_as_sent(api_for, planned, name):
    response = patch(api_for(planned.owner), item_url(planned, planned.alias), {name: planned.reader.pk})
    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["fields"])) == ("unknown_reference", [name])
    assert not ImprovementItem.objects.exists()


def test_unknown_questions_and_bad_bodies(api_for, planned):
    client = api_for(planned.owner)
    assert patch(client, item_url(planned, planned.alias, "P9Q9"), {"status": "DONE"}).status_code == 404
    assert patch(client, item_url(planned, "no-such-lens"), {"status": "DONE"}).status_code == 404
    assert patch(client, item_url(planned, planned.alias), ["DONE"]).status_code == 400
    response = patch(client, item_url(planned, planned.alias), {"status": "DONE"}, **{"If-Match": "one"})
    assert (response.status_code, list(response.json()["fields"])) == (400, ["If-Match"])
    assert not ImprovementItem.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("reader", 403), ("auditor", 403), ("outsider", 404)])
def test_readers_auditors_and_outsiders_may_not_track(api_for, planned, role, status):
    response = patch(api_for(getattr(planned, role)), item_url(planned, planned.alias), {"status": "DONE"})
    assert response.status_code == status
    assert not ImprovementItem.objects.exists()


def test_a_read_only_token_may_not_track(api_for, planned):
    response = patch(
        api_for(planned.owner, read_only=True), item_url(planned, planned.alias), {"status": "DONE"}
    )
    assert response.status_code == 403


# --- queries ----------------------------------------------------------------------------------------


def test_reads_and_writes_cost_the_same_queries_for_few_or_many(api_for, shared_workload):
    alias = with_lens(shared_workload, plan_lens())
    client = api_for(shared_workload.owner)
    urls = [
        plan_url(shared_workload),
        plan_url(shared_workload, alias),
        plan_url(shared_workload, status="IN_PROGRESS"),
    ]

    def measure():
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        with CaptureQueriesContext(connection) as captured:
            assert (
                patch(client, item_url(shared_workload, alias), {"note": str(len(counts))}).status_code == 200
            )
        return [*counts, len(captured)]

    grow(shared_workload, alias, many=False)
    client.get(plan_url(shared_workload))  # the token's first use marks it used, once
    few = measure()
    grow(shared_workload, alias, many=True)
    many = measure()
    # GET: token, workload with the role, (the lens review: 404 if not applied,) lens reviews, items,
    # answers, choices, resources: 7 (8). PATCH: token, workload, savepoint, the question checked,
    # the item locked, its update, the event, release; the row read again (5): 13.
    assert few == many == [7, 8, 7, 13]
