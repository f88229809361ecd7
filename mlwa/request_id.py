"""A request id for every request, and one access-log line for each.

RequestIdMiddleware comes first in MIDDLEWARE, so that every answer carries the id, a 413 of
RequestBodyLimitMiddleware included. The id is the client's (or its proxy's) X-Request-ID when that
is a sane token, else a new one; it is set in mlwa.logs.current_request_id until the response is
closed, so that every record logged while answering it carries it (mlwa.logs.ContextFilter), and a
report task queued meanwhile takes it to the worker. The answer carries it back as X-Request-ID.
"""

import logging
import re
import time
import uuid

from django.core.signals import request_finished
from django.utils.functional import empty

from mlwa.logs import current_request_id

HEADER = "X-Request-ID"
#: A client's id is kept if it is a plain token: it goes into logs and headers as it is.
SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")
#: The health probes answer every few seconds: their lines are DEBUG, unless they fail.
PROBES = frozenset({"/healthz", "/readyz"})

access_log = logging.getLogger("mlwa.access")


def _forget_request_id(**kwargs) -> None:
    """Once the server has sent the response: what this thread logs next is no request's."""
    current_request_id.set(None)


request_finished.connect(_forget_request_id, dispatch_uid="mlwa.request_id.forget")


def request_id_from(value: str | None) -> str:
    """The client's id if it is a sane token (at most 64 of A-Z a-z 0-9 . _ -), else a new one."""
    if value and SANE.fullmatch(value):
        return value
    return uuid.uuid4().hex


def _user_id(request) -> int | None:
    """The user's id if the request already knows who it is: never a query of its own (an
    unevaluated lazy user stays unevaluated)."""
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return getattr(user, "pk", None)


class RequestIdMiddleware:
    """Sets the request id for the request's length, answers it as X-Request-ID, and logs one
    access line (method, path, status, duration, user, request id) to `mlwa.access`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        rid = request_id_from(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = rid
        # Not reset on the way out: Django logs a 4xx or 5xx (django.request) after the last
        # middleware returns. The id is cleared when the response is closed (request_finished).
        current_request_id.set(rid)
        try:
            response = self.get_response(request)
        except Exception:
            # Django turns a view's exception into a 500 below us; this is what escapes it.
            self._log(request, 500, started)
            raise
        response[HEADER] = rid
        self._log(request, response.status_code, started)
        return response

    @staticmethod
    def _log(request, status: int, started: float) -> None:
        duration = round((time.perf_counter() - started) * 1000, 1)
        path = request.path
        level = logging.DEBUG if path in PROBES and status < 500 else logging.INFO
        user_id = _user_id(request)
        access_log.log(
            level,
            "%s %s %s %.1f ms user=%s",
            request.method,
            path,
            status,
            duration,
            user_id if user_id is not None else "-",
            extra={
                "method": request.method,
                "path": path,
                "status": status,
                "duration_ms": duration,
                "user_id": user_id,
            },
        )
