"""REST v1 of the lens catalog and of import from a URL: what the pages do, for REST clients."""

import json

import pytest

from lens.models import Lens, LensVersion
from tests.api.conftest import token_client
from tests.factories import lens_document
from tests.https_server import https_server


@pytest.fixture
def catalog(settings, tmp_path):
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "team-lens.json").write_text(json.dumps(lens_document("Team lens", pillars=2, questions=3)))
    settings.MLWA_LENS_CATALOG = str(folder)
    return folder


def test_the_catalog_lists_its_files_with_counts(alice, catalog):
    body = token_client(alice).get("/api/v1/lens-catalog/").json()
    assert body == [
        {
            "file": "team-lens.json",
            "name": "Team lens",
            "description": "Team lens, made for a test.",
            "pillar_count": 2,
            "question_count": 6,
            "problem": "",
            "lenses": [],
        }
    ]


def test_a_catalog_file_is_added_then_its_change_imported_as_a_draft(alice, catalog):
    client = token_client(alice)
    response = client.post("/api/v1/lens-catalog/add/", {"file": "team-lens.json", "scope": "MINE"})
    assert response.status_code == 201
    alias = response.json()["lens"]["alias"]
    assert Lens.objects.get(alias=alias).owner == alice
    listed = client.get("/api/v1/lens-catalog/").json()[0]["lenses"]
    assert listed == [{"alias": alias, "name": "Team lens", "owner": "alice", "changed": False}]

    (catalog / "team-lens.json").write_text(json.dumps(lens_document("Team lens", questions=4)))
    assert client.get("/api/v1/lens-catalog/").json()[0]["lenses"][0]["changed"] is True
    response = client.post(f"/api/v1/lenses/{alias}/catalog-update/")
    assert response.status_code == 201
    assert response["Location"].endswith(f"/api/v1/lenses/{alias}/?version=draft")
    assert Lens.objects.get(alias=alias).versions.filter(status=LensVersion.Status.DRAFT).exists()


def test_only_administrators_add_to_the_instance(alice, catalog):
    response = token_client(alice).post(
        "/api/v1/lens-catalog/add/", {"file": "team-lens.json", "scope": "INSTANCE"}
    )
    assert response.status_code == 403
    assert not Lens.objects.filter(catalog_file="team-lens.json").exists()


def test_a_lens_is_imported_from_an_allowed_url(alice, settings, tmp_path):
    body = json.dumps(lens_document("Served lens")).encode()
    with https_server(tmp_path, {"/lens.json": (200, {}, body)}) as server:
        settings.MLWA_OUTGOING_CA_FILE = server.ca_file
        settings.MLWA_OUTGOING_ALLOW = ["127.0.0.1"]
        response = token_client(alice).post("/api/v1/lenses/import/url/", {"url": server.url("/lens.json")})
    assert response.status_code == 201
    assert response.json()["lens"]["name"] == "Served lens"


def test_an_internal_url_is_refused_on_the_url_field(alice, settings):
    settings.MLWA_OUTGOING_ALLOW = []
    response = token_client(alice).post("/api/v1/lenses/import/url/", {"url": "https://169.254.169.254/x"})
    assert response.status_code == 400
    assert response.json()["code"] == "url_refused"
    assert "link-local" in response.json()["fields"]["url"][0]


def test_the_catalogs_etag_changes_with_its_files(alice, catalog):
    client = token_client(alice)
    first = client.get("/api/v1/lens-catalog/")
    assert client.get("/api/v1/lens-catalog/", headers={"If-None-Match": first["ETag"]}).status_code == 304
    (catalog / "other.json").write_text(json.dumps(lens_document("Other lens")))
    second = client.get("/api/v1/lens-catalog/", headers={"If-None-Match": first["ETag"]})
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
