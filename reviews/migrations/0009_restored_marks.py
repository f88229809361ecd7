"""Rows a restore wrote are marked with who restored them and when (issue 14): answers (live and
frozen), answer history, events and milestones, so that pages read "alice, restored from a backup
by eve" and the API adds `restored_by` and `restored_at`.

As in 0008, every new column is nullable without a default, so that SQLite adds it with ALTER TABLE
ADD COLUMN and keeps the tables' triggers; the freeze triggers are made again over the new columns
(frozen like the rest, except `restored_by_id`, which a deleted user's SET_NULL may clear: 0005's
FROZEN names it).
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

_names = importlib.import_module("reviews.migrations.0008_backup_names")


def _restored_by(model_name: str):
    return migrations.AddField(
        model_name=model_name,
        name="restored_by",
        field=models.ForeignKey(
            blank=True,
            null=True,
            on_delete=django.db.models.deletion.SET_NULL,
            related_name="+",
            to=settings.AUTH_USER_MODEL,
        ),
    )


def _restored_at(model_name: str):
    return migrations.AddField(
        model_name=model_name,
        name="restored_at",
        field=models.DateTimeField(blank=True, null=True),
    )


MODELS = ("answer", "answerchange", "milestone", "milestoneanswer", "workloadevent")


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0008_backup_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # Going back, the fields go first (on SQLite by rebuilding tables) and the triggers are made last.
    operations = [
        migrations.RunPython(migrations.RunPython.noop, _names.freeze_again),
        *(operation for model in MODELS for operation in (_restored_by(model), _restored_at(model))),
        migrations.RunPython(_names.freeze_again, migrations.RunPython.noop),
    ]
