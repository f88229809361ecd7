"""Template filters for risks: `{% load risk %}{{ answer.risk|risk_label }}`, `{{ counts|risk_strip }}`."""

from django import template
from django.utils.safestring import SafeString

from reviews.charts.strip import risk_strip_svg
from reviews.models import Answer

register = template.Library()

_LABELS = dict(Answer.Risk.choices)


@register.filter
def risk_label(risk: str) -> str:
    """The words for a stored risk ("High risk"...); anything unknown reads as unanswered. A filter
    rather than an include: the navigation shows one per question, up to 200 on a page."""
    return str(_LABELS.get(risk, Answer.Risk.UNANSWERED.label))


@register.filter
def risk_strip(counts) -> SafeString:
    """`counts` (a RiskCounts) as a small bar split by risk: reviews.charts.strip."""
    return risk_strip_svg(counts)
