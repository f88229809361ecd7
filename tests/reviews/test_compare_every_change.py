"""Issue 14: the comparison counts every change the answers' history records. A question answered
"None of these" with practices marked not applicable, where only "None of these" is unticked, keeps
its risk; it was reported unchanged, left out of the count and dropped by "only what changed".

The expected values come from an oracle of the test's own: the answer's fields as the milestone
froze them against the fields as stored now, for every field its AnswerChange rows record."""

import pytest

from reviews.models import AnswerChange, MilestoneAnswer
from reviews.selectors.compare import Status, workload_comparison
from reviews.selectors.states import ReviewState
from tests.reviews.comparing import answer_all, builtin_answer, save
from tests.reviews.pages import url

pytestmark = pytest.mark.django_db

NA = {"reason": "OUT_OF_SCOPE", "notes": "No second region."}

#: Answers before the milestone, each followed by a write that leaves its risk as it was.
SAME_RISK_WRITES = {
    # "None of these" unticked, practices marked not applicable: HIGH before and after (the finding).
    "MLREL01": (
        {"selected_choices": ["MLREL01_no"], "not_applicable_choices": {"MLREL01_BP03": NA}},
        {"selected_choices": []},
    ),
    # "None of these" ticked where nothing was selected but a practice was not applicable.
    "MLOPS01": (
        {"not_applicable_choices": {"MLOPS01_BP03": NA}},
        {"selected_choices": ["MLOPS01_no"]},
    ),
    # A practice's not-applicable note alone.
    "MLSEC01": (
        {"selected_choices": ["MLSEC01_BP01"], "not_applicable_choices": {"MLSEC01_BP02": NA}},
        {"not_applicable_choices": {"MLSEC01_BP02": {**NA, "notes": "Second thoughts."}}},
    ),
    # A practice's not-applicable reason alone.
    "MLCOST01": (
        {"selected_choices": ["MLCOST01_BP01"], "not_applicable_choices": {"MLCOST01_BP02": NA}},
        {"not_applicable_choices": {"MLCOST01_BP02": {**NA, "reason": "BUSINESS_PRIORITIES"}}},
    ),
    # Why the question does not apply, alone.
    "MLREL02": (
        {"is_applicable": False, "reason": "OUT_OF_SCOPE"},
        {"reason": "ARCHITECTURE_CONSTRAINTS"},
    ),
}
UNTOUCHED = "MLOPS02"


def comparison_since(shared, milestone):
    return workload_comparison(
        base=ReviewState(shared.workload, milestone), target=ReviewState(shared.workload)
    )


def recorded_changes(shared, milestone) -> set[str]:
    """The questions whose answer differs, now, from the milestone's frozen copy in a field that the
    history records: the oracle, which knows nothing of the comparison."""
    fields = set()
    for after in AnswerChange.objects.filter(answer__lens_review__workload=shared.workload).values_list(
        "after", flat=True
    ):
        fields |= set(after)
    assert {"selected_choices", "not_applicable_choices", "is_applicable", "reason", "notes"} <= fields
    frozen = {
        row.question.question_id: row
        for row in MilestoneAnswer.objects.filter(milestone=milestone).select_related("question")
    }
    changed = set()
    for question_id, then in frozen.items():
        now = builtin_answer(shared, question_id)
        for field in fields:
            old, new = getattr(then, field), getattr(now, field)
            if field == "selected_choices":
                old, new = set(old), set(new)
            if old != new:
                changed.add(question_id)
    return changed


@pytest.fixture
def same_risk(shared_workload):
    """Milestone 1 after the first writes of SAME_RISK_WRITES, then their second writes."""
    answer_all(shared_workload, {question_id: first for question_id, (first, _) in SAME_RISK_WRITES.items()})
    answer_all(shared_workload, {UNTOUCHED: {"selected_choices": ["MLOPS02_BP01"]}})
    first = save(shared_workload, "Before")
    risks = {
        question_id: builtin_answer(shared_workload, question_id).risk for question_id in SAME_RISK_WRITES
    }
    answer_all(
        shared_workload, {question_id: second for question_id, (_, second) in SAME_RISK_WRITES.items()}
    )
    # The premise: none of these writes moved the risk, and the history has every one.
    assert {question_id: builtin_answer(shared_workload, question_id).risk for question_id in risks} == risks
    for question_id in SAME_RISK_WRITES:
        assert builtin_answer(shared_workload, question_id).changes.count() == 2
    return shared_workload, first


def test_issue_14_unticking_none_of_these_beside_not_applicable_practices_is_a_change(same_risk):
    shared, first = same_risk
    comparison = comparison_since(shared, first)
    questions = {q.question_id: q for lens in comparison.lenses for q in lens.questions}
    unticked = questions["MLREL01"]
    assert (unticked.status, unticked.risk_before, unticked.risk_after) == (Status.UNCHANGED, "HIGH", "HIGH")
    assert unticked.changed
    assert (unticked.none_of_these_before, unticked.none_of_these_after) == (True, False)
    assert unticked.none_of_these_changed
    assert not unticked.practices_added
    assert not unticked.practices_removed
    ticked = questions["MLOPS01"]
    assert ticked.changed
    assert (ticked.none_of_these_before, ticked.none_of_these_after) == (False, True)
    assert not questions[UNTOUCHED].changed


def test_issue_14_the_count_and_only_what_changed_agree_with_the_history(same_risk):
    shared, first = same_risk
    expected = recorded_changes(shared, first)
    assert expected == set(SAME_RISK_WRITES)
    comparison = comparison_since(shared, first)
    assert {q.question_id for lens in comparison.lenses for q in lens.questions if q.changed} == expected
    assert comparison.changed_count == len(expected)
    kept = comparison.only_changed()
    assert {q.question_id for lens in kept.lenses for q in lens.questions} == expected


def test_issue_14_two_milestones_compare_every_recorded_change_too(same_risk):
    shared, first = same_risk
    second = save(shared, "After")
    expected = recorded_changes(shared, first)
    comparison = workload_comparison(
        base=ReviewState(shared.workload, first), target=ReviewState(shared.workload, second)
    )
    assert comparison.changed_count == len(expected) == len(SAME_RISK_WRITES)


def test_issue_14_the_page_counts_shows_and_keeps_the_unticked_none_of_these(client, same_risk):
    shared, first = same_risk
    client.force_login(shared.reader)
    response = client.get(url("compare", shared.workload, base="1", target="current", changed="1"))
    assert response.status_code == 200
    assert response.context["changed_count"] == len(recorded_changes(shared, first))
    html = response.content.decode()
    assert 'data-question="MLREL01"' in html
    assert f'data-question="{UNTOUCHED}"' not in html
    assert "“None of these” changed" in html
    assert "“None of these” ticked" in html
