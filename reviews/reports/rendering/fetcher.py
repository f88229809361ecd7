"""WeasyPrint's URL fetcher for reports: the project's own static files, and nothing else.

A report holds lens and user text. Django escapes it, so it cannot add an <img> or a stylesheet;
this fetcher is the second wall, for anything that would still ask WeasyPrint for a URL: it never
opens a connection or a file outside the static files. It serves

- `STATIC_URL` paths (`/static/css/report-print.css`) under the reports' own base URL (BASE_URL,
  on the reserved `.invalid` domain, so that nothing could ever answer for it), found through
  `django.contrib.staticfiles.finders.find` (the app and project static folders, as in debug);

and refuses every other URL (http, https, file, ftp, data, another host, a path outside the static
files, `..`) by raising RefusedURL. WeasyPrint catches that, logs a warning and leaves the resource
out: the report is made, without it.
"""

import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint.urls import URLFetcher, URLFetcherResponse

#: The base URL a report's HTML is rendered against: relative and root-relative URLs of our
#: templates resolve under it, and only under it does the fetcher serve anything.
BASE_URL = "https://mlwa-report.invalid/"
_BASE = urlsplit(BASE_URL)


class RefusedURL(ValueError):
    """A URL the report may not fetch (anything but the project's static files)."""


def static_path(url: str) -> Path:
    """The file of the static file that `url` names, or RefusedURL."""
    parts = urlsplit(url)
    if (parts.scheme.lower(), parts.netloc.lower()) != (_BASE.scheme, _BASE.netloc):
        raise RefusedURL(f"reports fetch only the project's static files, not {url[:200]!r}")
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    path = unquote(parts.path)
    if not path.startswith(prefix):
        raise RefusedURL(f"not a static file: {url[:200]!r}")
    name = path[len(prefix) :]
    # finders.find refuses nothing itself; a normalised name that climbs out is refused here.
    if not name or posixpath.normpath(name) != name or name.startswith(("/", "..")) or "\\" in name:
        raise RefusedURL(f"not a static file name: {url[:200]!r}")
    found = finders.find(name) or _collected(name)
    if not found:
        raise RefusedURL(f"no such static file: {url[:200]!r}")
    return Path(found)


def _collected(name: str) -> str | None:
    """The collected file of a hashed static name (`css/report-print.3f2a….css`), or None.

    With DEBUG off, `{% static %}` asks the manifest storage for the hashed name, which no finder
    knows (issue 17: every production PDF lost its stylesheet). Only a name the manifest lists is
    served, from the storage's folder (STATIC_ROOT); when the collected copy is missing, the
    source file of the same name stands in (the same bytes, bar the hashed url()s it refers to).
    """
    hashed_files = getattr(staticfiles_storage, "hashed_files", None)
    if not hashed_files:
        return None  # not a manifest storage (debug), or nothing collected yet
    originals = {hashed: original for original, hashed in hashed_files.items()}
    original = originals.get(name)
    if original is None:
        return None
    if staticfiles_storage.exists(name):
        return staticfiles_storage.path(name)
    return finders.find(original)


class StaticFilesFetcher(URLFetcher):
    """A URLFetcher (WeasyPrint's, for its error handling) whose `fetch` serves the static files
    and refuses everything else; no urllib handler is ever called."""

    def fetch(self, url, headers=None):
        path = static_path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def open(self, url, data=None, timeout=None):  # urllib's entry point: the same wall
        return self.fetch(getattr(url, "full_url", url))
