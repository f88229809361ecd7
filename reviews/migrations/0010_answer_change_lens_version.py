"""Each answer change records the lens version it was made on (issue 16), so that the history shows
the practice titles of that version, not today's.

The column is nullable (SQLite adds it with ALTER TABLE ADD COLUMN, keeping the tables' triggers)
and SET_NULL: deleting an old version leaves the change, which then falls back as below.

Existing changes are backfilled from the workload's LENS_UPGRADED events, where that can be derived:
the change an upgrade made is on the version its note names ("Lens upgraded to 2"); any other is on
the version the first upgrade after it came from, or on the review's version now if none came
after. A label that names no version of the lens (deleted since) leaves the change without one:
reviews.selectors.change_versions applies the same rule at read time, and else shows today's titles,
marked as such. The rule is copied here, as migrations must not follow the code's later changes.
"""

import django.db.models.deletion
from django.db import migrations, models

UPGRADE_NOTE = "Lens upgraded to "


def _label_at(changed_at, note, upgrades, current_label):
    if note.startswith(UPGRADE_NOTE):
        return note[len(UPGRADE_NOTE) :]
    for at, from_label in upgrades:
        if at > changed_at:
            return from_label
    return current_label


def backfill(apps, schema_editor):
    LensReview = apps.get_model("reviews", "LensReview")
    AnswerChange = apps.get_model("reviews", "AnswerChange")
    WorkloadEvent = apps.get_model("reviews", "WorkloadEvent")
    LensVersion = apps.get_model("lens", "LensVersion")
    reviews = LensReview.objects.select_related("lens", "lens_version").only(
        "workload_id", "lens__alias", "lens_version__label", "lens_version__lens_id"
    )
    for review in reviews.iterator():
        changes = list(
            AnswerChange.objects.filter(answer__lens_review=review, lens_version__isnull=True).only(
                "pk", "changed_at", "note"
            )
        )
        if not changes:
            continue
        upgrades = [
            (at, str(data.get("from_version", "")))
            for at, data in WorkloadEvent.objects.filter(
                workload_id=review.workload_id, kind="LENS_UPGRADED", data__lens=review.lens.alias
            )
            .order_by("at", "pk")
            .values_list("at", "data")
            if isinstance(data, dict)
        ]
        by_label = dict(
            LensVersion.objects.filter(lens_id=review.lens_id).exclude(label="").values_list("label", "pk")
        )
        for change in changes:
            label = _label_at(change.changed_at, change.note, upgrades, review.lens_version.label)
            change.lens_version_id = by_label.get(label)
        AnswerChange.objects.bulk_update(
            [change for change in changes if change.lens_version_id], ["lens_version"], batch_size=500
        )


class Migration(migrations.Migration):
    dependencies = [
        ("lens", "0002_freeze_published_versions"),
        ("reviews", "0009_restored_marks"),
    ]

    operations = [
        migrations.AddField(
            model_name="answerchange",
            name="lens_version",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="lens.lensversion",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
