"""A workload's properties as AWS has them (issue 17): the one `regions` list becomes AWS region codes
(`aws_regions`) and other regions by name (`non_aws_regions`); industry type, account ids and
applications are new. Each stored region that is a known AWS code moves to `aws_regions`, every
other one to `non_aws_regions`, in the owner's order; going back puts them together again.

On SQLite every column is added with ALTER TABLE ADD COLUMN (NOT NULL with a DEFAULT the code never
relies on) and `regions` dropped with ALTER TABLE DROP COLUMN: Django would otherwise rebuild the
table, and SQLite refuses to rename the rebuilt table while the milestones' freeze triggers (0005)
name it. PostgreSQL takes Django's own operations.

The list of codes is copied here (reviews.properties.AWS_REGION_CODES as of this migration), as
migrations must not follow the code's later changes.
"""

from django.db import migrations, models

AWS_REGION_CODES = frozenset(
    {
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
        "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1",
        "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
        "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
        "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
        "cn-north-1", "cn-northwest-1", "us-gov-east-1", "us-gov-west-1",
    }
)  # fmt: skip


def split(apps, schema_editor):
    Workload = apps.get_model("reviews", "Workload")
    changed = []
    for workload in Workload.objects.only("pk", "regions").iterator():
        regions = workload.regions if isinstance(workload.regions, list) else []
        if not regions:
            continue
        workload.aws_regions = [r for r in regions if r in AWS_REGION_CODES]
        workload.non_aws_regions = [r for r in regions if r not in AWS_REGION_CODES]
        changed.append(workload)
    Workload.objects.bulk_update(changed, ["aws_regions", "non_aws_regions"], batch_size=500)


def join(apps, schema_editor):
    Workload = apps.get_model("reviews", "Workload")
    changed = []
    for workload in Workload.objects.only("pk", "aws_regions", "non_aws_regions").iterator():
        workload.regions = [*workload.aws_regions, *workload.non_aws_regions]
        if workload.regions:
            changed.append(workload)
    Workload.objects.bulk_update(changed, ["regions"], batch_size=500)


#: The new columns and, for SQLite's ALTER TABLE ADD COLUMN, the default that fills existing rows.
NEW_COLUMNS = {
    "industry_type": "''",
    "aws_regions": "'[]'",
    "non_aws_regions": "'[]'",
    "account_ids": "'[]'",
    "applications": "'[]'",
}


def _add(schema_editor, model, name: str, default: str) -> None:
    field = model._meta.get_field(name)
    if schema_editor.connection.vendor != "sqlite":
        schema_editor.add_field(model, field)
        return
    definition, _params = schema_editor.column_sql(model, field)
    table, column = (schema_editor.quote_name(n) for n in (model._meta.db_table, field.column))
    schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition} DEFAULT {default}")


def _drop(schema_editor, model, name: str) -> None:
    field = model._meta.get_field(name)
    if schema_editor.connection.vendor != "sqlite":
        schema_editor.remove_field(model, field)
        return
    table, column = (schema_editor.quote_name(n) for n in (model._meta.db_table, field.column))
    schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {column}")


def add_columns(apps, schema_editor):
    Workload = apps.get_model("reviews", "Workload")
    for name, default in NEW_COLUMNS.items():
        _add(schema_editor, Workload, name, default)


def drop_columns(apps, schema_editor):
    Workload = apps.get_model("reviews", "Workload")
    for name in NEW_COLUMNS:
        _drop(schema_editor, Workload, name)


def drop_regions(apps, schema_editor):
    _drop(schema_editor, apps.get_model("reviews", "Workload"), "regions")


def add_regions(apps, schema_editor):
    _add(schema_editor, apps.get_model("reviews", "Workload"), "regions", "'[]'")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0010_answer_change_lens_version")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="workload",
                    name="industry_type",
                    field=models.CharField(
                        blank=True, help_text="One of AWS's industry types.", max_length=100
                    ),
                ),
                migrations.AddField(
                    model_name="workload",
                    name="aws_regions",
                    field=models.JSONField(blank=True, default=list, help_text="AWS region codes, in order."),
                ),
                migrations.AddField(
                    model_name="workload",
                    name="non_aws_regions",
                    field=models.JSONField(blank=True, default=list, help_text="Other regions, by name."),
                ),
                migrations.AddField(
                    model_name="workload",
                    name="account_ids",
                    field=models.JSONField(
                        blank=True, default=list, help_text="AWS account ids (12 digits)."
                    ),
                ),
                migrations.AddField(
                    model_name="workload",
                    name="applications",
                    field=models.JSONField(blank=True, default=list, help_text="AWS application ARNs."),
                ),
            ]
        ),
        # After the state: the functions read the new fields from it.
        migrations.RunPython(add_columns, drop_columns, elidable=False),
        migrations.RunPython(split, join, elidable=False),
        # Before the state: dropping reads the field from it (and adding it back needs it there).
        migrations.RunPython(drop_regions, add_regions, elidable=False),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField(model_name="workload", name="regions")]
        ),
    ]
