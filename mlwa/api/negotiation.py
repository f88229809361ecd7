"""Content negotiation for the API: a format asked for by name wins over `Accept`.

DRF narrows the renderers to the one `?format=` names and then still matches them against
`Accept`, so `?format=csv` with `Accept: application/json` was 406: a client that names the format
it wants is told it cannot have it because its HTTP library sends a default `Accept`. Here the
named format is the answer, whatever `Accept` says; a format the operation does not offer is a 400
naming `format` (the error itself is JSON). Without `?format=`, `Accept` decides as in DRF
(`Accept: text/csv` gives the CSV where there is one).
"""

from collections.abc import Iterable

from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class FormatFirstNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, except that an explicit `?format=` (or format suffix) is never a 406."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        asked = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if not asked:
            return super().select_renderer(request, renderers, format_suffix)
        for renderer in renderers:
            if renderer.format == asked:
                return renderer, renderer.media_type
        offered = ", ".join(sorted({renderer.format for renderer in renderers}))
        raise ValidationError(
            {self.settings.URL_FORMAT_OVERRIDE: [f"Not a format of this operation: {offered}."]}
        )
