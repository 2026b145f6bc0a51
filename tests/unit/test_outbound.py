"""A webhook connects to the address its check approved (no second lookup to rebind), by its host name."""

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from attent.signals.outbound import RefusedDestination, check_destination, post

# A self-signed certificate for the name "hook.test" only (no address in it), valid 2000-2126, made with
# `openssl req -new` and `openssl ca -selfsign -startdate 20000101000000Z -enddate 21260101000000Z`.
# The key is a test key: it protects nothing.
CERTS = Path(__file__).parent / "certs"
PUBLIC = "93.184.215.14"


class Answers:
    """A resolver that gives its answers in turn, and counts how often it was asked."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers, self.asked = list(answers), 0

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked += 1
        return self.answers.pop(0)


class Receiver(BaseHTTPRequestHandler):
    answers: list[int]
    received: list[tuple[str, dict[str, str], bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, dict(self.headers), body))
        self.send_response(self.answers.pop(0) if self.answers else 204)
        self.send_header("Location", "http://127.0.0.1:1/elsewhere")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


class Server:
    def __init__(self, tls: ssl.SSLContext | None = None, answers: tuple[int, ...] = ()) -> None:
        self.handler = type("Handler", (Receiver,), {"answers": list(answers), "received": []})
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        if tls is not None:
            self.http.socket = tls.wrap_socket(self.http.socket, server_side=True)
        self.port = self.http.server_port
        self.thread = threading.Thread(target=self.http.serve_forever, args=(0.01,), daemon=True)

    @property
    def received(self) -> list[tuple[str, dict[str, str], bytes]]:
        return self.handler.received


@contextmanager
def serving(server: Server) -> Iterator[Server]:
    server.thread.start()
    try:
        yield server
    finally:
        server.http.shutdown()
        server.http.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    """A real HTTP server on 127.0.0.1 (only: 127.0.0.2 is refused) that answers 204."""
    with serving(Server()) as running:
        yield running


def _send(url: str, *, resolve: Answers, tls: ssl.SSLContext | None = None) -> None:
    destination = check_destination(url, private_allowed=True, resolve=resolve)
    post(destination, body=b'{"a":1}', headers={"Content-Type": "application/json"}, timeout=5, tls=tls)


def test_the_call_reaches_the_checked_address_by_name_and_never_asks_again(server):
    resolve = Answers(["127.0.0.1"], ["127.0.0.2"])  # a second lookup would be refused at 127.0.0.2
    _send(f"http://hook.test:{server.port}/replacements?shop=1#top", resolve=resolve)
    assert resolve.asked == 1
    [(path, headers, body)] = server.received
    assert path == "/replacements?shop=1" and body == b'{"a":1}'
    assert headers["Host"] == f"hook.test:{server.port}" and headers["Content-Type"] == "application/json"


def test_a_second_answer_is_never_used(server):
    resolve = Answers(["127.0.0.2"], ["127.0.0.1"])  # the receiver is only at the second answer
    with pytest.raises(ConnectionRefusedError):
        _send(f"http://hook.test:{server.port}/x", resolve=resolve)
    assert resolve.asked == 1 and server.received == []


def test_a_name_rebound_from_public_to_loopback_does_not_reach_this_machine(server):
    resolve = Answers([PUBLIC], ["127.0.0.1"])
    url = f"http://hook.test:{server.port}/x"
    destination = check_destination(url, private_allowed=False, resolve=resolve)
    assert destination.addresses == (PUBLIC,)
    with pytest.raises(OSError):  # noqa: PT011 (refused, unreachable or timed out: any way but here)
        post(destination, body=b"{}", headers={}, timeout=0.5)
    assert resolve.asked == 1 and server.received == []


@pytest.mark.parametrize(
    "answer",
    [
        [PUBLIC, "127.0.0.1"],  # one private answer among public ones is enough to refuse
        ["::ffff:127.0.0.1"],  # loopback written as IPv6
        ["64:ff9b::a00:1"],  # 10.0.0.1 through a NAT64 gateway
        ["fe80::1%1"],
        ["224.0.0.1"],
    ],
)
def test_any_private_answer_is_refused(answer):
    with pytest.raises(RefusedDestination, match="ATTENT_WEBHOOK_PRIVATE_ADDRESSES"):
        check_destination("https://hook.test/x", private_allowed=False, resolve=Answers(answer))


def test_a_name_that_does_not_resolve_is_retried_not_refused():
    with pytest.raises(OSError, match="does not resolve") as failure:
        check_destination("https://no-such-host.invalid/x", private_allowed=False)
    assert not isinstance(failure.value, RefusedDestination)
    with pytest.raises(OSError, match="does not resolve") as failure:
        check_destination("https://hook.test/x", private_allowed=True, resolve=Answers([]))
    assert not isinstance(failure.value, RefusedDestination)


def test_an_invalid_port_is_refused():
    with pytest.raises(RefusedDestination, match="port"):
        check_destination("http://hook.test:99999/x", private_allowed=True, resolve=Answers(["127.0.0.1"]))


def test_a_redirect_is_an_error_and_not_followed():
    with serving(Server(answers=(302,))) as server:
        with pytest.raises(RuntimeError, match="answered 302"):
            _send(f"http://hook.test:{server.port}/x", resolve=Answers(["127.0.0.1"]))
        assert len(server.received) == 1


# --- https: the certificate is checked against the host name, over the pinned connection --------------


def _tls_server(names: list[str | None]) -> Server:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERTS / "hook.test.pem")
    context.sni_callback = lambda _socket, name, _context: names.append(name)
    return Server(tls=context)


def _trusting() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=CERTS / "hook.test.crt")


def test_https_names_the_host_in_sni_and_verifies_its_certificate():
    names: list[str | None] = []
    with serving(_tls_server(names)) as server:
        _send(f"https://hook.test:{server.port}/x", resolve=Answers(["127.0.0.1"]), tls=_trusting())
        [(_path, headers, _body)] = server.received
    assert names == ["hook.test"] and headers["Host"] == f"hook.test:{server.port}"


@pytest.mark.parametrize("host", ["other.test", "127.0.0.1"])
def test_https_refuses_a_certificate_for_another_name_even_at_the_same_address(host):
    with serving(_tls_server([])) as server:
        with pytest.raises(ssl.SSLCertVerificationError, match="mismatch"):
            _send(f"https://{host}:{server.port}/x", resolve=Answers(["127.0.0.1"]), tls=_trusting())
        assert server.received == []


def test_https_trusts_only_the_system_authorities_by_default():
    with serving(_tls_server([])) as server:
        with pytest.raises(ssl.SSLCertVerificationError, match="self-signed"):
            _send(f"https://hook.test:{server.port}/x", resolve=Answers(["127.0.0.1"]))
        assert server.received == []
