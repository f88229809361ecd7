"""Comparing milestones, and the risk trend: pages for everyone who may see the workload.

The comparison reads `?base=N&target=M|current` (reviews.selectors.compare_states gives the defaults)
and `?changed=1` for only what changed: a plain GET form, which works without JavaScript. A value
that is not a milestone number is a 400 naming the field, with the form to correct it; a number
the workload has no milestone for is a 404, as in the API.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from reviews.access import workload_or_404
from reviews.charts.trend import trend_svg
from reviews.selectors.compare import workload_comparison
from reviews.selectors.compare_states import CURRENT, compared_states, state_label
from reviews.selectors.states import milestones_of
from reviews.selectors.trend import workload_trend
from reviews.services import InvalidInput


def _picked(state) -> str:
    """A state as the pickers name it: the milestone number, or "current"."""
    return CURRENT if state.milestone is None else str(state.milestone.number)


@login_required
def compare(request, pk: int):
    """Two states of the workload side by side: per lens the pillars' counts, then the questions.
    Queries: session, user, workload and role, milestones, then the comparison's four or five
    (reviews.selectors.compare): the same however many milestones, lenses and answers."""
    workload, _role = workload_or_404(request, pk)
    milestones = list(milestones_of(workload))
    changed_only = request.GET.get("changed") == "1"
    context = {
        "workload": workload,
        "milestones": milestones,
        # The pickers' options: (value, words), newest first.
        "options": [(str(m.number), f"Milestone {m.number} · {m.name}") for m in milestones],
        "changed_only": changed_only,
        "current": CURRENT,
        "errors": {},
        "comparison": None,
        "base": request.GET.get("base", ""),
        "target": request.GET.get("target", ""),
    }
    if not milestones:  # nothing to compare yet: the page says how to start
        return render(request, "reviews/compare/compare.html", context)
    try:
        base, target = compared_states(
            workload=workload,
            milestones=milestones,
            base=request.GET.get("base"),
            target=request.GET.get("target"),
        )
    except InvalidInput as error:
        context["errors"] = error.errors
        return render(request, "reviews/compare/compare.html", context, status=400)
    comparison = workload_comparison(base=base, target=target)
    context.update(
        comparison=comparison.only_changed() if changed_only else comparison,
        changed_count=comparison.changed_count,
        base=_picked(base),
        target=_picked(target),
        base_label=state_label(base),
        target_label=state_label(target),
    )
    return render(request, "reviews/compare/compare.html", context)


@login_required
def trend(request, pk: int):
    """The workload's risk trend: the chart, then the same numbers in a table. Queries: session,
    user, workload and role, then the trend's two (reviews.selectors.trend)."""
    workload, _role = workload_or_404(request, pk)
    risk_trend = workload_trend(workload=workload)
    context = {
        "workload": workload,
        "trend": risk_trend,
        "chart": trend_svg(risk_trend, title=f"{workload.name}: risk trend"),
    }
    return render(request, "reviews/compare/trend.html", context)
