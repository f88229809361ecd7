"""How every /api/v1/lenses/ view finds its lens and version: the browser's rules (lens/views.py).

A lens the caller may not see is a 404, so that its existence does not leak; managing it (publish,
share, delete) takes `can_manage`, else a 403; the draft (label `draft`) exists only for managers.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from lens.models import Lens, LensVersion
from lens.permissions import can_manage
from lens.selectors import lenses_for, version_by_label

#: A lens's alias in a URL: what `slugify` leaves (lens.services._check_alias).
ALIAS_PATTERN = r"[a-z0-9_-]+"

ALIAS_PARAMETER = OpenApiParameter(
    "alias", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=f"^{ALIAS_PATTERN}$", description="The lens."
)


VERSION_PARAMETER = OpenApiParameter(
    "version",
    OpenApiTypes.STR,
    description="A published label, or `draft` (only for those who manage the lens). Without it: the newest "
    "published version, or the draft when nothing is published yet and the caller manages the lens.",
)


def visible_lens(request, alias: str) -> Lens:
    """The lens with `alias`, if the caller may see it; a 404 otherwise."""
    return get_object_or_404(lenses_for(user=request.user).select_related("owner"), alias=alias)


def managed_lens(request, alias: str) -> Lens:
    """The lens with `alias`, if the caller manages it: a 404 if they may not see it, a 403 if they
    may see it but not manage it."""
    lens = visible_lens(request, alias)
    if not can_manage(request.user, lens):
        raise PermissionDenied("Only the lens's owner (for the instance's lenses, an administrator) may.")
    return lens


def requested_version(lens: Lens, label: str | None, *, manager: bool) -> LensVersion | None:
    """The version `label` names ("draft" only for a manager), a 404 if there is none; without a
    label, the newest published version (or the draft, for a manager, when nothing is published),
    maybe None."""
    version = version_by_label(lens, label or None, include_draft=manager)
    if label and version is None:
        raise Http404("This lens has no such version.")
    return version


def summarised(lenses: list[Lens], *, user) -> list[Lens]:
    """The lenses with what a lens row shows: `latest_version` (the newest published one, from one
    query for all of them) and `manageable` (the caller's permissions, loaded once)."""
    published = (
        LensVersion.objects.filter(status=LensVersion.Status.PUBLISHED)
        .defer("source")
        .order_by("-published_at", "-pk")
    )
    prefetch_related_objects(lenses, Prefetch("versions", queryset=published, to_attr="published"))
    for lens in lenses:
        lens.latest_version = lens.published[0] if lens.published else None
        lens.manageable = can_manage(user, lens)
    return lenses
