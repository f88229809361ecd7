"""Rate limits per user and per anonymous client, kept in the shared cache, failing open.

The rates come from settings.MLWA_API_RATES, read on each request (DRF reads its own setting once,
at import). When the cache is unreachable (Redis down), a request is let through and the failure is
logged: a limit is a protection, not a reason for the API to stop answering (DESIGN.md).

Each limit is a fixed window counter: the first request of a client starts a window of the rate's
duration, and every request in it adds one to a count kept under the client's key, which expires
with the window. That is one Redis round trip a request, whatever the rate. (DRF's SimpleRateThrottle
keeps a list of every request's time, read and written whole twice a request: thousands of entries
at the load test's raised rate.) A client may so make up to twice the rate across the end of one
window and the start of the next; a limit protects the service, it is not a quota.

Each limit that counted a request notes its state on it, and `rate_limit_headers` turns the one
that applies (the one with the fewest requests left: the one that refused, on a 429) into the X-RateLimit-*
headers that every API answer carries. When the cache fails, nothing is noted, and the answer has
none of them.
"""

import logging
import math
import time
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.core.cache.backends.redis import RedisCacheClient
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

if TYPE_CHECKING:
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

#: Where a request keeps the limits counted for it (rate_limit_headers reads them).
_RATE_LIMITS = "_mlwa_rate_limits"


class RateLimit(NamedTuple):
    """One limit's state after counting a request."""

    limit: int
    remaining: int
    reset: int  # seconds until its window ends


def rate_limit_headers(request: Any) -> dict[str, str]:
    """X-RateLimit-Limit, -Remaining and -Reset (seconds) of the limit that applies to `request`:
    of those that counted it, the one with the fewest requests left, and of those the one whose
    window ends last (the one that refused, on a 429: Retry-After waits for it). Empty when no limit
    counted the request (the cache failed: the limits failed open)."""
    limits = getattr(request, _RATE_LIMITS, None)
    if not limits:
        return {}
    applies = min(limits, key=lambda limit: (limit.remaining, -limit.reset))
    return {
        "X-RateLimit-Limit": str(applies.limit),
        "X-RateLimit-Remaining": str(applies.remaining),
        "X-RateLimit-Reset": str(applies.reset),
    }


class FailOpenThrottle(SimpleRateThrottle):
    """A fixed window counter whose rate is read from settings each time and which lets requests
    through when the cache fails."""

    # Set by each subclass (scope) and by allow_request from the rate, which every scope has.
    scope: str
    num_requests: int
    duration: int

    def get_rate(self) -> str:
        return settings.MLWA_API_RATES[self.scope]

    def allow_request(self, request: Request, view: "APIView") -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)  # type: ignore[assignment]  # get_rate: never None
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        try:
            count, self.seconds_left = self.count_request(self.key)
        except Exception:  # noqa: BLE001 - any cache failure: redis errors are not one class
            logger.warning("Rate limit not applied: the cache is unreachable", exc_info=True)
            return True
        limits = getattr(request, _RATE_LIMITS, None)
        if limits is None:
            limits = []
            setattr(request, _RATE_LIMITS, limits)
        limits.append(RateLimit(self.num_requests, max(0, self.num_requests - count), self.seconds_left))
        return count <= self.num_requests

    def count_request(self, key: str) -> tuple[int, int]:
        """Count one request under `key`: the count in the window so far, this one included, and
        the seconds until the window ends (at most: the window's whole duration)."""
        cache = self.cache  # the default cache (a proxy of it), or a test's own cache backend
        client = getattr(cache, "_cache", None)
        if isinstance(client, RedisCacheClient):
            # One round trip, atomic: start the window if there is none, count, read what is left.
            key = cache.make_and_validate_key(key)
            with client.get_client(key, write=True).pipeline(transaction=True) as pipe:
                pipe.set(key, 0, ex=self.duration, nx=True)
                pipe.incr(key)
                pipe.ttl(key)
                _, count, ttl = pipe.execute()
            return count, max(ttl, 1)
        # Any other cache (this process's memory, embedded): the same with its portable calls, the
        # window's end kept beside its count.
        now = time.time()
        cache.add(f"{key}:end", now + self.duration, self.duration)
        cache.add(key, 0, self.duration)
        try:
            count = cache.incr(key)
        except ValueError:  # the window ended between the two calls
            cache.add(key, 1, self.duration)
            count = 1
        end = cache.get(f"{key}:end") or now + self.duration
        return count, min(self.duration, max(1, math.ceil(end - now)))

    def wait(self) -> float:
        """Seconds until the window ends (Retry-After)."""
        return self.seconds_left


class UserThrottle(FailOpenThrottle):
    """Requests of each signed-in user, by user id, however many tokens or sessions they use."""

    scope = "user"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonThrottle(FailOpenThrottle):
    """Requests without valid credentials, by client address (failed token attempts included)."""

    scope = "anon"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PasswordThrottle(FailOpenThrottle):
    """Requests that carry a password (HTTP Basic, to create a token), by client address, whatever
    the outcome: each costs a password hash, and a guess."""

    scope = "password"

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if not request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("basic "):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


#: MLWA_API_RATE_HEAVY's default, also where a test's MLWA_API_RATES names no `heavy` rate.
DEFAULT_HEAVY_RATE = "10/minute"


class HeavyThrottle(FailOpenThrottle):
    """Heavy operations (lens imports, workload restores: each parses, lints and writes a whole
    document) of each signed-in user, by user id, counted together in the browser and the API
    (mlwa.heavy counts the pages' posts under the same key)."""

    scope = "heavy"

    def get_rate(self) -> str:
        return settings.MLWA_API_RATES.get(self.scope, DEFAULT_HEAVY_RATE)

    def get_cache_key(self, request: Request, view: "APIView") -> str | None:
        if not request.user.is_authenticated:
            return None  # refused before any work: nothing heavy to count
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


#: The throttles of a heavy API operation: the defaults (REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES),
#: and the heavy one.
HEAVY_THROTTLES = (UserThrottle, AnonThrottle, HeavyThrottle)
