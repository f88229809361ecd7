"""Saving a milestone (reviews.services.milestone_create): a frozen copy that nothing changes."""

import pytest
from django.db import IntegrityError, transaction

from reviews.models import (
    Milestone,
    MilestoneAnswer,
    MilestoneLensReview,
    MilestonePillarRiskCounts,
    Workload,
)
from reviews.services import InvalidInput, answer_update, workload_delete
from reviews.services.milestones import milestone_create, milestone_free_name

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
        milestone_create(workload=shared_workload.workload, actor=shared_workload.owner, name="review ")
    assert "name" in refused.value.errors
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
