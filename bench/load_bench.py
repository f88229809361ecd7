"""The load test at full size (bench.load): 20 clients saving whole answers with If-Match for 30 s,
half on one shared workload, half on their own, against gunicorn on PostgreSQL, from one
asynchronous client process; then the nothing-lost check.

It runs in a process of its own, with servers of its own: a private PostgreSQL cluster and Redis
where Debian's binaries are installed (nothing needs to be running), else a scratch database beside
DATABASE_URL's, else its row cannot run and names what is missing.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.load import servers
from bench.rows import cannot_run

CLIENTS, SECONDS = 20, 30
SAVES_GOAL, P95_GOAL_MS = 200, 100
LABEL = f"load test, {CLIENTS} clients {SECONDS} s"


def run():
    command = [sys.executable, "-m", "bench.load", "--clients", str(CLIENTS), "--seconds", str(SECONDS)]
    reason = servers.missing_servers()
    if reason:
        database_url = os.environ.get("DATABASE_URL", "")
        if not database_url.startswith("postgres"):
            yield cannot_run(LABEL, f"private servers ({reason}), and DATABASE_URL is not PostgreSQL")
            return
        command += ["--scratch-beside", database_url]
    with tempfile.TemporaryDirectory(prefix="mlwa-load-bench-") as folder:
        output = Path(folder) / "load.json"
        # Its summary goes to stderr, beside the other sections' progress; the table has the figures.
        subprocess.run(  # noqa: S603 - our own module
            [*command, "--json", str(output)],
            cwd=servers.ROOT,
            stdout=sys.stderr,
            check=False,
        )
        result = json.loads(output.read_text()) if output.exists() else {"failed": "no result written"}
    if "skipped" in result:
        yield cannot_run(LABEL, result["skipped"])
        return
    if "failed" in result:
        yield (LABEL, f"FAILED: {result['failed']}", None, False)
        return
    check = result["check"]
    yield (
        f"{LABEL}: saves/s",
        f"{result['saves_per_s']:.0f}",
        f">= {SAVES_GOAL}",
        result["saves_per_s"] >= SAVES_GOAL,
    )
    yield (
        f"{LABEL}: p95 latency",
        f"{result['p95_ms']:.0f} ms",
        f"< {P95_GOAL_MS} ms",
        result["p95_ms"] < P95_GOAL_MS,
    )
    yield (f"{LABEL}: median latency", f"{result['median_ms']:.0f} ms", None, None)
    kinds = ", ".join(f"{kind}: {count}" for kind, count in result["error_kinds"].items())
    yield (
        f"{LABEL}: errors",
        f"{result['errors']}" + (f" ({kinds})" if kinds else ""),
        "= 0",
        result["errors"] == 0,
    )
    yield (f"{LABEL}: stale refusals (412)", str(result["stale"]), None, None)
    lost = check["lost"] + check["extra"]
    held = ", ".join(
        "yes" if check[name] else "NO" for name in ("equal_last_save", "saves_in_audit_trail", "nothing_else")
    )
    yield (
        f"{LABEL}: lost (last save, audit trail, nothing else)",
        f"{lost} ({held}; {result['accepted']} saves checked)",
        "= 0",
        lost == 0 and result["ok"],
    )
    cpu = result["cpu"]
    yield (
        f"{LABEL}: CPU in cores (client, web, PostgreSQL)",
        f"{cpu['client']}, {cpu['web']}, {cpu['postgres']}",
        None,
        None,
    )
