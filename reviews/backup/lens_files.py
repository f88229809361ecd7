"""The lens files a backup embeds: every version its reviews and milestones use, read in five
queries in all (lens.rows.load_documents), each the file `manage.py lens export` writes."""

from typing import Any

from lens.format import write_lens
from lens.models import LensVersion
from lens.rows import load_documents


def lens_files(versions: list[LensVersion]) -> dict[int, dict[str, Any]]:
    """Each version's custom-lens file (JSON values), by version pk: five queries for them all."""
    return {pk: write_lens(document) for pk, document in load_documents(versions).items()}
