"""reviews.services answers over time: versions and stale writes, the question-facts cache, a
conflict settled for the stored answer, and two writers at once on PostgreSQL."""

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from lens.models import LensVersion, Question
from reviews.models import Answer, AnswerChange, LensReview
from reviews.services import StaleAnswer, answer_keep_theirs, answer_update, answers
from tests.conftest import REQUIRE_SERVICES
from tests.factories import answered, imported_lens, lens_document, workload
from tests.reviews.stored import row


@pytest.fixture
def cold_question_facts(monkeypatch):
    """An empty question-facts cache for this test (it lives as long as the process otherwise)."""
    monkeypatch.setattr(answers, "_FACTS", {})
    return answers._FACTS


# --- versions ---------------------------------------------------------------------------------------


def test_a_write_without_an_expected_version_replaces_the_fields_it_names(shared_workload):
    answer = answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_BP01"]
    )

    saved = answer_update(
        answer=answer, actor=shared_workload.contributor, changes={"notes": "API"}, expected_version=None
    )

    assert (saved.version, saved.notes, saved.selected_choices) == (2, "API", ["MLSEC01_BP01"])


@pytest.mark.parametrize("expected_version", [0, 2], ids=["older", "newer"])
def test_a_write_from_another_version_is_stale_and_changes_nothing(shared_workload, expected_version):
    answer = answered(
        shared_workload.answer("MLSEC01"),
        actor=shared_workload.owner,
        expected_version=0,
        selected_choices=["MLSEC01_BP01"],
    )
    stored = row(answer)

    with pytest.raises(StaleAnswer) as refused:
        answer_update(
            answer=answer,
            actor=shared_workload.contributor,
            changes={"selected_choices": ["MLSEC01_BP02"]},
            expected_version=expected_version,
        )

    assert (refused.value.status, refused.value.code) == (409, "stale")
    assert refused.value.expected_version == expected_version
    current = refused.value.current
    assert (current.pk, current.version, current.selected_choices) == (answer.pk, 1, ["MLSEC01_BP01"])
    assert current.updated_by == shared_workload.owner
    assert row(answer) == stored
    assert AnswerChange.objects.filter(answer=answer).count() == 1


def test_a_stale_write_is_refused_even_when_it_is_invalid_too(shared_workload):
    # The version is checked first: the writer must see the stored answer before anything else.
    answer = answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_BP01"]
    )

    with pytest.raises(StaleAnswer):
        answer_update(
            answer=answer, actor=shared_workload.owner, changes={"colour": "red"}, expected_version=0
        )


# --- the question-facts cache ---------------------------------------------------------------------------


def test_question_facts_are_cached_by_content_hash_and_question_id(shared_workload, cold_question_facts):
    answer = shared_workload.answer("MLSEC01")

    answered(answer, actor=shared_workload.owner, selected_choices=["MLSEC01_BP01"])

    version = LensVersion.objects.get(pk=answer.question.version_id)
    assert list(cold_question_facts) == [(version.content_hash, "MLSEC01")]
    facts = cold_question_facts[(version.content_hash, "MLSEC01")]
    assert facts.choice_ids == ("MLSEC01_BP01", "MLSEC01_BP02", "MLSEC01_no")
    assert facts.none_of_these == "MLSEC01_no"


def rules_changed(document: dict) -> dict:
    """`document` with P1Q1's first practice alone enough for no risk."""
    rules = document["pillars"][0]["questions"][0]["riskRules"]
    rules.insert(0, {"condition": "P1Q1_BP1", "risk": "NO_RISK"})
    del rules[1]  # keep three rules, one per level
    return document


def test_two_lenses_with_the_same_question_ids_and_other_rules_keep_their_own_risks(
    alice, cold_question_facts
):
    strict = imported_lens(owner=alice, document=lens_document("Strict lens"))
    lenient = imported_lens(owner=alice, document=rules_changed(lens_document("Lenient lens")))
    both = workload(alice, lenses=[strict, lenient])
    strict_answer, lenient_answer = (
        Answer.objects.get(lens_review__workload=both, lens_review__lens=lens, question__question_id="P1Q1")
        for lens in (strict, lenient)
    )

    first = answered(strict_answer, actor=alice, selected_choices=["P1Q1_BP1"])
    second = answered(lenient_answer, actor=alice, selected_choices=["P1Q1_BP1"])

    assert (first.risk, second.risk) == ("MEDIUM", "NONE")
    assert len(cold_question_facts) == 2


def test_the_second_save_of_a_question_costs_two_queries_fewer(shared_workload, cold_question_facts):
    answer = shared_workload.answer("MLSEC01")

    # savepoint, the answer (locked) with its question and version, the question's choices, its risk
    # rules, the answer's update, the audit row, release
    with CaptureQueriesContext(connection) as first:
        answered(answer, actor=shared_workload.owner, selected_choices=["MLSEC01_BP01"])
    # the same but for the choices and the rules, now cached
    with CaptureQueriesContext(connection) as second:
        answered(answer, actor=shared_workload.owner, selected_choices=["MLSEC01_BP02"])

    assert (len(first), len(second)) == (7, 5)


def test_a_save_of_any_question_costs_the_same_once_its_facts_are_cached(
    shared_workload, django_assert_num_queries
):
    for question_id in ("MLOPS01", "MLCOST03"):
        answered(shared_workload.answer(question_id), actor=shared_workload.owner, notes="warm")
    answer = shared_workload.answer("MLCOST03")

    with django_assert_num_queries(5):
        answered(answer, actor=shared_workload.owner, selected_choices=["MLCOST03_BP01"])


# --- a conflict settled in favour of the stored answer ----------------------------------------------------


def test_keeping_the_stored_answer_changes_nothing_and_records_the_discarded_changes(shared_workload):
    answer = answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_BP01"]
    )
    stored = row(answer)

    answer_keep_theirs(
        answer=answer,
        actor=shared_workload.contributor,
        discarded={"selected_choices": ["MLSEC01_BP02"], "colour": "red"},
        seen_version=0,
    )

    assert row(answer) == stored
    kept = AnswerChange.objects.get(answer=answer, kind=AnswerChange.Kind.KEPT_THEIRS)
    assert (kept.version, kept.changed_by) == (1, shared_workload.contributor)
    assert kept.before["selected_choices"] == ["MLSEC01_BP02"]
    assert "colour" not in kept.before
    assert kept.after["selected_choices"] == ["MLSEC01_BP01"]


# --- two writers at once, on PostgreSQL ---------------------------------------------------------------


def on_postgres(test):
    """Mark `test` as needing PostgreSQL's row locks, in a transactional database its threads share.

    Elsewhere it is skipped at collection, because tests/conftest.py's `_needs_postgres` skips only
    after pytest-django has set up the transactional database, whose flush on SQLite then fails on
    the built-in lens's published version (its triggers refuse the DELETE). Under .ci/run it is
    always collected, and `_needs_postgres` fails it on any other database."""
    marks = [
        pytest.mark.postgres,
        pytest.mark.skipif(
            connection.vendor != "postgresql" and not REQUIRE_SERVICES,
            reason="needs PostgreSQL: set DATABASE_URL to a PostgreSQL database (.ci/run does)",
        ),
        pytest.mark.django_db(transaction=True),
    ]
    for mark in marks:
        test = mark(test)
    return test


def in_threads(*targets):
    """Run each target in its own thread (so with its own database connection) and wait for all."""
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)


def closing_connection(function):
    """`function`, closing this thread's database connection when it ends."""

    def run():
        try:
            function()
        finally:
            connections.close_all()

    return run


@on_postgres
def test_two_writers_from_the_same_version_at_once_give_one_change_and_one_stale_answer(people):
    owner, contributor = people["owner"], people["contributor"]
    answer = workload(owner).lens_reviews.get().answers.get(question__question_id="MLSEC01")
    start = threading.Barrier(2)
    outcomes = []

    def write(actor, choice_id):
        def save():
            start.wait(timeout=30)
            try:
                answer_update(
                    answer=answer, actor=actor, changes={"selected_choices": [choice_id]}, expected_version=0
                )
                outcomes.append(("saved", choice_id))
            except StaleAnswer as stale:
                outcomes.append(("stale", stale.current.version))

        return closing_connection(save)

    in_threads(write(owner, "MLSEC01_BP01"), write(contributor, "MLSEC01_BP02"))

    assert sorted(kind for kind, _ in outcomes) == ["saved", "stale"]
    assert dict(outcomes)["stale"] == 1
    stored = Answer.objects.get(pk=answer.pk)
    assert stored.version == 1
    assert stored.selected_choices == [dict(outcomes)["saved"]]
    assert AnswerChange.objects.filter(answer=answer).count() == 1


@on_postgres
def test_a_save_in_progress_locks_its_answer_and_nothing_the_other_answers_need(people):
    # Saves of other answers, in any workload, must not wait for this one: the lock is the answer's
    # row alone, not its question's, lens version's or lens review's.
    owner = people["owner"]
    answer = (
        workload(owner)
        .lens_reviews.get()
        .answers.select_related("question")
        .get(question__question_id="MLSEC01")
    )
    saved, release = threading.Event(), threading.Event()
    locked = {}

    @closing_connection
    def hold_a_save_open():
        with transaction.atomic():
            answered(answer, actor=owner, selected_choices=["MLSEC01_BP01"])
            saved.set()
            release.wait(timeout=30)

    @closing_connection
    def try_locks():
        saved.wait(timeout=30)
        try:
            for name, rows in {
                "answer": Answer.objects.filter(pk=answer.pk),
                "question": Question.objects.filter(pk=answer.question_id),
                "lens version": LensVersion.objects.filter(pk=answer.question.version_id),
                "lens review": LensReview.objects.filter(pk=answer.lens_review_id),
            }.items():
                with transaction.atomic():
                    try:
                        list(rows.select_for_update(nowait=True))
                        locked[name] = False
                    except OperationalError:  # LockNotAvailable: another transaction holds it
                        locked[name] = True
        finally:
            release.set()

    in_threads(hold_a_save_open, try_locks)

    assert locked == {"answer": True, "question": False, "lens version": False, "lens review": False}
