"""A lens imported from a URL: fetched through the guarded outgoing client (mlwa.outgoing), then
imported as an uploaded file is, with the same checks."""

from django.contrib.auth.models import User

from lens.services import ImportResult, LensActionRefused, lens_import
from mlwa.outgoing import OutgoingRefused, fetch


def lens_import_from_url(
    *, url: str, owner: User | None, alias: str | None = None, created_by: User | None = None
) -> ImportResult:
    """Fetch `url` (https, a public address, at most MLWA_OUTGOING_MAX_BYTES, redirects checked)
    and import what it holds as a draft, as `lens_import` does. A refusal of the fetch, or an answer
    other than 200, is a LensActionRefused on the `url` field; the lens reader's refusals
    (LensRefused) are as for a file. Nothing is stored on refusal."""
    try:
        response = fetch(url.strip())
    except OutgoingRefused as refusal:
        raise LensActionRefused(refusal.message, field="url", code="url_refused") from None
    if response.status != 200:
        raise LensActionRefused(
            f"{response.url} answered HTTP {response.status}, not a lens file", field="url", code="url_status"
        )
    return lens_import(source=response.body, owner=owner, alias=alias, created_by=created_by)
