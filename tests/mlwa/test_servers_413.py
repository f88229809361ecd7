"""413 under every server MLWA runs on, through the real servers (issue 14).

`make run` (bin/run-embedded) serves with `manage.py runserver`, production (deploy/web) with
gunicorn. Both are started here on free loopback ports, against one scratch SQLite database in a
temporary folder, with a small body cap; each gets an oversized body with a declared length and a
chunked one, to the API's lens import and to the browser's import form, and must answer 413 and
create nothing. The 413 carried `Connection: close`, which the development server refuses as a
hop-by-hop header with a 500, and the development server did not read chunked bodies at all.
"""

# This test starts our own programs (python, gunicorn) and talks only to 127.0.0.1.
# ruff: noqa: S603

import contextlib
import functools
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests import factories

# Real servers in subprocesses: seconds each, so outside `make test`'s quick run.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.prefix) / "bin"
CAP = 20_000
OVERSIZED = 60_000
PASSWORD = "uploader-password"  # noqa: S105 - a scratch database's


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(var_dir: Path) -> dict[str, str]:
    """The embedded default on the scratch folder: none of the production variables."""
    dropped = {"DATABASE_URL", "CELERY_BROKER_URL", "MLWA_CACHE_URL", "CELERY_TASK_ALWAYS_EAGER"}
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(
        MLWA_VAR_DIR=str(var_dir),
        MLWA_MAX_REQUEST_BYTES=str(CAP),
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",  # deploy/web runs `gunicorn` from PATH
    )
    return env


SETUP = f"""
from django.contrib.auth.models import User
from django.core.management import call_command
from accounts.services import token_create
call_command("migrate", interactive=False, verbosity=0)
user = User.objects.create_user("uploader", password="{PASSWORD}")
print(token_create(user=user, name="uploads")[1])
"""


def _manage(env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _wait_until_up(port: int, process, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"the server did not start: {log.read_text()}")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """{"runserver": port, "gunicorn": port}, both serving one scratch database, and an API key."""
    script = (ROOT / "bin" / "run-embedded").read_text()
    assert "manage.py runserver" in script, "make run no longer starts runserver: start what it does"
    var_dir = tmp_path_factory.mktemp("servers")
    env = _env(var_dir)
    # One process migrates and makes the uploader and their API key: each start of Django costs seconds.
    key = _manage(env, "shell", "-c", SETUP).strip().splitlines()[-1]
    ports = {"runserver": _free_port(), "gunicorn": _free_port()}
    commands = {
        # What bin/run-embedded starts (without the autoreloader, as its tests run it).
        "runserver": [
            sys.executable,
            "manage.py",
            "runserver",
            "--noreload",
            f"127.0.0.1:{ports['runserver']}",
        ],
        "gunicorn": [str(ROOT / "deploy" / "web")],
    }
    extra = {"gunicorn": {"MLWA_WEB_PREPARE": "false", "MLWA_BIND": f"127.0.0.1:{ports['gunicorn']}"}}
    processes = {}
    try:
        for name, command in commands.items():
            log = var_dir / f"{name}.log"
            processes[name] = (
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env={**env, "MLWA_WEB_WORKERS": "1", **extra.get(name, {})},
                    stdout=log.open("w"),
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                ),
                log,
            )
        for name, (process, log) in processes.items():
            _wait_until_up(ports[name], process, log)
        yield {"ports": ports, "key": key, "logs": {name: log for name, (_p, log) in processes.items()}}
    finally:
        for process, _log in processes.values():
            process.terminate()
        for process, _log in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- HTTP, by hand: the exact bytes, chunked or not ---------------------------------------------------


def _chunked(body: bytes, size: int = 4096) -> bytes:
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"


def _send(port: int, path: str, headers: dict[str, str], body: bytes, *, chunked: bool) -> tuple[int, bytes]:
    """POST `body` to `path` on a connection of its own; the status and the response's body."""
    framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(len(body))}
    head = "".join(f"{name}: {value}\r\n" for name, value in {**headers, **framing}.items())
    request = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode()
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(request)
        # A server may stop reading once it has answered: the answer is what counts.
        with contextlib.suppress(OSError):
            sock.sendall(_chunked(body) if chunked else body)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.read()


@functools.cache
def _login(port: int) -> dict[str, str]:
    """The headers of a browser signed in through the login form: its cookies and CSRF token."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request("GET", "/accounts/login/")
    page = connection.getresponse()
    html = page.read().decode()
    csrf = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form = f"csrfmiddlewaretoken={token}&username=uploader&password={PASSWORD}"
    connection.request(
        "POST",
        "/accounts/login/",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"},
    )
    signed_in = connection.getresponse()
    signed_in.read()
    assert signed_in.status == 302, "the login form did not sign in"
    cookies = dict(re.findall(r"(csrftoken|sessionid)=([^;]+)", signed_in.getheader("Set-Cookie")))
    cookies.setdefault("csrftoken", csrf)
    connection.close()
    return {
        "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()),
        "X-CSRFToken": cookies["csrftoken"],
        "Referer": f"http://127.0.0.1:{port}/lenses/import/",
    }


def _multipart(file: bytes) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="lens.json"\r\n'
        f"Content-Type: application/json\r\n\r\n"
    ).encode()
    body += file + f"\r\n--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body


def _lenses(port: int, key: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request("GET", "/api/v1/lenses/", headers={"Authorization": f"Token {key}"})
    count = json.loads(connection.getresponse().read())["count"]
    connection.close()
    return count


def _upload(servers, server: str, door: str, file: bytes, *, chunked: bool) -> tuple[int, bytes]:
    port = servers["ports"][server]
    if door == "api":
        headers = {"Authorization": f"Token {servers['key']}", "Content-Type": "application/json"}
        return _send(port, "/api/v1/lenses/import/", headers, file, chunked=chunked)
    content_type, body = _multipart(file)
    return _send(
        port, "/lenses/import/", {**_login(port), "Content-Type": content_type}, body, chunked=chunked
    )


SERVERS = ("runserver", "gunicorn")
DOORS = ("api", "form")
FRAMINGS = {"declared length": False, "chunked": True}


@pytest.mark.parametrize("framing", FRAMINGS)
@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("server", SERVERS)
def test_an_oversized_lens_upload_is_a_413_and_creates_nothing_under_the_real_server_issue_14(
    servers, server, door, framing
):
    port = servers["ports"][server]
    before = _lenses(port, servers["key"])
    # A lens file padded past the cap: valid JSON, so only its size can refuse it.
    document = json.dumps(factories.lens_document(f"Too large {server} {door} {framing}"))
    oversized = (document[:-1] + ', "padding": "' + "x" * OVERSIZED + '"}').encode()

    status, body = _upload(servers, server, door, oversized, chunked=FRAMINGS[framing])

    assert status == 413, f"{server}: {body[:300]!r}\n{servers['logs'][server].read_text()[-2000:]}"
    if door == "api":
        assert json.loads(body)["code"] == "request_too_large"
    assert _lenses(port, servers["key"]) == before


@pytest.mark.parametrize("framing", FRAMINGS)
@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("server", SERVERS)
def test_a_lens_upload_under_the_cap_is_imported_under_the_real_server(servers, server, door, framing):
    """The other side of the 413: the same doors and framings take a lens of allowed size (and so
    `nothing was created` above means something)."""
    port = servers["ports"][server]
    before = _lenses(port, servers["key"])
    document = json.dumps(factories.lens_document(f"Small {server} {door} {framing}")).encode()

    status, body = _upload(servers, server, door, document, chunked=FRAMINGS[framing])

    assert status == (201 if door == "api" else 302), f"{server}: {body[:300]!r}"
    assert _lenses(port, servers["key"]) == before + 1
