"""The version a lens upgrade moves reviews to, loaded once (`upgrade_target`): its questions, their
choices and risk rules, its pillars. How the carry-over uses it: reviews.services.upgrades.
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
