"""The servers of a load or fault run, each a child of this process that it stops at the end: a
private PostgreSQL cluster (initdb in a temporary folder, its own port, as .ci/run makes one; run as
the postgres user when we are root, since PostgreSQL refuses to run as root), a private Redis, and
gunicorn and a Celery worker as deploy/web and deploy/worker run them.

Everything listens on 127.0.0.1 only.
"""

# Only our own programs and Debian's PostgreSQL and Redis binaries are started.
# ruff: noqa: S603, S607

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
VENV_BIN = Path(sys.executable).parent


class ServerError(Exception):
    """A server did not start or stop as asked."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL server binaries (/usr/lib/postgresql/<n>/bin), if installed."""
    found = sorted(
        (path for path in Path("/usr/lib/postgresql").glob("*/bin") if (path / "initdb").exists()),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


def missing_postgres() -> str | None:
    """Why a private PostgreSQL cluster cannot be made here, or None."""
    if postgres_bin() is None:
        return "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and there is no postgres user to run PostgreSQL as"
    return None


def missing_servers() -> str | None:
    """Why private servers (PostgreSQL and Redis) cannot be made here, or None."""
    if (reason := missing_postgres()) is not None:
        return reason
    if shutil.which("redis-server") is None:
        return "no redis-server"
    return None


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class Postgres:
    """A throwaway PostgreSQL cluster in `folder`, on 127.0.0.1:`port` (trust authentication)."""

    def __init__(self):
        self.bin = postgres_bin()
        if self.bin is None:
            raise ServerError("no PostgreSQL server binaries")
        # A folder of its own, short (the server's socket lives in it, and socket paths are limited
        # to ~100 bytes), owned by the user the server runs as.
        self.folder = Path(tempfile.mkdtemp(prefix="mlwa-load-pg."))
        self.data = self.folder / "data"
        self.port = free_port()
        self.running = False
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")

    def url(self, database: str = "mlwa_load") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            _as_postgres([str(self.bin / argv[0]), *argv[1:]]),
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=check,
        )

    def create(self, database: str = "mlwa_load") -> None:
        """initdb (C.UTF-8, else C, as .ci/run), start, and create `database`."""
        common = ["-D", str(self.data), "-A", "trust", "-U", "postgres", "--encoding=UTF8"]
        if self._run("initdb", *common, "--locale=C.UTF-8", check=False).returncode != 0:
            shutil.rmtree(self.data, ignore_errors=True)
            self._run("initdb", *common, "--locale=C")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", database)

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c max_connections=100"
        result = self._run(
            "pg_ctl", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.folder / "log"),
            "-o", options, "start", check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise ServerError(f"PostgreSQL did not start: {result.stderr}{self.tail()}")
        self.running = True

    def stop(self) -> None:
        """A fast shutdown: open transactions are rolled back and clients disconnected."""
        if self.running:
            self._run("pg_ctl", "-w", "-t", "60", "-D", str(self.data), "-m", "fast", "stop", check=False)
            self.running = False

    def remove(self) -> None:
        """Stop the server and delete the cluster."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def pid(self) -> int | None:
        """The postmaster's process id, while it runs."""
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.data / "postmaster.pid").read_text().split()[0])
        return None

    def tail(self, lines: int = 20) -> str:
        log = self.folder / "log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""


class Process:
    """A child in a process group of its own (so that it and its children stop together), its
    output in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], folder: Path):
        self.name = name
        self.log = folder / f"{name}.log"
        # A process started again appends to the same log: only what this one writes counts.
        self.offset = self.log.stat().st_size if self.log.exists() else 0
        self.popen = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM to the leader (a graceful stop), then SIGKILL to the whole group."""
        if self.alive():
            self.popen.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()

    def wait_for_log(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log.read_bytes()[self.offset :].decode(errors="replace"):
                return
            if not self.alive():
                break
            time.sleep(0.1)
        raise ServerError(f"{self.name} did not log {text!r}: {self.tail()}")

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def redis_server(folder: Path, port: int, *, append_only: bool = False) -> Process:
    """A Redis on 127.0.0.1:`port`, its files in `folder`: without persistence, or with the
    append-only file that docker-compose.yml's keeps the queue in across restarts."""
    redis = Process(
        "redis",
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
        + ["--appendonly", "yes" if append_only else "no", "--dir", str(folder), "--daemonize", "no"],
        os.environ.copy(),
        folder,
    )
    redis.wait_for_log("Ready to accept connections", 10)
    return redis


def app_env(*, database_url: str, redis_url: str | None, folder: Path, **extra: str) -> dict[str, str]:
    """The production settings the servers run with: debug off, a secret, the database, Redis for
    the rate limits (raised for the test) and the broker, behind a TLS proxy (the clients send
    X-Forwarded-Proto: https, as the proxy would), logs as in production (a line per request)."""
    env = {
        **os.environ,
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "DJANGO_SETTINGS_MODULE": "mlwa.settings",
        "DATABASE_URL": database_url,
        "MLWA_DEBUG": "false",
        "MLWA_SECRET_KEY": "load-test-" + os.urandom(24).hex(),
        "MLWA_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MLWA_BEHIND_TLS_PROXY": "true",
        "MLWA_VAR_DIR": str(folder / "var"),
        "MLWA_API_RATE_USER": "1000000/minute",
        **extra,
    }
    env.pop("MLWA_LOG_LEVEL", None)  # production's INFO: a log line per request is part of the cost
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    if redis_url:
        env["MLWA_CACHE_URL"] = f"{redis_url}/1"
        env["CELERY_BROKER_URL"] = f"{redis_url}/0"
    else:
        env.pop("MLWA_CACHE_URL", None)
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def web(env: dict[str, str], folder: Path, port: int, workers: int | None = None) -> Process:
    """deploy/web without its migrate and collectstatic (MLWA_WEB_PREPARE=false): done already
    (bench.load.prepare collects the static files without compressing them: ~40 s of CPU saved)."""
    extra = {"MLWA_BIND": f"127.0.0.1:{port}", "MLWA_WEB_PREPARE": "false"}
    if workers:
        extra["MLWA_WEB_WORKERS"] = str(workers)
    return Process("web", ["deploy/web"], {**env, **extra}, folder)


def wait_for_http(url: str, process: Process, timeout: float = 60) -> None:
    """Until `url` answers at all (any status)."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            raise ServerError(f"{process.name} exited: {process.tail()}")
        try:
            httpx.get(url, timeout=2, headers={"X-Forwarded-Proto": "https"})
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise ServerError(f"{url} did not answer in {timeout:.0f} s: {process.tail()}")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of `pid` and every live descendant, from /proc; 0 where unreadable."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    family, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent and child not in family]
        family.update(children)
        frontier.extend(children)
    return sum(times.get(member, 0.0) for member in family)
