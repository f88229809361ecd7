"""The improvement plan page, its downloads, and the bulk status change of its items.

The page lists the questions at high, then medium risk (and the tracked ones now resolved) as a
compact list: each row its risk, question, status, owner and due date (with an "Overdue" badge),
filtered by a GET form that works without JavaScript; `?format=csv|xlsx` downloads the filtered
plan. Owners and contributors edit one item at a time (reviews.views.improvement_items) and change
the status of the items they select at once: each at the version the page showed, those changed
since listed and left alone.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from mlwa.post_only import post_only
from reviews.access import workload_or_404
from reviews.forms.improvements import (
    BulkStatusForm,
    PlanFilterForm,
    TrackingForm,
    filter_query,
)
from reviews.improvement_export import CSV_TYPE, XLSX_TYPE, plan_csv, plan_filename, plan_xlsx
from reviews.models import NOTES_MAX, Answer, ImprovementItem
from reviews.permissions import Action, can
from reviews.selectors.improvements import (
    PlanRow,
    improvement_owner_choices,
    improvement_plan,
    plan_lenses,
    plan_pillars,
    with_practices,
)
from reviews.selectors.states import ReviewState
from reviews.services import InvalidInput
from reviews.services.improvements import BulkOutcome, improvement_items_set_status

R = Answer.Risk
PAGE = "reviews/improvements/plan.html"


def _page_csv(workload, rows) -> bytes:
    # The page's CSV is opened in Excel by a double click: its byte order mark makes Excel read
    # non-ASCII names as UTF-8 (issue 17). The API's CSVs keep their bytes unless asked.
    return plan_csv(workload, rows, bom=True)


DOWNLOADS = {"csv": (_page_csv, CSV_TYPE), "xlsx": (plan_xlsx, XLSX_TYPE)}


@dataclass
class Card:
    """One item of the page: the plan's row (None when the question is neither at risk nor
    tracked), its links, and its tracking form."""

    alias: str
    question_id: str
    row: PlanRow | None
    question_url: str
    item_url: str
    form: TrackingForm | None

    @property
    def key(self) -> str:
        """Unique on the page, and safe in an HTML id (aliases are slugs, question ids words)."""
        return f"{self.alias}--{self.question_id}"


def card_of(workload, alias: str, question_id: str, row: PlanRow | None, form: TrackingForm | None) -> Card:
    """The card of one question of `workload`'s plan, with its links."""
    return Card(
        alias,
        question_id,
        row,
        reverse("reviews:question", args=[workload.pk, alias, question_id]),
        reverse("reviews:improvement-item", args=[workload.pk, alias, question_id]),
        form,
    )


def plan_context(workload, role, owners) -> dict:
    """What every template of the plan reads: the workload, the role, and the tracking's choices."""
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


def _plan_page(request, workload, role, query: QueryDict, *, extra: dict | None = None, status=200):
    """The page, or with `format` a download, for the filters in `query`. Queries: lens reviews,
    pillars and owners (the filters' choices), items, answers, choices, resources: seven, however
    many answers and items there are."""
    state = ReviewState(workload)
    lenses = plan_lenses(state)
    owners = list(improvement_owner_choices(workload))
    form = PlanFilterForm(query, lenses=lenses, pillars=plan_pillars(lenses), owners=owners)
    plan = improvement_plan(state, filters=form.filters(), lenses=lenses)
    with_practices(plan.rows)
    if query.get("format"):
        return _download(workload, plan.rows, query.get("format", ""))
    cards = [
        card_of(workload, row.lens_alias, row.question_id, row, TrackingForm.of_row(row)) for row in plan.rows
    ]
    filters = form.query()
    context = {
        **plan_context(workload, role, owners),
        "form": form,
        "plan": plan,
        "sections": [
            # Every card of the plan has its row.
            ("high", "High risk", [card for card in cards if card.row.risk == R.HIGH]),  # type: ignore[union-attr]
            ("medium", "Medium risk", [card for card in cards if card.row.risk == R.MEDIUM]),  # type: ignore[union-attr]
            ("resolved", "Resolved", [card for card in cards if not card.row.is_risky]),  # type: ignore[union-attr]
        ],
        "filter_query": filters,
        "narrowed": bool(filters),
        **(extra or {}),
    }
    return render(request, PAGE, context, status=status)


@login_required
@require_safe
def improvements(request, pk: int):
    """GET: the plan, filtered (?lens= &pillar= &risk= &status= &owner=); ?format=csv|xlsx: the
    filtered plan as a file. Queries: session, user, workload with the role, and _plan_page's."""
    workload, role = workload_or_404(request, pk)
    return _plan_page(request, workload, role, request.GET)


@login_required
@post_only("reviews:improvements", kwargs=("pk",))
def improvements_bulk(request, pk: int):
    """POST: `status` for every `item` checked (alias/question id/version shown). Answers with the
    plan (filters kept) and what was done above it: the items written, and those changed since the
    page was loaded, left alone and listed: 200 either way, as the API answers (the change was
    made; the page says which items it left alone)."""
    workload, role = workload_or_404(request, pk, Action.ANSWER)
    back = QueryDict(filter_query(request.POST.get("back", "")))
    form = BulkStatusForm(request.POST)
    try:
        refs = form.refs()
        outcome = improvement_items_set_status(
            workload=workload, actor=request.user, status=form.status(), items=refs
        )
    except InvalidInput as error:
        return _plan_page(
            request, workload, role, back, extra={"bulk_errors": list(error.errors.items())}, status=400
        )
    return _plan_page(request, workload, role, back, extra={"bulk": _bulk_summary(outcome)})


def _bulk_summary(outcome: BulkOutcome) -> dict:
    """What the page says of a bulk change: counts, and each stale item with who changed it."""
    return {
        "written": len(outcome.written),
        "unchanged": len(outcome.unchanged),
        "stale": [
            {"ref": ref, "current": current, "status": current.get_status_display()}
            for ref, current in outcome.stale
        ],
    }
