"""The reports pages: a workload's reports, the consolidated report, a report's status (which htmx
polls while it renders), its download and its deletion.

Anyone who may see a workload may ask for its reports (outsiders get a 404); a person sees and
downloads only the reports they asked for, and only while they may still see the workload
(reviews.reports.selectors.report_for, checked at every request). Files live outside MEDIA and
STATIC and are only ever sent by `download`, as attachments that no cache keeps. Asking renders
nothing here: report_request queues the work for a Celery worker, and the page shows a progress bar
that htmx refreshes until the report is done or has failed.

"Generate report" on a lens review's overview and on the workload page (issue 17) posts the lens
review form here; asked by htmx, the answer is the report's progress in place (IN_PLACE), which
polls `status` until it offers the download. Without JavaScript the post comes back to this page.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import replace_url

from mlwa.forms import add_invalid_input
from mlwa.post_only import post_only
from mlwa.toasts import with_toast
from reviews.access import workload_or_404
from reviews.filters import as_query, page_filters
from reviews.forms.reports import (
    RENAMES,
    ConsolidatedReportForm,
    LensReviewReportForm,
    PlanReportForm,
)
from reviews.models import LensReview, Report
from reviews.reports.selectors import report_file, report_for, reports_of
from reviews.reports.services import ReportQueueUnavailable, report_delete, report_request
from reviews.selectors.dashboard import WorkloadFilters, lens_filter_choices, matching_workloads
from reviews.selectors.states import milestones_of
from reviews.services import InvalidInput

ROW = "reviews/reports/_row.html"
#: A report's progress where it was asked for (the overview, the workload page), then its download.
IN_PLACE = "reviews/reports/_in_place.html"
#: The query that asks `status` for IN_PLACE rather than the lists' row.
IN_PLACE_QUERY = "in_place"
MATCHING = "reviews/reports/_matching.html"
KIND_ERROR = "Choose a lens review report or the improvement plan."


def _ask(request, form, **subject):
    """Ask for the report `form` describes (valid or not). Returns (report, status): the report
    and 200 when it is queued; None and 400 (errors on the form) or 503 (a message above it)."""
    if not form.is_valid():
        return None, 400
    try:
        return report_request(actor=request.user, **form.request(), **subject), 200
    except InvalidInput as error:
        add_invalid_input(form, error, renames=RENAMES)
        return None, 400
    except ReportQueueUnavailable as error:
        form.queue_error = str(error)
        return None, 503


def _queued(request, report: Report, back: str):
    messages.success(request, f"{report.get_kind_display()} asked for: it is being prepared below.")
    return redirect(back)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def reports(request, pk: int):
    """GET: the person's reports about the workload, and the forms to ask for one. POST (`kind`
    LENS_REVIEW or IMPROVEMENT_PLAN, with that form's fields): ask for one, then come back here.
    Queries: session, user, workload with the role, lenses applied, milestones, reports."""
    workload, role = workload_or_404(request, pk)
    lenses = [
        (review.lens.alias, f"{review.lens_version.name} (version {review.lens_version.label})")
        for review in LensReview.objects.filter(workload=workload)
        .select_related("lens", "lens_version")
        .defer("lens_version__source")
        .order_by("pk")
    ]
    milestones = list(milestones_of(workload).only("number", "name"))
    posted = request.POST if request.method == "POST" else None
    kind = posted.get("kind") if posted else None
    lens_form = LensReviewReportForm(
        posted if kind == Report.Kind.LENS_REVIEW else None, lenses=lenses, milestones=milestones
    )
    plan_form = PlanReportForm(posted if kind == Report.Kind.IMPROVEMENT_PLAN else None)
    status, kind_error = 200, ""
    if posted is not None:
        by_kind: dict[str | None, Any] = {
            Report.Kind.LENS_REVIEW: lens_form,
            Report.Kind.IMPROVEMENT_PLAN: plan_form,
        }
        form = by_kind.get(kind)
        if form is None:
            status, kind_error = 400, KIND_ERROR
        else:
            report, status = _ask(request, form, workload=workload)
            if request.htmx:
                return _in_place(request, report, form, status)
            if report is not None:
                return _queued(request, report, reverse("reviews:reports", args=[workload.pk]))
    context = {
        "workload": workload,
        "role": role,
        "lens_form": lens_form,
        "plan_form": plan_form,
        "kind_error": kind_error,
        "reports": list(reports_of(user=request.user, workload=workload)),
    }
    return render(request, "reviews/reports/workload.html", context, status=status)


def _in_place(request, report: Report | None, form, status: int):
    """The answer to "Generate report" asked by htmx: the report's progress in place (200), or why
    it was not asked (400: the form's errors, in place; 503: the queue's message, as a toast, since
    htmx swaps no 5xx answer)."""
    response = render(request, IN_PLACE, {"report": report, "form": form}, status=status)
    if status == 503:
        with_toast(response, getattr(form, "queue_error", ""), level="error")
    patch_vary_headers(response, ["HX-Request"])
    return response


#: The name of the consolidated page's Filter button: a POST with it shows the filters' workloads
#: and asks for nothing (the form is a POST, so that its CSRF token never goes in an address).
SHOW = "show"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def consolidated(request):
    """GET: the filters (the dashboard's, which narrow the workloads the report covers), in the
    form that asks for the consolidated report of those, and the person's consolidated reports.
    POST (the filters as on screen, and `format`): ask, then come back here with those filters; with
    SHOW, only show them. For htmx (the filters changing as they are typed), how many workloads
    match. Queries: session, user, lens filter choices, matching workloads' count, reports."""
    posting = request.method == "POST"
    # The filters come from the query on a GET, and with the format on a POST.
    filterset = page_filters(
        request.POST if posting else request.GET, lens_choices=lens_filter_choices(user=request.user)
    )
    filters = filterset.workload_filters()
    asking = posting and SHOW not in request.POST
    form = ConsolidatedReportForm(request.POST if posting else None, filters=filters)
    status = 200
    if asking:
        if filterset.form.errors:  # shown on the filters; nothing is asked
            status = 400
        else:
            report, status = _ask(request, form)
            if report is not None:
                return _queued(request, report, _with_query(reverse("reviews:consolidated-reports"), filters))
    matching = matching_workloads(user=request.user, filters=filters).count()
    if request.htmx and not request.htmx.history_restore_request and not posting:
        response = render(request, MATCHING, {"matching": matching, "filters": filters})
        replace_url(response, _with_query(request.path, filters))
        patch_vary_headers(response, ["HX-Request"])
        return response
    context = {
        "form": form,
        "filter_form": filterset.form,
        "filters": filters,
        "matching": matching,
        "reports": list(reports_of(user=request.user).filter(kind=Report.Kind.CONSOLIDATED)),
    }
    response = render(request, "reviews/reports/consolidated.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _with_query(path: str, filters: WorkloadFilters) -> str:
    """`path` with the filters' query, by their v1 names."""
    query = as_query(filters)
    return f"{path}?{query.urlencode()}" if query else path


@login_required
@require_safe
def status(request, report_pk: int):
    """One report's row, as the lists show it, or with `?in_place=1` its progress in place (after
    "Generate report"): htmx polls it while the report is queued or running (what it answers polls
    again only while it still is). Queries: session, user, the report with the access check
    (report_for)."""
    report = report_for(user=request.user, pk=report_pk)
    template = IN_PLACE if request.GET.get(IN_PLACE_QUERY) else ROW
    response = render(request, template, {"report": report})
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_safe
def download(request, report_pk: int):
    """The report's file, as an attachment, to the person who asked for it while they may still see
    its workload; 404 until it is done (and for anyone else)."""
    report = report_for(user=request.user, pk=report_pk)
    if report.status != Report.Status.DONE:
        raise Http404("This report is not ready.")
    try:
        handle = report_file(report).open("rb")
    except OSError:  # removed since (the report deleted meanwhile): nothing to send
        raise Http404("This report's file is gone.") from None
    response = FileResponse(handle, as_attachment=True, filename=report.file_name)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _list_url(report: Report) -> str:
    """The list a report is on: its workload's reports, or the consolidated ones."""
    if report.workload_id:
        return reverse("reviews:reports", args=[report.workload_id])
    return reverse("reviews:consolidated-reports")


def _report_list_url(request, report_pk: int) -> str:
    return _list_url(report_for(user=request.user, pk=report_pk))


@login_required
@post_only(_report_list_url)
def delete(request, report_pk: int):
    """Delete the report and its file, then go back to the list it was on."""
    report = report_for(user=request.user, pk=report_pk)
    back = _list_url(report)
    report_delete(report=report, actor=request.user)
    messages.success(request, "The report is deleted.")
    return redirect(back)
