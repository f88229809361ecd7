"""A forged backup (issue 14): the demo workload's backup edited to credit a colleague with "None of
these" at no risk, and milestone counts that no answers give."""

from collections import Counter

from reviews.models import Milestone, MilestoneAnswer, MilestonePillarRiskCounts

COUNTS = ("high", "medium", "none", "not_applicable", "unanswered")
#: The demo's first question, whose rules give HIGH to "None of these" (only `default` holds).
QUESTION = "MLOPS01"
#: Where the forgery sits, and what the restore says about it: (path, stored, computed).
LIVE_RISK = ("lens_reviews[0].answers[0].risk", "NONE", "HIGH")
FROZEN_RISK = ("milestones[0].lens_reviews[0].answers[0].risk", "NONE", "HIGH")


def forge(document: dict, *, colleague: str = "carol") -> dict:
    """`document` (the demo's backup) with MLOPS01 answered "None of these" at NONE by `colleague`,
    now and in milestone 1, and milestone 2's totals and first pillar count inflated to 42."""
    for answer in (
        document["lens_reviews"][0]["answers"][0],
        document["milestones"][0]["lens_reviews"][0]["answers"][0],
    ):
        assert answer["question_id"] == QUESTION
        answer.update(
            selected_choices=[f"{QUESTION}_no"],
            not_applicable_choices={},
            is_applicable=True,
            risk="NONE",
            updated_by=colleague,
        )
    document["milestones"][1]["totals"]["none"] = 42
    document["milestones"][1]["lens_reviews"][0]["pillar_counts"][0]["high"] = 42
    return document


def milestone_counts_agree(workload) -> bool:
    """Each milestone's stored totals and pillar counts are those of its frozen answers."""
    for milestone in Milestone.objects.filter(workload=workload):
        answers = MilestoneAnswer.objects.filter(milestone=milestone).values_list(
            "lens_review_id", "question__pillar_id", "risk"
        )
        totals = Counter(risk for _review, _pillar, risk in answers)
        if {c: getattr(milestone, c) for c in COUNTS} != {c: totals[c.upper()] for c in COUNTS}:
            return False
        by_pillar: dict = {}
        for review, pillar, risk in answers:
            by_pillar.setdefault((review, pillar), Counter())[risk] += 1
        stored = {
            (row.lens_review_id, row.pillar_id): {c: getattr(row, c) for c in COUNTS}
            for row in MilestonePillarRiskCounts.objects.filter(milestone=milestone)
        }
        if stored != {key: {c: counter[c.upper()] for c in COUNTS} for key, counter in by_pillar.items()}:
            return False
    return True
