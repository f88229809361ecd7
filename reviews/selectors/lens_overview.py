"""The lens review overview: one row per pillar of a review (live, or frozen in a milestone) with its
risk counts, where to continue, and whether the review is complete.

Two queries whatever the size of the lens: the pillars of the review's lens version, each annotated
with its first unanswered question and its first question (two correlated subqueries), and the kept
risk counts of the review (PillarRiskCounts, or a milestone's MilestonePillarRiskCounts, which
database triggers hold equal to the answers: reviews.selectors.risk.review_pillar_counts). No
answer is counted here. The workload page shows the same rows for every lens at once
(`workload_pillar_rows`): one query for all of them. `question_flow` says where the question page's
Next leads (into the next pillar, or to the overview after the last question), from the outline the
page has already read.
"""

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from lens.models import Pillar
from reviews.models import Answer, PillarRiskCounts, Workload
from reviews.selectors.questionnaire import Outline
from reviews.selectors.risk import RiskCounts, review_pillar_counts
from reviews.selectors.states import AnyLensReview

R = Answer.Risk


@dataclass(frozen=True, slots=True)
class PillarRow:
    """One pillar of a review: its name, its counts, and where to go on with it (its first
    unanswered question, else its first question; "" for a pillar without questions)."""

    pk: int
    pillar_id: str
    name: str
    counts: RiskCounts
    next_question_id: str = ""

    @property
    def complete(self) -> bool:
        return bool(self.counts.total) and not self.counts.unanswered


@dataclass(frozen=True, slots=True)
class LensOverview:
    """A review's pillars in lens order, the whole lens's counts, the first unanswered question
    (`next_question_id`, "" when every question is answered) and the first question of the lens."""

    pillars: list[PillarRow]
    counts: RiskCounts
    next_question_id: str
    first_question_id: str

    @property
    def complete(self) -> bool:
        """Every question answered (and there is at least one)."""
        return bool(self.counts.total) and not self.counts.unanswered


def lens_overview(lens_review: AnyLensReview) -> LensOverview:
    """The overview of `lens_review` (an AnyLensReview: its `answers` and `pillar_counts` are the
    live or the frozen ones): two queries, however many pillars and questions the lens has."""
    answers = lens_review.answers.filter(question__pillar=OuterRef("pk")).order_by("question__position")
    first = answers.values("question__question_id")[:1]
    first_unanswered = answers.filter(risk=R.UNANSWERED).values("question__question_id")[:1]
    pillars = list(
        Pillar.objects.filter(version_id=lens_review.lens_version_id)
        .order_by("position", "pk")
        .annotate(first=Subquery(first), first_unanswered=Subquery(first_unanswered))
        .values_list("pk", "pillar_id", "name", "first", "first_unanswered")
    )
    counts = review_pillar_counts(lens_review)
    rows = [
        PillarRow(pk, pillar_id, name, counts.get(pk, RiskCounts()), unanswered or first or "")
        for pk, pillar_id, name, first, unanswered in pillars
    ]
    total = sum((row.counts for row in rows), RiskCounts())
    next_unanswered = next((unanswered for *_rest, unanswered in pillars if unanswered), "")
    first_question = next((first for _pk, _id, _name, first, _unanswered in pillars if first), "")
    return LensOverview(rows, total, next_unanswered or "", first_question or "")


def workload_pillar_rows(workload: Workload) -> dict[int, list[PillarRow]]:
    """Every lens review of `workload` (live), by review pk, with its pillars' counts in lens order:
    one query over the kept counts, however many lenses, pillars and questions (the workload page)."""
    fields = ("high", "medium", "none", "not_applicable", "unanswered")
    rows = (
        PillarRiskCounts.objects.filter(lens_review__workload=workload)
        .order_by("lens_review_id", "pillar__position", "pillar_id")
        .values_list("lens_review_id", "pillar_id", "pillar__pillar_id", "pillar__name", *fields)
    )
    by_review: dict[int, list[PillarRow]] = {}
    for review_pk, pk, pillar_id, name, *risks in rows:
        by_review.setdefault(review_pk, []).append(PillarRow(pk, pillar_id, name, RiskCounts(*risks)))
    return by_review


@dataclass(frozen=True, slots=True)
class QuestionFlow:
    """Where the question page's Next leads: into the next pillar (`next_pillar`, its name; "" when
    the next question is in the same pillar), or, from the last question (`last`), to the overview."""

    next_pillar: str = ""
    last: bool = False


def question_flow(outline: Outline) -> QuestionFlow:
    """The flow from the outline's current question (no query: the outline has it all)."""
    if outline.current is None:
        return QuestionFlow()
    if outline.next is None:
        return QuestionFlow(last=True)
    pillar_of = {question.pk: pillar for pillar in outline.pillars for question in pillar.questions}
    ahead = pillar_of[outline.next.pk]
    return QuestionFlow(next_pillar=ahead.name if ahead is not pillar_of[outline.current.pk] else "")
