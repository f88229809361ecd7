"""Reads of accounts: a user's API tokens, the one a key belongs to, and the people (users and
teams) one may share with."""

import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Concat, Lower
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


#: People search: fewer characters match too much to be useful; more than this many is a list nobody reads.
PEOPLE_MIN_LENGTH, PEOPLE_MAX_RESULTS, PEOPLE_MAX_LENGTH = 2, 20, 100


@dataclass(frozen=True)
class Person:
    """A user or a team (an auth group) someone may share with: `value` is what the share form and
    the API take (the username, or the team's name); `name` the full name (blank if none) or the
    team's name. Never an email address: the picker is open to every user of the instance."""

    kind: str  # "USER" or "GROUP"
    value: str
    name: str

    @property
    def label(self) -> str:
        """How the picker shows them: "Alice Martin (alice)", "ml-team (team)"."""
        if self.kind == "GROUP":
            return f"{self.value} (team)"
        return f"{self.name} ({self.value})" if self.name else self.value


def _starts(text: str, *fields: str) -> Case:
    """0 where one of `fields` starts with `text`, 1 elsewhere: prefix matches are listed first."""
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__istartswith": text})
    return Case(When(condition, then=Value(0)), default=Value(1), output_field=IntegerField())


def people_search(*, text: str, limit: int = PEOPLE_MAX_RESULTS) -> list[Person]:
    """The active users and the teams whose name or username holds `text` (case-insensitive; a
    user's first, last or full name), those starting with it first, at most `limit`: two queries.
    Nothing for a text shorter than PEOPLE_MIN_LENGTH (after spaces are squeezed)."""
    text = " ".join(text.split())[:PEOPLE_MAX_LENGTH]
    if len(text) < PEOPLE_MIN_LENGTH:
        return []
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(
            full_name=Concat("first_name", Value(" "), "last_name"),
            starts=_starts(text, "username", "first_name", "last_name"),
        )
        .filter(
            Q(username__icontains=text)
            | Q(first_name__icontains=text)
            | Q(last_name__icontains=text)
            | Q(full_name__icontains=text)
        )
        .order_by("starts", Lower("username"))
        .values_list("starts", "username", "first_name", "last_name")[:limit]
    )
    groups = (
        Group.objects.filter(name__icontains=text)
        .annotate(starts=_starts(text, "name"))
        .order_by("starts", Lower("name"))
        .values_list("starts", "name")[:limit]
    )
    found = [
        (starts, Person("USER", username, f"{first} {last}".strip()))
        for starts, username, first, last in users
    ]
    found += [(starts, Person("GROUP", name, name)) for starts, name in groups]
    found.sort(key=lambda row: (row[0], row[1].value.lower(), row[1].kind))
    return [person for _starts_first, person in found[:limit]]
