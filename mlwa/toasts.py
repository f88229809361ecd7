"""The short confirmation after a write (issue 16), for writes answered to htmx with a fragment: the
page is not reloaded, so a django.contrib.messages message would wait for the next page. The
response carries it as an `HX-Trigger` event instead, which static/js/toasts.js shows in the same
toast region (base.html) as the messages of a reloaded page."""

from django.http import HttpResponse
from django_htmx.http import trigger_client_event

#: The event's name; static/js/toasts.js listens for it.
TOAST_EVENT = "mlwa:toast"


def with_toast(response: HttpResponse, message: str, *, level: str = "success") -> HttpResponse:
    """`response` with `message` to show as a toast (`level`: success, info, warning or error, as
    the messages framework's level tags). Fired on receipt, before the swap: the element that made
    the request may be swapped out, and the event must bubble from it while it is still in the page."""
    return trigger_client_event(response, TOAST_EVENT, {"message": message, "level": level})
