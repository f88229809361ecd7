"""One risk-counts shape in every response (issue 15): `counts`, with the same seven keys wherever
risks are counted (workloads, lens reviews, pillars, risk summaries, milestones; a comparison's
`counts_before` and `counts_after`), and `totals`, its deprecated alias, equal to it where a
response had it.

The expected values are counted here from the answers' stored risks (Answer and MilestoneAnswer
rows, read as plain rows), not through the selectors or the kept counts the API reads."""

from collections import Counter, defaultdict

import pytest
from drf_spectacular.generators import SchemaGenerator

from lens.models import BUILTIN_ALIAS
from reviews.models import Answer, MilestoneAnswer
from tests.api.test_answers import patch

pytestmark = pytest.mark.django_db

COUNT_KEYS = ("counts", "totals", "counts_before", "counts_after")
SEVEN = {"high", "medium", "none", "not_applicable", "unanswered", "answered", "questions"}
KEY_OF_RISK = {
    "HIGH": "high",
    "MEDIUM": "medium",
    "NONE": "none",
    "NOT_APPLICABLE": "not_applicable",
    "UNANSWERED": "unanswered",
}

#: Answers of the built-in lens and the risk its rules give each (the rest stay unanswered).
ANSWERS = {
    "MLSEC01": {"selected_choices": ["MLSEC01_BP01", "MLSEC01_BP02"]},  # none
    "MLSEC02": {"selected_choices": ["MLSEC02_BP01"]},  # medium
    "MLOPS01": {"selected_choices": ["MLOPS01_no"]},  # high
    "MLOPS02": {"selected_choices": ["MLOPS02_BP03"]},  # high
    "MLREL01": {"is_applicable": False, "reason": "OUT_OF_SCOPE"},  # not applicable
    "MLPERF01": {"selected_choices": ["MLPERF01_BP02"]},  # medium
}
AFTER_THE_MILESTONE = ("MLCOST01", {"selected_choices": ["MLCOST01_no"]})  # high


def tally(risks) -> dict[str, int]:
    """The seven counts of a list of risks, counted by hand."""
    risks = list(risks)
    found = Counter(KEY_OF_RISK[risk] for risk in risks)
    counts = {key: found[key] for key in KEY_OF_RISK.values()}
    return {**counts, "questions": len(risks), "answered": len(risks) - found["unanswered"]}


def expected(rows) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """(the counts of every row, the counts per pillar id) of (pillar id, risk) rows."""
    by_pillar = defaultdict(list)
    for pillar_id, risk in rows:
        by_pillar[pillar_id].append(risk)
    return tally(risk for _pillar, risk in rows), {p: tally(risks) for p, risks in by_pillar.items()}


def live_rows(workload) -> list[tuple[str, str]]:
    answers = Answer.objects.filter(lens_review__workload=workload)
    return list(answers.values_list("question__pillar__pillar_id", "risk"))


def frozen_rows(workload) -> list[tuple[str, str]]:
    answers = MilestoneAnswer.objects.filter(milestone__workload=workload, milestone__number=1)
    return list(answers.values_list("question__pillar__pillar_id", "risk"))


@pytest.fixture
def reviewed(api_for, shared_workload):
    """The shared workload answered (every risk present), saved as milestone 1, then answered once
    more; with the owner's client."""
    client = api_for(shared_workload.owner)
    workload = shared_workload.workload
    for question_id, body in ANSWERS.items():
        assert patch(client, workload, body, question_id=question_id).status_code == 200
    response = client.post(f"/api/v1/workloads/{workload.pk}/milestones/", {"name": "M1"}, format="json")
    assert response.status_code == 201, response.content
    question_id, body = AFTER_THE_MILESTONE
    assert patch(client, workload, body, question_id=question_id).status_code == 200
    return client, workload


def all_counts(value, path="$"):
    """Every (path, object) under a `counts`, `totals`, `counts_before` or `counts_after` key in a
    JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in COUNT_KEYS:
                yield f"{path}.{key}", item
            yield from all_counts(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from all_counts(item, f"{path}[{index}]")


def reads(workload) -> list[str]:
    base = f"/api/v1/workloads/{workload.pk}/"
    review = f"{base}lens-reviews/{BUILTIN_ALIAS}/"
    return [
        "/api/v1/workloads/",
        base,
        f"{base}lens-reviews/",
        review,
        f"{base}lens-reviews/?milestone=1",
        f"{review}?milestone=1",
        f"{base}risk-summary/",
        f"{base}risk-summary/?milestone=1",
        "/api/v1/risk-summary/",
        "/api/v1/risk-summary/?milestone=1",
        f"{base}milestones/",
        f"{base}milestones/1/",
        f"{base}milestones/compare/?base=1&target=current",
    ]


def test_the_answers_cover_every_risk(reviewed):
    _client, workload = reviewed
    now, _by_pillar = expected(live_rows(workload))
    then, _by_pillar = expected(frozen_rows(workload))

    assert all(now[key] for key in KEY_OF_RISK.values()), now
    assert all(then[key] for key in KEY_OF_RISK.values()), then
    assert now["high"] == then["high"] + 1


def test_every_count_in_every_response_has_the_same_seven_keys(reviewed):
    client, workload = reviewed
    seen = 0
    for url in reads(workload):
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:200])
        for path, counts in all_counts(response.json()):
            assert set(counts) == SEVEN, (url, path, counts)
            assert counts["questions"] == sum(counts[k] for k in KEY_OF_RISK.values()), (url, path)
            assert counts["answered"] == counts["questions"] - counts["unanswered"], (url, path)
            seen += 1
    assert seen > 50  # every read above holds counts


def test_totals_is_the_same_as_counts_wherever_a_response_has_it(reviewed):
    client, workload = reviewed
    aliased = 0
    for url in reads(workload):
        found = dict(all_counts(client.get(url).json()))
        for path, value in found.items():
            if path.endswith(".totals"):
                assert found[path.removesuffix(".totals") + ".counts"] == value, (url, path)
                aliased += 1
    assert aliased >= 10  # summaries, milestones and their lenses


def test_the_current_counts_agree_with_the_answers(reviewed):
    client, workload = reviewed
    total, by_pillar = expected(live_rows(workload))
    base = f"/api/v1/workloads/{workload.pk}/"

    assert client.get("/api/v1/workloads/").json()["results"][0]["counts"] == total
    assert client.get(base).json()["counts"] == total
    assert client.get(f"{base}lens-reviews/").json()["results"][0]["counts"] == total
    review = client.get(f"{base}lens-reviews/{BUILTIN_ALIAS}/").json()
    assert review["counts"] == total
    assert {pillar["pillar_id"]: pillar["counts"] for pillar in review["pillars"]} == by_pillar

    for summary in (
        client.get(f"{base}risk-summary/").json(),
        client.get("/api/v1/risk-summary/").json()["workloads"][0],
    ):
        assert summary["counts"] == summary["totals"] == total
        (lens,) = summary["lenses"]
        assert lens["counts"] == lens["totals"] == total
        assert {pillar["pillar_id"]: pillar["counts"] for pillar in lens["pillars"]} == by_pillar
    organisation = client.get("/api/v1/risk-summary/").json()
    assert organisation["counts"] == organisation["totals"] == total


def test_the_counts_of_a_milestone_agree_with_its_frozen_answers(reviewed):
    client, workload = reviewed
    total, by_pillar = expected(frozen_rows(workload))
    base = f"/api/v1/workloads/{workload.pk}/"

    (listed,) = client.get(f"{base}milestones/").json()["results"]
    assert listed["counts"] == listed["totals"] == total
    assert listed["lenses"][0]["counts"] == listed["lenses"][0]["totals"] == total
    detail = client.get(f"{base}milestones/1/").json()
    assert detail["counts"] == detail["totals"] == total
    (lens,) = detail["lenses"]
    assert lens["counts"] == lens["totals"] == total
    assert {pillar["pillar_id"]: pillar["counts"] for pillar in lens["pillars"]} == by_pillar

    assert client.get(f"{base}lens-reviews/?milestone=1").json()["results"][0]["counts"] == total
    review = client.get(f"{base}lens-reviews/{BUILTIN_ALIAS}/?milestone=1").json()
    assert review["counts"] == total
    assert {pillar["pillar_id"]: pillar["counts"] for pillar in review["pillars"]} == by_pillar
    summary = client.get(f"{base}risk-summary/?milestone=1").json()
    assert summary["counts"] == summary["lenses"][0]["counts"] == total
    assert client.get("/api/v1/risk-summary/?milestone=1").json()["counts"] == total


def test_a_workload_without_answers_counts_every_question_unanswered(api_for, shared_workload):
    client = api_for(shared_workload.owner)
    questions = Answer.objects.filter(lens_review__workload=shared_workload.workload).count()

    counts = client.get(f"/api/v1/workloads/{shared_workload.workload.pk}/").json()["counts"]

    assert questions > 0
    assert counts == {**dict.fromkeys(SEVEN, 0), "unanswered": questions, "questions": questions}


def test_the_schema_has_one_counts_shape():
    """Every `counts`, `totals`, `counts_before` and `counts_after` is the RiskCounts component; no
    other component counts risks."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    assert set(components["RiskCounts"]["properties"]) == SEVEN
    refs = 0
    for name, component in components.items():
        properties = component.get("properties", {})
        if name != "RiskCounts":
            assert not {"high", "medium", "unanswered"} <= set(properties), name
        for key in COUNT_KEYS:
            if key in properties:
                prop = properties[key]
                ref = prop.get("$ref") or prop["allOf"][0]["$ref"]
                assert ref == "#/components/schemas/RiskCounts", (name, key)
                refs += 1
    assert refs >= 18


def test_a_comparison_counts_each_state_as_its_answers_say(reviewed):
    client, workload = reviewed
    then, then_by_pillar = expected(frozen_rows(workload))
    now, now_by_pillar = expected(live_rows(workload))

    url = f"/api/v1/workloads/{workload.pk}/milestones/compare/?base=1&target=current"
    comparison = client.get(url).json()

    assert (comparison["counts_before"], comparison["counts_after"]) == (then, now)
    (lens,) = comparison["lenses"]
    assert (lens["counts_before"], lens["counts_after"]) == (then, now)
    assert {p["pillar_id"]: p["counts_before"] for p in lens["pillars"]} == then_by_pillar
    assert {p["pillar_id"]: p["counts_after"] for p in lens["pillars"]} == now_by_pillar
    assert comparison["high"] == {"before": then["high"], "after": now["high"], "change": 1}
