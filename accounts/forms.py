"""The profile page's token form: it parses what a person typed; `accounts.services.token_create`
decides whether the name may be used."""

from django import forms

from accounts.services import NAME_MAX


class TokenCreateForm(forms.Form):
    """A new API token: its name and whether it may only read."""

    name = forms.CharField(
        max_length=NAME_MAX, help_text="What the key is for, e.g. “CI dashboard”; unique among your tokens."
    )
    read_only = forms.BooleanField(
        required=False, label="Read only", help_text="A read-only key may read but not change anything."
    )
