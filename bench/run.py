"""`make bench`: run every benchmark on a fresh embedded database and print one table.

Each benchmark is a function that yields rows (measure, value, goal, whether it met the goal). The
database is a new SQLite file in a temporary folder, unless DATABASE_URL says otherwise.
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="mlwa-bench-") as folder:
        os.environ.setdefault("MLWA_VAR_DIR", folder)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlwa.settings")
        os.environ.setdefault("MLWA_LOG_LEVEL", "WARNING")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        from bench import api_bench, lens_bench, load_bench, milestones_bench, reports_bench, reviews_bench

        rows = []
        # api_bench: PostgreSQL only (DATABASE_URL), on a database of its own that it drops after.
        # load_bench: servers of its own (a private PostgreSQL cluster, Redis, gunicorn), in a process
        # of its own.
        sections = (lens_bench, reviews_bench, milestones_bench, reports_bench, api_bench, load_bench)
        for section in sections:
            for row in section.run():
                rows.append(row)
                print(f"  {row[0]}: {row[1]}", file=sys.stderr, flush=True)
        print(_table(rows, connection.vendor))
        return 0 if all(row[3] is not False for row in rows) else 1


def _table(rows, vendor: str) -> str:
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
