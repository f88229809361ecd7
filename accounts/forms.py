"""The account page's forms: a new token (it parses what a person typed; `accounts.services.token_create`
decides whether the name may be used) and the password change."""

from django import forms
from django.contrib.auth import forms as auth_forms

from accounts.services import NAME_MAX


class TokenCreateForm(forms.Form):
    """A new API token: its name and whether it may only read."""

    name = forms.CharField(
        max_length=NAME_MAX, help_text="What the key is for, e.g. “CI dashboard”; unique among your tokens."
    )
    read_only = forms.BooleanField(
        required=False, label="Read only", help_text="A read-only key may read but not change anything."
    )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's password change, and whether to revoke the user's API tokens with it: ticked by
    default, since a password is most often changed because it may have leaked, and a key made
    with it would outlive the change."""

    revoke_tokens = forms.BooleanField(
        required=False,
        initial=True,
        label="Also revoke my API tokens",
        help_text="Every key you made stops working now; scripts that use one need a new token.",
    )
