"""The organisation-wide risk summary through the API, for a user who may see every workload, over
10,000 workloads with the built-in lens answered (`manage.py bench_workloads`), next to a baseline
that reads the same rows and writes them out with the plainest code: one hand-written SQL query over
the per-pillar counts that database triggers keep as answers change (reviews.PillarRiskCounts, what
the API reads too), with the workload's, lens's and pillar's names and the same visibility filter,
its rows written out with json.dumps; and, since that filter keeps every row for this user and the
API knows to leave it out, the same query without it. PostgreSQL only: what an organisation that
size runs on.

The API side is the whole stack through the test client (middleware, token authentication, rate
limit, view, selector, renderer), the response rendered in full; nothing is cached across requests
on either side. Medians of 20 runs after a warm-up, the API and the baseline taken in turn.

The section runs on a database of its own, made for it beside the bench's (as pytest makes its
test database) and dropped at the end: the summary covers exactly the generated workloads, not
what earlier sections left, and the data is committed and vacuumed, as an instance's would be.
When the bench's database is SQLite, it runs in a process of its own (`python -m bench.api_bench`)
on a private PostgreSQL cluster (bench.load.servers), else its row cannot run.
"""

import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.core.management import call_command
from django.db import connection

from bench.rows import Row, cannot_run

WORKLOADS = 10_000
RUNS = 20
SUMMARY_GOAL_MS, RATIO_GOAL, QUERIES_GOAL, GENERATE_GOAL_S = 300, 2.0, 5, 60
URL = "/api/v1/risk-summary/"
LABEL = f"organisation-wide risk summary, {WORKLOADS:,} workloads"

#: The baseline: every (workload, lens review, pillar) the user may see, with its kept counts and
#: what the summary shows beside them, in the summary's order. The visibility filter is the
#: application's (Workload.objects.visible_to): owner, a share with the user or one of
#: their groups, or "see all workloads" held directly or through a group.
BASELINE_SELECT = """
SELECT w.id, w.name, u.username, w.environment, l.alias, l.name, v.label, p.pillar_id, p.name,
       c.high, c.medium, c.none, c.not_applicable, c.unanswered
FROM reviews_pillarriskcounts c
JOIN reviews_lensreview r ON r.id = c.lens_review_id
JOIN reviews_workload w ON w.id = r.workload_id
JOIN auth_user u ON u.id = w.owner_id
JOIN lens_lens l ON l.id = r.lens_id
JOIN lens_lensversion v ON v.id = r.lens_version_id
JOIN lens_pillar p ON p.id = c.pillar_id
"""
VISIBLE = """
WHERE w.owner_id = %(user)s
   OR EXISTS (SELECT 1 FROM reviews_share s
              WHERE s.workload_id = w.id
                AND (s.user_id = %(user)s
                     OR s.group_id IN (SELECT group_id FROM auth_user_groups WHERE user_id = %(user)s)))
   OR EXISTS (SELECT 1 FROM auth_user_user_permissions up
              JOIN auth_permission p ON p.id = up.permission_id
              JOIN django_content_type ct ON ct.id = p.content_type_id
              WHERE up.user_id = %(user)s AND p.codename = 'view_all_workloads' AND ct.app_label = 'reviews')
   OR EXISTS (SELECT 1 FROM auth_group_permissions gp
              JOIN auth_user_groups ug ON ug.group_id = gp.group_id
              JOIN auth_permission p ON p.id = gp.permission_id
              JOIN django_content_type ct ON ct.id = p.content_type_id
              WHERE ug.user_id = %(user)s AND p.codename = 'view_all_workloads' AND ct.app_label = 'reviews')
"""
IN_ORDER = "ORDER BY w.name, w.id, r.applied_at, r.id, p.position"
BASELINE_SQL = BASELINE_SELECT + VISIBLE + IN_ORDER
#: The same without the visibility filter, which keeps every row for a user who may see all.
UNFILTERED_SQL = BASELINE_SELECT + IN_ORDER


def run():
    if connection.vendor == "postgresql":
        original = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield from _measure()
        finally:
            connection.creation.destroy_test_db(original, verbosity=0)
        return
    yield from _on_private_postgres()


def _on_private_postgres():
    """The section in a process of its own on a private PostgreSQL cluster, its rows read back."""
    from bench.load import servers

    if (reason := servers.missing_postgres()) is not None:
        yield cannot_run(LABEL, f"PostgreSQL: {reason}, and DATABASE_URL is not PostgreSQL")
        return
    with tempfile.TemporaryDirectory(prefix="mlwa-api-bench-") as folder:
        cluster = servers.Postgres()
        try:
            cluster.create("mlwa_api_bench")
            output = Path(folder) / "rows.json"
            env = dict(os.environ, MLWA_VAR_DIR=folder, DATABASE_URL=cluster.url("mlwa_api_bench"))
            subprocess.run(  # noqa: S603 - our own module
                [sys.executable, "-m", "bench.api_bench", "--json", str(output)],
                cwd=Path(__file__).resolve().parent.parent,
                env=env,
                stdout=sys.stderr,
                check=False,
            )
            rows = [tuple(row) for row in json.loads(output.read_text())] if output.exists() else None
        except servers.ServerError as error:
            rows = [cannot_run(LABEL, f"a private PostgreSQL, which did not start: {error}")]
        finally:
            cluster.remove()
    yield from rows or [(LABEL, "FAILED: python -m bench.api_bench wrote no result", None, False)]


def _measure():
    # Imported here: `python -m bench.api_bench` loads this module before Django is set up.
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.test import Client

    from accounts.services import token_create

    started = time.perf_counter()
    call_command("bench_workloads", count=WORKLOADS, verbosity=0, stdout=_Quiet())
    seconds = time.perf_counter() - started
    yield (
        f"bench_workloads --count {WORKLOADS}",
        f"{seconds:.1f} s",
        f"< {GENERATE_GOAL_S} s",
        seconds < GENERATE_GOAL_S,
    )
    with connection.cursor() as cursor:  # what autovacuum would have done by the time anyone asks
        cursor.execute("VACUUM ANALYZE")

    auditor = get_user_model().objects.create_user("bench-auditor")
    auditor.user_permissions.add(Permission.objects.get(codename="view_all_workloads"))
    _token, key = token_create(user=auditor, name="bench")
    client = Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=f"Token {key}")

    def summary(query=None):
        response = client.get(URL, query)
        assert response.status_code == 200, response.status_code
        return response.content

    body = json.loads(summary())
    assert (body["count"], len(body["workloads"]), body["truncated"]) == (WORKLOADS, WORKLOADS, False)
    queries = _queries(summary)

    def baseline(sql=BASELINE_SQL):
        with connection.cursor() as cursor:
            cursor.execute(sql, {"user": auditor.pk})
            return json.dumps(cursor.fetchall())

    # The same figures on both sides: the baseline's rows are the API's pillars, counts and all.
    pillars = [
        [workload["id"], workload["name"], lens["alias"], pillar["pillar_id"], pillar["counts"]["high"]]
        for workload in body["workloads"]
        for lens in workload["lenses"]
        for pillar in lens["pillars"]
    ]
    for sql in (BASELINE_SQL, UNFILTERED_SQL):
        assert [[r[0], r[1], r[4], r[7], r[9]] for r in json.loads(baseline(sql))] == pillars
    api_ms, baseline_ms, unfiltered_ms, csv_ms = _medians(
        summary, baseline, lambda: baseline(UNFILTERED_SQL), lambda: summary({"format": "csv"})
    )
    label = f"risk summary of {WORKLOADS:,} workloads"
    yield (
        f"{label}: API (median of {RUNS})",
        f"{api_ms:.1f} ms",
        f"< {SUMMARY_GOAL_MS} ms",
        api_ms < SUMMARY_GOAL_MS,
    )
    yield (
        f"{label}: baseline, the kept counts in one query + json.dumps",
        f"{baseline_ms:.1f} ms",
        None,
        None,
    )
    yield _ratio_row(f"{label}: API / baseline", api_ms / baseline_ms)
    yield (f"{label}: API queries", str(queries), f"<= {QUERIES_GOAL}", queries <= QUERIES_GOAL)
    # The visibility filter keeps every row for this user; the API, which knows it (every workload
    # matches), reads the counts without it. The same baseline without it, to compare like with like.
    yield (f"{label}: baseline without the visibility filter", f"{unfiltered_ms:.1f} ms", None, None)
    yield _ratio_row(f"{label}: API / baseline without the filter", api_ms / unfiltered_ms)
    yield (f"{label}: API, as CSV (median of {RUNS})", f"{csv_ms:.1f} ms", None, None)


def _ratio_row(measure: str, ratio: float) -> tuple:
    return (measure, f"{ratio:.2f}x", f"<= {RATIO_GOAL}x", ratio <= RATIO_GOAL)


def _medians(*calls) -> list[float]:
    """The median time of each call in ms, over RUNS rounds that take them in turn (so that a change
    in the machine's load falls on all of them alike), after a warm-up. As in reviews_bench, what
    earlier benchmarks left in the process is frozen, so that the garbage collector does not walk
    it on every call."""
    gc.collect()
    gc.freeze()
    times: list[list[float]] = [[] for _call in calls]
    for call in calls:
        call()
    for _round in range(RUNS):
        for call, spent in zip(calls, times, strict=True):
            start = time.perf_counter()
            call()
            spent.append(time.perf_counter() - start)
    gc.unfreeze()
    return [statistics.median(spent) * 1000 for spent in times]


def _queries(call) -> int:
    """The queries one call makes, counted by a wrapper: each request resets the connection's query
    log (Django's request_started signal), which would lose a CaptureQueriesContext's count."""
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        call()
    return len(executed)


class _Quiet:
    """Swallows the command's report: the table says what counts."""

    def write(self, text, *args, **kwargs):
        pass

    def flush(self):
        pass


def main(argv: list[str]) -> int:
    """`python -m bench.api_bench --json FILE`: the section's rows on DATABASE_URL's PostgreSQL,
    migrated first, written to FILE as JSON (bench/run.py's way to run it beside a SQLite bench)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlwa.settings")
    django.setup()
    call_command("migrate", verbosity=0)
    rows: list[Row] = []
    for row in run():
        rows.append(row)
        print(f"  {row[0]}: {row[1]}", file=sys.stderr, flush=True)
    Path(argv[argv.index("--json") + 1]).write_text(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
