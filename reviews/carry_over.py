"""What a lens upgrade carries over, read and decided outside any write, so that the carry-over
(reviews.services.upgrades) and the upgrade's preview (reviews.selectors.upgrades) share it rule for
rule: the version a lens upgrade moves reviews to, loaded once (`upgrade_target`): its questions,
their choices and risk rules, its pillars; and what an answer becomes under it (`carried_state`).
It writes nothing: a selector may use it (tests/test_layout.py keeps selectors from services).
"""

from collections import defaultdict
from dataclasses import dataclass

from lens.models import Choice, LensVersion, Pillar, Question, RiskRule
from lens.risk import RISK_FROM_FILE, QuestionRules
from reviews.services.answers import QuestionFacts


@dataclass(frozen=True)
class UpgradeTarget:
    """A version's content as a carry-over needs it, loaded once however many reviews move to it:
    its questions (id → (pk, pillar pk), in the lens's order), their facts, its pillar ids."""

    version: LensVersion
    questions: dict[str, tuple[int, int]]
    facts: dict[str, QuestionFacts]
    pillar_ids: frozenset[str]


def upgrade_target(version: LensVersion) -> UpgradeTarget:
    """The version's questions, choices, rules and pillars: four queries, whatever its size.

    The facts are those `reviews.services.answers.question_facts` gives one question at a time (two
    queries each, the first time), read here for the whole version at once."""
    questions = {
        question_id: (pk, pillar_pk)
        for pk, question_id, pillar_pk in Question.objects.filter(version=version)
        .order_by("pillar__position", "position")
        .values_list("pk", "question_id", "pillar_id")
    }
    id_of = {pk: question_id for question_id, (pk, _pillar) in questions.items()}
    choices: dict[str, list[str]] = defaultdict(list)
    for question_pk, choice_id in (
        Choice.objects.filter(version=version)
        .order_by("question_id", "position")
        .values_list("question_id", "choice_id")
    ):
        choices[id_of[question_pk]].append(choice_id)
    rules: dict[str, list] = defaultdict(list)
    for question_pk, condition, risk in (
        RiskRule.objects.filter(version=version)
        .order_by("question_id", "position")
        .values_list("question_id", "condition", "risk")
    ):
        rules[id_of[question_pk]].append((condition, RISK_FROM_FILE[risk]))
    facts = {}
    for question_id in questions:
        choice_ids = tuple(choices[question_id])
        facts[question_id] = QuestionFacts(
            choice_ids=choice_ids,
            rules=QuestionRules(choice_ids, rules[question_id]),
            none_of_these=next((c for c in choice_ids if c.endswith("_no")), None),
        )
    pillar_ids = frozenset(Pillar.objects.filter(version=version).values_list("pillar_id", flat=True))
    return UpgradeTarget(version=version, questions=questions, facts=facts, pillar_ids=pillar_ids)


def carried_state(before: dict, facts: QuestionFacts) -> dict:
    """The answer's state (`before`, as reviews.services.answers.answer_state gives it) under the
    new question: the choices it still has, in its order, and the risk its rules give. The one place
    that says what an upgrade makes of an answer: the carry-over writes it, the upgrade's preview
    (reviews.selectors.upgrades) shows it.

    Keeping a subset of a valid answer's choices keeps every rule of `answers._merged`: "None of these"
    was alone and stays alone (or goes), a choice is still never both selected and not applicable, and
    "None of these" (the same id, so still `_no`) is never marked not applicable. Nothing left selected or
    marked is an unanswered question (notes kept)."""
    kept = set(before["selected_choices"])
    selected = [c for c in facts.choice_ids if c in kept]
    not_applicable = {
        c: before["not_applicable_choices"][c]
        for c in facts.choice_ids
        if c in before["not_applicable_choices"]
    }
    risk = facts.rules.evaluate(selected, not_applicable, question_applicable=before["is_applicable"])
    return before | {
        "selected_choices": selected,
        "not_applicable_choices": not_applicable,
        "risk": risk.value,
    }
