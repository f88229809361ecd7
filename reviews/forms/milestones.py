"""The form that names a new milestone: on the milestone list and on the workload page."""

from django import forms

from reviews.models import MILESTONE_NAME_MAX


class MilestoneForm(forms.Form):
    """A new milestone's name; the service (milestone_create) checks that the workload has no
    milestone of that name yet, whatever the case."""

    name = forms.CharField(
        max_length=MILESTONE_NAME_MAX,
        label="Milestone name",
        help_text="Unique in this workload, for example “Before launch”.",
        error_messages={"required": "Give the milestone a name."},
    )
