"""Where a rule's webhook may go: public addresses only, unless the operator allows the private network.

A rule is written by an organisation's admin, and its URL is fetched by our worker from inside our
network. Without a check, `http://127.0.0.1:5432/`, `http://169.254.169.254/` (a cloud's metadata
service) or a neighbour on the private network would be one rule away (server-side request forgery).
Every address the host name resolves to must be public, and redirects are not followed, so a public
URL cannot send the call on to a private one. Receivers on the operator's own network (on-premises)
are allowed with ATTENT_WEBHOOK_PRIVATE_ADDRESSES=true.

The name is resolved once, and the call connects to an address from that answer (it is pinned): a name
that answers public for the check and private a moment later (DNS rebinding) gets no second lookup to
win. The request still speaks to the host by name: the Host header, and for https the SNI and the
certificate check, use the URL's host name, never the address. So no proxy from the environment is used
for webhooks either: a proxy would resolve the name itself.
"""

import http.client
import ipaddress
import socket
import ssl
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from attent.core.queue import GiveUp

Resolver = Callable[[str, int], Sequence[str]]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedDestination(GiveUp):
    """The webhook's address is not one we call; retrying will not change that."""


@dataclass(frozen=True)
class Destination:
    """A webhook URL with the addresses it was checked against; the call goes to these and no others."""

    url: str
    scheme: str
    host: str
    port: int
    target: str  # the path and query sent in the request line
    addresses: tuple[str, ...]


def lookup(host: str, port: int) -> list[str]:
    """Every address `host` answers with; a name that does not resolve raises OSError (it may later)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"{host} does not resolve: {exc}") from None
    return list(dict.fromkeys(str(sockaddr[0]) for *_, sockaddr in infos))


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return _public(address.ipv4_mapped)
        if address in _NAT64:  # a NAT64 gateway would carry the call to the IPv4 address inside
            return _public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return address.is_global and not address.is_multicast


def check_destination(url: str, *, private_allowed: bool, resolve: Resolver = lookup) -> Destination:
    """Resolve `url`'s host once; raise RefusedDestination unless every address it gave may be called."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedDestination(f"{url!r} is not an http(s) URL with a host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise RefusedDestination(f"{url!r} has no valid port") from None
    addresses = tuple(resolve(parts.hostname, port))
    if not addresses:
        raise OSError(f"{parts.hostname} does not resolve")  # may resolve later: retry
    if not private_allowed:
        for text in addresses:
            if not _public(ipaddress.ip_address(text)):
                raise RefusedDestination(
                    f"{parts.hostname} resolves to {text}, a private, loopback or reserved address; "
                    "set ATTENT_WEBHOOK_PRIVATE_ADDRESSES=true to call receivers on your own network"
                )
    target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return Destination(url, parts.scheme, parts.hostname, port, target, addresses)


def _dial(addresses: Sequence[str], port: int, timeout: float) -> socket.socket:
    """A TCP connection to the first checked address that answers; never a lookup of the name."""
    error: OSError | None = None
    for address in addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect((address, port))
        except OSError as exc:
            sock.close()
            error = exc
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    raise error or OSError("no address to connect to")


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to the host by name (the Host header) over a connection to a checked address."""

    def __init__(self, destination: Destination, *, timeout: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.addresses, self.dial_timeout = destination.addresses, timeout

    def connect(self) -> None:
        self.sock = _dial(self.addresses, self.port, self.dial_timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS whose SNI and certificate check use the host name, over a connection to a checked address."""

    def __init__(self, destination: Destination, *, timeout: float, tls: ssl.SSLContext) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout, context=tls)
        self.addresses, self.dial_timeout, self.tls = destination.addresses, timeout, tls

    def connect(self) -> None:
        sock = _dial(self.addresses, self.port, self.dial_timeout)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def post(
    destination: Destination,
    *,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float,
    tls: ssl.SSLContext | None = None,
) -> None:
    """POST to a checked destination without following redirects; a status other than 2xx raises
    RuntimeError. `tls` is for tests with their own certificate authority."""
    connection: http.client.HTTPConnection
    if destination.scheme == "https":
        tls = tls or ssl.create_default_context()  # verifies the chain and the host name
        connection = _PinnedHTTPS(destination, timeout=timeout, tls=tls)
    else:
        connection = _PinnedHTTP(destination, timeout=timeout)
    try:
        connection.request("POST", destination.target, body=body, headers={**headers, "Connection": "close"})
        with connection.getresponse() as response:
            response.read(1024)
            if not 200 <= response.status < 300:  # a 3xx too: the call is not sent on
                raise RuntimeError(f"{destination.url} answered {response.status}")
    finally:
        connection.close()
