"""The base classes of every API view.

- Rate limits are checked before permissions, so that anonymous clients, and clients with a bad
  token or password, are counted too (DRF checks permissions first, and a refused request would
  never reach the throttles).
- Every GET answered with a body carries an ETag and answers 304 to a matching If-None-Match
  (mlwa.api.conditional; writes check If-Match in the views, with `if_match`).
- Text with a NUL character is refused (400, naming where it is), in the query and in a JSON body:
  no database stores it (PostgreSQL refuses it outright), and the services take JSON values as
  they come, so the check is made once, here, before any of them.
- A POST that creates takes an `Idempotency-Key` (mlwa.api.idempotency): such a request runs in one
  transaction, which keeps the key with the answer.
- Every answer carries the X-RateLimit-* headers of the limit that applies (mlwa.api.throttling).
"""

from collections.abc import Iterator
from typing import Any

from rest_framework import exceptions, generics, views, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from mlwa import error_codes
from mlwa.api import idempotency
from mlwa.api.conditional import conditional_get
from mlwa.api.throttling import rate_limit_headers

NUL = "\x00"


def _texts_with_nul(value: Any, path: str) -> Iterator[str]:
    """The paths of the strings (keys included) in a JSON value that hold a NUL character."""
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and NUL in key:
                yield child
            else:
                yield from _texts_with_nul(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts_with_nul(item, f"{path}.{index}" if path else str(index))


#: Marks a request whose rate limits were counted already.
_THROTTLES_CHECKED = "_mlwa_throttles_checked"


class NullCharacters(exceptions.ValidationError):
    """400 `null_character`: texts with a NUL character, each named by its path."""

    api_code = error_codes.NULL_CHARACTER


class ApiViewMixin(idempotency.IdempotentCreateMixin):
    """What every API view does before its handler: rate limits first, then no NUL in any text,
    then the Idempotency-Key of a creating POST; and the rate limit's headers on every answer.

    `etag = False` (likewise) marks a read that streams a file: it has no ETag.
    `check_body_text = False` (on a view, or on an @action) leaves the body to the view: the lens
    import reads the bytes itself and refuses a NUL at its JSON path.

    `creates = True` (on a view, or on an @action): its POST creates something, and takes an
    Idempotency-Key (mlwa.api.idempotency.IdempotentCreateMixin)."""

    check_body_text = True
    #: False on a view or @action whose body is streamed (a file): no ETag, nor its schema headers.
    etag = True

    def perform_authentication(self, request: Request) -> None:
        try:
            request.user  # noqa: B018 - authenticates
        except exceptions.AuthenticationFailed:
            self.check_throttles(request)  # as the anonymous client it now is: 429 before 401
            raise

    def check_permissions(self, request: Request) -> None:
        self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request: Request) -> None:
        if getattr(request, _THROTTLES_CHECKED, False):  # DRF calls it after the permissions
            return
        setattr(request, _THROTTLES_CHECKED, True)
        super().check_throttles(request)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.keep_idempotency_body(request)  # before the NUL check parses it
        paths = [
            name
            for name, values in request.query_params.lists()
            if NUL in name or any(NUL in v for v in values)
        ]
        if self.check_body_text and request.content_type.startswith("application/json"):
            paths += list(_texts_with_nul(request.data, ""))
        if paths:
            raise NullCharacters({path: ["Null characters are not allowed."] for path in paths})
        self.claim_idempotency_key(request)  # last: after every check that needs no transaction

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        """Every GET's body with its ETag, or a 304 (mlwa.api.conditional); then, on every answer,
        the rate limit's headers."""
        # A 304 is a plain HttpResponseNotModified, which DRF allows and the stubs' Response does not.
        response = conditional_get(request, super().finalize_response(request, response, *args, **kwargs))  # type: ignore[assignment]
        for name, value in rate_limit_headers(request).items():
            response[name] = value
        return response


class ApiView(ApiViewMixin, views.APIView):
    pass


class GenericApiView(ApiViewMixin, generics.GenericAPIView):
    pass


class ApiViewSet(ApiViewMixin, viewsets.GenericViewSet):
    pass
