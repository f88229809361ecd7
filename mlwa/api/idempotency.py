"""`Idempotency-Key` on the POSTs that create: a retry of the same request gets the first answer
again, with `Idempotent-Replayed: true`, instead of creating a second object.

A key is 1 to 255 visible ASCII characters and belongs to one user and one operation (the method
and the URL's name: the same key on another operation, or sent by another user, is another key).
Within KEPT_FOR of the first answer:

- the same key and the same request (method, path with its query, body) replays the first answer:
  its status, `Location` and body;
- the same key with another request is 409 `idempotency_key_reused`;
- the same key while the first request still runs is 409 `idempotency_key_in_flight`.

Only the operation's own answers are kept: a 5xx is not (a retry runs again, and what the failed
request wrote is rolled back), nor is an answer given before the operation ran (401, 403, 429, a
malformed key); a refusal of the operation itself (400, 404, 409...) is kept like a success, since
nothing was written and the same request would be refused the same way.

How it holds (IdempotentCreateMixin, which every API view has through mlwa.api.views.ApiViewMixin):

- The request runs inside one transaction, and the key is written in it just before the answer
  leaves, so a key is never kept without what the request created, nor the other way round, even if
  the process dies (a rollback, or a lost connection, leaves neither).
- In flight: on PostgreSQL the request first takes a transaction-level advisory lock named by the
  key; a second request that cannot take it at once is 409 (inserting the key row alone would make
  it wait on the first's uncommitted row instead). The lock goes with the transaction, crash
  included. On SQLite, write transactions take turns (IMMEDIATE, mlwa.settings), so the second
  request waits for the first to commit and then replays its answer.
- Expired keys are deleted before each keyed request (the embedded default runs no periodic task).
- The table keeps a keyed digest of each key (settings.SECRET_KEY) and each answer sealed with
  AES-GCM under a key derived from the client's key: a copy of the database alone reveals neither
  (a token's creation answers its secret, which MLWA otherwise keeps only as a digest).
"""

import hashlib
import os
import re
import sys
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.crypto import salted_hmac
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.views import APIView

from mlwa.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_FOR = timedelta(hours=24)
#: 1 to 255 visible ASCII characters (no space, no control character).
VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")
#: The headers of an answer that a replay repeats (an ETag, where one is sent, is the replayed body's).
REPLAYED_HEADERS = ("Content-Type", "Location", "ETag")


class KeyReused(exceptions.APIException):
    """409: the key was kept for another request (method, path, query or body)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_reused"
    default_detail = (
        "This Idempotency-Key was sent with another request in the last 24 hours: use a new key for a "
        "new request."
    )


class KeyInFlight(exceptions.APIException):
    """409: a request with the key holds it still (PostgreSQL's advisory lock)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_in_flight"
    default_detail = "A request with this Idempotency-Key is still running: try again once it has answered."


class Replayed(Exception):  # noqa: N818 - not an error: the answer, found before the handler ran
    """Raised before the handler to answer with the kept response (IdempotentCreateMixin.handle_exception)."""

    def __init__(self, response: HttpResponse):
        super().__init__("replayed")
        self.response = response


def requested_key(request: Request) -> str | None:
    """The request's Idempotency-Key, None without one; a malformed one is a 400 naming the header."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not VALID_KEY.fullmatch(key):
        raise exceptions.ValidationError(
            {HEADER: ["An Idempotency-Key is 1 to 255 visible ASCII characters, without spaces."]}
        )
    return key


def fingerprint(request: Request) -> str:
    """SHA-256 of the method, the path with its query, and the body. A form upload's boundary is a
    random string each client picks anew for every send, so it is left out."""
    body = request.body
    content_type = request.content_type or ""
    if content_type.startswith("multipart/"):
        parameter = request.META.get("CONTENT_TYPE", "").partition("boundary=")[2]
        boundary = parameter.split(";")[0].strip().strip('"').encode()
        if boundary:
            body = body.replace(boundary, b"")
    digest = hashlib.sha256()
    for part in ((request.method or "").encode(), request.get_full_path().encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def purge_expired() -> int:
    """Delete the keys older than KEPT_FOR, in a statement of its own (never inside a request's
    long transaction, where the deleted rows would stay locked until it ends)."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
    return deleted


@dataclass
class Scope:
    """One keyed request of `user` on `operation`, between `claim` (before the handler) and `keep`
    (with its answer). Both run inside the request's transaction."""

    user_id: int
    operation: str
    key: str
    fingerprint: str = ""
    kept: bool = False

    def _secret(self, purpose: str) -> bytes:
        value = f"{self.user_id}\n{self.operation}\n{self.key}"
        return salted_hmac(f"mlwa.idempotency.{purpose}", value, algorithm="sha256").digest()

    @property
    def digest(self) -> str:
        return self._secret("key").hex()

    def claim(self, request: Request) -> None:
        """Take the key for this request: raise KeyInFlight, KeyReused, or Replayed with the kept
        answer; return when the request is to run."""
        self.fingerprint = fingerprint(request)
        if connection.vendor == "postgresql":
            lock = int.from_bytes(self._secret("lock")[:8], "big", signed=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock])
                if not cursor.fetchone()[0]:
                    raise KeyInFlight()
        kept = IdempotencyKey.objects.filter(
            user_id=self.user_id,
            operation=self.operation,
            key_digest=self.digest,
            created_at__gte=timezone.now() - KEPT_FOR,
        ).first()
        if kept is None:
            return
        if kept.fingerprint != self.fingerprint:
            raise KeyReused()
        raise Replayed(self._replay(kept))

    def keep(self, response: HttpResponse) -> None:
        """Keep `response` (rendered) as the key's answer, in the request's transaction."""
        headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
        # An expired row that the purge has not reached yet; no other row can exist (`claim`).
        IdempotencyKey.objects.filter(
            user_id=self.user_id, operation=self.operation, key_digest=self.digest
        ).delete()
        IdempotencyKey.objects.create(
            user_id=self.user_id,
            operation=self.operation,
            key_digest=self.digest,
            fingerprint=self.fingerprint,
            status=response.status_code,
            headers=headers,
            body=self._seal(bytes(response.content)),
            created_at=timezone.now(),
        )
        self.kept = True

    def forget(self) -> None:
        """Delete the key's answer: kept, and then a step that runs once the transaction has
        committed failed (a report's queue), so the client gets that error, which is not kept."""
        IdempotencyKey.objects.filter(
            user_id=self.user_id, operation=self.operation, key_digest=self.digest
        ).delete()
        self.kept = False

    def _seal(self, body: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + AESGCM(self._secret("seal")).encrypt(nonce, body, self.digest.encode())

    def _open(self, sealed: bytes) -> bytes:
        sealed = bytes(sealed)
        return AESGCM(self._secret("seal")).decrypt(sealed[:12], sealed[12:], self.digest.encode())

    def _replay(self, kept: IdempotencyKey) -> HttpResponse:
        response = HttpResponse(self._open(kept.body), status=kept.status)
        for name, value in kept.headers.items():
            response[name] = value
        response[REPLAYED_HEADER] = "true"
        return response


if TYPE_CHECKING:  # what the mixin is mixed into, so that its super() calls type-check
    _ViewBase = APIView
else:
    _ViewBase = object


class IdempotentCreateMixin(_ViewBase):
    """Idempotency-Key on an API view's POST that creates. `creates = True` (on a view, or on an
    @action) says that its POST creates something (it answers 201 or 202), as a viewset's `create`
    does without saying.

    The view calls `keep_idempotency_body` and then `claim_idempotency_key` from `initial`, once
    the caller is known and every check that needs no transaction has passed; the transaction they
    open is ended by `dispatch`, after the answer is kept by `finalize_response`."""

    creates = False
    _idempotency: Scope | None = None
    _transaction: transaction.Atomic | None = None

    def creates_on(self, method: str) -> bool:
        """Whether a request with `method` creates something, and so takes an Idempotency-Key."""
        if method.upper() != "POST":
            return False
        action = getattr(self, "action", None) or (getattr(self, "action_map", None) or {}).get("post")
        return self.creates or action == "create"

    def keep_idempotency_body(self, request: Request) -> None:
        """The key's fingerprint hashes the body as sent: read it whole before any parser reads the
        stream (Django then serves the parsers from this copy)."""
        if self.creates_on(request.method or "") and HEADER in request.headers:
            request.body  # noqa: B018

    def claim_idempotency_key(self, request: Request) -> None:
        """With an Idempotency-Key: open the transaction that the request runs in (which `dispatch`
        ends), then answer now with the kept answer or a 409, or take the key for this request.

        Opened only now, after authentication and the limits: a token's `last_used_at` is written
        by its authentication, and a repeat would wait on that row until the first committed."""
        if not self.creates_on(request.method or ""):
            return
        key = requested_key(request)
        if key is None or not request.user.is_authenticated:
            return
        purge_expired()
        self._transaction = transaction.atomic()
        self._transaction.__enter__()
        route = request.resolver_match.view_name if request.resolver_match else request.path
        operation = f"{request.method} {route}"
        scope = Scope(user_id=request.user.pk, operation=operation, key=key)
        scope.claim(request)  # raises to answer now: a replay, or 409
        self._idempotency = scope

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self._transaction = None
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

    def handle_exception(self, exc: Exception) -> Any:  # a Response, or a replayed HttpResponse
        if isinstance(exc, Replayed):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        scope = self._idempotency
        if scope is not None and not scope.kept:
            if response.status_code >= 500:
                transaction.set_rollback(True)  # not kept, and nothing of it stays: a retry runs again
            elif isinstance(response, HttpResponse):  # a body in memory (a stream is never kept)
                if hasattr(response, "render"):
                    response.render()
                scope.keep(response)
        return response
