"""/api/v1/lenses/import/ and /api/v1/lenses/{alias}/export/: a lens file in and out, as a JSON body
or an upload, refused at its JSON paths, and given back as it came."""

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lens.api.views import EXAMPLE_LENS
from lens.models import Lens, LensVersion
from lens.selectors import version_document
from lens.services import content_hash, lens_share
from tests.api.test_lenses import lens_url, stored_lenses
from tests.factories import imported_lens, lens_document

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/lenses/import/"


def post_json(client, document: dict | str | bytes, url: str = IMPORT):
    """The lens file as the raw request body, as a client sends a file it read."""
    body = document if isinstance(document, str | bytes) else json.dumps(document)
    return client.post(url, body, content_type="application/json")


def upload(document: dict, **fields):
    return {"file": SimpleUploadedFile("lens.json", json.dumps(document).encode()), **fields}


# Import


def test_a_json_body_is_imported_as_a_draft_of_a_new_lens(api_for, bob):
    document = lens_document(name="Data platform")
    document["pillars"][0]["questions"][0]["title"] = "x" * 200  # over the AWS tool's limit: a warning

    response = post_json(api_for(bob), document)

    assert response.status_code == 201
    body = response.json()
    lens = Lens.objects.get(alias="data-platform")
    assert lens.owner == bob
    assert body["lens"]["alias"] == "data-platform"
    assert body["lens"]["manageable"] is True
    assert body["lens"]["latest_version"] is None
    assert (body["version"]["label"], body["version"]["status"]) == ("draft", "DRAFT")
    assert body["version"]["content_hash"] == lens.versions.get().content_hash
    assert body["warnings"] == [
        {
            "path": "$.pillars[0].questions[0].title",
            "code": "too_long_for_aws",
            "message": body["warnings"][0]["message"],
        }
    ]
    assert response["Location"] == "http://testserver/api/v1/lenses/data-platform/?version=draft"


def test_the_schemas_example_imports_without_a_warning(api_for, bob):
    response = post_json(api_for(bob), EXAMPLE_LENS)
    assert response.status_code == 201, response.json()
    assert response.json()["warnings"] == []


def test_a_file_upload_is_imported_too(api_for, bob):
    response = api_for(bob).post(IMPORT, upload(lens_document(name="Uploaded")), format="multipart")
    assert response.status_code == 201
    assert response.json()["lens"]["alias"] == "uploaded"
    assert Lens.objects.get(alias="uploaded").versions.get().status == LensVersion.Status.DRAFT


def test_an_import_under_my_alias_replaces_the_draft(api_for, bob):
    lens = imported_lens(owner=bob, document=lens_document(questions=1))
    client = api_for(bob)

    by_query = post_json(client, lens_document(name="Renamed", questions=2), f"{IMPORT}?alias={lens.alias}")
    by_form = client.post(
        IMPORT, upload(lens_document(name="Renamed again", questions=3), alias=lens.alias), format="multipart"
    )

    assert (by_query.status_code, by_form.status_code) == (201, 201)
    assert by_form.json()["lens"]["latest_version"]["label"] == "1"
    lens.refresh_from_db()
    assert lens.name == "Renamed again"
    assert list(lens.versions.values_list("status", flat=True).order_by("pk")) == ["PUBLISHED", "DRAFT"]
    assert version_document(lens.versions.get(status="DRAFT")).pillars[0].questions[2].id == "P1Q3"


def test_a_file_with_a_bom_is_read_as_an_upload_would_be(api_for, bob):
    body = b"\xef\xbb\xbf" + json.dumps(lens_document(name="With a BOM")).encode()
    assert post_json(api_for(bob), body).status_code == 201


def test_a_bad_file_is_refused_with_every_problem_at_its_json_path(api_for, bob):
    document = lens_document(pillars=2)
    document["pillars"][1]["id"] = document["pillars"][0]["id"]
    document["pillars"][0]["questions"][0]["riskRules"][0]["condition"] = "P1Q1_BP1 &&"
    before = stored_lenses()

    for response in (
        post_json(api_for(bob), document),
        api_for(bob).post(IMPORT, upload(document), format="multipart"),
    ):
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "lens_refused"
        assert set(body["fields"]) == {"$.pillars[1].id", "$.pillars[0].questions[0].riskRules[0].condition"}
        assert [problem["path"] for problem in body["problems"]] == [
            "$.pillars[0].questions[0].riskRules[0].condition",
            "$.pillars[1].id",
        ]
    assert stored_lenses() == before


@pytest.mark.parametrize(
    ("body", "code"),
    [("{not json", "not_json"), (b"\xff\xfe", "not_utf8"), ("[]", None)],
)
def test_a_body_that_is_no_lens_is_refused_at_the_root(api_for, bob, body, code):
    before = stored_lenses()
    response = post_json(api_for(bob), body)
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert problems[0]["path"] == "$"
    if code:
        assert problems[0]["code"] == code
    assert stored_lenses() == before


def test_a_nan_is_refused_at_its_path_not_as_unparsable_json(api_for, bob):
    body = json.dumps(lens_document()).replace('"name": "Test lens"', '"name": NaN', 1)
    response = post_json(api_for(bob), body)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["$.name"]


def test_an_upload_without_a_file_is_refused_on_the_file_field(api_for, bob):
    response = api_for(bob).post(IMPORT, {"alias": "x"}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["file"]


def test_a_body_of_another_media_type_is_415(api_for, bob):
    before = stored_lenses()
    response = api_for(bob).post(IMPORT, json.dumps(lens_document()), content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert stored_lenses() == before


@pytest.mark.parametrize("alias", ["import", "Not An Alias"])
def test_a_reserved_or_malformed_alias_is_refused_on_the_alias(api_for, bob, alias):
    before = stored_lenses()
    response = post_json(api_for(bob), lens_document(), f"{IMPORT}?alias={alias}")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["alias"]
    assert stored_lenses() == before


def test_importing_under_someone_elses_alias_is_refused(api_for, alice, bob):
    theirs = imported_lens(owner=alice)
    before = stored_lenses()
    response = api_for(bob).post(IMPORT, upload(lens_document(), alias=theirs.alias), format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "alias_taken"
    assert list(response.json()["fields"]) == ["alias"]
    assert stored_lenses() == before


def test_an_import_needs_a_token_that_may_write(api_for, bob):
    before = stored_lenses()
    assert post_json(api_for(None), lens_document()).status_code == 401
    response = post_json(api_for(bob, read_only=True), lens_document())
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"
    assert stored_lenses() == before


def test_an_imported_lens_is_published_then_applied_to_a_workload(api_for, bob):
    client = api_for(bob)
    alias = post_json(client, lens_document(name="Applied")).json()["lens"]["alias"]

    published = client.post(lens_url(alias, "versions/"), {"label": "1.0", "major": True}, format="json")
    created = client.post("/api/v1/workloads/", {"name": "Scoring", "lenses": [alias]}, format="json")

    assert published.status_code == 201
    assert created.status_code == 201, created.json()
    assert created.json()["lenses"] == [alias]


# Export


def test_an_export_gives_back_the_imported_file_and_imports_to_the_same_content(api_for, bob):
    document = lens_document(pillars=2, questions=3)
    document["pillars"][0]["_team"] = "platform"  # undocumented keys are kept and exported again
    document["pillars"][0]["questions"][0]["choices"][0]["title"] = "Écrire « ceci »"
    client = api_for(bob)
    imported = post_json(client, document).json()
    alias = imported["lens"]["alias"]

    response = client.get(lens_url(alias, "export/?version=draft"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="{alias}-draft.json"'
    assert "Écrire « ceci »".encode() in response.content  # not \u-escaped
    assert json.loads(response.content) == document
    again = post_json(client, response.content).json()
    assert again["lens"]["alias"] != alias
    assert again["version"]["content_hash"] == imported["version"]["content_hash"]
    reimported = LensVersion.objects.get(lens__alias=again["lens"]["alias"])
    assert content_hash(version_document(reimported)) == imported["version"]["content_hash"]


def test_the_export_is_of_the_newest_published_version_by_default(api_for, alice, bob):
    lens = imported_lens(owner=bob, document=lens_document(questions=1))
    post_json(api_for(bob), lens_document(questions=2), f"{IMPORT}?alias={lens.alias}")
    lens_share(lens=lens, users=[alice])

    response = api_for(alice).get(lens_url(lens, "export/"))

    assert response["Content-Disposition"] == f'attachment; filename="{lens.alias}-1.json"'
    assert json.loads(response.content) == lens_document(questions=1)
    assert api_for(alice).get(lens_url(lens, "export/?version=draft")).status_code == 404
    assert api_for(bob).get(lens_url(lens, "export/?version=draft")).status_code == 200


def test_a_lens_with_nothing_published_has_nothing_to_export_for_others(api_for, alice, bob):
    lens = imported_lens(owner=bob, publish=None)
    lens_share(lens=lens, users=[alice])
    assert api_for(alice).get(lens_url(lens, "export/")).status_code == 404


def test_the_aws_export_drops_undocumented_keys(api_for, bob):
    document = lens_document()
    exported = copy.deepcopy(document)
    document["_version"] = 3
    document["pillars"][0]["questions"][0]["url"] = "https://example.com/question"
    lens = imported_lens(owner=bob, document=document)

    response = api_for(bob).get(lens_url(lens, "export/?version=1&aws=true"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{lens.alias}-1-aws.json"'
    assert json.loads(response.content) == exported


def test_the_aws_export_of_a_lens_over_its_limits_is_409_with_each_value(api_for, bob):
    document = lens_document()
    document["pillars"][0]["questions"][0]["title"] = "x" * 200
    document["pillars"][0]["questions"][1]["choices"][0]["title"] = "y" * 130
    lens = imported_lens(owner=bob, document=document)

    response = api_for(bob).get(lens_url(lens, "export/?aws=true"))

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "aws_limits_exceeded"
    assert set(body["fields"]) == {
        "$.pillars[0].questions[0].title",
        "$.pillars[0].questions[1].choices[0].title",
    }
    assert "AWS accepts at most 128" in body["fields"]["$.pillars[0].questions[0].title"][0]
    assert api_for(bob).get(lens_url(lens, "export/?aws=false")).status_code == 200


def test_an_aws_flag_that_is_not_a_boolean_is_refused(api_for, bob):
    lens = imported_lens(owner=bob)
    response = api_for(bob).get(lens_url(lens, "export/?aws=maybe"))
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["aws"]


def test_a_published_lens_imports_through_the_api_and_exports_as_it_came(api_for, bob, shared_lenses):
    # One is enough here: tests/lens/test_shared_lenses.py imports every one through the service.
    path = next(
        (path for path in shared_lenses if path.name == "machine-learning-lens.json"), shared_lenses[0]
    )
    client = api_for(bob)

    imported = post_json(client, path.read_bytes())

    assert imported.status_code == 201, imported.json()
    alias = imported.json()["lens"]["alias"]
    exported = client.get(lens_url(alias, "export/?version=draft"))
    assert json.loads(exported.content) == json.loads(path.read_bytes())
