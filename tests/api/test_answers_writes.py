"""PATCH /api/v1/workloads/{id}/lens-reviews/{alias}/answers/{question_id}/: answering through the API,
with whole fields or choice updates, with or without If-Match (DESIGN.md, "Writing answers without
losing any"): the risk the lens's rules give, the audit trail, 412 for a stale ETag, and refusals that
name the path at fault and change nothing.

Risks follow the built-in lens's rules: MLSEC01: BP01 && BP02 -> none; BP01 -> medium; else high."""

import pytest

from lens.models import BUILTIN_ALIAS
from reviews.models import AnswerChange
from tests import factories
from tests.api.test_answers import patch, refused
from tests.api.test_lens_reviews import review_state

pytestmark = pytest.mark.django_db

# --- accepted writes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "risk"),
    [
        ({"selected_choices": ["MLSEC01_BP01", "MLSEC01_BP02"]}, "NONE"),
        ({"selected_choices": ["MLSEC01_BP01"]}, "MEDIUM"),
        ({"selected_choices": ["MLSEC01_BP02"]}, "HIGH"),
        ({"selected_choices": ["MLSEC01_no"]}, "HIGH"),
        ({"choice_updates": {"MLSEC01_BP01": {"status": "SELECTED"}}}, "MEDIUM"),
        (
            {
                "choice_updates": {
                    "MLSEC01_BP01": {"status": "SELECTED"},
                    "MLSEC01_BP02": {"status": "NOT_APPLICABLE", "reason": "OUT_OF_SCOPE"},
                }
            },
            "NONE",
        ),
        ({"is_applicable": False, "reason": "BUSINESS_PRIORITIES"}, "NOT_APPLICABLE"),
        ({"notes": "Only notes."}, "UNANSWERED"),
    ],
)
def test_an_answer_gets_the_risk_its_rules_give_and_the_review_counts_follow(
    api_for, shared_workload, body, risk
):
    client = api_for(shared_workload.contributor)

    response = patch(client, shared_workload.workload, body)

    assert response.status_code == 200, response.content
    assert (response.json()["risk"], response.json()["version"]) == (risk, 1)
    assert response["ETag"] == '"1"'
    assert shared_workload.answer("MLSEC01").risk == risk
    review = client.get(
        f"/api/v1/workloads/{shared_workload.workload.pk}/lens-reviews/{BUILTIN_ALIAS}/"
    ).json()
    security = review["pillars"][1]["counts"]
    expected = {"NONE": "none", "MEDIUM": "medium", "HIGH": "high", "NOT_APPLICABLE": "not_applicable"}
    if risk in expected:
        assert security[expected[risk]] == 1
    assert security["unanswered"] == (3 if risk == "UNANSWERED" else 2)


def test_a_write_is_in_the_history_as_coming_from_the_api(api_for, shared_workload):
    patch(
        api_for(shared_workload.contributor), shared_workload.workload, {"selected_choices": ["MLSEC01_BP01"]}
    )

    change = AnswerChange.objects.get(answer=shared_workload.answer("MLSEC01"))
    assert (change.kind, change.version, change.changed_by, change.note) == (
        "CHANGED",
        1,
        shared_workload.contributor,
        "API",
    )
    assert (change.before["risk"], change.after["risk"]) == ("UNANSWERED", "MEDIUM")


def test_without_if_match_the_fields_named_replace_what_is_stored_and_the_others_stay(
    api_for, shared_workload
):
    factories.answered(
        shared_workload.answer("MLSEC01"),
        actor=shared_workload.owner,
        selected_choices=["MLSEC01_BP01", "MLSEC01_BP02"],
        notes="Kept.",
    )

    response = patch(
        api_for(shared_workload.owner), shared_workload.workload, {"selected_choices": ["MLSEC01_BP02"]}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["selected_choices"], body["notes"], body["risk"], body["version"]) == (
        ["MLSEC01_BP02"],
        "Kept.",
        "HIGH",
        2,
    )


def test_a_write_that_changes_nothing_keeps_the_version_and_the_history(api_for, shared_workload):
    factories.answered(shared_workload.answer("MLSEC01"), actor=shared_workload.owner, notes="Same.")
    before = review_state()

    response = patch(
        api_for(shared_workload.owner), shared_workload.workload, {"notes": "Same."}, if_match='"1"'
    )

    assert (response.status_code, response["ETag"]) == (200, '"1"')
    assert review_state() == before


# --- If-Match ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("if_match", ['"2"', 'W/"2"', "*", ' "2" '])
def test_a_write_with_a_current_if_match_is_accepted(api_for, shared_workload, if_match):
    answer = factories.answered(shared_workload.answer("MLSEC01"), actor=shared_workload.owner, notes="One.")
    factories.answered(answer, actor=shared_workload.owner, notes="Two.")

    response = patch(
        api_for(shared_workload.contributor), shared_workload.workload, {"notes": "Three."}, if_match=if_match
    )

    assert response.status_code == 200, response.content
    assert (response.json()["notes"], response["ETag"]) == ("Three.", '"3"')


@pytest.mark.parametrize("if_match", ['"0"', '"1"', '"9"', 'W/"1"'])
def test_a_stale_if_match_is_412_with_the_stored_answer_and_changes_nothing(
    api_for, shared_workload, if_match
):
    answer = factories.answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_BP01"]
    )
    factories.answered(answer, actor=shared_workload.owner, notes="Theirs.")
    before = review_state()

    response = patch(
        api_for(shared_workload.contributor),
        shared_workload.workload,
        {"choice_updates": {"MLSEC01_BP02": {"status": "SELECTED"}}},
        if_match=if_match,
    )

    assert response.status_code == 412, response.content
    body = response.json()
    assert body["code"] == "precondition_failed"
    assert body["fields"] == {}
    assert (body["current"]["version"], body["current"]["notes"]) == (2, "Theirs.")
    assert body["current"]["selected_choices"] == ["MLSEC01_BP01"]
    assert body["current"]["updated_by"] == "owner"
    assert [c["status"] for c in body["current"]["question"]["choices"]] == [
        "SELECTED",
        "UNSELECTED",
        "UNSELECTED",
    ]
    assert response["ETag"] == '"2"'
    assert review_state() == before


@pytest.mark.parametrize("if_match", ["1", '"1", "2"', "W/1", '"1'])
def test_a_malformed_if_match_is_400_naming_it_and_changes_nothing(api_for, shared_workload, if_match):
    factories.answered(shared_workload.answer("MLSEC01"), actor=shared_workload.owner, notes="One.")
    before = review_state()

    response = patch(
        api_for(shared_workload.owner), shared_workload.workload, {"notes": "Two."}, if_match=if_match
    )

    refused(response, "If-Match")
    assert review_state() == before


@pytest.mark.parametrize("if_match", ['"one"', '""', '"0001x"'])
def test_an_entity_tag_that_names_no_version_is_412_and_changes_nothing(api_for, shared_workload, if_match):
    """Well formed, but not a tag this server sends for an answer: stale, as any other tag."""
    factories.answered(shared_workload.answer("MLSEC01"), actor=shared_workload.owner, notes="One.")
    before = review_state()

    response = patch(
        api_for(shared_workload.owner), shared_workload.workload, {"notes": "Two."}, if_match=if_match
    )

    assert response.status_code == 412
    assert (response.json()["current"]["notes"], response["ETag"]) == ("One.", '"1"')
    assert review_state() == before


def test_a_reader_is_refused_before_their_if_match_is_looked_at(api_for, shared_workload):
    response = patch(
        api_for(shared_workload.reader), shared_workload.workload, {"notes": "x"}, if_match="bad"
    )
    assert response.status_code == 403


# --- invalid answers ------------------------------------------------------------------------------

CU = "choice_updates"


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [
        # The shape: what the schema says (types, lengths, enums, no other field).
        ({CU: {"MLSEC01_BP01": {"status": "MAYBE"}}}, f"{CU}.MLSEC01_BP01.status", "invalid"),
        (
            {CU: {"MLSEC01_BP02": {"status": "NOT_APPLICABLE", "notes": "n" * 251}}},
            f"{CU}.MLSEC01_BP02.notes",
            "invalid",
        ),
        (
            {CU: {"MLSEC01_BP02": {"status": "NOT_APPLICABLE", "reason": "WHY"}}},
            f"{CU}.MLSEC01_BP02.reason",
            "invalid",
        ),
        ({CU: {"MLSEC01_BP02": {"status": "SELECTED", "why": 1}}}, f"{CU}.MLSEC01_BP02.why", "invalid"),
        ({CU: "MLSEC01_BP02"}, CU, "invalid"),
        ({"selected_choices": "MLSEC01_BP02"}, "selected_choices", "invalid"),
        ({"selected_choices": ["MLSEC01_BP02", 7]}, "selected_choices.1", "invalid"),
        (
            {"not_applicable_choices": {"MLSEC01_BP02": {"notes": 7}}},
            "not_applicable_choices.MLSEC01_BP02.notes",
            "invalid",
        ),
        ({"reason": "WHY"}, "reason", "invalid"),
        ({"is_applicable": "no"}, "is_applicable", "invalid"),
        ({"is_applicable": 0}, "is_applicable", "invalid"),
        ({"notes": "n" * 2085}, "notes", "invalid"),
        ({"notes": 7}, "notes", "invalid"),
        ({"risk": "NONE"}, "risk", "invalid"),
        ({"version": 9}, "version", "invalid"),
        # The question's rules: well formed, and refused all the same.
        (
            {CU: {"MLSEC01_BP01": {"status": "SELECTED", "reason": "OTHER"}}},
            f"{CU}.MLSEC01_BP01.reason",
            "refused",
        ),
        ({CU: {"MLSEC02_BP01": {"status": "SELECTED"}}}, f"{CU}.MLSEC02_BP01", "unknown_reference"),
        ({CU: {"MLSEC01_no": {"status": "SELECTED"}}}, f"{CU}.MLSEC01_no.status", "refused"),  # beside BP01
        ({"selected_choices": ["MLSEC01_no", "MLSEC01_BP02"]}, "selected_choices", "refused"),
        ({"selected_choices": ["MLSEC01_BP09"]}, "selected_choices", "unknown_reference"),
        (
            {"not_applicable_choices": {"MLSEC01_BP01": {"reason": "OTHER"}}},
            "not_applicable_choices.MLSEC01_BP01",
            "refused",
        ),
        ({"reason": "OTHER"}, "reason", "refused"),
    ],
)
def test_an_invalid_answer_is_400_naming_the_path_and_changes_nothing(
    api_for, shared_workload, body, path, code
):
    factories.answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_BP01"]
    )
    before = review_state()

    response = patch(api_for(shared_workload.contributor), shared_workload.workload, body, if_match='"1"')

    refused(response, path, code)
    assert review_state() == before


def test_selecting_a_practice_stored_as_not_applicable_names_selected_choices_alone(api_for, shared_workload):
    # Issue 15: the 400 named `not_applicable_choices.MLSEC01_BP02`, which this request never sent.
    factories.answered(
        shared_workload.answer("MLSEC01"),
        actor=shared_workload.owner,
        not_applicable_choices={"MLSEC01_BP02": {"reason": "OTHER", "notes": ""}},
    )
    before = review_state()

    response = patch(
        api_for(shared_workload.contributor), shared_workload.workload, {"selected_choices": ["MLSEC01_BP02"]}
    )

    refused(response, "selected_choices", "refused")
    assert review_state() == before


def test_a_body_that_is_not_an_object_is_400_and_changes_nothing(api_for, shared_workload):
    before = review_state()

    response = patch(api_for(shared_workload.owner), shared_workload.workload, ["MLSEC01_BP01"])

    assert response.status_code == 400
    assert review_state() == before
