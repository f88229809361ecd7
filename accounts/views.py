"""The account page: who the user is, their teams, their password, and their API tokens.

A new token's key is shown once, in the response to the POST that created it (201, not cached): it
is never put in the session or a message, so nothing keeps it after that page. Revoking asks first,
then redirects back to the page (PRG). Another user's token is 404, as anything one may not see.
"Revoke all" asks first too, then revokes every token at once; so does a password change, unless its
"Also revoke my API tokens" box is unticked.
"""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from accounts import services
from accounts.forms import PasswordChangeForm, TokenCreateForm
from accounts.models import KEY_START
from accounts.selectors import tokens_of
from mlwa.errors import InvalidInput
from mlwa.forms import add_invalid_input
from mlwa.permissions import VIEW_ALL_PERMISSION


def _tokens_url() -> str:
    return reverse("profile") + "#tokens"


def _revoked_tokens(count: int) -> str:
    """What revoking every token did, in words."""
    if count == 0:
        return "You had no API token to revoke."
    if count == 1:
        return "Revoked 1 API token: its key no longer works."
    return f"Revoked {count} API tokens: their keys no longer work."


def _profile_page(request, *, password_form=None, token_form=None, status: int = 200):
    """The account page; a form given is shown with what was typed and its errors."""
    tokens = list(tokens_of(user=request.user))
    context = {
        "form": password_form or PasswordChangeForm(user=request.user),
        "token_form": token_form or TokenCreateForm(),
        "tokens": tokens,
        "active_tokens": sum(token.is_active for token in tokens),
        "key_start": KEY_START,
        "groups": request.user.groups.order_by("name"),
        "sees_all": request.user.has_perm(VIEW_ALL_PERMISSION),
    }
    return render(request, "registration/profile.html", context, status=status)


@login_required
def profile(request):
    """The user's name and groups, their API tokens, and the password change; after a change the
    session stays valid (update_session_auth_hash), while the user's other sessions end."""
    form = PasswordChangeForm(user=request.user, data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        revoked = services.password_change(
            user=form.user,
            password=form.cleaned_data["new_password1"],
            revoke_tokens=form.cleaned_data["revoke_tokens"],
        )
        update_session_auth_hash(request, form.user)
        said = "Your password was changed."
        if form.cleaned_data["revoke_tokens"]:
            said += f" {_revoked_tokens(revoked)}"
        messages.success(request, said)
        return redirect("profile")
    return _profile_page(request, password_form=form, status=400 if form.is_bound else 200)


@never_cache  # the response holds a key: no cache, the browser's included, may keep it
@login_required
def token_create(request):
    """Create a token and show its key, this once; a refusal shows the account page with the form's
    errors (400). A GET (a bookmark, a reload after the key was shown) goes back to the page."""
    if request.method != "POST":
        return redirect(_tokens_url())
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        try:
            token, key = services.token_create(user=request.user, **form.cleaned_data)
        except InvalidInput as error:
            add_invalid_input(form, error)
        else:
            context = {"token": token, "key": key, "key_start": KEY_START}
            return render(request, "accounts/token_created.html", context, status=201)
    return _profile_page(request, token_form=form, status=400)


@login_required
def token_revoke(request, pk: int):
    """A confirmation page naming the token; the POST revokes it for good. Only the user's own
    active tokens are found: any other is 404."""
    token = get_object_or_404(tokens_of(user=request.user), pk=pk, revoked_at__isnull=True)
    if request.method == "POST":
        services.token_revoke(token=token)
        messages.success(request, f"Revoked the token “{token.name}”: its key no longer works.")
        return redirect(_tokens_url())
    return render(request, "accounts/token_revoke.html", {"token": token, "key_start": KEY_START})


@login_required
def tokens_revoke_all(request):
    """A confirmation page saying how many tokens are active; the POST revokes every one of them
    (accounts.services.tokens_revoke_all) and says how many it revoked."""
    if request.method == "POST":
        revoked = services.tokens_revoke_all(user=request.user)
        messages.success(request, _revoked_tokens(revoked))
        return redirect(_tokens_url())
    active = tokens_of(user=request.user).filter(revoked_at__isnull=True).count()
    return render(request, "accounts/tokens_revoke_all.html", {"active": active})
