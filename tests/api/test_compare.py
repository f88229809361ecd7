"""GET /api/v1/workloads/{id}/milestones/compare/ and GET /api/v1/workloads/{id}/trend/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lens.models import BUILTIN_ALIAS
from reviews.models import Answer, AnswerChange
from reviews.services import lens_review_apply
from reviews.services.milestones import milestone_create
from tests import factories

pytestmark = pytest.mark.django_db


def compare_url(shared) -> str:
    return f"/api/v1/workloads/{shared.workload.pk}/milestones/compare/"


def trend_url(shared) -> str:
    return f"/api/v1/workloads/{shared.workload.pk}/trend/"


def answer(shared, question_id: str, **changes) -> None:
    found = Answer.objects.get(
        lens_review__workload=shared.workload,
        lens_review__lens__alias=BUILTIN_ALIAS,
        question__question_id=question_id,
    )
    factories.answered(found, actor=shared.owner, **changes)


def save(shared, name: str):
    return milestone_create(workload=shared.workload, actor=shared.owner, name=name)


@pytest.fixture
def two_milestones(shared_workload):
    """Milestone 1, then MLOPS01 improved and MLSEC01 regressed in milestone 2, then notes now."""
    answer(shared_workload, "MLOPS01", selected_choices=["MLOPS01_no"])
    answer(shared_workload, "MLSEC01", selected_choices=["MLSEC01_BP01", "MLSEC01_BP02"])
    save(shared_workload, "Baseline")
    answer(shared_workload, "MLOPS01", selected_choices=["MLOPS01_BP01", "MLOPS01_BP02"])
    answer(shared_workload, "MLSEC01", selected_choices=["MLSEC01_no"])
    save(shared_workload, "Launch")
    answer(shared_workload, "MLOPS02", notes="<script>alert(1)</script>")
    return shared_workload


def questions_of(body, alias=BUILTIN_ALIAS) -> dict:
    (lens,) = [lens for lens in body["lenses"] if lens["lens"] == alias]
    return {q["question_id"]: q for q in lens["questions"]}


def test_the_two_newest_milestones_by_default(api_for, two_milestones):
    response = api_for(two_milestones.reader).get(compare_url(two_milestones))
    assert response.status_code == 200
    body = response.json()
    assert body["base"]["milestone"] == 1
    assert body["base"]["name"] == "Baseline"
    assert body["target"]["milestone"] == 2
    assert (body["high"], body["medium"]) == (
        {"before": 1, "after": 1, "change": 0},
        {"before": 0, "after": 1, "change": 1},
    )
    assert body["changed"] == 2
    (lens,) = body["lenses"]
    assert (
        lens["lens"],
        lens["status"],
        lens["version_before"],
        lens["version_after"],
        lens["upgraded"],
    ) == (
        BUILTIN_ALIAS,
        "kept",
        lens["version_after"],
        lens["version_after"],
        False,
    )
    pillars = {p["pillar_id"]: p for p in lens["pillars"]}
    assert pillars["security"]["high"] == {"before": 0, "after": 1, "change": 1}
    questions = questions_of(body)
    improved = questions["MLOPS01"]
    assert (improved["status"], improved["risk_before"], improved["risk_after"], improved["changed"]) == (
        "improved",
        "HIGH",
        "MEDIUM",
        True,
    )
    assert [p["choice_id"] for p in improved["practices_added"]] == ["MLOPS01_BP01", "MLOPS01_BP02"]
    assert improved["practices_added"][0]["title"].startswith("Data scientists")
    regressed = questions["MLSEC01"]
    assert (regressed["status"], [p["choice_id"] for p in regressed["practices_removed"]]) == (
        "regressed",
        ["MLSEC01_BP01", "MLSEC01_BP02"],
    )
    assert questions["MLOPS03"] == {
        "question_id": "MLOPS03",
        "title": questions["MLOPS03"]["title"],
        "pillar_id": "operationalExcellence",
        "status": "unchanged",
        "risk_before": "UNANSWERED",
        "risk_after": "UNANSWERED",
        "changed": False,
        "practices_added": [],
        "practices_removed": [],
        "not_applicable_changed": False,
        "none_of_these_before": False,
        "none_of_these_after": False,
        "notes_changed": False,
        "notes_before": "",
        "notes_after": "",
    }


def test_a_milestone_against_now_and_only_what_changed(api_for, two_milestones):
    response = api_for(two_milestones.auditor).get(
        compare_url(two_milestones), {"base": "2", "target": "current", "changed": "1"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["target"] == {"milestone": None, "name": None, "created_at": None}
    questions = questions_of(body)
    assert list(questions) == ["MLOPS02"]
    noted = questions["MLOPS02"]
    assert (noted["status"], noted["notes_changed"], noted["notes_after"]) == (
        "unchanged",
        True,
        "<script>alert(1)</script>",  # JSON carries text as it is; pages escape it
    )
    assert body["changed"] == 1


def test_issue_14_unticking_none_of_these_beside_not_applicable_practices_is_counted(
    api_for, shared_workload
):
    not_applicable = {"MLREL01_BP03": {"reason": "OUT_OF_SCOPE", "notes": ""}}
    answer(shared_workload, "MLREL01", selected_choices=["MLREL01_no"], not_applicable_choices=not_applicable)
    save(shared_workload, "Before")
    answer(shared_workload, "MLREL01", selected_choices=[])
    # The oracle: the history holds the write, and the risk did not move.
    (write,) = AnswerChange.objects.filter(
        answer__lens_review__workload=shared_workload.workload, before__selected_choices=["MLREL01_no"]
    )
    assert write.after["selected_choices"] == []
    assert write.before["risk"] == write.after["risk"] == "HIGH"
    client = api_for(shared_workload.reader)
    body = client.get(compare_url(shared_workload), {"base": "1", "target": "current"}).json()
    unticked = questions_of(body)["MLREL01"]
    assert (unticked["status"], unticked["changed"]) == ("unchanged", True)
    assert (unticked["none_of_these_before"], unticked["none_of_these_after"]) == (True, False)
    assert body["changed"] == 1
    only = client.get(compare_url(shared_workload), {"base": "1", "target": "current", "changed": "1"}).json()
    assert list(questions_of(only)) == ["MLREL01"]
    assert only["changed"] == 1


def test_a_lens_applied_since_is_added(api_for, two_milestones):
    owner = two_milestones.owner
    lens = factories.imported_lens(owner=owner, document=factories.lens_document("Team lens"))
    lens_review_apply(workload=two_milestones.workload, lens_version=lens.versions.get(), actor=owner)
    body = api_for(owner).get(compare_url(two_milestones), {"base": "1", "target": "current"}).json()
    added = body["lenses"][1]
    assert (added["lens"], added["status"], added["version_before"], added["version_after"]) == (
        lens.alias,
        "added",
        None,
        "1",
    )
    assert {q["status"] for q in added["questions"]} == {"added"}
    assert {q["risk_before"] for q in added["questions"]} == {None}


@pytest.mark.parametrize(
    ("query", "fields", "code"),
    [
        ({"base": "one"}, ["base"], "invalid"),
        ({"base": "0"}, ["base"], "invalid"),
        ({"base": "current"}, ["base"], "invalid"),
        ({"target": "now"}, ["target"], "invalid"),
        ({"base": "x", "target": "y"}, ["base", "target"], "invalid"),
        ({"changed": "yes"}, ["changed"], "invalid"),
        ({"target": "1"}, ["base"], "refused"),  # nothing before milestone 1
    ],
)
def test_a_bad_state_is_a_400_naming_the_field(api_for, two_milestones, query, fields, code):
    response = api_for(two_milestones.reader).get(compare_url(two_milestones), query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert sorted(body["fields"]) == fields


def test_no_milestone_to_compare_is_a_400_naming_base(api_for, shared_workload):
    response = api_for(shared_workload.owner).get(compare_url(shared_workload))
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["base"]


@pytest.mark.parametrize("query", [{"base": "3"}, {"base": "1", "target": "7"}])
def test_a_milestone_that_does_not_exist_is_a_404(api_for, two_milestones, query):
    response = api_for(two_milestones.reader).get(compare_url(two_milestones), query)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("url", [compare_url, trend_url])
def test_outsiders_get_a_404_and_strangers_a_401(api_for, two_milestones, url):
    assert api_for(two_milestones.outsider).get(url(two_milestones)).status_code == 404
    assert api_for(None).get(url(two_milestones)).status_code == 401
    assert api_for(two_milestones.contributor).get(url(two_milestones)).status_code == 200


def test_the_trend_gives_a_point_per_milestone_then_now(api_for, two_milestones):
    response = api_for(two_milestones.reader).get(trend_url(two_milestones))
    assert response.status_code == 200
    body = response.json()
    assert [(p["label"], p["milestone"]) for p in body["points"]] == [
        ("Baseline", 1),
        ("Launch", 2),
        ("Now", None),
    ]
    assert all(p["date"] for p in body["points"])
    pillars = {p["pillar_id"]: p for p in body["pillars"]}
    assert pillars["operationalExcellence"] == {
        "pillar_id": "operationalExcellence",
        "name": "Operational excellence",
        "lens": None,
        "high": [1, 0, 0],
        "medium": [0, 1, 1],
    }
    assert pillars["security"]["high"] == [0, 1, 1]


def queries_of(client, url, query=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, query).status_code == 200
    return len(captured)


def grow(shared, milestones: int) -> None:
    """Another lens of 3 x 6 questions, every question answered, and more milestones."""
    owner = shared.owner
    big = factories.imported_lens(
        owner=owner, document=factories.lens_document("Big", pillars=3, questions=6)
    )
    review = lens_review_apply(workload=shared.workload, lens_version=big.versions.get(), actor=owner)
    for found in review.answers.select_related("question"):
        factories.answered(found, actor=owner, selected_choices=[f"{found.question.question_id}_BP1"])
    for number in range(milestones):
        save(shared, f"More {number}")
    answer(shared, "MLOPS03", selected_choices=["MLOPS03_BP01"])


def test_both_reads_cost_the_same_queries_however_large(api_for, two_milestones):
    client = api_for(two_milestones.reader)
    client.get(trend_url(two_milestones))  # the token's first use marks it used
    compare = (compare_url(two_milestones), {"base": "1", "target": "current"})
    small = (queries_of(client, *compare), queries_of(client, trend_url(two_milestones)))
    grow(two_milestones, milestones=6)
    large = (queries_of(client, *compare), queries_of(client, trend_url(two_milestones)))
    assert small == large
    # The comparison: token, workload and role, milestones, lens reviews and answers of each state,
    # the titles of the practices that changed. The trend: token, workload, its two.
    assert small == (8, 4)
