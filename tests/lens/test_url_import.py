"""Import from a URL: a lens served over HTTPS on 127.0.0.1 (trustme certificate) allowed through
MLWA_OUTGOING_ALLOW is imported as an upload is; without the allow-list the guarded client refuses,
and the page says why on the URL field, storing nothing."""

import json

import pytest
from django.urls import reverse

from lens.models import Lens
from tests.factories import lens_document
from tests.https_server import https_server


@pytest.fixture
def lens_server(tmp_path, settings):
    body = json.dumps(lens_document("Served lens")).encode()
    routes = {
        "/lens.json": (200, {"Content-Type": "application/json"}, body),
        "/broken.json": (200, {}, b'{"name": "no pillars"}'),
        "/gone.json": (404, {}, b"gone"),
    }
    with https_server(tmp_path, routes) as server:
        settings.MLWA_OUTGOING_CA_FILE = server.ca_file
        settings.MLWA_OUTGOING_ALLOW = ["127.0.0.1"]
        yield server


def test_a_lens_is_imported_from_an_allowed_https_url(client_for, alice, lens_server):
    response = client_for(alice).post(reverse("lens:import_url"), {"url": lens_server.url("/lens.json")})
    lens = Lens.objects.get(owner=alice)
    assert lens.name == "Served lens"
    assert response.status_code == 302
    assert response["Location"] == f"/lenses/{lens.alias}/?version=draft"
    assert lens_server.requests == ["/lens.json"]


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:{port}/lens.json",
        "https://[::1]:{port}/lens.json",
        "https://10.0.0.1/lens.json",
        "https://169.254.169.254/latest/meta-data/",
        "https://localhost:{port}/lens.json",
    ],
)
def test_without_the_allow_list_internal_urls_are_refused_on_the_field(
    client_for, alice, lens_server, settings, url
):
    settings.MLWA_OUTGOING_ALLOW = []
    response = client_for(alice).post(reverse("lens:import_url"), {"url": url.format(port=lens_server.port)})
    assert response.status_code == 400
    assert "MLWA_OUTGOING_ALLOW" in response.context["form"].errors["url"][0]
    assert lens_server.requests == []
    assert not Lens.objects.filter(owner=alice).exists()


def test_an_answer_other_than_200_is_refused(client_for, alice, lens_server):
    response = client_for(alice).post(reverse("lens:import_url"), {"url": lens_server.url("/gone.json")})
    assert "HTTP 404" in response.context["form"].errors["url"][0]
    assert not Lens.objects.filter(owner=alice).exists()


def test_a_fetched_file_that_breaks_the_format_lists_its_problems(client_for, alice, lens_server):
    response = client_for(alice).post(reverse("lens:import_url"), {"url": lens_server.url("/broken.json")})
    assert response.status_code == 400
    assert response.context["problems"]
    assert "The file was not imported" in response.content.decode()
    assert not Lens.objects.filter(owner=alice).exists()


def test_plain_http_is_refused_on_the_field(client_for, alice):
    response = client_for(alice).post(reverse("lens:import_url"), {"url": "http://example.com/lens.json"})
    assert "only https://" in response.context["form"].errors["url"][0]
