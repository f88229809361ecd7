"""PillarRiskCounts, kept by database triggers, always equals what the answers say, whatever code
writes the answers: services, bulk creation, queryset updates, deletes and cascades."""

import pytest
from django.db.models import Count, Q

from reviews.models import Answer, PillarRiskCounts
from reviews.services import answer_update, lens_review_remove, workload_delete
from tests import factories

pytestmark = pytest.mark.django_db

RISKS = ("high", "medium", "none", "not_applicable", "unanswered")


def counted() -> dict:
    """(review, pillar) → counts, from the answers themselves."""
    rows = (
        Answer.objects.values_list("lens_review_id", "question__pillar_id")
        .annotate(**{risk: Count("pk", filter=Q(risk=risk.upper())) for risk in RISKS})
        .order_by()
    )
    return {(row[0], row[1]): row[2:] for row in rows}


def kept() -> dict:
    """(review, pillar) → counts, as the triggers kept them; rows of nothing left out."""
    rows = PillarRiskCounts.objects.values_list("lens_review_id", "pillar_id", *RISKS)
    return {(row[0], row[1]): row[2:] for row in rows if any(row[2:])}


def test_counts_follow_every_kind_of_write(shared_workload):
    owner = shared_workload.owner
    lens = factories.imported_lens(owner=owner, document=factories.lens_document("Two", pillars=2))
    other = factories.workload(owner, "Other", lenses=[lens])
    assert kept() == counted()
    assert PillarRiskCounts.objects.filter(lens_review__workload=other).count() == 2  # made with the review

    answer_update(
        answer=shared_workload.answer("MLOPS01"),
        actor=owner,
        changes={"selected_choices": ["MLOPS01_no"]},
        expected_version=0,
    )
    answer_update(
        answer=shared_workload.answer("MLOPS02"),
        actor=owner,
        changes={"is_applicable": False},
        expected_version=0,
    )
    assert kept() == counted()
    high = PillarRiskCounts.objects.get(
        lens_review=shared_workload.review, pillar=shared_workload.answer("MLOPS01").question.pillar
    )
    assert high.high == 1

    Answer.objects.filter(lens_review__workload=other).update(risk=Answer.Risk.MEDIUM)  # no service
    assert kept() == counted()
    Answer.objects.filter(pk=shared_workload.answer("MLOPS02").pk).delete()
    assert kept() == counted()

    lens_review_remove(lens_review=other.lens_reviews.get(), actor=owner)
    assert not PillarRiskCounts.objects.filter(lens_review__workload=other).exists()
    workload_delete(workload=shared_workload.workload, actor=owner)
    assert not PillarRiskCounts.objects.exists()
    assert kept() == counted() == {}


def test_bulk_created_answers_count_too(shared_workload):
    review = shared_workload.review
    answers = list(review.answers.all())
    Answer.objects.filter(lens_review=review).delete()
    assert kept() == {}
    Answer.objects.bulk_create(
        Answer(lens_review=review, question_id=answer.question_id, risk=Answer.Risk.HIGH)
        for answer in answers
    )
    assert kept() == counted()
    assert sum(row.high for row in PillarRiskCounts.objects.all()) == len(answers)
