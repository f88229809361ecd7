"""GET /api/v1/workloads/{id}/export/ and POST /api/v1/workloads/import/ (issue 7)."""

import pytest
from rest_framework.test import APIClient

from reviews.demo import DEMO_WORKLOAD, demo_workload
from reviews.models import Workload, WorkloadEvent
from tests.api.conftest import token_client
from tests.reviews.backups import normalised
from tests.reviews.stored import database_state

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/workloads/import/"


def export_url(workload) -> str:
    return f"/api/v1/workloads/{workload.pk}/export/"


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 200), ("contributor", 200), ("reader", 200), ("auditor", 200), ("outsider", 404)],
)
def test_whoever_sees_the_workload_may_export_it(shared_workload, role, expected):
    response = token_client(getattr(shared_workload, role)).get(export_url(shared_workload.workload))
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["workload"]["name"] == "Fraud detection"
        assert response.json()["shares"][0]["group"] == "ml-team"


def test_an_anonymous_export_is_401_and_records_nothing(shared_workload):
    response = APIClient().get(export_url(shared_workload.workload))
    assert response.status_code == 401
    assert not WorkloadEvent.objects.filter(kind=WorkloadEvent.Kind.EXPORTED).exists()


def test_a_backup_exported_and_imported_through_the_api_is_the_callers_with_the_shares_listed(
    shared_workload,
):
    s = shared_workload
    document = token_client(s.reader).get(export_url(s.workload)).json()

    response = token_client(s.outsider).post(IMPORT, document, format="json")

    assert response.status_code == 201
    restored = Workload.objects.get(owner=s.outsider)
    body = response.json()
    assert response["Location"] == f"/api/v1/workloads/{restored.pk}/" == body["url"]
    assert body["id"] == restored.pk
    assert (body["name"], body["owner"], body["lenses_created"]) == ("Fraud detection", "outsider", [])
    assert body["dropped_shares"] == [
        {"group": "ml-team", "role": "CONTRIBUTOR"},
        {"user": "reader", "role": "READER"},
    ]
    assert normalised(restored) == normalised(s.workload)


def test_a_second_import_is_409_unless_as_a_copy(alice):
    client = token_client(alice)
    document = client.get(export_url(demo_workload(owner=alice))).json()
    assert client.post(IMPORT, document, format="json").status_code == 201
    before = database_state()

    again = client.post(IMPORT, document, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_restored"
    assert database_state() == before

    copied = client.post(f"{IMPORT}?as_copy=true", document, format="json")
    assert copied.status_code == 201
    assert copied.json()["name"] == f"{DEMO_WORKLOAD} (restored 2)"


def test_a_newer_schema_is_422_naming_it(alice):
    client = token_client(alice)
    document = client.get(export_url(demo_workload(owner=alice))).json()
    document["schema_version"] = 5
    before = database_state()
    response = client.post(IMPORT, document, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "newer_schema"
    assert "schema_version 5" in response.json()["message"]
    assert database_state() == before


def test_a_malformed_document_is_400_naming_the_json_path(alice):
    client = token_client(alice)
    document = client.get(export_url(demo_workload(owner=alice))).json()
    document["milestones"][0]["lens_reviews"][0]["answers"][2]["risk"] = "DIRE"
    before = database_state()
    response = client.post(IMPORT, document, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["milestones[0].lens_reviews[0].answers[2].risk"]
    assert body["message"].startswith("milestones[0].lens_reviews[0].answers[2].risk: Must be one of")
    assert database_state() == before


def test_a_body_that_is_not_an_object_is_400(alice):
    response = token_client(alice).post(IMPORT, [1, 2], format="json")
    assert response.status_code == 400


def test_a_read_only_token_may_export_but_not_import(alice):
    workload = demo_workload(owner=alice)
    client = token_client(alice, read_only=True)
    document = client.get(export_url(workload)).json()
    response = client.post(f"{IMPORT}?as_copy=true", document, format="json")
    assert response.status_code == 403
