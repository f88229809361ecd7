"""The nothing-lost check and the figures of a load run: pure functions over the client's log and the
rows read back from the database, so that tests/test_load_check.py can show they catch a lost save,
a wrong answer and a row nobody asked for.

An answer is named by its key, (workload id, lens alias, question id). The client logs each save the
server accepted (2xx) with the version the server gave it (the ETag) and the whole answer it sent;
each save that failed without an answer to go by (a timeout, a dropped connection, a 5xx) is logged
as an attempt whose outcome the client cannot know. Every save sends notes of its own, so that an
attempt is told apart from every other by its fields.

After the run:
(a) each answer equals its last accepted save (the highest version accepted), or is untouched;
(b) every accepted save is in the audit trail: a CHANGED row with its version and its fields;
(c) nothing else is: no audit row that no accepted save accounts for. A row that matches a failed
    attempt is not counted as extra but as "in doubt": the server committed a save whose answer
    never reached the client (a request timed out, or the database went away after the commit). It
    is the answer's latest state if its version is the highest, and it is reported, never hidden.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The whole answer, as each save sends it and as the audit trail's `after` records it.
FIELDS = ("selected_choices", "not_applicable_choices", "is_applicable", "reason", "notes")

Key = tuple[int, str, str]


@dataclass(frozen=True, slots=True)
class Save:
    """An accepted save (from the client's log), an answer as stored, or an audit row: a version
    of one answer with its fields (audit rows also have a kind: CHANGED or KEPT_THEIRS)."""

    key: Key
    version: int
    fields: Mapping[str, Any]
    kind: str = "CHANGED"


def comparable(fields: Mapping[str, Any]) -> tuple:
    """The answer's fields in a form that compares equal when they mean the same: the selected
    choices as a set (the server stores them in the lens's order), the rest as they are. A missing
    field stays distinct from any value."""
    missing = object()
    selected = fields.get("selected_choices", missing)
    not_applicable = fields.get("not_applicable_choices", missing)
    return (
        tuple(sorted(selected)) if isinstance(selected, list | tuple) else selected,
        tuple(sorted((k, tuple(sorted(v.items()))) for k, v in not_applicable.items()))
        if isinstance(not_applicable, Mapping)
        else not_applicable,
        *(fields.get(name, missing) for name in FIELDS[2:]),
    )


@dataclass
class Verdict:
    """What the check found. `ok` when nothing was lost, wrong, doubled or extra."""

    answers: int = 0
    accepted: int = 0
    wrong: list[str] = field(default_factory=list)  # (a)
    missing: list[str] = field(default_factory=list)  # (b)
    extra: list[str] = field(default_factory=list)  # (c)
    duplicates: list[str] = field(default_factory=list)  # one version accepted twice: a lost update
    in_doubt: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        """Accepted saves not in the audit trail, and answers that are not their last save."""
        return len(self.missing) + len(self.wrong) + len(self.duplicates)

    @property
    def ok(self) -> bool:
        return not (self.wrong or self.missing or self.extra or self.duplicates)

    def summary(self) -> dict[str, Any]:
        return {
            "answers": self.answers,
            "accepted": self.accepted,
            "equal_last_save": not self.wrong,
            "saves_in_audit_trail": not self.missing and not self.duplicates,
            "nothing_else": not self.extra,
            "wrong": len(self.wrong),
            "missing": len(self.missing),
            "duplicates": len(self.duplicates),
            "extra": len(self.extra),
            "in_doubt": len(self.in_doubt),
            "lost": self.lost,
            "examples": (self.wrong + self.missing + self.duplicates + self.extra)[:5],
        }


def nothing_lost(
    *,
    accepted: Iterable[Save],
    failed: Iterable[tuple[Key, Mapping[str, Any]]],
    initial: Mapping[Key, Save],
    stored: Mapping[Key, Save],
    audit: Iterable[Save],
) -> Verdict:
    """Check the client's log against the database.

    accepted: the saves the server accepted; failed: (key, fields) of the saves whose outcome the
    client does not know; initial: every answer of the test as it was before the run; stored: the
    same answers after it; audit: the audit rows written for them since the run began (rows made
    while setting up excluded)."""
    verdict = Verdict(answers=len(initial))
    saves = list(accepted)
    verdict.accepted = len(saves)
    by_key: dict[Key, dict[int, Save]] = defaultdict(dict)
    for save in saves:
        if save.version in by_key[save.key]:
            first = by_key[save.key][save.version]
            verdict.duplicates.append(f"{_name(save.key)}: version {save.version} accepted twice")
            if comparable(first.fields) == comparable(save.fields):
                continue
        by_key[save.key][save.version] = save
    attempts = defaultdict(set)
    for key, fields in failed:
        attempts[key].add(comparable(fields))

    latest_in_doubt = _match_audit(verdict, saves, by_key, attempts, audit)

    # (a): each answer as its last save (accepted, or committed in doubt), or as it was.
    for key in sorted(set(initial) | set(stored) | set(by_key)):
        candidates = list(by_key.get(key, {}).values())
        if key in latest_in_doubt:
            candidates.append(latest_in_doubt[key])
        expected = max(candidates, key=lambda save: save.version) if candidates else initial.get(key)
        now = stored.get(key)
        if now is None or expected is None:
            verdict.wrong.append(f"{_name(key)}: {'gone' if now is None else 'not an answer of the test'}")
        elif now.version != expected.version or comparable(now.fields) != comparable(expected.fields):
            verdict.wrong.append(
                f"{_name(key)}: stored v{now.version}, last save v{expected.version}"
                + ("" if now.version != expected.version else " with other fields")
            )
    return verdict


def _match_audit(
    verdict: Verdict,
    saves: list[Save],
    by_key: Mapping[Key, Mapping[int, Save]],
    attempts: Mapping[Key, set[tuple]],
    audit: Iterable[Save],
) -> dict[Key, Save]:
    """(b) and (c): the audit rows matched with the accepted saves, one for one, what is missing or
    extra written into `verdict`. Returns each answer's latest save committed in doubt."""
    unmatched = {(save.key, save.version) for save in saves}
    latest_in_doubt: dict[Key, Save] = {}
    for row in audit:
        save = by_key.get(row.key, {}).get(row.version)
        if (
            row.kind == "CHANGED"
            and save is not None
            and (row.key, row.version) in unmatched
            and comparable(save.fields) == comparable(row.fields)
        ):
            unmatched.discard((row.key, row.version))
        elif row.kind == "CHANGED" and comparable(row.fields) in attempts[row.key]:
            verdict.in_doubt.append(f"{_name(row.key)} v{row.version}: committed, the client saw a failure")
            if row.key not in latest_in_doubt or row.version > latest_in_doubt[row.key].version:
                latest_in_doubt[row.key] = row
        else:
            verdict.extra.append(f"{_name(row.key)} v{row.version} ({row.kind}): no accepted save made it")
    for key, version in sorted(unmatched):
        verdict.missing.append(f"{_name(key)} v{version}: accepted, not in the audit trail")
    return latest_in_doubt


def _name(key: Key) -> str:
    workload, alias, question = key
    return f"workload {workload} {alias} {question}"


def percentile(values: Iterable[float], p: float) -> float:
    """The p-th percentile by the nearest-rank method: the smallest value with at least p% of the
    values at or below it. NaN for no values."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    if not 0 < p <= 100:
        raise ValueError("p is a percentage in (0, 100]")
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def median(values: Iterable[float]) -> float:
    """The median (the mean of the middle two for an even count); NaN for no values."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
