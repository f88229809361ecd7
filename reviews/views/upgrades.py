"""Upgrading a lens review to a newer version of its lens (owner only; others who see the workload
get 403, outsiders 404): a page with the version difference and what will happen, and the POST that
upgrades (reviews.services.lens_review_upgrade) and shows the milestone saved first compared with
the review after the upgrade."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from reviews import services
from reviews.access import lens_review_or_404, workload_or_404
from reviews.permissions import Action
from reviews.selectors.upgrades import lens_offered, upgrade_preview
from reviews.services import InvalidInput


@login_required
def upgrade(request, pk: int, alias: str):
    """GET: the difference between the review's version and the newest, and what upgrading does.
    POST: upgrade to the version the page showed (`version`, a label; the newest if left out), then
    go to the comparison of the milestone saved first with the workload now. A refusal (no newer
    version, or not that one) shows the page again with status 400. A 404 while the workload's owner
    may not see the lens."""
    workload, _role = workload_or_404(request, pk, Action.EDIT)
    review = lens_review_or_404(workload, alias)
    review.workload = workload  # loaded already; the service and the preview use it
    if not lens_offered(review):
        # The workload's owner may no longer see the lens: like every /lenses/ page of it, a 404,
        # and its newer versions are not offered (reviews.selectors.upgrades).
        raise Http404("No lens review matches the given query.")
    error = None
    if request.method == "POST":
        name = review.lens_version.name
        try:
            milestone, _review, summary = services.lens_review_upgrade(
                lens_review=review, actor=request.user, version=request.POST.get("version") or None
            )
        except InvalidInput as refused:
            # Nothing changed (the service loads and locks its own copy of the review).
            error = " ".join(message for field in refused.errors.values() for message in field)
        else:
            messages.success(
                request,
                f"Upgraded {name} from version {summary.from_version} to {summary.to_version}: "
                f"{summary.sentence()} Milestone {milestone.number}, “{milestone.name}”, keeps the review "
                "as it was.",
            )
            compare = reverse("reviews:compare", args=[workload.pk])
            return redirect(f"{compare}?base={milestone.number}&target=current")
    context = {"workload": workload, "review": review, "preview": upgrade_preview(review), "error": error}
    return render(request, "reviews/upgrade.html", context, status=400 if error else 200)
