"""`python -m bench.lens_limits`: lenses at the format's limits, imported and linted on one database
(issue 14), beside the largest benign lens on the same database in the same run.

Three lenses of 500,000 characters (tests/lens/generators.py and bench.lens_bench.largest_lens):

- the largest benign lens, 10 pillars x 20 questions x 15 choices: the yardstick;
- the issue's generator (~160 questions whose rules are settled only at their last choice);
- the deepest conditions and JSON the limits allow (conditions 32 deep, JSON 64 deep).

For each, the median of 3 of an import (`lens.services.lens_import`: read, lint and store, as the API
and the browser import do) and of `manage.py lens lint --json` (read and lint). It runs on the
database that DATABASE_URL names (the embedded SQLite file when unset), migrated first, and writes its
figures as JSON; bench/lens_bench.py runs it once on SQLite and once on PostgreSQL.

Options: --json FILE (required).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RUNS = 3


def _median(action) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure() -> dict:
    """{vendor, lenses: {name: {characters, questions, import_s, lint_s}}} on this process's database."""
    from django.core.management import call_command
    from django.db import connection

    from bench.lens_bench import largest_lens
    from lens.services import lens_import
    from tests.lens.generators import deepest_lens, generator_lens, question_count

    call_command("migrate", verbosity=0)
    lenses = {
        "benign": json.dumps(largest_lens(), separators=(",", ":")),
        "generator": generator_lens(),
        "deepest": deepest_lens(),
    }
    figures = {}
    with tempfile.TemporaryDirectory(prefix="mlwa-lens-limits-") as folder:
        for name, text in lenses.items():
            file = Path(folder) / f"{name}.json"
            file.write_text(text, encoding="utf-8")

            def lint(file=file) -> None:
                call_command("lens", "lint", str(file), "--json", stdout=StringIO())

            figures[name] = {
                "characters": len(text),
                "questions": question_count(text),
                "import_s": _median(lambda text=text: lens_import(source=text)),
                "lint_s": _median(lint),
            }
    return {"vendor": connection.vendor, "lenses": figures}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lens_limits", description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlwa.settings")
    os.environ.setdefault("MLWA_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    try:
        result = measure()
    except Exception as error:  # noqa: BLE001 - reported as the row's failure, never as "met"
        result = {"failed": f"{type(error).__name__}: {error}"}
    args.json.write_text(json.dumps(result))
    return 1 if "failed" in result else 0


if __name__ == "__main__":
    sys.exit(main())
