"""Token services and selectors: the key is returned once and only its digest is stored; a key is
found by its prefix in one indexed query; revoking is for good; refusals change nothing."""

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import KEY_START, ApiToken
from accounts.selectors import token_for_key, tokens_of
from accounts.services import token_create, token_revoke
from mlwa.errors import InvalidInput

pytestmark = pytest.mark.django_db


def stored_rows() -> list[dict]:
    return list(ApiToken.objects.order_by("pk").values())


def test_the_key_is_returned_and_only_its_digest_is_stored(alice):
    token, key = token_create(user=alice, name="ci")

    assert key.startswith(f"{KEY_START}{token.prefix}_")
    assert len(key) > 50  # 12 hex characters of prefix and 256 random bits
    (row,) = stored_rows()
    assert row["digest"] == hashlib.sha256(key.encode()).hexdigest()
    assert not any(key in str(value) for value in row.values())
    assert not hasattr(ApiToken.objects.get(), "key")


def test_every_key_and_prefix_is_new(alice):
    keys = [token_create(user=alice, name=f"t{number}")[1] for number in range(20)]
    assert len(set(keys)) == 20
    assert ApiToken.objects.values("prefix").distinct().count() == 20


def test_a_key_is_found_with_its_user_in_one_query_on_the_prefix(alice):
    token, key = token_create(user=alice, name="ci")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())  # no write due

    with CaptureQueriesContext(connection) as queries:
        found = token_for_key(key)
        assert found.user.get_username() == "alice"  # loaded with the token

    assert found == token
    (query,) = queries.captured_queries
    assert f'"accounts_apitoken"."prefix" = \'{token.prefix}\'' in query["sql"], query["sql"]
    assert ApiToken._meta.get_field("prefix").unique  # hence indexed


def test_the_prefix_lookup_uses_the_index(alice, bob):
    for user in (alice, bob):
        for number in range(5):
            token_create(user=user, name=f"t{number}")
    prefix = ApiToken.objects.first().prefix
    if connection.vendor == "postgresql":
        # A table this small is read whole unless that is made to look expensive; the test asks
        # whether the index serves the lookup, which is what matters on a big table.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE accounts_apitoken")
            cursor.execute("SET LOCAL enable_seqscan = off")
    plan = ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True).explain()
    if connection.vendor == "postgresql":
        assert "Index Scan using accounts_apitoken_prefix" in plan, plan
    else:
        assert "USING INDEX" in plan, plan
        assert "prefix=?" in plan, plan


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"), id="last-character-changed"),
        pytest.param(lambda key: key[:-5], id="truncated"),
        pytest.param(lambda key: key + "x", id="extended"),
        pytest.param(lambda key: key[len(KEY_START) :], id="without-mlwa_"),
        pytest.param(lambda key: key.upper(), id="upper-case"),
        pytest.param(lambda key: "", id="empty"),
    ],
)
def test_a_wrong_key_finds_nothing_even_with_the_right_prefix(alice, mangle):
    _token, key = token_create(user=alice, name="ci")
    assert token_for_key(mangle(key)) is None


def test_revoking_is_for_good_and_keeps_the_first_time(alice):
    token, key = token_create(user=alice, name="ci")

    token_revoke(token=token)
    revoked_at = ApiToken.objects.get().revoked_at
    assert revoked_at is not None
    assert token_for_key(key) is None

    token_revoke(token=ApiToken.objects.get())
    assert ApiToken.objects.get().revoked_at == revoked_at


def test_a_revoked_name_may_be_used_again(alice):
    old, _ = token_create(user=alice, name="ci")
    token_revoke(token=old)
    new, key = token_create(user=alice, name="ci")
    assert token_for_key(key) == new
    assert list(tokens_of(user=alice)) == [new, old]  # newest first, revoked ones included


def test_two_users_may_use_the_same_name(alice, bob):
    token_create(user=alice, name="ci")
    token_create(user=bob, name="ci")
    assert ApiToken.objects.filter(name="ci").count() == 2


@pytest.mark.parametrize(
    ("name", "read_only"),
    [
        pytest.param("", False, id="empty-name"),
        pytest.param("   ", False, id="blank-name"),
        pytest.param(None, False, id="no-name"),
        pytest.param("x" * 101, False, id="name-too-long"),
        pytest.param("ci", False, id="name-taken"),
        pytest.param(" ci ", False, id="name-taken-with-spaces"),
        pytest.param("new", "yes", id="read-only-not-a-boolean"),
    ],
)
def test_a_refused_token_changes_nothing(alice, name, read_only):
    token_create(user=alice, name="ci")
    before = stored_rows()

    with pytest.raises(InvalidInput) as refused:
        token_create(user=alice, name=name, read_only=read_only)

    assert list(refused.value.errors) == ["read_only" if read_only == "yes" else "name"]
    assert stored_rows() == before


def test_last_used_is_written_at_most_every_five_minutes(alice):
    token, key = token_create(user=alice, name="ci")

    def lookups_writing(count: int) -> None:
        with CaptureQueriesContext(connection) as queries:
            assert token_for_key(key) == token
        writes = [query for query in queries.captured_queries if query["sql"].startswith("UPDATE")]
        assert (len(queries), len(writes)) == (1 + count, count)

    lookups_writing(1)  # first use
    first_use = ApiToken.objects.get().last_used_at
    assert first_use is not None
    lookups_writing(0)  # a moment later: the stored time is close enough
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=4, seconds=50))
    lookups_writing(0)
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=5, seconds=10))
    lookups_writing(1)
    assert timezone.now() - ApiToken.objects.get().last_used_at < timedelta(seconds=5)
