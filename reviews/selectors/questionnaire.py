"""Reads for the questionnaire: a review's outline (pillars, questions, their risks and progress), one
question with its practices and resources, what changed since a moment, and an answer's history.

A review is a live LensReview or a milestone's frozen MilestoneLensReview (reviews.selectors.states):
both reach their answers as `lens_review.answers`, with the same fields, so the same reads serve the
live questionnaire and a milestone's read-only one.

Each is a fixed number of queries, whatever the size of the lens: the outline is two (the questions
with their pillars, the answers' risks), one question's practices two (choices, resources), and the
counts are derived in Python from the answers already loaded rather than asked for again.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, overload

from django.db.models import F, QuerySet
from django.http import Http404

from lens.models import Choice, Question, Resource
from reviews.models import Answer, AnswerChange, LensReview, MilestoneAnswer, MilestoneLensReview
from reviews.selectors.change_versions import change_titles
from reviews.selectors.states import ReviewState

R = Answer.Risk

#: A lens review of either kind: live, or frozen in a milestone.
AnyLensReview = LensReview | MilestoneLensReview

#: The filters of the questionnaire's navigation (`?filter=`): which questions it lists.
FILTERS = {"unanswered": "Unanswered", "high": "High risk"}

#: The most changes the history page shows, newest first.
HISTORY_LIMIT = 100


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """What the navigation and the counts need of one answer."""

    question_pk: int
    pillar_pk: int
    question_id: str
    risk: str
    version: int
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class Progress:
    """How many questions are answered (any risk but "unanswered") of how many."""

    answered: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


def answer_rows(lens_review: AnyLensReview) -> list[AnswerRow]:
    """Every answer of the review, only what the navigation and the counts need, in one query."""
    rows = lens_review.answers.order_by().values_list(
        "question_id", "question__pillar_id", "question__question_id", "risk", "version", "updated_at"
    )
    return [AnswerRow(*row) for row in rows]


def progress_of(rows: list[AnswerRow]) -> tuple[Progress, dict[int, Progress]]:
    """The progress of the whole lens and of each pillar (by pillar pk), from `rows`: no query."""
    answered: dict[int, int] = {}
    total: dict[int, int] = {}
    for row in rows:
        total[row.pillar_pk] = total.get(row.pillar_pk, 0) + 1
        answered[row.pillar_pk] = answered.get(row.pillar_pk, 0) + (row.risk != R.UNANSWERED)
    pillars = {pk: Progress(answered[pk], total[pk]) for pk in total}
    return Progress(sum(answered.values()), sum(total.values())), pillars


def latest_change(rows: list[AnswerRow]) -> datetime | None:
    """When an answer of the review last changed: where the polling for changes starts."""
    return max((row.updated_at for row in rows if row.updated_at is not None), default=None)


def matches(risk: str, filter_name: str) -> bool:
    """Whether a question at `risk` is listed under the navigation's filter ("": every question)."""
    if filter_name == "unanswered":
        return risk == R.UNANSWERED
    if filter_name == "high":
        return risk == R.HIGH
    return True


@dataclass(slots=True)
class NavQuestion:
    pk: int
    question_id: str
    title: str
    risk: str = R.UNANSWERED
    version: int = 0
    shown: bool = True  # False: left out by the filter (rendered hidden, so live updates find it)
    current: bool = False


@dataclass(slots=True)
class NavPillar:
    pk: int
    pillar_id: str
    name: str
    progress: Progress = field(default_factory=Progress)
    questions: list[NavQuestion] = field(default_factory=list)

    @property
    def shown_questions(self) -> int:
        return sum(q.shown for q in self.questions)


@dataclass(slots=True)
class Outline:
    """The review's navigation: pillars with their questions (in lens order), the progress of each
    pillar and of the lens, and where the current question sits among the filtered questions."""

    pillars: list[NavPillar]
    progress: Progress
    since: datetime | None
    current: NavQuestion | None = None
    previous: NavQuestion | None = None
    next: NavQuestion | None = None
    next_unanswered: NavQuestion | None = None

    @property
    def questions(self) -> list[NavQuestion]:
        return [question for pillar in self.pillars for question in pillar.questions]


def review_outline(
    lens_review: AnyLensReview, *, current_pk: int | None = None, filter_name: str = ""
) -> Outline:
    """The navigation of a review in two queries: the questions with their pillars (only the fields
    shown), and the answers (`answer_rows`); the counts come from the answers, in Python.

    With `filter_name`, only the matching questions (and the current one) are shown, and previous
    and next move among them; "next unanswered" is the first unanswered question after the current
    one, going round to the start."""
    # Plain values, not model instances: a lens may have 200 questions, and this runs on every page.
    questions = (
        Question.objects.filter(version_id=lens_review.lens_version_id)
        .order_by("pillar__position", "position")
        .values_list("pk", "question_id", "title", "pillar_id", "pillar__pillar_id", "pillar__name")
    )
    rows = answer_rows(lens_review)
    by_question = {row.question_pk: row for row in rows}
    progress, pillar_progress = progress_of(rows)
    pillars: dict[int, NavPillar] = {}
    for pk, question_id, title, pillar_pk, pillar_id, pillar_name in questions:
        nav_pillar = pillars.get(pillar_pk)
        if nav_pillar is None:
            nav_pillar = pillars[pillar_pk] = NavPillar(
                pillar_pk, pillar_id, pillar_name, pillar_progress.get(pillar_pk, Progress())
            )
        row = by_question.get(pk)
        nav_pillar.questions.append(
            NavQuestion(
                pk,
                question_id,
                title,
                row.risk if row else R.UNANSWERED,
                row.version if row else 0,
            )
        )
    outline = Outline(list(pillars.values()), progress, latest_change(rows))
    _place(outline, current_pk, filter_name)
    return outline


def _place(outline: Outline, current_pk: int | None, filter_name: str) -> None:
    ordered = outline.questions
    for question in ordered:
        question.current = question.pk == current_pk
        question.shown = question.current or matches(question.risk, filter_name)
        if question.current:
            outline.current = question
    if outline.current is None:
        return
    shown = [question for question in ordered if question.shown]
    at = shown.index(outline.current)
    outline.previous = shown[at - 1] if at > 0 else None
    outline.next = shown[at + 1] if at + 1 < len(shown) else None
    at = ordered.index(outline.current)
    outline.next_unanswered = next(
        (q for q in ordered[at + 1 :] + ordered[:at] if q.risk == R.UNANSWERED),
        None,
    )


@overload
def question_answer(*, lens_review: LensReview, question_id: str) -> Answer: ...
@overload
def question_answer(*, lens_review: MilestoneLensReview, question_id: str) -> MilestoneAnswer: ...
@overload
def question_answer(*, lens_review: AnyLensReview, question_id: str) -> Answer | MilestoneAnswer: ...
def question_answer(*, lens_review: AnyLensReview, question_id: str) -> Answer | MilestoneAnswer:
    """The review's answer to `question_id` (an Answer, or a MilestoneAnswer of a frozen review) with
    its question and who changed it last, in one query; Http404 if the review's lens has no such
    question."""
    answer = (
        lens_review.answers.select_related("question", "updated_by", "restored_by")
        .filter(question__question_id=question_id)
        .first()
    )
    if answer is None:
        raise Http404("This lens has no such question.")
    return answer


def question_choices(question: Question) -> list[Choice]:
    """The question's choices in order, in one query."""
    return list(Choice.objects.filter(question=question).order_by("position"))


# A lens version's choices never change after its import, so they are kept for the life of the
# process, keyed by content as reviews.services.answers.question_facts keys its facts: (the version's
# content hash, the question id). Shared between requests: read them, never change them.
_CHOICES: dict[tuple[str, str], tuple[Choice, ...]] = {}
_CHOICES_MAX = 20_000


def question_choices_of_version(question: Question, *, content_hash: str) -> tuple[Choice, ...]:
    """question_choices of `question`, a question of the version whose content hash is
    `content_hash`: one query the first time, none after (an answer's API read and save)."""
    key = (content_hash, question.question_id)
    choices = _CHOICES.get(key)
    if choices is None:
        choices = tuple(question_choices(question))
        if len(_CHOICES) >= _CHOICES_MAX:
            _CHOICES.clear()
        _CHOICES[key] = choices
    return choices


def question_practices(question: Question) -> tuple[list[Choice], list[Resource]]:
    """The question's choices in order, each with `resource_list` (its helpful resource and
    improvement plan first, then its additional resources), and the question's own resources: two
    queries, the resources shared out in Python."""
    choices = question_choices(question)
    resources = Resource.objects.filter(question=question).order_by(
        F("entry").asc(nulls_first=True), "position", "pk"
    )
    by_choice: dict[int, list[Resource]] = {choice.pk: [] for choice in choices}
    own: list[Any] = []
    for resource in resources:
        (by_choice.get(resource.choice_id, []) if resource.choice_id else own).append(resource)
    for choice in choices:
        choice.resource_list = by_choice[choice.pk]
    return choices, own


def answers_changed_since(*, lens_review: AnyLensReview, since: datetime) -> list[Mapping[str, Any]]:
    """The review's answers changed after `since`, oldest change first, with who changed them: one
    query, however many questions the lens has."""
    return list(
        lens_review.answers.filter(updated_at__gt=since)
        .order_by("updated_at")
        .values(
            "question_id",
            "question__question_id",
            "risk",
            "version",
            "updated_at",
            "updated_by_id",
            "updated_by__username",
            "updated_by_name",
            "restored_by__username",
            "restored_at",
        )
    )


@dataclass(frozen=True, slots=True)
class ChangeSummary:
    """One AnswerChange, as people read it: what was added and removed, before and after."""

    change: AnswerChange
    kept_theirs: bool  # a conflict settled for the stored answer: the lists say what was dropped
    added: list[str]
    removed: list[str]
    not_applicable_added: list[tuple[str, str, str]]  # (practice, reason label, note)
    not_applicable_removed: list[str]
    applicability: str  # "" when unchanged
    notes_changed: bool
    notes_before: str
    notes_after: str
    risk_before: str
    risk_after: str
    version_label: str = ""  # the lens version the change was made on, when known
    current_titles: bool = False  # that version unknown: the titles are today's


def summarize_change(
    change: AnswerChange, titles: dict[str, str], *, version_label: str = "", current_titles: bool = False
) -> ChangeSummary:
    """`change` described with the practices' titles (`titles`: choice id to title). For a conflict
    settled in favour of the stored answer (KEPT_THEIRS: `before` is the writer's discarded version,
    `after` the stored one), the lists say what the discarded version would have changed."""
    before, after = change.before or {}, change.after or {}
    kept_theirs = change.kind == AnswerChange.Kind.KEPT_THEIRS
    if kept_theirs:
        before, after = after, before

    def title(choice_id: str) -> str:
        return titles.get(choice_id, choice_id)

    selected_before = before.get("selected_choices", [])
    selected_after = after.get("selected_choices", [])
    na_before = before.get("not_applicable_choices", {})
    na_after = after.get("not_applicable_choices", {})
    applicability = ""
    if before.get("is_applicable", True) != after.get("is_applicable", True) or (
        before.get("reason", "") != after.get("reason", "")
    ):
        if after.get("is_applicable", True):
            applicability = "The question applies again."
        else:
            reason = after.get("reason", "")
            applicability = "The question does not apply" + (
                f" ({Answer.reason_label(reason)})." if reason else "."
            )
    return ChangeSummary(
        change=change,
        kept_theirs=kept_theirs,
        added=[title(c) for c in selected_after if c not in selected_before],
        removed=[title(c) for c in selected_before if c not in selected_after],
        not_applicable_added=[
            (title(c), Answer.reason_label(details.get("reason", "")), details.get("notes", ""))
            for c, details in na_after.items()
            if na_before.get(c) != details
        ],
        not_applicable_removed=[title(c) for c in na_before if c not in na_after],
        applicability=applicability,
        notes_changed=before.get("notes", "") != after.get("notes", ""),
        notes_before=before.get("notes", ""),
        notes_after=after.get("notes", ""),
        risk_before=before.get("risk", R.UNANSWERED),
        risk_after=after.get("risk", R.UNANSWERED),
        version_label=version_label,
        current_titles=current_titles,
    )


def answer_changes_described(
    *, answer: Answer, lens_review: LensReview, limit: int = HISTORY_LIMIT
) -> tuple[list[ChangeSummary], bool]:
    """The live answer's newest `limit` changes, each described in words with the practice titles
    of the lens version it was made on (the page's history), and whether there are older ones.
    `lens_review` is the answer's, with its lens and version loaded. Queries, however many changes
    and versions: the changes with who made them, the titles of their versions, and, if a change
    records no version, the upgrade events and the lens's versions (reviews.selectors.change_versions).
    `answer_trail` is the API's: the raw entries, as of any state."""
    changes = list(
        AnswerChange.objects.filter(answer=answer)
        .select_related("changed_by", "restored_by")
        .order_by("-changed_at", "-pk")[: limit + 1]
    )
    shown = changes[:limit]
    described = change_titles(changes=shown, lens_review=lens_review, question_id=answer.question.question_id)
    return [
        summarize_change(
            change, titles.titles, version_label=titles.version_label, current_titles=titles.current_titles
        )
        for change, titles in zip(shown, described, strict=True)
    ], len(changes) > limit


def answer_trail(
    *, state: ReviewState, lens_review: AnyLensReview, answer: Answer | MilestoneAnswer
) -> QuerySet[AnswerChange]:
    """An answer's audit trail as of `state`, newest first, with who made each change, undescribed
    (the API's history): one query when evaluated. `answer_changes_described` is the page's.

    Now: every entry of the answer. In a milestone, the frozen answer has no trail of its own: it is
    the trail of the live answer it copies (same workload, lens and question id) up to the milestone,
    i.e. the entries up to and including the frozen version, recorded before the milestone was saved.
    The time bound leaves out a conflict kept at that same version afterwards, and the trail of a
    lens removed then applied again since (whose versions start again from 1). A lens removed since
    took its answers' trail with it: the frozen answer then has none."""
    changes = AnswerChange.objects.select_related("changed_by", "restored_by").order_by("-changed_at", "-pk")
    if state.is_current:
        return changes.filter(answer=answer.pk)
    assert state.milestone is not None  # not the current state: a milestone's
    return changes.filter(
        answer__lens_review__workload=state.workload,
        answer__lens_review__lens_id=lens_review.lens_id,
        answer__question__question_id=answer.question.question_id,
        version__lte=answer.version,
        changed_at__lte=state.milestone.created_at,
    )
