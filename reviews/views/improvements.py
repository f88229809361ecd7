"""The improvement plan page, its downloads, and the tracking of its items.

The page lists the questions at high, then medium risk (and the tracked ones now resolved), filtered
by a GET form that works without JavaScript; `?format=csv|xlsx` downloads the filtered plan. Owners
and contributors track each item with a small form: with htmx it posts and swaps that item's
tracking alone (400 with the errors, 409 with the stored values when someone else saved first);
without JavaScript it posts, then comes back to the page with the filters kept, or renders the page
with the refused form.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from mlwa.post_only import post_only
from mlwa.toasts import with_toast
from reviews.access import workload_or_404
from reviews.api.improvement_serializers import ImprovementUpdateSerializer
from reviews.api.validation import validated_input
from reviews.forms.improvements import (
    BadTrackingPost,
    PlanFilterForm,
    TrackingForm,
    TrackingPost,
    parse_tracking_post,
)
from reviews.improvement_export import CSV_TYPE, XLSX_TYPE, plan_csv, plan_filename, plan_xlsx
from reviews.models import NOTES_MAX, Answer, ImprovementItem
from reviews.permissions import Action, can
from reviews.selectors.improvements import (
    PlanFilters,
    PlanRow,
    improvement_owner_choices,
    improvement_plan,
    plan_lenses,
    plan_pillars,
    with_practices,
)
from reviews.selectors.states import ReviewState
from reviews.services import InvalidInput, StaleItem, improvement_item_update

R = Answer.Risk
PAGE = "reviews/improvements/plan.html"
TRACKING = "reviews/improvements/_tracking.html"
DOWNLOADS = {"csv": (plan_csv, CSV_TYPE), "xlsx": (plan_xlsx, XLSX_TYPE)}
#: A service's refusal naming these is about the URL: the page answers 404.
PATH_FIELDS = {"lens_alias", "question_id"}


@dataclass
class Card:
    """One item of the page: the plan's row (None when the question is neither at risk nor
    tracked), its links, and its tracking form."""

    alias: str
    question_id: str
    row: PlanRow | None
    question_url: str
    item_url: str
    form: TrackingForm

    @property
    def key(self) -> str:
        """Unique on the page, and safe in an HTML id (aliases are slugs, question ids words)."""
        return f"{self.alias}--{self.question_id}"


def _card(workload, alias: str, question_id: str, row: PlanRow | None, form: TrackingForm) -> Card:
    return Card(
        alias,
        question_id,
        row,
        reverse("reviews:question", args=[workload.pk, alias, question_id]),
        reverse("reviews:improvement-item", args=[workload.pk, alias, question_id]),
        form,
    )


def _common(workload, role, owners) -> dict:
    return {
        "workload": workload,
        "role": role,
        "editable": can(role, Action.ANSWER),
        "owners": owners,
        "owner_ids": {user.pk for user in owners},
        "statuses": ImprovementItem.Status.choices,
        "notes_max": NOTES_MAX,
    }


def _download(workload, rows, file_format: str) -> HttpResponse:
    if file_format not in DOWNLOADS:
        return HttpResponseBadRequest("format: csv or xlsx.", content_type="text/plain; charset=utf-8")
    make, content_type = DOWNLOADS[file_format]
    response = HttpResponse(make(workload, rows), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{plan_filename(workload, file_format)}"'
    return response


def _plan_page(request, workload, role, query: QueryDict, *, refused: Card | None = None, status=200):
    """The page, or with `format` a download, for the filters in `query`; `refused` replaces its
    item's card. Queries: lens reviews, pillars and owners (the filters' choices), items, answers,
    choices, resources: seven, however many answers and items there are."""
    state = ReviewState(workload)
    lenses = plan_lenses(state)
    owners = list(improvement_owner_choices(workload))
    form = PlanFilterForm(query, lenses=lenses, pillars=plan_pillars(lenses), owners=owners)
    plan = improvement_plan(state, filters=form.filters(), lenses=lenses)
    with_practices(plan.rows)
    if query.get("format"):
        return _download(workload, plan.rows, query.get("format", ""))
    cards = []
    for row in plan.rows:
        card = _card(workload, row.lens_alias, row.question_id, row, TrackingForm.of_row(row))
        if refused is not None and refused.key == card.key:
            card.form, refused = refused.form, None
        cards.append(card)
    filter_query = form.query()
    context = {
        **_common(workload, role, owners),
        "form": form,
        "plan": plan,
        "sections": [
            # Every card of the plan has its row.
            ("high", "High risk", [card for card in cards if card.row.risk == R.HIGH]),  # type: ignore[union-attr]
            ("medium", "Medium risk", [card for card in cards if card.row.risk == R.MEDIUM]),  # type: ignore[union-attr]
            ("resolved", "Resolved", [card for card in cards if not card.row.is_risky]),  # type: ignore[union-attr]
        ],
        "filter_query": filter_query,
        "narrowed": bool(filter_query),
        "refused_alone": refused,  # a refused item that the filters leave out: shown above them
    }
    return render(request, PAGE, context, status=status)


@login_required
@require_safe
def improvements(request, pk: int):
    """GET: the plan, filtered (?lens= &pillar= &risk= &status= &owner=); ?format=csv|xlsx: the
    filtered plan as a file. Queries: session, user, workload with the role, and _plan_page's."""
    workload, role = workload_or_404(request, pk)
    return _plan_page(request, workload, role, request.GET)


def _tracking(request, workload, role, card: Card, *, back: str = "", status=200):
    """One item's tracking (its state and its form), which htmx swaps in place. Queries: owners,
    and the item's row (items, answers: the lens reviews' one too)."""
    filters = PlanFilters(lens=card.alias, question_id=card.question_id)
    plan = improvement_plan(ReviewState(workload), filters=filters)
    card.row = plan.rows[0] if plan.rows else None
    context = {
        **_common(workload, role, list(improvement_owner_choices(workload))),
        "card": card,
        "filter_query": back,  # where the form comes back to, were it posted without JavaScript
    }
    return render(request, TRACKING, context, status=status)


@login_required
@post_only("reviews:improvements", kwargs=("pk",))
def improvement_item(request, pk: int, alias: str, question_id: str):
    """POST: the tracking of one question (status, owner, due date, note, and the version read)."""
    workload, role = workload_or_404(request, pk, Action.ANSWER)
    try:
        posted = parse_tracking_post(request.POST)
    except BadTrackingPost as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    try:
        item = improvement_item_update(
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
        return _refused(request, workload, role, _card(workload, alias, question_id, None, form), posted, 400)
    except StaleItem as stale:
        form = TrackingForm.stale(stale.current, posted, improvement_owner_choices(workload))
        return _refused(request, workload, role, _card(workload, alias, question_id, None, form), posted, 409)
    card = _card(workload, alias, question_id, None, TrackingForm.of_item(item, saved=True))
    saved = f"Saved the tracking of {question_id}."
    if request.htmx:
        return with_toast(_tracking(request, workload, role, card, back=posted.back), saved)
    messages.success(request, saved)
    page = reverse("reviews:improvements", args=[workload.pk])
    return redirect(f"{page}?{posted.back}#item-{card.key}" if posted.back else f"{page}#item-{card.key}")


def _refused(request, workload, role, card: Card, posted: TrackingPost, status: int):
    """A refused post: 400 with the errors on the values posted, or 409 with the stored values and
    the person's beside them: the item's tracking to htmx, else the whole page with the filters."""
    if request.htmx:
        return _tracking(request, workload, role, card, back=posted.back, status=status)
    return _plan_page(request, workload, role, QueryDict(posted.back), refused=card, status=status)
