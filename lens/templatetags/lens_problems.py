"""`{% problem_groups problems pillars as groups %}`: a lens's warnings grouped for reading
(lens.problem_groups)."""

from typing import Any

from django import template

from lens.problem_groups import ProblemGroup, group_problems

register = template.Library()


@register.simple_tag
def problem_groups(problems: Any, pillars: Any = ()) -> list[ProblemGroup]:
    """The problems grouped by kind, each occurrence naming its question when `pillars` is given."""
    return group_problems(problems or [], pillars or ())
