"""A changed field of a lens element, before and after, in words a reviewer reads (lens.diff).

Each value becomes lines of plain text: a title or description as written, a resource as its text
and link, additional resources one per line, risk rules one per line as conditions in words
(lens.rule_text). `FieldChange.marked` then says which words differ, so that the page can mark what
was removed and what was added rather than leave the reader to compare two paragraphs.
"""

import difflib
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from lens.rule_text import rules_words

#: The file's key names, as people read them.
FIELD_LABELS = {
    "name": "Name",
    "description": "Description",
    "pillar": "Pillar",
    "title": "Title",
    "helpfulResource": "Helpful resource",
    "riskRules": "Risk rules",
    "improvementPlan": "Improvement plan",
    "additionalResources": "Additional resources",
}
_RESOURCE_TYPES = {"HELPFUL_RESOURCE": "Helpful resource", "IMPROVEMENT_PLAN": "Improvement plan"}
#: Words, runs of punctuation and runs of spaces: "BP1, BP2" is four tokens, so that a list that
#: gains an id differs by ", BP3" rather than by "BP2,".
_WORD = re.compile(r"\s+|\w+|[^\w\s]+")

#: A run of text, and whether it differs from the other side.
Segment = tuple[str, bool]


@dataclass(frozen=True)
class FieldChange:
    """One changed field: its key in the file, its label, and its value before and after as lines
    of text (none: the field was not there)."""

    field: str
    label: str
    before: tuple[str, ...]
    after: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "field": self.field,
            "label": self.label,
            "before": list(self.before),
            "after": list(self.after),
        }

    @cached_property
    def marked(self) -> tuple[list[list[Segment]], list[list[Segment]]]:
        """The lines before and after, each as segments marked True where they differ: lines
        matched in order, replaced lines compared word by word, pair by pair.
        Computed once (a frozen dataclass keeps it in its __dict__, outside equality)."""
        before: list[list[Segment]] = []
        after: list[list[Segment]] = []
        matcher = difflib.SequenceMatcher(None, self.before, self.after, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                before += [[(line, False)] for line in self.before[i1:i2]]
                after += [[(line, False)] for line in self.after[j1:j2]]
                continue
            # Replaced lines are compared word by word in pairs; lines left over are all new (or gone).
            pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
            for old, new in zip(self.before[i1 : i1 + pairs], self.after[j1 : j1 + pairs], strict=True):
                old_marks, new_marks = _word_marks(old, new)
                before.append(old_marks)
                after.append(new_marks)
            before += [[(line, True)] for line in self.before[i1 + pairs : i2]]
            after += [[(line, True)] for line in self.after[j1 + pairs : j2]]
        return before, after

    @property
    def before_marked(self) -> list[list[Segment]]:
        """The lines before, marked (for the template, which cannot unpack a pair)."""
        return self.marked[0]

    @property
    def after_marked(self) -> list[list[Segment]]:
        """The lines after, marked."""
        return self.marked[1]


def _joined(segments: list[Segment]) -> list[Segment]:
    """Adjacent segments of the same kind as one, the spaces at either end of a changed run left
    unmarked, so that a changed phrase is marked once and only its words are."""
    split: list[Segment] = []
    for text, changed in segments:
        core = text.strip()
        if not changed or not core:
            split.append((text, False))
            continue
        start = text.index(core)
        split += [(text[:start], False), (core, True), (text[start + len(core) :], False)]
    result: list[Segment] = []
    for text, changed in split:
        if not text:
            continue
        if result and result[-1][1] == changed:
            result[-1] = (result[-1][0] + text, changed)
        else:
            result.append((text, changed))
    return result


def _word_marks(old: str, new: str) -> tuple[list[Segment], list[Segment]]:
    """Two lines compared word by word."""
    old_words, new_words = _WORD.findall(old), _WORD.findall(new)
    before: list[Segment] = []
    after: list[Segment] = []
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        before.append(("".join(old_words[i1:i2]), tag != "equal"))
        after.append(("".join(new_words[j1:j2]), tag != "equal"))
    return _joined(before), _joined(after)


def _resource(value: dict) -> str:
    text = value.get("displayText") or ""
    url = value.get("url")
    return f"{text} ({url})" if url and text else text or url or ""


def field_lines(field: str, value: Any) -> tuple[str, ...]:
    """A field's value (as lens.format.writer writes it) as lines of text."""
    if value is None or value == "":
        return ()
    if field == "riskRules":
        return tuple(rules_words((rule["condition"], rule["risk"]) for rule in value))
    if field in ("helpfulResource", "improvementPlan"):
        return (_resource(value),)
    if field == "additionalResources":
        return tuple(
            f"{_RESOURCE_TYPES.get(entry['type'], entry['type'])}: {_resource(item)}"
            for entry in value
            for item in entry["content"]
        )
    return (str(value),)


def field_changes(before: dict, after: dict, fields: tuple[str, ...]) -> tuple[FieldChange, ...]:
    """Each of `fields` (changed between the two written values) before and after."""
    return tuple(
        FieldChange(
            field=field,
            label=FIELD_LABELS.get(field, field),
            before=field_lines(field, before.get(field)),
            after=field_lines(field, after.get(field)),
        )
        for field in fields
    )
