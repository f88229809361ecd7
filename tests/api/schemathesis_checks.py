"""A schemathesis check of ours (issue 15), loaded by the CLI with SCHEMATHESIS_HOOKS (.ci/api-fuzz):
a 400 says which inputs are at fault, and whether they break the schema.

- A request that breaks the operation's schema, as sent, is refused with a shape code
  (mlwa.error_codes.SHAPE_CODES) whose `fields` name exactly the inputs it breaks: the body's paths
  (`choice_updates.X.status`, a missing or an unknown property by its own name), the query
  parameters and headers by name.
- A request that matches the schema, refused all the same, carries a domain code (DOMAIN_CODES):
  the schema cannot say why, so the code must not claim the shape is at fault.

Query parameters and headers are read before the body, one after the other (the Idempotency-Key,
pagination, filters, the milestone), and the first refused stops the request: a 400 may name some
broken parameters alone, and nothing that is not broken. A lens file's refusal (a DOCUMENT code)
is left to the lens format's own tests.

Which inputs a request breaks is computed here, from the schema and the request as sent (the body
as JSON, the query and headers as the server reads their text), not from what schemathesis meant to
break: a mutation can land on a valid value, and the server answers to what it receives.
"""

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import schemathesis
from schemathesis.core import NOT_SET
from schemathesis.core.failures import Failure
from schemathesis.core.jsonschema import make_validator
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import skips_on_unexpected_http_status

from mlwa.api.renames import DEPRECATED
from mlwa.error_codes import DOMAIN_CODES, NULL_CHARACTER, PARSE_ERROR, SHAPE_CODES

_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
#: How the schema describes a query parameter's deprecated name (mlwa.api.renames.deprecated_text):
#: the same as another, which the request may give instead of it, not beside it.
_RENAMED = re.compile(re.escape(DEPRECATED) + r"the same as `(\w+)`")


def _refused(case, title: str, message: str) -> Failure:
    """A 400 whose code or `fields` do not say what the request broke."""
    return Failure(operation=case.operation.label, title=title, message=message)


def _body_paths(case) -> set[str] | None:
    """The body's inputs at fault (dotted paths, "" for the body itself); None when it cannot be
    told (a body that is not JSON)."""
    if case.body is NOT_SET:
        # No body where one is required: the server reads it as {}, missing every required field.
        bodies = [body for body in case.operation.body if body.is_required and "json" in body.media_type]
        if not bodies:
            return set()
        body, value = bodies[0], {}
    else:
        if case.media_type is None or "json" not in case.media_type or isinstance(case.body, bytes | str):
            return None
        body, value = case.operation.get_body_for_media_type(case.media_type), case.body
        if body is None:
            return None
    validator = make_validator(body.optimized_schema, case.operation.schema.adapter.jsonschema_validator_cls)
    return set(_at_fault(validator.iter_errors(value)))


def _at_fault(errors) -> Iterator[str]:
    """Each error's input: the value that breaks a keyword, or the property missing or unexpected."""
    for error in errors:
        path = [str(part) for part in error.instance_path]
        kind = type(error.kind).__name__
        if kind == "Required":
            yield ".".join([*path, str(error.kind.property)])
        elif kind == "AdditionalProperties":
            yield from (".".join([*path, str(name)]) for name in error.kind.unexpected)
        elif kind == "Not" and isinstance(error.kind.schema, dict) and "required" in error.kind.schema:
            # "Not both of these" (a field and its deprecated name): each of them is at fault.
            yield from (".".join([*path, str(name)]) for name in error.kind.schema["required"])
        else:
            yield ".".join(path)


def _as_read(text: str, schema: dict):
    """A query parameter's text as the server reads it for its schema's type."""
    kind = schema.get("type")
    if kind == "integer":
        return int(text) if _WHOLE_NUMBER.fullmatch(text) else text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    return text


def _parameter_paths(case, response, location: ParameterLocation) -> set[str]:
    """The query parameters or headers at fault, by name: their text as sent, checked against the
    schema (an undeclared one is no input of the operation, and no fault)."""
    container = case.operation.get_parameter_set(location)
    if not container:
        return set()
    properties = container.schema.get("properties", {})
    if location == ParameterLocation.QUERY:
        sent = parse_qs(urlsplit(response.request.url).query, keep_blank_values=True)
        values = {
            name: _as_read(texts[-1], properties[name]) for name, texts in sent.items() if name in properties
        }
    else:
        headers = {name.lower(): value for name, value in response.request.headers.items()}
        values = {name: headers[name.lower()].strip(" \t") for name in properties if name.lower() in headers}
    validator = make_validator(container.schema, case.operation.schema.adapter.jsonschema_validator_cls)
    errors = (
        error
        for error in validator.iter_errors(values)
        if type(error.kind).__name__ != "AdditionalProperties"
    )
    at_fault = {path.split(".")[0] for path in _at_fault(errors)}
    if location == ParameterLocation.QUERY:
        at_fault |= _both_names(case, sent)
    return at_fault


def _both_names(case, sent: dict) -> set[str]:
    """A renamed query parameter given by both its names: both at fault. OpenAPI cannot say "one of
    these two"; the deprecated name's description says it is the same as the other."""
    both = set()
    for parameter in case.operation.query:
        found = _RENAMED.match(parameter.definition.get("description", ""))
        if found and parameter.name in sent and found.group(1) in sent:
            both |= {parameter.name, found.group(1)}
    return both


def inputs_at_fault(case, response) -> tuple[set[str], set[str]] | None:
    """The inputs of the request, as sent, that break the operation's schema: those of the body, and
    the query parameters and headers; None if it cannot be told."""
    body = _body_paths(case)
    if body is None:
        return None
    return body, _parameter_paths(case, response, ParameterLocation.QUERY) | _parameter_paths(
        case, response, ParameterLocation.HEADER
    )


def _texts(value) -> Iterator[str]:
    """Every text of a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _holds_nul(case, response) -> bool:
    body = case.body if case.body is not NOT_SET else None
    return any("\x00" in text for text in _texts(body)) or "%00" in response.request.url


@schemathesis.check
@skips_on_unexpected_http_status  # probes with a malformed Content-Type or method: not ours to name
def refusals_name_the_inputs_at_fault(ctx, response, case):
    """A 400 for schema-invalid input: a shape code naming exactly the inputs broken. A 400 for
    schema-valid input: a domain code."""
    if response.status_code != 400:
        return
    try:
        body = response.json()
        code, fields = body["code"], set(body["fields"])
        if code == PARSE_ERROR:
            fields = fields or {""}  # the body itself, which could not be read as the operation's
    except (ValueError, KeyError, TypeError):
        raise _refused(
            case,
            "A 400 not in the API's error shape",
            f"Expected {{code, message, fields}}: {response.text[:200]}",
        ) from None
    at_fault = inputs_at_fault(case, response)
    if at_fault is None or code not in SHAPE_CODES | DOMAIN_CODES:
        return
    in_body, parameters = at_fault
    broken = in_body | parameters
    if code == NULL_CHARACTER and _holds_nul(case, response):
        return  # a rule of every text that OpenAPI 3.0 cannot write (keys included)
    if not broken and code in SHAPE_CODES:
        raise _refused(
            case,
            "Schema-valid input refused as malformed",
            f"The request matches the schema, yet the 400 says `{code}` (a shape code) for "
            f"{sorted(fields)}: the schema is looser than what is enforced, or the refusal is a domain one.",
        )
    if broken and code in DOMAIN_CODES:
        raise _refused(
            case,
            "Schema-invalid input refused with a domain code",
            f"The request breaks the schema at {sorted(broken)}, yet the 400 says `{code}` "
            f"(a domain code) for {sorted(fields)}.",
        )
    # Parameters are read before the body, one by one (the Idempotency-Key, pagination, filters, the
    # milestone), and the first refused stops the request: a 400 may name some broken ones alone.
    exact = fields == broken or bool(fields and fields <= parameters)
    if broken and not exact:
        raise _refused(
            case,
            "A 400 naming other inputs than those at fault",
            f"The request breaks the schema at {sorted(broken)}; the 400 names {sorted(fields)}.",
        )
