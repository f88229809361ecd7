"""Issue 14: the bench rows for lenses at the limits fail the bench, naming what is missing, when they
cannot run; they never print "met" for what was not measured."""

import sys

from bench import lens_bench
from bench.load import servers


def test_issue_14_a_limits_row_that_cannot_run_fails_the_bench_naming_what_is_missing(monkeypatch):
    monkeypatch.setattr(servers, "missing_postgres", lambda: "no PostgreSQL server binaries")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert list(lens_bench._limit_rows("postgresql")) == [
        (
            "lenses at the limits on postgresql",
            "CANNOT RUN: no PostgreSQL server binaries, and DATABASE_URL is not PostgreSQL",
            "runs",
            False,
        )
    ]


def test_issue_14_a_limits_run_that_writes_nothing_fails_the_bench(monkeypatch):
    monkeypatch.setattr(sys, "executable", "/bin/false")  # exits at once, having measured nothing
    assert list(lens_bench._limit_rows("sqlite")) == [
        ("lenses at the limits on sqlite", "CANNOT RUN: bench.lens_limits wrote no result", "runs", False)
    ]
