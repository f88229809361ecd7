"""Which two states of a workload a comparison is between: `?base=N&target=M|current`, with the
defaults the comparison page and the API share. Reads nothing: the caller has the workload's
milestones (reviews.selectors.states.milestones_of), which its page lists anyway."""

from collections.abc import Sequence

from django.http import Http404

from mlwa import error_codes
from mlwa.errors import InvalidInput
from reviews.models import Milestone, Workload
from reviews.selectors.states import ReviewState, milestone_number

BASE_INVALID = "A milestone number: 1, 2, 3..."
TARGET_INVALID = "A milestone number, or “current” for the workload as it is now."
NO_MILESTONE = "This workload has no milestone yet: save one to compare the workload with it."
CURRENT = "current"


def compared_states(
    *, workload: Workload, milestones: Sequence[Milestone], base: str | None, target: str | None
) -> tuple[ReviewState, ReviewState]:
    """The two states that `?base=N&target=M|current` name, from `milestones` (the workload's,
    newest first: states.milestones_of), without a query.

    Defaults: with neither given, the two newest milestones (or the only one and the current state);
    with only `base`, the current state after it; with only `target`, the newest milestone before
    it. Raises InvalidInput naming `base` and/or `target` for a value that is not a milestone number
    (`current` is a target only), or for a base that cannot be defaulted; Http404 for a number the
    workload has no milestone for.
    """
    base = (base or "").strip() or None
    target = (target or "").strip() or None
    errors = {}
    base_number = milestone_number(base)
    if base is not None and base_number is None:
        errors["base"] = BASE_INVALID
    target_number = None if target in (None, CURRENT) else milestone_number(target)
    if target not in (None, CURRENT) and target_number is None:
        errors["target"] = TARGET_INVALID
    if errors:
        raise InvalidInput(errors)

    milestones = sorted(milestones, key=lambda milestone: -milestone.number)
    by_number = {milestone.number: milestone for milestone in milestones}
    for number in (base_number, target_number):
        if number is not None and number not in by_number:
            raise Http404(f"This workload has no milestone {number}.")

    if target is None:
        # Nothing named: the two newest; a base named: the current state after it.
        target_number = milestones[0].number if base is None and len(milestones) >= 2 else None
    if base_number is None:
        earlier = [m.number for m in milestones if target_number is None or m.number < target_number]
        if not earlier:
            raise InvalidInput(
                {
                    "base": NO_MILESTONE
                    if not milestones
                    else f"Milestone {target_number} is the first: none comes before it."
                },
                code=error_codes.REFUSED,
            )
        base_number = earlier[0]

    target_milestone = by_number[target_number] if target_number is not None else None
    return ReviewState(workload, by_number[base_number]), ReviewState(workload, target_milestone)


def state_label(state: ReviewState) -> str:
    """How a state is named on the pages: "Milestone 2 · Before launch", or "Now"."""
    if state.milestone is None:
        return "Now"
    return f"Milestone {state.milestone.number} · {state.milestone.name}"
