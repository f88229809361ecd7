"""Issue 14: a restored backup is honest. Risks and milestone counts are computed, not taken from
the file; what a restore writes is marked as restored; improvement items of a lens the document does
not review, and values no database stores, are refused naming their path."""

import pytest
from django.db import IntegrityError, transaction

from lens.services import lens_import, lens_publish
from mlwa.errors import InvalidInput
from reviews.backup import workload_export, workload_restore
from reviews.demo import demo_workload
from reviews.models import (
    Answer,
    AnswerChange,
    ImprovementItem,
    Milestone,
    MilestoneAnswer,
    Workload,
    WorkloadEvent,
)
from reviews.services import lens_review_remove, lens_review_upgrade
from tests import factories
from tests.reviews.backups import backup_of, custom_lens_workload, recounted, stored_counts
from tests.reviews.backups_forged import FROZEN_RISK, LIVE_RISK, QUESTION, forge, milestone_counts_agree
from tests.reviews.stored import database_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(alice):
    return demo_workload(owner=alice)


def _warnings(result) -> list[tuple]:
    return [(w.path, w.stored, w.computed) for w in result.warnings]


def test_issue_14_a_forged_none_of_these_at_no_risk_restores_at_the_risk_its_rules_give(alice, bob, demo):
    result = workload_restore(document=forge(backup_of(demo, alice)), user=bob)

    answer = Answer.objects.get(lens_review__workload=result.workload, question__question_id=QUESTION)
    assert (answer.selected_choices, answer.risk) == ([f"{QUESTION}_no"], "HIGH")
    assert answer.updated_by_name == "carol"  # the document's name, marked as restored below
    frozen = MilestoneAnswer.objects.get(
        milestone__workload=result.workload, milestone__number=1, question__question_id=QUESTION
    )
    assert frozen.risk == "HIGH"
    assert LIVE_RISK in _warnings(result)
    assert FROZEN_RISK in _warnings(result)
    # The dashboards' counts follow the computed risk.
    assert stored_counts(result.workload) == recounted(result.workload)


def test_issue_14_forged_milestone_counts_restore_as_their_frozen_answers_count(alice, bob, demo):
    document = backup_of(demo, alice)
    honest = document["milestones"][1]
    expected_none, expected_high = (
        honest["totals"]["none"],
        honest["lens_reviews"][0]["pillar_counts"][0]["high"],
    )

    result = workload_restore(document=forge(document), user=bob)

    assert milestone_counts_agree(result.workload)
    assert Milestone.objects.get(workload=result.workload, number=2).none == expected_none
    warnings = _warnings(result)
    assert ("milestones[1].totals.none", 42, expected_none) in warnings
    assert ("milestones[1].lens_reviews[0].pillar_counts[0].high", 42, expected_high) in warnings
    # Milestone 1 froze MLOPS01 at another risk than HIGH: its counts are recomputed as well.
    assert all(path.startswith(("lens_reviews[0]", "milestones[")) for path, _s, _c in warnings)
    assert str(result.warnings[0]) == (
        "lens_reviews[0].answers[0].risk: The backup says NONE; restored as HIGH, as its answers compute."
    )
    event = result.workload.events.get(kind=WorkloadEvent.Kind.RESTORED)
    assert event.data["warnings"][0]["path"] == LIVE_RISK[0]
    assert f"{len(warnings)} risks or counts of the file disagreed" in event.summary


def test_a_backup_made_by_mlwa_restores_without_a_warning(alice, bob, demo):
    assert workload_restore(document=backup_of(demo, alice), user=bob).warnings == []
    upgraded, _lens = custom_lens_workload(alice)  # two versions of a lens, a milestone on the first
    assert workload_restore(document=backup_of(upgraded, alice), user=bob).warnings == []


def test_issue_14_what_a_restore_writes_is_marked_as_restored_by_whoever_restored_it(alice, bob, demo):
    restored = workload_restore(document=forge(backup_of(demo, alice)), user=bob).workload

    rows = [
        Answer.objects.filter(lens_review__workload=restored),
        AnswerChange.objects.filter(answer__lens_review__workload=restored),
        WorkloadEvent.objects.filter(workload=restored).exclude(kind=WorkloadEvent.Kind.RESTORED),
        Milestone.objects.filter(workload=restored),
        MilestoneAnswer.objects.filter(milestone__workload=restored),
    ]
    for queryset in rows:
        assert queryset.exists()
        assert set(queryset.values_list("restored_by", flat=True)) == {bob.pk}, queryset.model
        assert not queryset.filter(restored_at=None).exists(), queryset.model
    restoring = restored.events.get(kind=WorkloadEvent.Kind.RESTORED)
    assert (restoring.actor, restoring.restored_by, restoring.restored_at) == (bob, None, None)
    answer = Answer.objects.select_related("updated_by", "restored_by").get(
        lens_review__workload=restored, question__question_id=QUESTION
    )
    assert answer.updated_by_text == "carol, restored from a backup by bob"
    # Nothing of the original is marked.
    assert not Answer.objects.filter(lens_review__workload=demo).exclude(restored_by=None).exists()


def test_an_answer_written_after_the_restore_is_no_longer_restored(alice, bob, demo):
    restored = workload_restore(document=backup_of(demo, alice), user=bob).workload
    answer = Answer.objects.select_related("question").get(
        lens_review__workload=restored, question__question_id=QUESTION
    )

    written = factories.answered(answer, actor=bob, notes="Checked after the restore.")

    assert (written.restored_by, written.restored_at, written.updated_by_text) == (None, None, "bob")
    stored = Answer.objects.get(pk=answer.pk)
    assert (stored.restored_by_id, stored.restored_at) == (None, None)
    others = Answer.objects.filter(lens_review__workload=restored).exclude(pk=answer.pk)
    assert set(others.values_list("restored_by", flat=True)) == {bob.pk}


def test_the_restored_marks_of_a_milestone_are_frozen_but_a_deleted_restorer_is_cleared(
    alice, bob, demo, django_user_model
):
    restored = workload_restore(document=backup_of(demo, alice), user=bob).workload
    milestone = restored.milestones.get(number=1)
    for rows in (
        Milestone.objects.filter(pk=milestone.pk),
        MilestoneAnswer.objects.filter(milestone=milestone),
    ):
        with pytest.raises(IntegrityError, match="milestones cannot change"), transaction.atomic():
            rows.update(restored_by=alice)
        with pytest.raises(IntegrityError, match="milestones cannot change"), transaction.atomic():
            rows.update(restored_at=None)
    restored.owner = django_user_model.objects.create_user("carol")  # the workload outlives bob
    restored.save(update_fields=["owner"])

    bob.delete()

    milestone = Milestone.objects.select_related("restored_by").get(pk=milestone.pk)
    assert milestone.restored_by is None
    assert milestone.restored_at is not None
    assert milestone.created_by_text == "alice, restored from a backup"
    assert not MilestoneAnswer.objects.filter(milestone=milestone).exclude(restored_by=None).exists()


def test_issue_14_an_improvement_item_of_a_lens_the_backup_does_not_review_is_refused(alice, demo):
    document = backup_of(demo, alice)
    document["improvement_items"][0]["lens_alias"] = "someone-elses-lens"
    before = database_state()

    with pytest.raises(InvalidInput) as refused:
        workload_restore(document=document, user=alice, as_copy=True)

    assert refused.value.errors == {
        "improvement_items[0].lens_alias": ["Not a lens that this backup's workload reviews."]
    }
    assert database_state() == before


def test_the_items_of_a_lens_removed_since_are_not_exported_and_the_backup_restores(alice, demo):
    tracked = ImprovementItem.objects.get(workload=demo)
    lens_review_remove(lens_review=demo.lens_reviews.get(), actor=alice)
    assert ImprovementItem.objects.filter(pk=tracked.pk).exists()  # kept for a lens applied again

    document = workload_export(workload=Workload.objects.select_related("owner").get(pk=demo.pk), actor=alice)

    assert document["improvement_items"] == []
    workload_restore(document=backup_of(demo, alice), user=alice, as_copy=True)


def _set(document: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for key in parents:
        document = document[int(key)] if key.isdigit() else document[key]
    document[int(last) if last.isdigit() else last] = value


HOSTILE = [
    ("milestones.0.number", 2**31, "milestones[0].number"),
    ("milestones.0.number", 2**63, "milestones[0].number"),
    ("lens_reviews.0.answers.0.version", 2**31, "lens_reviews[0].answers[0].version"),
    ("lens_reviews.0.answers.0.version", 2**63, "lens_reviews[0].answers[0].version"),
    ("audit_trail.0.version", 2**63, "audit_trail[0].version"),
    ("improvement_items.0.version", 2**31, "improvement_items[0].version"),
    ("milestones.0.totals.high", 2**63, "milestones[0].totals.high"),
    (
        "milestones.0.lens_reviews.0.pillar_counts.0.none",
        2**31,
        "milestones[0].lens_reviews[0].pillar_counts[0].none",
    ),
    (
        "milestones.0.lens_reviews.0.answers.0.version",
        2**63,
        "milestones[0].lens_reviews[0].answers[0].version",
    ),
    ("events.0.at", "0001-01-01T00:00:00+05:00", "events[0].at"),
    (
        "lens_reviews.0.answers.0.updated_at",
        "9999-12-31T23:59:59-05:00",
        "lens_reviews[0].answers[0].updated_at",
    ),
    ("milestones.0.created_at", "0001-01-01T00:00:00+05:00", "milestones[0].created_at"),
    ("audit_trail.0.changed_at", "9999-12-31T23:59:59-05:00", "audit_trail[0].changed_at"),
    ("workload.created_at", "0001-01-01T00:00:00+05:00", "workload.created_at"),
    ("exported_at", "9999-12-31T23:59:59-05:00", "exported_at"),
    ("lens_reviews.0.applied_at", "2026-02-30T00:00:00+00:00", "lens_reviews[0].applied_at"),
    ("events.0.data", {"big": float("inf")}, "events[0].data.big"),
]


@pytest.mark.parametrize(("where", "value", "path"), HOSTILE, ids=[f"{p}={v}" for _w, v, p in HOSTILE])
def test_issue_14_a_value_no_database_stores_is_refused_naming_its_path(alice, demo, where, value, path):
    document = backup_of(demo, alice)
    _set(document, where, value)
    before = database_state()

    with pytest.raises(InvalidInput) as refused:
        workload_restore(document=document, user=alice, as_copy=True)

    assert list(refused.value.errors) == [path]
    assert database_state() == before


def test_a_lens_upgrade_that_changes_a_restored_answer_leaves_it_no_longer_restored(alice):
    lens = factories.imported_lens(owner=alice, document=factories.lens_document("Team lens"))
    workload = factories.workload(alice, lenses=[lens])
    for question_id, practice in (("P1Q1", "P1Q1_BP3"), ("P1Q2", "P1Q2_BP1")):
        answer = (
            workload.lens_reviews.get()
            .answers.select_related("question")
            .get(question__question_id=question_id)
        )
        factories.answered(answer, actor=alice, selected_choices=[practice])
    restored = workload_restore(document=backup_of(workload, alice), user=alice).workload
    lens_import(source=factories.lens_document("Team lens", practices=2), owner=alice, alias=lens.alias)
    lens_publish(lens=lens, label="2", major=True)

    lens_review_upgrade(lens_review=restored.lens_reviews.get(), actor=alice)

    answers = {
        a.question.question_id: a
        for a in Answer.objects.filter(lens_review__workload=restored).select_related("question")
    }
    changed, moved = answers["P1Q1"], answers["P1Q2"]  # the practice P1Q1_BP3 is gone in version 2
    assert (changed.selected_choices, changed.updated_by, changed.restored_by, changed.restored_at) == (
        [],
        alice,
        None,
        None,
    )
    assert (moved.selected_choices, moved.updated_by_name, moved.restored_by) == (
        ["P1Q2_BP1"],
        "alice",
        alice,
    )
