"""What is stored, read straight from the database: to compare before and after a refused write."""

import hashlib
import json

from django.apps import apps

from reviews.models import Answer


def row(answer: Answer) -> dict:
    """Everything stored for an answer."""
    return Answer.objects.filter(pk=answer.pk).values().get()


#: A lens version's content: published, the database itself refuses to change it (lens migration
#: 0002), so counting its rows is enough, and much faster than reading them all for every case.
COUNTED_ONLY = {"lens.Pillar", "lens.Question", "lens.Choice", "lens.RiskRule", "lens.Resource"}


#: Columns that change on reads: a login, a token's use.
UNTRACKED = {"last_login", "last_used_at"}


def database_state() -> str:
    """A digest of every row the application owns (sessions, login times and token use aside)."""
    rows = {}
    for label in ("reviews", "lens", "auth", "accounts"):
        for model in apps.get_app_config(label).get_models():
            if model._meta.label in COUNTED_ONLY:
                rows[model._meta.label] = model.objects.count()
                continue
            values = model.objects.order_by("pk").values()
            rows[model._meta.label] = [{k: v for k, v in row.items() if k not in UNTRACKED} for row in values]
    return hashlib.sha256(json.dumps(rows, default=str, sort_keys=True).encode()).hexdigest()
