"""`make run`'s script, bin/run-embedded: a web server and a real Celery worker on the filesystem broker
(no Redis), both stopped by one Ctrl-C.

Runs the script as `make run` does, on a free port, with a temporary var folder (SQLite, broker files)
and none of the production variables, so it proves the embedded default on a fresh machine.
"""

# This test starts our own programs (bash, celery, pgrep) and opens only http://127.0.0.1 URLs.
# ruff: noqa: S310, S603, S607

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES

# Real servers in subprocesses: seconds each, so outside `make test`'s quick run.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bin" / "run-embedded"
VENV_BIN = Path(sys.prefix) / "bin"


def _missing() -> str:
    """Why the test cannot run here, or "" when it can."""
    for program in ("bash", "pgrep", "pkill"):
        if shutil.which(program) is None:
            return f"{program} is not installed"
    if not (VENV_BIN / "celery").exists():
        return f"celery is not installed in {VENV_BIN}"
    version = subprocess.run(
        ["bash", "-c", "echo ${BASH_VERSINFO[0]}${BASH_VERSINFO[1]}"], capture_output=True, text=True
    ).stdout.strip()
    if int(version or 0) < 51:
        return "bin/run-embedded needs bash 5.1 or later (wait -n with process ids)"
    return ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Output:
    """Collects a process's output in a thread, so that the pipe never fills and lines can be awaited."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line)

    def wait_for(self, text: str, deadline: float) -> bool:
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return True
            time.sleep(0.1)
        return False

    def __str__(self) -> str:
        return "".join(self.lines[-60:])


def _answers(url: str, deadline: float) -> int:
    """The HTTP status of url once the server answers, or 0 if it never did before the deadline."""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except OSError:
            time.sleep(0.2)
    return 0


def test_make_run_starts_a_worker_beside_the_server_and_ctrl_c_stops_both(tmp_path):
    missing = _missing()
    if missing:
        if REQUIRE_SERVICES:
            pytest.fail(missing)
        pytest.skip(missing)

    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "MLWA_CACHE_URL", "CELERY_TASK_ALWAYS_EAGER"}
    }
    env.update(MLWA_VAR_DIR=str(tmp_path), MLWA_VENV=sys.prefix, MLWA_RUN_NO_DEMO="1", MLWA_RUN_NORELOAD="1")
    started = time.monotonic()
    # A session of its own, as a terminal gives `make run`; SIGINT back to its default, which a
    # test runner's worker process may have set to ignored (and bash cannot trap an ignored signal).
    process = subprocess.Popen(
        [str(SCRIPT), f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    output = _Output(process.stdout)
    try:
        deadline = started + 30
        assert _answers(f"http://127.0.0.1:{port}/accounts/login/", deadline) == 200, output
        worker = f"embedded@{socket.gethostname()}"
        assert output.wait_for(f"{worker} ready", deadline), output
        # The worker answers over the filesystem broker: a real consumer, not just a process.
        ping = subprocess.run(
            [str(VENV_BIN / "celery"), "-A", "mlwa", "inspect", "ping", "-d", worker, "--timeout", "5"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert "pong" in ping.stdout, ping.stdout + ping.stderr

        process.send_signal(signal.SIGINT)
        stopped = time.monotonic()
        process.wait(timeout=15)
        assert time.monotonic() - stopped < 12, output
        assert process.returncode == 130, output
        # Nothing of the session is left: neither the server nor the worker (nor its pool).
        time.sleep(0.2)
        left = subprocess.run(["pgrep", "-a", "-s", str(process.pid)], capture_output=True, text=True)
        assert left.stdout == "", left.stdout
        assert _answers(f"http://127.0.0.1:{port}/accounts/login/", time.monotonic() + 1) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        # The children run in process groups of their own, all in the script's session.
        subprocess.run(["pkill", "-KILL", "-s", str(process.pid)], check=False)
