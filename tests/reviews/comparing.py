"""Helpers of the comparison tests (tests/reviews/test_compare.py, test_views_compare.py): the shared
workload answered as BEFORE, saved as milestone 1, then changed as AFTER; a larger workload; counting
queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from lens.models import BUILTIN_ALIAS
from reviews.models import Answer
from reviews.services import lens_review_apply
from reviews.services.milestones import milestone_create
from tests import factories

OUT_OF_SCOPE = {"reason": "OUT_OF_SCOPE", "notes": ""}

#: The answers before (milestone 1), and what changes after, with what the comparison must say.
BEFORE = {
    "MLOPS01": {"selected_choices": ["MLOPS01_no"]},  # HIGH
    "MLOPS02": {"selected_choices": ["MLOPS02_BP01"]},  # MEDIUM
    "MLOPS03": {"selected_choices": ["MLOPS03_BP01", "MLOPS03_BP02", "MLOPS03_BP03", "MLOPS03_BP04"]},
    "MLSEC01": {"selected_choices": ["MLSEC01_BP01", "MLSEC01_BP02"], "notes": "Reviewed by security."},
    "MLSEC02": {"selected_choices": ["MLSEC02_no"]},  # HIGH
    "MLREL01": {"selected_choices": ["MLREL01_BP01"]},  # MEDIUM
    "MLREL02": {"is_applicable": False, "reason": "OUT_OF_SCOPE"},  # NOT_APPLICABLE
    "MLCOST01": {"selected_choices": ["MLCOST01_BP02"]},  # MEDIUM
}
AFTER = {
    "MLOPS01": {"selected_choices": ["MLOPS01_BP01"]},  # MEDIUM: improved
    "MLOPS02": {"selected_choices": ["MLOPS02_no"]},  # HIGH: regressed
    "MLSEC01": {"notes": "Reviewed again."},  # notes only
    "MLSEC02": {"selected_choices": []},  # UNANSWERED: no longer a risk, so improved
    "MLREL01": {"not_applicable_choices": {"MLREL01_BP03": OUT_OF_SCOPE}},  # still MEDIUM
    "MLREL02": {"is_applicable": True},  # NOT_APPLICABLE -> UNANSWERED: unchanged, yet changed
    "MLCOST01": {"selected_choices": ["MLCOST01_BP02", "MLCOST01_BP03"]},  # still MEDIUM
}


def builtin_answer(shared, question_id: str) -> Answer:
    """The answer to `question_id` of the built-in lens (`shared.answer` expects one lens only)."""
    return Answer.objects.select_related("question").get(
        lens_review__workload=shared.workload,
        lens_review__lens__alias=BUILTIN_ALIAS,
        question__question_id=question_id,
    )


def answer_all(shared, answers: dict) -> None:
    for question_id, changes in answers.items():
        factories.answered(builtin_answer(shared, question_id), actor=shared.owner, **changes)


def save(shared, name: str):
    return milestone_create(workload=shared.workload, actor=shared.owner, name=name)


def changed_since_milestone(shared):
    """The shared workload answered as BEFORE, saved as milestone 1, then changed as AFTER: the
    workload and milestone 1."""
    answer_all(shared, BEFORE)
    first = save(shared, "Before")
    answer_all(shared, AFTER)
    return shared, first


def grow(shared, milestones: int = 0) -> None:
    """A larger workload: a lens of 3 pillars x 8 questions more, every question answered."""
    owner = shared.owner
    big = factories.imported_lens(
        owner=owner, document=factories.lens_document("Big", pillars=3, questions=8)
    )
    review = lens_review_apply(workload=shared.workload, lens_version=big.versions.get(), actor=owner)
    for answer in review.answers.select_related("question"):
        factories.answered(answer, actor=owner, selected_choices=[f"{answer.question.question_id}_BP1"])
    for number in range(milestones):
        save(shared, f"More {number}")


def queries_of(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)
