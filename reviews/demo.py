"""The demo workload of the embedded default: the built-in lens, answered so that the dashboard and
the questionnaire show every kind of risk (high, medium, none, not applicable, unanswered), with two
milestones and changes between them (some risks fixed, one regressed, more questions answered), so
that a new user sees a comparison and a trend at once."""

from itertools import cycle

from django.db import transaction

from lens.risk import Risk
from reviews.models import Answer, ImprovementItem, Workload
from reviews.services import answer_update, question_facts, workload_create
from reviews.services.improvements import improvement_item_update
from reviews.services.milestones import milestone_create

DEMO_WORKLOAD = "Demo: fraud detection model"
DEMO_FIELDS = {
    "name": DEMO_WORKLOAD,
    "description": "A gradient-boosted model that scores card payments for fraud in real time.",
    "environment": Workload.Environment.PRODUCTION,
    "review_owner": "Demo team",
    "industry_type": "Financial Services",
    "industry": "Card payments",
    "aws_regions": ["eu-west-1", "eu-central-1"],
    "non_aws_regions": ["On-premises DC"],
    "account_ids": ["123456789012"],
    "architectural_design_url": "https://example.org/fraud-detection/architecture",
    "pillar_priorities": ["security", "reliability"],
    "tags": ["demo", "fraud", "real-time"],
    "notes": "Created by `manage.py demo`; change or delete it freely.",
}
#: The risks the demo's answers take in turn, question by question; the last questions stay unanswered.
TARGETS = (Risk.NONE, Risk.MEDIUM, Risk.HIGH, Risk.NONE, Risk.NOT_APPLICABLE, Risk.HIGH, Risk.MEDIUM)
LEFT_UNANSWERED = 2
#: The demo's milestones: the first answers, then after fixing some of the risks.
FIRST_MILESTONE = "First review"
SECOND_MILESTONE = "After the first fixes"


def _selection_for(target: Risk, choice_ids: tuple[str, ...], none_of_these: str | None, rules):
    """The first of a few natural answers (all practices, all but the last, the first only, "None
    of these") that gives `target`, or None."""
    practices = [c for c in choice_ids if c != none_of_these]
    candidates = [practices, practices[:-1], practices[:1], [none_of_these] if none_of_these else []]
    return next((c for c in candidates if c and rules.evaluate(c) == target), None)


def _answer(answer: Answer, target: Risk, actor) -> None:
    """Answer so that the risk is `target`, if a natural answer gives it."""
    answer = Answer.objects.select_related("question__version").get(pk=answer.pk)
    if target == Risk.NOT_APPLICABLE:
        changes = {"is_applicable": False, "reason": Answer.Reason.OUT_OF_SCOPE}
    else:
        facts = question_facts(answer.question)
        selection = _selection_for(target, facts.choice_ids, facts.none_of_these, facts.rules)
        if selection is None:
            return
        changes = {"selected_choices": selection}
    answer_update(answer=answer, actor=actor, changes=changes, expected_version=answer.version)


@transaction.atomic
def demo_workload(*, owner) -> Workload | None:
    """Create the demo workload for `owner`, answered, with two milestones; None if they have it
    already. The first milestone leaves four questions unanswered; after it, two high risks are
    fixed, a no-risk answer regresses and two more questions are answered; after the second, one
    more high risk becomes medium, and the first high risk left is tracked as in progress."""
    if Workload.objects.filter(owner=owner, name=DEMO_WORKLOAD).exists():
        return None
    workload = workload_create(owner=owner, fields=DEMO_FIELDS)
    answers = list(
        Answer.objects.filter(lens_review__workload=workload).order_by(
            "question__pillar__position", "question__position"
        )
    )
    first = answers[: -LEFT_UNANSWERED - 2]
    targets = dict(zip(first, cycle(TARGETS), strict=False))
    for answer, target in targets.items():
        _answer(answer, target, owner)
    milestone_create(workload=workload, actor=owner, name=FIRST_MILESTONE)

    high = [answer for answer, target in targets.items() if target == Risk.HIGH]
    no_risk = [answer for answer, target in targets.items() if target == Risk.NONE]
    for answer in high[:2]:
        _answer(answer, Risk.NONE, owner)
    _answer(no_risk[-1], Risk.HIGH, owner)
    newly_answered = answers[-LEFT_UNANSWERED - 2 : -LEFT_UNANSWERED]
    for answer, target in zip(newly_answered, (Risk.MEDIUM, Risk.NONE), strict=True):
        _answer(answer, target, owner)
    milestone_create(workload=workload, actor=owner, name=SECOND_MILESTONE)

    _answer(high[2], Risk.MEDIUM, owner)

    # One risk the team is working on, so that the improvement plan shows tracking too.
    still_high = Answer.objects.filter(lens_review__workload=workload, risk=Risk.HIGH).select_related(
        "question", "lens_review__lens"
    )
    if (high_answer := still_high.first()) is not None:
        improvement_item_update(
            workload=workload,
            lens_alias=high_answer.lens_review.lens.alias,
            question_id=high_answer.question.question_id,
            actor=owner,
            changes={
                "status": ImprovementItem.Status.IN_PROGRESS,
                "owner": owner.pk,
                "note": "The platform team is on it.",
            },
            expected_version=0,
        )
    return workload
