"""Login throttling with django-axes (settings: AXES_*, MLWA_LOGIN_*, MLWA_PROXY_COUNT).

Axes counts the failed logins of each username from each client address, on the login page and on
the API's HTTP Basic login (accounts.authentication.PasswordAuthentication), and refuses the pair
once it reaches the limit. This module gives it the client's address and the page it answers with.
"""

import ipaddress
import math

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render


def cooloff_minutes() -> int:
    """How long a lockout lasts after the last failed login, in whole minutes."""
    return math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)


def lockout_message() -> str:
    """What a locked-out client is told, on the page and in the API's error."""
    minutes = cooloff_minutes()
    return (
        f"Too many failed logins for this username from your address. Try again in {minutes} "
        f"minute{'s' if minutes != 1 else ''}, or ask an administrator to lift the lockout."
    )


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address (AXES_CLIENT_IP_CALLABLE): the connection's peer, or with
    MLWA_PROXY_COUNT proxies in front, the address the outermost of them received the request from,
    read from X-Forwarded-For as DRF's NUM_PROXIES does (each proxy appends its peer). Entries left of
    that one are the client's own to write, so they are never read; a malformed one falls back to
    the peer, as axes stores the address in an IP column."""
    peer = request.META.get("REMOTE_ADDR")
    count = settings.MLWA_PROXY_COUNT
    forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if count <= 0 or not forwarded:
        return peer
    return _valid_ip(forwarded[-min(count, len(forwarded))]) or peer


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """The answer to a refused login while locked out (AXES_LOCKOUT_CALLABLE): 429, our page, and
    Retry-After in seconds."""
    if request.path.startswith("/api/"):
        # Imported here: mlwa.api.errors imports DRF's views, which import the authentication
        # classes (accounts.authentication), which import this module.
        from mlwa.api.errors import json_error

        response: HttpResponse = json_error(429, "locked_out", lockout_message())
    else:
        context = {"message": lockout_message(), "cooloff_minutes": cooloff_minutes()}
        response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
