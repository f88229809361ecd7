"""The difference between two versions of a lens: pillars, questions and choices, NEW, UPDATED or
DELETED, matched by their ids (choices by question id and choice id). An UPDATED element says what
each changed field was before and after, in words a reviewer reads (lens.diff_words): risk rules as
conditions ("High risk when none of BP01, BP02 is selected"), resources as their text and link."""

import enum
from dataclasses import dataclass

from lens.diff_words import FieldChange, field_changes
from lens.format import LensDocument, PillarDoc, QuestionDoc
from lens.format.writer import write_choice, write_question


class Status(enum.StrEnum):
    NEW = "NEW"
    UPDATED = "UPDATED"
    DELETED = "DELETED"


@dataclass(frozen=True)
class Change:
    """One element that differs. `fields` names what changed in an UPDATED element (the file's key
    names), and `details` says what each was before and after."""

    kind: str  # "pillar", "question" or "choice"
    status: Status
    pillar_id: str
    question_id: str | None
    choice_id: str | None
    title: str
    fields: tuple[str, ...] = ()
    details: tuple[FieldChange, ...] = ()

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "status": str(self.status),
            "pillar_id": self.pillar_id,
            "question_id": self.question_id,
            "choice_id": self.choice_id,
            "title": self.title,
            "fields": list(self.fields),
            "details": [detail.as_dict() for detail in self.details],
        }


_PILLAR_FIELDS = ("name", "description")
_QUESTION_FIELDS = ("pillar", "title", "description", "helpfulResource", "riskRules")
_CHOICE_FIELDS = ("title", "helpfulResource", "improvementPlan", "additionalResources")


def _written_question(pillar: PillarDoc, question: QuestionDoc) -> dict:
    value = write_question(question)
    value["pillar"] = pillar.id
    return value


def _comparable_question(value: dict) -> dict:
    # Whitespace inside a condition does not change what it means.
    rules = [("".join(rule["condition"].split()), rule["risk"]) for rule in value["riskRules"]]
    return value | {"riskRules": rules}


def _changed(before: dict, after: dict, names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name for name in names if before.get(name) != after.get(name))


def version_diff(old: LensDocument, new: LensDocument) -> list[Change]:
    """What changed from `old` to `new`, in the new version's order, deletions after."""
    old_pillars = {pillar.id: pillar for pillar in old.pillars}
    old_questions = {question.id: (pillar, question) for pillar, question in old.questions()}
    new_question_ids = {question.id for _, question in new.questions()}
    changes: list[Change] = []

    for pillar in new.pillars:
        before = old_pillars.get(pillar.id)
        if before is None:
            changes.append(Change("pillar", Status.NEW, pillar.id, None, None, pillar.name))
        elif fields := _changed(vars(before), vars(pillar), _PILLAR_FIELDS):
            details = field_changes(vars(before), vars(pillar), fields)
            changes.append(
                Change("pillar", Status.UPDATED, pillar.id, None, None, pillar.name, fields, details)
            )
        for question in pillar.questions:
            if question.id not in old_questions:
                changes.append(Change("question", Status.NEW, pillar.id, question.id, None, question.title))
                changes.extend(
                    Change("choice", Status.NEW, pillar.id, question.id, choice.id, choice.title)
                    for choice in question.choices
                )
                continue
            old_pillar, old_question = old_questions[question.id]
            changes.extend(_question_changes(old_pillar, old_question, pillar, question))

    new_pillar_ids = {pillar.id for pillar in new.pillars}
    for pillar in old.pillars:
        if pillar.id not in new_pillar_ids:
            changes.append(Change("pillar", Status.DELETED, pillar.id, None, None, pillar.name))
        for question in pillar.questions:
            if question.id not in new_question_ids:
                changes.append(
                    Change("question", Status.DELETED, pillar.id, question.id, None, question.title)
                )
                changes.extend(
                    Change("choice", Status.DELETED, pillar.id, question.id, choice.id, choice.title)
                    for choice in question.choices
                )
    return changes


def _question_changes(
    old_pillar: PillarDoc, old_question: QuestionDoc, pillar: PillarDoc, question: QuestionDoc
) -> list[Change]:
    """What changed in a question present in both versions: the question itself, then its choices
    (new or updated in the new version's order, deletions after)."""
    changes: list[Change] = []
    before, after = _written_question(old_pillar, old_question), _written_question(pillar, question)
    if fields := _changed(_comparable_question(before), _comparable_question(after), _QUESTION_FIELDS):
        details = field_changes(before, after, fields)
        changes.append(
            Change("question", Status.UPDATED, pillar.id, question.id, None, question.title, fields, details)
        )
    old_choices = {choice.id: choice for choice in old_question.choices}
    for choice in question.choices:
        if choice.id not in old_choices:
            changes.append(Change("choice", Status.NEW, pillar.id, question.id, choice.id, choice.title))
            continue
        old_value, value = write_choice(old_choices[choice.id]), write_choice(choice)
        if fields := _changed(old_value, value, _CHOICE_FIELDS):
            details = field_changes(old_value, value, fields)
            changes.append(
                Change(
                    "choice", Status.UPDATED, pillar.id, question.id, choice.id, choice.title, fields, details
                )
            )
    new_choice_ids = {choice.id for choice in question.choices}
    changes.extend(
        Change("choice", Status.DELETED, pillar.id, question.id, choice.id, choice.title)
        for choice in old_question.choices
        if choice.id not in new_choice_ids
    )
    return changes
