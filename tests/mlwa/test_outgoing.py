"""The guarded outgoing client (mlwa.outgoing) against a real HTTPS server on 127.0.0.1 with a
trustme certificate: what the allow-list lets through, and each refusal without it, before any byte
is sent, and on redirects."""

import ipaddress
import socket

import pytest

from mlwa.outgoing import AllowList, OutgoingRefused, address_refusal, fetch
from tests.https_server import https_server

LENS_BYTES = b'{"schemaVersion": "2021-11-01"}'


@pytest.fixture
def server(tmp_path, settings):
    """A server the client trusts (its CA) but may reach only when a test allow-lists it."""
    with https_server(tmp_path, {"/lens.json": (200, {"Content-Type": "application/json"}, LENS_BYTES)}) as s:
        settings.MLWA_OUTGOING_CA_FILE = s.ca_file
        settings.MLWA_OUTGOING_ALLOW = []
        yield s


def _refusal(url: str) -> OutgoingRefused:
    with pytest.raises(OutgoingRefused) as caught:
        fetch(url)
    return caught.value


def test_an_allow_listed_address_is_fetched_over_https(server, settings):
    settings.MLWA_OUTGOING_ALLOW = ["127.0.0.1"]
    response = fetch(server.url("/lens.json"))
    assert (response.status, response.body) == (200, LENS_BYTES)
    assert response.headers["Content-Type"] == "application/json"


def test_an_allow_listed_network_is_fetched_too(server, settings):
    settings.MLWA_OUTGOING_ALLOW = ["127.0.0.0/8"]
    assert fetch(server.url("/lens.json")).status == 200


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://127.0.0.1:{port}/lens.json", "loopback"),
        ("https://[::1]:{port}/lens.json", "loopback"),
        ("https://10.0.0.1:{port}/lens.json", "private"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://localhost:{port}/lens.json", "loopback"),
        ("https://[::ffff:127.0.0.1]:{port}/lens.json", "loopback"),
        ("https://2130706433:{port}/lens.json", "loopback"),  # 127.0.0.1 as one number
    ],
)
def test_each_internal_destination_is_refused_without_the_allow_list(server, url, reason):
    refusal = _refusal(url.format(port=server.port))
    assert refusal.code == "address"
    assert reason in refusal.message
    assert "MLWA_OUTGOING_ALLOW" in refusal.message
    assert server.requests == []  # refused before any connection


def test_a_name_is_refused_by_the_address_it_resolves_to(server):
    refusal = _refusal(server.url("/lens.json", host="localhost"))
    assert "localhost (which resolves to" in refusal.message


@pytest.mark.parametrize("allow", [[], ["10.0.0.0/8"]])
def test_plain_http_is_refused_unless_allow_listed(server, settings, allow):
    settings.MLWA_OUTGOING_ALLOW = allow
    refusal = _refusal(f"http://127.0.0.1:{server.port}/lens.json")
    assert refusal.code == "scheme"


@pytest.mark.parametrize("url", ["ftp://example.com/lens.json", "file:///etc/passwd", "https:///nohost"])
def test_other_schemes_and_hostless_urls_are_refused(url):
    assert _refusal(url).code == "scheme"


def test_credentials_in_the_url_are_refused():
    assert _refusal("https://user:secret@example.com/").code == "bad_url"


@pytest.fixture
def redirecting(tmp_path, settings):
    """A server on 127.0.0.2, allow-listed alone, so that a redirect to 127.0.0.1 is not."""
    try:
        probe = socket.create_server(("127.0.0.2", 0))
    except OSError as error:
        pytest.skip(f"127.0.0.2 cannot be bound here ({error})")
    probe.close()
    with https_server(tmp_path, host="127.0.0.2") as s:
        settings.MLWA_OUTGOING_CA_FILE = s.ca_file
        settings.MLWA_OUTGOING_ALLOW = ["127.0.0.2"]
        yield s


@pytest.mark.parametrize(
    "target",
    [
        "https://127.0.0.1:{port}/lens.json",
        "https://[::1]:{port}/lens.json",
        "https://10.0.0.1/lens.json",
        "https://169.254.169.254/latest/meta-data/",
        "https://localhost:{port}/lens.json",
    ],
)
def test_a_redirect_to_an_internal_destination_is_refused(redirecting, target):
    target = target.format(port=redirecting.port)
    redirecting.routes["/moved"] = (302, {"Location": target}, b"")
    refusal = _refusal(redirecting.url("/moved", host="127.0.0.2"))
    assert refusal.code == "address"
    assert redirecting.requests == ["/moved"]  # the first hop was made, the second refused


def test_a_redirect_to_an_allowed_place_is_followed(redirecting):
    redirecting.routes["/moved"] = (301, {"Location": "/lens.json"}, b"")
    redirecting.routes["/lens.json"] = (200, {}, LENS_BYTES)
    response = fetch(redirecting.url("/moved", host="127.0.0.2"))
    assert (response.status, response.body) == (200, LENS_BYTES)
    assert response.url.endswith("/lens.json")


def test_redirects_are_limited(server, settings):
    settings.MLWA_OUTGOING_ALLOW = ["127.0.0.1"]
    settings.MLWA_OUTGOING_MAX_REDIRECTS = 2
    server.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    refusal = _refusal(server.url("/loop"))
    assert refusal.code == "redirects"
    assert server.requests == ["/loop"] * 3


def test_a_body_over_the_cap_is_refused(server, settings):
    settings.MLWA_OUTGOING_ALLOW = ["127.0.0.1"]
    settings.MLWA_OUTGOING_MAX_BYTES = 1000
    server.routes["/big"] = (200, {}, b"x" * 1001)
    refusal = _refusal(server.url("/big"))
    assert refusal.code == "too_large"
    server.routes["/fits"] = (200, {}, b"x" * 1000)
    assert len(fetch(server.url("/fits")).body) == 1000


def test_a_certificate_that_is_not_trusted_is_refused(server, settings):
    settings.MLWA_OUTGOING_ALLOW = ["127.0.0.1"]
    settings.MLWA_OUTGOING_CA_FILE = ""  # the system's store, which does not know the test CA
    assert _refusal(server.url("/lens.json")).code == "tls"


def test_a_server_that_never_answers_times_out(settings):
    settings.MLWA_OUTGOING_ALLOW = ["127.0.0.1"]
    settings.MLWA_OUTGOING_READ_TIMEOUT = 1
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts (backlog), never speaks TLS
        refusal = _refusal(f"https://127.0.0.1:{silent.getsockname()[1]}/")
    assert refusal.code == "timeout"


@pytest.mark.parametrize(
    "address",
    [
        "0.0.0.0",  # noqa: S104 - an address refused, not one bound
        "127.0.0.1",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",  # shared address space (carrier-grade NAT), Alibaba's metadata is 100.100.100.200
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "fe80::1",
        "fd00:ec2::254",  # AWS's IPv6 metadata service
        "ff02::1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    ],
)
def test_internal_addresses_are_refused(address):
    assert address_refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_reachable(address):
    assert address_refusal(ipaddress.ip_address(address)) is None


def test_the_allow_list_reads_names_addresses_and_networks():
    allow = AllowList.parse(["Lenses.Internal.", "10.1.2.3", "192.168.0.0/16", "[fd00::1]", " "])
    assert allow.allows_name("lenses.internal")
    assert not allow.allows_name("other.internal")
    assert allow.allows_address(ipaddress.ip_address("10.1.2.3"))
    assert not allow.allows_address(ipaddress.ip_address("10.1.2.4"))
    assert allow.allows_address(ipaddress.ip_address("192.168.7.7"))
    assert allow.allows_address(ipaddress.ip_address("fd00::1"))
