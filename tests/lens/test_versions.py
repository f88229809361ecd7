"""Lens versions: drafts replaced by import, publishing freezes, frozen below the views, differences."""

import json

import pytest
from django.db import DatabaseError, transaction

from lens.diff import Status, version_diff
from lens.models import (
    Choice,
    Lens,
    LensVersion,
    Pillar,
    PublishedVersionIsFrozen,
    Question,
    Resource,
    RiskRule,
)
from lens.selectors import version_document
from lens.services import LensActionRefused, lens_delete, lens_import, lens_publish
from tests.factories import lens_document, question
from tests.lens.documents import clone

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(alice):
    result = lens_import(source=json.dumps(lens_document()), owner=alice)
    return lens_publish(lens=result.lens, label="1.0", major=True)


def test_importing_with_the_alias_of_my_lens_replaces_its_draft(alice):
    first = lens_import(source=json.dumps(lens_document()), owner=alice)
    changed = lens_document(name="Renamed")

    second = lens_import(source=json.dumps(changed), owner=alice, alias=first.lens.alias)

    assert second.lens.pk == first.lens.pk
    assert list(LensVersion.objects.filter(lens=first.lens).values_list("pk", flat=True)) == [
        second.version.pk
    ]
    assert Lens.objects.get(pk=first.lens.pk).name == "Renamed"


def test_importing_with_someone_elses_alias_is_refused_and_stores_nothing(alice, bob):
    theirs = lens_import(source=json.dumps(lens_document()), owner=bob)
    versions = LensVersion.objects.count()

    with pytest.raises(LensActionRefused) as refused:
        lens_import(source=json.dumps(lens_document()), owner=alice, alias=theirs.lens.alias)

    assert refused.value.field == "alias"
    assert LensVersion.objects.count() == versions


def test_importing_without_an_alias_derives_a_new_one_from_the_name(alice, bob):
    aliases = [
        lens_import(source=json.dumps(lens_document("Team Lens")), owner=user).lens.alias
        for user in (alice, bob)
    ]
    assert aliases == ["team-lens", "team-lens-2"]


def test_publishing_freezes_the_draft_under_a_label(published):
    assert published.status == LensVersion.Status.PUBLISHED
    assert (published.label, published.kind) == ("1.0", LensVersion.Kind.MAJOR)
    assert not LensVersion.objects.filter(lens=published.lens, status=LensVersion.Status.DRAFT).exists()


def test_a_label_is_used_once_per_lens(published, alice):
    lens_import(source=json.dumps(lens_document()), owner=alice, alias=published.lens.alias)
    with pytest.raises(LensActionRefused, match="exists already"):
        lens_publish(lens=published.lens, label="1.0", major=False)


def test_publishing_without_a_draft_is_refused(published):
    with pytest.raises(LensActionRefused, match="no draft"):
        lens_publish(lens=published.lens, label="2.0", major=False)


def test_a_published_version_refuses_changes_through_the_model(published):
    version = LensVersion.objects.get(pk=published.pk)
    version.name = "Changed"
    with pytest.raises(PublishedVersionIsFrozen):
        version.save()
    choice = Choice.objects.filter(version=published).first()
    choice.title = "Changed"
    with pytest.raises(PublishedVersionIsFrozen):
        choice.save()


@pytest.mark.parametrize(
    "change",
    [
        lambda v: LensVersion.objects.filter(pk=v.pk).update(name="Changed"),
        lambda v: LensVersion.objects.filter(pk=v.pk).update(
            status="DRAFT", label="", kind="", published_at=None
        ),
        lambda v: Pillar.objects.filter(version=v).update(name="Changed"),
        lambda v: Question.objects.filter(version=v).update(title="Changed"),
        lambda v: Choice.objects.filter(version=v).update(title="Changed"),
        lambda v: RiskRule.objects.filter(version=v).update(risk="NO_RISK"),
        lambda v: Resource.objects.filter(version=v).update(url="https://elsewhere.example"),
        lambda v: Choice.objects.filter(version=v)[:1].get().delete(),
        lambda v: RiskRule.objects.filter(version=v).delete(),
        lambda v: Choice.objects.bulk_create(
            [
                Choice(
                    version=v,
                    question=Question.objects.filter(version=v).first(),
                    position=9,
                    choice_id="NEW",
                )
            ]
        ),
    ],
    ids=[
        "version",
        "unpublish",
        "pillar",
        "question",
        "choice",
        "rule",
        "resource",
        "delete-choice",
        "delete-rules",
        "insert-choice",
    ],
)
def test_the_database_refuses_any_change_to_a_published_version(published, change):
    before = json.dumps(version_document(published).__dict__, default=lambda o: o.__dict__, sort_keys=True)

    # update(), delete() and create() through querysets skip the model's save(): the database refuses.
    with pytest.raises(DatabaseError), transaction.atomic():
        change(published)

    after = json.dumps(version_document(published).__dict__, default=lambda o: o.__dict__, sort_keys=True)
    assert after == before


def test_deleting_a_lens_removes_its_published_versions(published):
    lens_delete(lens=published.lens)
    assert not Choice.objects.filter(version_id=published.pk).exists()
    assert not LensVersion.objects.filter(pk=published.pk).exists()


def test_the_built_in_lens_cannot_be_deleted():
    with pytest.raises(LensActionRefused, match="built-in"):
        lens_delete(lens=Lens.objects.get(alias="ml-lens-2021"))


def test_the_version_difference_lists_new_updated_and_deleted_elements(alice):
    old = lens_document(questions=3)
    new = clone(old)
    pillar = new["pillars"][0]
    pillar["name"] = "Renamed pillar"
    pillar["questions"][0]["title"] = "A clearer title?"
    pillar["questions"][0]["choices"][1]["improvementPlan"]["displayText"] = "A better plan"
    del pillar["questions"][0]["choices"][2]
    pillar["questions"][0]["riskRules"] = [
        {"condition": "P1Q1_BP1 && P1Q1_BP2", "risk": "NO_RISK"},
        {"condition": "default", "risk": "HIGH_RISK"},
    ]
    del pillar["questions"][2]
    pillar["questions"].append(question("P1Q9"))
    new["pillars"].append({"id": "extra", "name": "Extra", "questions": [question("EXQ1", practices=2)]})

    before = lens_import(source=json.dumps(old), owner=alice)
    lens_publish(lens=before.lens, label="1", major=True)
    after = lens_import(source=json.dumps(new), owner=alice, alias=before.lens.alias)
    changes = version_diff(version_document(before.version), version_document(after.version))

    summary = {(c.kind, c.status, c.question_id, c.choice_id): c.fields for c in changes}
    assert summary == {
        ("pillar", Status.UPDATED, None, None): ("name",),
        ("question", Status.UPDATED, "P1Q1", None): ("title", "riskRules"),
        ("choice", Status.UPDATED, "P1Q1", "P1Q1_BP2"): ("improvementPlan",),
        ("choice", Status.DELETED, "P1Q1", "P1Q1_BP3"): (),
        ("question", Status.NEW, "P1Q9", None): (),
        **{("choice", Status.NEW, "P1Q9", f"P1Q9_{c}"): () for c in ("BP1", "BP2", "BP3", "no")},
        ("pillar", Status.NEW, None, None): (),
        ("question", Status.NEW, "EXQ1", None): (),
        **{("choice", Status.NEW, "EXQ1", f"EXQ1_{c}"): () for c in ("BP1", "BP2", "no")},
        ("question", Status.DELETED, "P1Q3", None): (),
        **{("choice", Status.DELETED, "P1Q3", f"P1Q3_{c}"): () for c in ("BP1", "BP2", "BP3", "no")},
    }


def test_a_version_difference_ignores_whitespace_in_conditions(alice):
    old = lens_document()
    new = clone(old)
    rule = new["pillars"][0]["questions"][0]["riskRules"][0]
    rule["condition"] = "  " + rule["condition"].replace(" && ", "&&") + " "
    assert (
        version_diff(*(version_document(lens_import(source=json.dumps(d)).version) for d in (old, new))) == []
    )


def test_deleting_lenses_by_queryset_also_retires_their_published_versions(published):
    Lens.objects.filter(pk=published.lens_id).delete()
    assert not LensVersion.objects.filter(pk=published.pk).exists()


def test_an_unused_published_version_can_be_deleted_alone_but_not_its_content(published):
    with pytest.raises(DatabaseError), transaction.atomic():
        Question.objects.filter(version=published).delete()

    LensVersion.objects.get(pk=published.pk).delete()

    assert not Question.objects.filter(version_id=published.pk).exists()
