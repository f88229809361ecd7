"""reviews.services for the lenses on a workload: apply, remove, annotate; and a lens version in use,
which cannot be deleted."""

import pytest

from lens.models import BUILTIN_ALIAS, Lens, LensVersion, Question
from lens.selectors import latest_published_version
from lens.services import LensInUse, lens_delete, lens_import, lens_publish
from reviews.models import Answer, AnswerChange, LensReview, WorkloadEvent
from reviews.services import (
    InvalidInput,
    lens_review_apply,
    lens_review_notes,
    lens_review_remove,
)
from tests.factories import answered, imported_lens, lens_document, workload

Kind = WorkloadEvent.Kind


# --- lens reviews ------------------------------------------------------------------------------------


def test_applying_a_lens_adds_an_unanswered_answer_per_question_and_logs_it(alice):
    fraud = workload(alice)
    lens = imported_lens(
        owner=alice, document=lens_document("Extra lens", pillars=2, questions=2), publish="v1"
    )
    version = latest_published_version(lens)

    review = lens_review_apply(workload=fraud, lens_version=version, actor=alice)

    assert (review.lens, review.lens_version) == (lens, version)
    assert sorted(review.answers.values_list("question__question_id", "risk")) == [
        ("P1Q1", "UNANSWERED"),
        ("P1Q2", "UNANSWERED"),
        ("P2Q1", "UNANSWERED"),
        ("P2Q2", "UNANSWERED"),
    ]
    event = WorkloadEvent.objects.filter(workload=fraud, kind=Kind.LENS_APPLIED).order_by("pk").last()
    assert event.data == {"lens": lens.alias, "version": "v1"}
    assert fraud.lens_reviews.count() == 2


def test_a_draft_cannot_be_applied(alice):
    fraud = workload(alice, lenses=[])
    draft = lens_import(source=lens_document("Draft lens"), owner=alice).version
    events = WorkloadEvent.objects.count()

    with pytest.raises(InvalidInput) as refused:
        lens_review_apply(workload=fraud, lens_version=draft, actor=alice)

    assert list(refused.value.errors) == ["lens"]
    assert not fraud.lens_reviews.exists()
    assert WorkloadEvent.objects.count() == events


def test_a_lens_cannot_be_applied_twice_even_in_another_version(alice):
    lens = imported_lens(owner=alice, publish="1")
    fraud = workload(alice, lenses=[lens])
    lens_import(source=lens_document(), owner=alice, alias=lens.alias)
    second = lens_publish(lens=lens, label="2", major=False)
    answers, events = Answer.objects.count(), WorkloadEvent.objects.count()

    for version in (latest_published_version(lens), second, LensVersion.objects.get(lens=lens, label="1")):
        with pytest.raises(InvalidInput) as refused:
            lens_review_apply(workload=fraud, lens_version=version, actor=alice)
        assert list(refused.value.errors) == ["lens"]

    assert fraud.lens_reviews.count() == 1
    assert (Answer.objects.count(), WorkloadEvent.objects.count()) == (answers, events)


def test_removing_a_lens_deletes_its_answers_and_their_changes_and_logs_it(shared_workload):
    fraud = shared_workload.workload
    review = shared_workload.review
    answer = answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_no"]
    )
    extra = imported_lens(owner=shared_workload.owner)
    kept = lens_review_apply(
        workload=fraud, lens_version=latest_published_version(extra), actor=shared_workload.owner
    )

    lens_review_remove(lens_review=review, actor=shared_workload.owner)

    assert list(fraud.lens_reviews.all()) == [kept]
    assert not Answer.objects.filter(lens_review_id=review.pk).exists()
    assert not AnswerChange.objects.filter(answer_id=answer.pk).exists()
    assert kept.answers.count() == 2
    event = WorkloadEvent.objects.filter(workload=fraud, kind=Kind.LENS_REMOVED).get()
    assert (event.data, event.actor) == (
        {"lens": BUILTIN_ALIAS, "version": review.lens_version.label},
        shared_workload.owner,
    )


def test_lens_and_pillar_notes_are_set_and_logged_once(shared_workload):
    review = shared_workload.review

    lens_review_notes(
        lens_review=review,
        actor=shared_workload.owner,
        notes="Reviewed in March.",
        pillar_notes={"security": "Keys in KMS.", "reliability": "Two regions."},
    )

    review.refresh_from_db()
    assert review.notes == "Reviewed in March."
    assert review.pillar_notes == {"security": "Keys in KMS.", "reliability": "Two regions."}
    event = WorkloadEvent.objects.get(workload=review.workload, kind=Kind.LENS_NOTES)
    assert (event.data, event.actor) == ({"lens": BUILTIN_ALIAS}, shared_workload.owner)


def test_empty_text_clears_a_pillar_note_and_other_notes_stay(shared_workload):
    review = shared_workload.review
    lens_review_notes(
        lens_review=review,
        actor=shared_workload.owner,
        notes="Kept.",
        pillar_notes={"security": "a", "reliability": "b"},
    )

    lens_review_notes(lens_review=review, actor=shared_workload.owner, pillar_notes={"security": ""})

    review.refresh_from_db()
    assert (review.notes, review.pillar_notes) == ("Kept.", {"reliability": "b"})
    assert WorkloadEvent.objects.filter(workload=review.workload, kind=Kind.LENS_NOTES).count() == 2


def test_notes_that_change_nothing_are_not_logged(shared_workload):
    review = shared_workload.review
    lens_review_notes(
        lens_review=review, actor=shared_workload.owner, notes="Same.", pillar_notes={"security": "a"}
    )

    lens_review_notes(
        lens_review=review,
        actor=shared_workload.owner,
        notes="Same.",
        pillar_notes={"security": "a", "reliability": ""},
    )

    assert WorkloadEvent.objects.filter(workload=review.workload, kind=Kind.LENS_NOTES).count() == 1


def test_the_longest_notes_are_accepted(shared_workload):
    review = lens_review_notes(
        lens_review=shared_workload.review,
        actor=shared_workload.owner,
        notes="n" * 2084,
        pillar_notes={"security": "s" * 2084},
    )

    review.refresh_from_db()
    assert (len(review.notes), len(review.pillar_notes["security"])) == (2084, 2084)


@pytest.mark.parametrize(
    ("notes", "pillar_notes", "path"),
    [
        (None, {"security": "fine", "pillar1": "unknown"}, "pillar_notes.pillar1"),
        ("fine", {"Security": "ids are case-sensitive"}, "pillar_notes.Security"),
    ],
    ids=["unknown-pillar", "case"],
)
def test_bad_notes_are_refused_naming_the_field_and_nothing_changes(
    shared_workload, notes, pillar_notes, path
):
    review = shared_workload.review
    lens_review_notes(
        lens_review=review, actor=shared_workload.owner, notes="Before.", pillar_notes={"security": "b"}
    )
    events = WorkloadEvent.objects.count()

    with pytest.raises(InvalidInput) as refused:
        lens_review_notes(
            lens_review=review, actor=shared_workload.owner, notes=notes, pillar_notes=pillar_notes
        )

    assert (list(refused.value.errors), refused.value.code) == ([path], "unknown_reference")
    assert LensReview.objects.filter(pk=review.pk).values("notes", "pillar_notes").get() == {
        "notes": "Before.",
        "pillar_notes": {"security": "b"},
    }
    assert WorkloadEvent.objects.count() == events


# --- a lens in use ------------------------------------------------------------------------------------


def test_a_lens_that_a_review_uses_cannot_be_deleted(alice):
    lens = imported_lens(owner=alice)
    review = workload(alice, lenses=[lens]).lens_reviews.get()

    with pytest.raises(LensInUse) as refused:
        lens_delete(lens=lens)

    assert refused.value.code == "in_use"
    version = LensVersion.objects.get(pk=review.lens_version_id)
    assert version.status == LensVersion.Status.PUBLISHED  # not left RETIRING
    assert Question.objects.filter(version=version).count() == 2
    assert review.answers.count() == 2


def test_a_lens_can_be_deleted_once_no_review_uses_it(alice):
    lens = imported_lens(owner=alice)
    review = workload(alice, lenses=[lens]).lens_reviews.get()
    lens_review_remove(lens_review=review, actor=alice)

    lens_delete(lens=lens)

    assert not Lens.objects.filter(pk=lens.pk).exists()
