"""The lens catalog: a folder of lens files (`MLWA_LENS_CATALOG`) that the lens library lists, each
one click away from being a lens of the instance (administrators) or of the person who adds it.

A file is known by its name in the folder; a lens added from it remembers that name
(`Lens.catalog_file`). When the file changes (its content hash is no longer that of the lens's
newest version), the library offers the change as a new draft to publish, as an import would.
Adding or updating raises what an import raises (LensRefused, LensActionRefused).

Files are read through the lens format's reader, so a catalog file is held to the rules of any
import; a file that breaks them is listed with its problem and cannot be added. Each file is parsed
once per change (cached by path, size and modification time), not on every page.
"""

import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from lens.format import LensDocument, LensRefused, read_lens
from lens.models import Lens, LensVersion
from lens.permissions import can_manage
from lens.services import ImportResult, LensActionRefused, content_hash, lens_import, lens_publish
from mlwa.types import Reader

#: A file past this size is listed as too large rather than read (the format's own cap is higher).
MAX_FILE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class CatalogFile:
    """One file of the catalog, read: its name in the folder, and either the lens it holds (name,
    description, counts, content hash) or why it cannot be added (`problem`)."""

    filename: str
    name: str = ""
    description: str = ""
    pillar_count: int = 0
    question_count: int = 0
    content_hash: str = ""
    problem: str = ""


@dataclass
class CatalogEntry:
    """A catalog file as one reader sees it: the lenses they may see that were added from it, and
    whether the file holds a content that the newest of those lenses' versions does not (`changed`)."""

    file: CatalogFile
    lenses: list[Lens] = field(default_factory=list)
    changed: list[Lens] = field(default_factory=list)
    in_instance: bool = False  # an instance lens was added from it
    mine: bool = False  # the reader added it as their own lens


_cache: dict[Path, tuple[tuple[int, int], CatalogFile]] = {}
_cache_lock = threading.Lock()


def catalog_folder() -> Path | None:
    """The catalog's folder, or None when no catalog is set (or the folder is missing)."""
    configured = getattr(settings, "MLWA_LENS_CATALOG", "")
    if not configured:
        return None
    folder = Path(configured)
    return folder if folder.is_dir() else None


def _catalog_paths() -> dict[str, Path]:
    folder = catalog_folder()
    if folder is None:
        return {}
    return {path.name: path for path in sorted(folder.glob("*.json")) if path.is_file()}


def _read(path: Path) -> tuple[CatalogFile, LensDocument | None]:
    if path.stat().st_size > MAX_FILE_BYTES:
        return CatalogFile(path.name, problem=f"the file is larger than {MAX_FILE_BYTES:,} bytes"), None
    try:
        document, _warnings = read_lens(path.read_bytes())
    except LensRefused as refusal:
        count = len(refusal.problems)
        first = refusal.problems[0] if refusal.problems else None
        return CatalogFile(
            path.name, problem=f"{count} problem{'s' if count != 1 else ''}, the first: {first}"
        ), None
    except OSError as error:
        return CatalogFile(path.name, problem=f"the file cannot be read ({error.strerror})"), None
    summary = CatalogFile(
        filename=path.name,
        name=document.name,
        description=document.description,
        pillar_count=len(document.pillars),
        question_count=sum(len(pillar.questions) for pillar in document.pillars),
        content_hash=content_hash(document),
    )
    return summary, document


def _summary(path: Path) -> CatalogFile:
    stat = path.stat()
    key = (stat.st_size, stat.st_mtime_ns)
    with _cache_lock:
        cached = _cache.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    summary, _document = _read(path)
    with _cache_lock:
        _cache[path] = (key, summary)
    return summary


def catalog_files() -> list[CatalogFile]:
    """Every lens file in the catalog, by file name."""
    return [_summary(path) for path in _catalog_paths().values()]


def catalog_entries(*, user: Reader) -> list[CatalogEntry]:
    """The catalog as `user` sees it, in two queries however many files and lenses: the visible
    lenses added from a catalog file, and their newest versions' content hashes."""
    files = catalog_files()
    if not files:
        return []
    lenses = list(
        Lens.objects.visible_to(user)
        .filter(catalog_file__in=[file.filename for file in files])
        .select_related("owner")
        .order_by("owner_id", "alias")
    )
    for lens in lenses:
        lens.manageable = can_manage(user, lens)
    newest: dict[int, str] = {}
    for lens_id, digest in (
        LensVersion.objects.filter(lens__in=lenses)
        .exclude(status=LensVersion.Status.RETIRING)
        .order_by("lens_id", "-pk")
        .values_list("lens_id", "content_hash")
    ):
        newest.setdefault(lens_id, digest)
    entries = []
    for file in files:
        mine = [lens for lens in lenses if lens.catalog_file == file.filename]
        changed = [lens for lens in mine if file.content_hash and newest.get(lens.pk) != file.content_hash]
        entries.append(
            CatalogEntry(
                file=file,
                lenses=mine,
                changed=changed,
                in_instance=any(lens.owner_id is None for lens in mine),
                mine=any(lens.owner_id == user.pk for lens in mine),
            )
        )
    return entries


def _source(filename: str) -> bytes:
    """The bytes of the catalog file named `filename`. The name is looked up among the folder's
    files, never joined to a path, so no name reaches outside the folder."""
    path = _catalog_paths().get(filename)
    if path is None:
        raise LensActionRefused(f"the catalog has no file {filename!r}", field="file", code="not_in_catalog")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise LensActionRefused(
            f"{filename} is larger than {MAX_FILE_BYTES:,} bytes", field="file", code="catalog_file_too_large"
        )
    return path.read_bytes()


def _free_label(lens: Lens) -> str:
    """Today's date as the first version's label ("2026-12-07"), "-2", "-3"... if taken."""
    base = timezone.localdate().isoformat()
    taken = set(lens.versions.values_list("label", flat=True))
    label, number = base, 2
    while label in taken:
        label, number = f"{base}-{number}", number + 1
    return label


def lens_add_from_catalog(*, filename: str, owner: User | None, actor: User) -> ImportResult:
    """Add the catalog's `filename` as a new lens, published at once (major, labelled with today's
    date) so that it can be applied: the instance's when `owner` is None (the caller checks that
    `actor` manages the instance's lenses), else `owner`'s. One transaction."""
    source = _source(filename)
    if Lens.objects.filter(catalog_file=filename, owner=owner).exists():
        whose = "this instance" if owner is None else "you"
        raise LensActionRefused(
            f"{filename} was added for {whose} already; a changed file is imported as a new version",
            field="file",
            code="already_added",
        )
    with transaction.atomic():
        result = lens_import(source=source, owner=owner, created_by=actor)
        Lens.objects.filter(pk=result.lens.pk).update(catalog_file=filename)
        result.lens.catalog_file = filename
        result.version = lens_publish(
            lens=result.lens, label=_free_label(result.lens), major=True, actor=actor
        )
    return result


def lens_update_from_catalog(*, lens: Lens, actor: User) -> ImportResult:
    """Import the changed catalog file of `lens` as its draft, for its manager to compare and
    publish (the caller checks that `actor` manages the lens)."""
    if not lens.catalog_file:
        raise LensActionRefused("this lens was not added from the catalog", code="not_from_catalog")
    return lens_import(
        source=_source(lens.catalog_file), owner=lens.owner, alias=lens.alias, created_by=actor
    )
