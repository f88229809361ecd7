"""Names kept in place of users, for a workload restored from a backup (reviews.backup), the
document a workload was restored from, and the events of backing up and restoring.

Every new column is nullable without a default, so that on SQLite Django adds it with ALTER TABLE ADD
COLUMN instead of rebuilding the table, which would drop the table's triggers (the risk counts of
0003/0005, the milestones' freeze of 0005). The freeze triggers list the columns that may not change,
so they are made again here, with the new columns among them (a milestone's names are frozen too).
"""

import importlib

from django.conf import settings
from django.db import migrations, models

_freeze = importlib.import_module("reviews.migrations.0005_milestone_freeze_triggers")


def freeze_again(apps, schema_editor):
    """Drop and make again the freeze triggers of 0005, over the columns as they are now."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = list(_freeze._freeze_sqlite(apps))
    elif vendor == "postgresql":
        statements = list(_freeze._freeze_postgresql(apps))
    else:
        return
    _freeze.drop(apps, schema_editor)
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0007_worker_heartbeat"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # Going back, the fields go first (on SQLite by rebuilding tables) and the triggers are made last.
    operations = [
        migrations.RunPython(migrations.RunPython.noop, freeze_again),
        migrations.AddField(
            model_name="answer",
            name="updated_by_name",
            field=models.CharField(blank=True, max_length=150, null=True),
        ),
        migrations.AddField(
            model_name="answerchange",
            name="changed_by_name",
            field=models.CharField(blank=True, max_length=150, null=True),
        ),
        migrations.AddField(
            model_name="improvementitem",
            name="owner_name",
            field=models.CharField(blank=True, max_length=150, null=True),
        ),
        migrations.AddField(
            model_name="improvementitem",
            name="updated_by_name",
            field=models.CharField(blank=True, max_length=150, null=True),
        ),
        migrations.AddField(
            model_name="milestone",
            name="created_by_name",
            field=models.CharField(blank=True, max_length=150, null=True),
        ),
        migrations.AddField(
            model_name="milestoneanswer",
            name="updated_by_name",
            field=models.CharField(blank=True, max_length=150, null=True),
        ),
        migrations.AddField(
            model_name="workload",
            name="restored_from_document",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="workloadevent",
            name="actor_name",
            field=models.CharField(blank=True, max_length=150, null=True),
        ),
        migrations.AlterField(
            model_name="workloadevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("CREATED", "Created"),
                    ("UPDATED", "Fields changed"),
                    ("DELETED", "Deleted"),
                    ("OWNER_CHANGED", "Ownership handed over"),
                    ("SHARED", "Shared"),
                    ("ROLE_CHANGED", "Role changed"),
                    ("UNSHARED", "Share revoked"),
                    ("LENS_APPLIED", "Lens applied"),
                    ("LENS_REMOVED", "Lens removed"),
                    ("LENS_NOTES", "Lens notes changed"),
                    ("LENS_UPGRADED", "Lens upgraded"),
                    ("MILESTONE_SAVED", "Milestone saved"),
                    ("IMPROVEMENT_TRACKED", "Improvement item changed"),
                    ("EXPORTED", "Backed up"),
                    ("RESTORED", "Restored from backup"),
                ],
                max_length=32,
            ),
        ),
        migrations.AddConstraint(
            model_name="workload",
            constraint=models.UniqueConstraint(
                condition=models.Q(("restored_from_document__isnull", False)),
                fields=("restored_from_document",),
                name="workload_restored_once_per_document",
            ),
        ),
        migrations.RunPython(freeze_again, migrations.RunPython.noop),
    ]
