"""MLWA's middleware: the request body's limit, the API's JSON 404, and the pages' 405.

RequestBodyLimitMiddleware refuses oversized request bodies with 413 before anything reads them.
Django on its own reads up to Content-Length and answers 400 (RequestDataTooBig) only once a form is
parsed, and silently ignores a chunked body. This middleware runs first: a declared length over the cap
is refused without reading a byte; a chunked body (which the server has de-chunked and terminated) is
read up to the cap and no further, then handed to Django as an ordinary body.
"""

import io

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpResponse
from django.shortcuts import render

from mlwa.api.errors import json_error
from mlwa.views import back_path

_CHUNK = 64 * 1024


def _too_large(request, limit: int) -> HttpResponse:
    message = f"The request body is larger than the limit of {limit:,} bytes."
    if request.path.startswith("/api/") or "json" in request.META.get("HTTP_ACCEPT", ""):
        response: HttpResponse = json_error(413, "request_too_large", message)
    else:
        response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
    # No `Connection: close`, although the rest of the body is unread: a WSGI application may not
    # send hop-by-hop headers (PEP 3333), and Django's development server answers one with a 500
    # (issue 14). The connection is the server's: gunicorn ignores the header, and closes (sync
    # worker) or skips the rest of the body before the next request; the development server reads
    # the rest of a declared body, and closes the connection after a chunked one (mlwa.devserver).
    return response


def _read_at_most(stream, limit: int) -> bytes | None:
    """Up to `limit` bytes of `stream`, or None if it holds more."""
    buffer = io.BytesIO()
    while True:
        chunk = stream.read(min(_CHUNK, limit + 1 - buffer.tell()))
        if not chunk:
            return buffer.getvalue()
        buffer.write(chunk)
        if buffer.tell() > limit:
            return None


class RequestBodyLimitMiddleware:
    """Answers 413 to a body over settings.MLWA_MAX_REQUEST_BYTES, declared or chunked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MLWA_MAX_REQUEST_BYTES
        meta = request.META
        declared = meta.get("CONTENT_LENGTH")
        if declared:
            try:
                too_large = int(declared) > limit
            except ValueError:
                return HttpResponse("Malformed Content-Length.", status=400, content_type="text/plain")
            if too_large:
                return _too_large(request, limit)
        elif "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower() and meta.get(
            "wsgi.input_terminated"
        ):
            body = _read_at_most(meta["wsgi.input"], limit)
            if body is None:
                return _too_large(request, limit)
            meta["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))
        return self.get_response(request)


class ApiNotFoundMiddleware:
    """A 404 under /api/ that no API view made (an unknown URL) is answered in the API's JSON shape,
    whatever DEBUG says: clients parse every API answer as JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return json_error(404, "not_found", "No such resource.")
        return response


class MethodNotAllowedMiddleware:
    """An empty 405 of a page (require_safe, require_http_methods, post_only: Django has no
    handler405) becomes the site's 405 page, with the same `Allow`. Not under /api/, whose 405s are
    the API's JSON, and not a 405 that has a body already (someone chose what it says)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or request.path.startswith("/api/") or response.content:
            return response
        allowed = response.get("Allow", "")
        context = {"method": request.method, "allowed": allowed, "back": back_path(request)}
        page = render(request, "405.html", context, status=405)
        page["Allow"] = allowed
        return page
