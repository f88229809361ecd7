"""Rate limits per user and per anonymous client, kept in the shared cache, failing open.

The rates come from settings.MLWA_API_RATES, read on each request (DRF reads its own setting once,
at import). When the cache is unreachable (Redis down), a request is let through and the failure is
logged: a limit is a protection, not a reason for the API to stop answering (DESIGN.md).
"""

import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class FailOpenThrottle(SimpleRateThrottle):
    """A SimpleRateThrottle whose rate is read from settings each time and which lets requests
    through when the cache fails."""

    def get_rate(self) -> str:
        return settings.MLWA_API_RATES[self.scope]

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - any cache failure: redis errors are not one class
            logger.warning("Rate limit not applied: the cache is unreachable", exc_info=True)
            return True


class UserThrottle(FailOpenThrottle):
    """Requests of each signed-in user, by user id, however many tokens or sessions they use."""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonThrottle(FailOpenThrottle):
    """Requests without valid credentials, by client address (failed token attempts included)."""

    scope = "anon"

    def get_cache_key(self, request, view) -> str | None:
        if request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PasswordThrottle(FailOpenThrottle):
    """Requests that carry a password (HTTP Basic, to create a token), by client address, whatever
    the outcome: each costs a password hash, and a guess."""

    scope = "password"

    def get_cache_key(self, request, view) -> str | None:
        if not request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("basic "):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
