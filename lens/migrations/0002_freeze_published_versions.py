"""Database triggers that keep published lens versions from changing, whatever code runs.

A published version's row may change only to RETIRING (every other column as it was), which the lens
deletion does inside its transaction; a RETIRING row does not change at all. The content rows of a
PUBLISHED version cannot be inserted, updated or deleted; those of a RETIRING one can only be deleted.
"""

from django.db import migrations

CONTENT_TABLES = ["lens_pillar", "lens_question", "lens_choice", "lens_riskrule", "lens_resource"]
MESSAGE = "published lens versions cannot change"
VERSION_COLUMNS = [
    "lens_id", "label", "kind", "name", "description", "schema_version", "source", "extra",
    "warnings", "content_hash", "created_at", "published_at",
]


def _sqlite_statements():
    same = " AND ".join(f"NEW.{column} IS OLD.{column}" for column in VERSION_COLUMNS)
    yield f"""
        CREATE TRIGGER lens_version_frozen BEFORE UPDATE ON lens_lensversion
        WHEN OLD.status = 'RETIRING'
          OR (OLD.status = 'PUBLISHED' AND NOT (NEW.status = 'RETIRING' AND {same}))
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""
    for table in CONTENT_TABLES:
        status = "(SELECT status FROM lens_lensversion WHERE id = {}.version_id)"
        yield f"""
            CREATE TRIGGER {table}_frozen_insert BEFORE INSERT ON {table}
            WHEN {status.format('NEW')} <> 'DRAFT'
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""
        yield f"""
            CREATE TRIGGER {table}_frozen_update BEFORE UPDATE ON {table}
            WHEN {status.format('OLD')} <> 'DRAFT' OR {status.format('NEW')} <> 'DRAFT'
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""
        yield f"""
            CREATE TRIGGER {table}_frozen_delete BEFORE DELETE ON {table}
            WHEN {status.format('OLD')} = 'PUBLISHED'
            BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"""


def _postgresql_statements():
    same = " AND ".join(f"NEW.{column} IS NOT DISTINCT FROM OLD.{column}" for column in VERSION_COLUMNS)
    yield f"""
        CREATE FUNCTION lens_version_frozen() RETURNS trigger AS $$
        BEGIN
          IF OLD.status = 'RETIRING'
             OR (OLD.status = 'PUBLISHED' AND NOT (NEW.status = 'RETIRING' AND {same})) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
          END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql"""
    yield """
        CREATE TRIGGER lens_version_frozen BEFORE UPDATE ON lens_lensversion
        FOR EACH ROW EXECUTE FUNCTION lens_version_frozen()"""
    yield f"""
        CREATE FUNCTION lens_content_frozen() RETURNS trigger AS $$
        DECLARE
          old_status text;
          new_status text;
        BEGIN
          IF TG_OP IN ('UPDATE', 'DELETE') THEN
            SELECT status INTO old_status FROM lens_lensversion WHERE id = OLD.version_id;
          END IF;
          IF TG_OP IN ('UPDATE', 'INSERT') THEN
            SELECT status INTO new_status FROM lens_lensversion WHERE id = NEW.version_id;
          END IF;
          IF (TG_OP = 'DELETE' AND old_status = 'PUBLISHED')
             OR (TG_OP <> 'DELETE' AND (COALESCE(old_status, 'DRAFT') <> 'DRAFT' OR new_status <> 'DRAFT')) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
          END IF;
          IF TG_OP = 'DELETE' THEN
            RETURN OLD;
          END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql"""
    for table in CONTENT_TABLES:
        yield f"""
            CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION lens_content_frozen()"""


def _drop_statements(vendor):
    if vendor == "postgresql":
        yield "DROP FUNCTION IF EXISTS lens_version_frozen() CASCADE"
        yield "DROP FUNCTION IF EXISTS lens_content_frozen() CASCADE"
        return
    yield "DROP TRIGGER IF EXISTS lens_version_frozen"
    for table in CONTENT_TABLES:
        for operation in ("insert", "update", "delete"):
            yield f"DROP TRIGGER IF EXISTS {table}_frozen_{operation}"


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": _sqlite_statements, "postgresql": _postgresql_statements}.get(vendor)
    if statements is None:
        return  # other databases rely on the model-level guards
    for statement in statements():
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for statement in _drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("lens", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
