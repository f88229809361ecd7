"""Conditional requests on the REST API: `ETag` with `If-None-Match` (304) on reads, `If-Match` (412)
on writes.

The ETag of a representation is a hash of its body as the API sends it, so it changes whenever
anything in the body changes (a workload's counts after an answer too) and is the same for two
identical bodies. Every GET answered with a body gets one, and a 304 when `If-None-Match` names it
(`ApiViewMixin.finalize_response` calls `conditional_get`). A view that makes its own ETag (an
answer's version, "3") keeps it.

A PATCH, PUT or DELETE of a resource runs its service inside `if_match(view, lock=...)`: with an
`If-Match` header, the resource's row is locked, its representation made afresh by the view's own GET
handler, and the write goes on only if the header names that ETag (or is `*`); otherwise 412, with
the current representation under `current` and its ETag, and nothing is written. The comparison is
strong: `W/"..."`, or a tag this server never issued, is a mismatch. Only a header that is not a
list of entity-tags is a 400 naming `If-Match`. Without the header the write goes on as it always
did. Answers and improvement items have their own version tags (reviews.api.answers).
"""

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase, HttpResponseNotModified
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from mlwa.api.errors import PreconditionFailed

READ_METHODS = {"GET", "HEAD"}
WRITE_METHODS = {"PATCH", "PUT", "DELETE"}

#: RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, in a comma-separated list.
_ENTITY_TAG = re.compile(r'\s*((?:W/)?"[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')

ANY = "*"


def entity_tag_of_bytes(content: bytes) -> str:
    """A strong ETag for a body: 128 bits of its SHA-256, quoted."""
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def entity_tag_of(data: Any) -> str:
    """The ETag of the JSON representation of `data`, as a GET answers it (DRF's JSON renderer with
    the API's settings, which is what renders every JSON body of the API)."""
    return entity_tag_of_bytes(JSONRenderer().render(data, "application/json"))


def parse_entity_tags(raw: str) -> list[str] | None:
    """The entity-tags of an `If-Match` or `If-None-Match` value ([ANY] for `*`), or None if the
    value is not a list of entity-tags."""
    value = raw.strip()
    if value == ANY:
        return [ANY]
    tags, position = [], 0
    while position < len(value):
        match = _ENTITY_TAG.match(value, position)
        if match is None:
            return None
        tags.append(match.group(1))
        position = match.end()
    return tags or None


def _weakly_equal(a: str, b: str) -> bool:
    return a.removeprefix("W/") == b.removeprefix("W/")


def conditional_get(request: Request, response: HttpResponseBase) -> HttpResponseBase:
    """`response` with its ETag (a hash of its body unless the view set one), or a 304 if the
    request's `If-None-Match` names that tag (weak comparison, as RFC 9110 asks) or is `*`.
    A header that is not a list of entity-tags matches nothing. Streamed bodies (files) are left
    as they are. A PATCH's or PUT's 200 is the resource as written: it gets its ETag too."""
    if response.status_code != 200 or not isinstance(response, HttpResponse):  # a file streamed
        return response
    if request.method in ("PATCH", "PUT"):  # the body is the resource as now written: its tag
        if not response.has_header("ETag") and hasattr(response, "render"):
            response["ETag"] = entity_tag_of_bytes(response.render().content)
        return response
    if request.method not in READ_METHODS:
        return response
    if not response.has_header("ETag"):
        if hasattr(response, "render"):
            response.render()
        response["ETag"] = entity_tag_of_bytes(response.content)
    tags = parse_entity_tags(request.headers.get("If-None-Match", "")) or []
    etag = response["ETag"]
    if not any(tag == ANY or _weakly_equal(tag, etag) for tag in tags):
        return response
    not_modified = HttpResponseNotModified()
    for header, value in response.items():
        if header.lower() not in ("content-type", "content-length"):
            not_modified[header] = value
    return not_modified


class StaleRepresentation(PreconditionFailed):
    """412: `If-Match` names another representation than the current one, which the error carries
    (the API's error handler adds it to the body as `current`, and its ETag as the header)."""

    def __init__(self, current: Any, etag: str):
        self.current, self.etag = current, etag
        super().__init__(
            "The resource changed since the representation If-Match names (or If-Match names none "
            "that this server sent): nothing was written. `current` is the resource as it is now, "
            "and the ETag header its tag."
        )


def if_match_tags(request: Request) -> list[str] | None:
    """The entity-tags `If-Match` names ([ANY] for `*`), None without the header; a 400 naming
    `If-Match` if it is not a list of entity-tags."""
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    tags = parse_entity_tags(raw)
    if tags is None:
        raise ValidationError(
            {"If-Match": ['A list of entity-tags, e.g. "5f2b…", as an ETag gave it, or *.']}
        )
    return tags


def current_representation(view: APIView) -> Any:
    """What a GET of the view's URL answers now, by the view's own GET handler: its body."""
    handler = getattr(view, "retrieve", None) or getattr(view, "get")  # noqa: B009 - a view may lack either
    return handler(view.request, *view.args, **view.kwargs).data


@contextmanager
def if_match(view: APIView, *, lock: QuerySet) -> Iterator[None]:
    """Run the block (the write) in one transaction, and with an `If-Match` header only if the
    resource's representation still has a tag it names: `lock`'s rows (the resource's own) are locked
    first, so that two writers sending the same tag cannot both pass the check; then the
    representation is made afresh and compared (strong comparison). Raises StaleRepresentation (412)
    and writes nothing otherwise."""
    tags = if_match_tags(view.request)
    with transaction.atomic():
        if tags is not None:
            list(lock.select_for_update().values_list("pk", flat=True))
            current = current_representation(view)
            etag = entity_tag_of(current)
            if tags != [ANY] and etag not in tags:  # strong comparison: W/ never matches
                raise StaleRepresentation(current, etag)
        yield


# The schema: mlwa.api.schema.AutoSchema adds these to every operation the mechanism covers.
ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 304],
    description="A strong tag of this representation (a hash of the body): send it in If-None-Match "
    "to get a 304 while nothing changed, and in If-Match to write only over this state.",
)
IF_NONE_MATCH_HEADER = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="ETags read before (a list, or *): 304 without a body if one of them is still "
    "the current one.",
)
#: What parse_entity_tags takes, as the schema's pattern: `*`, or entity-tags separated by commas.
ENTITY_TAGS_PATTERN = r'^\s*(\*|(\s*(W/)?"[!#-~\u0080-\u00ff]*"\s*(,|$))+)\s*$'

IF_MATCH_HEADER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    pattern=ENTITY_TAGS_PATTERN,
    description="The ETag the GET of this resource gave (a list, or *): the write is made only if the "
    "resource still has it, else 412 with the current state under `current` and nothing changes. "
    "Compared strongly: a weak tag (W/...) or one this server never sent does not match. A value "
    "that is not a list of entity-tags is a 400. Without the header, the write is not checked.",
)
WRITTEN_ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 412],
    description="The resource's ETag as now written (on a 412, as it is now): what a GET would give.",
)
