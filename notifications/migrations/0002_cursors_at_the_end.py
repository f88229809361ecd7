"""The notifications consumer starts at the end of the history there is: an instance that gains
notifications does not tell everyone of every share and assignment it ever had."""

from django.db import migrations
from django.db.models import Max


def place_cursors(apps, schema_editor):
    cursor = apps.get_model("notifications", "OutboxCursor")
    streams = {
        "workload": apps.get_model("reviews", "WorkloadEvent"),
        "instance": apps.get_model("mlwa", "Event"),
    }
    for stream, model in streams.items():
        last = model.objects.aggregate(last=Max("pk"))["last"] or 0
        cursor.objects.update_or_create(consumer="notifications", stream=stream, defaults={"position": last})


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_notifications"),
        ("reviews", "0010_answer_change_lens_version"),
        ("mlwa", "0002_outbox_events"),
    ]

    operations = [migrations.RunPython(place_cursors, migrations.RunPython.noop)]
