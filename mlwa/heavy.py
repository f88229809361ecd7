"""The heavy operations' rate limit on pages: lens imports and workload restores posted in the
browser count under the same key as the API's (mlwa.api.throttling.HeavyThrottle), so a user has
MLWA_API_RATE_HEAVY of them a window, however they send them.

A page view calls `heavy_refusal(request)` first and returns what it gives when it is not None:

    if (refused := heavy_refusal(request)) is not None:
        return refused
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mlwa.api.throttling import HeavyThrottle


def heavy_wait(request: HttpRequest) -> int | None:
    """Count one heavy operation of `request`'s user; None when allowed, else the whole seconds
    until the window ends. The cache failing lets it through (logged), as in the API."""
    throttle = HeavyThrottle()
    if throttle.allow_request(request, None):  # type: ignore[arg-type]  # a page, not an API view: none to give
        return None
    return max(1, round(throttle.wait()))


def heavy_refusal(request) -> HttpResponse | None:
    """For a POST over the user's heavy rate: a 429 page saying when to try again, with
    Retry-After; None otherwise (a GET is never counted: it only shows the form)."""
    if request.method != "POST":
        return None
    wait = heavy_wait(request)
    if wait is None:
        return None
    context = {"wait": wait, "rate": HeavyThrottle().get_rate(), "back": request.get_full_path()}
    response = render(request, "throttled.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response
