"""Comparing two states of a workload: two milestones, or a milestone and the workload as it is now.

Lenses match by lens (alias), whatever version each state reviews it on; questions match by
`question_id` across versions, pillars by `pillar_id`, practices by choice id. Per lens and pillar
the comparison gives the high and medium counts before, after and the change, counted from the
answers' stored risks (in a milestone they are its frozen counts, since both come from the same
rows); per question the risk before and after, a status, the practices added and removed, and
whether the not-applicable marks and the notes changed.

How risks rank, for a question's status: HIGH > MEDIUM > everything else. Like the AWS
Well-Architected Tool, an unanswered question and one marked not applicable are not risks: they
count in neither the high nor the medium counts. So a question going from HIGH or MEDIUM to
UNANSWERED, NOT_APPLICABLE or NONE is "improved", one going the other way "regressed", and one
moving between NONE, NOT_APPLICABLE and UNANSWERED is "unchanged" as to risk: it still shows as
changed (`changed`), with its risks before and after reported, so that a cleared answer is seen.

"None of these" (a choice id ending in `_no`) is not a practice: it is never among the practices added
or removed, but ticking or unticking it is a change of its own (`none_of_these_before` and `_after`).
It usually moves the risk, but not always: unticking it on a question with practices marked not
applicable leaves the same risk (issue 14).

`changed` covers every field the audit trail records of an answer (reviews.services.answers.answer_state):
its selected choices (practices and "None of these"), not-applicable marks with their reasons and notes,
whether the question applies and why not, notes, and risk; so every write the history shows between the
two states is counted.

A comparison reads each state in two queries (its lens reviews; its answers with their question,
pillar and lens) and, when practices were added or removed, one more for the titles of the choices
of every question involved: four or five queries, however many lenses, questions and answers.
Which two states a request names, and its defaults: reviews.selectors.compare_states. The result
types (Comparison, LensComparison, Status, Delta...): reviews.selectors.comparison_results, also
importable from here.
"""

import json
from dataclasses import dataclass

from django.db import connections

from lens.models import Choice
from reviews.models import AnswerFields
from reviews.selectors.comparison_results import (
    NO_DELTA,
    Comparison,
    Delta,
    LensComparison,
    LensStatus,
    PillarComparison,
    Practice,
    QuestionComparison,
    Status,
)
from reviews.selectors.risk import RiskCounts
from reviews.selectors.states import ReviewState

R = AnswerFields.Risk

#: The RiskCounts field each risk counts in.
_COUNTED_AS = {
    R.HIGH: "high",
    R.MEDIUM: "medium",
    R.NONE: "none",
    R.NOT_APPLICABLE: "not_applicable",
    R.UNANSWERED: "unanswered",
}

#: A risk's rank for a question's status: only high and medium are risks (see the module docstring).
RISK_RANK = {R.HIGH: 2, R.MEDIUM: 1, R.NONE: 0, R.NOT_APPLICABLE: 0, R.UNANSWERED: 0}


# --- reading a state --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Answer:
    """An answer as the comparison needs it, with its question and pillar."""

    question_pk: int | None
    title: str
    pillar_id: str
    pillar_name: str
    selected: tuple[str, ...] = ()
    marks: tuple = ()  # whether the question applies, why not, and each practice's not-applicable mark
    notes: str = ""
    risk: str | None = None


_ABSENT = _Answer(None, "", "", "")

_ANSWER_COLUMNS = (
    "lens_review__lens__alias",
    "question__question_id",
    "question_id",
    "question__title",
    "question__pillar__pillar_id",
    "question__pillar__name",
    "selected_choices",
    "is_applicable",
    "reason",
    "not_applicable_choices",
    "notes",
    "risk",
)


@dataclass(slots=True)
class _Lens:
    name: str
    version: str
    answers: dict[str, _Answer]  # by question_id, in the lens's order


def _fetch(queryset) -> list[tuple]:
    """The rows of a values_list `queryset` as the database gives them: for a hundred answers,
    Django's converters (one call per value) cost ten times the query (as reviews.selectors.summaries
    found); the two JSON columns are decoded here instead."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _json(value):
    """A JSON column's value: text from the database (SQLite, and PostgreSQL as Django sets it up)."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def _read(state: ReviewState) -> dict[str, _Lens]:
    """The state's lenses by alias, in the order applied, each with its answers: two queries."""
    lenses = {
        alias: _Lens(name, label, {})
        for alias, name, label in state.lens_reviews()
        .order_by("applied_at", "pk")
        .values_list("lens__alias", "lens_version__name", "lens_version__label")
    }
    rows = _fetch(
        state.answers()
        .order_by("question__pillar__position", "question__position", "pk")
        .values_list(*_ANSWER_COLUMNS)
    )
    for alias, question_id, *fields in rows:
        pk, title, pillar_id, pillar_name, selected, applicable, reason, na, notes, risk = fields
        marks = (bool(applicable), reason, _json(na))  # compared as a whole: the dict by value
        lenses[alias].answers[question_id] = _Answer(
            pk, title, pillar_id, pillar_name, tuple(_json(selected)), marks, notes, risk
        )
    return lenses


# --- comparing ----------------------------------------------------------------------------------------


def _is_practice(choice_id: str) -> bool:
    return not choice_id.endswith("_no")  # "None of these" (LENS_FORMAT.md; lens.models.Choice)


def _status(before: _Answer, after: _Answer) -> Status:
    if before.risk is None:
        return Status.ADDED
    if after.risk is None:
        return Status.REMOVED
    rank_before, rank_after = RISK_RANK[before.risk], RISK_RANK[after.risk]
    if rank_after < rank_before:
        return Status.IMPROVED
    return Status.REGRESSED if rank_after > rank_before else Status.UNCHANGED


def _none_of_these(answer: _Answer) -> bool:
    return any(not _is_practice(choice_id) for choice_id in answer.selected)


def _practice_changes(before: _Answer, after: _Answer) -> tuple[list[str], list[str]]:
    """The choice ids selected only after (in the target's order) and only before (the base's)."""
    added = [c for c in after.selected if c not in before.selected and _is_practice(c)]
    removed = [c for c in before.selected if c not in after.selected and _is_practice(c)]
    return added, removed


def _counts(answers) -> dict[str, tuple[str, RiskCounts]]:
    """pillar_id → (name, its risk counts) over `answers`, in their order."""
    pillars: dict[str, tuple[str, dict[str, int]]] = {}
    for answer in answers:
        _name, tally = pillars.setdefault(
            answer.pillar_id, (answer.pillar_name, dict.fromkeys(_COUNTED_AS.values(), 0))
        )
        tally[_COUNTED_AS[answer.risk]] += 1
    return {pillar_id: (name, RiskCounts(**tally)) for pillar_id, (name, tally) in pillars.items()}


def _pillars(before: dict[str, _Answer], after: dict[str, _Answer]) -> list[PillarComparison]:
    """The pillars of the target, then those only the base has, with their counts in both."""
    counts_before, counts_after = _counts(before.values()), _counts(after.values())
    pillars = []
    for pillar_id in [*counts_after, *(p for p in counts_before if p not in counts_after)]:
        name_after, target_counts = counts_after.get(pillar_id, ("", RiskCounts()))
        name_before, base_counts = counts_before.get(pillar_id, ("", RiskCounts()))
        pillars.append(
            PillarComparison(
                pillar_id,
                name_after or name_before,
                Delta(base_counts.high, target_counts.high),
                Delta(base_counts.medium, target_counts.medium),
                base_counts,
                target_counts,
            )
        )
    return pillars


def _question_order(before: dict[str, _Answer], after: dict[str, _Answer]) -> list[str]:
    """The target's questions in order, each removed question after the last question of its pillar
    (or, if the target lacks the pillar, after everything)."""
    order = list(after)
    last_of_pillar = {answer.pillar_id: index for index, answer in enumerate(after.values())}
    removed_after: dict[int, list[str]] = {}
    tail = []
    for question_id, answer in before.items():
        if question_id in after:
            continue
        if answer.pillar_id in last_of_pillar:
            removed_after.setdefault(last_of_pillar[answer.pillar_id], []).append(question_id)
        else:
            tail.append(question_id)
    merged = []
    for index, question_id in enumerate(order):
        merged.append(question_id)
        merged.extend(removed_after.get(index, ()))
    return merged + tail


def _lens(
    alias: str, before: _Lens | None, after: _Lens | None, titles: dict[tuple[int, str], str]
) -> LensComparison:
    answers_before = before.answers if before else {}
    answers_after = after.answers if after else {}
    questions = []
    for question_id in _question_order(answers_before, answers_after):
        old = answers_before.get(question_id, _ABSENT)
        new = answers_after.get(question_id, _ABSENT)
        shown = new if new.risk is not None else old
        added, removed = _practice_changes(old, new)
        questions.append(
            QuestionComparison(
                question_id=question_id,
                title=shown.title,
                pillar_id=shown.pillar_id,
                pillar_name=shown.pillar_name,
                status=_status(old, new),
                risk_before=old.risk,
                risk_after=new.risk,
                practices_added=tuple(Practice(c, titles.get((new.question_pk, c), c)) for c in added),
                practices_removed=tuple(Practice(c, titles.get((old.question_pk, c), c)) for c in removed),
                # Marks compare where both states have the question; notes also against an absent
                # question's none, so that an added or removed question shows its notes.
                not_applicable_changed=old.risk is not None
                and new.risk is not None
                and old.marks != new.marks,
                none_of_these_before=_none_of_these(old),
                none_of_these_after=_none_of_these(new),
                notes_changed=old.notes != new.notes,
                notes_before=old.notes,
                notes_after=new.notes,
            )
        )
    pillars = _pillars(answers_before, answers_after)
    status = LensStatus.KEPT if before and after else LensStatus.ADDED if after else LensStatus.REMOVED
    return LensComparison(
        alias=alias,
        name=(after or before).name,
        status=status,
        version_before=before.version if before else None,
        version_after=after.version if after else None,
        high=sum((pillar.high for pillar in pillars), NO_DELTA),
        medium=sum((pillar.medium for pillar in pillars), NO_DELTA),
        pillars=tuple(pillars),
        questions=tuple(questions),
        counts_before=sum((pillar.counts_before for pillar in pillars), RiskCounts()),
        counts_after=sum((pillar.counts_after for pillar in pillars), RiskCounts()),
    )


def _choice_titles(base: dict[str, _Lens], target: dict[str, _Lens]) -> dict[tuple[int, str], str]:
    """(question pk, choice id) → title, for the questions whose practices changed: one query, none
    if no practice changed."""
    involved = set()
    for alias in {*base, *target}:
        before = base[alias].answers if alias in base else {}
        after = target[alias].answers if alias in target else {}
        for question_id in {*before, *after}:
            old, new = before.get(question_id, _ABSENT), after.get(question_id, _ABSENT)
            added, removed = _practice_changes(old, new)
            if added:
                involved.add(new.question_pk)
            if removed:
                involved.add(old.question_pk)
    if not involved:
        return {}
    rows = Choice.objects.filter(question_id__in=involved).values_list("question_id", "choice_id", "title")
    return {(question_pk, choice_id): title for question_pk, choice_id, title in rows}


def workload_comparison(*, base: ReviewState, target: ReviewState) -> Comparison:
    """`base` (before) and `target` (after) compared, lens by lens and question by question (see the
    module docstring). Four queries, five when practices were added or removed."""
    before, after = _read(base), _read(target)
    titles = _choice_titles(before, after)
    aliases = [*after, *(alias for alias in before if alias not in after)]
    lenses = tuple(_lens(alias, before.get(alias), after.get(alias), titles) for alias in aliases)
    return Comparison(
        base=base,
        target=target,
        high=sum((lens.high for lens in lenses), NO_DELTA),
        medium=sum((lens.medium for lens in lenses), NO_DELTA),
        lenses=lenses,
        counts_before=sum((lens.counts_before for lens in lenses), RiskCounts()),
        counts_after=sum((lens.counts_after for lens in lenses), RiskCounts()),
    )
