"""The workload form's fields for AWS's properties (reviews.properties has the rules): the pillar
priorities as a ranked list of the applied lenses' pillars, and the choices of the AWS regions and
industry types, which keep a stored value the list lacks so that saving the form unchanged keeps it.

Pillar priorities are ranks typed beside each pillar's name (1 first; empty: no priority), which
works without JavaScript; static/js/pillar-priorities.js adds "Move up" and "Move down" buttons
that renumber the ranks, by mouse or keyboard. No pillar id is ever typed.
"""

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from reviews.properties import AWS_REGIONS, INDUSTRY_TYPES

#: The most a rank may be (a lens has a handful of pillars; a few lenses, a few dozen).
RANK_MAX = 99
#: A rank as typed: ASCII digits (str.isdigit takes "²", which int refuses).
RANK = re.compile(r"[0-9]{1,2}")


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
    """One rank input per pillar, named "<field>:<pillar id>", in an ordered list of the pillars'
    names (`pillars`, set by PillarPrioritiesField): those ranked first, by rank, then the others
    in the lenses' order. Its value: ids in order (stored) or (id, rank typed) pairs (sent)."""

    pillars: list[tuple[str, str]] = []  # noqa: RUF012 - set per form by the field

    def value_from_datadict(self, data, files, name) -> list[tuple[str, str]]:
        prefix = f"{name}:"
        return [(key[len(prefix) :], data.get(key, "").strip()) for key in data if key.startswith(prefix)]

    def value_omitted_from_data(self, data, files, name) -> bool:
        return not any(key.startswith(f"{name}:") for key in data)

    def rows(self, value: Any) -> list[dict[str, Any]]:
        """The pillars in the order shown, each with its label and its rank as typed."""
        if value and all(isinstance(item, str) for item in value):
            typed = {pillar: str(index + 1) for index, pillar in enumerate(value)}
        else:
            typed = {pillar: rank for pillar, rank in value or [] if rank}

        def position(pair: tuple[str, str]) -> int:  # sorted() is stable: equal ranks keep lens order
            rank = typed.get(pair[0], "")
            return int(rank) if RANK.fullmatch(rank) else RANK_MAX + 1 if rank else RANK_MAX + 2

        return [
            {"pillar": pillar, "label": label, "rank": typed.get(pillar, "")}
            for pillar, label in sorted(self.pillars, key=position)
        ]

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        """The ordered list (js/pillar-priorities.js adds the buttons); every text escaped."""
        base = (attrs or {}).get("id") or f"id_{name}"
        items = format_html_join(
            "\n",
            '<li class="priority-row"><label class="priority-label" for="{0}_{1}">{2}</label> '
            '<input type="text" inputmode="numeric" pattern="[0-9]*" size="3" maxlength="2" '
            'class="priority-rank" id="{0}_{1}" name="{3}:{4}" value="{5}" aria-label="Rank of {2}"></li>',
            (
                (base, index, row["label"], name, row["pillar"], row["rank"])
                for index, row in enumerate(self.rows(value), 1)
            ),
        )
        return format_html('<ol class="priority-list" data-priority-list>{}</ol>', items)


class PillarPrioritiesField(forms.Field):
    """Pillar ids, most important first, from the ranks typed beside the pillars' names. Equal ranks
    keep the page's order; a rank that is not a whole number from 1 names its pillar."""

    widget = PillarRanks

    def __init__(self, *, pillars: Sequence[tuple[str, str]] = (), **kwargs: Any):
        super().__init__(**kwargs)
        self.pillars = list(pillars)

    @property
    def pillars(self) -> list[tuple[str, str]]:
        """(pillar id, label) of the pillars a priority may name, in the lenses' order."""
        return self.widget.pillars

    @pillars.setter
    def pillars(self, pillars: list[tuple[str, str]]) -> None:
        self.widget.pillars = pillars

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
            return list(value)  # initial data: already ids in order
        labels = dict(self.pillars)
        ranked = []
        for index, (pillar, rank) in enumerate(value or []):
            if not rank:
                continue
            if not RANK.fullmatch(rank) or not 1 <= int(rank) <= RANK_MAX:
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
