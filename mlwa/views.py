"""The account page (who the user is, their teams, their password) and the site's error pages."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.views import defaults

from mlwa.api.errors import json_error
from reviews.permissions import VIEW_ALL_PERMISSION


@login_required
def profile(request):
    """The user's name and groups, and the password change; after a change the session stays valid
    (update_session_auth_hash), while the user's other sessions end."""
    form = PasswordChangeForm(user=request.user, data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, "Your password was changed.")
        return redirect("profile")
    context = {
        "form": form,
        "groups": request.user.groups.order_by("name"),
        "sees_all": request.user.has_perm(VIEW_ALL_PERMISSION),
    }
    return render(request, "registration/profile.html", context, status=400 if form.is_bound else 200)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception):
    """404: JSON under /api/, Django's page elsewhere."""
    if _is_api(request):
        return json_error(404, "not_found", "No such resource.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500: JSON under /api/, Django's page elsewhere."""
    if _is_api(request):
        return json_error(500, "server_error", "The server failed to answer; the error is logged.")
    return defaults.server_error(request)
