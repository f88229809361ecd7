"""Helpers for tests of the lens library's pages."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lens.models import Lens


def url(name: str, lens: Lens | None = None) -> str:
    """The URL of a lens page (`lens:<name>`), for a lens or for the library."""
    return reverse(f"lens:{name}", args=[lens.alias] if lens else [])


def upload(document: dict | str, name: str = "lens.json") -> SimpleUploadedFile:
    """A lens file as the import form receives it."""
    content = document if isinstance(document, str) else json.dumps(document)
    return SimpleUploadedFile(name, content.encode(), content_type="application/json")
