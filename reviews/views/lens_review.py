"""The lens review overview: a review's pillars at a glance (answered of total, the risks, a risk
strip), where to continue, and whether the review is complete; as it is now, or as a milestone
froze it (read only, its links within the milestone).

The questionnaire's breadcrumb and its "Save and exit" lead here. Queries: session, user, workload
with the role, the lens review (with the milestone, for a frozen one), then the overview's two
(reviews.selectors.lens_overview): the same for a lens of 3 questions or of 200.
"""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from reviews.access import lens_review_or_404, workload_or_404
from reviews.permissions import Action, can
from reviews.selectors.lens_overview import lens_overview
from reviews.selectors.milestones import milestone_lens_review_or_404

PAGE = "reviews/lens_review/overview.html"


@login_required
@require_safe
def overview(request, pk: int, alias: str):
    """The overview of the lens `alias` applied to the workload, now."""
    workload, role = workload_or_404(request, pk)
    review = lens_review_or_404(workload, alias)
    return _page(request, workload, role, review)


@login_required
@require_safe
def milestone_overview(request, pk: int, number: int, alias: str):
    """The overview of the lens `alias` as the workload's milestone `number` froze it."""
    workload, role = workload_or_404(request, pk)
    frozen = milestone_lens_review_or_404(workload, number, alias)
    return _page(request, workload, role, frozen, milestone=frozen.milestone)


def _page(request, workload, role, review, *, milestone=None):
    alias = review.lens.alias
    if milestone is None:
        questions_url = reverse("reviews:review", args=[workload.pk, alias]) + "questions/"
        notes_url = reverse("reviews:lens-notes", args=[workload.pk, alias])
    else:
        args = [workload.pk, milestone.number]
        questions_url = reverse("reviews:milestone-review", args=[*args, alias]) + "questions/"
        # A milestone keeps its lens notes on its own page, beside the lens.
        notes_url = reverse("reviews:milestone", args=args) + f"#lens-{alias}"
    context = {
        "workload": workload,
        "role": role,
        "review": review,
        "milestone": milestone,
        "overview": lens_overview(review),
        "editable": milestone is None and can(role, Action.ANSWER),
        # Question ids are letters, digits and "_": "<questions_url><id>/" needs no reverse() each.
        "questions_url": questions_url,
        "notes_url": notes_url,
        "plan_url": reverse("reviews:improvements", args=[workload.pk]) + "?" + urlencode({"lens": alias}),
    }
    return render(request, PAGE, context)
