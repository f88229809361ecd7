"""Template filters for risks: `{% load risk %}{{ answer.risk|risk_label }}`."""

from django import template

from reviews.models import Answer

register = template.Library()

_LABELS = dict(Answer.Risk.choices)


@register.filter
def risk_label(risk: str) -> str:
    """The words for a stored risk ("High risk"...); anything unknown reads as unanswered. A filter
    rather than an include: the navigation shows one per question, up to 200 on a page."""
    return str(_LABELS.get(risk, Answer.Risk.UNANSWERED.label))
