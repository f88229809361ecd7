"""Database triggers that keep reviews_pillarriskcounts equal to the answers' risks, whatever code
writes them (services, bulk_create, queryset updates, cascading deletes).

An inserted answer counts in (the pillar's row made if it is the first), an answer whose risk
changes moves from one count to the other, a deleted answer counts out (its row may be gone
already, when the whole review goes). The counts are filled from the answers stored so far first.
"""

from django.db import migrations
from django.db.models import Count, Q

RISKS = {
    "high": "HIGH",
    "medium": "MEDIUM",
    "none": "NONE",
    "not_applicable": "NOT_APPLICABLE",
    "unanswered": "UNANSWERED",
}
PILLAR = "(SELECT pillar_id FROM lens_question WHERE id = {row}.question_id)"


def _is(row: str, risk: str, vendor: str) -> str:
    """1 when the row's risk is `risk`, else 0, in the database's SQL."""
    test = f"{row}.risk = '{risk}'"
    return f"({test})::integer" if vendor == "postgresql" else f"({test})"


def _statements(vendor: str):
    columns = ", ".join(RISKS)
    inserted = ", ".join(_is("NEW", risk, vendor) for risk in RISKS.values())
    added = ", ".join(f"{column} = reviews_pillarriskcounts.{column} + EXCLUDED.{column}" for column in RISKS)
    moved = ", ".join(
        f"{column} = {column} + {_is('NEW', risk, vendor)} - {_is('OLD', risk, vendor)}"
        for column, risk in RISKS.items()
    )
    removed = ", ".join(f"{column} = {column} - {_is('OLD', risk, vendor)}" for column, risk in RISKS.items())
    count_in = f"""
        INSERT INTO reviews_pillarriskcounts (lens_review_id, pillar_id, {columns})
        VALUES (NEW.lens_review_id, {PILLAR.format(row="NEW")}, {inserted})
        ON CONFLICT (lens_review_id, pillar_id) DO UPDATE SET {added};"""
    move = f"""
        UPDATE reviews_pillarriskcounts SET {moved}
        WHERE lens_review_id = NEW.lens_review_id AND pillar_id = {PILLAR.format(row="NEW")};"""
    count_out = f"""
        UPDATE reviews_pillarriskcounts SET {removed}
        WHERE lens_review_id = OLD.lens_review_id AND pillar_id = {PILLAR.format(row="OLD")};"""
    if vendor == "postgresql":
        for name, when, body, result in (
            ("insert", "INSERT", count_in, "NEW"),
            ("update", "UPDATE OF risk", move, "NEW"),
            ("delete", "DELETE", count_out, "OLD"),
        ):
            yield f"""
                CREATE FUNCTION reviews_answer_counts_{name}() RETURNS trigger AS $$
                BEGIN {body} RETURN {result}; END $$ LANGUAGE plpgsql"""
            condition = "WHEN (OLD.risk IS DISTINCT FROM NEW.risk)" if name == "update" else ""
            yield f"""
                CREATE TRIGGER reviews_answer_counts_{name} AFTER {when} ON reviews_answer
                FOR EACH ROW {condition} EXECUTE FUNCTION reviews_answer_counts_{name}()"""
    else:
        yield f"CREATE TRIGGER reviews_answer_counts_insert AFTER INSERT ON reviews_answer BEGIN {count_in} END"
        yield f"""
            CREATE TRIGGER reviews_answer_counts_update AFTER UPDATE OF risk ON reviews_answer
            WHEN OLD.risk IS NOT NEW.risk BEGIN {move} END"""
        yield f"CREATE TRIGGER reviews_answer_counts_delete AFTER DELETE ON reviews_answer BEGIN {count_out} END"


def _drop_statements(vendor: str):
    for name in ("insert", "update", "delete"):
        yield f"DROP TRIGGER IF EXISTS reviews_answer_counts_{name}" + (
            " ON reviews_answer" if vendor == "postgresql" else ""
        )
        if vendor == "postgresql":
            yield f"DROP FUNCTION IF EXISTS reviews_answer_counts_{name}()"


def fill_and_create(apps, schema_editor):
    Answer = apps.get_model("reviews", "Answer")
    PillarRiskCounts = apps.get_model("reviews", "PillarRiskCounts")
    rows = (
        Answer.objects.values("lens_review_id", "question__pillar_id")
        .annotate(**{column: Count("pk", filter=Q(risk=risk)) for column, risk in RISKS.items()})
        .order_by()
    )
    PillarRiskCounts.objects.bulk_create(
        PillarRiskCounts(
            lens_review_id=row["lens_review_id"],
            pillar_id=row["question__pillar_id"],
            **{column: row[column] for column in RISKS},
        )
        for row in rows
    )
    for statement in _statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in _drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)
    apps.get_model("reviews", "PillarRiskCounts").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_pillar_risk_counts")]

    operations = [migrations.RunPython(fill_and_create, drop)]
