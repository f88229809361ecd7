"""reviews.services.answer_update with `choice_updates` (the AWS Well-Architected API's ChoiceUpdates):
each choice named gets its status, the others stay as stored, inside the answer's row lock, so that
writers of different choices never lose each other's changes; every rule of a whole-field write
still holds, and each refusal names its path and changes nothing.

The built-in lens's MLSEC01: BP01 && BP02 -> no risk; BP01 -> medium; anything else -> high; its
"None of these" is MLSEC01_no."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews.api.answer_serializers import validated_answer_changes
from reviews.models import Answer, AnswerChange
from reviews.services import InvalidInput, StaleAnswer, answer_update
from reviews.services.answers import ANSWER_FIELDS
from tests.factories import answered
from tests.reviews.stored import row

CU = "choice_updates"


def update(answer, actor, expected_version=None, **choices):
    """`answer` after a write of `choice_updates` only: {choice id: {"status": ...}}."""
    return answer_update(
        answer=answer,
        actor=actor,
        changes=validated_answer_changes({CU: choices}),
        expected_version=expected_version,
    )


# --- what an accepted update stores ---------------------------------------------------------------


def test_selecting_a_choice_adds_it_to_the_stored_ones_and_the_risk_follows(shared_workload):
    answer = answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_BP01"]
    )
    assert answer.risk == Answer.Risk.MEDIUM

    saved = update(answer, shared_workload.contributor, MLSEC01_BP02={"status": "SELECTED"})

    stored = Answer.objects.get(pk=answer.pk)
    assert stored.selected_choices == ["MLSEC01_BP01", "MLSEC01_BP02"]
    assert (stored.risk, stored.version, stored.updated_by) == ("NONE", 2, shared_workload.contributor)
    assert saved.risk == "NONE"


def test_unselecting_a_choice_removes_it_whether_it_was_selected_or_not_applicable(shared_workload):
    answer = answered(
        shared_workload.answer("MLOPS01"),
        actor=shared_workload.owner,
        selected_choices=["MLOPS01_BP01", "MLOPS01_BP02"],
        not_applicable_choices={"MLOPS01_BP03": {"reason": "OTHER", "notes": "Batch only."}},
    )

    update(
        answer,
        shared_workload.owner,
        MLOPS01_BP01={"status": "UNSELECTED"},
        MLOPS01_BP03={"status": "UNSELECTED"},
    )

    stored = Answer.objects.get(pk=answer.pk)
    assert (stored.selected_choices, stored.not_applicable_choices) == (["MLOPS01_BP02"], {})
    assert stored.risk == "MEDIUM"  # BP01 || BP02


def test_marking_a_selected_choice_not_applicable_moves_it_with_its_reason_and_notes(shared_workload):
    answer = answered(
        shared_workload.answer("MLSEC01"),
        actor=shared_workload.owner,
        selected_choices=["MLSEC01_BP01", "MLSEC01_BP02"],
    )

    update(
        answer,
        shared_workload.owner,
        MLSEC01_BP02={"status": "NOT_APPLICABLE", "reason": "OUT_OF_SCOPE", "notes": "No secrets."},
    )

    stored = Answer.objects.get(pk=answer.pk)
    assert stored.selected_choices == ["MLSEC01_BP01"]
    assert stored.not_applicable_choices == {
        "MLSEC01_BP02": {"reason": "OUT_OF_SCOPE", "notes": "No secrets."}
    }
    assert stored.risk == "NONE"  # a practice that does not apply counts as followed


def test_a_not_applicable_choice_without_a_reason_gets_none_and_no_notes(shared_workload):
    saved = update(
        shared_workload.answer("MLSEC01"), shared_workload.owner, MLSEC01_BP02={"status": "NOT_APPLICABLE"}
    )

    assert saved.not_applicable_choices == {"MLSEC01_BP02": {"reason": "NONE", "notes": ""}}
    assert saved.risk == "HIGH"  # BP02 alone: the default rule


def test_an_update_of_a_not_applicable_choice_keeps_what_it_does_not_name(shared_workload):
    answer = answered(
        shared_workload.answer("MLSEC01"),
        actor=shared_workload.owner,
        not_applicable_choices={"MLSEC01_BP02": {"reason": "OTHER", "notes": "Kept."}},
    )

    update(answer, shared_workload.owner, MLSEC01_BP02={"status": "NOT_APPLICABLE", "reason": "OUT_OF_SCOPE"})
    assert row(answer)["not_applicable_choices"] == {
        "MLSEC01_BP02": {"reason": "OUT_OF_SCOPE", "notes": "Kept."}
    }

    update(answer, shared_workload.owner, MLSEC01_BP02={"status": "NOT_APPLICABLE", "notes": "Changed."})
    assert row(answer)["not_applicable_choices"] == {
        "MLSEC01_BP02": {"reason": "OUT_OF_SCOPE", "notes": "Changed."}
    }


def test_empty_reason_and_notes_are_accepted_beside_a_selected_choice(shared_workload):
    saved = update(
        shared_workload.answer("MLSEC01"),
        shared_workload.owner,
        MLSEC01_BP01={"status": "SELECTED", "reason": None, "notes": ""},
    )

    assert (saved.selected_choices, saved.not_applicable_choices) == (["MLSEC01_BP01"], {})


def test_choice_updates_apply_after_the_whole_fields_of_the_same_write(shared_workload):
    answer = answered(
        shared_workload.answer("MLOPS01"), actor=shared_workload.owner, selected_choices=["MLOPS01_BP04"]
    )

    saved = answer_update(
        answer=answer,
        actor=shared_workload.owner,
        changes={
            "selected_choices": ["MLOPS01_BP01", "MLOPS01_BP02"],
            "not_applicable_choices": {"MLOPS01_BP03": {"reason": "OTHER", "notes": ""}},
            CU: {"MLOPS01_BP02": {"status": "NOT_APPLICABLE"}, "MLOPS01_BP03": {"status": "SELECTED"}},
        },
        expected_version=None,
    )

    assert saved.selected_choices == ["MLOPS01_BP01", "MLOPS01_BP03"]
    assert saved.not_applicable_choices == {"MLOPS01_BP02": {"reason": "NONE", "notes": ""}}


def test_selecting_none_of_these_alone_is_accepted(shared_workload):
    saved = update(
        shared_workload.answer("MLSEC01"), shared_workload.owner, MLSEC01_no={"status": "SELECTED"}
    )

    assert (saved.selected_choices, saved.risk) == (["MLSEC01_no"], "HIGH")


def test_none_of_these_may_replace_the_practices_in_one_update(shared_workload):
    answer = answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_BP01"]
    )

    saved = update(
        answer,
        shared_workload.owner,
        MLSEC01_BP01={"status": "UNSELECTED"},
        MLSEC01_no={"status": "SELECTED"},
    )

    assert saved.selected_choices == ["MLSEC01_no"]


def test_the_audit_trail_records_the_stored_fields_before_and_after(shared_workload):
    answer = answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_BP01"]
    )

    update(answer, shared_workload.contributor, MLSEC01_BP02={"status": "SELECTED"})

    change = AnswerChange.objects.filter(answer=answer).latest("version")
    assert (change.version, change.changed_by) == (2, shared_workload.contributor)
    assert set(change.after) == {*ANSWER_FIELDS, "risk"}
    assert (change.before["selected_choices"], change.after["selected_choices"]) == (
        ["MLSEC01_BP01"],
        ["MLSEC01_BP01", "MLSEC01_BP02"],
    )


def test_an_update_that_changes_nothing_is_not_recorded(shared_workload):
    answer = answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_BP01"]
    )

    for choices in ({}, {"MLSEC01_BP01": {"status": "SELECTED"}}, {"MLSEC01_BP02": {"status": "UNSELECTED"}}):
        answer_update(
            answer=answer, actor=shared_workload.owner, changes={CU: choices}, expected_version=None
        )

    assert row(answer)["version"] == 1
    assert AnswerChange.objects.filter(answer=answer).count() == 1


# --- writers of different choices -----------------------------------------------------------------


def test_two_writers_of_different_choices_without_a_version_both_keep_their_change(shared_workload):
    # Both started from the unanswered question (version 0) and write without a version: the second
    # write is applied to what the first one stored, not to what its writer saw.
    seen_by_both = shared_workload.answer("MLOPS01")

    update(seen_by_both, shared_workload.owner, MLOPS01_BP01={"status": "SELECTED"})
    update(seen_by_both, shared_workload.contributor, MLOPS01_BP03={"status": "NOT_APPLICABLE"})

    stored = Answer.objects.get(pk=seen_by_both.pk)
    assert stored.selected_choices == ["MLOPS01_BP01"]
    assert stored.not_applicable_choices == {"MLOPS01_BP03": {"reason": "NONE", "notes": ""}}
    assert (stored.version, stored.risk) == (2, "MEDIUM")


def test_a_choice_update_from_an_older_version_is_still_stale(shared_workload):
    answer = shared_workload.answer("MLOPS01")
    update(answer, shared_workload.owner, expected_version=0, MLOPS01_BP01={"status": "SELECTED"})
    stored = row(answer)

    with pytest.raises(StaleAnswer) as stale:
        update(answer, shared_workload.contributor, expected_version=0, MLOPS01_BP02={"status": "SELECTED"})

    assert stale.value.current.version == 1
    assert row(answer) == stored


UPDATES = st.sampled_from(
    [
        {"status": "SELECTED"},
        {"status": "UNSELECTED"},
        {"status": "NOT_APPLICABLE"},
        {"status": "NOT_APPLICABLE", "reason": "BUSINESS_PRIORITIES", "notes": "Later."},
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_updates_of_different_choices_give_the_same_answer_one_by_one_in_any_order_or_at_once(
    shared_workload, data
):
    answer = shared_workload.answer("MLOPS01")
    practices = ["MLOPS01_BP01", "MLOPS01_BP02", "MLOPS01_BP03", "MLOPS01_BP04"]
    start = data.draw(st.lists(st.sampled_from(practices), unique=True), label="selected at first")
    changed = data.draw(st.lists(st.sampled_from(practices), unique=True, min_size=1), label="choices")
    updates = {choice_id: data.draw(UPDATES, label=choice_id) for choice_id in changed}
    order = data.draw(st.permutations(list(updates)), label="order")

    def reset():
        answer_update(
            answer=answer,
            actor=shared_workload.owner,
            changes={"selected_choices": start, "not_applicable_choices": {}},
            expected_version=None,
        )

    reset()
    answer_update(
        answer=answer,
        actor=shared_workload.owner,
        changes=validated_answer_changes({CU: updates}),
        expected_version=None,
    )
    at_once = {k: v for k, v in row(answer).items() if k in (*ANSWER_FIELDS, "risk")}
    reset()
    for writer, choice_id in enumerate(order):
        actor = shared_workload.contributor if writer % 2 else shared_workload.owner
        update(answer, actor, **{choice_id: updates[choice_id]})
    one_by_one = {k: v for k, v in row(answer).items() if k in (*ANSWER_FIELDS, "risk")}

    assert one_by_one == at_once
    for choice_id, choice in updates.items():
        assert (choice_id in at_once["selected_choices"]) == (choice["status"] == "SELECTED")
        assert (choice_id in at_once["not_applicable_choices"]) == (choice["status"] == "NOT_APPLICABLE")


# --- refusals -------------------------------------------------------------------------------------

INVALID_UPDATES = [
    pytest.param(["MLSEC01_BP02"], CU, id="not-a-mapping"),
    pytest.param(
        {"MLSEC02_BP01": {"status": "SELECTED"}}, f"{CU}.MLSEC02_BP01", id="another-questions-choice"
    ),
    pytest.param({"MLSEC01_BP09": {"status": "SELECTED"}}, f"{CU}.MLSEC01_BP09", id="an-unknown-choice"),
    pytest.param({"MLSEC01_BP02": "SELECTED"}, f"{CU}.MLSEC01_BP02", id="details-not-a-mapping"),
    pytest.param(
        {"MLSEC01_BP02": {"status": "SELECTED", "why": "x"}}, f"{CU}.MLSEC01_BP02.why", id="an-unknown-key"
    ),
    pytest.param({"MLSEC01_BP02": {}}, f"{CU}.MLSEC01_BP02.status", id="no-status"),
    pytest.param(
        {"MLSEC01_BP02": {"status": "selected"}}, f"{CU}.MLSEC01_BP02.status", id="a-status-in-lowercase"
    ),
    pytest.param({"MLSEC01_BP02": {"status": None}}, f"{CU}.MLSEC01_BP02.status", id="a-null-status"),
    pytest.param(
        {"MLSEC01_BP02": {"status": "SELECTED", "reason": "OTHER"}},
        f"{CU}.MLSEC01_BP02.reason",
        id="a-selected-choice-with-a-reason",
    ),
    pytest.param(
        {"MLSEC01_BP02": {"status": "UNSELECTED", "notes": "Why not."}},
        f"{CU}.MLSEC01_BP02.notes",
        id="an-unselected-choice-with-notes",
    ),
    pytest.param(
        {"MLSEC01_BP02": {"status": "NOT_APPLICABLE", "reason": "BECAUSE"}},
        f"{CU}.MLSEC01_BP02.reason",
        id="an-unknown-reason",
    ),
    pytest.param(
        {"MLSEC01_BP02": {"status": "NOT_APPLICABLE", "notes": "x" * 251}},
        f"{CU}.MLSEC01_BP02.notes",
        id="notes-of-251-characters",
    ),
    pytest.param(
        {"MLSEC01_BP02": {"status": "NOT_APPLICABLE", "notes": 7}},
        f"{CU}.MLSEC01_BP02.notes",
        id="notes-not-text",
    ),
    pytest.param(
        {"MLSEC01_no": {"status": "NOT_APPLICABLE"}},
        f"{CU}.MLSEC01_no.status",
        id="none-of-these-not-applicable",
    ),
    # The stored answer selects MLSEC01_BP01: "None of these" beside it breaks the rule.
    pytest.param(
        {"MLSEC01_no": {"status": "SELECTED"}},
        f"{CU}.MLSEC01_no.status",
        id="none-of-these-beside-a-stored-practice",
    ),
    pytest.param(
        {"MLSEC01_BP02": {"status": "SELECTED"}, "MLSEC01_no": {"status": "SELECTED"}},
        f"{CU}.MLSEC01_no.status",
        id="none-of-these-beside-a-practice-of-the-same-update",
    ),
    pytest.param(
        {"MLSEC01_BP02": {"status": "SELECTED"}, "MLSEC01_BP09": {"status": "SELECTED"}},
        f"{CU}.MLSEC01_BP09",
        id="one-bad-choice-among-good-ones",
    ),
]


@pytest.mark.parametrize(("choice_updates", "path"), INVALID_UPDATES)
def test_an_invalid_choice_update_names_its_path_and_changes_nothing(shared_workload, choice_updates, path):
    answer = answered(
        shared_workload.answer("MLSEC01"),
        actor=shared_workload.owner,
        selected_choices=["MLSEC01_BP01"],
        notes="Before.",
    )
    stored = row(answer)
    trail = AnswerChange.objects.count()

    with pytest.raises(InvalidInput) as refused:
        answer_update(
            answer=answer,
            actor=shared_workload.contributor,
            changes=validated_answer_changes({CU: choice_updates}),
            expected_version=1,
        )

    assert list(refused.value.errors) == [path]
    assert all(refused.value.errors[path])
    assert row(answer) == stored
    assert AnswerChange.objects.count() == trail


def test_a_practice_selected_beside_a_stored_none_of_these_is_named(shared_workload):
    answer = answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_no"]
    )
    stored = row(answer)

    with pytest.raises(InvalidInput) as refused:
        update(answer, shared_workload.owner, MLSEC01_BP02={"status": "SELECTED"})

    assert list(refused.value.errors) == [f"{CU}.MLSEC01_BP02.status"]
    assert "None of these" in refused.value.errors[f"{CU}.MLSEC01_BP02.status"][0]
    assert row(answer) == stored


def test_a_bad_choice_update_refuses_the_good_fields_of_the_same_write(shared_workload):
    answer = shared_workload.answer("MLSEC01")
    stored = row(answer)

    with pytest.raises(InvalidInput):
        answer_update(
            answer=answer,
            actor=shared_workload.owner,
            changes=validated_answer_changes({"notes": "Fine.", CU: {"MLSEC01_BP01": {"status": "MAYBE"}}}),
            expected_version=None,
        )

    assert row(answer) == stored
