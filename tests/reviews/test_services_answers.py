"""reviews.services.answer_update (DESIGN.md, "Writing answers without losing any"; LENS_FORMAT.md,
"Risk rules"): what a write stores, what it refuses, and the risk it computes.

Expected risks are computed apart from the service and from lens.risk: from the lens file by the
oracle of tests/lens/oracle.py, and, for a few answers, written out by hand."""

import json
from pathlib import Path

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lens.builtin
from reviews.models import Answer, AnswerChange
from reviews.services import answer_update
from tests.factories import answered
from tests.lens.oracle import question_oracle
from tests.reviews.stored import row

BUILTIN_QUESTIONS = [
    "MLOPS01",
    "MLOPS02",
    "MLOPS03",
    "MLSEC01",
    "MLSEC02",
    "MLSEC03",
    "MLREL01",
    "MLREL02",
    "MLPERF01",
    "MLPERF02",
    "MLPERF03",
    "MLCOST01",
    "MLCOST02",
    "MLCOST03",
]


#: The built-in lens's questions as its file states them, by id.
BUILTIN_FILE = json.loads((Path(lens.builtin.__file__).parent / "ml-lens-2021.json").read_text())
BUILTIN_QUESTION_FILES = {q["id"]: q for pillar in BUILTIN_FILE["pillars"] for q in pillar["questions"]}


def test_the_builtin_lens_questions_are_the_ones_these_tests_sample(shared_workload):
    ids = set(shared_workload.review.answers.values_list("question__question_id", flat=True))
    assert ids == set(BUILTIN_QUESTIONS)


# --- what an accepted write stores ----------------------------------------------------------------


def test_selected_practices_are_stored_in_lens_order_with_the_risk_their_rules_give(shared_workload):
    answer = shared_workload.answer("MLSEC03")

    saved = answered(
        answer, actor=shared_workload.contributor, selected_choices=["MLSEC03_BP04", "MLSEC03_BP01"]
    )

    assert saved.selected_choices == ["MLSEC03_BP01", "MLSEC03_BP04"]
    assert saved.risk == Answer.Risk.MEDIUM  # the lens file: BP01 || BP03 || BP04 -> medium
    stored = Answer.objects.get(pk=answer.pk)
    assert (stored.selected_choices, stored.risk) == (["MLSEC03_BP01", "MLSEC03_BP04"], "MEDIUM")


def test_a_practice_named_twice_is_stored_once(shared_workload):
    answer = shared_workload.answer("MLSEC01")

    saved = answered(answer, actor=shared_workload.owner, selected_choices=["MLSEC01_BP02", "MLSEC01_BP02"])

    assert saved.selected_choices == ["MLSEC01_BP02"]


@pytest.mark.parametrize(
    ("selected", "not_applicable", "risk"),
    [
        # MLSEC01: BP01 && BP02 -> no risk; BP01 -> medium; default -> high.
        (["MLSEC01_BP01", "MLSEC01_BP02"], [], "NONE"),
        (["MLSEC01_BP01"], [], "MEDIUM"),
        (["MLSEC01_BP02"], [], "HIGH"),
        (["MLSEC01_no"], [], "HIGH"),
        # A practice marked not applicable counts as followed.
        (["MLSEC01_BP01"], ["MLSEC01_BP02"], "NONE"),
        ([], ["MLSEC01_BP01"], "MEDIUM"),
        ([], ["MLSEC01_BP01", "MLSEC01_BP02"], "NONE"),
        (["MLSEC01_no"], ["MLSEC01_BP01"], "MEDIUM"),
        ([], [], "UNANSWERED"),
    ],
)
def test_the_risk_of_an_answer_to_mlsec01_is_what_its_rules_say(
    shared_workload, selected, not_applicable, risk
):
    answer = shared_workload.answer("MLSEC01")

    saved = answered(
        answer,
        actor=shared_workload.owner,
        selected_choices=selected,
        not_applicable_choices={choice_id: {"reason": "OUT_OF_SCOPE"} for choice_id in not_applicable},
    )

    assert saved.risk == risk
    # The table above agrees with the lens file, read by the independent oracle.
    assert (
        question_oracle(BUILTIN_QUESTION_FILES[answer.question.question_id])(
            set(selected), set(not_applicable)
        )
        == risk
    )


def test_an_accepted_write_bumps_the_version_and_records_who_and_when(shared_workload):
    answer = shared_workload.answer("MLSEC01")
    assert (answer.version, answer.updated_by, answer.updated_at) == (0, None, None)
    start = timezone.now()

    saved = answer_update(
        answer=answer,
        actor=shared_workload.contributor,
        changes={"selected_choices": ["MLSEC01_BP01"], "notes": "Keys rotate monthly."},
        expected_version=0,
        note="From the questionnaire.",
    )

    stored = Answer.objects.get(pk=answer.pk)
    assert (stored.version, stored.updated_by, stored.notes) == (
        1,
        shared_workload.contributor,
        "Keys rotate monthly.",
    )
    assert start <= stored.updated_at <= timezone.now()
    assert saved.version == 1
    change = AnswerChange.objects.get(answer=answer)
    assert (change.kind, change.version, change.changed_by, change.changed_at) == (
        AnswerChange.Kind.CHANGED,
        1,
        shared_workload.contributor,
        stored.updated_at,
    )
    assert change.note == "From the questionnaire."
    assert change.before == {
        "selected_choices": [],
        "not_applicable_choices": {},
        "is_applicable": True,
        "reason": "",
        "notes": "",
        "risk": "UNANSWERED",
    }
    assert change.after == {
        "selected_choices": ["MLSEC01_BP01"],
        "not_applicable_choices": {},
        "is_applicable": True,
        "reason": "",
        "notes": "Keys rotate monthly.",
        "risk": "MEDIUM",
    }


def test_each_accepted_write_adds_one_change_that_starts_where_the_last_one_ended(shared_workload):
    answer = shared_workload.answer("MLSEC01")

    answered(answer, actor=shared_workload.owner, expected_version=0, selected_choices=["MLSEC01_BP01"])
    answered(answer, actor=shared_workload.contributor, expected_version=1, selected_choices=["MLSEC01_BP02"])

    second, first = AnswerChange.objects.filter(answer=answer).order_by("-version")
    assert (first.version, second.version) == (1, 2)
    assert second.before == first.after
    assert second.after["selected_choices"] == ["MLSEC01_BP02"]
    assert Answer.objects.get(pk=answer.pk).version == 2


def test_a_write_that_changes_nothing_records_nothing_and_keeps_the_version(shared_workload):
    answer = answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_BP01"]
    )
    stored = row(answer)

    again = answer_update(
        answer=answer,
        actor=shared_workload.contributor,
        changes={"selected_choices": ["MLSEC01_BP01"], "notes": ""},
        expected_version=1,
    )

    assert again.version == 1
    assert row(answer) == stored
    assert AnswerChange.objects.filter(answer=answer).count() == 1


def test_a_write_of_notes_alone_keeps_the_practices_and_the_risk(shared_workload):
    answer = answered(
        shared_workload.answer("MLSEC01"),
        actor=shared_workload.owner,
        selected_choices=["MLSEC01_BP01"],
        not_applicable_choices={"MLSEC01_BP02": {"reason": "BUSINESS_PRIORITIES", "notes": "Later."}},
    )

    saved = answered(answer, actor=shared_workload.contributor, notes="Reviewed with the team.")

    assert saved.selected_choices == ["MLSEC01_BP01"]
    assert saved.not_applicable_choices == {
        "MLSEC01_BP02": {"reason": "BUSINESS_PRIORITIES", "notes": "Later."}
    }
    assert (saved.risk, saved.notes, saved.version) == ("NONE", "Reviewed with the team.", 2)
    assert AnswerChange.objects.get(answer=answer, version=2).after["selected_choices"] == ["MLSEC01_BP01"]


def test_a_practice_marked_not_applicable_without_a_reason_gets_the_reason_none(shared_workload):
    saved = answered(
        shared_workload.answer("MLSEC01"),
        actor=shared_workload.owner,
        not_applicable_choices={"MLSEC01_BP02": {}},
    )

    assert saved.not_applicable_choices == {"MLSEC01_BP02": {"reason": "NONE", "notes": ""}}


def test_practices_marked_not_applicable_are_stored_in_lens_order(shared_workload):
    saved = answered(
        shared_workload.answer("MLSEC03"),
        actor=shared_workload.owner,
        not_applicable_choices={"MLSEC03_BP04": {"reason": "OTHER"}, "MLSEC03_BP02": {"reason": "OTHER"}},
    )

    assert list(saved.not_applicable_choices) == ["MLSEC03_BP02", "MLSEC03_BP04"]


def test_deselecting_every_practice_leaves_the_question_unanswered(shared_workload):
    answer = answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_BP01"]
    )

    saved = answered(answer, actor=shared_workload.owner, selected_choices=[])

    assert (saved.risk, saved.version, saved.is_answered) == ("UNANSWERED", 2, False)


def test_a_question_that_does_not_apply_is_not_applicable_and_keeps_its_reason(shared_workload):
    answer = answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_BP01"]
    )

    saved = answered(answer, actor=shared_workload.owner, is_applicable=False, reason="OUT_OF_SCOPE")

    stored = Answer.objects.get(pk=answer.pk)
    assert (stored.is_applicable, stored.reason, stored.risk) == (False, "OUT_OF_SCOPE", "NOT_APPLICABLE")
    assert stored.selected_choices == ["MLSEC01_BP01"]  # kept, for when it applies again
    assert saved.risk == "NOT_APPLICABLE"

    notes_only = answered(answer, actor=shared_workload.owner, notes="Batch only.")

    assert (notes_only.reason, notes_only.risk) == ("OUT_OF_SCOPE", "NOT_APPLICABLE")


def test_a_question_that_applies_again_loses_its_reason_and_gets_its_practices_risk(shared_workload):
    answer = answered(
        shared_workload.answer("MLSEC01"),
        actor=shared_workload.owner,
        selected_choices=["MLSEC01_BP01"],
        is_applicable=False,
        reason="ARCHITECTURE_CONSTRAINTS",
    )

    saved = answered(answer, actor=shared_workload.owner, is_applicable=True)

    assert (saved.is_applicable, saved.reason, saved.risk) == (True, "", "MEDIUM")


def test_a_question_that_does_not_apply_may_go_without_a_reason(shared_workload):
    saved = answered(shared_workload.answer("MLSEC01"), actor=shared_workload.owner, is_applicable=False)

    assert (saved.reason, saved.risk) == ("", "NOT_APPLICABLE")


# --- the risk, for any answer -------------------------------------------------------------------------

#: What one practice of an answer is: followed, marked not applicable, or neither.
PRACTICE_STATES = st.sampled_from(["selected", "not_applicable", "neither"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_valid_answer_stores_the_risk_its_question_rules_give(shared_workload, data):
    question_id = data.draw(st.sampled_from(BUILTIN_QUESTIONS), label="question")
    answer = shared_workload.answer(question_id)
    choice_ids = list(answer.question.choices.order_by("position").values_list("choice_id", flat=True))
    practices = [choice_id for choice_id in choice_ids if not choice_id.endswith("_no")]
    states = data.draw(
        st.lists(PRACTICE_STATES, min_size=len(practices), max_size=len(practices)), label="states"
    )
    none_of_these = data.draw(st.booleans(), label="none of these") and f"{question_id}_no" in choice_ids
    selected = [
        c for c, state in zip(practices, states, strict=True) if state == "selected" and not none_of_these
    ]
    selected += [f"{question_id}_no"] if none_of_these else []
    not_applicable = [c for c, state in zip(practices, states, strict=True) if state == "not_applicable"]
    applicable = data.draw(st.sampled_from([True, True, True, False]), label="question applies")

    saved = answer_update(
        answer=answer,
        actor=shared_workload.contributor,
        changes={
            "selected_choices": list(reversed(selected)),
            "not_applicable_choices": {choice_id: {"reason": "OTHER"} for choice_id in not_applicable},
            "is_applicable": applicable,
        },
        expected_version=None,
    )

    # The risk the lens file's rules give, read by the independent oracle, not by lens.risk.
    expected = question_oracle(BUILTIN_QUESTION_FILES[question_id])(set(selected), set(not_applicable))
    assert saved.risk == (expected if applicable else "NOT_APPLICABLE")
    stored = Answer.objects.get(pk=answer.pk)
    assert stored.selected_choices == [c for c in choice_ids if c in selected]
    assert stored.risk == saved.risk
