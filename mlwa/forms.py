"""Form helpers every app's pages share.

A service's refusal (InvalidInput) names its fields at fault; `add_invalid_input` puts each message
on the form field of that name (or the one `renames` maps it to), and the rest above the form.
"""

import re
from typing import Any

from django import forms

from mlwa.errors import InvalidInput


def add_invalid_input(form: forms.Form, error: InvalidInput, renames: dict[str, str] | None = None) -> None:
    """Show a service's refusal on the fields it names, or above the form for a field it lacks."""
    renames = renames or {}
    for field, messages in error.errors.items():
        name = renames.get(field, field)
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


def split_list(text: str) -> list[str]:
    """Comma- or newline-separated text as a list of its non-empty items, in order."""
    return [item.strip() for item in re.split(r"[,\n]", text or "") if item.strip()]


class ListField(forms.CharField):
    """A list of short texts, typed separated by commas or newlines."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            # Newlines when an item holds a comma, so that the text parses back to the same list.
            return ("\n" if any("," in item for item in value) else ", ").join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]  # a list field, built on CharField
        return split_list(super().to_python(value) or "")
