"""A lens review's notes: the lens's own and each pillar's. Anyone who sees the workload reads them;
the owner and contributors change them (reviews.services.lens_review_notes). Notes read before
someone else changed them are not saved: 409, naming the notes changed (mlwa.stale_forms)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from mlwa.stale_forms import SEEN_FIELD, StaleForm, seen_tags, unchanged_since
from reviews.access import lens_review_or_404, workload_or_404
from reviews.api.lens_reviews import LensReviewNotesSerializer
from reviews.api.validation import validated_input
from reviews.forms.answers import textarea_text
from reviews.models import NOTES_MAX, LensReview
from reviews.permissions import Action, can
from reviews.services import InvalidInput, lens_review_notes

_STALE = (
    "Someone changed the notes on {changed} since you opened this page. Nothing was saved. Your notes "
    "are below (the stored ones: reload the page): save again to replace them with yours."
)


def _notes_of(review, pillars) -> dict:
    """The notes the page edits, by form field: the lens's, and each pillar's."""
    return {
        "notes": review.notes,
        **{f"pillar_notes.{p.pillar_id}": review.pillar_notes.get(p.pillar_id, "") for p in pillars},
    }


def notes_form_seen(review) -> str:
    """The `seen` field of the review's notes form, as the page would show it now (two queries)."""
    stored = LensReview.objects.get(pk=review.pk)
    return seen_tags(_notes_of(stored, stored.lens_version.pillars.only("pillar_id")))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notes(request, pk: int, alias: str):
    """The lens's notes and each pillar's: anyone who sees the workload reads them; the owner and
    contributors change them."""
    writing = request.method == "POST"
    workload, role = workload_or_404(request, pk, Action.ANSWER if writing else Action.VIEW)
    review = lens_review_or_404(workload, alias)
    # "version" too: the related manager sets each pillar's version, which reads version_id (a query a
    # pillar if it were deferred).
    pillars = list(
        review.lens_version.pillars.order_by("position").only("pk", "version", "pillar_id", "name")
    )
    lens_notes, pillar_notes = review.notes, dict(review.pillar_notes)
    errors: dict[str, list[str]] = {}
    status, seen = 200, seen_tags(_notes_of(review, pillars))
    if writing:
        lens_notes = textarea_text(request.POST.get("notes", ""))
        pillar_notes = {
            p.pillar_id: textarea_text(request.POST.get(f"pillar_notes.{p.pillar_id}", "")) for p in pillars
        }
        seen = request.POST.get(SEEN_FIELD, "")
        stored = LensReview.objects.filter(pk=review.pk)
        try:
            # The API's definition of the notes' input checks the form's too (lengths).
            checked = validated_input(
                LensReviewNotesSerializer, {"notes": lens_notes, "pillar_notes": pillar_notes}
            )
            with unchanged_since(seen, lock=stored, values=lambda: _notes_of(stored.get(), pillars)):
                lens_review_notes(
                    lens_review=review,
                    actor=request.user,
                    notes=checked["notes"],
                    pillar_notes=checked["pillar_notes"],
                )
        except InvalidInput as error:
            errors, status = error.errors, 400
        except StaleForm as stale:
            names = {"notes": "the lens", **{f"pillar_notes.{p.pillar_id}": p.name for p in pillars}}
            changed = ", ".join(names.get(field, field) for field in stale.changed)
            errors, status, seen = {"": [_STALE.format(changed=changed)]}, 409, stale.seen
        else:
            messages.success(request, "Notes saved.")
            return redirect("reviews:lens-notes", pk=workload.pk, alias=review.lens.alias)
    shown = {"notes", *(f"pillar_notes.{pillar.pillar_id}" for pillar in pillars)}  # errors beside fields
    context = {
        "workload": workload,
        "review": review,
        "editable": can(role, Action.ANSWER),
        "notes": lens_notes,
        "notes_errors": errors.get("notes", []),
        "other_errors": [
            f"{field}: {message}" if field else message
            for field in set(errors) - shown
            for message in errors[field]
        ],
        "pillars": [
            (
                pillar,
                pillar_notes.get(pillar.pillar_id, ""),
                errors.get(f"pillar_notes.{pillar.pillar_id}", []),
            )
            for pillar in pillars
        ],
        "notes_max": NOTES_MAX,
        "seen": seen,
        "start_url": reverse("reviews:review", args=[workload.pk, review.lens.alias]),
    }
    return render(request, "reviews/questionnaire/notes.html", context, status=status)
