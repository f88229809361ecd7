"""The improvement plan of a workload: its questions at high, then medium risk, each with the
practices still missing, their improvement plans, and the tracking people added (ImprovementItem).

The plan is computed from the answers of a ReviewState (now, or a milestone's frozen copy) and never
stored; tracking is matched to questions by lens alias and question id, so that it outlives lens
upgrades. Each row has a *state*, derived from its risk and its tracking (PlanRow.state):

- a question at high or medium risk has its item's status (NOT_STARTED when nobody tracks it yet),
  except an item marked DONE, which is REGRESSED: the work was done and the risk came back;
- a tracked question no longer at high or medium risk (answered at no risk, not applicable,
  unanswered) is RESOLVED, whatever its item's status;
- a question neither at risk nor tracked is not in the plan; read alone (PlanFilters.question_id,
  to answer a write), it is NOT_AT_RISK.

Items whose lens is no longer applied, or whose question the applied version no longer has, are
left out until they match again.

The `status` filter takes a state (NOT_STARTED, IN_PROGRESS, RISK_ACCEPTED, REGRESSED, RESOLVED) or
DONE, which no row has as its state and which means "every item marked done", resolved or regressed.

Queries, whatever the number of lenses, answers, items, choices or resources: the lens reviews, the
items with their owners and last writers, the answers (at risk, or tracked), then for the rows kept
the choices and the resources (`with_practices`): five.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from lens.models import Choice, Pillar, Resource
from reviews.models import Answer, ImprovementItem, Share, Workload
from reviews.selectors.my_improvements import is_overdue
from reviews.selectors.states import ReviewState

R = Answer.Risk
S = ImprovementItem.Status
RISKY = (R.HIGH, R.MEDIUM)
RISK_ORDER: dict[str, int] = {R.HIGH: 0, R.MEDIUM: 1}

#: Derived states (module docstring); a row's state is one of these or a stored status.
REGRESSED, RESOLVED, NOT_AT_RISK = "REGRESSED", "RESOLVED", "NOT_AT_RISK"
STATE_LABELS = {
    S.NOT_STARTED: S.NOT_STARTED.label,
    S.IN_PROGRESS: S.IN_PROGRESS.label,
    S.RISK_ACCEPTED: S.RISK_ACCEPTED.label,
    REGRESSED: "Regressed (done, at risk again)",
    RESOLVED: "Resolved (no longer at risk)",
    NOT_AT_RISK: "Not at risk",
}
#: What the `status` filter takes: every state of the plan's rows, and DONE (every item marked done).
STATUS_FILTERS = {
    **{state: label for state, label in STATE_LABELS.items() if state != NOT_AT_RISK},
    S.DONE: "Done (resolved or regressed)",
}
#: The `owner` filter's value for the questions nobody owns (untracked ones included).
UNASSIGNED = "unassigned"
#: The slots of a choice's resources that the plan shows: its improvement plans.
PLAN_SLOTS = (Resource.Slot.IMPROVEMENT_PLAN, Resource.Slot.ADDITIONAL_IMPROVEMENT_PLAN)


@dataclass(frozen=True)
class PlanFilters:
    """Which rows of the plan to keep; empty values keep everything. `owner` is a user's pk or
    UNASSIGNED; `question_id` (with `lens`) picks one question, even one neither at risk nor
    tracked (NOT_AT_RISK), to answer a write with."""

    lens: str = ""
    pillar: str = ""
    risk: str = ""
    status: str = ""
    owner: int | str | None = None
    question_id: str = ""


@dataclass
class MissingPractice:
    """A practice the team does not follow yet (neither selected nor marked not applicable), with
    its improvement plans (Resource rows; `Resource.link` is the URL when it is safe as a link)."""

    choice_id: str
    title: str
    resources: list[Resource] = field(default_factory=list)


@dataclass
class PlanRow:
    """One question of the plan: where it is, its risk, its tracking and, once `with_practices` ran,
    the practices missing and the question's own resources."""

    lens_alias: str
    lens_name: str
    lens_order: int
    pillar_id: str
    pillar_name: str
    pillar_position: int
    question_pk: int
    question_id: str
    title: str
    question_position: int
    risk: str
    selected: list[str]
    not_applicable: dict
    item: ImprovementItem | None = None
    missing: list[MissingPractice] = field(default_factory=list)
    question_resources: list[Resource] = field(default_factory=list)

    @property
    def is_risky(self) -> bool:
        return self.risk in RISKY

    @property
    def status(self) -> str:
        """The stored tracking status (NOT_STARTED while nobody tracks it)."""
        return self.item.status if self.item else S.NOT_STARTED

    @property
    def state(self) -> str:
        """The row's state (the module's docstring says how it is derived)."""
        if not self.is_risky:
            return RESOLVED if self.item is not None else NOT_AT_RISK
        return REGRESSED if self.status == S.DONE else self.status

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def owner(self) -> User | None:
        return self.item.owner if self.item else None

    @property
    def owner_username(self) -> str | None:
        """The owner's username, or the name a restored item keeps (ImprovementItem.owner_username)."""
        return self.item.owner_username if self.item else None

    @property
    def owner_id(self) -> int | None:
        return self.item.owner_id if self.item else None

    @property
    def due_date(self) -> date | None:
        return self.item.due_date if self.item else None

    @property
    def note(self) -> str:
        return self.item.note if self.item else ""

    @property
    def overdue(self) -> bool:
        """Due before today and neither done nor risk-accepted (my_improvements.is_overdue)."""
        return is_overdue(status=self.status, due_date=self.due_date)

    @property
    def version(self) -> int:
        return self.item.version if self.item else 0


@dataclass(frozen=True)
class PlanLens:
    """A lens review of the state read: its alias, the lens's name in its version, the version."""

    pk: int
    alias: str
    name: str
    version_id: int


@dataclass
class Plan:
    """The rows kept, in plan order (high, medium, resolved), and every lens applied, in the order
    they were applied, whatever the filters: what the lens filter offers."""

    rows: list[PlanRow]
    lenses: list[PlanLens]

    @property
    def high(self) -> list[PlanRow]:
        return [row for row in self.rows if row.risk == R.HIGH]

    @property
    def medium(self) -> list[PlanRow]:
        return [row for row in self.rows if row.risk == R.MEDIUM]

    @property
    def resolved(self) -> list[PlanRow]:
        return [row for row in self.rows if not row.is_risky]


def plan_lenses(state: ReviewState) -> list[PlanLens]:
    """The lens reviews of `state`, in the order they were applied: one query."""
    rows = (
        state.lens_reviews()
        .order_by("applied_at", "pk")
        .values_list("pk", "lens__alias", "lens_version__name", "lens_version_id")
    )
    return [PlanLens(*row) for row in rows]


def _matches(row: PlanRow, filters: PlanFilters) -> bool:
    if filters.pillar and row.pillar_id != filters.pillar:
        return False
    if filters.risk and row.risk != filters.risk:
        return False
    if filters.question_id and row.question_id != filters.question_id:
        return False
    if filters.status == S.DONE:
        if row.status != S.DONE:
            return False
    elif filters.status and row.state != filters.status:
        return False
    if filters.owner == UNASSIGNED:
        return row.owner_id is None
    return filters.owner is None or row.owner_id == filters.owner


def _order_key(priorities: dict[str, int]) -> Callable[[PlanRow], tuple]:
    """Risk (high, medium, then resolved rows), the workload's pillar priorities (pillars it does not
    list after those it does), then lens, pillar and question order."""
    unlisted = len(priorities)

    def key(row: PlanRow) -> tuple:
        return (
            RISK_ORDER.get(row.risk, len(RISK_ORDER)),
            priorities.get(row.pillar_id, unlisted),
            row.lens_order,
            row.pillar_position,
            row.question_position,
        )

    return key


def improvement_plan(
    state: ReviewState, *, filters: PlanFilters = PlanFilters(), lenses: list[PlanLens] | None = None
) -> Plan:
    """The plan of `state`'s workload, filtered, in plan order, without the practices (call
    `with_practices` on the rows shown). Two queries (items, answers), and one more for the lens
    reviews unless `lenses` (plan_lenses) is given."""
    workload = state.workload
    if lenses is None:
        lenses = plan_lenses(state)
    by_pk = {lens.pk: (order, lens) for order, lens in enumerate(lenses)}
    kept = [lens.pk for lens in lenses if not filters.lens or lens.alias == filters.lens]
    items = ImprovementItem.objects.filter(workload=workload).select_related("owner", "updated_by")
    if filters.lens:
        items = items.filter(lens_alias=filters.lens)
    tracked = {(item.lens_alias, item.question_id): item for item in items}
    wanted = Q(risk__in=RISKY) | Q(question__question_id__in={q_id for _alias, q_id in tracked})
    if filters.question_id:
        wanted = Q(question__question_id=filters.question_id)
    answers = (
        state.answers()
        .filter(lens_review__in=kept)
        .filter(wanted)
        .order_by()
        .values_list(
            "lens_review_id",
            "question_id",
            "question__question_id",
            "question__title",
            "question__position",
            "question__pillar__pillar_id",
            "question__pillar__name",
            "question__pillar__position",
            "risk",
            "selected_choices",
            "not_applicable_choices",
        )
    )
    rows = []
    for review_pk, q_pk, q_id, title, q_pos, p_id, p_name, p_pos, risk, selected, na in (
        answers if kept else []
    ):
        order, lens = by_pk[review_pk]
        item = tracked.get((lens.alias, q_id))
        if risk not in RISKY and item is None and not filters.question_id:
            continue  # not at risk, and the item with its id is another lens's
        row = PlanRow(
            lens.alias,
            lens.name,
            order,
            p_id,
            p_name,
            p_pos,
            q_pk,
            q_id,
            title,
            q_pos,
            risk,
            selected,
            na,
            item,
        )
        if _matches(row, filters):
            rows.append(row)
    priorities = {pillar_id: index for index, pillar_id in enumerate(workload.pillar_priorities or [])}
    rows.sort(key=_order_key(priorities))
    return Plan(rows=rows, lenses=lenses)


def with_practices(rows: list[PlanRow]) -> list[PlanRow]:
    """Fill each risky row's missing practices with their improvement plans, and every row's own
    question resources: two queries (choices, resources) for all the rows at once."""
    question_pks = [row.question_pk for row in rows]
    if not question_pks:
        return rows
    choices = Choice.objects.filter(question_id__in=question_pks).order_by("question_id", "position")
    by_question: dict[int, list[Choice]] = {}
    for choice in choices.only("pk", "question_id", "choice_id", "title"):
        by_question.setdefault(choice.question_id, []).append(choice)
    resources = (
        Resource.objects.filter(question_id__in=question_pks)
        .filter(Q(choice__isnull=True) | Q(slot__in=PLAN_SLOTS))
        .order_by(F("entry").asc(nulls_first=True), "position", "pk")
        .only("pk", "question_id", "choice_id", "slot", "display_text", "url")
    )
    of_choice: dict[int, list[Resource]] = {}
    of_question: dict[int, list[Resource]] = {}
    for resource in resources:
        if resource.choice_id:
            of_choice.setdefault(resource.choice_id, []).append(resource)
        else:
            of_question.setdefault(resource.question_id, []).append(resource)
    for row in rows:
        row.question_resources = of_question.get(row.question_pk, [])
        if not row.is_risky:
            row.missing = []
            continue
        done = set(row.selected) | set(row.not_applicable or {})
        row.missing = [
            MissingPractice(choice.choice_id, choice.title, of_choice.get(choice.pk, []))
            for choice in by_question.get(row.question_pk, [])
            if not choice.is_none_of_these and choice.choice_id not in done
        ]
    return rows


def plan_pillars(lenses: list[PlanLens]) -> list[tuple[str, str]]:
    """The pillars of the lenses applied (id, first name seen), in lens then pillar order, each id
    once: what the pillar filter offers. One query."""
    order = {lens.version_id: index for index, lens in enumerate(lenses)}
    rows = Pillar.objects.filter(version_id__in=list(order)).values_list(
        "version_id", "position", "pillar_id", "name"
    )
    pillars: dict[str, str] = {}
    for _version, _position, pillar_id, name in sorted(rows, key=lambda row: (order[row[0]], row[1])):
        pillars.setdefault(pillar_id, name)
    return list(pillars.items())


def improvement_owner_choices(workload: Workload) -> QuerySet[User]:
    """Who may own an improvement item: the workload's owner and every active user with a
    contributor share, directly or through a group; by username. One query."""
    contributors = Share.objects.filter(workload=workload, role=Share.Role.CONTRIBUTOR)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(pk=workload.owner_id)
            | Exists(contributors.filter(user=OuterRef("pk")))
            | Exists(contributors.filter(group__user=OuterRef("pk")))
        )
        .order_by("username")
    )


@dataclass(frozen=True)
class ImprovementSummary:
    """What the workload page says of the plan: questions at high and medium risk, and the tracked
    items still open (at risk, not risk-accepted: not started, in progress, or regressed)."""

    high: int
    medium: int
    open: int
    regressed: int


def improvement_summary(workload: Workload, *, high: int, medium: int) -> ImprovementSummary:
    """The summary of `workload`'s plan, given its high and medium counts (which the workload page
    has already): one query, for the open and regressed items."""
    at_risk = Answer.objects.filter(
        lens_review__workload=workload,
        lens_review__lens__alias=OuterRef("lens_alias"),
        question__question_id=OuterRef("question_id"),
        risk__in=RISKY,
    )
    counts = (
        ImprovementItem.objects.filter(workload=workload)
        .annotate(at_risk=Exists(at_risk))
        .aggregate(
            open=Coalesce(Count("pk", filter=Q(at_risk=True) & ~Q(status=S.RISK_ACCEPTED)), 0),
            regressed=Coalesce(Count("pk", filter=Q(at_risk=True, status=S.DONE)), 0),
        )
    )
    return ImprovementSummary(high=high, medium=medium, **counts)
