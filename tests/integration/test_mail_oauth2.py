"""OAuth2 for mailboxes: the XOAUTH2 string as RFC/provider documents give it, a refresh against a local
token endpoint that speaks the protocol (RFC 6749 section 6), and `AUTH XOAUTH2` against a real SMTP
server (aiosmtpd). IMAP XOAUTH2 against Dovecot is not tested yet (README, "What is left")."""

import base64
import json
import smtplib
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from attent.mail.oauth2 import OAuth2Client, TokenRefused, encoded, refresh, smtp_xoauth2, xoauth2
from tests.conftest import Mailbox as SmtpServer
from tests.conftest import free_port

NOW = datetime(2026, 12, 7, 23, 0, tzinfo=UTC)


class _TokenEndpoint(BaseHTTPRequestHandler):
    """A provider's token endpoint: one client, one refresh token that it rotates on use."""

    valid = {"refresh": "rt-1"}
    requests: list[dict[str, str]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        self.requests.append({**form, "content_type": self.headers.get("Content-Type", "")})
        if (form.get("client_id"), form.get("client_secret")) != ("attent-app", "app-secret"):
            self._answer(401, {"error": "invalid_client"})
        elif form.get("grant_type") != "refresh_token" or form.get("refresh_token") != self.valid["refresh"]:
            self._answer(
                400, {"error": "invalid_grant", "error_description": "AADSTS70000: the grant expired."}
            )
        else:
            self.valid["refresh"] = "rt-2"
            self._answer(
                200,
                {"access_token": "at-1", "token_type": "Bearer", "expires_in": 3599, "refresh_token": "rt-2"},
            )

    def _answer(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def token_endpoint() -> Iterator[str]:
    _TokenEndpoint.valid, _TokenEndpoint.requests = {"refresh": "rt-1"}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TokenEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/oauth2/v2.0/token"
    finally:
        server.shutdown()
        server.server_close()


def test_the_xoauth2_string_is_the_documented_one():
    assert xoauth2("someuser@example.com", "ya29.vF9dft4") == (
        "user=someuser@example.com\x01auth=Bearer ya29.vF9dft4\x01\x01"
    )
    # Google's documented example, base64 as it goes over the wire.
    assert encoded("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg") == (
        "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52"
        "YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ=="
    )


def test_a_refresh_token_gets_a_fresh_access_token_and_the_rotated_refresh_token(token_endpoint):
    client = OAuth2Client(token_endpoint, "attent-app", "app-secret", scope="https://mail.google.com/")
    token = refresh(client, "rt-1", now=NOW)
    assert (token.value, token.refresh_token) == ("at-1", "rt-2")
    assert token.expires_at == NOW + timedelta(seconds=3599) and token.fresh(NOW)
    assert not token.fresh(NOW + timedelta(minutes=59))  # within the margin: refresh before connecting
    [sent] = _TokenEndpoint.requests
    assert sent["grant_type"] == "refresh_token" and sent["scope"] == "https://mail.google.com/"
    assert sent["content_type"] == "application/x-www-form-urlencoded"
    assert "secret" not in repr(client) and "at-1" not in repr(token)

    with pytest.raises(TokenRefused) as refused:  # the old one was rotated away: sign in again
        refresh(client, "rt-1", now=NOW)
    assert refused.value.code == "invalid_grant" and "AADSTS70000" in refused.value.detail
    with pytest.raises(TokenRefused) as wrong_app:
        refresh(OAuth2Client(token_endpoint, "attent-app", "wrong"), "rt-2", now=NOW)
    assert wrong_app.value.code == "invalid_client"


def test_tokens_go_only_over_tls_except_to_loopback():
    with pytest.raises(TokenRefused) as refused:
        refresh(OAuth2Client("http://login.example.com/token", "attent-app"), "rt", now=NOW)
    assert refused.value.code == "insecure_endpoint"
    with pytest.raises(TokenRefused) as unreachable:
        refresh(OAuth2Client(f"http://127.0.0.1:{free_port()}/token", "attent-app"), "rt", now=NOW, timeout=5)
    assert unreachable.value.code == "unreachable"


class _Xoauth2Server(SmtpServer):
    """An SMTP server that accepts one user's bearer token by AUTH XOAUTH2."""

    async def auth_XOAUTH2(self, server, args):  # aiosmtpd calls auth_<MECHANISM>
        response = args[2] if len(args) > 2 else await server.challenge_auth("")
        given = base64.b64decode(response).decode() if isinstance(response, str) else response.decode()
        return AuthResult(success=given == xoauth2("support@kopjekoffie.nl", "at-1"), handled=False)


def test_smtp_signs_in_with_xoauth2_against_a_real_server():
    box = _Xoauth2Server(port=free_port())
    controller = Controller(box, hostname=box.host, port=box.port, auth_require_tls=False)
    controller.start()
    try:
        with smtplib.SMTP(box.host, box.port, timeout=10) as smtp:
            smtp.ehlo()
            assert "xoauth2" in smtp.esmtp_features.get("auth", "").lower()
            smtp_xoauth2(smtp, "support@kopjekoffie.nl", "at-1")
            smtp.sendmail("support@kopjekoffie.nl", ["klant@example.nl"], b"Subject: hoi\r\n\r\nHallo\r\n")
        with (
            smtplib.SMTP(box.host, box.port, timeout=10) as smtp,
            pytest.raises(smtplib.SMTPAuthenticationError),
        ):
            smtp_xoauth2(smtp, "support@kopjekoffie.nl", "expired-token")
    finally:
        controller.stop()
    assert len(box.messages) == 1
