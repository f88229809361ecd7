"""The lens review report: one lens of a workload, now or as a milestone keeps it, as a PDF.

Everything is read up front, in a fixed number of queries however many pillars, questions,
choices, resources, answers, items or milestones there are (see `lens_review_context`), and laid
out by templates/reviews/reports/pdf/lens_review.html.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from lens.models import Choice, Question, Resource
from reviews.charts import PillarRisk, risk_by_pillar_svg
from reviews.charts.trend import trend_svg
from reviews.models import Answer, Report
from reviews.reports.rendering.summary import change_since_previous, top_high_risks, workload_properties
from reviews.selectors.improvements import PLAN_SLOTS, PlanFilters, PlanLens, improvement_plan
from reviews.selectors.risk import RiskCounts
from reviews.selectors.states import state_of
from reviews.selectors.trend import workload_trend

R = Answer.Risk
TEMPLATE = "reviews/reports/pdf/lens_review.html"
_COUNT_OF: dict[str, str] = {
    R.HIGH: "high",
    R.MEDIUM: "medium",
    R.NONE: "none",
    R.NOT_APPLICABLE: "not_applicable",
}


class NothingToReport(ValueError):
    """The report names something that is not there (a lens no longer applied): it fails with this."""


@dataclass
class Practice:
    """A practice of a question: its title, and for a missing one its improvement plans (Resource
    rows: `display_text`, and `link` when the URL is http(s)). An improvement plan that only
    repeats the practice's title (the official lenses' way) becomes the title's `link` instead."""

    title: str
    resources: list[Resource] = field(default_factory=list)
    link: str | None = None


def practice_with_plans(title: str, resources: list[Resource]) -> Practice:
    """The practice `title` with its improvement plans, the first one that repeats the title (or
    has no text) folded into the title's link: half the lines for a large lens."""
    practice = Practice(title)
    for resource in resources:
        text = (resource.display_text or "").strip()
        if practice.link is None and resource.link and text in ("", title.strip()):
            practice.link = resource.link
        else:
            practice.resources.append(resource)
    return practice


@dataclass
class NotApplicable:
    """A practice marked not applicable, with the reason's words and the note."""

    title: str
    reason: str
    notes: str


@dataclass
class QuestionSection:
    pk: int
    question_id: str
    title: str
    risk: str = R.UNANSWERED
    is_applicable: bool = True
    reason: str = ""
    notes: str = ""
    followed: list[Practice] = field(default_factory=list)
    missing: list[Practice] = field(default_factory=list)
    not_applicable: list[NotApplicable] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"q{self.pk}"


@dataclass
class PillarSection:
    pk: int
    pillar_id: str
    name: str
    notes: str = ""
    questions: list[QuestionSection] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"p{self.pk}"

    @property
    def answered(self) -> list[QuestionSection]:
        """The questions answered (not applicable included): the unanswered are listed once, together."""
        return [question for question in self.questions if question.risk != R.UNANSWERED]

    def counts(self) -> RiskCounts:
        tally = dict.fromkeys(("high", "medium", "none", "not_applicable", "unanswered"), 0)
        for question in self.questions:
            tally[_COUNT_OF.get(question.risk, "unanswered")] += 1
        return RiskCounts(**tally)


def _practices_by_question(version_id: int) -> dict[int, list[tuple[Choice, list[Resource]]]]:
    """Each question's choices in order, each with its improvement plans: two queries."""
    resources = (
        Resource.objects.filter(version_id=version_id, choice__isnull=False, slot__in=PLAN_SLOTS)
        .order_by(F("entry").asc(nulls_first=True), "position", "pk")
        .only("pk", "choice_id", "display_text", "url")
    )
    of_choice: dict[int | None, list[Resource]] = {}
    for resource in resources:
        of_choice.setdefault(resource.choice_id, []).append(resource)
    choices = Choice.objects.filter(version_id=version_id).order_by("question_id", "position")
    by_question: dict[int, list] = {}
    for choice in choices.only("pk", "question_id", "choice_id", "title"):
        by_question.setdefault(choice.question_id, []).append((choice, of_choice.get(choice.pk, [])))
    return by_question


def _question(question: Question, answer: dict | None, practices: list) -> QuestionSection:
    section = QuestionSection(question.pk, question.question_id, question.title)
    if answer is None:
        return section
    section.risk, section.notes = answer["risk"], answer["notes"]
    section.is_applicable = answer["is_applicable"]
    section.reason = Answer.reason_label(answer["reason"]) if answer["reason"] else ""
    selected = set(answer["selected_choices"] or [])
    marked = answer["not_applicable_choices"] or {}
    for choice, resources in practices:
        if choice.choice_id in selected:
            section.followed.append(Practice(choice.title))
        elif choice.choice_id in marked:
            details = marked[choice.choice_id] if isinstance(marked[choice.choice_id], dict) else {}
            reason = details.get("reason", "")
            section.not_applicable.append(
                NotApplicable(
                    choice.title, Answer.reason_label(reason) if reason else "", details.get("notes", "")
                )
            )
        elif not choice.is_none_of_these and section.risk not in (R.UNANSWERED, R.NOT_APPLICABLE):
            section.missing.append(practice_with_plans(choice.title, resources))
    return section


def lens_review_context(report: Report, progress: Callable[[int], None]) -> dict:
    """What the template needs. Queries: the workload and who asked (unless loaded with the
    report), the milestone (for one), the lens review with its lens and version, the questions
    with their pillars, the choices, their improvement plans, the answers, the plan (tracked
    items, answers at risk), the trend (milestones, counts), the previous milestone's counts:
    thirteen at most."""
    workload, asked_by = report.workload, report.requested_by
    assert workload is not None  # a report of one workload
    state = state_of(workload, report.milestone_number)
    review = (
        state.lens_reviews()
        .filter(lens__alias=report.lens_alias)
        .select_related("lens", "lens_version")
        .defer("lens_version__source", "lens_version__extra", "lens_version__warnings")
        .first()
    )
    if review is None:
        raise NothingToReport(f"the lens {report.lens_alias!r} is not applied to this workload")
    version = review.lens_version
    questions = (
        Question.objects.filter(version_id=version.pk)
        .select_related("pillar")
        .order_by("pillar__position", "position")
        .only("pk", "question_id", "title", "pillar__id", "pillar__pillar_id", "pillar__name")
    )
    answers = {
        row["question_id"]: row
        for row in review.answers.order_by().values(
            "question_id",
            "risk",
            "selected_choices",
            "not_applicable_choices",
            "is_applicable",
            "reason",
            "notes",
        )
    }
    practices = _practices_by_question(version.pk)
    progress(10)
    pillars: dict[int, PillarSection] = {}
    pillar_notes = review.pillar_notes if isinstance(review.pillar_notes, dict) else {}
    for question in questions:
        pillar = question.pillar
        section = pillars.get(pillar.pk)
        if section is None:
            if 0 < len(pillars) <= 6:  # a step a pillar, from 15 to 40 (each step is a write)
                progress(10 + 5 * len(pillars))
            section = pillars[pillar.pk] = PillarSection(
                pillar.pk, pillar.pillar_id, pillar.name, str(pillar_notes.get(pillar.pillar_id, "") or "")
            )
        section.questions.append(
            _question(question, answers.get(question.pk), practices.get(question.pk, []))
        )
    sections = list(pillars.values())
    by_pillar = [(section, section.counts()) for section in sections]
    totals = sum((counts for _section, counts in by_pillar), RiskCounts())
    chart = risk_by_pillar_svg(
        [PillarRisk(s.pillar_id, s.name, **vars_of(c)) for s, c in by_pillar], id_prefix="report-risk"
    )
    trend = workload_trend(workload=workload)
    plan_lens = PlanLens(review.pk, report.lens_alias, version.name, version.pk)
    plan = improvement_plan(state, filters=PlanFilters(lens=report.lens_alias), lenses=[plan_lens])
    high_risks, more_high_risks = top_high_risks(by_pillar, plan.rows)
    progress(50)
    return {
        "report": report,
        "workload": workload,
        "asked_by": asked_by.get_full_name() or asked_by.get_username(),
        "lens": review.lens,
        "version": version,
        "milestone": state.milestone,
        "review_notes": review.notes,
        "generated_at": timezone.now(),
        "pillars": by_pillar,
        "totals": totals,
        "chart": chart,
        # A trend needs two milestones at least: one milestone and now is what `change` says.
        "trend_chart": trend_svg(trend, id_prefix="report-trend") if trend.milestone_count >= 2 else None,
        "plan_sections": plan_sections(plan.rows),
        "properties": workload_properties(state, {s.pillar_id: s.name for s in sections}),
        "high_risks": high_risks,
        "more_high_risks": more_high_risks,
        "change": change_since_previous(state, report.lens_alias, totals),
        "answered_pillars": [(s, c) for s, c in by_pillar if s.answered],
        "unanswered": [(s, q) for s in sections for q in s.questions if q.risk == R.UNANSWERED],
    }


def vars_of(counts: RiskCounts) -> dict[str, int]:
    """The five counts of `counts`, by name."""
    return {
        name: getattr(counts, name) for name in ("high", "medium", "none", "not_applicable", "unanswered")
    }


def plan_sections(rows) -> list[tuple[str, list]]:
    """The plan's rows under the page's headings: high, medium, resolved (empty ones left out)."""
    sections = [
        ("High risk", [row for row in rows if row.risk == R.HIGH]),
        ("Medium risk", [row for row in rows if row.risk == R.MEDIUM]),
        ("Resolved", [row for row in rows if not row.is_risky]),
    ]
    return [(title, kept) for title, kept in sections if kept]


def lens_review_file_name(report: Report) -> str:
    """`<workload>-<lens>[-milestone-N]-review.pdf`, ASCII (safe in a header)."""
    assert report.workload is not None  # a report of one workload
    name = slugify(report.workload.name) or "workload"
    milestone = f"-milestone-{report.milestone_number}" if report.milestone_number else ""
    return f"{name}-{slugify(report.lens_alias) or 'lens'}{milestone}-review.pdf"
