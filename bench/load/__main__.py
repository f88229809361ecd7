"""`python -m bench.load`: the load test. Starts PostgreSQL (a private cluster), Redis and gunicorn,
runs the clients (half on one shared workload, half on their own), checks that nothing was lost, and
prints the figures.

Options: --clients (20) and --seconds (30), the full size `make bench` runs; --database-url: a scratch
database to use instead of a private cluster (migrated and filled: never a real one; .ci/run's small
run uses one); --json FILE: the figures as JSON too; --web-workers: gunicorn's processes.

Exit status: 0 when nothing was lost and there were no errors, whatever the speed; 1 otherwise; 0
with "skipped: <reason>" where no PostgreSQL server can be started here.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from bench.load import servers  # noqa: E402 - the path above first
from bench.load.stack import Stack, load_run, scratch_database  # noqa: E402

GOALS = {"saves_per_s": 200, "p95_ms": 100}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--database-url", help="a scratch PostgreSQL database instead of a private cluster")
    parser.add_argument("--scratch-beside", help="create (and drop) a scratch database on this server")
    parser.add_argument("--web-workers", type=int)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    database_url = args.database_url
    reason = None if database_url or args.scratch_beside else servers.missing_servers()
    if reason:
        return _report({"skipped": reason}, args.json)
    try:
        if args.scratch_beside:
            with scratch_database(args.scratch_beside) as url:
                result = _run(url, args)
        else:
            result = _run(database_url, args)
    except servers.ServerError as failure:
        print(f"load test: {failure}", file=sys.stderr)
        return _report({"failed": str(failure)}, args.json) or 1
    return _report(result, args.json)


def _run(database_url: str | None, args) -> dict:
    with Stack(database_url=database_url, web_workers=args.web_workers) as stack:
        print(
            f"load test: {args.clients} clients for {args.seconds:g} s against {stack.base}", file=sys.stderr
        )
        result = load_run(stack, clients=args.clients, seconds=args.seconds)
        if result["errors"] or not result["ok"]:
            print(stack.tails(), file=sys.stderr)
    result.pop("log")
    return result


def _report(result: dict, json_path: Path | None) -> int:
    if json_path:
        json_path.write_text(json.dumps(result, indent=2))
    if "skipped" in result:
        print(f"load test skipped: {result['skipped']}")
        return 0
    if "failed" in result:
        return 1
    check = result["check"]
    print(
        f"load test, {result['clients']} clients, {result['seconds']} s:\n"
        f"  saves/s {result['saves_per_s']} (goal >= {GOALS['saves_per_s']}), "
        f"median {result['median_ms']} ms, p95 {result['p95_ms']} ms (goal < {GOALS['p95_ms']} ms)\n"
        f"  accepted {result['accepted']}, stale refusals (412) {result['stale']}, reads {result['reads']}, "
        f"errors {result['errors']} {result['error_kinds'] or ''}\n"
        f"  CPU (cores): client {result['cpu']['client']}, web {result['cpu']['web']}, "
        f"postgres {result['cpu']['postgres']}\n"
        f"  check over {check['answers']} answers: each equals its last accepted save: "
        f"{_yes(check['equal_last_save'])}; every accepted save in the audit trail: "
        f"{_yes(check['saves_in_audit_trail'])}; nothing else in it: {_yes(check['nothing_else'])}\n"
        f"  lost {check['lost']}, extra {check['extra']}, in doubt {check['in_doubt']}"
        + "".join(f"\n    {example}" for example in check["examples"])
    )
    return 0 if result["ok"] and result["errors"] == 0 else 1


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


if __name__ == "__main__":
    sys.exit(main())
