"""A small, real OpenID Connect provider for the tests: an HTTP server on a loopback port that serves
discovery, its JWKS, the authorization endpoint and the token endpoint, and signs id_tokens RS256 with
an RSA key it generates (joserfc). It speaks the documented protocol (OpenID Connect Core 1.0, RFC 6749,
RFC 7636): it checks the client id and secret, the redirect address and the PKCE verifier, and a code
works once. Who is "signed in" there, and what it gets wrong on purpose, the test says.
"""

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID, CLIENT_SECRET = "attent-test-client", "s3cret-of-the-client"


class Provider:
    """The provider; `user` is who signs in at it next, `tamper` claims it gets wrong on purpose."""

    def __init__(self, now: Callable[[], float]) -> None:
        self.now = now
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
        self.user: dict[str, Any] = {}
        self.tamper: dict[str, Any] = {}
        self.sign_with_other_key = False
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests: list[dict[str, str]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Provider":
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """The user is signed in here already: send them back with a code (or an error)."""
        problems = [
            query.get("response_type") != "code",
            query.get("client_id") != CLIENT_ID,
            "openid" not in query.get("scope", "").split(),
            query.get("code_challenge_method") != "S256" or not query.get("code_challenge"),
            not query.get("redirect_uri"),
        ]
        if any(problems):
            return 400, {"Content-Type": "text/plain"}, b"bad authorization request"
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "redirect_uri": query["redirect_uri"], "challenge": query["code_challenge"],
            "nonce": query.get("nonce"), "user": dict(self.user),
        }  # fmt: skip
        back = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        return 302, {"Location": back}, b""

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        """Exchange a code, once, for an access token and a signed id_token."""
        self.token_requests.append(form)
        if not authorization or not authorization.startswith("Basic "):
            return 401, {"error": "invalid_client"}
        who, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if (who, secret) != (CLIENT_ID, CLIENT_SECRET):
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)
        if form.get("grant_type") != "authorization_code" or grant is None:
            return 400, {"error": "invalid_grant", "error_description": "unknown or used code"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri differs"}
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verifier does not match"}
        now = int(self.now())
        claims = {
            "iss": self.issuer, "aud": CLIENT_ID, "sub": grant["user"].get("sub", "user-1"),
            "iat": now, "exp": now + 300, "nonce": grant["nonce"], **grant["user"], **self.tamper,
        }  # fmt: skip
        key = self.other_key if self.sign_with_other_key else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
        return 200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                     "id_token": id_token}  # fmt: skip


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:  # quiet in the test output
            pass

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, data: dict[str, Any]) -> None:
            self._send(status, {"Content-Type": "application/json", "Cache-Control": "no-store"},
                       json.dumps(data).encode())  # fmt: skip

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif parts.path == "/jwks":
                self._json(200, {"keys": [provider.key.as_dict(private=False)]})
            elif parts.path == "/authorize":
                self._send(*provider.authorize(query))
            else:
                self._send(404, {}, b"")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path == "/token":
                self._json(*provider.token(form, self.headers.get("Authorization")))
            else:
                self._send(404, {}, b"")

    return Handler
