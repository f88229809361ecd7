"""What every endpoint shares: authentication, the error shape, JSON for unknown URLs."""

import pytest
from rest_framework.test import APIClient

from tests import factories
from tests.api.conftest import revoked_token_client

pytestmark = pytest.mark.django_db


def test_no_credentials_is_401_with_the_scheme_to_use(client):
    response = APIClient().get("/api/v1/workloads/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "fields": {},
    }


def test_a_revoked_token_is_401(shared_workload):
    response = revoked_token_client(shared_workload.owner).get("/api/v1/workloads/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_malformed_token_header_is_401(shared_workload):
    client = APIClient()
    for header in ("Token", "Token a b", "Token mlwa_nothing", "Token " + "x" * 80):
        client.credentials(HTTP_AUTHORIZATION=header)
        assert client.get("/api/v1/workloads/").status_code == 401, header


def test_the_browser_session_works_too(client, shared_workload):
    client.force_login(shared_workload.reader)
    response = client.get("/api/v1/workloads/")
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Fraud detection"]


def test_an_unknown_api_url_is_json_404(api_for, shared_workload):
    response = api_for(shared_workload.owner).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response["X-Content-Type-Options"] == "nosniff"  # made below SecurityMiddleware


def test_a_read_only_token_reads_but_does_not_write(api_for, shared_workload):
    client = api_for(shared_workload.owner, read_only=True)
    assert client.get(f"/api/v1/workloads/{shared_workload.workload.pk}/").status_code == 200
    response = client.patch(
        f"/api/v1/workloads/{shared_workload.workload.pk}/", {"notes": "x"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"
    shared_workload.workload.refresh_from_db()
    assert shared_workload.workload.notes == ""


def test_validation_errors_name_the_field(api_for, shared_workload):
    response = api_for(shared_workload.owner).post(
        "/api/v1/workloads/", {"name": "x", "tags": "nope"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["tags"]


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page


def test_text_with_a_nul_character_is_400_naming_where(api_for, shared_workload):
    client = api_for(shared_workload.owner)
    response = client.get("/api/v1/workloads/?search=a%00b")
    assert response.status_code == 400
    assert response.json()["code"] == "null_character"
    assert response.json()["fields"] == {"search": ["Null characters are not allowed."]}
    url = f"/api/v1/workloads/{shared_workload.workload.pk}/lens-reviews/ml-lens-2021/answers/MLOPS01/"
    response = client.patch(url, {"notes": "a\x00b", "choice_updates": {"x\x00": {}}}, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], set(response.json()["fields"])) == (
        "null_character",
        {"notes", "choice_updates.x\x00"},
    )
    assert shared_workload.answer("MLOPS01").notes == ""


def test_a_lens_with_a_nul_character_is_refused_at_its_path(api_for, shared_workload):
    document = factories.lens_document()
    document["pillars"][0]["name"] = "a\x00b"
    response = api_for(shared_workload.owner).post("/api/v1/lenses/import/", document, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["$.pillars[0].name"]
