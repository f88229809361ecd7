"""Forms of the lens library: they parse what a person typed; the services decide what it may do."""

import re
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from lens.models import Lens
from lens.services import ALIAS_MAX, LABEL_MAX, LensActionRefused


def add_refusal(form: forms.Form, refusal: LensActionRefused) -> None:
    """Show a service's refusal on the field it names, or above the form when it names none of its
    fields."""
    form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)


class LensImportForm(forms.Form):
    file = forms.FileField(
        label="Lens file",
        help_text="A custom lens file, as the AWS Well-Architected Tool reads it (schemaVersion 2021-11-01).",
    )
    alias = forms.CharField(
        max_length=ALIAS_MAX,
        required=False,
        help_text=(
            "Leave empty to create a new lens with an alias made from its name. "
            "Give the alias of one of your lenses to replace its draft, or a new one. "
            "An alias that another lens holds is not available."
        ),
    )


class LensPublishForm(forms.Form):
    label = forms.CharField(max_length=LABEL_MAX, help_text="1.0, 2024-06, ... unique in the lens.")
    major = forms.BooleanField(
        required=False,
        label="Major version",
        help_text=(
            "A major version is offered to each workload as an upgrade; "
            "a minor one moves every review of the previous version to it. "
            "Both reach only the workloads whose owner may see this lens."
        ),
    )


def _names(text: str, separator: str) -> list[str]:
    return list(dict.fromkeys(name.strip() for name in re.split(separator, text) if name.strip()))


class LensShareForm(forms.Form):
    """Share with more users and groups, named as people know them; every name must exist."""

    users = forms.CharField(required=False, help_text="Usernames, separated by commas or spaces.")
    groups = forms.CharField(required=False, help_text="Group names, separated by commas.")
    everyone = forms.BooleanField(required=False, label="Every user of this instance may see it")

    def clean_users(self) -> list:
        names = _names(self.cleaned_data["users"], r"[,\s]+")
        users = list(get_user_model().objects.filter(username__in=names))
        missing = set(names) - {user.get_username() for user in users}
        if missing:
            raise forms.ValidationError(f"No user is named {', '.join(sorted(missing))}.")
        return users

    def clean_groups(self) -> list[Group]:
        names = _names(self.cleaned_data["groups"], r",")
        groups = list(Group.objects.filter(name__in=names))
        missing = set(names) - {group.name for group in groups}
        if missing:
            raise forms.ValidationError(f"No group is named {', '.join(sorted(missing))}.")
        return groups


class LensUnshareForm(forms.Form):
    """One share to end: a user or a group the lens is shared with, or every user."""

    user: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, required=False, to_field_name="username"
    )
    group: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, required=False, to_field_name="name"
    )
    everyone = forms.BooleanField(required=False)

    def __init__(self, *args: Any, lens: Lens, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = lens.shared_with_users.all()
        cast(forms.ModelChoiceField, self.fields["group"]).queryset = lens.shared_with_groups.all()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("user") or cleaned.get("group") or cleaned.get("everyone")) and not self.errors:
            raise forms.ValidationError("Name a user or a group to stop sharing with.")
        return cleaned


class LensUrlImportForm(forms.Form):
    """A lens file to fetch from the web; the guarded client decides where it may be fetched from."""

    url = forms.URLField(
        label="Lens file URL",
        max_length=2000,
        assume_scheme="https",
        help_text="An https:// address of a lens file (at most 5 MB), such as a raw file on GitHub.",
    )
    alias = LensImportForm.base_fields["alias"]


class CatalogAddForm(forms.Form):
    """A file of the lens catalog to add, as the instance's lens or as one's own."""

    file = forms.CharField(max_length=255)
    scope = forms.ChoiceField(choices=[("instance", "This instance"), ("mine", "My lens")])
