"""The workload pages' forms (a workload, its lenses, its people; the filters are reviews.filters):
they parse what a person typed; the services decide what it may do. A service's refusal goes on the
form with mlwa.forms.add_invalid_input."""

from collections.abc import Sequence
from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from lens.models import BUILTIN_ALIAS, Lens, LensVersion
from lens.selectors import latest_published_version, published_versions
from mlwa.forms import ListField
from reviews.models import NOTES_MAX, Share, Workload


class WorkloadForm(forms.Form):
    """The fields a workload's owner edits (reviews.services.WORKLOAD_FIELDS)."""

    name = forms.CharField(max_length=100)
    description = forms.CharField(required=False, max_length=NOTES_MAX, widget=forms.Textarea({"rows": 3}))
    environment = forms.ChoiceField(
        choices=Workload.Environment.choices, initial=Workload.Environment.PREPRODUCTION
    )
    review_owner = forms.CharField(
        required=False, max_length=255, help_text="Who is responsible for the review (a name or an address)."
    )
    industry = forms.CharField(required=False, max_length=100)
    regions = ListField(required=False, help_text="Separated by commas or new lines.")
    # Text rather than a URLField, which would quietly prepend a scheme: the model validates it.
    architectural_design_url = forms.CharField(
        required=False, max_length=2048, label="Architectural design URL", help_text="An http(s) link."
    )
    tags = ListField(required=False, help_text="Short labels to find the workload by, separated by commas.")
    notes = forms.CharField(required=False, max_length=NOTES_MAX, widget=forms.Textarea({"rows": 3}))
    pillar_priorities = ListField(required=False, help_text="Pillar ids, most important first.")

    def workload_fields(self) -> dict:
        """The cleaned values, as reviews.services.workload_create and workload_update take them."""
        return {name: self.cleaned_data[name] for name in self.declared_fields if name != "lenses"}


class WorkloadCreateForm(WorkloadForm):
    """A new workload, and the lenses to apply to it: each visible lens's newest published version,
    the built-in lens ticked unless the person says otherwise."""

    lenses = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Lenses to apply"
    )

    def __init__(self, *args, lens_versions: list[LensVersion], **kwargs):
        super().__init__(*args, **kwargs)
        self.versions = {version.lens.alias: version for version in lens_versions}
        cast(forms.ChoiceField, self.fields["lenses"]).choices = [
            (version.lens.alias, f"{version.lens.name} (version {version.label})")
            for version in lens_versions
        ]
        if BUILTIN_ALIAS in self.versions:
            self.fields["lenses"].initial = [BUILTIN_ALIAS]

    def lens_versions(self) -> list[LensVersion]:
        return [self.versions[alias] for alias in self.cleaned_data["lenses"]]


class ApplyLensForm(forms.Form):
    """A lens the user may see, by alias, and one of its published versions (by default the newest)."""

    lens = forms.CharField(widget=forms.Select, max_length=64)
    version = forms.CharField(
        required=False, max_length=32, help_text="A published version's label; empty for the newest."
    )

    def __init__(self, *args, user, choices: Sequence[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["lens"].widget.choices = choices

    def clean_lens(self):
        alias = self.cleaned_data["lens"]
        lens = Lens.objects.visible_to(self.user).filter(alias=alias).first()
        if lens is None:
            raise forms.ValidationError(f"No lens you can see has the alias “{alias}”.")
        return lens

    def clean(self):
        cleaned = super().clean()
        lens, label = cleaned.get("lens"), cleaned.get("version")
        if lens is None:
            return cleaned
        version = (
            published_versions(lens).filter(label=label).first() if label else latest_published_version(lens)
        )
        if version is None:
            message = (
                f"“{lens.name}” has no published version “{label}”."
                if label
                else (f"“{lens.name}” has no published version yet: its owner must publish one first.")
            )
            self.add_error("version" if label else "lens", message)
        cleaned["lens_version"] = version
        return cleaned


def _active_user(username: str):
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise forms.ValidationError(f"No active user is named “{username}”.")
    return user


class TransferForm(forms.Form):
    username = forms.CharField(label="New owner", max_length=150, help_text="Their username.")

    def clean_username(self):
        return _active_user(self.cleaned_data["username"].strip())


class ShareForm(forms.Form):
    """Share with one user, by username, or one group (a team), by name."""

    user = forms.CharField(required=False, max_length=150, label="User", help_text="A username.")
    group = forms.CharField(required=False, max_length=150, label="or group", help_text="A team's name.")
    role = forms.ChoiceField(choices=Share.Role.choices, initial=Share.Role.READER)

    def clean_user(self):
        username = self.cleaned_data["user"].strip()
        return _active_user(username) if username else None

    def clean_group(self):
        name = self.cleaned_data["group"].strip()
        if not name:
            return None
        group = Group.objects.filter(name=name).first()
        if group is None:
            raise forms.ValidationError(f"No group is named “{name}”.")
        return group

    def clean(self):
        cleaned = super().clean()
        if not self.errors and (cleaned.get("user") is None) == (cleaned.get("group") is None):
            raise forms.ValidationError("Name either a user or a group.")
        return cleaned


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Share.Role.choices)
