"""The questionnaire's answer form: what a browser posts for one question, turned into the `changes`
that reviews.services.answer_update takes; and what the form shows: each practice with its state and
resources, and the service's errors next to the fields they name.

The form always posts the whole state of the question, so every field of ANSWER_FIELDS is in
`changes`; the service checks them (unknown choices, "None of these" with others, reasons) and names
the field at fault, which `place_errors` turns into a message beside that field.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from lens.models import Choice, Resource
from reviews.models import Answer

RESOLUTIONS = ("mine", "theirs")


class BadAnswerPost(Exception):
    """A post the form could not have sent (no version, or not a number): a 400 without a form."""


@dataclass(frozen=True, slots=True)
class AnswerPost:
    """A posted answer: the version it started from, the changes, and how a conflict is resolved
    ("mine": write over the stored version; "theirs": write nothing; "": no conflict)."""

    version: int
    changes: dict[str, Any]
    resolution: str = ""


def textarea_text(value: str) -> str:
    """A textarea's text as typed: browsers send its line breaks as CRLF, but count each as one
    character for `maxlength`, as the limits here do."""
    return value.replace("\r\n", "\n")


def parse_answer_post(post: QueryDict) -> AnswerPost:
    """The changes posted for one question; BadAnswerPost if the version is missing or not a number.

    Values the service would refuse (an unknown choice, a reason outside the list, "maybe" for
    is_applicable) are passed on as they are, so that the service says what is wrong with them."""
    try:
        version = int(post.get("version", ""))
    except ValueError:
        raise BadAnswerPost("The form must say which version of the answer it started from.") from None
    if version < 0:
        raise BadAnswerPost("An answer's version is not negative.")
    applicable_values = post.getlist("is_applicable") or ["true"]
    # A hidden "true" before the "does not apply" checkbox ("false"): the last value is the answer.
    is_applicable: Any = {"true": True, "false": False}.get(applicable_values[-1], applicable_values[-1])
    reason = post.get("reason", "")
    changes = {
        "selected_choices": post.getlist("selected"),
        "not_applicable_choices": {
            choice_id: {
                "reason": post.get(f"na_reason_{choice_id}", ""),
                "notes": textarea_text(post.get(f"na_notes_{choice_id}", "")),
            }
            for choice_id in dict.fromkeys(post.getlist("na"))
        },
        "is_applicable": is_applicable,
        # The reason's select stays in the form when the question applies: it says nothing then.
        "reason": "" if is_applicable is True else reason,
        "notes": textarea_text(post.get("notes", "")),
    }
    resolution = post.get("resolution", "")
    return AnswerPost(version, changes, resolution if resolution in RESOLUTIONS else "")


@dataclass(slots=True)
class PracticeRow:
    """One practice as the form shows it: the choice, its resources, and its state in the answer."""

    choice: Choice
    selected: bool
    not_applicable: bool
    reason: str
    notes: str
    helpful: list[Resource]
    improvement: list[Resource]
    errors: list[str] = field(default_factory=list)

    @property
    def has_resources(self) -> bool:
        return bool(self.helpful or self.improvement)

    @property
    def reason_label(self) -> str:
        return Answer.reason_label(self.reason)


_HELPFUL = {Resource.Slot.HELPFUL_RESOURCE, Resource.Slot.ADDITIONAL_HELPFUL_RESOURCE}


def practice_rows(
    choices: list[Choice], state: Mapping[str, Any], errors: "FormErrors | None" = None
) -> list[PracticeRow]:
    """The practices of a question with their state in `state` (answer_state's shape, or posted
    changes) and their errors."""
    selected = set(state.get("selected_choices") or [])
    not_applicable = state.get("not_applicable_choices") or {}
    rows = []
    for choice in choices:
        details = not_applicable.get(choice.choice_id)
        resources = getattr(choice, "resource_list", [])
        rows.append(
            PracticeRow(
                choice=choice,
                selected=choice.choice_id in selected,
                not_applicable=details is not None,
                reason=(details or {}).get("reason") or Answer.Reason.NONE,
                notes=(details or {}).get("notes") or "",
                helpful=[r for r in resources if r.slot in _HELPFUL],
                improvement=[r for r in resources if r.slot not in _HELPFUL],
                errors=errors.of_choice(choice.choice_id) if errors else [],
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class SummaryPractice:
    title: str
    reason: str = ""
    notes: str = ""


@dataclass(frozen=True, slots=True)
class AnswerSummary:
    """An answer (stored or posted) as a read-only list: for readers and for the conflict panel."""

    selected: list[SummaryPractice]
    not_applicable: list[SummaryPractice]
    is_applicable: bool
    reason: str
    notes: str


def answer_summary(choices: list[Choice], state: Mapping[str, Any]) -> AnswerSummary:
    """`state` with the practices' titles, in lens order; ids that are not choices show as they are."""
    titles = {choice.choice_id: choice.title for choice in choices}
    order = {choice.choice_id: n for n, choice in enumerate(choices)}
    selected = sorted(state.get("selected_choices") or [], key=lambda c: order.get(c, len(order)))
    not_applicable = state.get("not_applicable_choices") or {}
    is_applicable = state.get("is_applicable", True) is not False
    return AnswerSummary(
        selected=[SummaryPractice(titles.get(c, str(c))) for c in selected],
        not_applicable=[
            SummaryPractice(
                titles.get(c, str(c)), Answer.reason_label(d.get("reason", "")), d.get("notes", "")
            )
            for c, d in sorted(not_applicable.items(), key=lambda item: order.get(item[0], len(order)))
            if isinstance(d, Mapping)
        ],
        is_applicable=is_applicable,
        reason=Answer.reason_label(state.get("reason") or "") if not is_applicable else "",
        notes=state.get("notes") or "",
    )


@dataclass(slots=True)
class FormErrors:
    """The service's errors placed beside the form's fields: `by_slot` maps a slot ("selected",
    "applicability", "notes", "choice:<choice id>") to its messages, each naming its field; every
    message is also in `all`, for the summary at the top of the form."""

    by_slot: dict[str, list[str]] = field(default_factory=dict)
    all: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.all)

    def of(self, slot: str) -> list[str]:
        return self.by_slot.get(slot, [])

    def of_choice(self, choice_id: str) -> list[str]:
        return self.of(f"choice:{choice_id}")

    @property
    def selected(self) -> list[str]:
        return self.of("selected")

    @property
    def applicability(self) -> list[str]:
        return self.of("applicability")

    @property
    def notes(self) -> list[str]:
        return self.of("notes")


_FIELD_LABELS = {
    "selected_choices": ("selected", "Practices"),
    "not_applicable_choices": ("selected", "Practices not applicable"),
    "is_applicable": ("applicability", "Question applies"),
    "reason": ("applicability", "Reason the question does not apply"),
    "notes": ("notes", "Notes"),
}
_PART_LABELS = {"": "not applicable", "reason": "reason it is not applicable", "notes": "note"}


def place_errors(errors: Mapping[str, list[str]], choices: list[Choice]) -> FormErrors:
    """InvalidInput.errors (field path: messages) as messages beside the fields, each naming its
    field: "Notes: Text of at most 2084 characters." or "“Practice title”, note: ..."."""
    titles = {choice.choice_id: choice.title for choice in choices}
    placed = FormErrors()
    for path, messages in errors.items():
        slot, label = _FIELD_LABELS.get(path, ("", path))
        head, _, rest = path.partition(".")
        if head == "not_applicable_choices" and rest:
            choice_id, _, part = rest.partition(".")
            title = titles.get(choice_id)
            slot = f"choice:{choice_id}" if title is not None else "selected"
            label = f"“{title or choice_id}”, {_PART_LABELS.get(part, part)}"
        for message in messages:
            text = f"{label}: {message}"
            placed.all.append(text)
            if slot:
                placed.by_slot.setdefault(slot, []).append(text)
    return placed


def post_fields(changes: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`changes` as the form posts them (name, value), for the conflict panel's "Keep mine", which
    posts the person's answer again."""
    fields = [("selected", str(choice_id)) for choice_id in changes.get("selected_choices", [])]
    for choice_id, details in (changes.get("not_applicable_choices") or {}).items():
        fields += [
            ("na", choice_id),
            (f"na_reason_{choice_id}", details.get("reason", "")),
            (f"na_notes_{choice_id}", details.get("notes", "")),
        ]
    is_applicable = changes.get("is_applicable", True)
    fields.append(("is_applicable", {True: "true", False: "false"}.get(is_applicable, str(is_applicable))))
    fields += [("reason", changes.get("reason", "")), ("notes", changes.get("notes", ""))]
    return fields


@dataclass(frozen=True, slots=True)
class Conflict:
    """A write refused because someone saved since the person started: both versions, to choose."""

    stored: Answer  # the version that stands, with `updated_by`
    expected_version: int  # the version the person started from
    mine: AnswerSummary
    theirs: AnswerSummary
    mine_fields: list[tuple[str, str]]  # what "Keep mine" posts again
