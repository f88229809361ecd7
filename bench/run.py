"""`make bench`: run every benchmark on a scratch database of its own and print one table.

Each benchmark is a function that yields rows (measure, value, goal, whether it met the goal; see
bench.rows). The database is never the one DATABASE_URL names: with a PostgreSQL DATABASE_URL, a new
database on that server, dropped at the end; otherwise a new SQLite file in a temporary folder. A row
that could not be measured (a folder or a server missing) fails the run, and is named after the table.
"""

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rows import CANNOT_RUN, Row  # noqa: E402 - the path above first


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="mlwa-bench-") as folder, _scratch_database(folder) as where:
        # The scratch folder holds the SQLite file, reports and logs; the sections' subprocesses
        # inherit it and the scratch DATABASE_URL from this environment.
        os.environ["MLWA_VAR_DIR"] = folder
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlwa.settings")
        os.environ.setdefault("MLWA_LOG_LEVEL", "WARNING")
        print(f"make bench: on {where}", file=sys.stderr, flush=True)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, connections

        call_command("migrate", verbosity=0)
        from bench import (
            api_bench,
            improvements_bench,
            lens_bench,
            load_bench,
            milestones_bench,
            notifications_bench,
            reports_bench,
            reviews_bench,
            search_bench,
        )

        rows: list[Row] = []
        # api_bench: on PostgreSQL, on a database of its own that it drops after (a private cluster
        # when the bench's database is SQLite). load_bench: servers of its own (a private PostgreSQL
        # cluster, Redis, gunicorn), in a process of its own.
        sections = (
            lens_bench,
            reviews_bench,
            milestones_bench,
            reports_bench,
            search_bench,
            improvements_bench,
            notifications_bench,
            api_bench,
            load_bench,
        )
        try:
            for section in sections:
                for row in section.run():
                    rows.append(row)
                    print(f"  {row[0]}: {row[1]}", file=sys.stderr, flush=True)
            vendor = connection.vendor
        finally:
            connections.close_all()  # before the scratch database is dropped
    print(_table(rows, vendor))
    for line in _missing(rows):
        print(line, file=sys.stderr)
    return 0 if all(row[3] is not False for row in rows) else 1


def _missing(rows: list[Row]) -> list[str]:
    """What the measures that could not run were missing, to print after the table."""
    missing = [row for row in rows if row[1].startswith(CANNOT_RUN)]
    if not missing:
        return []
    return [f"make bench: {len(missing)} measure(s) could not run:"] + [
        f"  {measure}: missing {value.removeprefix(CANNOT_RUN)}" for measure, value, _goal, _met in missing
    ]


@contextlib.contextmanager
def _scratch_database(folder: str) -> Iterator[str]:
    """DATABASE_URL pointed at a scratch database for the run, and what it is: a new database beside
    a PostgreSQL DATABASE_URL's (created, then dropped, so that a second run starts as clean as the
    first and the named database is never written), else a new SQLite file in `folder`."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        os.environ.pop("DATABASE_URL", None)  # the embedded default: mlwa.sqlite3 in MLWA_VAR_DIR
        try:
            yield f"a new SQLite database in {folder}"
        finally:
            if url:
                os.environ["DATABASE_URL"] = url
        return
    from bench.load.stack import scratch_database

    with scratch_database(url, purpose="bench") as scratch:
        os.environ["DATABASE_URL"] = scratch
        try:
            yield f"the scratch database {scratch.rsplit('/', 1)[1]} beside DATABASE_URL's, dropped after"
        finally:
            os.environ["DATABASE_URL"] = url


def _table(rows: list[Row], vendor: str) -> str:
    headers = ("measure", "value", "goal", "met")
    cells = [headers] + [(m, v, g or "", {True: "yes", False: "NO", None: ""}[ok]) for m, v, g, ok in rows]
    widths = [max(len(str(row[i])) for row in cells) for i in range(4)]
    lines = [f"MLWA benchmarks ({vendor}, {os.cpu_count()} cores)"]
    for index, row in enumerate(cells):
        lines.append(
            "| " + " | ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"
        )
        if index == 0:
            lines.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
