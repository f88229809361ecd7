"""Request bodies over the cap are answered 413 before they are read, declared or chunked."""

import io
import json
from wsgiref.util import is_hop_by_hop

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from mlwa.middleware import RequestBodyLimitMiddleware


class CountingStream(io.BytesIO):
    """Counts the bytes read, to show that an oversized body is not read whole."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


@pytest.fixture
def small_cap(settings):
    settings.MLWA_MAX_REQUEST_BYTES = 1000
    return 1000


def _echo(request):
    return HttpResponse(request.body)


def test_a_declared_length_over_the_cap_is_answered_413_without_reading(small_cap):
    stream = CountingStream(b"x" * 5000)
    request = RequestFactory().post("/lenses/import/", data=b"", content_type="application/json")
    request.META.update({"CONTENT_LENGTH": "5000", "wsgi.input": stream})

    response = RequestBodyLimitMiddleware(_echo)(request)

    assert response.status_code == 413
    assert stream.bytes_read == 0


def test_an_api_client_gets_the_413_as_json(small_cap):
    request = RequestFactory().post("/api/v1/lenses/import/", data=b"", content_type="application/json")
    request.META["CONTENT_LENGTH"] = "5000"

    response = RequestBodyLimitMiddleware(_echo)(request)

    assert response.status_code == 413
    assert json.loads(response.content)["code"] == "request_too_large"


def _chunked_request(body: bytes):
    stream = CountingStream(body)
    request = RequestFactory().post("/lenses/import/", data=b"", content_type="application/json")
    request.META.pop("CONTENT_LENGTH", None)
    request.META.update(
        {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": stream, "wsgi.input_terminated": True}
    )
    from django.core.handlers.wsgi import WSGIRequest

    return WSGIRequest(request.META), stream


def test_a_chunked_body_over_the_cap_is_read_only_to_the_cap(small_cap):
    request, stream = _chunked_request(b"x" * 50_000)

    response = RequestBodyLimitMiddleware(_echo)(request)

    assert response.status_code == 413
    assert stream.bytes_read <= small_cap + 1


def test_a_chunked_body_under_the_cap_reaches_the_view(small_cap):
    request, _ = _chunked_request(b"y" * 600)

    response = RequestBodyLimitMiddleware(_echo)(request)

    assert (response.status_code, response.content) == (200, b"y" * 600)


@pytest.mark.parametrize("path", ["/lenses/import/", "/api/v1/lenses/import/"])
def test_the_413_carries_no_hop_by_hop_header_issue_14(small_cap, path):
    """A WSGI application may not send one (PEP 3333): Django's development server answered the
    413's `Connection: close` with a 500. The server decides about the connection."""
    request = RequestFactory().post(path, data=b"", content_type="application/json")
    request.META["CONTENT_LENGTH"] = "5000"

    response = RequestBodyLimitMiddleware(_echo)(request)

    assert response.status_code == 413
    assert [name for name, _value in response.items() if is_hop_by_hop(name)] == []


@pytest.mark.django_db
def test_django_s_handler_and_middleware_refuse_an_oversized_form_upload(client, alice, settings):
    """Through the test client, which no server stands behind: tests/mlwa/test_servers_413.py sends
    the same through runserver and gunicorn."""
    settings.MLWA_MAX_REQUEST_BYTES = 10_000
    client.force_login(alice)

    response = client.post("/lenses/import/", {"file": io.BytesIO(b"{" + b" " * 20_000 + b"}")})

    assert response.status_code == 413


# --- through Django's handler and every middleware (the test client, no server): a browser's form ---
# --- upload and an API client's lens import; tests/mlwa/test_servers_413.py goes through real servers ---

UPLOADS = {
    # The lens import page's form, as a browser sends it: multipart, the file inside.
    "page form": ("/lenses/import/", "multipart/form-data; boundary=BOUNDARY"),
    # The API's lens import, with a token.
    "api upload": ("/api/v1/lenses/import/", "application/json"),
}


@pytest.fixture
def uploader(client, alice, small_cap):
    """A client for each upload: the page with alice's session, the API with her token."""
    from accounts.services import token_create

    client.force_login(alice)
    _token, key = token_create(user=alice, name="uploads")
    return client, {"HTTP_AUTHORIZATION": f"Token {key}"}


def _upload(uploader, kind: str, stream, **environ):
    client, api_headers = uploader
    path, content_type = UPLOADS[kind]
    headers = api_headers if kind == "api upload" else {}
    environ = {"CONTENT_TYPE": content_type, "wsgi.input": stream, **headers, **environ}
    # No data: the test client then sets no Content-Length, and the environ says what a server would.
    return client.generic("POST", path, **environ)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", UPLOADS)
def test_a_declared_upload_over_the_cap_is_refused_unread_through_the_test_client(uploader, kind):
    from lens.models import Lens

    stream = CountingStream(b"x" * 50_000)
    lenses = Lens.objects.count()

    response = _upload(uploader, kind, stream, CONTENT_LENGTH="50000")

    assert response.status_code == 413
    assert stream.bytes_read == 0
    assert Lens.objects.count() == lenses
    if kind == "api upload":
        assert response.json()["code"] == "request_too_large"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", UPLOADS)
def test_a_chunked_upload_over_the_cap_is_read_only_to_the_cap_through_the_test_client(
    uploader, kind, small_cap
):
    from lens.models import Lens

    stream = CountingStream(b"x" * 50_000)
    lenses = Lens.objects.count()
    chunked = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True}

    response = _upload(uploader, kind, stream, **chunked)

    assert response.status_code == 413
    assert stream.bytes_read <= small_cap + 1
    assert Lens.objects.count() == lenses
    if kind == "api upload":
        assert response.json()["code"] == "request_too_large"


@pytest.mark.django_db
def test_a_chunked_api_upload_under_the_cap_reaches_the_view(uploader):
    """The chunked body, read by the middleware, is the one the view parses: here, not a lens (400)."""
    stream = CountingStream(b'{"name": "not a lens"}')
    chunked = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True}

    response = _upload(uploader, "api upload", stream, **chunked)

    assert response.status_code == 400
    assert response.json()["code"] == "lens_refused"  # the body was parsed: it is not a lens
