"""Login throttling (django-axes, accounts.lockout): failed logins of one username from one address
lock that pair out, on the login page (our 429 page) and on the API's HTTP Basic login (429 in the
API's error shape); other users and other addresses are not affected; a success resets the count;
the lockout ends after the cool-off, shown by moving the recorded attempts back in time."""

import itertools

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from accounts.lockout import client_ip
from tests.accounts.conftest import TOKENS, basic_client

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
ATTACKER, OTHER = "192.0.2.66", "198.51.100.7"
_NAMES = itertools.count()


@pytest.fixture(autouse=True)
def _limits(settings):
    """The production defaults, pinned: a test that changes MLWA_LOGIN_* must not change these."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timezone.timedelta(minutes=15)
    settings.MLWA_PROXY_COUNT = 0


def _login(client, username, password, address=ATTACKER, **headers):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def _fail(client, username, times, address=ATTACKER):
    for _ in range(times):
        response = _login(client, username, "not-the-password", address)
        assert response.status_code == 200  # the form again, with its error: not yet locked
        assert not response.wsgi_request.user.is_authenticated


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_limit_locks_the_page_with_429_and_refuses_even_the_right_password(client, alice):
    _fail(client, "alice", 4)

    fifth = _login(client, "alice", "still-wrong")
    assert fifth.status_code == 429
    assert "Too many failed logins" in fifth.content.decode()

    right = _login(client, "alice", "alice-password")
    assert right.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in right.templates]
    assert int(right["Retry-After"]) == 15 * 60
    assert "Try again in 15 minutes" in right.content.decode()
    # Our page, inside the site's headers: no inline script is allowed on it either.
    assert "script-src 'self'" in right["Content-Security-Policy"]
    assert not _logged_in(client)


def test_another_user_and_another_address_are_not_locked(client, alice, bob):
    _fail(client, "alice", 5 - 1)
    assert _login(client, "alice", "wrong").status_code == 429

    assert _login(client, "bob", "bob-password").status_code == 302  # same address, other user
    client.post(reverse("logout"))
    assert _login(client, "alice", "alice-password", address=OTHER).status_code == 302  # other address
    assert _logged_in(client)


def test_a_success_resets_the_count(client, alice):
    _fail(client, "alice", 4)
    assert _login(client, "alice", "alice-password").status_code == 302
    client.post(reverse("logout"))

    _fail(client, "alice", 4)  # 8 failures in all, none locked: the success wiped the first four
    assert _login(client, "alice", "alice-password").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, alice):
    _fail(client, "alice", 4)
    assert _login(client, "alice", "wrong").status_code == 429
    assert _login(client, "alice", "alice-password").status_code == 429

    # Sixteen minutes later, as far as the recorded attempts can tell.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=16))

    assert _login(client, "alice", "alice-password").status_code == 302
    assert _logged_in(client)


def test_the_limit_and_cool_off_come_from_settings(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timezone.timedelta(minutes=1)
    _fail(client, "alice", 1)
    locked = _login(client, "alice", "wrong")
    assert locked.status_code == 429
    assert "Try again in 1 minute," in locked.content.decode()
    assert locked["Retry-After"] == "60"


def _basic(username, password, address=ATTACKER):
    name = f"ci {next(_NAMES)}"  # token names are unique per user
    return basic_client(username, password).post(TOKENS, {"name": name}, format="json", REMOTE_ADDR=address)


def test_the_api_password_login_counts_and_answers_429_in_the_error_shape(alice):
    for _ in range(4):
        assert _basic("alice", "not-the-password").status_code == 401
    assert _basic("alice", "still-wrong").status_code == 429  # the fifth failure locks

    locked = _basic("alice", "alice-password")

    assert locked.status_code == 429
    body = locked.json()
    assert body["code"] == "locked_out"
    assert "Too many failed logins" in body["message"]
    assert body["fields"] == {}
    assert int(locked["Retry-After"]) == 15 * 60
    assert not alice.api_tokens.exists()
    # Another address is not locked out.
    assert _basic("alice", "alice-password", address=OTHER).status_code == 201


def test_the_page_and_the_api_share_one_count(client, alice):
    _fail(client, "alice", 3)
    assert _basic("alice", "wrong").status_code == 401
    assert _basic("alice", "wrong").status_code == 429  # the fifth failure, counted with the page's
    assert _login(client, "alice", "alice-password").status_code == 429


def test_an_api_success_resets_the_count(alice):
    for _ in range(4):
        assert _basic("alice", "wrong").status_code == 401
    assert _basic("alice", "alice-password").status_code == 201
    for _ in range(4):
        assert _basic("alice", "wrong").status_code == 401
    assert _basic("alice", "alice-password").status_code == 201


def test_basic_credentials_are_read_only_by_token_creation(alice):
    for _ in range(6):
        response = basic_client("alice", "wrong").get("/api/v1/workloads/", REMOTE_ADDR=ATTACKER)
        assert response.status_code == 401  # Basic is for creating tokens only: no view reads it here
    assert AccessAttempt.objects.count() == 0


def test_behind_a_proxy_the_forwarded_address_is_locked_not_the_proxy(client, alice, settings):
    settings.MLWA_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    for _ in range(5):
        _login(client, "alice", "wrong", address=proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert _login(client, "alice", "alice-password", proxy, HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    assert AccessAttempt.objects.get().ip_address == ATTACKER

    # The same proxy, another client: not locked.
    assert _login(client, "alice", "alice-password", proxy, HTTP_X_FORWARDED_FOR=OTHER).status_code == 302


class _Request:
    def __init__(self, peer, forwarded=None):
        self.META = {"REMOTE_ADDR": peer}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, None, "10.0.0.2"),
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy trusted: the header is anyone's to write
        (1, None, "10.0.0.2"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own entry, left, is not read
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.9", "203.0.113.9"),
        (3, "203.0.113.9", "203.0.113.9"),  # fewer entries than proxies: the leftmost
        (1, "not-an-address", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(settings, count, forwarded, expected):
    settings.MLWA_PROXY_COUNT = count
    assert client_ip(_Request("10.0.0.2", forwarded)) == expected


def test_attempts_while_locked_do_not_make_the_lockout_longer(client, alice):
    _fail(client, "alice", 4)
    assert _login(client, "alice", "wrong").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=10))

    for password in ("wrong", "alice-password", "wrong"):  # five minutes before the end
        assert _login(client, "alice", password).status_code == 429
    assert AccessAttempt.objects.get().failures_since_start == 5  # none of them counted

    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=16))
    assert _login(client, "alice", "alice-password").status_code == 302
