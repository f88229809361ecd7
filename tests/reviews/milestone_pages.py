"""Helpers of the milestone page tests (tests/reviews/test_views_milestones.py and
test_views_milestones_text_and_queries.py): an answer saved as the owner, a milestone saved, the
address of a milestone's question."""

from lens.models import BUILTIN_ALIAS
from reviews.services import answer_update
from reviews.services.milestones import milestone_create
from tests.reviews.pages import url


def save(shared, question_id, *, alias=BUILTIN_ALIAS, **changes):
    answer = shared.workload.lens_reviews.get(lens__alias=alias).answers.get(
        question__question_id=question_id
    )
    return answer_update(answer=answer, actor=shared.owner, changes=changes, expected_version=answer.version)


def milestone(shared, name="Before launch"):
    return milestone_create(workload=shared.workload, actor=shared.owner, name=name)


def question_url(shared, number, question_id="MLOPS01", alias=BUILTIN_ALIAS):
    return url("milestone-question", shared.workload, number, alias, question_id)
