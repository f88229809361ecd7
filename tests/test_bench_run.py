"""`make bench` (bench/run.py): it runs on a scratch database, never the one DATABASE_URL names, and
a measure that cannot run fails the run, naming what is missing, rather than leaving a blank."""

import contextlib
import os
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest

from bench import run
from bench.rows import cannot_run


def test_a_measure_that_cannot_run_fails_the_table_and_is_named_after_it():
    rows = [
        ("import a lens", "12 ms", "< 20 ms", True),
        cannot_run("question page, ML Lens", "the shared lenses folder ../shared/lenses/"),
    ]

    table = run._table(rows, "sqlite").splitlines()
    missing = run._missing(rows)

    row = next(line for line in table if line.startswith("| question page, ML Lens "))
    assert [cell.strip() for cell in row.strip("|").split("|")] == [
        "question page, ML Lens",
        "CANNOT RUN: the shared lenses folder ../shared/lenses/",
        "runs",
        "NO",
    ]
    assert missing == [
        "make bench: 1 measure(s) could not run:",
        "  question page, ML Lens: missing the shared lenses folder ../shared/lenses/",
    ]
    assert run._missing(rows[:1]) == []


def _databases(url: str) -> set[str]:
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with contextlib.closing(psycopg2.connect(admin)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.postgres
def test_with_a_postgresql_database_url_it_runs_on_a_new_database_beside_it_and_drops_it(
    monkeypatch, tmp_path
):
    url = os.environ["DATABASE_URL"]
    before = _databases(url)

    with run._scratch_database(str(tmp_path)) as where:
        scratch = os.environ["DATABASE_URL"]
        name = urlsplit(scratch).path.lstrip("/")
        assert urlsplit(scratch)._replace(path="") == urlsplit(url)._replace(path="")  # the same server
        assert name not in before
        assert name in _databases(url)
        assert name.startswith(f"{urlsplit(url).path.lstrip('/')}_bench_")
        assert name in where

    assert os.environ["DATABASE_URL"] == url
    assert _databases(url) == before


def test_without_a_postgresql_database_url_it_runs_on_a_new_sqlite_file(monkeypatch, tmp_path):
    mine = f"sqlite:///{tmp_path}/mine.sqlite3"
    monkeypatch.setenv("DATABASE_URL", mine)

    with run._scratch_database(str(tmp_path / "scratch")) as where:
        assert "DATABASE_URL" not in os.environ  # the embedded default: a file in MLWA_VAR_DIR
        assert str(tmp_path / "scratch") in where
    assert os.environ["DATABASE_URL"] == mine
