"""The database is set up as DESIGN.md says: SQLite for two writers, PostgreSQL with the triggers."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_sqlite_uses_wal_immediate_transactions_and_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("the embedded default's SQLite settings (this run is on another database)")
    with connection.cursor() as cursor:
        # The test database is in memory, where WAL does not apply; the setting is what matters.
        assert "journal_mode=WAL" in connection.settings_dict["OPTIONS"]["init_command"]
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.postgres
def test_postgresql_has_the_triggers_that_freeze_published_lens_versions_and_milestones():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger"
            " WHERE NOT tgisinternal AND tgname LIKE %s",
            ["%frozen%"],
        )
        triggers = set(cursor.fetchall())
    tables = ["lens_pillar", "lens_question", "lens_choice", "lens_riskrule", "lens_resource"]
    milestone_tables = [
        "reviews_milestone",
        "reviews_milestonelensreview",
        "reviews_milestoneanswer",
        "reviews_milestonepillarriskcounts",
    ]
    assert triggers == {("lens_lensversion", "lens_version_frozen")} | {
        (t, f"{t}_frozen") for t in tables + milestone_tables
    }
