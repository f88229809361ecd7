"""The API as an outside client uses it: `requests` against a live server, with a token.

Import a lens, publish it, create a workload, apply the lens, answer every question (reading each
answer's ETag and sending it back in If-Match), then read the workload's risk summary and the
organisation-wide one, and find in both the counts that the answers imply.
"""

import csv
import io

import pytest
import requests

from accounts.services import token_create
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

#: How each question is answered, and the risk that follows from the factory lens's rules (every
#: practice: none; the first alone: medium; "None of these": high; not applicable).
ANSWERS = {
    "P1Q1": ({"selected_choices": ["P1Q1_BP1", "P1Q1_BP2", "P1Q1_BP3"]}, "NONE"),
    "P1Q2": ({"selected_choices": ["P1Q2_BP1"]}, "MEDIUM"),
    "P2Q1": ({"selected_choices": ["P2Q1_no"]}, "HIGH"),
    "P2Q2": ({"is_applicable": False, "reason": "OUT_OF_SCOPE"}, "NOT_APPLICABLE"),
}


@pytest.fixture
def api(live_server, django_user_model, retire_published_lens_versions):
    """A requests session with a token, and a function that turns an API path into a URL."""
    user = django_user_model.objects.create_user("client", "client@example.com", "client-password")
    _token, key = token_create(user=user, name="journey")
    session = requests.Session()
    session.headers["Authorization"] = f"Token {key}"

    def call(method: str, path: str, expected: int, **kwargs) -> requests.Response:
        response = session.request(method, f"{live_server.url}/api/v1/{path}", timeout=30, **kwargs)
        assert response.status_code == expected, (
            f"{method} {path}: {response.status_code} {response.text[:500]}"
        )
        return response

    yield call
    session.close()


def test_an_outside_client_reviews_a_workload_and_reads_its_risks(api):
    document = factories.lens_document("Client lens", pillars=2, questions=2)
    alias = api("POST", "lenses/import/", 201, json=document).json()["lens"]["alias"]
    api("POST", f"lenses/{alias}/versions/", 201, json={"label": "1", "major": True})

    workload = api("POST", "workloads/", 201, json={"name": "Scoring", "lenses": []}).json()
    review = f"workloads/{workload['id']}/lens-reviews/"
    api("POST", review, 201, json={"lens": alias})

    listed = api("GET", f"{review}{alias}/answers/", 200).json()
    assert [answer["question_id"] for answer in listed["results"]] == list(ANSWERS)
    for question_id, (changes, risk) in ANSWERS.items():
        url = f"{review}{alias}/answers/{question_id}/"
        etag = api("GET", url, 200).headers["ETag"]
        answered = api("PATCH", url, 200, json=changes, headers={"If-Match": etag})
        assert answered.json()["risk"] == risk
        assert answered.headers["ETag"] != etag
        # The ETag read before the change is stale now: a write from it is refused.
        api("PATCH", url, 412, json={"notes": "late"}, headers={"If-Match": etag})

    implied = {"high": 1, "medium": 1, "none": 1, "not_applicable": 1, "unanswered": 0}
    pillars = {
        "pillar1": {"high": 0, "medium": 1, "none": 1, "not_applicable": 0, "unanswered": 0},
        "pillar2": {"high": 1, "medium": 0, "none": 0, "not_applicable": 1, "unanswered": 0},
    }

    def check(summary: dict) -> None:
        assert {name: summary["totals"][name] for name in implied} == implied
        (lens,) = summary["lenses"]
        assert (lens["alias"], lens["version"]) == (alias, "1")
        found = {p["pillar_id"]: {name: p["counts"][name] for name in implied} for p in lens["pillars"]}
        assert found == pillars

    check(api("GET", f"workloads/{workload['id']}/risk-summary/", 200).json())

    organisation = api("GET", "risk-summary/", 200).json()
    assert organisation["count"] == 1
    assert not organisation["truncated"]
    (summary,) = organisation["workloads"]
    assert summary["name"] == "Scoring"
    check(summary)
    assert {name: organisation["totals"][name] for name in implied} == implied

    rows = list(csv.DictReader(io.StringIO(api("GET", "risk-summary/?format=csv", 200).text)))
    assert sorted((row["pillar_id"], row["high"], row["medium"]) for row in rows) == [
        ("pillar1", "0", "1"),
        ("pillar2", "1", "0"),
    ]
