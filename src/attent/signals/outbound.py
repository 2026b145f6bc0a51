"""Where a rule's webhook may go: public addresses only, unless the operator allows the private network.

A rule is written by an organisation's admin, and its URL is fetched by our worker from inside our
network. Without a check, `http://127.0.0.1:5432/`, `http://169.254.169.254/` (a cloud's metadata
service) or a neighbour on the private network would be one rule away (server-side request forgery).
Every address the host name resolves to must be public, and redirects are not followed, so a public
URL cannot send the call on to a private one. Receivers on the operator's own network (on-premises)
are allowed with ATTENT_WEBHOOK_PRIVATE_ADDRESSES=true. What is left: a name that resolves to a public
address for the check and a private one a moment later (DNS rebinding) needs a resolver we control.
"""

import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from attent.core.queue import GiveUp


class RefusedDestination(GiveUp):
    """The webhook's address is not one we call; retrying will not change that."""


def check_destination(url: str, *, private_allowed: bool) -> None:
    """Raise RefusedDestination unless every address `url`'s host resolves to may be called."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedDestination(f"{url!r} is not an http(s) URL with a host")
    if private_allowed:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise OSError(f"{parts.hostname} does not resolve: {exc}") from None  # may resolve later: retry
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0])
        if not address.is_global or address.is_multicast:
            raise RefusedDestination(
                f"{parts.hostname} resolves to {address}, a private, loopback or reserved address; "
                "set ATTENT_WEBHOOK_PRIVATE_ADDRESSES=true to call receivers on your own network"
            )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None  # the 3xx surfaces as an HTTPError: a failed call


_OPENER = urllib.request.build_opener(_NoRedirects)


def post(request: urllib.request.Request, *, timeout: float) -> None:
    """Send the request without following redirects; an error status raises RuntimeError."""
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(1024)
    except urllib.error.HTTPError as exc:
        exc.close()  # the error carries the open response; the queue only needs the status
        raise RuntimeError(f"{request.full_url} answered {exc.code}") from None
