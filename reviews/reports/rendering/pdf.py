"""HTML to PDF with WeasyPrint, fetching only the project's static files (fetcher.py).

The templates (templates/reviews/reports/pdf/) are Django templates with autoescaping: lens and
user text is text. Their stylesheet is static/css/report-print.css, linked as a static file and
served by the fetcher; charts are the inline SVG the pages show (reviews.charts).
"""

import logging
from collections.abc import Callable

from django.template.loader import render_to_string
from weasyprint import HTML

from reviews.reports.rendering.fetcher import BASE_URL, StaticFilesFetcher

# WeasyPrint logs each step of every document at INFO ("Step 2 - Fetching and parsing CSS"): a
# dozen lines a report in the worker's log, which says nothing the report's progress does not.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def pdf_of(template: str, context: dict, progress: Callable[[int], None], *, start: int = 60) -> bytes:
    """The PDF of `template` with `context`: `progress(start)` before the layout, then about
    halfway to 100 once laid out, before writing the file."""
    html = render_to_string(template, context)
    progress(start)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).render()
    progress(start + (95 - start) // 2)
    content = document.write_pdf()
    progress(95)
    return content
