"""Report benchmarks: rendering the lens review report of the ML Lens (every question answered and
noted) in this process, with no worker busy; then 50 reports queued to a real Celery worker with two
processes: all finished, none stuck, the throughput, and the worker's peak memory.

The worker runs on the bench's own database and broker (the embedded default's filesystem queue
under MLWA_VAR_DIR, or whatever CELERY_BROKER_URL says), as `make run` starts it."""

import os
import resource
import signal
import statistics
import subprocess
import sys
import time

from django.contrib.auth import get_user_model

from bench.lens_bench import SHARED_LENSES, SHARED_LENSES_MISSING
from bench.rows import cannot_run
from lens.services import lens_import, lens_publish
from reviews.models import Answer, Report
from reviews.reports.rendering import render
from reviews.reports.services import report_request
from reviews.services import answer_update, question_facts, workload_create

RENDER_RUNS = 3
QUEUED_REPORTS = 50
WORKER_PROCESSES = 2
RENDER_GOAL_S, MEMORY_GOAL_MB = 3.0, 400
WAIT_LIMIT_S = 600


def _answered_workload(owner, source: bytes):
    """A workload with the lens applied and every question answered, with notes."""
    lens = lens_import(source=source, owner=owner, created_by=owner).lens
    version = lens_publish(lens=lens, label="1", major=True)
    workload = workload_create(owner=owner, fields={"name": "Report bench"}, lens_versions=[version])
    answers = Answer.objects.filter(lens_review__workload=workload).select_related("question__version")
    for n, answer in enumerate(answers):
        facts = question_facts(answer.question)
        practices = [c for c in facts.choice_ids if c != facts.none_of_these]
        # Some practices of each question, a different number each time; "None of these" for none.
        selected = practices[: n % len(practices)] or [facts.none_of_these or practices[0]]
        notes = f"Notes on {answer.question.question_id}: what the team does, and why."
        answer_update(
            answer=answer,
            actor=owner,
            changes={"selected_choices": selected, "notes": notes},
            expected_version=0,
        )
    return workload, lens.alias


def _worker() -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "mlwa",
        "worker",
        "--concurrency",
        str(WORKER_PROCESSES),
        "--loglevel",
        "WARNING",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
    ]
    log = open(os.path.join(os.environ["MLWA_VAR_DIR"], "bench-worker.log"), "w")  # noqa: SIM115
    return subprocess.Popen(command, start_new_session=True, stdout=log, stderr=log)


def run():
    ml_lens = SHARED_LENSES / "machine-learning-lens.json"
    if not ml_lens.is_file():
        yield cannot_run("report of the ML Lens, and reports queued to workers", SHARED_LENSES_MISSING)
        return
    owner = get_user_model().objects.create_user("report-bench", password="bench-password")  # noqa: S106
    workload, alias = _answered_workload(owner, ml_lens.read_bytes())

    report = Report.objects.create(
        kind=Report.Kind.LENS_REVIEW,
        format=Report.Format.PDF,
        requested_by=owner,
        workload=workload,
        lens_alias=alias,
    )
    times = []
    for _ in range(RENDER_RUNS):
        start = time.perf_counter()
        rendered = render(report, lambda percent: None)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    size_kb = len(rendered.content) // 1024
    yield (
        f"lens review report, ML Lens, all answered and noted (median of {RENDER_RUNS}, {size_kb} kB)",
        f"{seconds:.2f} s",
        f"< {RENDER_GOAL_S:.0f} s",
        seconds < RENDER_GOAL_S,
    )

    worker = _worker()
    try:
        time.sleep(5)  # the worker starts (and reaps) before the reports arrive
        start = time.perf_counter()
        ids = [
            report_request(actor=owner, kind=Report.Kind.LENS_REVIEW, workload=workload, lens_alias=alias).pk
            for _ in range(QUEUED_REPORTS)
        ]
        pending = Report.objects.filter(pk__in=ids).exclude(
            status__in=[Report.Status.DONE, Report.Status.FAILED]
        )
        while pending.exists() and time.perf_counter() - start < WAIT_LIMIT_S:
            time.sleep(0.5)
        elapsed = time.perf_counter() - start
    finally:
        # A warm shutdown: the pool's children end and the worker waits for them (so that their
        # memory counts below). The filesystem queue's worker sometimes lingers after that: killed.
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    done = Report.objects.filter(pk__in=ids, status=Report.Status.DONE).count()
    stuck = QUEUED_REPORTS - done
    yield (
        f"{QUEUED_REPORTS} reports queued to {WORKER_PROCESSES} worker processes: done",
        f"{done} done, {stuck} not",
        f"all {QUEUED_REPORTS}",
        stuck == 0,
    )
    yield (f"{QUEUED_REPORTS} reports: throughput", f"{done / elapsed * 60:.0f} reports a minute", None, None)
    # ru_maxrss of the descendants that have ended: the worker and its pool processes (KiB on Linux).
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    yield (
        "worker peak memory (largest process)",
        f"{peak_mb:.0f} MB",
        f"< {MEMORY_GOAL_MB} MB",
        peak_mb < MEMORY_GOAL_MB,
    )
