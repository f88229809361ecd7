"""The lenses on a workload: apply one (a lens the owner may see, a published version of it) and
remove one (after a confirmation). Owner only; others may see the workload but not do this (403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from mlwa.forms import add_invalid_input
from mlwa.post_only import post_only
from reviews import services
from reviews.access import lens_review_or_404, workload_or_404
from reviews.forms.workloads import ApplyLensForm
from reviews.permissions import Action
from reviews.selectors.risk import review_counts
from reviews.services import InvalidInput
from reviews.views.workload_page import workload_page


@login_required
@post_only("reviews:workload", kwargs=("pk",))
def apply_lens(request, pk: int):
    """Apply a lens by alias, at a published version (by default the newest); a lens the user may
    not see, or a version that is not published, is a 400 on the workload page."""
    workload, role = workload_or_404(request, pk, Action.EDIT)
    form = ApplyLensForm(request.POST, user=request.user)
    if form.is_valid():
        version = form.cleaned_data["lens_version"]
        try:
            services.lens_review_apply(workload=workload, lens_version=version, actor=request.user)
        except InvalidInput as error:
            add_invalid_input(form, error)
        else:
            messages.success(request, f"Applied {version.name} (version {version.label}).")
            return redirect("reviews:workload", pk=workload.pk)
    return workload_page(request, workload, role, apply_form=form, status=400)


@login_required
def remove_lens(request, pk: int, alias: str):
    """A confirmation page saying which answers go with the lens; the POST removes it."""
    workload, _role = workload_or_404(request, pk, Action.EDIT)
    review = lens_review_or_404(workload, alias)
    review.workload = workload  # loaded already; the service logs the event on it
    if request.method == "POST":
        services.lens_review_remove(lens_review=review, actor=request.user)
        messages.success(request, f"Removed {review.lens_version.name} and its answers.")
        return redirect("reviews:workload", pk=workload.pk)
    counts = review_counts([review]).get(review.pk)
    context = {"workload": workload, "review": review, "counts": counts}
    return render(request, "reviews/workloads/remove_lens.html", context)
