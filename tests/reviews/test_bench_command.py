"""`manage.py bench_workloads`: workloads with the built-in lens applied and answered, made in bulk,
with the risks the risk engine gives; refused on a database that has workloads, unless --force."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lens.models import BUILTIN_ALIAS, Question
from reviews.models import Answer, LensReview, Workload, WorkloadEvent
from reviews.services import question_facts
from tests.factories import workload

pytestmark = pytest.mark.django_db


def bench_workloads(*args: str) -> str:
    out = StringIO()
    call_command("bench_workloads", *args, stdout=out)
    return out.getvalue()


def test_it_makes_answered_workloads_with_the_builtin_lens():
    output = bench_workloads("--count", "5", "--owner", "loader")

    workloads = Workload.objects.filter(owner__username="loader")
    questions = Question.objects.filter(version__lens__alias=BUILTIN_ALIAS).count()
    assert workloads.count() == 5
    assert LensReview.objects.filter(workload__in=workloads, lens__alias=BUILTIN_ALIAS).count() == 5
    assert Answer.objects.filter(lens_review__workload__in=workloads).count() == 5 * questions
    assert not Answer.objects.filter(risk=Answer.Risk.UNANSWERED).exists()
    assert WorkloadEvent.objects.filter(kind=WorkloadEvent.Kind.CREATED).count() == 5
    assert WorkloadEvent.objects.filter(kind=WorkloadEvent.Kind.LENS_APPLIED).count() == 5
    made = f"Made 5 workloads of loader with {BUILTIN_ALIAS} 1 applied and answered: {5 * questions} answers"
    assert made in output
    assert "Made the user loader" in output


def test_every_answer_has_the_risk_the_engine_gives_and_is_a_valid_answer():
    bench_workloads("--count", "5")

    answers = Answer.objects.select_related("question__version")
    for answer in answers:
        facts = question_facts(answer.question)
        engine = facts.rules.evaluate(
            answer.selected_choices,
            answer.not_applicable_choices,
            question_applicable=answer.is_applicable,
        )
        assert answer.risk == engine.value, answer
        # What answer_update would have accepted: no "None of these" beside practices, no practice
        # both selected and not applicable, a reason exactly when the question does not apply.
        if facts.none_of_these in answer.selected_choices:
            assert answer.selected_choices == [facts.none_of_these]
        assert not set(answer.selected_choices) & set(answer.not_applicable_choices)
        assert bool(answer.reason) != answer.is_applicable
        assert answer.version == 1
    # Varied: every risk but "unanswered" comes up in 70 answers.
    assert set(answers.values_list("risk", flat=True)) == {"HIGH", "MEDIUM", "NONE", "NOT_APPLICABLE"}


def test_it_refuses_a_database_with_workloads_and_changes_nothing(alice):
    workload(alice, "Real work")

    with pytest.raises(CommandError, match=r"has workloads already \(1\)"):
        bench_workloads("--count", "3")

    assert list(Workload.objects.values_list("name", flat=True)) == ["Real work"]
    assert not Answer.objects.exclude(risk=Answer.Risk.UNANSWERED).exists()


def test_force_adds_to_a_database_with_workloads_again_and_again(alice):
    workload(alice, "Real work")

    bench_workloads("--count", "2", "--owner", "alice", "--force")
    bench_workloads("--count", "2", "--owner", "alice", "--force")

    assert Workload.objects.filter(owner=alice).count() == 5
    assert Answer.objects.exclude(risk=Answer.Risk.UNANSWERED).count() == 4 * 14


def test_a_count_below_one_is_refused():
    with pytest.raises(CommandError, match="at least 1"):
        bench_workloads("--count", "0")
