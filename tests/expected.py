"""Expected values, written out here rather than computed with the code under test."""

#: The five risks a counts object counts, in the API's order.
RISKS = ("high", "medium", "none", "not_applicable", "unanswered")


def counts(**risks: int) -> dict:
    """A risk-counts object as the API and the summaries give it: the five risks (0 unless given),
    `questions` (all of them) and `answered` (all but the unanswered)."""
    assert set(risks) <= set(RISKS), f"not a risk: {set(risks) - set(RISKS)}"
    five = {risk: risks.get(risk, 0) for risk in RISKS}
    questions = sum(five.values())
    return {**five, "questions": questions, "answered": questions - five["unanswered"]}
