"""One shape for every API error: `{"code": ..., "message": ..., "fields": {path: [messages]}}`.

`exception_handler` (DRF's EXCEPTION_HANDLER) turns what views, serializers and services raise into
it; `json_error` builds it for the responses made outside DRF (unknown URLs, 413, 500).
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from lens.format import AwsLimitsExceeded, LensRefused
from lens.services import LensActionRefused, LensInUse
from mlwa import error_codes
from mlwa.errors import InvalidInput, ReviewRefused


class PreconditionFailed(exceptions.APIException):
    """412: an `If-Match` that no longer matches the stored version."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"
    default_detail = "The resource changed since the version named in If-Match."


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The request conflicts with the stored state."


def error_body(code: str, message: str, fields: Mapping[str, list[str]] | None = None, **extra: Any) -> dict:
    return {"code": code, "message": message, "fields": dict(fields or {}), **extra}


def json_error(status_code: int, code: str, message: str, **extra: Any) -> JsonResponse:
    """An error response in the API's shape, for code that runs outside DRF's views."""
    return JsonResponse(error_body(code, message, **extra), status=status_code)


def flatten_errors(detail: Any, path: str = "") -> dict[str, list[str]]:
    """DRF's nested validation errors as {"a.b.0": [messages]}: one path per input at fault."""
    if isinstance(detail, Mapping):
        fields = {}
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "detail") else str(key)
            fields.update(flatten_errors(value, f"{path}.{name}" if path and name else path or name))
        return fields
    if isinstance(detail, list) and detail and not all(isinstance(item, str) for item in detail):
        fields = {}
        for index, item in enumerate(detail):
            fields.update(flatten_errors(item, f"{path}.{index}" if path else str(index)))
        return fields
    messages = [str(item) for item in detail] if isinstance(detail, list) else [str(detail)]
    return {path: messages} if messages else {}


def _first_message(fields: Mapping[str, list[str]], fallback: str) -> str:
    for path, messages in fields.items():
        if messages:
            return f"{path}: {messages[0]}" if path else messages[0]
    return fallback


def _domain_error(exc: Exception) -> Response | None:
    """The services' refusals, with the status their class names."""
    if isinstance(exc, InvalidInput):
        return Response(error_body(exc.code, _first_message(exc.errors, str(exc)), exc.errors), status=400)
    if isinstance(exc, ReviewRefused):
        return Response(error_body(exc.code, str(exc)), status=exc.status)
    if isinstance(exc, LensRefused):
        fields: dict[str, list[str]] = {}
        for problem in exc.problems:
            fields.setdefault(problem.path, []).append(problem.message)
        problems = [problem.as_dict() for problem in exc.problems]
        # An export the AWS tool would refuse: the lens is fine, the target is not, hence a conflict.
        code, status = (
            ("aws_limits_exceeded", 409) if isinstance(exc, AwsLimitsExceeded) else ("lens_refused", 400)
        )
        body = error_body(code, _first_message(fields, str(exc)), fields, problems=problems)
        return Response(body, status=status)
    if isinstance(exc, LensActionRefused):
        fields = {exc.field: [exc.message]} if exc.field else {}
        return Response(
            error_body(exc.code, exc.message, fields), status=409 if isinstance(exc, LensInUse) else 400
        )
    return None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, in the API's shape. Returns None (a 500, logged) for anything unexpected."""
    response = _domain_error(exc)
    if response is not None:
        set_rollback()
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if not isinstance(exc, exceptions.APIException):
        return None
    headers: dict[str, str] = {}
    if auth_header := getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = auth_header
    if wait := getattr(exc, "wait", None):
        headers["Retry-After"] = str(max(1, round(wait)))
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_errors(exc.detail)
        # A shape refusal: `invalid`, or the code of a rule of its own (mlwa.api.views.NullCharacters).
        code = getattr(exc, "api_code", error_codes.INVALID)
        body = error_body(code, _first_message(fields, "The input is not valid."), fields)
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        # An exception may name the paths at fault itself (mlwa.api.parsers.JSONTooDeepError).
        body = error_body(code, str(exc.detail), getattr(exc, "fields", None))
    if etag := getattr(exc, "etag", None):  # a stale If-Match (mlwa.api.conditional): the state as it is now
        body["current"] = getattr(exc, "current", None)
        headers["ETag"] = etag
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)
