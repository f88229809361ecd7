"""Expected values, written out here rather than computed with the code under test."""


def counts(high=0, medium=0, none=0, not_applicable=0, unanswered=0) -> dict:
    """A risk-counts object as the API and the summaries give it: the five risks, `questions` (all of
    them) and `answered` (all but the unanswered)."""
    questions = high + medium + none + not_applicable + unanswered
    return {
        "high": high,
        "medium": medium,
        "none": none,
        "not_applicable": not_applicable,
        "unanswered": unanswered,
        "questions": questions,
        "answered": questions - unanswered,
    }
