"""The OpenAPI schema (drf-spectacular): the error shape on every operation, and token auth.

Every operation documents the errors any of them can answer (400, 401, 403, 404, 429; 413 and 415
for a body), in the one shape `mlwa.api.errors` makes; views add their own (409, 412) with extend_schema.
Every answer documents the X-RateLimit-* headers (mlwa.api.throttling); every POST that creates, the
Idempotency-Key header, its 409s and `Idempotent-Replayed` (mlwa.api.idempotency).
The conditional requests of mlwa.api.conditional are declared here too: on every GET, the ETag
response header, If-None-Match and the 304; on every PATCH, PUT and DELETE, If-Match and the 412
(a view that declares its own keeps them: answers' and improvement items' version tags).
"""

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import Direction, OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.request import Request

from mlwa.api import idempotency
from mlwa.api.conditional import (
    ETAG_HEADER,
    IF_MATCH_HEADER,
    IF_NONE_MATCH_HEADER,
    WRITE_METHODS,
    WRITTEN_ETAG_HEADER,
)
from mlwa.api.params import INT_MAX
from mlwa.api.strict import NameField, StrictSerializer


class ErrorSerializer(serializers.Serializer):
    """Every error the API answers."""

    code = serializers.CharField(help_text="A stable machine-readable name, e.g. `invalid`, `not_found`.")
    message = serializers.CharField(help_text="What went wrong, in a sentence for people.")
    fields = serializers.DictField(  # type: ignore[assignment]  # a declared serializer field; the stubs see Field's attribute
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Each input path at fault (`name`, `choice_updates.ml_q1_c2.reason`, `$.pillars[0]`) "
        "and what is wrong with it; empty when no input is at fault.",
    )

    class Meta:
        ref_name = "Error"


class PreconditionFailedSerializer(ErrorSerializer):
    """A write refused because If-Match no longer names the resource's ETag."""

    current = serializers.JSONField(
        help_text="The resource as it is now, as its GET answers it (its ETag is in the header)."
    )

    class Meta:
        ref_name = "PreconditionFailed"


ERRORS = {
    "400": "The input is not valid: `fields` names each path at fault. Nothing was changed.",
    "401": "No credentials, or a token that is unknown or revoked.",
    "403": "Signed in, but not allowed: the role on the workload or lens, or a read-only token.",
    "404": "No such resource, or one the caller may not see.",
    "413": "The request body is larger than the instance's limit.",
    "415": "The body is not JSON (or, where an upload is documented, not a form).",
    "429": "Too many requests: wait the seconds `Retry-After` gives.",
}
BODY_METHODS = {"POST", "PUT", "PATCH"}

#: On every answer, but for one made while the limiter fails open (the cache unreachable).
RATE_LIMIT_HEADERS = [
    OpenApiParameter(
        name,
        OpenApiTypes.INT,
        OpenApiParameter.HEADER,
        response=True,
        description=f"{description} Absent while the rate limiter is unavailable (it then lets requests "
        "through), and on a 413 (refused before any limit counts the request).",
    )
    for name, description in (
        ("X-RateLimit-Limit", "The requests allowed in the window of the limit that applies to this one."),
        ("X-RateLimit-Remaining", "The requests left in that window (0 on a 429)."),
        ("X-RateLimit-Reset", "The seconds until that window ends and the count starts again."),
    )
]
IDEMPOTENCY_PARAMETERS = [
    OpenApiParameter(
        idempotency.HEADER,
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        pattern="^[!-~]{1,255}$",
        description="A key of yours for this request (1 to 255 visible ASCII characters, e.g. a UUID): "
        "sent again with the same request within 24 hours, the first answer (its status, `Location` and "
        "body) is replayed instead of creating again. Keys are per user and per operation. A 5xx answer "
        "is not kept; nor is one given before the operation ran (401, 403, 429).",
    ),
    OpenApiParameter(
        idempotency.REPLAYED_HEADER,
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=True,
        enum=["true"],
        description="On an answer replayed for an Idempotency-Key, and only then.",
    ),
]
IDEMPOTENCY_CONFLICTS = (
    "`idempotency_key_reused`: this Idempotency-Key came with another request (method, path, query or "
    "body) in the last 24 hours; `idempotency_key_in_flight`: a request with it is still running."
)


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, with the common errors and headers added to every operation,
    and `additionalProperties: false` on the request components of the serializers that refuse
    undeclared fields (mlwa.api.strict), so that the schema says what is enforced."""

    def _creates(self) -> bool:
        creates_on = getattr(self.view, "creates_on", None)
        return bool(creates_on and creates_on(self.method))

    def _conditional_headers(self) -> list[OpenApiParameter]:
        if self.method == "GET" and getattr(self.view, "etag", True):
            return [ETAG_HEADER, IF_NONE_MATCH_HEADER]
        if self.method in ("PATCH", "PUT"):
            return [IF_MATCH_HEADER, WRITTEN_ETAG_HEADER]
        return [IF_MATCH_HEADER] if self.method in WRITE_METHODS else []

    def get_override_parameters(self) -> list[Any]:
        parameters = [*super().get_override_parameters(), *RATE_LIMIT_HEADERS]
        if self._creates():
            parameters += IDEMPOTENCY_PARAMETERS
        declared = {parameter.name for parameter in parameters if isinstance(parameter, OpenApiParameter)}
        return [*parameters, *(p for p in self._conditional_headers() if p.name not in declared)]

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict:
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictSerializer):
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> dict:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, NameField):
            schema["pattern"] = field.pattern
        return schema

    def _get_response_bodies(self, direction: Direction = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        if self.method == "GET" and getattr(self.view, "etag", True):
            not_modified = OpenApiResponse(description="Not modified: If-None-Match names the current ETag.")
            responses.setdefault("304", self._get_response_for_code(not_modified, "304"))
        elif self.method in WRITE_METHODS and "412" not in responses:
            stale = OpenApiResponse(
                PreconditionFailedSerializer,
                description="If-Match names another ETag than the resource's current one: nothing was "
                "written; `current` is the resource as it is now, and the ETag header its tag.",
            )
            responses["412"] = self._get_response_for_code(stale, "412")
        for code, description in ERRORS.items():
            if code in {"413", "415"} and self.method not in BODY_METHODS:
                continue
            if code not in responses:
                responses[code] = self._get_response_for_code(error_response(description), code)
        if self._creates():
            if "409" in responses:  # the operation's own conflict, and the key's
                responses["409"]["description"] += f" Or {IDEMPOTENCY_CONFLICTS}"
            else:
                responses["409"] = self._get_response_for_code(error_response(IDEMPOTENCY_CONFLICTS), "409")
        return responses


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: a key from your profile page, `manage.py token create`, or "
            "`POST /api/v1/tokens/`.",
        }


class PasswordScheme(OpenApiAuthenticationExtension):
    """HTTP Basic as token creation takes it, throttled by django-axes (accounts.authentication)."""

    target_class = "accounts.authentication.PasswordAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema: Any) -> dict:
        return {
            "type": "http",
            "scheme": "basic",
            "description": "Your username and password; too many failures from one address lock that "
            "username out there for a while (429 `locked_out`).",
        }


#: What a path parameter names, by the collection it follows in the path.
_PATH_PARAMETER_WORDS = {
    "alias": "The lens's alias (e.g. `ml-lens-2021`).",
    "question_id": "The question's id in the lens (e.g. `MLOPS01`).",
    "workload_id": "The workload's id.",
}
_SINGULAR = {
    "lenses": "lens",
    "workloads": "workload",
    "shares": "share",
    "tokens": "token",
    "versions": "version",
}


def bound_query_numbers(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """A postprocessing hook: every whole number in the query is read by mlwa.api.params (from 1 to
    a 32-bit column's largest, unless its own schema says another range; an empty value is the
    parameter left out), so its schema says so."""
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query" and schema.get("type") == "integer":
                    schema.setdefault("minimum", 1)
                    schema.setdefault("maximum", INT_MAX)
                    parameter["allowEmptyValue"] = True
    return result


def describe_path_parameters(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """A postprocessing hook: every path parameter that its view left undescribed gets a sentence,
    `{id}` after `/workloads/` being "The workload's id"."""
    for path, methods in result.get("paths", {}).items():
        segments = path.strip("/").split("/")
        for operation in methods.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "path" or parameter.get("description"):
                    continue
                name = parameter["name"]
                if name in _PATH_PARAMETER_WORDS:
                    parameter["description"] = _PATH_PARAMETER_WORDS[name]
                    continue
                collection = segments[segments.index(f"{{{name}}}") - 1]
                parameter["description"] = f"The {_SINGULAR.get(collection, collection)}'s {name}."
    return result


#: What drf-spectacular makes of a router's `\d+` lookup (`lookup_value_regex`, or a prefix's
#: `(?P<workload_id>\d+)`): a string with a pattern.
_DIGITS = {"type": "string", "pattern": r"^\d+$"}


def integer_path_parameters(result: dict, generator: Any, request: Request | None, public: bool) -> dict:
    """A postprocessing hook: a path parameter that only digits match is an id, documented as an
    integer like every other id (a client generated from the schema would otherwise ask for a
    string)."""
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter.get("schema") == _DIGITS:
                    parameter["schema"] = {"type": "integer"}
    return result
