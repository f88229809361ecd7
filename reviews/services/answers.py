"""Answering a question: validate, evaluate the risk, store it, and keep the change, in one
transaction. A write names the version it started from; a newer stored version refuses it (409)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from lens.models import Choice, RiskRule
from lens.risk import RISK_FROM_FILE, QuestionRules
from reviews.models import CHOICE_NOTES_MAX, NOTES_MAX, Answer, AnswerChange
from reviews.services.errors import InvalidInput, StaleAnswer

#: What a write may change; the API's partial updates name a subset.
ANSWER_FIELDS = ("selected_choices", "not_applicable_choices", "is_applicable", "reason", "notes")


@dataclass(frozen=True, slots=True)
class QuestionFacts:
    """What validating and scoring an answer to one question needs: its choices in order, its
    compiled rules, and its "None of these" choice, if any."""

    choice_ids: tuple[str, ...]
    rules: QuestionRules
    none_of_these: str | None


# Published lens versions never change, so a question's facts are cached for the life of the
# process, keyed by content rather than by primary key: (version content hash, question id).
_FACTS: dict[tuple[str, str], QuestionFacts] = {}
_FACTS_MAX = 20_000


def question_facts(question) -> QuestionFacts:
    """The facts of `question` (with its version loaded): two queries the first time, none after."""
    key = (question.version.content_hash, question.question_id)
    facts = _FACTS.get(key)
    if facts is None:
        choice_ids = tuple(
            Choice.objects.filter(question=question).order_by("position").values_list("choice_id", flat=True)
        )
        rules = (
            RiskRule.objects.filter(question=question).order_by("position").values_list("condition", "risk")
        )
        facts = QuestionFacts(
            choice_ids=choice_ids,
            rules=QuestionRules(choice_ids, [(condition, RISK_FROM_FILE[risk]) for condition, risk in rules]),
            none_of_these=next((c for c in choice_ids if c.endswith("_no")), None),
        )
        if len(_FACTS) >= _FACTS_MAX:
            _FACTS.clear()
        _FACTS[key] = facts
    return facts


def answer_state(answer: Answer) -> dict[str, Any]:
    """The answer as the audit trail records it, before and after a change."""
    return {
        "selected_choices": list(answer.selected_choices),
        "not_applicable_choices": dict(answer.not_applicable_choices),
        "is_applicable": answer.is_applicable,
        "reason": answer.reason,
        "notes": answer.notes,
        "risk": answer.risk,
    }


def _clean_selected(value: Any, facts: QuestionFacts) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise InvalidInput({"selected_choices": "Must be a list of choice ids."})
    if unknown := [choice_id for choice_id in value if choice_id not in facts.choice_ids]:
        raise InvalidInput({"selected_choices": f"{unknown[0]!r} is not a choice of this question."})
    selected = set(value)
    if facts.none_of_these in selected and len(selected) > 1:
        raise InvalidInput({"selected_choices": '"None of these" cannot be selected with other practices.'})
    return [choice_id for choice_id in facts.choice_ids if choice_id in selected]


def _clean_not_applicable(value: Any, facts: QuestionFacts) -> dict[str, dict[str, str]]:
    field = "not_applicable_choices"
    if not isinstance(value, Mapping):
        raise InvalidInput({field: 'Must map choice ids to {"reason": ..., "notes": ...}.'})
    cleaned = {}
    for choice_id, details in value.items():
        path = f"{field}.{choice_id}"
        if choice_id not in facts.choice_ids:
            raise InvalidInput({path: "Not a choice of this question."})
        if choice_id == facts.none_of_these:
            raise InvalidInput({path: '"None of these" cannot be marked not applicable.'})
        if not isinstance(details, Mapping) or set(details) - {"reason", "notes"}:
            raise InvalidInput({path: 'Must be {"reason": ..., "notes": ...}.'})
        reason = details.get("reason") or Answer.Reason.NONE
        if reason not in Answer.Reason.values:
            raise InvalidInput({f"{path}.reason": f"Choose one of: {', '.join(Answer.Reason.values)}."})
        notes = details.get("notes") or ""
        if not isinstance(notes, str) or len(notes) > CHOICE_NOTES_MAX:
            raise InvalidInput({f"{path}.notes": f"Text of at most {CHOICE_NOTES_MAX} characters."})
        cleaned[choice_id] = {"reason": reason, "notes": notes}
    return {choice_id: cleaned[choice_id] for choice_id in facts.choice_ids if choice_id in cleaned}


def _merged(state: dict[str, Any], changes: Mapping[str, Any], facts: QuestionFacts) -> dict[str, Any]:
    """`state` with `changes` applied and every rule checked; raises InvalidInput, naming the field."""
    if unknown := sorted(set(changes) - set(ANSWER_FIELDS)):
        raise InvalidInput(dict.fromkeys(unknown, "Not a field of an answer."))
    new = dict(state)
    if "selected_choices" in changes:
        new["selected_choices"] = _clean_selected(changes["selected_choices"], facts)
    if "not_applicable_choices" in changes:
        new["not_applicable_choices"] = _clean_not_applicable(changes["not_applicable_choices"], facts)
    if "is_applicable" in changes:
        if not isinstance(changes["is_applicable"], bool):
            raise InvalidInput({"is_applicable": "Must be true or false."})
        new["is_applicable"] = changes["is_applicable"]
        if new["is_applicable"]:
            new["reason"] = ""
    if "reason" in changes:
        reason = changes["reason"] or ""
        if reason and reason not in Answer.Reason.values:
            raise InvalidInput({"reason": f"Choose one of: {', '.join(Answer.Reason.values)}."})
        if reason and new["is_applicable"]:
            raise InvalidInput({"reason": "Only a question that does not apply takes a reason."})
        new["reason"] = reason
    if "notes" in changes:
        notes = changes["notes"]
        if not isinstance(notes, str) or len(notes) > NOTES_MAX:
            raise InvalidInput({"notes": f"Text of at most {NOTES_MAX} characters."})
        new["notes"] = notes
    if both := [c for c in new["selected_choices"] if c in new["not_applicable_choices"]]:
        raise InvalidInput(
            {f"not_applicable_choices.{both[0]}": "A selected practice applies: it takes no reason."}
        )
    new["risk"] = facts.rules.evaluate(
        new["selected_choices"], new["not_applicable_choices"], question_applicable=new["is_applicable"]
    ).value
    return new


@transaction.atomic
def answer_update(
    *, answer: Answer, actor, changes: Mapping[str, Any], expected_version: int | None, note: str = ""
) -> Answer:
    """Write `changes` (a subset of ANSWER_FIELDS) to `answer` and store its new risk.

    `expected_version` is the version the writer started from: if the stored answer is newer,
    StaleAnswer (409) is raised and nothing changes. None is the API's explicit choice to write
    without that check. A write that changes nothing is not recorded. Raises InvalidInput (400)."""
    # of=("self",): lock the answer's row alone. Without it PostgreSQL also locks the joined question,
    # lens version and lens review, and every save on a lens version would wait for every other one.
    current = (
        Answer.objects.select_for_update(of=("self",))
        .select_related("question__version", "lens_review")
        .defer("question__version__source")  # up to 2 MB; only its content hash is needed
        .get(pk=answer.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise StaleAnswer(current, expected_version)
    before = answer_state(current)
    after = _merged(before, changes, question_facts(current.question))
    if after == before:
        return current
    for name in (*ANSWER_FIELDS, "risk"):
        setattr(current, name, after[name])
    current.version += 1
    current.updated_by = actor
    current.updated_at = timezone.now()
    current.save()
    AnswerChange.objects.create(
        answer=current,
        kind=AnswerChange.Kind.CHANGED,
        version=current.version,
        changed_by=actor,
        changed_at=current.updated_at,
        before=before,
        after=after,
        note=note,
    )
    return current


@transaction.atomic
def answer_keep_theirs(*, answer: Answer, actor, discarded: Mapping[str, Any], seen_version: int) -> Answer:
    """Settle a conflict in favour of the stored answer: nothing in it changes, and the audit trail
    records that `actor` saw version `seen_version` and dropped their own `discarded` changes (the
    fields they had sent, as far as they are answer fields)."""
    current = Answer.objects.select_for_update(of=("self",)).get(pk=answer.pk)
    stored = answer_state(current)
    # The discarded input was never validated: keep it in the trail, but no more of it than an
    # answer could hold.
    mine = dict(stored) | {
        name: value[:NOTES_MAX] if isinstance(value, str) else value
        for name, value in discarded.items()
        if name in ANSWER_FIELDS
    }
    AnswerChange.objects.create(
        answer=current,
        kind=AnswerChange.Kind.KEPT_THEIRS,
        version=current.version,
        changed_by=actor,
        changed_at=timezone.now(),
        before=mine,
        after=stored,
        note=f"Conflict: kept version {current.version} as stored; own changes (from version "
        f"{seen_version}) discarded.",
    )
    return current
