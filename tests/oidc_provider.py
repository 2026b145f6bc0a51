"""A real OpenID Connect provider for the tests, built on Authlib's server side (a maintained provider
package, not our own protocol code): `AuthorizationServer` with the authorization code grant, the
`OpenIDCode` extension that issues id_tokens and PKCE's `CodeChallenge`, served over HTTP on a loopback
port (discovery validated by Authlib's `OpenIDProviderMetadata`, its JWKS, authorize and token). It signs
id_tokens RS256 with an RSA key it generates. Authlib decides what is valid: the client id and secret
(HTTP Basic), the registered redirect address, the PKCE verifier, a code that works once.

Only the glue is ours: Authlib ships no server for `http.server`, so the few methods its framework
integrations implement (turn a request into an `OAuth2Request`, hand back a response) are here. Who is
"signed in" at the provider, and what it gets wrong on purpose, the test says: `tamper` claims are what
the provider is configured to put in the id_token (another audience, issuer, expiry or nonce), and
`sign_with_other_key` has it sign with a key its JWKS does not publish.
"""

import json
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    InvalidRequestError,
    OAuth2Error,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID, CLIENT_SECRET = "attent-test-client", "s3cret-of-the-client"
_CLIENT_CLAIMS = ("iss", "aud", "exp", "iat")  # what `tamper` may change in the provider's own claims


@dataclass
class _Client(ClientMixin):  # type: ignore[misc]  # Authlib ships no type information
    """The one registered client: a confidential web application with its redirect addresses."""

    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return CLIENT_ID

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in {"openid", "email", "profile"})

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, CLIENT_SECRET)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint != "token" or method == "client_secret_basic"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class _Code(AuthorizationCodeMixin):  # type: ignore[misc]
    code: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    user: dict[str, Any] = field(default_factory=dict)
    auth_time: int = 0

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


class _Request(OAuth2Request):  # type: ignore[misc]
    """An `OAuth2Request` from `http.server`'s parts, as Authlib's Flask and Django integrations make one."""

    def __init__(self, method: str, uri: str, params: dict[str, str], headers: Any) -> None:
        super().__init__(method=method, uri=uri, headers=headers)
        self.payload = BasicOAuth2Payload(params)
        self._params = params

    @property
    def args(self) -> dict[str, str]:
        return self._params if self.method == "GET" else {}

    @property
    def form(self) -> dict[str, str]:
        return self._params if self.method == "POST" else {}


class _Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, client: _Client) -> None:
        super().__init__(scopes_supported=["openid", "email", "profile"])
        self.client = client

    def query_client(self, client_id: str) -> _Client | None:
        return self.client if client_id == CLIENT_ID else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        pass  # nobody calls a userinfo endpoint with the access token in these tests

    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        return request

    def handle_response(
        self, status: int, body: Any, headers: Iterable[tuple[str, str]]
    ) -> tuple[int, Any, dict[str, str]]:
        return status, body, dict(headers)

    def send_signal(self, name: str, *args: object, **kwargs: object) -> None:
        pass


class Provider:
    """The provider; `user` is who signs in at it next, `tamper` claims it gets wrong on purpose."""

    def __init__(self, now: Callable[[], float], redirect_uris: list[str]) -> None:
        self.now = now
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
        self.user: dict[str, Any] = {}
        self.tamper: dict[str, Any] = {}
        self.sign_with_other_key = False
        self.codes: dict[str, _Code] = {}
        self.token_requests: list[dict[str, str]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.authorization = _authorization_server(self, _Client(redirect_uris=list(redirect_uris)))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Provider":
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def discovery(self) -> dict[str, Any]:
        metadata = OpenIDProviderMetadata(
            issuer=self.issuer,
            authorization_endpoint=f"{self.issuer}/authorize",
            token_endpoint=f"{self.issuer}/token",
            jwks_uri=f"{self.issuer}/jwks",
            scopes_supported=["openid", "email", "profile"],
            response_types_supported=["code"],
            grant_types_supported=["authorization_code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            code_challenge_methods_supported=["S256"],
            token_endpoint_auth_methods_supported=["client_secret_basic"],
        )
        metadata.validate()
        return dict(metadata)

    def jwks(self) -> dict[str, Any]:
        return dict(KeySet([self.key]).as_dict(private=False))

    def authorize(self, request: _Request) -> tuple[int, Any, dict[str, str]]:
        """The user is signed in here already: Authlib checks the request and sends them back."""
        try:
            grant = self.authorization.get_consent_grant(request, end_user=dict(self.user))
        except OAuth2Error as error:
            if error.redirect_uri:  # a known client at a registered address hears what was wrong
                return self.authorization.handle_error_response(request, error)  # type: ignore[no-any-return]
            return 400, {"error": error.error, "error_description": error.description}, {}
        return self.authorization.create_authorization_response(  # type: ignore[no-any-return]
            request, grant_user=dict(self.user), grant=grant
        )

    def token(self, request: _Request) -> tuple[int, Any, dict[str, str]]:
        self.token_requests.append(dict(request.form))
        return self.authorization.create_token_response(request)  # type: ignore[no-any-return]


class _RequiredS256(CodeChallenge):  # type: ignore[misc]
    """PKCE for every client, confidential ones too, and only S256: a provider that took less would not
    notice our client stop sending it."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: AuthorizationCodeGrant, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE with S256 is required", redirect_uri=redirect_uri)
        super().validate_code_challenge(grant, redirect_uri)


def _authorization_server(provider: Provider, client: _Client) -> _Server:
    class CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]

        def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
            data = request.payload.data
            provider.codes[code] = _Code(
                code=code, redirect_uri=data["redirect_uri"], scope=request.scope, nonce=data.get("nonce"),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                user=dict(request.user), auth_time=int(provider.now()),
            )  # fmt: skip

        def query_authorization_code(self, code: str, client: _Client) -> _Code | None:
            return provider.codes.get(code)

        def delete_authorization_code(self, authorization_code: _Code) -> None:
            provider.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: _Code) -> dict[str, Any]:
            return authorization_code.user

    class IdTokens(OpenIDCode):  # type: ignore[misc]
        def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
            return any(code.nonce == nonce for code in provider.codes.values())

        def resolve_client_private_key(self, client: _Client) -> RSAKey:
            return provider.other_key if provider.sign_with_other_key else provider.key

        def get_client_algorithm(self, client: _Client) -> str:
            return "RS256"

        def get_encode_header(self, client: _Client) -> dict[str, str]:
            return {"alg": "RS256", "kid": "k1"}

        def get_client_claims(self, client: _Client) -> dict[str, Any]:
            now = int(provider.now())
            claims = {"iss": provider.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300}
            return claims | {k: v for k, v in provider.tamper.items() if k in _CLIENT_CLAIMS}

        def get_authorization_code_claims(self, authorization_code: _Code) -> dict[str, Any]:
            claims: dict[str, Any] = super().get_authorization_code_claims(authorization_code)
            return claims | {k: v for k, v in provider.tamper.items() if k not in _CLIENT_CLAIMS}

        def generate_user_info(self, user: dict[str, Any], scope: str) -> UserInfo:
            return UserInfo({"sub": "user-1", **user})

    server = _Server(client)
    server.register_token_generator(
        "default", BearerTokenGenerator(lambda **_kw: secrets.token_urlsafe(16), expires_generator=300)
    )
    server.register_grant(CodeGrant, [_RequiredS256(required=True), IdTokens(require_nonce=True)])
    return server


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:  # quiet in the test output
            pass

        def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode() if body else b""
            self.send_response(status)
            if isinstance(body, dict):
                headers = {"Content-Type": "application/json", "Cache-Control": "no-store", **headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _request(self, params: str) -> _Request:
            return _Request(self.command, provider.issuer + self.path, dict(parse_qsl(params)), self.headers)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/.well-known/openid-configuration":
                self._send(200, provider.discovery(), {})
            elif parts.path == "/jwks":
                self._send(200, provider.jwks(), {})
            elif parts.path == "/authorize":
                self._send(*provider.authorize(self._request(parts.query)))
            else:
                self._send(404, "", {})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            if urlsplit(self.path).path == "/token":
                self._send(*provider.token(self._request(self.rfile.read(length).decode())))
            else:
                self._send(404, "", {})

    return Handler
