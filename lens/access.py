"""How a lens view, in the browser (lens/views.py) or the API (lens/api/), finds its lens and version.

A lens the user may not see is a 404, so that its existence does not leak; managing it (publish,
share, delete) takes `can_manage`, else a 403; the draft (label `draft`) exists only for managers.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from lens.models import Lens, LensVersion
from lens.permissions import can_manage
from lens.selectors import version_by_label


def visible_lens(request: HttpRequest, alias: str) -> Lens:
    """The lens with `alias`, if the caller may see it; a 404 otherwise."""
    return get_object_or_404(Lens.objects.visible_to(request.user).select_related("owner"), alias=alias)


def managed_lens(request: HttpRequest, alias: str) -> Lens:
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
