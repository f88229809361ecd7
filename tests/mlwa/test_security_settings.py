"""The production security defaults (mlwa/settings.py, "HTTPS" and "Login throttling"): Django's
deployment check passes with nothing to say, production refuses to start without a secret key, the
embedded mode keeps plain HTTP, and a response under the production settings carries the headers
and cookie flags that keep a browser safe. Settings are read in a subprocess with the production
environment, as `manage.py` would read them, since this process runs the embedded ones."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

#: The settings a production response depends on, applied to this process for the response tests.
RESPONSE_SETTINGS = [
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_AGE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
]
OTHER_SETTINGS = [
    "DEBUG",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "SESSION_SAVE_EVERY_REQUEST",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_TIME",
    "AXES_LOCKOUT_PARAMETERS",
    "MLWA_PROXY_COUNT",
    "REST_FRAMEWORK",
]
DUMP = (
    "import json; from django.conf import settings; "
    f"print(json.dumps({{n: getattr(settings, n, None) for n in {RESPONSE_SETTINGS + OTHER_SETTINGS!r}}}, "
    "default=str))"
)


def _env(tmp_path: Path, *, production: bool = True, **variables: str) -> dict:
    """This process's environment without any MLWA, database or broker variable, plus `variables`;
    production adds what it needs: debug off, a long random secret, a host and a database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MLWA_", "DATABASE_URL", "CELERY_", "DJANGO_SETTINGS_MODULE"))
    }
    env["MLWA_VAR_DIR"] = str(tmp_path / "var")
    if production:
        env.update(
            MLWA_DEBUG="false",
            MLWA_SECRET_KEY=secrets.token_urlsafe(50),
            MLWA_ALLOWED_HOSTS="mlwa.example.com",
            DATABASE_URL=f"sqlite:///{tmp_path / 'mlwa.sqlite3'}",
        )
    env.update(variables)
    return env


def _run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _settings(env: dict) -> dict:
    result = _run(["-c", DUMP], {**env, "DJANGO_SETTINGS_MODULE": "mlwa.settings"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    """The settings production runs with, behind a TLS proxy (as docker compose is meant to be)."""
    return _settings(_env(tmp_path_factory.mktemp("production"), MLWA_BEHIND_TLS_PROXY="true"))


def test_the_deployment_check_has_nothing_to_say(tmp_path):
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], _env(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deployment_check_passes_with_preloading_too(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        _env(tmp_path, MLWA_HSTS_PRELOAD="true"),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deployment_check_would_catch_cookies_sent_over_plain_http(tmp_path):
    """The check above can fail: the same check, with one protection turned off."""
    env = _env(tmp_path, MLWA_SECURE_COOKIES="false")
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "security.W012" in result.stderr + result.stdout  # SESSION_COOKIE_SECURE


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    env = _env(tmp_path)
    del env["MLWA_SECRET_KEY"]
    result = _run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "MLWA_SECRET_KEY must be set when MLWA_DEBUG is false" in result.stderr


def test_production_defaults(production):
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] is production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is production["CSRF_COOKIE_HTTPONLY"] is True
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_REDIRECT_EXEMPT"] == ["^healthz$", "^readyz$"]
    assert production["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_HSTS_PRELOAD"] is False  # opt-in
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production["SESSION_COOKIE_AGE"] == 12 * 3600
    assert production["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is False
    assert production["SESSION_SAVE_EVERY_REQUEST"] is False
    assert production["AXES_FAILURE_LIMIT"] == 5
    assert production["AXES_COOLOFF_TIME"] == "0:15:00"
    assert production["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert production["MLWA_PROXY_COUNT"] == production["REST_FRAMEWORK"]["NUM_PROXIES"] == 0


def test_without_the_proxy_variable_x_forwarded_proto_is_not_trusted(tmp_path):
    assert _settings(_env(tmp_path))["SECURE_PROXY_SSL_HEADER"] is None


def test_each_default_can_be_set_from_the_environment(tmp_path):
    values = _settings(
        _env(
            tmp_path,
            MLWA_SECURE_SSL_REDIRECT="false",
            MLWA_HSTS_SECONDS="600",
            MLWA_HSTS_INCLUDE_SUBDOMAINS="false",
            MLWA_HSTS_PRELOAD="true",
            MLWA_SESSION_COOKIE_AGE="3600",
            MLWA_SESSION_EXPIRE_AT_BROWSER_CLOSE="true",
            MLWA_LOGIN_FAILURE_LIMIT="3",
            MLWA_LOGIN_COOLOFF_MINUTES="30",
            MLWA_PROXY_COUNT="1",
        )
    )
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SESSION_COOKIE_AGE"] == 3600
    assert values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert values["AXES_FAILURE_LIMIT"] == 3
    assert values["AXES_COOLOFF_TIME"] == "0:30:00"
    assert values["MLWA_PROXY_COUNT"] == values["REST_FRAMEWORK"]["NUM_PROXIES"] == 1


def test_the_embedded_mode_keeps_plain_http(tmp_path):
    embedded = _settings(_env(tmp_path, production=False))
    assert embedded["DEBUG"] is True
    assert embedded["SECURE_SSL_REDIRECT"] is False
    assert embedded["SESSION_COOKIE_SECURE"] is embedded["CSRF_COOKIE_SECURE"] is False
    assert embedded["SECURE_HSTS_SECONDS"] == 0


# --- responses under the production settings ------------------------------------------------------


@pytest.fixture
def production_client(settings, production) -> Client:
    """A client of this process with the production settings that shape responses (middleware reads
    them when the client's handler is built, at its first request)."""
    for name in RESPONSE_SETTINGS:
        value = production[name]
        setattr(settings, name, tuple(value) if name == "SECURE_PROXY_SSL_HEADER" else value)
    return Client()


def _directives(csp: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in csp.split(";") if part.strip())}


def test_a_page_carries_the_security_headers(production_client):
    response = production_client.get(reverse("login"), secure=True)

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = _directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] + csp["default-src"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_cookies_are_secure_and_hidden_from_scripts(production_client, alice):
    csrf = production_client.get(reverse("login"), secure=True).cookies["csrftoken"]
    assert csrf["secure"]
    assert csrf["httponly"]
    assert csrf["samesite"] == "Lax"

    response = production_client.post(
        reverse("login"), {"username": "alice", "password": "alice-password"}, secure=True
    )

    assert response.status_code == 302
    session = response.cookies["sessionid"]
    header = session.output()
    assert "; Secure" in header
    assert "; HttpOnly" in header
    assert "SameSite=Lax" in header
    assert session["max-age"] == 12 * 3600


def test_plain_http_is_redirected_but_the_health_endpoints_answer(production_client):
    login = production_client.get(reverse("login"))
    assert login.status_code == 301
    assert login["Location"] == f"https://testserver{reverse('login')}"

    for probe in ("healthz", "readyz"):
        response = production_client.get(reverse(probe))
        assert response.status_code in (200, 503), probe  # answered, not redirected
        assert response["Content-Type"] == "application/json", probe


def test_behind_the_proxy_its_https_header_counts(production_client, settings):
    proxied = production_client.get(reverse("login"), headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200
    assert "Strict-Transport-Security" in proxied

    settings.SECURE_PROXY_SSL_HEADER = None  # not behind a proxy: anyone could send the header
    assert Client().get(reverse("login"), headers={"X-Forwarded-Proto": "https"}).status_code == 301
