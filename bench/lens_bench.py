"""Lens benchmarks: import time per shared lens and for the largest lens the format allows, risk
evaluations per second over real rules with fresh random answers (nothing memoised), and lenses at
the format's limits imported and linted on SQLite and on PostgreSQL (bench.lens_limits, issue 14)."""

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.rows import cannot_run
from lens.format import read_lens
from lens.services import lens_import

SHARED_LENSES = Path(__file__).resolve().parent.parent.parent / "shared" / "lenses"
#: What a measure over the shared lenses names when the folder is not there.
SHARED_LENSES_MISSING = f"the shared lenses folder {SHARED_LENSES}/ (../shared/lenses/)"
IMPORT_RUNS = 5
EVALUATIONS = 1_000_000
LARGEST_IMPORT_GOAL_S = 1.0
EVALUATIONS_GOAL = 1_000_000
#: Lenses at the limits: each import and lint under this, and within this multiple of the largest
#: benign lens's import on the same database in the same run.
LIMITS_GOAL_S, LIMITS_RATIO_GOAL = 2.0, 1.5
LIMIT_LENSES = {"generator": "the issue's generator lens", "deepest": "the deepest lens the limits allow"}
ROOT = Path(__file__).resolve().parent.parent


def largest_lens() -> dict:
    """10 pillars x 20 questions x 15 choices (14 practices and "None of these"), with every choice
    holding a helpful resource and an improvement plan: as much text as fits in the format's
    500,000 characters."""
    words = ["data", "model", "log", "key", "api", "gpu", "cpu", "run", "ops", "team"]
    rng = random.Random(7)

    def sentence(count: int) -> str:
        return " ".join(rng.choice(words) for _ in range(count)).capitalize() + "."

    pillars = []
    for p in range(10):
        questions = []
        for q in range(20):
            qid = f"P{p}Q{q:02d}"
            practices = [f"{qid}_{c:02d}" for c in range(1, 15)]
            choices = [
                {
                    "id": cid,
                    "title": sentence(2),
                    "helpfulResource": {"displayText": sentence(2)},
                    "improvementPlan": {"displayText": sentence(2)},
                }
                for cid in practices
            ] + [{"id": f"{qid}_no", "title": "None of these"}]
            questions.append(
                {
                    "id": qid,
                    "title": sentence(10),
                    "description": sentence(20),
                    "choices": choices,
                    "riskRules": [
                        {"condition": " && ".join(practices), "risk": "NO_RISK"},
                        {"condition": f"({' || '.join(practices[:7])}) && !{qid}_no", "risk": "MEDIUM_RISK"},
                        {"condition": "default", "risk": "HIGH_RISK"},
                    ],
                }
            )
        pillars.append(
            {
                "id": f"pillar{p:02d}",
                "name": f"Pillar {p}",
                "description": sentence(20),
                "questions": questions,
            }
        )
    return {
        "schemaVersion": "2021-11-01",
        "name": "Largest lens",
        "description": sentence(30),
        "pillars": pillars,
    }


def _median_import_seconds(source: bytes) -> float:
    times = []
    for _ in range(IMPORT_RUNS):
        start = time.perf_counter()
        lens_import(source=source)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _evaluations_per_second(rules: list) -> float:
    rng = random.Random(2021)
    # Fresh random answers, made before timing: each evaluation gets its own draw, and nothing is
    # cached between evaluations.
    answers = []
    for _ in range(EVALUATIONS):
        question = rng.choice(rules)
        ids = question.choice_ids
        selected = [c for c in ids if rng.random() < 0.4]
        not_applicable = [
            c for c in ids if c not in selected and not c.endswith("_no") and rng.random() < 0.1
        ]
        answers.append((question, selected, not_applicable))
    start = time.perf_counter()
    for question, selected, not_applicable in answers:
        question.evaluate(selected, not_applicable)
    return EVALUATIONS / (time.perf_counter() - start)


def run():
    files = sorted(SHARED_LENSES.glob("*.json")) if SHARED_LENSES.is_dir() else []
    rules = []
    for path in files:
        source = path.read_bytes()
        seconds = _median_import_seconds(source)
        yield (f"import {path.name} (median of {IMPORT_RUNS})", f"{seconds * 1000:.0f} ms", None, None)
        rules.extend(read_lens(source)[0].question_rules().values())
    source = json.dumps(largest_lens(), separators=(",", ":")).encode()
    seconds = _median_import_seconds(source)
    yield (
        f"import largest lens, 10x20x15, {len(source) // 1000} kB (median of {IMPORT_RUNS})",
        f"{seconds * 1000:.0f} ms",
        f"< {LARGEST_IMPORT_GOAL_S * 1000:.0f} ms",
        seconds < LARGEST_IMPORT_GOAL_S,
    )
    if not rules:
        yield cannot_run("risk evaluations per second, real questions", SHARED_LENSES_MISSING)
    else:
        rate = _evaluations_per_second(rules)
        yield (
            f"risk evaluations per second ({len(rules)} real questions, random answers)",
            f"{rate:,.0f}",
            f">= {EVALUATIONS_GOAL:,}",
            rate >= EVALUATIONS_GOAL,
        )
    for vendor in ("sqlite", "postgresql"):
        yield from _limit_rows(vendor)


# -- lenses at the limits, on each database --------------------------------------------------------


def _limits_on(vendor: str) -> dict:
    """bench.lens_limits's figures, run in a process of its own on a fresh database of `vendor`: a
    new SQLite file, or a private PostgreSQL cluster (bench.load.servers, as the load test makes one),
    else DATABASE_URL's PostgreSQL. {"failed": why} when it cannot run."""
    from bench.load import servers

    with tempfile.TemporaryDirectory(prefix="mlwa-lens-limits-") as folder:
        env = dict(os.environ, MLWA_VAR_DIR=folder)
        cluster = None
        try:
            if vendor == "sqlite":
                env.pop("DATABASE_URL", None)
            elif (reason := servers.missing_postgres()) is None:
                cluster = servers.Postgres()
                cluster.create("mlwa_lens_limits")
                env["DATABASE_URL"] = cluster.url("mlwa_lens_limits")
            elif os.environ.get("DATABASE_URL", "").startswith("postgres"):
                pass  # the bench's own PostgreSQL database
            else:
                return {"failed": f"{reason}, and DATABASE_URL is not PostgreSQL"}
            output = Path(folder) / "limits.json"
            subprocess.run(  # noqa: S603 - our own module
                [sys.executable, "-m", "bench.lens_limits", "--json", str(output)],
                cwd=ROOT,
                env=env,
                stdout=sys.stderr,
                check=False,
            )
            if not output.exists():
                return {"failed": "bench.lens_limits wrote no result"}
            result = json.loads(output.read_text())
        except servers.ServerError as error:
            return {"failed": f"the private PostgreSQL did not start: {error}"}
        except OSError as error:
            return {"failed": f"bench.lens_limits could not start: {error}"}
        finally:
            if cluster is not None:
                cluster.remove()
    if "failed" not in result and result.get("vendor") != vendor:
        return {"failed": f"ran on {result.get('vendor')}, not {vendor}"}
    return result


def _limit_rows(vendor: str):
    result = _limits_on(vendor)
    if "failed" in result:
        yield cannot_run(f"lenses at the limits on {vendor}", result["failed"])
        return
    lenses = result["lenses"]
    benign = lenses["benign"]["import_s"]
    yield (
        f"{vendor}: import largest benign lens, 10x20x15 (median of 3)",
        f"{benign * 1000:.0f} ms",
        None,
        None,
    )
    for name, label in LIMIT_LENSES.items():
        figures = lenses[name]
        size = f"{figures['questions']} questions, {figures['characters'] // 1000} kB"
        for step, key in (("import", "import_s"), ("lint", "lint_s")):
            seconds = figures[key]
            ratio = seconds / benign
            yield (
                f"{vendor}: {step} {label}, {size} (median of 3)",
                f"{seconds * 1000:.0f} ms ({ratio:.2f}x benign import)",
                f"< {LIMITS_GOAL_S * 1000:.0f} ms, <= {LIMITS_RATIO_GOAL}x",
                seconds < LIMITS_GOAL_S and ratio <= LIMITS_RATIO_GOAL,
            )
