"""Answering a question: validate, evaluate the risk, store it, and keep the change, in one
transaction. A write names the version it started from; a newer stored version refuses it (409).

A write names whole fields (ANSWER_FIELDS) or, with `choice_updates` (the AWS Well-Architected API's
ChoiceUpdates), the choices it changes one by one: those are applied to the answer as stored, under
its row lock, so that writers changing different choices of one question never lose each other's
changes even when they write without a version.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from lens.models import Choice, Question, RiskRule
from lens.risk import RISK_FROM_FILE, QuestionRules
from mlwa.error_codes import REFUSED, UNKNOWN_REFERENCE
from mlwa.errors import InvalidInput, StaleAnswer
from reviews.models import NOTES_MAX, Answer, AnswerChange

#: The stored fields of an answer that a write may change; the API's partial updates name a subset.
ANSWER_FIELDS = ("selected_choices", "not_applicable_choices", "is_applicable", "reason", "notes")

#: A key of `changes` besides ANSWER_FIELDS: {choice id: {"status": ..., "reason": ..., "notes": ...}},
#: each choice named set to a status (CHOICE_STATUSES), the others left as stored (or as the
#: `selected_choices` and `not_applicable_choices` of the same write make them). It is not stored as
#: such: it changes `selected_choices` and `not_applicable_choices`.
CHOICE_UPDATES = "choice_updates"

#: A choice's status in a choice update (AWS: ChoiceStatus). Only NOT_APPLICABLE takes a reason
#: (an Answer.Reason, NONE when never given) and notes (at most reviews.models.CHOICE_NOTES_MAX).
SELECTED, UNSELECTED, NOT_APPLICABLE = "SELECTED", "UNSELECTED", "NOT_APPLICABLE"
CHOICE_STATUSES = (SELECTED, UNSELECTED, NOT_APPLICABLE)

#: Everything `answer_update` accepts in `changes`.
WRITABLE = (*ANSWER_FIELDS, CHOICE_UPDATES)


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


def question_facts(question: Question) -> QuestionFacts:
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


def _clean_selected(value: Sequence[str], facts: QuestionFacts) -> list[str]:
    if unknown := [choice_id for choice_id in value if choice_id not in facts.choice_ids]:
        raise InvalidInput(
            {"selected_choices": f"{unknown[0]!r} is not a choice of this question."}, code=UNKNOWN_REFERENCE
        )
    selected = set(value)
    if facts.none_of_these in selected and len(selected) > 1:
        raise InvalidInput(
            {"selected_choices": '"None of these" cannot be selected with other practices.'}, code=REFUSED
        )
    return [choice_id for choice_id in facts.choice_ids if choice_id in selected]


def _clean_not_applicable(
    value: Mapping[str, Mapping[str, str]], facts: QuestionFacts
) -> dict[str, dict[str, str]]:
    for choice_id in value:
        path = f"not_applicable_choices.{choice_id}"
        if choice_id not in facts.choice_ids:
            raise InvalidInput({path: "Not a choice of this question."}, code=UNKNOWN_REFERENCE)
        if choice_id == facts.none_of_these:
            raise InvalidInput({path: '"None of these" cannot be marked not applicable.'}, code=REFUSED)
    return {
        choice_id: {
            "reason": value[choice_id].get("reason") or Answer.Reason.NONE,
            "notes": value[choice_id].get("notes") or "",
        }
        for choice_id in facts.choice_ids
        if choice_id in value
    }


def _choice_update(path: str, update: Mapping[str, Any], previous: Mapping[str, str] | None) -> dict | None:
    """One choice's update (status, and optional reason and notes, each possibly None), merged with
    what is stored: for NOT_APPLICABLE, the reason and notes left out stay as stored for a choice
    that was not applicable already; for another status, giving either is refused."""
    status = update["status"]
    if status != NOT_APPLICABLE:
        # null or "" say "no reason", which is what a selected or unselected choice has.
        if given := [key for key in ("reason", "notes") if update.get(key) not in (None, "")]:
            raise InvalidInput(
                {f"{path}.{given[0]}": f"Only a choice marked {NOT_APPLICABLE} takes one."}, code=REFUSED
            )
        return None
    previous = previous or {}
    reason = update.get("reason") or previous.get("reason") or Answer.Reason.NONE
    notes = update["notes"] if update.get("notes") is not None else previous.get("notes", "")
    return {"reason": reason, "notes": notes}


def _apply_choice_updates(
    new: dict[str, Any], value: Mapping[str, Mapping[str, Any]], facts: QuestionFacts
) -> None:
    """Apply `choice_updates` to the choices of `new` (the stored state, with the whole fields of the
    same write applied), keeping a choice either selected or not applicable, never both."""
    selected = set(new["selected_choices"])
    not_applicable = dict(new["not_applicable_choices"])
    now_selected = []  # the choices this write selects, in its order: the one to blame for a clash
    for choice_id, update in value.items():
        path = f"{CHOICE_UPDATES}.{choice_id}"
        if choice_id not in facts.choice_ids:
            raise InvalidInput({path: "Not a choice of this question."}, code=UNKNOWN_REFERENCE)
        details = _choice_update(path, update, not_applicable.get(choice_id))
        status = update["status"]
        selected.discard(choice_id)
        not_applicable.pop(choice_id, None)
        if status == SELECTED:
            selected.add(choice_id)
            now_selected.append(choice_id)
        elif status == NOT_APPLICABLE:
            if choice_id == facts.none_of_these:
                raise InvalidInput(
                    {f"{path}.status": '"None of these" cannot be marked not applicable.'}, code=REFUSED
                )
            not_applicable[choice_id] = details
    none_of_these = facts.none_of_these
    if none_of_these in selected and len(selected) > 1:
        # Blame "None of these" if this write selects it, else the first practice it selects.
        culprit = none_of_these if none_of_these in now_selected else next(iter(now_selected), None)
        path = f"{CHOICE_UPDATES}.{culprit}.status" if culprit else CHOICE_UPDATES
        both = ", ".join(c for c in facts.choice_ids if c in selected)
        raise InvalidInput(
            {path: f'"None of these" cannot be selected with other practices (this would select {both}).'},
            code=REFUSED,
        )
    new["selected_choices"] = [c for c in facts.choice_ids if c in selected]
    new["not_applicable_choices"] = {c: not_applicable[c] for c in facts.choice_ids if c in not_applicable}


def _both_blamed(changes: Mapping[str, Any], choice_id: str) -> dict[str, str]:
    """Who is at fault for a practice both selected and not applicable: the fields of this write
    that say so (a field left out is the stored answer's, and no input of this request)."""
    blamed = {}
    if "selected_choices" in changes:
        blamed["selected_choices"] = f"{choice_id!r} is marked not applicable: a practice selected applies."
    if "not_applicable_choices" in changes:
        blamed[f"not_applicable_choices.{choice_id}"] = "A selected practice applies: it takes no reason."
    return blamed


def _merged(state: dict[str, Any], changes: Mapping[str, Any], facts: QuestionFacts) -> dict[str, Any]:
    """`state` with `changes` (validated: AnswerUpdateSerializer) applied and every rule of the
    question checked; raises InvalidInput, naming the input at fault. Whole fields first, then
    `choice_updates` over them."""
    new = dict(state)
    if "selected_choices" in changes:
        new["selected_choices"] = _clean_selected(changes["selected_choices"], facts)
    if "not_applicable_choices" in changes:
        new["not_applicable_choices"] = _clean_not_applicable(changes["not_applicable_choices"], facts)
    if CHOICE_UPDATES in changes:
        _apply_choice_updates(new, changes[CHOICE_UPDATES], facts)
    if "is_applicable" in changes:
        new["is_applicable"] = changes["is_applicable"]
        if new["is_applicable"]:
            new["reason"] = ""
    if "reason" in changes:
        reason = changes["reason"] or ""
        if reason and new["is_applicable"]:
            raise InvalidInput(
                {"reason": "Only a question that does not apply takes a reason."}, code=REFUSED
            )
        new["reason"] = reason
    if "notes" in changes:
        new["notes"] = changes["notes"]
    if both := [c for c in new["selected_choices"] if c in new["not_applicable_choices"]]:
        # choice_updates never leaves a choice both ways: one of the whole fields of this write did.
        raise InvalidInput(_both_blamed(changes, both[0]), code=REFUSED)
    new["risk"] = facts.rules.evaluate(
        new["selected_choices"], new["not_applicable_choices"], question_applicable=new["is_applicable"]
    ).value
    return new


def _locked(answer: Answer) -> Answer:
    """The stored `answer`, its row locked, with its question, the question's version and its lens
    review. When `answer` comes with them (the API's save: the review with its version), only the
    row is read and they are reused, unless a lens upgrade moved the answer meanwhile: building the
    query with their joins cost more CPU than the rest of the save."""
    loaded = Answer.question.is_cached(answer) and Answer.lens_review.is_cached(answer)
    review = answer.lens_review if loaded else None
    if (
        review is not None
        and type(review).lens_version.is_cached(review)
        and review.lens_version_id == answer.question.version_id
    ):
        current = Answer.objects.select_for_update().get(pk=answer.pk)
        # A lens upgrade moves an answer to the new version's question: if one ran since the caller
        # read the answer, what it loaded is stale, and the full query below reads it afresh.
        if current.question_id == answer.question_id and current.lens_review_id == review.pk:
            answer.question.version = review.lens_version
            current.question, current.lens_review = answer.question, review
            return current
    # of=("self",): lock the answer's row alone. Without it PostgreSQL also locks the joined question,
    # lens version and lens review, and every save on a lens version would wait for every other one.
    return (
        Answer.objects.select_for_update(of=("self",))
        .select_related("question__version", "lens_review")
        .defer("question__version__source")  # up to 2 MB; only its content hash is needed
        .get(pk=answer.pk)
    )


@transaction.atomic
def answer_update(
    *, answer: Answer, actor: User, changes: Mapping[str, Any], expected_version: int | None, note: str = ""
) -> Answer:
    """Write `changes` (a subset of WRITABLE: stored fields, and `choice_updates`) to `answer` and
    store its new risk. `changes` is validated already, as reviews.api.answer_serializers.
    AnswerUpdateSerializer gives it (the API and the questionnaire page both validate with it):
    this checks it against the question.

    The stored answer is read under a row lock and `changes` applied to it there, so that
    `choice_updates` changes only the choices it names, whatever other writers stored meanwhile.
    `expected_version` is the version the writer started from: if the stored answer is newer,
    StaleAnswer (409) is raised and nothing changes. None is the API's explicit choice to write
    without that check. A write that changes nothing is not recorded. Raises InvalidInput (400,
    a domain code)."""
    current = _locked(answer)
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
    current.updated_by_name = None  # the name a restored answer kept (reviews.backup) gives way
    current.restored_by = current.restored_at = None  # and it is no longer a restored answer
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
        # The version whose practices the change is about: the question's (an upgrade moves the
        # answer to the new version's question, under the same lock).
        lens_version_id=current.question.version_id,
    )
    return current


@transaction.atomic
def answer_keep_theirs(
    *, answer: Answer, actor: User, discarded: Mapping[str, Any], seen_version: int
) -> Answer:
    """Settle a conflict in favour of the stored answer: nothing in it changes, and the audit trail
    records that `actor` saw version `seen_version` and dropped their own `discarded` changes (the
    fields they had sent, as far as they are answer fields)."""
    current = Answer.objects.select_for_update(of=("self",)).select_related("question").get(pk=answer.pk)
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
        lens_version_id=current.question.version_id,
    )
    return current
