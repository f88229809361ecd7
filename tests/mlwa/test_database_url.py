"""Any DATABASE_URL naming SQLite gets the embedded default's settings: WAL, IMMEDIATE transactions,
a busy timeout and foreign keys (issue 14: without them, reports rendering beside exports gave
"database is locked" 500s). The settings module is run afresh for each environment."""

import runpy
from pathlib import Path

import pytest
from django.db.utils import ConnectionHandler

SETTINGS = Path(__file__).resolve().parents[2] / "mlwa" / "settings.py"


def settings_for(monkeypatch, tmp_path, database_url: str | None) -> dict:
    """mlwa.settings' values under this DATABASE_URL (None: unset), the rest embedded."""
    monkeypatch.setenv("MLWA_VAR_DIR", str(tmp_path / "var"))
    if database_url is None:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("DATABASE_URL", database_url)
    return runpy.run_path(str(SETTINGS))


@pytest.fixture
def embedded(monkeypatch, tmp_path) -> dict:
    return settings_for(monkeypatch, tmp_path, None)["DATABASES"]["default"]


@pytest.mark.parametrize("url", ["sqlite:///{tmp}/elsewhere/mlwa.sqlite3", "sqlite:///{tmp}/db.sqlite3?"])
def test_a_sqlite_database_url_gets_the_embedded_default_s_options_issue_14(
    monkeypatch, tmp_path, embedded, url
):
    database = settings_for(monkeypatch, tmp_path, url.format(tmp=tmp_path))["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["OPTIONS"] == embedded["OPTIONS"]
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_a_sqlite_database_url_opens_in_wal_with_a_busy_timeout_and_foreign_keys_issue_14(
    monkeypatch, tmp_path, django_db_blocker
):
    """On a real file: what SQLite itself says about the connection the settings make."""
    path = tmp_path / "by-url.sqlite3"
    database = settings_for(monkeypatch, tmp_path, f"sqlite:///{path}")["DATABASES"]["default"]
    connection = ConnectionHandler({"default": database})["default"]
    try:
        # A database of its own, beside the test database that pytest-django guards.
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            pragmas = {}
            for pragma in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous"):
                cursor.execute(f"PRAGMA {pragma}")
                pragmas[pragma] = cursor.fetchone()[0]
    finally:
        connection.close()

    # IMMEDIATE transactions are Django's, from the option (the first test compares the options).
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert pragmas == {"journal_mode": "wal", "busy_timeout": 20_000, "foreign_keys": 1, "synchronous": 1}
    assert path.exists()


def test_a_postgresql_database_url_gets_no_sqlite_option(monkeypatch, tmp_path):
    url = "postgres://mlwa@db.example:5432/mlwa"

    database = settings_for(monkeypatch, tmp_path, url)["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert "transaction_mode" not in database.get("OPTIONS", {})
