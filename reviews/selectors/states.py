"""Which state of a workload a read answers from: as it is now, or frozen in a milestone.

Live rows and a milestone's frozen rows have the same fields (reviews.models.milestones), so a
selector that reads a review asks a ReviewState for its rows and works on either. A lens review of
either kind reaches its answers as `lens_review.answers` and its counts as `lens_review.pillar_counts`.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from reviews.models import (
    Answer,
    LensReview,
    Milestone,
    MilestoneAnswer,
    MilestoneLensReview,
    MilestonePillarRiskCounts,
    PillarRiskCounts,
    Workload,
)

#: A lens review as a ReviewState reads it: live, or frozen in a milestone (the same fields).
AnyLensReview = LensReview | MilestoneLensReview


@dataclass(frozen=True)
class ReviewState:
    """The workload now (`milestone` None) or as milestone `milestone` keeps it."""

    workload: Workload
    milestone: Milestone | None = None

    @property
    def is_current(self) -> bool:
        return self.milestone is None

    def lens_reviews(self) -> QuerySet:
        """The lens reviews: LensReview rows now, MilestoneLensReview rows in a milestone."""
        if self.milestone is None:
            return LensReview.objects.filter(workload=self.workload)
        return MilestoneLensReview.objects.filter(milestone=self.milestone)

    def answers(self) -> QuerySet:
        """Every answer of every lens review: Answer rows now, MilestoneAnswer rows in a milestone."""
        if self.milestone is None:
            return Answer.objects.filter(lens_review__workload=self.workload)
        return MilestoneAnswer.objects.filter(milestone=self.milestone)

    def pillar_counts(self) -> QuerySet:
        """The risk counts per lens review and pillar."""
        if self.milestone is None:
            return PillarRiskCounts.objects.filter(lens_review__workload=self.workload)
        return MilestonePillarRiskCounts.objects.filter(milestone=self.milestone)

    def workload_field(self, name: str) -> Any:
        """One of the workload's own fields (reviews.services.WORKLOAD_FIELDS) in this state."""
        if self.milestone is None:
            return getattr(self.workload, name)
        return self.milestone.workload_fields.get(name, "")


#: A milestone number as a query parameter gives it: ASCII digits ("²" is a digit to str.isdigit, not
#: to int; int takes "１"), few enough to fit any integer column.
_MILESTONE_NUMBER = re.compile(r"0*[0-9]{1,10}")
#: The largest milestone number (a 32-bit column), as the schema says of `?milestone=`.
_MILESTONE_MAX = 2**31 - 1


def milestone_number(raw: str | None) -> int | None:
    """`raw` (a query parameter's text) as a milestone number, a whole number from 1; None for
    anything else, absent included."""
    if raw is None or not _MILESTONE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= _MILESTONE_MAX:
        return None
    return int(raw)


def milestones_of(workload: Workload) -> QuerySet[Milestone]:
    """The workload's milestones, newest first, without the copied workload fields."""
    return Milestone.objects.filter(workload=workload).defer("workload_fields").order_by("-number")


def milestone_of(workload: Workload, number: int | str) -> Milestone:
    """The workload's milestone `number`, in one query; Http404 if it has none such."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise Http404("No such milestone.") from None
    milestone = Milestone.objects.filter(workload=workload, number=number).first()
    if milestone is None:
        raise Http404(f"This workload has no milestone {number}.")
    return milestone


def state_of(workload: Workload, milestone_number: int | str | None = None) -> ReviewState:
    """The state a read names: the current one for None, else milestone `milestone_number`."""
    if milestone_number is None:
        return ReviewState(workload)
    return ReviewState(workload, milestone_of(workload, milestone_number))
