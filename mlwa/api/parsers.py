"""The API's JSON parser: DRF's, with the nesting limit of every outside JSON (mlwa.jsonlimits).

Python's json module recurses once per level, so a body nested a thousand deep was a RecursionError
and a 500 on every JSON endpoint (issue 14). This parser refuses a body nested deeper than
MAX_JSON_DEPTH with a 400 (`json_too_deep`) naming the path where the limit was passed, before json
reads it. It is the API's default parser (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES), and views that
name their parsers name it instead of DRF's. NaN and Infinity stay refused, as DRF's strict JSON does.
"""

from collections.abc import Callable, Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import exceptions, parsers
from rest_framework.utils import json as drf_json

from mlwa import jsonlimits


class JSONTooDeepError(exceptions.ParseError):
    """400: a body nested deeper than the limit; `fields` names the path (mlwa.api.errors)."""

    default_code = "json_too_deep"

    def __init__(self, error: jsonlimits.JSONTooDeep) -> None:
        self.fields = {error.path: [f"Nested deeper than {error.max_depth} levels."]}
        super().__init__(
            f"The JSON body nests deeper than {error.max_depth} levels, at {error.path}.",
            code=self.default_code,
        )


class JSONParser(parsers.JSONParser):
    """application/json, at most MAX_JSON_DEPTH deep, without NaN or Infinity."""

    #: json's object_pairs_hook, for a view whose body must keep what json would drop (repeated keys).
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
            constant = drf_json.strict_constant if self.strict else None
            return jsonlimits.loads(text, parse_constant=constant, object_pairs_hook=self.object_pairs_hook)
        except jsonlimits.JSONTooDeep as error:
            raise JSONTooDeepError(error) from None
        except ValueError as error:  # json's JSONDecodeError, a bad encoding, NaN
            raise exceptions.ParseError(f"JSON parse error - {error}") from None
