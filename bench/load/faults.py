"""`python -m bench.load.faults` (make faults): MLWA under faults, on private servers that this run
restarts (never a shared one).

1. PostgreSQL restarted during a load run (a fast shutdown, down for OUTAGE seconds, started again):
   saves fail while it is down (counted; a failed save is not an accepted one) and succeed again
   without gunicorn being restarted; /readyz answers 503 (database down) during the outage and 200
   after; the nothing-lost check holds.
2. Redis restarted (append-only, as docker-compose.yml runs it) with reports queued and running: the
   worker reconnects, every queued report ends DONE, and the API (token reads), /healthz and
   /readyz answered throughout without a 5xx. Asking for a report while Redis is down may be
   answered 503 (the designed answer), counted apart.

Prints a pass/fail line per check; exit status 1 if any failed. Options: --clients, --seconds.
"""

import argparse
import asyncio
import re
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

import httpx  # noqa: E402 - the path above first

from bench.load import servers  # noqa: E402
from bench.load.stack import Stack, load_run, prepare  # noqa: E402

OUTAGE = 3.0  # seconds each server stays down
REPORTS = 6
PASSWORD = "load-test-" + secrets.token_urlsafe(12)


class Results:
    """The checks, in order, each passed or failed with what was seen."""

    def __init__(self):
        self.rows: list[tuple[bool, str]] = []

    def check(self, ok: bool, text: str) -> None:
        self.rows.append((bool(ok), text))
        print(f"  [{'pass' if ok else 'FAIL'}] {text}", flush=True)

    @property
    def ok(self) -> bool:
        return all(ok for ok, _text in self.rows)


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


async def _readyz(http: httpx.AsyncClient) -> tuple[int | str, dict]:
    try:
        response = await http.get("/readyz")
    except httpx.TransportError as failure:
        return type(failure).__name__, {}
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, {}


# --- 1. PostgreSQL ---------------------------------------------------------------------------------


def postgres_restart(stack: Stack, clients: int, seconds: float, results: Results) -> None:
    say(f"1. PostgreSQL restarted during a load run: {clients} clients for {seconds:g} s")
    seen: dict[str, object] = {}
    master = stack.web.pid

    async def restart(stack: Stack, log) -> None:
        async with httpx.AsyncClient(base_url=stack.base, timeout=10, headers=_headers()) as http:
            await asyncio.sleep(seconds / 4)
            seen["down_at"] = time.monotonic()
            await asyncio.to_thread(stack.postgres.stop)
            seen["stopped_at"] = time.monotonic()
            seen["readyz_down"] = await _readyz(http)
            await asyncio.sleep(OUTAGE)
            await asyncio.to_thread(stack.postgres.start)
            seen["up_at"] = time.monotonic()
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                seen["readyz_up"] = await _readyz(http)
                if seen["readyz_up"][0] == 200:
                    break
                await asyncio.sleep(0.2)

    result = load_run(stack, clients=clients, seconds=seconds, during=restart)
    log = result.pop("log")
    down_at, up_at = seen["down_at"], seen["up_at"]
    failed_at = [at for at, kind in log.events if kind not in {"ok", "stale"}]
    saved_after = [at for at, kind in log.events if kind == "ok" and at > up_at]
    first_after = min(saved_after) - up_at if saved_after else None
    late_errors = [at for at in failed_at if at > up_at + 5]
    say(
        f"   down {up_at - down_at:.1f} s; requests failed: {len(failed_at)} {log.errors}, "
        f"the first {min(failed_at) - down_at:+.1f} s and the last {max(failed_at) - up_at:+.1f} s from the "
        f"stop and the start"
        if failed_at
        else "   no request failed"
    )
    say(
        f"   accepted {result['accepted']} saves ({len(saved_after)} after the restart, the first "
        f"{first_after:.1f} s after it), stale {result['stale']}; check: {result['check']}"
        if first_after is not None
        else f"   accepted {result['accepted']}, none after the restart"
    )
    status, body = seen["readyz_down"]
    database = body.get("checks", {}).get("database", {}).get("status")
    results.check(
        status == 503 and database == "down", f"/readyz with PostgreSQL down: {status}, database {database}"
    )
    status, body = seen.get("readyz_up", ("none", {}))
    results.check(status == 200, f"/readyz after the restart: {status} {body.get('status', '')}")
    results.check(bool(failed_at), f"saves failed while PostgreSQL was down ({len(failed_at)} failed)")
    results.check(
        len(saved_after) > 0 and not late_errors,
        f"saves succeed again without restarting gunicorn: {len(saved_after)} accepted after the restart, "
        f"{len(late_errors)} failed more than 5 s after it",
    )
    results.check(stack.web.alive() and stack.web.pid == master, "gunicorn ran throughout (same master)")
    check = result["check"]
    results.check(
        result["ok"],
        f"nothing lost: each answer its last save {_yes(check['equal_last_save'])}, every accepted save in "
        f"the audit trail {_yes(check['saves_in_audit_trail'])}, nothing else {_yes(check['nothing_else'])} "
        f"(lost {check['lost']}, extra {check['extra']}, in doubt {check['in_doubt']}) {check['examples']}",
    )


# --- 2. Redis --------------------------------------------------------------------------------------


async def _login(stack: Stack, username: str) -> httpx.AsyncClient:
    """A browser's session: the login page's form posted with its CSRF token. The cookies are
    Secure (production, behind the TLS proxy): httpx keeps them from plain http://, so they are
    sent by hand, as the browser sends them over its HTTPS."""
    http = httpx.AsyncClient(base_url=stack.base, timeout=10, headers=_headers())
    page = await http.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if page.status_code != 200 or token is None:
        raise servers.ServerError(f"the login page: {page.status_code}")
    form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    headers = {"Referer": f"https://127.0.0.1:{stack.web_port}/accounts/login/", "Cookie": _cookies(http)}
    response = await http.post("/accounts/login/", data=form, headers=headers)
    if response.status_code != 302:
        raise servers.ServerError(f"login: {response.status_code}")
    http.headers["Cookie"] = _cookies(http)
    return http


def _cookies(http: httpx.AsyncClient) -> str:
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in http.cookies.jar)


async def _pages(stack: Stack, setup: dict, stop: asyncio.Event, seen: dict) -> None:
    """Reads, over and over until `stop`: pages in a session (the dashboard, the shared workload),
    and with a token /healthz, /readyz, the workloads and a lens review's answers."""
    shared = next(spec for spec in setup["clients"] if spec["shared"])
    own = next(spec for spec in setup["clients"] if not spec["shared"])
    browser = await _login(stack, setup["owner"])
    answers = f"/api/v1/workloads/{own['workload']}/lens-reviews/{setup['alias']}/answers/"
    api = httpx.AsyncClient(base_url=stack.base, timeout=10, headers=_headers(own["token"]))
    reads = [(browser, "/"), (browser, f"/workloads/{shared['workload']}/")]
    reads += [(api, "/healthz"), (api, "/readyz"), (api, "/api/v1/workloads/"), (api, answers)]
    try:
        while not stop.is_set():
            for http, path in reads:
                try:
                    status = (await http.get(path)).status_code
                except httpx.TransportError as failure:
                    status = type(failure).__name__
                seen[status] = seen.get(status, 0) + 1
                if seen.get("outage"):
                    seen["read while Redis was down"] = seen.get("read while Redis was down", 0) + 1
            await asyncio.sleep(0.05)
    finally:
        await browser.aclose()
        await api.aclose()


def redis_restart(stack: Stack, results: Results) -> None:
    say(f"2. Redis restarted with {REPORTS} reports queued and running")
    worker = servers.Process(
        "worker",
        ["deploy/worker"],
        {**stack.env, "MLWA_WORKER_CONCURRENCY": "2", "MLWA_LOG_LEVEL": "INFO"},
        stack.folder,
    )
    stack.callback(worker.stop)
    worker.wait_for_log(" ready.", 90)
    setup = prepare(stack.env, "--clients", "2", "--password", PASSWORD)
    asyncio.run(_redis_scenario(stack, worker, setup, results))


async def _redis_scenario(stack: Stack, worker: servers.Process, setup: dict, results: Results) -> None:
    stop, seen = asyncio.Event(), {}
    spec = next(spec for spec in setup["clients"] if not spec["shared"])
    pages = asyncio.ensure_future(_pages(stack, setup, stop, seen))
    async with httpx.AsyncClient(base_url=stack.base, timeout=30, headers=_headers(spec["token"])) as http:
        body = {"kind": "LENS_REVIEW", "format": "PDF", "workload": spec["workload"]}
        asked = [await http.post("/api/v1/reports/", json=body) for _ in range(REPORTS)]
        ids = [response.json()["id"] for response in asked if response.status_code == 202]
        results.check(len(ids) == REPORTS, f"{REPORTS} reports asked for: {[r.status_code for r in asked]}")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not await _statuses(http, ids, {"RUNNING"}):
            await asyncio.sleep(0.1)
        before = await _statuses(http, ids)
        say(f"   Redis stopped with the reports {before}")
        await asyncio.to_thread(stack.redis.stop)
        seen["outage"] = True
        during = await http.post("/api/v1/reports/", json=body)
        await asyncio.sleep(OUTAGE)
        seen["outage"] = False
        await asyncio.to_thread(stack.start_redis)
        say(f"   Redis started again; asked for a report meanwhile: {during.status_code}")
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            final = await _statuses(http, ids)
            if all(status.startswith(("DONE", "FAILED")) for status in final.values()):
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(1)  # a few more reads after the last report
    stop.set()
    await pages
    results.check(set(final.values()) == {"DONE"}, f"the queued reports finished: {final}")
    results.check(worker.alive(), "the worker reconnected (the same process, still running)")
    results.check(
        during.status_code in {202, 503}, f"a report asked for during the outage: {during.status_code}"
    )
    during_outage = seen.pop("read while Redis was down", 0)
    seen.pop("outage")
    errors = {
        status: count for status, count in seen.items() if not (isinstance(status, int) and status < 500)
    }
    results.check(
        not errors and during_outage > 0,
        f"reads throughout (pages in a session; /healthz, /readyz, workloads, answers with a token): "
        f"{sum(seen.values())} answered, {during_outage} of them while Redis was down: {seen}",
    )


async def _statuses(http: httpx.AsyncClient, ids: list[int], wanted: set[str] | None = None):
    """Each report's status; with `wanted`, whether any report has one of them."""
    statuses = {}
    for report in ids:
        response = await http.get(f"/api/v1/reports/{report}/")
        body = response.json() if response.status_code == 200 else {}
        statuses[report] = str(body.get("status", response.status_code))
        if body.get("error"):
            statuses[report] += f" ({body['error'][:200]})"
    return any(status.split()[0] in wanted for status in statuses.values()) if wanted else statuses


def _headers(key: str | None = None) -> dict[str, str]:
    headers = {"X-Forwarded-Proto": "https"}
    return headers | ({"Authorization": f"Token {key}"} if key else {})


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load.faults", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=16)
    args = parser.parse_args(argv)
    reason = servers.missing_servers()
    if reason:
        print(f"faults skipped: {reason}")
        return 0
    results = Results()
    started = time.monotonic()
    try:
        with Stack(redis_append_only=True) as stack:
            try:
                postgres_restart(stack, args.clients, args.seconds, results)
                redis_restart(stack, results)
            except Exception as failure:  # noqa: BLE001 - report it with the servers' logs
                results.check(False, f"the run stopped: {failure!r}")
                print(stack.tails(), file=sys.stderr)
    except servers.ServerError as failure:
        results.check(False, f"the servers did not start: {failure}")
    passed = sum(ok for ok, _text in results.rows)
    print(f"faults: {time.monotonic() - started:.0f} s")
    print(f"faults: {passed} passed, {len(results.rows) - passed} failed")
    return 0 if results.ok else 1


if __name__ == "__main__":
    sys.exit(main())
