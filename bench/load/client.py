"""The load test's clients: coroutines in one process, each with its own token and one HTTP/1.1
keep-alive connection (httpx), saving answers for a fixed time as fast as the server answers.

Each save is a PATCH of the whole answer (choices selected, choices not applicable with a reason,
whether the question applies and why not, notes) with If-Match naming the version the client last
knew: read with a GET the first time, then taken from each answer, 200 or 412 (whose body carries
the stored answer). Contents are random but valid (LENS_FORMAT.md: "None of these" goes alone and is
never not applicable; a selected choice takes no reason; only a question that does not apply takes
a reason), so that any 400 is an error of the server's, and the notes are unique to each save, so
that every accepted save makes a new version and each attempt can be told apart in the audit trail.
"""

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.load.check import Key, Save

REASONS = ("OUT_OF_SCOPE", "BUSINESS_PRIORITIES", "ARCHITECTURE_CONSTRAINTS", "OTHER", "NONE")
TIMEOUT = 10.0


@dataclass
class Log:
    """What the clients saw, all together."""

    accepted: list[Save] = field(default_factory=list)
    failed: list[tuple[Key, dict]] = field(default_factory=list)  # outcome unknown to the client
    latencies: list[float] = field(default_factory=list)  # seconds, accepted saves only
    stale: int = 0  # 412
    errors: dict[str, int] = field(default_factory=dict)  # "400", "500", "timeout", "connection"...
    reads: int = 0
    events: list[tuple[float, str]] = field(default_factory=list)  # (time, "ok"/"stale"/error kind)

    def error(self, kind: str, at: float) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
        self.events.append((at, kind))


def random_answer(rng: random.Random, choices: list[str], serial: str) -> dict[str, Any]:
    """A whole, valid answer to a question with `choices` (its "None of these" last, `<id>_no`)."""
    none_of_these = next((c for c in choices if c.endswith("_no")), None)
    practices = [c for c in choices if c != none_of_these]
    if none_of_these and rng.random() < 0.15:
        selected = [none_of_these]
    else:
        selected = [c for c in practices if rng.random() < 0.5]
    rest = [c for c in practices if c not in selected]
    not_applicable = {
        c: {"reason": rng.choice(REASONS), "notes": f"n/a {serial}" if rng.random() < 0.5 else ""}
        for c in rest
        if rng.random() < 0.25
    }
    applicable = rng.random() >= 0.1
    return {
        "selected_choices": selected,
        "not_applicable_choices": not_applicable,
        "is_applicable": applicable,
        "reason": "" if applicable else rng.choice(REASONS),
        "notes": f"load save {serial}: " + "x" * rng.randrange(0, 200),
    }


def _version(response: httpx.Response) -> int | None:
    tag = response.headers.get("ETag", "").removeprefix("W/").strip('"')
    return int(tag) if tag.isdigit() else None


def connection(base: str, token: str) -> httpx.AsyncClient:
    """A client's HTTP/1.1 connection, kept alive between requests, as one of its token's user."""
    return httpx.AsyncClient(
        base_url=base,
        # As the TLS-terminating proxy in front of MLWA in production says: the client's was HTTPS.
        headers={"Authorization": f"Token {token}", "X-Forwarded-Proto": "https"},
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        timeout=TIMEOUT,
    )


async def read_versions(http: httpx.AsyncClient, answers: str, questions: list[str]) -> dict[str, int]:
    """The version of each answer, read one by one: what a client knows before it starts saving
    (and, since every process of the server answers some of them, their warm-up)."""
    known = {}
    for question in questions:
        response = await http.get(f"{answers}/{question}/")
        if response.status_code == 200 and _version(response) is not None:
            known[question] = _version(response)
    return known


async def client(
    number: int,
    *,
    http: httpx.AsyncClient,
    workload: int,
    alias: str,
    questions: dict[str, list[str]],
    known: dict[str, int],
    until: float,
    log: Log,
    seed: int,
) -> None:
    """One client, saving answers of `workload` until the monotonic clock passes `until`, starting
    from the versions it `known`s (reading the others first)."""
    rng = random.Random(seed * 1000 + number)
    answers = f"/api/v1/workloads/{workload}/lens-reviews/{alias}/answers"
    serial = 0
    while time.monotonic() < until:
        question = rng.choice(list(questions))
        key: Key = (workload, alias, question)
        url = f"{answers}/{question}/"
        if question not in known:
            try:
                response = await http.get(url)
            except httpx.TransportError as failure:
                log.error(_kind(failure), time.monotonic())
                await asyncio.sleep(0.05)
                continue
            log.reads += 1
            if response.status_code != 200 or _version(response) is None:
                log.error(f"GET {response.status_code}", time.monotonic())
                await asyncio.sleep(0.05)
                continue
            known[question] = _version(response)
        serial += 1
        body = random_answer(rng, questions[question], f"c{number}-{serial}")
        started = time.monotonic()
        try:
            response = await http.patch(url, json=body, headers={"If-Match": f'"{known[question]}"'})
        except httpx.TransportError as failure:
            log.failed.append((key, body))
            log.error(_kind(failure), time.monotonic())
            known.pop(question, None)
            await asyncio.sleep(0.05)  # a server that is down is not hammered
            continue
        now = time.monotonic()
        version = _version(response)
        if response.is_success and version is not None:
            log.accepted.append(Save(key, version, body))
            log.latencies.append(now - started)
            log.events.append((now, "ok"))
            known[question] = version
        elif response.status_code == 412 and version is not None:
            log.stale += 1
            log.events.append((now, "stale"))
            known[question] = version
        else:
            # A 5xx may come after a commit (the database gone during the answer): unknown outcome.
            if response.status_code >= 500:
                log.failed.append((key, body))
            log.error(str(response.status_code), now)
            known.pop(question, None)
            await asyncio.sleep(0.05)


def _kind(failure: httpx.TransportError) -> str:
    return "timeout" if isinstance(failure, httpx.TimeoutException) else "connection"


async def run_clients(
    *,
    base: str,
    setup: dict,
    seconds: float,
    log: Log,
    seed: int = 7,
    clients: list[dict] | None = None,
    on_start=None,
) -> float:
    """Every client of `setup` (or `clients`) at once for `seconds`, after each has read the
    versions of its workload's answers (not timed; `on_start()` is called when the timing starts);
    the wall time of the saving."""
    specs = clients if clients is not None else setup["clients"]
    alias, questions = setup["alias"], setup["questions"]
    async with contextlib.AsyncExitStack() as stack:
        https = [await stack.enter_async_context(connection(base, spec["token"])) for spec in specs]
        knowns = await asyncio.gather(
            *(
                read_versions(
                    http,
                    f"/api/v1/workloads/{spec['workload']}/lens-reviews/{alias}/answers",
                    list(questions),
                )
                for http, spec in zip(https, specs, strict=True)
            )
        )
        if on_start:
            on_start()
        started = time.monotonic()
        await asyncio.gather(
            *(
                client(
                    number,
                    http=http,
                    workload=spec["workload"],
                    alias=alias,
                    questions=questions,
                    known=known,
                    until=started + seconds,
                    log=log,
                    seed=seed,
                )
                for number, (http, spec, known) in enumerate(zip(https, specs, knowns, strict=True))
            )
        )
        return time.monotonic() - started
