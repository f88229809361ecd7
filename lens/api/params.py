"""What the /api/v1/lenses/ views share beside lens.access (which finds the lens and version, as
the browser's pages do): the path and query parameters, and the lens rows' summary."""

from django.db.models import Prefetch, prefetch_related_objects
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from lens.models import Lens, LensVersion
from lens.permissions import can_manage

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
