"""The notification pages: the list (/notifications/), "Mark all read", and the header bell's count.

Opening the list marks the notifications it shows read: they are shown as new this once. The bell
in the header (templates/base.html) asks for its count after the page has loaded (htmx), so that no
page pays a query for it; without JavaScript it is a plain link to the list.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mlwa.post_only import post_only
from mlwa.types import signed_in
from notifications.selectors import notifications_for, unread_count
from notifications.services import notifications_mark_read

PER_PAGE = 25


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, PER_PAGE a page; those shown are marked read."""
    page = Paginator(notifications_for(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    notifications_mark_read(user=signed_in(request.user), pks=[n.pk for n in shown if n.read_at is None])
    # `shown` keeps read_at as loaded: this page's unread ones are shown as new, this once.
    context = {"page": page, "notifications": shown, "unread": unread_count(user=request.user)}
    return render(request, "notifications/list.html", context)


@login_required
@post_only("notifications:list")
def read_all(request: HttpRequest) -> HttpResponse:
    """Mark every notification of the user read."""
    count = notifications_mark_read(user=signed_in(request.user))
    messages.success(request, "Every notification is marked read." if count else "Nothing was unread.")
    return redirect("notifications:list")


@login_required
def bell(request: HttpRequest) -> HttpResponse:
    """The header's bell with the unread count (asked by htmx once the page has loaded)."""
    return render(request, "notifications/_bell.html", {"unread": unread_count(user=request.user)})
