"""Writes to lenses: import, publish, share, delete. One transaction per action.

Who may do what is checked by the caller with `lens.permissions`; these functions check what the data
must satisfy (aliases, labels, the draft to publish) and raise with a clear message otherwise.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, User
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.text import slugify

from lens.format import LensDocument, Problem, lint_lens, read_lens, write_lens
from lens.models import BUILTIN_ALIAS, Lens, LensVersion
from lens.rows import store_document
from lens.signals import version_published
from mlwa.events import outbox_record
from mlwa.models import Event

ALIAS_MAX = 64
LABEL_MAX = 32
# Paths under /lenses/ that are not a lens's page: no lens may take them as its alias.
RESERVED_ALIASES = frozenset({"import", "catalog"})


class LensActionRefused(Exception):
    """An action on a lens that the data does not allow; `field` names the input at fault."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class LensInUse(LensActionRefused):
    """The lens has a version that a review or milestone uses."""


@dataclass
class ImportResult:
    lens: Lens
    version: LensVersion
    document: LensDocument
    warnings: list[Problem] = field(default_factory=list)


def content_hash(document: LensDocument) -> str:
    """A SHA-256 of the document's content (undocumented keys included), independent of layout."""
    canonical = json.dumps(write_lens(document), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _free_alias(name: str) -> str:
    base = slugify(name)[: ALIAS_MAX - 4].strip("-") or "lens"
    taken = set(Lens.objects.filter(alias__startswith=base).values_list("alias", flat=True))
    taken |= RESERVED_ALIASES
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _alias_not_available(alias: str) -> LensActionRefused:
    """The refusal of an alias that another lens holds. Aliases are one public namespace
    (LENS_FORMAT.md), so saying that one is taken tells nothing new; saying more would: the same
    words and code whoever holds it and whether or not the importer may see that lens, naming,
    describing or confirming no lens."""
    return LensActionRefused(
        f"the alias {alias!r} is not available; choose another", field="alias", code="alias_taken"
    )


def _check_alias(alias: str) -> None:
    if not alias or len(alias) > ALIAS_MAX or slugify(alias) != alias:
        raise LensActionRefused(
            f"{alias!r} is not an alias: use 1-{ALIAS_MAX} lower-case letters, digits and hyphens",
            field="alias",
            code="bad_alias",
        )
    if alias in RESERVED_ALIASES:
        raise LensActionRefused(
            f"{alias!r} is reserved; choose another alias", field="alias", code="bad_alias"
        )


def lens_import(
    *,
    source: str | bytes | dict,
    owner: User | None = None,
    alias: str | None = None,
    created_by: User | None = None,
) -> ImportResult:
    """Import a lens document as the draft of a lens.

    With `alias` of a lens of the same owner (None: the instance), the draft is replaced; an alias
    that any other lens holds is refused as not available, in the same words whoever holds it;
    without an alias, a new lens is created with one derived from the name. Raises LensRefused
    (every problem at its JSON path) or LensActionRefused; on refusal nothing is stored.
    """
    document, warnings = read_lens(source)
    warnings = warnings + lint_lens(document)
    source_value = write_lens(document)  # the document as parsed: JSON values, BOM and layout gone
    with transaction.atomic():
        if alias is not None:
            _check_alias(alias)
            lens = Lens.objects.select_for_update().filter(alias=alias).first()
            if lens is not None and lens.owner_id != (owner.pk if owner else None):
                raise _alias_not_available(alias)
        else:
            lens = None
        if lens is None:
            try:
                with transaction.atomic():  # a savepoint: the alias may be taken since it was read
                    lens = Lens.objects.create(
                        alias=alias or _free_alias(document.name),
                        name=document.name,
                        description=document.description,
                        owner=owner,
                    )
            except IntegrityError:
                if alias is None:
                    raise
                raise _alias_not_available(alias) from None
        else:
            lens.name, lens.description = document.name, document.description
            lens.save(update_fields=["name", "description", "updated_at"])
            LensVersion.objects.filter(lens=lens, status=LensVersion.Status.DRAFT).delete()
        version = LensVersion.objects.create(
            lens=lens,
            name=document.name,
            description=document.description,
            schema_version=document.schema_version,
            source=source_value,
            extra=document.extra,
            warnings=[problem.as_dict() for problem in warnings],
            content_hash=content_hash(document),
            created_by=created_by,
        )
        store_document(version, document)
    return ImportResult(lens=lens, version=version, document=document, warnings=warnings)


def lens_publish(*, lens: Lens, label: str, major: bool, actor: User | None = None) -> LensVersion:
    """Freeze the lens's draft as a published version with `label` (1-32 characters, unique in the
    lens), marked major or minor, by `actor` (None: the instance itself, e.g. at migrate time).

    `lens.signals.version_published` is sent inside the same transaction: what its receivers do (a
    minor version moves the reviews of its line to it) is published with the version, or nothing is."""
    label = label.strip()
    if not 1 <= len(label) <= LABEL_MAX:
        raise LensActionRefused(f"a label is 1-{LABEL_MAX} characters", field="label", code="bad_label")
    if label == "draft":
        # Pages and the API name the draft "draft"; a published version so labelled could not be named.
        raise LensActionRefused(
            "“draft” names the draft; choose another label", field="label", code="bad_label"
        )
    with transaction.atomic():
        draft = (
            LensVersion.objects.select_for_update().filter(lens=lens, status=LensVersion.Status.DRAFT).first()
        )
        if draft is None:
            raise LensActionRefused("this lens has no draft to publish", field="label", code="no_draft")
        if LensVersion.objects.filter(lens=lens, status=LensVersion.Status.PUBLISHED, label=label).exists():
            raise LensActionRefused(f"version {label!r} exists already", field="label", code="label_taken")
        draft.status = LensVersion.Status.PUBLISHED
        draft.label = label
        draft.kind = LensVersion.Kind.MAJOR if major else LensVersion.Kind.MINOR
        draft.published_at = timezone.now()
        draft.save()
        version_published.send(sender=LensVersion, version=draft, actor=actor)
        # The outbox's event, with the version: the workloads using the lens hear of it (notifications).
        outbox_record(
            kind=Event.Kind.LENS_VERSION_PUBLISHED,
            actor=actor,
            lens=lens.pk,
            lens_alias=lens.alias,
            lens_name=lens.name,
            version=draft.pk,
            label=draft.label,
            major=major,
        )
    return draft


def lens_share(
    *, lens: Lens, users: Iterable[User] = (), groups: Iterable[Group] = (), everyone: bool | None = None
) -> None:
    """Share the lens with more users and groups, and with every user or not."""
    with transaction.atomic():
        if users:
            lens.shared_with_users.add(*users)
        if groups:
            lens.shared_with_groups.add(*groups)
        if everyone is not None and everyone != lens.shared_with_everyone:
            lens.shared_with_everyone = everyone
            lens.save(update_fields=["shared_with_everyone", "updated_at"])


def lens_unshare(
    *, lens: Lens, users: Iterable[User] = (), groups: Iterable[Group] = (), everyone: bool = False
) -> None:
    """Stop sharing the lens with these users and groups, and with every user if `everyone`."""
    with transaction.atomic():
        if users:
            lens.shared_with_users.remove(*users)
        if groups:
            lens.shared_with_groups.remove(*groups)
        if everyone and lens.shared_with_everyone:
            lens.shared_with_everyone = False
            lens.save(update_fields=["shared_with_everyone", "updated_at"])


def lens_sharing_set(
    *, lens: Lens, users: Iterable[User] = (), groups: Iterable[Group] = (), everyone: bool
) -> None:
    """Replace who the lens is shared with: exactly these users and groups, and every user or not.
    The lens row is locked so that two replacements at once leave one of them whole, not a mix."""
    with transaction.atomic():
        stored = Lens.objects.select_for_update().only("shared_with_everyone").get(pk=lens.pk)
        lens.shared_with_users.set(users)
        lens.shared_with_groups.set(groups)
        if everyone != stored.shared_with_everyone:
            Lens.objects.filter(pk=lens.pk).update(shared_with_everyone=everyone, updated_at=timezone.now())
        lens.shared_with_everyone = everyone


def lens_delete(*, lens: Lens) -> None:
    """Delete a lens and all its versions. Refused for the built-in lens and while a review or a
    milestone uses one of its versions."""
    if lens.alias == BUILTIN_ALIAS:
        raise LensActionRefused("the built-in lens is part of every instance", code="builtin")
    try:
        with transaction.atomic():
            lens.delete()
    except ProtectedError:
        raise LensInUse(
            "a review or a milestone uses a version of this lens; remove it from them first", code="in_use"
        ) from None
