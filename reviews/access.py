"""The first lines of every reviews view: find the workload (404 for outsiders), check the role
(403 for a role that may see but not act), and find the lens review on it."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from reviews.models import LensReview, Workload
from reviews.permissions import Action, Role, can
from reviews.selectors import workload_for

REFUSED = {
    Action.ANSWER: "Only the workload's owner and contributors may change answers and notes.",
    Action.EDIT: "Only the workload's owner may change it.",
    Action.ADMINISTER: "Only the workload's owner may do this.",
}


def workload_or_404(request, pk: int | str | None, action: Action = Action.VIEW) -> tuple[Workload, Role]:
    """The workload and the user's role, if they may see it (else 404) and take `action` (else 403)."""
    if pk is None:  # a URL always names one
        raise Http404
    workload, role = workload_for(user=request.user, pk=pk)
    if not can(role, action):
        raise PermissionDenied(REFUSED[action])
    return workload, role


def lens_review_or_404(workload: Workload, alias: str) -> LensReview:
    """The review of the lens `alias` on `workload`, with its lens and version; 404 if not applied."""
    # Without the version's source document (up to 2 MB), which no page of a review needs.
    reviews = LensReview.objects.select_related("lens", "lens_version").defer("lens_version__source")
    return get_object_or_404(reviews, workload=workload, lens__alias=alias)
