"""/api/v1/workloads/{id}/risk-summary/ and /api/v1/risk-summary/ (JSON): who sees what, counts
that match the answers, the workload filters, the cap, the milestone parameter, the documented
shape, and queries that do not grow with the data. The CSV is in test_risk_summary_csv.py."""

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

from lens.models import BUILTIN_ALIAS, Lens
from lens.selectors import latest_published_version
from reviews.models import Answer, Workload
from reviews.services import lens_review_apply
from tests.expected import counts
from tests.factories import imported_lens, lens_document, workload
from tests.reviews.test_selectors_summaries import answer_all, implied_counts, pillar_counts

pytestmark = pytest.mark.django_db

R = Answer.Risk
ROLES = ("owner", "contributor", "reader", "auditor")
ORG = "/api/v1/risk-summary/"


def one_url(workload_or_pk) -> str:
    return f"/api/v1/workloads/{getattr(workload_or_pk, 'pk', workload_or_pk)}/risk-summary/"


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["workloads"]]


def _null_allowed(node) -> None:
    """OpenAPI 3.0's `nullable: true` said as JSON Schema does (a type that includes "null"), which
    is what the validator reads."""
    if isinstance(node, dict):
        if node.get("nullable") is True and isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        for value in node.values():
            _null_allowed(value)
    elif isinstance(node, list):
        for value in node:
            _null_allowed(value)


def schema_validator(component: str) -> jsonschema.Draft7Validator:
    """A validator of the component `component` of the API's OpenAPI schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    _null_allowed(schema)
    return jsonschema.Draft7Validator({"$ref": f"#/components/schemas/{component}", **schema})


@pytest.fixture
def answered_shared(shared_workload):
    """The shared workload with some questions answered by its owner, through the service."""
    answer_all(
        shared_workload.workload,
        {"MLSEC01": R.HIGH, "MLSEC02": R.MEDIUM, "MLOPS01": R.NOT_APPLICABLE, "MLREL01": R.NONE},
        actor=shared_workload.owner,
    )
    return shared_workload


# --- one workload ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_who_may_see_a_workload_reads_its_risk_summary(api_for, answered_shared, role):
    response = api_for(getattr(answered_shared, role)).get(one_url(answered_shared.workload))

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["name"], body["owner"]) == (
        answered_shared.workload.pk,
        "Fraud detection",
        "owner",
    )
    assert pillar_counts(body) == implied_counts(answered_shared.workload)
    assert body["totals"] == counts(high=1, medium=1, none=1, not_applicable=1, unanswered=10)


def test_an_outsider_gets_404_for_a_workloads_risk_summary(api_for, shared_workload):
    outsider = api_for(shared_workload.outsider)

    assert outsider.get(one_url(shared_workload.workload)).status_code == 404
    assert outsider.get(one_url(shared_workload.workload), {"milestone": "1"}).status_code == 404
    assert outsider.get(one_url(999_999)).status_code == 404


def test_without_credentials_a_risk_summary_is_401(api_for, shared_workload):
    assert api_for(None).get(one_url(shared_workload.workload)).status_code == 401
    assert api_for(None).get(ORG).status_code == 401


def test_a_read_only_token_reads_both_summaries(api_for, shared_workload):
    client = api_for(shared_workload.reader, read_only=True)

    assert client.get(one_url(shared_workload.workload)).status_code == 200
    assert client.get(ORG).status_code == 200


def test_the_counts_follow_the_answers_per_pillar_and_lens(api_for, shared_workload):
    lens = imported_lens(owner=None, document=lens_document("Second lens", pillars=2, questions=2))
    builtin = Lens.objects.get(alias=BUILTIN_ALIAS)
    both = workload(shared_workload.owner, "Both lenses", lenses=[lens, builtin])
    answer_all(
        both,
        {"P1Q1": R.HIGH, "P1Q2": R.NONE, "P2Q1": R.MEDIUM, "MLSEC01": R.HIGH, "MLCOST02": R.NONE},
        actor=shared_workload.owner,
    )

    body = api_for(shared_workload.owner).get(one_url(both)).json()

    assert [lens["alias"] for lens in body["lenses"]] == [lens.alias, BUILTIN_ALIAS]
    second = body["lenses"][0]
    assert [(p["pillar_id"], p["counts"]) for p in second["pillars"]] == [
        ("pillar1", counts(high=1, none=1)),
        ("pillar2", counts(medium=1, unanswered=1)),
    ]
    assert second["totals"] == counts(high=1, none=1, medium=1, unanswered=1)
    assert body["lenses"][1]["totals"] == counts(high=1, none=1, unanswered=12)
    assert body["totals"] == counts(high=2, none=2, medium=1, unanswered=13)
    assert pillar_counts(body) == implied_counts(both)


@pytest.mark.parametrize("url", [one_url, lambda workload: ORG], ids=["one", "organisation"])
def test_a_milestone_that_does_not_exist_leaves_nothing_to_show_and_a_bad_one_is_400(
    api_for, shared_workload, url
):
    client = api_for(shared_workload.owner)
    target = url(shared_workload.workload)

    # One workload without milestone 2 is a 404; the organisation's summary leaves it out.
    response = client.get(target, {"milestone": "2"})
    if url is one_url:
        assert response.status_code == 404
    else:
        assert (response.status_code, response.json()["count"], response.json()["workloads"]) == (200, 0, [])
    for bad in ("0", "-1", "two", "1.5"):
        response = client.get(target, {"milestone": bad})
        assert response.status_code == 400, bad
        assert list(response.json()["fields"]) == ["milestone"]
    assert client.get(target, {"milestone": ""}).status_code == 200


def test_a_workloads_summary_matches_the_documented_shape(api_for, answered_shared):
    body = api_for(answered_shared.owner).get(one_url(answered_shared.workload)).json()

    schema_validator("WorkloadRiskSummary").validate(body)


# --- every workload the caller may see ---------------------------------------------------------------


@pytest.fixture
def estate(shared_workload):
    """Beside the shared workload: one of the outsider's own, and one of a stranger's."""
    workload(shared_workload.outsider, "Outsider's own", environment=Workload.Environment.PRODUCTION)
    stranger = type(shared_workload.owner).objects.create_user("stranger")
    workload(stranger, "Stranger's", tags=["payments"])
    return shared_workload


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", ["Fraud detection"]),
        ("contributor", ["Fraud detection"]),
        ("reader", ["Fraud detection"]),
        ("auditor", ["Fraud detection", "Outsider's own", "Stranger's"]),
        ("outsider", ["Outsider's own"]),
    ],
)
def test_the_organisation_wide_summary_holds_only_what_the_caller_may_see(api_for, estate, role, expected):
    response = api_for(getattr(estate, role)).get(ORG)

    assert response.status_code == 200
    assert names(response) == expected
    assert response.json()["count"] == len(expected)
    assert response["X-Total-Count"] == str(len(expected))
    assert response["X-Truncated"] == "false"


def test_each_workload_in_the_organisation_wide_summary_has_its_own_counts(api_for, answered_shared):
    other = workload(answered_shared.owner, "Other")
    answer_all(other, {"MLSEC01": R.NONE, "MLSEC02": R.NONE}, actor=answered_shared.owner)

    body = api_for(answered_shared.auditor).get(ORG).json()

    rows = {row["name"]: row for row in body["workloads"]}
    assert pillar_counts(rows["Fraud detection"]) == implied_counts(answered_shared.workload)
    assert pillar_counts(rows["Other"]) == implied_counts(other)
    assert rows["Other"]["owner"] == "owner"
    assert rows["Other"]["environment"] == "PREPRODUCTION"
    assert body["totals"] == counts(high=1, medium=1, none=3, not_applicable=1, unanswered=22)
    assert (body["count"], body["truncated"], body["limit"]) == (2, False, 10_000)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"environment": "PRODUCTION"}, ["Outsider's own"]),
        ({"lens": "own-lens"}, ["Stranger's"]),
        ({"tag": "Payments"}, ["Stranger's"]),
        ({"owner": "outsider"}, ["Outsider's own"]),
        ({"search": "fraud"}, ["Fraud detection"]),
        ({"has_high": "true"}, ["Fraud detection"]),
        ({"ordering": "high"}, ["Fraud detection", "Outsider's own", "Stranger's"]),
    ],
)
def test_the_workload_filters_narrow_the_organisation_wide_summary(api_for, estate, query, expected):
    stranger_lens = imported_lens(owner=None, document=lens_document("Own lens"))
    stranger = Workload.objects.get(name="Stranger's")
    lens_review_apply(workload=stranger, lens_version=latest_published_version(stranger_lens), actor=None)
    answer_all(estate.workload, {"MLSEC01": R.HIGH}, actor=estate.owner)

    response = api_for(estate.auditor).get(ORG, query)

    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.parametrize(
    ("parameter", "value"), [("environment", "MOON"), ("has_high", "perhaps"), ("ordering", "size")]
)
def test_a_bad_filter_is_400_naming_the_parameter(api_for, shared_workload, parameter, value):
    response = api_for(shared_workload.owner).get(ORG, {parameter: value})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [parameter]


def test_more_workloads_than_the_cap_give_the_first_ones_by_name(api_for, alice, settings):
    settings.MLWA_RISK_SUMMARY_MAX = 2
    for name in ("Charlie", "alpha", "Bravo"):
        workload(alice, name)

    response = api_for(alice).get(ORG)

    body = response.json()
    assert names(response) == ["alpha", "Bravo"]
    assert (body["count"], body["truncated"], body["limit"]) == (3, True, 2)
    assert body["totals"]["questions"] == 2 * 14
    assert response["X-Total-Count"] == "3"
    assert response["X-Truncated"] == "true"
    assert names(api_for(alice).get(ORG, {"search": "a", "ordering": "name"})) == ["alpha", "Bravo"]


def test_the_organisation_wide_summary_matches_the_documented_shape(api_for, answered_shared):
    workload(answered_shared.owner, "No lens", lenses=[])

    body = api_for(answered_shared.owner).get(ORG).json()

    schema_validator("RiskSummary").validate(body)
    assert len(body["workloads"]) == 2


# --- queries -----------------------------------------------------------------------------------------


@pytest.fixture
def several(alice):
    """make(n): n workloads of alice, each with the built-in lens and a lens of three pillars, a few
    answers each."""
    three_pillars = imported_lens(owner=alice, document=lens_document("Three", pillars=3, questions=2))
    builtin = Lens.objects.get(alias=BUILTIN_ALIAS)

    def make(n: int) -> None:
        for index in range(n):
            made = workload(alice, f"Workload {index}", lenses=[builtin, three_pillars])
            answer_all(made, {"MLSEC01": R.HIGH, "P3Q2": R.MEDIUM}, actor=alice)

    return make


@pytest.mark.parametrize("count", [1, 6])
def test_a_workloads_summary_costs_the_same_queries_for_any_number_of_lenses_and_workloads(
    api_for, alice, several, django_assert_num_queries, count
):
    several(count)
    client = api_for(alice)
    target = Workload.objects.get(name="Workload 0")
    client.get(one_url(target))  # the token's first use is recorded: one query, once

    # token and user, workload and role, its lens reviews, the pillars, their counts by pillar
    with django_assert_num_queries(5):
        response = client.get(one_url(target))

    assert [lens["alias"] for lens in response.json()["lenses"]] == [BUILTIN_ALIAS, "three"]


@pytest.mark.parametrize("count", [1, 6])
@pytest.mark.parametrize("others", [False, True], ids=["sees-every-workload", "sees-some"])
def test_the_organisation_wide_summary_costs_the_same_queries_for_1_or_6_workloads(
    api_for, alice, bob, several, django_assert_num_queries, count, others
):
    several(count)
    if others:  # then the counts are restricted to the workloads alice may see
        answer_all(workload(bob, "Bob's"), {"MLSEC01": R.HIGH}, actor=bob)
    client = api_for(alice)
    client.get(ORG)

    # token and user, the workloads (with how many match), their lens reviews, the pillars, the counts
    with django_assert_num_queries(5):
        response = client.get(ORG, {"has_high": "true", "lens": "three"})

    assert len(response.json()["workloads"]) == count
    assert response.json()["totals"]["high"] == count
