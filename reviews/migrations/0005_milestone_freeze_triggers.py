"""Database triggers that keep milestones as they were made, whatever code runs, and risk counts right
when an answer moves to another question.

Milestone rows: no column may change, except a deleted user's id cleared (SET_NULL) and the milestone
sealed once by the transaction that makes it; no row may be added to a sealed milestone; no row may be
deleted unless its workload is being deleted (Workload.is_being_deleted, set in the deleting transaction by
reviews.models.milestones) or is gone already (a flush without foreign keys, or a raw DELETE of the
workload, which PostgreSQL's deferred foreign keys let run first).

Answer counts: migration 0003 moved a count when an answer's risk changed. A lens upgrade also moves
an answer to the new version's question, perhaps in another pillar, so an update now counts the old
row out of its pillar and the new row into its own.
"""

from django.db import migrations

MESSAGE = "milestones cannot change"
#: Each frozen table, the columns a deletion may clear (SET_NULL), and how a row finds its workload.
#: (`restored_by_id` comes with migration 0009, which makes the triggers again; before it, no table
#: has the column, so naming it here changes nothing this migration makes.)
FROZEN = {
    "reviews_milestone": ("created_by_id", "restored_by_id"),
    "reviews_milestonelensreview": (),
    "reviews_milestoneanswer": ("updated_by_id", "restored_by_id"),
    "reviews_milestonepillarriskcounts": (),
}
MODELS = {
    "reviews_milestone": "Milestone",
    "reviews_milestonelensreview": "MilestoneLensReview",
    "reviews_milestoneanswer": "MilestoneAnswer",
    "reviews_milestonepillarriskcounts": "MilestonePillarRiskCounts",
}
DELETING = {
    "milestone": "(SELECT is_being_deleted FROM reviews_workload WHERE id = OLD.workload_id)",
    "child": "(SELECT w.is_being_deleted FROM reviews_workload w JOIN reviews_milestone m "
    "ON m.workload_id = w.id WHERE m.id = OLD.milestone_id)",
}
SEALED = "(SELECT sealed FROM reviews_milestone WHERE id = NEW.milestone_id)"


def _unchanged(apps, table: str, vendor: str) -> str:
    """SQL that is true when an update of `table` changes nothing it may not change."""
    model = apps.get_model("reviews", MODELS[table])
    same = "IS" if vendor == "sqlite" else "IS NOT DISTINCT FROM"
    tests = []
    for field in model._meta.concrete_fields:
        column = field.column
        if column in FROZEN[table]:
            tests.append(f"(NEW.{column} {same} OLD.{column} OR NEW.{column} IS NULL)")
        elif column == "sealed":
            tests.append(f"(NEW.sealed {same} OLD.sealed OR (NOT OLD.sealed AND NEW.sealed))")
        else:
            tests.append(f"NEW.{column} {same} OLD.{column}")
    return " AND ".join(tests)


def _freeze_sqlite(apps):
    for table in FROZEN:
        deleting = DELETING["milestone" if table == "reviews_milestone" else "child"]
        yield f"""
            CREATE TRIGGER {table}_frozen_update BEFORE UPDATE ON {table}
            WHEN NOT ({_unchanged(apps, table, "sqlite")})
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""
        yield f"""
            CREATE TRIGGER {table}_frozen_delete BEFORE DELETE ON {table}
            WHEN NOT COALESCE({deleting}, 1)
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""
        if table != "reviews_milestone":
            yield f"""
                CREATE TRIGGER {table}_frozen_insert BEFORE INSERT ON {table}
                WHEN COALESCE({SEALED}, 1)
                BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""


def _freeze_postgresql(apps):
    for table in FROZEN:
        deleting = DELETING["milestone" if table == "reviews_milestone" else "child"]
        refuse = f"RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';"
        insert = (
            ""
            if table == "reviews_milestone"
            else f"IF TG_OP = 'INSERT' AND COALESCE({SEALED}, true) THEN {refuse} END IF;"
        )
        body = f"""
          {insert}
          IF TG_OP = 'UPDATE' AND NOT ({_unchanged(apps, table, "postgresql")}) THEN {refuse} END IF;
          IF TG_OP = 'DELETE' THEN
            IF NOT COALESCE({deleting}, true) THEN {refuse} END IF;
            RETURN OLD;
          END IF;
          RETURN NEW;"""
        yield f"CREATE FUNCTION {table}_frozen() RETURNS trigger AS $$ BEGIN {body} END $$ LANGUAGE plpgsql"
        yield f"""
            CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_frozen()"""


# --- answer counts: an update counts the old row out and the new row in ---------------------------

RISKS = {
    "high": "HIGH",
    "medium": "MEDIUM",
    "none": "NONE",
    "not_applicable": "NOT_APPLICABLE",
    "unanswered": "UNANSWERED",
}
PILLAR = "(SELECT pillar_id FROM lens_question WHERE id = {row}.question_id)"


def _is(row: str, risk: str, vendor: str) -> str:
    test = f"{row}.risk = '{risk}'"
    return f"({test})::integer" if vendor == "postgresql" else f"({test})"


def _recount_body(vendor: str) -> str:
    columns = ", ".join(RISKS)
    inserted = ", ".join(_is("NEW", risk, vendor) for risk in RISKS.values())
    added = ", ".join(f"{column} = reviews_pillarriskcounts.{column} + EXCLUDED.{column}" for column in RISKS)
    removed = ", ".join(f"{column} = {column} - {_is('OLD', risk, vendor)}" for column, risk in RISKS.items())
    return f"""
        UPDATE reviews_pillarriskcounts SET {removed}
        WHERE lens_review_id = OLD.lens_review_id AND pillar_id = {PILLAR.format(row="OLD")};
        INSERT INTO reviews_pillarriskcounts (lens_review_id, pillar_id, {columns})
        VALUES (NEW.lens_review_id, {PILLAR.format(row="NEW")}, {inserted})
        ON CONFLICT (lens_review_id, pillar_id) DO UPDATE SET {added};"""


def _counts_sqlite():
    yield "DROP TRIGGER IF EXISTS reviews_answer_counts_update"
    yield f"""
        CREATE TRIGGER reviews_answer_counts_update AFTER UPDATE OF risk, question_id ON reviews_answer
        WHEN OLD.risk IS NOT NEW.risk OR OLD.question_id IS NOT NEW.question_id
        BEGIN {_recount_body("sqlite")} END"""


def _counts_postgresql():
    yield "DROP TRIGGER IF EXISTS reviews_answer_counts_update ON reviews_answer"
    yield f"""
        CREATE OR REPLACE FUNCTION reviews_answer_counts_update() RETURNS trigger AS $$
        BEGIN {_recount_body("postgresql")} RETURN NEW; END $$ LANGUAGE plpgsql"""
    yield """
        CREATE TRIGGER reviews_answer_counts_update AFTER UPDATE OF risk, question_id ON reviews_answer
        FOR EACH ROW
        WHEN (OLD.risk IS DISTINCT FROM NEW.risk OR OLD.question_id IS DISTINCT FROM NEW.question_id)
        EXECUTE FUNCTION reviews_answer_counts_update()"""


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = [*_freeze_sqlite(apps), *_counts_sqlite()]
    elif vendor == "postgresql":
        statements = [*_freeze_postgresql(apps), *_counts_postgresql()]
    else:
        return  # other databases rely on the services alone
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in FROZEN:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_frozen() CASCADE")
        else:
            for operation in ("update", "delete", "insert"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_frozen_{operation}")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0004_milestones_improvements")]

    # Going back leaves the answer-count trigger of this migration, which is right for 0003 too.
    operations = [migrations.RunPython(create, drop)]
