"""The API's parameters, in one module: the path and query parameters that several operations
share, declared once for the schema, and the one reading of a whole number in the query.

Whole numbers:

A number is ASCII digits (`int` takes "１" and "1_000"; `str.isdigit` takes "²", which `int` refuses),
from 1 up to the largest value its column holds: 2,147,483,647 for the numbers of things (milestone
numbers, pages, user ids: 32-bit columns) and 9,223,372,036,854,775,807 for the ids of MLWA's own rows
(64-bit). Anything else is a 400 naming the parameter, before any query: a database refuses a number
past its column (PostgreSQL: "out of range"; SQLite: OverflowError) with a 500 (issue 14).
"""

import re
from typing import Any

import django_filters
from django import forms
from drf_spectacular.drainage import set_override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

#: The largest value of a 32-bit column (milestone numbers, pages, Django's user ids).
INT_MAX = 2**31 - 1
#: The largest value of a 64-bit id (BigAutoField: MLWA's own rows).
BIGINT_MAX = 2**63 - 1

#: A whole number from 1 to 2,147,483,647 (a 32-bit column: a milestone's number, a user's id), as a
#: regular expression.
WHOLE_NUMBER_PATTERN = (
    "([1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}"
    "|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7])"
)

#: Digits, after any leading zeros: at most 19 (a 64-bit id), so that int() never reads a long text.
_DIGITS = re.compile(r"0*([0-9]{1,19})")


def whole_number(raw: str | None, *, maximum: int = INT_MAX) -> int | None:
    """`raw` as a whole number from 1 to `maximum`; None for anything else, absent included."""
    if raw is None or not (digits := _DIGITS.fullmatch(raw)):
        return None
    number = int(digits.group(1))
    return number if 1 <= number <= maximum else None


def out_of_range_message(maximum: int = INT_MAX) -> str:
    """What a refused number is told: the range it must fall in."""
    return f"A whole number from 1 to {maximum:,}."


def query_number(request: Request, name: str, *, maximum: int = INT_MAX) -> int | None:
    """`?name=` as a whole number from 1 to `maximum`, None when absent or empty; a 400 naming
    `name` for anything else."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    number = whole_number(raw, maximum=maximum)
    if number is None:
        raise ValidationError({name: [out_of_range_message(maximum)]})
    return number


class _IdField(forms.CharField):
    """A row's id as a form field: whole_number's reading, so that "1e20", "-1" and 2^63 are refused
    with the range in the message (forms.IntegerField would take " 1 " and "１")."""

    def __init__(self, *args: Any, maximum: int = BIGINT_MAX, **kwargs: Any) -> None:
        self.maximum = maximum
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]  # an integer field built on CharField
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        number = whole_number(value, maximum=self.maximum)
        if number is None:
            raise forms.ValidationError(out_of_range_message(self.maximum), code="invalid")
        return number


class IdFilter(django_filters.Filter):
    """A filter on a row's id (a foreign key's column): a 400 naming the parameter for anything but
    a whole number the id column holds, instead of NumberFilter's decimal, which takes 1e20."""

    field_class = _IdField

    def __init__(self, *args: Any, help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, help_text=help_text, **kwargs)
        # The schema: an integer in the id's range, with this filter's own description (an
        # annotation replaces the one drf-spectacular would take from help_text).
        schema = {"type": "integer", "format": "int64", "minimum": 1, "maximum": BIGINT_MAX}
        set_override(self, "field", {**schema, "description": help_text} if help_text else schema)


# --- parameters that several operations share -------------------------------------------------------

WORKLOAD_PARAMETER = OpenApiParameter(
    "workload_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The workload's id."
)

#: A lens applied to a workload, in a path under /workloads/{workload_id}/. URLs take any letters
#: here (the lens reviews answer 404 for an alias the workload has none of).
APPLIED_ALIAS_PATTERN = r"[-a-zA-Z0-9_]+"
APPLIED_ALIAS_PARAMETER = OpenApiParameter(
    "alias",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The alias of a lens applied to the workload.",
)

#: A question's id in a lens, in a path.
QUESTION_ID_PATTERN = r"[A-Za-z0-9_]+"
QUESTION_PARAMETER = OpenApiParameter(
    "question_id", OpenApiTypes.STR, OpenApiParameter.PATH, description="The question's id in the lens."
)

MILESTONE_PARAMETER = OpenApiParameter(
    "milestone",
    OpenApiTypes.INT,
    description="Read milestone N's frozen copy (`GET .../milestones/` lists them) instead of the "
    "current state: 404 if the workload has no milestone N, 400 for anything but a whole number from 1.",
)

#: A lens's alias in the lens library's URLs: what `slugify` leaves (lens.services._check_alias).
ALIAS_PATTERN = r"[a-z0-9_-]+"

ALIAS_PARAMETER = OpenApiParameter(
    "alias", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=f"^{ALIAS_PATTERN}$", description="The lens."
)

VERSION_PARAMETER = OpenApiParameter(
    "version",
    OpenApiTypes.STR,
    description="A published label, or `draft` (only for those who manage the lens). Without it: the newest "
    "published version, or the draft when nothing is published yet and the caller manages the lens.",
)
