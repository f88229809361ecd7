"""One name per concept, without breaking REST v1 (issue 15): a renamed field is added beside the
old one; responses carry both with one value, requests take either, both at once is a 400 naming
both; the schema marks the old one deprecated and the README lists it under "Deprecated in v1"."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator

from lens.models import BUILTIN_ALIAS
from reviews.models import Report
from tests.api.test_answers import answers_url, patch

pytestmark = pytest.mark.django_db

#: (component, old name, new name): every rename of v1, as the README lists them.
RENAMED = [
    ("Answer", "pillar", "pillar_id"),
    ("AnswerDetail", "pillar", "pillar_id"),
    ("Improvement", "pillar", "pillar_id"),
    ("Improvement", "owner", "owner_id"),
    ("PatchedImprovementUpdateRequest", "owner", "owner_id"),
    ("Report", "workload", "workload_id"),
    ("ReportCreateRequest", "workload", "workload_id"),
    ("LensSummary", "alias", "lens"),
    ("LensSummary", "totals", "counts"),
    ("WorkloadRiskSummary", "totals", "counts"),
    ("RiskSummary", "totals", "counts"),
    ("Milestone", "totals", "counts"),
    ("MilestoneDetail", "totals", "counts"),
    ("MilestoneLens", "totals", "counts"),
    ("MilestoneLensDetail", "totals", "counts"),
]

#: Lower-case enums that REST v1 documented before the rule "new enums are UPPER_CASE": they stay.
V1_LOWER_CASE_ENUMS = {
    "LensChangeKindEnum",  # a lens diff's pillar, question, choice
    "LensComparisonStatusEnum",  # a comparison's status
    "QuestionComparisonStatusEnum",
    "ordering",  # the workload list's and the risk summary's ?ordering=
    "ownership",  # their ?ownership=mine|shared
    "format",  # ?format=json|csv
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize(("component", "old", "new"), RENAMED)
def test_the_schema_marks_the_old_name_deprecated_beside_the_new_one(schema, component, old, new):
    properties = schema["components"]["schemas"][component]["properties"]
    assert properties[old].get("deprecated") is True
    assert "deprecated" not in properties[new]
    assert f"`{new}`" in properties[old]["description"]


def test_a_request_body_with_both_names_is_schema_invalid(schema):
    requests = {component for component, _old, _new in RENAMED if component.endswith("Request")}
    assert requests == {"ReportCreateRequest", "PatchedImprovementUpdateRequest"}
    for component, old, new in RENAMED:
        body = schema["components"]["schemas"][component]
        if component in requests:
            assert body["not"] == {"required": [old, new]}, component
        else:  # a response carries both
            assert "not" not in body, component


def test_every_deprecated_field_of_the_schema_is_a_listed_rename(schema):
    deprecated = {
        (name, key)
        for name, component in schema["components"]["schemas"].items()
        for key, prop in component.get("properties", {}).items()
        if prop.get("deprecated")
    }
    assert deprecated == {(component, old) for component, old, _new in RENAMED}


def test_the_readme_lists_every_old_name_under_deprecated_in_v1():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme.split("### Deprecated in v1", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    for _component, old, new in RENAMED:
        assert re.search(rf"`{old}`.*`{new}`", section), (old, new)


def test_new_enums_are_upper_case_and_the_v1_lower_case_ones_stay(schema):
    enums = {
        name: component["enum"]
        for name, component in schema["components"]["schemas"].items()
        if "enum" in component
    }
    for methods in schema["paths"].values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                values = parameter.get("schema", {}).get("enum") or parameter.get("schema", {}).get(
                    "items", {}
                ).get("enum")
                if values:
                    enums.setdefault(parameter["name"], values)
    lower = {
        name
        for name, values in enums.items()
        if any(isinstance(v, str) and v not in ("true", "false") and v != v.upper() for v in values)
    }
    assert lower == V1_LOWER_CASE_ENUMS


# --- responses carry both names --------------------------------------------------------------------


def test_answers_carry_pillar_id_and_pillar(api_for, shared_workload):
    client = api_for(shared_workload.owner)
    listed = client.get(answers_url(shared_workload.workload)).json()["results"]
    written = patch(client, shared_workload.workload, {"selected_choices": ["MLSEC01_BP01"]}).json()

    assert {answer["pillar_id"] for answer in listed} >= {"security", "operationalExcellence"}
    for answer in [*listed, written]:
        assert answer["pillar"] == answer["pillar_id"]
    assert written["pillar_id"] == "security"


def test_improvements_carry_pillar_id_and_pillar(api_for, shared_workload):
    client = api_for(shared_workload.owner)
    patch(client, shared_workload.workload, {"selected_choices": ["MLSEC01_no"]})

    (item,) = client.get(f"/api/v1/workloads/{shared_workload.workload.pk}/improvements/").json()["results"]

    assert (item["pillar_id"], item["pillar"], item["question_id"]) == ("security", "security", "MLSEC01")


def test_risk_summaries_carry_lens_and_alias(api_for, shared_workload):
    client = api_for(shared_workload.owner)
    for summary in (
        client.get(f"/api/v1/workloads/{shared_workload.workload.pk}/risk-summary/").json(),
        client.get("/api/v1/risk-summary/").json()["workloads"][0],
    ):
        (lens,) = summary["lenses"]
        assert lens["lens"] == lens["alias"] == BUILTIN_ALIAS


# --- requests take either name, not both ----------------------------------------------------------


@pytest.mark.parametrize("name", ["workload_id", "workload"])
def test_a_report_request_takes_either_name_of_the_workload(api_for, shared_workload, name):
    client = api_for(shared_workload.owner)
    body = {"kind": "IMPROVEMENT_PLAN", "format": "CSV", name: shared_workload.workload.pk}

    response = client.post("/api/v1/reports/", body, format="json")

    assert response.status_code == 202, response.content
    report = Report.objects.get()
    assert report.workload_id == shared_workload.workload.pk
    answered = response.json()
    assert answered["workload_id"] == answered["workload"] == shared_workload.workload.pk
    again = client.get(f"/api/v1/reports/{report.pk}/").json()
    assert again["workload_id"] == again["workload"] == shared_workload.workload.pk


def test_a_report_request_with_both_names_is_a_400_naming_both(api_for, shared_workload):
    pk = shared_workload.workload.pk
    body = {"kind": "IMPROVEMENT_PLAN", "format": "CSV", "workload_id": pk, "workload": pk}

    response = api_for(shared_workload.owner).post("/api/v1/reports/", body, format="json")

    assert response.status_code == 400, response.content
    assert set(response.json()["fields"]) == {"workload_id", "workload"}
    assert not Report.objects.exists()


@pytest.mark.parametrize("name", ["workload_id", "workload"])
def test_a_refusal_names_the_workload_by_the_name_sent(api_for, shared_workload, name):
    body = {"kind": "CONSOLIDATED", "format": "JSON", name: shared_workload.workload.pk}

    response = api_for(shared_workload.owner).post("/api/v1/reports/", body, format="json")

    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == [name]


# --- query parameters -------------------------------------------------------------------------------

#: (path, old name, new name): every renamed query parameter of v1.
RENAMED_PARAMETERS = [
    ("/api/v1/reports/", "workload", "workload_id"),
    ("/api/v1/workloads/{workload_id}/lens-reviews/{alias}/answers/", "pillar", "pillar_id"),
    ("/api/v1/workloads/{workload_id}/improvements/", "pillar", "pillar_id"),
    ("/api/v1/workloads/{workload_id}/lens-reviews/{alias}/improvements/", "pillar", "pillar_id"),
    ("/api/v1/workloads/{workload_id}/improvements/", "owner", "owner_id"),
    ("/api/v1/workloads/{workload_id}/lens-reviews/{alias}/improvements/", "owner", "owner_id"),
]


def test_the_schema_marks_exactly_the_old_query_parameters_deprecated(schema):
    deprecated, present = set(), set()
    for path, methods in schema["paths"].items():
        for parameter in methods.get("get", {}).get("parameters", []):
            present.add((path, parameter["name"]))
            if parameter.get("deprecated"):
                deprecated.add((path, parameter["name"]))
    assert deprecated == {(path, old) for path, old, _new in RENAMED_PARAMETERS}
    assert present >= {(path, new) for path, _old, new in RENAMED_PARAMETERS}


def test_the_readme_lists_every_old_query_parameter():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme.split("### Deprecated in v1", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    for _path, old, new in RENAMED_PARAMETERS:
        assert re.search(rf"`\?{old}=`.*`\?{new}=`", section), (old, new)


def listed(client, url: str, **query):
    response = client.get(url, query)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_the_answers_filter_by_either_name_of_the_pillar_not_both(api_for, shared_workload):
    client = api_for(shared_workload.owner)
    url = answers_url(shared_workload.workload)

    by_new = listed(client, url, pillar_id="security")
    by_old = listed(client, url, pillar="security")
    both = client.get(url, {"pillar_id": "security", "pillar": "security"})

    assert by_new == by_old
    assert {answer["pillar_id"] for answer in by_new} == {"security"}
    assert len(by_new) < len(listed(client, url))
    assert both.status_code == 400
    assert set(both.json()["fields"]) == {"pillar_id", "pillar"}


def test_the_plan_filters_by_either_name_of_the_pillar_not_both(api_for, shared_workload):
    client = api_for(shared_workload.owner)
    patch(client, shared_workload.workload, {"selected_choices": ["MLSEC01_no"]})
    patch(client, shared_workload.workload, {"selected_choices": ["MLOPS01_no"]}, question_id="MLOPS01")
    url = f"/api/v1/workloads/{shared_workload.workload.pk}/improvements/"

    by_new = listed(client, url, pillar_id="security")
    by_old = listed(client, url, pillar="security")
    both = client.get(url, {"pillar_id": "security", "pillar": "security"})

    assert [item["question_id"] for item in by_new] == [item["question_id"] for item in by_old] == ["MLSEC01"]
    assert len(listed(client, url)) == 2
    assert both.status_code == 400
    assert set(both.json()["fields"]) == {"pillar_id", "pillar"}


def test_the_reports_filter_by_either_name_of_the_workload_not_both(api_for, shared_workload):
    client = api_for(shared_workload.owner)
    mine = shared_workload.workload.pk
    other = client.post("/api/v1/reports/", {"kind": "CONSOLIDATED", "format": "JSON"}, format="json")
    asked = client.post("/api/v1/reports/", {"kind": "IMPROVEMENT_PLAN", "workload_id": mine}, format="json")
    assert (other.status_code, asked.status_code) == (202, 202)

    by_new = listed(client, "/api/v1/reports/", workload_id=mine)
    by_old = listed(client, "/api/v1/reports/", workload=mine)
    both = client.get("/api/v1/reports/", {"workload_id": mine, "workload": mine})

    assert [report["id"] for report in by_new] == [report["id"] for report in by_old] == [asked.json()["id"]]
    assert len(listed(client, "/api/v1/reports/")) == 2
    assert both.status_code == 400
    assert set(both.json()["fields"]) == {"workload_id", "workload"}


# --- an improvement's owner: a user id, `owner_id` (elsewhere `owner` is a username) ------------------


def item_url(shared_workload, question_id: str = "MLSEC01") -> str:
    return f"/api/v1/workloads/{shared_workload.workload.pk}/improvements/{BUILTIN_ALIAS}/{question_id}/"


@pytest.mark.parametrize("name", ["owner_id", "owner"])
def test_an_improvement_takes_its_owner_by_either_name(api_for, shared_workload, name):
    client = api_for(shared_workload.owner)
    patch(client, shared_workload.workload, {"selected_choices": ["MLSEC01_no"]})
    contributor = shared_workload.contributor.pk

    response = client.patch(item_url(shared_workload), {name: contributor}, format="json")

    assert response.status_code == 200, response.content
    row = response.json()
    assert (row["owner_id"], row["owner"], row["owner_username"]) == (contributor, contributor, "contributor")
    plan = f"/api/v1/workloads/{shared_workload.workload.pk}/improvements/"
    for query in ("owner_id", "owner"):
        assert [item["question_id"] for item in listed(client, plan, **{query: contributor})] == ["MLSEC01"]


def test_an_improvement_with_both_names_of_its_owner_is_a_400_naming_both(api_for, shared_workload):
    client = api_for(shared_workload.owner)
    patch(client, shared_workload.workload, {"selected_choices": ["MLSEC01_no"]})
    pk = shared_workload.contributor.pk
    plan = f"/api/v1/workloads/{shared_workload.workload.pk}/improvements/"

    written = client.patch(item_url(shared_workload), {"owner_id": pk, "owner": pk}, format="json")
    filtered = client.get(plan, {"owner_id": pk, "owner": pk})

    for response in (written, filtered):
        assert response.status_code == 400, response.content
        assert set(response.json()["fields"]) == {"owner_id", "owner"}
    assert client.get(plan).json()["results"][0]["owner_id"] is None


@pytest.mark.parametrize("name", ["owner_id", "owner"])
def test_a_refused_owner_is_named_as_the_request_named_it(api_for, shared_workload, name):
    client = api_for(shared_workload.owner)
    patch(client, shared_workload.workload, {"selected_choices": ["MLSEC01_no"]})
    plan = f"/api/v1/workloads/{shared_workload.workload.pk}/improvements/"

    written = client.patch(item_url(shared_workload), {name: shared_workload.reader.pk}, format="json")
    filtered = client.get(plan, {name: "alice"})

    for response in (written, filtered):
        assert response.status_code == 400, response.content
        assert list(response.json()["fields"]) == [name]
