"""The built-in lens, "Machine Learning Lens (2021 slides)": ours, written from the 2021 slides.

`load_builtin_lens` runs after every `migrate`. It does nothing when the newest published version
already has the file's content; otherwise it imports the file and publishes it as the next version:
minor when nothing was removed (reviews move to it), major when questions or choices were removed.
"""

from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connections, transaction

from lens.diff import Status, version_diff
from lens.format import read_lens
from lens.models import BUILTIN_ALIAS, Lens
from lens.selectors import latest_published_version, version_document
from lens.services import content_hash, lens_import, lens_publish

BUILTIN_FILE = Path(__file__).with_name("ml-lens-2021.json")


def load_builtin_lens(path: Path = BUILTIN_FILE) -> str | None:
    """Make the newest published version of the built-in lens hold the file's content. Returns the
    label of the version it published, or None when there was nothing to do."""
    raw = path.read_bytes()
    document, _ = read_lens(raw)
    with transaction.atomic():
        lens = Lens.objects.select_for_update().filter(alias=BUILTIN_ALIAS).first()
        latest = latest_published_version(lens) if lens else None
        if latest is not None and latest.content_hash == content_hash(document):
            return None
        result = lens_import(source=raw, alias=BUILTIN_ALIAS, owner=None)
        removed = latest is not None and any(
            change.status == Status.DELETED
            for change in version_diff(version_document(latest), result.document)
        )
        label = str(result.lens.versions.filter(status="PUBLISHED").count() + 1)
        lens_publish(lens=result.lens, label=label, major=latest is None or removed)
    return label


def load_builtin_lens_after_migrate(sender: object, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: load the built-in lens into the database just migrated (unless the
    lens tables are not there, as after `migrate lens zero`)."""
    if using != "default":
        return
    with connections[using].cursor() as cursor:
        tables = connections[using].introspection.table_names(cursor)
    if all(model._meta.db_table in tables for model in apps.get_app_config("lens").get_models()):
        load_builtin_lens()
