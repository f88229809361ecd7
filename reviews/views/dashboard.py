"""The home page (the dashboard) and the workload list: the workloads the user may see, filtered.

Both read the same filters (reviews.filters, as the API and the reports do) from the query string
and show the same table. The dashboard adds the totals and the risk-by-pillar chart over the
filtered workloads and shows the first page of the list; the list is paginated and, for htmx,
answers just the table.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from lens.models import BUILTIN_ALIAS
from reviews.charts import risk_by_pillar_svg
from reviews.filters import WorkloadFilterSetWithAliases, as_query, page_filters
from reviews.selectors.dashboard import (
    lens_filter_choices,
    matching_workloads,
    with_roles,
    workload_rows,
    workload_totals,
)
from reviews.selectors.risk import pillar_risk_rows

PER_PAGE = 25


def _filter_set(request) -> WorkloadFilterSetWithAliases:
    return page_filters(request.GET, lens_choices=lens_filter_choices(user=request.user))


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
        "form": filterset.form,
        "filters": filters,
        "query": as_query(filters),
        "totals": totals,
        "chart": chart,
        "workloads": workloads,
        "more": totals.workloads > len(workloads),
        "builtin_alias": BUILTIN_ALIAS,
    }
    return render(request, "reviews/dashboard.html", context)


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
        "form": filterset.form,
        "filters": filters,
        "query": as_query(filters),
        "page": page,
        "workloads": with_roles(page.object_list, user=request.user),
    }
    # htmx swaps just the table; a history restore (back button, cache gone) needs the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "reviews/workloads/_table.html" if partial else "reviews/workloads/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
