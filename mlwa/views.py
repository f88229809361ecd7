"""The account page: who the user is, their teams, and a form to change their password."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render

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
