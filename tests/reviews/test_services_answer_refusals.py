"""An answer's write refuses bad input: each refusal names the field path at fault (DESIGN.md,
"Writing answers without losing any") and changes nothing. The shape (`invalid`) is refused by the
input's definition (validated_answer_changes, the API's serializer), what the question refuses by
reviews.services.answer_update, with a domain code."""

import pytest

from reviews.api.answer_serializers import validated_answer_changes
from reviews.models import Answer, AnswerChange
from reviews.services import InvalidInput, answer_update
from tests.factories import answered
from tests.reviews.stored import row

# --- refusals ---------------------------------------------------------------------------------------

NA = "not_applicable_choices"

INVALID_WRITES = [
    pytest.param(
        {"selected_choices": ["MLSEC02_BP01"]},
        "selected_choices",
        "unknown_reference",
        id="a-choice-of-another-question",
    ),
    pytest.param(
        {"selected_choices": ["MLSEC01_BP03"]},
        "selected_choices",
        "unknown_reference",
        id="an-unknown-choice",
    ),
    pytest.param(
        {"selected_choices": ["MLSEC01_no", "MLSEC01_BP01"]},
        "selected_choices",
        "refused",
        id="none-of-these-with-a-practice",
    ),
    pytest.param(
        {"selected_choices": "MLSEC01_BP01"}, "selected_choices", "invalid", id="selected-not-a-list"
    ),
    pytest.param({"selected_choices": [1]}, "selected_choices.0", "invalid", id="selected-not-ids"),
    pytest.param({"selected_choices": None}, "selected_choices", "invalid", id="selected-none"),
    pytest.param({NA: ["MLSEC01_BP02"]}, NA, "invalid", id="not-applicable-not-a-mapping"),
    pytest.param(
        {NA: {"MLSEC01_no": {"reason": "OTHER"}}},
        f"{NA}.MLSEC01_no",
        "refused",
        id="none-of-these-not-applicable",
    ),
    pytest.param(
        {NA: {"MLSEC02_BP01": {}}},
        f"{NA}.MLSEC02_BP01",
        "unknown_reference",
        id="not-applicable-of-another-question",
    ),
    pytest.param(
        {NA: {"MLSEC01_BP02": {"reason": "BECAUSE"}}},
        f"{NA}.MLSEC01_BP02.reason",
        "invalid",
        id="unknown-practice-reason",
    ),
    pytest.param(
        {NA: {"MLSEC01_BP02": {"reason": "OTHER", "why": "x"}}},
        f"{NA}.MLSEC01_BP02.why",
        "invalid",
        id="unknown-key-in-details",
    ),
    pytest.param(
        {NA: {"MLSEC01_BP02": "OTHER"}}, f"{NA}.MLSEC01_BP02", "invalid", id="details-not-a-mapping"
    ),
    pytest.param(
        {NA: {"MLSEC01_BP02": {"reason": "OTHER", "notes": "x" * 251}}},
        f"{NA}.MLSEC01_BP02.notes",
        "invalid",
        id="practice-note-of-251-characters",
    ),
    pytest.param(
        {NA: {"MLSEC01_BP02": {"reason": "OTHER", "notes": 7}}},
        f"{NA}.MLSEC01_BP02.notes",
        "invalid",
        id="practice-note-not-text",
    ),
    pytest.param(
        {"selected_choices": ["MLSEC01_BP02"], NA: {"MLSEC01_BP02": {"reason": "OTHER"}}},
        ["selected_choices", f"{NA}.MLSEC01_BP02"],  # each says half of it
        "refused",
        id="a-practice-selected-and-not-applicable",
    ),
    # The stored answer selects MLSEC01_BP01: marking it not applicable alone clashes with that.
    pytest.param(
        {NA: {"MLSEC01_BP01": {"reason": "OTHER"}}},
        f"{NA}.MLSEC01_BP01",
        "refused",
        id="reason-on-a-stored-practice",
    ),
    pytest.param(
        {"is_applicable": False, "reason": "BECAUSE"}, "reason", "invalid", id="unknown-question-reason"
    ),
    pytest.param({"reason": "OUT_OF_SCOPE"}, "reason", "refused", id="a-reason-on-an-applicable-question"),
    pytest.param(
        {"is_applicable": True, "reason": "OUT_OF_SCOPE"},
        "reason",
        "refused",
        id="a-reason-on-a-question-made-applicable",
    ),
    pytest.param({"is_applicable": "yes"}, "is_applicable", "invalid", id="is-applicable-not-a-boolean"),
    pytest.param({"is_applicable": 0}, "is_applicable", "invalid", id="is-applicable-zero"),
    pytest.param({"notes": "x" * 2085}, "notes", "invalid", id="a-note-of-2085-characters"),
    pytest.param({"notes": None}, "notes", "invalid", id="notes-none"),
    pytest.param({"risk": "NONE"}, "risk", "invalid", id="the-risk-itself"),
    pytest.param({"version": 7}, "version", "invalid", id="the-version"),
    pytest.param(
        {"colour": "red", "notes": "fine"}, "colour", "invalid", id="an-unknown-field-beside-a-good-one"
    ),
]


@pytest.mark.parametrize(("changes", "path", "code"), INVALID_WRITES)
def test_an_invalid_write_names_the_field_at_fault_and_changes_nothing(shared_workload, changes, path, code):
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
            changes=validated_answer_changes(changes),
            expected_version=1,
        )

    paths = path if isinstance(path, list) else [path]
    assert list(refused.value.errors) == paths
    assert all(refused.value.errors[path] for path in paths)
    assert (refused.value.status, refused.value.code) == (400, code)
    assert row(answer) == stored
    assert AnswerChange.objects.count() == trail


def test_every_unknown_field_is_named(shared_workload):
    with pytest.raises(InvalidInput) as refused:
        answered(shared_workload.answer("MLSEC01"), actor=shared_workload.owner, colour="red", risk="NONE")

    assert list(refused.value.errors) == ["colour", "risk"]


def test_notes_of_the_longest_lengths_are_accepted(shared_workload):
    saved = answered(
        shared_workload.answer("MLSEC01"),
        actor=shared_workload.owner,
        notes="n" * 2084,
        not_applicable_choices={"MLSEC01_BP02": {"reason": "OTHER", "notes": "p" * 250}},
    )

    stored = Answer.objects.get(pk=saved.pk)
    assert len(stored.notes) == 2084
    assert len(stored.not_applicable_choices["MLSEC01_BP02"]["notes"]) == 250
