"""One item of the improvement plan: edited in place on the plan, or on a page of its own.

With htmx, the plan's Edit asks `?part=form` and swaps the item's row for its form; Cancel asks
`?part=row` and swaps the row back; Save posts and answers with the row (or the form again: 400
with the errors, 409 with the stored values when someone else saved first). Without JavaScript,
Edit is a link to the item's page (its practices, resources and the form), whose post comes back
to the plan with the filters kept, or renders the page again with the refused form.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from mlwa.toasts import with_toast
from reviews.access import workload_or_404
from reviews.api.improvement_serializers import ImprovementUpdateSerializer
from reviews.api.validation import validated_input
from reviews.forms.improvements import (
    BadTrackingPost,
    TrackingForm,
    TrackingPost,
    filter_query,
    parse_tracking_post,
)
from reviews.permissions import Action
from reviews.selectors.improvements import (
    PlanFilters,
    improvement_owner_choices,
    improvement_plan,
    with_practices,
)
from reviews.selectors.states import ReviewState
from reviews.services import InvalidInput, StaleItem, improvement_item_update
from reviews.views.improvements import Card, card_of, plan_context

PAGE = "reviews/improvements/item.html"
ROW = "reviews/improvements/_row.html"
ROW_FORM = "reviews/improvements/_row_form.html"
#: A service's refusal naming these is about the URL: the page answers 404.
PATH_FIELDS = {"lens_alias", "question_id"}


def _render(request, workload, role, card: Card, *, back: str = "", status=200, saved=False):
    """The item as htmx swaps it (its row, or its form when asked for or refused) or as its own
    page. `card.form` None shows the stored values. Queries: owners, and the item's row (lens
    reviews, items, answers, choices, resources)."""
    plan = improvement_plan(
        ReviewState(workload), filters=PlanFilters(lens=card.alias, question_id=card.question_id)
    )
    card.row = with_practices(plan.rows)[0] if plan.rows else None
    if card.row is None:
        raise Http404("No such question in the lenses applied.")
    if card.form is None:
        card.form = TrackingForm.of_row(card.row, saved=saved)
    context = {
        **plan_context(workload, role, list(improvement_owner_choices(workload))),
        "card": card,
        "filter_query": back,  # where the form comes back to, were it posted without JavaScript
        "plan_url": reverse("reviews:improvements", args=[workload.pk]),
        "refocus": saved or request.GET.get("part") == "row",
    }
    if not request.htmx:
        return render(request, PAGE, context, status=status)
    editing = status != 200 or (request.method == "GET" and request.GET.get("part") == "form")
    return render(request, ROW_FORM if editing else ROW, context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def improvement_item(request, pk: int, alias: str, question_id: str):
    """GET: the item's page (with htmx, `?part=form`: its form, `?part=row`: its row of the plan).
    POST: its tracking (status, owner, due date, note, and the version read)."""
    if request.method == "POST":
        return _save(request, pk, alias, question_id)
    # The form is for those who track items (403 for the others); the row and the page, for all.
    editing = request.htmx and request.GET.get("part") == "form"
    workload, role = workload_or_404(request, pk, Action.ANSWER if editing else Action.VIEW)
    card = card_of(workload, alias, question_id, None, None)
    return _render(request, workload, role, card, back=filter_query(request.GET.get("back", "")))


def _save(request, pk: int, alias: str, question_id: str):
    workload, role = workload_or_404(request, pk, Action.ANSWER)
    try:
        posted = parse_tracking_post(request.POST)
    except BadTrackingPost as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    try:
        improvement_item_update(
            workload=workload,
            lens_alias=alias,
            question_id=question_id,
            actor=request.user,
            # The API's definition of the tracking's input checks the form's too.
            changes=validated_input(ImprovementUpdateSerializer, posted.changes),
            expected_version=posted.version,
        )
    except InvalidInput as error:
        if PATH_FIELDS & set(error.errors):
            raise Http404("No such question in the lenses applied.") from None
        form = TrackingForm.as_posted(posted, errors=error.errors)
        return _refused(request, workload, role, (alias, question_id), posted, form, 400)
    except StaleItem as stale:
        form = TrackingForm.stale(stale.current, posted, improvement_owner_choices(workload))
        return _refused(request, workload, role, (alias, question_id), posted, form, 409)
    key = f"{alias}--{question_id}"
    saved = f"Saved the tracking of {question_id}."
    if request.htmx:
        card = card_of(workload, alias, question_id, None, None)
        return with_toast(_render(request, workload, role, card, back=posted.back, saved=True), saved)
    messages.success(request, saved)
    page = reverse("reviews:improvements", args=[workload.pk])
    return redirect(f"{page}?{posted.back}#item-{key}" if posted.back else f"{page}#item-{key}")


def _refused(
    request, workload, role, where: tuple[str, str], posted: TrackingPost, form: TrackingForm, status
):
    """A refused post: 400 with the errors on the values posted, or 409 with the stored values and
    the person's beside them; to htmx the item's form, else the item's page."""
    card = card_of(workload, *where, None, form)
    return _render(request, workload, role, card, back=posted.back, status=status)
