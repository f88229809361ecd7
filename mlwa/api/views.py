"""The base classes of every API view.

- Rate limits are checked before permissions, so that anonymous clients, and clients with a bad
  token or password, are counted too (DRF checks permissions first, and a refused request would
  never reach the throttles).
- Text with a NUL character is refused (400, naming where it is), in the query and in a JSON body:
  no database stores it (PostgreSQL refuses it outright), and the services take JSON values as
  they come, so the check is made once, here, before any of them.
- A POST that creates takes an `Idempotency-Key` (mlwa.api.idempotency): such a request runs in one
  transaction, which keeps the key with the answer.
- Every answer carries the X-RateLimit-* headers of the limit that applies (mlwa.api.throttling).
"""

import sys
from collections.abc import Iterator

from django.db import transaction
from rest_framework import exceptions, generics, views, viewsets

from mlwa.api import idempotency
from mlwa.api.throttling import rate_limit_headers

NUL = "\x00"


def _texts_with_nul(value, path: str) -> Iterator[str]:
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


class ApiViewMixin:
    """What every API view does before its handler: rate limits first, then no NUL in any text,
    then the Idempotency-Key of a creating POST; and the rate limit's headers on every answer.

    `check_body_text = False` (on a view, or on an @action) leaves the body to the view: the lens
    import reads the bytes itself and refuses a NUL at its JSON path.

    `creates = True` (on a view, or on an @action) says that its POST creates something (it answers
    201 or 202), as a viewset's `create` does without saying: it takes an Idempotency-Key."""

    check_body_text = True
    creates = False
    _idempotency: idempotency.Scope | None = None
    _transaction: transaction.Atomic | None = None

    def creates_on(self, method: str) -> bool:
        """Whether a request with `method` creates something, and so takes an Idempotency-Key."""
        if method.upper() != "POST":
            return False
        action = getattr(self, "action", None) or (getattr(self, "action_map", None) or {}).get("post")
        return self.creates or action == "create"

    def dispatch(self, request, *args, **kwargs):
        self._transaction = None  # opened by `_claim_idempotency_key`, once the caller is known
        try:
            response = super().dispatch(request, *args, **kwargs)
        except BaseException:
            if self._transaction is not None:  # a 500: its writes, key included, are rolled back
                self._transaction.__exit__(*sys.exc_info())
            raise
        if self._transaction is None:
            return response
        try:
            self._transaction.__exit__(None, None, None)  # commits, then runs the on_commit steps
        except Exception as exc:
            scope = self._idempotency
            if scope is None or not scope.kept:
                raise
            # Committed, and then a step run after the commit failed (a report's queue is down): the
            # client gets that error, which is not kept.
            scope.forget()
            self._idempotency = None
            return self.finalize_response(self.request, self.handle_exception(exc), *args, **kwargs)
        return response

    def perform_authentication(self, request):
        try:
            request.user  # noqa: B018 - authenticates
        except exceptions.AuthenticationFailed:
            self.check_throttles(request)  # as the anonymous client it now is: 429 before 401
            raise

    def check_permissions(self, request):
        self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request):
        if getattr(request, "_mlwa_throttles_checked", False):  # DRF calls it after the permissions
            return
        request._mlwa_throttles_checked = True
        super().check_throttles(request)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.creates_on(request.method) and idempotency.HEADER in request.headers:
            # The key's fingerprint hashes the body as sent: read it whole before a parser reads
            # the stream (Django then serves the parsers from this copy).
            request.body  # noqa: B018
        paths = [
            name
            for name, values in request.query_params.lists()
            if NUL in name or any(NUL in v for v in values)
        ]
        if self.check_body_text and request.content_type.startswith("application/json"):
            paths += list(_texts_with_nul(request.data, ""))
        if paths:
            raise exceptions.ValidationError({path: ["Null characters are not allowed."] for path in paths})
        if self.creates_on(request.method):
            self._claim_idempotency_key(request)

    def _claim_idempotency_key(self, request) -> None:
        """With an Idempotency-Key: open the transaction that the request runs in (which `dispatch`
        ends), then answer now with the kept answer or a 409, or take the key for this request.

        Opened only now, after authentication and the limits: a token's `last_used_at` is written
        by its authentication, and a repeat would wait on that row until the first committed."""
        key = idempotency.requested_key(request)
        if key is None or not request.user.is_authenticated:
            return
        idempotency.purge_expired()
        self._transaction = transaction.atomic()
        self._transaction.__enter__()
        operation = f"{request.method} {request.resolver_match.view_name}"
        scope = idempotency.Scope(user_id=request.user.pk, operation=operation, key=key)
        scope.claim(request)  # raises to answer now: a replay, or 409
        self._idempotency = scope

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replayed):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in rate_limit_headers(request).items():
            response[name] = value
        scope = self._idempotency
        if scope is not None and not scope.kept:
            if response.status_code >= 500:
                transaction.set_rollback(True)  # not kept, and nothing of it stays: a retry runs again
            else:
                if hasattr(response, "render"):
                    response.render()
                scope.keep(response)
        return response


class ApiView(ApiViewMixin, views.APIView):
    pass


class GenericApiView(ApiViewMixin, generics.GenericAPIView):
    pass


class ApiViewSet(ApiViewMixin, viewsets.GenericViewSet):
    pass
