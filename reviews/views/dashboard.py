"""The home page (the dashboard) and the workload list: the workloads the user may see, filtered.

Both read the same filters (reviews.filters, as the API and the reports do) from the query string
and show the same table. The dashboard adds the totals and the risk-by-pillar chart over the
filtered workloads and shows the first page of the list; the list is paginated.

The filters apply as they are typed: htmx asks the same URL and gets just the results (the table;
on the dashboard the totals and chart too, out of band), and the address bar is replaced by the
filters' own query, so that a reload or the back button finds them again. Without JavaScript the
form's button submits it, and the page comes whole.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.http import replace_url

from lens.models import BUILTIN_ALIAS
from reviews.charts import risk_by_pillar_svg
from reviews.filters import WorkloadFilterSetWithAliases, as_query, page_filters, sort_headers
from reviews.selectors.dashboard import (
    WorkloadFilters,
    lens_filter_choices,
    matching_workloads,
    with_roles,
    workload_rows,
    workload_totals,
)
from reviews.selectors.risk import pillar_risk_rows

PER_PAGE = 25

#: The id of the filter form (templates/reviews/workloads/_filters.html), as htmx names the element
#: that asked (HX-Trigger).
FILTERS_FORM = "workload-filters"


def _filter_set(request) -> WorkloadFilterSetWithAliases:
    return page_filters(request.GET, lens_choices=lens_filter_choices(user=request.user))


def _filters_context(request, filterset: WorkloadFilterSetWithAliases, filters: WorkloadFilters) -> dict:
    """What the filter form and the table's sortable headers need, on both pages."""
    return {
        "form": filterset.form,
        "filters": filters,
        "query": as_query(filters),
        "sorting": sort_headers(filters, path=request.path),
    }


def _respond(request, context: dict, template: str, *, page_number: int = 1):
    """The page; for htmx, the results alone, and the address the filters give (replacing the one
    in the address bar). A history restore (back button, htmx's cache gone) needs the whole page."""
    if not request.htmx or request.htmx.history_restore_request:
        response = render(request, template, context)
    else:
        # The filter form asked: its sort select is as the person left it (and may have the focus).
        # A sort header, the Filter button or a page link asked: the select follows the new order.
        context["sort_field_out_of_band"] = request.htmx.trigger != FILTERS_FORM
        response = render(request, "reviews/workloads/_results.html", context)
        query = context["query"].copy()
        if page_number > 1:
            query["page"] = page_number
        replace_url(response, f"{request.path}?{query.urlencode()}" if query else request.path)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def dashboard(request):
    """Totals, the risk-by-pillar chart and the first page of the workloads, over the filtered
    workloads. Queries: session, user, lens filter choices, totals, risk by pillar, the first rows,
    their lenses: seven, however many workloads there are."""
    filterset = _filter_set(request)
    filters = filterset.workload_filters()
    matching = matching_workloads(user=request.user, filters=filters)
    totals = workload_totals(matching)
    chart = None
    if totals.workloads:
        chart = risk_by_pillar_svg(pillar_risk_rows(matching.order_by()), id_prefix="dashboard-risk")
    workloads = with_roles(workload_rows(matching, sort=filters.ordering)[:PER_PAGE], user=request.user)
    context = {
        **_filters_context(request, filterset, filters),
        "totals": totals,
        "chart": chart,
        "workloads": workloads,
        "more": totals.workloads > len(workloads),
        "builtin_alias": BUILTIN_ALIAS,
    }
    return _respond(request, context, "reviews/dashboard.html")


@login_required
def workload_list(request):
    """Every workload the user may see that matches the filters, PER_PAGE a page. Queries:
    session, user, lens filter choices, count, the page's rows, their lenses: six."""
    filterset = _filter_set(request)
    filters = filterset.workload_filters()
    matching = matching_workloads(user=request.user, filters=filters)
    paginator = Paginator(workload_rows(matching, sort=filters.ordering), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        **_filters_context(request, filterset, filters),
        "page": page,
        "workloads": with_roles(page.object_list, user=request.user),
    }
    return _respond(request, context, "reviews/workloads/list.html", page_number=page.number)
