"""reviews.api.answer_serializers.answer_detail, which the answer endpoints answer with, makes the
same JSON as AnswerDetailSerializer, the documented shape: the same keys in the same order and the
same values, for answers in every state and in any time zone."""

import json

import pytest

from reviews.api.answer_serializers import AnswerDetailSerializer, answer_detail
from reviews.api.answers import review_answers
from reviews.selectors.questionnaire import question_choices
from tests import factories

pytestmark = pytest.mark.django_db

STATES = {
    "never answered": {},
    "practices, some not applicable": {
        "selected_choices": ["MLSEC01_BP01"],
        "not_applicable_choices": {"MLSEC01_BP02": {"reason": "OUT_OF_SCOPE", "notes": "No secrets here."}},
        "notes": "Checked <b>twice</b> — ünïcode.",
    },
    "none of these": {"selected_choices": ["MLSEC01_no"]},
    "does not apply": {"is_applicable": False, "reason": "BUSINESS_PRIORITIES", "notes": "Batch only."},
}


@pytest.mark.parametrize("time_zone", ["UTC", "Pacific/Chatham"])
@pytest.mark.parametrize("state", list(STATES))
def test_answer_detail_is_the_serializers_json(settings, shared_workload, state, time_zone):
    settings.TIME_ZONE = time_zone
    if STATES[state]:
        factories.answered(
            shared_workload.answer("MLSEC01"), actor=shared_workload.contributor, **STATES[state]
        )
    answer = review_answers(shared_workload.review, descriptions=True).get(question__question_id="MLSEC01")
    choices = question_choices(answer.question)

    made = answer_detail(answer, choices)
    serialized = AnswerDetailSerializer(answer, context={"choices": choices}).data

    assert json.dumps(made) == json.dumps(serialized)
    assert made["updated_by"] == (None if not STATES[state] else "contributor")


def test_answer_detail_names_a_writer_kept_as_a_name(shared_workload, django_user_model):
    # A restored workload keeps people as names (reviews.backup): the name, where there is no user.
    answer = factories.answered(shared_workload.answer("MLSEC01"), actor=shared_workload.owner, notes="x")
    type(answer).objects.filter(pk=answer.pk).update(updated_by=None, updated_by_name="someone-gone")
    answer = review_answers(shared_workload.review, descriptions=True).get(question__question_id="MLSEC01")
    choices = question_choices(answer.question)

    assert answer_detail(answer, choices) == AnswerDetailSerializer(answer, context={"choices": choices}).data
    assert answer_detail(answer, choices)["updated_by"] == "someone-gone"
