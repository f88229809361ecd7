"""Every `code` an API error carries, with what it means: the one list (the README's table of error
codes is this one, and a test holds them equal).

A 400 is one of two kinds, told apart by its code:

- a **shape** refusal (`SHAPE`): the input does not match the operation's schema (a wrong type, a
  field missing or unknown, a text too long, a value not in the enum, a body that is not JSON).
  `fields` names exactly the inputs at fault, and the schema alone says why.
- a **domain** refusal (`DOMAIN`): the input matches the schema, but what it says is refused (a
  choice id the question does not have, a name taken, a rule such as "None of these" going alone).
  Nothing but the stored state says why, so the schema cannot.

A lens file and a workload backup are documents with formats of their own (LENS_FORMAT.md, the
backup's schema_version): their refusals (`DOCUMENT`) name each problem at its JSON path, whether the
API's schema could have said it or not.

Services raise domain refusals only (mlwa.errors.InvalidInput with one of the DOMAIN
codes): the shape is checked before them, by the serializers the schema is generated from.
"""

from dataclasses import dataclass

SHAPE, DOMAIN, DOCUMENT, OTHER = "shape", "domain", "document", "other"


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """A code: its kind (SHAPE, DOMAIN, DOCUMENT or OTHER), its status, and what it means."""

    code: str
    kind: str
    status: int
    meaning: str


# Shape refusals.
INVALID = "invalid"
PARSE_ERROR = "parse_error"
JSON_TOO_DEEP = "json_too_deep"
NULL_CHARACTER = "null_character"
# Domain refusals.
UNKNOWN_REFERENCE = "unknown_reference"
NAME_TAKEN = "name_taken"
REFUSED = "refused"
STALE = "stale"
# A document's refusal (a lens file, a workload backup).
BACKUP_REFUSED = "backup_refused"
PRECONDITION_FAILED = "precondition_failed"

CODES: tuple[ErrorCode, ...] = (
    ErrorCode(
        INVALID,
        SHAPE,
        400,
        "The input does not match the operation's schema: a wrong type, a field missing or unknown, "
        "a text too long, a value that is not one of the enum's, a number out of range.",
    ),
    ErrorCode(PARSE_ERROR, SHAPE, 400, "The body is not JSON (or not the form the operation takes)."),
    ErrorCode(JSON_TOO_DEEP, SHAPE, 400, "The JSON body nests deeper than 64 levels."),
    ErrorCode(
        NULL_CHARACTER,
        SHAPE,
        400,
        "A text (in the query or the body, keys included) holds a NUL character, which no text may.",
    ),
    ErrorCode(
        UNKNOWN_REFERENCE,
        DOMAIN,
        400,
        "The input names something that does not exist here, or that you may not use: a choice of "
        "the question, a pillar of the lens, a lens, a version, a user, a group.",
    ),
    ErrorCode(NAME_TAKEN, DOMAIN, 400, "The name is taken already (a workload, a milestone, a token)."),
    ErrorCode(
        REFUSED,
        DOMAIN,
        400,
        "The input is well formed, but a rule refuses it as a whole or with what is stored: "
        '"None of these" with other practices, a choice both selected and not applicable, a reason '
        "for a question that applies, a lens applied already.",
    ),
    ErrorCode(STALE, DOMAIN, 409, "The row changed since the `version` the write names; `current` is it."),
    ErrorCode(
        PRECONDITION_FAILED,
        DOMAIN,
        412,
        "The resource changed since the version `If-Match` names; nothing was written.",
    ),
    ErrorCode(
        "lens_refused",
        DOCUMENT,
        400,
        "A lens file breaks a rule of the lens format; `problems` lists each, with its JSON path.",
    ),
    ErrorCode(
        "aws_limits_exceeded", DOMAIN, 409, "The lens passes a limit of the AWS tool it is exported to."
    ),
    ErrorCode(
        BACKUP_REFUSED,
        DOCUMENT,
        400,
        "A workload backup breaks a rule of its format; `fields` names each JSON path at fault.",
    ),
    ErrorCode("alias_taken", DOMAIN, 400, "Another lens has this alias."),
    ErrorCode("bad_alias", DOMAIN, 400, "The alias is reserved, or not one a lens may take."),
    ErrorCode("bad_label", DOMAIN, 400, "The version label is reserved, or not one a version may take."),
    ErrorCode("label_taken", DOMAIN, 400, "The lens has a version with this label already."),
    ErrorCode("no_draft", DOMAIN, 400, "The lens has no draft to publish."),
    ErrorCode(
        "url_refused",
        DOMAIN,
        400,
        "The guarded outgoing client would not fetch the URL (not https, an internal address, a redirect "
        "there, too large, too slow, a bad certificate); the message says which.",
    ),
    ErrorCode("url_status", DOMAIN, 400, "The URL answered with another status than 200."),
    ErrorCode("not_in_catalog", DOMAIN, 400, "The lens catalog has no such file."),
    ErrorCode("not_from_catalog", DOMAIN, 400, "The lens was not added from the lens catalog."),
    ErrorCode("already_added", DOMAIN, 400, "This catalog file was added for the same owner already."),
    ErrorCode("catalog_file_too_large", DOMAIN, 400, "The catalog file is larger than a lens may be."),
    ErrorCode("builtin", DOMAIN, 400, "The built-in lens cannot be deleted."),
    ErrorCode("in_use", DOMAIN, 409, "A review or a milestone uses a version of this lens."),
    ErrorCode("newer_schema", DOMAIN, 422, "The backup was written by a newer MLWA."),
    ErrorCode("already_restored", DOMAIN, 409, "This backup's workload exists here already."),
    ErrorCode("conflict", DOMAIN, 409, "The request conflicts with the stored state."),
    ErrorCode(
        "idempotency_key_reused",
        OTHER,
        409,
        "This Idempotency-Key came with another request in the last 24 hours.",
    ),
    ErrorCode(
        "idempotency_key_in_flight", OTHER, 409, "A request with this Idempotency-Key is still running."
    ),
    ErrorCode("not_authenticated", OTHER, 401, "No credentials."),
    ErrorCode(
        "authentication_failed", OTHER, 401, "A token that is unknown or revoked, or a wrong password."
    ),
    ErrorCode(
        "permission_denied", OTHER, 403, "Signed in, but the role on the workload or lens does not allow it."
    ),
    ErrorCode("read_only_token", OTHER, 403, "A read-only token may only read."),
    ErrorCode("not_found", OTHER, 404, "No such resource, or one you may not see."),
    ErrorCode("method_not_allowed", OTHER, 405, "The resource does not take this method."),
    ErrorCode("not_acceptable", OTHER, 406, "No representation matches the Accept header."),
    ErrorCode("request_too_large", OTHER, 413, "The body is larger than the instance's limit."),
    ErrorCode(
        "unsupported_media_type", OTHER, 415, "The body's Content-Type is not one the operation takes."
    ),
    ErrorCode("throttled", OTHER, 429, "Too many requests: wait the seconds `Retry-After` gives."),
    ErrorCode("locked_out", OTHER, 429, "Too many failed passwords for this username from this address."),
    ErrorCode("server_error", OTHER, 500, "The server failed to answer; the error is logged."),
    ErrorCode("queue_unavailable", OTHER, 503, "The report queue is down: ask again later."),
)

BY_CODE = {code.code: code for code in CODES}
#: The codes of a shape refusal: the input breaks the schema.
SHAPE_CODES = frozenset(code.code for code in CODES if code.kind == SHAPE)
#: The codes of a domain refusal: the input matches the schema, and is refused all the same.
DOMAIN_CODES = frozenset(code.code for code in CODES if code.kind == DOMAIN)
