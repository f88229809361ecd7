"""/api/v1/risk-summary/?format=csv: one row per workload, lens and pillar with its counts, as an
attachment; text that a spreadsheet would run as a formula is neutralised; errors stay JSON; the
queries do not grow with the data."""

import csv
import io

import pytest

from lens.models import BUILTIN_ALIAS, Lens
from reviews.api.summaries import CSV_COLUMNS, csv_safe
from reviews.models import Answer
from tests.factories import imported_lens, lens_document, workload
from tests.reviews.test_selectors_summaries import BUILTIN_PILLARS, answer_all

pytestmark = pytest.mark.django_db

R = Answer.Risk
ORG = "/api/v1/risk-summary/"


def csv_rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def count_cells(row: dict[str, str]) -> dict[str, int]:
    return {name: int(row[name]) for name in CSV_COLUMNS[8:]}


@pytest.fixture
def builtin():
    return Lens.objects.get(alias=BUILTIN_ALIAS)


def test_the_csv_has_a_row_per_workload_lens_and_pillar_with_its_counts(api_for, alice, builtin):
    fraud = workload(alice, "Fraud")
    workload(alice, "No lens", lenses=[])
    answer_all(fraud, {"MLSEC01": R.HIGH, "MLSEC02": R.MEDIUM, "MLOPS01": R.NOT_APPLICABLE}, actor=alice)

    response = api_for(alice).get(ORG, {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="risk-summary.csv"'
    assert response.content.decode().splitlines()[0] == ",".join(CSV_COLUMNS)
    rows = csv_rows(response)
    assert [(row["workload"], row["pillar_id"]) for row in rows] == [
        *(("Fraud", pillar_id) for pillar_id in BUILTIN_PILLARS),
        ("No lens", ""),
    ]
    security = rows[1]
    assert security == {
        "workload_id": str(fraud.pk),
        "workload": "Fraud",
        "owner": "alice",
        "environment": "PREPRODUCTION",
        "lens": BUILTIN_ALIAS,
        "lens_version": "1",
        "pillar_id": "security",
        "pillar": "Security",
        "high": "1",
        "medium": "1",
        "none": "0",
        "not_applicable": "0",
        "unanswered": "1",
        "questions": "3",
        "answered": "2",
    }
    assert count_cells(rows[0]) == {
        "high": 0,
        "medium": 0,
        "none": 0,
        "not_applicable": 1,
        "unanswered": 2,
        "questions": 3,
        "answered": 1,
    }
    assert sum(int(row["questions"]) for row in rows) == 14
    assert (rows[-1]["lens"], rows[-1]["questions"]) == ("", "0")


def test_accept_text_csv_gives_the_csv_too(api_for, alice, builtin):
    workload(alice, "Fraud")

    response = api_for(alice).get(ORG, headers={"Accept": "text/csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert len(csv_rows(response)) == len(BUILTIN_PILLARS)


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tlabel", "'\tlabel"),
        ("\rlabel", "'\rlabel"),
        ("Fraud = risk", "Fraud = risk"),
        ("", ""),
    ],
)
def test_a_cell_that_could_run_as_a_formula_gets_a_leading_quote(text, safe):
    assert csv_safe(text) == safe


def test_names_that_look_like_formulas_are_neutralised_in_the_csv(api_for, alice):
    document = lens_document("Formulas", pillars=1, questions=1)
    document["pillars"][0]["name"] = "@pillar"
    lens = imported_lens(owner=alice, document=document)
    for name in ("=cmd|' /C calc'!A0", "+SUM(1)", "-2", "@evil"):
        workload(alice, name, lenses=[lens])

    rows = csv_rows(api_for(alice).get(ORG, {"format": "csv"}))

    assert sorted(row["workload"] for row in rows) == ["'+SUM(1)", "'-2", "'=cmd|' /C calc'!A0", "'@evil"]
    assert {row["pillar"] for row in rows} == {"'@pillar"}


def test_a_truncated_csv_says_so_in_its_headers(api_for, alice, builtin, settings):
    settings.MLWA_RISK_SUMMARY_MAX = 2
    for name in ("C", "A", "B"):
        workload(alice, name)

    response = api_for(alice).get(ORG, {"format": "csv"})

    assert {row["workload"] for row in csv_rows(response)} == {"A", "B"}
    assert response["X-Total-Count"] == "3"
    assert response["X-Truncated"] == "true"


def test_the_csv_holds_only_what_the_caller_may_see(api_for, shared_workload):
    workload(shared_workload.outsider, "Outsider's own")

    rows = csv_rows(api_for(shared_workload.outsider).get(ORG, {"format": "csv"}))

    assert {row["workload"] for row in rows} == {"Outsider's own"}


def test_errors_asked_for_as_csv_are_json(api_for, shared_workload):
    bad_filter = api_for(shared_workload.owner).get(ORG, {"format": "csv", "environment": "MOON"})
    no_credentials = api_for(None).get(ORG, {"format": "csv"})
    milestone = api_for(shared_workload.owner).get(ORG, {"format": "csv", "milestone": "first"})

    for response, status in ((bad_filter, 400), (no_credentials, 401), (milestone, 400)):
        assert response.status_code == status
        assert response["Content-Type"] == "application/json"
        assert "Content-Disposition" not in response
    assert list(bad_filter.json()["fields"]) == ["environment"]


def test_options_asked_for_as_csv_describes_the_view_in_json(api_for, shared_workload):
    # Found by schemathesis: the CSV renderer was handed OPTIONS's description of the view.
    response = api_for(shared_workload.owner).options(f"{ORG}?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "text/csv" in response.json()["renders"]


@pytest.mark.parametrize("count", [1, 6])
def test_the_csv_costs_the_same_queries_for_1_or_6_workloads(
    api_for, alice, builtin, django_assert_num_queries, count
):
    other = imported_lens(owner=alice, document=lens_document("Other", pillars=2, questions=2))
    for index in range(count):
        made = workload(alice, f"Workload {index}", lenses=[builtin, other])
        answer_all(made, {"MLSEC01": R.HIGH, "P2Q1": R.NONE}, actor=alice)
    client = api_for(alice)
    client.get(ORG)  # the token's first use is recorded: one query, once

    # token and user, the workloads (with how many match), their lens reviews, the pillars, the counts
    with django_assert_num_queries(5):
        response = client.get(ORG, {"format": "csv", "ordering": "changed"})

    assert len(csv_rows(response)) == count * (len(BUILTIN_PILLARS) + 2)


# --- format negotiation, and the CSV as its own operation ------------------------------------------

CSV_OPERATION = "/api/v1/risk-summary.csv"


@pytest.mark.parametrize("accept", ["application/json", "text/html", "text/csv", "*/*"])
def test_format_csv_gives_the_csv_whatever_accept_says(api_for, alice, builtin, accept):
    workload(alice, "Fraud")

    response = api_for(alice).get(ORG, {"format": "csv"}, headers={"Accept": accept})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert [row["pillar_id"] for row in csv_rows(response)] == list(BUILTIN_PILLARS)


def test_format_json_gives_json_even_to_a_client_that_accepts_only_csv(api_for, alice, builtin):
    workload(alice, "Fraud")

    response = api_for(alice).get(ORG, {"format": "json"}, headers={"Accept": "text/csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["count"] == 1


def test_a_format_the_operation_does_not_offer_is_a_400_naming_format(api_for, alice):
    response = api_for(alice).get(ORG, {"format": "xml"}, headers={"Accept": "text/csv"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()["fields"]) == ["format"]


@pytest.mark.parametrize("accept", [None, "application/json", "text/csv"])
def test_the_csv_operation_gives_the_same_file_as_format_csv(api_for, alice, builtin, accept):
    fraud = workload(alice, "Fraud")
    workload(alice, "Other", environment="PRODUCTION")
    answer_all(fraud, {"MLSEC01": R.HIGH}, actor=alice)
    client = api_for(alice)
    headers = {"Accept": accept} if accept else {}

    response = client.get(CSV_OPERATION, {"environment": "PREPRODUCTION"}, headers=headers)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="risk-summary.csv"'
    assert (response["X-Total-Count"], response["X-Truncated"]) == ("1", "false")
    assert response.content == client.get(ORG, {"format": "csv", "environment": "PREPRODUCTION"}).content
    assert {row["workload"] for row in csv_rows(response)} == {"Fraud"}


def test_the_csv_operations_errors_are_json(api_for, alice):
    bad_filter = api_for(alice).get(CSV_OPERATION, {"environment": "MOON"}, headers={"Accept": "text/csv"})
    no_credentials = api_for(None).get(CSV_OPERATION)

    for response, status in ((bad_filter, 400), (no_credentials, 401)):
        assert response.status_code == status
        assert response["Content-Type"] == "application/json"
        assert "Content-Disposition" not in response
    assert list(bad_filter.json()["fields"]) == ["environment"]


def test_the_csv_operation_has_one_response_of_one_media_type_in_the_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][CSV_OPERATION]["get"]

    assert list(operation["responses"]["200"]["content"]) == ["text/csv"]
    assert operation["responses"]["200"]["content"]["text/csv"]["schema"] == {"type": "string"}
    assert {
        list(response["content"]) == ["application/json"]
        for code, response in operation["responses"].items()
        if code not in ("200", "304")
    } == {True}
    assert "content" not in operation["responses"]["304"]  # Not Modified: no body (mlwa.api.conditional)
    # The summary's `?format=csv` stays documented (REST v1).
    assert "text/csv" in schema["paths"][ORG]["get"]["responses"]["200"]["content"]
