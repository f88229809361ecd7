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
from reviews.forms.properties import PillarPrioritiesField, industry_choices, region_choices
from reviews.models import NOTES_MAX, Share, Workload
from reviews.properties import NON_AWS_REGIONS_MAX, stored_problems


class WorkloadForm(forms.Form):
    """The fields a workload's owner edits (reviews.services.WORKLOAD_FIELDS), AWS's properties as
    AWS has them (reviews.forms.properties). `pillars` are those priorities may name; `stored`, the
    workload edited, whose values the new rules refuse are offered as they are (so that saving the
    form unchanged keeps them) and named in `stored_problems` for the page to flag."""

    name = forms.CharField(max_length=100)
    description = forms.CharField(required=False, max_length=NOTES_MAX, widget=forms.Textarea({"rows": 3}))
    environment = forms.ChoiceField(
        choices=Workload.Environment.choices, initial=Workload.Environment.PREPRODUCTION
    )
    review_owner = forms.CharField(
        required=False, max_length=255, help_text="Who is responsible for the review (a name or an address)."
    )
    industry_type = forms.ChoiceField(
        required=False, label="Industry type", choices=industry_choices, help_text="AWS's list of industries."
    )
    industry = forms.CharField(
        required=False, max_length=100, help_text="In your own words, if the type says too little."
    )
    aws_regions = forms.MultipleChoiceField(
        required=False, label="AWS regions", choices=region_choices, widget=forms.CheckboxSelectMultiple
    )
    non_aws_regions = ListField(
        required=False,
        label="Other regions",
        widget=forms.TextInput,
        help_text=f"Outside AWS (on premises, another cloud), separated by commas: at most "
        f"{NON_AWS_REGIONS_MAX}, each 1 to 128 characters.",
    )
    account_ids = ListField(
        required=False, label="AWS account ids", help_text="12 digits each, separated by commas."
    )
    applications = ListField(
        required=False,
        label="AWS application",
        widget=forms.TextInput,
        help_text="The ARN of its AppRegistry application: "
        "arn:aws:servicecatalog:<region>:<account>:/applications/<id>.",
    )
    # Text rather than a URLField, which would quietly prepend a scheme: the services validate it.
    architectural_design_url = forms.CharField(
        required=False, max_length=2048, label="Architectural design URL", help_text="An http(s) link."
    )
    tags = ListField(required=False, help_text="Short labels to find the workload by, separated by commas.")
    notes = forms.CharField(required=False, max_length=NOTES_MAX, widget=forms.Textarea({"rows": 3}))
    pillar_priorities = PillarPrioritiesField(
        required=False,
        help_text="Rank the pillars that matter most, 1 first; leave a rank empty for no priority. "
        "The improvement plan lists its items in this order.",
    )

    def __init__(
        self,
        *args,
        pillars: Sequence[tuple[str, str]] = (),
        stored: Workload | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        pillars = list(pillars)
        self.stored_problems: dict[str, str] = {}
        if stored is not None:
            known = {pillar for pillar, _label in pillars}
            pillars += [
                (pillar, f"{pillar} (not a pillar of this workload's lenses)")
                for pillar in stored.pillar_priorities
                if pillar not in known
            ]
            fields = self.fields
            cast(forms.ChoiceField, fields["aws_regions"]).choices = region_choices(stored.aws_regions)
            cast(forms.ChoiceField, fields["industry_type"]).choices = industry_choices(stored.industry_type)
            self.stored_problems = stored_problems(stored, pillars=frozenset(known))
        cast(PillarPrioritiesField, self.fields["pillar_priorities"]).pillars = pillars

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
    # A select of the published versions, grouped by lens (never typed); the form still checks
    # that the version sent is one of the chosen lens's.
    version = forms.CharField(
        required=False,
        max_length=32,
        widget=forms.Select,
        help_text="The newest unless you pick an older published version.",
    )

    def __init__(
        self,
        *args,
        user,
        choices: Sequence[tuple[str, str]] = (),
        versions: Sequence[tuple[str, list[str]]] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.user = user
        self.set_choices(choices, versions)

    def set_choices(
        self, choices: Sequence[tuple[str, str]], versions: Sequence[tuple[str, list[str]]]
    ) -> None:
        """The lenses offered (alias, words) and each one's published labels, newest first (lens
        name, labels): the version select groups them by lens."""
        self.fields["lens"].widget.choices = choices
        self.fields["version"].widget.choices = [
            ("", "The newest published version"),
            *((name, [(label, f"{name} {label}") for label in labels]) for name, labels in versions),
        ]

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
