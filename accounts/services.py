"""Writes to API tokens: create one (the key is returned once, never stored), revoke one."""

import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import KEY_START, PREFIX_LENGTH, ApiToken
from mlwa.error_codes import NAME_TAKEN
from mlwa.errors import InvalidInput

NAME_MAX: int = ApiToken._meta.get_field("name").max_length  # type: ignore[assignment]  # a CharField's


def key_digest(key: str) -> str:
    """The SHA-256 of a key, as stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> tuple[str, str]:
    """A new key and its prefix: `mlwa_` + 12 hex characters + `_` + 43 random URL-safe ones."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    return f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}", prefix


@transaction.atomic
def token_create(*, user, name: str, read_only: bool = False) -> tuple[ApiToken, str]:
    """A new token of `user` named `name` (unique among their active tokens), and its key, which
    is not stored anywhere: the caller shows it once. Raises InvalidInput naming the field."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput({"name": "Give the token a name, e.g. what it is for."})
    name = name.strip()
    if len(name) > NAME_MAX:
        raise InvalidInput({"name": f"At most {NAME_MAX} characters."})
    if not isinstance(read_only, bool):
        raise InvalidInput({"read_only": "Must be true or false."})
    if ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
        raise InvalidInput({"name": "You already have a token with this name."}, code=NAME_TAKEN)
    key, prefix = _new_key()
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user, name=name, prefix=prefix, digest=key_digest(key), read_only=read_only
            )
    except IntegrityError:  # the same name created at the same moment (or, once in 2**48, the prefix)
        raise InvalidInput({"name": "You already have a token with this name."}, code=NAME_TAKEN) from None
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke `token` for good: requests with its key are answered 401 from now on."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def tokens_revoke_all(*, user) -> int:
    """Revoke every credential `user` holds besides their password, for good, in one transaction;
    how many were revoked (those revoked already are left as they were and not counted).

    "Revoke all" on the account page, `POST /api/v1/tokens/revoke-all/` and a password change with
    "Also revoke my API tokens" ticked all come here. Today the only such credentials are API tokens;
    a later kind of credential (AWS access keys, say) joins by revoking its own here, adding to the
    count, so that "revoke all" keeps meaning all."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def password_change(*, user, password: str, revoke_tokens: bool) -> int:
    """Set `user`'s password (validated already: the form's job), and with `revoke_tokens` revoke
    every other credential of theirs (tokens_revoke_all) in the same transaction, so that a
    password changed because it leaked never leaves a key working; how many were revoked."""
    user.set_password(password)
    user.save(update_fields=["password"])
    return tokens_revoke_all(user=user) if revoke_tokens else 0
