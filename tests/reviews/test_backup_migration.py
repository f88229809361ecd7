"""Migration reviews 0008 (the names a restored backup keeps) leaves every trigger in place.

On SQLite, Django adds a column that is not nullable, or has a default, by rebuilding the table,
which drops its triggers without a word: the risk counts (0003, 0005) and the milestones' freeze
(0005) would be gone. 0008 adds nullable columns only, and makes the freeze triggers again so that
they cover the new columns too."""

import pytest
from django.db import IntegrityError, connection, transaction

from reviews.models import Milestone, MilestoneAnswer
from reviews.services.milestones import milestone_create
from tests import factories

pytestmark = pytest.mark.django_db

FROZEN = ["reviews_milestone", "reviews_milestonelensreview", "reviews_milestoneanswer"]
FROZEN += ["reviews_milestonepillarriskcounts"]
COUNTED = {("reviews_answer", f"reviews_answer_counts_{op}") for op in ("insert", "update", "delete")}


def _triggers() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal")
        return set(cursor.fetchall())


def test_the_risk_count_and_milestone_triggers_are_all_there():
    triggers = {(table, name) for table, name in _triggers() if table.startswith("reviews_")}
    if connection.vendor == "sqlite":
        frozen = {(t, f"{t}_frozen_{op}") for t in FROZEN for op in ("update", "delete", "insert")}
        frozen -= {("reviews_milestone", "reviews_milestone_frozen_insert")}
    else:
        frozen = {(t, f"{t}_frozen") for t in FROZEN}
    assert triggers == COUNTED | frozen


@pytest.mark.parametrize(
    ("model", "column"), [(Milestone, "created_by_name"), (MilestoneAnswer, "updated_by_name")]
)
def test_a_milestones_names_are_frozen_like_its_other_columns(alice, model, column):
    workload = factories.workload(alice)
    milestone = milestone_create(workload=workload, actor=alice, name="Baseline")
    rows = (
        model.objects.filter(pk=milestone.pk)
        if model is Milestone
        else model.objects.filter(milestone=milestone)
    )
    with pytest.raises(IntegrityError, match="milestones cannot change"), transaction.atomic():
        rows.update(**{column: "mallory"})
