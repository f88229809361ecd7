"""`manage.py token create|list|revoke`: `create` prints the key and nothing else, so that a script
can keep it (`KEY=$(manage.py token create demo)`); an unknown user or name is a clear error with a
nonzero exit, and changes nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import KEY_START, ApiToken
from accounts.selectors import token_for_key
from accounts.services import token_create, token_revoke
from tests.accounts.conftest import WORKLOADS, key_client

pytestmark = pytest.mark.django_db

HEADER = ["NAME", "KEY", "ACCESS", "CREATED", "LAST", "USED", "REVOKED"]


def token_command(*args: str) -> str:
    """What `manage.py token ARGS` writes to stdout."""
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def test_create_prints_only_the_key(alice):
    out = token_command("create", "alice")

    key = out.removesuffix("\n")
    assert out == key + "\n"
    token = token_for_key(key)
    assert (token.user, token.name, token.read_only) == (alice, "cli", False)
    assert key_client(key).get(WORKLOADS).status_code == 200


def test_create_writes_nothing_else_to_the_process_stdout(alice, capsys):
    # Not through a StringIO: whatever else might print (a print, a log handler) shows here.
    call_command("token", "create", "alice", "--name", "ci", "--read-only")

    captured = capsys.readouterr()
    assert captured.err == ""
    key = captured.out.removesuffix("\n")
    assert captured.out == key + "\n"
    token = token_for_key(key)
    assert (token.name, token.read_only) == ("ci", True)


def test_the_default_name_is_made_unique(alice):
    for _ in range(3):
        token_command("create", "alice")
    token_revoke(token=ApiToken.objects.get(name="cli-2"))
    token_command("create", "alice")  # cli-2 is free again: the revoked one does not hold it

    assert sorted(ApiToken.objects.filter(revoked_at=None).values_list("name", flat=True)) == [
        "cli",
        "cli-2",
        "cli-3",
    ]


def test_a_name_taken_is_an_error_and_creates_nothing(alice):
    token_create(user=alice, name="ci")
    with pytest.raises(CommandError, match="already have a token with this name"):
        token_command("create", "alice", "--name", "ci")
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["create", "nobody"], id="create"),
        pytest.param(["list", "nobody"], id="list"),
        pytest.param(["revoke", "nobody", "ci"], id="revoke"),
    ],
)
def test_an_unknown_user_is_an_error(alice, args):
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        token_command(*args)
    assert not ApiToken.objects.exists()


def test_an_unknown_user_exits_nonzero_and_prints_no_key(alice, capsys):
    with pytest.raises(CommandError) as refused:
        call_command("token", "create", "nobody")

    # manage.py prints a CommandError to stderr and exits with its returncode.
    assert refused.value.returncode == 1
    assert capsys.readouterr().out == ""


def test_list_shows_every_token_without_keys(alice, bob):
    _, key = token_create(user=alice, name="ci", read_only=True)
    old, _ = token_create(user=alice, name="old")
    token_revoke(token=old)
    token_create(user=bob, name="bob's")

    lines = token_command("list", "alice").splitlines()

    assert lines[0].split() == HEADER
    by_name = {line.split()[0]: line for line in lines[1:]}
    assert set(by_name) == {"ci", "old"}
    ci = ApiToken.objects.get(name="ci")
    assert f"{KEY_START}{ci.prefix}…" in by_name["ci"]
    assert "read-only" in by_name["ci"]
    assert by_name["ci"].rstrip().endswith("-")  # not revoked
    assert "read-write" in by_name["old"]
    assert not by_name["old"].rstrip().endswith("-")  # revoked: when
    assert key not in "\n".join(lines)


def test_list_of_a_user_without_tokens_is_the_header(alice):
    assert token_command("list", "alice").split() == [
        "NAME",
        "KEY",
        "ACCESS",
        "CREATED",
        "LAST",
        "USED",
        "REVOKED",
    ]


def test_revoke_revokes_the_named_token(alice):
    _, key = token_create(user=alice, name="ci")
    _, other_key = token_create(user=alice, name="other")

    out = token_command("revoke", "alice", "ci")

    assert "Revoked 'ci'" in out
    assert key_client(key).get(WORKLOADS).status_code == 401
    assert key_client(other_key).get(WORKLOADS).status_code == 200


def test_revoking_an_unknown_or_revoked_name_is_an_error(alice, bob):
    token_create(user=bob, name="ci")  # another user's token of that name is not alice's
    revoked, _ = token_create(user=alice, name="gone")
    token_revoke(token=revoked)
    before = list(ApiToken.objects.order_by("pk").values())

    for name in ("ci", "gone"):
        with pytest.raises(CommandError, match=f"alice has no active token named '{name}'"):
            token_command("revoke", "alice", name)

    assert list(ApiToken.objects.order_by("pk").values()) == before
