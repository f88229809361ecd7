"""The forms of the reports pages: they parse what a person chose; reviews.reports.services.report_request
decides whether it may be made (kind and format, lens applied, milestone, filters) and names the field
at fault when not.

A workload's reports page has two small forms that post to the same URL, told apart by `kind`: a lens
review report (a lens applied to the workload, now or at a milestone) and the improvement plan (PDF or
CSV). The consolidated report takes the dashboard's filters (reviews.filters, posted back as hidden
inputs) and a format (PDF or JSON).
"""

from typing import cast

from django import forms

from reviews.filters import stored_filters
from reviews.models import Milestone, Report
from reviews.selectors.dashboard import WorkloadFilters

K, F = Report.Kind, Report.Format

#: The service's field names, as the forms call them.
RENAMES = {"lens_alias": "lens", "milestone_number": "milestone"}

CURRENT = ""  # the milestone select's "current state"


class LensReviewReportForm(forms.Form):
    """A lens review report: which lens applied to the workload, and when (now, or a milestone)."""

    kind = K.LENS_REVIEW
    lens = forms.ChoiceField(choices=[], error_messages={"required": "Choose a lens."})
    milestone = forms.ChoiceField(required=False, choices=[], label="As of")

    def __init__(self, *args, lenses: list[tuple[str, str]], milestones: list[Milestone], **kwargs):
        super().__init__(*args, prefix="lens-review", **kwargs)  # type: ignore[misc]  # callers pass data only
        cast(forms.ChoiceField, self.fields["lens"]).choices = lenses
        cast(forms.ChoiceField, self.fields["milestone"]).choices = [
            (CURRENT, "Now (the current answers)"),
            *((str(m.number), f"Milestone {m.number}: {m.name}") for m in milestones),
        ]

    def request(self) -> dict:
        """The cleaned choice, as report_request takes it."""
        milestone = self.cleaned_data["milestone"]
        return {
            "kind": self.kind,
            "format": F.PDF,
            "lens_alias": self.cleaned_data["lens"],
            "milestone_number": int(milestone) if milestone else None,
        }


class PlanReportForm(forms.Form):
    """The improvement plan, as a PDF or a CSV file."""

    kind = K.IMPROVEMENT_PLAN
    format = forms.ChoiceField(choices=[(F.PDF, "PDF"), (F.CSV, "CSV (for a spreadsheet)")], initial=F.PDF)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="plan", **kwargs)

    def request(self) -> dict:
        return {"kind": self.kind, "format": self.cleaned_data["format"]}


class ConsolidatedReportForm(forms.Form):
    """The consolidated report over the workloads the person may see that match the dashboard's
    filters (reviews.filters: the page's filter set gives them), as a PDF or JSON."""

    kind = K.CONSOLIDATED
    format = forms.ChoiceField(required=False, choices=[(F.PDF, "PDF"), (F.JSON, "JSON")], initial=F.PDF)

    def __init__(self, *args, filters: WorkloadFilters, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters = filters

    def request(self) -> dict:
        return {
            "kind": self.kind,
            "format": self.cleaned_data["format"] or F.PDF,
            "filters": stored_filters(self.filters),
        }
