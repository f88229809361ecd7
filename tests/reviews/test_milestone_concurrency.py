"""Saving milestones while others write answers, on PostgreSQL (issue 5, "Must show"): each milestone
captures one consistent state. Every frozen answer is the answer as one of its writes left it (the
audit trail's `after` at the frozen version, or never answered at version 0), so each answer is
either before or after each write; the frozen counts are those of the frozen answers; the numbers
run 1..n without a gap; and a milestone never holds a later write without an earlier one that the
same writer had finished before it (reviews.services.milestones locks every answer in one statement).

A copy made answer by answer, each read in its own statement, fails the last check in every run
(tried while writing this test); the service as it is passes it run after run.
"""

import threading
from collections import Counter, defaultdict

import pytest

from lens.models import Choice
from reviews.models import Answer, AnswerChange, Milestone, MilestoneAnswer, MilestonePillarRiskCounts
from reviews.services import answer_state, answer_update
from reviews.services.milestones import milestone_create
from tests.factories import workload
from tests.reviews.test_services_answer_versions import closing_connection, in_threads, on_postgres

#: Which column counts an answer at each risk, written out here rather than read from the service
#: whose counts are checked (reviews.services.milestones.COUNT_COLUMNS).
COLUMN_OF_RISK = {
    "HIGH": "high",
    "MEDIUM": "medium",
    "NONE": "none",
    "NOT_APPLICABLE": "not_applicable",
    "UNANSWERED": "unanswered",
}

#: One writer thread per pair writes its first question, then its second, round after round, so that
#: the second's version is never ahead of the first's, nor more than one behind. The milestone copies
#: answers in the order they were made (the lens's order): the first question of each pair comes
#: early in it and the second late, so that a copy that was not one state would be caught.
CAUSAL_PAIRS = (
    ("MLOPS01", "MLCOST03"),
    ("MLOPS02", "MLCOST02"),
    ("MLOPS03", "MLCOST01"),
    ("MLSEC01", "MLPERF03"),
    ("MLSEC02", "MLPERF02"),
)
#: Two more writer threads write these same questions. MLREL02 and MLPERF01 stay unanswered.
SHARED = ("MLSEC03", "MLREL01")
SAVERS, MILESTONES_EACH = 2, 8
MAX_WRITES = 400  # per writer: they stop earlier, once every milestone is saved

NEVER_ANSWERED = {
    "selected_choices": [],
    "not_applicable_choices": {},
    "is_applicable": True,
    "reason": "",
    "notes": "",
    "risk": Answer.Risk.UNANSWERED,
}


@pytest.fixture
def reviewed(people):
    """The owner's workload with the built-in lens, its answers by question id and each one's choices."""
    made = workload(people["owner"])
    answers = {
        answer.question.question_id: answer
        for answer in Answer.objects.filter(lens_review__workload=made).select_related("question")
    }
    missing = {*(q for pair in CAUSAL_PAIRS for q in pair), *SHARED} - set(answers)
    assert not missing, f"the built-in lens has no question {sorted(missing)}"
    choices = defaultdict(list)
    for question_id, choice_id in (
        Choice.objects.filter(question_id__in=[answer.question_id for answer in answers.values()])
        .order_by("position")
        .values_list("question__question_id", "choice_id")
    ):
        choices[question_id].append(choice_id)
    return made, answers, choices


def selection(choices: list[str], round_: int) -> list[str]:
    """A different valid selection each round: one practice, two, or "None of these" alone."""
    practices = [choice for choice in choices if not choice.endswith("_no")]
    none_of_these = [choice for choice in choices if choice.endswith("_no")]
    options = [[practices[round_ % len(practices)]], practices[:2], none_of_these or practices[:1]]
    return options[round_ % len(options)]


@on_postgres
def test_milestones_saved_while_answers_change_each_hold_one_consistent_state(
    people, reviewed, retire_published_lens_versions
):
    made, answers, choices = reviewed
    owner, contributor = people["owner"], people["contributor"]  # the contributor: no share needed here
    failures = _saved_while_answers_change(made, answers, choices, owner, contributor)
    assert not failures, failures
    milestones = list(Milestone.objects.filter(workload=made).order_by("number"))
    assert [m.number for m in milestones] == list(range(1, SAVERS * MILESTONES_EACH + 1))
    changes = {
        (change.answer_id, change.version): change
        for change in AnswerChange.objects.filter(
            answer__lens_review__workload=made, kind=AnswerChange.Kind.CHANGED
        )
    }
    live = {answer.question_id: answer.pk for answer in answers.values()}
    previous: dict[int, int] = {}
    states = set()
    for milestone in milestones:
        frozen, versions = _checked_milestone(milestone, answers, changes, live)
        # Numbered one at a time: a later milestone never holds an older answer than an earlier one.
        by_pk = {answer.question_id: answer.version for answer in frozen}
        assert all(by_pk[question] >= version for question, version in previous.items()), milestone.number
        previous = by_pk
        states.add(tuple(sorted(versions.items())))
    # The writes did run while the milestones were saved: they do not all hold the same state.
    assert len(states) > 1


def _write(answer, choices: list[str], actor, round_: int, who: str) -> None:
    """One write of the writers' `round_`: another selection, and notes that change every time."""
    answer_update(
        answer=answer,
        actor=actor,
        changes={
            "selected_choices": selection(choices, round_),
            "notes": f"{who}, round {round_}",  # every write changes the answer
        },
        expected_version=None,
    )


def _saved_while_answers_change(made, answers, choices, owner, contributor) -> list[BaseException]:
    """SAVERS threads each saving MILESTONES_EACH milestones of `made` while writer threads change its
    answers, until every milestone is saved; the failures of the threads."""
    done = threading.Event()
    start = threading.Barrier(len(CAUSAL_PAIRS) + 2 + SAVERS)
    failures: list[BaseException] = []

    def thread(body):
        """`body` in its own thread, once every thread is ready; a failure reported to the test (and
        every thread stopped), the thread's database connection closed at the end."""

        @closing_connection
        def run():
            start.wait(timeout=30)
            try:
                body()
            except Exception as error:  # noqa: BLE001 - reported below, not lost with the thread
                failures.append(error)
                done.set()

        return run

    def writer(question_ids, who: str, actor):
        def body():
            for round_ in range(MAX_WRITES):
                if done.is_set():
                    return
                question_id = question_ids[round_ % len(question_ids)]
                _write(answers[question_id], choices[question_id], actor, round_, who)

        return thread(body)

    finished = []

    def saver(index: int):
        def body():
            for number in range(MILESTONES_EACH):
                milestone_create(workload=made, actor=owner, name=f"Saver {index}, {number}")
            finished.append(index)
            if len(finished) == SAVERS:
                done.set()  # the writers stop: every milestone is saved

        return thread(body)

    in_threads(
        *(
            writer(pair, f"writer {index}", (owner, contributor)[index % 2])
            for index, pair in enumerate(CAUSAL_PAIRS)
        ),
        writer(SHARED, "shared writer 1", owner),
        writer(SHARED, "shared writer 2", contributor),
        *(saver(index) for index in range(SAVERS)),
    )
    return failures


def _checked_milestone(milestone, answers, changes, live):
    """The frozen answers of `milestone` and their versions by question id, once checked: each is the
    state its version's audit row recorded, the kept counts are theirs, and the causal pairs hold."""
    frozen = list(MilestoneAnswer.objects.filter(milestone=milestone).select_related("question"))
    assert len(frozen) == len(answers)
    versions = {}
    for answer in frozen:
        versions[answer.question.question_id] = answer.version
        state = answer_state(answer)
        if answer.version == 0:
            assert state == NEVER_ANSWERED, (milestone.number, answer.question.question_id)
            continue
        change = changes[live[answer.question_id], answer.version]
        assert state == change.after, (milestone.number, answer.question.question_id, answer.version)
        assert (answer.updated_by_id, answer.updated_at) == (change.changed_by_id, change.changed_at)
    # The counts are those of the frozen answers, per pillar and in total.
    counted = defaultdict(Counter)
    for answer in frozen:
        counted[answer.question.pillar_id][COLUMN_OF_RISK[answer.risk]] += 1
    stored = {
        row.pillar_id: Counter({column: getattr(row, column) for column in COLUMN_OF_RISK.values()})
        for row in MilestonePillarRiskCounts.objects.filter(milestone=milestone)
    }
    assert {pillar: +counts for pillar, counts in stored.items()} == dict(counted), milestone.number
    totals = Counter(COLUMN_OF_RISK[answer.risk] for answer in frozen)
    assert {column: getattr(milestone, column) for column in COLUMN_OF_RISK.values()} == {
        column: totals[column] for column in COLUMN_OF_RISK.values()
    }
    # Causality: each pair's second question's write k began after its first question's write k ended.
    for first, second in CAUSAL_PAIRS:
        assert versions[second] <= versions[first] <= versions[second] + 1, (
            milestone.number,
            first,
            second,
        )
    return frozen, versions
