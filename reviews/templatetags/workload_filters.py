"""Template filters for the workload filters (reviews.filters):
`{% load workload_filters %}{{ report.filters|chosen_filters }}`."""

from typing import Any

from django import template

from reviews.filters import as_query, from_stored

register = template.Library()


@register.filter
def chosen_filters(stored: dict) -> list[tuple[str, Any]]:
    """A consolidated report's stored filters, those that narrow it, as (name, value) by their v1
    names (reports stored before the renames included)."""
    return [
        (name, value) for name, value in as_query(from_stored(stored or {})).items() if name != "ordering"
    ]
