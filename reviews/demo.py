"""The demo workload of the embedded default: the built-in lens, answered so that the dashboard and
the questionnaire show every kind of risk (high, medium, none, not applicable, unanswered)."""

from itertools import cycle

from django.db import transaction

from lens.risk import Risk
from reviews.models import Answer, Workload
from reviews.services import answer_update, question_facts, workload_create

DEMO_WORKLOAD = "Demo: fraud detection model"
DEMO_FIELDS = {
    "name": DEMO_WORKLOAD,
    "description": "A gradient-boosted model that scores card payments for fraud in real time.",
    "environment": Workload.Environment.PRODUCTION,
    "review_owner": "Demo team",
    "industry": "Financial services",
    "regions": ["eu-west-1", "eu-central-1"],
    "tags": ["demo", "fraud", "real-time"],
    "notes": "Created by `manage.py demo`; change or delete it freely.",
}
#: The risks the demo's answers take in turn, question by question; the last questions stay unanswered.
TARGETS = (Risk.NONE, Risk.MEDIUM, Risk.HIGH, Risk.NONE, Risk.NOT_APPLICABLE, Risk.HIGH, Risk.MEDIUM)
LEFT_UNANSWERED = 2


def _selection_for(target: Risk, choice_ids: tuple[str, ...], none_of_these: str | None, rules):
    """The first of a few natural answers (all practices, all but the last, the first only, "None
    of these") that gives `target`, or None."""
    practices = [c for c in choice_ids if c != none_of_these]
    candidates = [practices, practices[:-1], practices[:1], [none_of_these] if none_of_these else []]
    return next((c for c in candidates if c and rules.evaluate(c) == target), None)


@transaction.atomic
def demo_workload(*, owner) -> Workload | None:
    """Create the demo workload for `owner`, answered; None if they have it already."""
    if Workload.objects.filter(owner=owner, name=DEMO_WORKLOAD).exists():
        return None
    workload = workload_create(owner=owner, fields=DEMO_FIELDS)
    answers = list(Answer.objects.filter(lens_review__workload=workload).select_related("question__version"))
    for answer, target in zip(answers[:-LEFT_UNANSWERED], cycle(TARGETS), strict=False):
        if target == Risk.NOT_APPLICABLE:
            changes = {"is_applicable": False, "reason": Answer.Reason.OUT_OF_SCOPE}
        else:
            facts = question_facts(answer.question)
            selection = _selection_for(target, facts.choice_ids, facts.none_of_these, facts.rules)
            if selection is None:
                continue
            changes = {"selected_choices": selection}
        answer_update(answer=answer, actor=owner, changes=changes, expected_version=0)
    return workload
