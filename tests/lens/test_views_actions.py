"""The lens library in the browser: import, publish, compare, export, share and delete."""

import copy
import json

import pytest
from django.urls import reverse

from lens.models import BUILTIN_ALIAS, Lens, LensVersion
from lens.services import lens_share
from tests.factories import imported_lens, lens_document
from tests.lens.pages import upload, url

pytestmark = pytest.mark.django_db


# Import


def test_uploading_a_good_lens_file_creates_the_lens_and_shows_its_draft(client_for, alice):
    response = client_for(alice).post(url("import"), {"file": upload(lens_document(name="Uploaded"))})
    lens = Lens.objects.get(alias="uploaded", owner=alice)
    assert response.status_code == 302
    assert response["Location"] == f"{url('detail', lens)}?version=draft"
    assert lens.versions.get().status == LensVersion.Status.DRAFT
    page = client_for(alice).get(response["Location"])
    assert b"Imported" in page.content
    assert b"How do you handle P1Q1?" in page.content


def test_a_bad_lens_file_is_refused_with_every_json_path_and_nothing_is_stored(client_for, alice):
    document = lens_document(pillars=2)
    document["pillars"][1]["id"] = document["pillars"][0]["id"]
    document["pillars"][0]["questions"][0]["riskRules"][0]["condition"] = "P1Q1_BP1 &&"
    lenses, versions = Lens.objects.count(), LensVersion.objects.count()

    response = client_for(alice).post(url("import"), {"file": upload(document)})

    assert response.status_code == 400
    assert b"<code>$.pillars[1].id</code>" in response.content
    assert b"<code>$.pillars[0].questions[0].riskRules[0].condition</code>" in response.content
    assert (Lens.objects.count(), LensVersion.objects.count()) == (lenses, versions)


def test_a_file_that_is_not_json_is_refused_with_400(client_for, alice):
    response = client_for(alice).post(url("import"), {"file": upload("{not json")})
    assert response.status_code == 400
    assert response.context["problems"]


def test_importing_under_the_alias_of_someone_elses_lens_is_refused_on_the_alias_field(
    client_for, alice, bobs_lens
):
    response = client_for(alice).post(
        url("import"), {"file": upload(lens_document()), "alias": bobs_lens.alias}
    )
    assert response.status_code == 400
    assert "alias" in response.context["form"].errors
    assert bobs_lens.versions.count() == 1


def test_a_lens_cannot_take_the_alias_of_the_import_page(client_for, alice):
    response = client_for(alice).post(url("import"), {"file": upload(lens_document()), "alias": "import"})
    assert response.status_code == 400
    assert "alias" in response.context["form"].errors
    imported = client_for(alice).post(url("import"), {"file": upload(lens_document(name="Import"))})
    assert imported.status_code == 302
    assert Lens.objects.get(owner=alice).alias != "import"


# Publish and compare


def test_the_owner_publishes_the_draft(client_for, bob):
    lens = imported_lens(owner=bob, publish=None)
    response = client_for(bob).post(url("publish", lens), {"label": "1.0", "major": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"{url('detail', lens)}?version=1.0"
    version = lens.versions.get()
    assert (version.status, version.label, version.kind) == ("PUBLISHED", "1.0", "MAJOR")


def test_publishing_under_a_label_in_use_shows_the_error_on_the_label(client_for, bob):
    lens = imported_lens(owner=bob)
    client = client_for(bob)
    client.post(url("import"), {"file": upload(lens_document(name="Bob's lens v2")), "alias": lens.alias})
    response = client.post(url("publish", lens), {"label": "1"})
    assert response.status_code == 400
    assert "label" in response.context["form"].errors
    assert lens.versions.filter(status="DRAFT").exists()


def test_the_diff_shows_what_the_draft_changes_from_the_latest_version(client_for, bob):
    lens = imported_lens(owner=bob, document=lens_document(questions=1))
    document = lens_document(questions=2)
    document["pillars"][0]["questions"][0]["title"] = "A new title"
    client = client_for(bob)
    client.post(url("import"), {"file": upload(document), "alias": lens.alias})

    response = client.get(url("diff", lens))

    assert response.status_code == 200
    assert response.context["old"].label == "1"
    assert response.context["new"].status == LensVersion.Status.DRAFT
    rows = {
        (change.kind, change.question_id, change.choice_id, str(change.status))
        for change in response.context["changes"]
    }
    assert ("question", "P1Q1", None, "UPDATED") in rows
    assert ("question", "P1Q2", None, "NEW") in rows
    assert b"A new title" in response.content


def test_a_viewer_compares_published_versions_only(client_for, alice, bob):
    lens = imported_lens(owner=bob)
    lens_share(lens=lens, users=[alice])
    assert client_for(alice).get(f"{url('diff', lens)}?from=1&to=draft").status_code == 404


# Export


def test_the_export_gives_back_the_uploaded_document(client_for, alice):
    document = lens_document(pillars=2, questions=3)
    document["pillars"][0]["_team"] = "platform"  # undocumented keys are kept and exported again
    document["pillars"][0]["questions"][0]["choices"][0]["title"] = "Écrire « ceci » — naïvement"
    client = client_for(alice)
    client.post(url("import"), {"file": upload(document)})
    lens = Lens.objects.get(owner=alice)

    response = client.get(f"{url('export', lens)}?version=draft")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == f'attachment; filename="{lens.alias}-draft.json"'
    assert "Écrire « ceci »".encode() in response.content  # not \u-escaped
    assert json.loads(response.content) == document


def test_the_aws_export_drops_undocumented_keys(client_for, alice):
    document = lens_document()
    exported = copy.deepcopy(document)
    document["_version"] = 3
    document["pillars"][0]["questions"][0]["url"] = "https://example.com/question"
    lens = imported_lens(owner=alice, document=document)

    response = client_for(alice).get(f"{url('export', lens)}?version=1&aws=1")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{lens.alias}-1-aws.json"'
    assert json.loads(response.content) == exported


def test_the_aws_export_refuses_a_lens_over_the_aws_limits_listing_each_value(client_for, alice):
    document = lens_document()
    document["pillars"][0]["questions"][0]["title"] = "x" * 200
    lens = imported_lens(owner=alice, document=document)

    response = client_for(alice).get(f"{url('export', lens)}?aws=1")

    assert response.status_code == 409
    assert b"<code>$.pillars[0].questions[0].title</code>" in response.content


# Share and delete


def test_sharing_with_an_unknown_user_or_group_is_an_error_on_that_field(client_for, bob, bobs_lens):
    response = client_for(bob).post(url("share", bobs_lens), {"users": "alice, nobody", "groups": "Ghosts"})
    assert response.status_code == 400
    assert "nobody" in response.context["form"].errors["users"][0]
    assert "Ghosts" in response.context["form"].errors["groups"][0]
    assert not bobs_lens.shared_with_users.exists()


def test_the_owner_deletes_their_lens(client_for, bob, bobs_lens):
    client = client_for(bob)
    assert client.get(url("delete", bobs_lens)).status_code == 200
    response = client.post(url("delete", bobs_lens))
    assert response.status_code == 302
    assert response["Location"] == url("library")
    assert not Lens.objects.filter(pk=bobs_lens.pk).exists()
    assert not LensVersion.objects.filter(lens_id=bobs_lens.pk).exists()


def test_the_builtin_lens_cannot_be_deleted_even_by_an_administrator(client_for, admin_user):
    builtin = Lens.objects.get(alias=BUILTIN_ALIAS)
    response = client_for(admin_user).post(url("delete", builtin))
    assert response.status_code == 409
    assert b"built-in lens" in response.content
    assert Lens.objects.filter(alias=BUILTIN_ALIAS).exists()


def test_only_an_administrator_manages_the_instances_lenses(client_for, alice):
    builtin = Lens.objects.get(alias=BUILTIN_ALIAS)
    assert client_for(alice).get(url("share", builtin)).status_code == 403


def test_the_admin_shows_a_published_version_read_only_and_keeps_the_builtin_lens(client_for, admin_user):
    builtin = Lens.objects.get(alias=BUILTIN_ALIAS)
    version = builtin.versions.get()
    client = client_for(admin_user)
    assert client.get(reverse("admin:lens_lensversion_change", args=[version.pk])).status_code == 200
    assert client.post(reverse("admin:lens_lensversion_change", args=[version.pk]), {}).status_code == 403
    assert (
        client.post(reverse("admin:lens_lens_delete", args=[builtin.pk]), {"post": "yes"}).status_code == 403
    )
