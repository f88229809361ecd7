"""The workload page, shared by the workload views and the lens views (which re-render it with the
apply form's errors): fields, lenses with progress, people, the latest events, the owner's actions."""

from django.shortcuts import render

from reviews.charts.trend import trend_svg
from reviews.forms.milestones import MilestoneForm
from reviews.forms.workloads import ApplyLensForm
from reviews.models import Workload, WorkloadEvent
from reviews.permissions import Action, Role, can
from reviews.selectors.improvements import improvement_summary
from reviews.selectors.milestones import milestone_panel
from reviews.selectors.trend import workload_trend
from reviews.selectors.workload_page import (
    LATEST_EVENTS,
    applied_lenses,
    newest_versions,
    workload_events,
    workload_shares,
)


def http_link(url: str) -> str | None:
    """`url` if it is safe as a link (http or https), else None: anything else is shown as text."""
    url = (url or "").strip()
    return url if url.lower().startswith(("http://", "https://")) else None


def _shown(value) -> str:
    """A field's value in an event's before/after: lists as their items, separated by commas."""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "(none)"
    return str(value) if value not in ("", None) else "(empty)"


def with_change_rows(events) -> list[WorkloadEvent]:
    """The events, each with `change_rows`: (field, before, after) of a fields-changed event."""
    events = list(events)
    for event in events:
        changes = event.data.get("changes") if isinstance(event.data, dict) else None
        event.change_rows = [
            (field.replace("_", " "), _shown(change.get("before")), _shown(change.get("after")))
            for field, change in (changes or {}).items()
            if isinstance(change, dict)
        ]
    return events


def workload_page(request, workload: Workload, role: Role, *, apply_form=None, status: int = 200):
    """The workload page: fields, lenses with progress, people, latest events, owner's actions.
    A fixed number of queries: lenses and counts (2), shares (1), events (1), and for the owner the
    lenses that could still be applied (1); the newest milestones with who saved them and how many
    there are (1); the improvement items still open (1); once there is a milestone, the risk trend
    (2: reviews.selectors.trend)."""
    owner = can(role, Action.EDIT)
    if owner:
        choices = [
            (version.lens.alias, f"{version.lens.name} (newest: {version.label})")
            for version in newest_versions(user=request.user, not_on=workload)
        ]
        if apply_form is None:
            apply_form = ApplyLensForm(user=request.user, choices=choices)
        else:
            apply_form.fields["lens"].widget.choices = choices
    context = {
        "workload": workload,
        "role": role,
        "is_owner": owner,
        "lenses": applied_lenses(workload),
        "shares": list(workload_shares(workload)),
        "events": with_change_rows(workload_events(workload)[:LATEST_EVENTS]),
        "design_link": http_link(workload.architectural_design_url),
        "apply_form": apply_form,
    }
    context["milestones"], context["milestone_count"] = milestone_panel(workload)
    # The trend only once a milestone gives it a past; small, with links to the trend and comparison.
    context["trend_chart"] = (
        trend_svg(workload_trend(workload=workload), small=True, id_prefix="workload-trend")
        if context["milestone_count"]
        else None
    )
    if owner:
        context["milestone_form"] = MilestoneForm()
    # The plan's high and medium counts are the lenses' (loaded above); the open items, one query.
    context["improvements"] = improvement_summary(
        workload,
        high=sum(applied.counts.high for applied in context["lenses"]),
        medium=sum(applied.counts.medium for applied in context["lenses"]),
    )
    return render(request, "reviews/workloads/detail.html", context, status=status)
