"""Pages' forms that refuse stale writes, as the questionnaire does with an answer's version.

A form carries, in a hidden `seen` field, a short hash of each value it was read with. When it is
posted, the stored values are read again with their row locked, and if one differs from what the
form was read with, nothing is written: the page shows the form again, with the person's input and
a message naming what changed, and a `seen` of the stored values, so that saving again is a choice
made knowing it. Tags rather than a version column: no migration, and the fields that changed can
be named.
"""

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

SEEN_FIELD = "seen"


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def seen_tags(values: Mapping[str, Any]) -> str:
    """The hidden field's value for a form showing `values` (field name → stored value)."""
    return json.dumps({name: _digest(value) for name, value in values.items()}, sort_keys=True)


def changed_since(seen: str, values: Mapping[str, Any]) -> list[str]:
    """The names of the fields whose stored value differs from the one the form was read with, in
    the order of `values`; every field if `seen` is missing or not what a form sends."""
    try:
        tags = json.loads(seen)
    except ValueError:
        tags = None
    if not isinstance(tags, dict):
        return list(values)
    return [name for name, value in values.items() if tags.get(name) != _digest(value)]


class StaleForm(Exception):
    """A form read before someone else changed the fields named in `changed`: nothing was written.
    `seen` is the tag of the stored values, for the form shown again."""

    def __init__(self, changed: list[str], seen: str):
        super().__init__(", ".join(changed))
        self.changed, self.seen = changed, seen


@contextmanager
def unchanged_since(seen: str, *, lock: QuerySet, values: Callable[[], Mapping[str, Any]]) -> Iterator[None]:
    """Run the block (the write) in one transaction, only if the values the form edits are still
    those it was read with: `lock`'s rows are locked first, so that two forms read at once cannot
    both be saved, then `values()` reads the stored ones. Raises StaleForm otherwise."""
    with transaction.atomic():
        list(lock.select_for_update().values_list("pk", flat=True))
        stored = values()
        changed = changed_since(seen, stored)
        if changed:
            raise StaleForm(changed, seen_tags(stored))
        yield
