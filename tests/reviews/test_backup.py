"""Backup and restore of a workload (issue 7): on the same instance, refusals, lenses, queries."""

import pytest
from django.db import IntegrityError, transaction

from lens.format import write_lens
from lens.models import Lens, LensVersion
from lens.rows import load_document
from mlwa.errors import InvalidInput
from reviews.backup import AlreadyRestored, NewerSchema, workload_export, workload_restore
from reviews.backup.lens_files import lens_files
from reviews.demo import DEMO_WORKLOAD, demo_workload
from reviews.models import Answer, Milestone, MilestoneAnswer, MilestoneLensReview, Workload
from reviews.services import lens_review_apply
from tests import factories
from tests.reviews.backups import backup_of, custom_lens_workload, normalised, recounted, stored_counts
from tests.reviews.stored import database_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(alice):
    return demo_workload(owner=alice)


def test_restoring_on_the_same_instance_suffixes_the_name_and_uses_the_same_lens_version(alice, demo):
    document = backup_of(demo, alice)
    versions = LensVersion.objects.count()

    result = workload_restore(document=document, user=alice)

    assert result.workload.name == f"{DEMO_WORKLOAD} (restored)"
    assert result.workload.lens_reviews.get().lens_version == demo.lens_reviews.get().lens_version
    assert LensVersion.objects.count() == versions
    assert result.lenses_created == []
    assert normalised(result.workload) == normalised(demo)
    assert stored_counts(result.workload) == recounted(result.workload)


def test_the_same_backup_is_refused_the_second_time_unless_restored_as_a_copy(alice, bob, demo):
    document = backup_of(demo, alice)
    workload_restore(document=document, user=bob)
    before = database_state()

    with pytest.raises(AlreadyRestored, match="restored on this instance already"):
        workload_restore(document=document, user=alice)
    assert database_state() == before

    copy_one = workload_restore(document=document, user=bob, as_copy=True)
    copy_two = workload_restore(document=document, user=bob, as_copy=True)
    assert (copy_one.workload.name, copy_two.workload.name) == (
        f"{DEMO_WORKLOAD} (restored)",
        f"{DEMO_WORKLOAD} (restored 2)",
    )
    assert copy_one.workload.restored_from_document is None


def test_a_backup_of_a_newer_schema_is_refused_with_its_version_named(alice, demo):
    document = backup_of(demo, alice)
    document["schema_version"] = 3
    before = database_state()
    with pytest.raises(NewerSchema, match="schema_version 3, newer than the 2"):
        workload_restore(document=document, user=alice, as_copy=True)
    assert database_state() == before


def _set(path: str, value):
    """A change to the document: `value` at `path` (keys and list indexes, dot-separated)."""

    def change(document):
        *parents, last = path.split(".")
        target = document
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value

    return change


def _drop(path: str):
    def change(document):
        *parents, last = path.split(".")
        target = document
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        del target[last]

    return change


MALFORMED = [
    (_set("format", "something else"), "format"),
    (_set("document_id", "not-a-uuid"), "document_id"),
    (_drop("workload.name"), "workload.name"),
    (_set("workload.environment", "MOON"), "workload.environment"),
    (_set("lens_reviews.0.answers.3.risk", "DIRE"), "lens_reviews[0].answers[3].risk"),
    (
        _set("lens_reviews.0.answers.2.selected_choices", ["NO_SUCH_CHOICE"]),
        "lens_reviews[0].answers[2].selected_choices",
    ),
    (_set("lens_reviews.0.answers.1.updated_at", "yesterday"), "lens_reviews[0].answers[1].updated_at"),
    (_set("lens_reviews.0.content_hash", "0" * 64), "lens_reviews[0].content_hash"),
    (_set("lens_versions.0.file.name", "Tampered"), "lens_versions[0].content_hash"),
    (_set("lens_versions.0.file.pillars", "none"), "lens_versions[0].file.pillars"),
    (_set("audit_trail.0.question_id", "NOPE"), "audit_trail[0].question_id"),
    (_set("events.0.at", 12), "events[0].at"),
    (
        _set("milestones.1.lens_reviews.0.answers.0.question_id", "NOPE"),
        "milestones[1].lens_reviews[0].answers[0].question_id",
    ),
    (_set("milestones.1.number", 1), "milestones[1].number"),
    (_set("milestones.0.totals.high", -1), "milestones[0].totals.high"),
    (_set("improvement_items.0.status", "SOMEDAY"), "improvement_items[0].status"),
    (_set("shares", {"user": "bob"}), "shares"),
    (_set("lens_reviews.0.notes", "a\x00b"), "lens_reviews[0].notes"),
    (_set("lens_versions.0.label", "draft"), "lens_versions[0].label"),
    (_set("audit_trail.0.before", "everything"), "audit_trail[0].before"),
    (_set("audit_trail.0.after.selected_choices", "MLOPS01_BP01"), "audit_trail[0].after.selected_choices"),
    (
        _set("milestones.0.workload_fields.architectural_design_url", 5),
        "milestones[0].workload_fields.architectural_design_url",
    ),
]


@pytest.mark.parametrize(("change", "path"), MALFORMED, ids=[path for _change, path in MALFORMED])
def test_a_malformed_backup_is_refused_naming_the_path_and_nothing_is_written(alice, demo, change, path):
    document = backup_of(demo, alice)
    change(document)
    before = database_state()
    with pytest.raises(InvalidInput) as refused:
        workload_restore(document=document, user=alice, as_copy=True)
    assert list(refused.value.errors) == [path]
    assert database_state() == before


def test_a_lens_the_restorer_cannot_see_is_imported_as_their_own_with_every_version_needed(alice, bob):
    workload, lens = custom_lens_workload(alice)
    document = backup_of(workload, alice)

    result = workload_restore(document=document, user=bob)

    [alias] = result.lenses_created
    copy_of = Lens.objects.get(alias=alias)
    assert copy_of.owner == bob
    assert copy_of != lens
    labels = list(copy_of.versions.order_by("published_at").values_list("label", "kind", "status"))
    assert labels == [("1", "MAJOR", "PUBLISHED"), ("2", "MAJOR", "PUBLISHED")]
    assert result.workload.lens_reviews.get().lens == copy_of
    assert normalised(result.workload) == normalised(workload)


def test_a_lens_the_restorer_may_see_is_used_as_it_is(alice):
    workload, lens = custom_lens_workload(alice)
    document = backup_of(workload, alice)
    lenses = Lens.objects.count()

    result = workload_restore(document=document, user=alice)

    assert result.lenses_created == []
    assert Lens.objects.count() == lenses
    assert result.workload.lens_reviews.get().lens == lens
    assert {r.lens for r in MilestoneLensReview.objects.filter(milestone__workload=result.workload)} == {lens}


def test_the_restored_milestones_are_frozen_like_any_other(alice, demo):
    restored = workload_restore(document=backup_of(demo, alice), user=alice).workload
    milestone = restored.milestones.get(number=1)
    assert milestone.sealed
    with pytest.raises(IntegrityError, match="milestones cannot change"), transaction.atomic():
        MilestoneAnswer.objects.filter(milestone=milestone).update(notes="Rewritten")
    with pytest.raises(IntegrityError, match="milestones cannot change"), transaction.atomic():
        Milestone.objects.filter(pk=milestone.pk).update(created_by_name="mallory")
    frozen = MilestoneAnswer.objects.filter(milestone=milestone).first()
    frozen.pk = None
    frozen.lens_review = MilestoneLensReview.objects.get(milestone=restored.milestones.get(number=2))
    frozen.milestone_id = frozen.lens_review.milestone_id
    with pytest.raises(IntegrityError, match="milestones cannot change"), transaction.atomic():
        frozen.save()


def _export_queries(workload, user, django_assert_num_queries, count):
    workload = Workload.objects.select_related("owner").get(pk=workload.pk)
    with django_assert_num_queries(count):
        workload_export(workload=workload, actor=user)


# savepoint; lens reviews, answers, audit trail; milestones, frozen reviews, answers, counts;
# events, improvement items, shares; the lens versions' content (five tables); the event; release.
EXPORT_QUERIES = 18


def test_an_export_costs_the_same_queries_for_a_new_and_a_full_workload(
    alice, demo, django_assert_num_queries
):
    new = factories.workload(alice, "New")
    _export_queries(new, alice, django_assert_num_queries, EXPORT_QUERIES)
    _export_queries(demo, alice, django_assert_num_queries, EXPORT_QUERIES)
    assert demo.milestones.count() == 2
    assert demo.events.count() > 3
    # Two lenses, one of them at two versions (milestone 1 keeps the first).
    upgraded, _lens = custom_lens_workload(alice)
    lens_review_apply(workload=upgraded, lens_version=new.lens_reviews.get().lens_version, actor=alice)
    _export_queries(upgraded, alice, django_assert_num_queries, EXPORT_QUERIES)
    assert len(backup_of(upgraded, alice)["lens_versions"]) == 3


def test_each_embedded_lens_file_is_the_file_lens_export_writes(alice):
    custom_lens_workload(alice)
    versions = list(LensVersion.objects.filter(status=LensVersion.Status.PUBLISHED))
    assert len(versions) == 3  # the built-in lens, and the custom lens's two versions
    files = lens_files(versions)
    assert files == {version.pk: write_lens(load_document(version)) for version in versions}


def test_a_name_kept_by_a_restore_gives_way_to_the_next_writer(alice, bob, demo, django_user_model):
    restored = workload_restore(document=backup_of(demo, alice), user=bob).workload
    answer = restored.lens_reviews.get().answers.filter(version__gt=0).select_related("question").first()
    assert (answer.updated_by, answer.updated_by_name) == (None, "alice")

    written = factories.answered(answer, actor=bob, notes="Checked after the restore.")

    assert (written.updated_by_username, written.updated_by_name) == ("bob", None)
    bob_id = bob.pk
    restored.owner = django_user_model.objects.create_user("carol")  # bob's workload outlives him
    restored.save(update_fields=["owner"])
    bob.delete()  # the name must not come back: it was alice's, and bob wrote last
    assert Answer.objects.get(pk=answer.pk).updated_by_username is None
    assert not Answer.objects.filter(updated_by_id=bob_id).exists()
