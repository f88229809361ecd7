"""The lens catalog (MLWA_LENS_CATALOG): listed in the library with counts, added in one click to the
instance (administrators) or as one's own lens, and a changed file offered as a new version."""

import json

import pytest
from django.urls import reverse

from lens.catalog import catalog_entries, lens_add_from_catalog
from lens.models import Lens, LensVersion
from lens.services import LensActionRefused
from tests.conftest import SHARED_LENSES
from tests.factories import lens_document


@pytest.fixture
def shared_catalog(settings, shared_lenses):
    """The catalog pointed at ../shared/lenses/ (skipped with a reason when it is absent)."""
    settings.MLWA_LENS_CATALOG = str(SHARED_LENSES)
    return SHARED_LENSES


@pytest.fixture
def own_catalog(settings, tmp_path):
    """A catalog folder of the test's own, with one lens file that a test may change."""
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "team-lens.json").write_text(json.dumps(lens_document("Team lens", pillars=2, questions=3)))
    settings.MLWA_LENS_CATALOG = str(folder)
    return folder


def test_the_library_lists_the_catalog_with_description_and_counts(client_for, alice, shared_catalog):
    response = client_for(alice).get(reverse("lens:library"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Lens catalog" in page
    assert "Machine Learning Lens" in page
    assert "6 pillars, 35 questions" in page  # the official ML lens
    assert "Add as my lens" in page
    assert "Add to this instance" not in page  # alice administers nothing


def test_an_administrator_is_offered_to_add_to_the_instance(client_for, admin_user, shared_catalog):
    page = client_for(admin_user).get(reverse("lens:library")).content.decode()
    assert "Add to this instance" in page


def test_the_library_costs_the_same_queries_for_any_number_of_catalog_lenses(
    client_for, alice, own_catalog, django_assert_max_num_queries
):
    client = client_for(alice)
    lens_add_from_catalog(filename="team-lens.json", owner=alice, actor=alice)
    client.get(reverse("lens:library"))  # warms the catalog's parse cache
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("lens:library"))
    for number in range(5):
        (own_catalog / f"more-{number}.json").write_text(json.dumps(lens_document(f"More {number}")))
        lens_add_from_catalog(filename=f"more-{number}.json", owner=alice, actor=alice)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("lens:library"))


def test_an_administrator_adds_a_catalog_lens_to_the_instance(client_for, admin_user, shared_catalog):
    response = client_for(admin_user).post(
        reverse("lens:catalog_add"), {"file": "machine-learning-lens.json", "scope": "instance"}
    )
    lens = Lens.objects.get(catalog_file="machine-learning-lens.json")
    assert lens.owner is None
    version = lens.versions.get()
    assert version.status == LensVersion.Status.PUBLISHED
    assert response.status_code == 302
    assert response["Location"] == f"/lenses/{lens.alias}/?version={version.label}"


def test_a_user_adds_a_catalog_lens_as_their_own(client_for, bob, own_catalog):
    client_for(bob).post(reverse("lens:catalog_add"), {"file": "team-lens.json", "scope": "mine"})
    lens = Lens.objects.get(catalog_file="team-lens.json")
    assert lens.owner == bob
    assert lens.versions.get().status == LensVersion.Status.PUBLISHED


def test_a_user_may_not_add_to_the_instance(client_for, bob, own_catalog):
    response = client_for(bob).post(
        reverse("lens:catalog_add"), {"file": "team-lens.json", "scope": "instance"}
    )
    assert response.status_code == 403
    assert not Lens.objects.filter(catalog_file="team-lens.json").exists()


@pytest.mark.parametrize("name", ["../catalog/team-lens.json", "/etc/passwd", "missing.json"])
def test_only_the_catalogs_own_files_can_be_added(alice, own_catalog, name):
    with pytest.raises(LensActionRefused) as refusal:
        lens_add_from_catalog(filename=name, owner=alice, actor=alice)
    assert refusal.value.code == "not_in_catalog"
    assert not Lens.objects.filter(owner=alice).exists()


def test_a_changed_file_shows_as_a_new_version_to_publish(client_for, alice, own_catalog):
    client = client_for(alice)
    lens = lens_add_from_catalog(filename="team-lens.json", owner=alice, actor=alice).lens
    assert catalog_entries(user=alice)[0].changed == []
    assert "The file has changed" not in client.get(reverse("lens:library")).content.decode()

    changed = lens_document("Team lens", pillars=2, questions=4)
    (own_catalog / "team-lens.json").write_text(json.dumps(changed))
    page = client.get(reverse("lens:library")).content.decode()
    assert "The file has changed" in page
    assert "Import the new version as a draft" in page

    response = client.post(reverse("lens:catalog_update", args=[lens.alias]))
    assert response["Location"] == f"/lenses/{lens.alias}/?version=draft"
    draft = lens.versions.get(status=LensVersion.Status.DRAFT)
    assert draft.questions.count() == 8
    assert "The file has changed" not in client.get(reverse("lens:library")).content.decode()


def test_someone_who_does_not_manage_the_lens_cannot_update_it(client_for, alice, bob, own_catalog):
    lens = lens_add_from_catalog(filename="team-lens.json", owner=alice, actor=alice).lens
    lens.shared_with_users.add(bob)
    (own_catalog / "team-lens.json").write_text(json.dumps(lens_document("Team lens", questions=5)))
    assert client_for(bob).post(reverse("lens:catalog_update", args=[lens.alias])).status_code == 403
    assert not lens.versions.filter(status=LensVersion.Status.DRAFT).exists()


def test_a_file_that_breaks_the_format_is_listed_but_cannot_be_added(alice, own_catalog):
    (own_catalog / "broken.json").write_text('{"name": "no pillars"}')
    entry = next(e for e in catalog_entries(user=alice) if e.file.filename == "broken.json")
    assert "problem" in entry.file.problem
    with pytest.raises(Exception, match="pillars"):
        lens_add_from_catalog(filename="broken.json", owner=alice, actor=alice)


def test_no_catalog_set_lists_nothing(client_for, alice, settings):
    settings.MLWA_LENS_CATALOG = ""
    assert catalog_entries(user=alice) == []
    assert "Lens catalog" not in client_for(alice).get(reverse("lens:library")).content.decode()


def test_a_file_is_added_once_per_owner(client_for, alice, own_catalog):
    lens_add_from_catalog(filename="team-lens.json", owner=alice, actor=alice)
    with pytest.raises(LensActionRefused) as refusal:
        lens_add_from_catalog(filename="team-lens.json", owner=alice, actor=alice)
    assert refusal.value.code == "already_added"
    assert Lens.objects.filter(catalog_file="team-lens.json").count() == 1
    assert "Add as my lens" not in client_for(alice).get(reverse("lens:library")).content.decode()
