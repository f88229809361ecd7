"""The one guarded client for every request MLWA makes to another server (a lens imported from a URL
today, webhooks later).

A URL typed by a user must not become a way into the instance's own network (server-side request
forgery), nor a way to hang a worker or fill its memory. So:

- https only (plain http only to a destination the administrator allows, below);
- the name is resolved once, every address it resolves to is checked, and the connection is made to
  a checked address: no second lookup that a rebinding DNS server could answer differently. TLS still
  sends the name (SNI) and checks the certificate against the name, not the address;
- loopback, private, link-local (the cloud metadata service, 169.254.169.254), multicast, reserved,
  unspecified and shared (carrier-grade NAT) addresses are refused, IPv4 and IPv6 alike, and an IPv6
  address that carries an IPv4 one (IPv4-mapped, 6to4, Teredo, NAT64) is judged by the IPv4 inside;
- every redirect is checked again from the start, at most `MLWA_OUTGOING_MAX_REDIRECTS` of them;
- connect and read timeouts and an overall deadline; at most `MLWA_OUTGOING_MAX_BYTES` of body (5 MB),
  never decompressed (no Accept-Encoding is sent);
- `MLWA_OUTGOING_ALLOW`, the administrator's allow-list of host names, addresses and networks
  (`lenses.internal, 10.1.2.3, 192.168.0.0/16`), makes exceptions: a listed name is not checked
  by address, a listed address or network is reachable.

Built on the standard library's http.client and ssl rather than urllib3 or requests: the one thing
this client must control is where the socket connects, and http.client lets a connection connect to
a given address while TLS checks the name, in a few lines, with no dependency added to the web
process. Proxies from the environment are never used (http.client reads none), so no proxy can be
made to fetch an internal address for us.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin, urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
# IPv6 prefixes that carry an IPv4 address in their last 32 bits (RFC 6052's well-known NAT64 prefix).
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class OutgoingRefused(Exception):
    """A request the guarded client would not make, or whose answer it would not take. `code` is a
    stable name (`scheme`, `address`, `resolve`, `connect`, `tls`, `timeout`, `too_large`,
    `redirects`, `bad_url`), `message` a sentence for the person who typed the URL."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class OutgoingResponse:
    """What came back: the final URL (after redirects), the status, the headers and the body."""

    url: str
    status: int
    headers: Message
    body: bytes


@dataclass(frozen=True)
class AllowList:
    """The administrator's exceptions: host names (lower case, exact) and networks."""

    names: frozenset[str]
    networks: tuple[IPNetwork, ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> "AllowList":
        """Read `MLWA_OUTGOING_ALLOW`'s entries: an address or a network (CIDR) is a network, any
        other entry a host name."""
        names, networks = set(), []
        for entry in entries:
            entry = entry.strip().lower().strip("[]")
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                names.add(entry.rstrip("."))
        return cls(frozenset(names), tuple(networks))

    def allows_name(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.names

    def allows_address(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks if network.version == address.version)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it is one of the forms that carry one."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client's address; the server's is public by construction
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refusal(address: IPAddress) -> str | None:
    """Why an outgoing request may not go to `address` ("a loopback address", ...), or None when
    it may: only global unicast addresses are reachable."""
    if isinstance(address, ipaddress.IPv6Address) and (inner := _embedded_ipv4(address)) is not None:
        reason = address_refusal(inner)
        return f"{reason}, inside an IPv6 address" if reason else None
    checks = (
        ("is_unspecified", "an unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address (the cloud metadata service lives there)"),
        ("is_multicast", "a multicast address"),
        ("is_private", "a private address"),
        ("is_reserved", "a reserved address"),
    )
    for attribute, reason in checks:
        if getattr(address, attribute):
            return reason
    if not address.is_global:  # 100.64.0.0/10 (shared, carrier-grade NAT) and the like
        return "an address that is not public"
    return None


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def _allow_list() -> AllowList:
    return AllowList.parse(getattr(settings, "MLWA_OUTGOING_ALLOW", []))


def _resolve(host: str, port: int, deadline: float) -> list[IPAddress]:
    """The host's addresses, looked up once (a literal address is its own answer)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise OutgoingRefused(f"the name {host} could not be resolved ({error})", code="resolve") from None
    if time.monotonic() > deadline:
        raise OutgoingRefused(f"resolving {host} took too long", code="timeout")
    # The scope id of a link-local IPv6 answer ("fe80::1%eth0") is dropped: such an address is refused.
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    return list(dict.fromkeys(addresses))


def _check(url: str, allow: AllowList, deadline: float) -> _Target:
    """The URL's destination, resolved and checked, or OutgoingRefused saying why not."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise OutgoingRefused(f"{url!r} is not a URL ({error})", code="bad_url") from None
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme not in ("https", "http") or not host:
        raise OutgoingRefused(f"only https:// URLs can be fetched, not {url!r}", code="scheme")
    if parts.username is not None or parts.password is not None:
        raise OutgoingRefused("a URL with a user name or password cannot be fetched", code="bad_url")
    port = port or (443 if parts.scheme == "https" else 80)
    name_allowed = allow.allows_name(host)
    plain_refused = OutgoingRefused(
        f"only https:// URLs can be fetched ({host} is not on MLWA_OUTGOING_ALLOW)", code="scheme"
    )
    if parts.scheme == "http" and not (name_allowed or allow.networks):
        raise plain_refused  # before any lookup: nothing could make it allowed
    addresses = _resolve(host, port, deadline)
    if parts.scheme == "http" and not (name_allowed or all(allow.allows_address(a) for a in addresses)):
        raise plain_refused
    if not name_allowed:
        for address in addresses:
            reason = None if allow.allows_address(address) else address_refusal(address)
            if reason:
                shown = host if host == str(address) else f"{host} (which resolves to {address})"
                raise OutgoingRefused(
                    f"{shown} is {reason}: MLWA does not fetch from it. An administrator can allow it "
                    "with MLWA_OUTGOING_ALLOW.",
                    code="address",
                )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return _Target(parts.scheme, host, port, path, tuple(str(a) for a in addresses))


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address; TLS sends and checks the host name."""

    def __init__(self, target: _Target, address: str, context: ssl.SSLContext, timeouts: tuple[float, float]):
        super().__init__(target.host, target.port, timeout=timeouts[0], context=context)
        self._address, self._read_timeout, self._tls = address, timeouts[1], context

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        sock.settimeout(self._read_timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """A plain connection to a checked address (allow-listed destinations only)."""

    def __init__(self, target: _Target, address: str, timeouts: tuple[float, float]):
        super().__init__(target.host, target.port, timeout=timeouts[0])
        self._address, self._read_timeout = address, timeouts[1]

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.settimeout(self._read_timeout)


def tls_context() -> ssl.SSLContext:
    """The TLS settings of every outgoing request: certificates checked against the host name, from
    the system's trust store or `MLWA_OUTGOING_CA_FILE` (an organisation's own CA)."""
    ca_file = getattr(settings, "MLWA_OUTGOING_CA_FILE", "") or None
    context = ssl.create_default_context(cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _connect(target: _Target, timeouts: tuple[float, float]) -> http.client.HTTPConnection:
    """A connection to the first of the checked addresses that answers."""
    context = tls_context() if target.scheme == "https" else None
    failure: OSError | None = None
    for address in target.addresses:
        connection = (
            _PinnedHTTPSConnection(target, address, context, timeouts)
            if context is not None
            else _PinnedHTTPConnection(target, address, timeouts)
        )
        try:
            connection.connect()
        except ssl.SSLError as error:  # SSLCertVerificationError included: no other address helps
            connection.close()
            raise OutgoingRefused(
                f"the TLS handshake with {target.host} failed: {error}", code="tls"
            ) from None
        except TimeoutError:
            connection.close()
            failure = TimeoutError(f"connecting to {target.host} took too long")
        except OSError as error:
            connection.close()
            failure = error
        else:
            return connection
    code = "timeout" if isinstance(failure, TimeoutError) else "connect"
    raise OutgoingRefused(f"could not connect to {target.host}: {failure}", code=code)


def _read_body(response: http.client.HTTPResponse, max_bytes: int, deadline: float, host: str) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise OutgoingRefused(
            f"{host} sent {int(length):,} bytes; at most {max_bytes:,} are accepted", code="too_large"
        )
    chunks, size = [], 0
    while chunk := response.read1(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise OutgoingRefused(f"{host} sent more than {max_bytes:,} bytes", code="too_large")
        if time.monotonic() > deadline:
            raise OutgoingRefused(f"{host} took too long to answer", code="timeout")
        chunks.append(chunk)
    return b"".join(chunks)


def _exchange(target: _Target, method: str, body: bytes | None, headers: dict[str, str], limits: dict):
    connection = _connect(target, (limits["connect"], limits["read"]))
    try:
        connection.request(method, target.path, body=body, headers=headers)
        response = connection.getresponse()
        if response.status in REDIRECTS:
            return response.status, response.msg, b""
        return (
            response.status,
            response.msg,
            _read_body(response, limits["max_bytes"], limits["deadline"], target.host),
        )
    except TimeoutError:
        raise OutgoingRefused(f"{target.host} took too long to answer", code="timeout") from None
    except (OSError, http.client.HTTPException) as error:
        raise OutgoingRefused(f"the exchange with {target.host} failed: {error}", code="connect") from None
    finally:
        connection.close()


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    max_bytes: int | None = None,
) -> OutgoingResponse:
    """Make one outgoing request through the guards above and return the final answer, whatever its
    status (the caller decides what a 404 means). Redirects are followed for GET and HEAD only (a
    303 turns any method into a GET), each one checked again. Raises OutgoingRefused."""
    limits = {
        "connect": float(getattr(settings, "MLWA_OUTGOING_CONNECT_TIMEOUT", 5)),
        "read": float(getattr(settings, "MLWA_OUTGOING_READ_TIMEOUT", 10)),
        "max_bytes": max_bytes or int(getattr(settings, "MLWA_OUTGOING_MAX_BYTES", 5 * 1024 * 1024)),
        "deadline": time.monotonic() + float(getattr(settings, "MLWA_OUTGOING_TOTAL_TIMEOUT", 30)),
    }
    allow = _allow_list()
    max_redirects = int(getattr(settings, "MLWA_OUTGOING_MAX_REDIRECTS", 3))
    sent = {"User-Agent": "MLWA", "Accept-Encoding": "identity", **(headers or {})}
    for _hop in range(max_redirects + 1):
        target = _check(url, allow, limits["deadline"])
        status, received, content = _exchange(target, method, body, sent, limits)
        location = received.get("Location") if status in REDIRECTS else None
        if not location or method not in ("GET", "HEAD") and status != 303:
            return OutgoingResponse(url=url, status=status, headers=received, body=content)
        url = urljoin(url, location.strip())
        if status == 303:
            method, body = "GET", None
    raise OutgoingRefused(f"more than {max_redirects} redirects; the last went to {url}", code="redirects")


def fetch(url: str, *, max_bytes: int | None = None) -> OutgoingResponse:
    """GET `url` through the guarded client (see `request`)."""
    return request("GET", url, max_bytes=max_bytes)
