"""What is stored, read straight from the database: to compare before and after a refused write."""

from reviews.models import Answer


def row(answer: Answer) -> dict:
    """Everything stored for an answer."""
    return Answer.objects.filter(pk=answer.pk).values().get()
