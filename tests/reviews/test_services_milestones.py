"""Saving a milestone (reviews.services.milestones.milestone_create): a frozen copy that nothing changes."""

import pytest
from django.db import IntegrityError, transaction

from reviews.models import (
    ANSWER_FIELDS_FROZEN,
    Milestone,
    MilestoneAnswer,
    MilestoneLensReview,
    MilestonePillarRiskCounts,
    Workload,
)
from reviews.selectors.milestones import milestone_free_name
from reviews.services import WORKLOAD_FIELDS, InvalidInput, answer_update, workload_delete
from reviews.services.milestones import milestone_create

pytestmark = pytest.mark.django_db


def test_a_milestone_copies_answers_and_counts(shared_workload):
    answer = shared_workload.answer("MLOPS01")
    answer_update(
        answer=answer, actor=shared_workload.owner, changes={"selected_choices": []}, expected_version=0
    )
    milestone = milestone_create(workload=shared_workload.workload, actor=shared_workload.owner, name="First")
    assert milestone.number == 1
    assert milestone.sealed
    frozen = MilestoneAnswer.objects.filter(milestone=milestone)
    assert frozen.count() == shared_workload.review.answers.count()
    counts = MilestonePillarRiskCounts.objects.filter(milestone=milestone)
    assert sum(c.unanswered + c.high + c.medium + c.none + c.not_applicable for c in counts) == frozen.count()
    assert (
        milestone_create(workload=shared_workload.workload, actor=shared_workload.owner, name="Second").number
        == 2
    )


def test_names_are_unique_in_the_workload(shared_workload):
    milestone_create(workload=shared_workload.workload, actor=shared_workload.owner, name="Review")
    with pytest.raises(InvalidInput) as refused:
        milestone_create(workload=shared_workload.workload, actor=shared_workload.owner, name="review")
    assert (list(refused.value.errors), refused.value.code) == (["name"], "name_taken")
    assert milestone_free_name(workload=shared_workload.workload, name="REVIEW") == "REVIEW (2)"


@pytest.mark.parametrize(
    "change",
    [
        lambda m: Milestone.objects.filter(pk=m.pk).update(name="Changed"),
        lambda m: MilestoneAnswer.objects.filter(milestone=m).update(notes="Changed"),
        lambda m: MilestoneLensReview.objects.filter(milestone=m).update(notes="Changed"),
        lambda m: MilestonePillarRiskCounts.objects.filter(milestone=m).update(high=99),
        lambda m: MilestoneAnswer.objects.filter(milestone=m).delete(),
        lambda m: Milestone.objects.filter(pk=m.pk).delete(),
        lambda m: MilestoneAnswer.objects.create(
            milestone=m, lens_review=m.lens_reviews.get(), question_id=m.answers.first().question_id
        ),
    ],
)
def test_the_database_refuses_any_change(shared_workload, change):
    milestone = milestone_create(
        workload=shared_workload.workload, actor=shared_workload.owner, name="Frozen"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        change(milestone)


def test_milestones_go_with_their_workload(shared_workload):
    milestone_create(workload=shared_workload.workload, actor=shared_workload.owner, name="Frozen")
    workload_delete(workload=shared_workload.workload, actor=shared_workload.owner)
    assert not Workload.objects.exists()
    assert not Milestone.objects.exists()
    assert not MilestoneAnswer.objects.exists()


def test_a_milestone_copies_every_field_of_every_answer_and_of_the_workload(shared_workload):
    owner = shared_workload.owner
    answer_update(
        answer=shared_workload.answer("MLSEC01"),
        actor=shared_workload.contributor,
        changes={
            "selected_choices": ["MLSEC01_BP01"],
            "not_applicable_choices": {"MLSEC01_BP02": {"reason": "OTHER", "notes": "Later."}},
            "notes": "Half.",
        },
        expected_version=0,
    )
    answer_update(
        answer=shared_workload.answer("MLOPS01"),
        actor=owner,
        changes={"is_applicable": False, "reason": "OUT_OF_SCOPE"},
        expected_version=0,
    )

    milestone = milestone_create(workload=shared_workload.workload, actor=owner, name="Copy")

    live = shared_workload.review.answers.order_by("question_id").values(*ANSWER_FIELDS_FROZEN)
    frozen = milestone.answers.order_by("question_id").values(*ANSWER_FIELDS_FROZEN)
    assert list(frozen) == list(live)
    (review,) = milestone.lens_reviews.all()
    assert (review.lens_version_id, review.applied_at) == (
        shared_workload.review.lens_version_id,
        shared_workload.review.applied_at,
    )
    # `regions` too: the one list milestones saved before AWS's split have (issue 17).
    assert milestone.workload_fields == {
        field: getattr(shared_workload.workload, field) for field in (*WORKLOAD_FIELDS, "regions")
    }
    # MLSEC01: BP02 does not apply, so BP01 is all it takes (no risk); MLOPS01 does not apply.
    totals = {risk: getattr(milestone, risk) for risk in ("high", "medium", "none", "not_applicable")}
    assert (totals, milestone.unanswered) == ({"high": 0, "medium": 0, "none": 1, "not_applicable": 1}, 12)
    assert milestone.created_by == owner
