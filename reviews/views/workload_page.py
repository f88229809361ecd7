"""The workload page, shared by the workload views and the lens views (which re-render it with the
apply form's errors): fields, lenses with progress, people, the latest events, the owner's actions."""

from django.forms.utils import pretty_name
from django.shortcuts import render

from reviews.charts.trend import trend_svg
from reviews.forms.milestones import MilestoneForm
from reviews.forms.workloads import ApplyLensForm, WorkloadForm
from reviews.models import Workload, WorkloadEvent
from reviews.permissions import Action, Role, can
from reviews.properties import region_names, stored_problems
from reviews.selectors.improvements import improvement_summary
from reviews.selectors.milestones import milestone_panel
from reviews.selectors.trend import workload_trend
from reviews.selectors.workload_page import (
    LATEST_EVENTS,
    applied_lenses,
    newest_versions,
    published_labels,
    workload_events,
    workload_shares,
)


def http_link(url: str) -> str | None:
    """`url` if it is safe as a link (http or https), else None: anything else is shown as text."""
    url = (url or "").strip()
    return url if url.lower().startswith(("http://", "https://")) else None


#: A workload field's name, as its form labels it ("pillar_priorities": "Pillar priorities").
FIELD_LABELS = {
    name: str(field.label or pretty_name(name)) for name, field in WorkloadForm.base_fields.items()
}
#: A field's stored values (enum values) as their labels, for the fields that have choices.
VALUE_LABELS = {"environment": dict(Workload.Environment.choices)}


def _shown(field: str, value) -> str:
    """A field's value in an event's before/after, in words: a choice's label, lists as their items
    separated by commas."""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "(none)"
    if value in ("", None):
        return "(empty)"
    return str(VALUE_LABELS.get(field, {}).get(value, value))


def with_change_rows(events) -> list[WorkloadEvent]:
    """The events, each with `change_rows`: (field's label, before, after) of a fields-changed
    event, and for such an event a `summary` naming the fields by their labels. (Only the page's
    words: the event's stored summary and data, which the API shows, keep names and values.)"""
    events = list(events)
    for event in events:
        changes = event.data.get("changes") if isinstance(event.data, dict) else None
        changes = {field: change for field, change in (changes or {}).items() if isinstance(change, dict)}
        event.change_rows = [
            (
                FIELD_LABELS.get(field, pretty_name(field)),
                _shown(field, change.get("before")),
                _shown(field, change.get("after")),
            )
            for field, change in changes.items()
        ]
        if event.kind == WorkloadEvent.Kind.UPDATED and changes:
            event.summary = "Changed " + ", ".join(row[0] for row in event.change_rows) + "."
    return events


def _properties(workload: Workload, lenses) -> dict:
    """AWS's properties in words, from the lenses loaded already: the regions with their names,
    the pillar priorities by name (an id no applied lens has, as itself), and the stored values
    today's rules would refuse (reviews.properties.stored_problems), which the page flags."""
    names: dict[str, str] = {}
    for applied in lenses:
        for pillar in applied.pillars:
            names.setdefault(pillar.pillar_id, pillar.name)
    return {
        "aws_region_names": region_names(workload.aws_regions),
        "priorities": [(pillar, names.get(pillar)) for pillar in workload.pillar_priorities],
        "property_problems": stored_problems(workload, pillars=frozenset(names)),
    }


def workload_page(request, workload: Workload, role: Role, *, apply_form=None, status: int = 200):
    """The workload page: fields, lenses with progress, people, latest events, owner's actions.
    A fixed number of queries: lenses and counts (2), shares (1), events (1), and for the owner the
    lenses that could still be applied and their published versions (2); the newest milestones
    with who saved them and how many there are (1); the improvement items still open (1); once
    there is a milestone, the risk trend (2: reviews.selectors.trend)."""
    owner = can(role, Action.EDIT)
    if owner:
        newest = newest_versions(user=request.user, not_on=workload)
        choices = [
            (version.lens.alias, f"{version.lens.name} (newest: {version.label})") for version in newest
        ]
        labels = published_labels([version.lens_id for version in newest])
        versions = [(version.lens.name, labels.get(version.lens_id, [])) for version in newest]
        if apply_form is None:
            apply_form = ApplyLensForm(user=request.user)
        apply_form.set_choices(choices, versions)
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
    context.update(_properties(workload, context["lenses"]))
    if owner:
        context["milestone_form"] = MilestoneForm()
    # The plan's high and medium counts are the lenses' (loaded above); the open items, one query.
    context["improvements"] = improvement_summary(
        workload,
        high=sum(applied.counts.high for applied in context["lenses"]),
        medium=sum(applied.counts.medium for applied in context["lenses"]),
    )
    return render(request, "reviews/workloads/detail.html", context, status=status)
