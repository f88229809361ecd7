"""Signals the lens app sends, so that other apps can react without the lens app knowing them.

`version_published` is sent by `lens.services.lens_publish` inside its transaction, once the draft
is published, with `version` (the LensVersion just published) and `actor` (who published it, or
None). A receiver's exception propagates and rolls the publication back: a version is published
together with whatever its receivers do (the reviews app moves the reviews of the previous versions
of a minor version's line to it), or not at all.
"""

from django.dispatch import Signal

version_published = Signal()
