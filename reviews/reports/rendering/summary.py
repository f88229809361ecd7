"""The front of the lens review PDF (issue 17), for whoever reads only its first pages: the workload's
properties, and an executive summary (counts per pillar, the top high risks with their first
improvement step and who tracks them, the change since the previous milestone; the trend comes from
reviews.selectors.trend). Built from what lens_review_context has read already, plus one query for
the previous milestone's counts.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Sum

from reviews.models import Answer, MilestonePillarRiskCounts, Workload
from reviews.selectors.risk import RiskCounts
from reviews.selectors.states import ReviewState

if TYPE_CHECKING:  # lens_review builds the sections and calls this module
    from reviews.reports.rendering.lens_review import Practice, QuestionSection

R = Answer.Risk
#: How many high risks the summary names; the rest are counted ("and 4 more").
TOP_HIGH_RISKS = 5

#: The properties the report lists, in this order: (label, Workload field).
PROPERTIES = (
    ("Description", "description"),
    ("Environment", "environment"),
    ("Review owner", "review_owner"),
    ("Industry type", "industry_type"),
    ("Industry", "industry"),
    ("AWS regions", "aws_regions"),
    ("Other regions", "non_aws_regions"),
    ("AWS account ids", "account_ids"),
    ("Applications", "applications"),
    ("Architectural design", "architectural_design_url"),
    ("Pillar priorities", "pillar_priorities"),
    ("Tags", "tags"),
)


@dataclass(frozen=True)
class Property:
    """A workload property as the report shows it: text, a list of texts, or a link."""

    label: str
    text: str = ""
    items: tuple[str, ...] = ()
    link: str = ""


def workload_properties(state: ReviewState, pillar_names: dict[str, str]) -> list[Property]:
    """The workload's properties in `state` (now, or as its milestone froze them), the empty ones
    left out; pillar priorities by the pillars' names (`pillar_names`, id: name) where known."""
    shown = []
    for label, name in PROPERTIES:
        value = state.workload_field(name)
        if not value:
            continue
        if name == "environment":
            labels = dict(Workload.Environment.choices)  # a frozen value shows as it is when unknown
            shown.append(Property(label, text=str(labels.get(value, value))))
        elif name == "architectural_design_url":
            safe = str(value).lower().startswith(("https://", "http://"))
            shown.append(Property(label, text=str(value), link=str(value) if safe else ""))
        elif isinstance(value, list):
            names = [pillar_names.get(str(item), str(item)) for item in value]
            shown.append(
                Property(label, items=tuple(names if name == "pillar_priorities" else map(str, value)))
            )
        else:
            shown.append(Property(label, text=str(value)))
    return shown


@dataclass(frozen=True)
class HighRisk:
    """A question at high risk: where it is, the first practice to take up (with its improvement
    plan's link when it has one), and its tracking."""

    question: "QuestionSection"
    pillar_name: str
    first_step: "Practice | None"
    owner: str
    state: str
    due: date | None


def top_high_risks(pillars, plan_rows) -> tuple[list[HighRisk], int]:
    """The first TOP_HIGH_RISKS questions at high risk in plan order, and how many more there are.
    `pillars`: [(PillarSection, counts)]; `plan_rows`: the plan's rows (with their tracking)."""
    sections = {q.pk: (q, p.name) for p, _counts in pillars for q in p.questions}
    high = [row for row in plan_rows if row.risk == R.HIGH and row.question_pk in sections]
    top = []
    for row in high[:TOP_HIGH_RISKS]:
        question, pillar_name = sections[row.question_pk]
        first = question.missing[0] if question.missing else None
        top.append(
            HighRisk(question, pillar_name, first, row.owner_username or "", row.state_label, row.due_date)
        )
    return top, len(high) - len(top)


@dataclass(frozen=True)
class Change:
    """This lens's counts at the previous milestone, beside the report's."""

    number: int
    name: str
    before: RiskCounts
    after: RiskCounts

    def rows(self) -> list[tuple[str, int, int, str]]:
        """(what, before, after, the difference in words) for high, medium, answered."""
        return [
            (label, old, new, _difference(new - old))
            for label, old, new in (
                ("High risks", self.before.high, self.after.high),
                ("Medium risks", self.before.medium, self.after.medium),
                ("Questions answered", self.before.answered, self.after.answered),
            )
        ]


def _difference(delta: int) -> str:
    return "no change" if delta == 0 else f"{delta:+d}"


def change_since_previous(state: ReviewState, alias: str, totals: RiskCounts) -> Change | None:
    """The change from the newest milestone before the report's state (before any milestone, for
    the current state) in which the lens was applied, or None. One query."""
    earlier = MilestonePillarRiskCounts.objects.filter(
        milestone__workload=state.workload, lens_review__lens__alias=alias
    )
    if state.milestone is not None:
        earlier = earlier.filter(milestone__number__lt=state.milestone.number)
    names = ("high", "medium", "none", "not_applicable", "unanswered")
    row = (
        earlier.values("milestone__number", "milestone__name")
        .annotate(**{name: Sum(name) for name in names})
        .order_by("-milestone__number")
        .first()
    )
    if row is None:
        return None
    before = RiskCounts(**{name: row[name] or 0 for name in names})
    return Change(row["milestone__number"], row["milestone__name"], before, totals)
