"""What comparing two states of a workload gives (reviews.selectors.compare): a Comparison of its
lenses, each a LensComparison of its pillars' counts (PillarComparison) and its questions
(QuestionComparison, with a Status and the practices added and removed); a Delta is a count before
and after, and each pillar, lens and the whole comparison also has its full risk counts in both
states (`counts_before`, `counts_after`). How the two states are read and matched, and how a
question's status is decided: the docstring of reviews.selectors.compare.
"""

import enum
from dataclasses import dataclass, replace

from reviews.selectors.risk import RiskCounts
from reviews.selectors.states import ReviewState


class Status(enum.StrEnum):
    """What happened to a question between the two states."""

    IMPROVED = "improved"  # its risk ranks lower after
    REGRESSED = "regressed"  # its risk ranks higher after
    UNCHANGED = "unchanged"  # its risk ranks the same (other things may have changed: `changed`)
    ADDED = "added"  # only in the target (a lens applied, or a question new in the lens version)
    REMOVED = "removed"  # only in the base


class LensStatus(enum.StrEnum):
    """Whether a lens is reviewed in both states, or only in one."""

    KEPT = "kept"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class Delta:
    """A count before and after. More risks is worse, so a positive change is a regression."""

    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before

    @property
    def signed(self) -> str:
        """The change with its sign: "+2", "-1", "0"."""
        return f"{self.change:+d}" if self.change else "0"

    @property
    def direction(self) -> str:
        """ "worse", "better" or "same": for the colour of the change."""
        return "worse" if self.change > 0 else "better" if self.change < 0 else "same"

    def __add__(self, other: "Delta") -> "Delta":
        return Delta(self.before + other.before, self.after + other.after)


NO_DELTA = Delta(0, 0)


@dataclass(frozen=True, slots=True)
class Practice:
    """A practice (a choice of the question), by id and title."""

    choice_id: str
    title: str


@dataclass(frozen=True, slots=True)
class PillarComparison:
    """A pillar of a lens (by `pillar_id`): its high and medium counts before and after, and all
    its risk counts in each state."""

    pillar_id: str
    name: str
    high: Delta
    medium: Delta
    counts_before: RiskCounts = RiskCounts()
    counts_after: RiskCounts = RiskCounts()


@dataclass(frozen=True, slots=True)
class QuestionComparison:
    """One question (by `question_id`) in both states. `risk_before` is None for an added question,
    `risk_after` for a removed one; the title and pillar are the target's when it has the question."""

    question_id: str
    title: str
    pillar_id: str
    pillar_name: str
    status: Status
    risk_before: str | None
    risk_after: str | None
    practices_added: tuple[Practice, ...]
    practices_removed: tuple[Practice, ...]
    not_applicable_changed: bool
    notes_changed: bool
    notes_before: str
    notes_after: str
    none_of_these_before: bool = False  # "None of these" ticked in the base
    none_of_these_after: bool = False  # ... in the target

    @property
    def none_of_these_changed(self) -> bool:
        """Whether "None of these" was ticked in one state and not in the other, where both have
        the question (an added or removed question is a change already)."""
        return (
            self.risk_before is not None
            and self.risk_after is not None
            and self.none_of_these_before != self.none_of_these_after
        )

    @property
    def changed(self) -> bool:
        """Whether anything the audit trail records changed: presence, risk, practices, "None of
        these", not-applicable marks (the question's and each practice's, with reasons and notes) or
        notes. "None of these" counts on its own: unticking it where practices are marked not
        applicable leaves the risk as it was (issue 14)."""
        return (
            self.status != Status.UNCHANGED
            or self.risk_before != self.risk_after
            or bool(self.practices_added or self.practices_removed)
            or self.none_of_these_changed
            or self.not_applicable_changed
            or self.notes_changed
        )


@dataclass(frozen=True, slots=True)
class LensComparison:
    """A lens in both states: its versions, its pillars' counts, its questions (the target's
    order, each pillar's removed questions after its own, then the pillars the target lacks)."""

    alias: str
    name: str
    status: LensStatus
    version_before: str | None
    version_after: str | None
    high: Delta
    medium: Delta
    pillars: tuple[PillarComparison, ...]
    questions: tuple[QuestionComparison, ...]
    counts_before: RiskCounts = RiskCounts()  # its pillars' added up
    counts_after: RiskCounts = RiskCounts()

    @property
    def upgraded(self) -> bool:
        """Whether the two states review the lens on different versions."""
        return self.status == LensStatus.KEPT and self.version_before != self.version_after

    @property
    def changed_count(self) -> int:
        return sum(question.changed for question in self.questions)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two states of a workload compared, lens by lens (the target's lenses in the order applied,
    then those only the base has), with the high and medium counts of every lens added up."""

    base: ReviewState
    target: ReviewState
    high: Delta
    medium: Delta
    lenses: tuple[LensComparison, ...]
    counts_before: RiskCounts = RiskCounts()  # every lens's added up
    counts_after: RiskCounts = RiskCounts()

    @property
    def changed_count(self) -> int:
        """How many questions changed, in every lens."""
        return sum(lens.changed_count for lens in self.lenses)

    def only_changed(self) -> "Comparison":
        """The same comparison with only the questions where something changed (counts unchanged)."""
        lenses = tuple(
            replace(lens, questions=tuple(q for q in lens.questions if q.changed)) for lens in self.lenses
        )
        return replace(self, lenses=lenses)
