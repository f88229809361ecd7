"""The workload form's fields for AWS's properties (reviews.properties has the rules): the pillar
priorities as a ranked list of the applied lenses' pillars, and the choices of the AWS regions and
industry types, which keep a stored value the list lacks so that saving the form unchanged keeps it.

Pillar priorities are ranks typed beside each pillar's name (1 first; empty: no priority), which
works without JavaScript; static/js/pillar-priorities.js adds "Move up" and "Move down" buttons
that renumber the ranks, by mouse or keyboard. No pillar id is ever typed.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from reviews.properties import AWS_REGIONS, INDUSTRY_TYPES

#: The most a rank may be (a lens has a handful of pillars; a few lenses, a few dozen).
RANK_MAX = 99


def region_choices(stored: Iterable[str] = ()) -> list[tuple[str, str]]:
    """AWS's regions as "eu-west-1 · Europe (Ireland)", and any stored code the list lacks."""
    known = [(code, f"{code} · {name}") for code, name in AWS_REGIONS]
    codes = {code for code, _label in known}
    return known + [(code, f"{code} (not a known AWS region)") for code in stored if code not in codes]


def industry_choices(stored: str = "") -> list[tuple[str, str]]:
    """AWS's industry types, after "—" (none), and a stored value the list lacks."""
    choices = [("", "—"), *((name, name) for name in INDUSTRY_TYPES)]
    if stored and stored not in INDUSTRY_TYPES:
        choices.append((stored, f"{stored} (not one of AWS's industry types)"))
    return choices


class PillarRanks(forms.Widget):
    """One rank input per pillar, named "<field>:<pillar id>"; rendered by the workload form's
    template (reviews/workloads/_pillar_priorities.html) from `PillarPrioritiesField.rows`."""

    def value_from_datadict(self, data, files, name) -> list[tuple[str, str]]:
        prefix = f"{name}:"
        return [(key[len(prefix) :], data.get(key, "").strip()) for key in data if key.startswith(prefix)]

    def value_omitted_from_data(self, data, files, name) -> bool:
        return not any(key.startswith(f"{name}:") for key in data)


class PillarPrioritiesField(forms.Field):
    """Pillar ids, most important first, from the ranks typed beside the pillars' names. Equal ranks
    keep the page's order; a rank that is not a whole number from 1 names its pillar."""

    widget = PillarRanks

    def __init__(self, *, pillars: Sequence[tuple[str, str]] = (), **kwargs: Any):
        super().__init__(**kwargs)
        self.pillars = list(pillars)

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
            return list(value)  # initial data: already ids in order
        labels = dict(self.pillars)
        ranked = []
        for index, (pillar, rank) in enumerate(value or []):
            if not rank:
                continue
            if not rank.isdigit() or not 1 <= int(rank) <= RANK_MAX:
                raise ValidationError(
                    f"The rank of “{labels.get(pillar, pillar)}” must be a whole number from 1 to {RANK_MAX}."
                )
            ranked.append((int(rank), index, pillar))
        return [pillar for _rank, _index, pillar in sorted(ranked)]

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        known = {pillar for pillar, _label in self.pillars}
        if unknown := [pillar for pillar in value if pillar not in known]:
            raise ValidationError(f"“{unknown[0][:40]}” is not a pillar of this workload's lenses.")

    def rows(self, value: Any) -> list[dict[str, Any]]:
        """The pillars as the template lists them: those ranked first, by rank, then the others in
        the lenses' order; each with its label, its rank (as typed, on a form sent back) and the
        name of its input. `value`: ids in order (stored) or (id, rank typed) pairs (sent)."""
        if value and all(isinstance(item, str) for item in value):
            typed = {pillar: str(index + 1) for index, pillar in enumerate(value)}
        else:
            typed = {pillar: rank for pillar, rank in value or [] if rank}

        def position(pair: tuple[str, str]) -> int:  # sorted() is stable: equal ranks keep lens order
            rank = typed.get(pair[0], "")
            return int(rank) if rank.isdigit() else RANK_MAX + 1 if rank else RANK_MAX + 2

        return [
            {"pillar": pillar, "label": label, "rank": typed.get(pillar, "")}
            for pillar, label in sorted(self.pillars, key=position)
        ]
