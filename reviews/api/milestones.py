"""`?milestone=N` on every read of a review: which state of the workload a read answers from.

Every review read in the API (lens reviews, answers, history, risk summaries) declares the
parameter and asks `requested_milestone` which state to read. The current state is None; a
milestone, once milestones are kept, is its frozen copy. Until then no workload has one, and a
number is answered 404 like any other milestone that does not exist.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotFound, ValidationError

from reviews.models import Workload

MILESTONE_PARAMETER = OpenApiParameter(
    "milestone",
    OpenApiTypes.INT,
    description="Read milestone N's frozen copy instead of the current state (404 if the workload has "
    "no milestone N).",
)


def requested_milestone(request, workload: Workload) -> None:
    """The milestone `?milestone=N` names on `workload`; None for the current state. Raises a 400
    naming `milestone` for a value that is not a positive whole number, and 404 for a number the
    workload has no milestone for."""
    raw = request.query_params.get("milestone")
    if raw is None or raw == "":
        return
    if not raw.isdigit() or int(raw) < 1:
        raise ValidationError({"milestone": ["A milestone number: 1, 2, 3..."]})
    raise NotFound(f"This workload has no milestone {int(raw)}.")
