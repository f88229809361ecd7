"""Reads of API tokens: a user's own, and the one a key belongs to."""

import hmac
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import KEY_START, PREFIX_LENGTH, ApiToken
from accounts.services import key_digest

#: How stale `last_used_at` may get: writing it on every request would cost a query each.
LAST_USED_PRECISION = timedelta(minutes=5)


def tokens_of(*, user) -> QuerySet[ApiToken]:
    """The user's tokens, newest first, revoked ones included (they say when)."""
    return ApiToken.objects.filter(user=user)


def token_for_key(key: str) -> ApiToken | None:
    """The active token whose key this is, with its user, in one indexed query; None otherwise.
    Marks it used (one more query at most every five minutes)."""
    if not key.startswith(KEY_START):
        return None
    prefix = key[len(KEY_START) : len(KEY_START) + PREFIX_LENGTH]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix, revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token.digest, key_digest(key)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
